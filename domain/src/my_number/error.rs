//! [`MyNumberRecordError`]: why a command on a [`super::MyNumberRecord`] was refused. No
//! message contains a 個人番号 (design/my-number-security.md §7.5 invariant 1).

use thiserror::Error;

use super::sealing::SealError;
use crate::calendar::Date;
use crate::qualification::{ErrorCategory, ValueError};
use crate::refusal::{Refusal, RefusalCategory};

/// A command refused by the [`super::MyNumberRecord`] aggregate, or a sealing failure.
/// [`MyNumberRecordError::code`] is the stable machine code.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum MyNumberRecordError {
    /// Any command but the 被保険者枝番 ones after 消去 (erasure).
    #[error("the 個人番号 (My Number) of this person was erased (消去) on {erased_on}; only the 被保険者枝番 can still be recorded")]
    Erased { erased_on: Date },
    /// 登録 while a number is registered.
    #[error("a 個人番号 (My Number) is already registered for this person (since {since}); record a 変更 (change) or 削除 (deletion) instead")]
    AlreadyRegistered { since: Date },
    /// 変更 / 削除 with no number registered.
    #[error("no 個人番号 (My Number) is registered for this person")]
    NotRegistered,
    /// 変更 to the number already registered.
    #[error("the new 個人番号 (My Number) is the same as the previous one")]
    Unchanged,
    /// A date before the one the current record took effect.
    #[error("the {what} date {date} is before {since}, when the current record took effect")]
    DateOutOfOrder {
        what: &'static str,
        date: Date,
        since: Date,
    },
    /// 被保険者枝番 登録 when one is already assigned.
    #[error("a 被保険者枝番 (insured branch number) is already assigned (since {since}); record a change instead")]
    BranchNumberAlreadyAssigned { since: Date },
    /// 被保険者枝番 変更 when none is assigned.
    #[error("no 被保険者枝番 (insured branch number) is assigned to this person")]
    BranchNumberNotAssigned,
    /// 被保険者枝番 変更 to the current one.
    #[error("the new 被保険者枝番 (insured branch number) is the same as the current one")]
    BranchNumberUnchanged,
    /// `matched` and `mismatched` contradict each other.
    #[error("5情報照合: {detail}")]
    FiveInfoInconsistent { detail: &'static str },
    /// A field of the command is not well formed.
    #[error(transparent)]
    InvalidValue(ValueError),
    /// The 管理簿 sequence is not positive.
    #[error("the erasure ledger (管理簿) sequence must be positive, got {ledger_seq}")]
    InvalidLedgerSeq { ledger_seq: i64 },
    /// A 登録 or 変更 entry while another is pending confirmation.
    #[error("an entry ({entry_id}) of this person's 個人番号 (My Number) is waiting for confirmation (ダブルチェック); confirm or withdraw it first")]
    EntryPending { entry_id: uuid::Uuid },
    /// No entry with this id for this person.
    #[error("there is no 個人番号 (My Number) entry {entry_id} for this person")]
    EntryNotFound { entry_id: uuid::Uuid },
    /// The entry was already confirmed or withdrawn.
    #[error("the 個人番号 (My Number) entry {entry_id} is no longer pending: it was {closed}")]
    EntryNotPending {
        entry_id: uuid::Uuid,
        closed: &'static str,
    },
    /// The confirmer is the person who keyed the entry.
    #[error("the 個人番号 (My Number) entry must be confirmed by someone other than the person who keyed it (ダブルチェック)")]
    SamePerson,
    /// The confirmer keyed a different number.
    #[error("the 個人番号 (My Number) keyed for confirmation differs from the entry; nothing was registered and the entry is still pending (check the form and key it again)")]
    DoubleCheckMismatch,
    /// The [`super::Sealer`] failed: not a refusal but an internal failure.
    #[error(transparent)]
    SealFailed(SealError),
}

impl Refusal for MyNumberRecordError {
    fn code(&self) -> &'static str {
        MyNumberRecordError::code(self)
    }

    /// [`RefusalCategory::Internal`] where the inherent [`MyNumberRecordError::category`] says
    /// `None` ([`MyNumberRecordError::SealFailed`]).
    fn category(&self) -> RefusalCategory {
        MyNumberRecordError::category(self).unwrap_or(RefusalCategory::Internal)
    }
}

impl MyNumberRecordError {
    /// Stable snake_case code for API problem documents.
    pub fn code(&self) -> &'static str {
        use MyNumberRecordError as E;
        match self {
            E::Erased { .. } => "my_number_erased",
            E::AlreadyRegistered { .. } => "my_number_already_registered",
            E::NotRegistered => "my_number_not_registered",
            E::Unchanged => "my_number_unchanged",
            E::DateOutOfOrder { .. } => "my_number_date_out_of_order",
            E::BranchNumberAlreadyAssigned { .. } => "my_number_branch_number_already_assigned",
            E::BranchNumberNotAssigned => "my_number_branch_number_not_assigned",
            E::BranchNumberUnchanged => "my_number_branch_number_unchanged",
            E::FiveInfoInconsistent { .. } => "my_number_five_info_inconsistent",
            E::InvalidValue(_) => "my_number_invalid_value",
            E::InvalidLedgerSeq { .. } => "my_number_invalid_ledger_seq",
            E::EntryPending { .. } => "my_number_entry_pending",
            E::EntryNotFound { .. } => "my_number_entry_not_found",
            E::EntryNotPending { .. } => "my_number_entry_not_pending",
            E::SamePerson => "two_person_rule",
            E::DoubleCheckMismatch => "my_number_double_check_mismatch",
            E::SealFailed(_) => "my_number_seal_failed",
        }
    }

    /// HTTP-level category of a refusal; `None` for [`MyNumberRecordError::SealFailed`], which
    /// is an internal failure (500), not something the caller can fix.
    pub fn category(&self) -> Option<ErrorCategory> {
        use MyNumberRecordError as E;
        match self {
            E::NotRegistered | E::BranchNumberNotAssigned | E::EntryNotFound { .. } => {
                Some(ErrorCategory::NotFound)
            }
            E::SamePerson => Some(ErrorCategory::Forbidden),
            E::EntryPending { .. } | E::EntryNotPending { .. } => Some(ErrorCategory::Conflict),
            E::DoubleCheckMismatch => Some(ErrorCategory::Invalid),
            E::Erased { .. }
            | E::AlreadyRegistered { .. }
            | E::DateOutOfOrder { .. }
            | E::BranchNumberAlreadyAssigned { .. } => Some(ErrorCategory::Conflict),
            E::Unchanged
            | E::BranchNumberUnchanged
            | E::FiveInfoInconsistent { .. }
            | E::InvalidValue(_)
            | E::InvalidLedgerSeq { .. } => Some(ErrorCategory::Invalid),
            E::SealFailed(_) => None,
        }
    }
}
