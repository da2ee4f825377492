//! Loading and saving `parameters` rows. The registry is small (a dozen keys, a few entries
//! each): a save replaces every row of the keys it touches.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use kenpo_domain::parameters::ParameterKey;
use sqlx::PgConnection;

use super::view::{EntryRow, ParameterEntries};
use crate::ProjectionError;

pub(super) type Row = (
    String,
    NaiveDate,
    String,
    String,
    i64,
    Option<i64>,
    String,
    String,
    DateTime<Utc>,
    String,
);

pub(super) const COLUMNS: &str = "key, effective_from, kind, value, version, corrects_version, source, reason, recorded_at, recorded_by";

pub(super) fn entry(row: Row) -> Result<EntryRow, ProjectionError> {
    let (key, from, kind, value, version, corrects, source, reason, at, by) = row;
    Ok(EntryRow {
        key: from_text(key)?,
        effective_from: from.into(),
        kind: from_text(kind)?,
        value,
        version,
        corrects_version: corrects,
        source,
        reason,
        recorded_at: at,
        recorded_by: by,
    })
}

/// A snake_case enum from its text.
fn from_text<T: serde::de::DeserializeOwned>(text: String) -> Result<T, ProjectionError> {
    Ok(serde_json::from_value(serde_json::Value::String(text))?)
}

/// Current entries of `keys`.
pub async fn load(
    conn: &mut PgConnection,
    keys: &[ParameterKey],
) -> Result<HashMap<ParameterKey, ParameterEntries>, ProjectionError> {
    let names: Vec<&str> = keys.iter().map(|k| k.as_str()).collect();
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM parameters WHERE key = ANY($1)"
    ))
    .bind(&names)
    .fetch_all(&mut *conn)
    .await?;
    let mut views = HashMap::new();
    for row in rows {
        let row = entry(row)?;
        views
            .entry(row.key)
            .or_insert_with(|| ParameterEntries::empty(row.key))
            .entries
            .insert(row.effective_from, row);
    }
    Ok(views)
}

/// Replace the rows of each view's key with its entries.
pub async fn save(
    conn: &mut PgConnection,
    views: &[&ParameterEntries],
) -> Result<(), ProjectionError> {
    let names: Vec<&str> = views.iter().map(|v| v.key.as_str()).collect();
    sqlx::query("DELETE FROM parameters WHERE key = ANY($1)")
        .bind(&names)
        .execute(&mut *conn)
        .await?;
    let rows: Vec<&EntryRow> = views.iter().flat_map(|v| v.entries.values()).collect();
    if rows.is_empty() {
        return Ok(());
    }
    let keys: Vec<&str> = rows.iter().map(|r| r.key.as_str()).collect();
    let dates: Vec<NaiveDate> = rows.iter().map(|r| r.effective_from.into()).collect();
    let kinds: Vec<&str> = rows.iter().map(|r| r.kind.as_str()).collect();
    let values: Vec<&str> = rows.iter().map(|r| r.value.as_str()).collect();
    let versions: Vec<i64> = rows.iter().map(|r| r.version).collect();
    let corrects: Vec<Option<i64>> = rows.iter().map(|r| r.corrects_version).collect();
    let sources: Vec<&str> = rows.iter().map(|r| r.source.as_str()).collect();
    let reasons: Vec<&str> = rows.iter().map(|r| r.reason.as_str()).collect();
    let ats: Vec<DateTime<Utc>> = rows.iter().map(|r| r.recorded_at).collect();
    let bys: Vec<&str> = rows.iter().map(|r| r.recorded_by.as_str()).collect();
    sqlx::query(&format!(
        "INSERT INTO parameters ({COLUMNS})
         SELECT * FROM unnest($1::text[], $2::date[], $3::text[], $4::text[], $5::bigint[],
                              $6::bigint[], $7::text[], $8::text[], $9::timestamptz[], $10::text[])"
    ))
    .bind(&keys)
    .bind(&dates)
    .bind(&kinds)
    .bind(&values)
    .bind(&versions)
    .bind(&corrects)
    .bind(&sources)
    .bind(&reasons)
    .bind(&ats)
    .bind(&bys)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
