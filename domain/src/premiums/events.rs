//! Events of the [`super::PremiumAccount`] aggregate. Every allocation (which month a receipt
//! paid, how much credit a month used, which months a loss cancelled) is decided when the
//! command is handled and carried in the event, so read models need not re-derive it.

use cqrs_es::DomainEvent;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::commands::PaymentChannel;
use crate::basis::Basis;
use crate::calendar::{Date, YearMonth};
use crate::money::Yen;
use crate::qualification::{EnrollmentCategory, LossReason};

/// An event of the [`super::PremiumAccount`] aggregate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum PremiumAccountEvent {
    /// 口座開設.
    AccountOpened(AccountOpened),
    /// 保険料賦課額決定.
    MonthAssessed(MonthAssessed),
    /// 前納.
    PrepaymentRecorded(PrepaymentRecorded),
    /// 保険料収納.
    PremiumReceived(PremiumReceived),
    /// 未納.
    ArrearsDetected(ArrearsDetected),
    /// 資格喪失.
    AccountClosed(AccountClosed),
    /// 還付請求.
    RefundClaimed(RefundClaimed),
    /// 還付額決定.
    RefundDecided(RefundDecided),
    /// 還付金支払.
    RefundPaid(RefundPaid),
}

impl PremiumAccountEvent {
    /// Every event type string.
    pub const EVENT_TYPES: [&'static str; 9] = [
        "AccountOpened",
        "MonthAssessed",
        "PrepaymentRecorded",
        "PremiumReceived",
        "ArrearsDetected",
        "AccountClosed",
        "RefundClaimed",
        "RefundDecided",
        "RefundPaid",
    ];

    /// The event's type name (the variant name).
    pub const fn type_name(&self) -> &'static str {
        match self {
            PremiumAccountEvent::AccountOpened(_) => "AccountOpened",
            PremiumAccountEvent::MonthAssessed(_) => "MonthAssessed",
            PremiumAccountEvent::PrepaymentRecorded(_) => "PrepaymentRecorded",
            PremiumAccountEvent::PremiumReceived(_) => "PremiumReceived",
            PremiumAccountEvent::ArrearsDetected(_) => "ArrearsDetected",
            PremiumAccountEvent::AccountClosed(_) => "AccountClosed",
            PremiumAccountEvent::RefundClaimed(_) => "RefundClaimed",
            PremiumAccountEvent::RefundDecided(_) => "RefundDecided",
            PremiumAccountEvent::RefundPaid(_) => "RefundPaid",
        }
    }
}

impl DomainEvent for PremiumAccountEvent {
    fn event_type(&self) -> String {
        self.type_name().to_string()
    }

    fn event_version(&self) -> String {
        "1.0".to_string()
    }
}

/// When premiums are due (納付期日).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DueRule {
    /// Day of the month each month's premium is due in that month: 10 for 任継 (164条1項
    /// ただし書 "その月の10日"; rules.md §3.4); 特退 per the society's 規約. No holiday shift
    /// (no holiday calendar in the domain — the application may move the date).
    pub day_of_month: u32,
    /// The due date of the first premium, set by the society (37条2項; rules.md §3.7). It
    /// applies to the month of acquisition, and to any later month whose own due date would
    /// fall before it (a late application billed together).
    pub first_premium_due_on: Date,
}

/// 口座開設.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AccountOpened {
    pub person_id: Uuid,
    pub category: EnrollmentCategory,
    pub acquired_on: Date,
    pub standard_remuneration: Option<Yen>,
    pub due_rule: DueRule,
}

/// 保険料賦課額決定 for one month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MonthAssessed {
    pub month: YearMonth,
    pub premium: Yen,
    /// 納付期日 of the month.
    pub due_on: Date,
    /// Over-payment applied to this month (164条2項; rules.md §3.4).
    pub credit_applied: Yen,
    pub basis: Basis,
}

/// A month covered by a 前納, with its share of the 前納額.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PrepaidMonth {
    pub month: YearMonth,
    pub amount: Yen,
}

/// 前納 received: the months are assessed and paid (each deemed paid on its 1st, 165条3項).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PrepaymentRecorded {
    pub months: Vec<PrepaidMonth>,
    pub amount: Yen,
    pub received_on: Date,
    pub basis: Basis,
}

/// The part of a receipt applied to one month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ReceiptApplication {
    pub month: YearMonth,
    pub amount: Yen,
}

/// 保険料収納.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PremiumReceived {
    pub amount: Yen,
    pub received_on: Date,
    pub channel: PaymentChannel,
    pub reference: String,
    /// Applied to the oldest unpaid months first.
    pub applied: Vec<ReceiptApplication>,
    /// Kept as credit (over-payment).
    pub credited: Yen,
}

/// A month unpaid after its due date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MonthInArrears {
    pub month: YearMonth,
    pub due_on: Date,
    pub unpaid: Yen,
    /// The first premium: unpaid by its due date, the person is deemed never to have become
    /// 任継 (37条2項); any other month leads to loss on the day after its due date (38条3号),
    /// save for 正当な理由 — decided by the application layer.
    pub first_premium: bool,
}

/// 未納 detected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ArrearsDetected {
    pub as_of: Date,
    /// Months newly found in arrears.
    pub months: Vec<MonthInArrears>,
}

/// Why the account closed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ClosingReason {
    /// 資格喪失 (38条), with the 喪失理由 of 適用.
    Lost { reason: LossReason },
    /// First premium unpaid by its due date: deemed never to have become 任継 (37条2項);
    /// every month is cancelled.
    FirstPremiumUnpaid,
}

/// A month whose premium a loss cancelled; what had been received moves to credit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CancelledMonth {
    pub month: YearMonth,
    pub assessed: Yen,
    pub received: Yen,
}

/// 資格喪失.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AccountClosed {
    pub lost_on: Date,
    pub reason: ClosingReason,
    /// First month not charged (156条3項; all months for 37条2項).
    pub first_uncharged: YearMonth,
    pub cancelled: Vec<CancelledMonth>,
}

/// 還付請求 received.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RefundClaimed {
    pub claimed_on: Date,
}

/// 還付額決定.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RefundDecided {
    pub amount: Yen,
    pub decided_on: Date,
    pub basis: Basis,
}

/// 還付金 paid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RefundPaid {
    pub amount: Yen,
    pub paid_on: Date,
    pub reference: String,
}
