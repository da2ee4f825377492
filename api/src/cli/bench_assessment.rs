//! The monthly assessment from the command line: `kenpo premiums assess` (the run itself) and
//! `kenpo bench assessment` (its benchmark, not a test).
//!
//! The benchmark fills the bench database with `insured` persons — real person streams and
//! real `members` rows, written with set-based SQL from templates that the domain itself
//! produced (every event is what the `Person` aggregate decides for the commands, every view
//! what the members fold makes of them; only the person id, 事業所, 記号・番号 and birth date
//! are substituted) — sets the parameters through the registry, and times the run of one
//! month: the notices of every 事業所, and the 任継 accounts.
//!
//! The population (by person number mod 100): 65 plain (取得 2020-04 + 定時決定 2025-09), 15 with
//! a 賞与 in the month, 4 on 産休 over the month, 3 on 育休, 2 lost in the month (喪失月: no
//! premium), 1 moved to another 事業所 (識別番号 変更) before the month, 2 transferred (転出 +
//! 転入) after it (on the old 事業所's notice), 2 acquired in the month, 6 plain. Birth years
//! 1962–2005 (about 55% are 介護保険第2号 in 2026), 報酬月額 150,000–625,000.

use std::io::IsTerminal;
use std::time::Instant;

use anyhow::Context;
use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use kenpo_domain::calendar::{Date, YearMonth};
use kenpo_domain::parameters::{Decimal, ParameterCommand, ParameterKey, ParameterValue, SetValue};
use kenpo_domain::qualification::{Person, PersonCommand, PersonEvent};
use kenpo_infrastructure::event_store::{self, EventMetadata};
use kenpo_projections::members::MemberView;
use serde_json::{json, Value};
use sqlx::PgPool;
use uuid::Uuid;

use crate::application::assessment_run::{
    self, AssessmentOptions, AssessmentProgress, AssessmentSummary,
};

// ------------------------------------------------------------------ kenpo premiums

#[derive(Debug, Subcommand)]
pub enum PremiumsCommand {
    /// The monthly assessment run (月次賦課): issue the 納入告知 of every 事業所 with ordinary
    /// insured for --month, and assess every 任継・特退 account for it.
    ///
    /// Batched (one transaction per batch of 事業所), resumable and idempotent: a 事業所 whose
    /// notice exists and an account already assessed for the month are skipped, so run it
    /// again after an interruption. Shows progress on a terminal and a summary at the end.
    Assess(AssessArgs),
}

#[derive(Debug, Args)]
pub struct AssessArgs {
    /// 月分, e.g. 2026-04 or 令和8年4月.
    #[arg(long, value_parser = parse_month)]
    month: YearMonth,
    /// Candidates per transaction (whole 事業所 are never split).
    #[arg(long, default_value_t = 20_000)]
    batch: usize,
    /// Transactions in flight at once, for the notices and for the accounts each.
    #[arg(long, default_value_t = 2)]
    workers: usize,
    /// Who runs it, recorded on every event (default: the OS user).
    #[arg(long)]
    actor: Option<String>,
}

fn parse_month(text: &str) -> Result<YearMonth, String> {
    kenpo_domain::calendar::parse_year_month(text).map_err(|e| e.to_string())
}

pub async fn premiums(command: PremiumsCommand) -> anyhow::Result<()> {
    let PremiumsCommand::Assess(args) = command;
    let workers = args.workers.clamp(1, 16);
    // Notices and 任継・特退 accounts each keep `workers` transactions in flight.
    let max = u32::try_from(workers * 2).unwrap_or(4) + 2;
    let db = crate::database::connect(
        max,
        crate::database::Role::Service,
        crate::database::Schema::Current,
    )
    .await?;
    let actor = args
        .actor
        .or_else(|| std::env::var("USER").ok())
        .unwrap_or_else(|| "assessment".to_owned());
    let options = AssessmentOptions {
        batch_persons: args.batch.clamp(1, 1_000_000),
        workers,
        ..AssessmentOptions::new(args.month, crate::application::parameters::today())
    };
    let summary = assess_with_progress(&db.pool, &options, &format!("system:{actor}")).await?;
    print_summary(&summary);
    Ok(())
}

/// Run the month with a progress bar on a terminal.
async fn assess_with_progress(
    pool: &PgPool,
    options: &AssessmentOptions,
    actor: &str,
) -> anyhow::Result<AssessmentSummary> {
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = ProgressBar::new(0);
        bar.set_style(
            ProgressStyle::with_template("{spinner} [{bar:40}] {pos}/{len} {msg} ({elapsed})")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar
    });
    let progress = |p: AssessmentProgress| {
        if let Some(bar) = &bar {
            bar.set_length(p.offices_total + p.accounts_total);
            bar.set_position(p.offices_done + p.accounts_done);
            bar.set_message(format!(
                "事業所 {}/{}, notices {}, 任継・特退 {}/{}",
                p.offices_done,
                p.offices_total,
                p.notices_issued,
                p.accounts_done,
                p.accounts_total
            ));
        }
    };
    let upcasters = crate::startup::upcasters();
    let summary = assessment_run::run(
        pool,
        &upcasters,
        options,
        &EventMetadata::system(actor),
        &progress,
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    Ok(summary)
}

fn print_summary(s: &AssessmentSummary) {
    println!(
        "assessment run {} for {}: {} 事業所; {} notices issued ({} lines, Σ 納入告知額 {} yen), {} already issued, {} without ordinary insured, {} failed, in {:.1} s; 任継・特退: {} of {} accounts assessed (Σ {} yen){}, in {:.1} s; {} person events read, {} events written, {} batches, {:.1} s in all",
        s.run_id,
        s.month,
        s.offices,
        s.notices_issued,
        s.insured_lines,
        s.notice_amount_total,
        s.already_issued,
        s.without_insured,
        s.failed.len(),
        s.notices_seconds,
        s.voluntary.assessed,
        s.voluntary.accounts,
        s.voluntary.premium_total,
        if s.voluntary.refused.is_empty() {
            String::new()
        } else {
            format!(", refused {:?}", s.voluntary.refused)
        },
        s.voluntary.seconds,
        s.events_read,
        s.events_written,
        s.batches,
        s.seconds
    );
    for failure in s.failed.iter().take(20) {
        println!(
            "  事業所 {}: {} — {}",
            failure.office_code, failure.code, failure.detail
        );
    }
    if s.moved_during_run > 0 {
        println!(
            "  {} persons were placed in another 事業所 by their records than when the run began; check their notices",
            s.moved_during_run
        );
    }
}

// ------------------------------------------------------------------ kenpo bench assessment

/// Sentinels in the templates, replaced per person by the fill.
const PERSON: &str = "5e5e5e5e-0000-4000-8000-00000000b00c";
const OFFICE_A: &str = "77777771";
const OFFICE_B: &str = "77777772";
const SYMBOL: &str = "66666661";
const NUMBER: &str = "55555551";
const BIRTH: &str = "1977-07-07";
const BIRTH_75: &str = "2052-07-07";

/// Levels of 報酬月額.
const LEVELS: i64 = 20;

/// The shapes of the population, by person number mod 100 (module doc).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Plain,
    Bonus,
    Maternity,
    Childcare,
    Lost,
    Moved,
    Transferred,
    New,
    Voluntary,
}

const SHAPES: [(Shape, i64); 9] = [
    (Shape::Plain, 0),
    (Shape::Bonus, 1),
    (Shape::Maternity, 2),
    (Shape::Childcare, 3),
    (Shape::Lost, 4),
    (Shape::Moved, 5),
    (Shape::Transferred, 6),
    (Shape::New, 7),
    (Shape::Voluntary, 8),
];

/// The SQL that maps a person number `n` to its shape id.
const SHAPE_OF_N: &str =
    "CASE WHEN n % 100 < 65 THEN 0 WHEN n % 100 < 80 THEN 1 WHEN n % 100 < 84 THEN 2
      WHEN n % 100 < 87 THEN 3 WHEN n % 100 < 89 THEN 4 WHEN n % 100 < 90 THEN 5
      WHEN n % 100 < 92 THEN 6 WHEN n % 100 < 94 THEN 7 ELSE 0 END";

fn identification(office: &str) -> Value {
    json!({"office_code": office, "symbol": SYMBOL, "number": NUMBER, "branch": "00", "relationship_code": "0"})
}

fn acquisition(category: &str, on: &str, office: &str, remuneration: i64, reason: &str) -> Value {
    json!({"AcquireQualification": {
        "person_id": PERSON,
        "category": category,
        "acquired_on": on,
        "reason": {"kind": reason},
        "received_on": on,
        "name": "健保 花子",
        "kana": "ケンポ ハナコ",
        "sex": "female",
        "birth_date": BIRTH,
        "resident_address": "東京都千代田区霞が関1-2-2",
        "identification": identification(office),
        "monthly_remuneration": remuneration
    }})
}

fn remuneration(level: i64) -> i64 {
    150_000 + level * 25_000
}

/// The commands of one shape and level.
fn commands(shape: Shape, level: i64) -> Vec<Value> {
    let plain = || {
        vec![
            acquisition(
                "compulsory",
                "2020-04-01",
                OFFICE_A,
                remuneration(level),
                "employment",
            ),
            json!({"DetermineStandardRemuneration": {"kind": "regular_determination", "effective_from": "2025-09",
                   "monthly_remuneration": remuneration((level + 3) % LEVELS), "received_on": "2025-07-10"}}),
        ]
    };
    let mut c = match shape {
        Shape::New => vec![acquisition(
            "compulsory",
            "2026-04-10",
            OFFICE_A,
            remuneration(level),
            "employment",
        )],
        Shape::Voluntary => vec![
            acquisition(
                "compulsory",
                "2020-04-01",
                OFFICE_A,
                remuneration(level),
                "employment",
            ),
            json!({"LoseQualification": {"lost_on": "2025-10-01", "reason": {"kind": "retirement", "last_working_day": "2025-09-30"},
                   "received_on": "2025-10-03"}}),
            acquisition(
                "voluntary_continuation",
                "2025-10-01",
                OFFICE_B,
                remuneration(level).min(320_000),
                "voluntary_continuation",
            ),
        ],
        _ => plain(),
    };
    match shape {
        Shape::Bonus => c.push(json!({"ReportBonus": {"paid_on": "2026-04-24", "amount": 400_000 + level * 37_123,
                                       "received_on": "2026-04-28"}})),
        Shape::Maternity => c.push(json!({"StartMaternityLeave": {"started_on": "2026-02-20", "planned_end_on": "2026-06-15",
                                           "received_on": "2026-02-20"}})),
        Shape::Childcare => c.push(json!({"StartChildcareLeave": {"started_on": "2026-01-10", "planned_end_on": "2027-01-09",
                                           "received_on": "2026-01-12"}})),
        Shape::Lost => c.push(json!({"LoseQualification": {"lost_on": "2026-04-16",
                                      "reason": {"kind": "retirement", "last_working_day": "2026-04-15"}, "received_on": "2026-04-20"}})),
        Shape::Moved => c.push(json!({"ChangeIdentification": {"effective_on": "2026-02-01", "identification": identification(OFFICE_B),
                                       "received_on": "2026-02-03", "reason": "事業所間異動"}})),
        Shape::Transferred => {
            c.push(json!({"LoseQualification": {"lost_on": "2026-05-01", "reason": {"kind": "transfer_out", "transferred_on": "2026-05-01"},
                           "received_on": "2026-05-07"}}));
            c.push(acquisition("compulsory", "2026-05-01", OFFICE_B, remuneration(level), "transfer_in"));
        }
        _ => {}
    }
    c
}

fn to_command(value: Value) -> anyhow::Result<PersonCommand> {
    use kenpo_domain::qualification as q;
    let (name, body) = value
        .as_object()
        .and_then(|o| o.iter().next())
        .map(|(k, v)| (k.clone(), v.clone()))
        .context("template command")?;
    Ok(match name.as_str() {
        "AcquireQualification" => PersonCommand::AcquireQualification(serde_json::from_value::<
            q::QualificationAcquisition,
        >(body)?),
        "DetermineStandardRemuneration" => {
            PersonCommand::DetermineStandardRemuneration(serde_json::from_value::<
                q::StandardRemunerationDetermination,
            >(body)?)
        }
        "ReportBonus" => PersonCommand::ReportBonus(serde_json::from_value(body)?),
        "StartMaternityLeave" => PersonCommand::StartMaternityLeave(serde_json::from_value(body)?),
        "StartChildcareLeave" => PersonCommand::StartChildcareLeave(serde_json::from_value(body)?),
        "LoseQualification" => PersonCommand::LoseQualification(serde_json::from_value(body)?),
        "ChangeIdentification" => {
            PersonCommand::ChangeIdentification(serde_json::from_value(body)?)
        }
        other => anyhow::bail!("no template command {other}"),
    })
}

/// One template: the events a shape and level produce, and the members row they fold into.
struct Template {
    variant: i32,
    events: Vec<(i64, String, String, String)>,
    status: String,
    lost_on: Option<chrono::NaiveDate>,
    /// The 事業所 of the row: `a` (the person's) or `b` (the next one).
    office: &'static str,
    view: String,
    version: i64,
}

async fn template(shape: Shape, shape_id: i64, level: i64) -> anyhow::Result<Template> {
    let person_id = Uuid::parse_str(PERSON)?;
    let mut person = Person::default();
    let mut view = MemberView::empty(person_id);
    let mut events = Vec::new();
    for command in commands(shape, level) {
        let command = to_command(command)?;
        let sink = cqrs_es::event_sink::EventSink::<Person>::default();
        cqrs_es::Aggregate::handle(&mut person, command, &(), &sink)
            .await
            .map_err(|e| anyhow::anyhow!("template {shape:?} refused: {e}"))?;
        for event in sink.collect().await {
            let version = events.len() as i64 + 1;
            view.apply(version, &event);
            events.push((
                version,
                event.type_name().to_owned(),
                cqrs_es::DomainEvent::event_version(&event),
                serde_json::to_string::<PersonEvent>(&event)?,
            ));
        }
    }
    let office = match view.identification.as_ref().map(|i| i.office_code()) {
        Some(OFFICE_B) => "b",
        _ => "a",
    };
    Ok(Template {
        variant: i32::try_from(shape_id * LEVELS + level)?,
        version: events.len() as i64,
        events,
        status: view.status.as_str().to_owned(),
        lost_on: view.lost_on.map(|d| d.naive()),
        office,
        view: serde_json::to_string(&view)?,
    })
}

/// How the bench is run.
#[derive(Debug, Clone)]
pub struct BenchOptions {
    pub insured: i64,
    pub offices: i64,
    pub voluntary_share: f64,
    pub month: YearMonth,
    pub batch: usize,
    pub workers: usize,
}

/// Fill, set the parameters, time the run, then run it again (everything is skipped).
pub async fn bench(pool: PgPool, options: BenchOptions) -> anyhow::Result<()> {
    let started = Instant::now();
    crate::application::parameters::seed_statutory(&pool).await?;
    set_parameters(&pool).await?;
    let voluntary =
        ((options.insured as f64) * options.voluntary_share.clamp(0.0, 1.0)).round() as i64;
    let ordinary = options.insured - voluntary;
    fill(&pool, ordinary, voluntary, options.offices.max(1)).await?;
    let (events, members): (i64, i64) =
        sqlx::query_as("SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM members)")
            .fetch_one(&pool)
            .await?;
    println!(
        "filled: {ordinary} ordinary insured in {} 事業所 and {voluntary} 任継 persons; {events} events, {members} member rows, in {:.1} s",
        options.offices, started.elapsed().as_secs_f64()
    );
    let accounts = open_voluntary_accounts(&pool, voluntary).await?;
    sqlx::query("ANALYZE").execute(&pool).await?;
    sqlx::query("CHECKPOINT").execute(&pool).await?;
    let run = AssessmentOptions {
        batch_persons: options.batch,
        workers: options.workers,
        ..AssessmentOptions::new(options.month, crate::application::parameters::today())
    };
    let summary = assess_with_progress(&pool, &run, "system:bench").await?;
    print_summary(&summary);
    let expected = expected_lines(&pool, options.month).await?;
    let events_total = summary.events_read + summary.events_written;
    println!(
        "bench assessment {}: {} insured ({} ordinary, {} 任継{}); {:.1} s for the run; {} notices issued, {} lines (expected {expected}), {} 任継 assessed; {} events read + {} written = {:.0} events/s",
        options.month,
        options.insured,
        ordinary,
        voluntary,
        if accounts { " with premium accounts" } else { ", no accounts" },
        summary.seconds,
        summary.notices_issued,
        summary.insured_lines,
        summary.voluntary.assessed,
        summary.events_read,
        summary.events_written,
        events_total as f64 / summary.seconds.max(1e-9)
    );
    let again = assess_with_progress(&pool, &run, "system:bench").await?;
    println!(
        "second run: {} notices issued, {} already issued, {} 任継 assessed, in {:.1} s",
        again.notices_issued, again.already_issued, again.voluntary.assessed, again.seconds
    );
    Ok(())
}

/// Ordinary persons insured some day of the month (every shape but the voluntary one).
async fn expected_lines(pool: &PgPool, month: YearMonth) -> anyhow::Result<i64> {
    let _ = month;
    Ok(
        sqlx::query_scalar("SELECT count(*) FROM bench_people WHERE shape <> 8")
            .fetch_one(pool)
            .await?,
    )
}

/// 一般 9.50% (特定 4.00%), 調整 0.13%, 介護 1.60% from 2026-04-01, 任継 上限 320,000 —
/// illustrative figures, not a real society's (rules.md §7 item 10).
async fn set_parameters(pool: &PgPool) -> anyhow::Result<()> {
    let upcasters = crate::startup::upcasters();
    let metadata = EventMetadata::system("bench");
    let from = Date::fixed(2026, 4, 1);
    let rate = |s: &str| -> anyhow::Result<ParameterValue> {
        Ok(ParameterValue::Rate(s.parse::<Decimal>()?))
    };
    let values = [
        (ParameterKey::GeneralPremiumRate, rate("0.0950")?),
        (ParameterKey::SpecificPremiumRate, rate("0.0400")?),
        (ParameterKey::AdjustmentPremiumRate, rate("0.0013")?),
        (ParameterKey::CarePremiumRate, rate("0.0160")?),
        (
            ParameterKey::VoluntaryContinuationCap,
            ParameterValue::Yen(kenpo_domain::money::Yen::new(320_000)),
        ),
    ];
    let mut tx = event_store::begin_command(pool).await?;
    for (key, value) in values {
        crate::application::parameters::execute(
            &mut tx,
            &upcasters,
            key,
            ParameterCommand::SetValue(SetValue {
                key,
                effective_from: from,
                value,
                source: "bench (illustrative)".to_owned(),
                reason: "bench".to_owned(),
            }),
            None,
            &metadata,
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    tx.commit().await?;
    Ok(())
}

/// Templates, then the persons, their streams and member rows, in chunks.
async fn fill(pool: &PgPool, ordinary: i64, voluntary: i64, offices: i64) -> anyhow::Result<()> {
    let mut templates = Vec::new();
    for (shape, id) in SHAPES {
        for level in 0..LEVELS {
            templates.push(template(shape, id, level).await?);
        }
    }
    let mut tx = pool.begin().await?;
    sqlx::query(
        "CREATE TABLE bench_templates (variant int, version bigint, event_type text, event_version text, payload text)",
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "CREATE TABLE bench_views (variant int PRIMARY KEY, stream_version bigint, status text, lost_on date, office text, view text)",
    )
    .execute(&mut *tx)
    .await?;
    for t in &templates {
        for (version, event_type, event_version, payload) in &t.events {
            sqlx::query("INSERT INTO bench_templates VALUES ($1, $2, $3, $4, $5)")
                .bind(t.variant)
                .bind(version)
                .bind(event_type)
                .bind(event_version)
                .bind(payload)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query("INSERT INTO bench_views VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(t.variant)
            .bind(t.version)
            .bind(&t.status)
            .bind(t.lost_on)
            .bind(t.office)
            .bind(&t.view)
            .execute(&mut *tx)
            .await?;
    }
    // Person n: shape by n mod 100 (the last `voluntary` are 任継), level by n mod 20, 事業所
    // (n / 7) mod offices (runs of 7 consecutive persons, so every 事業所 has every shape; a
    // mover's new one: the next), birth date spread over 1962–2005 (never a 29 February, so
    // the 75th birthday is the same day 75 years on).
    sqlx::query(&format!(
        "CREATE TABLE bench_people AS
         SELECT n, gen_random_uuid() AS id,
                CASE WHEN n > $1 THEN 8 ELSE {SHAPE_OF_N} END AS shape,
                (n % {LEVELS})::int AS level,
                CASE WHEN n > $1 THEN '999998' ELSE (100000 + (n / 7) % $3)::text END AS office_a,
                CASE WHEN n > $1 THEN '999999' ELSE (100000 + (n / 7 + 1) % $3)::text END AS office_b,
                make_date(1962 + (n % 44)::int, 1 + ((n / 44) % 12)::int, 1 + ((n / 528) % 28)::int) AS birth
           FROM generate_series(1, $1 + $2) AS n"
    ))
    .bind(ordinary)
    .bind(voluntary)
    .bind(offices)
    .execute(&mut *tx)
    .await?;
    sqlx::query("ALTER TABLE bench_people ADD COLUMN variant int")
        .execute(&mut *tx)
        .await?;
    sqlx::query(&format!(
        "UPDATE bench_people SET variant = shape * {LEVELS} + level"
    ))
    .execute(&mut *tx)
    .await?;
    sqlx::query("CREATE INDEX ON bench_people (n)")
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    let metadata = serde_json::to_string(&EventMetadata::system("bench"))?;
    let total = ordinary + voluntary;
    let chunk = 100_000_i64;
    let mut from = 1_i64;
    let substitute = |column: &str| {
        format!(
            "replace(replace(replace(replace(replace(replace(replace({column},
                '{PERSON}', p.id::text), '{OFFICE_A}', p.office_a), '{OFFICE_B}', p.office_b),
                '{SYMBOL}', p.office_a), '{NUMBER}', p.n::text), '{BIRTH_75}', to_char(p.birth + interval '75 years', 'YYYY-MM-DD')),
                '{BIRTH}', to_char(p.birth, 'YYYY-MM-DD'))"
        )
    };
    while from <= total {
        let to = (from + chunk - 1).min(total);
        let mut tx = event_store::begin_command(pool).await?;
        sqlx::query(
            "INSERT INTO streams (stream_id, stream_type, version)
             SELECT 'person-' || p.id, 'person', v.stream_version
               FROM bench_people p JOIN bench_views v USING (variant) WHERE p.n BETWEEN $1 AND $2",
        )
        .bind(from)
        .bind(to)
        .execute(&mut *tx)
        .await?;
        sqlx::query(&format!(
            "INSERT INTO events (position, event_id, stream_id, stream_type, version, event_type, event_version, payload, metadata)
             SELECT nextval('event_position_seq'), gen_random_uuid(), s.stream_id, 'person', s.version, s.event_type,
                    s.event_version, s.payload::jsonb, $3::jsonb
               FROM (SELECT 'person-' || p.id AS stream_id, t.version, t.event_type, t.event_version,
                            {} AS payload
                       FROM bench_people p JOIN bench_templates t USING (variant)
                      WHERE p.n BETWEEN $1 AND $2
                      ORDER BY p.n, t.version) s",
            substitute("t.payload")
        ))
        .bind(from)
        .bind(to)
        .bind(&metadata)
        .execute(&mut *tx)
        .await?;
        sqlx::query(&format!(
            "INSERT INTO members (person_id, kind, status, insured_person_id, office_code, symbol, number, branch,
                                  kana_name, birth_date, view, stream_version, lost_on)
             SELECT p.id, 'insured', v.status, NULL, CASE v.office WHEN 'b' THEN p.office_b ELSE p.office_a END,
                    p.office_a, p.n::text, '00', 'ケンポ ハナコ', p.birth, ({})::jsonb, v.stream_version, v.lost_on
               FROM bench_people p JOIN bench_views v USING (variant)
              WHERE p.n BETWEEN $1 AND $2",
            substitute("v.view")
        ))
        .bind(from)
        .bind(to)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        from = to + 1;
    }
    Ok(())
}

/// Open the 任継 accounts through the premium accounts' own service (口座開設, one command each,
/// 1,000 per transaction). Returns whether accounts exist.
async fn open_voluntary_accounts(pool: &PgPool, voluntary: i64) -> anyhow::Result<bool> {
    use crate::application::premiums::opening::{open, OpenAccount};
    if voluntary == 0 {
        return Ok(false);
    }
    let started = Instant::now();
    let ids: Vec<Uuid> =
        sqlx::query_scalar("SELECT id FROM bench_people WHERE shape = 8 ORDER BY n")
            .fetch_all(pool)
            .await?;
    let upcasters = crate::startup::upcasters();
    let metadata = EventMetadata::system("bench");
    for chunk in ids.chunks(1000) {
        let mut tx = event_store::begin_command(pool).await?;
        for id in chunk {
            open(
                &mut tx,
                &upcasters,
                OpenAccount {
                    person_id: *id,
                    first_premium_due_on: Date::fixed(2025, 10, 20),
                    due_day_of_month: None,
                },
                None,
                &metadata,
            )
            .await
            .map_err(|e| anyhow::anyhow!("opening the account of {id}: {e}"))?;
        }
        tx.commit().await?;
    }
    println!(
        "任継: {} premium accounts opened through the premium account service in {:.1} s",
        ids.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(true)
}
