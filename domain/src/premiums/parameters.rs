//! [`Parameter`]: a value used by a premium calculation, paired with the
//! [`ParameterRef`] it came from.
//!
//! Rates, 事業主負担割合, the 任継 上限 and the like are effective-dated parameters of the
//! society (rules.md header: "every amount, rate, threshold and boundary is an effective-dated
//! parameter"; §7 item 10: this society's own parameters come from its 規約 and 告示). The
//! calculations here never look them up: the application layer fills each pair from the
//! parameter registry, the calculation checks that the pair agrees with itself and is in
//! force, and records the reference in the [`crate::basis::Basis`].

use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::error::PremiumCalculationError;
use crate::basis::ParameterRef;
use crate::calendar::{Date, YearMonth};
use crate::money::Yen;

/// A parameter value together with the registry reference it was read from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Parameter<T> {
    /// The value used by the calculation (a rate as an exact decimal, an amount in yen).
    pub value: T,
    /// Where the value came from; recorded in the basis.
    pub reference: ParameterRef,
}

/// A value that can be compared with the text of a [`ParameterRef::value`].
pub trait ParameterValue: Copy {
    /// True when `text` denotes this value (`"0.0985"` and `"0.09850"` denote the same rate).
    fn denoted_by(self, text: &str) -> bool;
}

impl ParameterValue for Decimal {
    fn denoted_by(self, text: &str) -> bool {
        Decimal::from_str(text.trim()).is_ok_and(|parsed| parsed == self)
    }
}

impl ParameterValue for Yen {
    fn denoted_by(self, text: &str) -> bool {
        text.trim()
            .parse::<i64>()
            .is_ok_and(|parsed| parsed == self.amount())
    }
}

impl<T: ParameterValue> Parameter<T> {
    /// Pairs a value with its reference.
    pub fn new(value: T, reference: ParameterRef) -> Self {
        Self { value, reference }
    }

    /// The value, after checking that the reference's text denotes it and that it is in
    /// force in `month` (its `effective_from` is on or before the month's last day). A
    /// mismatch means the basis would not say what was used, so it is refused.
    pub fn value_for(&self, month: YearMonth) -> Result<T, PremiumCalculationError> {
        self.value_on(month.last_day())
    }

    /// As [`Parameter::value_for`], for a parameter that must be in force on `date`.
    pub fn value_on(&self, date: Date) -> Result<T, PremiumCalculationError> {
        if !self.value.denoted_by(&self.reference.value) {
            return Err(PremiumCalculationError::ParameterMismatch {
                key: self.reference.key.clone(),
                recorded: self.reference.value.clone(),
            });
        }
        if self.reference.effective_from > date {
            return Err(PremiumCalculationError::ParameterNotInForce {
                key: self.reference.key.clone(),
                effective_from: self.reference.effective_from,
                date,
            });
        }
        Ok(self.value)
    }
}

/// Builds a [`ParameterRef`]; a convenience for callers and tests.
pub fn parameter_ref(key: &str, version: i64, effective_from: Date, value: &str) -> ParameterRef {
    ParameterRef {
        key: key.to_owned(),
        version,
        effective_from,
        value: value.to_owned(),
    }
}

/// Pushes `reference` onto `list` unless an identical reference is already there.
pub(crate) fn record(list: &mut Vec<ParameterRef>, reference: &ParameterRef) {
    if !list.contains(reference) {
        list.push(reference.clone());
    }
}
