//! `kenpo audit ...`: the hash chain over the event log (ADR 0005).

use anyhow::Context;
use clap::Subcommand;
use kenpo_infrastructure::event_store::chain::{self, Verdict};

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Hash-chain the event log up to the high-water mark now (serve does it every
    /// KENPO_CHAIN_INTERVAL).
    Chain,
    /// Re-hash the event log against the chain; print OK with the counts, or the first position
    /// that does not match and why (changed, missing, reordered, inserted). Exit code 1 when
    /// the chain is broken.
    Verify {
        /// Start at this position (the chain's hash before it is taken as stored).
        #[arg(long, default_value_t = 0)]
        from: i64,
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
            let progress = chain::chain_up_to_high_water_mark(
                &db.pool,
                crate::application::event_chain::CHAIN_BATCH,
            )
            .await
            .with_context(|| format!("chaining the event log of {}", db.description))?;
            println!(
                "chained {} events; the chain's head is position {}",
                progress.chained, progress.head
            );
            Ok(())
        }
        AuditCommand::Verify { from } => {
            let mut conn = db.pool.acquire().await?;
            let started = std::time::Instant::now();
            let verdict = chain::verify(&mut conn, from)
                .await
                .with_context(|| format!("verifying the event log of {}", db.description))?;
            match verdict {
                Verdict::Intact(summary) => {
                    println!(
                        "OK: {} events checked up to position {} in {:.1} s; {} events not yet chained",
                        summary.events_checked,
                        summary.head,
                        started.elapsed().as_secs_f64(),
                        summary.unchained
                    );
                    Ok(())
                }
                Verdict::Broken(failure) => {
                    println!("BROKEN: position {}: {}", failure.position, failure.kind);
                    drop(conn);
                    db.pool.close().await;
                    std::process::exit(1);
                }
            }
        }
        // answered before the database was opened (verify-proof needs none)
        AuditCommand::ErasureProof(_) | AuditCommand::VerifyProof(_) => Ok(()),
    }
}
