//! 前納 (prepayment) of 任意継続 premiums (健保法165条; 施行令48・49条; rules.md §3.7).
//!
//! ```text
//! 前納額(n) = round_half_up( Σ_{k=1..n} P_k / 1.04^(k/12) )
//! ```
//!
//! with the **unrounded** monthly premiums `P_k` ([`super::voluntary::VoluntaryPremium::exact`])
//! and `k = 1` for the first prepaid month (the first month is already discounted by one
//! month). rules.md §3.7 reports that this reproduces all 12 cells of the 協会けんぽ埼玉支部 H27
//! 前納額表 row for 58,000 [C]; rounding the monthly premiums first does not. The 政令's own
//! rounding wording was not read: **[U]** ([`rounding::prepayment_total`]).
//!
//! Periods (施行令48条): April–September, October–March (6 months) or April–March (12
//! months). A person who becomes insured mid-period may prepay from a later month, and one
//! certain to lose the status mid-period up to the month before the loss: the prepaid months
//! are any consecutive run inside the period. **Decision**: for such a run the discount counts
//! from the first prepaid month (`k = 1` for it), since that is the first month of the
//! prepayment and the payment is due by the end of the month before it.
//!
//! Precision: `1.04^(1/12)` is found by Newton's iteration on `x^12 = 1.04` in
//! [`rust_decimal::Decimal`] (96-bit mantissa, 28 significant digits) until the iterate stops
//! changing; it agrees with a 60-digit `python3 decimal` value to 27 significant digits
//! (`1.003273739782198863859294320…`), and `1.04^(k/12)` is its k-th power (k ≤ 12), so each
//! discounted month is exact to far below 10⁻¹⁵ yen.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::error::PremiumCalculationError as E;
use super::events::{PrepaidMonth, ReassessedMonth};
use super::parameters::record;
use super::rounding;
use super::voluntary::VoluntaryPremium;
use crate::basis::{Basis, ParameterRef, Rounding, Step};
use crate::calendar::{Date, YearMonth};
use crate::money::Yen;

/// 年4分: the annual discount rate of the 複利現価法 (施行令49条; rules.md §3.7), as 1.04.
pub const ANNUAL_DISCOUNT_FACTOR: Decimal = Decimal::from_parts(104, 0, 0, false, 2);

const SOURCE: &str = "健保法165条, 施行令48条・49条 (年4分の複利現価法); rules.md §3.7";

/// A 前納 period (施行令48条).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "fiscal_year")]
pub enum PrepaymentPeriod {
    /// 4月〜9月 of the 年度.
    AprilToSeptember(i32),
    /// 10月〜翌3月 of the 年度.
    OctoberToMarch(i32),
    /// 4月〜翌3月 of the 年度.
    AprilToMarch(i32),
}

impl PrepaymentPeriod {
    /// First month of the period.
    pub fn first(self) -> YearMonth {
        let (year, month) = match self {
            PrepaymentPeriod::AprilToSeptember(fy) | PrepaymentPeriod::AprilToMarch(fy) => (fy, 4),
            PrepaymentPeriod::OctoberToMarch(fy) => (fy, 10),
        };
        YearMonth::of(Date::from_ymd(year, month, 1).unwrap_or(Date::fixed(1970, 1, 1)))
    }

    /// Number of months: 6 or 12.
    pub fn month_count(self) -> i32 {
        match self {
            PrepaymentPeriod::AprilToMarch(_) => 12,
            _ => 6,
        }
    }

    /// Last month of the period.
    pub fn last(self) -> YearMonth {
        self.first().add_months(self.month_count() - 1)
    }

    /// True when `month` is in the period.
    pub fn contains(self, month: YearMonth) -> bool {
        self.first() <= month && month <= self.last()
    }
}

/// One month's unrounded premium for a prepayment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthlyPremium {
    pub month: YearMonth,
    /// 標準報酬月額 × rate, unrounded.
    pub exact: Decimal,
    /// The parameters the monthly figure used (carried into the basis).
    #[serde(default)]
    pub parameters: Vec<ParameterRef>,
}

impl From<&VoluntaryPremium> for MonthlyPremium {
    fn from(p: &VoluntaryPremium) -> Self {
        Self {
            month: p.month,
            exact: p.exact,
            parameters: p.basis.parameters.clone(),
        }
    }
}

/// Input of [`prepayment`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrepaymentInput {
    pub period: PrepaymentPeriod,
    /// The months to prepay, consecutive, in order, inside the period.
    pub months: Vec<MonthlyPremium>,
}

/// The result of [`prepayment`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prepayment {
    pub period: PrepaymentPeriod,
    /// The 前納額 allocated to the months (Σ = `amount`): each month's discounted value,
    /// floored, plus one yen to the months with the largest remainders (earliest first on
    /// ties) — an allocation for the ledger, not a statutory figure.
    pub months: Vec<PrepaidMonth>,
    /// Σ of the monthly premiums as each would be charged without prepayment.
    pub monthly_total: Yen,
    /// 前納額.
    pub amount: Yen,
    /// 控除額 shown to the member: `monthly_total − amount`.
    pub discount: Yen,
    /// 納付期限: the last day of the month before the first prepaid month (rules.md §3.7).
    /// Each month is deemed paid on its 1st (165条3項).
    pub pay_by: Date,
    pub basis: Basis,
}

/// `1.04^(1/12)` to Decimal precision (module doc).
pub fn monthly_discount_factor() -> Decimal {
    twelfth_root(ANNUAL_DISCOUNT_FACTOR)
}

/// The positive 12th root of `a` (`a ≥ 1`) by Newton's iteration
/// `x ← x − (x¹² − a) / (12 x¹¹)`, stopped when the iterate stops changing (at most 100
/// steps; quadratic convergence from `1 + (a − 1)/12` needs about 5).
fn twelfth_root(a: Decimal) -> Decimal {
    let twelve = Decimal::from(12);
    let mut x = Decimal::ONE + (a - Decimal::ONE) / twelve;
    for _ in 0..100 {
        let mut x11 = Decimal::ONE;
        for _ in 0..11 {
            x11 *= x;
        }
        let next = x - (x11 * x - a) / (twelve * x11);
        if next == x {
            break;
        }
        x = next;
    }
    x
}

/// The 前納額 for `input` (module doc).
pub fn prepayment(input: &PrepaymentInput) -> Result<Prepayment, E> {
    let first = input.months.first().ok_or(E::EmptyPrepayment)?;
    let mut expected = first.month;
    for m in &input.months {
        if !input.period.contains(m.month) {
            return Err(E::MonthOutsidePeriod {
                month: m.month,
                first: input.period.first(),
                last: input.period.last(),
            });
        }
        if m.month != expected {
            return Err(E::MonthsNotConsecutive {
                expected,
                given: m.month,
            });
        }
        if m.exact <= Decimal::ZERO || m.exact > Decimal::from(10_000_000) {
            return Err(E::PremiumOutOfRange {
                month: m.month,
                exact: m.exact,
            });
        }
        expected = expected.add_months(1);
    }
    let factor = monthly_discount_factor();
    let mut used = Vec::new();
    let mut steps = vec![Step::new(
        "1.04^(1/12)",
        "x¹² = 1.04 のニュートン法 (Decimal 28桁)",
        factor,
        Rounding::None,
        factor,
        SOURCE,
    )];
    let mut power = Decimal::ONE;
    let mut total = Decimal::ZERO;
    let mut monthly_total = Yen::ZERO;
    let mut shares = Vec::with_capacity(input.months.len());
    for (index, m) in input.months.iter().enumerate() {
        let k = index + 1;
        power *= factor;
        let discounted = m.exact / power;
        total += discounted;
        monthly_total += rounding::voluntary_premium(m.exact);
        shares.push(discounted);
        for reference in &m.parameters {
            record(&mut used, reference);
        }
        steps.push(Step::new(
            &format!("{} 月分の現価 (k = {k})", m.month),
            format!("{} ÷ 1.04^({k}/12)", m.exact.normalize()),
            discounted,
            Rounding::None,
            discounted,
            SOURCE,
        ));
    }
    let amount = rounding::prepayment_total(total);
    steps.push(Step::new(
        "前納額",
        format!("Σ {} か月の現価", input.months.len()),
        total,
        rounding::PREPAYMENT_ROUNDING,
        Decimal::from(amount.amount()),
        rounding::PREPAYMENT_SOURCE,
    ));
    let discount = monthly_total - amount;
    steps.push(Step::new(
        "控除額",
        format!(
            "月額保険料の合計 {} − 前納額 {}",
            monthly_total.amount(),
            amount.amount()
        ),
        Decimal::from(discount.amount()),
        Rounding::None,
        Decimal::from(discount.amount()),
        SOURCE,
    ));
    let months = allocate(&input.months, &shares, amount);
    let basis = Basis {
        inputs: serde_json::to_value(input).unwrap_or(serde_json::Value::Null),
        parameters: used,
        steps,
        result_yen: amount.amount(),
    };
    Ok(Prepayment {
        period: input.period,
        months,
        monthly_total,
        amount,
        discount,
        pay_by: first.month.first_day().previous_day(),
        basis,
    })
}

/// Largest-remainder allocation of `amount` over the discounted shares.
fn allocate(months: &[MonthlyPremium], shares: &[Decimal], amount: Yen) -> Vec<PrepaidMonth> {
    let mut allocated: Vec<PrepaidMonth> = months
        .iter()
        .zip(shares)
        .map(|(m, share)| PrepaidMonth {
            month: m.month,
            amount: rounding::floor_yen(*share),
        })
        .collect();
    let floors: Yen = allocated.iter().map(|m| m.amount).sum();
    let mut order: Vec<usize> = (0..shares.len()).collect();
    order.sort_by(|&a, &b| {
        let ra = shares[a] - shares[a].trunc();
        let rb = shares[b] - shares[b].trunc();
        rb.cmp(&ra).then(a.cmp(&b))
    });
    let extra = (amount - floors).amount().max(0) as usize;
    for &i in order.iter().cycle().take(extra) {
        allocated[i].amount += Yen::new(1);
    }
    allocated
}

/// Source of the 前納 reassessment after a rate rise.
pub const SHORTFALL_SOURCE: &str = "前納後の保険料率引上げ: 不足額は引上げ月の前月末日までに納付 \
     (平成9年 保険発第106号; rules.md §3.7). 不足額 = Y − X: Y = 引上げ月以降の月の引上げ後の前納額, \
     X = 既に前納した額のうち同じ月に係る額に既経過期間の利息を加えた額 (引上げ月から割り引いた \
     引上げ前の前納額) — 昭和59年 保険発第103号 2(2) による。rules.md にない: ここで決定 [U]";

/// One prepaid month for [`shortfall`]: the unrounded premium the 前納 used and the one at the
/// raised rate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReassessedPremium {
    pub month: YearMonth,
    /// The unrounded monthly premium the 前納 used.
    pub before: Decimal,
    /// The unrounded monthly premium at the raised rate, with its parameters.
    pub after: MonthlyPremium,
}

/// Input of [`shortfall`]: the prepaid months from the first month at the raised rate (the
/// month whose premium rose first), consecutive, in order, of one 前納.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShortfallInput {
    pub months: Vec<ReassessedPremium>,
}

/// The result of [`shortfall`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shortfall {
    /// First month at the raised rate.
    pub from_month: YearMonth,
    /// Every month with its part of the shortfall (`due_on` left to the account).
    pub months: Vec<ReassessedMonth>,
    /// X.
    pub prepaid_value: Yen,
    /// Y.
    pub new_prepayment: Yen,
    /// 不足額 = Y − X.
    pub amount: Yen,
    /// 納付期限 of the top-up: the last day of the month before `from_month` (rules.md §3.7).
    pub pay_by: Date,
    pub basis: Basis,
}

/// 前納後の保険料率引上げ (rules.md §3.7: "Rate increases after prepayment → shortfall must be
/// paid by the month before the increase (平成9年 保険発第106号)"). rules.md gives the deadline,
/// not the amount; **decided here**, following 昭和59年 保険発第103号 2(2) as read on the
/// ministry's page (S17's companion notice, not transcribed in rules.md) — for the months
/// `B..C` from the first month at the raised rate:
///
/// ```text
/// Y = round_half_up( Σ_{j=1..n} P_new,j / 1.04^(j/12) )   新たに前納する額 (at B)
/// X = round_half_up( Σ_{j=1..n} P_old,j / 1.04^(j/12) )   既に前納した額 + 既経過期間の利息
/// 不足額 = Y − X
/// ```
///
/// X is the part of the original 前納 for `B..C` (discounted from the first prepaid month A)
/// carried forward with 年4分 interest for the months A..B, which is the same as discounting
/// the old premiums from B. Each total is rounded like a 前納額 (**[U]**, rules.md §7-4); the
/// rounding of the difference itself was not read.
///
/// Where the shortfall sits: applying the prepaid money to the months in order (施行令 前納
/// 充当, 平成9年 保険発第106号 3), the deficit falls on the **last** months; it is allocated
/// from the last month backward, each month taking at most its premium at the new rate
/// (1円未満切捨て). When the top-up is not paid by `pay_by`, each such month is due on its own
/// due date like any 任継 premium (106号 1–2).
pub fn shortfall(input: &ShortfallInput) -> Result<Shortfall, E> {
    let first = input.months.first().ok_or(E::EmptyPrepayment)?;
    let from_month = first.month;
    let mut expected = from_month;
    let limit = Decimal::from(10_000_000);
    for m in &input.months {
        if m.month != expected || m.after.month != m.month {
            return Err(E::MonthsNotConsecutive {
                expected,
                given: m.month,
            });
        }
        for exact in [m.before, m.after.exact] {
            if exact <= Decimal::ZERO || exact > limit {
                return Err(E::PremiumOutOfRange {
                    month: m.month,
                    exact,
                });
            }
        }
        expected = expected.add_months(1);
    }
    let factor = monthly_discount_factor();
    let mut used = Vec::new();
    let mut steps = vec![Step::new(
        "1.04^(1/12)",
        "x¹² = 1.04 のニュートン法 (Decimal 28桁)",
        factor,
        Rounding::None,
        factor,
        SOURCE,
    )];
    let mut power = Decimal::ONE;
    let (mut before_total, mut after_total) = (Decimal::ZERO, Decimal::ZERO);
    for (index, m) in input.months.iter().enumerate() {
        let j = index + 1;
        power *= factor;
        let before = m.before / power;
        let after = m.after.exact / power;
        before_total += before;
        after_total += after;
        for reference in &m.after.parameters {
            record(&mut used, reference);
        }
        steps.push(Step::new(
            &format!("{} 月分 引上げ前の現価 (j = {j})", m.month),
            format!("{} ÷ 1.04^({j}/12)", m.before.normalize()),
            before,
            Rounding::None,
            before,
            SHORTFALL_SOURCE,
        ));
        steps.push(Step::new(
            &format!("{} 月分 引上げ後の現価 (j = {j})", m.month),
            format!("{} ÷ 1.04^({j}/12)", m.after.exact.normalize()),
            after,
            Rounding::None,
            after,
            SHORTFALL_SOURCE,
        ));
    }
    let prepaid_value = rounding::prepayment_total(before_total);
    let new_prepayment = rounding::prepayment_total(after_total);
    steps.push(Step::new(
        "X 既に前納した額 (引上げ月から割り引いた引上げ前の前納額)",
        format!("Σ {} か月の引上げ前の現価", input.months.len()),
        before_total,
        rounding::PREPAYMENT_ROUNDING,
        Decimal::from(prepaid_value.amount()),
        rounding::PREPAYMENT_SOURCE,
    ));
    steps.push(Step::new(
        "Y 引上げ後の前納額",
        format!("Σ {} か月の引上げ後の現価", input.months.len()),
        after_total,
        rounding::PREPAYMENT_ROUNDING,
        Decimal::from(new_prepayment.amount()),
        rounding::PREPAYMENT_SOURCE,
    ));
    let amount = new_prepayment - prepaid_value;
    if amount <= Yen::ZERO {
        return Err(E::NoShortfall {
            prepaid_value,
            new_prepayment,
        });
    }
    steps.push(Step::new(
        "不足額",
        format!(
            "Y {} − X {}",
            new_prepayment.amount(),
            prepaid_value.amount()
        ),
        Decimal::from(amount.amount()),
        Rounding::None,
        Decimal::from(amount.amount()),
        SHORTFALL_SOURCE,
    ));
    let mut months: Vec<ReassessedMonth> = input
        .months
        .iter()
        .map(|m| ReassessedMonth {
            month: m.month,
            premium_before: m.before.normalize(),
            premium_after: m.after.exact.normalize(),
            shortfall: Yen::ZERO,
            due_on: None,
        })
        .collect();
    let mut left = amount;
    for (m, input) in months.iter_mut().zip(&input.months).rev() {
        if left <= Yen::ZERO {
            break;
        }
        let part = rounding::voluntary_premium(input.after.exact).min(left);
        m.shortfall = part;
        left -= part;
    }
    // Σ new premiums ≥ Y − X always (Y ≤ Σ P_new and X > 0), so nothing is left; keep the
    // total exact regardless.
    if let Some(first) = months.first_mut() {
        first.shortfall += left;
    }
    let basis = Basis {
        inputs: serde_json::to_value(input).unwrap_or(serde_json::Value::Null),
        parameters: used,
        steps,
        result_yen: amount.amount(),
    };
    Ok(Shortfall {
        from_month,
        months,
        prepaid_value,
        new_prepayment,
        amount,
        pay_by: from_month.first_day().previous_day(),
        basis,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::premiums::rates::tests::{d, dec, ym};

    fn months(first: &str, n: i32, exact: &str) -> Vec<MonthlyPremium> {
        (0..n)
            .map(|i| MonthlyPremium {
                month: ym(first).add_months(i),
                exact: dec(exact),
                parameters: Vec::new(),
            })
            .collect()
    }

    #[test]
    fn twelfth_root_of_1_04_to_27_digits() {
        // python3: getcontext().prec = 60; Decimal('1.04') ** (Decimal(1) / 12)
        //   = 1.00327373978219886385929432041587896805340984262633966516056
        let x = monthly_discount_factor();
        let reference = dec("1.003273739782198863859294320");
        assert!(
            (x - reference).abs() <= dec("0.000000000000000000000000002"),
            "{x}"
        );
        let mut x12 = Decimal::ONE;
        for _ in 0..12 {
            x12 *= x;
        }
        assert!(
            (x12 - dec("1.04")).abs() < dec("0.00000000000000000000000001"),
            "{x12}"
        );
    }

    #[test]
    fn six_months_april_to_september() {
        // P = 35,568 (380,000 × 0.0936, voluntary.rs) for 2026-04..09, k = 1..6.
        // python3 decimal, prec 60, P / 1.04^(k/12):
        //   k=1 35451.93957505702…  k=2 35336.25786194035…  k=3 35220.95362489156…
        //   k=4 35106.02563218458…  k=5 34991.47265611255…  k=6 34877.29347297464…
        //   Σ = 210983.9428231607… → round half up → 210,984.
        // Monthly premiums 6 × 35,568 = 213,408; 控除額 213,408 − 210,984 = 2,424.
        let p = prepayment(&PrepaymentInput {
            period: PrepaymentPeriod::AprilToSeptember(2026),
            months: months("2026-04", 6, "35568"),
        })
        .expect("prepayment");
        assert_eq!(p.amount, Yen::new(210_984));
        assert_eq!(p.monthly_total, Yen::new(213_408));
        assert_eq!(p.discount, Yen::new(2_424));
        assert_eq!(p.pay_by, d("2026-03-31"));
        assert_eq!(p.basis.result_yen, 210_984);
        // Allocation: floors 35451+35336+35220+35106+34991+34877 = 210,981; the 3 yen left
        // go to the largest remainders .9536 (k=3), .9395 (k=1), .4726 (k=5).
        let allocated: Vec<i64> = p.months.iter().map(|m| m.amount.amount()).collect();
        assert_eq!(
            allocated,
            vec![35_452, 35_336, 35_221, 35_106, 34_992, 34_877]
        );
        assert_eq!(p.months.iter().map(|m| m.amount).sum::<Yen>(), p.amount);
    }

    #[test]
    fn twelve_months_april_to_march() {
        // Same P for 2026-04..2027-03: python3 Σ_{k=1..12} 35568 / 1.04^(k/12)
        //   = 417870.7200366301… → 417,871. 12 × 35,568 = 426,816; 控除額 8,945.
        let p = prepayment(&PrepaymentInput {
            period: PrepaymentPeriod::AprilToMarch(2026),
            months: months("2026-04", 12, "35568"),
        })
        .expect("prepayment");
        assert_eq!(p.amount, Yen::new(417_871));
        assert_eq!(p.discount, Yen::new(8_945));
        assert_eq!(p.months.iter().map(|m| m.amount).sum::<Yen>(), p.amount);
    }

    #[test]
    fn october_to_march_with_a_fractional_premium() {
        // P = 58,000 × 0.0936 = 5,428.8 (unrounded, grade 1) for 2026-10..2027-03:
        // python3 Σ_{k=1..6} 5428.8 / 1.04^(k/12) = 32202.81232564032… → 32,203.
        // Monthly 5,428 (floor, [U]) × 6 = 32,568; 控除額 365. Pay by 2026-09-30.
        let p = prepayment(&PrepaymentInput {
            period: PrepaymentPeriod::OctoberToMarch(2026),
            months: months("2026-10", 6, "5428.8"),
        })
        .expect("prepayment");
        assert_eq!(p.amount, Yen::new(32_203));
        assert_eq!(p.monthly_total, Yen::new(32_568));
        assert_eq!(p.pay_by, d("2026-09-30"));
        assert_eq!(p.period.last(), ym("2027-03"));
    }

    #[test]
    fn mid_period_starter_counts_from_the_first_prepaid_month() {
        // Acquired in May 2026, prepays 2026-06..09 (4 months), k = 1..4 from June:
        // python3 Σ_{k=1..4} 35568 / 1.04^(k/12) = 141115.1766940735… → 141,115.
        let p = prepayment(&PrepaymentInput {
            period: PrepaymentPeriod::AprilToSeptember(2026),
            months: months("2026-06", 4, "35568"),
        })
        .expect("prepayment");
        assert_eq!(p.amount, Yen::new(141_115));
        assert_eq!(p.pay_by, d("2026-05-31"));
    }

    #[test]
    fn refuses_bad_month_lists() {
        let period = PrepaymentPeriod::AprilToSeptember(2026);
        let err = prepayment(&PrepaymentInput {
            period,
            months: vec![],
        })
        .expect_err("empty");
        assert_eq!(err.code(), "empty_prepayment");
        let err = prepayment(&PrepaymentInput {
            period,
            months: months("2026-08", 3, "35568"),
        })
        .expect_err("outside");
        assert_eq!(err.code(), "month_outside_period");
        let mut gap = months("2026-04", 3, "35568");
        gap.remove(1);
        let err = prepayment(&PrepaymentInput {
            period,
            months: gap,
        })
        .expect_err("gap");
        assert_eq!(err.code(), "months_not_consecutive");
        let err = prepayment(&PrepaymentInput {
            period,
            months: months("2026-04", 2, "0"),
        })
        .expect_err("zero");
        assert_eq!(err.code(), "premium_out_of_range");
    }
}
