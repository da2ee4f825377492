//! One command = one transaction, with `Idempotency-Key` and `If-Match` handling.

use std::future::Future;

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use kenpo_infrastructure::event_store;
use kenpo_infrastructure::idempotency::{self, IdempotencyError, StoredResponse};
use serde::de::DeserializeOwned;
use serde_json::Value;
use sqlx::{Postgres, Transaction};

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
    pub request_hash: String,
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

fn replay(stored: StoredResponse, request_hash: &str) -> Result<CommandAnswer, ApiError> {
    if stored.request_hash != request_hash {
        return Err(ApiError::invalid(
            "idempotency_key_reused",
            "this Idempotency-Key was already used for a different request",
        ));
    }
    Ok(CommandAnswer {
        status: StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK),
        body: stored.body,
    })
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
    if let Some(key) = &request.idempotency_key {
        if let Some(stored) = idempotency::lookup(&mut tx, &actor, key).await? {
            return replay(stored, &request.request_hash);
        }
    }
    let (mut tx, answer) = work(tx).await?;
    if let Some(key) = &request.idempotency_key {
        let stored = StoredResponse {
            request_hash: request.request_hash.clone(),
            status: answer.status.as_u16(),
            body: answer.body.clone(),
        };
        match idempotency::record(&mut tx, &actor, key, &stored).await {
            Ok(()) => {}
            Err(IdempotencyError::Raced) => {
                drop(tx);
                let mut conn = state.pool.acquire().await?;
                return match idempotency::lookup(&mut conn, &actor, key).await? {
                    Some(first) => replay(first, &request.request_hash),
                    None => Err(ApiError::conflict(
                        "idempotency_in_progress",
                        "a request with this Idempotency-Key is in progress; retry shortly",
                    )),
                };
            }
            Err(IdempotencyError::Database(e)) => return Err(e.into()),
        }
    }
    tx.commit().await?;
    Ok(answer)
}
