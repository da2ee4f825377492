//! The event store against a real PostgreSQL (a fresh database per test).

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use kenpo_infrastructure::crypto::signing::{FileSigningKey, Signer};
use kenpo_infrastructure::event_store::checkpoint::{self, Checkpoint, Verification};
use kenpo_infrastructure::event_store::{
    self, chain, EventMetadata, EventStoreError, ExpectedVersion, LogReader, NewEvent, Upcasters,
};
use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

fn event(n: i64) -> NewEvent {
    NewEvent {
        event_id: Uuid::now_v7(),
        event_type: "Ticked".to_owned(),
        event_version: "1.0".to_owned(),
        payload: json!({ "n": n }),
        metadata: EventMetadata::system("test"),
    }
}

/// Append one event to `stream` at whatever version it is, retrying on conflicts as a
/// client would after reloading.
async fn append_one(pool: &PgPool, stream: &str, n: i64) -> i64 {
    loop {
        let mut tx = event_store::begin_command(pool).await.unwrap();
        let version: Option<i64> =
            sqlx::query_scalar("SELECT version FROM streams WHERE stream_id = $1")
                .bind(stream)
                .fetch_optional(&mut *tx)
                .await
                .unwrap();
        let expected = version.map_or(ExpectedVersion::NoStream, ExpectedVersion::Exact);
        let kind = stream.split('-').next().unwrap_or(stream);
        match event_store::append(&mut tx, stream, kind, expected, &[event(n)]).await {
            Ok(result) => {
                tx.commit().await.unwrap();
                return result.last_position;
            }
            Err(e) if e.is_concurrency_conflict() => continue,
            Err(EventStoreError::Database(e))
                if e.as_database_error().and_then(|d| d.code()).as_deref() == Some("23505") =>
            {
                continue
            }
            Err(e) => panic!("append failed: {e}"),
        }
    }
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn a_reader_following_the_log_sees_every_event_once_in_order_while_8_writers_append(
    pool: PgPool,
) {
    const WRITERS: i64 = 8;
    const COMMANDS: i64 = 500;
    let done = Arc::new(AtomicBool::new(false));

    let reader = follow(pool.clone(), done.clone(), LogReader::new(0, 100));
    // a reader of one kind, in small batches, past stretches of the other kind
    let ticker_reader = follow(
        pool.clone(),
        done.clone(),
        LogReader::of_kinds(0, 7, vec!["ticker".to_owned()]),
    );

    let mut writers = Vec::new();
    for w in 0..WRITERS {
        let pool = pool.clone();
        writers.push(tokio::spawn(async move {
            for i in 0..COMMANDS {
                // even commands go to a stream shared by all writers, odd ones to the writer's
                // own, of another kind for odd writers
                let stream = if i % 2 == 0 {
                    "ticker-shared".to_owned()
                } else if w % 2 == 0 {
                    format!("ticker-{w}")
                } else {
                    format!("tocker-{w}")
                };
                append_one(&pool, &stream, w * COMMANDS + i).await;
            }
        }));
    }
    for writer in writers {
        writer.await.unwrap();
    }
    done.store(true, Ordering::SeqCst);
    let seen = reader.await.unwrap();
    let tickers = ticker_reader.await.unwrap();

    let total: i64 = sqlx::query_scalar("SELECT count(*) FROM events")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(total, WRITERS * COMMANDS);
    assert_eq!(seen.len() as i64, total, "the reader saw every event");
    // exactly once and in global order
    assert!(seen.windows(2).all(|w| w[0].position < w[1].position));
    let mut payloads: Vec<i64> = seen
        .iter()
        .map(|e| e.payload["n"].as_i64().unwrap())
        .collect();
    payloads.sort_unstable();
    assert_eq!(payloads, (0..WRITERS * COMMANDS).collect::<Vec<_>>());
    // each stream's versions arrive as 1, 2, 3, ... with no gap
    let mut last_version: HashMap<&str, i64> = HashMap::new();
    for e in &seen {
        let last = last_version.entry(e.stream_id.as_str()).or_insert(0);
        assert_eq!(e.version, *last + 1, "stream {} out of order", e.stream_id);
        *last = e.version;
    }
    assert_eq!(last_version["ticker-shared"], WRITERS * COMMANDS / 2);
    // the reader of one kind saw exactly that kind's events, once and in order
    let expected: Vec<i64> = seen
        .iter()
        .filter(|e| e.stream_type == "ticker")
        .map(|e| e.position)
        .collect();
    assert_eq!(expected.len() as i64, WRITERS * COMMANDS * 3 / 4);
    assert_eq!(
        tickers.iter().map(|e| e.position).collect::<Vec<_>>(),
        expected
    );
}

/// Follow the log with `reader` until `done` and one more empty pass.
fn follow(
    pool: PgPool,
    done: Arc<AtomicBool>,
    mut reader: LogReader,
) -> tokio::task::JoinHandle<Vec<kenpo_infrastructure::event_store::StoredEvent>> {
    tokio::spawn(async move {
        let upcasters = Upcasters::default();
        let mut seen = Vec::new();
        loop {
            let finished = done.load(Ordering::SeqCst);
            let batch = reader.next_batch(&pool, &upcasters).await.unwrap();
            if batch.is_empty() && finished {
                // one more pass after the writers stopped, to catch the tail
                let tail = reader.next_batch(&pool, &upcasters).await.unwrap();
                if tail.is_empty() {
                    break;
                }
                seen.extend(tail);
                continue;
            }
            seen.extend(batch);
        }
        seen
    })
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn events_cannot_be_updated_deleted_or_truncated(pool: PgPool) {
    append_one(&pool, "ticker-a", 1).await;
    for sql in [
        "UPDATE events SET payload = '{}'",
        "DELETE FROM events",
        "TRUNCATE events CASCADE",
    ] {
        let error = sqlx::query(sql).execute(&pool).await.unwrap_err();
        assert!(
            error.to_string().contains("events are immutable"),
            "{sql} was not refused: {error}"
        );
    }
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM events")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(count, 1);
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn a_stale_expected_version_is_refused_and_writes_nothing(pool: PgPool) {
    append_one(&pool, "ticker-a", 1).await;
    append_one(&pool, "ticker-a", 2).await;
    let mut tx = event_store::begin_command(&pool).await.unwrap();
    let error = event_store::append(
        &mut tx,
        "ticker-a",
        "ticker",
        ExpectedVersion::Exact(1),
        &[event(3)],
    )
    .await
    .unwrap_err();
    assert!(matches!(
        error,
        EventStoreError::WrongExpectedVersion {
            expected: 1,
            actual: 2,
            ..
        }
    ));
    drop(tx);
    let mut tx = event_store::begin_command(&pool).await.unwrap();
    let error = event_store::append(
        &mut tx,
        "ticker-a",
        "ticker",
        ExpectedVersion::NoStream,
        &[event(3)],
    )
    .await
    .unwrap_err();
    assert!(matches!(error, EventStoreError::StreamAlreadyExists(_)));
    drop(tx);
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM events")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(count, 2);
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn a_rolled_back_append_leaves_no_event_and_the_reader_passes_its_position(pool: PgPool) {
    let first = append_one(&pool, "ticker-a", 1).await;
    let mut tx = event_store::begin_command(&pool).await.unwrap();
    event_store::append(
        &mut tx,
        "ticker-b",
        "ticker",
        ExpectedVersion::NoStream,
        &[event(2)],
    )
    .await
    .unwrap();
    tx.rollback().await.unwrap();
    let third = append_one(&pool, "ticker-c", 3).await;
    assert!(third > first + 1, "the rolled-back append drew a position");
    let mut reader = LogReader::new(0, 10);
    let events = reader
        .next_batch(&pool, &Upcasters::default())
        .await
        .unwrap();
    assert_eq!(
        events.iter().map(|e| e.position).collect::<Vec<_>>(),
        vec![first, third]
    );
    assert!(reader
        .next_batch(&pool, &Upcasters::default())
        .await
        .unwrap()
        .is_empty());
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn an_acquisition_stored_in_version_1_is_read_as_the_current_version(pool: PgPool) {
    use kenpo_domain::qualification::PersonEvent;
    // A 資格取得 as written under the layout before 令和7年5月7日: one `address` and a
    // `postal_code`, no resident/contact split, event_version 1.0.
    let person = Uuid::now_v7();
    let v1 = json!({ "QualificationAcquired": {
        "person_id": person, "category": "compulsory", "acquired_on": "2019-04-01",
        "reason": { "kind": "employment" }, "received_on": "2019-04-03",
        "name": "山田 太郎", "kana": "ヤマダ タロウ", "sex": "male", "birth_date": "1980-04-01",
        "address": "東京都千代田区千代田1-1", "postal_code": "100-0001",
        "phone": null, "affiliation_code": null, "employee_number": null,
        "identification": { "office_code": "1234", "symbol": "100", "number": "1", "branch": "00", "relationship_code": "0" },
        "monthly_remuneration": 300000,
        "standard_remuneration": { "grade": 22, "amount": 300000 },
        "scheduled_loss_on": "2055-04-01", "late_application_reason": null
    }});
    let mut tx = event_store::begin_command(&pool).await.unwrap();
    let old = NewEvent {
        event_id: Uuid::now_v7(),
        event_type: "QualificationAcquired".to_owned(),
        event_version: "1.0".to_owned(),
        payload: v1,
        metadata: EventMetadata::system("legacy-migration"),
    };
    let stream = format!("person-{person}");
    event_store::append(
        &mut tx,
        &stream,
        "person",
        ExpectedVersion::NoStream,
        &[old],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let upcasters = kenpo_api::startup::upcasters();
    let mut conn = pool.acquire().await.unwrap();
    let stored = event_store::read_stream(&mut conn, &stream, &upcasters)
        .await
        .unwrap();
    // cqrs-es writes the upcast version in full semantic form
    assert_eq!(stored[0].event_version, "2.0.0");
    let event: PersonEvent = stored[0].domain_event().unwrap();
    let PersonEvent::QualificationAcquired(acquired) = event else {
        panic!("wrong event")
    };
    assert_eq!(
        acquired.resident_address.as_str(),
        "〒100-0001 東京都千代田区千代田1-1"
    );
    assert_eq!(acquired.contact_address, None);
    // the stored row itself is untouched
    let raw: serde_json::Value =
        sqlx::query_scalar("SELECT payload FROM events WHERE stream_id = $1")
            .bind(&stream)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(
        raw["QualificationAcquired"]["address"],
        "東京都千代田区千代田1-1"
    );
}

/// A pool whose every connection acts as the application role `kenpo_app` (what
/// `kenpo serve` connects as: issue 8, item 4).
async fn application_role_pool(pool: &PgPool) -> PgPool {
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'kenpo_app')")
            .fetch_one(pool)
            .await
            .unwrap();
    assert!(exists, "the application role kenpo_app does not exist");
    sqlx::postgres::PgPoolOptions::new()
        .max_connections(2)
        .after_connect(|conn, _| {
            Box::pin(async move {
                sqlx::Executor::execute(&mut *conn, "SET ROLE kenpo_app").await?;
                Ok(())
            })
        })
        .connect_with(pool.connect_options().as_ref().clone())
        .await
        .expect("connect as kenpo_app")
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn the_application_role_appends_and_reads_events_but_cannot_rewrite_history(pool: PgPool) {
    let app = application_role_pool(&pool).await;
    // the real append path and the real reader work
    let position = append_one(&app, "ticker-a", 1).await;
    let events = LogReader::new(0, 10)
        .next_batch(&app, &Upcasters::default())
        .await
        .unwrap();
    assert_eq!(
        events.iter().map(|e| e.position).collect::<Vec<_>>(),
        vec![position]
    );
    // nothing that changes or removes an event, or the triggers that guard them
    for sql in [
        "UPDATE events SET payload = '{}'",
        "DELETE FROM events",
        "TRUNCATE events",
        "ALTER TABLE events DISABLE TRIGGER ALL",
        "ALTER TABLE events DISABLE TRIGGER events_no_update",
        "DROP TRIGGER events_no_update ON events",
        "DROP TABLE events CASCADE",
        "ALTER TABLE events OWNER TO kenpo_app",
        "CREATE OR REPLACE FUNCTION events_are_immutable() RETURNS trigger \
         LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$",
    ] {
        let error = sqlx::query(sql).execute(&app).await.unwrap_err();
        let code = error.as_database_error().and_then(|e| e.code());
        assert_eq!(
            code.as_deref(),
            Some("42501"),
            "`{sql}` as kenpo_app: expected insufficient_privilege, got {error}"
        );
        let message = error.to_string();
        assert!(
            message.contains("permission denied") || message.contains("must be owner"),
            "`{sql}`: {message}"
        );
    }
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM events")
        .fetch_one(&app)
        .await
        .unwrap();
    assert_eq!(count, 1);
    let enabled_triggers: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'events'::regclass
           AND tgname IN ('events_no_update', 'events_no_delete', 'events_no_truncate')
           AND tgenabled = 'O'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(enabled_triggers, 3);
}

/// What `kenpo_app` may do on each table of the public schema. A new table must be granted in
/// its migration (see 20261207000001_application_role.sql) and declared here; append-only
/// tables get SELECT and INSERT only.
const APPLICATION_ROLE_PRIVILEGES: &[(&str, &str)] = &[
    ("_sqlx_migrations", "SELECT"),
    ("benefit_claims", "SELECT INSERT UPDATE"),
    ("chain_checkpoints", "SELECT INSERT"),
    ("employer_accounts", "SELECT INSERT"),
    ("employer_notices", "SELECT INSERT UPDATE"),
    ("erasure_ledger", "SELECT INSERT"),
    ("erasure_proofs", "SELECT INSERT"),
    ("event_chain", "SELECT INSERT"),
    ("key_check_values", "SELECT INSERT"),
    ("key_destructions", "SELECT INSERT"),
    ("events", "SELECT INSERT"),
    ("idempotency_keys", "SELECT INSERT DELETE"),
    ("medical_certificates", "SELECT INSERT UPDATE"),
    ("members", "SELECT INSERT UPDATE"),
    ("my_number_access_log", "SELECT INSERT"),
    ("my_number_elevations", "SELECT INSERT UPDATE"),
    ("my_number_index", "SELECT INSERT UPDATE DELETE"),
    ("my_number_status", "SELECT INSERT UPDATE"),
    ("parameters", "SELECT INSERT DELETE"),
    ("payment_batches", "SELECT INSERT UPDATE"),
    ("personal_data_access_log", "SELECT INSERT"),
    ("premium_accounts", "SELECT INSERT UPDATE"),
    ("premium_ledger", "SELECT INSERT UPDATE"),
    ("premium_receipt_imports", "SELECT INSERT UPDATE"),
    ("premium_receipt_lines", "SELECT INSERT"),
    ("premium_refunds", "SELECT INSERT UPDATE"),
    ("projection_checkpoints", "SELECT"),
    ("staff_accounts", "SELECT INSERT UPDATE"),
    ("streams", "SELECT INSERT UPDATE"),
    ("subject_keys", "SELECT INSERT UPDATE DELETE"),
];

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn the_application_role_owns_nothing_and_has_exactly_the_declared_privileges(pool: PgPool) {
    let (login, superuser, create_role, create_db, bypass_rls): (bool, bool, bool, bool, bool) =
        sqlx::query_as(
            "SELECT rolcanlogin, rolsuper, rolcreaterole, rolcreatedb, rolbypassrls
             FROM pg_roles WHERE rolname = 'kenpo_app'",
        )
        .fetch_one(&pool)
        .await
        .expect("the role kenpo_app exists");
    assert!(!(login || superuser || create_role || create_db || bypass_rls));

    let owned: Vec<String> = sqlx::query_scalar(
        "SELECT 'relation ' || oid::regclass::text FROM pg_class
           WHERE relowner = 'kenpo_app'::regrole
         UNION ALL SELECT 'function ' || oid::regprocedure::text FROM pg_proc
           WHERE proowner = 'kenpo_app'::regrole
         UNION ALL SELECT 'schema ' || nspname FROM pg_namespace
           WHERE nspowner = 'kenpo_app'::regrole
         UNION ALL SELECT 'type ' || oid::regtype::text FROM pg_type
           WHERE typowner = 'kenpo_app'::regrole
         UNION ALL SELECT 'database ' || datname FROM pg_database
           WHERE datdba = 'kenpo_app'::regrole",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert!(owned.is_empty(), "kenpo_app owns {owned:?}");

    // Effective privileges (through membership and PUBLIC too) on every table and view.
    let tables: Vec<(String, String)> = sqlx::query_as(
        "SELECT c.relname::text,
                concat_ws(' ',
                    CASE WHEN has_table_privilege('kenpo_app', c.oid, 'SELECT') THEN 'SELECT' END,
                    CASE WHEN has_table_privilege('kenpo_app', c.oid, 'INSERT') THEN 'INSERT' END,
                    CASE WHEN has_table_privilege('kenpo_app', c.oid, 'UPDATE') THEN 'UPDATE' END,
                    CASE WHEN has_table_privilege('kenpo_app', c.oid, 'DELETE') THEN 'DELETE' END,
                    CASE WHEN has_table_privilege('kenpo_app', c.oid, 'TRUNCATE') THEN 'TRUNCATE' END,
                    CASE WHEN has_table_privilege('kenpo_app', c.oid, 'REFERENCES') THEN 'REFERENCES' END,
                    CASE WHEN has_table_privilege('kenpo_app', c.oid, 'TRIGGER') THEN 'TRIGGER' END)
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
         ORDER BY 1",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let actual: HashMap<&str, &str> = tables
        .iter()
        .map(|(table, privileges)| (table.as_str(), privileges.as_str()))
        .collect();
    let declared: HashMap<&str, &str> = APPLICATION_ROLE_PRIVILEGES.iter().copied().collect();
    let mut wrong: Vec<String> = actual
        .iter()
        .filter(|(table, privileges)| declared.get(*table) != Some(*privileges))
        .map(|(table, privileges)| {
            format!(
                "{table}: kenpo_app has [{privileges}], declared [{}]",
                declared
                    .get(table)
                    .copied()
                    .unwrap_or("(table not declared)")
            )
        })
        .collect();
    wrong.extend(
        declared
            .keys()
            .filter(|table| !actual.contains_key(*table))
            .map(|table| format!("{table}: declared but not in the schema")),
    );
    wrong.sort();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));

    // Sequences: nextval(), and reading the last position drawn (the high-water mark); never
    // setval().
    let sequences: Vec<(String, String)> = sqlx::query_as(
        "SELECT c.relname::text,
                concat_ws(' ',
                    CASE WHEN has_sequence_privilege('kenpo_app', c.oid, 'USAGE') THEN 'USAGE' END,
                    CASE WHEN has_sequence_privilege('kenpo_app', c.oid, 'SELECT') THEN 'SELECT' END,
                    CASE WHEN has_sequence_privilege('kenpo_app', c.oid, 'UPDATE') THEN 'UPDATE' END)
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'public' AND c.relkind = 'S' ORDER BY 1",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(
        sequences,
        [
            ("erasure_ledger_ledger_seq_seq", "USAGE"),
            ("event_position_seq", "USAGE SELECT"),
            ("my_number_access_log_seq_seq", "USAGE"),
            ("personal_data_access_log_seq_seq", "USAGE"),
        ]
        .map(|(sequence, privileges)| (sequence.to_owned(), privileges.to_owned()))
    );

    // No objects of its own: it may not create in the schema.
    let create: bool =
        sqlx::query_scalar("SELECT has_schema_privilege('kenpo_app', 'public', 'CREATE')")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert!(!create, "kenpo_app may create objects in the public schema");
}

/// Run `sql` on `conn` with the user triggers of `table` disabled, as a superuser tampering
/// with the log would (ADR 0005 §4), and re-enable them.
async fn tamper(conn: &mut sqlx::PgConnection, table: &str, sql: &str) {
    sqlx::query(&format!("ALTER TABLE {table} DISABLE TRIGGER USER"))
        .execute(&mut *conn)
        .await
        .unwrap();
    sqlx::query(sql).execute(&mut *conn).await.unwrap();
    sqlx::query(&format!("ALTER TABLE {table} ENABLE TRIGGER USER"))
        .execute(&mut *conn)
        .await
        .unwrap();
}

fn broken(position: i64, kind: chain::FailureKind) -> chain::Verdict {
    chain::Verdict::Broken(chain::ChainFailure { position, kind })
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn the_chain_covers_every_event_over_gaps_and_survives_a_destroyed_key(pool: PgPool) {
    let app = application_role_pool(&pool).await;
    let first = append_one(&app, "ticker-a", 1).await;
    // a rolled-back append leaves a gap the chain passes over
    let mut tx = event_store::begin_command(&app).await.unwrap();
    event_store::append(
        &mut tx,
        "ticker-b",
        "ticker",
        ExpectedVersion::NoStream,
        &[event(2)],
    )
    .await
    .unwrap();
    tx.rollback().await.unwrap();
    // a person's sealed value, whose data key is destroyed below
    let person = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO subject_keys (person_id, key_id, kek_version, wrapped_dek) \
         VALUES ($1, $2, 1, decode(repeat('ab', 61), 'hex'))",
    )
    .bind(person)
    .bind(Uuid::now_v7())
    .execute(&app)
    .await
    .unwrap();
    let sealed = append_one(&app, &format!("my_number-{person}"), 3).await;

    // the service role chains and verifies: its grants suffice
    let progress = chain::chain_up_to_high_water_mark(&app, 1).await.unwrap();
    assert_eq!(
        progress,
        chain::ChainProgress {
            chained: 2,
            head: sealed
        }
    );
    let rows: Vec<(i64, Vec<u8>, Vec<u8>)> =
        sqlx::query_as("SELECT position, hash, prev_hash FROM event_chain ORDER BY position")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(
        rows.iter().map(|r| r.0).collect::<Vec<_>>(),
        vec![first, sealed]
    );
    assert_eq!(rows[0].2, vec![0u8; 32]);
    assert_eq!(rows[1].2, rows[0].1, "the gap is chained over");

    // a new event is the unchained tail until the chainer runs again
    let tail = append_one(&app, "ticker-a", 4).await;
    let mut conn = app.acquire().await.unwrap();
    assert_eq!(
        chain::verify(&mut conn, 0).await.unwrap(),
        chain::Verdict::Intact(chain::ChainSummary {
            events_checked: 2,
            head: sealed,
            unchained: 1
        })
    );
    drop(conn);
    let progress = chain::chain_up_to_high_water_mark(&app, 100).await.unwrap();
    assert_eq!((progress.chained, progress.head), (1, tail));

    // crypto-shredding deletes the key row; no hashed byte changes
    sqlx::query("DELETE FROM subject_keys WHERE person_id = $1")
        .bind(person)
        .execute(&app)
        .await
        .unwrap();
    let mut conn = app.acquire().await.unwrap();
    assert_eq!(
        chain::verify(&mut conn, 0).await.unwrap(),
        chain::Verdict::Intact(chain::ChainSummary {
            events_checked: 3,
            head: tail,
            unchained: 0
        })
    );
    // from a later position, linked to the stored hash before it
    assert_eq!(
        chain::verify(&mut conn, sealed).await.unwrap(),
        chain::Verdict::Intact(chain::ChainSummary {
            events_checked: 2,
            head: tail,
            unchained: 0
        })
    );
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn each_tamper_with_the_log_is_reported_at_its_exact_position(pool: PgPool) {
    let mut positions = Vec::new();
    for n in 1..=6 {
        positions.push(append_one(&pool, &format!("ticker-{}", n % 2), n).await);
    }
    chain::chain_up_to_high_water_mark(&pool, 100)
        .await
        .unwrap();
    let (p2, p3, p4, p5) = (positions[1], positions[2], positions[3], positions[4]);
    let mut su = pool.acquire().await.unwrap();
    let intact = chain::verify(&mut su, 0).await.unwrap();
    assert!(matches!(intact, chain::Verdict::Intact(s) if s.events_checked == 6));

    // one payload byte: {"n": 3} -> {"n": 8}
    tamper(
        &mut su,
        "events",
        &format!("UPDATE events SET payload = '{{\"n\": 8}}' WHERE position = {p3}"),
    )
    .await;
    assert_eq!(
        chain::verify(&mut su, 0).await.unwrap(),
        broken(p3, chain::FailureKind::Changed)
    );
    tamper(
        &mut su,
        "events",
        &format!("UPDATE events SET payload = '{{\"n\": 3}}' WHERE position = {p3}"),
    )
    .await;
    assert_eq!(chain::verify(&mut su, 0).await.unwrap(), intact);

    // a deleted row
    sqlx::query(&format!(
        "CREATE TEMP TABLE saved AS SELECT * FROM events WHERE position = {p4}"
    ))
    .execute(&mut *su)
    .await
    .unwrap();
    tamper(
        &mut su,
        "events",
        &format!("DELETE FROM events WHERE position = {p4}"),
    )
    .await;
    assert_eq!(
        chain::verify(&mut su, 0).await.unwrap(),
        broken(p4, chain::FailureKind::Missing)
    );
    tamper(&mut su, "events", "INSERT INTO events SELECT * FROM saved").await;
    assert_eq!(chain::verify(&mut su, 0).await.unwrap(), intact);

    // two rows' payloads swapped: reported at the first
    let swap = format!(
        "UPDATE events e SET payload = o.payload FROM events o \
          WHERE (e.position, o.position) IN (({p2}, {p5}), ({p5}, {p2}))"
    );
    tamper(&mut su, "events", &swap).await;
    assert_eq!(
        chain::verify(&mut su, 0).await.unwrap(),
        broken(p2, chain::FailureKind::Changed)
    );
    tamper(&mut su, "events", &swap).await;
    assert_eq!(chain::verify(&mut su, 0).await.unwrap(), intact);

    // a chain row that no longer links to its predecessor
    tamper(
        &mut su,
        "event_chain",
        &format!("UPDATE event_chain SET prev_hash = hash WHERE position = {p4}"),
    )
    .await;
    assert_eq!(
        chain::verify(&mut su, 0).await.unwrap(),
        broken(p4, chain::FailureKind::Reordered)
    );
    tamper(
        &mut su,
        "event_chain",
        &format!(
            "UPDATE event_chain SET prev_hash = \
               (SELECT hash FROM event_chain WHERE position = {p3}) WHERE position = {p4}"
        ),
    )
    .await;
    assert_eq!(chain::verify(&mut su, 0).await.unwrap(), intact);

    // an event where the chain passed over a gap
    tamper(
        &mut su,
        "event_chain",
        &format!("DELETE FROM event_chain WHERE position = {p5}"),
    )
    .await;
    assert_eq!(
        chain::verify(&mut su, 0).await.unwrap(),
        broken(p5, chain::FailureKind::Inserted)
    );
}

/// A directory of this test's own, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(what: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("kenpo-test-{what}-{}", Uuid::now_v7()));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A signing key of a key directory of its own (as `kenpo serve` creates it).
fn signing_key(keys: &Path) -> FileSigningKey {
    FileSigningKey::open_or_create_with_env(keys, None)
        .unwrap()
        .0
}

/// Verify the whole log with the checkpoints of the table and of `dir`, trusting `key`.
async fn verify_with_checkpoints(
    pool: &PgPool,
    dir: Option<&Path>,
    key: &dyn Signer,
) -> Verification {
    let mut conn = pool.acquire().await.unwrap();
    checkpoint::verify(&mut conn, 0, dir, &[key.public_key()], &mut |_| {})
        .await
        .unwrap()
}

/// The failure's position and kind (the detail is checked where it matters).
fn failure_of(verification: &Verification) -> Option<(i64, chain::FailureKind)> {
    verification.failure.as_ref().map(|f| (f.position, f.kind))
}

async fn chain_and_checkpoint(pool: &PgPool, key: &dyn Signer, dir: &Path) -> Checkpoint {
    chain::chain_up_to_high_water_mark(pool, 100).await.unwrap();
    checkpoint::take(pool, key, dir)
        .await
        .unwrap()
        .expect("the head moved: a checkpoint is taken")
        .checkpoint
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn a_tail_cut_after_a_checkpoint_is_reported_where_the_cut_begins(pool: PgPool) {
    let app = application_role_pool(&pool).await;
    let (keys, dir) = (TempDir::new("keys"), TempDir::new("checkpoints"));
    let key = signing_key(&keys.0);
    // a person's sealed value, whose data key is erased below
    let person = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO subject_keys (person_id, key_id, kek_version, wrapped_dek) \
         VALUES ($1, $2, 1, decode(repeat('ab', 61), 'hex'))",
    )
    .bind(person)
    .bind(Uuid::now_v7())
    .execute(&app)
    .await
    .unwrap();
    let mut positions = vec![append_one(&app, &format!("my_number-{person}"), 1).await];
    for n in 2..=6 {
        positions.push(append_one(&app, "ticker-a", n).await);
    }
    // the service role takes the checkpoint: its grants suffice
    let taken = chain_and_checkpoint(&app, &key, &dir.0).await;
    assert_eq!(taken.position, positions[5]);
    let file = dir.0.join(checkpoint::file_name(positions[5]));
    assert_eq!(
        Checkpoint::from_json(&std::fs::read_to_string(&file).unwrap()),
        Ok(taken.clone())
    );
    // the head has not moved: nothing new is signed
    assert!(checkpoint::take(&app, &key, &dir.0)
        .await
        .unwrap()
        .is_none());

    // erasing the person's key (crypto-shredding) changes no chained or signed byte
    sqlx::query("DELETE FROM subject_keys WHERE person_id = $1")
        .bind(person)
        .execute(&app)
        .await
        .unwrap();
    assert_eq!(
        verify_with_checkpoints(&app, Some(&dir.0), &key).await,
        Verification {
            events_checked: Some(6),
            head: Some(positions[5]),
            unchained: Some(0),
            checkpoints_checked: 1,
            failure: None,
        }
    );

    // cut the tail: the last three events and their chain rows; the plain chain still verifies
    let cut = positions[3];
    let mut su = pool.acquire().await.unwrap();
    tamper(
        &mut su,
        "events",
        &format!("DELETE FROM events WHERE position >= {cut}"),
    )
    .await;
    tamper(
        &mut su,
        "event_chain",
        &format!("DELETE FROM event_chain WHERE position >= {cut}"),
    )
    .await;
    assert!(matches!(
        chain::verify(&mut su, 0).await.unwrap(),
        chain::Verdict::Intact(summary) if summary.head == positions[2]
    ));
    let verification = verify_with_checkpoints(&app, Some(&dir.0), &key).await;
    assert_eq!(
        failure_of(&verification),
        Some((cut, chain::FailureKind::Truncated))
    );

    // the table's row deleted too: the file outside the database still tells
    tamper(
        &mut su,
        "chain_checkpoints",
        "DELETE FROM chain_checkpoints",
    )
    .await;
    let verification = verify_with_checkpoints(&app, Some(&dir.0), &key).await;
    assert_eq!(
        failure_of(&verification),
        Some((cut, chain::FailureKind::Truncated))
    );
    // without the directory nothing is left to tell
    assert!(verify_with_checkpoints(&app, None, &key).await.is_ok());
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn a_chain_rewritten_after_a_checkpoint_is_reported_at_the_next_checkpoint(pool: PgPool) {
    let (keys, dir) = (TempDir::new("keys"), TempDir::new("checkpoints"));
    let key = signing_key(&keys.0);
    let mut positions = Vec::new();
    for n in 1..=3 {
        positions.push(append_one(&pool, "ticker-a", n).await);
    }
    let first = chain_and_checkpoint(&pool, &key, &dir.0).await;
    for n in 4..=6 {
        positions.push(append_one(&pool, "ticker-a", n).await);
    }
    let second = chain_and_checkpoint(&pool, &key, &dir.0).await;
    assert_eq!(
        (first.position, second.position),
        (positions[2], positions[5])
    );
    let intact = verify_with_checkpoints(&pool, Some(&dir.0), &key).await;
    assert_eq!((intact.checkpoints_checked, intact.failure), (2, None));

    // change an event after the first checkpoint and recompute the chain from there
    let changed = positions[4];
    let mut su = pool.acquire().await.unwrap();
    tamper(
        &mut su,
        "events",
        &format!("UPDATE events SET payload = '{{\"n\": 50}}' WHERE position = {changed}"),
    )
    .await;
    tamper(
        &mut su,
        "event_chain",
        &format!(
            "DELETE FROM event_chain WHERE position > {}",
            first.position
        ),
    )
    .await;
    chain::chain_up_to_high_water_mark(&pool, 100)
        .await
        .unwrap();
    assert!(matches!(
        chain::verify(&mut su, 0).await.unwrap(),
        chain::Verdict::Intact(summary) if summary.events_checked == 6
    ));

    let verification = verify_with_checkpoints(&pool, Some(&dir.0), &key).await;
    assert_eq!(
        failure_of(&verification),
        Some((second.position, chain::FailureKind::Rewritten))
    );
    assert_eq!(verification.checkpoints_checked, 1);
    let detail = &verification.failure.as_ref().unwrap().detail;
    assert!(
        detail.contains(&format!(
            "last checkpoint that still matched is at position {}",
            first.position
        )),
        "{detail}"
    );
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn a_forged_disagreeing_or_foreign_checkpoint_fails_and_a_file_without_its_row_is_adopted(
    pool: PgPool,
) {
    let (keys, dir) = (TempDir::new("keys"), TempDir::new("checkpoints"));
    let key = signing_key(&keys.0);
    append_one(&pool, "ticker-a", 1).await;
    let head = append_one(&pool, "ticker-a", 2).await;
    let taken = chain_and_checkpoint(&pool, &key, &dir.0).await;
    let file = dir.0.join(checkpoint::file_name(head));
    let original = std::fs::read_to_string(&file).unwrap();

    // the file's head hash changed: its signature no longer verifies
    let hash = hex::encode(taken.head_hash);
    let flipped = format!(
        "{}{}",
        if hash.starts_with('0') { '1' } else { '0' },
        &hash[1..]
    );
    std::fs::write(&file, original.replace(&hash, &flipped)).unwrap();
    let verification = verify_with_checkpoints(&pool, Some(&dir.0), &key).await;
    assert_eq!(
        failure_of(&verification),
        Some((head, chain::FailureKind::BadSignature))
    );

    // validly signed, but not what the table holds for that position
    let resigned = Checkpoint::sign(head, taken.head_hash, &key);
    assert_ne!(resigned, taken);
    std::fs::write(&file, resigned.to_json()).unwrap();
    let verification = verify_with_checkpoints(&pool, Some(&dir.0), &key).await;
    assert_eq!(
        failure_of(&verification),
        Some((head, chain::FailureKind::CheckpointMismatch))
    );

    // the original file again; a verifier that trusts another key only
    std::fs::write(&file, &original).unwrap();
    assert!(verify_with_checkpoints(&pool, Some(&dir.0), &key)
        .await
        .is_ok());
    let other = TempDir::new("other-keys");
    let stranger = signing_key(&other.0);
    let verification = verify_with_checkpoints(&pool, Some(&dir.0), &stranger).await;
    assert_eq!(
        failure_of(&verification),
        Some((head, chain::FailureKind::UntrustedKey))
    );

    // a crash between the file and the row: the next checkpoint adopts the file, signs nothing
    let mut su = pool.acquire().await.unwrap();
    tamper(
        &mut su,
        "chain_checkpoints",
        "DELETE FROM chain_checkpoints",
    )
    .await;
    let adopted = checkpoint::take(&pool, &key, &dir.0)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(adopted.checkpoint, taken);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), original);
    let verification = verify_with_checkpoints(&pool, Some(&dir.0), &key).await;
    assert_eq!(
        (verification.checkpoints_checked, verification.failure),
        (1, None)
    );
    // a file that is not this head's is never overwritten
    tamper(
        &mut su,
        "chain_checkpoints",
        "DELETE FROM chain_checkpoints",
    )
    .await;
    std::fs::write(&file, resigned.to_json().replace(&hash, &flipped)).unwrap();
    assert!(matches!(
        checkpoint::take(&pool, &key, &dir.0).await,
        Err(checkpoint::CheckpointError::Existing { .. })
    ));
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn the_auditor_verifies_the_log_over_http_and_no_one_else_may(pool: PgPool) {
    let app = common::spawn_app(pool).await;
    chain::chain_up_to_high_water_mark(&app.pool, 100)
        .await
        .unwrap();
    let events: i64 = sqlx::query_scalar("SELECT count(*) FROM events")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let auditor = app.token("audit1", &[kenpo_api::auth::Role::Auditor]);
    let (status, body) = app.get_json("/api/v1/audit/verification", &auditor).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "ok", "{body}");
    assert_eq!(body["events_checked"], events, "{body}");
    assert_eq!(body["failure"], serde_json::Value::Null, "{body}");

    let (status, body) = app
        .get_json("/api/v1/audit/verification?from=-1", &auditor)
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("invalid_query")),
        "{body}"
    );
    let (status, _) = app
        .get_json("/api/v1/audit/verification", &app.clerk())
        .await;
    assert_eq!(status, 403);
}
