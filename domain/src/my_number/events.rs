//! Events of the [`super::MyNumberRecord`] aggregate. A 個人番号 appears only inside a
//! [`Sealed`] value; every other field is non-sensitive. `event_type()` strings and
//! `event_version()` are stable: the sealed values are bound to the event type (design
//! §7.2), so renaming a type would make them unopenable.

use cqrs_es::DomainEvent;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::entry::NumberEntry;
use super::sealing::Sealed;
use super::values::{
    BranchNumber, FiveInfoField, MyNumberChangeReason, MyNumberDeletionReason, MyNumberSource,
    NotRegisteredReason,
};
use crate::calendar::Date;
use crate::qualification::Description;

/// An event of the [`super::MyNumberRecord`] aggregate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum MyNumberEvent {
    /// 個人番号 登録.
    MyNumberRegistered(MyNumberRegistered),
    /// 個人番号 変更.
    MyNumberChanged(MyNumberChanged),
    /// 個人番号 削除.
    MyNumberDeleted(MyNumberDeleted),
    /// 個人番号 未登録 (未登録理由).
    MyNumberNotRegistered(MyNumberNotRegistered),
    /// 被保険者枝番 登録.
    InsuredBranchNumberAssigned(InsuredBranchNumberAssigned),
    /// 被保険者枝番 変更.
    InsuredBranchNumberChanged(InsuredBranchNumberChanged),
    /// 5情報照合: all matched.
    FiveInfoVerified(FiveInfoVerified),
    /// 5情報照合: a mismatch.
    FiveInfoMismatchRecorded(FiveInfoMismatchRecorded),
    /// 消去 (crypto-shredding at the end of retention).
    MyNumberErased(MyNumberErased),
    /// A 登録 or 変更 keyed by one person, waiting for a second to confirm it (ダブルチェック).
    MyNumberEntryRecorded(MyNumberEntryRecorded),
    /// A pending entry withdrawn.
    MyNumberEntryWithdrawn(MyNumberEntryWithdrawn),
}

impl MyNumberEvent {
    /// Type of [`MyNumberRegistered`]; bound into its sealed value.
    pub const REGISTERED: &'static str = "MyNumberRegistered";
    /// Type of [`MyNumberChanged`]; bound into its sealed value.
    pub const CHANGED: &'static str = "MyNumberChanged";
    /// Type of [`MyNumberDeleted`].
    pub const DELETED: &'static str = "MyNumberDeleted";
    /// Type of [`MyNumberNotRegistered`].
    pub const NOT_REGISTERED: &'static str = "MyNumberNotRegistered";
    /// Type of [`InsuredBranchNumberAssigned`].
    pub const BRANCH_NUMBER_ASSIGNED: &'static str = "InsuredBranchNumberAssigned";
    /// Type of [`InsuredBranchNumberChanged`].
    pub const BRANCH_NUMBER_CHANGED: &'static str = "InsuredBranchNumberChanged";
    /// Type of [`FiveInfoVerified`].
    pub const FIVE_INFO_VERIFIED: &'static str = "FiveInfoVerified";
    /// Type of [`FiveInfoMismatchRecorded`].
    pub const FIVE_INFO_MISMATCH_RECORDED: &'static str = "FiveInfoMismatchRecorded";
    /// Type of [`MyNumberErased`].
    pub const ERASED: &'static str = "MyNumberErased";
    /// Type of [`MyNumberEntryRecorded`]; bound into its sealed value.
    pub const ENTRY_RECORDED: &'static str = "MyNumberEntryRecorded";
    /// Type of [`MyNumberEntryWithdrawn`].
    pub const ENTRY_WITHDRAWN: &'static str = "MyNumberEntryWithdrawn";

    /// Every event type string, for registries and upcasters.
    pub const EVENT_TYPES: [&'static str; 11] = [
        Self::REGISTERED,
        Self::CHANGED,
        Self::DELETED,
        Self::NOT_REGISTERED,
        Self::BRANCH_NUMBER_ASSIGNED,
        Self::BRANCH_NUMBER_CHANGED,
        Self::FIVE_INFO_VERIFIED,
        Self::FIVE_INFO_MISMATCH_RECORDED,
        Self::ERASED,
        Self::ENTRY_RECORDED,
        Self::ENTRY_WITHDRAWN,
    ];

    /// The event's type name (the variant name, also its serde tag).
    pub const fn type_name(&self) -> &'static str {
        match self {
            MyNumberEvent::MyNumberRegistered(_) => Self::REGISTERED,
            MyNumberEvent::MyNumberChanged(_) => Self::CHANGED,
            MyNumberEvent::MyNumberDeleted(_) => Self::DELETED,
            MyNumberEvent::MyNumberNotRegistered(_) => Self::NOT_REGISTERED,
            MyNumberEvent::InsuredBranchNumberAssigned(_) => Self::BRANCH_NUMBER_ASSIGNED,
            MyNumberEvent::InsuredBranchNumberChanged(_) => Self::BRANCH_NUMBER_CHANGED,
            MyNumberEvent::FiveInfoVerified(_) => Self::FIVE_INFO_VERIFIED,
            MyNumberEvent::FiveInfoMismatchRecorded(_) => Self::FIVE_INFO_MISMATCH_RECORDED,
            MyNumberEvent::MyNumberErased(_) => Self::ERASED,
            MyNumberEvent::MyNumberEntryRecorded(_) => Self::ENTRY_RECORDED,
            MyNumberEvent::MyNumberEntryWithdrawn(_) => Self::ENTRY_WITHDRAWN,
        }
    }

    /// The sealed value the event carries, if any.
    pub fn sealed(&self) -> Option<&Sealed> {
        match self {
            MyNumberEvent::MyNumberRegistered(e) => Some(&e.sealed),
            MyNumberEvent::MyNumberChanged(e) => Some(&e.sealed),
            MyNumberEvent::MyNumberEntryRecorded(e) => Some(&e.sealed),
            _ => None,
        }
    }
}

impl DomainEvent for MyNumberEvent {
    fn event_type(&self) -> String {
        self.type_name().to_string()
    }

    fn event_version(&self) -> String {
        "1.0".to_string()
    }
}

/// 個人番号 登録: the number, sealed (plaintext `{"n":…,"prev":null}`), with its source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MyNumberRegistered {
    /// The sealed 個人番号, bound to this event's stream version and type.
    pub sealed: Sealed,
    /// 入手元.
    pub source: MyNumberSource,
    /// 登録年月日.
    pub registered_on: Date,
    /// The confirmed entry (ダブルチェック); absent for registrations from before double entry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entry_id: Option<Uuid>,
}

/// 個人番号 変更: the new and the previous number sealed together
/// (plaintext `{"n":…,"prev":…}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MyNumberChanged {
    /// The sealed new 個人番号 and 変更前個人番号.
    pub sealed: Sealed,
    /// 変更理由.
    pub reason: MyNumberChangeReason,
    /// 変更年月日.
    pub changed_on: Date,
    /// The confirmed entry (ダブルチェック); absent for changes from before double entry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entry_id: Option<Uuid>,
}

/// 個人番号 削除.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MyNumberDeleted {
    /// 削除理由.
    pub reason: MyNumberDeletionReason,
    /// 削除年月日.
    pub deleted_on: Date,
}

/// 個人番号 未登録: why the number is not registered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MyNumberNotRegistered {
    /// 未登録理由.
    pub reason: NotRegisteredReason,
    /// The day the reason was recorded.
    pub recorded_on: Date,
}

/// 被保険者枝番 登録.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InsuredBranchNumberAssigned {
    /// 被保険者枝番.
    pub branch_number: BranchNumber,
    /// 登録年月日.
    pub assigned_on: Date,
}

/// 被保険者枝番 変更.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InsuredBranchNumberChanged {
    /// 変更前「被保険者枝番」.
    pub previous: BranchNumber,
    /// The new 被保険者枝番.
    pub branch_number: BranchNumber,
    /// 変更理由, when given.
    #[serde(default)]
    pub reason: Option<Description>,
    /// 変更年月日.
    pub changed_on: Date,
}

/// 5情報照合: all five matched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FiveInfoVerified {
    /// The day of the check.
    pub checked_on: Date,
}

/// 5情報照合: some fields did not match; nothing is taken from J-LIS (digest.md §4.5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FiveInfoMismatchRecorded {
    /// The fields that did not match, in [`FiveInfoField`] order, without repeats.
    pub mismatched: Vec<FiveInfoField>,
    /// The day of the check.
    pub checked_on: Date,
}

/// 消去: the person's data key was destroyed; every sealed value of the stream can no longer
/// be opened. Non-sensitive: the 管理簿 entry (digest.md §3 L1770; design §7.4 "Shred").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MyNumberErased {
    /// The destroyed data key's id.
    pub key_id: Uuid,
    /// The 管理簿 row.
    pub ledger_seq: i64,
    /// The rule the erasure follows.
    pub legal_basis: String,
    /// The day of erasure.
    pub erased_on: Date,
}

/// A 登録 or 変更 keyed by one person (ダブルチェック, first step): the number sealed
/// (plaintext `{"n":…,"prev":null}`) in this stream, so that erasure shreds it with the rest.
/// Registered only when a second person confirms it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MyNumberEntryRecorded {
    pub entry_id: Uuid,
    /// The sealed keyed 個人番号, bound to this event's stream version and type.
    pub sealed: Sealed,
    /// What the entry records once confirmed.
    pub entry: NumberEntry,
    /// Staff id of the person who keyed it.
    pub entered_by: String,
    pub entered_at: chrono::DateTime<chrono::Utc>,
}

/// A pending entry withdrawn, with the reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MyNumberEntryWithdrawn {
    pub entry_id: Uuid,
    /// Why it was withdrawn.
    pub reason: Description,
    /// Staff id of the person who withdrew it.
    pub withdrawn_by: String,
}
