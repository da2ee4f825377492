//! The second staff member of each four-eyes step (issue 9 item 4): a second 給付課 clerk who
//! decides what the first calculated, approves the batches the first created and confirms the
//! bank account changes the first proposed; a second 適用 clerk who confirms a payee's account.
//! Not standard accounts: a test puts them in the ユーザ管理簿 when it needs them.

use kenpo_api::auth::Role;
use kenpo_domain::calendar::Date;
use serde_json::{json, Value};
use uuid::Uuid;

use super::TestApp;

/// The second 給付課 clerk.
pub const KYUFU2: &str = "kyufu2";
/// The second 適用一課 clerk.
pub const CLERK2: &str = "clerk2";

impl TestApp {
    /// A token for [`KYUFU2`] (put in the registry first: [`TestApp::bootstrap_kyufu2`]).
    pub fn kyufu2(&self) -> String {
        self.token(KYUFU2, &[Role::Benefits])
    }

    /// Put the second 給付課 clerk [`KYUFU2`] in the ユーザ管理簿 (from 2000-01-01, no end)
    /// and return a token for them.
    pub async fn bootstrap_kyufu2(&self) -> String {
        self.bootstrap(
            KYUFU2,
            "給付課",
            &[Role::Benefits],
            false,
            Date::fixed(2000, 1, 1),
            None,
        )
        .await;
        self.kyufu2()
    }

    /// A token for [`CLERK2`] (put in the registry first: [`TestApp::bootstrap_clerk2`]).
    pub fn clerk2(&self) -> String {
        self.token(CLERK2, &[Role::Qualification])
    }

    /// Put the second 適用一課 clerk [`CLERK2`] in the ユーザ管理簿 (from 2000-01-01, no end)
    /// and return a token for them.
    pub async fn bootstrap_clerk2(&self) -> String {
        self.bootstrap(
            CLERK2,
            "適用一課",
            &[Role::Qualification],
            false,
            Date::fixed(2000, 1, 1),
            None,
        )
        .await;
        self.clerk2()
    }

    /// 振込データ承認 of `batch_id` by [`KYUFU2`] (in the registry already); asserts 200 and
    /// returns the answer.
    pub async fn approve_batch(&self, batch_id: &str) -> Value {
        let (status, answer) = self
            .post_json(
                &format!("/api/v1/payment-batches/{batch_id}/approval"),
                &self.kyufu2(),
                &json!({}),
            )
            .await;
        assert_eq!(status, 200, "{answer}");
        answer
    }

    /// 給付金支給先口座 of `person`: proposed by the 適用 clerk (202 `pending_confirmation`) and
    /// confirmed by [`CLERK2`] (in the registry already: [`TestApp::bootstrap_clerk2`]).
    /// Returns the confirmation's answer.
    pub async fn register_payee_account(&self, person: Uuid, body: &Value) -> Value {
        let base = format!("/api/v1/persons/{person}/payment-account");
        let (status, proposal) = self.post_json(&base, &self.clerk(), body).await;
        assert_eq!(status, 202, "{proposal}");
        assert_eq!(proposal["status"], "pending_confirmation", "{proposal}");
        let change_id = proposal["change_id"]
            .as_str()
            .expect("change_id")
            .to_owned();
        let (status, answer) = self
            .post_json(
                &format!("{base}/changes/{change_id}/confirmation"),
                &self.clerk2(),
                &json!({}),
            )
            .await;
        assert_eq!(status, 200, "{answer}");
        answer
    }

    /// A 事業主口座 change at `path` (`/api/v1/employers/{code}/payment-account` or its
    /// `/closure`): proposed by the 給付課 clerk (202) and confirmed by [`KYUFU2`] (in the
    /// registry already). Returns the confirmation's answer.
    pub async fn change_employer_account(&self, path: &str, body: &Value) -> Value {
        let (status, proposal) = self.post_json(path, &self.kyufu(), body).await;
        assert_eq!(status, 202, "{proposal}");
        assert_eq!(proposal["status"], "pending_confirmation", "{proposal}");
        let change_id = proposal["change_id"].as_str().expect("change_id");
        let base = path.trim_end_matches("/closure");
        let (status, answer) = self
            .post_json(
                &format!("{base}/changes/{change_id}/confirmation"),
                &self.kyufu2(),
                &json!({}),
            )
            .await;
        assert_eq!(status, 200, "{answer}");
        answer
    }
}
