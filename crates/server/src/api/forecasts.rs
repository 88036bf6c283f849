//! Forecast routes: run and list a project's forecasts, its settings, the forecast charts, the
//! portfolio forecast view and risk exposure.
//!
//! Run bodies are the app's [`keel_app::ForecastRun`] as JSON (documented in `docs/forecasting.md`).

use axum::{
    Json,
    extract::{Path, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use keel_app::{
    DeliveryForecast, ForecastRun, ForecastRunInfo, ForecastSettings, PortfolioForecast, RiskAnalytics, RunOptions,
};
use keel_domain::{PortfolioFields, ProjectFields};
use serde::Deserialize;

use super::{
    json::{ApiJson, ApiQuery},
    records::parse_id,
};
use crate::{AppState, auth::ApiActor, error::ApiError, forecast_charts};

/// Body of `POST /projects/{id}/forecast/runs` (both optional: the project's settings apply).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunRequest {
    iterations: Option<u32>,
    seed: Option<u64>,
}

/// `?limit=` of the run list.
#[derive(Debug, Deserialize)]
pub struct LimitParam {
    limit: Option<i64>,
}

/// `?run=` of the charts.
#[derive(Debug, Deserialize)]
pub struct RunParam {
    run: Option<uuid::Uuid>,
}

/// `?portfolio_id=` of the portfolio views.
#[derive(Debug, Deserialize)]
pub struct PortfolioParam {
    portfolio_id: Option<String>,
}

/// `POST /api/v1/projects/{id}/forecast/runs`
pub async fn run_forecast(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<ForecastRun>), ApiError> {
    let project = parse_id::<ProjectFields>(&id)?;
    let r: RunRequest = if body.iter().all(u8::is_ascii_whitespace) {
        RunRequest::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| {
            ApiError::field(
                StatusCode::UNPROCESSABLE_ENTITY,
                "body",
                format!("expected {{\"iterations\", \"seed\"}}: {e}"),
            )
        })?
    };
    let opts = RunOptions { iterations: r.iterations, seed: r.seed, reason: "requested".into() };
    Ok((StatusCode::CREATED, Json(state.app.run_forecast(&actor, project, opts).await?)))
}

/// `GET /api/v1/projects/{id}/forecast/runs`
pub async fn list_runs(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiQuery(p): ApiQuery<LimitParam>,
) -> Result<Json<Vec<ForecastRunInfo>>, ApiError> {
    let project = parse_id::<ProjectFields>(&id)?;
    Ok(Json(state.app.forecast_runs(&actor, project, p.limit.unwrap_or(100)).await?))
}

/// `GET /api/v1/projects/{id}/forecast` (the latest run) and `.../forecast/runs/{run}`.
pub async fn get_run(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiQuery(p): ApiQuery<RunParam>,
) -> Result<Json<ForecastRun>, ApiError> {
    let project = parse_id::<ProjectFields>(&id)?;
    Ok(Json(state.app.forecast_run(&actor, project, p.run).await?))
}

/// `GET /api/v1/projects/{id}/forecast/runs/{run}`
pub async fn get_run_by_id(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((id, run)): Path<(String, String)>,
) -> Result<Json<ForecastRun>, ApiError> {
    let project = parse_id::<ProjectFields>(&id)?;
    let run = run.parse().map_err(|_| ApiError::field(StatusCode::BAD_REQUEST, "run", "expected a run ID (UUID)"))?;
    Ok(Json(state.app.forecast_run(&actor, project, Some(run)).await?))
}

/// `GET /api/v1/projects/{id}/forecast/settings`
pub async fn get_settings(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<ForecastSettings>, ApiError> {
    let project = parse_id::<ProjectFields>(&id)?;
    Ok(Json(state.app.forecast_settings(&actor, project).await?))
}

/// `PUT /api/v1/projects/{id}/forecast/settings`
pub async fn put_settings(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiJson(settings): ApiJson<ForecastSettings>,
) -> Result<Json<ForecastSettings>, ApiError> {
    let project = parse_id::<ProjectFields>(&id)?;
    Ok(Json(state.app.put_forecast_settings(&actor, project, settings).await?))
}

fn svg(body: String) -> Response {
    ([(header::CONTENT_TYPE, "image/svg+xml; charset=utf-8")], body).into_response()
}

/// `GET /api/v1/projects/{id}/forecast/{chart}.svg` (distribution, scurve, tornado).
pub async fn get_chart(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((id, chart)): Path<(String, String)>,
    ApiQuery(p): ApiQuery<RunParam>,
) -> Result<Response, ApiError> {
    let project = parse_id::<ProjectFields>(&id)?;
    let draw: fn(&ForecastRun) -> String = match chart.as_str() {
        "distribution.svg" => forecast_charts::distribution,
        "scurve.svg" => forecast_charts::s_curve,
        "tornado.svg" => |r| forecast_charts::tornado(r, 15),
        _ => {
            return Err(ApiError::new(
                StatusCode::NOT_FOUND,
                "no such chart: expected distribution.svg, scurve.svg or tornado.svg",
            ));
        }
    };
    let run = state.app.forecast_run(&actor, project, p.run).await?;
    Ok(svg(draw(&run)))
}

fn portfolio(p: &PortfolioParam) -> Result<Option<keel_domain::PortfolioId>, ApiError> {
    p.portfolio_id.as_deref().map(parse_id::<PortfolioFields>).transpose()
}

/// `GET /api/v1/forecasts`
pub async fn list_portfolio_forecasts(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(p): ApiQuery<PortfolioParam>,
) -> Result<Json<Vec<PortfolioForecast>>, ApiError> {
    let pf = portfolio(&p)?;
    Ok(Json(state.app.portfolio_forecasts(&actor, pf).await?))
}

/// `GET /api/v1/risks/exposure`
pub async fn get_risk_exposure(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(p): ApiQuery<PortfolioParam>,
) -> Result<Json<RiskAnalytics>, ApiError> {
    let pf = portfolio(&p)?;
    Ok(Json(state.app.risk_analytics(&actor, pf).await?))
}

/// `GET /api/v1/dependency-register`
pub async fn get_dependency_register(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<Vec<keel_app::dependencies::DependencyRegisterRow>>, ApiError> {
    Ok(Json(state.app.dependency_register(&actor).await?))
}

/// `?finish_margin=` of the delivery-risk model view.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MarginParam {
    finish_margin: Option<f64>,
}

/// `GET /api/v1/delivery-risk/model`
pub async fn get_delivery_risk_model(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(p): ApiQuery<MarginParam>,
) -> Result<Json<keel_app::forecasts::training::ModelStatus>, ApiError> {
    let mut margin = keel_engine::forecast::predict::Margin::default();
    if let Some(m) = p.finish_margin {
        if !(m.is_finite() && (0.0..=10.0).contains(&m)) {
            return Err(
                keel_app::AppError::field("finish_margin", format!("{m} is not a share between 0 and 10")).into()
            );
        }
        margin.finish = m;
    }
    Ok(Json(state.app.delivery_risk_model(&actor, margin).await?.1))
}

/// `GET /api/v1/integrated-schedule`
pub async fn get_integrated_schedule(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<keel_app::dependencies::IntegratedSchedule>, ApiError> {
    Ok(Json(state.app.integrated_schedule(&actor).await?))
}

/// `GET /api/v1/risks/heatmap.svg`
pub async fn get_heat_map(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(p): ApiQuery<PortfolioParam>,
) -> Result<Response, ApiError> {
    let pf = portfolio(&p)?;
    Ok(svg(forecast_charts::heat_map(&state.app.risk_analytics(&actor, pf).await?.heat_map)))
}

/// `POST /api/v1/projects/{id}/delivery` (multipart `file`: a Jira CSV export or an item CSV).
pub async fn import_delivery(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    mut form: axum::extract::Multipart,
) -> Result<(StatusCode, Json<DeliveryForecast>), ApiError> {
    let project = parse_id::<ProjectFields>(&id)?;
    let mut file = None;
    while let Some(field) =
        form.next_field().await.map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, e.body_text()))?
    {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("delivery.csv").to_string();
            let bytes = field.bytes().await.map_err(|e| ApiError::new(e.status(), e.body_text()))?;
            file = Some((name, bytes.to_vec()));
        } else {
            return Err(ApiError::field(
                StatusCode::BAD_REQUEST,
                field.name().unwrap_or("?"),
                "unexpected form part: send `file`",
            ));
        }
    }
    let Some((name, bytes)) = file else {
        return Err(ApiError::field(StatusCode::BAD_REQUEST, "file", "no `file` part in the multipart body"));
    };
    Ok((StatusCode::CREATED, Json(state.app.import_delivery(&actor, project, &name, bytes).await?)))
}

/// `GET /api/v1/projects/{id}/delivery`
pub async fn get_delivery(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<DeliveryForecast>, ApiError> {
    let project = parse_id::<ProjectFields>(&id)?;
    state
        .app
        .delivery_forecast(&actor, project)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::from(keel_app::AppError::NotFound))
}
