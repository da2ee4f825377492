//! Commands on a [`super::PaymentBatch`].

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::values::{ClaimTransferResult, PaymentOrder, TransferRequester};
use crate::calendar::Date;

/// A command on the [`super::PaymentBatch`] aggregate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentBatchCommand {
    /// 振込データ作成 (digest.md §2.3 3-⑤): creates the batch with its payments.
    Create(BatchCreation),
    /// 振込結果 from the bank: paid or failed, per claim.
    RecordBankResult(BankResult),
}

/// 振込データ作成: the payments of one 総合振込 file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchCreation {
    /// The batch's id (the aggregate id).
    pub batch_id: Uuid,
    /// 支払指示年月日: the day the batch is made.
    pub instructed_on: Date,
    /// 振込指定日: the day the bank is to transfer (not before `instructed_on`).
    pub transfer_date: Date,
    /// The society as 振込依頼人.
    pub requester: TransferRequester,
    /// The payments, in file order; at least one, each claim once.
    pub payments: Vec<PaymentOrder>,
}

/// 振込結果: the bank's answer for some or all of the batch's claims.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BankResult {
    /// 結果年月日: the day the bank reported (not before the batch was made).
    pub result_date: Date,
    /// One answer per claim; claims already settled with the same answer are skipped.
    pub results: Vec<ClaimTransferResult>,
}
