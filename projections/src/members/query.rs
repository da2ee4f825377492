//! Queries on the members read model.

use kenpo_domain::calendar::Date;
use sqlx::{PgPool, Postgres, QueryBuilder};
use uuid::Uuid;

use super::view::MemberView;
use crate::ProjectionError;

/// One person's current view.
pub async fn find(pool: &PgPool, id: Uuid) -> Result<Option<MemberView>, ProjectionError> {
    let row: Option<(serde_json::Value,)> =
        sqlx::query_as("SELECT view FROM members WHERE person_id = $1")
            .bind(id)
            .fetch_optional(pool)
            .await?;
    row.map(|(view,)| serde_json::from_value(view).map_err(ProjectionError::from))
        .transpose()
}

/// The dependents recorded under an insured (current and former).
pub async fn dependents_of(
    pool: &PgPool,
    insured: Uuid,
) -> Result<Vec<MemberView>, ProjectionError> {
    let rows: Vec<(serde_json::Value,)> = sqlx::query_as(
        "SELECT view FROM members WHERE insured_person_id = $1 ORDER BY status DESC, kana_name, person_id",
    )
    .bind(insured)
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|(view,)| serde_json::from_value(view).map_err(ProjectionError::from))
        .collect()
}

/// Search criteria; every given criterion must match.
#[derive(Debug, Clone, Default)]
pub struct Search {
    /// 記号 (exact).
    pub symbol: Option<String>,
    /// 番号 (exact).
    pub number: Option<String>,
    /// 事業所コード (exact).
    pub office_code: Option<String>,
    /// カナ氏名: the name starts with this.
    pub kana_prefix: Option<String>,
    pub birth_date: Option<Date>,
    /// `qualified` or `lost`.
    pub status: Option<String>,
}

/// A page of search results.
#[derive(Debug, Clone)]
pub struct Page {
    pub members: Vec<MemberView>,
    pub total: i64,
}

fn filter<'a>(builder: &mut QueryBuilder<'a, Postgres>, search: &'a Search) {
    builder.push(" WHERE true");
    if let Some(symbol) = &search.symbol {
        builder.push(" AND symbol = ").push_bind(symbol);
    }
    if let Some(number) = &search.number {
        builder.push(" AND number = ").push_bind(number);
    }
    if let Some(office) = &search.office_code {
        builder.push(" AND office_code = ").push_bind(office);
    }
    if let Some(kana) = &search.kana_prefix {
        let escaped = kana
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        builder
            .push(" AND kana_name LIKE ")
            .push_bind(format!("{escaped}%"));
    }
    if let Some(birth) = &search.birth_date {
        builder.push(" AND birth_date = ").push_bind(birth.naive());
    }
    if let Some(status) = &search.status {
        builder.push(" AND status = ").push_bind(status);
    }
}

/// Members matching `search`, ordered by カナ氏名, `per_page` from `offset`.
pub async fn search(
    pool: &PgPool,
    search: &Search,
    offset: i64,
    per_page: i64,
) -> Result<Page, ProjectionError> {
    let mut count = QueryBuilder::new("SELECT count(*) FROM members");
    filter(&mut count, search);
    let total: i64 = count.build_query_scalar().fetch_one(pool).await?;
    let mut rows = QueryBuilder::new("SELECT view FROM members");
    filter(&mut rows, search);
    rows.push(" ORDER BY kana_name, person_id LIMIT ")
        .push_bind(per_page)
        .push(" OFFSET ")
        .push_bind(offset);
    let views: Vec<(serde_json::Value,)> = rows.build_query_as().fetch_all(pool).await?;
    let members = views
        .into_iter()
        .map(|(view,)| serde_json::from_value(view).map_err(ProjectionError::from))
        .collect::<Result<_, _>>()?;
    Ok(Page { members, total })
}
