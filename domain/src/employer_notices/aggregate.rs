//! The [`EmployerNotice`] aggregate: one stream per 事業所 and 月分, and its command handling.

use std::collections::{BTreeSet, HashSet};

use cqrs_es::event_sink::EventSink;
use cqrs_es::Aggregate;
use serde::{Deserialize, Serialize};

use super::commands::{EmployerNoticeCommand, NoticeIssue, NoticeReceipt, NoticeReissue};
use super::error::{EmployerNoticeError as E, REASON_MAX_CHARS, REFERENCE_MAX_CHARS};
use super::events::{EmployerNoticeEvent, NoticeIssued, NoticeReceiptRecorded, NoticeReissued};
use super::values::{NoticeLine, NoticeStatus, NoticeTotals, ReceiptKind};
use crate::basis::Basis;
use crate::calendar::{Date, YearMonth};
use crate::money::Yen;

type Result<T> = std::result::Result<T, E>;

/// The 納入告知 of one 事業所 for one 月分 (健保法164条1項; rules.md §3.3, §3.4): issued once,
/// corrected by reissues that keep the original, and paid by receipts. The aggregate id is
/// [`super::notice_id`] of the 事業所コード and the month.
///
/// At issue and reissue the totals must add up from the lines (納入告知額 = Σ 全額 1円未満切捨て,
/// 事業主負担分 = 告知額 − Σ 被保険者負担分; rules.md §3.3) and the 算定根拠 must give the 告知額.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EmployerNotice {
    office_code: Option<String>,
    month: Option<YearMonth>,
    issued_on: Option<Date>,
    due_on: Option<Date>,
    revision: u32,
    lines: Vec<NoticeLine>,
    totals: Option<NoticeTotals>,
    received_total: Yen,
    references: BTreeSet<String>,
}

impl Aggregate for EmployerNotice {
    const TYPE: &'static str = super::STREAM_TYPE;
    type Command = EmployerNoticeCommand;
    type Event = EmployerNoticeEvent;
    type Error = E;
    type Services = ();

    async fn handle(
        &mut self,
        command: Self::Command,
        _services: &Self::Services,
        sink: &EventSink<Self>,
    ) -> Result<()> {
        let event = self.decide(command)?;
        sink.write(event, self).await;
        Ok(())
    }

    fn apply(&mut self, event: Self::Event) {
        match event {
            EmployerNoticeEvent::NoticeIssued(e) => {
                self.office_code = Some(e.office_code);
                self.month = Some(e.month);
                self.issued_on = Some(e.issued_on);
                self.due_on = Some(e.due_on);
                self.revision = 1;
                self.lines = e.lines;
                self.totals = Some(e.totals);
            }
            EmployerNoticeEvent::NoticeReissued(e) => {
                self.revision = e.revision;
                self.lines = e.lines;
                self.totals = Some(e.totals);
            }
            EmployerNoticeEvent::NoticeReceiptRecorded(e) => {
                self.received_total = e.received_total;
                self.references.insert(e.reference);
            }
        }
    }
}

fn check_office_code(office_code: &str) -> Result<()> {
    let ok =
        (1..=8).contains(&office_code.len()) && office_code.bytes().all(|b| b.is_ascii_digit());
    if ok {
        Ok(())
    } else {
        Err(E::InvalidOfficeCode {
            office_code: office_code.to_owned(),
        })
    }
}

fn not_before_month(month: YearMonth, date: Date) -> Result<()> {
    if date < month.first_day() {
        return Err(E::DatedBeforeMonth { month, date });
    }
    Ok(())
}

fn mismatch(field: &'static str, expected: impl ToString, given: impl ToString) -> E {
    E::TotalsMismatch {
        field,
        expected: expected.to_string(),
        given: given.to_string(),
    }
}

/// The lines name each person once, the totals add up from them, and the basis gives the 告知額.
fn check_figures(lines: &[NoticeLine], totals: &NoticeTotals, basis: &Basis) -> Result<()> {
    let mut seen = HashSet::with_capacity(lines.len());
    for line in lines {
        if !seen.insert(line.person_id) {
            return Err(E::DuplicateLine {
                person_id: line.person_id,
            });
        }
    }
    let expected = NoticeTotals::of(lines);
    if totals.insured != expected.insured {
        return Err(mismatch("insured", expected.insured, totals.insured));
    }
    if totals.charged != expected.charged {
        return Err(mismatch("charged", expected.charged, totals.charged));
    }
    if totals.full_total != expected.full_total {
        return Err(mismatch(
            "full_total",
            expected.full_total,
            totals.full_total,
        ));
    }
    if totals.notice_amount != expected.notice_amount {
        return Err(mismatch(
            "notice_amount",
            expected.notice_amount,
            totals.notice_amount,
        ));
    }
    if totals.insured_total != expected.insured_total {
        return Err(mismatch(
            "insured_total",
            expected.insured_total,
            totals.insured_total,
        ));
    }
    if totals.employer_total != expected.employer_total {
        return Err(mismatch(
            "employer_total",
            expected.employer_total,
            totals.employer_total,
        ));
    }
    if basis.result_yen != totals.notice_amount.amount() {
        return Err(E::BasisMismatch {
            notice_amount: totals.notice_amount,
            basis_result: basis.result_yen,
        });
    }
    Ok(())
}

impl EmployerNotice {
    /// Checks `command` and returns the event it records.
    pub fn decide(&self, command: EmployerNoticeCommand) -> Result<EmployerNoticeEvent> {
        match command {
            EmployerNoticeCommand::Issue(body) => self.issue(body),
            EmployerNoticeCommand::Reissue(body) => self.reissue(body),
            EmployerNoticeCommand::RecordReceipt(body) => self.record_receipt(body),
        }
    }

    fn issued(&self) -> Result<(YearMonth, &NoticeTotals)> {
        match (self.month, self.totals.as_ref()) {
            (Some(month), Some(totals)) => Ok((month, totals)),
            _ => Err(E::NotIssued),
        }
    }

    fn issue(&self, body: NoticeIssue) -> Result<EmployerNoticeEvent> {
        if let (Some(office_code), Some(month), Some(issued_on)) =
            (&self.office_code, self.month, self.issued_on)
        {
            return Err(E::AlreadyIssued {
                office_code: office_code.clone(),
                month,
                issued_on,
            });
        }
        check_office_code(&body.office_code)?;
        not_before_month(body.month, body.issued_on)?;
        check_figures(&body.lines, &body.totals, &body.basis)?;
        Ok(EmployerNoticeEvent::NoticeIssued(NoticeIssued {
            due_on: super::due_on(body.month),
            office_code: body.office_code,
            month: body.month,
            issued_on: body.issued_on,
            lines: body.lines,
            totals: body.totals,
            basis: body.basis,
        }))
    }

    fn reissue(&self, body: NoticeReissue) -> Result<EmployerNoticeEvent> {
        let (month, totals) = self.issued()?;
        let reason = body.reason.trim();
        if reason.is_empty() || reason.chars().count() > REASON_MAX_CHARS {
            return Err(E::ReasonRequired);
        }
        not_before_month(month, body.reissued_on)?;
        check_figures(&body.lines, &body.totals, &body.basis)?;
        if body.lines == self.lines && &body.totals == totals {
            return Err(E::ReissueUnchanged);
        }
        Ok(EmployerNoticeEvent::NoticeReissued(NoticeReissued {
            revision: self.revision + 1,
            reissued_on: body.reissued_on,
            reason: reason.to_owned(),
            previous_notice_amount: totals.notice_amount,
            status: NoticeStatus::of(body.totals.notice_amount, self.received_total),
            lines: body.lines,
            totals: body.totals,
            basis: body.basis,
        }))
    }

    fn record_receipt(&self, body: NoticeReceipt) -> Result<EmployerNoticeEvent> {
        let (month, totals) = self.issued()?;
        if body.amount <= Yen::ZERO {
            return Err(E::AmountNotPositive {
                amount: body.amount,
            });
        }
        let reference = body.reference.trim();
        if reference.is_empty() || reference.chars().count() > REFERENCE_MAX_CHARS {
            return Err(E::InvalidReference);
        }
        if self.references.contains(reference) {
            return Err(E::DuplicateReceipt {
                reference: reference.to_owned(),
            });
        }
        if body.received_on < month.first_day() {
            return Err(E::ReceiptBeforeMonth {
                month,
                received_on: body.received_on,
            });
        }
        let outstanding_before = totals.notice_amount - self.received_total;
        let kind = if body.amount < outstanding_before {
            ReceiptKind::Partial
        } else if body.amount == outstanding_before {
            ReceiptKind::Exact
        } else {
            ReceiptKind::Over
        };
        let received_total = self.received_total + body.amount;
        Ok(EmployerNoticeEvent::NoticeReceiptRecorded(
            NoticeReceiptRecorded {
                amount: body.amount,
                received_on: body.received_on,
                reference: reference.to_owned(),
                kind,
                received_total,
                outstanding: totals.notice_amount - received_total,
                status: NoticeStatus::of(totals.notice_amount, received_total),
            },
        ))
    }

    /// 事業所コード, once issued.
    pub fn office_code(&self) -> Option<&str> {
        self.office_code.as_deref()
    }

    /// 月分, once issued.
    pub fn month(&self) -> Option<YearMonth> {
        self.month
    }

    /// 1 for the original notice, 2 after the first correction, …; 0 before issue.
    pub fn revision(&self) -> u32 {
        self.revision
    }

    /// The lines of the notice in force.
    pub fn lines(&self) -> &[NoticeLine] {
        &self.lines
    }

    /// The totals of the notice in force.
    pub fn totals(&self) -> Option<&NoticeTotals> {
        self.totals.as_ref()
    }

    /// Σ received.
    pub fn received_total(&self) -> Yen {
        self.received_total
    }

    /// Where the notice stands; `None` before issue.
    pub fn status(&self) -> Option<NoticeStatus> {
        self.totals
            .as_ref()
            .map(|t| NoticeStatus::of(t.notice_amount, self.received_total))
    }
}
