//! The executed guides kept true: the real `kenpo serve` on this test's fresh database, two
//! accounts bootstrapped with `kenpo accounts bootstrap`, then the guide's script — its commands,
//! which check every figure and answer the guide states — must finish with its last line:
//! `scripts/guide-walkthrough` for docs/guide.md, `scripts/data-protection-walkthrough` for
//! docs/data-protection.md, `scripts/audit-walkthrough` for docs/audit.md. Needs `curl` and `jq`
//! on the machine (the scripts' only tools); missing, the test fails. The scripts get the
//! database's URL too: the auditor's guide runs `kenpo audit` and `kenpo retention`.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use sqlx::PgPool;

/// The `kenpo` binary, which cargo builds for this package's integration tests.
fn kenpo_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_kenpo"))
}

fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../scripts")
        .join(name)
}

fn database_url(pool: &PgPool) -> String {
    let base = std::env::var("DATABASE_URL").unwrap();
    let database = pool.connect_options().get_database().unwrap().to_owned();
    let (server, _) = base.rsplit_once('/').unwrap();
    format!("{server}/{database}")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn require_tool(tool: &str) {
    let found = Command::new(tool)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|status| status.success())
        .unwrap_or(false);
    assert!(
        found,
        "`{tool}` is not installed: scripts/guide-walkthrough (docs/guide.md) needs curl and jq \
         (Debian/Ubuntu: apt-get install curl jq; .ci/run installs them)"
    );
}

/// The server and its KENPO_HOME: the server is killed and the directory removed when the test
/// ends, also when it fails.
struct Server {
    child: Child,
    home: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.home);
    }
}

fn kenpo(home: &Path, database: &str, args: &[&str]) -> Output {
    Command::new(kenpo_binary())
        .args(args)
        .env("DATABASE_URL", database)
        .env("KENPO_HOME", home)
        .env_remove("KENPO_JWT_SECRET")
        .env_remove("KENPO_JWT_SECRET_FILE")
        .env_remove("KENPO_KEY_DIR")
        .env("RUST_LOG", "warn")
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The day of work of docs/guide.md, then what the data protection officer checks of it
/// (docs/data-protection.md), then what an auditor verifies (docs/audit.md), on one server: each
/// guide reads what the ones before it left.
#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn the_guides_run_as_documented(pool: PgPool) {
    walk_through(
        pool,
        &[
            ("guide-walkthrough", "guide: all steps as documented"),
            (
                "data-protection-walkthrough",
                "data-protection: all steps as documented",
            ),
            ("audit-walkthrough", "audit: all steps as documented"),
        ],
    )
    .await;
}

/// Serves kenpo on the fresh database of `pool` and runs each `scripts/<name>` in turn; each
/// must succeed and print its last line last.
async fn walk_through(pool: PgPool, scripts: &[(&str, &str)]) {
    require_tool("curl");
    require_tool("jq");
    let database = database_url(&pool);
    let home = std::env::temp_dir().join(format!("kenpo-guide-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&home).unwrap();

    for (user, department, role) in [
        ("admin1", "IT推進課", "system_admin"),
        ("dpo1", "総務課", "data_protection"),
    ] {
        let out = kenpo(
            &home,
            &database,
            &[
                "accounts",
                "bootstrap",
                "--user",
                user,
                "--department",
                department,
                "--role",
                role,
            ],
        );
        assert!(
            out.status.success(),
            "bootstrap {user}: {}",
            text(&out.stderr)
        );
    }

    let port = free_port();
    let log = home.join("serve.log");
    let log_file = std::fs::File::create(&log).unwrap();
    let child = Command::new(kenpo_binary())
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .env("DATABASE_URL", &database)
        .env("KENPO_HOME", &home)
        .env_remove("KENPO_JWT_SECRET")
        .env_remove("KENPO_JWT_SECRET_FILE")
        .env_remove("KENPO_KEY_DIR")
        .env("RUST_LOG", "warn")
        .stdout(log_file.try_clone().unwrap())
        .stderr(log_file)
        .spawn()
        .unwrap();
    let mut server = Server {
        child,
        home: home.clone(),
    };

    let ready = format!("http://127.0.0.1:{port}/readyz");
    let client = reqwest::Client::new();
    let started = Instant::now();
    loop {
        if let Ok(response) = client.get(&ready).send().await {
            if response.status().is_success() {
                break;
            }
        }
        if let Some(status) = server.child.try_wait().unwrap() {
            panic!(
                "kenpo serve exited ({status}): {}",
                std::fs::read_to_string(&log).unwrap_or_default()
            );
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "kenpo serve not ready after 60 s: {}",
            std::fs::read_to_string(&log).unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    for (name, last_line) in scripts {
        let out = Command::new("bash")
            .arg(script(name))
            .env("KENPO_API", format!("http://127.0.0.1:{port}/api/v1"))
            .env("KENPO_BIN", kenpo_binary())
            .env("KENPO_HOME", &home)
            .env("DATABASE_URL", &database)
            .env_remove("KENPO_JWT_SECRET")
            .env_remove("KENPO_JWT_SECRET_FILE")
            .env_remove("ADMIN_TOKEN")
            .env_remove("DPO_TOKEN")
            .env("ADMIN_USER", "admin1")
            .env("DPO_USER", "dpo1")
            .env("GUIDE_OUT", home.join("out"))
            .output()
            .unwrap();
        let stdout = text(&out.stdout);
        assert!(
            out.status.success(),
            "scripts/{name} failed ({}):\n{stdout}\n{}\nserver log:\n{}",
            out.status,
            text(&out.stderr),
            std::fs::read_to_string(&log).unwrap_or_default()
        );
        assert_eq!(stdout.lines().last(), Some(*last_line), "{stdout}");
    }
    drop(server);
}
