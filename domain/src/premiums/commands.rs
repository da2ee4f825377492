//! Commands on a [`super::PremiumAccount`]. Bodies are the HTTP request bodies (snake_case,
//! unknown fields rejected).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::events::{ClosingReason, DueRule, PrepaidMonth, ReassessedMonth, ReversalReason};
use crate::basis::Basis;
use crate::calendar::{Date, YearMonth};
use crate::money::Yen;
use crate::qualification::EnrollmentCategory;

/// A command on the [`super::PremiumAccount`] aggregate.
#[derive(Debug, Clone, PartialEq)]
pub enum PremiumAccountCommand {
    /// 口座開設: the 任継 / 特退 qualification began.
    Open(AccountOpening),
    /// 保険料賦課額決定 for one month.
    AssessMonth(MonthAssessment),
    /// 前納 received.
    RecordPrepayment(PrepaymentRecord),
    /// 保険料収納.
    RecordReceipt(ReceiptRecord),
    /// 未納 check.
    DetectArrears(ArrearsDetection),
    /// 資格喪失.
    Close(AccountClosing),
    /// 還付請求 received (digest.md §2.2 2-①).
    ClaimRefund(RefundClaim),
    /// 還付額決定 (2-②).
    DecideRefund(RefundDecision),
    /// 還付金 paid (2-③).
    PayRefund(RefundPayment),
    /// 収納取消: reverse one recorded receipt.
    ReverseReceipt(ReceiptReversal),
    /// 初回保険料の未納 (37条2項): record the first premium unpaid by its due date as
    /// `ArrearsDetected` (every first-premium month with what was not paid on time).
    DetectFirstPremiumDefault(ArrearsDetection),
    /// 前納後の保険料率引上げ: record the shortfall of the prepaid months.
    AssessPrepaymentShortfall(PrepaymentShortfallRecord),
}

/// Body of [`PremiumAccountCommand::Open`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountOpening {
    /// The insured person's id (the stream id).
    pub person_id: Uuid,
    /// 任意継続 or 特例退職.
    pub category: EnrollmentCategory,
    /// 資格取得日.
    pub acquired_on: Date,
    /// 標準報酬月額 (required for 任継, 47条).
    pub standard_remuneration: Option<Yen>,
    /// When each month's premium is due.
    pub due_rule: DueRule,
}

/// Body of [`PremiumAccountCommand::AssessMonth`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MonthAssessment {
    pub month: YearMonth,
    pub premium: Yen,
    /// From [`super::voluntary::voluntary_premium`]; its `result_yen` must equal `premium`.
    pub basis: Basis,
}

/// Body of [`PremiumAccountCommand::RecordPrepayment`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PrepaymentRecord {
    /// The prepaid months with their allocated amounts
    /// ([`super::prepayment::Prepayment::months`]).
    pub months: Vec<PrepaidMonth>,
    /// 前納額 received.
    pub amount: Yen,
    /// Day the 前納額 was received.
    pub received_on: Date,
    /// From [`super::prepayment::prepayment`]; its `result_yen` must equal `amount`.
    pub basis: Basis,
}

/// How a payment arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PaymentChannel {
    /// 銀行振込.
    BankTransfer,
    /// コンビニ収納.
    ConvenienceStore,
    /// 口座振替.
    AccountTransfer,
    /// 現金.
    Cash,
}

/// Body of [`PremiumAccountCommand::RecordReceipt`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReceiptRecord {
    pub amount: Yen,
    pub received_on: Date,
    pub channel: PaymentChannel,
    /// The payment's reference (bank / store / transfer id); unique per account.
    pub reference: String,
}

/// Body of [`PremiumAccountCommand::DetectArrears`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ArrearsDetection {
    pub as_of: Date,
}

/// Body of [`PremiumAccountCommand::Close`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountClosing {
    /// 資格喪失日 (for [`ClosingReason::FirstPremiumUnpaid`]: the acquisition date).
    pub lost_on: Date,
    pub reason: ClosingReason,
}

/// Body of [`PremiumAccountCommand::ClaimRefund`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefundClaim {
    pub claimed_on: Date,
}

/// Body of [`PremiumAccountCommand::DecideRefund`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefundDecision {
    pub amount: Yen,
    pub decided_on: Date,
    /// Its `result_yen` must equal `amount`.
    pub basis: Basis,
}

/// Body of [`PremiumAccountCommand::PayRefund`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefundPayment {
    pub paid_on: Date,
    /// The transfer's reference.
    pub reference: String,
}

/// Body of [`PremiumAccountCommand::ReverseReceipt`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReceiptReversal {
    /// Stream version of the `PremiumReceived` event to reverse.
    pub receipt_version: i64,
    /// 取消日 (not before the receipt's day).
    pub reversed_on: Date,
    pub reason: ReversalReason,
    /// Free text, at most [`ReceiptReversal::NOTE_MAX_CHARS`] characters.
    #[serde(default)]
    pub note: Option<String>,
}

impl ReceiptReversal {
    /// Longest note accepted.
    pub const NOTE_MAX_CHARS: usize = 500;
}

/// Body of [`PremiumAccountCommand::AssessPrepaymentShortfall`], from
/// [`super::prepayment::shortfall`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PrepaymentShortfallRecord {
    /// The day of the reassessment: every month must begin after it (a month begun is deemed
    /// paid on its 1st, 165条3項).
    pub as_of: Date,
    /// The prepaid months from the first month at the raised rate, consecutive, one 前納
    /// (their `due_on` is filled by the aggregate).
    pub months: Vec<ReassessedMonth>,
    pub prepaid_value: Yen,
    pub new_prepayment: Yen,
    pub amount: Yen,
    pub basis: Basis,
}
