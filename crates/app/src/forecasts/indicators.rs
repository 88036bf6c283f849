//! The leading indicators of a project's delivery risk, read from its records, its schedule
//! versions, its earned value and its Monte Carlo forecast; and earned value across the schedule
//! versions (each import is a status period).

use std::collections::{HashMap, HashSet};

use chrono::{NaiveDate, NaiveDateTime};
use keel_domain::{
    IssueFields, IssueState, MilestoneFields, ProjectId, Record, RiskFields, RiskState, StatusReportFields,
};
use keel_engine::{
    forecast::{
        evm::{ActivityStatus, EvmReport, ScheduleEvm, StatusPeriod, evaluate},
        montecarlo::McResult,
        predict::{Indicators, Observation, rag_share, trend_slope},
    },
    schedule::Schedule,
};
use keel_store::Value;

use super::TIME_BASIS;
use crate::{Actor, App, AppError, schedules::Analysis};

/// Records the indicators read, loaded once per run.
pub(crate) struct Context {
    pub today: NaiveDate,
    /// Whether the project's records were read (false for a bare file: no RAID log to count).
    pub records: bool,
    pub high_risk_score: i64,
    pub risks: Vec<Record<RiskFields>>,
    pub milestones: Vec<Record<MilestoneFields>>,
    pub reports: Vec<Record<StatusReportFields>>,
    pub issues: Vec<Record<IssueFields>>,
}

/// What the indicators and the earned value need of one schedule version.
pub(crate) struct VersionPoint {
    pub version: i64,
    pub status_date: NaiveDateTime,
    /// Progress per activity ID, as earned value reads it.
    pub progress: HashMap<String, ActivityStatus>,
    /// Keys of the critical unfinished tasks.
    pub critical: HashSet<String>,
    /// Least total float of the unfinished tasks, in days.
    pub min_float_days: Option<f64>,
    pub task_count: usize,
}

impl VersionPoint {
    pub(crate) fn of(version: i64, imported: NaiveDateTime, a: &Analysis) -> VersionPoint {
        let s = &a.schedule;
        let status_date = s.projects.first().and_then(|p| p.status_date).unwrap_or(imported);
        let mut progress = HashMap::new();
        if let Ok(e) = ScheduleEvm::from_schedule(s, status_date, TIME_BASIS)
            && let Some(p) = e.input.periods.first()
        {
            for (act, st) in e.input.activities.iter().zip(&p.activities) {
                progress.insert(act.id.clone(), st.clone());
            }
        }
        let day = f64::from(s.options.minutes_per_day.max(1));
        let mut critical = HashSet::new();
        let mut min_float: Option<i64> = None;
        for (t, r) in s.tasks.iter().zip(&a.result.tasks) {
            if t.is_summary_like() || t.inactive || t.actual_finish.is_some() {
                continue;
            }
            if r.critical {
                critical.insert(t.key.clone());
            }
            min_float = Some(min_float.map_or(r.total_float, |m| m.min(r.total_float)));
        }
        VersionPoint {
            version,
            status_date,
            progress,
            critical,
            min_float_days: min_float.map(|m| m as f64 / day),
            task_count: s.tasks.iter().filter(|t| !t.is_summary_like() && !t.inactive).count(),
        }
    }
}

impl App {
    pub(crate) async fn indicator_context(&self, actor: &Actor, project: ProjectId) -> Result<Context, AppError> {
        let mut tx = self.store.read().await?;
        let pid = || Value::text(project.to_string());
        Ok(Context {
            today: self.today(),
            records: true,
            high_risk_score: self.config.high_risk_score,
            risks: tx.all_where::<RiskFields>(actor.org_id, "project_id", pid()).await?,
            milestones: tx.all_where::<MilestoneFields>(actor.org_id, "project_id", pid()).await?,
            reports: tx.all_where::<StatusReportFields>(actor.org_id, "project_id", pid()).await?,
            issues: tx.all_where::<IssueFields>(actor.org_id, "project_id", pid()).await?,
        })
    }

    /// The project's schedule versions before `before`, oldest first, reduced to what the
    /// indicators read.
    pub(crate) async fn schedule_history(
        &self,
        actor: &Actor,
        project: ProjectId,
        before: i64,
    ) -> Result<Vec<VersionPoint>, AppError> {
        let mut tx = self.store.read().await?;
        let rows = tx.schedule_versions(actor.org_id, project).await?;
        let mut bodies = Vec::new();
        for r in rows.iter().rev().filter(|r| r.version < before) {
            if let Some((row, body)) = tx.schedule_version(actor.org_id, project, Some(r.version)).await? {
                bodies.push((row.version, row.created_at.naive_utc(), body));
            }
        }
        drop(tx);
        tokio::task::spawn_blocking(move || {
            bodies
                .into_iter()
                .filter_map(|(v, at, body)| {
                    serde_json::from_str::<Analysis>(&body).ok().map(|a| VersionPoint::of(v, at, &a))
                })
                .collect()
        })
        .await
        .map_err(|e| AppError::Internal(format!("schedule history stopped: {e}")))
    }
}

/// Earned value of the latest schedule with one status period per schedule version: the latest
/// version's baseline is the plan, each version's progress is a period. `Err` says why there is none.
pub(crate) fn evm_across_versions(
    history: &[VersionPoint],
    latest: &Schedule,
    status_date: NaiveDateTime,
) -> Result<(EvmReport, Option<String>), String> {
    let base =
        ScheduleEvm::from_schedule(latest, status_date, TIME_BASIS).map_err(|e| format!("no earned value: {e}"))?;
    let mut input = base.input;
    let mut note = None;
    if input.activities.iter().all(|a| a.cost == 0.0 && a.fixed_cost == 0.0) {
        note = Some("The plan carries no costs: each task is valued by its baseline duration, so PV and EV are in task-days and there is no CPI.".to_string());
        // A plan without costs: value each task by its baseline duration (days), so earned
        // schedule still measures progress against the plan.
        for a in &mut input.activities {
            a.cost = (a.finish - a.start).num_minutes().max(1) as f64 / 1440.0;
        }
    }
    let Some(last) = input.periods.pop() else {
        return Err("no earned value: no status period".into());
    };
    let mut periods: Vec<StatusPeriod> = Vec::new();
    for v in history {
        if v.status_date >= last.status_date || periods.last().is_some_and(|p| p.status_date >= v.status_date) {
            continue;
        }
        let activities = input
            .activities
            .iter()
            .map(|a| {
                v.progress.get(&a.id).cloned().unwrap_or(ActivityStatus {
                    percent_complete: 0.0,
                    actual_cost: None,
                    actual_start: None,
                    actual_finish: None,
                })
            })
            .collect();
        periods.push(StatusPeriod { status_date: v.status_date, activities });
    }
    periods.push(last);
    // A finished project's actual time ends at its last actual finish, not at the status date
    // (otherwise SPI(t) keeps falling after completion).
    for p in &mut periods {
        let done: Option<Vec<_>> = p.activities.iter().map(|a| a.actual_finish).collect();
        if let Some(end) = done.and_then(|d| d.into_iter().max()) {
            p.status_date = p.status_date.min(end);
        }
    }
    periods.dedup_by(|b, a| b.status_date <= a.status_date);
    input.periods = periods;
    let report = evaluate(&input).map_err(|e| format!("no earned value: {e}"))?;
    Ok((report, note))
}

/// Days from the earliest baseline start to the latest baseline finish (calendar days), if any.
pub(crate) fn baseline_duration_days(s: &Schedule) -> Option<f64> {
    let b = s.tasks.iter().filter_map(|t| t.baselines.iter().find(|b| b.number == 0));
    let start = b.clone().filter_map(|b| b.start).min()?;
    let finish = b.filter_map(|b| b.finish).max()?;
    let d = (finish - start).num_minutes() as f64 / 1440.0;
    (d > 0.0).then_some(d)
}

/// The indicators available for the project now.
pub(crate) fn indicators(c: &Context, history: &[VersionPoint], evm: Option<&EvmReport>, mc: &McResult) -> Indicators {
    let mut ind = Indicators::default();
    schedule_indicators(&mut ind, history, evm);
    let obs = Observation::new;
    if let Some(b) = mc.baseline_finish {
        ind.p80_slip_days = Some(obs((mc.finish.p80 - b).num_minutes() as f64 / 1440.0, "forecast".to_string()));
    }
    record_indicators(&mut ind, c);
    ind
}

/// The indicators read from earned value and the schedule versions: SPI(t), CPI, their trends,
/// percent complete, float erosion, critical-path churn and task-count growth.
pub(crate) fn schedule_indicators(ind: &mut Indicators, history: &[VersionPoint], evm: Option<&EvmReport>) {
    let obs = Observation::new;
    let latest_version = history.last().map_or(0, |v| v.version);
    let sv = |v: i64| format!("schedule_version:{v}");
    if let Some(e) = evm {
        if let Some(p) = e.periods.last() {
            ind.spi_t = p.spi_t.map(|x| obs(x, sv(latest_version)));
            ind.cpi = p.cpi.map(|x| obs(x, sv(latest_version)));
            if e.bac > 0.0 {
                ind.percent_complete = Some(obs((p.ev / e.bac).clamp(0.0, 1.0), sv(latest_version)));
            }
        }
        let recent = &e.periods[e.periods.len().saturating_sub(4)..];
        let spi: Vec<f64> = recent.iter().filter_map(|p| p.spi_t).collect();
        if spi.len() >= 2 {
            ind.spi_t_trend = trend_slope(&spi).map(|x| obs(x, "evm".to_string()));
        }
        let cpi: Vec<f64> = recent.iter().filter_map(|p| p.cpi).collect();
        if cpi.len() >= 2 {
            ind.cpi_trend = trend_slope(&cpi).map(|x| obs(x, "evm".to_string()));
        }
    }
    if let [.., prev, now] = history {
        if let (Some(a), Some(b)) = (prev.min_float_days, now.min_float_days) {
            ind.float_erosion_days = Some(obs(a - b, sv(now.version)));
        }
        let union = prev.critical.union(&now.critical).count();
        if union > 0 {
            let both = prev.critical.intersection(&now.critical).count();
            ind.critical_path_churn = Some(obs(1.0 - both as f64 / union as f64, sv(now.version)));
        }
    }
    if let (Some(first), Some(now)) = (history.first(), history.last())
        && history.len() > 1
        && first.task_count > 0
    {
        let g = now.task_count as f64 / first.task_count as f64 - 1.0;
        ind.task_count_growth = Some(obs(g, sv(now.version)));
    }
}

/// The indicators read from the project's records now: overdue milestones, report staleness,
/// RAG history, open high risks, open issue age.
fn record_indicators(ind: &mut Indicators, c: &Context) {
    let obs = Observation::new;
    let overdue: Vec<_> = c
        .milestones
        .iter()
        .filter(|m| m.fields.actual.is_none() && m.fields.expected().is_some_and(|d| d < c.today))
        .collect();
    if !c.milestones.is_empty() {
        let source = overdue.first().map_or_else(|| "milestones".to_string(), |m| format!("milestone:{}", m.id));
        ind.overdue_milestones = Some(obs(overdue.len() as f64, source));
    }
    let mut reports: Vec<_> = c.reports.iter().collect();
    reports.sort_by_key(|r| r.fields.period_end);
    if let Some(last) = reports.last() {
        let days = (c.today - last.fields.period_end).num_days().max(0) as f64;
        ind.report_staleness_days = Some(obs(days, format!("status_report:{}", last.id)));
        let rags: Vec<_> = reports.iter().rev().take(6).map(|r| r.fields.overall).collect();
        ind.rag_history = rag_share(&rags).map(|x| obs(x, format!("status_report:{}", last.id)));
    }
    let high: Vec<_> = c
        .risks
        .iter()
        .filter(|r| r.fields.state == RiskState::Open && i64::from(r.fields.score()) >= c.high_risk_score)
        .collect();
    if c.records {
        let source = high.first().map_or_else(|| "risks".to_string(), |r| format!("risk:{}", r.id));
        ind.open_high_risks = Some(obs(high.len() as f64, source));
    }
    let open: Vec<_> = c.issues.iter().filter(|i| i.fields.state != IssueState::Resolved).collect();
    if !open.is_empty() {
        let ages: f64 = open.iter().map(|i| (c.today - i.fields.raised_on).num_days().max(0) as f64).sum();
        let oldest = open.iter().min_by_key(|i| i.fields.raised_on).map(|i| format!("issue:{}", i.id));
        ind.open_issue_age_days = Some(obs(ages / open.len() as f64, oldest.unwrap_or_default()));
    }
}
