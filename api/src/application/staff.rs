//! ユーザ管理簿 (staff account registry) commands: propose, approve, reject — each loads the
//! account's stream, lets the [`StaffAccount`] aggregate decide, appends, and updates the
//! `staff_accounts` read model, all in the command's transaction. Plus
//! [`bootstrap_account`] for a fresh installation.

use chrono::Utc;
use cqrs_es::event_sink::EventSink;
use cqrs_es::Aggregate;
use kenpo_domain::staff::{
    AccountChange, AccountDetails, Reason, StaffAccount, StaffAccountCommand, StaffAccountError,
    StaffId,
};
use kenpo_infrastructure::event_store::{
    self, EventMetadata, EventStoreError, ExpectedVersion, NewEvent, Upcasters,
};
use kenpo_projections::staff_accounts::{self, query, StaffAccountEventAt, StaffAccountView};
use kenpo_projections::ProjectionError;
use serde::Serialize;
use sqlx::{PgConnection, PgPool};
use utoipa::ToSchema;
use uuid::Uuid;

use super::aggregate::{self, stream_id};
use crate::problem::ApiError;

/// What a registry command recorded, and the account as it now stands.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AccountRecorded {
    /// 職員ID of the account.
    pub staff_id: String,
    /// The change proposed, approved or rejected.
    pub change_id: Uuid,
    /// `staff_account-<uuid>`.
    pub stream_id: String,
    /// The stream's version after the command.
    pub version: i64,
    /// Global position of the last event recorded.
    pub position: i64,
    /// Event types recorded, in order.
    pub events: Vec<String>,
    /// The account as it stands after the command (a proposal shows as `pending_change`).
    pub account: StaffAccountView,
}

/// A domain refusal as an answer: the one mapping for every area.
pub use crate::problem::refusal;

fn projection_error(error: ProjectionError) -> ApiError {
    ApiError::internal(&error)
}

/// The acting user's 職員ID. It is in the registry (the request got in), so it parses.
pub fn actor(sub: &str) -> Result<StaffId, ApiError> {
    StaffId::parse(sub).map_err(|e| ApiError::forbidden(e.to_string()))
}

/// Propose `change` to the account `staff_id` (システム担当課). The change gets a new id and
/// waits for approval.
pub async fn propose(
    conn: &mut PgConnection,
    upcasters: &Upcasters,
    staff_id: StaffId,
    change: AccountChange,
    proposed_by: StaffId,
    metadata: &EventMetadata,
) -> Result<AccountRecorded, ApiError> {
    let change_id = Uuid::now_v7();
    let command = StaffAccountCommand::ProposeChange {
        staff_id: staff_id.clone(),
        change_id,
        change,
        proposed_by,
        proposed_at: metadata.recorded_at,
    };
    execute(conn, upcasters, &staff_id, change_id, command, metadata).await
}

/// Approve the pending change `change_id` (データ保護担当者の確認): it takes effect at once.
pub async fn approve(
    conn: &mut PgConnection,
    upcasters: &Upcasters,
    change_id: Uuid,
    approved_by: StaffId,
    metadata: &EventMetadata,
) -> Result<AccountRecorded, ApiError> {
    let staff_id = account_of_change(conn, change_id).await?;
    let command = StaffAccountCommand::ApproveChange {
        change_id,
        approved_by,
        approved_at: metadata.recorded_at,
    };
    execute(conn, upcasters, &staff_id, change_id, command, metadata).await
}

/// Reject the pending change `change_id`; nothing changes.
pub async fn reject(
    conn: &mut PgConnection,
    upcasters: &Upcasters,
    change_id: Uuid,
    rejected_by: StaffId,
    reason: Reason,
    metadata: &EventMetadata,
) -> Result<AccountRecorded, ApiError> {
    let staff_id = account_of_change(conn, change_id).await?;
    let command = StaffAccountCommand::RejectChange {
        change_id,
        rejected_by,
        reason,
        rejected_at: metadata.recorded_at,
    };
    execute(conn, upcasters, &staff_id, change_id, command, metadata).await
}

/// The account whose pending change is `change_id` (from the read model, which is written in
/// the same transactions as the events).
async fn account_of_change(conn: &mut PgConnection, change_id: Uuid) -> Result<StaffId, ApiError> {
    let staff_id = query::account_with_pending_change(conn, change_id)
        .await
        .map_err(projection_error)?
        .ok_or_else(|| refusal(StaffAccountError::ChangeNotFound { change_id }))?;
    StaffId::parse(&staff_id).map_err(|e| ApiError::internal(&e))
}

async fn execute(
    conn: &mut PgConnection,
    upcasters: &Upcasters,
    staff_id: &StaffId,
    change_id: Uuid,
    command: StaffAccountCommand,
    metadata: &EventMetadata,
) -> Result<AccountRecorded, ApiError> {
    let id = StaffAccount::stream_uuid(staff_id);
    let loaded = aggregate::load::<StaffAccount>(conn, upcasters, id)
        .await
        .map_err(aggregate::store_error)?;
    let handled = aggregate::execute(conn, loaded, command, &(), None, metadata, refusal).await?;
    let first_version = handled.append.stream_version - handled.events.len() as i64;
    let at: Vec<StaffAccountEventAt> = (first_version + 1..)
        .zip(handled.events.iter())
        .map(|(version, event)| StaffAccountEventAt {
            version,
            event: event.clone(),
        })
        .collect();
    let account = staff_accounts::apply(conn, &at)
        .await
        .map_err(projection_error)?
        .into_iter()
        .next()
        .ok_or_else(|| ApiError::internal(&"the account's row was not written"))?;
    Ok(AccountRecorded {
        staff_id: staff_id.to_string(),
        change_id,
        stream_id: stream_id::<StaffAccount>(id),
        version: handled.append.stream_version,
        position: handled.append.last_position,
        events: handled
            .events
            .iter()
            .map(|e| e.type_name().to_owned())
            .collect(),
        account,
    })
}

/// When [`bootstrap_account`] may run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BootstrapMode {
    /// Only while fewer than [`BOOTSTRAP_LIMIT`] accounts were ever created: a fresh
    /// installation needs one システム担当 and one データ保護担当者 before the approval flow works.
    FreshInstallation,
    /// Whatever the registry holds (`--force`; tests and benchmarks).
    Force,
}

/// Accounts a fresh installation may bootstrap without `--force`.
pub const BOOTSTRAP_LIMIT: i64 = 2;

/// Why a bootstrap did not happen.
#[derive(Debug, thiserror::Error)]
pub enum BootstrapError {
    #[error("the ユーザ管理簿 already holds {0} accounts: add accounts through the approval flow (POST /api/v1/accounts/changes, then approval by the データ保護担当者), or pass --force")]
    NotFresh(i64),
    #[error(transparent)]
    Refused(#[from] StaffAccountError),
    #[error(transparent)]
    Store(#[from] EventStoreError),
    #[error(transparent)]
    Projection(#[from] ProjectionError),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error("an event cannot be serialised: {0}")]
    Serialize(#[from] serde_json::Error),
}

/// What a bootstrap recorded.
#[derive(Debug, Clone)]
pub struct Bootstrapped {
    pub account: StaffAccountView,
    pub stream_id: String,
    /// Positions of the events recorded.
    pub positions: (i64, i64),
    /// Accounts created before this one.
    pub accounts_before: i64,
}

/// Create the account `staff_id` directly, without the approval flow: for a fresh
/// installation (no pair of staff yet to propose and approve), tests and benchmarks. The
/// events record the actor `bootstrap` as proposer and approver, marked `bootstrap`.
pub async fn bootstrap_account(
    pool: &PgPool,
    upcasters: &Upcasters,
    staff_id: StaffId,
    details: AccountDetails,
    mode: BootstrapMode,
) -> Result<Bootstrapped, BootstrapError> {
    let mut tx = event_store::begin_command(pool).await?;
    // Serialise bootstraps, so two at once cannot both see a fresh registry.
    sqlx::query("LOCK TABLE staff_accounts IN SHARE ROW EXCLUSIVE MODE")
        .execute(&mut *tx)
        .await?;
    let accounts_before = query::created_count(&mut *tx).await?;
    if mode == BootstrapMode::FreshInstallation && accounts_before >= BOOTSTRAP_LIMIT {
        return Err(BootstrapError::NotFresh(accounts_before));
    }
    let id = StaffAccount::stream_uuid(&staff_id);
    let loaded = aggregate::load::<StaffAccount>(&mut tx, upcasters, id).await?;
    let metadata = EventMetadata::system(StaffId::BOOTSTRAP_ACTOR);
    let command = StaffAccountCommand::Bootstrap {
        staff_id,
        change_id: Uuid::now_v7(),
        details,
        at: metadata.recorded_at,
    };
    let mut account = loaded.aggregate;
    let sink = EventSink::<StaffAccount>::default();
    account.handle(command, &(), &sink).await?;
    let events = sink.collect().await;
    let new_events = events
        .iter()
        .map(|e| NewEvent::from_domain(e, metadata.clone()))
        .collect::<Result<Vec<_>, _>>()?;
    let expected = match loaded.version {
        0 => ExpectedVersion::NoStream,
        version => ExpectedVersion::Exact(version),
    };
    let stream = stream_id::<StaffAccount>(id);
    let append =
        event_store::append(&mut tx, &stream, StaffAccount::TYPE, expected, &new_events).await?;
    let at: Vec<StaffAccountEventAt> = (loaded.version + 1..)
        .zip(events)
        .map(|(version, event)| StaffAccountEventAt { version, event })
        .collect();
    let account = staff_accounts::apply(&mut tx, &at)
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| ProjectionError::Database(sqlx::Error::RowNotFound))?;
    tx.commit().await?;
    tracing::info!(staff_id = %account.staff_id, "staff account bootstrapped");
    Ok(Bootstrapped {
        account,
        stream_id: stream,
        positions: (append.first_position, append.last_position),
        accounts_before,
    })
}

/// Today's date in Japan, the default first day of a bootstrapped account.
pub fn today() -> kenpo_domain::calendar::Date {
    kenpo_domain::staff::date_in_japan(Utc::now())
}
