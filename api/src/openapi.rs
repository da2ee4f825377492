//! The OpenAPI document, generated from the handlers and types (utoipa).

use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::authorization::openapi::RolesInDocument;
use crate::problem::Problem;
use crate::routes;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                Http::builder()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// The kenpo API.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "kenpo",
        description = "Records of a health insurance society (健康保険組合): 適用, 給付, 徴収. \
Commands are POST and answer with the stream, its new version and the global position; \
queries are GET. Errors are application/problem+json with a stable `code`. Dates are ISO 8601 \
in answers; inputs also take 和暦 (令和7年4月1日, R7.4.1).",
    ),
    paths(
        routes::health::healthz, routes::health::readyz, served,
        routes::persons::acquire, routes::persons::recognize_dependent, routes::persons::lose,
        routes::persons::remove_dependent, routes::persons::determine_remuneration,
        routes::persons::report_bonus, routes::persons::change_name, routes::persons::change_address,
        routes::persons::start_maternity_leave, routes::persons::end_maternity_leave,
        routes::persons::start_childcare_leave, routes::persons::end_childcare_leave,
        routes::persons::issue_certificate, routes::persons::collect_certificate,
        routes::payee_accounts::propose, routes::payee_accounts::confirm,
        routes::payee_accounts::reject, routes::persons::change_identification,
        routes::members::search, routes::members::member, routes::members::history,
        routes::events::feed, routes::events::stream,
        routes::my_number::start_access, routes::my_number::end_access,
        routes::my_number::register, routes::my_number::change, routes::my_number::delete,
        routes::my_number::confirm_entry, routes::my_number::withdraw_entry,
        routes::my_number::not_registered, routes::my_number::assign_branch_number,
        routes::my_number::change_branch_number, routes::my_number::five_info,
        routes::my_number::read, routes::my_number::status, routes::my_number::lookup,
        routes::my_number::access_log_page, routes::my_number::review,
        routes::erasures::list, routes::erasure_proofs::list, routes::erasure_proofs::proof,
        routes::access_log::log, routes::access_log::review,
        routes::audit::verification,
        routes::accounts::propose, routes::accounts::approve, routes::accounts::reject,
        routes::accounts::list, routes::accounts::account,
        routes::parameters::set_value, routes::parameters::correct_value,
        routes::parameters::list, routes::parameters::in_force,
        routes::employer_notices::issue, routes::employer_notices::reissue,
        routes::employer_notices::record_receipt, routes::employer_notices::search,
        routes::employer_notices::detail, routes::employer_notices::assessment_run,
        routes::premiums::open, routes::premiums::assess, routes::premiums::prepay,
        routes::premiums::receive, routes::premiums::detect_arrears,
        routes::premiums::lose_for_non_payment, routes::premiums::close,
        routes::premiums::claim_refund, routes::premiums::decide_refund,
        routes::premiums::pay_refund, routes::premiums::import_receipts,
        routes::premiums::import_report, routes::premiums::account_view,
        routes::premiums::arrears, routes::premiums::refund_list,
        routes::premiums::reverse_receipt, routes::premiums::first_premium_unpaid,
        routes::premiums::prepayment_shortfall,
        routes::benefits::receive, routes::benefits::register, routes::benefits::calculate,
        routes::benefits::decide, routes::benefits::send_notice, routes::benefits::correct,
        routes::benefits::withdraw, routes::benefits::search, routes::benefits::claim,
        routes::certificates::issue, routes::certificates::collect,
        routes::certificates::list, routes::certificates::certificate,
        routes::payment_batches::create, routes::payment_batches::record_result,
        routes::payment_batches::transfer_file, routes::payment_batches::batch,
        routes::payment_batches::list, routes::payment_batches::approve,
        routes::employer_accounts::register, routes::employer_accounts::close,
        routes::employer_accounts::confirm, routes::employer_accounts::reject,
        routes::employer_accounts::account,
    ),
    components(schemas(Problem)),
    modifiers(&BearerAuth, &RolesInDocument),
    security(("bearer" = [])),
)]
pub struct ApiDoc;

/// This document (OpenAPI 3.1, JSON).
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "health",
    responses((status = 200, description = "the OpenAPI document", content_type = "application/json")))]
pub async fn served() -> impl axum::response::IntoResponse {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        document(),
    )
}

/// The document as JSON, generated once. Generation walks every schema recursively and needs
/// more stack than a small (test or worker) thread has in debug builds, so it runs on a thread
/// of its own with a large stack.
pub fn document() -> &'static str {
    static DOCUMENT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DOCUMENT.get_or_init(|| {
        std::thread::Builder::new()
            .name("openapi".to_owned())
            .stack_size(16 * 1024 * 1024)
            .spawn(|| {
                ApiDoc::openapi()
                    .to_json()
                    .unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
            })
            .ok()
            .and_then(|handle| handle.join().ok())
            .unwrap_or_else(|| "{}".to_owned())
    })
}
