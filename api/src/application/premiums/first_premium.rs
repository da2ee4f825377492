//! 初回保険料の未納 (健康保険法37条2項; rules.md §3.7 "first premium unpaid by its due date →
//! deemed never to have become 任継"): the analogue of the loss for non-payment
//! ([`super::loss`]), in one transaction and in this order:
//!
//! 1. the 徴収 fact — `ArrearsDetected` for the first-premium months with what was not paid
//!    **by** the due date (a later payment does not cure it; `as_of` = the day after the due
//!    date), or the earlier `ArrearsDetected` that already reported the month;
//! 2. on the person's stream, `AcquisitionVoided` (reason `first_premium_unpaid`) with
//!    `causation_id` = that `ArrearsDetected`: the 任継 period is void from its start; each
//!    current dependent's recognition under it is voided too (`insured_acquisition_voided`,
//!    causation: the insured's void);
//! 3. `Close` of the account with `FirstPremiumUnpaid` (`lost_on` = the 資格取得日,
//!    causation: the void): every month is cancelled and what was paid becomes refundable
//!    credit.
//!
//! The due date is the account's first premium due date (set by the society at opening,
//! moved off a closed day when the account says so). The society records this only when it
//! finds no 正当な理由 (37条2項 ただし書) — the command is that decision.

use kenpo_domain::calendar::Date;
use kenpo_domain::premiums::{
    AccountClosing, ArrearsDetection, ClosingReason, PremiumAccountCommand,
};
use kenpo_domain::qualification::{
    AcquisitionVoiding, EnrollmentCategory, PersonCommand, VoidReason,
};
use kenpo_infrastructure::event_store::{EventMetadata, Upcasters};
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use utoipa::ToSchema;
use uuid::Uuid;

use super::account::{self, refusal, Recorded};
use super::insured;
use super::loss::{arrears_event_for, with_causation};
use crate::application::person;
use crate::problem::ApiError;

/// Body of `POST /api/v1/premium-accounts/{person_id}/first-premium-unpaid`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FirstPremiumUnpaid {
    /// The day the society establishes the non-payment; must be after the due date.
    pub as_of: Date,
    /// 受付年月日 of the 適用 record; default the day after the due date.
    #[serde(default)]
    pub received_on: Option<Date>,
}

/// What the 37条2項 command recorded, in order.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FirstPremiumUnpaidRecorded {
    /// Id of the 徴収 fact (`ArrearsDetected`) the void follows from.
    pub arrears_event_id: Uuid,
    /// The `ArrearsDetected` recorded now; absent when an earlier 未納 check had already
    /// recorded the month.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arrears: Option<Recorded>,
    /// The 適用 `AcquisitionVoided` of the insured.
    pub qualification: person::Recorded,
    /// The dependents' `AcquisitionVoided`, if any.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub dependents_voided: Vec<person::Recorded>,
    /// The account's `AccountClosed` (reason `first_premium_unpaid`).
    pub closed: Recorded,
}

/// 初回保険料の未納 (module doc). Refusals, before anything is written: 404
/// `account_not_opened`; 409 `first_premium_rule_not_applicable` (特例退職),
/// `account_closed`, `first_premium_not_yet_due`, `first_premium_not_assessed`,
/// `first_premium_paid`, `qualification_not_current` (the 適用 record has no current 任継
/// period starting on the account's 資格取得日), `version_conflict`.
pub async fn record_first_premium_unpaid(
    conn: &mut PgConnection,
    upcasters: &Upcasters,
    person_id: Uuid,
    body: FirstPremiumUnpaid,
    expected: Option<i64>,
    metadata: &EventMetadata,
) -> Result<FirstPremiumUnpaidRecorded, ApiError> {
    let loaded = account::load_with_person_locked(conn, upcasters, person_id, expected).await?;
    let account = &loaded.aggregate;
    let late = account.first_premium_default(body.as_of).map_err(refusal)?;
    let due_date = account.first_premium_due_on().map_err(refusal)?;
    let acquired_on = account
        .opening()
        .map(|o| o.acquired_on)
        .ok_or_else(|| ApiError::internal(&"an opened account has no opening"))?;
    let person = insured::load_person(conn, upcasters, person_id, false).await?;
    let current = person
        .current_period()
        .filter(|p| {
            p.started_on == acquired_on
                && p.insured_category() == Some(EnrollmentCategory::VoluntaryContinuation)
        })
        .is_some();
    if !current {
        return Err(ApiError::conflict(
            "qualification_not_current",
            format!(
                "the person's current qualification (適用) is not the 任意継続 that started on {acquired_on}; nothing to void"
            ),
        ));
    }
    let first_month = late
        .first()
        .map(|m| m.month)
        .ok_or_else(|| ApiError::internal(&"a first-premium default with no month"))?;
    let (arrears_event_id, arrears) =
        match arrears_event_for(conn, upcasters, person_id, first_month).await? {
            Some(id) => (id, None),
            None => {
                let recorded = account::execute_loaded(
                    conn,
                    loaded,
                    PremiumAccountCommand::DetectFirstPremiumDefault(ArrearsDetection {
                        as_of: body.as_of,
                    }),
                    None,
                    metadata,
                )
                .await?;
                (recorded.event_id, Some(recorded))
            }
        };
    let qualification = person::execute(
        conn,
        upcasters,
        person_id,
        PersonCommand::VoidAcquisition(AcquisitionVoiding {
            reason: VoidReason::FirstPremiumUnpaid { due_date },
            received_on: body.received_on.unwrap_or(due_date.next_day()),
        }),
        None,
        &with_causation(metadata, arrears_event_id),
    )
    .await?;
    let void_event_id = qualification.last_event_id.unwrap_or(arrears_event_id);
    let dependents: Vec<Uuid> = sqlx::query_scalar(
        "SELECT person_id FROM members WHERE insured_person_id = $1 AND status = 'qualified' ORDER BY person_id",
    )
    .bind(person_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut dependents_voided = Vec::with_capacity(dependents.len());
    for dependent in dependents {
        dependents_voided.push(
            person::execute(
                conn,
                upcasters,
                dependent,
                PersonCommand::VoidAcquisition(AcquisitionVoiding {
                    reason: VoidReason::InsuredAcquisitionVoided {
                        insured_person_id: person_id,
                        insured_acquired_on: acquired_on,
                    },
                    received_on: body.received_on.unwrap_or(due_date.next_day()),
                }),
                None,
                &with_causation(metadata, void_event_id),
            )
            .await?,
        );
    }
    let closed = account::execute(
        conn,
        upcasters,
        person_id,
        PremiumAccountCommand::Close(AccountClosing {
            lost_on: acquired_on,
            reason: ClosingReason::FirstPremiumUnpaid,
        }),
        None,
        &with_causation(metadata, void_event_id),
    )
    .await?;
    Ok(FirstPremiumUnpaidRecorded {
        arrears_event_id,
        arrears,
        qualification,
        dependents_voided,
        closed,
    })
}
