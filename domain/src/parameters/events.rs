//! Events of the [`super::Parameter`] aggregate. `event_type()` strings and
//! `event_version()` are stable.

use cqrs_es::DomainEvent;
use serde::{Deserialize, Serialize};

use super::key::ParameterKey;
use super::value::ParameterValue;
use crate::calendar::Date;

/// An event of the [`super::Parameter`] aggregate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ParameterEvent {
    /// A value in force from a date was recorded.
    ValueSet(ValueSet),
    /// A mistaken entry was corrected.
    ValueCorrected(ValueCorrected),
}

impl ParameterEvent {
    /// Every event type string.
    pub const EVENT_TYPES: [&'static str; 2] = ["ValueSet", "ValueCorrected"];

    /// The event's type name (the variant name, also its serde tag).
    pub const fn type_name(&self) -> &'static str {
        match self {
            Self::ValueSet(_) => "ValueSet",
            Self::ValueCorrected(_) => "ValueCorrected",
        }
    }

    /// The parameter the event belongs to.
    pub const fn key(&self) -> ParameterKey {
        match self {
            Self::ValueSet(e) => e.key,
            Self::ValueCorrected(e) => e.key,
        }
    }
}

impl DomainEvent for ParameterEvent {
    fn event_type(&self) -> String {
        self.type_name().to_string()
    }

    fn event_version(&self) -> String {
        "1.0".to_string()
    }
}

/// `value` is in force from `effective_from` until the next entry's date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValueSet {
    pub key: ParameterKey,
    pub effective_from: Date,
    pub value: ParameterValue,
    /// 告示, 規約 or 法令.
    pub source: String,
    pub reason: String,
}

/// The entry recorded at stream version `corrects_version` (in force from
/// `previous_effective_from`) is replaced by this one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValueCorrected {
    pub key: ParameterKey,
    pub corrects_version: i64,
    pub previous_effective_from: Date,
    pub effective_from: Date,
    pub value: ParameterValue,
    pub source: String,
    /// Why the entry was wrong.
    pub reason: String,
}
