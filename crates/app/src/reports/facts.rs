//! Gathering the facts a report is written from: records, status history, forecast runs and
//! schedule versions of the projects in scope, as of a reporting date.

use std::collections::HashMap;

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, Weekday};
use keel_domain::Fields as _;
use keel_domain::{
    AuditAction, DecisionFields, IssueFields, MilestoneFields, PortfolioFields, ProgrammeFields, ProjectFields,
    ProjectId, Rag, Record, RiskFields, StatusReportFields,
};
use keel_engine::report::{
    DecisionFacts, EvmFacts, ForecastFacts, IssueFacts, MilestoneFacts, PortfolioFacts, PredictionFacts, ProjectFacts,
    RagTrendPoint, ReportedStatus, RiskFacts, SCurvePoint, ScopeFacts, ScopeKind, TaskSlip,
};
use keel_store::AuditFilter;

use super::ReportScope;
use crate::{Actor, App, AppError, ForecastRun, ForecastRunInfo};

/// Projects whose full forecast run (EVM curve, critical slips) is read; beyond this, portfolio
/// reports use the runs' summaries only, so a 5,000-project report stays fast.
const FULL_RUNS: usize = 200;

/// Minor units to major units.
fn major(minor: i64) -> f64 {
    minor as f64 / 100.0
}

/// Weekdays from `a` to `b` (negative when `b` is earlier): the working days a date moved.
pub(crate) fn working_days_between(a: NaiveDate, b: NaiveDate) -> i64 {
    let (lo, hi, sign) = if a <= b { (a, b, 1) } else { (b, a, -1) };
    let days = (hi - lo).num_days();
    let weeks = days / 7;
    let mut n = weeks * 5;
    let mut d = lo + Duration::days(weeks * 7);
    while d < hi {
        d += Duration::days(1);
        if !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
            n += 1;
        }
    }
    sign * n
}

fn date_of(t: NaiveDateTime) -> NaiveDate {
    t.date()
}

fn forecast_facts(info: &ForecastRunInfo, run: Option<&ForecastRun>) -> ForecastFacts {
    let s = &info.summary;
    let base = s.baseline.map(date_of);
    ForecastFacts {
        run_id: info.id.to_string(),
        run_at: info.created_at.naive_utc(),
        iterations: u32::try_from(info.iterations).unwrap_or(0),
        p10: run.map_or(date_of(s.p50), |r| date_of(r.montecarlo.finish.p10)),
        p50: date_of(s.p50),
        p80: date_of(s.p80),
        p90: date_of(s.p90),
        probability_on_time: s.p_meet_baseline,
        p80_slip_working_days: base.map(|b| working_days_between(b, date_of(s.p80))),
        p50_slip_working_days: base.map(|b| working_days_between(b, date_of(s.p50))),
        cost_p50: run.and_then(|r| r.montecarlo.cost.as_ref()).map(|c| c.p50 / 100.0),
        cost_p80: s.cost_p80,
        defaulted_tasks: run.map_or(0, |r| r.montecarlo.defaulted_tasks.len()),
        default_range: run.map_or_else(String::new, |r| range_words(&r.settings.default_range)),
        risks_included: run.map_or(0, |r| r.risks.len()),
    }
}

fn range_words(r: &keel_engine::forecast::montecarlo::DefaultRange) -> String {
    use keel_engine::forecast::montecarlo::Distribution as D;
    let shape = match r.distribution {
        D::Triangular => "triangular",
        D::Pert => "PERT",
        D::Uniform => "uniform",
        D::LogNormal => "lognormal",
    };
    format!("{}/{}/{}% {shape}", r.optimistic_pct, r.most_likely_pct, r.pessimistic_pct)
}

fn evm_facts(run: &ForecastRun) -> Option<EvmFacts> {
    let evm = run.evm.as_ref()?;
    let last = evm.periods.last()?;
    let scale = 100.0; // the schedule's costs are in minor units
    let curve = evm
        .periods
        .iter()
        .map(|p| SCurvePoint {
            date: p.status_date.date(),
            pv: p.pv / scale,
            ev: Some(p.ev / scale),
            ac: p.ac.map(|a| a / scale),
        })
        .collect();
    let bac = evm.bac / scale;
    let cpi = last.cpi.filter(|c| c.is_finite() && *c > 0.0);
    let ac = last.ac.map(|a| a / scale);
    Some(EvmFacts {
        status_date: last.status_date.date(),
        bac,
        pv: last.pv / scale,
        ev: last.ev / scale,
        ac,
        spi: last.spi.filter(|v| v.is_finite()),
        cpi,
        spi_t: last.spi_t.filter(|v| v.is_finite()),
        sv_t_days: Some(last.sv_t).filter(|v| v.is_finite()),
        eac: match (ac, cpi) {
            (Some(ac), Some(cpi)) => Some(ac + (bac - last.ev / scale) / cpi),
            _ => None,
        },
        curve,
    })
}

fn prediction_facts(run: &ForecastRunInfo) -> Option<PredictionFacts> {
    let s = &run.summary;
    Some(PredictionFacts {
        probability_late: s.p_late?,
        probability_over_budget: s.p_over_budget,
        factors: s.reasons.clone(),
    })
}

/// What a record looked like at the end of `date`, rebuilt from the audit trail (`None`: it did
/// not exist then). `history` is one entity's entries, oldest first.
fn risk_score_at(history: &[&keel_domain::AuditEntry], date: NaiveDate) -> Option<u8> {
    let mut score = None;
    for e in history.iter().take_while(|e| e.at.date_naive() <= date) {
        score = match e.action {
            AuditAction::Delete => None,
            _ => e
                .after
                .as_deref()
                .and_then(|a| serde_json::from_str::<Record<RiskFields>>(a).ok())
                .map(|r| r.fields.score()),
        };
    }
    score
}

impl App {
    /// The facts of every project in `scope` as of `as_of`.
    pub(crate) async fn portfolio_facts(
        &self,
        actor: &Actor,
        scope: ReportScope,
        as_of: NaiveDate,
        generated_at: NaiveDateTime,
    ) -> Result<PortfolioFacts, AppError> {
        let org = actor.org_id;
        let mut tx = self.store.read().await?;
        let portfolios = tx.all::<PortfolioFields>(org).await?;
        let programmes = tx.all::<ProgrammeFields>(org).await?;
        let projects = tx.all::<ProjectFields>(org).await?;
        let organisation = tx.orgs().await?.into_iter().find(|o| o.id == org).ok_or(AppError::NotFound)?;
        let scope_facts = match scope {
            ReportScope::Organisation => {
                ScopeFacts { kind: ScopeKind::Organisation, id: None, code: String::new(), name: organisation.name }
            }
            ReportScope::Portfolio(id) => {
                let p = portfolios.iter().find(|p| p.id == id).ok_or(AppError::NotFound)?;
                ScopeFacts {
                    kind: ScopeKind::Portfolio,
                    id: Some(id.to_string()),
                    code: p.fields.code.to_string(),
                    name: p.fields.name.clone(),
                }
            }
            ReportScope::Programme(id) => {
                let p = programmes.iter().find(|p| p.id == id).ok_or(AppError::NotFound)?;
                ScopeFacts {
                    kind: ScopeKind::Programme,
                    id: Some(id.to_string()),
                    code: p.fields.code.to_string(),
                    name: p.fields.name.clone(),
                }
            }
            ReportScope::Project(id) => {
                let p = projects.iter().find(|p| p.id == id).ok_or(AppError::NotFound)?;
                ScopeFacts {
                    kind: ScopeKind::Portfolio,
                    id: Some(id.to_string()),
                    code: p.fields.code.to_string(),
                    name: p.fields.name.clone(),
                }
            }
        };
        let in_scope = |p: &Record<ProjectFields>| match scope {
            ReportScope::Organisation => true,
            ReportScope::Portfolio(id) => p.fields.portfolio_id == id,
            ReportScope::Programme(id) => p.fields.programme_id == Some(id),
            ReportScope::Project(id) => p.id == id,
        };
        let single = matches!(scope, ReportScope::Project(_));
        let chosen: Vec<&Record<ProjectFields>> = projects
            .iter()
            .filter(|p| in_scope(p))
            .filter(|p| single || crate::risk_analytics::is_live(p) && p.created_at.date_naive() <= as_of)
            .collect();
        let wanted: std::collections::HashSet<ProjectId> = chosen.iter().map(|p| p.id).collect();
        let statuses = tx.all::<StatusReportFields>(org).await?;
        let milestones = tx.all::<MilestoneFields>(org).await?;
        let risks = tx.all::<RiskFields>(org).await?;
        let issues = tx.all::<IssueFields>(org).await?;
        let decisions = tx.all::<DecisionFields>(org).await?;
        let mut risk_history = Vec::new();
        let mut before = None;
        loop {
            let f = AuditFilter { entity_kind: Some("risk".into()), before, limit: 500, ..Default::default() };
            let page = tx.audit(org, &f).await?;
            let done = page.len() < 500 || risk_history.len() >= 50_000;
            before = page.last().map(|e| e.id.uuid());
            risk_history.extend(page);
            if done {
                break;
            }
        }
        drop(tx);
        risk_history.reverse();
        let mut risk_audit: HashMap<uuid::Uuid, Vec<&keel_domain::AuditEntry>> = HashMap::new();
        for e in &risk_history {
            risk_audit.entry(e.entity_id).or_default().push(e);
        }

        // Status reports at or before the reporting date, per project, oldest first.
        let mut by_project: HashMap<ProjectId, Vec<&Record<StatusReportFields>>> = HashMap::new();
        for s in statuses.iter().filter(|s| s.fields.period_end <= as_of && wanted.contains(&s.fields.project_id)) {
            by_project.entry(s.fields.project_id).or_default().push(s);
        }
        for v in by_project.values_mut() {
            v.sort_by_key(|s| s.fields.period_end);
        }
        // The previous period end: the latest reporting date in scope before this one's week.
        let previous_period_end = by_project
            .values()
            .flat_map(|v| v.iter().map(|s| s.fields.period_end))
            .filter(|d| *d <= as_of - Duration::days(5))
            .max()
            .or_else(|| Some(as_of - Duration::days(7)));
        let prev = previous_period_end.unwrap_or(as_of);

        let latest_runs: HashMap<ProjectId, ForecastRunInfo> =
            self.latest_forecasts(actor).await?.into_iter().filter(|(p, _)| wanted.contains(p)).collect();
        let full = latest_runs.len() <= FULL_RUNS || single;
        let prog_label: HashMap<_, _> = programmes.iter().map(|p| (p.id, p.fields.label())).collect();

        // Each project's records, grouped once (not searched per project: 5,000 projects).
        fn group<F: keel_domain::Fields>(
            records: &[Record<F>],
            key: impl Fn(&F) -> Option<ProjectId>,
        ) -> HashMap<ProjectId, Vec<&Record<F>>> {
            let mut m: HashMap<ProjectId, Vec<&Record<F>>> = HashMap::new();
            for r in records {
                if let Some(p) = key(&r.fields) {
                    m.entry(p).or_default().push(r);
                }
            }
            m
        }
        let milestones_of = group(&milestones, |f| Some(f.project_id));
        let risks_of = group(&risks, |f| Some(f.project_id));
        let issues_of = group(&issues, |f| Some(f.project_id));
        let decisions_of = group(&decisions, |f| f.project_id);

        let mut out = Vec::with_capacity(chosen.len());
        for p in &chosen {
            let f = &p.fields;
            let reports = by_project.get(&p.id).map(Vec::as_slice).unwrap_or_default();
            let status_of = |s: &Record<StatusReportFields>| ReportedStatus {
                id: s.id.to_string(),
                period_end: s.fields.period_end,
                overall: s.fields.overall,
                dimensions: s.fields.dimensions().map(|(_, r)| r),
                summary: s.fields.summary.clone(),
                decisions_needed: s.fields.decisions_needed.clone(),
                submitted_by: s.fields.submitted_by.clone(),
            };
            let status = reports.last().map(|s| status_of(s));
            let previous_status = reports.len().checked_sub(2).and_then(|i| reports.get(i)).map(|s| status_of(s));
            let rag_history: Vec<Rag> = reports.iter().rev().take(13).rev().map(|s| s.fields.overall).collect();

            let latest = latest_runs.get(&p.id);
            let (forecast, previous_forecast, evm, slips) = match latest {
                None => (None, None, None, Vec::new()),
                Some(info) => {
                    let run = if full { self.forecast_run(actor, p.id, Some(info.id)).await.ok() } else { None };
                    let runs = self.forecast_runs(actor, p.id, 50).await?;
                    let previous = runs.iter().find(|r| r.created_at.date_naive() <= prev && r.id != info.id);
                    let slips = match (&run, previous) {
                        (Some(run), Some(prev_info)) if full => {
                            self.critical_slips(actor, p.id, run, prev_info).await.unwrap_or_default()
                        }
                        _ => Vec::new(),
                    };
                    (
                        Some(forecast_facts(info, run.as_ref())),
                        previous.map(|r| forecast_facts(r, None)),
                        run.as_ref().and_then(evm_facts),
                        slips,
                    )
                }
            };
            let baseline_finish = latest.and_then(|i| i.summary.baseline).map(date_of).or(f.planned_finish);
            out.push(ProjectFacts {
                id: p.id.to_string(),
                code: f.code.to_string(),
                name: f.name.clone(),
                manager: f.manager.clone(),
                sponsor: f.sponsor.clone(),
                programme: f.programme_id.and_then(|id| prog_label.get(&id).cloned()),
                tier: f.tier,
                state: f.state,
                stage: f.stage,
                // Known since: a project loaded or imported with its history is not "new".
                created_on: [
                    Some(p.created_at.date_naive()),
                    reports.first().map(|s| s.fields.period_end),
                    f.planned_start,
                ]
                .into_iter()
                .flatten()
                .min()
                .unwrap_or(as_of),
                planned_start: f.planned_start,
                baseline_finish,
                budget: f.budget.map(|b| major(b.amount)),
                currency: f.budget.map_or_else(|| organisation.currency.to_string(), |b| b.currency.to_string()),
                status,
                previous_status,
                rag_history,
                prediction: latest.and_then(prediction_facts),
                forecast,
                previous_forecast,
                evm,
                critical_slips: slips,
                milestones: milestones_of
                    .get(&p.id)
                    .into_iter()
                    .flatten()
                    .map(|m| MilestoneFacts {
                        id: m.id.to_string(),
                        name: m.fields.name.clone(),
                        baseline: m.fields.baseline,
                        forecast: m.fields.forecast,
                        actual: m.fields.actual,
                    })
                    .collect(),
                risks: risks_of
                    .get(&p.id)
                    .into_iter()
                    .flatten()
                    .filter(|r| r.created_at.date_naive() <= as_of)
                    .map(|r| RiskFacts {
                        id: r.id.to_string(),
                        title: r.fields.title.clone(),
                        category: r.fields.category.clone(),
                        owner: r.fields.owner.clone(),
                        probability: r.fields.probability.get(),
                        impact: r.fields.impact.get(),
                        score: r.fields.score(),
                        band: r.fields.band(),
                        state: r.fields.state,
                        schedule_impact_days: r.fields.schedule_impact_days,
                        cost_impact: r.fields.cost_impact.map(|m| major(m.amount)),
                        raised_on: r.created_at.date_naive(),
                        updated_on: r.updated_at.date_naive(),
                        previous_score: risk_audit.get(&r.id.uuid()).and_then(|h| risk_score_at(h, prev)),
                        response_plan: r.fields.response_plan.clone(),
                    })
                    .collect(),
                issues: issues_of
                    .get(&p.id)
                    .into_iter()
                    .flatten()
                    .map(|i| IssueFacts {
                        id: i.id.to_string(),
                        title: i.fields.title.clone(),
                        priority: i.fields.priority,
                        owner: i.fields.owner.clone(),
                        raised_on: i.fields.raised_on,
                        due: i.fields.due,
                        state: i.fields.state,
                        updated_on: i.updated_at.date_naive(),
                    })
                    .collect(),
                decisions: decisions_of
                    .get(&p.id)
                    .into_iter()
                    .flatten()
                    .map(|d| DecisionFacts {
                        id: d.id.to_string(),
                        title: d.fields.title.clone(),
                        context: d.fields.context.clone(),
                        options: d.fields.options.clone(),
                        state: d.fields.state,
                        decided_by: d.fields.decided_by.clone(),
                        decided_on: d.fields.decided_on,
                    })
                    .collect(),
            });
        }

        // The heat map of the scope's open risks.
        let scoped: HashMap<uuid::Uuid, &Record<ProjectFields>> = chosen.iter().map(|p| (p.id.uuid(), *p)).collect();
        let inputs: Vec<_> = risks.iter().filter_map(|r| crate::risk_analytics::input(r, &scoped)).collect();
        let heat_map = keel_engine::risk::heat_map(&inputs, &self.config.risk_matrix).ok();

        // RAG counts at each of the last eight period ends in scope.
        let mut ends: Vec<NaiveDate> =
            by_project.values().flat_map(|v| v.iter().map(|s| s.fields.period_end)).collect();
        ends.sort();
        ends.dedup();
        let ends: Vec<NaiveDate> = ends.into_iter().rev().take(8).rev().collect();
        let rag_trend = ends
            .iter()
            .map(|&end| {
                let mut point = RagTrendPoint { period_end: end, green: 0, amber: 0, red: 0 };
                for reports in by_project.values() {
                    let latest = reports.iter().rev().find(|s| s.fields.period_end <= end);
                    match latest.map(|s| s.fields.overall) {
                        Some(Rag::Green) => point.green += 1,
                        Some(Rag::Amber) => point.amber += 1,
                        Some(Rag::Red) => point.red += 1,
                        None => {}
                    }
                }
                point
            })
            .collect();

        Ok(PortfolioFacts {
            scope: scope_facts,
            as_of,
            previous_period_end,
            generated_at,
            projects: out,
            heat_map,
            rag_trend,
        })
    }

    /// Critical tasks of the latest run's schedule version that finish later than in the version
    /// the previous run used.
    async fn critical_slips(
        &self,
        actor: &Actor,
        project: ProjectId,
        run: &ForecastRun,
        previous: &ForecastRunInfo,
    ) -> Result<Vec<TaskSlip>, AppError> {
        let Some(prev_version) = previous.schedule_version.filter(|v| *v != run.schedule_version) else {
            return Ok(Vec::new());
        };
        let now = self.schedule_version(actor, project, Some(run.schedule_version)).await?;
        let before = self.schedule_version(actor, project, Some(prev_version)).await?;
        let finish_before: HashMap<&str, NaiveDate> = before
            .analysis
            .schedule
            .tasks
            .iter()
            .zip(&before.analysis.result.tasks)
            .map(|(t, r)| (t.key.as_str(), r.finish.date()))
            .collect();
        let mut slips: Vec<TaskSlip> = now
            .analysis
            .schedule
            .tasks
            .iter()
            .zip(&now.analysis.result.tasks)
            .filter(|(_, r)| r.critical)
            .filter_map(|(t, r)| {
                let was = finish_before.get(t.key.as_str())?;
                let moved = working_days_between(*was, r.finish.date());
                (moved > 0).then(|| TaskSlip {
                    task_id: if t.code.is_empty() { t.key.clone() } else { t.code.clone() },
                    name: t.name.clone(),
                    slip_working_days: moved,
                    version: now.info.version,
                })
            })
            .collect();
        slips.sort_by(|a, b| b.slip_working_days.cmp(&a.slip_working_days).then(a.name.cmp(&b.name)));
        slips.truncate(5);
        Ok(slips)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid date")
    }

    #[test]
    fn working_days_skip_weekends_both_ways() {
        // Friday 2026-11-20 to Monday 2026-11-23: one working day later.
        assert_eq!(working_days_between(d(2026, 11, 20), d(2026, 11, 23)), 1);
        assert_eq!(working_days_between(d(2026, 11, 23), d(2026, 11, 20)), -1);
        // Two whole weeks.
        assert_eq!(working_days_between(d(2026, 11, 2), d(2026, 11, 16)), 10);
        assert_eq!(working_days_between(d(2026, 11, 2), d(2026, 11, 2)), 0);
    }
}
