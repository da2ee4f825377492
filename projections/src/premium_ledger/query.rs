//! Queries on the premium read models.

use std::collections::HashMap;

use chrono::NaiveDate;
use kenpo_domain::calendar::{Date, YearMonth};
use kenpo_domain::money::Yen;
use serde::{Deserialize, Serialize};
use sqlx::{PgConnection, PgExecutor};
use utoipa::ToSchema;
use uuid::Uuid;

use super::view::{PremiumAccountView, RefundStatus};
use crate::ProjectionError;

/// One account's view.
pub async fn find<'e>(
    executor: impl PgExecutor<'e>,
    person_id: Uuid,
) -> Result<Option<PremiumAccountView>, ProjectionError> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT view::text FROM premium_accounts WHERE person_id = $1")
            .bind(person_id)
            .fetch_optional(executor)
            .await?;
    row.map(|(view,)| serde_json::from_str(&view).map_err(ProjectionError::from))
        .transpose()
}

/// The accounts whose 顧客番号 is one of `numbers` (number → person id).
pub async fn by_customer_numbers(
    conn: &mut PgConnection,
    numbers: &[String],
) -> Result<HashMap<String, Uuid>, ProjectionError> {
    if numbers.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(String, Uuid)> = sqlx::query_as(
        "SELECT customer_number, person_id FROM premium_accounts WHERE customer_number = ANY($1)",
    )
    .bind(numbers)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().collect())
}

/// The open accounts that `month` should be assessed for and is not yet: acquired on or
/// before the month's last day, with no ledger row for the month (assessed or prepaid). In
/// 顧客番号 order. For the monthly bulk assessment run.
pub async fn accounts_to_assess<'e>(
    executor: impl PgExecutor<'e>,
    month: YearMonth,
) -> Result<Vec<Uuid>, ProjectionError> {
    Ok(sqlx::query_scalar(
        "SELECT a.person_id FROM premium_accounts a
         WHERE a.status = 'open' AND a.acquired_on <= $2
           AND NOT EXISTS (SELECT 1 FROM premium_ledger l
                           WHERE l.person_id = a.person_id AND l.month = $1)
         ORDER BY a.customer_number NULLS LAST, a.person_id",
    )
    .bind(month.first_day().naive())
    .bind(month.last_day().naive())
    .fetch_all(executor)
    .await?)
}

/// A month unpaid after its due date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MonthUnpaid {
    pub month: YearMonth,
    pub due_on: Date,
    pub unpaid: Yen,
    /// Set once a 未納 check (arrears detection) has recorded the month.
    pub arrears_detected_as_of: Option<Date>,
}

/// One account in arrears.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AccountInArrears {
    pub person_id: Uuid,
    pub customer_number: Option<String>,
    /// `voluntary_continuation` or `special_retiree`.
    pub category: String,
    /// `open` or `closed`.
    pub status: String,
    pub months: Vec<MonthUnpaid>,
    pub unpaid: Yen,
}

/// A page of accounts in arrears.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ArrearsPage {
    pub as_of: Date,
    pub accounts: Vec<AccountInArrears>,
    /// Accounts in arrears in all.
    pub total_accounts: i64,
    /// Σ unpaid over every account in arrears.
    pub total_unpaid: Yen,
}

const OWING: &str = "SELECT person_id, month, due_on, balance, arrears_detected_as_of
                     FROM premium_ledger
                     WHERE balance > 0 AND due_on < $1 AND NOT cancelled";

/// 未納 as of `as_of`: every month whose due date is before `as_of` and whose balance is still
/// above zero (what was due before the day and is unpaid **now**; a payment received after
/// `as_of` counts), by account in 顧客番号 order.
pub async fn arrears(
    conn: &mut PgConnection,
    as_of: Date,
    offset: i64,
    limit: i64,
) -> Result<ArrearsPage, ProjectionError> {
    let day = as_of.naive();
    let (total_accounts, total_unpaid): (i64, i64) = sqlx::query_as(&format!(
        "SELECT count(DISTINCT person_id), coalesce(sum(balance), 0)::bigint FROM ({OWING}) o"
    ))
    .bind(day)
    .fetch_one(&mut *conn)
    .await?;
    let accounts: Vec<(Uuid, Option<String>, String, String, i64)> = sqlx::query_as(&format!(
        "SELECT o.person_id, a.customer_number, a.category, a.status, sum(o.balance)::bigint
         FROM ({OWING}) o JOIN premium_accounts a USING (person_id)
         GROUP BY o.person_id, a.customer_number, a.category, a.status
         ORDER BY a.customer_number NULLS LAST, o.person_id
         LIMIT $2 OFFSET $3"
    ))
    .bind(day)
    .bind(limit)
    .bind(offset)
    .fetch_all(&mut *conn)
    .await?;
    let ids: Vec<Uuid> = accounts.iter().map(|a| a.0).collect();
    let rows: Vec<(Uuid, NaiveDate, NaiveDate, i64, Option<NaiveDate>)> = sqlx::query_as(&format!(
        "SELECT * FROM ({OWING}) o WHERE person_id = ANY($2) ORDER BY person_id, month"
    ))
    .bind(day)
    .bind(&ids)
    .fetch_all(&mut *conn)
    .await?;
    let mut months: HashMap<Uuid, Vec<MonthUnpaid>> = HashMap::new();
    for (id, month, due_on, balance, detected) in rows {
        months.entry(id).or_default().push(MonthUnpaid {
            month: Date::from(month).year_month(),
            due_on: due_on.into(),
            unpaid: Yen::new(balance),
            arrears_detected_as_of: detected.map(Date::from),
        });
    }
    Ok(ArrearsPage {
        as_of,
        accounts: accounts
            .into_iter()
            .map(
                |(person_id, customer_number, category, status, unpaid)| AccountInArrears {
                    months: months.remove(&person_id).unwrap_or_default(),
                    person_id,
                    customer_number,
                    category,
                    status,
                    unpaid: Yen::new(unpaid),
                },
            )
            .collect(),
        total_accounts,
        total_unpaid: Yen::new(total_unpaid),
    })
}

/// One refund with its account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RefundRow {
    pub person_id: Uuid,
    pub customer_number: Option<String>,
    pub claim_number: i32,
    pub claimed_on: Date,
    pub amount: Option<Yen>,
    pub decided_on: Option<Date>,
    pub paid_on: Option<Date>,
    pub reference: Option<String>,
    /// `claimed`, `decided` or `paid`.
    pub status: String,
}

/// A page of refunds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RefundPage {
    pub refunds: Vec<RefundRow>,
    pub total: i64,
}

type RefundTuple = (
    Uuid,
    Option<String>,
    i32,
    NaiveDate,
    Option<i64>,
    Option<NaiveDate>,
    Option<NaiveDate>,
    Option<String>,
    String,
);

/// Refunds (還付), oldest claim first, optionally of one status.
pub async fn refunds(
    conn: &mut PgConnection,
    status: Option<RefundStatus>,
    offset: i64,
    limit: i64,
) -> Result<RefundPage, ProjectionError> {
    let status = status.map(RefundStatus::as_str);
    let (total,): (i64,) = sqlx::query_as(
        "SELECT count(*) FROM premium_refunds WHERE $1::text IS NULL OR status = $1",
    )
    .bind(status)
    .fetch_one(&mut *conn)
    .await?;
    let rows: Vec<RefundTuple> = sqlx::query_as(
        "SELECT r.person_id, a.customer_number, r.claim_number, r.claimed_on, r.amount,
                r.decided_on, r.paid_on, r.reference, r.status
         FROM premium_refunds r JOIN premium_accounts a USING (person_id)
         WHERE $1::text IS NULL OR r.status = $1
         ORDER BY r.claimed_on, r.person_id, r.claim_number
         LIMIT $2 OFFSET $3",
    )
    .bind(status)
    .bind(limit)
    .bind(offset)
    .fetch_all(&mut *conn)
    .await?;
    Ok(RefundPage {
        refunds: rows
            .into_iter()
            .map(
                |(person_id, number, claim, claimed, amount, decided, paid, reference, status)| {
                    RefundRow {
                        person_id,
                        customer_number: number,
                        claim_number: claim,
                        claimed_on: claimed.into(),
                        amount: amount.map(Yen::new),
                        decided_on: decided.map(Date::from),
                        paid_on: paid.map(Date::from),
                        reference,
                        status,
                    }
                },
            )
            .collect(),
        total,
    })
}
