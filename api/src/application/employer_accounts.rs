//! 事業主口座 (employers' accounts): the register of the account each 事業所 has benefits paid
//! to — one `employer-<uuid>` stream per 事業所コード (UUID v5 of the code), projected inline into
//! `employer_accounts`. Payment batches pay a claim whose payee is `employer_account` to the
//! account in force on the batch's 振込指定日 ([`account_on`]).
//!
//! Decisions:
//! - Every registration, change and closure is a proposal (`EmployerAccountChangeProposed`,
//!   202 `pending_confirmation`) that takes effect only when another `benefits` member
//!   confirms it (`kenpo_domain::account_change`); until then the register, its projection and
//!   payment batches keep the account in force before.
//! - Only the 給付課 (`benefits`) records accounts: the account receives 給付 (digest.md §2.3
//!   #1, L797–804), and the 給付課 makes the payment batches that use it. The 徴収課 collects
//!   premiums from employers by other means (納入告知) and does not keep this register, so
//!   `premiums` is not accepted. The 給付課 and 監査 read it (it holds bank accounts, as
//!   payment batches do).
//! - An account is refused (422 `account_not_transferable`) when it could not be written into
//!   a 全銀 総合振込 file (its holder name in half-width カナ, at most 30 characters): a register
//!   entry that no batch could pay to is a mistake best caught at the counter.
//! - The 事業所コード is not checked against the 適用 records: kenpo keeps no register of
//!   事業所 yet; any 1 to 8 digit code (as on a claim's payee) may hold an account.

use kenpo_domain::calendar::Date;
use kenpo_domain::employers::{
    Employer, EmployerAccountChange, EmployerCommand, OfficeCode, PaymentAccount,
};
use kenpo_domain::money::Yen;
use kenpo_infrastructure::bank_files::transfer::TransferRecord;
use kenpo_infrastructure::event_store::{EventMetadata, Upcasters};
use kenpo_projections::employer_accounts::{
    self as read_model, query, EmployerAccountRow, EmployerEventAt,
};
use serde::Serialize;
use sqlx::PgConnection;
use utoipa::ToSchema;

use super::aggregate::{self, stream_id, Loaded};
use crate::problem::ApiError;

/// What a command on a 事業所's register recorded, and the entry it added.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EmployerAccountRecorded {
    /// 事業所コード.
    pub office_code: String,
    /// `employer-<uuid>` (UUID v5 of the 事業所コード).
    pub stream_id: String,
    /// The stream's version after the command (for `If-Match`).
    pub version: i64,
    /// Global position of the event recorded.
    pub position: i64,
    /// Event types recorded.
    pub events: Vec<String>,
    /// The entry the command put in force (absent for a proposal or a rejection, which put
    /// nothing in force).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entry: Option<EmployerAccountRow>,
}

/// A domain refusal as an answer: the one mapping for every area.
pub use crate::problem::refusal;

/// The 事業所コード named in a URL: 422 `invalid_office_code` unless 1 to 8 digits.
pub fn parse_office_code(text: &str) -> Result<OfficeCode, ApiError> {
    OfficeCode::parse(text).map_err(|e| ApiError::invalid("invalid_office_code", e.to_string()))
}

/// 422 `account_not_transferable` for an account a 総合振込 data record cannot carry.
pub fn check_transferable(account: &PaymentAccount) -> Result<(), ApiError> {
    TransferRecord::to_account(account, Yen::new(1))
        .map(|_| ())
        .map_err(|e| {
            ApiError::invalid(
                "account_not_transferable",
                format!("the account cannot be written in a 全銀 総合振込 file: {e}"),
            )
        })
}

/// 404 `employer_account_not_registered`, saying how to register one.
pub fn not_registered(office_code: &OfficeCode) -> ApiError {
    ApiError::not_found(
        "employer_account_not_registered",
        format!(
            "事業所 {office_code} has no account registered; register one with \
             POST /api/v1/employers/{office_code}/payment-account"
        ),
    )
}

/// The 事業所's register, folded from its stream (version 0 when nothing is recorded).
pub async fn load(
    conn: &mut PgConnection,
    upcasters: &Upcasters,
    office_code: &OfficeCode,
) -> Result<Loaded<Employer>, ApiError> {
    aggregate::load::<Employer>(conn, upcasters, Employer::stream_uuid(office_code))
        .await
        .map_err(aggregate::store_error)
}

/// What the register says for `on`: the account in force, or why there is none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountOn {
    /// The account in force, and the day it took effect.
    InForce {
        account: PaymentAccount,
        since: Date,
    },
    /// Nothing was ever registered.
    NeverRegistered,
    /// The first account takes effect only after `on`.
    NotYetInForce { from: Date },
    /// The account was closed from `since` (and not registered again by `on`).
    Closed { since: Date },
}

/// The account of the 事業所 in force on `on`, read from its stream in the caller's
/// transaction.
pub fn account_on(employer: &Employer, on: Date) -> AccountOn {
    match employer.entry_on(on) {
        Some(entry) => match &entry.account {
            Some(account) => AccountOn::InForce {
                account: account.clone(),
                since: entry.effective_from,
            },
            None => AccountOn::Closed {
                since: entry.effective_from,
            },
        },
        None => match employer.entries().next() {
            Some(first) => AccountOn::NotYetInForce {
                from: first.effective_from,
            },
            None => AccountOn::NeverRegistered,
        },
    }
}

/// The metadata of a confirmation that closes the account carries the closure's reason, as
/// the closure's event did when it was recorded in one step.
fn with_closure_reason(
    employer: &Employer,
    command: &EmployerCommand,
    metadata: &EventMetadata,
) -> EventMetadata {
    let mut metadata = metadata.clone();
    if let EmployerCommand::ConfirmChange { confirmation, .. } = command {
        if let Some(pending) = employer
            .pending_change()
            .filter(|p| p.change_id == confirmation.change_id)
        {
            if let EmployerAccountChange::Close(closure) = &pending.change {
                metadata.reason = Some(closure.reason.trim().to_owned());
            }
        }
    }
    metadata
}

/// Run `command` on the stream of `office_code` and project its event inline.
pub async fn execute(
    conn: &mut PgConnection,
    upcasters: &Upcasters,
    office_code: &OfficeCode,
    command: EmployerCommand,
    expected: Option<i64>,
    metadata: &EventMetadata,
) -> Result<EmployerAccountRecorded, ApiError> {
    let loaded = load(conn, upcasters, office_code).await?;
    let id = loaded.id;
    let metadata = &with_closure_reason(&loaded.aggregate, &command, metadata);
    let handled =
        aggregate::execute(conn, loaded, command, &(), expected, metadata, refusal).await?;
    let first_version = handled.append.stream_version - handled.events.len() as i64;
    let at: Vec<EmployerEventAt> = (first_version + 1..)
        .zip(handled.events.iter())
        .map(|(version, event)| EmployerEventAt::new(version, event.clone(), metadata))
        .collect();
    read_model::apply(conn, &at)
        .await
        .map_err(|e| ApiError::internal(&e))?;
    let Some(last) = handled.events.last() else {
        return Err(ApiError::internal(&"the command recorded nothing"));
    };
    let entry = match last.effective_from() {
        Some(effective_from) => Some(
            query::in_force(&mut *conn, office_code.as_str(), effective_from)
                .await
                .map_err(|e| ApiError::internal(&e))?
                .filter(|row| row.effective_from == effective_from)
                .ok_or_else(|| ApiError::internal(&"the entry's row was not written"))?,
        ),
        None => None,
    };
    Ok(EmployerAccountRecorded {
        office_code: office_code.as_str().to_owned(),
        stream_id: stream_id::<Employer>(id),
        version: handled.append.stream_version,
        position: handled.append.last_position,
        events: handled
            .events
            .iter()
            .map(|e| e.type_name().to_owned())
            .collect(),
        entry,
    })
}
