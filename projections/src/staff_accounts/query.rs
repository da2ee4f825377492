//! Queries on the ユーザ管理簿 read model, including the per-request standing check.

use chrono::NaiveDate;
use kenpo_domain::calendar::Date;
use kenpo_domain::staff::{validity_covers, Role};
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use super::view::StaffAccountView;
use crate::ProjectionError;

/// One account's view.
pub async fn find(
    executor: impl PgExecutor<'_>,
    staff_id: &str,
) -> Result<Option<StaffAccountView>, ProjectionError> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT view::text FROM staff_accounts WHERE staff_id = $1")
            .bind(staff_id)
            .fetch_optional(executor)
            .await?;
    row.map(|(view,)| serde_json::from_str(&view).map_err(ProjectionError::from))
        .transpose()
}

/// Every account, by 職員ID: the ユーザ管理簿 with the changes waiting for approval.
pub async fn list(executor: impl PgExecutor<'_>) -> Result<Vec<StaffAccountView>, ProjectionError> {
    let rows: Vec<(String,)> =
        sqlx::query_as("SELECT view::text FROM staff_accounts ORDER BY staff_id")
            .fetch_all(executor)
            .await?;
    rows.into_iter()
        .map(|(view,)| serde_json::from_str(&view).map_err(ProjectionError::from))
        .collect()
}

/// The 職員ID of the account whose pending change is `change_id`.
pub async fn account_with_pending_change(
    conn: &mut PgConnection,
    change_id: Uuid,
) -> Result<Option<String>, ProjectionError> {
    Ok(
        sqlx::query_scalar("SELECT staff_id FROM staff_accounts WHERE pending_change_id = $1")
            .bind(change_id)
            .fetch_optional(&mut *conn)
            .await?,
    )
}

/// How many accounts were ever created (active or revoked).
pub async fn created_count(executor: impl PgExecutor<'_>) -> Result<i64, ProjectionError> {
    Ok(
        sqlx::query_scalar("SELECT count(*) FROM staff_accounts WHERE status <> 'proposed'")
            .fetch_one(executor)
            .await?,
    )
}

/// What a request needs to know of its user's account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountStanding {
    /// `proposed`, `active` or `revoked`.
    pub status: String,
    /// 課.
    pub department: Option<String>,
    pub roles: Vec<Role>,
    /// 個人番号 取扱権限.
    pub my_number_permission: bool,
    pub valid_from: Option<Date>,
    pub valid_to: Option<Date>,
}

/// Why an account does not let its user in.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotActive {
    #[error("there is no account for this user in the ユーザ管理簿 (staff account registry)")]
    Unknown,
    #[error("the account's creation is not approved yet")]
    NotCreated,
    #[error("the account is revoked")]
    Revoked,
    #[error("the account's rights apply from {0}")]
    NotYetValid(Date),
    #[error("the account's rights ended on {0}")]
    Expired(Date),
}

impl AccountStanding {
    /// Whether the account lets its user in on `today` (a date in Japan).
    pub fn active_on(&self, today: Date) -> Result<(), NotActive> {
        match self.status.as_str() {
            "active" => {}
            "revoked" => return Err(NotActive::Revoked),
            _ => return Err(NotActive::NotCreated),
        }
        let Some(valid_from) = self.valid_from else {
            return Err(NotActive::NotCreated);
        };
        if validity_covers(valid_from, self.valid_to, today) {
            Ok(())
        } else if today < valid_from {
            Err(NotActive::NotYetValid(valid_from))
        } else {
            Err(NotActive::Expired(self.valid_to.unwrap_or(today)))
        }
    }
}

type StandingRow = (
    String,
    Option<String>,
    Vec<String>,
    bool,
    Option<NaiveDate>,
    Option<NaiveDate>,
);

/// The standing of `staff_id`'s account (one primary-key read), `None` when there is none.
pub async fn standing(
    executor: impl PgExecutor<'_>,
    staff_id: &str,
) -> Result<Option<AccountStanding>, ProjectionError> {
    let row: Option<StandingRow> = sqlx::query_as(
        "SELECT status, department, roles, my_number_permission, valid_from, valid_to
         FROM staff_accounts WHERE staff_id = $1",
    )
    .bind(staff_id)
    .fetch_optional(executor)
    .await?;
    Ok(row.map(
        |(status, department, roles, my_number_permission, valid_from, valid_to)| AccountStanding {
            status,
            department,
            roles: roles.iter().filter_map(|r| r.parse().ok()).collect(),
            my_number_permission,
            valid_from: valid_from.map(Date::from),
            valid_to: valid_to.map(Date::from),
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn standing(status: &str, from: Date, to: Option<Date>) -> AccountStanding {
        AccountStanding {
            status: status.to_owned(),
            department: Some("適用一課".to_owned()),
            roles: vec![Role::Qualification],
            my_number_permission: false,
            valid_from: Some(from),
            valid_to: to,
        }
    }

    #[test]
    fn an_account_lets_its_user_in_only_while_active_and_valid() {
        let from = Date::fixed(2026, 4, 1);
        let to = Some(Date::fixed(2027, 3, 31));
        let active = standing("active", from, to);
        assert_eq!(active.active_on(from), Ok(()));
        assert_eq!(active.active_on(Date::fixed(2027, 3, 31)), Ok(()));
        assert_eq!(
            active.active_on(Date::fixed(2026, 3, 31)),
            Err(NotActive::NotYetValid(from))
        );
        assert_eq!(
            active.active_on(Date::fixed(2027, 4, 1)),
            Err(NotActive::Expired(Date::fixed(2027, 3, 31)))
        );
        assert_eq!(
            standing("revoked", from, None).active_on(from),
            Err(NotActive::Revoked)
        );
        assert_eq!(
            standing("proposed", from, None).active_on(from),
            Err(NotActive::NotCreated)
        );
    }
}
