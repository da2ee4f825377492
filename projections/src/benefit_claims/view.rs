//! The view of one benefit claim (給付申請), folded from its events: the claim as received, every
//! calculation with its 算定根拠, the decision in force, the decisions it replaced and the
//! corrections (訂正) that replaced them, payments and notices.

use kenpo_domain::basis::Basis;
use kenpo_domain::benefits::claim::{
    AmountOverride, BenefitClaimEvent, BenefitKind, ClaimPaid, ClaimPeriod, ClaimReceived,
    ClaimStatus, ClaimWithdrawn, EmployerCertification, NoticeSent, Outcome, Payee, PaymentFailed,
    PendingPayment,
};
use kenpo_domain::calendar::Date;
use kenpo_domain::money::Yen;
use kenpo_domain::qualification::Description;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// A calculation recorded on the claim (給付金計算).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CalculationView {
    /// 1 for the first calculation, then 2, 3 …
    pub sequence: u32,
    /// The amount calculated.
    pub amount: Yen,
    /// 算定根拠: inputs, parameter versions, each step with its rounding and source.
    pub basis: Basis,
    /// 職員ID of who recorded it: the decision is another person's (absent on calculations
    /// recorded before calculators were kept).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calculated_by: Option<String>,
}

/// A decision: the original 支給決定 / 不支給決定 (revision 0) or a correction (1, 2 …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DecisionView {
    /// 0 for the original decision, then 1, 2 … for each correction.
    pub revision: u32,
    /// 決定年月日 (訂正年月日 for a correction).
    pub decided_on: Date,
    pub outcome: Outcome,
    /// The amount decided (0 for 不支給).
    pub amount: Yen,
    /// The latest calculation when the decision was made.
    pub calculation_sequence: Option<u32>,
    /// Set when the amount is not the calculated one.
    pub amount_override: Option<AmountOverride>,
    /// 算定根拠 of the decision.
    pub basis: Basis,
}

/// A correction (決定の訂正), as recorded: what it replaced and what it leaves to pay or recover.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CorrectionView {
    /// The revision the correction created.
    pub revision: u32,
    /// 訂正年月日.
    pub corrected_on: Date,
    /// 訂正理由.
    #[schema(value_type = String)]
    pub reason: Description,
    /// The outcome replaced.
    pub previous_outcome: Outcome,
    /// The new outcome.
    pub outcome: Outcome,
    /// The total paid when corrected.
    pub paid_so_far: Yen,
    /// New amount − paid so far: positive to pay, negative to recover (返納).
    pub difference: Yen,
}

/// One claim as staff see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ClaimView {
    pub claim_id: Uuid,
    /// 給付種別.
    pub kind: BenefitKind,
    /// The insured (被保険者); for 埋葬料 the deceased insured.
    pub person_id: Uuid,
    /// 家族 kinds: the dependent (被扶養者) concerned.
    pub beneficiary_person_id: Option<Uuid>,
    pub status: ClaimStatus,
    /// 受付年月日.
    pub received_on: Date,
    /// 受付登録年月日.
    pub registered_on: Option<Date>,
    /// The period claimed (自-至), for 傷病手当金 and 出産手当金.
    pub period: Option<ClaimPeriod>,
    /// 事業主証明.
    pub employer_certification: Option<EmployerCertification>,
    /// 支払先.
    pub payee: Payee,
    /// The claim's items as received (出産年月日, 死亡年月日 …).
    #[schema(value_type = Object)]
    pub details: serde_json::Map<String, serde_json::Value>,
    /// Every calculation, oldest first; the latest is the one a decision follows.
    pub calculations: Vec<CalculationView>,
    /// The decision in force.
    pub decision: Option<DecisionView>,
    /// Decisions replaced by corrections, oldest first (the original stays here).
    pub superseded_decisions: Vec<DecisionView>,
    /// Corrections, oldest first.
    pub corrections: Vec<CorrectionView>,
    /// A payment instructed and not yet settled.
    pub pending_payment: Option<PendingPayment>,
    /// Payments made, oldest first.
    pub payments: Vec<ClaimPaid>,
    /// Payments that failed, oldest first.
    pub payment_failures: Vec<PaymentFailed>,
    /// Total paid.
    pub paid_total: Yen,
    /// What the decision in force still requires to be paid.
    pub amount_to_pay: Yen,
    /// What was paid beyond the decision in force (返納).
    pub amount_to_recover: Yen,
    /// 決定通知書 sent, oldest first.
    pub notices: Vec<NoticeSent>,
    /// 取下げ.
    pub withdrawal: Option<ClaimWithdrawn>,
    /// Version of the claim's stream (pass it as `If-Match`).
    pub stream_version: i64,
}

impl ClaimView {
    /// The view of a claim just received.
    pub fn received(version: i64, e: &ClaimReceived) -> Self {
        Self {
            claim_id: e.claim_id,
            kind: e.kind,
            person_id: e.person_id,
            beneficiary_person_id: e.beneficiary_person_id,
            status: ClaimStatus::Received,
            received_on: e.received_on,
            registered_on: None,
            period: e.period,
            employer_certification: e.employer_certification.clone(),
            payee: e.payee.clone(),
            details: e.details.clone(),
            calculations: Vec::new(),
            decision: None,
            superseded_decisions: Vec::new(),
            corrections: Vec::new(),
            pending_payment: None,
            payments: Vec::new(),
            payment_failures: Vec::new(),
            paid_total: Yen::ZERO,
            amount_to_pay: Yen::ZERO,
            amount_to_recover: Yen::ZERO,
            notices: Vec::new(),
            withdrawal: None,
            stream_version: version,
        }
    }

    /// Fold one event (stream version `version`) into the view; the same rules as the
    /// aggregate's `apply`.
    pub fn apply(&mut self, version: i64, event: &BenefitClaimEvent) {
        self.stream_version = version;
        match event {
            BenefitClaimEvent::ClaimReceived(e) => *self = Self::received(version, e),
            BenefitClaimEvent::ClaimRegistered(e) => {
                self.registered_on = Some(e.registered_on);
                self.status = ClaimStatus::Registered;
            }
            BenefitClaimEvent::ClaimCalculated(e) => self.calculations.push(CalculationView {
                sequence: e.sequence,
                amount: e.amount,
                basis: e.basis.clone(),
                calculated_by: e.calculated_by.clone(),
            }),
            BenefitClaimEvent::ClaimDecided(e) => {
                self.decision = Some(DecisionView {
                    revision: 0,
                    decided_on: e.decided_on,
                    amount: e.outcome.amount(),
                    outcome: e.outcome.clone(),
                    calculation_sequence: e.calculation_sequence,
                    amount_override: e.amount_override.clone(),
                    basis: e.basis.clone(),
                });
                self.status = ClaimStatus::Decided;
            }
            BenefitClaimEvent::PaymentInstructed(e) => {
                self.pending_payment = Some(PendingPayment {
                    batch_id: e.batch_id,
                    instructed_on: e.instructed_on,
                    amount: e.amount,
                    payee: e.payee.clone(),
                });
                self.status = ClaimStatus::PaymentInstructed;
            }
            BenefitClaimEvent::ClaimPaid(e) => {
                self.pending_payment = None;
                self.paid_total += e.amount;
                self.payments.push(e.clone());
                self.status = ClaimStatus::Paid;
            }
            BenefitClaimEvent::PaymentFailed(e) => {
                self.pending_payment = None;
                self.payment_failures.push(e.clone());
                self.status = ClaimStatus::PaymentFailed;
            }
            BenefitClaimEvent::NoticeSent(e) => self.notices.push(e.clone()),
            BenefitClaimEvent::DecisionCorrected(e) => {
                let new = DecisionView {
                    revision: e.revision,
                    decided_on: e.corrected_on,
                    amount: e.outcome.amount(),
                    outcome: e.outcome.clone(),
                    calculation_sequence: e.calculation_sequence,
                    amount_override: e.amount_override.clone(),
                    basis: e.basis.clone(),
                };
                if let Some(old) = self.decision.replace(new) {
                    self.superseded_decisions.push(old);
                }
                self.corrections.push(CorrectionView {
                    revision: e.revision,
                    corrected_on: e.corrected_on,
                    reason: e.reason.clone(),
                    previous_outcome: e.previous_outcome.clone(),
                    outcome: e.outcome.clone(),
                    paid_so_far: e.paid_so_far,
                    difference: e.difference,
                });
                self.status = if self.paid_total > Yen::ZERO && self.owed() == Yen::ZERO {
                    ClaimStatus::Paid
                } else {
                    ClaimStatus::Decided
                };
            }
            BenefitClaimEvent::ClaimWithdrawn(e) => {
                self.withdrawal = Some(e.clone());
                self.status = ClaimStatus::Withdrawn;
            }
        }
        self.amount_to_pay = self.owed();
        self.amount_to_recover = self
            .decision
            .as_ref()
            .map_or(Yen::ZERO, |d| (self.paid_total - d.amount).max(Yen::ZERO));
    }

    /// What the decision in force still requires to be paid (0 when withdrawn).
    fn owed(&self) -> Yen {
        if self.withdrawal.is_some() {
            return Yen::ZERO;
        }
        self.decision
            .as_ref()
            .map_or(Yen::ZERO, |d| (d.amount - self.paid_total).max(Yen::ZERO))
    }

    /// The amount of the decision in force, if decided.
    pub fn decided_amount(&self) -> Option<Yen> {
        self.decision.as_ref().map(|d| d.amount)
    }

    /// 決定年月日 of the decision in force.
    pub fn decided_on(&self) -> Option<Date> {
        self.decision.as_ref().map(|d| d.decided_on)
    }
}

/// The stable snake_case text of a status (the `status` column).
pub fn status_text(status: ClaimStatus) -> &'static str {
    match status {
        ClaimStatus::Received => "received",
        ClaimStatus::Registered => "registered",
        ClaimStatus::Decided => "decided",
        ClaimStatus::PaymentInstructed => "payment_instructed",
        ClaimStatus::Paid => "paid",
        ClaimStatus::PaymentFailed => "payment_failed",
        ClaimStatus::Withdrawn => "withdrawn",
    }
}
