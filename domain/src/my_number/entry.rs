//! Double entry (ダブルチェック) of a hand-keyed 個人番号: a 登録 or 変更 is first recorded as a
//! pending entry, sealed like a registered number, and registered only when a second permitted
//! person keys the same number again from the form (digest.md §4.4 L2040–2041, L2050–2052,
//! L2057–2058; issue 9 item 4).
//!
//! Rules (decided here once):
//! - At most one pending entry per person; another entry while one is pending is refused
//!   (`my_number_entry_pending`).
//! - The confirmer is never the person who entered (`two_person_rule`), and keys the number
//!   again: a different number is refused (`my_number_double_check_mismatch`) and the entry
//!   stays pending.
//! - An entry is confirmed or withdrawn once (`my_number_entry_not_pending` afterwards); an
//!   unknown entry is `my_number_entry_not_found`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::aggregate::MyNumberRecord;
use super::error::MyNumberRecordError;
use super::events::MyNumberEvent;
use super::number::MyNumber;
use super::sealing::Sealed;
use super::values::{MyNumberChangeReason, MyNumberSource};
use crate::calendar::Date;

/// What a pending entry will record once confirmed: a 登録 or a 変更, with everything but the
/// number (which is sealed apart).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum NumberEntry {
    /// 登録.
    Registration {
        /// 入手元.
        source: MyNumberSource,
        /// 登録年月日.
        registered_on: Date,
    },
    /// 変更.
    Change {
        /// 変更理由.
        reason: MyNumberChangeReason,
        /// 変更年月日.
        changed_on: Date,
    },
}

impl NumberEntry {
    /// `registration` or `change`.
    pub const fn kind(&self) -> &'static str {
        match self {
            NumberEntry::Registration { .. } => "registration",
            NumberEntry::Change { .. } => "change",
        }
    }
}

/// The pending entry of a person's record: who keyed it and when, and the number sealed for
/// the stream version of its [`MyNumberEvent::ENTRY_RECORDED`] event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingEntry {
    pub entry_id: Uuid,
    pub entry: NumberEntry,
    /// Staff id of the person who keyed the number.
    pub entered_by: String,
    pub entered_at: DateTime<Utc>,
    /// The stream version of the entry event, which the sealed value is bound to.
    pub(super) version: i64,
    pub(super) sealed: Sealed,
}

impl PendingEntry {
    /// The sealed number with the stream version and event type it is bound to (both are
    /// needed to open it).
    pub fn sealed(&self) -> (i64, &Sealed, &'static str) {
        (self.version, &self.sealed, MyNumberEvent::ENTRY_RECORDED)
    }
}

/// How an entry that is no longer pending ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryClosed {
    Confirmed,
    Withdrawn,
}

impl EntryClosed {
    pub const fn as_str(self) -> &'static str {
        match self {
            EntryClosed::Confirmed => "confirmed",
            EntryClosed::Withdrawn => "withdrawn",
        }
    }
}

impl MyNumberRecord {
    /// The pending entry, if any.
    pub fn pending_entry(&self) -> Option<&PendingEntry> {
        self.pending.as_ref()
    }

    /// The pending entry `entry_id`: refused when it is unknown or no longer pending.
    /// After 消去 the entry went with the key (`my_number_erased`).
    pub fn pending(&self, entry_id: Uuid) -> Result<&PendingEntry, MyNumberRecordError> {
        if let Some(erasure) = &self.erasure {
            return Err(MyNumberRecordError::Erased {
                erased_on: erasure.erased_on,
            });
        }
        if let Some(pending) = self.pending.as_ref().filter(|p| p.entry_id == entry_id) {
            return Ok(pending);
        }
        match self.closed.iter().find(|(id, _)| *id == entry_id) {
            Some((_, closed)) => Err(MyNumberRecordError::EntryNotPending {
                entry_id,
                closed: closed.as_str(),
            }),
            None => Err(MyNumberRecordError::EntryNotFound { entry_id }),
        }
    }

    /// Whether `confirmed_by`, keying `number`, may confirm the pending entry `entry_id`
    /// whose number (opened by the application) is `entered`: the entry is pending, the
    /// confirmer is not the person who entered it, and the numbers are equal.
    pub fn check_confirmation(
        &self,
        entry_id: Uuid,
        confirmed_by: &str,
        number: &MyNumber,
        entered: &MyNumber,
    ) -> Result<&PendingEntry, MyNumberRecordError> {
        let pending = self.pending(entry_id)?;
        if pending.entered_by == confirmed_by {
            return Err(MyNumberRecordError::SamePerson);
        }
        if number != entered {
            return Err(MyNumberRecordError::DoubleCheckMismatch);
        }
        Ok(pending)
    }
}
