//! The `kenpo` command line.

mod accounts;
mod audit;
mod bench;
mod bench_assessment;
mod bench_chain;
mod bench_retention;
mod erasure_proof;
pub(crate) mod keys;
mod projections;
mod retention;
mod serve;
mod token;

use clap::{Parser, Subcommand};

/// kenpo — records of a health insurance society (適用・給付・徴収) as an event log in
/// PostgreSQL.
///
/// Without DATABASE_URL every command uses the embedded default: a private PostgreSQL cluster
/// in ./.kenpo/pgdata, started from the system's PostgreSQL binaries.
#[derive(Debug, Parser)]
#[command(
    name = "kenpo",
    version,
    about,
    long_about,
    after_help = "Examples:
  kenpo serve --listen 127.0.0.1:8080       serve the API (env KENPO_LISTEN)
  kenpo migrate                             apply pending migrations (the owner role)
  kenpo projections rebuild                 rebuild the read models from position 0
  kenpo token --user tanaka --role qualification --ttl 8h
                                            mint a development bearer token
  kenpo accounts bootstrap --user tanaka --department IT推進課 --role system_admin
                                            put the first users in the ユーザ管理簿
  kenpo accounts list                       print the ユーザ管理簿
  kenpo bench http --clients 16 --seconds 20
  kenpo bench rebuild --events 1000000
  kenpo retention run --dry-run             who is due today (erase: --actor <data_protection 職員ID>)
  kenpo premiums assess --month 2026-04      monthly assessment: notices of every 事業所, 任継・特退
  kenpo bench assessment --insured 1000000 --offices 2000
  kenpo bench chain --message-db DIR        the hash chain's cost beside pgbench and Message DB
  kenpo keys rotate                         new key-encryption key; re-wrap every data key
  kenpo keys rotate --blind-index           new blind-index key; re-index every 個人番号 entry
  kenpo keys destroy --kek-version 1        destroy an old key version nothing depends on any more
  kenpo serve --migrate                     migrate as the owner role first (KENPO_OWNER_DATABASE_URL)
  kenpo audit chain                         hash-chain the event log up to the high-water mark
  kenpo audit checkpoint                    sign a checkpoint of the chain's head now
  kenpo audit verify --checkpoints DIR      re-hash the log, check every checkpoint (exit 1 if broken)
  kenpo audit erasure-proof --by dpo01      signed proof that no trace of erased 個人番号 is left
  kenpo access-table                        who may call which route, as Markdown (docs/access.md)

Environment: DATABASE_URL (the application role), KENPO_OWNER_DATABASE_URL (the owner role,
for migrate and projections rebuild), KENPO_MIGRATE, KENPO_PG_DATA, KENPO_PG_PORT, KENPO_PG_BIN,
KENPO_HOME, KENPO_JWT_SECRET_FILE, KENPO_JWT_SECRET, KENPO_LISTEN, KENPO_HEADER_READ_TIMEOUT_SECS,
KENPO_REQUEST_TIMEOUT_SECS, KENPO_MAX_CONCURRENT_REQUESTS, KENPO_TRUSTED_PROXIES,
KENPO_IDEMPOTENCY_TTL, KENPO_CHAIN_INTERVAL, KENPO_CHECKPOINT_INTERVAL, KENPO_CHECKPOINT_DIR,
KENPO_SIGNING_KEY_B64, RUST_LOG (see README.md)."
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the HTTP API as the application role (refuses pending migrations unless --migrate).
    Serve(serve::ServeArgs),
    /// Apply pending database migrations as the owner role and exit.
    Migrate,
    /// Read-model maintenance.
    Projections {
        #[command(subcommand)]
        command: projections::ProjectionsCommand,
    },
    /// 個人番号 retention: crypto-shred numbers past their retention period.
    Retention {
        #[command(subcommand)]
        command: retention::RetentionCommand,
    },
    /// Mint a development bearer token signed with the configured secret.
    Token(token::TokenArgs),
    /// The ユーザ管理簿 (staff account registry): bootstrap the first accounts, list them.
    Accounts {
        #[command(subcommand)]
        command: accounts::AccountsCommand,
    },
    /// Measure throughput (not a test): HTTP commands and projection rebuild.
    Bench(bench::BenchArgs),
    /// 徴収: the monthly assessment run (納入告知 of every 事業所, 任継・特退 accounts).
    Premiums {
        #[command(subcommand)]
        command: bench_assessment::PremiumsCommand,
    },
    /// Key-encryption keys of the My Number data keys (rotate, re-wrap).
    Keys {
        #[command(subcommand)]
        command: keys::KeysCommand,
    },
    /// The hash chain over the event log: chain it now, sign a checkpoint, verify it.
    Audit {
        #[command(subcommand)]
        command: audit::AuditCommand,
    },
    /// Print the authorization table (who may call which route) as Markdown: the table of
    /// docs/access.md.
    AccessTable,
}

/// Parse the command line and run it.
pub async fn run() -> anyhow::Result<()> {
    let cli = Cli::parse();
    crate::telemetry::init();
    match cli.command {
        Command::Serve(args) => serve::run(args).await,
        Command::Migrate => {
            let db = crate::database::connect(
                2,
                crate::database::Role::Owner,
                crate::database::Schema::Migrate,
            )
            .await?;
            crate::application::parameters::seed_statutory(&db.pool).await?;
            println!("migrations applied to {}", db.description);
            Ok(())
        }
        Command::Projections { command } => projections::run(command).await,
        Command::Retention { command } => retention::run(command).await,
        Command::Token(args) => token::run(args),
        Command::Accounts { command } => accounts::run(command).await,
        Command::Bench(args) => bench::run(args).await,
        Command::Keys { command } => keys::run(command).await,
        Command::Premiums { command } => bench_assessment::premiums(command).await,
        Command::Audit { command } => audit::run(command).await,
        Command::AccessTable => {
            print!("{}", crate::authorization::markdown::table());
            Ok(())
        }
    }
}
