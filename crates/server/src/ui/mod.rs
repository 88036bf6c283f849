//! The server-rendered web UI. Works without JavaScript; `keel.js` only adds conveniences.

mod admin;
mod forecast;
mod forms;
mod pages;
mod registers;
mod reports;
mod schedule;
mod scope;

use askama::Template;
use axum::{
    Router,
    http::{StatusCode, header},
    response::{Html, IntoResponse, Response},
    routing::{get, post},
};
use keel_app::{AppError, Session};
use keel_domain::Action;

use crate::AppState;

/// What every page's frame shows: who is signed in, the navigation, the CSRF token for forms.
#[derive(Debug, Clone)]
pub struct Chrome {
    /// Display name.
    pub user: String,
    /// Role label.
    pub role: String,
    /// CSRF token for forms.
    pub csrf: String,
    /// Show the admin navigation.
    pub is_admin: bool,
    /// Which navigation item is current.
    pub nav: &'static str,
}

impl Chrome {
    /// The frame for a session.
    pub fn new(s: &Session, nav: &'static str) -> Self {
        Self {
            user: s.actor.name.clone(),
            role: s.actor.role.label().to_owned(),
            csrf: s.csrf_token.clone(),
            is_admin: s.actor.role.allows(Action::ManageUsers),
            nav,
        }
    }
}

/// Renders a template, or a plain 500 if the template fails.
pub fn render<T: Template>(t: &T) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "page could not be rendered").into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    chrome: Option<Chrome>,
    status: u16,
    title: String,
    message: String,
}

/// An error page for a failed UI action.
pub fn error_page(chrome: Option<Chrome>, e: AppError) -> Response {
    let api = crate::error::ApiError::from(e);
    let status = api.status();
    let message = api.problem().detail.clone().unwrap_or_default();
    let page = ErrorPage {
        chrome,
        status: status.as_u16(),
        title: status.canonical_reason().unwrap_or("Error").into(),
        message,
    };
    (status, render(&page)).into_response()
}

const CSS: &str = include_str!("../../assets/keel.css");
const JS: &str = include_str!("../../assets/keel.js");

async fn stylesheet() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")], CSS)
        .into_response()
}

async fn script() -> Response {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")], JS)
        .into_response()
}

/// UI routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/static/keel.css", get(stylesheet))
        .route("/static/keel.js", get(script))
        .route("/login", get(pages::login_page).post(pages::login_submit))
        .route("/logout", post(pages::logout))
        .route("/", get(pages::dashboard_page))
        .route("/projects/{id}", get(pages::project_page))
        .route(
            "/projects/{id}/schedule",
            get(schedule::schedule_page)
                .post(schedule::upload_submit)
                .layer(axum::extract::DefaultBodyLimit::max(keel_app::schedules::MAX_SCHEDULE_FILE + 64 * 1024)),
        )
        .route("/projects/{id}/forecast", get(forecast::forecast_page).post(forecast::run_submit))
        .route("/projects/{id}/forecast/settings", post(forecast::settings_submit))
        .route(
            "/projects/{id}/forecast/delivery",
            post(forecast::delivery_submit)
                .layer(axum::extract::DefaultBodyLimit::max(keel_app::delivery::MAX_DELIVERY_FILE + 64 * 1024)),
        )
        .route("/forecasts", get(forecast::portfolio_page))
        .route("/static/report.css", get(reports::stylesheet))
        .route("/reports", get(reports::list_page).post(reports::issue_submit))
        .route("/reports/preview", get(reports::preview_page))
        .route("/reports/schedules", post(reports::schedule_submit))
        .route("/reports/schedules/{id}/delete", post(reports::schedule_delete))
        .route("/reports/{id}", get(reports::snapshot_page))
        .route("/reports/{id}/view", get(reports::snapshot_view))
        .route("/reports/{id}/download", get(reports::snapshot_download))
        .route("/projects/{id}/status-draft", get(reports::draft_get).post(reports::draft_submit))
        .route("/audit", get(pages::audit_page))
        .route("/api/docs", get(pages::api_docs_page))
        .route("/r/{kind}", get(registers::list_page))
        .route("/r/{kind}/new", get(forms::new_page).post(forms::create_submit))
        .route("/r/{kind}/{id}", get(forms::record_page))
        .route("/r/{kind}/{id}/edit", get(forms::edit_page).post(forms::update_submit))
        .route("/r/{kind}/{id}/delete", post(forms::delete_submit))
        .route("/admin/users", get(admin::users_page).post(admin::add_user_submit))
        .route("/admin/users/{id}", post(admin::update_user_submit))
        .route("/admin/organisation", post(admin::update_org_submit))
        .route("/tokens", get(admin::tokens_page).post(admin::create_token_submit))
        .route("/tokens/{id}/revoke", post(admin::revoke_token_submit))
}

/// An upload form as read: its CSRF token, the file part (name and bytes) and the `format` part.
pub(crate) struct Upload {
    pub csrf: String,
    pub file: Option<(String, Vec<u8>)>,
    pub format: Option<String>,
}

/// Reads a multipart upload form (`_csrf`, `file`, optional `format`); other parts are ignored.
pub(crate) async fn read_upload(form: &mut axum::extract::Multipart, default_name: &str) -> Result<Upload, AppError> {
    let mut up = Upload { csrf: String::new(), file: None, format: None };
    while let Some(field) = form.next_field().await.map_err(|e| AppError::field("file", e.body_text()))? {
        match field.name().unwrap_or("") {
            "_csrf" => up.csrf = field.text().await.unwrap_or_default(),
            "format" => up.format = field.text().await.ok().filter(|f| !f.trim().is_empty()),
            "file" => {
                let name = field.file_name().unwrap_or(default_name).to_string();
                let bytes = field.bytes().await.map_err(|e| AppError::field("file", e.body_text()))?;
                up.file = Some((name, bytes.to_vec()));
            }
            _ => {}
        }
    }
    Ok(up)
}
