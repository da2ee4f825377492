//! The entries of one parameter, folded from its events (no I/O).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use kenpo_domain::basis::ParameterRef;
use kenpo_domain::calendar::Date;
use kenpo_domain::parameters::{ParameterEvent, ParameterKey, ParameterValue, ValueKind};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::ParameterEventAt;

/// One entry in force: a value from `effective_from` until the next entry's date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct EntryRow {
    pub key: ParameterKey,
    pub effective_from: Date,
    pub kind: ValueKind,
    /// The value as exact text: "0.0985", "500000", "2016-04-01".
    pub value: String,
    /// Stream version of the event that recorded the entry as it stands: the
    /// `ParameterRef.version` a calculation cites.
    pub version: i64,
    /// The version this entry corrected, if it is a correction.
    pub corrects_version: Option<i64>,
    /// 告示, 規約 or 法令.
    pub source: String,
    pub reason: String,
    pub recorded_at: DateTime<Utc>,
    /// 職員ID, or `seed` for statutory values shipped with kenpo.
    pub recorded_by: String,
}

impl EntryRow {
    /// The entry as a calculation cites it.
    pub fn parameter_ref(&self) -> ParameterRef {
        ParameterRef {
            key: self.key.as_str().to_owned(),
            version: self.version,
            effective_from: self.effective_from,
            value: self.value.clone(),
        }
    }

    /// The typed value (`None` only if the row was written by something else than the fold).
    pub fn typed_value(&self) -> Option<ParameterValue> {
        ParameterValue::from_text(self.kind, &self.value)
    }
}

/// The entries of one parameter, by date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParameterEntries {
    pub key: ParameterKey,
    pub entries: BTreeMap<Date, EntryRow>,
}

impl ParameterEntries {
    /// No entries yet.
    pub fn empty(key: ParameterKey) -> Self {
        Self {
            key,
            entries: BTreeMap::new(),
        }
    }

    /// Fold one event.
    pub fn apply(&mut self, at: &ParameterEventAt) {
        let (effective_from, value, source, reason, corrects) = match &at.event {
            ParameterEvent::ValueSet(e) => (e.effective_from, &e.value, &e.source, &e.reason, None),
            ParameterEvent::ValueCorrected(e) => {
                self.entries.remove(&e.previous_effective_from);
                (
                    e.effective_from,
                    &e.value,
                    &e.source,
                    &e.reason,
                    Some(e.corrects_version),
                )
            }
        };
        self.entries.insert(
            effective_from,
            EntryRow {
                key: self.key,
                effective_from,
                kind: value.kind(),
                value: value.to_text(),
                version: at.version,
                corrects_version: corrects,
                source: source.clone(),
                reason: reason.clone(),
                recorded_at: at.recorded_at,
                recorded_by: at.recorded_by.clone(),
            },
        );
    }
}
