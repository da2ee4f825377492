//! The global event feed and per-stream history, for auditors and downstream readers.

use axum::extract::State;

use crate::json::{PathParam, QueryParams};
use axum::Json;
use chrono::{DateTime, Utc};
use kenpo_infrastructure::event_store::{self, LogReader, StoredEvent};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::Staff;
use crate::problem::ApiError;
use crate::state::AppState;

/// An event as recorded.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventRecord {
    /// Global position; a reader continues with `after` = the last one it saw.
    pub position: i64,
    pub event_id: Uuid,
    pub stream_id: String,
    /// Version of the stream after this event.
    pub version: i64,
    pub event_type: String,
    pub event_version: String,
    pub payload: Value,
    /// Actor, role, client address, terminal, request, correlation and causation ids.
    pub metadata: Value,
    pub recorded_at: DateTime<Utc>,
}

/// What stands in an answer where a sealed 個人番号 is stored: the ciphertext never leaves the
/// server (reading a number is `GET /persons/{id}/my-number`, logged).
pub const WITHHELD: &str = "<sealed 個人番号 withheld>";

fn withhold_sealed(stream_type: &str, mut payload: Value) -> Value {
    if stream_type == "my_number" {
        if let Some(body) = payload
            .as_object_mut()
            .and_then(|o| o.values_mut().next())
            .and_then(Value::as_object_mut)
        {
            if body.contains_key("sealed") {
                body.insert("sealed".to_owned(), Value::String(WITHHELD.to_owned()));
            }
        }
    }
    payload
}

impl From<StoredEvent> for EventRecord {
    fn from(e: StoredEvent) -> Self {
        let payload = withhold_sealed(&e.stream_type, e.payload);
        Self {
            position: e.position,
            event_id: e.event_id,
            stream_id: e.stream_id,
            version: e.version,
            event_type: e.event_type,
            event_version: e.event_version,
            payload,
            metadata: e.metadata,
            recorded_at: e.recorded_at,
        }
    }
}

/// A page of the global feed.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeedPage {
    pub events: Vec<EventRecord>,
    /// Pass as `after` for the next page. Equal to `after` when there is nothing new yet.
    pub next_after: i64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct FeedQuery {
    /// Return events after this position (0 = from the beginning).
    #[serde(default)]
    pub after: i64,
    /// At most this many events (1–1000, default 100).
    pub limit: Option<i64>,
}

/// The global feed: every event after a position, in position order. No event that commits
/// late is ever skipped (ADR 0001). Needs the `auditor` or `system_admin` role.
#[utoipa::path(get, path = "/api/v1/events", tag = "audit", params(FeedQuery),
    responses((status = 200, body = FeedPage), (status = 401, body = crate::problem::Problem), (status = 403, body = crate::problem::Problem)))]
pub async fn feed(
    State(state): State<AppState>,
    staff: Staff,
    QueryParams(query): QueryParams<FeedQuery>,
) -> Result<Json<FeedPage>, ApiError> {
    if staff.require(crate::auth::Role::Auditor).is_err()
        && staff.require(crate::auth::Role::SystemAdmin).is_err()
    {
        return Err(ApiError::forbidden(
            "the event feed needs the auditor or system_admin role",
        ));
    }
    let limit = query.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) || query.after < 0 {
        return Err(ApiError::invalid(
            "invalid_query",
            "limit must be 1 to 1000 and after must not be negative",
        ));
    }
    let mut reader = LogReader::new(query.after, limit);
    let events = reader
        .next_batch(&state.pool, &state.upcasters)
        .await
        .map_err(|e| ApiError::internal(&e))?;
    Ok(Json(FeedPage {
        next_after: reader.position(),
        events: events.into_iter().map(EventRecord::from).collect(),
    }))
}

/// Every event of one stream in version order (e.g. `person-<uuid>`). Any staff role.
#[utoipa::path(get, path = "/api/v1/streams/{stream_id}", tag = "audit",
    params(("stream_id" = String, Path, description = "stream id, e.g. person-0190...")),
    responses((status = 200, body = [EventRecord]), (status = 404, body = crate::problem::Problem)))]
pub async fn stream(
    State(state): State<AppState>,
    staff: Staff,
    PathParam(stream_id): PathParam<String>,
) -> Result<Json<Vec<EventRecord>>, ApiError> {
    staff.any_role()?;
    let mut conn = state.pool.acquire().await?;
    let events = event_store::read_stream(&mut conn, &stream_id, &state.upcasters)
        .await
        .map_err(|e| ApiError::internal(&e))?;
    if events.is_empty() {
        return Err(ApiError::not_found(
            "stream_not_found",
            "there is no stream with this id",
        ));
    }
    Ok(Json(events.into_iter().map(EventRecord::from).collect()))
}
