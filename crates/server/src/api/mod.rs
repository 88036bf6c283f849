//! The REST API under `/api/v1`.

pub mod forecasts;
mod json;
mod other;
mod query;
mod records;
pub mod reports;
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
        .route("/projects/{id}/forecast", get(forecasts::get_run))
        .route("/projects/{id}/forecast/runs", get(forecasts::list_runs).post(forecasts::run_forecast))
        .route("/projects/{id}/forecast/runs/{run}", get(forecasts::get_run_by_id))
        .route("/projects/{id}/forecast/settings", get(forecasts::get_settings).put(forecasts::put_settings))
        .route("/projects/{id}/forecast/{chart}", get(forecasts::get_chart))
        .route(
            "/projects/{id}/delivery",
            get(forecasts::get_delivery)
                .post(forecasts::import_delivery)
                .layer(axum::extract::DefaultBodyLimit::max(keel_app::delivery::MAX_DELIVERY_FILE + 64 * 1024)),
        )
        .route("/forecasts", get(forecasts::list_portfolio_forecasts))
        .route("/risks/exposure", get(forecasts::get_risk_exposure))
        .route("/dependency-register", get(forecasts::get_dependency_register))
        .route("/integrated-schedule", get(forecasts::get_integrated_schedule))
        .route("/delivery-risk/model", get(forecasts::get_delivery_risk_model))
        .route("/risks/heatmap.svg", get(forecasts::get_heat_map))
        .route("/reports", get(reports::list).post(reports::generate))
        .route("/reports/preview", get(reports::preview))
        .route("/reports/{id}", get(reports::get))
        .route("/report-schedules", get(reports::list_schedules).post(reports::create_schedule))
        .route(
            "/report-schedules/{id}",
            get(reports::get_schedule).put(reports::update_schedule).delete(reports::delete_schedule),
        )
        .route("/report-deliveries", get(reports::list_deliveries))
        .route("/projects/{id}/status-draft", get(reports::get_draft).put(reports::save_draft))
        .route("/projects/{id}/status-draft/redraft", axum::routing::post(reports::redraft))
        .route("/projects/{id}/status-draft/submit", axum::routing::post(reports::submit_draft))
        .route("/projects/{id}/status-drafts", get(reports::list_drafts))
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
