//! Queries on the `employer_notices` read model.

use kenpo_domain::calendar::YearMonth;
use sqlx::{PgPool, Postgres, QueryBuilder};

use super::view::EmployerNoticeView;
use crate::ProjectionError;

/// The notice of `office_code` for `month`, if issued.
pub async fn find(
    pool: &PgPool,
    office_code: &str,
    month: YearMonth,
) -> Result<Option<EmployerNoticeView>, ProjectionError> {
    let row: Option<(String,)> = sqlx::query_as(
        "SELECT view::text FROM employer_notices WHERE office_code = $1 AND month = $2",
    )
    .bind(office_code)
    .bind(month.to_string())
    .fetch_optional(pool)
    .await?;
    row.map(|(view,)| serde_json::from_str(&view).map_err(ProjectionError::from))
        .transpose()
}

/// Search criteria; every given criterion must match.
#[derive(Debug, Clone, Default)]
pub struct Search {
    /// 事業所コード (exact).
    pub office_code: Option<String>,
    /// 月分.
    pub month: Option<YearMonth>,
    /// `issued`, `partially_paid`, `paid` or `nothing_due`.
    pub status: Option<String>,
}

/// A page of notices.
#[derive(Debug, Clone)]
pub struct Page {
    pub notices: Vec<EmployerNoticeView>,
    pub total: i64,
}

fn filter<'a>(builder: &mut QueryBuilder<'a, Postgres>, search: &'a Search) {
    builder.push(" WHERE true");
    if let Some(office) = &search.office_code {
        builder.push(" AND office_code = ").push_bind(office);
    }
    if let Some(month) = &search.month {
        builder.push(" AND month = ").push_bind(month.to_string());
    }
    if let Some(status) = &search.status {
        builder.push(" AND status = ").push_bind(status);
    }
}

/// Notices matching `search`, newest month first then by 事業所コード, `per_page` from
/// `offset`.
pub async fn search(
    pool: &PgPool,
    search: &Search,
    offset: i64,
    per_page: i64,
) -> Result<Page, ProjectionError> {
    let mut count = QueryBuilder::new("SELECT count(*) FROM employer_notices");
    filter(&mut count, search);
    let total: i64 = count.build_query_scalar().fetch_one(pool).await?;
    let mut rows = QueryBuilder::new("SELECT view::text FROM employer_notices");
    filter(&mut rows, search);
    rows.push(" ORDER BY month DESC, office_code LIMIT ")
        .push_bind(per_page)
        .push(" OFFSET ")
        .push_bind(offset);
    let views: Vec<(String,)> = rows.build_query_as().fetch_all(pool).await?;
    let notices = views
        .into_iter()
        .map(|(view,)| serde_json::from_str(&view).map_err(ProjectionError::from))
        .collect::<Result<_, _>>()?;
    Ok(Page { notices, total })
}
