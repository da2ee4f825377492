//! Values shared by the benefit calculations: parameters as supplied by the application layer,
//! date periods, per-day amounts, exact rounding helpers and the 民法143条 period end.

use std::collections::BTreeMap;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::error::BenefitCalcError;
use crate::basis::{ParameterRef, Rounding, Step};
use crate::calendar::{Date, YearMonth};
use crate::money::Yen;

/// An amount parameter (society or statutory value that changes over time) as looked up by the
/// application layer in the parameter registry: the value and the registry entry it came from.
/// The calculation checks that the two agree and that the entry is in force on the day that
/// matters, and records the reference in the [`crate::basis::Basis`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct YenParameter {
    /// The value in yen.
    pub value: Yen,
    /// The registry entry (key, version, effective_from, value as text).
    pub parameter: ParameterRef,
}

impl YenParameter {
    /// The value after checking it against its reference and that the reference is in force
    /// on `on` (its `effective_from` is not later). Whether a newer version superseded it is the
    /// registry's business.
    pub(crate) fn checked(&self, on: Date) -> Result<Yen, BenefitCalcError> {
        let reference = Decimal::from_str(self.parameter.value.trim()).ok();
        if reference != Some(Decimal::from(self.value.amount())) {
            return Err(BenefitCalcError::ParameterMismatch {
                key: self.parameter.key.clone(),
                value: self.value.amount().to_string(),
                reference_value: self.parameter.value.clone(),
            });
        }
        if self.parameter.effective_from > on {
            return Err(BenefitCalcError::ParameterNotInForce {
                key: self.parameter.key.clone(),
                effective_from: self.parameter.effective_from,
                on,
            });
        }
        if self.value.is_negative() {
            return Err(BenefitCalcError::invalid(format!(
                "parameter {} is negative",
                self.parameter.key
            )));
        }
        Ok(self.value)
    }
}

/// A period of days, both ends included (自 … 至).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DatePeriod {
    /// 自: first day.
    pub from: Date,
    /// 至: last day (included).
    pub to: Date,
}

impl DatePeriod {
    pub(crate) fn validate(&self, what: &str) -> Result<(), BenefitCalcError> {
        if self.from > self.to {
            return Err(BenefitCalcError::invalid(format!(
                "{what}: from {} is after to {}",
                self.from, self.to
            )));
        }
        Ok(())
    }

    pub(crate) fn contains(&self, date: Date) -> bool {
        self.from <= date && date <= self.to
    }

    /// Every day of the period, in order.
    pub(crate) fn days(&self) -> Vec<Date> {
        let mut days = Vec::new();
        let mut day = self.from;
        while day <= self.to {
            days.push(day);
            let next = day.next_day();
            if next == day {
                break;
            }
            day = next;
        }
        days
    }
}

/// An amount for one day: 報酬 paid for a day (108条), or another benefit paid for it (103条).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DailyAmount {
    pub date: Date,
    pub amount: Yen,
}

/// One day of a cash benefit (傷病手当金・出産手当金) as calculated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PaidDay {
    pub date: Date,
    /// 報酬 paid for the day (健保法108条).
    pub wage: Yen,
    /// Another benefit paid for the day that takes precedence (出産手当金 for 傷病手当金,
    /// 健保法103条); zero otherwise.
    pub other_benefit: Yen,
    /// Amount payable for the day: 日額 less `wage` and `other_benefit`, not below zero.
    pub amount: Yen,
    /// True when the day was not paid because the 通算1年6月 was used up (健保法99条4項).
    pub over_limit: bool,
}

/// The 標準報酬月額 in force for a month, as set by the current insurer (from the 適用 history).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MonthlyStandardRemuneration {
    /// 年月.
    pub month: YearMonth,
    /// 標準報酬月額.
    pub amount: Yen,
}

/// Per-day amounts by date; duplicates and negatives are refused.
pub(crate) fn by_date(
    amounts: &[DailyAmount],
    what: &str,
) -> Result<BTreeMap<Date, Yen>, BenefitCalcError> {
    let mut map = BTreeMap::new();
    for a in amounts {
        if a.amount.is_negative() {
            return Err(BenefitCalcError::invalid(format!(
                "{what}: negative amount on {}",
                a.date
            )));
        }
        if map.insert(a.date, a.amount).is_some() {
            return Err(BenefitCalcError::invalid(format!(
                "{what}: {} given twice",
                a.date
            )));
        }
    }
    Ok(map)
}

/// `numerator / denominator` rounded half up (四捨五入) to an integer, computed exactly in
/// integers. Both must be non-negative and the denominator positive (callers guarantee it).
pub(crate) fn div_round_half_up(numerator: i128, denominator: i128) -> i128 {
    if denominator <= 0 {
        return 0;
    }
    (2 * numerator + denominator).div_euclid(2 * denominator)
}

/// `numerator / denominator` rounded down (切捨て) to an integer, exactly.
pub(crate) fn div_floor(numerator: i128, denominator: i128) -> i128 {
    if denominator <= 0 {
        return 0;
    }
    numerator.div_euclid(denominator)
}

/// The exact quotient as a decimal for display in a [`crate::basis::Step`] (28 significant
/// digits; the rounded figure is always computed exactly with [`div_round_half_up`]).
pub(crate) fn exact_quotient(numerator: i128, denominator: i128) -> Decimal {
    let n = Decimal::from_i128_with_scale(numerator, 0);
    let d = Decimal::from_i128_with_scale(denominator, 0);
    n.checked_div(d).unwrap_or(Decimal::ZERO)
}

pub(crate) fn yen(amount: i128) -> Yen {
    Yen::new(i64::try_from(amount).unwrap_or(i64::MAX))
}

pub(crate) fn dec(amount: Yen) -> Decimal {
    Decimal::from(amount.amount())
}

/// The last day of a period of `months` months that starts on (and includes) `start`:
/// the day before the 応当日 of the last month, or the last day of that month when it has no
/// 応当日 (民法143条2項, applied to periods counted from a day that is included, e.g. a
/// 支給開始日 or a 資格喪失日).
pub(crate) fn period_end_after_months(start: Date, months: i32) -> Date {
    let target = start.year_month().add_months(months);
    match Date::from_ymd(target.year(), target.month(), start.day()) {
        Some(same_day) => same_day.previous_day(),
        None => target.last_day(),
    }
}

/// Number of days from `from` to `to`, both included (0 when `to` is before `from`).
pub(crate) fn days_inclusive(from: Date, to: Date) -> u32 {
    let days = (to.naive() - from.naive()).num_days() + 1;
    u32::try_from(days.max(0)).unwrap_or(u32::MAX)
}

/// A step whose figure is a whole number needing no rounding (a count, a sum in yen).
pub(crate) fn plain_step(
    label: &str,
    formula: impl Into<String>,
    value: i64,
    source: &str,
) -> Step {
    let v = Decimal::from(value);
    Step::new(label, formula, v, Rounding::None, v, source)
}

pub(crate) fn inputs_json<T: Serialize>(input: &T) -> Result<serde_json::Value, BenefitCalcError> {
    serde_json::to_value(input)
        .map_err(|e| BenefitCalcError::invalid(format!("input not serializable: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Date {
        Date::fixed(y, m, day)
    }

    #[test]
    fn half_up_rounds_exact_half_up_and_below_half_down() {
        // 5 / 2 = 2.5 → 3; 7 / 3 = 2.33… → 2; 8 / 3 = 2.66… → 3.
        assert_eq!(div_round_half_up(5, 2), 3);
        assert_eq!(div_round_half_up(7, 3), 2);
        assert_eq!(div_round_half_up(8, 3), 3);
        assert_eq!(div_floor(8, 3), 2);
    }

    #[test]
    fn period_end_follows_civil_code_143() {
        // 2022-03-04 + 1年6月: 応当日 2023-09-04 → ends 2023-09-03 (rules.md §5.1 example).
        assert_eq!(period_end_after_months(d(2022, 3, 4), 18), d(2023, 9, 3));
        // 2022-08-31 + 18 months: February 2024 has no 31st → its last day, 2024-02-29.
        assert_eq!(period_end_after_months(d(2022, 8, 31), 18), d(2024, 2, 29));
        // 資格喪失日 2026-04-01 + 6 months → 応当日 2026-10-01 → ends 2026-09-30.
        assert_eq!(period_end_after_months(d(2026, 4, 1), 6), d(2026, 9, 30));
        assert_eq!(days_inclusive(d(2022, 3, 4), d(2023, 9, 3)), 549);
    }

    #[test]
    fn parameter_is_checked_against_its_reference_and_effective_date() {
        let p = YenParameter {
            value: Yen::new(50_000),
            parameter: ParameterRef {
                key: "burial_allowance".into(),
                version: 1,
                effective_from: d(2006, 10, 1),
                value: "50000".into(),
            },
        };
        assert_eq!(p.checked(d(2026, 1, 1)), Ok(Yen::new(50_000)));
        assert_eq!(
            p.checked(d(2006, 9, 30)).map_err(|e| e.code()),
            Err("parameter_not_in_force")
        );
        let wrong = YenParameter {
            value: Yen::new(40_000),
            ..p
        };
        assert_eq!(
            wrong.checked(d(2026, 1, 1)).map_err(|e| e.code()),
            Err("parameter_mismatch")
        );
    }
}
