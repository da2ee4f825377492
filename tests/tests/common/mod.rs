//! A running kenpo HTTP API on a random port against the test's own database.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::Arc;

use kenpo_api::application::staff::{bootstrap_account, BootstrapMode};
use kenpo_api::auth::{Role, SigningKey};
use kenpo_api::state::AppState;
use kenpo_domain::calendar::Date;
use kenpo_domain::staff::{self as registry, AccountDetails, Department, StaffId};
use reqwest::{Client, RequestBuilder, Response};
use serde_json::Value;
use sqlx::PgPool;

pub struct TestApp {
    pub base: String,
    pub client: Client,
    pub key: SigningKey,
    pub pool: PgPool,
    /// Events in the log once the standard accounts are bootstrapped.
    pub baseline_events: i64,
    /// Where this app's key-encryption and blind-index keys are (outside the database).
    pub key_dir: std::path::PathBuf,
    pub keys: Arc<kenpo_infrastructure::crypto::FileKeyStore>,
    /// Stops the server and closes its pool when the app is dropped.
    _server: ServerGuard,
}

/// Ends the test server with the app: aborts its task and closes its own pool (the
/// application role's), so that sqlx can drop the test database at once. While a connection
/// of that pool is open, PostgreSQL waits 5 s and then refuses `DROP DATABASE`: every test
/// would take 5 s longer and leave its database behind.
struct ServerGuard {
    server: tokio::task::AbortHandle,
    pool: PgPool,
}

impl Drop for ServerGuard {
    fn drop(&mut self) {
        self.server.abort();
        let pool = self.pool.clone();
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move { pool.close().await });
        }
    }
}

/// The 徴収課 clerk some tests add to the registry ([`TestApp::bootstrap_choshu`]); not a
/// standard account.
pub const CHOSHU: &str = "choshu1";

/// The accounts every test app has in its ユーザ管理簿 (user, 課, roles), valid from
/// 2000-01-01 without end and without 個人番号 取扱権限. Every request checks the registry, so
/// a token for anyone else is refused (401 `account_not_active`).
pub const STANDARD_ACCOUNTS: &[(&str, &str, &[Role])] = &[
    ("clerk1", "適用一課", &[Role::Qualification]),
    ("kyufu1", "給付課", &[Role::Benefits]),
    ("audit1", "監査室", &[Role::Auditor]),
    ("admin1", "IT推進課", &[Role::SystemAdmin]),
    ("admin2", "IT推進課", &[Role::SystemAdmin]),
    ("dpo1", "企画部", &[Role::DataProtection]),
    ("dpo2", "企画部", &[Role::DataProtection]),
];

/// A pool on the test's database as a login member of `kenpo_app`, the application role: the
/// server under test has exactly the privileges `kenpo serve` has (SELECT and INSERT on the
/// log, nothing that rewrites it), so a route that needs more fails its tests. The test's own
/// `pool` (a superuser) stays for assertions and set-up.
pub async fn service_pool(pool: &PgPool) -> PgPool {
    // roles are cluster-wide: created once, by whichever test gets there first
    sqlx::query(
        "DO $$ BEGIN
           IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'kenpo_test_service') THEN
             CREATE ROLE kenpo_test_service LOGIN IN ROLE kenpo_app;
           END IF;
         EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
         END $$",
    )
    .execute(pool)
    .await
    .unwrap();
    let options = pool
        .connect_options()
        .as_ref()
        .clone()
        .username("kenpo_test_service");
    sqlx::postgres::PgPoolOptions::new()
        .max_connections(8)
        .connect_with(options)
        .await
        .expect("connect as kenpo_test_service (the test server must trust local connections)")
}

/// Serve the real router on 127.0.0.1:<random> with a fresh signing key, after bootstrapping
/// the [`STANDARD_ACCOUNTS`]. The server runs as the application role ([`service_pool`]).
pub async fn spawn_app(pool: PgPool) -> TestApp {
    let key = SigningKey::new(b"test-signing-secret-of-32-bytes!!".to_vec()).unwrap();
    spawn_app_with_key(pool, key).await
}

/// [`spawn_app`] verifying tokens with `key` (e.g. an identity provider's,
/// [`SigningKey::identity_provider`]).
pub async fn spawn_app_with_key(pool: PgPool, key: SigningKey) -> TestApp {
    let service = service_pool(&pool).await;
    // the key-encryption and blind-index keys live in a directory of this test's own
    let key_dir = std::env::temp_dir().join(format!("kenpo-test-keys-{}", uuid::Uuid::new_v4()));
    // opened as the server opens them: created for the empty database, check values recorded
    let keys = kenpo_infrastructure::crypto::key_check::open_checked(
        &service,
        &key_dir,
        kenpo_infrastructure::crypto::key_check::Mode::Start,
    )
    .await
    .unwrap()
    .store;
    let keys = Arc::new(keys);
    let server_guard_pool = service.clone();
    let state = AppState {
        pool: service,
        signing_key: key.clone(),
        upcasters: Arc::new(kenpo_api::startup::upcasters()),
        keks: keys.clone(),
        bik: keys.clone(),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move {
        axum::serve(
            listener,
            kenpo_api::startup::router(state).into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap();
    });
    let mut app = TestApp {
        base: format!("http://{addr}"),
        client: Client::new(),
        key,
        pool,
        baseline_events: 0,
        key_dir,
        keys,
        _server: ServerGuard {
            server: server.abort_handle(),
            pool: server_guard_pool,
        },
    };
    for (user, department, roles) in STANDARD_ACCOUNTS {
        app.bootstrap(
            user,
            department,
            roles,
            false,
            Date::fixed(2000, 1, 1),
            None,
        )
        .await;
    }
    app.baseline_events = app.total_event_count().await;
    app
}

impl TestApp {
    pub fn token(&self, user: &str, roles: &[Role]) -> String {
        self.key
            .mint(user, roles, chrono::Duration::minutes(10))
            .unwrap()
    }

    pub fn clerk(&self) -> String {
        self.token("clerk1", &[Role::Qualification])
    }

    /// The 給付課 clerk of the [`STANDARD_ACCOUNTS`].
    pub fn kyufu(&self) -> String {
        self.token("kyufu1", &[Role::Benefits])
    }

    /// The 徴収課 clerk [`CHOSHU`] (put in the registry first: [`TestApp::bootstrap_choshu`]).
    pub fn choshu(&self) -> String {
        self.token(CHOSHU, &[Role::Premiums])
    }

    /// Put the 徴収課 clerk [`CHOSHU`] in the ユーザ管理簿 (from 2000-01-01, no end, no 個人番号
    /// 取扱権限) and return a token for them.
    pub async fn bootstrap_choshu(&self) -> String {
        self.bootstrap(
            CHOSHU,
            "徴収課",
            &[Role::Premiums],
            false,
            Date::fixed(2000, 1, 1),
            None,
        )
        .await;
        self.choshu()
    }

    pub fn post(&self, path: &str, token: &str, body: &Value) -> RequestBuilder {
        self.client
            .post(format!("{}{}", self.base, path))
            .bearer_auth(token)
            .header("x-terminal-id", "T-001")
            .json(body)
    }

    pub fn get(&self, path: &str, token: &str) -> RequestBuilder {
        self.client
            .get(format!("{}{}", self.base, path))
            .bearer_auth(token)
    }

    /// POST `body` to `path` as `token`; the answer's status and JSON body.
    pub async fn post_json(&self, path: &str, token: &str, body: &Value) -> (u16, Value) {
        json(self.post(path, token, body).send().await.unwrap()).await
    }

    /// POST `body` to `path` as `token` based on stream version `version` (`If-Match`); the
    /// answer's status and JSON body.
    pub async fn post_json_if_match(
        &self,
        path: &str,
        token: &str,
        body: &Value,
        version: i64,
    ) -> (u16, Value) {
        json(
            self.post(path, token, body)
                .header("if-match", format!("\"{version}\""))
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    /// GET `path` as `token`; the answer's status and JSON body.
    pub async fn get_json(&self, path: &str, token: &str) -> (u16, Value) {
        json(self.get(path, token).send().await.unwrap()).await
    }

    /// GET `path` without a token (health checks, the OpenAPI document).
    pub async fn get_public_json(&self, path: &str) -> (u16, Value) {
        json(
            self.client
                .get(format!("{}{}", self.base, path))
                .send()
                .await
                .unwrap(),
        )
        .await
    }

    /// Events recorded since the app started (the accounts' bootstrap not counted).
    pub async fn event_count(&self) -> i64 {
        self.total_event_count().await - self.baseline_events
    }

    /// Record the statutory parameters (as `kenpo serve` does at start-up) and move the event
    /// baseline past them.
    pub async fn seed_statutory_parameters(&mut self) {
        kenpo_api::application::parameters::seed_statutory(&self.pool)
            .await
            .unwrap();
        self.baseline_events = self.total_event_count().await;
    }

    /// Every event in the log.
    pub async fn total_event_count(&self) -> i64 {
        sqlx::query_scalar("SELECT count(*) FROM events")
            .fetch_one(&self.pool)
            .await
            .unwrap()
    }

    /// Put `user` in the ユーザ管理簿 directly (as `kenpo accounts bootstrap --force` does).
    pub async fn bootstrap(
        &self,
        user: &str,
        department: &str,
        roles: &[Role],
        my_number_permission: bool,
        valid_from: Date,
        valid_to: Option<Date>,
    ) {
        let details = AccountDetails {
            department: Department::parse(department).unwrap(),
            roles: roles.iter().map(|r| registry::Role::from(*r)).collect(),
            my_number_permission,
            valid_from,
            valid_to,
        };
        bootstrap_account(
            &self.pool,
            &kenpo_api::startup::upcasters(),
            StaffId::parse(user).unwrap(),
            details,
            BootstrapMode::Force,
        )
        .await
        .unwrap();
    }
}

pub async fn json(response: Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let body = response.json::<Value>().await.unwrap_or(Value::Null);
    (status, body)
}
pub mod bodies;
pub mod double_entry;
pub mod four_eyes;
pub mod setup;
