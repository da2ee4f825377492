//! Commands of the [`super::Parameter`] aggregate.

use super::key::ParameterKey;
use super::value::ParameterValue;
use crate::calendar::Date;

/// A command on one parameter's stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParameterCommand {
    SetValue(SetValue),
    CorrectValue(CorrectValue),
}

/// Record a value in force from `effective_from` until the next entry's date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetValue {
    pub key: ParameterKey,
    pub effective_from: Date,
    pub value: ParameterValue,
    /// The 告示, 規約 or 法令 the value comes from.
    pub source: String,
    /// Why it is entered now.
    pub reason: String,
}

/// Correct a mistaken entry: the entry recorded (or last corrected) at stream version
/// `corrects_version`. What is not given stays as it was. The mistaken entry stays in the
/// stream; the correction references it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorrectValue {
    pub key: ParameterKey,
    pub corrects_version: i64,
    pub effective_from: Option<Date>,
    pub value: Option<ParameterValue>,
    pub source: Option<String>,
    /// Why the entry was wrong.
    pub reason: String,
}
