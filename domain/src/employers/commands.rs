//! Commands of the [`super::Employer`] aggregate.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::OfficeCode;
use crate::account_change::{ChangeConfirmation, ChangeRejection};
use crate::calendar::Date;
use crate::qualification::PaymentAccount;

/// A command on one 事業所's stream. A change of the register is proposed, and takes effect
/// only when another staff member confirms it ([`crate::account_change`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EmployerCommand {
    /// Propose a registration, change or closure. At most one change is pending per 事業所.
    ProposeChange {
        change_id: Uuid,
        change: EmployerAccountChange,
        /// 職員ID from the token.
        proposed_by: String,
        proposed_at: DateTime<Utc>,
    },
    /// Confirm the pending change: it takes effect (`EmployerAccountRegistered` /
    /// `EmployerAccountClosed`).
    ConfirmChange {
        office_code: OfficeCode,
        confirmation: ChangeConfirmation,
    },
    /// Reject the pending change: it never takes effect.
    RejectChange {
        office_code: OfficeCode,
        rejection: ChangeRejection,
    },
}

/// A change of the register, as proposed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EmployerAccountChange {
    /// 事業主口座 登録・変更: the account in force from a day on.
    Register(AccountRegistration),
    /// 事業主口座 廃止: no account from a day on.
    Close(AccountClosure),
}

impl EmployerAccountChange {
    /// The 事業所 the change is for.
    pub const fn office_code(&self) -> &OfficeCode {
        match self {
            Self::Register(r) => &r.office_code,
            Self::Close(c) => &c.office_code,
        }
    }
}

/// Register the account benefits are paid to from `effective_from` on (the first one, or a
/// change: the previous account stays in force until the day before).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountRegistration {
    pub office_code: OfficeCode,
    /// First day the account is paid to.
    pub effective_from: Date,
    pub account: PaymentAccount,
    /// 受付年月日 of the 事業主's notice.
    pub received_on: Date,
}

/// Close the account: from `effective_from` on, the 事業所 has no account to pay to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountClosure {
    pub office_code: OfficeCode,
    /// First day without an account.
    pub effective_from: Date,
    /// 受付年月日 of the notice (or the day the society learned of it).
    pub received_on: Date,
    /// Why (事業所廃止, 事業主の申出, …).
    pub reason: String,
}
