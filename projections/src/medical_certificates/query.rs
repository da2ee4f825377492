//! Queries on the medical_certificates read model.

use sqlx::{PgExecutor, PgPool, Postgres, QueryBuilder};
use uuid::Uuid;

use super::view::CertificateView;
use crate::ProjectionError;

/// One certificate's view.
pub async fn find<'e>(
    executor: impl PgExecutor<'e>,
    id: Uuid,
) -> Result<Option<CertificateView>, ProjectionError> {
    let row: Option<(serde_json::Value,)> =
        sqlx::query_as("SELECT view FROM medical_certificates WHERE certificate_id = $1")
            .bind(id)
            .fetch_optional(executor)
            .await?;
    row.map(|(view,)| serde_json::from_value(view).map_err(ProjectionError::from))
        .transpose()
}

/// A page of certificates.
#[derive(Debug, Clone)]
pub struct Page {
    pub certificates: Vec<CertificateView>,
    pub total: i64,
}

fn filter<'a>(builder: &mut QueryBuilder<'a, Postgres>, person_id: Option<Uuid>) {
    builder.push(" WHERE true");
    if let Some(person) = person_id {
        builder.push(" AND person_id = ").push_bind(person);
    }
}

/// Certificates (of one holder when `person_id` is given), newest 交付 first.
pub async fn search(
    pool: &PgPool,
    person_id: Option<Uuid>,
    offset: i64,
    per_page: i64,
) -> Result<Page, ProjectionError> {
    let mut count = QueryBuilder::new("SELECT count(*) FROM medical_certificates");
    filter(&mut count, person_id);
    let total: i64 = count.build_query_scalar().fetch_one(pool).await?;
    let mut rows = QueryBuilder::new("SELECT view FROM medical_certificates");
    filter(&mut rows, person_id);
    rows.push(" ORDER BY issued_on DESC, certificate_id LIMIT ")
        .push_bind(per_page)
        .push(" OFFSET ")
        .push_bind(offset);
    let views: Vec<(serde_json::Value,)> = rows.build_query_as().fetch_all(pool).await?;
    let certificates = views
        .into_iter()
        .map(|(view,)| serde_json::from_value(view).map_err(ProjectionError::from))
        .collect::<Result<_, _>>()?;
    Ok(Page {
        certificates,
        total,
    })
}
