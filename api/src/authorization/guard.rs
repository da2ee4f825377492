//! The guard every matched route passes (a `route_layer` on the API router): it looks the
//! route up in the authorization table ([`super::TABLE`]) by method and path template,
//! authenticates the staff user once ([`crate::auth::authenticate`]) unless the route is
//! public, refuses a user holding none of the admitted roles and hands the handler the
//! [`Staff`] with the acting role. All of this happens before the body is read.
//!
//! Refusals: 401 (no or bad token; `account_not_active` for an account not active today),
//! 403 `forbidden` (none of the admitted roles), 403 `not_in_access_table` (a route served
//! without an entry: deny by default).

use axum::extract::{FromRequestParts, MatchedPath, RawPathParams, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use uuid::Uuid;

use super::{Admits, Rule};
use crate::application::my_number::access_log::{self, Entry, Outcome};
use crate::auth::{Role, Staff};
use crate::problem::ApiError;
use crate::state::AppState;

/// The problem code of a route that has no entry in the table.
pub const NOT_IN_ACCESS_TABLE: &str = "not_in_access_table";

/// 403 `forbidden`: the user holds none of `roles` ("this needs the benefits role", "this
/// needs one of the roles benefits, auditor").
pub fn forbidden(roles: &[Role]) -> ApiError {
    let names: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
    match names.as_slice() {
        [one] => ApiError::forbidden(format!("this needs the {one} role")),
        _ => ApiError::forbidden(format!("this needs one of the roles {}", names.join(", "))),
    }
}

/// The middleware: admit or refuse the request by the table.
pub async fn admit(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let rule = request
        .extensions()
        .get::<MatchedPath>()
        .and_then(|path| super::rule(request.method().as_str(), path.as_str()));
    let Some(rule) = rule else {
        return ApiError::forbidden("this route has no entry in the authorization table")
            .with_code(NOT_IN_ACCESS_TABLE)
            .into_response();
    };
    let roles = match rule.admits {
        Admits::Public => return next.run(request).await,
        Admits::Roles(roles) => roles,
    };
    let (mut parts, body) = request.into_parts();
    let staff = match crate::auth::authenticate(&parts, &state).await {
        Ok(staff) => staff,
        Err(refused) => return refused.into_response(),
    };
    let Some(role) = roles
        .iter()
        .copied()
        .find(|r| staff.claims.roles.contains(r))
    else {
        if let Some(logged) = log_refusal(&mut parts, &state, &staff, rule).await {
            return logged.into_response();
        }
        return forbidden(roles).into_response();
    };
    parts.extensions.insert(staff.acting_as(role));
    next.run(Request::from_parts(parts, body)).await
}

/// Write the refusal of a 個人番号 route to the 個人番号 access log (with the person of the
/// path, if any); `Some` error when that fails.
async fn log_refusal(
    parts: &mut axum::http::request::Parts,
    state: &AppState,
    staff: &Staff,
    rule: &Rule,
) -> Option<ApiError> {
    let action = rule.my_number_action?;
    let person_id = RawPathParams::from_request_parts(parts, state)
        .await
        .ok()
        .and_then(|params| {
            params
                .iter()
                .find(|(name, _)| *name == "person_id")
                .and_then(|(_, value)| Uuid::parse_str(value).ok())
        });
    let entry = Entry {
        staff,
        role: None,
        elevation: None,
        person_id,
        action,
        outcome: Outcome::Refused,
        reason_code: Some("forbidden"),
    };
    access_log::record_alone(&state.pool, &entry)
        .await
        .err()
        .map(|e| ApiError::internal(&e))
}
