//! Who may call which route: the authorization table against the served API.

#[path = "../common/mod.rs"]
mod common;

mod matrix;
