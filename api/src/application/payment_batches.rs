//! 振込データ (payment batches): make a batch of the decided, not yet instructed 支給 claims,
//! write its 全銀 総合振込 file, and record the bank's result — each command in one transaction
//! with the claims it touches (`PaymentInstructed`, `ClaimPaid`, `PaymentFailed`) and the
//! inline read models (`payment_batches`, `benefit_claims`).
//!
//! Decisions:
//! - Candidates come from the `benefit_claims` read model (status `decided` or
//!   `payment_failed`, an amount decided, decided on or before the cut-off); each claim's stream
//!   row is then locked (`FOR UPDATE`, in stream order) and its aggregate loaded: the aggregate,
//!   not the read model, decides what remains to pay. Two batch requests at once therefore
//!   serialise on the claims they share, and the second finds them instructed: a claim is never
//!   in two batches.
//! - Payee resolution (支払先): `member_account` → the account registered on the insured's
//!   Person stream (給付金支給先口座, any source); `public_funds_account` → that account only if
//!   its source is the 公金受取口座; `employer_account` → the account in force on the batch's
//!   振込指定日 in the 事業所's register (`application::employer_accounts`): the day the money
//!   moves decides which account receives it; none in force (never registered, not yet in
//!   force, closed) leaves the claim out as `employer_account_not_registered`, with a detail
//!   that says how to register one. An account whose
//!   holder name cannot be written in 全銀 half-width カナ (e.g. `・`) or does not fit 30
//!   characters is unresolved too. Unresolved claims stay `decided`: a later batch takes them
//!   once resolved.
//! - The transfer file is [`transfer_file`] of the `BatchCreated` event: a pure function, so a
//!   download always gives the same bytes. Each data record carries its line number as
//!   顧客コード1.
//! - A bank result pays a claim on the batch's 振込指定日 (`ClaimPaid.paid_on`) and fails it on
//!   the result date (`PaymentFailed.failed_on`). Repeating a result records nothing.
//! - Four eyes (振込データ承認): the batch records its maker; a second `benefits` member
//!   approves it ([`approve`]); the file is served only then, and each download is recorded
//!   on the batch stream as `TransferFileDownloaded` (who, when, address, 端末ID, SHA-256 and
//!   size of the bytes) in the same transaction that reads them ([`download`]).

use std::collections::hash_map::Entry;
use std::collections::HashMap;

use kenpo_domain::benefits::claim::{
    BenefitClaim, BenefitClaimCommand, BenefitKind, ClaimStatus, OfficeCode, Payee, PaymentFailure,
    PaymentInstruction, PaymentResult,
};
use kenpo_domain::benefits::payment_batch::{
    BankResult, BatchApproval, BatchCreated, BatchCreation, PaymentBatch, PaymentBatchCommand,
    PaymentBatchError, PaymentBatchEvent, PaymentOrder, RequesterAccountType, SettledTransfer,
    TransferFileDownload, TransferOutcome, TransferRequester,
};
use kenpo_domain::calendar::Date;
use kenpo_domain::money::Yen;
use kenpo_domain::qualification::{AccountSource, PaymentAccount, Person};
use kenpo_infrastructure::bank_files::fixed::{Digits, ZenginText};
use kenpo_infrastructure::bank_files::transfer::{
    CustomerCode, DepositType, MonthDay, RecipientReference, TransferFile, TransferHeader,
    TransferRecord,
};
use kenpo_infrastructure::bank_files::BankFileError;
use kenpo_infrastructure::event_store::{self, EventMetadata, Upcasters};
use kenpo_projections::benefit_claims::status_text;
use kenpo_projections::payment_batches::{self, PaymentBatchEventAt, PaymentBatchView};
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use utoipa::ToSchema;
use uuid::Uuid;

use super::aggregate::{self, stream_id, Loaded};
use super::benefits::claim;
use super::employer_accounts::{self, AccountOn};
use crate::problem::ApiError;

// ------------------------------------------------------------------ the transfer file

/// The 総合振込 file of a batch: a pure function of its `BatchCreated` event (same event, same
/// bytes). Records follow the batch's lines; each carries its line as 顧客コード1.
pub fn transfer_file(created: &BatchCreated) -> Result<TransferFile, BankFileError> {
    let header = transfer_header(&created.requester, created.transfer_date)?;
    let records = created
        .payments
        .iter()
        .map(|p| transfer_record(p.line, &p.account, p.amount))
        .collect::<Result<Vec<_>, _>>()?;
    TransferFile::new(header, records)
}

/// The file name a download is offered under.
pub fn transfer_file_name(created: &BatchCreated) -> String {
    format!(
        "sogo-furikomi-{}-{}.txt",
        created.transfer_date.naive().format("%Y%m%d"),
        created.batch_id
    )
}

fn transfer_header(
    requester: &TransferRequester,
    transfer_date: Date,
) -> Result<TransferHeader, BankFileError> {
    let optional = |field, text: Option<&str>| match text {
        Some(t) => ZenginText::<15>::convert(field, t),
        None => Ok(ZenginText::default()),
    };
    Ok(TransferHeader {
        requester_code: Digits::new("振込依頼人コード", requester.code())?,
        requester_name: ZenginText::convert("振込依頼人名", requester.name())?,
        transfer_date: MonthDay::from_date(transfer_date.naive()),
        bank_code: Digits::new("仕向銀行番号", requester.bank_code())?,
        bank_name: optional("仕向銀行名", requester.bank_name())?,
        branch_code: Digits::new("仕向支店番号", requester.branch_code())?,
        branch_name: optional("仕向支店名", requester.branch_name())?,
        deposit_type: match requester.account_type() {
            RequesterAccountType::Ordinary => DepositType::Ordinary,
            RequesterAccountType::Current => DepositType::Current,
            RequesterAccountType::Other => DepositType::Other,
        },
        account_number: Digits::new("口座番号 (依頼人)", requester.account_number())?,
    })
}

fn transfer_record(
    line: u32,
    account: &PaymentAccount,
    amount: Yen,
) -> Result<TransferRecord, BankFileError> {
    let mut record = TransferRecord::to_account(account, amount)?;
    record.reference = RecipientReference::CustomerCodes {
        code1: Some(CustomerCode::new("顧客コード1", &format!("{line:010}"))?),
        code2: None,
    };
    Ok(record)
}

// ------------------------------------------------------------------ requests and answers

/// 振込データ作成: which claims to pay, when, and from which account.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchRequest {
    /// The batch's id; a new UUID (v7) when absent.
    #[serde(default)]
    pub batch_id: Option<Uuid>,
    /// 支払指示年月日 (ISO or 和暦); today in Japan when absent. Claims decided after it are
    /// not taken.
    #[serde(default)]
    pub instructed_on: Option<Date>,
    /// 振込指定日: the day the bank transfers (not before `instructed_on`).
    pub transfer_date: Date,
    /// The society as 振込依頼人 (its bank's 依頼人コード, name in カナ, account).
    pub requester: TransferRequester,
    /// Take only claims decided on or before this day.
    #[serde(default)]
    pub decided_up_to: Option<Date>,
    /// Take only claims of these kinds (all kinds when absent).
    #[serde(default)]
    pub kinds: Option<Vec<BenefitKind>>,
}

/// A decided claim left out of the batch, and why.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UnresolvedClaim {
    pub claim_id: Uuid,
    pub person_id: Uuid,
    pub kind: BenefitKind,
    /// 支払先 as chosen on the claim.
    pub payee: Payee,
    /// What remains to pay.
    pub amount: Yen,
    /// `no_registered_account`, `no_public_funds_account`, `employer_account_not_registered`
    /// or `account_not_transferable`.
    pub code: String,
    /// Why, for a person.
    pub reason: String,
}

/// What a 振込データ作成 recorded.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BatchRecorded {
    pub batch_id: Uuid,
    /// `payment_batch-<uuid>`.
    pub stream_id: String,
    /// The batch stream's version.
    pub version: i64,
    /// Global position of the last event recorded (the claims' `PaymentInstructed` included).
    pub position: i64,
    /// The batch with its payments and totals.
    pub batch: PaymentBatchView,
    /// Claims decided but left out (no account to pay to).
    pub unresolved: Vec<UnresolvedClaim>,
    /// Where to download the 総合振込 file.
    pub transfer_file: String,
}

/// What a 振込結果 recorded.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ResultRecorded {
    pub batch_id: Uuid,
    /// `payment_batch-<uuid>`.
    pub stream_id: String,
    /// The batch stream's version.
    pub version: i64,
    /// Global position of the last event recorded; absent when nothing was new.
    pub position: Option<i64>,
    /// Transfers this result settled now (claims paid or failed), in line order.
    pub settled: Vec<SettledTransfer>,
    /// Claims of the result already settled with the same answer: nothing recorded for them.
    pub already_recorded: Vec<Uuid>,
    /// The batch as it now stands.
    pub batch: PaymentBatchView,
}

/// What a 振込データ承認 recorded.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ApprovalRecorded {
    pub batch_id: Uuid,
    /// `payment_batch-<uuid>`.
    pub stream_id: String,
    /// The batch stream's version.
    pub version: i64,
    /// Global position of the approval.
    pub position: i64,
    /// The batch, now with `approved_by` and `approved_at`.
    pub batch: PaymentBatchView,
    /// Where to download the 総合振込 file.
    pub transfer_file: String,
}

/// A transfer file as served: its name and bytes, and the batch it was made from (whose payees
/// the read log records).
pub struct DownloadedFile {
    pub file_name: String,
    pub bytes: Vec<u8>,
    pub batch: BatchCreated,
}

// ------------------------------------------------------------------ refusals

/// A domain refusal as an answer: the one mapping for every area.
pub use crate::problem::refusal;

fn file_refusal(error: BankFileError) -> ApiError {
    ApiError::invalid("transfer_file_invalid", error.to_string())
}

fn projection_error(error: kenpo_projections::ProjectionError) -> ApiError {
    ApiError::internal(&error)
}

/// The requester as the file header would carry it: refused (422 `invalid_requester`) when
/// a name cannot be written in 全銀 カナ or does not fit.
pub fn check_requester(requester: &TransferRequester, transfer_date: Date) -> Result<(), ApiError> {
    transfer_header(requester, transfer_date)
        .map(|_| ())
        .map_err(|e| ApiError::invalid("invalid_requester", e.to_string()))
}

// ------------------------------------------------------------------ 振込データ作成

/// A claim that can be paid now, with what remains to pay.
struct Payable {
    claim_id: Uuid,
    person_id: Uuid,
    kind: BenefitKind,
    payee: Payee,
    amount: Yen,
    loaded: Loaded<BenefitClaim>,
}

/// Make a batch of every payable claim and instruct each claim's payment, in the caller's
/// transaction. `instructed_on` is the 支払指示年月日 already defaulted.
pub async fn create(
    conn: &mut PgConnection,
    upcasters: &Upcasters,
    request: BatchRequest,
    instructed_on: Date,
    metadata: &EventMetadata,
) -> Result<BatchRecorded, ApiError> {
    if request.transfer_date < instructed_on {
        return Err(refusal(PaymentBatchError::DateOutOfOrder {
            what: "transfer_date (振込指定日)",
            date: request.transfer_date,
            reference_what: "instructed_on (支払指示年月日)",
            reference: instructed_on,
        }));
    }
    check_requester(&request.requester, request.transfer_date)?;
    let cut_off = request
        .decided_up_to
        .map_or(instructed_on, |d| d.min(instructed_on));
    let payable = payable_claims(conn, upcasters, cut_off, request.kinds.as_deref()).await?;
    let mut accounts: HashMap<Uuid, Option<(PaymentAccount, AccountSource)>> = HashMap::new();
    let mut employers: HashMap<OfficeCode, AccountOn> = HashMap::new();
    let mut orders = Vec::new();
    let mut unresolved = Vec::new();
    for claim in payable {
        let registered = match &claim.payee {
            Payee::EmployerAccount { office_code } => {
                let on = match employers.entry(office_code.clone()) {
                    Entry::Occupied(known) => known.into_mut(),
                    Entry::Vacant(unknown) => {
                        let employer =
                            employer_accounts::load(conn, upcasters, office_code).await?;
                        unknown.insert(employer_accounts::account_on(
                            &employer.aggregate,
                            request.transfer_date,
                        ))
                    }
                };
                Registered::Employer { office_code, on }
            }
            Payee::MemberAccount | Payee::PublicFundsAccount => {
                let member = match accounts.entry(claim.person_id) {
                    Entry::Occupied(known) => known.into_mut(),
                    Entry::Vacant(unknown) => {
                        let person = aggregate::load::<Person>(conn, upcasters, claim.person_id)
                            .await
                            .map_err(aggregate::store_error)?;
                        unknown.insert(
                            person
                                .aggregate
                                .payment_account()
                                .map(|r| (r.account.clone(), r.source)),
                        )
                    }
                };
                Registered::Member {
                    public_funds: claim.payee == Payee::PublicFundsAccount,
                    account: member.as_ref(),
                }
            }
        };
        match resolve(&claim, registered, request.transfer_date) {
            Ok(account) => orders.push((claim, account)),
            Err((code, reason)) => unresolved.push(UnresolvedClaim {
                claim_id: claim.claim_id,
                person_id: claim.person_id,
                kind: claim.kind,
                payee: claim.payee,
                amount: claim.amount,
                code: code.to_owned(),
                reason,
            }),
        }
    }
    if orders.is_empty() {
        return Err(nothing_to_pay(&unresolved));
    }
    let batch_id = request.batch_id.unwrap_or_else(Uuid::now_v7);
    let mut claims: HashMap<Uuid, Loaded<BenefitClaim>> = HashMap::new();
    let mut payments = Vec::with_capacity(orders.len());
    for (c, account) in orders {
        payments.push(PaymentOrder {
            claim_id: c.claim_id,
            person_id: c.person_id,
            kind: c.kind,
            payee: c.payee,
            account,
            amount: c.amount,
        });
        claims.insert(c.claim_id, c.loaded);
    }
    let creation = BatchCreation {
        batch_id,
        instructed_on,
        transfer_date: request.transfer_date,
        requester: request.requester,
        payments,
        created_by: metadata.actor.clone(),
    };
    let loaded = aggregate::load::<PaymentBatch>(conn, upcasters, batch_id)
        .await
        .map_err(aggregate::store_error)?;
    let handled = aggregate::execute(
        conn,
        loaded,
        PaymentBatchCommand::Create(creation),
        &(),
        None,
        metadata,
        refusal,
    )
    .await?;
    let Some(PaymentBatchEvent::BatchCreated(created)) = handled.events.first() else {
        return Err(ApiError::internal(
            &"a batch was created without BatchCreated",
        ));
    };
    // The file must be writable before anything is committed.
    transfer_file(created).map_err(file_refusal)?;
    let mut claim_metadata = metadata.clone();
    if let Some(cause) = handled.event_ids.first() {
        claim_metadata.causation_id = *cause;
    }
    let mut position = handled.append.last_position;
    for payment in &created.payments {
        let command = BenefitClaimCommand::InstructPayment(PaymentInstruction {
            batch_id,
            instructed_on,
        });
        let loaded = claims
            .remove(&payment.claim_id)
            .ok_or_else(|| ApiError::internal(&"a batch payment without its claim"))?;
        let recorded = claim::execute_loaded(conn, loaded, command, None, &claim_metadata).await?;
        match &recorded.claim.pending_payment {
            Some(p) if p.batch_id == batch_id && p.amount == payment.amount => {}
            _ => {
                return Err(ApiError::internal(&format!(
                    "claim {}: the instruction does not match the batch's amount {}",
                    payment.claim_id, payment.amount
                )))
            }
        }
        position = position.max(recorded.position);
    }
    let batch = project_batch(conn, batch_id, &handled, metadata).await?;
    Ok(BatchRecorded {
        batch_id,
        stream_id: stream_id::<PaymentBatch>(batch_id),
        version: handled.append.stream_version,
        position,
        batch,
        unresolved,
        transfer_file: format!("/api/v1/payment-batches/{batch_id}/transfer-file"),
    })
}

fn nothing_to_pay(unresolved: &[UnresolvedClaim]) -> ApiError {
    let mut detail = "no decided claim is waiting for payment with an account to pay to".to_owned();
    if !unresolved.is_empty() {
        let listed: Vec<String> = unresolved
            .iter()
            .take(20)
            .map(|u| format!("{} ({}: {})", u.claim_id, u.code, u.reason))
            .collect();
        let more = unresolved.len().saturating_sub(listed.len());
        detail = format!(
            "{detail}; {} claim(s) cannot be paid yet: {}{}",
            unresolved.len(),
            listed.join("; "),
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            }
        );
    }
    ApiError::conflict("nothing_to_pay", detail)
}

/// What the registers hold for a claim's payee: for `member_account` and
/// `public_funds_account` (`public_funds`), the insured's registered account with its source;
/// for `employer_account`, the 事業所's register as of the 振込指定日.
enum Registered<'a> {
    Member {
        public_funds: bool,
        account: Option<&'a (PaymentAccount, AccountSource)>,
    },
    Employer {
        office_code: &'a OfficeCode,
        on: &'a AccountOn,
    },
}

/// The account a claim is paid to, or why there is none.
fn resolve(
    claim: &Payable,
    registered: Registered<'_>,
    transfer_date: Date,
) -> Result<PaymentAccount, (&'static str, String)> {
    let account = match registered {
        Registered::Employer {
            on: AccountOn::InForce { account, .. },
            ..
        } => account,
        Registered::Employer { office_code, on } => {
            return Err((
                "employer_account_not_registered",
                employer_unresolved(office_code, on, transfer_date),
            ))
        }
        Registered::Member {
            public_funds: false,
            account: None,
        } => {
            return Err((
                "no_registered_account",
                "the insured has no 給付金支給先口座 registered".to_owned(),
            ))
        }
        Registered::Member {
            public_funds: false,
            account: Some((account, _)),
        } => account,
        Registered::Member {
            public_funds: true,
            account: Some((account, AccountSource::PublicFundsReceiptAccount)),
        } => account,
        Registered::Member {
            public_funds: true, ..
        } => {
            return Err((
                "no_public_funds_account",
                "the claim asks for the 公金受取口座, and the insured's registered account is \
                 not one"
                    .to_owned(),
            ))
        }
    };
    transfer_record(1, account, claim.amount)
        .map_err(|e| ("account_not_transferable", e.to_string()))?;
    Ok(account.clone())
}

/// Why a claim to be paid to the employer's account has no account, and how to give it one.
fn employer_unresolved(office_code: &OfficeCode, on: &AccountOn, transfer_date: Date) -> String {
    let register = format!(
        "register it with POST /api/v1/employers/{office_code}/payment-account (給付課) and make \
         a batch again"
    );
    let paid_to =
        format!("the claim is to be paid to the employer's account (事業所 {office_code})");
    match on {
        AccountOn::InForce { .. } | AccountOn::NeverRegistered => {
            format!("{paid_to}, and no account of 事業所 {office_code} is registered; {register}")
        }
        AccountOn::NotYetInForce { from } => format!(
            "{paid_to}, and its account takes effect only from {from}, after the 振込指定日 \
             {transfer_date}; make a batch with a 振込指定日 on or after {from}"
        ),
        AccountOn::Closed { since } => format!(
            "{paid_to}, and its account is closed from {since} (before the 振込指定日 \
             {transfer_date}); to pay it, {register}"
        ),
    }
}

/// Claims decided on or before `cut_off` with an amount still to pay and no instruction
/// outstanding, in order of decision. Their stream rows are locked until the transaction ends.
async fn payable_claims(
    conn: &mut PgConnection,
    upcasters: &Upcasters,
    cut_off: Date,
    kinds: Option<&[BenefitKind]>,
) -> Result<Vec<Payable>, ApiError> {
    let statuses = [
        status_text(ClaimStatus::Decided),
        status_text(ClaimStatus::PaymentFailed),
    ];
    let kinds: Option<Vec<&str>> = kinds.map(|k| k.iter().map(|k| k.code()).collect());
    let candidates: Vec<Uuid> = sqlx::query_scalar(
        "SELECT claim_id FROM benefit_claims
          WHERE status = ANY($1) AND amount > 0 AND decided_on <= $2
            AND ($3::text[] IS NULL OR kind = ANY($3))
          ORDER BY decided_on, claim_id",
    )
    .bind(&statuses[..])
    .bind(cut_off.naive())
    .bind(kinds)
    .fetch_all(&mut *conn)
    .await?;
    if candidates.is_empty() {
        return Ok(Vec::new());
    }
    let streams: Vec<String> = candidates
        .iter()
        .map(|id| stream_id::<BenefitClaim>(*id))
        .collect();
    sqlx::query("SELECT 1 FROM streams WHERE stream_id = ANY($1) ORDER BY stream_id FOR UPDATE")
        .bind(&streams)
        .execute(&mut *conn)
        .await?;
    let mut payable = Vec::with_capacity(candidates.len());
    for id in candidates {
        let loaded = claim::load(conn, upcasters, id).await?;
        let claim = &loaded.aggregate;
        let waiting = matches!(
            claim.status(),
            Some(ClaimStatus::Decided | ClaimStatus::PaymentFailed)
        );
        let decided_by_cut_off = claim.decision().is_some_and(|d| d.decided_on <= cut_off);
        let amount = claim.amount_to_pay();
        let (Some(person_id), Some(kind), Some(payee)) =
            (claim.person_id(), claim.kind(), claim.payee())
        else {
            continue;
        };
        if waiting && decided_by_cut_off && claim.pending_payment().is_none() && amount > Yen::ZERO
        {
            payable.push(Payable {
                claim_id: id,
                person_id,
                kind,
                payee: payee.clone(),
                amount,
                loaded,
            });
        }
    }
    Ok(payable)
}

/// Fold the batch's new events into `payment_batches` and read the row back.
async fn project_batch(
    conn: &mut PgConnection,
    batch_id: Uuid,
    handled: &aggregate::Handled<PaymentBatch>,
    metadata: &EventMetadata,
) -> Result<PaymentBatchView, ApiError> {
    let first_version = handled.append.stream_version - handled.events.len() as i64;
    let at: Vec<PaymentBatchEventAt> = (first_version + 1..)
        .zip(handled.events.iter())
        .map(|(version, event)| {
            PaymentBatchEventAt::new(batch_id, version, event.clone(), metadata)
        })
        .collect();
    payment_batches::apply(conn, &at)
        .await
        .map_err(projection_error)?;
    current_view(conn, batch_id).await
}

async fn current_view(
    conn: &mut PgConnection,
    batch_id: Uuid,
) -> Result<PaymentBatchView, ApiError> {
    let view: Option<serde_json::Value> =
        sqlx::query_scalar("SELECT view FROM payment_batches WHERE batch_id = $1")
            .bind(batch_id)
            .fetch_optional(&mut *conn)
            .await?;
    let view = view.ok_or_else(|| batch_not_found(batch_id))?;
    serde_json::from_value(view).map_err(|e| ApiError::internal(&e))
}

/// 404 for a batch that does not exist.
pub fn batch_not_found(batch_id: Uuid) -> ApiError {
    ApiError::not_found(
        "batch_not_found",
        format!("there is no payment batch {batch_id}"),
    )
}

// ------------------------------------------------------------------ 振込結果

/// Record a bank result on batch `batch_id` and settle each claim it newly covers, in the
/// caller's transaction. A result that repeats what is recorded writes nothing.
pub async fn record_result(
    conn: &mut PgConnection,
    upcasters: &Upcasters,
    batch_id: Uuid,
    result: BankResult,
    expected: Option<i64>,
    metadata: &EventMetadata,
) -> Result<ResultRecorded, ApiError> {
    let loaded = aggregate::load::<PaymentBatch>(conn, upcasters, batch_id)
        .await
        .map_err(aggregate::store_error)?;
    if loaded.version == 0 {
        return Err(batch_not_found(batch_id));
    }
    let Some(created) = loaded.aggregate.created().cloned() else {
        return Err(batch_not_found(batch_id));
    };
    let news = loaded.aggregate.settle(&result).map_err(refusal)?;
    let already_recorded: Vec<Uuid> = result
        .results
        .iter()
        .map(|r| r.claim_id)
        .filter(|id| {
            news.as_ref()
                .is_none_or(|n| n.settled.iter().all(|s| s.claim_id != *id))
        })
        .collect();
    let Some(news) = news else {
        if let Some(expected) = expected {
            if expected != loaded.version {
                return Err(ApiError::conflict(
                    "version_conflict",
                    format!(
                        "the record is at version {}, not the expected {expected}; reload it and try again",
                        loaded.version
                    ),
                ));
            }
        }
        return Ok(ResultRecorded {
            batch_id,
            stream_id: stream_id::<PaymentBatch>(batch_id),
            version: loaded.version,
            position: None,
            settled: Vec::new(),
            already_recorded,
            batch: current_view(conn, batch_id).await?,
        });
    };
    let handled = aggregate::execute(
        conn,
        loaded,
        PaymentBatchCommand::RecordBankResult(result),
        &(),
        expected,
        metadata,
        refusal,
    )
    .await?;
    let mut claim_metadata = metadata.clone();
    if let Some(cause) = handled.event_ids.first() {
        claim_metadata.causation_id = *cause;
    }
    let mut position = handled.append.last_position;
    for settled in &news.settled {
        let loaded = claim::load(conn, upcasters, settled.claim_id).await?;
        match loaded.aggregate.pending_payment() {
            Some(p) if p.batch_id == batch_id => {}
            _ => {
                return Err(ApiError::conflict(
                    "claim_not_pending_in_batch",
                    format!(
                        "claim {}: its payment is not outstanding in batch {batch_id}",
                        settled.claim_id
                    ),
                ))
            }
        }
        let command = match &settled.outcome {
            TransferOutcome::Paid { bank_reference } => {
                BenefitClaimCommand::RecordPaid(PaymentResult {
                    paid_on: created.transfer_date,
                    bank_reference: bank_reference.clone(),
                })
            }
            TransferOutcome::Failed { reason } => {
                BenefitClaimCommand::RecordPaymentFailed(PaymentFailure {
                    failed_on: settled.settled_on,
                    reason: reason.clone(),
                })
            }
        };
        let recorded = claim::execute_loaded(conn, loaded, command, None, &claim_metadata).await?;
        position = position.max(recorded.position);
    }
    let batch = project_batch(conn, batch_id, &handled, metadata).await?;
    Ok(ResultRecorded {
        batch_id,
        stream_id: stream_id::<PaymentBatch>(batch_id),
        version: handled.append.stream_version,
        position: Some(position),
        settled: news.settled,
        already_recorded,
        batch,
    })
}

// ------------------------------------------------------------------ 承認 and downloads

/// 振込データ承認: a `benefits` member other than the batch's maker approves it.
pub async fn approve(
    conn: &mut PgConnection,
    upcasters: &Upcasters,
    batch_id: Uuid,
    expected: Option<i64>,
    metadata: &EventMetadata,
) -> Result<ApprovalRecorded, ApiError> {
    let loaded = aggregate::load::<PaymentBatch>(conn, upcasters, batch_id)
        .await
        .map_err(aggregate::store_error)?;
    if loaded.version == 0 {
        return Err(batch_not_found(batch_id));
    }
    let command = PaymentBatchCommand::Approve(BatchApproval {
        approved_by: metadata.actor.clone(),
        approved_at: metadata.recorded_at,
    });
    let handled =
        aggregate::execute(conn, loaded, command, &(), expected, metadata, refusal).await?;
    let batch = project_batch(conn, batch_id, &handled, metadata).await?;
    Ok(ApprovalRecorded {
        batch_id,
        stream_id: stream_id::<PaymentBatch>(batch_id),
        version: handled.append.stream_version,
        position: handled.append.last_position,
        batch,
        transfer_file: format!("/api/v1/payment-batches/{batch_id}/transfer-file"),
    })
}

/// The transfer file of an approved batch, its download recorded on the batch in the
/// caller's transaction (409 `batch_not_approved` before the approval: nothing served, nothing
/// written).
pub async fn download(
    conn: &mut PgConnection,
    upcasters: &Upcasters,
    batch_id: Uuid,
    metadata: &EventMetadata,
) -> Result<DownloadedFile, ApiError> {
    let loaded = aggregate::load::<PaymentBatch>(conn, upcasters, batch_id)
        .await
        .map_err(aggregate::store_error)?;
    let Some(created) = loaded.aggregate.created().cloned() else {
        return Err(batch_not_found(batch_id));
    };
    loaded.aggregate.check_downloadable().map_err(refusal)?;
    let bytes = transfer_bytes(&created)?;
    let digest = <sha2::Sha256 as sha2::Digest>::digest(&bytes);
    let command = PaymentBatchCommand::RecordDownload(TransferFileDownload {
        downloaded_by: metadata.actor.clone(),
        downloaded_at: metadata.recorded_at,
        client_address: metadata.client_address.clone(),
        terminal_id: metadata.terminal_id.clone(),
        file_sha256: hex::encode(digest),
        file_bytes: bytes.len() as u64,
    });
    let handled = aggregate::execute(conn, loaded, command, &(), None, metadata, refusal).await?;
    project_batch(conn, batch_id, &handled, metadata).await?;
    Ok(DownloadedFile {
        file_name: transfer_file_name(&created),
        bytes,
        batch: created,
    })
}

// ------------------------------------------------------------------ reading a batch

/// The batch's `BatchCreated` event, read from its stream (the source of the transfer file).
pub async fn created_event(
    conn: &mut PgConnection,
    upcasters: &Upcasters,
    batch_id: Uuid,
) -> Result<BatchCreated, ApiError> {
    let events = event_store::read_stream(conn, &stream_id::<PaymentBatch>(batch_id), upcasters)
        .await
        .map_err(|e| ApiError::internal(&e))?;
    for stored in &events {
        if let PaymentBatchEvent::BatchCreated(created) = stored
            .domain_event::<PaymentBatchEvent>()
            .map_err(|e| ApiError::internal(&e))?
        {
            return Ok(*created);
        }
    }
    Err(batch_not_found(batch_id))
}

/// The 総合振込 bytes of a batch (CR LF after every record), identical on every call.
pub fn transfer_bytes(created: &BatchCreated) -> Result<Vec<u8>, ApiError> {
    transfer_file(created)
        .map(|f| f.to_bytes())
        .map_err(|e| ApiError::internal(&e))
}
