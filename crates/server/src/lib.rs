#![doc = include_str!("../README.md")]

pub mod api;
pub mod auth;
pub mod error;
pub mod forecast_charts;
mod gantt;
pub mod registers;
mod svg;
mod ui;

use std::{net::SocketAddr, sync::Arc, time::Duration};

use axum::{
    Router,
    extract::{DefaultBodyLimit, State},
    http::{HeaderName, HeaderValue, StatusCode, header},
    response::IntoResponse,
    routing::get,
};
use keel_app::App;
use tower_http::{set_header::SetResponseHeaderLayer, trace::TraceLayer};

/// Largest request body accepted (JSON or form).
pub const MAX_BODY: usize = 1024 * 1024;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// The application.
    pub app: App,
    /// The OpenAPI document, built once.
    pub openapi: Arc<serde_json::Value>,
    /// Mark cookies `Secure` (when served over HTTPS).
    pub secure_cookies: bool,
}

impl AppState {
    /// State for an application.
    pub fn new(app: App, secure_cookies: bool) -> Self {
        Self { app, openapi: Arc::new(api::other_openapi()), secure_cookies }
    }
}

async fn healthz() -> &'static str {
    "ok"
}

async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    match state.app.store().ping().await {
        Ok(()) => (StatusCode::OK, "ready"),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}

fn header_layer(name: &'static str, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(HeaderName::from_static(name), HeaderValue::from_static(value))
}

/// The whole HTTP application: API, UI, health checks, with security headers and body limits.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .merge(ui::routes())
        .nest("/api/v1", api::routes())
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .layer(header_layer(
            "content-security-policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
        ))
        .layer(header_layer("x-content-type-options", "nosniff"))
        .layer(header_layer("x-frame-options", "DENY"))
        .layer(header_layer("referrer-policy", "same-origin"))
        .layer(header_layer("permissions-policy", "camera=(), microphone=(), geolocation=()"))
        .layer(SetResponseHeaderLayer::if_not_present(header::CACHE_CONTROL, HeaderValue::from_static("no-store")))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Serves until `shutdown` completes, then finishes in-flight requests and closes the database.
pub async fn serve(
    app: App,
    secure_cookies: bool,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let store = app.store().clone();
    let state = AppState::new(app, secure_cookies);
    let router = router(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, router).with_graceful_shutdown(shutdown).await?;
    tokio::time::timeout(Duration::from_secs(5), store.close()).await.ok();
    Ok(())
}
