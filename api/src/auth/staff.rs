//! The authenticated staff user of a request, with where the request came from.
//!
//! The router's guard ([`crate::authorization::guard`]) authenticates once per request
//! ([`authenticate`]), checks the route's roles in the authorization table and leaves the
//! [`Staff`] with the acting role in the request's extensions, where the extractor takes it.
//!
//! A request is let in only when its bearer token verifies **and** the user's account in the
//! ユーザ管理簿 (staff account registry) is active today: created, not revoked, and today (the
//! date in Japan) within `valid_from..=valid_to`. One primary-key read per request. The roles
//! acted under are those the token carries *and* the registry holds.
//!
//! Provenance comes from the edge ([`crate::edge`]): the request id is the server's own, the
//! client's `X-Request-Id` is kept apart, and the client address is the peer's unless the
//! peer is a configured trusted proxy.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts, MatchedPath};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::http::{header, HeaderMap};
use chrono::Utc;
use kenpo_domain::staff as registry;
use kenpo_infrastructure::event_store::EventMetadata;
use kenpo_projections::staff_accounts::{query, NotActive};
use uuid::Uuid;

use super::{Claims, Role};
use crate::edge::{ClientAddress, ClientRequestId, RequestId};
use crate::problem::ApiError;
use crate::state::AppState;

/// Header naming the terminal a request was sent from (端末ID).
pub const TERMINAL_ID: &str = "x-terminal-id";
/// Header carrying a correlation id chosen by the client.
pub const CORRELATION_ID: &str = "x-correlation-id";

/// A staff user whose bearer token verified and whose account is active, and the request's
/// provenance.
#[derive(Debug, Clone)]
pub struct Staff {
    /// The token's claims, with `roles` narrowed to those the registry also holds (a token
    /// cannot grant more than the ユーザ管理簿 records).
    pub claims: Claims,
    /// 課 of the user, from the registry.
    pub department: String,
    /// 個人番号 取扱権限, from the registry: without it the user never reaches a My Number.
    pub my_number_permission: bool,
    /// Whether the token shows multi-factor authentication (多要素認証): `None` for a
    /// development token (no identity provider configured, nothing to show).
    pub multi_factor: Option<bool>,
    /// The client's address ([`crate::edge::EdgeConfig::client_address`]).
    pub client_address: Option<String>,
    pub terminal_id: Option<String>,
    /// The server's id of the request (UUID v7).
    pub request_id: String,
    /// The `X-Request-Id` the client sent, as given (visible ASCII, at most 128 bytes).
    pub client_request_id: Option<String>,
    pub correlation_id: Uuid,
    /// The role acted under: the first role of the route's entry in the authorization table
    /// that the user holds ([`crate::authorization`]).
    acting: Option<Role>,
    /// The route as its template with the method, e.g. `GET /api/v1/members/{person_id}`:
    /// never the path as sent nor its query (search terms can be names). For the read log
    /// ([`crate::application::read_log`]).
    pub endpoint: String,
}

impl Staff {
    /// The role this request acts under, chosen by the authorization table; 403 only for a
    /// route the table does not guard (which the router never serves).
    pub fn role(&self) -> Result<Role, ApiError> {
        self.acting
            .ok_or_else(|| ApiError::forbidden("no role of the authorization table was chosen"))
    }

    /// The same user acting under `role`.
    pub(crate) fn acting_as(mut self, role: Role) -> Self {
        self.acting = Some(role);
        self
    }

    /// A check that depends on data (e.g. someone else's account): refuse (403) unless the
    /// user holds one of `roles`; the first one held is returned.
    pub fn require_any(&self, roles: &[Role]) -> Result<Role, ApiError> {
        roles
            .iter()
            .copied()
            .find(|r| self.claims.roles.contains(r))
            .ok_or_else(|| {
                let names: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
                ApiError::forbidden(format!("this needs one of the roles {}", names.join(", ")))
            })
    }

    /// Event metadata for a command this user sends under `role`.
    pub fn metadata(&self, role: Role) -> EventMetadata {
        EventMetadata {
            actor: self.claims.sub.clone(),
            role: role.as_str().to_owned(),
            client_address: self.client_address.clone(),
            terminal_id: self.terminal_id.clone(),
            request_id: self.request_id.clone(),
            client_request_id: self.client_request_id.clone(),
            correlation_id: self.correlation_id,
            causation_id: Uuid::parse_str(&self.request_id).unwrap_or(self.correlation_id),
            recorded_at: Utc::now(),
            reason: None,
        }
    }
}

impl From<Role> for registry::Role {
    fn from(role: Role) -> Self {
        match role {
            Role::Qualification => Self::Qualification,
            Role::Benefits => Self::Benefits,
            Role::Premiums => Self::Premiums,
            Role::Review => Self::Review,
            Role::SystemAdmin => Self::SystemAdmin,
            Role::DataProtection => Self::DataProtection,
            Role::Auditor => Self::Auditor,
        }
    }
}

impl From<registry::Role> for Role {
    fn from(role: registry::Role) -> Self {
        match role {
            registry::Role::Qualification => Self::Qualification,
            registry::Role::Benefits => Self::Benefits,
            registry::Role::Premiums => Self::Premiums,
            registry::Role::Review => Self::Review,
            registry::Role::SystemAdmin => Self::SystemAdmin,
            registry::Role::DataProtection => Self::DataProtection,
            registry::Role::Auditor => Self::Auditor,
        }
    }
}

/// 401 `account_not_active`: the token verified but the registry does not let the user in.
pub fn account_not_active(user: &str, why: &NotActive) -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "account_not_active",
        "Account not active",
        format!("{user}: {why}"),
    )
}

fn header_text(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty() && v.len() <= 128)
        .map(str::to_owned)
}

/// The staff user the router's guard authenticated and admitted
/// ([`crate::authorization::guard::admit`]).
impl FromRequestParts<AppState> for Staff {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<Staff>().cloned().ok_or_else(|| {
            ApiError::internal(&"a handler asked for the staff user on a route the authorization guard does not cover")
        })
    }
}

/// Authenticate the request's staff user: the bearer token verifies (401) and the account is
/// active in the ユーザ管理簿 today (401 `account_not_active`); the roles are those the token
/// and the registry both hold. No role is chosen yet.
pub async fn authenticate(parts: &Parts, state: &AppState) -> Result<Staff, ApiError> {
    {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or_else(|| ApiError::unauthorized("a bearer token is required"))?;
        let (mut claims, multi_factor) = match state.signing_key.idp() {
            Some(idp) => {
                let verified = idp.verify(token.trim()).await.map_err(|e| {
                    tracing::info!(code = e.code(), "identity provider token refused");
                    ApiError::from(e)
                })?;
                (verified.claims, Some(verified.multi_factor))
            }
            None => (
                state
                    .signing_key
                    .verify(token.trim())
                    .map_err(|e| ApiError::unauthorized(e.to_string()))?,
                None,
            ),
        };
        let account = query::standing(&state.pool, &claims.sub)
            .await
            .map_err(|e| ApiError::internal(&e))?
            .ok_or(NotActive::Unknown)
            .and_then(|account| {
                account.active_on(registry::date_in_japan(Utc::now()))?;
                Ok(account)
            })
            .map_err(|why| account_not_active(&claims.sub, &why))?;
        claims
            .roles
            .retain(|role| account.roles.contains(&registry::Role::from(*role)));
        // the edge resolved the address (trusted proxies) and made the id; without the edge
        // (a router served without its layers) the peer and a fresh id
        let client_address = parts
            .extensions
            .get::<ClientAddress>()
            .map(|ClientAddress(ip)| *ip)
            .or_else(|| {
                parts
                    .extensions
                    .get::<ConnectInfo<SocketAddr>>()
                    .map(|ConnectInfo(addr)| addr.ip())
            })
            .map(|ip| ip.to_string());
        let request_id = parts
            .extensions
            .get::<RequestId>()
            .map_or_else(Uuid::now_v7, |RequestId(id)| *id);
        let client_request_id = parts
            .extensions
            .get::<ClientRequestId>()
            .map(|ClientRequestId(id)| id.clone());
        let correlation_id = match header_text(&parts.headers, CORRELATION_ID) {
            Some(v) => Uuid::parse_str(&v).map_err(|_| {
                ApiError::invalid("invalid_correlation_id", "X-Correlation-Id must be a UUID")
            })?,
            None => request_id,
        };
        let endpoint = format!(
            "{} {}",
            parts.method,
            parts
                .extensions
                .get::<MatchedPath>()
                .map_or("(unmatched)", MatchedPath::as_str)
        );
        Ok(Staff {
            claims,
            department: account.department.unwrap_or_default(),
            my_number_permission: account.my_number_permission,
            multi_factor,
            client_address,
            terminal_id: header_text(&parts.headers, TERMINAL_ID),
            request_id: request_id.to_string(),
            client_request_id,
            correlation_id,
            acting: None,
            endpoint,
        })
    }
}
