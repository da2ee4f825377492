//! Signed proofs of erasure (`kenpo audit erasure-proof`), for the データ保護担当者 and 監査.

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::application::erasure_proof::{self, ProofFilter, ProofRow, SignedProof};
use crate::application::read_log;
use crate::auth::Staff;
use crate::json::{PathParam, QueryParams};
use crate::problem::{ApiError, Problem};
use crate::state::AppState;

/// List filters (all optional).
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ProofParams {
    /// Made from this instant (RFC 3339), inclusive.
    pub from: Option<chrono::DateTime<chrono::Utc>>,
    /// Made until this instant (RFC 3339), exclusive.
    pub to: Option<chrono::DateTime<chrono::Utc>>,
    /// Proofs that cover this erased person.
    pub person_id: Option<Uuid>,
    /// Page from 1 (default 1).
    pub page: Option<i64>,
    /// 1–500 (default 100).
    pub per_page: Option<i64>,
}

/// A page of stored proofs.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProofPage {
    pub records: Vec<ProofRow>,
    pub page: i64,
    pub per_page: i64,
    /// Proofs matching the filters, over all pages.
    pub total: i64,
}

/// Stored erasure proofs by period and person, oldest first (`data_protection` or `auditor`).
#[utoipa::path(get, path = "/api/v1/erasure-proofs", tag = "個人番号", params(ProofParams),
    responses((status = 200, body = ProofPage), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    staff: Staff,
    QueryParams(p): QueryParams<ProofParams>,
) -> Result<Json<ProofPage>, ApiError> {
    staff.role()?;
    let paging = super::paging::Paging::parse(p.page, p.per_page, 100, 500)?;
    let (page, per_page) = (paging.page, paging.per_page);
    let filter = ProofFilter {
        from: p.from,
        to: p.to,
        person_id: p.person_id,
    };
    let offset = paging.offset();
    let mut conn = state.pool.acquire().await?;
    let (records, total) = erasure_proof::page(&mut conn, &filter, offset, per_page).await?;
    let answer = ProofPage {
        records,
        page,
        per_page,
        total,
    };
    read_log::record(&mut *conn, &staff, &answer, answer.records.len()).await?;
    Ok(Json(answer))
}

/// One stored proof: the report exactly as signed (a JSON string) and its Ed25519 signature.
/// Save the answer to a file and check it with `kenpo audit verify-proof FILE`.
#[utoipa::path(get, path = "/api/v1/erasure-proofs/{proof_id}", tag = "個人番号",
    params(("proof_id" = Uuid, Path, description = "the proof")),
    responses((status = 200, body = SignedProof), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn proof(
    State(state): State<AppState>,
    staff: Staff,
    PathParam(proof_id): PathParam<Uuid>,
) -> Result<Json<SignedProof>, ApiError> {
    staff.role()?;
    let mut conn = state.pool.acquire().await?;
    let proof = erasure_proof::get(&mut conn, proof_id)
        .await?
        .ok_or_else(|| {
            ApiError::not_found("erasure_proof_not_found", "no erasure proof with this id")
        })?;
    read_log::record(&mut *conn, &staff, &proof, 1).await?;
    Ok(Json(proof))
}
