//! Events of the [`super::PaymentBatch`] aggregate. `event_type()` strings and
//! `event_version()` are stable.
//!
//! [`BatchCreated`] carries everything the 総合振込 file is written from: the file is a pure
//! function of this event, so every download of a batch gives the same bytes.

use chrono::{DateTime, Utc};
use cqrs_es::DomainEvent;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::values::{BatchPayment, SettledTransfer, TransferRequester};
use crate::calendar::Date;
use crate::money::Yen;

/// An event of the [`super::PaymentBatch`] aggregate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum PaymentBatchEvent {
    /// 振込データ作成 (boxed: it carries every payment of the batch).
    BatchCreated(Box<BatchCreated>),
    /// 振込結果 recorded.
    BankResultRecorded(BankResultRecorded),
    /// 振込データ承認 by a second person.
    BatchApproved(BatchApproved),
    /// The transfer file was downloaded.
    TransferFileDownloaded(TransferFileDownloaded),
}

impl PaymentBatchEvent {
    /// Every event type string, for registries and upcasters.
    pub const EVENT_TYPES: [&'static str; 4] = [
        "BatchCreated",
        "BankResultRecorded",
        "BatchApproved",
        "TransferFileDownloaded",
    ];

    /// The event's type name (the variant name, also its serde tag).
    pub const fn type_name(&self) -> &'static str {
        match self {
            PaymentBatchEvent::BatchCreated(_) => "BatchCreated",
            PaymentBatchEvent::BankResultRecorded(_) => "BankResultRecorded",
            PaymentBatchEvent::BatchApproved(_) => "BatchApproved",
            PaymentBatchEvent::TransferFileDownloaded(_) => "TransferFileDownloaded",
        }
    }
}

impl DomainEvent for PaymentBatchEvent {
    fn event_type(&self) -> String {
        self.type_name().to_string()
    }

    fn event_version(&self) -> String {
        "1.0".to_string()
    }
}

/// 振込データ作成: the batch with every payment, in file order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct BatchCreated {
    /// The batch's id.
    pub batch_id: Uuid,
    /// 支払指示年月日.
    pub instructed_on: Date,
    /// 振込指定日.
    pub transfer_date: Date,
    /// 振込依頼人.
    pub requester: TransferRequester,
    /// The payments, line 1 first.
    pub payments: Vec<BatchPayment>,
    /// 合計件数.
    pub count: u32,
    /// 合計金額.
    pub total_amount: Yen,
    /// 職員ID of who made the batch; absent on batches made before the two-person rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
}

/// 振込データ承認: a second 給付課 member approved the batch; its file can be downloaded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct BatchApproved {
    /// 職員ID of the approver (never the one who made the batch).
    pub approved_by: String,
    pub approved_at: DateTime<Utc>,
}

/// One download of the transfer file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TransferFileDownloaded {
    /// 職員ID.
    pub downloaded_by: String,
    pub downloaded_at: DateTime<Utc>,
    /// Client address as the server saw it.
    pub client_address: Option<String>,
    /// 端末ID.
    pub terminal_id: Option<String>,
    /// SHA-256 of the bytes served, lowercase hex.
    pub file_sha256: String,
    /// Size of the file in bytes.
    pub file_bytes: u64,
}

/// 振込結果: the transfers this result settles (claims settled before are not repeated).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct BankResultRecorded {
    /// 結果年月日.
    pub result_date: Date,
    /// The transfers settled, in line order.
    pub settled: Vec<SettledTransfer>,
}
