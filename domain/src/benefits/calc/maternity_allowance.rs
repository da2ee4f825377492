//! 出産手当金 (maternity allowance), 健康保険法102条; rules.md §5.2.
//!
//! - Period (102条1項): 出産の日 (出産の日が出産の予定日後であるときは、出産の予定日) 以前42日
//!   (多胎妊娠: 98日) から出産の日後56日まで, for days not worked. The birth date belongs to the
//!   産前 part; a late birth lengthens the 産前 part (counted from the expected date up to the
//!   actual birth), an early birth shortens it (counted from the actual birth).
//! - Amount (102条2項): the 日額 of 99条2項 with its own 支給開始日 ([`super::daily_amount`]);
//!   no 待期.
//! - Not for 任意継続被保険者 (102条1項 かっこ書).
//! - 報酬 paid for a day → only the difference (108条2項).

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::common::{
    by_date, days_inclusive, inputs_json, plain_step, DailyAmount, DatePeriod,
    MonthlyStandardRemuneration, PaidDay, YenParameter,
};
use super::daily_amount::{benefit_start, history_map, DailyAmountFor};
use super::error::BenefitCalcError;
use crate::basis::Basis;
use crate::calendar::Date;
use crate::money::Yen;

/// 産前 42日 (健保法102条1項).
pub const PRENATAL_DAYS: u64 = 42;
/// 産前 98日 for 多胎妊娠 (健保法102条1項).
pub const PRENATAL_DAYS_MULTIPLE: u64 = 98;
/// 産後 56日 (健保法102条1項).
pub const POSTNATAL_DAYS: u64 = 56;

const SOURCE_PERIOD: &str = "健保法102条1項; rules.md §5.2";
const SOURCE_WAGES: &str = "健保法108条2項; rules.md §5.2";

/// Facts from 適用 for the claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MaternityEligibility {
    /// The insured is a 任意継続被保険者 (102条1項 かっこ書).
    pub voluntary_continuation: bool,
    /// Insured on every claimed day, or entitled to 資格喪失後の継続給付 (104条).
    pub qualified_for_claimed_period: bool,
}

/// A 出産手当金 claim as the calculation needs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MaternityAllowanceInput {
    /// 出産予定日.
    pub expected_birth_date: Date,
    /// 出産日; none for a 産前 claim made before the birth.
    #[serde(default)]
    pub birth_date: Option<Date>,
    /// 多胎妊娠 (multiple pregnancy).
    pub multiple_pregnancy: bool,
    /// 出産のため労務に服さなかった期間 claimed (自–至).
    pub claimed_period: DatePeriod,
    /// Days within the claimed period on which the insured worked.
    #[serde(default)]
    pub days_worked: Vec<Date>,
    /// 報酬 paid for days of the claimed period, per day.
    #[serde(default)]
    pub wages: Vec<DailyAmount>,
    pub eligibility: MaternityEligibility,
    /// 支給開始日 of an earlier paid claim for the same birth (fixes the 日額).
    #[serde(default)]
    pub earlier_benefit_start_date: Option<Date>,
    /// 標準報酬月額 by month set by this society.
    pub standard_remuneration_months: Vec<MonthlyStandardRemuneration>,
    /// 前年度9月30日における全被保険者の平均標準報酬月額 (99条2項2号 via 102条2項).
    #[serde(default)]
    pub short_history_base: Option<YenParameter>,
}

/// The calculated 出産手当金 for one claim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MaternityAllowanceResult {
    /// First day of the 産前 period (以前42日 / 98日).
    pub prenatal_from: Date,
    /// Last day of the 産後 period (出産の日後56日); none before the birth.
    pub postnatal_to: Option<Date>,
    /// 支給開始日.
    pub benefit_start_date: Option<Date>,
    /// 1日当たりの金額.
    pub daily_amount: Option<Yen>,
    /// Claimed days inside the period and not worked, with their amounts.
    pub days: Vec<PaidDay>,
    /// Days with an amount paid.
    pub days_paid: u32,
    /// Claimed days outside the 102条 period (not payable).
    pub days_outside_period: u32,
    /// 支給額.
    pub total: Yen,
    pub basis: Basis,
}

/// The 102条1項 period: its first day (出産の日以前42日, 多胎 98日, counted back from the birth,
/// or from the expected date when the birth is later) and, once the birth is known, its last day
/// (出産の日後56日). rules.md §5.2.
pub fn benefit_period(
    expected_birth_date: Date,
    birth_date: Option<Date>,
    multiple_pregnancy: bool,
) -> (Date, Option<Date>) {
    let base = match birth_date {
        Some(birth) if birth <= expected_birth_date => birth,
        _ => expected_birth_date,
    };
    let prenatal_days = if multiple_pregnancy {
        PRENATAL_DAYS_MULTIPLE
    } else {
        PRENATAL_DAYS
    };
    (
        subtract_days(base, prenatal_days - 1),
        birth_date.map(|b| b.add_days(POSTNATAL_DAYS)),
    )
}

/// Calculates 出産手当金 for a claim (健保法102条; rules.md §5.2).
pub fn calculate(
    input: &MaternityAllowanceInput,
) -> Result<MaternityAllowanceResult, BenefitCalcError> {
    let period = input.claimed_period;
    period.validate("claimed_period")?;
    if input.eligibility.voluntary_continuation {
        return Err(BenefitCalcError::NotEligibleVoluntaryContinuation {
            benefit: "出産手当金",
        });
    }
    if !input.eligibility.qualified_for_claimed_period {
        return Err(BenefitCalcError::not_qualified(
            "not insured (nor entitled under 104条) for the claimed period",
        ));
    }
    let worked: BTreeSet<Date> = input.days_worked.iter().copied().collect();
    if let Some(d) = worked.iter().find(|d| !period.contains(**d)) {
        return Err(BenefitCalcError::invalid(format!(
            "day worked {d} is outside the claimed period"
        )));
    }
    let wages = by_date(&input.wages, "wages")?;
    if let Some(d) = wages.keys().find(|d| !period.contains(**d)) {
        return Err(BenefitCalcError::invalid(format!(
            "wage for {d} is outside the claimed period"
        )));
    }

    // The 102条1項 period.
    let expected = input.expected_birth_date;
    let prenatal_days = if input.multiple_pregnancy {
        PRENATAL_DAYS_MULTIPLE
    } else {
        PRENATAL_DAYS
    };
    let (prenatal_from, postnatal_to) =
        benefit_period(expected, input.birth_date, input.multiple_pregnancy);
    let mut steps = Vec::new();
    let prenatal_label = if input.multiple_pregnancy {
        "産前期間 (多胎妊娠: 出産の日以前98日; 予定日後の出産は予定日から起算)"
    } else {
        "産前期間 (出産の日以前42日; 予定日後の出産は予定日から起算)"
    };
    match input.birth_date {
        Some(birth) => {
            if birth < prenatal_from {
                return Err(BenefitCalcError::invalid(
                    "birth_date is long before the expected date",
                ));
            }
            steps.push(plain_step(
                prenatal_label,
                format!("{prenatal_from}〜{birth} (予定日 {expected})"),
                i64::from(days_inclusive(prenatal_from, birth)),
                SOURCE_PERIOD,
            ));
            steps.push(plain_step(
                "産後期間 (出産の日後56日)",
                format!("{}〜{}", birth.next_day(), birth.add_days(POSTNATAL_DAYS)),
                POSTNATAL_DAYS as i64,
                SOURCE_PERIOD,
            ));
        }
        None => steps.push(plain_step(
            prenatal_label,
            format!("{prenatal_from}〜 (出産前; 予定日 {expected})"),
            prenatal_days as i64,
            SOURCE_PERIOD,
        )),
    }
    let in_period = |d: Date| d >= prenatal_from && postnatal_to.is_none_or(|end| d <= end);
    let claimed_days = period.days();
    let days_outside_period = claimed_days.iter().filter(|d| !in_period(**d)).count();
    if days_outside_period == claimed_days.len() {
        return Err(BenefitCalcError::OutsideBenefitPeriod {
            detail: format!(
                "claimed {}〜{} is outside {}〜{}",
                period.from,
                period.to,
                prenatal_from,
                postnatal_to.map_or_else(|| "(birth)".to_owned(), |d| d.to_string())
            ),
        });
    }
    let candidates: Vec<Date> = claimed_days
        .into_iter()
        .filter(|d| in_period(*d) && !worked.contains(d))
        .collect();

    let history = history_map(&input.standard_remuneration_months)?;
    let start = benefit_start(
        &history,
        &candidates,
        &wages,
        input.earlier_benefit_start_date,
        input.short_history_base.as_ref(),
        DailyAmountFor::Maternity,
    )?;
    let (start_date, daily_amount, parameters) = match start {
        Some((date, daily)) => {
            steps.extend(daily.steps);
            (Some(date), Some(daily.amount), daily.parameters)
        }
        None => (None, None, Vec::new()),
    };

    let mut days = Vec::with_capacity(candidates.len());
    let mut total = Yen::ZERO;
    let mut days_paid = 0u32;
    let mut full_days = 0i64;
    for &date in &candidates {
        let wage = wages.get(&date).copied().unwrap_or(Yen::ZERO);
        let amount = match (start_date, daily_amount) {
            (Some(s), Some(daily)) if date >= s => (daily - wage).max(Yen::ZERO),
            _ => Yen::ZERO,
        };
        if amount > Yen::ZERO {
            days_paid += 1;
            total += amount;
        }
        if wage > Yen::ZERO {
            steps.push(plain_step(
                &format!("報酬との調整 ({date})"),
                format!(
                    "max(0, {} − {})",
                    daily_amount.map_or(0, Yen::amount),
                    wage.amount()
                ),
                amount.amount(),
                SOURCE_WAGES,
            ));
        } else if amount > Yen::ZERO {
            full_days += 1;
        }
        days.push(PaidDay {
            date,
            wage,
            other_benefit: Yen::ZERO,
            amount,
            over_limit: false,
        });
    }
    steps.push(plain_step(
        "支給額",
        format!(
            "{} × {full_days} + 調整日の額 ({days_paid} day(s) paid)",
            daily_amount.map_or(0, Yen::amount)
        ),
        total.amount(),
        "健保法102条; rules.md §5.2",
    ));
    Ok(MaternityAllowanceResult {
        prenatal_from,
        postnatal_to,
        benefit_start_date: start_date,
        daily_amount,
        days,
        days_paid,
        days_outside_period: u32::try_from(days_outside_period).unwrap_or(u32::MAX),
        total,
        basis: Basis {
            inputs: inputs_json(input)?,
            parameters,
            steps,
            result_yen: total.amount(),
        },
    })
}

fn subtract_days(date: Date, days: u64) -> Date {
    (0..days).fold(date, |d, _| d.previous_day())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::YearMonth;

    fn d(y: i32, m: u32, day: u32) -> Date {
        Date::fixed(y, m, day)
    }

    /// Given a (non-任継) insured with 標準報酬月額 300,000 for the 36 months up to 2026-12
    /// (日額 300,000 ÷ 30 = 10,000 × 2/3 = 6,666.66… → 6,667).
    fn claim(expected: Date, birth: Option<Date>, from: Date, to: Date) -> MaternityAllowanceInput {
        let last = YearMonth::new(2026, 12).unwrap_or_else(|| panic!("month"));
        MaternityAllowanceInput {
            expected_birth_date: expected,
            birth_date: birth,
            multiple_pregnancy: false,
            claimed_period: DatePeriod { from, to },
            days_worked: vec![],
            wages: vec![],
            eligibility: MaternityEligibility {
                voluntary_continuation: false,
                qualified_for_claimed_period: true,
            },
            earlier_benefit_start_date: None,
            standard_remuneration_months: (0..36)
                .map(|i| MonthlyStandardRemuneration {
                    month: last.add_months(-i),
                    amount: Yen::new(300_000),
                })
                .collect(),
            short_history_base: None,
        }
    }

    #[test]
    fn birth_on_the_expected_date_gives_98_days() {
        // rules.md §5.2: expected = birth = 2026-06-01 → 2026-04-21 … 2026-07-27 = 98 days.
        // 98 × 6,667 = 666,700 − 13,334 = 653,366.
        let r = calculate(&claim(
            d(2026, 6, 1),
            Some(d(2026, 6, 1)),
            d(2026, 4, 21),
            d(2026, 7, 27),
        ));
        let r = r.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.prenatal_from, d(2026, 4, 21));
        assert_eq!(r.postnatal_to, Some(d(2026, 7, 27)));
        assert_eq!(r.days_paid, 98);
        assert_eq!(r.daily_amount, Some(Yen::new(6_667)));
        assert_eq!(r.total, Yen::new(653_366));
        assert_eq!(r.basis.result_yen, 653_366);
    }

    #[test]
    fn the_day_before_the_period_and_the_day_after_are_outside() {
        // Claim 04-20 … 07-28 around the same period: 04-20 and 07-28 are outside (2 days),
        // 98 paid.
        let r = calculate(&claim(
            d(2026, 6, 1),
            Some(d(2026, 6, 1)),
            d(2026, 4, 20),
            d(2026, 7, 28),
        ));
        let r = r.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.days_outside_period, 2);
        assert_eq!(r.days_paid, 98);
    }

    #[test]
    fn late_birth_extends_the_prenatal_part() {
        // Expected 06-01, born 06-05: 産前 04-21 … 06-05 = 42 + 4 = 46 days; 産後 06-06 … 07-31
        // (June 25 + July 31 = 56). 102 days × 6,667 = 666,700 + 13,334 = 680,034.
        let r = calculate(&claim(
            d(2026, 6, 1),
            Some(d(2026, 6, 5)),
            d(2026, 4, 21),
            d(2026, 7, 31),
        ));
        let r = r.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.prenatal_from, d(2026, 4, 21));
        assert_eq!(r.postnatal_to, Some(d(2026, 7, 31)));
        assert_eq!(r.days_paid, 102);
        assert_eq!(r.total, Yen::new(680_034));
    }

    #[test]
    fn early_birth_counts_from_the_actual_birth() {
        // Expected 06-01, born 05-25: 産前 from 05-25 − 41 = 04-14; 産後 to 05-25 + 56 = 07-20
        // (May 6 + June 30 + July 20 = 56). She stopped work on 04-21: claim 04-21 … 07-20 =
        // 10 + 31 + 30 + 20 = 91 days × 6,667 = 600,030 + 6,667 = 606,697.
        let r = calculate(&claim(
            d(2026, 6, 1),
            Some(d(2026, 5, 25)),
            d(2026, 4, 21),
            d(2026, 7, 20),
        ));
        let r = r.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.prenatal_from, d(2026, 4, 14));
        assert_eq!(r.postnatal_to, Some(d(2026, 7, 20)));
        assert_eq!(r.days_paid, 91);
        assert_eq!(r.total, Yen::new(606_697));
    }

    #[test]
    fn multiple_pregnancy_has_98_prenatal_days() {
        // 多胎, expected = born 2026-06-01: 産前 from 06-01 − 97 = 02-24 (Feb 5 + Mar 31 +
        // Apr 30 + May 31 + Jun 1 = 98). Claim 02-23 … 02-25: 02-23 outside, 2 × 6,667 = 13,334.
        let mut input = claim(
            d(2026, 6, 1),
            Some(d(2026, 6, 1)),
            d(2026, 2, 23),
            d(2026, 2, 25),
        );
        input.multiple_pregnancy = true;
        let r = calculate(&input).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.prenatal_from, d(2026, 2, 24));
        assert_eq!(r.days_outside_period, 1);
        assert_eq!(r.total, Yen::new(13_334));
        // The same days for a single pregnancy are all outside (period starts 04-21).
        input.multiple_pregnancy = false;
        assert_eq!(
            calculate(&input).map_err(|e| e.code()).map(|r| r.total),
            Err("outside_benefit_period")
        );
    }

    #[test]
    fn prenatal_claim_before_the_birth() {
        // Birth not yet: expected 06-01, claim 04-21 … 05-20 (10 + 20 = 30 days) = 200,010.
        let r = calculate(&claim(d(2026, 6, 1), None, d(2026, 4, 21), d(2026, 5, 20)));
        let r = r.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.postnatal_to, None);
        assert_eq!(r.total, Yen::new(200_010)); // 30 × 6,667
    }

    #[test]
    fn wages_and_days_worked_reduce_the_amount() {
        // Same 98-day period, worked 04-21 and 04-22 (96 days left), wage 3,000 on 06-02 →
        // 6,667 − 3,000 = 3,667. 95 × 6,667 + 3,667 = 633,365 + 3,667 = 637,032.
        let mut input = claim(
            d(2026, 6, 1),
            Some(d(2026, 6, 1)),
            d(2026, 4, 21),
            d(2026, 7, 27),
        );
        input.days_worked = vec![d(2026, 4, 21), d(2026, 4, 22)];
        input.wages = vec![DailyAmount {
            date: d(2026, 6, 2),
            amount: Yen::new(3_000),
        }];
        let r = calculate(&input).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.benefit_start_date, Some(d(2026, 4, 23)));
        assert_eq!(r.days_paid, 96);
        assert_eq!(r.total, Yen::new(637_032));
    }

    #[test]
    fn voluntary_continuation_is_not_eligible() {
        let mut input = claim(
            d(2026, 6, 1),
            Some(d(2026, 6, 1)),
            d(2026, 4, 21),
            d(2026, 7, 27),
        );
        input.eligibility.voluntary_continuation = true;
        assert_eq!(
            calculate(&input).map_err(|e| e.code()).map(|r| r.total),
            Err("not_eligible_voluntary_continuation")
        );
    }
}
