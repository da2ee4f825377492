//! `kenpo bench chain`: what the hash chain costs (ハッシュチェーン, ADR 0005 §1, issue 10) — a
//! benchmark, not a test. Every figure is printed next to an anchor measured in the same run on
//! the same PostgreSQL, so the ratios mean something on any machine:
//!
//! - **appends/s** of single-event commands through the real append path
//!   ([`event_store::begin_command`] + [`event_store::append`]), `writers` concurrent writers for
//!   `seconds`, with a chainer running and without, alternating for `rounds` rounds; the
//!   chainer's lag when the writers stop. Anchors: `pgbench` one-row INSERT into a plain table
//!   (the floor), and Message DB's `write_message` when `--message-db DIR` is given.
//! - **chaining** and **verification** events/s over `events` events put in the log by bulk
//!   INSERT ... SELECT. Anchors: an in-database scan that renders the same text (`payload::text`,
//!   `metadata::text`), and `COPY (SELECT <the columns verify reads>) TO STDOUT` read by this
//!   client: the cost of merely reading the bytes.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use futures::TryStreamExt;
use kenpo_infrastructure::event_store::{self, chain, EventMetadata, ExpectedVersion, NewEvent};
use serde_json::{json, Value};
use sqlx::postgres::PgConnectOptions;
use sqlx::PgPool;
use uuid::Uuid;

use crate::database::Database;

/// What `kenpo bench chain` runs.
#[derive(Debug, Clone)]
pub struct ChainBenchOptions {
    /// Concurrent writers in every append phase.
    pub writers: usize,
    /// Seconds of each append phase (and of each anchor).
    pub seconds: u64,
    /// Rounds of (chain off, chain on) append phases; the order alternates between rounds.
    pub rounds: usize,
    /// Pause of the bench's chainer between two runs of `chain_up_to_high_water_mark`.
    pub chain_every: Duration,
    /// Events bulk-inserted for the chaining and verification figures.
    pub events: i64,
    /// Events per chainer query (as `kenpo serve`).
    pub batch: i64,
    /// Message DB's `database` directory (npm package `@eventide/message-db`).
    pub message_db: Option<PathBuf>,
}

/// One measured figure of the summary table.
struct Row {
    name: String,
    figure: f64,
    unit: &'static str,
    ratio: String,
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    match values.len() {
        0 => 0.0,
        n if n % 2 == 1 => values[n / 2],
        n => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

fn list(values: &[f64]) -> String {
    values
        .iter()
        .map(|v| format!("{v:.0}"))
        .collect::<Vec<_>>()
        .join(", ")
}

pub async fn run(db: &Database, pool: PgPool, options: ChainBenchOptions) -> anyhow::Result<()> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("cores: {cores}");
    let mut rows = Vec::new();
    appends(db, &pool, &options, &mut rows).await?;
    chain_and_verify(&pool, &options, &mut rows).await?;
    println!();
    println!("cores: {cores}");
    println!("{:<44} {:>12}  {:<11} ratio", "name", "figure", "unit");
    for row in rows {
        println!(
            "{:<44} {:>12.0}  {:<11} {}",
            row.name, row.figure, row.unit, row.ratio
        );
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// appends

/// Metadata as the service writes it for a request (actor, role, address, terminal, ids).
fn request_metadata() -> EventMetadata {
    let request = Uuid::now_v7();
    EventMetadata {
        actor: "tanaka".to_owned(),
        role: "qualification".to_owned(),
        client_address: Some("192.0.2.10".to_owned()),
        terminal_id: Some("T-0042".to_owned()),
        request_id: request.to_string(),
        client_request_id: None,
        correlation_id: request,
        causation_id: request,
        recorded_at: chrono::Utc::now(),
        reason: None,
    }
}

fn acquisition_event(person: Uuid, n: u64) -> NewEvent {
    NewEvent {
        event_id: Uuid::now_v7(),
        event_type: "QualificationAcquired".to_owned(),
        event_version: "1.0".to_owned(),
        payload: json!({ "QualificationAcquired": super::bench::acquisition(person, n) }),
        metadata: request_metadata(),
    }
}

/// Events after the chain's head: what the chainer has still to do.
async fn chain_lag(pool: &PgPool) -> anyhow::Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT count(*) FROM events \
          WHERE position > (SELECT coalesce(max(position), 0) FROM event_chain)",
    )
    .fetch_one(pool)
    .await?)
}

struct AppendPhase {
    per_second: f64,
    /// Events not yet chained when the writers stopped (chain on only).
    lag: i64,
    chainer_runs: u64,
}

/// `writers` writers append one 資格取得 event per command (a new `person-…` stream each) for
/// `seconds`, with the bench's chainer running every `chain_every` when `chain_on`.
async fn append_phase(
    pool: &PgPool,
    options: &ChainBenchOptions,
    chain_on: bool,
) -> anyhow::Result<AppendPhase> {
    // the previous phase's backlog is chained before the clock starts
    chain::chain_up_to_high_water_mark(pool, options.batch).await?;
    let stop = Arc::new(AtomicBool::new(false));
    let chainer = chain_on.then(|| {
        let (pool, stop, every, batch) = (
            pool.clone(),
            stop.clone(),
            options.chain_every,
            options.batch,
        );
        tokio::spawn(async move {
            let mut runs = 0u64;
            while !stop.load(Ordering::Relaxed) {
                chain::chain_up_to_high_water_mark(&pool, batch).await?;
                runs += 1;
                tokio::time::sleep(every).await;
            }
            Ok::<u64, chain::ChainError>(runs)
        })
    });
    let started = Instant::now();
    let deadline = started + Duration::from_secs(options.seconds);
    let mut writers = Vec::new();
    for w in 0..options.writers {
        let pool = pool.clone();
        let step = options.writers as u64;
        writers.push(tokio::spawn(async move {
            let mut done = 0u64;
            let mut n = w as u64;
            while Instant::now() < deadline {
                let person = Uuid::now_v7();
                let event = acquisition_event(person, n);
                let mut tx = event_store::begin_command(&pool).await?;
                event_store::append(
                    &mut tx,
                    &format!("person-{person}"),
                    "person",
                    ExpectedVersion::NoStream,
                    std::slice::from_ref(&event),
                )
                .await?;
                tx.commit().await?;
                done += 1;
                n += step;
            }
            Ok::<u64, anyhow::Error>(done)
        }));
    }
    let mut appended = 0u64;
    for writer in writers {
        appended += writer.await??;
    }
    let seconds = started.elapsed().as_secs_f64();
    let lag = if chain_on { chain_lag(pool).await? } else { 0 };
    stop.store(true, Ordering::Relaxed);
    let chainer_runs = match chainer {
        Some(task) => task.await??,
        None => 0,
    };
    Ok(AppendPhase {
        per_second: appended as f64 / seconds,
        lag,
        chainer_runs,
    })
}

async fn appends(
    db: &Database,
    pool: &PgPool,
    options: &ChainBenchOptions,
    rows: &mut Vec<Row>,
) -> anyhow::Result<()> {
    println!(
        "appends: {} writers, {} s a phase, one event per command (a new stream each); \
         chain on = the bench's chainer runs chain_up_to_high_water_mark every {} ms",
        options.writers,
        options.seconds,
        options.chain_every.as_millis()
    );
    let (mut off, mut on, mut lags) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..options.rounds {
        // alternate the order so that neither phase always runs on the longer log
        let order = if round % 2 == 0 {
            [false, true]
        } else {
            [true, false]
        };
        for chain_on in order {
            let phase = append_phase(pool, options, chain_on).await?;
            if chain_on {
                println!(
                    "  round {}: chain on:  {:>8.0} appends/s; chainer runs: {}; lag when the writers stopped: {} events",
                    round + 1,
                    phase.per_second,
                    phase.chainer_runs,
                    phase.lag
                );
                on.push(phase.per_second);
                lags.push(phase.lag as f64);
            } else {
                println!(
                    "  round {}: chain off: {:>8.0} appends/s",
                    round + 1,
                    phase.per_second
                );
                off.push(phase.per_second);
            }
        }
    }
    let (off_median, on_median) = (median(off.clone()), median(on.clone()));
    println!(
        "  appends/s chain on: {} (median {on_median:.0}); off: {} (median {off_median:.0}); on/off = {:.3}",
        list(&on),
        list(&off),
        on_median / off_median.max(1e-9)
    );
    rows.push(Row {
        name: "kenpo append, chain off".to_owned(),
        figure: off_median,
        unit: "appends/s",
        ratio: "1.00 (the anchor of the next rows)".to_owned(),
    });
    rows.push(Row {
        name: format!(
            "kenpo append, chain on (every {} ms)",
            options.chain_every.as_millis()
        ),
        figure: on_median,
        unit: "appends/s",
        ratio: format!("{:.3} of chain off", on_median / off_median.max(1e-9)),
    });
    rows.push(Row {
        name: "chainer lag when the writers stopped".to_owned(),
        figure: median(lags),
        unit: "events",
        ratio: String::new(),
    });

    match pgbench_anchor(db, pool, options).await? {
        Ok(tps) => rows.push(Row {
            name: "pgbench one-row INSERT (plain table)".to_owned(),
            figure: tps,
            unit: "rows/s",
            ratio: format!(
                "kenpo chain off / this = {:.3}; chain on / this = {:.3}",
                off_median / tps.max(1e-9),
                on_median / tps.max(1e-9)
            ),
        }),
        Err(reason) => println!("  pgbench anchor skipped: {reason}"),
    }
    match &options.message_db {
        Some(dir) => {
            let per_second = message_db_anchor(db, dir, options).await?;
            rows.push(Row {
                name: "Message DB write_message".to_owned(),
                figure: per_second,
                unit: "messages/s",
                ratio: format!(
                    "kenpo chain off / this = {:.3}; chain on / this = {:.3}",
                    off_median / per_second.max(1e-9),
                    on_median / per_second.max(1e-9)
                ),
            });
        }
        None => println!(
            "  Message DB anchor skipped: no --message-db DIR (the `database` directory of the \
             npm package @eventide/message-db)"
        ),
    }
    Ok(())
}

/// How another program (pgbench) reaches the bench database: libpq environment variables.
fn libpq_environment(db: &Database, pool: &PgPool) -> Vec<(&'static str, String)> {
    let options = pool.connect_options();
    let host = match options.get_socket() {
        Some(dir) => dir.display().to_string(),
        None => options.get_host().to_owned(),
    };
    let mut env = vec![
        ("PGHOST", host),
        ("PGPORT", options.get_port().to_string()),
        ("PGUSER", options.get_username().to_owned()),
        ("PGDATABASE", "kenpo_bench".to_owned()),
    ];
    let password = match &db.embedded {
        Some(pg) => std::fs::read_to_string(
            pg.secrets_dir()
                .join(format!("postgres-{}.password", options.get_username())),
        )
        .ok()
        .map(|p| p.trim().to_owned()),
        None => std::env::var(crate::database::OWNER_URL_VAR)
            .ok()
            .filter(|url| !url.trim().is_empty())
            .or_else(|| std::env::var("DATABASE_URL").ok())
            .and_then(|url| url_password(&url)),
    };
    if let Some(password) = password {
        // handed to the child's environment only: never printed
        env.push(("PGPASSWORD", password));
    }
    env
}

/// The password of a `postgres://user:password@host/…` URL, percent-decoded.
fn url_password(url: &str) -> Option<String> {
    let rest = &url[url.find("://")? + 3..];
    let authority = &rest[..rest.find(['/', '?']).unwrap_or(rest.len())];
    let userinfo = &authority[..authority.rfind('@')?];
    let encoded = &userinfo[userinfo.find(':')? + 1..];
    let bytes = encoded.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let decoded = (bytes[i] == b'%')
            .then(|| encoded.get(i + 1..i + 3))
            .flatten()
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match decoded {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// The floor: `pgbench -n -c C -j 2 -T S` running a one-row INSERT of the same payload and
/// metadata into a plain table with a bigserial key. `Ok(Err(reason))`: skipped.
async fn pgbench_anchor(
    db: &Database,
    pool: &PgPool,
    options: &ChainBenchOptions,
) -> anyhow::Result<Result<f64, String>> {
    if let Err(e) = tokio::process::Command::new("pgbench")
        .arg("--version")
        .output()
        .await
    {
        return Ok(Err(format!("pgbench is not on PATH ({e})")));
    }
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS bench_plain (id bigserial PRIMARY KEY, stream_id text NOT NULL, \
         payload jsonb NOT NULL, metadata jsonb NOT NULL, \
         recorded_at timestamptz NOT NULL DEFAULT clock_timestamp())",
    )
    .execute(pool)
    .await?;
    // PostgreSQL's own text form (": " after keys, so pgbench sees no `:variable`)
    let event = acquisition_event(Uuid::now_v7(), 1);
    let (payload, metadata): (String, String) =
        sqlx::query_as("SELECT $1::jsonb::text, $2::jsonb::text")
            .bind(&event.payload)
            .bind(serde_json::to_value(&event.metadata)?)
            .fetch_one(pool)
            .await?;
    let script = format!(
        "INSERT INTO bench_plain (stream_id, payload, metadata) \
         VALUES ('person-' || gen_random_uuid(), '{}', '{}');\n",
        payload.replace('\'', "''"),
        metadata.replace('\'', "''")
    );
    let path = std::env::temp_dir().join(format!("kenpo-bench-chain-{}.sql", std::process::id()));
    std::fs::write(&path, script)?;
    let clients = options.writers.max(1);
    let output = tokio::process::Command::new("pgbench")
        .args(["-n", "-c", &clients.to_string()])
        .args(["-j", &clients.min(2).to_string()])
        .args(["-T", &options.seconds.to_string(), "-f"])
        .arg(&path)
        .envs(libpq_environment(db, pool))
        .output()
        .await
        .context("running pgbench")?;
    let _ = std::fs::remove_file(&path);
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        return Ok(Err(format!(
            "pgbench failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    // "tps = 1234.5 (without initial connection time)"
    let tps = stdout
        .lines()
        .filter_map(|line| line.trim().strip_prefix("tps = "))
        .filter_map(|rest| rest.split_whitespace().next()?.parse::<f64>().ok())
        .next_back();
    match tps {
        Some(tps) => {
            println!(
                "  pgbench one-row INSERT: {tps:.0} rows/s ({clients} clients, {} s)",
                options.seconds
            );
            Ok(Ok(tps))
        }
        None => Ok(Err(format!("no tps line in pgbench's output: {stdout}"))),
    }
}

/// Message DB's schema files in the order of its install.sh (install-functions.sh,
/// install-indexes.sh, install-views.sh). Its role and privilege files are not run: the bench
/// writes as the admin role and leaves no role behind in the cluster.
const MESSAGE_DB_FILES: &[&str] = &[
    "schema/message-store.sql",
    "extensions/pgcrypto.sql",
    "tables/messages.sql",
    "types/message.sql",
    "functions/message-store-version.sql",
    "functions/hash-64.sql",
    "functions/acquire-lock.sql",
    "functions/category.sql",
    "functions/is-category.sql",
    "functions/id.sql",
    "functions/cardinal-id.sql",
    "functions/stream-version.sql",
    "functions/write-message.sql",
    "functions/get-stream-messages.sql",
    "functions/get-category-messages.sql",
    "functions/get-last-stream-message.sql",
    "indexes/messages-id.sql",
    "indexes/messages-stream.sql",
    "indexes/messages-category.sql",
    "views/stream-summary.sql",
    "views/type-summary.sql",
    "views/stream-type-summary.sql",
    "views/type-stream-summary.sql",
    "views/category-type-summary.sql",
    "views/type-category-summary.sql",
];

/// Message DB's `write_message` in a database of its own (`kenpo_bench_mdb`): `writers`
/// writers, `seconds`, each message to a new `person-…` stream with expected version -1 (no
/// stream yet, as kenpo's NoStream), the same payload and metadata.
async fn message_db_anchor(
    db: &Database,
    dir: &Path,
    options: &ChainBenchOptions,
) -> anyhow::Result<f64> {
    sqlx::query("DROP DATABASE IF EXISTS kenpo_bench_mdb WITH (FORCE)")
        .execute(&db.pool)
        .await?;
    sqlx::query("CREATE DATABASE kenpo_bench_mdb")
        .execute(&db.pool)
        .await?;
    // Message DB's functions call each other unqualified: its schema comes first
    let connect: PgConnectOptions = db
        .pool
        .connect_options()
        .as_ref()
        .clone()
        .database("kenpo_bench_mdb")
        .options([("search_path", "message_store,public")]);
    let mdb = crate::database::pool_options(options.writers as u32 + 1)
        .connect_with(connect)
        .await?;
    for file in MESSAGE_DB_FILES {
        let path = dir.join(file);
        let sql = std::fs::read_to_string(&path)
            .with_context(|| format!("reading Message DB's {}", path.display()))?;
        sqlx::raw_sql(&sql)
            .execute(&mdb)
            .await
            .with_context(|| format!("installing Message DB's {file}"))?;
    }
    let started = Instant::now();
    let deadline = started + Duration::from_secs(options.seconds);
    let mut writers = Vec::new();
    for w in 0..options.writers {
        let mdb = mdb.clone();
        let step = options.writers as u64;
        writers.push(tokio::spawn(async move {
            let (mut done, mut n) = (0u64, w as u64);
            while Instant::now() < deadline {
                let person = Uuid::now_v7();
                let event = acquisition_event(person, n);
                let metadata: Value = serde_json::to_value(&event.metadata)?;
                sqlx::query("SELECT message_store.write_message($1, $2, $3, $4, $5, -1::bigint)")
                    .bind(event.event_id.to_string())
                    .bind(format!("person-{person}"))
                    .bind(&event.event_type)
                    .bind(&event.payload)
                    .bind(&metadata)
                    .execute(&mdb)
                    .await?;
                done += 1;
                n += step;
            }
            Ok::<u64, anyhow::Error>(done)
        }));
    }
    let mut written = 0u64;
    for writer in writers {
        written += writer.await??;
    }
    let per_second = written as f64 / started.elapsed().as_secs_f64();
    mdb.close().await;
    println!(
        "  Message DB write_message: {per_second:.0} messages/s ({} writers, {} s; every stream in category `person`, as kenpo's stream type)",
        options.writers, options.seconds
    );
    sqlx::query("DROP DATABASE IF EXISTS kenpo_bench_mdb WITH (FORCE)")
        .execute(&db.pool)
        .await?;
    Ok(per_second)
}

// ---------------------------------------------------------------------------------------------
// chaining and verification

/// Put `events` events in the log with set-based SQL: streams of five events each, payloads
/// shaped like a 資格取得 (~500 bytes of jsonb text), metadata like the service's.
async fn fill(pool: &PgPool, events: i64) -> anyhow::Result<()> {
    const PER_STREAM: i64 = 5;
    const STREAMS_A_STATEMENT: i64 = 20_000;
    let streams = (events + PER_STREAM - 1) / PER_STREAM;
    let mut first = 1;
    while first <= streams {
        let last = (first + STREAMS_A_STATEMENT - 1).min(streams);
        let mut tx = pool.begin().await?;
        sqlx::query(
            "INSERT INTO streams (stream_id, stream_type, version)
             SELECT 'person-' || md5('bench' || s)::uuid, 'person', $3
               FROM generate_series($1::bigint, $2::bigint) AS s",
        )
        .bind(first)
        .bind(last)
        .bind(PER_STREAM)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO events (position, event_id, stream_id, stream_type, version, event_type,
                                 event_version, payload, metadata)
             SELECT nextval('event_position_seq'), gen_random_uuid(),
                    'person-' || md5('bench' || s)::uuid, 'person', v,
                    (ARRAY['QualificationAcquired', 'NameChanged', 'AddressChanged',
                           'BonusReported', 'QualificationLost'])[v],
                    '1.0',
                    jsonb_build_object('QualificationAcquired', jsonb_build_object(
                        'person_id', md5('bench' || s)::uuid,
                        'category', 'compulsory',
                        'acquired_on', '2025-04-01',
                        'reason', jsonb_build_object('kind', 'employment'),
                        'received_on', '2025-04-03',
                        'name', '山田 太郎',
                        'kana', 'ヤマダ タロウ',
                        'sex', 'male',
                        'birth_date', '1980-04-01',
                        'resident_address', '東京都千代田区千代田1-1',
                        'identification', jsonb_build_object(
                            'office_code', (1000 + s % 500)::text,
                            'symbol', (100 + s % 900)::text,
                            'number', (s % 100000000)::text,
                            'branch', '00',
                            'relationship_code', '0'),
                        'monthly_remuneration', 200000 + (s % 50) * 10000)),
                    jsonb_build_object(
                        'actor', 'tanaka', 'role', 'qualification',
                        'client_address', '192.0.2.10', 'terminal_id', 'T-0042',
                        'request_id', r, 'correlation_id', r, 'causation_id', r,
                        'recorded_at', clock_timestamp())
               FROM (SELECT s, v, gen_random_uuid() AS r
                       FROM generate_series($1::bigint, $2::bigint) AS s,
                            generate_series(1, $3::int) AS v
                      WHERE (s - 1) * $3 + v <= $4) AS x
              ORDER BY s, v",
        )
        .bind(first)
        .bind(last)
        .bind(PER_STREAM as i32)
        .bind(events)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        first = last + 1;
    }
    // as autovacuum would have done on a log this size: hint bits, visibility map, statistics
    sqlx::query("VACUUM (ANALYZE) events").execute(pool).await?;
    sqlx::query("VACUUM (ANALYZE) streams")
        .execute(pool)
        .await?;
    Ok(())
}

async fn chain_and_verify(
    pool: &PgPool,
    options: &ChainBenchOptions,
    rows: &mut Vec<Row>,
) -> anyhow::Result<()> {
    // the append phases' events are chained first, untimed
    chain::chain_up_to_high_water_mark(pool, options.batch).await?;
    let started = Instant::now();
    fill(pool, options.events).await?;
    let (total, bytes): (i64, i64) = sqlx::query_as(
        "SELECT count(*), coalesce(sum(length(payload::text) + length(metadata::text)), 0)::bigint \
           FROM events",
    )
    .fetch_one(pool)
    .await?;
    println!(
        "filled: {} events by bulk INSERT in {:.1} s; the log holds {total} events, \
         payload + metadata text {:.0} bytes an event on average",
        options.events,
        started.elapsed().as_secs_f64(),
        bytes as f64 / total.max(1) as f64
    );

    let started = Instant::now();
    let progress = chain::chain_up_to_high_water_mark(pool, options.batch).await?;
    let seconds = started.elapsed().as_secs_f64();
    let chain_rate = progress.chained as f64 / seconds;
    println!(
        "chain: {} events in {seconds:.2} s = {chain_rate:.0} events/s (batch {}, one transaction)",
        progress.chained, options.batch
    );
    sqlx::query("VACUUM (ANALYZE) event_chain")
        .execute(pool)
        .await?;

    let rounds = options.rounds.max(1);
    let (mut verify_rates, mut scan_rates, mut copy_rates) = (Vec::new(), Vec::new(), Vec::new());
    for round in 1..=rounds {
        let mut conn = pool.acquire().await?;
        let started = Instant::now();
        let verdict = chain::verify(&mut conn, 0).await?;
        let seconds = started.elapsed().as_secs_f64();
        let checked = match verdict {
            chain::Verdict::Intact(summary) => summary.events_checked,
            chain::Verdict::Broken(failure) => {
                bail!(
                    "the bench's chain does not verify: position {}: {}",
                    failure.position,
                    failure.kind
                )
            }
        };
        let rate = checked as f64 / seconds;
        verify_rates.push(rate);

        let started = Instant::now();
        let (scanned, _): (i64, Option<i64>) = sqlx::query_as(
            "SELECT count(*), sum(length(payload::text) + length(metadata::text))::bigint \
               FROM events",
        )
        .fetch_one(&mut *conn)
        .await?;
        let scan = scanned as f64 / started.elapsed().as_secs_f64();
        scan_rates.push(scan);

        let started = Instant::now();
        let mut copied = 0usize;
        {
            let mut stream = conn
                .copy_out_raw(
                    "COPY (SELECT e.position, e.event_id, e.stream_id, e.stream_type, e.version, \
                                  e.event_type, e.event_version, e.payload::text, \
                                  e.metadata::text, e.recorded_at, c.hash, c.prev_hash \
                             FROM events e JOIN event_chain c ON c.position = e.position \
                            ORDER BY e.position) TO STDOUT",
                )
                .await?;
            while let Some(chunk) = stream.try_next().await? {
                copied += chunk.len();
            }
        }
        let copy_seconds = started.elapsed().as_secs_f64();
        let copy = checked as f64 / copy_seconds;
        copy_rates.push(copy);
        println!(
            "  round {round}: verify {checked} events in {seconds:.2} s = {rate:.0} events/s; \
             in-database scan {scan:.0} events/s; COPY to the client {copy:.0} events/s ({:.0} MB/s)",
            copied as f64 / copy_seconds / 1e6
        );
    }
    let (verify, scan, copy) = (median(verify_rates), median(scan_rates), median(copy_rates));
    rows.push(Row {
        name: "in-database scan (count, sum(length(text)))".to_owned(),
        figure: scan,
        unit: "events/s",
        ratio: "1.00 (anchor)".to_owned(),
    });
    rows.push(Row {
        name: "COPY of the columns verify reads".to_owned(),
        figure: copy,
        unit: "events/s",
        ratio: format!("{:.3} of the scan", copy / scan.max(1e-9)),
    });
    rows.push(Row {
        name: format!("chain_up_to_high_water_mark (batch {})", options.batch),
        figure: chain_rate,
        unit: "events/s",
        ratio: format!(
            "{:.3} of COPY, {:.3} of the scan",
            chain_rate / copy.max(1e-9),
            chain_rate / scan.max(1e-9)
        ),
    });
    rows.push(Row {
        name: "verify".to_owned(),
        figure: verify,
        unit: "events/s",
        ratio: format!(
            "{:.3} of COPY, {:.3} of the scan",
            verify / copy.max(1e-9),
            verify / scan.max(1e-9)
        ),
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_of_a_url_is_percent_decoded() {
        assert_eq!(
            url_password("postgres://kenpo:s%40cr%2Fet@127.0.0.1:5432/kenpo?sslmode=disable"),
            Some("s@cr/et".to_owned())
        );
        assert_eq!(url_password("postgres://kenpo@127.0.0.1/kenpo"), None);
        assert_eq!(url_password("postgres://127.0.0.1/kenpo"), None);
    }

    #[test]
    fn the_median_of_an_even_count_is_the_mean_of_the_middle_two() {
        assert_eq!(median(vec![3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(vec![4.0, 1.0, 2.0, 3.0]), 2.5);
    }
}
