//! 給付金支給先口座 (the payee's account) — a registration or change is a proposal by one
//! 適用 (`qualification`) member and takes effect when another confirms it
//! (`kenpo_domain::account_change`). The account in force (member view, payment batches) is
//! the last confirmed one.

use axum::extract::State;
use axum::http::StatusCode;
use kenpo_domain::account_change::{ChangeConfirmation, ChangeRejection};
use kenpo_domain::qualification::{PaymentAccountRegistration, PersonCommand};
use serde_json::Value;
use uuid::Uuid;

use super::account_changes::{
    proposed, AccountChangeConfirmationBody, AccountChangeProposed, AccountChangeRejectionBody,
};
use crate::application::command::{self, CommandAnswer, CommandRequest};
use crate::application::person::{self, Recorded};
use crate::json::PathParam;
use crate::problem::{ApiError, Problem};
use crate::state::AppState;

async fn run(
    state: &AppState,
    request: CommandRequest,
    person_id: Uuid,
    command: PersonCommand,
    proposal: Option<Uuid>,
    metadata: kenpo_infrastructure::event_store::EventMetadata,
) -> Result<CommandAnswer, ApiError> {
    let upcasters = state.upcasters.clone();
    command::run(state, &request, |mut tx| async move {
        let recorded = person::execute(
            &mut tx,
            &upcasters,
            person_id,
            command,
            request.expected_version,
            &metadata,
        )
        .await?;
        let answer = match proposal {
            Some(change_id) => proposed(change_id, recorded)?,
            None => {
                let body: Value =
                    serde_json::to_value(&recorded).map_err(|e| ApiError::internal(&e))?;
                CommandAnswer {
                    status: StatusCode::OK,
                    body,
                }
            }
        };
        Ok((tx, answer))
    })
    .await
}

/// 給付金支給先口座 登録・変更 (`qualification`): recorded as a proposal, 202 with `change_id`
/// and `status: "pending_confirmation"`; the account in force does not change until another
/// `qualification` member confirms. Another change pending is 409 `account_change_pending`;
/// the account already in force is 422 `no_change`.
#[utoipa::path(post, path = "/api/v1/persons/{person_id}/payment-account", tag = "適用",
    request_body = PaymentAccountRegistration,
    params(("person_id" = Uuid, Path, description = "person id"),
           ("Idempotency-Key" = Option<String>, Header, description = "repeat-safe key"),
           ("If-Match" = Option<String>, Header, description = "expected stream version")),
    responses((status = 202, body = AccountChangeProposed<Recorded>), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn propose(
    State(state): State<AppState>,
    PathParam(person_id): PathParam<Uuid>,
    request: CommandRequest,
) -> Result<CommandAnswer, ApiError> {
    let role = request.staff.role()?;
    let body: PaymentAccountRegistration = request.parse()?;
    let metadata = request.staff.metadata(role);
    let change_id = Uuid::now_v7();
    let command = PersonCommand::ProposePaymentAccountChange {
        change_id,
        body,
        proposed_by: metadata.actor.clone(),
        proposed_at: chrono::Utc::now(),
    };
    run(
        &state,
        request,
        person_id,
        command,
        Some(change_id),
        metadata,
    )
    .await
}

/// Confirm a pending payee account change (`qualification`, another member than the
/// proposer): the account is in force from now on (`PaymentAccountRegistered`). The proposer
/// is 403 `two_person_rule`; an unknown change 404 `account_change_not_found`; a change
/// already confirmed or rejected 409 `account_change_already_decided`. Nothing is written on
/// a refusal.
#[utoipa::path(post, path = "/api/v1/persons/{person_id}/payment-account/changes/{change_id}/confirmation", tag = "適用",
    request_body = AccountChangeConfirmationBody,
    params(("person_id" = Uuid, Path, description = "person id"),
           ("change_id" = Uuid, Path, description = "the change's id from the proposal"),
           ("Idempotency-Key" = Option<String>, Header, description = "repeat-safe key")),
    responses((status = 200, body = Recorded), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn confirm(
    State(state): State<AppState>,
    PathParam((person_id, change_id)): PathParam<(Uuid, Uuid)>,
    request: CommandRequest,
) -> Result<CommandAnswer, ApiError> {
    let role = request.staff.role()?;
    let _: AccountChangeConfirmationBody = request.parse()?;
    let metadata = request.staff.metadata(role);
    let command = PersonCommand::ConfirmPaymentAccountChange(ChangeConfirmation {
        change_id,
        confirmed_by: metadata.actor.clone(),
        confirmed_at: chrono::Utc::now(),
    });
    run(&state, request, person_id, command, None, metadata).await
}

/// Reject a pending payee account change (`qualification`, another member than the
/// proposer): it never takes effect. Refusals as for a confirmation; no reason is 422
/// `reason_required`.
#[utoipa::path(post, path = "/api/v1/persons/{person_id}/payment-account/changes/{change_id}/rejection", tag = "適用",
    request_body = AccountChangeRejectionBody,
    params(("person_id" = Uuid, Path, description = "person id"),
           ("change_id" = Uuid, Path, description = "the change's id from the proposal"),
           ("Idempotency-Key" = Option<String>, Header, description = "repeat-safe key")),
    responses((status = 200, body = Recorded), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn reject(
    State(state): State<AppState>,
    PathParam((person_id, change_id)): PathParam<(Uuid, Uuid)>,
    request: CommandRequest,
) -> Result<CommandAnswer, ApiError> {
    let role = request.staff.role()?;
    let body: AccountChangeRejectionBody = request.parse()?;
    let mut metadata = request.staff.metadata(role);
    metadata.reason = Some(body.reason.trim().to_owned());
    let command = PersonCommand::RejectPaymentAccountChange(ChangeRejection {
        change_id,
        rejected_by: metadata.actor.clone(),
        rejected_at: chrono::Utc::now(),
        reason: body.reason,
    });
    run(&state, request, person_id, command, None, metadata).await
}
