//! One payment batch as staff see it, folded from its events (no I/O).

use chrono::{DateTime, Utc};
use kenpo_domain::benefits::claim::{BenefitKind, Payee};
use kenpo_domain::benefits::payment_batch::{BatchStatus, PaymentBatchEvent, TransferOutcome};
use kenpo_domain::calendar::Date;
use kenpo_domain::money::Yen;
use kenpo_domain::qualification::PaymentAccount;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::PaymentBatchEventAt;

/// Where one payment of a batch stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LineStatus {
    /// In the transfer file; no result yet.
    Instructed,
    /// 振込済.
    Paid,
    /// 振込不能: the claim can go into a later batch.
    Failed,
}

/// One payment of a batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PaymentLineView {
    /// Line in the transfer file (also its 顧客コード1).
    pub line: u32,
    pub claim_id: Uuid,
    pub person_id: Uuid,
    pub kind: BenefitKind,
    /// 支払先 as chosen on the claim.
    pub payee: Payee,
    /// The account paid to, as resolved when the batch was made.
    pub account: PaymentAccount,
    pub amount: Yen,
    pub status: LineStatus,
    /// The bank's reference of a paid transfer.
    pub bank_reference: Option<String>,
    /// Why a transfer failed.
    pub failure_reason: Option<String>,
    /// 結果年月日 of the result that settled it.
    pub settled_on: Option<Date>,
}

/// One bank result recorded on the batch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ResultView {
    /// 結果年月日.
    pub result_date: Date,
    /// Transfers it settled as paid.
    pub paid: u32,
    /// Transfers it settled as failed.
    pub failed: u32,
    pub recorded_at: DateTime<Utc>,
    /// 職員ID.
    pub recorded_by: String,
}

/// One download of the batch's transfer file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DownloadView {
    /// 職員ID.
    pub downloaded_by: String,
    pub downloaded_at: DateTime<Utc>,
    /// Client address as the server saw it.
    pub client_address: Option<String>,
    /// 端末ID.
    pub terminal_id: Option<String>,
    /// SHA-256 of the bytes served, lowercase hex.
    pub file_sha256: String,
    pub file_bytes: u64,
}

/// A batch's header and totals (the list shows these).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PaymentBatchSummary {
    pub batch_id: Uuid,
    pub status: BatchStatus,
    /// 支払指示年月日.
    pub instructed_on: Date,
    /// 振込指定日.
    pub transfer_date: Date,
    /// 振込依頼人コード.
    pub requester_code: String,
    /// 合計件数.
    pub count: u32,
    /// 合計金額.
    pub total_amount: Yen,
    pub paid_count: u32,
    pub paid_amount: Yen,
    pub failed_count: u32,
    pub failed_amount: Yen,
    /// Payments without a result yet.
    pub outstanding_count: u32,
    pub outstanding_amount: Yen,
    pub created_at: DateTime<Utc>,
    /// 職員ID of who made the batch.
    pub created_by: String,
    /// 職員ID of the second 給付課 member who approved it (振込データ承認); until then its
    /// transfer file is not served.
    #[serde(default)]
    pub approved_by: Option<String>,
    #[serde(default)]
    pub approved_at: Option<DateTime<Utc>>,
    /// The batch stream's version.
    pub stream_version: i64,
}

/// A batch with every payment and every result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PaymentBatchView {
    #[serde(flatten)]
    pub summary: PaymentBatchSummary,
    /// The payments, line 1 first.
    pub payments: Vec<PaymentLineView>,
    /// The bank results, oldest first.
    pub results: Vec<ResultView>,
    /// Every download of the transfer file, oldest first.
    #[serde(default)]
    pub downloads: Vec<DownloadView>,
}

impl PaymentBatchView {
    /// A batch with no events yet.
    pub fn empty(batch_id: Uuid) -> Self {
        Self {
            summary: PaymentBatchSummary {
                batch_id,
                status: BatchStatus::Instructed,
                instructed_on: Date::fixed(1970, 1, 1),
                transfer_date: Date::fixed(1970, 1, 1),
                requester_code: String::new(),
                count: 0,
                total_amount: Yen::ZERO,
                paid_count: 0,
                paid_amount: Yen::ZERO,
                failed_count: 0,
                failed_amount: Yen::ZERO,
                outstanding_count: 0,
                outstanding_amount: Yen::ZERO,
                created_at: DateTime::<Utc>::UNIX_EPOCH,
                created_by: String::new(),
                approved_by: None,
                approved_at: None,
                stream_version: 0,
            },
            payments: Vec::new(),
            results: Vec::new(),
            downloads: Vec::new(),
        }
    }

    /// Fold one event.
    pub fn apply(&mut self, at: &PaymentBatchEventAt) {
        match &at.event {
            PaymentBatchEvent::BatchCreated(e) => {
                let s = &mut self.summary;
                s.instructed_on = e.instructed_on;
                s.transfer_date = e.transfer_date;
                s.requester_code = e.requester.code().to_owned();
                s.count = e.count;
                s.total_amount = e.total_amount;
                s.created_at = at.recorded_at;
                s.created_by = at.recorded_by.clone();
                self.payments = e
                    .payments
                    .iter()
                    .map(|p| PaymentLineView {
                        line: p.line,
                        claim_id: p.claim_id,
                        person_id: p.person_id,
                        kind: p.kind,
                        payee: p.payee.clone(),
                        account: p.account.clone(),
                        amount: p.amount,
                        status: LineStatus::Instructed,
                        bank_reference: None,
                        failure_reason: None,
                        settled_on: None,
                    })
                    .collect();
            }
            PaymentBatchEvent::BankResultRecorded(e) => {
                let mut result = ResultView {
                    result_date: e.result_date,
                    paid: 0,
                    failed: 0,
                    recorded_at: at.recorded_at,
                    recorded_by: at.recorded_by.clone(),
                };
                for settled in &e.settled {
                    let Some(line) = self
                        .payments
                        .iter_mut()
                        .find(|l| l.claim_id == settled.claim_id)
                    else {
                        continue;
                    };
                    line.settled_on = Some(settled.settled_on);
                    match &settled.outcome {
                        TransferOutcome::Paid { bank_reference } => {
                            line.status = LineStatus::Paid;
                            line.bank_reference = Some(bank_reference.as_str().to_owned());
                            result.paid += 1;
                        }
                        TransferOutcome::Failed { reason } => {
                            line.status = LineStatus::Failed;
                            line.failure_reason = Some(reason.as_str().to_owned());
                            result.failed += 1;
                        }
                    }
                }
                self.results.push(result);
            }
            PaymentBatchEvent::BatchApproved(e) => {
                self.summary.approved_by = Some(e.approved_by.clone());
                self.summary.approved_at = Some(e.approved_at);
            }
            PaymentBatchEvent::TransferFileDownloaded(e) => self.downloads.push(DownloadView {
                downloaded_by: e.downloaded_by.clone(),
                downloaded_at: e.downloaded_at,
                client_address: e.client_address.clone(),
                terminal_id: e.terminal_id.clone(),
                file_sha256: e.file_sha256.clone(),
                file_bytes: e.file_bytes,
            }),
        }
        self.summary.stream_version = at.version;
        self.total();
    }

    /// Recount the totals from the lines.
    fn total(&mut self) {
        let s = &mut self.summary;
        let sum = |status: LineStatus| -> (u32, Yen) {
            self.payments
                .iter()
                .filter(|l| l.status == status)
                .fold((0, Yen::ZERO), |(n, total), l| (n + 1, total + l.amount))
        };
        (s.paid_count, s.paid_amount) = sum(LineStatus::Paid);
        (s.failed_count, s.failed_amount) = sum(LineStatus::Failed);
        (s.outstanding_count, s.outstanding_amount) = sum(LineStatus::Instructed);
        s.status = if s.outstanding_count == s.count {
            BatchStatus::Instructed
        } else if s.outstanding_count == 0 {
            BatchStatus::Settled
        } else {
            BatchStatus::PartiallySettled
        };
    }
}
