//! [`MedicalCertificateError`]: why a command on a [`super::MedicalCertificate`] was refused.

use thiserror::Error;
use uuid::Uuid;

use super::values::{CertificateKind, LimitCategory};
use crate::calendar::Date;
pub use crate::qualification::ErrorCategory;

/// A command refused by the [`super::MedicalCertificate`] aggregate.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum MedicalCertificateError {
    /// A command on a certificate never issued.
    #[error("certificate not found: no 証交付 is recorded")]
    CertificateNotFound,
    /// `Issue` on an existing certificate.
    #[error("the certificate {certificate_id} is already issued")]
    CertificateAlreadyIssued { certificate_id: Uuid },
    /// A command on a collected certificate.
    #[error("the certificate was already collected (回収) on {collected_on}")]
    AlreadyCollected { collected_on: Date },
    /// 有効終了 before 有効開始.
    #[error("the validity ends on {valid_to}, before it starts on {valid_from}")]
    EndBeforeStart { valid_from: Date, valid_to: Date },
    /// A date before the one it must follow.
    #[error("{what} {date} is before {reference_what} {reference}")]
    DateOutOfOrder {
        what: &'static str,
        date: Date,
        reference_what: &'static str,
        reference: Date,
    },
    /// Validity past the day before the 75th birthday.
    #[error("the validity ends on {valid_to}, after {last_day}, the day before the 75th birthday (後期高齢者医療 from then on)")]
    BeyondSeventyFifthBirthday { valid_to: Date, last_day: Date },
    /// A 70–74 certificate or category starting before the 高齢受給者 start.
    #[error("{what} applies from {start} (the month after the 70th birthday month), not from {valid_from}")]
    BeforeElderlyStart {
        what: &'static str,
        start: Date,
        valid_from: Date,
    },
    /// An under-70 category or limit past the day before the 高齢受給者 start.
    #[error("{what} applies under 70 only: the validity must end by {last_day}, not {valid_to}")]
    BeyondAgeBand {
        what: &'static str,
        last_day: Date,
        valid_to: Date,
    },
    /// 透析 under 70 without the 標準報酬月額.
    #[error("a 特定疾病療養受療証 for dialysis (透析) under 70 needs the 標準報酬月額 to set the limit (10,000 / 20,000)")]
    StandardRemunerationRequired,
    /// A command for another kind of certificate.
    #[error("{what} does not apply to a {kind} certificate")]
    NotApplicableToKind {
        what: &'static str,
        kind: CertificateKind,
    },
    /// 長期入院 for a category without the meal-charge reduction.
    #[error("長期入院該当 applies to 区分オ and 低所得Ⅱ only, not to {category:?}")]
    NotApplicableToCategory { category: LimitCategory },
    /// 長期入院 already recorded.
    #[error("長期入院該当 is already recorded (from {qualified_on})")]
    LongTermHospitalizationAlreadyRecorded { qualified_on: Date },
}

crate::refusal::refusal_by_inherent_methods!(MedicalCertificateError);

impl MedicalCertificateError {
    /// Stable snake_case code for API problem documents.
    pub fn code(&self) -> &'static str {
        use MedicalCertificateError as E;
        match self {
            E::CertificateNotFound => "certificate_not_found",
            E::CertificateAlreadyIssued { .. } => "certificate_already_issued",
            E::AlreadyCollected { .. } => "certificate_already_collected",
            E::EndBeforeStart { .. } => "end_before_start",
            E::DateOutOfOrder { .. } => "date_out_of_order",
            E::BeyondSeventyFifthBirthday { .. } => "beyond_75th_birthday",
            E::BeforeElderlyStart { .. } => "before_elderly_start",
            E::BeyondAgeBand { .. } => "beyond_age_band",
            E::StandardRemunerationRequired => "standard_remuneration_required",
            E::NotApplicableToKind { .. } => "not_applicable_to_kind",
            E::NotApplicableToCategory { .. } => "not_applicable_to_category",
            E::LongTermHospitalizationAlreadyRecorded { .. } => {
                "long_term_hospitalization_already_recorded"
            }
        }
    }

    /// HTTP-level category of the error.
    pub fn category(&self) -> ErrorCategory {
        use MedicalCertificateError as E;
        match self {
            E::CertificateNotFound => ErrorCategory::NotFound,
            E::CertificateAlreadyIssued { .. }
            | E::AlreadyCollected { .. }
            | E::LongTermHospitalizationAlreadyRecorded { .. } => ErrorCategory::Conflict,
            E::EndBeforeStart { .. }
            | E::DateOutOfOrder { .. }
            | E::BeyondSeventyFifthBirthday { .. }
            | E::BeforeElderlyStart { .. }
            | E::BeyondAgeBand { .. }
            | E::StandardRemunerationRequired
            | E::NotApplicableToKind { .. }
            | E::NotApplicableToCategory { .. } => ErrorCategory::Invalid,
        }
    }
}
