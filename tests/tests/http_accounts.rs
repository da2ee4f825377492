//! The ユーザ管理簿 (staff account registry) over real HTTP against a real PostgreSQL: every
//! request checks the registry; changes are proposed by a システム担当, take effect only when a
//! データ保護担当者 who did not propose them approves; bad input writes nothing.

mod common;

use chrono::Utc;
use common::bodies::acquisition;
use std::sync::Arc;
use std::time::Duration;

use common::{json, spawn_app, spawn_app_with_key, TestApp};
use kenpo_api::application::staff::{bootstrap_account, BootstrapError, BootstrapMode};
use kenpo_api::auth::oidc::{JwksSource, MfaRule};
use kenpo_api::auth::{IdentityProvider, OidcConfig, Role, SigningKey};
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

/// The society's identity provider, played by the test: keys made here, its JWK set served
/// over HTTP on 127.0.0.1, tokens signed with those keys.
mod idp {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, Mutex};

    use base64::Engine;
    use jsonwebtoken::{Algorithm, EncodingKey, Header};
    use ring::signature::{EcdsaKeyPair, Ed25519KeyPair, KeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
    use serde_json::{json, Value};

    pub const ISSUER: &str = "https://idp.kenpo-kumiai.test";
    pub const AUDIENCE: &str = "kenpo-api";

    fn b64(bytes: &[u8]) -> String {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    }

    /// A signing key of the IdP: its private half and its public JWK.
    pub struct Key {
        pub kid: String,
        pub alg: Algorithm,
        encoding: EncodingKey,
        pub jwk: Value,
    }

    impl Key {
        pub fn ed25519(kid: &str) -> Self {
            let rng = ring::rand::SystemRandom::new();
            let pkcs8 = Ed25519KeyPair::generate_pkcs8(&rng).unwrap();
            let pair = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).unwrap();
            Self {
                kid: kid.to_owned(),
                alg: Algorithm::EdDSA,
                encoding: EncodingKey::from_ed_der(pkcs8.as_ref()),
                jwk: json!({"kty": "OKP", "crv": "Ed25519", "use": "sig", "alg": "EdDSA", "kid": kid,
                            "x": b64(pair.public_key().as_ref())}),
            }
        }

        pub fn es256(kid: &str) -> Self {
            let rng = ring::rand::SystemRandom::new();
            let pkcs8 =
                EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
            let pair =
                EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng)
                    .unwrap();
            let point = pair.public_key().as_ref();
            Self {
                kid: kid.to_owned(),
                alg: Algorithm::ES256,
                encoding: EncodingKey::from_ec_der(pkcs8.as_ref()),
                jwk: json!({"kty": "EC", "crv": "P-256", "kid": kid,
                            "x": b64(&point[1..33]), "y": b64(&point[33..65])}),
            }
        }

        /// A token signed with this key; `claims` over the valid defaults.
        pub fn token(&self, claims: Value) -> String {
            sign(&self.encoding, self.alg, &self.kid, claims)
        }
    }

    /// Valid claims for `user`: issuer, audience, an hour to run, `roles`; `extra` on top.
    pub fn claims(user: &str, roles: &[&str], extra: Value) -> Value {
        let now = chrono::Utc::now().timestamp();
        let mut claims = json!({"iss": ISSUER, "aud": AUDIENCE, "staff_id": user,
                                "sub": format!("idp-subject-of-{user}"), "roles": roles,
                                "iat": now, "nbf": now, "exp": now + 3600});
        for (k, v) in extra.as_object().unwrap() {
            claims[k] = v.clone();
        }
        claims
    }

    pub fn sign(key: &EncodingKey, alg: Algorithm, kid: &str, claims: Value) -> String {
        let mut header = Header::new(alg);
        header.kid = Some(kid.to_owned());
        jsonwebtoken::encode(&header, &claims, key).unwrap()
    }

    /// The IdP's JWK set endpoint: the keys published now, and how often it was read.
    #[derive(Clone, Default)]
    pub struct Jwks {
        keys: Arc<Mutex<Vec<Value>>>,
        reads: Arc<AtomicUsize>,
    }

    impl Jwks {
        pub fn publish(&self, key: &Key) {
            self.keys.lock().unwrap().push(key.jwk.clone());
        }

        pub fn reads(&self) -> usize {
            self.reads.load(Ordering::SeqCst)
        }

        /// Serve on 127.0.0.1:<random>; the URL of the set.
        pub async fn serve(&self) -> String {
            let jwks = self.clone();
            let app = axum::Router::new().route(
                "/jwks.json",
                axum::routing::get(move || {
                    let jwks = jwks.clone();
                    async move {
                        jwks.reads.fetch_add(1, Ordering::SeqCst);
                        axum::Json(json!({"keys": *jwks.keys.lock().unwrap()}))
                    }
                }),
            );
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
            format!("http://{addr}/jwks.json")
        }
    }
}

fn idp_config(url: &str, min_refresh: std::time::Duration) -> OidcConfig {
    OidcConfig {
        issuer: idp::ISSUER.to_owned(),
        audience: idp::AUDIENCE.to_owned(),
        jwks: JwksSource::Url(url.to_owned()),
        staff_claim: "staff_id".to_owned(),
        roles_claim: "roles".to_owned(),
        mfa: MfaRule::default(),
        min_refresh,
    }
}

/// 401 with `code`.
fn assert_refused(status: u16, problem: &Value, code: &str) {
    assert_eq!(status, 401, "{problem}");
    assert_eq!(problem["code"], code, "{problem}");
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn with_an_identity_provider_only_its_tokens_are_accepted(pool: PgPool) {
    let jwks = idp::Jwks::default();
    let ed = idp::Key::ed25519("ed-2026-12");
    let ec = idp::Key::es256("ec-2026-12");
    jwks.publish(&ed);
    jwks.publish(&ec);
    let url = jwks.serve().await;
    let provider = Arc::new(IdentityProvider::new(idp_config(&url, Duration::ZERO)).unwrap());
    assert_eq!(provider.load().await.unwrap(), 2);
    let app = spawn_app_with_key(pool, SigningKey::identity_provider(provider.clone())).await;
    let clerk = |extra: Value| idp::claims("clerk1", &["qualification", "hr_admin"], extra);

    // signed by a published key (EdDSA, ES256), staff id from the configured claim: let in
    let (status, body) = members_status(&app, &ed.token(clerk(json!({})))).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = members_status(&app, &ec.token(clerk(json!({})))).await;
    assert_eq!(status, 200, "{body}");
    // the registry is still asked: a user the IdP knows but the ユーザ管理簿 does not
    let (status, problem) = members_status(
        &app,
        &ed.token(idp::claims("stranger", &["qualification"], json!({}))),
    )
    .await;
    assert_not_active(status, &problem);

    let now = chrono::Utc::now().timestamp();
    let (status, problem) =
        members_status(&app, &ed.token(clerk(json!({"iss": "https://evil.test"})))).await;
    assert_refused(status, &problem, "token_issuer");
    let (status, problem) =
        members_status(&app, &ed.token(clerk(json!({"aud": "another-api"})))).await;
    assert_refused(status, &problem, "token_audience");
    let (status, problem) = members_status(
        &app,
        &ed.token(clerk(
            json!({"iat": now - 7200, "nbf": now - 7200, "exp": now - 120}),
        )),
    )
    .await;
    assert_refused(status, &problem, "token_expired");
    // HS256, even with a published kid and the development secret, and `none`
    let hs256 = idp::sign(
        &jsonwebtoken::EncodingKey::from_secret(b"test-signing-secret-of-32-bytes!!"),
        jsonwebtoken::Algorithm::HS256,
        &ed.kid,
        clerk(json!({})),
    );
    let (status, problem) = members_status(&app, &hs256).await;
    assert_refused(status, &problem, "token_algorithm");
    let dev = kenpo_api::auth::SigningKey::new(b"test-signing-secret-of-32-bytes!!".to_vec())
        .unwrap()
        .mint(
            "clerk1",
            &[Role::Qualification],
            chrono::Duration::minutes(5),
        )
        .unwrap();
    let (status, problem) = members_status(&app, &dev).await;
    assert_refused(status, &problem, "token_algorithm");
    let unsigned = {
        use base64::Engine;
        let b64 = |v: Value| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string().as_bytes())
        };
        format!(
            "{}.{}.",
            b64(json!({"alg": "none", "kid": ed.kid})),
            b64(clerk(json!({})))
        )
    };
    let (status, problem) = members_status(&app, &unsigned).await;
    assert_refused(status, &problem, "token_malformed");
    // another key under a published kid
    let impostor = idp::Key::ed25519(&ed.kid);
    let (status, problem) = members_status(&app, &impostor.token(clerk(json!({})))).await;
    assert_refused(status, &problem, "token_signature");
    // an unknown kid: the set is read again, and the key is still unknown
    let reads = jwks.reads();
    let stranger = idp::Key::ed25519("not-published");
    let (status, problem) = members_status(&app, &stranger.token(clerk(json!({})))).await;
    assert_refused(status, &problem, "token_unknown_key");
    assert_eq!(jwks.reads(), reads + 1);

    // a key rotated at the IdP is picked up by that reading
    let rotated = idp::Key::ed25519("ed-2027-01");
    jwks.publish(&rotated);
    let (status, body) = members_status(&app, &rotated.token(clerk(json!({})))).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(jwks.reads(), reads + 2);
    // known keys are not read again
    let (status, _) = members_status(&app, &ed.token(clerk(json!({})))).await;
    assert_eq!(status, 200);
    assert_eq!(jwks.reads(), reads + 2);

    // reading again is rate-limited: within the interval an unknown kid is refused unread
    let limited = IdentityProvider::new(idp_config(&url, Duration::from_secs(3600))).unwrap();
    limited.load().await.unwrap();
    let later = idp::Key::es256("ec-2027-02");
    jwks.publish(&later);
    let refused = limited.verify(&later.token(clerk(json!({})))).await;
    assert!(
        matches!(refused, Err(kenpo_api::auth::oidc::OidcError::UnknownKey)),
        "{refused:?}"
    );
    assert_eq!(limited.fetches(), 1);
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn with_an_identity_provider_my_number_access_needs_multi_factor_authentication(
    pool: PgPool,
) {
    let jwks = idp::Jwks::default();
    let key = idp::Key::ed25519("ed-2026-12");
    jwks.publish(&key);
    let url = jwks.serve().await;
    let provider = Arc::new(IdentityProvider::new(idp_config(&url, Duration::ZERO)).unwrap());
    provider.load().await.unwrap();
    let app = spawn_app_with_key(pool, SigningKey::identity_provider(provider)).await;
    app.bootstrap(
        "mn1",
        "適用一課",
        &[Role::Qualification],
        true,
        Date::fixed(2000, 1, 1),
        None,
    )
    .await;
    let elevate = |token: String| {
        let app = &app;
        async move {
            json(
                app.post(
                    "/api/v1/my-number/access",
                    &token,
                    &json!({"purpose": "資格取得届の個人番号登録"}),
                )
                .header("idempotency-key", Uuid::new_v4().to_string())
                .send()
                .await
                .unwrap(),
            )
            .await
        }
    };
    let password_only = key.token(idp::claims(
        "mn1",
        &["qualification"],
        json!({"amr": ["pwd"]}),
    ));
    let (status, problem) = elevate(password_only).await;
    assert_eq!(status, 403, "{problem}");
    assert_eq!(problem["code"], "mfa_required");
    let (status, body) =
        elevate(key.token(idp::claims("mn1", &["qualification"], json!({})))).await;
    assert_eq!(status, 403, "{body}");
    let log: Vec<(String, String, Option<String>)> = sqlx::query_as(
        "SELECT staff_id, outcome, reason_code FROM my_number_access_log ORDER BY seq",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    let refusal = (
        "mn1".to_owned(),
        "refused".to_owned(),
        Some("mfa_required".to_owned()),
    );
    assert_eq!(log, vec![refusal.clone(), refusal]);
    let elevations: i64 = sqlx::query_scalar("SELECT count(*) FROM my_number_elevations")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(elevations, 0);

    let with_otp = key.token(idp::claims(
        "mn1",
        &["qualification"],
        json!({"amr": ["pwd", "otp"]}),
    ));
    let (status, body) = elevate(with_otp).await;
    assert_eq!(status, 201, "{body}");
}

/// Who may read the raw events of each stream kind (`GET /streams/{id}`, `GET /events`):
/// the roles the read models of that kind admit, written out independently of
/// `kenpo_api::application::stream_access` (the six kinds of personal data without
/// `system_admin`, and without `review` but for members and claims; bank accounts for 給付課 and audit; the ユーザ管理簿 for システム担当 and
/// データ保護担当). `ticker` stands for a kind the service does not know: nobody reads it.
const STREAM_KIND_READERS: &[(&str, &[&str])] = &[
    ("person", PERSONAL),
    ("my_number", PERSONAL_BUT_REVIEW),
    ("benefit_claim", PERSONAL),
    ("medical_certificate", PERSONAL_BUT_REVIEW),
    ("premium_account", PERSONAL_BUT_REVIEW),
    ("employer_notice", PERSONAL_BUT_REVIEW),
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
/// 審査課 reads members and claims only (the 適用ファイル by 識別番号, L809–812).
const PERSONAL_BUT_REVIEW: &[&str] = &[
    "qualification",
    "benefits",
    "premiums",
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
