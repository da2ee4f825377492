//! Queries on the 事業主口座 read model.

use chrono::{DateTime, NaiveDate, Utc};
use kenpo_domain::calendar::Date;
use sqlx::PgExecutor;

use super::EmployerAccountRow;
use crate::ProjectionError;

type Row = (
    String,
    NaiveDate,
    Option<NaiveDate>,
    String,
    Option<serde_json::Value>,
    NaiveDate,
    Option<String>,
    i64,
    DateTime<Utc>,
    String,
);

/// Every entry of a 事業所 with its last day (the day before the next entry).
const ENTRIES: &str = "SELECT office_code, effective_from,
        (lead(effective_from) OVER (ORDER BY effective_from) - 1) AS effective_to,
        status, account, received_on, reason, version, recorded_at, recorded_by
   FROM employer_accounts WHERE office_code = $1";

fn entry(row: Row) -> Result<EmployerAccountRow, ProjectionError> {
    let (office_code, from, to, status, account, received_on, reason, version, at, by) = row;
    Ok(EmployerAccountRow {
        office_code,
        effective_from: from.into(),
        effective_to: to.map(Date::from),
        status: serde_json::from_value(serde_json::Value::String(status))?,
        account: account.map(serde_json::from_value).transpose()?,
        received_on: received_on.into(),
        reason,
        version,
        recorded_at: at,
        recorded_by: by,
    })
}

/// The entry of `office_code` in force on `on` (a closure included): the latest whose
/// `effective_from` is not after it.
pub async fn in_force<'e>(
    executor: impl PgExecutor<'e>,
    office_code: &str,
    on: Date,
) -> Result<Option<EmployerAccountRow>, ProjectionError> {
    let row: Option<Row> = sqlx::query_as(&format!(
        "SELECT * FROM ({ENTRIES}) e WHERE effective_from <= $2
          ORDER BY effective_from DESC LIMIT 1"
    ))
    .bind(office_code)
    .bind(NaiveDate::from(on))
    .fetch_optional(executor)
    .await?;
    row.map(entry).transpose()
}

/// Every entry of `office_code`, newest first.
pub async fn history<'e>(
    executor: impl PgExecutor<'e>,
    office_code: &str,
) -> Result<Vec<EmployerAccountRow>, ProjectionError> {
    let rows: Vec<Row> = sqlx::query_as(&format!("{ENTRIES} ORDER BY effective_from DESC"))
        .bind(office_code)
        .fetch_all(executor)
        .await?;
    rows.into_iter().map(entry).collect()
}
