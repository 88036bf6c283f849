//! Forecast settings as users keep them (tasks named by ID, code or name; durations in working
//! days), and their translation into the Monte Carlo engine's input.

use std::collections::HashMap;

use keel_domain::{Record, RiskFields, RiskState};
use keel_engine::{
    forecast::montecarlo::{CorrelationGroup, DefaultRange, Distribution, Estimate, McInput, RiskEvent},
    forecast::predict::Margin,
    risk::RiskMatrix,
    schedule::{Schedule, TaskIx},
};
use serde::{Deserialize, Serialize};

use crate::AppError;

/// A project's forecast settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ForecastSettings {
    /// Iterations per run.
    pub iterations: u32,
    /// Random seed: the same seed and inputs give the same numbers.
    pub seed: u64,
    /// The range applied to tasks without an estimate (percent of the planned remaining duration).
    pub default_range: DefaultRange,
    /// Three-point estimates of named tasks.
    pub estimates: Vec<TaskEstimate>,
    /// Groups of tasks whose durations move together.
    pub correlations: Vec<CorrelationSetting>,
    /// The margin the delivery-risk prediction uses: a miss is a finish later than the baseline by
    /// more than this percent of the baseline duration (and a cost over budget by this percent).
    pub margin_pct: f64,
}

impl Default for ForecastSettings {
    fn default() -> Self {
        Self {
            iterations: 5_000,
            seed: 20_260_101,
            default_range: DefaultRange::default(),
            estimates: Vec::new(),
            correlations: Vec::new(),
            margin_pct: 10.0,
        }
    }
}

/// A three-point estimate of one task, in working days.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskEstimate {
    /// The task: its ID (the file's unique ID), code, or exact name.
    pub task: String,
    /// Optimistic duration.
    pub optimistic_days: f64,
    /// Most likely duration.
    pub most_likely_days: f64,
    /// Pessimistic duration.
    pub pessimistic_days: f64,
    /// Shape (triangular when left out).
    #[serde(default)]
    pub distribution: Distribution,
}

/// Tasks whose durations are rank-correlated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CorrelationSetting {
    /// Name shown in results.
    #[serde(default)]
    pub name: String,
    /// The tasks, by ID, code or name.
    pub tasks: Vec<String>,
    /// Rank correlation, -1 to 1 (0.5 to 0.8 is typical for work done by one team).
    pub rho: f64,
}

/// A task's code and name, as results show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskLabel {
    /// The file's unique ID.
    pub key: String,
    /// Code (WBS or activity ID).
    pub code: String,
    /// Name.
    pub name: String,
    /// A milestone.
    pub milestone: bool,
}

impl std::fmt::Display for TaskLabel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.code.is_empty() { write!(f, "{}", self.name) } else { write!(f, "{} {}", self.code, self.name) }
    }
}

/// A RAID risk as the simulation used it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RiskUsed {
    /// The risk record.
    pub id: uuid::Uuid,
    /// Its title.
    pub title: String,
    /// Probability used (0-1).
    pub probability: f64,
    /// Where the probability came from: `given` (the risk's percent) or `matrix` (its rating).
    pub probability_source: String,
    /// Most likely working days added to each linked task when it occurs.
    pub impact_days: f64,
    /// Cost added when it occurs (minor units).
    pub cost_minor: i64,
    /// The linked task indexes.
    pub tasks: Vec<usize>,
}

impl ForecastSettings {
    /// Checks the settings on their own (task names are checked against a schedule separately).
    pub fn validate(&self) -> Result<(), AppError> {
        let mut e = keel_domain::ValidationErrors::new();
        if !(100..=super::MAX_ITERATIONS).contains(&self.iterations) {
            e.add("iterations", format!("expected 100 to {} iterations", super::MAX_ITERATIONS));
        }
        let d = &self.default_range;
        if !(d.optimistic_pct <= d.most_likely_pct && d.most_likely_pct <= d.pessimistic_pct) {
            e.add("default_range", "expected optimistic <= most likely <= pessimistic percentages");
        }
        if d.pessimistic_pct > 1000 {
            e.add("default_range.pessimistic_pct", "expected at most 1000 percent");
        }
        for (i, est) in self.estimates.iter().enumerate() {
            let (o, m, p) = (est.optimistic_days, est.most_likely_days, est.pessimistic_days);
            if est.task.trim().is_empty() {
                e.add(format!("estimates[{i}].task"), "is required");
            }
            if ![o, m, p].iter().all(|x| x.is_finite() && (0.0..=36_500.0).contains(x)) {
                e.add(format!("estimates[{i}]"), "expected durations from 0 to 36,500 working days");
            } else if !(o <= m && m <= p) {
                e.add(
                    format!("estimates[{i}]"),
                    format!("`{}`: expected optimistic <= most likely <= pessimistic", est.task),
                );
            }
        }
        for (i, c) in self.correlations.iter().enumerate() {
            if !(c.rho.is_finite() && (-1.0..=1.0).contains(&c.rho)) {
                e.add(format!("correlations[{i}].rho"), "expected a rank correlation from -1 to 1");
            }
            if c.tasks.len() < 2 {
                e.add(format!("correlations[{i}].tasks"), "expected at least two tasks");
            }
        }
        if !(self.margin_pct.is_finite() && (0.0..=200.0).contains(&self.margin_pct)) {
            e.add("margin_pct", "expected a margin from 0 to 200 percent");
        }
        Ok(e.into_result()?)
    }

    /// The prediction margin as the engine takes it.
    pub fn margin(&self) -> Margin {
        Margin { finish: self.margin_pct / 100.0, budget: self.margin_pct / 100.0 }
    }
}

/// Finds tasks by unique ID, then code, then exact (case-insensitive) name.
pub(crate) struct TaskIndex<'a> {
    by_key: HashMap<&'a str, TaskIx>,
    by_code: HashMap<&'a str, TaskIx>,
    by_name: HashMap<String, Vec<TaskIx>>,
}

impl<'a> TaskIndex<'a> {
    pub(crate) fn new(s: &'a Schedule) -> Self {
        let mut ix = TaskIndex { by_key: HashMap::new(), by_code: HashMap::new(), by_name: HashMap::new() };
        for (i, t) in s.tasks.iter().enumerate() {
            ix.by_key.entry(t.key.as_str()).or_insert(i);
            if !t.code.is_empty() {
                ix.by_code.entry(t.code.as_str()).or_insert(i);
            }
            ix.by_name.entry(t.name.trim().to_lowercase()).or_default().push(i);
        }
        ix
    }

    /// The task a reference names, or why none.
    pub(crate) fn find(&self, r: &str) -> Result<TaskIx, String> {
        let r = r.trim();
        if let Some(&i) = self.by_key.get(r).or_else(|| self.by_code.get(r)) {
            return Ok(i);
        }
        match self.by_name.get(&r.to_lowercase()).map(Vec::as_slice) {
            Some([i]) => Ok(*i),
            Some(many) => Err(format!("`{r}` names {} tasks: use the task's ID", many.len())),
            None => Err(format!("no task has the ID, code or name `{r}`")),
        }
    }
}

/// Checks that every estimate and correlation group names a task of the schedule.
pub(crate) fn check_tasks(settings: &ForecastSettings, schedule: &Schedule) -> Result<(), AppError> {
    let ix = TaskIndex::new(schedule);
    let mut e = keel_domain::ValidationErrors::new();
    for (i, est) in settings.estimates.iter().enumerate() {
        if let Err(m) = ix.find(&est.task) {
            e.add(format!("estimates[{i}].task"), m);
        }
    }
    for (i, c) in settings.correlations.iter().enumerate() {
        for t in &c.tasks {
            if let Err(m) = ix.find(t) {
                e.add(format!("correlations[{i}].tasks"), m);
            }
        }
    }
    Ok(e.into_result()?)
}

/// The engine input built from settings, a schedule and the project's risks.
pub(crate) struct Built {
    pub input: McInput,
    pub labels: Vec<TaskLabel>,
    pub risks: Vec<RiskUsed>,
    pub notes: Vec<String>,
}

/// Translates settings and risks into the simulation input. Names that no longer match the
/// schedule (it changed since the settings were saved) become notes, not failures.
pub(crate) fn build(
    settings: &ForecastSettings,
    schedule: &Schedule,
    risks: &[Record<RiskFields>],
    matrix: &RiskMatrix,
) -> Result<Built, AppError> {
    let ix = TaskIndex::new(schedule);
    let day = f64::from(schedule.options.minutes_per_day.max(1));
    let minutes = |d: f64| (d * day).round() as i64;
    let mut notes = Vec::new();
    let mut estimates = Vec::new();
    for est in &settings.estimates {
        match ix.find(&est.task) {
            Ok(i) => estimates.push((
                i,
                Estimate {
                    optimistic_minutes: minutes(est.optimistic_days),
                    most_likely_minutes: minutes(est.most_likely_days),
                    pessimistic_minutes: minutes(est.pessimistic_days),
                    distribution: est.distribution,
                },
            )),
            Err(m) => notes.push(format!("estimate skipped: {m}")),
        }
    }
    let mut correlations = Vec::new();
    for (g, c) in settings.correlations.iter().enumerate() {
        let mut tasks = Vec::new();
        for t in &c.tasks {
            match ix.find(t) {
                Ok(i) => tasks.push(i),
                Err(m) => notes.push(format!("correlation group {}: {m}", g + 1)),
            }
        }
        if tasks.len() >= 2 {
            let name = if c.name.is_empty() { format!("group {}", g + 1) } else { c.name.clone() };
            correlations.push(CorrelationGroup { name, tasks, rho: c.rho });
        }
    }
    let mut events = Vec::new();
    let mut used = Vec::new();
    for r in risks.iter().filter(|r| r.fields.state == RiskState::Open) {
        let f = &r.fields;
        let mut tasks = Vec::new();
        for t in &f.tasks {
            match ix.find(t) {
                Ok(i) => tasks.push(i),
                Err(m) => notes.push(format!("risk \"{}\": {m}", f.title)),
            }
        }
        let days = f64::from(f.schedule_impact_days.unwrap_or(0));
        let cost = f.cost_impact.map_or(0, |m| m.amount);
        if (tasks.is_empty() || days == 0.0) && cost == 0 {
            continue;
        }
        if tasks.is_empty() && days > 0.0 {
            notes.push(format!("risk \"{}\": a schedule impact but no linked task, so only its cost counts", f.title));
        }
        let (probability, source) = match f.probability_pct {
            Some(p) => (f64::from(p) / 100.0, "given"),
            None => (matrix.level_percent(f.probability.get()) / 100.0, "matrix"),
        };
        let impact = if tasks.is_empty() {
            Estimate::triangular(0, 0, 0)
        } else {
            Estimate::triangular(minutes(days * 0.5), minutes(days), minutes(days * 1.5))
        };
        events.push(RiskEvent {
            key: "Risk:".into(),
            name: f.title.clone(),
            probability: probability.clamp(0.0, 1.0),
            tasks: tasks.clone(),
            impact,
            cost_minor: cost,
        });
        used.push(RiskUsed {
            id: r.id.uuid(),
            title: f.title.clone(),
            probability,
            probability_source: source.into(),
            impact_days: if tasks.is_empty() { 0.0 } else { days },
            cost_minor: cost,
            tasks,
        });
    }
    let labels = schedule
        .tasks
        .iter()
        .map(|t| TaskLabel {
            key: t.key.clone(),
            code: t.code.clone(),
            name: t.name.clone(),
            milestone: t.is_milestone(),
        })
        .collect();
    let input = McInput {
        estimates,
        default_range: Some(settings.default_range),
        risks: events,
        correlations,
        iterations: settings.iterations,
        seed: settings.seed,
        histogram_bins: 40,
        ..McInput::default()
    };
    Ok(Built { input, labels, risks: used, notes })
}
