//! The [`Parameter`] aggregate: one stream per [`ParameterKey`], holding its values by the
//! date they take effect.

use std::collections::BTreeMap;

use cqrs_es::event_sink::EventSink;
use cqrs_es::Aggregate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::commands::{CorrectValue, ParameterCommand, SetValue};
use super::error::ParameterError;
use super::events::{ParameterEvent, ValueCorrected, ValueSet};
use super::key::ParameterKey;
use super::value::ParameterValue;
use crate::basis::ParameterRef;
use crate::calendar::Date;

/// Stream type (and `Aggregate::TYPE`): streams are `parameter-<uuid>`.
pub const STREAM_TYPE: &str = "parameter";

/// Namespace of the UUID v5 that names a parameter's stream: the stream of key `k` is
/// `parameter-<uuid v5 of k's snake_case name under this namespace>`. Fixed for ever.
pub const PARAMETER_NAMESPACE: Uuid = Uuid::from_u128(0x6b65_6e70_6f00_4a5b_9c1d_7061_7261_6d01);

/// Longest `source` accepted.
pub const SOURCE_MAX_CHARS: usize = 500;
/// Longest `reason` accepted.
pub const REASON_MAX_CHARS: usize = 1_000;

/// One value of a parameter, in force from `effective_from` until the next entry's date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub effective_from: Date,
    pub value: ParameterValue,
    pub source: String,
    pub reason: String,
    /// Stream version of the event that recorded the entry as it stands (a `ValueSet`, or the
    /// last `ValueCorrected` of it).
    pub version: i64,
    /// The version this entry corrected, when it is a correction.
    pub corrects_version: Option<i64>,
}

impl Entry {
    /// The entry as a calculation cites it.
    pub fn parameter_ref(&self, key: ParameterKey) -> ParameterRef {
        ParameterRef {
            key: key.as_str().to_owned(),
            version: self.version,
            effective_from: self.effective_from,
            value: self.value.to_text(),
        }
    }
}

/// 保険者パラメータ (a society parameter): its effective-dated values. Entries are never
/// removed: a mistaken one is replaced by a correction that keeps the mistake in the stream.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Parameter {
    key: Option<ParameterKey>,
    version: i64,
    entries: BTreeMap<Date, Entry>,
}

impl Aggregate for Parameter {
    const TYPE: &'static str = STREAM_TYPE;
    type Command = ParameterCommand;
    type Event = ParameterEvent;
    type Error = ParameterError;
    type Services = ();

    async fn handle(
        &mut self,
        command: Self::Command,
        _services: &Self::Services,
        sink: &EventSink<Self>,
    ) -> Result<(), Self::Error> {
        for event in self.decide(command)? {
            sink.write(event, self).await;
        }
        Ok(())
    }

    fn apply(&mut self, event: Self::Event) {
        self.version += 1;
        match event {
            ParameterEvent::ValueSet(e) => {
                self.key = Some(e.key);
                self.entries.insert(
                    e.effective_from,
                    Entry {
                        effective_from: e.effective_from,
                        value: e.value,
                        source: e.source,
                        reason: e.reason,
                        version: self.version,
                        corrects_version: None,
                    },
                );
            }
            ParameterEvent::ValueCorrected(e) => {
                self.key = Some(e.key);
                self.entries.remove(&e.previous_effective_from);
                self.entries.insert(
                    e.effective_from,
                    Entry {
                        effective_from: e.effective_from,
                        value: e.value,
                        source: e.source,
                        reason: e.reason,
                        version: self.version,
                        corrects_version: Some(e.corrects_version),
                    },
                );
            }
        }
    }
}

impl Parameter {
    /// The UUID in the stream id of `key` (UUID v5, see [`PARAMETER_NAMESPACE`]).
    pub fn stream_uuid(key: ParameterKey) -> Uuid {
        Uuid::new_v5(&PARAMETER_NAMESPACE, key.as_str().as_bytes())
    }

    /// The key, once any event is recorded.
    pub fn key(&self) -> Option<ParameterKey> {
        self.key
    }

    /// The stream version (events folded).
    pub fn version(&self) -> i64 {
        self.version
    }

    /// The entries in force, by date.
    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.entries.values()
    }

    /// The entry in force on `date`: the latest whose `effective_from` is not after it.
    pub fn entry_on(&self, date: Date) -> Option<&Entry> {
        self.entries.range(..=date).next_back().map(|(_, e)| e)
    }

    /// The value in force on `date` and its reference for a 算定根拠, whose version is the
    /// stream version of the event that set it.
    pub fn value_on(&self, date: Date) -> Option<(ParameterValue, ParameterRef)> {
        let key = self.key?;
        self.entry_on(date)
            .map(|e| (e.value.clone(), e.parameter_ref(key)))
    }

    /// Decide what a command records, without changing the aggregate.
    pub fn decide(&self, command: ParameterCommand) -> Result<Vec<ParameterEvent>, ParameterError> {
        match command {
            ParameterCommand::SetValue(set) => self.decide_set(set),
            ParameterCommand::CorrectValue(correct) => self.decide_correct(correct),
        }
    }

    fn decide_set(&self, set: SetValue) -> Result<Vec<ParameterEvent>, ParameterError> {
        self.check_key(set.key)?;
        set.value.check(set.key)?;
        check_date(set.key, set.effective_from)?;
        let source = text("source", &set.source, SOURCE_MAX_CHARS)?;
        let reason = text("reason", &set.reason, REASON_MAX_CHARS)?;
        if let Some(existing) = self.entries.get(&set.effective_from) {
            return Err(ParameterError::EffectiveFromTaken {
                key: set.key,
                effective_from: set.effective_from,
                version: existing.version,
            });
        }
        Ok(vec![ParameterEvent::ValueSet(ValueSet {
            key: set.key,
            effective_from: set.effective_from,
            value: set.value,
            source,
            reason,
        })])
    }

    fn decide_correct(&self, correct: CorrectValue) -> Result<Vec<ParameterEvent>, ParameterError> {
        self.check_key(correct.key)?;
        let key = correct.key;
        let entry = self
            .entries
            .values()
            .find(|e| e.version == correct.corrects_version)
            .ok_or(ParameterError::NoSuchEntry {
                key,
                version: correct.corrects_version,
            })?;
        let value = correct.value.unwrap_or_else(|| entry.value.clone());
        value.check(key)?;
        let effective_from = correct.effective_from.unwrap_or(entry.effective_from);
        check_date(key, effective_from)?;
        let source = match correct.source {
            Some(source) => text("source", &source, SOURCE_MAX_CHARS)?,
            None => entry.source.clone(),
        };
        let reason = text("reason", &correct.reason, REASON_MAX_CHARS)?;
        if let Some(other) = self
            .entries
            .get(&effective_from)
            .filter(|other| other.version != entry.version)
        {
            return Err(ParameterError::EffectiveFromTaken {
                key,
                effective_from,
                version: other.version,
            });
        }
        if effective_from == entry.effective_from && value == entry.value && source == entry.source
        {
            return Err(ParameterError::NoChange);
        }
        Ok(vec![ParameterEvent::ValueCorrected(ValueCorrected {
            key,
            corrects_version: entry.version,
            previous_effective_from: entry.effective_from,
            effective_from,
            value,
            source,
            reason,
        })])
    }

    fn check_key(&self, given: ParameterKey) -> Result<(), ParameterError> {
        match self.key {
            Some(expected) if expected != given => {
                Err(ParameterError::KeyMismatch { expected, given })
            }
            _ => Ok(()),
        }
    }
}

/// A monthly parameter takes effect on the 1st of a month.
fn check_date(key: ParameterKey, effective_from: Date) -> Result<(), ParameterError> {
    if key.monthly() && effective_from.day() != 1 {
        return Err(ParameterError::NotFirstOfMonth {
            key,
            given: effective_from,
        });
    }
    Ok(())
}

/// A required free text, trimmed.
fn text(field: &'static str, given: &str, max: usize) -> Result<String, ParameterError> {
    let trimmed = given.trim();
    if trimmed.is_empty() {
        return Err(ParameterError::MissingText { field });
    }
    if trimmed.chars().count() > max {
        return Err(ParameterError::TextTooLong { field, max });
    }
    Ok(trimmed.to_owned())
}
