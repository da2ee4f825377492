//! 保険料賦課: the premium of one month from the parameters in force, and 前納.
//!
//! Parameters are looked up in the registry for the **first day of the month** (月分): the
//! premium parameters take effect on the 1st of a month (docs/parameters.md). Which ones:
//!
//! | key | when | missing |
//! |---|---|---|
//! | `general_premium_rate`, `specific_premium_rate` | always | 409 `parameter_not_set` |
//! | `adjustment_premium_rate` | always | none set = 0 (the domain's "society sets none") |
//! | `care_premium_rate` | the person is 介護保険第2号 (40–64) in the month (rules.md §3.5) | 409 |
//! | `child_support_rate` | from 2026-04 月分 (rules.md §0, §3.2) | 409 |
//! | `voluntary_continuation_cap` | always (47条1項2号) | 409 |
//!
//! The calculation is `kenpo_domain::premiums::voluntary::voluntary_premium`, with the
//! 標準報酬月額 at loss the account was opened with, no 47条2項 規約 option (the registry has no
//! key for it yet) and no 介護保険 適用除外 (the Person record has no such flag). A 特例退職
//! account is computed the same way, with its recorded 標準報酬月額 in place of the amount at
//! loss — the 特退 rules were not researched (rules.md §7 item 11).

use kenpo_domain::calendar::{Date, YearMonth};
use kenpo_domain::money::Yen;
use kenpo_domain::parameters::{Decimal, ParameterKey};
use kenpo_domain::premiums::prepayment::{
    prepayment, MonthlyPremium, PrepaymentInput, PrepaymentPeriod,
};
use kenpo_domain::premiums::rates::{
    child_support_applies, is_long_term_care_insured, RateParameters,
};
use kenpo_domain::premiums::voluntary::{
    first_uncharged_month, voluntary_premium, VoluntaryBylaw, VoluntaryPremium,
    VoluntaryPremiumInput,
};
use kenpo_domain::premiums::{
    MonthAssessment, Parameter, PremiumAccount, PremiumAccountCommand, PremiumAccountError,
    PrepaymentRecord,
};
use kenpo_infrastructure::event_store::{EventMetadata, Upcasters};
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use utoipa::ToSchema;
use uuid::Uuid;

use super::account::{self, calculation_refusal, refusal, Recorded};
use super::insured;
use crate::application::parameters::{rate_on, yen_on, LookupError};
use crate::problem::ApiError;

/// Body of `POST /api/v1/premium-accounts/{person_id}/assessments`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssessMonth {
    /// 月分 to assess, e.g. "2026-04".
    pub month: YearMonth,
}

/// What the premium of an account's month depends on, read from the account and the person.
#[derive(Debug, Clone)]
pub struct PremiumBasisInputs {
    pub birth_date: Date,
    pub acquired_on: Date,
    pub lost_on: Option<Date>,
    pub standard_remuneration_at_loss: Yen,
}

async fn rate(
    conn: &mut PgConnection,
    key: ParameterKey,
    on: Date,
) -> Result<Parameter<Decimal>, ApiError> {
    let (value, reference) = rate_on(&mut *conn, key, on).await?;
    Ok(Parameter::new(value, reference))
}

async fn optional_rate(
    conn: &mut PgConnection,
    key: ParameterKey,
    on: Date,
) -> Result<Option<Parameter<Decimal>>, ApiError> {
    match rate_on(&mut *conn, key, on).await {
        Ok((value, reference)) => Ok(Some(Parameter::new(value, reference))),
        Err(LookupError::Missing(_)) => Ok(None),
        Err(other) => Err(other.into()),
    }
}

/// The premium of `month` from the parameters in force on its first day (module doc).
pub async fn premium_for(
    conn: &mut PgConnection,
    inputs: &PremiumBasisInputs,
    month: YearMonth,
) -> Result<VoluntaryPremium, ApiError> {
    let on = month.first_day();
    let general = rate(conn, ParameterKey::GeneralPremiumRate, on).await?;
    let specific = rate(conn, ParameterKey::SpecificPremiumRate, on).await?;
    let adjustment = optional_rate(conn, ParameterKey::AdjustmentPremiumRate, on).await?;
    let long_term_care = if is_long_term_care_insured(inputs.birth_date, month, false) {
        Some(rate(conn, ParameterKey::CarePremiumRate, on).await?)
    } else {
        None
    };
    let child_support = if child_support_applies(month) {
        Some(rate(conn, ParameterKey::ChildSupportRate, on).await?)
    } else {
        None
    };
    let (cap, cap_ref) = yen_on(&mut *conn, ParameterKey::VoluntaryContinuationCap, on).await?;
    voluntary_premium(&VoluntaryPremiumInput {
        month,
        birth_date: inputs.birth_date,
        long_term_care_exempt: false,
        acquired_on: inputs.acquired_on,
        lost_on: inputs.lost_on,
        standard_remuneration_at_loss: inputs.standard_remuneration_at_loss,
        cap: Parameter::new(cap, cap_ref),
        bylaw: VoluntaryBylaw::None,
        rates: RateParameters {
            general,
            specific,
            adjustment,
            long_term_care,
            child_support,
        },
    })
    .map_err(calculation_refusal)
}

/// The inputs of the account's premiums: the account's 資格取得日 and 標準報酬月額, the
/// person's birth date and (if recorded) loss date; and the period's scheduled end (喪失予定日).
/// Locks the person's stream `FOR SHARE`.
pub(super) async fn inputs_of(
    conn: &mut PgConnection,
    upcasters: &Upcasters,
    person_id: Uuid,
    account: &PremiumAccount,
) -> Result<(PremiumBasisInputs, Date), ApiError> {
    let opening = account
        .opening()
        .ok_or_else(|| refusal(PremiumAccountError::AccountNotOpened))?;
    let person = insured::load_person(conn, upcasters, person_id, true).await?;
    let period = insured::period_of_account(&person, opening.acquired_on)?;
    let standard = opening
        .standard_remuneration
        .ok_or_else(|| refusal(PremiumAccountError::StandardRemunerationRequired))?;
    Ok((
        PremiumBasisInputs {
            birth_date: insured::birth_date(&person)?,
            acquired_on: opening.acquired_on,
            lost_on: period.ended_on,
            standard_remuneration_at_loss: standard,
        },
        period.scheduled_end_on,
    ))
}

/// Refuses, before any parameter is looked up (a bulk run asks for every account every
/// month), a month already in the ledger or not charged after the account was closed.
fn check_chargeable(account: &PremiumAccount, month: YearMonth) -> Result<(), ApiError> {
    if let (Some(opening), Some(lost_on)) = (account.opening(), account.lost_on()) {
        let first_uncharged = first_uncharged_month(opening.acquired_on, lost_on);
        if month >= first_uncharged {
            return Err(refusal(PremiumAccountError::MonthAfterClose {
                month,
                lost_on,
                first_uncharged,
            }));
        }
    }
    match account.ledger().iter().find(|row| row.month == month) {
        Some(row) if row.prepaid => Err(refusal(PremiumAccountError::MonthPrepaid { month })),
        Some(_) => Err(refusal(PremiumAccountError::MonthAlreadyAssessed { month })),
        None => Ok(()),
    }
}

/// 保険料賦課 of one account for one month, inside the caller's transaction: compute the
/// premium with `voluntary_premium` from the parameters in force (module doc), record
/// `AssessMonth` with its basis, and update the read models inline.
///
/// This is the entry point of the monthly bulk assessment run. Refusals, all returned before
/// anything is written (the transaction stays usable): 404 `account_not_opened`; 409
/// `month_already_assessed` / `month_prepaid` / `month_after_close` (checked first, without
/// parameter look-ups), `parameter_not_set` (naming the key and date) and the other parameter
/// problems, `qualification_period_not_found`; 422 `month_outside_qualification` (before the
/// acquisition or after a loss 適用 recorded but the account has not closed yet). Use
/// `kenpo_projections::premium_ledger::query::accounts_to_assess` for the accounts to ask for.
pub async fn assess_month(
    conn: &mut PgConnection,
    upcasters: &Upcasters,
    person_id: Uuid,
    month: YearMonth,
    metadata: &EventMetadata,
) -> Result<Recorded, ApiError> {
    assess_month_expecting(conn, upcasters, person_id, month, None, metadata).await
}

/// [`assess_month`] with the caller's expected stream version (`If-Match`).
pub async fn assess_month_expecting(
    conn: &mut PgConnection,
    upcasters: &Upcasters,
    person_id: Uuid,
    month: YearMonth,
    expected: Option<i64>,
    metadata: &EventMetadata,
) -> Result<Recorded, ApiError> {
    let loaded = account::load_existing(conn, upcasters, person_id).await?;
    check_chargeable(&loaded.aggregate, month)?;
    let (inputs, _) = inputs_of(conn, upcasters, person_id, &loaded.aggregate).await?;
    let premium = premium_for(conn, &inputs, month).await?;
    account::execute_loaded(
        conn,
        loaded,
        PremiumAccountCommand::AssessMonth(MonthAssessment {
            month,
            premium: premium.premium,
            basis: premium.basis,
        }),
        expected,
        metadata,
    )
    .await
}

/// Body of `POST /api/v1/premium-accounts/{person_id}/prepayments`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Prepay {
    /// 前納期間 (施行令48条): `{"kind": "april_to_september" | "october_to_march" |
    /// "april_to_march", "fiscal_year": 2026}`.
    #[schema(value_type = Object)]
    pub period: PrepaymentPeriod,
    /// Day the 前納額 was received (by the end of the month before the first prepaid month).
    pub received_on: Date,
    /// First prepaid month; default the period's first month, or the month after the
    /// acquisition for a member who became insured during the period.
    #[serde(default)]
    pub from: Option<YearMonth>,
    /// Last prepaid month; default the period's last month, or the month before the
    /// scheduled loss (2 years of 任継, 75歳) when it falls inside the period.
    #[serde(default)]
    pub to: Option<YearMonth>,
}

/// The 前納 figures shown to the member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PrepaymentSummary {
    pub first_month: YearMonth,
    pub last_month: YearMonth,
    /// Σ of the monthly premiums as charged without prepayment.
    pub monthly_total: Yen,
    /// 前納額.
    pub amount: Yen,
    /// 控除額 = monthly_total − amount.
    pub discount: Yen,
    /// 納付期限.
    pub pay_by: Date,
}

/// What a 前納 recorded.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PrepaymentRecorded {
    #[serde(flatten)]
    pub recorded: Recorded,
    pub prepayment: PrepaymentSummary,
}

/// 前納: compute each month's premium, the discounted 前納額 (年4分 複利現価法, 施行令49条) and
/// record the prepayment.
pub async fn prepay(
    conn: &mut PgConnection,
    upcasters: &Upcasters,
    person_id: Uuid,
    body: Prepay,
    expected: Option<i64>,
    metadata: &EventMetadata,
) -> Result<PrepaymentRecorded, ApiError> {
    let loaded = account::load_existing(conn, upcasters, person_id).await?;
    let (inputs, scheduled_end) = inputs_of(conn, upcasters, person_id, &loaded.aggregate).await?;
    let period = body.period;
    let after_acquisition = inputs.acquired_on.year_month().add_months(1);
    let from = body
        .from
        .unwrap_or_else(|| period.first().max(after_acquisition));
    let before_scheduled_loss =
        first_uncharged_month(inputs.acquired_on, scheduled_end).add_months(-1);
    let to = body
        .to
        .unwrap_or_else(|| period.last().min(before_scheduled_loss));
    if to < from {
        return Err(ApiError::invalid(
            "empty_prepayment",
            format!("no month to prepay: from {from} to {to}"),
        ));
    }
    let mut months = Vec::new();
    let mut month = from;
    while month <= to {
        let premium = premium_for(conn, &inputs, month).await?;
        months.push(MonthlyPremium::from(&premium));
        month = month.add_months(1);
    }
    let computed = prepayment(&PrepaymentInput { period, months }).map_err(calculation_refusal)?;
    let summary = PrepaymentSummary {
        first_month: from,
        last_month: to,
        monthly_total: computed.monthly_total,
        amount: computed.amount,
        discount: computed.discount,
        pay_by: computed.pay_by,
    };
    let recorded = account::execute_loaded(
        conn,
        loaded,
        PremiumAccountCommand::RecordPrepayment(PrepaymentRecord {
            months: computed.months,
            amount: computed.amount,
            received_on: body.received_on,
            basis: computed.basis,
        }),
        expected,
        metadata,
    )
    .await?;
    Ok(PrepaymentRecorded {
        recorded,
        prepayment: summary,
    })
}
