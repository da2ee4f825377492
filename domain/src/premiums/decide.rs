//! Command handling of the [`PremiumAccount`]: each command is checked against the rules and
//! the account's state, then turned into one event that carries every allocation.
//!
//! Rules (rules.md §3.1, §3.4, §3.7; digest.md §2.2):
//! - Premiums are charged from the month of acquisition (157条) and not for the month of
//!   loss when insured since the previous month (156条3項); after `Close`, assessing such a
//!   month is refused and months already assessed or prepaid from it on are cancelled, what
//!   was paid for them becoming refundable credit (還付, digest.md §2.2).
//! - Each month is due on the 10th of that month (164条1項 ただし書); the first premium on
//!   the date the society sets (37条2項) — [`super::events::DueRule`].
//! - Receipts pay the oldest unpaid month first; what is left is kept as credit.
//! - Credit is applied to a month when it is assessed if the month's due date is within 6
//!   months of the day the credit arose (164条2項 "6月以内の期日に納付されるべき保険料";
//!   rules.md §3.4). **Decision**: the society applies it automatically (the statute says
//!   "できる"); older credit stays refundable.
//! - 前納 must be received by the end of the month before its first month (rules.md §3.7).
//! - The date facts of a loss (reason vs date) are checked by the 適用 aggregate
//!   ([`crate::qualification::Person`]); `Close` only checks the order of dates.

use super::account::{usable_credit, PremiumAccount};
use super::commands::{
    AccountClosing, AccountOpening, ArrearsDetection, MonthAssessment, PremiumAccountCommand,
    PrepaymentRecord, ReceiptRecord, RefundClaim, RefundDecision, RefundPayment,
};
use super::error::PremiumAccountError as E;
use super::events::{
    AccountClosed, AccountOpened, ArrearsDetected, CancelledMonth, ClosingReason, MonthAssessed,
    MonthInArrears, PremiumAccountEvent, PremiumReceived, PrepaymentRecorded, ReceiptApplication,
    RefundClaimed, RefundDecided, RefundPaid,
};
use super::voluntary::first_uncharged_month;
use crate::basis::Basis;
use crate::calendar::{Date, YearMonth};
use crate::money::Yen;
use crate::qualification::EnrollmentCategory;
use crate::standard_remuneration::grade_for;

type Result<T> = std::result::Result<T, E>;

fn basis_matches(amount: Yen, basis: &Basis) -> Result<()> {
    if basis.result_yen != amount.amount() {
        return Err(E::BasisMismatch {
            amount,
            basis_result: basis.result_yen,
        });
    }
    Ok(())
}

impl PremiumAccount {
    /// Checks `command` and returns the event it records.
    pub(crate) fn decide(&self, command: PremiumAccountCommand) -> Result<PremiumAccountEvent> {
        if let PremiumAccountCommand::Open(body) = command {
            return self.open(body);
        }
        let opened = self.opened.as_ref().ok_or(E::AccountNotOpened)?;
        let acquired_on = opened.acquired_on;
        match command {
            PremiumAccountCommand::Open(_) => Err(E::AccountAlreadyOpened { acquired_on }),
            PremiumAccountCommand::AssessMonth(body) => self.assess(body),
            PremiumAccountCommand::RecordPrepayment(body) => self.prepay(body),
            PremiumAccountCommand::RecordReceipt(body) => self.receive(body),
            PremiumAccountCommand::DetectArrears(body) => self.detect_arrears(body),
            PremiumAccountCommand::Close(body) => self.close(body),
            PremiumAccountCommand::ClaimRefund(body) => self.claim_refund(body),
            PremiumAccountCommand::DecideRefund(body) => self.decide_refund(body),
            PremiumAccountCommand::PayRefund(body) => self.pay_refund(body),
        }
    }

    fn acquired_on(&self) -> Result<Date> {
        self.opened
            .as_ref()
            .map(|o| o.acquired_on)
            .ok_or(E::AccountNotOpened)
    }

    fn open(&self, body: AccountOpening) -> Result<PremiumAccountEvent> {
        if let Some(opened) = &self.opened {
            return Err(E::AccountAlreadyOpened {
                acquired_on: opened.acquired_on,
            });
        }
        match body.category {
            EnrollmentCategory::VoluntaryContinuation => {
                if body.standard_remuneration.is_none() {
                    return Err(E::StandardRemunerationRequired);
                }
            }
            EnrollmentCategory::SpecialRetiree => {}
            EnrollmentCategory::Compulsory => {
                return Err(E::CategoryNotApplicable {
                    category: body.category,
                })
            }
        }
        if let Some(amount) = body.standard_remuneration {
            if grade_for(amount).amount != amount {
                return Err(E::NotAGradeAmount { amount });
            }
        }
        let day = body.due_rule.day_of_month;
        if !(1..=28).contains(&day) {
            return Err(E::DueDayOutOfRange { day });
        }
        Ok(PremiumAccountEvent::AccountOpened(AccountOpened {
            person_id: body.person_id,
            category: body.category,
            acquired_on: body.acquired_on,
            standard_remuneration: body.standard_remuneration,
            due_rule: body.due_rule,
        }))
    }

    /// The due date of `month` (module doc).
    pub fn due_on(&self, month: YearMonth) -> Option<Date> {
        let opened = self.opened.as_ref()?;
        let rule = opened.due_rule;
        if month == opened.acquired_on.year_month() {
            return Some(rule.first_premium_due_on);
        }
        let own = Date::from_ymd(month.year(), month.month(), rule.day_of_month)?;
        Some(own.max(rule.first_premium_due_on))
    }

    fn check_chargeable(&self, month: YearMonth) -> Result<()> {
        let acquired_on = self.acquired_on()?;
        if month < acquired_on.year_month() {
            return Err(E::MonthBeforeAcquisition { month, acquired_on });
        }
        if let Some(closure) = &self.closed {
            if month >= closure.first_uncharged {
                return Err(E::MonthAfterClose {
                    month,
                    lost_on: closure.lost_on,
                    first_uncharged: closure.first_uncharged,
                });
            }
        }
        match self.months.get(&month) {
            Some(entry) if entry.prepaid => Err(E::MonthPrepaid { month }),
            Some(_) => Err(E::MonthAlreadyAssessed { month }),
            None => Ok(()),
        }
    }

    fn assess(&self, body: MonthAssessment) -> Result<PremiumAccountEvent> {
        self.check_chargeable(body.month)?;
        if body.premium.is_negative() {
            return Err(E::AmountOutOfRange {
                field: "premium",
                requirement: "0 or more",
                amount: body.premium,
            });
        }
        basis_matches(body.premium, &body.basis)?;
        let due_on = self.due_on(body.month).ok_or(E::AccountNotOpened)?;
        let credit_applied = usable_credit(&self.credits, due_on).min(body.premium);
        Ok(PremiumAccountEvent::MonthAssessed(MonthAssessed {
            month: body.month,
            premium: body.premium,
            due_on,
            credit_applied,
            basis: body.basis,
        }))
    }

    fn prepay(&self, body: PrepaymentRecord) -> Result<PremiumAccountEvent> {
        if let Some(closure) = &self.closed {
            return Err(E::AccountClosed {
                lost_on: closure.lost_on,
            });
        }
        let first = body.months.first().ok_or(E::EmptyPrepayment)?.month;
        let mut expected = first;
        for m in &body.months {
            if m.month != expected {
                return Err(E::MonthsNotConsecutive {
                    expected,
                    given: m.month,
                });
            }
            self.check_chargeable(m.month)?;
            if m.amount <= Yen::ZERO {
                return Err(E::AmountOutOfRange {
                    field: "months[].amount",
                    requirement: "positive",
                    amount: m.amount,
                });
            }
            expected = expected.add_months(1);
        }
        let sum: Yen = body.months.iter().map(|m| m.amount).sum();
        if sum != body.amount {
            return Err(E::PrepaymentTotalMismatch {
                amount: body.amount,
                sum,
            });
        }
        basis_matches(body.amount, &body.basis)?;
        let pay_by = first.first_day().previous_day();
        if body.received_on > pay_by {
            return Err(E::PrepaymentTooLate {
                pay_by,
                received_on: body.received_on,
            });
        }
        Ok(PremiumAccountEvent::PrepaymentRecorded(
            PrepaymentRecorded {
                months: body.months,
                amount: body.amount,
                received_on: body.received_on,
                basis: body.basis,
            },
        ))
    }

    fn receive(&self, body: ReceiptRecord) -> Result<PremiumAccountEvent> {
        if body.amount <= Yen::ZERO {
            return Err(E::AmountOutOfRange {
                field: "amount",
                requirement: "positive",
                amount: body.amount,
            });
        }
        let reference = body.reference.trim().to_owned();
        if !reference.is_empty() && self.receipt_references.contains(&reference) {
            return Err(E::DuplicateReceipt { reference });
        }
        let mut left = body.amount;
        let mut applied = Vec::new();
        for (month, entry) in &self.months {
            if left <= Yen::ZERO {
                break;
            }
            let outstanding = entry.outstanding();
            if outstanding > Yen::ZERO {
                let amount = outstanding.min(left);
                applied.push(ReceiptApplication {
                    month: *month,
                    amount,
                });
                left -= amount;
            }
        }
        Ok(PremiumAccountEvent::PremiumReceived(PremiumReceived {
            amount: body.amount,
            received_on: body.received_on,
            channel: body.channel,
            reference,
            applied,
            credited: left,
        }))
    }

    fn detect_arrears(&self, body: ArrearsDetection) -> Result<PremiumAccountEvent> {
        let first_due = self
            .opened
            .as_ref()
            .map(|o| o.due_rule.first_premium_due_on)
            .ok_or(E::AccountNotOpened)?;
        let months: Vec<MonthInArrears> = self
            .months
            .iter()
            .filter(|(month, m)| {
                m.outstanding() > Yen::ZERO
                    && m.due_on < body.as_of
                    && !self.arrears_reported.contains(month)
            })
            .map(|(month, m)| MonthInArrears {
                month: *month,
                due_on: m.due_on,
                unpaid: m.outstanding(),
                first_premium: m.due_on == first_due,
            })
            .collect();
        if months.is_empty() {
            return Err(E::NoNewArrears { as_of: body.as_of });
        }
        Ok(PremiumAccountEvent::ArrearsDetected(ArrearsDetected {
            as_of: body.as_of,
            months,
        }))
    }

    fn close(&self, body: AccountClosing) -> Result<PremiumAccountEvent> {
        if let Some(closure) = &self.closed {
            return Err(E::AccountClosed {
                lost_on: closure.lost_on,
            });
        }
        let acquired_on = self.acquired_on()?;
        let first_uncharged = match body.reason {
            ClosingReason::FirstPremiumUnpaid => {
                if body.lost_on != acquired_on {
                    return Err(E::DateBefore {
                        what: "for 37条2項 the loss date must be the acquisition date; given",
                        date: body.lost_on,
                        earlier: acquired_on,
                    });
                }
                acquired_on.year_month()
            }
            ClosingReason::Lost { .. } => {
                if body.lost_on <= acquired_on {
                    return Err(E::LossNotAfterAcquisition {
                        acquired_on,
                        lost_on: body.lost_on,
                    });
                }
                first_uncharged_month(acquired_on, body.lost_on)
            }
        };
        let cancelled = self
            .months
            .range(first_uncharged..)
            .filter(|(_, m)| !m.cancelled)
            .map(|(month, m)| CancelledMonth {
                month: *month,
                assessed: m.assessed,
                received: m.received,
            })
            .collect();
        Ok(PremiumAccountEvent::AccountClosed(AccountClosed {
            lost_on: body.lost_on,
            reason: body.reason,
            first_uncharged,
            cancelled,
        }))
    }

    fn claim_refund(&self, body: RefundClaim) -> Result<PremiumAccountEvent> {
        if let Some(pending) = &self.refund {
            return Err(E::RefundAlreadyPending {
                claimed_on: pending.claimed_on,
            });
        }
        if self.credit() <= Yen::ZERO {
            return Err(E::NothingToRefund);
        }
        Ok(PremiumAccountEvent::RefundClaimed(RefundClaimed {
            claimed_on: body.claimed_on,
        }))
    }

    fn decide_refund(&self, body: RefundDecision) -> Result<PremiumAccountEvent> {
        let pending = self.refund.as_ref().ok_or(E::NoRefundClaim)?;
        if let Some((amount, _)) = pending.decided {
            return Err(E::RefundAlreadyDecided { amount });
        }
        if body.amount <= Yen::ZERO {
            return Err(E::AmountOutOfRange {
                field: "amount",
                requirement: "positive",
                amount: body.amount,
            });
        }
        let credit = self.credit();
        if body.amount > credit {
            return Err(E::RefundExceedsCredit {
                amount: body.amount,
                credit,
            });
        }
        basis_matches(body.amount, &body.basis)?;
        if body.decided_on < pending.claimed_on {
            return Err(E::DateBefore {
                what: "the decision date",
                date: body.decided_on,
                earlier: pending.claimed_on,
            });
        }
        Ok(PremiumAccountEvent::RefundDecided(RefundDecided {
            amount: body.amount,
            decided_on: body.decided_on,
            basis: body.basis,
        }))
    }

    fn pay_refund(&self, body: RefundPayment) -> Result<PremiumAccountEvent> {
        let pending = self.refund.as_ref().ok_or(E::NoRefundClaim)?;
        let (amount, decided_on) = pending.decided.ok_or(E::NoRefundDecision)?;
        if body.paid_on < decided_on {
            return Err(E::DateBefore {
                what: "the payment date",
                date: body.paid_on,
                earlier: decided_on,
            });
        }
        Ok(PremiumAccountEvent::RefundPaid(RefundPaid {
            amount,
            paid_on: body.paid_on,
            reference: body.reference.trim().to_owned(),
        }))
    }
}
