//! [`BenefitCalcError`]: why a 給付 calculation gives no amount (不支給) or cannot be made.

use crate::calendar::Date;

/// Why a benefit calculation refused the claim (不支給) or the input. Each variant has a stable
/// snake_case [`code`](BenefitCalcError::code) for the API's problem+json and for decision
/// records; messages are English with the Japanese term.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BenefitCalcError {
    /// 任意継続被保険者 are excluded from 傷病手当金 and 出産手当金 (健保法99条1項 かっこ書,
    /// 102条1項; rules.md §5.1, §5.2).
    #[error("not eligible: 任意継続被保険者 (voluntary continuation) receive no {benefit}")]
    NotEligibleVoluntaryContinuation { benefit: &'static str },
    /// The person was not insured (資格なし) or not a 被扶養者 on the day that matters.
    #[error("not eligible: {reason}")]
    NotQualified { reason: String },
    /// 待期: no 3 consecutive days unable to work (健保法99条1項; rules.md §5.1).
    #[error("待期 (waiting period) not met: at most {longest_run} consecutive day(s) unable to work, 3 needed")]
    WaitingPeriodNotMet { longest_run: u32 },
    /// 通算1年6月 of 傷病手当金 already used up (健保法99条4項; rules.md §5.1).
    #[error("limit reached: the 通算1年6月 ({limit_days} days) of 傷病手当金 is used up")]
    LimitReached { limit_days: u32 },
    /// 出産 means a pregnancy of 85 days (4か月) or more (rules.md §5.3).
    #[error("gestation too short: 妊娠{days}日 is below 85日 (4か月), not 出産")]
    GestationTooShort { days: u32 },
    /// No 標準報酬月額 for the month of the 支給開始日 (健保法99条2項; rules.md §5.1).
    #[error("no 標準報酬月額 (standard monthly remuneration) for {month}")]
    NoStandardRemuneration { month: String },
    /// A parameter the calculation needs was not supplied.
    #[error("missing parameter: {name}")]
    MissingParameter { name: &'static str },
    /// The parameter supplied starts after the day the calculation is made for.
    #[error("parameter {key} (in force from {effective_from}) is not in force on {on}")]
    ParameterNotInForce {
        key: String,
        effective_from: Date,
        on: Date,
    },
    /// The value given with a parameter differs from the value in its reference.
    #[error("parameter {key}: value {value} differs from its reference value {reference_value}")]
    ParameterMismatch {
        key: String,
        value: String,
        reference_value: String,
    },
    /// The claimed days lie outside the period the benefit covers (出産手当金の支給期間 etc.).
    #[error("outside the benefit period: {detail}")]
    OutsideBenefitPeriod { detail: String },
    /// A rule this module does not implement (e.g. the pre-2022 calendar 1年6月 of 傷病手当金).
    #[error("unsupported: {detail}")]
    Unsupported { detail: String },
    /// 所得区分 not present in the supplied limit table (高額介護合算療養費).
    #[error("所得区分 (income category) {category} is not in the limit table")]
    IncomeCategoryNotInTable { category: String },
    /// 高額介護合算療養費 needs both 医療 and 介護 自己負担 in the 給付年度 (rules.md §5.7).
    #[error("高額介護合算療養費 needs both 医療 and 介護 自己負担 (combined burden) in the year")]
    NoCombinedBurden,
    /// The input contradicts itself (dates out of order, negative amounts, duplicates).
    #[error("invalid input: {detail}")]
    InvalidInput { detail: String },
}

impl BenefitCalcError {
    /// Stable snake_case code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotEligibleVoluntaryContinuation { .. } => "not_eligible_voluntary_continuation",
            Self::NotQualified { .. } => "not_qualified",
            Self::WaitingPeriodNotMet { .. } => "waiting_period_not_met",
            Self::LimitReached { .. } => "limit_reached",
            Self::GestationTooShort { .. } => "gestation_too_short",
            Self::NoStandardRemuneration { .. } => "no_standard_remuneration",
            Self::MissingParameter { .. } => "missing_parameter",
            Self::ParameterNotInForce { .. } => "parameter_not_in_force",
            Self::ParameterMismatch { .. } => "parameter_mismatch",
            Self::OutsideBenefitPeriod { .. } => "outside_benefit_period",
            Self::Unsupported { .. } => "unsupported",
            Self::IncomeCategoryNotInTable { .. } => "income_category_not_in_table",
            Self::NoCombinedBurden => "no_combined_burden",
            Self::InvalidInput { .. } => "invalid_input",
        }
    }

    pub(crate) fn invalid(detail: impl Into<String>) -> Self {
        Self::InvalidInput {
            detail: detail.into(),
        }
    }

    pub(crate) fn not_qualified(reason: impl Into<String>) -> Self {
        Self::NotQualified {
            reason: reason.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable_snake_case() {
        let errors = [
            BenefitCalcError::NotEligibleVoluntaryContinuation {
                benefit: "傷病手当金",
            },
            BenefitCalcError::WaitingPeriodNotMet { longest_run: 2 },
            BenefitCalcError::LimitReached { limit_days: 549 },
            BenefitCalcError::GestationTooShort { days: 84 },
            BenefitCalcError::NoCombinedBurden,
        ];
        let codes: Vec<&str> = errors.iter().map(BenefitCalcError::code).collect();
        assert_eq!(
            codes,
            [
                "not_eligible_voluntary_continuation",
                "waiting_period_not_met",
                "limit_reached",
                "gestation_too_short",
                "no_combined_burden"
            ]
        );
        assert!(errors[1].to_string().contains("待期"));
    }
}
