//! A portfolio's or programme's page leads with its projects: the dashboard's assessment of each
//! (RAG, stage, manager, next milestone, budget), the roll-up and RAG trend of that subset, its
//! top open risks and its upcoming milestones.

use keel_app::{Actor, App, AppError, DashboardFilter};
use keel_domain::*;
use keel_store::{Filter, FilterOp, ListQuery, Value};

use super::{
    pages::{DASHBOARD_COLUMNS, dashboard_cells},
    registers::{RowView, cell_view},
};
use crate::{
    registers::{self, Register},
    svg,
};

/// The projects' dashboard columns this page shows, the project first (it links to its page).
const PROJECT_COLUMNS: [usize; 7] = [1, 0, 4, 3, 6, 7, 8];

/// Top risks and upcoming milestones shown.
const TOP: u32 = 10;

/// What a portfolio's or programme's page shows above its fields.
pub struct Overview {
    pub(super) total: usize,
    pub(super) counts: [usize; 4],
    pub(super) budget: String,
    pub(super) distribution: String,
    pub(super) trend: String,
    pub(super) project_labels: Vec<&'static str>,
    pub(super) projects: Vec<RowView>,
    pub(super) risk_labels: Vec<&'static str>,
    pub(super) risks: Vec<RowView>,
    pub(super) milestone_labels: Vec<&'static str>,
    pub(super) milestones: Vec<RowView>,
    pub(super) dashboard: String,
    pub(super) register: String,
    pub(super) risk_register: String,
    pub(super) milestone_register: String,
}

fn rows(rows: Vec<registers::RegisterRow>) -> Vec<RowView> {
    rows.into_iter().map(|r| RowView { link: r.link, cells: r.cells.iter().map(cell_view).collect() }).collect()
}

fn labels<F: Register>() -> Vec<&'static str> {
    F::columns().iter().map(|c| c.label).collect()
}

/// The overview of a portfolio (`kind` Portfolio) or programme, by ID.
pub async fn overview(app: &App, actor: &Actor, kind: EntityKind, id: uuid::Uuid) -> Result<Overview, AppError> {
    let (filter, column, param) = match kind {
        EntityKind::Portfolio => {
            (DashboardFilter { portfolio: Some(Id::from_uuid(id)), ..Default::default() }, "portfolio_id", "portfolio")
        }
        _ => {
            (DashboardFilter { programme: Some(Id::from_uuid(id)), ..Default::default() }, "programme_id", "programme")
        }
    };
    let today = app.today();
    let d = app.dashboard(actor, &filter, today).await?;
    let within =
        || Filter { column: format!("project.{column}"), op: FilterOp::Eq, value: Value::text(id.to_string()) };
    let risks = ListQuery {
        filters: vec![within(), Filter { column: "state".into(), op: FilterOp::Eq, value: Value::text("open") }],
        sort: Some("score".into()),
        descending: true,
        limit: Some(TOP),
        ..Default::default()
    };
    let milestones = ListQuery {
        filters: vec![
            within(),
            Filter { column: "actual".into(), op: FilterOp::IsNull, value: Value::Text(None) },
            Filter { column: "forecast".into(), op: FilterOp::Gte, value: Value::text(today.to_string()) },
        ],
        sort: Some("forecast".into()),
        limit: Some(TOP),
        ..Default::default()
    };
    let (risks, _) = registers::page::<RiskFields>(app, actor, &risks).await?;
    let (milestones, _) = registers::page::<MilestoneFields>(app, actor, &milestones).await?;
    let projects = d
        .rows
        .iter()
        .map(|r| {
            let cells = dashboard_cells(r);
            RowView {
                link: registers::record_link(EntityKind::Project, r.project.id.uuid()),
                cells: PROJECT_COLUMNS.iter().map(|i| cell_view(&cells[*i])).collect(),
            }
        })
        .collect();
    Ok(Overview {
        total: d.rows.len(),
        counts: d.distribution,
        budget: keel_report::cell_text(&registers::money(d.total_budget)),
        distribution: svg::distribution(&d.distribution),
        trend: svg::trend(&d.trend),
        project_labels: PROJECT_COLUMNS.iter().map(|i| DASHBOARD_COLUMNS[*i].0).collect(),
        projects,
        risk_labels: labels::<RiskFields>(),
        risks: rows(risks),
        milestone_labels: labels::<MilestoneFields>(),
        milestones: rows(milestones),
        dashboard: format!("/?{param}={id}"),
        register: format!("/r/projects?{param}={id}"),
        risk_register: format!("/r/risks?{param}={id}"),
        milestone_register: format!("/r/milestones?{param}={id}&sort=forecast"),
    })
}
