//! The access log of personal-data reads (個人情報アクセス記録): every GET under `/api/v1` that
//! answers with personal data records who read, when, from where, through which route, whose
//! data and how many records — after the data is read and before it is answered. When the row
//! cannot be written the read fails and nothing is answered (fail closed).
//!
//! Not logged here: `/openapi.json` and `/parameters…` (law figures, no persons), and the
//! 個人番号 routes (`/my-number/…`, `GET /persons/{id}/my-number`), whose every access is in the
//! My Number access log ([`super::my_number::access_log`]).
//!
//! Whose data an answer held is found in the answer itself ([`Subjects::of`]): every
//! `…person_id` field, every `person_ids` list, and the person of every `person-…`,
//! `my_number-…` and `premium_account-…` stream id (those streams are keyed by the person);
//! staff accounts (ユーザ管理簿: staff are persons too) by their `staff_id` fields, in a column
//! of their own. The log never holds a 個人番号: it keeps ids only.

use std::collections::BTreeSet;

use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use crate::auth::Staff;

/// Why a read could not be logged (the read then fails).
#[derive(Debug, thiserror::Error)]
pub enum ReadLogError {
    #[error("the read could not be logged: {0}")]
    Write(#[from] sqlx::Error),
    #[error("the answer could not be inspected for the read log: {0}")]
    Inspect(#[from] serde_json::Error),
}

/// Stream kinds whose stream id carries the person's id.
const PERSON_KEYED_STREAMS: &[&str] = &["person", "my_number", "premium_account"];

/// Whose data an answer held.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Subjects {
    pub persons: BTreeSet<Uuid>,
    /// Staff accounts of the ユーザ管理簿.
    pub staff: BTreeSet<String>,
}

impl Subjects {
    /// The persons and staff accounts named anywhere in `answer`.
    pub fn of(answer: &Value) -> Self {
        let mut subjects = Self::default();
        subjects.walk(answer);
        subjects
    }

    fn walk(&mut self, value: &Value) {
        match value {
            Value::Object(fields) => {
                for (key, value) in fields {
                    self.field(key, value);
                    self.walk(value);
                }
            }
            Value::Array(items) => items.iter().for_each(|item| self.walk(item)),
            _ => {}
        }
    }

    fn field(&mut self, key: &str, value: &Value) {
        let uuid = |v: &Value| v.as_str().and_then(|s| Uuid::parse_str(s).ok());
        let texts = |v: &Value| -> Vec<String> {
            v.as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default()
        };
        if key.ends_with("person_id") {
            self.persons.extend(uuid(value));
        } else if key == "person_ids" {
            self.persons
                .extend(texts(value).iter().filter_map(|s| Uuid::parse_str(s).ok()));
        } else if key == "stream_id" {
            if let Some((kind, id)) = value.as_str().and_then(|s| s.split_once('-')) {
                if PERSON_KEYED_STREAMS.contains(&kind) {
                    self.persons.extend(Uuid::parse_str(id).ok());
                }
            }
        } else if key == "staff_id" {
            self.staff.extend(value.as_str().map(str::to_owned));
        } else if key == "staff_ids" {
            self.staff.extend(texts(value));
        }
    }
}

/// Record that `staff` read `answer`, which held `rows` records (list items; 1 for a single
/// record), before it is answered. The endpoint is the route template the extractor took
/// ([`Staff::endpoint`]). A handler that still holds a connection (or a transaction) passes
/// it: asking the pool for a second one while holding the first starves the pool under load.
pub async fn record<'e, T: Serialize + ?Sized>(
    executor: impl sqlx::PgExecutor<'e>,
    staff: &Staff,
    answer: &T,
    rows: usize,
) -> Result<(), ReadLogError> {
    let subjects = Subjects::of(&serde_json::to_value(answer)?);
    let persons: Vec<Uuid> = subjects.persons.into_iter().collect();
    let staff_read: Vec<String> = subjects.staff.into_iter().collect();
    let roles: Vec<&str> = staff.claims.roles.iter().map(|r| r.as_str()).collect();
    sqlx::query(
        "INSERT INTO personal_data_access_log (staff_id, roles, client_address, terminal_id,
                                               request_id, endpoint, person_ids, staff_ids,
                                               row_count)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&staff.claims.sub)
    .bind(&roles)
    .bind(&staff.client_address)
    .bind(&staff.terminal_id)
    .bind(&staff.request_id)
    .bind(&staff.endpoint)
    .bind(&persons)
    .bind(&staff_read)
    .bind(i32::try_from(rows).unwrap_or(i32::MAX))
    .execute(executor)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn persons_come_from_person_fields_lists_and_person_keyed_streams() {
        let a = Uuid::now_v7();
        let b = Uuid::now_v7();
        let c = Uuid::now_v7();
        let d = Uuid::now_v7();
        let claim = Uuid::now_v7();
        let answer = json!({
            "members": [{ "person_id": a.to_string(), "insured_person_id": b.to_string() }],
            "events": [
                { "stream_id": format!("premium_account-{c}"), "payload": {} },
                { "stream_id": format!("benefit_claim-{claim}"),
                  "payload": { "ClaimReceived": { "beneficiary_person_id": d.to_string() } } }
            ],
            "records": [{ "person_ids": [a.to_string()], "staff_id": "clerk1" }],
            "note": "person_id in a text is not an id"
        });
        let subjects = Subjects::of(&answer);
        assert_eq!(subjects.persons, BTreeSet::from([a, b, c, d]));
        assert_eq!(subjects.staff, BTreeSet::from(["clerk1".to_owned()]));
    }
}
