//! Queries on the payment batches read model.

use sqlx::{PgPool, Postgres, QueryBuilder};
use uuid::Uuid;

use super::view::{PaymentBatchSummary, PaymentBatchView};
use crate::ProjectionError;

/// One batch with its payments and results.
pub async fn find(pool: &PgPool, id: Uuid) -> Result<Option<PaymentBatchView>, ProjectionError> {
    let row: Option<(serde_json::Value,)> =
        sqlx::query_as("SELECT view FROM payment_batches WHERE batch_id = $1")
            .bind(id)
            .fetch_optional(pool)
            .await?;
    row.map(|(view,)| serde_json::from_value(view).map_err(ProjectionError::from))
        .transpose()
}

/// List criteria; every given criterion must match.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// `instructed`, `partially_settled` or `settled`.
    pub status: Option<String>,
    /// Batches that hold this claim.
    pub claim_id: Option<Uuid>,
}

/// A page of batches, newest 支払指示年月日 first.
#[derive(Debug, Clone)]
pub struct Page {
    pub batches: Vec<PaymentBatchSummary>,
    pub total: i64,
}

fn filter<'a>(builder: &mut QueryBuilder<'a, Postgres>, filter: &'a Filter) {
    builder.push(" WHERE true");
    if let Some(status) = &filter.status {
        builder.push(" AND status = ").push_bind(status);
    }
    if let Some(claim) = filter.claim_id {
        builder
            .push(" AND claim_ids @> ARRAY[")
            .push_bind(claim)
            .push("]::uuid[]");
    }
}

/// A page of batch summaries (the payments are left out: read one batch for them).
pub async fn list(
    pool: &PgPool,
    criteria: &Filter,
    page: i64,
    per_page: i64,
) -> Result<Page, ProjectionError> {
    let mut count = QueryBuilder::new("SELECT count(*) FROM payment_batches");
    filter(&mut count, criteria);
    let total: i64 = count.build_query_scalar().fetch_one(pool).await?;
    let mut rows = QueryBuilder::new("SELECT view - 'payments' - 'results' FROM payment_batches");
    filter(&mut rows, criteria);
    rows.push(" ORDER BY instructed_on DESC, batch_id DESC LIMIT ")
        .push_bind(per_page)
        .push(" OFFSET ")
        .push_bind((page - 1) * per_page);
    let views: Vec<serde_json::Value> = rows.build_query_scalar().fetch_all(pool).await?;
    Ok(Page {
        batches: views
            .into_iter()
            .map(serde_json::from_value)
            .collect::<Result<_, _>>()?,
        total,
    })
}
