//! The registers: every kind of record as a table with the columns a person scans for (project,
//! programme, owner, score, state, dates), filtered by the hierarchy, owner, state and score band,
//! sorted and paged in the store, and the same table exported as CSV or Excel. The web pages and
//! the REST API's exports both build their tables here, so a file has exactly the page's columns.

use std::collections::HashMap;

use keel_app::{Actor, App, AppError};
use keel_domain::*;
use keel_engine::report::{Cell, Table};
use keel_store::{Filter, FilterOp, ListQuery, Stored, Value};
use serde::Deserialize;

/// Rows an export holds at most (a register larger than this is cut, and says so in its title).
pub const EXPORT_MAX_ROWS: usize = 50_000;

/// Rows a register page shows.
pub const PAGE_ROWS: u32 = 100;

/// A column of a register: its heading and, when it can be sorted, the store's sort name.
#[derive(Debug, Clone, Copy)]
pub struct RegisterColumn {
    /// Heading.
    pub label: &'static str,
    /// The `sort` value that orders by it (`score`, `project.code`), if it can be sorted.
    pub sort: Option<&'static str>,
}

const fn col(label: &'static str, sort: &'static str) -> RegisterColumn {
    RegisterColumn { label, sort: Some(sort) }
}

const fn unsorted(label: &'static str) -> RegisterColumn {
    RegisterColumn { label, sort: None }
}

/// The portfolios, programmes and projects that one page of records refers to, read by ID for
/// that page only.
#[derive(Debug, Default)]
pub struct Names {
    projects: HashMap<ProjectId, ProjectFields>,
    programmes: HashMap<ProgrammeId, String>,
    portfolios: HashMap<PortfolioId, String>,
}

impl Names {
    /// Reads the records that `items` refer to (and their projects' programmes and portfolios).
    pub async fn load<F: Stored>(app: &App, actor: &Actor, items: &[Record<F>]) -> Result<Self, AppError> {
        let mut projects: Vec<ProjectId> = Vec::new();
        let mut programmes: Vec<ProgrammeId> = Vec::new();
        let mut portfolios: Vec<PortfolioId> = Vec::new();
        for r in items {
            if F::KIND == EntityKind::Project {
                projects.push(Id::from_uuid(r.id.uuid()));
            }
            for (_, kind, id) in r.fields.references() {
                match kind {
                    EntityKind::Project => projects.push(Id::from_uuid(id)),
                    EntityKind::Programme => programmes.push(Id::from_uuid(id)),
                    EntityKind::Portfolio => portfolios.push(Id::from_uuid(id)),
                    _ => {}
                }
            }
        }
        let mut names = Names::default();
        for p in app.records::<ProjectFields>().get_many(actor, &projects).await? {
            programmes.extend(p.fields.programme_id);
            portfolios.push(p.fields.portfolio_id);
            names.projects.insert(p.id, p.fields);
        }
        for p in app.records::<ProgrammeFields>().get_many(actor, &programmes).await? {
            names.programmes.insert(p.id, p.fields.label());
        }
        for p in app.records::<PortfolioFields>().get_many(actor, &portfolios).await? {
            names.portfolios.insert(p.id, p.fields.label());
        }
        Ok(names)
    }

    fn text(s: Option<&String>) -> Cell {
        s.map_or(Cell::Empty, |s| Cell::Text(s.clone()))
    }

    /// A project's code and name.
    fn project(&self, id: Option<ProjectId>) -> Cell {
        id.and_then(|id| self.projects.get(&id)).map_or(Cell::Empty, |p| Cell::Text(p.label()))
    }

    /// The programme of a project.
    fn programme_of(&self, id: Option<ProjectId>) -> Cell {
        self.programme(id.and_then(|id| self.projects.get(&id)).and_then(|p| p.programme_id))
    }

    fn programme(&self, id: Option<ProgrammeId>) -> Cell {
        Self::text(id.and_then(|id| self.programmes.get(&id)))
    }

    fn portfolio(&self, id: PortfolioId) -> Cell {
        Self::text(self.portfolios.get(&id))
    }
}

fn text(s: &str) -> Cell {
    if s.is_empty() { Cell::Empty } else { Cell::Text(s.to_owned()) }
}

fn date(d: Option<chrono::NaiveDate>) -> Cell {
    d.map_or(Cell::Empty, Cell::Date)
}

/// An amount in its currency (minor units to major).
pub fn money(m: Option<Money>) -> Cell {
    m.map_or(Cell::Empty, |m| Cell::Money { amount: m.amount as f64 / 100.0, currency: m.currency.to_string() })
}

fn vocabulary<T: Copy>(all: &[T], key: fn(T) -> &'static str, label: fn(T) -> &'static str) -> Vec<(String, String)> {
    all.iter().map(|v| (key(*v).to_owned(), label(*v).to_owned())).collect()
}

/// How one kind of record is shown as a register.
pub trait Register: Stored {
    /// The default sort, and whether it runs descending.
    const SORT: (&'static str, bool);
    /// The column the owner filter compares (`owner`, `manager`, `decided_by`), if any.
    const OWNER: Option<&'static str> = None;
    /// The column the state filter compares, if any.
    const STATE: Option<&'static str> = None;
    /// The heading of the state filter.
    const STATE_LABEL: &'static str = "State";
    /// The values of the state column, as (wire name, label).
    fn states() -> Vec<(String, String)> {
        Vec::new()
    }
    /// The columns, the record's title first.
    fn columns() -> Vec<RegisterColumn>;
    /// One record's cells, in [`Register::columns`] order.
    fn cells(r: &Record<Self>, n: &Names) -> Vec<Cell>;
}

fn governed_cells(f: &impl GovernedView) -> [Cell; 6] {
    [
        text(f.manager()),
        Cell::Text(f.stage().label().into()),
        Cell::Text(f.state().label().into()),
        date(f.planned_start()),
        date(f.planned_finish()),
        money(f.budget()),
    ]
}

/// The fields portfolios, programmes and projects share.
trait GovernedView {
    fn manager(&self) -> &str;
    fn stage(&self) -> LifecycleStage;
    fn state(&self) -> WorkState;
    fn planned_start(&self) -> Option<chrono::NaiveDate>;
    fn planned_finish(&self) -> Option<chrono::NaiveDate>;
    fn budget(&self) -> Option<Money>;
}

macro_rules! governed_view {
    ($($t:ty),+) => {$(
        impl GovernedView for $t {
            fn manager(&self) -> &str { &self.manager }
            fn stage(&self) -> LifecycleStage { self.stage }
            fn state(&self) -> WorkState { self.state }
            fn planned_start(&self) -> Option<chrono::NaiveDate> { self.planned_start }
            fn planned_finish(&self) -> Option<chrono::NaiveDate> { self.planned_finish }
            fn budget(&self) -> Option<Money> { self.budget }
        }
    )+};
}
governed_view!(PortfolioFields, ProgrammeFields, ProjectFields);

const GOVERNED_TAIL: [RegisterColumn; 6] = [
    col("Manager", "manager"),
    col("Stage", "stage"),
    col("State", "state"),
    col("Planned start", "planned_start"),
    col("Planned finish", "planned_finish"),
    unsorted("Budget"),
];

fn work_states() -> Vec<(String, String)> {
    vocabulary(WorkState::ALL, WorkState::as_str, WorkState::label)
}

impl Register for PortfolioFields {
    const SORT: (&'static str, bool) = ("code", false);
    const OWNER: Option<&'static str> = Some("manager");
    const STATE: Option<&'static str> = Some("state");
    fn states() -> Vec<(String, String)> {
        work_states()
    }
    fn columns() -> Vec<RegisterColumn> {
        let mut c = vec![col("Portfolio", "code")];
        c.extend(GOVERNED_TAIL);
        c
    }
    fn cells(r: &Record<Self>, _: &Names) -> Vec<Cell> {
        let mut c = vec![Cell::Text(r.fields.label())];
        c.extend(governed_cells(&r.fields));
        c
    }
}

impl Register for ProgrammeFields {
    const SORT: (&'static str, bool) = ("code", false);
    const OWNER: Option<&'static str> = Some("manager");
    const STATE: Option<&'static str> = Some("state");
    fn states() -> Vec<(String, String)> {
        work_states()
    }
    fn columns() -> Vec<RegisterColumn> {
        let mut c = vec![col("Programme", "code"), col("Portfolio", "portfolio.code")];
        c.extend(GOVERNED_TAIL);
        c
    }
    fn cells(r: &Record<Self>, n: &Names) -> Vec<Cell> {
        let mut c = vec![Cell::Text(r.fields.label()), n.portfolio(r.fields.portfolio_id)];
        c.extend(governed_cells(&r.fields));
        c
    }
}

impl Register for ProjectFields {
    const SORT: (&'static str, bool) = ("code", false);
    const OWNER: Option<&'static str> = Some("manager");
    const STATE: Option<&'static str> = Some("state");
    fn states() -> Vec<(String, String)> {
        work_states()
    }
    fn columns() -> Vec<RegisterColumn> {
        let mut c =
            vec![col("Project", "code"), col("Portfolio", "portfolio.code"), col("Programme", "programme.code")];
        c.extend(GOVERNED_TAIL);
        if let Some(budget) = c.last_mut() {
            *budget = col("Budget", "budget_minor");
        }
        c
    }
    fn cells(r: &Record<Self>, n: &Names) -> Vec<Cell> {
        let mut c =
            vec![Cell::Text(r.fields.label()), n.portfolio(r.fields.portfolio_id), n.programme(r.fields.programme_id)];
        c.extend(governed_cells(&r.fields));
        c
    }
}

impl Register for StatusReportFields {
    const SORT: (&'static str, bool) = ("period_end", true);
    const STATE: Option<&'static str> = Some("overall");
    const STATE_LABEL: &'static str = "Overall RAG";
    fn states() -> Vec<(String, String)> {
        vocabulary(Rag::ALL, Rag::as_str, Rag::label)
    }
    fn columns() -> Vec<RegisterColumn> {
        vec![
            col("Period ending", "period_end"),
            col("Project", "project.code"),
            unsorted("Programme"),
            col("Overall", "overall"),
            unsorted("Schedule"),
            unsorted("Cost"),
            unsorted("Scope"),
            unsorted("Risk"),
            unsorted("Resources"),
            unsorted("Benefits"),
            unsorted("Submitted by"),
        ]
    }
    fn cells(r: &Record<Self>, n: &Names) -> Vec<Cell> {
        let f = &r.fields;
        let mut c = vec![
            Cell::Date(f.period_end),
            n.project(Some(f.project_id)),
            n.programme_of(Some(f.project_id)),
            Cell::Rag(Some(f.overall)),
        ];
        c.extend(f.dimensions().iter().map(|(_, rag)| Cell::Rag(Some(*rag))));
        c.push(text(&f.submitted_by));
        c
    }
}

impl Register for MilestoneFields {
    const SORT: (&'static str, bool) = ("forecast", false);
    const OWNER: Option<&'static str> = Some("owner");
    fn columns() -> Vec<RegisterColumn> {
        vec![
            col("Milestone", "name"),
            col("Project", "project.code"),
            unsorted("Programme"),
            col("Owner", "owner"),
            col("Baseline", "baseline"),
            col("Forecast", "forecast"),
            col("Actual", "actual"),
        ]
    }
    fn cells(r: &Record<Self>, n: &Names) -> Vec<Cell> {
        let f = &r.fields;
        vec![
            Cell::Text(f.name.clone()),
            n.project(Some(f.project_id)),
            n.programme_of(Some(f.project_id)),
            text(&f.owner),
            date(f.baseline),
            date(f.forecast),
            date(f.actual),
        ]
    }
}

impl Register for RiskFields {
    const SORT: (&'static str, bool) = ("score", true);
    const OWNER: Option<&'static str> = Some("owner");
    const STATE: Option<&'static str> = Some("state");
    fn states() -> Vec<(String, String)> {
        vocabulary(RiskState::ALL, RiskState::as_str, RiskState::label)
    }
    fn columns() -> Vec<RegisterColumn> {
        vec![
            col("Risk", "title"),
            col("Project", "project.code"),
            unsorted("Programme"),
            col("Owner", "owner"),
            col("Category", "category"),
            col("Score", "score"),
            col("Response", "response"),
            col("Proximity", "proximity"),
            col("State", "state"),
        ]
    }
    fn cells(r: &Record<Self>, n: &Names) -> Vec<Cell> {
        let f = &r.fields;
        vec![
            Cell::Text(f.title.clone()),
            n.project(Some(f.project_id)),
            n.programme_of(Some(f.project_id)),
            text(&f.owner),
            text(&f.category),
            Cell::Int(f.score().into()),
            Cell::Text(f.response.label().into()),
            date(f.proximity),
            Cell::Text(f.state.label().into()),
        ]
    }
}

impl Register for IssueFields {
    const SORT: (&'static str, bool) = ("raised_on", true);
    const OWNER: Option<&'static str> = Some("owner");
    const STATE: Option<&'static str> = Some("state");
    fn states() -> Vec<(String, String)> {
        vocabulary(IssueState::ALL, IssueState::as_str, IssueState::label)
    }
    fn columns() -> Vec<RegisterColumn> {
        vec![
            col("Issue", "title"),
            col("Project", "project.code"),
            unsorted("Programme"),
            col("Owner", "owner"),
            unsorted("Priority"),
            col("Raised on", "raised_on"),
            col("Due", "due"),
            col("State", "state"),
        ]
    }
    fn cells(r: &Record<Self>, n: &Names) -> Vec<Cell> {
        let f = &r.fields;
        vec![
            Cell::Text(f.title.clone()),
            n.project(Some(f.project_id)),
            n.programme_of(Some(f.project_id)),
            text(&f.owner),
            Cell::Text(f.priority.label().into()),
            Cell::Date(f.raised_on),
            date(f.due),
            Cell::Text(f.state.label().into()),
        ]
    }
}

impl Register for AssumptionFields {
    const SORT: (&'static str, bool) = ("validate_by", false);
    const OWNER: Option<&'static str> = Some("owner");
    const STATE: Option<&'static str> = Some("state");
    fn states() -> Vec<(String, String)> {
        vocabulary(AssumptionState::ALL, AssumptionState::as_str, AssumptionState::label)
    }
    fn columns() -> Vec<RegisterColumn> {
        vec![
            col("Assumption", "title"),
            col("Project", "project.code"),
            unsorted("Programme"),
            col("Owner", "owner"),
            col("Validate by", "validate_by"),
            col("State", "state"),
        ]
    }
    fn cells(r: &Record<Self>, n: &Names) -> Vec<Cell> {
        let f = &r.fields;
        vec![
            Cell::Text(f.title.clone()),
            n.project(Some(f.project_id)),
            n.programme_of(Some(f.project_id)),
            text(&f.owner),
            date(f.validate_by),
            Cell::Text(f.state.label().into()),
        ]
    }
}

impl Register for DependencyFields {
    const SORT: (&'static str, bool) = ("needed_by", false);
    const OWNER: Option<&'static str> = Some("owner");
    const STATE: Option<&'static str> = Some("state");
    fn states() -> Vec<(String, String)> {
        vocabulary(DependencyState::ALL, DependencyState::as_str, DependencyState::label)
    }
    fn columns() -> Vec<RegisterColumn> {
        vec![
            col("What is needed", "title"),
            col("Project", "project.code"),
            unsorted("Programme"),
            unsorted("Supplying project"),
            col("Owner", "owner"),
            col("Needed by", "needed_by"),
            col("State", "state"),
        ]
    }
    fn cells(r: &Record<Self>, n: &Names) -> Vec<Cell> {
        let f = &r.fields;
        vec![
            Cell::Text(f.title.clone()),
            n.project(Some(f.project_id)),
            n.programme_of(Some(f.project_id)),
            n.project(Some(f.supplier_project_id)),
            text(&f.owner),
            date(f.needed_by),
            Cell::Text(f.state.label().into()),
        ]
    }
}

impl Register for DecisionFields {
    const SORT: (&'static str, bool) = ("decided_on", true);
    const OWNER: Option<&'static str> = Some("decided_by");
    const STATE: Option<&'static str> = Some("state");
    fn states() -> Vec<(String, String)> {
        vocabulary(DecisionState::ALL, DecisionState::as_str, DecisionState::label)
    }
    fn columns() -> Vec<RegisterColumn> {
        vec![
            col("Decision", "title"),
            col("Project", "project.code"),
            unsorted("Programme"),
            col("Decided by", "decided_by"),
            col("Decided on", "decided_on"),
            col("State", "state"),
        ]
    }
    fn cells(r: &Record<Self>, n: &Names) -> Vec<Cell> {
        let f = &r.fields;
        vec![
            Cell::Text(f.title.clone()),
            n.project(f.project_id),
            n.programme_of(f.project_id),
            text(&f.decided_by),
            date(f.decided_on),
            Cell::Text(f.state.label().into()),
        ]
    }
}

/// The query of a register page or export. Empty values mean "no filter".
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RegisterParams {
    /// Text search (the title or name).
    pub q: Option<String>,
    /// Where the previous page ended.
    pub cursor: Option<String>,
    /// A sortable column's sort name (`score`, `project.code`).
    pub sort: Option<String>,
    /// `asc` or `desc`.
    pub dir: Option<String>,
    /// Portfolio ID.
    pub portfolio: Option<String>,
    /// Programme ID.
    pub programme: Option<String>,
    /// Project ID.
    pub project: Option<String>,
    /// Owner (manager, decided by).
    pub owner: Option<String>,
    /// State (a status report's overall RAG).
    pub state: Option<String>,
    /// Risk score band: `low`, `medium`, `high`.
    pub band: Option<String>,
    /// `csv` or `xlsx` to download instead of the page.
    pub format: Option<String>,
}

fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

impl RegisterParams {
    /// The filter and sort parameters (not the cursor or format), for links that keep them.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        [
            ("portfolio", &self.portfolio),
            ("programme", &self.programme),
            ("project", &self.project),
            ("owner", &self.owner),
            ("state", &self.state),
            ("band", &self.band),
            ("q", &self.q),
            ("sort", &self.sort),
            ("dir", &self.dir),
        ]
        .into_iter()
        .filter_map(|(k, v)| given(v).map(|v| (k, v.to_owned())))
        .collect()
    }

    /// The chosen portfolio, programme and project, parsed.
    fn scope(&self) -> Result<[Option<uuid::Uuid>; 3], AppError> {
        let mut out = [None; 3];
        for (i, (name, v)) in
            [("portfolio", &self.portfolio), ("programme", &self.programme), ("project", &self.project)]
                .into_iter()
                .enumerate()
        {
            if let Some(v) = given(v) {
                out[i] = Some(v.parse().map_err(|_| AppError::field(name, format!("`{v}` is not an ID")))?);
            }
        }
        Ok(out)
    }

    /// The sort column and direction, checked against the register's sortable columns.
    pub fn sort<F: Register>(&self) -> Result<(&'static str, bool), AppError> {
        let columns = F::columns();
        let sort = match given(&self.sort) {
            None => F::SORT.0,
            Some(s) => columns.iter().filter_map(|c| c.sort).find(|c| *c == s).ok_or_else(|| {
                AppError::field(
                    "sort",
                    format!(
                        "cannot sort by `{s}`: expected one of {}",
                        columns.iter().filter_map(|c| c.sort).collect::<Vec<_>>().join(", ")
                    ),
                )
            })?,
        };
        let desc = match given(&self.dir) {
            None if given(&self.sort).is_none() => F::SORT.1,
            None | Some("asc") => false,
            Some("desc") => true,
            Some(other) => return Err(AppError::field("dir", format!("`{other}` is not asc or desc"))),
        };
        Ok((sort, desc))
    }
}

/// The store column a hierarchy filter compares on `F`: its own (`portfolio_id` of a project),
/// or its project's (`project.portfolio_id` of a risk).
pub fn scope_column<F: Stored>(column: &'static str) -> Option<String> {
    let own = |name: &str| F::COLUMNS.iter().any(|c| c.name == name);
    if own(column) {
        Some(column.to_owned())
    } else if column != "project_id" && own("project_id") {
        Some(format!("project.{column}"))
    } else {
        None
    }
}

fn eq(column: impl Into<String>, value: impl Into<String>) -> Filter {
    Filter { column: column.into(), op: FilterOp::Eq, value: Value::text(value) }
}

/// The store query for a register's page (or export): filters, search, sort.
pub fn list_query<F: Register>(p: &RegisterParams) -> Result<ListQuery, AppError> {
    let (sort, descending) = p.sort::<F>()?;
    let mut q = ListQuery {
        search: given(&p.q).map(str::to_owned),
        cursor: given(&p.cursor).map(str::to_owned),
        sort: Some(sort.to_owned()),
        descending,
        limit: Some(PAGE_ROWS),
        ..Default::default()
    };
    for (id, column) in p.scope()?.into_iter().zip(["portfolio_id", "programme_id", "project_id"]) {
        if let Some(id) = id {
            let name = scope_column::<F>(column).ok_or_else(|| {
                AppError::field(column.trim_end_matches("_id"), format!("cannot filter {} by it", F::TABLE))
            })?;
            q.filters.push(eq(name, id.to_string()));
        }
    }
    if let Some(owner) = given(&p.owner) {
        let column = F::OWNER.ok_or_else(|| AppError::field("owner", format!("{} have no owner", F::TABLE)))?;
        q.filters.push(eq(column, owner));
    }
    if let Some(state) = given(&p.state) {
        let column = F::STATE.ok_or_else(|| AppError::field("state", format!("{} have no state", F::TABLE)))?;
        let states = F::states();
        if !states.iter().any(|(k, _)| k == state) {
            let expected = states.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>().join(", ");
            return Err(AppError::field("state", format!("`{state}` is not one of: {expected}")));
        }
        q.filters.push(eq(column, state));
    }
    if let Some(band) = given(&p.band) {
        if F::KIND != EntityKind::Risk {
            return Err(AppError::field("band", "only risks have a score band"));
        }
        let band: ScoreBand = band.parse().map_err(|e: String| AppError::field("band", e))?;
        let (lo, hi) = band.range();
        q.filters.push(Filter { column: "score".into(), op: FilterOp::Gte, value: Value::int(lo.into()) });
        q.filters.push(Filter { column: "score".into(), op: FilterOp::Lte, value: Value::int(hi.into()) });
    }
    Ok(q)
}

/// One row of a register: the record's page and its cells.
#[derive(Debug, Clone)]
pub struct RegisterRow {
    /// The record's page.
    pub link: String,
    /// The cells, in [`Register::columns`] order.
    pub cells: Vec<Cell>,
}

/// The page of a record: projects have their own page, the rest the generic one.
pub fn record_link(kind: EntityKind, id: uuid::Uuid) -> String {
    match kind {
        EntityKind::Project => format!("/projects/{id}"),
        other => format!("/r/{}/{id}", other.slug()),
    }
}

/// One page of a register.
pub async fn page<F: Register>(
    app: &App,
    actor: &Actor,
    q: &ListQuery,
) -> Result<(Vec<RegisterRow>, Option<String>), AppError> {
    let page = app.records::<F>().list(actor, q).await?;
    let names = Names::load(app, actor, &page.items).await?;
    let rows = page
        .items
        .iter()
        .map(|r| RegisterRow { link: record_link(F::KIND, r.id.uuid()), cells: F::cells(r, &names) })
        .collect();
    Ok((rows, page.next_cursor))
}

/// The whole register under the query's filters and sort (every page, up to
/// [`EXPORT_MAX_ROWS`]), as a table for CSV or Excel.
pub async fn table<F: Register>(app: &App, actor: &Actor, mut q: ListQuery) -> Result<Table, AppError> {
    q.cursor = None;
    q.limit = Some(500);
    let mut rows = Vec::new();
    let mut cut = false;
    loop {
        let (page, next) = page::<F>(app, actor, &q).await?;
        rows.extend(page.into_iter().map(|r| r.cells));
        match next {
            Some(_) if rows.len() >= EXPORT_MAX_ROWS => {
                cut = true;
                break;
            }
            Some(c) => q.cursor = Some(c),
            None => break,
        }
    }
    let mut title = format!("{}s", F::KIND.label());
    if cut {
        title.push_str(&format!(" (first {EXPORT_MAX_ROWS})"));
    }
    Ok(Table { title, columns: F::columns().iter().map(|c| c.label.to_owned()).collect(), rows })
}

/// A download's body, content type and file name.
pub struct Download {
    /// File content.
    pub bytes: Vec<u8>,
    /// MIME type.
    pub content_type: &'static str,
    /// Suggested file name.
    pub file_name: String,
}

/// A table as a CSV or Excel download named after `stem`.
pub fn download(t: &Table, format: &str, stem: &str) -> Result<Download, AppError> {
    match format {
        "csv" => Ok(Download {
            bytes: keel_report::table_csv(t).into_bytes(),
            content_type: "text/csv; charset=utf-8",
            file_name: format!("{stem}.csv"),
        }),
        "xlsx" => Ok(Download {
            bytes: keel_report::table_xlsx(t).map_err(|e| AppError::Internal(e.to_string()))?,
            content_type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            file_name: format!("{stem}.xlsx"),
        }),
        other => Err(AppError::field("format", format!("`{other}` is not csv or xlsx"))),
    }
}

impl axum::response::IntoResponse for Download {
    fn into_response(self) -> axum::response::Response {
        use axum::http::header;
        (
            [
                (header::CONTENT_TYPE, self.content_type.to_owned()),
                (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{}\"", self.file_name)),
            ],
            self.bytes,
        )
            .into_response()
    }
}

/// Runs `$body` with `$F` bound to the fields type of `$kind`.
macro_rules! with_kind {
    ($kind:expr, $F:ident => $body:expr) => {
        match $kind {
            keel_domain::EntityKind::Portfolio => {
                type $F = keel_domain::PortfolioFields;
                $body
            }
            keel_domain::EntityKind::Programme => {
                type $F = keel_domain::ProgrammeFields;
                $body
            }
            keel_domain::EntityKind::Project => {
                type $F = keel_domain::ProjectFields;
                $body
            }
            keel_domain::EntityKind::StatusReport => {
                type $F = keel_domain::StatusReportFields;
                $body
            }
            keel_domain::EntityKind::Milestone => {
                type $F = keel_domain::MilestoneFields;
                $body
            }
            keel_domain::EntityKind::Risk => {
                type $F = keel_domain::RiskFields;
                $body
            }
            keel_domain::EntityKind::Issue => {
                type $F = keel_domain::IssueFields;
                $body
            }
            keel_domain::EntityKind::Assumption => {
                type $F = keel_domain::AssumptionFields;
                $body
            }
            keel_domain::EntityKind::Dependency => {
                type $F = keel_domain::DependencyFields;
                $body
            }
            keel_domain::EntityKind::Decision => {
                type $F = keel_domain::DecisionFields;
                $body
            }
        }
    };
}
pub(crate) use with_kind;
