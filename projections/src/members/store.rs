//! Loading and saving `members` rows in batches (one SELECT and one INSERT … ON CONFLICT per
//! batch, whatever its size).

use std::collections::HashMap;

use sqlx::PgConnection;
use uuid::Uuid;

use super::view::MemberView;
use crate::ProjectionError;

/// Current rows for `ids` (those that exist).
pub async fn load(
    conn: &mut PgConnection,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, MemberView>, ProjectionError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(Uuid, String)> =
        sqlx::query_as("SELECT person_id, view::text FROM members WHERE person_id = ANY($1)")
            .bind(ids)
            .fetch_all(&mut *conn)
            .await?;
    rows.into_iter()
        .map(|(id, view)| Ok((id, serde_json::from_str(&view)?)))
        .collect()
}

/// Insert or replace the rows of `views`.
pub async fn save(conn: &mut PgConnection, views: &[&MemberView]) -> Result<(), ProjectionError> {
    if views.is_empty() {
        return Ok(());
    }
    let n = views.len();
    let mut ids = Vec::with_capacity(n);
    let mut kinds = Vec::with_capacity(n);
    let mut statuses = Vec::with_capacity(n);
    let mut insured = Vec::with_capacity(n);
    let mut offices = Vec::with_capacity(n);
    let mut symbols = Vec::with_capacity(n);
    let mut numbers = Vec::with_capacity(n);
    let mut branches = Vec::with_capacity(n);
    let mut kanas = Vec::with_capacity(n);
    let mut births = Vec::with_capacity(n);
    let mut losses = Vec::with_capacity(n);
    let mut docs = Vec::with_capacity(n);
    let mut versions = Vec::with_capacity(n);
    for view in views {
        ids.push(view.person_id);
        kinds.push(view.kind.as_str());
        statuses.push(view.status.as_str());
        insured.push(view.insured_person_id);
        offices.push(
            view.identification
                .as_ref()
                .map(|i| i.office_code().to_owned()),
        );
        symbols.push(view.identification.as_ref().map(|i| i.symbol().to_owned()));
        numbers.push(view.identification.as_ref().map(|i| i.number().to_owned()));
        branches.push(view.identification.as_ref().map(|i| i.branch().to_owned()));
        kanas.push(view.kana_name.clone());
        births.push(view.birth_date.map(|d| d.naive()));
        losses.push(view.lost_on.map(|d| d.naive()));
        docs.push(serde_json::to_string(view)?);
        versions.push(view.stream_version);
    }
    sqlx::query(
        "INSERT INTO members (person_id, kind, status, insured_person_id, office_code, symbol, number,
                              branch, kana_name, birth_date, view, stream_version, lost_on)
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::uuid[], $5::text[], $6::text[],
                              $7::text[], $8::text[], $9::text[], $10::date[], $11::text[]::jsonb[], $12::bigint[], $13::date[])
         ON CONFLICT (person_id) DO UPDATE SET
             kind = EXCLUDED.kind, status = EXCLUDED.status,
             insured_person_id = EXCLUDED.insured_person_id, office_code = EXCLUDED.office_code,
             symbol = EXCLUDED.symbol, number = EXCLUDED.number, branch = EXCLUDED.branch,
             kana_name = EXCLUDED.kana_name, birth_date = EXCLUDED.birth_date,
             view = EXCLUDED.view, stream_version = EXCLUDED.stream_version,
             lost_on = EXCLUDED.lost_on",
    )
    .bind(&ids)
    .bind(&kinds)
    .bind(&statuses)
    .bind(&insured)
    .bind(&offices)
    .bind(&symbols)
    .bind(&numbers)
    .bind(&branches)
    .bind(&kanas)
    .bind(&births)
    .bind(&docs)
    .bind(&versions)
    .bind(&losses)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
