//! ユーザ管理簿 (staff account registry): the [`StaffAccount`] aggregate, one event stream per
//! 職員ID.
//!
//! Each account records the user's 課, roles, 個人番号 取扱権限 and the period in which the
//! rights apply. Only the システム担当課 proposes changes; each takes effect only once the
//! データ保護担当者 confirms it, and the one who confirms is neither the proposer nor the
//! account's holder (digest.md §0.2, §4.1–4.2). Who may propose and approve (by role) is
//! checked by the application layer; the two-person rule is checked here.
//!
//! A fresh installation has no accounts, so no pair to propose and approve the first ones:
//! [`StaffAccountCommand::Bootstrap`] creates an account directly, recorded as a proposal and
//! an approval by the actor `bootstrap`.

mod aggregate;
mod commands;
mod error;
mod events;
mod values;

#[cfg(test)]
mod tests;

pub use aggregate::{
    PendingChange, Revocation, StaffAccount, STAFF_ACCOUNT_NAMESPACE, STREAM_TYPE,
};
pub use commands::{AccountChange, StaffAccountCommand};
pub use error::{ErrorCategory, StaffAccountError};
pub use events::{
    AccountCreated, AccountRevoked, AccountUpdated, ChangeApproved, ChangeProposed, ChangeRejected,
    StaffAccountEvent,
};
pub use values::{validity_covers, AccountDetails, Department, Reason, Role, StaffId};

use chrono::{DateTime, FixedOffset, Offset, Utc};

use crate::calendar::Date;

/// Japan Standard Time, UTC+9 (Asia/Tokyo has had no daylight saving time since 1951).
pub const JST_OFFSET_SECONDS: i32 = 9 * 3600;

/// The calendar date in Japan (Asia/Tokyo) at instant `now`: the day account validity is
/// judged on.
pub fn date_in_japan(now: DateTime<Utc>) -> Date {
    let jst = FixedOffset::east_opt(JST_OFFSET_SECONDS).unwrap_or_else(|| Utc.fix());
    Date::from(now.with_timezone(&jst).date_naive())
}
