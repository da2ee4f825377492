//! The view of one benefit certificate (限度額適用認定証, 高齢受給者証, 特定疾病療養受療証).

use kenpo_domain::benefits::certificates::{
    CertificateDetails, CertificateKind, MedicalCertificateCollected, MedicalCertificateEvent,
    MedicalCertificateIssued,
};
use kenpo_domain::calendar::Date;
use kenpo_domain::money::Yen;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// Whether the certificate is still with its holder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CertificateStatus {
    /// 交付済 (not collected).
    InUse,
    /// 回収済.
    Collected,
}

impl CertificateStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InUse => "in_use",
            Self::Collected => "collected",
        }
    }
}

/// One certificate as staff see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CertificateView {
    pub certificate_id: Uuid,
    /// The holder (被保険者 or 被扶養者).
    pub person_id: Uuid,
    pub kind: CertificateKind,
    pub status: CertificateStatus,
    /// The holder's 生年月日 at issue.
    pub birth_date: Date,
    /// 交付年月日.
    pub issued_on: Date,
    /// 有効開始年月日.
    pub valid_from: Date,
    /// 有効終了年月日.
    pub valid_to: Date,
    /// 適用区分, 一部負担金割合 with its basis, or 認定疾病区分.
    pub details: CertificateDetails,
    /// 自己負担限度額 (特定疾病療養受療証).
    pub self_pay_limit: Option<Yen>,
    /// 長期入院該当年月日 (限度額適用・標準負担額減額認定証).
    pub long_term_hospitalization_on: Option<Date>,
    /// 回収.
    pub collection: Option<MedicalCertificateCollected>,
    pub stream_version: i64,
}

impl CertificateView {
    /// The view of a certificate just issued.
    pub fn issued(version: i64, e: &MedicalCertificateIssued) -> Self {
        let long_term_hospitalization_on = match &e.details {
            CertificateDetails::LimitApplication {
                long_term_hospitalization_on,
                ..
            } => *long_term_hospitalization_on,
            _ => None,
        };
        Self {
            certificate_id: e.certificate_id,
            person_id: e.person_id,
            kind: e.details.kind(),
            status: CertificateStatus::InUse,
            birth_date: e.birth_date,
            issued_on: e.issued_on,
            valid_from: e.valid_from,
            valid_to: e.valid_to,
            details: e.details.clone(),
            self_pay_limit: e.self_pay_limit,
            long_term_hospitalization_on,
            collection: None,
            stream_version: version,
        }
    }

    /// Fold one event into the view.
    pub fn apply(&mut self, version: i64, event: &MedicalCertificateEvent) {
        self.stream_version = version;
        match event {
            MedicalCertificateEvent::MedicalCertificateIssued(e) => {
                *self = Self::issued(version, e);
            }
            MedicalCertificateEvent::MedicalCertificateCollected(e) => {
                self.collection = Some(e.clone());
                self.status = CertificateStatus::Collected;
            }
            MedicalCertificateEvent::LongTermHospitalizationRecorded(e) => {
                self.long_term_hospitalization_on = Some(e.qualified_on);
            }
        }
    }
}
