//! One command = one transaction, with `Idempotency-Key` and `If-Match` handling.
//!
//! Idempotency records are keyed, sealed, expire and go with their person's erasure
//! ([`kenpo_infrastructure::idempotency`]); `kenpo serve` purges expired ones
//! ([`start_idempotency_purge`]).

use std::future::Future;
use std::sync::OnceLock;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use kenpo_infrastructure::event_store;
use kenpo_infrastructure::idempotency::{
    self, IdempotencyError, NewRecord, Recorded, RequestDigest, TtlError,
};
use serde::de::DeserializeOwned;
use serde_json::Value;
use sqlx::{PgPool, Postgres, Transaction};
use uuid::Uuid;

use crate::auth::Staff;
use crate::problem::ApiError;
use crate::state::AppState;

/// Header with the client's idempotency key.
pub const IDEMPOTENCY_KEY: &str = "idempotency-key";

/// A command request: who sent it, the raw body, its idempotency key and expected version.
pub struct CommandRequest {
    pub staff: Staff,
    pub body: Bytes,
    pub idempotency_key: Option<String>,
    pub expected_version: Option<i64>,
    /// Digest of method, path and body, in memory only: what is stored is keyed
    /// ([`idempotency::fingerprint`]).
    pub request_hash: RequestDigest,
}

impl CommandRequest {
    /// Parse the body as `T`. Unknown fields, wrong types and values a domain type refuses
    /// are 422 `invalid_body`; broken JSON is 400 `malformed_json`.
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, ApiError> {
        serde_json::from_slice(&self.body).map_err(|e| {
            if e.is_syntax() || e.is_eof() {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "malformed_json",
                    "Malformed JSON",
                    e.to_string(),
                )
            } else {
                ApiError::invalid("invalid_body", e.to_string())
            }
        })
    }
}

fn expected_version(headers: &HeaderMap) -> Result<Option<i64>, ApiError> {
    let Some(value) = headers.get(axum::http::header::IF_MATCH) else {
        return Ok(None);
    };
    let text = value.to_str().unwrap_or_default().trim();
    let text = text.strip_prefix("W/").unwrap_or(text).trim_matches('"');
    text.parse::<i64>().map(Some).map_err(|_| {
        ApiError::invalid(
            "invalid_if_match",
            "If-Match must be the stream version the change is based on, e.g. \"3\"",
        )
    })
}

impl FromRequest<AppState> for CommandRequest {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let staff = <Staff as axum::extract::FromRequestParts<AppState>>::from_request_parts(
            &mut parts, state,
        )
        .await?;
        let content_type = parts
            .headers
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        if !content_type.starts_with("application/json") {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "Unsupported media type",
                "commands take a JSON body (Content-Type: application/json)",
            ));
        }
        let idempotency_key = match parts.headers.get(IDEMPOTENCY_KEY) {
            None => None,
            Some(v) => {
                let key = v.to_str().unwrap_or_default().trim().to_owned();
                if key.is_empty() || key.len() > 255 {
                    return Err(ApiError::invalid(
                        "invalid_idempotency_key",
                        "Idempotency-Key must be 1 to 255 visible characters",
                    ));
                }
                Some(key)
            }
        };
        let expected_version = expected_version(&parts.headers)?;
        let bytes = axum::body::to_bytes(body, 1024 * 1024)
            .await
            .map_err(|e| crate::edge::body_error(&e, crate::edge::MAX_BODY_BYTES))?;
        let request_hash =
            idempotency::request_hash(parts.method.as_str(), parts.uri.path(), &bytes);
        let _: &Method = &parts.method;
        Ok(Self {
            staff,
            body: bytes,
            idempotency_key,
            expected_version,
            request_hash,
        })
    }
}

/// The answer to a command.
pub struct CommandAnswer {
    pub status: StatusCode,
    pub body: Value,
}

impl IntoResponse for CommandAnswer {
    fn into_response(self) -> Response {
        (self.status, axum::Json(self.body)).into_response()
    }
}

fn replay(recorded: Recorded) -> Result<CommandAnswer, ApiError> {
    match recorded {
        Recorded::Same { status, body } => Ok(CommandAnswer {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::OK),
            body,
        }),
        Recorded::Different => Err(ApiError::invalid(
            "idempotency_key_reused",
            "this Idempotency-Key was already used for a different request",
        )),
        Recorded::Unverifiable => Err(ApiError::conflict(
            "idempotency_key_unverifiable",
            "this Idempotency-Key was recorded under a blind-index key that has since been rotated, \
             so its first answer cannot be checked or replayed; read the resource to see whether \
             the first request took effect, and send any new request with a new Idempotency-Key",
        )),
    }
}

/// The person a command's answer is about, recorded with its idempotency record so that the
/// person's erasure deletes it: the answer's top-level `person_id` (every answer of a command
/// on a person's streams has one), else a `stream_id` of a person's stream.
pub fn subject_of(body: &Value) -> Option<Uuid> {
    if let Some(id) = body.get("person_id").and_then(Value::as_str) {
        return Uuid::parse_str(id).ok();
    }
    let stream = body.get("stream_id").and_then(Value::as_str)?;
    ["person-", "my_number-", "premium_account-"]
        .iter()
        .find_map(|prefix| stream.strip_prefix(prefix))
        .and_then(|id| Uuid::parse_str(id).ok())
}

/// Environment variable with the idempotency window (`7d`, `24h`, `90m`, `3600s`).
pub const IDEMPOTENCY_TTL_ENV: &str = "KENPO_IDEMPOTENCY_TTL";
/// How often `serve` purges expired idempotency records.
const PURGE_EVERY: Duration = Duration::from_secs(10 * 60);
static IDEMPOTENCY_TTL: OnceLock<Duration> = OnceLock::new();

/// How long an idempotency record is replayed: `KENPO_IDEMPOTENCY_TTL` as read by
/// [`start_idempotency_purge`], else [`idempotency::DEFAULT_TTL`] (7 days).
pub fn idempotency_ttl() -> Duration {
    IDEMPOTENCY_TTL
        .get()
        .copied()
        .unwrap_or(idempotency::DEFAULT_TTL)
}

/// Read `KENPO_IDEMPOTENCY_TTL` (refusing a bad value) and purge expired idempotency records
/// now and every 10 minutes for the life of the process. Called once by `kenpo serve`.
pub fn start_idempotency_purge(pool: PgPool) -> Result<Duration, TtlError> {
    let ttl = match std::env::var(IDEMPOTENCY_TTL_ENV) {
        Ok(text) => idempotency::parse_ttl(&text)?,
        Err(std::env::VarError::NotPresent) => idempotency::DEFAULT_TTL,
        Err(std::env::VarError::NotUnicode(_)) => return Err(TtlError("(not UTF-8)".to_owned())),
    };
    let ttl = *IDEMPOTENCY_TTL.get_or_init(|| ttl);
    tracing::info!(
        ttl_seconds = ttl.as_secs(),
        "idempotency records are replayed for this long, then purged"
    );
    tokio::spawn(async move {
        let mut every = tokio::time::interval(PURGE_EVERY);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            // the first tick is immediate: one purge at start
            every.tick().await;
            match idempotency::purge_expired(&pool).await {
                Ok(0) => tracing::debug!("no expired idempotency records"),
                Ok(deleted) => tracing::info!(deleted, "expired idempotency records purged"),
                Err(error) => tracing::warn!(
                    %error,
                    "purging expired idempotency records failed; retrying in 10 minutes"
                ),
            }
        }
    });
    Ok(ttl)
}

/// Run `work` in one command transaction: if the key was seen, answer as the first time;
/// otherwise run it, record the key with the answer, and commit everything together.
pub async fn run<F, Fut>(
    state: &AppState,
    request: &CommandRequest,
    work: F,
) -> Result<CommandAnswer, ApiError>
where
    F: FnOnce(Transaction<'static, Postgres>) -> Fut,
    Fut: Future<Output = Result<(Transaction<'static, Postgres>, CommandAnswer), ApiError>>,
{
    let mut tx = event_store::begin_command(&state.pool).await?;
    let actor = request.staff.claims.sub.clone();
    let bik = state.bik.as_ref();
    if let Some(key) = &request.idempotency_key {
        if let Some(recorded) =
            idempotency::lookup(&mut tx, bik, &actor, key, &request.request_hash).await?
        {
            return replay(recorded);
        }
    }
    let (mut tx, answer) = work(tx).await?;
    if let Some(key) = &request.idempotency_key {
        let new = NewRecord {
            actor: &actor,
            key,
            digest: &request.request_hash,
            status: answer.status.as_u16(),
            body: &answer.body,
            subject_person: subject_of(&answer.body),
            ttl: idempotency_ttl(),
        };
        match idempotency::record(&mut tx, bik, &new).await {
            Ok(()) => {}
            Err(IdempotencyError::Raced) => {
                drop(tx);
                let mut conn = state.pool.acquire().await?;
                return match idempotency::lookup(&mut conn, bik, &actor, key, &request.request_hash)
                    .await?
                {
                    Some(first) => replay(first),
                    None => Err(ApiError::conflict(
                        "idempotency_in_progress",
                        "a request with this Idempotency-Key is in progress; retry shortly",
                    )),
                };
            }
            Err(e @ IdempotencyError::Seal) => return Err(ApiError::internal(&e)),
            Err(IdempotencyError::Database(e)) => return Err(e.into()),
        }
    }
    tx.commit().await?;
    Ok(answer)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_subject_is_the_answers_person_or_the_person_of_its_stream() {
        let id = Uuid::now_v7();
        for body in [
            json!({"person_id": id, "stream_id": "person-x"}),
            json!({"stream_id": format!("person-{id}")}),
            json!({"stream_id": format!("my_number-{id}")}),
            json!({"stream_id": format!("premium_account-{id}")}),
        ] {
            assert_eq!(subject_of(&body), Some(id), "{body}");
        }
        for body in [
            json!({"stream_id": format!("benefit_claim-{id}")}),
            json!({"change_id": id}),
            json!([{"person_id": id}]),
        ] {
            assert_eq!(subject_of(&body), None, "{body}");
        }
    }
}
