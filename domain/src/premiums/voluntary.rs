//! The monthly premium of a 任意継続被保険者 (任継; rules.md §3.7).
//!
//! - 標準報酬月額 (47条1項): the **lower** of the amount at loss (資格喪失時) and the 任継 上限
//!   (the grade of the average 標準報酬月額 of the insurer's insured on 9/30 of the previous
//!   year, or a 規約 amount within it) — given as a [`Parameter`].
//! - 47条2項 (from 2022-01-01): by 規約, a 健保組合 may instead use the amount at loss, or a
//!   規約 amount between the average and it, for those whose amount at loss exceeds the
//!   average ([`VoluntaryBylaw`]).
//! - Full premium, no employer share (161条1項; rules.md §3.2), from the month of acquisition
//!   (157条), with 介護 for a 第2号 and the 子ども・子育て支援金 from 2026-04 (rules.md §3.7).
//! - No premium for the month of loss when insured since the previous month (156条3項,
//!   rules.md §3.1); a same-month 得喪 pays that month.
//! - Rounding: **[U]** ([`rounding::voluntary_premium`], floor to the yen; rules.md §3.7, §7-3).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::error::PremiumCalculationError as E;
use super::parameters::{record, Parameter};
use super::rates::{applicable_rate, ApplicableRate, RateParameters};
use super::rounding;
use crate::basis::{Basis, Rounding, Step};
use crate::calendar::{Date, YearMonth};
use crate::money::Yen;
use crate::standard_remuneration::{grade_for, StandardMonthlyRemuneration};

/// 47条2項 is in force from 2022-01-01 (rules.md §0, §3.7).
pub const BYLAW_OPTION_FROM: Date = Date::fixed(2022, 1, 1);

const SOURCE_STANDARD: &str = "健保法47条1項・2項; rules.md §3.7";
const SOURCE_MONTH: &str = "健保法156条3項, 157条; rules.md §3.1, §3.4, §3.7";
const SOURCE_PREMIUM: &str = "健保法156条1項, 157条, 161条1項 (全額自己負担); rules.md §3.1, §3.7";

/// The society's 47条2項 規約 option.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VoluntaryBylaw {
    /// No 規約: the lower of the amount at loss and the 上限 (47条1項).
    None,
    /// 規約: the amount at loss for everyone (47条2項).
    AmountAtLoss,
    /// 規約: a fixed amount between the average and the amount at loss (47条2項 括弧書):
    /// the lower of the amount at loss and this amount, for those above the 上限. (The
    /// registry has no key for it yet; any [`crate::basis::ParameterRef`] is recorded as given.)
    Amount(Parameter<Yen>),
}

/// Input of [`voluntary_premium`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoluntaryPremiumInput {
    /// 保険料の月分.
    pub month: YearMonth,
    /// 生年月日 (for the 介護 window, rules.md §3.5).
    pub birth_date: Date,
    /// 介護保険 適用除外 (see [`super::rates::is_long_term_care_insured`]).
    #[serde(default)]
    pub long_term_care_exempt: bool,
    /// 任継 資格取得日 (= the 資格喪失日 of the employment, rules.md §3.7).
    pub acquired_on: Date,
    /// 任継 資格喪失日, when known.
    pub lost_on: Option<Date>,
    /// 資格喪失時の標準報酬月額 (47条1項1号); must be a grade amount.
    pub standard_remuneration_at_loss: Yen,
    /// 任継 上限 (47条1項2号); must be a grade amount. Key `voluntary_continuation_cap`.
    pub cap: Parameter<Yen>,
    /// 47条2項 規約 option.
    pub bylaw: VoluntaryBylaw,
    /// The society's rates.
    pub rates: RateParameters,
}

/// Whether the month is charged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MonthCharge {
    /// The month is charged.
    Charged,
    /// The month of loss of a person insured since the previous month (156条3項).
    MonthOfLoss,
}

/// Which months of a qualification period are charged (156条3項, 157条; rules.md §3.1):
/// `Err` when `month` is outside the period, otherwise whether it is charged.
pub fn month_charge(
    month: YearMonth,
    acquired_on: Date,
    lost_on: Option<Date>,
) -> Result<MonthCharge, E> {
    if let Some(lost_on) = lost_on {
        if lost_on <= acquired_on {
            return Err(E::LossNotAfterAcquisition {
                acquired_on,
                lost_on,
            });
        }
    }
    let outside = || E::MonthOutsideQualification {
        month,
        acquired_on,
        lost_on,
    };
    if month < acquired_on.year_month() {
        return Err(outside());
    }
    match lost_on.map(Date::year_month) {
        Some(loss_month) if month > loss_month => Err(outside()),
        Some(loss_month) if month == loss_month => {
            if acquired_on.year_month() < loss_month {
                Ok(MonthCharge::MonthOfLoss)
            } else {
                // 同月得喪: 156条3項 does not apply (rules.md §3.1 corollary).
                Ok(MonthCharge::Charged)
            }
        }
        _ => Ok(MonthCharge::Charged),
    }
}

/// The first month that is **not** charged for a period ending with `lost_on`: the month of
/// loss when insured since an earlier month, else the month after (rules.md §3.1).
pub fn first_uncharged_month(acquired_on: Date, lost_on: Date) -> YearMonth {
    let loss_month = lost_on.year_month();
    if acquired_on.year_month() < loss_month {
        loss_month
    } else {
        loss_month.add_months(1)
    }
}

/// The result of [`voluntary_premium`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoluntaryPremium {
    pub month: YearMonth,
    pub charge: MonthCharge,
    /// The 任継 標準報酬月額 for the month.
    pub standard_remuneration: StandardMonthlyRemuneration,
    pub rate: ApplicableRate,
    /// 標準報酬月額 × rate, unrounded (0 when not charged). The 前納 formula uses this.
    pub exact: Decimal,
    /// The premium for the month.
    pub premium: Yen,
    pub basis: Basis,
}

fn grade_amount(field: &'static str, amount: Yen) -> Result<StandardMonthlyRemuneration, E> {
    let grade = grade_for(amount);
    if grade.amount != amount {
        return Err(E::NotAGradeAmount { field, amount });
    }
    Ok(grade)
}

/// The 任継 標準報酬月額 (47条; rules.md §3.7) and the step explaining it.
pub fn voluntary_standard_remuneration(
    month: YearMonth,
    at_loss: Yen,
    cap: &Parameter<Yen>,
    bylaw: &VoluntaryBylaw,
    used: &mut Vec<crate::basis::ParameterRef>,
) -> Result<(StandardMonthlyRemuneration, Step), E> {
    let at_loss_grade = grade_amount("standard_remuneration_at_loss", at_loss)?;
    let cap_value = cap.value_for(month)?;
    grade_amount("cap", cap_value)?;
    record(used, &cap.reference);
    if !matches!(bylaw, VoluntaryBylaw::None) && month.last_day() < BYLAW_OPTION_FROM {
        return Err(E::NotInForce {
            what: "健保法47条2項 規約",
            from: BYLAW_OPTION_FROM,
            month,
        });
    }
    let (chosen, formula) = if at_loss <= cap_value {
        (
            at_loss,
            format!("min(喪失時 {at_loss}, 上限 {cap_value}) (47条1項)"),
        )
    } else {
        match bylaw {
            VoluntaryBylaw::None => (
                cap_value,
                format!("min(喪失時 {at_loss}, 上限 {cap_value}) (47条1項)"),
            ),
            VoluntaryBylaw::AmountAtLoss => (
                at_loss,
                format!("喪失時 {at_loss} > 上限 {cap_value}; 規約により喪失時 (47条2項)"),
            ),
            VoluntaryBylaw::Amount(amount) => {
                let value = amount.value_for(month)?;
                grade_amount("bylaw_amount", value)?;
                if value <= cap_value {
                    return Err(E::BylawAmountNotAboveCap {
                        bylaw: value,
                        cap: cap_value,
                    });
                }
                record(used, &amount.reference);
                (
                    at_loss.min(value),
                    format!(
                        "喪失時 {at_loss} > 上限 {cap_value}; 規約額 {value} との低い方 (47条2項)"
                    ),
                )
            }
        }
    };
    let grade = if chosen == at_loss {
        at_loss_grade
    } else {
        grade_amount("cap", chosen)?
    };
    let value = Decimal::from(chosen.amount());
    let step = Step::new(
        "任意継続被保険者の標準報酬月額",
        formula,
        value,
        Rounding::None,
        value,
        SOURCE_STANDARD,
    );
    Ok((grade, step))
}

/// The premium of a 任意継続被保険者 for `input.month`.
pub fn voluntary_premium(input: &VoluntaryPremiumInput) -> Result<VoluntaryPremium, E> {
    let month = input.month;
    let charge = month_charge(month, input.acquired_on, input.lost_on)?;
    let mut used = Vec::new();
    let (standard, standard_step) = voluntary_standard_remuneration(
        month,
        input.standard_remuneration_at_loss,
        &input.cap,
        &input.bylaw,
        &mut used,
    )?;
    let rate = applicable_rate(
        month,
        input.birth_date,
        input.long_term_care_exempt,
        &input.rates,
    )?;
    for reference in &rate.parameters {
        record(&mut used, reference);
    }
    let mut steps = vec![standard_step, rate.step()];
    let (exact, premium) = match charge {
        MonthCharge::Charged => {
            let exact = Decimal::from(standard.amount.amount()) * rate.total();
            let premium = rounding::voluntary_premium(exact);
            steps.push(Step::new(
                "保険料額 (全額)",
                format!(
                    "{} × {}",
                    standard.amount.amount(),
                    rate.total().normalize()
                ),
                exact,
                Rounding::None,
                exact,
                SOURCE_PREMIUM,
            ));
            steps.push(Step::new(
                "保険料額 (端数処理後)",
                format!("{} の1円未満切捨て", exact.normalize()),
                exact,
                rounding::VOLUNTARY_ROUNDING,
                Decimal::from(premium.amount()),
                rounding::VOLUNTARY_SOURCE,
            ));
            (exact, premium)
        }
        MonthCharge::MonthOfLoss => {
            steps.push(Step::new(
                "資格喪失月",
                format!(
                    "前月から引き続き被保険者で {} に喪失: 当月分は算定しない",
                    input.lost_on.map_or_else(String::new, |d| d.to_string())
                ),
                Decimal::ZERO,
                Rounding::None,
                Decimal::ZERO,
                SOURCE_MONTH,
            ));
            (Decimal::ZERO, Yen::ZERO)
        }
    };
    let basis = Basis {
        inputs: serde_json::to_value(input).unwrap_or(serde_json::Value::Null),
        parameters: used,
        steps,
        result_yen: premium.amount(),
    };
    Ok(VoluntaryPremium {
        month,
        charge,
        standard_remuneration: standard,
        rate,
        exact,
        premium,
        basis,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::premiums::parameters::parameter_ref;
    use crate::premiums::rates::tests::{d, dec, society_rates, ym};

    fn cap(amount: i64) -> Parameter<Yen> {
        Parameter::new(
            Yen::new(amount),
            parameter_ref(
                "voluntary_continuation_cap",
                3,
                d("2026-04-01"),
                &amount.to_string(),
            ),
        )
    }

    /// Retired 2026-03-31 → 資格喪失日 and 任継 取得日 2026-04-01; born 1990-08-20 (35: no 介護);
    /// 喪失時 410,000; 上限 380,000.
    fn input(month: &str) -> VoluntaryPremiumInput {
        VoluntaryPremiumInput {
            month: ym(month),
            birth_date: d("1990-08-20"),
            long_term_care_exempt: false,
            acquired_on: d("2026-04-01"),
            lost_on: None,
            standard_remuneration_at_loss: Yen::new(410_000),
            cap: cap(380_000),
            bylaw: VoluntaryBylaw::None,
            rates: society_rates(true),
        }
    }

    #[test]
    fn lower_of_amount_at_loss_and_cap() {
        // min(410,000, 380,000) = 380,000 (47条1項). Rate 2026-04: 0.050 + 0.040 + 0.0013 +
        // 0.0023 = 0.0936. 380,000 × 0.0936 = 35,568 exactly → 35,568.
        let p = voluntary_premium(&input("2026-04")).expect("premium");
        assert_eq!(p.standard_remuneration.amount, Yen::new(380_000));
        assert_eq!(p.standard_remuneration.grade, 26);
        assert_eq!(p.exact, dec("35568"));
        assert_eq!(p.premium, Yen::new(35_568));
        assert_eq!(p.basis.result_yen, 35_568);
        // 5 rate refs (基本, 特定, 調整, 支援金; no 介護) + the cap.
        assert_eq!(p.basis.parameters.len(), 5);
        // Below the cap: 喪失時 260,000 → 260,000 × 0.0936 = 24,336.
        let p = voluntary_premium(&VoluntaryPremiumInput {
            standard_remuneration_at_loss: Yen::new(260_000),
            ..input("2026-04")
        })
        .expect("premium");
        assert_eq!(p.premium, Yen::new(24_336));
    }

    #[test]
    fn bylaw_option_of_47_2() {
        // 規約: amount at loss → 410,000 × 0.0936 = 38,376.
        let p = voluntary_premium(&VoluntaryPremiumInput {
            bylaw: VoluntaryBylaw::AmountAtLoss,
            ..input("2026-04")
        })
        .expect("premium");
        assert_eq!(p.premium, Yen::new(38_376));
        // 規約額 380,000 < x: 規約額 would need to be above the cap; 400,000 is not a grade.
        let amount = |n: i64| {
            VoluntaryBylaw::Amount(Parameter::new(
                Yen::new(n),
                parameter_ref(
                    "voluntary_continuation_bylaw_amount",
                    1,
                    d("2022-01-01"),
                    &n.to_string(),
                ),
            ))
        };
        let err = voluntary_premium(&VoluntaryPremiumInput {
            bylaw: amount(400_000),
            ..input("2026-04")
        })
        .expect_err("not a grade");
        assert_eq!(err.code(), "not_a_grade_amount");
        let err = voluntary_premium(&VoluntaryPremiumInput {
            bylaw: amount(380_000),
            ..input("2026-04")
        })
        .expect_err("not above");
        assert_eq!(err.code(), "bylaw_amount_not_above_cap");
        // 規約額 410,000 with 喪失時 440,000: min(440,000, 410,000) = 410,000 → 38,376.
        let p = voluntary_premium(&VoluntaryPremiumInput {
            standard_remuneration_at_loss: Yen::new(440_000),
            bylaw: amount(410_000),
            ..input("2026-04")
        })
        .expect("premium");
        assert_eq!(p.standard_remuneration.amount, Yen::new(410_000));
        assert_eq!(p.premium, Yen::new(38_376));
        // Before 2022-01 the option does not exist.
        let err = voluntary_premium(&VoluntaryPremiumInput {
            month: ym("2021-12"),
            acquired_on: d("2021-12-01"),
            bylaw: VoluntaryBylaw::AmountAtLoss,
            cap: Parameter::new(
                Yen::new(380_000),
                parameter_ref("voluntary_continuation_cap", 1, d("2021-04-01"), "380000"),
            ),
            rates: crate::premiums::rates::RateParameters {
                general: crate::premiums::rates::tests::rate(
                    "general_premium_rate",
                    "2021-04-01",
                    "0.090",
                ),
                specific: crate::premiums::rates::tests::rate(
                    "specific_premium_rate",
                    "2021-04-01",
                    "0.040",
                ),
                adjustment: None,
                long_term_care: None,
                child_support: None,
            },
            ..input("2026-04")
        })
        .expect_err("not in force");
        assert_eq!(err.code(), "not_in_force");
    }

    #[test]
    fn floors_the_full_amount_u() {
        // A 第2号 (born 1980-01-15, 46) in 2026-05, 喪失時 280,000, with 調整 0.00137:
        // rate 0.050 + 0.040 + 0.00137 + 0.0023 + 0.0160 = 0.10967;
        // 280,000 × 0.10967 = 30,707.6 → floor ([U], rules.md §3.7) = 30,707 (half-up
        // would give 30,708).
        let mut rates = society_rates(true);
        rates.adjustment = Some(crate::premiums::rates::tests::rate(
            "adjustment_premium_rate",
            "2025-04-01",
            "0.00137",
        ));
        let p = voluntary_premium(&VoluntaryPremiumInput {
            month: ym("2026-05"),
            birth_date: d("1980-01-15"),
            standard_remuneration_at_loss: Yen::new(280_000),
            rates,
            ..input("2026-05")
        })
        .expect("premium");
        assert!(p.rate.long_term_care_insured);
        assert_eq!(p.exact, dec("30707.6"));
        assert_eq!(p.premium, Yen::new(30_707));
    }

    #[test]
    fn month_of_loss() {
        // 任継 from 2026-04-01, lost 2026-06-15 (became employed: 38条4号, that day) →
        // insured since May → June not charged (156条3項).
        let p = voluntary_premium(&VoluntaryPremiumInput {
            month: ym("2026-06"),
            lost_on: Some(d("2026-06-15")),
            ..input("2026-06")
        })
        .expect("premium");
        assert_eq!(p.charge, MonthCharge::MonthOfLoss);
        assert_eq!(p.premium, Yen::ZERO);
        // May is charged: 35,568 (as April, same rates).
        let p = voluntary_premium(&VoluntaryPremiumInput {
            month: ym("2026-05"),
            lost_on: Some(d("2026-06-15")),
            ..input("2026-05")
        })
        .expect("premium");
        assert_eq!(p.premium, Yen::new(35_568));
        // Same-month 得喪: acquired 2026-04-01, lost 2026-04-20 → April charged.
        let p = voluntary_premium(&VoluntaryPremiumInput {
            lost_on: Some(d("2026-04-20")),
            ..input("2026-04")
        })
        .expect("premium");
        assert_eq!(p.charge, MonthCharge::Charged);
        assert_eq!(p.premium, Yen::new(35_568));
        // 申出 (38条7号) 受理 in June → lost 2026-07-01 → June charged, July not.
        assert_eq!(
            month_charge(ym("2026-06"), d("2026-04-01"), Some(d("2026-07-01"))),
            Ok(MonthCharge::Charged)
        );
        assert_eq!(
            month_charge(ym("2026-07"), d("2026-04-01"), Some(d("2026-07-01"))),
            Ok(MonthCharge::MonthOfLoss)
        );
        assert_eq!(
            first_uncharged_month(d("2026-04-01"), d("2026-07-01")),
            ym("2026-07")
        );
        assert_eq!(
            first_uncharged_month(d("2026-04-01"), d("2026-04-20")),
            ym("2026-05")
        );
        // Outside the period.
        for month in ["2026-03", "2026-08"] {
            let err = month_charge(ym(month), d("2026-04-01"), Some(d("2026-07-01")))
                .expect_err("outside");
            assert_eq!(err.code(), "month_outside_qualification");
        }
    }

    #[test]
    fn march_2026_has_no_child_support() {
        // 任継 from 2026-03-01: 380,000 × (0.050 + 0.040 + 0.0013) = 380,000 × 0.0913 = 34,694.
        let p = voluntary_premium(&VoluntaryPremiumInput {
            month: ym("2026-03"),
            acquired_on: d("2026-03-01"),
            cap: Parameter::new(
                Yen::new(380_000),
                parameter_ref("voluntary_continuation_cap", 2, d("2025-04-01"), "380000"),
            ),
            rates: society_rates(false),
            ..input("2026-03")
        })
        .expect("premium");
        assert_eq!(p.premium, Yen::new(34_694));
    }
}
