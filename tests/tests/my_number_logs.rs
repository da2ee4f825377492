//! 個人番号 never appears in log output: the tracing output of a full scenario (entry, refusals,
//! duplicates, reading, change, 名寄せ, retention) at the most verbose level is captured and
//! searched.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use common::bodies::acquisition;
use common::{json, spawn_app, TestApp};
use kenpo_api::application::retention::{self, RetentionOptions};
use kenpo_api::auth::Role;
use kenpo_domain::calendar::Date;
use reqwest::RequestBuilder;
use serde_json::json;
use sqlx::PgPool;
use tracing_subscriber::layer::SubscriberExt;
use uuid::Uuid;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

/// Every Idempotency-Key this scenario sent.
static KEYS: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// POST with a fresh `Idempotency-Key`, as the UI sends on every command.
fn post_keyed(app: &TestApp, path: &str, token: &str, body: &serde_json::Value) -> RequestBuilder {
    let key = format!("log-scan-{}", Uuid::new_v4());
    KEYS.lock().unwrap().push(key.clone());
    app.post(path, token, body).header("idempotency-key", key)
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn no_my_number_in_the_logs_of_a_full_scenario(pool: PgPool) {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::registry()
        .with(tracing_subscriber::EnvFilter::new("trace"))
        .with(
            tracing_subscriber::fmt::layer()
                .json()
                .with_writer(captured.clone()),
        )
        .with(tracing_subscriber::fmt::layer().with_writer(captured.clone()));
    tracing::subscriber::set_global_default(subscriber).unwrap();

    let app = spawn_app(pool).await;
    app.bootstrap(
        "mn1",
        "適用一課",
        &[Role::Qualification],
        true,
        Date::from_ymd(2000, 1, 1).unwrap(),
        None,
    )
    .await;
    let mn = app.token("mn1", &[Role::Qualification]);
    let (status, _) = json(
        post_keyed(
            &app,
            "/api/v1/my-number/access",
            &mn,
            &json!({"purpose": "登録"}),
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(status, 201);
    let mn2 = app.my_number_confirmer_with_access_by(&post_keyed).await;
    let numbers = ["123456789018", "983205673214", "123456789000"];
    let mut persons = Vec::new();
    for (n, lost) in [(0, true), (1, false)] {
        let id = Uuid::now_v7();
        let mut body = acquisition(id, "400", &format!("{n}"));
        body["acquired_on"] = json!("2010-04-01");
        body["received_on"] = json!("2010-04-01");
        assert_eq!(
            post_keyed(&app, "/api/v1/acquisitions", &app.clerk(), &body)
                .send()
                .await
                .unwrap()
                .status(),
            201
        );
        if lost {
            let loss = json!({"lost_on": "2014-04-01", "reason": {"kind": "retirement", "last_working_day": "2014-03-31"}, "received_on": "2014-04-01"});
            assert_eq!(
                post_keyed(
                    &app,
                    &format!("/api/v1/persons/{id}/loss"),
                    &app.clerk(),
                    &loss
                )
                .send()
                .await
                .unwrap()
                .status(),
                200
            );
        }
        persons.push(id);
    }
    let body =
        |number: &str| json!({"number": number, "source": "person", "registered_on": "2025-04-03"});
    let register = |id: Uuid, number: &str| {
        post_keyed(
            &app,
            &format!("/api/v1/persons/{id}/my-number"),
            &mn,
            &body(number),
        )
    };
    // double entry: keyed by mn1, confirmed by mn2
    for (id, number) in [(persons[0], numbers[0]), (persons[1], numbers[1])] {
        let path = format!("/api/v1/persons/{id}/my-number");
        let (status, answer) = app
            .enter_and_confirm(&post_keyed, id, &path, &body(number), number, &mn, &mn2)
            .await;
        assert_eq!(status, 201, "{answer}");
    }
    // refusals: duplicate, wrong check digit, JSON number
    assert_eq!(
        register(persons[1], numbers[0])
            .send()
            .await
            .unwrap()
            .status(),
        409
    );
    assert_eq!(
        register(persons[1], "983205673210")
            .send()
            .await
            .unwrap()
            .status(),
        422
    );
    let as_number =
        json!({"number": 983205673210_u64, "source": "person", "registered_on": "2025-04-03"});
    assert_eq!(
        post_keyed(
            &app,
            &format!("/api/v1/persons/{}/my-number", persons[1]),
            &mn,
            &as_number
        )
        .send()
        .await
        .unwrap()
        .status(),
        422
    );
    // read, change, 名寄せ
    assert_eq!(
        app.get(&format!("/api/v1/persons/{}/my-number", persons[1]), &mn)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let change =
        json!({"number": numbers[2], "reason": {"kind": "reissued"}, "changed_on": "2026-01-10"});
    let change_path = format!("/api/v1/persons/{}/my-number/change", persons[1]);
    let (status, entry) = json(
        post_keyed(&app, &change_path, &mn, &change)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 202, "{entry}");
    let entry_id = entry["entry_id"].as_str().unwrap().to_owned();
    // the double entry's refusals: the same person, a different number, and a withdrawal
    for (token, number, want) in [(&mn, numbers[2], 403), (&mn2, numbers[0], 422)] {
        let (status, _) = app
            .confirm_my_number_entry(&post_keyed, token, persons[1], &entry_id, number)
            .await;
        assert_eq!(status, want);
    }
    let withdrawal = format!(
        "/api/v1/persons/{}/my-number/entries/{entry_id}/withdrawal",
        persons[1]
    );
    let (status, _) = json(
        post_keyed(&app, &withdrawal, &mn2, &json!({"reason": "読み違い"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 201);
    let (status, answer) = app
        .change_my_number_by(&post_keyed, persons[1], &change, &mn, &mn2)
        .await;
    assert_eq!(status, 201, "{answer}");
    assert_eq!(
        post_keyed(
            &app,
            "/api/v1/my-number/lookups",
            &mn,
            &json!({"number": numbers[2]})
        )
        .send()
        .await
        .unwrap()
        .status(),
        200
    );
    // retention erases the first
    let options = RetentionOptions {
        as_of: Date::from_ymd(2026, 11, 25).unwrap(),
        batch: 10,
        dry_run: false,
        actor: "system:test".to_owned(),
        abort_after: None,
    };
    let run = retention::run(
        &app.pool,
        &kenpo_api::startup::upcasters(),
        &options,
        &|_| {},
    )
    .await
    .unwrap();
    assert_eq!(run.erased, 1);
    // a member search by kana and birth date: the request log keeps the path and the names
    // of the parameters, never their values
    let search = app
        .get(
            "/api/v1/members?kana=ヤマダ%20タロウ&birth_date=1980-04-01",
            &app.clerk(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(search.status(), 200);
    tracing::info!(erased = run.erased, "scenario finished");

    let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    // the capture really saw the scenario: request spans and our own line
    assert!(
        text.contains("/api/v1/persons/"),
        "request logs were captured"
    );
    assert!(text.contains("scenario finished"));
    assert!(text.contains("/api/v1/members"), "the search was logged");
    for value in [
        "ヤマダ",
        "%E3%83%A4%E3%83%9E%E3%83%80",
        "%e3%83%a4%e3%83%9e%e3%83%80",
        "birth_date=1980",
    ] {
        assert!(
            !text.contains(value),
            "the search value {value} is in the logs"
        );
    }
    let keys = KEYS.lock().unwrap().clone();
    assert!(keys.len() >= 10, "every command carried a key");
    for key in keys {
        assert!(
            !text.contains(&key),
            "the Idempotency-Key {key} is in the logs"
        );
    }
    for number in numbers.iter().chain(["983205673210"].iter()) {
        let spaced = format!("{} {} {}", &number[..4], &number[4..8], &number[8..]);
        let hyphened = format!("{}-{}-{}", &number[..4], &number[4..8], &number[8..]);
        for form in [number.to_string(), spaced, hyphened] {
            assert!(!text.contains(&form), "{form} is in the logs");
        }
    }
}
