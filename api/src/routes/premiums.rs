//! 徴収 (premium collection) of 任意継続 / 特例退職 insured: commands on premium accounts
//! (`premiums` role = 徴収課), the receipt import, and queries (the roles of `crate::authorization`).
//! docs/premiums.md has the rules, the 顧客番号 and curl examples.

use axum::extract::{FromRequest, Request, State};
use axum::http::StatusCode;
use axum::Json;
use kenpo_domain::calendar::Date;
use kenpo_domain::premiums::{
    ArrearsDetection, PremiumAccountCommand, ReceiptRecord, RefundClaim, RefundPayment,
};
use kenpo_infrastructure::idempotency;
use kenpo_projections::premium_ledger::query::{self, ArrearsPage, RefundPage};
use kenpo_projections::premium_ledger::{PremiumAccountView, RefundStatus};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::application::as_of::{self, AsOfBasis, AsOfParams};
use crate::application::command::{self, CommandAnswer, CommandRequest, IDEMPOTENCY_KEY};
use crate::application::parameters::today;
use crate::application::premiums::assessment::{self, AssessMonth, Prepay, PrepaymentRecorded};
use crate::application::premiums::first_premium::{
    self, FirstPremiumUnpaid, FirstPremiumUnpaidRecorded,
};
use crate::application::premiums::loss::{self, LossForNonPayment, LossRecorded};
use crate::application::premiums::opening::{self, OpenAccountRequest};
use crate::application::premiums::receipt_import::{self, ImportReport, ReceiptFileFormat};
use crate::application::premiums::refunds::{self, DecideRefund};
use crate::application::premiums::reversal::{self, ReverseReceipt};
use crate::application::premiums::shortfall::{self, ReassessPrepayment, ShortfallRecorded};
use crate::application::premiums::{account, Recorded};
use crate::application::read_log;
use crate::auth::Staff;
use crate::json::{PathParam, QueryParams};
use crate::problem::{ApiError, Problem};
use crate::state::AppState;

fn answer<T: Serialize>(status: StatusCode, recorded: &T) -> Result<CommandAnswer, ApiError> {
    let body: Value = serde_json::to_value(recorded).map_err(|e| ApiError::internal(&e))?;
    Ok(CommandAnswer { status, body })
}

/// 口座開設: open the premium account of a current 任意継続 or 特例退職 被保険者. The category
/// and 資格取得日 come from the person's 適用 record, the 標準報酬月額 from their record at
/// the loss of the 強制 qualification (任継). The answer has the account's 顧客番号.
/// `holiday_shift: "next_business_day"` moves due dates off closed days.
#[utoipa::path(post, path = "/api/v1/premium-accounts", tag = "徴収",
    request_body = OpenAccountRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "repeat-safe key"),
           ("If-Match" = Option<String>, Header, description = "expected stream version (0: none yet)")),
    responses((status = 201, body = Recorded), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn open(
    State(state): State<AppState>,
    request: CommandRequest,
) -> Result<CommandAnswer, ApiError> {
    let role = request.staff.role()?;
    let body: OpenAccountRequest = request.parse()?;
    let (body, holiday_shift) = body.split();
    let metadata = request.staff.metadata(role);
    let upcasters = state.upcasters.clone();
    command::run(&state, &request, |mut tx| async move {
        let recorded = opening::open_with_holiday_shift(
            &mut tx,
            &upcasters,
            body,
            holiday_shift,
            request.expected_version,
            &metadata,
        )
        .await?;
        Ok((tx, answer(StatusCode::CREATED, &recorded)?))
    })
    .await
}

/// 保険料賦課: compute the month's premium from the parameters in force on its 1st (一般・特定・
/// 調整, 介護 for 40–64, 子ども・子育て支援金 from 2026-04, 任継 上限) and record it with its
/// basis. A missing parameter is 409 `parameter_not_set` naming it.
#[utoipa::path(post, path = "/api/v1/premium-accounts/{person_id}/assessments", tag = "徴収",
    request_body = AssessMonth,
    params(("person_id" = Uuid, Path, description = "the insured person"),
           ("Idempotency-Key" = Option<String>, Header, description = "repeat-safe key"),
           ("If-Match" = Option<String>, Header, description = "expected stream version")),
    responses((status = 200, body = Recorded), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn assess(
    State(state): State<AppState>,
    PathParam(id): PathParam<Uuid>,
    request: CommandRequest,
) -> Result<CommandAnswer, ApiError> {
    let role = request.staff.role()?;
    let body: AssessMonth = request.parse()?;
    let metadata = request.staff.metadata(role);
    let upcasters = state.upcasters.clone();
    command::run(&state, &request, |mut tx| async move {
        let recorded = assessment::assess_month_expecting(
            &mut tx,
            &upcasters,
            id,
            body.month,
            request.expected_version,
            &metadata,
        )
        .await?;
        Ok((tx, answer(StatusCode::OK, &recorded)?))
    })
    .await
}

/// 前納: the months of a period (6 or 12 months) at their discounted value (年4分 複利現価法,
/// 施行令49条), received by the end of the month before the first month.
#[utoipa::path(post, path = "/api/v1/premium-accounts/{person_id}/prepayments", tag = "徴収",
    request_body = Prepay,
    params(("person_id" = Uuid, Path, description = "the insured person"),
           ("Idempotency-Key" = Option<String>, Header, description = "repeat-safe key"),
           ("If-Match" = Option<String>, Header, description = "expected stream version")),
    responses((status = 200, body = PrepaymentRecorded), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn prepay(
    State(state): State<AppState>,
    PathParam(id): PathParam<Uuid>,
    request: CommandRequest,
) -> Result<CommandAnswer, ApiError> {
    let role = request.staff.role()?;
    let body: Prepay = request.parse()?;
    let metadata = request.staff.metadata(role);
    let upcasters = state.upcasters.clone();
    command::run(&state, &request, |mut tx| async move {
        let recorded = assessment::prepay(
            &mut tx,
            &upcasters,
            id,
            body,
            request.expected_version,
            &metadata,
        )
        .await?;
        Ok((tx, answer(StatusCode::OK, &recorded)?))
    })
    .await
}

/// Handlers for account commands whose body maps straight to one domain command.
macro_rules! account_command {
    ($(#[$doc:meta])* $name:ident, $path:literal, $body:ty, $variant:path) => {
        $(#[$doc])*
        #[utoipa::path(post, path = $path, tag = "徴収",
            request_body = $body,
            params(("person_id" = Uuid, Path, description = "the insured person"),
                   ("Idempotency-Key" = Option<String>, Header, description = "repeat-safe key"),
                   ("If-Match" = Option<String>, Header, description = "expected stream version")),
            responses((status = 200, body = Recorded), (status = 401, body = Problem),
                      (status = 403, body = Problem), (status = 404, body = Problem),
                      (status = 409, body = Problem), (status = 422, body = Problem)))]
        pub async fn $name(
            State(state): State<AppState>,
            PathParam(id): PathParam<Uuid>,
            request: CommandRequest,
        ) -> Result<CommandAnswer, ApiError> {
            let role = request.staff.role()?;
            let body: $body = request.parse()?;
            let metadata = request.staff.metadata(role);
            let upcasters = state.upcasters.clone();
            command::run(&state, &request, |mut tx| async move {
                let recorded = account::execute(
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

account_command!(
    /// 保険料収納: money received; it pays the oldest unpaid months first, the rest is kept as
    /// credit (applied to months assessed later whose due date is within 6 months, 164条2項).
    receive, "/api/v1/premium-accounts/{person_id}/receipts", ReceiptRecord, PremiumAccountCommand::RecordReceipt);
account_command!(
    /// 未納 check: record the months unpaid after their due date (due date before `as_of`) not
    /// reported before; 409 `no_new_arrears` when there is none.
    detect_arrears, "/api/v1/premium-accounts/{person_id}/arrears-detection", ArrearsDetection, PremiumAccountCommand::DetectArrears);
account_command!(
    /// 還付請求 received (the account must hold credit).
    claim_refund, "/api/v1/premium-accounts/{person_id}/refunds/claim", RefundClaim, PremiumAccountCommand::ClaimRefund);
account_command!(
    /// 還付金 paid (the decided amount).
    pay_refund, "/api/v1/premium-accounts/{person_id}/refunds/payment", RefundPayment, PremiumAccountCommand::PayRefund);

/// 還付額決定: the amount is the credit the account holds (or the part asked for), with its
/// basis.
#[utoipa::path(post, path = "/api/v1/premium-accounts/{person_id}/refunds/decision", tag = "徴収",
    request_body = DecideRefund,
    params(("person_id" = Uuid, Path, description = "the insured person"),
           ("Idempotency-Key" = Option<String>, Header, description = "repeat-safe key"),
           ("If-Match" = Option<String>, Header, description = "expected stream version")),
    responses((status = 200, body = Recorded), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn decide_refund(
    State(state): State<AppState>,
    PathParam(id): PathParam<Uuid>,
    request: CommandRequest,
) -> Result<CommandAnswer, ApiError> {
    let role = request.staff.role()?;
    let body: DecideRefund = request.parse()?;
    let metadata = request.staff.metadata(role);
    let upcasters = state.upcasters.clone();
    command::run(&state, &request, |mut tx| async move {
        let recorded = refunds::decide(
            &mut tx,
            &upcasters,
            id,
            body,
            request.expected_version,
            &metadata,
        )
        .await?;
        Ok((tx, answer(StatusCode::OK, &recorded)?))
    })
    .await
}

/// 保険料未納による資格喪失 (38条3号): in one transaction the 徴収 fact (`ArrearsDetected`),
/// the 適用 `QualificationLost` (reason `premium_unpaid`, loss the day after the due date,
/// causation = the 徴収 event) and the account's `AccountClosed` (causation = the loss).
#[utoipa::path(post, path = "/api/v1/premium-accounts/{person_id}/loss-for-non-payment", tag = "徴収",
    request_body = LossForNonPayment,
    params(("person_id" = Uuid, Path, description = "the insured person"),
           ("Idempotency-Key" = Option<String>, Header, description = "repeat-safe key"),
           ("If-Match" = Option<String>, Header, description = "expected version of the premium account stream")),
    responses((status = 200, body = LossRecorded), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn lose_for_non_payment(
    State(state): State<AppState>,
    PathParam(id): PathParam<Uuid>,
    request: CommandRequest,
) -> Result<CommandAnswer, ApiError> {
    let role = request.staff.role()?;
    let body: LossForNonPayment = request.parse()?;
    let metadata = request.staff.metadata(role);
    let upcasters = state.upcasters.clone();
    command::run(&state, &request, |mut tx| async move {
        let recorded = loss::lose_for_non_payment(
            &mut tx,
            &upcasters,
            id,
            body,
            request.expected_version,
            &metadata,
        )
        .await?;
        Ok((tx, answer(StatusCode::OK, &recorded)?))
    })
    .await
}

/// 収納取消: reverse one recorded receipt (named by its `position`): the money it brought is
/// taken back from its credit and the months it paid (unpaid again); the receipt stays in the
/// history, marked reversed. Refused after the account closed or a refund after the receipt.
#[utoipa::path(post, path = "/api/v1/premium-accounts/{person_id}/receipt-reversals", tag = "徴収",
    request_body = ReverseReceipt,
    params(("person_id" = Uuid, Path, description = "the insured person"),
           ("Idempotency-Key" = Option<String>, Header, description = "repeat-safe key"),
           ("If-Match" = Option<String>, Header, description = "expected stream version")),
    responses((status = 200, body = Recorded), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn reverse_receipt(
    State(state): State<AppState>,
    PathParam(id): PathParam<Uuid>,
    request: CommandRequest,
) -> Result<CommandAnswer, ApiError> {
    let role = request.staff.role()?;
    let body: ReverseReceipt = request.parse()?;
    let metadata = request.staff.metadata(role);
    let upcasters = state.upcasters.clone();
    command::run(&state, &request, |mut tx| async move {
        let recorded = reversal::reverse_receipt(
            &mut tx,
            &upcasters,
            id,
            body,
            request.expected_version,
            &metadata,
        )
        .await?;
        Ok((tx, answer(StatusCode::OK, &recorded)?))
    })
    .await
}

/// 初回保険料の未納 (37条2項): in one transaction the 徴収 fact (`ArrearsDetected` of the first
/// premium), the 適用 `AcquisitionVoided` of the 任継 (causation = the 徴収 event; dependents'
/// recognitions voided with it) and the account's `AccountClosed` (`first_premium_unpaid`,
/// causation = the void).
#[utoipa::path(post, path = "/api/v1/premium-accounts/{person_id}/first-premium-unpaid", tag = "徴収",
    request_body = FirstPremiumUnpaid,
    params(("person_id" = Uuid, Path, description = "the insured person"),
           ("Idempotency-Key" = Option<String>, Header, description = "repeat-safe key"),
           ("If-Match" = Option<String>, Header, description = "expected version of the premium account stream")),
    responses((status = 200, body = FirstPremiumUnpaidRecorded), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn first_premium_unpaid(
    State(state): State<AppState>,
    PathParam(id): PathParam<Uuid>,
    request: CommandRequest,
) -> Result<CommandAnswer, ApiError> {
    let role = request.staff.role()?;
    let body: FirstPremiumUnpaid = request.parse()?;
    let metadata = request.staff.metadata(role);
    let upcasters = state.upcasters.clone();
    command::run(&state, &request, |mut tx| async move {
        let recorded = first_premium::record_first_premium_unpaid(
            &mut tx,
            &upcasters,
            id,
            body,
            request.expected_version,
            &metadata,
        )
        .await?;
        Ok((tx, answer(StatusCode::OK, &recorded)?))
    })
    .await
}

/// 前納後の保険料率引上げ: reassess the prepaid months beginning after `as_of` at the rates in
/// force; from the first month whose premium rose, the shortfall (Y − X) is recorded as owing,
/// to be paid by the end of the month before (else on the carrying month's due date).
#[utoipa::path(post, path = "/api/v1/premium-accounts/{person_id}/prepayment-shortfall", tag = "徴収",
    request_body = ReassessPrepayment,
    params(("person_id" = Uuid, Path, description = "the insured person"),
           ("Idempotency-Key" = Option<String>, Header, description = "repeat-safe key"),
           ("If-Match" = Option<String>, Header, description = "expected stream version")),
    responses((status = 200, body = ShortfallRecorded), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn prepayment_shortfall(
    State(state): State<AppState>,
    PathParam(id): PathParam<Uuid>,
    request: CommandRequest,
) -> Result<CommandAnswer, ApiError> {
    let role = request.staff.role()?;
    let body: ReassessPrepayment = request.parse()?;
    let metadata = request.staff.metadata(role);
    let upcasters = state.upcasters.clone();
    command::run(&state, &request, |mut tx| async move {
        let recorded = shortfall::reassess_prepayment(
            &mut tx,
            &upcasters,
            id,
            body,
            request.expected_version,
            &metadata,
        )
        .await?;
        Ok((tx, answer(StatusCode::OK, &recorded)?))
    })
    .await
}

/// Body of the closing command: nothing (the loss comes from the 適用 record).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseAccount {}

/// Close the account after a loss 適用 recorded (死亡, 2年満了, 申出, 他の保険, 75歳): months
/// from the first uncharged one are cancelled and what was paid for them becomes credit.
#[utoipa::path(post, path = "/api/v1/premium-accounts/{person_id}/closing", tag = "徴収",
    request_body = CloseAccount,
    params(("person_id" = Uuid, Path, description = "the insured person"),
           ("Idempotency-Key" = Option<String>, Header, description = "repeat-safe key"),
           ("If-Match" = Option<String>, Header, description = "expected stream version")),
    responses((status = 200, body = Recorded), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn close(
    State(state): State<AppState>,
    PathParam(id): PathParam<Uuid>,
    request: CommandRequest,
) -> Result<CommandAnswer, ApiError> {
    let role = request.staff.role()?;
    let _: CloseAccount = request.parse()?;
    let metadata = request.staff.metadata(role);
    let upcasters = state.upcasters.clone();
    command::run(&state, &request, |mut tx| async move {
        let recorded =
            loss::close_after_loss(&mut tx, &upcasters, id, request.expected_version, &metadata)
                .await?;
        Ok((tx, answer(StatusCode::OK, &recorded)?))
    })
    .await
}

/// Largest receipt file accepted.
pub const MAX_RECEIPT_FILE_BYTES: usize = 16 * 1024 * 1024;

/// A receipt file upload: the command request (staff, raw bytes, Idempotency-Key) and the
/// format named by its Content-Type.
pub struct ReceiptFile {
    pub request: CommandRequest,
    pub format: ReceiptFileFormat,
}

impl FromRequest<AppState> for ReceiptFile {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let staff = <Staff as axum::extract::FromRequestParts<AppState>>::from_request_parts(
            &mut parts, state,
        )
        .await?;
        let content_type = parts
            .headers
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_ascii_lowercase();
        let format = if content_type.starts_with("text/csv") {
            ReceiptFileFormat::Csv
        } else if content_type.starts_with("application/octet-stream") {
            ReceiptFileFormat::ZenginTransferNotice
        } else {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "Unsupported media type",
                "send the receipt CSV as text/csv or a 全銀 振込入金通知 as application/octet-stream",
            ));
        };
        let idempotency_key = match parts.headers.get(IDEMPOTENCY_KEY) {
            None => None,
            Some(v) => {
                let key = v.to_str().unwrap_or_default().trim().to_owned();
                if key.is_empty() || key.len() > 255 {
                    return Err(ApiError::invalid(
                        "invalid_idempotency_key",
                        "Idempotency-Key must be 1 to 255 visible characters",
                    ));
                }
                Some(key)
            }
        };
        let bytes = axum::body::to_bytes(body, MAX_RECEIPT_FILE_BYTES)
            .await
            .map_err(|e| crate::edge::body_error(&e, MAX_RECEIPT_FILE_BYTES))?;
        let mut hashed = format.as_str().as_bytes().to_vec();
        hashed.push(0);
        hashed.extend_from_slice(&bytes);
        let request_hash =
            idempotency::request_hash(parts.method.as_str(), parts.uri.path(), &hashed);
        Ok(Self {
            request: CommandRequest {
                staff,
                body: bytes,
                idempotency_key,
                expected_version: None,
                request_hash,
            },
            format,
        })
    }
}

/// 保険料収納 from a bank file: the kenpo receipt CSV (`text/csv`) or a 全銀 振込入金通知
/// (`application/octet-stream`). Each line is matched by the 顧客番号 the payer quoted and
/// recorded on that account, all in one transaction; unmatched lines are reported. The same
/// file again records nothing (200, `duplicate_file`); a bank reference imported before is
/// skipped (`already_imported`). A refused line refuses the whole file (422, nothing written).
#[utoipa::path(post, path = "/api/v1/premium-receipt-imports", tag = "徴収",
    request_body(content = String, content_type = "text/csv",
                 description = "the receipt CSV, or a 全銀 振込入金通知 as application/octet-stream"),
    params(("Idempotency-Key" = Option<String>, Header, description = "repeat-safe key")),
    responses((status = 201, body = ImportReport, description = "imported"),
              (status = 200, body = ImportReport, description = "the same file was imported before: nothing new"),
              (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 409, body = Problem), (status = 415, body = Problem), (status = 422, body = Problem)))]
pub async fn import_receipts(
    State(state): State<AppState>,
    file: ReceiptFile,
) -> Result<CommandAnswer, ApiError> {
    let request = file.request;
    let role = request.staff.role()?;
    let metadata = request.staff.metadata(role);
    let upcasters = state.upcasters.clone();
    let format = file.format;
    let bytes = request.body.clone();
    command::run(&state, &request, |mut tx| async move {
        let (new, report) =
            receipt_import::import(&mut tx, &upcasters, format, &bytes, &metadata).await?;
        let status = if new {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        };
        Ok((tx, answer(status, &report)?))
    })
    .await
}

/// The report of a receipt import (every line with its outcome).
#[utoipa::path(get, path = "/api/v1/premium-receipt-imports/{import_id}", tag = "徴収",
    params(("import_id" = Uuid, Path, description = "the import")),
    responses((status = 200, body = ImportReport), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn import_report(
    State(state): State<AppState>,
    staff: Staff,
    PathParam(id): PathParam<Uuid>,
) -> Result<Json<ImportReport>, ApiError> {
    staff.role()?;
    let mut conn = state.pool.acquire().await?;
    let report = receipt_import::find(&mut conn, id).await?;
    read_log::record(&mut *conn, &staff, &report, report.lines.len()).await?;
    Ok(Json(report))
}

fn projection_error(e: kenpo_projections::ProjectionError) -> ApiError {
    ApiError::internal(&e)
}

/// A premium account as the live read model has it, or (with `as_of` / `known_at`) as folded
/// then, with its `basis`.
#[derive(Debug, Serialize, ToSchema)]
pub struct PremiumAccountDetail {
    #[serde(flatten)]
    pub account: PremiumAccountView,
    /// Only with `as_of` / `known_at`: the date, the moment and the positions of the events
    /// folded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basis: Option<AsOfBasis>,
}

/// The premium account: 顧客番号, status, the ledger by month (assessed, received, balance,
/// due date, status), receipts, refunds and totals.
///
/// Bitemporal (監査): with `as_of` and/or `known_at` the account is folded, by the read
/// model's own fold, from its events recorded by `known_at` (default now) whose effective date
/// is on or before `as_of` (default today): 口座開設 the 資格取得日, 賦課 the first day of the
/// month assessed, 前納 and 収納 `received_on`, 収納取消 `reversed_on`, 前納不足 the first day
/// of its first month, 未納検出 its `as_of`, 資格喪失 `lost_on`, 還付 `claimed_on` /
/// `decided_on` / `paid_on`. A receipt is then counted in `totals.received` even when the
/// month it paid is assessed after `as_of` (the month is not shown). The answer adds `basis`
/// (as_of, known_at, the positions folded). 404 `premium_account_not_found` also when nothing
/// is known then or the account is not yet open on that day; 422 `invalid_query` for a
/// malformed date or time or a `known_at` in the future.
#[utoipa::path(get, path = "/api/v1/premium-accounts/{person_id}", tag = "徴収",
    params(("person_id" = Uuid, Path, description = "the insured person"), AsOfParams),
    responses((status = 200, body = PremiumAccountDetail), (status = 401, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn account_view(
    State(state): State<AppState>,
    staff: Staff,
    PathParam(id): PathParam<Uuid>,
    QueryParams(params): QueryParams<AsOfParams>,
) -> Result<Json<PremiumAccountDetail>, ApiError> {
    staff.role()?;
    if let Some(moment) = params.moment(chrono::Utc::now())? {
        let mut conn = state.pool.acquire().await?;
        let (account, basis) = as_of::premium_account(&mut conn, &state.upcasters, id, moment)
            .await
            .map_err(|e| e.into_api(|| account::account_not_found(id)))?;
        let detail = PremiumAccountDetail {
            account,
            basis: Some(basis),
        };
        read_log::record(&mut *conn, &staff, &detail, 1).await?;
        return Ok(Json(detail));
    }
    let account = query::find(&state.pool, id)
        .await
        .map_err(projection_error)?
        .ok_or_else(|| account::account_not_found(id))?;
    let detail = PremiumAccountDetail {
        account,
        basis: None,
    };
    read_log::record(&state.pool, &staff, &detail, 1).await?;
    Ok(Json(detail))
}

fn paging(page: Option<i64>, per_page: Option<i64>) -> Result<(i64, i64), ApiError> {
    let paging = super::paging::Paging::parse(page, per_page, 50, 200)?;
    Ok((paging.page, paging.per_page))
}

/// Query of the arrears list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ArrearsParams {
    /// The day asked about, ISO or 和暦 (default: today in Japan). A month is 未納 when its
    /// due date is before this day and it is still unpaid.
    pub as_of: Option<String>,
    /// Page number from 1 (default 1).
    pub page: Option<i64>,
    /// Accounts per page, 1–200 (default 50).
    pub per_page: Option<i64>,
}

/// A page of the arrears list.
#[derive(Debug, Serialize, ToSchema)]
pub struct ArrearsList {
    #[serde(flatten)]
    pub arrears: ArrearsPage,
    pub page: i64,
    pub per_page: i64,
}

/// 未納一覧: the accounts with months due before `as_of` and still unpaid, in 顧客番号 order.
#[utoipa::path(get, path = "/api/v1/premium-arrears", tag = "徴収", params(ArrearsParams),
    responses((status = 200, body = ArrearsList), (status = 401, body = Problem), (status = 422, body = Problem)))]
pub async fn arrears(
    State(state): State<AppState>,
    staff: Staff,
    QueryParams(params): QueryParams<ArrearsParams>,
) -> Result<Json<ArrearsList>, ApiError> {
    staff.role()?;
    let (page, per_page) = paging(params.page, params.per_page)?;
    let as_of: Date = match params.as_of.as_deref() {
        Some(text) => kenpo_domain::calendar::parse(text)
            .map_err(|e| ApiError::invalid("invalid_query", format!("as_of: {e}")))?,
        None => today(),
    };
    let mut conn = state.pool.acquire().await?;
    let arrears = query::arrears(&mut conn, as_of, (page - 1) * per_page, per_page)
        .await
        .map_err(projection_error)?;
    let list = ArrearsList {
        arrears,
        page,
        per_page,
    };
    read_log::record(&mut *conn, &staff, &list, list.arrears.accounts.len()).await?;
    Ok(Json(list))
}

/// Query of the refunds list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct RefundParams {
    /// `claimed`, `decided` or `paid` (default: all).
    pub status: Option<String>,
    /// Page number from 1 (default 1).
    pub page: Option<i64>,
    /// Refunds per page, 1–200 (default 50).
    pub per_page: Option<i64>,
}

/// A page of refunds.
#[derive(Debug, Serialize, ToSchema)]
pub struct RefundList {
    #[serde(flatten)]
    pub refunds: RefundPage,
    pub page: i64,
    pub per_page: i64,
}

/// 還付一覧: refunds by status, oldest claim first.
#[utoipa::path(get, path = "/api/v1/premium-refunds", tag = "徴収", params(RefundParams),
    responses((status = 200, body = RefundList), (status = 401, body = Problem), (status = 422, body = Problem)))]
pub async fn refund_list(
    State(state): State<AppState>,
    staff: Staff,
    QueryParams(params): QueryParams<RefundParams>,
) -> Result<Json<RefundList>, ApiError> {
    staff.role()?;
    let (page, per_page) = paging(params.page, params.per_page)?;
    let status = match params.status.as_deref() {
        None => None,
        Some("claimed") => Some(RefundStatus::Claimed),
        Some("decided") => Some(RefundStatus::Decided),
        Some("paid") => Some(RefundStatus::Paid),
        Some(other) => {
            return Err(ApiError::invalid(
                "invalid_query",
                format!("status must be claimed, decided or paid, not {other}"),
            ))
        }
    };
    let mut conn = state.pool.acquire().await?;
    let refunds = query::refunds(&mut conn, status, (page - 1) * per_page, per_page)
        .await
        .map_err(projection_error)?;
    let list = RefundList {
        refunds,
        page,
        per_page,
    };
    read_log::record(&mut *conn, &staff, &list, list.refunds.refunds.len()).await?;
    Ok(Json(list))
}
