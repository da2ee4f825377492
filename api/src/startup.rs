//! Build the application state and the router.

use std::sync::Arc;

use anyhow::Context;

use axum::routing::{get, post};
use axum::Router;
use kenpo_infrastructure::event_store::Upcasters;
use sqlx::PgPool;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::edge::{self, Edge, EdgeConfig};
use crate::problem::ApiError;
use crate::routes;
use crate::state::AppState;

/// State with the configured token verifier and the key store, checked against the database:
/// refused (exit code 78) when a key the database depends on is missing or different; keys
/// are created only for an empty database (the first start of the embedded default).
///
/// With an identity provider configured ([`crate::config::identity_provider`]) its JWK set is
/// read first (refused to start when it cannot be) and only its tokens are accepted; without,
/// development tokens signed with the HS256 secret.
pub async fn state(pool: PgPool) -> anyhow::Result<AppState> {
    let signing_key = match crate::config::identity_provider()? {
        Some(config) => {
            let idp = crate::auth::IdentityProvider::new(config)?;
            let keys = idp
                .load()
                .await
                .context("reading the identity provider's keys (KENPO_OIDC_JWKS_*)")?;
            anyhow::ensure!(
                keys > 0,
                "the identity provider's JWK set holds no usable signing key"
            );
            tracing::info!(
                issuer = %idp.config().issuer,
                keys,
                "tokens come from the identity provider only"
            );
            crate::auth::SigningKey::identity_provider(Arc::new(idp))
        }
        None => crate::config::signing_key()?,
    };
    let keys = Arc::new(crate::cli::keys::key_store(&pool).await?);
    Ok(AppState {
        pool,
        signing_key,
        upcasters: Arc::new(upcasters()),
        keks: keys.clone(),
        bik: keys,
    })
}

/// The upcasters of every event type the API reads.
pub fn upcasters() -> Upcasters {
    Upcasters::new(kenpo_domain::upcasters::all())
}

/// Every route of the API, behind the edge with its default configuration.
pub fn router(state: AppState) -> Router {
    router_with(state, &EdgeConfig::default())
}

/// Every route of the API behind the edge ([`crate::edge`]) configured by `edge`. Outermost
/// first: the request id and client address, the request log (path and query parameter
/// names only), then the body limit, the concurrency limit and the request timeout, then the
/// routes.
pub fn router_with(state: AppState, edge: &EdgeConfig) -> Router {
    let edge = Edge::new(edge);
    crate::openapi::document();
    use routes::{events, members, my_number, persons};
    let api = Router::new()
        .route("/openapi.json", get(crate::openapi::served))
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
            post(routes::payee_accounts::propose),
        )
        .route(
            "/persons/{person_id}/payment-account/changes/{change_id}/confirmation",
            post(routes::payee_accounts::confirm),
        )
        .route(
            "/persons/{person_id}/payment-account/changes/{change_id}/rejection",
            post(routes::payee_accounts::reject),
        )
        .route(
            "/persons/{person_id}/identification-changes",
            post(persons::change_identification),
        )
        .route("/members", get(members::search))
        .route("/members/{person_id}", get(members::member))
        .route("/members/{person_id}/history", get(members::history))
        .route("/accounts", get(routes::accounts::list))
        .route("/accounts/{staff_id}", get(routes::accounts::account))
        .route("/accounts/changes", post(routes::accounts::propose))
        .route(
            "/accounts/changes/{change_id}/approval",
            post(routes::accounts::approve),
        )
        .route(
            "/accounts/changes/{change_id}/rejection",
            post(routes::accounts::reject),
        )
        .route("/my-number/access", post(my_number::start_access))
        .route("/my-number/access/end", post(my_number::end_access))
        .route("/my-number/lookups", post(my_number::lookup))
        .route("/my-number/access-log", get(my_number::access_log_page))
        .route("/my-number/review", get(my_number::review))
        .route("/erasures", get(routes::erasures::list))
        .route("/erasure-proofs", get(routes::erasure_proofs::list))
        .route(
            "/erasure-proofs/{proof_id}",
            get(routes::erasure_proofs::proof),
        )
        .route("/access-log", get(routes::access_log::log))
        .route("/access-log/review", get(routes::access_log::review))
        .route("/audit/verification", get(routes::audit::verification))
        .route(
            "/persons/{person_id}/my-number",
            post(my_number::register).get(my_number::read),
        )
        .route(
            "/persons/{person_id}/my-number/status",
            get(my_number::status),
        )
        .route(
            "/persons/{person_id}/my-number/change",
            post(my_number::change),
        )
        .route(
            "/persons/{person_id}/my-number/entries/{entry_id}/confirmation",
            post(my_number::confirm_entry),
        )
        .route(
            "/persons/{person_id}/my-number/entries/{entry_id}/withdrawal",
            post(my_number::withdraw_entry),
        )
        .route(
            "/persons/{person_id}/my-number/deletion",
            post(my_number::delete),
        )
        .route(
            "/persons/{person_id}/my-number/not-registered",
            post(my_number::not_registered),
        )
        .route(
            "/persons/{person_id}/my-number/branch-number",
            post(my_number::assign_branch_number),
        )
        .route(
            "/persons/{person_id}/my-number/branch-number/change",
            post(my_number::change_branch_number),
        )
        .route(
            "/persons/{person_id}/my-number/five-info",
            post(my_number::five_info),
        )
        .route("/parameters", get(routes::parameters::list))
        .route(
            "/parameters/{key}",
            post(routes::parameters::set_value).get(routes::parameters::in_force),
        )
        .route(
            "/parameters/{key}/corrections",
            post(routes::parameters::correct_value),
        )
        .route(
            "/payment-batches",
            post(routes::payment_batches::create).get(routes::payment_batches::list),
        )
        .route(
            "/payment-batches/{batch_id}",
            get(routes::payment_batches::batch),
        )
        .route(
            "/payment-batches/{batch_id}/transfer-file",
            get(routes::payment_batches::transfer_file),
        )
        .route(
            "/payment-batches/{batch_id}/results",
            post(routes::payment_batches::record_result),
        )
        .route(
            "/payment-batches/{batch_id}/approval",
            post(routes::payment_batches::approve),
        )
        .route(
            "/employers/{office_code}/payment-account",
            post(routes::employer_accounts::register).get(routes::employer_accounts::account),
        )
        .route(
            "/employers/{office_code}/payment-account/closure",
            post(routes::employer_accounts::close),
        )
        .route(
            "/employers/{office_code}/payment-account/changes/{change_id}/confirmation",
            post(routes::employer_accounts::confirm),
        )
        .route(
            "/employers/{office_code}/payment-account/changes/{change_id}/rejection",
            post(routes::employer_accounts::reject),
        )
        .route(
            "/claims",
            post(routes::benefits::receive).get(routes::benefits::search),
        )
        .route("/claims/{claim_id}", get(routes::benefits::claim))
        .route(
            "/claims/{claim_id}/registration",
            post(routes::benefits::register),
        )
        .route(
            "/claims/{claim_id}/calculation",
            post(routes::benefits::calculate),
        )
        .route(
            "/claims/{claim_id}/decision",
            post(routes::benefits::decide),
        )
        .route(
            "/claims/{claim_id}/notice",
            post(routes::benefits::send_notice),
        )
        .route(
            "/claims/{claim_id}/correction",
            post(routes::benefits::correct),
        )
        .route(
            "/claims/{claim_id}/withdrawal",
            post(routes::benefits::withdraw),
        )
        .route(
            "/certificates",
            post(routes::certificates::issue).get(routes::certificates::list),
        )
        .route(
            "/certificates/{certificate_id}",
            get(routes::certificates::certificate),
        )
        .route(
            "/certificates/{certificate_id}/collection",
            post(routes::certificates::collect),
        )
        .route("/premium-accounts", post(routes::premiums::open))
        .route(
            "/premium-accounts/{person_id}",
            get(routes::premiums::account_view),
        )
        .route(
            "/premium-accounts/{person_id}/assessments",
            post(routes::premiums::assess),
        )
        .route(
            "/premium-accounts/{person_id}/prepayments",
            post(routes::premiums::prepay),
        )
        .route(
            "/premium-accounts/{person_id}/receipts",
            post(routes::premiums::receive),
        )
        .route(
            "/premium-accounts/{person_id}/arrears-detection",
            post(routes::premiums::detect_arrears),
        )
        .route(
            "/premium-accounts/{person_id}/loss-for-non-payment",
            post(routes::premiums::lose_for_non_payment),
        )
        .route(
            "/premium-accounts/{person_id}/closing",
            post(routes::premiums::close),
        )
        .route(
            "/premium-accounts/{person_id}/receipt-reversals",
            post(routes::premiums::reverse_receipt),
        )
        .route(
            "/premium-accounts/{person_id}/first-premium-unpaid",
            post(routes::premiums::first_premium_unpaid),
        )
        .route(
            "/premium-accounts/{person_id}/prepayment-shortfall",
            post(routes::premiums::prepayment_shortfall),
        )
        .route(
            "/premium-accounts/{person_id}/refunds/claim",
            post(routes::premiums::claim_refund),
        )
        .route(
            "/premium-accounts/{person_id}/refunds/decision",
            post(routes::premiums::decide_refund),
        )
        .route(
            "/premium-accounts/{person_id}/refunds/payment",
            post(routes::premiums::pay_refund),
        )
        .route(
            "/premium-receipt-imports",
            post(routes::premiums::import_receipts),
        )
        .route(
            "/premium-receipt-imports/{import_id}",
            get(routes::premiums::import_report),
        )
        .route("/premium-arrears", get(routes::premiums::arrears))
        .route("/premium-refunds", get(routes::premiums::refund_list))
        .route(
            "/employer-notices",
            post(routes::employer_notices::issue).get(routes::employer_notices::search),
        )
        .route(
            "/employer-notices/{office_code}/{month}",
            get(routes::employer_notices::detail),
        )
        .route(
            "/employer-notices/{office_code}/{month}/reissue",
            post(routes::employer_notices::reissue),
        )
        .route(
            "/employer-notices/{office_code}/{month}/receipts",
            post(routes::employer_notices::record_receipt),
        )
        .route(
            "/assessment-runs",
            post(routes::employer_notices::assessment_run),
        )
        .route("/events", get(events::feed))
        .route("/streams/{stream_id}", get(events::stream));
    Router::new()
        .route("/healthz", get(routes::health::healthz))
        .route("/readyz", get(routes::health::readyz))
        .nest("/api/v1", api)
        // after every route: the guard covers them all (and only matched routes)
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::authorization::guard::admit,
        ))
        .fallback(|| async { ApiError::not_found("no_such_route", "there is no such route") })
        .method_not_allowed_fallback(|| async {
            ApiError::new(
                axum::http::StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "Method not allowed",
                "this route does not take that method: commands are POST, queries GET",
            )
        })
        .layer(axum::middleware::from_fn_with_state(
            edge.clone(),
            edge::guard,
        ))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(edge::request_span)
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .layer(axum::middleware::from_fn_with_state(edge, edge::identify))
        .with_state(state)
}
