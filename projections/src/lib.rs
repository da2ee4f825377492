//! kenpo read models, built from the event log (ADR 0002).
//!
//! Each read model is a pure fold (`apply(view, event)`) plus the SQL that loads and saves
//! its rows. The same code runs inline, in the command's transaction, and in a rebuild from
//! position 0 — so a rebuilt read model equals the live one.

pub mod benefit_claims;
pub mod employer_accounts;
pub mod employer_notices;
pub mod medical_certificates;
pub mod members;
pub mod my_number_status;
pub mod parameters;
pub mod payment_batches;
pub mod premium_ledger;
pub mod rebuild;
pub mod staff_accounts;

pub use rebuild::{rebuild, RebuildProgress, RebuildSummary};

/// Errors of the projections.
#[derive(Debug, thiserror::Error)]
pub enum ProjectionError {
    #[error(transparent)]
    Store(#[from] kenpo_infrastructure::event_store::EventStoreError),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error("a read-model row cannot be read back: {0}")]
    View(#[from] serde_json::Error),
}
