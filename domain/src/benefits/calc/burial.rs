//! 埋葬料・埋葬費 (健康保険法100条) and 家族埋葬料 (113条); rules.md §5.4.
//!
//! - 埋葬料 (100条1項): the fixed amount (50,000円, a parameter) to the person who was supported
//!   by the deceased insured and performs the burial.
//! - 埋葬費 (100条2項): when there is no such person, the actual burial costs up to that amount
//!   to whoever performed the burial.
//! - 家族埋葬料 (113条): the fixed amount to the insured when a 被扶養者 dies.
//! - After the loss of qualification (105条): death within 3 months of the loss, or while
//!   receiving 104条 continued benefits or within 3 months after they ended. rules.md marks the
//!   105条 text as not verified [U]; the 3 months are counted with 民法143条 from the 資格喪失日
//!   (or the day after the last day of the continued benefit). The rule itself, from the 適用
//!   history, is [`crate::benefits::eligibility::burial`]; the step that names it in the basis is
//!   added by [`crate::benefits::eligibility::Entitlement::record`].

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::common::{dec, inputs_json, period_end_after_months, plain_step, YenParameter};
use super::error::BenefitCalcError;
use super::BenefitKind;
use crate::basis::{Basis, Rounding, Step};
use crate::calendar::Date;
use crate::money::Yen;

/// 3 months after the loss (健保法105条; rules.md §5.4 [U]).
pub const AFTER_LOSS_MONTHS: i32 = 3;

/// Which of the three benefits is claimed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum BurialClaim {
    /// 埋葬料 (100条1項): by a person supported by the deceased insured who performs the burial.
    BurialAllowance,
    /// 埋葬費 (100条2項): by whoever performed the burial when there is no such person.
    BurialExpenses {
        /// 埋葬に要した費用 (actual costs, receipts).
        actual_cost: Yen,
    },
    /// 家族埋葬料 (113条): a 被扶養者 died.
    FamilyBurialAllowance,
}

/// 105条 facts when the insured died after losing qualification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BurialAfterLoss {
    /// 資格喪失日.
    pub loss_date: Date,
    /// Receiving 資格喪失後の継続給付 (104条) on the date of death.
    #[serde(default)]
    pub receiving_continued_benefit: bool,
    /// Last day of the 104条 continued benefit, when it had ended.
    #[serde(default)]
    pub continued_benefit_last_day: Option<Date>,
}

/// Facts from 適用.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BurialEligibility {
    /// The insured was insured on the date of death (their own for 埋葬料・埋葬費, the
    /// 被扶養者's for 家族埋葬料).
    pub insured_on_death_date: bool,
    /// 家族埋葬料: the deceased was a 被扶養者 of the insured on the date of death.
    #[serde(default)]
    pub deceased_was_dependant: bool,
    /// 埋葬料・埋葬費 after the loss of qualification (105条).
    #[serde(default)]
    pub after_loss: Option<BurialAfterLoss>,
}

/// A burial claim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BurialInput {
    pub claim: BurialClaim,
    /// 死亡年月日.
    pub date_of_death: Date,
    /// 埋葬年月日.
    #[serde(default)]
    pub burial_date: Option<Date>,
    pub eligibility: BurialEligibility,
    /// 埋葬料 / 家族埋葬料 amount, the ceiling of 埋葬費 (50,000円 in force on the date of death).
    pub amount: YenParameter,
}

/// The calculated amount.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct BurialResult {
    /// burial (埋葬料・埋葬費) or family_burial (家族埋葬料).
    pub kind: BenefitKind,
    /// 支給額.
    pub total: Yen,
    pub basis: Basis,
}

/// Calculates 埋葬料・埋葬費・家族埋葬料 (健保法100条・113条; rules.md §5.4).
pub fn calculate(input: &BurialInput) -> Result<BurialResult, BenefitCalcError> {
    let death = input.date_of_death;
    if let Some(burial) = input.burial_date {
        if burial < death {
            return Err(BenefitCalcError::invalid(
                "burial_date is before date_of_death",
            ));
        }
    }
    let e = input.eligibility;
    match input.claim {
        BurialClaim::FamilyBurialAllowance => {
            if !(e.insured_on_death_date && e.deceased_was_dependant) {
                return Err(BenefitCalcError::not_qualified(
                    "家族埋葬料: the deceased was not a 被扶養者 of an insured on the date of death",
                ));
            }
        }
        BurialClaim::BurialAllowance | BurialClaim::BurialExpenses { .. } => {
            if !e.insured_on_death_date && !after_loss_covers(e.after_loss, death) {
                return Err(BenefitCalcError::not_qualified(
                    "not insured on the date of death, nor within 105条 after the loss",
                ));
            }
        }
    }
    let amount = input.amount.checked(death)?;
    let (kind, total, steps) = match input.claim {
        BurialClaim::BurialAllowance => (
            BenefitKind::Burial,
            amount,
            vec![plain_step(
                "埋葬料 (定額)",
                format!(
                    "{} (in force from {})",
                    amount.amount(),
                    input.amount.parameter.effective_from
                ),
                amount.amount(),
                "健保法100条1項; rules.md §5.4",
            )],
        ),
        BurialClaim::FamilyBurialAllowance => (
            BenefitKind::FamilyBurial,
            amount,
            vec![plain_step(
                "家族埋葬料 (定額)",
                format!(
                    "{} (in force from {})",
                    amount.amount(),
                    input.amount.parameter.effective_from
                ),
                amount.amount(),
                "健保法113条; rules.md §5.4",
            )],
        ),
        BurialClaim::BurialExpenses { actual_cost } => {
            if actual_cost.is_negative() {
                return Err(BenefitCalcError::invalid("actual_cost is negative"));
            }
            let total = actual_cost.min(amount);
            (
                BenefitKind::Burial,
                total,
                vec![Step::new(
                    "埋葬費 (埋葬に要した費用、埋葬料の額の範囲内)",
                    format!("min({}, {})", actual_cost.amount(), amount.amount()),
                    dec(total),
                    Rounding::None,
                    dec(total),
                    "健保法100条2項; rules.md §5.4",
                )],
            )
        }
    };
    Ok(BurialResult {
        kind,
        total,
        basis: Basis {
            inputs: inputs_json(input)?,
            parameters: vec![input.amount.parameter.clone()],
            steps,
            result_yen: total.amount(),
        },
    })
}

/// 105条: death within 3 months of the loss, while receiving the 104条 continued benefit, or
/// within 3 months after it ended.
fn after_loss_covers(after_loss: Option<BurialAfterLoss>, death: Date) -> bool {
    let Some(a) = after_loss else {
        return false;
    };
    if death < a.loss_date {
        return false;
    }
    a.receiving_continued_benefit
        || death <= period_end_after_months(a.loss_date, AFTER_LOSS_MONTHS)
        || a.continued_benefit_last_day.is_some_and(|last| {
            death <= period_end_after_months(last.next_day(), AFTER_LOSS_MONTHS)
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::basis::ParameterRef;

    fn d(y: i32, m: u32, day: u32) -> Date {
        Date::fixed(y, m, day)
    }

    fn claim(kind: BurialClaim) -> BurialInput {
        BurialInput {
            claim: kind,
            date_of_death: d(2026, 3, 10),
            burial_date: Some(d(2026, 3, 13)),
            eligibility: BurialEligibility {
                insured_on_death_date: true,
                deceased_was_dependant: false,
                after_loss: None,
            },
            amount: YenParameter {
                value: Yen::new(50_000),
                parameter: ParameterRef {
                    key: "burial_allowance".into(),
                    version: 1,
                    effective_from: d(2006, 10, 1),
                    value: "50000".into(),
                },
            },
        }
    }

    fn total(input: &BurialInput) -> Result<i64, &'static str> {
        calculate(input)
            .map(|r| r.total.amount())
            .map_err(|e| e.code())
    }

    #[test]
    fn burial_allowance_is_the_fixed_amount() {
        // 埋葬料 = 50,000 (rules.md §5.4).
        let r = calculate(&claim(BurialClaim::BurialAllowance)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.kind, BenefitKind::Burial);
        assert_eq!(r.total, Yen::new(50_000));
        assert_eq!(r.basis.parameters.len(), 1);
    }

    #[test]
    fn burial_expenses_are_actual_costs_up_to_the_amount() {
        // 埋葬費: 38,500 < 50,000 → 38,500; 50,000 → 50,000; 50,001 → 50,000; 120,000 → 50,000.
        for (cost, expected) in [
            (38_500, 38_500),
            (50_000, 50_000),
            (50_001, 50_000),
            (120_000, 50_000),
        ] {
            let input = claim(BurialClaim::BurialExpenses {
                actual_cost: Yen::new(cost),
            });
            assert_eq!(total(&input), Ok(expected), "cost {cost}");
        }
    }

    #[test]
    fn family_burial_needs_a_dependant() {
        let mut input = claim(BurialClaim::FamilyBurialAllowance);
        assert_eq!(total(&input), Err("not_qualified"));
        input.eligibility.deceased_was_dependant = true;
        let r = calculate(&input).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.kind, BenefitKind::FamilyBurial);
        assert_eq!(r.total, Yen::new(50_000));
    }

    #[test]
    fn death_within_three_months_of_loss() {
        // Loss 2025-12-01 → 3 months end 2026-02-28 (応当日 03-01 の前日).
        let mut input = claim(BurialClaim::BurialAllowance);
        input.eligibility.insured_on_death_date = false;
        input.eligibility.after_loss = Some(BurialAfterLoss {
            loss_date: d(2025, 12, 1),
            receiving_continued_benefit: false,
            continued_benefit_last_day: None,
        });
        input.date_of_death = d(2026, 2, 28);
        input.burial_date = None;
        assert_eq!(total(&input), Ok(50_000));
        input.date_of_death = d(2026, 3, 1);
        assert_eq!(total(&input), Err("not_qualified"));
        // Still receiving 傷病手当金 under 104条 on that day: covered.
        input.eligibility.after_loss = Some(BurialAfterLoss {
            loss_date: d(2025, 12, 1),
            receiving_continued_benefit: true,
            continued_benefit_last_day: None,
        });
        assert_eq!(total(&input), Ok(50_000));
        // 104条 benefit ended 2026-01-31 → 3 months from 02-01 end 04-30.
        input.eligibility.after_loss = Some(BurialAfterLoss {
            loss_date: d(2025, 12, 1),
            receiving_continued_benefit: false,
            continued_benefit_last_day: Some(d(2026, 1, 31)),
        });
        input.date_of_death = d(2026, 4, 30);
        assert_eq!(total(&input), Ok(50_000));
        input.date_of_death = d(2026, 5, 1);
        assert_eq!(total(&input), Err("not_qualified"));
    }

    #[test]
    fn parameter_not_in_force_on_the_date_of_death() {
        let mut input = claim(BurialClaim::BurialAllowance);
        input.date_of_death = d(2006, 9, 30);
        input.burial_date = None;
        assert_eq!(total(&input), Err("parameter_not_in_force"));
    }
}
