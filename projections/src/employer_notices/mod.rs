//! 徴収 read model: the 納入告知 (employer premium notices), one row per 事業所 and 月分 with
//! its totals, receipts and corrections. Commands fold their events inline; the rebuild folds
//! the whole log with the same code. The per-person lines stay in the stream.

pub mod query;
mod store;
mod view;

use std::collections::HashMap;

use kenpo_domain::employer_notices::{EmployerNoticeEvent, STREAM_TYPE};
use kenpo_infrastructure::event_store::StoredEvent;
use sqlx::PgConnection;
use uuid::Uuid;

pub use view::{EmployerNoticeView, ReceiptView, RevisionView};

use crate::ProjectionError;

/// A notice event with the stream coordinates the view needs.
#[derive(Debug, Clone)]
pub struct EmployerNoticeEventAt {
    pub notice_id: Uuid,
    pub version: i64,
    pub event: EmployerNoticeEvent,
}

impl EmployerNoticeEventAt {
    /// Read a stored event of a notice stream; `None` for other streams.
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
        Ok(Some(Self {
            notice_id: id,
            version: stored.version,
            event: stored.domain_event()?,
        }))
    }
}

/// Fold `events` (in log order) into `employer_notices`: load the rows they touch, apply,
/// save. Used inline by commands and in batches by the rebuild.
pub async fn apply(
    conn: &mut PgConnection,
    events: &[EmployerNoticeEventAt],
) -> Result<(), ProjectionError> {
    if events.is_empty() {
        return Ok(());
    }
    let ids = touched_ids(events);
    let views = store::load(conn, &ids).await?;
    fold_and_save(conn, events, &ids, views).await
}

/// Like [`apply`] for the first events of notices whose streams did not exist before them
/// (no row to load).
pub async fn apply_to_new(
    conn: &mut PgConnection,
    events: &[EmployerNoticeEventAt],
) -> Result<(), ProjectionError> {
    let ids = touched_ids(events);
    fold_and_save(conn, events, &ids, HashMap::new()).await
}

fn touched_ids(events: &[EmployerNoticeEventAt]) -> Vec<Uuid> {
    let mut ids: Vec<Uuid> = events.iter().map(|e| e.notice_id).collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

async fn fold_and_save(
    conn: &mut PgConnection,
    events: &[EmployerNoticeEventAt],
    ids: &[Uuid],
    mut views: HashMap<Uuid, EmployerNoticeView>,
) -> Result<(), ProjectionError> {
    for e in events {
        match (views.get_mut(&e.notice_id), &e.event) {
            (Some(view), event) => view.apply(e.version, event),
            (None, EmployerNoticeEvent::NoticeIssued(issued)) => {
                views.insert(
                    e.notice_id,
                    EmployerNoticeView::issued(e.notice_id, e.version, issued),
                );
            }
            // A later event of a notice whose issue is not in the table cannot be folded;
            // the stream always begins with NoticeIssued, so this does not happen.
            (None, _) => {
                tracing::warn!(notice_id = %e.notice_id, version = e.version, "notice event without its issue; skipped");
            }
        }
    }
    let touched: Vec<&EmployerNoticeView> = ids.iter().filter_map(|id| views.get(id)).collect();
    store::save(conn, &touched).await
}

/// Remove every row (first step of a rebuild).
pub async fn reset(conn: &mut PgConnection) -> Result<(), ProjectionError> {
    sqlx::query("TRUNCATE employer_notices")
        .execute(&mut *conn)
        .await?;
    Ok(())
}
