//! Loading and saving `payment_batches` rows in batches (one SELECT and one INSERT … ON
//! CONFLICT per batch of events, whatever its size).

use std::collections::HashMap;

use chrono::NaiveDate;
use sqlx::PgConnection;
use uuid::Uuid;

use super::view::PaymentBatchView;
use crate::ProjectionError;

/// Current rows for `ids` (those that exist).
pub async fn load(
    conn: &mut PgConnection,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, PaymentBatchView>, ProjectionError> {
    let rows: Vec<(Uuid, String)> =
        sqlx::query_as("SELECT batch_id, view::text FROM payment_batches WHERE batch_id = ANY($1)")
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
    views: &[&PaymentBatchView],
) -> Result<(), ProjectionError> {
    if views.is_empty() {
        return Ok(());
    }
    let n = views.len();
    let mut ids = Vec::with_capacity(n);
    let mut statuses = Vec::with_capacity(n);
    let mut instructed = Vec::with_capacity(n);
    let mut transfer = Vec::with_capacity(n);
    let mut claims = Vec::with_capacity(n);
    let mut docs = Vec::with_capacity(n);
    let mut versions = Vec::with_capacity(n);
    for view in views {
        let s = &view.summary;
        ids.push(s.batch_id);
        statuses.push(s.status.as_str());
        instructed.push(NaiveDate::from(s.instructed_on));
        transfer.push(NaiveDate::from(s.transfer_date));
        // a text array literal of the claim ids: unnest cannot take an array of arrays
        let list: Vec<String> = view
            .payments
            .iter()
            .map(|l| l.claim_id.to_string())
            .collect();
        claims.push(format!("{{{}}}", list.join(",")));
        docs.push(serde_json::to_string(view)?);
        versions.push(s.stream_version);
    }
    sqlx::query(
        "INSERT INTO payment_batches (batch_id, status, instructed_on, transfer_date, claim_ids,
                                      view, stream_version)
         SELECT id, status, instructed, transfer, claims::uuid[], view::jsonb, version
           FROM unnest($1::uuid[], $2::text[], $3::date[], $4::date[], $5::text[], $6::text[],
                       $7::bigint[]) AS u(id, status, instructed, transfer, claims, view, version)
         ON CONFLICT (batch_id) DO UPDATE SET
             status = EXCLUDED.status, instructed_on = EXCLUDED.instructed_on,
             transfer_date = EXCLUDED.transfer_date, claim_ids = EXCLUDED.claim_ids,
             view = EXCLUDED.view, stream_version = EXCLUDED.stream_version",
    )
    .bind(&ids)
    .bind(&statuses)
    .bind(&instructed)
    .bind(&transfer)
    .bind(&claims)
    .bind(&docs)
    .bind(&versions)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
