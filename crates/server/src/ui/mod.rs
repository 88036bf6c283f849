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
use keel_domain::{Action, EntityKind, Role, roles::Op};

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
    /// What the signed-in user may do.
    pub can: Can,
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
            can: Can::new(s.actor.role),
            nav,
        }
    }
}

/// Which of the actions pages offer the signed-in user's role may take. Every link, button and
/// form that changes something asks this, and this asks only the table the application layer
/// enforces (`keel_domain::roles`) with the action each service `require`s: a page never offers
/// what would end in a 403.
#[derive(Debug, Clone, Copy)]
pub struct Can {
    role: Role,
}

impl Can {
    /// What `role` may do.
    pub const fn new(role: Role) -> Self {
        Self { role }
    }

    /// Whether the role may take `action`.
    pub const fn allows(self, action: Action) -> bool {
        self.role.allows(action)
    }

    fn record(self, slug: &str, op: Op) -> bool {
        EntityKind::from_slug(slug).is_some_and(|k| self.allows(Action::for_record(k, op)))
    }

    /// Create a record of the kind named by its URL slug (`risks`, `status-reports`, ...).
    pub fn create(&self, slug: &str) -> bool {
        self.record(slug, Op::Create)
    }

    /// Edit a record of the kind named by its URL slug.
    pub fn edit(&self, slug: &str) -> bool {
        self.record(slug, Op::Update)
    }

    /// Delete a record of the kind named by its URL slug.
    pub fn delete(&self, slug: &str) -> bool {
        self.record(slug, Op::Delete)
    }

    /// Draft, save and submit a project's status (`reports::drafts`).
    pub fn draft_status(&self) -> bool {
        self.allows(Action::SubmitStatus)
    }

    /// Import a schedule version (`schedules::import_schedule`).
    pub fn import_schedule(&self) -> bool {
        self.allows(Action::EditProjects)
    }

    /// Run a forecast, change its settings, import delivery history (`forecasts`, `delivery`).
    pub fn forecast(&self) -> bool {
        self.allows(Action::EditProjects)
    }

    /// Issue a report of a kind (`reports::issue_action`).
    pub fn issue_report(&self, kind: keel_engine::report::ReportKind) -> bool {
        self.allows(keel_app::reports::issue_action(kind))
    }

    /// Add and remove report schedules (`reports::schedules`).
    pub fn schedule_reports(&self) -> bool {
        self.allows(Action::ManagePortfolios)
    }

    /// Manage users, roles and the organisation (`accounts`).
    pub fn manage_users(&self) -> bool {
        self.allows(Action::ManageUsers)
    }

    /// Create and revoke one's own API tokens (`accounts`).
    pub fn own_tokens(&self) -> bool {
        self.allows(Action::OwnTokens)
    }

    /// The roles that may take `action`, by label, for a sentence such as "issuing needs ...".
    pub fn roles_allowed(action: Action) -> String {
        let names: Vec<&str> = Role::ALL.iter().filter(|r| r.allows(action)).map(|r| r.label()).collect();
        match names.split_last() {
            None => String::new(),
            Some((last, [])) => (*last).to_owned(),
            Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
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

/// An error page for a failed UI action: a heading a person understands and the reason as a
/// sentence, in the site's frame, with the HTTP status the API would answer.
pub fn error_page(chrome: Option<Chrome>, e: AppError) -> Response {
    let api = crate::error::ApiError::from(e);
    let status = api.status();
    let message = sentence(api.problem().detail.as_deref().unwrap_or_default());
    let page = ErrorPage { chrome, status: status.as_u16(), title: error_title(status).into(), message };
    (status, render(&page)).into_response()
}

/// The heading of the error page for a status.
fn error_title(status: StatusCode) -> &'static str {
    match status {
        StatusCode::FORBIDDEN => "You may not do this",
        StatusCode::NOT_FOUND => "Not found",
        StatusCode::UNAUTHORIZED => "Please sign in",
        StatusCode::CONFLICT => "Not saved: it conflicts with what is there",
        StatusCode::PRECONDITION_FAILED => "Not saved: someone else changed it first",
        StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY => "Some of what was sent is not valid",
        StatusCode::TOO_MANY_REQUESTS => "Too many attempts",
        s if s.is_server_error() => "Something went wrong",
        s => s.canonical_reason().unwrap_or("Error"),
    }
}

/// `detail` as a sentence: a capital first letter and a full stop.
fn sentence(detail: &str) -> String {
    let detail = detail.trim();
    let mut chars = detail.chars();
    let Some(first) = chars.next() else { return String::new() };
    let mut out: String = first.to_uppercase().chain(chars).collect();
    if !out.ends_with(['.', '!', '?']) {
        out.push('.');
    }
    out
}

const CSS: &str = include_str!("../../assets/keel.css");
const JS: &str = include_str!("../../assets/keel.js");
const FAVICON: &str = include_str!("../../assets/favicon.svg");

async fn stylesheet() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")], CSS)
        .into_response()
}

async fn script() -> Response {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")], JS)
        .into_response()
}

/// The icon, for `<link rel="icon">` and for clients that ask for `/favicon.ico` regardless.
async fn favicon() -> Response {
    ([(header::CONTENT_TYPE, "image/svg+xml"), (header::CACHE_CONTROL, "public, max-age=86400")], FAVICON)
        .into_response()
}

/// UI routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/static/keel.css", get(stylesheet))
        .route("/static/keel.js", get(script))
        .route("/static/favicon.svg", get(favicon))
        .route("/favicon.ico", get(favicon))
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

/// An upload form as read: its CSRF token, the file part (name and bytes), the `format` part and
/// the `dates` choice. A file sent back by a page that asked a question (`stash` in base64 with
/// `stash_name`) stands for the file part when no file was chosen.
pub(crate) struct Upload {
    pub csrf: String,
    pub file: Option<(String, Vec<u8>)>,
    pub format: Option<String>,
    pub dates: String,
}

/// Reads a multipart upload form (`_csrf`, `file`, optional `format`, `dates`, `stash` and
/// `stash_name`); other parts are ignored.
pub(crate) async fn read_upload(form: &mut axum::extract::Multipart, default_name: &str) -> Result<Upload, AppError> {
    use base64::Engine as _;
    let mut up = Upload { csrf: String::new(), file: None, format: None, dates: String::new() };
    let (mut stash, mut stash_name) = (None, None);
    while let Some(field) = form.next_field().await.map_err(|e| AppError::field("file", e.body_text()))? {
        match field.name().unwrap_or("") {
            "_csrf" => up.csrf = field.text().await.unwrap_or_default(),
            "format" => up.format = field.text().await.ok().filter(|f| !f.trim().is_empty()),
            "dates" => up.dates = field.text().await.unwrap_or_default(),
            "stash_name" => stash_name = field.text().await.ok(),
            "stash" => {
                let text = field.text().await.map_err(|e| AppError::field("file", e.body_text()))?;
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(text.trim())
                    .map_err(|_| AppError::field("file", "the file sent back is damaged: choose it again"))?;
                stash = Some(bytes);
            }
            "file" => {
                let name = field.file_name().unwrap_or(default_name).to_string();
                let bytes = field.bytes().await.map_err(|e| AppError::field("file", e.body_text()))?;
                up.file = Some((name, bytes.to_vec()));
            }
            _ => {}
        }
    }
    if up.file.as_ref().is_none_or(|(_, b)| b.is_empty())
        && let Some(bytes) = stash
    {
        up.file = Some((stash_name.unwrap_or_else(|| default_name.to_string()), bytes));
    }
    Ok(up)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_carry_no_inline_styles_or_scripts() {
        // The Content Security Policy refuses both: styles go in keel.css, scripts in keel.js.
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
        let mut seen = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let html = std::fs::read_to_string(&path).unwrap().to_lowercase();
            let name = path.display();
            assert!(!html.contains("style="), "{name} has a style attribute");
            assert!(!html.contains("<style"), "{name} has an inline stylesheet");
            for script in html.split("<script").skip(1) {
                assert!(script.split('>').next().unwrap_or("").contains("src="), "{name} has an inline script");
            }
            for handler in ["onclick=", "onsubmit=", "onchange=", "onload="] {
                assert!(!html.contains(handler), "{name} has an inline event handler");
            }
            seen += 1;
        }
        assert!(seen > 10, "only {seen} templates found in {}", dir.display());
    }

    #[test]
    fn can_follows_the_role_table() {
        for role in Role::ALL.iter().copied() {
            let can = Can::new(role);
            for kind in EntityKind::ALL.iter().copied() {
                assert_eq!(can.create(kind.slug()), role.allows(Action::for_record(kind, Op::Create)));
                assert_eq!(can.edit(kind.slug()), role.allows(Action::for_record(kind, Op::Update)));
                assert_eq!(can.delete(kind.slug()), role.allows(Action::for_record(kind, Op::Delete)));
            }
            assert!(!can.create("no-such-kind"));
            assert_eq!(can.forecast(), role.allows(Action::EditProjects));
            assert_eq!(can.manage_users(), role.allows(Action::ManageUsers));
        }
        assert_eq!(Can::roles_allowed(Action::ManageUsers), "Admin");
        assert_eq!(Can::roles_allowed(Action::ManagePortfolios), "Admin, PMO or Portfolio manager");
    }

    #[test]
    fn error_messages_read_as_sentences() {
        assert_eq!(
            sentence("the Viewer role may not create and edit projects"),
            "The Viewer role may not create and edit projects."
        );
        assert_eq!(sentence("Done."), "Done.");
        assert_eq!(sentence(""), "");
        assert_eq!(error_title(StatusCode::FORBIDDEN), "You may not do this");
    }
}
