//! 出産育児一時金 (健康保険法101条) and 家族出産育児一時金 (114条); rules.md §5.3.
//!
//! - 出産 = a pregnancy of 85日 (4か月) or more: live birth, stillbirth, miscarriage, induced
//!   abortion. Below 85 days nothing is payable.
//! - Per child: twins are paid twice.
//! - Amount per child = the base of 健保法施行令36条 + the 産科医療補償制度 addition when the
//!   birth is at a facility in the scheme and at 妊娠22週 or later. Both are parameters by the
//!   birth date (e.g. births from 2023-04-01: 488,000 + 12,000 = 500,000; from 2022-01-01:
//!   408,000 + 12,000).
//! - 101条: the insured's own birth (任意継続 included). 106条: a birth within 6 months of
//!   losing qualification after 1 year of continuous insurance. 114条: a 被扶養者's birth, while
//!   the insured is insured; not after the insured's loss.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::common::{dec, inputs_json, period_end_after_months, plain_step, YenParameter};
use super::error::BenefitCalcError;
use super::BenefitKind;
use crate::basis::{Basis, Rounding, Step};
use crate::calendar::Date;
use crate::money::Yen;

/// 妊娠85日 (4か月) — the least gestation that is 出産 (rules.md §5.3).
pub const MIN_GESTATION_DAYS: u32 = 85;
/// 妊娠22週 — the least gestation for the 産科医療補償制度 addition (施行令36条; rules.md §5.3).
pub const OBSTETRIC_COMPENSATION_MIN_WEEKS: u32 = 22;
/// 6 months after the loss of qualification (健保法106条; rules.md §5.3).
pub const AFTER_LOSS_MONTHS: i32 = 6;

/// Whose birth it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Childbearer {
    /// The insured herself: 出産育児一時金 (101条).
    Insured,
    /// A 被扶養者: 家族出産育児一時金 (114条), paid to the insured.
    Dependant,
}

/// 妊娠週数 as certified (妊娠 n 週 m 日). Day 1 of the pregnancy is 0週0日, so the number of
/// days is `weeks × 7 + days + 1`: 12週0日 is the 85th day (4か月の初日).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Gestation {
    pub weeks: u32,
    /// 0 to 6.
    pub days: u32,
}

impl Gestation {
    /// The day of pregnancy (妊娠日数), counting 0週0日 as day 1.
    pub fn day_count(self) -> u32 {
        self.weeks
            .saturating_mul(7)
            .saturating_add(self.days)
            .saturating_add(1)
    }
}

/// The 106条 facts when the insured had lost qualification before the birth.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AfterLoss {
    /// 資格喪失日.
    pub loss_date: Date,
    /// Insured continuously for 1 year or more up to the day before the loss (任意継続期間を除く).
    pub continuously_insured_one_year: bool,
}

/// Facts from 適用.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChildbirthEligibility {
    /// The insured was insured (任意継続 included) on the birth date.
    pub insured_on_birth_date: bool,
    /// For a 被扶養者's birth: she was a 被扶養者 of the insured on the birth date.
    #[serde(default)]
    pub dependant_on_birth_date: bool,
    /// For the insured's own birth after losing qualification (106条).
    #[serde(default)]
    pub after_loss: Option<AfterLoss>,
}

/// A 出産育児一時金 / 家族出産育児一時金 claim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChildbirthLumpSumInput {
    pub childbearer: Childbearer,
    /// 出産年月日.
    pub birth_date: Date,
    /// 妊娠週数 at the birth.
    pub gestation: Gestation,
    /// 生産児数.
    pub live_births: u32,
    /// 死産児数 (stillbirth, miscarriage, abortion at 85 days or more).
    pub stillbirths: u32,
    /// The birth took place at a facility in the 産科医療補償制度.
    pub obstetric_compensation_facility: bool,
    pub eligibility: ChildbirthEligibility,
    /// 施行令36条 base amount per child in force on the birth date (e.g. 488,000).
    pub base_amount: YenParameter,
    /// 産科医療補償制度 addition per child in force on the birth date (e.g. 12,000).
    pub obstetric_compensation_addition: YenParameter,
}

/// The calculated lump sum.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ChildbirthLumpSumResult {
    /// childbirth_lump_sum or family_childbirth_lump_sum.
    pub kind: BenefitKind,
    /// Children counted (生産 + 死産).
    pub children: u32,
    /// Amount per child.
    pub per_child: Yen,
    /// 支給額.
    pub total: Yen,
    pub basis: Basis,
}

/// Calculates 出産育児一時金 / 家族出産育児一時金 (健保法101条・114条; rules.md §5.3).
pub fn calculate(
    input: &ChildbirthLumpSumInput,
) -> Result<ChildbirthLumpSumResult, BenefitCalcError> {
    if input.gestation.days > 6 {
        return Err(BenefitCalcError::invalid("gestation.days must be 0 to 6"));
    }
    let children = input.live_births.saturating_add(input.stillbirths);
    if children == 0 {
        return Err(BenefitCalcError::invalid(
            "no child: live_births + stillbirths is 0",
        ));
    }
    let birth = input.birth_date;
    let e = input.eligibility;
    let (kind, article) = match input.childbearer {
        Childbearer::Insured => {
            if !e.insured_on_birth_date {
                match e.after_loss {
                    Some(loss)
                        if loss.continuously_insured_one_year
                            && loss.loss_date <= birth
                            && birth <= period_end_after_months(loss.loss_date, AFTER_LOSS_MONTHS) => {}
                    Some(_) => {
                        return Err(BenefitCalcError::not_qualified(
                            "資格喪失後の出産: not within 6 months of the loss after 1 year of insurance (106条)",
                        ))
                    }
                    None => return Err(BenefitCalcError::not_qualified("not insured on the birth date")),
                }
            }
            (BenefitKind::ChildbirthLumpSum, "健保法101条")
        }
        Childbearer::Dependant => {
            if !(e.insured_on_birth_date && e.dependant_on_birth_date) {
                return Err(BenefitCalcError::not_qualified(
                    "家族出産育児一時金: the mother was not a 被扶養者 of an insured on the birth date",
                ));
            }
            (BenefitKind::FamilyChildbirthLumpSum, "健保法114条")
        }
    };
    let gestation_days = input.gestation.day_count();
    if gestation_days < MIN_GESTATION_DAYS {
        return Err(BenefitCalcError::GestationTooShort {
            days: gestation_days,
        });
    }
    let mut steps = vec![plain_step(
        "妊娠日数 (85日以上が出産)",
        format!(
            "{}週{}日 = {} × 7 + {} + 1",
            input.gestation.weeks,
            input.gestation.days,
            input.gestation.weeks,
            input.gestation.days
        ),
        i64::from(gestation_days),
        &format!("{article}; rules.md §5.3"),
    )];
    let base = input.base_amount.checked(birth)?;
    let mut parameters = vec![input.base_amount.parameter.clone()];
    steps.push(plain_step(
        "出産育児一時金の額 (施行令36条の額)",
        format!(
            "{} (in force from {})",
            base.amount(),
            input.base_amount.parameter.effective_from
        ),
        base.amount(),
        "健保法施行令36条; rules.md §5.3",
    ));
    let addition_applies = input.obstetric_compensation_facility
        && input.gestation.weeks >= OBSTETRIC_COMPENSATION_MIN_WEEKS;
    let addition = if addition_applies {
        let addition = input.obstetric_compensation_addition.checked(birth)?;
        parameters.push(input.obstetric_compensation_addition.parameter.clone());
        addition
    } else {
        Yen::ZERO
    };
    steps.push(plain_step(
        "産科医療補償制度の加算額 (加入分娩機関かつ妊娠22週以降)",
        if addition_applies {
            format!(
                "{} (in force from {})",
                addition.amount(),
                input
                    .obstetric_compensation_addition
                    .parameter
                    .effective_from
            )
        } else {
            format!(
                "0 (facility in the scheme: {}, 妊娠{}週)",
                input.obstetric_compensation_facility, input.gestation.weeks
            )
        },
        addition.amount(),
        "健保法施行令36条; rules.md §5.3",
    ));
    let per_child = base + addition;
    let total = Yen::new(per_child.amount().saturating_mul(i64::from(children)));
    steps.push(Step::new(
        "支給額 (胎児数分)",
        format!(
            "{} × {children} (生産 {} + 死産 {})",
            per_child.amount(),
            input.live_births,
            input.stillbirths
        ),
        dec(total),
        Rounding::None,
        dec(total),
        &format!("{article}; rules.md §5.3"),
    ));
    Ok(ChildbirthLumpSumResult {
        kind,
        children,
        per_child,
        total,
        basis: Basis {
            inputs: inputs_json(input)?,
            parameters,
            steps,
            result_yen: total.amount(),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::basis::ParameterRef;

    fn d(y: i32, m: u32, day: u32) -> Date {
        Date::fixed(y, m, day)
    }

    fn param(key: &str, from: Date, amount: i64) -> YenParameter {
        YenParameter {
            value: Yen::new(amount),
            parameter: ParameterRef {
                key: key.into(),
                version: 1,
                effective_from: from,
                value: amount.to_string(),
            },
        }
    }

    /// Parameters in force from 2023-04-01: 488,000 + 12,000 (rules.md §5.3).
    fn from_2023_04() -> (YenParameter, YenParameter) {
        (
            param("childbirth_lump_sum_base", d(2023, 4, 1), 488_000),
            param(
                "childbirth_lump_sum_obstetric_addition",
                d(2022, 1, 1),
                12_000,
            ),
        )
    }

    /// Parameters in force from 2022-01-01: 408,000 + 12,000 (rules.md §5.3).
    fn from_2022_01() -> (YenParameter, YenParameter) {
        (
            param("childbirth_lump_sum_base", d(2022, 1, 1), 408_000),
            param(
                "childbirth_lump_sum_obstetric_addition",
                d(2022, 1, 1),
                12_000,
            ),
        )
    }

    fn claim(birth: Date, params: (YenParameter, YenParameter)) -> ChildbirthLumpSumInput {
        ChildbirthLumpSumInput {
            childbearer: Childbearer::Insured,
            birth_date: birth,
            gestation: Gestation { weeks: 39, days: 2 },
            live_births: 1,
            stillbirths: 0,
            obstetric_compensation_facility: true,
            eligibility: ChildbirthEligibility {
                insured_on_birth_date: true,
                dependant_on_birth_date: false,
                after_loss: None,
            },
            base_amount: params.0,
            obstetric_compensation_addition: params.1,
        }
    }

    fn total(input: &ChildbirthLumpSumInput) -> Result<i64, &'static str> {
        calculate(input)
            .map(|r| r.total.amount())
            .map_err(|e| e.code())
    }

    #[test]
    fn birth_on_2023_03_31_and_2023_04_01() {
        // 2023-03-31 with the 2022-01-01 amounts: 408,000 + 12,000 = 420,000.
        assert_eq!(total(&claim(d(2023, 3, 31), from_2022_01())), Ok(420_000));
        // 2023-04-01 with the 2023-04-01 amounts: 488,000 + 12,000 = 500,000.
        assert_eq!(total(&claim(d(2023, 4, 1), from_2023_04())), Ok(500_000));
        // 2023-03-31 offered the 2023-04-01 base: not in force yet.
        assert_eq!(
            total(&claim(d(2023, 3, 31), from_2023_04())),
            Err("parameter_not_in_force")
        );
    }

    #[test]
    fn without_the_obstetric_compensation_scheme() {
        // Facility outside the scheme: 488,000 only (2023-04-01), 408,000 (2023-03-31).
        let mut input = claim(d(2023, 4, 1), from_2023_04());
        input.obstetric_compensation_facility = false;
        assert_eq!(total(&input), Ok(488_000));
        let mut input = claim(d(2023, 3, 31), from_2022_01());
        input.obstetric_compensation_facility = false;
        assert_eq!(total(&input), Ok(408_000));
    }

    #[test]
    fn twins_are_paid_per_child() {
        // 2 × 500,000 = 1,000,000; the 家族 form gives the same amount (114条).
        let mut input = claim(d(2026, 5, 10), from_2023_04());
        input.live_births = 2;
        assert_eq!(total(&input), Ok(1_000_000));
        input.childbearer = Childbearer::Dependant;
        input.eligibility.dependant_on_birth_date = true;
        let r = calculate(&input).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.kind, BenefitKind::FamilyChildbirthLumpSum);
        assert_eq!(r.total, Yen::new(1_000_000));
        // One live birth and one stillbirth: still 2 children.
        input.live_births = 1;
        input.stillbirths = 1;
        assert_eq!(total(&input), Ok(1_000_000));
    }

    #[test]
    fn stillbirth_at_84_days_is_not_a_birth_and_at_85_days_is() {
        // 11週6日 = 11 × 7 + 6 + 1 = 84日 → not 出産.
        let mut input = claim(d(2026, 5, 10), from_2023_04());
        input.live_births = 0;
        input.stillbirths = 1;
        input.gestation = Gestation { weeks: 11, days: 6 };
        assert_eq!(
            calculate(&input).map(|r| r.total),
            Err(BenefitCalcError::GestationTooShort { days: 84 })
        );
        // 12週0日 = 85日 → 出産; below 22週, so no addition even at a scheme facility: 488,000.
        input.gestation = Gestation { weeks: 12, days: 0 };
        assert_eq!(total(&input), Ok(488_000));
        // 21週6日: still no addition (488,000); 22週0日: addition (500,000).
        input.gestation = Gestation { weeks: 21, days: 6 };
        assert_eq!(total(&input), Ok(488_000));
        input.gestation = Gestation { weeks: 22, days: 0 };
        assert_eq!(total(&input), Ok(500_000));
    }

    #[test]
    fn dependant_birth_needs_a_dependant_of_an_insured() {
        let mut input = claim(d(2026, 5, 10), from_2023_04());
        input.childbearer = Childbearer::Dependant;
        assert_eq!(total(&input), Err("not_qualified"));
    }

    #[test]
    fn birth_after_loss_within_six_months_after_a_year() {
        // Loss 2026-04-01 → 6 months end 2026-09-30 (応当日 10-01 の前日).
        let mut input = claim(d(2026, 9, 30), from_2023_04());
        input.eligibility.insured_on_birth_date = false;
        input.eligibility.after_loss = Some(AfterLoss {
            loss_date: d(2026, 4, 1),
            continuously_insured_one_year: true,
        });
        assert_eq!(total(&input), Ok(500_000));
        input.birth_date = d(2026, 10, 1);
        assert_eq!(total(&input), Err("not_qualified"));
        input.birth_date = d(2026, 9, 30);
        input.eligibility.after_loss = Some(AfterLoss {
            loss_date: d(2026, 4, 1),
            continuously_insured_one_year: false,
        });
        assert_eq!(total(&input), Err("not_qualified"));
    }
}
