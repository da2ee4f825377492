//! For the データ保護担当: the access log by period, user and person, and the monthly review
//! report (digest.md §4.3, §4.16: who looked at 個人番号, when and from where).

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use sqlx::{PgPool, Postgres, QueryBuilder};
use utoipa::ToSchema;
use uuid::Uuid;

/// One row of the access log.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct AccessRecord {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub staff_id: String,
    pub role: Option<String>,
    pub elevation_id: Option<Uuid>,
    pub purpose: Option<String>,
    pub client_address: Option<String>,
    pub terminal_id: Option<String>,
    pub request_id: Option<String>,
    pub person_id: Option<Uuid>,
    pub action: String,
    pub outcome: String,
    pub reason_code: Option<String>,
}

/// Filters of the access log; every one given must match.
#[derive(Debug, Clone, Default)]
pub struct LogFilter {
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub staff_id: Option<String>,
    pub person_id: Option<Uuid>,
}

fn filter<'a>(q: &mut QueryBuilder<'a, Postgres>, f: &'a LogFilter) {
    q.push(" WHERE true");
    if let Some(from) = f.from {
        q.push(" AND at >= ").push_bind(from);
    }
    if let Some(to) = f.to {
        q.push(" AND at < ").push_bind(to);
    }
    if let Some(staff) = &f.staff_id {
        q.push(" AND staff_id = ").push_bind(staff);
    }
    if let Some(person) = f.person_id {
        q.push(" AND person_id = ").push_bind(person);
    }
}

/// Access-log rows matching `f`, oldest first, with the total count.
pub async fn log(
    pool: &PgPool,
    f: &LogFilter,
    offset: i64,
    limit: i64,
) -> Result<(Vec<AccessRecord>, i64), sqlx::Error> {
    let mut count = QueryBuilder::new("SELECT count(*) FROM my_number_access_log");
    filter(&mut count, f);
    let total: i64 = count.build_query_scalar().fetch_one(pool).await?;
    let mut rows = QueryBuilder::new(
        "SELECT seq, at, staff_id, role, elevation_id, purpose, client_address, terminal_id, request_id,
                person_id, action, outcome, reason_code FROM my_number_access_log",
    );
    filter(&mut rows, f);
    rows.push(" ORDER BY seq LIMIT ")
        .push_bind(limit)
        .push(" OFFSET ")
        .push_bind(offset);
    let records = rows
        .build_query_as::<AccessRecord>()
        .fetch_all(pool)
        .await?;
    Ok((records, total))
}

/// Accesses of one user in the month.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct UserSummary {
    pub staff_id: String,
    /// Every logged access (reads, entries, lookups, refusals, …).
    pub accesses: i64,
    /// Refused or failed attempts.
    pub refused_or_failed: i64,
    /// Distinct persons whose number the user read or looked up.
    pub persons_read: i64,
    /// Accesses outside 08:00–20:00 Japan time.
    pub outside_hours: i64,
}

/// The monthly review report.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Review {
    /// First day of the month (JST).
    pub month: NaiveDate,
    pub users: Vec<UserSummary>,
    /// Every access outside 08:00–20:00 JST.
    pub outside_hours: Vec<AccessRecord>,
    /// The threshold used for `heavy_readers`.
    pub persons_threshold: i64,
    /// Users who read more distinct persons than the threshold.
    pub heavy_readers: Vec<UserSummary>,
}

/// The report for the month starting `month` (JST calendar), flagging users who read more than
/// `persons_threshold` distinct persons.
pub async fn monthly(
    pool: &PgPool,
    month: NaiveDate,
    persons_threshold: i64,
) -> Result<Review, sqlx::Error> {
    // the month's bounds in Japan time, as instants
    const WINDOW: &str = "at >= ($1::date::timestamp AT TIME ZONE 'Asia/Tokyo')
                          AND at < (($1::date + interval '1 month')::timestamp AT TIME ZONE 'Asia/Tokyo')";
    const OUTSIDE: &str = "(extract(hour FROM at AT TIME ZONE 'Asia/Tokyo') < 8
                            OR extract(hour FROM at AT TIME ZONE 'Asia/Tokyo') >= 20)";
    let users: Vec<UserSummary> = sqlx::query_as(&format!(
        "SELECT staff_id,
                count(*) AS accesses,
                count(*) FILTER (WHERE outcome <> 'ok') AS refused_or_failed,
                count(DISTINCT person_id) FILTER (WHERE action IN ('read', 'lookup') AND outcome = 'ok') AS persons_read,
                count(*) FILTER (WHERE {OUTSIDE}) AS outside_hours
           FROM my_number_access_log WHERE {WINDOW}
          GROUP BY staff_id ORDER BY staff_id"
    ))
    .bind(month)
    .fetch_all(pool)
    .await?;
    let outside_hours: Vec<AccessRecord> = sqlx::query_as(&format!(
        "SELECT seq, at, staff_id, role, elevation_id, purpose, client_address, terminal_id, request_id,
                person_id, action, outcome, reason_code
           FROM my_number_access_log WHERE {WINDOW} AND {OUTSIDE} ORDER BY seq"
    ))
    .bind(month)
    .fetch_all(pool)
    .await?;
    let heavy_readers = users
        .iter()
        .filter(|u| u.persons_read > persons_threshold)
        .cloned()
        .collect();
    Ok(Review {
        month,
        users,
        outside_hours,
        persons_threshold,
        heavy_readers,
    })
}
