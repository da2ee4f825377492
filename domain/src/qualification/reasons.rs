//! Reason codes of the 適用 notices: 取得理由, 喪失理由, 削除理由, 氏名変更理由, 回収理由, and the
//! kinds of 標準報酬 決定・改定. Reasons that imply a date carry the fact they are derived from.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::values::Description;
use crate::calendar::Date;
use uuid::Uuid;

/// 取得理由 (digest.md §1.1 #13).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum AcquisitionReason {
    /// 使用されるに至った (採用・入社): the first day of employment (健康保険法35条; rules.md §4.2).
    Employment,
    /// 転入: moved in from another 適用事業所 of the society on the same day (36条 ただし書).
    TransferIn,
    /// 適用事業所となった: the employer became an 適用事業所 (35条).
    OfficeBecameApplicable,
    /// 適用除外に該当しなくなった (35条), e.g. a part-timer now meeting the 3/4 test (3条1項).
    NoLongerExempt,
    /// 任意継続被保険者となった (3条4項, 37条). Only with 加入区分 任意継続.
    VoluntaryContinuation,
    /// 特例退職被保険者となった (附則3条). Only with 加入区分 特例退職.
    SpecialRetiree,
    /// その他.
    Other { description: Description },
}

impl AcquisitionReason {
    /// Stable code, for messages.
    pub const fn code(&self) -> &'static str {
        match self {
            AcquisitionReason::Employment => "employment",
            AcquisitionReason::TransferIn => "transfer_in",
            AcquisitionReason::OfficeBecameApplicable => "office_became_applicable",
            AcquisitionReason::NoLongerExempt => "no_longer_exempt",
            AcquisitionReason::VoluntaryContinuation => "voluntary_continuation",
            AcquisitionReason::SpecialRetiree => "special_retiree",
            AcquisitionReason::Other { .. } => "other",
        }
    }
}

/// 喪失理由 (digest.md §1.1 #16) with the fact each reason's 喪失年月日 follows from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum LossReason {
    /// 退職: 喪失 is the day after the last working day (健康保険法36条2号; rules.md §4.2).
    /// 強制 only.
    Retirement { last_working_day: Date },
    /// 転出: moved to another 適用事業所 of the society and acquired there the same day; 喪失
    /// is that day (36条 ただし書). 強制 only.
    TransferOut { transferred_on: Date },
    /// 適用除外に該当: the day after becoming 適用除外 (36条3号). 強制 only.
    BecameExempt { exempt_from: Date },
    /// 死亡: the day after death (36条1号; 任継 38条2号).
    Death { date_of_death: Date },
    /// 75歳到達 (後期高齢者医療): 喪失 on the 75th birthday (3条1項, rules.md §4.2; 任継 38条6号).
    Reaching75,
    /// 任意継続の期間満了: two years from the acquisition, 民法143条 reading (38条1号;
    /// rules.md §3.7: 2022-04-01 → 2024-04-01). 任意継続 only.
    VoluntaryContinuationExpired,
    /// 保険料未納: the day after the 納付期日 (38条3号). 任意継続 / 特例退職 only.
    PremiumUnpaid { due_date: Date },
    /// 他の保険の資格取得 (became a 被保険者 elsewhere, 船員保険): that day (38条4号・5号).
    /// 任意継続 / 特例退職 only.
    OtherInsuranceAcquired { acquired_on: Date },
    /// 任継 資格喪失の申出: the 1st of the month after the month the 申出 was 受理
    /// (38条7号, since 2022-01-01; rules.md §3.7). 任意継続 only.
    VoluntaryWithdrawal { accepted_on: Date },
    /// その他 (no date rule).
    Other { description: Description },
}

impl LossReason {
    /// Stable code, for messages.
    pub const fn code(&self) -> &'static str {
        match self {
            LossReason::Retirement { .. } => "retirement",
            LossReason::TransferOut { .. } => "transfer_out",
            LossReason::BecameExempt { .. } => "became_exempt",
            LossReason::Death { .. } => "death",
            LossReason::Reaching75 => "reaching_75",
            LossReason::VoluntaryContinuationExpired => "voluntary_continuation_expired",
            LossReason::PremiumUnpaid { .. } => "premium_unpaid",
            LossReason::OtherInsuranceAcquired { .. } => "other_insurance_acquired",
            LossReason::VoluntaryWithdrawal { .. } => "voluntary_withdrawal",
            LossReason::Other { .. } => "other",
        }
    }
}

/// Why a qualification period is void from its start (資格取得の取消): the person is deemed
/// never to have acquired it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum VoidReason {
    /// 任意継続: the first premium unpaid by its due date — deemed never to have become a
    /// 任意継続被保険者 (健康保険法37条2項; rules.md §3.7 "first premium"). 任意継続 only.
    FirstPremiumUnpaid { due_date: Date },
    /// 被扶養者: the insured's acquisition was voided, so the recognition under it is void too
    /// (a 被扶養者 is one only of a 被保険者, 3条7項). The dependent period must have started
    /// on or after the insured's voided acquisition.
    InsuredAcquisitionVoided {
        insured_person_id: Uuid,
        insured_acquired_on: Date,
    },
}

impl VoidReason {
    /// Stable code, for messages.
    pub const fn code(&self) -> &'static str {
        match self {
            VoidReason::FirstPremiumUnpaid { .. } => "first_premium_unpaid",
            VoidReason::InsuredAcquisitionVoided { .. } => "insured_acquisition_voided",
        }
    }
}

/// 被扶養者 削除理由.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum DependentRemovalReason {
    /// 被保険者の資格喪失: a dependent is one only while the insured is insured (3条7項), so the
    /// removal date is the insured's 喪失年月日 (rules.md §4.2: when the insured turns 75 the
    /// dependants also lose status). Used by the application layer when the insured loses.
    InsuredLostQualification { insured_lost_on: Date },
    /// 死亡: the day after death [inference: 36条 applied to dependents].
    Death { date_of_death: Date },
    /// 75歳到達: the 75th birthday (後期高齢者 are excluded, 3条7項 ただし書; rules.md §4.2).
    Reaching75,
    /// 就職等により他の被用者保険の被保険者となった: that day [inference: one cannot be a
    /// 被扶養者 and a 被保険者 at once].
    OwnInsuranceAcquired { acquired_on: Date },
    /// 収入超過 (rules.md §4.3 income test); no date rule.
    IncomeExceeded,
    /// 離婚; no date rule.
    Divorce,
    /// 別居・同一世帯でなくなった (for relatives needing 同一世帯, 3条7項2号・3号); no date rule.
    NoLongerSameHousehold,
    /// その他.
    Other { description: Description },
}

impl DependentRemovalReason {
    /// Stable code, for messages.
    pub const fn code(&self) -> &'static str {
        match self {
            DependentRemovalReason::InsuredLostQualification { .. } => "insured_lost_qualification",
            DependentRemovalReason::Death { .. } => "death",
            DependentRemovalReason::Reaching75 => "reaching_75",
            DependentRemovalReason::OwnInsuranceAcquired { .. } => "own_insurance_acquired",
            DependentRemovalReason::IncomeExceeded => "income_exceeded",
            DependentRemovalReason::Divorce => "divorce",
            DependentRemovalReason::NoLongerSameHousehold => "no_longer_same_household",
            DependentRemovalReason::Other { .. } => "other",
        }
    }
}

/// 氏名変更理由 (digest.md §1.1 届出記録 #3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum NameChangeReason {
    /// 婚姻.
    Marriage,
    /// 離婚.
    Divorce,
    /// 養子縁組.
    Adoption,
    /// 離縁.
    DissolutionOfAdoption,
    /// 誤記訂正 (correction of a wrongly recorded name).
    Correction,
    /// その他.
    Other { description: Description },
}

/// 資格確認書 回収理由 (digest.md §1.1 #21).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum CertificateCollectionReason {
    /// 資格喪失.
    QualificationLost,
    /// 記載事項変更 (name, 識別番号 …).
    DetailsChanged,
    /// 再交付 (damaged card returned).
    Reissued,
    /// 有効期限到来.
    Expired,
    /// その他.
    Other { description: Description },
}

/// 改定区分: why a 標準報酬月額 is determined (digest.md §1.1 #30).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeterminationKind {
    /// 資格取得時決定 (42条; rules.md §2.3).
    AtAcquisition,
    /// 定時決定 (算定, 41条; rules.md §2.4).
    RegularDetermination,
    /// 随時改定 (月額変更, 43条; rules.md §2.5).
    InterimRevision,
    /// 産前産後休業終了時改定 (43条の3; rules.md §2.5).
    AfterMaternityLeave,
    /// 育児休業等終了時改定 (43条の2; rules.md §2.5).
    AfterChildcareLeave,
}

/// Where a 給付金支給先口座 came from (digest.md §1.1 note (#1), L1893–1897).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AccountSource {
    /// 届出: written on a notice by the member.
    Notification,
    /// 公金受取口座: obtained by information inquiry at the member's request.
    PublicFundsReceiptAccount,
}

/// 産前産後休業 or 育児休業.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LeaveKind {
    /// 産前産後休業.
    Maternity,
    /// 育児休業等.
    Childcare,
}

impl std::fmt::Display for LeaveKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            LeaveKind::Maternity => "maternity leave (産前産後休業)",
            LeaveKind::Childcare => "childcare leave (育児休業)",
        })
    }
}
