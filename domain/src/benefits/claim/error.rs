//! [`BenefitClaimError`]: why a command on a [`super::BenefitClaim`] was refused.

use thiserror::Error;
use uuid::Uuid;

use super::values::BenefitKind;
use crate::calendar::Date;
use crate::money::Yen;
pub use crate::qualification::ErrorCategory;

/// A command refused by the [`super::BenefitClaim`] aggregate. Messages are English with the
/// Japanese term; [`BenefitClaimError::code`] is the stable machine code.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum BenefitClaimError {
    /// Any command but `Receive` on a claim with no events.
    #[error("claim not found: no 給付申請 受付 is recorded")]
    ClaimNotFound,
    /// `Receive` on a claim that exists.
    #[error("the claim {claim_id} is already received")]
    ClaimAlreadyReceived { claim_id: Uuid },
    /// A second 受付登録.
    #[error("the claim is already registered (受付登録)")]
    AlreadyRegistered,
    /// Calculation or decision before 受付登録.
    #[error("the claim is not registered yet (受付登録)")]
    NotRegistered,
    /// A second decision: correct the decision in force instead.
    #[error("the claim is already decided (支給決定 / 不支給決定 on {decided_on}); use a correction (訂正)")]
    ClaimAlreadyDecided { decided_on: Date },
    /// Payment, notice or correction before any decision.
    #[error("the claim is not decided yet (支給決定 / 不支給決定)")]
    NotDecided,
    /// A 支給決定 without a calculation and without an override reason.
    #[error("no calculation (給付金計算) is recorded; record one, or give the override reason")]
    NotCalculated,
    /// A payment instruction when the decision in force is 不支給.
    #[error("the decision in force is 不支給 (refusal): nothing to pay")]
    NotPayable,
    /// A payment instruction is outstanding.
    #[error("a payment instruction (batch {batch_id}) is outstanding; record its result (支払済 / 支払不能) first")]
    AlreadyInstructed { batch_id: Uuid },
    /// Paid or failed without an outstanding instruction.
    #[error("no payment instruction (支払指示) is outstanding")]
    NotInstructed,
    /// Nothing remains to pay, or the claim was paid and cannot be withdrawn.
    #[error("the claim is already paid ({paid} paid)")]
    AlreadyPaid { paid: Yen },
    /// Any command on a withdrawn claim.
    #[error("the claim was withdrawn (取下げ) on {withdrawn_on}")]
    Withdrawn { withdrawn_on: Date },
    /// A second notice for the same decision.
    #[error("the notice (決定通知書) for this decision was already sent on {sent_on}")]
    NoticeAlreadySent { sent_on: Date },
    /// A 支給決定通知書 before the transfer it states is instructed.
    #[error("the 支給決定通知書 states the transfer: instruct the payment of {to_pay} first")]
    TransferNotInstructed { to_pay: Yen },
    /// 傷病手当金 / 出産手当金 without 事業主証明.
    #[error("a {kind} claim needs the employer's certification (事業主証明)")]
    EmployerCertificationRequired { kind: BenefitKind },
    /// 事業主証明 on a kind that has none.
    #[error("a {kind} claim has no employer's certification (事業主証明)")]
    EmployerCertificationNotApplicable { kind: BenefitKind },
    /// A kind claimed for days off without the period.
    #[error("a {kind} claim needs the period claimed (自-至)")]
    PeriodRequired { kind: BenefitKind },
    /// 家族 kind without the dependent.
    #[error("a {kind} claim needs the dependent (被扶養者) as beneficiary_person_id")]
    BeneficiaryRequired { kind: BenefitKind },
    /// A beneficiary on a kind for the insured's own event.
    #[error("a {kind} claim concerns the insured; beneficiary_person_id is not accepted")]
    BeneficiaryNotApplicable { kind: BenefitKind },
    /// The dependent named is the insured.
    #[error("the dependent (被扶養者) cannot be the insured person")]
    BeneficiaryIsInsured,
    /// A period whose end is before its start.
    #[error("{what}: the end {end} is before the start {start}")]
    EndBeforeStart {
        what: &'static str,
        start: Date,
        end: Date,
    },
    /// A date before the one it must follow.
    #[error("{what} {date} is before {reference_what} {reference}")]
    DateOutOfOrder {
        what: &'static str,
        date: Date,
        reference_what: &'static str,
        reference: Date,
    },
    /// Wages certified for days outside the claim period.
    #[error("wages paid for {from}..{to} lie outside the claim period {period_from}..{period_to}")]
    WagesOutsidePeriod {
        from: Date,
        to: Date,
        period_from: Date,
        period_to: Date,
    },
    /// An amount out of its range.
    #[error("{field} must be {requirement}, got {amount}")]
    InvalidAmount {
        field: &'static str,
        requirement: &'static str,
        amount: Yen,
    },
    /// The basis's result is not the amount given.
    #[error("the basis (算定根拠) result is {result} but the amount is {amount}")]
    BasisResultMismatch { result: Yen, amount: Yen },
    /// 支給 amount ≠ latest calculation without an override reason.
    #[error("the amount {given} differs from the latest calculation {calculated}; give the override reason to decide it")]
    AmountDiffersFromCalculation { calculated: Yen, given: Yen },
    /// 支給 basis ≠ latest calculation's basis without an override reason.
    #[error("the basis (算定根拠) differs from the latest calculation's; give the override reason to decide on another basis")]
    BasisDiffersFromCalculation,
    /// An override reason on a 不支給.
    #[error("an override reason applies to a 支給 amount only, not to 不支給")]
    OverrideNotApplicable,
    /// 公金受取口座 before 令和4年10月.
    #[error(
        "the 公金受取口座 can be chosen from {from}, not for a claim received on {received_on}"
    )]
    PublicFundsAccountNotInForce { from: Date, received_on: Date },
    /// A correction that changes nothing.
    #[error("nothing to change: the correction repeats the decision in force")]
    NoChange,
    /// The decider recorded the calculation in force (two-person rule: 計算者 ≠ 決定者).
    #[error("{staff_id} recorded the calculation in force (給付金計算); the decision (支給決定) must be made by another staff member")]
    DeciderIsCalculator { staff_id: String },
    /// The calculation in force was recorded before the calculator was, so the two-person
    /// rule cannot be checked.
    #[error("the calculation in force does not record who made it; record the calculation again before deciding")]
    CalculationNotAttributed,
}

crate::refusal::refusal_by_inherent_methods!(BenefitClaimError);

impl BenefitClaimError {
    /// Stable snake_case code for API problem documents.
    pub fn code(&self) -> &'static str {
        use BenefitClaimError as E;
        match self {
            E::ClaimNotFound => "claim_not_found",
            E::ClaimAlreadyReceived { .. } => "claim_already_received",
            E::AlreadyRegistered => "already_registered",
            E::NotRegistered => "not_registered",
            E::ClaimAlreadyDecided { .. } => "claim_already_decided",
            E::NotDecided => "not_decided",
            E::NotCalculated => "not_calculated",
            E::NotPayable => "not_payable",
            E::AlreadyInstructed { .. } => "already_instructed",
            E::NotInstructed => "not_instructed",
            E::AlreadyPaid { .. } => "already_paid",
            E::Withdrawn { .. } => "withdrawn",
            E::NoticeAlreadySent { .. } => "notice_already_sent",
            E::TransferNotInstructed { .. } => "transfer_not_instructed",
            E::EmployerCertificationRequired { .. } => "employer_certification_required",
            E::EmployerCertificationNotApplicable { .. } => "employer_certification_not_applicable",
            E::PeriodRequired { .. } => "period_required",
            E::BeneficiaryRequired { .. } => "beneficiary_required",
            E::BeneficiaryNotApplicable { .. } => "beneficiary_not_applicable",
            E::BeneficiaryIsInsured => "beneficiary_is_insured",
            E::EndBeforeStart { .. } => "end_before_start",
            E::DateOutOfOrder { .. } => "date_out_of_order",
            E::WagesOutsidePeriod { .. } => "wages_outside_period",
            E::InvalidAmount { .. } => "invalid_amount",
            E::BasisResultMismatch { .. } => "basis_result_mismatch",
            E::AmountDiffersFromCalculation { .. } => "amount_differs_from_calculation",
            E::BasisDiffersFromCalculation => "basis_differs_from_calculation",
            E::OverrideNotApplicable => "override_not_applicable",
            E::PublicFundsAccountNotInForce { .. } => "public_funds_account_not_in_force",
            E::NoChange => "no_change",
            E::DeciderIsCalculator { .. } => "two_person_rule",
            E::CalculationNotAttributed => "calculation_not_attributed",
        }
    }

    /// HTTP-level category of the error.
    pub fn category(&self) -> ErrorCategory {
        use BenefitClaimError as E;
        match self {
            E::ClaimNotFound => ErrorCategory::NotFound,
            E::ClaimAlreadyReceived { .. }
            | E::AlreadyRegistered
            | E::NotRegistered
            | E::ClaimAlreadyDecided { .. }
            | E::NotDecided
            | E::NotCalculated
            | E::NotPayable
            | E::AlreadyInstructed { .. }
            | E::NotInstructed
            | E::AlreadyPaid { .. }
            | E::Withdrawn { .. }
            | E::NoticeAlreadySent { .. }
            | E::TransferNotInstructed { .. }
            | E::CalculationNotAttributed => ErrorCategory::Conflict,
            E::DeciderIsCalculator { .. } => ErrorCategory::Forbidden,
            E::EmployerCertificationRequired { .. }
            | E::EmployerCertificationNotApplicable { .. }
            | E::PeriodRequired { .. }
            | E::BeneficiaryRequired { .. }
            | E::BeneficiaryNotApplicable { .. }
            | E::BeneficiaryIsInsured
            | E::EndBeforeStart { .. }
            | E::DateOutOfOrder { .. }
            | E::WagesOutsidePeriod { .. }
            | E::InvalidAmount { .. }
            | E::BasisResultMismatch { .. }
            | E::AmountDiffersFromCalculation { .. }
            | E::BasisDiffersFromCalculation
            | E::OverrideNotApplicable
            | E::PublicFundsAccountNotInForce { .. }
            | E::NoChange => ErrorCategory::Invalid,
        }
    }
}
