//! The chainer in `kenpo serve` (ハッシュチェーン, ADR 0005): extends the hash chain over the
//! event log up to the high-water mark, at start and every `KENPO_CHAIN_INTERVAL`, and right
//! after chaining, at start and every `KENPO_CHECKPOINT_INTERVAL`, signs a checkpoint of the
//! chain's head into `KENPO_CHECKPOINT_DIR` and `chain_checkpoints` (§3).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::Context;
use kenpo_infrastructure::crypto::signing::{FileSigningKey, Signer};
use kenpo_infrastructure::event_store::{chain, checkpoint};
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

/// Environment variable with the interval between two signed checkpoints (`1h`, `30m`, ...).
pub const CHECKPOINT_INTERVAL_ENV: &str = "KENPO_CHECKPOINT_INTERVAL";
/// The checkpoint interval without `KENPO_CHECKPOINT_INTERVAL`.
pub const DEFAULT_CHECKPOINT_INTERVAL: Duration = Duration::from_secs(3600);
/// Environment variable with the checkpoint directory.
pub const CHECKPOINT_DIR_ENV: &str = "KENPO_CHECKPOINT_DIR";

/// A bad `KENPO_CHECKPOINT_INTERVAL`.
#[derive(Debug, thiserror::Error)]
#[error("KENPO_CHECKPOINT_INTERVAL must be a whole number of days, hours, minutes or seconds between 1s and 366d, e.g. 1h, 30m (got {0:?})")]
pub struct CheckpointIntervalError(pub String);

/// `KENPO_CHECKPOINT_INTERVAL`, else [`DEFAULT_CHECKPOINT_INTERVAL`].
pub fn checkpoint_interval() -> Result<Duration, CheckpointIntervalError> {
    match std::env::var(CHECKPOINT_INTERVAL_ENV) {
        Ok(text) => parse_ttl(&text).map_err(|_| CheckpointIntervalError(text)),
        Err(std::env::VarError::NotPresent) => Ok(DEFAULT_CHECKPOINT_INTERVAL),
        Err(std::env::VarError::NotUnicode(_)) => {
            Err(CheckpointIntervalError("(not UTF-8)".to_owned()))
        }
    }
}

/// The checkpoint directory: `KENPO_CHECKPOINT_DIR`, else `<KENPO_HOME>/checkpoints`.
pub fn checkpoint_dir() -> PathBuf {
    std::env::var_os(CHECKPOINT_DIR_ENV)
        .filter(|dir| !dir.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| crate::config::home().join("checkpoints"))
}

/// The signing key of checkpoints: `KENPO_SIGNING_KEY_B64`, else the key directory's
/// `sign-ed25519.key`, created when missing (said in the log, never shown).
pub fn signing_key() -> anyhow::Result<FileSigningKey> {
    let dir = crate::cli::keys::key_dir();
    let (key, created) = FileSigningKey::open_or_create(&dir)
        .with_context(|| format!("opening the signing key in {}", dir.display()))?;
    if let Some(path) = created {
        tracing::info!(path = %path.display(), key_id = key.key_id(), "created a new signing key for checkpoints");
    }
    Ok(key)
}

/// Chain up to the high-water mark, then take a checkpoint of the head (`None`: nothing chained
/// yet, or the head was already checkpointed). For `kenpo audit checkpoint`.
pub async fn chain_and_checkpoint(
    pool: &PgPool,
    signer: &dyn Signer,
) -> anyhow::Result<(chain::ChainProgress, Option<checkpoint::Taken>)> {
    let progress = chain::chain_up_to_high_water_mark(pool, CHAIN_BATCH)
        .await
        .context("chaining the event log")?;
    let dir = checkpoint_dir();
    let taken = checkpoint::take(pool, signer, &dir)
        .await
        .with_context(|| format!("taking a checkpoint into {}", dir.display()))?;
    Ok((progress, taken))
}

/// Read `KENPO_CHAIN_INTERVAL` and `KENPO_CHECKPOINT_INTERVAL` (refusing a bad value) and the
/// signing key, then chain the log now and at every chain interval for the life of the
/// process; right after a successful chaining, take a checkpoint when the checkpoint interval
/// has passed since the last one (the first at start). Called once by `kenpo serve`.
pub fn start_chainer(pool: PgPool) -> anyhow::Result<Duration> {
    let interval = chain_interval()?;
    let checkpoint_every = checkpoint_interval()?;
    let signer = signing_key()?;
    let dir = checkpoint_dir();
    tracing::info!(
        interval_seconds = interval.as_secs(),
        checkpoint_interval_seconds = checkpoint_every.as_secs(),
        checkpoint_dir = %dir.display(),
        key_id = signer.key_id(),
        "the event log is hash-chained behind the high-water mark, and its head signed, at these intervals"
    );
    tokio::spawn(async move {
        let mut every = tokio::time::interval(interval);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut last_checkpoint: Option<Instant> = None;
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
                Err(error) => {
                    tracing::warn!(
                        %error,
                        "hash-chaining the event log failed; retrying at the next interval"
                    );
                    continue;
                }
            }
            if last_checkpoint.is_some_and(|at| at.elapsed() < checkpoint_every) {
                continue;
            }
            match checkpoint::take(&pool, &signer, &dir).await {
                Ok(Some(taken)) => {
                    last_checkpoint = Some(Instant::now());
                    tracing::info!(
                        position = taken.checkpoint.position,
                        head_hash = %hex::encode(taken.checkpoint.head_hash),
                        path = %taken.path.display(),
                        "signed a checkpoint of the event chain"
                    )
                }
                Ok(None) => {
                    last_checkpoint = Some(Instant::now());
                    tracing::debug!("the chain's head is already checkpointed")
                }
                Err(error) => tracing::warn!(
                    %error,
                    "taking a checkpoint of the event chain failed; retrying after the next chaining"
                ),
            }
        }
    });
    Ok(interval)
}
