//! 適用 read model: the current member view of every person, searchable.

pub mod query;
mod store;
mod view;

use std::collections::HashMap;

use kenpo_domain::qualification::PersonEvent;
use kenpo_infrastructure::event_store::StoredEvent;
use sqlx::PgConnection;
use uuid::Uuid;

pub use view::{
    BonusView, CertificateView, IdentificationSince, LeaveView, MemberKind, MemberStatus,
    MemberView, QualificationPeriod, RemunerationView,
};

use crate::ProjectionError;

/// Stream type of the events this read model folds.
pub const STREAM_TYPE: &str = "person";

/// A person event with the stream coordinates the view needs.
#[derive(Debug, Clone)]
pub struct PersonEventAt {
    pub person_id: Uuid,
    pub version: i64,
    pub event: PersonEvent,
}

impl PersonEventAt {
    /// Read a stored event of a person stream; `None` for other streams.
    pub fn from_stored(stored: &StoredEvent) -> Result<Option<Self>, ProjectionError> {
        if stored.stream_type != STREAM_TYPE {
            return Ok(None);
        }
        let Some(id) = stored
            .stream_id
            .strip_prefix("person-")
            .and_then(|id| Uuid::parse_str(id).ok())
        else {
            return Ok(None);
        };
        Ok(Some(Self {
            person_id: id,
            version: stored.version,
            event: stored.domain_event()?,
        }))
    }
}

/// Fold `events` (in log order) into the `members` table: load the rows they touch, apply,
/// save. Used inline by commands and in batches by the rebuild.
pub async fn apply(
    conn: &mut PgConnection,
    events: &[PersonEventAt],
) -> Result<(), ProjectionError> {
    let ids = touched_ids(events);
    let views = store::load(conn, &ids).await?;
    fold_and_save(conn, events, &ids, views).await
}

/// Like [`apply`] for events of persons whose streams did not exist before them (their first
/// events), so there is no row to load: a row exists only once its stream has an event.
pub async fn apply_to_new(
    conn: &mut PgConnection,
    events: &[PersonEventAt],
) -> Result<(), ProjectionError> {
    let ids = touched_ids(events);
    fold_and_save(conn, events, &ids, HashMap::new()).await
}

fn touched_ids(events: &[PersonEventAt]) -> Vec<Uuid> {
    let mut ids: Vec<Uuid> = events.iter().map(|e| e.person_id).collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

async fn fold_and_save(
    conn: &mut PgConnection,
    events: &[PersonEventAt],
    ids: &[Uuid],
    mut views: HashMap<Uuid, MemberView>,
) -> Result<(), ProjectionError> {
    fold(&mut views, events);
    let touched: Vec<&MemberView> = ids
        .iter()
        .filter_map(|id| views.get(id))
        .filter(|v| v.stream_version > 0)
        .collect();
    store::save(conn, &touched).await
}

/// The pure fold: every event (in log order) applied to its person's view, a view starting
/// [`MemberView::empty`]. The inline projection, the rebuild and the bitemporal reads
/// (`?as_of=` / `?known_at=`) all fold through here; a view whose person got no event keeps
/// `stream_version` 0 and is no member.
pub fn fold(views: &mut HashMap<Uuid, MemberView>, events: &[PersonEventAt]) {
    for e in events {
        let view = views
            .entry(e.person_id)
            .or_insert_with(|| MemberView::empty(e.person_id));
        view.apply(e.version, &e.event);
    }
}

/// Remove every row (first step of a rebuild).
pub async fn reset(conn: &mut PgConnection) -> Result<(), ProjectionError> {
    sqlx::query("TRUNCATE members").execute(&mut *conn).await?;
    Ok(())
}
