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
    /// 104条 (also as applied by 105条・106条): fewer than 1 year of continuous insurance
    /// (任意継続 excluded) up to the day before the 資格喪失日 (rules.md §5.1, §5.3).
    #[error("{article}: not insured continuously for 1 year up to the day before {reference_date} (任意継続 excluded): {since}", since = match continuous_since {
        Some(since) => format!("insured from {since}; one year would be complete on {}", since.anniversary(1)),
        None => "no 強制 insurance ends on that day".to_owned(),
    })]
    InsuredLessThanOneYear {
        article: &'static str,
        /// The 資格喪失日 the year is counted up to (a 任意継続's 資格取得日 for its loss).
        reference_date: Date,
        continuous_since: Option<Date>,
    },
    /// 104条: the claim has days after the 資格喪失日 but does not state the insured's status on
    /// the last day insured (`details.at_loss`).
    #[error("健保法104条: days claimed after the 資格喪失日 {lost_on} need details.at_loss (receiving_or_entitled and worked_on_last_day on {last_day})", last_day = lost_on.previous_day())]
    AtLossRequired { lost_on: Date },
    /// 104条: not receiving nor entitled to the benefit when the qualification was lost.
    #[error("健保法104条: not receiving nor entitled to the benefit at the loss of qualification on {lost_on}: {detail}")]
    NotReceivingAtLoss { lost_on: Date, detail: String },
    /// 104条: the insured worked on the last day insured (rules.md §5.1).
    #[error("健保法104条: the insured worked on the last day insured ({last_day}); there is no continued benefit after the loss")]
    WorkedOnLastDay { last_day: Date },
    /// 105条 / 106条: the death or birth is after the months the article allows after the loss.
    #[error("{article}: {event_date} is later than {months} months after the 資格喪失日 {lost_on} (the last day covered is {window_end})")]
    AfterLossPeriodExceeded {
        article: &'static str,
        months: i32,
        lost_on: Date,
        window_end: Date,
        event_date: Date,
    },
    /// A 被扶養者's birth or death after the insured's loss of qualification (rules.md §5.3, §5.4).
    #[error("{article}: the insured lost the qualification on {lost_on}; a 被扶養者's birth or death on {event_date} after it is not covered (106条・105条 cover the insured's own)")]
    FamilyBenefitAfterLoss {
        article: &'static str,
        lost_on: Date,
        event_date: Date,
    },
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
            Self::InsuredLessThanOneYear { .. } => "insured_less_than_one_year",
            Self::AtLossRequired { .. } => "at_loss_required",
            Self::NotReceivingAtLoss { .. } => "not_receiving_at_loss",
            Self::WorkedOnLastDay { .. } => "worked_on_last_day",
            Self::AfterLossPeriodExceeded { .. } => "after_loss_period_exceeded",
            Self::FamilyBenefitAfterLoss { .. } => "family_benefit_after_loss",
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
