//! What 徴収 reads from the 適用 record (the Person aggregate) of a 任意継続 / 特例退職
//! insured: the qualification period the account belongs to, the 標準報酬月額 at loss and the
//! birth date (for the 介護 window).

use kenpo_domain::calendar::Date;
use kenpo_domain::money::Yen;
use kenpo_domain::qualification::{
    DeterminationKind, EnrollmentCategory, Person, QualificationPeriod,
};
use kenpo_infrastructure::event_store::{self, Upcasters};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::application::aggregate::{self, stream_id};
use crate::problem::ApiError;

/// True for the categories that pay the society directly.
pub fn pays_directly(category: EnrollmentCategory) -> bool {
    matches!(
        category,
        EnrollmentCategory::VoluntaryContinuation | EnrollmentCategory::SpecialRetiree
    )
}

/// The person's record. With `lock`, the stream row is locked `FOR SHARE` until the
/// transaction ends, so no 適用 change (a loss) can commit in between; only use it when this
/// transaction will not itself append to the person's stream.
pub async fn load_person(
    conn: &mut PgConnection,
    upcasters: &Upcasters,
    person_id: Uuid,
    lock: bool,
) -> Result<Person, ApiError> {
    if lock {
        event_store::lock_stream_for_share(conn, &stream_id::<Person>(person_id))
            .await
            .map_err(aggregate::store_error)?;
    }
    let loaded = aggregate::load::<Person>(conn, upcasters, person_id)
        .await
        .map_err(aggregate::store_error)?;
    if !loaded.aggregate.exists() {
        return Err(ApiError::not_found(
            "person_not_found",
            format!("there is no person with id {person_id}"),
        ));
    }
    Ok(loaded.aggregate)
}

/// The 任継 / 特退 qualification period that started on `acquired_on` (the account's).
pub fn period_of_account(
    person: &Person,
    acquired_on: Date,
) -> Result<&QualificationPeriod, ApiError> {
    person
        .periods()
        .iter()
        .rev()
        .find(|p| p.started_on == acquired_on && p.insured_category().is_some_and(pays_directly))
        .ok_or_else(|| {
            ApiError::conflict(
                "qualification_period_not_found",
                format!(
                    "the person has no 任意継続 / 特例退職 qualification starting on {acquired_on} (the account's 資格取得日)"
                ),
            )
        })
}

/// The person's birth date.
pub fn birth_date(person: &Person) -> Result<Date, ApiError> {
    person
        .details()
        .map(|d| d.birth_date)
        .ok_or_else(|| ApiError::internal(&"a person with periods has no details"))
}

/// The 標準報酬月額 the account is opened with.
///
/// - 任意継続: the 標準報酬月額 **at the loss** of the 強制 qualification (47条1項1号; rules.md
///   §3.7) — the 決定・改定 in force in the last month of the 強制 period, among the records
///   before the 任継 period's own 資格取得時決定. The 任継 上限 (47条1項2号) is applied per month
///   at assessment, since it changes each April. When there is no earlier record, the amount
///   recorded at the 任継 acquisition.
/// - 特例退職: the amount recorded at the 特退 acquisition (the society's 規約 amount, 附則3条;
///   not researched, rules.md §7 item 11).
pub fn standard_remuneration_at_loss(
    person: &Person,
    category: EnrollmentCategory,
    acquired_on: Date,
) -> Option<Yen> {
    let history = person.remuneration_history();
    let own = history
        .iter()
        .rposition(|r| r.kind == DeterminationKind::AtAcquisition);
    let recorded_at_acquisition = own.map(|i| history[i].standard.amount);
    if category != EnrollmentCategory::VoluntaryContinuation {
        return person
            .standard_remuneration_in(acquired_on.year_month())
            .map(|s| s.amount)
            .or(recorded_at_acquisition);
    }
    let before = own.map_or(history, |i| &history[..i]);
    let last_month = acquired_on.previous_day().year_month();
    before
        .iter()
        .enumerate()
        .filter(|(_, r)| r.effective_from <= last_month)
        .max_by_key(|(i, r)| (r.effective_from, *i))
        .map(|(_, r)| r.standard.amount)
        .or(recorded_at_acquisition)
}
