//! The view of one account of the ユーザ管理簿: a pure fold of its events.

use chrono::{DateTime, Utc};
use kenpo_domain::calendar::Date;
use kenpo_domain::staff::{AccountChange, AccountDetails, Role, StaffAccountEvent};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// Where an account stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AccountStatus {
    /// Its creation is proposed, not yet approved: it does not grant anything.
    Proposed,
    /// Created and not revoked (whether it applies today also depends on its validity).
    Active,
    /// Revoked for good.
    Revoked,
}

impl AccountStatus {
    /// The value of the `status` column.
    pub const fn as_str(self) -> &'static str {
        match self {
            AccountStatus::Proposed => "proposed",
            AccountStatus::Active => "active",
            AccountStatus::Revoked => "revoked",
        }
    }
}

/// A change waiting for the データ保護担当者.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PendingChangeView {
    pub change_id: Uuid,
    /// The change as proposed (`kind`: create, update or revoke).
    pub change: AccountChange,
    pub proposed_by: String,
    pub proposed_at: DateTime<Utc>,
}

/// One account of the ユーザ管理簿 as it stands, with the change waiting for approval.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct StaffAccountView {
    /// 職員ID.
    pub staff_id: String,
    pub status: AccountStatus,
    /// 課 (absent until the creation is approved).
    pub department: Option<String>,
    pub roles: Vec<Role>,
    /// 個人番号 取扱権限.
    pub my_number_permission: bool,
    pub valid_from: Option<Date>,
    /// Open-ended when absent.
    pub valid_to: Option<Date>,
    pub created_at: Option<DateTime<Utc>>,
    /// When the last approved change took effect.
    pub changed_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revocation_reason: Option<String>,
    /// True when the account was created by `kenpo accounts bootstrap`.
    pub bootstrapped: bool,
    pub pending_change: Option<PendingChangeView>,
    /// Version of the account's stream.
    pub stream_version: i64,
}

impl StaffAccountView {
    /// A view with no events applied.
    pub fn empty(staff_id: &str) -> Self {
        Self {
            staff_id: staff_id.to_owned(),
            status: AccountStatus::Proposed,
            department: None,
            roles: Vec::new(),
            my_number_permission: false,
            valid_from: None,
            valid_to: None,
            created_at: None,
            changed_at: None,
            revoked_at: None,
            revocation_reason: None,
            bootstrapped: false,
            pending_change: None,
            stream_version: 0,
        }
    }

    fn set_details(&mut self, details: &AccountDetails, at: DateTime<Utc>) {
        self.department = Some(details.department.to_string());
        self.roles = details.roles.clone();
        self.my_number_permission = details.my_number_permission;
        self.valid_from = Some(details.valid_from);
        self.valid_to = details.valid_to;
        self.changed_at = Some(at);
    }

    /// Fold one event recorded at stream `version`.
    pub fn apply(&mut self, version: i64, event: &StaffAccountEvent) {
        self.stream_version = version;
        match event {
            StaffAccountEvent::ChangeProposed(e) => {
                self.pending_change = Some(PendingChangeView {
                    change_id: e.change_id,
                    change: e.change.clone(),
                    proposed_by: e.proposed_by.clone(),
                    proposed_at: e.proposed_at,
                });
            }
            StaffAccountEvent::ChangeApproved(e) => {
                self.pending_change = None;
                self.bootstrapped |= e.bootstrap && self.created_at.is_none();
            }
            StaffAccountEvent::ChangeRejected(_) => self.pending_change = None,
            StaffAccountEvent::AccountCreated(e) => {
                self.status = AccountStatus::Active;
                self.created_at = Some(e.created_at);
                self.set_details(&e.details, e.created_at);
            }
            StaffAccountEvent::AccountUpdated(e) => self.set_details(&e.details, e.updated_at),
            StaffAccountEvent::AccountRevoked(e) => {
                self.status = AccountStatus::Revoked;
                self.revoked_at = Some(e.revoked_at);
                self.revocation_reason = Some(e.reason.to_string());
                self.changed_at = Some(e.revoked_at);
            }
        }
    }
}
