//! 保険料収納 from a bank file: the kenpo receipt CSV (v1) or a 全銀 振込入金通知.
//!
//! One command transaction: parse the whole file (a refused line refuses the file, nothing is
//! written), register the file by its SHA-256 digest, match each line to an account by the
//! 顧客番号 the payer quoted (`bank_files::matching::match_receipts` — names never match), record
//! `RecordReceipt` for each matched line (channel 銀行振込, reference = the bank's reference),
//! and store the report.
//!
//! Idempotency:
//! - a file whose digest was imported before changes nothing: the answer is the first import's
//!   report, with its recorded lines reported `already_imported`;
//! - a line whose bank reference was recorded before (from any file) is skipped and reported
//!   `already_imported` (`premium_receipt_lines`, one row per reference recorded);
//! - two imports racing on one file or one reference: the second waits for the first and then
//!   sees it (the digest), or is refused with 409 `receipt_import_conflict` (a reference) and
//!   can be retried.
//!
//! Unmatched lines (no 顧客番号, an unknown one, a 振込入金通知 取消) are reported and left to a
//! clerk, who records them with `POST /premium-accounts/{person_id}/receipts` (reference = the
//! bank reference, so a later import of the line skips it).

use std::collections::{HashMap, HashSet};

use kenpo_domain::calendar::Date;
use kenpo_domain::money::Yen;
use kenpo_domain::premiums::{PaymentChannel, PremiumAccountCommand, ReceiptRecord};
use kenpo_infrastructure::bank_files::fixed::Digits;
use kenpo_infrastructure::bank_files::matching::{match_receipts, ReceiptMatch, Unmatched};
use kenpo_infrastructure::bank_files::notice::parse_transfer_notice;
use kenpo_infrastructure::bank_files::receipts::{file_digest, parse_receipts_csv, ReceiptLine};
use kenpo_infrastructure::bank_files::BankFileError;
use kenpo_infrastructure::event_store::{EventMetadata, Upcasters};
use kenpo_projections::premium_ledger::{customer_number_is_well_formed, query};
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use utoipa::ToSchema;
use uuid::Uuid;

use super::account;
use crate::problem::ApiError;

/// The kind of file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReceiptFileFormat {
    /// kenpo receipt CSV v1 (`Content-Type: text/csv`).
    Csv,
    /// 全銀協 振込入金通知, 200-byte records (`Content-Type: application/octet-stream`).
    ZenginTransferNotice,
}

impl ReceiptFileFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::ZenginTransferNotice => "zengin_transfer_notice",
        }
    }
}

/// What happened to a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LineOutcome {
    /// `PremiumReceived` recorded on the matched account.
    Recorded,
    /// The bank reference (or the whole file) was imported before: skipped.
    AlreadyImported,
    /// No account matched; left for a clerk.
    Unmatched,
    /// The account refused the receipt (`reason` has its code).
    Refused,
}

/// One line of the file and its outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ImportLine {
    /// Line (CSV) or record (振込入金通知) number in the file.
    pub line: usize,
    pub bank_reference: String,
    pub received_on: Date,
    pub amount: Yen,
    /// 振込依頼人名 (全銀 half-width カナ).
    pub remitter_name: String,
    /// The 顧客番号 the payer quoted.
    pub customer_number: Option<String>,
    pub outcome: LineOutcome,
    /// Why a line was not recorded: `no_customer_number`, `unknown_customer_number`,
    /// `invalid_check_digit`, `cancellation`, or the account's refusal code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The matched account.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub person_id: Option<Uuid>,
    /// Position of the `PremiumReceived` event.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub position: Option<i64>,
}

/// Counts of the report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ImportTotals {
    pub lines: usize,
    pub recorded: usize,
    pub recorded_amount: Yen,
    pub already_imported: usize,
    pub unmatched: usize,
    pub refused: usize,
}

/// The report of an import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ImportReport {
    pub import_id: Uuid,
    /// SHA-256 of the file (hex).
    pub file_digest: String,
    pub format: ReceiptFileFormat,
    /// True when this exact file was imported before: nothing was recorded now.
    pub duplicate_file: bool,
    pub lines: Vec<ImportLine>,
    pub totals: ImportTotals,
}

impl ImportReport {
    fn count(&mut self) {
        let mut totals = ImportTotals {
            lines: self.lines.len(),
            ..ImportTotals::default()
        };
        for line in &self.lines {
            match line.outcome {
                LineOutcome::Recorded => {
                    totals.recorded += 1;
                    totals.recorded_amount += line.amount;
                }
                LineOutcome::AlreadyImported => totals.already_imported += 1,
                LineOutcome::Unmatched => totals.unmatched += 1,
                LineOutcome::Refused => totals.refused += 1,
            }
        }
        self.totals = totals;
    }
}

fn invalid_file(error: BankFileError) -> ApiError {
    ApiError::invalid(
        "invalid_receipt_file",
        format!("the file is refused, nothing was imported: {error}"),
    )
}

/// Parse the file into receipt lines.
pub fn parse(format: ReceiptFileFormat, bytes: &[u8]) -> Result<Vec<ReceiptLine>, ApiError> {
    match format {
        ReceiptFileFormat::Csv => parse_receipts_csv(bytes).map_err(invalid_file),
        ReceiptFileFormat::ZenginTransferNotice => parse_transfer_notice(bytes)
            .map(|notice| notice.receipt_lines())
            .map_err(invalid_file),
    }
}

fn line_of(line: &ReceiptLine, outcome: LineOutcome) -> ImportLine {
    ImportLine {
        line: line.source_line,
        bank_reference: line.bank_reference.clone(),
        received_on: line.received_on.into(),
        amount: line.amount,
        remitter_name: line.remitter_name.clone(),
        customer_number: line.remitter_code.as_ref().map(|c| c.as_str().to_owned()),
        outcome,
        reason: None,
        person_id: None,
        position: None,
    }
}

fn conflict() -> ApiError {
    ApiError::conflict(
        "receipt_import_conflict",
        "another import recorded one of these bank references at the same time; nothing was imported, retry",
    )
}

/// Import a receipt file (module doc). Returns whether the file was new, and the report.
pub async fn import(
    conn: &mut PgConnection,
    upcasters: &Upcasters,
    format: ReceiptFileFormat,
    bytes: &[u8],
    metadata: &EventMetadata,
) -> Result<(bool, ImportReport), ApiError> {
    let lines = parse(format, bytes)?;
    let digest = file_digest(bytes);
    let import_id = Uuid::now_v7();
    let inserted: Option<Uuid> = sqlx::query_scalar(
        "INSERT INTO premium_receipt_imports (import_id, file_digest, format, imported_by, report)
         VALUES ($1, $2, $3, $4, '{}') ON CONFLICT (file_digest) DO NOTHING RETURNING import_id",
    )
    .bind(import_id)
    .bind(&digest)
    .bind(format.as_str())
    .bind(&metadata.actor)
    .fetch_optional(&mut *conn)
    .await?;
    if inserted.is_none() {
        return Ok((false, earlier_import(conn, &digest).await?));
    }
    let numbers: Vec<String> = lines
        .iter()
        .filter_map(|l| l.remitter_code.as_ref().map(|c| c.as_str().to_owned()))
        .collect();
    let accounts: HashMap<Digits<10>, Uuid> = query::by_customer_numbers(conn, &numbers)
        .await
        .map_err(|e| ApiError::internal(&e))?
        .into_iter()
        .filter_map(|(number, id)| Digits::new("顧客番号", &number).ok().map(|d| (d, id)))
        .collect();
    let references: Vec<String> = lines.iter().map(|l| l.bank_reference.clone()).collect();
    let mut seen: HashSet<String> = sqlx::query_scalar(
        "SELECT bank_reference FROM premium_receipt_lines WHERE bank_reference = ANY($1)",
    )
    .bind(&references)
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .collect();
    let mut report = ImportReport {
        import_id,
        file_digest: digest,
        format,
        duplicate_file: false,
        lines: Vec::with_capacity(lines.len()),
        totals: ImportTotals::default(),
    };
    // Matched lines are recorded account by account (in person-id order, each account's lines
    // in file order), so two imports touching the same accounts lock them in the same order
    // and cannot deadlock; the report keeps the file's order.
    let matches = match_receipts(&lines, &accounts);
    let mut order: Vec<usize> = (0..matches.len()).collect();
    order.sort_by_key(|&i| match &matches[i] {
        ReceiptMatch::Matched { account, .. } => (Some(*account), i),
        ReceiptMatch::Unmatched { .. } => (None, i),
    });
    let mut outcomes: Vec<Option<ImportLine>> = vec![None; matches.len()];
    for i in order {
        let outcome = match &matches[i] {
            ReceiptMatch::Unmatched { line, reason } => {
                let reason = match reason {
                    Unmatched::NoReference => "no_customer_number",
                    Unmatched::UnknownReference(code) if !customer_number_is_well_formed(code) => {
                        "invalid_check_digit"
                    }
                    Unmatched::UnknownReference(_) => "unknown_customer_number",
                    Unmatched::Cancellation => "cancellation",
                };
                ImportLine {
                    reason: Some(reason.to_owned()),
                    ..line_of(line, LineOutcome::Unmatched)
                }
            }
            ReceiptMatch::Matched { line, account } => {
                let base = ImportLine {
                    person_id: Some(*account),
                    ..line_of(line, LineOutcome::AlreadyImported)
                };
                if seen.contains(&line.bank_reference) {
                    base
                } else {
                    record_line(conn, upcasters, import_id, line, *account, metadata, base).await?
                }
            }
        };
        if outcome.outcome == LineOutcome::Recorded {
            seen.insert(outcome.bank_reference.clone());
        }
        outcomes[i] = Some(outcome);
    }
    report.lines = outcomes.into_iter().flatten().collect();
    report.count();
    sqlx::query("UPDATE premium_receipt_imports SET report = $2::text::jsonb WHERE import_id = $1")
        .bind(import_id)
        .bind(serde_json::to_string(&report).map_err(|e| ApiError::internal(&e))?)
        .execute(&mut *conn)
        .await?;
    Ok((true, report))
}

/// Record one matched line; a refusal of the account is reported on the line.
async fn record_line(
    conn: &mut PgConnection,
    upcasters: &Upcasters,
    import_id: Uuid,
    line: &ReceiptLine,
    person_id: Uuid,
    metadata: &EventMetadata,
    base: ImportLine,
) -> Result<ImportLine, ApiError> {
    let result = account::execute(
        conn,
        upcasters,
        person_id,
        PremiumAccountCommand::RecordReceipt(ReceiptRecord {
            amount: line.amount,
            received_on: line.received_on.into(),
            channel: PaymentChannel::BankTransfer,
            reference: line.bank_reference.clone(),
        }),
        None,
        metadata,
    )
    .await;
    let recorded = match result {
        Ok(recorded) => recorded,
        Err(e) if e.code == "duplicate_receipt" => return Ok(base),
        // A domain refusal is decided before anything is written: report it on the line.
        Err(e) if e.status.is_client_error() && e.code != "version_conflict" => {
            return Ok(ImportLine {
                outcome: LineOutcome::Refused,
                reason: Some(format!("{}: {}", e.code, e.detail)),
                ..base
            });
        }
        Err(e) => return Err(e),
    };
    let stored = sqlx::query(
        "INSERT INTO premium_receipt_lines
             (bank_reference, import_id, source_line, person_id, amount, received_on, position)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (bank_reference) DO NOTHING",
    )
    .bind(&line.bank_reference)
    .bind(import_id)
    .bind(i32::try_from(line.source_line).unwrap_or(i32::MAX))
    .bind(person_id)
    .bind(line.amount.amount())
    .bind(line.received_on)
    .bind(recorded.position)
    .execute(&mut *conn)
    .await?;
    if stored.rows_affected() != 1 {
        return Err(conflict());
    }
    Ok(ImportLine {
        outcome: LineOutcome::Recorded,
        position: Some(recorded.position),
        ..base
    })
}

/// The report of the earlier import of the same file, its recorded lines now
/// `already_imported`.
async fn earlier_import(conn: &mut PgConnection, digest: &str) -> Result<ImportReport, ApiError> {
    let stored: String = sqlx::query_scalar(
        "SELECT report::text FROM premium_receipt_imports WHERE file_digest = $1",
    )
    .bind(digest)
    .fetch_one(&mut *conn)
    .await?;
    let mut report: ImportReport =
        serde_json::from_str(&stored).map_err(|e| ApiError::internal(&e))?;
    report.duplicate_file = true;
    for line in &mut report.lines {
        if line.outcome == LineOutcome::Recorded {
            line.outcome = LineOutcome::AlreadyImported;
        }
    }
    report.count();
    Ok(report)
}

/// The stored report of an import.
pub async fn find(conn: &mut PgConnection, import_id: Uuid) -> Result<ImportReport, ApiError> {
    let stored: Option<String> =
        sqlx::query_scalar("SELECT report::text FROM premium_receipt_imports WHERE import_id = $1")
            .bind(import_id)
            .fetch_optional(&mut *conn)
            .await?;
    let stored = stored.ok_or_else(|| {
        ApiError::not_found(
            "receipt_import_not_found",
            "there is no receipt import with this id",
        )
    })?;
    serde_json::from_str(&stored).map_err(|e| ApiError::internal(&e))
}
