//! 保険者パラメータ (the society parameter registry): every rate and amount a calculation
//! uses, effective-dated and event-sourced — one [`Parameter`] stream per [`ParameterKey`].
//!
//! Rates (一般・特定・調整・介護保険料率, 子ども・子育て支援金率, 事業主負担割合) are exact
//! [`Decimal`]s, amounts integer [`crate::money::Yen`]. A value is in force from its
//! `effective_from` until the next entry's date; [`Parameter::value_on`] answers with the value
//! and the [`crate::basis::ParameterRef`] a 算定根拠 cites. Statutory values ship with kenpo
//! ([`statutory_values`]); the society's own are entered by the システム担当 (rules.md §3.2,
//! §3.7, §5.1, §7 item 10). A mistaken entry is corrected, never erased.

mod aggregate;
mod commands;
mod error;
mod events;
mod key;
mod statutory;
mod value;

#[cfg(test)]
mod tests;

pub use aggregate::{
    Entry, Parameter, PARAMETER_NAMESPACE, REASON_MAX_CHARS, SOURCE_MAX_CHARS, STREAM_TYPE,
};
pub use commands::{CorrectValue, ParameterCommand, SetValue};
pub use error::{ErrorCategory, MissingParameter, ParameterError};
pub use events::{ParameterEvent, ValueCorrected, ValueSet};
pub use key::{Origin, ParameterKey, UnknownParameter, ValueKind};
pub use rust_decimal::Decimal;
pub use statutory::{statutory_values, StatutoryValue, SEED_ACTOR, SEED_REASON};
pub use value::{ParameterValue, RawValue, KNOWN_GRADE_TABLES, RATE_MAX_DECIMALS};
