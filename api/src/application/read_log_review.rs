//! For the データ保護担当 and 監査: the personal-data read log ([`super::read_log`]) by period,
//! user, person and endpoint, and the monthly review with the signals of bulk extraction
//! (大量持出しの兆候):
//!
//! - `persons_per_day`: a user read more distinct persons in one JST day than the threshold;
//! - `large_read`: one read (a search or list) answered with more records than the threshold;
//! - `outside_office_hours`: a user read outside office hours (JST; weekday hours given,
//!   Saturdays and Sundays wholly outside; public holidays are not known here).

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use sqlx::{PgPool, Postgres, QueryBuilder};
use utoipa::ToSchema;
use uuid::Uuid;

/// Default of [`Thresholds::persons_per_day`].
pub const DEFAULT_PERSONS_PER_DAY: i64 = 100;
/// Default of [`Thresholds::rows_per_read`].
pub const DEFAULT_ROWS_PER_READ: i64 = 200;
/// Default start of office hours (JST, hour of the day, inclusive).
pub const DEFAULT_OFFICE_HOURS_START: u32 = 8;
/// Default end of office hours (JST, hour of the day, exclusive).
pub const DEFAULT_OFFICE_HOURS_END: u32 = 20;

/// One row of the read log.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct ReadRecord {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub staff_id: String,
    /// The roles the user acted under.
    pub roles: Vec<String>,
    pub client_address: Option<String>,
    pub terminal_id: Option<String>,
    pub request_id: String,
    /// Method and route template, e.g. `GET /api/v1/members/{person_id}`.
    pub endpoint: String,
    /// The persons whose data the answer held.
    pub person_ids: Vec<Uuid>,
    /// The staff accounts (ユーザ管理簿) the answer held.
    pub staff_ids: Vec<String>,
    /// Records in the answer.
    pub row_count: i32,
}

/// Filters of the read log; every one given must match.
#[derive(Debug, Clone, Default)]
pub struct ReadFilter {
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub staff_id: Option<String>,
    pub person_id: Option<Uuid>,
    /// The exact endpoint (method and route template).
    pub endpoint: Option<String>,
}

fn filter<'a>(q: &mut QueryBuilder<'a, Postgres>, f: &'a ReadFilter) {
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
        q.push(" AND person_ids @> ARRAY[")
            .push_bind(person)
            .push("]::uuid[]");
    }
    if let Some(endpoint) = &f.endpoint {
        q.push(" AND endpoint = ").push_bind(endpoint);
    }
}

const COLUMNS: &str = "SELECT seq, at, staff_id, roles, client_address, terminal_id, request_id,
                              endpoint, person_ids, staff_ids, row_count
                         FROM personal_data_access_log";

/// Read-log rows matching `f`, oldest first, with the total count.
pub async fn log(
    pool: &PgPool,
    f: &ReadFilter,
    offset: i64,
    limit: i64,
) -> Result<(Vec<ReadRecord>, i64), sqlx::Error> {
    let mut count = QueryBuilder::new("SELECT count(*) FROM personal_data_access_log");
    filter(&mut count, f);
    let total: i64 = count.build_query_scalar().fetch_one(pool).await?;
    let mut rows = QueryBuilder::new(COLUMNS);
    filter(&mut rows, f);
    rows.push(" ORDER BY seq LIMIT ")
        .push_bind(limit)
        .push(" OFFSET ")
        .push_bind(offset);
    let records = rows.build_query_as::<ReadRecord>().fetch_all(pool).await?;
    Ok((records, total))
}

/// The thresholds and office hours of a review.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub struct Thresholds {
    /// Distinct persons one user may read in a JST day before it is a signal.
    pub persons_per_day: i64,
    /// Records one read may answer before it is a signal.
    pub rows_per_read: i64,
    /// Office hours start (JST hour, inclusive), Monday to Friday.
    pub office_hours_start: u32,
    /// Office hours end (JST hour, exclusive), Monday to Friday.
    pub office_hours_end: u32,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            persons_per_day: DEFAULT_PERSONS_PER_DAY,
            rows_per_read: DEFAULT_ROWS_PER_READ,
            office_hours_start: DEFAULT_OFFICE_HOURS_START,
            office_hours_end: DEFAULT_OFFICE_HOURS_END,
        }
    }
}

/// Reads of one user in the month.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct UserReads {
    pub staff_id: String,
    /// Logged reads.
    pub reads: i64,
    /// Distinct persons read.
    pub persons: i64,
}

/// A sign of bulk extraction.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Signal {
    /// `persons_per_day`, `large_read` or `outside_office_hours`.
    pub signal: String,
    pub staff_id: String,
    /// The JST day.
    pub day: NaiveDate,
    /// Distinct persons that day; records of the read; reads outside office hours that day.
    pub figure: i64,
    /// The threshold the figure exceeded (0 for `outside_office_hours`: any read counts).
    pub threshold: i64,
    /// The read (`large_read` only).
    pub seq: Option<i64>,
    /// The read's endpoint (`large_read` only).
    pub endpoint: Option<String>,
}

/// The monthly review of the read log.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReadReview {
    /// First day of the month (JST).
    pub month: NaiveDate,
    pub thresholds: Thresholds,
    pub users: Vec<UserReads>,
    /// Every signal, by day then user.
    pub signals: Vec<Signal>,
}

/// The month's bounds in Japan time, as instants (`$1` is the first day).
const WINDOW: &str = "at >= ($1::date::timestamp AT TIME ZONE 'Asia/Tokyo')
                      AND at < (($1::date + interval '1 month')::timestamp AT TIME ZONE 'Asia/Tokyo')";
const DAY: &str = "(at AT TIME ZONE 'Asia/Tokyo')::date";

/// The review of the month starting `month` (JST calendar) under `t`.
pub async fn monthly(
    pool: &PgPool,
    month: NaiveDate,
    t: Thresholds,
) -> Result<ReadReview, sqlx::Error> {
    let users: Vec<UserReads> = sqlx::query_as(&format!(
        "SELECT l.staff_id, count(DISTINCT l.seq) AS reads, count(DISTINCT p.id) AS persons
           FROM personal_data_access_log l LEFT JOIN LATERAL unnest(l.person_ids) AS p(id) ON true
          WHERE {WINDOW} GROUP BY l.staff_id ORDER BY l.staff_id"
    ))
    .bind(month)
    .fetch_all(pool)
    .await?;
    let mut signals: Vec<Signal> = sqlx::query_as(&format!(
        "SELECT 'persons_per_day' AS signal, l.staff_id, {DAY} AS day,
                count(DISTINCT p.id) AS figure, $2::bigint AS threshold,
                NULL::bigint AS seq, NULL::text AS endpoint
           FROM personal_data_access_log l, unnest(l.person_ids) AS p(id)
          WHERE {WINDOW} GROUP BY l.staff_id, {DAY} HAVING count(DISTINCT p.id) > $2"
    ))
    .bind(month)
    .bind(t.persons_per_day)
    .fetch_all(pool)
    .await?;
    signals.extend(
        sqlx::query_as::<_, Signal>(&format!(
            "SELECT 'large_read' AS signal, staff_id, {DAY} AS day, row_count::bigint AS figure,
                    $2::bigint AS threshold, seq, endpoint
               FROM personal_data_access_log WHERE {WINDOW} AND row_count > $2"
        ))
        .bind(month)
        .bind(t.rows_per_read)
        .fetch_all(pool)
        .await?,
    );
    signals.extend(
        sqlx::query_as::<_, Signal>(&format!(
            "SELECT 'outside_office_hours' AS signal, staff_id, {DAY} AS day, count(*) AS figure,
                    0::bigint AS threshold, NULL::bigint AS seq, NULL::text AS endpoint
               FROM personal_data_access_log
              WHERE {WINDOW}
                AND (extract(isodow FROM at AT TIME ZONE 'Asia/Tokyo') >= 6
                     OR extract(hour FROM at AT TIME ZONE 'Asia/Tokyo') < $2
                     OR extract(hour FROM at AT TIME ZONE 'Asia/Tokyo') >= $3)
              GROUP BY staff_id, {DAY}"
        ))
        .bind(month)
        .bind(i32::try_from(t.office_hours_start).unwrap_or(i32::MAX))
        .bind(i32::try_from(t.office_hours_end).unwrap_or(i32::MAX))
        .fetch_all(pool)
        .await?,
    );
    signals.sort_by(|a, b| {
        (a.day, &a.staff_id, &a.signal, a.seq).cmp(&(b.day, &b.staff_id, &b.signal, b.seq))
    });
    Ok(ReadReview {
        month,
        thresholds: t,
        users,
        signals,
    })
}
