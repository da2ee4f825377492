//! Queries on the benefit_claims read model.

use sqlx::{PgExecutor, PgPool, Postgres, QueryBuilder};
use uuid::Uuid;

use super::view::ClaimView;
use crate::ProjectionError;

/// One claim's view.
pub async fn find<'e>(
    executor: impl PgExecutor<'e>,
    id: Uuid,
) -> Result<Option<ClaimView>, ProjectionError> {
    let row: Option<(serde_json::Value,)> =
        sqlx::query_as("SELECT view FROM benefit_claims WHERE claim_id = $1")
            .bind(id)
            .fetch_optional(executor)
            .await?;
    row.map(|(view,)| serde_json::from_value(view).map_err(ProjectionError::from))
        .transpose()
}

/// Search criteria; every given criterion must match.
#[derive(Debug, Clone, Default)]
pub struct Search {
    /// The insured, or the dependent of a 家族 claim.
    pub person_id: Option<Uuid>,
    /// Status text (`received`, `decided` …).
    pub status: Option<String>,
    /// Kind code (`sickness_allowance` …).
    pub kind: Option<String>,
}

/// A page of claims.
#[derive(Debug, Clone)]
pub struct Page {
    pub claims: Vec<ClaimView>,
    pub total: i64,
}

fn filter<'a>(builder: &mut QueryBuilder<'a, Postgres>, search: &'a Search) {
    builder.push(" WHERE true");
    if let Some(person) = &search.person_id {
        builder
            .push(" AND (person_id = ")
            .push_bind(*person)
            .push(" OR beneficiary_person_id = ")
            .push_bind(*person)
            .push(")");
    }
    if let Some(status) = &search.status {
        builder.push(" AND status = ").push_bind(status);
    }
    if let Some(kind) = &search.kind {
        builder.push(" AND kind = ").push_bind(kind);
    }
}

/// Claims matching `search`, newest 受付 first, `per_page` from `offset`.
pub async fn search(
    pool: &PgPool,
    search: &Search,
    offset: i64,
    per_page: i64,
) -> Result<Page, ProjectionError> {
    let mut count = QueryBuilder::new("SELECT count(*) FROM benefit_claims");
    filter(&mut count, search);
    let total: i64 = count.build_query_scalar().fetch_one(pool).await?;
    let mut rows = QueryBuilder::new("SELECT view FROM benefit_claims");
    filter(&mut rows, search);
    rows.push(" ORDER BY received_on DESC, claim_id LIMIT ")
        .push_bind(per_page)
        .push(" OFFSET ")
        .push_bind(offset);
    let views: Vec<(serde_json::Value,)> = rows.build_query_as().fetch_all(pool).await?;
    let claims = views
        .into_iter()
        .map(|(view,)| serde_json::from_value(view).map_err(ProjectionError::from))
        .collect::<Result<_, _>>()?;
    Ok(Page { claims, total })
}
