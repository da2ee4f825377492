//! Which PostgreSQL to use, as which role: `DATABASE_URL` (and `KENPO_OWNER_DATABASE_URL`), or
//! the embedded default.
//!
//! kenpo uses two database roles (issue 8, item 4; docs/operations.md "Database roles"):
//!
//! - the **service** role, a member of `kenpo_app`: SELECT and INSERT on the event log, never
//!   UPDATE, DELETE, TRUNCATE or DDL. `kenpo serve` and the operational commands use it:
//!   `DATABASE_URL`.
//! - the **owner** role, which owns the schema: migrations (`kenpo migrate`,
//!   `kenpo serve --migrate`) and `kenpo projections rebuild` (which truncates the read models).
//!   `KENPO_OWNER_DATABASE_URL`, else `DATABASE_URL` (one URL for both, e.g. a development
//!   server or the test suite's superuser).
//!
//! Only an owner connection migrates, and only when told to. A service connection checks that no
//! migration is pending and refuses to run otherwise ([`migrate::ensure_current`]).
//!
//! The embedded default (no `DATABASE_URL`) is kenpo's own cluster: it has both roles (plus the
//! bootstrap superuser, for `kenpo bench`), with passwords in `KENPO_HOME/secrets`, and every
//! command migrates it with the owner role first, so `kenpo serve` works on a fresh machine.

use anyhow::Context;
use kenpo_infrastructure::embedded_postgres::{EmbeddedOptions, EmbeddedPostgres, EmbeddedRole};
use kenpo_infrastructure::migrate;
use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Connection, PgPool};

/// The URL of the owner role, for migrations and rebuilds.
pub const OWNER_URL_VAR: &str = "KENPO_OWNER_DATABASE_URL";

/// Which database role a command connects as (module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The application role (`DATABASE_URL`; `kenpo_service` in the embedded default).
    Service,
    /// The owner of the schema (`KENPO_OWNER_DATABASE_URL`, else `DATABASE_URL`;
    /// `kenpo_owner` in the embedded default).
    Owner,
    /// The embedded default's superuser (`kenpo bench` creates and drops its own database);
    /// with `DATABASE_URL`, as [`Role::Owner`].
    Admin,
}

/// What a command needs of the schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Schema {
    /// Apply pending migrations first, with the owner role (`kenpo migrate`, `serve --migrate`).
    Migrate,
    /// Refuse to run while migrations are pending; the embedded default is migrated instead.
    Current,
    /// Neither migrate nor check (`kenpo bench`, which makes a database of its own).
    Any,
}

/// A connected pool, and the embedded cluster when one was started for it.
pub struct Database {
    pub pool: PgPool,
    pub embedded: Option<EmbeddedPostgres>,
    /// Where the database is and as whom, for people (no password in it).
    pub description: String,
}

/// Connect as `role` to `DATABASE_URL` (`KENPO_OWNER_DATABASE_URL` for the owner), or start (or
/// reuse) the embedded cluster when `DATABASE_URL` is not set.
///
/// With [`Schema::Migrate`], pending migrations are applied first with the owner role; the
/// embedded default is always migrated that way (unless [`Schema::Any`]). With
/// [`Schema::Current`], pending migrations are an error that says how to apply them: nothing
/// runs against a schema older than the binary.
pub async fn connect(max_connections: u32, role: Role, schema: Schema) -> anyhow::Result<Database> {
    let (options, owner, embedded, description) = match std::env::var("DATABASE_URL") {
        Ok(url) if !url.trim().is_empty() => {
            let owner_url = std::env::var(OWNER_URL_VAR)
                .ok()
                .filter(|url| !url.trim().is_empty());
            let (owner, owner_source) = match &owner_url {
                Some(url) => (parse_url(url, OWNER_URL_VAR)?, OWNER_URL_VAR),
                None => (parse_url(&url, "DATABASE_URL")?, "DATABASE_URL"),
            };
            let (options, description) = match role {
                Role::Service => (parse_url(&url, "DATABASE_URL")?, redact(&url)),
                Role::Owner | Role::Admin => (
                    owner.clone(),
                    format!(
                        "{} ({owner_source})",
                        redact(owner_url.as_deref().unwrap_or(&url))
                    ),
                ),
            };
            (options, (owner, owner_source), None, description)
        }
        _ => {
            let options = EmbeddedOptions::from_env()?;
            let pg = EmbeddedPostgres::start(options).await.context(
                "starting the embedded PostgreSQL (set DATABASE_URL to use another server)",
            )?;
            let embedded_role = match role {
                Role::Service => EmbeddedRole::Service,
                Role::Owner => EmbeddedRole::Owner,
                Role::Admin => EmbeddedRole::Superuser,
            };
            let options = pg.connect_options(embedded_role);
            let description = format!(
                "embedded PostgreSQL in {} on 127.0.0.1:{} as {} (log: {})",
                pg.data_dir().display(),
                pg.port(),
                options.get_username(),
                pg.log_file().display()
            );
            let owner = (
                pg.connect_options(EmbeddedRole::Owner),
                "the embedded default",
            );
            (options, owner, Some(pg), description)
        }
    };
    let migrate = match schema {
        Schema::Migrate => true,
        Schema::Current => embedded.is_some(),
        Schema::Any => false,
    };
    if migrate {
        let (owner, owner_source) = &owner;
        let pool = pool_options(2)
            .connect_with(owner.clone())
            .await
            .with_context(|| {
                format!(
                    "connecting as the owner role ({owner_source}, user {}) to migrate",
                    owner.get_username()
                )
            })?;
        migrate::run(&pool).await.with_context(|| {
            format!(
                "migrating the database as {} ({owner_source}); migrations need the role that \
                 owns the tables (docs/operations.md, \"Database roles\")",
                owner.get_username()
            )
        })?;
        pool.close().await;
    }
    let pool = pool_options(max_connections)
        .connect_with(options)
        .await
        .with_context(|| format!("connecting to {description}"))?;
    if schema == Schema::Current && !migrate {
        migrate::ensure_current(&pool)
            .await
            .with_context(|| format!("checking the schema of {description}"))?;
    }
    Ok(Database {
        pool,
        embedded,
        description,
    })
}

fn parse_url(url: &str, variable: &str) -> anyhow::Result<PgConnectOptions> {
    PgConnectOptions::from_str(url)
        .with_context(|| format!("{variable} is not a PostgreSQL URL ({})", redact(url)))
}

/// A connection idle at least this long is pinged before it is handed out.
const PING_WHEN_IDLE_FOR: Duration = Duration::from_secs(10);

/// Pool settings shared by `serve`, the CLI and the benchmarks.
///
/// sqlx pings every pooled connection before handing it out (`test_before_acquire`), one extra
/// round trip per acquire: two per command (the registry check and the command transaction),
/// a quarter of a 資格取得's round trips. Here only a connection that sat idle for
/// [`PING_WHEN_IDLE_FOR`] is pinged — the case where a firewall or a server restart may have
/// dropped it. A connection that broke while busy fails its query, the request gets a 500
/// without having written anything (the transaction never committed), and sqlx drops that
/// connection instead of returning it to the pool.
pub fn pool_options(max_connections: u32) -> PgPoolOptions {
    PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(30))
        .test_before_acquire(false)
        .before_acquire(|conn, meta| {
            Box::pin(async move {
                if meta.idle_for >= PING_WHEN_IDLE_FOR {
                    conn.ping().await?;
                }
                Ok(true)
            })
        })
}

/// The URL without its password.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            let user = userinfo.split(':').next().unwrap_or_default();
            format!("{}{}@{}", &url[..scheme + 3], user, &url[at + 1..])
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_are_not_shown() {
        assert_eq!(
            super::redact("postgres://kenpo:secret@db:5432/kenpo"),
            "postgres://kenpo@db:5432/kenpo"
        );
        assert_eq!(super::redact("postgres://db/kenpo"), "postgres://db/kenpo");
    }
}
