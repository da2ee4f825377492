//! Who may touch a 個人番号, and when: the authorisation matrix of the My Number endpoints.
//!
//! | action | role | 個人番号 permission (ユーザ管理簿) | elevation |
//! |---|---|---|---|
//! | switch access on / off | any staff role but review | required | — |
//! | register, change, delete, 未登録, 枝番, 5情報 | qualification (適用) | required | required |
//! | confirm (another person than the entry's), withdraw a pending entry | qualification (適用) | required | required |
//! | read (reveal), 名寄せ lookup | qualification, benefits, premiums | required | required |
//! | access log, review report | data_protection | — | — |
//!
//! Every refusal is written to the access log in a transaction of its own.

use uuid::Uuid;

use super::access_log::{self, Action, Entry, Outcome};
use super::elevation::{self, Elevation};
use crate::auth::{Role, Staff};
use crate::problem::ApiError;
use crate::state::AppState;

/// The roles that may enter or change a 個人番号.
pub const ENTRY_ROLES: &[Role] = &[Role::Qualification];
/// The roles that may read a 個人番号 or look up its holder.
pub const READ_ROLES: &[Role] = &[Role::Qualification, Role::Benefits, Role::Premiums];

/// Permission to act on My Number: the role acted under and the active elevation.
#[derive(Debug, Clone)]
pub struct Granted {
    pub role: Role,
    pub elevation: Elevation,
}

async fn refuse(
    state: &AppState,
    staff: &Staff,
    role: Option<Role>,
    person_id: Option<Uuid>,
    action: Action,
    code: &'static str,
    detail: &str,
) -> ApiError {
    let entry = Entry {
        staff,
        role,
        elevation: None,
        person_id,
        action,
        outcome: Outcome::Refused,
        reason_code: Some(code),
    };
    if let Err(e) = access_log::record_alone(&state.pool, &entry).await {
        return ApiError::internal(&e);
    }
    ApiError::forbidden(detail.to_owned()).with_code(code)
}

/// Check role, permission and elevation for `action` on `person_id`; log and refuse otherwise.
pub async fn require(
    state: &AppState,
    staff: &Staff,
    roles: &[Role],
    person_id: Option<Uuid>,
    action: Action,
) -> Result<Granted, ApiError> {
    let Some(role) = roles
        .iter()
        .copied()
        .find(|r| staff.claims.roles.contains(r))
    else {
        let names: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
        return Err(refuse(
            state,
            staff,
            None,
            person_id,
            action,
            "forbidden",
            &format!("this needs one of the roles: {}", names.join(", ")),
        )
        .await);
    };
    if !staff.my_number_permission {
        return Err(refuse(
            state,
            staff,
            Some(role),
            person_id,
            action,
            "my_number_permission_required",
            "your account has no 個人番号 permission (ユーザ管理簿)",
        )
        .await);
    }
    let mut conn = state.pool.acquire().await?;
    let Some(elevation) = elevation::active(&mut conn, &staff.claims.sub).await? else {
        drop(conn);
        return Err(refuse(
            state,
            staff,
            Some(role),
            person_id,
            action,
            "my_number_access_off",
            "switch My Number access on first (POST /api/v1/my-number/access) with the purpose",
        )
        .await);
    };
    Ok(Granted { role, elevation })
}

/// Log a refusal by a rule (invalid number, duplicate, …) after the command rolled back.
pub async fn log_refusal(
    state: &AppState,
    staff: &Staff,
    granted: &Granted,
    person_id: Option<Uuid>,
    action: Action,
    code: &str,
) -> Result<(), ApiError> {
    let entry = Entry {
        staff,
        role: Some(granted.role),
        elevation: Some(&granted.elevation),
        person_id,
        action,
        outcome: Outcome::Refused,
        reason_code: Some(code),
    };
    access_log::record_alone(&state.pool, &entry).await?;
    Ok(())
}
