//! `kenpo audit ...`: the hash chain over the event log and its signed checkpoints (ADR 0005).

use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::Context;
use clap::Subcommand;
use indicatif::{ProgressBar, ProgressStyle};
use kenpo_infrastructure::crypto::signing::Signer;
use kenpo_infrastructure::event_store::chain;

use crate::application::{chain_verification, event_chain};

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Hash-chain the event log up to the high-water mark now (serve does it every
    /// KENPO_CHAIN_INTERVAL).
    Chain,
    /// Chain the log, then sign a checkpoint of the chain's head now (serve does it every
    /// KENPO_CHECKPOINT_INTERVAL): into the checkpoint directory (KENPO_CHECKPOINT_DIR, default
    /// <KENPO_HOME>/checkpoints) and the database. Nothing is signed when the head is already
    /// checkpointed.
    Checkpoint,
    /// Re-hash the event log against the chain and check every signed checkpoint (of the
    /// database and of the checkpoint directory); print OK with the counts, or the first
    /// position that does not match and why (changed, missing, reordered, inserted, truncated,
    /// rewritten, bad_signature, untrusted_key, checkpoint_mismatch). Exit code 1 when broken.
    Verify {
        /// Start at this position (the chain's hash before it is taken as stored).
        #[arg(long, default_value_t = 0)]
        from: i64,
        /// The checkpoint directory to check (default: KENPO_CHECKPOINT_DIR, else
        /// <KENPO_HOME>/checkpoints, when it exists).
        #[arg(long)]
        checkpoints: Option<PathBuf>,
    },
    /// Prove erasure: scan the database for any trace of erased persons' 個人番号, sign the
    /// report, store it (erasure_proofs) and print it. Exit code 1 when traces are found.
    ErasureProof(super::erasure_proof::ProofArgs),
    /// Check a signed erasure proof offline against the trusted public key.
    VerifyProof(super::erasure_proof::VerifyArgs),
}

pub async fn run(command: AuditCommand) -> anyhow::Result<()> {
    let command = match command {
        AuditCommand::ErasureProof(args) => return super::erasure_proof::prove(args).await,
        AuditCommand::VerifyProof(args) => return super::erasure_proof::verify(args),
        other => other,
    };
    let db = crate::database::connect(
        2,
        crate::database::Role::Service,
        crate::database::Schema::Current,
    )
    .await?;
    match command {
        AuditCommand::Chain => {
            let progress = chain::chain_up_to_high_water_mark(&db.pool, event_chain::CHAIN_BATCH)
                .await
                .with_context(|| format!("chaining the event log of {}", db.description))?;
            println!(
                "chained {} events; the chain's head is position {}",
                progress.chained, progress.head
            );
            Ok(())
        }
        AuditCommand::Checkpoint => {
            let signer = event_chain::signing_key()?;
            let (progress, taken) = event_chain::chain_and_checkpoint(&db.pool, &signer)
                .await
                .with_context(|| format!("checkpointing the event log of {}", db.description))?;
            println!(
                "chained {} events; the chain's head is position {}",
                progress.chained, progress.head
            );
            match taken {
                Some(taken) => println!(
                    "checkpoint: position {}, head hash {}, key {}, file {}",
                    taken.checkpoint.position,
                    hex::encode(taken.checkpoint.head_hash),
                    signer.key_id(),
                    taken.path.display()
                ),
                None if progress.head == 0 => println!("nothing is chained yet: no checkpoint"),
                None => println!(
                    "position {} is already checkpointed: no new checkpoint",
                    progress.head
                ),
            }
            Ok(())
        }
        AuditCommand::Verify { from, checkpoints } => {
            let directory = match checkpoints {
                Some(dir) if !dir.is_dir() => {
                    anyhow::bail!("--checkpoints {}: not a directory", dir.display())
                }
                Some(dir) => Some(dir),
                None => chain_verification::default_directory(),
            };
            let bar = progress_bar(&db.pool, from).await;
            let started = std::time::Instant::now();
            let mut on_progress = |p: chain::VerifyProgress| {
                if let Some(bar) = &bar {
                    bar.set_position(u64::try_from(p.position).unwrap_or(0));
                }
            };
            let verification =
                chain_verification::verify(&db.pool, from, directory.as_deref(), &mut on_progress)
                    .await
                    .with_context(|| format!("verifying the event log of {}", db.description))?;
            if let Some(bar) = bar {
                bar.finish_and_clear();
            }
            let checkpoints_from = match &directory {
                Some(dir) => format!("the database and {}", dir.display()),
                None => "the database (no checkpoint directory)".to_owned(),
            };
            match verification.failure {
                None => {
                    println!(
                        "OK: {} events checked up to position {} in {:.1} s; {} events not yet \
                         chained; {} checkpoints checked (from {checkpoints_from})",
                        verification.events_checked.unwrap_or(0),
                        verification.head.unwrap_or(0),
                        started.elapsed().as_secs_f64(),
                        verification.unchained.unwrap_or(0),
                        verification.checkpoints_checked,
                    );
                    Ok(())
                }
                Some(failure) => {
                    println!(
                        "BROKEN: position {}: {}: {}",
                        failure.position, failure.kind, failure.detail
                    );
                    db.pool.close().await;
                    std::process::exit(1);
                }
            }
        }
        // answered before the database was opened (verify-proof needs none)
        AuditCommand::ErasureProof(_) | AuditCommand::VerifyProof(_) => Ok(()),
    }
}

/// A progress bar over positions up to the log's last, on a terminal only.
async fn progress_bar(pool: &sqlx::PgPool, from: i64) -> Option<ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let last: i64 = sqlx::query_scalar("SELECT coalesce(max(position), 0) FROM events")
        .fetch_one(pool)
        .await
        .ok()?;
    let bar = ProgressBar::new(u64::try_from(last).unwrap_or(0));
    bar.set_position(u64::try_from(from).unwrap_or(0));
    if let Ok(style) = ProgressStyle::with_template(
        "verifying {bar:40} position {pos}/{len} ({per_sec}, {eta} left)",
    ) {
        bar.set_style(style);
    }
    Some(bar)
}
