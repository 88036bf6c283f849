//! Forecast pages: a project's forecast (distribution, P-dates against baseline, tornado,
//! criticality, earned value S-curve, the delivery-risk prediction and its reasons, history and
//! settings) and the portfolio forecast view (riskiest first, with the risk heat map and exposure).

use askama::Template;
use axum::{
    Form,
    extract::{Path, Query, State},
    response::{IntoResponse, Redirect, Response},
};
use keel_app::{
    AppError, ForecastRun, ForecastRunInfo, ForecastSettings, PortfolioForecast, RiskAnalytics, RunOptions,
};
use keel_domain::{EntityKind, ProjectFields, Record};
use keel_engine::forecast::montecarlo::Distribution;
use serde::Deserialize;

use super::{Can, Chrome, error_page, render};
use crate::{
    AppState,
    auth::{UiSession, same_secret},
    forecast_charts,
};

/// Median MAPE of the forecasts the combined finish does not cover, on the DSLIB real-project
/// back-test (docs/forecast-accuracy.md), shown beside the earned-value table. The finish
/// forecasts' errors by stage of progress come with the run (`ForecastRun::combined`).
pub const MEASURED_ERROR: &[(&str, &str)] = &[
    ("finish, earned schedule (ES, PF = 1), all stages", "5.9% median MAPE on 69 finished projects"),
    ("cost at completion (EAC, PF = 1)", "1.1% median MAPE on the same projects"),
];

#[derive(Template)]
#[template(path = "forecast.html")]
struct ForecastPage {
    chrome: Option<Chrome>,
    can: Can,
    project: Record<ProjectFields>,
    run: Option<View>,
    history: Vec<ForecastRunInfo>,
    settings: ForecastSettings,
    delivery: Option<keel_app::DeliveryForecast>,
    estimates_text: String,
    correlations_text: String,
    message: Option<String>,
    errors: Vec<String>,
}

struct View {
    run: ForecastRun,
    distribution: String,
    tornado: String,
    s_curve: String,
    critical: Vec<(String, f64, Option<f64>)>,
    milestones: Vec<(String, String, String, String)>,
    evm: Option<EvmRow>,
}

struct EvmRow {
    status: String,
    pv: String,
    ev: String,
    ac: String,
    spi: String,
    spi_t: String,
    cpi: String,
    es: String,
    at: String,
    eac_t: String,
    unit: &'static str,
}

fn d(t: chrono::NaiveDateTime) -> String {
    t.format("%Y-%m-%d").to_string()
}

fn opt(v: Option<f64>) -> String {
    v.map_or_else(|| "n/a".into(), |x| format!("{x:.2}"))
}

impl ForecastPage {
    fn pct(&self, p: &f64) -> String {
        format!("{:.0}%", p * 100.0)
    }
    fn opct(&self, p: &Option<f64>) -> String {
        p.map_or_else(|| "n/a".into(), |p| format!("{:.0}%", p * 100.0))
    }
    fn date(&self, t: &chrono::NaiveDateTime) -> String {
        d(*t)
    }
    fn odate(&self, t: &Option<chrono::NaiveDateTime>) -> String {
        t.map(d).unwrap_or_else(|| "none".into())
    }
    /// An amount in minor units, in the project's budget currency (the plan's costs are in it).
    fn money(&self, minor: &f64) -> String {
        let currency = self.project.fields.budget.map(|b| b.currency.as_str().to_owned()).unwrap_or_default();
        keel_domain::money_text(minor / 100.0, &currency).unwrap_or_else(|| "—".into())
    }
    /// The CPM (Monte Carlo) P80 of the schedule milestone with this name, if there is one.
    fn cpm_p80(&self, milestone: &str) -> String {
        let Some(v) = &self.run else { return String::new() };
        let name = milestone.trim().to_lowercase();
        v.run
            .montecarlo
            .milestones
            .iter()
            .find(|m| v.run.tasks.get(m.task).is_some_and(|t| t.name.trim().to_lowercase() == name))
            .map(|m| d(m.finish.p80))
            .unwrap_or_else(|| "no schedule milestone of this name".into())
    }
    fn csrf(&self) -> String {
        self.chrome.as_ref().map(|c| c.csrf.clone()).unwrap_or_default()
    }
    fn dist(&self, d: &Distribution) -> &'static str {
        dist_name(*d)
    }
    fn measured(&self) -> &'static [(&'static str, &'static str)] {
        MEASURED_ERROR
    }
    fn model_text(&self, k: &keel_engine::forecast::predict::ModelKind) -> String {
        match k {
            keel_engine::forecast::predict::ModelKind::Default => {
                "Keel's documented default weights (docs/delivery-risk.md)".into()
            }
            keel_engine::forecast::predict::ModelKind::Trained { examples, cross_validated_auc } => format!(
                "trained on {examples} closed projects{}",
                cross_validated_auc.map(|a| format!(" (cross-validated AUC {a:.2})")).unwrap_or_default()
            ),
        }
    }
    /// Where a factor's source (`risk:<id>`, `schedule_version:<n>`, ...) is shown.
    fn source_link(&self, s: &str) -> String {
        let pid = self.project.id.to_string();
        match s.split_once(':') {
            Some(("schedule_version", v)) => format!("/projects/{pid}/schedule?version={v}"),
            Some((kind, id)) => match EntityKind::from_slug(kind) {
                Some(k) => format!("/r/{}/{id}", k.slug()),
                None => format!("/projects/{pid}/forecast"),
            },
            None => format!("/projects/{pid}/forecast"),
        }
    }
    /// A factor's source for people: "Status report", "Schedule version 3".
    fn source_label(&self, s: &str) -> String {
        match s.split_once(':') {
            Some(("schedule_version", v)) => format!("Schedule version {v}"),
            Some((kind, _)) => match EntityKind::from_slug(kind) {
                Some(k) => k.label().to_owned(),
                None => "This forecast".to_owned(),
            },
            None => "This forecast".to_owned(),
        }
    }
}

fn view(run: ForecastRun) -> View {
    let mc = &run.montecarlo;
    let mut crit: Vec<_> = mc.tasks.iter().filter(|t| t.criticality > 0.0).collect();
    crit.sort_by(|a, b| b.criticality.total_cmp(&a.criticality));
    let critical = crit.iter().take(15).map(|t| (run.task_label(t.task), t.criticality, t.sensitivity)).collect();
    let milestones = mc
        .milestones
        .iter()
        .map(|m| (run.task_label(m.task), d(m.finish.p50), d(m.finish.p80), d(m.finish.p90)))
        .collect();
    let evm = run.evm.as_ref().and_then(|e| {
        e.periods.last().map(|p| EvmRow {
            status: d(p.status_date),
            pv: format!("{:.0}", p.pv),
            ev: format!("{:.0}", p.ev),
            ac: p.ac.map_or_else(|| "unknown".into(), |a| format!("{a:.0}")),
            spi: opt(p.spi),
            spi_t: opt(p.spi_t),
            cpi: opt(p.cpi),
            es: format!("{:.1}", p.es),
            at: format!("{:.1}", p.at),
            eac_t: p
                .time_forecast(keel_engine::forecast::evm::TimeMethod::EsPf1)
                .map_or_else(|| "n/a".into(), |t| d(e.date_at(t))),
            unit: e.time_basis.unit(),
        })
    });
    View {
        distribution: forecast_charts::distribution(&run),
        tornado: forecast_charts::tornado(&run, 12),
        s_curve: forecast_charts::s_curve(&run),
        critical,
        milestones,
        evm,
        run,
    }
}

fn dist_name(d: Distribution) -> &'static str {
    match d {
        Distribution::Triangular => "triangular",
        Distribution::Pert => "pert",
        Distribution::Uniform => "uniform",
        Distribution::LogNormal => "lognormal",
    }
}

fn settings_text(s: &ForecastSettings) -> (String, String) {
    let e = s
        .estimates
        .iter()
        .map(|e| {
            format!(
                "{}, {}, {}, {}, {}",
                e.task,
                e.optimistic_days,
                e.most_likely_days,
                e.pessimistic_days,
                dist_name(e.distribution)
            )
        })
        .collect::<Vec<_>>()
        .join("\n");
    let c = s.correlations.iter().map(|c| format!("{}: {}", c.rho, c.tasks.join("; "))).collect::<Vec<_>>().join("\n");
    (e, c)
}

/// Query of the forecast page.
#[derive(Debug, Deserialize)]
pub struct ForecastQuery {
    run: Option<uuid::Uuid>,
    done: Option<String>,
}

async fn page(
    state: &AppState,
    s: &keel_app::Session,
    id: &str,
    run_id: Option<uuid::Uuid>,
    message: Option<String>,
    errors: Vec<String>,
    draft: Option<(ForecastSettings, String, String)>,
) -> Response {
    let chrome = Chrome::new(s, "forecasts");
    let Ok(pid) = id.parse() else { return error_page(Some(chrome), AppError::NotFound) };
    let project = match state.app.records::<ProjectFields>().get(&s.actor, pid).await {
        Ok(p) => p,
        Err(e) => return error_page(Some(chrome), e),
    };
    let run = match state.app.forecast_run(&s.actor, pid, run_id).await {
        Ok(r) => Some(view(r)),
        Err(AppError::NotFound) => None,
        Err(e) => return error_page(Some(chrome), e),
    };
    let history = state.app.forecast_runs(&s.actor, pid, 30).await.unwrap_or_default();
    let delivery = match state.app.delivery_forecast(&s.actor, pid).await {
        Ok(d) => d,
        Err(e) => return error_page(Some(chrome), e),
    };
    let (settings, estimates_text, correlations_text) = match draft {
        Some(d) => d,
        None => {
            let settings = state.app.forecast_settings(&s.actor, pid).await.unwrap_or_default();
            let (e, c) = settings_text(&settings);
            (settings, e, c)
        }
    };
    render(&ForecastPage {
        can: chrome.can,
        chrome: Some(chrome),
        project,
        run,
        history,
        settings,
        delivery,
        estimates_text,
        correlations_text,
        message,
        errors,
    })
}

/// `GET /projects/{id}/forecast`
pub async fn forecast_page(
    State(state): State<AppState>,
    UiSession(s): UiSession,
    Path(id): Path<String>,
    Query(q): Query<ForecastQuery>,
) -> Response {
    let message = q.done.map(|d| match d.as_str() {
        "settings" => "Settings saved.".to_string(),
        "delivery" => "Delivery history imported.".into(),
        _ => "Forecast run and kept.".into(),
    });
    page(&state, &s, &id, q.run, message, vec![], None).await
}

/// The run form.
#[derive(Debug, Deserialize)]
pub struct RunForm {
    _csrf: String,
    iterations: Option<String>,
    seed: Option<String>,
}

/// `POST /projects/{id}/forecast`: run a forecast now.
pub async fn run_submit(
    State(state): State<AppState>,
    UiSession(s): UiSession,
    Path(id): Path<String>,
    Form(f): Form<RunForm>,
) -> Response {
    let chrome = Chrome::new(&s, "forecasts");
    if !same_secret(&f._csrf, &s.csrf_token) {
        return error_page(Some(chrome), AppError::Forbidden("the form expired: reload the page and try again".into()));
    }
    let Ok(pid) = id.parse() else { return error_page(Some(chrome), AppError::NotFound) };
    let num = |v: &Option<String>| v.as_deref().map(str::trim).filter(|x| !x.is_empty()).map(str::parse::<u64>);
    let (iterations, seed) = match (num(&f.iterations), num(&f.seed)) {
        (Some(Err(_)), _) => {
            return page(&state, &s, &id, None, None, vec!["iterations: expected a whole number".into()], None).await;
        }
        (_, Some(Err(_))) => {
            return page(&state, &s, &id, None, None, vec!["seed: expected a whole number".into()], None).await;
        }
        (i, sd) => (i.and_then(Result::ok).map(|i| i.min(u64::from(u32::MAX)) as u32), sd.and_then(Result::ok)),
    };
    let opts = RunOptions { iterations, seed, reason: "requested".into() };
    match state.app.run_forecast(&s.actor, pid, opts).await {
        Ok(_) => Redirect::to(&format!("/projects/{id}/forecast?done=run")).into_response(),
        Err(AppError::Validation(v)) => {
            let errors = v.0.iter().map(|e| format!("{}: {}", e.field, e.message)).collect();
            page(&state, &s, &id, None, None, errors, None).await
        }
        Err(e) => error_page(Some(chrome), e),
    }
}

/// The settings form.
#[derive(Debug, Deserialize)]
pub struct SettingsForm {
    _csrf: String,
    iterations: String,
    seed: String,
    optimistic_pct: String,
    most_likely_pct: String,
    pessimistic_pct: String,
    distribution: String,
    margin_pct: String,
    estimates: String,
    correlations: String,
}

fn parse_dist(s: &str) -> Option<Distribution> {
    match s.trim().to_lowercase().as_str() {
        "" | "triangular" => Some(Distribution::Triangular),
        "pert" | "beta" | "pert-beta" => Some(Distribution::Pert),
        "uniform" => Some(Distribution::Uniform),
        "lognormal" => Some(Distribution::LogNormal),
        _ => None,
    }
}

/// Reads the settings form; errors name the field and line.
fn parse_settings(f: &SettingsForm) -> Result<ForecastSettings, Vec<String>> {
    let mut errors = Vec::new();
    let mut num = |name: &str, v: &str| -> f64 {
        v.trim().parse::<f64>().unwrap_or_else(|_| {
            errors.push(format!("{name}: expected a number, got `{v}`"));
            0.0
        })
    };
    let mut s = ForecastSettings {
        iterations: num("iterations", &f.iterations) as u32,
        seed: num("seed", &f.seed) as u64,
        margin_pct: num("margin_pct", &f.margin_pct),
        ..ForecastSettings::default()
    };
    s.default_range.optimistic_pct = num("optimistic_pct", &f.optimistic_pct) as u32;
    s.default_range.most_likely_pct = num("most_likely_pct", &f.most_likely_pct) as u32;
    s.default_range.pessimistic_pct = num("pessimistic_pct", &f.pessimistic_pct) as u32;
    match parse_dist(&f.distribution) {
        Some(d) => s.default_range.distribution = d,
        None => errors
            .push(format!("distribution: expected triangular, pert, uniform or lognormal, got `{}`", f.distribution)),
    }
    for (i, line) in f.estimates.lines().map(str::trim).enumerate().filter(|(_, l)| !l.is_empty()) {
        let parts: Vec<_> = line.split(',').map(str::trim).collect();
        let n = |x: &str| x.parse::<f64>().ok();
        match parts.as_slice() {
            [task, o, m, p, rest @ ..] if rest.len() <= 1 => {
                let dist = rest.first().map_or(Some(Distribution::Triangular), |d| parse_dist(d));
                match (n(o), n(m), n(p), dist) {
                    (Some(o), Some(m), Some(p), Some(distribution)) => s.estimates.push(keel_app::forecasts::TaskEstimate {
                        task: (*task).into(),
                        optimistic_days: o,
                        most_likely_days: m,
                        pessimistic_days: p,
                        distribution,
                    }),
                    _ => errors.push(format!("estimates line {}: expected `task, optimistic, most likely, pessimistic[, distribution]` with numbers in days", i + 1)),
                }
            }
            _ => errors.push(format!(
                "estimates line {}: expected `task, optimistic, most likely, pessimistic[, distribution]`",
                i + 1
            )),
        }
    }
    for (i, line) in f.correlations.lines().map(str::trim).enumerate().filter(|(_, l)| !l.is_empty()) {
        match line.split_once(':') {
            Some((rho, tasks)) if rho.trim().parse::<f64>().is_ok() => {
                s.correlations.push(keel_app::forecasts::CorrelationSetting {
                    name: String::new(),
                    tasks: tasks.split(';').map(str::trim).filter(|t| !t.is_empty()).map(String::from).collect(),
                    rho: rho.trim().parse().unwrap_or(0.0),
                })
            }
            _ => errors.push(format!("correlations line {}: expected `rho: task; task; ...`", i + 1)),
        }
    }
    if errors.is_empty() { Ok(s) } else { Err(errors) }
}

/// `POST /projects/{id}/forecast/settings`
pub async fn settings_submit(
    State(state): State<AppState>,
    UiSession(s): UiSession,
    Path(id): Path<String>,
    Form(f): Form<SettingsForm>,
) -> Response {
    let chrome = Chrome::new(&s, "forecasts");
    if !same_secret(&f._csrf, &s.csrf_token) {
        return error_page(Some(chrome), AppError::Forbidden("the form expired: reload the page and try again".into()));
    }
    let Ok(pid) = id.parse() else { return error_page(Some(chrome), AppError::NotFound) };
    let draft = |settings: ForecastSettings| Some((settings, f.estimates.clone(), f.correlations.clone()));
    let settings = match parse_settings(&f) {
        Ok(x) => x,
        Err(errors) => return page(&state, &s, &id, None, None, errors, draft(ForecastSettings::default())).await,
    };
    match state.app.put_forecast_settings(&s.actor, pid, settings.clone()).await {
        Ok(_) => Redirect::to(&format!("/projects/{id}/forecast?done=settings#settings")).into_response(),
        Err(AppError::Validation(v)) => {
            let errors = v.0.iter().map(|e| format!("{}: {}", e.field, e.message)).collect();
            page(&state, &s, &id, None, None, errors, draft(settings)).await
        }
        Err(e) => error_page(Some(chrome), e),
    }
}

#[derive(Template)]
#[template(path = "forecasts.html")]
struct PortfolioPage {
    chrome: Option<Chrome>,
    rows: Vec<PortfolioForecast>,
    risk: RiskAnalytics,
    heat_map: String,
    currency: String,
    /// The cross-project dependency register, those on a critical path first.
    deps: Vec<keel_app::dependencies::DependencyRegisterRow>,
    /// Linked projects scheduled as one network.
    integrated: keel_app::dependencies::IntegratedSchedule,
}

impl PortfolioPage {
    fn when(&self, t: &Option<chrono::NaiveDateTime>) -> String {
        t.map(d).unwrap_or_else(|| "—".to_owned())
    }
    fn date(&self, t: &chrono::NaiveDateTime) -> String {
        d(*t)
    }
    fn opct(&self, p: &Option<f64>) -> String {
        p.map_or_else(|| "n/a".into(), |p| format!("{:.0}%", p * 100.0))
    }
    fn slip(&self, r: &PortfolioForecast) -> String {
        r.latest
            .summary
            .baseline
            .map_or_else(|| "no baseline".into(), |b| format!("{:+}", (r.latest.summary.p80 - b).num_days()))
    }
    fn moved(&self, m: &Option<i64>) -> String {
        m.map_or_else(String::new, |m| format!("{m:+}"))
    }
    fn money(&self, minor: &i64) -> String {
        keel_domain::money_text(*minor as f64 / 100.0, &self.currency).unwrap_or_default()
    }
    fn days(&self, d: &f64) -> String {
        format!("{d:.1}")
    }
    fn group(&self, k: &keel_engine::risk::GroupKey) -> String {
        use keel_engine::risk::GroupKey;
        match k {
            GroupKey::All => "All".into(),
            GroupKey::Project(p) => self.risk.project_names.get(&p.uuid()).cloned().unwrap_or_else(|| p.to_string()),
            GroupKey::Programme(p) => p.map_or_else(|| "No programme".into(), |p| p.to_string()),
            GroupKey::Portfolio(p) => p.map_or_else(|| "No portfolio".into(), |p| p.to_string()),
            GroupKey::Category(c) if c.is_empty() => "Uncategorised".into(),
            GroupKey::Category(c) => c.clone(),
        }
    }
    fn project_of(&self, id: &keel_domain::RiskId) -> String {
        self.risk.projects.get(&id.uuid()).cloned().unwrap_or_default()
    }
}

/// `GET /forecasts`: the portfolio forecast view.
pub async fn portfolio_page(State(state): State<AppState>, UiSession(s): UiSession) -> Response {
    let chrome = Chrome::new(&s, "forecasts");
    let rows = match state.app.portfolio_forecasts(&s.actor, None).await {
        Ok(r) => r,
        Err(e) => return error_page(Some(chrome), e),
    };
    let risk = match state.app.risk_analytics(&s.actor, None).await {
        Ok(r) => r,
        Err(e) => return error_page(Some(chrome), e),
    };
    let currency = match state.app.organisation(&s.actor).await {
        Ok(o) => o.currency.to_string(),
        Err(_) => String::new(),
    };
    let (deps, integrated) = match state.app.dependency_views(&s.actor).await {
        Ok(r) => r,
        Err(e) => return error_page(Some(chrome), e),
    };
    let heat_map = forecast_charts::heat_map(&risk.heat_map);
    render(&PortfolioPage { chrome: Some(chrome), rows, risk, heat_map, currency, deps, integrated })
}

/// `POST /projects/{id}/forecast/delivery` (multipart: `_csrf`, `file`).
pub async fn delivery_submit(
    State(state): State<AppState>,
    UiSession(s): UiSession,
    Path(id): Path<String>,
    mut form: axum::extract::Multipart,
) -> Response {
    let chrome = Chrome::new(&s, "forecasts");
    let Ok(pid) = id.parse() else { return error_page(Some(chrome), AppError::NotFound) };
    let super::Upload { csrf, file, .. } = match super::read_upload(&mut form, "delivery.csv").await {
        Ok(u) => u,
        Err(e) => return error_page(Some(chrome), e),
    };
    if !same_secret(&csrf, &s.csrf_token) {
        return error_page(Some(chrome), AppError::Forbidden("the form expired: reload the page and try again".into()));
    }
    let Some((name, bytes)) = file.filter(|(n, b)| !n.is_empty() && !b.is_empty()) else {
        return page(&state, &s, &id, None, None, vec!["file: choose a Jira CSV export or an item CSV".into()], None)
            .await;
    };
    match state.app.import_delivery(&s.actor, pid, &name, bytes).await {
        Ok(_) => Redirect::to(&format!("/projects/{id}/forecast?done=delivery#delivery")).into_response(),
        Err(AppError::Validation(v)) => {
            let errors = v.0.iter().map(|e| format!("{}: {}", e.field, e.message)).collect();
            page(&state, &s, &id, None, None, errors, None).await
        }
        Err(e) => error_page(Some(chrome), e),
    }
}
