//! 給付 read model: one row per benefit claim (給付申請) with its whole view — calculations with
//! their 算定根拠, the decision in force, superseded decisions and corrections, payments and
//! notices. Folded inline by every claim command (also the payment commands) and rebuilt from
//! the log by the same code.

pub mod query;
mod store;
mod view;

use std::collections::HashMap;

use kenpo_domain::benefits::claim::BenefitClaimEvent;
use kenpo_infrastructure::event_store::StoredEvent;
use sqlx::PgConnection;
use uuid::Uuid;

pub use view::{status_text, CalculationView, ClaimView, CorrectionView, DecisionView};

use crate::ProjectionError;

/// Stream type of the events this read model folds (`BenefitClaim::TYPE`).
pub const STREAM_TYPE: &str = "benefit_claim";

/// A claim event with the stream coordinates the view needs.
#[derive(Debug, Clone)]
pub struct ClaimEventAt {
    pub claim_id: Uuid,
    pub version: i64,
    pub event: BenefitClaimEvent,
}

impl ClaimEventAt {
    /// Read a stored event of a claim stream; `None` for other streams.
    pub fn from_stored(stored: &StoredEvent) -> Result<Option<Self>, ProjectionError> {
        if stored.stream_type != STREAM_TYPE {
            return Ok(None);
        }
        let Some(id) = stored
            .stream_id
            .strip_prefix("benefit_claim-")
            .and_then(|id| Uuid::parse_str(id).ok())
        else {
            return Ok(None);
        };
        Ok(Some(Self {
            claim_id: id,
            version: stored.version,
            event: stored.domain_event()?,
        }))
    }
}

/// Fold `events` (in log order) into the `benefit_claims` table: load the rows they touch,
/// apply, save. Used inline by commands and in batches by the rebuild.
pub async fn apply(
    conn: &mut PgConnection,
    events: &[ClaimEventAt],
) -> Result<(), ProjectionError> {
    if events.is_empty() {
        return Ok(());
    }
    let mut ids: Vec<Uuid> = events.iter().map(|e| e.claim_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut views = store::load(conn, &ids).await?;
    fold(&mut views, events);
    let touched: Vec<&ClaimView> = ids.iter().filter_map(|id| views.get(id)).collect();
    store::save(conn, &touched).await
}

/// The pure fold: a claim's view starts with its `ClaimReceived`; events of a claim with no
/// view yet (none can precede the receipt in a stream) are ignored.
pub fn fold(views: &mut HashMap<Uuid, ClaimView>, events: &[ClaimEventAt]) {
    for e in events {
        match (&e.event, views.get_mut(&e.claim_id)) {
            (BenefitClaimEvent::ClaimReceived(received), _) => {
                views.insert(e.claim_id, ClaimView::received(e.version, received));
            }
            (event, Some(view)) => view.apply(e.version, event),
            (_, None) => {}
        }
    }
}

/// Remove every row (first step of a rebuild).
pub async fn reset(conn: &mut PgConnection) -> Result<(), ProjectionError> {
    sqlx::query("TRUNCATE benefit_claims")
        .execute(&mut *conn)
        .await?;
    Ok(())
}
