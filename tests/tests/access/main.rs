//! Access to personal data (issue 9): who may call which route (the authorization table against
//! the served API), and the log of every read.

#[path = "../common/mod.rs"]
mod common;

mod matrix;
mod read_log;
