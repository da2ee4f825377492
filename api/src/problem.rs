//! Errors as `application/problem+json` (RFC 9457) with a stable machine-readable code.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use kenpo_domain::refusal::{Refusal, RefusalCategory};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

tokio::task_local! {
    /// The server's id of the request being answered, set by the edge
    /// ([`crate::edge::identify`]) around everything that answers it: the `instance` of every
    /// problem.
    pub static REQUEST_ID: Uuid;
}

/// The body of every error answer.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem: `urn:kenpo:problem:<code>`.
    #[serde(rename = "type")]
    pub problem_type: String,
    /// Short, human-readable summary of the kind of problem.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong with this request, for a person.
    pub detail: String,
    /// Stable error code for programs (snake_case); never changes meaning.
    pub code: String,
    /// This occurrence: `urn:uuid:<request id>`, the id the server gave the request (also in
    /// the `X-Request-Id` response header, and in the events and access-log rows it wrote).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
}

/// An error answer: a status, a stable code and a detail.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub title: &'static str,
    pub detail: String,
}

impl ApiError {
    pub fn new(
        status: StatusCode,
        code: &'static str,
        title: &'static str,
        detail: impl Into<String>,
    ) -> Self {
        Self {
            status,
            code,
            title,
            detail: detail.into(),
        }
    }

    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "Authentication required",
            detail,
        )
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "Not allowed for your role",
            detail,
        )
    }

    pub fn not_found(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, code, "Not found", detail)
    }

    pub fn invalid(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            code,
            "Invalid request",
            detail,
        )
    }

    pub fn conflict(code: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, "Conflict", detail)
    }

    /// An unexpected failure: the cause is logged, the client gets no internals.
    pub fn internal(cause: &dyn std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "Internal error",
            "the server failed to process the request; it has been logged",
        )
    }

    /// The same answer with another stable code.
    pub fn with_code(mut self, code: &'static str) -> Self {
        self.code = code;
        self
    }

    pub fn problem(&self) -> Problem {
        Problem {
            problem_type: format!("urn:kenpo:problem:{}", self.code),
            title: self.title.to_owned(),
            status: self.status.as_u16(),
            detail: self.detail.clone(),
            code: self.code.to_owned(),
            instance: REQUEST_ID.try_with(|id| format!("urn:uuid:{id}")).ok(),
        }
    }
}

/// A domain refusal as an answer: its stable code, and 422 / 409 / 404 / 403 by category
/// (500, detail logged not shown, for the internal failures a few domain errors carry).
pub fn refusal<E: Refusal>(error: E) -> ApiError {
    let detail = error.to_string();
    match error.category() {
        RefusalCategory::Invalid => ApiError::invalid(error.code(), detail),
        RefusalCategory::Conflict => ApiError::conflict(error.code(), detail),
        RefusalCategory::NotFound => ApiError::not_found(error.code(), detail),
        RefusalCategory::Forbidden => ApiError::new(
            StatusCode::FORBIDDEN,
            error.code(),
            "Not allowed for your role",
            detail,
        ),
        RefusalCategory::Internal => ApiError::internal(&detail),
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status.as_u16(), self.code, self.detail)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::to_vec(&self.problem()).unwrap_or_default();
        (
            self.status,
            [(header::CONTENT_TYPE, "application/problem+json")],
            body,
        )
            .into_response()
    }
}

/// A read that could not be logged fails: 500, nothing answered.
impl From<crate::application::read_log::ReadLogError> for ApiError {
    fn from(error: crate::application::read_log::ReadLogError) -> Self {
        Self::internal(&error)
    }
}

impl From<sqlx::Error> for ApiError {
    fn from(error: sqlx::Error) -> Self {
        Self::internal(&error)
    }
}

#[cfg(test)]
mod tests {
    use kenpo_domain::my_number::{MyNumberRecordError, SealError};
    use kenpo_domain::parameters::ParameterError;
    use kenpo_domain::qualification::QualificationError;
    use kenpo_domain::staff::StaffAccountError;

    use super::*;

    #[test]
    fn a_refusal_keeps_its_code_and_detail_with_the_status_of_its_category() {
        let not_found = refusal(QualificationError::PersonNotFound);
        assert_eq!(not_found.status, StatusCode::NOT_FOUND);
        assert_eq!(not_found.code, "person_not_found");
        assert_eq!(
            not_found.detail,
            QualificationError::PersonNotFound.to_string()
        );

        let forbidden = refusal(StaffAccountError::DeciderIsProposer {
            staff_id: "admin1".into(),
        });
        assert_eq!(forbidden.status, StatusCode::FORBIDDEN);
        assert_eq!(forbidden.code, "two_person_rule");
        assert_eq!(forbidden.title, "Not allowed for your role");

        let invalid = refusal(ParameterError::NoChange);
        assert_eq!(invalid.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(invalid.code, "no_change");
    }

    #[test]
    fn a_sealing_failure_is_an_internal_error_that_shows_nothing() {
        let error = refusal(MyNumberRecordError::SealFailed(SealError::KeyUnavailable(
            "kek-7".into(),
        )));
        assert_eq!(error.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(error.code, "internal_error");
        assert!(!error.detail.contains("kek-7"), "{}", error.detail);
    }
}
