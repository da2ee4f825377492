//! 保険者パラメータ (society parameter registry) over real HTTP against a real PostgreSQL:
//! values by date, look-ups on the day before and on the effective date, refusals that write
//! nothing, statutory seeds, corrections, and a rebuild equal to the live read model.

mod common;

use common::{json, spawn_app, TestApp};
use kenpo_api::application::parameters::{rate_on, seed_statutory, value_on, yen_on, LookupError};
use kenpo_domain::calendar::Date;
use kenpo_domain::parameters::{Decimal, ParameterKey};
use serde_json::{json, Value};
use sqlx::PgPool;

fn admin(app: &TestApp) -> String {
    app.token("admin1", &[kenpo_api::auth::Role::SystemAdmin])
}

fn entry(effective_from: &str, value: Value) -> Value {
    json!({
        "effective_from": effective_from,
        "value": value,
        "source": "規約第30条; 令和8年2月20日 組合会議決, 厚生労働大臣認可",
        "reason": "令和8年度の一般保険料率",
    })
}

async fn set(app: &TestApp, token: &str, key: &str, body: &Value) -> (u16, Value) {
    json(
        app.post(&format!("/api/v1/parameters/{key}"), token, body)
            .send()
            .await
            .unwrap(),
    )
    .await
}

async fn on(app: &TestApp, key: &str, date: &str) -> (u16, Value) {
    let token = app.clerk();
    json(
        app.get(&format!("/api/v1/parameters/{key}?on={date}"), &token)
            .send()
            .await
            .unwrap(),
    )
    .await
}

async fn table(
    pool: &PgPool,
) -> Vec<(
    String,
    chrono::NaiveDate,
    String,
    String,
    i64,
    Option<i64>,
    String,
    String,
    chrono::DateTime<chrono::Utc>,
    String,
)> {
    sqlx::query_as(
        "SELECT key, effective_from, kind, value, version, corrects_version, source, reason, recorded_at, recorded_by
         FROM parameters ORDER BY key, effective_from",
    )
    .fetch_all(pool)
    .await
    .unwrap()
}

fn date(y: i32, m: u32, d: u32) -> Date {
    Date::from_ymd(y, m, d).unwrap()
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn a_value_answers_from_its_effective_date_not_the_day_before(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (status, recorded) = set(
        &app,
        &admin(&app),
        "general_premium_rate",
        &entry("令和8年4月1日", json!("0.0985")),
    )
    .await;
    assert_eq!(status, 201, "{recorded}");
    assert_eq!(recorded["version"], 1);
    assert_eq!(recorded["events"], json!(["ValueSet"]));
    assert_eq!(recorded["entry"]["effective_from"], "2026-04-01");
    assert_eq!(recorded["entry"]["value"], "0.0985");
    assert_eq!(recorded["entry"]["recorded_by"], "admin1");
    assert!(recorded["stream_id"]
        .as_str()
        .unwrap()
        .starts_with("parameter-"));

    let (status, problem) = on(&app, "general_premium_rate", "2026-03-31").await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (404, Some("parameter_not_set"))
    );
    let (status, found) = on(&app, "general_premium_rate", "2026-04-01").await;
    assert_eq!(status, 200, "{found}");
    assert_eq!(found["value"], "0.0985");
    assert_eq!(found["label"], "一般保険料率");
    assert_eq!(
        found["parameter_ref"],
        json!({"key": "general_premium_rate", "version": 1, "effective_from": "2026-04-01", "value": "0.0985"})
    );
    // 和暦 in the query too
    let (status, found) = on(&app, "general_premium_rate", "R8.12.1").await;
    assert_eq!((status, found["value"].as_str()), (200, Some("0.0985")));
    assert_eq!(app.event_count().await, 1);
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn a_later_value_takes_over_and_both_periods_answer(pool: PgPool) {
    let app = spawn_app(pool).await;
    let token = admin(&app);
    let key = "care_premium_rate";
    assert_eq!(
        set(&app, &token, key, &entry("2026-04-01", json!("0.0162")))
            .await
            .0,
        201
    );
    let (status, second) = set(&app, &token, key, &entry("2027-04-01", json!("0.018"))).await;
    assert_eq!(
        (status, second["version"].as_i64()),
        (201, Some(2)),
        "{second}"
    );

    for (day, value, version) in [
        ("2026-04-01", "0.0162", 1),
        ("2027-03-31", "0.0162", 1),
        ("2027-04-01", "0.018", 2),
        ("2040-01-01", "0.018", 2),
    ] {
        let (status, found) = on(&app, key, day).await;
        assert_eq!(status, 200, "{day}: {found}");
        assert_eq!(
            (found["value"].as_str(), found["version"].as_i64()),
            (Some(value), Some(version)),
            "{day}"
        );
    }

    // the look-up other modules call
    let (rate, reference) = rate_on(&app.pool, ParameterKey::CarePremiumRate, date(2027, 3, 31))
        .await
        .unwrap();
    assert_eq!(rate, Decimal::new(162, 4));
    assert_eq!(
        (reference.version, reference.effective_from),
        (1, date(2026, 4, 1))
    );
    let (rate, reference) = rate_on(&app.pool, ParameterKey::CarePremiumRate, date(2027, 4, 1))
        .await
        .unwrap();
    assert_eq!((rate, reference.version), (Decimal::new(18, 3), 2));
    let missing = rate_on(&app.pool, ParameterKey::CarePremiumRate, date(2026, 3, 31)).await;
    assert!(
        matches!(missing, Err(LookupError::Missing(_))),
        "{missing:?}"
    );
    let wrong = yen_on(&app.pool, ParameterKey::CarePremiumRate, date(2027, 4, 1)).await;
    assert!(
        matches!(wrong, Err(LookupError::WrongKind { .. })),
        "{wrong:?}"
    );
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn a_missing_value_is_404_naming_the_parameter_and_the_day(pool: PgPool) {
    let app = spawn_app(pool).await;
    let (status, problem) = on(&app, "general_premium_rate", "2026-04-01").await;
    assert_eq!(status, 404);
    assert_eq!(problem["code"], "parameter_not_set");
    assert_eq!(
        problem["detail"],
        "一般保険料率 (general_premium_rate) is not set for 2026-04-01; set it with POST /api/v1/parameters/general_premium_rate"
    );
    let missing = value_on(
        &app.pool,
        ParameterKey::GeneralPremiumRate,
        date(2026, 4, 1),
    )
    .await
    .unwrap_err();
    assert_eq!(missing.to_string(), problem["detail"].as_str().unwrap());
    // a key that does not exist
    let (status, problem) = on(&app, "premium_rate", "2026-04-01").await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (404, Some("unknown_parameter"))
    );
    assert!(problem["detail"]
        .as_str()
        .unwrap()
        .contains("general_premium_rate"));
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn only_the_system_admin_sets_values_and_any_staff_reads_them(pool: PgPool) {
    let app = spawn_app(pool).await;
    let body = entry("2026-04-01", json!("0.0985"));
    for token in [
        app.clerk(),
        app.token("kyufu1", &[kenpo_api::auth::Role::Benefits]),
    ] {
        let (status, problem) = set(&app, &token, "general_premium_rate", &body).await;
        assert_eq!(
            (status, problem["code"].as_str()),
            (403, Some("forbidden")),
            "{problem}"
        );
    }
    let (status, problem) = json(
        app.post(
            "/api/v1/parameters/general_premium_rate/corrections",
            &app.clerk(),
            &json!({"corrects_version": 1, "value": "0.09", "reason": "x"}),
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(status, 403, "{problem}");
    assert_eq!(app.event_count().await, 0);
    let (status, list) = json(
        app.get("/api/v1/parameters", &app.clerk())
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{list}");
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn bad_values_and_dates_are_422_and_write_nothing(pool: PgPool) {
    let app = spawn_app(pool).await;
    let token = admin(&app);
    for (key, body, code) in [
        (
            "care_premium_rate",
            entry("2026-04-01", json!("1.2")),
            "rate_out_of_range",
        ),
        (
            "care_premium_rate",
            entry("2026-04-01", json!("-0.1")),
            "rate_out_of_range",
        ),
        (
            "care_premium_rate",
            entry("2026-04-01", json!("0.1234567")),
            "rate_too_many_decimals",
        ),
        (
            "care_premium_rate",
            entry("2026-04-15", json!("0.0162")),
            "not_first_of_month",
        ),
        (
            "general_premium_rate",
            entry("2026-04-01", json!("0.2")),
            "rate_out_of_range",
        ),
        (
            "care_premium_rate",
            entry("2026-04-01", json!(0.0162)),
            "invalid_body",
        ),
        (
            "care_premium_rate",
            entry("2026-04-01", json!("9.85%")),
            "invalid_parameter_value",
        ),
        (
            "burial_amount",
            entry("2026-04-01", json!(0)),
            "amount_not_positive",
        ),
        (
            "voluntary_continuation_cap",
            entry("2026-04-01", json!(318_100)),
            "not_a_grade_amount",
        ),
        (
            "care_premium_rate",
            entry("2026-02-30", json!("0.0162")),
            "invalid_body",
        ),
        (
            "care_premium_rate",
            json!({"effective_from": "2026-04-01", "value": "0.0162", "source": "", "reason": "r"}),
            "missing_text",
        ),
    ] {
        let (status, problem) = set(&app, &token, key, &body).await;
        assert_eq!(
            (status, problem["code"].as_str()),
            (422, Some(code)),
            "{key} {body}: {problem}"
        );
    }
    assert_eq!(app.event_count().await, 0);
    assert!(table(&app.pool).await.is_empty());
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn statutory_values_are_seeded_once_and_answer_by_birth_date(pool: PgPool) {
    let app = spawn_app(pool).await;
    let first = seed_statutory(&app.pool).await.unwrap();
    assert!(first.recorded >= 10, "{first:?}");
    assert_eq!(first.present, 0);
    let again = seed_statutory(&app.pool).await.unwrap();
    assert_eq!((again.recorded, again.present), (0, first.recorded));
    assert_eq!(app.event_count().await, first.recorded as i64);
    let actors: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT metadata->>'actor' FROM events WHERE stream_type = 'parameter'",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(actors, vec!["seed".to_owned()]);

    let (status, before) = on(&app, "childbirth_lump_sum", "2023-03-31").await;
    assert_eq!(
        (status, before["value"].as_str()),
        (200, Some("420000")),
        "{before}"
    );
    let (_, after) = on(&app, "childbirth_lump_sum", "2023-04-01").await;
    assert_eq!(after["value"], "500000");
    assert_eq!(after["recorded_by"], "seed");
    let (_, without) = on(
        &app,
        "childbirth_lump_sum_without_compensation",
        "2021-12-31",
    )
    .await;
    assert_eq!(without["value"], "404000");
    let (_, without) = on(
        &app,
        "childbirth_lump_sum_without_compensation",
        "2022-01-01",
    )
    .await;
    assert_eq!(without["value"], "408000");
    let (amount, reference) = yen_on(&app.pool, ParameterKey::BurialAmount, date(2026, 11, 25))
        .await
        .unwrap();
    assert_eq!(
        (amount.amount(), reference.value.as_str()),
        (50_000, "50000")
    );
    let (_, support) = on(&app, "child_support_rate", "2026-04-01").await;
    assert_eq!(support["value"], "0.0023");
    let (status, _) = on(&app, "child_support_rate", "2026-03-31").await;
    assert_eq!(status, 404);
    let (_, table) = on(&app, "grade_table", "2026-04-01").await;
    assert_eq!(table["value"], "2016-04-01");
    // society values are not seeded
    let (status, _) = on(&app, "general_premium_rate", "2026-04-01").await;
    assert_eq!(status, 404);

    let (status, list) = json(
        app.get("/api/v1/parameters", &app.clerk())
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    let parameters = list["parameters"].as_array().unwrap();
    // 13 keys, the 12 高額介護合算 limits (one per 所得区分) and its minimum
    assert_eq!(parameters.len(), 26);
    let limit = parameters
        .iter()
        .find(|p| p["key"] == "high_cost_combined_limit_low_income_i")
        .unwrap();
    // rules.md §5.7: 低所得Ⅰ 190,000 since 2018-08-01
    assert_eq!(
        (
            limit["origin"].as_str(),
            limit["in_force"]["value"].as_str(),
            limit["in_force"]["effective_from"].as_str()
        ),
        (Some("statutory"), Some("190000"), Some("2018-08-01"))
    );
    let minimum = parameters
        .iter()
        .find(|p| p["key"] == "high_cost_combined_minimum_excess")
        .unwrap();
    assert_eq!(
        (minimum["origin"].as_str(), minimum["in_force"].is_null()),
        (Some("society"), true)
    );
    let lump = parameters
        .iter()
        .find(|p| p["key"] == "childbirth_lump_sum")
        .unwrap();
    assert_eq!(lump["origin"], "statutory");
    assert_eq!(lump["in_force"]["value"], "500000");
    assert_eq!(lump["entries"].as_array().unwrap().len(), 3);
    let general = parameters
        .iter()
        .find(|p| p["key"] == "general_premium_rate")
        .unwrap();
    assert_eq!(
        (general["origin"].as_str(), general["in_force"].is_null()),
        (Some("society"), true)
    );
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn a_date_taken_is_409_and_a_correction_replaces_the_entry(pool: PgPool) {
    let app = spawn_app(pool).await;
    let token = admin(&app);
    let key = "general_premium_rate";
    assert_eq!(
        set(&app, &token, key, &entry("2026-04-01", json!("0.0985")))
            .await
            .0,
        201
    );
    let (status, problem) = set(&app, &token, key, &entry("2026-04-01", json!("0.0958"))).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (409, Some("effective_from_taken")),
        "{problem}"
    );

    let correct = |body: Value| {
        app.post(
            &format!("/api/v1/parameters/{key}/corrections"),
            &token,
            &body,
        )
        .send()
    };
    let (status, corrected) = json(
        correct(json!({"corrects_version": 1, "value": "0.0958", "reason": "入力誤り: 認可は 95.8/1000"}))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{corrected}");
    assert_eq!(corrected["events"], json!(["ValueCorrected"]));
    assert_eq!(corrected["entry"]["corrects_version"], 1);
    assert_eq!(corrected["entry"]["version"], 2);
    let (_, found) = on(&app, key, "2026-04-01").await;
    assert_eq!(
        (
            found["value"].as_str(),
            found["parameter_ref"]["version"].as_i64()
        ),
        (Some("0.0958"), Some(2))
    );
    // the superseded version cannot be corrected again
    let (status, problem) = json(
        correct(json!({"corrects_version": 1, "value": "0.09", "reason": "x"}))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (404, Some("parameter_entry_not_found"))
    );
    // the stream keeps the mistake
    let stream: Vec<String> = sqlx::query_scalar(
        "SELECT payload::text FROM events WHERE stream_type = 'parameter' ORDER BY version",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(stream.len(), 2);
    assert!(
        stream[0].contains("0.0985") && stream[1].contains("\"corrects_version\": 1"),
        "{stream:?}"
    );
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn an_idempotency_key_replays_the_first_answer(pool: PgPool) {
    let app = spawn_app(pool).await;
    let token = admin(&app);
    let body = entry("2026-04-01", json!("0.5"));
    let send = || {
        app.post("/api/v1/parameters/employer_share", &token, &body)
            .header("idempotency-key", "share-2026")
            .send()
    };
    let (first_status, first) = json(send().await.unwrap()).await;
    let (second_status, second) = json(send().await.unwrap()).await;
    assert_eq!((first_status, second_status), (201, 201), "{first}");
    assert_eq!(first, second);
    assert_eq!(app.event_count().await, 1);
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn a_rebuild_equals_the_live_read_model(pool: PgPool) {
    let app = spawn_app(pool).await;
    let token = admin(&app);
    seed_statutory(&app.pool).await.unwrap();
    for (key, from, value) in [
        ("general_premium_rate", "2026-04-01", json!("0.0985")),
        ("general_premium_rate", "2027-04-01", json!("0.1")),
        ("voluntary_continuation_cap", "2026-04-01", json!(380_000)),
        (
            "sickness_allowance_base_under_12_months",
            "2026-04-01",
            json!("380000"),
        ),
    ] {
        let (status, body) = set(&app, &token, key, &entry(from, value)).await;
        assert_eq!(status, 201, "{body}");
    }
    let (status, body) = json(
        app.post(
            "/api/v1/parameters/general_premium_rate/corrections",
            &token,
            &json!({"corrects_version": 2, "effective_from": "2027-05-01", "reason": "認可日の誤り"}),
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let live = table(&app.pool).await;
    assert!(live.len() >= 14);
    kenpo_projections::rebuild(
        &app.pool,
        &kenpo_api::startup::upcasters(),
        3,
        &|_: u64, _: u64| {},
    )
    .await
    .unwrap();
    assert_eq!(table(&app.pool).await, live);
}
