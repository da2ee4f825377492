//! Database roles (issue 8, item 4): `kenpo serve` does not migrate unless told to, and refuses
//! to start on a schema older than the binary; `kenpo migrate` (the owner role) applies it.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use sqlx::PgPool;

use crate::{database_url, kenpo_binary};

fn kenpo(database: &str, home: &std::path::Path, args: &[&str]) -> Command {
    let mut command = Command::new(kenpo_binary());
    command
        .args(args)
        .env("DATABASE_URL", database)
        .env_remove("KENPO_OWNER_DATABASE_URL")
        .env_remove("KENPO_MIGRATE")
        .env("KENPO_HOME", home)
        .env_remove("KENPO_KEY_DIR")
        .env("KENPO_JWT_SECRET", "a-test-signing-secret-of-32-bytes!!")
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null());
    command
}

#[sqlx::test(migrations = false)]
async fn serve_refuses_to_start_with_pending_migrations_and_does_not_migrate(pool: PgPool) {
    let database = database_url(&pool);
    let home = std::env::temp_dir().join(format!("kenpo-roles-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&home).unwrap();

    let mut child = kenpo(&database, &home, &["serve", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > Duration::from_secs(60) {
            child.kill().ok();
            child.wait().ok();
            panic!("kenpo serve started on a database with pending migrations");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!status.success(), "serve succeeded: {stderr}");
    assert!(stderr.contains("pending migration"), "{stderr}");
    assert!(stderr.contains("kenpo migrate"), "{stderr}");
    assert!(stderr.contains("20261125000001_event_store"), "{stderr}");
    let migrated: bool = sqlx::query_scalar("SELECT to_regclass('events') IS NOT NULL")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(!migrated, "serve migrated without --migrate");

    // the owner applies them; then the service commands run
    let migrate = kenpo(&database, &home, &["migrate"]).output().unwrap();
    assert!(migrate.status.success(), "{migrate:?}");
    let list = kenpo(&database, &home, &["accounts", "list"])
        .output()
        .unwrap();
    assert!(list.status.success(), "{list:?}");

    std::fs::remove_dir_all(&home).ok();
}
