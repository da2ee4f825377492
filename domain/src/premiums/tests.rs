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
    assert_eq!(PremiumAccountEvent::EVENT_TYPES.len(), 9);
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
