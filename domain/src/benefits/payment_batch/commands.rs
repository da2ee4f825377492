//! Commands on a [`super::PaymentBatch`].

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use chrono::{DateTime, Utc};

use super::values::{ClaimTransferResult, PaymentOrder, TransferRequester};
use crate::calendar::Date;

/// A command on the [`super::PaymentBatch`] aggregate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentBatchCommand {
    /// 振込データ作成 (digest.md §2.3 3-⑤): creates the batch with its payments.
    Create(BatchCreation),
    /// 振込結果 from the bank: paid or failed, per claim.
    RecordBankResult(BankResult),
    /// 振込データ承認: a second 給付課 member (not the one who made the batch) approves it;
    /// only then can its transfer file be downloaded.
    Approve(BatchApproval),
    /// A download of the transfer file (only once approved), recorded on the batch.
    RecordDownload(TransferFileDownload),
}

/// 振込データ承認, by the 職員ID from the token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchApproval {
    pub approved_by: String,
    pub approved_at: DateTime<Utc>,
}

/// One download of the transfer file: who, when, from where, and which bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferFileDownload {
    pub downloaded_by: String,
    pub downloaded_at: DateTime<Utc>,
    /// Client address as the server saw it.
    pub client_address: Option<String>,
    /// 端末ID (`X-Terminal-Id`).
    pub terminal_id: Option<String>,
    /// SHA-256 of the file's bytes, lowercase hex (the file holds no 個人番号).
    pub file_sha256: String,
    /// The file's size in bytes.
    pub file_bytes: u64,
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
    /// 職員ID of who makes the batch (from the token): the approver must be someone else.
    pub created_by: String,
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
