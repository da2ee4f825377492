//! The retention job killed in the middle of a batch (the real `kenpo` binary, aborted by its
//! hidden crash hook), then run again: every due person is erased exactly once in the ledger.

use std::process::Command;

use crate::common::bodies::acquisition;
use crate::common::double_entry::keyed;
use crate::common::spawn_app;
use crate::{database_url, kenpo_binary};
use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

fn retention(pool: &PgPool, extra: &[&str]) -> std::process::Output {
    Command::new(kenpo_binary())
        .args([
            "retention",
            "run",
            "--as-of",
            "2026-11-25",
            "--batch",
            "3",
            "--actor",
            "dpo1",
        ])
        .args(extra)
        .env("DATABASE_URL", database_url(pool))
        .env("RUST_LOG", "warn")
        .output()
        .unwrap()
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn killed_mid_batch_then_rerun_erases_each_due_person_once(pool: PgPool) {
    let app = spawn_app(pool.clone()).await;
    let mn = app.my_number_clerk_with_access().await;
    let confirmer = app.my_number_confirmer_with_access().await;
    let numbers = [
        "123456789018",
        "983205673214",
        "123456789000",
        "111111111118",
        "222222222225",
        "333333333332",
        "444444444440",
        "555555555557",
    ];
    let mut due = Vec::new();
    for (n, number) in numbers.iter().enumerate() {
        let id = Uuid::now_v7();
        let mut body = acquisition(id, "500", &format!("{n}"));
        body["acquired_on"] = json!("2010-04-01");
        body["received_on"] = json!("2010-04-01");
        assert_eq!(
            app.post("/api/v1/acquisitions", &app.clerk(), &body)
                .send()
                .await
                .unwrap()
                .status(),
            201
        );
        let loss = json!({"lost_on": "2014-04-01", "reason": {"kind": "retirement", "last_working_day": "2014-03-31"}, "received_on": "2014-04-01"});
        assert_eq!(
            app.post(&format!("/api/v1/persons/{id}/loss"), &app.clerk(), &loss)
                .send()
                .await
                .unwrap()
                .status(),
            200
        );
        let (status, body) = app
            .enter_and_confirm(
                &keyed,
                id,
                &format!("/api/v1/persons/{id}/my-number"),
                &json!({"number": number, "source": "person", "registered_on": "2012-04-03"}),
                number,
                &mn,
                &confirmer,
            )
            .await;
        assert_eq!(status, 201, "{number}: {body}");
        due.push(id);
    }

    // batch 3, abort after the 5th erasure: the first batch commits, the second dies half-done
    let crashed = retention(&pool, &["--abort-after", "5"]);
    assert!(!crashed.status.success(), "the crash hook did not fire");
    let ledger: i64 = sqlx::query_scalar("SELECT count(*) FROM erasure_ledger")
        .fetch_one(&pool)
        .await
        .unwrap();
    let keys: i64 = sqlx::query_scalar("SELECT count(*) FROM subject_keys")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!((ledger, keys), (3, 5), "only the committed batch is erased");

    let rerun = retention(&pool, &[]);
    assert!(
        rerun.status.success(),
        "{}",
        String::from_utf8_lossy(&rerun.stderr)
    );
    assert!(
        String::from_utf8_lossy(&rerun.stdout).contains("erased 5 persons"),
        "{}",
        String::from_utf8_lossy(&rerun.stdout)
    );
    let third = retention(&pool, &[]);
    assert!(String::from_utf8_lossy(&third.stdout).contains("erased 0 persons"));

    let per_person: Vec<(Uuid, i64)> = sqlx::query_as(
        "SELECT person_id, count(*) FROM erasure_ledger GROUP BY person_id ORDER BY person_id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    due.sort();
    assert_eq!(
        per_person,
        due.iter().map(|id| (*id, 1)).collect::<Vec<_>>()
    );
    let erased_events: Vec<(String, i64)> = sqlx::query_as(
        "SELECT stream_id, count(*) FROM events WHERE event_type = 'MyNumberErased' GROUP BY stream_id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(erased_events.len(), 8);
    assert!(erased_events.iter().all(|(_, n)| *n == 1));
    let keys: i64 = sqlx::query_scalar("SELECT count(*) FROM subject_keys")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(keys, 0);
}
