//! 個人番号 commands and reads, each in one transaction with its access-log row.

use std::sync::Arc;

use kenpo_domain::calendar::Date;
use kenpo_domain::my_number::{
    MyNumber, MyNumberCommand, MyNumberEvent, MyNumberRecord, NumberEntry, SealerService,
};
use kenpo_domain::qualification::Description;
use kenpo_infrastructure::crypto::{subject_keys, BlindIndexKey, CryptoError, KeyEncryptionKeys};
use kenpo_projections::my_number_status::{self, MyNumberEventAt};
use serde::Serialize;
use sqlx::PgConnection;
use utoipa::ToSchema;
use uuid::Uuid;

use super::access_log::{self, Action, Entry, Outcome};
use super::guard::Granted;
use super::sealer::{self, DekSealer, NoSealer};
use crate::application::aggregate::{self, stream_id};
use crate::auth::Staff;
use crate::problem::ApiError;
use crate::state::AppState;

/// What a My Number command recorded (never the number).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MyNumberRecorded {
    pub person_id: Uuid,
    /// `my_number-<uuid>`.
    pub stream_id: String,
    pub version: i64,
    pub position: i64,
    /// Event types recorded; empty when the command changed nothing (the same number again).
    pub events: Vec<String>,
}

/// A domain refusal as an answer: the one mapping for every area.
pub use crate::problem::refusal;

fn crypto_error(e: CryptoError) -> ApiError {
    ApiError::internal(&e)
}

/// The blind index of a number under the active blind-index key version (HMAC under a key
/// outside the database), with that version: what a new `my_number_index` entry stores.
pub fn blind_index(bik: &dyn BlindIndexKey, number: &MyNumber) -> (i32, Vec<u8>) {
    let (version, bidx) = bik.blind_index_active(number.expose().as_bytes());
    (i32::try_from(version).unwrap_or(i32::MAX), bidx.to_vec())
}

/// The blind indexes of a number under every blind-index key version held: during a
/// rotation's re-index an entry may still be under an older version, so lookups and duplicate
/// detection search them all.
pub fn blind_indexes(bik: &dyn BlindIndexKey, number: &MyNumber) -> Vec<Vec<u8>> {
    bik.blind_indexes(number.expose().as_bytes())
        .into_iter()
        .map(|(_, bidx)| bidx.to_vec())
        .collect()
}

/// The person must exist in 適用 (a member row); 404 otherwise.
async fn require_person(conn: &mut PgConnection, person_id: Uuid) -> Result<(), ApiError> {
    let exists: Option<i32> = sqlx::query_scalar("SELECT 1 FROM members WHERE person_id = $1")
        .bind(person_id)
        .fetch_optional(&mut *conn)
        .await?;
    exists
        .map(|_| ())
        .ok_or_else(|| ApiError::not_found("person_not_found", "there is no person with this id"))
}

/// Who holds the number with one of these blind indexes (one per key version), if anyone.
pub async fn holder(
    conn: &mut PgConnection,
    bidxs: &[Vec<u8>],
) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query_scalar("SELECT person_id FROM my_number_index WHERE bidx = ANY($1) LIMIT 1")
        .bind(bidxs)
        .fetch_optional(&mut *conn)
        .await
}

/// Run a My Number command for `person_id` and project it; `sealer` seals any number.
#[allow(clippy::too_many_arguments)]
async fn execute(
    conn: &mut PgConnection,
    state: &AppState,
    person_id: Uuid,
    command: MyNumberCommand,
    sealer: SealerService,
    expected: Option<i64>,
    metadata: &kenpo_infrastructure::event_store::EventMetadata,
    loaded: aggregate::Loaded<MyNumberRecord>,
) -> Result<MyNumberRecorded, ApiError> {
    let handled =
        aggregate::execute(conn, loaded, command, &sealer, expected, metadata, refusal).await?;
    let first = handled.append.stream_version - handled.events.len() as i64;
    let at: Vec<MyNumberEventAt> = (first + 1..)
        .zip(&handled.events)
        .map(|(version, event)| MyNumberEventAt {
            person_id,
            version,
            event: event.clone(),
        })
        .collect();
    my_number_status::apply(conn, &at)
        .await
        .map_err(|e| ApiError::internal(&e))?;
    let _ = state;
    Ok(MyNumberRecorded {
        person_id,
        stream_id: stream_id::<MyNumberRecord>(person_id),
        version: handled.append.stream_version,
        position: handled.append.last_position,
        events: handled
            .events
            .iter()
            .map(|e| e.type_name().to_owned())
            .collect(),
    })
}

/// The number currently registered for the person, opened with their key (for a change, which
/// keeps the previous number inside the new sealed value).
fn current_number(
    record: &MyNumberRecord,
    person_id: Uuid,
    dek: &kenpo_infrastructure::crypto::DataKey,
) -> Result<Option<MyNumber>, ApiError> {
    let Some((version, sealed, event_type)) = record.latest_sealed() else {
        return Ok(None);
    };
    let plain = sealer::open(
        dek,
        &stream_id::<MyNumberRecord>(person_id),
        version,
        event_type,
        sealed,
    )
    .map_err(|e| ApiError::internal(&e))?;
    Ok(Some(plain.number))
}

/// A 登録 or 変更 keyed by one person and waiting for a second (ダブルチェック): never the
/// number.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EntryPendingAnswer {
    pub person_id: Uuid,
    /// The entry to confirm (`POST …/my-number/entries/{entry_id}/confirmation`).
    pub entry_id: Uuid,
    /// Always `pending_confirmation`.
    pub status: &'static str,
    /// `registration` or `change`.
    pub kind: &'static str,
    /// `my_number-<uuid>`.
    pub stream_id: String,
    pub version: i64,
    pub position: i64,
    pub events: Vec<String>,
}

/// How an entry of a number ended.
pub enum EntryOutcome {
    /// Recorded as pending, for a second person to confirm.
    Pending(EntryPendingAnswer),
    /// The same number was already registered for this person: nothing recorded.
    Unchanged(MyNumberRecorded),
}

/// Where the number stands in the blind index: refused when another person holds it; `true`
/// when this person holds it already.
async fn check_duplicate(
    conn: &mut PgConnection,
    state: &AppState,
    person_id: Uuid,
    number: &MyNumber,
) -> Result<bool, ApiError> {
    match holder(conn, &blind_indexes(state.bik.as_ref(), number)).await? {
        Some(other) if other != person_id => Err(ApiError::conflict(
            "my_number_duplicate",
            "this 個人番号 is already registered for another person; it was not recorded \
             (a permitted user can find the holder with 名寄せ)",
        )),
        Some(_) => Ok(true),
        None => Ok(false),
    }
}

/// digest.md §4.5: a number whose 5情報 did not match is not registered (a later matching
/// check lifts this).
fn check_five_info(record: &MyNumberRecord) -> Result<(), ApiError> {
    match record.last_five_info_check() {
        Some(check) if !check.matched() => Err(ApiError::conflict(
            "my_number_five_info_mismatch",
            format!(
                "the last 5情報 check ({}) did not match; the number is not registered until a check matches",
                check.checked_on
            ),
        )),
        _ => Ok(()),
    }
}

/// The access-log row of a successful action on `person_id`.
async fn log_ok(
    conn: &mut PgConnection,
    staff: &Staff,
    granted: &Granted,
    person_id: Uuid,
    action: Action,
    reason_code: Option<&str>,
) -> Result<(), ApiError> {
    access_log::record(
        conn,
        &Entry {
            staff,
            role: Some(granted.role),
            elevation: Some(&granted.elevation),
            person_id: Some(person_id),
            action,
            outcome: Outcome::Ok,
            reason_code,
        },
    )
    .await?;
    Ok(())
}

/// 登録 or 変更 keyed by one person (ダブルチェック, first step): duplicate and 5情報 checks,
/// the number sealed under the person's key in a pending entry of their stream — all in
/// `conn`'s transaction, with the access-log row. Nothing is registered or indexed yet.
#[allow(clippy::too_many_arguments)]
pub async fn enter_number(
    conn: &mut PgConnection,
    state: &AppState,
    staff: &Staff,
    granted: &Granted,
    person_id: Uuid,
    number: MyNumber,
    entry: NumberEntry,
    action: Action,
    expected: Option<i64>,
) -> Result<EntryOutcome, ApiError> {
    require_person(conn, person_id).await?;
    let loaded = aggregate::load::<MyNumberRecord>(conn, &state.upcasters, person_id)
        .await
        .map_err(aggregate::store_error)?;
    if check_duplicate(conn, state, person_id, &number).await? {
        log_ok(conn, staff, granted, person_id, action, Some("unchanged")).await?;
        return Ok(EntryOutcome::Unchanged(MyNumberRecorded {
            person_id,
            stream_id: stream_id::<MyNumberRecord>(person_id),
            version: loaded.version,
            position: 0,
            events: Vec::new(),
        }));
    }
    check_five_info(&loaded.aggregate)?;
    let keks: &dyn KeyEncryptionKeys = state.keks.as_ref();
    let (key_id, dek) = subject_keys::get_or_create(conn, keks, person_id)
        .await
        .map_err(crypto_error)?;
    let previous = current_number(&loaded.aggregate, person_id, &dek)?;
    let entry_id = Uuid::now_v7();
    let kind = entry.kind();
    let command = MyNumberCommand::EnterNumber {
        entry_id,
        number,
        entry,
        previous,
        entered_by: staff.claims.sub.clone(),
        entered_at: chrono::Utc::now(),
    };
    let sealer = SealerService(Arc::new(DekSealer {
        dek,
        key_id,
        stream_id: stream_id::<MyNumberRecord>(person_id),
    }));
    let metadata = staff.metadata(granted.role);
    let recorded = execute(
        conn, state, person_id, command, sealer, expected, &metadata, loaded,
    )
    .await?;
    log_ok(
        conn,
        staff,
        granted,
        person_id,
        action,
        Some("pending_confirmation"),
    )
    .await?;
    Ok(EntryOutcome::Pending(EntryPendingAnswer {
        person_id,
        entry_id,
        status: "pending_confirmation",
        kind,
        stream_id: recorded.stream_id,
        version: recorded.version,
        position: recorded.position,
        events: recorded.events,
    }))
}

/// The second person keys the number of entry `entry_id` again (ダブルチェック): the entry's
/// number is opened and compared, never shown; equal and keyed by someone else, it is
/// registered (duplicate check against other persons, the 重複登録の審査, again here) and
/// indexed — in `conn`'s transaction, with the access-log row.
#[allow(clippy::too_many_arguments)]
pub async fn confirm_entry(
    conn: &mut PgConnection,
    state: &AppState,
    staff: &Staff,
    granted: &Granted,
    person_id: Uuid,
    entry_id: Uuid,
    number: MyNumber,
    expected: Option<i64>,
) -> Result<MyNumberRecorded, ApiError> {
    require_person(conn, person_id).await?;
    let loaded = aggregate::load::<MyNumberRecord>(conn, &state.upcasters, person_id)
        .await
        .map_err(aggregate::store_error)?;
    let (version, sealed, event_type) = loaded
        .aggregate
        .pending(entry_id)
        .map_err(refusal)?
        .sealed();
    let keks: &dyn KeyEncryptionKeys = state.keks.as_ref();
    let Some((key_id, dek)) = subject_keys::get(conn, keks, person_id)
        .await
        .map_err(crypto_error)?
    else {
        return Err(ApiError::internal(
            &"a pending 個人番号 entry has no data key",
        ));
    };
    let entered = sealer::open(
        &dek,
        &stream_id::<MyNumberRecord>(person_id),
        version,
        event_type,
        sealed,
    )
    .map_err(|e| ApiError::internal(&e))?
    .number;
    // two people, the same number: refused before anything else is looked at
    loaded
        .aggregate
        .check_confirmation(entry_id, &staff.claims.sub, &number, &entered)
        .map_err(refusal)?;
    check_duplicate(conn, state, person_id, &number).await?;
    check_five_info(&loaded.aggregate)?;
    let previous = current_number(&loaded.aggregate, person_id, &dek)?;
    let (bidx_version, bidx) = blind_index(state.bik.as_ref(), &number);
    let command = MyNumberCommand::ConfirmEntry {
        entry_id,
        number,
        entered,
        previous,
        confirmed_by: staff.claims.sub.clone(),
    };
    let sealer = SealerService(Arc::new(DekSealer {
        dek,
        key_id,
        stream_id: stream_id::<MyNumberRecord>(person_id),
    }));
    let metadata = staff.metadata(granted.role);
    let recorded = execute(
        conn, state, person_id, command, sealer, expected, &metadata, loaded,
    )
    .await?;
    // the person's previous number (if any) no longer points here
    sqlx::query("DELETE FROM my_number_index WHERE person_id = $1")
        .bind(person_id)
        .execute(&mut *conn)
        .await?;
    let inserted = sqlx::query(
        "INSERT INTO my_number_index (bidx, person_id, bidx_version) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING",
    )
    .bind(&bidx)
    .bind(person_id)
    .bind(bidx_version)
    .execute(&mut *conn)
    .await?;
    if inserted.rows_affected() == 0 {
        // another transaction registered the same number for another person first
        return Err(ApiError::conflict(
            "my_number_duplicate",
            "this 個人番号 was registered for another person at the same moment; it was not recorded",
        ));
    }
    log_ok(conn, staff, granted, person_id, Action::Confirm, None).await?;
    Ok(recorded)
}

/// Withdraw the pending entry `entry_id` with a reason (by the person who keyed it or
/// another permitted person), with its access-log row.
#[allow(clippy::too_many_arguments)]
pub async fn withdraw_entry(
    conn: &mut PgConnection,
    state: &AppState,
    staff: &Staff,
    granted: &Granted,
    person_id: Uuid,
    entry_id: Uuid,
    reason: Description,
    expected: Option<i64>,
) -> Result<MyNumberRecorded, ApiError> {
    let command = MyNumberCommand::WithdrawEntry {
        entry_id,
        reason,
        withdrawn_by: staff.claims.sub.clone(),
    };
    record_fact(
        conn,
        state,
        staff,
        granted,
        person_id,
        command,
        Action::WithdrawEntry,
        expected,
    )
    .await
}

/// A command that seals nothing (削除, 未登録, 枝番, 5情報), with its access-log row.
#[allow(clippy::too_many_arguments)]
pub async fn record_fact(
    conn: &mut PgConnection,
    state: &AppState,
    staff: &Staff,
    granted: &Granted,
    person_id: Uuid,
    command: MyNumberCommand,
    action: Action,
    expected: Option<i64>,
) -> Result<MyNumberRecorded, ApiError> {
    require_person(conn, person_id).await?;
    let deletes = matches!(command, MyNumberCommand::Delete { .. });
    let loaded = aggregate::load::<MyNumberRecord>(conn, &state.upcasters, person_id)
        .await
        .map_err(aggregate::store_error)?;
    let metadata = staff.metadata(granted.role);
    let recorded = execute(
        conn,
        state,
        person_id,
        command,
        SealerService(Arc::new(NoSealer)),
        expected,
        &metadata,
        loaded,
    )
    .await?;
    if deletes {
        // a deleted number no longer blocks another person's registration
        sqlx::query("DELETE FROM my_number_index WHERE person_id = $1")
            .bind(person_id)
            .execute(&mut *conn)
            .await?;
    }
    access_log::record(
        conn,
        &Entry {
            staff,
            role: Some(granted.role),
            elevation: Some(&granted.elevation),
            person_id: Some(person_id),
            action,
            outcome: Outcome::Ok,
            reason_code: None,
        },
    )
    .await?;
    Ok(recorded)
}

/// What a read shows.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Revealed {
    /// The number, for this permitted and logged read.
    Registered {
        person_id: Uuid,
        my_number: String,
        /// Stream version the number was read at.
        as_of_version: i64,
    },
    /// The retention job erased it.
    Erased {
        person_id: Uuid,
        erased_on: Date,
        ledger_seq: i64,
    },
}

/// Reveal a person's number. The access-log row is committed before anything is opened, so
/// no number is ever shown unlogged.
pub async fn reveal(
    state: &AppState,
    staff: &Staff,
    granted: &Granted,
    person_id: Uuid,
) -> Result<Revealed, ApiError> {
    let entry = Entry {
        staff,
        role: Some(granted.role),
        elevation: Some(&granted.elevation),
        person_id: Some(person_id),
        action: Action::Read,
        outcome: Outcome::Ok,
        reason_code: None,
    };
    access_log::record_alone(&state.pool, &entry).await?;
    let mut conn = state.pool.acquire().await?;
    let loaded = aggregate::load::<MyNumberRecord>(&mut conn, &state.upcasters, person_id)
        .await
        .map_err(aggregate::store_error)?;
    if let Some(erasure) = loaded.aggregate.erasure() {
        return Ok(Revealed::Erased {
            person_id,
            erased_on: erasure.erased_on,
            ledger_seq: erasure.ledger_seq,
        });
    }
    if !loaded.aggregate.has_number() {
        return Err(ApiError::not_found(
            "my_number_not_registered",
            "no 個人番号 is registered for this person",
        ));
    }
    let keks: &dyn KeyEncryptionKeys = state.keks.as_ref();
    let Some((_, dek)) = subject_keys::get(&mut conn, keks, person_id)
        .await
        .map_err(crypto_error)?
    else {
        return Err(ApiError::internal(&"a registered 個人番号 has no data key"));
    };
    let number = current_number(&loaded.aggregate, person_id, &dek)?
        .ok_or_else(|| ApiError::internal(&"a registered 個人番号 has no sealed value"))?;
    Ok(Revealed::Registered {
        person_id,
        my_number: number.expose().to_owned(),
        as_of_version: loaded.version,
    })
}

/// How many `my_number_index` entries are under a blind-index key version older than the
/// active one (what [`reindex_all`] has left to do).
pub async fn count_to_reindex(pool: &sqlx::PgPool, bik: &dyn BlindIndexKey) -> anyhow::Result<u64> {
    let count: i64 =
        sqlx::query_scalar("SELECT count(*) FROM my_number_index WHERE bidx_version < $1")
            .bind(i32::try_from(bik.blind_index_version())?)
            .fetch_one(pool)
            .await?;
    Ok(u64::try_from(count).unwrap_or_default())
}

/// Re-index every `my_number_index` entry under an older blind-index key version than the
/// active one (`kenpo keys rotate --blind-index`): `batch` entries per transaction, each
/// locked `FOR UPDATE`; the person's number is opened (data key unwrapped with the KEKs,
/// sealed event opened) and its HMAC under the active version replaces the old one. No event
/// changes. Resumable: whole batches are done, a re-run continues with the rest. Calls
/// `progress` with the running total; returns how many entries it re-indexed.
pub async fn reindex_all(
    pool: &sqlx::PgPool,
    upcasters: &kenpo_infrastructure::event_store::Upcasters,
    keks: &dyn KeyEncryptionKeys,
    bik: &dyn BlindIndexKey,
    batch: i64,
    progress: &dyn Fn(u64),
) -> anyhow::Result<u64> {
    use anyhow::Context;

    let batch = batch.max(1);
    let mut done = 0_u64;
    loop {
        let active = i32::try_from(bik.blind_index_version())?;
        let mut tx = pool.begin().await?;
        let rows: Vec<(Uuid, i32)> = sqlx::query_as(
            "SELECT person_id, bidx_version FROM my_number_index
             WHERE bidx_version < $1
             ORDER BY bidx_version, person_id
             LIMIT $2
             FOR UPDATE",
        )
        .bind(active)
        .bind(batch)
        .fetch_all(&mut *tx)
        .await?;
        if rows.is_empty() {
            tx.commit().await?;
            return Ok(done);
        }
        let mut in_batch = 0_u64;
        for (person_id, old_version) in rows {
            let (_, dek) = subject_keys::get(&mut tx, keks, person_id)
                .await
                .with_context(|| format!("opening the data key of person {person_id}"))?
                .with_context(|| {
                    format!("person {person_id} has an index entry but no data key")
                })?;
            let loaded = aggregate::load::<MyNumberRecord>(&mut tx, upcasters, person_id)
                .await
                .with_context(|| format!("reading the My Number stream of person {person_id}"))?;
            let number = current_number(&loaded.aggregate, person_id, &dek)
                .map_err(|e| anyhow::anyhow!("opening the number of person {person_id}: {e}"))?
                .with_context(|| {
                    format!("person {person_id} has an index entry but no registered number")
                })?;
            let (version, bidx) = blind_index(bik, &number);
            in_batch += sqlx::query(
                "UPDATE my_number_index SET bidx = $3, bidx_version = $4
                 WHERE person_id = $1 AND bidx_version = $2",
            )
            .bind(person_id)
            .bind(old_version)
            .bind(&bidx)
            .bind(version)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        }
        tx.commit().await?;
        done += in_batch;
        progress(done);
    }
}

/// Whether `version` of the blind-index key gives the `my_number_index` entries under it:
/// one entry's number is opened (data key unwrapped with the KEKs) and its HMAC under that
/// version compared. `true` when no entry is under it. For adopting a key version that has
/// entries but no key check value yet (a database from before check values).
pub async fn index_entries_match(
    pool: &sqlx::PgPool,
    upcasters: &kenpo_infrastructure::event_store::Upcasters,
    keys: &kenpo_infrastructure::crypto::FileKeyStore,
    version: u32,
) -> anyhow::Result<bool> {
    use anyhow::Context;

    let mut conn = pool.acquire().await?;
    let entry: Option<(Uuid, Vec<u8>)> = sqlx::query_as(
        "SELECT person_id, bidx FROM my_number_index WHERE bidx_version = $1 LIMIT 1",
    )
    .bind(i32::try_from(version)?)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((person_id, bidx)) = entry else {
        return Ok(true);
    };
    let (_, dek) = subject_keys::get(&mut conn, keys, person_id)
        .await
        .with_context(|| format!("opening the data key of person {person_id}"))?
        .with_context(|| format!("person {person_id} has an index entry but no data key"))?;
    let loaded = aggregate::load::<MyNumberRecord>(&mut conn, upcasters, person_id)
        .await
        .with_context(|| format!("reading the My Number stream of person {person_id}"))?;
    let number = current_number(&loaded.aggregate, person_id, &dek)
        .map_err(|e| anyhow::anyhow!("opening the number of person {person_id}: {e}"))?
        .with_context(|| format!("person {person_id} has an index entry but no number"))?;
    Ok(keys.blind_index_under(version, number.expose().as_bytes())
        == bidx.as_slice().try_into().ok())
}

/// Keep `MyNumberEvent` referenced for the OpenAPI of the stream endpoint.
pub type Event = MyNumberEvent;
