//! [`ParameterError`]: why a command on a [`super::Parameter`] was refused; and
//! [`MissingParameter`]: a calculation needs a value the registry does not have.

use rust_decimal::Decimal;
use thiserror::Error;

use super::key::{ParameterKey, ValueKind};
use crate::calendar::Date;
use crate::money::Yen;

/// How an error maps onto HTTP: the domain-wide [`crate::refusal::RefusalCategory`].
pub use crate::refusal::RefusalCategory as ErrorCategory;

/// A command refused by the [`super::Parameter`] aggregate; [`ParameterError::code`] is the
/// stable machine code. Nothing is recorded.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ParameterError {
    #[error("{label} ({key}) takes a {kind} value; {given} is not one", label = key.label(), kind = kind.as_str())]
    WrongKind {
        key: ParameterKey,
        kind: ValueKind,
        given: String,
    },
    #[error("{label} ({key}): {given} has {decimals} decimal places; a rate has at most 6", label = key.label())]
    TooManyDecimals {
        key: ParameterKey,
        given: Decimal,
        decimals: u32,
    },
    #[error("{label} ({key}): {given} is outside {low} ≤ r {op} {high} ({basis})", label = key.label(), op = if *high_inclusive { "≤" } else { "<" })]
    RateOutOfRange {
        key: ParameterKey,
        given: Decimal,
        low: Decimal,
        high: Decimal,
        high_inclusive: bool,
        basis: &'static str,
    },
    #[error("{label} ({key}): an amount must be more than 0 yen, not {given}", label = key.label())]
    NotPositive { key: ParameterKey, given: Yen },
    #[error("{label} ({key}) is a 標準報酬月額: {given} is not a grade of the table (健保法40条1項); the grade for it is {nearest}", label = key.label())]
    NotAGradeAmount {
        key: ParameterKey,
        given: Yen,
        nearest: Yen,
    },
    #[error("there is no 標準報酬月額 grade table in force from {given} in kenpo; the tables are: 2016-04-01")]
    UnknownGradeTable { given: Date },
    #[error("{label} ({key}) applies per 月分 (premiums are assessed per month): it takes effect on the 1st of a month, not on {given}", label = key.label())]
    NotFirstOfMonth { key: ParameterKey, given: Date },
    #[error("a {field} is required: name the 告示, 規約 or 法令 (source) and why the value is entered (reason)")]
    MissingText { field: &'static str },
    #[error("the {field} is longer than {max} characters")]
    TextTooLong { field: &'static str, max: usize },
    #[error("the command is for {given}, but this stream holds {expected}")]
    KeyMismatch {
        expected: ParameterKey,
        given: ParameterKey,
    },
    #[error("{label} ({key}) already has a value from {effective_from} (version {version}); to change it, correct that entry (POST /api/v1/parameters/{key}/corrections with corrects_version {version})", label = key.label())]
    EffectiveFromTaken {
        key: ParameterKey,
        effective_from: Date,
        version: i64,
    },
    #[error("{label} ({key}) has no current entry recorded at version {version}; correct the entry's latest version (GET /api/v1/parameters lists them)", label = key.label())]
    NoSuchEntry { key: ParameterKey, version: i64 },
    #[error("the correction changes nothing: the entry already has this date, value and source")]
    NoChange,
}

crate::refusal::refusal_by_inherent_methods!(ParameterError);

impl ParameterError {
    /// Stable machine-readable code.
    pub const fn code(&self) -> &'static str {
        match self {
            Self::WrongKind { .. } => "invalid_parameter_value",
            Self::TooManyDecimals { .. } => "rate_too_many_decimals",
            Self::RateOutOfRange { .. } => "rate_out_of_range",
            Self::NotPositive { .. } => "amount_not_positive",
            Self::NotAGradeAmount { .. } => "not_a_grade_amount",
            Self::UnknownGradeTable { .. } => "unknown_grade_table",
            Self::NotFirstOfMonth { .. } => "not_first_of_month",
            Self::MissingText { .. } => "missing_text",
            Self::TextTooLong { .. } => "text_too_long",
            Self::KeyMismatch { .. } => "parameter_key_mismatch",
            Self::EffectiveFromTaken { .. } => "effective_from_taken",
            Self::NoSuchEntry { .. } => "parameter_entry_not_found",
            Self::NoChange => "no_change",
        }
    }

    /// How the refusal maps onto HTTP.
    pub const fn category(&self) -> ErrorCategory {
        match self {
            Self::EffectiveFromTaken { .. } | Self::KeyMismatch { .. } => ErrorCategory::Conflict,
            Self::NoSuchEntry { .. } => ErrorCategory::NotFound,
            _ => ErrorCategory::Invalid,
        }
    }
}

/// A calculation needs `key` on `on`, and the registry has no value in force then.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{label} ({key}) is not set for {on}; set it with POST /api/v1/parameters/{key}", label = key.label())]
pub struct MissingParameter {
    pub key: ParameterKey,
    pub on: Date,
}

impl MissingParameter {
    /// Stable machine-readable code.
    pub const CODE: &'static str = "parameter_not_set";
}
