//! Metadata carried by every event: who did it, from where, and why.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Who recorded an event, from where, and in answer to what (監査証跡).
///
/// Every event carries one. It is written by the application layer from the authenticated
/// request and never by the domain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventMetadata {
    /// Staff user id of the actor (職員ID).
    pub actor: String,
    /// The role under which the actor acted.
    pub role: String,
    /// Client address as seen by the server.
    pub client_address: Option<String>,
    /// Terminal id from the `X-Terminal-Id` request header (端末ID).
    pub terminal_id: Option<String>,
    /// Request id, made by the server for each request (never the client's).
    pub request_id: String,
    /// The `X-Request-Id` the client sent, if any: recorded as given, never trusted as the id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_request_id: Option<String>,
    /// Correlation id: the first request of a chain of work.
    pub correlation_id: Uuid,
    /// Causation id: the request or event that directly caused this one.
    pub causation_id: Uuid,
    /// When the application recorded the event (UTC).
    pub recorded_at: DateTime<Utc>,
    /// Reason given for a correction, when the command is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl EventMetadata {
    /// Metadata for work done by the system itself (migrations, jobs, benchmarks).
    pub fn system(actor: &str) -> Self {
        let id = Uuid::now_v7();
        Self {
            actor: actor.to_owned(),
            role: "system".to_owned(),
            client_address: None,
            terminal_id: None,
            request_id: id.to_string(),
            client_request_id: None,
            correlation_id: id,
            causation_id: id,
            recorded_at: Utc::now(),
            reason: None,
        }
    }
}
