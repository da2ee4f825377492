//! Build the application state and the router.

use std::sync::Arc;

use axum::routing::{get, post};
use axum::Router;
use kenpo_infrastructure::event_store::Upcasters;
use sqlx::PgPool;
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::problem::ApiError;
use crate::routes;
use crate::state::AppState;

/// State with the configured signing key.
pub fn state(pool: PgPool) -> anyhow::Result<AppState> {
    Ok(AppState {
        pool,
        signing_key: crate::config::signing_key()?,
        upcasters: Arc::new(upcasters()),
    })
}

/// The upcasters of every event type the API reads.
pub fn upcasters() -> Upcasters {
    Upcasters::new(kenpo_domain::upcasters::all())
}

async fn openapi_json() -> impl axum::response::IntoResponse {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        crate::openapi::document(),
    )
}

/// Every route of the API.
pub fn router(state: AppState) -> Router {
    crate::openapi::document();
    use routes::{events, members, persons};
    let api = Router::new()
        .route("/openapi.json", get(openapi_json))
        .route("/acquisitions", post(persons::acquire))
        .route("/dependents", post(persons::recognize_dependent))
        .route("/persons/{person_id}/loss", post(persons::lose))
        .route(
            "/persons/{person_id}/dependent-removal",
            post(persons::remove_dependent),
        )
        .route(
            "/persons/{person_id}/standard-remuneration",
            post(persons::determine_remuneration),
        )
        .route("/persons/{person_id}/bonuses", post(persons::report_bonus))
        .route(
            "/persons/{person_id}/name-changes",
            post(persons::change_name),
        )
        .route(
            "/persons/{person_id}/address-changes",
            post(persons::change_address),
        )
        .route(
            "/persons/{person_id}/maternity-leave/start",
            post(persons::start_maternity_leave),
        )
        .route(
            "/persons/{person_id}/maternity-leave/end",
            post(persons::end_maternity_leave),
        )
        .route(
            "/persons/{person_id}/childcare-leave/start",
            post(persons::start_childcare_leave),
        )
        .route(
            "/persons/{person_id}/childcare-leave/end",
            post(persons::end_childcare_leave),
        )
        .route(
            "/persons/{person_id}/certificates",
            post(persons::issue_certificate),
        )
        .route(
            "/persons/{person_id}/certificate-collections",
            post(persons::collect_certificate),
        )
        .route(
            "/persons/{person_id}/payment-account",
            post(persons::register_payment_account),
        )
        .route(
            "/persons/{person_id}/identification-changes",
            post(persons::change_identification),
        )
        .route("/members", get(members::search))
        .route("/members/{person_id}", get(members::member))
        .route("/members/{person_id}/history", get(members::history))
        .route("/events", get(events::feed))
        .route("/streams/{stream_id}", get(events::stream));
    Router::new()
        .route("/healthz", get(routes::health::healthz))
        .route("/readyz", get(routes::health::readyz))
        .nest("/api/v1", api)
        .fallback(|| async { ApiError::not_found("no_such_route", "there is no such route") })
        .method_not_allowed_fallback(|| async {
            ApiError::new(
                axum::http::StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "Method not allowed",
                "this route does not take that method: commands are POST, queries GET",
            )
        })
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .with_state(state)
}
