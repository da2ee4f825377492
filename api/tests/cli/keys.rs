//! Keys that cannot fork silently, and blind-index key versions (issue 8, items 2 and 3): the
//! real `kenpo` binary with `KENPO_KEY_DIR` pointed at the right, an empty or a wrong key
//! directory, over the test's own database.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::common::bodies::acquisition;
use crate::common::double_entry::keyed;
use crate::common::{json, spawn_app, TestApp};
use crate::{database_url, kenpo_binary};
use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

const NUMBER: &str = "123456789018";

/// `kenpo <args>` against the test's database with `key_dir` as the key directory and no key
/// in the environment.
fn kenpo(pool: &PgPool, key_dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(kenpo_binary());
    command
        .args(args)
        .env("DATABASE_URL", database_url(pool))
        .env("KENPO_KEY_DIR", key_dir)
        .env("KENPO_JWT_SECRET", "a-test-signing-secret-of-32-bytes!!")
        .env_remove("KENPO_BIDX_B64")
        .env("RUST_LOG", "warn");
    for (name, _) in std::env::vars() {
        if name.starts_with("KENPO_KEK_V") || name.starts_with("KENPO_BIDX_V") {
            command.env_remove(name);
        }
    }
    command
}

fn run(pool: &PgPool, key_dir: &Path, args: &[&str]) -> Output {
    kenpo(pool, key_dir, args).output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `kenpo serve` must refuse: it exits by itself (a server that starts is killed and fails the
/// test).
fn serve_must_refuse(pool: &PgPool, key_dir: &Path) -> Output {
    let mut child = kenpo(pool, key_dir, &["serve", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(30) {
            child.kill().unwrap();
            let output = child.wait_with_output().unwrap();
            panic!(
                "kenpo serve started with the key directory {}: {}",
                key_dir.display(),
                text(&output.stdout)
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    child.wait_with_output().unwrap()
}

/// A person with a registered 個人番号 (through the API, as staff would).
async fn person_with_number(app: &TestApp, token: &str, number: &str) -> (Uuid, u16) {
    let id = Uuid::now_v7();
    let body = acquisition(id, "300", &format!("{}", id.as_u128() % 10_000_000));
    let (status, answer) = json(
        app.post("/api/v1/acquisitions", &app.clerk(), &body)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 201, "{answer}");
    // keyed by `token`, confirmed by the second clerk (ダブルチェック)
    let (status, _) = app
        .register_my_number_by(&keyed, id, number, token, &app.my_number_confirmer())
        .await;
    (id, status)
}

/// The clerk `mn1` and the confirmer of the double entry, both with access on.
async fn my_number_clerk(app: &TestApp) -> String {
    app.my_number_confirmer_with_access().await;
    app.my_number_clerk_with_access().await
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn serve_refuses_an_empty_or_wrong_key_directory_over_registered_numbers(pool: PgPool) {
    let app = spawn_app(pool.clone()).await;
    let token = my_number_clerk(&app).await;
    assert_eq!(person_with_number(&app, &token, NUMBER).await.1, 201);

    // an empty key directory: refused with EX_CONFIG, naming the version and where the key
    // was expected; no key is created
    let empty = std::env::temp_dir().join(format!("kenpo-empty-keys-{}", Uuid::now_v7()));
    let refused = serve_must_refuse(&pool, &empty);
    let stderr = text(&refused.stderr);
    assert_eq!(refused.status.code(), Some(78), "{stderr}");
    assert!(
        stderr.contains(&empty.join("kek-v1.key").display().to_string()),
        "{stderr}"
    );
    assert!(stderr.contains("database is not empty"), "{stderr}");
    assert!(
        !empty.exists() || std::fs::read_dir(&empty).unwrap().next().is_none(),
        "a key was created over a database that depends on other keys"
    );

    // another installation's keys: refused, the key check value differs
    let wrong = std::env::temp_dir().join(format!("kenpo-wrong-keys-{}", Uuid::now_v7()));
    kenpo_infrastructure::crypto::FileKeyStore::open_or_create_with_env(&wrong, Vec::new())
        .unwrap();
    let refused = serve_must_refuse(&pool, &wrong);
    let stderr = text(&refused.stderr);
    assert_eq!(refused.status.code(), Some(78), "{stderr}");
    assert!(
        stderr.contains("key-encryption key version 1")
            && stderr.contains("key check value differs"),
        "{stderr}"
    );
    for key in ["kek-v1.key", "bidx-v1.key"] {
        let secret = std::fs::read_to_string(wrong.join(key)).unwrap();
        assert!(!stderr.contains(secret.trim()), "a key was printed");
    }

    // a database from before check values (none recorded): the right KEK with another
    // blind-index key is refused too, because that key does not give the index entry
    let mut conn = pool.acquire().await.unwrap();
    sqlx::query("SET session_replication_role = replica")
        .execute(&mut *conn)
        .await
        .unwrap();
    sqlx::query("DELETE FROM key_check_values")
        .execute(&mut *conn)
        .await
        .unwrap();
    drop(conn);
    std::fs::copy(app.key_dir.join("kek-v1.key"), wrong.join("kek-v1.key")).unwrap();
    let refused = run(&pool, &wrong, &["keys", "rewrap"]);
    let stderr = text(&refused.stderr);
    assert_eq!(refused.status.code(), Some(78), "{stderr}");
    assert!(
        stderr.contains("blind-index key version 1") && stderr.contains("another key"),
        "{stderr}"
    );
    // the right keys are adopted and their check values recorded again
    let adopted = run(&pool, &app.key_dir, &["keys", "rewrap"]);
    assert!(adopted.status.success(), "{}", text(&adopted.stderr));
    let recorded: i64 = sqlx::query_scalar("SELECT count(*) FROM key_check_values")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(recorded, 2);
    let _ = std::fs::remove_dir_all(&wrong);
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn the_blind_index_key_rotates_and_an_old_version_is_destroyed_only_when_unused(
    pool: PgPool,
) {
    let app = spawn_app(pool.clone()).await;
    let token = my_number_clerk(&app).await;
    let (holder, status) = person_with_number(&app, &token, NUMBER).await;
    assert_eq!(status, 201);
    let keys = app.key_dir.clone();

    // version 1 is active and indexes the number: not destroyed
    let refused = run(
        &pool,
        &keys,
        &["keys", "destroy", "--blind-index-version", "1"],
    );
    let stderr = text(&refused.stderr);
    assert!(!refused.status.success());
    assert!(
        stderr.contains("blind-index key version 1 cannot be destroyed")
            && stderr.contains("it is the active version"),
        "{stderr}"
    );
    assert!(keys.join("bidx-v1.key").exists());

    // rotate: the entry moves to version 2
    let rotated = run(
        &pool,
        &keys,
        &["keys", "rotate", "--blind-index", "--batch", "1"],
    );
    assert!(rotated.status.success(), "{}", text(&rotated.stderr));
    assert!(
        text(&rotated.stdout).contains("re-indexed 1 entries under blind-index key version 2"),
        "{}",
        text(&rotated.stdout)
    );
    let versions: Vec<(Uuid, i32)> =
        sqlx::query_as("SELECT person_id, bidx_version FROM my_number_index")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(versions, vec![(holder, 2)]);
    // the running server indexes under version 2 and still finds duplicates
    let (other, status) = person_with_number(&app, &token, NUMBER).await;
    assert_eq!(status, 409, "a duplicate was registered after the rotation");
    let (status, found) = json(
        app.post(
            "/api/v1/my-number/lookups",
            &token,
            &json!({"number": NUMBER}),
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!((status, found["person_id"].clone()), (200, json!(holder)));
    let second = "983205673214";
    let (status, _) = app
        .register_my_number_by(&keyed, other, second, &token, &app.my_number_confirmer())
        .await;
    assert_eq!(status, 201);
    let version: i32 =
        sqlx::query_scalar("SELECT bidx_version FROM my_number_index WHERE person_id = $1")
            .bind(other)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(
        version, 2,
        "a new entry is indexed under the active version"
    );

    // the active version, and a KEK that still wraps data keys: refused
    let refused = run(
        &pool,
        &keys,
        &["keys", "destroy", "--blind-index-version", "2"],
    );
    assert!(!refused.status.success());
    assert!(
        text(&refused.stderr).contains("it is the active version"),
        "{}",
        text(&refused.stderr)
    );
    // an interrupted KEK rotation: version 2 exists, the data keys are still under version 1
    let (mut store, _) =
        kenpo_infrastructure::crypto::FileKeyStore::open_or_create_with_env(&keys, Vec::new())
            .unwrap();
    assert_eq!(store.rotate_kek().unwrap(), 2);
    let refused = run(&pool, &keys, &["keys", "destroy", "--kek-version", "1"]);
    assert!(!refused.status.success());
    assert!(
        text(&refused.stderr).contains("2 data keys are still wrapped under it"),
        "{}",
        text(&refused.stderr)
    );
    assert!(keys.join("kek-v1.key").exists());

    // version 1 indexes nothing any more: destroyed, recorded, and no longer asked for
    let destroyed = run(
        &pool,
        &keys,
        &["keys", "destroy", "--blind-index-version", "1"],
    );
    assert!(destroyed.status.success(), "{}", text(&destroyed.stderr));
    assert!(
        text(&destroyed.stdout).contains("backups of the key directory"),
        "{}",
        text(&destroyed.stdout)
    );
    assert!(!keys.join("bidx-v1.key").exists());
    let recorded: Vec<(String, i32)> =
        sqlx::query_as("SELECT kind, version FROM key_destructions ORDER BY kind")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(recorded, vec![("bidx".to_owned(), 1)]);
    // start-up no longer asks for the destroyed version; the re-wrap finishes the KEK
    // rotation, then KEK version 1 can go too
    let rewrap = run(&pool, &keys, &["keys", "rewrap"]);
    assert!(rewrap.status.success(), "{}", text(&rewrap.stderr));
    let destroyed = run(&pool, &keys, &["keys", "destroy", "--kek-version", "1"]);
    assert!(destroyed.status.success(), "{}", text(&destroyed.stderr));
    assert!(!keys.join("kek-v1.key").exists());
    let (status, found) = json(
        app.post(
            "/api/v1/my-number/lookups",
            &token,
            &json!({"number": NUMBER}),
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!((status, found["person_id"].clone()), (200, json!(holder)));
}
