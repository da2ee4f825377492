//! 給付関係の証 (benefit certificates): the [`MedicalCertificate`] aggregate, one event stream
//! per certificate — 限度額適用認定証, 高齢受給者証 and 特定疾病療養受療証 (digest.md §1.2
//! L1853–1869, §6.2; rules.md §5.8–5.10) — with the age rules they follow
//! ([`elderly_co_payment_start`], [`last_day_before_75th_birthday`]).
//!
//! What the certificate says (適用区分, 一部負担金割合) is decided by the application layer from
//! the person's 標準報酬 and income and passed in with its basis; this module checks the
//! validity period against the age rules and keeps issue and collection.

mod aggregate;
mod commands;
mod error;
mod events;
mod rules;
mod values;

#[cfg(test)]
mod tests;

pub use aggregate::{specific_disease_limit, MedicalCertificate};
pub use commands::{
    LongTermHospitalization, MedicalCertificateCollection, MedicalCertificateCommand,
    MedicalCertificateIssue,
};
pub use error::{ErrorCategory, MedicalCertificateError};
pub use events::{
    LongTermHospitalizationRecorded, MedicalCertificateCollected, MedicalCertificateEvent,
    MedicalCertificateIssued,
};
pub use rules::{elderly_co_payment_start, is_elderly_on, last_day_before_75th_birthday};
pub use values::{
    CertificateCollectionReason, CertificateDetails, CertificateKind, CoPaymentRatio,
    LimitCategory, SpecificDisease, HIGH_INCOME_STANDARD_REMUNERATION, SPECIFIC_DISEASE_LIMIT,
    SPECIFIC_DISEASE_LIMIT_DIALYSIS_HIGH_INCOME,
};
