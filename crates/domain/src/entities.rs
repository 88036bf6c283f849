//! The records a PMO keeps. Each is a [`Record`] of its fields type: the envelope (ID, organisation,
//! version, timestamps) is the same for all, the fields are what users edit.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize, de::DeserializeOwned};

use crate::{
    error::ValidationErrors,
    ids::{Id, OrgId},
    values::*,
};

/// Every kind of record that users create, edit and delete through the generic CRUD services.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EntityKind {
    /// A portfolio.
    Portfolio,
    /// A programme.
    Programme,
    /// A project.
    Project,
    /// A periodic status report on a project.
    StatusReport,
    /// A project milestone.
    Milestone,
    /// A RAID risk.
    Risk,
    /// A RAID issue.
    Issue,
    /// A RAID assumption.
    Assumption,
    /// A RAID dependency.
    Dependency,
    /// An entry in the decision log.
    Decision,
}

impl EntityKind {
    /// Every kind, in the order they are exported and imported (parents first).
    pub const ALL: &'static [EntityKind] = &[
        EntityKind::Portfolio,
        EntityKind::Programme,
        EntityKind::Project,
        EntityKind::StatusReport,
        EntityKind::Milestone,
        EntityKind::Risk,
        EntityKind::Issue,
        EntityKind::Assumption,
        EntityKind::Dependency,
        EntityKind::Decision,
    ];
    /// The plural URL segment, e.g. `status-reports`.
    pub const fn slug(self) -> &'static str {
        match self {
            EntityKind::Portfolio => "portfolios",
            EntityKind::Programme => "programmes",
            EntityKind::Project => "projects",
            EntityKind::StatusReport => "status-reports",
            EntityKind::Milestone => "milestones",
            EntityKind::Risk => "risks",
            EntityKind::Issue => "issues",
            EntityKind::Assumption => "assumptions",
            EntityKind::Dependency => "dependencies",
            EntityKind::Decision => "decisions",
        }
    }
    /// The wire name, e.g. `status_report`.
    pub const fn as_str(self) -> &'static str {
        match self {
            EntityKind::Portfolio => "portfolio",
            EntityKind::Programme => "programme",
            EntityKind::Project => "project",
            EntityKind::StatusReport => "status_report",
            EntityKind::Milestone => "milestone",
            EntityKind::Risk => "risk",
            EntityKind::Issue => "issue",
            EntityKind::Assumption => "assumption",
            EntityKind::Dependency => "dependency",
            EntityKind::Decision => "decision",
        }
    }
    /// The singular name shown to people.
    pub const fn label(self) -> &'static str {
        match self {
            EntityKind::Portfolio => "Portfolio",
            EntityKind::Programme => "Programme",
            EntityKind::Project => "Project",
            EntityKind::StatusReport => "Status report",
            EntityKind::Milestone => "Milestone",
            EntityKind::Risk => "Risk",
            EntityKind::Issue => "Issue",
            EntityKind::Assumption => "Assumption",
            EntityKind::Dependency => "Dependency",
            EntityKind::Decision => "Decision",
        }
    }
    /// Finds a kind by its URL segment or wire name.
    pub fn from_slug(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|k| k.slug() == s || k.as_str() == s)
    }
}

/// The user-editable content of one kind of record.
pub trait Fields: Serialize + DeserializeOwned + Clone + Send + Sync + 'static {
    /// Which kind of record these fields make.
    const KIND: EntityKind;
    /// Checks the rules that span fields (dates in order, references present). Single-field rules
    /// are already enforced by the value types.
    fn validate(&self) -> Result<(), ValidationErrors>;
    /// The project the record belongs to, for project pages and the audit trail.
    fn project_id(&self) -> Option<ProjectId> {
        None
    }
    /// A one-line label for lists and the audit trail.
    fn label(&self) -> String;
    /// The records this one points at, as (field, kind, ID): each must exist in the same
    /// organisation.
    fn references(&self) -> Vec<(&'static str, EntityKind, uuid::Uuid)> {
        Vec::new()
    }
}

/// A stored record: the envelope every record shares, and its fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(bound = "F: Fields")]
pub struct Record<F: Fields> {
    /// The record's ID.
    pub id: Id<F>,
    /// The organisation it belongs to.
    pub org_id: OrgId,
    /// Optimistic-concurrency version: 1 on creation, +1 on every update.
    pub version: i64,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it was last changed.
    pub updated_at: DateTime<Utc>,
    /// What users edit.
    #[serde(flatten)]
    pub fields: F,
}

fn check_order(
    errors: &mut ValidationErrors,
    start: Option<NaiveDate>,
    finish: Option<NaiveDate>,
    start_name: &str,
    finish_name: &str,
) {
    if let (Some(s), Some(f)) = (start, finish)
        && f < s
    {
        errors.add(finish_name, format!("{finish_name} {f} is before {start_name} {s}: expected on or after it"));
    }
}

fn check_text(errors: &mut ValidationErrors, field: &str, value: &str, max: usize, required: bool) {
    if required && value.trim().is_empty() {
        errors.add(field, "is required");
    }
    if value.chars().count() > max {
        errors.add(field, format!("is too long: at most {max} characters"));
    }
}

/// Checks what portfolios, programmes and projects have in common.
fn check_governed(
    e: &mut ValidationErrors,
    name: &str,
    description: &str,
    start: Option<NaiveDate>,
    finish: Option<NaiveDate>,
    custom: &CustomFields,
) {
    check_text(e, "name", name, 200, true);
    check_text(e, "description", description, 20_000, false);
    check_order(e, start, finish, "planned_start", "planned_finish");
    for key in custom.keys() {
        if key.trim().is_empty() || key.len() > 64 {
            e.add("custom_fields", format!("field name `{key}` must be 1-64 characters"));
        }
    }
}

/// A portfolio: a set of programmes and projects managed together against a strategy and budget.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PortfolioFields {
    /// Short unique code, e.g. `DIGITAL`.
    pub code: Code,
    /// Name.
    pub name: String,
    /// What it is for.
    #[serde(default)]
    pub description: String,
    /// The accountable executive.
    #[serde(default)]
    pub sponsor: String,
    /// The portfolio manager.
    #[serde(default)]
    pub manager: String,
    /// Life-cycle stage.
    pub stage: LifecycleStage,
    /// Governance tier.
    pub tier: GovernanceTier,
    /// State.
    pub state: WorkState,
    /// Planned start.
    #[serde(default)]
    pub planned_start: Option<NaiveDate>,
    /// Planned finish.
    #[serde(default)]
    pub planned_finish: Option<NaiveDate>,
    /// Approved budget.
    #[serde(default)]
    pub budget: Option<Money>,
    /// User-defined fields.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub custom_fields: CustomFields,
}

impl Fields for PortfolioFields {
    const KIND: EntityKind = EntityKind::Portfolio;
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::new();
        check_governed(
            &mut e,
            &self.name,
            &self.description,
            self.planned_start,
            self.planned_finish,
            &self.custom_fields,
        );
        e.into_result()
    }
    fn label(&self) -> String {
        format!("{} {}", self.code, self.name)
    }
}

/// A programme: related projects delivering a shared outcome, inside one portfolio.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ProgrammeFields {
    /// The portfolio it belongs to.
    #[cfg_attr(feature = "openapi", schema(value_type = uuid::Uuid))]
    pub portfolio_id: PortfolioId,
    /// Short unique code.
    pub code: Code,
    /// Name.
    pub name: String,
    /// What it delivers.
    #[serde(default)]
    pub description: String,
    /// Senior responsible owner.
    #[serde(default)]
    pub sponsor: String,
    /// Programme manager.
    #[serde(default)]
    pub manager: String,
    /// Life-cycle stage.
    pub stage: LifecycleStage,
    /// Governance tier.
    pub tier: GovernanceTier,
    /// State.
    pub state: WorkState,
    /// Planned start.
    #[serde(default)]
    pub planned_start: Option<NaiveDate>,
    /// Planned finish.
    #[serde(default)]
    pub planned_finish: Option<NaiveDate>,
    /// Approved budget.
    #[serde(default)]
    pub budget: Option<Money>,
    /// User-defined fields.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub custom_fields: CustomFields,
}

impl Fields for ProgrammeFields {
    const KIND: EntityKind = EntityKind::Programme;
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::new();
        check_governed(
            &mut e,
            &self.name,
            &self.description,
            self.planned_start,
            self.planned_finish,
            &self.custom_fields,
        );
        e.into_result()
    }
    fn references(&self) -> Vec<(&'static str, EntityKind, uuid::Uuid)> {
        vec![("portfolio_id", EntityKind::Portfolio, self.portfolio_id.uuid())]
    }
    fn label(&self) -> String {
        format!("{} {}", self.code, self.name)
    }
}

/// A project: the unit of delivery that reports status, holds milestones and a RAID log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ProjectFields {
    /// The portfolio it belongs to.
    #[cfg_attr(feature = "openapi", schema(value_type = uuid::Uuid))]
    pub portfolio_id: PortfolioId,
    /// The programme it belongs to, if any (must be in the same portfolio).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<uuid::Uuid>))]
    pub programme_id: Option<ProgrammeId>,
    /// Short unique code, e.g. `PRJ-042`.
    pub code: Code,
    /// Name.
    pub name: String,
    /// Scope and purpose.
    #[serde(default)]
    pub description: String,
    /// Project sponsor.
    #[serde(default)]
    pub sponsor: String,
    /// Project manager.
    #[serde(default)]
    pub manager: String,
    /// Life-cycle stage.
    pub stage: LifecycleStage,
    /// Governance tier.
    pub tier: GovernanceTier,
    /// State.
    pub state: WorkState,
    /// Planned start.
    #[serde(default)]
    pub planned_start: Option<NaiveDate>,
    /// Planned finish.
    #[serde(default)]
    pub planned_finish: Option<NaiveDate>,
    /// Approved budget.
    #[serde(default)]
    pub budget: Option<Money>,
    /// Actual cost to date; for a closed project, its outturn cost. Closed projects that record
    /// it (and a budget) teach the delivery-risk model what a budget overrun looks like.
    #[serde(default)]
    pub actual_cost: Option<Money>,
    /// User-defined fields.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub custom_fields: CustomFields,
}

impl ProjectFields {
    /// Actual cost over budget minus 1 (0.15 = 15% over budget), when both are recorded in the
    /// same currency and the budget is positive.
    pub fn cost_overrun(&self) -> Option<f64> {
        match (self.budget, self.actual_cost) {
            (Some(b), Some(a)) if b.currency == a.currency && b.amount > 0 => {
                Some(a.amount as f64 / b.amount as f64 - 1.0)
            }
            _ => None,
        }
    }
}

impl Fields for ProjectFields {
    const KIND: EntityKind = EntityKind::Project;
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::new();
        check_governed(
            &mut e,
            &self.name,
            &self.description,
            self.planned_start,
            self.planned_finish,
            &self.custom_fields,
        );
        if let Some(a) = self.actual_cost {
            if a.amount < 0 {
                e.add("actual_cost", "must not be negative");
            }
            if let Some(b) = self.budget
                && b.currency != a.currency
            {
                e.add("actual_cost", format!("must be in the budget's currency ({})", b.currency));
            }
        }
        e.into_result()
    }
    fn references(&self) -> Vec<(&'static str, EntityKind, uuid::Uuid)> {
        let mut r = vec![("portfolio_id", EntityKind::Portfolio, self.portfolio_id.uuid())];
        r.extend(self.programme_id.map(|p| ("programme_id", EntityKind::Programme, p.uuid())));
        r
    }
    fn label(&self) -> String {
        format!("{} {}", self.code, self.name)
    }
}

/// A project's status for one reporting period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct StatusReportFields {
    /// The project reported on.
    #[cfg_attr(feature = "openapi", schema(value_type = uuid::Uuid))]
    pub project_id: ProjectId,
    /// Last day of the reporting period (one report per project and period).
    pub period_end: NaiveDate,
    /// Overall RAG, the project manager's judgement.
    pub overall: Rag,
    /// Schedule RAG.
    pub schedule: Rag,
    /// Cost RAG.
    pub cost: Rag,
    /// Scope RAG.
    pub scope: Rag,
    /// Risk RAG.
    pub risk: Rag,
    /// Resources RAG.
    pub resources: Rag,
    /// Benefits RAG.
    pub benefits: Rag,
    /// One-paragraph summary.
    pub summary: String,
    /// What was achieved this period.
    #[serde(default)]
    pub achievements: String,
    /// What happens next period.
    #[serde(default)]
    pub next_steps: String,
    /// Decisions the project needs from its sponsor or board.
    #[serde(default)]
    pub decisions_needed: String,
    /// Who submitted it.
    #[serde(default)]
    pub submitted_by: String,
}

impl StatusReportFields {
    /// The six dimension RAGs, with their names.
    pub fn dimensions(&self) -> [(&'static str, Rag); 6] {
        [
            ("schedule", self.schedule),
            ("cost", self.cost),
            ("scope", self.scope),
            ("risk", self.risk),
            ("resources", self.resources),
            ("benefits", self.benefits),
        ]
    }
}

impl Fields for StatusReportFields {
    const KIND: EntityKind = EntityKind::StatusReport;
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::new();
        check_text(&mut e, "summary", &self.summary, 10_000, true);
        for (f, v) in [
            ("achievements", &self.achievements),
            ("next_steps", &self.next_steps),
            ("decisions_needed", &self.decisions_needed),
        ] {
            check_text(&mut e, f, v, 10_000, false);
        }
        e.into_result()
    }
    fn project_id(&self) -> Option<ProjectId> {
        Some(self.project_id)
    }
    fn references(&self) -> Vec<(&'static str, EntityKind, uuid::Uuid)> {
        vec![("project_id", EntityKind::Project, self.project_id.uuid())]
    }
    fn label(&self) -> String {
        format!("Status for period ending {}", self.period_end)
    }
}

/// A milestone with its baseline, forecast and actual dates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MilestoneFields {
    /// The project.
    #[cfg_attr(feature = "openapi", schema(value_type = uuid::Uuid))]
    pub project_id: ProjectId,
    /// Name.
    pub name: String,
    /// What "done" means.
    #[serde(default)]
    pub description: String,
    /// Owner.
    #[serde(default)]
    pub owner: String,
    /// Baseline (approved) date.
    #[serde(default)]
    pub baseline: Option<NaiveDate>,
    /// Current forecast date.
    #[serde(default)]
    pub forecast: Option<NaiveDate>,
    /// Actual date, once achieved.
    #[serde(default)]
    pub actual: Option<NaiveDate>,
}

impl MilestoneFields {
    /// The date the milestone is expected on: actual, else forecast, else baseline.
    pub fn expected(&self) -> Option<NaiveDate> {
        self.actual.or(self.forecast).or(self.baseline)
    }
    /// Slip of the forecast (or actual) against the baseline, in calendar days.
    pub fn slip_days(&self) -> Option<i64> {
        Some((self.actual.or(self.forecast)? - self.baseline?).num_days())
    }
}

impl Fields for MilestoneFields {
    const KIND: EntityKind = EntityKind::Milestone;
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::new();
        check_text(&mut e, "name", &self.name, 200, true);
        if self.baseline.is_none() && self.forecast.is_none() && self.actual.is_none() {
            e.add("forecast", "a milestone needs at least one date: baseline, forecast or actual");
        }
        e.into_result()
    }
    fn project_id(&self) -> Option<ProjectId> {
        Some(self.project_id)
    }
    fn references(&self) -> Vec<(&'static str, EntityKind, uuid::Uuid)> {
        vec![("project_id", EntityKind::Project, self.project_id.uuid())]
    }
    fn label(&self) -> String {
        self.name.clone()
    }
}

/// A risk: something that may happen and would affect the objectives.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RiskFields {
    /// The project.
    #[cfg_attr(feature = "openapi", schema(value_type = uuid::Uuid))]
    pub project_id: ProjectId,
    /// Short statement ("If ... then ...").
    pub title: String,
    /// Cause, event and effect.
    #[serde(default)]
    pub description: String,
    /// Category (e.g. technical, commercial, people).
    #[serde(default)]
    pub category: String,
    /// Probability 1 (rare) to 5 (almost certain).
    #[cfg_attr(feature = "openapi", schema(value_type = i64, minimum = 1, maximum = 5))]
    pub probability: Rating,
    /// Impact 1 (minimal) to 5 (severe).
    #[cfg_attr(feature = "openapi", schema(value_type = i64, minimum = 1, maximum = 5))]
    pub impact: Rating,
    /// Owner.
    #[serde(default)]
    pub owner: String,
    /// Response strategy.
    pub response: RiskResponse,
    /// The response plan.
    #[serde(default)]
    pub response_plan: String,
    /// When the risk could happen from.
    #[serde(default)]
    pub proximity: Option<NaiveDate>,
    /// State.
    pub state: RiskState,
    /// Probability in percent, when it is known more precisely than the 1-5 rating. Exposure and the
    /// Monte Carlo use it; without it they use the percentage the probability-impact matrix gives
    /// the rating.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 100))]
    pub probability_pct: Option<u8>,
    /// What it would cost if it happened.
    #[serde(default)]
    pub cost_impact: Option<Money>,
    /// Working days it would add to the linked schedule tasks if it happened (the Monte Carlo
    /// samples between half and one and a half times this, most likely this).
    #[serde(default)]
    pub schedule_impact_days: Option<u32>,
    /// The schedule tasks it would delay, by task ID (the schedule file's unique ID or code) or exact name.
    #[serde(default)]
    pub tasks: Vec<String>,
}

impl RiskFields {
    /// Probability × impact, 1 to 25.
    pub fn score(&self) -> u8 {
        self.probability.get() * self.impact.get()
    }
    /// The RAG band of the score: 15+ red, 8+ amber (the same thresholds as [`ScoreBand`]).
    pub fn band(&self) -> Rag {
        match ScoreBand::of(self.score()) {
            ScoreBand::High => Rag::Red,
            ScoreBand::Medium => Rag::Amber,
            ScoreBand::Low => Rag::Green,
        }
    }
}

crate::values::vocabulary! {
    /// A band of risk scores (probability × impact) for registers and their filters. The
    /// thresholds are the risk's RAG band's: low 1–7, medium 8–14 (8, 9, 10 and 12 occur),
    /// high 15–25.
    ScoreBand {
        /// 1 to 7.
        Low => ("low", "Low (1–7)"),
        /// 8 to 14.
        Medium => ("medium", "Medium (8–14)"),
        /// 15 to 25.
        High => ("high", "High (15–25)"),
    }
}

impl ScoreBand {
    /// The lowest and highest score of the band, inclusive.
    pub const fn range(self) -> (u8, u8) {
        match self {
            ScoreBand::Low => (1, 7),
            ScoreBand::Medium => (8, 14),
            ScoreBand::High => (15, 25),
        }
    }
    /// The band a score falls in.
    pub const fn of(score: u8) -> Self {
        match score {
            15.. => ScoreBand::High,
            8.. => ScoreBand::Medium,
            _ => ScoreBand::Low,
        }
    }
}

impl Fields for RiskFields {
    const KIND: EntityKind = EntityKind::Risk;
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::new();
        check_text(&mut e, "title", &self.title, 300, true);
        check_text(&mut e, "description", &self.description, 20_000, false);
        if self.probability_pct.is_some_and(|p| p > 100) {
            e.add("probability_pct", "expected a percentage from 0 to 100");
        }
        if self.cost_impact.is_some_and(|m| m.amount < 0) {
            e.add("cost_impact", "expected a cost of zero or more");
        }
        if self.schedule_impact_days.is_some_and(|d| d > 3650) {
            e.add("schedule_impact_days", "expected at most 3,650 working days");
        }
        if self.tasks.len() > 1000 {
            e.add("tasks", "expected at most 1,000 linked tasks");
        }
        for t in &self.tasks {
            check_text(&mut e, "tasks", t, 300, true);
        }
        e.into_result()
    }
    fn project_id(&self) -> Option<ProjectId> {
        Some(self.project_id)
    }
    fn references(&self) -> Vec<(&'static str, EntityKind, uuid::Uuid)> {
        vec![("project_id", EntityKind::Project, self.project_id.uuid())]
    }
    fn label(&self) -> String {
        self.title.clone()
    }
}

/// An issue: something that has happened and needs resolving.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct IssueFields {
    /// The project.
    #[cfg_attr(feature = "openapi", schema(value_type = uuid::Uuid))]
    pub project_id: ProjectId,
    /// Short statement.
    pub title: String,
    /// Detail and impact.
    #[serde(default)]
    pub description: String,
    /// Priority.
    pub priority: Priority,
    /// Owner.
    #[serde(default)]
    pub owner: String,
    /// When it was raised.
    pub raised_on: NaiveDate,
    /// When it must be resolved by.
    #[serde(default)]
    pub due: Option<NaiveDate>,
    /// State.
    pub state: IssueState,
    /// How it was resolved.
    #[serde(default)]
    pub resolution: String,
}

impl Fields for IssueFields {
    const KIND: EntityKind = EntityKind::Issue;
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::new();
        check_text(&mut e, "title", &self.title, 300, true);
        check_order(&mut e, Some(self.raised_on), self.due, "raised_on", "due");
        if self.state == IssueState::Resolved && self.resolution.trim().is_empty() {
            e.add("resolution", "is required when the issue is resolved");
        }
        e.into_result()
    }
    fn project_id(&self) -> Option<ProjectId> {
        Some(self.project_id)
    }
    fn references(&self) -> Vec<(&'static str, EntityKind, uuid::Uuid)> {
        vec![("project_id", EntityKind::Project, self.project_id.uuid())]
    }
    fn label(&self) -> String {
        self.title.clone()
    }
}

/// An assumption the plan rests on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AssumptionFields {
    /// The project.
    #[cfg_attr(feature = "openapi", schema(value_type = uuid::Uuid))]
    pub project_id: ProjectId,
    /// The assumption.
    pub title: String,
    /// Why it matters.
    #[serde(default)]
    pub description: String,
    /// Who checks it.
    #[serde(default)]
    pub owner: String,
    /// When it must be checked by.
    #[serde(default)]
    pub validate_by: Option<NaiveDate>,
    /// State.
    pub state: AssumptionState,
}

impl Fields for AssumptionFields {
    const KIND: EntityKind = EntityKind::Assumption;
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::new();
        check_text(&mut e, "title", &self.title, 300, true);
        e.into_result()
    }
    fn project_id(&self) -> Option<ProjectId> {
        Some(self.project_id)
    }
    fn references(&self) -> Vec<(&'static str, EntityKind, uuid::Uuid)> {
        vec![("project_id", EntityKind::Project, self.project_id.uuid())]
    }
    fn label(&self) -> String {
        self.title.clone()
    }
}

/// A dependency: one project (or milestone) needs something another delivers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DependencyFields {
    /// The project that depends (the record is shown in its RAID log).
    #[cfg_attr(feature = "openapi", schema(value_type = uuid::Uuid))]
    pub project_id: ProjectId,
    /// The milestone of the dependent project that needs it, if any.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<uuid::Uuid>))]
    pub milestone_id: Option<MilestoneId>,
    /// The project that delivers.
    #[cfg_attr(feature = "openapi", schema(value_type = uuid::Uuid))]
    pub supplier_project_id: ProjectId,
    /// The supplier's milestone that delivers it, if any.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<uuid::Uuid>))]
    pub supplier_milestone_id: Option<MilestoneId>,
    /// What is needed.
    pub title: String,
    /// Detail.
    #[serde(default)]
    pub description: String,
    /// Owner.
    #[serde(default)]
    pub owner: String,
    /// When it is needed by.
    #[serde(default)]
    pub needed_by: Option<NaiveDate>,
    /// State.
    pub state: DependencyState,
}

impl Fields for DependencyFields {
    const KIND: EntityKind = EntityKind::Dependency;
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::new();
        check_text(&mut e, "title", &self.title, 300, true);
        if self.project_id == self.supplier_project_id && self.milestone_id.is_none() {
            e.add(
                "supplier_project_id",
                "a project cannot depend on itself: expected another project, or name the milestones",
            );
        }
        e.into_result()
    }
    fn project_id(&self) -> Option<ProjectId> {
        Some(self.project_id)
    }
    fn references(&self) -> Vec<(&'static str, EntityKind, uuid::Uuid)> {
        let mut r = vec![
            ("project_id", EntityKind::Project, self.project_id.uuid()),
            ("supplier_project_id", EntityKind::Project, self.supplier_project_id.uuid()),
        ];
        r.extend(self.milestone_id.map(|m| ("milestone_id", EntityKind::Milestone, m.uuid())));
        r.extend(self.supplier_milestone_id.map(|m| ("supplier_milestone_id", EntityKind::Milestone, m.uuid())));
        r
    }
    fn label(&self) -> String {
        self.title.clone()
    }
}

/// A reference from one record to another (used by decisions).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RecordRef {
    /// The kind of record.
    pub kind: EntityKind,
    /// Its ID.
    pub id: uuid::Uuid,
}

/// An entry in the decision log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DecisionFields {
    /// The project, or none for a portfolio-level decision.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<uuid::Uuid>))]
    pub project_id: Option<ProjectId>,
    /// What is being decided.
    pub title: String,
    /// Why a decision is needed.
    #[serde(default)]
    pub context: String,
    /// The options considered.
    #[serde(default)]
    pub options: Vec<String>,
    /// The decision taken.
    #[serde(default)]
    pub decision: String,
    /// Who decided (person or board).
    #[serde(default)]
    pub decided_by: String,
    /// When it was decided.
    #[serde(default)]
    pub decided_on: Option<NaiveDate>,
    /// State.
    pub state: DecisionState,
    /// Records the decision concerns (risks, issues, milestones...).
    #[serde(default)]
    pub links: Vec<RecordRef>,
}

impl Fields for DecisionFields {
    const KIND: EntityKind = EntityKind::Decision;
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::new();
        check_text(&mut e, "title", &self.title, 300, true);
        if self.state == DecisionState::Decided {
            if self.decision.trim().is_empty() {
                e.add("decision", "is required once the state is decided");
            }
            if self.decided_on.is_none() {
                e.add("decided_on", "is required once the state is decided");
            }
        }
        // A decision filled in with its date but left Pending would be saved as not yet taken:
        // ask, rather than keep it as pending silently.
        if self.state == DecisionState::Pending && self.decided_on.is_some() {
            e.add("state", "is Pending but the decision has a date: choose Decided, or clear Decided on");
        }
        for (i, o) in self.options.iter().enumerate() {
            check_text(&mut e, &format!("options[{i}]"), o, 2_000, true);
        }
        e.into_result()
    }
    fn project_id(&self) -> Option<ProjectId> {
        self.project_id
    }
    fn references(&self) -> Vec<(&'static str, EntityKind, uuid::Uuid)> {
        let mut r: Vec<_> =
            self.project_id.map(|p| ("project_id", EntityKind::Project, p.uuid())).into_iter().collect();
        r.extend(self.links.iter().map(|l| ("links", l.kind, l.id)));
        r
    }
    fn label(&self) -> String {
        self.title.clone()
    }
}

/// A portfolio's ID.
pub type PortfolioId = Id<PortfolioFields>;
/// A programme's ID.
pub type ProgrammeId = Id<ProgrammeFields>;
/// A project's ID.
pub type ProjectId = Id<ProjectFields>;
/// A status report's ID.
pub type StatusReportId = Id<StatusReportFields>;
/// A milestone's ID.
pub type MilestoneId = Id<MilestoneFields>;
/// A risk's ID.
pub type RiskId = Id<RiskFields>;
/// An issue's ID.
pub type IssueId = Id<IssueFields>;
/// An assumption's ID.
pub type AssumptionId = Id<AssumptionFields>;
/// A dependency's ID.
pub type DependencyId = Id<DependencyFields>;
/// A decision's ID.
pub type DecisionId = Id<DecisionFields>;

/// A stored portfolio.
pub type Portfolio = Record<PortfolioFields>;
/// A stored programme.
pub type Programme = Record<ProgrammeFields>;
/// A stored project.
pub type Project = Record<ProjectFields>;
/// A stored status report.
pub type StatusReport = Record<StatusReportFields>;
/// A stored milestone.
pub type Milestone = Record<MilestoneFields>;
/// A stored risk.
pub type Risk = Record<RiskFields>;
/// A stored issue.
pub type Issue = Record<IssueFields>;
/// A stored assumption.
pub type Assumption = Record<AssumptionFields>;
/// A stored dependency.
pub type Dependency = Record<DependencyFields>;
/// A stored decision.
pub type Decision = Record<DecisionFields>;

#[cfg(test)]
mod tests {
    use super::*;

    fn decision(state: DecisionState, decided_on: Option<NaiveDate>) -> DecisionFields {
        DecisionFields {
            project_id: None,
            title: "Build or buy the reporting component".into(),
            context: String::new(),
            options: vec![],
            decision: "Buy".into(),
            decided_by: "Board".into(),
            decided_on,
            state,
            links: vec![],
        }
    }

    #[test]
    fn a_dated_decision_left_pending_is_refused_on_its_state() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 7);
        let e = decision(DecisionState::Pending, day).validate().expect_err("pending with a date");
        assert!(format!("{e:?}").contains("state"), "{e:?}");
        assert!(decision(DecisionState::Decided, day).validate().is_ok());
        assert!(decision(DecisionState::Pending, None).validate().is_ok());
    }
}
