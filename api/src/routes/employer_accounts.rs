//! 事業主口座 (employers' accounts benefits are paid to): registered, changed and closed by the
//! 給付課 (`benefits`); read by the 給付課 and 監査 (`auditor`). See
//! `application::employer_accounts` for the decisions.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use kenpo_domain::account_change::{ChangeConfirmation, ChangeRejection};
use kenpo_domain::calendar::Date;
use kenpo_domain::employers::{
    AccountClosure, AccountRegistration, EmployerAccountChange, EmployerCommand, PaymentAccount,
};
use kenpo_projections::employer_accounts::{query, EmployerAccountRow};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::account_changes::{
    proposed, AccountChangeConfirmationBody, AccountChangeProposed, AccountChangeRejectionBody,
};
use crate::application::command::{self, CommandAnswer, CommandRequest};
use crate::application::employer_accounts::{
    self, check_transferable, not_registered, parse_office_code, EmployerAccountRecorded,
};
use crate::application::parameters::today;
use crate::application::read_log;
use crate::auth::Staff;
use crate::json::{PathParam, QueryParams};
use crate::problem::{ApiError, Problem};
use crate::state::AppState;

fn answer(
    status: StatusCode,
    recorded: &EmployerAccountRecorded,
) -> Result<CommandAnswer, ApiError> {
    let body: Value = serde_json::to_value(recorded).map_err(|e| ApiError::internal(&e))?;
    Ok(CommandAnswer { status, body })
}

/// 事業主口座 登録・変更: the account benefits are paid to from `effective_from` on.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmployerAccountRegistration {
    /// First day the account is paid to (ISO or 和暦); after the latest entry's day.
    pub effective_from: Date,
    /// The account: bank_code (4 digits), branch_code (3), account_type, account_number (7),
    /// holder (名義人, full-width カナ), optional bank_name / branch_name.
    pub account: PaymentAccount,
    /// 受付年月日 of the 事業主's notice.
    pub received_on: Date,
}

/// 事業主口座 廃止: no account from `effective_from` on.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmployerAccountClosure {
    /// First day without an account (after the latest entry's day).
    pub effective_from: Date,
    /// 受付年月日 of the notice.
    pub received_on: Date,
    /// Why (事業所廃止, 事業主の申出, …), 1 to 500 characters.
    pub reason: String,
}

/// Propose to register the 事業所's account from a day on, or change it from a later day
/// (`benefits`): 202 with `change_id` and `status: "pending_confirmation"`; nothing is in
/// force until another `benefits` member confirms. The earlier account stays in force for the
/// days before. An account a 全銀 file cannot carry is 422 `account_not_transferable`; a day
/// not after the latest entry is 409 `effective_from_not_after_latest`; the account already in
/// force is 409 `no_change`; another change pending is 409 `account_change_pending`.
#[utoipa::path(post, path = "/api/v1/employers/{office_code}/payment-account", tag = "給付",
    request_body = EmployerAccountRegistration,
    params(("office_code" = String, Path, description = "事業所コード (1 to 8 digits)"),
           ("Idempotency-Key" = Option<String>, Header, description = "repeat-safe key"),
           ("If-Match" = Option<String>, Header, description = "expected stream version")),
    responses((status = 202, body = AccountChangeProposed<EmployerAccountRecorded>), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn register(
    State(state): State<AppState>,
    PathParam(office_code): PathParam<String>,
    request: CommandRequest,
) -> Result<CommandAnswer, ApiError> {
    let role = request.staff.role()?;
    let office_code = parse_office_code(&office_code)?;
    let body: EmployerAccountRegistration = request.parse()?;
    check_transferable(&body.account)?;
    let change = EmployerAccountChange::Register(AccountRegistration {
        office_code: office_code.clone(),
        effective_from: body.effective_from,
        account: body.account,
        received_on: body.received_on,
    });
    let metadata = request.staff.metadata(role);
    propose(&state, request, office_code, change, metadata).await
}

async fn propose(
    state: &AppState,
    request: CommandRequest,
    office_code: kenpo_domain::employers::OfficeCode,
    change: EmployerAccountChange,
    metadata: kenpo_infrastructure::event_store::EventMetadata,
) -> Result<CommandAnswer, ApiError> {
    let change_id = Uuid::now_v7();
    let command = EmployerCommand::ProposeChange {
        change_id,
        change,
        proposed_by: metadata.actor.clone(),
        proposed_at: chrono::Utc::now(),
    };
    decide(
        state,
        request,
        office_code,
        command,
        Some(change_id),
        metadata,
    )
    .await
}

async fn decide(
    state: &AppState,
    request: CommandRequest,
    office_code: kenpo_domain::employers::OfficeCode,
    command: EmployerCommand,
    proposal: Option<Uuid>,
    metadata: kenpo_infrastructure::event_store::EventMetadata,
) -> Result<CommandAnswer, ApiError> {
    let upcasters = state.upcasters.clone();
    command::run(state, &request, |mut tx| async move {
        let recorded = employer_accounts::execute(
            &mut tx,
            &upcasters,
            &office_code,
            command,
            request.expected_version,
            &metadata,
        )
        .await?;
        let answer = match proposal {
            Some(change_id) => proposed(change_id, recorded)?,
            None => answer(StatusCode::OK, &recorded)?,
        };
        Ok((tx, answer))
    })
    .await
}

/// Confirm a pending change of the 事業所's register (`benefits`, another member than the
/// proposer): it takes effect (`EmployerAccountRegistered` / `EmployerAccountClosed`), checked
/// again against the register. The proposer is 403 `two_person_rule`; an unknown change 404
/// `account_change_not_found`; one already confirmed or rejected 409
/// `account_change_already_decided`. Nothing is written on a refusal.
#[utoipa::path(post, path = "/api/v1/employers/{office_code}/payment-account/changes/{change_id}/confirmation", tag = "給付",
    request_body = AccountChangeConfirmationBody,
    params(("office_code" = String, Path, description = "事業所コード (1 to 8 digits)"),
           ("change_id" = Uuid, Path, description = "the change's id from the proposal"),
           ("Idempotency-Key" = Option<String>, Header, description = "repeat-safe key")),
    responses((status = 200, body = EmployerAccountRecorded), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem),
              (status = 422, body = Problem)))]
pub async fn confirm(
    State(state): State<AppState>,
    PathParam((office_code, change_id)): PathParam<(String, Uuid)>,
    request: CommandRequest,
) -> Result<CommandAnswer, ApiError> {
    let role = request.staff.role()?;
    let office_code = parse_office_code(&office_code)?;
    let _: AccountChangeConfirmationBody = request.parse()?;
    let metadata = request.staff.metadata(role);
    let command = EmployerCommand::ConfirmChange {
        office_code: office_code.clone(),
        confirmation: ChangeConfirmation {
            change_id,
            confirmed_by: metadata.actor.clone(),
            confirmed_at: chrono::Utc::now(),
        },
    };
    decide(&state, request, office_code, command, None, metadata).await
}

/// Reject a pending change of the 事業所's register (`benefits`, another member than the
/// proposer): it never takes effect. Refusals as for a confirmation; no reason is 422
/// `reason_required`.
#[utoipa::path(post, path = "/api/v1/employers/{office_code}/payment-account/changes/{change_id}/rejection", tag = "給付",
    request_body = AccountChangeRejectionBody,
    params(("office_code" = String, Path, description = "事業所コード (1 to 8 digits)"),
           ("change_id" = Uuid, Path, description = "the change's id from the proposal"),
           ("Idempotency-Key" = Option<String>, Header, description = "repeat-safe key")),
    responses((status = 200, body = EmployerAccountRecorded), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem),
              (status = 422, body = Problem)))]
pub async fn reject(
    State(state): State<AppState>,
    PathParam((office_code, change_id)): PathParam<(String, Uuid)>,
    request: CommandRequest,
) -> Result<CommandAnswer, ApiError> {
    let role = request.staff.role()?;
    let office_code = parse_office_code(&office_code)?;
    let body: AccountChangeRejectionBody = request.parse()?;
    let mut metadata = request.staff.metadata(role);
    metadata.reason = Some(body.reason.trim().to_owned());
    let command = EmployerCommand::RejectChange {
        office_code: office_code.clone(),
        rejection: ChangeRejection {
            change_id,
            rejected_by: metadata.actor.clone(),
            rejected_at: chrono::Utc::now(),
            reason: body.reason,
        },
    };
    decide(&state, request, office_code, command, None, metadata).await
}

/// Propose to close the 事業所's account from a day on (`benefits`; 202
/// `pending_confirmation`, in force once another `benefits` member confirms): claims to be
/// paid to it after that day wait until an account is registered again. No account in force at the end of the
/// register is 409 `no_account_to_close`; no reason is 422 `reason_required`.
#[utoipa::path(post, path = "/api/v1/employers/{office_code}/payment-account/closure", tag = "給付",
    request_body = EmployerAccountClosure,
    params(("office_code" = String, Path, description = "事業所コード (1 to 8 digits)"),
           ("Idempotency-Key" = Option<String>, Header, description = "repeat-safe key"),
           ("If-Match" = Option<String>, Header, description = "expected stream version")),
    responses((status = 202, body = AccountChangeProposed<EmployerAccountRecorded>), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn close(
    State(state): State<AppState>,
    PathParam(office_code): PathParam<String>,
    request: CommandRequest,
) -> Result<CommandAnswer, ApiError> {
    let role = request.staff.role()?;
    let office_code = parse_office_code(&office_code)?;
    let body: EmployerAccountClosure = request.parse()?;
    let mut metadata = request.staff.metadata(role);
    metadata.reason = Some(body.reason.trim().to_owned());
    let change = EmployerAccountChange::Close(AccountClosure {
        office_code: office_code.clone(),
        effective_from: body.effective_from,
        received_on: body.received_on,
        reason: body.reason,
    });
    propose(&state, request, office_code, change, metadata).await
}

/// `?on=` of a look-up.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct OnQuery {
    /// The day (ISO or 和暦); today in Japan when absent.
    #[param(value_type = Option<String>)]
    pub on: Option<Date>,
}

/// A 事業所's register: the entry in force on a day and every entry.
#[derive(Debug, Serialize, ToSchema)]
pub struct EmployerAccountView {
    /// 事業所コード.
    pub office_code: String,
    /// The day `in_force` is for.
    pub on: Date,
    /// The entry in force on `on`: an account (`status: registered`) or a closure
    /// (`status: closed`, no account); absent before the first account takes effect.
    pub in_force: Option<EmployerAccountRow>,
    /// Every entry, newest first, each with its last day (`effective_to`).
    pub history: Vec<EmployerAccountRow>,
    /// A change proposed and waiting for another `benefits` member's confirmation
    /// (口座変更の確認); `in_force` and `history` do not include it until then.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pending_change: Option<PendingEmployerAccountChange>,
    /// The stream's version (for `If-Match`).
    pub stream_version: i64,
}

/// A change of the register waiting for its second person.
#[derive(Debug, Serialize, ToSchema)]
pub struct PendingEmployerAccountChange {
    /// Id for `…/payment-account/changes/{change_id}/confirmation` or `/rejection`.
    pub change_id: Uuid,
    /// The change proposed: `{"register": {office_code, effective_from, account,
    /// received_on}}` or `{"close": {office_code, effective_from, received_on, reason}}`.
    #[schema(value_type = Object)]
    pub change: EmployerAccountChange,
    /// 職員ID of the proposer.
    pub proposed_by: String,
    pub proposed_at: chrono::DateTime<chrono::Utc>,
}

/// The 事業所's account in force on `on`, its history and the change waiting for a second
/// person, if any (`benefits`, `auditor`). Nothing ever registered nor proposed: 404
/// `employer_account_not_registered`, saying how to register one.
#[utoipa::path(get, path = "/api/v1/employers/{office_code}/payment-account", tag = "給付",
    params(("office_code" = String, Path, description = "事業所コード (1 to 8 digits)"), OnQuery),
    responses((status = 200, body = EmployerAccountView), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn account(
    State(state): State<AppState>,
    staff: Staff,
    PathParam(office_code): PathParam<String>,
    QueryParams(query): QueryParams<OnQuery>,
) -> Result<Json<EmployerAccountView>, ApiError> {
    staff.role()?;
    let office_code = parse_office_code(&office_code)?;
    let on = query.on.unwrap_or_else(today);
    let history = query::history(&state.pool, office_code.as_str())
        .await
        .map_err(|e| ApiError::internal(&e))?;
    let mut conn = state
        .pool
        .acquire()
        .await
        .map_err(|e| ApiError::internal(&e))?;
    let loaded = employer_accounts::load(&mut conn, &state.upcasters, &office_code).await?;
    let pending_change = loaded
        .aggregate
        .pending_change()
        .map(|p| PendingEmployerAccountChange {
            change_id: p.change_id,
            change: p.change.clone(),
            proposed_by: p.proposed_by.clone(),
            proposed_at: p.proposed_at,
        });
    if history.is_empty() && pending_change.is_none() {
        return Err(not_registered(&office_code));
    }
    let in_force = history.iter().find(|r| r.effective_from <= on).cloned();
    let view = EmployerAccountView {
        office_code: office_code.as_str().to_owned(),
        on,
        in_force,
        history,
        pending_change,
        stream_version: loaded.version,
    };
    read_log::record(&state.pool, &staff, &view, view.history.len()).await?;
    Ok(Json(view))
}
