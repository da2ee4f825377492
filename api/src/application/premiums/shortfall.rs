//! 前納後の保険料率引上げ: when a rate in the parameter registry rises after a 前納 was received
//! for months not yet begun, the prepaid months from the first month at the raised rate are
//! reassessed and the shortfall is recorded as owing (rules.md §3.7: "shortfall must be paid
//! by the month before the increase (平成9年 保険発第106号)"; the amount as
//! `kenpo_domain::premiums::prepayment::shortfall` decides it).
//!
//! Nothing watches the registry: after a rate change the 徴収課 runs this for each account
//! with prepaid months (the account's ledger shows them); an account whose premiums did not
//! rise answers 409 `no_prepayment_shortfall` and nothing is written.

use kenpo_domain::calendar::{Date, YearMonth};
use kenpo_domain::money::Yen;
use kenpo_domain::premiums::prepayment::{
    shortfall, MonthlyPremium, ReassessedPremium, ShortfallInput,
};
use kenpo_domain::premiums::{
    PremiumAccountCommand, PremiumAccountError, PremiumCalculationError, PrepaymentShortfallRecord,
};
use kenpo_infrastructure::event_store::{EventMetadata, Upcasters};
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use utoipa::ToSchema;
use uuid::Uuid;

use super::account::{self, calculation_refusal, refusal, Recorded};
use super::assessment::{inputs_of, premium_for};
use crate::problem::ApiError;

/// Body of `POST /api/v1/premium-accounts/{person_id}/prepayment-shortfall`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReassessPrepayment {
    /// The day of the reassessment: only prepaid months beginning after it are reassessed
    /// (a month begun is deemed paid on its 1st, 165条3項).
    pub as_of: Date,
}

/// One month's part of the shortfall.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ShortfallMonthSummary {
    pub month: YearMonth,
    pub shortfall: Yen,
    /// Due date of that part when the top-up is not paid by `pay_by`.
    pub due_on: Option<Date>,
}

/// The figures shown to the member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ShortfallSummary {
    /// First month at the raised rate.
    pub from_month: YearMonth,
    pub last_month: YearMonth,
    /// X: what is prepaid for those months, valued at `from_month`.
    pub prepaid_value: Yen,
    /// Y: the 前納額 of those months at the raised rate.
    pub new_prepayment: Yen,
    /// 不足額 = Y − X.
    pub amount: Yen,
    /// 納付期限 of the top-up: the last day of the month before `from_month`.
    pub pay_by: Date,
    /// The months carrying the shortfall.
    pub months: Vec<ShortfallMonthSummary>,
}

/// What a reassessment recorded.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ShortfallRecorded {
    #[serde(flatten)]
    pub recorded: Recorded,
    pub shortfall: ShortfallSummary,
}

/// Reassess the prepaid months (module doc). Refusals, before anything is written: 404
/// `account_not_opened`; 409 `account_closed`, `no_prepaid_months` (none begins after
/// `as_of`), `no_prepayment_shortfall`, `prepayment_basis_mismatch` (a 前納 whose basis did
/// not record its monthly premiums), `parameter_not_set`.
pub async fn reassess_prepayment(
    conn: &mut PgConnection,
    upcasters: &Upcasters,
    person_id: Uuid,
    body: ReassessPrepayment,
    expected: Option<i64>,
    metadata: &EventMetadata,
) -> Result<ShortfallRecorded, ApiError> {
    let loaded = account::load_existing(conn, upcasters, person_id).await?;
    if let Some(lost_on) = loaded.aggregate.lost_on() {
        return Err(refusal(PremiumAccountError::AccountClosed { lost_on }));
    }
    let candidates: Vec<_> = loaded
        .aggregate
        .prepaid_months()
        .into_iter()
        .filter(|m| m.month.first_day() > body.as_of)
        .collect();
    if candidates.is_empty() {
        return Err(ApiError::conflict(
            "no_prepaid_months",
            format!(
                "no prepaid (前納) month of the account begins after {}",
                body.as_of
            ),
        ));
    }
    let (inputs, _) = inputs_of(conn, upcasters, person_id, &loaded.aggregate).await?;
    // The first month whose premium rose, then the months after it in the same 前納.
    let mut run: Vec<ReassessedPremium> = Vec::new();
    let mut prepayment = None;
    for candidate in candidates {
        let Some(before) = candidate.premium else {
            return Err(refusal(PremiumAccountError::PrepaymentBasisMismatch {
                month: candidate.month,
                recorded: "(not recorded)".to_owned(),
                given: "the premium the 前納 used".to_owned(),
            }));
        };
        if let Some(last) = run.last() {
            if candidate.month != last.month.add_months(1)
                || candidate.prepayment_version != prepayment
            {
                break;
            }
        }
        let premium = premium_for(conn, &inputs, candidate.month).await?;
        if run.is_empty() && premium.exact <= before {
            continue;
        }
        prepayment = candidate.prepayment_version;
        run.push(ReassessedPremium {
            month: candidate.month,
            before,
            after: MonthlyPremium::from(&premium),
        });
    }
    if run.is_empty() {
        return Err(ApiError::conflict(
            "no_prepayment_shortfall",
            format!(
                "no prepaid month after {} has a higher premium at the rates in force",
                body.as_of
            ),
        ));
    }
    let computed = shortfall(&ShortfallInput { months: run }).map_err(|e| match e {
        PremiumCalculationError::NoShortfall { .. } => ApiError::conflict(e.code(), e.to_string()),
        other => calculation_refusal(other),
    })?;
    let recorded = account::execute_loaded(
        conn,
        loaded,
        PremiumAccountCommand::AssessPrepaymentShortfall(PrepaymentShortfallRecord {
            as_of: body.as_of,
            months: computed.months.clone(),
            prepaid_value: computed.prepaid_value,
            new_prepayment: computed.new_prepayment,
            amount: computed.amount,
            basis: computed.basis.clone(),
        }),
        expected,
        metadata,
    )
    .await?;
    let months = match &recorded.event {
        kenpo_domain::premiums::PremiumAccountEvent::PrepaymentShortfallAssessed(e) => e
            .months
            .iter()
            .filter(|m| m.shortfall > Yen::ZERO)
            .map(|m| ShortfallMonthSummary {
                month: m.month,
                shortfall: m.shortfall,
                due_on: m.due_on,
            })
            .collect(),
        _ => Vec::new(),
    };
    let last_month = computed
        .months
        .last()
        .map_or(computed.from_month, |m| m.month);
    Ok(ShortfallRecorded {
        recorded,
        shortfall: ShortfallSummary {
            from_month: computed.from_month,
            last_month,
            prepaid_value: computed.prepaid_value,
            new_prepayment: computed.new_prepayment,
            amount: computed.amount,
            pay_by: computed.pay_by,
            months,
        },
    })
}
