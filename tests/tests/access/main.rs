//! Access to personal data (issue 9): who may read what, and the log of every read.

#[path = "../common/mod.rs"]
mod common;

mod read_log;
