//! `kenpo bench`: throughput measurements (not tests). Each run uses a database of its own,
//! `kenpo_bench`, created afresh on the configured server (the embedded default or
//! `DATABASE_URL`), so it never touches real data.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::{Args, Subcommand};
use kenpo_domain::qualification::{Person, PersonCommand};
use kenpo_infrastructure::event_store::{self, EventMetadata, ExpectedVersion, NewEvent};
use serde_json::{json, Value};
use sqlx::PgPool;
use uuid::Uuid;

use crate::auth::{Role, SigningKey};

#[derive(Debug, Args)]
pub struct BenchArgs {
    #[command(subcommand)]
    what: BenchKind,
}

#[derive(Debug, Subcommand)]
enum BenchKind {
    /// 資格取得 commands per second through the HTTP API.
    Http {
        /// Concurrent clients.
        #[arg(long, default_value_t = 16)]
        clients: usize,
        /// Seconds to run.
        #[arg(long, default_value_t = 20)]
        seconds: u64,
    },
    /// Projection rebuild events per second.
    Rebuild {
        /// Events in the log before the rebuild.
        #[arg(long, default_value_t = 1_000_000)]
        events: u64,
        /// Events per rebuild batch.
        #[arg(long, default_value_t = 10_000)]
        batch: i64,
    },
    /// 個人番号 retention: erase `due` (then `later`) persons among `persons`.
    Retention {
        #[arg(long, default_value_t = 1_000_000)]
        persons: i64,
        #[arg(long, default_value_t = 100_000)]
        due: i64,
        #[arg(long, default_value_t = 10_000)]
        later: i64,
        /// Persons per transaction.
        #[arg(long, default_value_t = 1000)]
        batch: i64,
    },
    /// The monthly assessment run: notices of every 事業所 and 任継 accounts for one month.
    Assessment {
        /// Insured persons (ordinary across the 事業所, plus the 任継 share).
        #[arg(long, default_value_t = 1_000_000)]
        insured: i64,
        /// 事業所.
        #[arg(long, default_value_t = 2_000)]
        offices: i64,
        /// Share of the insured who are 任意継続 (premium accounts).
        #[arg(long, default_value_t = 0.02)]
        voluntary_share: f64,
        /// 月分.
        #[arg(long, default_value = "2026-04")]
        month: String,
        /// Candidates per transaction.
        #[arg(long, default_value_t = 20_000)]
        batch: usize,
        /// Batches in flight at once.
        #[arg(long, default_value_t = 2)]
        workers: usize,
    },
    /// The hash chain's cost: appends/s with the chainer on vs. off, chaining and verification
    /// events/s, each beside its anchor (pgbench, Message DB, an in-database scan, COPY).
    Chain {
        /// Concurrent writers (and pgbench / Message DB clients).
        #[arg(long, default_value_t = 8)]
        writers: usize,
        /// Seconds of each append phase and anchor.
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// Rounds of (chain off, chain on) append phases and of verification.
        #[arg(long, default_value_t = 2)]
        rounds: usize,
        /// Milliseconds the bench's chainer pauses between two runs while writers append.
        #[arg(long, default_value_t = 100)]
        chain_every_ms: u64,
        /// Events bulk-inserted for the chaining and verification figures.
        #[arg(long, default_value_t = 1_000_000)]
        events: i64,
        /// Events per chainer query.
        #[arg(long, default_value_t = crate::application::event_chain::CHAIN_BATCH)]
        batch: i64,
        /// Message DB's `database` directory (npm package @eventide/message-db, installed
        /// outside the repository): adds its write_message as an anchor.
        #[arg(long, value_name = "DIR")]
        message_db: Option<std::path::PathBuf>,
    },
}

pub async fn run(args: BenchArgs) -> anyhow::Result<()> {
    // creates and drops its own database: the embedded superuser, or the owner URL
    let db = crate::database::connect(
        4,
        crate::database::Role::Admin,
        crate::database::Schema::Any,
    )
    .await?;
    let pool = bench_database(&db.pool).await?;
    kenpo_infrastructure::migrate::run(&pool).await?;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let fsync: String = sqlx::query_scalar("SHOW fsync").fetch_one(&pool).await?;
    let sync_commit: String = sqlx::query_scalar("SHOW synchronous_commit")
        .fetch_one(&pool)
        .await?;
    println!("machine: {cores} cores; PostgreSQL fsync={fsync} synchronous_commit={sync_commit}; database: {}", db.description);
    match args.what {
        BenchKind::Http { clients, seconds } => http(pool, clients, seconds).await,
        BenchKind::Rebuild { events, batch } => rebuild(pool, events, batch).await,
        BenchKind::Retention {
            persons,
            due,
            later,
            batch,
        } => super::bench_retention::run(pool, persons, due, later, batch).await,
        BenchKind::Assessment {
            insured,
            offices,
            voluntary_share,
            month,
            batch,
            workers,
        } => {
            let options = super::bench_assessment::BenchOptions {
                insured,
                offices,
                voluntary_share,
                month: kenpo_domain::calendar::parse_year_month(&month)?,
                batch,
                workers,
            };
            super::bench_assessment::bench(pool, options).await
        }
        BenchKind::Chain {
            writers,
            seconds,
            rounds,
            chain_every_ms,
            events,
            batch,
            message_db,
        } => {
            let options = super::bench_chain::ChainBenchOptions {
                writers: writers.max(1),
                seconds,
                rounds: rounds.max(1),
                chain_every: Duration::from_millis(chain_every_ms),
                events,
                batch: batch.max(1),
                message_db,
            };
            super::bench_chain::run(&db, pool, options).await
        }
    }
}

/// A fresh `kenpo_bench` database on the same server.
async fn bench_database(admin: &PgPool) -> anyhow::Result<PgPool> {
    sqlx::query("DROP DATABASE IF EXISTS kenpo_bench WITH (FORCE)")
        .execute(admin)
        .await?;
    sqlx::query("CREATE DATABASE kenpo_bench")
        .execute(admin)
        .await?;
    let options = admin
        .connect_options()
        .as_ref()
        .clone()
        .database("kenpo_bench");
    Ok(crate::database::pool_options(40)
        .connect_with(options)
        .await?)
}

pub(super) fn acquisition(person_id: Uuid, n: u64) -> Value {
    json!({
        "person_id": person_id,
        "category": "compulsory",
        "acquired_on": "2025-04-01",
        "reason": { "kind": "employment" },
        "received_on": "2025-04-03",
        "name": "山田 太郎",
        "kana": "ヤマダ タロウ",
        "sex": "male",
        "birth_date": "1980-04-01",
        "resident_address": "東京都千代田区千代田1-1",
        "identification": {
            "office_code": format!("{}", 1000 + n % 500),
            "symbol": format!("{}", 100 + n % 900),
            "number": format!("{}", n % 100_000_000),
            "branch": "00",
            "relationship_code": "0"
        },
        "monthly_remuneration": 200_000 + (n % 50) * 10_000
    })
}

async fn http(pool: PgPool, clients: usize, seconds: u64) -> anyhow::Result<()> {
    let mut secret = [0_u8; 32];
    rand::RngCore::fill_bytes(&mut rand::thread_rng(), &mut secret);
    let key = SigningKey::new(secret.to_vec())?;
    let token = key.mint("bench", &[Role::Qualification], chrono::Duration::hours(1))?;
    // Every request checks the ユーザ管理簿: the bench user needs an account there.
    crate::application::staff::bootstrap_account(
        &pool,
        &crate::startup::upcasters(),
        kenpo_domain::staff::StaffId::parse("bench")?,
        kenpo_domain::staff::AccountDetails {
            department: kenpo_domain::staff::Department::parse("ベンチマーク")?,
            roles: vec![kenpo_domain::staff::Role::Qualification],
            my_number_permission: false,
            valid_from: crate::application::staff::today(),
            valid_to: None,
        },
        crate::application::staff::BootstrapMode::FreshInstallation,
    )
    .await?;
    let keys = Arc::new(bench_keys()?);
    let state = crate::state::AppState {
        pool: pool.clone(),
        signing_key: key,
        upcasters: Arc::new(crate::startup::upcasters()),
        keks: keys.clone(),
        bik: keys,
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    tokio::spawn(async move {
        let app = crate::startup::router(state).into_make_service_with_connect_info::<SocketAddr>();
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!(error = %e, "bench server failed");
        }
    });
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(clients)
        .build()?;
    let url = format!("http://{address}/api/v1/acquisitions");
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..clients {
        let (client, url) = (client.clone(), url.clone());
        let authorization = format!("Bearer {token}");
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut failures = 0_u64;
            let mut n = c as u64;
            while Instant::now() < deadline {
                let body = serde_json::to_vec(&acquisition(Uuid::now_v7(), n)).unwrap_or_default();
                n += clients as u64;
                let sent = Instant::now();
                let request = client
                    .post(&url)
                    .header(reqwest::header::AUTHORIZATION, &authorization)
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .body(body);
                match request.send().await {
                    Ok(r) if r.status().as_u16() == 201 => latencies.push(sent.elapsed()),
                    _ => failures += 1,
                }
            }
            (latencies, failures)
        }));
    }
    let mut latencies = Vec::new();
    let mut failures = 0;
    for task in tasks {
        let (l, f) = task.await?;
        latencies.extend(l);
        failures += f;
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort_unstable();
    let pct = |p: f64| {
        latencies
            .get(((latencies.len() as f64 * p) as usize).min(latencies.len().saturating_sub(1)))
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    let events: i64 = sqlx::query_scalar("SELECT count(*) FROM events")
        .fetch_one(&pool)
        .await?;
    println!(
        "http: {} 資格取得 in {:.1} s with {} clients = {:.0} commands/s (p50 {:.1} ms, p99 {:.1} ms, failures {}); events in log: {}",
        latencies.len(), elapsed, clients, latencies.len() as f64 / elapsed, pct(0.5), pct(0.99), failures, events
    );
    Ok(())
}

/// Fill the log with real person events (each person: 資格取得, 氏名変更, 住所変更, 賞与, 資格喪失),
/// appended in transactions of 1,000 persons without inline projection, then rebuild.
async fn rebuild(pool: PgPool, events: u64, batch: i64) -> anyhow::Result<()> {
    let persons = events.div_ceil(5);
    let fill = Instant::now();
    let metadata = EventMetadata::system("bench");
    let mut written = 0_u64;
    let mut n = 0_u64;
    while n < persons {
        let mut tx = event_store::begin_command(&pool).await?;
        for _ in 0..1000.min(persons - n) {
            let id = Uuid::now_v7();
            let stream = format!("person-{id}");
            let new_events = person_events(id, n, &metadata).await?;
            written += new_events.len() as u64;
            event_store::append(
                &mut tx,
                &stream,
                "person",
                ExpectedVersion::NoStream,
                &new_events,
            )
            .await?;
            n += 1;
        }
        tx.commit().await?;
    }
    println!(
        "filled the log with {written} events for {persons} persons in {:.1} s",
        fill.elapsed().as_secs_f64()
    );
    let upcasters = crate::startup::upcasters();
    let summary =
        kenpo_projections::rebuild(&pool, &upcasters, batch, &|_: u64, _: u64| {}).await?;
    let seconds = summary.elapsed.as_secs_f64();
    println!(
        "rebuild: {} events in {:.1} s = {:.0} events/s (batch {batch}); members: {}",
        summary.events,
        seconds,
        summary.events as f64 / seconds,
        summary.members
    );
    Ok(())
}

async fn person_events(
    id: Uuid,
    n: u64,
    metadata: &EventMetadata,
) -> anyhow::Result<Vec<NewEvent>> {
    let mut person = Person::default();
    let commands: Vec<Value> = vec![
        json!({"AcquireQualification": acquisition(id, n)}),
        json!({"ChangeName": {"changed_on": "2025-06-01", "received_on": "2025-06-03", "reason": {"kind": "marriage"}, "name": "鈴木 太郎", "kana": "スズキ タロウ"}}),
        json!({"ChangeAddress": {"changed_on": "2025-07-01", "received_on": "2025-07-02", "contact_address": "東京都港区芝公園4-2-8"}}),
        json!({"ReportBonus": {"paid_on": "2025-07-10", "amount": 1_234_567, "received_on": "2025-07-12"}}),
        json!({"LoseQualification": {"lost_on": "2026-04-01", "reason": {"kind": "retirement", "last_working_day": "2026-03-31"}, "received_on": "2026-04-03"}}),
    ];
    let mut out = Vec::new();
    for command in commands {
        let command = to_command(command)?;
        let sink = cqrs_es::event_sink::EventSink::<Person>::default();
        cqrs_es::Aggregate::handle(&mut person, command, &(), &sink)
            .await
            .map_err(|e| anyhow::anyhow!("bench command refused: {e}"))?;
        for event in sink.collect().await {
            out.push(NewEvent::from_domain(&event, metadata.clone())?);
        }
    }
    Ok(out)
}

fn to_command(value: Value) -> anyhow::Result<PersonCommand> {
    use kenpo_domain::qualification as q;
    let (name, body) = value
        .as_object()
        .and_then(|o| o.iter().next())
        .map(|(k, v)| (k.clone(), v.clone()))
        .context("bench command")?;
    Ok(match name.as_str() {
        "AcquireQualification" => PersonCommand::AcquireQualification(serde_json::from_value::<
            q::QualificationAcquisition,
        >(body)?),
        "ChangeName" => PersonCommand::ChangeName(serde_json::from_value::<q::NameChange>(body)?),
        "ChangeAddress" => {
            PersonCommand::ChangeAddress(serde_json::from_value::<q::AddressChange>(body)?)
        }
        "ReportBonus" => {
            PersonCommand::ReportBonus(serde_json::from_value::<q::BonusReport>(body)?)
        }
        _ => {
            PersonCommand::LoseQualification(serde_json::from_value::<q::QualificationLoss>(body)?)
        }
    })
}

/// Throw-away keys for the bench database (never the real key directory).
fn bench_keys() -> anyhow::Result<kenpo_infrastructure::crypto::FileKeyStore> {
    let dir = std::env::temp_dir().join(format!("kenpo-bench-keys-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    Ok(kenpo_infrastructure::crypto::FileKeyStore::open_or_create(&dir)?.0)
}
