//! 適用 commands on a person: load, decide, append, update the members read model — all in
//! the command's transaction.

use kenpo_domain::qualification::{
    DependentRemoval, DependentRemovalReason, Person, PersonCommand,
};
use kenpo_infrastructure::event_store::{self, EventMetadata, Upcasters};
use kenpo_projections::members::{self, PersonEventAt};
use serde::Serialize;
use sqlx::PgConnection;
use utoipa::ToSchema;
use uuid::Uuid;

use super::aggregate::{self, stream_id};
use crate::problem::ApiError;

/// What a 適用 command recorded.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Recorded {
    pub person_id: Uuid,
    /// `person-<uuid>`.
    pub stream_id: String,
    /// The stream's version after the command (pass it as `If-Match` for the next change).
    pub version: i64,
    /// Global position of the last event recorded (including cascaded dependents' events).
    pub position: i64,
    /// Event types recorded, in order.
    pub events: Vec<String>,
    /// Dependents removed with the insured's loss (被扶養者削除), if any.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(no_recursion)]
    pub dependents_removed: Vec<Recorded>,
    /// Id of the last event, the causation of any event that follows from it.
    #[serde(skip)]
    pub last_event_id: Option<Uuid>,
}

/// A domain refusal as an answer: the one mapping for every area.
pub use crate::problem::refusal;

/// Run `command` on person `id` and project its events inline.
pub async fn execute(
    conn: &mut PgConnection,
    upcasters: &Upcasters,
    id: Uuid,
    command: PersonCommand,
    expected: Option<i64>,
    metadata: &EventMetadata,
) -> Result<Recorded, ApiError> {
    let (handled, is_new) = match (&command, expected) {
        // 資格取得 mostly creates a person: try that first without reading the stream.
        (PersonCommand::AcquireQualification(_), None) => {
            aggregate::execute_expecting_new::<Person>(
                conn,
                upcasters,
                id,
                command,
                &(),
                metadata,
                refusal,
            )
            .await?
        }
        _ => {
            let loaded = aggregate::load::<Person>(conn, upcasters, id)
                .await
                .map_err(aggregate::store_error)?;
            let is_new = loaded.version == 0;
            let handled =
                aggregate::execute(conn, loaded, command, &(), expected, metadata, refusal).await?;
            (handled, is_new)
        }
    };
    let first_version = handled.append.stream_version - handled.events.len() as i64;
    let at: Vec<PersonEventAt> = (first_version + 1..)
        .zip(handled.events.iter())
        .map(|(version, event)| PersonEventAt {
            person_id: id,
            version,
            event: event.clone(),
        })
        .collect();
    let projected = if is_new {
        members::apply_to_new(conn, &at).await
    } else {
        members::apply(conn, &at).await
    };
    projected.map_err(|e| ApiError::internal(&e))?;
    Ok(Recorded {
        person_id: id,
        stream_id: stream_id::<Person>(id),
        version: handled.append.stream_version,
        position: handled.append.last_position,
        events: handled
            .events
            .iter()
            .map(|e| e.type_name().to_owned())
            .collect(),
        dependents_removed: Vec::new(),
        last_event_id: handled.event_ids.last().copied(),
    })
}

/// 被扶養者認定: the insured's standing on the recognition date comes from the insured's own
/// stream, whose row is locked (`FOR SHARE`) so the insured cannot lose qualification in a
/// concurrent transaction before this one commits.
pub async fn recognize_dependent(
    conn: &mut PgConnection,
    upcasters: &Upcasters,
    body: kenpo_domain::qualification::DependentRecognition,
    expected: Option<i64>,
    metadata: &EventMetadata,
) -> Result<Recorded, ApiError> {
    event_store::lock_stream_for_share(conn, &stream_id::<Person>(body.insured_person_id))
        .await
        .map_err(aggregate::store_error)?;
    let insured = aggregate::load::<Person>(conn, upcasters, body.insured_person_id)
        .await
        .map_err(aggregate::store_error)?;
    let standing = insured.aggregate.standing_on(body.recognized_on);
    let id = body.person_id;
    execute(
        conn,
        upcasters,
        id,
        PersonCommand::RecognizeDependent {
            body,
            insured: standing,
        },
        expected,
        metadata,
    )
    .await
}

/// 資格喪失; when an insured loses qualification, each of their current dependents is removed
/// on the same date (被扶養者削除, reason: the insured's loss) in the same transaction.
pub async fn lose_qualification(
    conn: &mut PgConnection,
    upcasters: &Upcasters,
    id: Uuid,
    body: kenpo_domain::qualification::QualificationLoss,
    expected: Option<i64>,
    metadata: &EventMetadata,
) -> Result<Recorded, ApiError> {
    let lost_on = body.lost_on;
    let received_on = body.received_on;
    let mut recorded = execute(
        conn,
        upcasters,
        id,
        PersonCommand::LoseQualification(body),
        expected,
        metadata,
    )
    .await?;
    let dependents: Vec<Uuid> = sqlx::query_scalar(
        "SELECT person_id FROM members WHERE insured_person_id = $1 AND status = 'qualified' ORDER BY person_id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    for dependent in dependents {
        let removal = DependentRemoval {
            removed_on: lost_on,
            reason: DependentRemovalReason::InsuredLostQualification {
                insured_lost_on: lost_on,
            },
            received_on,
        };
        let mut dependent_metadata = metadata.clone();
        if let Some(cause) = recorded.last_event_id {
            dependent_metadata.causation_id = cause;
        }
        let removed = execute(
            conn,
            upcasters,
            dependent,
            PersonCommand::RemoveDependent(removal),
            None,
            &dependent_metadata,
        )
        .await?;
        recorded.position = recorded.position.max(removed.position);
        recorded.dependents_removed.push(removed);
    }
    Ok(recorded)
}
