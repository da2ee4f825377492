//! Queries on the parameter registry's read model.

use chrono::NaiveDate;
use kenpo_domain::calendar::Date;
use kenpo_domain::parameters::ParameterKey;
use sqlx::PgExecutor;

use super::store::{entry, Row, COLUMNS};
use super::view::EntryRow;
use crate::ProjectionError;

/// The entry of `key` in force on `on`: the latest whose `effective_from` is not after it.
pub async fn in_force<'e>(
    executor: impl PgExecutor<'e>,
    key: ParameterKey,
    on: Date,
) -> Result<Option<EntryRow>, ProjectionError> {
    let row: Option<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM parameters WHERE key = $1 AND effective_from <= $2
         ORDER BY effective_from DESC LIMIT 1"
    ))
    .bind(key.as_str())
    .bind(NaiveDate::from(on))
    .fetch_optional(executor)
    .await?;
    row.map(entry).transpose()
}

/// Every entry, by key, newest first within a key.
pub async fn list<'e>(executor: impl PgExecutor<'e>) -> Result<Vec<EntryRow>, ProjectionError> {
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM parameters ORDER BY key, effective_from DESC"
    ))
    .fetch_all(executor)
    .await?;
    rows.into_iter().map(entry).collect()
}

/// Every entry of `key`, newest first.
pub async fn history<'e>(
    executor: impl PgExecutor<'e>,
    key: ParameterKey,
) -> Result<Vec<EntryRow>, ProjectionError> {
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM parameters WHERE key = $1 ORDER BY effective_from DESC"
    ))
    .bind(key.as_str())
    .fetch_all(executor)
    .await?;
    rows.into_iter().map(entry).collect()
}
