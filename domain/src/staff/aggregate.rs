//! The [`StaffAccount`] aggregate: one stream per 職員ID.

use chrono::{DateTime, Utc};
use cqrs_es::event_sink::EventSink;
use cqrs_es::Aggregate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::commands::{AccountChange, StaffAccountCommand};
use super::error::StaffAccountError;
use super::events::{
    AccountCreated, AccountRevoked, AccountUpdated, ChangeApproved, ChangeProposed, ChangeRejected,
    StaffAccountEvent,
};
use super::values::{AccountDetails, Reason, StaffId};

/// Namespace of the UUID v5 that names a staff account's stream: the stream of 職員ID `s` is
/// `staff_account-<uuid v5 of s under this namespace>`. Fixed for ever.
pub const STAFF_ACCOUNT_NAMESPACE: Uuid =
    Uuid::from_u128(0x6b65_6e70_6f00_4a5b_9c1d_7374_6166_6601);

/// Stream type (and `Aggregate::TYPE`) of staff accounts: streams are `staff_account-<uuid>`.
pub const STREAM_TYPE: &str = "staff_account";

/// A change waiting for the データ保護担当者.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingChange {
    pub change_id: Uuid,
    pub change: AccountChange,
    pub proposed_by: String,
    pub proposed_at: DateTime<Utc>,
}

/// A revocation in force.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revocation {
    pub reason: Reason,
    pub revoked_at: DateTime<Utc>,
}

/// One account of the ユーザ管理簿 (staff account registry): its details once created, the
/// change waiting for approval, and its revocation. Changes are proposed by the システム担当課
/// and take effect only when the データ保護担当者 approves them (digest.md §0.2, §4.2).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StaffAccount {
    staff_id: Option<StaffId>,
    details: Option<AccountDetails>,
    pending: Option<PendingChange>,
    revoked: Option<Revocation>,
}

impl Aggregate for StaffAccount {
    const TYPE: &'static str = STREAM_TYPE;
    type Command = StaffAccountCommand;
    type Event = StaffAccountEvent;
    type Error = StaffAccountError;
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
        match event {
            StaffAccountEvent::ChangeProposed(e) => {
                self.staff_id = Some(e.staff_id);
                self.pending = Some(PendingChange {
                    change_id: e.change_id,
                    change: e.change,
                    proposed_by: e.proposed_by,
                    proposed_at: e.proposed_at,
                });
            }
            StaffAccountEvent::ChangeApproved(_) | StaffAccountEvent::ChangeRejected(_) => {
                self.pending = None;
            }
            StaffAccountEvent::AccountCreated(e) => {
                self.staff_id = Some(e.staff_id);
                self.details = Some(e.details);
            }
            StaffAccountEvent::AccountUpdated(e) => self.details = Some(e.details),
            StaffAccountEvent::AccountRevoked(e) => {
                self.revoked = Some(Revocation {
                    reason: e.reason,
                    revoked_at: e.revoked_at,
                });
            }
        }
    }
}

impl StaffAccount {
    /// The UUID in the stream id of the account `staff_id` (UUID v5, see
    /// [`STAFF_ACCOUNT_NAMESPACE`]).
    pub fn stream_uuid(staff_id: &StaffId) -> Uuid {
        Uuid::new_v5(&STAFF_ACCOUNT_NAMESPACE, staff_id.as_str().as_bytes())
    }

    /// The 職員ID, once any event is recorded.
    pub fn staff_id(&self) -> Option<&StaffId> {
        self.staff_id.as_ref()
    }

    /// The details in effect, once the account is created.
    pub fn details(&self) -> Option<&AccountDetails> {
        self.details.as_ref()
    }

    /// The change waiting for approval.
    pub fn pending(&self) -> Option<&PendingChange> {
        self.pending.as_ref()
    }

    /// The revocation, if the account is revoked.
    pub fn revocation(&self) -> Option<&Revocation> {
        self.revoked.as_ref()
    }

    /// Decide what a command records, without changing the aggregate.
    pub fn decide(
        &self,
        command: StaffAccountCommand,
    ) -> Result<Vec<StaffAccountEvent>, StaffAccountError> {
        match command {
            StaffAccountCommand::ProposeChange {
                staff_id,
                change_id,
                change,
                proposed_by,
                proposed_at,
            } => {
                let change = self.check_proposal(&staff_id, change)?;
                Ok(vec![StaffAccountEvent::ChangeProposed(ChangeProposed {
                    staff_id,
                    change_id,
                    change,
                    proposed_by: proposed_by.into(),
                    proposed_at,
                    bootstrap: false,
                })])
            }
            StaffAccountCommand::ApproveChange {
                change_id,
                approved_by,
                approved_at,
            } => {
                let (staff_id, pending) = self.check_decision(change_id, &approved_by)?;
                let approved = StaffAccountEvent::ChangeApproved(ChangeApproved {
                    staff_id: staff_id.clone(),
                    change_id,
                    approved_by: approved_by.into(),
                    approved_at,
                    bootstrap: false,
                });
                let effect = effect_of(staff_id, change_id, pending.change.clone(), approved_at);
                Ok(vec![approved, effect])
            }
            StaffAccountCommand::RejectChange {
                change_id,
                rejected_by,
                reason,
                rejected_at,
            } => {
                let (staff_id, _) = self.check_decision(change_id, &rejected_by)?;
                Ok(vec![StaffAccountEvent::ChangeRejected(ChangeRejected {
                    staff_id: staff_id.clone(),
                    change_id,
                    rejected_by: rejected_by.into(),
                    rejected_at,
                    reason,
                })])
            }
            StaffAccountCommand::Bootstrap {
                staff_id,
                change_id,
                details,
                at,
            } => {
                let AccountChange::Create(details) =
                    self.check_proposal(&staff_id, AccountChange::Create(details))?
                else {
                    return Err(StaffAccountError::AccountExists {
                        staff_id: staff_id.into(),
                    });
                };
                let actor = StaffId::BOOTSTRAP_ACTOR.to_owned();
                Ok(vec![
                    StaffAccountEvent::ChangeProposed(ChangeProposed {
                        staff_id: staff_id.clone(),
                        change_id,
                        change: AccountChange::Create(details.clone()),
                        proposed_by: actor.clone(),
                        proposed_at: at,
                        bootstrap: true,
                    }),
                    StaffAccountEvent::ChangeApproved(ChangeApproved {
                        staff_id: staff_id.clone(),
                        change_id,
                        approved_by: actor,
                        approved_at: at,
                        bootstrap: true,
                    }),
                    StaffAccountEvent::AccountCreated(AccountCreated {
                        staff_id,
                        change_id,
                        details,
                        created_at: at,
                    }),
                ])
            }
        }
    }

    /// A proposal is for this account, on an account that is not revoked and has nothing
    /// pending, and makes sense in the account's state. Returns the change as it is recorded
    /// (roles sorted, without repeats).
    fn check_proposal(
        &self,
        staff_id: &StaffId,
        change: AccountChange,
    ) -> Result<AccountChange, StaffAccountError> {
        if let Some(expected) = self.staff_id.as_ref().filter(|s| *s != staff_id) {
            return Err(StaffAccountError::StaffIdMismatch {
                expected: expected.to_string(),
                given: staff_id.to_string(),
            });
        }
        if self.revoked.is_some() {
            return Err(StaffAccountError::AccountRevoked {
                staff_id: staff_id.to_string(),
            });
        }
        if let Some(pending) = &self.pending {
            return Err(StaffAccountError::ChangePending {
                change_id: pending.change_id,
            });
        }
        match (change, &self.details) {
            (AccountChange::Create(_), Some(_)) => Err(StaffAccountError::AccountExists {
                staff_id: staff_id.to_string(),
            }),
            (AccountChange::Create(details), None) => Ok(AccountChange::Create(checked(details)?)),
            (AccountChange::Update(_) | AccountChange::Revoke { .. }, None) => {
                Err(StaffAccountError::AccountNotFound)
            }
            (AccountChange::Update(details), Some(current)) => {
                let details = checked(details)?;
                if &details == current {
                    return Err(StaffAccountError::NoChange);
                }
                Ok(AccountChange::Update(details))
            }
            (revoke @ AccountChange::Revoke { .. }, Some(_)) => Ok(revoke),
        }
    }

    /// `change_id` is the pending change, and `decider` neither proposed it nor holds the
    /// account (two-person rule).
    fn check_decision(
        &self,
        change_id: Uuid,
        decider: &StaffId,
    ) -> Result<(&StaffId, &PendingChange), StaffAccountError> {
        let Some(staff_id) = &self.staff_id else {
            return Err(StaffAccountError::AccountNotFound);
        };
        let pending = self
            .pending
            .as_ref()
            .filter(|p| p.change_id == change_id)
            .ok_or(StaffAccountError::ChangeNotFound { change_id })?;
        if pending.proposed_by == decider.as_str() {
            return Err(StaffAccountError::DeciderIsProposer {
                staff_id: decider.to_string(),
            });
        }
        if staff_id == decider {
            return Err(StaffAccountError::DeciderIsHolder {
                staff_id: decider.to_string(),
            });
        }
        Ok((staff_id, pending))
    }
}

/// The details, normalised, if they are consistent: at least one role, `valid_to` not before
/// `valid_from`.
fn checked(details: AccountDetails) -> Result<AccountDetails, StaffAccountError> {
    let details = details.normalized();
    if details.roles.is_empty() {
        return Err(StaffAccountError::NoRoles);
    }
    if let Some(valid_to) = details.valid_to.filter(|to| *to < details.valid_from) {
        return Err(StaffAccountError::ValidityReversed {
            valid_from: details.valid_from,
            valid_to,
        });
    }
    Ok(details)
}

/// The event by which an approved change takes effect.
fn effect_of(
    staff_id: &StaffId,
    change_id: Uuid,
    change: AccountChange,
    at: DateTime<Utc>,
) -> StaffAccountEvent {
    let staff_id = staff_id.clone();
    match change {
        AccountChange::Create(details) => StaffAccountEvent::AccountCreated(AccountCreated {
            staff_id,
            change_id,
            details,
            created_at: at,
        }),
        AccountChange::Update(details) => StaffAccountEvent::AccountUpdated(AccountUpdated {
            staff_id,
            change_id,
            details,
            updated_at: at,
        }),
        AccountChange::Revoke { reason } => StaffAccountEvent::AccountRevoked(AccountRevoked {
            staff_id,
            change_id,
            reason,
            revoked_at: at,
        }),
    }
}
