//! The [`Employer`] aggregate: one stream per 事業所コード, holding the accounts benefits are
//! paid to, by the day each takes effect.

use std::collections::BTreeMap;

use cqrs_es::event_sink::EventSink;
use cqrs_es::Aggregate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::commands::{
    AccountClosure, AccountRegistration, EmployerAccountChange, EmployerCommand,
};
use super::error::{EmployerError, REASON_MAX_CHARS};
use super::events::{
    EmployerAccountChangeProposed, EmployerAccountChangeRejected, EmployerAccountClosed,
    EmployerAccountRegistered, EmployerEvent,
};
use super::OfficeCode;
use crate::account_change::{ChangeLedger, Confirmation, PendingChange};
use crate::calendar::Date;
use crate::qualification::PaymentAccount;

/// Stream type (and `Aggregate::TYPE`): streams are `employer-<uuid>`.
pub const STREAM_TYPE: &str = "employer";

/// Namespace of the UUID v5 that names a 事業所's stream: the stream of office code `c` is
/// `employer-<uuid v5 of c under this namespace>`. Fixed for ever.
pub const EMPLOYER_NAMESPACE: Uuid = Uuid::from_u128(0x6b65_6e70_6f00_4a5b_9c1d_656d_706c_6f79);

/// One entry of the register, in force from `effective_from` until the next entry's date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountEntry {
    pub effective_from: Date,
    /// The account paid to; `None` for a closure (no account from this day).
    pub account: Option<PaymentAccount>,
    /// 受付年月日.
    pub received_on: Date,
    /// Why the account was closed (closures only).
    pub reason: Option<String>,
    /// Stream version of the event that recorded the entry.
    pub version: i64,
}

/// 事業所: its register of accounts. Entries are only added, each after the latest, so the
/// history of what was in force on any day never changes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Employer {
    office_code: Option<OfficeCode>,
    version: i64,
    entries: BTreeMap<Date, AccountEntry>,
    /// Proposed changes (口座変更の確認).
    #[serde(default)]
    changes: ChangeLedger<EmployerAccountChange>,
}

impl Aggregate for Employer {
    const TYPE: &'static str = STREAM_TYPE;
    type Command = EmployerCommand;
    type Event = EmployerEvent;
    type Error = EmployerError;
    type Services = ();

    async fn handle(
        &mut self,
        command: Self::Command,
        _services: &Self::Services,
        sink: &EventSink<Self>,
    ) -> Result<(), Self::Error> {
        for event in self.decide(command)? {
            sink.write(event, self).await;
        }
        Ok(())
    }

    fn apply(&mut self, event: Self::Event) {
        self.version += 1;
        let entry = match event {
            EmployerEvent::EmployerAccountChangeProposed(e) => {
                self.office_code = Some(e.office_code);
                self.changes.proposed(PendingChange {
                    change_id: e.change_id,
                    change: e.change,
                    proposed_by: e.proposed_by,
                    proposed_at: e.proposed_at,
                });
                return;
            }
            EmployerEvent::EmployerAccountChangeRejected(e) => {
                self.changes.rejected(e.change_id);
                return;
            }
            EmployerEvent::EmployerAccountRegistered(e) => {
                if let Some(c) = &e.confirmation {
                    self.changes.confirmed(c.change_id);
                }
                self.office_code = Some(e.office_code);
                AccountEntry {
                    effective_from: e.effective_from,
                    account: Some(e.account),
                    received_on: e.received_on,
                    reason: None,
                    version: self.version,
                }
            }
            EmployerEvent::EmployerAccountClosed(e) => {
                if let Some(c) = &e.confirmation {
                    self.changes.confirmed(c.change_id);
                }
                self.office_code = Some(e.office_code);
                AccountEntry {
                    effective_from: e.effective_from,
                    account: None,
                    received_on: e.received_on,
                    reason: Some(e.reason),
                    version: self.version,
                }
            }
        };
        self.entries.insert(entry.effective_from, entry);
    }
}

impl Employer {
    /// The UUID in the stream id of `office_code` (UUID v5, see [`EMPLOYER_NAMESPACE`]).
    pub fn stream_uuid(office_code: &OfficeCode) -> Uuid {
        Uuid::new_v5(&EMPLOYER_NAMESPACE, office_code.as_str().as_bytes())
    }

    /// The 事業所コード, once any event is recorded.
    pub fn office_code(&self) -> Option<&OfficeCode> {
        self.office_code.as_ref()
    }

    /// The stream version (events folded).
    pub fn version(&self) -> i64 {
        self.version
    }

    /// Every entry, oldest first.
    pub fn entries(&self) -> impl Iterator<Item = &AccountEntry> {
        self.entries.values()
    }

    /// The latest entry (the one in force from the latest day).
    pub fn latest(&self) -> Option<&AccountEntry> {
        self.entries.values().next_back()
    }

    /// The entry in force on `date`: the latest whose `effective_from` is not after it
    /// (`None` before the first registration).
    pub fn entry_on(&self, date: Date) -> Option<&AccountEntry> {
        self.entries.range(..=date).next_back().map(|(_, e)| e)
    }

    /// The account paid to on `date`: none before the first registration or while closed.
    pub fn account_on(&self, date: Date) -> Option<&PaymentAccount> {
        self.entry_on(date).and_then(|e| e.account.as_ref())
    }

    /// The change waiting for a second person's confirmation.
    pub fn pending_change(&self) -> Option<&PendingChange<EmployerAccountChange>> {
        self.changes.pending()
    }

    /// Decide what a command records, without changing the aggregate.
    pub fn decide(&self, command: EmployerCommand) -> Result<Vec<EmployerEvent>, EmployerError> {
        match command {
            EmployerCommand::ProposeChange {
                change_id,
                change,
                proposed_by,
                proposed_at,
            } => {
                self.changes.check_proposal()?;
                // checked as the entry it would add (the change is recorded as given; a
                // closure's reason is trimmed when it takes effect)
                self.take_effect(change.clone(), None)?;
                Ok(vec![EmployerEvent::EmployerAccountChangeProposed(
                    EmployerAccountChangeProposed {
                        office_code: change.office_code().clone(),
                        change_id,
                        change,
                        proposed_by,
                        proposed_at,
                    },
                )])
            }
            EmployerCommand::ConfirmChange {
                office_code,
                confirmation,
            } => {
                self.check_office(&office_code)?;
                let pending = self
                    .changes
                    .check_decision(confirmation.change_id, &confirmation.confirmed_by)?;
                let recorded = pending.confirmation(&confirmation);
                self.take_effect(pending.change.clone(), Some(recorded))
            }
            EmployerCommand::RejectChange {
                office_code,
                rejection,
            } => {
                self.check_office(&office_code)?;
                self.changes
                    .check_decision(rejection.change_id, &rejection.rejected_by)?;
                let reason =
                    ChangeLedger::<EmployerAccountChange>::check_reason(&rejection.reason)?;
                Ok(vec![EmployerEvent::EmployerAccountChangeRejected(
                    EmployerAccountChangeRejected {
                        office_code,
                        change_id: rejection.change_id,
                        rejected_by: rejection.rejected_by,
                        rejected_at: rejection.rejected_at,
                        reason,
                    },
                )])
            }
        }
    }

    /// The entry `change` adds to the register, if its rules allow it now.
    fn take_effect(
        &self,
        change: EmployerAccountChange,
        confirmation: Option<Confirmation>,
    ) -> Result<Vec<EmployerEvent>, EmployerError> {
        match change {
            EmployerAccountChange::Register(body) => self.register(body, confirmation),
            EmployerAccountChange::Close(body) => self.close(body, confirmation),
        }
    }

    fn register(
        &self,
        body: AccountRegistration,
        confirmation: Option<Confirmation>,
    ) -> Result<Vec<EmployerEvent>, EmployerError> {
        self.check_office(&body.office_code)?;
        self.check_after_latest(&body.office_code, body.effective_from)?;
        if let Some(latest) = self.latest() {
            if latest.account.as_ref() == Some(&body.account) {
                return Err(EmployerError::SameAccount {
                    office_code: body.office_code,
                    since: latest.effective_from,
                });
            }
        }
        Ok(vec![EmployerEvent::EmployerAccountRegistered(
            EmployerAccountRegistered {
                office_code: body.office_code,
                effective_from: body.effective_from,
                account: body.account,
                received_on: body.received_on,
                confirmation,
            },
        )])
    }

    fn close(
        &self,
        body: AccountClosure,
        confirmation: Option<Confirmation>,
    ) -> Result<Vec<EmployerEvent>, EmployerError> {
        self.check_office(&body.office_code)?;
        let reason = body.reason.trim();
        if reason.is_empty() || reason.chars().count() > REASON_MAX_CHARS {
            return Err(EmployerError::ReasonRequired);
        }
        match self.latest() {
            Some(latest) if latest.account.is_some() => {}
            latest => {
                return Err(EmployerError::NothingToClose {
                    office_code: body.office_code,
                    closed_from: latest.map(|e| e.effective_from),
                })
            }
        }
        self.check_after_latest(&body.office_code, body.effective_from)?;
        Ok(vec![EmployerEvent::EmployerAccountClosed(
            EmployerAccountClosed {
                office_code: body.office_code,
                effective_from: body.effective_from,
                received_on: body.received_on,
                reason: reason.to_owned(),
                confirmation,
            },
        )])
    }

    fn check_office(&self, given: &OfficeCode) -> Result<(), EmployerError> {
        match &self.office_code {
            Some(expected) if expected != given => Err(EmployerError::OfficeCodeMismatch {
                expected: expected.clone(),
                given: given.clone(),
            }),
            _ => Ok(()),
        }
    }

    /// Decided here (rules.md is silent on employers' accounts): an entry takes effect after
    /// the latest one, so a day's account, once recorded, is never rewritten by a later entry —
    /// a payment batch made earlier paid the account the register then showed.
    fn check_after_latest(
        &self,
        office_code: &OfficeCode,
        given: Date,
    ) -> Result<(), EmployerError> {
        match self.latest() {
            Some(latest) if given <= latest.effective_from => Err(EmployerError::NotAfterLatest {
                office_code: office_code.clone(),
                latest: latest.effective_from,
                given,
            }),
            _ => Ok(()),
        }
    }
}
