//! Verifying the event log (監査: 改ざん検知, ADR 0005 §4): the hash chain re-hashed, and every
//! signed checkpoint of the table and of the checkpoint directory checked against it, with the
//! trusted keys of the key directory. For `kenpo audit verify` and `GET
//! /api/v1/audit/verification`.

use std::path::Path;

use anyhow::Context;
use kenpo_infrastructure::event_store::chain::VerifyProgress;
use kenpo_infrastructure::event_store::checkpoint::{self, Verification};
use serde::Serialize;
use sqlx::PgPool;
use utoipa::ToSchema;

/// Verify the log from `from` with the checkpoints of the table and of `directory`, trusting
/// the keys of the key directory ([`checkpoint::trusted_keys`]), on one connection of `pool`.
pub async fn verify(
    pool: &PgPool,
    from: i64,
    directory: Option<&Path>,
    progress: &mut (dyn FnMut(VerifyProgress) + Send),
) -> anyhow::Result<Verification> {
    let key_dir = crate::cli::keys::key_dir();
    let trusted = checkpoint::trusted_keys(&key_dir)
        .with_context(|| format!("reading the trusted public keys of {}", key_dir.display()))?;
    let mut conn = pool.acquire().await?;
    let verification = checkpoint::verify(&mut conn, from, directory, &trusted, progress).await?;
    Ok(verification)
}

/// The server's checkpoint directory when it exists (`KENPO_CHECKPOINT_DIR`, else
/// `<KENPO_HOME>/checkpoints`).
pub fn default_directory() -> Option<std::path::PathBuf> {
    Some(crate::application::event_chain::checkpoint_dir()).filter(|dir| dir.is_dir())
}

/// The first position that does not match.
#[derive(Debug, Serialize, ToSchema)]
pub struct FailureReport {
    pub position: i64,
    /// `changed`, `missing`, `reordered`, `inserted`, `truncated`, `rewritten`,
    /// `bad_signature`, `untrusted_key` or `checkpoint_mismatch` (ADR 0005 §4).
    pub kind: String,
    pub detail: String,
}

/// The outcome of a verification. No personal data: positions, counts and hashes only.
#[derive(Debug, Serialize, ToSchema)]
pub struct VerificationReport {
    /// `ok` or `broken`.
    pub status: String,
    /// Chained events re-hashed and matched (null when the chain itself is broken).
    pub events_checked: Option<u64>,
    /// The last chained position checked (null when the chain itself is broken).
    pub head: Option<i64>,
    /// Events after the head, not yet chained: the chainer's lag, not an error (null when the
    /// chain itself is broken).
    pub unchained: Option<u64>,
    /// Signed checkpoints (distinct positions) that matched the chain.
    pub checkpoints_checked: u64,
    pub failure: Option<FailureReport>,
}

impl From<Verification> for VerificationReport {
    fn from(v: Verification) -> Self {
        VerificationReport {
            status: if v.is_ok() { "ok" } else { "broken" }.to_owned(),
            events_checked: v.events_checked,
            head: v.head,
            unchained: v.unchained,
            checkpoints_checked: v.checkpoints_checked,
            failure: v.failure.map(|f| FailureReport {
                position: f.position,
                kind: f.kind.as_str().to_owned(),
                detail: f.detail,
            }),
        }
    }
}
