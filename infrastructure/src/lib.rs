//! kenpo infrastructure: the PostgreSQL event store, idempotency records, migrations and the
//! embedded PostgreSQL used when no `DATABASE_URL` is given.

pub mod bank_files;
pub mod crypto;
pub mod embedded_postgres;
pub mod event_store;
pub mod idempotency;
pub mod migrate;
pub mod secret_file;
