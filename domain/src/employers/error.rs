//! [`EmployerError`]: why a command on an [`super::Employer`] was refused.

use thiserror::Error;

use super::OfficeCode;
use crate::account_change::AccountChangeError;
use crate::calendar::Date;
pub use crate::qualification::ErrorCategory;

/// Longest closure reason accepted.
pub const REASON_MAX_CHARS: usize = 500;

/// A command refused by the [`super::Employer`] aggregate; [`EmployerError::code`] is the
/// stable machine code. Nothing is recorded.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EmployerError {
    /// The command names another 事業所 than the stream's.
    #[error("the command is for 事業所 {given}, but this stream holds 事業所 {expected}")]
    OfficeCodeMismatch {
        expected: OfficeCode,
        given: OfficeCode,
    },
    /// A registration or closure not after the latest entry: the register only grows forward.
    #[error("事業所 {office_code} has an entry in force from {latest}; a change or closure takes effect on a later day, not on {given}")]
    NotAfterLatest {
        office_code: OfficeCode,
        latest: Date,
        given: Date,
    },
    /// The account given is the one already in force.
    #[error("this account is already the account of 事業所 {office_code} (in force from {since})")]
    SameAccount {
        office_code: OfficeCode,
        since: Date,
    },
    /// A closure when no account is in force at the end of the register.
    #[error("事業所 {office_code} has no account to close ({})", closed_note(.closed_from))]
    NothingToClose {
        office_code: OfficeCode,
        closed_from: Option<Date>,
    },
    /// A change refused by the two-person confirmation rules.
    #[error(transparent)]
    AccountChange(#[from] AccountChangeError),
    /// A closure without a reason, or with one too long.
    #[error("a closure needs a reason of 1 to {REASON_MAX_CHARS} characters")]
    ReasonRequired,
}

fn closed_note(closed_from: &Option<Date>) -> String {
    match closed_from {
        Some(day) => format!("it is closed from {day}"),
        None => "none is registered".to_owned(),
    }
}

crate::refusal::refusal_by_inherent_methods!(EmployerError);

impl EmployerError {
    /// Stable machine-readable code.
    pub const fn code(&self) -> &'static str {
        match self {
            Self::OfficeCodeMismatch { .. } => "office_code_mismatch",
            Self::NotAfterLatest { .. } => "effective_from_not_after_latest",
            Self::SameAccount { .. } => "no_change",
            Self::NothingToClose { .. } => "no_account_to_close",
            Self::ReasonRequired => "reason_required",
            Self::AccountChange(e) => e.code(),
        }
    }

    /// How the refusal maps onto HTTP.
    pub const fn category(&self) -> ErrorCategory {
        match self {
            Self::ReasonRequired => ErrorCategory::Invalid,
            Self::AccountChange(e) => e.category(),
            Self::OfficeCodeMismatch { .. }
            | Self::NotAfterLatest { .. }
            | Self::SameAccount { .. }
            | Self::NothingToClose { .. } => ErrorCategory::Conflict,
        }
    }
}
