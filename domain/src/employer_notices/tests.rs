//! Given-when-then tests of the [`EmployerNotice`] aggregate. Figures are derived by hand from
//! rules.md §3.1, §3.3, §3.5, §3.6 (each derivation in a comment).

use cqrs_es::test::TestFramework;
use rust_decimal::Decimal;
use uuid::Uuid;

use super::*;
use crate::money::Yen;
use crate::premiums::employer::{
    employer_notice, EmployerNoticeInput, EmployerShares, InsuredMonth, LeavePeriod,
    ShareCollection,
};
use crate::premiums::rates::tests::{d, dec, rate, ym};
use crate::premiums::rates::RateParameters;
use crate::premiums::voluntary::MonthCharge;
use crate::qualification::LeaveKind;

const A: Uuid = Uuid::from_u128(0xA);
const B: Uuid = Uuid::from_u128(0xB);
const C: Uuid = Uuid::from_u128(0xC);

fn insured(id: Uuid, birth: &str, standard: i64) -> InsuredMonth {
    InsuredMonth {
        person_id: id,
        birth_date: d(birth),
        long_term_care_exempt: false,
        acquired_on: d("2020-04-01"),
        lost_on: None,
        standard_remuneration: Yen::new(standard),
        standard_bonus: None,
        leaves: vec![],
        collection: ShareCollection::WageDeduction,
    }
}

/// 2026-04: 一般 0.0950 (特定 0.0400), no 調整, 介護 0.0160, 支援金 0.0023 (illustrative, not this
/// society's figures).
fn april_input() -> EmployerNoticeInput {
    EmployerNoticeInput {
        office: "1234".into(),
        month: ym("2026-04"),
        rates: RateParameters {
            general: rate("general_premium_rate", "2026-04-01", "0.0950"),
            specific: rate("specific_premium_rate", "2026-04-01", "0.0400"),
            adjustment: None,
            long_term_care: Some(rate("care_premium_rate", "2026-04-01", "0.0160")),
            child_support: Some(rate("child_support_rate", "2026-04-01", "0.0023")),
        },
        shares: EmployerShares::default(),
        insured: vec![
            insured(A, "1990-05-10", 300_000),
            insured(B, "1980-07-01", 110_000),
            InsuredMonth {
                leaves: vec![LeavePeriod {
                    kind: LeaveKind::Maternity,
                    started_on: d("2026-03-01"),
                    ended_on: d("2026-06-30"),
                    excluded_work_days: 0,
                }],
                ..insured(C, "1992-01-15", 260_000)
            },
        ],
    }
}

fn april_draft() -> NoticeDraft {
    let input = april_input();
    let calculation = employer_notice(&input).expect("calculation");
    NoticeDraft::from_calculation(&input, &calculation)
}

fn issue_command(draft: NoticeDraft) -> EmployerNoticeCommand {
    EmployerNoticeCommand::Issue(NoticeIssue::new(
        "1234".into(),
        ym("2026-04"),
        d("2026-05-08"),
        draft,
    ))
}

fn issued_event(draft: NoticeDraft) -> EmployerNoticeEvent {
    EmployerNoticeEvent::NoticeIssued(NoticeIssued {
        office_code: "1234".into(),
        month: ym("2026-04"),
        issued_on: d("2026-05-08"),
        due_on: d("2026-05-31"),
        lines: draft.lines,
        totals: draft.totals,
        basis: draft.basis,
    })
}

fn receipt(amount: i64, on: &str, reference: &str) -> EmployerNoticeCommand {
    EmployerNoticeCommand::RecordReceipt(NoticeReceipt {
        amount: Yen::new(amount),
        received_on: d(on),
        reference: reference.into(),
    })
}

fn received(
    amount: i64,
    on: &str,
    reference: &str,
    kind: ReceiptKind,
    total: i64,
    status: NoticeStatus,
) -> EmployerNoticeEvent {
    EmployerNoticeEvent::NoticeReceiptRecorded(NoticeReceiptRecorded {
        amount: Yen::new(amount),
        received_on: d(on),
        reference: reference.into(),
        kind,
        received_total: Yen::new(total),
        outstanding: Yen::new(41_653 - total),
        status,
    })
}

async fn accepts(
    given: Vec<EmployerNoticeEvent>,
    command: EmployerNoticeCommand,
    expected: Vec<EmployerNoticeEvent>,
) {
    TestFramework::<EmployerNotice>::with(())
        .given(given)
        .when_async(command)
        .await
        .then_expect_events(expected);
}

async fn refuses(given: Vec<EmployerNoticeEvent>, command: EmployerNoticeCommand, code: &str) {
    match TestFramework::<EmployerNotice>::with(())
        .given(given)
        .when_async(command)
        .await
        .inspect_result()
    {
        Ok(events) => panic!("expected {code}, got {events:?}"),
        Err(err) => assert_eq!(err.code(), code, "{err}"),
    }
}

#[test]
fn the_draft_carries_hand_derived_figures() {
    // A: 300,000, 36 in 2026 (no 介護): rate 0.0950 + 0.0023 = 0.0973; full 29,190;
    //    half 14,595 (rules.md §3.1, §3.3).
    // B: 110,000, born 1980-07-01 → reaches 40 on 2020-06-30 → 第2号 (rules.md §3.5):
    //    rate 0.0973 + 0.0160 = 0.1133; full 12,463; half 6,231.50 — exactly 50銭 → wage
    //    deduction 50銭以下切捨て → 6,231.
    // C: 産休 2026-03-01–06-30: the day after (07-01) is in July → April exempt (§3.6).
    // 告知額 floor(29,190 + 12,463) = 41,653; insured 14,595 + 6,231 = 20,826;
    // employer 41,653 − 20,826 = 20,827.
    let draft = april_draft();
    let lines = &draft.lines;
    assert_eq!(lines[0].rate, dec("0.0973"));
    assert_eq!(lines[0].monthly_full, dec("29190"));
    assert_eq!(lines[0].insured_monthly, Yen::new(14_595));
    assert!(lines[1].long_term_care);
    assert_eq!(lines[1].rate, dec("0.1133"));
    assert_eq!(lines[1].insured_monthly, Yen::new(6_231));
    assert!(lines[2].monthly_exempt && lines[2].bonus_exempt);
    assert_eq!(lines[2].monthly_full, Decimal::ZERO);
    assert_eq!(lines[2].charge, MonthCharge::Charged);
    assert_eq!(draft.totals.insured, 3);
    assert_eq!(draft.totals.charged, 2);
    assert_eq!(draft.totals.notice_amount, Yen::new(41_653));
    assert_eq!(draft.totals.insured_total, Yen::new(20_826));
    assert_eq!(draft.totals.employer_total, Yen::new(20_827));
    assert_eq!(draft.basis.result_yen, 41_653);
    // The basis keeps the 事業所-level steps and one rate step per distinct rate (0.0973,
    // 0.1133), not the per-person steps.
    let labels: Vec<&str> = draft.basis.steps.iter().map(|s| s.label.as_str()).collect();
    assert_eq!(labels.len(), 4, "{labels:?}");
    assert!(labels.contains(&"納入告知額"));
    assert!(labels.contains(&"事業主負担分"));
    // 一般, 特定, 支援金, 介護.
    assert_eq!(draft.basis.parameters.len(), 4);
}

#[test]
fn ids_and_due_dates() {
    assert_eq!(
        notice_id("1234", ym("2026-04")),
        notice_id("1234", ym("2026-04"))
    );
    assert_ne!(
        notice_id("1234", ym("2026-04")),
        notice_id("1234", ym("2026-05"))
    );
    assert_ne!(
        notice_id("1234", ym("2026-04")),
        notice_id("12345", ym("2026-04"))
    );
    // 164条1項: 翌月末日. April → 5/31; January → 2/28 (2027 is not a leap year); 2028-01 →
    // 2028-02-29.
    assert_eq!(due_on(ym("2026-04")), d("2026-05-31"));
    assert_eq!(due_on(ym("2027-01")), d("2027-02-28"));
    assert_eq!(due_on(ym("2028-01")), d("2028-02-29"));
    assert_eq!(due_on(ym("2026-12")), d("2027-01-31"));
}

#[tokio::test]
async fn issues_once() {
    accepts(
        vec![],
        issue_command(april_draft()),
        vec![issued_event(april_draft())],
    )
    .await;
    refuses(
        vec![issued_event(april_draft())],
        issue_command(april_draft()),
        "notice_already_issued",
    )
    .await;
}

#[tokio::test]
async fn refuses_figures_that_do_not_add_up() {
    let mut draft = april_draft();
    draft.totals.notice_amount = Yen::new(41_654);
    refuses(vec![], issue_command(draft), "totals_mismatch").await;
    let mut draft = april_draft();
    draft.lines[0].insured_monthly = Yen::new(14_596);
    refuses(vec![], issue_command(draft), "totals_mismatch").await;
    let mut draft = april_draft();
    draft.basis.result_yen = 1;
    refuses(vec![], issue_command(draft), "basis_mismatch").await;
    let mut draft = april_draft();
    let first = draft.lines[0].clone();
    draft.lines.push(first);
    refuses(vec![], issue_command(draft), "duplicate_insured").await;
    let mut command =
        NoticeIssue::new("12A4".into(), ym("2026-04"), d("2026-05-08"), april_draft());
    refuses(
        vec![],
        EmployerNoticeCommand::Issue(command.clone()),
        "invalid_office_code",
    )
    .await;
    command.office_code = "1234".into();
    command.issued_on = d("2026-03-31");
    refuses(
        vec![],
        EmployerNoticeCommand::Issue(command),
        "dated_before_month",
    )
    .await;
}

#[tokio::test]
async fn receipts_partial_exact_and_over() {
    let issued = issued_event(april_draft());
    refuses(vec![], receipt(1, "2026-05-10", "R0"), "notice_not_found").await;
    // 41,653 due: 20,000 is partial.
    let first = received(
        20_000,
        "2026-05-20",
        "R1",
        ReceiptKind::Partial,
        20_000,
        NoticeStatus::PartiallyPaid,
    );
    accepts(
        vec![issued.clone()],
        receipt(20_000, "2026-05-20", "R1"),
        vec![first.clone()],
    )
    .await;
    // 21,653 outstanding: exactly that → paid.
    accepts(
        vec![issued.clone(), first.clone()],
        receipt(21_653, "2026-05-29", "R2"),
        vec![received(
            21_653,
            "2026-05-29",
            "R2",
            ReceiptKind::Exact,
            41_653,
            NoticeStatus::Paid,
        )],
    )
    .await;
    // 30,000 against 21,653 outstanding → over; paid with 8,347 過納 (outstanding −8,347).
    accepts(
        vec![issued.clone(), first.clone()],
        receipt(30_000, "2026-05-29", "R2"),
        vec![received(
            30_000,
            "2026-05-29",
            "R2",
            ReceiptKind::Over,
            50_000,
            NoticeStatus::Paid,
        )],
    )
    .await;
    refuses(
        vec![issued.clone(), first.clone()],
        receipt(5, "2026-05-29", " R1 "),
        "duplicate_receipt",
    )
    .await;
    refuses(
        vec![issued.clone()],
        receipt(0, "2026-05-29", "R3"),
        "amount_not_positive",
    )
    .await;
    refuses(
        vec![issued.clone()],
        receipt(5, "2026-05-29", "  "),
        "invalid_reference",
    )
    .await;
    refuses(
        vec![issued],
        receipt(5, "2026-03-31", "R4"),
        "receipt_before_month",
    )
    .await;
}

#[tokio::test]
async fn a_reissue_keeps_the_original_and_recomputes_the_status() {
    let issued = issued_event(april_draft());
    let paid = received(
        41_653,
        "2026-05-29",
        "R1",
        ReceiptKind::Exact,
        41_653,
        NoticeStatus::Paid,
    );
    // Correction: A's 標準報酬月額 was 320,000: full 320,000 × 0.0973 = 31,136; half 15,568.
    // 告知額 floor(31,136 + 12,463) = 43,599 > 41,653 received → partially paid again.
    let mut input = april_input();
    input.insured[0].standard_remuneration = Yen::new(320_000);
    let corrected = NoticeDraft::from_calculation(&input, &employer_notice(&input).expect("calc"));
    assert_eq!(corrected.totals.notice_amount, Yen::new(43_599));
    assert_eq!(corrected.lines[0].insured_monthly, Yen::new(15_568));
    let reissue = |reason: &str, draft: NoticeDraft| {
        EmployerNoticeCommand::Reissue(NoticeReissue {
            reissued_on: d("2026-06-10"),
            reason: reason.into(),
            lines: draft.lines,
            totals: draft.totals,
            basis: draft.basis,
        })
    };
    accepts(
        vec![issued.clone(), paid.clone()],
        reissue(" 標準報酬月額の遡及訂正 ", corrected.clone()),
        vec![EmployerNoticeEvent::NoticeReissued(NoticeReissued {
            revision: 2,
            reissued_on: d("2026-06-10"),
            reason: "標準報酬月額の遡及訂正".into(),
            previous_notice_amount: Yen::new(41_653),
            lines: corrected.lines.clone(),
            totals: corrected.totals.clone(),
            basis: corrected.basis.clone(),
            status: NoticeStatus::PartiallyPaid,
        })],
    )
    .await;
    refuses(
        vec![issued.clone()],
        reissue("", corrected.clone()),
        "reason_required",
    )
    .await;
    refuses(
        vec![issued.clone()],
        reissue("訂正", april_draft()),
        "reissue_unchanged",
    )
    .await;
    refuses(vec![], reissue("訂正", corrected), "notice_not_found").await;

    // The aggregate after issue, payment and the correction: revision 2, the corrected
    // lines, 43,599 − 41,653 = 1,946 outstanding → partially paid.
    let mut notice = EmployerNotice::default();
    let reissued = notice_after(&[issued, paid], reissue("訂正", corrected_for_state())).await;
    for event in reissued {
        cqrs_es::Aggregate::apply(&mut notice, event);
    }
    assert_eq!(notice.revision(), 2);
    assert_eq!(notice.lines()[0].standard_remuneration, Yen::new(320_000));
    assert_eq!(notice.received_total(), Yen::new(41_653));
    assert_eq!(notice.status(), Some(NoticeStatus::PartiallyPaid));
}

fn corrected_for_state() -> NoticeDraft {
    let mut input = april_input();
    input.insured[0].standard_remuneration = Yen::new(320_000);
    NoticeDraft::from_calculation(&input, &employer_notice(&input).expect("calc"))
}

/// The events `given` followed by the events `command` records.
async fn notice_after(
    given: &[EmployerNoticeEvent],
    command: EmployerNoticeCommand,
) -> Vec<EmployerNoticeEvent> {
    let mut notice = EmployerNotice::default();
    for event in given {
        cqrs_es::Aggregate::apply(&mut notice, event.clone());
    }
    let new = notice.decide(command).expect("accepted");
    let mut all = given.to_vec();
    all.push(new);
    all
}

#[test]
fn status_of_amounts() {
    let y = Yen::new;
    assert_eq!(NoticeStatus::of(y(100), y(0)), NoticeStatus::Issued);
    assert_eq!(NoticeStatus::of(y(100), y(99)), NoticeStatus::PartiallyPaid);
    assert_eq!(NoticeStatus::of(y(100), y(100)), NoticeStatus::Paid);
    assert_eq!(NoticeStatus::of(y(100), y(101)), NoticeStatus::Paid);
    assert_eq!(NoticeStatus::of(y(0), y(0)), NoticeStatus::NothingDue);
    assert_eq!(NoticeStatus::of(y(0), y(1)), NoticeStatus::Paid);
}
