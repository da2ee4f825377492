//! Upcasters: how payloads stored under an older `event_version` are read as the current one.
//! Stored events are never rewritten (ADR 0001); these run on every read.

use cqrs_es::persist::{EventUpcaster, SemanticVersionEventUpcaster};
use serde_json::Value;

/// Every upcaster of the domain, in the order they apply.
pub fn all() -> Vec<Box<dyn EventUpcaster>> {
    vec![Box::new(SemanticVersionEventUpcaster::new(
        "QualificationAcquired",
        "2.0",
        Box::new(acquisition_v1_to_v2),
    ))]
}

/// `QualificationAcquired` 1.x → 2.0.
///
/// Version 1 followed the record layout before the 令和7年5月7日 change of 別添2 (digest.md §1.1,
/// change history L6039–6062): one `address` with a separate `postal_code`. Version 2 has
/// 住民票住所 `resident_address` and an optional 連絡先住所 `contact_address`. The old address
/// was the resident-register address; the postal code is written in front of it.
fn acquisition_v1_to_v2(mut payload: Value) -> Value {
    let Some(body) = payload
        .get_mut("QualificationAcquired")
        .and_then(Value::as_object_mut)
    else {
        return payload;
    };
    if body.contains_key("resident_address") {
        return payload;
    }
    let address = body
        .remove("address")
        .and_then(|a| a.as_str().map(str::to_owned))
        .unwrap_or_default();
    let postal = body
        .remove("postal_code")
        .and_then(|p| p.as_str().map(str::to_owned));
    let resident = match postal {
        Some(code) if !code.is_empty() => format!("〒{code} {address}"),
        _ => address,
    };
    body.insert("resident_address".to_owned(), Value::String(resident));
    body.entry("contact_address").or_insert(Value::Null);
    payload
}
