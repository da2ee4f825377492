//! The 保険料収納記録 of one premium account, folded from its events: the ledger by month,
//! the money received, the credit held, the refunds, and the totals.
//!
//! Every allocation (which months a receipt paid, the credit a month used, the months a loss
//! cancelled) is carried in the events (`kenpo_domain::premiums` decides it), so the fold only
//! adds up; it never re-derives a rule.

use std::collections::BTreeMap;

use kenpo_domain::calendar::{Date, YearMonth};
use kenpo_domain::money::Yen;
use kenpo_domain::premiums::{
    AccountOpened, ClosingReason, DueRule, PaymentChannel, PremiumAccountEvent, ReversalReason,
};
use kenpo_domain::qualification::EnrollmentCategory;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::customer_number::customer_number;

/// Whether the account still charges premiums.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AccountStatus {
    /// The member is insured; months are assessed.
    Open,
    /// 資格喪失: no month from the first uncharged month on.
    Closed,
}

impl AccountStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Closed => "closed",
        }
    }
}

/// Where a month stands (independent of any date: whether an unpaid month is 未納 depends on
/// the day asked about, see `query::arrears`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MonthStatus {
    /// Nothing received.
    Unpaid,
    /// Part received.
    PartiallyPaid,
    /// Fully received (収納済).
    Paid,
    /// Covered by a 前納.
    Prepaid,
    /// Assessed at 0 (the month of loss, 156条3項).
    NoPremium,
    /// Cancelled by the loss of the qualification; what had been received became credit.
    Cancelled,
}

impl MonthStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unpaid => "unpaid",
            Self::PartiallyPaid => "partially_paid",
            Self::Paid => "paid",
            Self::Prepaid => "prepaid",
            Self::NoPremium => "no_premium",
            Self::Cancelled => "cancelled",
        }
    }
}

/// One month (月分) of the ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LedgerMonth {
    pub month: YearMonth,
    /// 納付期日.
    pub due_on: Date,
    /// 賦課額.
    pub assessed: Yen,
    /// 収納額 applied to the month (receipts, credit, 前納).
    pub received: Yen,
    /// assessed − received.
    pub balance: Yen,
    pub status: MonthStatus,
    pub prepaid: bool,
    pub cancelled: bool,
    /// Over-payment applied to the month when it was assessed (164条2項).
    pub credit_applied: Yen,
    /// The `as_of` of the 未納 check (ArrearsDetected) that first reported the month.
    pub arrears_detected_as_of: Option<Date>,
}

impl LedgerMonth {
    fn refresh(&mut self) {
        self.balance = self.assessed - self.received;
        self.status = if self.cancelled {
            MonthStatus::Cancelled
        } else if self.prepaid && self.received < self.assessed {
            // A 前納 shortfall after a rate rise is owing.
            MonthStatus::PartiallyPaid
        } else if self.prepaid {
            MonthStatus::Prepaid
        } else if self.assessed == Yen::ZERO {
            MonthStatus::NoPremium
        } else if self.received >= self.assessed {
            MonthStatus::Paid
        } else if self.received > Yen::ZERO {
            MonthStatus::PartiallyPaid
        } else {
            MonthStatus::Unpaid
        };
    }
}

/// How money came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReceiptKind {
    /// 保険料収納.
    Receipt,
    /// 前納.
    Prepayment,
}

/// Money received.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ReceiptEntry {
    pub received_on: Date,
    pub amount: Yen,
    pub kind: ReceiptKind,
    /// For a receipt: how it arrived.
    pub channel: Option<PaymentChannel>,
    /// The payment's reference (bank 取引番号, …).
    pub reference: String,
    /// Part kept as credit (over-payment).
    pub credited: Yen,
    /// Global position of the event (the receipt's id for a reversal).
    pub position: i64,
    /// Stream version of the event.
    #[serde(default)]
    pub version: i64,
    /// Set once the receipt is reversed (収納取消); the entry stays.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reversal: Option<ReversalView>,
}

/// A receipt's reversal (収納取消).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ReversalView {
    pub reversed_on: Date,
    pub reason: ReversalReason,
    pub note: Option<String>,
    /// Taken back from the credit held.
    pub credit_withdrawn: Yen,
    /// Global position of the `ReceiptReversed` event.
    pub position: i64,
}

/// A 前納 shortfall after a rate rise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ShortfallView {
    /// First month at the raised rate.
    pub from_month: YearMonth,
    /// 不足額.
    pub amount: Yen,
    /// 納付期限 of the top-up (the end of the month before `from_month`).
    pub pay_by: Date,
    /// Global position of the event.
    pub position: i64,
}

/// Where a refund (還付) stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RefundStatus {
    /// 還付請求 received.
    Claimed,
    /// 還付額決定.
    Decided,
    /// 還付金 paid.
    Paid,
}

impl RefundStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Claimed => "claimed",
            Self::Decided => "decided",
            Self::Paid => "paid",
        }
    }
}

/// One refund (還付).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RefundView {
    /// 1, 2, … within the account.
    pub claim_number: i32,
    pub claimed_on: Date,
    pub amount: Option<Yen>,
    pub decided_on: Option<Date>,
    pub paid_on: Option<Date>,
    /// The transfer's reference.
    pub reference: Option<String>,
    pub status: RefundStatus,
}

/// The account's totals.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Totals {
    /// Σ assessed (cancelled months count 0).
    pub assessed: Yen,
    /// Σ money received (receipts and 前納).
    pub received: Yen,
    /// Σ refunds paid.
    pub refunded: Yen,
    /// Over-payment and payments for cancelled months not applied to any month and not yet
    /// decided as a refund.
    pub credit: Yen,
    /// Refunds decided and not paid.
    pub pending_refund: Yen,
    /// Σ month balances: what the member owes on assessed months.
    pub outstanding: Yen,
    /// assessed − received + refunded: positive = owed by the member, negative = held for
    /// the member. Always `outstanding − credit − pending_refund`.
    pub balance: Yen,
}

/// The premium account (保険料収納記録) of one 任意継続 / 特例退職 insured.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PremiumAccountView {
    pub person_id: Uuid,
    /// 顧客番号: the reference the member quotes when paying (see `customer_number`).
    pub customer_number: Option<String>,
    pub category: EnrollmentCategory,
    /// 資格取得日 of the 任継 / 特退 qualification.
    pub acquired_on: Date,
    /// 標準報酬月額 at the loss of the 強制 qualification (任継) or as recorded (特退); the
    /// 任継 上限 is applied per month.
    pub standard_remuneration: Option<Yen>,
    pub due_rule: DueRule,
    pub status: AccountStatus,
    pub lost_on: Option<Date>,
    pub closing_reason: Option<ClosingReason>,
    /// First month not charged after the loss.
    pub first_uncharged: Option<YearMonth>,
    /// The ledger, oldest month first.
    pub months: Vec<LedgerMonth>,
    pub receipts: Vec<ReceiptEntry>,
    pub refunds: Vec<RefundView>,
    /// 前納 shortfalls after rate rises (omitted when none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub prepayment_shortfalls: Vec<ShortfallView>,
    pub totals: Totals,
    /// Position of the `AccountOpened` event.
    pub opened_at_position: i64,
    pub stream_version: i64,
}

impl PremiumAccountView {
    /// The view as the opening event leaves it.
    pub fn opened(person_id: Uuid, version: i64, position: i64, e: &AccountOpened) -> Self {
        Self {
            person_id,
            customer_number: customer_number(position),
            category: e.category,
            acquired_on: e.acquired_on,
            standard_remuneration: e.standard_remuneration,
            due_rule: e.due_rule,
            status: AccountStatus::Open,
            lost_on: None,
            closing_reason: None,
            first_uncharged: None,
            months: Vec::new(),
            receipts: Vec::new(),
            refunds: Vec::new(),
            prepayment_shortfalls: Vec::new(),
            totals: Totals::default(),
            opened_at_position: position,
            stream_version: version,
        }
    }

    /// Fold one more event (not the opening one) into the view.
    pub fn apply(&mut self, version: i64, position: i64, event: &PremiumAccountEvent) {
        self.stream_version = version;
        let mut months: BTreeMap<YearMonth, LedgerMonth> =
            self.months.drain(..).map(|m| (m.month, m)).collect();
        match event {
            PremiumAccountEvent::AccountOpened(_) => {}
            PremiumAccountEvent::MonthAssessed(e) => {
                self.totals.credit -= e.credit_applied;
                months.insert(
                    e.month,
                    LedgerMonth {
                        month: e.month,
                        due_on: e.due_on,
                        assessed: e.premium,
                        received: e.credit_applied,
                        balance: Yen::ZERO,
                        status: MonthStatus::Unpaid,
                        prepaid: false,
                        cancelled: false,
                        credit_applied: e.credit_applied,
                        arrears_detected_as_of: None,
                    },
                );
            }
            PremiumAccountEvent::PrepaymentRecorded(e) => {
                self.totals.received += e.amount;
                for m in &e.months {
                    months.insert(
                        m.month,
                        LedgerMonth {
                            month: m.month,
                            due_on: m.month.first_day(),
                            assessed: m.amount,
                            received: m.amount,
                            balance: Yen::ZERO,
                            status: MonthStatus::Prepaid,
                            prepaid: true,
                            cancelled: false,
                            credit_applied: Yen::ZERO,
                            arrears_detected_as_of: None,
                        },
                    );
                }
                self.receipts.push(ReceiptEntry {
                    received_on: e.received_on,
                    amount: e.amount,
                    kind: ReceiptKind::Prepayment,
                    channel: None,
                    reference: String::new(),
                    credited: Yen::ZERO,
                    position,
                    version,
                    reversal: None,
                });
            }
            PremiumAccountEvent::PremiumReceived(e) => {
                self.totals.received += e.amount;
                for a in &e.applied {
                    if let Some(m) = months.get_mut(&a.month) {
                        m.received += a.amount;
                    }
                }
                self.totals.credit += e.credited;
                self.receipts.push(ReceiptEntry {
                    received_on: e.received_on,
                    amount: e.amount,
                    kind: ReceiptKind::Receipt,
                    channel: Some(e.channel),
                    reference: e.reference.clone(),
                    credited: e.credited,
                    position,
                    version,
                    reversal: None,
                });
            }
            PremiumAccountEvent::ReceiptReversed(e) => {
                self.totals.received -= e.amount;
                for a in &e.unapplied {
                    if let Some(m) = months.get_mut(&a.month) {
                        m.received -= a.amount;
                    }
                }
                self.totals.credit -= e.credit_withdrawn;
                if let Some(r) = self
                    .receipts
                    .iter_mut()
                    .find(|r| r.kind == ReceiptKind::Receipt && r.version == e.receipt_version)
                {
                    r.reversal = Some(ReversalView {
                        reversed_on: e.reversed_on,
                        reason: e.reason,
                        note: e.note.clone(),
                        credit_withdrawn: e.credit_withdrawn,
                        position,
                    });
                }
            }
            PremiumAccountEvent::PrepaymentShortfallAssessed(e) => {
                for r in &e.months {
                    if let Some(m) = months.get_mut(&r.month) {
                        m.assessed += r.shortfall;
                        if let Some(due_on) = r.due_on {
                            m.due_on = due_on;
                        }
                    }
                }
                self.prepayment_shortfalls.push(ShortfallView {
                    from_month: e.from_month,
                    amount: e.amount,
                    pay_by: e.pay_by,
                    position,
                });
            }
            PremiumAccountEvent::ArrearsDetected(e) => {
                for a in &e.months {
                    if let Some(m) = months.get_mut(&a.month) {
                        m.arrears_detected_as_of.get_or_insert(e.as_of);
                    }
                }
            }
            PremiumAccountEvent::AccountClosed(e) => {
                for c in &e.cancelled {
                    if let Some(m) = months.get_mut(&c.month) {
                        m.assessed = Yen::ZERO;
                        m.received = Yen::ZERO;
                        m.cancelled = true;
                    }
                    self.totals.credit += c.received;
                }
                self.status = AccountStatus::Closed;
                self.lost_on = Some(e.lost_on);
                self.closing_reason = Some(e.reason.clone());
                self.first_uncharged = Some(e.first_uncharged);
            }
            PremiumAccountEvent::RefundClaimed(e) => {
                let claim_number = i32::try_from(self.refunds.len() + 1).unwrap_or(i32::MAX);
                self.refunds.push(RefundView {
                    claim_number,
                    claimed_on: e.claimed_on,
                    amount: None,
                    decided_on: None,
                    paid_on: None,
                    reference: None,
                    status: RefundStatus::Claimed,
                });
            }
            PremiumAccountEvent::RefundDecided(e) => {
                self.totals.credit -= e.amount;
                self.totals.pending_refund += e.amount;
                if let Some(r) = self
                    .refunds
                    .iter_mut()
                    .rev()
                    .find(|r| r.status == RefundStatus::Claimed)
                {
                    r.amount = Some(e.amount);
                    r.decided_on = Some(e.decided_on);
                    r.status = RefundStatus::Decided;
                }
            }
            PremiumAccountEvent::RefundPaid(e) => {
                self.totals.pending_refund -= e.amount;
                self.totals.refunded += e.amount;
                if let Some(r) = self
                    .refunds
                    .iter_mut()
                    .rev()
                    .find(|r| r.status == RefundStatus::Decided)
                {
                    r.paid_on = Some(e.paid_on);
                    r.reference = Some(e.reference.clone());
                    r.status = RefundStatus::Paid;
                }
            }
        }
        self.months = months.into_values().collect();
        for m in &mut self.months {
            m.refresh();
        }
        self.totals.assessed = self.months.iter().map(|m| m.assessed).sum();
        self.totals.outstanding = self.months.iter().map(|m| m.balance).sum();
        self.totals.balance = self.totals.assessed - self.totals.received + self.totals.refunded;
    }
}

/// The months an event writes (the ledger rows to save).
pub fn months_touched(event: &PremiumAccountEvent) -> Vec<YearMonth> {
    match event {
        PremiumAccountEvent::MonthAssessed(e) => vec![e.month],
        PremiumAccountEvent::PrepaymentRecorded(e) => e.months.iter().map(|m| m.month).collect(),
        PremiumAccountEvent::PremiumReceived(e) => e.applied.iter().map(|a| a.month).collect(),
        PremiumAccountEvent::ArrearsDetected(e) => e.months.iter().map(|m| m.month).collect(),
        PremiumAccountEvent::AccountClosed(e) => e.cancelled.iter().map(|c| c.month).collect(),
        PremiumAccountEvent::ReceiptReversed(e) => e.unapplied.iter().map(|a| a.month).collect(),
        PremiumAccountEvent::PrepaymentShortfallAssessed(e) => {
            e.months.iter().map(|m| m.month).collect()
        }
        PremiumAccountEvent::AccountOpened(_)
        | PremiumAccountEvent::RefundClaimed(_)
        | PremiumAccountEvent::RefundDecided(_)
        | PremiumAccountEvent::RefundPaid(_) => Vec::new(),
    }
}
