//! Value types of a [`super::BenefitClaim`]: the benefit kind, the payee, the employer's
//! certification, the claim period, the decision outcome and the claim's status.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::basis::Basis;
use crate::calendar::Date;
use crate::money::Yen;
use crate::qualification::values::{check_digits, string_value, ValueError};
use crate::qualification::Description;

/// The cash benefit (現金給付) claimed: the benefits of the 給付ファイル (digest.md §1.2, §6.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BenefitKind {
    /// 傷病手当金 (健保法99条; rules.md §5.1).
    SicknessAllowance,
    /// 出産手当金 (102条; rules.md §5.2).
    MaternityAllowance,
    /// 出産育児一時金 (101条; rules.md §5.3).
    ChildbirthLumpSum,
    /// 家族出産育児一時金 (114条; rules.md §5.3).
    FamilyChildbirthLumpSum,
    /// 埋葬料 (100条; rules.md §5.4).
    Burial,
    /// 家族埋葬料 (113条; rules.md §5.4).
    FamilyBurial,
    /// 高額介護合算療養費 (115条の2; rules.md §5.7).
    HighCostCombined,
}

impl BenefitKind {
    /// Stable snake_case code (the serde name).
    pub const fn code(self) -> &'static str {
        match self {
            BenefitKind::SicknessAllowance => "sickness_allowance",
            BenefitKind::MaternityAllowance => "maternity_allowance",
            BenefitKind::ChildbirthLumpSum => "childbirth_lump_sum",
            BenefitKind::FamilyChildbirthLumpSum => "family_childbirth_lump_sum",
            BenefitKind::Burial => "burial",
            BenefitKind::FamilyBurial => "family_burial",
            BenefitKind::HighCostCombined => "high_cost_combined",
        }
    }

    /// True for the allowances for days off work, whose claim the employer certifies first
    /// (事業主証明: digest.md §2.3 3-①, L782–783; §6.1).
    pub const fn requires_employer_certification(self) -> bool {
        matches!(
            self,
            BenefitKind::SicknessAllowance | BenefitKind::MaternityAllowance
        )
    }

    /// True for the 家族 benefits: paid to the insured for an event of a dependent (114条,
    /// 113条), so the claim names the dependent as `beneficiary_person_id`.
    pub const fn is_family(self) -> bool {
        matches!(
            self,
            BenefitKind::FamilyChildbirthLumpSum | BenefitKind::FamilyBurial
        )
    }

    /// True for the kinds claimed for a period that must be given: the days off (療養のため /
    /// 出産のため休んだ期間, digest.md §1.2 L1818, L1836).
    pub const fn requires_period(self) -> bool {
        self.requires_employer_certification()
    }
}

impl std::fmt::Display for BenefitKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

string_value!(
    /// 事業所コード of the employer whose account receives the payment: 1 to 8 digits, as in
    /// the 識別番号 (digest.md §0.1).
    OfficeCode,
    "1234",
    "事業所コード: 1 to 8 digits."
);

impl OfficeCode {
    /// Validates an office code.
    pub fn parse(s: &str) -> Result<Self, ValueError> {
        let text = s.trim();
        check_digits("office code (事業所コード)", text, 1, 8)?;
        Ok(OfficeCode(text.to_string()))
    }
}

string_value!(
    /// Machine code of a 不支給 reason, e.g. `not_insured_on_start`: 1 to 40 characters of
    /// a–z, 0–9 and `_`. The code table is the society's own.
    ReasonCode,
    "waiting_period_not_met",
    "Refusal reason code: 1 to 40 characters a-z, 0-9, _."
);

impl ReasonCode {
    /// Validates a reason code.
    pub fn parse(s: &str) -> Result<Self, ValueError> {
        let text = s.trim();
        let field = "reason code (不支給理由コード)";
        if text.is_empty() || text.len() > 40 {
            return Err(ValueError::new(field, "must be 1 to 40 characters"));
        }
        if !text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        {
            return Err(ValueError::new(field, "must contain only a-z, 0-9 and _"));
        }
        Ok(ReasonCode(text.to_string()))
    }
}

string_value!(
    /// The bank's reference of a completed transfer (振込結果の照会番号), 1 to 64 characters.
    BankReference,
    "20250715-000123",
    "Bank transfer reference: 1 to 64 characters."
);

impl BankReference {
    /// Validates a bank reference.
    pub fn parse(s: &str) -> Result<Self, ValueError> {
        crate::qualification::values::check_text("bank reference (振込照会番号)", s, 64)
            .map(BankReference)
    }
}

/// Where the benefit is paid (給付金の支払先; digest.md §2.3 #1, L797–804): benefits of ordinary
/// insured go to the employer's account or to an account the insured registered; for 任意継続
/// members and those who lost the qualification, to the insured's account; from 令和4年10月
/// (2022-10-01), on request, to the 公金受取口座.
///
/// Which of these is allowed for the claimant's 加入区分 is checked by the application layer,
/// which knows the person's qualification; the claim records the choice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Payee {
    /// The employer's (事業主の) account, by 事業所コード.
    EmployerAccount {
        #[schema(value_type = String, example = "1234")]
        office_code: OfficeCode,
    },
    /// The account the insured registered (給付金支給先口座, digest.md §1.1 #1), or, for 埋葬料,
    /// the account the claimant gave on the claim.
    MemberAccount,
    /// 公金受取口座, obtained by inquiry to the 口座情報登録システム (digest.md §2.3, §4.13).
    PublicFundsAccount,
}

/// First day the 公金受取口座 may be chosen: 令和4年10月 (digest.md §2.3 #1, L797–804).
pub const PUBLIC_FUNDS_ACCOUNT_FROM: Date = Date::fixed(2022, 10, 1);

/// A period of days, both ends included (自-至).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClaimPeriod {
    /// First day (自).
    pub from: Date,
    /// Last day (至).
    pub to: Date,
}

impl ClaimPeriod {
    /// True when `date` lies in the period.
    pub fn contains(&self, date: Date) -> bool {
        self.from <= date && date <= self.to
    }
}

/// Wages the employer paid for some of the days claimed (報酬の支払: 108条 — only the
/// difference is paid; rules.md §5.1 Adjustments).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WagePayment {
    /// First day the wages are for.
    pub from: Date,
    /// Last day the wages are for.
    pub to: Date,
    /// Amount paid for those days (0 or more).
    pub amount: Yen,
}

/// The employer's certification on a 傷病手当金 / 出産手当金 claim (事業主証明: attendance and
/// wages for the days claimed; digest.md §2.3 3-①, L782–783).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmployerCertification {
    /// 証明年月日.
    pub certified_on: Date,
    /// 証明者 (事業主の氏名・名称).
    #[schema(value_type = String)]
    pub certifier: Description,
    /// Wages paid for days in the claim period; empty when none were paid.
    #[serde(default)]
    pub wages_paid: Vec<WagePayment>,
}

/// The outcome of a decision: 支給決定 (pay) or 不支給決定 (refuse).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Outcome {
    /// 支給決定 of `amount` (more than 0).
    Pay { amount: Yen },
    /// 不支給決定.
    Refuse {
        /// 不支給理由コード.
        #[schema(value_type = String)]
        reason_code: ReasonCode,
        /// 不支給理由, as written on the notice.
        #[schema(value_type = String)]
        reason: Description,
    },
}

impl Outcome {
    /// The amount decided: the amount to pay, or 0 for 不支給.
    pub fn amount(&self) -> Yen {
        match self {
            Outcome::Pay { amount } => *amount,
            Outcome::Refuse { .. } => Yen::ZERO,
        }
    }

    /// True for 支給決定.
    pub fn is_pay(&self) -> bool {
        matches!(self, Outcome::Pay { .. })
    }
}

/// An amount decided other than the calculated one, with the reason (recorded on the
/// decision).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AmountOverride {
    /// The latest calculated amount, if any calculation was recorded.
    pub calculated_amount: Option<Yen>,
    /// Why the decided amount differs.
    #[schema(value_type = String)]
    pub reason: Description,
}

/// A calculation recorded on the claim (給付金計算, digest.md §2.4 L182).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Calculation {
    /// 1 for the first calculation of the claim, then 2, 3 …
    pub sequence: u32,
    /// The 算定根拠.
    pub basis: Basis,
    /// The amount calculated.
    pub amount: Yen,
    /// 職員ID of the staff member who recorded it (absent before the two-person rule).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calculated_by: Option<String>,
}

/// The decision in force: the original 支給決定 / 不支給決定 or its latest correction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Decision {
    /// 0 for the original decision, then 1, 2 … for each correction.
    pub revision: u32,
    /// 決定年月日 (or 訂正年月日 of a correction).
    pub decided_on: Date,
    pub outcome: Outcome,
    /// The 算定根拠 of the decision.
    pub basis: Basis,
    /// Set when the amount is not the calculated one.
    pub amount_override: Option<AmountOverride>,
}

/// A payment instruction not yet settled (paid or failed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PendingPayment {
    /// The transfer batch (振込データ) the instruction is in.
    pub batch_id: uuid::Uuid,
    /// 支払指示年月日.
    pub instructed_on: Date,
    /// The amount instructed.
    pub amount: Yen,
    /// The payee instructed.
    pub payee: Payee,
}

/// Where a claim stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ClaimStatus {
    /// 受付: received, not yet registered.
    #[default]
    Received,
    /// 受付登録: checked and registered; calculations may be recorded.
    Registered,
    /// 支給決定 / 不支給決定 made; nothing is in payment.
    Decided,
    /// A payment is instructed to the bank and not yet settled.
    PaymentInstructed,
    /// The decided amount is paid (after a correction, an amount may remain to recover).
    Paid,
    /// The last payment failed; it can be instructed again.
    PaymentFailed,
    /// 取下げ.
    Withdrawn,
}
