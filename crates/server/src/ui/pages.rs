//! Sign-in, the portfolio dashboard, the project page, the audit log and the API docs page.

use askama::Template;
use axum::{
    Form,
    extract::{Path, Query, State},
    http::{StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};
use axum_extra::extract::{
    CookieJar,
    cookie::{Cookie, SameSite},
};
use keel_api_types::AuditEntryResponse;
use keel_domain::{AuditEntry, Fields as _, Rag};
use serde::Deserialize;

use super::{Can, Chrome, error_page, registers::Heading, render};
use crate::{
    AppState,
    api::{DashboardParams, audit_response},
    auth::{SESSION_COOKIE, UiSession, same_secret},
    registers, svg,
};
use keel_engine::report::{Cell, Table};

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    chrome: Option<Chrome>,
    next: String,
    username: String,
    error: Option<String>,
}

/// Query of the sign-in page.
#[derive(Deserialize)]
pub struct NextParam {
    next: Option<String>,
}

fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/\\") => n.to_owned(),
        _ => "/".to_owned(),
    }
}

/// `GET /login`
pub async fn login_page(Query(q): Query<NextParam>) -> Response {
    render(&LoginPage { chrome: None, next: safe_next(q.next.as_deref()), username: String::new(), error: None })
}

/// The sign-in form.
#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    next: Option<String>,
}

/// `POST /login`
pub async fn login_submit(
    State(state): State<AppState>,
    jar: CookieJar,
    req_parts: axum::http::request::Parts,
    Form(f): Form<LoginForm>,
) -> Response {
    let client = crate::auth::client_addr(&req_parts);
    let next = safe_next(f.next.as_deref());
    match state.app.login(&f.username, &f.password, &client).await {
        Ok(out) => {
            let cookie = Cookie::build((SESSION_COOKIE, out.secret))
                .http_only(true)
                .same_site(SameSite::Lax)
                .secure(state.secure_cookies)
                .path("/")
                .max_age(time_secs(out.max_age_secs))
                .build();
            (jar.add(cookie), Redirect::to(&next)).into_response()
        }
        Err(e) => {
            let api = crate::error::ApiError::from(e);
            let page = LoginPage { chrome: None, next, username: f.username, error: api.problem().detail.clone() };
            let mut res = (api.status(), render(&page)).into_response();
            if api.status() == StatusCode::TOO_MANY_REQUESTS {
                res.headers_mut().insert(header::RETRY_AFTER, axum::http::HeaderValue::from_static("900"));
            }
            res
        }
    }
}

fn time_secs(s: i64) -> cookie::time::Duration {
    cookie::time::Duration::seconds(s)
}

/// A form that only carries the CSRF token.
#[derive(Deserialize)]
pub struct CsrfForm {
    _csrf: String,
}

/// `POST /logout`
pub async fn logout(
    State(state): State<AppState>,
    jar: CookieJar,
    UiSession(s): UiSession,
    Form(f): Form<CsrfForm>,
) -> Response {
    if !same_secret(&f._csrf, &s.csrf_token) {
        let e = keel_app::AppError::Forbidden("the form expired: reload the page and try again".into());
        return error_page(Some(Chrome::new(&s, "")), e);
    }
    if let Some(c) = jar.get(SESSION_COOKIE) {
        let _ = state.app.logout(c.value()).await;
    }
    (jar.remove(Cookie::build((SESSION_COOKIE, "")).path("/")), Redirect::to("/login")).into_response()
}

/// A project's dashboard line, ready to print.
pub struct DashRow {
    id: String,
    code: String,
    name: String,
    portfolio: String,
    programme: String,
    manager: String,
    stage: String,
    rag: &'static str,
    rag_label: &'static str,
    trend_arrow: &'static str,
    trend_label: &'static str,
    spark: String,
    next_ms: String,
    next_ms_date: String,
    budget: String,
    exceptions: Vec<String>,
}

/// A filter option.
pub struct Opt {
    value: String,
    label: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    chrome: Option<Chrome>,
    can: Can,
    rollups: Vec<(String, &'static str, &'static str, &'static str, String)>,
    today: String,
    total: usize,
    counts: [usize; 4],
    exceptions: usize,
    budget: String,
    distribution: String,
    trend: String,
    rows: Vec<DashRow>,
    headings: Vec<Heading>,
    csv: String,
    xlsx: String,
    sort: String,
    dir: String,
    portfolios: Vec<Opt>,
    programmes: Vec<Opt>,
    managers: Vec<Opt>,
    rags: Vec<Opt>,
    states: Vec<Opt>,
    q: String,
    page: usize,
    pages: usize,
    prev_link: Option<String>,
    next_link: Option<String>,
}

/// The CSS class of a RAG.
pub fn rag_class(r: Option<Rag>) -> &'static str {
    match r {
        Some(Rag::Green) => "green",
        Some(Rag::Amber) => "amber",
        Some(Rag::Red) => "red",
        None => "none",
    }
}

fn opts(items: impl IntoIterator<Item = (String, String)>, selected: Option<&str>) -> Vec<Opt> {
    items.into_iter().map(|(value, label)| Opt { selected: selected == Some(value.as_str()), value, label }).collect()
}

const PAGE_SIZE: usize = 50;

/// The dashboard's columns and the sort each one sets; the page and its downloads share them.
pub(super) const DASHBOARD_COLUMNS: [(&str, &str); 10] = [
    ("RAG", "rag"),
    ("Project", "project"),
    ("Portfolio / programme", "portfolio"),
    ("Manager", "manager"),
    ("Stage", "stage"),
    ("Trend", "trend"),
    ("Next milestone", "next_milestone"),
    ("Due", "due"),
    ("Budget", "budget"),
    ("Exceptions", "exceptions"),
];

/// A project's dashboard cells, in [`DASHBOARD_COLUMNS`] order.
pub(super) fn dashboard_cells(r: &keel_app::ProjectRow) -> Vec<Cell> {
    let f = &r.project.fields;
    let place = match &r.programme {
        Some(pg) => format!("{} · {pg}", r.portfolio_code),
        None => r.portfolio_code.clone(),
    };
    vec![
        Cell::Rag(r.health.rag),
        Cell::Text(f.label()),
        Cell::Text(place),
        Cell::Text(f.manager.clone()),
        Cell::Text(f.stage.label().into()),
        Cell::Text(r.health.trend.label().into()),
        r.health.next_milestone.as_ref().map_or(Cell::Empty, |m| Cell::Text(m.0.clone())),
        r.health.next_milestone.as_ref().map_or(Cell::Empty, |m| Cell::Date(m.1)),
        registers::money(f.budget),
        Cell::Text(r.health.exceptions.iter().map(|e| e.describe()).collect::<Vec<_>>().join("; ")),
    ]
}

/// Every row of the dashboard as shown (same filters and order), for CSV and Excel.
fn dashboard_table(d: &keel_app::Dashboard) -> Table {
    Table {
        title: "Portfolio dashboard".into(),
        columns: DASHBOARD_COLUMNS.iter().map(|(l, _)| (*l).to_owned()).collect(),
        rows: d.rows.iter().map(dashboard_cells).collect(),
    }
}

/// `GET /`
pub async fn dashboard_page(
    State(state): State<AppState>,
    UiSession(s): UiSession,
    Query(p): Query<DashboardParams>,
) -> Response {
    let chrome = Chrome::new(&s, "dashboard");
    let filter = match p.filter() {
        Ok(f) => f,
        Err(_) => {
            return error_page(Some(chrome), keel_app::AppError::field("filter", "one of the filters is not valid"));
        }
    };
    let d = match state.app.dashboard(&s.actor, &filter, state.app.today()).await {
        Ok(d) => d,
        Err(e) => return error_page(Some(chrome), e),
    };
    if let Some(format) = p.format.as_deref().filter(|f| !f.is_empty()) {
        return match registers::download(&dashboard_table(&d), format, "dashboard") {
            Ok(file) => file.into_response(),
            Err(e) => error_page(Some(chrome), e),
        };
    }
    let total = d.rows.len();
    let pages = total.div_ceil(PAGE_SIZE).max(1);
    let page: usize = p.page.as_deref().and_then(|v| v.parse().ok()).unwrap_or(1).clamp(1, pages);
    let exceptions = d.rows.iter().filter(|r| !r.health.exceptions.is_empty()).count();
    let rows = d
        .rows
        .iter()
        .skip((page - 1) * PAGE_SIZE)
        .take(PAGE_SIZE)
        .map(|r| {
            let f = &r.project.fields;
            let cells = dashboard_cells(r);
            DashRow {
                id: r.project.id.to_string(),
                code: f.code.to_string(),
                name: f.name.clone(),
                portfolio: r.portfolio_code.clone(),
                programme: r.programme.clone().unwrap_or_default(),
                manager: f.manager.clone(),
                stage: f.stage.label().into(),
                rag: rag_class(r.health.rag),
                rag_label: r.health.rag.map_or("Not reported", |x| x.label()),
                trend_arrow: r.health.trend.arrow(),
                trend_label: r.health.trend.label(),
                spark: svg::sparkline(&r.recent),
                next_ms: r.health.next_milestone.as_ref().map(|m| m.0.clone()).unwrap_or_default(),
                next_ms_date: keel_report::cell_text(&cells[7]),
                budget: keel_report::cell_text(&cells[8]),
                exceptions: r.health.exceptions.iter().take(3).map(|e| e.describe()).collect(),
            }
        })
        .collect();
    let filters: Vec<(&str, String)> = [
        ("portfolio", &p.portfolio),
        ("programme", &p.programme),
        ("rag", &p.rag),
        ("manager", &p.manager),
        ("state", &p.state),
        ("q", &p.q),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.as_ref().filter(|v| !v.is_empty()).map(|v| (k, v.clone())))
    .collect();
    let sort = filter.sort.as_str();
    let dir = if filter.descending { "desc" } else { "asc" };
    let with = |extra: &[(&'static str, String)]| {
        let mut q = filters.clone();
        q.extend(extra.iter().cloned());
        format!("/?{}", serde_urlencoded::to_string(&q).unwrap_or_default())
    };
    let sorted = [("sort", sort.to_owned()), ("dir", dir.to_owned())];
    let link = |n: usize| with(&[sorted[0].clone(), sorted[1].clone(), ("page", n.to_string())]);
    let headings = DASHBOARD_COLUMNS
        .iter()
        .map(|(label, key)| {
            Heading::new(label, Some(key), sort, filter.descending, |s, d| {
                with(&[("sort", s.to_owned()), ("dir", d.to_owned())])
            })
        })
        .collect();
    let rollups = d
        .rollups
        .iter()
        .map(|r| {
            (
                r.label.clone(),
                r.level,
                rag_class(r.rag),
                r.rag.map_or("Not reported", |x| x.label()),
                format!("{} of {} reported", r.reported, r.projects),
            )
        })
        .collect();
    let page_view = DashboardPage {
        rollups,
        today: d.today.format("%A %d %B %Y").to_string(),
        total,
        counts: d.distribution,
        exceptions,
        budget: d.total_budget.map(|b| b.text()).unwrap_or_default(),
        distribution: svg::distribution(&d.distribution),
        trend: svg::trend(&d.trend),
        rows,
        portfolios: opts(d.portfolios.iter().map(|x| (x.id.to_string(), x.fields.label())), p.portfolio.as_deref()),
        programmes: opts(
            d.programmes
                .iter()
                .filter(|x| filter.portfolio.is_none_or(|pf| x.fields.portfolio_id == pf))
                .map(|x| (x.id.to_string(), x.fields.label())),
            p.programme.as_deref(),
        ),
        headings,
        csv: with(&[sorted[0].clone(), sorted[1].clone(), ("format", "csv".into())]),
        xlsx: with(&[sorted[0].clone(), sorted[1].clone(), ("format", "xlsx".into())]),
        sort: sort.to_owned(),
        dir: dir.to_owned(),
        managers: opts(d.managers.iter().map(|m| (m.clone(), m.clone())), p.manager.as_deref()),
        rags: opts(Rag::ALL.iter().rev().map(|r| (r.as_str().to_owned(), r.label().to_owned())), p.rag.as_deref()),
        states: opts(
            keel_domain::WorkState::ALL.iter().map(|r| (r.as_str().to_owned(), r.label().to_owned())),
            p.state.as_deref(),
        ),
        q: p.q.clone().unwrap_or_default(),
        page,
        pages,
        prev_link: (page > 1).then(|| link(page - 1)),
        next_link: (page < pages).then(|| link(page + 1)),
        can: chrome.can,
        chrome: Some(chrome),
    };
    render(&page_view)
}

/// An audit entry, ready to print.
pub struct AuditRow {
    /// When.
    pub at: String,
    /// Who.
    pub actor: String,
    /// create, update, delete, import.
    pub action: String,
    /// Kind of record.
    pub kind: String,
    /// Record label.
    pub label: String,
    /// Link to the record, unless deleted.
    pub link: Option<String>,
    /// Changed fields: name, before, after.
    pub changes: Vec<(String, String, String)>,
}

fn short_json(v: &Option<serde_json::Value>) -> String {
    match v {
        None | Some(serde_json::Value::Null) => "—".into(),
        Some(serde_json::Value::String(s)) => s.chars().take(120).collect(),
        Some(other) => other.to_string().chars().take(120).collect(),
    }
}

/// Turns audit entries into printable rows.
pub fn audit_rows(entries: &[AuditEntry]) -> Vec<AuditRow> {
    entries
        .iter()
        .map(|e| {
            let r: AuditEntryResponse = audit_response(e);
            let link = keel_domain::EntityKind::from_slug(&r.entity_kind).filter(|_| r.action != "delete").map(|k| {
                if k == keel_domain::EntityKind::Project {
                    format!("/projects/{}", r.entity_id)
                } else {
                    format!("/r/{}/{}", k.slug(), r.entity_id)
                }
            });
            AuditRow {
                at: r.at.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
                actor: r.actor_name,
                action: r.action,
                kind: r.entity_kind.replace('_', " "),
                label: r.label,
                link,
                changes: r
                    .changes
                    .iter()
                    .take(12)
                    .map(|c| (c.field.clone(), short_json(&c.before), short_json(&c.after)))
                    .collect(),
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "project.html")]
struct ProjectPage {
    chrome: Option<Chrome>,
    can: Can,
    o: keel_app::ProjectOverview,
    rag: &'static str,
    rag_label: &'static str,
    trend: &'static str,
    spark: String,
    exceptions: Vec<String>,
    audit: Vec<AuditRow>,
}

impl ProjectPage {
    fn rag_of<R: std::borrow::Borrow<Rag>>(&self, r: R) -> &'static str {
        rag_class(Some(*r.borrow()))
    }
    fn date<D: std::borrow::Borrow<Option<chrono::NaiveDate>>>(&self, d: D) -> String {
        d.borrow().map(|d| d.format("%d %b %Y").to_string()).unwrap_or_else(|| "—".into())
    }
    fn project_name<I: std::borrow::Borrow<keel_domain::ProjectId>>(&self, id: I) -> String {
        let id = *id.borrow();
        self.o.project_names.get(&id).cloned().unwrap_or_else(|| id.to_string())
    }
    fn slip(&self, m: &keel_domain::MilestoneFields) -> String {
        match m.slip_days() {
            Some(d) if d > 0 => format!("+{d} d"),
            Some(d) => format!("{d} d"),
            None => String::new(),
        }
    }
    fn budget(&self) -> String {
        self.o.project.fields.budget.map(|b| b.text()).unwrap_or_else(|| "—".into())
    }

    /// Actual cost with its variance against the budget, or `None` when none is recorded.
    fn actual_cost(&self) -> Option<String> {
        let f = &self.o.project.fields;
        let a = f.actual_cost?;
        let over = f.cost_overrun().map(|o| format!(" ({:+.1}% against budget)", o * 100.0)).unwrap_or_default();
        Some(format!("{}{over}", a.text()))
    }
}

/// `GET /projects/{id}`
pub async fn project_page(State(state): State<AppState>, UiSession(s): UiSession, Path(id): Path<String>) -> Response {
    let chrome = Chrome::new(&s, "dashboard");
    let Ok(id) = id.parse() else { return error_page(Some(chrome), keel_app::AppError::NotFound) };
    match state.app.project_overview(&s.actor, id, state.app.today()).await {
        Ok(o) => {
            let history: Vec<Rag> = o.reports.iter().rev().map(|r| r.fields.overall).collect();
            let page = ProjectPage {
                can: chrome.can,
                chrome: Some(chrome),
                rag: rag_class(o.health.rag),
                rag_label: o.health.rag.map_or("Not reported", |x| x.label()),
                trend: o.health.trend.label(),
                spark: svg::sparkline(&history[history.len().saturating_sub(26)..]),
                exceptions: o.health.exceptions.iter().map(|e| e.describe()).collect(),
                audit: audit_rows(&o.audit),
                o,
            };
            render(&page)
        }
        Err(e) => error_page(Some(chrome), e),
    }
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    chrome: Option<Chrome>,
    audit: Vec<AuditRow>,
    older: Option<String>,
}

/// Query of the audit page.
#[derive(Deserialize)]
pub struct AuditQuery {
    before: Option<uuid::Uuid>,
}

/// `GET /audit`
pub async fn audit_page(
    State(state): State<AppState>,
    UiSession(s): UiSession,
    Query(q): Query<AuditQuery>,
) -> Response {
    let chrome = Chrome::new(&s, "audit");
    let filter = keel_store::AuditFilter { before: q.before, limit: 100, ..Default::default() };
    match state.app.audit_log(&s.actor, &filter).await {
        Ok(entries) => {
            let older =
                (entries.len() == 100).then(|| entries.last().map(|e| format!("/audit?before={}", e.id))).flatten();
            render(&AuditPage { chrome: Some(chrome), audit: audit_rows(&entries), older })
        }
        Err(e) => error_page(Some(chrome), e),
    }
}

/// One endpoint on the API docs page.
pub struct DocOp {
    method: String,
    path: String,
    summary: String,
    params: Vec<(String, String, String)>,
    body: String,
    responses: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "apidocs.html")]
struct ApiDocsPage {
    chrome: Option<Chrome>,
    description: String,
    groups: Vec<(String, Vec<DocOp>)>,
    schemas: Vec<(String, String)>,
}

/// `GET /api/docs`: the OpenAPI document as a readable page, served by Keel (works offline).
pub async fn api_docs_page(State(state): State<AppState>, jar: CookieJar) -> Response {
    let chrome = match jar.get(SESSION_COOKIE) {
        Some(c) => state.app.session(c.value()).await.ok().flatten().map(|s| Chrome::new(&s, "api")),
        None => None,
    };
    let doc = &*state.openapi;
    let mut groups: Vec<(String, Vec<DocOp>)> = Vec::new();
    if let Some(paths) = doc["paths"].as_object() {
        for (path, item) in paths {
            let shared: Vec<serde_json::Value> = item["parameters"].as_array().cloned().unwrap_or_default();
            for method in ["get", "post", "put", "patch", "delete"] {
                let op = &item[method];
                if op.is_null() {
                    continue;
                }
                let tag = op["tags"][0].as_str().unwrap_or("Other").to_owned();
                let params = shared
                    .iter()
                    .chain(op["parameters"].as_array().into_iter().flatten())
                    .map(|p| {
                        (
                            p["name"].as_str().unwrap_or("").to_owned(),
                            p["in"].as_str().unwrap_or("").to_owned(),
                            p["description"].as_str().unwrap_or("").to_owned(),
                        )
                    })
                    .collect();
                let body = op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
                    .as_str()
                    .unwrap_or("")
                    .rsplit('/')
                    .next()
                    .unwrap_or("")
                    .to_owned();
                let responses = op["responses"]
                    .as_object()
                    .map(|m| {
                        m.iter().map(|(c, r)| (c.clone(), r["description"].as_str().unwrap_or("").to_owned())).collect()
                    })
                    .unwrap_or_default();
                let entry = DocOp {
                    method: method.to_uppercase(),
                    path: format!("/api/v1{}", path.trim_start_matches("/api/v1")),
                    summary: op["summary"].as_str().unwrap_or("").to_owned(),
                    params,
                    body,
                    responses,
                };
                match groups.iter_mut().find(|(t, _)| *t == tag) {
                    Some((_, ops)) => ops.push(entry),
                    None => groups.push((tag, vec![entry])),
                }
            }
        }
    }
    let schemas = doc["components"]["schemas"]
        .as_object()
        .map(|m| m.iter().map(|(k, v)| (k.clone(), serde_json::to_string_pretty(v).unwrap_or_default())).collect())
        .unwrap_or_default();
    let page = ApiDocsPage {
        chrome,
        description: doc["info"]["description"].as_str().unwrap_or("").to_owned(),
        groups,
        schemas,
    };
    let mut res = render(&page);
    res.headers_mut().insert(header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-cache"));
    res
}
