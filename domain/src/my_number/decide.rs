//! Command handling of the [`MyNumberRecord`] aggregate: each command is checked against the
//! record's state and turned into one event; 登録 and 変更 seal the number for the version the
//! event will get.
//!
//! Decisions (documented here once):
//! - After 消去 every command but the 被保険者枝番 ones is refused (`my_number_erased`): the
//!   key is gone, so nothing can be sealed or opened, and the 被保険者枝番 link survives the
//!   shredding (digest.md §1.8). A person who rejoins after erasure needs a new stream
//!   design; not covered here.
//! - Whether the number is another person's (重複, digest.md §4.4, §4.6) is decided by the
//!   application with the blind index before the command; whether `previous` of a 変更 is
//!   the registered number too (the aggregate cannot open the sealed value).
//! - Dated number commands (登録 after 削除, 変更, 削除) may not precede the day the current
//!   state began, nor 被保険者枝番 変更 the day the current 枝番 took effect. Equal days are
//!   allowed. The domain has no clock: future dates are not refused.
//! - A repeated 消去 is refused (`my_number_erased`); making the retention run idempotent is
//!   the application's concern (design §7.4 "Shred").

use super::aggregate::MyNumberRecord;
use super::commands::MyNumberCommand;
use super::entry::NumberEntry;
use super::error::MyNumberRecordError as E;
use super::events::{
    FiveInfoMismatchRecorded, FiveInfoVerified, InsuredBranchNumberAssigned,
    InsuredBranchNumberChanged, MyNumberChanged, MyNumberDeleted, MyNumberEntryRecorded,
    MyNumberEntryWithdrawn, MyNumberErased, MyNumberEvent, MyNumberNotRegistered,
    MyNumberRegistered,
};
use super::number::MyNumber;
use super::sealing::{Sealed, SealedPlaintext, Sealer};
use super::values::{MyNumberChangeReason, MyNumberSource};
use crate::calendar::Date;
use crate::qualification::values::check_text;
use uuid::Uuid;

/// Longest `legal_basis` of a 消去, in characters.
const LEGAL_BASIS_MAX_CHARS: usize = 200;

type Result<T> = std::result::Result<T, E>;

fn not_before(what: &'static str, date: Date, since: Option<Date>) -> Result<()> {
    match since {
        Some(since) if date < since => Err(E::DateOutOfOrder { what, date, since }),
        _ => Ok(()),
    }
}

impl MyNumberRecord {
    /// Checks `command` and returns the event it records, sealing a number with `sealer`.
    pub(crate) fn decide(
        &self,
        command: MyNumberCommand,
        sealer: &dyn Sealer,
    ) -> Result<MyNumberEvent> {
        if let Some(erasure) = &self.erasure {
            if !command.is_branch_number_command() {
                return Err(E::Erased {
                    erased_on: erasure.erased_on,
                });
            }
        }
        match command {
            MyNumberCommand::Register {
                number,
                source,
                registered_on,
            } => self.register(number, source, registered_on, None, sealer),
            MyNumberCommand::Change {
                number,
                previous,
                reason,
                changed_on,
            } => self.change(number, Some(previous), reason, changed_on, None, sealer),
            MyNumberCommand::EnterNumber {
                entry_id,
                number,
                entry,
                previous,
                entered_by,
                entered_at,
            } => {
                if let Some(pending) = &self.pending {
                    return Err(E::EntryPending {
                        entry_id: pending.entry_id,
                    });
                }
                match &entry {
                    NumberEntry::Registration { registered_on, .. } => {
                        self.check_register(*registered_on)?
                    }
                    NumberEntry::Change { changed_on, .. } => {
                        self.check_change(&number, previous.as_ref(), *changed_on)?
                    }
                }
                let plaintext = SealedPlaintext {
                    number,
                    previous: None,
                };
                let sealed = self.seal(sealer, MyNumberEvent::ENTRY_RECORDED, &plaintext)?;
                Ok(MyNumberEvent::MyNumberEntryRecorded(
                    MyNumberEntryRecorded {
                        entry_id,
                        sealed,
                        entry,
                        entered_by,
                        entered_at,
                    },
                ))
            }
            MyNumberCommand::ConfirmEntry {
                entry_id,
                number,
                entered,
                previous,
                confirmed_by,
            } => {
                let pending =
                    self.check_confirmation(entry_id, &confirmed_by, &number, &entered)?;
                match pending.entry.clone() {
                    NumberEntry::Registration {
                        source,
                        registered_on,
                    } => self.register(number, source, registered_on, Some(entry_id), sealer),
                    NumberEntry::Change { reason, changed_on } => {
                        self.change(number, previous, reason, changed_on, Some(entry_id), sealer)
                    }
                }
            }
            MyNumberCommand::WithdrawEntry {
                entry_id,
                reason,
                withdrawn_by,
            } => {
                self.pending(entry_id)?;
                Ok(MyNumberEvent::MyNumberEntryWithdrawn(
                    MyNumberEntryWithdrawn {
                        entry_id,
                        reason,
                        withdrawn_by,
                    },
                ))
            }
            MyNumberCommand::Delete { deleted_on, reason } => {
                if !self.has_number() {
                    return Err(E::NotRegistered);
                }
                not_before("deletion (削除年月日)", deleted_on, self.number_since)?;
                Ok(MyNumberEvent::MyNumberDeleted(MyNumberDeleted {
                    reason,
                    deleted_on,
                }))
            }
            MyNumberCommand::RecordNotRegistered {
                reason,
                recorded_on,
            } => {
                if let Some(since) = self.registered_since() {
                    return Err(E::AlreadyRegistered { since });
                }
                Ok(MyNumberEvent::MyNumberNotRegistered(
                    MyNumberNotRegistered {
                        reason,
                        recorded_on,
                    },
                ))
            }
            MyNumberCommand::AssignBranchNumber {
                branch_number,
                assigned_on,
            } => {
                if let Some(since) = self.branch_number_since() {
                    return Err(E::BranchNumberAlreadyAssigned { since });
                }
                Ok(MyNumberEvent::InsuredBranchNumberAssigned(
                    InsuredBranchNumberAssigned {
                        branch_number,
                        assigned_on,
                    },
                ))
            }
            MyNumberCommand::ChangeBranchNumber {
                branch_number,
                reason,
                changed_on,
            } => {
                let Some(previous) = self.branch_number() else {
                    return Err(E::BranchNumberNotAssigned);
                };
                if *previous == branch_number {
                    return Err(E::BranchNumberUnchanged);
                }
                not_before(
                    "被保険者枝番 change (変更年月日)",
                    changed_on,
                    self.branch_number_since(),
                )?;
                Ok(MyNumberEvent::InsuredBranchNumberChanged(
                    InsuredBranchNumberChanged {
                        previous: previous.clone(),
                        branch_number,
                        reason,
                        changed_on,
                    },
                ))
            }
            MyNumberCommand::RecordFiveInfoVerification {
                matched,
                mut mismatched,
                checked_on,
            } => {
                mismatched.sort_unstable();
                mismatched.dedup();
                match (matched, mismatched.is_empty()) {
                    (true, true) => Ok(MyNumberEvent::FiveInfoVerified(FiveInfoVerified {
                        checked_on,
                    })),
                    (false, false) => Ok(MyNumberEvent::FiveInfoMismatchRecorded(
                        FiveInfoMismatchRecorded {
                            mismatched,
                            checked_on,
                        },
                    )),
                    (true, false) => Err(E::FiveInfoInconsistent {
                        detail: "matched is true but mismatched fields are listed",
                    }),
                    (false, true) => Err(E::FiveInfoInconsistent {
                        detail: "matched is false but no mismatched field is listed",
                    }),
                }
            }
            MyNumberCommand::Erase {
                key_id,
                ledger_seq,
                legal_basis,
                erased_on,
            } => {
                if ledger_seq <= 0 {
                    return Err(E::InvalidLedgerSeq { ledger_seq });
                }
                let legal_basis = check_text(
                    "legal basis (根拠規程)",
                    &legal_basis,
                    LEGAL_BASIS_MAX_CHARS,
                )
                .map_err(E::InvalidValue)?;
                Ok(MyNumberEvent::MyNumberErased(MyNumberErased {
                    key_id,
                    ledger_seq,
                    legal_basis,
                    erased_on,
                }))
            }
        }
    }

    /// Whether a 登録 dated `registered_on` may be recorded now.
    fn check_register(&self, registered_on: Date) -> Result<()> {
        if let Some(since) = self.registered_since() {
            return Err(E::AlreadyRegistered { since });
        }
        not_before(
            "registration (登録年月日)",
            registered_on,
            self.number_since,
        )
    }

    /// Whether a 変更 to `number` from `previous` dated `changed_on` may be recorded now.
    fn check_change(
        &self,
        number: &MyNumber,
        previous: Option<&MyNumber>,
        changed_on: Date,
    ) -> Result<()> {
        let Some(previous) = previous.filter(|_| self.has_number()) else {
            return Err(E::NotRegistered);
        };
        if number == previous {
            return Err(E::Unchanged);
        }
        not_before("change (変更年月日)", changed_on, self.number_since)
    }

    /// The 登録 event, the number sealed for it.
    fn register(
        &self,
        number: MyNumber,
        source: MyNumberSource,
        registered_on: Date,
        entry_id: Option<Uuid>,
        sealer: &dyn Sealer,
    ) -> Result<MyNumberEvent> {
        self.check_register(registered_on)?;
        let plaintext = SealedPlaintext {
            number,
            previous: None,
        };
        let sealed = self.seal(sealer, MyNumberEvent::REGISTERED, &plaintext)?;
        Ok(MyNumberEvent::MyNumberRegistered(MyNumberRegistered {
            sealed,
            source,
            registered_on,
            entry_id,
        }))
    }

    /// The 変更 event, the new and the previous number sealed together for it.
    fn change(
        &self,
        number: MyNumber,
        previous: Option<MyNumber>,
        reason: MyNumberChangeReason,
        changed_on: Date,
        entry_id: Option<Uuid>,
        sealer: &dyn Sealer,
    ) -> Result<MyNumberEvent> {
        self.check_change(&number, previous.as_ref(), changed_on)?;
        let plaintext = SealedPlaintext { number, previous };
        let sealed = self.seal(sealer, MyNumberEvent::CHANGED, &plaintext)?;
        Ok(MyNumberEvent::MyNumberChanged(MyNumberChanged {
            sealed,
            reason,
            changed_on,
            entry_id,
        }))
    }

    /// 登録年月日 of the registered number, while one is registered.
    fn registered_since(&self) -> Option<Date> {
        self.registered_on().filter(|_| self.has_number())
    }

    /// Seals `plaintext` for the next event: stream version `self.version + 1` (one event per
    /// command) and `event_type` (design §7.2 "Version binding").
    fn seal(
        &self,
        sealer: &dyn Sealer,
        event_type: &'static str,
        plaintext: &SealedPlaintext,
    ) -> Result<Sealed> {
        sealer
            .seal(self.version + 1, event_type, plaintext)
            .map_err(E::SealFailed)
    }
}
