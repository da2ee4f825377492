//! 適用 (qualification): the [`Person`] aggregate, one event stream per person.
//!
//! A person is a 被保険者 (insured) or a 被扶養者 (dependent) over one or more qualification
//! periods (資格取得 → 資格喪失, 被扶養者認定 → 被扶養者削除). While insured, the stream also
//! records 標準報酬 決定・改定, 賞与, 産前産後休業 and 育児休業; for anyone qualified, 氏名・住所
//! changes, 資格確認書 issue and collection and 識別番号 changes (digest.md §1.1, §2.1).
//!
//! Cross-person rules are the application layer's job, with help from this module: a
//! 被扶養者認定 carries the insured's [`InsuredStanding`] (from [`Person::standing_on`]); when an
//! insured loses the qualification, the application removes each dependent with
//! [`DependentRemovalReason::InsuredLostQualification`].

mod aggregate;
mod commands;
mod decide;
mod error;
mod events;
mod reasons;
mod state;
pub mod values;

#[cfg(test)]
mod tests;

pub use aggregate::Person;
pub use commands::{
    AcquisitionVoiding, AddressChange, BonusReport, CertificateCollection, CertificateIssue,
    DependentRecognition, DependentRemoval, IdentificationChange, InsuredStanding, LeaveEnd,
    LeaveStart, NameChange, PaymentAccountRegistration, PersonCommand, QualificationAcquisition,
    QualificationLoss, StandardRemunerationDetermination,
};
pub use error::{ErrorCategory, QualificationError};
pub use events::{
    AcquisitionVoided, AddressChanged, BonusReported, CertificateCollected, CertificateIssued,
    DependentRecognized, DependentRemoved, IdentificationChanged, LeaveEnded, LeaveStarted,
    NameChanged, PaymentAccountChangeProposed, PaymentAccountChangeRejected,
    PaymentAccountRegistered, PersonEvent, QualificationAcquired, QualificationLost,
    StandardRemunerationDetermined,
};
pub use reasons::{
    AccountSource, AcquisitionReason, CertificateCollectionReason, DependentRemovalReason,
    DeterminationKind, LeaveKind, LossReason, NameChangeReason, VoidReason,
};
pub use state::{
    BonusRecord, CertificateRecord, IdentificationRecord, LeaveRecord, PaymentAccountRecord,
    PeriodEnd, PersonalDetails, QualificationPeriod, RemunerationRecord, Role,
};
pub use values::{
    AccountType, Address, AffiliationCode, Description, EmployeeNumber, EnrollmentCategory,
    IdentificationNumber, KanaName, PaymentAccount, PersonName, PhoneNumber, Relationship,
    RelationshipCode, Sex, ValueError,
};
