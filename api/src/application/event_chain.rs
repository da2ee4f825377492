//! The chainer in `kenpo serve` (ハッシュチェーン, ADR 0005): extends the hash chain over the
//! event log up to the high-water mark, at start and every `KENPO_CHAIN_INTERVAL`.

use std::time::Duration;

use kenpo_infrastructure::event_store::chain;
use kenpo_infrastructure::idempotency::parse_ttl;
use sqlx::PgPool;

/// Environment variable with the chainer's interval (`10s`, `1m`, ...).
pub const CHAIN_INTERVAL_ENV: &str = "KENPO_CHAIN_INTERVAL";
/// The chainer's interval without `KENPO_CHAIN_INTERVAL`.
pub const DEFAULT_CHAIN_INTERVAL: Duration = Duration::from_secs(10);
/// Events read and hashed per query.
pub const CHAIN_BATCH: i64 = 5000;

/// A bad `KENPO_CHAIN_INTERVAL`.
#[derive(Debug, thiserror::Error)]
#[error("KENPO_CHAIN_INTERVAL must be a whole number of days, hours, minutes or seconds between 1s and 366d, e.g. 10s, 1m (got {0:?})")]
pub struct ChainIntervalError(pub String);

/// `KENPO_CHAIN_INTERVAL`, else [`DEFAULT_CHAIN_INTERVAL`].
pub fn chain_interval() -> Result<Duration, ChainIntervalError> {
    match std::env::var(CHAIN_INTERVAL_ENV) {
        Ok(text) => parse_ttl(&text).map_err(|_| ChainIntervalError(text)),
        Err(std::env::VarError::NotPresent) => Ok(DEFAULT_CHAIN_INTERVAL),
        Err(std::env::VarError::NotUnicode(_)) => Err(ChainIntervalError("(not UTF-8)".to_owned())),
    }
}

/// Read `KENPO_CHAIN_INTERVAL` (refusing a bad value) and chain the log now and at every
/// interval for the life of the process. Called once by `kenpo serve`.
pub fn start_chainer(pool: PgPool) -> Result<Duration, ChainIntervalError> {
    let interval = chain_interval()?;
    tracing::info!(
        interval_seconds = interval.as_secs(),
        "the event log is hash-chained behind the high-water mark at this interval"
    );
    tokio::spawn(async move {
        let mut every = tokio::time::interval(interval);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            // the first tick is immediate: the backlog is chained at start
            every.tick().await;
            match chain::chain_up_to_high_water_mark(&pool, CHAIN_BATCH).await {
                Ok(progress) if progress.chained == 0 => {
                    tracing::debug!(head = progress.head, "event chain up to date")
                }
                Ok(progress) => tracing::info!(
                    chained = progress.chained,
                    head = progress.head,
                    "events hash-chained"
                ),
                Err(error) => tracing::warn!(
                    %error,
                    "hash-chaining the event log failed; retrying at the next interval"
                ),
            }
        }
    });
    Ok(interval)
}
