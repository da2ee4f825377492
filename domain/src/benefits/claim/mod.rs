//! 給付申請 (benefit claims): the [`BenefitClaim`] aggregate, one event stream per claim, from
//! receipt (受付) through registration (受付登録), calculation (給付金計算), decision (支給決定 /
//! 不支給決定), payment (支払) and notice (決定通知書) — digest.md §2.3 3-①…3-⑥, with the
//! 給付ファイル items of §1.2 and the benefits of §6.1.
//!
//! The amount is calculated by `benefits::calc` in the application layer and recorded here
//! with its [`crate::basis::Basis`]; this module keeps the claim's state and its rules.
//! Cross-aggregate checks are the application layer's: that the person is insured (and the
//! dependent recognized) on the relevant date, and that the payee suits the 加入区分 (任意継続
//! and former insured are paid to their own account, digest.md §2.3 #1, L797–804).

mod aggregate;
mod commands;
mod decide;
mod error;
mod events;
mod values;

#[cfg(test)]
mod tests;

pub use aggregate::BenefitClaim;
pub use commands::{
    BenefitClaimCommand, CalculationRecord, ClaimDecision, ClaimReceipt, ClaimRegistration,
    ClaimWithdrawal, DecisionCorrection, NoticeDispatch, PaymentFailure, PaymentInstruction,
    PaymentResult,
};
pub use error::{BenefitClaimError, ErrorCategory};
pub use events::{
    BenefitClaimEvent, ClaimCalculated, ClaimDecided, ClaimPaid, ClaimReceived, ClaimRegistered,
    ClaimWithdrawn, DecisionCorrected, NoticeSent, PaymentFailed, PaymentInstructed,
};
pub use values::{
    AmountOverride, BankReference, BenefitKind, Calculation, ClaimPeriod, ClaimStatus, Decision,
    EmployerCertification, OfficeCode, Outcome, Payee, PendingPayment, ReasonCode, WagePayment,
    PUBLIC_FUNDS_ACCOUNT_FROM,
};
