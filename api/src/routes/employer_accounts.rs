//! 事業主口座 (employers' accounts benefits are paid to): registered, changed and closed by the
//! 給付課 (`benefits`); read by the 給付課 and 監査 (`auditor`). See
//! `application::employer_accounts` for the decisions.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use kenpo_domain::calendar::Date;
use kenpo_domain::employers::{
    AccountClosure, AccountRegistration, EmployerCommand, PaymentAccount,
};
use kenpo_projections::employer_accounts::{query, EmployerAccountRow};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

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

/// Register the 事業所's account from a day on, or change it from a later day (`benefits`).
/// The earlier account stays in force for the days before. An account a 全銀 file cannot
/// carry is 422 `account_not_transferable`; a day not after the latest entry is 409
/// `effective_from_not_after_latest`; the account already in force is 409 `no_change`.
#[utoipa::path(post, path = "/api/v1/employers/{office_code}/payment-account", tag = "給付",
    request_body = EmployerAccountRegistration,
    params(("office_code" = String, Path, description = "事業所コード (1 to 8 digits)"),
           ("Idempotency-Key" = Option<String>, Header, description = "repeat-safe key"),
           ("If-Match" = Option<String>, Header, description = "expected stream version")),
    responses((status = 201, body = EmployerAccountRecorded), (status = 401, body = Problem),
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
    let command = EmployerCommand::RegisterAccount(AccountRegistration {
        office_code: office_code.clone(),
        effective_from: body.effective_from,
        account: body.account,
        received_on: body.received_on,
    });
    let metadata = request.staff.metadata(role);
    let upcasters = state.upcasters.clone();
    command::run(&state, &request, |mut tx| async move {
        let recorded = employer_accounts::execute(
            &mut tx,
            &upcasters,
            &office_code,
            command,
            request.expected_version,
            &metadata,
        )
        .await?;
        Ok((tx, answer(StatusCode::CREATED, &recorded)?))
    })
    .await
}

/// Close the 事業所's account from a day on (`benefits`): claims to be paid to it after that
/// day wait until an account is registered again. No account in force at the end of the
/// register is 409 `no_account_to_close`; no reason is 422 `reason_required`.
#[utoipa::path(post, path = "/api/v1/employers/{office_code}/payment-account/closure", tag = "給付",
    request_body = EmployerAccountClosure,
    params(("office_code" = String, Path, description = "事業所コード (1 to 8 digits)"),
           ("Idempotency-Key" = Option<String>, Header, description = "repeat-safe key"),
           ("If-Match" = Option<String>, Header, description = "expected stream version")),
    responses((status = 200, body = EmployerAccountRecorded), (status = 401, body = Problem),
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
    let command = EmployerCommand::CloseAccount(AccountClosure {
        office_code: office_code.clone(),
        effective_from: body.effective_from,
        received_on: body.received_on,
        reason: body.reason,
    });
    let upcasters = state.upcasters.clone();
    command::run(&state, &request, |mut tx| async move {
        let recorded = employer_accounts::execute(
            &mut tx,
            &upcasters,
            &office_code,
            command,
            request.expected_version,
            &metadata,
        )
        .await?;
        Ok((tx, answer(StatusCode::OK, &recorded)?))
    })
    .await
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
    /// The stream's version (for `If-Match`).
    pub stream_version: i64,
}

/// The 事業所's account in force on `on` and its history (`benefits`, `auditor`). Nothing ever
/// registered: 404 `employer_account_not_registered`, saying how to register one.
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
    if history.is_empty() {
        return Err(not_registered(&office_code));
    }
    let in_force = history.iter().find(|r| r.effective_from <= on).cloned();
    let stream_version = history.iter().map(|r| r.version).max().unwrap_or(0);
    let view = EmployerAccountView {
        office_code: office_code.as_str().to_owned(),
        on,
        in_force,
        history,
        stream_version,
    };
    read_log::record(&state.pool, &staff, &view, view.history.len()).await?;
    Ok(Json(view))
}
