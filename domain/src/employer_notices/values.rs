//! What a notice records: one [`NoticeLine`] per insured person, the [`NoticeTotals`], and the
//! status and receipt kinds.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::basis::{Basis, Step};
use crate::calendar::Date;
use crate::money::Yen;
use crate::premiums::employer::{
    EmployerNotice as Calculation, EmployerNoticeInput, ShareCollection,
};
use crate::premiums::rounding;
use crate::premiums::voluntary::MonthCharge;

/// One insured person of the notice: what the month's premium was computed from, and the
/// figures (rules.md §3.1, §3.3, §3.5, §3.6). A notice carries one per insured person (a
/// million in a month), so fields at their usual value (no 賞与, not exempt) are left out of
/// the JSON and read back as that value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct NoticeLine {
    pub person_id: Uuid,
    /// 生年月日 (for the 介護保険第2号 window, rules.md §3.5).
    pub birth_date: Date,
    /// 資格取得日 of the period in the month.
    pub acquired_on: Date,
    /// 資格喪失日, if the period ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lost_on: Option<Date>,
    /// 標準報酬月額 in force in the month.
    pub standard_remuneration: Yen,
    /// 標準賞与額 of the 賞与 paid in the month.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub standard_bonus: Option<Yen>,
    /// `charged`, or `month_of_loss` (喪失月: no premium, 156条3項).
    #[schema(value_type = String, example = "charged")]
    pub charge: MonthCharge,
    /// The 標準報酬月額 premium is exempt (産休・育休, 159条・159条の3); left out when false.
    #[serde(default, skip_serializing_if = "is_false")]
    pub monthly_exempt: bool,
    /// The 標準賞与額 premium is exempt; left out when false.
    #[serde(default, skip_serializing_if = "is_false")]
    pub bonus_exempt: bool,
    /// 介護保険第2号被保険者 in the month.
    pub long_term_care: bool,
    /// The whole rate applied (一般 + 調整 + 支援金 + 介護 when 第2号).
    #[schema(value_type = String, example = "0.1096")]
    pub rate: Decimal,
    /// 標準報酬月額 × rate, unrounded (0 when not charged or exempt).
    #[schema(value_type = String, example = "32880")]
    pub monthly_full: Decimal,
    /// 標準賞与額 × rate, unrounded; left out when 0.
    #[serde(default, skip_serializing_if = "Decimal::is_zero")]
    #[schema(value_type = String, example = "0")]
    pub bonus_full: Decimal,
    /// The insured's monthly deduction (50銭以下切捨て).
    pub insured_monthly: Yen,
    /// The insured's bonus deduction; left out when 0.
    #[serde(default, skip_serializing_if = "is_zero_yen")]
    pub insured_bonus: Yen,
}

fn is_false(value: &bool) -> bool {
    !*value
}

fn is_zero_yen(value: &Yen) -> bool {
    *value == Yen::ZERO
}

impl NoticeLine {
    /// 全額 of the line (monthly + bonus), unrounded.
    pub fn full(&self) -> Decimal {
        self.monthly_full + self.bonus_full
    }

    /// The insured's deductions of the line.
    pub fn insured(&self) -> Yen {
        self.insured_monthly + self.insured_bonus
    }
}

/// The totals of a notice (rules.md §3.3). Decimals are kept normalised (`44693`, not
/// `44693.0000`), as in the lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct NoticeTotals {
    /// Insured persons (lines).
    pub insured: u32,
    /// Lines with a premium (not 喪失月, not wholly exempt).
    pub charged: u32,
    /// Σ 全額, unrounded.
    #[schema(value_type = String, example = "65760")]
    pub full_total: Decimal,
    /// 納入告知額 = Σ 全額, 1円未満切捨て once on the total.
    pub notice_amount: Yen,
    /// Σ 被保険者負担分 (deductions).
    pub insured_total: Yen,
    /// 事業主負担分 = 告知額 − Σ 被保険者負担分.
    pub employer_total: Yen,
}

impl NoticeTotals {
    /// The totals `lines` add up to.
    pub fn of(lines: &[NoticeLine]) -> Self {
        let full_total: Decimal = lines
            .iter()
            .map(NoticeLine::full)
            .sum::<Decimal>()
            .normalize();
        let notice_amount = rounding::employer_total(full_total);
        let insured_total: Yen = lines.iter().map(NoticeLine::insured).sum();
        Self {
            insured: u32::try_from(lines.len()).unwrap_or(u32::MAX),
            charged: u32::try_from(lines.iter().filter(|l| !l.full().is_zero()).count())
                .unwrap_or(u32::MAX),
            full_total,
            notice_amount,
            insured_total,
            employer_total: notice_amount - insured_total,
        }
    }
}

/// Where the notice stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NoticeStatus {
    /// 告知済 (未納): nothing received yet.
    Issued,
    /// 一部納付: something received, less than the 告知額.
    PartiallyPaid,
    /// 完納: received ≥ 告知額 (an excess is shown as `overpaid`).
    Paid,
    /// 告知額 0 (every line 喪失月 or exempt) and nothing received.
    NothingDue,
}

impl NoticeStatus {
    /// The status for `received` against `notice_amount`.
    pub fn of(notice_amount: Yen, received: Yen) -> Self {
        if received >= notice_amount {
            if notice_amount == Yen::ZERO && received == Yen::ZERO {
                Self::NothingDue
            } else {
                Self::Paid
            }
        } else if received > Yen::ZERO {
            Self::PartiallyPaid
        } else {
            Self::Issued
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Issued => "issued",
            Self::PartiallyPaid => "partially_paid",
            Self::Paid => "paid",
            Self::NothingDue => "nothing_due",
        }
    }
}

/// A receipt against what was still outstanding before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReceiptKind {
    /// Less than the outstanding amount (一部納付).
    Partial,
    /// Exactly the outstanding amount.
    Exact,
    /// More than the outstanding amount (過納; 164条2項 lets it be applied to later months —
    /// not done here).
    Over,
}

/// What `Issue` / `Reissue` record: lines, totals and the 算定根拠.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeDraft {
    pub lines: Vec<NoticeLine>,
    pub totals: NoticeTotals,
    pub basis: Basis,
}

const SOURCE_COLLECTION: &str = "被保険者負担分は各人の月額分・賞与分ごとに丸める: 給与・賞与から控除は \
     50銭以下切捨て・50銭超切上げ, cash_collection の者は50銭未満切捨て・50銭以上切上げ; rules.md §3.3";

fn starts_with_uuid(label: &str) -> bool {
    label
        .get(..36)
        .is_some_and(|head| Uuid::try_parse(head).is_ok())
}

impl NoticeDraft {
    /// The recorded form of a calculation by
    /// [`crate::premiums::employer::employer_notice`] of `input`.
    ///
    /// Each line keeps the person's figures (so the lines are the per-person 算定根拠); the
    /// basis keeps the parameters used, one rate step per distinct rate, and the 事業所-level
    /// steps (納入告知額, 事業主負担分) — not the calculation's per-person steps and inputs,
    /// which would repeat the lines.
    pub fn from_calculation(input: &EmployerNoticeInput, calculation: &Calculation) -> Self {
        let lines: Vec<NoticeLine> = input
            .insured
            .iter()
            .zip(&calculation.lines)
            .map(|(person, line)| NoticeLine {
                person_id: line.person_id,
                birth_date: person.birth_date,
                acquired_on: person.acquired_on,
                lost_on: person.lost_on,
                standard_remuneration: person.standard_remuneration,
                standard_bonus: person.standard_bonus,
                charge: line.charge,
                monthly_exempt: line.exemption.monthly,
                bonus_exempt: line.exemption.bonus,
                long_term_care: line.rate.long_term_care_insured,
                rate: line.rate.total().normalize(),
                monthly_full: line.monthly_full.normalize(),
                bonus_full: line.bonus_full.normalize(),
                insured_monthly: line.insured_monthly,
                insured_bonus: line.insured_bonus,
            })
            .collect();
        let mut steps: Vec<Step> = Vec::new();
        let mut rates_seen: Vec<Decimal> = Vec::new();
        for line in &calculation.lines {
            let total = line.rate.total();
            if !rates_seen.contains(&total) {
                rates_seen.push(total);
                steps.push(line.rate.step());
            }
        }
        // The calculation ends with its 事業所-level steps (納入告知額, 事業主負担分); the
        // others are per person (labelled with the person's id) and repeat the lines.
        steps.extend(
            calculation
                .basis
                .steps
                .iter()
                .filter(|s| !starts_with_uuid(&s.label))
                .cloned(),
        );
        let cash: Vec<Uuid> = input
            .insured
            .iter()
            .filter(|p| p.collection == ShareCollection::Cash)
            .map(|p| p.person_id)
            .collect();
        let totals = NoticeTotals::of(&lines);
        let basis = Basis {
            inputs: serde_json::json!({
                "office": input.office,
                "month": input.month,
                "insured": lines.len(),
                "shares": input.shares,
                "collection": SOURCE_COLLECTION,
                "cash_collection": cash,
            }),
            parameters: calculation.basis.parameters.clone(),
            steps,
            result_yen: calculation.notice_amount.amount(),
        };
        Self {
            lines,
            totals,
            basis,
        }
    }
}
