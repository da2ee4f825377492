//! Rebuild every read model from position 0.

use std::time::{Duration, Instant};

use kenpo_infrastructure::event_store::{Upcasters, LOG_LOCK_KEY};
use sqlx::PgPool;

use crate::benefit_claims::{self, ClaimEventAt};
use crate::employer_accounts::{self, EmployerEventAt};
use crate::employer_notices::{self, EmployerNoticeEventAt};
use crate::medical_certificates::{self, CertificateEventAt};
use crate::members::{self, PersonEventAt};
use crate::my_number_status::{self, MyNumberEventAt};
use crate::parameters::{self, ParameterEventAt};
use crate::payment_batches::{self, PaymentBatchEventAt};
use crate::premium_ledger::{self, PremiumEventAt};
use crate::staff_accounts::{self, StaffAccountEventAt};
use crate::ProjectionError;

/// What a rebuild did.
#[derive(Debug, Clone, PartialEq)]
pub struct RebuildSummary {
    /// Events read from the log.
    pub events: u64,
    /// The last position included.
    pub up_to: i64,
    /// Rows in the members read model afterwards.
    pub members: i64,
    /// Rows in the staff_accounts read model (ユーザ管理簿) afterwards.
    pub staff_accounts: i64,
    pub elapsed: Duration,
}

/// Told about progress: `(events done, events in total)`.
pub trait RebuildProgress {
    fn advanced(&self, done: u64, total: u64);
}

impl<F: Fn(u64, u64)> RebuildProgress for F {
    fn advanced(&self, done: u64, total: u64) {
        self(done, total)
    }
}

/// Rebuild the read models from position 0 in one transaction, `batch` events at a time.
///
/// The transaction takes the event log's lock exclusively (ADR 0001): it waits for commands in
/// flight, and commands wait for it, so the rebuilt models are exactly the fold of the log up
/// to the last position, and no command can update a half-rebuilt table. Readers of the read
/// models see the old rows until the rebuild commits.
pub async fn rebuild(
    pool: &PgPool,
    upcasters: &Upcasters,
    batch: i64,
    progress: &dyn RebuildProgress,
) -> Result<RebuildSummary, ProjectionError> {
    let started = Instant::now();
    let mut tx = pool.begin().await?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(LOG_LOCK_KEY)
        .execute(&mut *tx)
        .await?;
    let (up_to, total): (i64, i64) =
        sqlx::query_as("SELECT coalesce(max(position), 0), count(*) FROM events")
            .fetch_one(&mut *tx)
            .await?;
    let total = u64::try_from(total).unwrap_or(0);
    members::reset(&mut tx).await?;
    staff_accounts::reset(&mut tx).await?;
    my_number_status::reset(&mut tx).await?;
    parameters::reset(&mut tx).await?;
    payment_batches::reset(&mut tx).await?;
    benefit_claims::reset(&mut tx).await?;
    medical_certificates::reset(&mut tx).await?;
    premium_ledger::reset(&mut tx).await?;
    employer_notices::reset(&mut tx).await?;
    employer_accounts::reset(&mut tx).await?;
    let mut after = 0_i64;
    let mut done = 0_u64;
    progress.advanced(0, total);
    loop {
        let events = kenpo_infrastructure::event_store::read_range_in(
            &mut tx,
            after,
            up_to,
            batch.max(1),
            upcasters,
        )
        .await?;
        let Some(last) = events.last() else { break };
        after = last.position;
        done += events.len() as u64;
        let person_events = events
            .iter()
            .filter_map(|e| PersonEventAt::from_stored(e).transpose())
            .collect::<Result<Vec<_>, _>>()?;
        members::apply(&mut tx, &person_events).await?;
        let account_events = events
            .iter()
            .filter_map(|e| StaffAccountEventAt::from_stored(e).transpose())
            .collect::<Result<Vec<_>, _>>()?;
        if !account_events.is_empty() {
            staff_accounts::apply(&mut tx, &account_events).await?;
        }
        let my_number_events = events
            .iter()
            .filter_map(|e| MyNumberEventAt::from_stored(e).transpose())
            .collect::<Result<Vec<_>, _>>()?;
        my_number_status::apply(&mut tx, &my_number_events).await?;
        let parameter_events = events
            .iter()
            .filter_map(|e| ParameterEventAt::from_stored(e).transpose())
            .collect::<Result<Vec<_>, _>>()?;
        parameters::apply(&mut tx, &parameter_events).await?;
        let batch_events = events
            .iter()
            .filter_map(|e| PaymentBatchEventAt::from_stored(e).transpose())
            .collect::<Result<Vec<_>, _>>()?;
        payment_batches::apply(&mut tx, &batch_events).await?;
        let claim_events = events
            .iter()
            .filter_map(|e| ClaimEventAt::from_stored(e).transpose())
            .collect::<Result<Vec<_>, _>>()?;
        benefit_claims::apply(&mut tx, &claim_events).await?;
        let certificate_events = events
            .iter()
            .filter_map(|e| CertificateEventAt::from_stored(e).transpose())
            .collect::<Result<Vec<_>, _>>()?;
        medical_certificates::apply(&mut tx, &certificate_events).await?;
        let premium_events = events
            .iter()
            .filter_map(|e| PremiumEventAt::from_stored(e).transpose())
            .collect::<Result<Vec<_>, _>>()?;
        premium_ledger::apply(&mut tx, &premium_events).await?;
        let notice_events = events
            .iter()
            .filter_map(|e| EmployerNoticeEventAt::from_stored(e).transpose())
            .collect::<Result<Vec<_>, _>>()?;
        employer_notices::apply(&mut tx, &notice_events).await?;
        let employer_events = events
            .iter()
            .filter_map(|e| EmployerEventAt::from_stored(e).transpose())
            .collect::<Result<Vec<_>, _>>()?;
        employer_accounts::apply(&mut tx, &employer_events).await?;
        progress.advanced(done, total);
    }
    sqlx::query(
        "INSERT INTO projection_checkpoints (projection, position)
         SELECT unnest(ARRAY['members', 'staff_accounts', 'my_number_status', 'parameters', 'payment_batches',
                             'benefit_claims', 'medical_certificates', 'premium_ledger', 'employer_notices',
                             'employer_accounts']), $1
         ON CONFLICT (projection) DO UPDATE SET position = EXCLUDED.position, updated_at = now()",
    )
    .bind(up_to)
    .execute(&mut *tx)
    .await?;
    let (members, staff_accounts): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM members), (SELECT count(*) FROM staff_accounts)",
    )
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(RebuildSummary {
        events: done,
        up_to,
        members,
        staff_accounts,
        elapsed: started.elapsed(),
    })
}
