//! ユーザ管理簿 (staff account registry): changes proposed by the システム担当 (`system_admin`),
//! confirmed or rejected by the データ保護担当者 (`data_protection`, never the proposer), and
//! the registry itself for both.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use kenpo_domain::staff::{AccountChange, Reason, StaffAccount, StaffId};
use kenpo_infrastructure::event_store;
use kenpo_projections::staff_accounts::{query, StaffAccountView};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::application::aggregate::stream_id;
use crate::application::command::{self, CommandAnswer, CommandRequest};
use crate::application::read_log;
use crate::application::staff::{self, AccountRecorded};
use crate::auth::{Role, Staff};
use crate::json::PathParam;
use crate::problem::{ApiError, Problem};
use crate::routes::events::EventRecord;
use crate::state::AppState;

fn answer(status: StatusCode, recorded: &AccountRecorded) -> Result<CommandAnswer, ApiError> {
    let body: Value = serde_json::to_value(recorded).map_err(|e| ApiError::internal(&e))?;
    Ok(CommandAnswer { status, body })
}

/// A proposed change to one account.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeProposal {
    /// 職員ID of the account.
    pub staff_id: StaffId,
    /// `kind`: `create` or `update` (with department, roles, my_number_permission,
    /// valid_from, valid_to), or `revoke` (with reason).
    pub change: AccountChange,
}

/// Approval of a pending change: an empty object.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeApproval {}

/// Rejection of a pending change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeRejection {
    /// Why the change is rejected.
    pub reason: Reason,
}

/// Propose a change to the ユーザ管理簿: create, update or revoke an account. Needs the
/// `system_admin` role. The change takes effect only once a データ保護担当者 approves it.
#[utoipa::path(post, path = "/api/v1/accounts/changes", tag = "ユーザ管理簿",
    request_body = ChangeProposal,
    params(("Idempotency-Key" = Option<String>, Header, description = "repeat-safe key")),
    responses((status = 201, body = AccountRecorded), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn propose(
    State(state): State<AppState>,
    request: CommandRequest,
) -> Result<CommandAnswer, ApiError> {
    let role = request.staff.role()?;
    let body: ChangeProposal = request.parse()?;
    let proposer = staff::actor(&request.staff.claims.sub)?;
    let metadata = request.staff.metadata(role);
    let upcasters = state.upcasters.clone();
    command::run(&state, &request, |mut tx| async move {
        let recorded = staff::propose(
            &mut tx,
            &upcasters,
            body.staff_id,
            body.change,
            proposer,
            &metadata,
        )
        .await?;
        Ok((tx, answer(StatusCode::CREATED, &recorded)?))
    })
    .await
}

/// Approve a pending change (データ保護担当者の確認): it takes effect at once. Needs the
/// `data_protection` role; the proposer and the account's holder cannot approve. Body: `{}`.
#[utoipa::path(post, path = "/api/v1/accounts/changes/{change_id}/approval", tag = "ユーザ管理簿",
    request_body = ChangeApproval,
    params(("change_id" = Uuid, Path, description = "the pending change"),
           ("Idempotency-Key" = Option<String>, Header, description = "repeat-safe key")),
    responses((status = 200, body = AccountRecorded), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn approve(
    State(state): State<AppState>,
    PathParam(change_id): PathParam<Uuid>,
    request: CommandRequest,
) -> Result<CommandAnswer, ApiError> {
    let role = request.staff.role()?;
    let _: ChangeApproval = request.parse()?;
    let approver = staff::actor(&request.staff.claims.sub)?;
    let metadata = request.staff.metadata(role);
    let upcasters = state.upcasters.clone();
    command::run(&state, &request, |mut tx| async move {
        let recorded = staff::approve(&mut tx, &upcasters, change_id, approver, &metadata).await?;
        Ok((tx, answer(StatusCode::OK, &recorded)?))
    })
    .await
}

/// Reject a pending change; nothing changes. Needs the `data_protection` role; the proposer
/// and the account's holder cannot reject.
#[utoipa::path(post, path = "/api/v1/accounts/changes/{change_id}/rejection", tag = "ユーザ管理簿",
    request_body = ChangeRejection,
    params(("change_id" = Uuid, Path, description = "the pending change"),
           ("Idempotency-Key" = Option<String>, Header, description = "repeat-safe key")),
    responses((status = 200, body = AccountRecorded), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn reject(
    State(state): State<AppState>,
    PathParam(change_id): PathParam<Uuid>,
    request: CommandRequest,
) -> Result<CommandAnswer, ApiError> {
    let role = request.staff.role()?;
    let body: ChangeRejection = request.parse()?;
    let rejecter = staff::actor(&request.staff.claims.sub)?;
    let metadata = request.staff.metadata(role);
    let upcasters = state.upcasters.clone();
    command::run(&state, &request, |mut tx| async move {
        let recorded = staff::reject(
            &mut tx,
            &upcasters,
            change_id,
            rejecter,
            body.reason,
            &metadata,
        )
        .await?;
        Ok((tx, answer(StatusCode::OK, &recorded)?))
    })
    .await
}

/// The ユーザ管理簿.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountList {
    /// Every account by 職員ID, with its pending change.
    pub accounts: Vec<StaffAccountView>,
    /// How many changes wait for approval.
    pub pending_changes: usize,
}

const REGISTRY_READERS: [Role; 2] = [Role::SystemAdmin, Role::DataProtection];

/// The ユーザ管理簿: every account with its roles, 個人番号 取扱権限, validity and pending
/// change (for the データ保護担当者's periodic review). Needs `system_admin` or
/// `data_protection`.
#[utoipa::path(get, path = "/api/v1/accounts", tag = "ユーザ管理簿",
    responses((status = 200, body = AccountList), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    staff: Staff,
) -> Result<Json<AccountList>, ApiError> {
    staff.role()?;
    let accounts = query::list(&state.pool)
        .await
        .map_err(|e| ApiError::internal(&e))?;
    let pending_changes = accounts
        .iter()
        .filter(|a| a.pending_change.is_some())
        .count();
    let list = AccountList {
        accounts,
        pending_changes,
    };
    read_log::record(&state.pool, &staff, &list, list.accounts.len()).await?;
    Ok(Json(list))
}

/// One account and every change recorded for it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountDetail {
    #[serde(flatten)]
    pub account: StaffAccountView,
    /// Every event of the account's stream: proposals, decisions and their effects, with who
    /// recorded them, when and from where.
    pub history: Vec<EventRecord>,
}

/// One account of the ユーザ管理簿 with its history. Needs `system_admin` or
/// `data_protection`; any user may read their own account.
#[utoipa::path(get, path = "/api/v1/accounts/{staff_id}", tag = "ユーザ管理簿",
    params(("staff_id" = String, Path, description = "職員ID")),
    responses((status = 200, body = AccountDetail), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem)))]
pub async fn account(
    State(state): State<AppState>,
    staff: Staff,
    PathParam(staff_id): PathParam<String>,
) -> Result<Json<AccountDetail>, ApiError> {
    if staff.claims.sub != staff_id {
        staff.require_any(&REGISTRY_READERS)?;
    }
    let not_found = || {
        ApiError::not_found(
            "account_not_found",
            "there is no such account in the ユーザ管理簿",
        )
    };
    let account = query::find(&state.pool, &staff_id)
        .await
        .map_err(|e| ApiError::internal(&e))?
        .ok_or_else(not_found)?;
    let id = StaffId::parse(&staff_id).map_err(|_| not_found())?;
    let mut conn = state.pool.acquire().await?;
    let history = event_store::read_stream(
        &mut conn,
        &stream_id::<StaffAccount>(StaffAccount::stream_uuid(&id)),
        &state.upcasters,
    )
    .await
    .map_err(|e| ApiError::internal(&e))?;
    let detail = AccountDetail {
        account,
        history: history.into_iter().map(EventRecord::from).collect(),
    };
    read_log::record(&mut *conn, &staff, &detail, 1).await?;
    Ok(Json(detail))
}
