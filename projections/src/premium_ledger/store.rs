//! Loading and saving the premium read models in batches: one SELECT, and one
//! `INSERT … SELECT FROM unnest(…) ON CONFLICT DO UPDATE` per table and batch.

use std::collections::HashMap;

use chrono::NaiveDate;
use sqlx::PgConnection;
use uuid::Uuid;

use super::view::{LedgerMonth, PremiumAccountView};
use crate::ProjectionError;

/// Current views of `ids` (those that exist).
pub async fn load(
    conn: &mut PgConnection,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, PremiumAccountView>, ProjectionError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(Uuid, String)> = sqlx::query_as(
        "SELECT person_id, view::text FROM premium_accounts WHERE person_id = ANY($1)",
    )
    .bind(ids)
    .fetch_all(&mut *conn)
    .await?;
    rows.into_iter()
        .map(|(id, view)| Ok((id, serde_json::from_str(&view)?)))
        .collect()
}

/// The snake_case text of a serde enum.
pub(super) fn enum_text<T: serde::Serialize>(value: &T) -> Result<String, ProjectionError> {
    match serde_json::to_value(value)? {
        serde_json::Value::String(text) => Ok(text),
        other => Ok(other.to_string()),
    }
}

/// Insert or replace the account rows.
pub async fn save_accounts(
    conn: &mut PgConnection,
    views: &[&PremiumAccountView],
) -> Result<(), ProjectionError> {
    if views.is_empty() {
        return Ok(());
    }
    let n = views.len();
    let mut ids = Vec::with_capacity(n);
    let mut numbers = Vec::with_capacity(n);
    let mut categories = Vec::with_capacity(n);
    let mut statuses = Vec::with_capacity(n);
    let mut acquired = Vec::with_capacity(n);
    let mut lost = Vec::with_capacity(n);
    let mut assessed = Vec::with_capacity(n);
    let mut received = Vec::with_capacity(n);
    let mut refunded = Vec::with_capacity(n);
    let mut credit = Vec::with_capacity(n);
    let mut outstanding = Vec::with_capacity(n);
    let mut docs = Vec::with_capacity(n);
    let mut versions = Vec::with_capacity(n);
    for v in views {
        ids.push(v.person_id);
        numbers.push(v.customer_number.clone());
        categories.push(enum_text(&v.category)?);
        statuses.push(v.status.as_str());
        acquired.push(v.acquired_on.naive());
        lost.push(v.lost_on.map(|d| d.naive()));
        assessed.push(v.totals.assessed.amount());
        received.push(v.totals.received.amount());
        refunded.push(v.totals.refunded.amount());
        credit.push(v.totals.credit.amount());
        outstanding.push(v.totals.outstanding.amount());
        docs.push(serde_json::to_string(v)?);
        versions.push(v.stream_version);
    }
    sqlx::query(
        "INSERT INTO premium_accounts (person_id, customer_number, category, status, acquired_on,
                                       lost_on, assessed, received, refunded, credit, outstanding,
                                       view, stream_version)
         SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::date[],
                              $6::date[], $7::bigint[], $8::bigint[], $9::bigint[], $10::bigint[],
                              $11::bigint[], $12::text[]::jsonb[], $13::bigint[])
         ON CONFLICT (person_id) DO UPDATE SET
             customer_number = EXCLUDED.customer_number, category = EXCLUDED.category,
             status = EXCLUDED.status, acquired_on = EXCLUDED.acquired_on,
             lost_on = EXCLUDED.lost_on, assessed = EXCLUDED.assessed,
             received = EXCLUDED.received, refunded = EXCLUDED.refunded,
             credit = EXCLUDED.credit, outstanding = EXCLUDED.outstanding,
             view = EXCLUDED.view, stream_version = EXCLUDED.stream_version",
    )
    .bind(&ids)
    .bind(&numbers)
    .bind(&categories)
    .bind(&statuses)
    .bind(&acquired)
    .bind(&lost)
    .bind(&assessed)
    .bind(&received)
    .bind(&refunded)
    .bind(&credit)
    .bind(&outstanding)
    .bind(&docs)
    .bind(&versions)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Insert or replace ledger rows.
pub async fn save_months(
    conn: &mut PgConnection,
    months: &[(Uuid, &LedgerMonth)],
) -> Result<(), ProjectionError> {
    if months.is_empty() {
        return Ok(());
    }
    let n = months.len();
    let mut ids = Vec::with_capacity(n);
    let mut firsts: Vec<NaiveDate> = Vec::with_capacity(n);
    let mut dues = Vec::with_capacity(n);
    let mut assessed = Vec::with_capacity(n);
    let mut received = Vec::with_capacity(n);
    let mut balances = Vec::with_capacity(n);
    let mut statuses = Vec::with_capacity(n);
    let mut prepaid = Vec::with_capacity(n);
    let mut cancelled = Vec::with_capacity(n);
    let mut arrears = Vec::with_capacity(n);
    for (id, m) in months {
        ids.push(*id);
        firsts.push(m.month.first_day().naive());
        dues.push(m.due_on.naive());
        assessed.push(m.assessed.amount());
        received.push(m.received.amount());
        balances.push(m.balance.amount());
        statuses.push(m.status.as_str());
        prepaid.push(m.prepaid);
        cancelled.push(m.cancelled);
        arrears.push(m.arrears_detected_as_of.map(|d| d.naive()));
    }
    sqlx::query(
        "INSERT INTO premium_ledger (person_id, month, due_on, assessed, received, balance, status,
                                     prepaid, cancelled, arrears_detected_as_of)
         SELECT * FROM unnest($1::uuid[], $2::date[], $3::date[], $4::bigint[], $5::bigint[],
                              $6::bigint[], $7::text[], $8::boolean[], $9::boolean[], $10::date[])
         ON CONFLICT (person_id, month) DO UPDATE SET
             due_on = EXCLUDED.due_on, assessed = EXCLUDED.assessed,
             received = EXCLUDED.received, balance = EXCLUDED.balance,
             status = EXCLUDED.status, prepaid = EXCLUDED.prepaid,
             cancelled = EXCLUDED.cancelled,
             arrears_detected_as_of = EXCLUDED.arrears_detected_as_of",
    )
    .bind(&ids)
    .bind(&firsts)
    .bind(&dues)
    .bind(&assessed)
    .bind(&received)
    .bind(&balances)
    .bind(&statuses)
    .bind(&prepaid)
    .bind(&cancelled)
    .bind(&arrears)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Insert or replace the refund rows of the accounts.
pub async fn save_refunds(
    conn: &mut PgConnection,
    views: &[&PremiumAccountView],
) -> Result<(), ProjectionError> {
    let mut ids = Vec::new();
    let mut numbers = Vec::new();
    let mut claimed = Vec::new();
    let mut amounts = Vec::new();
    let mut decided = Vec::new();
    let mut paid = Vec::new();
    let mut references = Vec::new();
    let mut statuses = Vec::new();
    for v in views {
        for r in &v.refunds {
            ids.push(v.person_id);
            numbers.push(r.claim_number);
            claimed.push(r.claimed_on.naive());
            amounts.push(r.amount.map(|a| a.amount()));
            decided.push(r.decided_on.map(|d| d.naive()));
            paid.push(r.paid_on.map(|d| d.naive()));
            references.push(r.reference.clone());
            statuses.push(r.status.as_str());
        }
    }
    if ids.is_empty() {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO premium_refunds (person_id, claim_number, claimed_on, amount, decided_on,
                                      paid_on, reference, status)
         SELECT * FROM unnest($1::uuid[], $2::integer[], $3::date[], $4::bigint[], $5::date[],
                              $6::date[], $7::text[], $8::text[])
         ON CONFLICT (person_id, claim_number) DO UPDATE SET
             claimed_on = EXCLUDED.claimed_on, amount = EXCLUDED.amount,
             decided_on = EXCLUDED.decided_on, paid_on = EXCLUDED.paid_on,
             reference = EXCLUDED.reference, status = EXCLUDED.status",
    )
    .bind(&ids)
    .bind(&numbers)
    .bind(&claimed)
    .bind(&amounts)
    .bind(&decided)
    .bind(&paid)
    .bind(&references)
    .bind(&statuses)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
