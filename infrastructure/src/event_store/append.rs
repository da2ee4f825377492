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
    let mut tx = pool.begin().await?;
    sqlx::query("SELECT pg_advisory_xact_lock_shared($1)")
        .bind(LOG_LOCK_KEY)
        .execute(&mut *tx)
        .await?;
    Ok(tx)
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
    let base = match expected {
        ExpectedVersion::NoStream => {
            let inserted = sqlx::query(
                "INSERT INTO streams (stream_id, stream_type, version) VALUES ($1, $2, $3)
                 ON CONFLICT (stream_id) DO NOTHING",
            )
            .bind(stream_id)
            .bind(stream_type)
            .bind(count.max(1))
            .execute(&mut *conn)
            .await?;
            if inserted.rows_affected() == 0 {
                return Err(EventStoreError::StreamAlreadyExists(stream_id.to_owned()));
            }
            0
        }
        ExpectedVersion::Exact(version) => {
            let updated = sqlx::query(
                "UPDATE streams SET version = version + $3 WHERE stream_id = $1 AND version = $2",
            )
            .bind(stream_id)
            .bind(version)
            .bind(count)
            .execute(&mut *conn)
            .await?;
            if updated.rows_affected() == 0 {
                let actual: Option<i64> =
                    sqlx::query_scalar("SELECT version FROM streams WHERE stream_id = $1")
                        .bind(stream_id)
                        .fetch_optional(&mut *conn)
                        .await?;
                return Err(EventStoreError::WrongExpectedVersion {
                    stream_id: stream_id.to_owned(),
                    expected: version,
                    actual: actual.unwrap_or(0),
                });
            }
            version
        }
    };
    if events.is_empty() {
        return Ok(AppendResult {
            stream_version: base,
            first_position: 0,
            last_position: 0,
        });
    }

    let mut ids = Vec::with_capacity(events.len());
    let mut versions = Vec::with_capacity(events.len());
    let mut types = Vec::with_capacity(events.len());
    let mut type_versions = Vec::with_capacity(events.len());
    let mut payloads = Vec::with_capacity(events.len());
    let mut metadata = Vec::with_capacity(events.len());
    for (offset, event) in (1_i64..).zip(events) {
        ids.push(event.event_id);
        versions.push(base + offset);
        types.push(event.event_type.as_str());
        type_versions.push(event.event_version.as_str());
        payloads.push(&event.payload);
        metadata.push(serde_json::to_value(&event.metadata).map_err(EventStoreError::Serialize)?);
    }
    let positions: Vec<i64> = sqlx::query_scalar(
        "INSERT INTO events (position, event_id, stream_id, stream_type, version, event_type,
                             event_version, payload, metadata)
         SELECT nextval('event_position_seq'), e.id, $1, $2, e.version, e.event_type,
                e.event_version, e.payload, e.metadata
           FROM (SELECT *
                   FROM unnest($3::uuid[], $4::bigint[], $5::text[], $6::text[], $7::jsonb[],
                               $8::jsonb[])
                        WITH ORDINALITY AS u(id, version, event_type, event_version, payload,
                                             metadata, n)
                  ORDER BY u.n) AS e
         RETURNING position",
    )
    .bind(stream_id)
    .bind(stream_type)
    .bind(&ids)
    .bind(&versions)
    .bind(&types)
    .bind(&type_versions)
    .bind(&payloads)
    .bind(&metadata)
    .fetch_all(&mut *conn)
    .await?;

    Ok(AppendResult {
        stream_version: base + count,
        first_position: positions.iter().copied().min().unwrap_or(0),
        last_position: positions.iter().copied().max().unwrap_or(0),
    })
}
