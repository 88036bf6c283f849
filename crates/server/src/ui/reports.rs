//! The Reports area: write a report (preview before issuing), issue it as an immutable snapshot,
//! browse the history and download any issue as HTML, PDF, Excel or Markdown; and a project's
//! status draft, reviewed, edited (RAG changes need a reason) and submitted.

use askama::Template;
use axum::{
    Form,
    extract::{Path, Query, State},
    http::header,
    response::{IntoResponse, Redirect, Response},
};
use chrono::NaiveDate;
use keel_app::{
    AppError, ReportFormat, ReportSnapshotInfo,
    reports::{StatusDraftView, StatusEdit},
};
use keel_domain::{PortfolioFields, ProgrammeFields, ProjectFields, Rag, Record};
use keel_engine::report::{Audience, ReportKind};
use serde::Deserialize;

use super::{Can, Chrome, error_page, render};
use crate::{AppState, auth::UiSession, auth::same_secret};

/// `GET /static/report.css`: the report styles, for previews inside Keel's pages.
pub async fn stylesheet() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")],
        keel_report::report_css(),
    )
        .into_response()
}

#[derive(Template)]
#[template(path = "reports.html")]
struct ReportsPage {
    chrome: Option<Chrome>,
    can: Can,
    history: Vec<ReportSnapshotInfo>,
    portfolios: Vec<Record<PortfolioFields>>,
    programmes: Vec<Record<ProgrammeFields>>,
    projects: Vec<Record<ProjectFields>>,
    audiences: [(&'static str, &'static str); 4],
    schedules: Vec<keel_app::reports::ReportSchedule>,
    deliveries: Vec<keel_app::reports::ReportDelivery>,
    errors: Vec<String>,
}

impl ReportsPage {
    fn kind_label(&self, k: &ReportKind) -> &'static str {
        kind_label(*k)
    }
}

fn kind_label(k: ReportKind) -> &'static str {
    match k {
        ReportKind::Status => "Status report",
        ReportKind::Portfolio => "Portfolio report",
        ReportKind::Board => "Board pack",
    }
}

async fn reports_page(state: &AppState, s: &keel_app::Session, errors: Vec<String>) -> Response {
    let chrome = Chrome::new(s, "reports");
    let load = async {
        let history = state.app.report_snapshots(&s.actor, 200).await?;
        let scopes = state.app.report_scopes(&s.actor).await?;
        let schedules = state.app.report_schedules(&s.actor).await?;
        let deliveries = state.app.report_deliveries(&s.actor, None, 50).await?;
        Ok::<_, AppError>((history, scopes, schedules, deliveries))
    };
    match load.await {
        Ok((history, scopes, schedules, deliveries)) => render(&ReportsPage {
            can: chrome.can,
            chrome: Some(chrome),
            history,
            portfolios: scopes.portfolios,
            programmes: scopes.programmes,
            projects: scopes.projects,
            audiences: audiences(),
            schedules,
            deliveries,
            errors,
        }),
        Err(e) => error_page(Some(chrome), e),
    }
}

/// `GET /reports`
pub async fn list_page(State(state): State<AppState>, UiSession(s): UiSession) -> Response {
    reports_page(&state, &s, Vec::new()).await
}

/// The report form (preview and issue).
#[derive(Debug, Deserialize)]
pub struct ReportForm {
    #[serde(default)]
    _csrf: String,
    kind: String,
    #[serde(default)]
    audience: Option<String>,
    /// `organisation`, `portfolio:ID`, `programme:ID` or `project:ID`.
    #[serde(default)]
    scope: Option<String>,
    #[serde(default)]
    as_of: Option<String>,
}

impl ReportForm {
    fn request(&self) -> Result<keel_app::ReportRequest, Vec<String>> {
        let (scope, id) = match self.scope.as_deref().unwrap_or("organisation").split_once(':') {
            Some((s, id)) => (s.to_owned(), Some(id.to_owned())),
            None => (self.scope.clone().unwrap_or_default(), None),
        };
        let as_of = match self.as_of.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(d) => Some(
                d.parse::<NaiveDate>().map_err(|_| vec![format!("as_of: {d:?}: expected a date like 2026-11-20")])?,
            ),
        };
        crate::api::reports::request_of(&self.kind, self.audience.as_deref(), Some(&scope), id.as_deref(), as_of)
            .map_err(|e| e.problem().errors.iter().map(|f| format!("{}: {}", f.field, f.message)).collect())
    }

    /// The same request as the API's preview query (`scope` and `scope_id` apart).
    fn query(&self) -> String {
        let scope = self.scope.as_deref().unwrap_or("");
        let (scope, scope_id) = scope.split_once(':').unwrap_or((scope, ""));
        let pairs = [
            ("kind", self.kind.as_str()),
            ("audience", self.audience.as_deref().unwrap_or("")),
            ("scope", scope),
            ("scope_id", scope_id),
            ("as_of", self.as_of.as_deref().unwrap_or("").trim()),
        ];
        serde_urlencoded::to_string(pairs.iter().filter(|(_, v)| !v.is_empty()).collect::<Vec<_>>()).unwrap_or_default()
    }
}

#[derive(Template)]
#[template(path = "report_preview.html")]
struct PreviewPage {
    chrome: Option<Chrome>,
    title: String,
    body: String,
    form: ReportForm,
    query: String,
    /// Whether the user's role may issue this kind of report (others preview and download drafts).
    can_issue: bool,
    /// The roles that may issue it, for the sentence shown to the others.
    issue_roles: String,
}

/// `GET /reports/preview?kind=&audience=&scope=&as_of=`: the report written from live data, not
/// yet issued, with a button to issue it.
pub async fn preview_page(
    State(state): State<AppState>,
    UiSession(s): UiSession,
    Query(form): Query<ReportForm>,
) -> Response {
    let chrome = Chrome::new(&s, "reports");
    let req = match form.request() {
        Ok(r) => r,
        Err(errors) => return reports_page(&state, &s, errors).await,
    };
    let doc = match state.app.write_report(&s.actor, &req).await {
        Ok(d) => d,
        Err(AppError::Validation(v)) => {
            return reports_page(&state, &s, v.0.iter().map(|e| format!("{}: {}", e.field, e.message)).collect()).await;
        }
        Err(e) => return error_page(Some(chrome), e),
    };
    let organisation = state.app.organisation(&s.actor).await.map(|o| o.name).unwrap_or_default();
    let body = keel_report::html_fragment(&doc, &state.app.render_options(&organisation));
    let query = form.query();
    let can_issue = chrome.can.issue_report(req.kind);
    let issue_roles = Can::roles_allowed(keel_app::reports::issue_action(req.kind));
    render(&PreviewPage { chrome: Some(chrome), title: doc.title, body, form, query, can_issue, issue_roles })
}

/// `POST /reports`: issues the report and opens it.
pub async fn issue_submit(
    State(state): State<AppState>,
    UiSession(s): UiSession,
    Form(form): Form<ReportForm>,
) -> Response {
    let chrome = Chrome::new(&s, "reports");
    if !same_secret(&form._csrf, &s.csrf_token) {
        return error_page(Some(chrome), AppError::Forbidden("the form expired: reload the page and try again".into()));
    }
    let req = match form.request() {
        Ok(r) => r,
        Err(errors) => return reports_page(&state, &s, errors).await,
    };
    match state.app.generate_report(&s.actor, &req, "manual").await {
        Ok(snap) => Redirect::to(&format!("/reports/{}", snap.info.id)).into_response(),
        Err(AppError::Validation(v)) => {
            reports_page(&state, &s, v.0.iter().map(|e| format!("{}: {}", e.field, e.message)).collect()).await
        }
        Err(e) => error_page(Some(chrome), e),
    }
}

#[derive(Template)]
#[template(path = "report.html")]
struct SnapshotPage {
    chrome: Option<Chrome>,
    info: ReportSnapshotInfo,
    kind: &'static str,
    audience: &'static str,
    formats: [&'static str; 4],
}

/// `GET /reports/{id}`: an issued report, as issued, with its downloads.
pub async fn snapshot_page(State(state): State<AppState>, UiSession(s): UiSession, Path(id): Path<String>) -> Response {
    let chrome = Chrome::new(&s, "reports");
    let Ok(id) = id.parse() else { return error_page(Some(chrome), AppError::NotFound) };
    match state.app.report_snapshot(&s.actor, id).await {
        Ok(snap) => render(&SnapshotPage {
            chrome: Some(chrome),
            kind: kind_label(snap.info.kind),
            audience: snap.info.audience.label(),
            info: snap.info,
            formats: ReportFormat::ALL.map(ReportFormat::as_str),
        }),
        Err(e) => error_page(Some(chrome), e),
    }
}

/// `GET /reports/{id}/view`: the issued HTML, byte for byte, for the frame on the report page.
pub async fn snapshot_view(State(state): State<AppState>, UiSession(s): UiSession, Path(id): Path<String>) -> Response {
    let Ok(id) = id.parse() else { return error_page(None, AppError::NotFound) };
    match state.app.report_snapshot(&s.actor, id).await {
        Ok(snap) => (
            [
                (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                (
                    header::CONTENT_SECURITY_POLICY,
                    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; base-uri 'none'",
                ),
                (header::X_FRAME_OPTIONS, "SAMEORIGIN"),
            ],
            snap.html,
        )
            .into_response(),
        Err(e) => error_page(None, e),
    }
}

/// `?format=` of a download.
#[derive(Debug, Deserialize)]
pub struct FormatQuery {
    format: String,
}

/// `GET /reports/{id}/download?format=`: an issued report in a format.
pub async fn snapshot_download(
    State(state): State<AppState>,
    UiSession(s): UiSession,
    Path(id): Path<String>,
    Query(q): Query<FormatQuery>,
) -> Response {
    let chrome = Chrome::new(&s, "reports");
    let Ok(id) = id.parse() else { return error_page(Some(chrome), AppError::NotFound) };
    let Some(format) = ReportFormat::parse(&q.format) else {
        return error_page(Some(chrome), AppError::field("format", "expected html, pdf, xlsx or md"));
    };
    let snap = match state.app.report_snapshot(&s.actor, id).await {
        Ok(s) => s,
        Err(e) => return error_page(Some(chrome), e),
    };
    let app = state.app.clone();
    match tokio::task::spawn_blocking(move || app.render_report(&snap, format)).await {
        Ok(Ok(r)) => crate::api::reports::download(r),
        Ok(Err(e)) => error_page(Some(chrome), e),
        Err(e) => error_page(Some(chrome), AppError::Internal(e.to_string())),
    }
}

#[derive(Template)]
#[template(path = "status_draft.html")]
struct DraftPage {
    chrome: Option<Chrome>,
    project: Record<ProjectFields>,
    draft: StatusDraftView,
    edit: StatusEdit,
    rows: Vec<DraftRow>,
    errors: Vec<String>,
    message: Option<String>,
}

struct DraftRow {
    field: &'static str,
    label: &'static str,
    proposed: Rag,
    chosen: Rag,
    from_data: bool,
    reasons: Vec<String>,
    why: String,
}

impl DraftPage {
    fn rags(&self) -> [Rag; 3] {
        [Rag::Green, Rag::Amber, Rag::Red]
    }
}

/// `?period_end=` and the flash message.
#[derive(Debug, Deserialize)]
pub struct DraftQuery {
    period_end: Option<NaiveDate>,
    done: Option<String>,
}

async fn draft_page(
    state: &AppState,
    s: &keel_app::Session,
    id: &str,
    period_end: Option<NaiveDate>,
    edit: Option<StatusEdit>,
    errors: Vec<String>,
    message: Option<String>,
) -> Response {
    let chrome = Chrome::new(s, "reports");
    let Ok(pid) = id.parse() else { return error_page(Some(chrome), AppError::NotFound) };
    let project = match state.app.records::<ProjectFields>().get(&s.actor, pid).await {
        Ok(p) => p,
        Err(e) => return error_page(Some(chrome), e),
    };
    let draft = match state.app.status_draft(&s.actor, pid, period_end).await {
        Ok(d) => d,
        Err(e) => return error_page(Some(chrome), e),
    };
    let edit = edit.or_else(|| draft.edited.clone()).unwrap_or_else(|| StatusEdit::from_draft(&draft.drafted));
    let mut rows: Vec<DraftRow> = draft
        .drafted
        .proposals
        .iter()
        .map(|p| {
            let field = p.dimension.as_str();
            DraftRow {
                field,
                label: p.dimension.label(),
                proposed: p.rag,
                chosen: edit.rag(field),
                from_data: p.from_data,
                reasons: p.reasons.iter().map(|r| r.text.clone()).collect(),
                why: edit.reasons.get(field).cloned().unwrap_or_default(),
            }
        })
        .collect();
    rows.push(DraftRow {
        field: "overall",
        label: "Overall",
        proposed: draft.drafted.overall,
        chosen: edit.overall,
        from_data: true,
        reasons: vec!["Suggested from the six dimensions: red when schedule or cost is red or two are red; amber when one is red or two are amber.".into()],
        why: edit.reasons.get("overall").cloned().unwrap_or_default(),
    });
    render(&DraftPage { chrome: Some(chrome), project, draft, edit, rows, errors, message })
}

/// `GET /projects/{id}/status-draft?period_end=`
pub async fn draft_get(
    State(state): State<AppState>,
    UiSession(s): UiSession,
    Path(id): Path<String>,
    Query(q): Query<DraftQuery>,
) -> Response {
    let message = q.done.map(|d| match d.as_str() {
        "saved" => "Draft saved.".to_owned(),
        "submitted" => "Status report submitted.".to_owned(),
        "redrafted" => "Drafted again from the latest data.".to_owned(),
        _ => String::new(),
    });
    draft_page(&state, &s, &id, q.period_end, None, Vec::new(), message.filter(|m| !m.is_empty())).await
}

/// The status draft form.
#[derive(Debug, Deserialize)]
pub struct DraftForm {
    #[serde(default)]
    _csrf: String,
    period_end: NaiveDate,
    action: String,
    overall: Rag,
    schedule: Rag,
    cost: Rag,
    scope: Rag,
    risk: Rag,
    resources: Rag,
    benefits: Rag,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    achievements: String,
    #[serde(default)]
    next_steps: String,
    #[serde(default)]
    decisions_needed: String,
    #[serde(default)]
    reason_overall: String,
    #[serde(default)]
    reason_schedule: String,
    #[serde(default)]
    reason_cost: String,
    #[serde(default)]
    reason_scope: String,
    #[serde(default)]
    reason_risk: String,
    #[serde(default)]
    reason_resources: String,
    #[serde(default)]
    reason_benefits: String,
}

/// `POST /projects/{id}/status-draft`: save, submit or draft again.
pub async fn draft_submit(
    State(state): State<AppState>,
    UiSession(s): UiSession,
    Path(id): Path<String>,
    Form(f): Form<DraftForm>,
) -> Response {
    let chrome = Chrome::new(&s, "reports");
    if !same_secret(&f._csrf, &s.csrf_token) {
        return error_page(Some(chrome), AppError::Forbidden("the form expired: reload the page and try again".into()));
    }
    let Ok(pid) = id.parse() else { return error_page(Some(chrome), AppError::NotFound) };
    let reasons = [
        ("overall", &f.reason_overall),
        ("schedule", &f.reason_schedule),
        ("cost", &f.reason_cost),
        ("scope", &f.reason_scope),
        ("risk", &f.reason_risk),
        ("resources", &f.reason_resources),
        ("benefits", &f.reason_benefits),
    ]
    .into_iter()
    .filter(|(_, r)| !r.trim().is_empty())
    .map(|(k, r)| (k.to_owned(), r.trim().to_owned()))
    .collect();
    let edit = StatusEdit {
        overall: f.overall,
        schedule: f.schedule,
        cost: f.cost,
        scope: f.scope,
        risk: f.risk,
        resources: f.resources,
        benefits: f.benefits,
        summary: f.summary,
        achievements: f.achievements,
        next_steps: f.next_steps,
        decisions_needed: f.decisions_needed,
        reasons,
    };
    let period = f.period_end;
    let result = match f.action.as_str() {
        "submit" => state.app.submit_status_draft(&s.actor, pid, period, edit.clone()).await.map(|_| "submitted"),
        "redraft" => state.app.redraft_status(&s.actor, pid, period).await.map(|_| "redrafted"),
        _ => state.app.save_status_draft(&s.actor, pid, period, edit.clone()).await.map(|_| "saved"),
    };
    match result {
        Ok(done) => {
            Redirect::to(&format!("/projects/{id}/status-draft?period_end={period}&done={done}")).into_response()
        }
        Err(AppError::Validation(v)) => {
            let errors = v.0.iter().map(|e| format!("{}: {}", e.field, e.message)).collect();
            draft_page(&state, &s, &id, Some(period), Some(edit), errors, None).await
        }
        Err(AppError::Conflict(m)) => draft_page(&state, &s, &id, Some(period), Some(edit), vec![m], None).await,
        Err(e) => error_page(Some(chrome), e),
    }
}

/// Values and labels for the audience select.
fn audiences() -> [(&'static str, &'static str); 4] {
    Audience::ALL.map(|a| (a.as_str(), a.label()))
}

/// The schedule form.
#[derive(Debug, Deserialize)]
pub struct ScheduleForm {
    #[serde(default)]
    _csrf: String,
    name: String,
    kind: String,
    #[serde(default)]
    audience: Option<String>,
    #[serde(default)]
    scope: Option<String>,
    format: String,
    #[serde(default)]
    weekday: String,
    time_of_day: String,
    #[serde(default)]
    timezone: String,
    #[serde(default)]
    recipients: String,
    #[serde(default)]
    webhook_url: String,
}

/// `POST /reports/schedules`: adds a schedule.
pub async fn schedule_submit(
    State(state): State<AppState>,
    UiSession(s): UiSession,
    Form(f): Form<ScheduleForm>,
) -> Response {
    let chrome = Chrome::new(&s, "reports");
    if !same_secret(&f._csrf, &s.csrf_token) {
        return error_page(Some(chrome), AppError::Forbidden("the form expired: reload the page and try again".into()));
    }
    let as_report = ReportForm {
        _csrf: String::new(),
        kind: f.kind.clone(),
        audience: f.audience.clone(),
        scope: f.scope.clone(),
        as_of: None,
    };
    let req = match as_report.request() {
        Ok(r) => r,
        Err(errors) => return reports_page(&state, &s, errors).await,
    };
    let Some(format) = ReportFormat::parse(&f.format) else {
        return reports_page(&state, &s, vec!["format: expected html, pdf, xlsx or md".into()]).await;
    };
    let input = keel_app::reports::ReportScheduleInput {
        name: f.name,
        kind: req.kind,
        audience: req.audience,
        scope: req.scope,
        format,
        weekday: Some(f.weekday).filter(|w| !w.is_empty()),
        time_of_day: f.time_of_day,
        timezone: Some(f.timezone.trim().to_owned()).filter(|t| !t.is_empty()),
        recipients: f
            .recipients
            .split([',', ';', '\n'])
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(str::to_owned)
            .collect(),
        webhook_url: Some(f.webhook_url.trim().to_owned()).filter(|w| !w.is_empty()),
        enabled: true,
    };
    match state.app.create_report_schedule(&s.actor, &input).await {
        Ok(_) => Redirect::to("/reports#schedules").into_response(),
        Err(AppError::Validation(v)) => {
            reports_page(&state, &s, v.0.iter().map(|e| format!("{}: {}", e.field, e.message)).collect()).await
        }
        Err(e) => error_page(Some(chrome), e),
    }
}

/// The CSRF-only form.
#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    _csrf: String,
}

/// `POST /reports/schedules/{id}/delete`: removes a schedule (its delivery log stays).
pub async fn schedule_delete(
    State(state): State<AppState>,
    UiSession(s): UiSession,
    Path(id): Path<String>,
    Form(f): Form<CsrfForm>,
) -> Response {
    let chrome = Chrome::new(&s, "reports");
    if !same_secret(&f._csrf, &s.csrf_token) {
        return error_page(Some(chrome), AppError::Forbidden("the form expired: reload the page and try again".into()));
    }
    let Ok(id) = id.parse() else { return error_page(Some(chrome), AppError::NotFound) };
    match state.app.delete_report_schedule(&s.actor, id).await {
        Ok(()) => Redirect::to("/reports#schedules").into_response(),
        Err(e) => error_page(Some(chrome), e),
    }
}
