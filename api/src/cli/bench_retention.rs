//! `kenpo bench retention`: erasing due persons among many (not a test).
//!
//! Fills the bench database with `persons` persons (each with a 適用 stream of two events, a
//! My Number stream with a sealed registration, a data key, a blind-index entry and a member
//! row), of whom `due` lost their qualification in 2014 and `later` in 2015; the rest are still
//! qualified. Run A (as of 2025-01-01) erases the `due`; run B (as of 2025-06-01) erases the
//! `later`. Both runs work on the same log, so the ratio of their times shows that the cost
//! follows the number erased, not the number of persons or events.

use std::time::Instant;

use sqlx::PgPool;

use crate::application::retention::{self, RetentionOptions};

/// Build the population with set-based SQL (fast, and no key material: the wrapped keys are
/// random bytes, which erasure deletes without opening).
async fn fill(pool: &PgPool, persons: i64, due: i64, later: i64) -> anyhow::Result<()> {
    let mut tx = pool.begin().await?;
    sqlx::query(
        "CREATE TEMP TABLE bench_people ON COMMIT DROP AS
         SELECT n, gen_random_uuid() AS id,
                CASE WHEN n <= $2 THEN DATE '2014-04-01'
                     WHEN n <= $2 + $3 THEN DATE '2015-04-01'
                     ELSE NULL END AS lost_on
           FROM generate_series(1, $1) AS n",
    )
    .bind(persons)
    .bind(due)
    .bind(later)
    .execute(&mut *tx)
    .await?;
    for sql in [
        "INSERT INTO streams (stream_id, stream_type, version)
         SELECT 'person-' || id, 'person', 2 FROM bench_people
         UNION ALL SELECT 'my_number-' || id, 'my_number', 1 FROM bench_people",
        "INSERT INTO events (position, event_id, stream_id, stream_type, version, event_type, event_version, payload, metadata)
         SELECT nextval('event_position_seq'), gen_random_uuid(), 'person-' || id, 'person', v,
                CASE v WHEN 1 THEN 'QualificationAcquired' ELSE 'NameChanged' END, '1.0',
                jsonb_build_object('bench', n), '{\"actor\":\"bench\"}'::jsonb
           FROM bench_people, generate_series(1, 2) AS v",
        "INSERT INTO events (position, event_id, stream_id, stream_type, version, event_type, event_version, payload, metadata)
         SELECT nextval('event_position_seq'), gen_random_uuid(), 'my_number-' || id, 'my_number', 1,
                'MyNumberRegistered', '1.0',
                jsonb_build_object('MyNumberRegistered', jsonb_build_object(
                    'sealed', translate(encode(gen_random_bytes(110), 'base64'), E'+/=\\n', '-_'),
                    'source', 'person', 'registered_on', '2012-04-03')),
                '{\"actor\":\"bench\"}'::jsonb
           FROM bench_people",
        "INSERT INTO members (person_id, kind, status, kana_name, birth_date, view, stream_version, lost_on)
         SELECT id, 'insured', CASE WHEN lost_on IS NULL THEN 'qualified' ELSE 'lost' END,
                'ベンチ', DATE '1970-01-01', '{}'::jsonb, 2, lost_on
           FROM bench_people",
        "INSERT INTO subject_keys (person_id, key_id, kek_version, wrapped_dek)
         SELECT id, gen_random_uuid(), 1, gen_random_bytes(61) FROM bench_people",
        "INSERT INTO my_number_index (bidx, person_id)
         SELECT digest(id::text, 'sha256'), id FROM bench_people",
    ] {
        sqlx::query(sql).execute(&mut *tx).await?;
    }
    tx.commit().await?;
    sqlx::query("ANALYZE").execute(pool).await?;
    Ok(())
}

async fn count(pool: &PgPool, sql: &str) -> anyhow::Result<i64> {
    Ok(sqlx::query_scalar(sql).fetch_one(pool).await?)
}

pub async fn run(
    pool: PgPool,
    persons: i64,
    due: i64,
    later: i64,
    batch: i64,
) -> anyhow::Result<()> {
    sqlx::query("CREATE EXTENSION IF NOT EXISTS pgcrypto")
        .execute(&pool)
        .await?;
    let started = Instant::now();
    fill(&pool, persons, due, later).await?;
    let events = count(&pool, "SELECT count(*) FROM events").await?;
    println!(
        "filled: {persons} persons, {events} events, {due} due (lost 2014-04-01), {later} due later (lost 2015-04-01) in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let upcasters = crate::startup::upcasters();
    // measured, not assumed: rows in every table the job writes or deletes
    const ROWS: &str = "SELECT (SELECT count(*) FROM subject_keys) + (SELECT count(*) FROM my_number_index),
                               (SELECT count(*) FROM erasure_ledger) + (SELECT count(*) FROM events)
                             + (SELECT count(*) FROM my_number_access_log) + (SELECT count(*) FROM my_number_status)";
    for (label, as_of) in [("A", (2025, 1, 1)), ("B", (2025, 6, 1))] {
        let options = RetentionOptions {
            as_of: kenpo_domain::calendar::Date::from_ymd(as_of.0, as_of.1, as_of.2)
                .ok_or_else(|| anyhow::anyhow!("bad date"))?,
            batch,
            dry_run: false,
            actor: "system:bench".to_owned(),
            abort_after: None,
        };
        let (deletable_before, added_before): (i64, i64) =
            sqlx::query_as(ROWS).fetch_one(&pool).await?;
        let summary = retention::run(&pool, &upcasters, &options, &|_| {}).await?;
        let (deletable_after, added_after): (i64, i64) =
            sqlx::query_as(ROWS).fetch_one(&pool).await?;
        let touched = (deletable_before - deletable_after) + (added_after - added_before);
        let seconds = summary.elapsed.as_secs_f64();
        println!(
            "run {label} as of {}: erased {} of {persons} persons ({events} events in the log) in {:.1} s = {:.0} persons/s, {:.2} ms each; rows deleted or inserted: {touched} ({:.1} per erased person)",
            summary.as_of,
            summary.erased,
            seconds,
            summary.erased as f64 / seconds.max(1e-9),
            seconds * 1000.0 / (summary.erased.max(1) as f64),
            touched as f64 / (summary.erased.max(1) as f64)
        );
    }
    let ledger = count(&pool, "SELECT count(*) FROM erasure_ledger").await?;
    let keys = count(&pool, "SELECT count(*) FROM subject_keys").await?;
    println!("ledger rows: {ledger}; data keys left: {keys} (of {persons})");
    Ok(())
}
