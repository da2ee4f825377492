//! Application services: run a command in one transaction (idempotency, optimistic
//! concurrency, events, inline read models), answer queries.

pub mod aggregate;
pub mod as_of;
pub mod assessment_run;
pub mod benefits;
pub mod chain_verification;
pub mod command;
pub mod employer_accounts;
pub mod employer_notices;
pub mod erasure_proof;
pub mod erasures;
pub mod event_chain;
pub mod my_number;
pub mod parameters;
pub mod payment_batches;
pub mod person;
pub mod premiums;
pub mod read_log;
pub mod read_log_review;
pub mod retention;
pub mod staff;
pub mod stream_access;
