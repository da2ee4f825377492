//! Given-when-then tests of the [`BenefitClaim`] aggregate (cqrs-es `TestFramework`). Amounts
//! are derived by hand from rules.md (each derivation in a comment), not from code output.

use cqrs_es::test::TestFramework;
use cqrs_es::{Aggregate, DomainEvent};
use serde_json::json;
use uuid::Uuid;

use super::*;
use crate::basis::{Basis, ParameterRef, Rounding, Step};
use crate::calendar::{parse, Date};
use crate::money::Yen;
use crate::qualification::Description;

// ---------------------------------------------------------------- fixtures

const CLAIM: Uuid = Uuid::from_u128(0xC1A1);
const TARO: Uuid = Uuid::from_u128(0x1);
const CHILD: Uuid = Uuid::from_u128(0x3);
const BATCH: Uuid = Uuid::from_u128(0xB1);
const BATCH2: Uuid = Uuid::from_u128(0xB2);
/// The 給付課 clerk who records calculations, and the one who decides (two-person rule).
const CALCULATOR: &str = "kyufu01";
const DECIDER: &str = "kyufu02";

fn d(s: &str) -> Date {
    parse(s).expect("test date")
}

fn yen(n: i64) -> Yen {
    Yen::new(n)
}

fn text(s: &str) -> Description {
    Description::parse(s).expect("description")
}

fn step(label: &str, formula: &str, exact: &str, rounding: Rounding, value: &str) -> Step {
    Step {
        label: label.into(),
        formula: formula.into(),
        exact: exact.into(),
        rounding,
        value: value.into(),
        source: "健保法99条2項; rules.md §5.1".into(),
    }
}

/// 傷病手当金 for 山田太郎, off work 2025-06-02 … 2025-06-30 (29 days).
/// rules.md §5.1: 待期 = 6/2, 6/3, 6/4; paid from the 4th day 6/5 to 6/30 = 26 days.
/// 標準報酬月額 300,000 in each of the 12 months → A = 300,000; B = 300,000 ÷ 30 = 10,000
/// (10円 rounding leaves it); 日額 = 10,000 × 2/3 = 6,666.67 → 6,667 (50銭 rule);
/// 26 × 6,667 = 173,342.
fn sickness_basis() -> Basis {
    Basis {
        inputs: json!({"average_standard_remuneration": 300000, "days": 26}),
        parameters: vec![],
        steps: vec![
            step(
                "標準報酬日額",
                "300,000 ÷ 30",
                "10000",
                Rounding::HalfUpTenYen,
                "10000",
            ),
            step(
                "日額",
                "10,000 × 2/3",
                "6666.666…",
                Rounding::FiftySenDown,
                "6667",
            ),
            step("支給額", "6,667 × 26", "173342", Rounding::None, "173342"),
        ],
        result_yen: 173_342,
    }
}

/// The same claim recomputed with 標準報酬月額 320,000: 320,000 ÷ 30 = 10,666.67 → 10,670 (10円:
/// 6.67 ≥ 5 → up); × 2/3 = 7,113.33 → 7,113; × 26 = 184,938.
fn sickness_basis_320k() -> Basis {
    Basis {
        inputs: json!({"average_standard_remuneration": 320000, "days": 26}),
        parameters: vec![],
        steps: vec![
            step(
                "標準報酬日額",
                "320,000 ÷ 30",
                "10666.666…",
                Rounding::HalfUpTenYen,
                "10670",
            ),
            step(
                "日額",
                "10,670 × 2/3",
                "7113.333…",
                Rounding::FiftySenDown,
                "7113",
            ),
            step("支給額", "7,113 × 26", "184938", Rounding::None, "184938"),
        ],
        result_yen: 184_938,
    }
}

/// The same claim for 20 paid days (6/5 … 6/24): 20 × 6,667 = 133,340.
fn sickness_basis_20_days() -> Basis {
    Basis {
        inputs: json!({"average_standard_remuneration": 300000, "days": 20}),
        parameters: vec![],
        steps: vec![step(
            "支給額",
            "6,667 × 20",
            "133340",
            Rounding::None,
            "133340",
        )],
        result_yen: 133_340,
    }
}

/// 家族出産育児一時金 for a birth on 2025-07-10 at a 産科医療補償制度 facility: 488,000 + 12,000 =
/// 500,000 (births from 2023-04-01; rules.md §5.3 table).
fn lump_sum_basis() -> Basis {
    Basis {
        inputs: json!({"born_on": "2025-07-10", "live_births": 1, "obstetric_compensation": true}),
        parameters: vec![ParameterRef {
            key: "childbirth_lump_sum".into(),
            version: 1,
            effective_from: d("2023-04-01"),
            value: "500000".into(),
        }],
        steps: vec![Step {
            label: "出産育児一時金".into(),
            formula: "488,000 + 12,000".into(),
            exact: "500000".into(),
            rounding: Rounding::None,
            value: "500000".into(),
            source: "健保法114条; 施行令36条; rules.md §5.3".into(),
        }],
        result_yen: 500_000,
    }
}

/// A 不支給 basis (result 0).
fn refusal_basis() -> Basis {
    Basis {
        inputs: json!({"days_off": 3}),
        ..Basis::default()
    }
}

fn certification() -> EmployerCertification {
    EmployerCertification {
        certified_on: d("2025-07-03"),
        certifier: text("株式会社関東ITソフト 代表取締役 鈴木一郎"),
        wages_paid: vec![],
    }
}

fn sickness_receipt() -> ClaimReceipt {
    ClaimReceipt {
        claim_id: CLAIM,
        kind: BenefitKind::SicknessAllowance,
        person_id: TARO,
        beneficiary_person_id: None,
        received_on: d("2025-07-07"),
        period: Some(ClaimPeriod {
            from: d("2025-06-02"),
            to: d("2025-06-30"),
        }),
        employer_certification: Some(certification()),
        payee: Payee::EmployerAccount {
            office_code: OfficeCode::parse("1234").expect("office code"),
        },
        details: json!({"sickness": "腰椎椎間板ヘルニア", "first_day_off": "2025-06-02"})
            .as_object()
            .cloned()
            .expect("object"),
    }
}

fn lump_sum_receipt() -> ClaimReceipt {
    ClaimReceipt {
        kind: BenefitKind::FamilyChildbirthLumpSum,
        beneficiary_person_id: Some(CHILD),
        received_on: d("2025-07-20"),
        period: None,
        employer_certification: None,
        payee: Payee::MemberAccount,
        details: json!({"born_on": "2025-07-10", "live_births": 1, "stillbirths": 0})
            .as_object()
            .cloned()
            .expect("object"),
        ..sickness_receipt()
    }
}

fn received_event(body: ClaimReceipt) -> BenefitClaimEvent {
    BenefitClaimEvent::ClaimReceived(ClaimReceived {
        claim_id: body.claim_id,
        kind: body.kind,
        person_id: body.person_id,
        beneficiary_person_id: body.beneficiary_person_id,
        received_on: body.received_on,
        period: body.period,
        employer_certification: body.employer_certification,
        payee: body.payee,
        details: body.details,
    })
}

fn received() -> BenefitClaimEvent {
    received_event(sickness_receipt())
}

fn registered() -> BenefitClaimEvent {
    BenefitClaimEvent::ClaimRegistered(ClaimRegistered {
        registered_on: d("2025-07-08"),
    })
}

fn calculated(sequence: u32, basis: Basis) -> BenefitClaimEvent {
    let amount = yen(basis.result_yen);
    BenefitClaimEvent::ClaimCalculated(ClaimCalculated {
        sequence,
        basis,
        amount,
        calculated_by: Some(CALCULATOR.to_owned()),
    })
}

fn decided_pay() -> BenefitClaimEvent {
    BenefitClaimEvent::ClaimDecided(ClaimDecided {
        decided_on: d("2025-07-15"),
        outcome: Outcome::Pay {
            amount: yen(173_342),
        },
        basis: sickness_basis(),
        calculation_sequence: Some(1),
        amount_override: None,
    })
}

fn refuse_outcome() -> Outcome {
    Outcome::Refuse {
        reason_code: ReasonCode::parse("waiting_period_not_met").expect("code"),
        reason: text("待期期間（連続3日）が完成していないため"),
    }
}

fn decided_refuse() -> BenefitClaimEvent {
    BenefitClaimEvent::ClaimDecided(ClaimDecided {
        decided_on: d("2025-07-15"),
        outcome: refuse_outcome(),
        basis: refusal_basis(),
        calculation_sequence: None,
        amount_override: None,
    })
}

fn employer_payee() -> Payee {
    Payee::EmployerAccount {
        office_code: OfficeCode::parse("1234").expect("office code"),
    }
}

fn instructed(batch_id: Uuid, on: &str, amount: i64, revision: u32) -> BenefitClaimEvent {
    BenefitClaimEvent::PaymentInstructed(PaymentInstructed {
        batch_id,
        instructed_on: d(on),
        amount: yen(amount),
        payee: employer_payee(),
        decision_revision: revision,
    })
}

fn paid(batch_id: Uuid, on: &str, amount: i64) -> BenefitClaimEvent {
    BenefitClaimEvent::ClaimPaid(ClaimPaid {
        batch_id,
        paid_on: d(on),
        amount: yen(amount),
        bank_reference: BankReference::parse("20250725-000123").expect("reference"),
    })
}

fn failed() -> BenefitClaimEvent {
    BenefitClaimEvent::PaymentFailed(PaymentFailed {
        batch_id: BATCH,
        failed_on: d("2025-07-26"),
        amount: yen(173_342),
        reason: text("口座解約済み"),
    })
}

/// Received, registered, calculated (173,342) and decided to pay.
fn decided_history() -> Vec<BenefitClaimEvent> {
    vec![
        received(),
        registered(),
        calculated(1, sickness_basis()),
        decided_pay(),
    ]
}

/// … and paid in full on 2025-07-25.
fn paid_history() -> Vec<BenefitClaimEvent> {
    let mut h = decided_history();
    h.push(instructed(BATCH, "2025-07-18", 173_342, 0));
    h.push(paid(BATCH, "2025-07-25", 173_342));
    h
}

fn receive(body: ClaimReceipt) -> BenefitClaimCommand {
    BenefitClaimCommand::Receive(body)
}

fn register(on: &str) -> BenefitClaimCommand {
    BenefitClaimCommand::Register(ClaimRegistration {
        registered_on: d(on),
    })
}

fn calculate(basis: Basis) -> BenefitClaimCommand {
    let amount = yen(basis.result_yen);
    BenefitClaimCommand::RecordCalculation(CalculationRecord {
        basis,
        amount,
        calculated_by: CALCULATOR.to_owned(),
    })
}

fn decide_pay(amount: i64, basis: Basis, override_reason: Option<&str>) -> BenefitClaimCommand {
    BenefitClaimCommand::Decide(ClaimDecision {
        decided_on: d("2025-07-15"),
        outcome: Outcome::Pay {
            amount: yen(amount),
        },
        basis,
        override_reason: override_reason.map(text),
        decided_by: DECIDER.to_owned(),
    })
}

fn decide_refuse() -> BenefitClaimCommand {
    BenefitClaimCommand::Decide(ClaimDecision {
        decided_on: d("2025-07-15"),
        outcome: refuse_outcome(),
        basis: refusal_basis(),
        override_reason: None,
        decided_by: DECIDER.to_owned(),
    })
}

fn instruct(batch_id: Uuid, on: &str) -> BenefitClaimCommand {
    BenefitClaimCommand::InstructPayment(PaymentInstruction {
        batch_id,
        instructed_on: d(on),
    })
}

fn record_paid(on: &str) -> BenefitClaimCommand {
    BenefitClaimCommand::RecordPaid(PaymentResult {
        paid_on: d(on),
        bank_reference: BankReference::parse("20250725-000123").expect("reference"),
    })
}

fn record_failed(on: &str) -> BenefitClaimCommand {
    BenefitClaimCommand::RecordPaymentFailed(PaymentFailure {
        failed_on: d(on),
        reason: text("口座解約済み"),
    })
}

fn notice(on: &str) -> BenefitClaimCommand {
    BenefitClaimCommand::SendNotice(NoticeDispatch { sent_on: d(on) })
}

fn correct(
    on: &str,
    outcome: Outcome,
    basis: Basis,
    override_reason: Option<&str>,
) -> BenefitClaimCommand {
    BenefitClaimCommand::Correct(DecisionCorrection {
        corrected_on: d(on),
        reason: text("標準報酬月額の遡及訂正による再計算"),
        outcome,
        basis,
        override_reason: override_reason.map(text),
        corrected_by: DECIDER.to_owned(),
    })
}

fn withdraw(on: &str) -> BenefitClaimCommand {
    BenefitClaimCommand::Withdraw(ClaimWithdrawal {
        withdrawn_on: d(on),
        reason: text("本人からの申出"),
    })
}

fn withdrawn_event(on: &str) -> BenefitClaimEvent {
    BenefitClaimEvent::ClaimWithdrawn(ClaimWithdrawn {
        withdrawn_on: d(on),
        reason: text("本人からの申出"),
    })
}

fn claim(events: Vec<BenefitClaimEvent>) -> BenefitClaim {
    let mut claim = BenefitClaim::default();
    for event in events {
        claim.apply(event);
    }
    claim
}

async fn accepts(
    events: Vec<BenefitClaimEvent>,
    command: BenefitClaimCommand,
    expected: Vec<BenefitClaimEvent>,
) {
    TestFramework::<BenefitClaim>::with(())
        .given(events)
        .when_async(command)
        .await
        .then_expect_events(expected);
}

/// Runs `command` and asserts it is refused with error `code`.
async fn refuses(
    events: Vec<BenefitClaimEvent>,
    command: BenefitClaimCommand,
    code: &str,
) -> BenefitClaimError {
    match TestFramework::<BenefitClaim>::with(())
        .given(events)
        .when_async(command)
        .await
        .inspect_result()
    {
        Ok(events) => panic!("expected error {code}, got events {events:?}"),
        Err(err) => {
            assert_eq!(err.code(), code, "{err}");
            err
        }
    }
}

// ---------------------------------------------------------------- 受付

#[tokio::test]
async fn receives_a_sickness_allowance_claim_with_employer_certification() {
    accepts(vec![], receive(sickness_receipt()), vec![received()]).await;
    let c = claim(vec![received()]);
    assert_eq!(c.status(), Some(ClaimStatus::Received));
    assert_eq!(c.kind(), Some(BenefitKind::SicknessAllowance));
    assert_eq!(c.person_id(), Some(TARO));
    assert_eq!(c.payee(), Some(&employer_payee()));
    assert_eq!(c.amount_to_pay(), Yen::ZERO);
}

#[tokio::test]
async fn receives_a_family_lump_sum_for_the_dependent() {
    accepts(
        vec![],
        receive(lump_sum_receipt()),
        vec![received_event(lump_sum_receipt())],
    )
    .await;
    let c = claim(vec![received_event(lump_sum_receipt())]);
    assert_eq!(c.beneficiary_person_id(), Some(CHILD));
}

#[tokio::test]
async fn receives_maternity_allowance_for_the_98_day_period() {
    // rules.md §5.2: expected = birth = 2026-06-01 → from 42 days before (2026-04-21) to 56
    // days after (2026-07-27) = 98 days; the employer certifies after the last day.
    let body = ClaimReceipt {
        kind: BenefitKind::MaternityAllowance,
        person_id: Uuid::from_u128(0x2),
        received_on: d("2026-08-05"),
        period: Some(ClaimPeriod {
            from: d("2026-04-21"),
            to: d("2026-07-27"),
        }),
        employer_certification: Some(EmployerCertification {
            certified_on: d("2026-07-31"),
            wages_paid: vec![WagePayment {
                from: d("2026-04-21"),
                to: d("2026-04-30"),
                amount: yen(30_000),
            }],
            ..certification()
        }),
        payee: Payee::PublicFundsAccount,
        ..sickness_receipt()
    };
    accepts(vec![], receive(body.clone()), vec![received_event(body)]).await;
}

#[tokio::test]
async fn receipt_refused_when_the_claim_exists() {
    refuses(
        vec![received()],
        receive(sickness_receipt()),
        "claim_already_received",
    )
    .await;
}

#[tokio::test]
async fn sickness_and_maternity_need_the_employer_certification() {
    for kind in [
        BenefitKind::SicknessAllowance,
        BenefitKind::MaternityAllowance,
    ] {
        let body = ClaimReceipt {
            kind,
            employer_certification: None,
            ..sickness_receipt()
        };
        let err = refuses(vec![], receive(body), "employer_certification_required").await;
        assert_eq!(err.category(), ErrorCategory::Invalid);
    }
}

#[tokio::test]
async fn other_kinds_take_no_employer_certification() {
    let body = ClaimReceipt {
        employer_certification: Some(certification()),
        period: Some(ClaimPeriod {
            from: d("2025-06-02"),
            to: d("2025-06-30"),
        }),
        ..lump_sum_receipt()
    };
    refuses(
        vec![],
        receive(body),
        "employer_certification_not_applicable",
    )
    .await;
}

#[tokio::test]
async fn allowances_need_the_period() {
    let body = ClaimReceipt {
        period: None,
        ..sickness_receipt()
    };
    refuses(vec![], receive(body), "period_required").await;
}

#[tokio::test]
async fn family_kinds_need_the_dependent_and_others_refuse_one() {
    let body = ClaimReceipt {
        kind: BenefitKind::FamilyBurial,
        beneficiary_person_id: None,
        ..lump_sum_receipt()
    };
    refuses(vec![], receive(body), "beneficiary_required").await;

    let body = ClaimReceipt {
        beneficiary_person_id: Some(TARO),
        ..lump_sum_receipt()
    };
    refuses(vec![], receive(body), "beneficiary_is_insured").await;

    let body = ClaimReceipt {
        kind: BenefitKind::Burial,
        ..lump_sum_receipt()
    };
    refuses(vec![], receive(body), "beneficiary_not_applicable").await;
}

#[tokio::test]
async fn receipt_dates_must_follow_the_facts() {
    // Period ending before it starts.
    let body = ClaimReceipt {
        period: Some(ClaimPeriod {
            from: d("2025-06-30"),
            to: d("2025-06-02"),
        }),
        ..sickness_receipt()
    };
    refuses(vec![], receive(body), "end_before_start").await;

    // The employer cannot certify days that have not passed (certified 2025-06-29, last day 6/30).
    let body = ClaimReceipt {
        employer_certification: Some(EmployerCertification {
            certified_on: d("2025-06-29"),
            ..certification()
        }),
        ..sickness_receipt()
    };
    refuses(vec![], receive(body), "date_out_of_order").await;

    // Received (2025-07-02) before the employer certified (2025-07-03).
    let body = ClaimReceipt {
        received_on: d("2025-07-02"),
        ..sickness_receipt()
    };
    refuses(vec![], receive(body), "date_out_of_order").await;

    // A claim received before the first day claimed.
    let body = ClaimReceipt {
        kind: BenefitKind::HighCostCombined,
        received_on: d("2025-07-31"),
        period: Some(ClaimPeriod {
            from: d("2025-08-01"),
            to: d("2026-07-31"),
        }),
        employer_certification: None,
        ..sickness_receipt()
    };
    refuses(vec![], receive(body), "date_out_of_order").await;
}

#[tokio::test]
async fn certified_wages_must_be_within_the_period_and_not_negative() {
    let with_wage = |from: &str, to: &str, amount: i64| ClaimReceipt {
        employer_certification: Some(EmployerCertification {
            wages_paid: vec![WagePayment {
                from: d(from),
                to: d(to),
                amount: yen(amount),
            }],
            ..certification()
        }),
        ..sickness_receipt()
    };
    refuses(
        vec![],
        receive(with_wage("2025-06-25", "2025-07-01", 10_000)),
        "wages_outside_period",
    )
    .await;
    refuses(
        vec![],
        receive(with_wage("2025-06-05", "2025-06-10", -1)),
        "invalid_amount",
    )
    .await;
    refuses(
        vec![],
        receive(with_wage("2025-06-10", "2025-06-05", 1_000)),
        "end_before_start",
    )
    .await;
    let body = with_wage("2025-06-02", "2025-06-30", 0);
    accepts(vec![], receive(body.clone()), vec![received_event(body)]).await;
}

#[tokio::test]
async fn public_funds_account_from_october_2022() {
    // digest.md §2.3 #1 (L797–804): 公金受取口座 from 令和4年10月.
    let body = |on: &str| ClaimReceipt {
        received_on: d(on),
        payee: Payee::PublicFundsAccount,
        ..lump_sum_receipt()
    };
    refuses(
        vec![],
        receive(body("2022-09-30")),
        "public_funds_account_not_in_force",
    )
    .await;
    let ok = ClaimReceipt {
        details: json!({"born_on": "2022-09-20"})
            .as_object()
            .cloned()
            .expect("object"),
        ..body("令和4年10月1日")
    };
    accepts(vec![], receive(ok.clone()), vec![received_event(ok)]).await;
}

// ---------------------------------------------------------------- 受付登録

#[tokio::test]
async fn registers_a_received_claim() {
    accepts(vec![received()], register("2025-07-08"), vec![registered()]).await;
    // Same day as the receipt is fine.
    accepts(
        vec![received()],
        register("2025-07-07"),
        vec![BenefitClaimEvent::ClaimRegistered(ClaimRegistered {
            registered_on: d("2025-07-07"),
        })],
    )
    .await;
}

#[tokio::test]
async fn registration_refusals() {
    let err = refuses(vec![], register("2025-07-08"), "claim_not_found").await;
    assert_eq!(err.category(), ErrorCategory::NotFound);
    let err = refuses(
        vec![received(), registered()],
        register("2025-07-09"),
        "already_registered",
    )
    .await;
    assert_eq!(err.category(), ErrorCategory::Conflict);
    refuses(
        vec![received()],
        register("2025-07-06"),
        "date_out_of_order",
    )
    .await;
}

// ---------------------------------------------------------------- 給付金計算

#[tokio::test]
async fn records_calculations_in_sequence() {
    accepts(
        vec![received(), registered()],
        calculate(sickness_basis()),
        vec![calculated(1, sickness_basis())],
    )
    .await;
    accepts(
        vec![received(), registered(), calculated(1, sickness_basis())],
        calculate(sickness_basis_320k()),
        vec![calculated(2, sickness_basis_320k())],
    )
    .await;
}

#[tokio::test]
async fn calculation_refusals() {
    refuses(vec![], calculate(sickness_basis()), "claim_not_found").await;
    refuses(
        vec![received()],
        calculate(sickness_basis()),
        "not_registered",
    )
    .await;
    // Amount 173,000 with a basis whose result is 173,342.
    refuses(
        vec![received(), registered()],
        BenefitClaimCommand::RecordCalculation(CalculationRecord {
            basis: sickness_basis(),
            amount: yen(173_000),
            calculated_by: CALCULATOR.to_owned(),
        }),
        "basis_result_mismatch",
    )
    .await;
    refuses(
        vec![received(), registered()],
        BenefitClaimCommand::RecordCalculation(CalculationRecord {
            basis: Basis {
                result_yen: -1,
                ..Basis::default()
            },
            amount: yen(-1),
            calculated_by: CALCULATOR.to_owned(),
        }),
        "invalid_amount",
    )
    .await;
}

// ---------------------------------------------------------------- 決定

/// 計算者 ≠ 決定者: the one who recorded the calculation in force can neither decide nor
/// correct; another clerk can.
#[tokio::test]
async fn the_calculator_cannot_decide_or_correct_on_their_own_calculation() {
    let history = vec![received(), registered(), calculated(1, sickness_basis())];
    let BenefitClaimCommand::Decide(mut own) = decide_pay(173_342, sickness_basis(), None) else {
        unreachable!("decide_pay builds a decision")
    };
    own.decided_by = CALCULATOR.to_owned();
    let err = refuses(
        history.clone(),
        BenefitClaimCommand::Decide(own),
        "two_person_rule",
    )
    .await;
    assert_eq!(err.category(), ErrorCategory::Forbidden);
    // A 不支給 is a decision too.
    let BenefitClaimCommand::Decide(mut own_refusal) = decide_refuse() else {
        unreachable!("decide_refuse builds a decision")
    };
    own_refusal.decided_by = CALCULATOR.to_owned();
    refuses(
        history.clone(),
        BenefitClaimCommand::Decide(own_refusal),
        "two_person_rule",
    )
    .await;
    // Given a decision by DECIDER, DECIDER recalculates: DECIDER cannot correct on it, the
    // first clerk can.
    let mut decided = history;
    decided.push(decided_pay());
    decided.push(BenefitClaimEvent::ClaimCalculated(ClaimCalculated {
        sequence: 2,
        basis: Basis {
            result_yen: 0,
            ..Basis::default()
        },
        amount: Yen::ZERO,
        calculated_by: Some(DECIDER.to_owned()),
    }));
    refuses(
        decided.clone(),
        correct("2025-08-01", refuse_outcome(), refusal_basis(), None),
        "two_person_rule",
    )
    .await;
    let BenefitClaimCommand::Correct(mut by_other) =
        correct("2025-08-01", refuse_outcome(), refusal_basis(), None)
    else {
        unreachable!("correct builds a correction")
    };
    by_other.corrected_by = CALCULATOR.to_owned();
    let events = TestFramework::<BenefitClaim>::with(())
        .given(decided)
        .when_async(BenefitClaimCommand::Correct(by_other))
        .await
        .inspect_result()
        .expect("another clerk corrects");
    assert_eq!(events.len(), 1);
}

/// A calculation recorded before calculators were kept cannot be checked against the
/// decider: it must be recorded again.
#[tokio::test]
async fn a_calculation_without_its_calculator_must_be_recorded_again_before_deciding() {
    let BenefitClaimEvent::ClaimCalculated(mut legacy) = calculated(1, sickness_basis()) else {
        unreachable!("calculated builds a calculation")
    };
    legacy.calculated_by = None;
    refuses(
        vec![
            received(),
            registered(),
            BenefitClaimEvent::ClaimCalculated(legacy),
        ],
        decide_pay(173_342, sickness_basis(), None),
        "calculation_not_attributed",
    )
    .await;
}

#[tokio::test]
async fn decides_to_pay_the_latest_calculation() {
    accepts(
        vec![received(), registered(), calculated(1, sickness_basis())],
        decide_pay(173_342, sickness_basis(), None),
        vec![decided_pay()],
    )
    .await;
    let c = claim(decided_history());
    assert_eq!(c.status(), Some(ClaimStatus::Decided));
    assert_eq!(c.amount_to_pay(), yen(173_342));
    assert_eq!(c.decision().map(|d| d.revision), Some(0));
}

#[tokio::test]
async fn the_latest_calculation_counts() {
    let history = vec![
        received(),
        registered(),
        calculated(1, sickness_basis()),
        calculated(2, sickness_basis_320k()),
    ];
    // The first calculation's 173,342 no longer counts.
    let err = refuses(
        history.clone(),
        decide_pay(173_342, sickness_basis(), None),
        "amount_differs_from_calculation",
    )
    .await;
    assert_eq!(
        err,
        BenefitClaimError::AmountDiffersFromCalculation {
            calculated: yen(184_938),
            given: yen(173_342)
        }
    );
    accepts(
        history,
        decide_pay(184_938, sickness_basis_320k(), None),
        vec![BenefitClaimEvent::ClaimDecided(ClaimDecided {
            decided_on: d("2025-07-15"),
            outcome: Outcome::Pay {
                amount: yen(184_938),
            },
            basis: sickness_basis_320k(),
            calculation_sequence: Some(2),
            amount_override: None,
        })],
    )
    .await;
}

#[tokio::test]
async fn an_override_reason_allows_another_amount_and_is_recorded() {
    // 付加給付 by the 規約 added by hand: 173,342 + 10,000 = 183,342.
    accepts(
        vec![received(), registered(), calculated(1, sickness_basis())],
        decide_pay(
            183_342,
            sickness_basis(),
            Some("規約による付加金10,000円を加算"),
        ),
        vec![BenefitClaimEvent::ClaimDecided(ClaimDecided {
            decided_on: d("2025-07-15"),
            outcome: Outcome::Pay {
                amount: yen(183_342),
            },
            basis: sickness_basis(),
            calculation_sequence: Some(1),
            amount_override: Some(AmountOverride {
                calculated_amount: Some(yen(173_342)),
                reason: text("規約による付加金10,000円を加算"),
            }),
        })],
    )
    .await;
}

#[tokio::test]
async fn decision_refusals_on_the_amount() {
    let history = vec![received(), registered(), calculated(1, sickness_basis())];
    refuses(
        history.clone(),
        decide_pay(173_342, sickness_basis_320k(), None),
        "basis_differs_from_calculation",
    )
    .await;
    refuses(
        vec![received(), registered()],
        decide_pay(173_342, sickness_basis(), None),
        "not_calculated",
    )
    .await;
    refuses(
        history.clone(),
        decide_pay(0, Basis::default(), Some("手入力")),
        "invalid_amount",
    )
    .await;
}

#[tokio::test]
async fn decides_to_refuse() {
    accepts(
        vec![received(), registered()],
        decide_refuse(),
        vec![decided_refuse()],
    )
    .await;
    let c = claim(vec![received(), registered(), decided_refuse()]);
    assert_eq!(c.amount_to_pay(), Yen::ZERO);
}

#[tokio::test]
async fn refusal_refusals() {
    // A 不支給 basis must have result 0.
    refuses(
        vec![received(), registered()],
        BenefitClaimCommand::Decide(ClaimDecision {
            decided_on: d("2025-07-15"),
            outcome: refuse_outcome(),
            basis: sickness_basis(),
            override_reason: None,
            decided_by: DECIDER.to_owned(),
        }),
        "basis_result_mismatch",
    )
    .await;
    refuses(
        vec![received(), registered()],
        BenefitClaimCommand::Decide(ClaimDecision {
            decided_on: d("2025-07-15"),
            outcome: refuse_outcome(),
            basis: refusal_basis(),
            override_reason: Some(text("x")),
            decided_by: DECIDER.to_owned(),
        }),
        "override_not_applicable",
    )
    .await;
}

#[tokio::test]
async fn decision_state_refusals() {
    refuses(vec![], decide_refuse(), "claim_not_found").await;
    refuses(vec![received()], decide_refuse(), "not_registered").await;
    refuses(decided_history(), decide_refuse(), "claim_already_decided").await;
    refuses(
        vec![received(), registered()],
        BenefitClaimCommand::Decide(ClaimDecision {
            decided_on: d("2025-07-07"),
            outcome: refuse_outcome(),
            basis: refusal_basis(),
            override_reason: None,
            decided_by: DECIDER.to_owned(),
        }),
        "date_out_of_order",
    )
    .await;
}

// ---------------------------------------------------------------- 支払

#[tokio::test]
async fn instructs_the_payment_to_the_payee() {
    accepts(
        decided_history(),
        instruct(BATCH, "2025-07-18"),
        vec![instructed(BATCH, "2025-07-18", 173_342, 0)],
    )
    .await;
    let mut h = decided_history();
    h.push(instructed(BATCH, "2025-07-18", 173_342, 0));
    let c = claim(h);
    assert_eq!(c.status(), Some(ClaimStatus::PaymentInstructed));
    assert_eq!(c.amount_to_pay(), yen(173_342));
}

#[tokio::test]
async fn instruction_refusals() {
    refuses(vec![], instruct(BATCH, "2025-07-18"), "claim_not_found").await;
    refuses(
        vec![received(), registered()],
        instruct(BATCH, "2025-07-18"),
        "not_decided",
    )
    .await;
    refuses(
        vec![received(), registered(), decided_refuse()],
        instruct(BATCH, "2025-07-18"),
        "not_payable",
    )
    .await;
    let mut pending = decided_history();
    pending.push(instructed(BATCH, "2025-07-18", 173_342, 0));
    refuses(
        pending,
        instruct(BATCH2, "2025-07-19"),
        "already_instructed",
    )
    .await;
    refuses(
        paid_history(),
        instruct(BATCH2, "2025-07-28"),
        "already_paid",
    )
    .await;
    refuses(
        decided_history(),
        instruct(BATCH, "2025-07-14"),
        "date_out_of_order",
    )
    .await;
    let mut withdrawn = decided_history();
    withdrawn.push(withdrawn_event("2025-07-16"));
    refuses(withdrawn, instruct(BATCH, "2025-07-18"), "withdrawn").await;
}

#[tokio::test]
async fn records_the_payment() {
    let mut h = decided_history();
    h.push(instructed(BATCH, "2025-07-18", 173_342, 0));
    accepts(
        h,
        record_paid("2025-07-25"),
        vec![paid(BATCH, "2025-07-25", 173_342)],
    )
    .await;
    let c = claim(paid_history());
    assert_eq!(c.status(), Some(ClaimStatus::Paid));
    assert_eq!(c.paid_total(), yen(173_342));
    assert_eq!(c.amount_to_pay(), Yen::ZERO);
}

#[tokio::test]
async fn payment_result_refusals() {
    refuses(
        decided_history(),
        record_paid("2025-07-25"),
        "not_instructed",
    )
    .await;
    refuses(
        decided_history(),
        record_failed("2025-07-25"),
        "not_instructed",
    )
    .await;
    refuses(paid_history(), record_paid("2025-07-26"), "already_paid").await;
    let mut h = decided_history();
    h.push(instructed(BATCH, "2025-07-18", 173_342, 0));
    refuses(h.clone(), record_paid("2025-07-17"), "date_out_of_order").await;
    refuses(h, record_failed("2025-07-17"), "date_out_of_order").await;
}

#[tokio::test]
async fn a_failed_payment_can_be_instructed_again() {
    let mut h = decided_history();
    h.push(instructed(BATCH, "2025-07-18", 173_342, 0));
    accepts(h.clone(), record_failed("2025-07-26"), vec![failed()]).await;
    h.push(failed());
    assert_eq!(claim(h.clone()).status(), Some(ClaimStatus::PaymentFailed));
    assert_eq!(claim(h.clone()).amount_to_pay(), yen(173_342));
    accepts(
        h,
        instruct(BATCH2, "2025-08-01"),
        vec![instructed(BATCH2, "2025-08-01", 173_342, 0)],
    )
    .await;
}

// ---------------------------------------------------------------- 決定通知書

#[tokio::test]
async fn sends_the_refusal_notice_after_the_decision() {
    accepts(
        vec![received(), registered(), decided_refuse()],
        notice("2025-07-16"),
        vec![BenefitClaimEvent::NoticeSent(NoticeSent {
            sent_on: d("2025-07-16"),
            decision_revision: 0,
            pay: false,
            amount: Yen::ZERO,
        })],
    )
    .await;
}

#[tokio::test]
async fn sends_the_payment_notice_once_the_transfer_is_instructed() {
    let notice_event = BenefitClaimEvent::NoticeSent(NoticeSent {
        sent_on: d("2025-07-18"),
        decision_revision: 0,
        pay: true,
        amount: yen(173_342),
    });
    refuses(
        decided_history(),
        notice("2025-07-18"),
        "transfer_not_instructed",
    )
    .await;
    let mut h = decided_history();
    h.push(instructed(BATCH, "2025-07-18", 173_342, 0));
    accepts(h.clone(), notice("2025-07-18"), vec![notice_event.clone()]).await;
    // After payment, nothing remains to pay: the notice can go too.
    accepts(
        paid_history(),
        notice("2025-07-25"),
        vec![BenefitClaimEvent::NoticeSent(NoticeSent {
            sent_on: d("2025-07-25"),
            ..match notice_event.clone() {
                BenefitClaimEvent::NoticeSent(n) => n,
                _ => unreachable!(),
            }
        })],
    )
    .await;
    h.push(notice_event);
    refuses(h, notice("2025-07-19"), "notice_already_sent").await;
}

#[tokio::test]
async fn notice_refusals() {
    refuses(vec![], notice("2025-07-16"), "claim_not_found").await;
    refuses(
        vec![received(), registered()],
        notice("2025-07-16"),
        "not_decided",
    )
    .await;
    refuses(
        vec![received(), registered(), decided_refuse()],
        notice("2025-07-14"),
        "date_out_of_order",
    )
    .await;
}

// ---------------------------------------------------------------- 訂正

#[tokio::test]
async fn correction_after_payment_leaves_the_difference_to_pay() {
    // Paid 173,342; recalculated at 184,938 (sickness_basis_320k): 184,938 − 173,342 = 11,596.
    let mut h = paid_history();
    h.push(calculated(2, sickness_basis_320k()));
    let corrected = BenefitClaimEvent::DecisionCorrected(DecisionCorrected {
        corrected_on: d("2025-09-01"),
        reason: text("標準報酬月額の遡及訂正による再計算"),
        revision: 1,
        previous_outcome: Outcome::Pay {
            amount: yen(173_342),
        },
        outcome: Outcome::Pay {
            amount: yen(184_938),
        },
        basis: sickness_basis_320k(),
        calculation_sequence: Some(2),
        amount_override: None,
        paid_so_far: yen(173_342),
        difference: yen(11_596),
    });
    accepts(
        h.clone(),
        correct(
            "2025-09-01",
            Outcome::Pay {
                amount: yen(184_938),
            },
            sickness_basis_320k(),
            None,
        ),
        vec![corrected.clone()],
    )
    .await;
    h.push(corrected);
    let c = claim(h.clone());
    assert_eq!(c.status(), Some(ClaimStatus::Decided));
    assert_eq!(c.amount_to_pay(), yen(11_596));
    assert_eq!(c.superseded_decisions().len(), 1);
    // The difference is instructed under revision 1 …
    accepts(
        h.clone(),
        instruct(BATCH2, "2025-09-05"),
        vec![instructed(BATCH2, "2025-09-05", 11_596, 1)],
    )
    .await;
    // … and the corrected decision gets its own notice once it is.
    refuses(h.clone(), notice("2025-09-02"), "transfer_not_instructed").await;
    h.push(instructed(BATCH2, "2025-09-05", 11_596, 1));
    accepts(
        h,
        notice("2025-09-05"),
        vec![BenefitClaimEvent::NoticeSent(NoticeSent {
            sent_on: d("2025-09-05"),
            decision_revision: 1,
            pay: true,
            amount: yen(184_938),
        })],
    )
    .await;
}

#[tokio::test]
async fn correction_downwards_after_payment_leaves_an_amount_to_recover() {
    // Paid 173,342; 20 days instead of 26: 133,340 − 173,342 = −40,002.
    let mut h = paid_history();
    h.push(calculated(2, sickness_basis_20_days()));
    let corrected = BenefitClaimEvent::DecisionCorrected(DecisionCorrected {
        corrected_on: d("2025-09-01"),
        reason: text("標準報酬月額の遡及訂正による再計算"),
        revision: 1,
        previous_outcome: Outcome::Pay {
            amount: yen(173_342),
        },
        outcome: Outcome::Pay {
            amount: yen(133_340),
        },
        basis: sickness_basis_20_days(),
        calculation_sequence: Some(2),
        amount_override: None,
        paid_so_far: yen(173_342),
        difference: yen(-40_002),
    });
    accepts(
        h.clone(),
        correct(
            "2025-09-01",
            Outcome::Pay {
                amount: yen(133_340),
            },
            sickness_basis_20_days(),
            None,
        ),
        vec![corrected.clone()],
    )
    .await;
    h.push(corrected);
    let c = claim(h.clone());
    assert_eq!(c.status(), Some(ClaimStatus::Paid));
    assert_eq!(c.amount_to_pay(), Yen::ZERO);
    assert_eq!(c.amount_to_recover(), yen(40_002));
    refuses(h, instruct(BATCH2, "2025-09-05"), "already_paid").await;
}

#[tokio::test]
async fn correction_to_refusal_after_payment_recovers_everything() {
    let h = paid_history();
    let expected = BenefitClaimEvent::DecisionCorrected(DecisionCorrected {
        corrected_on: d("2025-09-01"),
        reason: text("標準報酬月額の遡及訂正による再計算"),
        revision: 1,
        previous_outcome: Outcome::Pay {
            amount: yen(173_342),
        },
        outcome: refuse_outcome(),
        basis: refusal_basis(),
        calculation_sequence: Some(1),
        amount_override: None,
        paid_so_far: yen(173_342),
        difference: yen(-173_342),
    });
    accepts(
        h.clone(),
        correct("2025-09-01", refuse_outcome(), refusal_basis(), None),
        vec![expected.clone()],
    )
    .await;
    let mut h = h;
    h.push(expected);
    assert_eq!(claim(h).amount_to_recover(), yen(173_342));
}

#[tokio::test]
async fn correction_refusals() {
    let pay = |n: i64| Outcome::Pay { amount: yen(n) };
    refuses(
        vec![],
        correct("2025-09-01", pay(1), sickness_basis(), None),
        "claim_not_found",
    )
    .await;
    refuses(
        vec![received(), registered()],
        correct("2025-09-01", pay(1), sickness_basis(), None),
        "not_decided",
    )
    .await;
    let mut pending = decided_history();
    pending.push(instructed(BATCH, "2025-07-18", 173_342, 0));
    refuses(
        pending,
        correct("2025-09-01", refuse_outcome(), refusal_basis(), None),
        "already_instructed",
    )
    .await;
    refuses(
        decided_history(),
        correct("2025-09-01", pay(173_342), sickness_basis(), None),
        "no_change",
    )
    .await;
    // 184,938 without a recalculation on record: the latest calculation is still 173,342.
    refuses(
        decided_history(),
        correct("2025-09-01", pay(184_938), sickness_basis_320k(), None),
        "amount_differs_from_calculation",
    )
    .await;
    refuses(
        decided_history(),
        correct("2025-07-14", refuse_outcome(), refusal_basis(), None),
        "date_out_of_order",
    )
    .await;
    let mut withdrawn = decided_history();
    withdrawn.push(withdrawn_event("2025-07-16"));
    refuses(
        withdrawn,
        correct("2025-09-01", refuse_outcome(), refusal_basis(), None),
        "withdrawn",
    )
    .await;
}

// ---------------------------------------------------------------- 取下げ

#[tokio::test]
async fn withdraws_before_payment() {
    accepts(
        vec![received()],
        withdraw("2025-07-10"),
        vec![withdrawn_event("2025-07-10")],
    )
    .await;
    accepts(
        decided_history(),
        withdraw("2025-07-16"),
        vec![withdrawn_event("2025-07-16")],
    )
    .await;
    let mut h = decided_history();
    h.push(withdrawn_event("2025-07-16"));
    let c = claim(h);
    assert_eq!(c.status(), Some(ClaimStatus::Withdrawn));
    assert_eq!(c.amount_to_pay(), Yen::ZERO);
}

#[tokio::test]
async fn withdrawal_refusals() {
    refuses(vec![], withdraw("2025-07-10"), "claim_not_found").await;
    refuses(paid_history(), withdraw("2025-07-26"), "already_paid").await;
    let mut pending = decided_history();
    pending.push(instructed(BATCH, "2025-07-18", 173_342, 0));
    refuses(pending, withdraw("2025-07-19"), "already_instructed").await;
    refuses(
        vec![received()],
        withdraw("2025-07-06"),
        "date_out_of_order",
    )
    .await;
    let done = vec![received(), withdrawn_event("2025-07-10")];
    for command in [
        withdraw("2025-07-11"),
        register("2025-07-11"),
        calculate(sickness_basis()),
        decide_refuse(),
        notice("2025-07-16"),
    ] {
        let err = refuses(done.clone(), command, "withdrawn").await;
        assert_eq!(err.category(), ErrorCategory::Conflict);
    }
}

// ---------------------------------------------------------------- whole flow

#[tokio::test]
async fn family_lump_sum_from_receipt_to_notice() {
    // 家族出産育児一時金 500,000 (lump_sum_basis: 488,000 + 12,000, rules.md §5.3), paid to the
    // member's account.
    let registered_on = BenefitClaimEvent::ClaimRegistered(ClaimRegistered {
        registered_on: d("2025-07-22"),
    });
    let decision = BenefitClaimEvent::ClaimDecided(ClaimDecided {
        decided_on: d("2025-07-28"),
        outcome: Outcome::Pay {
            amount: yen(500_000),
        },
        basis: lump_sum_basis(),
        calculation_sequence: Some(1),
        amount_override: None,
    });
    let instruction = BenefitClaimEvent::PaymentInstructed(PaymentInstructed {
        batch_id: BATCH,
        instructed_on: d("2025-07-30"),
        amount: yen(500_000),
        payee: Payee::MemberAccount,
        decision_revision: 0,
    });
    let mut h = vec![received_event(lump_sum_receipt())];
    accepts(
        h.clone(),
        register("2025-07-22"),
        vec![registered_on.clone()],
    )
    .await;
    h.push(registered_on);
    accepts(
        h.clone(),
        calculate(lump_sum_basis()),
        vec![calculated(1, lump_sum_basis())],
    )
    .await;
    h.push(calculated(1, lump_sum_basis()));
    accepts(
        h.clone(),
        BenefitClaimCommand::Decide(ClaimDecision {
            decided_on: d("2025-07-28"),
            outcome: Outcome::Pay {
                amount: yen(500_000),
            },
            basis: lump_sum_basis(),
            override_reason: None,
            decided_by: DECIDER.to_owned(),
        }),
        vec![decision.clone()],
    )
    .await;
    h.push(decision);
    accepts(
        h.clone(),
        instruct(BATCH, "2025-07-30"),
        vec![instruction.clone()],
    )
    .await;
    h.push(instruction);
    assert_eq!(claim(h.clone()).payee(), Some(&Payee::MemberAccount));
    accepts(
        h.clone(),
        record_paid("2025-08-05"),
        vec![paid(BATCH, "2025-08-05", 500_000)],
    )
    .await;
    h.push(paid(BATCH, "2025-08-05", 500_000));
    accepts(
        h.clone(),
        notice("2025-08-05"),
        vec![BenefitClaimEvent::NoticeSent(NoticeSent {
            sent_on: d("2025-08-05"),
            decision_revision: 0,
            pay: true,
            amount: yen(500_000),
        })],
    )
    .await;
    let c = claim(h);
    assert_eq!(c.status(), Some(ClaimStatus::Paid));
    assert_eq!(c.kind(), Some(BenefitKind::FamilyChildbirthLumpSum));
    assert_eq!(c.decision().map(|d| d.outcome.amount()), Some(yen(500_000)));
    assert_eq!(c.latest_calculation().map(|c| c.amount), Some(yen(500_000)));
}

// ---------------------------------------------------------------- wire format

#[test]
fn event_types_are_stable() {
    let events = [
        received(),
        registered(),
        calculated(1, sickness_basis()),
        decided_pay(),
        instructed(BATCH, "2025-07-18", 1, 0),
        paid(BATCH, "2025-07-25", 1),
        failed(),
        BenefitClaimEvent::NoticeSent(NoticeSent {
            sent_on: d("2025-07-16"),
            decision_revision: 0,
            pay: false,
            amount: Yen::ZERO,
        }),
        BenefitClaimEvent::DecisionCorrected(DecisionCorrected {
            corrected_on: d("2025-09-01"),
            reason: text("x"),
            revision: 1,
            previous_outcome: refuse_outcome(),
            outcome: refuse_outcome(),
            basis: Basis::default(),
            calculation_sequence: None,
            amount_override: None,
            paid_so_far: Yen::ZERO,
            difference: Yen::ZERO,
        }),
        withdrawn_event("2025-07-10"),
    ];
    let types: Vec<String> = events.iter().map(DomainEvent::event_type).collect();
    assert_eq!(
        types,
        BenefitClaimEvent::EVENT_TYPES.map(String::from).to_vec()
    );
    assert!(events.iter().all(|e| e.event_version() == "1.0"));
    assert_eq!(BenefitClaim::TYPE, "benefit_claim");
}

#[test]
fn receipt_body_wire_format() {
    let body = json!({
        "claim_id": CLAIM,
        "kind": "family_childbirth_lump_sum",
        "person_id": TARO,
        "beneficiary_person_id": CHILD,
        "received_on": "2025-07-20",
        "payee": {"type": "employer_account", "office_code": "1234"},
        "details": {"born_on": "2025-07-10", "live_births": 1}
    });
    let parsed: ClaimReceipt = serde_json::from_value(body.clone()).expect("valid body");
    assert_eq!(parsed.payee, employer_payee());
    assert_eq!(parsed.details.get("live_births"), Some(&json!(1)));

    let mut unknown = body.clone();
    unknown["surprise"] = json!(1);
    assert!(serde_json::from_value::<ClaimReceipt>(unknown).is_err());

    let mut not_object = body.clone();
    not_object["details"] = json!([1, 2]);
    assert!(serde_json::from_value::<ClaimReceipt>(not_object).is_err());

    let mut bad_office = body;
    bad_office["payee"] = json!({"type": "employer_account", "office_code": "12-34"});
    assert!(serde_json::from_value::<ClaimReceipt>(bad_office).is_err());

    let outcome: Outcome = serde_json::from_value(
        json!({"type": "refuse", "reason_code": "waiting_period_not_met", "reason": "待期未完成"}),
    )
    .expect("outcome");
    assert!(!outcome.is_pay());
    assert!(ReasonCode::parse("Bad Code").is_err());
    assert_eq!(
        serde_json::to_value(Payee::PublicFundsAccount).ok(),
        Some(json!({"type": "public_funds_account"}))
    );
}
