//! Project forecasts: a Monte Carlo schedule risk analysis of the latest schedule version (the
//! project's three-point estimates, default range, correlation groups and RAID risks linked to
//! tasks), earned value and earned schedule across the schedule versions, and the delivery-risk
//! prediction from leading indicators. Every run is kept, so trends show.
//!
//! Runs are started on request (`keel forecast montecarlo --project`, the API, the forecast page)
//! and, best effort, whenever a schedule is imported or one of the project's risks changes.

pub mod combined;
mod indicators;
mod inputs;
pub mod training;

use chrono::{NaiveDateTime, NaiveTime};
use keel_domain::{Action, AuditAction, AuditEntry, ProjectFields, ProjectId};
use keel_engine::forecast::{
    evm::{EvmReport, TimeBasis},
    montecarlo::{self, McResult},
    predict::{Model, Prediction, PredictionInput},
};
use keel_store::{ForecastRunRow, ForecastSettingsRow, now};
use serde::{Deserialize, Serialize};

pub use inputs::{CorrelationSetting, ForecastSettings, RiskUsed, TaskEstimate, TaskLabel};

use crate::{Actor, App, AppError, new_id, schedules::Analysis};

/// The kind under which forecast runs are kept.
const KIND: &str = "forecast";

/// One kept forecast run: what was simulated and computed, and from what.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForecastRun {
    /// Run ID.
    pub id: uuid::Uuid,
    /// When it ran.
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// Who or what started it.
    pub created_by: String,
    /// Why it ran.
    pub reason: String,
    /// The schedule version simulated.
    pub schedule_version: i64,
    /// The schedule's status date (or the import date when the file has none).
    pub status_date: NaiveDateTime,
    /// The settings in force (iterations, seed, estimates, default range).
    pub settings: ForecastSettings,
    /// Code and name of every task, by task index (the results refer to tasks by index).
    pub tasks: Vec<TaskLabel>,
    /// The RAID risks that fed the simulation.
    pub risks: Vec<RiskUsed>,
    /// What could not be used, and why (an estimate or risk naming a task the schedule lacks...).
    pub notes: Vec<String>,
    /// The Monte Carlo result.
    pub montecarlo: McResult,
    /// Earned value and earned schedule across the schedule versions (none without a baseline).
    pub evm: Option<EvmReport>,
    /// Why there is no earned-value analysis, or how to read it.
    pub evm_note: Option<String>,
    /// The delivery-risk prediction.
    pub prediction: Option<Prediction>,
    /// Why there is no prediction, if there is none.
    pub prediction_note: Option<String>,
    /// Which delivery-risk model the run used and why: trained on how many closed projects with
    /// what cross-validated accuracy, or the default weights and what training lacked.
    #[serde(default)]
    pub model_note: Option<String>,
    /// The combined finish forecast (earned schedule and the network P80 blended by progress)
    /// with the error each method was measured to have at this stage of a project; none without
    /// an earned-value analysis.
    #[serde(default)]
    pub combined: Option<combined::CombinedFinish>,
}

/// The small summary kept beside each run, for lists, trends and the portfolio view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForecastSummary {
    /// Deterministic (CPM) finish.
    pub deterministic: NaiveDateTime,
    /// P50 finish.
    pub p50: NaiveDateTime,
    /// P80 finish.
    pub p80: NaiveDateTime,
    /// P90 finish.
    pub p90: NaiveDateTime,
    /// Baseline finish, if the schedule has one.
    pub baseline: Option<NaiveDateTime>,
    /// Probability of finishing by the baseline finish.
    pub p_meet_baseline: Option<f64>,
    /// P80 cost at completion (major units), when the schedule carries costs.
    pub cost_p80: Option<f64>,
    /// SPI(t) at the status date.
    pub spi_t: Option<f64>,
    /// Probability of missing the baseline finish by more than the margin.
    pub p_late: Option<f64>,
    /// Probability of overrunning the budget by more than the margin.
    pub p_over_budget: Option<f64>,
    /// The prediction's top reasons, in words.
    pub reasons: Vec<String>,
}

impl ForecastRun {
    /// The summary kept beside the run.
    pub fn summary(&self) -> ForecastSummary {
        let mc = &self.montecarlo;
        let evm_last = self.evm.as_ref().and_then(|e| e.periods.last());
        ForecastSummary {
            deterministic: mc.deterministic_finish,
            p50: mc.finish.p50,
            p80: mc.finish.p80,
            p90: mc.finish.p90,
            baseline: mc.baseline_finish,
            p_meet_baseline: mc.p_meet_baseline,
            cost_p80: mc.cost.as_ref().map(|c| c.p80 / 100.0),
            spi_t: evm_last.and_then(|p| p.spi_t),
            p_late: self.prediction.as_ref().map(|p| p.finish.probability),
            p_over_budget: self.prediction.as_ref().map(|p| p.budget.probability),
            reasons: self
                .prediction
                .as_ref()
                .map(|p| {
                    p.finish.factors.iter().filter(|f| f.contribution > 0.0).take(3).map(|f| f.text.clone()).collect()
                })
                .unwrap_or_default(),
        }
    }

    /// The label of a task index ("code name"), or the index when out of range.
    pub fn task_label(&self, task: usize) -> String {
        self.tasks.get(task).map_or_else(|| format!("task #{task}"), TaskLabel::to_string)
    }
}

/// A kept run without its body, for history lists and trends.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ForecastRunInfo {
    /// Run ID.
    pub id: uuid::Uuid,
    /// When it ran.
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// Who or what started it.
    pub created_by: String,
    /// Why it ran.
    pub reason: String,
    /// The schedule version simulated.
    pub schedule_version: Option<i64>,
    /// Seed.
    pub seed: String,
    /// Iterations run.
    pub iterations: i64,
    /// The engine version.
    pub engine_version: String,
    /// The summary.
    pub summary: ForecastSummary,
}

fn info_of(row: &ForecastRunRow) -> Result<ForecastRunInfo, AppError> {
    Ok(ForecastRunInfo {
        id: row.id,
        created_at: row.created_at,
        created_by: row.created_by.clone(),
        reason: row.reason.clone(),
        schedule_version: row.schedule_version,
        seed: row.seed.clone(),
        iterations: row.iterations,
        engine_version: row.engine_version.clone(),
        summary: serde_json::from_str(&row.summary)
            .map_err(|e| AppError::Internal(format!("unreadable forecast summary: {e}")))?,
    })
}

/// One project of the portfolio forecast view.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PortfolioForecast {
    /// Project ID.
    pub project_id: uuid::Uuid,
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// The latest run.
    pub latest: ForecastRunInfo,
    /// P80 movement since the previous run, in calendar days (positive: later).
    pub p80_moved_days: Option<i64>,
}

/// Overrides for one run.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Iterations (the settings' when `None`).
    pub iterations: Option<u32>,
    /// Seed (the settings' when `None`).
    pub seed: Option<u64>,
    /// Why it runs (kept with the run).
    pub reason: String,
}

/// Most iterations one run may ask for.
pub const MAX_ITERATIONS: u32 = 200_000;

impl App {
    /// A project's forecast settings (the defaults when none were saved).
    pub async fn forecast_settings(&self, actor: &Actor, project: ProjectId) -> Result<ForecastSettings, AppError> {
        actor.require(Action::Read)?;
        let mut tx = self.store.read().await?;
        tx.get::<ProjectFields>(actor.org_id, project).await?.ok_or(AppError::NotFound)?;
        match tx.forecast_settings(actor.org_id, project).await? {
            Some(row) => serde_json::from_str(&row.body)
                .map_err(|e| AppError::Internal(format!("unreadable forecast settings: {e}"))),
            None => Ok(ForecastSettings::default()),
        }
    }

    /// Saves a project's forecast settings after checking them (and, when the project has a
    /// schedule, that every estimate and correlation group names one of its tasks), with an audit
    /// entry.
    pub async fn put_forecast_settings(
        &self,
        actor: &Actor,
        project: ProjectId,
        settings: ForecastSettings,
    ) -> Result<ForecastSettings, AppError> {
        actor.require(Action::EditProjects)?;
        settings.validate()?;
        let latest = self.latest_analysis(actor, project).await?;
        if let Some((_, _, analysis)) = &latest {
            inputs::check_tasks(&settings, &analysis.schedule)?;
        }
        let body = serde_json::to_string(&settings).map_err(|e| AppError::Internal(e.to_string()))?;
        let mut tx = self.store.write().await?;
        tx.get::<ProjectFields>(actor.org_id, project).await?.ok_or(AppError::NotFound)?;
        let before = tx.forecast_settings(actor.org_id, project).await?.map(|r| r.body);
        let row = ForecastSettingsRow {
            org_id: actor.org_id,
            project_id: project,
            updated_at: now(),
            updated_by: actor.name.clone(),
            body: body.clone(),
        };
        tx.put_forecast_settings(&row).await?;
        tx.append_audit(&AuditEntry {
            id: new_id(),
            org_id: actor.org_id,
            at: row.updated_at,
            actor_id: actor.user_id,
            actor_name: actor.name.clone(),
            action: if before.is_some() { AuditAction::Update } else { AuditAction::Create },
            entity_kind: "forecast_settings".into(),
            entity_id: project.uuid(),
            project_id: Some(project.uuid()),
            label: "Forecast settings".into(),
            before,
            after: Some(body),
        })
        .await?;
        tx.commit().await?;
        Ok(settings)
    }

    /// Runs and keeps a forecast of the project from its latest schedule version.
    ///
    /// Errors: a validation error when the project has no schedule, or naming the setting that the
    /// simulation refused.
    pub async fn run_forecast(
        &self,
        actor: &Actor,
        project: ProjectId,
        opts: RunOptions,
    ) -> Result<ForecastRun, AppError> {
        self.forecast_now(actor, project, opts)
            .await?
            .ok_or_else(|| AppError::field("schedule", "the project has no schedule yet: import one first"))
    }

    /// Runs a forecast after a change, if the project has a schedule; failures are logged, never
    /// passed on (the change that triggered it has already been kept).
    pub async fn refresh_forecast(&self, actor: &Actor, project: ProjectId, reason: &str) {
        let system = Actor { role: keel_domain::Role::Admin, ..actor.clone() };
        let opts = RunOptions { reason: reason.into(), ..Default::default() };
        if let Err(e) = self.forecast_now(&system, project, opts).await {
            tracing::warn!(project = %project, error = %e, "forecast refresh failed");
        }
    }

    /// Runs and keeps a forecast; `None` when the project has no schedule. The latest version is
    /// decoded once: the history reads only the versions before it.
    async fn forecast_now(
        &self,
        actor: &Actor,
        project: ProjectId,
        opts: RunOptions,
    ) -> Result<Option<ForecastRun>, AppError> {
        actor.require(Action::EditProjects)?;
        let mut settings = self.forecast_settings(actor, project).await?;
        if let Some(n) = opts.iterations {
            settings.iterations = n;
        }
        if let Some(s) = opts.seed {
            settings.seed = s;
        }
        settings.validate()?;
        let Some((version, imported, analysis)) = self.latest_analysis(actor, project).await? else {
            return Ok(None);
        };
        let context = self.indicator_context(actor, project).await?;
        let mut history = self.schedule_history(actor, project, version).await?;
        let matrix = self.config.risk_matrix.clone();
        // The organisation's own closed projects, once there are enough of them.
        let (model, status) = self.delivery_risk_model(actor, settings.margin()).await?;
        let model_note = Some(status.summary());
        let run = tokio::task::spawn_blocking(move || {
            history.push(indicators::VersionPoint::of(version, imported, &analysis));
            compute(&settings, version, &analysis, &context, &history, &matrix, &model)
        })
        .await
        .map_err(|e| AppError::Internal(format!("forecast stopped: {e}")))??;
        let run = ForecastRun { created_by: actor.name.clone(), reason: opts.reason, model_note, ..run };
        self.keep_run(actor, project, &run).await?;
        Ok(Some(run))
    }

    /// A project's kept runs, newest first (at most `limit`).
    pub async fn forecast_runs(
        &self,
        actor: &Actor,
        project: ProjectId,
        limit: i64,
    ) -> Result<Vec<ForecastRunInfo>, AppError> {
        actor.require(Action::Read)?;
        let mut tx = self.store.read().await?;
        tx.get::<ProjectFields>(actor.org_id, project).await?.ok_or(AppError::NotFound)?;
        tx.forecast_runs(actor.org_id, project, KIND, limit.clamp(1, 1000)).await?.iter().map(info_of).collect()
    }

    /// One kept run (the latest when `id` is `None`).
    pub async fn forecast_run(
        &self,
        actor: &Actor,
        project: ProjectId,
        id: Option<uuid::Uuid>,
    ) -> Result<ForecastRun, AppError> {
        actor.require(Action::Read)?;
        let mut tx = self.store.read().await?;
        let (_, body) = tx.forecast_run(actor.org_id, project, KIND, id).await?.ok_or(AppError::NotFound)?;
        drop(tx);
        tokio::task::spawn_blocking(move || serde_json::from_str::<ForecastRun>(&body))
            .await
            .map_err(|e| AppError::Internal(format!("forecast decoding stopped: {e}")))?
            .map_err(|e| AppError::Internal(format!("unreadable forecast run: {e}")))
    }

    /// The latest run of every project of the organisation that has one.
    pub async fn latest_forecasts(&self, actor: &Actor) -> Result<Vec<(ProjectId, ForecastRunInfo)>, AppError> {
        actor.require(Action::Read)?;
        let mut tx = self.store.read().await?;
        tx.latest_forecast_runs(actor.org_id, KIND).await?.iter().map(|r| Ok((r.project_id, info_of(r)?))).collect()
    }

    /// The portfolio forecast view: every project's latest run (of one portfolio, or all), riskiest
    /// first (probability of missing the baseline finish, then P80 slip), with how far P80 moved
    /// since the project's previous run.
    pub async fn portfolio_forecasts(
        &self,
        actor: &Actor,
        portfolio: Option<keel_domain::PortfolioId>,
    ) -> Result<Vec<PortfolioForecast>, AppError> {
        actor.require(Action::Read)?;
        let mut tx = self.store.read().await?;
        let projects: std::collections::HashMap<_, _> =
            tx.all::<ProjectFields>(actor.org_id).await?.into_iter().map(|p| (p.id, p)).collect();
        let mut rows = Vec::new();
        for latest in tx.latest_forecast_runs(actor.org_id, KIND).await? {
            let Some(p) = projects.get(&latest.project_id) else { continue };
            if portfolio.is_some_and(|pf| p.fields.portfolio_id != pf) {
                continue;
            }
            let runs = tx.forecast_runs(actor.org_id, latest.project_id, KIND, 2).await?;
            let info = info_of(&latest)?;
            let previous = runs.get(1).map(info_of).transpose()?;
            rows.push(PortfolioForecast {
                project_id: p.id.uuid(),
                code: p.fields.code.to_string(),
                name: p.fields.name.clone(),
                p80_moved_days: previous.map(|prev| (info.summary.p80 - prev.summary.p80).num_days()),
                latest: info,
            });
        }
        let slip = |r: &PortfolioForecast| r.latest.summary.baseline.map(|b| (r.latest.summary.p80 - b).num_days());
        rows.sort_by(|a, b| {
            let p = |r: &PortfolioForecast| r.latest.summary.p_late.unwrap_or(0.0);
            p(b).total_cmp(&p(a)).then(slip(b).cmp(&slip(a))).then(a.code.cmp(&b.code))
        });
        Ok(rows)
    }

    async fn keep_run(&self, actor: &Actor, project: ProjectId, run: &ForecastRun) -> Result<(), AppError> {
        let summary = serde_json::to_string(&run.summary()).map_err(|e| AppError::Internal(e.to_string()))?;
        let body = serde_json::to_string(run).map_err(|e| AppError::Internal(e.to_string()))?;
        let mut tx = self.store.write().await?;
        tx.get::<ProjectFields>(actor.org_id, project).await?.ok_or(AppError::NotFound)?;
        tx.insert_forecast_run(
            &ForecastRunRow {
                id: run.id,
                org_id: actor.org_id,
                project_id: project,
                kind: KIND.into(),
                created_at: run.created_at,
                created_by: run.created_by.clone(),
                reason: run.reason.clone(),
                schedule_version: Some(run.schedule_version),
                seed: run.montecarlo.seed.to_string(),
                iterations: i64::from(run.montecarlo.iterations),
                engine_version: run.montecarlo.engine_version.clone(),
                summary,
            },
            &body,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The latest schedule version's number, import time and analysis, if the project has one.
    async fn latest_analysis(
        &self,
        actor: &Actor,
        project: ProjectId,
    ) -> Result<Option<(i64, NaiveDateTime, Analysis)>, AppError> {
        match self.schedule_version(actor, project, None).await {
            Ok(v) => Ok(Some((v.info.version, v.info.imported_at.naive_utc(), v.analysis))),
            Err(AppError::NotFound) => {
                let mut tx = self.store.read().await?;
                tx.get::<ProjectFields>(actor.org_id, project).await?.ok_or(AppError::NotFound)?;
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }
}

/// Everything a run computes, from loaded inputs (CPU-bound; no IO).
fn compute(
    settings: &ForecastSettings,
    version: i64,
    analysis: &Analysis,
    context: &indicators::Context,
    history: &[indicators::VersionPoint],
    matrix: &keel_engine::risk::RiskMatrix,
    model: &Model,
) -> Result<ForecastRun, AppError> {
    let schedule = &analysis.schedule;
    let status_date =
        schedule.projects.first().and_then(|p| p.status_date).unwrap_or_else(|| context.today.and_time(NaiveTime::MIN));
    let built = inputs::build(settings, schedule, &context.risks, matrix)?;
    let result =
        montecarlo::simulate(schedule, &built.input).map_err(|e| AppError::field("settings", e.to_string()))?;

    let (evm, evm_note) = match indicators::evm_across_versions(history, schedule, status_date) {
        Ok((r, note)) => (Some(r), note),
        Err(e) => (None, Some(e)),
    };
    let ind = indicators::indicators(context, history, evm.as_ref(), &result);
    let combined = evm.as_ref().and_then(|e| combined::combine(e, result.finish.p80));
    let baseline_days = indicators::baseline_duration_days(schedule);
    let (prediction, prediction_note) = match baseline_days {
        Some(d) => {
            let input = PredictionInput { indicators: ind, baseline_duration_days: d, margin: settings.margin() };
            match model.predict(&input) {
                Ok(p) => (Some(p), None),
                Err(e) => (None, Some(format!("no prediction: {e}"))),
            }
        }
        None => (None, Some("no prediction: the schedule has no baseline start and finish".into())),
    };
    Ok(ForecastRun {
        id: uuid::Uuid::now_v7(),
        created_at: now(),
        created_by: String::new(),
        reason: String::new(),
        schedule_version: version,
        status_date,
        settings: settings.clone(),
        tasks: built.labels,
        risks: built.risks,
        notes: built.notes,
        montecarlo: result,
        evm,
        evm_note,
        prediction,
        prediction_note,
        model_note: None,
        combined,
    })
}

/// The time basis of the product's earned-schedule figures.
pub(crate) const TIME_BASIS: TimeBasis = TimeBasis::CalendarDays;

/// Forecasts a schedule file without a database (`keel forecast montecarlo FILE`): the Monte Carlo
/// with the given settings, earned value at the file's status date, and the prediction from what a
/// file alone tells (no RAID log, status reports or history).
///
/// Errors: a validation error naming the setting (or the estimate whose task the file lacks).
pub fn forecast_file(
    analysis: &Analysis,
    settings: &ForecastSettings,
    today: chrono::NaiveDate,
) -> Result<ForecastRun, AppError> {
    settings.validate()?;
    inputs::check_tasks(settings, &analysis.schedule)?;
    let context = indicators::Context {
        today,
        records: false,
        high_risk_score: i64::MAX,
        risks: Vec::new(),
        milestones: Vec::new(),
        reports: Vec::new(),
        issues: Vec::new(),
    };
    let history = [indicators::VersionPoint::of(1, today.and_time(NaiveTime::MIN), analysis)];
    let run = compute(settings, 1, analysis, &context, &history, &Default::default(), &Model::Default)?;
    Ok(ForecastRun { created_by: "keel forecast".into(), reason: "file".into(), ..run })
}
