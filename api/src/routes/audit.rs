//! Verification of the event log for 監査 (ADR 0005 §4): the hash chain re-hashed and every
//! signed checkpoint checked. It answers positions, counts and hashes, no personal data.

use axum::extract::State;
use axum::Json;
use serde::Deserialize;

use crate::application::chain_verification::{self, VerificationReport};
use crate::auth::Staff;
use crate::json::QueryParams;
use crate::problem::{ApiError, Problem};
use crate::state::AppState;

/// Verification parameters.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct VerificationParams {
    /// Start at this position (default 0: the whole log); the chain's hash before it is taken
    /// as stored.
    pub from: Option<i64>,
}

/// Re-hash the event log against its hash chain and check every signed checkpoint (of the
/// database and of the server's checkpoint directory) with the trusted keys of the key
/// directory; answers `ok` with the counts, or `broken` with the first position that does not
/// match and why (`auditor`). The whole log is read: on a large log, give `from` or use
/// `kenpo audit verify`.
#[utoipa::path(get, path = "/api/v1/audit/verification", tag = "audit", params(VerificationParams),
    responses((status = 200, body = VerificationReport), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn verification(
    State(state): State<AppState>,
    staff: Staff,
    QueryParams(p): QueryParams<VerificationParams>,
) -> Result<Json<VerificationReport>, ApiError> {
    staff.role()?;
    let from = p.from.unwrap_or(0);
    if from < 0 {
        return Err(ApiError::invalid("invalid_query", "from must be ≥ 0"));
    }
    let directory = chain_verification::default_directory();
    let verification =
        chain_verification::verify(&state.pool, from, directory.as_deref(), &mut |_| {})
            .await
            .map_err(|error| ApiError::internal(&format!("{error:#}")))?;
    Ok(Json(verification.into()))
}
