//! The calculation basis (算定根拠) every 給付 decision and 徴収 assessment carries: the inputs,
//! the parameter versions used, each intermediate figure with its rounding and source, and the
//! result — so that staff can answer "why this amount" and auditors can recompute it.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::calendar::Date;

/// A parameter value as used by a calculation: which parameter, which registered version, in
/// force from when, and the value itself (rates as exact decimal strings, amounts in yen).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ParameterRef {
    /// Stable key, e.g. `general_premium_rate`, `childbirth_lump_sum`.
    pub key: String,
    /// Version of the parameter registry entry (its stream version), or 0 for a statutory
    /// value compiled into the code (e.g. the 標準報酬月額 grade table).
    pub version: i64,
    /// First day the value is in force.
    pub effective_from: Date,
    /// The value as text: a decimal rate ("0.0985") or yen ("500000").
    pub value: String,
}

/// How a figure was rounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Rounding {
    /// No rounding.
    None,
    /// 1円未満切捨て.
    FloorYen,
    /// 1円未満四捨五入.
    HalfUpYen,
    /// 50銭以下切捨て・50銭超切上げ (健保法の端数処理; rules.md §3.3).
    FiftySenDown,
    /// 10円未満四捨五入 (e.g. the 傷病手当金 daily base, 健保法99条2項).
    HalfUpTenYen,
    /// 1,000円未満切捨て (標準賞与額, 45条).
    FloorThousandYen,
    /// 小数点以下切捨て (days, months).
    FloorInteger,
}

/// One intermediate figure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Step {
    /// What the figure is, in Japanese as staff say it (e.g. "支給開始日以前12か月の標準報酬月額の平均").
    pub label: String,
    /// How it was obtained (e.g. "(300,000 × 12) ÷ 12").
    pub formula: String,
    /// The exact value before rounding, as a decimal string.
    pub exact: String,
    pub rounding: Rounding,
    /// The value after rounding, as a decimal string (yen for money).
    pub value: String,
    /// The rule: article and rules.md section (e.g. "健保法99条2項; rules.md §5.1").
    pub source: String,
}

impl Step {
    /// A step whose exact value is a decimal.
    pub fn new(
        label: &str,
        formula: impl Into<String>,
        exact: Decimal,
        rounding: Rounding,
        value: Decimal,
        source: &str,
    ) -> Self {
        Self {
            label: label.to_owned(),
            formula: formula.into(),
            exact: exact.normalize().to_string(),
            rounding,
            value: value.normalize().to_string(),
            source: source.to_owned(),
        }
    }
}

/// The whole basis of a decision or an assessment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema, Default)]
pub struct Basis {
    /// The inputs as given (JSON of the calculation's input struct).
    #[schema(value_type = Object)]
    pub inputs: serde_json::Value,
    pub parameters: Vec<ParameterRef>,
    pub steps: Vec<Step>,
    /// The result in yen (0 for 不支給).
    pub result_yen: i64,
}
