//! Events of the [`super::Employer`] aggregate. `event_type()` strings and `event_version()`
//! are stable.

use chrono::{DateTime, Utc};
use cqrs_es::DomainEvent;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::commands::EmployerAccountChange;
use super::OfficeCode;
use crate::account_change::Confirmation;
use crate::calendar::Date;
use crate::qualification::PaymentAccount;

/// An event of the [`super::Employer`] aggregate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum EmployerEvent {
    /// An account is in force from a day on.
    EmployerAccountRegistered(EmployerAccountRegistered),
    /// No account from a day on.
    EmployerAccountClosed(EmployerAccountClosed),
    /// A change was proposed; nothing is in force until it is confirmed.
    EmployerAccountChangeProposed(EmployerAccountChangeProposed),
    /// The proposed change was rejected; it never takes effect.
    EmployerAccountChangeRejected(EmployerAccountChangeRejected),
}

impl EmployerEvent {
    /// Every event type string.
    pub const EVENT_TYPES: [&'static str; 4] = [
        "EmployerAccountRegistered",
        "EmployerAccountClosed",
        "EmployerAccountChangeProposed",
        "EmployerAccountChangeRejected",
    ];

    /// The event's type name (the variant name, also its serde tag).
    pub const fn type_name(&self) -> &'static str {
        match self {
            Self::EmployerAccountRegistered(_) => "EmployerAccountRegistered",
            Self::EmployerAccountClosed(_) => "EmployerAccountClosed",
            Self::EmployerAccountChangeProposed(_) => "EmployerAccountChangeProposed",
            Self::EmployerAccountChangeRejected(_) => "EmployerAccountChangeRejected",
        }
    }

    /// The 事業所 the event belongs to.
    pub const fn office_code(&self) -> &OfficeCode {
        match self {
            Self::EmployerAccountRegistered(e) => &e.office_code,
            Self::EmployerAccountClosed(e) => &e.office_code,
            Self::EmployerAccountChangeProposed(e) => &e.office_code,
            Self::EmployerAccountChangeRejected(e) => &e.office_code,
        }
    }

    /// First day the event's entry is in force; `None` for a proposal or rejection, which add
    /// no entry to the register.
    pub const fn effective_from(&self) -> Option<Date> {
        match self {
            Self::EmployerAccountRegistered(e) => Some(e.effective_from),
            Self::EmployerAccountClosed(e) => Some(e.effective_from),
            Self::EmployerAccountChangeProposed(_) | Self::EmployerAccountChangeRejected(_) => None,
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
    /// Who proposed and who confirmed (absent on entries recorded before a second person's
    /// confirmation was required).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmation: Option<Confirmation>,
}

/// 事業主口座 廃止: no account from `effective_from` until a later registration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmployerAccountClosed {
    pub office_code: OfficeCode,
    pub effective_from: Date,
    /// 受付年月日.
    pub received_on: Date,
    pub reason: String,
    /// Who proposed and who confirmed (absent on entries recorded before a second person's
    /// confirmation was required).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmation: Option<Confirmation>,
}

/// 事業主口座 登録・変更・廃止の申請: not in force until a second staff member confirms it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmployerAccountChangeProposed {
    pub office_code: OfficeCode,
    pub change_id: Uuid,
    pub change: EmployerAccountChange,
    /// 職員ID of the proposer.
    pub proposed_by: String,
    pub proposed_at: DateTime<Utc>,
}

/// The proposed change was rejected by a second staff member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmployerAccountChangeRejected {
    pub office_code: OfficeCode,
    pub change_id: Uuid,
    /// 職員ID of the one who rejected (never the proposer).
    pub rejected_by: String,
    pub rejected_at: DateTime<Utc>,
    pub reason: String,
}
