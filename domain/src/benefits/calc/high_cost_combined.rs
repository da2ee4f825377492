//! 高額介護合算療養費 (combined high medical and long-term care cost), 健康保険法115条の2;
//! rules.md §5.7, digest.md §1.2 ＜高額介護合算療養費項目＞.
//!
//! Per 給付年度 (8/1 to 7/31): the 世帯's 医療 自己負担 and 介護 自己負担 totals (as submitted,
//! after 高額療養費 / 高額介護サービス費, <70 医療 items already limited to those ≥ 21,000円 by the
//! submitter) are added; the part above the limit of the 所得区分 (a parameter table) is split
//! between the two insurers in proportion to their 自己負担. This society pays the 医療 part as
//! 高額介護合算療養費; the 介護 part (高額医療合算介護サービス費) is the 介護保険者's and is
//! reported for information.
//!
//! Uncertain [U] in rules.md §5.7 and implemented as a parameter: the minimum — nothing is paid
//! unless the amount above the limit exceeds it (commonly cited as 500円).
//! Not stated in rules.md, decided here: each share is rounded down to the yen (1円未満切捨て,
//! 国等の債権債務等の金額の端数計算に関する法律 as rules.md §5.1 applies to cash benefits), and
//! both 医療 and 介護 自己負担 must be present (a combination benefit). The two-stage calculation
//! for households with 70–74 members (70–74 amounts first) is not implemented: give the
//! totals for one stage.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::common::{dec, div_floor, inputs_json, plain_step, YenParameter};
use super::error::BenefitCalcError;
use crate::basis::{Basis, Rounding, Step};
use crate::calendar::Date;
use crate::money::Yen;

const SOURCE: &str = "健保法115条の2; rules.md §5.7";
const SOURCE_ROUNDING: &str =
    "健保法115条の2; 国等の債権債務等の金額の端数計算に関する法律 (1円未満切捨て); rules.md §5.1, §5.7";

/// 所得区分 for the combined limit (rules.md §5.7 table).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
pub enum IncomeCategory {
    /// <70 区分ア.
    #[serde(rename = "under_70_a")]
    Under70A,
    /// <70 区分イ.
    #[serde(rename = "under_70_i")]
    Under70I,
    /// <70 区分ウ.
    #[serde(rename = "under_70_u")]
    Under70U,
    /// <70 区分エ.
    #[serde(rename = "under_70_e")]
    Under70E,
    /// <70 区分オ.
    #[serde(rename = "under_70_o")]
    Under70O,
    /// 70–74 現役並みⅢ.
    #[serde(rename = "active_iii")]
    ActiveIii,
    /// 70–74 現役並みⅡ.
    #[serde(rename = "active_ii")]
    ActiveIi,
    /// 70–74 現役並みⅠ.
    #[serde(rename = "active_i")]
    ActiveI,
    /// 70–74 一般.
    #[serde(rename = "general")]
    General,
    /// 70–74 低所得Ⅱ.
    #[serde(rename = "low_income_ii")]
    LowIncomeIi,
    /// 70–74 低所得Ⅰ.
    #[serde(rename = "low_income_i")]
    LowIncomeI,
    /// 70–74 低所得Ⅰ with several 介護 users in the 世帯.
    #[serde(rename = "low_income_i_several_care_users")]
    LowIncomeISeveralCareUsers,
}

impl IncomeCategory {
    /// The name staff use.
    pub fn japanese(self) -> &'static str {
        match self {
            Self::Under70A => "区分ア",
            Self::Under70I => "区分イ",
            Self::Under70U => "区分ウ",
            Self::Under70E => "区分エ",
            Self::Under70O => "区分オ",
            Self::ActiveIii => "現役並みⅢ",
            Self::ActiveIi => "現役並みⅡ",
            Self::ActiveI => "現役並みⅠ",
            Self::General => "一般",
            Self::LowIncomeIi => "低所得Ⅱ",
            Self::LowIncomeI => "低所得Ⅰ",
            Self::LowIncomeISeveralCareUsers => "低所得Ⅰ (介護サービス利用者が複数)",
        }
    }
}

/// One row of the limit table (a parameter per category).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CategoryLimit {
    pub category: IncomeCategory,
    /// 自己負担限度額 (年額).
    pub limit: YenParameter,
}

/// A 高額介護合算療養費 application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HighCostCombinedInput {
    /// 給付年度, named by the year in which it starts on 8/1 (2025 = 2025-08-01 … 2026-07-31).
    pub benefit_year: i32,
    /// 所得区分 on the 基準日.
    pub income_category: IncomeCategory,
    /// The limit per category in force for the year.
    pub limit_table: Vec<CategoryLimit>,
    /// 医療保険 自己負担額合計 of the 世帯 in the year (this society's insured and dependants).
    pub medical_out_of_pocket: Yen,
    /// 介護保険 自己負担額合計 (from the 介護保険者's 自己負担額証明書).
    pub care_out_of_pocket: Yen,
    /// The amount above the limit must exceed this to be paid (500円, rules.md §5.7 [U]).
    pub minimum_excess: YenParameter,
    /// The applicant was insured by this society on the 基準日 (7/31).
    pub qualified_on_reference_date: bool,
}

/// The calculated amounts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct HighCostCombinedResult {
    /// 計算期間 first day (8/1).
    pub period_from: Date,
    /// 計算期間 last day and 基準日 (7/31).
    pub period_to: Date,
    /// 医療 + 介護 自己負担.
    pub combined: Yen,
    /// 自己負担限度額 of the 所得区分.
    pub limit: Yen,
    /// 支給総額: the amount above the limit (0 when not above the minimum).
    pub excess: Yen,
    /// 高額介護合算療養費: the 医療 share paid by this society.
    pub medical_share: Yen,
    /// 高額医療合算介護サービス費: the 介護 share, paid by the 介護保険者 (for information).
    pub care_share: Yen,
    pub basis: Basis,
}

/// Calculates 高額介護合算療養費 (健保法115条の2; rules.md §5.7).
pub fn calculate(
    input: &HighCostCombinedInput,
) -> Result<HighCostCombinedResult, BenefitCalcError> {
    let period_from = Date::from_ymd(input.benefit_year, 8, 1)
        .ok_or_else(|| BenefitCalcError::invalid("benefit_year out of range"))?;
    let period_to = Date::from_ymd(input.benefit_year.saturating_add(1), 7, 31)
        .ok_or_else(|| BenefitCalcError::invalid("benefit_year out of range"))?;
    if !input.qualified_on_reference_date {
        return Err(BenefitCalcError::not_qualified(format!(
            "not insured on the 基準日 {period_to}"
        )));
    }
    let medical = input.medical_out_of_pocket;
    let care = input.care_out_of_pocket;
    if medical.is_negative() || care.is_negative() {
        return Err(BenefitCalcError::invalid(
            "自己負担 totals must not be negative",
        ));
    }
    if medical == Yen::ZERO || care == Yen::ZERO {
        return Err(BenefitCalcError::NoCombinedBurden);
    }
    let mut rows = input
        .limit_table
        .iter()
        .filter(|row| row.category == input.income_category);
    let row = rows
        .next()
        .ok_or_else(|| BenefitCalcError::IncomeCategoryNotInTable {
            category: input.income_category.japanese().to_owned(),
        })?;
    if rows.next().is_some() {
        return Err(BenefitCalcError::invalid(format!(
            "limit_table lists {} twice",
            input.income_category.japanese()
        )));
    }
    let limit = row.limit.checked(period_to)?;
    let minimum = input.minimum_excess.checked(period_to)?;
    let parameters = vec![
        row.limit.parameter.clone(),
        input.minimum_excess.parameter.clone(),
    ];

    let combined = medical + care;
    let mut steps = vec![
        plain_step(
            "医療・介護の自己負担額の合計",
            format!("{} + {}", medical.amount(), care.amount()),
            combined.amount(),
            SOURCE,
        ),
        plain_step(
            &format!("自己負担限度額 ({})", input.income_category.japanese()),
            format!(
                "{} (in force from {})",
                limit.amount(),
                row.limit.parameter.effective_from
            ),
            limit.amount(),
            SOURCE,
        ),
    ];
    let above = (combined - limit).max(Yen::ZERO);
    let payable = above > minimum;
    let excess = if payable { above } else { Yen::ZERO };
    steps.push(plain_step(
        "支給総額 (限度額を超える額; 最低額以下は不支給)",
        format!(
            "max(0, {} − {}) = {}; paid only above {}",
            combined.amount(),
            limit.amount(),
            above.amount(),
            minimum.amount()
        ),
        excess.amount(),
        "健保法115条の2; rules.md §5.7 (500円 minimum [U])",
    ));
    let share = |part: Yen| -> Yen {
        let n = i128::from(excess.amount()) * i128::from(part.amount());
        let q = div_floor(n, i128::from(combined.amount()));
        Yen::new(i64::try_from(q).unwrap_or(i64::MAX))
    };
    let medical_share = share(medical);
    let care_share = share(care);
    let exact = |part: Yen| {
        rust_decimal::Decimal::from(excess.amount())
            .checked_mul(dec(part))
            .and_then(|n| n.checked_div(dec(combined)))
            .unwrap_or_default()
    };
    steps.push(Step::new(
        "高額介護合算療養費 (医療保険分: 支給総額 × 医療自己負担 ÷ 合計)",
        format!(
            "{} × {} ÷ {}",
            excess.amount(),
            medical.amount(),
            combined.amount()
        ),
        exact(medical),
        Rounding::FloorYen,
        dec(medical_share),
        SOURCE_ROUNDING,
    ));
    steps.push(Step::new(
        "高額医療合算介護サービス費 (介護保険分: 支給総額 × 介護自己負担 ÷ 合計; 介護保険者が支給)",
        format!(
            "{} × {} ÷ {}",
            excess.amount(),
            care.amount(),
            combined.amount()
        ),
        exact(care),
        Rounding::FloorYen,
        dec(care_share),
        SOURCE_ROUNDING,
    ));
    Ok(HighCostCombinedResult {
        period_from,
        period_to,
        combined,
        limit,
        excess,
        medical_share,
        care_share,
        basis: Basis {
            inputs: inputs_json(input)?,
            parameters,
            steps,
            result_yen: medical_share.amount(),
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

    fn param(key: &str, amount: i64) -> YenParameter {
        YenParameter {
            value: Yen::new(amount),
            parameter: ParameterRef {
                key: key.into(),
                version: 1,
                effective_from: d(2018, 8, 1),
                value: amount.to_string(),
            },
        }
    }

    /// The table in force since 2018-08 (rules.md §5.7).
    fn table() -> Vec<CategoryLimit> {
        use IncomeCategory::*;
        [
            (Under70A, 2_120_000),
            (Under70I, 1_410_000),
            (Under70U, 670_000),
            (Under70E, 600_000),
            (Under70O, 340_000),
            (ActiveIii, 2_120_000),
            (ActiveIi, 1_410_000),
            (ActiveI, 670_000),
            (General, 560_000),
            (LowIncomeIi, 310_000),
            (LowIncomeI, 190_000),
            (LowIncomeISeveralCareUsers, 310_000),
        ]
        .into_iter()
        .map(|(category, limit)| CategoryLimit {
            category,
            limit: param("high_cost_combined_limit", limit),
        })
        .collect()
    }

    fn application(category: IncomeCategory, medical: i64, care: i64) -> HighCostCombinedInput {
        HighCostCombinedInput {
            benefit_year: 2025,
            income_category: category,
            limit_table: table(),
            medical_out_of_pocket: Yen::new(medical),
            care_out_of_pocket: Yen::new(care),
            minimum_excess: param("high_cost_combined_minimum", 500),
            qualified_on_reference_date: true,
        }
    }

    #[test]
    fn excess_over_the_limit_is_split_in_proportion() {
        // 区分ウ 670,000; 500,000 + 300,000 = 800,000; excess 130,000;
        // 医療 130,000 × 500,000 ÷ 800,000 = 81,250; 介護 130,000 × 300,000 ÷ 800,000 = 48,750.
        let r = calculate(&application(IncomeCategory::Under70U, 500_000, 300_000));
        let r = r.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.period_from, d(2025, 8, 1));
        assert_eq!(r.period_to, d(2026, 7, 31));
        assert_eq!(r.excess, Yen::new(130_000));
        assert_eq!(r.medical_share, Yen::new(81_250));
        assert_eq!(r.care_share, Yen::new(48_750));
        assert_eq!(r.basis.result_yen, 81_250);
    }

    #[test]
    fn shares_are_rounded_down_each() {
        // 一般 560,000; 400,000 + 200,001 = 600,001; excess 40,001;
        // 医療 40,001 × 400,000 ÷ 600,001 = 16,000,400,000 ÷ 600,001 = 26,667.29 → 26,667
        // (600,001 × 26,667 = 16,000,226,667, remainder 173,333);
        // 介護 40,001 × 200,001 ÷ 600,001 = 8,000,240,001 ÷ 600,001 = 13,333.71 → 13,333
        // (600,001 × 13,333 = 7,999,813,333, remainder 426,668).
        let r = calculate(&application(IncomeCategory::General, 400_000, 200_001));
        let r = r.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.excess, Yen::new(40_001));
        assert_eq!(r.medical_share, Yen::new(26_667));
        assert_eq!(r.care_share, Yen::new(13_333));
    }

    #[test]
    fn five_hundred_yen_or_less_is_not_paid() {
        // 区分オ 340,000; 200,000 + 140,500 = 340,500 → excess 500, not above 500 → 0.
        let r = calculate(&application(IncomeCategory::Under70O, 200_000, 140_500));
        let r = r.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.excess, Yen::ZERO);
        assert_eq!(r.medical_share, Yen::ZERO);
        // 140,501 → 340,501, excess 501 → 医療 501 × 200,000 ÷ 340,501 = 294.27 → 294
        // (340,501 × 294 = 100,107,294, remainder 92,706); 介護 501 × 140,501 ÷ 340,501 =
        // 70,391,001 ÷ 340,501 = 206.73 → 206 (340,501 × 206 = 70,143,206, remainder 247,795).
        let r = calculate(&application(IncomeCategory::Under70O, 200_000, 140_501));
        let r = r.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.excess, Yen::new(501));
        assert_eq!(r.medical_share, Yen::new(294));
        assert_eq!(r.care_share, Yen::new(206));
    }

    #[test]
    fn under_the_limit_pays_nothing() {
        // 区分ア 2,120,000 vs 500,000 + 300,000: nothing above the limit.
        let r = calculate(&application(IncomeCategory::Under70A, 500_000, 300_000));
        assert_eq!(r.map(|r| r.medical_share), Ok(Yen::ZERO));
    }

    #[test]
    fn low_income_i_with_several_care_users_uses_its_own_row() {
        // 低所得Ⅰ 190,000: 150,000 + 100,000 = 250,000 → 60,000; 医療 60,000 × 150,000 ÷
        // 250,000 = 36,000. Several 介護 users: 310,000 → nothing above.
        let r = calculate(&application(IncomeCategory::LowIncomeI, 150_000, 100_000));
        assert_eq!(r.map(|r| r.medical_share), Ok(Yen::new(36_000)));
        let r = calculate(&application(
            IncomeCategory::LowIncomeISeveralCareUsers,
            150_000,
            100_000,
        ));
        assert_eq!(r.map(|r| r.medical_share), Ok(Yen::ZERO));
    }

    #[test]
    fn both_burdens_are_needed_and_the_category_must_be_in_the_table() {
        assert_eq!(
            calculate(&application(IncomeCategory::Under70U, 900_000, 0)).map(|r| r.excess),
            Err(BenefitCalcError::NoCombinedBurden)
        );
        let mut input = application(IncomeCategory::Under70U, 500_000, 300_000);
        input
            .limit_table
            .retain(|row| row.category != IncomeCategory::Under70U);
        assert_eq!(
            calculate(&input).map_err(|e| e.code()).map(|r| r.excess),
            Err("income_category_not_in_table")
        );
    }

    #[test]
    fn category_serializes_snake_case() {
        assert_eq!(
            serde_json::to_value(IncomeCategory::LowIncomeISeveralCareUsers).ok(),
            Some(serde_json::json!("low_income_i_several_care_users"))
        );
    }
}
