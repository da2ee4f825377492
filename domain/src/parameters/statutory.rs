//! Statutory values shipped with kenpo (法定値), with their sources. They are seeded into the
//! registry at start-up as events of the actor `seed` (`kenpo serve`, `kenpo migrate`); an entry
//! whose date the registry already has is left alone, so seeding is idempotent and never
//! overrides a correction.

use rust_decimal::Decimal;

use super::key::ParameterKey;
use super::value::ParameterValue;
use crate::calendar::Date;
use crate::money::Yen;
use crate::standard_remuneration::GRADE_TABLE_IN_FORCE_FROM;

/// One statutory value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatutoryValue {
    pub key: ParameterKey,
    pub effective_from: Date,
    pub value: ParameterValue,
    pub source: &'static str,
}

/// Reason recorded on seeded entries.
pub const SEED_REASON: &str = "statutory value shipped with kenpo (seed)";

/// The actor of seeded entries.
pub const SEED_ACTOR: &str = "seed";

const LUMP_SUM_SOURCE: &str = "健康保険法101条・114条, 施行令36条; rules.md §5.3 [S] S23";
const HIGH_COST_COMBINED_SOURCE: &str =
    "健康保険法115条の2 (高額介護合算療養費 自己負担限度額, 平成30年8月〜); rules.md §5.7 [S] S26";
const BURIAL_SOURCE: &str =
    "健康保険法100条1項・113条, 施行令35条・41条 (平成18年10月 定額化); rules.md §5.4 [S] S24";

fn yen(
    key: ParameterKey,
    y: i32,
    m: u32,
    d: u32,
    amount: i64,
    source: &'static str,
) -> StatutoryValue {
    StatutoryValue {
        key,
        effective_from: Date::fixed(y, m, d),
        value: ParameterValue::Yen(Yen::new(amount)),
        source,
    }
}

/// Every statutory value, oldest first per key. Only changes of the value are listed (the
/// 2011-04-01 and the 2015/2022 changes of the with-補償 total's split did not change it).
pub fn statutory_values() -> Vec<StatutoryValue> {
    use ParameterKey::{
        BurialAmount, ChildbirthLumpSum, ChildbirthLumpSumWithoutCompensation, FamilyBurialAmount,
        HighCostCombinedLimitActiveI, HighCostCombinedLimitActiveIi,
        HighCostCombinedLimitActiveIii, HighCostCombinedLimitGeneral,
        HighCostCombinedLimitLowIncomeI, HighCostCombinedLimitLowIncomeISeveralCareUsers,
        HighCostCombinedLimitLowIncomeIi, HighCostCombinedLimitUnder70A,
        HighCostCombinedLimitUnder70E, HighCostCombinedLimitUnder70I,
        HighCostCombinedLimitUnder70O, HighCostCombinedLimitUnder70U,
    };
    let combined = |key, amount| yen(key, 2018, 8, 1, amount, HIGH_COST_COMBINED_SOURCE);
    vec![
        // 出産育児一時金 (産科医療補償制度 加算あり): base + 30,000 / 16,000 / 12,000
        yen(ChildbirthLumpSum, 2009, 1, 1, 380_000, LUMP_SUM_SOURCE),
        yen(ChildbirthLumpSum, 2009, 10, 1, 420_000, LUMP_SUM_SOURCE),
        yen(ChildbirthLumpSum, 2023, 4, 1, 500_000, LUMP_SUM_SOURCE),
        // 出産育児一時金 (加算なし)
        yen(ChildbirthLumpSumWithoutCompensation, 2009, 1, 1, 350_000, LUMP_SUM_SOURCE),
        yen(ChildbirthLumpSumWithoutCompensation, 2009, 10, 1, 390_000, LUMP_SUM_SOURCE),
        yen(ChildbirthLumpSumWithoutCompensation, 2015, 1, 1, 404_000, LUMP_SUM_SOURCE),
        yen(ChildbirthLumpSumWithoutCompensation, 2022, 1, 1, 408_000, LUMP_SUM_SOURCE),
        yen(ChildbirthLumpSumWithoutCompensation, 2023, 4, 1, 488_000, LUMP_SUM_SOURCE),
        // 埋葬料・家族埋葬料: 50,000円 since the 2006-10 定額化
        yen(BurialAmount, 2006, 10, 1, 50_000, BURIAL_SOURCE),
        yen(FamilyBurialAmount, 2006, 10, 1, 50_000, BURIAL_SOURCE),
        // 子ども・子育て支援金率: 0.23% of 標準報酬 (the whole rate, shared like the premium),
        // from 令和8年4月分
        StatutoryValue {
            key: ParameterKey::ChildSupportRate,
            effective_from: Date::fixed(2026, 4, 1),
            value: ParameterValue::Rate(Decimal::new(23, 4)),
            source: "健康保険法156条 (子ども・子育て支援金率), 令和8年度 国の一律の率 2.3/1000; rules.md §0, §3.2 [L] S1, [S] S13",
        },
        // 標準報酬月額 等級表: 50 grades (1,390,000 at the top) since 2016-04-01
        StatutoryValue {
            key: ParameterKey::GradeTable,
            effective_from: GRADE_TABLE_IN_FORCE_FROM,
            value: ParameterValue::GradeTable(GRADE_TABLE_IN_FORCE_FROM),
            source: "健康保険法40条1項 (平成28年4月1日 施行, 第50級 1,390,000円); rules.md §0, §2.1 [S] S11",
        },
        // 高額介護合算療養費 自己負担限度額 (年額, 8/1–7/31) by 所得区分, in force since
        // 2018-08-01 (rules.md §5.7). Whether the 2026-08 reform changed them is [U] there: an
        // entry from that date is added through the API once confirmed. The 500円 minimum is
        // [U] too and is a society parameter (`high_cost_combined_minimum_excess`), not seeded.
        combined(HighCostCombinedLimitUnder70A, 2_120_000),
        combined(HighCostCombinedLimitUnder70I, 1_410_000),
        combined(HighCostCombinedLimitUnder70U, 670_000),
        combined(HighCostCombinedLimitUnder70E, 600_000),
        combined(HighCostCombinedLimitUnder70O, 340_000),
        combined(HighCostCombinedLimitActiveIii, 2_120_000),
        combined(HighCostCombinedLimitActiveIi, 1_410_000),
        combined(HighCostCombinedLimitActiveI, 670_000),
        combined(HighCostCombinedLimitGeneral, 560_000),
        combined(HighCostCombinedLimitLowIncomeIi, 310_000),
        combined(HighCostCombinedLimitLowIncomeI, 190_000),
        combined(HighCostCombinedLimitLowIncomeISeveralCareUsers, 310_000),
    ]
}
