//! Command handling of the [`PremiumAccount`]: each command is checked against the rules and
//! the account's state, then turned into one event that carries every allocation.
//!
//! Rules (rules.md §3.1, §3.4, §3.7; digest.md §2.2):
//! - Premiums are charged from the month of acquisition (157条) and not for the month of
//!   loss when insured since the previous month (156条3項); after `Close`, assessing such a
//!   month is refused and months already assessed or prepaid from it on are cancelled, what
//!   was paid for them becoming refundable credit (還付, digest.md §2.2).
//! - Each month is due on the 10th of that month (164条1項 ただし書); the first premium on
//!   the date the society sets (37条2項) — [`super::events::DueRule`]; moved to the next
//!   business day when the account's [`super::events::HolidayShift`] says so (a decision,
//!   not from rules.md).
//! - 37条2項: the first premium not paid in full **by** its due date
//!   ([`PremiumAccount::first_premium_default`]; the part received on time is tracked per
//!   month, so a later payment does not cure it).
//! - 収納取消 ([`super::events::ReceiptReversed`]) and the 前納 shortfall after a rate rise
//!   ([`super::events::PrepaymentShortfallAssessed`]): see the events.
//! - Receipts pay the oldest unpaid month first; what is left is kept as credit.
//! - Credit is applied to a month when it is assessed if the month's due date is within 6
//!   months of the day the credit arose (164条2項 "6月以内の期日に納付されるべき保険料";
//!   rules.md §3.4). **Decision**: the society applies it automatically (the statute says
//!   "できる"); older credit stays refundable.
//! - 前納 must be received by the end of the month before its first month (rules.md §3.7).
//! - The date facts of a loss (reason vs date) are checked by the 適用 aggregate
//!   ([`crate::qualification::Person`]); `Close` only checks the order of dates.

use std::collections::BTreeMap;

use super::account::{usable_credit, PremiumAccount};
use super::commands::{
    AccountClosing, AccountOpening, ArrearsDetection, MonthAssessment, PremiumAccountCommand,
    PrepaymentRecord, PrepaymentShortfallRecord, ReceiptRecord, ReceiptReversal, RefundClaim,
    RefundDecision, RefundPayment,
};
use super::error::PremiumAccountError as E;
use super::events::{
    AccountClosed, AccountOpened, ArrearsDetected, CancelledMonth, ClosingReason, MonthAssessed,
    MonthInArrears, PremiumAccountEvent, PremiumReceived, PrepaymentRecorded,
    PrepaymentShortfallAssessed, ReceiptApplication, ReceiptReversed, RefundClaimed, RefundDecided,
    RefundPaid,
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
            PremiumAccountCommand::ReverseReceipt(body) => self.reverse_receipt(body),
            PremiumAccountCommand::DetectFirstPremiumDefault(body) => {
                self.detect_first_premium_default(body)
            }
            PremiumAccountCommand::AssessPrepaymentShortfall(body) => {
                self.assess_prepayment_shortfall(body)
            }
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
        // The first due date must be inside the holiday calendar when it is to be moved.
        body.due_rule
            .holiday_shift
            .apply(body.due_rule.first_premium_due_on)
            .map_err(E::HolidayCalendar)?;
        Ok(PremiumAccountEvent::AccountOpened(AccountOpened {
            person_id: body.person_id,
            category: body.category,
            acquired_on: body.acquired_on,
            standard_remuneration: body.standard_remuneration,
            due_rule: body.due_rule,
        }))
    }

    /// The due date of the first premium (37条2項), moved off a closed day when the account's
    /// [`super::events::HolidayShift`] says so.
    pub fn first_premium_due_on(&self) -> Result<Date> {
        let rule = self.opened.as_ref().ok_or(E::AccountNotOpened)?.due_rule;
        rule.holiday_shift
            .apply(rule.first_premium_due_on)
            .map_err(E::HolidayCalendar)
    }

    /// The due date of `month` ([`PremiumAccount::due_date`]); `None` before the account is
    /// opened or outside the holiday calendar.
    pub fn due_on(&self, month: YearMonth) -> Option<Date> {
        self.due_date(month).ok()
    }

    /// The due date of `month` (module doc): the first premium's for the month of
    /// acquisition, else the `day_of_month` of the month (moved off a closed day when the
    /// account's [`super::events::HolidayShift`] says so), never before the first premium's.
    pub fn due_date(&self, month: YearMonth) -> Result<Date> {
        let opened = self.opened.as_ref().ok_or(E::AccountNotOpened)?;
        let rule = opened.due_rule;
        let first = self.first_premium_due_on()?;
        if month == opened.acquired_on.year_month() {
            return Ok(first);
        }
        let own = Date::from_ymd(month.year(), month.month(), rule.day_of_month).ok_or(
            E::DueDayOutOfRange {
                day: rule.day_of_month,
            },
        )?;
        let own = rule.holiday_shift.apply(own).map_err(E::HolidayCalendar)?;
        Ok(own.max(first))
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
        let due_on = self.due_date(body.month)?;
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
        let first_due = self.first_premium_due_on()?;
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

    /// 初回保険料 unpaid by its due date (37条2項; rules.md §3.7 "first premium"): every month
    /// due on the first premium's due date with what was not received **by** that date (a
    /// later payment does not cure it). Refused for a 特例退職 account (the rule is 任継's),
    /// a closed account, a day not after the due date, no such month assessed, or everything
    /// paid on time.
    pub fn first_premium_default(&self, as_of: Date) -> Result<Vec<MonthInArrears>> {
        let opened = self.opened.as_ref().ok_or(E::AccountNotOpened)?;
        if opened.category != EnrollmentCategory::VoluntaryContinuation {
            return Err(E::FirstPremiumRuleNotApplicable {
                category: opened.category,
            });
        }
        if let Some(closure) = &self.closed {
            return Err(E::AccountClosed {
                lost_on: closure.lost_on,
            });
        }
        let due_on = self.first_premium_due_on()?;
        if as_of <= due_on {
            return Err(E::FirstPremiumNotYetDue { due_on, as_of });
        }
        let first: Vec<_> = self
            .months
            .iter()
            .filter(|(_, m)| !m.cancelled && !m.prepaid && m.due_on == due_on)
            .collect();
        if first.is_empty() {
            return Err(E::FirstPremiumNotAssessed { due_on });
        }
        let late: Vec<MonthInArrears> = first
            .into_iter()
            .filter(|(_, m)| m.assessed > m.received_on_time)
            .map(|(month, m)| MonthInArrears {
                month: *month,
                due_on,
                unpaid: m.assessed - m.received_on_time,
                first_premium: true,
            })
            .collect();
        if late.is_empty() {
            return Err(E::FirstPremiumPaidOnTime { due_on });
        }
        Ok(late)
    }

    fn detect_first_premium_default(&self, body: ArrearsDetection) -> Result<PremiumAccountEvent> {
        let late = self.first_premium_default(body.as_of)?;
        let due_on = self.first_premium_due_on()?;
        let months: Vec<MonthInArrears> = late
            .into_iter()
            .filter(|m| !self.arrears_reported.contains(&m.month))
            .collect();
        if months.is_empty() {
            return Err(E::NoNewArrears { as_of: body.as_of });
        }
        Ok(PremiumAccountEvent::ArrearsDetected(ArrearsDetected {
            as_of: due_on.next_day(),
            months,
        }))
    }

    /// 収納取消 ([`ReceiptReversed`] says in which order the money is taken back).
    ///
    /// Refused (decisions, not from rules.md): an unknown receipt; one reversed before; any
    /// receipt once the account is closed (the loss has cancelled months and made their
    /// payments refundable: a reversal would have to rework that, record a correction by hand
    /// instead); while a refund claim is pending, or when a refund was recorded after the
    /// receipt (it may have paid the money out).
    fn reverse_receipt(&self, body: ReceiptReversal) -> Result<PremiumAccountEvent> {
        let version = body.receipt_version;
        let receipt = self
            .receipts
            .get(&version)
            .ok_or(E::ReceiptNotFound { version })?;
        if let Some(reversed_on) = receipt.reversed_on {
            return Err(E::ReceiptAlreadyReversed {
                version,
                reversed_on,
            });
        }
        if let Some(closure) = &self.closed {
            return Err(E::AccountClosed {
                lost_on: closure.lost_on,
            });
        }
        if let Some(pending) = &self.refund {
            return Err(E::RefundAlreadyPending {
                claimed_on: pending.claimed_on,
            });
        }
        if self.last_refund_version > version {
            return Err(E::RefundAfterReceipt);
        }
        if body.reversed_on < receipt.received_on {
            return Err(E::DateBefore {
                what: "the reversal date",
                date: body.reversed_on,
                earlier: receipt.received_on,
            });
        }
        let note = body
            .note
            .map(|n| n.trim().to_owned())
            .filter(|n| !n.is_empty());
        if note
            .as_ref()
            .is_some_and(|n| n.chars().count() > ReceiptReversal::NOTE_MAX_CHARS)
        {
            return Err(E::NoteTooLong {
                max: ReceiptReversal::NOTE_MAX_CHARS,
            });
        }
        let mut held: BTreeMap<YearMonth, Yen> = self
            .months
            .iter()
            .filter(|(_, m)| !m.cancelled)
            .map(|(month, m)| (*month, m.received))
            .collect();
        let mut unapplied: BTreeMap<YearMonth, Yen> = BTreeMap::new();
        let mut left = receipt.amount;
        let credit = self.credit();
        // 1. its own over-payment, as far as still held.
        let mut credit_withdrawn = receipt.credited.min(credit).min(left);
        left -= credit_withdrawn;
        // 2. the months it paid, newest first.
        for a in receipt.applied.iter().rev() {
            if let Some(h) = held.get_mut(&a.month) {
                let taken = (*h).min(a.amount).min(left);
                *h -= taken;
                left -= taken;
                *unapplied.entry(a.month).or_default() += taken;
            }
        }
        // 3. the rest of the credit.
        let more = (credit - credit_withdrawn).min(left);
        credit_withdrawn += more;
        left -= more;
        // 4. the other paid months (not 前納), newest first.
        for (month, h) in held.iter_mut().rev() {
            if left <= Yen::ZERO {
                break;
            }
            if self.months.get(month).is_some_and(|m| m.prepaid) {
                continue;
            }
            let taken = (*h).min(left);
            *h -= taken;
            left -= taken;
            *unapplied.entry(*month).or_default() += taken;
        }
        if left > Yen::ZERO {
            return Err(E::ReversalNotAbsorbable {
                amount: receipt.amount,
                held: receipt.amount - left,
            });
        }
        Ok(PremiumAccountEvent::ReceiptReversed(ReceiptReversed {
            receipt_version: version,
            amount: receipt.amount,
            received_on: receipt.received_on,
            reference: receipt.reference.clone(),
            reversed_on: body.reversed_on,
            reason: body.reason,
            note,
            unapplied: unapplied
                .into_iter()
                .filter(|(_, amount)| *amount > Yen::ZERO)
                .map(|(month, amount)| ReceiptApplication { month, amount })
                .collect(),
            credit_withdrawn,
        }))
    }

    /// 前納後の保険料率引上げ (rules.md §3.7; [`PrepaymentShortfallAssessed`]): the months
    /// must be prepaid by one 前納, consecutive, not begun on `as_of`, and their
    /// `premium_before` must be the premium that 前納 recorded.
    fn assess_prepayment_shortfall(
        &self,
        body: PrepaymentShortfallRecord,
    ) -> Result<PremiumAccountEvent> {
        if let Some(closure) = &self.closed {
            return Err(E::AccountClosed {
                lost_on: closure.lost_on,
            });
        }
        let from_month = body.months.first().ok_or(E::EmptyPrepayment)?.month;
        let prepayment = self.months.get(&from_month).and_then(|m| m.prepaid_by);
        let mut expected = from_month;
        let mut months = Vec::with_capacity(body.months.len());
        for m in body.months {
            if m.month != expected {
                return Err(E::MonthsNotConsecutive {
                    expected,
                    given: m.month,
                });
            }
            expected = expected.add_months(1);
            let entry = self
                .months
                .get(&m.month)
                .filter(|e| e.prepaid && !e.cancelled)
                .ok_or(E::MonthNotPrepaid { month: m.month })?;
            if m.month.first_day() <= body.as_of {
                return Err(E::PrepaidMonthBegun {
                    month: m.month,
                    as_of: body.as_of,
                });
            }
            if entry.prepaid_by != prepayment {
                return Err(E::NotOnePrepayment { month: m.month });
            }
            if entry.prepaid_premium != Some(m.premium_before) {
                return Err(E::PrepaymentBasisMismatch {
                    month: m.month,
                    recorded: entry
                        .prepaid_premium
                        .map_or_else(|| "(not recorded)".to_owned(), |p| p.to_string()),
                    given: m.premium_before.to_string(),
                });
            }
            if m.shortfall.is_negative() {
                return Err(E::AmountOutOfRange {
                    field: "months[].shortfall",
                    requirement: "0 or more",
                    amount: m.shortfall,
                });
            }
            let due_on = if m.shortfall > Yen::ZERO {
                Some(self.due_date(m.month)?)
            } else {
                None
            };
            months.push(super::events::ReassessedMonth { due_on, ..m });
        }
        let sum: Yen = months.iter().map(|m| m.shortfall).sum();
        if sum != body.amount || body.new_prepayment - body.prepaid_value != body.amount {
            return Err(E::ShortfallTotalMismatch {
                amount: body.amount,
                sum,
            });
        }
        if body.amount <= Yen::ZERO {
            return Err(E::NoShortfall {
                prepaid_value: body.prepaid_value,
                new_prepayment: body.new_prepayment,
            });
        }
        basis_matches(body.amount, &body.basis)?;
        Ok(PremiumAccountEvent::PrepaymentShortfallAssessed(
            PrepaymentShortfallAssessed {
                from_month,
                months,
                prepaid_value: body.prepaid_value,
                new_prepayment: body.new_prepayment,
                amount: body.amount,
                pay_by: from_month.first_day().previous_day(),
                basis: body.basis,
            },
        ))
    }
}
