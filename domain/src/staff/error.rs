//! [`StaffAccountError`]: why a command on a [`super::StaffAccount`] was refused.

use thiserror::Error;
use uuid::Uuid;

use crate::calendar::Date;

/// How an error maps onto HTTP: the domain-wide [`crate::refusal::RefusalCategory`].
pub use crate::refusal::RefusalCategory as ErrorCategory;

/// A command refused by the [`super::StaffAccount`] aggregate; [`StaffAccountError::code`] is
/// the stable machine code.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum StaffAccountError {
    /// An account must hold at least one role.
    #[error("an account must hold at least one role")]
    NoRoles,
    /// `valid_to` before `valid_from`.
    #[error("valid_to {valid_to} is before valid_from {valid_from}")]
    ValidityReversed { valid_from: Date, valid_to: Date },
    /// The command names another account than the stream's.
    #[error("the command is for staff id {given}, but this account is {expected}")]
    StaffIdMismatch { expected: String, given: String },
    /// Creating an account that exists (or existed: ids are never reused).
    #[error("the account {staff_id} already exists in the ユーザ管理簿 (staff account registry)")]
    AccountExists { staff_id: String },
    /// Updating, revoking or deciding on an account that was never created.
    #[error("there is no such account in the ユーザ管理簿 (staff account registry)")]
    AccountNotFound,
    /// Any change to a revoked account.
    #[error("the account {staff_id} is revoked; a revoked account cannot change or come back")]
    AccountRevoked { staff_id: String },
    /// A second proposal while one is pending.
    #[error(
        "change {change_id} is pending for this account; it must be approved or rejected first"
    )]
    ChangePending { change_id: Uuid },
    /// Deciding on a change that is not the pending one.
    #[error("change {change_id} is not pending for this account")]
    ChangeNotFound { change_id: Uuid },
    /// An update that changes nothing.
    #[error("the update changes nothing: the account already has exactly these details")]
    NoChange,
    /// The proposer tried to approve or reject their own proposal.
    #[error("the two-person rule: {staff_id} proposed this change and cannot also decide on it")]
    DeciderIsProposer { staff_id: String },
    /// The holder of the account tried to approve or reject a change to it.
    #[error("{staff_id} cannot decide on a change to their own account")]
    DeciderIsHolder { staff_id: String },
}

crate::refusal::refusal_by_inherent_methods!(StaffAccountError);

impl StaffAccountError {
    /// The stable snake_case code.
    pub const fn code(&self) -> &'static str {
        match self {
            Self::NoRoles => "no_roles",
            Self::ValidityReversed { .. } => "validity_reversed",
            Self::StaffIdMismatch { .. } => "staff_id_mismatch",
            Self::AccountExists { .. } => "account_exists",
            Self::AccountNotFound => "account_not_found",
            Self::AccountRevoked { .. } => "account_revoked",
            Self::ChangePending { .. } => "change_pending",
            Self::ChangeNotFound { .. } => "change_not_found",
            Self::NoChange => "no_change",
            Self::DeciderIsProposer { .. } => "two_person_rule",
            Self::DeciderIsHolder { .. } => "own_account",
        }
    }

    /// How the refusal maps onto HTTP.
    pub const fn category(&self) -> ErrorCategory {
        match self {
            Self::NoRoles
            | Self::ValidityReversed { .. }
            | Self::StaffIdMismatch { .. }
            | Self::NoChange => ErrorCategory::Invalid,
            Self::AccountExists { .. }
            | Self::AccountRevoked { .. }
            | Self::ChangePending { .. } => ErrorCategory::Conflict,
            Self::AccountNotFound | Self::ChangeNotFound { .. } => ErrorCategory::NotFound,
            Self::DeciderIsProposer { .. } | Self::DeciderIsHolder { .. } => {
                ErrorCategory::Forbidden
            }
        }
    }
}
