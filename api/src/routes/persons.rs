//! 適用 commands (POST). Each answers with the stream, its new version and the global position.
//! They need the `qualification` (適用) role.

use axum::extract::State;

use crate::json::PathParam;
use axum::http::StatusCode;
use kenpo_domain::qualification::{
    AddressChange, BonusReport, CertificateCollection, CertificateIssue, DependentRecognition,
    DependentRemoval, IdentificationChange, LeaveEnd, LeaveStart, NameChange, PersonCommand,
    QualificationAcquisition, QualificationLoss, StandardRemunerationDetermination,
};
use serde_json::Value;
use uuid::Uuid;

use crate::application::command::{self, CommandAnswer, CommandRequest};
use crate::application::person::{self, Recorded};
use crate::problem::{ApiError, Problem};
use crate::state::AppState;

fn answer(status: StatusCode, recorded: &Recorded) -> Result<CommandAnswer, ApiError> {
    let body: Value = serde_json::to_value(recorded).map_err(|e| ApiError::internal(&e))?;
    Ok(CommandAnswer { status, body })
}

/// 資格取得: a person becomes insured (被保険者). The client chooses the person's id: a new
/// UUID (v7) for a new person, or the id of a person whose earlier qualification ended.
#[utoipa::path(post, path = "/api/v1/acquisitions", tag = "適用",
    request_body = QualificationAcquisition,
    params(("Idempotency-Key" = Option<String>, Header, description = "repeat-safe key"),
           ("If-Match" = Option<String>, Header, description = "expected stream version"),
           ("X-Terminal-Id" = Option<String>, Header, description = "端末ID")),
    responses((status = 201, body = Recorded), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn acquire(
    State(state): State<AppState>,
    request: CommandRequest,
) -> Result<CommandAnswer, ApiError> {
    let role = request.staff.role()?;
    let body: QualificationAcquisition = request.parse()?;
    let metadata = request.staff.metadata(role);
    let upcasters = state.upcasters.clone();
    command::run(&state, &request, |mut tx| async move {
        let id = body.person_id;
        let recorded = person::execute(
            &mut tx,
            &upcasters,
            id,
            PersonCommand::AcquireQualification(body),
            request.expected_version,
            &metadata,
        )
        .await?;
        Ok((tx, answer(StatusCode::CREATED, &recorded)?))
    })
    .await
}

/// 被扶養者認定: a person becomes a dependent of a qualified insured. The client chooses the
/// dependent's id as for 資格取得.
#[utoipa::path(post, path = "/api/v1/dependents", tag = "適用",
    request_body = DependentRecognition,
    params(("Idempotency-Key" = Option<String>, Header, description = "repeat-safe key"),
           ("If-Match" = Option<String>, Header, description = "expected stream version of the dependent")),
    responses((status = 201, body = Recorded), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn recognize_dependent(
    State(state): State<AppState>,
    request: CommandRequest,
) -> Result<CommandAnswer, ApiError> {
    let role = request.staff.role()?;
    let body: DependentRecognition = request.parse()?;
    let metadata = request.staff.metadata(role);
    let upcasters = state.upcasters.clone();
    command::run(&state, &request, |mut tx| async move {
        let recorded = person::recognize_dependent(
            &mut tx,
            &upcasters,
            body,
            request.expected_version,
            &metadata,
        )
        .await?;
        Ok((tx, answer(StatusCode::CREATED, &recorded)?))
    })
    .await
}

/// 資格喪失. An insured's current dependents are removed on the same date in the same
/// transaction (listed in `dependents_removed`).
#[utoipa::path(post, path = "/api/v1/persons/{person_id}/loss", tag = "適用",
    request_body = QualificationLoss,
    params(("person_id" = Uuid, Path, description = "the person"),
           ("Idempotency-Key" = Option<String>, Header, description = "repeat-safe key"),
           ("If-Match" = Option<String>, Header, description = "expected stream version")),
    responses((status = 200, body = Recorded), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn lose(
    State(state): State<AppState>,
    PathParam(id): PathParam<Uuid>,
    request: CommandRequest,
) -> Result<CommandAnswer, ApiError> {
    let role = request.staff.role()?;
    let body: QualificationLoss = request.parse()?;
    let metadata = request.staff.metadata(role);
    let upcasters = state.upcasters.clone();
    command::run(&state, &request, |mut tx| async move {
        let recorded = person::lose_qualification(
            &mut tx,
            &upcasters,
            id,
            body,
            request.expected_version,
            &metadata,
        )
        .await?;
        Ok((tx, answer(StatusCode::OK, &recorded)?))
    })
    .await
}

/// Handlers for commands on an existing person whose body maps straight to one command.
macro_rules! person_command {
    ($(#[$doc:meta])* $name:ident, $path:literal, $body:ty, $variant:path) => {
        $(#[$doc])*
        #[utoipa::path(post, path = $path, tag = "適用",
            request_body = $body,
            params(("person_id" = Uuid, Path, description = "the person"),
                   ("Idempotency-Key" = Option<String>, Header, description = "repeat-safe key"),
                   ("If-Match" = Option<String>, Header, description = "expected stream version")),
            responses((status = 200, body = Recorded), (status = 401, body = Problem),
                      (status = 403, body = Problem), (status = 404, body = Problem),
                      (status = 409, body = Problem), (status = 422, body = Problem)))]
        pub async fn $name(
            State(state): State<AppState>,
            PathParam(id): PathParam<Uuid>,
            request: CommandRequest,
        ) -> Result<CommandAnswer, ApiError> {
            let role = request.staff.role()?;
            let body: $body = request.parse()?;
            let metadata = request.staff.metadata(role);
            let upcasters = state.upcasters.clone();
            command::run(&state, &request, |mut tx| async move {
                let recorded = person::execute(
                    &mut tx,
                    &upcasters,
                    id,
                    $variant(body),
                    request.expected_version,
                    &metadata,
                )
                .await?;
                Ok((tx, answer(StatusCode::OK, &recorded)?))
            })
            .await
        }
    };
}

person_command!(
    /// 被扶養者削除.
    remove_dependent, "/api/v1/persons/{person_id}/dependent-removal", DependentRemoval, PersonCommand::RemoveDependent);
person_command!(
    /// 標準報酬 決定・改定 (資格取得時, 定時決定, 随時改定, 産休・育休終了時).
    determine_remuneration, "/api/v1/persons/{person_id}/standard-remuneration", StandardRemunerationDetermination, PersonCommand::DetermineStandardRemuneration);
person_command!(
    /// 賞与支払 (標準賞与額: 1,000円未満切捨て, 年度累計 5,730,000円 上限).
    report_bonus, "/api/v1/persons/{person_id}/bonuses", BonusReport, PersonCommand::ReportBonus);
person_command!(
    /// 氏名変更.
    change_name, "/api/v1/persons/{person_id}/name-changes", NameChange, PersonCommand::ChangeName);
person_command!(
    /// 住所変更.
    change_address, "/api/v1/persons/{person_id}/address-changes", AddressChange, PersonCommand::ChangeAddress);
person_command!(
    /// 産前産後休業 開始.
    start_maternity_leave, "/api/v1/persons/{person_id}/maternity-leave/start", LeaveStart, PersonCommand::StartMaternityLeave);
person_command!(
    /// 産前産後休業 終了.
    end_maternity_leave, "/api/v1/persons/{person_id}/maternity-leave/end", LeaveEnd, PersonCommand::EndMaternityLeave);
person_command!(
    /// 育児休業 開始.
    start_childcare_leave, "/api/v1/persons/{person_id}/childcare-leave/start", LeaveStart, PersonCommand::StartChildcareLeave);
person_command!(
    /// 育児休業 終了.
    end_childcare_leave, "/api/v1/persons/{person_id}/childcare-leave/end", LeaveEnd, PersonCommand::EndChildcareLeave);
person_command!(
    /// 資格確認書 交付.
    issue_certificate, "/api/v1/persons/{person_id}/certificates", CertificateIssue, PersonCommand::IssueCertificate);
person_command!(
    /// 資格確認書 回収.
    collect_certificate, "/api/v1/persons/{person_id}/certificate-collections", CertificateCollection, PersonCommand::CollectCertificate);
person_command!(
    /// 識別番号 変更 (e.g. a move between 事業所).
    change_identification, "/api/v1/persons/{person_id}/identification-changes", IdentificationChange, PersonCommand::ChangeIdentification);
