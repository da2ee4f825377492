//! Value types of a [`super::MedicalCertificate`].

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::basis::Basis;
use crate::calendar::Date;
use crate::money::Yen;

/// Which certificate (証; digest.md §1.2 L1853–1869, §6.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CertificateKind {
    /// 限度額適用認定証 (and 限度額適用・標準負担額減額認定証 for 区分オ / 低所得; rules.md §5.9).
    LimitApplication,
    /// 高齢受給者証 (70–74; rules.md §5.8).
    ElderlyRecipient,
    /// 特定疾病療養受療証 (rules.md §5.10).
    SpecificDisease,
}

impl CertificateKind {
    /// Stable snake_case code (the serde name).
    pub const fn code(self) -> &'static str {
        match self {
            CertificateKind::LimitApplication => "limit_application",
            CertificateKind::ElderlyRecipient => "elderly_recipient",
            CertificateKind::SpecificDisease => "specific_disease",
        }
    }
}

impl std::fmt::Display for CertificateKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// 適用区分 on a 限度額適用認定証 (rules.md §5.6 tables (a), (c); §5.9). Chosen by the
/// application layer from the 標準報酬月額 and the 住民税 status; passed in.
///
/// 70–74 現役並みⅢ and 一般 have no 認定証: the 高齢受給者証 suffices (rules.md §5.9 lists only
/// 現役並みⅠ・Ⅱ and 低所得 for 70–74), so they are not offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LimitCategory {
    /// 区分ア (70歳未満, 標準報酬月額 ≥ 830,000).
    A,
    /// 区分イ (70歳未満, 530,000–790,000).
    I,
    /// 区分ウ (70歳未満, 280,000–500,000).
    U,
    /// 区分エ (70歳未満, ≤ 260,000).
    E,
    /// 区分オ (70歳未満, 市町村民税非課税): 限度額適用・標準負担額減額認定証.
    O,
    /// 現役並みⅡ (70–74, 530,000–790,000).
    ActiveIncomeII,
    /// 現役並みⅠ (70–74, 280,000–500,000).
    ActiveIncomeI,
    /// 低所得Ⅱ (70–74): 限度額適用・標準負担額減額認定証.
    LowIncomeII,
    /// 低所得Ⅰ (70–74): 限度額適用・標準負担額減額認定証.
    LowIncomeI,
}

impl LimitCategory {
    /// True for the 70–74 categories.
    pub const fn is_elderly(self) -> bool {
        matches!(
            self,
            LimitCategory::ActiveIncomeII
                | LimitCategory::ActiveIncomeI
                | LimitCategory::LowIncomeII
                | LimitCategory::LowIncomeI
        )
    }

    /// True for the 市町村民税非課税 categories, whose certificate also reduces the 入院時食事
    /// 療養 標準負担額, where a 長期入院 (more than 90 days in 12 months) lowers it further
    /// (digest.md §1.2 L1862 長期入院該当年月日 [general knowledge]). 低所得Ⅰ has the lowest
    /// meal charge whatever the stay, so 長期入院 is not recorded for it [general knowledge].
    pub const fn has_long_term_hospitalization(self) -> bool {
        matches!(self, LimitCategory::O | LimitCategory::LowIncomeII)
    }
}

/// 一部負担金割合 on a 高齢受給者証 (rules.md §5.5: 74条1項2号 2割, 3号 現役並み 3割).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CoPaymentRatio {
    /// 2割.
    TwentyPercent,
    /// 3割 (現役並み所得者: 標準報酬月額 ≥ 280,000 unless the income test applies).
    ThirtyPercent,
}

impl CoPaymentRatio {
    /// The share in percent (20 or 30).
    pub const fn percent(self) -> u8 {
        match self {
            CoPaymentRatio::TwentyPercent => 20,
            CoPaymentRatio::ThirtyPercent => 30,
        }
    }
}

/// 認定疾病区分 (rules.md §5.10; digest.md §1.2 L1868).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SpecificDisease {
    /// 人工腎臓を実施している慢性腎不全 (透析).
    ChronicRenalFailureOnDialysis,
    /// 先天性血液凝固第Ⅷ因子障害又は第Ⅸ因子障害 (血友病).
    CongenitalCoagulationFactorDisorder,
    /// 抗ウイルス剤を投与している後天性免疫不全症候群 (血液凝固因子製剤の投与に起因するHIV感染症).
    HivFromBloodProducts,
}

/// What a certificate says, by kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum CertificateDetails {
    /// 限度額適用認定証.
    LimitApplication {
        /// 適用区分.
        category: LimitCategory,
        /// 長期入院該当年月日, when already met at issue (区分オ / 低所得Ⅱ only).
        #[serde(default)]
        long_term_hospitalization_on: Option<Date>,
    },
    /// 高齢受給者証.
    ElderlyRecipient {
        /// 一部負担金割合, as decided by the application layer (rules.md §5.5).
        ratio: CoPaymentRatio,
        /// The basis of that decision: 標準報酬月額, income test, dependants.
        basis: Basis,
    },
    /// 特定疾病療養受療証.
    SpecificDisease {
        /// 認定疾病区分.
        disease: SpecificDisease,
        /// The 標準報酬月額 at issue: required for 透析 under 70, where ≥ 530,000 (区分ア・イ)
        /// makes the limit 20,000 (rules.md §5.10).
        #[serde(default)]
        standard_monthly_remuneration: Option<Yen>,
    },
}

impl CertificateDetails {
    /// The certificate kind.
    pub const fn kind(&self) -> CertificateKind {
        match self {
            CertificateDetails::LimitApplication { .. } => CertificateKind::LimitApplication,
            CertificateDetails::ElderlyRecipient { .. } => CertificateKind::ElderlyRecipient,
            CertificateDetails::SpecificDisease { .. } => CertificateKind::SpecificDisease,
        }
    }
}

/// 回収理由.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CertificateCollectionReason {
    /// 資格喪失 (or 被扶養者削除).
    QualificationLost,
    /// 75歳到達 (後期高齢者医療へ).
    Reached75,
    /// 区分・割合の変更 (e.g. a 月変 changes the 高齢受給者 share; rules.md §5.8): a new
    /// certificate replaces this one.
    Replaced,
    /// 有効期限到来.
    Expired,
    /// 紛失・き損 (lost or damaged; a new one is issued).
    LostOrDamaged,
    /// Other; state it in the note.
    Other,
}

/// 特定疾病療養受療証 自己負担限度額: 10,000円 per month per 医療機関 (入院・外来 separately)
/// (rules.md §5.10, \[S\] S29).
pub const SPECIFIC_DISEASE_LIMIT: Yen = Yen::new(10_000);

/// 20,000円 for 透析 patients under 70 in 区分ア・イ (rules.md §5.10, \[S\] S29).
pub const SPECIFIC_DISEASE_LIMIT_DIALYSIS_HIGH_INCOME: Yen = Yen::new(20_000);

/// 区分ア・イ start at 標準報酬月額 530,000 (rules.md §5.6 table (a), §5.10).
pub const HIGH_INCOME_STANDARD_REMUNERATION: Yen = Yen::new(530_000);
