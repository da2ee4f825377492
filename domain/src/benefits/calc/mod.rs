//! 給付 calculations (給付金計算, digest.md §6.1): pure functions, one module per benefit,
//! each `calculate(&Input) -> Result<…Result, BenefitCalcError>` whose result carries a
//! [`crate::basis::Basis`] (the inputs as JSON, the parameter references used, every step with
//! its rounding and source, the amount in yen).
//!
//! Parameters (society or statutory amounts that change over time) are not looked up here:
//! the application layer takes them from the parameter registry and passes them in as
//! [`YenParameter`]s; the calculation checks each against its reference and the day it is used
//! for, and records it. Facts from 適用 (insured on the day, 被扶養者 on the day, 任意継続 when the
//! sickness began, the 標準報酬月額 history) come in the input too. Statutory constants that do
//! not vary by date (待期 3日, 1年6月, 42/98/56日, 85日, 2/3, 30分の1) are constants next to their
//! rule, each citing its article.
//!
//! | module | benefit | article; rules.md |
//! |---|---|---|
//! | [`sickness_allowance`] | 傷病手当金 | 健保法99条; §5.1 |
//! | [`adjustments`] | 傷病手当金 and 障害年金・障害手当金・老齢年金・労災 | 108条3項–5項; §5.1 |
//! | [`maternity_allowance`] | 出産手当金 | 102条; §5.2 |
//! | [`childbirth_lump_sum`] | 出産育児一時金 / 家族出産育児一時金 | 101条, 114条; §5.3 |
//! | [`burial`] | 埋葬料・埋葬費 / 家族埋葬料 | 100条, 113条; §5.4 |
//! | [`high_cost_combined`] | 高額介護合算療養費 | 115条の2; §5.7 |

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub mod adjustments;
pub mod burial;
pub mod childbirth_lump_sum;
pub mod common;
mod daily_amount;
pub mod error;
pub mod high_cost_combined;
pub mod maternity_allowance;
pub mod sickness_allowance;

pub use common::{DailyAmount, DatePeriod, MonthlyStandardRemuneration, PaidDay, YenParameter};
pub use error::BenefitCalcError;

/// The kinds of benefit this society decides (digest.md §6.1).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum BenefitKind {
    /// 傷病手当金 (健保法99条).
    SicknessAllowance,
    /// 出産手当金 (102条).
    MaternityAllowance,
    /// 出産育児一時金 (101条).
    ChildbirthLumpSum,
    /// 家族出産育児一時金 (114条).
    FamilyChildbirthLumpSum,
    /// 埋葬料・埋葬費 (100条).
    Burial,
    /// 家族埋葬料 (113条).
    FamilyBurial,
    /// 高額介護合算療養費 (115条の2).
    HighCostCombined,
}

impl BenefitKind {
    /// Every kind, in the order above.
    pub const ALL: [BenefitKind; 7] = [
        Self::SicknessAllowance,
        Self::MaternityAllowance,
        Self::ChildbirthLumpSum,
        Self::FamilyChildbirthLumpSum,
        Self::Burial,
        Self::FamilyBurial,
        Self::HighCostCombined,
    ];

    /// The name staff use (給付の種類).
    pub fn japanese(self) -> &'static str {
        match self {
            Self::SicknessAllowance => "傷病手当金",
            Self::MaternityAllowance => "出産手当金",
            Self::ChildbirthLumpSum => "出産育児一時金",
            Self::FamilyChildbirthLumpSum => "家族出産育児一時金",
            Self::Burial => "埋葬料",
            Self::FamilyBurial => "家族埋葬料",
            Self::HighCostCombined => "高額介護合算療養費",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_serialize_snake_case() {
        let names: Vec<serde_json::Value> = BenefitKind::ALL
            .iter()
            .filter_map(|k| serde_json::to_value(k).ok())
            .collect();
        assert_eq!(
            names,
            [
                "sickness_allowance",
                "maternity_allowance",
                "childbirth_lump_sum",
                "family_childbirth_lump_sum",
                "burial",
                "family_burial",
                "high_cost_combined"
            ]
            .map(serde_json::Value::from)
        );
    }
}
