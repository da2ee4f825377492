//! The claim's items (`details` of a 給付申請) per 給付種別: what the calculation takes from the
//! claim itself, as opposed to what comes from 適用 (the Person streams) and from the parameter
//! registry. The claim keeps `details` verbatim (`ClaimReceived.details`); they are parsed here
//! at 受付 (bad items are refused, nothing is written) and again at 給付金計算.
//!
//! | kind | from the claim | from 適用 | parameters |
//! |---|---|---|---|
//! | 傷病手当金 | period (自-至), 事業主証明 wages, `sickness_began_on`, `days_worked`, `maternity_allowance_paid`, earlier claims, `at_loss` (104条), `pensions` and `workers_compensation` (108条3項–5項, 労災) | 任意継続 at onset, 強制 insured on the claimed days or 104条 after the loss, 12か月の標準報酬月額 | `sickness_allowance_base_under_12_months` when fewer than 12 months |
//! | 出産手当金 | period, 事業主証明 wages, `expected_birth_date`, `birth_date`, `multiple_pregnancy`, `days_worked`, `at_loss` (104条) | 任意継続, 強制 insured on the claimed days or 104条 after the loss, 標準報酬月額 | same |
//! | 出産育児一時金 (家族) | `birth_date`, `gestation`, `live_births`, `stillbirths`, `obstetric_compensation_facility` | insured (dependent) on the birth date, 106条 after-loss facts | `childbirth_lump_sum`, `childbirth_lump_sum_without_compensation` |
//! | 埋葬料 (家族) | `date_of_death`, `burial_date`, `burial` (埋葬料 / 埋葬費 with the cost), 104条 continuation facts | insured (dependent) on the date of death, 資格喪失日 | `burial_amount` / `family_burial_amount` |
//! | 高額介護合算療養費 | `benefit_year`, `income_category`, `medical_out_of_pocket`, `care_out_of_pocket` | insured on the 基準日 (7/31) | `high_cost_combined_limit_<所得区分>` and `high_cost_combined_minimum_excess` on the 基準日 |

use kenpo_domain::benefits::calc::adjustments::{self, PensionPayment, WorkersCompensationPayment};
use kenpo_domain::benefits::calc::burial::BurialClaim;
use kenpo_domain::benefits::calc::childbirth_lump_sum::Gestation;
use kenpo_domain::benefits::calc::high_cost_combined::IncomeCategory;
use kenpo_domain::benefits::calc::sickness_allowance::EarlierPayments;
use kenpo_domain::benefits::calc::{BenefitCalcError, DailyAmount, DatePeriod};
use kenpo_domain::benefits::claim::{BenefitKind, ClaimPeriod, ClaimReceipt};
use kenpo_domain::benefits::eligibility::StatusAtLoss;
use kenpo_domain::calendar::Date;
use kenpo_domain::money::Yen;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::problem::ApiError;

/// 傷病手当金 (健保法99条): the claim's items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SicknessAllowanceDetails {
    /// 発病・負傷年月日: a sickness that began while the person was 任意継続 gives no 傷病手当金
    /// (99条1項 かっこ書).
    pub sickness_began_on: Date,
    /// Days in the period claimed on which the insured worked (事業主証明の出勤日).
    #[serde(default)]
    pub days_worked: Vec<Date>,
    /// 出産手当金 paid for days of the period (103条: only the excess is paid).
    #[serde(default)]
    pub maternity_allowance_paid: Vec<DailyAmount>,
    /// The 3rd day of the 待期 when it was completed in an earlier claim for this sickness.
    #[serde(default)]
    pub waiting_period_completed_on: Option<Date>,
    /// Earlier paid claims for this sickness: their 支給開始日 and the days paid (通算1年6月).
    #[serde(default)]
    pub earlier_payments: Option<EarlierPayments>,
    /// 104条 資格喪失後の継続給付: for days claimed after the 資格喪失日, the insured's status
    /// on the last day insured (required then, 422 `at_loss_required`).
    #[serde(default)]
    pub at_loss: Option<StatusAtLoss>,
    /// Pensions for the claimed days (健保法108条3項–5項; rules.md §5.1):
    /// `[{kind, amount, from, to?, counted_in_earlier_claims?}]` with `kind`
    /// `disability_pension` (障害厚生年金 + 同一事由の障害基礎年金, 年額), `disability_allowance`
    /// (障害手当金, the lump sum, from the day it became receivable) or `old_age_pension`
    /// (老齢退職年金給付, 年額; counts only for 104条 days).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pensions: Vec<PensionPayment>,
    /// 労災 休業補償給付 for the claimed days: `[{daily_amount, from, to}]` (only the difference
    /// is paid; rules.md §5.1).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub workers_compensation: Vec<WorkersCompensationPayment>,
}

/// 出産手当金 (健保法102条): the claim's items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MaternityAllowanceDetails {
    /// 出産予定年月日.
    pub expected_birth_date: Date,
    /// 出産年月日; none for a 産前 claim made before the birth.
    #[serde(default)]
    pub birth_date: Option<Date>,
    /// 多胎妊娠 (産前98日).
    #[serde(default)]
    pub multiple_pregnancy: bool,
    /// Days in the period claimed on which the insured worked.
    #[serde(default)]
    pub days_worked: Vec<Date>,
    /// 支給開始日 of an earlier paid claim for the same birth (fixes the 日額).
    #[serde(default)]
    pub earlier_benefit_start_date: Option<Date>,
    /// 104条 資格喪失後の継続給付: for days claimed after the 資格喪失日, the insured's status
    /// on the last day insured (required then, 422 `at_loss_required`).
    #[serde(default)]
    pub at_loss: Option<StatusAtLoss>,
}

/// 出産育児一時金 (101条) / 家族出産育児一時金 (114条): the claim's items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChildbirthDetails {
    /// 出産年月日.
    pub birth_date: Date,
    /// 妊娠週数 at the birth (85日 = 12週0日 or more is 出産).
    pub gestation: Gestation,
    /// 生産児数.
    pub live_births: u32,
    /// 死産児数 (85日以上).
    #[serde(default)]
    pub stillbirths: u32,
    /// The birth was at a facility in the 産科医療補償制度 (the addition applies from 22週).
    pub obstetric_compensation_facility: bool,
}

/// 埋葬料・埋葬費 (100条): the claim's items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BurialDetails {
    /// 死亡年月日 of the insured.
    pub date_of_death: Date,
    /// 埋葬年月日.
    #[serde(default)]
    pub burial_date: Option<Date>,
    /// 埋葬料 (`{"kind": "burial_allowance"}`, by a person the deceased supported) or 埋葬費
    /// (`{"kind": "burial_expenses", "actual_cost": 380000}`, the actual cost up to the amount).
    pub burial: BurialClaim,
    /// 105条: the deceased was receiving 資格喪失後の継続給付 (104条) on the date of death.
    #[serde(default)]
    pub receiving_continued_benefit: bool,
    /// 105条: the last day of that continued benefit, when it had ended.
    #[serde(default)]
    pub continued_benefit_last_day: Option<Date>,
}

/// 家族埋葬料 (113条): the claim's items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FamilyBurialDetails {
    /// 死亡年月日 of the dependent.
    pub date_of_death: Date,
    /// 埋葬年月日.
    #[serde(default)]
    pub burial_date: Option<Date>,
}

/// 高額介護合算療養費 (115条の2): the claim's items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HighCostCombinedDetails {
    /// 給付年度, named by the year it starts on 8/1 (2025 = 2025-08-01 … 2026-07-31).
    pub benefit_year: i32,
    /// 所得区分 on the 基準日 (7/31).
    pub income_category: IncomeCategory,
    /// 医療保険 自己負担額合計 of the 世帯 in the year.
    pub medical_out_of_pocket: Yen,
    /// 介護保険 自己負担額合計 (自己負担額証明書).
    pub care_out_of_pocket: Yen,
}

/// The claim's items, by kind (the `details` object of `POST /claims`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(untagged)]
pub enum ClaimDetails {
    SicknessAllowance(SicknessAllowanceDetails),
    MaternityAllowance(MaternityAllowanceDetails),
    /// Also for 家族出産育児一時金.
    Childbirth(ChildbirthDetails),
    Burial(BurialDetails),
    FamilyBurial(FamilyBurialDetails),
    HighCostCombined(HighCostCombinedDetails),
}

fn typed<T: DeserializeOwned>(
    kind: BenefitKind,
    details: &serde_json::Map<String, serde_json::Value>,
) -> Result<T, ApiError> {
    serde_json::from_value(serde_json::Value::Object(details.clone())).map_err(|e| {
        ApiError::invalid("invalid_details", format!("details of a {kind} claim: {e}"))
    })
}

fn invalid(detail: impl Into<String>) -> ApiError {
    ApiError::invalid("invalid_details", detail)
}

impl ClaimDetails {
    /// Parse the `details` of a claim of `kind`; unknown or missing items are 422
    /// `invalid_details`.
    pub fn parse(
        kind: BenefitKind,
        details: &serde_json::Map<String, serde_json::Value>,
    ) -> Result<Self, ApiError> {
        Ok(match kind {
            BenefitKind::SicknessAllowance => Self::SicknessAllowance(typed(kind, details)?),
            BenefitKind::MaternityAllowance => Self::MaternityAllowance(typed(kind, details)?),
            BenefitKind::ChildbirthLumpSum | BenefitKind::FamilyChildbirthLumpSum => {
                Self::Childbirth(typed(kind, details)?)
            }
            BenefitKind::Burial => Self::Burial(typed(kind, details)?),
            BenefitKind::FamilyBurial => Self::FamilyBurial(typed(kind, details)?),
            BenefitKind::HighCostCombined => Self::HighCostCombined(typed(kind, details)?),
        })
    }

    /// Parse and check the items of a claim being received: contradictions that no fact can
    /// mend (days outside the period, a burial before the death, no child …) are refused now.
    pub fn of_receipt(receipt: &ClaimReceipt) -> Result<Self, ApiError> {
        let details = Self::parse(receipt.kind, &receipt.details)?;
        details.check(receipt.period.as_ref(), receipt.received_on)?;
        Ok(details)
    }

    fn check(&self, period: Option<&ClaimPeriod>, received_on: Date) -> Result<(), ApiError> {
        let within = |what: &str, day: Date| -> Result<(), ApiError> {
            match period {
                Some(p) if !p.contains(day) => Err(invalid(format!(
                    "{what} {day} lies outside the period claimed {}..{}",
                    p.from, p.to
                ))),
                _ => Ok(()),
            }
        };
        let not_after_receipt = |what: &str, day: Date| -> Result<(), ApiError> {
            if day > received_on {
                return Err(invalid(format!(
                    "{what} {day} is after the claim was received ({received_on})"
                )));
            }
            Ok(())
        };
        match self {
            Self::SicknessAllowance(d) => {
                for day in &d.days_worked {
                    within("day worked", *day)?;
                }
                for paid in &d.maternity_allowance_paid {
                    within("出産手当金 paid for", paid.date)?;
                    if paid.amount.is_negative() {
                        return Err(invalid("maternity_allowance_paid: negative amount"));
                    }
                }
                if let Some(p) = period {
                    if d.sickness_began_on > p.to {
                        return Err(invalid(format!(
                            "sickness_began_on {} is after the last day claimed {}",
                            d.sickness_began_on, p.to
                        )));
                    }
                }
                if d.earlier_payments.is_some() && d.waiting_period_completed_on.is_none() {
                    return Err(invalid(
                        "earlier_payments needs waiting_period_completed_on (the 待期 was completed in the earlier claim)",
                    ));
                }
                if let Some(p) = period {
                    let claimed = DatePeriod {
                        from: p.from,
                        to: p.to,
                    };
                    adjustments::validate(&d.pensions, &d.workers_compensation, claimed).map_err(
                        |e| match e {
                            BenefitCalcError::InvalidInput { detail } => invalid(detail),
                            other => invalid(other.to_string()),
                        },
                    )?;
                }
            }
            Self::MaternityAllowance(d) => {
                for day in &d.days_worked {
                    within("day worked", *day)?;
                }
                if let Some(birth) = d.birth_date {
                    not_after_receipt("birth_date", birth)?;
                }
            }
            Self::Childbirth(d) => {
                if d.gestation.days > 6 {
                    return Err(invalid("gestation.days must be 0 to 6"));
                }
                if d.live_births.saturating_add(d.stillbirths) == 0 {
                    return Err(invalid("no child: live_births + stillbirths is 0"));
                }
                not_after_receipt("birth_date", d.birth_date)?;
            }
            Self::Burial(d) => {
                not_after_receipt("date_of_death", d.date_of_death)?;
                check_burial_date(d.date_of_death, d.burial_date)?;
                if let Some(last) = d.continued_benefit_last_day {
                    if last > d.date_of_death {
                        return Err(invalid(format!(
                            "continued_benefit_last_day {last} is after date_of_death {}",
                            d.date_of_death
                        )));
                    }
                    if d.receiving_continued_benefit && last < d.date_of_death {
                        return Err(invalid(format!(
                            "receiving_continued_benefit on {} contradicts continued_benefit_last_day {last}: give one or the other",
                            d.date_of_death
                        )));
                    }
                }
                if let BurialClaim::BurialExpenses { actual_cost } = d.burial {
                    if actual_cost.is_negative() {
                        return Err(invalid("burial.actual_cost must not be negative"));
                    }
                }
                if d.burial == BurialClaim::FamilyBurialAllowance {
                    return Err(invalid(
                        "a burial claim is 埋葬料 (burial_allowance) or 埋葬費 (burial_expenses); 家族埋葬料 is the family_burial kind",
                    ));
                }
            }
            Self::FamilyBurial(d) => {
                not_after_receipt("date_of_death", d.date_of_death)?;
                check_burial_date(d.date_of_death, d.burial_date)?;
            }
            Self::HighCostCombined(d) => {
                if d.medical_out_of_pocket.is_negative() || d.care_out_of_pocket.is_negative() {
                    return Err(invalid("自己負担 totals must not be negative"));
                }
                if !(2008..=2100).contains(&d.benefit_year) {
                    return Err(invalid("benefit_year must be 2008 to 2100"));
                }
                let base_date = Date::from_ymd(d.benefit_year.saturating_add(1), 7, 31)
                    .ok_or_else(|| invalid("benefit_year out of range"))?;
                if base_date > received_on {
                    return Err(invalid(format!(
                        "the 給付年度 {} ends on {base_date}: it can be claimed after that day",
                        d.benefit_year
                    )));
                }
            }
        }
        Ok(())
    }

    /// 104条: the claim's statement about the last day insured (傷病手当金・出産手当金).
    pub fn at_loss(&self) -> Option<StatusAtLoss> {
        match self {
            Self::SicknessAllowance(d) => d.at_loss,
            Self::MaternityAllowance(d) => d.at_loss,
            _ => None,
        }
    }

    /// The days worked the claim certifies (傷病手当金・出産手当金); none for other kinds.
    pub fn days_worked(&self) -> Option<&[Date]> {
        match self {
            Self::SicknessAllowance(d) => Some(&d.days_worked),
            Self::MaternityAllowance(d) => Some(&d.days_worked),
            _ => None,
        }
    }

    /// The day whose 適用 facts decide entitlement: 発病日, 出産日, 死亡日, 基準日, or the first
    /// day claimed.
    pub fn relevant_date(&self, period: Option<&ClaimPeriod>, received_on: Date) -> Date {
        match self {
            Self::SicknessAllowance(d) => d.sickness_began_on,
            Self::MaternityAllowance(d) => period.map_or(d.expected_birth_date, |p| p.from),
            Self::Childbirth(d) => d.birth_date,
            Self::Burial(d) => d.date_of_death,
            Self::FamilyBurial(d) => d.date_of_death,
            Self::HighCostCombined(d) => {
                Date::from_ymd(d.benefit_year.saturating_add(1), 7, 31).unwrap_or(received_on)
            }
        }
    }
}

fn check_burial_date(death: Date, burial: Option<Date>) -> Result<(), ApiError> {
    match burial {
        Some(b) if b < death => Err(invalid(format!(
            "burial_date {b} is before date_of_death {death}"
        ))),
        _ => Ok(()),
    }
}
