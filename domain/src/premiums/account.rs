//! The [`PremiumAccount`] aggregate: one stream per 任意継続 / 特例退職 insured person
//! (digest.md §1.3 徴収ファイル, §2.2, §6.3).

use std::collections::{BTreeMap, BTreeSet};

use cqrs_es::event_sink::EventSink;
use cqrs_es::Aggregate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::commands::PremiumAccountCommand;
use super::error::PremiumAccountError;
use super::events::{AccountOpened, PremiumAccountEvent, ReceiptApplication};
use super::prepayment::PrepaymentInput;
use crate::calendar::{Date, YearMonth};
use crate::money::Yen;

/// One month of the account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct MonthEntry {
    pub(crate) assessed: Yen,
    pub(crate) received: Yen,
    pub(crate) due_on: Date,
    pub(crate) prepaid: bool,
    pub(crate) cancelled: bool,
    /// The part of `received` that arrived by the due date (credit applied at assessment, a
    /// 前納, receipts received on or before `due_on`); for 37条2項.
    #[serde(default)]
    pub(crate) received_on_time: Yen,
    /// For a prepaid month: the unrounded monthly premium the 前納 (or its last
    /// reassessment) used, when its basis records it.
    #[serde(default)]
    pub(crate) prepaid_premium: Option<Decimal>,
    /// For a prepaid month: the stream version of its `PrepaymentRecorded`.
    #[serde(default)]
    pub(crate) prepaid_by: Option<i64>,
}

impl MonthEntry {
    pub(crate) fn outstanding(&self) -> Yen {
        self.assessed - self.received
    }
}

/// Money received and not applied to any month (over-payment, or payments for months a loss
/// cancelled), with the day it arose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Credit {
    pub(crate) arose_on: Date,
    pub(crate) amount: Yen,
}

impl Credit {
    /// 164条2項 (rules.md §3.4): an over-payment may be applied to premiums whose due date is
    /// within 6 months of it.
    pub(crate) fn usable_for(&self, due_on: Date) -> bool {
        due_on <= self.arose_on.add_months(6)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Closure {
    pub(crate) lost_on: Date,
    pub(crate) first_uncharged: YearMonth,
}

/// A receipt (保険料収納) as recorded, with its reversal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ReceiptState {
    pub(crate) amount: Yen,
    pub(crate) received_on: Date,
    pub(crate) reference: String,
    pub(crate) applied: Vec<ReceiptApplication>,
    pub(crate) credited: Yen,
    pub(crate) reversed_on: Option<Date>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct PendingRefund {
    pub(crate) claimed_on: Date,
    pub(crate) decided: Option<(Yen, Date)>,
}

/// A row of the ledger (保険料収納記録).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LedgerRow {
    pub month: YearMonth,
    /// 納付期日 (for a prepaid month: its 1st, the day it is deemed paid, 165条3項).
    pub due_on: Date,
    pub assessed: Yen,
    pub received: Yen,
    /// assessed − received.
    pub balance: Yen,
    pub prepaid: bool,
    /// Cancelled by the loss of the qualification.
    pub cancelled: bool,
}

/// A month covered by a 前納, as the account holds it ([`PremiumAccount::prepaid_months`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrepaidMonthState {
    pub month: YearMonth,
    /// The unrounded monthly premium the 前納 (or its last reassessment) used, when recorded.
    pub premium: Option<Decimal>,
    /// Stream version of the `PrepaymentRecorded` that covers it.
    pub prepayment_version: Option<i64>,
}

/// 任継 / 特退 premium account (保険料 賦課・収納・未納・還付) of one insured person. The
/// aggregate id is the person's UUID.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PremiumAccount {
    pub(crate) opened: Option<AccountOpened>,
    pub(crate) months: BTreeMap<YearMonth, MonthEntry>,
    pub(crate) credits: Vec<Credit>,
    pub(crate) closed: Option<Closure>,
    pub(crate) arrears_reported: BTreeSet<YearMonth>,
    pub(crate) receipt_references: BTreeSet<String>,
    pub(crate) refund: Option<PendingRefund>,
    /// Money received (receipts and 前納).
    pub(crate) received_total: Yen,
    /// Refunds paid.
    pub(crate) refunded_total: Yen,
    /// Events applied: the stream version.
    #[serde(default)]
    pub(crate) version: i64,
    /// Every receipt by the stream version of its `PremiumReceived`.
    #[serde(default)]
    pub(crate) receipts: BTreeMap<i64, ReceiptState>,
    /// Stream version of the last refund event (claim, decision, payment); 0 when none.
    #[serde(default)]
    pub(crate) last_refund_version: i64,
}

impl Aggregate for PremiumAccount {
    const TYPE: &'static str = "premium_account";
    type Command = PremiumAccountCommand;
    type Event = PremiumAccountEvent;
    type Error = PremiumAccountError;
    type Services = ();

    async fn handle(
        &mut self,
        command: Self::Command,
        _services: &Self::Services,
        sink: &EventSink<Self>,
    ) -> Result<(), Self::Error> {
        let event = self.decide(command)?;
        sink.write(event, self).await;
        Ok(())
    }

    fn apply(&mut self, event: Self::Event) {
        self.version += 1;
        match event {
            PremiumAccountEvent::AccountOpened(e) => self.opened = Some(e),
            PremiumAccountEvent::MonthAssessed(e) => {
                take_credits(&mut self.credits, Some(e.due_on), e.credit_applied);
                self.months.insert(
                    e.month,
                    MonthEntry {
                        assessed: e.premium,
                        received: e.credit_applied,
                        due_on: e.due_on,
                        prepaid: false,
                        cancelled: false,
                        received_on_time: e.credit_applied,
                        prepaid_premium: None,
                        prepaid_by: None,
                    },
                );
            }
            PremiumAccountEvent::PrepaymentRecorded(e) => {
                self.received_total += e.amount;
                // The unrounded monthly premiums, as the basis recorded them
                // (`prepayment::prepayment` keeps its input there).
                let exact: BTreeMap<YearMonth, Decimal> =
                    serde_json::from_value::<PrepaymentInput>(e.basis.inputs.clone())
                        .map(|input| input.months.iter().map(|m| (m.month, m.exact)).collect())
                        .unwrap_or_default();
                for m in e.months {
                    self.months.insert(
                        m.month,
                        MonthEntry {
                            assessed: m.amount,
                            received: m.amount,
                            due_on: m.month.first_day(),
                            prepaid: true,
                            cancelled: false,
                            received_on_time: m.amount,
                            prepaid_premium: exact.get(&m.month).copied(),
                            prepaid_by: Some(self.version),
                        },
                    );
                }
            }
            PremiumAccountEvent::PremiumReceived(e) => {
                self.received_total += e.amount;
                for a in &e.applied {
                    if let Some(entry) = self.months.get_mut(&a.month) {
                        entry.received += a.amount;
                        if e.received_on <= entry.due_on {
                            entry.received_on_time += a.amount;
                        }
                    }
                }
                if e.credited > Yen::ZERO {
                    self.credits.push(Credit {
                        arose_on: e.received_on,
                        amount: e.credited,
                    });
                }
                if !e.reference.is_empty() {
                    self.receipt_references.insert(e.reference.clone());
                }
                self.receipts.insert(
                    self.version,
                    ReceiptState {
                        amount: e.amount,
                        received_on: e.received_on,
                        reference: e.reference,
                        applied: e.applied,
                        credited: e.credited,
                        reversed_on: None,
                    },
                );
            }
            PremiumAccountEvent::ReceiptReversed(e) => {
                self.received_total -= e.amount;
                let original = self.receipts.get(&e.receipt_version);
                for a in &e.unapplied {
                    if let Some(entry) = self.months.get_mut(&a.month) {
                        entry.received -= a.amount;
                        // What leaves the on-time part: the receipt's own on-time payment for
                        // the month, or (taken from a month it did not pay) credit applied at
                        // the assessment, which counted as on time.
                        let own = original.map(|r| {
                            let paid: Yen = r
                                .applied
                                .iter()
                                .filter(|x| x.month == a.month)
                                .map(|x| x.amount)
                                .sum();
                            (paid, r.received_on <= entry.due_on)
                        });
                        let on_time_taken = match own {
                            Some((paid, on_time)) if paid > Yen::ZERO => {
                                if on_time {
                                    a.amount.min(paid)
                                } else {
                                    Yen::ZERO
                                }
                            }
                            _ => a.amount,
                        };
                        entry.received_on_time = (entry.received_on_time - on_time_taken)
                            .max(Yen::ZERO)
                            .min(entry.received);
                    }
                }
                withdraw_credits(&mut self.credits, e.received_on, e.credit_withdrawn);
                if let Some(receipt) = self.receipts.get_mut(&e.receipt_version) {
                    receipt.reversed_on = Some(e.reversed_on);
                }
                // The reference may be recorded again (a corrected entry).
                self.receipt_references.remove(&e.reference);
            }
            PremiumAccountEvent::PrepaymentShortfallAssessed(e) => {
                for m in e.months {
                    if let Some(entry) = self.months.get_mut(&m.month) {
                        entry.assessed += m.shortfall;
                        if let Some(due_on) = m.due_on {
                            entry.due_on = due_on;
                        }
                        entry.prepaid_premium = Some(m.premium_after);
                    }
                }
            }
            PremiumAccountEvent::ArrearsDetected(e) => {
                self.arrears_reported
                    .extend(e.months.into_iter().map(|m| m.month));
            }
            PremiumAccountEvent::AccountClosed(e) => {
                let mut moved = Yen::ZERO;
                for c in &e.cancelled {
                    if let Some(entry) = self.months.get_mut(&c.month) {
                        entry.assessed = Yen::ZERO;
                        entry.received = Yen::ZERO;
                        entry.received_on_time = Yen::ZERO;
                        entry.cancelled = true;
                    }
                    moved += c.received;
                }
                if moved > Yen::ZERO {
                    self.credits.push(Credit {
                        arose_on: e.lost_on,
                        amount: moved,
                    });
                }
                self.closed = Some(Closure {
                    lost_on: e.lost_on,
                    first_uncharged: e.first_uncharged,
                });
            }
            PremiumAccountEvent::RefundClaimed(e) => {
                self.last_refund_version = self.version;
                self.refund = Some(PendingRefund {
                    claimed_on: e.claimed_on,
                    decided: None,
                });
            }
            PremiumAccountEvent::RefundDecided(e) => {
                self.last_refund_version = self.version;
                take_credits(&mut self.credits, None, e.amount);
                if let Some(refund) = self.refund.as_mut() {
                    refund.decided = Some((e.amount, e.decided_on));
                }
            }
            PremiumAccountEvent::RefundPaid(e) => {
                self.last_refund_version = self.version;
                self.refunded_total += e.amount;
                self.refund = None;
            }
        }
    }
}

/// Takes `amount` from the credits, oldest first, only from credits usable for a month due
/// on `due_on` (all credits when `None`).
pub(crate) fn take_credits(credits: &mut Vec<Credit>, due_on: Option<Date>, amount: Yen) {
    let mut left = amount;
    for credit in credits.iter_mut() {
        if left <= Yen::ZERO {
            break;
        }
        if due_on.is_some_and(|due| !credit.usable_for(due)) {
            continue;
        }
        let used = credit.amount.min(left);
        credit.amount -= used;
        left -= used;
    }
    credits.retain(|c| c.amount > Yen::ZERO);
}

/// Takes `amount` back from the credits (a receipt reversed): first from those that arose
/// on `arose_on` (the receipt's own over-payment), then from the newest.
pub(crate) fn withdraw_credits(credits: &mut Vec<Credit>, arose_on: Date, amount: Yen) {
    let mut left = amount;
    let mut order: Vec<usize> = (0..credits.len()).rev().collect();
    order.sort_by_key(|&i| credits[i].arose_on != arose_on);
    for i in order {
        if left <= Yen::ZERO {
            break;
        }
        let used = credits[i].amount.min(left);
        credits[i].amount -= used;
        left -= used;
    }
    credits.retain(|c| c.amount > Yen::ZERO);
}

/// Credit usable for a month due on `due_on` (164条2項).
pub(crate) fn usable_credit(credits: &[Credit], due_on: Date) -> Yen {
    credits
        .iter()
        .filter(|c| c.usable_for(due_on))
        .map(|c| c.amount)
        .sum()
}

impl PremiumAccount {
    /// The opening event, once recorded.
    pub fn opening(&self) -> Option<&AccountOpened> {
        self.opened.as_ref()
    }

    /// True once opened.
    pub fn is_open(&self) -> bool {
        self.opened.is_some() && self.closed.is_none()
    }

    /// 資格喪失日, once closed.
    pub fn lost_on(&self) -> Option<Date> {
        self.closed.as_ref().map(|c| c.lost_on)
    }

    /// Σ assessed (cancelled months count 0).
    pub fn total_assessed(&self) -> Yen {
        self.months.values().map(|m| m.assessed).sum()
    }

    /// Σ money received (receipts and 前納).
    pub fn total_received(&self) -> Yen {
        self.received_total
    }

    /// Σ refunds paid.
    pub fn total_refunded(&self) -> Yen {
        self.refunded_total
    }

    /// Credit available (over-payments and payments for cancelled months, less refunds
    /// decided).
    pub fn credit(&self) -> Yen {
        self.credits.iter().map(|c| c.amount).sum()
    }

    /// Refund decided and not yet paid.
    pub fn pending_refund(&self) -> Option<Yen> {
        self.refund.as_ref().and_then(|r| r.decided.map(|(a, _)| a))
    }

    /// assessed − (received − refunded): positive = owed by the member, negative = held for
    /// the member.
    pub fn balance(&self) -> Yen {
        self.total_assessed() - self.received_total + self.refunded_total
    }

    /// assessed − received for each month.
    pub fn balance_by_month(&self) -> BTreeMap<YearMonth, Yen> {
        self.months
            .iter()
            .map(|(month, m)| (*month, m.outstanding()))
            .collect()
    }

    /// Months with an amount outstanding whose due date is on or before `as_of`.
    pub fn unpaid_months(&self, as_of: Date) -> Vec<YearMonth> {
        self.months
            .iter()
            .filter(|(_, m)| m.outstanding() > Yen::ZERO && m.due_on <= as_of)
            .map(|(month, _)| *month)
            .collect()
    }

    /// True when some month is still unpaid after its due date (due date before `as_of`).
    pub fn is_in_arrears(&self, as_of: Date) -> bool {
        self.months
            .values()
            .any(|m| m.outstanding() > Yen::ZERO && m.due_on < as_of)
    }

    /// The months covered by a 前納 and not cancelled, oldest first.
    pub fn prepaid_months(&self) -> Vec<PrepaidMonthState> {
        self.months
            .iter()
            .filter(|(_, m)| m.prepaid && !m.cancelled)
            .map(|(month, m)| PrepaidMonthState {
                month: *month,
                premium: m.prepaid_premium,
                prepayment_version: m.prepaid_by,
            })
            .collect()
    }

    /// The ledger, oldest month first.
    pub fn ledger(&self) -> Vec<LedgerRow> {
        self.months
            .iter()
            .map(|(month, m)| LedgerRow {
                month: *month,
                due_on: m.due_on,
                assessed: m.assessed,
                received: m.received,
                balance: m.outstanding(),
                prepaid: m.prepaid,
                cancelled: m.cancelled,
            })
            .collect()
    }
}
