//! 事業主口座 (employers' accounts) over real HTTP against a real PostgreSQL: registered, changed
//! and closed by the 給付課 with the history kept and read as of a day; refusals that write
//! nothing; roles; a rebuild equal to the live table; and claims whose payee is the employer's
//! account paid by a payment batch to the account in force on the 振込指定日, parsed back from
//! the 総合振込 file.
//!
//! Claims are made through the claims API (受付, 受付登録, 給付金計算, 支給決定) with the amount
//! calculated by the server. 出産育児一時金 for one child born from 2023-04-01 at a 産科医療補償制度
//! facility (rules.md §5.3, 施行令36条): 488,000 + 12,000 = 500,000円.

mod common;

use common::bodies::acquisition;
use common::{json, spawn_app, TestApp};
use kenpo_api::auth::Role;
use kenpo_domain::money::Yen;
use kenpo_infrastructure::bank_files::transfer::{DepositType, TransferFile, TransferMethod};
use serde_json::{json, Value};
use sqlx::PgPool;
use uuid::Uuid;

fn account(number: &str) -> Value {
    json!({
        "bank_code": "0005", "bank_name": "三菱UFJ銀行", "branch_code": "123",
        "branch_name": "本店", "account_type": "current", "account_number": number, "holder": "ヤマダシヨウジ"
    })
}

fn registration(effective_from: &str, number: &str) -> Value {
    json!({
        "effective_from": effective_from,
        "account": account(number),
        "received_on": "令和7年3月25日"
    })
}

const ACCOUNT_1234: &str = "/api/v1/employers/1234/payment-account";

/// Rows of the read model, in key order.
async fn rows(app: &TestApp) -> Vec<(String, chrono::NaiveDate, String, Option<Value>, i64)> {
    sqlx::query_as(
        "SELECT office_code, effective_from, status, account, version FROM employer_accounts
          ORDER BY office_code, effective_from",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap()
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn an_account_is_registered_changed_closed_and_read_as_of_a_day(pool: PgPool) {
    let app = spawn_app(pool).await;
    app.bootstrap_kyufu2().await;
    let token = app.kyufu();
    let baseline = app.event_count().await;

    // 登録 proposed twice with one Idempotency-Key: one event, the same answer.
    let send = || {
        app.post(ACCOUNT_1234, &token, &registration("2025-04-01", "1234567"))
            .header("idempotency-key", "employer-1234-2025-04")
            .send()
    };
    let (status, proposal) = json(send().await.unwrap()).await;
    assert_eq!(status, 202, "{proposal}");
    assert_eq!(proposal["status"], "pending_confirmation");
    let stream = proposal["stream_id"].as_str().unwrap().to_owned();
    assert!(stream.starts_with("employer-"), "{stream}");
    assert_eq!(proposal["office_code"], "1234");
    assert_eq!(proposal["version"], 1);
    assert_eq!(proposal["events"], json!(["EmployerAccountChangeProposed"]));
    let (status, again) = json(send().await.unwrap()).await;
    assert_eq!((status, &again), (202, &proposal));
    assert_eq!(app.event_count().await, baseline + 1);
    // confirmed by the second 給付課 clerk: the entry is in force.
    let change_id = proposal["change_id"].as_str().unwrap();
    let (status, first) = app
        .post_json(
            &format!("{ACCOUNT_1234}/changes/{change_id}/confirmation"),
            &app.kyufu2(),
            &json!({}),
        )
        .await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(first["stream_id"], stream.as_str());
    assert_eq!(first["version"], 2);
    assert_eq!(first["events"], json!(["EmployerAccountRegistered"]));
    assert_eq!(first["entry"]["status"], "registered");
    assert_eq!(first["entry"]["effective_from"], "2025-04-01");
    assert_eq!(first["entry"]["received_on"], "2025-03-25");
    assert_eq!(first["entry"]["account"], account("1234567"));
    assert_eq!(first["entry"]["recorded_by"], "kyufu2");
    let payload: Value =
        sqlx::query_scalar("SELECT payload FROM events WHERE stream_id = $1 AND version = 2")
            .bind(&stream)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let confirmation =
        &payload.get("EmployerAccountRegistered").unwrap_or(&payload)["confirmation"];
    assert_eq!(confirmation["proposed_by"], "kyufu1", "{confirmation}");
    assert_eq!(confirmation["confirmed_by"], "kyufu2", "{confirmation}");
    assert_eq!(app.event_count().await, baseline + 2);

    // 変更 from 2025-08-01: based on version 0 it conflicts; on version 2 it is proposed.
    let change = registration("2025-08-01", "7654321");
    let (status, problem) = app
        .post_json_if_match(ACCOUNT_1234, &token, &change, 0)
        .await;
    assert_eq!(status, 409, "{problem}");
    assert_eq!(problem["code"], "version_conflict");
    let (status, proposed) = app
        .post_json_if_match(ACCOUNT_1234, &token, &change, 2)
        .await;
    assert_eq!(status, 202, "{proposed}");
    assert_eq!(proposed["version"], 3);
    assert_eq!(proposed["stream_id"], stream.as_str());
    let change_id = proposed["change_id"].as_str().unwrap();
    let (status, changed) = app
        .post_json(
            &format!("{ACCOUNT_1234}/changes/{change_id}/confirmation"),
            &app.kyufu2(),
            &json!({}),
        )
        .await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["version"], 4);
    assert_eq!(changed["stream_id"], stream.as_str());

    // As of a day: the first account until 2025-07-31, the second from 2025-08-01.
    let (status, before_change) = app
        .get_json(&format!("{ACCOUNT_1234}?on=2025-07-31"), &token)
        .await;
    assert_eq!(status, 200, "{before_change}");
    assert_eq!(before_change["on"], "2025-07-31");
    assert_eq!(before_change["in_force"]["account"], account("1234567"));
    assert_eq!(before_change["in_force"]["effective_to"], "2025-07-31");
    assert_eq!(before_change["stream_version"], 4);
    let history: Vec<(&str, Value)> = before_change["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["effective_from"].as_str().unwrap(),
                e["effective_to"].clone(),
            )
        })
        .collect();
    assert_eq!(
        history,
        vec![
            ("2025-08-01", Value::Null),
            ("2025-04-01", json!("2025-07-31"))
        ]
    );
    let (_, after_change) = app
        .get_json(&format!("{ACCOUNT_1234}?on=R7.8.1"), &token)
        .await;
    assert_eq!(after_change["in_force"]["account"], account("7654321"));
    let (_, before_first) = app
        .get_json(&format!("{ACCOUNT_1234}?on=2025-03-31"), &token)
        .await;
    assert_eq!(before_first["in_force"], Value::Null);
    // 監査 reads it too.
    let (status, audited) = app
        .get_json(
            &format!("{ACCOUNT_1234}?on=2025-07-31"),
            &app.token("audit1", &[Role::Auditor]),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(audited, before_change);

    // 廃止 from 2025-10-01: no account from that day, the reason in the entry and metadata.
    let closed = app
        .change_employer_account(
            &format!("{ACCOUNT_1234}/closure"),
            &json!({"effective_from": "2025-10-01", "received_on": "2025-09-20", "reason": "事業所廃止"}),
        )
        .await;
    assert_eq!(closed["events"], json!(["EmployerAccountClosed"]));
    assert_eq!(closed["version"], 6);
    assert_eq!(closed["entry"]["status"], "closed");
    assert_eq!(closed["entry"]["account"], Value::Null);
    assert_eq!(closed["entry"]["reason"], "事業所廃止");
    let (_, on_closure) = app
        .get_json(&format!("{ACCOUNT_1234}?on=2025-10-01"), &token)
        .await;
    assert_eq!(on_closure["in_force"]["status"], "closed");
    assert_eq!(on_closure["in_force"]["account"], Value::Null);
    let (_, day_before) = app
        .get_json(&format!("{ACCOUNT_1234}?on=2025-09-30"), &token)
        .await;
    assert_eq!(day_before["in_force"]["account"], account("7654321"));
    let reason: Option<String> = sqlx::query_scalar(
        "SELECT metadata->>'reason' FROM events WHERE stream_id = $1 AND version = 6",
    )
    .bind(&stream)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(reason.as_deref(), Some("事業所廃止"));
    assert_eq!(app.event_count().await, baseline + 6);

    // A rebuild from position 0 gives the same rows.
    let live = rows(&app).await;
    assert_eq!(live.len(), 3);
    app.rebuild_projections(2).await;
    assert_eq!(rows(&app).await, live);
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn bad_input_is_a_problem_and_writes_nothing(pool: PgPool) {
    let app = spawn_app(pool).await;
    let token = app.kyufu();

    // Nothing registered yet.
    let (status, problem) = app.get_json(ACCOUNT_1234, &token).await;
    assert_eq!(status, 404, "{problem}");
    assert_eq!(problem["code"], "employer_account_not_registered");
    assert!(problem["detail"]
        .as_str()
        .unwrap()
        .contains("POST /api/v1/employers/1234/payment-account"));
    let (status, problem) = app
        .post_json(
            &format!("{ACCOUNT_1234}/closure"),
            &token,
            &json!({"effective_from": "2025-10-01", "received_on": "2025-09-20", "reason": "事業所廃止"}),
        )
        .await;
    assert_eq!(status, 409, "{problem}");
    assert_eq!(problem["code"], "no_account_to_close");
    assert_eq!(app.event_count().await, 0);

    let mut short_number = registration("2025-04-01", "1234567");
    short_number["account"]["account_number"] = json!("123456");
    let mut unknown_field = registration("2025-04-01", "1234567");
    unknown_field["note"] = json!("x");
    let mut savings_typo = registration("2025-04-01", "1234567");
    savings_typo["account"]["account_type"] = json!("time_deposit");
    let mut half_width_holder = registration("2025-04-01", "1234567");
    half_width_holder["account"]["holder"] = json!("ﾔﾏﾀﾞｼﾖｳｼﾞ");
    // `・` has no 全銀 half-width カナ; 31 katakana do not fit the 30-character 受取人名.
    let mut middle_dot = registration("2025-04-01", "1234567");
    middle_dot["account"]["holder"] = json!("ヤマダ・シヨウジ");
    let mut too_long = registration("2025-04-01", "1234567");
    too_long["account"]["holder"] = json!("ア".repeat(31));
    let mut no_received_on = registration("2025-04-01", "1234567");
    no_received_on
        .as_object_mut()
        .unwrap()
        .remove("received_on");
    for (path, body, code) in [
        (ACCOUNT_1234, &short_number, "invalid_body"),
        (ACCOUNT_1234, &unknown_field, "invalid_body"),
        (ACCOUNT_1234, &savings_typo, "invalid_body"),
        (ACCOUNT_1234, &half_width_holder, "invalid_body"),
        (ACCOUNT_1234, &no_received_on, "invalid_body"),
        (ACCOUNT_1234, &middle_dot, "account_not_transferable"),
        (ACCOUNT_1234, &too_long, "account_not_transferable"),
        (
            "/api/v1/employers/12-34/payment-account",
            &registration("2025-04-01", "1234567"),
            "invalid_office_code",
        ),
        (
            "/api/v1/employers/123456789/payment-account",
            &registration("2025-04-01", "1234567"),
            "invalid_office_code",
        ),
    ] {
        let (status, problem) = app.post_json(path, &token, body).await;
        assert_eq!(status, 422, "{code}: {problem}");
        assert_eq!(problem["code"], code, "{problem}");
    }
    let response = app
        .client
        .post(format!("{}{ACCOUNT_1234}", app.base))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{\"effective_from\": ")
        .send()
        .await
        .unwrap();
    let (status, problem) = json(response).await;
    assert_eq!(status, 400);
    assert_eq!(problem["code"], "malformed_json");
    assert_eq!(app.event_count().await, 0);
    assert!(rows(&app).await.is_empty());

    // With an account registered from 2025-04-01 (proposed and confirmed): entries on or
    // before that day, the same account again, a closure without a reason.
    app.bootstrap_kyufu2().await;
    let registered = app.event_count().await;
    app.change_employer_account(ACCOUNT_1234, &registration("2025-04-01", "1234567"))
        .await;
    let after_one = rows(&app).await;
    for (path, body, status_code, code) in [
        (
            ACCOUNT_1234.to_owned(),
            registration("2025-04-01", "7654321"),
            409,
            "effective_from_not_after_latest",
        ),
        (
            ACCOUNT_1234.to_owned(),
            registration("2025-03-01", "7654321"),
            409,
            "effective_from_not_after_latest",
        ),
        (
            ACCOUNT_1234.to_owned(),
            registration("2025-08-01", "1234567"),
            409,
            "no_change",
        ),
        (
            format!("{ACCOUNT_1234}/closure"),
            json!({"effective_from": "2025-10-01", "received_on": "2025-09-20", "reason": "  "}),
            422,
            "reason_required",
        ),
        (
            format!("{ACCOUNT_1234}/closure"),
            json!({"effective_from": "2025-04-01", "received_on": "2025-09-20", "reason": "事業所廃止"}),
            409,
            "effective_from_not_after_latest",
        ),
    ] {
        let (status, problem) = app.post_json(&path, &token, &body).await;
        assert_eq!(status, status_code, "{code}: {problem}");
        assert_eq!(problem["code"], code, "{problem}");
        assert_eq!(
            problem["type"],
            format!("urn:kenpo:problem:{code}"),
            "{problem}"
        );
    }
    let (status, problem) = app
        .get_json(&format!("{ACCOUNT_1234}?on=someday"), &token)
        .await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["code"], "invalid_query");
    assert_eq!(app.event_count().await, registered + 2);
    assert_eq!(rows(&app).await, after_one);
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn only_the_benefits_section_records_and_only_it_and_audit_read(pool: PgPool) {
    let app = spawn_app(pool).await;
    app.bootstrap_choshu().await;
    let baseline = app.event_count().await;
    let body = registration("2025-04-01", "1234567");
    let closure = json!({"effective_from": "2025-10-01", "received_on": "2025-09-20", "reason": "事業所廃止"});
    for token in [
        app.clerk(),
        app.choshu(),
        app.token("audit1", &[Role::Auditor]),
        app.token("admin1", &[Role::SystemAdmin]),
    ] {
        let (status, problem) = app.post_json(ACCOUNT_1234, &token, &body).await;
        assert_eq!(status, 403, "{problem}");
        assert_eq!(problem["code"], "forbidden");
        let (status, problem) = app
            .post_json(&format!("{ACCOUNT_1234}/closure"), &token, &closure)
            .await;
        assert_eq!(status, 403, "{problem}");
    }
    for token in [app.clerk(), app.choshu()] {
        let (status, problem) = app.get_json(ACCOUNT_1234, &token).await;
        assert_eq!(status, 403, "{problem}");
        assert_eq!(problem["code"], "forbidden");
    }
    let (status, _) = json(
        app.client
            .post(format!("{}{ACCOUNT_1234}", app.base))
            .json(&body)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 401);
    assert_eq!(app.event_count().await, baseline);
    assert!(rows(&app).await.is_empty());
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn a_change_is_in_force_only_once_another_benefits_clerk_confirms_it(pool: PgPool) {
    let app = spawn_app(pool).await;
    let kyufu2 = app.bootstrap_kyufu2().await;
    let token = app.kyufu();
    app.change_employer_account(ACCOUNT_1234, &registration("2025-04-01", "1234567"))
        .await;

    // 変更 proposed by kyufu1: the view shows it pending beside the account still in force.
    let (status, proposal) = app
        .post_json(ACCOUNT_1234, &token, &registration("2025-08-01", "7654321"))
        .await;
    assert_eq!(status, 202, "{proposal}");
    let change_id = proposal["change_id"].as_str().unwrap().to_owned();
    let (status, view) = app
        .get_json(&format!("{ACCOUNT_1234}?on=2025-09-01"), &token)
        .await;
    assert_eq!(status, 200, "{view}");
    assert_eq!(view["in_force"]["account"], account("1234567"));
    assert_eq!(view["history"].as_array().unwrap().len(), 1);
    assert_eq!(view["stream_version"], 3);
    let pending = &view["pending_change"];
    assert_eq!(pending["change_id"], change_id.as_str(), "{view}");
    assert_eq!(pending["proposed_by"], "kyufu1");
    assert!(pending["proposed_at"].is_string(), "{view}");
    assert_eq!(pending["change"]["register"]["account"], account("7654321"));
    assert_eq!(
        pending["change"]["register"]["effective_from"],
        "2025-08-01"
    );
    let rows_pending = rows(&app).await;

    // Refusals, each writing nothing: the proposer deciding, another role, an unknown change,
    // a second proposal while one is pending, a rejection without a reason.
    let confirmation = format!("{ACCOUNT_1234}/changes/{change_id}/confirmation");
    let rejection = format!("{ACCOUNT_1234}/changes/{change_id}/rejection");
    let unknown = format!("{ACCOUNT_1234}/changes/{}/confirmation", Uuid::now_v7());
    let closure_path = format!("{ACCOUNT_1234}/closure");
    let clerk = app.clerk();
    let closure = json!({"effective_from": "2025-10-01", "received_on": "2025-09-20", "reason": "事業所廃止"});
    let with_reason = json!({"reason": "口座名義が届出と違う"});
    for (path, who, body, status, code) in [
        (
            confirmation.as_str(),
            &token,
            json!({}),
            403,
            "two_person_rule",
        ),
        (
            rejection.as_str(),
            &token,
            with_reason.clone(),
            403,
            "two_person_rule",
        ),
        (confirmation.as_str(), &clerk, json!({}), 403, "forbidden"),
        (
            unknown.as_str(),
            &kyufu2,
            json!({}),
            404,
            "account_change_not_found",
        ),
        (
            closure_path.as_str(),
            &kyufu2,
            closure.clone(),
            409,
            "account_change_pending",
        ),
        (
            rejection.as_str(),
            &kyufu2,
            json!({"reason": " "}),
            422,
            "reason_required",
        ),
    ] {
        app.post_refused(path, who, &body, status, code).await;
    }

    // Rejected by kyufu2: it never takes effect, and cannot be decided again.
    let (status, rejected) = app.post_json(&rejection, &kyufu2, &with_reason).await;
    assert_eq!(status, 200, "{rejected}");
    assert_eq!(rejected["events"], json!(["EmployerAccountChangeRejected"]));
    for (path, body) in [(&confirmation, json!({})), (&rejection, with_reason)] {
        app.post_refused(path, &kyufu2, &body, 409, "account_change_already_decided")
            .await;
    }
    let (_, view) = app
        .get_json(&format!("{ACCOUNT_1234}?on=2025-09-01"), &token)
        .await;
    assert_eq!(view["in_force"]["account"], account("1234567"));
    assert_eq!(view["pending_change"], Value::Null, "{view}");
    assert_eq!(rows(&app).await, rows_pending);

    // A new proposal may follow; once confirmed it cannot be confirmed again.
    let (status, proposal) = app.post_json(&closure_path, &token, &closure).await;
    assert_eq!(status, 202, "{proposal}");
    let change_id = proposal["change_id"].as_str().unwrap();
    let confirmation = format!("{ACCOUNT_1234}/changes/{change_id}/confirmation");
    let (status, closed) = app.post_json(&confirmation, &kyufu2, &json!({})).await;
    assert_eq!(status, 200, "{closed}");
    assert_eq!(closed["entry"]["status"], "closed");
    app.post_refused(
        &confirmation,
        &kyufu2,
        &json!({}),
        409,
        "account_change_already_decided",
    )
    .await;
}

// ------------------------------------------------------------------ payment batches

/// A female insured of 事業所 `office_code`, acquired on 2022-04-01 (insured on 2023 births).
async fn mother(app: &TestApp, number: &str, office_code: &str) -> Uuid {
    let id = Uuid::now_v7();
    let mut body = acquisition(id, "300", number);
    body["acquired_on"] = json!("2022-04-01");
    body["received_on"] = json!("2022-04-04");
    body["sex"] = json!("female");
    body["name"] = json!("山田 花子");
    body["kana"] = json!("ヤマダ ハナコ");
    body["birth_date"] = json!("1990-06-01");
    body["identification"]["office_code"] = json!(office_code);
    app.acquire(&body).await;
    id
}

/// 出産育児一時金 for one child born on `birth_date` at a 産科医療補償制度 facility, to the
/// employer's account of `office_code`: 受付, 受付登録, 給付金計算 and 支給決定 of the
/// calculated 500,000円 on `decided_on` (488,000 + 12,000, rules.md §5.3).
async fn decided_to_employer(
    app: &TestApp,
    person: Uuid,
    office_code: &str,
    birth_date: &str,
    (received_on, decided_on): (&str, &str),
) -> Uuid {
    let token = app.kyufu();
    let id = Uuid::now_v7();
    let (status, answer) = app
        .post_json(
            "/api/v1/claims",
            &token,
            &json!({
                "claim_id": id,
                "kind": "childbirth_lump_sum",
                "person_id": person,
                "received_on": received_on,
                "payee": {"type": "employer_account", "office_code": office_code},
                "details": {
                    "birth_date": birth_date,
                    "gestation": {"weeks": 39, "days": 2},
                    "live_births": 1,
                    "obstetric_compensation_facility": true
                }
            }),
        )
        .await;
    assert_eq!(status, 201, "{answer}");
    let path = |what: &str| format!("/api/v1/claims/{id}/{what}");
    let (status, answer) = app
        .post_json(
            &path("registration"),
            &token,
            &json!({"registered_on": received_on}),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    let (status, answer) = app
        .post_json(&path("calculation"), &token, &json!({}))
        .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["claim"]["calculations"][0]["amount"], 500_000);
    // 計算者 ≠ 決定者: the second 給付課 clerk decides
    let (status, answer) = app
        .post_json(
            &path("decision"),
            &app.kyufu2(),
            &json!({"decided_on": decided_on, "outcome": {"type": "pay", "amount": 500_000}}),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    id
}

fn batch(instructed_on: &str, transfer_date: &str) -> Value {
    json!({
        "instructed_on": instructed_on,
        "transfer_date": transfer_date,
        "requester": {
            "code": "1234567890", "name": "ケンコウホケンクミアイ",
            "bank_code": "0001", "bank_name": "ミズホ", "branch_code": "001",
            "branch_name": "トウキョウ", "account_type": "ordinary", "account_number": "7654321"
        }
    })
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn a_claim_to_the_employers_account_is_paid_to_the_account_in_force_on_the_transfer_date(
    pool: PgPool,
) {
    let mut app = spawn_app(pool).await;
    app.bootstrap_kyufu2().await;
    app.seed_statutory_parameters().await;
    let token = app.kyufu();
    let hanako = mother(&app, "1", "1234").await;
    let other = mother(&app, "2", "5678").await;
    let to_1234 = decided_to_employer(
        &app,
        hanako,
        "1234",
        "2023-04-01",
        ("2023-04-20", "2023-04-25"),
    )
    .await;
    let to_5678 = decided_to_employer(
        &app,
        other,
        "5678",
        "2023-04-02",
        ("2023-04-20", "2023-04-25"),
    )
    .await;
    let before = app.event_count().await;

    // No account registered for either 事業所: nothing to pay, each detail says how to register.
    let (status, problem) = app
        .post_json(
            "/api/v1/payment-batches",
            &token,
            &batch("2023-04-26", "2023-04-28"),
        )
        .await;
    assert_eq!(status, 409, "{problem}");
    assert_eq!(problem["code"], "nothing_to_pay");
    let detail = problem["detail"].as_str().unwrap();
    for office in ["1234", "5678"] {
        assert!(
            detail.contains(&format!("POST /api/v1/employers/{office}/payment-account")),
            "{detail}"
        );
    }
    assert!(
        detail.contains("employer_account_not_registered"),
        "{detail}"
    );

    // 事業所 1234's account from 2023-05-01, proposed but not yet confirmed: not paid to.
    let (status, proposal) = app
        .post_json(
            ACCOUNT_1234,
            &token,
            &json!({"effective_from": "2023-05-01", "account": account("1234567"), "received_on": "2023-04-26"}),
        )
        .await;
    assert_eq!(status, 202, "{proposal}");
    let (status, problem) = app
        .post_json(
            "/api/v1/payment-batches",
            &token,
            &batch("2023-05-08", "2023-05-10"),
        )
        .await;
    assert_eq!(status, 409, "{problem}");
    assert_eq!(problem["code"], "nothing_to_pay");
    let detail = problem["detail"].as_str().unwrap();
    assert!(
        detail.contains("POST /api/v1/employers/1234/payment-account"),
        "{detail}"
    );

    // Confirmed by kyufu2, it is in force from 2023-05-01: a transfer on 2023-04-30 is too early.
    let change_id = proposal["change_id"].as_str().unwrap();
    let (status, confirmed) = app
        .post_json(
            &format!("{ACCOUNT_1234}/changes/{change_id}/confirmation"),
            &app.kyufu2(),
            &json!({}),
        )
        .await;
    assert_eq!(status, 200, "{confirmed}");
    let (status, problem) = app
        .post_json(
            "/api/v1/payment-batches",
            &token,
            &batch("2023-04-27", "2023-04-30"),
        )
        .await;
    assert_eq!(status, 409, "{problem}");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("takes effect only from 2023-05-01"),
        "{problem}"
    );
    assert_eq!(app.event_count().await, before + 2);

    // Transfer on 2023-05-10: the 1234 claim is paid to its account; 5678 still waits.
    let (status, created) = app
        .post_json(
            "/api/v1/payment-batches",
            &token,
            &batch("2023-05-08", "2023-05-10"),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let paid = &created["batch"]["payments"];
    assert_eq!(paid.as_array().unwrap().len(), 1, "{created}");
    assert_eq!(paid[0]["claim_id"], to_1234.to_string());
    assert_eq!(paid[0]["amount"], 500_000);
    assert_eq!(
        paid[0]["payee"],
        json!({"type": "employer_account", "office_code": "1234"})
    );
    assert_eq!(paid[0]["account"], account("1234567"));
    assert_eq!(created["batch"]["total_amount"], 500_000);
    let unresolved = created["unresolved"].as_array().unwrap();
    assert_eq!(unresolved.len(), 1, "{created}");
    assert_eq!(unresolved[0]["claim_id"], to_5678.to_string());
    assert_eq!(unresolved[0]["code"], "employer_account_not_registered");
    assert!(unresolved[0]["reason"]
        .as_str()
        .unwrap()
        .contains("POST /api/v1/employers/5678/payment-account"));

    // The 総合振込 file carries the employer's account and the amount (once a second 給付課
    // clerk has approved the batch).
    let batch_id = created["batch_id"].as_str().unwrap();
    app.approve_batch(batch_id).await;
    let response = app
        .get(
            &format!("/api/v1/payment-batches/{batch_id}/transfer-file"),
            &token,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let bytes = response.bytes().await.unwrap();
    let file = TransferFile::parse(&bytes).unwrap();
    assert_eq!(file.total_count(), 1);
    assert_eq!(file.total_amount(), Yen::new(500_000));
    let record = &file.records()[0];
    assert_eq!(record.bank_code.as_str(), "0005");
    assert_eq!(record.branch_code.as_str(), "123");
    assert_eq!(record.deposit_type, DepositType::Current);
    assert_eq!(record.account_number.as_str(), "1234567");
    assert_eq!(record.recipient_name.as_str(), "ﾔﾏﾀﾞｼﾖｳｼﾞ");
    assert_eq!(record.amount.yen(), Yen::new(500_000));
    assert_eq!(record.transfer_method, Some(TransferMethod::Telegraphic));

    // A later change of the account does not change the batch made (it holds a copy).
    app.change_employer_account(
        ACCOUNT_1234,
        &json!({"effective_from": "2023-06-01", "account": account("7654321"), "received_on": "2023-05-20"}),
    )
    .await;
    let response = app
        .get(
            &format!("/api/v1/payment-batches/{batch_id}/transfer-file"),
            &token,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.bytes().await.unwrap(), bytes);

    // A closed account: a claim decided later is left out until an account is registered.
    let third = mother(&app, "3", "1234").await;
    let late = decided_to_employer(
        &app,
        third,
        "1234",
        "2023-06-20",
        ("2023-07-03", "2023-07-05"),
    )
    .await;
    app.change_employer_account(
        &format!("{ACCOUNT_1234}/closure"),
        &json!({"effective_from": "2023-07-01", "received_on": "2023-06-25", "reason": "事業所廃止"}),
    )
    .await;
    let (status, problem) = app
        .post_json(
            "/api/v1/payment-batches",
            &token,
            &batch("2023-07-06", "2023-07-10"),
        )
        .await;
    assert_eq!(status, 409, "{problem}");
    let detail = problem["detail"].as_str().unwrap();
    assert!(detail.contains(&late.to_string()), "{detail}");
    assert!(detail.contains("closed from 2023-07-01"), "{detail}");
}
