//! Run one command on a premium account: load, decide, append, project inline.

use kenpo_domain::premiums::{
    PremiumAccount, PremiumAccountCommand, PremiumAccountError, PremiumAccountEvent,
    PremiumCalculationError,
};
use kenpo_domain::qualification::Person;
use kenpo_infrastructure::event_store::{EventMetadata, Upcasters};
use kenpo_projections::premium_ledger::{self, PremiumEventAt};
use serde::Serialize;
use sqlx::PgConnection;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::application::aggregate::{self, stream_id, Loaded};
use crate::problem::ApiError;

/// What a 徴収 command recorded.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Recorded {
    pub person_id: Uuid,
    /// `premium_account-<uuid>`.
    pub stream_id: String,
    /// The stream's version after the command (pass it as `If-Match` for the next change).
    pub version: i64,
    /// Global position of the event recorded.
    pub position: i64,
    /// Event types recorded.
    pub events: Vec<String>,
    /// The event recorded, with every allocation and the 算定根拠 (basis).
    pub event: PremiumAccountEvent,
    /// 顧客番号 of a newly opened account: the reference the member quotes when paying.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_number: Option<String>,
    /// Id of the event, the causation of any event that follows from it.
    #[serde(skip)]
    pub event_id: Uuid,
}

/// A domain refusal as an answer: the one mapping for every area.
pub use crate::problem::refusal;

/// A refusal of a premium calculation. Errors about the registry's values (a value that is
/// not in force, out of range, not a grade amount, missing for the month) are 409: the
/// request is fine, the parameters need fixing. The rest are 422.
pub fn calculation_refusal(error: PremiumCalculationError) -> ApiError {
    use PremiumCalculationError as E;
    let detail = error.to_string();
    match error {
        E::ParameterMismatch { .. }
        | E::ParameterNotInForce { .. }
        | E::MissingParameter { .. }
        | E::ParameterNotApplicable { .. }
        | E::RateOutOfRange { .. }
        | E::NotAGradeAmount { .. }
        | E::BylawAmountNotAboveCap { .. } => ApiError::conflict(error.code(), detail),
        _ => ApiError::invalid(error.code(), detail),
    }
}

/// 404 for a person without a premium account.
pub fn account_not_found(person_id: Uuid) -> ApiError {
    ApiError::not_found(
        "premium_account_not_found",
        format!(
            "person {person_id} has no premium account (POST /api/v1/premium-accounts opens one)"
        ),
    )
}

/// The account of `person_id` as its stream leaves it (version 0 when there is none).
pub async fn load(
    conn: &mut PgConnection,
    upcasters: &Upcasters,
    person_id: Uuid,
) -> Result<Loaded<PremiumAccount>, ApiError> {
    aggregate::load::<PremiumAccount>(conn, upcasters, person_id)
        .await
        .map_err(aggregate::store_error)
}

/// Like [`load`], refusing (404 `account_not_opened`) a person without an account.
pub async fn load_existing(
    conn: &mut PgConnection,
    upcasters: &Upcasters,
    person_id: Uuid,
) -> Result<Loaded<PremiumAccount>, ApiError> {
    let loaded = load(conn, upcasters, person_id).await?;
    if loaded.aggregate.opening().is_none() {
        return Err(refusal(PremiumAccountError::AccountNotOpened));
    }
    Ok(loaded)
}

/// For a command that changes the person's 適用 record as well as the account (loss for
/// non-payment, 37条2項): the person's stream row first, exclusively — an assessment of this
/// person takes it in share mode before touching the account, so the two cannot deadlock —
/// then the opened account, at the `If-Match` version when one is given.
pub async fn load_with_person_locked(
    conn: &mut PgConnection,
    upcasters: &Upcasters,
    person_id: Uuid,
    expected: Option<i64>,
) -> Result<Loaded<PremiumAccount>, ApiError> {
    sqlx::query("SELECT version FROM streams WHERE stream_id = $1 FOR UPDATE")
        .bind(stream_id::<Person>(person_id))
        .execute(&mut *conn)
        .await?;
    let loaded = load_existing(conn, upcasters, person_id).await?;
    if let Some(expected) = expected {
        if expected != loaded.version {
            return Err(ApiError::conflict(
                "version_conflict",
                format!(
                    "the record is at version {}, not the expected {expected}; reload it and try again",
                    loaded.version
                ),
            ));
        }
    }
    Ok(loaded)
}

/// Run `command` on the account of `person_id` and project its event inline.
pub async fn execute(
    conn: &mut PgConnection,
    upcasters: &Upcasters,
    person_id: Uuid,
    command: PremiumAccountCommand,
    expected: Option<i64>,
    metadata: &EventMetadata,
) -> Result<Recorded, ApiError> {
    let loaded = load(conn, upcasters, person_id).await?;
    execute_loaded(conn, loaded, command, expected, metadata).await
}

/// [`execute`] on an account the caller has already loaded in this transaction.
pub async fn execute_loaded(
    conn: &mut PgConnection,
    loaded: Loaded<PremiumAccount>,
    command: PremiumAccountCommand,
    expected: Option<i64>,
    metadata: &EventMetadata,
) -> Result<Recorded, ApiError> {
    let person_id = loaded.id;
    let handled =
        aggregate::execute(conn, loaded, command, &(), expected, metadata, refusal).await?;
    let count = handled.events.len() as i64;
    let first_version = handled.append.stream_version - count + 1;
    let at: Vec<PremiumEventAt> = handled
        .events
        .iter()
        .enumerate()
        .map(|(i, event)| PremiumEventAt {
            person_id,
            version: first_version + i as i64,
            position: handled.append.first_position + i as i64,
            event: event.clone(),
        })
        .collect();
    premium_ledger::apply(conn, &at)
        .await
        .map_err(|e| ApiError::internal(&e))?;
    let event = handled
        .events
        .last()
        .cloned()
        .ok_or_else(|| ApiError::internal(&"the command recorded nothing"))?;
    let customer_number = match event {
        PremiumAccountEvent::AccountOpened(_) => {
            premium_ledger::customer_number(handled.append.last_position)
        }
        _ => None,
    };
    Ok(Recorded {
        person_id,
        stream_id: stream_id::<PremiumAccount>(person_id),
        version: handled.append.stream_version,
        position: handled.append.last_position,
        events: handled
            .events
            .iter()
            .map(|e| e.type_name().to_owned())
            .collect(),
        event,
        customer_number,
        event_id: handled.event_ids.last().copied().unwrap_or_default(),
    })
}
