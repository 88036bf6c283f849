//! Schedule routes: import (multipart), versions, tasks, links, calendars, baselines, quality,
//! export and the Gantt SVG.

use axum::{
    Json,
    extract::{Multipart, Path, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use keel_api_types::*;
use keel_app::{DatesChoice, ImportOptions, ScheduleVersion, ScheduleVersionInfo};
use keel_domain::ProjectFields;
use keel_engine::schedule::{Duration, DurationUnit, Lag, Schedule, Task, dcma};
use serde::Deserialize;

use super::{json::ApiQuery, records::parse_id};
use crate::{AppState, auth::ApiActor, error::ApiError, gantt};

/// A duration as MS Project shows it: "5d", "3ed", "2w?".
pub fn duration_text(d: &Duration, minutes_per_day: u32, minutes_per_week: u32, days_per_month: u32) -> String {
    let (value, unit) = unit_value(d.minutes, d.unit, d.elapsed, minutes_per_day, minutes_per_week, days_per_month);
    format!("{}{}{unit}{}", trim(value), if d.elapsed { "e" } else { "" }, if d.estimated { "?" } else { "" })
}

fn unit_value(m: i64, unit: DurationUnit, elapsed: bool, mpd: u32, mpw: u32, dpm: u32) -> (f64, &'static str) {
    let (day, week) = if elapsed { (1440.0, 10080.0) } else { (f64::from(mpd.max(1)), f64::from(mpw.max(1))) };
    let m = m as f64;
    match unit {
        DurationUnit::Minutes => (m, "m"),
        DurationUnit::Hours => (m / 60.0, "h"),
        DurationUnit::Days | DurationUnit::Percent => (m / day, "d"),
        DurationUnit::Weeks => (m / week, "w"),
        DurationUnit::Months => (m / (day * if elapsed { 30.0 } else { f64::from(dpm.max(1)) }), "mo"),
    }
}

fn trim(v: f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A lag as entered: "+2d", "-1d", "+50%"; empty for none.
pub fn lag_text(l: &Lag, s: &Schedule) -> String {
    if l.amount == 0 {
        return String::new();
    }
    let sign = if l.amount > 0 { "+" } else { "-" };
    if l.unit == DurationUnit::Percent {
        return format!("{sign}{}%", trim(l.amount.unsigned_abs() as f64 / 100.0));
    }
    let o = &s.options;
    let (v, u) = unit_value(l.amount.abs(), l.unit, l.elapsed, o.minutes_per_day, o.minutes_per_week, o.days_per_month);
    format!("{sign}{}{}{u}", trim(v), if l.elapsed { "e" } else { "" })
}

fn kind_name<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

/// The API shape of a version.
pub fn version_response(i: &ScheduleVersionInfo) -> ScheduleVersionResponse {
    ScheduleVersionResponse {
        project_id: i.project_id.uuid(),
        version: i.version,
        imported_at: i.imported_at,
        imported_by: i.imported_by.clone(),
        file_name: i.file_name.clone(),
        format: i.format.clone(),
        task_count: i.task_count,
        finish: i.finish,
        report: ImportReportResponse {
            warnings: i
                .report
                .warnings
                .iter()
                .map(|w| ImportWarningResponse { location: w.location.clone(), message: w.message.clone() })
                .collect(),
            quality_passed: i.report.quality_passed,
            quality_failed: i.report.quality_failed,
            check_compared: i.report.check_compared,
            check_matched: i.report.check_matched,
            milestones_created: i.report.milestones_created,
            milestones_updated: i.report.milestones_updated,
            dates_warning: i.report.dates_warning.clone(),
            rebased: i.report.rebased.map(|b| b.to_string()),
            rebased_weeks: i.report.rebased.map(|b| b.weeks),
        },
    }
}

/// The API shape of one task with its computed dates.
pub fn task_response(v: &ScheduleVersion, index: usize) -> Option<ScheduleTaskResponse> {
    let s = &v.analysis.schedule;
    let t: &Task = s.tasks.get(index)?;
    let r = v.analysis.result.tasks.get(index)?;
    let o = &s.options;
    let base = t.baselines.iter().find(|b| b.number == 0);
    Some(ScheduleTaskResponse {
        index,
        key: t.key.clone(),
        code: t.code.clone(),
        name: t.name.clone(),
        wbs: t.wbs.clone(),
        outline_level: t.outline_level,
        parent: t.parent,
        kind: kind_name(&t.kind),
        duration_minutes: t.duration.minutes,
        duration: if t.is_summary_like() {
            String::new()
        } else {
            duration_text(&t.duration, o.minutes_per_day, o.minutes_per_week, o.days_per_month)
        },
        percent_complete: t.percent_complete,
        actual_start: t.actual_start,
        actual_finish: t.actual_finish,
        start: t.actual_start.unwrap_or(r.early_start),
        finish: t.actual_finish.unwrap_or(r.early_finish),
        early_start: r.early_start,
        early_finish: r.early_finish,
        late_start: r.late_start,
        late_finish: r.late_finish,
        total_float_minutes: r.total_float,
        free_float_minutes: r.free_float,
        critical: r.critical,
        constraint: t.constraint.map(|c| kind_name(&c.kind)),
        constraint_date: t.constraint.and_then(|c| c.date),
        deadline: t.deadline,
        calendar: t.calendar.and_then(|c| s.calendars.get(c)).map(|c| c.name.clone()),
        baseline_start: base.and_then(|b| b.start),
        baseline_finish: base.and_then(|b| b.finish),
    })
}

/// The quality assessment in API shape.
pub fn quality_response(s: &Schedule, a: &dcma::Assessment) -> QualityResponse {
    QualityResponse {
        thresholds: serde_json::to_value(a.thresholds).unwrap_or_default(),
        passed: a.passed(),
        failed: a.failed(),
        checks: a
            .checks
            .iter()
            .map(|c| QualityCheckResponse {
                number: c.number,
                name: c.name.clone(),
                value: c.value,
                unit: c.unit.clone(),
                threshold: c.threshold,
                verdict: kind_name(&c.verdict),
                verdict_label: c.verdict.label().to_owned(),
                population: c.population,
                tasks: c.tasks.iter().filter_map(|&i| s.tasks.get(i)).map(|t| t.code.clone()).collect(),
                detail: c.detail.clone(),
            })
            .collect(),
    }
}

/// Variance in API shape.
pub fn variance_response(v: &ScheduleVersion, number: u8) -> VarianceResponse {
    let s = &v.analysis.schedule;
    let var = v.variance(number);
    let row = |t: &keel_engine::schedule::variance::TaskVariance| VarianceRowResponse {
        code: t.task.and_then(|i| s.tasks.get(i)).map(|t| t.code.clone()),
        name: t.task.and_then(|i| s.tasks.get(i)).map(|t| t.name.clone()).unwrap_or_else(|| s.name.clone()),
        baseline_start: t.baseline_start,
        baseline_finish: t.baseline_finish,
        start: t.start,
        finish: t.finish,
        start_days: t.start_days,
        finish_days: t.finish_days,
        duration_days: t.duration_days,
    };
    VarianceResponse {
        baseline: var.baseline,
        project: var.project.as_ref().map(row),
        tasks: var.tasks.iter().map(row).collect(),
    }
}

/// `?dates=keep|rebase` on an import.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatesParam {
    dates: Option<String>,
}

/// `?version=N`
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VersionParam {
    version: Option<i64>,
}

/// `POST /api/v1/projects/{id}/schedule/versions` (multipart: `file`, optional `format` and
/// `dates`; `dates` may also come as a query parameter).
pub async fn import_schedule(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiQuery(query): ApiQuery<DatesParam>,
    mut form: Multipart,
) -> Result<(StatusCode, Json<ScheduleVersionResponse>), ApiError> {
    let project = parse_id::<ProjectFields>(&id)?;
    let (mut file, mut format) = (None, None);
    let mut dates = DatesChoice::parse(query.dates.as_deref().unwrap_or(""))?;
    while let Some(field) =
        form.next_field().await.map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, e.body_text()))?
    {
        match field.name() {
            Some("file") => {
                let name = field.file_name().unwrap_or("schedule").to_string();
                let bytes = field.bytes().await.map_err(|e| ApiError::new(e.status(), e.body_text()))?;
                file = Some((name, bytes.to_vec()));
            }
            Some("format") => {
                let text = field.text().await.map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, e.body_text()))?;
                format = Some(text).filter(|t| !t.trim().is_empty());
            }
            Some("dates") => {
                let text = field.text().await.map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, e.body_text()))?;
                dates = DatesChoice::parse(&text)?;
            }
            other => {
                return Err(ApiError::field(
                    StatusCode::BAD_REQUEST,
                    other.unwrap_or("?"),
                    "unexpected form part: send `file` and optionally `format` and `dates`",
                ));
            }
        }
    }
    let Some((name, bytes)) = file else {
        return Err(ApiError::field(StatusCode::BAD_REQUEST, "file", "no `file` part in the multipart body"));
    };
    let v = state.app.import_schedule(&actor, project, &name, bytes, ImportOptions { format, dates }).await?;
    Ok((StatusCode::CREATED, Json(version_response(&v.info))))
}

/// `GET /api/v1/projects/{id}/schedule/versions`
pub async fn list_versions(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<Vec<ScheduleVersionResponse>>, ApiError> {
    let project = parse_id::<ProjectFields>(&id)?;
    Ok(Json(state.app.schedule_versions(&actor, project).await?.iter().map(version_response).collect()))
}

async fn load(
    state: &AppState,
    actor: &keel_app::Actor,
    id: &str,
    version: Option<i64>,
) -> Result<ScheduleVersion, ApiError> {
    let project = parse_id::<ProjectFields>(id)?;
    Ok(state.app.schedule_version(actor, project, version).await?)
}

/// `GET /api/v1/projects/{id}/schedule`
pub async fn get_schedule(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiQuery(p): ApiQuery<VersionParam>,
) -> Result<Json<ScheduleSummaryResponse>, ApiError> {
    let v = load(&state, &actor, &id, p.version).await?;
    Ok(Json(summary_response(&v)))
}

/// Headline numbers of a version.
pub fn summary_response(v: &ScheduleVersion) -> ScheduleSummaryResponse {
    let s = &v.analysis.schedule;
    let r = &v.analysis.result;
    let mut baselines: Vec<u8> = s.tasks.iter().flat_map(|t| t.baselines.iter().map(|b| b.number)).collect();
    baselines.sort_unstable();
    baselines.dedup();
    ScheduleSummaryResponse {
        version: version_response(&v.info),
        name: s.name.clone(),
        origin: kind_name(&s.origin),
        source_format: s.source_format.clone(),
        mode: kind_name(&r.mode),
        start: s.projects.iter().map(|p| p.start).min(),
        finish: r.finish,
        status_date: s.projects.first().and_then(|p| p.status_date),
        critical_tasks: r.tasks.iter().zip(&s.tasks).filter(|(x, t)| x.critical && !t.is_summary_like()).count(),
        longest_path: r.longest_path.iter().filter_map(|&i| s.tasks.get(i)).map(|t| t.code.clone()).collect(),
        link_count: s.links.len(),
        calendar_count: s.calendars.len(),
        baselines,
    }
}

/// `?offset=&limit=&critical=&version=`
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskParams {
    version: Option<i64>,
    offset: Option<usize>,
    limit: Option<usize>,
    critical: Option<bool>,
}

/// `GET /api/v1/projects/{id}/schedule/tasks`
pub async fn list_tasks(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiQuery(p): ApiQuery<TaskParams>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let limit = p.limit.unwrap_or(500);
    if !(1..=5000).contains(&limit) {
        return Err(ApiError::field(
            StatusCode::BAD_REQUEST,
            "limit",
            format!("`{limit}` is not a page size: expected 1 to 5000"),
        ));
    }
    let v = load(&state, &actor, &id, p.version).await?;
    let rows: Vec<ScheduleTaskResponse> = (0..v.analysis.schedule.tasks.len())
        .filter(|&i| p.critical.is_none_or(|c| v.analysis.result.tasks.get(i).is_some_and(|r| r.critical == c)))
        .filter_map(|i| task_response(&v, i))
        .collect();
    let total = rows.len();
    let items: Vec<_> = rows.into_iter().skip(p.offset.unwrap_or(0)).take(limit).collect();
    Ok(Json(serde_json::json!({"total": total, "items": items})))
}

/// `GET /api/v1/projects/{id}/schedule/links`
pub async fn list_links(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiQuery(p): ApiQuery<VersionParam>,
) -> Result<Json<Vec<ScheduleLinkResponse>>, ApiError> {
    let v = load(&state, &actor, &id, p.version).await?;
    let s = &v.analysis.schedule;
    let code = |i: usize| s.tasks.get(i).map(|t| t.code.clone()).unwrap_or_default();
    Ok(Json(
        s.links
            .iter()
            .map(|l| ScheduleLinkResponse {
                pred: l.pred,
                succ: l.succ,
                pred_code: code(l.pred),
                succ_code: code(l.succ),
                kind: format!("{:?}", l.kind),
                lag: lag_text(&l.lag, s),
                lag_amount: l.lag.amount,
            })
            .collect(),
    ))
}

/// `GET /api/v1/projects/{id}/schedule/calendars`
pub async fn list_calendars(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiQuery(p): ApiQuery<VersionParam>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let v = load(&state, &actor, &id, p.version).await?;
    Ok(Json(serde_json::to_value(&v.analysis.schedule.calendars).unwrap_or_default()))
}

/// `?number=&version=`
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaselineParams {
    version: Option<i64>,
    number: Option<u8>,
}

/// `GET /api/v1/projects/{id}/schedule/baselines`
pub async fn get_variance(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiQuery(p): ApiQuery<BaselineParams>,
) -> Result<Json<VarianceResponse>, ApiError> {
    let v = load(&state, &actor, &id, p.version).await?;
    Ok(Json(variance_response(&v, p.number.unwrap_or(0))))
}

/// `GET /api/v1/projects/{id}/schedule/quality?version=&<threshold>=...`
pub async fn get_quality(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    axum::extract::RawQuery(raw): axum::extract::RawQuery,
) -> Result<Json<QualityResponse>, ApiError> {
    let mut version = None;
    let mut th = serde_json::to_value(state.app.config().dcma).unwrap_or_default();
    let mut overridden = false;
    for (k, val) in form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
        if k == "version" {
            version = Some(val.parse::<i64>().map_err(|_| {
                ApiError::field(StatusCode::BAD_REQUEST, "version", format!("`{val}` is not a version number"))
            })?);
            continue;
        }
        let Some(slot) = th.get_mut(k.as_ref()) else {
            return Err(ApiError::field(
                StatusCode::BAD_REQUEST,
                &k,
                "unknown parameter: expected version or a threshold name",
            ));
        };
        let n: f64 = val
            .parse()
            .map_err(|_| ApiError::field(StatusCode::BAD_REQUEST, &k, format!("`{val}` is not a number")))?;
        *slot = if slot.is_u64() { serde_json::json!(n.max(0.0) as u64) } else { serde_json::json!(n) };
        overridden = true;
    }
    let thresholds: dcma::Thresholds = serde_json::from_value(th)
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, format!("bad threshold: {e}")))?;
    let project = parse_id::<ProjectFields>(&id)?;
    let v = state.app.schedule_version(&actor, project, version).await?;
    if !overridden {
        return Ok(Json(quality_response(&v.analysis.schedule, &v.analysis.quality)));
    }
    let schedule = v.analysis.schedule.clone();
    let assessment = state.app.reassess_quality(v, thresholds).await?;
    Ok(Json(quality_response(&schedule, &assessment)))
}

/// `?format=&version=`
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportParams {
    version: Option<i64>,
    format: Option<String>,
}

/// `GET /api/v1/projects/{id}/schedule/export?format=mspdi|csv|xlsx`
pub async fn export_schedule(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiQuery(p): ApiQuery<ExportParams>,
) -> Result<Response, ApiError> {
    let name = p.format.as_deref().unwrap_or("mspdi");
    let format = keel_interop::Format::parse(name)
        .filter(|f| matches!(f, keel_interop::Format::Mspdi | keel_interop::Format::Csv | keel_interop::Format::Xlsx))
        .ok_or_else(|| {
            ApiError::field(StatusCode::BAD_REQUEST, "format", format!("`{name}`: expected mspdi, csv or xlsx"))
        })?;
    let v = load(&state, &actor, &id, p.version).await?;
    let bytes = tokio::task::spawn_blocking(move || {
        keel_interop::export(&v.analysis.schedule, Some(&v.analysis.result), format)
    })
    .await
    .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, format!("export stopped: {e}")))?
    .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    let (mime, ext) = match format {
        keel_interop::Format::Csv => ("text/csv; charset=utf-8", "csv"),
        keel_interop::Format::Xlsx => ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
        _ => ("application/xml", "xml"),
    };
    Ok((
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"schedule.{ext}\"")),
        ],
        bytes,
    )
        .into_response())
}

/// `?zoom=&version=`
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GanttParams {
    version: Option<i64>,
    zoom: Option<String>,
    baseline: Option<u8>,
}

/// `GET /api/v1/projects/{id}/schedule/gantt.svg`
pub async fn get_gantt(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiQuery(p): ApiQuery<GanttParams>,
) -> Result<Response, ApiError> {
    let v = load(&state, &actor, &id, p.version).await?;
    let zoom = match p.zoom.as_deref() {
        Some(z) => gantt::Zoom::parse(z).ok_or_else(|| {
            ApiError::field(StatusCode::BAD_REQUEST, "zoom", format!("`{z}`: expected day, week, month or quarter"))
        })?,
        None => gantt::Zoom::fit(
            (v.analysis.result.finish
                - v.analysis.schedule.projects.iter().map(|p| p.start).min().unwrap_or(v.analysis.result.finish))
            .num_days(),
        ),
    };
    let svg = gantt::svg(&v.analysis.schedule, &v.analysis.result, zoom, state.app.today(), p.baseline.unwrap_or(0));
    Ok(([(header::CONTENT_TYPE, "image/svg+xml")], svg).into_response())
}
