//! 事業主口座 read model (`employer_accounts`): one row per entry of each 事業所's register —
//! an account in force from a day, or a closure. Commands on an [`Employer`] stream fold their
//! events inline; the rebuild folds the whole log with the same code ([`apply`]).
//!
//! Entries are only ever added (the aggregate refuses an entry on or before the latest one),
//! so the fold of an event is one new row.
//!
//! [`Employer`]: kenpo_domain::employers::Employer

pub mod query;

use chrono::{DateTime, NaiveDate, Utc};
use kenpo_domain::calendar::Date;
use kenpo_domain::employers::{EmployerEvent, PaymentAccount};
use kenpo_infrastructure::event_store::{EventMetadata, StoredEvent};
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use utoipa::ToSchema;

use crate::ProjectionError;

/// Stream type of the events this read model folds.
pub const STREAM_TYPE: &str = kenpo_domain::employers::STREAM_TYPE;

/// What an entry of the register is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EntryStatus {
    /// An account is paid to from `effective_from`.
    Registered,
    /// No account from `effective_from`.
    Closed,
}

impl EntryStatus {
    /// The text stored in the `status` column.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Registered => "registered",
            Self::Closed => "closed",
        }
    }
}

/// One entry of a 事業所's register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct EmployerAccountRow {
    /// 事業所コード.
    #[schema(example = "1234")]
    pub office_code: String,
    /// First day the entry is in force.
    pub effective_from: Date,
    /// Last day it is in force: the day before the next entry; absent for the latest.
    pub effective_to: Option<Date>,
    pub status: EntryStatus,
    /// The account paid to (absent for a closure).
    pub account: Option<PaymentAccount>,
    /// 受付年月日.
    pub received_on: Date,
    /// Why the account was closed (closures only).
    pub reason: Option<String>,
    /// Stream version of the event that recorded the entry.
    pub version: i64,
    pub recorded_at: DateTime<Utc>,
    /// 職員ID.
    pub recorded_by: String,
}

/// An employer event with its stream version and who recorded it when (from its metadata,
/// so that the inline fold and the rebuild see the same instant).
#[derive(Debug, Clone)]
pub struct EmployerEventAt {
    pub version: i64,
    pub event: EmployerEvent,
    pub recorded_at: DateTime<Utc>,
    pub recorded_by: String,
}

impl EmployerEventAt {
    /// An event as a command records it.
    pub fn new(version: i64, event: EmployerEvent, metadata: &EventMetadata) -> Self {
        Self {
            version,
            event,
            recorded_at: metadata.recorded_at,
            recorded_by: metadata.actor.clone(),
        }
    }

    /// Read a stored event of an employer stream; `None` for other streams.
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

    /// The row the event adds (its `effective_to` is computed when read); none for a proposal
    /// or a rejection, which add no entry to the register.
    pub fn row(&self) -> Option<EmployerAccountRow> {
        let effective_from = self.event.effective_from()?;
        let (status, account, received_on, reason) = match &self.event {
            EmployerEvent::EmployerAccountRegistered(e) => (
                EntryStatus::Registered,
                Some(e.account.clone()),
                e.received_on,
                None,
            ),
            EmployerEvent::EmployerAccountClosed(e) => (
                EntryStatus::Closed,
                None,
                e.received_on,
                Some(e.reason.clone()),
            ),
            EmployerEvent::EmployerAccountChangeProposed(_)
            | EmployerEvent::EmployerAccountChangeRejected(_) => return None,
        };
        Some(EmployerAccountRow {
            office_code: self.event.office_code().as_str().to_owned(),
            effective_from,
            effective_to: None,
            status,
            account,
            received_on,
            reason,
            version: self.version,
            recorded_at: self.recorded_at,
            recorded_by: self.recorded_by.clone(),
        })
    }
}

/// Fold `events` (in log order) into `employer_accounts`: one new row each. Used inline by
/// commands and in batches by the rebuild.
pub async fn apply(
    conn: &mut PgConnection,
    events: &[EmployerEventAt],
) -> Result<(), ProjectionError> {
    let rows: Vec<EmployerAccountRow> = events.iter().filter_map(EmployerEventAt::row).collect();
    if rows.is_empty() {
        return Ok(());
    }
    let offices: Vec<&str> = rows.iter().map(|r| r.office_code.as_str()).collect();
    let froms: Vec<NaiveDate> = rows.iter().map(|r| r.effective_from.into()).collect();
    let statuses: Vec<&str> = rows.iter().map(|r| r.status.as_str()).collect();
    let accounts: Vec<Option<serde_json::Value>> = rows
        .iter()
        .map(|r| r.account.as_ref().map(serde_json::to_value).transpose())
        .collect::<Result<_, _>>()?;
    let received: Vec<NaiveDate> = rows.iter().map(|r| r.received_on.into()).collect();
    let reasons: Vec<Option<&str>> = rows.iter().map(|r| r.reason.as_deref()).collect();
    let versions: Vec<i64> = rows.iter().map(|r| r.version).collect();
    let ats: Vec<DateTime<Utc>> = rows.iter().map(|r| r.recorded_at).collect();
    let bys: Vec<&str> = rows.iter().map(|r| r.recorded_by.as_str()).collect();
    sqlx::query(
        "INSERT INTO employer_accounts (office_code, effective_from, status, account, received_on,
                                        reason, version, recorded_at, recorded_by)
         SELECT * FROM unnest($1::text[], $2::date[], $3::text[], $4::jsonb[], $5::date[],
                              $6::text[], $7::bigint[], $8::timestamptz[], $9::text[])",
    )
    .bind(&offices)
    .bind(&froms)
    .bind(&statuses)
    .bind(&accounts)
    .bind(&received)
    .bind(&reasons)
    .bind(&versions)
    .bind(&ats)
    .bind(&bys)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Remove every row (first step of a rebuild).
pub async fn reset(conn: &mut PgConnection) -> Result<(), ProjectionError> {
    sqlx::query("TRUNCATE employer_accounts")
        .execute(&mut *conn)
        .await?;
    Ok(())
}
