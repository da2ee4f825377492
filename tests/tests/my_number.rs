//! 個人番号 (issue 3) over real HTTP against a real PostgreSQL: elevation and permission,
//! entry checks, duplicates, reading, 名寄せ, the access log, retention erasure — and that no
//! number can be found anywhere it must not be.

mod common;

use std::sync::Mutex;

use common::bodies::acquisition;
use common::{json, spawn_app, TestApp};
use kenpo_api::application::erasure_proof;
use kenpo_api::application::retention::{self, RetentionOptions};
use kenpo_api::auth::Role;
use kenpo_domain::calendar::Date;
use kenpo_infrastructure::crypto::signing::{self, FileSigningKey};
use reqwest::RequestBuilder;
use serde_json::{json, Value};
use sqlx::PgPool;
use uuid::Uuid;

/// Valid 個人番号 (check digits computed by hand from rules.md §1, not by the code under test).
const A: &str = "123456789018";
const B: &str = "983205673214";
const C: &str = "123456789000";

/// Make more valid numbers: 11 base digits + the rules.md §1 check digit.
fn valid_number(base: u64) -> String {
    let digits: Vec<u32> = format!("{base:011}")
        .chars()
        .map(|c| c.to_digit(10).unwrap())
        .collect();
    let weights = [6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2];
    let sum: u32 = digits.iter().zip(weights).map(|(d, w)| d * w).sum();
    let check = if sum % 11 <= 1 { 0 } else { 11 - sum % 11 };
    format!("{base:011}{check}")
}

/// The clerk `mn1` (permitted, access still off) and the confirmer `mn2` (permitted, access
/// on) of the double entry.
async fn mn_clerk(app: &TestApp) -> String {
    app.my_number_confirmer_with_access_by(&mn_post).await;
    app.my_number_clerk().await
}

async fn person(app: &TestApp, acquired_on: &str, lost: Option<(&str, &str)>) -> Uuid {
    let id = Uuid::now_v7();
    let mut body = acquisition(id, "300", &format!("{}", id.as_u128() % 10_000_000));
    body["acquired_on"] = json!(acquired_on);
    body["received_on"] = json!(acquired_on);
    let (status, answer) = json(
        app.post("/api/v1/acquisitions", &app.clerk(), &body)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 201, "{answer}");
    if let Some((last_working_day, lost_on)) = lost {
        let loss = json!({ "lost_on": lost_on, "reason": { "kind": "retirement", "last_working_day": last_working_day }, "received_on": lost_on });
        let (status, answer) = json(
            app.post(&format!("/api/v1/persons/{id}/loss"), &app.clerk(), &loss)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, 200, "{answer}");
    }
    id
}

async fn access_on(app: &TestApp, token: &str) {
    let (status, body) = json(
        mn_post(
            app,
            "/api/v1/my-number/access",
            token,
            &json!({"purpose": "資格取得届の個人番号登録"}),
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(status, 201, "{body}");
}

/// 登録 keyed by `token` and confirmed by the confirmer `mn2` (ダブルチェック): the
/// confirmation's answer, or the entry's when it was not pending.
async fn register(app: &TestApp, token: &str, person: Uuid, number: &str) -> (u16, Value) {
    app.register_my_number_by(&mn_post, person, number, token, &app.my_number_confirmer())
        .await
}

async fn access_log(app: &TestApp) -> Vec<(String, String, String, Option<Uuid>, Option<String>)> {
    sqlx::query_as("SELECT staff_id, action, outcome, person_id, reason_code FROM my_number_access_log ORDER BY seq")
        .fetch_all(&app.pool)
        .await
        .unwrap()
}

/// Every value of every column of every table, as text.
async fn whole_database_as_text(pool: &PgPool) -> String {
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let mut text = String::new();
    for table in tables {
        let rows: Vec<String> = sqlx::query_scalar(&format!("SELECT t::text FROM \"{table}\" t"))
            .fetch_all(pool)
            .await
            .unwrap();
        for row in rows {
            text.push_str(&table);
            text.push(' ');
            text.push_str(&row);
            text.push('\n');
        }
    }
    text
}

/// The forms a number could hide in: digits, with separators, inside JSON, base64 of the
/// plaintext (standard and url-safe, of the digits and of the sealed plaintext JSON).
fn forms_of(number: &str) -> Vec<String> {
    use base64::Engine;
    let (a, b, c) = (&number[..4], &number[4..8], &number[8..]);
    let mut forms = vec![
        number.to_owned(),
        format!("{a}-{b}-{c}"),
        format!("{a} {b} {c}"),
        format!("\"{number}\""),
    ];
    for plain in [
        number.to_owned(),
        format!("{{\"n\":\"{number}\",\"prev\":null}}"),
    ] {
        for engine in [
            &base64::engine::general_purpose::STANDARD,
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        ] {
            let encoded = engine.encode(plain.as_bytes());
            // a prefix long enough to be unmistakable, robust to padding
            forms.push(encoded[..encoded.len().min(16)].to_owned());
        }
    }
    forms
}

/// Every My Number request these tests sent: (app, path, the exact body bytes), for the
/// unkeyed-digest scan.
static SENT: Mutex<Vec<(String, String, Vec<u8>)>> = Mutex::new(Vec::new());

/// POST to a My Number route the way the UI does: with a fresh `Idempotency-Key` on every
/// command, so that the idempotency record of each is in the database the scans search.
fn mn_post(app: &TestApp, path: &str, token: &str, body: &Value) -> RequestBuilder {
    SENT.lock().unwrap().push((
        app.base.clone(),
        path.to_owned(),
        serde_json::to_vec(body).unwrap(),
    ));
    app.post(path, token, body)
        .header("idempotency-key", Uuid::new_v4().to_string())
}

/// Unkeyed digests an attacker with a dump could recompute by guessing: SHA-256, SHA-1 and
/// MD5, as hex and base64, of every body this app sent (alone, and as method ‖ path ‖ body
/// with and without separators, the path with and without `/api/v1`), and of each number in
/// any spacing.
fn unkeyed_digests(app: &TestApp, numbers: &[&str]) -> Vec<(String, String)> {
    use base64::Engine;
    use md5::Md5;
    use sha1::Sha1;
    use sha2::{Digest, Sha256};
    let mut messages: Vec<(String, Vec<u8>)> = Vec::new();
    for (base, path, body) in SENT.lock().unwrap().iter() {
        if base != &app.base {
            continue;
        }
        messages.push((format!("body of POST {path}"), body.clone()));
        // the path as sent, and as the router nested under /api/v1 sees it
        let paths = [path.as_str(), path.trim_start_matches("/api/v1")];
        for (route, separator) in paths
            .into_iter()
            .flat_map(|p| [&b"\0"[..], &b""[..], &b"\n"[..], &b" "[..]].map(|s| (p, s)))
        {
            let mut message = b"POST".to_vec();
            message.extend_from_slice(separator);
            message.extend_from_slice(route.as_bytes());
            message.extend_from_slice(separator);
            message.extend_from_slice(body);
            messages.push((format!("POST {route} with its body"), message));
        }
    }
    for number in numbers {
        let (a, b, c) = (&number[..4], &number[4..8], &number[8..]);
        for form in [
            number.to_string(),
            format!("{a} {b} {c}"),
            format!("{a}-{b}-{c}"),
        ] {
            messages.push((format!("the number {form}"), form.into_bytes()));
        }
    }
    let mut digests = Vec::new();
    for (what, message) in messages {
        for (algorithm, digest) in [
            ("SHA-256", Sha256::digest(&message).to_vec()),
            ("SHA-1", Sha1::digest(&message).to_vec()),
            ("MD5", Md5::digest(&message).to_vec()),
        ] {
            let label = format!("{algorithm} of {what}");
            digests.push((label.clone(), hex::encode(&digest)));
            for engine in [
                &base64::engine::general_purpose::STANDARD,
                &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            ] {
                let encoded = engine.encode(&digest);
                digests.push((label.clone(), encoded[..encoded.len().min(20)].to_owned()));
            }
        }
    }
    digests
}

async fn idempotency_records(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM idempotency_keys")
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

/// The database holds no number in any form and no unkeyed digest of anything sent.
async fn assert_nothing_to_guess_in_the_database(app: &TestApp, numbers: &[&str]) {
    let everything = whole_database_as_text(&app.pool).await;
    let lower = everything.to_lowercase();
    for number in numbers {
        for form in forms_of(number) {
            assert!(!everything.contains(&form), "{form} found in the database");
        }
    }
    let digests = unkeyed_digests(app, numbers);
    assert!(digests.len() > 50, "the scan has something to look for");
    for (what, digest) in digests {
        let found = if digest.chars().all(|c| c.is_ascii_hexdigit()) {
            lower.contains(&digest)
        } else {
            everything.contains(&digest)
        };
        assert!(!found, "{what} ({digest}) found in the database");
    }
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn register_read_change_and_lookup_only_with_access_switched_on(pool: PgPool) {
    let app = spawn_app(pool).await;
    let mn = mn_clerk(&app).await;
    let id = person(&app, "2025-04-01", None).await;

    // access is off by default
    let (status, problem) = register(&app, &mn, id, A).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (403, Some("my_number_access_off")),
        "{problem}"
    );
    access_on(&app, &mn).await;

    let (status, body) = register(&app, &mn, id, A).await;
    assert_eq!(status, 201, "{body}");
    assert!(
        !body.to_string().contains(A),
        "the answer never carries the number"
    );
    // the same number again for the same person: nothing new
    let before = app.event_count().await;
    let (status, body) = register(&app, &mn, id, A).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(app.event_count().await, before);

    let response = app
        .get(&format!("/api/v1/persons/{id}/my-number"), &mn)
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["cache-control"], "no-store");
    let (status, read) = json(response).await;
    assert_eq!(
        (status, read["my_number"].as_str()),
        (200, Some(A)),
        "{read}"
    );

    let change =
        json!({ "number": B, "reason": { "kind": "reissued" }, "changed_on": "2026-01-10" });
    let (status, body) = app
        .change_my_number_by(&mn_post, id, &change, &mn, &app.my_number_confirmer())
        .await;
    assert_eq!(status, 201, "{body}");
    let (_, read) = json(
        app.get(&format!("/api/v1/persons/{id}/my-number"), &mn)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(read["my_number"], B);

    // 名寄せ finds the holder of the current number, not of the old one
    let (status, found) = json(
        mn_post(
            &app,
            "/api/v1/my-number/lookups",
            &mn,
            &json!({"number": B}),
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(
        (status, found["person_id"].as_str()),
        (200, Some(id.to_string().as_str()))
    );
    let (status, _) = json(
        mn_post(
            &app,
            "/api/v1/my-number/lookups",
            &mn,
            &json!({"number": A}),
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(status, 404);

    // the status read model knows the state, never the number
    let (status, st) = json(
        app.get(
            &format!("/api/v1/persons/{id}/my-number/status"),
            &app.clerk(),
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!((status, st["status"].as_str()), (200, Some("registered")));

    let log = access_log(&app).await;
    let actions: Vec<(&str, &str, &str)> = log
        .iter()
        .map(|(staff, a, o, _, _)| (staff.as_str(), a.as_str(), o.as_str()))
        .collect();
    // every entry is keyed by mn1 and confirmed by mn2 (ダブルチェック)
    assert_eq!(
        actions,
        vec![
            ("mn2", "elevate", "ok"),
            ("mn1", "register", "refused"),
            ("mn1", "elevate", "ok"),
            ("mn1", "register", "ok"),
            ("mn2", "confirm", "ok"),
            ("mn1", "register", "ok"),
            ("mn1", "read", "ok"),
            ("mn1", "change", "ok"),
            ("mn2", "confirm", "ok"),
            ("mn1", "read", "ok"),
            ("mn1", "lookup", "ok"),
            ("mn1", "lookup", "ok"),
        ]
    );
    assert_eq!(log[6].3, Some(id));
    assert_nothing_to_guess_in_the_database(&app, &[A, B]).await;
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn an_idempotency_record_replays_within_its_window_only_and_is_then_purged(pool: PgPool) {
    let app = spawn_app(pool).await;
    let mn = mn_clerk(&app).await;
    access_on(&app, &mn).await;
    let id = person(&app, "2025-04-01", None).await;
    let other = person(&app, "2025-04-01", None).await;
    let body = json!({ "number": A, "source": "employer", "registered_on": "2025-04-03" });
    let send = || {
        app.post(&format!("/api/v1/persons/{id}/my-number"), &mn, &body)
            .header("idempotency-key", "mn-0001")
    };
    let (status, first) = json(send().send().await.unwrap()).await;
    assert_eq!(status, 202, "{first}");
    let entry_id = first["entry_id"].as_str().unwrap().to_owned();
    let confirmer = app.my_number_confirmer();
    let (status, confirmed) = app
        .confirm_my_number_entry(&mn_post, &confirmer, id, &entry_id, A)
        .await;
    assert_eq!(status, 201, "{confirmed}");
    // within the window: the first answer again, nothing new
    let before = app.event_count().await;
    let (status, again) = json(send().send().await.unwrap()).await;
    assert_eq!((status, &again), (202, &first));
    assert_eq!(app.event_count().await, before);
    // the window is 7 days by default, and the record names its person
    let records: Vec<(f64, Option<Uuid>)> = sqlx::query_as(
        "SELECT extract(epoch FROM expires_at - created_at)::float8 / 86400, subject_person
           FROM idempotency_keys",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(records.len(), 2, "the entry and its confirmation");
    for (window, subject) in records {
        assert!((window - 7.0).abs() < 0.001, "{window} days");
        assert_eq!(subject, Some(id));
    }
    // after the window the same request runs anew: the same number again is 200, nothing new
    sqlx::query("UPDATE idempotency_keys SET expires_at = now() - interval '1 second'")
        .execute(&app.pool)
        .await
        .unwrap();
    let (status, anew) = json(send().send().await.unwrap()).await;
    assert_eq!(status, 200, "an expired record is never replayed: {anew}");
    assert_eq!(app.event_count().await, before);
    // that answer is the one recorded now
    assert_eq!(json(send().send().await.unwrap()).await, (200, anew));
    // the purge deletes the expired records and only those
    assert_eq!(register(&app, &mn, other, B).await.0, 201);
    sqlx::query(
        "UPDATE idempotency_keys SET expires_at = now() - interval '1 second'
          WHERE subject_person = $1",
    )
    .bind(id)
    .execute(&app.pool)
    .await
    .unwrap();
    let purged = kenpo_infrastructure::idempotency::purge_expired(&app.pool)
        .await
        .unwrap();
    assert_eq!(purged, 2, "the entry's and the confirmation's");
    let left: Vec<Option<Uuid>> = sqlx::query_scalar("SELECT subject_person FROM idempotency_keys")
        .fetch_all(&app.pool)
        .await
        .unwrap();
    assert_eq!(left, vec![Some(other), Some(other)]);
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn wrong_numbers_and_duplicates_are_refused_without_echo_and_logged(pool: PgPool) {
    let app = spawn_app(pool).await;
    let mn = mn_clerk(&app).await;
    access_on(&app, &mn).await;
    let first = person(&app, "2025-04-01", None).await;
    let second = person(&app, "2025-04-01", None).await;
    let before = app.event_count().await;
    for wrong in [
        "983205673210",
        "12345678901",
        "12345678901x",
        "1234567890123",
    ] {
        let (status, problem) = register(&app, &mn, first, wrong).await;
        assert_eq!(status, 422, "{problem}");
        assert!(
            !problem.to_string().contains(wrong),
            "the refusal echoes the number: {problem}"
        );
    }
    // a JSON number is refused without echo too
    let body =
        json!({ "number": 983205673210_u64, "source": "employer", "registered_on": "2025-04-03" });
    let (status, problem) = json(
        mn_post(
            &app,
            &format!("/api/v1/persons/{first}/my-number"),
            &mn,
            &body,
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(status, 422);
    assert!(!problem.to_string().contains("983205673210"));
    assert_eq!(app.event_count().await, before, "nothing written");

    assert_eq!(register(&app, &mn, first, C).await.0, 201);
    let (status, problem) = register(&app, &mn, second, C).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (409, Some("my_number_duplicate")),
        "{problem}"
    );
    assert!(!problem.to_string().contains(C));
    assert!(
        !problem.to_string().contains(&first.to_string()),
        "the holder is not named"
    );

    let refusals: Vec<_> = access_log(&app)
        .await
        .into_iter()
        .filter(|r| r.2 == "refused")
        .collect();
    assert_eq!(refusals.len(), 6, "{refusals:?}");
    assert_eq!(refusals[5].3, Some(second));
    assert_eq!(refusals[5].4.as_deref(), Some("my_number_duplicate"));
    assert_nothing_to_guess_in_the_database(&app, &["983205673210", C]).await;
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn the_authorisation_matrix(pool: PgPool) {
    let app = spawn_app(pool).await;
    let from = Date::from_ymd(2000, 1, 1).unwrap();
    app.bootstrap("mn1", "適用一課", &[Role::Qualification], true, from, None)
        .await;
    app.bootstrap("kyufu_mn", "給付課", &[Role::Benefits], true, from, None)
        .await;
    app.bootstrap("audit_mn", "監査室", &[Role::Auditor], true, from, None)
        .await;
    app.bootstrap(
        "expired",
        "適用一課",
        &[Role::Qualification],
        true,
        from,
        Some(Date::from_ymd(2020, 3, 31).unwrap()),
    )
    .await;
    let id = person(&app, "2025-04-01", None).await;
    let mn = app.token("mn1", &[Role::Qualification]);
    access_on(&app, &mn).await;
    app.my_number_confirmer_with_access_by(&mn_post).await;
    assert_eq!(register(&app, &mn, id, A).await.0, 201);

    let entry = |app: &TestApp, token: &str| {
        mn_post(
            app,
            &format!("/api/v1/persons/{id}/my-number/deletion"),
            token,
            &json!({"deleted_on": "2026-01-01", "reason": {"kind": "registered_in_error"}}),
        )
    };
    let read =
        |app: &TestApp, token: &str| app.get(&format!("/api/v1/persons/{id}/my-number"), token);
    let lookup = |app: &TestApp, token: &str| {
        mn_post(
            app,
            "/api/v1/my-number/lookups",
            token,
            &json!({"number": A}),
        )
    };
    let log = |app: &TestApp, token: &str| app.get("/api/v1/my-number/access-log", token);

    // (who, elevated?, expected status for entry, read, lookup, access log)
    let cases: Vec<(&str, &[Role], bool, [u16; 4])> = vec![
        (
            "clerk1",
            &[Role::Qualification],
            false,
            [403, 403, 403, 403],
        ), // no permission
        ("kyufu_mn", &[Role::Benefits], false, [403, 403, 403, 403]), // permitted, access off
        ("kyufu_mn", &[Role::Benefits], true, [403, 200, 200, 403]),  // reads, never enters
        ("audit_mn", &[Role::Auditor], true, [403, 403, 403, 403]),   // no reading role
        ("dpo1", &[Role::DataProtection], false, [403, 403, 403, 200]), // the log, not numbers
        (
            "expired",
            &[Role::Qualification],
            false,
            [401, 401, 401, 401],
        ), // outside validity
    ];
    for (user, roles, elevate, expected) in cases {
        let token = app.token(user, roles);
        if elevate {
            access_on(&app, &token).await;
        }
        let got = [
            read(&app, &token).send().await.unwrap().status().as_u16(),
            lookup(&app, &token).send().await.unwrap().status().as_u16(),
            log(&app, &token).send().await.unwrap().status().as_u16(),
        ];
        assert_eq!(
            got,
            [expected[1], expected[2], expected[3]],
            "{user} elevated={elevate}"
        );
        let status = entry(&app, &token).send().await.unwrap().status().as_u16();
        assert_eq!(status, expected[0], "{user} entry");
    }
    // the permitted clerk with access on may delete; then revoke the account: refused at once
    assert_eq!(entry(&app, &mn).send().await.unwrap().status(), 201);
    // revoke through the registry: proposed by システム担当, approved by データ保護担当
    let admin = app.token("admin1", &[Role::SystemAdmin]);
    let (status, proposed) = json(
        app.post(
            "/api/v1/accounts/changes",
            &admin,
            &json!({"staff_id": "mn1", "change": {"kind": "revoke", "reason": "異動"}}),
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(status, 201, "{proposed}");
    let change_id = proposed["change_id"].as_str().unwrap().to_owned();
    assert_eq!(
        read(&app, &mn).send().await.unwrap().status(),
        404,
        "nothing takes effect before approval"
    );
    let dpo = app.token("dpo1", &[Role::DataProtection]);
    let (status, approved) = json(
        app.post(
            &format!("/api/v1/accounts/changes/{change_id}/approval"),
            &dpo,
            &json!({}),
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{approved}");
    assert_eq!(read(&app, &mn).send().await.unwrap().status(), 401);
    // every refusal of a My Number action is in the access log
    let refused: i64 =
        sqlx::query_scalar("SELECT count(*) FROM my_number_access_log WHERE outcome = 'refused'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert!(refused >= 12, "refusals logged: {refused}");
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn retention_erases_due_numbers_everywhere_and_replay_still_works(pool: PgPool) {
    let app = spawn_app(pool).await;
    let mn = mn_clerk(&app).await;
    access_on(&app, &mn).await;
    // lost 2014-04-01 (due 2024-04-01), lost 2022-04-01 (not due), still qualified
    let mut due = Vec::new();
    let mut kept = Vec::new();
    for n in 0..6_u64 {
        let old = person(&app, "2010-04-01", Some(("2014-03-31", "2014-04-01"))).await;
        let recent = person(&app, "2015-04-01", Some(("2022-03-31", "2022-04-01"))).await;
        let active = person(&app, "2020-04-01", None).await;
        for (k, (id, is_due)) in [(old, true), (recent, false), (active, false)]
            .into_iter()
            .enumerate()
        {
            let number = valid_number(40_000_000_000 + n * 10 + k as u64);
            assert_eq!(register(&app, &mn, id, &number).await.0, 201);
            if is_due {
                due.push((id, number))
            } else {
                kept.push((id, number))
            }
        }
    }
    let options = RetentionOptions {
        as_of: Date::from_ymd(2026, 11, 25).unwrap(),
        batch: 4,
        dry_run: true,
        actor: "system:test".to_owned(),
        abort_after: None,
    };
    let upcasters = kenpo_api::startup::upcasters();
    let dry = retention::run(&app.pool, &upcasters, &options, &|_| {})
        .await
        .unwrap();
    assert_eq!((dry.due, dry.erased), (6, 0));
    let keys_before: i64 = sqlx::query_scalar("SELECT count(*) FROM subject_keys")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(keys_before, 18, "the dry run changed nothing");
    assert_eq!(
        idempotency_records(&app).await,
        36,
        "two per registration: the entry and its confirmation"
    );

    let run = retention::run(
        &app.pool,
        &upcasters,
        &RetentionOptions {
            dry_run: false,
            ..options.clone()
        },
        &|_| {},
    )
    .await
    .unwrap();
    assert_eq!(run.erased, 6);
    let again = retention::run(
        &app.pool,
        &upcasters,
        &RetentionOptions {
            dry_run: false,
            ..options
        },
        &|_| {},
    )
    .await
    .unwrap();
    assert_eq!(again.erased, 0, "idempotent");

    let ledger: Vec<(Uuid, String, String)> = sqlx::query_as(
        "SELECT person_id, erased_by, legal_basis FROM erasure_ledger ORDER BY person_id",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    let mut due_ids: Vec<Uuid> = due.iter().map(|(id, _)| *id).collect();
    due_ids.sort();
    assert_eq!(ledger.iter().map(|l| l.0).collect::<Vec<_>>(), due_ids);
    assert!(ledger
        .iter()
        .all(|l| l.1 == "system:test" && l.2.contains("10")));

    // the 管理簿 reads through the API: data protection and audit, by person and period, paged
    let dpo = app.token("dpo1", &[Role::DataProtection]);
    let (status, page) = json(app.get("/api/v1/erasures", &dpo).send().await.unwrap()).await;
    assert_eq!((status, page["total"].as_i64()), (200, Some(6)), "{page}");
    let records = page["records"].as_array().unwrap();
    let mut listed: Vec<Uuid> = records
        .iter()
        .map(|r| r["person_id"].as_str().unwrap().parse().unwrap())
        .collect();
    listed.sort();
    assert_eq!(listed, due_ids);
    let run_id = run.run_id.to_string();
    for r in records {
        assert_eq!(r["run_id"], run_id.as_str());
        assert_eq!(r["erased_by"], "system:test");
        assert_eq!(r["legal_basis"], retention::LEGAL_BASIS);
        assert_eq!(r["qualification_lost_on"], "2014-04-01");
        assert_eq!(r["due_on"], "2024-04-01");
        assert!(r["key_id"].is_string() && r["kek_version"].is_i64() && r["erased_at"].is_string());
    }
    let one = due_ids[0];
    let (_, by_person) = app
        .get_json(&format!("/api/v1/erasures?person_id={one}"), &dpo)
        .await;
    assert_eq!(by_person["total"], 1);
    assert_eq!(
        by_person["records"][0]["person_id"],
        one.to_string().as_str()
    );
    let (_, second) = app
        .get_json("/api/v1/erasures?per_page=4&page=2", &dpo)
        .await;
    assert_eq!(
        (
            second["total"].as_i64(),
            second["records"].as_array().map(Vec::len)
        ),
        (Some(6), Some(2))
    );
    let (_, later) = app
        .get_json("/api/v1/erasures?from=2100-01-01T00:00:00Z", &dpo)
        .await;
    assert_eq!(later["total"], 0);
    let (_, earlier) = app
        .get_json("/api/v1/erasures?to=2000-01-01T00:00:00Z", &dpo)
        .await;
    assert_eq!(earlier["total"], 0);
    let (status, audit) = app
        .get_json("/api/v1/erasures", &app.token("audit1", &[Role::Auditor]))
        .await;
    assert_eq!((status, audit["total"].as_i64()), (200, Some(6)));
    for token in [
        mn.clone(),
        app.token("admin1", &[Role::SystemAdmin]),
        app.token("kyufu1", &[Role::Benefits]),
    ] {
        let (status, problem) = app.get_json("/api/v1/erasures", &token).await;
        assert_eq!((status, problem["code"].as_str()), (403, Some("forbidden")));
    }
    let (status, problem) = app.get_json("/api/v1/erasures?per_page=0", &dpo).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (422, Some("invalid_query"))
    );

    // the erased persons' idempotency records went with their keys, in the same transaction
    assert_eq!(
        idempotency_records(&app).await,
        24,
        "only the kept persons' entries and confirmations are still recorded"
    );
    // the erased numbers are nowhere, in any form or unkeyed digest; the kept ones are still
    // only sealed
    let numbers: Vec<&str> = due
        .iter()
        .chain(kept.iter())
        .map(|(_, n)| n.as_str())
        .collect();
    assert_nothing_to_guess_in_the_database(&app, &numbers).await;
    for (id, _) in &due {
        let keys: i64 =
            sqlx::query_scalar("SELECT count(*) FROM subject_keys WHERE person_id = $1")
                .bind(id)
                .fetch_one(&app.pool)
                .await
                .unwrap();
        let index: i64 =
            sqlx::query_scalar("SELECT count(*) FROM my_number_index WHERE person_id = $1")
                .bind(id)
                .fetch_one(&app.pool)
                .await
                .unwrap();
        assert_eq!((keys, index), (0, 0));
        // replay still works and shows the erasure; reading says erased
        let (status, events) = json(
            app.get(
                &format!("/api/v1/streams/my_number-{id}"),
                &app.token("audit1", &[Role::Auditor]),
            )
            .send()
            .await
            .unwrap(),
        )
        .await;
        assert_eq!(status, 200, "{events}");
        let events = events.as_array().unwrap();
        assert_eq!(events.last().unwrap()["event_type"], "MyNumberErased");
        assert_eq!(
            events[0]["payload"]["MyNumberEntryRecorded"]["sealed"],
            kenpo_api::routes::events::WITHHELD
        );
        assert_eq!(
            events[1]["payload"]["MyNumberRegistered"]["sealed"],
            kenpo_api::routes::events::WITHHELD
        );
        let (status, read) = json(
            app.get(&format!("/api/v1/persons/{id}/my-number"), &mn)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(
            (status, read["status"].as_str()),
            (200, Some("erased")),
            "{read}"
        );
        let (_, st) = json(
            app.get(&format!("/api/v1/persons/{id}/my-number/status"), &mn)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(st["status"], "erased");
        assert!(st["erased_on"].is_string());
        // the person's other history is intact
        let (status, history) = json(
            app.get(&format!("/api/v1/members/{id}/history"), &mn)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(
            (status, history["events"].as_array().unwrap().len()),
            (200, 2)
        );
    }
    // the kept numbers still read
    let (id, number) = &kept[0];
    let (_, read) = json(
        app.get(&format!("/api/v1/persons/{id}/my-number"), &mn)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(read["my_number"], number.as_str());

    // no way to decrypt an erased person's events with any key that remains
    let sealed: Vec<(String, i64, String, String)> = sqlx::query_as(
        "SELECT stream_id, version, event_type, payload->event_type->>'sealed' FROM events
          WHERE stream_type = 'my_number' AND payload->event_type ? 'sealed'",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    let remaining: Vec<Uuid> = sqlx::query_scalar("SELECT person_id FROM subject_keys")
        .fetch_all(&app.pool)
        .await
        .unwrap();
    let mut conn = app.pool.acquire().await.unwrap();
    let mut deks = Vec::new();
    for p in &remaining {
        let (_, dek) =
            kenpo_infrastructure::crypto::subject_keys::get(&mut conn, app.keys.as_ref(), *p)
                .await
                .unwrap()
                .unwrap();
        deks.push(dek);
    }
    for (id, _) in &due {
        let stream = format!("my_number-{id}");
        for (_, version, event_type, value) in sealed.iter().filter(|s| s.0 == stream) {
            let context = kenpo_infrastructure::crypto::SealContext {
                stream_id: &stream,
                version: *version,
                event_type,
            };
            for dek in &deks {
                assert!(kenpo_infrastructure::crypto::open(dek, &context, value).is_err());
            }
        }
    }
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn a_rejoin_before_the_deadline_restarts_the_clock(pool: PgPool) {
    let app = spawn_app(pool).await;
    let mn = mn_clerk(&app).await;
    access_on(&app, &mn).await;
    let id = person(&app, "2010-04-01", Some(("2014-03-31", "2014-04-01"))).await;
    assert_eq!(register(&app, &mn, id, A).await.0, 201);
    // rejoins as an insured in 2020 (a new period) and is still qualified
    let mut again = acquisition(id, "300", "77");
    again["acquired_on"] = json!("2020-04-01");
    again["received_on"] = json!("2020-04-01");
    let (status, body) = json(
        app.post("/api/v1/acquisitions", &app.clerk(), &again)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 201, "{body}");
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
    assert_eq!(run.erased, 0);
    let (_, read) = json(
        app.get(&format!("/api/v1/persons/{id}/my-number"), &mn)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(read["my_number"], A);
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn no_key_material_is_in_the_database(pool: PgPool) {
    use base64::Engine;
    let app = spawn_app(pool).await;
    let mn = mn_clerk(&app).await;
    access_on(&app, &mn).await;
    for n in 0..5 {
        let id = person(&app, "2025-04-01", None).await;
        assert_eq!(
            register(&app, &mn, id, &valid_number(50_000_000_000 + n))
                .await
                .0,
            201
        );
    }
    let everything = whole_database_as_text(&app.pool).await.to_lowercase();
    let mut files = 0;
    for entry in std::fs::read_dir(&app.key_dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let hex_key = text.trim().to_lowercase();
        let bytes = hex::decode(&hex_key).unwrap();
        assert_eq!(bytes.len(), 32, "{}", path.display());
        files += 1;
        for form in [
            hex_key.clone(),
            base64::engine::general_purpose::STANDARD
                .encode(&bytes)
                .to_lowercase(),
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .encode(&bytes)
                .to_lowercase(),
        ] {
            assert!(
                !everything.contains(&form),
                "key material of {} is in the database",
                path.display()
            );
        }
    }
    assert!(files >= 2, "a key-encryption key and a blind-index key");
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn a_sealed_value_copied_to_another_stream_version_or_event_type_does_not_open(pool: PgPool) {
    let app = spawn_app(pool).await;
    let mn = mn_clerk(&app).await;
    access_on(&app, &mn).await;
    let id = person(&app, "2025-04-01", None).await;
    let other = person(&app, "2025-04-01", None).await;
    assert_eq!(register(&app, &mn, id, A).await.0, 201);
    let (stream, version, event_type, sealed): (String, i64, String, String) = sqlx::query_as(
        "SELECT stream_id, version, event_type, payload->event_type->>'sealed' FROM events
          WHERE stream_id = $1 AND event_type = 'MyNumberRegistered'",
    )
    .bind(format!("my_number-{id}"))
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let mut conn = app.pool.acquire().await.unwrap();
    let (_, dek) =
        kenpo_infrastructure::crypto::subject_keys::get(&mut conn, app.keys.as_ref(), id)
            .await
            .unwrap()
            .unwrap();
    use kenpo_infrastructure::crypto::{open, SealContext};
    let right = SealContext {
        stream_id: &stream,
        version,
        event_type: &event_type,
    };
    assert!(open(&dek, &right, &sealed).is_ok());
    let other_stream = format!("my_number-{other}");
    for wrong in [
        SealContext {
            stream_id: &other_stream,
            version,
            event_type: &event_type,
        },
        SealContext {
            stream_id: &stream,
            version: version + 1,
            event_type: &event_type,
        },
        SealContext {
            stream_id: &stream,
            version,
            event_type: "MyNumberChanged",
        },
    ] {
        assert!(open(&dek, &wrong, &sealed).is_err(), "{wrong:?}");
    }
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn a_five_info_mismatch_keeps_the_number_out_until_a_check_matches(pool: PgPool) {
    let app = spawn_app(pool).await;
    let mn = mn_clerk(&app).await;
    access_on(&app, &mn).await;
    let id = person(&app, "2025-04-01", None).await;
    let check = |matched: bool| {
        let mismatched = if matched {
            json!([])
        } else {
            json!(["resident_address"])
        };
        mn_post(
            &app,
            &format!("/api/v1/persons/{id}/my-number/five-info"),
            &mn,
            &json!({"matched": matched, "mismatched": mismatched, "checked_on": "2025-04-02"}),
        )
    };
    assert_eq!(check(false).send().await.unwrap().status(), 201);
    let (status, problem) = register(&app, &mn, id, A).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (409, Some("my_number_five_info_mismatch")),
        "{problem}"
    );
    let (_, st) = json(
        app.get(&format!("/api/v1/persons/{id}/my-number/status"), &mn)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (st["status"].as_str(), st["five_info"].as_str()),
        (Some("none"), Some("mismatch"))
    );
    assert_eq!(check(true).send().await.unwrap().status(), 201);
    assert_eq!(register(&app, &mn, id, A).await.0, 201);
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn every_my_number_endpoint_refuses_without_permission_elevation_or_role(pool: PgPool) {
    let app = spawn_app(pool).await;
    let from = Date::from_ymd(2000, 1, 1).unwrap();
    app.bootstrap("mn1", "適用一課", &[Role::Qualification], true, from, None)
        .await;
    app.bootstrap("audit_mn", "監査室", &[Role::Auditor], true, from, None)
        .await;
    let confirmer = app.my_number_confirmer_with_access_by(&mn_post).await;
    let id = person(&app, "2025-04-01", None).await;
    let p = |tail: &str| format!("/api/v1/persons/{id}/my-number{tail}");
    let unknown_entry = Uuid::now_v7();
    let entries: Vec<(String, Value)> = vec![
        (
            p(""),
            json!({"number": A, "source": "person", "registered_on": "2025-04-03"}),
        ),
        (
            p("/change"),
            json!({"number": B, "reason": {"kind": "reissued"}, "changed_on": "2025-05-01"}),
        ),
        (
            p("/deletion"),
            json!({"deleted_on": "2025-05-01", "reason": {"kind": "registered_in_error"}}),
        ),
        (
            p("/not-registered"),
            json!({"reason": {"kind": "could_not_obtain"}, "recorded_on": "2025-05-01"}),
        ),
        (
            p("/branch-number"),
            json!({"branch_number": "1234567890", "on": "2025-05-01"}),
        ),
        (
            p("/branch-number/change"),
            json!({"branch_number": "1234567891", "on": "2025-05-02"}),
        ),
        (
            p("/five-info"),
            json!({"matched": true, "checked_on": "2025-05-01"}),
        ),
        ("/api/v1/my-number/lookups".to_owned(), json!({"number": A})),
        (
            p(&format!("/entries/{unknown_entry}/confirmation")),
            json!({"number": A}),
        ),
        (
            p(&format!("/entries/{unknown_entry}/withdrawal")),
            json!({"reason": "読み違い"}),
        ),
    ];
    let reads = [
        p(""),
        "/api/v1/my-number/access-log".to_owned(),
        "/api/v1/my-number/review?month=2026-11".to_owned(),
    ];
    let before = app.event_count().await;
    let clerk = app.clerk(); // qualification, no 個人番号 permission
    let mn = app.token("mn1", &[Role::Qualification]); // permitted, access still off
    let auditor = app.token("audit_mn", &[Role::Auditor]); // permitted, not a My Number role
    access_on(&app, &auditor).await;
    for (who, token) in [
        ("clerk", &clerk),
        ("mn1 (access off)", &mn),
        ("auditor", &auditor),
    ] {
        for (path, body) in &entries {
            let status = mn_post(&app, path, token, body)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16();
            assert_eq!(status, 403, "{who} POST {path}");
        }
        for path in &reads {
            let status = app.get(path, token).send().await.unwrap().status().as_u16();
            assert_eq!(status, 403, "{who} GET {path}");
        }
    }
    // switching access on needs the permission
    let (status, problem) = json(
        mn_post(
            &app,
            "/api/v1/my-number/access",
            &clerk,
            &json!({"purpose": "x"}),
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (403, Some("my_number_permission_required"))
    );
    // with access on, mn1 may do each of them (登録 and 変更 confirmed by mn2); there is no
    // such entry to confirm or withdraw
    access_on(&app, &mn).await;
    let expected = [201, 201, 201, 201, 201, 201, 201, 404, 404, 404];
    for (n, ((path, body), want)) in entries.iter().zip(expected).enumerate() {
        let (status, answer) = if n < 2 {
            let number = body["number"].as_str().unwrap();
            app.enter_and_confirm(&mn_post, id, path, body, number, &mn, &confirmer)
                .await
        } else {
            json(mn_post(&app, path, &mn, body).send().await.unwrap()).await
        };
        assert_eq!(status, want, "mn1 POST {path}: {answer}");
    }
    // the data-protection officer reads the log and the review, never numbers
    let dpo = app.token("dpo1", &[Role::DataProtection]);
    for path in &reads[1..] {
        assert_eq!(
            app.get(path, &dpo).send().await.unwrap().status(),
            200,
            "dpo GET {path}"
        );
    }
    assert_eq!(app.get(&reads[0], &dpo).send().await.unwrap().status(), 403);
    assert_eq!(
        app.event_count().await - before,
        9,
        "only mn1's seven entries were recorded (登録 and 変更 as entry and confirmation)"
    );
    let refused: i64 =
        sqlx::query_scalar("SELECT count(*) FROM my_number_access_log WHERE outcome = 'refused'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(
        refused,
        // 10 entries × 3 users, the number read × 3 users, the clerk's access request, the DPO's
        // read, mn1's confirmation and withdrawal of an entry that does not exist
        3 * 10 + 3 + 1 + 1 + 2,
        "every refused My Number action is logged"
    );
    // each route's idempotency record is there (keyed, sealed), and nothing to guess from
    assert_eq!(idempotency_records(&app).await, 9);
    assert_nothing_to_guess_in_the_database(&app, &[A, B]).await;
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn the_monthly_review_counts_users_night_accesses_and_heavy_readers(pool: PgPool) {
    let app = spawn_app(pool).await;
    // access-log rows at chosen instants (the report's input); times are JST
    let rows = [
        ("u1", "2026-11-02 09:00:00+09", "read", "ok"),
        ("u1", "2026-11-02 09:05:00+09", "read", "ok"),
        ("u1", "2026-11-03 21:30:00+09", "read", "ok"),
        ("u1", "2026-11-03 21:31:00+09", "register", "refused"),
        ("u2", "2026-11-05 07:59:00+09", "lookup", "ok"),
        ("u2", "2026-11-05 08:00:00+09", "read", "ok"),
        ("u2", "2026-10-31 23:59:00+09", "read", "ok"), // October in JST
        ("u3", "2026-12-01 00:00:00+09", "read", "ok"), // December in JST
    ];
    for (n, (staff, at, action, outcome)) in rows.iter().enumerate() {
        sqlx::query(
            "INSERT INTO my_number_access_log (at, staff_id, person_id, action, outcome)
             VALUES ($1::timestamptz, $2, $3, $4, $5)",
        )
        .bind(at)
        .bind(staff)
        .bind(Uuid::from_u128(n as u128 + 1))
        .bind(action)
        .bind(outcome)
        .execute(&app.pool)
        .await
        .unwrap();
    }
    let dpo = app.token("dpo1", &[Role::DataProtection]);
    let (status, review) = json(
        app.get(
            "/api/v1/my-number/review?month=R8.11&persons_threshold=2",
            &dpo,
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{review}");
    let users = review["users"].as_array().unwrap();
    assert_eq!(users.len(), 2, "{review}");
    assert_eq!(users[0]["staff_id"], "u1");
    assert_eq!(users[0]["accesses"], 4);
    assert_eq!(users[0]["refused_or_failed"], 1);
    assert_eq!(users[0]["persons_read"], 3);
    assert_eq!(users[0]["outside_hours"], 2);
    assert_eq!(users[1]["staff_id"], "u2");
    assert_eq!(users[1]["accesses"], 2);
    assert_eq!(
        users[1]["outside_hours"], 1,
        "07:59 is outside, 08:00 is inside"
    );
    assert_eq!(review["outside_hours"].as_array().unwrap().len(), 3);
    assert_eq!(review["heavy_readers"].as_array().unwrap().len(), 1);
    assert_eq!(review["heavy_readers"][0]["staff_id"], "u1");
    // the log by user and period
    let (status, page) = json(
        app.get(
            "/api/v1/my-number/access-log?staff_id=u2&from=2026-11-01T00:00:00%2B09:00",
            &dpo,
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["total"], 2);
}

/// POST an entry of `number` for `person` as `token` (first step only): the answer.
async fn enter_only(app: &TestApp, token: &str, person: Uuid, number: &str) -> (u16, Value) {
    let body = json!({ "number": number, "source": "employer", "registered_on": "2025-04-03" });
    json(
        mn_post(
            app,
            &format!("/api/v1/persons/{person}/my-number"),
            token,
            &body,
        )
        .send()
        .await
        .unwrap(),
    )
    .await
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn a_number_is_registered_only_when_a_second_person_keys_the_same_again(pool: PgPool) {
    let app = spawn_app(pool).await;
    let mn = mn_clerk(&app).await;
    access_on(&app, &mn).await;
    let mn2 = app.my_number_confirmer();
    let id = person(&app, "2025-04-01", None).await;
    let path = |tail: &str| format!("/api/v1/persons/{id}/my-number{tail}");

    // the entry is pending: nothing registered, nothing to read, the status shows who and when
    let (status, entry) = enter_only(&app, &mn, id, A).await;
    assert_eq!(
        (status, entry["status"].as_str(), entry["kind"].as_str()),
        (202, Some("pending_confirmation"), Some("registration")),
        "{entry}"
    );
    let entry_id = entry["entry_id"].as_str().unwrap().to_owned();
    let (status, problem) = app.get_json(&path(""), &mn2).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (404, Some("my_number_not_registered")),
        "the confirmer cannot read the entry's number back"
    );
    let (status, st) = app.get_json(&path("/status"), &app.clerk()).await;
    assert_eq!(status, 200, "{st}");
    assert_eq!(st["status"], "none");
    assert_eq!(st["pending_entry_id"], entry_id.as_str());
    assert_eq!(st["pending_kind"], "registration");
    assert_eq!(st["pending_entered_by"], "mn1");
    assert!(st["pending_entered_at"].is_string());
    assert!(!st.to_string().contains(A));
    let index: i64 = sqlx::query_scalar("SELECT count(*) FROM my_number_index")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(index, 0, "a pending entry is not in the blind index");

    // one pending entry per person
    let (status, problem) = enter_only(&app, &mn2, id, B).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (409, Some("my_number_entry_pending")),
        "{problem}"
    );
    // the same person can never satisfy both sides
    let before = app.event_count().await;
    let (status, problem) = app
        .confirm_my_number_entry(&mn_post, &mn, id, &entry_id, A)
        .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (403, Some("two_person_rule")),
        "{problem}"
    );
    // a different number: refused without echo, nothing registered, still pending
    let (status, problem) = app
        .confirm_my_number_entry(&mn_post, &mn2, id, &entry_id, B)
        .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (422, Some("my_number_double_check_mismatch")),
        "{problem}"
    );
    assert!(!problem.to_string().contains(A) && !problem.to_string().contains(B));
    assert_eq!(app.event_count().await, before, "a refusal wrote events");
    let (_, st) = app.get_json(&path("/status"), &app.clerk()).await;
    assert_eq!(st["pending_entry_id"], entry_id.as_str());
    // unknown entry
    let (status, problem) = app
        .confirm_my_number_entry(&mn_post, &mn2, id, &Uuid::now_v7().to_string(), A)
        .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (404, Some("my_number_entry_not_found"))
    );

    // the second person keys the same number: registered
    let (status, body) = app
        .confirm_my_number_entry(&mn_post, &mn2, id, &entry_id, A)
        .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["events"], json!(["MyNumberRegistered"]));
    let (_, read) = app.get_json(&path(""), &mn).await;
    assert_eq!(read["my_number"], A);
    let (_, st) = app.get_json(&path("/status"), &app.clerk()).await;
    assert_eq!(
        (st["status"].as_str(), st["pending_entry_id"].is_null()),
        (Some("registered"), true)
    );
    // confirmed once
    let (status, problem) = app
        .confirm_my_number_entry(&mn_post, &mn2, id, &entry_id, A)
        .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (409, Some("my_number_entry_not_pending"))
    );

    // a change entry withdrawn by the other person: nothing changes; withdrawn once
    let change =
        json!({ "number": C, "reason": { "kind": "correction" }, "changed_on": "2025-05-01" });
    let (status, entry) = json(
        mn_post(&app, &path("/change"), &mn, &change)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, entry["kind"].as_str()), (202, Some("change")));
    let withdrawal = path(&format!(
        "/entries/{}/withdrawal",
        entry["entry_id"].as_str().unwrap()
    ));
    let reason = json!({"reason": "用紙の読み違い"});
    let (status, body) = json(
        mn_post(&app, &withdrawal, &mn2, &reason)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, body["events"].clone()),
        (201, json!(["MyNumberEntryWithdrawn"])),
        "{body}"
    );
    let (status, problem) = json(
        mn_post(&app, &withdrawal, &mn, &reason)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (409, Some("my_number_entry_not_pending"))
    );
    let (_, read) = app.get_json(&path(""), &mn).await;
    assert_eq!(read["my_number"], A, "a withdrawn change changes nothing");

    let log: Vec<(String, String, String, Option<String>)> = access_log(&app)
        .await
        .into_iter()
        .filter(|r| r.1 == "confirm" || r.1 == "withdraw_entry")
        .map(|(staff, action, outcome, _, code)| (staff, action, outcome, code))
        .collect();
    let row = |s: &str, a: &str, o: &str, c: Option<&str>| {
        (
            s.to_owned(),
            a.to_owned(),
            o.to_owned(),
            c.map(str::to_owned),
        )
    };
    assert_eq!(
        log,
        vec![
            row("mn1", "confirm", "refused", Some("two_person_rule")),
            row(
                "mn2",
                "confirm",
                "refused",
                Some("my_number_double_check_mismatch")
            ),
            row(
                "mn2",
                "confirm",
                "refused",
                Some("my_number_entry_not_found")
            ),
            row("mn2", "confirm", "ok", None),
            row(
                "mn2",
                "confirm",
                "refused",
                Some("my_number_entry_not_pending")
            ),
            row("mn2", "withdraw_entry", "ok", None),
            row(
                "mn1",
                "withdraw_entry",
                "refused",
                Some("my_number_entry_not_pending")
            ),
        ]
    );
    // no number, nor an unkeyed digest of any request (entries, confirmations, their
    // Idempotency-Key records), anywhere in the database
    assert_nothing_to_guess_in_the_database(&app, &[A, B, C]).await;
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn a_pending_entry_is_shredded_with_the_rest_at_retention(pool: PgPool) {
    let app = spawn_app(pool).await;
    let mn = mn_clerk(&app).await;
    access_on(&app, &mn).await;
    // lost 2014-04-01 (due 2024-04-01): only a pending entry; another person keeps a key
    let due = person(&app, "2010-04-01", Some(("2014-03-31", "2014-04-01"))).await;
    let kept = person(&app, "2020-04-01", None).await;
    let (status, entry) = enter_only(&app, &mn, due, A).await;
    assert_eq!(status, 202, "{entry}");
    let entry_id = entry["entry_id"].as_str().unwrap().to_owned();
    assert_eq!(register(&app, &mn, kept, B).await.0, 201);
    let stream = format!("my_number-{due}");
    let (version, sealed): (i64, String) = sqlx::query_as(
        "SELECT version, payload->event_type->>'sealed' FROM events
          WHERE stream_id = $1 AND event_type = 'MyNumberEntryRecorded'",
    )
    .bind(&stream)
    .fetch_one(&app.pool)
    .await
    .unwrap();

    let run = retention::run(
        &app.pool,
        &kenpo_api::startup::upcasters(),
        &RetentionOptions {
            as_of: Date::from_ymd(2026, 11, 25).unwrap(),
            batch: 10,
            dry_run: false,
            actor: "system:test".to_owned(),
            abort_after: None,
        },
        &|_| {},
    )
    .await
    .unwrap();
    assert_eq!(run.erased, 1);
    let keys: Vec<Uuid> = sqlx::query_scalar("SELECT person_id FROM subject_keys")
        .fetch_all(&app.pool)
        .await
        .unwrap();
    assert_eq!(keys, vec![kept], "the pending entry's key is destroyed");
    // no remaining key opens the entry's sealed number
    let mut conn = app.pool.acquire().await.unwrap();
    let (_, dek) =
        kenpo_infrastructure::crypto::subject_keys::get(&mut conn, app.keys.as_ref(), kept)
            .await
            .unwrap()
            .unwrap();
    let context = kenpo_infrastructure::crypto::SealContext {
        stream_id: &stream,
        version,
        event_type: "MyNumberEntryRecorded",
    };
    assert!(kenpo_infrastructure::crypto::open(&dek, &context, &sealed).is_err());
    // the entry is gone with it: nothing to confirm, the status shows the erasure only
    let (status, problem) = app
        .confirm_my_number_entry(&mn_post, &app.my_number_confirmer(), due, &entry_id, A)
        .await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (409, Some("my_number_erased")),
        "{problem}"
    );
    let (_, st) = app
        .get_json(
            &format!("/api/v1/persons/{due}/my-number/status"),
            &app.clerk(),
        )
        .await;
    assert_eq!(
        (st["status"].as_str(), st["pending_entry_id"].is_null()),
        (Some("erased"), true),
        "{st}"
    );
    assert_nothing_to_guess_in_the_database(&app, &[A, B]).await;
}

/// A retention run as of 2026-11-25 by `system:test`; how many it erased.
async fn erase_due(app: &TestApp) -> u64 {
    retention::run(
        &app.pool,
        &kenpo_api::startup::upcasters(),
        &RetentionOptions {
            as_of: Date::from_ymd(2026, 11, 25).unwrap(),
            batch: 10,
            dry_run: false,
            actor: "system:test".to_owned(),
            abort_after: None,
        },
        &|_| {},
    )
    .await
    .unwrap()
    .erased
}

/// A proof of `scope` requested by dpo1, signed with the app's signing key (created in its
/// key directory).
async fn prove(
    app: &TestApp,
    scope: erasure_proof::Scope,
) -> Result<erasure_proof::SignedProof, erasure_proof::ProofError> {
    let (signer, _) = FileSigningKey::open_or_create_with_env(&app.key_dir, None).unwrap();
    let request = erasure_proof::ProofRequest {
        scope,
        requested_by: kenpo_domain::staff::StaffId::parse("dpo1").unwrap(),
        os_user: Some("tester".to_owned()),
        via: "test".to_owned(),
    };
    erasure_proof::run(&app.pool, app.keys.as_ref(), &signer, &request).await
}

fn public_key(app: &TestApp) -> [u8; 32] {
    let text = std::fs::read_to_string(app.key_dir.join(signing::PUBLIC_KEY_FILE)).unwrap();
    signing::parse_public_key(&text).unwrap()
}

/// Numbers of exactly 12 digits in `text` standing alone (not touching a letter or digit),
/// other than the last group of a UUID (`-` before it).
fn twelve_digit_numbers(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && chars[i].is_ascii_digit() {
            i += 1;
        }
        let before = start.checked_sub(1).map(|p| chars[p]);
        let after = chars.get(i).copied();
        let alone = !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '-')
            && !after.is_some_and(|c| c.is_ascii_alphanumeric());
        if i - start == 12 && alone {
            found.push(chars[start..i].iter().collect());
        }
    }
    found
}

async fn proofs_stored(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM erasure_proofs")
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn an_erasure_proof_after_a_real_erasure_is_clean_signed_stored_and_listed(pool: PgPool) {
    let app = spawn_app(pool).await;
    let mn = mn_clerk(&app).await;
    access_on(&app, &mn).await;
    let due = person(&app, "2010-04-01", Some(("2014-03-31", "2014-04-01"))).await;
    let kept = person(&app, "2020-04-01", None).await;
    assert_eq!(register(&app, &mn, due, A).await.0, 201);
    assert_eq!(register(&app, &mn, kept, B).await.0, 201);

    // bad input is refused and stores nothing
    let today = retention::jst_today();
    for (who, scope) in [
        (
            "kept (not erased)",
            erasure_proof::Scope::Person { person_id: kept },
        ),
        (
            "unknown",
            erasure_proof::Scope::Person {
                person_id: Uuid::now_v7(),
            },
        ),
        (
            "not yet erased",
            erasure_proof::Scope::Person { person_id: due },
        ),
    ] {
        let error = prove(&app, scope).await.unwrap_err();
        assert!(
            matches!(error, erasure_proof::ProofError::NotErased(_)),
            "{who}: {error}"
        );
        assert!(
            error.to_string().contains("no erasure in the 管理簿"),
            "{error}"
        );
    }
    let tomorrow = today.naive() + chrono::Duration::days(1);
    let error = erasure_proof::check_since(tomorrow, today).unwrap_err();
    assert!(error.to_string().contains("after today"), "{error}");
    for refused in ["clerk1", "nobody", "admin1", "not an id!"] {
        let error = erasure_proof::authorize_requester(&app.pool, refused, today)
            .await
            .unwrap_err();
        assert!(
            matches!(error, erasure_proof::ProofError::RequesterRefused { .. }),
            "{refused}: {error}"
        );
    }
    for admitted in ["dpo1", "audit1"] {
        erasure_proof::authorize_requester(&app.pool, admitted, today)
            .await
            .unwrap();
    }
    assert_eq!(proofs_stored(&app).await, 0);

    assert_eq!(erase_due(&app).await, 1);
    let proof = prove(&app, erasure_proof::Scope::Person { person_id: due })
        .await
        .unwrap();
    assert_eq!(
        proof.result,
        erasure_proof::Outcome::Clean,
        "{}",
        proof.report
    );
    assert_eq!(proof.person_ids, vec![due]);
    // signed: verifies with the public key of the key directory
    let envelope = serde_json::to_value(&proof).unwrap();
    let report = erasure_proof::verify(&envelope, &public_key(&app)).unwrap();
    assert_eq!(report.format, "kenpo-erasure-proof-v1");
    assert_eq!(report.requested_by.staff_id, "dpo1");
    assert_eq!(report.requested_by.os_user.as_deref(), Some("tester"));
    assert!(report.started_at <= report.finished_at);
    assert!(!report.database.name.is_empty() && report.database.system_identifier.is_some());
    let names: Vec<&str> = report.checks.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "data_keys",
            "sealed_values",
            "blind_index",
            "idempotency_records",
            "status_read_model",
            "numbers_in_clear"
        ]
    );
    assert!(report
        .checks
        .iter()
        .all(|c| c.result == erasure_proof::Outcome::Clean && c.findings.is_empty()));
    // the person's registration sealed the number twice (entry, registration): both tried
    let sealed = &report.checks[1].scanned;
    assert_eq!(sealed["sealed_values"], 2, "{sealed}");
    // the sweep covered every table of the schema, the new one included
    let swept: Vec<&str> = report.checks[5].scanned["tables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["table"].as_str().unwrap())
        .collect();
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables
          WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name::text COLLATE \"C\"",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(swept, tables.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(swept.contains(&"erasure_proofs") && swept.contains(&"events"));
    assert!(!report.limits.is_empty());

    // stored, and listed for the データ保護担当者 and 監査 only
    let dpo = app.token("dpo1", &[Role::DataProtection]);
    let (status, page) = app.get_json("/api/v1/erasure-proofs", &dpo).await;
    assert_eq!((status, page["total"].as_i64()), (200, Some(1)), "{page}");
    let listed = &page["records"][0];
    assert_eq!(listed["proof_id"], proof.proof_id.to_string().as_str());
    assert_eq!(listed["result"], "clean");
    assert_eq!(listed["requested_by"], "dpo1");
    assert_eq!(listed["person_ids"], json!([due]));
    assert_eq!(listed["scope"], json!({"kind": "person", "person_id": due}));
    let (_, by_person) = app
        .get_json(&format!("/api/v1/erasure-proofs?person_id={kept}"), &dpo)
        .await;
    assert_eq!(by_person["total"], 0);
    let audit = app.token("audit1", &[Role::Auditor]);
    let (status, stored) = app
        .get_json(
            &format!("/api/v1/erasure-proofs/{}", proof.proof_id),
            &audit,
        )
        .await;
    assert_eq!(status, 200, "{stored}");
    assert_eq!(stored, envelope, "stored as made");
    erasure_proof::verify(&stored, &public_key(&app)).unwrap();
    let (status, _) = app
        .get_json(
            &format!("/api/v1/erasure-proofs/{}", Uuid::now_v7()),
            &audit,
        )
        .await;
    assert_eq!(status, 404);
    let (status, refused) = app.get_json("/api/v1/erasure-proofs", &app.clerk()).await;
    assert_eq!((status, refused["code"].as_str()), (403, Some("forbidden")));

    // no number anywhere in what is handed out
    let text = stored.to_string();
    for number in [A, B] {
        for form in forms_of(number) {
            assert!(!text.contains(&form), "{form} in the proof");
        }
    }
    assert_eq!(twelve_digit_numbers(&text), Vec::<String>::new());
    assert_eq!(
        twelve_digit_numbers(stored["report"].as_str().unwrap()),
        Vec::<String>::new()
    );
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn planted_traces_are_found_named_and_never_shown_and_a_changed_report_fails(pool: PgPool) {
    let app = spawn_app(pool).await;
    let mn = mn_clerk(&app).await;
    access_on(&app, &mn).await;
    let due = person(&app, "2010-04-01", Some(("2014-03-31", "2014-04-01"))).await;
    let kept = person(&app, "2020-04-01", None).await;
    assert_eq!(register(&app, &mn, due, A).await.0, 201);
    assert_eq!(register(&app, &mn, kept, B).await.0, 201);
    // a backup of the key row taken before the erasure
    let (key_id, kek_version, wrapped): (Uuid, i32, Vec<u8>) = sqlx::query_as(
        "SELECT key_id, kek_version, wrapped_dek FROM subject_keys WHERE person_id = $1",
    )
    .bind(due)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(erase_due(&app).await, 1);

    // as a superuser: the key row restored, a blind-index entry re-inserted, and a third
    // number typed into a read model in clear (4-4-4)
    sqlx::query(
        "INSERT INTO subject_keys (person_id, key_id, kek_version, wrapped_dek) VALUES ($1, $2, $3, $4)",
    )
    .bind(due)
    .bind(key_id)
    .bind(kek_version)
    .bind(&wrapped)
    .execute(&app.pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO my_number_index (bidx, person_id, bidx_version) VALUES (sha256('planted'), $1, 1)",
    )
    .bind(due)
    .execute(&app.pool)
    .await
    .unwrap();
    sqlx::query(
        "UPDATE members SET view = jsonb_set(view, '{note}', to_jsonb('番号 1234 5678 9000'::text))
          WHERE person_id = $1",
    )
    .bind(kept)
    .execute(&app.pool)
    .await
    .unwrap();

    let proof = prove(&app, erasure_proof::Scope::All).await.unwrap();
    assert_eq!(proof.result, erasure_proof::Outcome::TracesFound);
    let report =
        erasure_proof::verify(&serde_json::to_value(&proof).unwrap(), &public_key(&app)).unwrap();
    let check = |name: &str| report.checks.iter().find(|c| c.name == name).unwrap();
    let keys = check("data_keys");
    assert_eq!(keys.result, erasure_proof::Outcome::TracesFound);
    assert_eq!(
        (keys.findings[0].table.as_str(), keys.findings[0].row_count),
        ("subject_keys", 1)
    );
    assert!(keys.findings[0].what.contains("it unwraps"));
    assert_eq!(
        keys.findings[0].rows,
        vec![format!("person_id={due},key_id={key_id}")]
    );
    let sealed = check("sealed_values");
    assert_eq!(
        (
            sealed.findings[0].table.as_str(),
            sealed.findings[0].column.as_str(),
            sealed.findings[0].row_count
        ),
        ("events", "payload", 2),
        "the entry's and the registration's sealed number open again"
    );
    let index = check("blind_index");
    assert_eq!(
        index.findings[0].rows,
        vec![format!("person_id={due},bidx_version=1")]
    );
    let clear = check("numbers_in_clear");
    assert_eq!(clear.findings.len(), 1, "{:?}", clear.findings);
    assert_eq!(
        (
            clear.findings[0].table.as_str(),
            clear.findings[0].column.as_str(),
            clear.findings[0].rows.clone()
        ),
        ("members", "view", vec![format!("person_id={kept}")])
    );
    assert_eq!(
        check("idempotency_records").result,
        erasure_proof::Outcome::Clean
    );
    // stored and listed as found; never a number, in any form
    let dpo = app.token("dpo1", &[Role::DataProtection]);
    let (_, page) = app.get_json("/api/v1/erasure-proofs", &dpo).await;
    assert_eq!(page["records"][0]["result"], "traces_found", "{page}");
    let text = serde_json::to_string(&proof).unwrap();
    for number in [A, B, C] {
        for form in forms_of(number) {
            assert!(!text.contains(&form), "{form} in the proof");
        }
    }
    assert_eq!(twelve_digit_numbers(&proof.report), Vec::<String>::new());

    // a changed report fails: the result turned to clean, in the report and the envelope
    let mut changed = serde_json::to_value(&proof).unwrap();
    changed["report"] =
        json!(proof
            .report
            .replacen("\"result\":\"traces_found\"}", "\"result\":\"clean\"}", 1));
    changed["result"] = json!("clean");
    assert_ne!(changed["report"], json!(proof.report));
    assert_eq!(
        erasure_proof::verify(&changed, &public_key(&app)),
        Err(erasure_proof::VerifyError::BadSignature)
    );
    // the envelope's result alone changed
    let mut relabelled = serde_json::to_value(&proof).unwrap();
    relabelled["result"] = json!("clean");
    assert_eq!(
        erasure_proof::verify(&relabelled, &public_key(&app)),
        Err(erasure_proof::VerifyError::EnvelopeMismatch("result"))
    );
    // another key is not trusted
    assert_eq!(
        erasure_proof::verify(&serde_json::to_value(&proof).unwrap(), &[7; 32]),
        Err(erasure_proof::VerifyError::BadSignature)
    );
    // and the stored report cannot be changed in place
    let update = sqlx::query("UPDATE erasure_proofs SET result = 'clean'")
        .execute(&app.pool)
        .await;
    assert!(update.is_err(), "erasure_proofs is append-only");
}
