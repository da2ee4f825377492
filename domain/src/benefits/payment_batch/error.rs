//! [`PaymentBatchError`]: why a command on a [`super::PaymentBatch`] was refused.

use thiserror::Error;
use uuid::Uuid;

use crate::calendar::Date;
use crate::money::Yen;
pub use crate::qualification::ErrorCategory;

/// A command refused by the [`super::PaymentBatch`] aggregate. [`PaymentBatchError::code`] is
/// the stable machine code.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PaymentBatchError {
    /// A result for a batch that was never created.
    #[error("payment batch not found: no 振込データ is recorded")]
    BatchNotFound,
    /// `Create` on a batch that exists: a batch is made once.
    #[error("the payment batch {batch_id} already exists; a batch is made once")]
    BatchAlreadyCreated { batch_id: Uuid },
    /// A batch without payments.
    #[error("a payment batch needs at least one payment")]
    NoPayments,
    /// More payments than the 合計件数 field holds.
    #[error("a payment batch holds at most {max} payments, got {count}")]
    TooManyPayments { count: usize, max: usize },
    /// A claim listed twice.
    #[error("the claim {claim_id} is listed twice")]
    DuplicateClaim { claim_id: Uuid },
    /// An amount out of its range.
    #[error("the payment of claim {claim_id} must be 1 to 9,999,999,999円, got {amount}")]
    InvalidAmount { claim_id: Uuid, amount: Yen },
    /// A total beyond the 合計金額 field.
    #[error("the batch total {total} exceeds 999,999,999,999円")]
    TotalTooLarge { total: Yen },
    /// A date before the one it must follow.
    #[error("{what} {date} is before {reference_what} {reference}")]
    DateOutOfOrder {
        what: &'static str,
        date: Date,
        reference_what: &'static str,
        reference: Date,
    },
    /// A bank result with no claim.
    #[error("a bank result needs at least one claim")]
    EmptyResult,
    /// A result for a claim the batch does not pay.
    #[error("the claim {claim_id} is not in this batch")]
    ClaimNotInBatch { claim_id: Uuid },
    /// A result naming one claim twice.
    #[error("the result names the claim {claim_id} twice")]
    DuplicateResult { claim_id: Uuid },
    /// A result that contradicts one recorded before.
    #[error("the claim {claim_id} was already settled as {recorded} on {settled_on}; this result says {given}")]
    ResultConflicts {
        claim_id: Uuid,
        recorded: &'static str,
        given: &'static str,
        settled_on: Date,
    },
    /// The approver made the batch (two-person rule: 作成者 ≠ 承認者).
    #[error("{staff_id} made this batch; it must be approved by another 給付課 member")]
    ApproverIsCreator { staff_id: String },
    /// A second approval.
    #[error("the batch was already approved by {approved_by}")]
    AlreadyApproved { approved_by: String },
    /// The transfer file of a batch not approved yet.
    #[error(
        "the batch is not approved yet (振込データ承認): its transfer file cannot be downloaded"
    )]
    NotApproved,
    /// A batch made before the maker was recorded: the rule cannot be checked.
    #[error("the batch does not record who made it; the two-person rule cannot be checked")]
    CreatorNotRecorded,
}

crate::refusal::refusal_by_inherent_methods!(PaymentBatchError);

impl PaymentBatchError {
    /// Stable snake_case code for API problem documents.
    pub fn code(&self) -> &'static str {
        use PaymentBatchError as E;
        match self {
            E::BatchNotFound => "batch_not_found",
            E::BatchAlreadyCreated { .. } => "batch_already_created",
            E::NoPayments => "no_payments",
            E::TooManyPayments { .. } => "too_many_payments",
            E::DuplicateClaim { .. } => "duplicate_claim",
            E::InvalidAmount { .. } => "invalid_amount",
            E::TotalTooLarge { .. } => "total_too_large",
            E::DateOutOfOrder { .. } => "date_out_of_order",
            E::EmptyResult => "empty_result",
            E::ClaimNotInBatch { .. } => "claim_not_in_batch",
            E::DuplicateResult { .. } => "duplicate_result",
            E::ResultConflicts { .. } => "result_conflicts",
            E::ApproverIsCreator { .. } => "two_person_rule",
            E::AlreadyApproved { .. } => "batch_already_approved",
            E::NotApproved => "batch_not_approved",
            E::CreatorNotRecorded => "batch_not_attributed",
        }
    }

    /// HTTP-level category of the error.
    pub fn category(&self) -> ErrorCategory {
        use PaymentBatchError as E;
        match self {
            E::BatchNotFound => ErrorCategory::NotFound,
            E::BatchAlreadyCreated { .. }
            | E::ResultConflicts { .. }
            | E::AlreadyApproved { .. }
            | E::NotApproved
            | E::CreatorNotRecorded => ErrorCategory::Conflict,
            E::ApproverIsCreator { .. } => ErrorCategory::Forbidden,
            E::NoPayments
            | E::TooManyPayments { .. }
            | E::DuplicateClaim { .. }
            | E::InvalidAmount { .. }
            | E::TotalTooLarge { .. }
            | E::DateOutOfOrder { .. }
            | E::EmptyResult
            | E::ClaimNotInBatch { .. }
            | E::DuplicateResult { .. } => ErrorCategory::Invalid,
        }
    }
}
