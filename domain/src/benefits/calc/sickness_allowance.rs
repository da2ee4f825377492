//! 傷病手当金 (sickness and injury allowance), 健康保険法99条; rules.md §5.1.
//!
//! - Not for 任意継続被保険者 (99条1項 かっこ書): a sickness that began while the person was
//!   任意継続 gives no entitlement.
//! - 待期 (99条1項): paid from the day after 3 consecutive days unable to work have passed; the
//!   4th day is the first payable day. Days off with pay (有給) count towards the 待期.
//! - 日額 (99条2項): see [`super::daily_amount`]; fixed by the 支給開始日 (the first day paid).
//! - 通算1年6月 (99条4項, from 2022-01-01): the number of days in 1年6月 from the 支給開始日,
//!   counted by the calendar (民法143条), consumed by days actually paid (令和3年11月10日
//!   事務連絡 as transcribed in rules.md §5.1).
//! - 報酬 paid for a day → only the difference (108条1項); 出産手当金 paid for the same day →
//!   only the excess (103条). A day with nothing payable does not consume the 1年6月.
//!
//! Representation of earlier claims for the same sickness: the 支給開始日 of the first claim
//! and the number of days already paid ([`EarlierPayments`]), plus the day the 待期 was
//! completed (it may have been completed in a claim that paid nothing).
//!
//! - 障害厚生年金・障害手当金・老齢退職年金給付 (108条3項–5項) and 労災 休業補償給付 for the same
//!   days: [`super::adjustments`], when the input has [`OtherPayments`]; a claim without them is
//!   calculated exactly as before.
//!
//! Not handled here (inputs for later work): 付加給付 of the 規約, the pre-2022 calendar 1年6月.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::adjustments::{Adjuster, OtherPayments, Runs};
use super::common::{
    by_date, days_inclusive, inputs_json, period_end_after_months, plain_step, DailyAmount,
    DatePeriod, MonthlyStandardRemuneration, PaidDay, YenParameter,
};
use super::daily_amount::{benefit_start, history_map, DailyAmountFor};
use super::error::BenefitCalcError;
use crate::basis::Basis;
use crate::calendar::Date;
use crate::money::Yen;

/// 待期: 3 consecutive days (健保法99条1項).
pub const WAITING_DAYS: u32 = 3;
/// 通算1年6月 = 18 months (健保法99条4項).
pub const LIMIT_MONTHS: i32 = 18;
/// 通算 applies to days from 2022-01-01 (令和2年法律第40号; rules.md §0).
pub const AGGREGATION_FROM: Date = Date::fixed(2022, 1, 1);
/// A 支給開始日 before this day had its calendar 1年6月 end before 2022-01-01, so 通算 never
/// applied to it (経過措置 [inference from rules.md §0/§5.1: the calendar period ran out]).
pub const EARLIEST_AGGREGATED_START: Date = Date::fixed(2020, 7, 2);

const SOURCE_WAITING: &str = "健保法99条1項; rules.md §5.1";
const SOURCE_LIMIT: &str = "健保法99条4項, 令和3年11月10日事務連絡; rules.md §5.1";
const SOURCE_ADJUST: &str = "健保法108条1項 (報酬), 103条 (出産手当金); rules.md §5.1";

/// Facts from 適用 (qualification) for the claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SicknessEligibility {
    /// The person was a 任意継続被保険者 when the sickness began (99条1項 かっこ書).
    pub voluntary_continuation_when_sickness_began: bool,
    /// Insured on every claimed day, or entitled to 資格喪失後の継続給付 (104条).
    pub qualified_for_claimed_period: bool,
}

/// Earlier paid claims for the same sickness.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EarlierPayments {
    /// 支給開始日 of the first paid claim: fixes the 日額 and starts the 1年6月.
    pub benefit_start_date: Date,
    /// Days already paid (支給期間 consumed) for this sickness.
    pub days_paid: u32,
}

/// A 傷病手当金 claim as the calculation needs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SicknessAllowanceInput {
    /// 療養のため労務に服することができなかった期間 claimed (自–至), as certified by the doctor.
    pub claimed_period: DatePeriod,
    /// Days within the claimed period on which the insured worked (employer's certificate).
    #[serde(default)]
    pub days_worked: Vec<Date>,
    /// 報酬 paid for days of the claimed period (e.g. 年次有給休暇), per day.
    #[serde(default)]
    pub wages: Vec<DailyAmount>,
    /// 出産手当金 paid for days of the claimed period (103条), per day.
    #[serde(default)]
    pub maternity_allowance_paid: Vec<DailyAmount>,
    pub eligibility: SicknessEligibility,
    /// The 3rd day of the 待期 when it was completed in an earlier claim for the same sickness.
    #[serde(default)]
    pub waiting_period_completed_on: Option<Date>,
    /// Earlier paid claims for the same sickness (none for the first claim).
    #[serde(default)]
    pub earlier_payments: Option<EarlierPayments>,
    /// 標準報酬月額 by month set by this society (at least the 12 months up to the month of the
    /// 支給開始日).
    pub standard_remuneration_months: Vec<MonthlyStandardRemuneration>,
    /// 前年度9月30日における全被保険者の平均標準報酬月額 (99条2項2号), needed when fewer than
    /// 12 months are available.
    #[serde(default)]
    pub short_history_base: Option<YenParameter>,
    /// 障害厚生年金・障害手当金・老齢退職年金給付 and 労災 休業補償給付 for the claimed days
    /// (健保法108条3項–5項; rules.md §5.1); none when the claim states none (left out of the
    /// 算定根拠's inputs then, so such a claim's basis is unchanged).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other_payments: Option<OtherPayments>,
}

/// The calculated 傷病手当金 for one claim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SicknessAllowanceResult {
    /// 待期 completed in this claim (None when completed earlier).
    pub waiting_period: Option<DatePeriod>,
    /// 支給開始日 (None when no day of this or an earlier claim was paid).
    pub benefit_start_date: Option<Date>,
    /// 1日当たりの金額.
    pub daily_amount: Option<Yen>,
    /// Days in 1年6月 from the 支給開始日 (通算の支給日数).
    pub limit_days: Option<u32>,
    /// Days left after this claim.
    pub remaining_days: Option<u32>,
    /// Days after the 待期 not worked, with their amounts.
    pub days: Vec<PaidDay>,
    /// Days with an amount paid (they consume the 1年6月).
    pub days_paid: u32,
    /// 支給額.
    pub total: Yen,
    /// Not paid because of pensions, 労災 and the 障害手当金 (108条3項–5項): the amounts due after
    /// 報酬 / 出産手当金 less what was paid, over the days paid or withheld.
    pub other_payments_withheld: Yen,
    pub basis: Basis,
}

/// Calculates 傷病手当金 for a claim (健保法99条; rules.md §5.1).
pub fn calculate(
    input: &SicknessAllowanceInput,
) -> Result<SicknessAllowanceResult, BenefitCalcError> {
    let period = input.claimed_period;
    period.validate("claimed_period")?;
    if input.eligibility.voluntary_continuation_when_sickness_began {
        return Err(BenefitCalcError::NotEligibleVoluntaryContinuation {
            benefit: "傷病手当金",
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
    let maternity = by_date(&input.maternity_allowance_paid, "maternity_allowance_paid")?;
    let mut deductions: BTreeMap<Date, Yen> = BTreeMap::new();
    for (date, amount) in wages.iter().chain(maternity.iter()) {
        if !period.contains(*date) {
            return Err(BenefitCalcError::invalid(format!(
                "amount for {date} is outside the claimed period"
            )));
        }
        *deductions.entry(*date).or_default() += *amount;
    }
    if input.earlier_payments.is_some() && input.waiting_period_completed_on.is_none() {
        return Err(BenefitCalcError::invalid(
            "earlier_payments given without waiting_period_completed_on",
        ));
    }

    let mut steps = Vec::new();
    // 待期 (99条1項).
    let (waiting_period, completed_on) = match input.waiting_period_completed_on {
        Some(day) => (None, day),
        None => {
            let found = waiting_period_in(&period, &worked)?;
            steps.push(plain_step(
                "待期 (連続した3日間の労務不能)",
                format!("{}〜{}", found.from, found.to),
                i64::from(WAITING_DAYS),
                SOURCE_WAITING,
            ));
            (Some(found), found.to)
        }
    };
    let candidates: Vec<Date> = period
        .days()
        .into_iter()
        .filter(|d| *d > completed_on && !worked.contains(d))
        .collect();
    if let Some(first) = candidates.first() {
        if *first < AGGREGATION_FROM {
            return Err(BenefitCalcError::Unsupported {
                detail: format!(
                    "days before {AGGREGATION_FROM} (calendar 1年6月 rule) are not calculated here"
                ),
            });
        }
    }

    let history = history_map(&input.standard_remuneration_months)?;
    let start = benefit_start(
        &history,
        &candidates,
        &deductions,
        input.earlier_payments.map(|e| e.benefit_start_date),
        input.short_history_base.as_ref(),
        DailyAmountFor::Sickness,
    )?;
    let Some((start_date, daily)) = start else {
        // Nothing payable: every candidate day is covered by 報酬 / 出産手当金 (or none left).
        let days: Vec<PaidDay> = candidates
            .iter()
            .map(|d| PaidDay {
                date: *d,
                wage: wages.get(d).copied().unwrap_or(Yen::ZERO),
                other_benefit: maternity.get(d).copied().unwrap_or(Yen::ZERO),
                amount: Yen::ZERO,
                over_limit: false,
            })
            .collect();
        steps.push(plain_step(
            "支給額 (支給すべき日なし)",
            format!("{} day(s) after the 待期, none payable", days.len()),
            0,
            SOURCE_ADJUST,
        ));
        return Ok(SicknessAllowanceResult {
            waiting_period,
            benefit_start_date: None,
            daily_amount: None,
            limit_days: None,
            remaining_days: None,
            days,
            days_paid: 0,
            total: Yen::ZERO,
            other_payments_withheld: Yen::ZERO,
            basis: Basis {
                inputs: inputs_json(input)?,
                parameters: Vec::new(),
                steps,
                result_yen: 0,
            },
        });
    };
    if start_date < EARLIEST_AGGREGATED_START {
        return Err(BenefitCalcError::Unsupported {
            detail: format!(
                "支給開始日 {start_date}: its calendar 1年6月 ended before {AGGREGATION_FROM}"
            ),
        });
    }
    steps.extend(daily.steps.iter().cloned());
    let daily_amount = daily.amount;

    // 通算1年6月 (99条4項).
    let limit_end = period_end_after_months(start_date, LIMIT_MONTHS);
    let limit_days = days_inclusive(start_date, limit_end);
    steps.push(plain_step(
        "支給開始日から起算して1年6月の日数 (通算)",
        format!("{start_date}〜{limit_end}"),
        i64::from(limit_days),
        SOURCE_LIMIT,
    ));
    let already = input.earlier_payments.map_or(0, |e| e.days_paid);
    if already >= limit_days {
        return Err(BenefitCalcError::LimitReached { limit_days });
    }
    let mut remaining = limit_days - already;
    steps.push(plain_step(
        "残りの支給日数",
        format!("{limit_days} − {already}"),
        i64::from(remaining),
        SOURCE_LIMIT,
    ));

    // 108条3項–5項, 労災 (rules.md §5.1): the pensions' daily amounts first.
    let mut adjuster = match &input.other_payments {
        Some(other) => {
            let (adjuster, pension_steps) = Adjuster::new(other, period)?;
            steps.extend(pension_steps);
            Some(adjuster)
        }
        None => None,
    };
    let mut runs = Runs::default();
    let mut withheld_by_pensions = Yen::ZERO;

    let mut days = Vec::with_capacity(candidates.len());
    let mut total = Yen::ZERO;
    let mut days_paid = 0u32;
    let mut full_days = 0i64;
    for &date in &candidates {
        let wage = wages.get(&date).copied().unwrap_or(Yen::ZERO);
        let other = maternity.get(&date).copied().unwrap_or(Yen::ZERO);
        let offset = match &adjuster {
            Some(a) if date >= start_date => a.daily_offset(date),
            _ => Yen::ZERO,
        };
        let due = if date < start_date {
            Yen::ZERO
        } else if offset > Yen::ZERO {
            // the larger of 報酬等 and 年金等 (see adjustments: decided here [U])
            let before = (daily_amount - wage - other).max(Yen::ZERO);
            let after = (daily_amount - (wage + other).max(offset)).max(Yen::ZERO);
            runs.push(date, daily_amount, wage + other, offset, after);
            if remaining > 0 {
                // a day over the 通算1年6月 is not paid anyway: nothing withheld on it
                withheld_by_pensions += before - after;
            }
            after
        } else {
            (daily_amount - wage - other).max(Yen::ZERO)
        };
        let over_limit = due > Yen::ZERO && remaining == 0;
        let amount = match adjuster.as_mut() {
            _ if over_limit => Yen::ZERO,
            Some(a) => a.after_lump_sum(date, due),
            None => due,
        };
        if amount > Yen::ZERO {
            remaining -= 1;
            days_paid += 1;
            total += amount;
        }
        if offset > Yen::ZERO {
            // shown in the runs of 年金・労災との調整 below
        } else if wage > Yen::ZERO || other > Yen::ZERO {
            steps.push(plain_step(
                &format!("報酬・出産手当金との調整 ({date})"),
                format!(
                    "max(0, {} − {} − {})",
                    daily_amount.amount(),
                    wage.amount(),
                    other.amount()
                ),
                // before the 障害手当金 (shown in its own steps), after the 通算1年6月
                if over_limit { amount } else { due }.amount(),
                SOURCE_ADJUST,
            ));
        } else if amount == daily_amount {
            full_days += 1;
        }
        days.push(PaidDay {
            date,
            wage,
            other_benefit: other,
            amount,
            over_limit,
        });
    }
    steps.extend(runs.steps());
    let withheld_by_lump_sum = adjuster
        .as_ref()
        .map_or(Yen::ZERO, Adjuster::lump_sum_withheld);
    if let Some(a) = &adjuster {
        steps.extend(a.lump_sum_steps());
    }
    let over = days.iter().filter(|d| d.over_limit).count();
    if over > 0 {
        steps.push(plain_step(
            "通算1年6月を超える日数 (不支給)",
            format!("{over} day(s) after the remaining days were used"),
            over as i64,
            SOURCE_LIMIT,
        ));
    }
    steps.push(plain_step(
        "支給額",
        format!(
            "{} × {full_days} + 調整日の額 ({} day(s) paid)",
            daily_amount.amount(),
            days_paid
        ),
        total.amount(),
        "健保法99条; rules.md §5.1",
    ));
    Ok(SicknessAllowanceResult {
        waiting_period,
        benefit_start_date: Some(start_date),
        daily_amount: Some(daily_amount),
        limit_days: Some(limit_days),
        remaining_days: Some(remaining),
        days,
        days_paid,
        total,
        other_payments_withheld: withheld_by_pensions + withheld_by_lump_sum,
        basis: Basis {
            inputs: inputs_json(input)?,
            parameters: daily.parameters,
            steps,
            result_yen: total.amount(),
        },
    })
}

/// The first 3 consecutive days unable to work (not worked) in the period.
fn waiting_period_in(
    period: &DatePeriod,
    worked: &BTreeSet<Date>,
) -> Result<DatePeriod, BenefitCalcError> {
    let mut run = 0u32;
    let mut longest = 0u32;
    let mut run_start = period.from;
    for day in period.days() {
        if worked.contains(&day) {
            run = 0;
            continue;
        }
        if run == 0 {
            run_start = day;
        }
        run += 1;
        longest = longest.max(run);
        if run == WAITING_DAYS {
            return Ok(DatePeriod {
                from: run_start,
                to: day,
            });
        }
    }
    Err(BenefitCalcError::WaitingPeriodNotMet {
        longest_run: longest,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::basis::ParameterRef;
    use crate::calendar::YearMonth;

    fn d(y: i32, m: u32, day: u32) -> Date {
        Date::fixed(y, m, day)
    }

    fn history(last: YearMonth, count: i32, amount: i64) -> Vec<MonthlyStandardRemuneration> {
        (0..count)
            .map(|i| MonthlyStandardRemuneration {
                month: last.add_months(-i),
                amount: Yen::new(amount),
            })
            .collect()
    }

    fn ym(y: i32, m: u32) -> YearMonth {
        YearMonth::new(y, m).unwrap_or_else(|| panic!("month"))
    }

    /// Given an insured (not 任継) with 標準報酬月額 300,000 for the 24 months up to 2026-06.
    fn claim(from: Date, to: Date) -> SicknessAllowanceInput {
        SicknessAllowanceInput {
            claimed_period: DatePeriod { from, to },
            days_worked: vec![],
            wages: vec![],
            maternity_allowance_paid: vec![],
            eligibility: SicknessEligibility {
                voluntary_continuation_when_sickness_began: false,
                qualified_for_claimed_period: true,
            },
            waiting_period_completed_on: None,
            earlier_payments: None,
            standard_remuneration_months: history(ym(2026, 6), 24, 300_000),
            short_history_base: None,
            other_payments: None,
        }
    }

    #[test]
    fn ten_days_off_pays_seven_days_after_the_waiting_period() {
        // When off 2026-04-01..2026-04-10 (10 days): 待期 04-01..04-03, paid 04-04..04-10 = 7 days.
        // 日額: 300,000 ÷ 30 = 10,000; × 2/3 = 6,666.66… → 6,667. Total 7 × 6,667 = 46,669.
        let r = calculate(&claim(d(2026, 4, 1), d(2026, 4, 10)));
        let r = r.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            r.waiting_period,
            Some(DatePeriod {
                from: d(2026, 4, 1),
                to: d(2026, 4, 3)
            })
        );
        assert_eq!(r.benefit_start_date, Some(d(2026, 4, 4)));
        assert_eq!(r.daily_amount, Some(Yen::new(6_667)));
        assert_eq!(r.days_paid, 7);
        assert_eq!(r.total, Yen::new(46_669));
        assert_eq!(r.basis.result_yen, 46_669);
        // 1年6月 from 2026-04-04: 応当日 2027-10-04 → ends 2027-10-03.
        // 2026-04-04→2027-04-04 = 365 days; 04-04→10-04 = 30+31+30+31+31+30 = 183; 548 days.
        assert_eq!(r.limit_days, Some(548));
        assert_eq!(r.remaining_days, Some(548 - 7));
    }

    #[test]
    fn two_days_off_do_not_complete_the_waiting_period() {
        // When off 04-01, 04-02, works 04-03, off 04-04, 04-05: longest run 2 → 待期 not met.
        let mut input = claim(d(2026, 4, 1), d(2026, 4, 5));
        input.days_worked = vec![d(2026, 4, 3)];
        assert_eq!(
            calculate(&input).map(|r| r.total),
            Err(BenefitCalcError::WaitingPeriodNotMet { longest_run: 2 })
        );
        // Exactly 2 days claimed: not met either.
        assert_eq!(
            calculate(&claim(d(2026, 4, 1), d(2026, 4, 2)))
                .map_err(|e| e.code())
                .map(|r| r.total),
            Err("waiting_period_not_met")
        );
    }

    #[test]
    fn three_days_off_complete_the_waiting_period_and_pay_nothing() {
        // 3 days 04-01..04-03: 待期 completed, no payable day → 0円, no 支給開始日.
        let r = calculate(&claim(d(2026, 4, 1), d(2026, 4, 3))).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.waiting_period.map(|w| w.to), Some(d(2026, 4, 3)));
        assert_eq!(r.total, Yen::ZERO);
        assert_eq!(r.benefit_start_date, None);
        // The 4th day is the first payable one: 04-01..04-04 pays 1 × 6,667.
        let r = calculate(&claim(d(2026, 4, 1), d(2026, 4, 4))).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.total, Yen::new(6_667));
    }

    #[test]
    fn waiting_period_restarts_after_a_day_worked() {
        // Off 04-01, 04-02; worked 04-03; off 04-04..04-08: 待期 04-04..04-06, paid 04-07, 04-08
        // = 2 × 6,667 = 13,334.
        let mut input = claim(d(2026, 4, 1), d(2026, 4, 8));
        input.days_worked = vec![d(2026, 4, 3)];
        let r = calculate(&input).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            r.waiting_period,
            Some(DatePeriod {
                from: d(2026, 4, 4),
                to: d(2026, 4, 6)
            })
        );
        assert_eq!(r.total, Yen::new(13_334));
    }

    #[test]
    fn voluntary_continuation_at_onset_is_not_eligible() {
        let mut input = claim(d(2026, 4, 1), d(2026, 4, 10));
        input.eligibility.voluntary_continuation_when_sickness_began = true;
        assert_eq!(
            calculate(&input).map_err(|e| e.code()).map(|r| r.total),
            Err("not_eligible_voluntary_continuation")
        );
    }

    #[test]
    fn wages_reduce_to_the_difference_and_full_wages_pay_nothing() {
        // 04-01..04-06: 待期 04-01..03; 04-04 wage 2,000 → 6,667 − 2,000 = 4,667;
        // 04-05 wage 7,000 ≥ 6,667 → 0 (not counted); 04-06 full 6,667. Total 11,334, 2 days paid.
        let mut input = claim(d(2026, 4, 1), d(2026, 4, 6));
        input.wages = vec![
            DailyAmount {
                date: d(2026, 4, 4),
                amount: Yen::new(2_000),
            },
            DailyAmount {
                date: d(2026, 4, 5),
                amount: Yen::new(7_000),
            },
        ];
        let r = calculate(&input).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.total, Yen::new(11_334));
        assert_eq!(r.days_paid, 2);
        assert_eq!(r.benefit_start_date, Some(d(2026, 4, 4)));
    }

    #[test]
    fn full_wage_on_the_first_day_moves_the_start() {
        // 04-04 wage 10,000 ≥ 6,667 → not paid, so the 支給開始日 is 04-05.
        let mut input = claim(d(2026, 4, 1), d(2026, 4, 6));
        input.wages = vec![DailyAmount {
            date: d(2026, 4, 4),
            amount: Yen::new(10_000),
        }];
        let r = calculate(&input).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.benefit_start_date, Some(d(2026, 4, 5)));
        assert_eq!(r.total, Yen::new(13_334)); // 2 × 6,667
    }

    #[test]
    fn maternity_allowance_overlap_pays_the_excess_only() {
        // 04-04: 出産手当金 6,000 paid → 6,667 − 6,000 = 667; 04-05: 出産手当金 7,000 → 0.
        let mut input = claim(d(2026, 4, 1), d(2026, 4, 5));
        input.maternity_allowance_paid = vec![
            DailyAmount {
                date: d(2026, 4, 4),
                amount: Yen::new(6_000),
            },
            DailyAmount {
                date: d(2026, 4, 5),
                amount: Yen::new(7_000),
            },
        ];
        let r = calculate(&input).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.total, Yen::new(667));
        assert_eq!(r.days_paid, 1);
    }

    fn continuation(start: Date, paid: u32, from: Date, to: Date) -> SicknessAllowanceInput {
        let mut input = claim(from, to);
        input.waiting_period_completed_on = Some(start.previous_day());
        input.earlier_payments = Some(EarlierPayments {
            benefit_start_date: start,
            days_paid: paid,
        });
        input.standard_remuneration_months = history(ym(2023, 12), 40, 300_000);
        input
    }

    #[test]
    fn limit_of_one_year_six_months_boundary() {
        // 支給開始日 2022-03-04 → 1年6月 = 2022-03-04〜2023-09-03 = 549 days (rules.md §5.1).
        // 547 already paid, claim 2023-10-01..10-03 (3 days): 2 paid, the 3rd over the limit.
        // 2 × 6,667 = 13,334.
        let input = continuation(d(2022, 3, 4), 547, d(2023, 10, 1), d(2023, 10, 3));
        let r = calculate(&input).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.limit_days, Some(549));
        assert_eq!(r.days_paid, 2);
        assert_eq!(r.total, Yen::new(13_334));
        assert_eq!(r.remaining_days, Some(0));
        assert_eq!(r.days.iter().filter(|d| d.over_limit).count(), 1);
        // 548 paid: one day left → 6,667.
        let input = continuation(d(2022, 3, 4), 548, d(2023, 10, 1), d(2023, 10, 3));
        assert_eq!(calculate(&input).map(|r| r.total), Ok(Yen::new(6_667)));
        // 549 paid: limit reached.
        let input = continuation(d(2022, 3, 4), 549, d(2023, 10, 1), d(2023, 10, 3));
        assert_eq!(
            calculate(&input).map(|r| r.total),
            Err(BenefitCalcError::LimitReached { limit_days: 549 })
        );
    }

    #[test]
    fn days_after_the_calendar_end_are_paid_while_days_remain() {
        // 通算: 2023-09-04 is after the calendar end 2023-09-03, yet with 100 days paid it is
        // payable. The 日額 stays fixed by the 支給開始日 2022-03-04 (300,000 → 6,667).
        let input = continuation(d(2022, 3, 4), 100, d(2023, 9, 4), d(2023, 9, 4));
        assert_eq!(calculate(&input).map(|r| r.total), Ok(Yen::new(6_667)));
    }

    #[test]
    fn start_in_february_2026_has_546_days() {
        // 2026-02-15 → 2027-02-14 (365) + 2027-02-15..08-14 (28+31+30+31+30+31 = 181) = 546.
        let mut input = claim(d(2026, 2, 12), d(2026, 2, 15));
        input.standard_remuneration_months = history(ym(2026, 2), 12, 300_000);
        let r = calculate(&input).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.benefit_start_date, Some(d(2026, 2, 15)));
        assert_eq!(r.limit_days, Some(546));
    }

    #[test]
    fn fewer_than_twelve_months_uses_the_society_average() {
        // Joined 2026-02 at 500,000 (3 months to 2026-04). Own 500,000 ÷ 30 = 16,666.66… →
        // 16,670; society average 380,000 ÷ 30 = 12,666.66… → 12,670; lower 12,670 × 2/3 =
        // 8,446.66… → 8,447. Off 04-01..04-04 → 1 day paid = 8,447.
        let mut input = claim(d(2026, 4, 1), d(2026, 4, 4));
        input.standard_remuneration_months = history(ym(2026, 4), 3, 500_000);
        input.short_history_base = Some(YenParameter {
            value: Yen::new(380_000),
            parameter: ParameterRef {
                key: "sickness_allowance_short_history_base".into(),
                version: 3,
                effective_from: d(2026, 4, 1),
                value: "380000".into(),
            },
        });
        let r = calculate(&input).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.daily_amount, Some(Yen::new(8_447)));
        assert_eq!(r.basis.parameters.len(), 1);
        // The parameter in force only from 2026-04-05 is refused for a start on 04-04.
        if let Some(p) = input.short_history_base.as_mut() {
            p.parameter.effective_from = d(2026, 4, 5);
        }
        assert_eq!(
            calculate(&input).map_err(|e| e.code()).map(|r| r.total),
            Err("parameter_not_in_force")
        );
    }

    #[test]
    fn input_rejects_unknown_fields() {
        let json = serde_json::json!({
            "claimed_period": {"from": "2026-04-01", "to": "2026-04-10"},
            "eligibility": {"voluntary_continuation_when_sickness_began": false, "qualified_for_claimed_period": true},
            "standard_remuneration_months": [],
            "surprise": 1
        });
        assert!(serde_json::from_value::<SicknessAllowanceInput>(json).is_err());
    }
}
