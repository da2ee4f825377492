//! Appending events inside a command's transaction.

use sqlx::{PgConnection, Postgres, Transaction};

use super::stored::{AppendResult, ExpectedVersion, NewEvent};
use super::{EventStoreError, LOG_LOCK_KEY};

/// Begin a command transaction.
///
/// The first statement takes the event log's advisory lock in *shared* mode, so any number of
/// commands run and commit concurrently, while a reader that takes it in *exclusive* mode
/// (see [`super::feed`]) knows that every position handed out before it got the lock belongs
/// to a transaction that has finished. The lock comes first, before any row lock, so a reader
/// waiting for it can never be part of a deadlock.
pub async fn begin_command(
    pool: &sqlx::PgPool,
) -> Result<Transaction<'static, Postgres>, sqlx::Error> {
    // One round trip: BEGIN and the lock travel together as a simple query.
    pool.begin_with(format!(
        "BEGIN; SELECT pg_advisory_xact_lock_shared({LOG_LOCK_KEY})"
    ))
    .await
}

/// Append `events` to `stream_id` if it is at `expected` version.
///
/// Must run in a transaction opened by [`begin_command`]. The stream row is created or
/// moved forward first (which locks it until commit, so two writers of one stream are
/// serialised and the loser sees [`EventStoreError::WrongExpectedVersion`]), and only then
/// are positions drawn: a later version of a stream always has a higher position.
pub async fn append(
    conn: &mut PgConnection,
    stream_id: &str,
    stream_type: &str,
    expected: ExpectedVersion,
    events: &[NewEvent],
) -> Result<AppendResult, EventStoreError> {
    let count = i64::try_from(events.len()).unwrap_or(i64::MAX);
    if events.is_empty() {
        return Err(EventStoreError::NothingToAppend);
    }
    let mut ids = Vec::with_capacity(events.len());
    let mut types = Vec::with_capacity(events.len());
    let mut type_versions = Vec::with_capacity(events.len());
    let mut payloads = Vec::with_capacity(events.len());
    let mut metadata = Vec::with_capacity(events.len());
    for event in events {
        ids.push(event.event_id);
        types.push(event.event_type.as_str());
        type_versions.push(event.event_version.as_str());
        payloads.push(&event.payload);
        metadata.push(serde_json::to_string(&event.metadata).map_err(EventStoreError::Serialize)?);
    }
    let base = match expected {
        ExpectedVersion::NoStream => 0,
        ExpectedVersion::Exact(version) => version,
    };
    // The stream row is created or moved forward in the CTE; the events join its RETURNING
    // row, so positions are drawn only once the row is locked, and nothing is inserted when
    // the stream is not at the expected version.
    let stream_step = match expected {
        ExpectedVersion::NoStream => {
            "INSERT INTO streams (stream_id, stream_type, version) VALUES ($1, $2, $9)
             ON CONFLICT (stream_id) DO NOTHING RETURNING version - $9 AS base"
        }
        ExpectedVersion::Exact(_) => {
            "UPDATE streams SET version = version + $9 WHERE stream_id = $1 AND version = $8
             RETURNING version - $9 AS base"
        }
    };
    let sql = format!(
        "WITH s AS ({stream_step})
         INSERT INTO events (position, event_id, stream_id, stream_type, version, event_type,
                             event_version, payload, metadata)
         SELECT nextval('event_position_seq'), e.id, $1, $2, s.base + e.n, e.event_type,
                e.event_version, e.payload, e.metadata
           FROM s CROSS JOIN LATERAL (
                SELECT *
                  FROM unnest($3::uuid[], $4::text[], $5::text[], $6::jsonb[], $7::text[]::jsonb[])
                       WITH ORDINALITY AS u(id, event_type, event_version, payload, metadata, n)
                 ORDER BY u.n) AS e
         RETURNING position"
    );
    let positions: Vec<i64> = sqlx::query_scalar(&sql)
        .bind(stream_id)
        .bind(stream_type)
        .bind(&ids)
        .bind(&types)
        .bind(&type_versions)
        .bind(&payloads)
        .bind(&metadata)
        .bind(base)
        .bind(count)
        .fetch_all(&mut *conn)
        .await?;
    if positions.is_empty() {
        return Err(match expected {
            ExpectedVersion::NoStream => EventStoreError::StreamAlreadyExists(stream_id.to_owned()),
            ExpectedVersion::Exact(version) => {
                let actual: Option<i64> =
                    sqlx::query_scalar("SELECT version FROM streams WHERE stream_id = $1")
                        .bind(stream_id)
                        .fetch_optional(&mut *conn)
                        .await?;
                EventStoreError::WrongExpectedVersion {
                    stream_id: stream_id.to_owned(),
                    expected: version,
                    actual: actual.unwrap_or(0),
                }
            }
        });
    }
    Ok(AppendResult {
        stream_version: base + count,
        first_position: positions.iter().copied().min().unwrap_or(0),
        last_position: positions.iter().copied().max().unwrap_or(0),
    })
}
