//! Events of the [`super::Employer`] aggregate. `event_type()` strings and `event_version()`
//! are stable.

use cqrs_es::DomainEvent;
use serde::{Deserialize, Serialize};

use super::OfficeCode;
use crate::calendar::Date;
use crate::qualification::PaymentAccount;

/// An event of the [`super::Employer`] aggregate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum EmployerEvent {
    /// An account is in force from a day on.
    EmployerAccountRegistered(EmployerAccountRegistered),
    /// No account from a day on.
    EmployerAccountClosed(EmployerAccountClosed),
}

impl EmployerEvent {
    /// Every event type string.
    pub const EVENT_TYPES: [&'static str; 2] =
        ["EmployerAccountRegistered", "EmployerAccountClosed"];

    /// The event's type name (the variant name, also its serde tag).
    pub const fn type_name(&self) -> &'static str {
        match self {
            Self::EmployerAccountRegistered(_) => "EmployerAccountRegistered",
            Self::EmployerAccountClosed(_) => "EmployerAccountClosed",
        }
    }

    /// The 事業所 the event belongs to.
    pub const fn office_code(&self) -> &OfficeCode {
        match self {
            Self::EmployerAccountRegistered(e) => &e.office_code,
            Self::EmployerAccountClosed(e) => &e.office_code,
        }
    }

    /// First day the event's entry is in force.
    pub const fn effective_from(&self) -> Date {
        match self {
            Self::EmployerAccountRegistered(e) => e.effective_from,
            Self::EmployerAccountClosed(e) => e.effective_from,
        }
    }
}

impl DomainEvent for EmployerEvent {
    fn event_type(&self) -> String {
        self.type_name().to_string()
    }

    fn event_version(&self) -> String {
        "1.0".to_string()
    }
}

/// 事業主口座 登録・変更: `account` is paid to from `effective_from` until the next entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmployerAccountRegistered {
    pub office_code: OfficeCode,
    pub effective_from: Date,
    pub account: PaymentAccount,
    /// 受付年月日.
    pub received_on: Date,
}

/// 事業主口座 廃止: no account from `effective_from` until a later registration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmployerAccountClosed {
    pub office_code: OfficeCode,
    pub effective_from: Date,
    /// 受付年月日.
    pub received_on: Date,
    pub reason: String,
}
