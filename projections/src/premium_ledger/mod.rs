//! 徴収 read models (保険料収納記録) of the 任意継続 / 特例退職 premium accounts:
//!
//! - `premium_accounts`: one row per account — 顧客番号, status, totals, and the whole
//!   [`PremiumAccountView`] (ledger by month, receipts, refunds) as `jsonb`, served as is;
//! - `premium_ledger`: one row per account and month (assessed, received, balance, due date,
//!   status), for questions across accounts (未納 as of a date);
//! - `premium_refunds`: one row per refund claim (還付), by status.
//!
//! A pure fold ([`PremiumAccountView::apply`]) plus batched load/save (ADR 0002): commands run
//! it inline in their transaction, the rebuild runs it over the whole log.

mod customer_number;
pub mod query;
mod store;
mod view;

use std::collections::{BTreeSet, HashMap};

use kenpo_domain::calendar::YearMonth;
use kenpo_domain::premiums::PremiumAccountEvent;
use kenpo_infrastructure::event_store::StoredEvent;
use sqlx::PgConnection;
use uuid::Uuid;

pub use customer_number::{customer_number, is_well_formed as customer_number_is_well_formed};
pub use view::{
    months_touched, AccountStatus, LedgerMonth, MonthStatus, PremiumAccountView, ReceiptEntry,
    ReceiptKind, RefundStatus, RefundView, ReversalView, ShortfallView, Totals,
};

use crate::ProjectionError;

/// Stream type of the events this read model folds (`PremiumAccount::TYPE`).
pub const STREAM_TYPE: &str = "premium_account";

/// A premium-account event with its stream coordinates and global position (the 顧客番号 is
/// derived from the position of `AccountOpened`).
#[derive(Debug, Clone)]
pub struct PremiumEventAt {
    pub person_id: Uuid,
    pub version: i64,
    pub position: i64,
    pub event: PremiumAccountEvent,
}

impl PremiumEventAt {
    /// Read a stored event of a premium-account stream; `None` for other streams.
    pub fn from_stored(stored: &StoredEvent) -> Result<Option<Self>, ProjectionError> {
        if stored.stream_type != STREAM_TYPE {
            return Ok(None);
        }
        let Some(id) = stored
            .stream_id
            .strip_prefix("premium_account-")
            .and_then(|id| Uuid::parse_str(id).ok())
        else {
            return Ok(None);
        };
        Ok(Some(Self {
            person_id: id,
            version: stored.version,
            position: stored.position,
            event: stored.domain_event()?,
        }))
    }
}

/// Fold `events` (in log order) into the tables: load the accounts they touch, apply, save
/// the accounts, the ledger months the events wrote and the refunds. Used inline by commands
/// and in batches by the rebuild.
pub async fn apply(
    conn: &mut PgConnection,
    events: &[PremiumEventAt],
) -> Result<(), ProjectionError> {
    if events.is_empty() {
        return Ok(());
    }
    let mut ids: Vec<Uuid> = events.iter().map(|e| e.person_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut views: HashMap<Uuid, PremiumAccountView> = store::load(conn, &ids).await?;
    let touched = fold(&mut views, events);
    let accounts: Vec<&PremiumAccountView> = ids.iter().filter_map(|id| views.get(id)).collect();
    store::save_accounts(conn, &accounts).await?;
    let months: Vec<(Uuid, &LedgerMonth)> = touched
        .iter()
        .filter_map(|(id, month)| {
            let view = views.get(id)?;
            let row = view.months.iter().find(|m| m.month == *month)?;
            Some((*id, row))
        })
        .collect();
    store::save_months(conn, &months).await?;
    store::save_refunds(conn, &accounts).await
}

/// The pure fold: an account's view starts with its `AccountOpened`; every later event is
/// applied to it. Answers the ledger months the events wrote. Events of an account with no
/// view yet are ignored: the aggregate refuses every command before `Open`, and a bitemporal
/// read (`?as_of=`) that leaves the opening out has no account. The inline projection, the
/// rebuild and the bitemporal reads all fold through here.
pub fn fold(
    views: &mut HashMap<Uuid, PremiumAccountView>,
    events: &[PremiumEventAt],
) -> BTreeSet<(Uuid, YearMonth)> {
    let mut touched: BTreeSet<(Uuid, YearMonth)> = BTreeSet::new();
    for e in events {
        match (&e.event, views.get_mut(&e.person_id)) {
            (PremiumAccountEvent::AccountOpened(opened), _) => {
                views.insert(
                    e.person_id,
                    PremiumAccountView::opened(e.person_id, e.version, e.position, opened),
                );
            }
            (event, Some(view)) => {
                view.apply(e.version, e.position, event);
                touched.extend(months_touched(event).into_iter().map(|m| (e.person_id, m)));
            }
            (_, None) => {}
        }
    }
    touched
}

/// Remove every row (first step of a rebuild).
pub async fn reset(conn: &mut PgConnection) -> Result<(), ProjectionError> {
    sqlx::query("TRUNCATE premium_accounts, premium_ledger, premium_refunds")
        .execute(&mut *conn)
        .await?;
    Ok(())
}
