//! HTTP handlers, one module per resource.

pub mod access_log;
pub mod account_changes;
pub mod accounts;
pub mod audit;
pub mod benefits;
pub mod certificates;
pub mod employer_accounts;
pub mod employer_notices;
pub mod erasure_proofs;
pub mod erasures;
pub mod events;
pub mod health;
pub mod members;
pub mod my_number;
pub mod paging;
pub mod parameters;
pub mod payee_accounts;
pub mod payment_batches;
pub mod persons;
pub mod premiums;
