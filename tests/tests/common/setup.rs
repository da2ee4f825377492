//! Set-up steps many HTTP tests share: parameters, 資格取得, person commands, the OpenAPI
//! document. Each asserts the status it expects, so a test fails where its set-up does.

use serde_json::Value;
use uuid::Uuid;

use super::TestApp;
use kenpo_api::auth::Role;

impl TestApp {
    /// The 適用一課 clerk `mn1` with 個人番号 取扱権限, valid from 2000-01-01: bootstraps the
    /// account and returns a token for it.
    pub async fn my_number_clerk(&self) -> String {
        self.bootstrap(
            "mn1",
            "適用一課",
            &[Role::Qualification],
            true,
            kenpo_domain::calendar::Date::fixed(2000, 1, 1),
            None,
        )
        .await;
        self.token("mn1", &[Role::Qualification])
    }

    /// [`TestApp::my_number_clerk`] with My Number access switched on for the purpose 登録.
    /// Asserts 201.
    pub async fn my_number_clerk_with_access(&self) -> String {
        let token = self.my_number_clerk().await;
        let (status, body) = self
            .post_json(
                "/api/v1/my-number/access",
                &token,
                &serde_json::json!({"purpose": "登録"}),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        token
    }

    /// Record a value of parameter `key` as the IT推進課 admin: `body` carries
    /// `effective_from`, `value`, `source` and `reason`. Asserts 201.
    pub async fn set_parameter(&self, key: &str, body: &Value) -> Value {
        let admin = self.token("admin1", &[Role::SystemAdmin]);
        let (status, answer) = self
            .post_json(&format!("/api/v1/parameters/{key}"), &admin, body)
            .await;
        assert_eq!(status, 201, "{key}: {answer}");
        answer
    }

    /// POST `body` to `path` as `token` and expect a refusal: asserts the `status` and the
    /// problem's `code`, and that no event was written. Returns the problem document.
    pub async fn post_refused(
        &self,
        path: &str,
        token: &str,
        body: &Value,
        status: u16,
        code: &str,
    ) -> Value {
        let before = self.event_count().await;
        let (got, problem) = self.post_json(path, token, body).await;
        assert_eq!(
            (got, problem["code"].as_str()),
            (status, Some(code)),
            "{problem}"
        );
        assert_eq!(self.event_count().await, before, "a refusal wrote events");
        problem
    }

    /// 資格取得 of `body` by the 適用 clerk. Asserts 201 and returns the answer.
    pub async fn acquire(&self, body: &Value) -> Value {
        let (status, answer) = self
            .post_json("/api/v1/acquisitions", &self.clerk(), body)
            .await;
        assert_eq!(status, 201, "{answer}");
        answer
    }

    /// A command on person `id` (`/api/v1/persons/{id}/{path}`) by the 適用 clerk. Asserts 200
    /// and returns the answer.
    pub async fn person_command(&self, id: Uuid, path: &str, body: &Value) -> Value {
        let (status, answer) = self
            .post_json(&format!("/api/v1/persons/{id}/{path}"), &self.clerk(), body)
            .await;
        assert_eq!(status, 200, "{path}: {answer}");
        answer
    }

    /// Rebuild every read model from position 0 (`kenpo projections rebuild`), `batch` events
    /// at a time.
    pub async fn rebuild_projections(&self, batch: i64) {
        kenpo_projections::rebuild(
            &self.pool,
            &kenpo_api::startup::upcasters(),
            batch,
            &|_: u64, _: u64| {},
        )
        .await
        .unwrap();
    }

    /// The OpenAPI document. Asserts 200.
    pub async fn openapi(&self) -> Value {
        let (status, document) = self.get_public_json("/api/v1/openapi.json").await;
        assert_eq!(status, 200, "{document}");
        document
    }
}
