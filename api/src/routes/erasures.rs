//! The erasure 管理簿: who erased which person's 個人番号, when, on what legal basis.

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::application::erasures::{self, ErasureFilter, ErasureRow};
use crate::application::read_log;
use crate::auth::Staff;
use crate::json::QueryParams;
use crate::problem::{ApiError, Problem};
use crate::state::AppState;

/// 管理簿 filters (all optional).
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ErasureParams {
    /// Erased from this instant (RFC 3339), inclusive.
    pub from: Option<chrono::DateTime<chrono::Utc>>,
    /// Erased until this instant (RFC 3339), exclusive.
    pub to: Option<chrono::DateTime<chrono::Utc>>,
    pub person_id: Option<Uuid>,
    /// Page from 1 (default 1).
    pub page: Option<i64>,
    /// 1–500 (default 100).
    pub per_page: Option<i64>,
}

/// A page of the 管理簿.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErasurePage {
    pub records: Vec<ErasureRow>,
    pub page: i64,
    pub per_page: i64,
    /// Rows matching the filters, over all pages.
    pub total: i64,
}

/// The erasure 管理簿 by period and person, in the order recorded (`data_protection` or
/// `auditor`).
#[utoipa::path(get, path = "/api/v1/erasures", tag = "個人番号", params(ErasureParams),
    responses((status = 200, body = ErasurePage), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    staff: Staff,
    QueryParams(p): QueryParams<ErasureParams>,
) -> Result<Json<ErasurePage>, ApiError> {
    staff.role()?;
    let paging = super::paging::Paging::parse(p.page, p.per_page, 100, 500)?;
    let (page, per_page) = (paging.page, paging.per_page);
    let filter = ErasureFilter {
        from: p.from,
        to: p.to,
        person_id: p.person_id,
    };
    let offset = paging.offset();
    let (records, total) = erasures::page(&state.pool, &filter, offset, per_page).await?;
    let answer = ErasurePage {
        records,
        page,
        per_page,
        total,
    };
    read_log::record(&state.pool, &staff, &answer, answer.records.len()).await?;
    Ok(Json(answer))
}
