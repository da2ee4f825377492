//! Command handling of the [`PaymentBatch`] aggregate.
//!
//! Decisions documented here once:
//! - A batch is created once, with at least one payment, each claim once, each amount within
//!   the 振込金額 field (1 to 9,999,999,999円), at most 999,999 payments and a total within the
//!   合計金額 field (999,999,999,999円) — the limits of the 総合振込 trailer. Lines are numbered
//!   1, 2, … in the order given.
//! - 振込指定日 is not before the 支払指示年月日; a result date is not before it either.
//! - A bank result may cover some of the batch's claims; later results cover the rest. A
//!   claim already settled with the same answer (same outcome, same bank reference or reason)
//!   is skipped, so posting one result twice records nothing the second time; a different
//!   answer for a settled claim is refused (`result_conflicts`).
//! - Four eyes (振込データ承認): a batch is approved once, by a 給付課 member who did not make it
//!   (`two_person_rule`); its transfer file is downloaded only once approved
//!   (`batch_not_approved`), and every download is an event of the batch. A batch made before
//!   its maker was recorded cannot be approved (`batch_not_attributed`).

use std::collections::BTreeSet;

use super::aggregate::PaymentBatch;
use super::commands::{
    BankResult, BatchApproval, BatchCreation, PaymentBatchCommand, TransferFileDownload,
};
use super::error::PaymentBatchError as E;
use super::events::{
    BankResultRecorded, BatchApproved, BatchCreated, PaymentBatchEvent, TransferFileDownloaded,
};
use super::values::{BatchPayment, SettledTransfer};
use crate::money::Yen;

type Result<T> = std::result::Result<T, E>;

/// Most payments a batch holds (合計件数 is 6 digits).
pub const MAX_PAYMENTS: usize = 999_999;
/// Largest single payment (振込金額 is 10 digits).
pub const MAX_AMOUNT: Yen = Yen::new(9_999_999_999);
/// Largest batch total (合計金額 is 12 digits).
pub const MAX_TOTAL: Yen = Yen::new(999_999_999_999);

impl PaymentBatch {
    /// Checks `command` and returns the event it records; `None` when a result repeats what is
    /// recorded.
    pub(crate) fn decide(&self, command: PaymentBatchCommand) -> Result<Option<PaymentBatchEvent>> {
        match command {
            PaymentBatchCommand::Create(body) => self
                .create(body)
                .map(|e| Some(PaymentBatchEvent::BatchCreated(Box::new(e)))),
            PaymentBatchCommand::RecordBankResult(body) => Ok(self
                .settle(&body)?
                .map(PaymentBatchEvent::BankResultRecorded)),
            PaymentBatchCommand::Approve(body) => self
                .approve(body)
                .map(|e| Some(PaymentBatchEvent::BatchApproved(e))),
            PaymentBatchCommand::RecordDownload(body) => self
                .record_download(body)
                .map(|e| Some(PaymentBatchEvent::TransferFileDownloaded(e))),
        }
    }

    fn approve(&self, body: BatchApproval) -> Result<BatchApproved> {
        let created = self.created.as_ref().ok_or(E::BatchNotFound)?;
        if let Some(approved) = &self.approved {
            return Err(E::AlreadyApproved {
                approved_by: approved.approved_by.clone(),
            });
        }
        match created.created_by.as_deref() {
            None => return Err(E::CreatorNotRecorded),
            Some(creator) if creator == body.approved_by => {
                return Err(E::ApproverIsCreator {
                    staff_id: body.approved_by,
                })
            }
            Some(_) => {}
        }
        Ok(BatchApproved {
            approved_by: body.approved_by,
            approved_at: body.approved_at,
        })
    }

    /// Whether the transfer file may be served: the batch exists and is approved.
    pub fn check_downloadable(&self) -> Result<()> {
        self.created.as_ref().ok_or(E::BatchNotFound)?;
        if self.approved.is_none() {
            return Err(E::NotApproved);
        }
        Ok(())
    }

    fn record_download(&self, body: TransferFileDownload) -> Result<TransferFileDownloaded> {
        self.check_downloadable()?;
        Ok(TransferFileDownloaded {
            downloaded_by: body.downloaded_by,
            downloaded_at: body.downloaded_at,
            client_address: body.client_address,
            terminal_id: body.terminal_id,
            file_sha256: body.file_sha256,
            file_bytes: body.file_bytes,
        })
    }

    fn create(&self, body: BatchCreation) -> Result<BatchCreated> {
        if let Some(created) = &self.created {
            return Err(E::BatchAlreadyCreated {
                batch_id: created.batch_id,
            });
        }
        if body.payments.is_empty() {
            return Err(E::NoPayments);
        }
        if body.payments.len() > MAX_PAYMENTS {
            return Err(E::TooManyPayments {
                count: body.payments.len(),
                max: MAX_PAYMENTS,
            });
        }
        if body.transfer_date < body.instructed_on {
            return Err(E::DateOutOfOrder {
                what: "transfer_date (振込指定日)",
                date: body.transfer_date,
                reference_what: "instructed_on (支払指示年月日)",
                reference: body.instructed_on,
            });
        }
        let mut seen = BTreeSet::new();
        let mut total = Yen::ZERO;
        let mut payments = Vec::with_capacity(body.payments.len());
        for (line, order) in (1_u32..).zip(body.payments) {
            if !seen.insert(order.claim_id) {
                return Err(E::DuplicateClaim {
                    claim_id: order.claim_id,
                });
            }
            if order.amount <= Yen::ZERO || order.amount > MAX_AMOUNT {
                return Err(E::InvalidAmount {
                    claim_id: order.claim_id,
                    amount: order.amount,
                });
            }
            total += order.amount;
            payments.push(BatchPayment {
                line,
                claim_id: order.claim_id,
                person_id: order.person_id,
                kind: order.kind,
                payee: order.payee,
                account: order.account,
                amount: order.amount,
            });
        }
        if total > MAX_TOTAL {
            return Err(E::TotalTooLarge { total });
        }
        Ok(BatchCreated {
            batch_id: body.batch_id,
            instructed_on: body.instructed_on,
            transfer_date: body.transfer_date,
            requester: body.requester,
            count: u32::try_from(payments.len()).unwrap_or(u32::MAX),
            payments,
            total_amount: total,
            created_by: Some(body.created_by),
        })
    }

    /// What `result` newly settles: `None` when every answer in it is already recorded.
    /// The application layer calls this first to learn which claims to change.
    pub fn settle(&self, result: &BankResult) -> Result<Option<BankResultRecorded>> {
        let created = self.created.as_ref().ok_or(E::BatchNotFound)?;
        if result.results.is_empty() {
            return Err(E::EmptyResult);
        }
        if result.result_date < created.instructed_on {
            return Err(E::DateOutOfOrder {
                what: "result_date (結果年月日)",
                date: result.result_date,
                reference_what: "instructed_on (支払指示年月日)",
                reference: created.instructed_on,
            });
        }
        let mut seen = BTreeSet::new();
        let mut settled = Vec::new();
        for answer in &result.results {
            if !seen.insert(answer.claim_id) {
                return Err(E::DuplicateResult {
                    claim_id: answer.claim_id,
                });
            }
            let payment = self.payment(answer.claim_id).ok_or(E::ClaimNotInBatch {
                claim_id: answer.claim_id,
            })?;
            if let Some(recorded) = self.settled.get(&answer.claim_id) {
                if recorded.outcome == answer.outcome {
                    continue;
                }
                return Err(E::ResultConflicts {
                    claim_id: answer.claim_id,
                    recorded: recorded.outcome.code(),
                    given: answer.outcome.code(),
                    settled_on: recorded.settled_on,
                });
            }
            settled.push(SettledTransfer {
                claim_id: answer.claim_id,
                line: payment.line,
                amount: payment.amount,
                outcome: answer.outcome.clone(),
                settled_on: result.result_date,
            });
        }
        if settled.is_empty() {
            return Ok(None);
        }
        settled.sort_by_key(|s| s.line);
        Ok(Some(BankResultRecorded {
            result_date: result.result_date,
            settled,
        }))
    }
}
