//! 保険者パラメータ read model: every parameter entry in force, one row per (key,
//! effective_from). Commands of the registry fold their events inline; the rebuild folds the
//! whole log with the same code. Calculations look values up with [`query::in_force`].

pub mod query;
mod store;
mod view;

use chrono::{DateTime, Utc};
use kenpo_domain::parameters::{ParameterEvent, ParameterKey};
use kenpo_infrastructure::event_store::{EventMetadata, StoredEvent};
use sqlx::PgConnection;

pub use view::{EntryRow, ParameterEntries};

use crate::ProjectionError;

/// Stream type of the events this read model folds.
pub const STREAM_TYPE: &str = kenpo_domain::parameters::STREAM_TYPE;

/// A parameter event with its stream version and who recorded it when (from its metadata, so
/// that the inline fold and the rebuild see the same instant).
#[derive(Debug, Clone)]
pub struct ParameterEventAt {
    pub version: i64,
    pub event: ParameterEvent,
    pub recorded_at: DateTime<Utc>,
    pub recorded_by: String,
}

impl ParameterEventAt {
    /// An event as a command records it.
    pub fn new(version: i64, event: ParameterEvent, metadata: &EventMetadata) -> Self {
        Self {
            version,
            event,
            recorded_at: metadata.recorded_at,
            recorded_by: metadata.actor.clone(),
        }
    }

    /// Read a stored event of a parameter stream; `None` for other streams.
    pub fn from_stored(stored: &StoredEvent) -> Result<Option<Self>, ProjectionError> {
        if stored.stream_type != STREAM_TYPE {
            return Ok(None);
        }
        let metadata: EventMetadata = serde_json::from_value(stored.metadata.clone())?;
        Ok(Some(Self::new(
            stored.version,
            stored.domain_event()?,
            &metadata,
        )))
    }
}

/// Fold `events` (in log order) into the `parameters` table: load the rows of the keys they
/// touch, apply, save. Used inline by commands and in batches by the rebuild.
pub async fn apply(
    conn: &mut PgConnection,
    events: &[ParameterEventAt],
) -> Result<(), ProjectionError> {
    if events.is_empty() {
        return Ok(());
    }
    let mut keys: Vec<ParameterKey> = events.iter().map(|e| e.event.key()).collect();
    keys.sort_unstable();
    keys.dedup();
    let mut views = store::load(conn, &keys).await?;
    for e in events {
        views
            .entry(e.event.key())
            .or_insert_with(|| ParameterEntries::empty(e.event.key()))
            .apply(e);
    }
    let touched: Vec<&ParameterEntries> = keys.iter().filter_map(|k| views.get(k)).collect();
    store::save(conn, &touched).await
}

/// Remove every row (first step of a rebuild).
pub async fn reset(conn: &mut PgConnection) -> Result<(), ProjectionError> {
    sqlx::query("TRUNCATE parameters")
        .execute(&mut *conn)
        .await?;
    Ok(())
}
