//! 振込データ (payment batches): the [`PaymentBatch`] aggregate, one event stream per batch of
//! benefit payments handed to the bank as one 全銀 総合振込 file (digest.md §2.3 3-⑤, §5.3
//! 金融機関), and settled from the bank's answer (振込済 / 振込不能).
//!
//! A batch is made once: [`BatchCreated`] holds every payment with the account it goes to, so
//! the transfer file is a pure function of that event and every download gives the same bytes
//! (the file itself is written by `kenpo_infrastructure::bank_files::transfer`). Which claims
//! go into a batch, and their `PaymentInstructed` / `ClaimPaid` / `PaymentFailed` events on the
//! [`crate::benefits::claim::BenefitClaim`] streams, are the application layer's, in the same
//! transaction as the batch's own event.

mod aggregate;
mod commands;
mod decide;
mod error;
mod events;
mod values;

#[cfg(test)]
mod tests;

/// Stream type of a payment batch (streams are `payment_batch-<uuid>`).
pub const STREAM_TYPE: &str = "payment_batch";

pub use aggregate::PaymentBatch;
pub use commands::{
    BankResult, BatchApproval, BatchCreation, PaymentBatchCommand, TransferFileDownload,
};
pub use decide::{MAX_AMOUNT, MAX_PAYMENTS, MAX_TOTAL};
pub use error::{ErrorCategory, PaymentBatchError};
pub use events::{
    BankResultRecorded, BatchApproved, BatchCreated, PaymentBatchEvent, TransferFileDownloaded,
};
pub use values::{
    BatchPayment, BatchStatus, ClaimTransferResult, PaymentOrder, RequesterAccountType,
    SettledTransfer, TransferOutcome, TransferRequester,
};
