//! Application services: run a command in one transaction (idempotency, optimistic
//! concurrency, events, inline read models), answer queries.

pub mod aggregate;
pub mod command;
pub mod my_number;
pub mod parameters;
pub mod person;
pub mod retention;
pub mod staff;
