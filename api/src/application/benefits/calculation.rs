//! 給付金計算: the server builds the calculation input from the claim (its period, 事業主証明
//! and items), the 適用 facts (Person aggregates, read in the command's transaction) and the
//! parameters in force (`yen_on`), runs `benefits::calc::*::calculate`, and returns what
//! `RecordCalculation` records: the amount and its whole 算定根拠.
//!
//! Outcomes:
//! - a parameter the registry does not have on the day → 409 `parameter_not_set` naming the key
//!   and the day;
//! - a calculation that finds nothing payable for a reason of law (任意継続, not insured on the
//!   day, 待期 not met, 85日 not reached, …) → 422 with the calculation's code
//!   (`waiting_period_not_met` …): nothing is recorded, and the claim is decided 不支給 with that
//!   code as the reason;
//! - otherwise the amount (0 when, e.g., wages cover every day) and its basis.

use kenpo_domain::basis::{Basis, ParameterRef, Rounding, Step};
use kenpo_domain::benefits::calc::adjustments::OtherPayments;
use kenpo_domain::benefits::calc::burial::{self, BurialAfterLoss, BurialClaim, BurialEligibility};
use kenpo_domain::benefits::calc::childbirth_lump_sum::{
    self, AfterLoss, Childbearer, ChildbirthEligibility,
};
use kenpo_domain::benefits::calc::high_cost_combined::{self, CategoryLimit};
use kenpo_domain::benefits::calc::maternity_allowance::{self, MaternityEligibility};
use kenpo_domain::benefits::calc::sickness_allowance::{self, SicknessEligibility};
use kenpo_domain::benefits::calc::{BenefitCalcError, DailyAmount, DatePeriod, YenParameter};
use kenpo_domain::benefits::claim::{
    BenefitKind, CalculationRecord, ClaimPeriod, ClaimReceived, WagePayment,
};
use kenpo_domain::benefits::eligibility::{
    self as rules, AllowanceClaim, AllowanceFacts, ContinuedBenefitAtDeath, Entitlement,
};
use kenpo_domain::calendar::Date;
use kenpo_domain::money::Yen;
use kenpo_domain::parameters::{Decimal, MissingParameter, ParameterKey};
use kenpo_domain::qualification::{EnrollmentCategory, Person};
use kenpo_infrastructure::event_store::Upcasters;
use sqlx::PgConnection;

use super::details::{
    BurialDetails, ChildbirthDetails, ClaimDetails, FamilyBurialDetails, HighCostCombinedDetails,
    MaternityAllowanceDetails, SicknessAllowanceDetails,
};
use super::eligibility::{
    category_on, insured_history, insured_period_on, is_dependent_of_on, person,
    remuneration_months,
};
use crate::application::parameters::{yen_on, LookupError};
use crate::problem::ApiError;

/// Key under which the 産科医療補償制度 addition appears in a 出産育児一時金 input: the registry
/// holds the amount with the addition and the amount without it; the addition is their
/// difference (施行令36条).
pub const OBSTETRIC_ADDITION_KEY: &str =
    "obstetric_compensation_addition (childbirth_lump_sum − childbirth_lump_sum_without_compensation)";

/// What a calculation gives before it is recorded.
struct Calculated {
    basis: Basis,
    total: Yen,
    /// 支給開始日 of an allowance (the day its parameters must be in force on).
    start: Option<Date>,
}

/// A refusal by the calculation: 422 with its code, or 409 `parameter_not_set` for a
/// parameter not in force.
fn calc_refusal(error: BenefitCalcError) -> ApiError {
    match &error {
        BenefitCalcError::ParameterNotInForce { key, on, .. } => {
            match key.parse::<ParameterKey>() {
                Ok(key) => ApiError::conflict(
                    MissingParameter::CODE,
                    MissingParameter { key, on: *on }.to_string(),
                ),
                Err(_) => ApiError::internal(&error),
            }
        }
        BenefitCalcError::ParameterMismatch { .. } | BenefitCalcError::MissingParameter { .. } => {
            ApiError::internal(&error)
        }
        _ => ApiError::invalid(error.code(), error.to_string()),
    }
}

fn parameter(value: Yen, reference: ParameterRef) -> YenParameter {
    YenParameter {
        value,
        parameter: reference,
    }
}

/// Calculate the claim as received, with the facts and parameters as they stand in the
/// transaction; `calculated_by` is the 職員ID recording it (the decision must be another's).
pub async fn calculate(
    conn: &mut PgConnection,
    upcasters: &Upcasters,
    claim: &ClaimReceived,
    calculated_by: &str,
) -> Result<CalculationRecord, ApiError> {
    let details = ClaimDetails::parse(claim.kind, &claim.details)?;
    let insured = person(conn, upcasters, claim.person_id, "person_id").await?;
    let calculated = match &details {
        ClaimDetails::SicknessAllowance(d) => sickness(conn, claim, &insured, d).await?,
        ClaimDetails::MaternityAllowance(d) => maternity(conn, claim, &insured, d).await?,
        ClaimDetails::Childbirth(d) => {
            let dependent = match (claim.kind, claim.beneficiary_person_id) {
                (BenefitKind::FamilyChildbirthLumpSum, Some(id)) => {
                    Some(person(conn, upcasters, id, "beneficiary_person_id").await?)
                }
                _ => None,
            };
            childbirth(conn, claim, &insured, dependent.as_ref(), d).await?
        }
        ClaimDetails::Burial(d) => burial_allowance(conn, &insured, d).await?,
        ClaimDetails::FamilyBurial(d) => {
            let dependent = match claim.beneficiary_person_id {
                Some(id) => Some(person(conn, upcasters, id, "beneficiary_person_id").await?),
                None => None,
            };
            family_burial(conn, claim, &insured, dependent.as_ref(), d).await?
        }
        ClaimDetails::HighCostCombined(d) => high_cost_combined(conn, &insured, d).await?,
    };
    Ok(CalculationRecord {
        basis: calculated.basis,
        amount: calculated.total,
        calculated_by: calculated_by.to_owned(),
    })
}

/// The period claimed (the domain requires it for the allowances).
fn claim_period(claim: &ClaimReceived) -> Result<ClaimPeriod, ApiError> {
    claim.period.ok_or_else(|| {
        ApiError::invalid(
            "period_required",
            format!("a {} claim needs the period claimed (自-至)", claim.kind),
        )
    })
}

/// 事業主証明 wages as amounts per day (108条 compares each day's wage with the 日額): an entry
/// for several days is divided equally and must divide into whole yen.
fn daily_wages(claim: &ClaimReceived) -> Result<Vec<DailyAmount>, ApiError> {
    let mut days = Vec::new();
    let wages: &[WagePayment] = claim
        .employer_certification
        .as_ref()
        .map_or(&[], |c| c.wages_paid.as_slice());
    for wage in wages {
        let period = DatePeriod {
            from: wage.from,
            to: wage.to,
        };
        let count = (wage.to.naive() - wage.from.naive()).num_days() + 1;
        if count <= 0 {
            continue;
        }
        if wage.amount.amount() % count != 0 {
            return Err(ApiError::invalid(
                "wages_not_daily",
                format!(
                    "事業主証明: wages of {} for {}..{} do not divide into equal whole-yen amounts over {count} days; certify them per day",
                    wage.amount, wage.from, wage.to
                ),
            ));
        }
        let per_day = Yen::new(wage.amount.amount() / count);
        let mut day = period.from;
        while day <= period.to {
            days.push(DailyAmount {
                date: day,
                amount: per_day,
            });
            day = day.next_day();
        }
    }
    Ok(days)
}

/// Run an allowance calculation, supplying `sickness_allowance_base_under_12_months` when it
/// asks for it (fewer than 12 months of 標準報酬月額): the value in force on the first day
/// claimed (or the last, if none is in force yet on the first), then, once the 支給開始日 is
/// known, the value in force on that day if it is another entry.
async fn with_short_history_base<F>(
    conn: &mut PgConnection,
    period: ClaimPeriod,
    run: F,
) -> Result<Calculated, ApiError>
where
    F: Fn(Option<YenParameter>) -> Result<Calculated, BenefitCalcError>,
{
    match run(None) {
        Err(BenefitCalcError::MissingParameter { .. }) => {}
        other => return other.map_err(calc_refusal),
    }
    let key = ParameterKey::SicknessAllowanceBaseUnder12Months;
    let (value, reference) = match yen_on(&mut *conn, key, period.from).await {
        Ok(found) => found,
        Err(LookupError::Missing(missing)) => match yen_on(&mut *conn, key, period.to).await {
            Ok(found) => found,
            Err(LookupError::Missing(_)) => return Err(LookupError::Missing(missing).into()),
            Err(other) => return Err(other.into()),
        },
        Err(other) => return Err(other.into()),
    };
    let first = run(Some(parameter(value, reference.clone()))).map_err(calc_refusal)?;
    let Some(start) = first.start else {
        return Ok(first);
    };
    let (value_on_start, reference_on_start) = yen_on(&mut *conn, key, start).await?;
    if reference_on_start == reference {
        return Ok(first);
    }
    run(Some(parameter(value_on_start, reference_on_start))).map_err(calc_refusal)
}

/// 傷病手当金 (99条; rules.md §5.1).
async fn sickness(
    conn: &mut PgConnection,
    claim: &ClaimReceived,
    insured: &Person,
    d: &SicknessAllowanceDetails,
) -> Result<Calculated, ApiError> {
    let period = claim_period(claim)?;
    let wages = daily_wages(claim)?;
    let earliest = d
        .earlier_payments
        .map_or(period.from, |e| e.benefit_start_date.min(period.from));
    let months = remuneration_months(
        insured,
        earliest.year_month().add_months(-11),
        period.to.year_month(),
    );
    if category_on(insured, d.sickness_began_on) == Some(EnrollmentCategory::VoluntaryContinuation)
    {
        return Err(calc_refusal(
            BenefitCalcError::NotEligibleVoluntaryContinuation {
                benefit: "傷病手当金",
            },
        ));
    }
    // 99条 for days insured (強制), 104条 for days after the loss (rules.md §5.1)
    let entitlement = rules::allowance(
        &insured_history(insured),
        &AllowanceClaim {
            facts: AllowanceFacts::Sickness {
                began_on: d.sickness_began_on,
                waiting_period_completed_on: d.waiting_period_completed_on,
            },
            claimed: DatePeriod {
                from: period.from,
                to: period.to,
            },
            days_worked: &d.days_worked,
            at_loss: d.at_loss,
        },
    )
    .map_err(calc_refusal)?;
    let eligibility = SicknessEligibility {
        voluntary_continuation_when_sickness_began: false,
        qualified_for_claimed_period: true,
    };
    // 108条3項–5項, 労災 (rules.md §5.1): only when the claim states other payments, so a claim
    // without them keeps its basis; the 老齢退職年金給付 counts from the 資格喪失日 of a 104条
    // continuation (the entitlement recorded as `inputs.entitlement`).
    let other_payments =
        (!d.pensions.is_empty() || !d.workers_compensation.is_empty()).then(|| OtherPayments {
            pensions: d.pensions.clone(),
            workers_compensation: d.workers_compensation.clone(),
            continued_benefit_from: match entitlement {
                Entitlement::ContinuedBenefit { lost_on, .. } => Some(lost_on),
                _ => None,
            },
        });
    let input = |base: Option<YenParameter>| sickness_allowance::SicknessAllowanceInput {
        claimed_period: DatePeriod {
            from: period.from,
            to: period.to,
        },
        days_worked: d.days_worked.clone(),
        wages: wages.clone(),
        maternity_allowance_paid: d.maternity_allowance_paid.clone(),
        eligibility,
        waiting_period_completed_on: d.waiting_period_completed_on,
        earlier_payments: d.earlier_payments,
        standard_remuneration_months: months.clone(),
        short_history_base: base,
        other_payments: other_payments.clone(),
    };
    let mut calculated = with_short_history_base(conn, period, |base| {
        sickness_allowance::calculate(&input(base)).map(|r| Calculated {
            start: r.benefit_start_date,
            total: r.total,
            basis: r.basis,
        })
    })
    .await?;
    entitlement.record(&mut calculated.basis);
    Ok(calculated)
}

/// 出産手当金 (102条; rules.md §5.2).
async fn maternity(
    conn: &mut PgConnection,
    claim: &ClaimReceived,
    insured: &Person,
    d: &MaternityAllowanceDetails,
) -> Result<Calculated, ApiError> {
    let period = claim_period(claim)?;
    let wages = daily_wages(claim)?;
    let earliest = d
        .earlier_benefit_start_date
        .map_or(period.from, |s| s.min(period.from));
    let months = remuneration_months(
        insured,
        earliest.year_month().add_months(-11),
        period.to.year_month(),
    );
    // a 任継 receives 出産手当金 only as the 104条 continuation of the 強制 loss (102条1項)
    if category_on(insured, period.from) == Some(EnrollmentCategory::VoluntaryContinuation)
        && d.at_loss.is_none()
    {
        return Err(calc_refusal(
            BenefitCalcError::NotEligibleVoluntaryContinuation {
                benefit: "出産手当金",
            },
        ));
    }
    let (period_from, period_to) = maternity_allowance::benefit_period(
        d.expected_birth_date,
        d.birth_date,
        d.multiple_pregnancy,
    );
    // 102条 for days insured (強制), 104条 for days after the loss (rules.md §5.2)
    let entitlement = rules::allowance(
        &insured_history(insured),
        &AllowanceClaim {
            facts: AllowanceFacts::Maternity {
                period_from,
                period_to,
            },
            claimed: DatePeriod {
                from: period.from,
                to: period.to,
            },
            days_worked: &d.days_worked,
            at_loss: d.at_loss,
        },
    )
    .map_err(calc_refusal)?;
    let eligibility = MaternityEligibility {
        voluntary_continuation: false,
        qualified_for_claimed_period: true,
    };
    let input = |base: Option<YenParameter>| maternity_allowance::MaternityAllowanceInput {
        expected_birth_date: d.expected_birth_date,
        birth_date: d.birth_date,
        multiple_pregnancy: d.multiple_pregnancy,
        claimed_period: DatePeriod {
            from: period.from,
            to: period.to,
        },
        days_worked: d.days_worked.clone(),
        wages: wages.clone(),
        eligibility,
        earlier_benefit_start_date: d.earlier_benefit_start_date,
        standard_remuneration_months: months.clone(),
        short_history_base: base,
    };
    let mut calculated = with_short_history_base(conn, period, |base| {
        maternity_allowance::calculate(&input(base)).map(|r| Calculated {
            start: r.benefit_start_date,
            total: r.total,
            basis: r.basis,
        })
    })
    .await?;
    entitlement.record(&mut calculated.basis);
    Ok(calculated)
}

/// 出産育児一時金 (101条) / 家族出産育児一時金 (114条); rules.md §5.3.
async fn childbirth(
    conn: &mut PgConnection,
    claim: &ClaimReceived,
    insured: &Person,
    dependent: Option<&Person>,
    d: &ChildbirthDetails,
) -> Result<Calculated, ApiError> {
    let birth = d.birth_date;
    let history = insured_history(insured);
    // 101条 / 106条 for the insured's own birth, 114条 for a dependant's (rules.md §5.3)
    let (childbearer, entitlement, dependant_on_birth_date) = match dependent {
        Some(dependent) => (
            Childbearer::Dependant,
            rules::family_event(&history, "健保法114条", birth).map_err(calc_refusal)?,
            is_dependent_of_on(dependent, claim.person_id, birth),
        ),
        None if claim.kind == BenefitKind::FamilyChildbirthLumpSum => (
            Childbearer::Dependant,
            rules::family_event(&history, "健保法114条", birth).map_err(calc_refusal)?,
            false,
        ),
        None => (
            Childbearer::Insured,
            rules::own_childbirth(&history, birth).map_err(calc_refusal)?,
            false,
        ),
    };
    let after_loss = match entitlement {
        Entitlement::ChildbirthAfterLoss { lost_on, .. } => Some(AfterLoss {
            loss_date: lost_on,
            continuously_insured_one_year: true,
        }),
        _ => None,
    };
    let insured_on_birth_date = !entitlement.after_loss();
    let (without, without_ref) = yen_on(
        &mut *conn,
        ParameterKey::ChildbirthLumpSumWithoutCompensation,
        birth,
    )
    .await?;
    let (with, with_ref) = yen_on(&mut *conn, ParameterKey::ChildbirthLumpSum, birth).await?;
    let addition = with - without;
    if addition.is_negative() {
        return Err(ApiError::internal(&format!(
            "childbirth_lump_sum ({with}) is below childbirth_lump_sum_without_compensation ({without}) on {birth}"
        )));
    }
    let addition_ref = ParameterRef {
        key: OBSTETRIC_ADDITION_KEY.to_owned(),
        version: with_ref.version,
        effective_from: with_ref.effective_from.max(without_ref.effective_from),
        value: addition.amount().to_string(),
    };
    let input = childbirth_lump_sum::ChildbirthLumpSumInput {
        childbearer,
        birth_date: birth,
        gestation: d.gestation,
        live_births: d.live_births,
        stillbirths: d.stillbirths,
        obstetric_compensation_facility: d.obstetric_compensation_facility,
        eligibility: ChildbirthEligibility {
            insured_on_birth_date,
            dependant_on_birth_date,
            after_loss,
        },
        base_amount: parameter(without, without_ref.clone()),
        obstetric_compensation_addition: parameter(addition, addition_ref),
    };
    let result = childbirth_lump_sum::calculate(&input).map_err(calc_refusal)?;
    let mut basis = result.basis;
    // The addition is the difference of two registry entries: cite both, and show the
    // subtraction as a step before the addition is used.
    if let Some(at) = basis
        .parameters
        .iter()
        .position(|p| p.key == OBSTETRIC_ADDITION_KEY)
    {
        basis.parameters[at] = with_ref.clone();
        let step_at = basis
            .steps
            .iter()
            .position(|s| s.label.starts_with("産科医療補償制度の加算額"))
            .unwrap_or(basis.steps.len());
        let value = Decimal::from(addition.amount());
        basis.steps.insert(
            step_at,
            Step::new(
                "産科医療補償制度の加算額 = 加算ありの額 − 加算なしの額",
                format!(
                    "{} (childbirth_lump_sum v{}) − {} (childbirth_lump_sum_without_compensation v{})",
                    with.amount(),
                    with_ref.version,
                    without.amount(),
                    without_ref.version
                ),
                value,
                Rounding::None,
                value,
                "健保法施行令36条; rules.md §5.3",
            ),
        );
    }
    entitlement.record(&mut basis);
    Ok(Calculated {
        basis,
        total: result.total,
        start: None,
    })
}

/// 埋葬料・埋葬費 (100条, 105条); rules.md §5.4.
async fn burial_allowance(
    conn: &mut PgConnection,
    insured: &Person,
    d: &BurialDetails,
) -> Result<Calculated, ApiError> {
    let death = d.date_of_death;
    // 100条 when insured on the date of death, 105条 after the loss (rules.md §5.4)
    let entitlement = rules::burial(
        &insured_history(insured),
        death,
        ContinuedBenefitAtDeath {
            receiving: d.receiving_continued_benefit,
            last_day: d.continued_benefit_last_day,
        },
    )
    .map_err(calc_refusal)?;
    let after_loss = match entitlement {
        Entitlement::BurialAfterLoss { lost_on, .. } => Some(BurialAfterLoss {
            loss_date: lost_on,
            receiving_continued_benefit: d.receiving_continued_benefit,
            continued_benefit_last_day: d.continued_benefit_last_day,
        }),
        _ => None,
    };
    let insured_on_death_date = !entitlement.after_loss();
    let (amount, reference) = yen_on(&mut *conn, ParameterKey::BurialAmount, death).await?;
    let input = burial::BurialInput {
        claim: d.burial,
        date_of_death: death,
        burial_date: d.burial_date,
        eligibility: BurialEligibility {
            insured_on_death_date,
            deceased_was_dependant: false,
            after_loss,
        },
        amount: parameter(amount, reference),
    };
    let result = burial::calculate(&input).map_err(calc_refusal)?;
    let mut basis = result.basis;
    entitlement.record(&mut basis);
    Ok(Calculated {
        basis,
        total: result.total,
        start: None,
    })
}

/// 家族埋葬料 (113条); rules.md §5.4.
async fn family_burial(
    conn: &mut PgConnection,
    claim: &ClaimReceived,
    insured: &Person,
    dependent: Option<&Person>,
    d: &FamilyBurialDetails,
) -> Result<Calculated, ApiError> {
    let death = d.date_of_death;
    // the insured insured on the date of death; not after the insured's loss (rules.md §5.4)
    let entitlement = rules::family_event(&insured_history(insured), "健保法113条", death)
        .map_err(calc_refusal)?;
    let (amount, reference) = yen_on(&mut *conn, ParameterKey::FamilyBurialAmount, death).await?;
    let input = burial::BurialInput {
        claim: BurialClaim::FamilyBurialAllowance,
        date_of_death: death,
        burial_date: d.burial_date,
        eligibility: BurialEligibility {
            insured_on_death_date: !entitlement.after_loss(),
            deceased_was_dependant: dependent
                .is_some_and(|dep| is_dependent_of_on(dep, claim.person_id, death)),
            after_loss: None,
        },
        amount: parameter(amount, reference),
    };
    let result = burial::calculate(&input).map_err(calc_refusal)?;
    let mut basis = result.basis;
    entitlement.record(&mut basis);
    Ok(Calculated {
        basis,
        total: result.total,
        start: None,
    })
}

/// 高額介護合算療養費 (115条の2; rules.md §5.7): the limit of the claimed 所得区分 and the
/// minimum are the registry's values in force on the 基準日 (7/31 at the end of the 給付年度,
/// the day the 所得区分 and the qualification are taken on); the basis cites both entries
/// (key, version). Only the claimed category's row is looked up: each row is its own key.
async fn high_cost_combined(
    conn: &mut PgConnection,
    insured: &Person,
    d: &HighCostCombinedDetails,
) -> Result<Calculated, ApiError> {
    let reference_date = Date::from_ymd(d.benefit_year.saturating_add(1), 7, 31)
        .ok_or_else(|| ApiError::invalid("invalid_details", "benefit_year out of range"))?;
    let qualified_on_reference_date = insured_period_on(insured, reference_date).is_some();
    if !qualified_on_reference_date {
        // Refused before the registry is read: a missing parameter must not hide the reason.
        return Err(calc_refusal(BenefitCalcError::NotQualified {
            reason: format!("not insured on the 基準日 {reference_date}"),
        }));
    }
    let limit_key = ParameterKey::high_cost_combined_limit(d.income_category);
    let (limit, limit_ref) = yen_on(&mut *conn, limit_key, reference_date).await?;
    let (minimum, minimum_ref) = yen_on(
        &mut *conn,
        ParameterKey::HighCostCombinedMinimumExcess,
        reference_date,
    )
    .await?;
    let input = high_cost_combined::HighCostCombinedInput {
        benefit_year: d.benefit_year,
        income_category: d.income_category,
        limit_table: vec![CategoryLimit {
            category: d.income_category,
            limit: parameter(limit, limit_ref),
        }],
        medical_out_of_pocket: d.medical_out_of_pocket,
        care_out_of_pocket: d.care_out_of_pocket,
        minimum_excess: parameter(minimum, minimum_ref),
        qualified_on_reference_date,
    };
    let result = high_cost_combined::calculate(&input).map_err(calc_refusal)?;
    Ok(Calculated {
        basis: result.basis,
        total: result.medical_share,
        start: None,
    })
}
