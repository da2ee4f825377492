//! `projections rebuild` from position 0 gives read models equal to the live ones.

mod common;

use common::bodies::{acquisition, dependent, retirement};
use common::spawn_app;
use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

async fn members_table(
    pool: &PgPool,
) -> Vec<(Uuid, String, String, Option<Uuid>, serde_json::Value, i64)> {
    sqlx::query_as(
        "SELECT person_id, kind, status, insured_person_id, view, stream_version FROM members ORDER BY person_id",
    )
    .fetch_all(pool)
    .await
    .unwrap()
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn a_rebuilt_members_table_equals_the_live_one(pool: PgPool) {
    let app = spawn_app(pool.clone()).await;
    let clerk = app.clerk();
    let mut insured = Vec::new();
    for n in 0..12 {
        let id = Uuid::now_v7();
        let status = app
            .post(
                "/api/v1/acquisitions",
                &clerk,
                &acquisition(id, "200", &format!("{n}")),
            )
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, 201);
        insured.push(id);
    }
    for (n, id) in insured.iter().enumerate() {
        let path = |p: &str| format!("/api/v1/persons/{id}/{p}");
        let post = |p: String, body: serde_json::Value| app.post(&p, &clerk, &body).send();
        assert_eq!(
            post(
                path("name-changes"),
                json!({"changed_on": "2025-06-01", "received_on": "2025-06-03",
            "reason": {"kind": "marriage"}, "name": "鈴木 太郎", "kana": "スズキ タロウ"})
            )
            .await
            .unwrap()
            .status(),
            200
        );
        assert_eq!(
            post(
                path("bonuses"),
                json!({"paid_on": "2025-07-10", "amount": 1234567, "received_on": "2025-07-12"})
            )
            .await
            .unwrap()
            .status(),
            200
        );
        if n % 3 == 0 {
            let spouse = Uuid::now_v7();
            let status = app
                .post(
                    "/api/v1/dependents",
                    &clerk,
                    &dependent(spouse, *id, "200", &format!("{n}")),
                )
                .send()
                .await
                .unwrap()
                .status();
            assert_eq!(status, 201);
        }
        if n % 2 == 0 {
            assert_eq!(
                post(path("loss"), retirement()).await.unwrap().status(),
                200
            );
        }
    }
    let live = members_table(&pool).await;
    assert!(live.len() >= 16);

    let upcasters = kenpo_api::startup::upcasters();
    let summary = kenpo_projections::rebuild(&pool, &upcasters, 7, &|_: u64, _: u64| {})
        .await
        .unwrap();
    let events: i64 = sqlx::query_scalar("SELECT count(*) FROM events")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(summary.events as i64, events);
    assert_eq!(summary.members as usize, live.len());
    assert_eq!(members_table(&pool).await, live);
}
