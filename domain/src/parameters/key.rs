//! [`ParameterKey`]: which parameter, what kind of value it holds, who sets it.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::benefits::calc::high_cost_combined::IncomeCategory;

/// What kind of value a parameter holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ValueKind {
    /// An exact decimal fraction, 0 ≤ r < 1, at most 6 decimal places ("0.0985" = 9.85%).
    Rate,
    /// Whole yen (円), more than 0.
    Yen,
    /// The first day of a 標準報酬月額 grade table compiled into kenpo ("2016-04-01").
    GradeTable,
}

impl ValueKind {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Rate => "rate",
            Self::Yen => "yen",
            Self::GradeTable => "grade_table",
        }
    }
}

/// Who sets a parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// Fixed by statute, 政令 or the State (法令・政令・告示); shipped with kenpo and seeded at
    /// start-up (`seed`), corrected or extended by the システム担当 when the law changes.
    Statutory,
    /// Set by this society (規約, 組合会の議決, 認可); entered by the システム担当 only.
    Society,
}

/// A parameter of the registry. The snake_case names are stable: they are stream names,
/// event payloads, URL segments and `ParameterRef::key`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ParameterKey {
    /// 一般保険料率 (= 基本保険料率 + 特定保険料率), 30/1000–130/1000 (160条13項; rules.md §3.2).
    GeneralPremiumRate,
    /// 特定保険料率: the part of the 一般保険料率 that funds 後期高齢者支援金等 (160条14・15項);
    /// 基本保険料率 = 一般 − 特定.
    SpecificPremiumRate,
    /// 調整保険料率 (附則2条, 施行令67条): the 健保連 交付金 line.
    AdjustmentPremiumRate,
    /// 介護保険料率 (第2号被保険者, 40–64).
    CarePremiumRate,
    /// 子ども・子育て支援金率: one rate for all 被用者保険, announced by the State (156条).
    ChildSupportRate,
    /// 事業主負担割合: the employer's share of a premium; 0.5 (労使折半) unless the 規約 raises
    /// it (162条).
    EmployerShare,
    /// 任意継続被保険者の標準報酬月額 上限 (47条): the grade of the average 標準報酬月額 of the
    /// society's insured, or the 規約 amount.
    VoluntaryContinuationCap,
    /// 出産育児一時金 when the 産科医療補償制度 addition applies (施行令36条).
    ChildbirthLumpSum,
    /// 出産育児一時金 without the 産科医療補償制度 addition.
    ChildbirthLumpSumWithoutCompensation,
    /// 埋葬料 (100条1項); also the ceiling of 埋葬費 (100条2項).
    BurialAmount,
    /// 家族埋葬料 (113条).
    FamilyBurialAmount,
    /// 傷病手当金・出産手当金 with fewer than 12 months: the 標準報酬月額 of the society's average
    /// on 9/30 of the previous fiscal year (99条2項; rules.md §5.1).
    #[serde(rename = "sickness_allowance_base_under_12_months")]
    SicknessAllowanceBaseUnder12Months,
    /// 標準報酬月額 等級表 (40条1項): which grade table is in force.
    GradeTable,
    /// 高額介護合算療養費 自己負担限度額 (年額), 70歳未満 区分ア (115条の2; rules.md §5.7).
    /// One key per 所得区分: see [`ParameterKey::high_cost_combined_limit`].
    #[serde(rename = "high_cost_combined_limit_under_70_a")]
    HighCostCombinedLimitUnder70A,
    /// 高額介護合算療養費 自己負担限度額, 70歳未満 区分イ.
    #[serde(rename = "high_cost_combined_limit_under_70_i")]
    HighCostCombinedLimitUnder70I,
    /// 高額介護合算療養費 自己負担限度額, 70歳未満 区分ウ.
    #[serde(rename = "high_cost_combined_limit_under_70_u")]
    HighCostCombinedLimitUnder70U,
    /// 高額介護合算療養費 自己負担限度額, 70歳未満 区分エ.
    #[serde(rename = "high_cost_combined_limit_under_70_e")]
    HighCostCombinedLimitUnder70E,
    /// 高額介護合算療養費 自己負担限度額, 70歳未満 区分オ.
    #[serde(rename = "high_cost_combined_limit_under_70_o")]
    HighCostCombinedLimitUnder70O,
    /// 高額介護合算療養費 自己負担限度額, 70–74 現役並みⅢ.
    #[serde(rename = "high_cost_combined_limit_active_iii")]
    HighCostCombinedLimitActiveIii,
    /// 高額介護合算療養費 自己負担限度額, 70–74 現役並みⅡ.
    #[serde(rename = "high_cost_combined_limit_active_ii")]
    HighCostCombinedLimitActiveIi,
    /// 高額介護合算療養費 自己負担限度額, 70–74 現役並みⅠ.
    #[serde(rename = "high_cost_combined_limit_active_i")]
    HighCostCombinedLimitActiveI,
    /// 高額介護合算療養費 自己負担限度額, 70–74 一般.
    #[serde(rename = "high_cost_combined_limit_general")]
    HighCostCombinedLimitGeneral,
    /// 高額介護合算療養費 自己負担限度額, 70–74 低所得Ⅱ.
    #[serde(rename = "high_cost_combined_limit_low_income_ii")]
    HighCostCombinedLimitLowIncomeIi,
    /// 高額介護合算療養費 自己負担限度額, 70–74 低所得Ⅰ.
    #[serde(rename = "high_cost_combined_limit_low_income_i")]
    HighCostCombinedLimitLowIncomeI,
    /// 高額介護合算療養費 自己負担限度額, 70–74 低所得Ⅰ with several 介護サービス利用者 in the 世帯.
    #[serde(rename = "high_cost_combined_limit_low_income_i_several_care_users")]
    HighCostCombinedLimitLowIncomeISeveralCareUsers,
    /// 高額介護合算療養費: the amount above the limit must exceed this to be paid. rules.md §5.7
    /// cites 500円 only as "commonly cited" [U] (§7 item 6), so it is a society parameter, not
    /// seeded: the システム担当 enters it once its source is confirmed.
    #[serde(rename = "high_cost_combined_minimum_excess")]
    HighCostCombinedMinimumExcess,
}

impl ParameterKey {
    /// Every key, in the order they are listed.
    pub const ALL: [ParameterKey; 26] = [
        Self::GeneralPremiumRate,
        Self::SpecificPremiumRate,
        Self::AdjustmentPremiumRate,
        Self::CarePremiumRate,
        Self::ChildSupportRate,
        Self::EmployerShare,
        Self::VoluntaryContinuationCap,
        Self::ChildbirthLumpSum,
        Self::ChildbirthLumpSumWithoutCompensation,
        Self::BurialAmount,
        Self::FamilyBurialAmount,
        Self::SicknessAllowanceBaseUnder12Months,
        Self::GradeTable,
        Self::HighCostCombinedLimitUnder70A,
        Self::HighCostCombinedLimitUnder70I,
        Self::HighCostCombinedLimitUnder70U,
        Self::HighCostCombinedLimitUnder70E,
        Self::HighCostCombinedLimitUnder70O,
        Self::HighCostCombinedLimitActiveIii,
        Self::HighCostCombinedLimitActiveIi,
        Self::HighCostCombinedLimitActiveI,
        Self::HighCostCombinedLimitGeneral,
        Self::HighCostCombinedLimitLowIncomeIi,
        Self::HighCostCombinedLimitLowIncomeI,
        Self::HighCostCombinedLimitLowIncomeISeveralCareUsers,
        Self::HighCostCombinedMinimumExcess,
    ];

    /// The 高額介護合算療養費 limit of a 所得区分 (rules.md §5.7): one key per row of the table,
    /// so that each row has its own versions and a 算定根拠 cites exactly the row it used.
    pub const fn high_cost_combined_limit(category: IncomeCategory) -> ParameterKey {
        match category {
            IncomeCategory::Under70A => Self::HighCostCombinedLimitUnder70A,
            IncomeCategory::Under70I => Self::HighCostCombinedLimitUnder70I,
            IncomeCategory::Under70U => Self::HighCostCombinedLimitUnder70U,
            IncomeCategory::Under70E => Self::HighCostCombinedLimitUnder70E,
            IncomeCategory::Under70O => Self::HighCostCombinedLimitUnder70O,
            IncomeCategory::ActiveIii => Self::HighCostCombinedLimitActiveIii,
            IncomeCategory::ActiveIi => Self::HighCostCombinedLimitActiveIi,
            IncomeCategory::ActiveI => Self::HighCostCombinedLimitActiveI,
            IncomeCategory::General => Self::HighCostCombinedLimitGeneral,
            IncomeCategory::LowIncomeIi => Self::HighCostCombinedLimitLowIncomeIi,
            IncomeCategory::LowIncomeI => Self::HighCostCombinedLimitLowIncomeI,
            IncomeCategory::LowIncomeISeveralCareUsers => {
                Self::HighCostCombinedLimitLowIncomeISeveralCareUsers
            }
        }
    }

    /// The stable snake_case name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::GeneralPremiumRate => "general_premium_rate",
            Self::SpecificPremiumRate => "specific_premium_rate",
            Self::AdjustmentPremiumRate => "adjustment_premium_rate",
            Self::CarePremiumRate => "care_premium_rate",
            Self::ChildSupportRate => "child_support_rate",
            Self::EmployerShare => "employer_share",
            Self::VoluntaryContinuationCap => "voluntary_continuation_cap",
            Self::ChildbirthLumpSum => "childbirth_lump_sum",
            Self::ChildbirthLumpSumWithoutCompensation => {
                "childbirth_lump_sum_without_compensation"
            }
            Self::BurialAmount => "burial_amount",
            Self::FamilyBurialAmount => "family_burial_amount",
            Self::SicknessAllowanceBaseUnder12Months => "sickness_allowance_base_under_12_months",
            Self::GradeTable => "grade_table",
            Self::HighCostCombinedLimitUnder70A => "high_cost_combined_limit_under_70_a",
            Self::HighCostCombinedLimitUnder70I => "high_cost_combined_limit_under_70_i",
            Self::HighCostCombinedLimitUnder70U => "high_cost_combined_limit_under_70_u",
            Self::HighCostCombinedLimitUnder70E => "high_cost_combined_limit_under_70_e",
            Self::HighCostCombinedLimitUnder70O => "high_cost_combined_limit_under_70_o",
            Self::HighCostCombinedLimitActiveIii => "high_cost_combined_limit_active_iii",
            Self::HighCostCombinedLimitActiveIi => "high_cost_combined_limit_active_ii",
            Self::HighCostCombinedLimitActiveI => "high_cost_combined_limit_active_i",
            Self::HighCostCombinedLimitGeneral => "high_cost_combined_limit_general",
            Self::HighCostCombinedLimitLowIncomeIi => "high_cost_combined_limit_low_income_ii",
            Self::HighCostCombinedLimitLowIncomeI => "high_cost_combined_limit_low_income_i",
            Self::HighCostCombinedLimitLowIncomeISeveralCareUsers => {
                "high_cost_combined_limit_low_income_i_several_care_users"
            }
            Self::HighCostCombinedMinimumExcess => "high_cost_combined_minimum_excess",
        }
    }

    /// The name staff use.
    pub const fn label(self) -> &'static str {
        match self {
            Self::GeneralPremiumRate => "一般保険料率",
            Self::SpecificPremiumRate => "特定保険料率",
            Self::AdjustmentPremiumRate => "調整保険料率",
            Self::CarePremiumRate => "介護保険料率",
            Self::ChildSupportRate => "子ども・子育て支援金率",
            Self::EmployerShare => "事業主負担割合",
            Self::VoluntaryContinuationCap => "任意継続被保険者 標準報酬月額 上限",
            Self::ChildbirthLumpSum => "出産育児一時金 (産科医療補償制度 加算あり)",
            Self::ChildbirthLumpSumWithoutCompensation => {
                "出産育児一時金 (産科医療補償制度 加算なし)"
            }
            Self::BurialAmount => "埋葬料",
            Self::FamilyBurialAmount => "家族埋葬料",
            Self::SicknessAllowanceBaseUnder12Months => "傷病手当金 12か月未満 基準額",
            Self::GradeTable => "標準報酬月額 等級表",
            Self::HighCostCombinedLimitUnder70A => "高額介護合算 自己負担限度額 (70歳未満 区分ア)",
            Self::HighCostCombinedLimitUnder70I => "高額介護合算 自己負担限度額 (70歳未満 区分イ)",
            Self::HighCostCombinedLimitUnder70U => "高額介護合算 自己負担限度額 (70歳未満 区分ウ)",
            Self::HighCostCombinedLimitUnder70E => "高額介護合算 自己負担限度額 (70歳未満 区分エ)",
            Self::HighCostCombinedLimitUnder70O => "高額介護合算 自己負担限度額 (70歳未満 区分オ)",
            Self::HighCostCombinedLimitActiveIii => {
                "高額介護合算 自己負担限度額 (70–74歳 現役並みⅢ)"
            }
            Self::HighCostCombinedLimitActiveIi => {
                "高額介護合算 自己負担限度額 (70–74歳 現役並みⅡ)"
            }
            Self::HighCostCombinedLimitActiveI => "高額介護合算 自己負担限度額 (70–74歳 現役並みⅠ)",
            Self::HighCostCombinedLimitGeneral => "高額介護合算 自己負担限度額 (70–74歳 一般)",
            Self::HighCostCombinedLimitLowIncomeIi => {
                "高額介護合算 自己負担限度額 (70–74歳 低所得Ⅱ)"
            }
            Self::HighCostCombinedLimitLowIncomeI => {
                "高額介護合算 自己負担限度額 (70–74歳 低所得Ⅰ)"
            }
            Self::HighCostCombinedLimitLowIncomeISeveralCareUsers => {
                "高額介護合算 自己負担限度額 (70–74歳 低所得Ⅰ, 介護サービス利用者が複数)"
            }
            Self::HighCostCombinedMinimumExcess => "高額介護合算療養費 支給基準額 (最低額)",
        }
    }

    /// What kind of value it holds.
    pub const fn kind(self) -> ValueKind {
        match self {
            Self::GeneralPremiumRate
            | Self::SpecificPremiumRate
            | Self::AdjustmentPremiumRate
            | Self::CarePremiumRate
            | Self::ChildSupportRate
            | Self::EmployerShare => ValueKind::Rate,
            Self::VoluntaryContinuationCap
            | Self::ChildbirthLumpSum
            | Self::ChildbirthLumpSumWithoutCompensation
            | Self::BurialAmount
            | Self::FamilyBurialAmount
            | Self::SicknessAllowanceBaseUnder12Months
            | Self::HighCostCombinedLimitUnder70A
            | Self::HighCostCombinedLimitUnder70I
            | Self::HighCostCombinedLimitUnder70U
            | Self::HighCostCombinedLimitUnder70E
            | Self::HighCostCombinedLimitUnder70O
            | Self::HighCostCombinedLimitActiveIii
            | Self::HighCostCombinedLimitActiveIi
            | Self::HighCostCombinedLimitActiveI
            | Self::HighCostCombinedLimitGeneral
            | Self::HighCostCombinedLimitLowIncomeIi
            | Self::HighCostCombinedLimitLowIncomeI
            | Self::HighCostCombinedLimitLowIncomeISeveralCareUsers
            | Self::HighCostCombinedMinimumExcess => ValueKind::Yen,
            Self::GradeTable => ValueKind::GradeTable,
        }
    }

    /// Statutory (seeded) or set by the society.
    pub const fn origin(self) -> Origin {
        match self {
            Self::ChildSupportRate
            | Self::ChildbirthLumpSum
            | Self::ChildbirthLumpSumWithoutCompensation
            | Self::BurialAmount
            | Self::FamilyBurialAmount
            | Self::GradeTable
            | Self::HighCostCombinedLimitUnder70A
            | Self::HighCostCombinedLimitUnder70I
            | Self::HighCostCombinedLimitUnder70U
            | Self::HighCostCombinedLimitUnder70E
            | Self::HighCostCombinedLimitUnder70O
            | Self::HighCostCombinedLimitActiveIii
            | Self::HighCostCombinedLimitActiveIi
            | Self::HighCostCombinedLimitActiveI
            | Self::HighCostCombinedLimitGeneral
            | Self::HighCostCombinedLimitLowIncomeIi
            | Self::HighCostCombinedLimitLowIncomeI
            | Self::HighCostCombinedLimitLowIncomeISeveralCareUsers => Origin::Statutory,
            Self::GeneralPremiumRate
            | Self::SpecificPremiumRate
            | Self::AdjustmentPremiumRate
            | Self::CarePremiumRate
            | Self::EmployerShare
            | Self::VoluntaryContinuationCap
            | Self::SicknessAllowanceBaseUnder12Months
            | Self::HighCostCombinedMinimumExcess => Origin::Society,
        }
    }

    /// Whether the value applies per 月分 (premiums are assessed per month, rules.md §3.1), so
    /// that it must take effect on the 1st of a month.
    pub const fn monthly(self) -> bool {
        matches!(
            self,
            Self::GeneralPremiumRate
                | Self::SpecificPremiumRate
                | Self::AdjustmentPremiumRate
                | Self::CarePremiumRate
                | Self::ChildSupportRate
                | Self::EmployerShare
                | Self::VoluntaryContinuationCap
        )
    }
}

impl fmt::Display for ParameterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A name that is not a [`ParameterKey`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("there is no parameter {0:?}; the parameters are {list}", list = ParameterKey::ALL.map(ParameterKey::as_str).join(", "))]
pub struct UnknownParameter(pub String);

impl FromStr for ParameterKey {
    type Err = UnknownParameter;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| UnknownParameter(s.to_owned()))
    }
}
