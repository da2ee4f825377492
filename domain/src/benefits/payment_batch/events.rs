//! Events of the [`super::PaymentBatch`] aggregate. `event_type()` strings and
//! `event_version()` are stable.
//!
//! [`BatchCreated`] carries everything the 総合振込 file is written from: the file is a pure
//! function of this event, so every download of a batch gives the same bytes.

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
}

impl PaymentBatchEvent {
    /// Every event type string, for registries and upcasters.
    pub const EVENT_TYPES: [&'static str; 2] = ["BatchCreated", "BankResultRecorded"];

    /// The event's type name (the variant name, also its serde tag).
    pub const fn type_name(&self) -> &'static str {
        match self {
            PaymentBatchEvent::BatchCreated(_) => "BatchCreated",
            PaymentBatchEvent::BankResultRecorded(_) => "BankResultRecorded",
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
}

/// 振込結果: the transfers this result settles (claims settled before are not repeated).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct BankResultRecorded {
    /// 結果年月日.
    pub result_date: Date,
    /// The transfers settled, in line order.
    pub settled: Vec<SettledTransfer>,
}
