//! The authenticated staff user of a request, with where the request came from.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use chrono::Utc;
use kenpo_infrastructure::event_store::EventMetadata;
use uuid::Uuid;

use super::{Claims, Role};
use crate::problem::ApiError;
use crate::state::AppState;

/// Header naming the terminal a request was sent from (端末ID).
pub const TERMINAL_ID: &str = "x-terminal-id";
/// Header carrying the request id.
pub const REQUEST_ID: &str = "x-request-id";
/// Header carrying a correlation id chosen by the client.
pub const CORRELATION_ID: &str = "x-correlation-id";

/// A staff user whose bearer token verified, and the request's provenance.
#[derive(Debug, Clone)]
pub struct Staff {
    pub claims: Claims,
    pub client_address: Option<String>,
    pub terminal_id: Option<String>,
    pub request_id: String,
    pub correlation_id: Uuid,
}

impl Staff {
    /// Refuse (403) unless the user holds `role`; the role acted under is returned.
    pub fn require(&self, role: Role) -> Result<Role, ApiError> {
        if self.claims.roles.contains(&role) {
            Ok(role)
        } else {
            Err(ApiError::forbidden(format!(
                "this needs the {} role",
                role.as_str()
            )))
        }
    }

    /// Any staff role may read the read models; the first role held is recorded.
    pub fn any_role(&self) -> Result<Role, ApiError> {
        self.claims
            .roles
            .first()
            .copied()
            .ok_or_else(|| ApiError::forbidden("the token holds no role"))
    }

    /// Event metadata for a command this user sends under `role`.
    pub fn metadata(&self, role: Role) -> EventMetadata {
        EventMetadata {
            actor: self.claims.sub.clone(),
            role: role.as_str().to_owned(),
            client_address: self.client_address.clone(),
            terminal_id: self.terminal_id.clone(),
            request_id: self.request_id.clone(),
            correlation_id: self.correlation_id,
            causation_id: Uuid::parse_str(&self.request_id).unwrap_or(self.correlation_id),
            recorded_at: Utc::now(),
            reason: None,
        }
    }
}

fn header_text(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty() && v.len() <= 128)
        .map(str::to_owned)
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or_else(|| ApiError::unauthorized("a bearer token is required"))?;
        let claims = state
            .signing_key
            .verify(token.trim())
            .map_err(|e| ApiError::unauthorized(e.to_string()))?;
        let client_address = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip().to_string());
        let request_id =
            header_text(&parts.headers, REQUEST_ID).unwrap_or_else(|| Uuid::now_v7().to_string());
        let correlation_id = match header_text(&parts.headers, CORRELATION_ID) {
            Some(v) => Uuid::parse_str(&v).map_err(|_| {
                ApiError::invalid("invalid_correlation_id", "X-Correlation-Id must be a UUID")
            })?,
            None => Uuid::parse_str(&request_id).unwrap_or_else(|_| Uuid::now_v7()),
        };
        Ok(Self {
            claims,
            client_address,
            terminal_id: header_text(&parts.headers, TERMINAL_ID),
            request_id,
            correlation_id,
        })
    }
}
