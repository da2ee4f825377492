//! Given-when-then tests of the entitlement rules (104条・105条・106条, rules.md §5.1–§5.4),
//! each boundary derived by hand in the comments: exactly one year of insurance against one day
//! short, a birth on the last day of the 6 months and the day after, a death on the last day of
//! the 3 months and the day after.

use super::*;
use crate::benefits::calc::maternity_allowance;
use crate::qualification::EnrollmentCategory::{Compulsory, SpecialRetiree, VoluntaryContinuation};

fn d(y: i32, m: u32, day: u32) -> Date {
    Date::fixed(y, m, day)
}

fn spell(category: EnrollmentCategory, from: Date, lost: Option<Date>) -> InsuredSpell {
    InsuredSpell {
        category,
        acquired_on: from,
        lost_on: lost,
    }
}

/// Given these 被保険者 periods.
fn given(spells: &[InsuredSpell]) -> InsuredHistory {
    InsuredHistory::new(spells.to_vec())
}

/// A 強制 insured from `from`, retired so that the 資格喪失日 is `lost`.
fn employed(from: Date, lost: Date) -> InsuredHistory {
    given(&[spell(Compulsory, from, Some(lost))])
}

const RECEIVING: StatusAtLoss = StatusAtLoss {
    receiving_or_entitled: true,
    worked_on_last_day: false,
};

fn sickness<'a>(
    began_on: Date,
    (from, to): (Date, Date),
    days_worked: &'a [Date],
    at_loss: Option<StatusAtLoss>,
) -> AllowanceClaim<'a> {
    AllowanceClaim {
        facts: AllowanceFacts::Sickness {
            began_on,
            waiting_period_completed_on: None,
        },
        claimed: DatePeriod { from, to },
        days_worked,
        at_loss,
    }
}

fn code<T: std::fmt::Debug>(result: Result<T, BenefitCalcError>) -> &'static str {
    match result {
        Ok(value) => panic!("expected a refusal, got {value:?}"),
        Err(e) => e.code(),
    }
}

// ---- 104条: 傷病手当金 / 出産手当金 after the loss --------------------------------------

#[test]
fn continued_sickness_allowance_after_exactly_one_year() {
    // Given a 強制 insured from 2025-04-01 who retired on 2026-03-31 (資格喪失日 2026-04-01,
    // 36条). The year from 2025-04-01 is complete at the end of 2026-03-31 (its 応当日
    // 2026-04-01 ≤ the 資格喪失日): insured 2025-04-01〜2026-03-31 = 365 days ≥ 1 year (104条).
    let history = employed(d(2025, 4, 1), d(2026, 4, 1));
    // When the days 2026-04-01〜04-30 (after the loss) are claimed for a sickness that began on
    // 2026-03-20, the claim stating that she was receiving it on 03-31 and did not work then,
    let claim = sickness(
        d(2026, 3, 20),
        (d(2026, 4, 1), d(2026, 4, 30)),
        &[],
        Some(RECEIVING),
    );
    // then 104条 pays them, and the basis says so.
    let entitlement = allowance(&history, &claim).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        entitlement,
        Entitlement::ContinuedBenefit {
            benefit: "傷病手当金",
            lost_on: d(2026, 4, 1),
            last_day_insured: d(2026, 3, 31),
            continuous_since: d(2025, 4, 1),
            one_year_on: d(2026, 4, 1),
        }
    );
    assert_eq!(entitlement.article(), "健保法104条");
    let step = entitlement.step().expect("an after-loss step");
    assert_eq!(step.value, "365");
    assert!(step.label.contains("104条"), "{}", step.label);
}

#[test]
fn one_day_short_of_a_year_gives_no_continued_benefit() {
    // Given a 強制 insured from 2025-04-02 with the 資格喪失日 2026-04-01: insured
    // 2025-04-02〜2026-03-31 = 364 days; one year would be complete only on 2026-04-02 (104条).
    let history = employed(d(2025, 4, 2), d(2026, 4, 1));
    // When days after the loss are claimed, then 422 insured_less_than_one_year.
    let claim = sickness(
        d(2026, 3, 20),
        (d(2026, 4, 1), d(2026, 4, 30)),
        &[],
        Some(RECEIVING),
    );
    let refusal = allowance(&history, &claim).expect_err("one day short");
    assert_eq!(refusal.code(), "insured_less_than_one_year");
    assert!(
        refusal.to_string().contains("2026-04-02"),
        "names the day the year would be complete: {refusal}"
    );
}

#[test]
fn periods_joined_on_the_same_day_count_and_a_one_day_gap_breaks_them() {
    // Given 強制 2024-10-01〜(lost) 2025-06-01 and again from 2025-06-01 (re-acquired the same
    // day: the 資格喪失日 is that day, 36条) to the 資格喪失日 2026-04-01: continuous from
    // 2024-10-01, whose year was complete on 2025-10-01 ≤ 2026-04-01.
    let joined = given(&[
        spell(Compulsory, d(2024, 10, 1), Some(d(2025, 6, 1))),
        spell(Compulsory, d(2025, 6, 1), Some(d(2026, 4, 1))),
    ]);
    let claim = sickness(
        d(2026, 3, 20),
        (d(2026, 4, 1), d(2026, 4, 30)),
        &[],
        Some(RECEIVING),
    );
    assert!(matches!(
        allowance(&joined, &claim),
        Ok(Entitlement::ContinuedBenefit { continuous_since, .. }) if continuous_since == d(2024, 10, 1)
    ));
    // Given the second period from 2025-06-02 instead (2025-06-01 uninsured): continuous only
    // from 2025-06-02, a year on 2026-06-02 > 2026-04-01 → refused.
    let gap = given(&[
        spell(Compulsory, d(2024, 10, 1), Some(d(2025, 6, 1))),
        spell(Compulsory, d(2025, 6, 2), Some(d(2026, 4, 1))),
    ]);
    assert_eq!(code(allowance(&gap, &claim)), "insured_less_than_one_year");
}

#[test]
fn voluntary_continuation_neither_counts_nor_stops_the_continued_benefit() {
    // Given 強制 2025-04-01〜(lost) 2026-04-01 and 任意継続 from 2026-04-01: the days claimed in
    // 2026-05 are 任継 days, paid only under 104条 from the 強制 loss (the 任継 year is never
    // counted, 104条 かっこ書).
    let history = given(&[
        spell(Compulsory, d(2025, 4, 1), Some(d(2026, 4, 1))),
        spell(VoluntaryContinuation, d(2026, 4, 1), None),
    ]);
    let claim = sickness(
        d(2026, 3, 20),
        (d(2026, 5, 1), d(2026, 5, 31)),
        &[],
        Some(RECEIVING),
    );
    assert!(matches!(
        allowance(&history, &claim),
        Ok(Entitlement::ContinuedBenefit { lost_on, .. }) if lost_on == d(2026, 4, 1)
    ));
    // Given 強制 only from 2025-06-01 (10 months) before the 任継: the 任継 months do not make
    // up the year → refused.
    let short = given(&[
        spell(Compulsory, d(2025, 6, 1), Some(d(2026, 4, 1))),
        spell(VoluntaryContinuation, d(2026, 4, 1), None),
    ]);
    assert_eq!(
        code(allowance(&short, &claim)),
        "insured_less_than_one_year"
    );
    // A 特例退職 insured is treated the same way (decided here, module doc): insured as 特退 on
    // the claimed days is not enough, only 104条 from the 強制 loss (2025-04-01) could pay, and a
    // sickness that began on 2026-04-20 was not being received at that loss.
    let retiree = given(&[
        spell(Compulsory, d(2020, 4, 1), Some(d(2025, 4, 1))),
        spell(SpecialRetiree, d(2026, 1, 1), None),
    ]);
    let later = sickness(
        d(2026, 4, 20),
        (d(2026, 5, 1), d(2026, 5, 31)),
        &[],
        Some(RECEIVING),
    );
    assert_eq!(code(allowance(&retiree, &later)), "not_receiving_at_loss");
}

#[test]
fn working_on_the_last_day_voids_the_continuation() {
    // Given the loss on 2026-04-01 after a year (last day insured 2026-03-31),
    let history = employed(d(2025, 4, 1), d(2026, 4, 1));
    // when the claim states the insured worked on 03-31, then 422 worked_on_last_day;
    let worked = StatusAtLoss {
        receiving_or_entitled: true,
        worked_on_last_day: true,
    };
    let claim = sickness(
        d(2026, 3, 20),
        (d(2026, 4, 1), d(2026, 4, 30)),
        &[],
        Some(worked),
    );
    assert_eq!(code(allowance(&history, &claim)), "worked_on_last_day");
    // and the same when a claim straddling the loss (03-20〜04-30) lists 03-31 as worked, even
    // if at_loss says otherwise.
    let days = [d(2026, 3, 31)];
    let claim = sickness(
        d(2026, 3, 20),
        (d(2026, 3, 20), d(2026, 4, 30)),
        &days,
        Some(RECEIVING),
    );
    assert_eq!(code(allowance(&history, &claim)), "worked_on_last_day");
    // A day worked on 03-30 is not the last day: the continuation stands.
    let days = [d(2026, 3, 30)];
    let claim = sickness(
        d(2026, 3, 20),
        (d(2026, 3, 20), d(2026, 4, 30)),
        &days,
        Some(RECEIVING),
    );
    assert!(allowance(&history, &claim).is_ok_and(|e| e.after_loss()));
}

#[test]
fn not_receiving_nor_entitled_at_the_loss_gives_nothing() {
    let history = employed(d(2025, 4, 1), d(2026, 4, 1));
    let period = (d(2026, 4, 1), d(2026, 4, 30));
    // the claim says so
    let idle = StatusAtLoss {
        receiving_or_entitled: false,
        worked_on_last_day: false,
    };
    let claim = sickness(d(2026, 3, 20), period, &[], Some(idle));
    assert_eq!(code(allowance(&history, &claim)), "not_receiving_at_loss");
    // the sickness began on the 資格喪失日 itself: nothing to receive on 03-31
    let claim = sickness(d(2026, 4, 1), period, &[], Some(RECEIVING));
    assert_eq!(code(allowance(&history, &claim)), "not_receiving_at_loss");
    // the 待期 (3 days, 99条1項) completed on 04-01, after the last day insured 03-31: not
    // entitled at the loss; completed on 03-31: entitled.
    let mut claim = sickness(d(2026, 3, 29), period, &[], Some(RECEIVING));
    claim.facts = AllowanceFacts::Sickness {
        began_on: d(2026, 3, 30),
        waiting_period_completed_on: Some(d(2026, 4, 1)),
    };
    assert_eq!(code(allowance(&history, &claim)), "not_receiving_at_loss");
    claim.facts = AllowanceFacts::Sickness {
        began_on: d(2026, 3, 29),
        waiting_period_completed_on: Some(d(2026, 3, 31)),
    };
    assert!(allowance(&history, &claim).is_ok());
}

#[test]
fn days_after_the_loss_need_the_status_at_the_loss_and_insured_days_do_not() {
    let history = employed(d(2025, 4, 1), d(2026, 4, 1));
    // 03-01〜03-31: every day insured (強制) → 99条 itself, nothing more needed.
    let insured = sickness(d(2026, 3, 1), (d(2026, 3, 1), d(2026, 3, 31)), &[], None);
    assert_eq!(
        allowance(&history, &insured),
        Ok(Entitlement::Insured {
            article: "健保法99条",
            on: d(2026, 3, 1),
            category: Compulsory,
        })
    );
    assert_eq!(history.continuation_loss(insured.claimed), None);
    // 03-01〜04-01: one day after the loss → at_loss required.
    let one_more = sickness(d(2026, 3, 1), (d(2026, 3, 1), d(2026, 4, 1)), &[], None);
    assert_eq!(
        history.continuation_loss(one_more.claimed),
        Some(d(2026, 4, 1))
    );
    assert_eq!(code(allowance(&history, &one_more)), "at_loss_required");
    // Never insured before the claimed days: not_qualified (no loss to continue from).
    let newcomer = given(&[spell(Compulsory, d(2026, 5, 1), None)]);
    assert_eq!(code(allowance(&newcomer, &one_more)), "not_qualified");
    assert_eq!(newcomer.continuation_loss(one_more.claimed), None);
}

#[test]
fn continued_maternity_allowance_needs_the_last_day_in_the_102_period() {
    // 出産予定日 2026-05-01, single: the 102条1項 period starts 42 days before, counting the
    // day itself: 2026-05-01 − 41 days = 2026-03-21 (03-21〜03-31 11 days + April 30 + 05-01).
    let (from, to) = maternity_allowance::benefit_period(d(2026, 5, 1), None, false);
    assert_eq!((from, to), (d(2026, 3, 21), None));
    let claim = |lost: Date| AllowanceClaim {
        facts: AllowanceFacts::Maternity {
            period_from: from,
            period_to: to,
        },
        claimed: DatePeriod {
            from: lost,
            to: d(2026, 4, 30),
        },
        days_worked: &[],
        at_loss: Some(RECEIVING),
    };
    // Given insured from 2025-03-01 (a year complete on 2026-03-01):
    // lost 2026-03-22 → last day 03-21, the period's first day → continued;
    let history = employed(d(2025, 3, 1), d(2026, 3, 22));
    assert!(matches!(
        allowance(&history, &claim(d(2026, 3, 22))),
        Ok(Entitlement::ContinuedBenefit {
            benefit: "出産手当金",
            ..
        })
    ));
    // lost 2026-03-21 → last day 03-20, the day before the period → not entitled at the loss.
    let history = employed(d(2025, 3, 1), d(2026, 3, 21));
    assert_eq!(
        code(allowance(&history, &claim(d(2026, 3, 21)))),
        "not_receiving_at_loss"
    );
}

// ---- 106条: 出産育児一時金 after the loss ------------------------------------------------

#[test]
fn birth_on_the_last_day_of_the_six_months_after_the_loss() {
    // Given the 資格喪失日 2026-04-01 after a year from 2025-04-01 (complete on 2026-04-01):
    // 6 months from 2026-04-01 end the day before the 応当日 2026-10-01, i.e. 2026-09-30
    // (民法143条; rules.md §5.3).
    let history = employed(d(2025, 4, 1), d(2026, 4, 1));
    // When she gives birth on 2026-09-30, then 106条 pays;
    let entitlement = own_childbirth(&history, d(2026, 9, 30)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        entitlement,
        Entitlement::ChildbirthAfterLoss {
            lost_on: d(2026, 4, 1),
            reference_date: d(2026, 4, 1),
            continuous_since: d(2025, 4, 1),
            one_year_on: d(2026, 4, 1),
            birth_date: d(2026, 9, 30),
            window_end: d(2026, 9, 30),
        }
    );
    assert_eq!(entitlement.step().map(|s| s.value), Some("365".to_owned()));
    // on 2026-10-01, one day later, it does not.
    let refusal = own_childbirth(&history, d(2026, 10, 1)).expect_err("too late");
    assert_eq!(refusal.code(), "after_loss_period_exceeded");
    assert!(refusal.to_string().contains("2026-09-30"), "{refusal}");
}

#[test]
fn six_months_from_a_month_end_end_at_the_end_of_february() {
    // 資格喪失日 2026-08-31 (insured from 2025-08-31: a year on 2026-08-31): 6 months → 2027-02,
    // which has no 31st, so they end on its last day, 2027-02-28 (民法143条2項).
    let history = employed(d(2025, 8, 31), d(2026, 8, 31));
    assert!(own_childbirth(&history, d(2027, 2, 28)).is_ok_and(|e| e.after_loss()));
    assert_eq!(
        code(own_childbirth(&history, d(2027, 3, 1))),
        "after_loss_period_exceeded"
    );
}

#[test]
fn a_birth_after_the_loss_needs_the_year_of_104() {
    // Insured 2025-04-02〜2026-03-31 (364 days): one day short of the year → refused even
    // within the 6 months.
    let history = employed(d(2025, 4, 2), d(2026, 4, 1));
    assert_eq!(
        code(own_childbirth(&history, d(2026, 5, 1))),
        "insured_less_than_one_year"
    );
}

#[test]
fn after_a_voluntary_continuation_the_year_is_counted_to_its_start() {
    // Given 強制 2025-04-01〜(lost) 2026-04-01, then 任意継続 2026-04-01〜(lost) 2027-04-01:
    // the year is counted up to the 任継's 資格取得日 2026-04-01 (104条 かっこ書): complete;
    // the 6 months run from the 資格喪失日 2027-04-01 to 2027-09-30.
    let history = given(&[
        spell(Compulsory, d(2025, 4, 1), Some(d(2026, 4, 1))),
        spell(VoluntaryContinuation, d(2026, 4, 1), Some(d(2027, 4, 1))),
    ]);
    assert!(matches!(
        own_childbirth(&history, d(2027, 9, 30)),
        Ok(Entitlement::ChildbirthAfterLoss { lost_on, reference_date, .. })
            if lost_on == d(2027, 4, 1) && reference_date == d(2026, 4, 1)
    ));
    assert_eq!(
        code(own_childbirth(&history, d(2027, 10, 1))),
        "after_loss_period_exceeded"
    );
    // While still 任継 on the birth date: 101条 (任意継続 included).
    assert_eq!(
        own_childbirth(&history, d(2026, 12, 1)),
        Ok(Entitlement::Insured {
            article: "健保法101条",
            on: d(2026, 12, 1),
            category: VoluntaryContinuation,
        })
    );
    // 強制 from 2025-06-01 only: 10 months before the 任継 → refused.
    let short = given(&[
        spell(Compulsory, d(2025, 6, 1), Some(d(2026, 4, 1))),
        spell(VoluntaryContinuation, d(2026, 4, 1), Some(d(2027, 4, 1))),
    ]);
    assert_eq!(
        code(own_childbirth(&short, d(2027, 5, 1))),
        "insured_less_than_one_year"
    );
}

#[test]
fn a_dependants_birth_after_the_insureds_loss_is_not_covered() {
    // Given the insured lost the qualification on 2026-04-01,
    let history = employed(d(2020, 4, 1), d(2026, 4, 1));
    // a dependant's birth on 2026-03-31 is covered (114条), on 2026-04-01 it is not (rules.md
    // §5.3), even though the insured had 6 years.
    assert!(family_event(&history, "健保法114条", d(2026, 3, 31)).is_ok());
    assert_eq!(
        code(family_event(&history, "健保法114条", d(2026, 4, 1))),
        "family_benefit_after_loss"
    );
    // never insured on or before the day: not_qualified
    assert_eq!(
        code(family_event(&history, "健保法113条", d(2019, 1, 1))),
        "not_qualified"
    );
}

// ---- 105条: 埋葬料 after the loss ---------------------------------------------------------

#[test]
fn death_on_the_last_day_of_the_three_months_after_the_loss() {
    // Given the 資格喪失日 2025-12-01 (insured only from 2025-06-01: 105条 needs no year for a
    // death within the 3 months): 3 months end the day before the 応当日 2026-03-01, i.e.
    // 2026-02-28 (rules.md §5.4).
    let history = employed(d(2025, 6, 1), d(2025, 12, 1));
    let none = ContinuedBenefitAtDeath::default();
    let entitlement = burial(&history, d(2026, 2, 28), none).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        entitlement,
        Entitlement::BurialAfterLoss {
            lost_on: d(2025, 12, 1),
            date_of_death: d(2026, 2, 28),
            case: BurialAfterLossCase::WithinThreeMonthsOfLoss {
                window_end: d(2026, 2, 28),
            },
        }
    );
    // 2025-12-01〜2026-02-28 = 31 + 31 + 28 = 90 days
    assert_eq!(entitlement.step().map(|s| s.value), Some("90".to_owned()));
    // A death on 2026-03-01 is one day too late.
    assert_eq!(
        code(burial(&history, d(2026, 3, 1), none)),
        "after_loss_period_exceeded"
    );
    // Insured on the date of death: 100条 itself.
    assert!(matches!(
        burial(&history, d(2025, 11, 30), none),
        Ok(Entitlement::Insured {
            article: "健保法100条",
            ..
        })
    ));
}

#[test]
fn death_while_or_within_three_months_after_the_continued_benefit() {
    // Given a year from 2024-12-01 up to the 資格喪失日 2025-12-01 (complete on 2025-12-01),
    let history = employed(d(2024, 12, 1), d(2025, 12, 1));
    // a death on 2026-06-10, long after the 3 months, while receiving the 104条 benefit: covered;
    let receiving = ContinuedBenefitAtDeath {
        receiving: true,
        last_day: None,
    };
    assert!(matches!(
        burial(&history, d(2026, 6, 10), receiving),
        Ok(Entitlement::BurialAfterLoss {
            case: BurialAfterLossCase::WhileReceivingContinuedBenefit,
            ..
        })
    ));
    // the benefit ended on 2026-01-31: 3 months from 02-01 end the day before the 応当日
    // 05-01, i.e. 2026-04-30 → a death on 04-30 is covered, on 05-01 it is not.
    let ended = ContinuedBenefitAtDeath {
        receiving: false,
        last_day: Some(d(2026, 1, 31)),
    };
    assert!(matches!(
        burial(&history, d(2026, 4, 30), ended),
        Ok(Entitlement::BurialAfterLoss {
            case: BurialAfterLossCase::WithinThreeMonthsAfterContinuedBenefit { window_end, .. },
            ..
        }) if window_end == d(2026, 4, 30)
    ));
    assert_eq!(
        code(burial(&history, d(2026, 5, 1), ended)),
        "after_loss_period_exceeded"
    );
    // A 104条 benefit needs the year: insured from 2024-12-02 (one day short) cannot have
    // received one, so the claim's statement is refused.
    let short = employed(d(2024, 12, 2), d(2025, 12, 1));
    assert_eq!(
        code(burial(&short, d(2026, 6, 10), receiving)),
        "insured_less_than_one_year"
    );
}

#[test]
fn the_entitlement_is_recorded_first_in_the_basis() {
    let history = employed(d(2025, 4, 1), d(2026, 4, 1));
    let entitlement = own_childbirth(&history, d(2026, 9, 30)).unwrap_or_else(|e| panic!("{e}"));
    let mut basis = Basis {
        inputs: serde_json::json!({"birth_date": "2026-09-30"}),
        parameters: Vec::new(),
        steps: vec![plain_step("支給額", "500000 × 1", 500_000, "健保法101条")],
        result_yen: 500_000,
    };
    entitlement.record(&mut basis);
    assert_eq!(basis.inputs["entitlement"]["rule"], "childbirth_after_loss");
    assert_eq!(basis.inputs["entitlement"]["lost_on"], "2026-04-01");
    assert_eq!(basis.steps.len(), 2);
    assert!(basis.steps[0].label.contains("106条"));
    assert_eq!(basis.steps[0].source, SOURCE_106);
    // An insured entitlement is recorded in the inputs only.
    let mut basis = Basis {
        inputs: serde_json::json!({}),
        ..Basis::default()
    };
    let insured = own_childbirth(&history, d(2026, 3, 1)).unwrap_or_else(|e| panic!("{e}"));
    insured.record(&mut basis);
    assert_eq!(basis.inputs["entitlement"]["rule"], "insured");
    assert_eq!(basis.inputs["entitlement"]["article"], "健保法101条");
    assert!(basis.steps.is_empty());
}
