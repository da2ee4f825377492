//! The real `kenpo` binary driven as an operator would, against the test's own database: one
//! test binary for every command-line test (each area in its own module).

#[path = "../../../tests/tests/common/mod.rs"]
mod common;

mod edge;
mod idempotency_purge;
mod keys;
mod retention;
mod retention_crash;
mod roles;
mod secret_files;

use std::path::PathBuf;

use sqlx::PgPool;

/// The `kenpo` binary, which cargo builds for this package's integration tests.
pub fn kenpo_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_kenpo"))
}

/// Test keys given to every `kenpo serve` a test starts, so that two servers started one after
/// the other on the same database agree with the key check values the first one recorded.
pub const TEST_KEYS: [(&str, &str); 2] = [
    (
        "KENPO_KEK_V1_B64",
        "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=",
    ),
    (
        "KENPO_BIDX_B64",
        "CQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQk=",
    ),
];

/// `DATABASE_URL` pointed at the test's own database.
pub fn database_url(pool: &PgPool) -> String {
    let base = std::env::var("DATABASE_URL").unwrap();
    let database = pool.connect_options().get_database().unwrap().to_owned();
    let (server, _) = base.rsplit_once('/').unwrap();
    format!("{server}/{database}")
}
