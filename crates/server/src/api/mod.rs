//! The REST API under `/api/v1`.

mod json;
mod other;
mod query;
mod records;
pub mod schedules;

use axum::{Router, routing::get};
use keel_domain::*;

pub use json::{ApiJson, ApiJsonValue};
pub use other::{DashboardParams, audit_response, openapi_document as other_openapi};
pub use query::parse_list_query;

use crate::AppState;

/// All `/api/v1` routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(records::routes::<PortfolioFields>())
        .merge(records::routes::<ProgrammeFields>())
        .merge(records::routes::<ProjectFields>())
        .merge(records::routes::<StatusReportFields>())
        .merge(records::routes::<MilestoneFields>())
        .merge(records::routes::<RiskFields>())
        .merge(records::routes::<IssueFields>())
        .merge(records::routes::<AssumptionFields>())
        .merge(records::routes::<DependencyFields>())
        .merge(records::routes::<DecisionFields>())
        .route(
            "/projects/{id}/schedule/versions",
            get(schedules::list_versions)
                .post(schedules::import_schedule)
                .layer(axum::extract::DefaultBodyLimit::max(keel_app::schedules::MAX_SCHEDULE_FILE + 64 * 1024)),
        )
        .route("/projects/{id}/schedule", get(schedules::get_schedule))
        .route("/projects/{id}/schedule/tasks", get(schedules::list_tasks))
        .route("/projects/{id}/schedule/links", get(schedules::list_links))
        .route("/projects/{id}/schedule/calendars", get(schedules::list_calendars))
        .route("/projects/{id}/schedule/baselines", get(schedules::get_variance))
        .route("/projects/{id}/schedule/quality", get(schedules::get_quality))
        .route("/projects/{id}/schedule/export", get(schedules::export_schedule))
        .route("/projects/{id}/schedule/gantt.svg", get(schedules::get_gantt))
        .route("/dashboard", get(other::get_dashboard))
        .route("/audit", get(other::list_audit))
        .route("/me", get(other::get_me))
        .route("/organisation", get(other::get_organisation).put(other::update_organisation))
        .route("/users", get(other::list_users).post(other::create_user))
        .route("/users/{id}", axum::routing::patch(other::update_user))
        .route("/tokens", get(other::list_tokens).post(other::create_token))
        .route("/tokens/{id}", axum::routing::delete(other::revoke_token))
        .route("/export", get(other::get_export))
        .route("/openapi.json", get(other::get_openapi))
        .fallback(other::not_found)
}
