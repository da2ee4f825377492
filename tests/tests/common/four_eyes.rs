//! The second staff member of each four-eyes step (issue 9 item 4): a second 給付課 clerk who
//! decides what the first calculated, approves the batches the first created and confirms the
//! bank account changes the first proposed; a second 適用 clerk who confirms a payee's account.
//! Not standard accounts: a test puts them in the ユーザ管理簿 when it needs them.

use kenpo_api::auth::Role;
use kenpo_domain::calendar::Date;
use serde_json::{json, Value};

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
}
