//! ユーザ管理簿 read model: every staff account as it stands, with the change waiting for the
//! データ保護担当者. Every authenticated request reads its user's row ([`query::standing`]).

pub mod query;
mod store;
mod view;

use std::collections::HashMap;

use kenpo_domain::staff::StaffAccountEvent;
use kenpo_infrastructure::event_store::StoredEvent;
use sqlx::PgConnection;

pub use query::{AccountStanding, NotActive};
pub use view::{AccountStatus, PendingChangeView, StaffAccountView};

use crate::ProjectionError;

/// Stream type of the events this read model folds.
pub const STREAM_TYPE: &str = kenpo_domain::staff::STREAM_TYPE;

/// A staff account event with its stream version.
#[derive(Debug, Clone)]
pub struct StaffAccountEventAt {
    pub version: i64,
    pub event: StaffAccountEvent,
}

impl StaffAccountEventAt {
    /// Read a stored event of a staff account stream; `None` for other streams.
    pub fn from_stored(stored: &StoredEvent) -> Result<Option<Self>, ProjectionError> {
        if stored.stream_type != STREAM_TYPE {
            return Ok(None);
        }
        Ok(Some(Self {
            version: stored.version,
            event: stored.domain_event()?,
        }))
    }
}

/// Fold `events` (in log order) into the `staff_accounts` table: load the rows they touch,
/// apply, save. Used inline by commands and in batches by the rebuild. Returns the views
/// saved.
pub async fn apply(
    conn: &mut PgConnection,
    events: &[StaffAccountEventAt],
) -> Result<Vec<StaffAccountView>, ProjectionError> {
    let mut ids: Vec<String> = events
        .iter()
        .map(|e| e.event.staff_id().to_string())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let mut views: HashMap<String, StaffAccountView> = store::load(conn, &ids).await?;
    for e in events {
        let id = e.event.staff_id().as_str();
        let view = views
            .entry(id.to_owned())
            .or_insert_with(|| StaffAccountView::empty(id));
        view.apply(e.version, &e.event);
    }
    let touched: Vec<&StaffAccountView> = ids.iter().filter_map(|id| views.get(id)).collect();
    store::save(conn, &touched).await?;
    Ok(touched.into_iter().cloned().collect())
}

/// Remove every row (first step of a rebuild).
pub async fn reset(conn: &mut PgConnection) -> Result<(), ProjectionError> {
    sqlx::query("TRUNCATE staff_accounts")
        .execute(&mut *conn)
        .await?;
    Ok(())
}
