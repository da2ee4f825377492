//! Commands of the [`super::StaffAccount`] aggregate.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::values::{AccountDetails, Reason, StaffId};

/// A change to one account of the ユーザ管理簿, as proposed by the システム担当課. It takes
/// effect only once the データ保護担当者 approves it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AccountChange {
    /// 登録: a new account with these details.
    Create(AccountDetails),
    /// 変更: the account's details are replaced by these.
    Update(AccountDetails),
    /// 削除 (失効): the account is revoked for good; its id is never reused.
    Revoke {
        /// Why, e.g. 退職 or 異動.
        reason: Reason,
    },
}

impl AccountChange {
    /// `create`, `update` or `revoke`.
    pub const fn kind(&self) -> &'static str {
        match self {
            AccountChange::Create(_) => "create",
            AccountChange::Update(_) => "update",
            AccountChange::Revoke { .. } => "revoke",
        }
    }
}

/// A command on a staff account. The actors are authenticated and authorised by role in the
/// application layer; the aggregate enforces the two-person rule (the one who decides is
/// neither the proposer nor the account's holder) and that nothing takes effect unapproved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum StaffAccountCommand {
    /// Propose a change (システム担当課). At most one change is pending per account.
    ProposeChange {
        staff_id: StaffId,
        change_id: Uuid,
        change: AccountChange,
        proposed_by: StaffId,
        proposed_at: DateTime<Utc>,
    },
    /// Approve the pending change (データ保護担当者の確認); it takes effect at once.
    ApproveChange {
        change_id: Uuid,
        approved_by: StaffId,
        approved_at: DateTime<Utc>,
    },
    /// Reject the pending change; nothing changes.
    RejectChange {
        change_id: Uuid,
        rejected_by: StaffId,
        reason: Reason,
        rejected_at: DateTime<Utc>,
    },
    /// Create an account on a fresh installation, where no pair of staff exists yet to
    /// propose and approve it. Proposal and approval are recorded with the actor `bootstrap`
    /// and marked as such. Only for an account that has no stream yet.
    Bootstrap {
        staff_id: StaffId,
        change_id: Uuid,
        details: AccountDetails,
        at: DateTime<Utc>,
    },
}
