//! The facts a report is written from, gathered by the application from its records, forecast
//! runs and schedule versions. Plain data: the narrative builders never look anything up.
//!
//! Ids are the records' UUIDs as strings; [`Source`](super::Source) paths are built from them
//! with the web UI's routes (`/projects/{id}`, `/r/{kind}/{id}`, `/projects/{id}/forecast`).

use chrono::{NaiveDate, NaiveDateTime};
use keel_domain::{DecisionState, GovernanceTier, IssueState, LifecycleStage, Priority, Rag, RiskState, WorkState};
use serde::{Deserialize, Serialize};

use super::document::RagTrendPoint;
use crate::risk::HeatMap;

/// What a portfolio report covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScopeKind {
    /// Every portfolio of the organisation.
    Organisation,
    /// One portfolio.
    Portfolio,
    /// One programme.
    Programme,
}

/// The scope of a portfolio report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScopeFacts {
    /// Kind of scope.
    pub kind: ScopeKind,
    /// Its record id (`None` for the organisation).
    pub id: Option<String>,
    /// Its code (empty for the organisation).
    pub code: String,
    /// Its name (the organisation's name for the organisation).
    pub name: String,
}

/// Everything a portfolio report or board pack is written from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PortfolioFacts {
    /// What it covers.
    pub scope: ScopeFacts,
    /// The reporting date (period end).
    pub as_of: NaiveDate,
    /// The previous period end, for "since last period".
    pub previous_period_end: Option<NaiveDate>,
    /// When the facts were gathered (becomes the document's `generated_at`).
    pub generated_at: NaiveDateTime,
    /// The projects in scope (active and on hold; closed ones are left out by the gatherer).
    pub projects: Vec<ProjectFacts>,
    /// Open risks of the scope on the probability-impact grid.
    pub heat_map: Option<HeatMap>,
    /// RAG counts at recent period ends, oldest first.
    pub rag_trend: Vec<RagTrendPoint>,
}

/// Everything known about one project at the reporting date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProjectFacts {
    /// Record id.
    pub id: String,
    /// Code, e.g. `PRJ-001`.
    pub code: String,
    /// Name.
    pub name: String,
    /// Project manager.
    pub manager: String,
    /// Sponsor.
    pub sponsor: String,
    /// Programme code and name, if in one.
    pub programme: Option<String>,
    /// Governance tier (selects the RAG thresholds).
    pub tier: GovernanceTier,
    /// State.
    pub state: WorkState,
    /// Life-cycle stage.
    pub stage: LifecycleStage,
    /// When the record was created (a project created this period is "new").
    pub created_on: NaiveDate,
    /// Planned start from the record.
    pub planned_start: Option<NaiveDate>,
    /// Baseline finish: the schedule's baseline finish, else the record's planned finish.
    pub baseline_finish: Option<NaiveDate>,
    /// Approved budget (major units).
    pub budget: Option<f64>,
    /// Currency of every amount of the project.
    pub currency: String,
    /// The latest submitted status report at or before the reporting date.
    pub status: Option<ReportedStatus>,
    /// The one before it.
    pub previous_status: Option<ReportedStatus>,
    /// Overall RAG of recent reports, oldest first (for the trend).
    pub rag_history: Vec<Rag>,
    /// The latest forecast run.
    pub forecast: Option<ForecastFacts>,
    /// The latest run before the previous period end (for forecast movement).
    pub previous_forecast: Option<ForecastFacts>,
    /// Earned value at the latest schedule version.
    pub evm: Option<EvmFacts>,
    /// Tasks on the critical path that slipped between the previous and the latest schedule version.
    pub critical_slips: Vec<TaskSlip>,
    /// The delivery-risk prediction.
    pub prediction: Option<PredictionFacts>,
    /// Milestones.
    pub milestones: Vec<MilestoneFacts>,
    /// Risks (open and recently closed).
    pub risks: Vec<RiskFacts>,
    /// Issues (open and recently resolved).
    pub issues: Vec<IssueFacts>,
    /// Decisions linked to the project.
    pub decisions: Vec<DecisionFacts>,
}

/// A submitted status report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportedStatus {
    /// Record id.
    pub id: String,
    /// Period end.
    pub period_end: NaiveDate,
    /// Overall RAG.
    pub overall: Rag,
    /// Schedule, cost, scope, risk, resources, benefits.
    pub dimensions: [Rag; 6],
    /// The manager's summary.
    pub summary: String,
    /// Decisions needed, as the manager wrote them.
    pub decisions_needed: String,
    /// Who submitted it.
    pub submitted_by: String,
}

/// A Monte Carlo forecast run, reduced to what a report says.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForecastFacts {
    /// Run id.
    pub run_id: String,
    /// When it ran.
    pub run_at: NaiveDateTime,
    /// Iterations.
    pub iterations: u32,
    /// P10 finish.
    pub p10: NaiveDate,
    /// P50 finish.
    pub p50: NaiveDate,
    /// P80 finish.
    pub p80: NaiveDate,
    /// P90 finish.
    pub p90: NaiveDate,
    /// Probability of finishing by the baseline finish (0..1), when there is a baseline.
    pub probability_on_time: Option<f64>,
    /// Working days from the baseline finish to P80 (positive: late).
    pub p80_slip_working_days: Option<i64>,
    /// Working days from the baseline finish to P50 (positive: late).
    pub p50_slip_working_days: Option<i64>,
    /// P50 cost at completion.
    pub cost_p50: Option<f64>,
    /// P80 cost at completion.
    pub cost_p80: Option<f64>,
    /// Tasks without an estimate that got the default range.
    pub defaulted_tasks: usize,
    /// The default range applied, as people read it (e.g. "90/100/130% triangular").
    pub default_range: String,
    /// Risks from the RAID log that fed the run.
    pub risks_included: usize,
}

/// Earned value at the latest status date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvmFacts {
    /// Status date.
    pub status_date: NaiveDate,
    /// Budget at completion.
    pub bac: f64,
    /// Planned value.
    pub pv: f64,
    /// Earned value.
    pub ev: f64,
    /// Actual cost, when known.
    pub ac: Option<f64>,
    /// Schedule performance index.
    pub spi: Option<f64>,
    /// Cost performance index.
    pub cpi: Option<f64>,
    /// Time-based SPI.
    pub spi_t: Option<f64>,
    /// SV(t) in working days (negative: behind).
    pub sv_t_days: Option<f64>,
    /// Estimate at completion (cost), PF = CPI.
    pub eac: Option<f64>,
    /// The S-curve across schedule versions.
    pub curve: Vec<super::document::SCurvePoint>,
}

/// A critical task that slipped between schedule versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskSlip {
    /// Task id in the schedule.
    pub task_id: String,
    /// Task name.
    pub name: String,
    /// Working days its finish moved (positive: later).
    pub slip_working_days: i64,
    /// Schedule version it was seen in.
    pub version: i64,
}

/// The delivery-risk prediction and its top reasons.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PredictionFacts {
    /// Probability of missing the baseline finish by the margin (0..1).
    pub probability_late: f64,
    /// Probability of overrunning budget by the margin (0..1), if predicted.
    pub probability_over_budget: Option<f64>,
    /// The top factors as people read them, e.g. "SPI(t) 0.82, falling".
    pub factors: Vec<String>,
}

/// A milestone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MilestoneFacts {
    /// Record id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Baseline date.
    pub baseline: Option<NaiveDate>,
    /// Forecast date.
    pub forecast: Option<NaiveDate>,
    /// Actual date.
    pub actual: Option<NaiveDate>,
}

/// A risk.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RiskFacts {
    /// Record id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Category.
    pub category: String,
    /// Owner.
    pub owner: String,
    /// Probability 1-5.
    pub probability: u8,
    /// Impact 1-5.
    pub impact: u8,
    /// Probability × impact.
    pub score: u8,
    /// Band on the matrix.
    pub band: Rag,
    /// State.
    pub state: RiskState,
    /// Working days it adds to linked tasks if it occurs.
    pub schedule_impact_days: Option<u32>,
    /// Cost if it occurs.
    pub cost_impact: Option<f64>,
    /// When it was raised.
    pub raised_on: NaiveDate,
    /// Last change.
    pub updated_on: NaiveDate,
    /// Score at the previous period end (`None`: did not exist then).
    pub previous_score: Option<u8>,
    /// The response plan.
    pub response_plan: String,
}

/// An issue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssueFacts {
    /// Record id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Priority.
    pub priority: Priority,
    /// Owner.
    pub owner: String,
    /// Raised on.
    pub raised_on: NaiveDate,
    /// Due.
    pub due: Option<NaiveDate>,
    /// State.
    pub state: IssueState,
    /// When it was last changed (resolved this period when resolved and changed after the previous period end).
    pub updated_on: NaiveDate,
}

/// A decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecisionFacts {
    /// Record id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Context, short.
    pub context: String,
    /// Options.
    pub options: Vec<String>,
    /// State (pending ones are "decisions needed").
    pub state: DecisionState,
    /// Who decided or must decide.
    pub decided_by: String,
    /// When decided.
    pub decided_on: Option<NaiveDate>,
}
