//! A running kenpo HTTP API on a random port against the test's own database.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::Arc;

use kenpo_api::auth::{Role, SigningKey};
use kenpo_api::state::AppState;
use reqwest::{Client, RequestBuilder, Response};
use serde_json::Value;
use sqlx::PgPool;

pub struct TestApp {
    pub base: String,
    pub client: Client,
    pub key: SigningKey,
    pub pool: PgPool,
}

/// Serve the real router on 127.0.0.1:<random> with a fresh signing key.
pub async fn spawn_app(pool: PgPool) -> TestApp {
    let key = SigningKey::new(b"test-signing-secret-of-32-bytes!!".to_vec()).unwrap();
    let state = AppState {
        pool: pool.clone(),
        signing_key: key.clone(),
        upcasters: Arc::new(kenpo_api::startup::upcasters()),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(
            listener,
            kenpo_api::startup::router(state).into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap();
    });
    TestApp {
        base: format!("http://{addr}"),
        client: Client::new(),
        key,
        pool,
    }
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

    pub async fn event_count(&self) -> i64 {
        sqlx::query_scalar("SELECT count(*) FROM events")
            .fetch_one(&self.pool)
            .await
            .unwrap()
    }
}

pub async fn json(response: Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let body = response.json::<Value>().await.unwrap_or(Value::Null);
    (status, body)
}
pub mod bodies;
