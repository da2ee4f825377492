//! My Number read model: per person, the status of the 個人番号 record — registered, changed,
//! deleted, not registered, erased — with dates, 被保険者枝番 and the last 5情報 check. It never
//! holds the number (not even sealed).

use std::collections::HashMap;

use kenpo_domain::calendar::Date;
use kenpo_domain::my_number::MyNumberEvent;
use kenpo_infrastructure::event_store::StoredEvent;
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::ProjectionError;

/// Stream type of the My Number streams.
pub const STREAM_TYPE: &str = "my_number";

/// The status of one person's My Number record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema, sqlx::FromRow)]
pub struct MyNumberStatus {
    pub person_id: Uuid,
    /// `registered`, `deleted`, `not_registered`, `erased`, or `none` (only 枝番 / 5情報 so far).
    pub status: String,
    /// 入手元 of the current number.
    pub source: Option<String>,
    pub registered_on: Option<chrono::NaiveDate>,
    pub changed_on: Option<chrono::NaiveDate>,
    pub deleted_on: Option<chrono::NaiveDate>,
    pub not_registered_reason: Option<String>,
    /// 被保険者枝番.
    pub branch_number: Option<String>,
    /// Last 5情報 check: `matched` or `mismatch`.
    pub five_info: Option<String>,
    /// When the retention job crypto-shredded the number.
    pub erased_on: Option<chrono::NaiveDate>,
    /// The 管理簿 (erasure ledger) entry.
    pub ledger_seq: Option<i64>,
    pub stream_version: i64,
    /// The 登録 or 変更 entry waiting for a second person's confirmation (ダブルチェック).
    pub pending_entry_id: Option<Uuid>,
    /// `registration` or `change`.
    pub pending_kind: Option<String>,
    /// Who keyed the pending entry.
    pub pending_entered_by: Option<String>,
    /// When the pending entry was keyed.
    pub pending_entered_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl MyNumberStatus {
    fn empty(person_id: Uuid) -> Self {
        Self {
            person_id,
            status: "none".to_owned(),
            source: None,
            registered_on: None,
            changed_on: None,
            deleted_on: None,
            not_registered_reason: None,
            branch_number: None,
            five_info: None,
            erased_on: None,
            ledger_seq: None,
            stream_version: 0,
            pending_entry_id: None,
            pending_kind: None,
            pending_entered_by: None,
            pending_entered_at: None,
        }
    }

    fn clear_pending(&mut self) {
        self.pending_entry_id = None;
        self.pending_kind = None;
        self.pending_entered_by = None;
        self.pending_entered_at = None;
    }

    /// Fold one event.
    pub fn apply(&mut self, version: i64, event: &MyNumberEvent) {
        let day = |d: &Date| Some(d.naive());
        self.stream_version = version;
        match event {
            MyNumberEvent::MyNumberRegistered(e) => {
                self.status = "registered".to_owned();
                self.source = serde_json::to_value(e.source)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned));
                self.registered_on = day(&e.registered_on);
                self.changed_on = None;
                self.deleted_on = None;
                self.not_registered_reason = None;
                self.clear_pending();
            }
            MyNumberEvent::MyNumberChanged(e) => {
                self.status = "registered".to_owned();
                self.changed_on = day(&e.changed_on);
                self.clear_pending();
            }
            MyNumberEvent::MyNumberDeleted(e) => {
                self.status = "deleted".to_owned();
                self.deleted_on = day(&e.deleted_on);
            }
            MyNumberEvent::MyNumberNotRegistered(e) => {
                self.status = "not_registered".to_owned();
                self.not_registered_reason = serde_json::to_value(&e.reason).ok().map(|v| {
                    v.get("kind")
                        .and_then(|k| k.as_str())
                        .map_or_else(|| v.to_string(), str::to_owned)
                });
            }
            MyNumberEvent::InsuredBranchNumberAssigned(e) => {
                self.branch_number = Some(e.branch_number.as_str().to_owned());
            }
            MyNumberEvent::InsuredBranchNumberChanged(e) => {
                self.branch_number = Some(e.branch_number.as_str().to_owned());
            }
            MyNumberEvent::FiveInfoVerified(_) => self.five_info = Some("matched".to_owned()),
            MyNumberEvent::FiveInfoMismatchRecorded(_) => {
                self.five_info = Some("mismatch".to_owned())
            }
            MyNumberEvent::MyNumberErased(e) => {
                self.status = "erased".to_owned();
                self.erased_on = day(&e.erased_on);
                self.ledger_seq = Some(e.ledger_seq);
                self.clear_pending();
            }
            MyNumberEvent::MyNumberEntryRecorded(e) => {
                self.pending_entry_id = Some(e.entry_id);
                self.pending_kind = Some(e.entry.kind().to_owned());
                self.pending_entered_by = Some(e.entered_by.clone());
                self.pending_entered_at = Some(e.entered_at);
            }
            MyNumberEvent::MyNumberEntryWithdrawn(e) => {
                if self.pending_entry_id == Some(e.entry_id) {
                    self.clear_pending();
                }
            }
        }
    }
}

/// A My Number event with the person it belongs to.
#[derive(Debug, Clone)]
pub struct MyNumberEventAt {
    pub person_id: Uuid,
    pub version: i64,
    pub event: MyNumberEvent,
}

impl MyNumberEventAt {
    /// Read a stored event of a My Number stream; `None` for other streams.
    pub fn from_stored(stored: &StoredEvent) -> Result<Option<Self>, ProjectionError> {
        if stored.stream_type != STREAM_TYPE {
            return Ok(None);
        }
        let Some(id) = stored
            .stream_id
            .strip_prefix("my_number-")
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

const COLUMNS: &str = "person_id, status, source, registered_on, changed_on, deleted_on, \
                       not_registered_reason, branch_number, five_info, erased_on, ledger_seq, \
                       stream_version, pending_entry_id, pending_kind, pending_entered_by, \
                       pending_entered_at";

/// Fold `events` into `my_number_status` (inline in commands, in batches in the rebuild).
pub async fn apply(
    conn: &mut PgConnection,
    events: &[MyNumberEventAt],
) -> Result<(), ProjectionError> {
    if events.is_empty() {
        return Ok(());
    }
    let mut ids: Vec<Uuid> = events.iter().map(|e| e.person_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let rows: Vec<MyNumberStatus> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM my_number_status WHERE person_id = ANY($1)"
    ))
    .bind(&ids)
    .fetch_all(&mut *conn)
    .await?;
    let mut views: HashMap<Uuid, MyNumberStatus> =
        rows.into_iter().map(|r| (r.person_id, r)).collect();
    for e in events {
        views
            .entry(e.person_id)
            .or_insert_with(|| MyNumberStatus::empty(e.person_id))
            .apply(e.version, &e.event);
    }
    for id in &ids {
        let Some(v) = views.get(id) else { continue };
        sqlx::query(&format!(
            "INSERT INTO my_number_status ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
             ON CONFLICT (person_id) DO UPDATE SET status = EXCLUDED.status, source = EXCLUDED.source,
                 registered_on = EXCLUDED.registered_on, changed_on = EXCLUDED.changed_on,
                 deleted_on = EXCLUDED.deleted_on, not_registered_reason = EXCLUDED.not_registered_reason,
                 branch_number = EXCLUDED.branch_number, five_info = EXCLUDED.five_info,
                 erased_on = EXCLUDED.erased_on, ledger_seq = EXCLUDED.ledger_seq,
                 stream_version = EXCLUDED.stream_version,
                 pending_entry_id = EXCLUDED.pending_entry_id, pending_kind = EXCLUDED.pending_kind,
                 pending_entered_by = EXCLUDED.pending_entered_by,
                 pending_entered_at = EXCLUDED.pending_entered_at"
        ))
        .bind(v.person_id)
        .bind(&v.status)
        .bind(&v.source)
        .bind(v.registered_on)
        .bind(v.changed_on)
        .bind(v.deleted_on)
        .bind(&v.not_registered_reason)
        .bind(&v.branch_number)
        .bind(&v.five_info)
        .bind(v.erased_on)
        .bind(v.ledger_seq)
        .bind(v.stream_version)
        .bind(v.pending_entry_id)
        .bind(&v.pending_kind)
        .bind(&v.pending_entered_by)
        .bind(v.pending_entered_at)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// The status of one person's record.
pub async fn find(
    pool: &sqlx::PgPool,
    person_id: Uuid,
) -> Result<Option<MyNumberStatus>, ProjectionError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM my_number_status WHERE person_id = $1"
    ))
    .bind(person_id)
    .fetch_optional(pool)
    .await?)
}

/// Remove every row (first step of a rebuild).
pub async fn reset(conn: &mut PgConnection) -> Result<(), ProjectionError> {
    sqlx::query("TRUNCATE my_number_status")
        .execute(&mut *conn)
        .await?;
    Ok(())
}
