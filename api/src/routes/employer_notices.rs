//! 納入告知 (employer premium notices) and the monthly assessment run. Commands need the
//! `premiums` (徴収課) role; queries: the roles of `crate::authorization`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use kenpo_domain::calendar::YearMonth;
use kenpo_domain::employer_notices::NoticeReceipt;
use kenpo_projections::employer_notices::{query, EmployerNoticeView};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use crate::application::assessment_run::{self, AssessmentOptions, AssessmentSummary};
use crate::application::command::{self, CommandAnswer, CommandRequest};
use crate::application::employer_notices::{self, NoticeDetail, NoticeRecorded};
use crate::application::parameters::today;
use crate::application::read_log;
use crate::auth::Staff;
use crate::json::{PathParam, QueryParams};
use crate::problem::{ApiError, Problem};
use crate::state::AppState;

fn answer(status: StatusCode, recorded: &NoticeRecorded) -> Result<CommandAnswer, ApiError> {
    let body: Value = serde_json::to_value(recorded).map_err(|e| ApiError::internal(&e))?;
    Ok(CommandAnswer { status, body })
}

/// Body of `POST /api/v1/employer-notices`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IssueNotice {
    /// 事業所コード (1 to 8 digits).
    #[schema(example = "1234")]
    pub office_code: String,
    /// 月分 (ISO `2026-04` or 和暦 `令和8年4月`).
    #[schema(value_type = String, example = "2026-04")]
    pub month: YearMonth,
}

/// Body of `POST /api/v1/employer-notices/{office_code}/{month}/reissue`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReissueNotice {
    /// 訂正理由.
    #[schema(example = "標準報酬月額の遡及訂正 (月額変更届の遅延)")]
    pub reason: String,
}

/// 納入告知: calculate the notice of a 事業所 for a month from the person records of its
/// ordinary insured and the parameters in force, and record it (once per 事業所 and month).
#[utoipa::path(post, path = "/api/v1/employer-notices", tag = "徴収",
    request_body = IssueNotice,
    params(("Idempotency-Key" = Option<String>, Header, description = "repeat-safe key"),
           ("X-Terminal-Id" = Option<String>, Header, description = "端末ID")),
    responses((status = 201, body = NoticeRecorded), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 409, body = Problem, description = "notice_already_issued, parameter_not_set, no_insured_in_month"),
              (status = 422, body = Problem)))]
pub async fn issue(
    State(state): State<AppState>,
    request: CommandRequest,
) -> Result<CommandAnswer, ApiError> {
    let role = request.staff.role()?;
    let body: IssueNotice = request.parse()?;
    let metadata = request.staff.metadata(role);
    let upcasters = state.upcasters.clone();
    command::run(&state, &request, |mut tx| async move {
        let recorded = employer_notices::issue(
            &mut tx,
            &upcasters,
            &body.office_code,
            body.month,
            today(),
            request.expected_version,
            &metadata,
        )
        .await?;
        Ok((tx, answer(StatusCode::CREATED, &recorded)?))
    })
    .await
}

/// 訂正: recalculate the notice from the records as they are now and record the correction
/// with its reason; the original notice stays in the stream.
#[utoipa::path(post, path = "/api/v1/employer-notices/{office_code}/{month}/reissue", tag = "徴収",
    request_body = ReissueNotice,
    params(("office_code" = String, Path, description = "事業所コード"),
           ("month" = String, Path, description = "月分, YYYY-MM"),
           ("Idempotency-Key" = Option<String>, Header, description = "repeat-safe key"),
           ("If-Match" = Option<String>, Header, description = "expected stream version")),
    responses((status = 200, body = NoticeRecorded), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem, description = "reissue_unchanged, parameter_not_set"),
              (status = 422, body = Problem)))]
pub async fn reissue(
    State(state): State<AppState>,
    PathParam((office_code, month)): PathParam<(String, YearMonth)>,
    request: CommandRequest,
) -> Result<CommandAnswer, ApiError> {
    let role = request.staff.role()?;
    let body: ReissueNotice = request.parse()?;
    let metadata = request.staff.metadata(role);
    let upcasters = state.upcasters.clone();
    command::run(&state, &request, |mut tx| async move {
        let recorded = employer_notices::reissue(
            &mut tx,
            &upcasters,
            &office_code,
            month,
            body.reason,
            today(),
            request.expected_version,
            &metadata,
        )
        .await?;
        Ok((tx, answer(StatusCode::OK, &recorded)?))
    })
    .await
}

/// 収納: record a payment received against the notice (partial, exact or over; the notice is
/// paid once Σ received ≥ 納入告知額).
#[utoipa::path(post, path = "/api/v1/employer-notices/{office_code}/{month}/receipts", tag = "徴収",
    request_body = NoticeReceipt,
    params(("office_code" = String, Path, description = "事業所コード"),
           ("month" = String, Path, description = "月分, YYYY-MM"),
           ("Idempotency-Key" = Option<String>, Header, description = "repeat-safe key"),
           ("If-Match" = Option<String>, Header, description = "expected stream version")),
    responses((status = 200, body = NoticeRecorded), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem, description = "duplicate_receipt"),
              (status = 422, body = Problem)))]
pub async fn record_receipt(
    State(state): State<AppState>,
    PathParam((office_code, month)): PathParam<(String, YearMonth)>,
    request: CommandRequest,
) -> Result<CommandAnswer, ApiError> {
    let role = request.staff.role()?;
    let body: NoticeReceipt = request.parse()?;
    let metadata = request.staff.metadata(role);
    let upcasters = state.upcasters.clone();
    command::run(&state, &request, |mut tx| async move {
        let recorded = employer_notices::record_receipt(
            &mut tx,
            &upcasters,
            &office_code,
            month,
            body,
            request.expected_version,
            &metadata,
        )
        .await?;
        Ok((tx, answer(StatusCode::OK, &recorded)?))
    })
    .await
}

/// Search parameters: every one given must match.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct NoticeSearch {
    /// 事業所コード (exact).
    pub office_code: Option<String>,
    /// 月分, `2026-04` (or 和暦 `令和8年4月`).
    #[param(value_type = Option<String>)]
    pub month: Option<YearMonth>,
    /// `issued`, `partially_paid`, `paid` or `nothing_due`.
    pub status: Option<String>,
    /// Page number from 1 (default 1).
    pub page: Option<i64>,
    /// Results per page, 1–100 (default 20).
    pub per_page: Option<i64>,
}

/// A page of notices.
#[derive(Debug, Serialize, ToSchema)]
pub struct NoticePage {
    pub notices: Vec<EmployerNoticeView>,
    pub page: i64,
    pub per_page: i64,
    /// Notices matching in all.
    pub total: i64,
}

const STATUSES: [&str; 4] = ["issued", "partially_paid", "paid", "nothing_due"];

/// Notices by 事業所, month and status (newest month first), with paging.
#[utoipa::path(get, path = "/api/v1/employer-notices", tag = "徴収", params(NoticeSearch),
    responses((status = 200, body = NoticePage), (status = 401, body = Problem), (status = 422, body = Problem)))]
pub async fn search(
    State(state): State<AppState>,
    staff: Staff,
    QueryParams(params): QueryParams<NoticeSearch>,
) -> Result<Json<NoticePage>, ApiError> {
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
        if !STATUSES.contains(&status.as_str()) {
            return Err(ApiError::invalid(
                "invalid_query",
                format!("status must be one of {}", STATUSES.join(", ")),
            ));
        }
    }
    let search = query::Search {
        office_code: params.office_code,
        month: params.month,
        status: params.status,
    };
    let found = query::search(&state.pool, &search, (page - 1) * per_page, per_page)
        .await
        .map_err(|e| ApiError::internal(&e))?;
    let answer = NoticePage {
        notices: found.notices,
        page,
        per_page,
        total: found.total,
    };
    read_log::record(&state.pool, &staff, &answer, answer.notices.len()).await?;
    Ok(Json(answer))
}

/// One notice: totals, receipts and corrections, with the lines and 算定根拠 of the version in
/// force (read from the notice's stream).
#[utoipa::path(get, path = "/api/v1/employer-notices/{office_code}/{month}", tag = "徴収",
    params(("office_code" = String, Path, description = "事業所コード"),
           ("month" = String, Path, description = "月分, YYYY-MM")),
    responses((status = 200, body = NoticeDetail), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn detail(
    State(state): State<AppState>,
    staff: Staff,
    PathParam((office_code, month)): PathParam<(String, YearMonth)>,
) -> Result<Json<NoticeDetail>, ApiError> {
    staff.role()?;
    let mut conn = state.pool.acquire().await?;
    let detail = employer_notices::detail(&mut conn, &state.upcasters, &office_code, month).await?;
    read_log::record(&mut *conn, &staff, &detail, detail.lines.len()).await?;
    Ok(Json(detail))
}

/// Body of `POST /api/v1/assessment-runs`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssessmentRunRequest {
    /// 月分 to assess.
    #[schema(value_type = String, example = "2026-04")]
    pub month: YearMonth,
}

/// The monthly assessment run (月次賦課): issue the notice of every 事業所 with ordinary
/// insured for the month and assess every 任継・特退 account for it, in batched transactions.
/// Resumable and idempotent: what was issued or assessed already is skipped, so the request
/// can simply be repeated (no `Idempotency-Key` needed). Answers with the summary.
#[utoipa::path(post, path = "/api/v1/assessment-runs", tag = "徴収",
    request_body = AssessmentRunRequest,
    responses((status = 200, body = AssessmentSummary), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 409, body = Problem, description = "parameter_not_set"), (status = 422, body = Problem)))]
pub async fn assessment_run(
    State(state): State<AppState>,
    request: CommandRequest,
) -> Result<Json<AssessmentSummary>, ApiError> {
    let role = request.staff.role()?;
    let body: AssessmentRunRequest = request.parse()?;
    let metadata = request.staff.metadata(role);
    let options = AssessmentOptions::new(body.month, today());
    let summary =
        assessment_run::run(&state.pool, &state.upcasters, &options, &metadata, &|_| {}).await?;
    Ok(Json(summary))
}
