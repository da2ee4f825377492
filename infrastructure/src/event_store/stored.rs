//! Events as they are written to and read from the `events` table.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use super::metadata::EventMetadata;

/// An event about to be appended to a stream.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub event_id: Uuid,
    pub event_type: String,
    pub event_version: String,
    pub payload: Value,
    pub metadata: EventMetadata,
}

impl NewEvent {
    /// Serialise a cqrs-es domain event with its metadata.
    pub fn from_domain<E: cqrs_es::DomainEvent>(
        event: &E,
        metadata: EventMetadata,
    ) -> Result<Self, serde_json::Error> {
        Ok(Self {
            event_id: Uuid::now_v7(),
            event_type: event.event_type(),
            event_version: event.event_version(),
            payload: serde_json::to_value(event)?,
            metadata,
        })
    }
}

/// An event read back from the store, already upcast to the current version of its type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredEvent {
    /// Global position (see ADR 0001).
    pub position: i64,
    pub event_id: Uuid,
    pub stream_id: String,
    pub stream_type: String,
    /// Version of the stream after this event (1 for the first event).
    pub version: i64,
    pub event_type: String,
    pub event_version: String,
    pub payload: Value,
    pub metadata: Value,
    pub recorded_at: DateTime<Utc>,
}

impl StoredEvent {
    /// Turn the payload back into a domain event.
    pub fn domain_event<E: cqrs_es::DomainEvent>(&self) -> Result<E, super::EventStoreError> {
        serde_json::from_value(self.payload.clone()).map_err(|source| {
            super::EventStoreError::Deserialize {
                position: self.position,
                event_type: self.event_type.clone(),
                event_version: self.event_version.clone(),
                source,
            }
        })
    }
}

/// What an append did: the stream's new version and the positions of its events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppendResult {
    pub stream_version: i64,
    pub first_position: i64,
    pub last_position: i64,
}

/// The version a caller expects a stream to be at before its command is applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpectedVersion {
    /// The stream must not exist yet.
    NoStream,
    /// The stream must be exactly at this version.
    Exact(i64),
}
