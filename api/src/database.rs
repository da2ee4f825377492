//! Which PostgreSQL to use: `DATABASE_URL`, or the embedded default.

use anyhow::Context;
use kenpo_infrastructure::embedded_postgres::{EmbeddedOptions, EmbeddedPostgres};
use sqlx::postgres::PgPoolOptions;
use sqlx::PgPool;

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
            (pg.database_url(), Some(pg), description)
        }
    };
    let pool = PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(std::time::Duration::from_secs(30))
        .connect(&url)
        .await
        .with_context(|| format!("connecting to {description}"))?;
    Ok(Database {
        pool,
        embedded,
        description,
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
