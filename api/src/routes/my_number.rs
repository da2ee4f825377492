//! 個人番号 (My Number) endpoints. Who may call which is in
//! `application/my_number/guard.rs`; every call is in the access log.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use kenpo_domain::calendar::Date;
use kenpo_domain::my_number::{
    BranchNumber, FiveInfoField, MyNumber, MyNumberChangeReason, MyNumberCommand,
    MyNumberDeletionReason, MyNumberSource, NotRegisteredReason, NumberEntry,
};
use kenpo_domain::qualification::Description;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::application::command::{self, CommandAnswer, CommandRequest};
use crate::application::my_number::access_log::{self, Action, Entry, Outcome};
use crate::application::my_number::elevation::{self, Elevation, DEFAULT_MINUTES, MAX_MINUTES};
use crate::application::my_number::guard::{self, Granted, ENTRY_ROLES, READ_ROLES};
use crate::application::my_number::service::{
    self, EntryOutcome, EntryPendingAnswer, MyNumberRecorded, Revealed,
};
use crate::auth::Staff;
use crate::json::PathParam;
use crate::problem::{ApiError, Problem};
use crate::state::AppState;

/// Switch My Number access on.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccessRequest {
    /// 利用目的: why access is needed (e.g. "資格取得届の個人番号登録"), 1–200 characters.
    pub purpose: String,
    /// Minutes until access switches itself off (1–60, default 15).
    pub minutes: Option<i64>,
}

/// Switch My Number access on for a stated purpose (needs the 個人番号 permission of the
/// ユーザ管理簿 and, with an identity provider, a token showing multi-factor authentication:
/// 403 `mfa_required`). Until then no 個人番号 can be entered or read.
#[utoipa::path(post, path = "/api/v1/my-number/access", tag = "個人番号", request_body = AccessRequest,
    responses((status = 201, body = Elevation), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn start_access(
    State(state): State<AppState>,
    request: CommandRequest,
) -> Result<(StatusCode, Json<Elevation>), ApiError> {
    let staff = &request.staff;
    let body: AccessRequest = request.parse()?;
    let purpose = body.purpose.trim();
    let minutes = body.minutes.unwrap_or(DEFAULT_MINUTES);
    if purpose.is_empty() || purpose.chars().count() > 200 || !(1..=MAX_MINUTES).contains(&minutes)
    {
        return Err(ApiError::invalid(
            "invalid_body",
            "purpose must be 1 to 200 characters and minutes 1 to 60",
        ));
    }
    let role = staff.role()?;
    if !staff.my_number_permission {
        access_log::record_alone(
            &state.pool,
            &Entry {
                staff,
                role: Some(role),
                elevation: None,
                person_id: None,
                action: Action::Elevate,
                outcome: Outcome::Refused,
                reason_code: Some("my_number_permission_required"),
            },
        )
        .await?;
        return Err(
            ApiError::forbidden("your account has no 個人番号 permission (ユーザ管理簿)")
                .with_code("my_number_permission_required"),
        );
    }
    if !elevation::multi_factor_shown(staff) {
        access_log::record_alone(
            &state.pool,
            &Entry {
                staff,
                role: Some(role),
                elevation: None,
                person_id: None,
                action: Action::Elevate,
                outcome: Outcome::Refused,
                reason_code: Some(elevation::MFA_REQUIRED),
            },
        )
        .await?;
        return Err(ApiError::forbidden(
            "switching 個人番号 access on needs a sign-in with multi-factor authentication at the identity provider",
        )
        .with_code(elevation::MFA_REQUIRED));
    }
    let started = elevation::start(&state.pool, staff, purpose, minutes).await?;
    access_log::record_alone(
        &state.pool,
        &Entry {
            staff,
            role: Some(role),
            elevation: Some(&started),
            person_id: None,
            action: Action::Elevate,
            outcome: Outcome::Ok,
            reason_code: None,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, Json(started)))
}

/// How many elevations were switched off.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccessEnded {
    pub ended: u64,
}

/// Switch My Number access off now.
#[utoipa::path(post, path = "/api/v1/my-number/access/end", tag = "個人番号",
    responses((status = 200, body = AccessEnded), (status = 401, body = Problem)))]
pub async fn end_access(
    State(state): State<AppState>,
    staff: Staff,
) -> Result<Json<AccessEnded>, ApiError> {
    let role = staff.role()?;
    let ended = elevation::end_all(&state.pool, &staff.claims.sub).await?;
    access_log::record_alone(
        &state.pool,
        &Entry {
            staff: &staff,
            role: Some(role),
            elevation: None,
            person_id: None,
            action: Action::EndElevation,
            outcome: Outcome::Ok,
            reason_code: None,
        },
    )
    .await?;
    Ok(Json(AccessEnded { ended }))
}

/// 個人番号 登録.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterBody {
    /// The 12 digits (spaces and hyphens allowed); the check digit is verified.
    pub number: MyNumber,
    /// 入手元.
    pub source: MyNumberSource,
    /// 登録年月日.
    pub registered_on: Date,
}

/// 個人番号 変更.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeBody {
    pub number: MyNumber,
    pub reason: MyNumberChangeReason,
    pub changed_on: Date,
}

/// Parse a body that carries a number; a refusal is logged (without the number) and answered
/// without echoing it.
async fn parse_entry<T: serde::de::DeserializeOwned>(
    state: &AppState,
    request: &CommandRequest,
    granted: &Granted,
    person_id: Uuid,
    action: Action,
) -> Result<T, ApiError> {
    match request.parse::<T>() {
        Ok(body) => Ok(body),
        Err(error) => {
            guard::log_refusal(
                state,
                &request.staff,
                granted,
                Some(person_id),
                action,
                error.code,
            )
            .await?;
            Err(error)
        }
    }
}

async fn answer_entry(
    state: &AppState,
    request: &CommandRequest,
    granted: Granted,
    person_id: Uuid,
    action: Action,
    number: MyNumber,
    entry: NumberEntry,
) -> Result<CommandAnswer, ApiError> {
    let expected = request.expected_version;
    let staff = request.staff.clone();
    let granted_in = granted.clone();
    let state_in = state.clone();
    let result = command::run(state, request, |mut tx| async move {
        let outcome = service::enter_number(
            &mut tx,
            &state_in,
            &staff,
            &granted_in,
            person_id,
            number,
            entry,
            action,
            expected,
        )
        .await?;
        let (status, body) = match outcome {
            EntryOutcome::Pending(p) => (StatusCode::ACCEPTED, serde_json::to_value(p)),
            EntryOutcome::Unchanged(r) => (StatusCode::OK, serde_json::to_value(r)),
        };
        let body = body.map_err(|e| ApiError::internal(&e))?;
        Ok((tx, CommandAnswer { status, body }))
    })
    .await;
    log_client_error(state, request, &granted, person_id, action, &result).await?;
    result
}

/// Log a refusal by a rule after the command rolled back (its transaction is gone).
async fn log_client_error<T>(
    state: &AppState,
    request: &CommandRequest,
    granted: &Granted,
    person_id: Uuid,
    action: Action,
    result: &Result<T, ApiError>,
) -> Result<(), ApiError> {
    if let Err(error) = result {
        if error.status.is_client_error() {
            guard::log_refusal(
                state,
                &request.staff,
                granted,
                Some(person_id),
                action,
                error.code,
            )
            .await?;
        }
    }
    Ok(())
}

/// 個人番号 登録, first step of the double entry (ダブルチェック; needs the qualification role,
/// the permission and access switched on): the number is sealed in a pending entry and answered
/// 202 with the entry id; a second permitted person registers it by confirming. A number held
/// by another person is refused with 409 and logged; the same number again for the same person
/// answers 200 and records nothing; an entry while another is pending is 409
/// `my_number_entry_pending`.
#[utoipa::path(post, path = "/api/v1/persons/{person_id}/my-number", tag = "個人番号", request_body = RegisterBody,
    params(("person_id" = Uuid, Path, description = "the person")),
    responses((status = 202, body = EntryPendingAnswer), (status = 200, body = MyNumberRecorded), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn register(
    State(state): State<AppState>,
    PathParam(person_id): PathParam<Uuid>,
    request: CommandRequest,
) -> Result<CommandAnswer, ApiError> {
    let granted = guard::require(
        &state,
        &request.staff,
        ENTRY_ROLES,
        Some(person_id),
        Action::Register,
    )
    .await?;
    let body: RegisterBody =
        parse_entry(&state, &request, &granted, person_id, Action::Register).await?;
    let entry = NumberEntry::Registration {
        source: body.source,
        registered_on: body.registered_on,
    };
    answer_entry(
        &state,
        &request,
        granted,
        person_id,
        Action::Register,
        body.number,
        entry,
    )
    .await
}

/// 個人番号 変更, first step of the double entry (ダブルチェック): answered 202 with the entry id;
/// once confirmed, the previous number is kept, sealed, in the change event.
#[utoipa::path(post, path = "/api/v1/persons/{person_id}/my-number/change", tag = "個人番号", request_body = ChangeBody,
    params(("person_id" = Uuid, Path, description = "the person")),
    responses((status = 202, body = EntryPendingAnswer), (status = 200, body = MyNumberRecorded), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn change(
    State(state): State<AppState>,
    PathParam(person_id): PathParam<Uuid>,
    request: CommandRequest,
) -> Result<CommandAnswer, ApiError> {
    let granted = guard::require(
        &state,
        &request.staff,
        ENTRY_ROLES,
        Some(person_id),
        Action::Change,
    )
    .await?;
    let body: ChangeBody =
        parse_entry(&state, &request, &granted, person_id, Action::Change).await?;
    let entry = NumberEntry::Change {
        reason: body.reason,
        changed_on: body.changed_on,
    };
    answer_entry(
        &state,
        &request,
        granted,
        person_id,
        Action::Change,
        body.number,
        entry,
    )
    .await
}

/// The confirmer keys the number again from the form.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmationBody {
    /// The 12 digits as read from the form (spaces and hyphens allowed).
    pub number: MyNumber,
}

/// Confirm a pending 登録 or 変更 entry (ダブルチェック, second step) by keying the number again
/// from the form: qualification role, the permission, access switched on, and not the person
/// who keyed the entry (403 `two_person_rule`). The same number registers it (201, as a
/// registration answered before double entry; a number held by another person is 409
/// `my_number_duplicate`); a different number is 422 `my_number_double_check_mismatch`,
/// nothing is registered and the entry stays pending. The entry's number is never shown.
#[utoipa::path(post, path = "/api/v1/persons/{person_id}/my-number/entries/{entry_id}/confirmation", tag = "個人番号",
    request_body = ConfirmationBody,
    params(("person_id" = Uuid, Path, description = "the person"), ("entry_id" = Uuid, Path, description = "the pending entry")),
    responses((status = 201, body = MyNumberRecorded), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn confirm_entry(
    State(state): State<AppState>,
    PathParam((person_id, entry_id)): PathParam<(Uuid, Uuid)>,
    request: CommandRequest,
) -> Result<CommandAnswer, ApiError> {
    let granted = guard::require(
        &state,
        &request.staff,
        ENTRY_ROLES,
        Some(person_id),
        Action::Confirm,
    )
    .await?;
    let body: ConfirmationBody =
        parse_entry(&state, &request, &granted, person_id, Action::Confirm).await?;
    let expected = request.expected_version;
    let staff = request.staff.clone();
    let granted_in = granted.clone();
    let state_in = state.clone();
    let result = command::run(&state, &request, |mut tx| async move {
        let recorded = service::confirm_entry(
            &mut tx,
            &state_in,
            &staff,
            &granted_in,
            person_id,
            entry_id,
            body.number,
            expected,
        )
        .await?;
        let body = serde_json::to_value(recorded).map_err(|e| ApiError::internal(&e))?;
        Ok((
            tx,
            CommandAnswer {
                status: StatusCode::CREATED,
                body,
            },
        ))
    })
    .await;
    log_client_error(
        &state,
        &request,
        &granted,
        person_id,
        Action::Confirm,
        &result,
    )
    .await?;
    result
}

/// Why a pending entry is withdrawn.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WithdrawalBody {
    pub reason: Description,
}

/// Withdraw a pending 登録 or 変更 entry with a reason (the person who keyed it or another with
/// the qualification role, the permission and access switched on). Unknown entry 404
/// `my_number_entry_not_found`; confirmed or withdrawn already 409 `my_number_entry_not_pending`.
#[utoipa::path(post, path = "/api/v1/persons/{person_id}/my-number/entries/{entry_id}/withdrawal", tag = "個人番号",
    request_body = WithdrawalBody,
    params(("person_id" = Uuid, Path, description = "the person"), ("entry_id" = Uuid, Path, description = "the pending entry")),
    responses((status = 201, body = MyNumberRecorded), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn withdraw_entry(
    State(state): State<AppState>,
    PathParam((person_id, entry_id)): PathParam<(Uuid, Uuid)>,
    request: CommandRequest,
) -> Result<CommandAnswer, ApiError> {
    let action = Action::WithdrawEntry;
    let granted =
        guard::require(&state, &request.staff, ENTRY_ROLES, Some(person_id), action).await?;
    let body: WithdrawalBody = parse_entry(&state, &request, &granted, person_id, action).await?;
    let expected = request.expected_version;
    let staff = request.staff.clone();
    let granted_in = granted.clone();
    let state_in = state.clone();
    let result = command::run(&state, &request, |mut tx| async move {
        let recorded = service::withdraw_entry(
            &mut tx,
            &state_in,
            &staff,
            &granted_in,
            person_id,
            entry_id,
            body.reason,
            expected,
        )
        .await?;
        let body = serde_json::to_value(recorded).map_err(|e| ApiError::internal(&e))?;
        Ok((
            tx,
            CommandAnswer {
                status: StatusCode::CREATED,
                body,
            },
        ))
    })
    .await;
    log_client_error(&state, &request, &granted, person_id, action, &result).await?;
    result
}

/// 削除.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeleteBody {
    pub deleted_on: Date,
    pub reason: MyNumberDeletionReason,
}

/// 未登録理由.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NotRegisteredBody {
    pub reason: NotRegisteredReason,
    pub recorded_on: Date,
}

/// 被保険者枝番 付番 or 変更.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BranchNumberBody {
    /// 被保険者枝番 as returned by the 中間サーバー等.
    pub branch_number: BranchNumber,
    /// 付番年月日 / 変更年月日.
    pub on: Date,
    /// Why it changed (for a change).
    pub reason: Option<Description>,
}

/// 5情報 照合 result.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FiveInfoBody {
    pub matched: bool,
    /// The 5情報 that did not match (empty when matched).
    #[serde(default)]
    pub mismatched: Vec<FiveInfoField>,
    pub checked_on: Date,
}

async fn fact(
    state: AppState,
    person_id: Uuid,
    request: CommandRequest,
    action: Action,
    make: impl FnOnce(&CommandRequest) -> Result<MyNumberCommand, ApiError>,
) -> Result<CommandAnswer, ApiError> {
    let granted =
        guard::require(&state, &request.staff, ENTRY_ROLES, Some(person_id), action).await?;
    let command_value = match make(&request) {
        Ok(c) => c,
        Err(e) => {
            guard::log_refusal(
                &state,
                &request.staff,
                &granted,
                Some(person_id),
                action,
                e.code,
            )
            .await?;
            return Err(e);
        }
    };
    let staff = request.staff.clone();
    let granted_in = granted.clone();
    let state_in = state.clone();
    let expected = request.expected_version;
    let result = command::run(&state, &request, |mut tx| async move {
        let recorded = service::record_fact(
            &mut tx,
            &state_in,
            &staff,
            &granted_in,
            person_id,
            command_value,
            action,
            expected,
        )
        .await?;
        let body = serde_json::to_value(recorded).map_err(|e| ApiError::internal(&e))?;
        Ok((
            tx,
            CommandAnswer {
                status: StatusCode::CREATED,
                body,
            },
        ))
    })
    .await;
    if let Err(error) = &result {
        if error.status.is_client_error() {
            guard::log_refusal(
                &state,
                &request.staff,
                &granted,
                Some(person_id),
                action,
                error.code,
            )
            .await?;
        }
    }
    result
}

/// The handlers of My Number facts that seal nothing: the body maps to one command.
macro_rules! fact_endpoint {
    ($(#[$doc:meta])* $name:ident, $path:literal, $body:ty, $action:expr, |$b:ident| $command:expr) => {
        $(#[$doc])*
        #[utoipa::path(post, path = $path, tag = "個人番号", request_body = $body,
            params(("person_id" = Uuid, Path, description = "the person")),
            responses((status = 201, body = MyNumberRecorded), (status = 403, body = Problem),
                      (status = 404, body = Problem), (status = 409, body = Problem),
                      (status = 422, body = Problem)))]
        pub async fn $name(
            State(state): State<AppState>,
            PathParam(person_id): PathParam<Uuid>,
            request: CommandRequest,
        ) -> Result<CommandAnswer, ApiError> {
            fact(state, person_id, request, $action, |r| {
                let $b: $body = r.parse()?;
                Ok($command)
            })
            .await
        }
    };
}

fact_endpoint!(
    /// 個人番号 削除.
    delete, "/api/v1/persons/{person_id}/my-number/deletion", DeleteBody, Action::Delete,
    |b| MyNumberCommand::Delete { deleted_on: b.deleted_on, reason: b.reason }
);
fact_endpoint!(
    /// 未登録理由 の記録.
    not_registered, "/api/v1/persons/{person_id}/my-number/not-registered", NotRegisteredBody, Action::NotRegistered,
    |b| MyNumberCommand::RecordNotRegistered { reason: b.reason, recorded_on: b.recorded_on }
);
fact_endpoint!(
    /// 被保険者枝番 付番.
    assign_branch_number, "/api/v1/persons/{person_id}/my-number/branch-number", BranchNumberBody, Action::BranchNumber,
    |b| MyNumberCommand::AssignBranchNumber { branch_number: b.branch_number, assigned_on: b.on }
);
fact_endpoint!(
    /// 被保険者枝番 変更.
    change_branch_number, "/api/v1/persons/{person_id}/my-number/branch-number/change", BranchNumberBody, Action::BranchNumber,
    |b| MyNumberCommand::ChangeBranchNumber { branch_number: b.branch_number, reason: b.reason, changed_on: b.on }
);
fact_endpoint!(
    /// 5情報 照合 の記録 (a mismatch is recorded; the number is then not registered).
    five_info, "/api/v1/persons/{person_id}/my-number/five-info", FiveInfoBody, Action::FiveInfo,
    |b| MyNumberCommand::RecordFiveInfoVerification { matched: b.matched, mismatched: b.mismatched, checked_on: b.checked_on }
);

fn no_store(body: impl Serialize) -> Response {
    (
        [
            (header::CACHE_CONTROL, "no-store"),
            (header::PRAGMA, "no-cache"),
        ],
        Json(body),
    )
        .into_response()
}

/// Read a person's 個人番号 (needs a reading role, the permission and access switched on).
/// The read is logged before anything is opened. After retention erasure the answer says so.
#[utoipa::path(get, path = "/api/v1/persons/{person_id}/my-number", tag = "個人番号",
    params(("person_id" = Uuid, Path, description = "the person")),
    responses((status = 200, body = Revealed), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn read(
    State(state): State<AppState>,
    staff: Staff,
    PathParam(person_id): PathParam<Uuid>,
) -> Result<Response, ApiError> {
    let granted = guard::require(&state, &staff, READ_ROLES, Some(person_id), Action::Read).await?;
    Ok(no_store(
        service::reveal(&state, &staff, &granted, person_id).await?,
    ))
}

/// The status of a person's 個人番号 record, never the number (every role but `system_admin` and `review`).
#[utoipa::path(get, path = "/api/v1/persons/{person_id}/my-number/status", tag = "個人番号",
    params(("person_id" = Uuid, Path, description = "the person")),
    responses((status = 200, body = kenpo_projections::my_number_status::MyNumberStatus), (status = 404, body = Problem)))]
pub async fn status(
    State(state): State<AppState>,
    staff: Staff,
    PathParam(person_id): PathParam<Uuid>,
) -> Result<Json<kenpo_projections::my_number_status::MyNumberStatus>, ApiError> {
    staff.role()?;
    let status = kenpo_projections::my_number_status::find(&state.pool, person_id)
        .await
        .map_err(|e| ApiError::internal(&e))?
        .ok_or_else(|| {
            ApiError::not_found(
                "my_number_record_not_found",
                "no 個人番号 record for this person",
            )
        })?;
    crate::application::read_log::record(&state.pool, &staff, &status, 1).await?;
    Ok(Json(status))
}

/// 名寄せ: who holds a number.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LookupBody {
    pub number: MyNumber,
}

/// The person holding a number.
#[derive(Debug, Serialize, ToSchema)]
pub struct LookupResult {
    pub person_id: Uuid,
}

/// 名寄せ: find the person who holds a 個人番号 (through the blind index), to link histories
/// across 識別番号 changes. Reading roles with the permission and access on; logged.
#[utoipa::path(post, path = "/api/v1/my-number/lookups", tag = "個人番号", request_body = LookupBody,
    responses((status = 200, body = LookupResult), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn lookup(
    State(state): State<AppState>,
    request: CommandRequest,
) -> Result<Response, ApiError> {
    let staff = &request.staff;
    let granted = guard::require(&state, staff, READ_ROLES, None, Action::Lookup).await?;
    let body: LookupBody = match request.parse() {
        Ok(b) => b,
        Err(e) => {
            guard::log_refusal(&state, staff, &granted, None, Action::Lookup, e.code).await?;
            return Err(e);
        }
    };
    let bidxs = service::blind_indexes(state.bik.as_ref(), &body.number);
    let mut conn = state.pool.acquire().await?;
    let holder = service::holder(&mut conn, &bidxs).await?;
    access_log::record(
        &mut conn,
        &Entry {
            staff,
            role: Some(granted.role),
            elevation: Some(&granted.elevation),
            person_id: holder,
            action: Action::Lookup,
            outcome: Outcome::Ok,
            reason_code: if holder.is_some() {
                None
            } else {
                Some("not_found")
            },
        },
    )
    .await?;
    match holder {
        Some(person_id) => Ok(no_store(LookupResult { person_id })),
        None => Err(ApiError::not_found(
            "my_number_holder_not_found",
            "no person holds this 個人番号",
        )),
    }
}

/// Access-log filters (all optional).
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AccessLogParams {
    /// From this instant (RFC 3339), inclusive.
    pub from: Option<chrono::DateTime<chrono::Utc>>,
    /// Until this instant (RFC 3339), exclusive.
    pub to: Option<chrono::DateTime<chrono::Utc>>,
    pub staff_id: Option<String>,
    pub person_id: Option<Uuid>,
    /// Page from 1 (default 1).
    pub page: Option<i64>,
    /// 1–500 (default 100).
    pub per_page: Option<i64>,
}

/// A page of the access log.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccessLogPage {
    pub records: Vec<crate::application::my_number::review::AccessRecord>,
    pub page: i64,
    pub per_page: i64,
    pub total: i64,
}

/// The My Number access log by period, user and person (データ保護担当 only).
#[utoipa::path(get, path = "/api/v1/my-number/access-log", tag = "個人番号", params(AccessLogParams),
    responses((status = 200, body = AccessLogPage), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn access_log_page(
    State(state): State<AppState>,
    staff: Staff,
    crate::json::QueryParams(p): crate::json::QueryParams<AccessLogParams>,
) -> Result<Json<AccessLogPage>, ApiError> {
    staff.role()?;
    let paging = super::paging::Paging::parse(p.page, p.per_page, 100, 500)?;
    let (page, per_page) = (paging.page, paging.per_page);
    let filter = crate::application::my_number::review::LogFilter {
        from: p.from,
        to: p.to,
        staff_id: p.staff_id,
        person_id: p.person_id,
    };
    let (records, total) = crate::application::my_number::review::log(
        &state.pool,
        &filter,
        (page - 1) * per_page,
        per_page,
    )
    .await?;
    Ok(Json(AccessLogPage {
        records,
        page,
        per_page,
        total,
    }))
}

/// Review report parameters.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ReviewParams {
    /// The month, `2026-11` or 和暦 `R8.11`.
    pub month: String,
    /// Flag users who read more distinct persons than this (default: `KENPO_REVIEW_PERSONS_THRESHOLD` or 50).
    pub persons_threshold: Option<i64>,
}

/// The monthly review report: accesses per user, accesses outside 08:00–20:00 JST, users who
/// read more persons than the threshold (データ保護担当 only).
#[utoipa::path(get, path = "/api/v1/my-number/review", tag = "個人番号", params(ReviewParams),
    responses((status = 200, body = crate::application::my_number::review::Review), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn review(
    State(state): State<AppState>,
    staff: Staff,
    crate::json::QueryParams(p): crate::json::QueryParams<ReviewParams>,
) -> Result<Json<crate::application::my_number::review::Review>, ApiError> {
    staff.role()?;
    let month = kenpo_domain::calendar::parse_year_month(&p.month)
        .map_err(|e| ApiError::invalid("invalid_query", format!("month: {e}")))?;
    let first = chrono::NaiveDate::from_ymd_opt(month.year(), month.month(), 1)
        .ok_or_else(|| ApiError::invalid("invalid_query", "month: not a month"))?;
    let threshold = match p.persons_threshold {
        Some(t) if t >= 0 => t,
        Some(_) => {
            return Err(ApiError::invalid(
                "invalid_query",
                "persons_threshold must not be negative",
            ))
        }
        None => std::env::var("KENPO_REVIEW_PERSONS_THRESHOLD")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(50),
    };
    Ok(Json(
        crate::application::my_number::review::monthly(&state.pool, first, threshold).await?,
    ))
}
