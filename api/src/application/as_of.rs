//! Bitemporal reads (issue 10, item 4): a member, a benefit claim or a premium account as
//! known at a time (`known_at`, transaction time: only the events recorded by then) and in
//! force on a date (`as_of`, valid time: only the events whose effective date is on or before
//! it).
//!
//! The answer is folded by the read model's own fold (`kenpo_projections::…::fold`), the
//! one the inline projection and the rebuild run, over the stream's events that pass both
//! cuts, in stream order. Each event type has one effective date (see the `…_effective_on`
//! functions and docs/api.md); an event type without a date of its own (`ClaimCalculated`)
//! takes the effective date of the event before it in its stream.
//!
//! Answered with the positions of the events used, so the answer can be checked against the
//! log.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use kenpo_domain::benefits::claim::{BenefitClaim, BenefitClaimEvent};
use kenpo_domain::calendar::Date;
use kenpo_domain::premiums::{PremiumAccount, PremiumAccountEvent};
use kenpo_domain::qualification::{Person, PersonEvent};
use kenpo_domain::staff::date_in_japan;
use kenpo_infrastructure::event_store::{self, StoredEvent, Upcasters};
use kenpo_projections::benefit_claims::{self, ClaimEventAt, ClaimView};
use kenpo_projections::members::{self, MemberView, PersonEventAt};
use kenpo_projections::premium_ledger::{self, PremiumAccountView, PremiumEventAt};
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::application::aggregate::stream_id;
use crate::problem::ApiError;

/// The bitemporal query parameters of `GET /members/{id}`, `/claims/{id}` and
/// `/premium-accounts/{id}`. Neither given: the live read model. Either given: the state
/// folded from the events recorded by `known_at` whose effective date is on or before `as_of`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AsOfParams {
    /// The date the state is asked for (valid time), ISO `2026-04-01` or 和暦 (default:
    /// today in Japan). Only events whose effective date is on or before it are folded.
    pub as_of: Option<String>,
    /// The moment the knowledge is asked for (transaction time), RFC 3339 with an offset,
    /// e.g. `2026-12-07T10:00:00Z` (write a `+` of an offset as `%2B`); default: now. Only
    /// events recorded at or before it are folded; a moment in the future is refused (422
    /// `invalid_query`): what will be known then is not known yet.
    pub known_at: Option<String>,
}

/// Which state a bitemporal read answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Moment {
    pub as_of: Date,
    pub known_at: DateTime<Utc>,
}

impl AsOfParams {
    /// `None` when neither parameter is given (the live read model answers); 422
    /// `invalid_query` for a malformed date or time, or a `known_at` after `now`.
    pub fn moment(&self, now: DateTime<Utc>) -> Result<Option<Moment>, ApiError> {
        if self.as_of.is_none() && self.known_at.is_none() {
            return Ok(None);
        }
        let as_of = match self.as_of.as_deref() {
            Some(text) => kenpo_domain::calendar::parse(text)
                .map_err(|e| ApiError::invalid("invalid_query", format!("as_of: {e}")))?,
            None => date_in_japan(now),
        };
        let known_at = match self.known_at.as_deref() {
            Some(text) => DateTime::parse_from_rfc3339(text)
                .map_err(|e| {
                    ApiError::invalid(
                        "invalid_query",
                        format!("known_at: {e} (RFC 3339 with an offset, e.g. 2026-12-07T10:00:00Z; a + written as %2B)"),
                    )
                })?
                .with_timezone(&Utc),
            None => now,
        };
        if known_at > now {
            return Err(ApiError::invalid(
                "invalid_query",
                format!("known_at: {known_at} is in the future; what will be known then is not known yet"),
            ));
        }
        Ok(Some(Moment { as_of, known_at }))
    }
}

/// What a bitemporal answer was folded from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AsOfBasis {
    /// The date the state is in force on (valid time).
    pub as_of: Date,
    /// Only events recorded at or before this moment were folded (transaction time).
    pub known_at: DateTime<Utc>,
    /// Global positions of every event folded into the answer (for a member, the dependents'
    /// events too), ascending.
    pub positions: Vec<i64>,
}

/// Why a bitemporal read has no answer.
#[derive(Debug, thiserror::Error)]
pub enum AsOfError {
    /// The stream has no event at all (unknown id), none recorded by `known_at`, or none in
    /// force on `as_of`.
    #[error("nothing is known at {known_at} in force on {as_of}")]
    NotFound {
        as_of: Date,
        known_at: DateTime<Utc>,
    },
    #[error(transparent)]
    Store(#[from] event_store::EventStoreError),
    #[error(transparent)]
    Projection(#[from] kenpo_projections::ProjectionError),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

impl AsOfError {
    /// The answer: `not_found` (the live route's 404, with its code) or 500.
    pub fn into_api(self, not_found: impl FnOnce() -> ApiError) -> ApiError {
        match self {
            Self::NotFound { as_of, known_at } => {
                let mut error = not_found();
                error.detail = format!(
                    "{} (nothing recorded by {known_at} is in force on {as_of})",
                    error.detail
                );
                error
            }
            other => ApiError::internal(&other),
        }
    }
}

/// 適用: effective date of a person event. 資格取得 `acquired_on`, 資格喪失 `lost_on`, 被扶養者認定
/// `recognized_on`, 被扶養者削除 `removed_on`, 標準報酬 決定・改定 the first day of
/// `effective_from` (改定月), 賞与 `paid_on`, 氏名・住所変更 `changed_on`, 休業 start `started_on`
/// and end `ended_on`, 資格確認書 `issued_on` / `collected_on`, 口座 registration and proposal
/// `received_on`, its rejection the Japan date of `rejected_at`, 識別番号変更 `effective_on`,
/// 資格取得の取消 the voided period's start (`started_on`: void from its start).
pub fn person_effective_on(event: &PersonEvent) -> Option<Date> {
    Some(match event {
        PersonEvent::QualificationAcquired(e) => e.acquired_on,
        PersonEvent::QualificationLost(e) => e.lost_on,
        PersonEvent::DependentRecognized(e) => e.recognized_on,
        PersonEvent::DependentRemoved(e) => e.removed_on,
        PersonEvent::StandardRemunerationDetermined(e) => e.effective_from.first_day(),
        PersonEvent::BonusReported(e) => e.paid_on,
        PersonEvent::NameChanged(e) => e.changed_on,
        PersonEvent::AddressChanged(e) => e.changed_on,
        PersonEvent::MaternityLeaveStarted(e) | PersonEvent::ChildcareLeaveStarted(e) => {
            e.started_on
        }
        PersonEvent::MaternityLeaveEnded(e) | PersonEvent::ChildcareLeaveEnded(e) => e.ended_on,
        PersonEvent::CertificateIssued(e) => e.issued_on,
        PersonEvent::CertificateCollected(e) => e.collected_on,
        PersonEvent::PaymentAccountRegistered(e) => e.received_on,
        PersonEvent::PaymentAccountChangeProposed(e) => e.received_on,
        PersonEvent::PaymentAccountChangeRejected(e) => date_in_japan(e.rejected_at),
        PersonEvent::IdentificationChanged(e) => e.effective_on,
        PersonEvent::AcquisitionVoided(e) => e.started_on,
    })
}

/// 給付: effective date of a claim event. 受付 `received_on`, 受付登録 `registered_on`,
/// 給付金計算 none (the date of the event before it: a calculation is in force from the step
/// it follows), 決定 `decided_on`, 支払指示 `instructed_on`, 支払 `paid_on`, 支払不能
/// `failed_on`, 通知 `sent_on`, 訂正 `corrected_on`, 取下げ `withdrawn_on`.
pub fn claim_effective_on(event: &BenefitClaimEvent) -> Option<Date> {
    match event {
        BenefitClaimEvent::ClaimReceived(e) => Some(e.received_on),
        BenefitClaimEvent::ClaimRegistered(e) => Some(e.registered_on),
        BenefitClaimEvent::ClaimCalculated(_) => None,
        BenefitClaimEvent::ClaimDecided(e) => Some(e.decided_on),
        BenefitClaimEvent::PaymentInstructed(e) => Some(e.instructed_on),
        BenefitClaimEvent::ClaimPaid(e) => Some(e.paid_on),
        BenefitClaimEvent::PaymentFailed(e) => Some(e.failed_on),
        BenefitClaimEvent::NoticeSent(e) => Some(e.sent_on),
        BenefitClaimEvent::DecisionCorrected(e) => Some(e.corrected_on),
        BenefitClaimEvent::ClaimWithdrawn(e) => Some(e.withdrawn_on),
    }
}

/// 徴収: effective date of a premium-account event. 口座開設 the 資格取得日 (`acquired_on`),
/// 賦課 the first day of the month assessed, 前納 and 収納 `received_on`, 収納取消
/// `reversed_on`, 前納不足 the first day of `from_month`, 未納検出 its `as_of`, 資格喪失
/// `lost_on`, 還付 `claimed_on` / `decided_on` / `paid_on`.
pub fn premium_effective_on(event: &PremiumAccountEvent) -> Option<Date> {
    Some(match event {
        PremiumAccountEvent::AccountOpened(e) => e.acquired_on,
        PremiumAccountEvent::MonthAssessed(e) => e.month.first_day(),
        PremiumAccountEvent::PrepaymentRecorded(e) => e.received_on,
        PremiumAccountEvent::PremiumReceived(e) => e.received_on,
        PremiumAccountEvent::ReceiptReversed(e) => e.reversed_on,
        PremiumAccountEvent::PrepaymentShortfallAssessed(e) => e.from_month.first_day(),
        PremiumAccountEvent::ArrearsDetected(e) => e.as_of,
        PremiumAccountEvent::AccountClosed(e) => e.lost_on,
        PremiumAccountEvent::RefundClaimed(e) => e.claimed_on,
        PremiumAccountEvent::RefundDecided(e) => e.decided_on,
        PremiumAccountEvent::RefundPaid(e) => e.paid_on,
    })
}

/// The events of one stream that pass both cuts, in stream order, with their positions.
///
/// `NotFound` when the stream has no event recorded by `known_at` (an unknown id, or a
/// stream begun later). An event without an effective date of its own takes the one of the
/// event before it in the stream (the first one: the Japan date it was recorded).
fn select<T>(
    stored: &[StoredEvent],
    moment: Moment,
    decode: impl Fn(&StoredEvent) -> Result<Option<T>, kenpo_projections::ProjectionError>,
    effective_on: impl Fn(&T) -> Option<Date>,
) -> Result<(Vec<T>, Vec<i64>), AsOfError> {
    let not_found = AsOfError::NotFound {
        as_of: moment.as_of,
        known_at: moment.known_at,
    };
    let known: Vec<&StoredEvent> = stored
        .iter()
        .filter(|e| e.recorded_at <= moment.known_at)
        .collect();
    if known.is_empty() {
        return Err(not_found);
    }
    let mut events = Vec::new();
    let mut positions = Vec::new();
    let mut previous: Option<Date> = None;
    for stored in known {
        let Some(event) = decode(stored)? else {
            continue;
        };
        let effective = effective_on(&event)
            .or(previous)
            .unwrap_or_else(|| date_in_japan(stored.recorded_at));
        previous = Some(effective);
        if effective <= moment.as_of {
            events.push(event);
            positions.push(stored.position);
        }
    }
    Ok((events, positions))
}

fn basis(moment: Moment, mut positions: Vec<i64>) -> AsOfBasis {
    positions.sort_unstable();
    AsOfBasis {
        as_of: moment.as_of,
        known_at: moment.known_at,
        positions,
    }
}

/// One person's member view at `moment`, with the positions folded; `None` when no event
/// of the person is known and in force then.
async fn member_view(
    conn: &mut PgConnection,
    upcasters: &Upcasters,
    person_id: Uuid,
    moment: Moment,
) -> Result<Option<(MemberView, Vec<i64>)>, AsOfError> {
    let stored = event_store::read_stream(conn, &stream_id::<Person>(person_id), upcasters).await?;
    let (events, positions) = match select(
        &stored,
        moment,
        PersonEventAt::from_stored,
        |e: &PersonEventAt| person_effective_on(&e.event),
    ) {
        Ok(selected) => selected,
        Err(AsOfError::NotFound { .. }) => return Ok(None),
        Err(e) => return Err(e),
    };
    let mut views = HashMap::new();
    members::fold(&mut views, &events);
    Ok(views
        .remove(&person_id)
        .filter(|v| v.stream_version > 0)
        .map(|v| (v, positions)))
}

/// A member and their dependents at `moment`.
///
/// The dependents are the persons the live read model lists under this insured (current
/// and former), each folded at `moment` and kept when that fold has them under this insured.
/// A person once this insured's dependent and now recorded under another insured is not
/// listed (the log has no index by insured to find them).
pub async fn member(
    conn: &mut PgConnection,
    upcasters: &Upcasters,
    person_id: Uuid,
    moment: Moment,
) -> Result<(MemberView, Vec<MemberView>, AsOfBasis), AsOfError> {
    let (member, mut positions) = member_view(conn, upcasters, person_id, moment)
        .await?
        .ok_or(AsOfError::NotFound {
            as_of: moment.as_of,
            known_at: moment.known_at,
        })?;
    let candidates: Vec<Uuid> =
        sqlx::query_scalar("SELECT person_id FROM members WHERE insured_person_id = $1")
            .bind(person_id)
            .fetch_all(&mut *conn)
            .await?;
    let mut dependents = Vec::new();
    for candidate in candidates {
        if let Some((view, used)) = member_view(conn, upcasters, candidate, moment).await? {
            if view.insured_person_id == Some(person_id) {
                positions.extend(used);
                dependents.push(view);
            }
        }
    }
    // the live read model's order: qualified first, then カナ氏名, then id (`query::dependents_of`)
    dependents.sort_by(|a, b| {
        b.status
            .as_str()
            .cmp(a.status.as_str())
            .then_with(|| a.kana_name.cmp(&b.kana_name))
            .then_with(|| a.person_id.cmp(&b.person_id))
    });
    Ok((member, dependents, basis(moment, positions)))
}

/// A benefit claim at `moment`, with the stored events folded (for its `history`).
pub async fn claim(
    conn: &mut PgConnection,
    upcasters: &Upcasters,
    claim_id: Uuid,
    moment: Moment,
) -> Result<(ClaimView, Vec<StoredEvent>, AsOfBasis), AsOfError> {
    let stored =
        event_store::read_stream(conn, &stream_id::<BenefitClaim>(claim_id), upcasters).await?;
    let (events, positions) = select(
        &stored,
        moment,
        ClaimEventAt::from_stored,
        |e: &ClaimEventAt| claim_effective_on(&e.event),
    )?;
    let mut views = HashMap::new();
    benefit_claims::fold(&mut views, &events);
    let view = views.remove(&claim_id).ok_or(AsOfError::NotFound {
        as_of: moment.as_of,
        known_at: moment.known_at,
    })?;
    let used: Vec<StoredEvent> = stored
        .into_iter()
        .filter(|e| positions.contains(&e.position))
        .collect();
    Ok((view, used, basis(moment, positions)))
}

/// A premium account at `moment`.
pub async fn premium_account(
    conn: &mut PgConnection,
    upcasters: &Upcasters,
    person_id: Uuid,
    moment: Moment,
) -> Result<(PremiumAccountView, AsOfBasis), AsOfError> {
    let stored =
        event_store::read_stream(conn, &stream_id::<PremiumAccount>(person_id), upcasters).await?;
    let (events, positions) = select(
        &stored,
        moment,
        PremiumEventAt::from_stored,
        |e: &PremiumEventAt| premium_effective_on(&e.event),
    )?;
    let mut views = HashMap::new();
    premium_ledger::fold(&mut views, &events);
    let view = views.remove(&person_id).ok_or(AsOfError::NotFound {
        as_of: moment.as_of,
        known_at: moment.known_at,
    })?;
    Ok((view, basis(moment, positions)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn params(as_of: Option<&str>, known_at: Option<&str>) -> AsOfParams {
        AsOfParams {
            as_of: as_of.map(str::to_owned),
            known_at: known_at.map(str::to_owned),
        }
    }

    #[test]
    fn no_parameter_is_the_live_read_model() {
        assert_eq!(params(None, None).moment(Utc::now()).unwrap(), None);
    }

    #[test]
    fn as_of_defaults_to_today_in_japan_and_known_at_to_now() {
        // 2026-12-07 20:00 UTC is already 2026-12-08 in Japan
        let now = at("2026-12-07T20:00:00Z");
        let moment = params(None, Some("2026-12-07T10:00:00+09:00"))
            .moment(now)
            .unwrap()
            .unwrap();
        assert_eq!(moment.as_of, Date::fixed(2026, 12, 8));
        assert_eq!(moment.known_at, at("2026-12-07T01:00:00Z"));
        let moment = params(Some("R8.4.1"), None).moment(now).unwrap().unwrap();
        assert_eq!(moment.as_of, Date::fixed(2026, 4, 1));
        assert_eq!(moment.known_at, now);
    }

    #[test]
    fn malformed_or_future_parameters_are_invalid_query() {
        let now = at("2026-12-07T10:00:00Z");
        for (as_of, known_at) in [
            (Some("2026-02-30"), None),
            (Some("yesterday"), None),
            (None, Some("2026-12-07")),
            (None, Some("2026-12-07T10:00:00")),
            (None, Some("2026-12-07T10:00:01Z")),
        ] {
            let error = params(as_of, known_at).moment(now).unwrap_err();
            assert_eq!(error.code, "invalid_query", "{as_of:?} {known_at:?}");
            assert_eq!(error.status.as_u16(), 422);
        }
    }
}
