//! 収納取消: reverse one recorded receipt (a bank 組戻し, a receipt matched to the wrong
//! account, an entry error). The receipt is named by its global position — the `position`
//! answered when it was recorded, shown in the account's `receipts` and in an import's report.
//! The domain decides what is taken back (`kenpo_domain::premiums::ReceiptReversed`); the
//! receipt stays in the history, marked reversed.

use kenpo_domain::calendar::Date;
use kenpo_domain::premiums::{
    PremiumAccount, PremiumAccountCommand, ReceiptReversal, ReversalReason,
};
use kenpo_infrastructure::event_store::{self, EventMetadata, Upcasters};
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use utoipa::ToSchema;
use uuid::Uuid;

use super::account::{self, Recorded};
use crate::application::aggregate::{self, stream_id};
use crate::problem::ApiError;

/// Body of `POST /api/v1/premium-accounts/{person_id}/receipt-reversals`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReverseReceipt {
    /// Global position of the receipt (`PremiumReceived`) to reverse.
    pub receipt_position: i64,
    /// 取消日 (not before the day the receipt was received).
    pub reversed_on: Date,
    /// `bank_recall` (組戻し), `wrongly_matched` (誤消込), `entry_error` (入力誤り) or `other`.
    pub reason: ReversalReason,
    /// Free text, at most 500 characters (the bank's notice, the right account, …).
    #[serde(default)]
    pub note: Option<String>,
}

/// 収納取消 (module doc). Refusals: 404 `receipt_not_found` (no receipt of this account at
/// that position), 409 `receipt_already_reversed`, `account_closed`, `refund_already_pending`,
/// `refund_recorded_after_receipt`, 422 `date_before`, `note_too_long`.
pub async fn reverse_receipt(
    conn: &mut PgConnection,
    upcasters: &Upcasters,
    person_id: Uuid,
    body: ReverseReceipt,
    expected: Option<i64>,
    metadata: &EventMetadata,
) -> Result<Recorded, ApiError> {
    let loaded = account::load_existing(conn, upcasters, person_id).await?;
    let events = event_store::read_stream(conn, &stream_id::<PremiumAccount>(person_id), upcasters)
        .await
        .map_err(aggregate::store_error)?;
    let version = events
        .iter()
        .find(|e| e.position == body.receipt_position && e.event_type == "PremiumReceived")
        .map(|e| e.version)
        .ok_or_else(|| {
            ApiError::not_found(
                "receipt_not_found",
                format!(
                    "no receipt (保険料収納) of this account is recorded at position {}",
                    body.receipt_position
                ),
            )
        })?;
    account::execute_loaded(
        conn,
        loaded,
        PremiumAccountCommand::ReverseReceipt(ReceiptReversal {
            receipt_version: version,
            reversed_on: body.reversed_on,
            reason: body.reason,
            note: body.note,
        }),
        expected,
        metadata,
    )
    .await
}
