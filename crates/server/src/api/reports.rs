//! Report routes: generate and list issued reports (immutable snapshots), download them as HTML,
//! PDF, Excel or Markdown, preview without issuing, and the status drafts of a project.

use axum::{
    Json,
    extract::{Path, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use chrono::NaiveDate;
use keel_app::{
    RenderedReport, ReportFormat, ReportRequest, ReportScope, ReportSnapshot, ReportSnapshotInfo,
    reports::{ReportDelivery, ReportSchedule, ReportScheduleInput, StatusDraftView, StatusEdit},
};
use keel_domain::ProjectFields;
use keel_engine::report::{Audience, Document, ReportKind};
use serde::Deserialize;

use super::{
    json::{ApiJson, ApiQuery},
    records::parse_id,
};
use crate::{AppState, auth::ApiActor, error::ApiError};

/// `?limit=` of the report list.
#[derive(Debug, Deserialize)]
pub struct LimitParam {
    limit: Option<usize>,
}

/// `?format=` of a report download.
#[derive(Debug, Deserialize)]
pub struct FormatParam {
    format: Option<String>,
}

/// `?period_end=` of the status draft routes.
#[derive(Debug, Deserialize)]
pub struct PeriodParam {
    period_end: Option<NaiveDate>,
}

/// Query of `GET /reports/preview`.
#[derive(Debug, Deserialize)]
pub struct PreviewParams {
    kind: String,
    audience: Option<String>,
    scope: Option<String>,
    scope_id: Option<String>,
    as_of: Option<NaiveDate>,
    format: Option<String>,
}

fn format_of(s: Option<&str>) -> Result<Option<ReportFormat>, ApiError> {
    match s {
        None | Some("json") => Ok(None),
        Some(f) => ReportFormat::parse(f).map(Some).ok_or_else(|| {
            ApiError::field(StatusCode::BAD_REQUEST, "format", format!("{f:?}: expected html, pdf, xlsx, md or json"))
        }),
    }
}

/// Parses a report request from its parts, naming the bad one.
pub fn request_of(
    kind: &str,
    audience: Option<&str>,
    scope: Option<&str>,
    scope_id: Option<&str>,
    as_of: Option<NaiveDate>,
) -> Result<ReportRequest, ApiError> {
    let bad = |f: &str, m: String| ApiError::field(StatusCode::UNPROCESSABLE_ENTITY, f, m);
    let kind =
        ReportKind::parse(kind).ok_or_else(|| bad("kind", format!("{kind:?}: expected status, portfolio or board")))?;
    let audience = match audience.filter(|a| !a.is_empty()) {
        None => Audience::default_for(kind),
        Some(a) => Audience::parse(a)
            .ok_or_else(|| bad("audience", format!("{a:?}: expected executive, sponsor, pmo or project_manager")))?,
    };
    let id = || -> Result<uuid::Uuid, ApiError> {
        let s = scope_id.filter(|s| !s.is_empty()).ok_or_else(|| bad("scope_id", "required for this scope".into()))?;
        s.parse().map_err(|_| bad("scope_id", format!("{s:?}: expected a UUID")))
    };
    let scope = match scope.filter(|s| !s.is_empty()).unwrap_or(if kind == ReportKind::Status {
        "project"
    } else {
        "organisation"
    }) {
        "organisation" => ReportScope::Organisation,
        "portfolio" => ReportScope::Portfolio(keel_domain::Id::from_uuid(id()?)),
        "programme" => ReportScope::Programme(keel_domain::Id::from_uuid(id()?)),
        "project" => ReportScope::Project(keel_domain::Id::from_uuid(id()?)),
        other => {
            return Err(bad("scope", format!("{other:?}: expected organisation, portfolio, programme or project")));
        }
    };
    Ok(ReportRequest { kind, audience, scope, as_of })
}

/// Body of `POST /reports`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenerateBody {
    kind: String,
    #[serde(default)]
    audience: Option<String>,
    #[serde(default)]
    scope: Option<String>,
    #[serde(default)]
    scope_id: Option<String>,
    #[serde(default)]
    as_of: Option<NaiveDate>,
}

/// A rendered report as a download.
pub fn download(r: RenderedReport) -> Response {
    (
        [
            (header::CONTENT_TYPE, r.format.mime().to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{}\"", r.file_name)),
        ],
        r.bytes,
    )
        .into_response()
}

/// `POST /api/v1/reports`: issues a report (stored, immutable).
pub async fn generate(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(b): ApiJson<GenerateBody>,
) -> Result<(StatusCode, Json<ReportSnapshotInfo>), ApiError> {
    let req = request_of(&b.kind, b.audience.as_deref(), b.scope.as_deref(), b.scope_id.as_deref(), b.as_of)?;
    let snap = state.app.generate_report(&actor, &req, "api").await?;
    Ok((StatusCode::CREATED, Json(snap.info)))
}

/// `GET /api/v1/reports`: issued reports, newest first.
pub async fn list(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(p): ApiQuery<LimitParam>,
) -> Result<Json<Vec<ReportSnapshotInfo>>, ApiError> {
    Ok(Json(state.app.report_snapshots(&actor, p.limit.unwrap_or(100)).await?))
}

/// `GET /api/v1/reports/{id}?format=`: the snapshot as JSON, or downloaded in a format.
pub async fn get(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiQuery(p): ApiQuery<FormatParam>,
) -> Result<Response, ApiError> {
    let id: uuid::Uuid = id.parse().map_err(|_| ApiError::from(keel_app::AppError::NotFound))?;
    let format = format_of(p.format.as_deref())?;
    let snap: ReportSnapshot = state.app.report_snapshot(&actor, id).await?;
    match format {
        None => Ok(Json(snap).into_response()),
        Some(f) => {
            let app = state.app.clone();
            let r = tokio::task::spawn_blocking(move || app.render_report(&snap, f))
                .await
                .map_err(|e| ApiError::from(keel_app::AppError::Internal(e.to_string())))??;
            Ok(download(r))
        }
    }
}

/// `GET /api/v1/reports/preview?kind=&audience=&scope=&scope_id=&as_of=&format=`: writes a report
/// from live data without issuing it (JSON document, or a format).
pub async fn preview(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(p): ApiQuery<PreviewParams>,
) -> Result<Response, ApiError> {
    let req = request_of(&p.kind, p.audience.as_deref(), p.scope.as_deref(), p.scope_id.as_deref(), p.as_of)?;
    let format = format_of(p.format.as_deref())?;
    let doc: Document = state.app.write_report(&actor, &req).await?;
    match format {
        None => Ok(Json(doc).into_response()),
        Some(f) => {
            let snap = state.app.preview_report(&actor, &req, doc).await?;
            let app = state.app.clone();
            let r = tokio::task::spawn_blocking(move || app.render_report(&snap, f))
                .await
                .map_err(|e| ApiError::from(keel_app::AppError::Internal(e.to_string())))??;
            Ok(download(r))
        }
    }
}

/// `GET /api/v1/projects/{id}/status-draft?period_end=`: the period's draft (drafted on first
/// request).
pub async fn get_draft(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiQuery(p): ApiQuery<PeriodParam>,
) -> Result<Json<StatusDraftView>, ApiError> {
    let project = parse_id::<ProjectFields>(&id)?;
    Ok(Json(state.app.status_draft(&actor, project, p.period_end).await?))
}

/// `POST /api/v1/projects/{id}/status-draft/redraft?period_end=`: drafts the period again.
pub async fn redraft(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiQuery(p): ApiQuery<PeriodParam>,
) -> Result<Json<StatusDraftView>, ApiError> {
    let project = parse_id::<ProjectFields>(&id)?;
    let period = p.period_end.unwrap_or_else(|| state.app.today());
    Ok(Json(state.app.redraft_status(&actor, project, period).await?))
}

/// `PUT /api/v1/projects/{id}/status-draft?period_end=`: saves the manager's edits.
pub async fn save_draft(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiQuery(p): ApiQuery<PeriodParam>,
    ApiJson(edit): ApiJson<StatusEdit>,
) -> Result<Json<StatusDraftView>, ApiError> {
    let project = parse_id::<ProjectFields>(&id)?;
    let period = p.period_end.unwrap_or_else(|| state.app.today());
    Ok(Json(state.app.save_status_draft(&actor, project, period, edit).await?))
}

/// `POST /api/v1/projects/{id}/status-draft/submit?period_end=`: submits the status report.
pub async fn submit_draft(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiQuery(p): ApiQuery<PeriodParam>,
    ApiJson(edit): ApiJson<StatusEdit>,
) -> Result<(StatusCode, Json<StatusDraftView>), ApiError> {
    let project = parse_id::<ProjectFields>(&id)?;
    let period = p.period_end.unwrap_or_else(|| state.app.today());
    Ok((StatusCode::CREATED, Json(state.app.submit_status_draft(&actor, project, period, edit).await?)))
}

/// `GET /api/v1/projects/{id}/status-drafts`: the project's drafts, newest period first.
pub async fn list_drafts(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<Vec<StatusDraftView>>, ApiError> {
    let project = parse_id::<ProjectFields>(&id)?;
    Ok(Json(state.app.status_drafts(&actor, project).await?))
}

/// `GET /api/v1/report-schedules`
pub async fn list_schedules(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<Vec<ReportSchedule>>, ApiError> {
    Ok(Json(state.app.report_schedules(&actor).await?))
}

/// `POST /api/v1/report-schedules`
pub async fn create_schedule(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(input): ApiJson<ReportScheduleInput>,
) -> Result<(StatusCode, Json<ReportSchedule>), ApiError> {
    Ok((StatusCode::CREATED, Json(state.app.create_report_schedule(&actor, &input).await?)))
}

/// `GET /api/v1/report-schedules/{id}`
pub async fn get_schedule(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<ReportSchedule>, ApiError> {
    let id: uuid::Uuid = id.parse().map_err(|_| ApiError::from(keel_app::AppError::NotFound))?;
    Ok(Json(state.app.report_schedule(&actor, id).await?))
}

/// `PUT /api/v1/report-schedules/{id}`
pub async fn update_schedule(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<ReportScheduleInput>,
) -> Result<Json<ReportSchedule>, ApiError> {
    let id: uuid::Uuid = id.parse().map_err(|_| ApiError::from(keel_app::AppError::NotFound))?;
    Ok(Json(state.app.update_report_schedule(&actor, id, &input).await?))
}

/// `DELETE /api/v1/report-schedules/{id}` (its delivery log is kept).
pub async fn delete_schedule(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id: uuid::Uuid = id.parse().map_err(|_| ApiError::from(keel_app::AppError::NotFound))?;
    state.app.delete_report_schedule(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `?schedule_id=&limit=` of the delivery log.
#[derive(Debug, Deserialize)]
pub struct DeliveryParams {
    schedule_id: Option<uuid::Uuid>,
    limit: Option<usize>,
}

/// `GET /api/v1/report-deliveries?schedule_id=&limit=`: the delivery log, newest first.
pub async fn list_deliveries(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(p): ApiQuery<DeliveryParams>,
) -> Result<Json<Vec<ReportDelivery>>, ApiError> {
    Ok(Json(state.app.report_deliveries(&actor, p.schedule_id, p.limit.unwrap_or(200)).await?))
}
