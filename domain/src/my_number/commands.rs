//! Commands on a [`super::MyNumberRecord`]. Built by the application layer (which parses the
//! request, checks duplicates against the blind index and decrypts the current number for a
//! 変更); no `Serialize`, and `Debug` shows numbers redacted.

use uuid::Uuid;

use super::entry::NumberEntry;
use super::number::MyNumber;
use super::values::{
    BranchNumber, FiveInfoField, MyNumberChangeReason, MyNumberDeletionReason, MyNumberSource,
    NotRegisteredReason,
};
use crate::calendar::Date;
use crate::qualification::Description;

/// A command on the [`super::MyNumberRecord`] aggregate (digest.md §1.4).
#[derive(Debug, Clone, PartialEq)]
pub enum MyNumberCommand {
    /// 登録 (個人番号記録 登録年月日, L1815). Refused while a number is registered, and after
    /// erasure.
    Register {
        /// 個人番号.
        number: MyNumber,
        /// 入手元.
        source: MyNumberSource,
        /// 登録年月日.
        registered_on: Date,
    },
    /// 変更 (変更年月日-変更理由, 変更前個人番号, L1816–1817). `previous` is the number now
    /// registered, opened by the application from [`super::MyNumberRecord::latest_sealed`];
    /// it is sealed together with the new number.
    Change {
        /// The new 個人番号.
        number: MyNumber,
        /// 変更前個人番号.
        previous: MyNumber,
        /// 変更理由.
        reason: MyNumberChangeReason,
        /// 変更年月日.
        changed_on: Date,
    },
    /// 削除 (削除年月日, L1818).
    Delete {
        /// 削除年月日.
        deleted_on: Date,
        /// 削除理由.
        reason: MyNumberDeletionReason,
    },
    /// 未登録 (未登録理由, L1819): the number is not registered, and why.
    RecordNotRegistered {
        /// 未登録理由.
        reason: NotRegisteredReason,
        /// The day the reason was recorded.
        recorded_on: Date,
    },
    /// 被保険者枝番 登録 (＜「被保険者枝番」記録＞ 登録年月日, L1821). Allowed after erasure.
    AssignBranchNumber {
        /// 被保険者枝番.
        branch_number: BranchNumber,
        /// 登録年月日.
        assigned_on: Date,
    },
    /// 被保険者枝番 変更 (変更年月日-変更理由, 変更前「被保険者枝番」, L1822–1823). Allowed after
    /// erasure.
    ChangeBranchNumber {
        /// The new 被保険者枝番.
        branch_number: BranchNumber,
        /// 変更理由, when given.
        reason: Option<Description>,
        /// 変更年月日.
        changed_on: Date,
    },
    /// 5情報照合: the result of comparing the 5情報 with J-LIS (digest.md §4.5). On a mismatch
    /// nothing is taken from J-LIS and the society checks with the person (L958, L1110–1111);
    /// not registering the number then is the application's concern.
    RecordFiveInfoVerification {
        /// True when all five matched.
        matched: bool,
        /// The fields that did not match: empty exactly when `matched`.
        mismatched: Vec<FiveInfoField>,
        /// The day of the check.
        checked_on: Date,
    },
    /// A 登録 or 変更 keyed by one person (ダブルチェック, first step): checked as the 登録 or
    /// 変更 would be, sealed, and pending until [`MyNumberCommand::ConfirmEntry`]. `previous`
    /// is the registered number (opened by the application), for a 変更's checks only.
    EnterNumber {
        entry_id: Uuid,
        /// 個人番号 as keyed.
        number: MyNumber,
        entry: NumberEntry,
        previous: Option<MyNumber>,
        /// Staff id of the person keying it.
        entered_by: String,
        entered_at: chrono::DateTime<chrono::Utc>,
    },
    /// The second person keys the number again from the form: equal to the entry's (`entered`,
    /// opened by the application from [`super::MyNumberRecord::pending_entry`]) and keyed by
    /// someone else, the entry is registered (the 登録 or 変更 event).
    ConfirmEntry {
        entry_id: Uuid,
        /// 個人番号 as keyed by the confirmer.
        number: MyNumber,
        /// The pending entry's number.
        entered: MyNumber,
        /// 変更前個人番号 for a 変更 (the registered number), else `None`.
        previous: Option<MyNumber>,
        /// Staff id of the confirmer.
        confirmed_by: String,
    },
    /// A pending entry withdrawn (by the person who entered it or another), with a reason.
    WithdrawEntry {
        entry_id: Uuid,
        reason: Description,
        withdrawn_by: String,
    },
    /// 消去: the person's key was destroyed at the end of retention (digest.md §3 L1763–1764,
    /// 管理簿 L1770; design §7.4 "Shred"). Records the 管理簿 entry; carries no number.
    Erase {
        /// The destroyed data key's id (`subject_keys.key_id`).
        key_id: Uuid,
        /// The 管理簿 row (`erasure_ledger.ledger_seq`), positive.
        ledger_seq: i64,
        /// The rule the erasure follows, e.g. "文書保存規程: 資格喪失後10年".
        legal_basis: String,
        /// The day of erasure.
        erased_on: Date,
    },
}

impl MyNumberCommand {
    /// True for the 被保険者枝番 commands, the only ones accepted after erasure (the
    /// 識別番号 ↔ 被保険者枝番 link survives the shredding of the number, digest.md §1.8).
    pub const fn is_branch_number_command(&self) -> bool {
        matches!(
            self,
            MyNumberCommand::AssignBranchNumber { .. } | MyNumberCommand::ChangeBranchNumber { .. }
        )
    }
}
