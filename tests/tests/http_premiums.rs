//! 徴収 of 任意継続 insured over real HTTP against a real PostgreSQL: premium accounts,
//! assessments from the parameter registry, receipts, the ledger, arrears, loss for
//! non-payment across 徴収 and 適用, refunds, receipt imports, and the read models rebuilt
//! from position 0. The bitemporal reads (`?as_of=`, `?known_at=`) of a member, a claim and
//! a premium account are in the `bitemporal` module.
//!
//! Society parameters (set through the API by admin1, all from 2025-04-01; rules.md §3.2: the
//! society's own rates, not 協会けんぽ's):
//!
//! | key | value |
//! |---|---|
//! | general_premium_rate (一般 = 基本 + 特定) | 0.0912 |
//! | specific_premium_rate (特定) | 0.0351 |
//! | adjustment_premium_rate (調整) | 0.00135 |
//! | care_premium_rate (介護) | 0.01821 |
//! | voluntary_continuation_cap (任継 上限) | 380,000 |
//! | child_support_rate (支援金, statutory seed) | 0.0023 from 2026-04-01 |
//!
//! The insured of the main story: born 1980-04-01 (S55.4.1), 強制 from 2025-04-01 with 報酬月額
//! 410,000 (grade 410,000), retired 2026-02-28 → 資格喪失 2026-03-01 → 任意継続 from
//! 2026-03-01 (同日得喪, rules.md §3.7).
//!
//! - 標準報酬月額 (47条1項): min(喪失時 410,000, 上限 380,000) = 380,000.
//! - 介護 (rules.md §3.5): reaches 40 on 2020-03-31 → 第2号 from 2020-03; reaches 65 on
//!   2045-03-31 → last 第2号 month 2045-02. So 2026 months include 介護.
//! - 2026-03 (no 支援金 before 2026-04, rules.md §0): 0.0912 + 0.00135 + 0.01821 = 0.11076;
//!   380,000 × 0.11076 = 42,088.8 → 1円未満切捨て (rules.md §3.7 [U], floor) → **42,088**.
//! - 2026-04 onward: 0.11076 + 0.0023 = 0.11306; 380,000 × 0.11306 = 42,962.8 → **42,962**.

mod bitemporal;
mod common;

use std::collections::BTreeMap;

use common::bodies::acquisition;
use common::{json, spawn_app, TestApp};
use kenpo_api::auth::Role;
use kenpo_domain::calendar::{Date, YearMonth};
use kenpo_domain::parameters::Decimal;
use serde_json::{json, Value};
use sqlx::PgPool;
use uuid::Uuid;

const MARCH: i64 = 42_088;
const APRIL: i64 = 42_962;

async fn premium_app(pool: PgPool) -> TestApp {
    let mut app = spawn_app(pool).await;
    app.bootstrap_choshu().await;
    app.seed_statutory_parameters().await;
    app
}

/// A society parameter from 2025-04-01.
async fn set_parameter(app: &TestApp, key: &str, value: Value) {
    app.set_parameter(
        key,
        &json!({
            "effective_from": "2025-04-01",
            "value": value,
            "source": "規約第30条; 令和7年2月 組合会議決",
            "reason": "令和7年度の保険料率",
        }),
    )
    .await;
}

/// The society parameters of the module doc (child_support_rate comes from the seed).
async fn set_society_parameters(app: &mut TestApp) {
    set_parameter(app, "general_premium_rate", json!("0.0912")).await;
    set_parameter(app, "specific_premium_rate", json!("0.0351")).await;
    set_parameter(app, "adjustment_premium_rate", json!("0.00135")).await;
    set_parameter(app, "care_premium_rate", json!("0.01821")).await;
    set_parameter(app, "voluntary_continuation_cap", json!(380000)).await;
    app.baseline_events = app.total_event_count().await;
}

/// A person insured 強制 from 2025-04-01 (報酬月額 `remuneration`), retired 2026-02-28, and
/// 任意継続 from 2026-03-01 with the 47条 amount `voluntary_standard` (what 適用 enters).
async fn voluntary_insured(
    app: &TestApp,
    number: &str,
    birth_date: &str,
    remuneration: i64,
    voluntary_standard: i64,
) -> Uuid {
    let id = Uuid::now_v7();
    let mut body = acquisition(id, "100", number);
    body["birth_date"] = json!(birth_date);
    body["monthly_remuneration"] = json!(remuneration);
    app.acquire(&body).await;
    app.person_command(
        id,
        "loss",
        &json!({
            "lost_on": "2026-03-01",
            "reason": { "kind": "retirement", "last_working_day": "2026-02-28" },
            "received_on": "2026-03-03"
        }),
    )
    .await;
    body["category"] = json!("voluntary_continuation");
    body["acquired_on"] = json!("2026-03-01");
    body["reason"] = json!({ "kind": "voluntary_continuation" });
    body["received_on"] = json!("2026-03-05");
    body["identification"]["symbol"] = json!("900");
    body["monthly_remuneration"] = json!(voluntary_standard);
    app.acquire(&body).await;
    id
}

/// Open the account; the first premium is due 2026-03-16. Returns the 顧客番号.
/// Due dates stay on the 10th whatever the day (`holiday_shift: none`): the stories below
/// follow the rule of 164条1項 as written (2026-05-10 is a Sunday); the default move to the
/// next business day has its own test, `due_dates_on_closed_days_move_to_the_next_business_day`.
async fn open_account(app: &TestApp, id: Uuid) -> String {
    let (status, answer) = app
        .post_json(
            "/api/v1/premium-accounts",
            &app.choshu(),
            &json!({ "person_id": id, "first_premium_due_on": "2026-03-16", "holiday_shift": "none" }),
        )
        .await;
    assert_eq!(status, 201, "{answer}");
    assert_eq!(answer["events"], json!(["AccountOpened"]));
    answer["customer_number"].as_str().unwrap().to_owned()
}

async fn assess(app: &TestApp, id: Uuid, month: &str) -> Value {
    let (status, answer) = app
        .post_json(
            &format!("/api/v1/premium-accounts/{id}/assessments"),
            &app.choshu(),
            &json!({ "month": month }),
        )
        .await;
    assert_eq!(status, 200, "{month}: {answer}");
    answer
}

async fn receive(app: &TestApp, id: Uuid, amount: i64, on: &str, reference: &str) -> Value {
    let (status, answer) = app
        .post_json(
            &format!("/api/v1/premium-accounts/{id}/receipts"),
            &app.choshu(),
            &json!({ "amount": amount, "received_on": on, "channel": "bank_transfer", "reference": reference }),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    answer
}

async fn account(app: &TestApp, id: Uuid) -> Value {
    // any staff role reads it: the 適用 clerk here
    let (status, view) = app
        .get_json(&format!("/api/v1/premium-accounts/{id}"), &app.clerk())
        .await;
    assert_eq!(status, 200, "{view}");
    view
}

fn month<'a>(view: &'a Value, m: &str) -> &'a Value {
    view["months"]
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["month"] == m)
        .unwrap_or_else(|| panic!("no {m} in {view}"))
}

/// Rows of the three premium read models, as text, in a stable order.
async fn premium_tables(pool: &PgPool) -> Vec<String> {
    let mut rows: Vec<String> = sqlx::query_scalar(
        "SELECT concat_ws('|', person_id, customer_number, category, status, acquired_on, lost_on,
                          assessed, received, refunded, credit, outstanding, stream_version, view::text)
         FROM premium_accounts ORDER BY person_id",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    rows.extend(
        sqlx::query_scalar::<_, String>(
            "SELECT concat_ws('|', person_id, month, due_on, assessed, received, balance, status,
                              prepaid, cancelled, arrears_detected_as_of)
             FROM premium_ledger ORDER BY person_id, month",
        )
        .fetch_all(pool)
        .await
        .unwrap(),
    );
    rows.extend(
        sqlx::query_scalar::<_, String>(
            "SELECT concat_ws('|', person_id, claim_number, claimed_on, amount, decided_on, paid_on,
                              reference, status)
             FROM premium_refunds ORDER BY person_id, claim_number",
        )
        .fetch_all(pool)
        .await
        .unwrap(),
    );
    rows
}

async fn rebuild_and_compare(app: &TestApp) {
    let before = premium_tables(&app.pool).await;
    assert!(!before.is_empty());
    app.rebuild_projections(7).await;
    let after = premium_tables(&app.pool).await;
    assert_eq!(
        before, after,
        "rebuilt premium read models differ from the live ones"
    );
}

/// The story up to May: open, assess March (first premium, due 03-16) and April (支援金
/// starts), a partial receipt, an over-payment, May assessed with the credit.
async fn story_until_may(app: &TestApp) -> Uuid {
    let id = voluntary_insured(app, "5001", "S55.4.1", 410_000, 380_000).await;
    let customer_number = open_account(app, id).await;
    assert_eq!(customer_number.len(), 10);

    let march = assess(app, id, "2026-03").await;
    let assessed = &march["event"]["MonthAssessed"];
    // module doc: 380,000 × 0.11076 = 42,088.8 → 42,088, due on the first-premium date
    assert_eq!(assessed["premium"], MARCH, "{march}");
    assert_eq!(assessed["due_on"], "2026-03-16");
    assert_eq!(assessed["credit_applied"], 0);
    let basis = &assessed["basis"];
    assert_eq!(basis["result_yen"], MARCH);
    let keys: Vec<&str> = basis["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["key"].as_str().unwrap())
        .collect();
    // 任継 上限, 一般, 特定, 調整, 介護 — and no 支援金 in March
    for key in [
        "voluntary_continuation_cap",
        "general_premium_rate",
        "specific_premium_rate",
        "adjustment_premium_rate",
        "care_premium_rate",
    ] {
        assert!(keys.contains(&key), "{key} missing from {keys:?}");
    }
    assert!(!keys.contains(&"child_support_rate"), "{keys:?}");

    // partial: 20,000 of March's 42,088
    receive(app, id, 20_000, "2026-03-14", "BK-0001").await;
    let view = account(app, id).await;
    assert_eq!(month(&view, "2026-03")["received"], 20_000);
    assert_eq!(month(&view, "2026-03")["balance"], MARCH - 20_000); // 22,088
    assert_eq!(month(&view, "2026-03")["status"], "partially_paid");

    let april = assess(app, id, "2026-04").await;
    let assessed = &april["event"]["MonthAssessed"];
    // 支援金 from 2026-04: 380,000 × 0.11306 = 42,962.8 → 42,962; due the 10th (164条1項)
    assert_eq!(assessed["premium"], APRIL, "{april}");
    assert_eq!(assessed["due_on"], "2026-04-10");
    let child_support = assessed["basis"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["key"] == "child_support_rate")
        .expect("支援金 cited from April");
    assert_eq!(child_support["value"], "0.0023");
    assert_eq!(child_support["effective_from"], "2026-04-01");

    // over: 70,000 pays March's 22,088 and April's 42,962 (oldest first) = 65,050; 4,950 is
    // kept as credit
    let over = receive(app, id, 70_000, "2026-04-08", "BK-0002").await;
    let received = &over["event"]["PremiumReceived"];
    assert_eq!(
        received["applied"],
        json!([{ "month": "2026-03", "amount": 22_088 }, { "month": "2026-04", "amount": APRIL }])
    );
    assert_eq!(received["credited"], 4_950);
    let view = account(app, id).await;
    assert_eq!(month(&view, "2026-03")["status"], "paid");
    assert_eq!(month(&view, "2026-04")["status"], "paid");
    let totals = &view["totals"];
    // assessed 42,088 + 42,962 = 85,050; received 20,000 + 70,000 = 90,000;
    // balance = assessed − received = −4,950 (held for the member) = −credit
    assert_eq!(totals["assessed"], 85_050);
    assert_eq!(totals["received"], 90_000);
    assert_eq!(totals["balance"], 85_050 - 90_000);
    assert_eq!(totals["credit"], 4_950);
    assert_eq!(totals["outstanding"], 0);

    // May: 42,962, the credit of 4,950 (arose 04-08, due 05-10 is within 6 months, 164条2項)
    // is applied → balance 38,012
    let may = assess(app, id, "2026-05").await;
    assert_eq!(may["event"]["MonthAssessed"]["credit_applied"], 4_950);
    let view = account(app, id).await;
    let may = month(&view, "2026-05");
    assert_eq!(may["assessed"], APRIL);
    assert_eq!(may["received"], 4_950);
    assert_eq!(may["balance"], APRIL - 4_950); // 38,012
    assert_eq!(may["due_on"], "2026-05-10");
    let totals = &view["totals"];
    // 85,050 + 42,962 = 128,012 assessed; 90,000 received → balance 38,012 = outstanding
    assert_eq!(totals["assessed"], 128_012);
    assert_eq!(totals["balance"], 128_012 - 90_000);
    assert_eq!(totals["outstanding"], 38_012);
    assert_eq!(totals["credit"], 0);
    for row in view["months"].as_array().unwrap() {
        assert_eq!(
            row["balance"].as_i64().unwrap(),
            row["assessed"].as_i64().unwrap() - row["received"].as_i64().unwrap()
        );
    }
    id
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn assessments_receipts_ledger_and_arrears(pool: PgPool) {
    let mut app = premium_app(pool).await;
    set_society_parameters(&mut app).await;
    let id = story_until_may(&app).await;

    // the ledger table agrees with the view
    let rows: Vec<(chrono::NaiveDate, i64, i64, i64, String)> = sqlx::query_as(
        "SELECT month, assessed, received, balance, status FROM premium_ledger
         WHERE person_id = $1 ORDER BY month",
    )
    .bind(id)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    let d = |s: &str| s.parse::<chrono::NaiveDate>().unwrap();
    assert_eq!(
        rows,
        vec![
            (d("2026-03-01"), MARCH, MARCH, 0, "paid".to_owned()),
            (d("2026-04-01"), APRIL, APRIL, 0, "paid".to_owned()),
            (
                d("2026-05-01"),
                APRIL,
                4_950,
                38_012,
                "partially_paid".to_owned()
            ),
        ]
    );

    // what the monthly bulk run would still assess: June, not May
    use kenpo_projections::premium_ledger::query::accounts_to_assess;
    let june = YearMonth::new(2026, 6).unwrap();
    assert_eq!(accounts_to_assess(&app.pool, june).await.unwrap(), vec![id]);
    let may = YearMonth::new(2026, 5).unwrap();
    assert!(accounts_to_assess(&app.pool, may).await.unwrap().is_empty());

    // 未納: May is due on the 10th (164条1項 ただし書); on the 10th it is not late yet …
    let token = app.token("audit1", &[Role::Auditor]);
    let (status, list) = app
        .get_json("/api/v1/premium-arrears?as_of=2026-05-10", &token)
        .await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(list["total_accounts"], 0, "{list}");
    // … on the 11th it is
    let (status, list) = app
        .get_json("/api/v1/premium-arrears?as_of=R8.5.11", &token)
        .await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(list["as_of"], "2026-05-11");
    assert_eq!(list["total_accounts"], 1);
    assert_eq!(list["total_unpaid"], 38_012);
    let entry = &list["accounts"][0];
    assert_eq!(entry["person_id"], json!(id));
    assert_eq!(
        entry["months"],
        json!([{ "month": "2026-05", "due_on": "2026-05-10", "unpaid": 38_012,
                 "arrears_detected_as_of": null }])
    );

    // the 未納 check records it once
    let path = format!("/api/v1/premium-accounts/{id}/arrears-detection");
    let (status, answer) = app
        .post_json(&path, &app.choshu(), &json!({ "as_of": "2026-05-11" }))
        .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        answer["event"]["ArrearsDetected"]["months"],
        json!([{ "month": "2026-05", "due_on": "2026-05-10", "unpaid": 38_012, "first_premium": false }])
    );
    let (status, answer) = app
        .post_json(&path, &app.choshu(), &json!({ "as_of": "2026-05-12" }))
        .await;
    assert_eq!(
        (status, answer["code"].as_str()),
        (409, Some("no_new_arrears"))
    );
    let (_, list) = app
        .get_json("/api/v1/premium-arrears?as_of=2026-05-11", &token)
        .await;
    assert_eq!(
        list["accounts"][0]["months"][0]["arrears_detected_as_of"],
        "2026-05-11"
    );

    // a month assessed twice is refused, nothing written
    app.post_refused(
        &format!("/api/v1/premium-accounts/{id}/assessments"),
        &app.choshu(),
        &json!({ "month": "2026-04" }),
        409,
        "month_already_assessed",
    )
    .await;

    rebuild_and_compare(&app).await;
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn loss_for_non_payment_records_both_facts_with_causation_then_refund(pool: PgPool) {
    let mut app = premium_app(pool).await;
    set_society_parameters(&mut app).await;
    let id = story_until_may(&app).await;

    // May (due 2026-05-10) unpaid → 資格喪失 on 2026-05-11 (38条3号). No 未納 check was run
    // before, so the command records the 徴収 fact itself.
    let (status, answer) = app
        .post_json(
            &format!("/api/v1/premium-accounts/{id}/loss-for-non-payment"),
            &app.choshu(),
            &json!({ "due_date": "2026-05-10" }),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["arrears"]["events"], json!(["ArrearsDetected"]));
    assert_eq!(
        answer["qualification"]["events"],
        json!(["QualificationLost"])
    );
    assert_eq!(answer["closed"]["events"], json!(["AccountClosed"]));
    let closed = &answer["closed"]["event"]["AccountClosed"];
    assert_eq!(closed["lost_on"], "2026-05-11");
    // insured since March, lost in May → May is not charged (156条3項); the 4,950 of credit it
    // had used goes back to credit
    assert_eq!(closed["first_uncharged"], "2026-05");
    assert_eq!(
        closed["cancelled"],
        json!([{ "month": "2026-05", "assessed": APRIL, "received": 4_950 }])
    );

    // the three events and their causation chain, read from the log
    let audit = app.token("audit1", &[Role::Auditor]);
    let (_, account_stream) = app
        .get_json(&format!("/api/v1/streams/premium_account-{id}"), &audit)
        .await;
    let events = account_stream.as_array().unwrap();
    let arrears = events
        .iter()
        .find(|e| e["event_type"] == "ArrearsDetected")
        .unwrap();
    let close = events
        .iter()
        .find(|e| e["event_type"] == "AccountClosed")
        .unwrap();
    assert_eq!(arrears["event_id"], json!(answer["arrears_event_id"]));
    let (_, person_stream) = app
        .get_json(&format!("/api/v1/streams/person-{id}"), &audit)
        .await;
    let person_events = person_stream.as_array().unwrap();
    let loss = person_events.last().unwrap();
    assert_eq!(loss["event_type"], "QualificationLost");
    assert_eq!(
        loss["payload"]["QualificationLost"]["reason"],
        json!({ "kind": "premium_unpaid", "due_date": "2026-05-10" })
    );
    assert_eq!(
        loss["payload"]["QualificationLost"]["lost_on"],
        "2026-05-11"
    );
    assert_eq!(loss["metadata"]["causation_id"], arrears["event_id"]);
    assert_eq!(loss["metadata"]["role"], "premiums");
    assert_eq!(close["metadata"]["causation_id"], loss["event_id"]);
    assert_eq!(
        loss["metadata"]["correlation_id"],
        arrears["metadata"]["correlation_id"]
    );
    assert!(arrears["position"].as_i64() < loss["position"].as_i64());
    assert!(loss["position"].as_i64() < close["position"].as_i64());

    // 適用 sees the loss
    let (_, member) = app
        .get_json(&format!("/api/v1/members/{id}"), &app.clerk())
        .await;
    assert_eq!(member["status"], "lost");
    // the ledger: May cancelled; 4,950 held for the member
    let view = account(&app, id).await;
    assert_eq!(view["status"], "closed");
    assert_eq!(view["lost_on"], "2026-05-11");
    assert_eq!(month(&view, "2026-05")["status"], "cancelled");
    assert_eq!(month(&view, "2026-05")["balance"], 0);
    assert_eq!(view["totals"]["credit"], 4_950);
    assert_eq!(view["totals"]["outstanding"], 0);
    // 85,050 assessed − 90,000 received
    assert_eq!(view["totals"]["balance"], -4_950);
    let (_, list) = app
        .get_json("/api/v1/premium-arrears?as_of=2026-06-01", &audit)
        .await;
    assert_eq!(list["total_accounts"], 0, "{list}");

    // a closed account is not assessed any more
    let june = YearMonth::new(2026, 6).unwrap();
    assert!(
        kenpo_projections::premium_ledger::query::accounts_to_assess(&app.pool, june)
            .await
            .unwrap()
            .is_empty()
    );

    // a second loss is refused
    let (status, problem) = app
        .post_json(
            &format!("/api/v1/premium-accounts/{id}/loss-for-non-payment"),
            &app.choshu(),
            &json!({ "due_date": "2026-05-10" }),
        )
        .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (409, Some("account_closed"))
    );

    // 還付: claim, decision (the whole credit: 4,950, with its basis), payment
    let base = format!("/api/v1/premium-accounts/{id}/refunds");
    let (status, answer) = app
        .post_json(
            &format!("{base}/claim"),
            &app.choshu(),
            &json!({ "claimed_on": "2026-05-20" }),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    // more than the credit is refused
    let (status, problem) = app
        .post_json(
            &format!("{base}/decision"),
            &app.choshu(),
            &json!({ "decided_on": "2026-05-25", "amount": 5_000 }),
        )
        .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (409, Some("refund_exceeds_credit"))
    );
    let (status, answer) = app
        .post_json(
            &format!("{base}/decision"),
            &app.choshu(),
            &json!({ "decided_on": "2026-05-25" }),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    let decided = &answer["event"]["RefundDecided"];
    assert_eq!(decided["amount"], 4_950);
    assert_eq!(decided["basis"]["result_yen"], 4_950);
    assert_eq!(decided["basis"]["inputs"]["credit"], 4_950);
    let (status, answer) = app
        .post_json(
            &format!("{base}/payment"),
            &app.choshu(),
            &json!({ "paid_on": "2026-05-29", "reference": "SOGO-20260529-1" }),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["event"]["RefundPaid"]["amount"], 4_950);
    let view = account(&app, id).await;
    let totals = &view["totals"];
    // 85,050 − 90,000 + 4,950 = 0
    assert_eq!(totals["refunded"], 4_950);
    assert_eq!(totals["balance"], 0);
    assert_eq!(totals["credit"], 0);
    assert_eq!(totals["pending_refund"], 0);
    assert_eq!(
        view["refunds"],
        json!([{ "claim_number": 1, "claimed_on": "2026-05-20", "amount": 4_950,
                 "decided_on": "2026-05-25", "paid_on": "2026-05-29",
                 "reference": "SOGO-20260529-1", "status": "paid" }])
    );
    let (_, refunds) = app
        .get_json("/api/v1/premium-refunds?status=paid", &audit)
        .await;
    assert_eq!(refunds["total"], 1, "{refunds}");
    assert_eq!(refunds["refunds"][0]["amount"], 4_950);
    // nothing left to refund
    let (status, problem) = app
        .post_json(
            &format!("{base}/claim"),
            &app.choshu(),
            &json!({ "claimed_on": "2026-06-01" }),
        )
        .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (409, Some("nothing_to_refund"))
    );

    rebuild_and_compare(&app).await;
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn loss_after_an_earlier_arrears_check_points_at_that_check(pool: PgPool) {
    let mut app = premium_app(pool).await;
    set_society_parameters(&mut app).await;
    let id = voluntary_insured(&app, "5002", "S55.4.1", 410_000, 380_000).await;
    open_account(&app, id).await;
    assess(&app, id, "2026-03").await;
    receive(&app, id, MARCH, "2026-03-10", "BK-1").await;
    assess(&app, id, "2026-04").await;
    let (status, check) = app
        .post_json(
            &format!("/api/v1/premium-accounts/{id}/arrears-detection"),
            &app.choshu(),
            &json!({ "as_of": "2026-04-15" }),
        )
        .await;
    assert_eq!(status, 200, "{check}");
    // the first premium (due 03-16) cannot lead to a loss (37条2項)
    let (status, problem) = app
        .post_json(
            &format!("/api/v1/premium-accounts/{id}/loss-for-non-payment"),
            &app.choshu(),
            &json!({ "due_date": "2026-03-16" }),
        )
        .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (409, Some("no_unpaid_premium_due"))
    );
    let before = app.event_count().await;
    let (status, answer) = app
        .post_json(
            &format!("/api/v1/premium-accounts/{id}/loss-for-non-payment"),
            &app.choshu(),
            &json!({ "due_date": "2026-04-10", "received_on": "2026-04-20" }),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    assert!(answer.get("arrears").is_none(), "{answer}");
    // no new 徴収 fact: the loss follows from the earlier check
    assert_eq!(app.event_count().await, before + 2);
    let audit = app.token("audit1", &[Role::Auditor]);
    let (_, stream) = app
        .get_json(&format!("/api/v1/streams/person-{id}"), &audit)
        .await;
    let events = stream.as_array().unwrap();
    let loss = events.last().unwrap();
    assert_eq!(loss["metadata"]["causation_id"], answer["arrears_event_id"]);
    assert_eq!(
        answer["arrears_event_id"],
        json!(check_event_id(&app, id).await)
    );
    // April is the month of loss (lost 04-11, insured since March) → cancelled, nothing paid
    let view = account(&app, id).await;
    assert_eq!(month(&view, "2026-04")["status"], "cancelled");
    assert_eq!(view["totals"]["credit"], 0);
}

async fn check_event_id(app: &TestApp, id: Uuid) -> Uuid {
    sqlx::query_scalar(
        "SELECT event_id FROM events WHERE stream_id = $1 AND event_type = 'ArrearsDetected'",
    )
    .bind(format!("premium_account-{id}"))
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

/// 前納 April–September 2026, received 2026-03-25. Asserts 200.
async fn prepay_april_to_september(app: &TestApp, id: Uuid) -> Value {
    let (status, answer) = app
        .post_json(
            &format!("/api/v1/premium-accounts/{id}/prepayments"),
            &app.choshu(),
            &json!({ "period": { "kind": "april_to_september", "fiscal_year": 2026 },
                 "received_on": "2026-03-25" }),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    answer
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn prepayment_of_six_months_with_the_4_percent_discount(pool: PgPool) {
    let mut app = premium_app(pool).await;
    set_society_parameters(&mut app).await;
    let id = voluntary_insured(&app, "5003", "S55.4.1", 410_000, 380_000).await;
    open_account(&app, id).await;
    // 前納 April–September 2026, received 2026-03-25 (by the end of March).
    // P = 42,962.8 (unrounded) each month; 前納額 = round_half_up(Σ_{k=1..6} P / 1.04^(k/12))
    // (rules.md §3.7). python3 decimal (prec 60):
    //   k=1 42,822.6099…  k=2 42,682.8772…  k=3 42,543.6006…
    //   k=4 42,404.7783…  k=5 42,266.4091…  k=6 42,128.4914…
    //   Σ = 254,848.7668… → 254,849
    // monthly total 6 × 42,962 = 257,772; 控除額 257,772 − 254,849 = 2,923.
    let answer = prepay_april_to_september(&app, id).await;
    assert_eq!(
        answer["prepayment"],
        json!({ "first_month": "2026-04", "last_month": "2026-09", "monthly_total": 257_772,
                "amount": 254_849, "discount": 2_923, "pay_by": "2026-03-31" })
    );
    // allocation to the months: floors 42,822 / 42,682 / 42,543 / 42,404 / 42,266 / 42,128
    // (Σ 254,845); the 4 yen left go to the largest remainders .877 (k2), .778 (k4),
    // .610 (k1), .601 (k3)
    let view = account(&app, id).await;
    let amounts: Vec<i64> = view["months"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["assessed"].as_i64().unwrap())
        .collect();
    assert_eq!(
        amounts,
        vec![42_823, 42_683, 42_544, 42_405, 42_266, 42_128]
    );
    assert!(view["months"]
        .as_array()
        .unwrap()
        .iter()
        .all(|m| m["status"] == "prepaid" && m["balance"] == 0));
    assert_eq!(view["totals"]["received"], 254_849);
    assert_eq!(view["totals"]["balance"], 0);
    // too late for October–March (must be paid by 2026-09-30)
    let (status, problem) = app
        .post_json(
            &format!("/api/v1/premium-accounts/{id}/prepayments"),
            &app.choshu(),
            &json!({ "period": { "kind": "october_to_march", "fiscal_year": 2026 },
                 "received_on": "2026-10-02" }),
        )
        .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (422, Some("prepayment_too_late"))
    );
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn a_missing_parameter_is_409_naming_it_and_writes_nothing(pool: PgPool) {
    let mut app = premium_app(pool).await;
    set_parameter(&app, "general_premium_rate", json!("0.0912")).await;
    set_parameter(&app, "specific_premium_rate", json!("0.0351")).await;
    set_parameter(&app, "voluntary_continuation_cap", json!(380000)).await;
    app.baseline_events = app.total_event_count().await;
    let id = voluntary_insured(&app, "5004", "S55.4.1", 410_000, 380_000).await;
    open_account(&app, id).await;
    let before = app.event_count().await;
    // 46 years old in March 2026 → 第2号 → 介護保険料率 needed, and not set
    let (status, problem) = app
        .post_json(
            &format!("/api/v1/premium-accounts/{id}/assessments"),
            &app.choshu(),
            &json!({ "month": "2026-03" }),
        )
        .await;
    assert_eq!(status, 409, "{problem}");
    assert_eq!(problem["code"], "parameter_not_set");
    let detail = problem["detail"].as_str().unwrap();
    assert!(detail.contains("care_premium_rate"), "{detail}");
    assert!(detail.contains("2026-03-01"), "{detail}");
    assert_eq!(app.event_count().await, before);
    // without 調整 (none set = 0) the rate is 0.0912 + 0.01821 = 0.10941 → 380,000 × 0.10941
    // = 41,575.8 → 41,575
    set_parameter(&app, "care_premium_rate", json!("0.01821")).await;
    let march = assess(&app, id, "2026-03").await;
    assert_eq!(march["event"]["MonthAssessed"]["premium"], 41_575);
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn wrong_role_is_403_and_bad_input_is_problem_json_writing_nothing(pool: PgPool) {
    let mut app = premium_app(pool).await;
    set_society_parameters(&mut app).await;
    let id = voluntary_insured(&app, "5005", "S55.4.1", 410_000, 380_000).await;
    let before = app.event_count().await;
    let open = json!({ "person_id": id, "first_premium_due_on": "2026-03-16" });
    // 給付課 and 適用 cannot open or assess
    for token in [app.kyufu(), app.clerk()] {
        let response = app
            .post("/api/v1/premium-accounts", &token, &open)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 403);
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
    }
    let token = app.choshu();
    let assess_path = format!("/api/v1/premium-accounts/{id}/assessments");
    let cases: Vec<(&str, Value, u16, &str)> = vec![
        (
            "/api/v1/premium-accounts",
            json!({ "person_id": id, "first_premium_due_on": "2026-03-16", "extra": 1 }),
            422,
            "invalid_body",
        ),
        (
            "/api/v1/premium-accounts",
            json!({ "person_id": id, "first_premium_due_on": "2026-02-28" }),
            422,
            "first_premium_due_before_acquisition",
        ),
        (
            "/api/v1/premium-accounts",
            json!({ "person_id": id, "first_premium_due_on": "2026-03-16", "due_day_of_month": 31 }),
            422,
            "due_day_out_of_range",
        ),
        (
            "/api/v1/premium-accounts",
            json!({ "person_id": Uuid::now_v7(), "first_premium_due_on": "2026-03-16" }),
            404,
            "person_not_found",
        ),
        (
            &assess_path,
            json!({ "month": "2026-03" }),
            404,
            "account_not_opened",
        ),
    ];
    for (path, body, status, code) in &cases {
        let (got, problem) = app.post_json(path, &token, body).await;
        assert_eq!(
            (got, problem["code"].as_str()),
            (*status, Some(*code)),
            "{path} {body}"
        );
    }
    // malformed JSON
    let response = app
        .client
        .post(format!("{}/api/v1/premium-accounts", app.base))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{\"person_id\":")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    // a 強制 insured has no premium account
    let compulsory = Uuid::now_v7();
    app.acquire(&acquisition(compulsory, "100", "7777")).await;
    let before_compulsory = app.event_count().await;
    let (status, problem) = app
        .post_json(
            "/api/v1/premium-accounts",
            &token,
            &json!({ "person_id": compulsory, "first_premium_due_on": "2026-03-16" }),
        )
        .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (409, Some("not_voluntary_or_special_retiree"))
    );
    assert_eq!(app.event_count().await, before_compulsory);
    assert_eq!(before_compulsory, before + 1);

    open_account(&app, id).await;
    let after_open = app.event_count().await;
    let cases: Vec<(String, Value, u16, &str)> = vec![
        (
            format!("/api/v1/premium-accounts/{id}/assessments"),
            json!({ "month": "2026-02" }),
            422,
            "month_outside_qualification",
        ),
        (
            format!("/api/v1/premium-accounts/{id}/assessments"),
            json!({ "month": "2026-13" }),
            422,
            "invalid_body",
        ),
        (
            format!("/api/v1/premium-accounts/{id}/receipts"),
            json!({ "amount": -1, "received_on": "2026-03-10", "channel": "cash", "reference": "" }),
            422,
            "amount_out_of_range",
        ),
        (
            format!("/api/v1/premium-accounts/{id}/receipts"),
            json!({ "amount": 100, "received_on": "2026-03-10", "channel": "cheque", "reference": "" }),
            422,
            "invalid_body",
        ),
        (
            format!("/api/v1/premium-accounts/{id}/refunds/decision"),
            json!({ "decided_on": "2026-03-10" }),
            409,
            "no_refund_claim",
        ),
        (
            format!("/api/v1/premium-accounts/{id}/closing"),
            json!({}),
            409,
            "qualification_not_lost",
        ),
        (
            format!("/api/v1/premium-accounts/{id}/loss-for-non-payment"),
            json!({ "due_date": "2026-04-10" }),
            409,
            "no_unpaid_premium_due",
        ),
    ];
    for (path, body, status, code) in &cases {
        let (got, problem) = app.post_json(path, &token, body).await;
        assert_eq!(
            (got, problem["code"].as_str()),
            (*status, Some(*code)),
            "{path} {body}"
        );
    }
    // a premium clerk cannot record an 適用 loss directly
    let (status, _) = app
        .post_json(
            &format!("/api/v1/persons/{id}/loss"),
            &token,
            &json!({ "lost_on": "2026-04-01", "reason": { "kind": "death", "date_of_death": "2026-03-31" },
                 "received_on": "2026-04-02" }),
        )
        .await;
    assert_eq!(status, 403);
    // queries: any staff role; an unknown account is 404
    let (status, problem) = app
        .get_json(
            &format!("/api/v1/premium-accounts/{}", Uuid::now_v7()),
            &app.kyufu(),
        )
        .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (404, Some("premium_account_not_found"))
    );
    let (status, problem) = app
        .get_json("/api/v1/premium-arrears?as_of=soon", &token)
        .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (422, Some("invalid_query"))
    );
    let (status, problem) = app
        .get_json("/api/v1/premium-refunds?status=lost", &token)
        .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (422, Some("invalid_query"))
    );
    assert_eq!(
        app.event_count().await,
        after_open,
        "refusals wrote nothing"
    );

    // the routes are in the OpenAPI document
    let document = app.openapi().await;
    for path in [
        "/api/v1/premium-accounts",
        "/api/v1/premium-accounts/{person_id}/loss-for-non-payment",
        "/api/v1/premium-receipt-imports",
        "/api/v1/premium-arrears",
    ] {
        assert!(document["paths"].get(path).is_some(), "{path}");
    }

    // Idempotency-Key: the same receipt twice answers the same and records once
    let body = json!({ "amount": 1000, "received_on": "2026-03-10", "channel": "cash", "reference": "窓口-1" });
    let path = format!("/api/v1/premium-accounts/{id}/receipts");
    let mut answers = Vec::new();
    for _ in 0..2 {
        answers.push(
            json(
                app.post(&path, &token, &body)
                    .header("idempotency-key", "receipt-madoguchi-1")
                    .send()
                    .await
                    .unwrap(),
            )
            .await,
        );
    }
    assert_eq!(answers[0], answers[1]);
    assert_eq!(answers[0].0, 200);
    assert_eq!(app.event_count().await, after_open + 1);
    // the same reference without the key is a duplicate receipt
    let (status, problem) = app.post_json(&path, &token, &body).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (409, Some("duplicate_receipt"))
    );
}

async fn import(app: &TestApp, content_type: &str, bytes: Vec<u8>) -> (u16, Value) {
    json(
        app.client
            .post(format!("{}/api/v1/premium-receipt-imports", app.base))
            .bearer_auth(app.choshu())
            .header("content-type", content_type)
            .body(bytes)
            .send()
            .await
            .unwrap(),
    )
    .await
}

fn outcomes(report: &Value) -> Vec<(String, String, Option<String>)> {
    report["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["bank_reference"].as_str().unwrap().to_owned(),
                l["outcome"].as_str().unwrap().to_owned(),
                l["reason"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

fn o(reference: &str, outcome: &str, reason: Option<&str>) -> (String, String, Option<String>) {
    (
        reference.to_owned(),
        outcome.to_owned(),
        reason.map(str::to_owned),
    )
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn receipt_csv_imported_twice_records_once_and_reports_unmatched_lines(pool: PgPool) {
    let mut app = premium_app(pool).await;
    set_society_parameters(&mut app).await;
    let a = voluntary_insured(&app, "5006", "S55.4.1", 410_000, 380_000).await;
    let b = voluntary_insured(&app, "5007", "S55.4.1", 410_000, 380_000).await;
    let number_a = open_account(&app, a).await;
    let number_b = open_account(&app, b).await;
    assess(&app, a, "2026-03").await;
    assess(&app, b, "2026-03").await;
    // 1234567897 is a well-formed 顧客番号 (Luhn) no account has; 1234567898 has a wrong check
    // digit
    let csv = format!(
        "入金日,金額,振込依頼人名,顧客番号,仕向銀行,仕向支店,取引番号\n\
         2026-03-13,{MARCH},ヤマダ タロウ,{number_a},みずほ銀行,青山支店,TX-0001\n\
         2026-03-13,10000,ヤマダ ハナコ,{number_b},,,TX-0002\n\
         2026-03-13,5000,タナカ イチロウ,1234567897,,,TX-0003\n\
         2026-03-13,5000,サトウ ジロウ,,,,TX-0004\n\
         2026-03-13,5000,サトウ ジロウ,1234567898,,,TX-0005\n"
    );
    let before = app.event_count().await;
    let (status, first) = import(&app, "text/csv; charset=utf-8", csv.clone().into_bytes()).await;
    assert_eq!(status, 201, "{first}");
    assert_eq!(first["duplicate_file"], false);
    assert_eq!(
        outcomes(&first),
        vec![
            o("TX-0001", "recorded", None),
            o("TX-0002", "recorded", None),
            o("TX-0003", "unmatched", Some("unknown_customer_number")),
            o("TX-0004", "unmatched", Some("no_customer_number")),
            o("TX-0005", "unmatched", Some("invalid_check_digit")),
        ]
    );
    assert_eq!(first["lines"][0]["person_id"], json!(a));
    assert_eq!(first["lines"][0]["remitter_name"], "ﾔﾏﾀﾞ ﾀﾛｳ");
    assert_eq!(
        first["totals"],
        json!({ "lines": 5, "recorded": 2, "recorded_amount": MARCH + 10_000,
                "already_imported": 0, "unmatched": 3, "refused": 0 })
    );
    assert_eq!(app.event_count().await, before + 2);
    let view = account(&app, a).await;
    assert_eq!(month(&view, "2026-03")["status"], "paid");
    assert_eq!(view["receipts"][0]["reference"], "TX-0001");
    assert_eq!(view["receipts"][0]["channel"], "bank_transfer");
    let view = account(&app, b).await;
    assert_eq!(month(&view, "2026-03")["received"], 10_000);

    // the same file again: nothing new
    let (status, second) = import(&app, "text/csv", csv.into_bytes()).await;
    assert_eq!(status, 200, "{second}");
    assert_eq!(second["duplicate_file"], true);
    assert_eq!(second["import_id"], first["import_id"]);
    assert_eq!(second["totals"]["recorded"], 0);
    assert_eq!(second["totals"]["already_imported"], 2);
    assert_eq!(outcomes(&second)[0], o("TX-0001", "already_imported", None));
    assert_eq!(app.event_count().await, before + 2);
    assert_eq!(account(&app, b).await["totals"]["received"], 10_000);

    // a clerk records TX-0004 (no 顧客番号 quoted) by hand on B, with the bank reference
    receive(&app, b, 5_000, "2026-03-13", "TX-0004").await;
    // another file: TX-0002 again, TX-0004 now quoting B's number, and a new line
    let csv = format!(
        "入金日,金額,振込依頼人名,顧客番号,仕向銀行,仕向支店,取引番号\r\n\
         2026-03-13,10000,ヤマダ ハナコ,{number_b},,,TX-0002\r\n\
         2026-03-13,5000,サトウ ジロウ,{number_b},,,TX-0004\r\n\
         2026-03-20,20000,ヤマダ ハナコ,{number_b},,,TX-0006\r\n"
    );
    let before = app.event_count().await;
    let (status, third) = import(&app, "text/csv", csv.into_bytes()).await;
    assert_eq!(status, 201, "{third}");
    assert_eq!(
        outcomes(&third),
        vec![
            o("TX-0002", "already_imported", None),
            o("TX-0004", "already_imported", None),
            o("TX-0006", "recorded", None),
        ]
    );
    assert_eq!(app.event_count().await, before + 1);
    // B: 42,088 assessed; 10,000 + 5,000 + 20,000 = 35,000 received → 7,088 owing
    let view = account(&app, b).await;
    assert_eq!(view["totals"]["received"], 35_000);
    assert_eq!(month(&view, "2026-03")["balance"], MARCH - 35_000);

    // the report is kept
    let (status, stored) = app
        .get_json(
            &format!(
                "/api/v1/premium-receipt-imports/{}",
                first["import_id"].as_str().unwrap()
            ),
            &app.clerk(),
        )
        .await;
    assert_eq!(status, 200, "{stored}");
    assert_eq!(outcomes(&stored), outcomes(&first));

    // a refused line refuses the file, nothing written; a wrong media type is 415
    let before = app.event_count().await;
    let bad = "入金日,金額,振込依頼人名,顧客番号,仕向銀行,仕向支店,取引番号\n\
               2026-03-13,abc,ヤマダ タロウ,,,,TX-0100\n";
    let (status, problem) = import(&app, "text/csv", bad.as_bytes().to_vec()).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["code"], "invalid_receipt_file");
    assert!(problem["detail"].as_str().unwrap().contains("line 2"));
    let (status, problem) = import(&app, "application/json", b"{}".to_vec()).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (415, Some("unsupported_media_type"))
    );
    let imports: i64 = sqlx::query_scalar("SELECT count(*) FROM premium_receipt_imports")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(imports, 2);
    assert_eq!(app.event_count().await, before);
    // the wrong role
    let response = app
        .client
        .post(format!("{}/api/v1/premium-receipt-imports", app.base))
        .bearer_auth(app.clerk())
        .header("content-type", "text/csv")
        .body(bad)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
}

/// A 200-byte 全銀 record from pieces padded to their widths (ASCII only).
fn record(pieces: &[(&str, usize)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (text, width) in pieces {
        assert!(text.len() <= *width);
        out.extend_from_slice(text.as_bytes());
        out.resize(out.len() + width - text.len(), b' ');
    }
    assert_eq!(out.len(), 200);
    out
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn zengin_transfer_notice_import(pool: PgPool) {
    let mut app = premium_app(pool).await;
    set_society_parameters(&mut app).await;
    let a = voluntary_insured(&app, "5008", "S55.4.1", 410_000, 380_000).await;
    let number_a = open_account(&app, a).await;
    assess(&app, a, "2026-03").await;
    // 令和8年 = 2026: 080313 = 2026-03-13
    let header = record(&[
        ("1", 1),
        ("01", 2),
        ("0", 1),
        ("080314", 6),
        ("080313", 6),
        ("080313", 6),
        ("0001", 4),
        ("MIZUHO", 15),
        ("101", 3),
        ("HONTEN", 15),
        ("1", 1),
        ("1234567", 7),
        ("KENKO HOKEN KUMIAI", 40),
        ("", 93),
    ]);
    let data = |inquiry: &str, amount: &str, code: &str| {
        record(&[
            ("2", 1),
            (inquiry, 6),
            ("080313", 6),
            ("080313", 6),
            (amount, 10),
            ("0000000000", 10),
            (code, 10),
            ("YAMADA TARO", 48),
            ("MITSUI", 15),
            ("AOYAMA", 15),
            ("0", 1),
            ("", 20),
            ("", 52),
        ])
    };
    let trailer = record(&[
        ("8", 1),
        ("000002", 6),
        ("000000047088", 12),
        ("000000", 6),
        ("000000000000", 12),
        ("", 163),
    ]);
    let end = record(&[("9", 1), ("", 199)]);
    let file: Vec<u8> = [
        header,
        data("000001", "0000042088", &number_a),
        data("000002", "0000005000", "0000000000"),
        trailer,
        end,
    ]
    .iter()
    .flat_map(|r| [r.as_slice(), b"\r\n"].concat())
    .collect();
    let (status, report) = import(&app, "application/octet-stream", file.clone()).await;
    assert_eq!(status, 201, "{report}");
    assert_eq!(report["format"], "zengin_transfer_notice");
    // the bank reference: 銀行-支店-種目-口座-勘定日-照会番号
    assert_eq!(
        outcomes(&report),
        vec![
            o("0001-101-1-1234567-20260313-000001", "recorded", None),
            o(
                "0001-101-1-1234567-20260313-000002",
                "unmatched",
                Some("no_customer_number")
            ),
        ]
    );
    assert_eq!(month(&account(&app, a).await, "2026-03")["status"], "paid");
    let (status, again) = import(&app, "application/octet-stream", file).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["totals"]["recorded"], 0);
}

/// splitmix64: a small deterministic generator (no dependency).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// The ledger as the rules say it should be (rules.md §3.4, §3.7): a receipt pays the oldest
/// unpaid months first and the rest is credit; a month assessed later uses the credit that
/// arose within 6 months before its due date (164条2項).
#[derive(Default)]
struct Model {
    months: BTreeMap<YearMonth, (i64, i64)>,
    credits: Vec<(Date, i64)>,
    received: i64,
}

impl Model {
    fn assess(&mut self, month: YearMonth, premium: i64, due_on: Date) {
        let mut applied = 0;
        for (arose_on, amount) in &mut self.credits {
            if due_on > arose_on.add_months(6) {
                continue;
            }
            let used = (*amount).min(premium - applied);
            *amount -= used;
            applied += used;
        }
        self.credits.retain(|(_, amount)| *amount > 0);
        self.months.insert(month, (premium, applied));
    }

    fn receive(&mut self, amount: i64, on: Date) {
        self.received += amount;
        let mut left = amount;
        for (assessed, received) in self.months.values_mut() {
            let owing = *assessed - *received;
            if owing > 0 && left > 0 {
                let paid = owing.min(left);
                *received += paid;
                left -= paid;
            }
        }
        if left > 0 {
            self.credits.push((on, left));
        }
    }
}

/// The premium by hand (module doc): floor(min(at loss, 380,000) × rate), rate = 0.0912 +
/// 0.00135 (+ 0.01821 for a 第2号) (+ 0.0023 from 2026-04).
fn expected_premium(at_loss: i64, care: bool, month: YearMonth) -> i64 {
    let mut rate: Decimal = "0.09255".parse().unwrap();
    if care {
        rate += "0.01821".parse::<Decimal>().unwrap();
    }
    if month >= YearMonth::new(2026, 4).unwrap() {
        rate += "0.0023".parse::<Decimal>().unwrap();
    }
    let exact = Decimal::from(at_loss.min(380_000)) * rate;
    // 1円未満切捨て
    exact.trunc().normalize().to_string().parse().unwrap()
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn property_random_histories_keep_balance_and_rebuild_equal(pool: PgPool) {
    let mut app = premium_app(pool).await;
    set_society_parameters(&mut app).await;
    let mut rng = Rng(0x6b65_6e70_6f2d_7072);
    let mut checked = 0;
    for person in 0..6 {
        // a 第2号 (born 1980) or not (born 1995: 31 in 2026); 喪失時 below or above the cap
        let care = rng.below(2) == 0;
        let birth = if care { "1980-06-15" } else { "1995-06-15" };
        let at_loss = [260_000, 410_000, 500_000][rng.below(3) as usize];
        let id = voluntary_insured(
            &app,
            &format!("60{person:02}"),
            birth,
            at_loss,
            at_loss.min(380_000),
        )
        .await;
        open_account(&app, id).await;
        let mut model = Model::default();
        let months = 3 + rng.below(6) as i32;
        let first = YearMonth::new(2026, 3).unwrap();
        let mut receipt = 0;
        for i in 0..months {
            let m = first.add_months(i);
            // receipts early in the month, before it is assessed (they pay older months or
            // become credit)
            for _ in 0..rng.below(3) {
                let day = 1 + rng.below(9) as u32;
                let on = Date::from_ymd(m.year(), m.month(), day).unwrap();
                let amount = 1_000 + rng.below(90_000) as i64;
                receipt += 1;
                receive(
                    &app,
                    id,
                    amount,
                    &on.to_string(),
                    &format!("R{person}-{receipt}"),
                )
                .await;
                model.receive(amount, on);
            }
            let answer = assess(&app, id, &m.to_string()).await;
            let event = &answer["event"]["MonthAssessed"];
            let premium = event["premium"].as_i64().unwrap();
            assert_eq!(premium, expected_premium(at_loss, care, m), "{m} {answer}");
            let due_on: Date = event["due_on"].as_str().unwrap().parse().unwrap();
            model.assess(m, premium, due_on);
            assert_eq!(
                event["credit_applied"].as_i64().unwrap(),
                model.months[&m].1,
                "{m}"
            );
        }
        let view = account(&app, id).await;
        let totals = &view["totals"];
        let assessed: i64 = model.months.values().map(|(a, _)| a).sum();
        let credit: i64 = model.credits.iter().map(|(_, a)| a).sum();
        assert_eq!(totals["assessed"], assessed);
        assert_eq!(totals["received"], model.received);
        // the ledger's balance is assessed − received
        assert_eq!(totals["balance"], assessed - model.received);
        assert_eq!(totals["credit"], credit);
        let mut outstanding = 0;
        for (m, (a, r)) in &model.months {
            let row = month(&view, &m.to_string());
            assert_eq!(
                (row["assessed"].as_i64(), row["received"].as_i64()),
                (Some(*a), Some(*r)),
                "{m}"
            );
            assert_eq!(row["balance"], a - r);
            outstanding += a - r;
            checked += 1;
        }
        assert_eq!(totals["outstanding"], outstanding);
        assert_eq!(outstanding, assessed - model.received + credit);
        // the ledger table agrees
        let sum: (i64, i64) = sqlx::query_as(
            "SELECT sum(assessed)::bigint, sum(balance)::bigint FROM premium_ledger WHERE person_id = $1",
        )
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
        assert_eq!(sum, (assessed, outstanding));
    }
    assert!(checked >= 18);
    rebuild_and_compare(&app).await;
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn special_retiree_account_closes_after_death_with_a_refundable_month(pool: PgPool) {
    let mut app = premium_app(pool).await;
    set_society_parameters(&mut app).await;
    // 特例退職 from 2026-04-01, born 1955-05-10 (70: reached 65 on 2020-05-09, so no longer
    // 介護保険第2号, rules.md §3.5), 標準報酬月額 recorded at acquisition 300,000.
    let id = Uuid::now_v7();
    let mut body = acquisition(id, "800", "0001");
    body["category"] = json!("special_retiree");
    body["reason"] = json!({ "kind": "special_retiree" });
    body["acquired_on"] = json!("2026-04-01");
    body["received_on"] = json!("2026-04-01");
    body["birth_date"] = json!("1955-05-10");
    body["monthly_remuneration"] = json!(300_000);
    app.acquire(&body).await;
    let (status, answer) = app
        .post_json(
            "/api/v1/premium-accounts",
            &app.choshu(),
            &json!({ "person_id": id, "first_premium_due_on": "2026-04-20" }),
        )
        .await;
    assert_eq!(status, 201, "{answer}");
    assert_eq!(
        answer["event"]["AccountOpened"]["category"],
        "special_retiree"
    );
    assert_eq!(
        answer["event"]["AccountOpened"]["standard_remuneration"],
        300_000
    );
    // min(300,000, 上限 380,000) = 300,000; rate 0.0912 + 0.00135 + 0.0023 = 0.09485 (no 介護)
    // → 300,000 × 0.09485 = 28,455
    for m in ["2026-04", "2026-05", "2026-06"] {
        let answer = assess(&app, id, m).await;
        assert_eq!(answer["event"]["MonthAssessed"]["premium"], 28_455, "{m}");
    }
    receive(&app, id, 3 * 28_455, "2026-06-05", "BK-T1").await;
    // closing before 適用 records a loss is refused
    let path = format!("/api/v1/premium-accounts/{id}/closing");
    let (status, problem) = app.post_json(&path, &app.choshu(), &json!({})).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (409, Some("qualification_not_lost"))
    );
    // death on 2026-06-15 → 資格喪失 2026-06-16 (36条1号 / 38条2号), recorded by 適用
    let (status, loss) = app
        .post_json(
            &format!("/api/v1/persons/{id}/loss"),
            &app.clerk(),
            &json!({ "lost_on": "2026-06-16",
                 "reason": { "kind": "death", "date_of_death": "2026-06-15" },
                 "received_on": "2026-06-18" }),
        )
        .await;
    assert_eq!(status, 200, "{loss}");
    let (status, closed) = app.post_json(&path, &app.choshu(), &json!({})).await;
    assert_eq!(status, 200, "{closed}");
    let event = &closed["event"]["AccountClosed"];
    // insured since April, lost in June → June not charged (156条3項); its 28,455 becomes
    // credit
    assert_eq!(event["first_uncharged"], "2026-06");
    assert_eq!(
        event["reason"],
        json!({ "kind": "lost", "reason": { "kind": "death", "date_of_death": "2026-06-15" } })
    );
    let view = account(&app, id).await;
    assert_eq!(month(&view, "2026-06")["status"], "cancelled");
    assert_eq!(view["totals"]["credit"], 28_455);
    // assessed 2 × 28,455 = 56,910; received 3 × 28,455 = 85,365 → balance −28,455
    assert_eq!(view["totals"]["balance"], 56_910 - 85_365);
    // the close's causation is the 適用 loss event
    let loss_event: Uuid = sqlx::query_scalar(
        "SELECT event_id FROM events WHERE stream_id = $1 AND event_type = 'QualificationLost'",
    )
    .bind(format!("person-{id}"))
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let causation: String = sqlx::query_scalar(
        "SELECT metadata->>'causation_id' FROM events WHERE stream_id = $1 AND event_type = 'AccountClosed'",
    )
    .bind(format!("premium_account-{id}"))
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(causation, loss_event.to_string());
    // July can no longer be assessed
    let (status, problem) = app
        .post_json(
            &format!("/api/v1/premium-accounts/{id}/assessments"),
            &app.choshu(),
            &json!({ "month": "2026-07" }),
        )
        .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (409, Some("month_after_close"))
    );
    rebuild_and_compare(&app).await;
}

// ================================================================ 収納取消, 37条2項, holidays,
// 前納 shortfall

async fn members_table(pool: &PgPool) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT concat_ws('|', person_id, kind, status, symbol, number, lost_on, stream_version,
                          view::text)
         FROM members ORDER BY person_id",
    )
    .fetch_all(pool)
    .await
    .unwrap()
}

/// [`rebuild_and_compare`], also comparing the members read model.
async fn rebuild_and_compare_with_members(app: &TestApp) {
    let members = members_table(&app.pool).await;
    rebuild_and_compare(app).await;
    assert_eq!(
        members,
        members_table(&app.pool).await,
        "rebuilt members differ from the live ones"
    );
}

fn receipt_position(view: &Value, reference: &str) -> i64 {
    view["receipts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["reference"] == reference)
        .unwrap_or_else(|| panic!("no receipt {reference} in {view}"))["position"]
        .as_i64()
        .unwrap()
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn receipt_reversal_makes_its_months_unpaid_again_and_keeps_the_receipt(pool: PgPool) {
    let mut app = premium_app(pool).await;
    set_society_parameters(&mut app).await;
    let id = voluntary_insured(&app, "5101", "S55.4.1", 410_000, 380_000).await;
    open_account(&app, id).await;
    assess(&app, id, "2026-03").await; // 42,088 due 03-16
    assess(&app, id, "2026-04").await; // 42,962 due 04-10
                                       // 50,000 on 03-14: March 42,088, April 7,912 (50,000 − 42,088).
    let recorded = receive(&app, id, 50_000, "2026-03-14", "BK-R1").await;
    let position = recorded["position"].as_i64().unwrap();
    assert_eq!(
        receipt_position(&account(&app, id).await, "BK-R1"),
        position
    );
    let path = format!("/api/v1/premium-accounts/{id}/receipt-reversals");

    // An unknown position, or one that is not a receipt (the account's opening), is 404 and
    // writes nothing.
    let before = app.event_count().await;
    let opened_at = account(&app, id).await["opened_at_position"]
        .as_i64()
        .unwrap();
    for unknown in [position + 1_000, opened_at] {
        let (status, problem) = app
            .post_json(
                &path,
                &app.choshu(),
                &json!({ "receipt_position": unknown, "reversed_on": "2026-03-20", "reason": "bank_recall" }),
            )
            .await;
        assert_eq!(
            (status, problem["code"].as_str()),
            (404, Some("receipt_not_found")),
            "{problem}"
        );
    }
    // Before the receipt's day: 422; an unknown reason: 422 invalid_body.
    let (status, problem) = app
        .post_json(
            &path,
            &app.choshu(),
            &json!({ "receipt_position": position, "reversed_on": "2026-03-13", "reason": "bank_recall" }),
        )
        .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (422, Some("date_before"))
    );
    let (status, problem) = app
        .post_json(
            &path,
            &app.choshu(),
            &json!({ "receipt_position": position, "reversed_on": "2026-03-20", "reason": "mistake" }),
        )
        .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (422, Some("invalid_body"))
    );
    // A qualification clerk may not.
    let (status, _) = app
        .post_json(
            &path,
            &app.clerk(),
            &json!({ "receipt_position": position, "reversed_on": "2026-03-20", "reason": "bank_recall" }),
        )
        .await;
    assert_eq!(status, 403);
    assert_eq!(app.event_count().await, before);

    // The bank recalls the transfer (組戻し) on 03-20.
    let (status, answer) = app
        .post_json(
            &path,
            &app.choshu(),
            &json!({ "receipt_position": position, "reversed_on": "2026-03-20",
                 "reason": "bank_recall", "note": "組戻し通知 2026-03-19 No.7" }),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["events"], json!(["ReceiptReversed"]));
    let event = &answer["event"]["ReceiptReversed"];
    assert_eq!(event["amount"], 50_000);
    assert_eq!(event["reference"], "BK-R1");
    assert_eq!(
        event["unapplied"],
        json!([{ "month": "2026-03", "amount": MARCH }, { "month": "2026-04", "amount": 7_912 }])
    );
    assert_eq!(event["credit_withdrawn"], 0);

    // The ledger: both months unpaid again; the receipt stays, marked reversed.
    let view = account(&app, id).await;
    assert_eq!(month(&view, "2026-03")["status"], "unpaid");
    assert_eq!(month(&view, "2026-03")["balance"], MARCH);
    assert_eq!(month(&view, "2026-04")["balance"], APRIL);
    assert_eq!(view["totals"]["received"], 0);
    assert_eq!(view["totals"]["balance"], MARCH + APRIL); // 85,050
    let receipt = &view["receipts"][0];
    assert_eq!(receipt["amount"], 50_000);
    assert_eq!(receipt["reversal"]["reversed_on"], "2026-03-20");
    assert_eq!(receipt["reversal"]["reason"], "bank_recall");
    assert_eq!(receipt["reversal"]["note"], "組戻し通知 2026-03-19 No.7");
    assert_eq!(receipt["reversal"]["position"], answer["position"]);
    // Arrears recomputed: on 04-11 both are late (due 03-16 and 04-10).
    let audit = app.token("audit1", &[Role::Auditor]);
    let (_, list) = app
        .get_json("/api/v1/premium-arrears?as_of=2026-04-11", &audit)
        .await;
    assert_eq!(list["total_unpaid"], MARCH + APRIL, "{list}");

    // Twice: 409, nothing written.
    app.post_refused(
        &path,
        &app.choshu(),
        &json!({ "receipt_position": position, "reversed_on": "2026-03-21", "reason": "bank_recall" }),
        409,
        "receipt_already_reversed",
    )
    .await;

    // The member pays again; the reference of the reversed receipt may be used again.
    let again = receive(&app, id, MARCH, "2026-03-22", "BK-R1").await;
    assert_eq!(
        again["event"]["PremiumReceived"]["applied"],
        json!([{ "month": "2026-03", "amount": MARCH }])
    );
    rebuild_and_compare(&app).await;
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn a_receipt_is_not_reversed_after_the_account_closed(pool: PgPool) {
    let mut app = premium_app(pool).await;
    set_society_parameters(&mut app).await;
    let id = story_until_may(&app).await;
    let view = account(&app, id).await;
    let position = receipt_position(&view, "BK-0002");
    let (status, answer) = app
        .post_json(
            &format!("/api/v1/premium-accounts/{id}/loss-for-non-payment"),
            &app.choshu(),
            &json!({ "due_date": "2026-05-10" }),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    app.post_refused(
        &format!("/api/v1/premium-accounts/{id}/receipt-reversals"),
        &app.choshu(),
        &json!({ "receipt_position": position, "reversed_on": "2026-05-20", "reason": "wrongly_matched" }),
        409,
        "account_closed",
    )
    .await;
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn an_unpaid_first_premium_voids_the_voluntary_continuation(pool: PgPool) {
    let mut app = premium_app(pool).await;
    set_society_parameters(&mut app).await;
    let id = voluntary_insured(&app, "5102", "S55.4.1", 410_000, 380_000).await;
    // A spouse recognized under the 任継 on its first day.
    let spouse = Uuid::now_v7();
    let mut body = common::bodies::dependent(spouse, id, "900", "5102");
    body["recognized_on"] = json!("2026-03-01");
    body["received_on"] = json!("2026-03-05");
    let (status, answer) = app
        .post_json("/api/v1/dependents", &app.clerk(), &body)
        .await;
    assert_eq!(status, 201, "{answer}");
    open_account(&app, id).await; // first premium due 2026-03-16
    assess(&app, id, "2026-03").await; // 42,088
    assess(&app, id, "2026-04").await; // 42,962
                                       // The first premium is paid in full, but late: 03-20 (due 03-16).
    receive(&app, id, MARCH, "2026-03-20", "BK-F1").await;
    let path = format!("/api/v1/premium-accounts/{id}/first-premium-unpaid");

    // On the due date it is not yet late: 409, nothing written.
    app.post_refused(
        &path,
        &app.choshu(),
        &json!({ "as_of": "2026-03-16" }),
        409,
        "first_premium_not_yet_due",
    )
    .await;

    let (status, answer) = app
        .post_json(&path, &app.choshu(), &json!({ "as_of": "2026-03-25" }))
        .await;
    assert_eq!(status, 200, "{answer}");
    // 1. the 徴収 fact: March, 42,088 not paid by 03-16 (the late payment does not cure it)
    let arrears = &answer["arrears"]["event"]["ArrearsDetected"];
    assert_eq!(arrears["as_of"], "2026-03-17");
    assert_eq!(
        arrears["months"],
        json!([{ "month": "2026-03", "due_on": "2026-03-16", "unpaid": MARCH, "first_premium": true }])
    );
    // 2. 適用: the 任継 acquisition voided, and the spouse's recognition under it
    assert_eq!(
        answer["qualification"]["events"],
        json!(["AcquisitionVoided"])
    );
    assert_eq!(answer["dependents_voided"][0]["person_id"], json!(spouse));
    // 3. the account closed: every month cancelled, the 42,088 paid is refundable credit
    let closed = &answer["closed"]["event"]["AccountClosed"];
    assert_eq!(closed["lost_on"], "2026-03-01");
    assert_eq!(closed["reason"], json!({ "kind": "first_premium_unpaid" }));
    assert_eq!(closed["first_uncharged"], "2026-03");
    assert_eq!(
        closed["cancelled"],
        json!([{ "month": "2026-03", "assessed": MARCH, "received": MARCH },
               { "month": "2026-04", "assessed": APRIL, "received": 0 }])
    );

    // The causation chain: 徴収 fact → void → (spouse's void, account closed).
    let audit = app.token("audit1", &[Role::Auditor]);
    let (_, person_stream) = app
        .get_json(&format!("/api/v1/streams/person-{id}"), &audit)
        .await;
    let void = person_stream.as_array().unwrap().last().unwrap().clone();
    assert_eq!(void["event_type"], "AcquisitionVoided");
    assert_eq!(
        void["payload"]["AcquisitionVoided"],
        json!({ "category": "voluntary_continuation", "started_on": "2026-03-01",
                "reason": { "kind": "first_premium_unpaid", "due_date": "2026-03-16" },
                "received_on": "2026-03-17" })
    );
    assert_eq!(void["metadata"]["causation_id"], answer["arrears_event_id"]);
    assert_eq!(void["metadata"]["role"], "premiums");
    let (_, spouse_stream) = app
        .get_json(&format!("/api/v1/streams/person-{spouse}"), &audit)
        .await;
    let spouse_void = spouse_stream.as_array().unwrap().last().unwrap().clone();
    assert_eq!(spouse_void["event_type"], "AcquisitionVoided");
    assert_eq!(spouse_void["metadata"]["causation_id"], void["event_id"]);
    let (_, account_stream) = app
        .get_json(&format!("/api/v1/streams/premium_account-{id}"), &audit)
        .await;
    let close = account_stream.as_array().unwrap().last().unwrap().clone();
    assert_eq!(close["event_type"], "AccountClosed");
    assert_eq!(close["metadata"]["causation_id"], void["event_id"]);

    // 適用: lost since the 強制 loss (2026-03-01), back on the 強制 identification; the 任継
    // period is kept, marked void.
    let (_, member) = app
        .get_json(&format!("/api/v1/members/{id}"), &app.clerk())
        .await;
    assert_eq!(member["status"], "lost", "{member}");
    assert_eq!(member["category"], "compulsory");
    assert_eq!(member["lost_on"], "2026-03-01");
    assert_eq!(member["identification"]["symbol"], "100");
    let periods = member["periods"].as_array().unwrap();
    assert_eq!(periods.len(), 2);
    assert!(periods[0].get("voided").is_none());
    assert_eq!(periods[1]["voided"], true);
    assert_eq!(periods[1]["lost_on"], "2026-03-01");
    assert_eq!(
        periods[1]["loss_reason"],
        json!({ "kind": "first_premium_unpaid", "due_date": "2026-03-16" })
    );
    let (_, spouse_member) = app
        .get_json(&format!("/api/v1/members/{spouse}"), &app.clerk())
        .await;
    assert_eq!(spouse_member["status"], "lost", "{spouse_member}");
    // 徴収: closed, the late 42,088 held for a refund.
    let view = account(&app, id).await;
    assert_eq!(view["status"], "closed");
    assert_eq!(
        view["closing_reason"],
        json!({ "kind": "first_premium_unpaid" })
    );
    assert_eq!(view["totals"]["credit"], MARCH);
    assert_eq!(view["totals"]["balance"], -MARCH);

    // Nothing more: twice, or a loss for non-payment, is refused.
    app.post_refused(
        &path,
        &app.choshu(),
        &json!({ "as_of": "2026-03-26" }),
        409,
        "account_closed",
    )
    .await;
    rebuild_and_compare_with_members(&app).await;
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn a_first_premium_paid_on_time_or_a_retiree_is_not_voided(pool: PgPool) {
    let mut app = premium_app(pool).await;
    set_society_parameters(&mut app).await;
    let id = voluntary_insured(&app, "5103", "S55.4.1", 410_000, 380_000).await;
    open_account(&app, id).await;
    let path = format!("/api/v1/premium-accounts/{id}/first-premium-unpaid");
    // Not assessed yet.
    let (status, problem) = app
        .post_json(&path, &app.choshu(), &json!({ "as_of": "2026-03-25" }))
        .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (409, Some("first_premium_not_assessed"))
    );
    assess(&app, id, "2026-03").await;
    receive(&app, id, MARCH, "2026-03-16", "BK-OK").await; // on the due date
    let before = app.event_count().await;
    let (status, problem) = app
        .post_json(&path, &app.choshu(), &json!({ "as_of": "2026-03-25" }))
        .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (409, Some("first_premium_paid"))
    );
    let (status, problem) = app
        .post_json(&path, &app.choshu(), &json!({ "as_of": "x" }))
        .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (422, Some("invalid_body"))
    );
    assert_eq!(app.event_count().await, before);
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn due_dates_on_closed_days_move_to_the_next_business_day(pool: PgPool) {
    let mut app = premium_app(pool).await;
    set_society_parameters(&mut app).await;
    let id = voluntary_insured(&app, "5104", "S55.4.1", 410_000, 380_000).await;
    // An unknown rule is refused.
    let (status, problem) = app
        .post_json(
            "/api/v1/premium-accounts",
            &app.choshu(),
            &json!({ "person_id": id, "first_premium_due_on": "2026-03-20", "holiday_shift": "previous_day" }),
        )
        .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (422, Some("invalid_body"))
    );
    // First premium due 2026-03-20 (春分の日, Friday) → Saturday, Sunday → Monday 03-23.
    // Without a holiday_shift the account takes the default, next_business_day.
    let (status, answer) = app
        .post_json(
            "/api/v1/premium-accounts",
            &app.choshu(),
            &json!({ "person_id": id, "first_premium_due_on": "2026-03-20" }),
        )
        .await;
    assert_eq!(status, 201, "{answer}");
    assert_eq!(
        answer["event"]["AccountOpened"]["due_rule"],
        json!({ "day_of_month": 10, "first_premium_due_on": "2026-03-20",
                "holiday_shift": "next_business_day" })
    );
    let march = assess(&app, id, "2026-03").await;
    assert_eq!(march["event"]["MonthAssessed"]["due_on"], "2026-03-23");
    // April 10 2026 is a Friday: unchanged. May 10 is a Sunday → Monday 05-11.
    let april = assess(&app, id, "2026-04").await;
    assert_eq!(april["event"]["MonthAssessed"]["due_on"], "2026-04-10");
    let may = assess(&app, id, "2026-05").await;
    assert_eq!(may["event"]["MonthAssessed"]["due_on"], "2026-05-11");
    // March paid on its shifted date is on time; April on its own date.
    receive(&app, id, MARCH, "2026-03-23", "BK-H1").await;
    receive(&app, id, APRIL, "2026-04-10", "BK-H2").await;
    let (status, problem) = app
        .post_json(
            &format!("/api/v1/premium-accounts/{id}/first-premium-unpaid"),
            &app.choshu(),
            &json!({ "as_of": "2026-03-24" }),
        )
        .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (409, Some("first_premium_paid"))
    );
    // May is not late on 05-11, late on 05-12.
    let audit = app.token("audit1", &[Role::Auditor]);
    let (_, list) = app
        .get_json("/api/v1/premium-arrears?as_of=2026-05-11", &audit)
        .await;
    assert_eq!(list["total_accounts"], 0, "{list}");
    let detection = format!("/api/v1/premium-accounts/{id}/arrears-detection");
    let (status, problem) = app
        .post_json(&detection, &app.choshu(), &json!({ "as_of": "2026-05-11" }))
        .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (409, Some("no_new_arrears"))
    );
    let (_, list) = app
        .get_json("/api/v1/premium-arrears?as_of=2026-05-12", &audit)
        .await;
    assert_eq!(
        list["accounts"][0]["months"],
        json!([{ "month": "2026-05", "due_on": "2026-05-11", "unpaid": APRIL,
                 "arrears_detected_as_of": null }])
    );
    // The loss for non-payment follows the shifted date: lost on 05-12 (38条3号).
    let loss = format!("/api/v1/premium-accounts/{id}/loss-for-non-payment");
    let (status, problem) = app
        .post_json(&loss, &app.choshu(), &json!({ "due_date": "2026-05-10" }))
        .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (409, Some("no_unpaid_premium_due"))
    );
    let (status, answer) = app
        .post_json(&loss, &app.choshu(), &json!({ "due_date": "2026-05-11" }))
        .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        answer["closed"]["event"]["AccountClosed"]["lost_on"],
        "2026-05-12"
    );
    rebuild_and_compare(&app).await;
}

async fn set_parameter_from(app: &TestApp, key: &str, from: &str, value: Value) {
    app.set_parameter(
        key,
        &json!({ "effective_from": from, "value": value,
                 "source": "規約第30条; 令和8年5月 組合会議決", "reason": "料率引上げ" }),
    )
    .await;
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn a_rate_rise_after_a_prepayment_is_owed_as_a_shortfall(pool: PgPool) {
    let mut app = premium_app(pool).await;
    set_society_parameters(&mut app).await;
    let id = voluntary_insured(&app, "5105", "S55.4.1", 410_000, 380_000).await;
    open_account(&app, id).await;
    // 前納 April–September 2026 at P = 42,962.8 (254,849; see the 前納 test above).
    prepay_april_to_september(&app, id).await;
    let path = format!("/api/v1/premium-accounts/{id}/prepayment-shortfall");
    // No rate has risen: nothing owed, nothing written.
    app.post_refused(
        &path,
        &app.choshu(),
        &json!({ "as_of": "2026-06-15" }),
        409,
        "no_prepayment_shortfall",
    )
    .await;

    // 一般保険料率 0.0912 → 0.0942 from 2026-07-01: rate 0.11306 + 0.003 = 0.11606,
    // P = 380,000 × 0.11606 = 44,102.8 for July–September. python3 decimal (prec 60), j = 1..3
    // from July:
    //   X = Σ 42962.8 / 1.04^(j/12) = 42822.6099 + 42682.8773 + 42543.6006 = 128049.0878 → 128,049
    //   Y = Σ 44102.8 / 1.04^(j/12) = 43958.8900 + 43815.4497 + 43672.4773 = 131446.8170 → 131,447
    //   不足額 = 131,447 − 128,049 = 3,398, carried by September (the last month); pay by
    //   2026-06-30, else due 2026-09-10.
    set_parameter_from(&app, "general_premium_rate", "2026-07-01", json!("0.0942")).await;
    // July has begun on 07-01: only August and September would be reassessed then; here
    // the reassessment is made on 06-15.
    let (status, answer) = app
        .post_json(&path, &app.choshu(), &json!({ "as_of": "2026-06-15" }))
        .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["events"], json!(["PrepaymentShortfallAssessed"]));
    assert_eq!(
        answer["shortfall"],
        json!({ "from_month": "2026-07", "last_month": "2026-09", "prepaid_value": 128_049,
                "new_prepayment": 131_447, "amount": 3_398, "pay_by": "2026-06-30",
                "months": [{ "month": "2026-09", "shortfall": 3_398, "due_on": "2026-09-10" }] })
    );
    let event = &answer["event"]["PrepaymentShortfallAssessed"];
    assert_eq!(event["basis"]["result_yen"], 3_398);
    assert_eq!(event["months"][0]["premium_before"], "42962.8");
    assert_eq!(event["months"][0]["premium_after"], "44102.8");
    assert!(event["basis"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["key"] == "general_premium_rate" && p["value"] == "0.0942"));

    // The ledger: September owes 3,398 (42,128 prepaid + 3,398 assessed).
    let view = account(&app, id).await;
    let september = month(&view, "2026-09");
    assert_eq!(september["assessed"], 42_128 + 3_398);
    assert_eq!(september["received"], 42_128);
    assert_eq!(september["balance"], 3_398);
    assert_eq!(september["status"], "partially_paid");
    assert_eq!(september["due_on"], "2026-09-10");
    assert_eq!(month(&view, "2026-07")["status"], "prepaid");
    assert_eq!(view["totals"]["outstanding"], 3_398);
    assert_eq!(view["totals"]["balance"], 3_398);
    assert_eq!(
        view["prepayment_shortfalls"],
        json!([{ "from_month": "2026-07", "amount": 3_398, "pay_by": "2026-06-30",
                 "position": answer["position"] }])
    );
    // Not late on 09-10, late on 09-11.
    let audit = app.token("audit1", &[Role::Auditor]);
    let (_, list) = app
        .get_json("/api/v1/premium-arrears?as_of=2026-09-10", &audit)
        .await;
    assert_eq!(list["total_accounts"], 0, "{list}");
    let (_, list) = app
        .get_json("/api/v1/premium-arrears?as_of=2026-09-11", &audit)
        .await;
    assert_eq!(list["total_unpaid"], 3_398, "{list}");
    // Once reassessed, the months record the new premium: nothing more is owed.
    app.post_refused(
        &path,
        &app.choshu(),
        &json!({ "as_of": "2026-06-16" }),
        409,
        "no_prepayment_shortfall",
    )
    .await;
    // The top-up paid by 06-30 clears September.
    receive(&app, id, 3_398, "2026-06-29", "TOPUP-1").await;
    let view = account(&app, id).await;
    assert_eq!(month(&view, "2026-09")["status"], "prepaid");
    assert_eq!(view["totals"]["balance"], 0);
    rebuild_and_compare(&app).await;
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn the_new_premium_commands_are_in_the_openapi_document(pool: PgPool) {
    let app = premium_app(pool).await;
    let document = app.openapi().await;
    for path in [
        "/api/v1/premium-accounts/{person_id}/receipt-reversals",
        "/api/v1/premium-accounts/{person_id}/first-premium-unpaid",
        "/api/v1/premium-accounts/{person_id}/prepayment-shortfall",
    ] {
        assert!(document["paths"][path].get("post").is_some(), "{path}");
    }
    let open = &document["paths"]["/api/v1/premium-accounts"]["post"];
    assert!(open.to_string().contains("OpenAccountRequest"), "{open}");
}
