//! Loading and saving `benefit_claims` rows in batches (one SELECT and one INSERT … ON CONFLICT
//! per batch, whatever its size).

use std::collections::HashMap;

use sqlx::PgConnection;
use uuid::Uuid;

use super::view::{status_text, ClaimView};
use crate::ProjectionError;

/// Current rows for `ids` (those that exist).
pub async fn load(
    conn: &mut PgConnection,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, ClaimView>, ProjectionError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(Uuid, String)> =
        sqlx::query_as("SELECT claim_id, view::text FROM benefit_claims WHERE claim_id = ANY($1)")
            .bind(ids)
            .fetch_all(&mut *conn)
            .await?;
    rows.into_iter()
        .map(|(id, view)| Ok((id, serde_json::from_str(&view)?)))
        .collect()
}

/// Insert or replace the rows of `views`.
pub async fn save(conn: &mut PgConnection, views: &[&ClaimView]) -> Result<(), ProjectionError> {
    if views.is_empty() {
        return Ok(());
    }
    let n = views.len();
    let mut ids = Vec::with_capacity(n);
    let mut persons = Vec::with_capacity(n);
    let mut beneficiaries = Vec::with_capacity(n);
    let mut kinds = Vec::with_capacity(n);
    let mut statuses = Vec::with_capacity(n);
    let mut received = Vec::with_capacity(n);
    let mut decided = Vec::with_capacity(n);
    let mut amounts = Vec::with_capacity(n);
    let mut payees = Vec::with_capacity(n);
    let mut docs = Vec::with_capacity(n);
    let mut versions = Vec::with_capacity(n);
    for view in views {
        ids.push(view.claim_id);
        persons.push(view.person_id);
        beneficiaries.push(view.beneficiary_person_id);
        kinds.push(view.kind.code());
        statuses.push(status_text(view.status));
        received.push(view.received_on.naive());
        decided.push(view.decided_on().map(|d| d.naive()));
        amounts.push(view.decided_amount().map(|a| a.amount()));
        payees.push(serde_json::to_string(&view.payee)?);
        docs.push(serde_json::to_string(view)?);
        versions.push(view.stream_version);
    }
    sqlx::query(
        "INSERT INTO benefit_claims (claim_id, person_id, beneficiary_person_id, kind, status,
                                     received_on, decided_on, amount, payee, view, stream_version)
         SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[],
                              $6::date[], $7::date[], $8::bigint[], $9::text[]::jsonb[],
                              $10::text[]::jsonb[], $11::bigint[])
         ON CONFLICT (claim_id) DO UPDATE SET
             person_id = EXCLUDED.person_id, beneficiary_person_id = EXCLUDED.beneficiary_person_id,
             kind = EXCLUDED.kind, status = EXCLUDED.status, received_on = EXCLUDED.received_on,
             decided_on = EXCLUDED.decided_on, amount = EXCLUDED.amount, payee = EXCLUDED.payee,
             view = EXCLUDED.view, stream_version = EXCLUDED.stream_version",
    )
    .bind(&ids)
    .bind(&persons)
    .bind(&beneficiaries)
    .bind(&kinds)
    .bind(&statuses)
    .bind(&received)
    .bind(&decided)
    .bind(&amounts)
    .bind(&payees)
    .bind(&docs)
    .bind(&versions)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
