//! `kenpo retention run` refuses what it must not do: an as-of date after today (Japan time),
//! and an actor who is not an active ユーザ管理簿 account holding the `data_protection` role.
//! Every refusal exits non-zero and erases nothing.

use std::process::Command;

use crate::common::bodies::acquisition;
use crate::common::double_entry::keyed;
use crate::common::{spawn_app, TestApp};
use crate::{database_url, kenpo_binary};
use kenpo_api::auth::Role;
use kenpo_domain::calendar::Date;
use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

/// Run `kenpo retention run <args>` against the test's database.
pub fn retention(pool: &PgPool, args: &[&str]) -> std::process::Output {
    Command::new(kenpo_binary())
        .args(["retention", "run"])
        .args(args)
        .env("DATABASE_URL", database_url(pool))
        .env("RUST_LOG", "warn")
        .env_remove("USER")
        .output()
        .unwrap()
}

/// Persons who joined in 2010 and left in 2014 with a 個人番号 registered: due for erasure
/// on any day after 2024-04-01. Returns their ids.
pub async fn due_persons(app: &TestApp, numbers: &[&str]) -> Vec<Uuid> {
    let mn = app.my_number_clerk_with_access().await;
    let confirmer = app.my_number_confirmer_with_access().await;
    let mut due = Vec::new();
    for (n, number) in numbers.iter().enumerate() {
        let id = Uuid::now_v7();
        let mut body = acquisition(id, "500", &format!("{n}"));
        body["acquired_on"] = json!("2010-04-01");
        body["received_on"] = json!("2010-04-01");
        assert_eq!(
            app.post_json("/api/v1/acquisitions", &app.clerk(), &body)
                .await
                .0,
            201
        );
        let loss = json!({"lost_on": "2014-04-01", "reason": {"kind": "retirement", "last_working_day": "2014-03-31"}, "received_on": "2014-04-01"});
        let path = format!("/api/v1/persons/{id}/loss");
        assert_eq!(app.post_json(&path, &app.clerk(), &loss).await.0, 200);
        let path = format!("/api/v1/persons/{id}/my-number");
        let body = json!({"number": number, "source": "person", "registered_on": "2012-04-03"});
        let (status, body) = app
            .enter_and_confirm(&keyed, id, &path, &body, number, &mn, &confirmer)
            .await;
        assert_eq!(status, 201, "{number}: {body}");
        due.push(id);
    }
    due
}

async fn counts(pool: &PgPool) -> (i64, i64) {
    sqlx::query_as(
        "SELECT (SELECT count(*) FROM subject_keys), (SELECT count(*) FROM erasure_ledger)",
    )
    .fetch_one(pool)
    .await
    .unwrap()
}

fn refused(output: &std::process::Output, expected: &str) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !output.status.success(),
        "not refused; stdout: {}",
        String::from_utf8_lossy(&output.stdout)
    );
    assert!(stderr.contains(expected), "stderr: {stderr}");
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn an_as_of_after_today_in_japan_is_refused_and_nothing_is_erased(pool: PgPool) {
    let app = spawn_app(pool.clone()).await;
    due_persons(&app, &["123456789018"]).await;
    let tomorrow = kenpo_api::application::retention::jst_today()
        .naive()
        .succ_opt()
        .unwrap()
        .to_string();
    for args in [
        ["--as-of", tomorrow.as_str(), "--actor", "dpo1"],
        ["--as-of", "2099-01-01", "--actor", "dpo1"],
    ] {
        let output = retention(&pool, &args);
        refused(&output, "is after today");
    }
    assert_eq!(counts(&pool).await, (1, 0), "nothing was erased");
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn only_an_active_data_protection_account_may_run_it(pool: PgPool) {
    let app = spawn_app(pool.clone()).await;
    let due = due_persons(&app, &["123456789018"]).await;
    app.bootstrap(
        "dpo9",
        "企画部",
        &[Role::DataProtection],
        false,
        Date::from_ymd(2000, 1, 1).unwrap(),
        Date::from_ymd(2020, 3, 31),
    )
    .await;
    let as_of = ["--as-of", "2026-11-25"];
    // no actor at all (and no $USER to fall back on)
    refused(&retention(&pool, &as_of), "--actor");
    for (actor, expected) in [
        ("nobody", "no account for this user"),
        ("system:cron", "職員ID"),
        ("clerk1", "data_protection"),
        ("audit1", "data_protection"),
        ("dpo9", "rights ended on 2020-03-31"),
    ] {
        let output = retention(&pool, &[as_of[0], as_of[1], "--actor", actor]);
        refused(&output, expected);
        assert!(
            String::from_utf8_lossy(&output.stderr).contains(actor),
            "the refusal names the actor"
        );
    }
    assert_eq!(counts(&pool).await, (1, 0), "nothing was erased");

    let output = retention(&pool, &[as_of[0], as_of[1], "--actor", "dpo1"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let ledger: Vec<(Uuid, String)> =
        sqlx::query_as("SELECT person_id, erased_by FROM erasure_ledger")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(ledger, vec![(due[0], "dpo1".to_owned())]);
    let actor: String = sqlx::query_scalar(
        "SELECT metadata->>'actor' FROM events WHERE event_type = 'MyNumberErased'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(actor, "dpo1");
}
