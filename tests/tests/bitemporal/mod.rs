//! Bitemporal reads (issue 10, item 4): `?as_of=` (in force on a date) and `?known_at=` (as
//! known at a moment) on the member view, a benefit claim and a premium account, folded by the
//! read models' own folds. Part of the `http_premiums` binary (its premium helpers are the
//! parent module's).
//!
//! Each view: `as_of` today with `known_at` now equals the live view (minus `basis`); a
//! correction recorded after a noted moment is not seen `known_at` that moment and its
//! position is not among the positions folded; a date before an effective date does not show
//! the event; bad parameters are 422 `invalid_query` and write nothing (no read-log row).

use chrono::{DateTime, SecondsFormat, Utc};
use kenpo_api::auth::Role;
use serde_json::{json, Value};
use sqlx::PgPool;
use uuid::Uuid;

use super::common::bodies::{acquisition, dependent};
use super::common::TestApp;
use super::{
    account, assess, open_account, premium_app, receipt_position, receive, set_society_parameters,
    voluntary_insured,
};

fn auditor(app: &TestApp) -> String {
    app.token("audit1", &[Role::Auditor])
}

fn stamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

fn today() -> String {
    kenpo_domain::staff::date_in_japan(Utc::now()).to_string()
}

/// GET `path?query` as the auditor; asserts `status` and returns the body.
async fn read(app: &TestApp, path: &str, query: &str, status: u16) -> Value {
    let url = if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{query}")
    };
    let (got, body) = app.get_json(&url, &auditor(app)).await;
    assert_eq!(got, status, "{url}: {body}");
    body
}

/// The answer without its `basis`, and the positions the basis names.
fn split(mut answer: Value) -> (Value, Vec<i64>) {
    let basis = answer
        .as_object_mut()
        .unwrap()
        .remove("basis")
        .unwrap_or_else(|| panic!("no basis in {answer}"));
    let positions = basis["positions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_i64().unwrap())
        .collect();
    (answer, positions)
}

/// Every position of `stream_id`, ascending.
async fn stream_positions(pool: &PgPool, stream_id: &str) -> Vec<i64> {
    sqlx::query_scalar("SELECT position FROM events WHERE stream_id = $1 ORDER BY position")
        .bind(stream_id)
        .fetch_all(pool)
        .await
        .unwrap()
}

async fn read_log_rows(pool: &PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM personal_data_access_log")
        .fetch_one(pool)
        .await
        .unwrap()
}

/// The live answer equals `as_of` today with `known_at` now (minus `basis`), which folded
/// exactly `positions`.
async fn assert_live_equals_as_of_now(app: &TestApp, path: &str, positions: &[i64]) {
    let live = read(app, path, "", 200).await;
    assert!(live.get("basis").is_none(), "{live}");
    let query = format!("as_of={}&known_at={}", today(), stamp(Utc::now()));
    let (now, used) = split(read(app, path, &query, 200).await);
    assert_eq!(
        now, live,
        "{path}: as_of today, known now differs from the live view"
    );
    assert_eq!(used, positions, "{path}");
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn a_premium_account_as_of_a_date_as_known_at_a_time(pool: PgPool) {
    let mut app = premium_app(pool).await;
    set_society_parameters(&mut app).await;
    let id = voluntary_insured(&app, "7101", "S55.4.1", 410_000, 380_000).await;
    let path = format!("/api/v1/premium-accounts/{id}");
    let before_opening = Utc::now();
    open_account(&app, id).await;
    assess(&app, id, "2026-03").await; // 42,088, effective 2026-03-01
    let april = assess(&app, id, "2026-04").await; // 42,962, effective 2026-04-01
    let april_position = april["position"].as_i64().unwrap();
    // 50,000 on 03-14: March 42,088 and April 7,912
    receive(&app, id, 50_000, "2026-03-14", "BK-B1").await;
    let stream = format!("premium_account-{id}");
    let positions = stream_positions(&app.pool, &stream).await;
    assert_eq!(positions.len(), 4);
    assert_live_equals_as_of_now(&app, &path, &positions).await;

    // as of 2026-03-20 April is not assessed yet: one month, paid; the receipt counts whole
    let (view, used) = split(read(&app, &path, "as_of=2026-03-20", 200).await);
    let months = view["months"].as_array().unwrap();
    assert_eq!(months.len(), 1, "{view}");
    assert_eq!(months[0]["month"], "2026-03");
    assert_eq!(months[0]["assessed"], 42_088);
    assert_eq!(months[0]["status"], "paid");
    assert_eq!(view["totals"]["assessed"], 42_088);
    assert_eq!(view["totals"]["received"], 50_000);
    assert!(!used.contains(&april_position), "{used:?}");
    assert_eq!(used.len(), 3);
    // before the 資格取得日 of 任意継続 (2026-03-01) there is no account; nor before it was opened
    for query in [
        "as_of=2026-02-28".to_owned(),
        format!("known_at={}", stamp(before_opening)),
    ] {
        let problem = read(&app, &path, &query, 404).await;
        assert_eq!(problem["code"], "premium_account_not_found", "{query}");
    }

    // a reversal recorded after `noted` is not known at `noted`
    let noted = Utc::now();
    let receipt = receipt_position(&account(&app, id).await, "BK-B1");
    let (status, reversed) = app
        .post_json(
            &format!("/api/v1/premium-accounts/{id}/receipt-reversals"),
            &app.choshu(),
            &json!({ "receipt_position": receipt, "reversed_on": "2026-03-25", "reason": "wrongly_matched" }),
        )
        .await;
    assert_eq!(status, 200, "{reversed}");
    let reversal = reversed["position"].as_i64().unwrap();
    let (then, used) = split(read(&app, &path, &format!("known_at={}", stamp(noted)), 200).await);
    assert_eq!(used, positions, "the reversal is not among the positions");
    assert!(then["receipts"][0].get("reversal").is_none(), "{then}");
    assert_eq!(then["totals"]["received"], 50_000);
    let (known, used) =
        split(read(&app, &path, &format!("known_at={}", stamp(Utc::now())), 200).await);
    assert!(used.contains(&reversal));
    assert_eq!(known["receipts"][0]["reversal"]["position"], reversal);
    assert_eq!(known["totals"]["received"], 0);
    // combined: known now, in force on 03-24 (before the reversal's 03-25)
    let (before, used) = split(
        read(
            &app,
            &path,
            &format!("as_of=2026-03-24&known_at={}", stamp(Utc::now())),
            200,
        )
        .await,
    );
    assert!(!used.contains(&reversal) && !used.contains(&april_position));
    assert!(before["receipts"][0].get("reversal").is_none(), "{before}");
    assert_eq!(before["totals"]["received"], 50_000);
    let mut all = positions.clone();
    all.push(reversal);
    assert_live_equals_as_of_now(&app, &path, &all).await;

    // bad parameters: 422 invalid_query, no read-log row, no event
    let rows = read_log_rows(&app.pool).await;
    let events = app.event_count().await;
    let future = stamp(Utc::now() + chrono::Duration::hours(1));
    for query in [
        "as_of=2026-02-30".to_owned(),
        "as_of=soon".to_owned(),
        "known_at=2026-12-07".to_owned(),
        "known_at=2026-12-07T10:00:00".to_owned(),
        format!("known_at={future}"),
        "as_at=2026-03-01".to_owned(),
    ] {
        let problem = read(&app, &path, &query, 422).await;
        assert_eq!(problem["code"], "invalid_query", "{query}: {problem}");
    }
    assert_eq!(read_log_rows(&app.pool).await, rows);
    assert_eq!(app.event_count().await, events);
    // a good one is logged like the live read
    read(&app, &path, "as_of=2026-03-20", 200).await;
    assert_eq!(read_log_rows(&app.pool).await, rows + 1);

    // the three routes document both parameters
    let document = app.openapi().await;
    for route in [
        "/api/v1/members/{person_id}",
        "/api/v1/claims/{claim_id}",
        "/api/v1/premium-accounts/{person_id}",
    ] {
        let parameters = document["paths"][route]["get"]["parameters"].to_string();
        assert!(
            parameters.contains("\"as_of\"") && parameters.contains("\"known_at\""),
            "{route}: {parameters}"
        );
    }
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn a_member_as_of_a_date_as_known_at_a_time(pool: PgPool) {
    let app = premium_app(pool).await;
    let before = Utc::now();
    let insured = Uuid::now_v7();
    app.acquire(&acquisition(insured, "100", "7201")).await; // 2025-04-01, 300,000
    let spouse = Uuid::now_v7();
    let (status, answer) = app
        .post_json(
            "/api/v1/dependents",
            &app.clerk(),
            &dependent(spouse, insured, "100", "7201"),
        )
        .await; // recognized 2025-05-01
    assert_eq!(status, 201, "{answer}");
    let noted = Utc::now();
    let revision = app
        .person_command(
            insured,
            "standard-remuneration",
            &json!({"kind": "interim_revision", "effective_from": "2025-10",
                    "monthly_remuneration": 410_000, "received_on": "2025-10-03"}),
        )
        .await["position"]
        .as_i64()
        .unwrap();
    // lost last month: retired 2026-10-31 (the spouse is removed with them)
    let loss = app
        .person_command(
            insured,
            "loss",
            &json!({"lost_on": "2026-11-01",
                    "reason": {"kind": "retirement", "last_working_day": "2026-10-31"},
                    "received_on": "2026-11-02"}),
        )
        .await["position"]
        .as_i64()
        .unwrap();
    let path = format!("/api/v1/members/{insured}");
    let mut positions = stream_positions(&app.pool, &format!("person-{insured}")).await;
    positions.extend(stream_positions(&app.pool, &format!("person-{spouse}")).await);
    positions.sort_unstable();
    assert_eq!(
        positions.len(),
        5,
        "acquired, revised, lost; recognized, removed"
    );
    assert_live_equals_as_of_now(&app, &path, &positions).await;
    let live = read(&app, &path, "", 200).await;
    assert_eq!(live["status"], "lost");
    assert_eq!(live["dependents"][0]["status"], "lost");

    // the day before the loss: qualified, with the revised 標準報酬 and the spouse
    let (view, used) = split(read(&app, &path, "as_of=2026-10-31", 200).await);
    assert_eq!(view["status"], "qualified", "{view}");
    assert_eq!(view["lost_on"], Value::Null);
    assert_eq!(
        view["standard_remuneration"]["monthly_remuneration"],
        410_000
    );
    assert_eq!(view["dependents"][0]["person_id"], json!(spouse));
    assert_eq!(view["dependents"][0]["status"], "qualified");
    assert!(!used.contains(&loss));
    assert_eq!(used.len(), 3);
    // before the revision's 改定月 (2025-10): the amount at acquisition
    let (view, _) = split(read(&app, &path, "as_of=2025-09-30", 200).await);
    assert_eq!(
        view["standard_remuneration"]["monthly_remuneration"],
        300_000
    );
    // before the spouse's 認定 (2025-05-01): no dependent yet
    let (view, used) = split(read(&app, &path, "as_of=2025-04-30", 200).await);
    assert_eq!(view["dependents"], json!([]));
    assert_eq!(used.len(), 1);
    // before the 資格取得 (2025-04-01), or known before it was recorded: no member
    for query in [
        "as_of=2025-03-31".to_owned(),
        format!("known_at={}", stamp(before)),
    ] {
        let problem = read(&app, &path, &query, 404).await;
        assert_eq!(problem["code"], "person_not_found", "{query}");
    }

    // as known at `noted`: neither the revision nor the loss was recorded yet
    let (then, used) = split(read(&app, &path, &format!("known_at={}", stamp(noted)), 200).await);
    assert_eq!(then["status"], "qualified", "{then}");
    assert_eq!(
        then["standard_remuneration"]["monthly_remuneration"],
        300_000
    );
    assert_eq!(then["dependents"][0]["status"], "qualified");
    assert!(
        !used.contains(&revision) && !used.contains(&loss),
        "{used:?}"
    );
    assert_eq!(used.len(), 2);
    // combined: as known at `noted`, on 2025-04-30 (before the 認定)
    let (then, _) = split(
        read(
            &app,
            &path,
            &format!("as_of=2025-04-30&known_at={}", stamp(noted)),
            200,
        )
        .await,
    );
    assert_eq!(then["dependents"], json!([]));
    assert_eq!(
        then["standard_remuneration"]["monthly_remuneration"],
        300_000
    );
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn a_claim_as_of_a_date_as_known_at_a_time(pool: PgPool) {
    let app = premium_app(pool).await;
    app.bootstrap_kyufu2().await;
    let mother = Uuid::now_v7();
    let mut body = acquisition(mother, "300", "7301");
    body["acquired_on"] = json!("2022-04-01");
    body["received_on"] = json!("2022-04-04");
    body["sex"] = json!("female");
    body["birth_date"] = json!("1990-06-01");
    app.acquire(&body).await;
    let id = Uuid::now_v7();
    let claim = json!({
        "claim_id": id, "kind": "childbirth_lump_sum", "person_id": mother,
        "received_on": "2023-04-20",
        "payee": {"type": "employer_account", "office_code": "1234"},
        "details": {"birth_date": "2023-04-01", "gestation": {"weeks": 39, "days": 2},
                    "live_births": 1, "obstetric_compensation_facility": true}
    });
    let command = |what: &str, token: String, body: Value| {
        let path = format!("/api/v1/claims/{id}/{what}");
        let app = &app;
        async move {
            let (status, answer) = app.post_json(&path, &token, &body).await;
            assert_eq!(status, 200, "{path}: {answer}");
            answer["position"].as_i64().unwrap()
        }
    };
    let (status, answer) = app.post_json("/api/v1/claims", &app.kyufu(), &claim).await;
    assert_eq!(status, 201, "{answer}");
    command(
        "registration",
        app.kyufu(),
        json!({"registered_on": "2023-04-21"}),
    )
    .await;
    command("calculation", app.kyufu(), json!({})).await;
    let decision = command(
        "decision",
        app.kyufu2(),
        json!({"decided_on": "2023-04-25", "outcome": {"type": "pay", "amount": 500000}}),
    )
    .await;
    let noted = Utc::now();
    let correction = command(
        "correction",
        app.kyufu2(),
        json!({"corrected_on": "2023-05-10", "reason": "出生証明の妊娠週数の訂正 (加算対象外)",
               "outcome": {"type": "pay", "amount": 488000},
               "override_reason": "妊娠22週未満のため産科医療補償制度の加算なし"}),
    )
    .await;
    let path = format!("/api/v1/claims/{id}");
    let positions = stream_positions(&app.pool, &format!("benefit_claim-{id}")).await;
    assert_eq!(positions.len(), 5);
    assert_live_equals_as_of_now(&app, &path, &positions).await;

    // before the 決定 (2023-04-25): registered and calculated (the calculation is in force from
    // the registration it follows), undecided
    let (view, used) = split(read(&app, &path, "as_of=2023-04-22", 200).await);
    assert_eq!(view["status"], "registered", "{view}");
    assert_eq!(view["decision"], Value::Null);
    assert_eq!(view["calculations"].as_array().unwrap().len(), 1);
    assert_eq!(view["amount_to_pay"], 0);
    assert_eq!(view["history"].as_array().unwrap().len(), 3);
    assert!(!used.contains(&decision));
    // between the decision and the 訂正 (2023-05-10)
    let (view, _) = split(read(&app, &path, "as_of=2023-05-09", 200).await);
    assert_eq!(view["decision"]["amount"], 500_000);
    assert_eq!(view["corrections"], json!([]));
    // before the 受付: no claim
    let problem = read(&app, &path, "as_of=2023-04-19", 404).await;
    assert_eq!(problem["code"], "claim_not_found");

    // as known at `noted`: the correction recorded later is not seen
    let (then, used) = split(read(&app, &path, &format!("known_at={}", stamp(noted)), 200).await);
    assert_eq!(then["decision"]["amount"], 500_000, "{then}");
    assert_eq!(then["decision"]["revision"], 0);
    assert_eq!(then["amount_to_pay"], 500_000);
    assert_eq!(then["history"].as_array().unwrap().len(), 4);
    assert_eq!(used, positions[..4]);
    assert!(!used.contains(&correction));
    let (known, used) =
        split(read(&app, &path, &format!("known_at={}", stamp(Utc::now())), 200).await);
    assert_eq!(known["decision"]["amount"], 488_000);
    assert_eq!(known["superseded_decisions"][0]["amount"], 500_000);
    assert!(used.contains(&correction));
    let problem = read(&app, &path, "known_at=yesterday", 422).await;
    assert_eq!(problem["code"], "invalid_query");
    let problem = read(
        &app,
        &format!("/api/v1/claims/{}", Uuid::now_v7()),
        "as_of=2023-05-01",
        404,
    )
    .await;
    assert_eq!(problem["code"], "claim_not_found");
}
