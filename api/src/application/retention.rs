//! 個人番号 retention (保存期間): crypto-shred the numbers of persons whose latest 資格喪失 is
//! more than 10 years ago and who are not qualified now (digest.md §3, L1691–1692, L1763–1764;
//! `kenpo_domain::my_number::retention`), and write each erasure in the 管理簿 (L1770, L3426).
//!
//! Each batch is one transaction: lock the due key rows (`FOR UPDATE SKIP LOCKED`), re-check
//! each person under a lock on their 適用 stream (a 資格取得 committed meanwhile wins: the clock
//! restarts), delete the data key and the blind-index entry, insert the ledger row, append the
//! non-sensitive `MyNumberErased` event, update the status read model, log the access. A crash
//! anywhere rolls the batch back; a re-run picks up what is left; a person is erased once,
//! because only persons who still have a data key are selected.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use kenpo_domain::calendar::Date;
use kenpo_domain::my_number::{self, MyNumberCommand, MyNumberRecord, SealerService};
use kenpo_domain::qualification::Person;
use kenpo_domain::staff::{self as registry, StaffId};
use kenpo_infrastructure::event_store::{self, EventMetadata};
use kenpo_projections::my_number_status::{self, MyNumberEventAt};
use kenpo_projections::staff_accounts::{query, NotActive};
use serde::Serialize;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::aggregate::{self, stream_id};
use super::my_number::sealer::NoSealer;
use crate::problem::ApiError;

/// The rule every erasure follows, as written in the ledger.
pub const LEGAL_BASIS: &str =
    "文書保存規程: 個人番号は資格喪失後10年保存の後に完全消去 (全項目評価書 L1691–1692, L1763–1764)";

/// How to run.
#[derive(Debug, Clone)]
pub struct RetentionOptions {
    /// The day the 10 years are counted to (default: today in Japan).
    pub as_of: Date,
    /// Persons per transaction.
    pub batch: i64,
    /// List who is due; change nothing.
    pub dry_run: bool,
    /// Who runs it (recorded in the ledger and the access log): from the command line, the
    /// 職員ID of an account [`authorize_actor`] let through.
    pub actor: String,
    /// Test hook: abort the process after this many erasures inside a batch (a crash test).
    /// Honoured only in builds with the `crash-hooks` feature (never a release binary).
    pub abort_after: Option<u64>,
}

/// What a run did.
#[derive(Debug, Clone, Serialize)]
pub struct RetentionSummary {
    pub run_id: Uuid,
    pub as_of: Date,
    pub dry_run: bool,
    /// Persons found due.
    pub due: u64,
    /// Persons erased by this run.
    pub erased: u64,
    /// Due persons skipped because they became qualified again (rejoined) meanwhile.
    pub skipped_rejoined: u64,
    pub batches: u64,
    #[serde(skip)]
    pub elapsed: Duration,
}

/// Errors of the retention job.
#[derive(Debug, thiserror::Error)]
pub enum RetentionError {
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error("{0}")]
    Command(String),
    /// The as-of date lies after today in Japan: erasure is irreversible, so it is never run
    /// for a day that has not come.
    #[error("--as-of {as_of} is after today in Japan ({today}): erasure cannot be run for a future date; give today or an earlier date, or leave --as-of out")]
    AsOfInFuture { as_of: Date, today: Date },
    /// The actor may not run the job.
    #[error("--actor {actor}: {why}")]
    ActorRefused { actor: String, why: String },
}

/// The role whose holders may run the job: the データ保護担当者 (`data_protection`) owns
/// erasure, as they own the access log and the review of My Number use (the My Number guard
/// gives them nothing else: they never read a number, and erasure reads none).
pub const RETENTION_ROLE: registry::Role = registry::Role::DataProtection;

/// Refuse an as-of date after `today` (a date in Japan, see [`jst_today`]).
pub fn check_as_of(as_of: Date, today: Date) -> Result<(), RetentionError> {
    if as_of > today {
        Err(RetentionError::AsOfInFuture { as_of, today })
    } else {
        Ok(())
    }
}

/// The 職員ID `actor` when its ユーザ管理簿 account is active on `today` (a date in Japan) and
/// holds [`RETENTION_ROLE`]; refused otherwise, saying why.
pub async fn authorize_actor(
    executor: impl sqlx::PgExecutor<'_>,
    actor: &str,
    today: Date,
) -> Result<StaffId, RetentionError> {
    let refused = |why: String| RetentionError::ActorRefused {
        actor: actor.to_owned(),
        why,
    };
    let staff_id = StaffId::parse(actor).map_err(|e| {
        refused(format!(
            "{e} (--actor takes the 職員ID of a ユーザ管理簿 account)"
        ))
    })?;
    let account = query::standing(executor, staff_id.as_str())
        .await
        .map_err(|e| RetentionError::Command(e.to_string()))?
        .ok_or(NotActive::Unknown)
        .and_then(|account| account.active_on(today).map(|()| account))
        .map_err(|why| refused(format!("{why}; see `kenpo accounts list`")))?;
    if !account.roles.contains(&RETENTION_ROLE) {
        return Err(refused(format!(
            "the account does not hold the {RETENTION_ROLE} role (データ保護担当者), which erasure needs"
        )));
    }
    Ok(staff_id)
}

impl From<ApiError> for RetentionError {
    fn from(e: ApiError) -> Self {
        Self::Command(e.to_string())
    }
}

struct Candidate {
    person_id: Uuid,
    lost_on: chrono::NaiveDate,
}

/// Due persons after `after` in person-id order: they still have a data key, are not
/// qualified, and their latest loss is old enough. The SQL bound is the same 10 years; the
/// domain rule decides each one.
async fn candidates(
    conn: &mut PgConnection,
    as_of: Date,
    after: Uuid,
    limit: i64,
    lock: bool,
) -> Result<Vec<Candidate>, sqlx::Error> {
    let sql = format!(
        "SELECT k.person_id, m.lost_on
           FROM subject_keys k JOIN members m ON m.person_id = k.person_id
          WHERE m.status = 'lost' AND m.lost_on IS NOT NULL
            AND m.lost_on <= ($1::date - interval '{} years')::date
            AND k.person_id > $2
          ORDER BY k.person_id LIMIT $3 {}",
        my_number::RETENTION_YEARS,
        if lock {
            "FOR UPDATE OF k SKIP LOCKED"
        } else {
            ""
        }
    );
    let rows: Vec<(Uuid, chrono::NaiveDate)> = sqlx::query_as(&sql)
        .bind(as_of.naive())
        .bind(after)
        .bind(limit)
        .fetch_all(&mut *conn)
        .await?;
    Ok(rows
        .into_iter()
        .filter(|(_, lost_on)| my_number::is_due(Some(Date::from(*lost_on)), false, as_of))
        .map(|(person_id, lost_on)| Candidate { person_id, lost_on })
        .collect())
}

/// Run the job. `progress(erased, due_so_far)` is called after each batch. Refused, before
/// anything is read, when the as-of date is after today in Japan.
pub async fn run(
    pool: &PgPool,
    upcasters: &kenpo_infrastructure::event_store::Upcasters,
    options: &RetentionOptions,
    progress: &dyn Fn(u64),
) -> Result<RetentionSummary, RetentionError> {
    check_as_of(options.as_of, jst_today())?;
    let started = Instant::now();
    let run_id = Uuid::now_v7();
    let mut summary = RetentionSummary {
        run_id,
        as_of: options.as_of,
        dry_run: options.dry_run,
        due: 0,
        erased: 0,
        skipped_rejoined: 0,
        batches: 0,
        elapsed: Duration::ZERO,
    };
    let mut after = Uuid::nil();
    let mut processed_in_run = 0_u64;
    loop {
        if options.dry_run {
            let mut conn = pool.acquire().await?;
            let found = candidates(&mut conn, options.as_of, after, options.batch, false).await?;
            let Some(last) = found.last() else { break };
            after = last.person_id;
            summary.due += found.len() as u64;
            summary.batches += 1;
            progress(summary.due);
            continue;
        }
        let mut tx = event_store::begin_command(pool).await?;
        let found = candidates(&mut tx, options.as_of, after, options.batch, true).await?;
        let Some(last) = found.last() else { break };
        after = last.person_id;
        summary.due += found.len() as u64;
        summary.batches += 1;
        for candidate in found {
            if erase_one(&mut tx, upcasters, options, run_id, &candidate).await? {
                summary.erased += 1;
                processed_in_run += 1;
                if cfg!(feature = "crash-hooks") && options.abort_after == Some(processed_in_run) {
                    // a crash in the middle of a batch, for the crash test
                    std::process::abort();
                }
            } else {
                summary.skipped_rejoined += 1;
            }
        }
        tx.commit().await?;
        progress(summary.erased);
    }
    summary.elapsed = started.elapsed();
    Ok(summary)
}

/// Erase one person in the batch's transaction; false when they are no longer due.
async fn erase_one(
    conn: &mut PgConnection,
    upcasters: &kenpo_infrastructure::event_store::Upcasters,
    options: &RetentionOptions,
    run_id: Uuid,
    candidate: &Candidate,
) -> Result<bool, RetentionError> {
    let person_id = candidate.person_id;
    // hold the person's 適用 stream: a 資格取得 cannot commit until this batch does
    event_store::lock_stream_for_share(conn, &stream_id::<Person>(person_id))
        .await
        .map_err(|e| RetentionError::Command(e.to_string()))?;
    let now: Option<(String, Option<chrono::NaiveDate>)> =
        sqlx::query_as("SELECT status, lost_on FROM members WHERE person_id = $1")
            .bind(person_id)
            .fetch_optional(&mut *conn)
            .await?;
    let still_due = match now {
        Some((status, lost_on)) => my_number::is_due(
            lost_on.map(Date::from),
            status == "qualified",
            options.as_of,
        ),
        None => false,
    };
    if !still_due {
        return Ok(false);
    }
    let Some((key_id, kek_version)): Option<(Uuid, i32)> = sqlx::query_as(
        "DELETE FROM subject_keys WHERE person_id = $1 RETURNING key_id, kek_version",
    )
    .bind(person_id)
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(false);
    };
    sqlx::query("DELETE FROM my_number_index WHERE person_id = $1")
        .bind(person_id)
        .execute(&mut *conn)
        .await?;
    // their idempotency records (keyed fingerprints and sealed answers of their requests)
    kenpo_infrastructure::idempotency::forget_subject(conn, person_id).await?;
    let due_on = my_number::erasure_due_on(Date::from(candidate.lost_on));
    let ledger_seq: i64 = sqlx::query_scalar(
        "INSERT INTO erasure_ledger (run_id, person_id, key_id, kek_version, qualification_lost_on,
                                     due_on, erased_by, legal_basis)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ledger_seq",
    )
    .bind(run_id)
    .bind(person_id)
    .bind(key_id)
    .bind(kek_version)
    .bind(candidate.lost_on)
    .bind(due_on.naive())
    .bind(&options.actor)
    .bind(LEGAL_BASIS)
    .fetch_one(&mut *conn)
    .await?;
    let today = jst_today();
    let loaded = aggregate::load::<MyNumberRecord>(conn, upcasters, person_id)
        .await
        .map_err(|e| RetentionError::Command(e.to_string()))?;
    let mut metadata = EventMetadata::system(&options.actor);
    metadata.role = "retention".to_owned();
    metadata.correlation_id = run_id;
    metadata.reason = Some(LEGAL_BASIS.to_owned());
    let handled = aggregate::execute(
        conn,
        loaded,
        MyNumberCommand::Erase {
            key_id,
            ledger_seq,
            legal_basis: LEGAL_BASIS.to_owned(),
            erased_on: today,
        },
        &SealerService(Arc::new(NoSealer)),
        None,
        &metadata,
        super::my_number::service::refusal,
    )
    .await?;
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
        .map_err(|e| RetentionError::Command(e.to_string()))?;
    sqlx::query(
        "INSERT INTO my_number_access_log (staff_id, role, request_id, person_id, action, outcome, purpose)
         VALUES ($1, 'retention', $2, $3, 'erase', 'ok', $4)",
    )
    .bind(&options.actor)
    .bind(run_id.to_string())
    .bind(person_id)
    .bind(LEGAL_BASIS)
    .execute(&mut *conn)
    .await?;
    Ok(true)
}

/// Today in Japan (JST is UTC+9 all year).
pub fn jst_today() -> Date {
    Date::from((Utc::now() + chrono::Duration::hours(9)).date_naive())
}
