//! [`ParameterKey`]: which parameter, what kind of value it holds, who sets it.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

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
}

impl ParameterKey {
    /// Every key, in the order they are listed.
    pub const ALL: [ParameterKey; 13] = [
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
    ];

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
            | Self::SicknessAllowanceBaseUnder12Months => ValueKind::Yen,
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
            | Self::GradeTable => Origin::Statutory,
            Self::GeneralPremiumRate
            | Self::SpecificPremiumRate
            | Self::AdjustmentPremiumRate
            | Self::CarePremiumRate
            | Self::EmployerShare
            | Self::VoluntaryContinuationCap
            | Self::SicknessAllowanceBaseUnder12Months => Origin::Society,
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
