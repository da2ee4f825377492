//! Signed checkpoints of the hash chain (署名付きチェックポイント, ADR 0005 §3, issue 10 item 2)
//! and the verification that checks them (§4, item 3).
//!
//! A checkpoint is the chain's head (position and hash) signed with the Ed25519 signing key of
//! the key directory ([`crate::crypto::signing`]). It is kept twice: a row of
//! `chain_checkpoints`, and a file `checkpoint-<position, 20 digits>.json` in the checkpoint
//! directory, outside the database, created with `O_EXCL` and never rewritten. Someone who
//! recomputes the chain after a change, or cuts its tail, cannot sign new checkpoints without
//! the key, and cannot take back the files (an append-only directory or a bucket with a
//! retention lock, see docs/operations.md).
//!
//! # Order of the two copies
//!
//! [`take`] writes the file first (fsync of the file and of the directory), then inserts the
//! row and commits. A crash in between leaves a file without a row: verification checks every
//! file whether or not a row exists, and the next [`take`] finds the file, checks that it is a
//! valid checkpoint of the same head by the same key, and inserts its row. The other order
//! would leave, after a crash, a row without a file, which looks the same as a file an attacker
//! removed. So every row has its file, unless the directory was changed.
//!
//! # Signed bytes (`kenpo-chain-checkpoint-v1`)
//!
//! The Ed25519 signature covers the concatenation of five length-prefixed fields (8-byte
//! big-endian length, then the bytes), as in the chain's event hash:
//! 1. the label `kenpo-chain-checkpoint-v1` (UTF-8);
//! 2. the position, 8-byte big-endian;
//! 3. the head hash, 32 bytes;
//! 4. `signed_at` in microseconds since the Unix epoch, 8-byte big-endian;
//! 5. the key id (UTF-8, `ed25519:` and 16 hex digits of the public key's SHA-256).
//!
//! # Trusted keys
//!
//! A checkpoint counts only when signed by a trusted key ([`trusted_keys`]): the current
//! signing key's public key, and every `*.pub` file of the key directory (64 hex digits each;
//! keep there the public key of every signing key ever used, e.g. `sign-ed25519-2026.pub`).
//! Trust comes from the key directory, never from the checkpoint directory or the database:
//! whoever can write those must not be able to vouch for a key of their own.

use std::collections::{BTreeMap, HashMap};
use std::fs::{File, OpenOptions};
use std::io::{ErrorKind, Read, Write};
use std::path::{Path, PathBuf};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use sqlx::{PgConnection, PgPool};

use super::chain::{self, ChainError, ChainFailure, FailureKind, Verdict, VerifyProgress};
use crate::crypto::signing::{self, FileSigningKey, Signer};
use crate::crypto::CryptoError;

/// The format's name: the label signed first and the `format` of the JSON form.
pub const CHECKPOINT_FORMAT: &str = "kenpo-chain-checkpoint-v1";
/// Key of the advisory lock that lets one process at a time take a checkpoint ("ckpt").
const CHECKPOINT_LOCK_KEY: i64 = 0x636b_7074;
/// The largest checkpoint file read (one is about 400 bytes).
const FILE_LIMIT: u64 = 64 * 1024;

/// One signed checkpoint: the chain's hash at `position`, signed at `signed_at`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub position: i64,
    pub head_hash: [u8; 32],
    /// Whole microseconds (the precision signed and stored).
    pub signed_at: DateTime<Utc>,
    pub key_id: String,
    pub public_key: [u8; 32],
    pub signature: [u8; 64],
}

/// The JSON form of a checkpoint (the files of the checkpoint directory).
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckpointJson {
    format: String,
    position: i64,
    /// 64 hex digits.
    head_hash: String,
    /// RFC 3339, UTC, microseconds.
    signed_at: String,
    key_id: String,
    /// 64 hex digits.
    public_key: String,
    /// Standard base64 of 64 bytes.
    signature: String,
}

fn field(message: &mut Vec<u8>, bytes: &[u8]) {
    message.extend_from_slice(&(bytes.len() as u64).to_be_bytes());
    message.extend_from_slice(bytes);
}

/// The bytes a checkpoint's signature covers (the layout of the module's doc).
pub fn signed_message(
    position: i64,
    head_hash: &[u8; 32],
    signed_at: DateTime<Utc>,
    key_id: &str,
) -> Vec<u8> {
    let mut message = Vec::with_capacity(128);
    field(&mut message, CHECKPOINT_FORMAT.as_bytes());
    field(&mut message, &position.to_be_bytes());
    field(&mut message, head_hash);
    field(&mut message, &signed_at.timestamp_micros().to_be_bytes());
    field(&mut message, key_id.as_bytes());
    message
}

/// `at` cut to whole microseconds.
fn micros(at: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(at.timestamp_micros()).unwrap_or(at)
}

/// Why a checkpoint does not stand on its own (before it is compared with the chain).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub kind: FailureKind,
    pub detail: String,
}

impl Checkpoint {
    /// Sign the chain's hash `head_hash` at `position` with `signer`, now.
    pub fn sign(position: i64, head_hash: [u8; 32], signer: &dyn Signer) -> Checkpoint {
        let signed_at = micros(Utc::now());
        let key_id = signer.key_id().to_owned();
        let signature = signer.sign(&signed_message(position, &head_hash, signed_at, &key_id));
        Checkpoint {
            position,
            head_hash,
            signed_at,
            key_id,
            public_key: signer.public_key(),
            signature,
        }
    }

    /// Whether the signature is the public key's over this checkpoint, and the key id names
    /// that public key.
    pub fn signature_is_valid(&self) -> bool {
        self.key_id == signing::key_id(&self.public_key)
            && signing::verify(
                &self.public_key,
                &signed_message(self.position, &self.head_hash, self.signed_at, &self.key_id),
                &self.signature,
            )
    }

    /// Check the signature, then that the key is one of `trusted`.
    pub fn check(&self, trusted: &[[u8; 32]]) -> Result<(), Rejection> {
        if !self.signature_is_valid() {
            return Err(Rejection {
                kind: FailureKind::BadSignature,
                detail: format!(
                    "the signature of the checkpoint at position {} (key {}) does not verify",
                    self.position, self.key_id
                ),
            });
        }
        if !trusted.contains(&self.public_key) {
            return Err(Rejection {
                kind: FailureKind::UntrustedKey,
                detail: format!(
                    "the checkpoint at position {} is signed by key {}, which is not trusted \
                     (not the signing key nor a *.pub file of the key directory)",
                    self.position, self.key_id
                ),
            });
        }
        Ok(())
    }

    /// The JSON form, pretty-printed, with a final newline.
    pub fn to_json(&self) -> String {
        let json = CheckpointJson {
            format: CHECKPOINT_FORMAT.to_owned(),
            position: self.position,
            head_hash: hex::encode(self.head_hash),
            signed_at: self.signed_at.to_rfc3339_opts(SecondsFormat::Micros, true),
            key_id: self.key_id.clone(),
            public_key: hex::encode(self.public_key),
            signature: signing::encode_signature(&self.signature),
        };
        let mut text = serde_json::to_string_pretty(&json).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Read the JSON form; the error says what is wrong (it holds no secret).
    pub fn from_json(text: &str) -> Result<Checkpoint, String> {
        let json: CheckpointJson =
            serde_json::from_str(text).map_err(|e| format!("not a checkpoint: {e}"))?;
        if json.format != CHECKPOINT_FORMAT {
            return Err(format!("unknown format {:?}", json.format));
        }
        let mut head_hash = [0_u8; 32];
        hex::decode_to_slice(&json.head_hash, &mut head_hash)
            .map_err(|_| "head_hash is not 64 hex digits".to_owned())?;
        let signed_at = DateTime::parse_from_rfc3339(&json.signed_at)
            .map_err(|e| format!("signed_at is not RFC 3339: {e}"))?
            .with_timezone(&Utc);
        let public_key = signing::parse_public_key(&json.public_key)
            .ok_or_else(|| "public_key is not 64 hex digits".to_owned())?;
        let signature = STANDARD
            .decode(json.signature.trim())
            .ok()
            .and_then(|bytes| <[u8; 64]>::try_from(bytes).ok())
            .ok_or_else(|| "signature is not base64 of 64 bytes".to_owned())?;
        Ok(Checkpoint {
            position: json.position,
            head_hash,
            signed_at,
            key_id: json.key_id,
            public_key,
            signature,
        })
    }
}

/// What can go wrong while taking or reading checkpoints (apart from a failed verification,
/// which is a [`Verification`]).
#[derive(Debug, thiserror::Error)]
pub enum CheckpointError {
    /// Chaining or verifying the chain failed.
    #[error(transparent)]
    Chain(#[from] ChainError),
    /// The database failed.
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    /// A file or directory could not be read or written.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The checkpoint's file exists and is not this checkpoint: never overwritten.
    #[error("{path} already exists and is not a valid checkpoint of the same head by this key; it is never overwritten: examine it, and move it out of the directory if it is the remains of a crash")]
    Existing { path: PathBuf },
    /// A `*.pub` file of the key directory is not a public key.
    #[error("{path} is not an Ed25519 public key (64 hex digits)")]
    TrustedKey { path: PathBuf },
    /// The signing key could not be read.
    #[error(transparent)]
    Crypto(#[from] CryptoError),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> CheckpointError + '_ {
    move |source| CheckpointError::Io {
        path: path.to_owned(),
        source,
    }
}

/// The file name of the checkpoint at `position`.
pub fn file_name(position: i64) -> String {
    format!("checkpoint-{position:020}.json")
}

/// The position a checkpoint file's name gives, if it is one.
fn position_of_file(name: &str) -> Option<i64> {
    let digits = name.strip_prefix("checkpoint-")?.strip_suffix(".json")?;
    if digits.len() != 20 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// Create `path` with `bytes` (`O_EXCL`: never over an existing file), fsync it and its
/// directory.
fn write_new(dir: &Path, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut file = OpenOptions::new().write(true).create_new(true).open(path)?;
    if let Err(error) = file.write_all(bytes).and_then(|()| file.sync_all()) {
        // our own partial file: remove it, so that the next attempt starts clean
        drop(file);
        let _ = std::fs::remove_file(path);
        return Err(error);
    }
    File::open(dir)?.sync_all()
}

fn read_file(path: &Path) -> Result<Result<Checkpoint, String>, CheckpointError> {
    let mut text = String::new();
    let file = File::open(path).map_err(io(path))?;
    match file.take(FILE_LIMIT).read_to_string(&mut text) {
        Ok(_) => Ok(Checkpoint::from_json(&text)),
        Err(error) if error.kind() == ErrorKind::InvalidData => Ok(Err("not UTF-8".to_owned())),
        Err(error) => Err(io(path)(error)),
    }
}

/// A checkpoint just taken, and its file.
#[derive(Debug, Clone)]
pub struct Taken {
    pub checkpoint: Checkpoint,
    pub path: PathBuf,
}

/// Sign the chain's current head with `signer` and keep the checkpoint in `dir` (created when
/// missing) and in `chain_checkpoints`: the file first, then the row (see the module's doc).
/// `None` when nothing is chained yet or the head has not moved since the last checkpoint.
/// One process at a time (a transaction-scoped advisory lock).
pub async fn take(
    pool: &PgPool,
    signer: &dyn Signer,
    dir: &Path,
) -> Result<Option<Taken>, CheckpointError> {
    let mut tx = pool.begin().await?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(CHECKPOINT_LOCK_KEY)
        .execute(&mut *tx)
        .await?;
    let head: Option<(i64, Vec<u8>)> =
        sqlx::query_as("SELECT position, hash FROM event_chain ORDER BY position DESC LIMIT 1")
            .fetch_optional(&mut *tx)
            .await?;
    let Some((position, hash)) = head else {
        return Ok(None);
    };
    let head_hash: [u8; 32] = hash
        .as_slice()
        .try_into()
        .map_err(|_| ChainError::MalformedHash(position))?;
    let last: Option<i64> = sqlx::query_scalar("SELECT max(position) FROM chain_checkpoints")
        .fetch_one(&mut *tx)
        .await?;
    if last.is_some_and(|last| last >= position) {
        return Ok(None);
    }

    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let path = dir.join(file_name(position));
    let mut checkpoint = Checkpoint::sign(position, head_hash, signer);
    match write_new(dir, &path, checkpoint.to_json().as_bytes()) {
        Ok(()) => {}
        Err(error) if error.kind() == ErrorKind::AlreadyExists => {
            // written before a crash whose row never committed: adopt it if it is this head's
            match read_file(&path)? {
                Ok(existing)
                    if existing.position == position
                        && existing.head_hash == head_hash
                        && existing.public_key == signer.public_key()
                        && existing.signature_is_valid() =>
                {
                    checkpoint = existing
                }
                _ => return Err(CheckpointError::Existing { path }),
            }
        }
        Err(error) => return Err(io(&path)(error)),
    }
    sqlx::query(
        "INSERT INTO chain_checkpoints \
           (position, head_hash, signed_at, key_id, public_key, signature, format) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(checkpoint.position)
    .bind(checkpoint.head_hash.as_slice())
    .bind(checkpoint.signed_at)
    .bind(&checkpoint.key_id)
    .bind(checkpoint.public_key.as_slice())
    .bind(checkpoint.signature.as_slice())
    .bind(CHECKPOINT_FORMAT)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Some(Taken { checkpoint, path }))
}

type CheckpointRow = (
    i64,
    Vec<u8>,
    DateTime<Utc>,
    String,
    Vec<u8>,
    Vec<u8>,
    String,
);

/// Every checkpoint of `chain_checkpoints`, in position order; a row that is not a checkpoint
/// (wrong lengths or format: the table's checks forbid it) is an `Err` saying why.
pub async fn table_checkpoints(
    conn: &mut PgConnection,
) -> Result<Vec<(i64, Result<Checkpoint, String>)>, CheckpointError> {
    let rows: Vec<CheckpointRow> = sqlx::query_as(
        "SELECT position, head_hash, signed_at, key_id, public_key, signature, format \
           FROM chain_checkpoints ORDER BY position",
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(position, head_hash, signed_at, key_id, public_key, signature, format)| {
                let checkpoint = (|| {
                    if format != CHECKPOINT_FORMAT {
                        return Err(format!("unknown format {format:?}"));
                    }
                    Ok(Checkpoint {
                        position,
                        head_hash: head_hash
                            .try_into()
                            .map_err(|_| "head_hash is not 32 bytes".to_owned())?,
                        signed_at,
                        key_id,
                        public_key: public_key
                            .try_into()
                            .map_err(|_| "public_key is not 32 bytes".to_owned())?,
                        signature: signature
                            .try_into()
                            .map_err(|_| "signature is not 64 bytes".to_owned())?,
                    })
                })();
                (position, checkpoint)
            },
        )
        .collect())
}

/// One checkpoint file of a directory.
#[derive(Debug, Clone)]
pub struct CheckpointFile {
    /// The position its name gives.
    pub position: i64,
    pub path: PathBuf,
    /// Its checkpoint, or why it is none.
    pub checkpoint: Result<Checkpoint, String>,
}

/// Every `checkpoint-<20 digits>.json` of `dir`, in position order (other files are ignored).
pub fn directory_checkpoints(dir: &Path) -> Result<Vec<CheckpointFile>, CheckpointError> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io(dir))? {
        let entry = entry.map_err(io(dir))?;
        let Some(position) = entry.file_name().to_str().and_then(position_of_file) else {
            continue;
        };
        let path = entry.path();
        let checkpoint = read_file(&path)?;
        files.push(CheckpointFile {
            position,
            path,
            checkpoint,
        });
    }
    files.sort_by_key(|file| file.position);
    Ok(files)
}

/// The public keys whose checkpoints count: the signing key's (of `KENPO_SIGNING_KEY_B64`, or
/// of `key_dir`'s `sign-ed25519.key` when it exists; none is created), and every `*.pub` file
/// of `key_dir`. A `*.pub` file that is not a public key is an error, not skipped.
pub fn trusted_keys(key_dir: &Path) -> Result<Vec<[u8; 32]>, CheckpointError> {
    let mut keys = Vec::new();
    if std::env::var_os(signing::SIGNING_KEY_ENV).is_some()
        || key_dir.join(signing::SIGNING_KEY_FILE).exists()
    {
        let (key, _) = FileSigningKey::open_or_create(key_dir)?;
        keys.push(key.public_key());
    }
    let entries = match std::fs::read_dir(key_dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == ErrorKind::NotFound => return Ok(keys),
        Err(error) => return Err(io(key_dir)(error)),
    };
    let mut paths = Vec::new();
    for entry in entries {
        let path = entry.map_err(io(key_dir))?.path();
        if path.extension().is_some_and(|ext| ext == "pub") {
            paths.push(path);
        }
    }
    paths.sort();
    for path in paths {
        let text = std::fs::read_to_string(&path).map_err(io(&path))?;
        let key = signing::parse_public_key(&text)
            .ok_or_else(|| CheckpointError::TrustedKey { path: path.clone() })?;
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    Ok(keys)
}

/// The first position that does not match, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub position: i64,
    pub kind: FailureKind,
    pub detail: String,
}

/// The outcome of [`verify`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    /// Chained events re-hashed and matched (`None` when the chain itself is broken).
    pub events_checked: Option<u64>,
    /// The last chained position checked (`None` when the chain itself is broken).
    pub head: Option<i64>,
    /// Events after the head, not yet chained (`None` when the chain itself is broken).
    pub unchained: Option<u64>,
    /// Checkpoints (distinct positions) whose signature, key and head hash matched.
    pub checkpoints_checked: u64,
    /// The first failure in position order; `None`: the log verifies.
    pub failure: Option<Failure>,
}

impl Verification {
    pub fn is_ok(&self) -> bool {
        self.failure.is_none()
    }
}

/// What a chain failure means, for the report.
fn chain_detail(kind: FailureKind) -> &'static str {
    match kind {
        FailureKind::Changed => "the event's bytes re-hash to another value than the chain holds",
        FailureKind::Missing => "the chain holds this position; the log has no event there",
        FailureKind::Reordered => {
            "the chain row's prev_hash does not link to the previous chained position"
        }
        FailureKind::Inserted => {
            "the log has an event at a position the chain passed over as a gap"
        }
        _ => "the chain does not match",
    }
}

/// Where a copy of a checkpoint comes from, for the report.
fn source(file: Option<&Path>) -> String {
    match file {
        Some(path) => format!("file {}", path.display()),
        None => "table row".to_owned(),
    }
}

/// Both copies of the checkpoint at one position.
#[derive(Default)]
struct Copies {
    row: Option<Result<Checkpoint, String>>,
    file: Option<(PathBuf, Result<Checkpoint, String>)>,
}

impl Copies {
    /// The checkpoint, once each copy is checked on its own and against the other.
    fn check(self, position: i64, trusted: &[[u8; 32]]) -> Result<Checkpoint, Failure> {
        let fail = |kind, detail| Failure {
            position,
            kind,
            detail,
        };
        let mut checked = Vec::with_capacity(2);
        let row = self.row.map(|row| (None, row));
        let file = self.file.map(|(path, file)| (Some(path), file));
        for (path, copy) in row.into_iter().chain(file) {
            let origin = source(path.as_deref());
            let checkpoint = copy.map_err(|why| {
                fail(
                    FailureKind::BadSignature,
                    format!("the checkpoint's {origin} cannot be read: {why}"),
                )
            })?;
            if checkpoint.position != position {
                return Err(fail(
                    FailureKind::CheckpointMismatch,
                    format!(
                        "the {origin} holds the checkpoint of position {}, its name says {position}",
                        checkpoint.position
                    ),
                ));
            }
            checkpoint.check(trusted).map_err(|rejection| {
                fail(rejection.kind, format!("{origin}: {}", rejection.detail))
            })?;
            checked.push((origin, checkpoint));
        }
        match (checked.pop(), checked.pop()) {
            (Some((file, a)), Some((row, b))) if a != b => Err(fail(
                FailureKind::CheckpointMismatch,
                format!(
                    "the {row} and the {file} of the checkpoint at position {position} differ \
                     (signed at {} and {})",
                    b.signed_at.to_rfc3339_opts(SecondsFormat::Micros, true),
                    a.signed_at.to_rfc3339_opts(SecondsFormat::Micros, true),
                ),
            )),
            (Some((_, checkpoint)), _) => Ok(checkpoint),
            (None, _) => Err(fail(FailureKind::BadSignature, "no copy".to_owned())),
        }
    }
}

/// Verify the log from position `from` against the chain ([`chain::verify_with_progress`]),
/// and every checkpoint of the table and of `directory` (de-duplicated by position) against
/// `trusted` and the chain. Reports the first failure in position order:
///
/// - a checkpoint that cannot be read or whose signature does not verify: `bad_signature`, at
///   its position; signed by a key not in `trusted`: `untrusted_key`; a file and a row that
///   differ: `checkpoint_mismatch`;
/// - a checkpoint beyond the chain's end: `truncated`, at the first position after the end
///   (where the cut begins);
/// - the chain's hash at a checkpoint's position differs from its head hash, or the chain has
///   no row there: `rewritten`, at the checkpoint's position (the detail names the last
///   checkpoint that still matched);
/// - the chain's own failures (`changed`, `missing`, `reordered`, `inserted`); checkpoints at
///   or after such a failure are not compared.
///
/// Checkpoints are read before the chain is verified: a checkpoint taken meanwhile cannot be
/// mistaken for one beyond the end. Checkpoints before `from` are compared with the chain rows
/// as stored.
pub async fn verify(
    conn: &mut PgConnection,
    from: i64,
    directory: Option<&Path>,
    trusted: &[[u8; 32]],
    progress: &mut (dyn FnMut(VerifyProgress) + Send),
) -> Result<Verification, CheckpointError> {
    let mut by_position: BTreeMap<i64, Copies> = BTreeMap::new();
    for (position, row) in table_checkpoints(conn).await? {
        by_position.entry(position).or_default().row = Some(row);
    }
    if let Some(directory) = directory {
        for file in directory_checkpoints(directory)? {
            by_position.entry(file.position).or_default().file = Some((file.path, file.checkpoint));
        }
    }

    let verdict = chain::verify_with_progress(&mut *conn, from, progress).await?;
    let (summary, chain_failure) = match verdict {
        Verdict::Intact(summary) => (Some(summary), None),
        Verdict::Broken(failure) => (None, Some(failure)),
    };
    let chain_end = match summary {
        Some(summary) if summary.head > 0 => summary.head,
        _ => {
            sqlx::query_scalar(
                "SELECT coalesce(max(position), 0) FROM event_chain WHERE position < $1",
            )
            .bind(from)
            .fetch_one(&mut *conn)
            .await?
        }
    };
    let positions: Vec<i64> = by_position.keys().copied().collect();
    let hashes: HashMap<i64, Vec<u8>> = sqlx::query_as::<_, (i64, Vec<u8>)>(
        "SELECT position, hash FROM event_chain WHERE position = ANY($1)",
    )
    .bind(&positions)
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .collect();

    let mut checked = 0u64;
    let mut last_matched: Option<Checkpoint> = None;
    let mut failure = None;
    for (position, copies) in by_position {
        if chain_failure.is_some_and(|f: ChainFailure| position >= f.position) {
            break;
        }
        let checkpoint = match copies.check(position, trusted) {
            Ok(checkpoint) => checkpoint,
            Err(rejected) => {
                failure = Some(rejected);
                break;
            }
        };
        let signed = format!(
            "the checkpoint at position {position} (signed at {} by {})",
            checkpoint
                .signed_at
                .to_rfc3339_opts(SecondsFormat::Micros, true),
            checkpoint.key_id
        );
        let matched = match &last_matched {
            Some(last) => format!(
                "the last checkpoint that still matched is at position {} (signed at {})",
                last.position,
                last.signed_at.to_rfc3339_opts(SecondsFormat::Micros, true)
            ),
            None => "no earlier checkpoint matched".to_owned(),
        };
        if chain_failure.is_none() && position > chain_end {
            failure = Some(Failure {
                position: chain_end + 1,
                kind: FailureKind::Truncated,
                detail: format!(
                    "{signed} is beyond the chain's end at position {chain_end}: the log was \
                     cut from here"
                ),
            });
            break;
        }
        match hashes.get(&position) {
            Some(hash) if hash.as_slice() == checkpoint.head_hash.as_slice() => {
                checked += 1;
                last_matched = Some(checkpoint);
            }
            Some(hash) => {
                failure = Some(Failure {
                    position,
                    kind: FailureKind::Rewritten,
                    detail: format!(
                        "{signed} says head hash {}, the chain holds {}: the chain was \
                         recomputed before this position; {matched}",
                        hex::encode(checkpoint.head_hash),
                        hex::encode(hash)
                    ),
                });
                break;
            }
            None => {
                failure = Some(Failure {
                    position,
                    kind: FailureKind::Rewritten,
                    detail: format!(
                        "{signed}: the chain has no row at this position any more; {matched}"
                    ),
                });
                break;
            }
        }
    }
    let failure = failure.or_else(|| {
        chain_failure.map(|f| Failure {
            position: f.position,
            kind: f.kind,
            detail: chain_detail(f.kind).to_owned(),
        })
    });
    Ok(Verification {
        events_checked: summary.map(|s| s.events_checked),
        head: summary.map(|s| s.head),
        unchained: summary.map(|s| s.unchained),
        checkpoints_checked: checked,
        failure,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    struct FixedKey(ring::signature::Ed25519KeyPair, [u8; 32], String);

    impl FixedKey {
        fn new(seed: u8) -> FixedKey {
            use ring::signature::KeyPair;
            let pair = ring::signature::Ed25519KeyPair::from_seed_unchecked(&[seed; 32]).unwrap();
            let public: [u8; 32] = pair.public_key().as_ref().try_into().unwrap();
            let id = signing::key_id(&public);
            FixedKey(pair, public, id)
        }
    }

    impl Signer for FixedKey {
        fn key_id(&self) -> &str {
            &self.2
        }
        fn public_key(&self) -> [u8; 32] {
            self.1
        }
        fn sign(&self, message: &[u8]) -> [u8; 64] {
            self.0.sign(message).as_ref().try_into().unwrap()
        }
    }

    #[test]
    fn the_signed_bytes_follow_the_documented_layout() {
        let at = DateTime::from_timestamp_micros(1_796_000_000_123_456).unwrap();
        let message = signed_message(42, &[7; 32], at, "ed25519:0123456789abcdef");
        let mut expected = Vec::new();
        expected.extend_from_slice(&25u64.to_be_bytes());
        expected.extend_from_slice(b"kenpo-chain-checkpoint-v1");
        expected.extend_from_slice(&8u64.to_be_bytes());
        expected.extend_from_slice(&42i64.to_be_bytes());
        expected.extend_from_slice(&32u64.to_be_bytes());
        expected.extend_from_slice(&[7; 32]);
        expected.extend_from_slice(&8u64.to_be_bytes());
        expected.extend_from_slice(&1_796_000_000_123_456i64.to_be_bytes());
        expected.extend_from_slice(&24u64.to_be_bytes());
        expected.extend_from_slice(b"ed25519:0123456789abcdef");
        assert_eq!(message, expected);
    }

    #[test]
    fn a_checkpoint_survives_its_json_form_and_any_change_breaks_its_signature() {
        let key = FixedKey::new(3);
        let checkpoint = Checkpoint::sign(42, [9; 32], &key);
        assert_eq!(checkpoint.check(&[key.public_key()]), Ok(()));
        let json = checkpoint.to_json();
        assert_eq!(Checkpoint::from_json(&json), Ok(checkpoint.clone()));

        let mut moved = checkpoint.clone();
        moved.position = 43;
        assert_eq!(
            moved.check(&[key.public_key()]).unwrap_err().kind,
            FailureKind::BadSignature
        );
        let mut other_head = checkpoint.clone();
        other_head.head_hash[0] ^= 1;
        assert!(!other_head.signature_is_valid());
        let mut later = checkpoint.clone();
        later.signed_at += chrono::Duration::microseconds(1);
        assert!(!later.signature_is_valid());

        // validly signed by another key: not trusted
        let stranger = FixedKey::new(4);
        let forged = Checkpoint::sign(42, [9; 32], &stranger);
        assert_eq!(
            forged.check(&[key.public_key()]).unwrap_err().kind,
            FailureKind::UntrustedKey
        );
        // another key's id on this key's signature
        let mut renamed = checkpoint;
        renamed.key_id = stranger.key_id().to_owned();
        assert!(!renamed.signature_is_valid());
    }

    #[test]
    fn only_well_formed_file_names_are_checkpoints() {
        assert_eq!(file_name(42), "checkpoint-00000000000000000042.json");
        assert_eq!(position_of_file(&file_name(42)), Some(42));
        assert_eq!(position_of_file("checkpoint-42.json"), None);
        assert_eq!(
            position_of_file("checkpoint-0000000000000000004x.json"),
            None
        );
        assert_eq!(position_of_file("README.md"), None);
    }
}
