//! Events of the [`super::EmployerNotice`] aggregate. `event_type()` strings and
//! `event_version()` are stable.

use cqrs_es::DomainEvent;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::values::{NoticeLine, NoticeStatus, NoticeTotals, ReceiptKind};
use crate::basis::Basis;
use crate::calendar::{Date, YearMonth};
use crate::money::Yen;

/// An event of the [`super::EmployerNotice`] aggregate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum EmployerNoticeEvent {
    /// 納入告知.
    NoticeIssued(NoticeIssued),
    /// 訂正告知.
    NoticeReissued(NoticeReissued),
    /// 収納.
    NoticeReceiptRecorded(NoticeReceiptRecorded),
}

impl EmployerNoticeEvent {
    /// Every event type string.
    pub const EVENT_TYPES: [&'static str; 3] =
        ["NoticeIssued", "NoticeReissued", "NoticeReceiptRecorded"];

    /// The event's type name (the variant name, also its serde tag).
    pub const fn type_name(&self) -> &'static str {
        match self {
            Self::NoticeIssued(_) => "NoticeIssued",
            Self::NoticeReissued(_) => "NoticeReissued",
            Self::NoticeReceiptRecorded(_) => "NoticeReceiptRecorded",
        }
    }
}

impl DomainEvent for EmployerNoticeEvent {
    fn event_type(&self) -> String {
        self.type_name().to_owned()
    }

    fn event_version(&self) -> String {
        "1.0".to_owned()
    }
}

/// 納入告知: the notice of one 事業所 for one month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct NoticeIssued {
    /// 事業所コード.
    pub office_code: String,
    /// 月分.
    pub month: YearMonth,
    /// 告知日.
    pub issued_on: Date,
    /// 納期限: the last day of the next month (164条1項).
    pub due_on: Date,
    /// One line per insured person of the 事業所 in the month.
    pub lines: Vec<NoticeLine>,
    pub totals: NoticeTotals,
    /// 算定根拠.
    pub basis: Basis,
}

/// 訂正告知: a corrected notice; the previous one stays in the stream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct NoticeReissued {
    /// 2 for the first correction, and so on.
    pub revision: u32,
    /// 訂正告知日.
    pub reissued_on: Date,
    /// 訂正理由.
    pub reason: String,
    /// 納入告知額 before the correction.
    pub previous_notice_amount: Yen,
    pub lines: Vec<NoticeLine>,
    pub totals: NoticeTotals,
    pub basis: Basis,
    /// Status after the correction (against what was received so far).
    pub status: NoticeStatus,
}

/// 収納: a payment received against the notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct NoticeReceiptRecorded {
    /// 収納額.
    pub amount: Yen,
    /// 収納日.
    pub received_on: Date,
    /// The payment's reference.
    pub reference: String,
    /// Against what was outstanding before it.
    pub kind: ReceiptKind,
    /// Σ received after it.
    pub received_total: Yen,
    /// 告知額 − Σ received (negative = 過納).
    pub outstanding: Yen,
    /// Status after it.
    pub status: NoticeStatus,
}
