//! Which PostgreSQL to use: `DATABASE_URL`, or the embedded default.

use anyhow::Context;
use kenpo_infrastructure::embedded_postgres::{EmbeddedOptions, EmbeddedPostgres};
use std::time::Duration;

use sqlx::postgres::PgPoolOptions;
use sqlx::{Connection, PgPool};

/// A connected pool, and the embedded cluster when one was started for it.
pub struct Database {
    pub pool: PgPool,
    pub embedded: Option<EmbeddedPostgres>,
    /// Where the database is, for people (no password in it).
    pub description: String,
}

/// Connect to `DATABASE_URL`, or start (or reuse) the private cluster when it is not set.
pub async fn connect(max_connections: u32) -> anyhow::Result<Database> {
    let (url, embedded, description) = match std::env::var("DATABASE_URL") {
        Ok(url) if !url.trim().is_empty() => {
            let description = redact(&url);
            (url, None, description)
        }
        _ => {
            let options = EmbeddedOptions::from_env()?;
            let pg = EmbeddedPostgres::start(options).await.context(
                "starting the embedded PostgreSQL (set DATABASE_URL to use another server)",
            )?;
            let description = format!(
                "embedded PostgreSQL in {} on 127.0.0.1:{} (log: {})",
                pg.data_dir().display(),
                pg.port(),
                pg.log_file().display()
            );
            (pg.local_database_url(), Some(pg), description)
        }
    };
    let pool = pool_options(max_connections)
        .connect(&url)
        .await
        .with_context(|| format!("connecting to {description}"))?;
    Ok(Database {
        pool,
        embedded,
        description,
    })
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
