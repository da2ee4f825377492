//! Loading and saving `staff_accounts` rows. The registry is small (50 to 99 staff, digest.md
//! §0.2), so rows are saved one statement each.

use std::collections::HashMap;

use sqlx::PgConnection;

use super::view::StaffAccountView;
use crate::ProjectionError;

/// Current rows for `ids` (those that exist).
pub async fn load(
    conn: &mut PgConnection,
    ids: &[String],
) -> Result<HashMap<String, StaffAccountView>, ProjectionError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT staff_id, view::text FROM staff_accounts WHERE staff_id = ANY($1)")
            .bind(ids)
            .fetch_all(&mut *conn)
            .await?;
    rows.into_iter()
        .map(|(id, view)| Ok((id, serde_json::from_str(&view)?)))
        .collect()
}

/// Insert or replace the row of each view.
pub async fn save(
    conn: &mut PgConnection,
    views: &[&StaffAccountView],
) -> Result<(), ProjectionError> {
    for view in views {
        let roles: Vec<&str> = view.roles.iter().map(|r| r.as_str()).collect();
        let pending = view
            .pending_change
            .as_ref()
            .map(serde_json::to_string)
            .transpose()?;
        sqlx::query(
            "INSERT INTO staff_accounts (staff_id, status, department, roles, my_number_permission,
                                         valid_from, valid_to, revoked_at, pending_change_id,
                                         pending_change, view, stream_version)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11::jsonb, $12)
             ON CONFLICT (staff_id) DO UPDATE SET
                 status = EXCLUDED.status, department = EXCLUDED.department,
                 roles = EXCLUDED.roles, my_number_permission = EXCLUDED.my_number_permission,
                 valid_from = EXCLUDED.valid_from, valid_to = EXCLUDED.valid_to,
                 revoked_at = EXCLUDED.revoked_at, pending_change_id = EXCLUDED.pending_change_id,
                 pending_change = EXCLUDED.pending_change, view = EXCLUDED.view,
                 stream_version = EXCLUDED.stream_version",
        )
        .bind(&view.staff_id)
        .bind(view.status.as_str())
        .bind(&view.department)
        .bind(&roles)
        .bind(view.my_number_permission)
        .bind(view.valid_from.map(|d| d.naive()))
        .bind(view.valid_to.map(|d| d.naive()))
        .bind(view.revoked_at)
        .bind(view.pending_change.as_ref().map(|p| p.change_id))
        .bind(pending)
        .bind(serde_json::to_string(view)?)
        .bind(view.stream_version)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}
