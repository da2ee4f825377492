//! 個人番号 (My Number): the [`MyNumberRecord`] aggregate, the 個人番号管理ファイル of one
//! person (digest.md §1.4), one event stream per person (`my_number-<person uuid>`).
//!
//! - [`MyNumber`]: a 12-digit number that passed its check digit (rules.md §1). It has no
//!   `Display` or `Serialize`, a redacted `Debug`, and errors that never echo the input.
//! - Sealing (design/my-number-security.md §7.2): the infrastructure implements [`Sealer`];
//!   events carry only the opaque [`Sealed`] value, bound to the stream version and event type
//!   the aggregate passes (it counts its own events).
//! - Double entry ([`NumberEntry`]): a 登録 or 変更 is a pending entry until a second person
//!   confirms it by keying the number again (ダブルチェック).
//! - [`retention`]: when a number is due for 消去 (10 years after the latest 資格喪失,
//!   digest.md §3).
//!
//! The application layer does what needs more than one stream or a key: the blind-index
//! duplicate check (digest.md §4.4, §4.6), opening the current number for a 変更, and the
//! retention run that destroys the key and records [`MyNumberCommand::Erase`] (design §7.4).

mod aggregate;
mod commands;
mod decide;
mod entry;
mod error;
mod events;
mod number;
pub mod retention;
mod sealing;
mod values;

#[cfg(test)]
mod tests;

pub use aggregate::{ErasureRecord, FiveInfoCheck, MyNumberRecord};
pub use commands::MyNumberCommand;
pub use entry::{EntryClosed, NumberEntry, PendingEntry};
pub use error::MyNumberRecordError;
pub use events::{
    FiveInfoMismatchRecorded, FiveInfoVerified, InsuredBranchNumberAssigned,
    InsuredBranchNumberChanged, MyNumberChanged, MyNumberDeleted, MyNumberEntryRecorded,
    MyNumberEntryWithdrawn, MyNumberErased, MyNumberEvent, MyNumberNotRegistered,
    MyNumberRegistered,
};
pub use number::{MyNumber, MyNumberError, MY_NUMBER_DIGITS};
pub use retention::{erasure_due_on, is_due, RETENTION_YEARS};
pub use sealing::{SealError, Sealed, SealedPlaintext, Sealer, SealerService};
pub use values::{
    BranchNumber, FiveInfoField, MyNumberChangeReason, MyNumberDeletionReason, MyNumberSource,
    NotRegisteredReason, BRANCH_NUMBER_MAX_DIGITS,
};
