//! 給付 claims: commands (POST, the `benefits` role, 給付課) from 受付 to decision, and queries
//! (GET, the roles of `crate::authorization`) on the `benefit_claims` read model. Each command answers with the
//! claim's stream, its new version, the global position and the claim as it now stands.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use kenpo_domain::benefits::claim::{
    BenefitClaim, BenefitClaimCommand, BenefitClaimError, BenefitKind, ClaimDecision, ClaimPeriod,
    ClaimReceipt, ClaimRegistration, ClaimWithdrawal, DecisionCorrection, EmployerCertification,
    NoticeDispatch, Outcome, Payee,
};
use kenpo_domain::calendar::Date;
use kenpo_domain::qualification::Description;
use kenpo_infrastructure::event_store;
use kenpo_projections::benefit_claims::{query, ClaimView};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::application::aggregate::{stream_id, Loaded};
use crate::application::as_of::{self, AsOfBasis, AsOfParams};
use crate::application::benefits::calculation;
use crate::application::benefits::claim::{self, decision_basis, refusal, ClaimRecorded};
use crate::application::benefits::details::ClaimDetails;
use crate::application::benefits::eligibility;
use crate::application::command::{self, CommandAnswer, CommandRequest};
use crate::application::read_log;
use crate::auth::Staff;
use crate::json::{PathParam, QueryParams};
use crate::problem::{ApiError, Problem};
use crate::routes::events::EventRecord;
use crate::state::AppState;

fn answer(status: StatusCode, recorded: &ClaimRecorded) -> Result<CommandAnswer, ApiError> {
    let body: Value = serde_json::to_value(recorded).map_err(|e| ApiError::internal(&e))?;
    Ok(CommandAnswer { status, body })
}

/// The body of `POST /claims` as documented: the 受付 command's data, with `details` by kind
/// (the server keeps `details` verbatim and parses it by `kind`).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ClaimReceiptBody {
    /// The claim's id, chosen by the client (UUID v7): a retried 受付 cannot create two claims.
    claim_id: Uuid,
    /// 給付種別.
    kind: BenefitKind,
    /// The insured (被保険者); for 埋葬料 the deceased insured.
    person_id: Uuid,
    /// 家族出産育児一時金 / 家族埋葬料: the dependent (被扶養者).
    beneficiary_person_id: Option<Uuid>,
    /// 受付年月日 (ISO or 和暦).
    received_on: Date,
    /// 傷病手当金 / 出産手当金: the days claimed (自-至).
    period: Option<ClaimPeriod>,
    /// 傷病手当金 / 出産手当金: 事業主証明 (wages for days of the period; an entry for several
    /// days must divide into equal whole-yen amounts).
    employer_certification: Option<EmployerCertification>,
    /// 支払先: the employer's account only for an insured employee (強制) on the day of 受付.
    payee: Payee,
    /// The items the calculation takes from the claim, by kind.
    details: ClaimDetails,
}

/// 給付申請 受付. Checked against 適用 in the same transaction: the person exists and has been
/// a 被保険者 (422 `person_not_found`, `not_an_insured`); for 家族 kinds the beneficiary was a
/// 被扶養者 of that insured on the birth / death date (422 `beneficiary_not_dependent`); no
/// 傷病手当金 for a sickness that began under 任意継続, no 出産手当金 for a 任意継続被保険者
/// (422 `not_eligible_voluntary_continuation`); the employer's account only for a 強制 insured
/// (422 `payee_not_allowed`). `details` by kind: see `ClaimDetails` and docs/benefits.md.
#[utoipa::path(post, path = "/api/v1/claims", tag = "給付",
    request_body = ClaimReceiptBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "repeat-safe key"),
           ("X-Terminal-Id" = Option<String>, Header, description = "端末ID")),
    responses((status = 201, body = ClaimRecorded), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn receive(
    State(state): State<AppState>,
    request: CommandRequest,
) -> Result<CommandAnswer, ApiError> {
    let role = request.staff.role()?;
    let receipt: ClaimReceipt = request.parse()?;
    let details = ClaimDetails::of_receipt(&receipt)?;
    let metadata = request.staff.metadata(role);
    let upcasters = state.upcasters.clone();
    command::run(&state, &request, |mut tx| async move {
        eligibility::check_receipt(&mut tx, &upcasters, &receipt, &details).await?;
        let id = receipt.claim_id;
        let recorded = claim::execute(
            &mut tx,
            &upcasters,
            id,
            BenefitClaimCommand::Receive(receipt),
            request.expected_version,
            &metadata,
        )
        .await?;
        Ok((tx, answer(StatusCode::CREATED, &recorded)?))
    })
    .await
}

/// `POST /claims/{id}/calculation` takes no input: an empty object.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CalculationRequest {}

/// 支給決定 / 不支給決定. The server attaches the 算定根拠: for 支給 the latest calculation's
/// (the amount must be the calculated one unless `override_reason` says why not); for 不支給 a
/// basis of 0 with the reason code.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionRequest {
    /// 決定年月日.
    pub decided_on: Date,
    pub outcome: Outcome,
    /// Why a 支給 amount differs from the latest calculation.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub override_reason: Option<Description>,
}

/// 決定の訂正: replaces the decision in force; the original stays in the history.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CorrectionRequest {
    /// 訂正年月日.
    pub corrected_on: Date,
    /// 訂正理由.
    #[schema(value_type = String)]
    pub reason: Description,
    pub outcome: Outcome,
    /// Why a 支給 amount differs from the latest calculation.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub override_reason: Option<Description>,
}

fn version_conflict(expected: i64, actual: i64) -> ApiError {
    ApiError::conflict(
        "version_conflict",
        format!("the record is at version {actual}, not the expected {expected}; reload it and try again"),
    )
}

/// A claim that can be calculated: received, not withdrawn, registered.
fn calculable(loaded: &Loaded<BenefitClaim>, expected: Option<i64>) -> Result<(), ApiError> {
    if let Some(expected) = expected {
        if expected != loaded.version {
            return Err(version_conflict(expected, loaded.version));
        }
    }
    let claim = &loaded.aggregate;
    if claim.received().is_none() {
        return Err(refusal(BenefitClaimError::ClaimNotFound));
    }
    if let Some(withdrawn_on) = claim.withdrawn_on() {
        return Err(refusal(BenefitClaimError::Withdrawn { withdrawn_on }));
    }
    if claim.registered_on().is_none() {
        return Err(refusal(BenefitClaimError::NotRegistered));
    }
    Ok(())
}

/// 給付金計算: the server builds the input from the claim, 適用 (標準報酬月額 by month, 任意継続 at
/// onset, insured / dependent on the day) and the parameters in force, runs the calculation and
/// records the amount with its 算定根拠. A parameter missing on the day → 409
/// `parameter_not_set` naming it; nothing payable by law → 422 with the calculation's code
/// (e.g. `waiting_period_not_met`), nothing recorded.
#[utoipa::path(post, path = "/api/v1/claims/{claim_id}/calculation", tag = "給付",
    request_body = CalculationRequest,
    params(("claim_id" = Uuid, Path, description = "the claim"),
           ("Idempotency-Key" = Option<String>, Header, description = "repeat-safe key"),
           ("If-Match" = Option<String>, Header, description = "expected stream version")),
    responses((status = 200, body = ClaimRecorded), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn calculate(
    State(state): State<AppState>,
    PathParam(id): PathParam<Uuid>,
    request: CommandRequest,
) -> Result<CommandAnswer, ApiError> {
    let role = request.staff.role()?;
    let _: CalculationRequest = request.parse()?;
    let metadata = request.staff.metadata(role);
    let upcasters = state.upcasters.clone();
    command::run(&state, &request, |mut tx| async move {
        let loaded = claim::load(&mut tx, &upcasters, id).await?;
        calculable(&loaded, request.expected_version)?;
        let received = loaded
            .aggregate
            .received()
            .cloned()
            .ok_or_else(|| refusal(BenefitClaimError::ClaimNotFound))?;
        let record =
            calculation::calculate(&mut tx, &upcasters, &received, &metadata.actor).await?;
        let recorded = claim::execute_loaded(
            &mut tx,
            loaded,
            BenefitClaimCommand::RecordCalculation(record),
            request.expected_version,
            &metadata,
        )
        .await?;
        Ok((tx, answer(StatusCode::OK, &recorded)?))
    })
    .await
}

/// 支給決定 / 不支給決定. 支給 must be the latest calculated amount unless `override_reason` is
/// given (422 `amount_differs_from_calculation`, `not_calculated`). Two-person rule: the one
/// who recorded the calculation in force cannot decide (403 `two_person_rule`); a calculation
/// recorded before calculators were kept must be recorded again (409
/// `calculation_not_attributed`).
#[utoipa::path(post, path = "/api/v1/claims/{claim_id}/decision", tag = "給付",
    request_body = DecisionRequest,
    params(("claim_id" = Uuid, Path, description = "the claim"),
           ("Idempotency-Key" = Option<String>, Header, description = "repeat-safe key"),
           ("If-Match" = Option<String>, Header, description = "expected stream version")),
    responses((status = 200, body = ClaimRecorded), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn decide(
    State(state): State<AppState>,
    PathParam(id): PathParam<Uuid>,
    request: CommandRequest,
) -> Result<CommandAnswer, ApiError> {
    let role = request.staff.role()?;
    let body: DecisionRequest = request.parse()?;
    let metadata = request.staff.metadata(role);
    let upcasters = state.upcasters.clone();
    command::run(&state, &request, |mut tx| async move {
        let loaded = claim::load(&mut tx, &upcasters, id).await?;
        let basis = decision_basis(
            &loaded.aggregate,
            &body.outcome,
            body.override_reason.as_ref(),
        );
        let recorded = claim::execute_loaded(
            &mut tx,
            loaded,
            BenefitClaimCommand::Decide(ClaimDecision {
                decided_on: body.decided_on,
                outcome: body.outcome,
                basis,
                override_reason: body.override_reason,
                decided_by: metadata.actor.clone(),
            }),
            request.expected_version,
            &metadata,
        )
        .await?;
        Ok((tx, answer(StatusCode::OK, &recorded)?))
    })
    .await
}

/// 決定の訂正. The decision replaced stays in `superseded_decisions`, the correction in
/// `corrections` (with the difference to pay or to recover). As for a decision, the one who
/// recorded the calculation in force cannot correct (403 `two_person_rule`).
#[utoipa::path(post, path = "/api/v1/claims/{claim_id}/correction", tag = "給付",
    request_body = CorrectionRequest,
    params(("claim_id" = Uuid, Path, description = "the claim"),
           ("Idempotency-Key" = Option<String>, Header, description = "repeat-safe key"),
           ("If-Match" = Option<String>, Header, description = "expected stream version")),
    responses((status = 200, body = ClaimRecorded), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn correct(
    State(state): State<AppState>,
    PathParam(id): PathParam<Uuid>,
    request: CommandRequest,
) -> Result<CommandAnswer, ApiError> {
    let role = request.staff.role()?;
    let body: CorrectionRequest = request.parse()?;
    let mut metadata = request.staff.metadata(role);
    metadata.reason = Some(body.reason.to_string());
    let upcasters = state.upcasters.clone();
    command::run(&state, &request, |mut tx| async move {
        let loaded = claim::load(&mut tx, &upcasters, id).await?;
        let basis = decision_basis(
            &loaded.aggregate,
            &body.outcome,
            body.override_reason.as_ref(),
        );
        let recorded = claim::execute_loaded(
            &mut tx,
            loaded,
            BenefitClaimCommand::Correct(DecisionCorrection {
                corrected_on: body.corrected_on,
                reason: body.reason,
                outcome: body.outcome,
                basis,
                override_reason: body.override_reason,
                corrected_by: metadata.actor.clone(),
            }),
            request.expected_version,
            &metadata,
        )
        .await?;
        Ok((tx, answer(StatusCode::OK, &recorded)?))
    })
    .await
}

/// No reason goes into the event metadata.
fn no_reason<T>(_: &T) -> Option<String> {
    None
}

/// The 取下げ理由 goes into the event metadata too.
fn withdrawal_reason(body: &ClaimWithdrawal) -> Option<String> {
    Some(body.reason.to_string())
}

/// Handlers for claim commands whose body maps straight to one command.
macro_rules! claim_command {
    ($(#[$doc:meta])* $name:ident, $path:literal, $body:ty, $variant:path, $reason:path) => {
        $(#[$doc])*
        #[utoipa::path(post, path = $path, tag = "給付",
            request_body = $body,
            params(("claim_id" = Uuid, Path, description = "the claim"),
                   ("Idempotency-Key" = Option<String>, Header, description = "repeat-safe key"),
                   ("If-Match" = Option<String>, Header, description = "expected stream version")),
            responses((status = 200, body = ClaimRecorded), (status = 401, body = Problem),
                      (status = 403, body = Problem), (status = 404, body = Problem),
                      (status = 409, body = Problem), (status = 422, body = Problem)))]
        pub async fn $name(
            State(state): State<AppState>,
            PathParam(id): PathParam<Uuid>,
            request: CommandRequest,
        ) -> Result<CommandAnswer, ApiError> {
            let role = request.staff.role()?;
            let body: $body = request.parse()?;
            let mut metadata = request.staff.metadata(role);
            metadata.reason = $reason(&body);
            let upcasters = state.upcasters.clone();
            command::run(&state, &request, |mut tx| async move {
                let recorded = claim::execute(
                    &mut tx,
                    &upcasters,
                    id,
                    $variant(body),
                    request.expected_version,
                    &metadata,
                )
                .await?;
                Ok((tx, answer(StatusCode::OK, &recorded)?))
            })
            .await
        }
    };
}

claim_command!(
    /// 受付登録 (after the checks of the claim's documents).
    register, "/api/v1/claims/{claim_id}/registration", ClaimRegistration,
    BenefitClaimCommand::Register, no_reason);
claim_command!(
    /// 決定通知書 発送. A 支給決定通知書 states the transfer: it needs the payment instructed
    /// first (409 `transfer_not_instructed`); a 不支給決定通知書 can be sent any time.
    send_notice, "/api/v1/claims/{claim_id}/notice", NoticeDispatch,
    BenefitClaimCommand::SendNotice, no_reason);
claim_command!(
    /// 取下げ, until a payment is instructed.
    withdraw, "/api/v1/claims/{claim_id}/withdrawal", ClaimWithdrawal,
    BenefitClaimCommand::Withdraw, withdrawal_reason);

/// A claim with the events of its stream (who recorded what, when, from where).
#[derive(Debug, Serialize, ToSchema)]
pub struct ClaimDetail {
    #[serde(flatten)]
    pub claim: ClaimView,
    /// Every event of the claim's stream, in order, with its metadata (with `as_of` /
    /// `known_at`: the events folded).
    pub history: Vec<EventRecord>,
    /// Only with `as_of` / `known_at`: the date, the moment and the positions of the events
    /// folded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basis: Option<AsOfBasis>,
}

fn claim_not_found() -> ApiError {
    ApiError::not_found("claim_not_found", "there is no claim with this id")
}

/// A claim: its items, every calculation with the whole 算定根拠 (inputs, parameter versions,
/// each step with its rounding and source — the "why this amount" view), the decision in
/// force, superseded decisions and corrections, payments, notices, and the stream's events.
///
/// Bitemporal (監査): with `as_of` and/or `known_at` the claim is folded, by the read model's
/// own fold, from its events recorded by `known_at` (default now) whose effective date is on
/// or before `as_of` (default today): 受付 `received_on`, 受付登録 `registered_on`, 計算 the
/// date of the step before it, 決定 `decided_on`, 支払指示 `instructed_on`, 支払 `paid_on`,
/// 支払不能 `failed_on`, 通知 `sent_on`, 訂正 `corrected_on`, 取下げ `withdrawn_on`. `history`
/// is then the events folded, and `basis` gives as_of, known_at and their positions. 404
/// `claim_not_found` also when nothing is known then or the claim was not yet received on
/// that day; 422 `invalid_query` for a malformed date or time or a `known_at` in the future.
#[utoipa::path(get, path = "/api/v1/claims/{claim_id}", tag = "給付",
    params(("claim_id" = Uuid, Path, description = "the claim"), AsOfParams),
    responses((status = 200, body = ClaimDetail), (status = 401, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn claim(
    State(state): State<AppState>,
    staff: Staff,
    PathParam(id): PathParam<Uuid>,
    QueryParams(params): QueryParams<AsOfParams>,
) -> Result<Json<ClaimDetail>, ApiError> {
    staff.role()?;
    if let Some(moment) = params.moment(chrono::Utc::now())? {
        let mut conn = state.pool.acquire().await?;
        let (claim, events, basis) = as_of::claim(&mut conn, &state.upcasters, id, moment)
            .await
            .map_err(|e| e.into_api(claim_not_found))?;
        let detail = ClaimDetail {
            claim,
            history: events.into_iter().map(EventRecord::from).collect(),
            basis: Some(basis),
        };
        read_log::record(&mut *conn, &staff, &detail, 1).await?;
        return Ok(Json(detail));
    }
    let claim = query::find(&state.pool, id)
        .await
        .map_err(|e| ApiError::internal(&e))?
        .ok_or_else(claim_not_found)?;
    let mut conn = state.pool.acquire().await?;
    let events =
        event_store::read_stream(&mut conn, &stream_id::<BenefitClaim>(id), &state.upcasters)
            .await
            .map_err(|e| ApiError::internal(&e))?;
    let detail = ClaimDetail {
        claim,
        history: events.into_iter().map(EventRecord::from).collect(),
        basis: None,
    };
    read_log::record(&mut *conn, &staff, &detail, 1).await?;
    Ok(Json(detail))
}

/// Search parameters: every one given must match.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ClaimSearchParams {
    /// The insured, or the dependent of a 家族 claim.
    pub person_id: Option<String>,
    /// `received`, `registered`, `decided`, `payment_instructed`, `paid`, `payment_failed`,
    /// `withdrawn`.
    pub status: Option<String>,
    /// 給付種別: `sickness_allowance`, `maternity_allowance`, `childbirth_lump_sum`,
    /// `family_childbirth_lump_sum`, `burial`, `family_burial`, `high_cost_combined`.
    pub kind: Option<String>,
    /// Page number from 1 (default 1).
    pub page: Option<i64>,
    /// Results per page, 1–100 (default 20).
    pub per_page: Option<i64>,
}

/// A page of claims.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClaimPage {
    pub claims: Vec<ClaimView>,
    pub page: i64,
    pub per_page: i64,
    /// Claims matching in all.
    pub total: i64,
}

const STATUSES: [&str; 7] = [
    "received",
    "registered",
    "decided",
    "payment_instructed",
    "paid",
    "payment_failed",
    "withdrawn",
];

/// Claims by person, status and kind, newest 受付 first, with paging.
#[utoipa::path(get, path = "/api/v1/claims", tag = "給付", params(ClaimSearchParams),
    responses((status = 200, body = ClaimPage), (status = 401, body = Problem), (status = 422, body = Problem)))]
pub async fn search(
    State(state): State<AppState>,
    staff: Staff,
    QueryParams(params): QueryParams<ClaimSearchParams>,
) -> Result<Json<ClaimPage>, ApiError> {
    staff.role()?;
    let page = params.page.unwrap_or(1);
    let per_page = params.per_page.unwrap_or(20);
    if page < 1 || !(1..=100).contains(&per_page) {
        return Err(ApiError::invalid(
            "invalid_query",
            "page must be ≥ 1 and per_page 1 to 100",
        ));
    }
    let person_id = params
        .person_id
        .as_deref()
        .map(Uuid::parse_str)
        .transpose()
        .map_err(|e| ApiError::invalid("invalid_query", format!("person_id: {e}")))?;
    if let Some(status) = &params.status {
        if !STATUSES.contains(&status.as_str()) {
            return Err(ApiError::invalid(
                "invalid_query",
                format!("status must be one of {}", STATUSES.join(", ")),
            ));
        }
    }
    if let Some(kind) = &params.kind {
        serde_json::from_value::<BenefitKind>(Value::String(kind.clone()))
            .map_err(|e| ApiError::invalid("invalid_query", format!("kind: {e}")))?;
    }
    let criteria = query::Search {
        person_id,
        status: params.status,
        kind: params.kind,
    };
    let result = query::search(&state.pool, &criteria, (page - 1) * per_page, per_page)
        .await
        .map_err(|e| ApiError::internal(&e))?;
    let answer = ClaimPage {
        claims: result.claims,
        page,
        per_page,
        total: result.total,
    };
    read_log::record(&state.pool, &staff, &answer, answer.claims.len()).await?;
    Ok(Json(answer))
}
