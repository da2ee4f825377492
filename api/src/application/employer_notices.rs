//! 納入告知 (employer premium notices): build the notice of one 事業所 for one month from the
//! person streams of its ordinary insured and the parameters in force, and record issue,
//! correction (訂正) and receipts (収納) — each in the command's transaction with the inline
//! read model (ADR 0001, 0002). The monthly bulk run ([`super::assessment_run`]) uses the
//! same pieces for every 事業所.
//!
//! Who is on the notice of 事業所 X for month M (rules.md §3.1; docs/employer-notices.md):
//! - candidates: the `members` rows whose current 事業所 is X, persons acquired at X and persons
//!   who moved from or to X (found through the partial indexes on `QualificationAcquired` and
//!   `IdentificationChanged`), not lost before M began;
//! - each candidate's stream is folded into the [`Person`] aggregate, which decides: the
//!   latest 強制 (compulsory) insured period with a day in M, the 事業所 of the 識別番号 on the
//!   last insured day of M in it, the 標準報酬月額 in force in M, the 標準賞与額 of the 賞与 paid
//!   in M, the 産休・育休 periods (planned end while not ended) and the birth date (介護).
//!   A person who left in M is on it with no premium for M (喪失月, 156条3項).

use cqrs_es::persist::EventUpcaster;
use kenpo_domain::basis::{Basis, ParameterRef};
use kenpo_domain::calendar::{Date, YearMonth};
use kenpo_domain::employer_notices::{
    self as notices, EmployerNotice, EmployerNoticeCommand, EmployerNoticeError,
    EmployerNoticeEvent, NoticeDraft, NoticeIssue, NoticeLine, NoticeReceipt, NoticeReissue,
};
use kenpo_domain::money::Yen;
use kenpo_domain::parameters::{Decimal, MissingParameter, ParameterKey};
use kenpo_domain::premiums::employer::{
    employer_notice, EmployerNoticeInput, EmployerShares, InsuredMonth, LeavePeriod,
    ShareCollection,
};
use kenpo_domain::premiums::parameters::Parameter;
use kenpo_domain::premiums::rates::{
    child_support_applies, is_long_term_care_insured, RateParameters,
};
use kenpo_domain::premiums::PremiumCalculationError;
use kenpo_domain::qualification::{
    EnrollmentCategory, LeaveKind, Person, PersonEvent, QualificationPeriod, Role,
};
use kenpo_infrastructure::event_store::{self, EventMetadata, StoredEvent, Upcasters};
use kenpo_projections::employer_notices::{
    self as read_model, EmployerNoticeEventAt, EmployerNoticeView,
};
use serde::Serialize;
use sqlx::PgConnection;
use utoipa::ToSchema;
use uuid::Uuid;

use super::aggregate::{self, stream_id};
use super::parameters::{rate_on, LookupError};
use crate::problem::ApiError;

// ------------------------------------------------------------------ parameters

/// The parameters a month's notices use, looked up on the 1st of the month (premium rates
/// apply per 月分 and take effect on the 1st; docs/parameters.md).
#[derive(Debug, Clone)]
pub struct NoticeParameters {
    pub month: YearMonth,
    /// 一般・特定 (required), 調整 (optional: a society may set none), 介護 (looked up; needed
    /// only for a 第2号), 支援金 (required from 2026-04 月分).
    pub rates: RateParameters,
    /// 事業主負担割合 (optional: ½ when the registry has none, 161条1項).
    pub shares: EmployerShares,
}

fn parameter((value, reference): (Decimal, ParameterRef)) -> Parameter<Decimal> {
    Parameter::new(value, reference)
}

async fn optional_rate(
    conn: &mut PgConnection,
    key: ParameterKey,
    on: Date,
) -> Result<Option<Parameter<Decimal>>, LookupError> {
    match rate_on(&mut *conn, key, on).await {
        Ok(found) => Ok(Some(parameter(found))),
        Err(LookupError::Missing(_)) => Ok(None),
        Err(other) => Err(other),
    }
}

/// The parameters in force for `month`. A missing 一般保険料率, 特定保険料率 or (from 2026-04)
/// 子ども・子育て支援金率 is a [`LookupError::Missing`] (409 `parameter_not_set` naming it).
pub async fn parameters_for(
    conn: &mut PgConnection,
    month: YearMonth,
) -> Result<NoticeParameters, LookupError> {
    let on = month.first_day();
    let general = parameter(rate_on(&mut *conn, ParameterKey::GeneralPremiumRate, on).await?);
    let specific = parameter(rate_on(&mut *conn, ParameterKey::SpecificPremiumRate, on).await?);
    let adjustment = optional_rate(conn, ParameterKey::AdjustmentPremiumRate, on).await?;
    let long_term_care = optional_rate(conn, ParameterKey::CarePremiumRate, on).await?;
    let child_support = if child_support_applies(month) {
        Some(parameter(
            rate_on(&mut *conn, ParameterKey::ChildSupportRate, on).await?,
        ))
    } else {
        None
    };
    let employer_share = optional_rate(conn, ParameterKey::EmployerShare, on).await?;
    Ok(NoticeParameters {
        month,
        rates: RateParameters {
            general,
            specific,
            adjustment,
            long_term_care,
            child_support,
        },
        shares: EmployerShares {
            general: employer_share,
            ..EmployerShares::default()
        },
    })
}

impl NoticeParameters {
    /// The 介護保険料率 when it is missing: what a notice with a 第2号 insured lacks.
    pub fn missing_care_rate(&self) -> Option<MissingParameter> {
        self.rates
            .long_term_care
            .is_none()
            .then(|| MissingParameter {
                key: ParameterKey::CarePremiumRate,
                on: self.month.first_day(),
            })
    }
}

// ------------------------------------------------------------------ who is on a notice

/// The 強制 insured period of `person` with a day in `month` (the latest, if two), the
/// 事業所 on its last day in the month, and what the calculation needs; `None` when the person
/// was not an ordinary insured in the month.
pub fn insured_month(person: &Person, month: YearMonth) -> Option<(String, InsuredMonth)> {
    let id = person.id()?;
    let details = person.details()?;
    let period: &QualificationPeriod = person.periods().iter().rev().find(|p| {
        p.overlaps_month(month)
            && matches!(
                p.role,
                Role::Insured {
                    category: EnrollmentCategory::Compulsory,
                    ..
                }
            )
    })?;
    let last_day = match period.ended_on {
        Some(ended) if ended <= month.last_day() => ended.previous_day(),
        _ => month.last_day(),
    };
    let office = person.identification_on(last_day)?.office_code().to_owned();
    let standard = person.standard_remuneration_in(month)?;
    let bonuses: Vec<Yen> = person
        .bonuses()
        .iter()
        .filter(|b| b.paid_on.year_month() == month)
        .map(|b| b.standard_bonus)
        .collect();
    let standard_bonus = (!bonuses.is_empty()).then(|| bonuses.into_iter().sum());
    let leaves = [LeaveKind::Maternity, LeaveKind::Childcare]
        .into_iter()
        .flat_map(|kind| {
            person.leaves(kind).iter().map(move |l| LeavePeriod {
                kind,
                started_on: l.started_on,
                ended_on: l.ended_on.unwrap_or(l.planned_end_on),
                excluded_work_days: 0,
            })
        })
        .collect();
    Some((
        office,
        InsuredMonth {
            person_id: id,
            birth_date: details.birth_date,
            long_term_care_exempt: false,
            acquired_on: period.started_on,
            lost_on: period.ended_on,
            standard_remuneration: standard.amount,
            standard_bonus,
            leaves,
            collection: ShareCollection::WageDeduction,
        },
    ))
}

/// The `members` condition of a candidate: not lost before the month began (`$n` = its 1st
/// day), and an insured now or a dependent who was once insured.
fn candidate_filter(n: usize) -> String {
    format!(
        "(m.lost_on IS NULL OR m.lost_on > ${n})
           AND (m.kind = 'insured'
                OR (m.kind = 'dependent' AND m.view->'periods' @> '[{{\"kind\":\"insured\"}}]'))"
    )
}

/// Persons who may be ordinary insured of `office_code` in `month`, not lost before the
/// month: its current members, persons acquired there (they may have moved since) and persons
/// who moved from or to it. Their streams decide.
pub async fn office_candidates(
    conn: &mut PgConnection,
    office_code: &str,
    month: YearMonth,
) -> Result<Vec<Uuid>, sqlx::Error> {
    let sql = format!(
        "SELECT m.person_id FROM members m
          WHERE m.office_code = $1 AND {filter}
         UNION
         SELECT m.person_id FROM events e JOIN members m ON m.person_id = substr(e.stream_id, 8)::uuid
          WHERE e.event_type = 'QualificationAcquired' AND e.stream_type = 'person'
            AND e.payload #>> '{{QualificationAcquired,identification,office_code}}' = $1
            AND {filter}
         UNION
         SELECT m.person_id FROM events e JOIN members m ON m.person_id = substr(e.stream_id, 8)::uuid
          WHERE e.event_type = 'IdentificationChanged' AND e.stream_type = 'person'
            AND (e.payload #>> '{{IdentificationChanged,previous,office_code}}' = $1
                 OR e.payload #>> '{{IdentificationChanged,identification,office_code}}' = $1)
            AND {filter}
         ORDER BY 1",
        filter = candidate_filter(2)
    );
    sqlx::query_scalar(&sql)
        .bind(office_code)
        .bind(month.first_day().naive())
        .fetch_all(&mut *conn)
        .await
}

/// A candidate of the bulk run: current 事業所, person, and whether the person ever changed
/// 事業所 or 識別番号 or had more than one period (then their 事業所 in the month is decided
/// from their stream before batching).
pub type Candidate = (String, Uuid, bool);

/// Every candidate of every 事業所 for `month`, ordered by current 事業所.
pub async fn all_candidates(
    conn: &mut PgConnection,
    month: YearMonth,
) -> Result<Vec<Candidate>, sqlx::Error> {
    let sql = format!(
        "SELECT m.office_code, m.person_id,
                coalesce(jsonb_array_length(m.view->'periods') > 1
                         OR jsonb_array_length(m.view->'identification_history') > 1, false)
           FROM members m
          WHERE m.office_code IS NOT NULL AND {}
          ORDER BY m.office_code, m.person_id",
        candidate_filter(1)
    );
    sqlx::query_as(&sql)
        .bind(month.first_day().naive())
        .fetch_all(&mut *conn)
        .await
}

/// Reads many person streams in one query and folds each into a [`Person`].
pub struct PersonLoader<'a> {
    upcasters: &'a Upcasters,
    /// The same upcasters, asked only whether a (type, version) needs upcasting, so that
    /// current payloads are parsed straight from their text.
    checks: Vec<Box<dyn EventUpcaster>>,
}

/// Persons loaded, and how many events were read.
pub struct LoadedPersons {
    pub persons: Vec<Person>,
    pub events: u64,
}

impl<'a> PersonLoader<'a> {
    pub fn new(upcasters: &'a Upcasters) -> Self {
        Self {
            upcasters,
            checks: kenpo_domain::upcasters::all(),
        }
    }

    fn event(
        &self,
        event_type: &str,
        event_version: &str,
        payload: &str,
    ) -> Result<PersonEvent, serde_json::Error> {
        if self
            .checks
            .iter()
            .any(|u| u.can_upcast(event_type, event_version))
        {
            let value: serde_json::Value = serde_json::from_str(payload)?;
            let (_, value) = self.upcasters.upcast(event_type, event_version, value);
            serde_json::from_value(value)
        } else {
            serde_json::from_str(payload)
        }
    }

    /// The persons `ids` (those with a stream), folded from their streams.
    pub async fn load(
        &self,
        conn: &mut PgConnection,
        ids: &[Uuid],
    ) -> Result<LoadedPersons, ApiError> {
        if ids.is_empty() {
            return Ok(LoadedPersons {
                persons: Vec::new(),
                events: 0,
            });
        }
        let streams: Vec<String> = ids.iter().map(|id| stream_id::<Person>(*id)).collect();
        let rows: Vec<(String, String, String, String)> = sqlx::query_as(
            "SELECT stream_id, event_type, event_version, payload::text FROM events
              WHERE stream_id = ANY($1) ORDER BY stream_id, version",
        )
        .bind(&streams)
        .fetch_all(&mut *conn)
        .await?;
        let events = rows.len() as u64;
        let mut persons = Vec::with_capacity(ids.len());
        let mut current: Option<(&str, Person)> = None;
        for (stream, event_type, event_version, payload) in &rows {
            let event = self
                .event(event_type, event_version, payload)
                .map_err(|e| ApiError::internal(&format!("{stream}: {event_type}: {e}")))?;
            match &mut current {
                Some((id, person)) if *id == stream.as_str() => {
                    cqrs_es::Aggregate::apply(person, event);
                }
                _ => {
                    if let Some((_, done)) = current.take() {
                        persons.push(done);
                    }
                    let mut person = Person::default();
                    cqrs_es::Aggregate::apply(&mut person, event);
                    current = Some((stream.as_str(), person));
                }
            }
        }
        if let Some((_, done)) = current {
            persons.push(done);
        }
        Ok(LoadedPersons { persons, events })
    }
}

// ------------------------------------------------------------------ calculation

/// Why a notice could not be calculated.
#[derive(Debug, thiserror::Error)]
pub enum CalculationError {
    /// A 第2号 insured and no 介護保険料率 (or another parameter) in force.
    #[error(transparent)]
    MissingParameter(#[from] MissingParameter),
    /// The calculation refused its input (a stored figure it cannot use).
    #[error(transparent)]
    Refused(#[from] PremiumCalculationError),
    /// Nobody of the 事業所 was an ordinary insured in the month.
    #[error("事業所 {office_code} has no ordinary (強制) insured in {month}")]
    NoInsured {
        office_code: String,
        month: YearMonth,
    },
}

impl CalculationError {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::MissingParameter(_) => MissingParameter::CODE,
            Self::Refused(e) => e.code(),
            Self::NoInsured { .. } => "no_insured_in_month",
        }
    }
}

impl From<CalculationError> for ApiError {
    /// All are 409: the request is fine, the registry or the records are not.
    fn from(error: CalculationError) -> Self {
        ApiError::conflict(error.code(), error.to_string())
    }
}

/// The draft notice of `office_code` for the month of `parameters`, from its insured (sorted
/// by person id here, so the same members always give the same lines).
pub fn calculate(
    office_code: &str,
    parameters: &NoticeParameters,
    mut insured: Vec<InsuredMonth>,
) -> Result<NoticeDraft, CalculationError> {
    let month = parameters.month;
    if insured.is_empty() {
        return Err(CalculationError::NoInsured {
            office_code: office_code.to_owned(),
            month,
        });
    }
    if let Some(missing) = parameters.missing_care_rate() {
        if insured
            .iter()
            .any(|p| is_long_term_care_insured(p.birth_date, month, p.long_term_care_exempt))
        {
            return Err(missing.into());
        }
    }
    insured.sort_by_key(|p| p.person_id);
    let input = EmployerNoticeInput {
        office: office_code.to_owned(),
        month,
        rates: parameters.rates.clone(),
        shares: parameters.shares.clone(),
        insured,
    };
    let calculation = employer_notice(&input)?;
    Ok(NoticeDraft::from_calculation(&input, &calculation))
}

/// The ordinary insured of `office_code` in `month`, read from their streams.
pub async fn office_insured(
    conn: &mut PgConnection,
    loader: &PersonLoader<'_>,
    office_code: &str,
    month: YearMonth,
) -> Result<Vec<InsuredMonth>, ApiError> {
    let ids = office_candidates(conn, office_code, month).await?;
    let loaded = loader.load(conn, &ids).await?;
    Ok(loaded
        .persons
        .iter()
        .filter_map(|p| insured_month(p, month))
        .filter(|(office, _)| office == office_code)
        .map(|(_, insured)| insured)
        .collect())
}

// ------------------------------------------------------------------ commands

/// What a notice command recorded, and the notice as it now stands.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NoticeRecorded {
    pub notice_id: Uuid,
    /// `employer_notice-<uuid>` (UUID v5 of `事業所コード:YYYY-MM`).
    pub stream_id: String,
    /// The stream's version after the command (pass it as `If-Match` for the next change).
    pub version: i64,
    /// Global position of the last event recorded.
    pub position: i64,
    /// Event types recorded.
    pub events: Vec<String>,
    pub notice: EmployerNoticeView,
}

/// A domain refusal as an answer: the one mapping for every area.
pub use crate::problem::refusal;

/// A 事業所コード as given in a request: 1 to 8 digits, else 422 `invalid_office_code`.
pub fn check_office_code(office_code: &str) -> Result<(), ApiError> {
    if (1..=8).contains(&office_code.len()) && office_code.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(refusal(EmployerNoticeError::InvalidOfficeCode {
            office_code: office_code.to_owned(),
        }))
    }
}

async fn execute(
    conn: &mut PgConnection,
    loaded: aggregate::Loaded<EmployerNotice>,
    command: EmployerNoticeCommand,
    expected: Option<i64>,
    metadata: &EventMetadata,
) -> Result<NoticeRecorded, ApiError> {
    let id = loaded.id;
    let is_new = loaded.version == 0;
    let handled =
        aggregate::execute(conn, loaded, command, &(), expected, metadata, refusal).await?;
    let first_version = handled.append.stream_version - handled.events.len() as i64;
    let at: Vec<EmployerNoticeEventAt> = (first_version + 1..)
        .zip(handled.events.iter())
        .map(|(version, event)| EmployerNoticeEventAt {
            notice_id: id,
            version,
            event: event.clone(),
        })
        .collect();
    let projected = if is_new {
        read_model::apply_to_new(conn, &at).await
    } else {
        read_model::apply(conn, &at).await
    };
    projected.map_err(|e| ApiError::internal(&e))?;
    let notice = current_view(conn, id).await?;
    Ok(NoticeRecorded {
        notice_id: id,
        stream_id: stream_id::<EmployerNotice>(id),
        version: handled.append.stream_version,
        position: handled.append.last_position,
        events: handled
            .events
            .iter()
            .map(|e| e.type_name().to_owned())
            .collect(),
        notice,
    })
}

async fn current_view(conn: &mut PgConnection, id: Uuid) -> Result<EmployerNoticeView, ApiError> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT view::text FROM employer_notices WHERE notice_id = $1")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
    let (text,) = row.ok_or_else(|| ApiError::internal(&"the notice's row was not written"))?;
    serde_json::from_str(&text).map_err(|e| ApiError::internal(&e))
}

async fn load_notice(
    conn: &mut PgConnection,
    upcasters: &Upcasters,
    office_code: &str,
    month: YearMonth,
) -> Result<aggregate::Loaded<EmployerNotice>, ApiError> {
    aggregate::load::<EmployerNotice>(conn, upcasters, notices::notice_id(office_code, month))
        .await
        .map_err(aggregate::store_error)
}

/// 納入告知: calculate and record the notice of `office_code` for `month`, issued `today`.
pub async fn issue(
    conn: &mut PgConnection,
    upcasters: &Upcasters,
    office_code: &str,
    month: YearMonth,
    today: Date,
    expected: Option<i64>,
    metadata: &EventMetadata,
) -> Result<NoticeRecorded, ApiError> {
    check_office_code(office_code)?;
    let loaded = load_notice(conn, upcasters, office_code, month).await?;
    if let (Some(office), Some(issued)) = (loaded.aggregate.office_code(), loaded.aggregate.month())
    {
        // Refuse before calculating: the aggregate would refuse anyway.
        let existing = current_view(conn, loaded.id).await?;
        return Err(refusal(EmployerNoticeError::AlreadyIssued {
            office_code: office.to_owned(),
            month: issued,
            issued_on: existing.issued_on,
        }));
    }
    let parameters = parameters_for(conn, month).await?;
    let loader = PersonLoader::new(upcasters);
    let insured = office_insured(conn, &loader, office_code, month).await?;
    let draft = calculate(office_code, &parameters, insured)?;
    let command = EmployerNoticeCommand::Issue(NoticeIssue::new(
        office_code.to_owned(),
        month,
        today,
        draft,
    ));
    execute(conn, loaded, command, expected, metadata).await
}

/// 訂正: recalculate the notice from the records as they are now and record the correction.
#[allow(clippy::too_many_arguments)]
pub async fn reissue(
    conn: &mut PgConnection,
    upcasters: &Upcasters,
    office_code: &str,
    month: YearMonth,
    reason: String,
    today: Date,
    expected: Option<i64>,
    metadata: &EventMetadata,
) -> Result<NoticeRecorded, ApiError> {
    check_office_code(office_code)?;
    let loaded = load_notice(conn, upcasters, office_code, month).await?;
    if loaded.version == 0 {
        return Err(refusal(EmployerNoticeError::NotIssued));
    }
    let parameters = parameters_for(conn, month).await?;
    let loader = PersonLoader::new(upcasters);
    let insured = office_insured(conn, &loader, office_code, month).await?;
    let draft = calculate(office_code, &parameters, insured)?;
    // The correction's reason is also the events' metadata reason (ADR 0001).
    let metadata = EventMetadata {
        reason: Some(reason.trim().to_owned()),
        ..metadata.clone()
    };
    let command = EmployerNoticeCommand::Reissue(NoticeReissue {
        reissued_on: today,
        reason,
        lines: draft.lines,
        totals: draft.totals,
        basis: draft.basis,
    });
    execute(conn, loaded, command, expected, &metadata).await
}

/// 収納: record a payment against the notice.
pub async fn record_receipt(
    conn: &mut PgConnection,
    upcasters: &Upcasters,
    office_code: &str,
    month: YearMonth,
    receipt: NoticeReceipt,
    expected: Option<i64>,
    metadata: &EventMetadata,
) -> Result<NoticeRecorded, ApiError> {
    check_office_code(office_code)?;
    let loaded = load_notice(conn, upcasters, office_code, month).await?;
    execute(
        conn,
        loaded,
        EmployerNoticeCommand::RecordReceipt(receipt),
        expected,
        metadata,
    )
    .await
}

// ------------------------------------------------------------------ detail

/// A notice with the lines and 算定根拠 of the version in force (from its stream).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NoticeDetail {
    #[serde(flatten)]
    pub notice: EmployerNoticeView,
    /// One line per insured person.
    pub lines: Vec<NoticeLine>,
    /// 算定根拠 of the version in force.
    pub basis: Basis,
}

/// The detail of the notice of `office_code` for `month`; 404 `notice_not_found` if none.
pub async fn detail(
    conn: &mut PgConnection,
    upcasters: &Upcasters,
    office_code: &str,
    month: YearMonth,
) -> Result<NoticeDetail, ApiError> {
    let id = notices::notice_id(office_code, month);
    let stored: Vec<StoredEvent> =
        event_store::read_stream(conn, &stream_id::<EmployerNotice>(id), upcasters)
            .await
            .map_err(|e| ApiError::internal(&e))?;
    let mut in_force: Option<(Vec<NoticeLine>, Basis)> = None;
    for event in &stored {
        match event
            .domain_event::<EmployerNoticeEvent>()
            .map_err(|e| ApiError::internal(&e))?
        {
            EmployerNoticeEvent::NoticeIssued(e) => in_force = Some((e.lines, e.basis)),
            EmployerNoticeEvent::NoticeReissued(e) => in_force = Some((e.lines, e.basis)),
            EmployerNoticeEvent::NoticeReceiptRecorded(_) => {}
        }
    }
    let Some((lines, basis)) = in_force else {
        return Err(refusal(EmployerNoticeError::NotIssued));
    };
    let notice = current_view(conn, id).await?;
    Ok(NoticeDetail {
        notice,
        lines,
        basis,
    })
}
