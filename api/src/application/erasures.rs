//! The erasure 管理簿 (削除・廃棄の記録): one row per 個人番号 erased by the retention job,
//! read from the append-only `erasure_ledger` table by period and person.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use sqlx::{PgPool, Postgres, QueryBuilder};
use utoipa::ToSchema;
use uuid::Uuid;

/// One erasure as the 管理簿 records it.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct ErasureRow {
    /// Order of recording.
    pub ledger_seq: i64,
    /// The retention run that erased it.
    pub run_id: Uuid,
    pub person_id: Uuid,
    /// The person's data key that was destroyed (crypto-shredding).
    pub key_id: Uuid,
    /// Version of the key-encryption key that had wrapped it.
    pub kek_version: i32,
    /// 資格喪失日 the retention period ran from.
    pub qualification_lost_on: NaiveDate,
    /// The day the number became due for erasure.
    pub due_on: NaiveDate,
    pub erased_at: DateTime<Utc>,
    /// Who ran the erasure (the retention run's actor).
    pub erased_by: String,
    /// 法的根拠 (番号法 and the society's retention rule).
    pub legal_basis: String,
}

/// Filters of the 管理簿; every one given must match.
#[derive(Debug, Clone, Default)]
pub struct ErasureFilter {
    /// Erased at or after this instant.
    pub from: Option<DateTime<Utc>>,
    /// Erased before this instant.
    pub to: Option<DateTime<Utc>>,
    pub person_id: Option<Uuid>,
}

fn filter<'a>(q: &mut QueryBuilder<'a, Postgres>, f: &'a ErasureFilter) {
    q.push(" WHERE true");
    if let Some(from) = f.from {
        q.push(" AND erased_at >= ").push_bind(from);
    }
    if let Some(to) = f.to {
        q.push(" AND erased_at < ").push_bind(to);
    }
    if let Some(person) = f.person_id {
        q.push(" AND person_id = ").push_bind(person);
    }
}

/// 管理簿 rows matching `f`, in the order recorded, with the total count.
pub async fn page(
    pool: &PgPool,
    f: &ErasureFilter,
    offset: i64,
    limit: i64,
) -> Result<(Vec<ErasureRow>, i64), sqlx::Error> {
    let mut count = QueryBuilder::new("SELECT count(*) FROM erasure_ledger");
    filter(&mut count, f);
    let total: i64 = count.build_query_scalar().fetch_one(pool).await?;
    let mut rows = QueryBuilder::new(
        "SELECT ledger_seq, run_id, person_id, key_id, kek_version, qualification_lost_on, due_on,
                erased_at, erased_by, legal_basis FROM erasure_ledger",
    );
    filter(&mut rows, f);
    rows.push(" ORDER BY ledger_seq LIMIT ")
        .push_bind(limit)
        .push(" OFFSET ")
        .push_bind(offset);
    let records = rows.build_query_as::<ErasureRow>().fetch_all(pool).await?;
    Ok((records, total))
}
