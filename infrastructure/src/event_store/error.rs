//! Errors of the event store.

/// What can go wrong when reading or appending events.
#[derive(Debug, thiserror::Error)]
pub enum EventStoreError {
    /// The stream is not at the version the caller expected (楽観的排他).
    #[error("stream {stream_id} is at version {actual}, not the expected {expected}")]
    WrongExpectedVersion {
        stream_id: String,
        expected: i64,
        actual: i64,
    },
    /// An append was asked with no events.
    #[error("nothing to append")]
    NothingToAppend,
    /// The stream was to be created but already exists.
    #[error("stream {0} already exists")]
    StreamAlreadyExists(String),
    /// A stored event could not be turned back into a domain event.
    #[error("event {event_type} v{event_version} at position {position} cannot be read: {source}")]
    Deserialize {
        position: i64,
        event_type: String,
        event_version: String,
        #[source]
        source: serde_json::Error,
    },
    /// A domain event could not be serialised.
    #[error("event cannot be serialised: {0}")]
    Serialize(#[source] serde_json::Error),
    /// The database failed.
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

impl EventStoreError {
    /// True when retrying the command after reloading the stream may succeed.
    pub fn is_concurrency_conflict(&self) -> bool {
        matches!(
            self,
            Self::WrongExpectedVersion { .. } | Self::StreamAlreadyExists(_)
        )
    }
}
