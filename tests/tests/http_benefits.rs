//! 給付 over real HTTP against a real PostgreSQL: claims from 受付 to decision with the amount
//! calculated by the server from the claim, 適用 and the parameter registry; refusals that write
//! nothing; corrections that keep the original; certificates; a rebuild equal to the live read
//! models. Every amount is derived by hand from rules.md in the comments.

mod common;

use common::bodies::{acquisition, dependent, retirement};
use common::{json, spawn_app, TestApp};
use kenpo_api::auth::Role;
use serde_json::{json, Value};
use sqlx::PgPool;
use uuid::Uuid;

async fn app_with_parameters(pool: PgPool) -> TestApp {
    let mut app = spawn_app(pool).await;
    app.bootstrap_kyufu2().await;
    app.seed_statutory_parameters().await;
    app
}

fn kyufu(app: &TestApp) -> String {
    app.token("kyufu1", &[Role::Benefits])
}

async fn post(app: &TestApp, token: &str, path: &str, body: &Value) -> (u16, Value) {
    json(app.post(path, token, body).send().await.unwrap()).await
}

async fn get(app: &TestApp, token: &str, path: &str) -> (u16, Value) {
    json(app.get(path, token).send().await.unwrap()).await
}

/// 資格取得 of a compulsory insured (bodies::acquisition: 報酬月額 300,000 → 標準報酬月額
/// 300,000, 22等級) with the fields given replaced.
async fn acquire(app: &TestApp, symbol: &str, number: &str, overrides: Value) -> Uuid {
    let id = Uuid::now_v7();
    let mut body = acquisition(id, symbol, number);
    for (k, v) in overrides.as_object().unwrap() {
        body[k] = v.clone();
    }
    let (status, answer) = post(app, &app.clerk(), "/api/v1/acquisitions", &body).await;
    assert_eq!(status, 201, "{answer}");
    id
}

/// A female insured acquired on 2022-04-01 (so insured on a 2023-04-01 birth).
async fn mother(app: &TestApp, number: &str) -> Uuid {
    acquire(
        app,
        "300",
        number,
        json!({"acquired_on": "2022-04-01", "received_on": "2022-04-04", "sex": "female",
               "name": "山田 花子", "kana": "ヤマダ ハナコ", "birth_date": "1990-06-01"}),
    )
    .await
}

fn employer_payee() -> Value {
    json!({"type": "employer_account", "office_code": "1234"})
}

fn childbirth_claim(claim_id: Uuid, person_id: Uuid, birth_date: &str, live_births: u32) -> Value {
    json!({
        "claim_id": claim_id,
        "kind": "childbirth_lump_sum",
        "person_id": person_id,
        "received_on": "2023-04-20",
        "payee": employer_payee(),
        "details": {
            "birth_date": birth_date,
            "gestation": {"weeks": 39, "days": 2},
            "live_births": live_births,
            "obstetric_compensation_facility": true
        }
    })
}

/// A 傷病手当金 claim for `from..=to` (no wages, employer certified on `certified_on`).
fn sickness_claim(
    claim_id: Uuid,
    person_id: Uuid,
    (from, to): (&str, &str),
    received_on: &str,
    details: Value,
    wages_paid: Value,
) -> Value {
    json!({
        "claim_id": claim_id,
        "kind": "sickness_allowance",
        "person_id": person_id,
        "received_on": received_on,
        "period": {"from": from, "to": to},
        "employer_certification": {
            "certified_on": received_on,
            "certifier": "株式会社テスト 代表取締役 山田一郎",
            "wages_paid": wages_paid
        },
        "payee": employer_payee(),
        "details": details
    })
}

async fn receive(app: &TestApp, body: &Value) -> (u16, Value) {
    post(app, &kyufu(app), "/api/v1/claims", body).await
}

/// A command on claim `id`: decisions and corrections by the second clerk
/// ([`common::four_eyes::KYUFU2`]), everything else (the calculation included) by `kyufu1`.
async fn claim_command(app: &TestApp, id: Uuid, what: &str, body: &Value) -> (u16, Value) {
    let token = match what {
        "decision" | "correction" => app.kyufu2(),
        _ => kyufu(app),
    };
    post(app, &token, &format!("/api/v1/claims/{id}/{what}"), body).await
}

/// 受付 → 受付登録 → 給付金計算; returns the calculation answer.
async fn receive_register_calculate(
    app: &TestApp,
    body: &Value,
    registered_on: &str,
) -> (u16, Value) {
    let id: Uuid = serde_json::from_value(body["claim_id"].clone()).unwrap();
    let (status, answer) = receive(app, body).await;
    assert_eq!(status, 201, "{answer}");
    let (status, answer) = claim_command(
        app,
        id,
        "registration",
        &json!({"registered_on": registered_on}),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    claim_command(app, id, "calculation", &json!({})).await
}

fn step<'a>(basis: &'a Value, label_prefix: &str) -> &'a Value {
    basis["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["label"].as_str().unwrap().starts_with(label_prefix))
        .unwrap_or_else(|| panic!("no step {label_prefix} in {basis}"))
}

async fn claim_rows(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM benefit_claims")
        .fetch_one(pool)
        .await
        .unwrap()
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn childbirth_lump_sum_from_receipt_to_decision(pool: PgPool) {
    let app = app_with_parameters(pool).await;
    let insured = mother(&app, "1").await;
    let id = Uuid::now_v7();
    let body = childbirth_claim(id, insured, "2023-04-01", 1);

    // 受付 twice with one Idempotency-Key: one claim, the same answer.
    let send = || {
        app.post("/api/v1/claims", &kyufu(&app), &body)
            .header("idempotency-key", "claim-birth-1")
            .send()
    };
    let (status, first) = json(send().await.unwrap()).await;
    assert_eq!(status, 201, "{first}");
    assert_eq!(first["stream_id"], format!("benefit_claim-{id}"));
    assert_eq!(first["claim"]["status"], "received");
    let (status, again) = json(send().await.unwrap()).await;
    assert_eq!((status, &again), (201, &first));

    let (status, registered) = claim_command(
        &app,
        id,
        "registration",
        &json!({"registered_on": "2023-04-21"}),
    )
    .await;
    assert_eq!(status, 200, "{registered}");
    assert_eq!(registered["claim"]["status"], "registered");

    // Birth 2023-04-01 at a 産科医療補償制度 facility, 39週: the amounts in force on that day are
    // 488,000 without the addition and 500,000 with it (施行令36条, rules.md §5.3), so the
    // addition is 500,000 − 488,000 = 12,000 and one child gets 488,000 + 12,000 = 500,000.
    let (status, calculated) = claim_command(&app, id, "calculation", &json!({})).await;
    assert_eq!(status, 200, "{calculated}");
    let calculation = &calculated["claim"]["calculations"][0];
    assert_eq!(calculation["sequence"], 1);
    assert_eq!(calculation["amount"], 500000);
    assert_eq!(calculation["calculated_by"], "kyufu1");
    let basis = &calculation["basis"];
    assert_eq!(basis["result_yen"], 500000);
    let keys: Vec<(&str, &str, &str)> = basis["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["key"].as_str().unwrap(),
                p["effective_from"].as_str().unwrap(),
                p["value"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        keys,
        [
            (
                "childbirth_lump_sum_without_compensation",
                "2023-04-01",
                "488000"
            ),
            ("childbirth_lump_sum", "2023-04-01", "500000"),
        ]
    );
    assert_eq!(step(basis, "出産育児一時金の額")["value"], "488000");
    assert_eq!(
        step(
            basis,
            "産科医療補償制度の加算額 = 加算ありの額 − 加算なしの額"
        )["value"],
        "12000"
    );
    assert_eq!(step(basis, "支給額")["value"], "500000");
    assert_eq!(basis["inputs"]["birth_date"], "2023-04-01");

    // 計算者 ≠ 決定者: kyufu1 recorded the calculation and cannot decide on it (not even the
    // amount calculated); nothing written
    let before = app.event_count().await;
    let (status, problem) = post(
        &app,
        &kyufu(&app),
        &format!("/api/v1/claims/{id}/decision"),
        &json!({"decided_on": "2023-04-25", "outcome": {"type": "pay", "amount": 500000}}),
    )
    .await;
    assert_eq!(status, 403, "{problem}");
    assert_eq!(problem["code"], "two_person_rule");
    assert_eq!(app.event_count().await, before);

    // a 支給 amount other than the calculated one, without a reason: refused, nothing written
    let (status, problem) = claim_command(
        &app,
        id,
        "decision",
        &json!({"decided_on": "2023-04-25", "outcome": {"type": "pay", "amount": 490000}}),
    )
    .await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["code"], "amount_differs_from_calculation");
    assert_eq!(app.event_count().await, before);

    let (status, decided) = claim_command(
        &app,
        id,
        "decision",
        &json!({"decided_on": "2023-04-25", "outcome": {"type": "pay", "amount": 500000}}),
    )
    .await;
    assert_eq!(status, 200, "{decided}");
    assert_eq!(decided["version"], 4);
    let claim = &decided["claim"];
    assert_eq!(claim["status"], "decided");
    assert_eq!(claim["decision"]["amount"], 500000);
    assert_eq!(claim["decision"]["calculation_sequence"], 1);
    assert_eq!(
        claim["decision"]["basis"], *basis,
        "the decision carries the calculation's basis"
    );
    assert_eq!(claim["amount_to_pay"], 500000);

    // the "why this amount" view, with who did what
    let (status, detail) = get(&app, &app.clerk(), &format!("/api/v1/claims/{id}")).await;
    assert_eq!(status, 200, "{detail}");
    assert_eq!(detail["decision"]["amount"], 500000);
    assert_eq!(detail["calculations"][0]["basis"], *basis);
    let types: Vec<&str> = detail["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event_type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        [
            "ClaimReceived",
            "ClaimRegistered",
            "ClaimCalculated",
            "ClaimDecided"
        ]
    );
    assert_eq!(detail["history"][2]["metadata"]["actor"], "kyufu1");
    assert_eq!(detail["history"][3]["metadata"]["actor"], "kyufu2");
    assert_eq!(detail["history"][3]["metadata"]["role"], "benefits");

    // the row's columns
    let row: (
        String,
        String,
        Option<chrono::NaiveDate>,
        Option<i64>,
        Value,
    ) = sqlx::query_as(
        "SELECT kind, status, decided_on, amount, payee FROM benefit_claims WHERE claim_id = $1",
    )
    .bind(id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(row.0, "childbirth_lump_sum");
    assert_eq!(row.1, "decided");
    assert_eq!(row.2.map(|d| d.to_string()).as_deref(), Some("2023-04-25"));
    assert_eq!(row.3, Some(500000));
    assert_eq!(row.4, employer_payee());

    // search by person, status and kind
    let token = app.token("audit1", &[Role::Auditor]);
    let (status, page) = get(&app, &token, &format!("/api/v1/claims?person_id={insured}")).await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["total"], 1);
    assert_eq!(page["claims"][0]["claim_id"], id.to_string());
    let (_, page) = get(
        &app,
        &token,
        "/api/v1/claims?status=decided&kind=childbirth_lump_sum",
    )
    .await;
    assert_eq!(page["total"], 1);
    let (_, page) = get(&app, &token, "/api/v1/claims?kind=sickness_allowance").await;
    assert_eq!(page["total"], 0);
    let (status, problem) = get(&app, &token, "/api/v1/claims?status=approved").await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (422, Some("invalid_query"))
    );

    // twins born the same day: 500,000 × 2 = 1,000,000
    let twins = Uuid::now_v7();
    let (status, calculated) = receive_register_calculate(
        &app,
        &childbirth_claim(twins, insured, "2023-04-01", 2),
        "2023-04-21",
    )
    .await;
    assert_eq!(status, 200, "{calculated}");
    assert_eq!(calculated["claim"]["calculations"][0]["amount"], 1000000);
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn sickness_allowance_daily_amount_from_twelve_months_of_300000(pool: PgPool) {
    let app = app_with_parameters(pool).await;
    // acquired 2025-04-01 with 標準報酬月額 300,000 (22等級) and no change since
    let insured = acquire(&app, "400", "1", json!({})).await;
    let id = Uuid::now_v7();
    let body = sickness_claim(
        id,
        insured,
        ("2026-04-01", "2026-04-10"),
        "2026-04-15",
        json!({"sickness_began_on": "2026-03-31"}),
        json!([]),
    );
    let (status, calculated) = receive_register_calculate(&app, &body, "2026-04-16").await;
    assert_eq!(status, 200, "{calculated}");
    // 待期 2026-04-01..04-03 (99条1項); paid from the 4th day, 04-04..04-10 = 7 days.
    // 支給開始日 2026-04-04: the 12 months 2025-05..2026-04 are all 300,000:
    //   A = 3,600,000 ÷ 12 = 300,000; B = 300,000 ÷ 30 = 10,000 (10円未満四捨五入: 10,000);
    //   日額 = 10,000 × 2/3 = 6,666.66… → 6,667 (50銭以上切上げ) (rules.md §5.1).
    // 支給額 = 7 × 6,667 = 46,669.
    let calculation = &calculated["claim"]["calculations"][0];
    assert_eq!(calculation["amount"], 46669);
    let basis = &calculation["basis"];
    assert_eq!(step(basis, "支給開始日の属する月以前")["value"], "3600000");
    let b = step(basis, "標準報酬月額の平均の30分の1");
    assert_eq!(
        (b["exact"].as_str(), b["value"].as_str()),
        (Some("10000"), Some("10000"))
    );
    assert_eq!(b["rounding"], "half_up_ten_yen");
    let daily = step(basis, "1日当たりの金額");
    assert_eq!(daily["value"], "6667");
    assert_eq!(daily["rounding"], "half_up_yen");
    assert_eq!(step(basis, "待期")["formula"], "2026-04-01〜2026-04-03");
    assert_eq!(
        basis["parameters"],
        json!([]),
        "12 months: no parameter needed"
    );
    let months = basis["inputs"]["standard_remuneration_months"]
        .as_array()
        .unwrap();
    assert!(months.iter().all(|m| m["amount"] == 300000));
    assert_eq!(
        basis["inputs"]["eligibility"]["voluntary_continuation_when_sickness_began"],
        false
    );

    let (status, decided) = claim_command(
        &app,
        id,
        "decision",
        &json!({"decided_on": "2026-04-20", "outcome": {"type": "pay", "amount": 46669}}),
    )
    .await;
    assert_eq!(status, 200, "{decided}");

    // The next claim for the same sickness, 2026-04-11..04-20 (10 days), the 待期 done and 7
    // days paid before; wages of 10,000 for 04-11..04-12 are 5,000 a day (108条: only the
    // difference): 2 × (6,667 − 5,000) = 3,334 and 8 × 6,667 = 53,336 → 56,670.
    let next = Uuid::now_v7();
    let body = sickness_claim(
        next,
        insured,
        ("2026-04-11", "2026-04-20"),
        "2026-04-25",
        json!({"sickness_began_on": "2026-03-31",
               "waiting_period_completed_on": "2026-04-03",
               "earlier_payments": {"benefit_start_date": "2026-04-04", "days_paid": 7}}),
        json!([{"from": "2026-04-11", "to": "2026-04-12", "amount": 10000}]),
    );
    let (status, calculated) = receive_register_calculate(&app, &body, "2026-04-25").await;
    assert_eq!(status, 200, "{calculated}");
    assert_eq!(calculated["claim"]["calculations"][0]["amount"], 56670);

    // wages that do not split into whole yen per day are refused at calculation
    let odd = Uuid::now_v7();
    let body = sickness_claim(
        odd,
        insured,
        ("2026-05-01", "2026-05-10"),
        "2026-05-15",
        json!({"sickness_began_on": "2026-04-30"}),
        json!([{"from": "2026-05-04", "to": "2026-05-06", "amount": 10000}]),
    );
    let (status, problem) = receive_register_calculate(&app, &body, "2026-05-15").await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (422, Some("wages_not_daily")),
        "{problem}"
    );

    // 待期 not met (2 days off): 422 with the calculation's code, nothing recorded; the claim
    // is then decided 不支給 with that code, and the 不支給決定通知書 sent.
    let short = Uuid::now_v7();
    let body = sickness_claim(
        short,
        insured,
        ("2026-06-01", "2026-06-02"),
        "2026-06-05",
        json!({"sickness_began_on": "2026-06-01"}),
        json!([]),
    );
    let before = app.event_count().await;
    let (status, problem) = receive_register_calculate(&app, &body, "2026-06-05").await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (422, Some("waiting_period_not_met")),
        "{problem}"
    );
    assert_eq!(
        app.event_count().await,
        before + 2,
        "受付 and 受付登録 only"
    );
    let (status, refused) = claim_command(
        &app,
        short,
        "decision",
        &json!({"decided_on": "2026-06-08", "outcome": {"type": "refuse",
                "reason_code": "waiting_period_not_met", "reason": "待期3日間が完成していないため"}}),
    )
    .await;
    assert_eq!(status, 200, "{refused}");
    assert_eq!(refused["claim"]["decision"]["amount"], 0);
    assert_eq!(refused["claim"]["decision"]["basis"]["result_yen"], 0);
    let (status, noticed) =
        claim_command(&app, short, "notice", &json!({"sent_on": "2026-06-09"})).await;
    assert_eq!(status, 200, "{noticed}");
    assert_eq!(noticed["claim"]["notices"][0]["pay"], false);
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn a_family_claim_needs_a_dependent_of_the_insured_on_the_day(pool: PgPool) {
    let app = app_with_parameters(pool.clone()).await;
    let insured = acquire(&app, "500", "1", json!({})).await;
    let other = acquire(&app, "500", "2", json!({})).await;
    // 山田 花子, 被扶養者 (spouse) of `insured` from 2025-05-01
    let spouse = Uuid::now_v7();
    let (status, body) = post(
        &app,
        &app.clerk(),
        "/api/v1/dependents",
        &dependent(spouse, insured, "500", "1"),
    )
    .await;
    assert_eq!(status, 201, "{body}");

    let family = |beneficiary: Uuid, birth: &str| {
        json!({
            "claim_id": Uuid::now_v7(),
            "kind": "family_childbirth_lump_sum",
            "person_id": insured,
            "beneficiary_person_id": beneficiary,
            "received_on": "2025-09-01",
            "payee": employer_payee(),
            "details": {"birth_date": birth, "gestation": {"weeks": 38, "days": 0},
                        "live_births": 1, "obstetric_compensation_facility": true}
        })
    };
    let before = app.event_count().await;
    // another insured person is nobody's dependent
    let (status, problem) = receive(&app, &family(other, "2025-08-01")).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["code"], "beneficiary_not_dependent");
    // the spouse was not yet a dependent on 2025-04-15
    let (status, problem) = receive(&app, &family(spouse, "2025-04-15")).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (422, Some("beneficiary_not_dependent"))
    );
    // and a 家族 kind needs the dependent named (the domain's rule)
    let mut no_beneficiary = family(spouse, "2025-08-01");
    no_beneficiary["beneficiary_person_id"] = Value::Null;
    let (status, problem) = receive(&app, &no_beneficiary).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (422, Some("beneficiary_required"))
    );
    assert_eq!(app.event_count().await, before, "nothing written");
    assert_eq!(claim_rows(&pool).await, 0);

    // the spouse's birth on 2025-08-01 (a dependent since 05-01): 114条, 488,000 + 12,000
    let body = family(spouse, "2025-08-01");
    let (status, calculated) = receive_register_calculate(&app, &body, "2025-09-02").await;
    assert_eq!(status, 200, "{calculated}");
    assert_eq!(calculated["claim"]["calculations"][0]["amount"], 500000);
    assert_eq!(
        calculated["claim"]["beneficiary_person_id"],
        spouse.to_string()
    );
    assert!(
        step(&calculated["claim"]["calculations"][0]["basis"], "妊娠日数")["source"]
            .as_str()
            .unwrap()
            .contains("114条")
    );
    // the claim is found under the dependent too
    let (_, page) = get(
        &app,
        &app.clerk(),
        &format!("/api/v1/claims?person_id={spouse}"),
    )
    .await;
    assert_eq!(page["total"], 1);
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn no_sickness_allowance_for_a_sickness_that_began_under_voluntary_continuation(
    pool: PgPool,
) {
    let app = app_with_parameters(pool.clone()).await;
    let person = acquire(&app, "600", "1", json!({})).await;
    // retired 2026-03-31 → lost 2026-04-01, then 任意継続 from 2026-04-01
    let (status, body) = post(
        &app,
        &app.clerk(),
        &format!("/api/v1/persons/{person}/loss"),
        &retirement(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let mut continuation = acquisition(person, "600", "1");
    continuation["category"] = json!("voluntary_continuation");
    continuation["acquired_on"] = json!("2026-04-01");
    continuation["received_on"] = json!("2026-04-10");
    continuation["reason"] = json!({"kind": "voluntary_continuation"});
    let (status, body) = post(&app, &app.clerk(), "/api/v1/acquisitions", &continuation).await;
    assert_eq!(status, 201, "{body}");

    let before = app.event_count().await;
    let mut claim = sickness_claim(
        Uuid::now_v7(),
        person,
        ("2026-05-01", "2026-05-10"),
        "2026-05-15",
        json!({"sickness_began_on": "2026-05-01"}),
        json!([]),
    );
    claim["payee"] = json!({"type": "member_account"});
    let (status, problem) = receive(&app, &claim).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["code"], "not_eligible_voluntary_continuation");
    assert!(problem["detail"].as_str().unwrap().contains("任意継続"));

    // a 任意継続 member is paid to their own account, not the employer's
    let mut birth = childbirth_claim(Uuid::now_v7(), person, "2026-05-01", 1);
    birth["received_on"] = json!("2026-05-15");
    let (status, problem) = receive(&app, &birth).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (422, Some("payee_not_allowed")),
        "{problem}"
    );
    assert_eq!(app.event_count().await, before, "nothing written");
    assert_eq!(claim_rows(&pool).await, 0);
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn a_qualification_clerk_cannot_send_benefit_commands(pool: PgPool) {
    let app = app_with_parameters(pool).await;
    let insured = mother(&app, "1").await;
    let clerk = app.clerk();
    let (status, problem) = post(
        &app,
        &clerk,
        "/api/v1/claims",
        &childbirth_claim(Uuid::now_v7(), insured, "2023-04-01", 1),
    )
    .await;
    assert_eq!(status, 403, "{problem}");
    let (status, _) = post(
        &app,
        &clerk,
        &format!("/api/v1/claims/{}/registration", Uuid::now_v7()),
        &json!({"registered_on": "2023-04-21"}),
    )
    .await;
    assert_eq!(status, 403);
    let (status, _) = post(
        &app,
        &clerk,
        "/api/v1/certificates",
        &json!({"certificate_id": Uuid::now_v7(), "person_id": insured, "issued_on": "2026-04-01",
                "valid_from": "2026-04-01", "valid_to": "2027-03-31",
                "application": {"kind": "limit_application"}}),
    )
    .await;
    assert_eq!(status, 403);
    assert_eq!(app.event_count().await, 1, "only the 資格取得");
    // reading is any staff role's
    let (status, _) = get(&app, &clerk, "/api/v1/claims").await;
    assert_eq!(status, 200);
    let (status, _) = get(&app, &clerk, "/api/v1/certificates").await;
    assert_eq!(status, 200);
    // no token at all
    let response = app
        .client
        .get(format!("{}/api/v1/claims", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn bad_input_is_a_problem_and_writes_nothing(pool: PgPool) {
    let app = app_with_parameters(pool.clone()).await;
    let insured = mother(&app, "1").await;
    let token = kyufu(&app);
    let before = app.event_count().await;

    let response = app
        .client
        .post(format!("{}/api/v1/claims", app.base))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{\"claim_id\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    let (status, problem) = json(response).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (400, Some("malformed_json"))
    );

    let good = childbirth_claim(Uuid::now_v7(), insured, "2023-04-01", 1);
    let cases: Vec<(Value, u16, &str)> = vec![
        // unknown top-level field
        (
            {
                let mut b = good.clone();
                b["note"] = json!("x");
                b
            },
            422,
            "invalid_body",
        ),
        // a date that does not exist
        (
            {
                let mut b = good.clone();
                b["received_on"] = json!("2023-02-30");
                b
            },
            422,
            "invalid_body",
        ),
        // details without the birth date
        (
            {
                let mut b = good.clone();
                b["details"].as_object_mut().unwrap().remove("birth_date");
                b
            },
            422,
            "invalid_details",
        ),
        // an item of another kind
        (
            {
                let mut b = good.clone();
                b["details"]["sickness_began_on"] = json!("2023-03-01");
                b
            },
            422,
            "invalid_details",
        ),
        // 妊娠39週7日
        (
            {
                let mut b = good.clone();
                b["details"]["gestation"]["days"] = json!(7);
                b
            },
            422,
            "invalid_details",
        ),
        // no child
        (
            {
                let mut b = good.clone();
                b["details"]["live_births"] = json!(0);
                b
            },
            422,
            "invalid_details",
        ),
        // a birth after the claim was received
        (
            {
                let mut b = good.clone();
                b["details"]["birth_date"] = json!("2023-05-01");
                b
            },
            422,
            "invalid_details",
        ),
        // nobody in 適用
        (
            {
                let mut b = good.clone();
                b["person_id"] = json!(Uuid::now_v7());
                b
            },
            422,
            "person_not_found",
        ),
        // a 傷病手当金 without 事業主証明 (the domain's rule)
        (
            json!({"claim_id": Uuid::now_v7(), "kind": "sickness_allowance", "person_id": insured,
                "received_on": "2023-04-20", "period": {"from": "2023-04-01", "to": "2023-04-10"},
                "payee": employer_payee(), "details": {"sickness_began_on": "2023-04-01"}}),
            422,
            "employer_certification_required",
        ),
    ];
    for (body, status, code) in cases {
        let response = app
            .post("/api/v1/claims", &token, &body)
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
        let (got, problem) = json(response).await;
        assert_eq!(
            (got, problem["code"].as_str()),
            (status, Some(code)),
            "{body} → {problem}"
        );
    }
    // commands on a claim that does not exist
    let (status, problem) = claim_command(
        &app,
        Uuid::now_v7(),
        "registration",
        &json!({"registered_on": "2023-04-21"}),
    )
    .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (404, Some("claim_not_found"))
    );
    let (status, problem) =
        claim_command(&app, Uuid::now_v7(), "calculation", &json!({"x": 1})).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (422, Some("invalid_body"))
    );
    let (status, problem) = get(&app, &token, &format!("/api/v1/claims/{}", Uuid::now_v7())).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (404, Some("claim_not_found"))
    );

    assert_eq!(app.event_count().await, before, "nothing written");
    assert_eq!(claim_rows(&pool).await, 0);

    // a calculation before 受付登録 is refused and records nothing
    let id = Uuid::now_v7();
    let (status, _) = receive(&app, &childbirth_claim(id, insured, "2023-04-01", 1)).await;
    assert_eq!(status, 201);
    let (status, problem) = claim_command(&app, id, "calculation", &json!({})).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (409, Some("not_registered"))
    );
    // a stale If-Match
    let response = app
        .post(
            &format!("/api/v1/claims/{id}/registration"),
            &token,
            &json!({"registered_on": "2023-04-21"}),
        )
        .header("if-match", "\"7\"")
        .send()
        .await
        .unwrap();
    let (status, problem) = json(response).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (409, Some("version_conflict"))
    );
    assert_eq!(app.event_count().await, before + 1);
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn a_missing_society_parameter_is_409_naming_it(pool: PgPool) {
    let app = app_with_parameters(pool).await;
    // acquired 2025-04-01: by August 2025 only 5 months (2025-04..08) of 標準報酬月額 exist, so
    // 99条2項ただし書 needs the society's 前年度9月30日 average (a society parameter, not seeded)
    let insured = acquire(&app, "700", "1", json!({})).await;
    let id = Uuid::now_v7();
    let body = sickness_claim(
        id,
        insured,
        ("2025-08-01", "2025-08-10"),
        "2025-08-15",
        json!({"sickness_began_on": "2025-08-01"}),
        json!([]),
    );
    let before = app.event_count().await;
    let (status, problem) = receive_register_calculate(&app, &body, "2025-08-16").await;
    assert_eq!(status, 409, "{problem}");
    assert_eq!(problem["code"], "parameter_not_set");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("sickness_allowance_base_under_12_months"),
        "{problem}"
    );
    assert_eq!(
        app.event_count().await,
        before + 2,
        "受付 and 受付登録, no calculation"
    );

    // the システム担当 sets it: 280,000 from 2025-04-01
    let admin = app.token("admin1", &[Role::SystemAdmin]);
    let (status, body) = post(
        &app,
        &admin,
        "/api/v1/parameters/sickness_allowance_base_under_12_months",
        &json!({"effective_from": "2025-04-01", "value": 280000,
                "source": "令和6年9月30日 全被保険者の平均標準報酬月額 (組合会報告)",
                "reason": "傷病手当金 12か月未満の基準額"}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    // 支給開始日 2025-08-04 (after the 待期 08-01..03), 7 days to 08-10.
    // 1号: (300,000 × 5) ÷ 5 = 300,000; ÷ 30 = 10,000.
    // 2号: 280,000 ÷ 30 = 9,333.33… → 9,330 (5円未満切捨て).
    // the lower, 9,330; × 2/3 = 6,220 → 日額 6,220; 7 × 6,220 = 43,540.
    let (status, calculated) = claim_command(&app, id, "calculation", &json!({})).await;
    assert_eq!(status, 200, "{calculated}");
    let calculation = &calculated["claim"]["calculations"][0];
    assert_eq!(calculation["amount"], 43540);
    let basis = &calculation["basis"];
    assert_eq!(step(basis, "(2号)")["value"], "9330");
    assert_eq!(step(basis, "1号・2号のいずれか少ない額")["value"], "9330");
    assert_eq!(step(basis, "1日当たりの金額")["value"], "6220");
    assert_eq!(
        basis["parameters"][0]["key"],
        "sickness_allowance_base_under_12_months"
    );
    assert_eq!(basis["parameters"][0]["version"], 1);
    assert_eq!(basis["parameters"][0]["value"], "280000");
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn a_correction_keeps_the_original_decision_in_the_history(pool: PgPool) {
    let app = app_with_parameters(pool).await;
    let insured = mother(&app, "1").await;
    let id = Uuid::now_v7();
    let (status, _) = receive_register_calculate(
        &app,
        &childbirth_claim(id, insured, "2023-04-01", 1),
        "2023-04-21",
    )
    .await;
    assert_eq!(status, 200);
    let (status, decided) = claim_command(
        &app,
        id,
        "decision",
        &json!({"decided_on": "2023-04-25", "outcome": {"type": "pay", "amount": 500000}}),
    )
    .await;
    assert_eq!(status, 200, "{decided}");
    let original_basis = decided["claim"]["decision"]["basis"].clone();

    // repeating the decision in force is no correction
    let (status, problem) = claim_command(
        &app,
        id,
        "correction",
        &json!({"corrected_on": "2023-05-10", "reason": "再確認",
                "outcome": {"type": "pay", "amount": 500000}}),
    )
    .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (422, Some("no_change")),
        "{problem}"
    );

    // the 医療機関 certificate shows the baby was born at 21週 (no addition): the decision is
    // corrected to 488,000 with the reason, against the calculation of 500,000
    let correction = json!({"corrected_on": "2023-05-10", "reason": "出生証明の妊娠週数の訂正 (加算対象外)",
            "outcome": {"type": "pay", "amount": 488000},
            "override_reason": "妊娠22週未満のため産科医療補償制度の加算なし"});
    // … not by kyufu1, who recorded the calculation in force: refused, nothing written
    let before = app.event_count().await;
    let (status, problem) = post(
        &app,
        &kyufu(&app),
        &format!("/api/v1/claims/{id}/correction"),
        &correction,
    )
    .await;
    assert_eq!(status, 403, "{problem}");
    assert_eq!(problem["code"], "two_person_rule");
    assert_eq!(app.event_count().await, before);
    let (status, corrected) = claim_command(
        &app,
        id,
        "correction",
        &json!({"corrected_on": "2023-05-10", "reason": "出生証明の妊娠週数の訂正 (加算対象外)",
                "outcome": {"type": "pay", "amount": 488000},
                "override_reason": "妊娠22週未満のため産科医療補償制度の加算なし"}),
    )
    .await;
    assert_eq!(status, 200, "{corrected}");
    let claim = &corrected["claim"];
    assert_eq!(claim["decision"]["revision"], 1);
    assert_eq!(claim["decision"]["amount"], 488000);
    assert_eq!(
        claim["decision"]["amount_override"]["calculated_amount"],
        500000
    );
    assert_eq!(claim["superseded_decisions"].as_array().unwrap().len(), 1);
    assert_eq!(claim["superseded_decisions"][0]["revision"], 0);
    assert_eq!(claim["superseded_decisions"][0]["amount"], 500000);
    assert_eq!(claim["superseded_decisions"][0]["basis"], original_basis);
    assert_eq!(
        claim["corrections"][0]["previous_outcome"]["amount"],
        500000
    );
    assert_eq!(
        claim["corrections"][0]["difference"], 488000,
        "nothing was paid yet"
    );
    assert_eq!(claim["amount_to_pay"], 488000);

    let (status, detail) = get(&app, &app.clerk(), &format!("/api/v1/claims/{id}")).await;
    assert_eq!(status, 200);
    let history = detail["history"].as_array().unwrap();
    assert_eq!(history.len(), 5);
    assert_eq!(history[3]["event_type"], "ClaimDecided");
    assert_eq!(
        history[3]["payload"]["ClaimDecided"]["outcome"]["amount"],
        500000
    );
    assert_eq!(history[4]["event_type"], "DecisionCorrected");
    assert_eq!(
        history[4]["metadata"]["reason"],
        "出生証明の妊娠週数の訂正 (加算対象外)"
    );

    // a withdrawn claim takes no more commands
    let other = Uuid::now_v7();
    let (status, _) = receive(&app, &childbirth_claim(other, insured, "2023-04-01", 1)).await;
    assert_eq!(status, 201);
    let (status, withdrawn) = claim_command(
        &app,
        other,
        "withdrawal",
        &json!({"withdrawn_on": "2023-04-22", "reason": "重複申請のため取下げ"}),
    )
    .await;
    assert_eq!(status, 200, "{withdrawn}");
    assert_eq!(withdrawn["claim"]["status"], "withdrawn");
    let (status, problem) = claim_command(
        &app,
        other,
        "registration",
        &json!({"registered_on": "2023-04-23"}),
    )
    .await;
    assert_eq!((status, problem["code"].as_str()), (409, Some("withdrawn")));
}

async fn issue(app: &TestApp, body: &Value) -> (u16, Value) {
    post(app, &kyufu(app), "/api/v1/certificates", body).await
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn certificates_follow_the_remuneration_and_the_age(pool: PgPool) {
    let app = app_with_parameters(pool).await;
    // born 1980-04-01 (46 in 2026), 標準報酬月額 300,000 → 区分ウ (280,000–500,000)
    let younger = acquire(&app, "800", "1", json!({})).await;
    let id = Uuid::now_v7();
    let (status, issued) = issue(
        &app,
        &json!({"certificate_id": id, "person_id": younger, "issued_on": "2026-04-01",
                "valid_from": "2026-04-01", "valid_to": "2027-03-31",
                "application": {"kind": "limit_application"}}),
    )
    .await;
    assert_eq!(status, 201, "{issued}");
    assert_eq!(issued["certificate"]["details"]["category"], "u");
    assert_eq!(issued["certificate"]["status"], "in_use");
    // 非課税 under 280,000 would be オ, but at 300,000 ウ: ア・イ only override 非課税; ウ・エ
    // give way to it (rules.md §5.6)
    let (status, issued) = issue(
        &app,
        &json!({"certificate_id": Uuid::now_v7(), "person_id": younger, "issued_on": "2026-04-01",
                "valid_from": "2026-04-01", "valid_to": "2027-03-31",
                "application": {"kind": "limit_application", "municipal_tax_exempt": true}}),
    )
    .await;
    assert_eq!(status, 201, "{issued}");
    assert_eq!(issued["certificate"]["details"]["category"], "o");

    // born 1956-04-02: 70 on 2026-04-01 (the day before the birthday) → 高齢受給者 from
    // 2026-05-01 (rules.md §5.8); 標準報酬月額 300,000 ≥ 280,000 → 現役並み → 3割 (74条1項3号)
    let elderly = acquire(&app, "800", "2", json!({"birth_date": "1956-04-02"})).await;
    let card = Uuid::now_v7();
    let (status, issued) = issue(
        &app,
        &json!({"certificate_id": card, "person_id": elderly, "issued_on": "2026-04-20",
                "valid_from": "2026-05-01", "valid_to": "2027-07-31",
                "application": {"kind": "elderly_recipient"}}),
    )
    .await;
    assert_eq!(status, 201, "{issued}");
    let details = &issued["certificate"]["details"];
    assert_eq!(details["ratio"], "thirty_percent");
    assert_eq!(step(&details["basis"], "現役並み所得者")["value"], "1");
    assert_eq!(step(&details["basis"], "一部負担金割合")["value"], "30");
    // before the month after the 70th birthday month: refused by the age rule
    let (status, problem) = issue(
        &app,
        &json!({"certificate_id": Uuid::now_v7(), "person_id": elderly, "issued_on": "2026-04-01",
                "valid_from": "2026-04-01", "valid_to": "2027-07-31",
                "application": {"kind": "elderly_recipient"}}),
    )
    .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (422, Some("before_elderly_start")),
        "{problem}"
    );

    // 基準収入額適用: 収入 3,000,000 < 3,830,000 → 2割; the 3割 card is collected (replaced)
    let (status, collected) = post(
        &app,
        &kyufu(&app),
        &format!("/api/v1/certificates/{card}/collection"),
        &json!({"collected_on": "2026-05-10", "reason": "replaced"}),
    )
    .await;
    assert_eq!(status, 200, "{collected}");
    assert_eq!(collected["certificate"]["status"], "collected");
    let (status, issued) = issue(
        &app,
        &json!({"certificate_id": Uuid::now_v7(), "person_id": elderly, "issued_on": "2026-05-10",
                "valid_from": "2026-06-01", "valid_to": "2027-07-31",
                "application": {"kind": "elderly_recipient", "income_test": {"income": 3000000}}}),
    )
    .await;
    assert_eq!(status, 201, "{issued}");
    assert_eq!(issued["certificate"]["details"]["ratio"], "twenty_percent");

    // 特定疾病 (透析) under 70 with 300,000 (< 530,000): 10,000 (rules.md §5.10)
    let (status, issued) = issue(
        &app,
        &json!({"certificate_id": Uuid::now_v7(), "person_id": younger, "issued_on": "2026-04-01",
                "valid_from": "2026-04-01", "valid_to": "2027-03-31",
                "application": {"kind": "specific_disease", "disease": "chronic_renal_failure_on_dialysis"}}),
    )
    .await;
    assert_eq!(status, 201, "{issued}");
    assert_eq!(issued["certificate"]["self_pay_limit"], 10000);

    // nobody qualified before the acquisition
    let (status, problem) = issue(
        &app,
        &json!({"certificate_id": Uuid::now_v7(), "person_id": younger, "issued_on": "2025-03-01",
                "valid_from": "2025-03-01", "valid_to": "2026-03-31",
                "application": {"kind": "limit_application"}}),
    )
    .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (422, Some("not_qualified"))
    );

    let (status, page) = get(
        &app,
        &app.clerk(),
        &format!("/api/v1/certificates?person_id={elderly}"),
    )
    .await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["total"], 2);
    let (status, one) = get(&app, &app.clerk(), &format!("/api/v1/certificates/{card}")).await;
    assert_eq!(status, 200);
    assert_eq!(one["collection"]["reason"], "replaced");
}

async fn benefit_tables(
    pool: &PgPool,
) -> (
    Vec<(Uuid, String, Option<i64>, Value, i64)>,
    Vec<(Uuid, String, Value, i64)>,
) {
    let claims = sqlx::query_as(
        "SELECT claim_id, status, amount, view, stream_version FROM benefit_claims ORDER BY claim_id",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let certificates = sqlx::query_as(
        "SELECT certificate_id, status, view, stream_version FROM medical_certificates ORDER BY certificate_id",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    (claims, certificates)
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn a_rebuild_equals_the_live_benefit_read_models(pool: PgPool) {
    let app = app_with_parameters(pool.clone()).await;
    let insured = mother(&app, "1").await;
    // one decided and corrected, one refused with notice, one withdrawn, one only received
    let decided = Uuid::now_v7();
    let (status, _) = receive_register_calculate(
        &app,
        &childbirth_claim(decided, insured, "2023-04-01", 1),
        "2023-04-21",
    )
    .await;
    assert_eq!(status, 200);
    for (what, body) in [
        (
            "decision",
            json!({"decided_on": "2023-04-25", "outcome": {"type": "pay", "amount": 500000}}),
        ),
        (
            "correction",
            json!({"corrected_on": "2023-05-01", "reason": "訂正", "outcome": {"type": "refuse",
            "reason_code": "not_a_birth", "reason": "出産の事実が確認できない"}}),
        ),
    ] {
        let (status, answer) = claim_command(&app, decided, what, &body).await;
        assert_eq!(status, 200, "{answer}");
    }
    let refused = Uuid::now_v7();
    let (status, _) = receive(&app, &childbirth_claim(refused, insured, "2023-04-01", 1)).await;
    assert_eq!(status, 201);
    for (what, body) in [
        ("registration", json!({"registered_on": "2023-04-21"})),
        (
            "decision",
            json!({"decided_on": "2023-04-25", "outcome": {"type": "refuse",
            "reason_code": "duplicate", "reason": "重複"}}),
        ),
        ("notice", json!({"sent_on": "2023-04-26"})),
    ] {
        let (status, answer) = claim_command(&app, refused, what, &body).await;
        assert_eq!(status, 200, "{answer}");
    }
    let withdrawn = Uuid::now_v7();
    let (status, _) = receive(&app, &childbirth_claim(withdrawn, insured, "2023-04-01", 1)).await;
    assert_eq!(status, 201);
    let (status, _) = claim_command(
        &app,
        withdrawn,
        "withdrawal",
        &json!({"withdrawn_on": "2023-04-21", "reason": "取下げ"}),
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = receive(
        &app,
        &childbirth_claim(Uuid::now_v7(), insured, "2023-04-01", 1),
    )
    .await;
    assert_eq!(status, 201);
    let certificate = Uuid::now_v7();
    let (status, _) = issue(
        &app,
        &json!({"certificate_id": certificate, "person_id": insured, "issued_on": "2026-04-01",
                "valid_from": "2026-04-01", "valid_to": "2027-03-31",
                "application": {"kind": "limit_application"}}),
    )
    .await;
    assert_eq!(status, 201);
    let (status, _) = post(
        &app,
        &kyufu(&app),
        &format!("/api/v1/certificates/{certificate}/collection"),
        &json!({"collected_on": "2026-06-01", "reason": "lost_or_damaged"}),
    )
    .await;
    assert_eq!(status, 200);

    let live = benefit_tables(&pool).await;
    assert_eq!(live.0.len(), 4);
    assert_eq!(live.1.len(), 1);
    let upcasters = kenpo_api::startup::upcasters();
    kenpo_projections::rebuild(&pool, &upcasters, 3, &|_: u64, _: u64| {})
        .await
        .unwrap();
    assert_eq!(benefit_tables(&pool).await, live);
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn high_cost_combined_from_receipt_to_decision_cites_the_registry(pool: PgPool) {
    let app = app_with_parameters(pool).await;
    // insured from 2025-04-01 and still on the 基準日 2026-07-31; born 1980-04-01 (under 70)
    let insured = acquire(&app, "800", "1", json!({})).await;
    let id = Uuid::now_v7();
    let body = json!({
        "claim_id": id,
        "kind": "high_cost_combined",
        "person_id": insured,
        "received_on": "2026-09-01",
        "payee": {"type": "member_account"},
        "details": {"benefit_year": 2025, "income_category": "under_70_u",
                    "medical_out_of_pocket": 612345, "care_out_of_pocket": 98765}
    });
    // The limits are seeded (statutory, rules.md §5.7); the 500円 minimum is [U] there and a
    // society parameter nobody has entered yet: 409 naming it and the 基準日, nothing recorded.
    let before = app.event_count().await;
    let (status, problem) = receive_register_calculate(&app, &body, "2026-09-02").await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (409, Some("parameter_not_set")),
        "{problem}"
    );
    let detail = problem["detail"].as_str().unwrap();
    assert!(
        detail.contains("high_cost_combined_minimum_excess") && detail.contains("2026-07-31"),
        "{problem}"
    );
    assert_eq!(
        app.event_count().await,
        before + 2,
        "受付 and 受付登録 only"
    );

    // the システム担当 enters it from 2018-08-01
    let admin = app.token("admin1", &[Role::SystemAdmin]);
    let (status, set) = post(
        &app,
        &admin,
        "/api/v1/parameters/high_cost_combined_minimum_excess",
        &json!({"effective_from": "2018-08-01", "value": 500,
                "source": "健康保険法施行令 (高額介護合算療養費の支給基準額 500円); 確認の上入力",
                "reason": "高額介護合算療養費 支給基準額"}),
    )
    .await;
    assert_eq!(status, 201, "{set}");

    // By hand (rules.md §5.7, 給付年度 2025 = 2025-08-01〜2026-07-31, 区分ウ 670,000):
    //   合計 612,345 + 98,765 = 711,110; 支給総額 711,110 − 670,000 = 41,110 (> 500 → paid);
    //   医療分 41,110 × 612,345 ÷ 711,110 = 25,173,502,950 ÷ 711,110 = 35,400.29… → 35,400
    //   (711,110 × 35,400 = 25,173,294,000, remainder 208,950; 1円未満切捨て);
    //   介護分 41,110 × 98,765 ÷ 711,110 = 4,060,229,150 ÷ 711,110 = 5,709.70… → 5,709
    //   (paid by the 介護保険者, for information). This society pays 35,400.
    let (status, calculated) = claim_command(&app, id, "calculation", &json!({})).await;
    assert_eq!(status, 200, "{calculated}");
    let calculation = &calculated["claim"]["calculations"][0];
    assert_eq!(calculation["amount"], 35400);
    let basis = &calculation["basis"];
    assert_eq!(basis["result_yen"], 35400);
    assert_eq!(
        basis["parameters"],
        json!([
            {"key": "high_cost_combined_limit_under_70_u", "version": 1,
             "effective_from": "2018-08-01", "value": "670000"},
            {"key": "high_cost_combined_minimum_excess", "version": 1,
             "effective_from": "2018-08-01", "value": "500"}
        ])
    );
    assert_eq!(
        step(basis, "医療・介護の自己負担額の合計")["value"],
        "711110"
    );
    assert_eq!(step(basis, "自己負担限度額 (区分ウ)")["value"], "670000");
    assert_eq!(step(basis, "支給総額")["value"], "41110");
    let medical = step(basis, "高額介護合算療養費 (医療保険分");
    assert_eq!(
        (medical["value"].as_str(), medical["rounding"].as_str()),
        (Some("35400"), Some("floor_yen"))
    );
    assert_eq!(step(basis, "高額医療合算介護サービス費")["value"], "5709");

    let (status, decided) = claim_command(
        &app,
        id,
        "decision",
        &json!({"decided_on": "2026-09-10", "outcome": {"type": "pay", "amount": 35400}}),
    )
    .await;
    assert_eq!(status, 200, "{decided}");
    let decision = &decided["claim"]["decision"];
    assert_eq!(decision["amount"], 35400);
    assert_eq!(
        decision["basis"]["parameters"][0]["key"],
        "high_cost_combined_limit_under_70_u"
    );
    assert_eq!(
        decision["basis"]["parameters"][1]["key"],
        "high_cost_combined_minimum_excess"
    );
}

/// A 傷病手当金 claim for `from..=to` paid to the member's own account (a former employee).
fn continued_sickness_claim(person_id: Uuid, (from, to): (&str, &str), details: Value) -> Value {
    let mut body = sickness_claim(
        Uuid::now_v7(),
        person_id,
        (from, to),
        "2026-04-20",
        details,
        json!([]),
    );
    body["payee"] = json!({"type": "member_account"});
    body
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn sickness_allowance_continues_after_the_loss_under_104(pool: PgPool) {
    let app = app_with_parameters(pool.clone()).await;
    let retire = |person: Uuid| {
        let app = &app;
        async move {
            let (status, body) = post(
                app,
                &app.clerk(),
                &format!("/api/v1/persons/{person}/loss"),
                &retirement(),
            )
            .await;
            assert_eq!(status, 200, "{body}");
        }
    };
    // 強制 from 2025-04-01, retired 2026-03-31 → 資格喪失日 2026-04-01 (36条): insured
    // 2025-04-01〜2026-03-31, a year complete on its 応当日 2026-04-01 (104条: exactly 1 year).
    let insured = acquire(&app, "900", "1", json!({})).await;
    retire(insured).await;
    let at_loss = json!({"receiving_or_entitled": true, "worked_on_last_day": false});

    // Days after the loss without the status at the loss: 422 at_loss_required, nothing written.
    let before = app.event_count().await;
    let bare = continued_sickness_claim(
        insured,
        ("2026-03-20", "2026-04-15"),
        json!({"sickness_began_on": "2026-03-20"}),
    );
    let (status, problem) = receive(&app, &bare).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (422, Some("at_loss_required")),
        "{problem}"
    );
    // The 事業主証明 lists 03-31 (the last day insured) as worked while at_loss says not:
    // contradiction, 422 invalid_details.
    let contradicting = continued_sickness_claim(
        insured,
        ("2026-03-20", "2026-04-15"),
        json!({"sickness_began_on": "2026-03-20", "days_worked": ["2026-03-31"],
               "at_loss": at_loss}),
    );
    let (status, problem) = receive(&app, &contradicting).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (422, Some("invalid_details")),
        "{problem}"
    );
    assert_eq!(app.event_count().await, before, "nothing written");
    assert_eq!(claim_rows(&pool).await, 0);

    // The claim 2026-03-20〜04-15 for a sickness that began on 03-20, receiving at the loss:
    //   待期 03-20〜03-22 (99条1項); 支給開始日 03-23; the 12 months 2025-04〜2026-03 are
    //   all 300,000 → 300,000 ÷ 30 = 10,000 → × 2/3 = 6,666.66… → 日額 6,667 (rules.md §5.1);
    //   days paid 03-23〜03-31 (9, insured) + 04-01〜04-15 (15, 104条) = 24;
    //   24 × 6,667 = 160,008.
    let body = continued_sickness_claim(
        insured,
        ("2026-03-20", "2026-04-15"),
        json!({"sickness_began_on": "2026-03-20", "at_loss": at_loss}),
    );
    let id: Uuid = serde_json::from_value(body["claim_id"].clone()).unwrap();
    let (status, calculated) = receive_register_calculate(&app, &body, "2026-04-21").await;
    assert_eq!(status, 200, "{calculated}");
    let calculation = &calculated["claim"]["calculations"][0];
    assert_eq!(calculation["amount"], 160008);
    let basis = &calculation["basis"];
    assert_eq!(step(basis, "1日当たりの金額")["value"], "6667");
    // the rule that made the days after the loss payable, first in the basis:
    // 2025-04-01〜2026-03-31 = 365 days of continuous 強制 insurance
    let entitlement = &basis["steps"][0];
    assert!(
        entitlement["label"]
            .as_str()
            .unwrap()
            .starts_with("受給資格: 資格喪失後の継続給付"),
        "{entitlement}"
    );
    assert_eq!(entitlement["value"], "365");
    assert!(entitlement["source"].as_str().unwrap().contains("104条"));
    assert_eq!(
        basis["inputs"]["entitlement"],
        json!({"rule": "continued_benefit", "benefit": "傷病手当金",
               "lost_on": "2026-04-01", "last_day_insured": "2026-03-31",
               "continuous_since": "2025-04-01", "one_year_on": "2026-04-01"})
    );
    let (status, decided) = claim_command(
        &app,
        id,
        "decision",
        &json!({"decided_on": "2026-04-25", "outcome": {"type": "pay", "amount": 160008}}),
    )
    .await;
    assert_eq!(status, 200, "{decided}");
    assert_eq!(decided["claim"]["decision"]["amount"], 160008);

    // One day short: 強制 from 2025-04-02 to the same loss is 364 days; the year would be
    // complete only on 2026-04-02 → 422 insured_less_than_one_year, nothing calculated.
    let short = acquire(
        &app,
        "900",
        "2",
        json!({"acquired_on": "2025-04-02", "received_on": "2025-04-03"}),
    )
    .await;
    retire(short).await;
    let body = continued_sickness_claim(
        short,
        ("2026-04-01", "2026-04-15"),
        json!({"sickness_began_on": "2026-03-20", "waiting_period_completed_on": "2026-03-22",
               "at_loss": at_loss}),
    );
    let before = app.event_count().await;
    let (status, problem) = receive_register_calculate(&app, &body, "2026-04-21").await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (422, Some("insured_less_than_one_year")),
        "{problem}"
    );
    assert!(
        problem["detail"].as_str().unwrap().contains("2026-04-02"),
        "{problem}"
    );
    assert_eq!(
        app.event_count().await,
        before + 2,
        "受付 and 受付登録 only"
    );

    // the OpenAPI document describes the new item of the claim
    let (status, doc) = json(
        app.client
            .get(format!("{}/api/v1/openapi.json", app.base))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    let schemas = &doc["components"]["schemas"];
    assert!(
        schemas["SicknessAllowanceDetails"]["properties"]["at_loss"].is_object(),
        "{}",
        schemas["SicknessAllowanceDetails"]
    );
    assert!(schemas["StatusAtLoss"]["properties"]["receiving_or_entitled"].is_object());
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn sickness_allowance_with_pensions_pays_the_difference_of_108(pool: PgPool) {
    let app = app_with_parameters(pool.clone()).await;
    // acquired 2025-04-01 with 標準報酬月額 300,000: 日額 10,000 × 2/3 = 6,666.66… → 6,667
    let insured = acquire(&app, "950", "1", json!({})).await;
    let id = Uuid::now_v7();
    let body = sickness_claim(
        id,
        insured,
        ("2026-04-01", "2026-04-10"),
        "2026-04-15",
        json!({"sickness_began_on": "2026-03-31",
               "pensions": [{"kind": "disability_pension", "amount": 1200000, "from": "2026-01-01"},
                            {"kind": "old_age_pension", "amount": 900000, "from": "2025-01-01"}]}),
        json!([]),
    );
    let (status, calculated) = receive_register_calculate(&app, &body, "2026-04-16").await;
    assert_eq!(status, 200, "{calculated}");
    // 待期 04-01〜04-03, paid 04-04〜04-10 = 7 days. 障害厚生年金 1,200,000 ÷ 360 = 3,333.33…
    // → 3,333 (1円未満切捨て); 6,667 − 3,333 = 3,334 a day → 7 × 3,334 = 23,338 (108条3項).
    // The 老齢退職年金給付 is not adjusted: the claim is not a 104条 continuation (108条5項).
    let calculation = &calculated["claim"]["calculations"][0];
    assert_eq!(calculation["amount"], 23338);
    let basis = &calculation["basis"];
    let pension = step(basis, "障害年金の額の360分の1");
    assert_eq!(
        (pension["value"].as_str(), pension["rounding"].as_str()),
        (Some("3333"), Some("floor_yen"))
    );
    assert_eq!(
        step(basis, "年金・労災との調整")["formula"],
        "max(0, 6667 − max(0, 3333)) × 7"
    );
    assert_eq!(step(basis, "老齢退職年金給付")["value"], "0");
    assert_eq!(basis["inputs"]["entitlement"]["rule"], "insured");
    assert_eq!(
        basis["inputs"]["other_payments"]["continued_benefit_from"],
        Value::Null
    );
    let (status, decided) = claim_command(
        &app,
        id,
        "decision",
        &json!({"decided_on": "2026-04-20", "outcome": {"type": "pay", "amount": 23338}}),
    )
    .await;
    assert_eq!(status, 200, "{decided}");
    assert_eq!(decided["claim"]["decision"]["amount"], 23338);

    // A 104条 continuation: 強制 2025-04-01〜2026-03-31 (資格喪失日 2026-04-01), 老齢退職年金給付
    // 1,200,000 from 2026-04-01. 待期 03-20〜22; 03-23〜03-31: 9 × 6,667 = 60,003 (insured, no
    // adjustment); 04-01〜04-15: 1,200,000 ÷ 360 → 3,333; 15 × (6,667 − 3,333) = 50,010.
    // Total 110,013 (108条5項 for the days after the loss only).
    let retired = acquire(&app, "950", "2", json!({})).await;
    let (status, answer) = post(
        &app,
        &app.clerk(),
        &format!("/api/v1/persons/{retired}/loss"),
        &retirement(),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    let body = continued_sickness_claim(
        retired,
        ("2026-03-20", "2026-04-15"),
        json!({"sickness_began_on": "2026-03-20",
               "at_loss": {"receiving_or_entitled": true, "worked_on_last_day": false},
               "pensions": [{"kind": "old_age_pension", "amount": 1200000, "from": "2026-04-01"}]}),
    );
    let (status, calculated) = receive_register_calculate(&app, &body, "2026-04-21").await;
    assert_eq!(status, 200, "{calculated}");
    let basis = &calculated["claim"]["calculations"][0]["basis"];
    assert_eq!(calculated["claim"]["calculations"][0]["amount"], 110013);
    assert_eq!(basis["inputs"]["entitlement"]["rule"], "continued_benefit");
    assert_eq!(
        basis["inputs"]["other_payments"]["continued_benefit_from"],
        "2026-04-01"
    );
    assert!(step(basis, "老齢退職年金給付の額の360分の1")["source"]
        .as_str()
        .unwrap()
        .contains("108条5項"));

    // the OpenAPI document describes the new items
    let (status, doc) = json(
        app.client
            .get(format!("{}/api/v1/openapi.json", app.base))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    let schemas = &doc["components"]["schemas"];
    assert!(schemas["SicknessAllowanceDetails"]["properties"]["pensions"].is_object());
    assert!(schemas["PensionPayment"]["properties"]["counted_in_earlier_claims"].is_object());
    assert!(schemas["WorkersCompensationPayment"]["properties"]["daily_amount"].is_object());
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn contradictory_pensions_are_refused_at_receipt_and_write_nothing(pool: PgPool) {
    let app = app_with_parameters(pool.clone()).await;
    let insured = acquire(&app, "951", "1", json!({})).await;
    let before = app.event_count().await;
    for (details, why) in [
        (
            json!({"sickness_began_on": "2026-03-31",
                   "pensions": [{"kind": "disability_pension", "amount": 1200000,
                                 "from": "2026-04-05", "to": "2026-04-04"}]}),
            "to before from",
        ),
        (
            json!({"sickness_began_on": "2026-03-31",
                   "pensions": [{"kind": "disability_allowance", "amount": 0, "from": "2026-04-01"}]}),
            "a lump sum of 0",
        ),
        (
            json!({"sickness_began_on": "2026-03-31",
                   "workers_compensation": [{"daily_amount": 5000,
                                             "from": "2026-05-01", "to": "2026-05-10"}]}),
            "労災 days outside the period claimed",
        ),
        (
            json!({"sickness_began_on": "2026-03-31",
                   "pensions": [{"kind": "survivors_pension", "amount": 1, "from": "2026-04-01"}]}),
            "an unknown kind",
        ),
    ] {
        let body = sickness_claim(
            Uuid::now_v7(),
            insured,
            ("2026-04-01", "2026-04-10"),
            "2026-04-15",
            details,
            json!([]),
        );
        let (status, problem) = receive(&app, &body).await;
        assert_eq!(
            (status, problem["code"].as_str()),
            (422, Some("invalid_details")),
            "{why}: {problem}"
        );
    }
    assert_eq!(app.event_count().await, before, "nothing written");
    assert_eq!(claim_rows(&pool).await, 0);
}
