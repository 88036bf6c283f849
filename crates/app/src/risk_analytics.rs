//! Risk analytics over the RAID log: exposure (expected money and days) per risk, roll-ups by
//! project, programme, portfolio and category, the heat map, and the trend of exposure rebuilt from
//! the audit trail at each month end.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use keel_domain::{Action, AuditAction, PortfolioId, ProjectFields, Record, RiskFields, WorkState};
use keel_engine::risk::{
    GroupBy, HeatMap, RiskExposure, RiskInput, RiskSummary, Snapshot, TrendSeries, aggregate, exposure_trend,
    exposures, heat_map,
};
use keel_store::AuditFilter;
use serde::Serialize;

use crate::{Actor, App, AppError};

/// Exposure of the organisation's (or one portfolio's) open risks.
#[derive(Debug, Clone, Serialize)]
pub struct RiskAnalytics {
    /// Open risks placed on the probability-impact grid.
    pub heat_map: HeatMap,
    /// Every open risk's exposure, largest expected monetary value first.
    pub risks: Vec<RiskExposure>,
    /// The project of each risk (code and name), by risk ID.
    pub projects: HashMap<uuid::Uuid, String>,
    /// Code and name of each project in scope, by project ID.
    pub project_names: HashMap<uuid::Uuid, String>,
    /// Roll-up of the whole scope.
    pub total: Vec<RiskSummary>,
    /// Roll-up per project.
    pub by_project: Vec<RiskSummary>,
    /// Roll-up per programme.
    pub by_programme: Vec<RiskSummary>,
    /// Roll-up per portfolio.
    pub by_portfolio: Vec<RiskSummary>,
    /// Roll-up per category.
    pub by_category: Vec<RiskSummary>,
    /// Exposure of the whole scope at each of the last twelve month ends and today.
    pub trend: Vec<TrendSeries>,
}

pub(crate) fn input(
    r: &Record<RiskFields>,
    projects: &HashMap<uuid::Uuid, &Record<ProjectFields>>,
) -> Option<RiskInput> {
    let p = projects.get(&r.fields.project_id.uuid())?;
    Some(RiskInput {
        id: r.id,
        title: r.fields.title.clone(),
        project: r.fields.project_id,
        programme: p.fields.programme_id,
        portfolio: Some(p.fields.portfolio_id),
        category: r.fields.category.clone(),
        probability: r.fields.probability,
        impact: r.fields.impact,
        state: r.fields.state,
        cost_impact: r.fields.cost_impact.map(|m| m.amount),
        schedule_impact_days: r.fields.schedule_impact_days.map(f64::from),
        probability_percent: r.fields.probability_pct.map(f64::from),
    })
}

/// Whether a project's risks count in portfolio views (heat map, exposure, red risks, reports):
/// active or on-hold projects. Proposed, closed and cancelled projects carry no live exposure.
/// The one rule every place that counts a portfolio's risks applies.
pub(crate) fn is_live(p: &Record<ProjectFields>) -> bool {
    matches!(p.fields.state, WorkState::Active | WorkState::OnHold)
}

/// The risk set at each of the last twelve month ends and today, oldest first. Today's is the
/// current register itself (`inputs`), so the trend ends on the headline figure; each earlier one
/// rolls the register back through the audit trail (`history`, newest first), undoing every change
/// made after that day. A record no trail entry covers counts from the day it was created.
fn month_end_snapshots(
    risks: &[Record<RiskFields>],
    history: &[keel_domain::AuditEntry],
    today: NaiveDate,
    actor: &Actor,
    projects: &HashMap<uuid::Uuid, &Record<ProjectFields>>,
    inputs: &[RiskInput],
) -> Vec<Snapshot> {
    let mut state: HashMap<uuid::Uuid, Option<Record<RiskFields>>> =
        risks.iter().map(|r| (r.id.uuid(), Some(r.clone()))).collect();
    let mut next = 0;
    let mut out = Vec::new();
    for date in month_ends(today, 12).into_iter().rev() {
        if date == today {
            out.push(Snapshot { date, risks: inputs.to_vec() });
            continue;
        }
        while let Some(e) = history.get(next).filter(|e| e.at.date_naive() > date) {
            let before = match e.action {
                AuditAction::Create => None,
                _ => e.before.as_deref().and_then(|b| serde_json::from_str::<Record<RiskFields>>(b).ok()),
            };
            let before = before.map(|mut r| {
                r.id = keel_domain::Id::from_uuid(e.entity_id);
                r.org_id = actor.org_id;
                r
            });
            state.insert(e.entity_id, before);
            next += 1;
        }
        let risks = state
            .values()
            .flatten()
            .filter(|r| r.created_at.date_naive() <= date)
            .filter_map(|r| input(r, projects))
            .collect();
        out.push(Snapshot { date, risks });
    }
    out.reverse();
    out
}

fn month_ends(today: NaiveDate, n: u32) -> Vec<NaiveDate> {
    let mut out = vec![today];
    let mut d = today.with_day(1).and_then(|d| d.pred_opt());
    for _ in 0..n {
        let Some(end) = d else { break };
        out.push(end);
        d = end.with_day(1).and_then(|d| d.pred_opt());
    }
    out.reverse();
    out
}

impl App {
    /// Exposure, roll-ups, heat map and trend of the open risks, of one portfolio or all.
    pub async fn risk_analytics(
        &self,
        actor: &Actor,
        portfolio: Option<PortfolioId>,
    ) -> Result<RiskAnalytics, AppError> {
        actor.require(Action::Read)?;
        let mut tx = self.store.read().await?;
        let all_projects = tx.all::<ProjectFields>(actor.org_id).await?;
        let risks = tx.all::<RiskFields>(actor.org_id).await?;
        // The audit trail of risks, newest first, in pages.
        let mut history = Vec::new();
        let mut before = None;
        loop {
            let f = AuditFilter { entity_kind: Some("risk".into()), before, limit: 500, ..Default::default() };
            let page = tx.audit(actor.org_id, &f).await?;
            let done = page.len() < 500 || history.len() >= 50_000;
            before = page.last().map(|e| e.id.uuid());
            history.extend(page);
            if done {
                break;
            }
        }
        drop(tx);
        let projects: HashMap<_, _> = all_projects
            .iter()
            .filter(|p| is_live(p) && portfolio.is_none_or(|pf| p.fields.portfolio_id == pf))
            .map(|p| (p.id.uuid(), p))
            .collect();
        let inputs: Vec<RiskInput> = risks.iter().filter_map(|r| input(r, &projects)).collect();
        let m = &self.config.risk_matrix;
        let err = |e: keel_engine::risk::RiskError| AppError::field("risk", e.to_string());
        let mut exp = exposures(&inputs, m).map_err(err)?;
        exp.sort_by(|a, b| b.emv.unwrap_or(0).cmp(&a.emv.unwrap_or(0)).then(b.score.cmp(&a.score)));
        let project_of: HashMap<uuid::Uuid, String> = risks
            .iter()
            .filter_map(|r| {
                projects
                    .get(&r.fields.project_id.uuid())
                    .map(|p| (r.id.uuid(), format!("{} {}", p.fields.code, p.fields.name)))
            })
            .collect();

        let today = self.today();
        let snapshots = month_end_snapshots(&risks, &history, today, actor, &projects, &inputs);
        Ok(RiskAnalytics {
            heat_map: heat_map(&inputs, m).map_err(err)?,
            risks: exp,
            projects: project_of,
            project_names: projects
                .iter()
                .map(|(id, p)| (*id, format!("{} {}", p.fields.code, p.fields.name)))
                .collect(),
            total: aggregate(&inputs, m, GroupBy::All, 10).map_err(err)?,
            by_project: aggregate(&inputs, m, GroupBy::Project, 3).map_err(err)?,
            by_programme: aggregate(&inputs, m, GroupBy::Programme, 3).map_err(err)?,
            by_portfolio: aggregate(&inputs, m, GroupBy::Portfolio, 3).map_err(err)?,
            by_category: aggregate(&inputs, m, GroupBy::Category, 3).map_err(err)?,
            trend: exposure_trend(&snapshots, m, GroupBy::All).map_err(err)?,
        })
    }
}
