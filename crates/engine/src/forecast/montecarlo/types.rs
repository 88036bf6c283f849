//! The public input, result and error types of the Monte Carlo engine.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use crate::schedule::{ScheduleError, TaskIx};

use super::stats::{DateDistribution, ValueStats};

/// A probability distribution for a three-point estimate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Distribution {
    /// Triangular between optimistic and pessimistic, peaking at most likely.
    #[default]
    Triangular,
    /// PERT-beta (alpha = 1 + 4(m-o)/(p-o), beta = 1 + 4(p-m)/(p-o)): mean (o + 4m + p) / 6.
    Pert,
    /// Uniform between optimistic and pessimistic (most likely unused).
    Uniform,
    /// Lognormal with its median at most likely and its 90th percentile at pessimistic, never below
    /// optimistic nor above 20 times pessimistic (long right tail; requires most likely > 0 when
    /// pessimistic > most likely).
    LogNormal,
}

/// A three-point estimate in working minutes (clock minutes for an elapsed duration).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Estimate {
    /// Optimistic (lowest) duration.
    pub optimistic_minutes: i64,
    /// Most likely duration.
    pub most_likely_minutes: i64,
    /// Pessimistic (highest) duration.
    pub pessimistic_minutes: i64,
    /// Shape between them.
    #[serde(default)]
    pub distribution: Distribution,
}

impl Estimate {
    /// A triangular estimate `o`, `m`, `p` minutes.
    pub fn triangular(o: i64, m: i64, p: i64) -> Estimate {
        Estimate {
            optimistic_minutes: o,
            most_likely_minutes: m,
            pessimistic_minutes: p,
            distribution: Distribution::Triangular,
        }
    }
}

/// The range applied to tasks without an estimate, in percent of the planned (remaining) duration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DefaultRange {
    /// Optimistic, percent of planned (default 90).
    pub optimistic_pct: u32,
    /// Most likely, percent of planned (default 100).
    pub most_likely_pct: u32,
    /// Pessimistic, percent of planned (default 130).
    pub pessimistic_pct: u32,
    /// Shape (default triangular).
    pub distribution: Distribution,
}

impl Default for DefaultRange {
    fn default() -> Self {
        DefaultRange {
            optimistic_pct: 90,
            most_likely_pct: 100,
            pessimistic_pct: 130,
            distribution: Distribution::Triangular,
        }
    }
}

/// A risk event: when it occurs (with `probability`, independently in each iteration), its drawn
/// `impact` is added to the duration of every linked task and its cost to the cost at completion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RiskEvent {
    /// Identifier (risk register key), for messages and the tornado.
    pub key: String,
    /// Name.
    pub name: String,
    /// Chance of occurring in 0..=1.
    pub probability: f64,
    /// Tasks whose duration grows when it occurs.
    pub tasks: Vec<TaskIx>,
    /// Minutes added to each linked task when it occurs.
    pub impact: Estimate,
    /// Cost added when it occurs, minor currency units.
    #[serde(default)]
    pub cost_minor: i64,
}

/// Tasks whose duration draws are rank-correlated with each other (Gaussian copula).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CorrelationGroup {
    /// Name, for messages.
    #[serde(default)]
    pub name: String,
    /// Members (at least two; a task belongs to at most one group).
    pub tasks: Vec<TaskIx>,
    /// Spearman rank correlation between any two members, in -1..=1 (a negative value needs
    /// `rho >= -1/(members-1)`).
    pub rho: f64,
}

/// Stop early when the P80 project finish settles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Convergence {
    /// Check every this many iterations (rounded up to a multiple of [`CHUNK`](super::CHUNK)).
    pub check_every: u32,
    /// Converged when the P80 finish moved at most this many working minutes since the last check.
    pub tolerance_minutes: i64,
}

/// Which kernel computes the iterations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum KernelChoice {
    /// The fast kernel where the network allows it, the general path otherwise.
    #[default]
    Auto,
    /// Always the general path (for verification).
    General,
}

/// The kernel that ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kernel {
    /// Compiled arrays, lanes of working-minute offsets.
    Fast,
    /// The CPM network run in full per iteration.
    General,
}

/// Input of [`simulate`]. `McInput::default()` runs 10,000 iterations with the default range on
/// every task, seed 1, 50 histogram bins.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct McInput {
    /// Per-task estimates (task index, estimate).
    #[serde(default)]
    pub estimates: Vec<(TaskIx, Estimate)>,
    /// Range for tasks without an estimate; `None` keeps their planned durations.
    #[serde(default)]
    pub default_range: Option<DefaultRange>,
    /// Risk events.
    #[serde(default)]
    pub risks: Vec<RiskEvent>,
    /// Correlation groups.
    #[serde(default)]
    pub correlations: Vec<CorrelationGroup>,
    /// Iterations to run (at most; fewer when converged).
    pub iterations: u32,
    /// Seed: same input and seed, same result.
    pub seed: u64,
    /// Optional early stop.
    #[serde(default)]
    pub convergence: Option<Convergence>,
    /// Worker threads; `None` uses rayon's global pool. Never changes the result.
    #[serde(default)]
    pub threads: Option<usize>,
    /// Bins of each histogram (1..=1000).
    pub histogram_bins: u32,
    /// Kernel selection.
    #[serde(default)]
    pub kernel: KernelChoice,
}

impl Default for McInput {
    fn default() -> Self {
        McInput {
            estimates: Vec::new(),
            default_range: Some(DefaultRange::default()),
            risks: Vec::new(),
            correlations: Vec::new(),
            iterations: 10_000,
            seed: 1,
            convergence: None,
            threads: None,
            histogram_bins: 50,
            kernel: KernelChoice::Auto,
        }
    }
}

/// Per-task outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskOutcome {
    /// Task index.
    pub task: TaskIx,
    /// Share of iterations in which the task was critical, 0..=1.
    pub criticality: f64,
    /// Rank correlation of the task's duration draw with the project finish (`None` when the
    /// duration does not vary; exactly 0 when the task was never critical and is in no
    /// correlation group, as its duration then never moved the finish).
    pub sensitivity: Option<f64>,
    /// Earliest finish seen.
    pub finish_min: NaiveDateTime,
    /// Latest finish seen.
    pub finish_max: NaiveDateTime,
    /// The duration came from the default range.
    pub defaulted: bool,
}

/// A milestone's finish distribution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MilestoneOutcome {
    /// Task index.
    pub task: TaskIx,
    /// Finish distribution.
    pub finish: DateDistribution,
}

/// Chance of a task finishing by its deadline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeadlineOutcome {
    /// Task index.
    pub task: TaskIx,
    /// The deadline.
    pub deadline: NaiveDateTime,
    /// Share of iterations finishing at or before it.
    pub probability: f64,
}

/// What drives the finish: a task's duration or a risk event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Driver {
    /// A task's duration.
    Task {
        /// Task index.
        task: TaskIx,
    },
    /// A risk event (index into [`McInput::risks`]).
    Risk {
        /// Risk index.
        risk: usize,
    },
}

/// One bar of the tornado.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TornadoEntry {
    /// The driver.
    pub driver: Driver,
    /// Task code and name, or risk key and name.
    pub label: String,
    /// Rank correlation with the project finish.
    pub correlation: f64,
    /// For a risk: mean project duration (working days) when it occurs minus when it does not.
    pub finish_delta_days: Option<f64>,
}

/// Result of [`simulate`]; stored as JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct McResult {
    /// [`crate::forecast::ENGINE_VERSION`] that computed it.
    pub engine_version: String,
    /// Seed.
    pub seed: u64,
    /// Iterations run.
    pub iterations: u32,
    /// Iterations asked for.
    pub requested_iterations: u32,
    /// Whether the convergence check stopped the run (`None` without a check).
    pub converged: Option<bool>,
    /// Kernel used.
    pub kernel: Kernel,
    /// Finish of the deterministic schedule (planned durations).
    pub deterministic_finish: NaiveDateTime,
    /// Share of iterations finishing by the deterministic finish.
    pub p_meet_deterministic: f64,
    /// Project finish distribution.
    pub finish: DateDistribution,
    /// Project duration in working days of the project calendar from the project start.
    pub duration_days: ValueStats,
    /// Latest baseline-0 finish of the tasks, if any.
    pub baseline_finish: Option<NaiveDateTime>,
    /// Share of iterations finishing by the baseline finish.
    pub p_meet_baseline: Option<f64>,
    /// Milestones' finish distributions.
    pub milestones: Vec<MilestoneOutcome>,
    /// Deadlines met.
    pub deadlines: Vec<DeadlineOutcome>,
    /// Every scheduled task (summaries and inactive tasks excluded), in index order.
    pub tasks: Vec<TaskOutcome>,
    /// The 20 strongest drivers of the finish, strongest first (a task or risk whose correlation
    /// is exactly 0 drives nothing and is left out).
    pub tornado: Vec<TornadoEntry>,
    /// Cost at completion, minor units, when the schedule or risks carry costs.
    pub cost: Option<ValueStats>,
    /// Tasks whose duration came from the default range.
    pub defaulted_tasks: Vec<TaskIx>,
}

/// Why a simulation cannot run. Carries the evidence.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum McError {
    /// The schedule itself cannot be computed.
    #[error(transparent)]
    Schedule(#[from] ScheduleError),
    /// A task's estimate is invalid.
    #[error("estimate for task {task}: {field}: {message}")]
    Estimate {
        /// Task index, code and name.
        task: String,
        /// Field.
        field: &'static str,
        /// What is wrong.
        message: String,
    },
    /// A risk event is invalid.
    #[error("risk {risk}: {field}: {message}")]
    Risk {
        /// Risk key and name.
        risk: String,
        /// Field.
        field: &'static str,
        /// What is wrong.
        message: String,
    },
    /// A correlation group is invalid.
    #[error("correlation group {group}: {field}: {message}")]
    Correlation {
        /// Group index and name.
        group: String,
        /// Field.
        field: &'static str,
        /// What is wrong.
        message: String,
    },
    /// A run setting is invalid.
    #[error("{field}: {message}")]
    Input {
        /// Field.
        field: &'static str,
        /// What is wrong.
        message: String,
    },
}
