//! Switching My Number access on (a short elevation for a stated purpose) and checking it.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use sqlx::{PgConnection, PgPool};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::Staff;

/// How long My Number access stays on unless switched off earlier.
pub const DEFAULT_MINUTES: i64 = 15;
/// The longest elevation a user may ask for.
pub const MAX_MINUTES: i64 = 60;

/// The problem and access-log code of an elevation refused for want of multi-factor
/// authentication (多要素認証).
pub const MFA_REQUIRED: &str = "mfa_required";

/// Whether `staff` may switch access on as far as authentication goes: with an identity
/// provider, only on a token that shows multi-factor authentication; development tokens (no
/// identity provider) show nothing and are not asked to.
pub fn multi_factor_shown(staff: &Staff) -> bool {
    staff.multi_factor != Some(false)
}

/// An active elevation.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Elevation {
    pub elevation_id: Uuid,
    /// 利用目的, as stated by the user.
    pub purpose: String,
    pub started_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// Switch My Number access on for `staff` for `minutes`.
pub async fn start(
    pool: &PgPool,
    staff: &Staff,
    purpose: &str,
    minutes: i64,
) -> Result<Elevation, sqlx::Error> {
    let id = Uuid::now_v7();
    let expires_at = Utc::now() + Duration::minutes(minutes);
    let started_at: DateTime<Utc> = sqlx::query_scalar(
        "INSERT INTO my_number_elevations (elevation_id, staff_id, purpose, client_address, terminal_id, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING started_at",
    )
    .bind(id)
    .bind(&staff.claims.sub)
    .bind(purpose)
    .bind(&staff.client_address)
    .bind(&staff.terminal_id)
    .bind(expires_at)
    .fetch_one(pool)
    .await?;
    Ok(Elevation {
        elevation_id: id,
        purpose: purpose.to_owned(),
        started_at,
        expires_at,
    })
}

/// The user's active elevation, if any (the latest one that has neither ended nor expired).
pub async fn active(
    conn: &mut PgConnection,
    staff_id: &str,
) -> Result<Option<Elevation>, sqlx::Error> {
    let row: Option<(Uuid, String, DateTime<Utc>, DateTime<Utc>)> = sqlx::query_as(
        "SELECT elevation_id, purpose, started_at, expires_at FROM my_number_elevations
          WHERE staff_id = $1 AND ended_at IS NULL AND expires_at > clock_timestamp()
          ORDER BY started_at DESC LIMIT 1",
    )
    .bind(staff_id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.map(
        |(elevation_id, purpose, started_at, expires_at)| Elevation {
            elevation_id,
            purpose,
            started_at,
            expires_at,
        },
    ))
}

/// Switch every active elevation of the user off. Returns how many were ended.
pub async fn end_all(pool: &PgPool, staff_id: &str) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query(
        "UPDATE my_number_elevations SET ended_at = clock_timestamp()
          WHERE staff_id = $1 AND ended_at IS NULL AND expires_at > clock_timestamp()",
    )
    .bind(staff_id)
    .execute(pool)
    .await?
    .rows_affected())
}
