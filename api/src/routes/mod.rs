//! HTTP handlers, one module per resource.

pub mod accounts;
pub mod events;
pub mod health;
pub mod members;
pub mod my_number;
pub mod parameters;
pub mod persons;
