//! 保険者パラメータ (society parameter registry): values are set and corrected by the
//! システム担当 (`system_admin`); any staff reads them.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use kenpo_domain::basis::ParameterRef;
use kenpo_domain::calendar::Date;
use kenpo_domain::parameters::{
    CorrectValue, Origin, ParameterCommand, ParameterKey, ParameterValue, RawValue, SetValue,
    ValueKind,
};
use kenpo_projections::parameters::{query, EntryRow};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use crate::application::command::{self, CommandAnswer, CommandRequest};
use crate::application::parameters::{self, refusal, ParameterRecorded};
use crate::auth::Staff;
use crate::json::{PathParam, QueryParams};
use crate::problem::{ApiError, Problem};
use crate::state::AppState;

fn answer(status: StatusCode, recorded: &ParameterRecorded) -> Result<CommandAnswer, ApiError> {
    let body: Value = serde_json::to_value(recorded).map_err(|e| ApiError::internal(&e))?;
    Ok(CommandAnswer { status, body })
}

/// A value in force from a date.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ValueEntry {
    /// First day the value is in force (ISO or 和暦). Premium rates and the 任継 上限 take
    /// effect on the 1st of a month.
    pub effective_from: Date,
    /// A rate as a decimal string ("0.0985" = 9.85%, at most 6 decimals, 0 ≤ r < 1), an
    /// amount in yen (500000 or "500000"), or a grade table's first day ("2016-04-01").
    #[schema(value_type = String, example = "0.0985")]
    pub value: RawValue,
    /// The 告示, 規約 or 法令 the value comes from.
    pub source: String,
    /// Why it is entered.
    pub reason: String,
}

/// A correction of a mistaken entry. What is not given stays as it was.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ValueCorrection {
    /// The entry's current `version` (as listed by `GET /api/v1/parameters`).
    pub corrects_version: i64,
    /// The right first day, if the date was wrong.
    pub effective_from: Option<Date>,
    /// The right value, if the value was wrong.
    #[schema(value_type = Option<String>, example = "0.0958")]
    pub value: Option<RawValue>,
    /// The right source, if it was wrong.
    pub source: Option<String>,
    /// Why the entry was wrong.
    pub reason: String,
}

/// Set a parameter's value from a date (`system_admin`). A date that already has a value is
/// 409 `effective_from_taken`: correct that entry instead.
#[utoipa::path(post, path = "/api/v1/parameters/{key}", tag = "保険者パラメータ",
    request_body = ValueEntry,
    params(("key" = ParameterKey, Path, description = "the parameter"),
           ("Idempotency-Key" = Option<String>, Header, description = "repeat-safe key"),
           ("If-Match" = Option<String>, Header, description = "expected stream version")),
    responses((status = 201, body = ParameterRecorded), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn set_value(
    State(state): State<AppState>,
    PathParam(key): PathParam<String>,
    request: CommandRequest,
) -> Result<CommandAnswer, ApiError> {
    let role = request.staff.role()?;
    let key = parameters::parse_key(&key)?;
    let body: ValueEntry = request.parse()?;
    let value = ParameterValue::parse(key, &body.value).map_err(refusal)?;
    let command = ParameterCommand::SetValue(SetValue {
        key,
        effective_from: body.effective_from,
        value,
        source: body.source,
        reason: body.reason,
    });
    let metadata = request.staff.metadata(role);
    let upcasters = state.upcasters.clone();
    command::run(&state, &request, |mut tx| async move {
        let recorded = parameters::execute(
            &mut tx,
            &upcasters,
            key,
            command,
            request.expected_version,
            &metadata,
        )
        .await?;
        Ok((tx, answer(StatusCode::CREATED, &recorded)?))
    })
    .await
}

/// Correct a mistaken entry (`system_admin`): the correction replaces it from now on and
/// references it; the mistaken entry stays in the stream.
#[utoipa::path(post, path = "/api/v1/parameters/{key}/corrections", tag = "保険者パラメータ",
    request_body = ValueCorrection,
    params(("key" = ParameterKey, Path, description = "the parameter"),
           ("Idempotency-Key" = Option<String>, Header, description = "repeat-safe key"),
           ("If-Match" = Option<String>, Header, description = "expected stream version")),
    responses((status = 200, body = ParameterRecorded), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn correct_value(
    State(state): State<AppState>,
    PathParam(key): PathParam<String>,
    request: CommandRequest,
) -> Result<CommandAnswer, ApiError> {
    let role = request.staff.role()?;
    let key = parameters::parse_key(&key)?;
    let body: ValueCorrection = request.parse()?;
    let value = body
        .value
        .as_ref()
        .map(|raw| ParameterValue::parse(key, raw))
        .transpose()
        .map_err(refusal)?;
    let mut metadata = request.staff.metadata(role);
    metadata.reason = Some(body.reason.clone());
    let command = ParameterCommand::CorrectValue(CorrectValue {
        key,
        corrects_version: body.corrects_version,
        effective_from: body.effective_from,
        value,
        source: body.source,
        reason: body.reason,
    });
    let upcasters = state.upcasters.clone();
    command::run(&state, &request, |mut tx| async move {
        let recorded = parameters::execute(
            &mut tx,
            &upcasters,
            key,
            command,
            request.expected_version,
            &metadata,
        )
        .await?;
        Ok((tx, answer(StatusCode::OK, &recorded)?))
    })
    .await
}

/// One parameter: what it is, the entry in force on the day asked, and every entry.
#[derive(Debug, Serialize, ToSchema)]
pub struct ParameterSummary {
    pub key: ParameterKey,
    /// The name staff use (e.g. 一般保険料率).
    pub label: &'static str,
    pub kind: ValueKind,
    /// `statutory` (seeded with kenpo) or `society` (規約・告示 of this society).
    pub origin: Origin,
    /// Takes effect on the 1st of a month (applies per 月分).
    pub monthly: bool,
    /// The entry in force on `on`, if any.
    pub in_force: Option<EntryRow>,
    /// Every entry, newest first.
    pub entries: Vec<EntryRow>,
}

/// The registry.
#[derive(Debug, Serialize, ToSchema)]
pub struct ParameterList {
    /// The day `in_force` is for (today in Japan).
    pub on: Date,
    pub parameters: Vec<ParameterSummary>,
}

/// Every parameter with the value in force today and its history (every role).
#[utoipa::path(get, path = "/api/v1/parameters", tag = "保険者パラメータ",
    responses((status = 200, body = ParameterList), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    staff: Staff,
) -> Result<Json<ParameterList>, ApiError> {
    staff.role()?;
    let on = parameters::today();
    let rows = query::list(&state.pool)
        .await
        .map_err(|e| ApiError::internal(&e))?;
    let parameters = ParameterKey::ALL
        .into_iter()
        .map(|key| {
            let entries: Vec<EntryRow> = rows.iter().filter(|r| r.key == key).cloned().collect();
            let in_force = entries.iter().find(|r| r.effective_from <= on).cloned();
            ParameterSummary {
                key,
                label: key.label(),
                kind: key.kind(),
                origin: key.origin(),
                monthly: key.monthly(),
                in_force,
                entries,
            }
        })
        .collect();
    Ok(Json(ParameterList { on, parameters }))
}

/// `?on=` of a look-up.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct OnQuery {
    /// The day (ISO or 和暦); today in Japan when absent.
    #[param(value_type = Option<String>)]
    pub on: Option<Date>,
}

/// The value of one parameter in force on a day.
#[derive(Debug, Serialize, ToSchema)]
pub struct ParameterInForce {
    /// The name staff use.
    pub label: &'static str,
    /// The day asked about.
    pub on: Date,
    #[serde(flatten)]
    pub entry: EntryRow,
    /// What a 算定根拠 cites.
    pub parameter_ref: ParameterRef,
}

/// The value of a parameter in force on `on` (every role). Nothing in force: 404
/// `parameter_not_set`, naming the parameter, the day and how to set it.
#[utoipa::path(get, path = "/api/v1/parameters/{key}", tag = "保険者パラメータ",
    params(("key" = ParameterKey, Path, description = "the parameter"), OnQuery),
    responses((status = 200, body = ParameterInForce), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn in_force(
    State(state): State<AppState>,
    staff: Staff,
    PathParam(key): PathParam<String>,
    QueryParams(query): QueryParams<OnQuery>,
) -> Result<Json<ParameterInForce>, ApiError> {
    staff.role()?;
    let key = parameters::parse_key(&key)?;
    let on = query.on.unwrap_or_else(parameters::today);
    let entry = query::in_force(&state.pool, key, on)
        .await
        .map_err(|e| ApiError::internal(&e))?
        .ok_or_else(|| {
            let missing = kenpo_domain::parameters::MissingParameter { key, on };
            ApiError::not_found(
                kenpo_domain::parameters::MissingParameter::CODE,
                missing.to_string(),
            )
        })?;
    Ok(Json(ParameterInForce {
        label: key.label(),
        on,
        parameter_ref: entry.parameter_ref(),
        entry,
    }))
}
