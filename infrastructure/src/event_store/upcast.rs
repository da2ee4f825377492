//! Event schema evolution: stored payloads of older versions are rewritten to the current
//! version when read, never in the table (events are immutable).

use cqrs_es::persist::{EventUpcaster, SerializedEvent};
use serde_json::Value;

/// The upcasters known to the store, applied in order on every read.
#[derive(Default)]
pub struct Upcasters {
    upcasters: Vec<Box<dyn EventUpcaster>>,
}

impl Upcasters {
    /// A chain of upcasters; each one decides by event type and version whether it applies.
    pub fn new(upcasters: Vec<Box<dyn EventUpcaster>>) -> Self {
        Self { upcasters }
    }

    /// Bring a stored payload up to the current version of its event type.
    ///
    /// Returns the (possibly new) event version and payload.
    pub fn upcast(&self, event_type: &str, event_version: &str, payload: Value) -> (String, Value) {
        let mut version = event_version.to_owned();
        let mut payload = payload;
        for upcaster in &self.upcasters {
            if upcaster.can_upcast(event_type, &version) {
                let serialized = SerializedEvent::new(
                    String::new(),
                    0,
                    String::new(),
                    event_type.to_owned(),
                    version.clone(),
                    payload,
                    Value::Null,
                );
                let upcast = upcaster.upcast(serialized);
                version = upcast.event_version;
                payload = upcast.payload;
            }
        }
        (version, payload)
    }
}

impl std::fmt::Debug for Upcasters {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Upcasters")
            .field("count", &self.upcasters.len())
            .finish()
    }
}
