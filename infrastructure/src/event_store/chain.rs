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
use futures::TryStreamExt;
use sha2::{Digest, Sha256};
use sqlx::{PgConnection, PgPool};
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

/// The chain hash of `event` after `prev_hash` (ADR 0005 §2): SHA-256 over the length-prefixed
/// label, `prev_hash`, position, event_id, stream_id, stream_type, version, event_type,
/// event_version, payload text, metadata text and `recorded_at` in microseconds since the
/// epoch. Integers are 8-byte big-endian, the event id its 16 bytes, text UTF-8.
pub fn event_hash(prev_hash: &[u8; 32], event: &ChainedEvent) -> [u8; 32] {
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

type StoredRow = (
    i64,
    Uuid,
    String,
    String,
    i64,
    String,
    String,
    String,
    String,
    DateTime<Utc>,
);

fn to_chained(row: StoredRow) -> ChainedEvent {
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
    ChainedEvent {
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
        let rows: Vec<StoredRow> = sqlx::query_as(&sql)
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
        for row in rows {
            let event = to_chained(row);
            let hash = event_hash(&prev, &event);
            positions.push(event.position);
            prev_hashes.push(prev.to_vec());
            hashes.push(hash.to_vec());
            position = event.position;
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

type VerifyRow = (
    i64,
    Option<Uuid>,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<DateTime<Utc>>,
    Option<Vec<u8>>,
    Option<Vec<u8>>,
);

/// Re-hash the log from position `from` (0 or 1: the whole log) against the chain, streaming
/// both in position order on `conn`, and stop at the first failure.
///
/// From a later position, the first chained event links to the chain's hash of the last
/// chained position before `from`, as stored.
pub async fn verify(conn: &mut PgConnection, from: i64) -> Result<Verdict, ChainError> {
    verify_with_progress(conn, from, &mut |_| {}).await
}

/// How far [`verify_with_progress`] has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VerifyProgress {
    /// Chained events re-hashed and matched so far.
    pub events_checked: u64,
    /// The last position checked.
    pub position: i64,
}

/// [`verify`], calling `progress` from time to time (every few thousand events) with how far
/// it has come (for a progress bar).
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
    let mut prev = match start {
        Some((position, hash)) => to_hash(position, &hash)?,
        None => GENESIS_HASH,
    };
    let mut checked = 0u64;
    let mut head = 0i64;
    // the first event seen without a chain row: the tail, unless a chained position follows
    let mut unchained_since: Option<i64> = None;
    let mut unchained = 0u64;
    const SQL: &str =
        "SELECT coalesce(e.position, c.position), e.event_id, e.stream_id, e.stream_type, \
                e.version, e.event_type, e.event_version, e.payload::text, e.metadata::text, \
                e.recorded_at, c.hash, c.prev_hash \
           FROM (SELECT * FROM events WHERE position >= $1) e \
           FULL JOIN (SELECT * FROM event_chain WHERE position >= $1) c \
             ON c.position = e.position \
          ORDER BY 1";
    let mut rows = sqlx::query_as::<_, VerifyRow>(SQL)
        .bind(from)
        .fetch(&mut *conn);
    while let Some(row) = rows.try_next().await? {
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
            hash,
            prev_hash,
        ) = row;
        let event = match (
            event_id,
            stream_id,
            stream_type,
            version,
            event_type,
            event_version,
            payload,
            metadata,
            recorded_at,
        ) {
            (
                Some(event_id),
                Some(stream_id),
                Some(stream_type),
                Some(version),
                Some(event_type),
                Some(event_version),
                Some(payload),
                Some(metadata),
                Some(recorded_at),
            ) => Some(ChainedEvent {
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
            }),
            _ => None,
        };
        let chain = match (hash, prev_hash) {
            (Some(hash), Some(prev_hash)) => {
                Some((to_hash(position, &hash)?, to_hash(position, &prev_hash)?))
            }
            _ => None,
        };
        let Some((hash, prev_hash)) = chain else {
            // an event the chain does not (yet) cover
            unchained_since.get_or_insert(position);
            unchained += 1;
            continue;
        };
        if let Some(inserted) = unchained_since {
            return Ok(Verdict::Broken(ChainFailure {
                position: inserted,
                kind: FailureKind::Inserted,
            }));
        }
        let Some(event) = event else {
            return Ok(Verdict::Broken(ChainFailure {
                position,
                kind: FailureKind::Missing,
            }));
        };
        if prev_hash != prev {
            return Ok(Verdict::Broken(ChainFailure {
                position,
                kind: FailureKind::Reordered,
            }));
        }
        if event_hash(&prev, &event) != hash {
            return Ok(Verdict::Broken(ChainFailure {
                position,
                kind: FailureKind::Changed,
            }));
        }
        prev = hash;
        head = position;
        checked += 1;
        if checked.is_multiple_of(4096) {
            progress(VerifyProgress {
                events_checked: checked,
                position,
            });
        }
    }
    Ok(Verdict::Intact(ChainSummary {
        events_checked: checked,
        head,
        unchained,
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
