//! Commands on a benefit claim (給付申請): load the `benefit_claim-<uuid>` stream, decide,
//! append, fold the events into the `benefit_claims` read model — in the command's
//! transaction. Every command on a claim goes through [`execute`] (also the payment
//! commands), so the read model never misses an event.

use kenpo_domain::basis::{Basis, Rounding, Step};
use kenpo_domain::benefits::claim::{BenefitClaim, BenefitClaimCommand, Outcome};
use kenpo_domain::money::Yen;
use kenpo_domain::parameters::Decimal;
use kenpo_domain::qualification::Description;
use kenpo_infrastructure::event_store::{EventMetadata, Upcasters};
use kenpo_projections::benefit_claims::{self, query, ClaimEventAt, ClaimView};
use serde::Serialize;
use serde_json::json;
use sqlx::PgConnection;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::application::aggregate::{self, stream_id, Loaded};
use crate::problem::ApiError;

/// What a claim command recorded, and the claim as it now stands.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ClaimRecorded {
    pub claim_id: Uuid,
    /// `benefit_claim-<uuid>`.
    pub stream_id: String,
    /// The stream's version after the command (pass it as `If-Match` for the next one).
    pub version: i64,
    /// Global position of the event recorded.
    pub position: i64,
    /// Event types recorded.
    pub events: Vec<String>,
    /// The claim's view after the command.
    pub claim: ClaimView,
}

/// A domain refusal as an answer: the one mapping for every area.
pub use crate::problem::refusal;

/// The claim's stream folded into the aggregate.
pub async fn load(
    conn: &mut PgConnection,
    upcasters: &Upcasters,
    id: Uuid,
) -> Result<Loaded<BenefitClaim>, ApiError> {
    aggregate::load::<BenefitClaim>(conn, upcasters, id)
        .await
        .map_err(aggregate::store_error)
}

/// Run `command` on claim `id` and project its events inline.
pub async fn execute(
    conn: &mut PgConnection,
    upcasters: &Upcasters,
    id: Uuid,
    command: BenefitClaimCommand,
    expected: Option<i64>,
    metadata: &EventMetadata,
) -> Result<ClaimRecorded, ApiError> {
    let loaded = load(conn, upcasters, id).await?;
    execute_loaded(conn, loaded, command, expected, metadata).await
}

/// Like [`execute`] on a claim already loaded in this transaction.
pub async fn execute_loaded(
    conn: &mut PgConnection,
    loaded: Loaded<BenefitClaim>,
    command: BenefitClaimCommand,
    expected: Option<i64>,
    metadata: &EventMetadata,
) -> Result<ClaimRecorded, ApiError> {
    let id = loaded.id;
    let handled =
        aggregate::execute(conn, loaded, command, &(), expected, metadata, refusal).await?;
    let first_version = handled.append.stream_version - handled.events.len() as i64;
    let at: Vec<ClaimEventAt> = (first_version + 1..)
        .zip(handled.events.iter())
        .map(|(version, event)| ClaimEventAt {
            claim_id: id,
            version,
            event: event.clone(),
        })
        .collect();
    benefit_claims::apply(conn, &at)
        .await
        .map_err(|e| ApiError::internal(&e))?;
    let claim = query::find(&mut *conn, id)
        .await
        .map_err(|e| ApiError::internal(&e))?
        .ok_or_else(|| ApiError::internal(&"the claim's row was not written"))?;
    Ok(ClaimRecorded {
        claim_id: id,
        stream_id: stream_id::<BenefitClaim>(id),
        version: handled.append.stream_version,
        position: handled.append.last_position,
        events: handled
            .events
            .iter()
            .map(|e| e.type_name().to_owned())
            .collect(),
        claim,
    })
}

/// The 算定根拠 a decision (or correction) carries, chosen by the server:
/// - 支給 of the latest calculated amount: that calculation's basis (the domain checks they
///   agree);
/// - 支給 of another amount (with an override reason): a basis stating the amount decided, the
///   amount calculated and the reason;
/// - 不支給: the latest calculation's basis when it came to 0, else a basis of 0 stating the
///   reason code.
pub fn decision_basis(
    claim: &BenefitClaim,
    outcome: &Outcome,
    override_reason: Option<&Description>,
) -> Basis {
    let latest = claim.latest_calculation();
    match (outcome, override_reason) {
        (Outcome::Pay { amount }, Some(reason)) => {
            let value = Decimal::from(amount.amount());
            Basis {
                inputs: json!({
                    "decided_amount": amount,
                    "calculated_amount": latest.map(|c| c.amount),
                    "calculation_sequence": latest.map(|c| c.sequence),
                    "override_reason": reason,
                }),
                parameters: latest.map_or_else(Vec::new, |c| c.basis.parameters.clone()),
                steps: vec![Step::new(
                    "支給額 (計算額と異なる決定)",
                    format!(
                        "決定額 {} (計算額 {}); 理由: {reason}",
                        amount.amount(),
                        latest.map_or("なし".to_owned(), |c| c.amount.amount().to_string())
                    ),
                    value,
                    Rounding::None,
                    value,
                    "支給決定 (決定者の判断, override)",
                )],
                result_yen: amount.amount(),
            }
        }
        (Outcome::Pay { .. }, None) => latest.map(|c| c.basis.clone()).unwrap_or_default(),
        (
            Outcome::Refuse {
                reason_code,
                reason,
            },
            _,
        ) => match latest {
            Some(c) if c.amount == Yen::ZERO => c.basis.clone(),
            _ => Basis {
                inputs: json!({ "reason_code": reason_code, "reason": reason }),
                parameters: Vec::new(),
                steps: vec![Step::new(
                    "不支給",
                    format!("{reason_code}: {reason}"),
                    Decimal::ZERO,
                    Rounding::None,
                    Decimal::ZERO,
                    "不支給決定",
                )],
                result_yen: 0,
            },
        },
    }
}
