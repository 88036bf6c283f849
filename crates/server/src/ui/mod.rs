//! The server-rendered web UI. Works without JavaScript; `keel.js` only adds conveniences.

mod admin;
mod forms;
mod pages;
mod schedule;

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
        .route("/audit", get(pages::audit_page))
        .route("/api/docs", get(pages::api_docs_page))
        .route("/r/{kind}", get(forms::list_page))
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
