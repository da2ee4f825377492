//! The [`PaymentBatch`] aggregate: one stream per batch.

use std::collections::BTreeMap;

use cqrs_es::event_sink::EventSink;
use cqrs_es::Aggregate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::commands::PaymentBatchCommand;
use super::error::PaymentBatchError;
use super::events::{BatchApproved, BatchCreated, PaymentBatchEvent};
use super::values::{BatchPayment, BatchStatus, SettledTransfer};
use crate::money::Yen;

/// A 総合振込 batch of benefit payments (振込データ, digest.md §2.3 3-⑤): created once with its
/// payments, then settled claim by claim from the bank's results. The aggregate id is the
/// batch's UUID, repeated in [`BatchCreated`].
///
/// The batch keeps its own view of each payment; the claims keep theirs
/// (`PaymentInstructed`, `ClaimPaid`, `PaymentFailed`): the application layer changes both
/// in one transaction.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PaymentBatch {
    pub(super) created: Option<BatchCreated>,
    /// Settled transfers by claim.
    pub(super) settled: BTreeMap<Uuid, SettledTransfer>,
    /// The approval (振込データ承認), once given.
    pub(super) approved: Option<BatchApproved>,
}

impl Aggregate for PaymentBatch {
    const TYPE: &'static str = super::STREAM_TYPE;
    type Command = PaymentBatchCommand;
    type Event = PaymentBatchEvent;
    type Error = PaymentBatchError;
    type Services = ();

    async fn handle(
        &mut self,
        command: Self::Command,
        _services: &Self::Services,
        sink: &EventSink<Self>,
    ) -> Result<(), Self::Error> {
        if let Some(event) = self.decide(command)? {
            sink.write(event, self).await;
        }
        Ok(())
    }

    fn apply(&mut self, event: Self::Event) {
        match event {
            PaymentBatchEvent::BatchCreated(e) => self.created = Some(*e),
            PaymentBatchEvent::BankResultRecorded(e) => {
                for transfer in e.settled {
                    self.settled.insert(transfer.claim_id, transfer);
                }
            }
            PaymentBatchEvent::BatchApproved(e) => self.approved = Some(e),
            PaymentBatchEvent::TransferFileDownloaded(_) => {}
        }
    }
}

impl PaymentBatch {
    /// The batch as created.
    pub fn created(&self) -> Option<&BatchCreated> {
        self.created.as_ref()
    }

    /// The approval, once given: the transfer file is served only then.
    pub fn approval(&self) -> Option<&BatchApproved> {
        self.approved.as_ref()
    }

    /// The payments, in file order (empty before creation).
    pub fn payments(&self) -> &[BatchPayment] {
        self.created.as_ref().map_or(&[], |c| c.payments.as_slice())
    }

    /// The payment of `claim_id`, if the batch holds it.
    pub fn payment(&self, claim_id: Uuid) -> Option<&BatchPayment> {
        self.payments().iter().find(|p| p.claim_id == claim_id)
    }

    /// The result recorded for `claim_id`, if any.
    pub fn settlement(&self, claim_id: Uuid) -> Option<&SettledTransfer> {
        self.settled.get(&claim_id)
    }

    /// Every settled transfer, by claim.
    pub fn settled(&self) -> impl Iterator<Item = &SettledTransfer> {
        self.settled.values()
    }

    /// Where the batch stands; `None` before it is created.
    pub fn status(&self) -> Option<BatchStatus> {
        let created = self.created.as_ref()?;
        Some(if self.settled.is_empty() {
            BatchStatus::Instructed
        } else if self.settled.len() < created.payments.len() {
            BatchStatus::PartiallySettled
        } else {
            BatchStatus::Settled
        })
    }

    /// The total of the payments without a result yet.
    pub fn outstanding_amount(&self) -> Yen {
        self.payments()
            .iter()
            .filter(|p| !self.settled.contains_key(&p.claim_id))
            .map(|p| p.amount)
            .sum()
    }
}
