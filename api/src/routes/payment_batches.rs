//! 振込データ (payment batches): made, approved (by a second member) and settled by the 給付課
//! (`benefits`); read by the 給付課 and 監査 (`auditor`) — a batch holds members' bank accounts.

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use kenpo_domain::benefits::payment_batch::BankResult;
use kenpo_infrastructure::event_store;
use kenpo_projections::payment_batches::{query, PaymentBatchSummary, PaymentBatchView};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::application::command::{self, CommandAnswer, CommandRequest};
use crate::application::parameters::today;
use crate::application::payment_batches::{
    self, batch_not_found, ApprovalRecorded, BatchRecorded, BatchRequest, ResultRecorded,
};
use crate::application::read_log;
use crate::auth::Staff;
use crate::json::{PathParam, QueryParams};
use crate::problem::{ApiError, Problem};
use crate::state::AppState;

fn answer<T: Serialize>(status: StatusCode, recorded: &T) -> Result<CommandAnswer, ApiError> {
    let body: Value = serde_json::to_value(recorded).map_err(|e| ApiError::internal(&e))?;
    Ok(CommandAnswer { status, body })
}

/// 振込データ作成 (`benefits`): every decided 支給 claim not yet instructed (optionally only
/// those decided by `decided_up_to`, of `kinds`) whose payee resolves to an account goes into
/// one new batch, and each gets its `PaymentInstructed` — in one transaction, so a claim is
/// never in two batches. Claims without an account to pay to are listed in `unresolved` and
/// stay waiting. Nothing to pay: 409 `nothing_to_pay` (naming the unresolved claims).
#[utoipa::path(post, path = "/api/v1/payment-batches", tag = "給付",
    request_body = BatchRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "repeat-safe key"),
           ("X-Terminal-Id" = Option<String>, Header, description = "端末ID")),
    responses((status = 201, body = BatchRecorded), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    request: CommandRequest,
) -> Result<CommandAnswer, ApiError> {
    let role = request.staff.role()?;
    let body: BatchRequest = request.parse()?;
    if body.kinds.as_ref().is_some_and(Vec::is_empty) {
        return Err(ApiError::invalid(
            "invalid_body",
            "kinds must name at least one 給付種別 (leave it out for every kind)",
        ));
    }
    let instructed_on = body.instructed_on.unwrap_or_else(today);
    payment_batches::check_requester(&body.requester, body.transfer_date)?;
    let metadata = request.staff.metadata(role);
    let upcasters = state.upcasters.clone();
    command::run(&state, &request, |mut tx| async move {
        let recorded =
            payment_batches::create(&mut tx, &upcasters, body, instructed_on, &metadata).await?;
        Ok((tx, answer(StatusCode::CREATED, &recorded)?))
    })
    .await
}

/// 振込結果 (`benefits`): the bank's answer per claim — `paid` with its reference or `failed`
/// with the reason. Records `ClaimPaid` / `PaymentFailed` on each claim and the result on the
/// batch, in one transaction. Posting the same result again records nothing (each claim is
/// paid once); a contradicting answer for a settled claim is 409 `result_conflicts`. A failed
/// claim waits for a later batch.
#[utoipa::path(post, path = "/api/v1/payment-batches/{batch_id}/results", tag = "給付",
    request_body = BankResult,
    params(("batch_id" = Uuid, Path, description = "the batch"),
           ("Idempotency-Key" = Option<String>, Header, description = "repeat-safe key"),
           ("If-Match" = Option<String>, Header, description = "expected stream version of the batch")),
    responses((status = 200, body = ResultRecorded), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn record_result(
    State(state): State<AppState>,
    PathParam(batch_id): PathParam<Uuid>,
    request: CommandRequest,
) -> Result<CommandAnswer, ApiError> {
    let role = request.staff.role()?;
    let body: BankResult = request.parse()?;
    let metadata = request.staff.metadata(role);
    let upcasters = state.upcasters.clone();
    command::run(&state, &request, |mut tx| async move {
        let recorded = payment_batches::record_result(
            &mut tx,
            &upcasters,
            batch_id,
            body,
            request.expected_version,
            &metadata,
        )
        .await?;
        Ok((tx, answer(StatusCode::OK, &recorded)?))
    })
    .await
}

/// `POST …/approval` takes no input: an empty object.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApprovalRequest {}

/// 振込データ承認 (`benefits`): a second 給付課 member approves the batch; only then is its
/// transfer file served. The one who made the batch cannot approve it (403
/// `two_person_rule`); a second approval is 409 `batch_already_approved`. Nothing is written
/// on a refusal.
#[utoipa::path(post, path = "/api/v1/payment-batches/{batch_id}/approval", tag = "給付",
    request_body = ApprovalRequest,
    params(("batch_id" = Uuid, Path, description = "the batch"),
           ("Idempotency-Key" = Option<String>, Header, description = "repeat-safe key"),
           ("If-Match" = Option<String>, Header, description = "expected stream version of the batch")),
    responses((status = 200, body = ApprovalRecorded), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn approve(
    State(state): State<AppState>,
    PathParam(batch_id): PathParam<Uuid>,
    request: CommandRequest,
) -> Result<CommandAnswer, ApiError> {
    let role = request.staff.role()?;
    let _: ApprovalRequest = request.parse()?;
    let metadata = request.staff.metadata(role);
    let upcasters = state.upcasters.clone();
    command::run(&state, &request, |mut tx| async move {
        let recorded = payment_batches::approve(
            &mut tx,
            &upcasters,
            batch_id,
            request.expected_version,
            &metadata,
        )
        .await?;
        Ok((tx, answer(StatusCode::OK, &recorded)?))
    })
    .await
}

/// The 全銀 総合振込 file of a batch (`benefits`, `auditor`): 120-byte records with CR LF,
/// half-width カナ as JIS X 0201 single bytes (identical in Shift_JIS). Written from the batch's
/// `BatchCreated` event, so every download gives the same bytes. Served only once the batch is
/// approved (409 `batch_not_approved` before, no file); each download is recorded on the batch
/// (`TransferFileDownloaded`: who, when, address, 端末ID, SHA-256 of the bytes), shown in the
/// batch's `downloads`.
#[utoipa::path(get, path = "/api/v1/payment-batches/{batch_id}/transfer-file", tag = "給付",
    params(("batch_id" = Uuid, Path, description = "the batch"),
           ("X-Terminal-Id" = Option<String>, Header, description = "端末ID")),
    responses((status = 200, description = "the 総合振込 file (Shift_JIS)", content_type = "application/octet-stream", body = Vec<u8>),
              (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 409, body = Problem)))]
pub async fn transfer_file(
    State(state): State<AppState>,
    staff: Staff,
    PathParam(batch_id): PathParam<Uuid>,
) -> Result<Response, ApiError> {
    let role = staff.role()?;
    let metadata = staff.metadata(role);
    let mut tx = event_store::begin_command(&state.pool).await?;
    let file = payment_batches::download(&mut tx, &state.upcasters, batch_id, &metadata).await?;
    // the read is logged in the download's transaction: no log, no file and no event
    read_log::record(&mut *tx, &staff, &file.batch, file.batch.payments.len()).await?;
    tx.commit().await?;
    let disposition = format!("attachment; filename=\"{}\"", file.file_name);
    let disposition = HeaderValue::from_str(&disposition).map_err(|e| ApiError::internal(&e))?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/octet-stream"),
            ),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        file.bytes,
    )
        .into_response())
}

/// One batch: totals, every payment with its status (instructed, paid, failed), the results,
/// who approved it (`approved_by`, `approved_at`) and every download of its file
/// (`downloads`).
#[utoipa::path(get, path = "/api/v1/payment-batches/{batch_id}", tag = "給付",
    params(("batch_id" = Uuid, Path, description = "the batch")),
    responses((status = 200, body = PaymentBatchView), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn batch(
    State(state): State<AppState>,
    staff: Staff,
    PathParam(batch_id): PathParam<Uuid>,
) -> Result<Json<PaymentBatchView>, ApiError> {
    staff.role()?;
    let view = query::find(&state.pool, batch_id)
        .await
        .map_err(|e| ApiError::internal(&e))?
        .ok_or_else(|| batch_not_found(batch_id))?;
    read_log::record(&state.pool, &staff, &view, view.payments.len()).await?;
    Ok(Json(view))
}

/// List parameters: every one given must match.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    /// `instructed`, `partially_settled` or `settled`.
    pub status: Option<String>,
    /// Batches that pay this claim.
    pub claim_id: Option<Uuid>,
    /// Page number from 1 (default 1).
    pub page: Option<i64>,
    /// Results per page, 1–100 (default 20).
    pub per_page: Option<i64>,
}

/// A page of batches.
#[derive(Debug, Serialize, ToSchema)]
pub struct BatchPage {
    pub batches: Vec<PaymentBatchSummary>,
    pub page: i64,
    pub per_page: i64,
    /// Batches matching in all.
    pub total: i64,
}

/// Batches, newest 支払指示年月日 first, with their totals (the payments: read one batch).
#[utoipa::path(get, path = "/api/v1/payment-batches", tag = "給付", params(ListParams),
    responses((status = 200, body = BatchPage), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    staff: Staff,
    QueryParams(params): QueryParams<ListParams>,
) -> Result<Json<BatchPage>, ApiError> {
    staff.role()?;
    let page = params.page.unwrap_or(1);
    let per_page = params.per_page.unwrap_or(20);
    if page < 1 || !(1..=100).contains(&per_page) {
        return Err(ApiError::invalid(
            "invalid_query",
            "page must be ≥ 1 and per_page 1 to 100",
        ));
    }
    if let Some(status) = &params.status {
        if !["instructed", "partially_settled", "settled"].contains(&status.as_str()) {
            return Err(ApiError::invalid(
                "invalid_query",
                "status must be instructed, partially_settled or settled",
            ));
        }
    }
    let criteria = query::Filter {
        status: params.status,
        claim_id: params.claim_id,
    };
    let result = query::list(&state.pool, &criteria, page, per_page)
        .await
        .map_err(|e| ApiError::internal(&e))?;
    let answer = BatchPage {
        batches: result.batches,
        page,
        per_page,
        total: result.total,
    };
    read_log::record(&state.pool, &staff, &answer, answer.batches.len()).await?;
    Ok(Json(answer))
}
