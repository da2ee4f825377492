//! The monthly assessment run (月次賦課): issue the 納入告知 of every 事業所 with ordinary
//! insured for a month, and assess every 任意継続 / 特例退職 premium account for it.
//!
//! - **Who**: every `members` candidate of the month, grouped by current 事業所; persons who
//!   ever moved between 事業所 are placed by their stream (the 事業所 on their last insured
//!   day of the month), exactly as one notice is built ([`super::employer_notices`]).
//! - **Batches**: 事業所 are taken in order and grouped until a batch holds `batch_persons`
//!   candidates; each batch is one command transaction (ADR 0001: shared log lock, appends,
//!   inline read model, commit). `workers` batches run at once.
//! - **Resumable and idempotent**: a 事業所 whose notice for the month exists (its stream is
//!   there, checked inside the batch's transaction) is skipped, so a re-run after a crash or
//!   an interruption issues only what is missing, and a second run issues nothing.
//! - **Failures**: a 事業所 whose figures cannot be calculated (a record the calculation
//!   refuses) is listed with its code and left out; the others are issued. A database error
//!   stops the run (its batch rolls back; re-run to continue).
//! - **任継・特退**: every account open in the month and not yet assessed for it is assessed
//!   with [`super::premiums::assess_month`] (one transaction per `voluntary_batch` accounts,
//!   `workers` at once, alongside the notices); refusals (e.g. a 前納 month, a month after the
//!   loss) are counted by code.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use futures::stream::{self, StreamExt, TryStreamExt};
use kenpo_domain::calendar::{Date, YearMonth};
use kenpo_domain::employer_notices::{
    self as notices, EmployerNotice, EmployerNoticeCommand, EmployerNoticeError, NoticeIssue,
};
use kenpo_domain::premiums::employer::InsuredMonth;
use kenpo_infrastructure::event_store::{
    self, EventMetadata, EventStoreError, ExpectedVersion, NewEvent, Upcasters,
};
use kenpo_projections::employer_notices::{self as read_model, EmployerNoticeEventAt};
use serde::Serialize;
use sqlx::PgPool;
use utoipa::ToSchema;
use uuid::Uuid;

use super::aggregate::stream_id;
use super::employer_notices::{
    all_candidates, calculate, insured_month, parameters_for, refusal, CalculationError,
    NoticeParameters, PersonLoader,
};
use crate::problem::ApiError;

/// How to run.
#[derive(Debug, Clone)]
pub struct AssessmentOptions {
    /// 月分.
    pub month: YearMonth,
    /// 告知日 of the notices (today in Japan).
    pub today: Date,
    /// Candidates per transaction (whole 事業所 are never split).
    pub batch_persons: usize,
    /// Transactions in flight at once, for the notices and (alongside) for the accounts.
    pub workers: usize,
    /// 任継・特退 accounts per transaction.
    pub voluntary_batch: usize,
}

impl AssessmentOptions {
    pub fn new(month: YearMonth, today: Date) -> Self {
        Self {
            month,
            today,
            batch_persons: 20_000,
            workers: 2,
            voluntary_batch: 500,
        }
    }
}

/// Progress, told after each batch.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AssessmentProgress {
    pub offices_done: u64,
    pub offices_total: u64,
    pub notices_issued: u64,
    pub accounts_done: u64,
    pub accounts_total: u64,
}

/// A 事業所 left out, with why.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OfficeFailure {
    pub office_code: String,
    pub code: String,
    pub detail: String,
}

/// The 任継・特退 side of the run.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct VoluntarySummary {
    /// Accounts open in the month and not yet assessed for it when the run looked.
    pub accounts: u64,
    /// Assessed now.
    pub assessed: u64,
    /// Σ premiums assessed now (yen).
    pub premium_total: i64,
    /// Refused, by code (e.g. `month_prepaid`, `month_after_close`).
    pub refused: BTreeMap<String, u64>,
    /// Wall-clock seconds of this part.
    pub seconds: f64,
}

/// What a run did.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AssessmentSummary {
    pub run_id: Uuid,
    /// 月分.
    pub month: YearMonth,
    /// 事業所 with candidates.
    pub offices: u64,
    /// Notices issued by this run.
    pub notices_issued: u64,
    /// 事業所 whose notice already existed (skipped).
    pub already_issued: u64,
    /// 事業所 whose candidates turned out to have no ordinary insured in the month.
    pub without_insured: u64,
    /// 事業所 left out because their figures could not be calculated.
    pub failed: Vec<OfficeFailure>,
    /// Lines (insured persons) on the notices issued.
    pub insured_lines: u64,
    /// Σ 納入告知額 of the notices issued (yen).
    pub notice_amount_total: i64,
    /// Persons placed in another 事業所 by their stream than the run expected (moved while
    /// the run was going); issue or correct their notice by hand.
    pub moved_during_run: u64,
    /// Person events read to build the notices (placing the movers included).
    pub events_read: u64,
    /// Events appended (notices and 任継・特退 assessments).
    pub events_written: u64,
    pub batches: u64,
    pub voluntary: VoluntarySummary,
    /// Wall-clock seconds of the notices (planning included; the 任継・特退 part runs
    /// alongside).
    pub notices_seconds: f64,
    /// Wall-clock seconds of the whole run.
    pub seconds: f64,
}

/// A unit of work run `workers` at a time (boxed as `Send` where it is made, which keeps the
/// HTTP handler's future `Send`).
type Job<'a, T> = Pin<Box<dyn Future<Output = Result<T, ApiError>> + Send + 'a>>;

#[derive(Default)]
struct Counters {
    offices_done: AtomicU64,
    notices: AtomicU64,
    accounts_done: AtomicU64,
}

/// One transaction's share of 事業所.
struct Batch {
    offices: Vec<(String, Vec<Uuid>)>,
}

#[derive(Default)]
struct BatchOutcome {
    issued: u64,
    already_issued: u64,
    without_insured: u64,
    failed: Vec<OfficeFailure>,
    lines: u64,
    amount: i64,
    moved: u64,
    events_read: u64,
}

/// Run the month (module doc). `metadata` is the actor's (a staff request or `system:<user>`);
/// each event gets it with the run id as correlation id.
pub async fn run(
    pool: &PgPool,
    upcasters: &Upcasters,
    options: &AssessmentOptions,
    metadata: &EventMetadata,
    progress: &(dyn Fn(AssessmentProgress) + Sync),
) -> Result<AssessmentSummary, ApiError> {
    let started = Instant::now();
    let run_id = Uuid::now_v7();
    let month = options.month;
    let metadata = EventMetadata {
        correlation_id: run_id,
        ..metadata.clone()
    };
    if options.today < month.first_day() {
        return Err(refusal(EmployerNoticeError::DatedBeforeMonth {
            month,
            date: options.today,
        }));
    }
    let mut conn = pool.acquire().await?;
    let parameters = parameters_for(&mut conn, month).await?;
    // The run needs the 介護保険料率 whatever the 事業所: fail before writing anything.
    if let Some(missing) = parameters.missing_care_rate() {
        return Err(CalculationError::MissingParameter(missing).into());
    }
    let (batches, planning_reads) =
        plan(&mut conn, upcasters, month, options.batch_persons).await?;
    let mut summary = AssessmentSummary {
        run_id,
        month,
        offices: batches.iter().map(|b| b.offices.len() as u64).sum(),
        notices_issued: 0,
        already_issued: 0,
        without_insured: 0,
        failed: Vec::new(),
        insured_lines: 0,
        notice_amount_total: 0,
        moved_during_run: 0,
        events_read: planning_reads,
        events_written: 0,
        batches: batches.len() as u64,
        voluntary: VoluntarySummary::default(),
        notices_seconds: 0.0,
        seconds: 0.0,
    };
    drop(conn);
    let accounts = voluntary_accounts(pool, month).await?;
    let counters = Counters::default();
    let snapshot = |c: &Counters| AssessmentProgress {
        offices_done: c.offices_done.load(Ordering::Relaxed),
        offices_total: summary.offices,
        notices_issued: c.notices.load(Ordering::Relaxed),
        accounts_done: c.accounts_done.load(Ordering::Relaxed),
        accounts_total: accounts.len() as u64,
    };
    progress(snapshot(&counters));
    let mut jobs: Vec<Job<'_, BatchOutcome>> = Vec::with_capacity(batches.len());
    for batch in batches {
        let (parameters, metadata, counters, snapshot) =
            (&parameters, &metadata, &counters, &snapshot);
        jobs.push(Box::pin(async move {
            let offices = batch.offices.len() as u64;
            let outcome =
                issue_batch(pool, upcasters, parameters, options, batch, metadata).await?;
            counters.offices_done.fetch_add(offices, Ordering::Relaxed);
            counters
                .notices
                .fetch_add(outcome.issued, Ordering::Relaxed);
            progress(snapshot(counters));
            Ok(outcome)
        }));
    }
    // The notices and the 任継・特退 accounts touch different streams and tables: both parts
    // run at once, each with `workers` transactions in flight.
    let notices = async {
        let outcomes: Vec<BatchOutcome> = stream::iter(jobs)
            .buffer_unordered(options.workers.max(1))
            .try_collect()
            .await?;
        Ok::<_, ApiError>((outcomes, started.elapsed().as_secs_f64()))
    };
    let voluntary = async {
        let voluntary_started = Instant::now();
        let mut part = assess_voluntary_accounts(
            pool,
            upcasters,
            month,
            &accounts,
            options,
            &metadata,
            &|| {
                counters.accounts_done.fetch_add(1, Ordering::Relaxed);
            },
            &|| progress(snapshot(&counters)),
        )
        .await?;
        part.seconds = voluntary_started.elapsed().as_secs_f64();
        Ok::<_, ApiError>(part)
    };
    let ((outcomes, notices_seconds), voluntary) =
        futures::future::try_join(notices, voluntary).await?;
    for o in outcomes {
        summary.notices_issued += o.issued;
        summary.already_issued += o.already_issued;
        summary.without_insured += o.without_insured;
        summary.failed.extend(o.failed);
        summary.insured_lines += o.lines;
        summary.notice_amount_total += o.amount;
        summary.moved_during_run += o.moved;
        summary.events_read += o.events_read;
    }
    summary
        .failed
        .sort_by(|a, b| a.office_code.cmp(&b.office_code));
    summary.notices_seconds = notices_seconds;
    summary.voluntary = voluntary;
    summary.events_written = summary.notices_issued + summary.voluntary.assessed;
    summary.seconds = started.elapsed().as_secs_f64();
    tracing::info!(
        run_id = %run_id,
        month = %month,
        notices_issued = summary.notices_issued,
        already_issued = summary.already_issued,
        failed = summary.failed.len(),
        voluntary_assessed = summary.voluntary.assessed,
        seconds = summary.seconds,
        "assessment run finished"
    );
    Ok(summary)
}

/// The 事業所 of the month with their candidates, in batches.
async fn plan(
    conn: &mut sqlx::PgConnection,
    upcasters: &Upcasters,
    month: YearMonth,
    batch_persons: usize,
) -> Result<(Vec<Batch>, u64), ApiError> {
    let candidates = all_candidates(conn, month).await?;
    // Persons who moved or rejoined: their 事業所 in the month comes from their stream.
    let movers: Vec<Uuid> = candidates
        .iter()
        .filter(|(_, _, moved)| *moved)
        .map(|(_, id, _)| *id)
        .collect();
    let loader = PersonLoader::new(upcasters);
    let mut placed: HashMap<Uuid, Option<String>> = HashMap::with_capacity(movers.len());
    let mut reads = 0;
    for chunk in movers.chunks(batch_persons.max(1)) {
        let loaded = loader.load(conn, chunk).await?;
        reads += loaded.events;
        for person in &loaded.persons {
            if let Some(id) = person.id() {
                placed.insert(id, insured_month(person, month).map(|(office, _)| office));
            }
        }
    }
    let mut by_office: BTreeMap<String, Vec<Uuid>> = BTreeMap::new();
    for (office, id, moved) in candidates {
        if !moved {
            by_office.entry(office).or_default().push(id);
        }
    }
    for (id, office) in placed {
        if let Some(office) = office {
            by_office.entry(office).or_default().push(id);
        }
    }
    let mut batches = Vec::new();
    let mut batch = Batch {
        offices: Vec::new(),
    };
    let mut size = 0;
    for (office, ids) in by_office {
        size += ids.len();
        batch.offices.push((office, ids));
        if size >= batch_persons {
            batches.push(std::mem::replace(
                &mut batch,
                Batch {
                    offices: Vec::new(),
                },
            ));
            size = 0;
        }
    }
    if !batch.offices.is_empty() {
        batches.push(batch);
    }
    Ok((batches, reads))
}

/// One batch in one command transaction.
async fn issue_batch(
    pool: &PgPool,
    upcasters: &Upcasters,
    parameters: &NoticeParameters,
    options: &AssessmentOptions,
    batch: Batch,
    metadata: &EventMetadata,
) -> Result<BatchOutcome, ApiError> {
    let month = options.month;
    let mut outcome = BatchOutcome::default();
    let mut tx = event_store::begin_command(pool).await?;
    let stream_of = |office: &str| stream_id::<EmployerNotice>(notices::notice_id(office, month));
    let streams: Vec<String> = batch.offices.iter().map(|(o, _)| stream_of(o)).collect();
    let existing: HashSet<String> =
        sqlx::query_scalar("SELECT stream_id FROM streams WHERE stream_id = ANY($1)")
            .bind(&streams)
            .fetch_all(&mut *tx)
            .await?
            .into_iter()
            .collect();
    let mut wanted: HashMap<&str, Vec<InsuredMonth>> = HashMap::new();
    let mut ids: Vec<Uuid> = Vec::new();
    for (office, persons) in &batch.offices {
        if existing.contains(&stream_of(office)) {
            outcome.already_issued += 1;
        } else {
            wanted.insert(office.as_str(), Vec::new());
            ids.extend(persons);
        }
    }
    let loaded = PersonLoader::new(upcasters).load(&mut tx, &ids).await?;
    outcome.events_read = loaded.events;
    for person in &loaded.persons {
        if let Some((office, insured)) = insured_month(person, month) {
            match wanted.get_mut(office.as_str()) {
                Some(list) => list.push(insured),
                None => outcome.moved += 1,
            }
        }
    }
    drop(loaded);
    let mut projected = Vec::new();
    for (office, _) in &batch.offices {
        let Some(insured) = wanted.remove(office.as_str()) else {
            continue;
        };
        let draft = match calculate(office, parameters, insured) {
            Ok(draft) => draft,
            Err(CalculationError::NoInsured { .. }) => {
                outcome.without_insured += 1;
                continue;
            }
            Err(e) => {
                outcome.failed.push(OfficeFailure {
                    office_code: office.clone(),
                    code: e.code().to_owned(),
                    detail: e.to_string(),
                });
                continue;
            }
        };
        let lines = u64::from(draft.totals.insured);
        let amount = draft.totals.notice_amount.amount();
        // The aggregate's own decision, on the empty stream the check above found.
        let command = EmployerNoticeCommand::Issue(NoticeIssue::new(
            office.clone(),
            month,
            options.today,
            draft,
        ));
        let event = match EmployerNotice::default().decide(command) {
            Ok(event) => event,
            Err(e) => {
                outcome.failed.push(OfficeFailure {
                    office_code: office.clone(),
                    code: e.code().to_owned(),
                    detail: e.to_string(),
                });
                continue;
            }
        };
        let new_event =
            NewEvent::from_domain(&event, metadata.clone()).map_err(|e| ApiError::internal(&e))?;
        let notice_id = notices::notice_id(office, month);
        let appended = event_store::append(
            &mut tx,
            &stream_id::<EmployerNotice>(notice_id),
            notices::STREAM_TYPE,
            ExpectedVersion::NoStream,
            &[new_event],
        )
        .await;
        match appended {
            Ok(_) => {}
            // Issued by hand since the check above (the insert found the stream and wrote
            // nothing; the transaction goes on).
            Err(EventStoreError::StreamAlreadyExists(_)) => {
                outcome.already_issued += 1;
                continue;
            }
            Err(other) => return Err(super::aggregate::store_error(other)),
        }
        projected.push(EmployerNoticeEventAt {
            notice_id,
            version: 1,
            event,
        });
        outcome.issued += 1;
        outcome.lines += lines;
        outcome.amount += amount;
    }
    read_model::apply_to_new(&mut tx, &projected)
        .await
        .map_err(|e| ApiError::internal(&e))?;
    tx.commit().await?;
    Ok(outcome)
}

/// 任継・特退 accounts open in `month` (acquired by its last day, not lost by its first) and
/// not yet assessed for it.
async fn voluntary_accounts(pool: &PgPool, month: YearMonth) -> Result<Vec<Uuid>, ApiError> {
    Ok(sqlx::query_scalar(
        "SELECT a.person_id FROM premium_accounts a
          WHERE a.acquired_on <= $2 AND (a.lost_on IS NULL OR a.lost_on > $1)
            AND NOT EXISTS (SELECT 1 FROM premium_ledger l
                             WHERE l.person_id = a.person_id AND l.month = $1)
          ORDER BY a.person_id",
    )
    .bind(month.first_day().naive())
    .bind(month.last_day().naive())
    .fetch_all(pool)
    .await?)
}

/// Assess each account with the premium accounts' own [`super::premiums::assess_month`], in
/// transactions of `voluntary_batch` accounts, `workers` at once. A refusal leaves its
/// transaction usable and is counted; a database error stops the run.
#[allow(clippy::too_many_arguments)]
async fn assess_voluntary_accounts(
    pool: &PgPool,
    upcasters: &Upcasters,
    month: YearMonth,
    accounts: &[Uuid],
    options: &AssessmentOptions,
    metadata: &EventMetadata,
    done_one: &(dyn Fn() + Sync),
    batch_done: &(dyn Fn() + Sync),
) -> Result<VoluntarySummary, ApiError> {
    let mut jobs: Vec<Job<'_, VoluntarySummary>> = Vec::new();
    for chunk in accounts.chunks(options.voluntary_batch.max(1)) {
        jobs.push(Box::pin(async move {
            let mut part = VoluntarySummary {
                accounts: chunk.len() as u64,
                ..VoluntarySummary::default()
            };
            let mut tx = event_store::begin_command(pool).await?;
            for person_id in chunk {
                match super::premiums::assess_month(&mut tx, upcasters, *person_id, month, metadata)
                    .await
                {
                    Ok(recorded) => {
                        part.assessed += 1;
                        if let kenpo_domain::premiums::PremiumAccountEvent::MonthAssessed(e) =
                            &recorded.event
                        {
                            part.premium_total += e.premium.amount();
                        }
                    }
                    Err(refused) if refused.status.is_client_error() => {
                        *part.refused.entry(refused.code.to_owned()).or_default() += 1;
                    }
                    Err(other) => return Err(other),
                }
                done_one();
            }
            tx.commit().await?;
            batch_done();
            Ok(part)
        }));
    }
    let results: Vec<VoluntarySummary> = stream::iter(jobs)
        .buffer_unordered(options.workers.max(1))
        .try_collect()
        .await?;
    let mut total = VoluntarySummary::default();
    for part in results {
        total.accounts += part.accounts;
        total.assessed += part.assessed;
        total.premium_total += part.premium_total;
        for (code, n) in part.refused {
            *total.refused.entry(code).or_default() += n;
        }
    }
    Ok(total)
}
