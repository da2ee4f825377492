//! The state of a [`super::Person`] as its events leave it, and the records it keeps.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::reasons::{
    AccountSource, AcquisitionReason, CertificateCollectionReason, DependentRemovalReason,
    DeterminationKind, LossReason,
};
use super::values::{
    Address, AffiliationCode, EmployeeNumber, EnrollmentCategory, IdentificationNumber, KanaName,
    PaymentAccount, PersonName, PhoneNumber, Relationship, Sex,
};
use crate::calendar::{Date, YearMonth};
use crate::money::Yen;
use crate::standard_remuneration::StandardMonthlyRemuneration;

/// The 5情報-like details of a person (digest.md §0.1) plus contact data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonalDetails {
    /// 氏名.
    pub name: PersonName,
    /// カナ氏名.
    pub kana: KanaName,
    /// 性別.
    pub sex: Sex,
    /// 生年月日.
    pub birth_date: Date,
    /// 住民票住所.
    pub resident_address: Address,
    /// 連絡先住所.
    pub contact_address: Option<Address>,
    /// 電話番号.
    pub phone: Option<PhoneNumber>,
    /// 所属コード.
    pub affiliation_code: Option<AffiliationCode>,
    /// 従業員番号.
    pub employee_number: Option<EmployeeNumber>,
}

impl PersonalDetails {
    /// The 75th birthday: 資格喪失 / 被扶養者削除 for 後期高齢者医療 (rules.md §4.2).
    pub fn birthday_75(&self) -> Date {
        self.birth_date.anniversary(75)
    }
}

/// What the person is during a qualification period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 被保険者.
    Insured {
        /// 加入区分.
        category: EnrollmentCategory,
        /// 取得理由.
        reason: AcquisitionReason,
    },
    /// 被扶養者.
    Dependent {
        /// The insured person.
        insured_person_id: Uuid,
        /// 加入区分 of the insured at recognition.
        insured_category: EnrollmentCategory,
        /// 続柄.
        relationship: Relationship,
    },
}

/// Why a period ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodEnd {
    /// 資格喪失.
    Lost(LossReason),
    /// 被扶養者削除.
    Removed(DependentRemovalReason),
}

/// One qualification period (資格期間): from 取得/認定 to 喪失/削除 (exclusive).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QualificationPeriod {
    /// 被保険者 or 被扶養者.
    pub role: Role,
    /// 資格取得年月日 / 認定年月日.
    pub started_on: Date,
    /// 受付年月日 of the acquisition / recognition.
    pub received_on: Date,
    /// 喪失予定年月日: the 75th birthday, or the end of 任意継続's two years if earlier.
    pub scheduled_end_on: Date,
    /// 資格喪失年月日 / 削除年月日: the first day no longer qualified.
    pub ended_on: Option<Date>,
    /// Why it ended.
    pub end: Option<PeriodEnd>,
}

impl QualificationPeriod {
    /// True while no loss is recorded.
    pub fn is_open(&self) -> bool {
        self.ended_on.is_none()
    }

    /// True when the person is qualified in this period on `date`
    /// (`started_on ≤ date < ended_on`).
    pub fn covers(&self, date: Date) -> bool {
        self.started_on <= date && self.ended_on.is_none_or(|end| date < end)
    }

    /// True when some day of `month` is inside the period.
    pub fn overlaps_month(&self, month: YearMonth) -> bool {
        self.started_on <= month.last_day()
            && self.ended_on.is_none_or(|end| end > month.first_day())
    }

    /// 加入区分 if this is an insured period.
    pub fn insured_category(&self) -> Option<EnrollmentCategory> {
        match self.role {
            Role::Insured { category, .. } => Some(category),
            Role::Dependent { .. } => None,
        }
    }
}

/// A 識別番号 and the first day it applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentificationRecord {
    /// The 識別番号.
    pub identification: IdentificationNumber,
    /// First day it applied.
    pub effective_on: Date,
}

/// A 標準報酬月額 決定・改定.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemunerationRecord {
    /// 改定区分.
    pub kind: DeterminationKind,
    /// 改定年月.
    pub effective_from: YearMonth,
    /// 報酬月額.
    pub monthly_remuneration: Yen,
    /// 標準報酬月額.
    pub standard: StandardMonthlyRemuneration,
}

/// A 賞与 and its 標準賞与額.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BonusRecord {
    /// 賞与支払年月日.
    pub paid_on: Date,
    /// 賞与支払額.
    pub amount: Yen,
    /// 標準賞与額 added by this payment.
    pub standard_bonus: Yen,
}

/// A 産前産後休業 or 育児休業 period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeaveRecord {
    /// 開始年月日.
    pub started_on: Date,
    /// 満了予定年月日.
    pub planned_end_on: Date,
    /// 終了年月日 (last day), once ended.
    pub ended_on: Option<Date>,
    /// True when the leave was closed by a 資格喪失 rather than by an 終了届; `ended_on` is
    /// then the day before the loss.
    pub ended_by_loss: bool,
}

impl LeaveRecord {
    /// True while not ended.
    pub fn is_open(&self) -> bool {
        self.ended_on.is_none()
    }
}

/// A 資格確認書.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateRecord {
    /// The certificate's id.
    pub certificate_id: Uuid,
    /// 交付年月日.
    pub issued_on: Date,
    /// 有効開始年月日.
    pub valid_from: Date,
    /// 有効終了年月日.
    pub valid_to: Date,
    /// 記載氏名.
    pub printed_name: PersonName,
    /// 記載氏名の振り仮名.
    pub printed_kana: KanaName,
    /// 回収年月日, once collected.
    pub collected_on: Option<Date>,
    /// 回収理由, once collected.
    pub collection_reason: Option<CertificateCollectionReason>,
}

/// The registered 給付金支給先口座.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentAccountRecord {
    /// The account.
    pub account: PaymentAccount,
    /// Where it came from.
    pub source: AccountSource,
}
