//! Events of the [`super::StaffAccount`] aggregate. Every event names the account's 職員ID,
//! so the registry's read model is a fold of the events alone. `event_type()` strings and
//! `event_version()` are stable.

use chrono::{DateTime, Utc};
use cqrs_es::DomainEvent;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::commands::AccountChange;
use super::values::{AccountDetails, Reason, StaffId};

/// An event of the [`super::StaffAccount`] aggregate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum StaffAccountEvent {
    /// A change was proposed; it has no effect yet.
    ChangeProposed(ChangeProposed),
    /// The データ保護担当者 confirmed the pending change.
    ChangeApproved(ChangeApproved),
    /// The pending change was rejected.
    ChangeRejected(ChangeRejected),
    /// An approved creation took effect.
    AccountCreated(AccountCreated),
    /// An approved update took effect.
    AccountUpdated(AccountUpdated),
    /// An approved revocation took effect.
    AccountRevoked(AccountRevoked),
}

impl StaffAccountEvent {
    /// Every event type string.
    pub const EVENT_TYPES: [&'static str; 6] = [
        "ChangeProposed",
        "ChangeApproved",
        "ChangeRejected",
        "AccountCreated",
        "AccountUpdated",
        "AccountRevoked",
    ];

    /// The event's type name (the variant name, also its serde tag).
    pub const fn type_name(&self) -> &'static str {
        match self {
            StaffAccountEvent::ChangeProposed(_) => "ChangeProposed",
            StaffAccountEvent::ChangeApproved(_) => "ChangeApproved",
            StaffAccountEvent::ChangeRejected(_) => "ChangeRejected",
            StaffAccountEvent::AccountCreated(_) => "AccountCreated",
            StaffAccountEvent::AccountUpdated(_) => "AccountUpdated",
            StaffAccountEvent::AccountRevoked(_) => "AccountRevoked",
        }
    }

    /// The 職員ID of the account the event belongs to.
    pub fn staff_id(&self) -> &StaffId {
        match self {
            StaffAccountEvent::ChangeProposed(e) => &e.staff_id,
            StaffAccountEvent::ChangeApproved(e) => &e.staff_id,
            StaffAccountEvent::ChangeRejected(e) => &e.staff_id,
            StaffAccountEvent::AccountCreated(e) => &e.staff_id,
            StaffAccountEvent::AccountUpdated(e) => &e.staff_id,
            StaffAccountEvent::AccountRevoked(e) => &e.staff_id,
        }
    }
}

impl DomainEvent for StaffAccountEvent {
    fn event_type(&self) -> String {
        self.type_name().to_string()
    }

    fn event_version(&self) -> String {
        "1.0".to_string()
    }
}

fn is_false(value: &bool) -> bool {
    !*value
}

/// A change was proposed (システム担当課).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ChangeProposed {
    pub staff_id: StaffId,
    pub change_id: Uuid,
    pub change: AccountChange,
    /// 職員ID of the proposer, or `bootstrap`.
    pub proposed_by: String,
    pub proposed_at: DateTime<Utc>,
    /// True for the initial set-up of a fresh installation (`kenpo accounts bootstrap`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub bootstrap: bool,
}

/// The pending change was approved (データ保護担当者の確認).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ChangeApproved {
    pub staff_id: StaffId,
    pub change_id: Uuid,
    /// 職員ID of the approver, or `bootstrap`.
    pub approved_by: String,
    pub approved_at: DateTime<Utc>,
    /// True for the initial set-up of a fresh installation.
    #[serde(default, skip_serializing_if = "is_false")]
    pub bootstrap: bool,
}

/// The pending change was rejected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ChangeRejected {
    pub staff_id: StaffId,
    pub change_id: Uuid,
    pub rejected_by: String,
    pub rejected_at: DateTime<Utc>,
    pub reason: Reason,
}

/// The account exists from now on with these details.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AccountCreated {
    pub staff_id: StaffId,
    pub change_id: Uuid,
    pub details: AccountDetails,
    pub created_at: DateTime<Utc>,
}

/// The account's details are replaced by these.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AccountUpdated {
    pub staff_id: StaffId,
    pub change_id: Uuid,
    pub details: AccountDetails,
    pub updated_at: DateTime<Utc>,
}

/// The account is revoked for good.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AccountRevoked {
    pub staff_id: StaffId,
    pub change_id: Uuid,
    pub reason: Reason,
    pub revoked_at: DateTime<Utc>,
}
