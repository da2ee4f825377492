//! The ユーザ管理簿 (staff account registry) over real HTTP against a real PostgreSQL: every
//! request checks the registry; changes are proposed by a システム担当, take effect only when a
//! データ保護担当者 who did not propose them approves; bad input writes nothing.

mod common;

use chrono::Utc;
use common::bodies::acquisition;
use common::{json, spawn_app, TestApp};
use kenpo_api::application::staff::{bootstrap_account, BootstrapError, BootstrapMode};
use kenpo_api::auth::Role;
use kenpo_domain::calendar::Date;
use kenpo_domain::staff::{self as registry, date_in_japan, AccountDetails, Department, StaffId};
use serde_json::{json, Value};
use sqlx::PgPool;
use uuid::Uuid;

fn today() -> Date {
    date_in_japan(Utc::now())
}

fn create(roles: &[&str], valid_from: &str) -> Value {
    json!({"kind": "create", "department": "給付課", "roles": roles, "valid_from": valid_from})
}

/// A request any active account may make: 200 when let in.
async fn members_status(app: &TestApp, token: &str) -> (u16, Value) {
    json(
        app.get("/api/v1/members?kana=ヤ", token)
            .send()
            .await
            .unwrap(),
    )
    .await
}

async fn propose(app: &TestApp, token: &str, staff_id: &str, change: Value) -> (u16, Value) {
    json(
        app.post(
            "/api/v1/accounts/changes",
            token,
            &json!({"staff_id": staff_id, "change": change}),
        )
        .send()
        .await
        .unwrap(),
    )
    .await
}

async fn approve(app: &TestApp, token: &str, change_id: &str) -> (u16, Value) {
    json(
        app.post(
            &format!("/api/v1/accounts/changes/{change_id}/approval"),
            token,
            &json!({}),
        )
        .send()
        .await
        .unwrap(),
    )
    .await
}

async fn staff_accounts_table(pool: &PgPool) -> Vec<(String, String, Vec<String>, Value, i64)> {
    sqlx::query_as(
        "SELECT staff_id, status, roles, view, stream_version FROM staff_accounts ORDER BY staff_id",
    )
    .fetch_all(pool)
    .await
    .unwrap()
}

fn assert_not_active(status: u16, problem: &Value) {
    assert_eq!(
        (status, problem["code"].as_str()),
        (401, Some("account_not_active")),
        "{problem}"
    );
    assert_eq!(problem["status"], 401);
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn an_unknown_account_is_refused_even_with_a_valid_token(pool: PgPool) {
    let app = spawn_app(pool).await;
    let ghost = app.token("ghost", &[Role::Qualification, Role::SystemAdmin]);
    let response = app
        .get("/api/v1/members?kana=ヤ", &ghost)
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let (status, problem) = json(response).await;
    assert_not_active(status, &problem);
    let (status, problem) = json(
        app.post(
            "/api/v1/acquisitions",
            &ghost,
            &acquisition(Uuid::now_v7(), "100", "1"),
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_not_active(status, &problem);
    assert_eq!(app.event_count().await, 0);
    // a token that does not verify is still plain 401 unauthorized
    let (status, problem) = members_status(&app, "not-a-jwt").await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (401, Some("unauthorized"))
    );
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn a_revocation_refuses_the_very_next_request_once_approved(pool: PgPool) {
    let app = spawn_app(pool).await;
    let clerk = app.clerk();
    let admin = app.token("admin1", &[Role::SystemAdmin]);
    let dpo = app.token("dpo1", &[Role::DataProtection]);
    assert_eq!(members_status(&app, &clerk).await.0, 200);

    let (status, body) = propose(
        &app,
        &admin,
        "clerk1",
        json!({"kind": "revoke", "reason": "退職"}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["events"], json!(["ChangeProposed"]));
    assert_eq!(body["account"]["status"], "active");
    assert_eq!(
        body["account"]["pending_change"]["change"]["kind"],
        "revoke"
    );
    // nothing takes effect before approval
    assert_eq!(members_status(&app, &clerk).await.0, 200);

    let change_id = body["change_id"].as_str().unwrap().to_owned();
    let (status, body) = approve(&app, &dpo, &change_id).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["events"], json!(["ChangeApproved", "AccountRevoked"]));
    assert_eq!(body["account"]["status"], "revoked");
    assert_eq!(body["account"]["revocation_reason"], "退職");

    let (status, problem) = members_status(&app, &clerk).await;
    assert_not_active(status, &problem);
    assert!(problem["detail"].as_str().unwrap().contains("revoked"));

    // a revoked id never comes back
    let (status, problem) = propose(
        &app,
        &admin,
        "clerk1",
        create(&["qualification"], "2026-04-01"),
    )
    .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (409, Some("account_revoked"))
    );
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn an_account_outside_its_validity_is_refused(pool: PgPool) {
    let app = spawn_app(pool).await;
    let today = today();
    let yesterday = today.previous_day();
    let tomorrow = today.next_day();
    let roles = [Role::Qualification];
    app.bootstrap("future1", "適用二課", &roles, false, tomorrow, None)
        .await;
    app.bootstrap(
        "past1",
        "適用二課",
        &roles,
        false,
        Date::fixed(2020, 4, 1),
        Some(yesterday),
    )
    .await;
    app.bootstrap(
        "lastday1",
        "適用二課",
        &roles,
        false,
        Date::fixed(2020, 4, 1),
        Some(today),
    )
    .await;
    app.bootstrap("firstday1", "適用二課", &roles, false, today, None)
        .await;

    let (status, problem) = members_status(&app, &app.token("future1", &roles)).await;
    assert_not_active(status, &problem);
    assert!(problem["detail"]
        .as_str()
        .unwrap()
        .contains(&tomorrow.to_string()));
    let (status, problem) = members_status(&app, &app.token("past1", &roles)).await;
    assert_not_active(status, &problem);
    assert!(problem["detail"]
        .as_str()
        .unwrap()
        .contains(&yesterday.to_string()));
    // both ends of valid_from..=valid_to are inclusive
    assert_eq!(
        members_status(&app, &app.token("lastday1", &roles)).await.0,
        200
    );
    assert_eq!(
        members_status(&app, &app.token("firstday1", &roles))
            .await
            .0,
        200
    );
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn a_token_cannot_grant_roles_the_registry_does_not_hold(pool: PgPool) {
    let app = spawn_app(pool).await;
    // clerk1 holds only qualification in the registry
    let inflated = app.token("clerk1", &[Role::SystemAdmin, Role::Qualification]);
    let (status, problem) =
        propose(&app, &inflated, "sato", create(&["benefits"], "2026-04-01")).await;
    assert_eq!((status, problem["code"].as_str()), (403, Some("forbidden")));
    let (status, _) = json(app.get("/api/v1/accounts", &inflated).send().await.unwrap()).await;
    assert_eq!(status, 403);
    let (status, _) = json(app.get("/api/v1/events", &inflated).send().await.unwrap()).await;
    assert_eq!(
        status, 403,
        "system_admin from the token alone opens nothing"
    );
    // the role the registry holds still works
    let (status, body) = json(
        app.post(
            "/api/v1/acquisitions",
            &inflated,
            &acquisition(Uuid::now_v7(), "100", "1"),
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    // a token with no registry role left is refused everywhere
    let other = app.token("clerk1", &[Role::Auditor]);
    let (status, problem) = members_status(&app, &other).await;
    assert_eq!((status, problem["code"].as_str()), (403, Some("forbidden")));
    assert_eq!(app.event_count().await, 1);
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn a_creation_takes_effect_only_when_another_person_approves_it(pool: PgPool) {
    let app = spawn_app(pool).await;
    // one person holding both roles still cannot approve their own proposal
    app.bootstrap(
        "both1",
        "IT推進課",
        &[Role::SystemAdmin, Role::DataProtection],
        false,
        Date::fixed(2000, 1, 1),
        None,
    )
    .await;
    let both = app.token("both1", &[Role::SystemAdmin, Role::DataProtection]);
    let dpo = app.token("dpo1", &[Role::DataProtection]);
    let sato = app.token("sato", &[Role::Benefits]);

    let (status, body) = propose(
        &app,
        &both,
        "sato",
        json!({"kind": "create", "department": "給付課", "roles": ["benefits", "benefits"],
               "my_number_permission": true, "valid_from": "R8.4.1", "valid_to": null}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(
        body["stream_id"].as_str().unwrap().len(),
        "staff_account-".len() + 36
    );
    assert_eq!(body["account"]["status"], "proposed");
    assert_eq!(body["account"]["roles"], json!([]));
    assert_eq!(
        body["account"]["pending_change"]["change"]["roles"],
        json!(["benefits"])
    );
    let change_id = body["change_id"].as_str().unwrap().to_owned();

    // not in effect: sato is still refused
    let (status, problem) = members_status(&app, &sato).await;
    assert_not_active(status, &problem);

    // the proposer cannot approve, whatever roles they hold
    let (status, problem) = approve(&app, &both, &change_id).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (403, Some("two_person_rule")),
        "{problem}"
    );
    // a system_admin without data_protection cannot approve either
    let admin = app.token("admin1", &[Role::SystemAdmin]);
    let (status, _) = approve(&app, &admin, &change_id).await;
    assert_eq!(status, 403);
    let (status, _) = members_status(&app, &sato).await;
    assert_eq!(status, 401);

    let (status, body) = approve(&app, &dpo, &change_id).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["events"], json!(["ChangeApproved", "AccountCreated"]));
    assert_eq!(body["account"]["status"], "active");
    assert_eq!(body["account"]["my_number_permission"], true);
    assert_eq!(body["account"]["valid_from"], "2026-04-01");
    assert_eq!(body["account"]["pending_change"], Value::Null);
    assert_eq!(members_status(&app, &sato).await.0, 200);

    // the history records who proposed and who approved, and from where
    let (status, detail) = json(
        app.get("/api/v1/accounts/sato", &sato)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{detail}");
    let history = detail["history"].as_array().unwrap();
    assert_eq!(history.len(), 3);
    assert_eq!(history[0]["metadata"]["actor"], "both1");
    assert_eq!(history[0]["metadata"]["role"], "system_admin");
    assert_eq!(history[1]["metadata"]["actor"], "dpo1");
    assert_eq!(history[1]["metadata"]["role"], "data_protection");
    assert_eq!(
        history[1]["payload"]["ChangeApproved"]["approved_by"],
        "dpo1"
    );
    assert_eq!(history[1]["metadata"]["terminal_id"], "T-001");

    // approving again: nothing is pending
    let (status, problem) = approve(&app, &dpo, &change_id).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (404, Some("change_not_found"))
    );
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn an_update_takes_effect_only_on_approval_and_not_by_the_holder(pool: PgPool) {
    let app = spawn_app(pool).await;
    let admin = app.token("admin1", &[Role::SystemAdmin]);
    let clerk = app.clerk();
    let update = json!({"kind": "update", "department": "給付課", "roles": ["benefits"],
                        "valid_from": "2000-01-01"});
    let (status, body) = propose(&app, &admin, "clerk1", update).await;
    assert_eq!(status, 201, "{body}");
    let change_id = body["change_id"].as_str().unwrap().to_owned();

    // a second proposal waits for the first
    let (status, problem) = propose(
        &app,
        &admin,
        "clerk1",
        json!({"kind": "revoke", "reason": "異動"}),
    )
    .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (409, Some("change_pending"))
    );

    // before approval clerk1 still works as a qualification clerk and reads the old record
    let (status, own) = json(
        app.get("/api/v1/accounts/clerk1", &clerk)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(own["roles"], json!(["qualification"]));
    assert_eq!(own["department"], "適用一課");
    assert_eq!(own["pending_change"]["change_id"], change_id.as_str());
    // but not anyone else's account
    let (status, _) = json(
        app.get("/api/v1/accounts/kyufu1", &clerk)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 403);

    // a データ保護担当者 cannot decide on their own account
    let (status, body) = propose(
        &app,
        &admin,
        "dpo2",
        json!({"kind": "update", "department": "企画部", "roles": ["data_protection", "auditor"],
               "valid_from": "2000-01-01"}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let own_change = body["change_id"].as_str().unwrap().to_owned();
    let dpo2 = app.token("dpo2", &[Role::DataProtection]);
    let (status, problem) = approve(&app, &dpo2, &own_change).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (403, Some("own_account"))
    );

    let dpo = app.token("dpo1", &[Role::DataProtection]);
    let (status, body) = approve(&app, &dpo, &change_id).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["events"], json!(["ChangeApproved", "AccountUpdated"]));
    // from the next request clerk1 no longer holds qualification
    let (status, problem) = json(
        app.post(
            "/api/v1/acquisitions",
            &clerk,
            &acquisition(Uuid::now_v7(), "100", "1"),
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!((status, problem["code"].as_str()), (403, Some("forbidden")));
    let benefits = app.token("clerk1", &[Role::Benefits]);
    assert_eq!(members_status(&app, &benefits).await.0, 200);

    // the registry shows one pending change left (dpo2's)
    let (status, list) = json(app.get("/api/v1/accounts", &dpo).send().await.unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(list["pending_changes"], 1);
    let ids: Vec<&str> = list["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["staff_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        ["admin1", "admin2", "audit1", "clerk1", "dpo1", "dpo2", "kyufu1"]
    );
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn a_rejected_change_has_no_effect(pool: PgPool) {
    let app = spawn_app(pool).await;
    let admin = app.token("admin1", &[Role::SystemAdmin]);
    let dpo = app.token("dpo1", &[Role::DataProtection]);
    let (_, body) = propose(
        &app,
        &admin,
        "kyufu1",
        json!({"kind": "revoke", "reason": "退職"}),
    )
    .await;
    let change_id = body["change_id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/accounts/changes/{change_id}/rejection");
    // a reason is required
    let (status, problem) = json(app.post(&path, &dpo, &json!({})).send().await.unwrap()).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (422, Some("invalid_body"))
    );
    // the proposer cannot reject (they lack the role, too)
    let (status, _) = json(
        app.post(&path, &admin, &json!({"reason": "取り下げ"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 403);
    let (status, body) = json(
        app.post(&path, &dpo, &json!({"reason": "退職日が未確定"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["events"], json!(["ChangeRejected"]));
    assert_eq!(body["account"]["status"], "active");
    assert_eq!(body["account"]["pending_change"], Value::Null);
    let kyufu = app.token("kyufu1", &[Role::Benefits]);
    assert_eq!(members_status(&app, &kyufu).await.0, 200);
    let (status, problem) = approve(&app, &dpo, &change_id).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (404, Some("change_not_found"))
    );
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn only_a_system_admin_proposes_and_only_they_or_the_dpo_read_the_registry(pool: PgPool) {
    let app = spawn_app(pool).await;
    let clerk = app.clerk();
    let (status, problem) =
        propose(&app, &clerk, "sato", create(&["benefits"], "2026-04-01")).await;
    assert_eq!((status, problem["code"].as_str()), (403, Some("forbidden")));
    let dpo = app.token("dpo1", &[Role::DataProtection]);
    let (status, _) = propose(&app, &dpo, "sato", create(&["benefits"], "2026-04-01")).await;
    assert_eq!(
        status, 403,
        "the データ保護担当者 confirms, the システム担当 proposes"
    );
    for user in ["clerk1", "audit1", "kyufu1"] {
        let token = app.token(user, &[Role::Qualification, Role::Auditor, Role::Benefits]);
        let (status, _) = json(app.get("/api/v1/accounts", &token).send().await.unwrap()).await;
        assert_eq!(status, 403, "{user}");
    }
    let admin = app.token("admin1", &[Role::SystemAdmin]);
    let (status, list) = json(app.get("/api/v1/accounts", &admin).send().await.unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(list["accounts"].as_array().unwrap().len(), 7);
    assert_eq!(list["accounts"][0]["bootstrapped"], true);
    let (status, problem) = json(
        app.get("/api/v1/accounts/nobody", &admin)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (404, Some("account_not_found"))
    );
    assert_eq!(app.event_count().await, 0);
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn bad_input_gets_problem_json_and_writes_nothing(pool: PgPool) {
    let app = spawn_app(pool.clone()).await;
    let admin = app.token("admin1", &[Role::SystemAdmin]);
    let dpo = app.token("dpo1", &[Role::DataProtection]);
    let before = staff_accounts_table(&pool).await;
    let cases: Vec<(Value, u16, &str)> = vec![
        (
            json!({"staff_id": "sato", "change": create(&["root"], "2026-04-01")}),
            422,
            "invalid_body",
        ),
        (
            json!({"staff_id": "sato", "change": create(&[], "2026-04-01")}),
            422,
            "no_roles",
        ),
        (
            json!({"staff_id": "佐藤", "change": create(&["benefits"], "2026-04-01")}),
            422,
            "invalid_body",
        ),
        (
            json!({"staff_id": "bootstrap", "change": create(&["benefits"], "2026-04-01")}),
            422,
            "invalid_body",
        ),
        (
            json!({"staff_id": "sato", "change": create(&["benefits"], "2026-02-30")}),
            422,
            "invalid_body",
        ),
        (
            json!({"staff_id": "sato", "change": {"kind": "create", "department": " ", "roles": ["benefits"], "valid_from": "2026-04-01"}}),
            422,
            "invalid_body",
        ),
        (
            json!({"staff_id": "sato", "change": {"kind": "create", "department": "給付課", "roles": ["benefits"], "valid_from": "2026-04-01", "valid_to": "2026-03-31"}}),
            422,
            "validity_reversed",
        ),
        (
            json!({"staff_id": "sato", "change": {"kind": "create", "department": "給付課", "roles": ["benefits"], "valid_from": "2026-04-01", "superuser": true}}),
            422,
            "invalid_body",
        ),
        (
            json!({"staff_id": "sato", "change": {"kind": "promote"}}),
            422,
            "invalid_body",
        ),
        (
            json!({"staff_id": "sato", "change": {"kind": "revoke", "reason": "退職"}}),
            404,
            "account_not_found",
        ),
        (
            json!({"staff_id": "clerk1", "change": {"kind": "revoke"}}),
            422,
            "invalid_body",
        ),
        (
            json!({"staff_id": "clerk1", "change": {"kind": "update", "department": "適用一課", "roles": ["qualification"], "valid_from": "2000-01-01"}}),
            422,
            "no_change",
        ),
        (
            json!({"staff_id": "clerk1", "change": create(&["benefits"], "2026-04-01")}),
            409,
            "account_exists",
        ),
        (
            json!({"change": create(&["benefits"], "2026-04-01")}),
            422,
            "invalid_body",
        ),
    ];
    for (body, expected_status, code) in cases {
        let response = app
            .post("/api/v1/accounts/changes", &admin, &body)
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json",
            "{body}"
        );
        let (status, problem) = json(response).await;
        assert_eq!(
            (status, problem["code"].as_str()),
            (expected_status, Some(code)),
            "{body} → {problem}"
        );
    }
    let (status, problem) = json(
        app.client
            .post(format!("{}/api/v1/accounts/changes", app.base))
            .bearer_auth(&admin)
            .header("content-type", "application/json")
            .body("{\"staff_id\": ")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (400, Some("malformed_json"))
    );
    let unknown = Uuid::now_v7();
    let (status, problem) = approve(&app, &dpo, &unknown.to_string()).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (404, Some("change_not_found"))
    );
    let (status, _) = approve(&app, &dpo, "not-a-uuid").await;
    assert_eq!(status, 404);
    let (status, problem) = json(
        app.post(
            &format!("/api/v1/accounts/changes/{unknown}/approval"),
            &dpo,
            &json!({"comment": "ok"}),
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (422, Some("invalid_body"))
    );

    assert_eq!(app.event_count().await, 0);
    assert_eq!(staff_accounts_table(&pool).await, before);
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn a_repeated_proposal_with_one_idempotency_key_records_one_change(pool: PgPool) {
    let app = spawn_app(pool).await;
    let admin = app.token("admin1", &[Role::SystemAdmin]);
    let body = json!({"staff_id": "sato", "change": create(&["benefits"], "2026-04-01")});
    let send = || {
        app.post("/api/v1/accounts/changes", &admin, &body)
            .header("idempotency-key", "k-1")
            .send()
    };
    let (first_status, first) = json(send().await.unwrap()).await;
    let (second_status, second) = json(send().await.unwrap()).await;
    assert_eq!((first_status, second_status), (201, 201));
    assert_eq!(first, second);
    assert_eq!(app.event_count().await, 1);
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn a_rebuilt_registry_equals_the_live_one(pool: PgPool) {
    let app = spawn_app(pool.clone()).await;
    let admin = app.token("admin1", &[Role::SystemAdmin]);
    let dpo = app.token("dpo1", &[Role::DataProtection]);
    for (n, user) in ["sato", "suzuki", "takahashi"].iter().enumerate() {
        let (_, body) = propose(
            &app,
            &admin,
            user,
            create(&["benefits", "review"], "2026-04-01"),
        )
        .await;
        if n < 2 {
            let (status, _) = approve(&app, &dpo, body["change_id"].as_str().unwrap()).await;
            assert_eq!(status, 200);
        }
    }
    let (_, body) = propose(
        &app,
        &admin,
        "sato",
        json!({"kind": "revoke", "reason": "退職"}),
    )
    .await;
    approve(&app, &dpo, body["change_id"].as_str().unwrap()).await;
    let live = staff_accounts_table(&pool).await;
    assert_eq!(live.len(), 10);

    let summary = kenpo_projections::rebuild(
        &pool,
        &kenpo_api::startup::upcasters(),
        4,
        &|_: u64, _: u64| {},
    )
    .await
    .unwrap();
    assert_eq!(summary.staff_accounts, 10);
    assert_eq!(staff_accounts_table(&pool).await, live);
}

fn details(roles: &[registry::Role]) -> AccountDetails {
    AccountDetails {
        department: Department::parse("IT推進課").unwrap(),
        roles: roles.to_vec(),
        my_number_permission: false,
        valid_from: Date::fixed(2026, 4, 1),
        valid_to: None,
    }
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn bootstrap_is_for_a_fresh_installation_unless_forced(pool: PgPool) {
    let upcasters = kenpo_api::startup::upcasters();
    let fresh = BootstrapMode::FreshInstallation;
    for (user, role) in [
        ("tanaka", registry::Role::SystemAdmin),
        ("yamada", registry::Role::DataProtection),
    ] {
        let done = bootstrap_account(
            &pool,
            &upcasters,
            StaffId::parse(user).unwrap(),
            details(&[role]),
            fresh,
        )
        .await
        .unwrap();
        assert!(done.account.bootstrapped);
        assert_eq!(done.positions.1 - done.positions.0, 2);
    }
    let third = bootstrap_account(
        &pool,
        &upcasters,
        StaffId::parse("sato").unwrap(),
        details(&[registry::Role::Benefits]),
        fresh,
    )
    .await;
    assert!(
        matches!(third, Err(BootstrapError::NotFresh(2))),
        "{third:?}"
    );
    let again = bootstrap_account(
        &pool,
        &upcasters,
        StaffId::parse("tanaka").unwrap(),
        details(&[registry::Role::SystemAdmin]),
        BootstrapMode::Force,
    )
    .await;
    assert!(
        matches!(again, Err(BootstrapError::Refused(_))),
        "{again:?}"
    );
    bootstrap_account(
        &pool,
        &upcasters,
        StaffId::parse("sato").unwrap(),
        details(&[registry::Role::Benefits]),
        BootstrapMode::Force,
    )
    .await
    .unwrap();
    let metadata: Vec<(String, Value)> = sqlx::query_as(
        "SELECT event_type, metadata FROM events WHERE stream_type = 'staff_account' ORDER BY position LIMIT 3",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(metadata.len(), 3);
    for (_, m) in &metadata {
        assert_eq!(m["actor"], "bootstrap");
    }
}

/// Who may read the raw events of each stream kind (`GET /streams/{id}`, `GET /events`):
/// the roles the read models of that kind admit, written out independently of
/// `kenpo_api::application::stream_access` (the six kinds of personal data without
/// `system_admin`; bank accounts for 給付課 and audit; the ユーザ管理簿 for システム担当 and
/// データ保護担当). `ticker` stands for a kind the service does not know: nobody reads it.
const STREAM_KIND_READERS: &[(&str, &[&str])] = &[
    ("person", PERSONAL),
    ("my_number", PERSONAL),
    ("benefit_claim", PERSONAL),
    ("medical_certificate", PERSONAL),
    ("premium_account", PERSONAL),
    ("employer_notice", PERSONAL),
    ("employer", &["benefits", "auditor"]),
    ("payment_batch", &["benefits", "auditor"]),
    (
        "parameter",
        &[
            "qualification",
            "benefits",
            "premiums",
            "review",
            "system_admin",
            "data_protection",
            "auditor",
        ],
    ),
    ("staff_account", &["system_admin", "data_protection"]),
    ("ticker", &[]),
];
const PERSONAL: &[&str] = &[
    "qualification",
    "benefits",
    "premiums",
    "review",
    "data_protection",
    "auditor",
];

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn stream_reads_and_the_feed_follow_the_stream_kind_table(pool: PgPool) {
    use kenpo_infrastructure::event_store::{self, EventMetadata, ExpectedVersion, NewEvent};

    let app = spawn_app(pool).await;
    app.bootstrap_choshu().await;
    app.bootstrap(
        "shinsa1",
        "審査課",
        &[Role::Review],
        false,
        Date::fixed(2000, 1, 1),
        None,
    )
    .await;
    let users = [
        ("clerk1", Role::Qualification),
        ("kyufu1", Role::Benefits),
        (common::CHOSHU, Role::Premiums),
        ("shinsa1", Role::Review),
        ("admin1", Role::SystemAdmin),
        ("dpo1", Role::DataProtection),
        ("audit1", Role::Auditor),
    ];
    // one stream of every kind (the ユーザ管理簿 has its own already)
    let mut streams = Vec::new();
    for (kind, _) in STREAM_KIND_READERS {
        let stream = format!("{kind}-{}", Uuid::now_v7());
        let mut tx = event_store::begin_command(&app.pool).await.unwrap();
        let probe = NewEvent {
            event_id: Uuid::now_v7(),
            event_type: "Probe".to_owned(),
            event_version: "1.0".to_owned(),
            payload: json!({ "Probe": {} }),
            metadata: EventMetadata::system("test"),
        };
        event_store::append(&mut tx, &stream, kind, ExpectedVersion::NoStream, &[probe])
            .await
            .unwrap();
        tx.commit().await.unwrap();
        streams.push(stream);
    }
    let mut wrong = Vec::new();
    for ((kind, readers), stream) in STREAM_KIND_READERS.iter().zip(&streams) {
        let missing = format!("{kind}-{}", Uuid::now_v7());
        for (user, role) in users {
            let token = app.token(user, &[role]);
            let (existing, body) = app
                .get_json(&format!("/api/v1/streams/{stream}"), &token)
                .await;
            let (absent, _) = app
                .get_json(&format!("/api/v1/streams/{missing}"), &token)
                .await;
            let expected = if readers.contains(&role.as_str()) {
                (200, 404)
            } else {
                (403, 403)
            };
            if (existing, absent) != expected
                || (existing == 403 && body["code"] != "stream_kind_forbidden")
            {
                wrong.push(format!(
                    "{kind} × {}: (existing, absent) = {:?}, expected {expected:?} {}",
                    role.as_str(),
                    (existing, absent),
                    body["code"]
                ));
            }
        }
    }
    // the feed: only the two roles it admits, each seeing exactly the kinds of the table
    let last: i64 = sqlx::query_scalar("SELECT max(position) FROM events")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    for (user, role) in users {
        let token = app.token(user, &[role]);
        let (status, page) = app.get_json("/api/v1/events?limit=1000", &token).await;
        let expected_status = if matches!(role, Role::Auditor | Role::SystemAdmin) {
            200
        } else {
            403
        };
        if status != expected_status {
            wrong.push(format!("feed × {}: {status}", role.as_str()));
            continue;
        }
        if status != 200 {
            continue;
        }
        let mut kinds: Vec<&str> = page["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["stream_id"].as_str().unwrap().split('-').next().unwrap())
            .collect();
        kinds.sort_unstable();
        kinds.dedup();
        let mut expected: Vec<&str> = STREAM_KIND_READERS
            .iter()
            .filter(|(_, readers)| readers.contains(&role.as_str()))
            .map(|(kind, _)| *kind)
            .collect();
        expected.sort_unstable();
        if kinds != expected {
            wrong.push(format!("feed × {}: kinds {kinds:?}", role.as_str()));
        }
        // past the kinds left out (the last event is the unknown kind's): nothing stalls
        assert_eq!(page["next_after"], last, "{}", role.as_str());
    }
    assert!(
        wrong.is_empty(),
        "not as the table says:\n{}",
        wrong.join("\n")
    );

    // the known holes, by name
    let clerk = app.clerk();
    let admin = app.token("admin1", &[Role::SystemAdmin]);
    let staff_stream: String = sqlx::query_scalar(
        "SELECT stream_id FROM streams WHERE stream_type = 'staff_account' LIMIT 1",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let (status, _) = app
        .get_json(&format!("/api/v1/streams/{staff_stream}"), &clerk)
        .await;
    assert_eq!(status, 403, "a 適用 clerk does not read the ユーザ管理簿");
    let (status, _) = app
        .get_json(&format!("/api/v1/streams/{}", streams[6]), &clerk)
        .await;
    assert_eq!(status, 403, "nor an employer's bank account");
    // system_admin reads the feed a page of one at a time: never a person's event, never
    // stuck before them, and every event it may read exactly once
    let mut after = 0;
    let mut seen = Vec::new();
    for _ in 0..200 {
        let (status, page) = app
            .get_json(&format!("/api/v1/events?after={after}&limit=1"), &admin)
            .await;
        assert_eq!(status, 200);
        let next = page["next_after"].as_i64().unwrap();
        for e in page["events"].as_array().unwrap() {
            seen.push(e["stream_id"].as_str().unwrap().to_owned());
        }
        if next == after {
            break;
        }
        after = next;
    }
    assert_eq!(after, last, "the reader reached the end");
    assert!(!seen.iter().any(|s| s.starts_with("person-")), "{seen:?}");
    let expected: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM events WHERE stream_type IN ('staff_account', 'parameter')",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(seen.len() as i64, expected);
}
