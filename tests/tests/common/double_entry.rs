//! The double entry of a 個人番号 (ダブルチェック) in tests: one permitted clerk keys the number
//! (202, pending), a second keys it again to confirm (201). Every test that registers or
//! changes a number goes through here.

use reqwest::RequestBuilder;
use serde_json::{json, Value};
use uuid::Uuid;

use super::{json, TestApp};
use kenpo_api::auth::Role;

/// The second 適用一課 clerk with 個人番号 取扱権限: the confirmer.
pub const CONFIRMER: &str = "mn2";

/// How a test sends a POST (e.g. with a fresh `Idempotency-Key`, recording the body).
pub type Send<'a> = &'a dyn Fn(&TestApp, &str, &str, &Value) -> RequestBuilder;

/// A POST with a fresh `Idempotency-Key`, as the UI sends every command.
pub fn keyed(app: &TestApp, path: &str, token: &str, body: &Value) -> RequestBuilder {
    app.post(path, token, body)
        .header("idempotency-key", Uuid::new_v4().to_string())
}

impl TestApp {
    /// A token for the confirmer [`CONFIRMER`] (put in the registry and access switched on
    /// first: [`TestApp::my_number_confirmer_with_access`]).
    pub fn my_number_confirmer(&self) -> String {
        self.token(CONFIRMER, &[Role::Qualification])
    }

    /// Put [`CONFIRMER`] in the ユーザ管理簿 (個人番号 取扱権限, from 2000-01-01) and switch
    /// their My Number access on, sending with `send`. Asserts 201; returns their token.
    pub async fn my_number_confirmer_with_access_by(&self, send: Send<'_>) -> String {
        self.bootstrap(
            CONFIRMER,
            "適用一課",
            &[Role::Qualification],
            true,
            kenpo_domain::calendar::Date::fixed(2000, 1, 1),
            None,
        )
        .await;
        let token = self.my_number_confirmer();
        let (status, body) = json(
            send(
                self,
                "/api/v1/my-number/access",
                &token,
                &json!({"purpose": "個人番号のダブルチェック"}),
            )
            .send()
            .await
            .unwrap(),
        )
        .await;
        assert_eq!(status, 201, "{body}");
        token
    }

    /// [`TestApp::my_number_confirmer_with_access_by`] with keyed POSTs.
    pub async fn my_number_confirmer_with_access(&self) -> String {
        self.my_number_confirmer_with_access_by(&keyed).await
    }

    /// Confirm the entry `entry_id` of `person` as `token`, keying `number`: the answer.
    pub async fn confirm_my_number_entry(
        &self,
        send: Send<'_>,
        token: &str,
        person: Uuid,
        entry_id: &str,
        number: &str,
    ) -> (u16, Value) {
        json(
            send(
                self,
                &format!("/api/v1/persons/{person}/my-number/entries/{entry_id}/confirmation"),
                token,
                &json!({ "number": number }),
            )
            .send()
            .await
            .unwrap(),
        )
        .await
    }

    /// Both steps: POST the entry `body` (with `number` in it) to `path` as `enterer`; when it
    /// is pending (202 `pending_confirmation` with an entry id, never the number), confirm it
    /// as `confirmer` keying `number` again and answer the confirmation; else answer the entry.
    #[allow(clippy::too_many_arguments)]
    pub async fn enter_and_confirm(
        &self,
        send: Send<'_>,
        person: Uuid,
        path: &str,
        body: &Value,
        number: &str,
        enterer: &str,
        confirmer: &str,
    ) -> (u16, Value) {
        let (status, entry) = json(send(self, path, enterer, body).send().await.unwrap()).await;
        if status != 202 {
            return (status, entry);
        }
        assert_eq!(entry["status"], "pending_confirmation", "{entry}");
        assert!(
            !entry.to_string().contains(number),
            "the entry echoes the number"
        );
        let entry_id = entry["entry_id"].as_str().expect("an entry id").to_owned();
        self.confirm_my_number_entry(send, confirmer, person, &entry_id, number)
            .await
    }

    /// 登録 of `number` for `person` in two steps by `enterer` and `confirmer` (both permitted,
    /// access on), sending with `send`: the confirmation's answer.
    pub async fn register_my_number_by(
        &self,
        send: Send<'_>,
        person: Uuid,
        number: &str,
        enterer: &str,
        confirmer: &str,
    ) -> (u16, Value) {
        let body = json!({ "number": number, "source": "employer", "registered_on": "2025-04-03" });
        self.enter_and_confirm(
            send,
            person,
            &format!("/api/v1/persons/{person}/my-number"),
            &body,
            number,
            enterer,
            confirmer,
        )
        .await
    }

    /// 変更 to `number` for `person` in two steps, as [`TestApp::register_my_number_by`].
    pub async fn change_my_number_by(
        &self,
        send: Send<'_>,
        person: Uuid,
        body: &Value,
        enterer: &str,
        confirmer: &str,
    ) -> (u16, Value) {
        let number = body["number"].as_str().expect("the number").to_owned();
        self.enter_and_confirm(
            send,
            person,
            &format!("/api/v1/persons/{person}/my-number/change"),
            body,
            &number,
            enterer,
            confirmer,
        )
        .await
    }

    /// 登録 of `number` for `person` by `mn1` and [`CONFIRMER`] (both with access on).
    /// Asserts 201 and returns the answer.
    pub async fn register_my_number(&self, person: Uuid, number: &str) -> Value {
        let mn = self.token("mn1", &[Role::Qualification]);
        let (status, answer) = self
            .register_my_number_by(&keyed, person, number, &mn, &self.my_number_confirmer())
            .await;
        assert_eq!(status, 201, "{answer}");
        answer
    }
}
