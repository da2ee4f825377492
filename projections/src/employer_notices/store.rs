//! Loading and saving `employer_notices` rows in batches (one SELECT and one INSERT … ON
//! CONFLICT per batch).

use std::collections::HashMap;

use sqlx::PgConnection;
use uuid::Uuid;

use super::view::EmployerNoticeView;
use crate::ProjectionError;

/// Current rows for `ids` (those that exist).
pub async fn load(
    conn: &mut PgConnection,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, EmployerNoticeView>, ProjectionError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(Uuid, String)> = sqlx::query_as(
        "SELECT notice_id, view::text FROM employer_notices WHERE notice_id = ANY($1)",
    )
    .bind(ids)
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter()
        .map(|(id, view)| Ok((id, serde_json::from_str(&view)?)))
        .collect()
}

/// Insert or replace the rows of `views`.
pub async fn save(
    conn: &mut PgConnection,
    views: &[&EmployerNoticeView],
) -> Result<(), ProjectionError> {
    if views.is_empty() {
        return Ok(());
    }
    let n = views.len();
    let mut ids = Vec::with_capacity(n);
    let mut offices = Vec::with_capacity(n);
    let mut months = Vec::with_capacity(n);
    let mut statuses = Vec::with_capacity(n);
    let mut amounts = Vec::with_capacity(n);
    let mut received = Vec::with_capacity(n);
    let mut docs = Vec::with_capacity(n);
    let mut versions = Vec::with_capacity(n);
    for view in views {
        ids.push(view.notice_id);
        offices.push(view.office_code.as_str());
        months.push(view.month.to_string());
        statuses.push(view.status.as_str());
        amounts.push(view.totals.notice_amount.amount());
        received.push(view.received_total.amount());
        docs.push(serde_json::to_string(view)?);
        versions.push(view.stream_version);
    }
    sqlx::query(
        "INSERT INTO employer_notices (notice_id, office_code, month, status, notice_amount,
                                       received_total, view, stream_version)
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::bigint[],
                              $6::bigint[], $7::text[]::jsonb[], $8::bigint[])
         ON CONFLICT (notice_id) DO UPDATE SET
             office_code = EXCLUDED.office_code, month = EXCLUDED.month,
             status = EXCLUDED.status, notice_amount = EXCLUDED.notice_amount,
             received_total = EXCLUDED.received_total, view = EXCLUDED.view,
             stream_version = EXCLUDED.stream_version",
    )
    .bind(&ids)
    .bind(&offices)
    .bind(&months)
    .bind(&statuses)
    .bind(&amounts)
    .bind(&received)
    .bind(&docs)
    .bind(&versions)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
