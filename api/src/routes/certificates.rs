//! 給付関係の証 (限度額適用認定証, 高齢受給者証, 特定疾病療養受療証): issue and collection (POST,
//! the `benefits` role) and queries (GET, the roles of `crate::authorization`) on `medical_certificates`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use kenpo_domain::benefits::certificates::MedicalCertificateCollection;
use kenpo_projections::medical_certificates::{query, CertificateView};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::application::benefits::certificate::{self, CertificateRecorded, CertificateRequest};
use crate::application::command::{self, CommandAnswer, CommandRequest};
use crate::application::read_log;
use crate::auth::Staff;
use crate::json::{PathParam, QueryParams};
use crate::problem::{ApiError, Problem};
use crate::state::AppState;

fn answer(status: StatusCode, recorded: &CertificateRecorded) -> Result<CommandAnswer, ApiError> {
    let body: Value = serde_json::to_value(recorded).map_err(|e| ApiError::internal(&e))?;
    Ok(CommandAnswer { status, body })
}

/// 証交付 for a person qualified on the issue date and the first valid day (422
/// `not_qualified`). The server reads the holder's 生年月日 and the insured's 標準報酬月額 (of the
/// month the validity starts) from 適用 and decides the 適用区分 (限度額適用認定証) or the
/// 一部負担金割合 with its basis (高齢受給者証); the application states 非課税 / 低所得 and the
/// 基準収入額 test. Age rules: 高齢受給者証 from the month after the 70th birthday month, nothing
/// past the day before the 75th birthday.
#[utoipa::path(post, path = "/api/v1/certificates", tag = "給付",
    request_body = CertificateRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "repeat-safe key"),
           ("X-Terminal-Id" = Option<String>, Header, description = "端末ID")),
    responses((status = 201, body = CertificateRecorded), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn issue(
    State(state): State<AppState>,
    request: CommandRequest,
) -> Result<CommandAnswer, ApiError> {
    let role = request.staff.role()?;
    let body: CertificateRequest = request.parse()?;
    let metadata = request.staff.metadata(role);
    let upcasters = state.upcasters.clone();
    command::run(&state, &request, |mut tx| async move {
        let recorded = certificate::issue(
            &mut tx,
            &upcasters,
            body,
            request.expected_version,
            &metadata,
        )
        .await?;
        Ok((tx, answer(StatusCode::CREATED, &recorded)?))
    })
    .await
}

/// 証回収.
#[utoipa::path(post, path = "/api/v1/certificates/{certificate_id}/collection", tag = "給付",
    request_body = MedicalCertificateCollection,
    params(("certificate_id" = Uuid, Path, description = "the certificate"),
           ("Idempotency-Key" = Option<String>, Header, description = "repeat-safe key"),
           ("If-Match" = Option<String>, Header, description = "expected stream version")),
    responses((status = 200, body = CertificateRecorded), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn collect(
    State(state): State<AppState>,
    PathParam(id): PathParam<Uuid>,
    request: CommandRequest,
) -> Result<CommandAnswer, ApiError> {
    let role = request.staff.role()?;
    let body: MedicalCertificateCollection = request.parse()?;
    let metadata = request.staff.metadata(role);
    let upcasters = state.upcasters.clone();
    command::run(&state, &request, |mut tx| async move {
        let recorded = certificate::collect(
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

/// One certificate.
#[utoipa::path(get, path = "/api/v1/certificates/{certificate_id}", tag = "給付",
    params(("certificate_id" = Uuid, Path, description = "the certificate")),
    responses((status = 200, body = CertificateView), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn certificate(
    State(state): State<AppState>,
    staff: Staff,
    PathParam(id): PathParam<Uuid>,
) -> Result<Json<CertificateView>, ApiError> {
    staff.role()?;
    let certificate = query::find(&state.pool, id)
        .await
        .map_err(|e| ApiError::internal(&e))?
        .ok_or_else(|| {
            ApiError::not_found(
                "certificate_not_found",
                "there is no certificate with this id",
            )
        })?;
    read_log::record(&state.pool, &staff, &certificate, 1).await?;
    Ok(Json(certificate))
}

/// Query parameters of the certificate list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CertificateSearchParams {
    /// The holder.
    pub person_id: Option<String>,
    /// Page number from 1 (default 1).
    pub page: Option<i64>,
    /// Results per page, 1–100 (default 20).
    pub per_page: Option<i64>,
}

/// A page of certificates.
#[derive(Debug, Serialize, ToSchema)]
pub struct CertificatePage {
    pub certificates: Vec<CertificateView>,
    pub page: i64,
    pub per_page: i64,
    pub total: i64,
}

/// Certificates (of one holder with `person_id`), newest 交付 first.
#[utoipa::path(get, path = "/api/v1/certificates", tag = "給付", params(CertificateSearchParams),
    responses((status = 200, body = CertificatePage), (status = 401, body = Problem), (status = 422, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    staff: Staff,
    QueryParams(params): QueryParams<CertificateSearchParams>,
) -> Result<Json<CertificatePage>, ApiError> {
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
    let result = query::search(&state.pool, person_id, (page - 1) * per_page, per_page)
        .await
        .map_err(|e| ApiError::internal(&e))?;
    let answer = CertificatePage {
        certificates: result.certificates,
        page,
        per_page,
        total: result.total,
    };
    read_log::record(&state.pool, &staff, &answer, answer.certificates.len()).await?;
    Ok(Json(answer))
}
