//! Events of the [`super::MedicalCertificate`] aggregate. The type strings are prefixed
//! `MedicalCertificate…` so that they never collide with the 資格確認書 events
//! `CertificateIssued` / `CertificateCollected` of [`crate::qualification::PersonEvent`]
//! (upcasters are selected by event type).

use cqrs_es::DomainEvent;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::values::{CertificateCollectionReason, CertificateDetails};
use crate::calendar::Date;
use crate::money::Yen;
use crate::qualification::Description;

/// An event of the [`super::MedicalCertificate`] aggregate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum MedicalCertificateEvent {
    /// 証交付.
    MedicalCertificateIssued(MedicalCertificateIssued),
    /// 証回収.
    MedicalCertificateCollected(MedicalCertificateCollected),
    /// 長期入院該当.
    LongTermHospitalizationRecorded(LongTermHospitalizationRecorded),
}

impl MedicalCertificateEvent {
    /// Every event type string, for registries and upcasters.
    pub const EVENT_TYPES: [&'static str; 3] = [
        "MedicalCertificateIssued",
        "MedicalCertificateCollected",
        "LongTermHospitalizationRecorded",
    ];

    /// The event's type name (the variant name, also its serde tag).
    pub const fn type_name(&self) -> &'static str {
        match self {
            MedicalCertificateEvent::MedicalCertificateIssued(_) => "MedicalCertificateIssued",
            MedicalCertificateEvent::MedicalCertificateCollected(_) => {
                "MedicalCertificateCollected"
            }
            MedicalCertificateEvent::LongTermHospitalizationRecorded(_) => {
                "LongTermHospitalizationRecorded"
            }
        }
    }
}

impl DomainEvent for MedicalCertificateEvent {
    fn event_type(&self) -> String {
        self.type_name().to_string()
    }

    fn event_version(&self) -> String {
        "1.0".to_string()
    }
}

/// 証交付.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MedicalCertificateIssued {
    /// The certificate's id.
    pub certificate_id: Uuid,
    /// The holder.
    pub person_id: Uuid,
    /// The holder's 生年月日 at issue.
    pub birth_date: Date,
    /// 交付年月日.
    pub issued_on: Date,
    /// 有効開始年月日.
    pub valid_from: Date,
    /// 有効終了年月日.
    pub valid_to: Date,
    /// Kind and contents.
    pub details: CertificateDetails,
    /// 自己負担限度額 (特定疾病療養受療証 only): 10,000 or 20,000 (rules.md §5.10).
    pub self_pay_limit: Option<Yen>,
}

/// 証回収.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MedicalCertificateCollected {
    /// 回収年月日.
    pub collected_on: Date,
    /// 回収理由.
    pub reason: CertificateCollectionReason,
    /// Note.
    pub note: Option<Description>,
}

/// 長期入院該当.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LongTermHospitalizationRecorded {
    /// 長期入院該当年月日.
    pub qualified_on: Date,
    /// 受付年月日.
    pub received_on: Date,
}
