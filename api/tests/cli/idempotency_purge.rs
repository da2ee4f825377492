//! `kenpo serve` and the idempotency window (issue 8, item 1): a bad `KENPO_IDEMPOTENCY_TTL`
//! stops it with a clear message; started, it purges the expired records at once, logging the
//! count and never a key.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use sqlx::PgPool;

use crate::{database_url, kenpo_binary};

/// The server and its KENPO_HOME, killed and removed when the test ends (also on failure).
struct Served {
    child: Child,
    home: std::path::PathBuf,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.home);
    }
}

fn serve(pool: &PgPool, ttl: &str) -> Served {
    let home = std::env::temp_dir().join(format!("kenpo-idem-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&home).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(kenpo_binary())
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .env("DATABASE_URL", database_url(pool))
        .env("KENPO_HOME", &home)
        .env("KENPO_IDEMPOTENCY_TTL", ttl)
        .env_remove("KENPO_JWT_SECRET")
        .env_remove("KENPO_JWT_SECRET_FILE")
        .env_remove("KENPO_KEY_DIR")
        .envs(crate::TEST_KEYS)
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    Served { child, home }
}

async fn insert(pool: &PgPool, key: &str, expires_in_seconds: i64) {
    sqlx::query(
        "INSERT INTO idempotency_keys (actor, idempotency_key, fingerprint, key_version,
                                       response_status, response_sealed, expires_at)
         VALUES ('clerk1', $1, $2, 1, 201, '\\x01', now() + make_interval(secs => $3))",
    )
    .bind(key)
    .bind(vec![7_u8; 32])
    .bind(expires_in_seconds as f64)
    .execute(pool)
    .await
    .unwrap();
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn serve_refuses_a_bad_window_and_purges_expired_records_at_start(pool: PgPool) {
    let mut refused = serve(&pool, "forever");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = refused.child.try_wait().unwrap() {
            break status;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "serve kept running"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(!status.success());
    let mut stderr = String::new();
    std::io::Read::read_to_string(refused.child.stderr.as_mut().unwrap(), &mut stderr).unwrap();
    assert!(
        stderr.contains("KENPO_IDEMPOTENCY_TTL") && stderr.contains("7d"),
        "{stderr}"
    );

    insert(&pool, "expired-key-0001", -1).await;
    insert(&pool, "live-key-0001", 3600).await;
    let mut served = serve(&pool, "24h");
    let started = Instant::now();
    loop {
        let left: Vec<String> = sqlx::query_scalar("SELECT idempotency_key FROM idempotency_keys")
            .fetch_all(&pool)
            .await
            .unwrap();
        if left == ["live-key-0001"] {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "not purged at start: {left:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let _ = served.child.kill();
    let _ = served.child.wait();
    let mut output = String::new();
    for stream in [
        served
            .child
            .stdout
            .as_mut()
            .map(|s| s as &mut dyn std::io::Read),
        served
            .child
            .stderr
            .as_mut()
            .map(|s| s as &mut dyn std::io::Read),
    ]
    .into_iter()
    .flatten()
    {
        stream.read_to_string(&mut output).unwrap();
    }
    assert!(
        output.contains("expired idempotency records purged"),
        "{output}"
    );
    assert!(
        output.contains("deleted=1") || output.contains("\"deleted\":1"),
        "{output}"
    );
    assert!(!output.contains("key-0001"), "a key was logged: {output}");
}
