//! Load an aggregate from its stream, handle a command, append the events — inside the
//! command's transaction.

use cqrs_es::event_sink::EventSink;
use cqrs_es::Aggregate;
use kenpo_infrastructure::event_store::{
    self, AppendResult, EventMetadata, EventStoreError, ExpectedVersion, NewEvent, Upcasters,
};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::problem::ApiError;

/// Stream id of aggregate `A` with id `id`: `<type>-<uuid>`.
pub fn stream_id<A: Aggregate>(id: Uuid) -> String {
    format!("{}-{}", A::TYPE, id)
}

/// An aggregate as loaded, with its stream version (0 when the stream does not exist).
pub struct Loaded<A> {
    pub id: Uuid,
    pub aggregate: A,
    pub version: i64,
}

/// Fold the stream of `A` with `id` into a fresh aggregate.
pub async fn load<A: Aggregate>(
    conn: &mut PgConnection,
    upcasters: &Upcasters,
    id: Uuid,
) -> Result<Loaded<A>, EventStoreError> {
    let events = event_store::read_stream(conn, &stream_id::<A>(id), upcasters).await?;
    let mut aggregate = A::default();
    let mut version = 0;
    for stored in &events {
        aggregate.apply(stored.domain_event::<A::Event>()?);
        version = stored.version;
    }
    Ok(Loaded {
        id,
        aggregate,
        version,
    })
}

/// The events a command produced, as appended.
pub struct Handled<A: Aggregate> {
    pub aggregate: A,
    pub events: Vec<A::Event>,
    /// Ids of the appended events, in order.
    pub event_ids: Vec<Uuid>,
    pub append: AppendResult,
}

/// Handle `command` on the loaded aggregate and append what it decides.
///
/// `expected` is the caller's expected version (`If-Match`); a mismatch is a 409 before the
/// command runs. A domain refusal is mapped by `refusal`; nothing is written then.
pub async fn execute<A: Aggregate>(
    conn: &mut PgConnection,
    mut loaded: Loaded<A>,
    command: A::Command,
    services: &A::Services,
    expected: Option<i64>,
    metadata: &EventMetadata,
    refusal: impl FnOnce(A::Error) -> ApiError,
) -> Result<Handled<A>, ApiError> {
    if let Some(expected) = expected {
        if expected != loaded.version {
            return Err(version_conflict(expected, loaded.version));
        }
    }
    let events = decide(&mut loaded.aggregate, command, services)
        .await
        .map_err(refusal)?;
    let new_events = to_new_events(&events, metadata)?;
    let expected_version = if loaded.version == 0 {
        ExpectedVersion::NoStream
    } else {
        ExpectedVersion::Exact(loaded.version)
    };
    let append = event_store::append(
        conn,
        &stream_id::<A>(loaded.id),
        A::TYPE,
        expected_version,
        &new_events,
    )
    .await
    .map_err(store_error)?;
    Ok(Handled {
        aggregate: loaded.aggregate,
        events,
        event_ids: new_events.iter().map(|e| e.event_id).collect(),
        append,
    })
}

/// Handle `command` as the first command of a stream that is expected not to exist yet,
/// without reading the stream first — one round trip fewer for the common case of a creation
/// (a new person's 資格取得) — and fall back to [`load`] + [`execute`] when that guess is wrong.
///
/// The command is decided against `A::default()`, the state of a stream with no events, and
/// appended with [`ExpectedVersion::NoStream`]. That append writes nothing when the stream
/// exists (`ON CONFLICT DO NOTHING`: no database error, so the transaction stays usable), and
/// the command is then decided again against the stream as stored. A refusal in the first
/// attempt is not trusted either (an existing stream may allow what an empty one refuses,
/// e.g. 任意継続 after a compulsory period), so it too is decided again against the stored
/// stream. Only an append that succeeded is kept, and it is exactly what [`load`] +
/// [`execute`] would have appended to a stream with no events. Also answers whether the
/// stream was new.
pub async fn execute_expecting_new<A: Aggregate>(
    conn: &mut PgConnection,
    upcasters: &Upcasters,
    id: Uuid,
    command: A::Command,
    services: &A::Services,
    metadata: &EventMetadata,
    refusal: impl FnOnce(A::Error) -> ApiError,
) -> Result<(Handled<A>, bool), ApiError>
where
    A::Command: Clone,
{
    let mut aggregate = A::default();
    if let Ok(events) = decide(&mut aggregate, command.clone(), services).await {
        let new_events = to_new_events(&events, metadata)?;
        let stream = stream_id::<A>(id);
        match event_store::append(
            conn,
            &stream,
            A::TYPE,
            ExpectedVersion::NoStream,
            &new_events,
        )
        .await
        {
            Ok(append) => {
                let handled = Handled {
                    aggregate,
                    events,
                    event_ids: new_events.iter().map(|e| e.event_id).collect(),
                    append,
                };
                return Ok((handled, true));
            }
            Err(EventStoreError::StreamAlreadyExists(_)) => {}
            Err(other) => return Err(store_error(other)),
        }
    }
    let loaded = load::<A>(conn, upcasters, id).await.map_err(store_error)?;
    let is_new = loaded.version == 0;
    let handled = execute(conn, loaded, command, services, None, metadata, refusal).await?;
    Ok((handled, is_new))
}

/// Let `aggregate` decide `command`; the events it decided, not yet applied to it.
async fn decide<A: Aggregate>(
    aggregate: &mut A,
    command: A::Command,
    services: &A::Services,
) -> Result<Vec<A::Event>, A::Error> {
    let sink = EventSink::<A>::default();
    aggregate.handle(command, services, &sink).await?;
    Ok(sink.collect().await)
}

fn to_new_events<E: cqrs_es::DomainEvent>(
    events: &[E],
    metadata: &EventMetadata,
) -> Result<Vec<NewEvent>, ApiError> {
    events
        .iter()
        .map(|e| NewEvent::from_domain(e, metadata.clone()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| ApiError::internal(&e))
}

fn version_conflict(expected: i64, actual: i64) -> ApiError {
    ApiError::conflict(
        "version_conflict",
        format!("the record is at version {actual}, not the expected {expected}; reload it and try again"),
    )
}

/// Map an event-store failure to an answer: concurrency conflicts are 409, the rest 500.
pub fn store_error(error: EventStoreError) -> ApiError {
    match error {
        EventStoreError::WrongExpectedVersion {
            expected, actual, ..
        } => version_conflict(expected, actual),
        EventStoreError::StreamAlreadyExists(_) => ApiError::conflict(
            "version_conflict",
            "the record was created concurrently; reload it and try again",
        ),
        other => ApiError::internal(&other),
    }
}
