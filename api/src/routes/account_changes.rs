//! 口座変更の確認 (bank account changes confirmed by a second person, issue 9 item 4): what the
//! payee-account routes share with the employer-account routes — the 202 answer of a proposal
//! and the bodies of a confirmation and a rejection. The rules are in
//! `kenpo_domain::account_change`.

use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::application::command::CommandAnswer;
use crate::problem::ApiError;

/// The `status` of a proposed change.
pub const PENDING_CONFIRMATION: &str = "pending_confirmation";

/// The answer to a proposal (202): the change is recorded and waits for a second person.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountChangeProposed<T: ToSchema> {
    /// Id of the change, for `…/changes/{change_id}/confirmation` or `/rejection`.
    pub change_id: Uuid,
    /// Always `pending_confirmation`: the account in force has not changed.
    pub status: &'static str,
    /// What was recorded (the stream, its version, the `…ChangeProposed` event).
    #[serde(flatten)]
    pub recorded: T,
}

/// 202 with `change_id` and `status: "pending_confirmation"` beside what was recorded.
pub fn proposed<T: Serialize + ToSchema>(
    change_id: Uuid,
    recorded: T,
) -> Result<CommandAnswer, ApiError> {
    let body: Value = serde_json::to_value(AccountChangeProposed {
        change_id,
        status: PENDING_CONFIRMATION,
        recorded,
    })
    .map_err(|e| ApiError::internal(&e))?;
    Ok(CommandAnswer {
        status: StatusCode::ACCEPTED,
        body,
    })
}

/// Confirmation of a pending change (body `{}`): by another staff member than the proposer.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountChangeConfirmationBody {}

/// Rejection of a pending change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountChangeRejectionBody {
    /// Why, 1 to 500 characters.
    pub reason: String,
}
