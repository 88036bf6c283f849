//! A project's schedule page: versions, upload, Gantt chart, task table, quality, baseline variance.

use askama::Template;
use axum::{
    extract::{Multipart, Path, Query, State},
    response::{IntoResponse, Redirect, Response},
};
use keel_api_types::{
    QualityResponse, ScheduleSummaryResponse, ScheduleTaskResponse, ScheduleVersionResponse, VarianceResponse,
};
use keel_app::{AppError, DatesChoice, ImportOptions, ScheduleVersion};
use keel_domain::{ProjectFields, Record};
use serde::Deserialize;

use super::{Can, Chrome, error_page, render};
use crate::{
    AppState,
    api::schedules::{quality_response, summary_response, task_response, variance_response, version_response},
    auth::{UiSession, same_secret},
    gantt,
};

#[derive(Template)]
#[template(path = "schedule.html")]
struct SchedulePage {
    chrome: Option<Chrome>,
    can: Can,
    project: Record<ProjectFields>,
    versions: Vec<ScheduleVersionResponse>,
    current: Option<Current>,
    zoom: &'static str,
    message: Option<String>,
    ask: Option<AskDates>,
}

/// The question asked when a plan from another time was uploaded without a choice: the evidence,
/// and the file to send back with the answer.
struct AskDates {
    warning: String,
    file_name: String,
    stash: String,
    format: String,
}

struct Current {
    summary: ScheduleSummaryResponse,
    tasks: Vec<ScheduleTaskResponse>,
    gantt: String,
    quality: QualityResponse,
    variance: VarianceResponse,
    minutes_per_day: f64,
}

impl SchedulePage {
    fn dt(&self, d: &chrono::NaiveDateTime) -> String {
        d.format("%Y-%m-%d %H:%M").to_string()
    }
    fn odt(&self, d: &Option<chrono::NaiveDateTime>) -> String {
        d.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default()
    }
    fn days(&self, minutes: &i64) -> String {
        let mpd = self.current.as_ref().map_or(480.0, |c| c.minutes_per_day);
        format!("{:.1}", *minutes as f64 / mpd)
    }
    fn var(&self, v: &Option<f64>) -> String {
        v.map(|x| format!("{x:+.1}")).unwrap_or_default()
    }
    fn num(&self, v: &f64) -> String {
        if v.fract() == 0.0 { format!("{v:.0}") } else { format!("{v:.2}") }
    }
    /// The stylesheet's class for an outline level (`lvl-1` to `lvl-9`; deeper levels stay at 9).
    fn indent(&self, level: &u16) -> String {
        format!("lvl-{}", (*level).clamp(1, 9))
    }
}

/// Query of the schedule page.
#[derive(Debug, Deserialize)]
pub struct ScheduleQuery {
    version: Option<i64>,
    zoom: Option<String>,
    imported: Option<i64>,
}

/// `GET /projects/{id}/schedule`
pub async fn schedule_page(
    State(state): State<AppState>,
    UiSession(s): UiSession,
    Path(id): Path<String>,
    Query(q): Query<ScheduleQuery>,
) -> Response {
    let chrome = Chrome::new(&s, "dashboard");
    let Ok(pid) = id.parse() else { return error_page(Some(chrome), AppError::NotFound) };
    page(&state, &s, chrome, pid, q, None).await
}

/// The schedule page, with the question about a plan's dates when `ask` is set.
async fn page(
    state: &AppState,
    s: &keel_app::Session,
    chrome: Chrome,
    pid: keel_domain::ProjectId,
    q: ScheduleQuery,
    ask: Option<AskDates>,
) -> Response {
    let project = match state.app.records::<ProjectFields>().get(&s.actor, pid).await {
        Ok(p) => p,
        Err(e) => return error_page(Some(chrome), e),
    };
    let versions = match state.app.schedule_versions(&s.actor, pid).await {
        Ok(v) => v.iter().map(version_response).collect::<Vec<_>>(),
        Err(e) => return error_page(Some(chrome), e),
    };
    let mut zoom = "";
    let current = if versions.is_empty() {
        None
    } else {
        match state.app.schedule_version(&s.actor, pid, q.version).await {
            Ok(v) => {
                let z = match q.zoom.as_deref().and_then(gantt::Zoom::parse) {
                    Some(z) => z,
                    None => gantt::Zoom::fit(
                        (v.analysis.result.finish
                            - v.analysis
                                .schedule
                                .projects
                                .iter()
                                .map(|p| p.start)
                                .min()
                                .unwrap_or(v.analysis.result.finish))
                        .num_days(),
                    ),
                };
                zoom = z.name();
                Some(current(&v, z, state.app.today()))
            }
            Err(e) => return error_page(Some(chrome), e),
        }
    };
    let message = q.imported.map(|v| format!("Imported as version {v}."));
    render(&SchedulePage { can: chrome.can, chrome: Some(chrome), project, versions, current, zoom, message, ask })
}

fn current(v: &ScheduleVersion, zoom: gantt::Zoom, today: chrono::NaiveDate) -> Current {
    let s = &v.analysis.schedule;
    Current {
        summary: summary_response(v),
        tasks: (0..s.tasks.len()).filter_map(|i| task_response(v, i)).collect(),
        gantt: gantt::svg(s, &v.analysis.result, zoom, today, 0),
        quality: quality_response(s, &v.analysis.quality),
        variance: variance_response(v, 0),
        minutes_per_day: f64::from(s.options.minutes_per_day.max(1)),
    }
}

/// `POST /projects/{id}/schedule` (multipart: `_csrf`, `file`, optional `format` and `dates`).
/// A plan from another time uploaded without a choice gets the schedule page back with the
/// evidence and the choice, the file carried in the form so the answer needs no second upload.
pub async fn upload_submit(
    State(state): State<AppState>,
    UiSession(s): UiSession,
    Path(id): Path<String>,
    mut form: Multipart,
) -> Response {
    let chrome = Chrome::new(&s, "dashboard");
    let Ok(pid) = id.parse() else { return error_page(Some(chrome), AppError::NotFound) };
    let super::Upload { csrf, file, format, dates } = match super::read_upload(&mut form, "schedule").await {
        Ok(u) => u,
        Err(e) => return error_page(Some(chrome), e),
    };
    if !same_secret(&csrf, &s.csrf_token) {
        return error_page(Some(chrome), AppError::Forbidden("the form expired: reload the page and try again".into()));
    }
    let Some((name, bytes)) = file.filter(|(n, b)| !n.is_empty() && !b.is_empty()) else {
        return error_page(Some(chrome), AppError::field("file", "choose a schedule file to upload"));
    };
    let dates = match DatesChoice::parse(&dates) {
        Ok(d) => d,
        Err(e) => return error_page(Some(chrome), e),
    };
    let stash = (dates == DatesChoice::Ask).then(|| {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(&bytes)
    });
    let opts = ImportOptions { format: format.clone(), dates };
    match state.app.import_schedule(&s.actor, pid, &name, bytes, opts).await {
        Ok(v) => Redirect::to(&format!("/projects/{id}/schedule?imported={}", v.info.version)).into_response(),
        Err(AppError::Validation(v)) if v.0.iter().any(|f| f.field == "dates") && stash.is_some() => {
            let warning = v.0.iter().filter(|f| f.field == "dates").map(|f| f.message.clone()).collect::<Vec<_>>();
            let ask = AskDates {
                warning: warning.join(" "),
                file_name: name,
                stash: stash.unwrap_or_default(),
                format: format.unwrap_or_default(),
            };
            let q = ScheduleQuery { version: None, zoom: None, imported: None };
            page(&state, &s, chrome, pid, q, Some(ask)).await
        }
        Err(e) => error_page(Some(chrome), e),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_task_table_rows_are_as_high_as_the_chart_rows() {
        let rule = format!(".gantt-table tbody tr {{ height: {}px; }}", crate::gantt::ROW);
        assert!(super::super::CSS.contains(&rule), "keel.css lacks `{rule}`");
    }
}
