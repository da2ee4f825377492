//! The 適用 API over real HTTP against a real PostgreSQL: authentication, authorisation,
//! validation that writes nothing, idempotency, optimistic concurrency, the read models.

mod common;

use common::bodies::{acquisition, dependent, retirement};
use common::{json, spawn_app};
use kenpo_api::auth::Role;
use serde_json::{json, Value};
use sqlx::PgPool;
use uuid::Uuid;

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn acquisition_then_loss_then_history(pool: PgPool) {
    let app = spawn_app(pool).await;
    let clerk = app.clerk();
    let id = Uuid::now_v7();

    let body = app.acquire(&acquisition(id, "100", "2345")).await;
    assert_eq!(body["version"], 1);
    assert_eq!(body["stream_id"], format!("person-{id}"));
    assert!(body["position"].as_i64().unwrap() >= 1);

    // read-your-write: the member view is there at once, with the grade of 300,000 円
    // (報酬月額 290,000 ≤ x < 310,000 → 22等級 300,000, rules.md §2.1)
    let (status, member) = app.get_json(&format!("/api/v1/members/{id}"), &clerk).await;
    assert_eq!(status, 200, "{member}");
    assert_eq!(member["status"], "qualified");
    assert_eq!(member["acquired_on"], "2025-04-01");
    assert_eq!(member["birth_date"], "1980-04-01", "和暦 input, ISO output");
    assert_eq!(
        member["standard_remuneration"]["standard"]["amount"],
        300000
    );
    assert_eq!(member["standard_remuneration"]["standard"]["grade"], 22);

    let (status, body) = app
        .post_json(&format!("/api/v1/persons/{id}/loss"), &clerk, &retirement())
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["version"], 2);

    let (status, history) = app
        .get_json(&format!("/api/v1/members/{id}/history"), &clerk)
        .await;
    assert_eq!(status, 200, "{history}");
    let periods = history["periods"].as_array().unwrap();
    assert_eq!(periods.len(), 1);
    assert_eq!(periods[0]["from"], "2025-04-01");
    assert_eq!(periods[0]["lost_on"], "2026-04-01");
    let events = history["events"].as_array().unwrap();
    assert_eq!(events.len(), 2);
    assert_eq!(events[0]["event_type"], "QualificationAcquired");
    assert_eq!(events[1]["event_type"], "QualificationLost");
    assert_eq!(events[1]["metadata"]["actor"], "clerk1");
    assert_eq!(events[1]["metadata"]["role"], "qualification");
    assert_eq!(events[1]["metadata"]["terminal_id"], "T-001");
    assert_eq!(events[1]["metadata"]["client_address"], "127.0.0.1");
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn no_token_is_401_a_bad_token_is_401_and_the_wrong_role_is_403(pool: PgPool) {
    let app = spawn_app(pool).await;
    let body = acquisition(Uuid::now_v7(), "100", "1");
    let response = app
        .client
        .post(format!("{}/api/v1/acquisitions", app.base))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let (status, problem) = app
        .post_json("/api/v1/acquisitions", "not-a-jwt", &body)
        .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (401, Some("unauthorized"))
    );
    let benefits = app.kyufu();
    let (status, problem) = app
        .post_json("/api/v1/acquisitions", &benefits, &body)
        .await;
    assert_eq!((status, problem["code"].as_str()), (403, Some("forbidden")));
    // any staff role may read
    let (status, _) = app.get_json("/api/v1/members?kana=ヤ", &benefits).await;
    assert_eq!(status, 200);
    assert_eq!(app.event_count().await, 0);
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn bad_input_gets_problem_json_and_writes_nothing(pool: PgPool) {
    let app = spawn_app(pool).await;
    let clerk = app.clerk();
    let id = Uuid::now_v7();
    let mut unknown_field = acquisition(id, "100", "1");
    unknown_field["favourite_colour"] = json!("blue");
    let mut bad_kana = acquisition(id, "100", "1");
    bad_kana["kana"] = json!("やまだ");
    let mut bad_wareki = acquisition(id, "100", "1");
    bad_wareki["acquired_on"] = json!("平成31年5月1日");
    let mut before_birth = acquisition(id, "100", "1");
    before_birth["acquired_on"] = json!("1970-01-01");
    for (case, body) in [
        ("unknown field", unknown_field),
        ("kana", bad_kana),
        ("wareki outside its era", bad_wareki),
        ("acquired before birth", before_birth),
    ] {
        let response = app
            .post("/api/v1/acquisitions", &clerk, &body)
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json",
            "{case}"
        );
        let (status, problem) = json(response).await;
        assert_eq!(status, 422, "{case}: {problem}");
        assert!(
            problem["code"].as_str().is_some_and(|c| !c.is_empty()),
            "{case}"
        );
        assert!(
            problem["detail"].as_str().is_some_and(|c| !c.is_empty()),
            "{case}"
        );
    }
    let response = app
        .client
        .post(format!("{}/api/v1/acquisitions", app.base))
        .bearer_auth(&clerk)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    let (status, problem) = json(response).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (400, Some("malformed_json"))
    );
    // a loss for a person that does not exist
    let (status, _) = app
        .post_json(
            &format!("/api/v1/persons/{}/loss", Uuid::now_v7()),
            &clerk,
            &retirement(),
        )
        .await;
    assert!(status == 404 || status == 422, "got {status}");
    assert_eq!(app.event_count().await, 0);
    let members: i64 = sqlx::query_scalar("SELECT count(*) FROM members")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(members, 0);
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn the_same_idempotency_key_returns_the_first_answer_and_records_nothing_new(pool: PgPool) {
    let app = spawn_app(pool).await;
    let clerk = app.clerk();
    let body = acquisition(Uuid::now_v7(), "100", "1");
    let send = |body: serde_json::Value| {
        app.post("/api/v1/acquisitions", &clerk, &body)
            .header("idempotency-key", "form-0001")
            .send()
    };
    let (first_status, first) = json(send(body.clone()).await.unwrap()).await;
    assert_eq!(first_status, 201, "{first}");
    let (again_status, again) = json(send(body.clone()).await.unwrap()).await;
    assert_eq!((again_status, &again), (201, &first));
    assert_eq!(app.event_count().await, 1);

    let other = acquisition(Uuid::now_v7(), "100", "2");
    let (status, problem) = json(send(other).await.unwrap()).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (422, Some("idempotency_key_reused"))
    );
    assert_eq!(app.event_count().await, 1);
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn a_stale_expected_version_is_409_and_writes_nothing(pool: PgPool) {
    let app = spawn_app(pool).await;
    let clerk = app.clerk();
    let id = Uuid::now_v7();
    app.acquire(&acquisition(id, "100", "1")).await;
    let change = json!({ "changed_on": "2025-06-01", "received_on": "2025-06-02", "contact_address": "東京都港区芝公園4-2-8" });
    let path = format!("/api/v1/persons/{id}/address-changes");
    let (status, body) = app.post_json_if_match(&path, &clerk, &change, 1).await;
    assert_eq!(status, 200, "{body}");
    let (status, problem) = app.post_json_if_match(&path, &clerk, &change, 1).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (409, Some("version_conflict"))
    );
    assert_eq!(app.event_count().await, 2);
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn a_second_active_qualification_is_refused_with_409(pool: PgPool) {
    let app = spawn_app(pool).await;
    let clerk = app.clerk();
    let id = Uuid::now_v7();
    let body = acquisition(id, "100", "1");
    assert_eq!(
        app.post("/api/v1/acquisitions", &clerk, &body)
            .send()
            .await
            .unwrap()
            .status(),
        201
    );
    let (status, problem) = app.post_json("/api/v1/acquisitions", &clerk, &body).await;
    assert_eq!(status, 409, "{problem}");
    assert_eq!(app.event_count().await, 1);
}

/// 資格取得 is first tried as the creation of a new stream (no read); when the person already
/// has a stream, or an empty stream would refuse, it is decided again against the stored
/// stream. The answers must be those of deciding against the stored stream.
#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn an_acquisition_is_decided_against_the_stored_stream_when_there_is_one(pool: PgPool) {
    let app = spawn_app(pool).await;
    let clerk = app.clerk();

    // 任意継続 for a person kenpo has never seen: refused (3条4項 needs a preceding 強制
    // period), nothing written
    let stranger = Uuid::now_v7();
    let mut voluntary = acquisition(stranger, "900", "1");
    voluntary["category"] = json!("voluntary_continuation");
    voluntary["acquired_on"] = json!("2026-04-01");
    voluntary["reason"] = json!({ "kind": "voluntary_continuation" });
    voluntary["received_on"] = json!("2026-04-06");
    let (status, problem) = app
        .post_json("/api/v1/acquisitions", &clerk, &voluntary)
        .await;
    assert_eq!(status, 409, "{problem}");
    assert_eq!(problem["code"], "voluntary_continuation_not_eligible");
    assert_eq!(app.event_count().await, 0);

    // the same 任意継続 for a person whose 強制 period ended on 2026-04-01 (retirement()): an
    // empty stream would refuse it, the stored one allows it
    let id = Uuid::now_v7();
    app.acquire(&acquisition(id, "100", "7")).await;
    let (status, body) = app
        .post_json(&format!("/api/v1/persons/{id}/loss"), &clerk, &retirement())
        .await;
    assert_eq!(status, 200, "{body}");
    voluntary["person_id"] = json!(id);
    let body = app.acquire(&voluntary).await;
    assert_eq!(body["version"], 3, "appended after the stored two events");
    assert_eq!(app.event_count().await, 3);

    let (status, member) = app.get_json(&format!("/api/v1/members/{id}"), &clerk).await;
    assert_eq!(status, 200, "{member}");
    assert_eq!(member["status"], "qualified");
    assert_eq!(member["acquired_on"], "2026-04-01");
    let (status, history) = app
        .get_json(&format!("/api/v1/members/{id}/history"), &clerk)
        .await;
    assert_eq!(status, 200, "{history}");
    assert_eq!(history["periods"].as_array().unwrap().len(), 2);
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn dependents_need_a_qualified_insured_and_leave_with_the_insured(pool: PgPool) {
    let app = spawn_app(pool).await;
    let clerk = app.clerk();
    let insured = Uuid::now_v7();
    let spouse = Uuid::now_v7();
    // no insured yet: refused (a state conflict: 409), nothing written
    let (status, problem) = app
        .post_json(
            "/api/v1/dependents",
            &clerk,
            &dependent(spouse, insured, "100", "1"),
        )
        .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (409, Some("insured_not_qualified")),
        "{problem}"
    );
    assert_eq!(app.event_count().await, 0);

    assert_eq!(
        app.post(
            "/api/v1/acquisitions",
            &clerk,
            &acquisition(insured, "100", "1")
        )
        .send()
        .await
        .unwrap()
        .status(),
        201
    );
    let (status, body) = app
        .post_json(
            "/api/v1/dependents",
            &clerk,
            &dependent(spouse, insured, "100", "1"),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let (_, member) = app
        .get_json(&format!("/api/v1/members/{insured}"), &clerk)
        .await;
    assert_eq!(member["dependents"][0]["person_id"], spouse.to_string());
    assert_eq!(member["dependents"][0]["status"], "qualified");

    let (status, loss) = app
        .post_json(
            &format!("/api/v1/persons/{insured}/loss"),
            &clerk,
            &retirement(),
        )
        .await;
    assert_eq!(status, 200, "{loss}");
    assert_eq!(
        loss["dependents_removed"][0]["person_id"],
        spouse.to_string()
    );
    let (_, dependent_view) = app
        .get_json(&format!("/api/v1/members/{spouse}"), &clerk)
        .await;
    assert_eq!(dependent_view["status"], "lost");
    assert_eq!(dependent_view["lost_on"], "2026-04-01");
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn search_by_number_office_kana_and_birth_date_with_paging(pool: PgPool) {
    let app = spawn_app(pool).await;
    let clerk = app.clerk();
    for n in 0..5 {
        let body = acquisition(Uuid::now_v7(), "100", &format!("{}", n + 1));
        assert_eq!(
            app.post("/api/v1/acquisitions", &clerk, &body)
                .send()
                .await
                .unwrap()
                .status(),
            201
        );
    }
    let (_, page) = app
        .get_json("/api/v1/members?symbol=100&number=3", &clerk)
        .await;
    assert_eq!(page["total"], 1);
    assert_eq!(page["members"][0]["identification"]["number"], "3");
    let (_, page) = app
        .get_json(
            "/api/v1/members?office_code=1234&kana=ヤマダ&birth_date=S55.4.1&per_page=2&page=2",
            &clerk,
        )
        .await;
    assert_eq!(page["total"], 5);
    assert_eq!(page["members"].as_array().unwrap().len(), 2);
    let (status, problem) = app
        .get_json("/api/v1/members?birth_date=yesterday", &clerk)
        .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (422, Some("invalid_query"))
    );
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn the_openapi_document_lists_the_commands(pool: PgPool) {
    let app = spawn_app(pool).await;
    let doc = app.openapi().await;
    for path in [
        "/api/v1/acquisitions",
        "/api/v1/persons/{person_id}/loss",
        "/api/v1/members/{person_id}/history",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} missing");
    }
    let (status, _) = app.get_public_json("/healthz").await;
    assert_eq!(status, 200);
    let (status, _) = app.get_public_json("/readyz").await;
    assert_eq!(status, 200);
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn malformed_paths_queries_methods_and_headers_are_problem_json(pool: PgPool) {
    let app = spawn_app(pool).await;
    let clerk = app.clerk();
    let cases = [
        (
            app.get("/api/v1/members/not-a-uuid", &clerk),
            404,
            "not_found",
        ),
        (
            app.post("/api/v1/persons/xyz/loss", &clerk, &retirement()),
            404,
            "not_found",
        ),
        (
            app.get("/api/v1/members?foo=1", &clerk),
            422,
            "invalid_query",
        ),
        (
            app.get(
                "/api/v1/events?after=x",
                &app.token("audit1", &[Role::Auditor]),
            ),
            422,
            "invalid_query",
        ),
        (
            app.get("/api/v1/acquisitions", &clerk),
            405,
            "method_not_allowed",
        ),
        (
            app.get("/api/v1/nothing-here", &clerk),
            404,
            "no_such_route",
        ),
        (
            app.post(
                "/api/v1/acquisitions",
                &clerk,
                &acquisition(Uuid::now_v7(), "1", "1"),
            )
            .header("x-correlation-id", "abc"),
            422,
            "invalid_correlation_id",
        ),
    ];
    for (request, status, code) in cases {
        let response = request.send().await.unwrap();
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json",
            "{code}"
        );
        let (got, problem) = json(response).await;
        assert_eq!(
            (got, problem["code"].as_str()),
            (status, Some(code)),
            "{problem}"
        );
    }
    assert_eq!(app.event_count().await, 0);
}

/// 給付金支給先口座 of 山田 太郎 with `account_number`.
fn payee_account(account_number: &str) -> Value {
    json!({
        "account": {
            "bank_code": "0005", "bank_name": "三菱UFJ銀行", "branch_code": "123",
            "branch_name": "本店", "account_type": "ordinary", "account_number": account_number,
            "holder": "ヤマダタロウ"
        },
        "source": "notification",
        "received_on": "2025-05-01"
    })
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn a_payee_account_is_in_force_only_once_another_qualification_clerk_confirms_it(
    pool: PgPool,
) {
    let app = spawn_app(pool).await;
    let clerk = app.clerk();
    let clerk2 = app.bootstrap_clerk2().await;
    let id = Uuid::now_v7();
    app.acquire(&acquisition(id, "100", "1")).await;
    app.register_payee_account(id, &payee_account("1111111"))
        .await;
    let member_path = format!("/api/v1/members/{id}");
    let in_force = payee_account("1111111")["account"].clone();
    let proposed = payee_account("2222222")["account"].clone();

    // 変更 proposed by clerk1: the view keeps the account in force and shows the proposal.
    let base = format!("/api/v1/persons/{id}/payment-account");
    let (status, proposal) = app
        .post_json(&base, &clerk, &payee_account("2222222"))
        .await;
    assert_eq!(status, 202, "{proposal}");
    assert_eq!(proposal["status"], "pending_confirmation");
    assert_eq!(proposal["events"], json!(["PaymentAccountChangeProposed"]));
    let change_id = proposal["change_id"].as_str().unwrap().to_owned();
    let (_, member) = app.get_json(&member_path, &clerk).await;
    assert_eq!(member["payment_account"], in_force, "{member}");
    let pending = &member["pending_payment_account_change"];
    assert_eq!(pending["change_id"], change_id.as_str(), "{member}");
    assert_eq!(pending["account"], proposed);
    assert_eq!(pending["proposed_by"], "clerk1");
    assert!(pending["proposed_at"].is_string(), "{member}");

    // Refusals, each writing nothing.
    let confirmation = format!("{base}/changes/{change_id}/confirmation");
    let rejection = format!("{base}/changes/{change_id}/rejection");
    let unknown = format!("{base}/changes/{}/confirmation", Uuid::now_v7());
    let benefits = app.kyufu();
    let with_reason = json!({"reason": "口座名義が本人と違う"});
    for (path, who, body, status, code) in [
        (
            confirmation.as_str(),
            &clerk,
            json!({}),
            403,
            "two_person_rule",
        ),
        (
            rejection.as_str(),
            &clerk,
            with_reason.clone(),
            403,
            "two_person_rule",
        ),
        (
            confirmation.as_str(),
            &benefits,
            json!({}),
            403,
            "forbidden",
        ),
        (
            unknown.as_str(),
            &clerk2,
            json!({}),
            404,
            "account_change_not_found",
        ),
        (
            base.as_str(),
            &clerk2,
            payee_account("3333333"),
            409,
            "account_change_pending",
        ),
        (
            rejection.as_str(),
            &clerk2,
            json!({"reason": ""}),
            422,
            "reason_required",
        ),
    ] {
        app.post_refused(path, who, &body, status, code).await;
    }

    // Rejected by clerk2: never in force, and decided once.
    let (status, rejected) = app.post_json(&rejection, &clerk2, &with_reason).await;
    assert_eq!(status, 200, "{rejected}");
    for (path, body) in [(&confirmation, json!({})), (&rejection, with_reason)] {
        app.post_refused(path, &clerk2, &body, 409, "account_change_already_decided")
            .await;
    }
    let (_, member) = app.get_json(&member_path, &clerk).await;
    assert_eq!(member["payment_account"], in_force, "{member}");
    assert_eq!(member["pending_payment_account_change"], Value::Null);

    // Proposed again and confirmed by clerk2: in force; not confirmed twice.
    let (status, proposal) = app
        .post_json(&base, &clerk, &payee_account("2222222"))
        .await;
    assert_eq!(status, 202, "{proposal}");
    let confirmation = format!(
        "{base}/changes/{}/confirmation",
        proposal["change_id"].as_str().unwrap()
    );
    let (status, confirmed) = app.post_json(&confirmation, &clerk2, &json!({})).await;
    assert_eq!(status, 200, "{confirmed}");
    assert_eq!(confirmed["events"], json!(["PaymentAccountRegistered"]));
    app.post_refused(
        &confirmation,
        &clerk2,
        &json!({}),
        409,
        "account_change_already_decided",
    )
    .await;
    let (_, member) = app.get_json(&member_path, &clerk).await;
    assert_eq!(member["payment_account"], proposed, "{member}");
    assert_eq!(member["pending_payment_account_change"], Value::Null);
}
