//! 傷病手当金 and other payments for the same days (健保法108条3項–5項, 労災; rules.md §5.1):
//!
//! | payment | rule | rules.md §5.1 |
//! |---|---|---|
//! | 障害厚生年金 (with the 障害基礎年金 of the same 支給事由) for the same sickness | 108条3項: not paid, except the difference when the 年額 ÷ 360 is below the 日額 | "same-cause 障害厚生年金 → difference to annual pension ÷ 360" |
//! | 障害手当金 (lump sum) for the same sickness | 108条4項: nothing until the 傷病手当金 that would be paid from the day it became receivable adds up to it; on that day the excess | "障害手当金 → nothing until cumulative 傷病手当金 reaches it" |
//! | 老齢退職年金給付 | 108条5項: only for a 104条 資格喪失後の継続給付 recipient, for the days after the loss; the difference as for 3項 | "老齢年金 only for post-retirement (continued) recipients" |
//! | 労災 休業補償給付 (daily) | the difference | "労災 休業補償 → difference" |
//!
//! Decisions (rules.md is silent; each is recorded in the step's source):
//! - **Rounding of the pension's daily amount**: 年額 ÷ 360 with **1円未満切捨て**, then the
//!   difference with the 日額 (whole yen) — the rule of 国等の債権債務等の金額の端数計算に関する法律
//!   that rules.md §5.1 applies to 健保 cash benefits, applied to the figure the difference is
//!   taken from. E.g. 1,200,000 ÷ 360 = 3,333.33… → 3,333; 6,667 − 3,333 = 3,334.
//! - **老齢退職年金給付 ÷ 360**: rules.md gives the divisor for the 障害厚生年金 only; the same
//!   ÷ 360 (and rounding) is used for the 老齢退職年金給付 of 108条5項.
//! - **Several on one day**: the 年金等 of the day (障害年金 + 老齢年金 + 労災, each already a
//!   daily amount) are added; against 報酬 / 出産手当金 (108条1項・2項, 103条) the larger of the
//!   two is deducted from the 日額, not their sum (a reading of 108条3項各号 "いずれか多い額",
//!   not transcribed in rules.md [U]). With no 報酬 / 出産手当金 this is the plain difference.
//! - **支給開始日**: fixed by 報酬 / 出産手当金 as before (the first day a 傷病手当金 is due after
//!   108条1項・2項 and 103条): 108条3項–5項 compare the 日額 of that day with the pension, so
//!   they reduce the day's amount but do not move the 支給開始日.
//! - **Days that consume the 通算1年6月**: as for 報酬, a day with an amount paid; a day fully
//!   withheld (pension ≥ 日額, or counted against the 障害手当金) does not.
//! - **障害手当金 across claims**: the claim states what earlier claims already counted against
//!   the lump sum (`counted_in_earlier_claims`, shown in their 算定根拠 as "障害手当金に充当した
//!   累計"); without it the counting starts in this claim. Days over the 通算1年6月 are not counted.
//!   The counted amount is the 傷病手当金 that would be paid after 報酬 / 出産手当金 and the other
//!   pensions.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::common::{dec, div_floor, exact_quotient, plain_step, yen, DatePeriod};
use super::error::BenefitCalcError;
use crate::basis::{Rounding, Step};
use crate::calendar::Date;
use crate::money::Yen;

/// 障害年金の額・老齢退職年金給付の額 ÷ 360 (健保法108条3項; rules.md §5.1).
pub const PENSION_DAYS_PER_YEAR: i128 = 360;

const SOURCE_DISABILITY: &str = "健保法108条3項 (年額 ÷ 360); rules.md §5.1; 1円未満切捨て: decided here after 国等の債権債務等の金額の端数計算に関する法律 (rules.md §5.1)";
const SOURCE_OLD_AGE: &str = "健保法108条5項 (104条の継続給付を受ける者); rules.md §5.1; ÷ 360 and 1円未満切捨て: decided here as for 108条3項";
const SOURCE_OLD_AGE_NOT_APPLIED: &str =
    "健保法108条5項 (104条の継続給付を受ける者に限る); rules.md §5.1";
const SOURCE_LUMP_SUM: &str = "健保法108条4項; rules.md §5.1";
const SOURCE_WORKERS: &str = "労災 休業補償給付 → 差額; rules.md §5.1 [S] S22";
const SOURCE_DAY: &str = "健保法108条3項–5項, 労災 (差額); rules.md §5.1; 報酬等と年金等はいずれか多い額 (108条3項各号, decided here [U])";

/// The kind of a pension or lump sum paid for the claimed days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PensionKind {
    /// 障害厚生年金 for the same sickness, with the 障害基礎年金 of the same 支給事由 (健保法108条3項):
    /// `amount` is the 年額 of both together.
    DisabilityPension,
    /// 障害手当金 (厚生年金保険法) for the same sickness (108条4項): `amount` is the lump sum;
    /// `from` the day it became receivable (支給を受けることとなった日); no `to`.
    DisabilityAllowance,
    /// 老齢退職年金給付 (108条5項): `amount` is the 年額; it counts only for the days of a 104条
    /// 資格喪失後の継続給付.
    OldAgePension,
}

impl PensionKind {
    fn japanese(self) -> &'static str {
        match self {
            Self::DisabilityPension => "障害年金 (障害厚生年金・障害基礎年金)",
            Self::DisabilityAllowance => "障害手当金",
            Self::OldAgePension => "老齢退職年金給付",
        }
    }
}

/// A pension (年額) or the 障害手当金 (lump sum) the insured can receive for days of the claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PensionPayment {
    pub kind: PensionKind,
    /// 年額 (障害年金, 老齢退職年金給付) or the lump sum (障害手当金), in yen; positive.
    pub amount: Yen,
    /// First day it is receivable (受給権 / 支給を受けることとなった日).
    pub from: Date,
    /// Last day it is receivable; none while it continues (always none for 障害手当金).
    #[serde(default)]
    pub to: Option<Date>,
    /// 障害手当金 only: the 傷病手当金 already counted against the lump sum by earlier claims
    /// for this sickness (their 算定根拠 "障害手当金に充当した累計").
    #[serde(default)]
    pub counted_in_earlier_claims: Option<Yen>,
}

/// 労災 休業補償給付 paid for days of the claim, per day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkersCompensationPayment {
    /// 休業補償給付の日額 (休業給付 likewise); positive.
    pub daily_amount: Yen,
    pub from: Date,
    pub to: Date,
}

/// Other payments for the claimed days, as the 傷病手当金 calculation takes them.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OtherPayments {
    #[serde(default)]
    pub pensions: Vec<PensionPayment>,
    #[serde(default)]
    pub workers_compensation: Vec<WorkersCompensationPayment>,
    /// The 資格喪失日 when the claim is paid as the 104条 資格喪失後の継続給付 (the basis's
    /// `inputs.entitlement` rule `continued_benefit`): the 老齢退職年金給付 counts for days from
    /// it. None when the claim rests on 99条 alone.
    #[serde(default)]
    pub continued_benefit_from: Option<Date>,
}

fn invalid(detail: String) -> BenefitCalcError {
    BenefitCalcError::invalid(detail)
}

fn overlaps(a: (Date, Option<Date>), b: (Date, Option<Date>)) -> bool {
    let a_before_b_ends = b.1.is_none_or(|to| a.0 <= to);
    let b_before_a_ends = a.1.is_none_or(|to| b.0 <= to);
    a_before_b_ends && b_before_a_ends
}

/// Checks the other payments of a claim for `claimed`: positive amounts, ordered dates, each
/// pension and 労災 period touching the claimed days, no two of the same kind on one day (give
/// one entry with the total), at most one 障害手当金 (no `to`, from no later than the last day
/// claimed), `counted_in_earlier_claims` only for it and not negative.
pub fn validate(
    pensions: &[PensionPayment],
    workers_compensation: &[WorkersCompensationPayment],
    claimed: DatePeriod,
) -> Result<(), BenefitCalcError> {
    for (i, p) in pensions.iter().enumerate() {
        let what = format!("pensions[{i}] ({})", p.kind.japanese());
        if p.amount <= Yen::ZERO {
            return Err(invalid(format!("{what}: amount must be positive")));
        }
        if let Some(to) = p.to {
            if to < p.from {
                return Err(invalid(format!(
                    "{what}: to {to} is before from {}",
                    p.from
                )));
            }
        }
        if p.from > claimed.to || p.to.is_some_and(|to| to < claimed.from) {
            return Err(invalid(format!(
                "{what}: {}〜{} does not touch the period claimed {}〜{}",
                p.from,
                p.to.map_or_else(String::new, |d| d.to_string()),
                claimed.from,
                claimed.to
            )));
        }
        match p.kind {
            PensionKind::DisabilityAllowance => {
                if p.to.is_some() {
                    return Err(invalid(format!(
                        "{what}: a lump sum has no `to` (108条4項 counts from `from` until it is reached)"
                    )));
                }
                if p.counted_in_earlier_claims.is_some_and(Yen::is_negative) {
                    return Err(invalid(format!(
                        "{what}: counted_in_earlier_claims must not be negative"
                    )));
                }
            }
            PensionKind::DisabilityPension | PensionKind::OldAgePension => {
                if p.counted_in_earlier_claims.is_some() {
                    return Err(invalid(format!(
                        "{what}: counted_in_earlier_claims is for the 障害手当金 (disability_allowance) only"
                    )));
                }
            }
        }
        for (j, q) in pensions.iter().enumerate().skip(i + 1) {
            if q.kind == p.kind
                && (p.kind == PensionKind::DisabilityAllowance
                    || overlaps((p.from, p.to), (q.from, q.to)))
            {
                return Err(invalid(format!(
                    "pensions[{i}] and pensions[{j}]: two {} for the same days; give one entry with the total",
                    p.kind.japanese()
                )));
            }
        }
    }
    for (i, w) in workers_compensation.iter().enumerate() {
        let what = format!("workers_compensation[{i}] (労災 休業補償給付)");
        if w.daily_amount <= Yen::ZERO {
            return Err(invalid(format!("{what}: daily_amount must be positive")));
        }
        if w.to < w.from {
            return Err(invalid(format!(
                "{what}: to {} is before from {}",
                w.to, w.from
            )));
        }
        if w.from > claimed.to || w.to < claimed.from {
            return Err(invalid(format!(
                "{what}: {}〜{} lies outside the period claimed {}〜{}",
                w.from, w.to, claimed.from, claimed.to
            )));
        }
        for (j, v) in workers_compensation.iter().enumerate().skip(i + 1) {
            if overlaps((w.from, Some(w.to)), (v.from, Some(v.to))) {
                return Err(invalid(format!(
                    "workers_compensation[{i}] and [{j}] overlap; give one daily amount per day"
                )));
            }
        }
    }
    Ok(())
}

/// A pension or 労災 amount per day over a period.
#[derive(Debug, Clone, Copy)]
struct DailyOffset {
    from: Date,
    to: Option<Date>,
    amount: Yen,
}

impl DailyOffset {
    fn covers(&self, date: Date) -> bool {
        self.from <= date && self.to.is_none_or(|to| date <= to)
    }
}

/// The 障害手当金 being counted (108条4項).
#[derive(Debug, Clone, Copy)]
struct LumpSum {
    amount: Yen,
    from: Date,
    counted_before: Yen,
    /// 傷病手当金 that would be paid from `from` in this claim (the days counted).
    counted_here: Yen,
    withheld: Yen,
    reached_on: Option<(Date, Yen)>,
}

impl LumpSum {
    fn counted(&self) -> Yen {
        self.counted_before + self.counted_here
    }
}

/// The other payments of one claim, ready to be applied day by day.
#[derive(Debug, Clone)]
pub(crate) struct Adjuster {
    offsets: Vec<DailyOffset>,
    lump_sum: Option<LumpSum>,
}

impl Adjuster {
    /// Validate `other` for `claimed`, work out each pension's daily amount and return the
    /// steps that show them.
    pub(crate) fn new(
        other: &OtherPayments,
        claimed: DatePeriod,
    ) -> Result<(Self, Vec<Step>), BenefitCalcError> {
        validate(&other.pensions, &other.workers_compensation, claimed)?;
        let mut steps = Vec::new();
        let mut offsets = Vec::new();
        let mut lump_sum = None;
        let mut pensions: Vec<&PensionPayment> = other.pensions.iter().collect();
        pensions.sort_by_key(|p| (p.kind, p.from));
        for p in pensions {
            let period = format!(
                "{}〜{}",
                p.from,
                p.to.map_or_else(String::new, |d| d.to_string())
            );
            match p.kind {
                PensionKind::DisabilityPension | PensionKind::OldAgePension => {
                    let from = if p.kind == PensionKind::OldAgePension {
                        match other.continued_benefit_from {
                            Some(lost_on) => p.from.max(lost_on),
                            None => {
                                steps.push(plain_step(
                                    &format!(
                                        "老齢退職年金給付 ({period}): 104条の継続給付ではないため調整しない"
                                    ),
                                    format!("年額 {}", p.amount.amount()),
                                    0,
                                    SOURCE_OLD_AGE_NOT_APPLIED,
                                ));
                                continue;
                            }
                        }
                    } else {
                        p.from
                    };
                    if p.to.is_some_and(|to| to < from) {
                        // an old-age pension that ended before the loss: nothing to adjust
                        steps.push(plain_step(
                            &format!(
                                "老齢退職年金給付 ({period}): 資格喪失日以後の日がないため調整しない"
                            ),
                            format!("年額 {}", p.amount.amount()),
                            0,
                            SOURCE_OLD_AGE_NOT_APPLIED,
                        ));
                        continue;
                    }
                    let annual = i128::from(p.amount.amount());
                    let daily = yen(div_floor(annual, PENSION_DAYS_PER_YEAR));
                    let (label, source) = if p.kind == PensionKind::DisabilityPension {
                        ("障害年金の額の360分の1 (1円未満切捨て)", SOURCE_DISABILITY)
                    } else {
                        (
                            "老齢退職年金給付の額の360分の1 (1円未満切捨て)",
                            SOURCE_OLD_AGE,
                        )
                    };
                    let applies = format!(
                        "{from}〜{}",
                        p.to.map_or_else(String::new, |d| d.to_string())
                    );
                    steps.push(Step::new(
                        &format!("{label} ({applies})"),
                        format!("{annual} ÷ 360"),
                        exact_quotient(annual, PENSION_DAYS_PER_YEAR),
                        Rounding::FloorYen,
                        dec(daily),
                        source,
                    ));
                    offsets.push(DailyOffset {
                        from,
                        to: p.to,
                        amount: daily,
                    });
                }
                PensionKind::DisabilityAllowance => {
                    let counted_before = p.counted_in_earlier_claims.unwrap_or(Yen::ZERO);
                    steps.push(plain_step(
                        &format!("障害手当金の額 ({} 支給を受けることとなった日)", p.from),
                        "障害手当金",
                        p.amount.amount(),
                        SOURCE_LUMP_SUM,
                    ));
                    if counted_before > Yen::ZERO {
                        steps.push(plain_step(
                            "前の請求で障害手当金に充当した傷病手当金の額",
                            "counted_in_earlier_claims",
                            counted_before.amount(),
                            SOURCE_LUMP_SUM,
                        ));
                    }
                    lump_sum = Some(LumpSum {
                        amount: p.amount,
                        from: p.from,
                        counted_before,
                        counted_here: Yen::ZERO,
                        withheld: Yen::ZERO,
                        reached_on: None,
                    });
                }
            }
        }
        for w in &other.workers_compensation {
            steps.push(plain_step(
                &format!("労災 休業補償給付の日額 ({}〜{})", w.from, w.to),
                "休業補償給付の日額",
                w.daily_amount.amount(),
                SOURCE_WORKERS,
            ));
            offsets.push(DailyOffset {
                from: w.from,
                to: Some(w.to),
                amount: w.daily_amount,
            });
        }
        Ok((Self { offsets, lump_sum }, steps))
    }

    /// 年金等 for `date`: the daily amounts of the pensions and 労災 that cover it.
    pub(crate) fn daily_offset(&self, date: Date) -> Yen {
        self.offsets
            .iter()
            .filter(|o| o.covers(date))
            .map(|o| o.amount)
            .sum()
    }

    /// The amount paid for `date` once the 障害手当金 is counted (108条4項): `due` is what
    /// would be paid (after every other adjustment, within the 通算1年6月).
    pub(crate) fn after_lump_sum(&mut self, date: Date, due: Yen) -> Yen {
        let Some(lump) = self.lump_sum.as_mut() else {
            return due;
        };
        if date < lump.from || due <= Yen::ZERO {
            return due;
        }
        let before = lump.counted();
        if before >= lump.amount {
            return due;
        }
        lump.counted_here += due;
        let after = lump.counted();
        if after <= lump.amount {
            lump.withheld += due;
            return Yen::ZERO;
        }
        let excess = after - lump.amount;
        lump.withheld += due - excess;
        lump.reached_on = Some((date, excess));
        excess
    }

    /// The steps that close the 障害手当金 counting (none without one).
    pub(crate) fn lump_sum_steps(&self) -> Vec<Step> {
        let Some(lump) = self.lump_sum else {
            return Vec::new();
        };
        let mut steps = vec![plain_step(
            &format!(
                "{}以後の傷病手当金の額の累計 (この請求, 障害手当金に達するまで)",
                lump.from
            ),
            format!(
                "{} (前の請求) + {} (この請求)",
                lump.counted_before.amount(),
                lump.counted_here.amount()
            ),
            lump.counted().amount(),
            SOURCE_LUMP_SUM,
        )];
        if let Some((date, excess)) = lump.reached_on {
            steps.push(plain_step(
                &format!("障害手当金の額に達した日 ({date}) の支給額 (累計 − 障害手当金の額)"),
                format!("{} − {}", lump.counted().amount(), lump.amount.amount()),
                excess.amount(),
                SOURCE_LUMP_SUM,
            ));
        }
        steps.push(plain_step(
            "障害手当金との調整により支給しない額",
            "障害手当金に達するまでの日の傷病手当金",
            lump.withheld.amount(),
            SOURCE_LUMP_SUM,
        ));
        steps.push(plain_step(
            "障害手当金に充当した累計 (次の請求の counted_in_earlier_claims)",
            format!("min({}, {})", lump.counted().amount(), lump.amount.amount()),
            lump.counted().min(lump.amount).amount(),
            SOURCE_LUMP_SUM,
        ));
        steps
    }

    /// Total withheld for the 障害手当金 in this claim.
    pub(crate) fn lump_sum_withheld(&self) -> Yen {
        self.lump_sum.map_or(Yen::ZERO, |l| l.withheld)
    }
}

/// A run of consecutive days with the same adjustment, shown as one step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct AdjustedRun {
    pub from: Date,
    pub to: Date,
    pub days: u32,
    pub daily_amount: Yen,
    /// 報酬 + 出産手当金 of each day.
    pub wage_and_other: Yen,
    /// 年金等 of each day.
    pub offset: Yen,
    /// Amount of each day before the 障害手当金.
    pub due: Yen,
}

impl AdjustedRun {
    pub(crate) fn step(&self) -> Step {
        let total = Decimal::from(self.due.amount()) * Decimal::from(self.days);
        Step::new(
            &format!(
                "年金・労災との調整 ({}〜{}, {}日)",
                self.from, self.to, self.days
            ),
            format!(
                "max(0, {} − max({}, {})) × {}",
                self.daily_amount.amount(),
                self.wage_and_other.amount(),
                self.offset.amount(),
                self.days
            ),
            total,
            Rounding::None,
            total,
            SOURCE_DAY,
        )
    }
}

/// Groups adjusted days into runs of consecutive days with the same figures.
#[derive(Debug, Default)]
pub(crate) struct Runs {
    runs: Vec<AdjustedRun>,
}

impl Runs {
    pub(crate) fn push(
        &mut self,
        date: Date,
        daily_amount: Yen,
        wage_and_other: Yen,
        offset: Yen,
        due: Yen,
    ) {
        if let Some(last) = self.runs.last_mut() {
            if last.to.next_day() == date
                && last.wage_and_other == wage_and_other
                && last.offset == offset
                && last.due == due
            {
                last.to = date;
                last.days += 1;
                return;
            }
        }
        self.runs.push(AdjustedRun {
            from: date,
            to: date,
            days: 1,
            daily_amount,
            wage_and_other,
            offset,
            due,
        });
    }

    pub(crate) fn steps(&self) -> Vec<Step> {
        self.runs.iter().map(AdjustedRun::step).collect()
    }
}

#[cfg(test)]
mod tests {
    //! Given an insured (not 任継) with 標準報酬月額 300,000 for the 24 months up to 2026-09:
    //! 日額 = 300,000 ÷ 30 = 10,000; × 2/3 = 6,666.66… → 6,667 (rules.md §5.1). A claim from
    //! 2026-04-01 has its 待期 04-01〜04-03 and its 支給開始日 04-04.
    use super::*;
    use crate::benefits::calc::common::{DailyAmount, MonthlyStandardRemuneration};
    use crate::benefits::calc::sickness_allowance::{
        calculate, SicknessAllowanceInput, SicknessAllowanceResult, SicknessEligibility,
    };
    use crate::calendar::YearMonth;

    fn d(y: i32, m: u32, day: u32) -> Date {
        Date::fixed(y, m, day)
    }

    fn claim(to: Date, other: Option<OtherPayments>) -> SicknessAllowanceInput {
        let last = YearMonth::new(2026, 9).unwrap_or_else(|| panic!("month"));
        SicknessAllowanceInput {
            claimed_period: DatePeriod {
                from: d(2026, 4, 1),
                to,
            },
            days_worked: vec![],
            wages: vec![],
            maternity_allowance_paid: vec![],
            eligibility: SicknessEligibility {
                voluntary_continuation_when_sickness_began: false,
                qualified_for_claimed_period: true,
            },
            waiting_period_completed_on: None,
            earlier_payments: None,
            standard_remuneration_months: (0..24)
                .map(|i| MonthlyStandardRemuneration {
                    month: last.add_months(-i),
                    amount: Yen::new(300_000),
                })
                .collect(),
            short_history_base: None,
            other_payments: other,
        }
    }

    fn pension(kind: PensionKind, amount: i64, from: Date, to: Option<Date>) -> PensionPayment {
        PensionPayment {
            kind,
            amount: Yen::new(amount),
            from,
            to,
            counted_in_earlier_claims: None,
        }
    }

    fn with_pensions(pensions: Vec<PensionPayment>) -> Option<OtherPayments> {
        Some(OtherPayments {
            pensions,
            ..OtherPayments::default()
        })
    }

    fn run(input: &SicknessAllowanceInput) -> SicknessAllowanceResult {
        calculate(input).unwrap_or_else(|e| panic!("{e}"))
    }

    fn step<'a>(r: &'a SicknessAllowanceResult, prefix: &str) -> &'a Step {
        r.basis
            .steps
            .iter()
            .find(|s| s.label.starts_with(prefix))
            .unwrap_or_else(|| panic!("no step {prefix}: {:?}", r.basis.steps))
    }

    fn amount_on(r: &SicknessAllowanceResult, date: Date) -> i64 {
        r.days
            .iter()
            .find(|p| p.date == date)
            .map_or(-1, |p| p.amount.amount())
    }

    #[test]
    fn disability_pension_below_the_daily_amount_pays_the_difference() {
        // 障害厚生年金 1,200,000/年: 1,200,000 ÷ 360 = 3,333.33… → 3,333 (1円未満切捨て);
        // 6,667 − 3,333 = 3,334 a day; 04-04〜04-10 = 7 days → 7 × 3,334 = 23,338.
        // Withheld 7 × 3,333 = 23,331.
        let input = claim(
            d(2026, 4, 10),
            with_pensions(vec![pension(
                PensionKind::DisabilityPension,
                1_200_000,
                d(2026, 1, 1),
                None,
            )]),
        );
        let r = run(&input);
        assert_eq!(r.daily_amount, Some(Yen::new(6_667)));
        assert_eq!(r.total, Yen::new(23_338));
        assert_eq!(r.days_paid, 7);
        assert_eq!(r.other_payments_withheld, Yen::new(23_331));
        let s = step(&r, "障害年金の額の360分の1");
        assert_eq!(s.exact, "3333.3333333333333333333333333");
        assert_eq!(s.rounding, Rounding::FloorYen);
        assert_eq!(s.value, "3333");
        assert!(s.source.contains("108条3項"), "{}", s.source);
        let day = step(&r, "年金・労災との調整 (2026-04-04〜2026-04-10, 7日)");
        assert_eq!(day.formula, "max(0, 6667 − max(0, 3333)) × 7");
        assert_eq!(day.value, "23338");
        assert_eq!(r.basis.result_yen, 23_338);
        assert!(r.basis.inputs["other_payments"]["pensions"].is_array());
    }

    #[test]
    fn disability_pension_above_the_daily_amount_pays_nothing() {
        // 3,000,000 ÷ 360 = 8,333.33… → 8,333 ≥ 6,667 → 0 every day; no day consumes the
        // 通算1年6月 (548 days from 2026-04-04 remain), the 支給開始日 stays 04-04.
        let input = claim(
            d(2026, 4, 10),
            with_pensions(vec![pension(
                PensionKind::DisabilityPension,
                3_000_000,
                d(2026, 1, 1),
                Some(d(2027, 3, 31)),
            )]),
        );
        let r = run(&input);
        assert_eq!(r.total, Yen::ZERO);
        assert_eq!(r.days_paid, 0);
        assert_eq!(r.benefit_start_date, Some(d(2026, 4, 4)));
        assert_eq!(r.remaining_days, Some(548));
        assert_eq!(r.other_payments_withheld, Yen::new(7 * 6_667));
    }

    #[test]
    fn pension_starting_mid_claim_adjusts_only_its_days() {
        // 障害厚生年金 1,200,000 from 04-08: 04-04〜04-07 4 × 6,667 = 26,668;
        // 04-08〜04-10 3 × (6,667 − 3,333) = 3 × 3,334 = 10,002; total 36,670.
        let input = claim(
            d(2026, 4, 10),
            with_pensions(vec![pension(
                PensionKind::DisabilityPension,
                1_200_000,
                d(2026, 4, 8),
                None,
            )]),
        );
        let r = run(&input);
        assert_eq!(amount_on(&r, d(2026, 4, 7)), 6_667);
        assert_eq!(amount_on(&r, d(2026, 4, 8)), 3_334);
        assert_eq!(r.total, Yen::new(36_670));
        assert_eq!(r.days_paid, 7);
        assert_eq!(
            step(&r, "年金・労災との調整").label,
            "年金・労災との調整 (2026-04-08〜2026-04-10, 3日)"
        );
    }

    #[test]
    fn disability_allowance_withholds_until_reached_then_pays_the_excess() {
        // 障害手当金 1,000,000 receivable from 04-04, claim 04-01〜09-10.
        // Each day would pay 6,667. 1,000,000 ÷ 6,667 = 149.99…: after 149 days the sum is
        // 149 × 6,667 = 993,383 (< 1,000,000, nothing paid); day 150 brings it to 1,000,050 →
        // 50 paid that day. Day 150 from 04-04: April 04〜30 = 27, May 31 → 58, June 30 → 88,
        // July 31 → 119, August 31 → 150: 2026-08-31.
        // Then 09-01〜09-10 = 10 × 6,667 = 66,670. Total 50 + 66,670 = 66,720, 11 days paid.
        let input = claim(
            d(2026, 9, 10),
            with_pensions(vec![pension(
                PensionKind::DisabilityAllowance,
                1_000_000,
                d(2026, 4, 4),
                None,
            )]),
        );
        let r = run(&input);
        assert_eq!(amount_on(&r, d(2026, 8, 30)), 0);
        assert_eq!(amount_on(&r, d(2026, 8, 31)), 50);
        assert_eq!(amount_on(&r, d(2026, 9, 1)), 6_667);
        assert_eq!(r.total, Yen::new(66_720));
        assert_eq!(r.days_paid, 11);
        // withheld 993,383 + (6,667 − 50) = 1,000,000
        assert_eq!(r.other_payments_withheld, Yen::new(1_000_000));
        assert_eq!(
            step(&r, "障害手当金の額に達した日 (2026-08-31)").value,
            "50"
        );
        assert_eq!(
            step(&r, "障害手当金との調整により支給しない額").value,
            "1000000"
        );
        assert_eq!(step(&r, "障害手当金に充当した累計").value, "1000000");
    }

    #[test]
    fn disability_allowance_counted_in_earlier_claims_continues_the_sum() {
        // 障害手当金 100,000 from 03-01; earlier claims counted 90,000 → 10,000 left.
        // 04-04: 90,000 + 6,667 = 96,667 ≤ 100,000 → 0; 04-05: 103,334 → 3,334 paid;
        // 04-06〜04-10: 5 × 6,667 = 33,335. Total 36,669; 6 days paid.
        let mut p = pension(
            PensionKind::DisabilityAllowance,
            100_000,
            d(2026, 3, 1),
            None,
        );
        p.counted_in_earlier_claims = Some(Yen::new(90_000));
        let r = run(&claim(d(2026, 4, 10), with_pensions(vec![p])));
        assert_eq!(amount_on(&r, d(2026, 4, 4)), 0);
        assert_eq!(amount_on(&r, d(2026, 4, 5)), 3_334);
        assert_eq!(r.total, Yen::new(36_669));
        assert_eq!(r.days_paid, 6);
        assert_eq!(step(&r, "前の請求で障害手当金に充当").value, "90000");
    }

    #[test]
    fn old_age_pension_only_for_the_days_of_a_104_continuation() {
        let old_age = pension(PensionKind::OldAgePension, 1_200_000, d(2025, 1, 1), None);
        // Not a 104条 claim: ignored → 7 × 6,667 = 46,669, with a step that says so.
        let r = run(&claim(d(2026, 4, 10), with_pensions(vec![old_age])));
        assert_eq!(r.total, Yen::new(46_669));
        assert_eq!(
            step(&r, "老齢退職年金給付").value,
            "0",
            "shown as not applied"
        );
        assert!(step(&r, "老齢退職年金給付")
            .label
            .contains("104条の継続給付ではない"));
        // 104条 from the 資格喪失日 04-06: 04-04, 04-05 insured → 2 × 6,667 = 13,334;
        // 04-06〜04-10: 1,200,000 ÷ 360 = 3,333.33… → 3,333; 5 × (6,667 − 3,333) = 16,670.
        // Total 30,004.
        let r = run(&claim(
            d(2026, 4, 10),
            Some(OtherPayments {
                pensions: vec![old_age],
                workers_compensation: vec![],
                continued_benefit_from: Some(d(2026, 4, 6)),
            }),
        ));
        assert_eq!(amount_on(&r, d(2026, 4, 5)), 6_667);
        assert_eq!(amount_on(&r, d(2026, 4, 6)), 3_334);
        assert_eq!(r.total, Yen::new(30_004));
        assert!(step(&r, "老齢退職年金給付の額の360分の1")
            .source
            .contains("108条5項"));
    }

    #[test]
    fn workers_compensation_pays_the_difference() {
        // 労災 休業補償給付 5,000/日 for 04-04〜04-10: 6,667 − 5,000 = 1,667 × 7 = 11,669.
        let r = run(&claim(
            d(2026, 4, 10),
            Some(OtherPayments {
                workers_compensation: vec![WorkersCompensationPayment {
                    daily_amount: Yen::new(5_000),
                    from: d(2026, 4, 4),
                    to: d(2026, 4, 10),
                }],
                ..OtherPayments::default()
            }),
        ));
        assert_eq!(r.total, Yen::new(11_669));
        assert_eq!(step(&r, "労災 休業補償給付の日額").value, "5000");
    }

    #[test]
    fn wages_and_pension_on_one_day_deduct_the_larger() {
        // 04-04 wage 5,000, pension 3,333: 6,667 − max(5,000, 3,333) = 1,667;
        // 04-05 wage 2,000: 6,667 − max(2,000, 3,333) = 3,334; 04-06 none: 3,334.
        // Total 1,667 + 3,334 + 3,334 = 8,335.
        let mut input = claim(
            d(2026, 4, 6),
            with_pensions(vec![pension(
                PensionKind::DisabilityPension,
                1_200_000,
                d(2026, 1, 1),
                None,
            )]),
        );
        input.wages = vec![
            DailyAmount {
                date: d(2026, 4, 4),
                amount: Yen::new(5_000),
            },
            DailyAmount {
                date: d(2026, 4, 5),
                amount: Yen::new(2_000),
            },
        ];
        let r = run(&input);
        assert_eq!(amount_on(&r, d(2026, 4, 4)), 1_667);
        assert_eq!(amount_on(&r, d(2026, 4, 5)), 3_334);
        assert_eq!(r.total, Yen::new(8_335));
    }

    #[test]
    fn a_claim_without_other_payments_keeps_its_basis() {
        // No other payments: no key in the inputs, the same 46,669 and no adjustment step.
        let r = run(&claim(d(2026, 4, 10), None));
        assert_eq!(r.total, Yen::new(46_669));
        assert!(r.basis.inputs.get("other_payments").is_none());
        assert!(!r.basis.steps.iter().any(|s| s.label.contains("年金")));
    }

    #[test]
    fn contradictory_other_payments_are_refused() {
        let claimed = DatePeriod {
            from: d(2026, 4, 1),
            to: d(2026, 4, 10),
        };
        let code = |p: Vec<PensionPayment>, w: Vec<WorkersCompensationPayment>| {
            validate(&p, &w, claimed).map_err(|e| e.code())
        };
        let ok = pension(
            PensionKind::DisabilityPension,
            1_200_000,
            d(2026, 1, 1),
            None,
        );
        assert_eq!(code(vec![ok], vec![]), Ok(()));
        let zero = pension(PensionKind::DisabilityPension, 0, d(2026, 1, 1), None);
        assert_eq!(code(vec![zero], vec![]), Err("invalid_input"));
        let after = pension(PensionKind::DisabilityPension, 1, d(2026, 4, 11), None);
        assert_eq!(code(vec![after], vec![]), Err("invalid_input"));
        let reversed = pension(
            PensionKind::OldAgePension,
            1,
            d(2026, 4, 5),
            Some(d(2026, 4, 4)),
        );
        assert_eq!(code(vec![reversed], vec![]), Err("invalid_input"));
        assert_eq!(code(vec![ok, ok], vec![]), Err("invalid_input"), "overlap");
        let lump_with_to = pension(
            PensionKind::DisabilityAllowance,
            1,
            d(2026, 4, 1),
            Some(d(2026, 4, 2)),
        );
        assert_eq!(code(vec![lump_with_to], vec![]), Err("invalid_input"));
        let mut counted = ok;
        counted.counted_in_earlier_claims = Some(Yen::new(1));
        assert_eq!(code(vec![counted], vec![]), Err("invalid_input"));
        let w = WorkersCompensationPayment {
            daily_amount: Yen::new(-1),
            from: d(2026, 4, 4),
            to: d(2026, 4, 5),
        };
        assert_eq!(code(vec![], vec![w]), Err("invalid_input"));
        // and the calculation refuses them too
        let r = calculate(&claim(d(2026, 4, 10), with_pensions(vec![ok, ok])));
        assert_eq!(
            r.map(|r| r.total).map_err(|e| e.code()),
            Err("invalid_input")
        );
    }
}
