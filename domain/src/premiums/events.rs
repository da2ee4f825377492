//! Events of the [`super::PremiumAccount`] aggregate. Every allocation (which month a receipt
//! paid, how much credit a month used, which months a loss cancelled) is decided when the
//! command is handled and carried in the event, so read models need not re-derive it.

use cqrs_es::DomainEvent;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use rust_decimal::Decimal;

use super::commands::PaymentChannel;
use crate::basis::Basis;
use crate::calendar::holidays::{next_business_day, HolidayCalendarError};
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
    /// 収納取消 (a recorded receipt reversed).
    ReceiptReversed(ReceiptReversed),
    /// 前納後の保険料率引上げによる不足額 (prepaid months reassessed).
    PrepaymentShortfallAssessed(PrepaymentShortfallAssessed),
}

impl PremiumAccountEvent {
    /// Every event type string.
    pub const EVENT_TYPES: [&'static str; 11] = [
        "AccountOpened",
        "MonthAssessed",
        "PrepaymentRecorded",
        "PremiumReceived",
        "ArrearsDetected",
        "AccountClosed",
        "RefundClaimed",
        "RefundDecided",
        "RefundPaid",
        "ReceiptReversed",
        "PrepaymentShortfallAssessed",
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
            PremiumAccountEvent::ReceiptReversed(_) => "ReceiptReversed",
            PremiumAccountEvent::PrepaymentShortfallAssessed(_) => "PrepaymentShortfallAssessed",
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

/// What happens to a due date that falls on a day the office is closed.
///
/// **Not stated in rules.md, decided here** (rules.md §3.4 only says "the 10th of that
/// month"): the society chooses, per account when it is opened, whether such a date moves to
/// the next business day ([`crate::calendar::holidays`]: Saturdays, Sundays, 国民の祝日 and
/// 休日, 12/29–1/3). Accounts opened before this rule existed recorded no choice and read as
/// [`HolidayShift::None`], so their recorded due dates never change.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum HolidayShift {
    /// The date as the rule gives it, whatever day it is.
    #[default]
    None,
    /// A date on a closed day moves to the next business day; a payment on that day is on
    /// time.
    NextBusinessDay,
}

impl HolidayShift {
    /// True for [`HolidayShift::None`] (omitted when serialized, so events recorded before
    /// the field existed and events recorded without a shift read the same).
    pub fn is_none(&self) -> bool {
        matches!(self, HolidayShift::None)
    }

    /// `date` moved as this rule says.
    pub fn apply(self, date: Date) -> Result<Date, HolidayCalendarError> {
        match self {
            HolidayShift::None => Ok(date),
            HolidayShift::NextBusinessDay => next_business_day(date),
        }
    }
}

/// When premiums are due (納付期日).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DueRule {
    /// Day of the month each month's premium is due in that month: 10 for 任継 (164条1項
    /// ただし書 "その月の10日"; rules.md §3.4); 特退 per the society's 規約.
    pub day_of_month: u32,
    /// The due date of the first premium, set by the society (37条2項; rules.md §3.7). It
    /// applies to the month of acquisition, and to any later month whose own due date would
    /// fall before it (a late application billed together).
    pub first_premium_due_on: Date,
    /// Whether a due date on a closed day moves to the next business day (both the monthly
    /// date and `first_premium_due_on`). Absent: [`HolidayShift::None`].
    #[serde(default, skip_serializing_if = "HolidayShift::is_none")]
    pub holiday_shift: HolidayShift,
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

/// Why a receipt is reversed (収納取消の理由).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReversalReason {
    /// 組戻し: the bank took the transfer back.
    BankRecall,
    /// 誤消込: the money was matched to the wrong account (record it on the right one).
    WronglyMatched,
    /// 入力誤り: a receipt entered by mistake (wrong amount, twice, …).
    EntryError,
    /// その他 (say what in `note`).
    Other,
}

/// 収納取消: a recorded [`PremiumReceived`] is reversed. The receipt stays in the history; the
/// money it brought is taken back, in this order (decided by the aggregate and carried here):
/// 1. the credit it created (its over-payment), as far as still held;
/// 2. the months it paid, newest first, as far as each still holds it;
/// 3. the rest of the credit held;
/// 4. the other paid months (not 前納), newest first — the ones an over-payment paid when it
///    was applied forward (164条2項).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ReceiptReversed {
    /// Stream version of the `PremiumReceived` reversed.
    pub receipt_version: i64,
    /// The receipt's amount, day and reference (as recorded).
    pub amount: Yen,
    pub received_on: Date,
    pub reference: String,
    /// 取消日.
    pub reversed_on: Date,
    pub reason: ReversalReason,
    /// Free text (bank notice number, the right account, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Taken back from months: each month's received goes down by the amount.
    pub unapplied: Vec<ReceiptApplication>,
    /// Taken back from the credit held.
    pub credit_withdrawn: Yen,
}

/// One prepaid month as a 前納 reassessment leaves it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ReassessedMonth {
    pub month: YearMonth,
    /// The unrounded monthly premium the 前納 was computed with.
    #[schema(value_type = String)]
    pub premium_before: Decimal,
    /// The unrounded monthly premium at the raised rate.
    #[schema(value_type = String)]
    pub premium_after: Decimal,
    /// Part of the shortfall this month carries (added to its assessed amount).
    pub shortfall: Yen,
    /// 納付期日 of that part when not paid with the 前納 top-up (the month's own due date,
    /// 平成9年 保険発第106号 2); none when the month carries nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_on: Option<Date>,
}

/// 前納後の保険料率引上げ: the prepaid months from the first month at the raised rate are
/// reassessed (rules.md §3.7; [`super::prepayment::shortfall`]): 不足額 = Y − X, Y the 前納額 of
/// those months at the new rate and X the same at the old rate, both discounted from that
/// month. It should be paid by `pay_by` (the end of the month before the increase); otherwise
/// the months carrying it are due on their own due dates, like any 任継 premium.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PrepaymentShortfallAssessed {
    /// First month at the raised rate.
    pub from_month: YearMonth,
    pub months: Vec<ReassessedMonth>,
    /// X: what is already prepaid for the months, valued at `from_month`.
    pub prepaid_value: Yen,
    /// Y: the 前納額 of the months at the raised rate.
    pub new_prepayment: Yen,
    /// 不足額 = Y − X (Σ of the months' shortfall).
    pub amount: Yen,
    /// 納付期限 of the top-up: the last day of the month before `from_month`.
    pub pay_by: Date,
    pub basis: Basis,
}
