//! The event store against a real PostgreSQL (a fresh database per test).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use kenpo_infrastructure::event_store::{
    self, EventMetadata, EventStoreError, ExpectedVersion, LogReader, NewEvent, Upcasters,
};
use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

fn event(n: i64) -> NewEvent {
    NewEvent {
        event_id: Uuid::now_v7(),
        event_type: "Ticked".to_owned(),
        event_version: "1.0".to_owned(),
        payload: json!({ "n": n }),
        metadata: EventMetadata::system("test"),
    }
}

/// Append one event to `stream` at whatever version it is, retrying on conflicts as a
/// client would after reloading.
async fn append_one(pool: &PgPool, stream: &str, n: i64) -> i64 {
    loop {
        let mut tx = event_store::begin_command(pool).await.unwrap();
        let version: Option<i64> =
            sqlx::query_scalar("SELECT version FROM streams WHERE stream_id = $1")
                .bind(stream)
                .fetch_optional(&mut *tx)
                .await
                .unwrap();
        let expected = version.map_or(ExpectedVersion::NoStream, ExpectedVersion::Exact);
        match event_store::append(&mut tx, stream, "ticker", expected, &[event(n)]).await {
            Ok(result) => {
                tx.commit().await.unwrap();
                return result.last_position;
            }
            Err(e) if e.is_concurrency_conflict() => continue,
            Err(EventStoreError::Database(e))
                if e.as_database_error().and_then(|d| d.code()).as_deref() == Some("23505") =>
            {
                continue
            }
            Err(e) => panic!("append failed: {e}"),
        }
    }
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn a_reader_following_the_log_sees_every_event_once_in_order_while_8_writers_append(
    pool: PgPool,
) {
    const WRITERS: i64 = 8;
    const COMMANDS: i64 = 500;
    let done = Arc::new(AtomicBool::new(false));

    let reader = {
        let pool = pool.clone();
        let done = done.clone();
        tokio::spawn(async move {
            let upcasters = Upcasters::default();
            let mut reader = LogReader::new(0, 100);
            let mut seen = Vec::new();
            loop {
                let finished = done.load(Ordering::SeqCst);
                let batch = reader.next_batch(&pool, &upcasters).await.unwrap();
                if batch.is_empty() && finished {
                    // one more pass after the writers stopped, to catch the tail
                    let tail = reader.next_batch(&pool, &upcasters).await.unwrap();
                    if tail.is_empty() {
                        break;
                    }
                    seen.extend(tail);
                    continue;
                }
                seen.extend(batch);
            }
            seen
        })
    };

    let mut writers = Vec::new();
    for w in 0..WRITERS {
        let pool = pool.clone();
        writers.push(tokio::spawn(async move {
            for i in 0..COMMANDS {
                // even commands go to a stream shared by all writers, odd ones to the writer's own
                let stream = if i % 2 == 0 {
                    "ticker-shared".to_owned()
                } else {
                    format!("ticker-{w}")
                };
                append_one(&pool, &stream, w * COMMANDS + i).await;
            }
        }));
    }
    for writer in writers {
        writer.await.unwrap();
    }
    done.store(true, Ordering::SeqCst);
    let seen = reader.await.unwrap();

    let total: i64 = sqlx::query_scalar("SELECT count(*) FROM events")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(total, WRITERS * COMMANDS);
    assert_eq!(seen.len() as i64, total, "the reader saw every event");
    // exactly once and in global order
    assert!(seen.windows(2).all(|w| w[0].position < w[1].position));
    let mut payloads: Vec<i64> = seen
        .iter()
        .map(|e| e.payload["n"].as_i64().unwrap())
        .collect();
    payloads.sort_unstable();
    assert_eq!(payloads, (0..WRITERS * COMMANDS).collect::<Vec<_>>());
    // each stream's versions arrive as 1, 2, 3, ... with no gap
    let mut last_version: HashMap<&str, i64> = HashMap::new();
    for e in &seen {
        let last = last_version.entry(e.stream_id.as_str()).or_insert(0);
        assert_eq!(e.version, *last + 1, "stream {} out of order", e.stream_id);
        *last = e.version;
    }
    assert_eq!(last_version["ticker-shared"], WRITERS * COMMANDS / 2);
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn events_cannot_be_updated_deleted_or_truncated(pool: PgPool) {
    append_one(&pool, "ticker-a", 1).await;
    for sql in [
        "UPDATE events SET payload = '{}'",
        "DELETE FROM events",
        "TRUNCATE events CASCADE",
    ] {
        let error = sqlx::query(sql).execute(&pool).await.unwrap_err();
        assert!(
            error.to_string().contains("events are immutable"),
            "{sql} was not refused: {error}"
        );
    }
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM events")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(count, 1);
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn a_stale_expected_version_is_refused_and_writes_nothing(pool: PgPool) {
    append_one(&pool, "ticker-a", 1).await;
    append_one(&pool, "ticker-a", 2).await;
    let mut tx = event_store::begin_command(&pool).await.unwrap();
    let error = event_store::append(
        &mut tx,
        "ticker-a",
        "ticker",
        ExpectedVersion::Exact(1),
        &[event(3)],
    )
    .await
    .unwrap_err();
    assert!(matches!(
        error,
        EventStoreError::WrongExpectedVersion {
            expected: 1,
            actual: 2,
            ..
        }
    ));
    drop(tx);
    let mut tx = event_store::begin_command(&pool).await.unwrap();
    let error = event_store::append(
        &mut tx,
        "ticker-a",
        "ticker",
        ExpectedVersion::NoStream,
        &[event(3)],
    )
    .await
    .unwrap_err();
    assert!(matches!(error, EventStoreError::StreamAlreadyExists(_)));
    drop(tx);
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM events")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(count, 2);
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn a_rolled_back_append_leaves_no_event_and_the_reader_passes_its_position(pool: PgPool) {
    let first = append_one(&pool, "ticker-a", 1).await;
    let mut tx = event_store::begin_command(&pool).await.unwrap();
    event_store::append(
        &mut tx,
        "ticker-b",
        "ticker",
        ExpectedVersion::NoStream,
        &[event(2)],
    )
    .await
    .unwrap();
    tx.rollback().await.unwrap();
    let third = append_one(&pool, "ticker-c", 3).await;
    assert!(third > first + 1, "the rolled-back append drew a position");
    let mut reader = LogReader::new(0, 10);
    let events = reader
        .next_batch(&pool, &Upcasters::default())
        .await
        .unwrap();
    assert_eq!(
        events.iter().map(|e| e.position).collect::<Vec<_>>(),
        vec![first, third]
    );
    assert!(reader
        .next_batch(&pool, &Upcasters::default())
        .await
        .unwrap()
        .is_empty());
}

#[sqlx::test(migrator = "kenpo_infrastructure::migrate::MIGRATOR")]
async fn an_acquisition_stored_in_version_1_is_read_as_the_current_version(pool: PgPool) {
    use kenpo_domain::qualification::PersonEvent;
    // A 資格取得 as written under the layout before 令和7年5月7日: one `address` and a
    // `postal_code`, no resident/contact split, event_version 1.0.
    let person = Uuid::now_v7();
    let v1 = json!({ "QualificationAcquired": {
        "person_id": person, "category": "compulsory", "acquired_on": "2019-04-01",
        "reason": { "kind": "employment" }, "received_on": "2019-04-03",
        "name": "山田 太郎", "kana": "ヤマダ タロウ", "sex": "male", "birth_date": "1980-04-01",
        "address": "東京都千代田区千代田1-1", "postal_code": "100-0001",
        "phone": null, "affiliation_code": null, "employee_number": null,
        "identification": { "office_code": "1234", "symbol": "100", "number": "1", "branch": "00", "relationship_code": "0" },
        "monthly_remuneration": 300000,
        "standard_remuneration": { "grade": 22, "amount": 300000 },
        "scheduled_loss_on": "2055-04-01", "late_application_reason": null
    }});
    let mut tx = event_store::begin_command(&pool).await.unwrap();
    let old = NewEvent {
        event_id: Uuid::now_v7(),
        event_type: "QualificationAcquired".to_owned(),
        event_version: "1.0".to_owned(),
        payload: v1,
        metadata: EventMetadata::system("legacy-migration"),
    };
    let stream = format!("person-{person}");
    event_store::append(
        &mut tx,
        &stream,
        "person",
        ExpectedVersion::NoStream,
        &[old],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let upcasters = kenpo_api::startup::upcasters();
    let mut conn = pool.acquire().await.unwrap();
    let stored = event_store::read_stream(&mut conn, &stream, &upcasters)
        .await
        .unwrap();
    // cqrs-es writes the upcast version in full semantic form
    assert_eq!(stored[0].event_version, "2.0.0");
    let event: PersonEvent = stored[0].domain_event().unwrap();
    let PersonEvent::QualificationAcquired(acquired) = event else {
        panic!("wrong event")
    };
    assert_eq!(
        acquired.resident_address.as_str(),
        "〒100-0001 東京都千代田区千代田1-1"
    );
    assert_eq!(acquired.contact_address, None);
    // the stored row itself is untouched
    let raw: serde_json::Value =
        sqlx::query_scalar("SELECT payload FROM events WHERE stream_id = $1")
            .bind(&stream)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(
        raw["QualificationAcquired"]["address"],
        "東京都千代田区千代田1-1"
    );
}
