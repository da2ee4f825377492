//! Loading and saving `medical_certificates` rows in batches.

use std::collections::HashMap;

use sqlx::PgConnection;
use uuid::Uuid;

use super::view::CertificateView;
use crate::ProjectionError;

/// Current rows for `ids` (those that exist).
pub async fn load(
    conn: &mut PgConnection,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, CertificateView>, ProjectionError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(Uuid, String)> = sqlx::query_as(
        "SELECT certificate_id, view::text FROM medical_certificates WHERE certificate_id = ANY($1)",
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
    views: &[&CertificateView],
) -> Result<(), ProjectionError> {
    if views.is_empty() {
        return Ok(());
    }
    let n = views.len();
    let mut ids = Vec::with_capacity(n);
    let mut persons = Vec::with_capacity(n);
    let mut kinds = Vec::with_capacity(n);
    let mut statuses = Vec::with_capacity(n);
    let mut issued = Vec::with_capacity(n);
    let mut froms = Vec::with_capacity(n);
    let mut tos = Vec::with_capacity(n);
    let mut collected = Vec::with_capacity(n);
    let mut docs = Vec::with_capacity(n);
    let mut versions = Vec::with_capacity(n);
    for view in views {
        ids.push(view.certificate_id);
        persons.push(view.person_id);
        kinds.push(view.kind.code());
        statuses.push(view.status.as_str());
        issued.push(view.issued_on.naive());
        froms.push(view.valid_from.naive());
        tos.push(view.valid_to.naive());
        collected.push(view.collection.as_ref().map(|c| c.collected_on.naive()));
        docs.push(serde_json::to_string(view)?);
        versions.push(view.stream_version);
    }
    sqlx::query(
        "INSERT INTO medical_certificates (certificate_id, person_id, kind, status, issued_on,
                                           valid_from, valid_to, collected_on, view, stream_version)
         SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::date[],
                              $6::date[], $7::date[], $8::date[], $9::text[]::jsonb[], $10::bigint[])
         ON CONFLICT (certificate_id) DO UPDATE SET
             person_id = EXCLUDED.person_id, kind = EXCLUDED.kind, status = EXCLUDED.status,
             issued_on = EXCLUDED.issued_on, valid_from = EXCLUDED.valid_from,
             valid_to = EXCLUDED.valid_to, collected_on = EXCLUDED.collected_on,
             view = EXCLUDED.view, stream_version = EXCLUDED.stream_version",
    )
    .bind(&ids)
    .bind(&persons)
    .bind(&kinds)
    .bind(&statuses)
    .bind(&issued)
    .bind(&froms)
    .bind(&tos)
    .bind(&collected)
    .bind(&docs)
    .bind(&versions)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
