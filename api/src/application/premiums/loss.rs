//! 資格喪失 and the premium account.
//!
//! - [`lose_for_non_payment`]: 保険料未納による資格喪失 (健保法38条3号; rules.md §3.7): a
//!   premium other than the first is unpaid at its 納付期日, so the qualification is lost on the
//!   day after. One transaction records, in order:
//!   1. the 徴収 fact — `ArrearsDetected` for that month (`as_of` = the day after the due date),
//!      or the earlier `ArrearsDetected` that already reported it;
//!   2. the 適用 `LoseQualification` with reason `PremiumUnpaid { due_date }` on the person's
//!      stream (with the dependents' removal, `person::lose_qualification`), its metadata's
//!      `causation_id` = the id of the `ArrearsDetected` event;
//!   3. `Close` on the account (`causation_id` = the `QualificationLost` event): the month of
//!      loss and later are not charged (156条3項); what was paid for them becomes credit to
//!      refund.
//!
//!   The first premium unpaid (37条2項: deemed never to have become 任継) is refused here: it
//!   voids the acquisition, not a loss — see [`super::first_premium`].
//! - [`close_after_loss`]: close the account after any loss 適用 recorded (death, 2 years, 申出,
//!   other insurance, 75歳), with the person's loss reason and date.

use kenpo_domain::calendar::Date;
use kenpo_domain::premiums::{
    AccountClosing, ArrearsDetection, ClosingReason, PremiumAccount, PremiumAccountCommand,
    PremiumAccountError, PremiumAccountEvent,
};
use kenpo_domain::qualification::{LossReason, PeriodEnd, Person, QualificationLoss};
use kenpo_infrastructure::event_store::{self, EventMetadata, Upcasters};
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use utoipa::ToSchema;
use uuid::Uuid;

use super::account::{self, refusal, Recorded};
use super::insured;
use crate::application::aggregate::{self, stream_id, Loaded};
use crate::application::person;
use crate::problem::ApiError;

/// Body of `POST /api/v1/premium-accounts/{person_id}/loss-for-non-payment`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LossForNonPayment {
    /// 納付期日 of the unpaid premium; the qualification is lost on the next day (38条3号).
    pub due_date: Date,
    /// 喪失受付年月日 of the 適用 record; default the loss date.
    #[serde(default)]
    pub received_on: Option<Date>,
}

/// What a loss for non-payment recorded, in order.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LossRecorded {
    /// Id of the 徴収 fact (`ArrearsDetected`) the loss follows from.
    pub arrears_event_id: Uuid,
    /// The `ArrearsDetected` recorded now; absent when an earlier 未納 check had already
    /// recorded the month.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arrears: Option<Recorded>,
    /// The 適用 `QualificationLost` (and dependents removed).
    pub qualification: person::Recorded,
    /// The account's `AccountClosed`.
    pub closed: Recorded,
}

/// The `ArrearsDetected` event of the account that reported `month`, if any.
pub(super) async fn arrears_event_for(
    conn: &mut PgConnection,
    upcasters: &Upcasters,
    person_id: Uuid,
    month: kenpo_domain::calendar::YearMonth,
) -> Result<Option<Uuid>, ApiError> {
    let events = event_store::read_stream(conn, &stream_id::<PremiumAccount>(person_id), upcasters)
        .await
        .map_err(aggregate::store_error)?;
    for stored in events.iter().rev() {
        if stored.event_type != "ArrearsDetected" {
            continue;
        }
        let event: PremiumAccountEvent =
            stored.domain_event().map_err(|e| ApiError::internal(&e))?;
        if let PremiumAccountEvent::ArrearsDetected(e) = event {
            if e.months.iter().any(|m| m.month == month) {
                return Ok(Some(stored.event_id));
            }
        }
    }
    Ok(None)
}

pub(super) fn with_causation(metadata: &EventMetadata, cause: Uuid) -> EventMetadata {
    EventMetadata {
        causation_id: cause,
        ..metadata.clone()
    }
}

/// 保険料未納による資格喪失 (module doc).
pub async fn lose_for_non_payment(
    conn: &mut PgConnection,
    upcasters: &Upcasters,
    person_id: Uuid,
    body: LossForNonPayment,
    expected: Option<i64>,
    metadata: &EventMetadata,
) -> Result<LossRecorded, ApiError> {
    let loaded = account::load_with_person_locked(conn, upcasters, person_id, expected).await?;
    let account = &loaded.aggregate;
    if let Some(lost_on) = account.lost_on() {
        return Err(refusal(PremiumAccountError::AccountClosed { lost_on }));
    }
    let first_due = account.first_premium_due_on().map_err(refusal)?;
    let due_date = body.due_date;
    let row = account
        .ledger()
        .into_iter()
        .find(|r| r.due_on == due_date && r.balance.amount() > 0 && !r.cancelled)
        .ok_or_else(|| {
            ApiError::conflict(
                "no_unpaid_premium_due",
                format!("no month of the account is due on {due_date} and unpaid"),
            )
        })?;
    if due_date == first_due {
        return Err(ApiError::conflict(
            "first_premium_unpaid",
            format!(
                "{} is the first premium (due {first_due}): unpaid, the person is deemed never to have become 任意継続被保険者 (37条2項) — not a loss; record it with POST /api/v1/premium-accounts/{{person_id}}/first-premium-unpaid",
                row.month
            ),
        ));
    }
    let (arrears_event_id, arrears) =
        match arrears_event_for(conn, upcasters, person_id, row.month).await? {
            Some(id) => (id, None),
            None => {
                let recorded = account::execute_loaded(
                    conn,
                    loaded,
                    PremiumAccountCommand::DetectArrears(ArrearsDetection {
                        as_of: due_date.next_day(),
                    }),
                    None,
                    metadata,
                )
                .await?;
                (recorded.event_id, Some(recorded))
            }
        };
    let lost_on = due_date.next_day();
    let reason = LossReason::PremiumUnpaid { due_date };
    let qualification = person::lose_qualification(
        conn,
        upcasters,
        person_id,
        QualificationLoss {
            lost_on,
            reason: reason.clone(),
            received_on: body.received_on.unwrap_or(lost_on),
        },
        None,
        &with_causation(metadata, arrears_event_id),
    )
    .await?;
    let loss_event_id = qualification.last_event_id.unwrap_or(arrears_event_id);
    let closed = account::execute(
        conn,
        upcasters,
        person_id,
        PremiumAccountCommand::Close(AccountClosing {
            lost_on,
            reason: ClosingReason::Lost { reason },
        }),
        None,
        &with_causation(metadata, loss_event_id),
    )
    .await?;
    Ok(LossRecorded {
        arrears_event_id,
        arrears,
        qualification,
        closed,
    })
}

/// The id of the person's last `QualificationLost` event.
async fn last_loss_event(
    conn: &mut PgConnection,
    upcasters: &Upcasters,
    person_id: Uuid,
) -> Result<Option<Uuid>, ApiError> {
    let events = event_store::read_stream(conn, &stream_id::<Person>(person_id), upcasters)
        .await
        .map_err(aggregate::store_error)?;
    Ok(events
        .iter()
        .rev()
        .find(|e| e.event_type == "QualificationLost")
        .map(|e| e.event_id))
}

/// Close the account after a loss 適用 recorded (module doc). The event's causation is the
/// person's `QualificationLost`.
pub async fn close_after_loss(
    conn: &mut PgConnection,
    upcasters: &Upcasters,
    person_id: Uuid,
    expected: Option<i64>,
    metadata: &EventMetadata,
) -> Result<Recorded, ApiError> {
    let loaded: Loaded<PremiumAccount> = account::load_existing(conn, upcasters, person_id).await?;
    let acquired_on = loaded
        .aggregate
        .opening()
        .map(|o| o.acquired_on)
        .ok_or_else(|| refusal(PremiumAccountError::AccountNotOpened))?;
    let person = insured::load_person(conn, upcasters, person_id, true).await?;
    let period = insured::period_of_account(&person, acquired_on)?;
    let (Some(lost_on), Some(PeriodEnd::Lost(reason))) = (period.ended_on, period.end.clone())
    else {
        return Err(ApiError::conflict(
            "qualification_not_lost",
            "the person's 任意継続 / 特例退職 qualification has no loss recorded (適用); record the loss first",
        ));
    };
    let cause = last_loss_event(conn, upcasters, person_id)
        .await?
        .unwrap_or(metadata.causation_id);
    account::execute_loaded(
        conn,
        loaded,
        PremiumAccountCommand::Close(AccountClosing {
            lost_on,
            reason: ClosingReason::Lost { reason },
        }),
        expected,
        &with_causation(metadata, cause),
    )
    .await
}
