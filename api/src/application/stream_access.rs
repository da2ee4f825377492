//! Who may read the raw events of a stream kind (ストリーム閲覧権限): one table, read by
//! `GET /api/v1/streams/{id}` and the global feed `GET /api/v1/events`.
//!
//! A stream's history holds exactly what its read model shows (and more: every past value),
//! so reading it needs the roles the read-model routes of that kind admit. The table is
//! derived from those routes:
//!
//! | kind | read-model routes | roles |
//! |---|---|---|
//! | `person` | `/members…` | every role but `system_admin` |
//! | `benefit_claim` | `/claims…` | every role but `system_admin` |
//! | `my_number` | `/persons/{id}/my-number/status` | every role but `system_admin` and `review` |
//! | `medical_certificate` | `/certificates…` | every role but `system_admin` and `review` |
//! | `premium_account` | `/premium-accounts…`, `/premium-arrears`, `/premium-refunds` | every role but `system_admin` and `review` |
//! | `employer_notice` | `/employer-notices…` | every role but `system_admin` and `review` |
//! | `employer` | `/employers/{office}/payment-account` | `benefits`, `auditor` |
//! | `payment_batch` | `/payment-batches…` | `benefits`, `auditor` |
//! | `parameter` | `/parameters…` | every role |
//! | `staff_account` | `/accounts…` (ユーザ管理簿) | `system_admin`, `data_protection` |
//!
//! The six kinds of personal data leave out `system_admin` (システム担当: staff accounts and
//! parameters), whose duty needs no person's data; `review` (審査課) reads members and claims
//! only (see [`crate::authorization`] for why). The routes admit the same roles
//! ([`crate::authorization::TABLE`]). A kind not in the table is refused to everyone (deny by
//! default).

use crate::auth::Role;

const ALL_BUT_SYSTEM_ADMIN: &[Role] = &[
    Role::Qualification,
    Role::Benefits,
    Role::Premiums,
    Role::Review,
    Role::DataProtection,
    Role::Auditor,
];

/// Persons' data other than members and claims: `review` (審査課) has no duty on it.
const PERSON_DATA_READERS: &[Role] = &[
    Role::Qualification,
    Role::Benefits,
    Role::Premiums,
    Role::DataProtection,
    Role::Auditor,
];

const EVERY_ROLE: &[Role] = &[
    Role::Qualification,
    Role::Benefits,
    Role::Premiums,
    Role::Review,
    Role::SystemAdmin,
    Role::DataProtection,
    Role::Auditor,
];

/// Every stream kind (`stream_type`) the service records, with the roles that may read it.
pub const STREAM_READERS: &[(&str, &[Role])] = &[
    ("person", ALL_BUT_SYSTEM_ADMIN),
    ("my_number", PERSON_DATA_READERS),
    ("benefit_claim", ALL_BUT_SYSTEM_ADMIN),
    ("medical_certificate", PERSON_DATA_READERS),
    ("premium_account", PERSON_DATA_READERS),
    ("employer_notice", PERSON_DATA_READERS),
    ("employer", &[Role::Benefits, Role::Auditor]),
    ("payment_batch", &[Role::Benefits, Role::Auditor]),
    ("parameter", EVERY_ROLE),
    ("staff_account", &[Role::SystemAdmin, Role::DataProtection]),
];

/// The roles that may read streams of `kind`; empty for a kind not in the table.
pub fn readers(kind: &str) -> &'static [Role] {
    STREAM_READERS
        .iter()
        .find(|(k, _)| *k == kind)
        .map_or(&[], |(_, roles)| roles)
}

/// Whether one of `roles` may read streams of `kind`.
pub fn may_read(roles: &[Role], kind: &str) -> bool {
    readers(kind).iter().any(|r| roles.contains(r))
}

/// The kinds one of `roles` may read (for the feed's filter).
pub fn readable_kinds(roles: &[Role]) -> Vec<String> {
    STREAM_READERS
        .iter()
        .filter(|(_, readers)| readers.iter().any(|r| roles.contains(r)))
        .map(|(kind, _)| (*kind).to_owned())
        .collect()
}

/// The kind of a stream id: the part before the first `-` (`person-0190…` → `person`).
pub fn kind_of(stream_id: &str) -> &str {
    stream_id
        .split_once('-')
        .map_or(stream_id, |(kind, _)| kind)
}

#[cfg(test)]
mod tests {
    use super::*;
    use cqrs_es::Aggregate;
    use kenpo_domain::benefits::certificates::MedicalCertificate;
    use kenpo_domain::benefits::claim::BenefitClaim;
    use kenpo_domain::benefits::payment_batch::PaymentBatch;
    use kenpo_domain::employer_notices::EmployerNotice;
    use kenpo_domain::employers::Employer;
    use kenpo_domain::my_number::MyNumberRecord;
    use kenpo_domain::parameters::Parameter;
    use kenpo_domain::premiums::PremiumAccount;
    use kenpo_domain::qualification::Person;
    use kenpo_domain::staff::StaffAccount;

    #[test]
    fn every_aggregate_kind_is_in_the_table_once_and_nothing_else() {
        let mut kinds = vec![
            Person::TYPE,
            MyNumberRecord::TYPE,
            BenefitClaim::TYPE,
            MedicalCertificate::TYPE,
            PremiumAccount::TYPE,
            EmployerNotice::TYPE,
            Employer::TYPE,
            PaymentBatch::TYPE,
            Parameter::TYPE,
            StaffAccount::TYPE,
        ];
        kinds.sort_unstable();
        let mut table: Vec<&str> = STREAM_READERS.iter().map(|(k, _)| *k).collect();
        table.sort_unstable();
        assert_eq!(table, kinds);
        for (kind, roles) in STREAM_READERS {
            assert!(!roles.is_empty(), "{kind} has readers");
        }
    }

    #[test]
    fn an_unknown_kind_is_refused_to_every_role() {
        assert!(readers("ticker").is_empty());
        assert!(!may_read(EVERY_ROLE, "ticker"));
        assert!(!may_read(EVERY_ROLE, ""));
        assert_eq!(kind_of("staff_account-0190"), "staff_account");
        assert_eq!(kind_of("nohyphen"), "nohyphen");
    }
}
