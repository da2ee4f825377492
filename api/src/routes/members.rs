//! 適用 queries (GET) on the members read model. Any staff role.

use axum::extract::State;

use crate::json::{PathParam, QueryParams};
use axum::Json;
use kenpo_domain::calendar::Date;
use kenpo_domain::qualification::Person;
use kenpo_infrastructure::event_store;
use kenpo_projections::members::{query, MemberView, QualificationPeriod};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::application::aggregate::stream_id;
use crate::application::as_of::{self, AsOfBasis, AsOfParams};
use crate::application::read_log;
use crate::auth::Staff;
use crate::problem::{ApiError, Problem};
use crate::routes::events::EventRecord;
use crate::state::AppState;

/// A member with their dependents.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberDetail {
    #[serde(flatten)]
    pub member: MemberView,
    /// 被扶養者 recorded under this insured (current and former).
    pub dependents: Vec<MemberView>,
    /// Only with `as_of` / `known_at`: the date, the moment and the positions of the events
    /// folded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basis: Option<AsOfBasis>,
}

fn projection_error(e: kenpo_projections::ProjectionError) -> ApiError {
    ApiError::internal(&e)
}

fn person_not_found() -> ApiError {
    ApiError::not_found("person_not_found", "there is no person with this id")
}

/// The current member view: status, 識別番号, 加入区分, 事業所, 標準報酬月額, dependents,
/// certificates, leaves, payment account.
///
/// Bitemporal (監査): with `as_of` and/or `known_at` the view is folded, by the read model's
/// own fold, from the person's events (and each dependent's) recorded by `known_at` (default
/// now) whose effective date is on or before `as_of` (default today): 資格取得 `acquired_on`,
/// 資格喪失 `lost_on`, 被扶養者認定 / 削除 `recognized_on` / `removed_on`, 標準報酬 the first
/// day of its 改定月, 賞与 `paid_on`, 氏名・住所 `changed_on`, 休業 `started_on` / `ended_on`,
/// 資格確認書 `issued_on` / `collected_on`, 口座 `received_on` (rejection: its day), 識別番号
/// `effective_on`, 資格取得の取消 the voided period's start. The answer adds `basis` (as_of,
/// known_at, the positions folded). 404 `person_not_found` also when nothing is known then or
/// in force on that day; 422 `invalid_query` for a malformed date or time or a `known_at` in
/// the future. A live view may show an event effective after today (a loss recorded in
/// advance); `as_of` today does not.
#[utoipa::path(get, path = "/api/v1/members/{person_id}", tag = "適用",
    params(("person_id" = Uuid, Path, description = "the person"), AsOfParams),
    responses((status = 200, body = MemberDetail), (status = 401, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn member(
    State(state): State<AppState>,
    staff: Staff,
    PathParam(id): PathParam<Uuid>,
    QueryParams(params): QueryParams<AsOfParams>,
) -> Result<Json<MemberDetail>, ApiError> {
    staff.role()?;
    if let Some(moment) = params.moment(chrono::Utc::now())? {
        let mut conn = state.pool.acquire().await?;
        let (member, dependents, basis) = as_of::member(&mut conn, &state.upcasters, id, moment)
            .await
            .map_err(|e| e.into_api(person_not_found))?;
        let detail = MemberDetail {
            member,
            dependents,
            basis: Some(basis),
        };
        read_log::record(&mut *conn, &staff, &detail, 1 + detail.dependents.len()).await?;
        return Ok(Json(detail));
    }
    let member = query::find(&state.pool, id)
        .await
        .map_err(projection_error)?
        .ok_or_else(person_not_found)?;
    let dependents = query::dependents_of(&state.pool, id)
        .await
        .map_err(projection_error)?;
    let detail = MemberDetail {
        member,
        dependents,
        basis: None,
    };
    read_log::record(&state.pool, &staff, &detail, 1 + detail.dependents.len()).await?;
    Ok(Json(detail))
}

/// A person's qualification history: the periods, and every recorded event with who recorded
/// it, when and from where.
#[derive(Debug, Serialize, ToSchema)]
pub struct History {
    pub person_id: Uuid,
    /// 資格期間, oldest first.
    pub periods: Vec<QualificationPeriod>,
    /// Every event of the person's stream, in order.
    pub events: Vec<EventRecord>,
}

/// The qualification history of a person.
#[utoipa::path(get, path = "/api/v1/members/{person_id}/history", tag = "適用",
    params(("person_id" = Uuid, Path, description = "the person")),
    responses((status = 200, body = History), (status = 401, body = Problem), (status = 404, body = Problem)))]
pub async fn history(
    State(state): State<AppState>,
    staff: Staff,
    PathParam(id): PathParam<Uuid>,
) -> Result<Json<History>, ApiError> {
    staff.role()?;
    let member = query::find(&state.pool, id)
        .await
        .map_err(projection_error)?
        .ok_or_else(person_not_found)?;
    let mut conn = state.pool.acquire().await?;
    let events = event_store::read_stream(&mut conn, &stream_id::<Person>(id), &state.upcasters)
        .await
        .map_err(|e| ApiError::internal(&e))?;
    let history = History {
        person_id: id,
        periods: member.periods,
        events: events.into_iter().map(EventRecord::from).collect(),
    };
    read_log::record(&mut *conn, &staff, &history, history.events.len()).await?;
    Ok(Json(history))
}

/// Search parameters: every one given must match.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SearchParams {
    /// 記号 (exact).
    pub symbol: Option<String>,
    /// 番号 (exact).
    pub number: Option<String>,
    /// 事業所コード (exact).
    pub office_code: Option<String>,
    /// カナ氏名, prefix match (e.g. ヤマダ).
    pub kana: Option<String>,
    /// 生年月日: ISO (1980-04-01) or 和暦 (S55.4.1, 昭和55年4月1日).
    pub birth_date: Option<String>,
    /// `qualified` or `lost`.
    pub status: Option<String>,
    /// Page number from 1 (default 1).
    pub page: Option<i64>,
    /// Results per page, 1–100 (default 20).
    pub per_page: Option<i64>,
}

/// A page of members.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberPage {
    pub members: Vec<MemberView>,
    pub page: i64,
    pub per_page: i64,
    /// Members matching in all.
    pub total: i64,
}

/// Search members by 記号・番号, 事業所, カナ name and birth date, with paging.
#[utoipa::path(get, path = "/api/v1/members", tag = "適用", params(SearchParams),
    responses((status = 200, body = MemberPage), (status = 401, body = Problem), (status = 422, body = Problem)))]
pub async fn search(
    State(state): State<AppState>,
    staff: Staff,
    QueryParams(params): QueryParams<SearchParams>,
) -> Result<Json<MemberPage>, ApiError> {
    staff.role()?;
    let page = params.page.unwrap_or(1);
    let per_page = params.per_page.unwrap_or(20);
    if page < 1 || !(1..=100).contains(&per_page) {
        return Err(ApiError::invalid(
            "invalid_query",
            "page must be ≥ 1 and per_page 1 to 100",
        ));
    }
    let birth_date = params
        .birth_date
        .as_deref()
        .map(kenpo_domain::calendar::parse)
        .transpose()
        .map_err(|e| ApiError::invalid("invalid_query", format!("birth_date: {e}")))?;
    if let Some(status) = &params.status {
        if status != "qualified" && status != "lost" {
            return Err(ApiError::invalid(
                "invalid_query",
                "status must be qualified or lost",
            ));
        }
    }
    let criteria = query::Search {
        symbol: params.symbol,
        number: params.number,
        office_code: params.office_code,
        kana_prefix: params.kana.filter(|k| !k.trim().is_empty()),
        birth_date: birth_date.map(|d: Date| d),
        status: params.status,
    };
    let result = query::search(&state.pool, &criteria, (page - 1) * per_page, per_page)
        .await
        .map_err(projection_error)?;
    let answer = MemberPage {
        members: result.members,
        page,
        per_page,
        total: result.total,
    };
    read_log::record(&state.pool, &staff, &answer, answer.members.len()).await?;
    Ok(Json(answer))
}
