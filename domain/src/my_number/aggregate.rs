//! The [`MyNumberRecord`] aggregate: the 個人番号管理ファイル of one person (digest.md §1.4),
//! in a stream of its own, separate from the [`crate::qualification::Person`] stream
//! (digest.md §1.8: only this stream carries 個人番号, so it alone is crypto-shredded).

use cqrs_es::event_sink::EventSink;
use cqrs_es::Aggregate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::commands::MyNumberCommand;
use super::entry::{EntryClosed, PendingEntry};
use super::error::MyNumberRecordError;
use super::events::MyNumberEvent;
use super::sealing::{Sealed, SealerService};
use super::values::{
    BranchNumber, FiveInfoField, MyNumberDeletionReason, MyNumberSource, NotRegisteredReason,
};
use crate::calendar::Date;

/// The 個人番号管理ファイル of one person: the sealed 個人番号 and its history (登録, 変更,
/// 削除, 未登録理由), the 被保険者枝番, the latest 5情報照合 and the 消去 record.
///
/// One stream per person; the aggregate id is the person's UUID (the same as the
/// [`crate::qualification::Person`]'s). The aggregate counts its events, so that a number is
/// sealed for the stream version its event will get (design/my-number-security.md §7.2
/// "Version binding"). It never holds a number in clear.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MyNumberRecord {
    /// Events applied: the stream version.
    pub(super) version: i64,
    /// The registered number, sealed; `None` when none is registered (never, deleted, erased).
    pub(super) current: Option<SealedRecord>,
    /// The day the current state of the number began (登録, 変更 or 削除): later dated
    /// number commands may not precede it.
    pub(super) number_since: Option<Date>,
    /// 入手元 and 登録年月日 of the registered number.
    pub(super) registration: Option<(MyNumberSource, Date)>,
    /// The last 削除, while no number is registered again.
    pub(super) deletion: Option<(MyNumberDeletionReason, Date)>,
    /// 未登録理由, while no number is registered.
    pub(super) not_registered: Option<(NotRegisteredReason, Date)>,
    /// 被保険者枝番 and the day it took effect.
    pub(super) branch: Option<(BranchNumber, Date)>,
    /// The latest 5情報照合.
    pub(super) five_info: Option<FiveInfoCheck>,
    /// The 消去, once recorded.
    pub(super) erasure: Option<ErasureRecord>,
    /// The entry waiting for confirmation (ダブルチェック).
    #[serde(default)]
    pub(super) pending: Option<PendingEntry>,
    /// Entries confirmed or withdrawn, in order.
    #[serde(default)]
    pub(super) closed: Vec<(Uuid, EntryClosed)>,
}

/// Which event sealed a value: part of what the value is bound to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(super) enum SealedBy {
    Registered,
    Changed,
}

impl SealedBy {
    fn event_type(self) -> &'static str {
        match self {
            SealedBy::Registered => MyNumberEvent::REGISTERED,
            SealedBy::Changed => MyNumberEvent::CHANGED,
        }
    }
}

/// A sealed value with the stream version and event that it is bound to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct SealedRecord {
    pub(super) version: i64,
    pub(super) by: SealedBy,
    pub(super) sealed: Sealed,
}

/// The outcome of the latest 5情報照合 (digest.md §4.5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FiveInfoCheck {
    /// The day of the check.
    pub checked_on: Date,
    /// The fields that did not match; empty when all matched.
    pub mismatched: Vec<FiveInfoField>,
}

impl FiveInfoCheck {
    /// True when all five matched.
    pub fn matched(&self) -> bool {
        self.mismatched.is_empty()
    }
}

/// The 管理簿 entry of a 消去 (digest.md §3 L1770).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErasureRecord {
    /// The destroyed data key's id.
    pub key_id: Uuid,
    /// The 管理簿 row.
    pub ledger_seq: i64,
    /// The rule the erasure follows.
    pub legal_basis: String,
    /// The day of erasure.
    pub erased_on: Date,
}

impl Aggregate for MyNumberRecord {
    const TYPE: &'static str = "my_number";
    type Command = MyNumberCommand;
    type Event = MyNumberEvent;
    type Error = MyNumberRecordError;
    type Services = SealerService;

    async fn handle(
        &mut self,
        command: Self::Command,
        services: &Self::Services,
        sink: &EventSink<Self>,
    ) -> Result<(), Self::Error> {
        let event = self.decide(command, services.0.as_ref())?;
        sink.write(event, self).await;
        Ok(())
    }

    fn apply(&mut self, event: Self::Event) {
        self.version += 1;
        match event {
            MyNumberEvent::MyNumberRegistered(e) => {
                self.current = Some(SealedRecord {
                    version: self.version,
                    by: SealedBy::Registered,
                    sealed: e.sealed,
                });
                self.number_since = Some(e.registered_on);
                self.registration = Some((e.source, e.registered_on));
                self.deletion = None;
                self.not_registered = None;
                self.close_entry(e.entry_id, EntryClosed::Confirmed);
            }
            MyNumberEvent::MyNumberChanged(e) => {
                self.current = Some(SealedRecord {
                    version: self.version,
                    by: SealedBy::Changed,
                    sealed: e.sealed,
                });
                self.number_since = Some(e.changed_on);
                self.close_entry(e.entry_id, EntryClosed::Confirmed);
            }
            MyNumberEvent::MyNumberDeleted(e) => {
                self.current = None;
                self.number_since = Some(e.deleted_on);
                self.registration = None;
                self.deletion = Some((e.reason, e.deleted_on));
            }
            MyNumberEvent::MyNumberNotRegistered(e) => {
                self.not_registered = Some((e.reason, e.recorded_on));
            }
            MyNumberEvent::InsuredBranchNumberAssigned(e) => {
                self.branch = Some((e.branch_number, e.assigned_on));
            }
            MyNumberEvent::InsuredBranchNumberChanged(e) => {
                self.branch = Some((e.branch_number, e.changed_on));
            }
            MyNumberEvent::FiveInfoVerified(e) => {
                self.five_info = Some(FiveInfoCheck {
                    checked_on: e.checked_on,
                    mismatched: Vec::new(),
                });
            }
            MyNumberEvent::FiveInfoMismatchRecorded(e) => {
                self.five_info = Some(FiveInfoCheck {
                    checked_on: e.checked_on,
                    mismatched: e.mismatched,
                });
            }
            MyNumberEvent::MyNumberErased(e) => {
                self.current = None;
                self.registration = None;
                // its sealed number is shredded with the key
                self.pending = None;
                self.erasure = Some(ErasureRecord {
                    key_id: e.key_id,
                    ledger_seq: e.ledger_seq,
                    legal_basis: e.legal_basis,
                    erased_on: e.erased_on,
                });
            }
            MyNumberEvent::MyNumberEntryRecorded(e) => {
                self.pending = Some(PendingEntry {
                    entry_id: e.entry_id,
                    entry: e.entry,
                    entered_by: e.entered_by,
                    entered_at: e.entered_at,
                    version: self.version,
                    sealed: e.sealed,
                });
            }
            MyNumberEvent::MyNumberEntryWithdrawn(e) => {
                self.close_entry(Some(e.entry_id), EntryClosed::Withdrawn);
            }
        }
    }
}

impl MyNumberRecord {
    /// The pending entry `entry_id` ends as `how`.
    fn close_entry(&mut self, entry_id: Option<Uuid>, how: EntryClosed) {
        let Some(entry_id) = entry_id else { return };
        if self
            .pending
            .as_ref()
            .is_some_and(|p| p.entry_id == entry_id)
        {
            self.pending = None;
        }
        self.closed.push((entry_id, how));
    }

    /// The stream version: the number of events applied (0 for a new stream).
    pub fn version(&self) -> i64 {
        self.version
    }

    /// True while a 個人番号 is registered (登録 or 変更, not since deleted or erased).
    pub fn has_number(&self) -> bool {
        self.current.is_some()
    }

    /// True once 消去 is recorded.
    pub fn is_erased(&self) -> bool {
        self.erasure.is_some()
    }

    /// The sealed registered number with the stream version and event type it is bound to
    /// (both are needed to open it, design §7.2). `None` when no number is registered.
    pub fn latest_sealed(&self) -> Option<(i64, &Sealed, &'static str)> {
        self.current
            .as_ref()
            .map(|r| (r.version, &r.sealed, r.by.event_type()))
    }

    /// The 被保険者枝番, if assigned.
    pub fn branch_number(&self) -> Option<&BranchNumber> {
        self.branch.as_ref().map(|(branch, _)| branch)
    }

    /// The day the current 被保険者枝番 took effect.
    pub fn branch_number_since(&self) -> Option<Date> {
        self.branch.as_ref().map(|(_, since)| *since)
    }

    /// 入手元 of the registered number.
    pub fn source(&self) -> Option<MyNumberSource> {
        self.registration.as_ref().map(|(source, _)| *source)
    }

    /// 登録年月日 of the registered number.
    pub fn registered_on(&self) -> Option<Date> {
        self.registration.as_ref().map(|(_, on)| *on)
    }

    /// The last 削除 (reason and date), while no number has been registered since.
    pub fn deletion(&self) -> Option<(&MyNumberDeletionReason, Date)> {
        self.deletion.as_ref().map(|(reason, on)| (reason, *on))
    }

    /// 未登録理由 and the day it was recorded, while no number has been registered since.
    pub fn not_registered(&self) -> Option<(&NotRegisteredReason, Date)> {
        self.not_registered
            .as_ref()
            .map(|(reason, on)| (reason, *on))
    }

    /// The latest 5情報照合.
    pub fn last_five_info_check(&self) -> Option<&FiveInfoCheck> {
        self.five_info.as_ref()
    }

    /// The 消去 record.
    pub fn erasure(&self) -> Option<&ErasureRecord> {
        self.erasure.as_ref()
    }
}
