//! [`EmployerNoticeError`]: why a command on a [`super::EmployerNotice`] was refused.

use thiserror::Error;
use uuid::Uuid;

use crate::calendar::{Date, YearMonth};
use crate::money::Yen;
pub use crate::qualification::ErrorCategory;

/// Longest receipt reference accepted.
pub const REFERENCE_MAX_CHARS: usize = 64;

/// Longest correction reason accepted.
pub const REASON_MAX_CHARS: usize = 500;

/// A command refused by the [`super::EmployerNotice`] aggregate.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EmployerNoticeError {
    /// A command on a notice never issued.
    #[error("no notice is issued for this 事業所 and month")]
    NotIssued,
    /// `Issue` of a notice already issued.
    #[error("the notice of 事業所 {office_code} for {month} was already issued on {issued_on}; correct it with a reissue")]
    AlreadyIssued {
        office_code: String,
        month: YearMonth,
        issued_on: Date,
    },
    /// Not a 事業所コード (1 to 8 digits).
    #[error("{office_code:?} is not a 事業所コード (1 to 8 digits)")]
    InvalidOfficeCode { office_code: String },
    /// A notice dated before its month began.
    #[error("a notice for {month} cannot be dated {date}, before the month begins")]
    DatedBeforeMonth { month: YearMonth, date: Date },
    /// The same person on two lines.
    #[error("person {person_id} appears on two lines")]
    DuplicateLine { person_id: Uuid },
    /// The totals do not add up from the lines.
    #[error("{field} is {given}, but the lines add up to {expected}")]
    TotalsMismatch {
        field: &'static str,
        expected: String,
        given: String,
    },
    /// The basis' result is not the 告知額.
    #[error("the 算定根拠 gives {basis_result}, not the 納入告知額 {notice_amount}")]
    BasisMismatch {
        notice_amount: Yen,
        basis_result: i64,
    },
    /// A correction without a reason.
    #[error("a correction (訂正) needs a reason of 1 to {REASON_MAX_CHARS} characters")]
    ReasonRequired,
    /// A correction that changes nothing.
    #[error("the corrected notice has the same lines and totals as the notice in force")]
    ReissueUnchanged,
    /// A receipt of 0 or less.
    #[error("a receipt must be more than 0 yen, got {amount}")]
    AmountNotPositive { amount: Yen },
    /// A receipt without a usable reference.
    #[error("a receipt needs a reference of 1 to {REFERENCE_MAX_CHARS} characters")]
    InvalidReference,
    /// The same reference twice.
    #[error("a receipt with reference {reference:?} is already recorded on this notice")]
    DuplicateReceipt { reference: String },
    /// A receipt dated before the month began.
    #[error("a receipt for {month} cannot be dated {received_on}, before the month begins")]
    ReceiptBeforeMonth { month: YearMonth, received_on: Date },
}

crate::refusal::refusal_by_inherent_methods!(EmployerNoticeError);

impl EmployerNoticeError {
    /// Stable snake_case code for API problem documents.
    pub fn code(&self) -> &'static str {
        use EmployerNoticeError as E;
        match self {
            E::NotIssued => "notice_not_found",
            E::AlreadyIssued { .. } => "notice_already_issued",
            E::InvalidOfficeCode { .. } => "invalid_office_code",
            E::DatedBeforeMonth { .. } => "dated_before_month",
            E::DuplicateLine { .. } => "duplicate_insured",
            E::TotalsMismatch { .. } => "totals_mismatch",
            E::BasisMismatch { .. } => "basis_mismatch",
            E::ReasonRequired => "reason_required",
            E::ReissueUnchanged => "reissue_unchanged",
            E::AmountNotPositive { .. } => "amount_not_positive",
            E::InvalidReference => "invalid_reference",
            E::DuplicateReceipt { .. } => "duplicate_receipt",
            E::ReceiptBeforeMonth { .. } => "receipt_before_month",
        }
    }

    /// HTTP-level category: 422 / 409 / 404.
    pub fn category(&self) -> ErrorCategory {
        use EmployerNoticeError as E;
        match self {
            E::NotIssued => ErrorCategory::NotFound,
            E::AlreadyIssued { .. } | E::ReissueUnchanged | E::DuplicateReceipt { .. } => {
                ErrorCategory::Conflict
            }
            _ => ErrorCategory::Invalid,
        }
    }
}
