//! A JSON body extractor whose rejections are problem+json answers.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;

use crate::problem::ApiError;

/// Like `axum::Json`, but a body that does not parse (syntax, unknown field, wrong type, a
/// value a domain type refuses) becomes a problem+json answer with a stable code.
#[derive(Debug, Clone)]
pub struct Body<T>(pub T);

impl<S, T> FromRequest<S> for Body<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(Self(value)),
            Err(rejection) => Err(match rejection {
                JsonRejection::JsonDataError(e) => ApiError::invalid("invalid_body", e.body_text()),
                JsonRejection::JsonSyntaxError(e) => ApiError::new(
                    axum::http::StatusCode::BAD_REQUEST,
                    "malformed_json",
                    "Malformed JSON",
                    e.body_text(),
                ),
                JsonRejection::MissingJsonContentType(e) => ApiError::new(
                    axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "unsupported_media_type",
                    "Unsupported media type",
                    e.body_text(),
                ),
                other => ApiError::invalid("invalid_body", other.body_text()),
            }),
        }
    }
}
