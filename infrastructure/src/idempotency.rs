//! Idempotent commands: the same `Idempotency-Key` with the same request returns the first
//! answer and records nothing new; with another request it is refused.
//!
//! A key is stored in the same transaction as the command's events, so it exists if and only
//! if they do. Keys are scoped to the staff user who sent them.

use serde_json::Value;
use sha2::{Digest, Sha256};
use sqlx::PgConnection;

/// The answer first given to a request with a key.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredResponse {
    pub request_hash: String,
    pub status: u16,
    pub body: Value,
}

/// Errors of the idempotency record.
#[derive(Debug, thiserror::Error)]
pub enum IdempotencyError {
    /// Another transaction recorded the same key first (a concurrent retry).
    #[error("the idempotency key was recorded concurrently")]
    Raced,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Fingerprint of a request: method, path and body bytes.
pub fn request_hash(method: &str, path: &str, body: &[u8]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(method.as_bytes());
    hasher.update([0]);
    hasher.update(path.as_bytes());
    hasher.update([0]);
    hasher.update(body);
    hex::encode(hasher.finalize())
}

/// The stored answer for `(actor, key)`, if any.
pub async fn lookup(
    conn: &mut PgConnection,
    actor: &str,
    key: &str,
) -> Result<Option<StoredResponse>, sqlx::Error> {
    let row: Option<(String, i32, Value)> = sqlx::query_as(
        "SELECT request_hash, response_status, response_body FROM idempotency_keys
          WHERE actor = $1 AND idempotency_key = $2",
    )
    .bind(actor)
    .bind(key)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.map(|(request_hash, status, body)| StoredResponse {
        request_hash,
        status: u16::try_from(status).unwrap_or(500),
        body,
    }))
}

/// Record the answer for `(actor, key)` in the command's transaction.
pub async fn record(
    conn: &mut PgConnection,
    actor: &str,
    key: &str,
    response: &StoredResponse,
) -> Result<(), IdempotencyError> {
    let inserted = sqlx::query(
        "INSERT INTO idempotency_keys (actor, idempotency_key, request_hash, response_status, response_body)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
    )
    .bind(actor)
    .bind(key)
    .bind(&response.request_hash)
    .bind(i32::from(response.status))
    .bind(&response.body)
    .execute(&mut *conn)
    .await?;
    if inserted.rows_affected() == 0 {
        return Err(IdempotencyError::Raced);
    }
    Ok(())
}
