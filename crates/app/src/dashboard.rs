//! The portfolio dashboard and the project page: records plus the engine's health assessment.

use std::collections::HashMap;

use chrono::{Datelike, Duration, NaiveDate};
use keel_domain::*;
use keel_engine::{HealthInput, MilestoneInput, ProjectHealth, assess, roll_up, suggest_overall};
use keel_store::{AuditFilter, Value};

use crate::{Actor, App, AppError};

/// Which projects the dashboard shows.
#[derive(Debug, Clone, Default)]
pub struct DashboardFilter {
    /// Only this portfolio.
    pub portfolio: Option<PortfolioId>,
    /// Only this programme.
    pub programme: Option<ProgrammeId>,
    /// Only projects whose latest RAG is this.
    pub rag: Option<Rag>,
    /// Only this project manager.
    pub manager: Option<String>,
    /// Only this state (default: everything but closed and cancelled).
    pub state: Option<WorkState>,
    /// Name or code contains.
    pub q: Option<String>,
    /// Row order (default: most urgent first), and whether reversed.
    pub sort: DashboardSort,
    /// Reverse the order.
    pub descending: bool,
}

/// An order of the dashboard's rows (a column a person clicks). Ties keep the urgency order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum DashboardSort {
    /// Most urgent first (the engine's attention score), then by code.
    #[default]
    Attention,
    /// RAG: not reported, green, amber, red.
    Rag,
    /// Project code.
    Project,
    /// Portfolio code, then programme name.
    Portfolio,
    /// Project manager.
    Manager,
    /// Lifecycle stage, in life-cycle order.
    Stage,
    /// Trend: improving, stable, new, worsening.
    Trend,
    /// Next milestone's name.
    NextMilestone,
    /// Next milestone's date (none last).
    Due,
    /// Budget amount.
    Budget,
    /// Number of exceptions.
    Exceptions,
}

impl DashboardSort {
    /// Every order, with its wire name.
    pub const ALL: [(DashboardSort, &'static str); 11] = [
        (DashboardSort::Attention, "attention"),
        (DashboardSort::Rag, "rag"),
        (DashboardSort::Project, "project"),
        (DashboardSort::Portfolio, "portfolio"),
        (DashboardSort::Manager, "manager"),
        (DashboardSort::Stage, "stage"),
        (DashboardSort::Trend, "trend"),
        (DashboardSort::NextMilestone, "next_milestone"),
        (DashboardSort::Due, "due"),
        (DashboardSort::Budget, "budget"),
        (DashboardSort::Exceptions, "exceptions"),
    ];
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        Self::ALL.iter().find(|(s, _)| *s == self).map_or("attention", |(_, n)| n)
    }
}

impl std::str::FromStr for DashboardSort {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Self::ALL.iter().find(|(_, n)| *n == s).map(|(v, _)| *v).ok_or_else(|| {
            format!("`{s}` is not one of: {}", Self::ALL.iter().map(|(_, n)| *n).collect::<Vec<_>>().join(", "))
        })
    }
}

/// Better first: improving, stable, new, worsening.
fn trend_rank(t: keel_engine::Trend) -> u8 {
    match t {
        keel_engine::Trend::Improving => 0,
        keel_engine::Trend::Stable => 1,
        keel_engine::Trend::New => 2,
        keel_engine::Trend::Deteriorating => 3,
    }
}

/// Orders rows by `sort` (ascending unless `descending`); equal rows keep the urgency order.
pub fn sort_rows(rows: &mut [ProjectRow], sort: DashboardSort, descending: bool) {
    use std::cmp::Ordering;
    rows.sort_by(|a, b| {
        b.health.attention.cmp(&a.health.attention).then_with(|| a.project.fields.code.cmp(&b.project.fields.code))
    });
    let key = |a: &ProjectRow, b: &ProjectRow| -> Ordering {
        let (x, y) = (&a.project.fields, &b.project.fields);
        match sort {
            DashboardSort::Attention => Ordering::Equal,
            DashboardSort::Rag => a.health.rag.map(Rag::severity).cmp(&b.health.rag.map(Rag::severity)),
            DashboardSort::Project => x.code.as_str().cmp(y.code.as_str()),
            DashboardSort::Portfolio => (&a.portfolio_code, &a.programme).cmp(&(&b.portfolio_code, &b.programme)),
            DashboardSort::Manager => x.manager.to_lowercase().cmp(&y.manager.to_lowercase()),
            DashboardSort::Stage => x.stage.cmp(&y.stage),
            DashboardSort::Trend => trend_rank(a.health.trend).cmp(&trend_rank(b.health.trend)),
            DashboardSort::NextMilestone => {
                a.health.next_milestone.as_ref().map(|m| &m.0).cmp(&b.health.next_milestone.as_ref().map(|m| &m.0))
            }
            DashboardSort::Due => {
                let d = |r: &ProjectRow| r.health.next_milestone.as_ref().map_or(NaiveDate::MAX, |m| m.1);
                d(a).cmp(&d(b))
            }
            DashboardSort::Budget => x.budget.map(|m| m.amount).cmp(&y.budget.map(|m| m.amount)),
            DashboardSort::Exceptions => a.health.exceptions.len().cmp(&b.health.exceptions.len()),
        }
    };
    if descending {
        rows.sort_by(|a, b| key(b, a));
    } else {
        rows.sort_by(key);
    }
}

/// One project's line on the dashboard.
#[derive(Debug, Clone)]
pub struct ProjectRow {
    /// The project.
    pub project: Project,
    /// Portfolio code.
    pub portfolio_code: String,
    /// Programme name, if any.
    pub programme: Option<String>,
    /// Health from the engine.
    pub health: ProjectHealth,
    /// Overall RAG of the last reports, oldest first (sparkline).
    pub recent: Vec<Rag>,
}

/// Number of projects per RAG at one period end.
#[derive(Debug, Clone, PartialEq)]
pub struct PortfolioTrendPoint {
    /// Friday ending the week.
    pub week_end: NaiveDate,
    /// Green count.
    pub green: usize,
    /// Amber count.
    pub amber: usize,
    /// Red count.
    pub red: usize,
}

/// A portfolio's or programme's RAG rolled up from its projects (engine rule `roll_up`).
#[derive(Debug, Clone, PartialEq)]
pub struct RollUp {
    /// Portfolio or programme label.
    pub label: String,
    /// `portfolio` or `programme`.
    pub level: &'static str,
    /// Rolled-up RAG, none if no project has reported.
    pub rag: Option<Rag>,
    /// Projects counted (reported ones).
    pub reported: usize,
    /// Projects shown.
    pub projects: usize,
}

/// The portfolio dashboard.
#[derive(Debug, Clone)]
pub struct Dashboard {
    /// RAG roll-ups per portfolio and programme over the shown projects.
    pub rollups: Vec<RollUp>,
    /// Projects, exceptions first.
    pub rows: Vec<ProjectRow>,
    /// RAG distribution of the rows: green, amber, red, not reported.
    pub distribution: [usize; 4],
    /// Weekly RAG counts over the last 13 weeks.
    pub trend: Vec<PortfolioTrendPoint>,
    /// Sum of the rows' budgets in the organisation's currency (other currencies are skipped).
    pub total_budget: Option<Money>,
    /// Portfolios (for filters).
    pub portfolios: Vec<Portfolio>,
    /// Programmes (for filters).
    pub programmes: Vec<Programme>,
    /// Distinct project managers (for filters).
    pub managers: Vec<String>,
    /// The date the dashboard was computed for.
    pub today: NaiveDate,
}

/// Everything the project page shows.
#[derive(Debug, Clone)]
pub struct ProjectOverview {
    /// The project.
    pub project: Project,
    /// Its portfolio.
    pub portfolio: Option<Portfolio>,
    /// Its programme.
    pub programme: Option<Programme>,
    /// Health from the engine.
    pub health: ProjectHealth,
    /// Status reports, newest first.
    pub reports: Vec<StatusReport>,
    /// Milestones by date.
    pub milestones: Vec<Milestone>,
    /// Risks, highest score first.
    pub risks: Vec<Risk>,
    /// Issues.
    pub issues: Vec<Issue>,
    /// Assumptions.
    pub assumptions: Vec<Assumption>,
    /// Dependencies where this project depends on another.
    pub dependencies: Vec<Dependency>,
    /// Dependencies where another project depends on this one.
    pub dependants: Vec<Dependency>,
    /// Decisions.
    pub decisions: Vec<Decision>,
    /// Audit trail of the project and its records, newest first.
    pub audit: Vec<AuditEntry>,
    /// Names of other projects by ID (for dependency labels).
    pub project_names: HashMap<ProjectId, String>,
}

impl App {
    /// The portfolio dashboard as of `today`.
    pub async fn dashboard(
        &self,
        actor: &Actor,
        filter: &DashboardFilter,
        today: NaiveDate,
    ) -> Result<Dashboard, AppError> {
        actor.require(Action::Read)?;
        let mut tx = self.store.read().await?;
        let org = actor.org_id;
        let portfolios = tx.all::<PortfolioFields>(org).await?;
        let programmes = tx.all::<ProgrammeFields>(org).await?;
        let projects = tx.all::<ProjectFields>(org).await?;
        let since = today - Duration::weeks(13);
        let history = tx.rag_history(org, since).await?;
        let milestones = tx.open_milestones(org).await?;
        let risks: HashMap<ProjectId, i64> =
            tx.open_risk_counts(org, self.config.high_risk_score).await?.into_iter().collect();
        drop(tx);

        let currency = Some(self.organisation(actor).await?.currency);
        let mut by_project: HashMap<ProjectId, Vec<&keel_store::RagPoint>> = HashMap::new();
        for p in &history {
            by_project.entry(p.project_id).or_default().push(p);
        }
        let mut ms_by_project: HashMap<ProjectId, Vec<MilestoneInput>> = HashMap::new();
        for m in milestones {
            ms_by_project.entry(m.project_id).or_default().push(MilestoneInput {
                name: m.name,
                baseline: m.baseline,
                forecast: m.forecast,
                actual: None,
            });
        }
        let pf_code: HashMap<PortfolioId, &str> = portfolios.iter().map(|p| (p.id, p.fields.code.as_str())).collect();
        let prog_name: HashMap<ProgrammeId, &str> = programmes.iter().map(|p| (p.id, p.fields.name.as_str())).collect();
        let mut managers: Vec<String> =
            projects.iter().map(|p| p.fields.manager.clone()).filter(|m| !m.is_empty()).collect();
        managers.sort();
        managers.dedup();

        let q = filter.q.as_deref().map(str::to_lowercase).filter(|q| !q.is_empty());
        let mut rows = Vec::new();
        for p in projects {
            let f = &p.fields;
            let state_ok = match filter.state {
                Some(s) => f.state == s,
                None => !matches!(f.state, WorkState::Closed | WorkState::Cancelled),
            };
            if !state_ok
                || filter.portfolio.is_some_and(|x| x != f.portfolio_id)
                || filter.programme.is_some_and(|x| Some(x) != f.programme_id)
                || filter.manager.as_deref().is_some_and(|m| !m.is_empty() && m != f.manager)
                || q.as_deref()
                    .is_some_and(|q| !f.name.to_lowercase().contains(q) && !f.code.as_str().to_lowercase().contains(q))
            {
                continue;
            }
            let points = by_project.get(&p.id).map(Vec::as_slice).unwrap_or_default();
            let optimistic =
                points.last().is_some_and(|l| l.overall.severity() < suggest_overall(&l.dimensions).severity());
            let health = assess(&HealthInput {
                state: f.state,
                history: points.iter().map(|r| (r.period_end, r.overall)).collect(),
                milestones: ms_by_project.remove(&p.id).unwrap_or_default(),
                open_high_risks: risks.get(&p.id).copied().unwrap_or(0) as usize,
                optimistic_overall: optimistic,
                today,
                stale_after_days: self.config.stale_after_days,
            });
            if filter.rag.is_some() && filter.rag != health.rag {
                continue;
            }
            let recent = points.iter().rev().take(13).rev().map(|r| r.overall).collect();
            rows.push(ProjectRow {
                portfolio_code: pf_code.get(&f.portfolio_id).copied().unwrap_or("?").to_owned(),
                programme: f.programme_id.and_then(|id| prog_name.get(&id)).map(|s| (*s).to_owned()),
                health,
                recent,
                project: p,
            });
        }
        sort_rows(&mut rows, filter.sort, filter.descending);

        let mut distribution = [0usize; 4];
        for r in &rows {
            distribution[match r.health.rag {
                Some(Rag::Green) => 0,
                Some(Rag::Amber) => 1,
                Some(Rag::Red) => 2,
                None => 3,
            }] += 1;
        }
        let shown: std::collections::HashSet<ProjectId> = rows.iter().map(|r| r.project.id).collect();
        let trend = weekly_trend(&history, &shown, today);
        let total_budget = currency.map(|c| Money {
            amount: rows
                .iter()
                .filter_map(|r| r.project.fields.budget)
                .filter(|b| b.currency == c)
                .map(|b| b.amount)
                .sum(),
            currency: c,
        });
        let mut rollups = Vec::new();
        for pf in &portfolios {
            let rags: Vec<Rag> =
                rows.iter().filter(|r| r.project.fields.portfolio_id == pf.id).filter_map(|r| r.health.rag).collect();
            let n = rows.iter().filter(|r| r.project.fields.portfolio_id == pf.id).count();
            if n > 0 {
                rollups.push(RollUp {
                    label: pf.fields.label(),
                    level: "portfolio",
                    rag: roll_up(&rags),
                    reported: rags.len(),
                    projects: n,
                });
            }
            for pg in programmes.iter().filter(|p| p.fields.portfolio_id == pf.id) {
                let rags: Vec<Rag> = rows
                    .iter()
                    .filter(|r| r.project.fields.programme_id == Some(pg.id))
                    .filter_map(|r| r.health.rag)
                    .collect();
                let n = rows.iter().filter(|r| r.project.fields.programme_id == Some(pg.id)).count();
                if n > 0 {
                    rollups.push(RollUp {
                        label: pg.fields.label(),
                        level: "programme",
                        rag: roll_up(&rags),
                        reported: rags.len(),
                        projects: n,
                    });
                }
            }
        }
        Ok(Dashboard { rollups, rows, distribution, trend, total_budget, portfolios, programmes, managers, today })
    }

    /// The project page's data.
    pub async fn project_overview(
        &self,
        actor: &Actor,
        id: ProjectId,
        today: NaiveDate,
    ) -> Result<ProjectOverview, AppError> {
        actor.require(Action::Read)?;
        let org = actor.org_id;
        let mut tx = self.store.read().await?;
        let project = tx.get::<ProjectFields>(org, id).await?.ok_or(AppError::NotFound)?;
        let portfolio = tx.get::<PortfolioFields>(org, project.fields.portfolio_id).await?;
        let programme = match project.fields.programme_id {
            Some(p) => tx.get::<ProgrammeFields>(org, p).await?,
            None => None,
        };
        let pid = || Value::text(id.to_string());
        let mut reports = tx.all_where::<StatusReportFields>(org, "project_id", pid()).await?;
        reports.reverse();
        let milestones = tx.all_where::<MilestoneFields>(org, "project_id", pid()).await?;
        let mut risks = tx.all_where::<RiskFields>(org, "project_id", pid()).await?;
        risks.sort_by_key(|r| (r.fields.state != RiskState::Open, std::cmp::Reverse(r.fields.score())));
        let issues = tx.all_where::<IssueFields>(org, "project_id", pid()).await?;
        let assumptions = tx.all_where::<AssumptionFields>(org, "project_id", pid()).await?;
        let dependencies = tx.all_where::<DependencyFields>(org, "project_id", pid()).await?;
        let dependants = tx.all_where::<DependencyFields>(org, "supplier_project_id", pid()).await?;
        let decisions = tx.all_where::<DecisionFields>(org, "project_id", pid()).await?;
        let audit =
            tx.audit(org, &AuditFilter { project_id: Some(id.uuid()), limit: 100, ..Default::default() }).await?;
        let mut project_names = HashMap::new();
        for d in dependencies.iter().chain(&dependants) {
            for other in [d.fields.project_id, d.fields.supplier_project_id] {
                if let std::collections::hash_map::Entry::Vacant(e) = project_names.entry(other)
                    && let Some(p) = tx.get::<ProjectFields>(org, other).await?
                {
                    e.insert(p.fields.label());
                }
            }
        }
        drop(tx);
        let history: Vec<(NaiveDate, Rag)> =
            reports.iter().rev().map(|r| (r.fields.period_end, r.fields.overall)).collect();
        let optimistic = reports.first().is_some_and(|r| {
            let d = r.fields.dimensions().map(|(_, v)| v);
            r.fields.overall.severity() < suggest_overall(&d).severity()
        });
        let health = assess(&HealthInput {
            state: project.fields.state,
            history,
            milestones: milestones
                .iter()
                .map(|m| MilestoneInput {
                    name: m.fields.name.clone(),
                    baseline: m.fields.baseline,
                    forecast: m.fields.forecast,
                    actual: m.fields.actual,
                })
                .collect(),
            open_high_risks: risks
                .iter()
                .filter(|r| {
                    r.fields.state == RiskState::Open && i64::from(r.fields.score()) >= self.config.high_risk_score
                })
                .count(),
            optimistic_overall: optimistic,
            today,
            stale_after_days: self.config.stale_after_days,
        });
        Ok(ProjectOverview {
            project,
            portfolio,
            programme,
            health,
            reports,
            milestones,
            risks,
            issues,
            assumptions,
            dependencies,
            dependants,
            decisions,
            audit,
            project_names,
        })
    }

    /// Audit entries of the organisation (API), newest first.
    pub async fn audit_log(&self, actor: &Actor, filter: &AuditFilter) -> Result<Vec<AuditEntry>, AppError> {
        actor.require(Action::Read)?;
        Ok(self.store.read().await?.audit(actor.org_id, filter).await?)
    }
}

/// RAG counts per week for the shown projects: each project counts with its latest report as of
/// that week's Friday (if that report is no older than four weeks).
fn weekly_trend(
    history: &[keel_store::RagPoint],
    shown: &std::collections::HashSet<ProjectId>,
    today: NaiveDate,
) -> Vec<PortfolioTrendPoint> {
    let days_since_friday = (today.weekday().num_days_from_monday() as i64 + 7 - 4) % 7;
    let last_friday = today - Duration::days(days_since_friday);
    let mut by_project: HashMap<ProjectId, Vec<&keel_store::RagPoint>> = HashMap::new();
    for p in history.iter().filter(|p| shown.contains(&p.project_id)) {
        by_project.entry(p.project_id).or_default().push(p);
    }
    (0..13)
        .rev()
        .map(|w| {
            let week_end = last_friday - Duration::weeks(w);
            let mut point = PortfolioTrendPoint { week_end, green: 0, amber: 0, red: 0 };
            for points in by_project.values() {
                let latest = points
                    .iter()
                    .rev()
                    .find(|p| p.period_end <= week_end && p.period_end > week_end - Duration::weeks(4));
                match latest.map(|p| p.overall) {
                    Some(Rag::Green) => point.green += 1,
                    Some(Rag::Amber) => point.amber += 1,
                    Some(Rag::Red) => point.red += 1,
                    None => {}
                }
            }
            point
        })
        .collect()
}
