//! The My Number access log (アクセス記録): who, when, from where, which person, purpose,
//! outcome — for every read, entry, change, lookup, refusal and failed attempt. Append-only in
//! the database; it never holds a 個人番号.

use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::elevation::Elevation;
use crate::auth::{Role, Staff};

/// What was attempted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// My Number access switched on.
    Elevate,
    /// My Number access switched off.
    EndElevation,
    /// 登録.
    Register,
    /// 変更.
    Change,
    /// A 登録 or 変更 entry confirmed by a second person (ダブルチェック).
    Confirm,
    /// A pending 登録 or 変更 entry withdrawn.
    WithdrawEntry,
    /// 削除.
    Delete,
    /// 未登録理由 recorded.
    NotRegistered,
    /// 被保険者枝番 assigned or changed.
    BranchNumber,
    /// 5情報 照合 recorded.
    FiveInfo,
    /// A number revealed to staff.
    Read,
    /// 名寄せ: who holds a number.
    Lookup,
    /// Crypto-shredded by the retention job.
    Erase,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Elevate => "elevate",
            Self::EndElevation => "end_elevation",
            Self::Register => "register",
            Self::Change => "change",
            Self::Confirm => "confirm",
            Self::WithdrawEntry => "withdraw_entry",
            Self::Delete => "delete",
            Self::NotRegistered => "not_registered",
            Self::BranchNumber => "branch_number",
            Self::FiveInfo => "five_info",
            Self::Read => "read",
            Self::Lookup => "lookup",
            Self::Erase => "erase",
        }
    }
}

/// How it ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    /// Refused by authorisation or by a rule (duplicate, invalid number, …).
    Refused,
    /// Failed for a technical reason.
    Failed,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Refused => "refused",
            Self::Failed => "failed",
        }
    }
}

/// One access-log row.
#[derive(Debug, Clone)]
pub struct Entry<'a> {
    pub staff: &'a Staff,
    pub role: Option<Role>,
    pub elevation: Option<&'a Elevation>,
    pub person_id: Option<Uuid>,
    pub action: Action,
    pub outcome: Outcome,
    /// A stable code for refusals and failures (never the number).
    pub reason_code: Option<&'a str>,
}

/// Write `entry` on `conn` (inside the caller's transaction when it has one).
pub async fn record(conn: &mut PgConnection, entry: &Entry<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO my_number_access_log (staff_id, role, elevation_id, purpose, client_address,
                                           terminal_id, request_id, person_id, action, outcome,
                                           reason_code)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(&entry.staff.claims.sub)
    .bind(entry.role.map(Role::as_str))
    .bind(entry.elevation.map(|e| e.elevation_id))
    .bind(entry.elevation.map(|e| e.purpose.as_str()))
    .bind(&entry.staff.client_address)
    .bind(&entry.staff.terminal_id)
    .bind(&entry.staff.request_id)
    .bind(entry.person_id)
    .bind(entry.action.as_str())
    .bind(entry.outcome.as_str())
    .bind(entry.reason_code)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Write `entry` in a transaction of its own: for refusals and failures, whose command
/// transaction is rolled back, and for reads, which are logged before anything is revealed.
pub async fn record_alone(pool: &PgPool, entry: &Entry<'_>) -> Result<(), sqlx::Error> {
    let mut conn = pool.acquire().await?;
    record(&mut conn, entry).await
}
