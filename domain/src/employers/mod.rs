//! 事業所 (employers): the register of the bank account each 事業所 has benefits paid to —
//! one [`Employer`] stream per 事業所コード ([`OfficeCode`]).
//!
//! Benefits of ordinary insured may be paid to the employer's (事業主の) account (digest.md
//! §2.3 #1, L797–804; a claim's payee `employer_account`). The 事業主 gives the society the
//! account; the 給付課 records it from the day it takes effect (each registration, change or
//! closure proposed by one member and confirmed by another, [`crate::account_change`]), changes it from a later day,
//! and closes it (no account from a day on, e.g. when the 事業所 closes). Every entry is kept:
//! [`Employer::entry_on`] answers which account was in force on any day, and a payment batch
//! pays a claim to the account in force on its 振込指定日.
//!
//! The account is the same [`PaymentAccount`] value as the insured's 給付金支給先口座 (digest.md
//! §1.1 #1: 金融機関コード, 支店コード, 口座種別, 口座番号, 名義人 in カナ).

mod aggregate;
mod commands;
mod error;
mod events;

#[cfg(test)]
mod tests;

pub use crate::benefits::claim::OfficeCode;
pub use crate::qualification::PaymentAccount;
pub use aggregate::{AccountEntry, Employer, EMPLOYER_NAMESPACE, STREAM_TYPE};
pub use commands::{AccountClosure, AccountRegistration, EmployerAccountChange, EmployerCommand};
pub use error::{EmployerError, ErrorCategory, REASON_MAX_CHARS};
pub use events::{
    EmployerAccountChangeProposed, EmployerAccountChangeRejected, EmployerAccountClosed,
    EmployerAccountRegistered, EmployerEvent,
};
