//! 口座変更の確認 (confirmation of a bank account change): a change of the account benefits are
//! paid to — a payee's 給付金支給先口座 or a 事業所's 事業主口座 — is first a proposal, and takes
//! effect only when a second staff member of the same role confirms it (issue 9, item 4). The
//! one who proposed can never confirm or reject (`two_person_rule`); a change is decided once
//! (`account_change_already_decided`); one change is pending per account at a time
//! (`account_change_pending`).
//!
//! [`ChangeLedger`] is the part of an aggregate's state that enforces this; the aggregates
//! ([`crate::qualification::Person`], [`crate::employers::Employer`]) record the proposal and
//! rejection as their own events, and the confirmation inside the event that makes the change
//! take effect ([`Confirmation`]), so readers of the account in force need not change.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use thiserror::Error;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::refusal::RefusalCategory;

/// Longest rejection reason accepted.
pub const REJECTION_REASON_MAX_CHARS: usize = 500;

/// Who proposed and who confirmed the change an account event puts in force. Absent on events
/// recorded before confirmation was required.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Confirmation {
    pub change_id: Uuid,
    /// 職員ID of the proposer.
    pub proposed_by: String,
    pub proposed_at: DateTime<Utc>,
    /// 職員ID of the second person, never the proposer.
    pub confirmed_by: String,
    pub confirmed_at: DateTime<Utc>,
}

/// Confirm the pending change `change_id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeConfirmation {
    pub change_id: Uuid,
    /// 職員ID from the token.
    pub confirmed_by: String,
    pub confirmed_at: DateTime<Utc>,
}

/// Reject the pending change `change_id`: it never takes effect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeRejection {
    pub change_id: Uuid,
    /// 職員ID from the token.
    pub rejected_by: String,
    pub rejected_at: DateTime<Utc>,
    /// Why, 1 to [`REJECTION_REASON_MAX_CHARS`] characters.
    pub reason: String,
}

/// A change waiting for its second person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingChange<T> {
    pub change_id: Uuid,
    pub change: T,
    pub proposed_by: String,
    pub proposed_at: DateTime<Utc>,
}

/// Why a proposal, confirmation or rejection was refused. Nothing is recorded.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AccountChangeError {
    /// A second proposal while one is pending.
    #[error("account change {change_id} is pending; it must be confirmed or rejected first")]
    Pending { change_id: Uuid },
    /// No such change on this account.
    #[error("there is no account change {change_id} on this account")]
    NotFound { change_id: Uuid },
    /// The change was already confirmed or rejected.
    #[error("account change {change_id} was already {outcome}")]
    AlreadyDecided {
        change_id: Uuid,
        outcome: &'static str,
    },
    /// The proposer tried to confirm or reject their own proposal.
    #[error(
        "the two-person rule: {staff_id} proposed this account change and cannot also decide on it"
    )]
    DeciderIsProposer { staff_id: String },
    /// A rejection without a reason, or with one too long.
    #[error("a rejection needs a reason of 1 to {REJECTION_REASON_MAX_CHARS} characters")]
    ReasonRequired,
}

crate::refusal::refusal_by_inherent_methods!(AccountChangeError);

impl AccountChangeError {
    /// Stable machine-readable code.
    pub const fn code(&self) -> &'static str {
        match self {
            Self::Pending { .. } => "account_change_pending",
            Self::NotFound { .. } => "account_change_not_found",
            Self::AlreadyDecided { .. } => "account_change_already_decided",
            Self::DeciderIsProposer { .. } => "two_person_rule",
            Self::ReasonRequired => "reason_required",
        }
    }

    /// How the refusal maps onto HTTP.
    pub const fn category(&self) -> RefusalCategory {
        match self {
            Self::Pending { .. } | Self::AlreadyDecided { .. } => RefusalCategory::Conflict,
            Self::NotFound { .. } => RefusalCategory::NotFound,
            Self::DeciderIsProposer { .. } => RefusalCategory::Forbidden,
            Self::ReasonRequired => RefusalCategory::Invalid,
        }
    }
}

/// The changes of one account: the pending one and the ids of those decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeLedger<T> {
    pending: Option<PendingChange<T>>,
    confirmed: BTreeSet<Uuid>,
    rejected: BTreeSet<Uuid>,
}

impl<T> Default for ChangeLedger<T> {
    fn default() -> Self {
        Self {
            pending: None,
            confirmed: BTreeSet::new(),
            rejected: BTreeSet::new(),
        }
    }
}

impl<T> ChangeLedger<T> {
    /// The change waiting for its second person.
    pub fn pending(&self) -> Option<&PendingChange<T>> {
        self.pending.as_ref()
    }

    /// A new proposal is accepted only when none is pending.
    pub fn check_proposal(&self) -> Result<(), AccountChangeError> {
        match &self.pending {
            Some(p) => Err(AccountChangeError::Pending {
                change_id: p.change_id,
            }),
            None => Ok(()),
        }
    }

    /// `change_id` is pending and `decider` did not propose it.
    pub fn check_decision(
        &self,
        change_id: Uuid,
        decider: &str,
    ) -> Result<&PendingChange<T>, AccountChangeError> {
        if self.confirmed.contains(&change_id) || self.rejected.contains(&change_id) {
            let outcome = if self.confirmed.contains(&change_id) {
                "confirmed"
            } else {
                "rejected"
            };
            return Err(AccountChangeError::AlreadyDecided { change_id, outcome });
        }
        let pending = self
            .pending
            .as_ref()
            .filter(|p| p.change_id == change_id)
            .ok_or(AccountChangeError::NotFound { change_id })?;
        if pending.proposed_by == decider {
            return Err(AccountChangeError::DeciderIsProposer {
                staff_id: decider.to_owned(),
            });
        }
        Ok(pending)
    }

    /// The rejection's reason, trimmed, if it is 1 to [`REJECTION_REASON_MAX_CHARS`] characters.
    pub fn check_reason(reason: &str) -> Result<String, AccountChangeError> {
        let reason = reason.trim();
        if reason.is_empty() || reason.chars().count() > REJECTION_REASON_MAX_CHARS {
            return Err(AccountChangeError::ReasonRequired);
        }
        Ok(reason.to_owned())
    }

    /// Fold a proposal.
    pub fn proposed(&mut self, pending: PendingChange<T>) {
        self.pending = Some(pending);
    }

    /// Fold a confirmation.
    pub fn confirmed(&mut self, change_id: Uuid) {
        self.confirmed.insert(change_id);
        self.pending = None;
    }

    /// Fold a rejection.
    pub fn rejected(&mut self, change_id: Uuid) {
        self.rejected.insert(change_id);
        self.pending = None;
    }
}

impl<T> PendingChange<T> {
    /// The [`Confirmation`] recorded when `confirmation` puts this change in force.
    pub fn confirmation(&self, confirmation: &ChangeConfirmation) -> Confirmation {
        Confirmation {
            change_id: self.change_id,
            proposed_by: self.proposed_by.clone(),
            proposed_at: self.proposed_at,
            confirmed_by: confirmation.confirmed_by.clone(),
            confirmed_at: confirmation.confirmed_at,
        }
    }
}
