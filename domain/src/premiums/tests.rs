//! Given-when-then tests of the [`PremiumAccount`] aggregate (cqrs-es `TestFramework`), the
//! state queries, one end-to-end flow from the calculations, and a property-style test.
//! Expected figures are derived by hand from rules.md; each test names its rule.

use cqrs_es::test::TestFramework;
use cqrs_es::{Aggregate, DomainEvent};
use uuid::Uuid;

use super::*;
use crate::basis::Basis;
use crate::calendar::{parse, parse_year_month, Date, YearMonth};
use crate::money::Yen;
use crate::qualification::{EnrollmentCategory, ErrorCategory, LossReason};

// ---------------------------------------------------------------- fixtures

fn d(s: &str) -> Date {
    parse(s).expect("test date")
}

fn ym(s: &str) -> YearMonth {
    parse_year_month(s).expect("test month")
}

fn yen(n: i64) -> Yen {
    Yen::new(n)
}

fn basis(result: i64) -> Basis {
    Basis {
        result_yen: result,
        ..Basis::default()
    }
}

const PERSON: Uuid = Uuid::from_u128(0x7A);

/// 任継 from 2026-04-01 (retired 2026-03-31), 標準報酬月額 380,000; each month due on the 10th
/// (164条1項), the first premium by 2026-04-20 (37条2項, set by the society).
fn opening() -> AccountOpening {
    AccountOpening {
        person_id: PERSON,
        category: EnrollmentCategory::VoluntaryContinuation,
        acquired_on: d("2026-04-01"),
        standard_remuneration: Some(yen(380_000)),
        due_rule: DueRule {
            day_of_month: 10,
            first_premium_due_on: d("2026-04-20"),
            holiday_shift: HolidayShift::None,
        },
    }
}

fn opened() -> PremiumAccountEvent {
    let o = opening();
    PremiumAccountEvent::AccountOpened(AccountOpened {
        person_id: o.person_id,
        category: o.category,
        acquired_on: o.acquired_on,
        standard_remuneration: o.standard_remuneration,
        due_rule: o.due_rule,
    })
}

fn assess(month: &str, premium: i64) -> PremiumAccountCommand {
    PremiumAccountCommand::AssessMonth(MonthAssessment {
        month: ym(month),
        premium: yen(premium),
        basis: basis(premium),
    })
}

fn assessed(month: &str, premium: i64, due_on: &str, credit: i64) -> PremiumAccountEvent {
    PremiumAccountEvent::MonthAssessed(MonthAssessed {
        month: ym(month),
        premium: yen(premium),
        due_on: d(due_on),
        credit_applied: yen(credit),
        basis: basis(premium),
    })
}

fn receipt(amount: i64, on: &str, reference: &str) -> PremiumAccountCommand {
    PremiumAccountCommand::RecordReceipt(ReceiptRecord {
        amount: yen(amount),
        received_on: d(on),
        channel: PaymentChannel::BankTransfer,
        reference: reference.to_owned(),
    })
}

fn received(
    amount: i64,
    on: &str,
    reference: &str,
    applied: &[(&str, i64)],
    credited: i64,
) -> PremiumAccountEvent {
    PremiumAccountEvent::PremiumReceived(PremiumReceived {
        amount: yen(amount),
        received_on: d(on),
        channel: PaymentChannel::BankTransfer,
        reference: reference.to_owned(),
        applied: applied
            .iter()
            .map(|(m, a)| ReceiptApplication {
                month: ym(m),
                amount: yen(*a),
            })
            .collect(),
        credited: yen(credited),
    })
}

fn prepaid(months: &[(&str, i64)]) -> Vec<PrepaidMonth> {
    months
        .iter()
        .map(|(m, a)| PrepaidMonth {
            month: ym(m),
            amount: yen(*a),
        })
        .collect()
}

fn withdrawal(accepted_on: &str) -> ClosingReason {
    ClosingReason::Lost {
        reason: LossReason::VoluntaryWithdrawal {
            accepted_on: d(accepted_on),
        },
    }
}

fn close(lost_on: &str, reason: ClosingReason) -> PremiumAccountCommand {
    PremiumAccountCommand::Close(AccountClosing {
        lost_on: d(lost_on),
        reason,
    })
}

fn given(events: Vec<PremiumAccountEvent>) -> cqrs_es::test::AggregateTestExecutor<PremiumAccount> {
    TestFramework::<PremiumAccount>::with(()).given(events)
}

async fn accepts(
    events: Vec<PremiumAccountEvent>,
    command: PremiumAccountCommand,
    expected: Vec<PremiumAccountEvent>,
) {
    given(events)
        .when_async(command)
        .await
        .then_expect_events(expected);
}

async fn refuses(
    events: Vec<PremiumAccountEvent>,
    command: PremiumAccountCommand,
    code: &str,
) -> PremiumAccountError {
    match given(events).when_async(command).await.inspect_result() {
        Ok(events) => panic!("expected error {code}, got events {events:?}"),
        Err(err) => {
            assert_eq!(err.code(), code, "{err}");
            err
        }
    }
}

fn state(events: &[PremiumAccountEvent]) -> PremiumAccount {
    let mut account = PremiumAccount::default();
    for e in events {
        account.apply(e.clone());
    }
    account
}

/// Opened, April and May assessed at 35,568 (380,000 × 0.0936, voluntary.rs).
fn april_and_may() -> Vec<PremiumAccountEvent> {
    vec![
        opened(),
        assessed("2026-04", 35_568, "2026-04-20", 0),
        assessed("2026-05", 35_568, "2026-05-10", 0),
    ]
}

// ---------------------------------------------------------------- Open

#[tokio::test]
async fn open_is_accepted() {
    accepts(
        vec![],
        PremiumAccountCommand::Open(opening()),
        vec![opened()],
    )
    .await;
    assert_eq!(PremiumAccount::TYPE, "premium_account");
}

#[tokio::test]
async fn open_is_accepted_for_a_special_retiree_without_standard_remuneration() {
    let body = AccountOpening {
        category: EnrollmentCategory::SpecialRetiree,
        standard_remuneration: None,
        ..opening()
    };
    let expected = PremiumAccountEvent::AccountOpened(AccountOpened {
        person_id: PERSON,
        category: EnrollmentCategory::SpecialRetiree,
        acquired_on: body.acquired_on,
        standard_remuneration: None,
        due_rule: body.due_rule,
    });
    accepts(vec![], PremiumAccountCommand::Open(body), vec![expected]).await;
}

#[tokio::test]
async fn open_is_refused_when_invalid() {
    let err = refuses(
        vec![opened()],
        PremiumAccountCommand::Open(opening()),
        "account_already_opened",
    )
    .await;
    assert_eq!(err.category(), ErrorCategory::Conflict);
    let err = refuses(
        vec![],
        PremiumAccountCommand::Open(AccountOpening {
            category: EnrollmentCategory::Compulsory,
            ..opening()
        }),
        "category_not_applicable",
    )
    .await;
    assert_eq!(err.category(), ErrorCategory::Invalid);
    refuses(
        vec![],
        PremiumAccountCommand::Open(AccountOpening {
            standard_remuneration: None,
            ..opening()
        }),
        "standard_remuneration_required",
    )
    .await;
    refuses(
        vec![],
        PremiumAccountCommand::Open(AccountOpening {
            standard_remuneration: Some(yen(385_000)),
            ..opening()
        }),
        "not_a_grade_amount",
    )
    .await;
    refuses(
        vec![],
        PremiumAccountCommand::Open(AccountOpening {
            due_rule: DueRule {
                day_of_month: 31,
                first_premium_due_on: d("2026-04-20"),
                holiday_shift: HolidayShift::None,
            },
            ..opening()
        }),
        "due_day_out_of_range",
    )
    .await;
}

#[tokio::test]
async fn every_other_command_needs_an_open_account() {
    for command in [
        assess("2026-04", 1),
        receipt(1, "2026-04-01", "r"),
        PremiumAccountCommand::DetectArrears(ArrearsDetection {
            as_of: d("2026-05-01"),
        }),
        close("2026-05-01", withdrawal("2026-04-10")),
        PremiumAccountCommand::ClaimRefund(RefundClaim {
            claimed_on: d("2026-05-01"),
        }),
    ] {
        let err = refuses(vec![], command, "account_not_opened").await;
        assert_eq!(err.category(), ErrorCategory::NotFound);
    }
}

// ---------------------------------------------------------------- AssessMonth

#[tokio::test]
async fn assessment_dates_follow_the_due_rule() {
    // The month of acquisition is due on the first-premium date 2026-04-20 (37条2項);
    // May on 2026-05-10 (164条1項 ただし書: その月の10日).
    accepts(
        vec![opened()],
        assess("2026-04", 35_568),
        vec![assessed("2026-04", 35_568, "2026-04-20", 0)],
    )
    .await;
    accepts(
        vec![opened(), assessed("2026-04", 35_568, "2026-04-20", 0)],
        assess("2026-05", 35_568),
        vec![assessed("2026-05", 35_568, "2026-05-10", 0)],
    )
    .await;
    // A late first notice (due 2026-05-15) also covers May: May's own 10th is earlier →
    // due 2026-05-15; June → 2026-06-10.
    let late = PremiumAccountEvent::AccountOpened(AccountOpened {
        person_id: PERSON,
        category: EnrollmentCategory::VoluntaryContinuation,
        acquired_on: d("2026-04-01"),
        standard_remuneration: Some(yen(380_000)),
        due_rule: DueRule {
            day_of_month: 10,
            first_premium_due_on: d("2026-05-15"),
            holiday_shift: HolidayShift::None,
        },
    });
    let account = state(&[late]);
    assert_eq!(account.due_on(ym("2026-04")), Some(d("2026-05-15")));
    assert_eq!(account.due_on(ym("2026-05")), Some(d("2026-05-15")));
    assert_eq!(account.due_on(ym("2026-06")), Some(d("2026-06-10")));
}

#[tokio::test]
async fn assessment_is_refused_twice_before_opening_month_after_close_or_with_bad_figures() {
    refuses(
        april_and_may(),
        assess("2026-05", 35_568),
        "month_already_assessed",
    )
    .await;
    refuses(
        vec![opened()],
        assess("2026-03", 35_568),
        "month_before_acquisition",
    )
    .await;
    // 申出 受理 2026-05-20 → lost 2026-06-01 → June and later not charged (156条3項).
    let mut closed = april_and_may();
    closed.push(PremiumAccountEvent::AccountClosed(AccountClosed {
        lost_on: d("2026-06-01"),
        reason: withdrawal("2026-05-20"),
        first_uncharged: ym("2026-06"),
        cancelled: vec![],
    }));
    let err = refuses(closed, assess("2026-06", 35_568), "month_after_close").await;
    assert_eq!(err.category(), ErrorCategory::Conflict);
    refuses(vec![opened()], assess("2026-04", -1), "amount_out_of_range").await;
    refuses(
        vec![opened()],
        PremiumAccountCommand::AssessMonth(MonthAssessment {
            month: ym("2026-04"),
            premium: yen(35_568),
            basis: basis(35_569),
        }),
        "basis_mismatch",
    )
    .await;
    let prepaid_months = vec![
        opened(),
        PremiumAccountEvent::PrepaymentRecorded(PrepaymentRecorded {
            months: prepaid(&[("2026-05", 35_452)]),
            amount: yen(35_452),
            received_on: d("2026-04-15"),
            basis: basis(35_452),
        }),
    ];
    refuses(prepaid_months, assess("2026-05", 35_568), "month_prepaid").await;
}

// ---------------------------------------------------------------- RecordPrepayment

/// The 6-month 前納 of prepayment.rs: 210,984 over 2026-04..09.
fn half_year() -> Vec<PrepaidMonth> {
    prepaid(&[
        ("2026-04", 35_452),
        ("2026-05", 35_336),
        ("2026-06", 35_221),
        ("2026-07", 35_106),
        ("2026-08", 34_992),
        ("2026-09", 34_877),
    ])
}

fn prepayment(months: Vec<PrepaidMonth>, amount: i64, on: &str) -> PremiumAccountCommand {
    PremiumAccountCommand::RecordPrepayment(PrepaymentRecord {
        months,
        amount: yen(amount),
        received_on: d(on),
        basis: basis(amount),
    })
}

#[tokio::test]
async fn prepayment_is_accepted_by_the_end_of_the_previous_month() {
    accepts(
        vec![opened()],
        prepayment(half_year(), 210_984, "2026-03-31"),
        vec![PremiumAccountEvent::PrepaymentRecorded(
            PrepaymentRecorded {
                months: half_year(),
                amount: yen(210_984),
                received_on: d("2026-03-31"),
                basis: basis(210_984),
            },
        )],
    )
    .await;
}

#[tokio::test]
async fn prepayment_is_refused_when_late_inconsistent_or_overlapping() {
    refuses(
        vec![opened()],
        prepayment(half_year(), 210_984, "2026-04-01"),
        "prepayment_too_late",
    )
    .await;
    refuses(
        vec![opened()],
        prepayment(half_year(), 210_985, "2026-03-31"),
        "prepayment_total_mismatch",
    )
    .await;
    refuses(
        vec![opened()],
        prepayment(vec![], 0, "2026-03-31"),
        "empty_prepayment",
    )
    .await;
    refuses(
        vec![opened()],
        prepayment(prepaid(&[("2026-04", 1), ("2026-06", 1)]), 2, "2026-03-31"),
        "months_not_consecutive",
    )
    .await;
    refuses(
        vec![opened()],
        prepayment(prepaid(&[("2026-04", 0)]), 0, "2026-03-31"),
        "amount_out_of_range",
    )
    .await;
    refuses(
        april_and_may(),
        prepayment(half_year(), 210_984, "2026-03-31"),
        "month_already_assessed",
    )
    .await;
    refuses(
        vec![opened()],
        PremiumAccountCommand::RecordPrepayment(PrepaymentRecord {
            months: half_year(),
            amount: yen(210_984),
            received_on: d("2026-03-31"),
            basis: basis(1),
        }),
        "basis_mismatch",
    )
    .await;
    let mut closed = vec![opened()];
    closed.push(PremiumAccountEvent::AccountClosed(AccountClosed {
        lost_on: d("2026-06-01"),
        reason: withdrawal("2026-05-20"),
        first_uncharged: ym("2026-06"),
        cancelled: vec![],
    }));
    refuses(
        closed,
        prepayment(half_year(), 210_984, "2026-03-31"),
        "account_closed",
    )
    .await;
}

// ---------------------------------------------------------------- RecordReceipt

#[tokio::test]
async fn receipt_pays_the_oldest_month_first_partially() {
    // 40,000 against April 35,568 and May 35,568: April 35,568, May 4,432 (40,000 − 35,568).
    accepts(
        april_and_may(),
        receipt(40_000, "2026-04-18", "BT-1"),
        vec![received(
            40_000,
            "2026-04-18",
            "BT-1",
            &[("2026-04", 35_568), ("2026-05", 4_432)],
            0,
        )],
    )
    .await;
}

#[tokio::test]
async fn over_payment_is_kept_as_credit_and_used_within_six_months() {
    // 80,000 against 71,136 (2 × 35,568) → 8,864 credit (80,000 − 71,136).
    let r = received(
        80_000,
        "2026-04-18",
        "BT-1",
        &[("2026-04", 35_568), ("2026-05", 35_568)],
        8_864,
    );
    accepts(
        april_and_may(),
        receipt(80_000, "2026-04-18", "BT-1"),
        vec![r.clone()],
    )
    .await;
    // June (due 2026-06-10, within 6 months of 2026-04-18) uses the credit: 8,864 applied.
    let mut events = april_and_may();
    events.push(r.clone());
    accepts(
        events.clone(),
        assess("2026-06", 35_568),
        vec![assessed("2026-06", 35_568, "2026-06-10", 8_864)],
    )
    .await;
    // A month due after 2026-10-18 (6 months) cannot use it: November (due 2026-11-10).
    accepts(
        events,
        assess("2026-11", 35_568),
        vec![assessed("2026-11", 35_568, "2026-11-10", 0)],
    )
    .await;
}

#[tokio::test]
async fn receipt_is_refused_twice_or_when_not_positive() {
    let mut events = april_and_may();
    events.push(received(100, "2026-04-18", "BT-1", &[("2026-04", 100)], 0));
    let err = refuses(
        events,
        receipt(100, "2026-04-19", "BT-1"),
        "duplicate_receipt",
    )
    .await;
    assert_eq!(err.category(), ErrorCategory::Conflict);
    refuses(
        april_and_may(),
        receipt(0, "2026-04-18", "BT-2"),
        "amount_out_of_range",
    )
    .await;
}

// ---------------------------------------------------------------- DetectArrears

#[tokio::test]
async fn arrears_are_months_unpaid_after_their_due_date() {
    // As of 2026-05-11: April (due 4/20) and May (due 5/10) unpaid → both; April is the
    // first premium (37条2項).
    accepts(
        april_and_may(),
        PremiumAccountCommand::DetectArrears(ArrearsDetection {
            as_of: d("2026-05-11"),
        }),
        vec![PremiumAccountEvent::ArrearsDetected(ArrearsDetected {
            as_of: d("2026-05-11"),
            months: vec![
                MonthInArrears {
                    month: ym("2026-04"),
                    due_on: d("2026-04-20"),
                    unpaid: yen(35_568),
                    first_premium: true,
                },
                MonthInArrears {
                    month: ym("2026-05"),
                    due_on: d("2026-05-10"),
                    unpaid: yen(35_568),
                    first_premium: false,
                },
            ],
        })],
    )
    .await;
    // As of 2026-05-10 (the due day itself) May is not yet in arrears; April partly paid.
    let mut events = april_and_may();
    events.push(received(
        30_000,
        "2026-04-18",
        "BT-1",
        &[("2026-04", 30_000)],
        0,
    ));
    accepts(
        events,
        PremiumAccountCommand::DetectArrears(ArrearsDetection {
            as_of: d("2026-05-10"),
        }),
        vec![PremiumAccountEvent::ArrearsDetected(ArrearsDetected {
            as_of: d("2026-05-10"),
            months: vec![MonthInArrears {
                month: ym("2026-04"),
                due_on: d("2026-04-20"),
                unpaid: yen(5_568),
                first_premium: true,
            }],
        })],
    )
    .await;
}

#[tokio::test]
async fn arrears_detection_is_refused_when_nothing_new() {
    refuses(
        april_and_may(),
        PremiumAccountCommand::DetectArrears(ArrearsDetection {
            as_of: d("2026-04-20"),
        }),
        "no_new_arrears",
    )
    .await;
    let mut events = april_and_may();
    events.push(PremiumAccountEvent::ArrearsDetected(ArrearsDetected {
        as_of: d("2026-04-21"),
        months: vec![MonthInArrears {
            month: ym("2026-04"),
            due_on: d("2026-04-20"),
            unpaid: yen(35_568),
            first_premium: true,
        }],
    }));
    refuses(
        events,
        PremiumAccountCommand::DetectArrears(ArrearsDetection {
            as_of: d("2026-05-01"),
        }),
        "no_new_arrears",
    )
    .await;
}

// ---------------------------------------------------------------- Close

#[tokio::test]
async fn close_cancels_the_months_from_the_month_of_loss() {
    // Prepaid April–September; 38条4号 (employed again) on 2026-07-15 → insured since June →
    // July not charged (156条3項): July, August, September cancelled, their prepaid shares
    // 35,106 + 34,992 + 34,877 = 104,975 become refundable credit.
    let events = vec![
        opened(),
        PremiumAccountEvent::PrepaymentRecorded(PrepaymentRecorded {
            months: half_year(),
            amount: yen(210_984),
            received_on: d("2026-03-31"),
            basis: basis(210_984),
        }),
    ];
    let reason = ClosingReason::Lost {
        reason: LossReason::OtherInsuranceAcquired {
            acquired_on: d("2026-07-15"),
        },
    };
    let closed = PremiumAccountEvent::AccountClosed(AccountClosed {
        lost_on: d("2026-07-15"),
        reason: reason.clone(),
        first_uncharged: ym("2026-07"),
        cancelled: vec![
            CancelledMonth {
                month: ym("2026-07"),
                assessed: yen(35_106),
                received: yen(35_106),
            },
            CancelledMonth {
                month: ym("2026-08"),
                assessed: yen(34_992),
                received: yen(34_992),
            },
            CancelledMonth {
                month: ym("2026-09"),
                assessed: yen(34_877),
                received: yen(34_877),
            },
        ],
    });
    accepts(
        events.clone(),
        close("2026-07-15", reason),
        vec![closed.clone()],
    )
    .await;
    let mut all = events;
    all.push(closed);
    let account = state(&all);
    assert_eq!(account.credit(), yen(104_975));
    // Σ assessed 35,452 + 35,336 + 35,221 = 106,009; received 210,984 → balance −104,975.
    assert_eq!(account.total_assessed(), yen(106_009));
    assert_eq!(account.balance(), yen(-104_975));
    assert!(!account.is_open());
    assert_eq!(account.lost_on(), Some(d("2026-07-15")));
}

#[tokio::test]
async fn close_in_the_month_of_acquisition_keeps_that_month() {
    // Same-month 得喪: acquired 2026-04-01, lost 2026-04-20 → April charged, May cancelled.
    let reason = ClosingReason::Lost {
        reason: LossReason::OtherInsuranceAcquired {
            acquired_on: d("2026-04-20"),
        },
    };
    accepts(
        april_and_may(),
        close("2026-04-20", reason.clone()),
        vec![PremiumAccountEvent::AccountClosed(AccountClosed {
            lost_on: d("2026-04-20"),
            reason,
            first_uncharged: ym("2026-05"),
            cancelled: vec![CancelledMonth {
                month: ym("2026-05"),
                assessed: yen(35_568),
                received: yen(0),
            }],
        })],
    )
    .await;
}

#[tokio::test]
async fn first_premium_unpaid_cancels_everything() {
    // 37条2項: deemed never 任継; lost_on = acquired_on; April and May cancelled.
    accepts(
        april_and_may(),
        close("2026-04-01", ClosingReason::FirstPremiumUnpaid),
        vec![PremiumAccountEvent::AccountClosed(AccountClosed {
            lost_on: d("2026-04-01"),
            reason: ClosingReason::FirstPremiumUnpaid,
            first_uncharged: ym("2026-04"),
            cancelled: vec![
                CancelledMonth {
                    month: ym("2026-04"),
                    assessed: yen(35_568),
                    received: yen(0),
                },
                CancelledMonth {
                    month: ym("2026-05"),
                    assessed: yen(35_568),
                    received: yen(0),
                },
            ],
        })],
    )
    .await;
    refuses(
        april_and_may(),
        close("2026-04-21", ClosingReason::FirstPremiumUnpaid),
        "date_before",
    )
    .await;
}

#[tokio::test]
async fn close_is_refused_twice_or_before_acquisition() {
    refuses(
        april_and_may(),
        close("2026-04-01", withdrawal("2026-03-20")),
        "loss_not_after_acquisition",
    )
    .await;
    let mut events = april_and_may();
    events.push(PremiumAccountEvent::AccountClosed(AccountClosed {
        lost_on: d("2026-06-01"),
        reason: withdrawal("2026-05-20"),
        first_uncharged: ym("2026-06"),
        cancelled: vec![],
    }));
    refuses(
        events,
        close("2026-07-01", withdrawal("2026-06-20")),
        "account_closed",
    )
    .await;
}

// ---------------------------------------------------------------- Refunds

/// April and May paid, then lost 2026-05-01 (申出 受理 in April): May cancelled, its 35,568
/// refundable.
fn refundable() -> Vec<PremiumAccountEvent> {
    let mut events = april_and_may();
    events.push(received(
        71_136,
        "2026-04-18",
        "BT-1",
        &[("2026-04", 35_568), ("2026-05", 35_568)],
        0,
    ));
    events.push(PremiumAccountEvent::AccountClosed(AccountClosed {
        lost_on: d("2026-05-01"),
        reason: withdrawal("2026-04-25"),
        first_uncharged: ym("2026-05"),
        cancelled: vec![CancelledMonth {
            month: ym("2026-05"),
            assessed: yen(35_568),
            received: yen(35_568),
        }],
    }));
    events
}

fn claimed() -> PremiumAccountEvent {
    PremiumAccountEvent::RefundClaimed(RefundClaimed {
        claimed_on: d("2026-05-08"),
    })
}

fn decided() -> PremiumAccountEvent {
    PremiumAccountEvent::RefundDecided(RefundDecided {
        amount: yen(35_568),
        decided_on: d("2026-05-12"),
        basis: basis(35_568),
    })
}

fn decide(amount: i64, on: &str) -> PremiumAccountCommand {
    PremiumAccountCommand::DecideRefund(RefundDecision {
        amount: yen(amount),
        decided_on: d(on),
        basis: basis(amount),
    })
}

fn pay(on: &str) -> PremiumAccountCommand {
    PremiumAccountCommand::PayRefund(RefundPayment {
        paid_on: d(on),
        reference: "TR-9".into(),
    })
}

#[tokio::test]
async fn refund_claim_decision_and_payment() {
    let mut events = refundable();
    accepts(
        events.clone(),
        PremiumAccountCommand::ClaimRefund(RefundClaim {
            claimed_on: d("2026-05-08"),
        }),
        vec![claimed()],
    )
    .await;
    events.push(claimed());
    accepts(
        events.clone(),
        decide(35_568, "2026-05-12"),
        vec![decided()],
    )
    .await;
    events.push(decided());
    let paid = PremiumAccountEvent::RefundPaid(RefundPaid {
        amount: yen(35_568),
        paid_on: d("2026-05-20"),
        reference: "TR-9".into(),
    });
    accepts(events.clone(), pay("2026-05-20"), vec![paid.clone()]).await;
    events.push(paid);
    let account = state(&events);
    // assessed 35,568 (April) − (received 71,136 − refunded 35,568) = 0.
    assert_eq!(account.balance(), Yen::ZERO);
    assert_eq!(account.credit(), Yen::ZERO);
    assert_eq!(account.total_refunded(), yen(35_568));
}

#[tokio::test]
async fn refund_commands_are_refused_out_of_order() {
    refuses(
        april_and_may(),
        PremiumAccountCommand::ClaimRefund(RefundClaim {
            claimed_on: d("2026-05-08"),
        }),
        "nothing_to_refund",
    )
    .await;
    let mut events = refundable();
    refuses(
        events.clone(),
        decide(35_568, "2026-05-12"),
        "no_refund_claim",
    )
    .await;
    refuses(events.clone(), pay("2026-05-20"), "no_refund_claim").await;
    events.push(claimed());
    refuses(
        events.clone(),
        PremiumAccountCommand::ClaimRefund(RefundClaim {
            claimed_on: d("2026-05-09"),
        }),
        "refund_already_pending",
    )
    .await;
    refuses(
        events.clone(),
        decide(35_569, "2026-05-12"),
        "refund_exceeds_credit",
    )
    .await;
    refuses(
        events.clone(),
        decide(0, "2026-05-12"),
        "amount_out_of_range",
    )
    .await;
    refuses(events.clone(), decide(35_568, "2026-05-07"), "date_before").await;
    refuses(
        events.clone(),
        PremiumAccountCommand::DecideRefund(RefundDecision {
            amount: yen(35_568),
            decided_on: d("2026-05-12"),
            basis: basis(1),
        }),
        "basis_mismatch",
    )
    .await;
    refuses(events.clone(), pay("2026-05-20"), "no_refund_decision").await;
    events.push(decided());
    refuses(
        events.clone(),
        decide(1, "2026-05-13"),
        "refund_already_decided",
    )
    .await;
    refuses(events, pay("2026-05-11"), "date_before").await;
}

// ---------------------------------------------------------------- queries

#[test]
fn ledger_balance_unpaid_and_arrears() {
    let mut events = april_and_may();
    events.push(received(
        40_000,
        "2026-04-18",
        "BT-1",
        &[("2026-04", 35_568), ("2026-05", 4_432)],
        0,
    ));
    let account = state(&events);
    // assessed 71,136 − received 40,000 = 31,136.
    assert_eq!(account.balance(), yen(31_136));
    let ledger = account.ledger();
    assert_eq!(ledger.len(), 2);
    assert_eq!(ledger[1].month, ym("2026-05"));
    assert_eq!(ledger[1].received, yen(4_432));
    assert_eq!(ledger[1].balance, yen(31_136));
    assert_eq!(account.balance_by_month()[&ym("2026-04")], Yen::ZERO);
    // May is due 2026-05-10: unpaid (due) on that day, in arrears only after it.
    assert!(account.unpaid_months(d("2026-05-09")).is_empty());
    assert_eq!(account.unpaid_months(d("2026-05-10")), vec![ym("2026-05")]);
    assert!(!account.is_in_arrears(d("2026-05-10")));
    assert!(account.is_in_arrears(d("2026-05-11")));
}

#[test]
fn event_types_are_stable() {
    let e = opened();
    assert_eq!(e.event_type(), "AccountOpened");
    assert_eq!(e.event_version(), "1.0");
    assert_eq!(PremiumAccountEvent::EVENT_TYPES.len(), 11);
    let json = serde_json::to_string(&assessed("2026-04", 1, "2026-04-20", 0)).expect("json");
    let back: PremiumAccountEvent = serde_json::from_str(&json).expect("parse");
    assert_eq!(back, assessed("2026-04", 1, "2026-04-20", 0));
    // The aggregate state round-trips too (cqrs-es snapshots).
    let account = state(&refundable());
    let json = serde_json::to_string(&account).expect("json");
    let back: PremiumAccount = serde_json::from_str(&json).expect("parse");
    assert_eq!(back, account);
}

// ---------------------------------------------------------------- end to end

#[tokio::test]
async fn calculated_premium_is_assessed_with_its_basis() {
    use crate::premiums::parameters::parameter_ref;
    use crate::premiums::rates::RateParameters;
    use crate::premiums::voluntary::{voluntary_premium, VoluntaryBylaw, VoluntaryPremiumInput};
    let rate = |key: &str, from: &str, value: &str| {
        Parameter::new(
            value.parse().expect("rate"),
            parameter_ref(key, 1, d(from), value),
        )
    };
    // 380,000 × 0.0936 = 35,568 (voluntary.rs).
    let p = voluntary_premium(&VoluntaryPremiumInput {
        month: ym("2026-04"),
        birth_date: d("1990-08-20"),
        long_term_care_exempt: false,
        acquired_on: d("2026-04-01"),
        lost_on: None,
        standard_remuneration_at_loss: yen(410_000),
        cap: Parameter::new(
            yen(380_000),
            parameter_ref("voluntary_continuation_cap", 1, d("2026-04-01"), "380000"),
        ),
        bylaw: VoluntaryBylaw::None,
        rates: RateParameters {
            general: rate("general_premium_rate", "2025-04-01", "0.090"),
            specific: rate("specific_premium_rate", "2025-04-01", "0.040"),
            adjustment: Some(rate("adjustment_premium_rate", "2025-04-01", "0.0013")),
            long_term_care: Some(rate("care_premium_rate", "2025-04-01", "0.0160")),
            child_support: Some(rate("child_support_rate", "2026-04-01", "0.0023")),
        },
    })
    .expect("premium");
    let command = PremiumAccountCommand::AssessMonth(MonthAssessment {
        month: p.month,
        premium: p.premium,
        basis: p.basis.clone(),
    });
    accepts(
        vec![opened()],
        command,
        vec![PremiumAccountEvent::MonthAssessed(MonthAssessed {
            month: ym("2026-04"),
            premium: yen(35_568),
            due_on: d("2026-04-20"),
            credit_applied: Yen::ZERO,
            basis: p.basis,
        })],
    )
    .await;
}

// ---------------------------------------------------------------- property

/// xorshift64*: a small deterministic PRNG (no new crates).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

#[test]
fn balance_is_assessed_minus_received_for_random_histories() {
    for seed in 1..=300u64 {
        let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
        let mut account = PremiumAccount::default();
        let record = |account: &mut PremiumAccount, command| match account.decide(command) {
            Ok(event) => {
                account.apply(event);
                true
            }
            Err(_) => false,
        };
        assert!(record(&mut account, PremiumAccountCommand::Open(opening())));
        let (mut assessed_sum, mut received_sum) = (0i64, 0i64);
        let mut next_month = ym("2026-04");
        let mut day = d("2026-04-01");
        for step in 0..40 {
            day = day.add_days(rng.below(20));
            if rng.below(2) == 0 {
                let premium = rng.below(60_000) as i64;
                if record(&mut account, assess(&next_month.to_string(), premium)) {
                    assessed_sum += premium;
                }
                next_month = next_month.add_months(1);
            } else {
                let amount = 1 + rng.below(80_000) as i64;
                let reference = format!("R-{seed}-{step}");
                if record(&mut account, receipt(amount, &day.to_string(), &reference)) {
                    received_sum += amount;
                }
            }
            assert_eq!(
                account.balance(),
                yen(assessed_sum - received_sum),
                "seed {seed} step {step}"
            );
            assert_eq!(account.total_assessed(), yen(assessed_sum));
            assert_eq!(account.total_received(), yen(received_sum));
            // Per month: never over-applied; Σ outstanding − credit = balance.
            let outstanding: Yen = account.balance_by_month().values().copied().sum();
            assert!(account
                .ledger()
                .iter()
                .all(|r| r.received <= r.assessed && r.balance >= Yen::ZERO));
            assert_eq!(
                outstanding - account.credit(),
                account.balance(),
                "seed {seed} step {step}"
            );
        }
    }
}

// ================================================================ gaps: holidays, 収納取消,
// 37条2項, 前納 shortfall

/// [`opening`] with due dates moved off closed days, the first premium due on 2026-04-29
/// (昭和の日, a Wednesday).
fn opening_shifted() -> AccountOpening {
    AccountOpening {
        due_rule: DueRule {
            day_of_month: 10,
            first_premium_due_on: d("2026-04-29"),
            holiday_shift: HolidayShift::NextBusinessDay,
        },
        ..opening()
    }
}

fn opened_shifted() -> PremiumAccountEvent {
    let o = opening_shifted();
    PremiumAccountEvent::AccountOpened(AccountOpened {
        person_id: o.person_id,
        category: o.category,
        acquired_on: o.acquired_on,
        standard_remuneration: o.standard_remuneration,
        due_rule: o.due_rule,
    })
}

fn detect(as_of: &str) -> PremiumAccountCommand {
    PremiumAccountCommand::DetectArrears(ArrearsDetection { as_of: d(as_of) })
}

fn arrears(as_of: &str, months: &[(&str, &str, i64, bool)]) -> PremiumAccountEvent {
    PremiumAccountEvent::ArrearsDetected(ArrearsDetected {
        as_of: d(as_of),
        months: months
            .iter()
            .map(|(m, due, unpaid, first)| MonthInArrears {
                month: ym(m),
                due_on: d(due),
                unpaid: yen(*unpaid),
                first_premium: *first,
            })
            .collect(),
    })
}

// ---------------------------------------------------------------- holiday shift

#[tokio::test]
async fn due_dates_move_to_the_next_business_day_when_the_account_says_so() {
    // The holiday shift is recorded with the opening (omitted from JSON when none).
    accepts(
        vec![],
        PremiumAccountCommand::Open(opening_shifted()),
        vec![opened_shifted()],
    )
    .await;
    let account = state(&[opened_shifted()]);
    // April (acquisition month): 4/29 昭和の日 (Wed) → 4/30 (Thu).
    assert_eq!(account.first_premium_due_on(), Ok(d("2026-04-30")));
    assert_eq!(account.due_on(ym("2026-04")), Some(d("2026-04-30")));
    // May: 5/10 is a Sunday → 5/11 (Mon). June: 6/10 is a Wednesday → unchanged.
    assert_eq!(account.due_on(ym("2026-05")), Some(d("2026-05-11")));
    assert_eq!(account.due_on(ym("2026-06")), Some(d("2026-06-10")));
    // January 2027: 1/10 (Sun) → 1/11 成人の日 (2nd Monday) → 1/12 (Tue).
    assert_eq!(account.due_on(ym("2027-01")), Some(d("2027-01-12")));
    // Without the shift (the accounts opened before): 5/10 stays.
    assert_eq!(
        state(&[opened()]).due_on(ym("2026-05")),
        Some(d("2026-05-10"))
    );
    accepts(
        vec![opened_shifted()],
        assess("2026-05", 35_568),
        vec![assessed("2026-05", 35_568, "2026-05-11", 0)],
    )
    .await;
    let json = serde_json::to_value(opened()).expect("json");
    assert!(json["AccountOpened"]["due_rule"]
        .get("holiday_shift")
        .is_none());
    let json = serde_json::to_value(opened_shifted()).expect("json");
    assert_eq!(
        json["AccountOpened"]["due_rule"]["holiday_shift"],
        "next_business_day"
    );
}

#[tokio::test]
async fn arrears_use_the_shifted_date_and_a_payment_on_it_is_on_time() {
    let events = vec![
        opened_shifted(),
        assessed("2026-04", 35_568, "2026-04-30", 0),
        assessed("2026-05", 35_568, "2026-05-11", 0),
    ];
    // On 5/11 (the shifted due date) May is not late; April (due 4/30) is.
    accepts(
        events.clone(),
        detect("2026-05-11"),
        vec![arrears(
            "2026-05-11",
            &[("2026-04", "2026-04-30", 35_568, true)],
        )],
    )
    .await;
    // April paid on 4/30 and May paid on 5/11, each on its shifted due date: nothing late
    // on 5/12, and the first premium counts as paid on time (37条2項).
    let mut paid = events;
    paid.push(received(
        35_568,
        "2026-04-30",
        "BT-1",
        &[("2026-04", 35_568)],
        0,
    ));
    paid.push(received(
        35_568,
        "2026-05-11",
        "BT-2",
        &[("2026-05", 35_568)],
        0,
    ));
    refuses(paid.clone(), detect("2026-05-12"), "no_new_arrears").await;
    let account = state(&paid);
    assert!(!account.is_in_arrears(d("2026-05-12")));
    assert_eq!(
        account.first_premium_default(d("2026-05-12")),
        Err(PremiumAccountError::FirstPremiumPaidOnTime {
            due_on: d("2026-04-30")
        })
    );
}

#[tokio::test]
async fn an_opening_outside_the_holiday_calendar_is_refused() {
    refuses(
        vec![],
        PremiumAccountCommand::Open(AccountOpening {
            due_rule: DueRule {
                first_premium_due_on: d("2100-01-04"),
                ..opening_shifted().due_rule
            },
            ..opening_shifted()
        }),
        "holiday_calendar_out_of_range",
    )
    .await;
}

// ---------------------------------------------------------------- 収納取消

fn reverse(version: i64, on: &str) -> PremiumAccountCommand {
    PremiumAccountCommand::ReverseReceipt(ReceiptReversal {
        receipt_version: version,
        reversed_on: d(on),
        reason: ReversalReason::BankRecall,
        note: Some(" 組戻し依頼 No.12 ".to_owned()),
    })
}

fn reversed(
    version: i64,
    amount: i64,
    received_on: &str,
    reference: &str,
    on: &str,
    unapplied: &[(&str, i64)],
    credit_withdrawn: i64,
) -> PremiumAccountEvent {
    PremiumAccountEvent::ReceiptReversed(ReceiptReversed {
        receipt_version: version,
        amount: yen(amount),
        received_on: d(received_on),
        reference: reference.to_owned(),
        reversed_on: d(on),
        reason: ReversalReason::BankRecall,
        note: Some("組戻し依頼 No.12".to_owned()),
        unapplied: unapplied
            .iter()
            .map(|(m, a)| ReceiptApplication {
                month: ym(m),
                amount: yen(*a),
            })
            .collect(),
        credit_withdrawn: yen(credit_withdrawn),
    })
}

/// April and May (35,568 each) and a receipt of 50,000 on 4/15 at stream version 4: April
/// 35,568, May 14,432 (50,000 − 35,568).
fn fifty_thousand_received() -> Vec<PremiumAccountEvent> {
    let mut events = april_and_may();
    events.push(received(
        50_000,
        "2026-04-15",
        "BT-50",
        &[("2026-04", 35_568), ("2026-05", 14_432)],
        0,
    ));
    events
}

#[tokio::test]
async fn a_reversed_receipt_leaves_its_months_unpaid_again() {
    let r = reversed(
        4,
        50_000,
        "2026-04-15",
        "BT-50",
        "2026-04-22",
        &[("2026-04", 35_568), ("2026-05", 14_432)],
        0,
    );
    accepts(
        fifty_thousand_received(),
        reverse(4, "2026-04-22"),
        vec![r.clone()],
    )
    .await;
    let mut events = fifty_thousand_received();
    events.push(r);
    let account = state(&events);
    // Back to 2 × 35,568 = 71,136 owed; April (due 4/20) is in arrears again on 4/21.
    assert_eq!(account.balance(), yen(71_136));
    assert_eq!(account.total_received(), Yen::ZERO);
    assert_eq!(account.balance_by_month()[&ym("2026-04")], yen(35_568));
    assert!(account.is_in_arrears(d("2026-04-21")));
    accepts(
        events.clone(),
        detect("2026-04-23"),
        vec![arrears(
            "2026-04-23",
            &[("2026-04", "2026-04-20", 35_568, true)],
        )],
    )
    .await;
    // The reference is free again: a corrected receipt may use it.
    accepts(
        events,
        receipt(35_568, "2026-04-25", "BT-50"),
        vec![received(
            35_568,
            "2026-04-25",
            "BT-50",
            &[("2026-04", 35_568)],
            0,
        )],
    )
    .await;
}

#[tokio::test]
async fn reversing_an_over_payment_takes_back_its_credit_first() {
    // 80,000 on 4/18: April 35,568 + May 35,568 = 71,136, credit 8,864 (version 4).
    let mut events = april_and_may();
    events.push(received(
        80_000,
        "2026-04-18",
        "BT-80",
        &[("2026-04", 35_568), ("2026-05", 35_568)],
        8_864,
    ));
    // The credit is still held: 8,864 from the credit, 71,136 from the months.
    accepts(
        events.clone(),
        reverse(4, "2026-04-30"),
        vec![reversed(
            4,
            80_000,
            "2026-04-18",
            "BT-80",
            "2026-04-30",
            &[("2026-04", 35_568), ("2026-05", 35_568)],
            8_864,
        )],
    )
    .await;
    // Once June used the credit (164条2項), the 8,864 is taken back from June instead:
    // June 35,568 assessed with 8,864 applied → owes all 35,568 again.
    events.push(assessed("2026-06", 35_568, "2026-06-10", 8_864));
    let r = reversed(
        4,
        80_000,
        "2026-04-18",
        "BT-80",
        "2026-05-20",
        &[("2026-04", 35_568), ("2026-05", 35_568), ("2026-06", 8_864)],
        0,
    );
    accepts(events.clone(), reverse(4, "2026-05-20"), vec![r.clone()]).await;
    events.push(r);
    let account = state(&events);
    // 3 × 35,568 = 106,704 owed, no credit; Σ month balances − credit = balance.
    assert_eq!(account.balance(), yen(106_704));
    assert_eq!(account.credit(), Yen::ZERO);
    let outstanding: Yen = account.balance_by_month().values().copied().sum();
    assert_eq!(outstanding, yen(106_704));
}

#[tokio::test]
async fn a_reversal_is_refused_twice_unknown_closed_or_after_a_refund() {
    let events = fifty_thousand_received();
    // Unknown: version 3 is May's assessment, not a receipt; 9 does not exist.
    let err = refuses(
        events.clone(),
        reverse(3, "2026-04-22"),
        "receipt_not_found",
    )
    .await;
    assert_eq!(err.category(), ErrorCategory::NotFound);
    refuses(
        events.clone(),
        reverse(9, "2026-04-22"),
        "receipt_not_found",
    )
    .await;
    // Before the receipt's day.
    refuses(events.clone(), reverse(4, "2026-04-14"), "date_before").await;
    // A note longer than 500 characters.
    refuses(
        events.clone(),
        PremiumAccountCommand::ReverseReceipt(ReceiptReversal {
            receipt_version: 4,
            reversed_on: d("2026-04-22"),
            reason: ReversalReason::Other,
            note: Some("x".repeat(501)),
        }),
        "note_too_long",
    )
    .await;
    // Twice.
    let mut twice = events.clone();
    twice.push(reversed(
        4,
        50_000,
        "2026-04-15",
        "BT-50",
        "2026-04-22",
        &[("2026-04", 35_568), ("2026-05", 14_432)],
        0,
    ));
    let err = refuses(twice, reverse(4, "2026-04-23"), "receipt_already_reversed").await;
    assert_eq!(err.category(), ErrorCategory::Conflict);
    // After the account closed (申出 受理 4/20 → 喪失 5/1): the loss moved May's 14,432 to
    // refundable credit; a reversal is refused.
    let mut closed = events.clone();
    closed.push(PremiumAccountEvent::AccountClosed(AccountClosed {
        lost_on: d("2026-05-01"),
        reason: withdrawal("2026-04-20"),
        first_uncharged: ym("2026-05"),
        cancelled: vec![CancelledMonth {
            month: ym("2026-05"),
            assessed: yen(35_568),
            received: yen(14_432),
        }],
    }));
    refuses(closed, reverse(4, "2026-05-02"), "account_closed").await;
    // A refund pending, then a refund recorded after the receipt.
    let mut over = april_and_may();
    over.push(received(
        80_000,
        "2026-04-18",
        "BT-80",
        &[("2026-04", 35_568), ("2026-05", 35_568)],
        8_864,
    ));
    over.push(PremiumAccountEvent::RefundClaimed(RefundClaimed {
        claimed_on: d("2026-04-25"),
    }));
    refuses(
        over.clone(),
        reverse(4, "2026-04-30"),
        "refund_already_pending",
    )
    .await;
    over.push(PremiumAccountEvent::RefundDecided(RefundDecided {
        amount: yen(8_864),
        decided_on: d("2026-04-26"),
        basis: basis(8_864),
    }));
    over.push(PremiumAccountEvent::RefundPaid(RefundPaid {
        amount: yen(8_864),
        paid_on: d("2026-04-28"),
        reference: "SOGO-1".to_owned(),
    }));
    refuses(
        over.clone(),
        reverse(4, "2026-04-30"),
        "refund_recorded_after_receipt",
    )
    .await;
    // A refund recorded before the receipt does not matter: after the 8,864 refund
    // (claimed v5, decided v6, paid v7), 100 received on 4/29 (v8) is all credit and is
    // taken back from it.
    over.push(received(100, "2026-04-29", "BT-100", &[], 100));
    accepts(
        over,
        reverse(8, "2026-04-30"),
        vec![reversed(
            8,
            100,
            "2026-04-29",
            "BT-100",
            "2026-04-30",
            &[],
            100,
        )],
    )
    .await;
}

// ---------------------------------------------------------------- 37条2項

fn first_default(as_of: &str) -> PremiumAccountCommand {
    PremiumAccountCommand::DetectFirstPremiumDefault(ArrearsDetection { as_of: d(as_of) })
}

#[tokio::test]
async fn the_first_premium_unpaid_by_its_due_date_is_recorded() {
    // April is the first premium, due 2026-04-20 (set by the society). On 4/20 it is not
    // late; on 4/21 it is: 35,568 unpaid, as of the day after the due date.
    refuses(
        april_and_may(),
        first_default("2026-04-20"),
        "first_premium_not_yet_due",
    )
    .await;
    accepts(
        april_and_may(),
        first_default("2026-04-25"),
        vec![arrears(
            "2026-04-21",
            &[("2026-04", "2026-04-20", 35_568, true)],
        )],
    )
    .await;
    // Then the account closes with FirstPremiumUnpaid (existing rule): every month
    // cancelled.
    let mut events = april_and_may();
    events.push(arrears(
        "2026-04-21",
        &[("2026-04", "2026-04-20", 35_568, true)],
    ));
    refuses(
        events.clone(),
        first_default("2026-04-25"),
        "no_new_arrears",
    )
    .await;
    assert!(state(&events)
        .first_premium_default(d("2026-04-25"))
        .is_ok());
}

#[tokio::test]
async fn a_late_first_payment_does_not_cure_and_an_on_time_one_does() {
    // 20,000 on 4/19 (on time) and 15,568 on 4/25 (late): April is paid now, but only
    // 20,000 was paid by 4/20 → 35,568 − 20,000 = 15,568 unpaid by the due date.
    let mut events = april_and_may();
    events.push(received(
        20_000,
        "2026-04-19",
        "BT-1",
        &[("2026-04", 20_000)],
        0,
    ));
    events.push(received(
        15_568,
        "2026-04-25",
        "BT-2",
        &[("2026-04", 15_568)],
        0,
    ));
    assert_eq!(state(&events).balance_by_month()[&ym("2026-04")], Yen::ZERO);
    accepts(
        events.clone(),
        first_default("2026-04-26"),
        vec![arrears(
            "2026-04-21",
            &[("2026-04", "2026-04-20", 15_568, true)],
        )],
    )
    .await;
    // When the late part is reversed, the on-time part stays on time (20,000).
    let mut reversed_late = events.clone();
    reversed_late.push(reversed(
        5,
        15_568,
        "2026-04-25",
        "BT-2",
        "2026-04-26",
        &[("2026-04", 15_568)],
        0,
    ));
    assert_eq!(
        state(&reversed_late)
            .first_premium_default(d("2026-04-27"))
            .expect("late")[0]
            .unpaid,
        yen(15_568)
    );
    // When the on-time 20,000 is reversed instead, April holds 15,568 (late) → nothing on
    // time: 35,568 unpaid by the due date.
    let mut reversed_on_time = events;
    reversed_on_time.push(reversed(
        4,
        20_000,
        "2026-04-19",
        "BT-1",
        "2026-04-26",
        &[("2026-04", 20_000)],
        0,
    ));
    assert_eq!(
        state(&reversed_on_time)
            .first_premium_default(d("2026-04-27"))
            .expect("late")[0]
            .unpaid,
        yen(15_568 + 20_000)
    );
    // Paid in full on the due date: nothing to record.
    let mut on_time = april_and_may();
    on_time.push(received(
        35_568,
        "2026-04-20",
        "BT-1",
        &[("2026-04", 35_568)],
        0,
    ));
    refuses(on_time, first_default("2026-04-21"), "first_premium_paid").await;
}

#[tokio::test]
async fn the_first_premium_rule_is_refused_where_it_does_not_apply() {
    // 特例退職: 37条2項 is a 任意継続 rule.
    let retiree = PremiumAccountEvent::AccountOpened(AccountOpened {
        person_id: PERSON,
        category: EnrollmentCategory::SpecialRetiree,
        acquired_on: d("2026-04-01"),
        standard_remuneration: None,
        due_rule: opening().due_rule,
    });
    refuses(
        vec![retiree, assessed("2026-04", 30_000, "2026-04-20", 0)],
        first_default("2026-04-21"),
        "first_premium_rule_not_applicable",
    )
    .await;
    // Nothing assessed yet.
    refuses(
        vec![opened()],
        first_default("2026-04-21"),
        "first_premium_not_assessed",
    )
    .await;
}

// ---------------------------------------------------------------- 前納 shortfall

/// The April–September 2026 前納 at P = 35,568 (380,000 × 0.0936) computed by
/// `prepayment::prepayment`: 210,984 with its basis (prepayment.rs), received 3/25.
fn real_half_year() -> PremiumAccountEvent {
    use super::prepayment::{prepayment, MonthlyPremium, PrepaymentInput, PrepaymentPeriod};
    let p = prepayment(&PrepaymentInput {
        period: PrepaymentPeriod::AprilToSeptember(2026),
        months: (0..6)
            .map(|i| MonthlyPremium {
                month: ym("2026-04").add_months(i),
                exact: "35568".parse().expect("decimal"),
                parameters: Vec::new(),
            })
            .collect(),
    })
    .expect("prepayment");
    assert_eq!(p.amount, yen(210_984));
    PremiumAccountEvent::PrepaymentRecorded(PrepaymentRecorded {
        months: p.months,
        amount: p.amount,
        received_on: d("2026-03-25"),
        basis: p.basis,
    })
}

/// The rate rises from July 2026: P = 380,000 × 0.0960 = 36,480 for July–September.
fn rise_from_july() -> super::prepayment::Shortfall {
    use super::prepayment::{shortfall, MonthlyPremium, ReassessedPremium, ShortfallInput};
    shortfall(&ShortfallInput {
        months: (0..3)
            .map(|i| {
                let month = ym("2026-07").add_months(i);
                ReassessedPremium {
                    month,
                    before: "35568".parse().expect("decimal"),
                    after: MonthlyPremium {
                        month,
                        exact: "36480".parse().expect("decimal"),
                        parameters: Vec::new(),
                    },
                }
            })
            .collect(),
    })
    .expect("shortfall")
}

fn shortfall_command(s: &super::prepayment::Shortfall, as_of: &str) -> PremiumAccountCommand {
    PremiumAccountCommand::AssessPrepaymentShortfall(PrepaymentShortfallRecord {
        as_of: d(as_of),
        months: s.months.clone(),
        prepaid_value: s.prepaid_value,
        new_prepayment: s.new_prepayment,
        amount: s.amount,
        basis: s.basis.clone(),
    })
}

#[test]
fn the_shortfall_is_the_new_prepayment_less_the_old_from_the_month_of_the_rise() {
    // python3 decimal (prec 60), j = 1..3 from July:
    //   X = Σ 35568 / 1.04^(j/12) = 35451.9396 + 35336.2579 + 35220.9536 = 106009.1511 → 106,009
    //   Y = Σ 36480 / 1.04^(j/12) = 36360.9637 + 36242.3158 + 36124.0550 = 108727.3344 → 108,727
    //   不足額 = 108,727 − 106,009 = 2,718, all on September (≤ its premium 36,480); pay by
    //   2026-06-30 (the end of the month before the rise).
    let s = rise_from_july();
    assert_eq!(s.from_month, ym("2026-07"));
    assert_eq!(s.prepaid_value, yen(106_009));
    assert_eq!(s.new_prepayment, yen(108_727));
    assert_eq!(s.amount, yen(2_718));
    assert_eq!(s.pay_by, d("2026-06-30"));
    assert_eq!(s.basis.result_yen, 2_718);
    let parts: Vec<(String, i64)> = s
        .months
        .iter()
        .map(|m| (m.month.to_string(), m.shortfall.amount()))
        .collect();
    assert_eq!(
        parts,
        vec![
            ("2026-07".to_owned(), 0),
            ("2026-08".to_owned(), 0),
            ("2026-09".to_owned(), 2_718)
        ]
    );
    // A rate that fell leaves nothing owed.
    use super::prepayment::{shortfall, MonthlyPremium, ReassessedPremium, ShortfallInput};
    let err = shortfall(&ShortfallInput {
        months: vec![ReassessedPremium {
            month: ym("2026-07"),
            before: "35568".parse().expect("decimal"),
            after: MonthlyPremium {
                month: ym("2026-07"),
                exact: "35000".parse().expect("decimal"),
                parameters: Vec::new(),
            },
        }],
    })
    .expect_err("no shortfall");
    assert_eq!(err.code(), "no_prepayment_shortfall");
}

#[tokio::test]
async fn a_rate_rise_after_a_prepayment_shows_the_shortfall_as_owing() {
    let events = vec![opened(), real_half_year()];
    let s = rise_from_july();
    let mut months = s.months.clone();
    // September carries it, due on its own due date (2026-09-10) if not paid by 6/30.
    months[2].due_on = Some(d("2026-09-10"));
    let e = PremiumAccountEvent::PrepaymentShortfallAssessed(PrepaymentShortfallAssessed {
        from_month: ym("2026-07"),
        months,
        prepaid_value: yen(106_009),
        new_prepayment: yen(108_727),
        amount: yen(2_718),
        pay_by: d("2026-06-30"),
        basis: s.basis.clone(),
    });
    accepts(
        events.clone(),
        shortfall_command(&s, "2026-06-15"),
        vec![e.clone()],
    )
    .await;
    let mut after = events;
    after.push(e);
    let account = state(&after);
    // September: 34,877 prepaid + 2,718 = 37,595 assessed, 34,877 received → owes 2,718.
    let september = account
        .ledger()
        .into_iter()
        .find(|r| r.month == ym("2026-09"))
        .expect("September");
    assert_eq!(september.assessed, yen(34_877 + 2_718));
    assert_eq!(september.balance, yen(2_718));
    assert_eq!(september.due_on, d("2026-09-10"));
    assert!(september.prepaid);
    assert_eq!(account.balance(), yen(2_718));
    // Not late on 9/10, late on 9/11.
    refuses(after.clone(), detect("2026-09-10"), "no_new_arrears").await;
    accepts(
        after.clone(),
        detect("2026-09-11"),
        vec![arrears(
            "2026-09-11",
            &[("2026-09", "2026-09-10", 2_718, false)],
        )],
    )
    .await;
    // A receipt pays it (the only month owing).
    accepts(
        after.clone(),
        receipt(2_718, "2026-06-28", "TOPUP-1"),
        vec![received(
            2_718,
            "2026-06-28",
            "TOPUP-1",
            &[("2026-09", 2_718)],
            0,
        )],
    )
    .await;
    // A second reassessment against the old premium is refused: the months now record
    // 36,480.
    refuses(
        after,
        shortfall_command(&s, "2026-06-15"),
        "prepayment_basis_mismatch",
    )
    .await;
}

#[tokio::test]
async fn a_shortfall_is_refused_for_begun_or_unprepaid_months() {
    let events = vec![opened(), real_half_year()];
    let s = rise_from_july();
    // July has begun on 7/1: deemed paid on its 1st (165条3項).
    refuses(
        events.clone(),
        shortfall_command(&s, "2026-07-01"),
        "prepaid_month_begun",
    )
    .await;
    // October is not prepaid.
    let mut october = s.clone();
    for m in &mut october.months {
        m.month = m.month.add_months(1);
    }
    refuses(
        events.clone(),
        shortfall_command(&october, "2026-06-15"),
        "month_not_prepaid",
    )
    .await;
    // A total that does not add up.
    let mut wrong = s.clone();
    wrong.months[2].shortfall = yen(2_000);
    refuses(
        events.clone(),
        shortfall_command(&wrong, "2026-06-15"),
        "shortfall_total_mismatch",
    )
    .await;
    // A 前納 whose basis did not record its premiums cannot be reassessed.
    let unrecorded = PremiumAccountEvent::PrepaymentRecorded(PrepaymentRecorded {
        months: half_year(),
        amount: yen(210_984),
        received_on: d("2026-03-31"),
        basis: basis(210_984),
    });
    refuses(
        vec![opened(), unrecorded],
        shortfall_command(&s, "2026-06-15"),
        "prepayment_basis_mismatch",
    )
    .await;
}

#[test]
fn reversals_keep_the_balance_for_random_histories() {
    // Random assessments, receipts and reversals of earlier receipts: every reversal brings
    // the balance back up by the receipt's amount, months never go negative or over-paid,
    // and Σ month balances − credit = balance throughout.
    for seed in 1..=300u64 {
        let mut rng = Rng(seed.wrapping_mul(0xD1B5_4A32_D192_ED03) | 1);
        let mut account = PremiumAccount::default();
        let mut version = 0i64;
        let mut record = |account: &mut PremiumAccount, command| match account.decide(command) {
            Ok(event) => {
                account.apply(event);
                version += 1;
                Some(version)
            }
            Err(_) => None,
        };
        assert!(record(&mut account, PremiumAccountCommand::Open(opening())).is_some());
        let mut live: Vec<(i64, i64, Date)> = Vec::new();
        let (mut assessed_sum, mut received_sum) = (0i64, 0i64);
        let mut next_month = ym("2026-04");
        let mut day = d("2026-04-01");
        for step in 0..40 {
            day = day.add_days(rng.below(15));
            match rng.below(3) {
                0 => {
                    let premium = rng.below(60_000) as i64;
                    if record(&mut account, assess(&next_month.to_string(), premium)).is_some() {
                        assessed_sum += premium;
                    }
                    next_month = next_month.add_months(1);
                }
                1 => {
                    let amount = 1 + rng.below(80_000) as i64;
                    let reference = format!("R-{seed}-{step}");
                    if let Some(v) =
                        record(&mut account, receipt(amount, &day.to_string(), &reference))
                    {
                        received_sum += amount;
                        live.push((v, amount, day));
                    }
                }
                _ if !live.is_empty() => {
                    let (v, amount, _) = live.remove(rng.below(live.len() as u64) as usize);
                    let before = account.balance();
                    let reversal = PremiumAccountCommand::ReverseReceipt(ReceiptReversal {
                        receipt_version: v,
                        reversed_on: day,
                        reason: ReversalReason::EntryError,
                        note: None,
                    });
                    assert!(
                        record(&mut account, reversal).is_some(),
                        "seed {seed} step {step}: reversal of v{v} refused"
                    );
                    received_sum -= amount;
                    assert_eq!(account.balance(), before + yen(amount));
                }
                _ => {}
            }
            assert_eq!(account.balance(), yen(assessed_sum - received_sum));
            let outstanding: Yen = account.balance_by_month().values().copied().sum();
            assert!(account
                .ledger()
                .iter()
                .all(|r| r.received <= r.assessed && r.balance >= Yen::ZERO));
            assert_eq!(
                outstanding - account.credit(),
                account.balance(),
                "seed {seed} step {step}"
            );
        }
    }
}
