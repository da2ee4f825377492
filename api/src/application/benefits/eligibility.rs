//! 適用 facts a 給付 needs, read from the Person aggregates inside the command's transaction:
//! whether the person is (was) insured, their 加入区分 on a day, whether a dependent depended on
//! the insured on a day, the 標準報酬月額 by month, and the insured's 被保険者 history for the
//! entitlement rules (`kenpo_domain::benefits::eligibility`: 104条–106条 after the loss).
//!
//! The person streams read are locked `FOR SHARE` until the command commits, so a concurrent
//! 適用 command (a 資格喪失, a 被扶養者削除, a 標準報酬 改定) cannot change the facts a claim
//! was checked or calculated against before it is recorded.

use kenpo_domain::benefits::calc::{BenefitCalcError, DatePeriod, MonthlyStandardRemuneration};
use kenpo_domain::benefits::claim::{BenefitKind, ClaimReceipt, Payee};
use kenpo_domain::benefits::eligibility::{self as rules, InsuredHistory, InsuredSpell};
use kenpo_domain::calendar::{Date, YearMonth};
use kenpo_domain::qualification::{EnrollmentCategory, Person, QualificationPeriod, Role};
use kenpo_infrastructure::event_store::{self, Upcasters};
use sqlx::PgConnection;
use uuid::Uuid;

use super::details::ClaimDetails;
use crate::application::aggregate::{self, stream_id};
use crate::problem::ApiError;

/// Load a person named in a request, locking their stream for the rest of the transaction;
/// 422 `person_not_found` when there is none (`what` names the field).
pub async fn person(
    conn: &mut PgConnection,
    upcasters: &Upcasters,
    id: Uuid,
    what: &str,
) -> Result<Person, ApiError> {
    event_store::lock_stream_for_share(conn, &stream_id::<Person>(id))
        .await
        .map_err(aggregate::store_error)?;
    let loaded = aggregate::load::<Person>(conn, upcasters, id)
        .await
        .map_err(aggregate::store_error)?;
    if !loaded.aggregate.exists() {
        return Err(ApiError::invalid(
            "person_not_found",
            format!("{what}: there is no person {id} in 適用"),
        ));
    }
    Ok(loaded.aggregate)
}

/// The insured (被保険者) period covering `date`.
pub fn insured_period_on(person: &Person, date: Date) -> Option<&QualificationPeriod> {
    person
        .period_on(date)
        .filter(|p| matches!(p.role, Role::Insured { .. }))
}

/// 加入区分 on `date`, when insured that day.
pub fn category_on(person: &Person, date: Date) -> Option<EnrollmentCategory> {
    insured_period_on(person, date).and_then(QualificationPeriod::insured_category)
}

/// True when `dependent` was a 被扶養者 of `insured_id` on `date`.
pub fn is_dependent_of_on(dependent: &Person, insured_id: Uuid, date: Date) -> bool {
    dependent.period_on(date).is_some_and(|p| {
        matches!(p.role, Role::Dependent { insured_person_id, .. } if insured_person_id == insured_id)
    })
}

/// The insured's 被保険者 periods with their 加入区分, for the entitlement rules of
/// `kenpo_domain::benefits::eligibility` (104条–106条 after the loss; rules.md §5.1–§5.4).
pub fn insured_history(person: &Person) -> InsuredHistory {
    InsuredHistory::new(
        person
            .periods()
            .iter()
            .filter_map(|p| {
                p.insured_category().map(|category| InsuredSpell {
                    category,
                    acquired_on: p.started_on,
                    lost_on: p.ended_on,
                })
            })
            .collect(),
    )
}

/// The 標準報酬月額 by month from `from` to `to`: each month in which the person was insured
/// at least one day, with the 決定・改定 in force that month (all of them set by this society,
/// the only insurer whose records the stream holds). Months without insurance are left out, so
/// the calculation's 直近の継続した各月 stop at a gap.
pub fn remuneration_months(
    person: &Person,
    from: YearMonth,
    to: YearMonth,
) -> Vec<MonthlyStandardRemuneration> {
    let mut months = Vec::new();
    let mut month = from;
    while month <= to {
        let insured = person
            .periods()
            .iter()
            .any(|p| matches!(p.role, Role::Insured { .. }) && p.overlaps_month(month));
        if insured {
            if let Some(standard) = person.standard_remuneration_in(month) {
                months.push(MonthlyStandardRemuneration {
                    month,
                    amount: standard.amount,
                });
            }
        }
        month = month.add_months(1);
    }
    months
}

fn refuse(error: &BenefitCalcError) -> ApiError {
    ApiError::invalid(error.code(), error.to_string())
}

/// The checks of 受付 against 適用: the insured exists and has been a 被保険者; for 家族 kinds
/// the dependent depended on them on the day of the event; 傷病手当金 / 出産手当金 are refused
/// to a 任意継続被保険者 (99条1項, 102条1項); the employer's account is only for an insured
/// employee on the day of receipt (digest.md §2.3 #1).
pub async fn check_receipt(
    conn: &mut PgConnection,
    upcasters: &Upcasters,
    receipt: &ClaimReceipt,
    details: &ClaimDetails,
) -> Result<(), ApiError> {
    let insured = person(conn, upcasters, receipt.person_id, "person_id").await?;
    if !insured
        .periods()
        .iter()
        .any(|p| matches!(p.role, Role::Insured { .. }))
    {
        return Err(ApiError::invalid(
            "not_an_insured",
            format!(
                "person {} has never been a 被保険者; a claim is made by (or for) the insured",
                receipt.person_id
            ),
        ));
    }
    let on = details.relevant_date(receipt.period.as_ref(), receipt.received_on);
    let history = insured_history(&insured);
    match receipt.kind {
        BenefitKind::FamilyChildbirthLumpSum | BenefitKind::FamilyBurial => {
            let article = if receipt.kind == BenefitKind::FamilyBurial {
                "健保法113条"
            } else {
                "健保法114条"
            };
            // a dependant's birth or death after the insured's loss: not covered (rules.md
            // §5.3, §5.4), whatever the dependant's own record says
            if let Err(error @ BenefitCalcError::FamilyBenefitAfterLoss { .. }) =
                rules::family_event(&history, article, on)
            {
                return Err(refuse(&error));
            }
            if let Some(dependent_id) = receipt.beneficiary_person_id {
                let dependent =
                    person(conn, upcasters, dependent_id, "beneficiary_person_id").await?;
                if !is_dependent_of_on(&dependent, receipt.person_id, on) {
                    return Err(ApiError::invalid(
                        "beneficiary_not_dependent",
                        format!(
                            "person {dependent_id} was not a 被扶養者 of {} on {on}",
                            receipt.person_id
                        ),
                    ));
                }
            }
        }
        BenefitKind::SicknessAllowance
            if category_on(&insured, on) == Some(EnrollmentCategory::VoluntaryContinuation) =>
        {
            return Err(refuse(
                &BenefitCalcError::NotEligibleVoluntaryContinuation {
                    benefit: "傷病手当金",
                },
            ));
        }
        BenefitKind::MaternityAllowance
            if category_on(&insured, on) == Some(EnrollmentCategory::VoluntaryContinuation)
                && details.at_loss().is_none() =>
        {
            // a 任継 receives 出産手当金 only as the 104条 continuation from the 強制 loss, whose
            // facts (`at_loss`) the claim then states
            return Err(refuse(
                &BenefitCalcError::NotEligibleVoluntaryContinuation {
                    benefit: "出産手当金",
                },
            ));
        }
        _ => {}
    }
    check_status_at_loss(&history, receipt, details)?;
    if let Payee::EmployerAccount { office_code } = &receipt.payee {
        let category = category_on(&insured, receipt.received_on);
        if category != Some(EnrollmentCategory::Compulsory) {
            return Err(ApiError::invalid(
                "payee_not_allowed",
                format!(
                    "the employer's account ({office_code}) is for an insured employee; on {} the person is {}: pay to the member's own account",
                    receipt.received_on,
                    category.map_or("not insured".to_owned(), |c| c.to_string())
                ),
            ));
        }
    }
    Ok(())
}

/// 104条 at 受付: a 傷病手当金 / 出産手当金 claim with days after the loss of a 強制
/// qualification must state the insured's status on the last day insured (`at_loss`, 422
/// `at_loss_required`), and that statement must agree with the days worked it certifies (a
/// day worked on the last day insured while `worked_on_last_day` is false: 422
/// `invalid_details`). Whether 104条 is met is the calculation's answer.
fn check_status_at_loss(
    history: &InsuredHistory,
    receipt: &ClaimReceipt,
    details: &ClaimDetails,
) -> Result<(), ApiError> {
    let (Some(period), Some(days_worked)) = (receipt.period, details.days_worked()) else {
        return Ok(());
    };
    let claimed = DatePeriod {
        from: period.from,
        to: period.to,
    };
    let Some(lost_on) = history.continuation_loss(claimed) else {
        return Ok(());
    };
    let Some(at_loss) = details.at_loss() else {
        return Err(refuse(&BenefitCalcError::AtLossRequired { lost_on }));
    };
    let last_day = lost_on.previous_day();
    if days_worked.contains(&last_day) && !at_loss.worked_on_last_day {
        return Err(ApiError::invalid(
            "invalid_details",
            format!(
                "at_loss.worked_on_last_day is false, but the 事業主証明 lists {last_day}, the last day insured, as worked"
            ),
        ));
    }
    Ok(())
}
