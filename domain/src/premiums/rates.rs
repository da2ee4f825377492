//! The premium rate applicable to one person in one month (健康保険法156条; rules.md §3.1,
//! §3.2, §3.5, §0).
//!
//! ```text
//! 一般保険料率 = 基本保険料率 + 特定保険料率                 (160条14・15項; rules.md §3.2)
//! rate        = 一般保険料率 + 調整保険料率 (健保組合, 附則2条; 施行令67条)
//!             + 子ども・子育て支援金率 (from 2026-04 月分; 156条, rules.md §0, §3.2)
//!             + 介護保険料率 (介護保険第2号被保険者 only; 156条1項1号, rules.md §3.5)
//! ```
//!
//! The values come in as [`Parameter`]s; nothing is looked up here.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::error::PremiumCalculationError as E;
use super::parameters::{record, Parameter};
use crate::basis::{ParameterRef, Rounding, Step};
use crate::calendar::{Date, YearMonth};

/// First month (月分) of the 子ども・子育て支援金 (rules.md §0: "2026-04 (月分)"; §3.2: from
/// 令和8年4月分, all insured regardless of age). Year and month.
pub const CHILD_SUPPORT_FIRST_MONTH: (i32, u32) = (2026, 4);

/// Lower bound of the 一般保険料率 of a 健保組合: 30/1000 (160条13項 applying 1項's range;
/// rules.md §3.2).
pub const GENERAL_RATE_MIN: Decimal = Decimal::from_parts(30, 0, 0, false, 3);

/// Upper bound of the 一般保険料率 of a 健保組合: 130/1000 (160条13項; rules.md §3.2).
pub const GENERAL_RATE_MAX: Decimal = Decimal::from_parts(130, 0, 0, false, 3);

const SOURCE_RATE: &str = "健保法156条1項, 160条13-15項, 附則2条 (調整保険料), 介護保険法; \
     rules.md §3.1, §3.2, §3.5, §0";

/// The society's rates for the month, each with its registry reference (keys of
/// [`crate::parameters::ParameterKey`]: the registry holds the 一般保険料率 and its 特定 part;
/// 基本 = 一般 − 特定, 160条14・15項).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RateParameters {
    /// 一般保険料率 (160条13項), key `general_premium_rate`.
    pub general: Parameter<Decimal>,
    /// 特定保険料率 (160条14・15項), key `specific_premium_rate`; at most the 一般保険料率.
    pub specific: Parameter<Decimal>,
    /// 調整保険料率 (附則2条, 施行令67条), key `adjustment_premium_rate`; `None` when the
    /// society sets none.
    pub adjustment: Option<Parameter<Decimal>>,
    /// 介護保険料率, key `care_premium_rate`; required only when the person is a
    /// 介護保険第2号被保険者 in the month.
    pub long_term_care: Option<Parameter<Decimal>>,
    /// 子ども・子育て支援金率, key `child_support_rate`; required from 2026-04 月分 and
    /// refused before.
    pub child_support: Option<Parameter<Decimal>>,
}

/// The first and last month in which a person is a 介護保険第2号被保険者 by age.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LongTermCareWindow {
    /// The month containing the day the person reaches 40 (the day before the 40th birthday).
    pub first: YearMonth,
    /// The month before the month containing the day the person reaches 65.
    pub last: YearMonth,
}

impl LongTermCareWindow {
    /// True when `month` is inside the window.
    pub fn contains(self, month: YearMonth) -> bool {
        self.first <= month && month <= self.last
    }
}

/// The day one "reaches" an age: the day before the birthday (年齢計算ニ関スル法律, 民法143条;
/// rules.md §3.5). For a 29 February birth in a common year the birthday is 1 March
/// ([`Date::anniversary`]), so the age is reached on 28 February.
pub fn day_age_reached(birth_date: Date, age: u32) -> Date {
    birth_date.anniversary(age).previous_day()
}

/// The 介護保険第2号 window by age (rules.md §3.5; 介護保険法9条2号, 10条; 156条2項): from the
/// month containing the day the person reaches 40 to the month **before** the month
/// containing the day the person reaches 65 (from then on 第1号, collected by the 市町村).
/// A birthday on the 1st of a month moves both ends one month earlier (born 1986-05-01:
/// reaches 40 on 2026-04-30, so April 2026 is the first month).
pub fn long_term_care_window(birth_date: Date) -> LongTermCareWindow {
    LongTermCareWindow {
        first: day_age_reached(birth_date, 40).year_month(),
        last: day_age_reached(birth_date, 65).year_month().add_months(-1),
    }
}

/// True when a person born on `birth_date` is a 介護保険第2号被保険者 in `month` by age.
/// `exempt` is the 介護保険 適用除外 flag (e.g. no 住所 in Japan, 介護保険法9条 — outside
/// rules.md; the 適用 side sets it).
pub fn is_long_term_care_insured(birth_date: Date, month: YearMonth, exempt: bool) -> bool {
    !exempt && long_term_care_window(birth_date).contains(month)
}

/// True when the 子ども・子育て支援金 is collected for `month` (rules.md §0, §3.2).
pub fn child_support_applies(month: YearMonth) -> bool {
    (month.year(), month.month()) >= CHILD_SUPPORT_FIRST_MONTH
}

/// The rates applicable to one person in one month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicableRate {
    pub month: YearMonth,
    /// 基本保険料率 = 一般 − 特定.
    pub basic: Decimal,
    /// 特定保険料率.
    pub specific: Decimal,
    /// 調整保険料率 (0 when none).
    pub adjustment: Decimal,
    /// 子ども・子育て支援金率 (0 before 2026-04).
    pub child_support: Decimal,
    /// 介護保険料率 (0 unless 第2号 in the month).
    pub long_term_care: Decimal,
    /// True when the person is a 介護保険第2号被保険者 in the month.
    pub long_term_care_insured: bool,
    /// The person's 第2号 window by age (rules.md §3.5), shown in the basis.
    pub long_term_care_window: LongTermCareWindow,
    /// The parameters used, in the order above.
    pub parameters: Vec<ParameterRef>,
}

impl ApplicableRate {
    /// 一般保険料率 = 基本 + 特定 (160条14・15項).
    pub fn general(&self) -> Decimal {
        self.basic + self.specific
    }

    /// The rate without 介護: 一般 + 調整 + 支援金 (一般保険料等額 and 調整保険料 of 156条1項2号).
    pub fn without_long_term_care(&self) -> Decimal {
        self.general() + self.adjustment + self.child_support
    }

    /// The whole rate for the person.
    pub fn total(&self) -> Decimal {
        self.without_long_term_care() + self.long_term_care
    }

    /// The basis step showing how the rate was composed.
    pub fn step(&self) -> Step {
        let mut formula = format!(
            "一般 {} (基本 {} + 特定 {})",
            self.general().normalize(),
            self.basic.normalize(),
            self.specific.normalize()
        );
        if !self.adjustment.is_zero() {
            formula.push_str(&format!(" + 調整 {}", self.adjustment.normalize()));
        }
        if !self.child_support.is_zero() {
            formula.push_str(&format!(
                " + 子ども・子育て支援金 {}",
                self.child_support.normalize()
            ));
        }
        let window = self.long_term_care_window;
        if self.long_term_care_insured {
            formula.push_str(&format!(
                " + 介護 {} (第2号 {}〜{})",
                self.long_term_care.normalize(),
                window.first,
                window.last
            ));
        } else {
            formula.push_str(&format!(
                " (介護保険第2号でない; 年齢による第2号 {}〜{})",
                window.first, window.last
            ));
        }
        Step::new(
            &format!("{} 保険料率", self.month),
            formula,
            self.total(),
            Rounding::None,
            self.total(),
            SOURCE_RATE,
        )
    }
}

fn check_rate(parameter: &Parameter<Decimal>, month: YearMonth) -> Result<Decimal, E> {
    let value = parameter.value_for(month)?;
    if value.is_sign_negative() || value >= Decimal::ONE {
        return Err(E::RateOutOfRange {
            key: parameter.reference.key.clone(),
            value,
            requirement: "0 ≤ rate < 1",
        });
    }
    Ok(value)
}

/// The rate applicable in `month` to a person born on `birth_date` (`long_term_care_exempt`:
/// see [`is_long_term_care_insured`]).
///
/// Refuses: a parameter whose reference does not denote its value or is not yet in force; a
/// negative rate or one ≥ 1; an 一般保険料率 outside 30/1000–130/1000 (160条13項) or a 特定
/// above it; a missing
/// 介護保険料率 for a 第2号; a missing 子ども・子育て支援金率 from 2026-04, or one given for an
/// earlier month.
pub fn applicable_rate(
    month: YearMonth,
    birth_date: Date,
    long_term_care_exempt: bool,
    parameters: &RateParameters,
) -> Result<ApplicableRate, E> {
    let mut used = Vec::new();
    let general = check_rate(&parameters.general, month)?;
    record(&mut used, &parameters.general.reference);
    if !(GENERAL_RATE_MIN..=GENERAL_RATE_MAX).contains(&general) {
        return Err(E::RateOutOfRange {
            key: parameters.general.reference.key.clone(),
            value: general,
            requirement: "30/1000 ≤ 一般保険料率 ≤ 130/1000 (160条13項)",
        });
    }
    let specific = check_rate(&parameters.specific, month)?;
    record(&mut used, &parameters.specific.reference);
    if specific > general {
        return Err(E::RateOutOfRange {
            key: parameters.specific.reference.key.clone(),
            value: specific,
            requirement: "特定保険料率 ≤ 一般保険料率 (160条14・15項)",
        });
    }
    let basic = general - specific;
    let adjustment = match &parameters.adjustment {
        Some(p) => {
            record(&mut used, &p.reference);
            check_rate(p, month)?
        }
        None => Decimal::ZERO,
    };
    let child_support = match (&parameters.child_support, child_support_applies(month)) {
        (Some(p), true) => {
            record(&mut used, &p.reference);
            check_rate(p, month)?
        }
        (None, true) => {
            return Err(E::MissingParameter {
                what: "子ども・子育て支援金率 (child_support_rate)",
                month,
            })
        }
        (Some(p), false) => {
            return Err(E::ParameterNotApplicable {
                key: p.reference.key.clone(),
                month,
                reason: "子ども・子育て支援金 is collected from 2026-04 月分 (rules.md §0)",
            })
        }
        (None, false) => Decimal::ZERO,
    };
    let long_term_care_insured =
        is_long_term_care_insured(birth_date, month, long_term_care_exempt);
    let long_term_care = if long_term_care_insured {
        let p = parameters
            .long_term_care
            .as_ref()
            .ok_or(E::MissingParameter {
                what: "介護保険料率 (long_term_care_premium_rate)",
                month,
            })?;
        record(&mut used, &p.reference);
        check_rate(p, month)?
    } else {
        Decimal::ZERO
    };
    Ok(ApplicableRate {
        month,
        basic,
        specific,
        adjustment,
        child_support,
        long_term_care,
        long_term_care_insured,
        long_term_care_window: long_term_care_window(birth_date),
        parameters: used,
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::calendar::{parse, parse_year_month};
    use crate::premiums::parameters::parameter_ref;

    pub(crate) fn d(s: &str) -> Date {
        parse(s).expect("date")
    }

    pub(crate) fn ym(s: &str) -> YearMonth {
        parse_year_month(s).expect("month")
    }

    pub(crate) fn dec(s: &str) -> Decimal {
        s.parse().expect("decimal")
    }

    pub(crate) fn rate(key: &str, from: &str, value: &str) -> Parameter<Decimal> {
        Parameter::new(dec(value), parameter_ref(key, 1, d(from), value))
    }

    /// A society with 一般 9.0% (基本 5.0% + 特定 4.0%), 調整 0.13%, 介護 1.60%, and the State's
    /// 支援金 0.23% when `with_child_support` (illustrative figures, not this society's:
    /// rules.md §7 item 10).
    pub(crate) fn society_rates(with_child_support: bool) -> RateParameters {
        RateParameters {
            general: rate("general_premium_rate", "2025-04-01", "0.090"),
            specific: rate("specific_premium_rate", "2025-04-01", "0.040"),
            adjustment: Some(rate("adjustment_premium_rate", "2025-04-01", "0.0013")),
            long_term_care: Some(rate("care_premium_rate", "2025-04-01", "0.0160")),
            child_support: with_child_support
                .then(|| rate("child_support_rate", "2026-04-01", "0.0023")),
        }
    }

    #[test]
    fn window_for_an_ordinary_birthday() {
        // Born 1986-05-15: reaches 40 on 2026-05-14 → first month 2026-05; reaches 65 on
        // 2051-05-14 → 2051-05 is 第1号 → last month 2051-04 (rules.md §3.5).
        let w = long_term_care_window(d("1986-05-15"));
        assert_eq!(w.first, ym("2026-05"));
        assert_eq!(w.last, ym("2051-04"));
        assert!(!w.contains(ym("2026-04")));
        assert!(w.contains(ym("2026-05")));
        assert!(w.contains(ym("2051-04")));
        assert!(!w.contains(ym("2051-05")));
    }

    #[test]
    fn window_for_a_first_of_month_birthday_moves_one_month_earlier() {
        // Born 1986-05-01: reaches 40 on 2026-04-30 → first month 2026-04; reaches 65 on
        // 2051-04-30 → last month 2051-03 (rules.md §3.5: "1st-of-month birthdays shift one
        // month earlier").
        let w = long_term_care_window(d("1986-05-01"));
        assert_eq!(w.first, ym("2026-04"));
        assert_eq!(w.last, ym("2051-03"));
    }

    #[test]
    fn window_for_a_second_of_month_birthday_does_not_move() {
        // Born 1986-05-02: reaches 40 on 2026-05-01 → 2026-05; 65 on 2051-05-01 → last 2051-04.
        let w = long_term_care_window(d("1986-05-02"));
        assert_eq!(w.first, ym("2026-05"));
        assert_eq!(w.last, ym("2051-04"));
    }

    #[test]
    fn window_for_29_february() {
        // Born 1988-02-29: 40th birthday 2028-02-29 (leap) → reached 2028-02-28 → 2028-02;
        // 65th "birthday" in 2053 (common year) is 2053-03-01 → reached 2053-02-28 → last
        // month 2053-01.
        let w = long_term_care_window(d("1988-02-29"));
        assert_eq!(w.first, ym("2028-02"));
        assert_eq!(w.last, ym("2053-01"));
    }

    #[test]
    fn exempt_person_is_never_second_category() {
        assert!(!is_long_term_care_insured(
            d("1980-06-15"),
            ym("2026-06"),
            true
        ));
        assert!(is_long_term_care_insured(
            d("1980-06-15"),
            ym("2026-06"),
            false
        ));
    }

    #[test]
    fn rate_in_the_40th_birthday_month_includes_long_term_care() {
        // Born 1986-05-15 → 第2号 from 2026-05 (above). 2026-05 ≥ 2026-04 → 支援金 too.
        // 一般 0.090 (基本 0.050 + 特定 0.040) + 0.0013 + 0.0023 + 0.0160 = 0.1096.
        let r = applicable_rate(ym("2026-05"), d("1986-05-15"), false, &society_rates(true))
            .expect("rate");
        assert!(r.long_term_care_insured);
        assert_eq!(r.total(), dec("0.1096"));
        assert_eq!(r.general(), dec("0.090"));
        assert_eq!(r.basic, dec("0.050"));
        assert_eq!(r.parameters.len(), 5);
        assert!(
            r.step().formula.contains("第2号 2026-05〜2051-04"),
            "{}",
            r.step().formula
        );
        // One month earlier: 0.050 + 0.040 + 0.0013 + 0.0023 = 0.0936.
        let r = applicable_rate(ym("2026-04"), d("1986-05-15"), false, &society_rates(true))
            .expect("rate");
        assert!(!r.long_term_care_insured);
        assert_eq!(r.total(), dec("0.0936"));
        assert_eq!(r.parameters.len(), 4);
    }

    #[test]
    fn rate_in_the_65th_birthday_month_drops_long_term_care() {
        // Born 1961-07-20: reaches 65 on 2026-07-19 → 2026-07 is not 第2号 (156条2項),
        // 2026-06 is. 2026-06: 0.1096; 2026-07: 0.0936.
        let r = applicable_rate(ym("2026-06"), d("1961-07-20"), false, &society_rates(true))
            .expect("rate");
        assert_eq!(r.total(), dec("0.1096"));
        let r = applicable_rate(ym("2026-07"), d("1961-07-20"), false, &society_rates(true))
            .expect("rate");
        assert_eq!(r.total(), dec("0.0936"));
        // Born 1961-07-01: reaches 65 on 2026-06-30 → 2026-06 is already 第1号.
        let r = applicable_rate(ym("2026-06"), d("1961-07-01"), false, &society_rates(true))
            .expect("rate");
        assert!(!r.long_term_care_insured);
    }

    #[test]
    fn child_support_from_april_2026() {
        // 2026-03: no 支援金 → 0.050 + 0.040 + 0.0013 = 0.0913 for a 30-year-old.
        let r = applicable_rate(ym("2026-03"), d("1996-01-10"), false, &society_rates(false))
            .expect("rate");
        assert_eq!(r.total(), dec("0.0913"));
        assert_eq!(r.child_support, Decimal::ZERO);
        // 2026-04: + 0.0023 = 0.0936.
        let r = applicable_rate(ym("2026-04"), d("1996-01-10"), false, &society_rates(true))
            .expect("rate");
        assert_eq!(r.total(), dec("0.0936"));
        // Missing from 2026-04, refused before.
        let err = applicable_rate(ym("2026-04"), d("1996-01-10"), false, &society_rates(false))
            .expect_err("missing");
        assert_eq!(err.code(), "missing_parameter");
        let mut early = society_rates(true);
        early.child_support = Some(rate("child_support_rate", "2026-03-01", "0.0023"));
        let err = applicable_rate(ym("2026-03"), d("1996-01-10"), false, &early)
            .expect_err("not applicable");
        assert_eq!(err.code(), "parameter_not_applicable");
    }

    #[test]
    fn refuses_inconsistent_or_future_parameters() {
        let mut p = society_rates(true);
        p.general = Parameter::new(
            dec("0.091"),
            parameter_ref("general_premium_rate", 1, d("2025-04-01"), "0.090"),
        );
        let err = applicable_rate(ym("2026-04"), d("1996-01-10"), false, &p).expect_err("mismatch");
        assert_eq!(err.code(), "parameter_mismatch");
        let mut p = society_rates(true);
        p.general = rate("general_premium_rate", "2026-05-01", "0.090");
        let err = applicable_rate(ym("2026-04"), d("1996-01-10"), false, &p).expect_err("future");
        assert_eq!(err.code(), "parameter_not_in_force");
        let mut p = society_rates(true);
        p.general = rate("general_premium_rate", "2025-04-01", "0.145");
        // 0.145 > 0.130 (160条13項).
        let err = applicable_rate(ym("2026-04"), d("1996-01-10"), false, &p).expect_err("range");
        assert_eq!(err.code(), "rate_out_of_range");
        let mut p = society_rates(true);
        p.specific = rate("specific_premium_rate", "2025-04-01", "0.095");
        // 特定 0.095 > 一般 0.090.
        let err = applicable_rate(ym("2026-04"), d("1996-01-10"), false, &p).expect_err("特定");
        assert_eq!(err.code(), "rate_out_of_range");
        let mut p = society_rates(true);
        p.long_term_care = None;
        let err = applicable_rate(ym("2026-06"), d("1980-06-15"), false, &p).expect_err("介護");
        assert_eq!(err.code(), "missing_parameter");
        // …but not needed for someone outside the window.
        assert!(applicable_rate(ym("2026-06"), d("1996-01-10"), false, &p).is_ok());
    }
}
