//! Command handling of the [`BenefitClaim`] aggregate: each command is checked against the
//! rules and the claim's state, then turned into one event.
//!
//! The state machine (digest.md §2.3 3-①…3-⑥):
//!
//! ```text
//! Received ─Register→ Registered ─(RecordCalculation)*─Decide→ Decided
//! Decided (支給) ─InstructPayment→ PaymentInstructed ─RecordPaid→ Paid
//!                                                    └RecordPaymentFailed→ PaymentFailed ─InstructPayment→ …
//! Decided / Paid / PaymentFailed ─Correct→ Decided (difference to pay) or Paid (nothing to pay)
//! any state before a payment ─Withdraw→ Withdrawn
//! ```
//!
//! Decisions documented here once:
//! - Two-person rule (計算者 ≠ 決定者): a decision or a correction is refused
//!   (`two_person_rule`) when its author recorded the calculation in force; a calculation
//!   recorded before authors were kept cannot be checked, so it must be recorded again
//!   (`calculation_not_attributed`).
//! - A calculation can be recorded after a decision too: it is the basis of the next
//!   correction. A decision or correction to 支給 must follow the latest calculation (amount and
//!   basis) unless an override reason is given, which is recorded with the calculated amount.
//! - No correction, notice or withdrawal while a payment instruction is outstanding: the
//!   transfer's result must be known first.
//! - The 支給決定通知書 states the transfer (3-⑥ follows 3-⑤), so for a 支給 with an amount
//!   still to pay the notice needs an outstanding instruction. A 不支給決定通知書 can be sent
//!   any time after the decision. One notice per decision revision.
//! - A withdrawal (取下げ) is accepted until a payment is instructed; after a payment, a
//!   correction to 不支給 is the way back (the difference is then to be recovered).
//! - Dates follow the flow: 受付 ≤ 登録 ≤ 決定 ≤ 訂正, 決定 ≤ 支払指示 ≤ 支給 / 不能, 決定 ≤ 通知.
//!   The domain has no clock, so future dates are not refused.

use super::aggregate::BenefitClaim;
use super::commands::{
    BenefitClaimCommand, CalculationRecord, ClaimDecision, ClaimReceipt, ClaimRegistration,
    ClaimWithdrawal, DecisionCorrection, NoticeDispatch, PaymentFailure, PaymentInstruction,
    PaymentResult,
};
use super::error::BenefitClaimError as E;
use super::events::{
    BenefitClaimEvent, ClaimCalculated, ClaimDecided, ClaimPaid, ClaimReceived, ClaimRegistered,
    ClaimWithdrawn, DecisionCorrected, NoticeSent, PaymentFailed, PaymentInstructed,
};
use super::values::{
    AmountOverride, ClaimPeriod, Decision, EmployerCertification, Outcome, Payee, PendingPayment,
    PUBLIC_FUNDS_ACCOUNT_FROM,
};
use crate::basis::Basis;
use crate::calendar::Date;
use crate::money::Yen;
use crate::qualification::Description;

type Result<T> = std::result::Result<T, E>;

/// `date` must not be before `reference`.
fn not_before(
    what: &'static str,
    date: Date,
    reference_what: &'static str,
    reference: Date,
) -> Result<()> {
    if date < reference {
        return Err(E::DateOutOfOrder {
            what,
            date,
            reference_what,
            reference,
        });
    }
    Ok(())
}

impl BenefitClaim {
    /// Checks `command` and returns the event it records.
    pub(crate) fn decide(&self, command: BenefitClaimCommand) -> Result<BenefitClaimEvent> {
        match command {
            BenefitClaimCommand::Receive(body) => self.receive(body),
            BenefitClaimCommand::Register(body) => self.register(body),
            BenefitClaimCommand::RecordCalculation(body) => self.record_calculation(body),
            BenefitClaimCommand::Decide(body) => self.decide_claim(body),
            BenefitClaimCommand::InstructPayment(body) => self.instruct_payment(body),
            BenefitClaimCommand::RecordPaid(body) => self.record_paid(body),
            BenefitClaimCommand::RecordPaymentFailed(body) => self.record_payment_failed(body),
            BenefitClaimCommand::SendNotice(body) => self.send_notice(body),
            BenefitClaimCommand::Correct(body) => self.correct(body),
            BenefitClaimCommand::Withdraw(body) => self.withdraw(body),
        }
    }

    /// The received claim, not withdrawn.
    fn active(&self) -> Result<&ClaimReceived> {
        let claim = self.claim.as_ref().ok_or(E::ClaimNotFound)?;
        if let Some(withdrawn_on) = self.withdrawn_on {
            return Err(E::Withdrawn { withdrawn_on });
        }
        Ok(claim)
    }

    fn registered(&self) -> Result<Date> {
        self.active()?;
        self.registered_on.ok_or(E::NotRegistered)
    }

    fn current_decision(&self) -> Result<&Decision> {
        self.active()?;
        self.decision.as_ref().ok_or(E::NotDecided)
    }

    fn no_pending_payment(&self) -> Result<()> {
        match &self.pending {
            Some(p) => Err(E::AlreadyInstructed {
                batch_id: p.batch_id,
            }),
            None => Ok(()),
        }
    }

    fn outstanding_instruction(&self) -> Result<&PendingPayment> {
        self.active()?;
        match &self.pending {
            Some(p) => Ok(p),
            None if self.paid_total > Yen::ZERO && self.amount_to_pay() == Yen::ZERO => {
                Err(E::AlreadyPaid {
                    paid: self.paid_total,
                })
            }
            None => Err(E::NotInstructed),
        }
    }

    // ------------------------------------------------------------ 受付

    fn receive(&self, body: ClaimReceipt) -> Result<BenefitClaimEvent> {
        if let Some(claim) = &self.claim {
            return Err(E::ClaimAlreadyReceived {
                claim_id: claim.claim_id,
            });
        }
        let kind = body.kind;
        match (kind.is_family(), body.beneficiary_person_id) {
            (true, None) => return Err(E::BeneficiaryRequired { kind }),
            (true, Some(dependent)) if dependent == body.person_id => {
                return Err(E::BeneficiaryIsInsured)
            }
            (false, Some(_)) => return Err(E::BeneficiaryNotApplicable { kind }),
            _ => {}
        }
        if let Some(period) = &body.period {
            if period.to < period.from {
                return Err(E::EndBeforeStart {
                    what: "period claimed (請求期間)",
                    start: period.from,
                    end: period.to,
                });
            }
            not_before(
                "received_on (受付年月日)",
                body.received_on,
                "the first day claimed",
                period.from,
            )?;
        }
        match (
            kind.requires_employer_certification(),
            &body.employer_certification,
        ) {
            (true, None) => return Err(E::EmployerCertificationRequired { kind }),
            (false, Some(_)) => return Err(E::EmployerCertificationNotApplicable { kind }),
            _ => {}
        }
        if kind.requires_period() && body.period.is_none() {
            return Err(E::PeriodRequired { kind });
        }
        if let (Some(certification), Some(period)) = (&body.employer_certification, &body.period) {
            check_certification(certification, period, body.received_on)?;
        }
        if body.payee == Payee::PublicFundsAccount && body.received_on < PUBLIC_FUNDS_ACCOUNT_FROM {
            return Err(E::PublicFundsAccountNotInForce {
                from: PUBLIC_FUNDS_ACCOUNT_FROM,
                received_on: body.received_on,
            });
        }
        Ok(BenefitClaimEvent::ClaimReceived(ClaimReceived {
            claim_id: body.claim_id,
            kind,
            person_id: body.person_id,
            beneficiary_person_id: body.beneficiary_person_id,
            received_on: body.received_on,
            period: body.period,
            employer_certification: body.employer_certification,
            payee: body.payee,
            details: body.details,
        }))
    }

    // ------------------------------------------------------------ 受付登録

    fn register(&self, body: ClaimRegistration) -> Result<BenefitClaimEvent> {
        let claim = self.active()?;
        if self.registered_on.is_some() {
            return Err(E::AlreadyRegistered);
        }
        not_before(
            "registered_on (登録年月日)",
            body.registered_on,
            "received_on (受付年月日)",
            claim.received_on,
        )?;
        Ok(BenefitClaimEvent::ClaimRegistered(ClaimRegistered {
            registered_on: body.registered_on,
        }))
    }

    // ------------------------------------------------------------ 給付金計算

    fn record_calculation(&self, body: CalculationRecord) -> Result<BenefitClaimEvent> {
        self.registered()?;
        if body.amount.is_negative() {
            return Err(E::InvalidAmount {
                field: "amount (計算額)",
                requirement: "0 or more",
                amount: body.amount,
            });
        }
        check_basis_result(&body.basis, body.amount)?;
        let sequence = self.calculations.last().map_or(1, |c| c.sequence + 1);
        Ok(BenefitClaimEvent::ClaimCalculated(ClaimCalculated {
            sequence,
            basis: body.basis,
            amount: body.amount,
            calculated_by: Some(body.calculated_by),
        }))
    }

    // ------------------------------------------------------------ 支給決定 / 不支給決定

    fn decide_claim(&self, body: ClaimDecision) -> Result<BenefitClaimEvent> {
        let registered_on = self.registered()?;
        if let Some(decision) = &self.decision {
            return Err(E::ClaimAlreadyDecided {
                decided_on: decision.decided_on,
            });
        }
        not_before(
            "decided_on (決定年月日)",
            body.decided_on,
            "registered_on (登録年月日)",
            registered_on,
        )?;
        self.not_the_calculator(&body.decided_by)?;
        let amount_override =
            self.check_outcome(&body.outcome, &body.basis, body.override_reason)?;
        Ok(BenefitClaimEvent::ClaimDecided(ClaimDecided {
            decided_on: body.decided_on,
            outcome: body.outcome,
            basis: body.basis,
            calculation_sequence: self.calculations.last().map(|c| c.sequence),
            amount_override,
        }))
    }

    /// The two-person rule (計算者 ≠ 決定者): whoever decides or corrects did not record the
    /// calculation in force. Without any calculation (a 不支給 the calculation found by law, or
    /// a 支給 with an override reason) there is no calculator to differ from.
    fn not_the_calculator(&self, decider: &str) -> Result<()> {
        let Some(latest) = self.calculations.last() else {
            return Ok(());
        };
        match latest.calculated_by.as_deref() {
            None => Err(E::CalculationNotAttributed),
            Some(calculator) if calculator == decider => Err(E::DeciderIsCalculator {
                staff_id: decider.to_owned(),
            }),
            Some(_) => Ok(()),
        }
    }

    /// The rules a decision and a correction share: a 支給 amount above 0 that follows the
    /// latest calculation unless overridden; a 不支給 with a basis of 0 and no override.
    fn check_outcome(
        &self,
        outcome: &Outcome,
        basis: &Basis,
        override_reason: Option<Description>,
    ) -> Result<Option<AmountOverride>> {
        match outcome {
            Outcome::Refuse { .. } => {
                if override_reason.is_some() {
                    return Err(E::OverrideNotApplicable);
                }
                check_basis_result(basis, Yen::ZERO)?;
                Ok(None)
            }
            Outcome::Pay { amount } => {
                if *amount <= Yen::ZERO {
                    return Err(E::InvalidAmount {
                        field: "amount (支給額)",
                        requirement: "more than 0 (decide 不支給 instead)",
                        amount: *amount,
                    });
                }
                let latest = self.calculations.last();
                match (latest, override_reason) {
                    (_, Some(reason)) => Ok(Some(AmountOverride {
                        calculated_amount: latest.map(|c| c.amount),
                        reason,
                    })),
                    (None, None) => Err(E::NotCalculated),
                    (Some(calculation), None) => {
                        if calculation.amount != *amount {
                            return Err(E::AmountDiffersFromCalculation {
                                calculated: calculation.amount,
                                given: *amount,
                            });
                        }
                        if calculation.basis != *basis {
                            return Err(E::BasisDiffersFromCalculation);
                        }
                        Ok(None)
                    }
                }
            }
        }
    }

    // ------------------------------------------------------------ 支払

    fn instruct_payment(&self, body: PaymentInstruction) -> Result<BenefitClaimEvent> {
        let claim = self.active()?;
        let decision = self.current_decision()?;
        self.no_pending_payment()?;
        if !decision.outcome.is_pay() {
            return Err(E::NotPayable);
        }
        let amount = self.amount_to_pay();
        if amount == Yen::ZERO {
            return Err(E::AlreadyPaid {
                paid: self.paid_total,
            });
        }
        not_before(
            "instructed_on (支払指示年月日)",
            body.instructed_on,
            "the decision (決定年月日)",
            decision.decided_on,
        )?;
        Ok(BenefitClaimEvent::PaymentInstructed(PaymentInstructed {
            batch_id: body.batch_id,
            instructed_on: body.instructed_on,
            amount,
            payee: claim.payee.clone(),
            decision_revision: decision.revision,
        }))
    }

    fn record_paid(&self, body: PaymentResult) -> Result<BenefitClaimEvent> {
        let pending = self.outstanding_instruction()?;
        not_before(
            "paid_on (支給年月日)",
            body.paid_on,
            "instructed_on (支払指示年月日)",
            pending.instructed_on,
        )?;
        Ok(BenefitClaimEvent::ClaimPaid(ClaimPaid {
            batch_id: pending.batch_id,
            paid_on: body.paid_on,
            amount: pending.amount,
            bank_reference: body.bank_reference,
        }))
    }

    fn record_payment_failed(&self, body: PaymentFailure) -> Result<BenefitClaimEvent> {
        let pending = self.outstanding_instruction()?;
        not_before(
            "failed_on (支払不能日)",
            body.failed_on,
            "instructed_on (支払指示年月日)",
            pending.instructed_on,
        )?;
        Ok(BenefitClaimEvent::PaymentFailed(PaymentFailed {
            batch_id: pending.batch_id,
            failed_on: body.failed_on,
            amount: pending.amount,
            reason: body.reason,
        }))
    }

    // ------------------------------------------------------------ 決定通知書

    fn send_notice(&self, body: NoticeDispatch) -> Result<BenefitClaimEvent> {
        let decision = self.current_decision()?;
        if let Some(notice) = self
            .notices
            .iter()
            .find(|n| n.decision_revision == decision.revision)
        {
            return Err(E::NoticeAlreadySent {
                sent_on: notice.sent_on,
            });
        }
        let to_pay = self.amount_to_pay();
        if decision.outcome.is_pay() && to_pay > Yen::ZERO && self.pending.is_none() {
            return Err(E::TransferNotInstructed { to_pay });
        }
        not_before(
            "sent_on (発送年月日)",
            body.sent_on,
            "the decision (決定年月日)",
            decision.decided_on,
        )?;
        Ok(BenefitClaimEvent::NoticeSent(NoticeSent {
            sent_on: body.sent_on,
            decision_revision: decision.revision,
            pay: decision.outcome.is_pay(),
            amount: decision.outcome.amount(),
        }))
    }

    // ------------------------------------------------------------ 訂正

    fn correct(&self, body: DecisionCorrection) -> Result<BenefitClaimEvent> {
        let decision = self.current_decision()?;
        self.no_pending_payment()?;
        not_before(
            "corrected_on (訂正年月日)",
            body.corrected_on,
            "the decision in force (決定年月日)",
            decision.decided_on,
        )?;
        if body.outcome == decision.outcome && body.basis == decision.basis {
            return Err(E::NoChange);
        }
        self.not_the_calculator(&body.corrected_by)?;
        let amount_override =
            self.check_outcome(&body.outcome, &body.basis, body.override_reason)?;
        let difference = body.outcome.amount() - self.paid_total;
        Ok(BenefitClaimEvent::DecisionCorrected(DecisionCorrected {
            corrected_on: body.corrected_on,
            reason: body.reason,
            revision: decision.revision + 1,
            previous_outcome: decision.outcome.clone(),
            outcome: body.outcome,
            basis: body.basis,
            calculation_sequence: self.calculations.last().map(|c| c.sequence),
            amount_override,
            paid_so_far: self.paid_total,
            difference,
        }))
    }

    // ------------------------------------------------------------ 取下げ

    fn withdraw(&self, body: ClaimWithdrawal) -> Result<BenefitClaimEvent> {
        let claim = self.active()?;
        self.no_pending_payment()?;
        if self.paid_total > Yen::ZERO {
            return Err(E::AlreadyPaid {
                paid: self.paid_total,
            });
        }
        not_before(
            "withdrawn_on (取下げ年月日)",
            body.withdrawn_on,
            "received_on (受付年月日)",
            claim.received_on,
        )?;
        Ok(BenefitClaimEvent::ClaimWithdrawn(ClaimWithdrawn {
            withdrawn_on: body.withdrawn_on,
            reason: body.reason,
        }))
    }
}

/// 事業主証明 checks: the employer certifies days that have passed (certified on or after the last
/// day claimed) before the claim reaches the society (digest.md §2.3 3-①: "the employer
/// first fills in the attendance section"); wages are for days claimed and not negative.
fn check_certification(
    certification: &EmployerCertification,
    period: &ClaimPeriod,
    received_on: Date,
) -> Result<()> {
    not_before(
        "certified_on (証明年月日)",
        certification.certified_on,
        "the last day claimed",
        period.to,
    )?;
    not_before(
        "received_on (受付年月日)",
        received_on,
        "certified_on (証明年月日)",
        certification.certified_on,
    )?;
    for wage in &certification.wages_paid {
        if wage.amount.is_negative() {
            return Err(E::InvalidAmount {
                field: "wages paid (報酬額)",
                requirement: "0 or more",
                amount: wage.amount,
            });
        }
        if wage.to < wage.from {
            return Err(E::EndBeforeStart {
                what: "wages paid (報酬支払期間)",
                start: wage.from,
                end: wage.to,
            });
        }
        if !period.contains(wage.from) || !period.contains(wage.to) {
            return Err(E::WagesOutsidePeriod {
                from: wage.from,
                to: wage.to,
                period_from: period.from,
                period_to: period.to,
            });
        }
    }
    Ok(())
}

/// A basis's `result_yen` must be the amount it supports.
fn check_basis_result(basis: &Basis, amount: Yen) -> Result<()> {
    let result = Yen::new(basis.result_yen);
    if result != amount {
        return Err(E::BasisResultMismatch { result, amount });
    }
    Ok(())
}
