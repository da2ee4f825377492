//! The daily amount (1日当たりの金額) of 傷病手当金 and 出産手当金 (健保法99条2項, applied to
//! 出産手当金 by 102条2項; rules.md §5.1, §5.2).
//!
//! 1. A = average of the 標準報酬月額 of the 直近の継続した12か月 up to and including the month
//!    of the 支給開始日, counting only months set by the current insurer.
//! 2. B = A ÷ 30, 10円未満: 5円未満切捨て・5円以上切上げ (= 10円未満四捨五入).
//! 3. 日額 = B × 2/3, 1円未満: 50銭未満切捨て・50銭以上切上げ (= 1円未満四捨五入).
//! 4. Fewer than 12 such months: B = the lower of (1号) the average of those months ÷ 30 and
//!    (2号) the society's 前年度9月30日 average 標準報酬月額 ÷ 30, each rounded as in 2.
//!
//! All rounding is computed exactly in integers.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::common::{
    dec, div_round_half_up, exact_quotient, yen, MonthlyStandardRemuneration, YenParameter,
};
use super::error::BenefitCalcError;
use crate::basis::{ParameterRef, Rounding, Step};
use crate::calendar::{Date, YearMonth};
use crate::money::Yen;

/// 12 months (健保法99条2項).
const MONTHS: i32 = 12;
/// 30分の1 (健保法99条2項).
const DAYS_PER_MONTH: i128 = 30;

/// Which benefit the daily amount is for: chooses the cited article.
#[derive(Debug, Clone, Copy)]
pub(crate) enum DailyAmountFor {
    Sickness,
    Maternity,
}

impl DailyAmountFor {
    fn source(self, clause: &str) -> String {
        match self {
            Self::Sickness => format!("健保法99条2項{clause}; rules.md §5.1"),
            Self::Maternity => {
                format!("健保法102条2項 (99条2項{clause}を準用); rules.md §5.2, §5.1")
            }
        }
    }
}

/// The 日額 and how it was obtained.
#[derive(Debug, Clone)]
pub(crate) struct DailyAmountOutcome {
    pub amount: Yen,
    pub steps: Vec<Step>,
    pub parameters: Vec<ParameterRef>,
}

/// The history as a map, refusing duplicate months and negative amounts.
pub(crate) fn history_map(
    history: &[MonthlyStandardRemuneration],
) -> Result<BTreeMap<YearMonth, Yen>, BenefitCalcError> {
    let mut map = BTreeMap::new();
    for m in history {
        if m.amount.is_negative() || m.amount == Yen::ZERO {
            return Err(BenefitCalcError::invalid(format!(
                "標準報酬月額 for {} must be positive",
                m.month
            )));
        }
        if map.insert(m.month, m.amount).is_some() {
            return Err(BenefitCalcError::invalid(format!(
                "標準報酬月額 for {} given twice",
                m.month
            )));
        }
    }
    Ok(map)
}

/// The 日額 for a 支給開始日 `start`.
pub(crate) fn daily_amount(
    history: &BTreeMap<YearMonth, Yen>,
    start: Date,
    short_history_base: Option<&YenParameter>,
    benefit: DailyAmountFor,
) -> Result<DailyAmountOutcome, BenefitCalcError> {
    let start_month = start.year_month();
    // 直近の継続した各月: walk back from the month of the 支給開始日 while months are present.
    let mut months: Vec<(YearMonth, Yen)> = Vec::new();
    let mut month = start_month;
    while months.len() < MONTHS as usize {
        match history.get(&month) {
            Some(amount) => months.push((month, *amount)),
            None => break,
        }
        month = month.add_months(-1);
    }
    let Some(&(first_listed, _)) = months.last() else {
        return Err(BenefitCalcError::NoStandardRemuneration {
            month: start_month.to_string(),
        });
    };
    let n = months.len() as i128;
    let sum: i128 = months.iter().map(|(_, a)| i128::from(a.amount())).sum();
    let mut steps = Vec::new();
    let mut parameters = Vec::new();

    steps.push(Step::new(
        "支給開始日の属する月以前の直近の継続した各月の標準報酬月額の合計",
        format!(
            "{first_listed}〜{start_month} ({n}か月): {}",
            months
                .iter()
                .rev()
                .map(|(_, a)| a.amount().to_string())
                .collect::<Vec<_>>()
                .join(" + ")
        ),
        Decimal::from_i128_with_scale(sum, 0),
        Rounding::None,
        Decimal::from_i128_with_scale(sum, 0),
        &benefit.source(""),
    ));
    let average = exact_quotient(sum, n);
    steps.push(Step::new(
        "標準報酬月額の平均",
        format!("{sum} ÷ {n}"),
        average,
        Rounding::None,
        average,
        &benefit.source(""),
    ));
    // B = average ÷ 30, 10円未満四捨五入: round(sum / (n × 30 × 10)) × 10.
    let own = div_round_half_up(sum, n * DAYS_PER_MONTH * 10) * 10;
    let own_exact = exact_quotient(sum, n * DAYS_PER_MONTH);
    let base = if n == i128::from(MONTHS) {
        steps.push(Step::new(
            "標準報酬月額の平均の30分の1 (5円未満切捨て・5円以上10円未満切上げ)",
            format!("{average} ÷ 30"),
            own_exact,
            Rounding::HalfUpTenYen,
            Decimal::from_i128_with_scale(own, 0),
            &benefit.source(""),
        ));
        own
    } else {
        steps.push(Step::new(
            "(1号) 直近の継続した各月の標準報酬月額の平均の30分の1 (5円未満切捨て・5円以上10円未満切上げ)",
            format!("{average} ÷ 30"),
            own_exact,
            Rounding::HalfUpTenYen,
            Decimal::from_i128_with_scale(own, 0),
            &benefit.source("ただし書1号"),
        ));
        let parameter = short_history_base.ok_or(BenefitCalcError::MissingParameter {
            name: "short_history_base (前年度9月30日の全被保険者の平均標準報酬月額)",
        })?;
        let value = parameter.checked(start)?;
        parameters.push(parameter.parameter.clone());
        let reference = div_round_half_up(i128::from(value.amount()), DAYS_PER_MONTH * 10) * 10;
        steps.push(Step::new(
            "(2号) 前年度9月30日における全被保険者の平均標準報酬月額の30分の1 (5円未満切捨て・5円以上10円未満切上げ)",
            format!("{} ÷ 30", value.amount()),
            exact_quotient(i128::from(value.amount()), DAYS_PER_MONTH),
            Rounding::HalfUpTenYen,
            Decimal::from_i128_with_scale(reference, 0),
            &benefit.source("ただし書2号"),
        ));
        let lower = own.min(reference);
        steps.push(Step::new(
            "1号・2号のいずれか少ない額",
            format!("min({own}, {reference})"),
            Decimal::from_i128_with_scale(lower, 0),
            Rounding::None,
            Decimal::from_i128_with_scale(lower, 0),
            &benefit.source("ただし書"),
        ));
        lower
    };
    // 日額 = B × 2/3, 1円未満四捨五入 (50銭未満切捨て・50銭以上切上げ).
    let amount = yen(div_round_half_up(base * 2, 3));
    steps.push(Step::new(
        "1日当たりの金額 (30分の1の額の3分の2; 50銭未満切捨て・50銭以上切上げ)",
        format!("{base} × 2 ÷ 3"),
        exact_quotient(base * 2, 3),
        Rounding::HalfUpYen,
        dec(amount),
        &benefit.source(""),
    ));
    Ok(DailyAmountOutcome {
        amount,
        steps,
        parameters,
    })
}

/// The 支給開始日 (the first day actually paid, rules.md §5.1 [S] S22) and its 日額.
///
/// With an earlier claim for the same sickness / birth, its 支給開始日 is given and fixes the
/// 日額. Otherwise it is the first candidate day for which something is payable: the 日額 of
/// that day's window exceeds what was deducted for the day (報酬, 出産手当金). A day fully
/// covered by wages is not "paid", so it does not start the benefit [decision: rules.md
/// defines 支給開始日 as the first day actually paid].
pub(crate) fn benefit_start(
    history: &BTreeMap<YearMonth, Yen>,
    candidates: &[Date],
    deductions: &BTreeMap<Date, Yen>,
    earlier_start: Option<Date>,
    short_history_base: Option<&YenParameter>,
    benefit: DailyAmountFor,
) -> Result<Option<(Date, DailyAmountOutcome)>, BenefitCalcError> {
    if let Some(start) = earlier_start {
        return daily_amount(history, start, short_history_base, benefit).map(|o| Some((start, o)));
    }
    let mut by_month: BTreeMap<YearMonth, DailyAmountOutcome> = BTreeMap::new();
    for &day in candidates {
        let month = day.year_month();
        let outcome = match by_month.get(&month) {
            Some(o) => o.clone(),
            None => {
                let o = daily_amount(history, day, short_history_base, benefit)?;
                by_month.insert(month, o.clone());
                o
            }
        };
        let deducted = deductions.get(&day).copied().unwrap_or(Yen::ZERO);
        if deducted < outcome.amount {
            return Ok(Some((day, outcome)));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::basis::ParameterRef;

    fn ym(y: i32, m: u32) -> YearMonth {
        YearMonth::new(y, m).unwrap_or_else(|| panic!("month"))
    }

    fn flat(from: YearMonth, count: i32, amount: i64) -> BTreeMap<YearMonth, Yen> {
        (0..count)
            .map(|i| (from.add_months(i), Yen::new(amount)))
            .collect()
    }

    fn base_param(amount: i64) -> YenParameter {
        YenParameter {
            value: Yen::new(amount),
            parameter: ParameterRef {
                key: "sickness_allowance_short_history_base".into(),
                version: 1,
                effective_from: Date::fixed(2025, 4, 1),
                value: amount.to_string(),
            },
        }
    }

    fn amount(
        history: &BTreeMap<YearMonth, Yen>,
        start: Date,
        p: Option<&YenParameter>,
    ) -> Option<i64> {
        daily_amount(history, start, p, DailyAmountFor::Sickness)
            .ok()
            .map(|o| o.amount.amount())
    }

    #[test]
    fn twelve_months_of_300000() {
        // 300,000 ÷ 30 = 10,000 (no 10円 fraction); × 2/3 = 6,666.66… → 6,667.
        let h = flat(ym(2025, 5), 12, 300_000);
        assert_eq!(amount(&h, Date::fixed(2026, 4, 10), None), Some(6_667));
    }

    #[test]
    fn ten_yen_rounding_boundary_exact_five_goes_up() {
        // 11 months of 260,000 and one of 410,000 (a 随時改定 in the start month):
        // sum 2,860,000 + 410,000 = 3,270,000; ÷ 12 = 272,500; ÷ 30 = 9,083.33… → 9,080
        // (3.33円 < 5円 切捨て); × 2/3 = 6,053.33… → 6,053.
        let mut h = flat(ym(2025, 5), 11, 260_000);
        h.insert(ym(2026, 4), Yen::new(410_000));
        assert_eq!(amount(&h, Date::fixed(2026, 4, 1), None), Some(6_053));
        // 12 × 263,850 is not a grade, so build exact .5 via the sum: months 6 × 260,000 +
        // 6 × 280,000 = 3,240,000; ÷ 12 = 270,000; ÷ 30 = 9,000 exactly → 6,000.
        let mut h = flat(ym(2025, 5), 6, 260_000);
        for i in 0..6 {
            h.insert(ym(2025, 11).add_months(i), Yen::new(280_000));
        }
        assert_eq!(amount(&h, Date::fixed(2026, 4, 1), None), Some(6_000));
        // Exactly 5円: 11 × 300,000 + 1 × 301,800 = 3,601,800; ÷ 360 = 10,005.0 → 10,010
        // (5円以上切上げ); × 2/3 = 6,673.33… → 6,673. (301,800 is not a grade; the rule is
        // arithmetic and the history is an input.)
        let mut h = flat(ym(2025, 5), 11, 300_000);
        h.insert(ym(2026, 4), Yen::new(301_800));
        assert_eq!(amount(&h, Date::fixed(2026, 4, 1), None), Some(6_673));
        // 4.99…円: 11 × 300,000 + 301,799 = 3,601,799; ÷ 360 = 10,004.997… → 10,000 → 6,667.
        h.insert(ym(2026, 4), Yen::new(301_799));
        assert_eq!(amount(&h, Date::fixed(2026, 4, 1), None), Some(6_667));
    }

    #[test]
    fn fifty_sen_goes_up() {
        // B is a multiple of 10, so 2B/3 has the fraction 0, 1/3 or 2/3: exactly 50銭 cannot
        // occur; the ≥ 50銭 branch is the 2/3 case (66.66…銭 → up), the < 50銭 branch 1/3.
        // 12 × 300,900 = 3,610,800 ÷ 360 = 10,030 → 6,686.66… → 6,687.
        let h = flat(ym(2025, 5), 12, 300_900);
        assert_eq!(amount(&h, Date::fixed(2026, 4, 1), None), Some(6_687));
    }

    #[test]
    fn fewer_than_twelve_months_takes_the_lower() {
        // 3 months of 410,000: own 410,000 ÷ 30 = 13,666.66… → 13,670; base 320,000 ÷ 30 =
        // 10,666.66… → 10,670; lower 10,670 × 2/3 = 7,113.33… → 7,113.
        let h = flat(ym(2026, 2), 3, 410_000);
        let p = base_param(320_000);
        assert_eq!(amount(&h, Date::fixed(2026, 4, 20), Some(&p)), Some(7_113));
        // 3 months of 200,000: own 6,666.66… → 6,670 lower than 10,670; 6,670 × 2/3 =
        // 4,446.66… → 4,447.
        let h = flat(ym(2026, 2), 3, 200_000);
        assert_eq!(amount(&h, Date::fixed(2026, 4, 20), Some(&p)), Some(4_447));
        // Without the parameter: refused.
        assert_eq!(
            daily_amount(&h, Date::fixed(2026, 4, 20), None, DailyAmountFor::Sickness)
                .map_err(|e| e.code())
                .map(|o| o.amount),
            Err("missing_parameter")
        );
    }

    #[test]
    fn short_history_base_the_day_before_and_on_its_effective_date() {
        // 3 months of 410,000 (own ÷ 30 → 13,670). Base 300,000 in force from 2024-04-01 and
        // 320,000 from 2025-04-01 (the 協会けんぽ figures of rules.md §0, used as an example).
        let h = flat(ym(2025, 1), 4, 410_000);
        let mut old = base_param(300_000);
        old.parameter.effective_from = Date::fixed(2024, 4, 1);
        let new = base_param(320_000);
        // Start 2025-03-31 with 300,000: 300,000 ÷ 30 = 10,000 → lower; × 2/3 = 6,666.66… → 6,667.
        assert_eq!(
            amount(&h, Date::fixed(2025, 3, 31), Some(&old)),
            Some(6_667)
        );
        // Start 2025-04-01 with 320,000: 10,666.66… → 10,670; × 2/3 = 7,113.33… → 7,113.
        assert_eq!(amount(&h, Date::fixed(2025, 4, 1), Some(&new)), Some(7_113));
        // The 2025-04-01 value offered for a start on 2025-03-31: not in force.
        assert_eq!(
            daily_amount(
                &h,
                Date::fixed(2025, 3, 31),
                Some(&new),
                DailyAmountFor::Sickness
            )
            .map_err(|e| e.code())
            .map(|o| o.amount),
            Err("parameter_not_in_force")
        );
    }

    #[test]
    fn steps_name_their_rounding_and_source() {
        let h = flat(ym(2025, 5), 12, 300_000);
        let o = daily_amount(
            &h,
            Date::fixed(2026, 4, 10),
            None,
            DailyAmountFor::Maternity,
        );
        let o = o.unwrap_or_else(|e| panic!("{e}"));
        let roundings: Vec<Rounding> = o.steps.iter().map(|s| s.rounding).collect();
        assert_eq!(
            roundings,
            [
                Rounding::None,
                Rounding::None,
                Rounding::HalfUpTenYen,
                Rounding::HalfUpYen
            ]
        );
        assert!(o.steps.iter().all(|s| s.source.contains("102条2項")));
        // 300,000 × 12 ÷ 12 ÷ 30 = 10,000; × 2 ÷ 3 = 6,666.66…
        assert_eq!(o.steps[2].value, "10000");
        assert!(o.steps[3].exact.starts_with("6666.66"));
        assert_eq!(o.steps[3].value, "6667");
    }

    #[test]
    fn only_the_latest_continuous_run_counts() {
        // 2025-05..2025-08 at 500,000, gap in 2025-09, 2025-10..2026-04 (7 months) at 200,000:
        // only the 7 continuous months count → fewer than 12: own 200,000 ÷ 30 → 6,670;
        // base 320,000 → 10,670; lower 6,670 → 4,447.
        let mut h = flat(ym(2025, 5), 4, 500_000);
        h.extend(flat(ym(2025, 10), 7, 200_000));
        let p = base_param(320_000);
        assert_eq!(amount(&h, Date::fixed(2026, 4, 1), Some(&p)), Some(4_447));
    }

    #[test]
    fn no_remuneration_in_the_start_month_is_refused() {
        let h = flat(ym(2025, 1), 12, 300_000);
        assert_eq!(
            daily_amount(&h, Date::fixed(2026, 4, 1), None, DailyAmountFor::Sickness)
                .map_err(|e| e.code())
                .map(|o| o.amount),
            Err("no_standard_remuneration")
        );
    }
}
