//! 保険者パラメータ (society parameter registry): set and correct values (one stream per key,
//! projected inline into `parameters`), look values up for calculations, and seed the statutory
//! values at start-up.
//!
//! Calculations call [`value_on`], [`rate_on`] or [`yen_on`] with their connection (inside a
//! command transaction, the registry is read consistently with it) and cite the returned
//! [`ParameterRef`] in their 算定根拠.

use chrono::Utc;
use kenpo_domain::basis::ParameterRef;
use kenpo_domain::calendar::Date;
use kenpo_domain::money::Yen;
use kenpo_domain::parameters::{
    statutory_values, Decimal, MissingParameter, Parameter, ParameterCommand, ParameterError,
    ParameterEvent, ParameterKey, ParameterValue, SetValue, ValueKind, SEED_ACTOR, SEED_REASON,
};
use kenpo_infrastructure::event_store::{
    self, EventMetadata, EventStoreError, ExpectedVersion, NewEvent, Upcasters,
};
use kenpo_projections::parameters::{self as read_model, query, EntryRow, ParameterEventAt};
use kenpo_projections::ProjectionError;
use serde::Serialize;
use sqlx::{PgConnection, PgExecutor, PgPool};
use utoipa::ToSchema;

use super::aggregate::{self, stream_id};
use crate::problem::ApiError;

/// What a registry command recorded, and the entry as it now stands.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ParameterRecorded {
    pub key: ParameterKey,
    /// `parameter-<uuid>` (UUID v5 of the key).
    pub stream_id: String,
    /// The stream's version after the command: the entry's `ParameterRef.version`.
    pub version: i64,
    /// Global position of the event recorded.
    pub position: i64,
    /// Event types recorded.
    pub events: Vec<String>,
    /// The entry as it stands now.
    pub entry: EntryRow,
}

/// A domain refusal as an answer: the one mapping for every area.
pub use crate::problem::refusal;

/// The key named in a URL: 404 `unknown_parameter` (listing the keys) when there is none.
pub fn parse_key(name: &str) -> Result<ParameterKey, ApiError> {
    name.parse()
        .map_err(|e: kenpo_domain::parameters::UnknownParameter| {
            ApiError::not_found("unknown_parameter", e.to_string())
        })
}

/// Run `command` on the stream of its key and project the event inline.
pub async fn execute(
    conn: &mut PgConnection,
    upcasters: &Upcasters,
    key: ParameterKey,
    command: ParameterCommand,
    expected: Option<i64>,
    metadata: &EventMetadata,
) -> Result<ParameterRecorded, ApiError> {
    let id = Parameter::stream_uuid(key);
    let loaded = aggregate::load::<Parameter>(conn, upcasters, id)
        .await
        .map_err(aggregate::store_error)?;
    let handled =
        aggregate::execute(conn, loaded, command, &(), expected, metadata, refusal).await?;
    let first_version = handled.append.stream_version - handled.events.len() as i64;
    let at: Vec<ParameterEventAt> = (first_version + 1..)
        .zip(handled.events.iter())
        .map(|(version, event)| ParameterEventAt::new(version, event.clone(), metadata))
        .collect();
    read_model::apply(conn, &at)
        .await
        .map_err(|e| ApiError::internal(&e))?;
    let entry = recorded_entry(conn, key, handled.events.last()).await?;
    Ok(ParameterRecorded {
        key,
        stream_id: stream_id::<Parameter>(id),
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

/// The row the last event wrote.
async fn recorded_entry(
    conn: &mut PgConnection,
    key: ParameterKey,
    event: Option<&ParameterEvent>,
) -> Result<EntryRow, ApiError> {
    let effective_from = match event {
        Some(ParameterEvent::ValueSet(e)) => e.effective_from,
        Some(ParameterEvent::ValueCorrected(e)) => e.effective_from,
        None => return Err(ApiError::internal(&"the command recorded nothing")),
    };
    query::in_force(&mut *conn, key, effective_from)
        .await
        .map_err(|e| ApiError::internal(&e))?
        .filter(|row| row.effective_from == effective_from)
        .ok_or_else(|| ApiError::internal(&"the entry's row was not written"))
}

/// Why a value could not be looked up.
#[derive(Debug, thiserror::Error)]
pub enum LookupError {
    /// Nothing is in force on that date: the registry needs an entry.
    #[error(transparent)]
    Missing(#[from] MissingParameter),
    /// The caller asked for a rate of an amount (or the reverse): a programming error.
    #[error("{key} holds {actual} values, not {asked}", actual = key.kind().as_str(), asked = asked.as_str())]
    WrongKind { key: ParameterKey, asked: ValueKind },
    #[error("the parameters read model cannot be read: {0}")]
    Projection(#[from] ProjectionError),
    #[error("the parameters read model holds {value:?} for {key}, which is not a {kind} value", kind = key.kind().as_str())]
    Unreadable { key: ParameterKey, value: String },
}

impl From<LookupError> for ApiError {
    /// A missing parameter is 409 `parameter_not_set` (the request is fine; the registry
    /// lacks a value — the message says which and how to set it); anything else is 500.
    fn from(error: LookupError) -> Self {
        match error {
            LookupError::Missing(missing) => {
                ApiError::conflict(MissingParameter::CODE, missing.to_string())
            }
            other => ApiError::internal(&other),
        }
    }
}

/// The value of `key` in force on `on`, with the [`ParameterRef`] a 算定根拠 cites (its
/// version is the stream version of the event that set the value).
pub async fn value_on<'e>(
    executor: impl PgExecutor<'e>,
    key: ParameterKey,
    on: Date,
) -> Result<(ParameterValue, ParameterRef), LookupError> {
    let row = query::in_force(executor, key, on)
        .await?
        .ok_or(MissingParameter { key, on })?;
    let value = row.typed_value().ok_or_else(|| LookupError::Unreadable {
        key,
        value: row.value.clone(),
    })?;
    Ok((value, row.parameter_ref()))
}

/// A rate (一般保険料率, 介護保険料率, 子ども・子育て支援金率, 事業主負担割合, …) in force on `on`.
pub async fn rate_on<'e>(
    executor: impl PgExecutor<'e>,
    key: ParameterKey,
    on: Date,
) -> Result<(Decimal, ParameterRef), LookupError> {
    if key.kind() != ValueKind::Rate {
        return Err(LookupError::WrongKind {
            key,
            asked: ValueKind::Rate,
        });
    }
    let (value, reference) = value_on(executor, key, on).await?;
    let rate = value.as_rate().ok_or(LookupError::WrongKind {
        key,
        asked: ValueKind::Rate,
    })?;
    Ok((rate, reference))
}

/// An amount (出産育児一時金, 埋葬料, 任継 上限, 12か月未満 基準額, …) in force on `on`.
pub async fn yen_on<'e>(
    executor: impl PgExecutor<'e>,
    key: ParameterKey,
    on: Date,
) -> Result<(Yen, ParameterRef), LookupError> {
    if key.kind() != ValueKind::Yen {
        return Err(LookupError::WrongKind {
            key,
            asked: ValueKind::Yen,
        });
    }
    let (value, reference) = value_on(executor, key, on).await?;
    let amount = value.as_yen().ok_or(LookupError::WrongKind {
        key,
        asked: ValueKind::Yen,
    })?;
    Ok((amount, reference))
}

/// Key of the advisory lock that serialises seeding (two servers starting at once).
const SEED_LOCK_KEY: i64 = 0x6b_656e_706f_5345;

/// Why seeding failed.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("a statutory value is refused by the registry: {0}")]
    Refused(#[from] ParameterError),
    #[error(transparent)]
    Store(#[from] EventStoreError),
    #[error(transparent)]
    Projection(#[from] ProjectionError),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error("an event cannot be serialised: {0}")]
    Serialize(#[from] serde_json::Error),
}

/// What seeding did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seeded {
    /// Entries recorded now.
    pub recorded: usize,
    /// Entries the registry already had (same key and date), left alone.
    pub present: usize,
}

/// Record every statutory value ([`statutory_values`]) the registry does not have yet (same
/// key and `effective_from`), as events of the actor `seed`, in one transaction. Idempotent:
/// a second run records nothing, and a corrected seed entry is never overwritten. Called by
/// `kenpo serve` and `kenpo migrate`.
pub async fn seed_statutory(pool: &PgPool) -> Result<Seeded, SeedError> {
    let upcasters = crate::startup::upcasters();
    let mut tx = event_store::begin_command(pool).await?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(SEED_LOCK_KEY)
        .execute(&mut *tx)
        .await?;
    let metadata = EventMetadata {
        reason: Some(SEED_REASON.to_owned()),
        ..EventMetadata::system(SEED_ACTOR)
    };
    let mut seeded = Seeded {
        recorded: 0,
        present: 0,
    };
    for value in statutory_values() {
        let id = Parameter::stream_uuid(value.key);
        let loaded = aggregate::load::<Parameter>(&mut tx, &upcasters, id).await?;
        if loaded
            .aggregate
            .entries()
            .any(|e| e.effective_from == value.effective_from)
        {
            seeded.present += 1;
            continue;
        }
        let events = loaded
            .aggregate
            .decide(ParameterCommand::SetValue(SetValue {
                key: value.key,
                effective_from: value.effective_from,
                value: value.value,
                source: value.source.to_owned(),
                reason: SEED_REASON.to_owned(),
            }))?;
        let new_events = events
            .iter()
            .map(|e| NewEvent::from_domain(e, metadata.clone()))
            .collect::<Result<Vec<_>, _>>()?;
        let expected = match loaded.version {
            0 => ExpectedVersion::NoStream,
            version => ExpectedVersion::Exact(version),
        };
        let stream = stream_id::<Parameter>(id);
        event_store::append(&mut tx, &stream, STREAM_TYPE_NAME, expected, &new_events).await?;
        let at: Vec<ParameterEventAt> = (loaded.version + 1..)
            .zip(events)
            .map(|(version, event)| ParameterEventAt::new(version, event, &metadata))
            .collect();
        read_model::apply(&mut tx, &at).await?;
        seeded.recorded += 1;
    }
    tx.commit().await?;
    if seeded.recorded > 0 {
        tracing::info!(
            recorded = seeded.recorded,
            present = seeded.present,
            "statutory parameters seeded"
        );
    }
    Ok(seeded)
}

const STREAM_TYPE_NAME: &str = kenpo_domain::parameters::STREAM_TYPE;

/// Today's date in Japan: the default `on` of a look-up.
pub fn today() -> Date {
    kenpo_domain::staff::date_in_japan(Utc::now())
}
