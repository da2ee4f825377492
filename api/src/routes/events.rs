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

use crate::application::{read_log, stream_access};
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

/// The global feed: the events after a position, in position order, of the stream kinds the
/// caller's roles may read ([`stream_access`]). No event that commits late is ever skipped
/// (ADR 0001); `next_after` moves past the positions of kinds left out. Needs the `auditor`
/// or `system_admin` role.
#[utoipa::path(get, path = "/api/v1/events", tag = "audit", params(FeedQuery),
    responses((status = 200, body = FeedPage), (status = 401, body = crate::problem::Problem), (status = 403, body = crate::problem::Problem)))]
pub async fn feed(
    State(state): State<AppState>,
    staff: Staff,
    QueryParams(query): QueryParams<FeedQuery>,
) -> Result<Json<FeedPage>, ApiError> {
    staff.role()?;
    let limit = query.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) || query.after < 0 {
        return Err(ApiError::invalid(
            "invalid_query",
            "limit must be 1 to 1000 and after must not be negative",
        ));
    }
    let kinds = stream_access::readable_kinds(&staff.claims.roles);
    let mut reader = LogReader::of_kinds(query.after, limit, kinds);
    let events = reader
        .next_batch(&state.pool, &state.upcasters)
        .await
        .map_err(|e| ApiError::internal(&e))?;
    let page = FeedPage {
        next_after: reader.position(),
        events: events.into_iter().map(EventRecord::from).collect(),
    };
    read_log::record(&state.pool, &staff, &page, page.events.len()).await?;
    Ok(Json(page))
}

/// 403 `stream_kind_forbidden`: the caller's roles may not read streams of this kind.
fn kind_forbidden(kind: &str) -> ApiError {
    ApiError::forbidden(format!(
        "your roles may not read streams of the kind {kind:?}"
    ))
    .with_code("stream_kind_forbidden")
}

/// Every event of one stream in version order (e.g. `person-<uuid>`), for the roles that may
/// read streams of its kind (the part of the id before the first `-`; [`stream_access`]).
/// Any other caller gets 403 `stream_kind_forbidden` whether the stream exists or not.
#[utoipa::path(get, path = "/api/v1/streams/{stream_id}", tag = "audit",
    params(("stream_id" = String, Path, description = "stream id, e.g. person-0190...")),
    responses((status = 200, body = [EventRecord]), (status = 401, body = crate::problem::Problem),
        (status = 403, body = crate::problem::Problem), (status = 404, body = crate::problem::Problem)))]
pub async fn stream(
    State(state): State<AppState>,
    staff: Staff,
    PathParam(stream_id): PathParam<String>,
) -> Result<Json<Vec<EventRecord>>, ApiError> {
    staff.role()?;
    let kind = stream_access::kind_of(&stream_id);
    if !stream_access::may_read(&staff.claims.roles, kind) {
        return Err(kind_forbidden(kind));
    }
    let mut conn = state.pool.acquire().await?;
    let events = event_store::read_stream(&mut conn, &stream_id, &state.upcasters)
        .await
        .map_err(|e| ApiError::internal(&e))?;
    // the id's prefix named the kind; the recorded kind must say the same
    if let Some(other) = events.iter().find(|e| e.stream_type != kind) {
        if !stream_access::may_read(&staff.claims.roles, &other.stream_type) {
            return Err(kind_forbidden(kind));
        }
    }
    if events.is_empty() {
        return Err(ApiError::not_found(
            "stream_not_found",
            "there is no stream with this id",
        ));
    }
    let events: Vec<EventRecord> = events.into_iter().map(EventRecord::from).collect();
    read_log::record(&mut *conn, &staff, &events, events.len()).await?;
    Ok(Json(events))
}
