//! 振込データ read model: every payment batch with its totals and the status of each payment
//! (instructed, paid, failed). Commands on a batch fold their events inline; the rebuild
//! folds the whole log with the same code.

pub mod query;
mod store;
mod view;

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use kenpo_domain::benefits::payment_batch::PaymentBatchEvent;
use kenpo_infrastructure::event_store::{EventMetadata, StoredEvent};
use sqlx::PgConnection;
use uuid::Uuid;

pub use view::{
    DownloadView, LineStatus, PaymentBatchSummary, PaymentBatchView, PaymentLineView, ResultView,
};

use crate::ProjectionError;

/// Stream type of the events this read model folds.
pub const STREAM_TYPE: &str = kenpo_domain::benefits::payment_batch::STREAM_TYPE;

/// A batch event with its stream coordinates and who recorded it when (from its metadata, so
/// that the inline fold and the rebuild see the same instant).
#[derive(Debug, Clone)]
pub struct PaymentBatchEventAt {
    pub batch_id: Uuid,
    pub version: i64,
    pub event: PaymentBatchEvent,
    pub recorded_at: DateTime<Utc>,
    pub recorded_by: String,
}

impl PaymentBatchEventAt {
    /// An event as a command records it.
    pub fn new(
        batch_id: Uuid,
        version: i64,
        event: PaymentBatchEvent,
        metadata: &EventMetadata,
    ) -> Self {
        Self {
            batch_id,
            version,
            event,
            recorded_at: metadata.recorded_at,
            recorded_by: metadata.actor.clone(),
        }
    }

    /// Read a stored event of a payment batch stream; `None` for other streams.
    pub fn from_stored(stored: &StoredEvent) -> Result<Option<Self>, ProjectionError> {
        if stored.stream_type != STREAM_TYPE {
            return Ok(None);
        }
        let Some(id) = stored
            .stream_id
            .strip_prefix(STREAM_TYPE)
            .and_then(|rest| rest.strip_prefix('-'))
            .and_then(|id| Uuid::parse_str(id).ok())
        else {
            return Ok(None);
        };
        let metadata: EventMetadata = serde_json::from_value(stored.metadata.clone())?;
        Ok(Some(Self::new(
            id,
            stored.version,
            stored.domain_event()?,
            &metadata,
        )))
    }
}

/// Fold `events` (in log order) into the `payment_batches` table: load the rows they touch,
/// apply, save. Used inline by commands and in batches by the rebuild.
pub async fn apply(
    conn: &mut PgConnection,
    events: &[PaymentBatchEventAt],
) -> Result<(), ProjectionError> {
    if events.is_empty() {
        return Ok(());
    }
    let mut ids: Vec<Uuid> = events.iter().map(|e| e.batch_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut views: HashMap<Uuid, PaymentBatchView> = store::load(conn, &ids).await?;
    for e in events {
        views
            .entry(e.batch_id)
            .or_insert_with(|| PaymentBatchView::empty(e.batch_id))
            .apply(e);
    }
    let touched: Vec<&PaymentBatchView> = ids
        .iter()
        .filter_map(|id| views.get(id))
        .filter(|v| v.summary.stream_version > 0)
        .collect();
    store::save(conn, &touched).await
}

/// Remove every row (first step of a rebuild).
pub async fn reset(conn: &mut PgConnection) -> Result<(), ProjectionError> {
    sqlx::query("TRUNCATE payment_batches")
        .execute(&mut *conn)
        .await?;
    Ok(())
}
