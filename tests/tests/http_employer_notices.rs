//! 納入告知 (employer premium notices) over real HTTP against a real PostgreSQL: figures derived
//! by hand from rules.md §3.1, §3.3, §3.5, §3.6 (the arithmetic is in the comments), who is on
//! a notice, once per 事業所 and month, receipts, corrections, refusals that write nothing, the
//! monthly run, and the rebuilt read model equal to the live one.
//!
//! Parameters (illustrative, not a real society's): 一般保険料率 0.0950 (特定 0.0400), 介護
//! 0.0160, no 調整保険料率, 事業主負担割合 not set (折半), and the seeded 子ども・子育て支援金率
//! 0.0023 from 2026-04 (rules.md §0, §3.2).

mod common;

use common::bodies::acquisition;
use common::{json, spawn_app, TestApp};
use kenpo_api::auth::Role;
use serde_json::{json, Value};
use sqlx::PgPool;
use uuid::Uuid;

const OFFICE: &str = "1234";
const OTHER_OFFICE: &str = "5678";

/// A society parameter from 2026-04-01.
async fn set_parameter(app: &TestApp, key: &str, value: &str) {
    app.set_parameter(
        key,
        &json!({"effective_from": "2026-04-01", "value": value,
                "source": "規約 (test)", "reason": "令和8年度"}),
    )
    .await;
}

/// 一般 0.0950 (特定 0.0400) and 介護 0.0160 from 2026-04-01, plus the statutory seeds.
async fn set_rates(app: &mut TestApp) {
    app.seed_statutory_parameters().await;
    set_parameter(app, "general_premium_rate", "0.0950").await;
    set_parameter(app, "specific_premium_rate", "0.0400").await;
    set_parameter(app, "care_premium_rate", "0.0160").await;
}

/// 資格取得 (強制) at `office`, with a birth date, a date and a 報酬月額.
async fn acquire(
    app: &TestApp,
    office: &str,
    number: &str,
    birth: &str,
    acquired_on: &str,
    remuneration: i64,
) -> Uuid {
    let id = Uuid::now_v7();
    let mut body = acquisition(id, "100", number);
    body["identification"]["office_code"] = json!(office);
    body["birth_date"] = json!(birth);
    body["acquired_on"] = json!(acquired_on);
    body["received_on"] = json!(acquired_on);
    body["monthly_remuneration"] = json!(remuneration);
    body["sex"] = json!("female");
    app.acquire(&body).await;
    id
}

async fn issue(app: &TestApp, token: &str, office: &str, month: &str) -> (u16, Value) {
    app.post_json(
        "/api/v1/employer-notices",
        token,
        &json!({"office_code": office, "month": month}),
    )
    .await
}

async fn receipt(app: &TestApp, token: &str, amount: i64, reference: &str) -> (u16, Value) {
    app.post_json(
        &format!("/api/v1/employer-notices/{OFFICE}/2026-04/receipts"),
        token,
        &json!({"amount": amount, "received_on": "2026-05-29", "reference": reference}),
    )
    .await
}

/// The three insured of 事業所 1234 (and one of 5678, who is not on its notice):
/// - A: 報酬月額 110,000 → 標準報酬月額 110,000 (107,000 ≤ x < 114,000, grade 7; rules.md §2.1),
///   born 1990-06-01 (35: not 第2号);
/// - B: 300,000 → 300,000 (grade 22), born 1986-04-15: reaches 40 on 2026-04-14, so April 2026
///   is the first 介護保険第2号 month (rules.md §3.5);
/// - C: 260,000 → 260,000 (grade 20), on 産前産後休業 2026-03-20 – 2026-06-25 (planned).
async fn three_insured(app: &TestApp) -> (Uuid, Uuid, Uuid) {
    let a = acquire(app, OFFICE, "1", "1990-06-01", "2025-04-01", 110_000).await;
    let b = acquire(app, OFFICE, "2", "1986-04-15", "2025-04-01", 300_000).await;
    let c = acquire(app, OFFICE, "3", "1992-02-10", "2025-04-01", 260_000).await;
    app.person_command(
        c,
        "maternity-leave/start",
        &json!({"started_on": "2026-03-20", "planned_end_on": "2026-06-25", "received_on": "2026-03-20"}),
    )
    .await;
    acquire(app, OTHER_OFFICE, "9", "1990-06-01", "2025-04-01", 500_000).await;
    (a, b, c)
}

fn line(notice: &Value, person: Uuid) -> &Value {
    notice["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["person_id"] == json!(person))
        .unwrap_or_else(|| panic!("no line for {person} in {notice}"))
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn a_notice_of_three_insured_with_hand_derived_figures(pool: PgPool) {
    let mut app = spawn_app(pool).await;
    let choshu = app.bootstrap_choshu().await;
    set_rates(&mut app).await;
    let (a, b, c) = three_insured(&app).await;

    let (status, body) = issue(&app, &choshu, OFFICE, "2026-04").await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["events"], json!(["NoticeIssued"]));
    assert_eq!(body["version"], 1);
    let notice = &body["notice"];
    // April 2026 (rules.md §3.1, §3.2): rate without 介護 = 一般 0.0950 + 支援金 0.0023 = 0.0973;
    // with 介護 = 0.0973 + 0.0160 = 0.1133.
    // A: 110,000 × 0.0973 = 10,703 (全額); half 5,351.50 — exactly 50銭 — deducted from wages:
    //    50銭以下切捨て → 5,351 (rules.md §3.3).
    // B: 300,000 × 0.1133 = 33,990; half 16,995.
    // C: 産休 from 2026-03-20; the day after the planned end (06-26) is in June → March to May
    //    exempt (159条の3, rules.md §3.6): April 0.
    // 納入告知額 = floor(10,703 + 33,990) = 44,693; 被保険者負担分 5,351 + 16,995 = 22,346;
    // 事業主負担分 = 44,693 − 22,346 = 22,347.
    assert_eq!(notice["office_code"], OFFICE);
    assert_eq!(notice["month"], "2026-04");
    assert_eq!(notice["status"], "issued");
    assert_eq!(notice["totals"]["insured"], 3);
    assert_eq!(notice["totals"]["charged"], 2);
    assert_eq!(notice["totals"]["full_total"], "44693");
    assert_eq!(notice["totals"]["notice_amount"], 44_693);
    assert_eq!(notice["totals"]["insured_total"], 22_346);
    assert_eq!(notice["totals"]["employer_total"], 22_347);
    assert_eq!(notice["outstanding"], 44_693);
    // 164条1項: due on the last day of the next month.
    assert_eq!(notice["due_on"], "2026-05-31");

    let (status, detail) = app
        .get_json(
            &format!("/api/v1/employer-notices/{OFFICE}/2026-04"),
            &app.token("audit1", &[Role::Auditor]),
        )
        .await;
    assert_eq!(status, 200, "{detail}");
    let la = line(&detail, a);
    assert_eq!(la["standard_remuneration"], 110_000);
    assert_eq!(la["rate"], "0.0973");
    assert_eq!(la["monthly_full"], "10703");
    assert_eq!(la["insured_monthly"], 5_351);
    assert_eq!(la["long_term_care"], false);
    let lb = line(&detail, b);
    assert_eq!(lb["long_term_care"], true);
    assert_eq!(lb["rate"], "0.1133");
    assert_eq!(lb["monthly_full"], "33990");
    assert_eq!(lb["insured_monthly"], 16_995);
    let lc = line(&detail, c);
    assert_eq!(lc["monthly_exempt"], true);
    assert_eq!(lc["monthly_full"], "0");
    assert_eq!(lc["insured_monthly"], 0);
    assert_eq!(detail["lines"].as_array().unwrap().len(), 3);
    // The 算定根拠 cites the registry entries used: 一般, 特定, 支援金, 介護.
    let keys: Vec<&str> = detail["basis"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["key"].as_str().unwrap())
        .collect();
    assert_eq!(
        keys,
        [
            "general_premium_rate",
            "specific_premium_rate",
            "child_support_rate",
            "care_premium_rate"
        ]
    );
    assert_eq!(detail["basis"]["result_yen"], 44_693);

    // Listed for any staff.
    let (status, page) = app
        .get_json(
            "/api/v1/employer-notices?office_code=1234&month=2026-04",
            &app.kyufu(),
        )
        .await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["total"], 1);
    assert_eq!(page["notices"][0]["totals"]["notice_amount"], 44_693);
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn once_per_office_and_month_then_receipts_partial_and_full(pool: PgPool) {
    let mut app = spawn_app(pool).await;
    let choshu = app.bootstrap_choshu().await;
    set_rates(&mut app).await;
    three_insured(&app).await;
    // The same Idempotency-Key twice: the first answer again, one event.
    let before = app.event_count().await;
    let mut answers = Vec::new();
    for _ in 0..2 {
        answers.push(
            json(
                app.post(
                    "/api/v1/employer-notices",
                    &choshu,
                    &json!({"office_code": OFFICE, "month": "2026-04"}),
                )
                .header("idempotency-key", "notice-1234-2026-04")
                .send()
                .await
                .unwrap(),
            )
            .await,
        );
    }
    assert_eq!(answers[0].0, 201, "{}", answers[0].1);
    assert_eq!(answers[0], answers[1]);
    assert_eq!(app.event_count().await, before + 1);

    // Issuing again without the key: 409, nothing written.
    let before = app.event_count().await;
    let (status, body) = issue(&app, &choshu, OFFICE, "2026-04").await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["code"], "notice_already_issued");
    assert_eq!(app.event_count().await, before);

    // 20,000 of 44,693: partial; 24,693 outstanding.
    let (status, body) = receipt(&app, &choshu, 20_000, "ZENGIN-0001").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["events"], json!(["NoticeReceiptRecorded"]));
    assert_eq!(body["notice"]["status"], "partially_paid");
    assert_eq!(body["notice"]["received_total"], 20_000);
    assert_eq!(body["notice"]["outstanding"], 24_693);
    assert_eq!(body["notice"]["receipts"][0]["kind"], "partial");

    // The same bank reference again: 409, nothing written.
    let before = app.event_count().await;
    let (status, body) = receipt(&app, &choshu, 24_693, "ZENGIN-0001").await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["code"], "duplicate_receipt");
    assert_eq!(app.event_count().await, before);

    // The rest, exactly: paid.
    let (status, body) = receipt(&app, &choshu, 24_693, "ZENGIN-0002").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["notice"]["status"], "paid");
    assert_eq!(body["notice"]["received_total"], 44_693);
    assert_eq!(body["notice"]["outstanding"], 0);
    assert_eq!(body["notice"]["receipts"][1]["kind"], "exact");

    // Bad receipts are 422 and write nothing.
    let before = app.event_count().await;
    let (status, body) = receipt(&app, &choshu, 0, "ZENGIN-0003").await;
    assert_eq!(
        (status, body["code"].clone()),
        (422, json!("amount_not_positive"))
    );
    let (status, body) = app
        .post_json(
            &format!("/api/v1/employer-notices/{OFFICE}/2026-04/receipts"),
            &choshu,
            &json!({"amount": 1, "received_on": "2026-05-29", "reference": "X", "memo": "?"}),
        )
        .await;
    assert_eq!((status, body["code"].clone()), (422, json!("invalid_body")));
    // A receipt for a notice never issued: 404.
    let (status, body) = app
        .post_json(
            &format!("/api/v1/employer-notices/{OFFICE}/2026-05/receipts"),
            &choshu,
            &json!({"amount": 1, "received_on": "2026-06-01", "reference": "X"}),
        )
        .await;
    assert_eq!(
        (status, body["code"].clone()),
        (404, json!("notice_not_found"))
    );
    assert_eq!(app.event_count().await, before);
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn a_missing_parameter_is_409_naming_it_and_writes_nothing(pool: PgPool) {
    let mut app = spawn_app(pool).await;
    let choshu = app.bootstrap_choshu().await;
    app.seed_statutory_parameters().await;
    three_insured(&app).await;

    // No 一般保険料率 at all.
    let before = app.event_count().await;
    let (status, body) = issue(&app, &choshu, OFFICE, "2026-04").await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["code"], "parameter_not_set");
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("general_premium_rate"),
        "{body}"
    );

    // 一般 and 特定 but no 介護保険料率, and B is 第2号 in April: named.
    set_parameter(&app, "general_premium_rate", "0.0950").await;
    set_parameter(&app, "specific_premium_rate", "0.0400").await;
    let before_issue = app.event_count().await;
    let (status, body) = issue(&app, &choshu, OFFICE, "2026-04").await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["code"], "parameter_not_set");
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("care_premium_rate"),
        "{body}"
    );
    assert_eq!(app.event_count().await, before_issue);
    // Only the two parameters were recorded in between.
    assert_eq!(before_issue - before, 2);

    // The monthly run refuses the same way, before writing anything.
    let (status, body) = app
        .post_json(
            "/api/v1/assessment-runs",
            &choshu,
            &json!({"month": "2026-04"}),
        )
        .await;
    assert_eq!(status, 409, "{body}");
    assert!(body["detail"]
        .as_str()
        .unwrap()
        .contains("care_premium_rate"));
    assert_eq!(app.event_count().await, before_issue);
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn only_the_premiums_role_issues_and_records_any_staff_reads(pool: PgPool) {
    let mut app = spawn_app(pool).await;
    let choshu = app.bootstrap_choshu().await;
    set_rates(&mut app).await;
    three_insured(&app).await;
    let before = app.event_count().await;
    for token in [
        app.clerk(),
        app.kyufu(),
        app.token("audit1", &[Role::Auditor]),
    ] {
        let (status, body) = issue(&app, &token, OFFICE, "2026-04").await;
        assert_eq!(status, 403, "{body}");
        assert_eq!(body["code"], "forbidden");
        let (status, _) = app
            .post_json(
                "/api/v1/assessment-runs",
                &token,
                &json!({"month": "2026-04"}),
            )
            .await;
        assert_eq!(status, 403);
    }
    assert_eq!(app.event_count().await, before);
    let (status, _) = issue(&app, &choshu, OFFICE, "2026-04").await;
    assert_eq!(status, 201);
    let (status, body) = receipt(&app, &app.clerk(), 1_000, "R-1").await;
    assert_eq!((status, body["code"].clone()), (403, json!("forbidden")));
    let (status, _) = app
        .get_json(
            &format!("/api/v1/employer-notices/{OFFICE}/2026-04"),
            &app.clerk(),
        )
        .await;
    assert_eq!(status, 200);
    // Without a token: 401.
    let status = app
        .client
        .get(format!("{}/api/v1/employer-notices", app.base))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 401);
    // Bad input is 422 and writes nothing.
    let before = app.event_count().await;
    let (status, body) = issue(&app, &choshu, "12-34", "2026-04").await;
    assert_eq!(
        (status, body["code"].clone()),
        (422, json!("invalid_office_code"))
    );
    let (status, body) = issue(&app, &choshu, OFFICE, "2026-13").await;
    assert_eq!((status, body["code"].clone()), (422, json!("invalid_body")));
    assert_eq!(app.event_count().await, before);
}

/// Who is on the notice of a month: a person who left in the month (喪失月, no premium), one who
/// moved to another 事業所 after the month (on the old one's notice), one who moved in during
/// the month (on the new one's), one who joined after it (not on it); and a 賞与 paid in the
/// month.
#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn who_is_on_the_notice_of_a_month(pool: PgPool) {
    let mut app = spawn_app(pool).await;
    let choshu = app.bootstrap_choshu().await;
    set_rates(&mut app).await;
    // D: 200,000 (grade 17), born 1995-01-01; retired 2026-04-15 → lost 04-16: insured since
    //    before April, so April is not charged (156条3項, rules.md §3.1).
    let d = acquire(&app, OFFICE, "11", "1995-01-01", "2025-04-01", 200_000).await;
    app.person_command(
        d,
        "loss",
        &json!({"lost_on": "2026-04-16", "reason": {"kind": "retirement", "last_working_day": "2026-04-15"},
               "received_on": "2026-04-20"}),
    )
    .await;
    // E: 200,000, moved to 5678 from 2026-05-01 (識別番号 変更): April is 1234's.
    let e = acquire(&app, OFFICE, "12", "1995-01-01", "2025-04-01", 200_000).await;
    app.person_command(
        e,
        "identification-changes",
        &json!({"effective_on": "2026-05-01", "received_on": "2026-05-07",
               "identification": {"office_code": OTHER_OFFICE, "symbol": "200", "number": "12",
                                  "branch": "00", "relationship_code": "0"}}),
    )
    .await;
    // F: 200,000, at 5678, moved to 1234 from 2026-04-10: on 1234's April notice (the 事業所
    //    on the last day of the month).
    let f = acquire(
        &app,
        OTHER_OFFICE,
        "13",
        "1995-01-01",
        "2025-04-01",
        200_000,
    )
    .await;
    app.person_command(
        f,
        "identification-changes",
        &json!({"effective_on": "2026-04-10", "received_on": "2026-04-10",
               "identification": {"office_code": OFFICE, "symbol": "100", "number": "13",
                                  "branch": "00", "relationship_code": "0"}}),
    )
    .await;
    // G: joined 1234 on 2026-05-01: not on April's notice.
    acquire(&app, OFFICE, "14", "1995-01-01", "2026-05-01", 200_000).await;
    // H: 200,000 with a 賞与 of 333,333 paid on 2026-04-24: 標準賞与額 333,000 (1,000円未満
    //    切捨て, 45条; rules.md §2.6).
    let h = acquire(&app, OFFICE, "15", "1995-01-01", "2025-04-01", 200_000).await;
    app.person_command(
        h,
        "bonuses",
        &json!({"paid_on": "2026-04-24", "amount": 333_333, "received_on": "2026-04-28"}),
    )
    .await;

    let (status, body) = issue(&app, &choshu, OFFICE, "2026-04").await;
    assert_eq!(status, 201, "{body}");
    let (_, detail) = app
        .get_json(
            &format!("/api/v1/employer-notices/{OFFICE}/2026-04"),
            &choshu,
        )
        .await;
    // Rate 0.0973 for everyone (born 1995: not 第2号).
    // D: 喪失月 → 0.
    // E, F: 200,000 × 0.0973 = 19,460; half 9,730 each.
    // H: monthly 19,460 (half 9,730) + bonus 333,000 × 0.0973 = 32,400.9; half 16,200.45 →
    //    16,200 (below 50銭).
    // 告知額 floor(19,460 × 3 + 32,400.9) = floor(90,780.9) = 90,780;
    // insured 9,730 × 3 + 16,200 = 45,390; employer 45,390.
    assert_eq!(detail["lines"].as_array().unwrap().len(), 4, "{detail}");
    assert_eq!(line(&detail, d)["charge"], "month_of_loss");
    assert_eq!(line(&detail, d)["monthly_full"], "0");
    assert_eq!(line(&detail, e)["insured_monthly"], 9_730);
    assert_eq!(line(&detail, f)["insured_monthly"], 9_730);
    assert_eq!(line(&detail, h)["standard_bonus"], 333_000);
    assert_eq!(line(&detail, h)["bonus_full"], "32400.9");
    assert_eq!(line(&detail, h)["insured_bonus"], 16_200);
    assert_eq!(detail["totals"]["notice_amount"], 90_780);
    assert_eq!(detail["totals"]["insured_total"], 45_390);
    assert_eq!(detail["totals"]["employer_total"], 45_390);

    // 5678's April notice has neither E nor F (nor anyone): 409.
    let (status, body) = issue(&app, &choshu, OTHER_OFFICE, "2026-04").await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["code"], "no_insured_in_month");
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn the_monthly_run_issues_what_is_missing_and_a_correction_keeps_the_original(pool: PgPool) {
    let mut app = spawn_app(pool).await;
    let choshu = app.bootstrap_choshu().await;
    set_rates(&mut app).await;
    let (a, _, _) = three_insured(&app).await;
    // A 任意継続 insured with a premium account: 300,000 at 1234 until retirement on
    // 2025-09-30 (lost 10-01), 任継 from 2025-10-01 with 標準報酬月額 300,000 (below the 上限
    // 320,000, 47条1項). Not on 1234's April notice: that period ended before April.
    set_parameter(&app, "voluntary_continuation_cap", "320000").await;
    let v = acquire(&app, OFFICE, "20", "1990-06-01", "2024-04-01", 300_000).await;
    app.person_command(
        v,
        "loss",
        &json!({"lost_on": "2025-10-01", "reason": {"kind": "retirement", "last_working_day": "2025-09-30"},
               "received_on": "2025-10-02"}),
    )
    .await;
    let mut body = acquisition(v, "900", "20");
    body["category"] = json!("voluntary_continuation");
    body["reason"] = json!({"kind": "voluntary_continuation"});
    body["identification"]["office_code"] = json!("9999");
    body["birth_date"] = json!("1990-06-01");
    body["acquired_on"] = json!("2025-10-01");
    body["received_on"] = json!("2025-10-05");
    body["sex"] = json!("female");
    app.acquire(&body).await;
    let (status, answer) = app
        .post_json(
            "/api/v1/premium-accounts",
            &choshu,
            &json!({"person_id": v, "first_premium_due_on": "2025-10-20"}),
        )
        .await;
    assert_eq!(status, 201, "{answer}");
    // 1234 by hand first; the run issues 5678's and skips 1234's.
    let (status, _) = issue(&app, &choshu, OFFICE, "2026-04").await;
    assert_eq!(status, 201);
    let (status, run) = app
        .post_json(
            "/api/v1/assessment-runs",
            &choshu,
            &json!({"month": "2026-04"}),
        )
        .await;
    assert_eq!(status, 200, "{run}");
    assert_eq!(run["offices"], 2);
    assert_eq!(run["notices_issued"], 1);
    assert_eq!(run["already_issued"], 1);
    assert_eq!(run["failed"], json!([]));
    // 5678: one insured, 500,000 (grade 30), born 1990: 500,000 × 0.0973 = 48,650; half 24,325.
    assert_eq!(run["insured_lines"], 1);
    assert_eq!(run["notice_amount_total"], 48_650);
    let (_, other) = app
        .get_json(
            &format!("/api/v1/employer-notices/{OTHER_OFFICE}/2026-04"),
            &choshu,
        )
        .await;
    assert_eq!(other["totals"]["notice_amount"], 48_650);
    assert_eq!(other["totals"]["insured_total"], 24_325);
    // The 任継 account: April assessed by the premium accounts' own service; full premium
    // (161条1項) 300,000 × 0.0973 = 29,190.
    assert_eq!(run["voluntary"]["accounts"], 1, "{run}");
    assert_eq!(run["voluntary"]["assessed"], 1, "{run}");
    assert_eq!(run["voluntary"]["premium_total"], 29_190);
    assert_eq!(run["events_written"], 2);
    // A second run issues nothing.
    let before = app.event_count().await;
    let (status, again) = app
        .post_json(
            "/api/v1/assessment-runs",
            &choshu,
            &json!({"month": "2026-04"}),
        )
        .await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["notices_issued"], 0);
    assert_eq!(again["already_issued"], 2);
    assert_eq!(again["voluntary"]["accounts"], 0);
    assert_eq!(app.event_count().await, before);

    // A correction with nothing changed is refused.
    let reissue = |reason: &str| {
        app.post(
            &format!("/api/v1/employer-notices/{OFFICE}/2026-04/reissue"),
            &choshu,
            &json!({ "reason": reason }),
        )
    };
    let (status, body) = json(reissue("訂正").send().await.unwrap()).await;
    assert_eq!(
        (status, body["code"].clone()),
        (409, json!("reissue_unchanged"))
    );
    // A's 標準報酬月額 corrected retroactively to 134,000 (grade 10, three grades up) from
    // 2026-04 (随時改定): 134,000 × 0.0973 = 13,038.2; half 6,519.1 → 6,519.
    // 告知額 floor(13,038.2 + 33,990) = 47,028; insured 6,519 + 16,995 = 23,514;
    // employer 47,028 − 23,514 = 23,514.
    app.person_command(
        a,
        "standard-remuneration",
        &json!({"kind": "interim_revision", "effective_from": "2026-04", "monthly_remuneration": 134_000,
               "received_on": "2026-06-01"}),
    )
    .await;
    let (status, body) = json(reissue("").send().await.unwrap()).await;
    assert_eq!(
        (status, body["code"].clone()),
        (422, json!("reason_required"))
    );
    let (status, body) = json(reissue("月額変更届 (遡及)").send().await.unwrap()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["events"], json!(["NoticeReissued"]));
    assert_eq!(body["notice"]["revision"], 2);
    assert_eq!(body["notice"]["totals"]["notice_amount"], 47_028);
    assert_eq!(body["notice"]["totals"]["insured_total"], 23_514);
    assert_eq!(body["notice"]["totals"]["employer_total"], 23_514);
    assert_eq!(body["notice"]["revisions"][0]["notice_amount"], 44_693);
    assert_eq!(
        body["notice"]["revisions"][1]["reason"],
        "月額変更届 (遡及)"
    );
    // The original stays in the stream.
    let stream = body["stream_id"].as_str().unwrap().to_owned();
    let (_, history) = app
        .get_json(&format!("/api/v1/streams/{stream}"), &choshu)
        .await;
    let types: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event_type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["NoticeIssued", "NoticeReissued"], "{history}");
}

async fn notice_rows(pool: &PgPool) -> Vec<(Uuid, String, String, String, i64, i64, Value, i64)> {
    sqlx::query_as(
        "SELECT notice_id, office_code, month, status, notice_amount, received_total, view, stream_version
           FROM employer_notices ORDER BY notice_id",
    )
    .fetch_all(pool)
    .await
    .unwrap()
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn the_rebuilt_read_model_equals_the_live_one(pool: PgPool) {
    let mut app = spawn_app(pool.clone()).await;
    let choshu = app.bootstrap_choshu().await;
    set_rates(&mut app).await;
    three_insured(&app).await;
    let (status, _) = issue(&app, &choshu, OFFICE, "2026-04").await;
    assert_eq!(status, 201);
    let (status, _) = issue(&app, &choshu, OTHER_OFFICE, "2026-04").await;
    assert_eq!(status, 201);
    assert_eq!(receipt(&app, &choshu, 10_000, "R-1").await.0, 200);
    assert_eq!(receipt(&app, &choshu, 40_000, "R-2").await.0, 200);
    let live = notice_rows(&pool).await;
    assert_eq!(live.len(), 2);
    // 10,000 + 40,000 = 50,000 ≥ 44,693: paid, 5,307 過納 (outstanding −5,307).
    let paid = live.iter().find(|r| r.1 == OFFICE).unwrap();
    assert_eq!(paid.3, "paid");
    assert_eq!(paid.6["outstanding"], -5_307);
    assert_eq!(paid.6["receipts"][1]["kind"], "over");

    app.rebuild_projections(3).await;
    let rebuilt = notice_rows(&pool).await;
    assert_eq!(rebuilt, live);
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn the_openapi_document_lists_the_routes(pool: PgPool) {
    let app = spawn_app(pool).await;
    let doc = app.openapi().await;
    for (path, method) in [
        ("/api/v1/employer-notices", "post"),
        ("/api/v1/employer-notices", "get"),
        ("/api/v1/employer-notices/{office_code}/{month}", "get"),
        (
            "/api/v1/employer-notices/{office_code}/{month}/receipts",
            "post",
        ),
        (
            "/api/v1/employer-notices/{office_code}/{month}/reissue",
            "post",
        ),
        ("/api/v1/assessment-runs", "post"),
    ] {
        assert!(doc["paths"][path][method].is_object(), "{method} {path}");
    }
    for schema in [
        "NoticeRecorded",
        "NoticeDetail",
        "NoticeLine",
        "AssessmentSummary",
    ] {
        assert!(doc["components"]["schemas"][schema].is_object(), "{schema}");
    }
}
