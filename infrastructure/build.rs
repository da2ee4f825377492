//! `sqlx::migrate!` embeds `../migrations` at compile time, but cargo does not know the macro
//! reads that directory: without this, a new migration file (a merge, a checkout) leaves a
//! stale migrator in an incrementally built crate and the tests run against an old schema.
fn main() {
    println!("cargo:rerun-if-changed=../migrations");
}
