//! 徴収 (premium collection): the premium calculations and the [`PremiumAccount`] aggregate of
//! a 任意継続 / 特例退職 insured person.
//!
//! - [`parameters`]: a parameter value paired with its [`crate::basis::ParameterRef`]; rates
//!   and amounts are never looked up here, the application layer fills them from the
//!   parameter registry and every calculation records the references it used.
//! - [`rounding`]: the named 端数処理 rules (rules.md §3.3, §3.7).
//! - [`rates`]: the rate applicable to a person in a month (健康保険法156条, 附則2条; rules.md
//!   §3.1, §3.2, §3.5, §0).
//! - [`voluntary`]: the monthly premium of a 任意継続被保険者 (47条, 157条, 161条; rules.md §3.7).
//! - [`prepayment`]: 前納 (165条, 施行令48・49条; rules.md §3.7).
//! - [`employer`]: the 納入告知額 of one 事業所 for one month (156条, 159条, 159条の3; rules.md
//!   §3.1, §3.3, §3.6).
//! - [`PremiumAccount`]: 賦課, 前納, 収納, 未納, 資格喪失 and 還付 of one 任継 / 特退 insured
//!   (digest.md §1.3, §2.2, §6.3; rules.md §3.4, §3.7), and 収納取消, 初回保険料の未納
//!   (37条2項) and the 前納 shortfall after a rate rise.

mod account;
mod commands;
mod decide;
pub mod employer;
mod error;
mod events;
pub mod parameters;
pub mod prepayment;
pub mod rates;
pub mod rounding;
pub mod voluntary;

#[cfg(test)]
mod tests;

pub use account::{LedgerRow, PremiumAccount, PrepaidMonthState};
pub use commands::{
    AccountClosing, AccountOpening, ArrearsDetection, MonthAssessment, PaymentChannel,
    PremiumAccountCommand, PrepaymentRecord, PrepaymentShortfallRecord, ReceiptRecord,
    ReceiptReversal, RefundClaim, RefundDecision, RefundPayment,
};
pub use error::{PremiumAccountError, PremiumCalculationError};
pub use events::{
    AccountClosed, AccountOpened, ArrearsDetected, CancelledMonth, ClosingReason, DueRule,
    HolidayShift, MonthAssessed, MonthInArrears, PremiumAccountEvent, PremiumReceived,
    PrepaidMonth, PrepaymentRecorded, PrepaymentShortfallAssessed, ReassessedMonth,
    ReceiptApplication, ReceiptReversed, RefundClaimed, RefundDecided, RefundPaid, ReversalReason,
};
pub use parameters::Parameter;
