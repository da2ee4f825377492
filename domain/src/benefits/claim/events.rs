//! Events of the [`super::BenefitClaim`] aggregate. Each carries everything a read model
//! needs (the 給付ファイル items of digest.md §1.2); `event_type()` strings and
//! `event_version()` are stable.

use cqrs_es::DomainEvent;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::values::{
    AmountOverride, BankReference, BenefitKind, ClaimPeriod, EmployerCertification, Outcome, Payee,
};
use crate::basis::Basis;
use crate::calendar::Date;
use crate::money::Yen;
use crate::qualification::Description;

/// An event of the [`super::BenefitClaim`] aggregate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum BenefitClaimEvent {
    /// 給付申請 受付.
    ClaimReceived(ClaimReceived),
    /// 受付登録.
    ClaimRegistered(ClaimRegistered),
    /// 給付金計算.
    ClaimCalculated(ClaimCalculated),
    /// 支給決定 / 不支給決定.
    ClaimDecided(ClaimDecided),
    /// 支払指示.
    PaymentInstructed(PaymentInstructed),
    /// 支払済.
    ClaimPaid(ClaimPaid),
    /// 支払不能.
    PaymentFailed(PaymentFailed),
    /// 決定通知書 発送.
    NoticeSent(NoticeSent),
    /// 決定の訂正.
    DecisionCorrected(DecisionCorrected),
    /// 取下げ.
    ClaimWithdrawn(ClaimWithdrawn),
}

impl BenefitClaimEvent {
    /// Every event type string, for registries and upcasters.
    pub const EVENT_TYPES: [&'static str; 10] = [
        "ClaimReceived",
        "ClaimRegistered",
        "ClaimCalculated",
        "ClaimDecided",
        "PaymentInstructed",
        "ClaimPaid",
        "PaymentFailed",
        "NoticeSent",
        "DecisionCorrected",
        "ClaimWithdrawn",
    ];

    /// The event's type name (the variant name, also its serde tag).
    pub const fn type_name(&self) -> &'static str {
        match self {
            BenefitClaimEvent::ClaimReceived(_) => "ClaimReceived",
            BenefitClaimEvent::ClaimRegistered(_) => "ClaimRegistered",
            BenefitClaimEvent::ClaimCalculated(_) => "ClaimCalculated",
            BenefitClaimEvent::ClaimDecided(_) => "ClaimDecided",
            BenefitClaimEvent::PaymentInstructed(_) => "PaymentInstructed",
            BenefitClaimEvent::ClaimPaid(_) => "ClaimPaid",
            BenefitClaimEvent::PaymentFailed(_) => "PaymentFailed",
            BenefitClaimEvent::NoticeSent(_) => "NoticeSent",
            BenefitClaimEvent::DecisionCorrected(_) => "DecisionCorrected",
            BenefitClaimEvent::ClaimWithdrawn(_) => "ClaimWithdrawn",
        }
    }
}

impl DomainEvent for BenefitClaimEvent {
    fn event_type(&self) -> String {
        self.type_name().to_string()
    }

    fn event_version(&self) -> String {
        "1.0".to_string()
    }
}

/// 給付申請 受付: the claim as received.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ClaimReceived {
    /// The claim's id.
    pub claim_id: Uuid,
    /// 給付種別.
    pub kind: BenefitKind,
    /// The insured person (被保険者).
    pub person_id: Uuid,
    /// For 家族 kinds: the dependent concerned.
    pub beneficiary_person_id: Option<Uuid>,
    /// 受付年月日.
    pub received_on: Date,
    /// The period claimed.
    pub period: Option<ClaimPeriod>,
    /// 事業主証明.
    pub employer_certification: Option<EmployerCertification>,
    /// 支払先.
    pub payee: Payee,
    /// The claim's items, verbatim.
    #[schema(value_type = Object)]
    pub details: serde_json::Map<String, serde_json::Value>,
}

/// 受付登録.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ClaimRegistered {
    /// 登録年月日.
    pub registered_on: Date,
}

/// 給付金計算 recorded; the latest one counts for the next decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ClaimCalculated {
    /// 1 for the claim's first calculation, then 2, 3 …
    pub sequence: u32,
    /// 算定根拠.
    pub basis: Basis,
    /// The amount calculated.
    pub amount: Yen,
    /// 職員ID of the staff member who recorded it; absent on calculations recorded before the
    /// two-person rule (a decision then needs a new calculation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calculated_by: Option<String>,
}

/// 支給決定 / 不支給決定.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ClaimDecided {
    /// 決定年月日.
    pub decided_on: Date,
    pub outcome: Outcome,
    /// 算定根拠.
    pub basis: Basis,
    /// The sequence number of the latest calculation when the decision was made.
    pub calculation_sequence: Option<u32>,
    /// Set when a 支給 amount is not the latest calculated amount.
    pub amount_override: Option<AmountOverride>,
}

/// 支払指示.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PaymentInstructed {
    /// The transfer batch.
    pub batch_id: Uuid,
    /// 支払指示年月日.
    pub instructed_on: Date,
    /// The amount instructed: what remains to pay under the decision in force.
    pub amount: Yen,
    /// The payee of the claim.
    pub payee: Payee,
    /// The revision of the decision the payment is made under.
    pub decision_revision: u32,
}

/// 支払済.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ClaimPaid {
    /// The transfer batch.
    pub batch_id: Uuid,
    /// 支給年月日.
    pub paid_on: Date,
    /// The amount paid (the amount instructed).
    pub amount: Yen,
    /// The bank's reference.
    pub bank_reference: BankReference,
}

/// 支払不能: the instruction lapses; the payment can be instructed again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PaymentFailed {
    /// The transfer batch.
    pub batch_id: Uuid,
    /// The day the failure was reported.
    pub failed_on: Date,
    /// The amount that was not paid.
    pub amount: Yen,
    /// Why.
    pub reason: Description,
}

/// 決定通知書 発送.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct NoticeSent {
    /// 発送年月日.
    pub sent_on: Date,
    /// The revision of the decision the notice states.
    pub decision_revision: u32,
    /// True for a 支給決定通知書, false for a 不支給決定通知書.
    pub pay: bool,
    /// The amount decided (0 for 不支給).
    pub amount: Yen,
}

/// 決定の訂正. `difference` = new decided amount − amount already paid: positive, it remains to
/// pay (a new payment instruction); negative, it is to be recovered (返納, a 徴収 matter
/// outside this aggregate).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DecisionCorrected {
    /// 訂正年月日.
    pub corrected_on: Date,
    /// 訂正理由.
    pub reason: Description,
    /// The revision this correction creates (1 for the first correction).
    pub revision: u32,
    /// The outcome replaced.
    pub previous_outcome: Outcome,
    /// The new outcome.
    pub outcome: Outcome,
    /// The new 算定根拠.
    pub basis: Basis,
    /// The sequence number of the latest calculation at the correction.
    pub calculation_sequence: Option<u32>,
    /// Set when a 支給 amount is not the latest calculated amount.
    pub amount_override: Option<AmountOverride>,
    /// The total paid so far.
    pub paid_so_far: Yen,
    /// New decided amount − `paid_so_far` (positive: to pay; negative: to recover).
    pub difference: Yen,
}

/// 取下げ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ClaimWithdrawn {
    /// 取下げ年月日.
    pub withdrawn_on: Date,
    /// 取下げ理由.
    pub reason: Description,
}
