//! The hash chain over the event log (ハッシュチェーン, ADR 0005, issue 10 items 1 and 3).
//!
//! The chain is not computed in the appending transaction: a *chainer* follows the high-water
//! mark ([`super::high_water_mark`]) and writes one `event_chain` row per event, whose hash
//! covers the event's stored form and the previous existing position's hash. Every position at
//! or below the mark is final, so the chain never has to be rewritten and writers stay as
//! concurrent as before.
//!
//! [`verify`] re-hashes events and chain rows in position order and reports the first position
//! that does not match, with its [`FailureKind`]. Events after the chain's head are the
//! unchained tail: counted, not an error.

use std::fmt;

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, PgPool, Row};
use uuid::Uuid;

use super::{high_water_mark, EventStoreError};

/// The domain label hashed first: a new canonical form gets a new label (ADR 0005 §2).
pub const CHAIN_LABEL: &str = "kenpo-event-chain-v1";
/// `prev_hash` of the first chained event.
pub const GENESIS_HASH: [u8; 32] = [0; 32];
/// Key of the advisory lock that lets one chainer at a time extend the chain ("chain").
const CHAIN_LOCK_KEY: i64 = 0x63_6861_696e;

/// One event in its stored form, as the chain hashes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainedEvent {
    pub position: i64,
    pub event_id: Uuid,
    pub stream_id: String,
    pub stream_type: String,
    pub version: i64,
    pub event_type: String,
    pub event_version: String,
    /// `payload::text`: PostgreSQL's canonical jsonb output.
    pub payload: String,
    /// `metadata::text`.
    pub metadata: String,
    pub recorded_at: DateTime<Utc>,
}

/// Feed one length-prefixed field (8-byte big-endian length, then the bytes).
fn field(hasher: &mut Sha256, bytes: &[u8]) {
    hasher.update((bytes.len() as u64).to_be_bytes());
    hasher.update(bytes);
}

/// The hashed fields of one event, borrowed (from a [`ChainedEvent`] or straight from a row).
struct HashedFields<'a> {
    position: i64,
    event_id: &'a Uuid,
    stream_id: &'a str,
    stream_type: &'a str,
    version: i64,
    event_type: &'a str,
    event_version: &'a str,
    payload: &'a str,
    metadata: &'a str,
    recorded_at: &'a DateTime<Utc>,
}

fn hash_fields(prev_hash: &[u8; 32], event: &HashedFields<'_>) -> [u8; 32] {
    let mut hasher = Sha256::new();
    field(&mut hasher, CHAIN_LABEL.as_bytes());
    field(&mut hasher, prev_hash);
    field(&mut hasher, &event.position.to_be_bytes());
    field(&mut hasher, event.event_id.as_bytes());
    field(&mut hasher, event.stream_id.as_bytes());
    field(&mut hasher, event.stream_type.as_bytes());
    field(&mut hasher, &event.version.to_be_bytes());
    field(&mut hasher, event.event_type.as_bytes());
    field(&mut hasher, event.event_version.as_bytes());
    field(&mut hasher, event.payload.as_bytes());
    field(&mut hasher, event.metadata.as_bytes());
    field(
        &mut hasher,
        &event.recorded_at.timestamp_micros().to_be_bytes(),
    );
    hasher.finalize().into()
}

/// The chain hash of `event` after `prev_hash` (ADR 0005 §2): SHA-256 over the length-prefixed
/// label, `prev_hash`, position, event_id, stream_id, stream_type, version, event_type,
/// event_version, payload text, metadata text and `recorded_at` in microseconds since the
/// epoch. Integers are 8-byte big-endian, the event id its 16 bytes, text UTF-8.
pub fn event_hash(prev_hash: &[u8; 32], event: &ChainedEvent) -> [u8; 32] {
    hash_fields(
        prev_hash,
        &HashedFields {
            position: event.position,
            event_id: &event.event_id,
            stream_id: &event.stream_id,
            stream_type: &event.stream_type,
            version: event.version,
            event_type: &event.event_type,
            event_version: &event.event_version,
            payload: &event.payload,
            metadata: &event.metadata,
            recorded_at: &event.recorded_at,
        },
    )
}

/// The chain hash of the event in `row` (the columns of [`STORED_COLUMNS`], in order) after
/// `prev_hash`, decoded without copying its text; with its position.
fn row_hash(prev_hash: &[u8; 32], row: &PgRow) -> Result<(i64, [u8; 32]), sqlx::Error> {
    let position: i64 = row.try_get(0)?;
    let event_id: Uuid = row.try_get(1)?;
    let recorded_at: DateTime<Utc> = row.try_get(9)?;
    let fields = HashedFields {
        position,
        event_id: &event_id,
        stream_id: row.try_get(2)?,
        stream_type: row.try_get(3)?,
        version: row.try_get(4)?,
        event_type: row.try_get(5)?,
        event_version: row.try_get(6)?,
        payload: row.try_get(7)?,
        metadata: row.try_get(8)?,
        recorded_at: &recorded_at,
    };
    Ok((position, hash_fields(prev_hash, &fields)))
}

/// What can go wrong while chaining or verifying (apart from a broken chain, which is a
/// [`Verdict`]).
#[derive(Debug, thiserror::Error)]
pub enum ChainError {
    /// A stored hash is not 32 bytes (the table's check forbids it).
    #[error("the chain row at position {0} holds a hash that is not 32 bytes")]
    MalformedHash(i64),
    /// Reading the high-water mark failed.
    #[error(transparent)]
    EventStore(#[from] EventStoreError),
    /// The database failed.
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

fn to_hash(position: i64, bytes: &[u8]) -> Result<[u8; 32], ChainError> {
    bytes
        .try_into()
        .map_err(|_| ChainError::MalformedHash(position))
}

const STORED_COLUMNS: &str = "e.position, e.event_id, e.stream_id, e.stream_type, e.version, \
     e.event_type, e.event_version, e.payload::text, e.metadata::text, e.recorded_at";

/// What one run of the chainer did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChainProgress {
    /// Events chained by this run.
    pub chained: u64,
    /// The last chained position after the run (0: nothing chained yet).
    pub head: i64,
}

/// Chain every event after the last chained position up to the high-water mark, in position
/// order, reading `batch` events at a time, in one transaction. One chainer runs at a time
/// (a transaction-scoped advisory lock); a second waits and then finds the work done.
pub async fn chain_up_to_high_water_mark(
    pool: &PgPool,
    batch: i64,
) -> Result<ChainProgress, ChainError> {
    let mark = high_water_mark(pool).await?;
    let mut tx = pool.begin().await?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(CHAIN_LOCK_KEY)
        .execute(&mut *tx)
        .await?;
    let head: Option<(i64, Vec<u8>)> =
        sqlx::query_as("SELECT position, hash FROM event_chain ORDER BY position DESC LIMIT 1")
            .fetch_optional(&mut *tx)
            .await?;
    let (mut position, mut prev) = match head {
        Some((position, hash)) => (position, to_hash(position, &hash)?),
        None => (0, GENESIS_HASH),
    };
    let mut chained = 0u64;
    let sql = format!(
        "SELECT {STORED_COLUMNS} FROM events e WHERE e.position > $1 AND e.position <= $2 \
         ORDER BY e.position LIMIT $3"
    );
    while position < mark {
        let rows: Vec<PgRow> = sqlx::query(&sql)
            .bind(position)
            .bind(mark)
            .bind(batch.max(1))
            .fetch_all(&mut *tx)
            .await?;
        if rows.is_empty() {
            break;
        }
        let mut positions = Vec::with_capacity(rows.len());
        let mut hashes = Vec::with_capacity(rows.len());
        let mut prev_hashes = Vec::with_capacity(rows.len());
        for row in &rows {
            let (at, hash) = row_hash(&prev, row)?;
            positions.push(at);
            prev_hashes.push(prev.to_vec());
            hashes.push(hash.to_vec());
            position = at;
            prev = hash;
        }
        chained += positions.len() as u64;
        sqlx::query(
            "INSERT INTO event_chain (position, hash, prev_hash) \
             SELECT * FROM UNNEST($1::bigint[], $2::bytea[], $3::bytea[])",
        )
        .bind(&positions)
        .bind(&hashes)
        .bind(&prev_hashes)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(ChainProgress {
        chained,
        head: position,
    })
}

/// Why a position fails verification (ADR 0005 §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// The event's bytes re-hash to another value than the chain holds.
    Changed,
    /// The chain holds the position; the log has no event there.
    Missing,
    /// The chain row's `prev_hash` does not link to the previous chained position.
    Reordered,
    /// The log has an event at a position the chain passed over as a gap.
    Inserted,
    /// A signed checkpoint is beyond the chain's end: the tail was cut (reported at the first
    /// position after the end, where the cut begins). See [`super::checkpoint`].
    Truncated,
    /// The chain's hash at a checkpoint's position differs from the signed head hash: the
    /// chain was recomputed after a change (reported at the checkpoint's position).
    Rewritten,
    /// A checkpoint whose signature does not verify, or that cannot be read.
    BadSignature,
    /// A checkpoint validly signed by a key that is not trusted.
    UntrustedKey,
    /// The table's and the directory's copies of a checkpoint differ.
    CheckpointMismatch,
}

impl FailureKind {
    /// Stable snake_case name, as printed and reported.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Changed => "changed",
            Self::Missing => "missing",
            Self::Reordered => "reordered",
            Self::Inserted => "inserted",
            Self::Truncated => "truncated",
            Self::Rewritten => "rewritten",
            Self::BadSignature => "bad_signature",
            Self::UntrustedKey => "untrusted_key",
            Self::CheckpointMismatch => "checkpoint_mismatch",
        }
    }
}

impl fmt::Display for FailureKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The first position that does not match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChainFailure {
    pub position: i64,
    pub kind: FailureKind,
}

/// A chain that verified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChainSummary {
    /// Chained events re-hashed and matched.
    pub events_checked: u64,
    /// The last chained position checked (0: none).
    pub head: i64,
    /// Events after the head, not yet chained (the chainer's lag, not an error).
    pub unchained: u64,
}

/// The outcome of [`verify`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Intact(ChainSummary),
    Broken(ChainFailure),
}

/// Chain rows read by one query of [`verify`]; the events of the same positions follow.
const VERIFY_WINDOW: i64 = 10_000;
/// Windows read ahead of the hashing thread.
const VERIFY_READ_AHEAD: usize = 2;

/// The chain rows (position, hash, prev_hash) and the events of one range of positions, each
/// in position order.
struct Window {
    chain: Vec<PgRow>,
    events: Vec<PgRow>,
}

/// The state of [`verify`] between windows: the rules of ADR 0005 §4, in position order.
struct Verifier {
    prev: [u8; 32],
    checked: u64,
    head: i64,
    /// The first event seen without a chain row: the tail, unless a chained position follows.
    unchained_since: Option<i64>,
    unchained: u64,
}

impl Verifier {
    fn broken(position: i64, kind: FailureKind) -> Result<Option<ChainFailure>, ChainError> {
        Ok(Some(ChainFailure { position, kind }))
    }

    /// Check one window after the previous ones; the first failure, if any.
    fn window(&mut self, window: &Window) -> Result<Option<ChainFailure>, ChainError> {
        let mut events = window.events.iter().peekable();
        for link in &window.chain {
            let position: i64 = link.try_get(0)?;
            // events before this chained position that the chain does not (yet) cover
            while let Some(event) = events.peek() {
                let at: i64 = event.try_get(0)?;
                if at >= position {
                    break;
                }
                self.unchained_since.get_or_insert(at);
                self.unchained += 1;
                events.next();
            }
            let hash = to_hash(position, link.try_get(1)?)?;
            let prev_hash = to_hash(position, link.try_get(2)?)?;
            if let Some(inserted) = self.unchained_since {
                return Self::broken(inserted, FailureKind::Inserted);
            }
            let event = match events.peek() {
                Some(event) if event.try_get::<i64, _>(0)? == position => events.next(),
                _ => None,
            };
            let Some(event) = event else {
                return Self::broken(position, FailureKind::Missing);
            };
            if prev_hash != self.prev {
                return Self::broken(position, FailureKind::Reordered);
            }
            if row_hash(&self.prev, event)?.1 != hash {
                return Self::broken(position, FailureKind::Changed);
            }
            self.prev = hash;
            self.head = position;
            self.checked += 1;
        }
        for event in events {
            let at: i64 = event.try_get(0)?;
            self.unchained_since.get_or_insert(at);
            self.unchained += 1;
        }
        Ok(None)
    }
}

/// Re-hash the log from position `from` (0 or 1: the whole log) against the chain, in position
/// order on `conn`, and stop at the first failure.
///
/// From a later position, the first chained event links to the chain's hash of the last
/// chained position before `from`, as stored.
///
/// The chain's head is read first; chain rows after it (a chainer running meanwhile) are not
/// read, and the events after it are the unchained tail. Up to the head every position is
/// final, and every chain row there was written after its event committed, so reading the
/// range in windows (chain rows first, then the events of the same positions) sees what one
/// snapshot would. The windows are fetched with plain range queries on the primary keys (no
/// join, no sort) while a blocking thread hashes the previous window, decoding the text
/// columns in place.
pub async fn verify(conn: &mut PgConnection, from: i64) -> Result<Verdict, ChainError> {
    verify_with_progress(conn, from, &mut |_| {}).await
}

/// How far [`verify_with_progress`] has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VerifyProgress {
    /// Chained events read so far (the hashing thread is at most a few windows behind).
    pub events_checked: u64,
    /// The last position read.
    pub position: i64,
}

/// [`verify`], calling `progress` after each window of positions is read (every
/// few thousand events) with how far it has come (for a progress bar).
pub async fn verify_with_progress(
    conn: &mut PgConnection,
    from: i64,
    progress: &mut (dyn FnMut(VerifyProgress) + Send),
) -> Result<Verdict, ChainError> {
    let start: Option<(i64, Vec<u8>)> = sqlx::query_as(
        "SELECT position, hash FROM event_chain WHERE position < $1 \
         ORDER BY position DESC LIMIT 1",
    )
    .bind(from)
    .fetch_optional(&mut *conn)
    .await?;
    let prev = match start {
        Some((position, hash)) => to_hash(position, &hash)?,
        None => GENESIS_HASH,
    };
    let head: i64 = sqlx::query_scalar("SELECT coalesce(max(position), 0) FROM event_chain")
        .fetch_one(&mut *conn)
        .await?;

    let (windows, mut received) = tokio::sync::mpsc::channel::<Window>(VERIFY_READ_AHEAD);
    let hashing = tokio::task::spawn_blocking(move || {
        let mut verifier = Verifier {
            prev,
            checked: 0,
            head: 0,
            unchained_since: None,
            unchained: 0,
        };
        while let Some(window) = received.blocking_recv() {
            if let Some(failure) = verifier.window(&window)? {
                // dropping the receiver stops the reader
                return Ok(Err(failure));
            }
        }
        Ok::<_, ChainError>(Ok(verifier))
    });
    let chain_sql = "SELECT position, hash, prev_hash FROM event_chain \
                     WHERE position >= $1 AND position <= $2 ORDER BY position LIMIT $3";
    let events_sql = format!(
        "SELECT {STORED_COLUMNS} FROM events e WHERE e.position >= $1 AND e.position <= $2 \
         ORDER BY e.position"
    );
    let read = async {
        let mut read_so_far = 0u64;
        let mut low = from;
        while low <= head {
            let chain = sqlx::query(chain_sql)
                .bind(low)
                .bind(head)
                .bind(VERIFY_WINDOW)
                .fetch_all(&mut *conn)
                .await?;
            let high = match chain.last() {
                Some(last) if chain.len() as i64 == VERIFY_WINDOW => last.try_get(0)?,
                _ => head,
            };
            let events = sqlx::query(&events_sql)
                .bind(low)
                .bind(high)
                .fetch_all(&mut *conn)
                .await?;
            read_so_far += chain.len() as u64;
            if windows.send(Window { chain, events }).await.is_err() {
                break; // the hashing thread stopped at a failure
            }
            progress(VerifyProgress {
                events_checked: read_so_far,
                position: high,
            });
            low = high + 1;
        }
        Ok::<(), ChainError>(())
    }
    .await;
    drop(windows);
    let hashed = match hashing.await {
        Ok(outcome) => outcome,
        Err(joined) if joined.is_panic() => std::panic::resume_unwind(joined.into_panic()),
        Err(_) => Err(ChainError::Database(sqlx::Error::WorkerCrashed)),
    };
    // a failure found before a read error is still the first failure
    let verifier = match (hashed, read) {
        (Ok(Err(failure)), _) => return Ok(Verdict::Broken(failure)),
        (_, Err(error)) | (Err(error), _) => return Err(error),
        (Ok(Ok(verifier)), Ok(())) => verifier,
    };
    let tail: i64 =
        sqlx::query_scalar("SELECT count(*) FROM events WHERE position >= $1 AND position > $2")
            .bind(from)
            .bind(head)
            .fetch_one(&mut *conn)
            .await?;
    Ok(Verdict::Intact(ChainSummary {
        events_checked: verifier.checked,
        head: verifier.head,
        unchained: verifier.unchained + tail as u64,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> ChainedEvent {
        ChainedEvent {
            position: 42,
            event_id: Uuid::parse_str("0190f3a2-7c4e-7d1a-9b2c-3d4e5f607182").unwrap(),
            stream_id: "person-0190f3a2-0000-7000-8000-000000000001".to_owned(),
            stream_type: "person".to_owned(),
            version: 3,
            event_type: "PersonRegistered".to_owned(),
            event_version: "1".to_owned(),
            payload: r#"{"name": "山田 太郎"}"#.to_owned(),
            metadata: r#"{"actor": "tanaka"}"#.to_owned(),
            recorded_at: DateTime::from_timestamp_micros(1_796_000_000_123_456).unwrap(),
        }
    }

    #[test]
    fn the_hash_of_a_fixed_event_is_fixed() {
        // computed independently from ADR 0005 §2 (Python hashlib), not by this code
        assert_eq!(
            hex::encode(event_hash(&GENESIS_HASH, &sample())),
            "45331057b832c2961ce95f460e9695c136a121f72970d2a32d47e7a27834e573"
        );
    }

    #[test]
    fn every_field_and_the_predecessor_change_the_hash() {
        let base = event_hash(&GENESIS_HASH, &sample());
        assert_ne!(event_hash(&[1; 32], &sample()), base);
        let mut moved = sample();
        moved.position = 43;
        assert_ne!(event_hash(&GENESIS_HASH, &moved), base);
        let mut edited = sample();
        edited.payload = r#"{"name": "山田 次郎"}"#.to_owned();
        assert_ne!(event_hash(&GENESIS_HASH, &edited), base);
        let mut later = sample();
        later.recorded_at += chrono::Duration::microseconds(1);
        assert_ne!(event_hash(&GENESIS_HASH, &later), base);
        // length prefixes: moving bytes between adjacent fields changes the hash
        let mut shifted = sample();
        shifted.stream_id.push('p');
        shifted.stream_type = "erson".to_owned();
        assert_ne!(event_hash(&GENESIS_HASH, &shifted), base);
    }
}
