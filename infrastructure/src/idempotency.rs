//! Idempotent commands: the same `Idempotency-Key` with the same request returns the first
//! answer and records nothing new; with another request it is refused.
//!
//! A key is stored in the same transaction as the command's events, so it exists if and only
//! if they do. Keys are scoped to the staff user who sent them.
//!
//! A database dump must give nothing back (ARCHITECTURE "Trust model"): a request body may
//! hold a 個人番号 and every other field of it is in clear in the events, so an unkeyed digest
//! of it could be reversed by trying the 10^11 valid numbers. So a record holds only:
//!
//! ```text
//! fingerprint     = HMAC-SHA256(BIK, "kenpo/mynumber/bidx/1" ‖ "kenpo/idempotency/fingerprint/1\0"
//!                                    ‖ len(actor) u32be ‖ actor ‖ SHA-256(method ‖ 0 ‖ path ‖ 0 ‖ body))
//! response_sealed = 0x01 ‖ nonce[12] ‖ AES-256-GCM(seal key, answer JSON), AAD = label ‖ actor
//!                   ‖ Idempotency-Key ‖ status ‖ key version;
//!                   seal key = HMAC-SHA256(BIK, "kenpo/mynumber/bidx/1" ‖ "kenpo/idempotency/seal-key/1")
//! response_status, key_version (the BIK version), subject_person, created_at, expires_at
//! ```
//!
//! The blind-index key (BIK) is kept outside the database; its messages here cannot collide
//! with a number's blind index (12 digits). A record expires after a window
//! ([`DEFAULT_TTL`], `KENPO_IDEMPOTENCY_TTL`): it is never replayed after it and
//! [`purge_expired`] deletes it. The records of a person whose 個人番号 is erased are deleted
//! in the erasure's transaction ([`forget_subject`]).
//!
//! After the BIK is rotated, a record made under the previous version can no longer be
//! compared or opened: a retry with its key is answered [`Recorded::Unverifiable`] (never run
//! a second time, never replayed); such records are gone one window after the rotation.

use std::time::Duration;

use serde_json::Value;
use sha2::{Digest, Sha256};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;
use zeroize::Zeroizing;

use crate::crypto::BlindIndexKey;

const FINGERPRINT_LABEL: &[u8] = b"kenpo/idempotency/fingerprint/1\0";
const SEAL_KEY_LABEL: &[u8] = b"kenpo/idempotency/seal-key/1";
const SEAL_AAD_LABEL: &[u8] = b"kenpo/idempotency/response/1";
const SEAL_FORMAT_V1: u8 = 0x01;
const NONCE_LEN: usize = 12;

/// How long a record is replayed when nothing else is configured: 7 days.
pub const DEFAULT_TTL: Duration = Duration::from_secs(7 * 24 * 3600);
/// The longest window accepted (a record kept longer than a year defeats its expiry).
pub const MAX_TTL: Duration = Duration::from_secs(366 * 24 * 3600);
/// Expired records deleted per statement by [`purge_expired`].
const PURGE_BATCH: i64 = 10_000;

/// SHA-256 of method ‖ 0 ‖ path ‖ 0 ‖ body. Held in memory only to compare requests: it is
/// unkeyed, so it is never stored, logged or shown (no `Display`, a redacted `Debug`); the
/// stored fingerprint is keyed ([`fingerprint`]).
#[derive(Clone, PartialEq, Eq)]
pub struct RequestDigest([u8; 32]);

impl std::fmt::Debug for RequestDigest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RequestDigest(..)")
    }
}

/// Errors of the idempotency record.
#[derive(Debug, thiserror::Error)]
pub enum IdempotencyError {
    /// Another transaction recorded the same key first (a concurrent retry).
    #[error("the idempotency key was recorded concurrently")]
    Raced,
    /// The answer could not be sealed (no randomness, or the cipher refused).
    #[error("the idempotency record could not be sealed")]
    Seal,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// A bad `KENPO_IDEMPOTENCY_TTL`.
#[derive(Debug, thiserror::Error)]
#[error("KENPO_IDEMPOTENCY_TTL must be a whole number of days, hours, minutes or seconds between 1s and 366d, e.g. 7d, 24h, 90m (got {0:?})")]
pub struct TtlError(pub String);

/// Parse a window such as `7d`, `24h`, `90m` or `3600s`.
pub fn parse_ttl(text: &str) -> Result<Duration, TtlError> {
    let trimmed = text.trim();
    let error = || TtlError(trimmed.to_owned());
    let unit_at = trimmed.len().checked_sub(1).ok_or_else(error)?;
    let (number, unit) = trimmed.split_at(unit_at);
    let seconds_per = match unit {
        "d" => 24 * 3600,
        "h" => 3600,
        "m" => 60,
        "s" => 1,
        _ => return Err(error()),
    };
    if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
        return Err(error());
    }
    let ttl = number
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(seconds_per))
        .map(Duration::from_secs)
        .ok_or_else(error)?;
    if ttl.is_zero() || ttl > MAX_TTL {
        return Err(error());
    }
    Ok(ttl)
}

/// The in-memory digest of a request: method, path and body bytes.
pub fn request_hash(method: &str, path: &str, body: &[u8]) -> RequestDigest {
    let mut hasher = Sha256::new();
    hasher.update(method.as_bytes());
    hasher.update([0]);
    hasher.update(path.as_bytes());
    hasher.update([0]);
    hasher.update(body);
    RequestDigest(hasher.finalize().into())
}

fn put_len_prefixed(buffer: &mut Vec<u8>, bytes: &[u8]) {
    // actors and keys are at most a few hundred bytes; a longer one still gets a distinct prefix
    let len = u32::try_from(bytes.len()).unwrap_or(u32::MAX);
    buffer.extend_from_slice(&len.to_be_bytes());
    buffer.extend_from_slice(bytes);
}

/// The stored fingerprint of `actor`'s request: keyed, so a guess cannot be tested without
/// the blind-index key.
pub fn fingerprint(bik: &dyn BlindIndexKey, actor: &str, digest: &RequestDigest) -> [u8; 32] {
    let mut message = Vec::with_capacity(FINGERPRINT_LABEL.len() + 4 + actor.len() + 32);
    message.extend_from_slice(FINGERPRINT_LABEL);
    put_len_prefixed(&mut message, actor.as_bytes());
    message.extend_from_slice(&digest.0);
    bik.blind_index(&message)
}

fn seal_aad(actor: &str, key: &str, status: u16, key_version: u32) -> Vec<u8> {
    let mut aad = Vec::with_capacity(SEAL_AAD_LABEL.len() + 8 + actor.len() + key.len() + 6);
    aad.extend_from_slice(SEAL_AAD_LABEL);
    put_len_prefixed(&mut aad, actor.as_bytes());
    put_len_prefixed(&mut aad, key.as_bytes());
    aad.extend_from_slice(&status.to_be_bytes());
    aad.extend_from_slice(&key_version.to_be_bytes());
    aad
}

fn cipher(bik: &dyn BlindIndexKey) -> aes_gcm::Aes256Gcm {
    use aes_gcm::KeyInit;
    let key = Zeroizing::new(bik.blind_index(SEAL_KEY_LABEL));
    aes_gcm::Aes256Gcm::new(key.as_ref().into())
}

/// Seal the first answer to `(actor, key)`: `0x01 ‖ nonce ‖ ciphertext‖tag`.
pub fn seal_response(
    bik: &dyn BlindIndexKey,
    actor: &str,
    key: &str,
    status: u16,
    body: &Value,
) -> Result<Vec<u8>, IdempotencyError> {
    use aes_gcm::aead::AeadInPlace;
    use rand::RngCore;

    let mut nonce = [0_u8; NONCE_LEN];
    rand::rngs::OsRng
        .try_fill_bytes(&mut nonce)
        .map_err(|_| IdempotencyError::Seal)?;
    let mut buffer = Zeroizing::new(serde_json::to_vec(body).map_err(|_| IdempotencyError::Seal)?);
    cipher(bik)
        .encrypt_in_place(
            &aes_gcm::Nonce::from(nonce),
            &seal_aad(actor, key, status, bik.blind_index_version()),
            &mut *buffer,
        )
        .map_err(|_| IdempotencyError::Seal)?;
    let mut sealed = Vec::with_capacity(1 + NONCE_LEN + buffer.len());
    sealed.push(SEAL_FORMAT_V1);
    sealed.extend_from_slice(&nonce);
    sealed.extend_from_slice(&buffer);
    Ok(sealed)
}

/// Open an answer sealed by [`seal_response`]; `None` for another actor, key, status or key
/// (version), or an altered blob.
pub fn open_response(
    bik: &dyn BlindIndexKey,
    actor: &str,
    key: &str,
    status: u16,
    sealed: &[u8],
) -> Option<Value> {
    use aes_gcm::aead::AeadInPlace;

    if sealed.len() < 1 + NONCE_LEN + 16 || sealed[0] != SEAL_FORMAT_V1 {
        return None;
    }
    let nonce: [u8; NONCE_LEN] = sealed[1..1 + NONCE_LEN].try_into().ok()?;
    let mut buffer = Zeroizing::new(sealed[1 + NONCE_LEN..].to_vec());
    cipher(bik)
        .decrypt_in_place(
            &aes_gcm::Nonce::from(nonce),
            &seal_aad(actor, key, status, bik.blind_index_version()),
            &mut *buffer,
        )
        .ok()?;
    serde_json::from_slice(&buffer).ok()
}

/// What the record of `(actor, key)` says about a request.
#[derive(Debug, Clone, PartialEq)]
pub enum Recorded {
    /// The same request was answered before: its first answer.
    Same { status: u16, body: Value },
    /// The key was used for another request.
    Different,
    /// Recorded under another blind-index key version (or unreadable): it cannot be compared,
    /// so the request must neither run again nor be replayed.
    Unverifiable,
}

/// The first answer to this request under `(actor, key)`, if a record within its window exists.
pub async fn lookup(
    conn: &mut PgConnection,
    bik: &dyn BlindIndexKey,
    actor: &str,
    key: &str,
    digest: &RequestDigest,
) -> Result<Option<Recorded>, sqlx::Error> {
    let row: Option<(Vec<u8>, i64, i32, Vec<u8>)> = sqlx::query_as(
        "SELECT fingerprint, key_version, response_status, response_sealed FROM idempotency_keys
          WHERE actor = $1 AND idempotency_key = $2 AND expires_at > now()",
    )
    .bind(actor)
    .bind(key)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((stored, key_version, status, sealed)) = row else {
        return Ok(None);
    };
    if key_version != i64::from(bik.blind_index_version()) {
        return Ok(Some(Recorded::Unverifiable));
    }
    if !same_bytes(&stored, &fingerprint(bik, actor, digest)) {
        return Ok(Some(Recorded::Different));
    }
    let Ok(status) = u16::try_from(status) else {
        return Ok(Some(Recorded::Unverifiable));
    };
    Ok(Some(
        match open_response(bik, actor, key, status, &sealed) {
            Some(body) => Recorded::Same { status, body },
            None => Recorded::Unverifiable,
        },
    ))
}

/// Constant-time comparison (the fingerprint is a MAC).
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0_u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// What to record for a first answer.
pub struct NewRecord<'a> {
    pub actor: &'a str,
    pub key: &'a str,
    pub digest: &'a RequestDigest,
    pub status: u16,
    pub body: &'a Value,
    /// The person whose stream the command wrote, if any (deleted with their erasure).
    pub subject_person: Option<Uuid>,
    /// How long the answer is replayed.
    pub ttl: Duration,
}

/// Record the first answer in the command's transaction, replacing an expired record of the
/// same key.
pub async fn record(
    conn: &mut PgConnection,
    bik: &dyn BlindIndexKey,
    new: &NewRecord<'_>,
) -> Result<(), IdempotencyError> {
    let sealed = seal_response(bik, new.actor, new.key, new.status, new.body)?;
    sqlx::query(
        "DELETE FROM idempotency_keys
          WHERE actor = $1 AND idempotency_key = $2 AND expires_at <= now()",
    )
    .bind(new.actor)
    .bind(new.key)
    .execute(&mut *conn)
    .await?;
    let inserted = sqlx::query(
        "INSERT INTO idempotency_keys (actor, idempotency_key, fingerprint, key_version,
                                       response_status, response_sealed, subject_person, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, now() + make_interval(secs => $8))
         ON CONFLICT DO NOTHING",
    )
    .bind(new.actor)
    .bind(new.key)
    .bind(fingerprint(bik, new.actor, new.digest).to_vec())
    .bind(i64::from(bik.blind_index_version()))
    .bind(i32::from(new.status))
    .bind(sealed)
    .bind(new.subject_person)
    .bind(new.ttl.as_secs_f64())
    .execute(&mut *conn)
    .await?;
    if inserted.rows_affected() == 0 {
        return Err(IdempotencyError::Raced);
    }
    Ok(())
}

/// Delete every expired record; the number deleted.
pub async fn purge_expired(pool: &PgPool) -> Result<u64, sqlx::Error> {
    let mut deleted = 0;
    loop {
        let done = sqlx::query(
            "DELETE FROM idempotency_keys WHERE ctid = ANY (ARRAY(
                 SELECT ctid FROM idempotency_keys WHERE expires_at <= now() LIMIT $1))",
        )
        .bind(PURGE_BATCH)
        .execute(pool)
        .await?
        .rows_affected();
        deleted += done;
        if done < PURGE_BATCH as u64 {
            return Ok(deleted);
        }
    }
}

/// Delete the records of commands on `person_id`'s streams (with their erasure); the number
/// deleted.
pub async fn forget_subject(conn: &mut PgConnection, person_id: Uuid) -> Result<u64, sqlx::Error> {
    Ok(
        sqlx::query("DELETE FROM idempotency_keys WHERE subject_person = $1")
            .bind(person_id)
            .execute(&mut *conn)
            .await?
            .rows_affected(),
    )
}

#[cfg(test)]
mod tests {
    use hmac::{Hmac, Mac};
    use serde_json::json;

    use super::*;

    /// A blind-index key as the key store computes it (HMAC-SHA256 over the bidx label and
    /// the message), with a chosen version.
    struct TestBik {
        key: [u8; 32],
        version: u32,
    }

    impl BlindIndexKey for TestBik {
        fn blind_index(&self, message: &[u8]) -> [u8; 32] {
            let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("any key length");
            mac.update(b"kenpo/mynumber/bidx/1");
            mac.update(message);
            mac.finalize().into_bytes().into()
        }
        fn blind_index_version(&self) -> u32 {
            self.version
        }
    }

    fn bik(byte: u8, version: u32) -> TestBik {
        TestBik {
            key: [byte; 32],
            version,
        }
    }

    const BODY: &[u8] =
        br#"{"number":"123456789018","source":"employer","registered_on":"2025-04-03"}"#;
    const PATH: &str = "/api/v1/persons/0190a3c2-0000-7000-8000-000000000001/my-number";

    #[test]
    fn the_fingerprint_is_keyed_and_binds_actor_and_request() {
        let digest = request_hash("POST", PATH, BODY);
        let one = fingerprint(&bik(1, 1), "mn1", &digest);
        assert_eq!(
            one,
            fingerprint(&bik(1, 1), "mn1", &digest),
            "deterministic"
        );
        assert_ne!(one, fingerprint(&bik(2, 1), "mn1", &digest), "another key");
        assert_ne!(
            one,
            fingerprint(&bik(1, 1), "mn2", &digest),
            "another actor"
        );
        for other in [
            request_hash("PUT", PATH, BODY),
            request_hash("POST", &format!("{PATH}/change"), BODY),
            request_hash("POST", PATH, &BODY[1..]),
        ] {
            assert_ne!(one, fingerprint(&bik(1, 1), "mn1", &other));
        }
        // exactly HMAC(BIK, bidx label ‖ fingerprint label ‖ len ‖ actor ‖ SHA-256(request))
        let mut request = b"POST\0".to_vec();
        request.extend_from_slice(PATH.as_bytes());
        request.push(0);
        request.extend_from_slice(BODY);
        let mut message = b"kenpo/idempotency/fingerprint/1\0".to_vec();
        message.extend_from_slice(&3_u32.to_be_bytes());
        message.extend_from_slice(b"mn1");
        message.extend_from_slice(&Sha256::digest(&request));
        assert_eq!(one, bik(1, 1).blind_index(&message));
        // and none of the unkeyed digests of the request
        assert_ne!(one.as_slice(), Sha256::digest(&request).as_slice());
        assert_ne!(one.as_slice(), Sha256::digest(BODY).as_slice());
        assert_eq!(format!("{digest:?}"), "RequestDigest(..)");
    }

    #[test]
    fn a_sealed_answer_opens_only_for_its_actor_key_status_and_key() -> Result<(), IdempotencyError>
    {
        let key = bik(7, 1);
        let body = json!({"person_id": "0190a3c2-0000-7000-8000-000000000001", "note": "山田太郎"});
        let sealed = seal_response(&key, "mn1", "mn-0001", 201, &body)?;
        assert_eq!(sealed[0], SEAL_FORMAT_V1);
        let text = String::from_utf8_lossy(&sealed);
        assert!(!text.contains("person_id") && !text.contains("0190a3c2"));
        assert_ne!(
            sealed,
            seal_response(&key, "mn1", "mn-0001", 201, &body)?,
            "a fresh nonce each time"
        );
        assert_eq!(
            open_response(&key, "mn1", "mn-0001", 201, &sealed),
            Some(body)
        );
        assert_eq!(open_response(&key, "mn2", "mn-0001", 201, &sealed), None);
        assert_eq!(open_response(&key, "mn1", "mn-0002", 201, &sealed), None);
        assert_eq!(open_response(&key, "mn1", "mn-0001", 200, &sealed), None);
        assert_eq!(
            open_response(&bik(8, 1), "mn1", "mn-0001", 201, &sealed),
            None
        );
        assert_eq!(
            open_response(&bik(7, 2), "mn1", "mn-0001", 201, &sealed),
            None
        );
        let mut tampered = sealed.clone();
        let last = tampered.len() - 1;
        tampered[last] ^= 1;
        assert_eq!(open_response(&key, "mn1", "mn-0001", 201, &tampered), None);
        assert_eq!(
            open_response(&key, "mn1", "mn-0001", 201, &sealed[..20]),
            None
        );
        Ok(())
    }

    #[sqlx::test(migrator = "crate::migrate::MIGRATOR")]
    async fn a_record_replays_the_same_request_only_under_its_key_version_and_window(
        pool: PgPool,
    ) -> Result<(), Box<dyn std::error::Error>> {
        let mut conn = pool.acquire().await?;
        let key = bik(3, 1);
        let person = Uuid::new_v4();
        let digest = request_hash("POST", PATH, BODY);
        let body = json!({"person_id": person, "version": 1});
        let new = NewRecord {
            actor: "mn1",
            key: "mn-0001",
            digest: &digest,
            status: 201,
            body: &body,
            subject_person: Some(person),
            ttl: DEFAULT_TTL,
        };
        record(&mut conn, &key, &new).await?;
        let same = Some(Recorded::Same {
            status: 201,
            body: body.clone(),
        });
        assert_eq!(
            lookup(&mut conn, &key, "mn1", "mn-0001", &digest).await?,
            same
        );
        assert!(matches!(
            record(&mut conn, &key, &new).await,
            Err(IdempotencyError::Raced)
        ));
        let other = request_hash("POST", PATH, b"{}");
        assert_eq!(
            lookup(&mut conn, &key, "mn1", "mn-0001", &other).await?,
            Some(Recorded::Different)
        );
        assert_eq!(
            lookup(&mut conn, &key, "mn2", "mn-0001", &digest).await?,
            None
        );
        // after a rotation of the blind-index key: neither replayed nor run again
        assert_eq!(
            lookup(&mut conn, &bik(4, 2), "mn1", "mn-0001", &digest).await?,
            Some(Recorded::Unverifiable)
        );
        // expired: invisible, replaced by a new record, purged
        sqlx::query("UPDATE idempotency_keys SET expires_at = now()")
            .execute(&mut *conn)
            .await?;
        assert_eq!(
            lookup(&mut conn, &key, "mn1", "mn-0001", &digest).await?,
            None
        );
        record(&mut conn, &key, &new).await?;
        assert_eq!(
            lookup(&mut conn, &key, "mn1", "mn-0001", &digest).await?,
            same
        );
        sqlx::query("UPDATE idempotency_keys SET expires_at = now() - interval '1 second'")
            .execute(&mut *conn)
            .await?;
        assert_eq!(purge_expired(&pool).await?, 1);
        // the person's erasure takes their records
        record(&mut conn, &key, &new).await?;
        record(
            &mut conn,
            &key,
            &NewRecord {
                key: "other-0001",
                subject_person: None,
                ..new
            },
        )
        .await?;
        assert_eq!(forget_subject(&mut conn, person).await?, 1);
        assert_eq!(
            lookup(&mut conn, &key, "mn1", "mn-0001", &digest).await?,
            None
        );
        assert!(lookup(&mut conn, &key, "mn1", "other-0001", &digest)
            .await?
            .is_some());
        Ok(())
    }

    #[test]
    fn the_window_is_days_hours_minutes_or_seconds() {
        assert_eq!(DEFAULT_TTL, Duration::from_secs(604_800));
        for (text, seconds) in [
            ("7d", 604_800),
            ("24h", 86_400),
            (" 90m ", 5_400),
            ("1s", 1),
        ] {
            assert_eq!(
                parse_ttl(text).ok(),
                Some(Duration::from_secs(seconds)),
                "{text}"
            );
        }
        for bad in [
            "",
            "7",
            "d",
            "0d",
            "-1d",
            "1.5d",
            "7 d",
            "7w",
            "367d",
            "99999999999999999999s",
        ] {
            let error = parse_ttl(bad).err().map(|e| e.to_string());
            assert!(
                error
                    .as_deref()
                    .is_some_and(|e| e.contains("KENPO_IDEMPOTENCY_TTL")),
                "{bad}: {error:?}"
            );
        }
    }
}
