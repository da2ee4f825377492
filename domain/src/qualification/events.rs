//! Events of the [`super::Person`] aggregate. Each carries everything a read model needs;
//! `event_type()` strings and `event_version()` are stable (ARCHITECTURE.md, event store).

use chrono::{DateTime, Utc};
use cqrs_es::DomainEvent;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::reasons::{
    AccountSource, AcquisitionReason, CertificateCollectionReason, DependentRemovalReason,
    DeterminationKind, LossReason, NameChangeReason, VoidReason,
};
use super::values::{
    Address, AffiliationCode, Description, EmployeeNumber, EnrollmentCategory,
    IdentificationNumber, KanaName, PaymentAccount, PersonName, PhoneNumber, Relationship, Sex,
};
use crate::account_change::Confirmation;
use crate::calendar::{Date, YearMonth};
use crate::money::Yen;
use crate::standard_remuneration::StandardMonthlyRemuneration;

/// An event of the [`super::Person`] aggregate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum PersonEvent {
    /// 資格取得.
    QualificationAcquired(QualificationAcquired),
    /// 資格喪失.
    QualificationLost(QualificationLost),
    /// 被扶養者認定.
    DependentRecognized(DependentRecognized),
    /// 被扶養者削除.
    DependentRemoved(DependentRemoved),
    /// 標準報酬 決定・改定.
    StandardRemunerationDetermined(StandardRemunerationDetermined),
    /// 賞与支払.
    BonusReported(BonusReported),
    /// 氏名変更.
    NameChanged(NameChanged),
    /// 住所変更.
    AddressChanged(AddressChanged),
    /// 産前産後休業 開始.
    MaternityLeaveStarted(LeaveStarted),
    /// 産前産後休業 終了.
    MaternityLeaveEnded(LeaveEnded),
    /// 育児休業 開始.
    ChildcareLeaveStarted(LeaveStarted),
    /// 育児休業 終了.
    ChildcareLeaveEnded(LeaveEnded),
    /// 資格確認書 交付.
    CertificateIssued(CertificateIssued),
    /// 資格確認書 回収.
    CertificateCollected(CertificateCollected),
    /// 給付金支給先口座 登録 (in force; since confirmation is required, it carries who proposed
    /// and who confirmed).
    PaymentAccountRegistered(PaymentAccountRegistered),
    /// 給付金支給先口座 登録・変更の申請: not in force until confirmed.
    PaymentAccountChangeProposed(PaymentAccountChangeProposed),
    /// The proposed account change was rejected; it never takes effect.
    PaymentAccountChangeRejected(PaymentAccountChangeRejected),
    /// 識別番号 変更.
    IdentificationChanged(IdentificationChanged),
    /// 資格取得の取消: the current period is void from its start.
    AcquisitionVoided(AcquisitionVoided),
}

impl PersonEvent {
    /// Every event type string, for registries and upcasters.
    pub const EVENT_TYPES: [&'static str; 19] = [
        "QualificationAcquired",
        "QualificationLost",
        "DependentRecognized",
        "DependentRemoved",
        "StandardRemunerationDetermined",
        "BonusReported",
        "NameChanged",
        "AddressChanged",
        "MaternityLeaveStarted",
        "MaternityLeaveEnded",
        "ChildcareLeaveStarted",
        "ChildcareLeaveEnded",
        "CertificateIssued",
        "CertificateCollected",
        "PaymentAccountRegistered",
        "IdentificationChanged",
        "AcquisitionVoided",
        "PaymentAccountChangeProposed",
        "PaymentAccountChangeRejected",
    ];

    /// The event's type name (the variant name, also its serde tag).
    pub const fn type_name(&self) -> &'static str {
        match self {
            PersonEvent::QualificationAcquired(_) => "QualificationAcquired",
            PersonEvent::QualificationLost(_) => "QualificationLost",
            PersonEvent::DependentRecognized(_) => "DependentRecognized",
            PersonEvent::DependentRemoved(_) => "DependentRemoved",
            PersonEvent::StandardRemunerationDetermined(_) => "StandardRemunerationDetermined",
            PersonEvent::BonusReported(_) => "BonusReported",
            PersonEvent::NameChanged(_) => "NameChanged",
            PersonEvent::AddressChanged(_) => "AddressChanged",
            PersonEvent::MaternityLeaveStarted(_) => "MaternityLeaveStarted",
            PersonEvent::MaternityLeaveEnded(_) => "MaternityLeaveEnded",
            PersonEvent::ChildcareLeaveStarted(_) => "ChildcareLeaveStarted",
            PersonEvent::ChildcareLeaveEnded(_) => "ChildcareLeaveEnded",
            PersonEvent::CertificateIssued(_) => "CertificateIssued",
            PersonEvent::CertificateCollected(_) => "CertificateCollected",
            PersonEvent::PaymentAccountRegistered(_) => "PaymentAccountRegistered",
            PersonEvent::IdentificationChanged(_) => "IdentificationChanged",
            PersonEvent::AcquisitionVoided(_) => "AcquisitionVoided",
            PersonEvent::PaymentAccountChangeProposed(_) => "PaymentAccountChangeProposed",
            PersonEvent::PaymentAccountChangeRejected(_) => "PaymentAccountChangeRejected",
        }
    }
}

impl DomainEvent for PersonEvent {
    fn event_type(&self) -> String {
        self.type_name().to_string()
    }

    /// `QualificationAcquired` is at 2.0: version 1 had one `address` and a `postal_code`
    /// (see [`crate::upcasters`]). Every other event is at 1.0.
    fn event_version(&self) -> String {
        match self {
            PersonEvent::QualificationAcquired(_) => "2.0".to_string(),
            _ => "1.0".to_string(),
        }
    }
}

/// 資格取得: a qualification period as an insured person (被保険者) begins.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct QualificationAcquired {
    /// The person's id.
    pub person_id: Uuid,
    /// 加入区分.
    pub category: EnrollmentCategory,
    /// 資格取得年月日.
    pub acquired_on: Date,
    /// 取得理由.
    pub reason: AcquisitionReason,
    /// 取得受付年月日.
    pub received_on: Date,
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
    /// 識別番号.
    pub identification: IdentificationNumber,
    /// 報酬月額.
    pub monthly_remuneration: Yen,
    /// 標準報酬月額 (資格取得時決定, 42条), from the 40条 table.
    pub standard_remuneration: StandardMonthlyRemuneration,
    /// 喪失予定年月日 (digest.md §1.1 #27): the 75th birthday, or for 任意継続 the end of the
    /// two years if earlier.
    pub scheduled_loss_on: Date,
    /// 任意継続: the 正当な理由 of a late application.
    pub late_application_reason: Option<Description>,
}

/// 資格喪失.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct QualificationLost {
    /// 加入区分 of the period that ends.
    pub category: EnrollmentCategory,
    /// 資格取得年月日 of the period that ends.
    pub acquired_on: Date,
    /// 資格喪失年月日.
    pub lost_on: Date,
    /// 喪失理由.
    pub reason: LossReason,
    /// 喪失受付年月日.
    pub received_on: Date,
}

/// 被扶養者認定: a qualification period as a dependent (被扶養者) begins.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DependentRecognized {
    /// The dependent's person id.
    pub person_id: Uuid,
    /// The insured person's id.
    pub insured_person_id: Uuid,
    /// 加入区分 of the insured on the recognition date.
    pub insured_category: EnrollmentCategory,
    /// 続柄.
    pub relationship: Relationship,
    /// 認定年月日.
    pub recognized_on: Date,
    /// 受付年月日.
    pub received_on: Date,
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
    /// 識別番号.
    pub identification: IdentificationNumber,
    /// 削除予定年月日: the 75th birthday (3条7項 ただし書).
    pub scheduled_removal_on: Date,
}

/// 被扶養者削除.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DependentRemoved {
    /// The insured person's id.
    pub insured_person_id: Uuid,
    /// 認定年月日 of the period that ends.
    pub recognized_on: Date,
    /// 削除年月日.
    pub removed_on: Date,
    /// 削除理由.
    pub reason: DependentRemovalReason,
    /// 受付年月日.
    pub received_on: Date,
}

/// 標準報酬月額 決定・改定.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct StandardRemunerationDetermined {
    /// 改定区分.
    pub kind: DeterminationKind,
    /// 改定年月.
    pub effective_from: YearMonth,
    /// 報酬月額.
    pub monthly_remuneration: Yen,
    /// The new 標準報酬月額.
    pub standard_remuneration: StandardMonthlyRemuneration,
    /// The 標準報酬月額 in force the month before, if any.
    pub previous: Option<StandardMonthlyRemuneration>,
    /// 受付年月日.
    pub received_on: Date,
}

/// 賞与支払 and its 標準賞与額 (45条).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct BonusReported {
    /// 賞与支払年月日.
    pub paid_on: Date,
    /// 賞与支払額.
    pub amount: Yen,
    /// 標準賞与額 added by this payment (1,000円未満切捨て on the month's total, capped by
    /// the 年度 total).
    pub standard_bonus: Yen,
    /// The 年度 (named by its starting year) the payment counts in.
    pub fiscal_year: i32,
    /// Sum of 標準賞与額 in that 年度 including this payment.
    pub fiscal_year_total: Yen,
    /// 受付年月日.
    pub received_on: Date,
}

/// 氏名変更.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct NameChanged {
    /// 氏名変更年月日.
    pub changed_on: Date,
    /// 氏名変更受付日.
    pub received_on: Date,
    /// 氏名変更理由.
    pub reason: NameChangeReason,
    /// 氏名 before the change.
    pub previous_name: PersonName,
    /// カナ氏名 before the change.
    pub previous_kana: KanaName,
    /// New 氏名.
    pub name: PersonName,
    /// New カナ氏名.
    pub kana: KanaName,
}

/// 住所変更.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AddressChanged {
    /// 変更年月日.
    pub changed_on: Date,
    /// 受付年月日.
    pub received_on: Date,
    /// New 住民票住所 (None: unchanged).
    pub resident_address: Option<Address>,
    /// New 連絡先住所 (None: unchanged).
    pub contact_address: Option<Address>,
}

/// 産前産後休業 / 育児休業 開始.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LeaveStarted {
    /// 開始年月日.
    pub started_on: Date,
    /// 満了予定年月日.
    pub planned_end_on: Date,
    /// 開始受付日.
    pub received_on: Date,
}

/// 産前産後休業 / 育児休業 終了.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LeaveEnded {
    /// 開始年月日 of the leave that ends.
    pub started_on: Date,
    /// 終了年月日.
    pub ended_on: Date,
    /// 終了受付日.
    pub received_on: Date,
}

/// 資格確認書 交付.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CertificateIssued {
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
}

/// 資格確認書 回収.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CertificateCollected {
    /// The certificate's id.
    pub certificate_id: Uuid,
    /// 交付年月日 of the certificate.
    pub issued_on: Date,
    /// 回収年月日.
    pub collected_on: Date,
    /// 回収理由.
    pub reason: CertificateCollectionReason,
}

/// 給付金支給先口座 登録 (replaces any earlier account; only the latest is kept, digest.md
/// §1.1 note: L3457–3461).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PaymentAccountRegistered {
    /// The account.
    pub account: PaymentAccount,
    /// Where it came from.
    pub source: AccountSource,
    /// 受付年月日.
    pub received_on: Date,
    /// Who proposed and who confirmed the change (absent on events recorded before a
    /// second person's confirmation was required).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmation: Option<Confirmation>,
}

/// 給付金支給先口座 登録・変更の申請: the account proposed; the one in force stays until a
/// second staff member confirms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PaymentAccountChangeProposed {
    pub change_id: Uuid,
    /// The account proposed.
    pub account: PaymentAccount,
    /// Where it came from.
    pub source: AccountSource,
    /// 受付年月日.
    pub received_on: Date,
    /// 職員ID of the proposer.
    pub proposed_by: String,
    pub proposed_at: DateTime<Utc>,
}

/// The proposed account change was rejected by a second staff member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PaymentAccountChangeRejected {
    pub change_id: Uuid,
    /// 職員ID of the one who rejected (never the proposer).
    pub rejected_by: String,
    pub rejected_at: DateTime<Utc>,
    pub reason: String,
}

/// 識別番号 変更.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct IdentificationChanged {
    /// The first day the new 識別番号 applies.
    pub effective_on: Date,
    /// The 識別番号 before.
    pub previous: IdentificationNumber,
    /// The new 識別番号.
    pub identification: IdentificationNumber,
    /// 受付年月日.
    pub received_on: Date,
    /// Why.
    pub reason: Option<Description>,
}

/// 資格取得の取消: the person's current period (資格取得 or 被扶養者認定) is void from its start —
/// deemed never to have existed (37条2項 for a 任意継続 whose first premium was unpaid). The
/// period leaves the person's qualification history (the events stay); the person is again as
/// the period before left them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AcquisitionVoided {
    /// 加入区分 of the voided period (for a dependent: the insured's).
    pub category: EnrollmentCategory,
    /// 資格取得年月日 / 認定年月日 of the voided period.
    pub started_on: Date,
    /// Why.
    pub reason: VoidReason,
    /// 受付年月日.
    pub received_on: Date,
}
