//! Reading the event log: one stream, or every stream in global order.
//!
//! The global order is the position. Positions are drawn inside appending transactions,
//! which may commit in another order than they drew them; a reader that simply asked for
//! `position > last` could pass over a position whose transaction commits a moment later
//! and never see it. So a reader first asks for the *high-water mark*: it takes the log's
//! advisory lock in exclusive mode, which it gets only once every command transaction that
//! held it in shared mode has finished (committed and visible, or rolled back), reads the
//! last position drawn, and lets go. Every position at or below that mark is final; the
//! reader reads only up to it. See ADR 0001.

use sqlx::{PgConnection, PgPool};

use super::stored::StoredEvent;
use super::upcast::Upcasters;
use super::{EventStoreError, LOG_LOCK_KEY};

const EVENT_COLUMNS: &str = "position, event_id, stream_id, stream_type, version, event_type, \
                             event_version, payload, metadata, recorded_at";

type EventRow = (
    i64,
    uuid::Uuid,
    String,
    String,
    i64,
    String,
    String,
    serde_json::Value,
    serde_json::Value,
    chrono::DateTime<chrono::Utc>,
);

fn to_stored(row: EventRow, upcasters: &Upcasters) -> StoredEvent {
    let (
        position,
        event_id,
        stream_id,
        stream_type,
        version,
        event_type,
        event_version,
        payload,
        metadata,
        recorded_at,
    ) = row;
    let (event_version, payload) = upcasters.upcast(&event_type, &event_version, payload);
    StoredEvent {
        position,
        event_id,
        stream_id,
        stream_type,
        version,
        event_type,
        event_version,
        payload,
        metadata,
        recorded_at,
    }
}

/// The highest position below which no event can still appear.
pub async fn high_water_mark(pool: &PgPool) -> Result<i64, EventStoreError> {
    let mut tx = pool.begin().await?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(LOG_LOCK_KEY)
        .execute(&mut *tx)
        .await?;
    let mark: i64 = sqlx::query_scalar(
        "SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM event_position_seq",
    )
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(mark)
}

/// Up to `limit` events with `after < position <= up_to`, in position order.
///
/// `up_to` must be a value returned by [`high_water_mark`].
pub async fn read_range(
    pool: &PgPool,
    after: i64,
    up_to: i64,
    limit: i64,
    upcasters: &Upcasters,
) -> Result<Vec<StoredEvent>, EventStoreError> {
    let mut conn = pool.acquire().await?;
    read_range_in(&mut conn, after, up_to, limit, upcasters).await
}

/// Like [`read_range`], on a connection (e.g. inside a rebuild's transaction).
pub async fn read_range_in(
    conn: &mut PgConnection,
    after: i64,
    up_to: i64,
    limit: i64,
    upcasters: &Upcasters,
) -> Result<Vec<StoredEvent>, EventStoreError> {
    let sql = format!(
        "SELECT {EVENT_COLUMNS} FROM events WHERE position > $1 AND position <= $2 ORDER BY position LIMIT $3"
    );
    let rows: Vec<EventRow> = sqlx::query_as(&sql)
        .bind(after)
        .bind(up_to)
        .bind(limit)
        .fetch_all(&mut *conn)
        .await?;
    Ok(rows.into_iter().map(|r| to_stored(r, upcasters)).collect())
}

/// Up to `limit` events of the given stream kinds (`stream_type`) with
/// `after < position <= up_to`, in position order.
///
/// `up_to` must be a value returned by [`high_water_mark`].
pub async fn read_range_of_kinds(
    pool: &PgPool,
    after: i64,
    up_to: i64,
    limit: i64,
    kinds: &[String],
    upcasters: &Upcasters,
) -> Result<Vec<StoredEvent>, EventStoreError> {
    let sql = format!(
        "SELECT {EVENT_COLUMNS} FROM events \
          WHERE position > $1 AND position <= $2 AND stream_type = ANY($4) \
          ORDER BY position LIMIT $3"
    );
    let rows: Vec<EventRow> = sqlx::query_as(&sql)
        .bind(after)
        .bind(up_to)
        .bind(limit)
        .bind(kinds)
        .fetch_all(pool)
        .await?;
    Ok(rows.into_iter().map(|r| to_stored(r, upcasters)).collect())
}

/// A follower of the global log: each call to [`LogReader::next_batch`] returns the next
/// events in position order, never skipping one and never returning one twice.
///
/// A reader limited to some stream kinds ([`LogReader::of_kinds`]) returns only their
/// events, and still moves past the positions of the others: when a batch is not full, every
/// event of those kinds up to the high-water mark has been returned, so its position becomes
/// the mark. It never stalls on a stretch of other kinds and never skips one of its own.
#[derive(Debug)]
pub struct LogReader {
    position: i64,
    mark: i64,
    batch: i64,
    kinds: Option<Vec<String>>,
}

impl LogReader {
    /// Start after `position` (0 for the beginning), reading `batch` events at a time.
    pub fn new(position: i64, batch: i64) -> Self {
        Self {
            position,
            mark: position,
            batch: batch.max(1),
            kinds: None,
        }
    }

    /// Like [`LogReader::new`], returning only events of streams of these kinds
    /// (`stream_type`); none when `kinds` is empty.
    pub fn of_kinds(position: i64, batch: i64, kinds: Vec<String>) -> Self {
        Self {
            kinds: Some(kinds),
            ..Self::new(position, batch)
        }
    }

    /// The position to continue after: the last event returned, or for a reader limited to
    /// some kinds, the high-water mark once every event of those kinds below it was returned.
    pub fn position(&self) -> i64 {
        self.position
    }

    /// The next batch; empty when the reader has caught up with the log.
    pub async fn next_batch(
        &mut self,
        pool: &PgPool,
        upcasters: &Upcasters,
    ) -> Result<Vec<StoredEvent>, EventStoreError> {
        if self.position >= self.mark {
            self.mark = high_water_mark(pool).await?;
            if self.position >= self.mark {
                return Ok(Vec::new());
            }
        }
        let events = match &self.kinds {
            None => read_range(pool, self.position, self.mark, self.batch, upcasters).await?,
            Some(kinds) => {
                let events = read_range_of_kinds(
                    pool,
                    self.position,
                    self.mark,
                    self.batch,
                    kinds,
                    upcasters,
                )
                .await?;
                // Fewer than asked for: none of these kinds is left up to the mark, whatever
                // other kinds lie between the last one and the mark.
                if i64::try_from(events.len()).unwrap_or(i64::MAX) < self.batch {
                    self.position = self.mark;
                    return Ok(events);
                }
                events
            }
        };
        match events.last() {
            Some(last) => self.position = last.position,
            // Only rolled-back positions up to the mark: nothing more below it.
            None => self.position = self.mark,
        }
        Ok(events)
    }
}

/// Every event of one stream in version order (for loading an aggregate).
pub async fn read_stream(
    conn: &mut PgConnection,
    stream_id: &str,
    upcasters: &Upcasters,
) -> Result<Vec<StoredEvent>, EventStoreError> {
    let sql = format!("SELECT {EVENT_COLUMNS} FROM events WHERE stream_id = $1 ORDER BY version");
    let rows: Vec<EventRow> = sqlx::query_as(&sql)
        .bind(stream_id)
        .fetch_all(&mut *conn)
        .await?;
    Ok(rows.into_iter().map(|r| to_stored(r, upcasters)).collect())
}

/// The current version of a stream, locking its row against appends until the transaction
/// ends (`FOR SHARE`); `None` when the stream does not exist.
pub async fn lock_stream_for_share(
    conn: &mut PgConnection,
    stream_id: &str,
) -> Result<Option<i64>, EventStoreError> {
    Ok(
        sqlx::query_scalar("SELECT version FROM streams WHERE stream_id = $1 FOR SHARE")
            .bind(stream_id)
            .fetch_optional(&mut *conn)
            .await?,
    )
}
