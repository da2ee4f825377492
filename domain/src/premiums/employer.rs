//! The employer's 納入告知額 for the ordinary (強制) insured of one 事業所 in one month
//! (健保法156条, 159条, 159条の3, 161条, 162条; rules.md §3.1, §3.3, §3.6).
//!
//! Per person (rules.md §3.1): `full = 標準報酬月額 × rate` and, for a 賞与 paid in the month,
//! `標準賞与額 × rate`, with the rate of [`super::rates`] (介護 for a 第2号, 支援金 from
//! 2026-04). Nothing for the month of loss when insured since the previous month (156条3項);
//! nothing while exempt for 産前産後休業 / 育児休業 (§3.6, [`leave_exemption`]).
//!
//! Shares and rounding (rules.md §3.3):
//! - The insured's share = Σ over the rate components of `full_c × (1 − employer ratio_c)`
//!   (労使折半 = ½ unless the society's 規約 raises the employer's share, 162条), rounded
//!   **once per deduction** (monthly and bonus separately): 50銭以下切捨て・50銭超切上げ when
//!   deducted from wages, 50銭未満切捨て・50銭以上切上げ when paid in cash.
//! - The 納入告知額 = Σ over the 事業所 of the unrounded full amounts (monthly and bonus),
//!   1円未満切捨て **once on the total**; the employer's share = 告知額 − Σ insured shares.
//!
//! Decisions:
//! - **[U]** The insured's share is rounded as one amount (一般 + 調整 + 介護 + 支援金); rules.md
//!   does not say whether the 子ども・子育て支援金 deduction is rounded separately.
//! - 調整保険料 is shared like the 一般保険料.
//! - The monthly and bonus premiums of the month are one 告知 total, floored once.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::error::PremiumCalculationError as E;
use super::parameters::{record, Parameter};
use super::rates::{applicable_rate, ApplicableRate, RateParameters};
use super::rounding;
use super::voluntary::{month_charge, MonthCharge};
use crate::basis::{Basis, ParameterRef, Rounding, Step};
use crate::calendar::{Date, YearMonth};
use crate::money::Yen;
use crate::qualification::LeaveKind;
use crate::standard_remuneration::{grade_for, ANNUAL_STANDARD_BONUS_CAP};

/// The 14-day and 1-month rules of 159条 apply to 育児休業等 starting on or after 2022-10-01
/// (rules.md §0, §3.6; S16).
pub const CHILDCARE_RULES_2022_FROM: Date = Date::fixed(2022, 10, 1);

/// 育児休業 days in one month that exempt it when the leave starts and ends in it (159条1項2号).
pub const SAME_MONTH_LEAVE_DAYS: u32 = 14;

/// ½ (労使折半, 161条1項).
pub const HALF: Decimal = Decimal::from_parts(5, 0, 0, false, 1);

const SOURCE_EXEMPTION: &str = "健保法159条, 159条の3, 施行規則135条; rules.md §3.6";
const SOURCE_FULL: &str = "健保法156条1項 (標準報酬月額・標準賞与額 × 保険料率); rules.md §3.1";
const SOURCE_SHARE: &str =
    "健保法161条1項 (折半), 162条 (規約による事業主負担の増加); rules.md §3.2, §3.3";

/// A 産前産後休業 or 育児休業等 period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeavePeriod {
    pub kind: LeaveKind,
    /// 開始日.
    pub started_on: Date,
    /// 終了日 (actual, or planned until the actual is known).
    pub ended_on: Date,
    /// Days worked during 出生時育児休業, excluded from the 14-day count (施行規則135条4項).
    #[serde(default)]
    pub excluded_work_days: u32,
}

/// Which premiums of a month a leave exempts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Exemption {
    /// The 標準報酬月額 premium.
    pub monthly: bool,
    /// The 標準賞与額 premium.
    pub bonus: bool,
}

/// The last day of a period of one month starting on `start` (民法143条: the day before the
/// 応当日, or the last day of the month when there is none).
fn one_month_end(start: Date) -> Date {
    let target = start.year_month().add_months(1);
    match Date::from_ymd(target.year(), target.month(), start.day()) {
        Some(day) => day.previous_day(),
        None => target.last_day(),
    }
}

/// Merges leaves of the same kind with no day between them (159条2項, 施行規則135条5項).
fn merged(leaves: &[LeavePeriod]) -> Vec<LeavePeriod> {
    let mut sorted: Vec<LeavePeriod> = leaves.to_vec();
    sorted.sort_by_key(|l| (l.kind == LeaveKind::Childcare, l.started_on));
    let mut out: Vec<LeavePeriod> = Vec::new();
    for leave in sorted {
        match out.last_mut() {
            Some(last)
                if last.kind == leave.kind && leave.started_on <= last.ended_on.next_day() =>
            {
                last.ended_on = last.ended_on.max(leave.ended_on);
                last.excluded_work_days += leave.excluded_work_days;
            }
            _ => out.push(leave),
        }
    }
    out
}

/// The exemption for `month` from the leaves (rules.md §3.6):
/// - 産休 (159条の3): the months from the start month to the month before the month containing
///   the day after the end; bonuses in those months too.
/// - 育休 (159条), started from 2022-10-01: the same months for the monthly premium; also the
///   start month when the leave starts and ends (day after the end) in it with ≥ 14 leave days
///   (出生時育休 work days excluded). The bonus premium only when the leave exceeds one month.
/// - 育休 started before 2022-10-01: the months from the start month to the month before the
///   month containing the day after the end, bonuses included; no 14-day rule.
pub fn leave_exemption(month: YearMonth, leaves: &[LeavePeriod]) -> Exemption {
    let mut exemption = Exemption::default();
    for leave in merged(leaves) {
        let start = leave.started_on.year_month();
        let resume = leave.ended_on.next_day().year_month();
        let spans = start <= month && month < resume;
        match leave.kind {
            LeaveKind::Maternity => {
                if spans {
                    exemption.monthly = true;
                    exemption.bonus = true;
                }
            }
            LeaveKind::Childcare => {
                if leave.started_on < CHILDCARE_RULES_2022_FROM {
                    if spans {
                        exemption.monthly = true;
                        exemption.bonus = true;
                    }
                    continue;
                }
                let days = (leave.ended_on.naive() - leave.started_on.naive()).num_days() + 1;
                let leave_days = (days.max(0) as u32).saturating_sub(leave.excluded_work_days);
                let same_month = start == resume && month == start;
                if spans || (same_month && leave_days >= SAME_MONTH_LEAVE_DAYS) {
                    exemption.monthly = true;
                }
                if spans && leave.ended_on > one_month_end(leave.started_on) {
                    exemption.bonus = true;
                }
            }
        }
    }
    exemption
}

/// How the insured pays the share (rules.md §3.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShareCollection {
    /// Deducted from wages / bonus: 50銭以下切捨て.
    #[default]
    WageDeduction,
    /// Paid in cash to the employer: 50銭未満切捨て.
    Cash,
}

/// One insured person of the 事業所 for the month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InsuredMonth {
    pub person_id: Uuid,
    pub birth_date: Date,
    #[serde(default)]
    pub long_term_care_exempt: bool,
    /// 資格取得日.
    pub acquired_on: Date,
    /// 資格喪失日, if any.
    pub lost_on: Option<Date>,
    /// 標準報酬月額 in force in the month (a grade amount).
    pub standard_remuneration: Yen,
    /// 標準賞与額 of a 賞与 paid in the month (45条: 1,000円未満切捨て, 年度 cap applied).
    pub standard_bonus: Option<Yen>,
    #[serde(default)]
    pub leaves: Vec<LeavePeriod>,
    #[serde(default)]
    pub collection: ShareCollection,
}

/// The employer's share ratios (事業主負担割合) by component; `None` = ½ (161条1項). A 健保組合
/// may raise them by 規約 (162条); they cannot be below ½. The registry has one key,
/// `employer_share` ([`crate::parameters::ParameterKey::EmployerShare`]); the application
/// passes it as `general` and, if the 規約 says so, as `long_term_care`. **[U]** Whether a
/// 規約 can shift the 子ども・子育て支援金 is not in rules.md: leave `child_support` `None` (½).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct EmployerShares {
    /// For 一般 + 調整. Key `employer_share`.
    pub general: Option<Parameter<Decimal>>,
    /// For 介護. Key `employer_share` when the 規約 covers 介護.
    pub long_term_care: Option<Parameter<Decimal>>,
    /// For the 子ども・子育て支援金.
    pub child_support: Option<Parameter<Decimal>>,
}

/// Input of [`employer_notice`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmployerNoticeInput {
    /// 事業所 (記号 or code).
    pub office: String,
    pub month: YearMonth,
    pub rates: RateParameters,
    #[serde(default)]
    pub shares: EmployerShares,
    pub insured: Vec<InsuredMonth>,
}

/// One person's line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InsuredPremiumLine {
    pub person_id: Uuid,
    pub charge: MonthCharge,
    pub exemption: Exemption,
    pub rate: ApplicableRate,
    /// 標準報酬月額 × rate (0 when not charged or exempt).
    pub monthly_full: Decimal,
    /// 標準賞与額 × rate (0 when none, not charged or exempt).
    pub bonus_full: Decimal,
    /// The insured's monthly deduction.
    pub insured_monthly: Yen,
    /// The insured's bonus deduction.
    pub insured_bonus: Yen,
}

/// The result of [`employer_notice`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmployerNotice {
    pub office: String,
    pub month: YearMonth,
    pub lines: Vec<InsuredPremiumLine>,
    /// Σ full amounts, unrounded.
    pub full_total: Decimal,
    /// 納入告知額.
    pub notice_amount: Yen,
    /// Σ insured deductions.
    pub insured_total: Yen,
    /// 事業主負担分 = 告知額 − Σ insured deductions.
    pub employer_total: Yen,
    pub basis: Basis,
}

fn ratio(
    parameter: &Option<Parameter<Decimal>>,
    month: YearMonth,
    used: &mut Vec<ParameterRef>,
) -> Result<Decimal, E> {
    let Some(p) = parameter else {
        return Ok(HALF);
    };
    let value = p.value_for(month)?;
    if value < HALF || value > Decimal::ONE {
        return Err(E::RateOutOfRange {
            key: p.reference.key.clone(),
            value,
            requirement: "½ ≤ 事業主負担割合 ≤ 1 (161条1項, 162条)",
        });
    }
    record(used, &p.reference);
    Ok(value)
}

struct Ratios {
    general: Decimal,
    long_term_care: Decimal,
    child_support: Decimal,
}

/// The insured's part of `base × rate`, unrounded.
fn insured_part(base: Decimal, rate: &ApplicableRate, ratios: &Ratios) -> Decimal {
    base * (rate.general() + rate.adjustment) * (Decimal::ONE - ratios.general)
        + base * rate.long_term_care * (Decimal::ONE - ratios.long_term_care)
        + base * rate.child_support * (Decimal::ONE - ratios.child_support)
}

fn round_share(amount: Decimal, collection: ShareCollection) -> (Yen, Rounding) {
    match collection {
        ShareCollection::WageDeduction => {
            (rounding::fifty_sen_down(amount), Rounding::FiftySenDown)
        }
        ShareCollection::Cash => (rounding::fifty_sen_up(amount), Rounding::HalfUpYen),
    }
}

/// The 納入告知額 of `input.office` for `input.month` (module doc).
pub fn employer_notice(input: &EmployerNoticeInput) -> Result<EmployerNotice, E> {
    let month = input.month;
    let mut used = Vec::new();
    let ratios = Ratios {
        general: ratio(&input.shares.general, month, &mut used)?,
        long_term_care: ratio(&input.shares.long_term_care, month, &mut used)?,
        child_support: ratio(&input.shares.child_support, month, &mut used)?,
    };
    let mut steps = Vec::new();
    let mut lines = Vec::with_capacity(input.insured.len());
    let mut seen = std::collections::HashSet::new();
    for person in &input.insured {
        if !seen.insert(person.person_id) {
            return Err(E::DuplicateInsured {
                person_id: person.person_id,
            });
        }
        let line = person_line(person, month, &input.rates, &ratios, &mut used, &mut steps)?;
        lines.push(line);
    }
    let full_total: Decimal = lines.iter().map(|l| l.monthly_full + l.bonus_full).sum();
    let notice_amount = rounding::employer_total(full_total);
    let insured_total: Yen = lines
        .iter()
        .map(|l| l.insured_monthly + l.insured_bonus)
        .sum();
    let employer_total = notice_amount - insured_total;
    steps.push(Step::new(
        "納入告知額",
        format!("Σ 全額 {} 人分", lines.len()),
        full_total,
        rounding::EMPLOYER_TOTAL_ROUNDING,
        Decimal::from(notice_amount.amount()),
        rounding::EMPLOYER_TOTAL_SOURCE,
    ));
    steps.push(Step::new(
        "事業主負担分",
        format!(
            "告知額 {} − 被保険者負担分の合計 {}",
            notice_amount.amount(),
            insured_total.amount()
        ),
        Decimal::from(employer_total.amount()),
        Rounding::None,
        Decimal::from(employer_total.amount()),
        "rules.md §3.3",
    ));
    let basis = Basis {
        inputs: serde_json::to_value(input).unwrap_or(serde_json::Value::Null),
        parameters: used,
        steps,
        result_yen: notice_amount.amount(),
    };
    Ok(EmployerNotice {
        office: input.office.clone(),
        month,
        lines,
        full_total,
        notice_amount,
        insured_total,
        employer_total,
        basis,
    })
}

fn person_line(
    person: &InsuredMonth,
    month: YearMonth,
    rates: &RateParameters,
    ratios: &Ratios,
    used: &mut Vec<ParameterRef>,
    steps: &mut Vec<Step>,
) -> Result<InsuredPremiumLine, E> {
    let id = person.person_id;
    if grade_for(person.standard_remuneration).amount != person.standard_remuneration {
        return Err(E::NotAGradeAmount {
            field: "standard_remuneration",
            amount: person.standard_remuneration,
        });
    }
    if let Some(bonus) = person.standard_bonus {
        if bonus.is_negative()
            || bonus > ANNUAL_STANDARD_BONUS_CAP
            || bonus.floor_to(1_000) != bonus
        {
            return Err(E::AmountOutOfRange {
                field: "standard_bonus",
                requirement: "a multiple of 1,000 from 0 to 5,730,000 (45条)",
                amount: bonus,
            });
        }
    }
    for leave in &person.leaves {
        if leave.ended_on < leave.started_on {
            return Err(E::LeaveEndsBeforeStart {
                started_on: leave.started_on,
                ended_on: leave.ended_on,
            });
        }
    }
    let charge = month_charge(month, person.acquired_on, person.lost_on)?;
    let rate = applicable_rate(
        month,
        person.birth_date,
        person.long_term_care_exempt,
        rates,
    )?;
    for reference in &rate.parameters {
        record(used, reference);
    }
    let exemption = leave_exemption(month, &person.leaves);
    let charged = charge == MonthCharge::Charged;
    if !charged {
        steps.push(Step::new(
            &format!("{id} 資格喪失月"),
            "前月から引き続き被保険者: 喪失月分は算定しない (賞与分も)",
            Decimal::ZERO,
            Rounding::None,
            Decimal::ZERO,
            "健保法156条3項; rules.md §3.1",
        ));
    }
    if charged && (exemption.monthly || exemption.bonus) {
        steps.push(Step::new(
            &format!("{id} 産休・育休免除"),
            format!("月額 {}, 賞与 {}", exemption.monthly, exemption.bonus),
            Decimal::ZERO,
            Rounding::None,
            Decimal::ZERO,
            SOURCE_EXEMPTION,
        ));
    }
    let mut part = |label: &str, base: Yen, applies: bool| -> (Decimal, Yen) {
        if !applies {
            return (Decimal::ZERO, Yen::ZERO);
        }
        let base = Decimal::from(base.amount());
        let full = base * rate.total();
        let insured = insured_part(base, &rate, ratios);
        let (share, rounding) = round_share(insured, person.collection);
        steps.push(Step::new(
            &format!("{id} {label} 全額"),
            format!("{} × {}", base.normalize(), rate.total().normalize()),
            full,
            Rounding::None,
            full,
            SOURCE_FULL,
        ));
        steps.push(Step::new(
            &format!("{id} {label} 被保険者負担分"),
            "Σ 成分 × (1 − 事業主負担割合)",
            insured,
            rounding,
            Decimal::from(share.amount()),
            &format!("{SOURCE_SHARE}; {}", rounding::FIFTY_SEN_SOURCE),
        ));
        (full, share)
    };
    let (monthly_full, insured_monthly) = part(
        "標準報酬月額",
        person.standard_remuneration,
        charged && !exemption.monthly,
    );
    let bonus = person.standard_bonus.unwrap_or(Yen::ZERO);
    let (bonus_full, insured_bonus) = part(
        "標準賞与額",
        bonus,
        charged && !exemption.bonus && bonus > Yen::ZERO,
    );
    Ok(InsuredPremiumLine {
        person_id: id,
        charge,
        exemption,
        rate,
        monthly_full,
        bonus_full,
        insured_monthly,
        insured_bonus,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::premiums::rates::tests::{d, dec, rate, society_rates, ym};

    fn leave(kind: LeaveKind, from: &str, to: &str) -> LeavePeriod {
        LeavePeriod {
            kind,
            started_on: d(from),
            ended_on: d(to),
            excluded_work_days: 0,
        }
    }

    fn childcare(from: &str, to: &str) -> LeavePeriod {
        leave(LeaveKind::Childcare, from, to)
    }

    fn maternity(from: &str, to: &str) -> LeavePeriod {
        leave(LeaveKind::Maternity, from, to)
    }

    const NONE: Exemption = Exemption {
        monthly: false,
        bonus: false,
    };
    const MONTHLY: Exemption = Exemption {
        monthly: true,
        bonus: false,
    };
    const BOTH: Exemption = Exemption {
        monthly: true,
        bonus: true,
    };

    #[test]
    fn childcare_examples_of_rules_md() {
        // rules.md §3.6 derived examples.
        // 育休 3/1–3/31: day after = 4/1, another month → March exempt. One month from 3/1
        // ends 3/31, so the leave does not exceed one month → bonus not exempt.
        let l = [childcare("2026-03-01", "2026-03-31")];
        assert_eq!(leave_exemption(ym("2026-03"), &l), MONTHLY);
        assert_eq!(leave_exemption(ym("2026-04"), &l), NONE);
        // 育休 3/10–3/25: 16 days ≥ 14 in the same month → March exempt (monthly only).
        let l = [childcare("2026-03-10", "2026-03-25")];
        assert_eq!(leave_exemption(ym("2026-03"), &l), MONTHLY);
        // 育休 3/10–3/20: 11 days → nothing.
        let l = [childcare("2026-03-10", "2026-03-20")];
        assert_eq!(leave_exemption(ym("2026-03"), &l), NONE);
        // 14 days exactly (3/10–3/23) → exempt; 13 (3/10–3/22) → not.
        assert_eq!(
            leave_exemption(ym("2026-03"), &[childcare("2026-03-10", "2026-03-23")]),
            MONTHLY
        );
        assert_eq!(
            leave_exemption(ym("2026-03"), &[childcare("2026-03-10", "2026-03-22")]),
            NONE
        );
    }

    #[test]
    fn childcare_month_end_and_one_month_rules() {
        // 3/31–4/1 (2 days): start March, day after 4/2 in April → March exempt; ≤ 1 month →
        // bonus not exempt (the 2022-10 rule).
        let l = [childcare("2026-03-31", "2026-04-01")];
        assert_eq!(leave_exemption(ym("2026-03"), &l), MONTHLY);
        assert_eq!(leave_exemption(ym("2026-04"), &l), NONE);
        // 3/10–4/10: one month from 3/10 ends 4/9; 4/10 > 4/9 → exceeds → March bonus exempt
        // too. April: day after 4/11 is in April → not exempt.
        let l = [childcare("2026-03-10", "2026-04-10")];
        assert_eq!(leave_exemption(ym("2026-03"), &l), BOTH);
        assert_eq!(leave_exemption(ym("2026-04"), &l), NONE);
        // 3/10–4/9: exactly one month → bonus not exempt.
        let l = [childcare("2026-03-10", "2026-04-09")];
        assert_eq!(leave_exemption(ym("2026-03"), &l), MONTHLY);
        // 1/31 start: no 2/31, so one month ends 2/28 (民法143条2項). 1/31–2/28 does not
        // exceed; both January and February are exempt (day after = 3/1).
        let l = [childcare("2027-01-31", "2027-02-28")];
        assert_eq!(leave_exemption(ym("2027-01"), &l), MONTHLY);
        assert_eq!(leave_exemption(ym("2027-02"), &l), MONTHLY);
        let l = [childcare("2027-01-31", "2027-03-01")];
        assert_eq!(leave_exemption(ym("2027-02"), &l), BOTH);
    }

    #[test]
    fn consecutive_leaves_count_as_one_and_work_days_are_excluded() {
        // 3/10–3/16 (7 days) + 3/17–3/25 (9 days), no day between → one leave of 16 days
        // (159条2項) → March exempt.
        let l = [
            childcare("2026-03-10", "2026-03-16"),
            childcare("2026-03-17", "2026-03-25"),
        ];
        assert_eq!(leave_exemption(ym("2026-03"), &l), MONTHLY);
        // A gap day (3/17) → two leaves of 7 and 8 days → nothing.
        let l = [
            childcare("2026-03-10", "2026-03-16"),
            childcare("2026-03-18", "2026-03-25"),
        ];
        assert_eq!(leave_exemption(ym("2026-03"), &l), NONE);
        // 16 days with 3 出生時育休 work days → 13 < 14 (施行規則135条4項) → nothing.
        let l = [LeavePeriod {
            excluded_work_days: 3,
            ..childcare("2026-03-10", "2026-03-25")
        }];
        assert_eq!(leave_exemption(ym("2026-03"), &l), NONE);
    }

    #[test]
    fn childcare_before_october_2022_follows_the_old_rule() {
        // Started 2022-09-01, ended 2022-09-20 (20 days): old rule, day after 9/21 in the
        // same month → nothing (no 14-day rule before 2022-10-01).
        assert_eq!(
            leave_exemption(ym("2022-09"), &[childcare("2022-09-01", "2022-09-20")]),
            NONE
        );
        // The same in October 2022: 20 days ≥ 14 → exempt.
        assert_eq!(
            leave_exemption(ym("2022-10"), &[childcare("2022-10-01", "2022-10-20")]),
            MONTHLY
        );
        // Old rule, 9/15–9/30: day after 10/1 → September exempt, bonus included (no
        // one-month condition). New rule, 10/15–10/31: October exempt, bonus not.
        assert_eq!(
            leave_exemption(ym("2022-09"), &[childcare("2022-09-15", "2022-09-30")]),
            BOTH
        );
        assert_eq!(
            leave_exemption(ym("2022-10"), &[childcare("2022-10-15", "2022-10-31")]),
            MONTHLY
        );
    }

    #[test]
    fn maternity_leave_months() {
        // 産休 2026-02-10–2026-05-15: day after 5/16 → May; exempt Feb, Mar, Apr, bonuses
        // too (159条の3).
        let l = [maternity("2026-02-10", "2026-05-15")];
        assert_eq!(leave_exemption(ym("2026-01"), &l), NONE);
        assert_eq!(leave_exemption(ym("2026-02"), &l), BOTH);
        assert_eq!(leave_exemption(ym("2026-04"), &l), BOTH);
        assert_eq!(leave_exemption(ym("2026-05"), &l), NONE);
        // Starting and ending mid-month in one month → nothing (no day-count rule).
        assert_eq!(
            leave_exemption(ym("2026-03"), &[maternity("2026-03-05", "2026-03-28")]),
            NONE
        );
    }

    fn person(id: u128, birth: &str, standard: i64) -> InsuredMonth {
        InsuredMonth {
            person_id: Uuid::from_u128(id),
            birth_date: d(birth),
            long_term_care_exempt: false,
            acquired_on: d("2020-04-01"),
            lost_on: None,
            standard_remuneration: Yen::new(standard),
            standard_bonus: None,
            leaves: vec![],
            collection: ShareCollection::WageDeduction,
        }
    }

    /// 2026-03 rates: 基本 0.050 + 特定 0.0421 = 一般 0.0921, no 調整, 介護 0.0160, no 支援金.
    fn march_rates() -> RateParameters {
        RateParameters {
            general: rate("general_premium_rate", "2025-04-01", "0.0921"),
            specific: rate("specific_premium_rate", "2025-04-01", "0.0421"),
            adjustment: None,
            long_term_care: Some(rate("care_premium_rate", "2025-04-01", "0.0160")),
            child_support: None,
        }
    }

    #[test]
    fn notice_with_fifty_sen_boundaries_bonus_and_cash() {
        // P1 110,000, 36 y: full 110,000 × 0.0921 = 10,131; half 5,065.50 → wage: 5,065.
        // P2 118,000, 45 y (介護): full 118,000 × 0.1081 = 12,755.8; half 6,377.9 → 6,378.
        // P3 110,000, cash: half 5,065.50 → cash rule ≥ 0.50 up → 5,066.
        // P4 200,000 + 標準賞与額 333,000: monthly 18,420 → 9,210; bonus 333,000 × 0.0921 =
        //    30,669.3; half 15,334.65 → 15,335.
        // Σ full = 10,131 + 12,755.8 + 10,131 + 18,420 + 30,669.3 = 82,107.1 → 告知額 82,107.
        // Σ insured = 5,065 + 6,378 + 5,066 + 9,210 + 15,335 = 41,054; employer 41,053.
        let input = EmployerNoticeInput {
            office: "1234".into(),
            month: ym("2026-03"),
            rates: march_rates(),
            shares: EmployerShares::default(),
            insured: vec![
                person(1, "1990-01-10", 110_000),
                person(2, "1980-05-20", 118_000),
                InsuredMonth {
                    collection: ShareCollection::Cash,
                    ..person(3, "1990-01-10", 110_000)
                },
                InsuredMonth {
                    standard_bonus: Some(Yen::new(333_000)),
                    ..person(4, "1990-01-10", 200_000)
                },
            ],
        };
        let n = employer_notice(&input).expect("notice");
        let shares: Vec<(i64, i64)> = n
            .lines
            .iter()
            .map(|l| (l.insured_monthly.amount(), l.insured_bonus.amount()))
            .collect();
        assert_eq!(
            shares,
            vec![(5_065, 0), (6_378, 0), (5_066, 0), (9_210, 15_335)]
        );
        assert_eq!(n.full_total, dec("82107.1"));
        assert_eq!(n.notice_amount, Yen::new(82_107));
        assert_eq!(n.insured_total, Yen::new(41_054));
        assert_eq!(n.employer_total, Yen::new(41_053));
        assert_eq!(n.basis.result_yen, 82_107);
        // 基本, 特定, 介護.
        assert_eq!(n.basis.parameters.len(), 3);
    }

    #[test]
    fn fifty_one_sen_rounds_up() {
        // 調整 0.00043 → rate 0.0921 + 0.00043 = 0.09253; 134,000 × 0.09253 = 12,399.02;
        // half 6,199.51 > 6,199.50 → 6,200. 告知額 floor(12,399.02) = 12,399; employer 6,199.
        let mut rates = march_rates();
        rates.adjustment = Some(rate("adjustment_premium_rate", "2025-04-01", "0.00043"));
        let n = employer_notice(&EmployerNoticeInput {
            office: "1234".into(),
            month: ym("2026-03"),
            rates,
            shares: EmployerShares::default(),
            insured: vec![person(1, "1990-01-10", 134_000)],
        })
        .expect("notice");
        assert_eq!(n.lines[0].insured_monthly, Yen::new(6_200));
        assert_eq!(n.notice_amount, Yen::new(12_399));
        assert_eq!(n.employer_total, Yen::new(6_199));
    }

    #[test]
    fn march_and_april_2026_with_a_raised_employer_share() {
        // 規約: employer bears 55% of 一般 + 調整 (162条); 介護 and 支援金 half.
        // 300,000, born 1980-06-15 (第2号). Rates of society_rates: 基本 0.050, 特定 0.040,
        // 調整 0.0013, 介護 0.0160, 支援金 0.0023 from 2026-04.
        // 2026-03: full 300,000 × 0.1073 = 32,190; insured 300,000 × 0.0913 × 0.45 =
        //   12,325.5 + 300,000 × 0.0160 × 0.5 = 2,400 → 14,725.5 → 14,725; employer 17,465.
        // 2026-04: full 300,000 × 0.1096 = 32,880; insured 12,325.5 + 2,400 + 300,000 ×
        //   0.0023 × 0.5 = 345 → 15,070.5 → 15,070; employer 17,810.
        let shares = EmployerShares {
            general: Some(rate("employer_share", "2020-04-01", "0.55")),
            ..EmployerShares::default()
        };
        let notice = |month: &str, with_child_support: bool| {
            employer_notice(&EmployerNoticeInput {
                office: "1234".into(),
                month: ym(month),
                rates: society_rates(with_child_support),
                shares: shares.clone(),
                insured: vec![person(1, "1980-06-15", 300_000)],
            })
            .expect("notice")
        };
        let march = notice("2026-03", false);
        assert_eq!(march.notice_amount, Yen::new(32_190));
        assert_eq!(march.insured_total, Yen::new(14_725));
        assert_eq!(march.employer_total, Yen::new(17_465));
        let april = notice("2026-04", true);
        assert_eq!(april.notice_amount, Yen::new(32_880));
        assert_eq!(april.insured_total, Yen::new(15_070));
        assert_eq!(april.employer_total, Yen::new(17_810));
        // A share below ½ is refused.
        let err = employer_notice(&EmployerNoticeInput {
            office: "1234".into(),
            month: ym("2026-04"),
            rates: society_rates(true),
            shares: EmployerShares {
                general: Some(rate("employer_share", "2020-04-01", "0.4")),
                ..EmployerShares::default()
            },
            insured: vec![],
        })
        .expect_err("below half");
        assert_eq!(err.code(), "rate_out_of_range");
    }

    #[test]
    fn month_of_loss_leave_and_bonus_exemption_in_a_notice() {
        // P1 retired 3/30 → lost 3/31 → March not charged, nor its 賞与 (156条3項).
        // P2 retired 3/31 → lost 4/1 → March charged: 110,000 × 0.0921 = 10,131 → 5,065.
        // P3 育休 3/1–3/31 with a March bonus 500,000: monthly exempt; the leave does not
        //    exceed one month → bonus charged: 500,000 × 0.0921 = 46,050 → 23,025.
        // P4 産休 2/10–5/15 with a March bonus: all exempt.
        // 告知額 floor(10,131 + 46,050) = 56,181; insured 28,090; employer 28,091.
        let input = EmployerNoticeInput {
            office: "1234".into(),
            month: ym("2026-03"),
            rates: march_rates(),
            shares: EmployerShares::default(),
            insured: vec![
                InsuredMonth {
                    lost_on: Some(d("2026-03-31")),
                    standard_bonus: Some(Yen::new(300_000)),
                    ..person(1, "1990-01-10", 110_000)
                },
                InsuredMonth {
                    lost_on: Some(d("2026-04-01")),
                    ..person(2, "1990-01-10", 110_000)
                },
                InsuredMonth {
                    standard_bonus: Some(Yen::new(500_000)),
                    leaves: vec![childcare("2026-03-01", "2026-03-31")],
                    ..person(3, "1990-01-10", 110_000)
                },
                InsuredMonth {
                    standard_bonus: Some(Yen::new(500_000)),
                    leaves: vec![maternity("2026-02-10", "2026-05-15")],
                    ..person(4, "1990-01-10", 110_000)
                },
            ],
        };
        let n = employer_notice(&input).expect("notice");
        assert_eq!(n.lines[0].charge, MonthCharge::MonthOfLoss);
        assert_eq!(
            n.lines[0].monthly_full + n.lines[0].bonus_full,
            Decimal::ZERO
        );
        assert_eq!(n.lines[1].insured_monthly, Yen::new(5_065));
        assert_eq!(n.lines[2].exemption, MONTHLY);
        assert_eq!(n.lines[2].insured_bonus, Yen::new(23_025));
        assert_eq!(n.lines[3].exemption, BOTH);
        assert_eq!(n.notice_amount, Yen::new(56_181));
        assert_eq!(n.insured_total, Yen::new(28_090));
        assert_eq!(n.employer_total, Yen::new(28_091));
    }

    #[test]
    fn refuses_bad_lines() {
        let base = EmployerNoticeInput {
            office: "1234".into(),
            month: ym("2026-03"),
            rates: march_rates(),
            shares: EmployerShares::default(),
            insured: vec![
                person(1, "1990-01-10", 110_000),
                person(1, "1990-01-10", 110_000),
            ],
        };
        assert_eq!(
            employer_notice(&base).expect_err("dup").code(),
            "duplicate_insured"
        );
        let one = |p: InsuredMonth| EmployerNoticeInput {
            insured: vec![p],
            ..base.clone()
        };
        let err = employer_notice(&one(person(1, "1990-01-10", 111_000))).expect_err("grade");
        assert_eq!(err.code(), "not_a_grade_amount");
        let err = employer_notice(&one(InsuredMonth {
            standard_bonus: Some(Yen::new(333_500)),
            ..person(1, "1990-01-10", 110_000)
        }))
        .expect_err("bonus");
        assert_eq!(err.code(), "amount_out_of_range");
        let err = employer_notice(&one(InsuredMonth {
            leaves: vec![childcare("2026-03-10", "2026-03-01")],
            ..person(1, "1990-01-10", 110_000)
        }))
        .expect_err("leave");
        assert_eq!(err.code(), "leave_ends_before_start");
        let err = employer_notice(&one(InsuredMonth {
            acquired_on: d("2026-04-01"),
            ..person(1, "1990-01-10", 110_000)
        }))
        .expect_err("outside");
        assert_eq!(err.code(), "month_outside_qualification");
    }
}
