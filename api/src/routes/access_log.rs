//! The personal-data read log (個人情報アクセス記録) for the データ保護担当 and 監査: the log by
//! period, user, person and endpoint, and the monthly review with the signals of bulk
//! extraction. Reading the log is itself logged.

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::application::read_log;
use crate::application::read_log_review::{self, ReadFilter, ReadRecord, ReadReview, Thresholds};
use crate::auth::Staff;
use crate::json::QueryParams;
use crate::problem::{ApiError, Problem};
use crate::state::AppState;

/// Read-log filters (all optional).
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ReadLogParams {
    /// From this instant (RFC 3339), inclusive.
    pub from: Option<chrono::DateTime<chrono::Utc>>,
    /// Until this instant (RFC 3339), exclusive.
    pub to: Option<chrono::DateTime<chrono::Utc>>,
    pub staff_id: Option<String>,
    /// Reads whose answer held this person.
    pub person_id: Option<Uuid>,
    /// Method and route template, exactly, e.g. `GET /api/v1/members/{person_id}`.
    pub endpoint: Option<String>,
    /// Page from 1 (default 1).
    pub page: Option<i64>,
    /// 1–500 (default 100).
    pub per_page: Option<i64>,
}

/// A page of the read log.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReadLogPage {
    pub records: Vec<ReadRecord>,
    pub page: i64,
    pub per_page: i64,
    pub total: i64,
}

/// The personal-data read log by period, user, person and endpoint, oldest first
/// (`data_protection` or `auditor`).
#[utoipa::path(get, path = "/api/v1/access-log", tag = "audit", params(ReadLogParams),
    responses((status = 200, body = ReadLogPage), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn log(
    State(state): State<AppState>,
    staff: Staff,
    QueryParams(p): QueryParams<ReadLogParams>,
) -> Result<Json<ReadLogPage>, ApiError> {
    staff.role()?;
    let paging = super::paging::Paging::parse(p.page, p.per_page, 100, 500)?;
    let (page, per_page) = (paging.page, paging.per_page);
    let filter = ReadFilter {
        from: p.from,
        to: p.to,
        staff_id: p.staff_id,
        person_id: p.person_id,
        endpoint: p.endpoint,
    };
    let offset = paging.offset();
    let (records, total) = read_log_review::log(&state.pool, &filter, offset, per_page).await?;
    let answer = ReadLogPage {
        records,
        page,
        per_page,
        total,
    };
    read_log::record(&state.pool, &staff, &answer, answer.records.len()).await?;
    Ok(Json(answer))
}

/// Review parameters: the month, and thresholds and office hours that replace the defaults.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ReadReviewParams {
    /// The month, `2026-11` or 和暦 `R8.11`.
    pub month: String,
    /// Signal a user who read more distinct persons than this in one JST day (default 100).
    pub persons_per_day: Option<i64>,
    /// Signal a read whose answer held more records than this (default 200).
    pub rows_per_read: Option<i64>,
    /// Office hours start, JST hour 0–23, Monday to Friday (default 8).
    pub office_hours_start: Option<u32>,
    /// Office hours end, JST hour 1–24, exclusive (default 20).
    pub office_hours_end: Option<u32>,
}

/// The monthly review of the read log: reads and distinct persons per user, and the signals of
/// bulk extraction — persons per user per JST day above a threshold, single reads answering
/// more records than a threshold, reads outside office hours (JST weekdays; weekends wholly
/// outside). Defaults: 100 persons a day, 200 records, 08:00–20:00 (`data_protection` or
/// `auditor`).
#[utoipa::path(get, path = "/api/v1/access-log/review", tag = "audit", params(ReadReviewParams),
    responses((status = 200, body = ReadReview), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn review(
    State(state): State<AppState>,
    staff: Staff,
    QueryParams(p): QueryParams<ReadReviewParams>,
) -> Result<Json<ReadReview>, ApiError> {
    staff.role()?;
    let month = kenpo_domain::calendar::parse_year_month(&p.month)
        .map_err(|e| ApiError::invalid("invalid_query", format!("month: {e}")))?;
    let first = chrono::NaiveDate::from_ymd_opt(month.year(), month.month(), 1)
        .ok_or_else(|| ApiError::invalid("invalid_query", "month: not a month"))?;
    let defaults = Thresholds::default();
    let thresholds = Thresholds {
        persons_per_day: p.persons_per_day.unwrap_or(defaults.persons_per_day),
        rows_per_read: p.rows_per_read.unwrap_or(defaults.rows_per_read),
        office_hours_start: p.office_hours_start.unwrap_or(defaults.office_hours_start),
        office_hours_end: p.office_hours_end.unwrap_or(defaults.office_hours_end),
    };
    if thresholds.persons_per_day < 0 || thresholds.rows_per_read < 0 {
        return Err(ApiError::invalid(
            "invalid_query",
            "persons_per_day and rows_per_read must not be negative",
        ));
    }
    if thresholds.office_hours_start >= thresholds.office_hours_end
        || thresholds.office_hours_end > 24
    {
        return Err(ApiError::invalid(
            "invalid_query",
            "office hours: office_hours_start must be before office_hours_end, both 0 to 24",
        ));
    }
    let review = read_log_review::monthly(&state.pool, first, thresholds).await?;
    read_log::record(&state.pool, &staff, &review, review.users.len()).await?;
    Ok(Json(review))
}
