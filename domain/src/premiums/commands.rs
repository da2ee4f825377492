//! Commands on a [`super::PremiumAccount`]. Bodies are the HTTP request bodies (snake_case,
//! unknown fields rejected).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::events::{ClosingReason, DueRule, PrepaidMonth};
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
