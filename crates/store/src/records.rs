//! How each kind of record maps to its table, and the list-query vocabulary.

use base64::Engine as _;
use keel_domain::*;

use crate::{StoreError, Value};

/// The type of an indexed column, which decides how filters parse and how nulls sort.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColType {
    /// Free text (compared exactly; `q` searches the search column by substring).
    Text,
    /// A closed vocabulary value (`state`, `overall`...).
    Enum,
    /// A date `YYYY-MM-DD`; supports `_from` / `_to` range filters.
    Date,
    /// An integer; supports `_min` / `_max` range filters.
    Int,
    /// A record ID.
    Ref,
}

/// An indexed column of a record table: filterable and sortable.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    /// Column name, the same as the field name in the API.
    pub name: &'static str,
    /// Its type.
    pub ty: ColType,
}

const fn c(name: &'static str, ty: ColType) -> Column {
    Column { name, ty }
}

/// How a kind of record is stored: its table and the fields copied into indexed columns.
pub trait Stored: Fields {
    /// Table name.
    const TABLE: &'static str;
    /// Indexed columns, in the order [`Stored::values`] returns them.
    const COLUMNS: &'static [Column];
    /// The column that the free-text `q` filter searches.
    const SEARCH: &'static str;
    /// The default sort column.
    const DEFAULT_SORT: &'static str;
    /// The values of the indexed columns.
    fn values(&self) -> Vec<Value>;
}

/// The indexed columns of a kind, for the API and UI (filter and sort vocabularies).
pub fn record_columns(kind: EntityKind) -> &'static [Column] {
    match kind {
        EntityKind::Portfolio => PortfolioFields::COLUMNS,
        EntityKind::Programme => ProgrammeFields::COLUMNS,
        EntityKind::Project => ProjectFields::COLUMNS,
        EntityKind::StatusReport => StatusReportFields::COLUMNS,
        EntityKind::Milestone => MilestoneFields::COLUMNS,
        EntityKind::Risk => RiskFields::COLUMNS,
        EntityKind::Issue => IssueFields::COLUMNS,
        EntityKind::Assumption => AssumptionFields::COLUMNS,
        EntityKind::Dependency => DependencyFields::COLUMNS,
        EntityKind::Decision => DecisionFields::COLUMNS,
    }
}

fn date(d: Option<chrono::NaiveDate>) -> Value {
    Value::opt(d)
}

fn id<T>(i: Id<T>) -> Value {
    Value::text(i.to_string())
}

fn opt_id<T>(i: Option<Id<T>>) -> Value {
    Value::opt(i)
}

const GOVERNED: &[Column] = &[
    c("code", ColType::Text),
    c("name", ColType::Text),
    c("manager", ColType::Text),
    c("sponsor", ColType::Text),
    c("stage", ColType::Enum),
    c("tier", ColType::Enum),
    c("state", ColType::Enum),
    c("planned_start", ColType::Date),
    c("planned_finish", ColType::Date),
];

macro_rules! governed_values {
    ($s:expr) => {
        [
            Value::text($s.code.as_str()),
            Value::text(&$s.name),
            Value::text(&$s.manager),
            Value::text(&$s.sponsor),
            Value::text($s.stage.as_str()),
            Value::text($s.tier.as_str()),
            Value::text($s.state.as_str()),
            date($s.planned_start),
            date($s.planned_finish),
        ]
    };
}

impl Stored for PortfolioFields {
    const TABLE: &'static str = "portfolios";
    const COLUMNS: &'static [Column] = GOVERNED;
    const SEARCH: &'static str = "name";
    const DEFAULT_SORT: &'static str = "code";
    fn values(&self) -> Vec<Value> {
        governed_values!(self).to_vec()
    }
}

impl Stored for ProgrammeFields {
    const TABLE: &'static str = "programmes";
    const COLUMNS: &'static [Column] = &[
        c("portfolio_id", ColType::Ref),
        c("code", ColType::Text),
        c("name", ColType::Text),
        c("manager", ColType::Text),
        c("sponsor", ColType::Text),
        c("stage", ColType::Enum),
        c("tier", ColType::Enum),
        c("state", ColType::Enum),
        c("planned_start", ColType::Date),
        c("planned_finish", ColType::Date),
    ];
    const SEARCH: &'static str = "name";
    const DEFAULT_SORT: &'static str = "code";
    fn values(&self) -> Vec<Value> {
        let mut v = vec![id(self.portfolio_id)];
        v.extend(governed_values!(self));
        v
    }
}

impl Stored for ProjectFields {
    const TABLE: &'static str = "projects";
    const COLUMNS: &'static [Column] = &[
        c("portfolio_id", ColType::Ref),
        c("programme_id", ColType::Ref),
        c("code", ColType::Text),
        c("name", ColType::Text),
        c("manager", ColType::Text),
        c("sponsor", ColType::Text),
        c("stage", ColType::Enum),
        c("tier", ColType::Enum),
        c("state", ColType::Enum),
        c("planned_start", ColType::Date),
        c("planned_finish", ColType::Date),
        c("budget_minor", ColType::Int),
    ];
    const SEARCH: &'static str = "name";
    const DEFAULT_SORT: &'static str = "code";
    fn values(&self) -> Vec<Value> {
        let mut v = vec![id(self.portfolio_id), opt_id(self.programme_id)];
        v.extend(governed_values!(self));
        v.push(Value::Int(self.budget.map(|b| b.amount)));
        v
    }
}

impl Stored for StatusReportFields {
    const TABLE: &'static str = "status_reports";
    const COLUMNS: &'static [Column] = &[
        c("project_id", ColType::Ref),
        c("period_end", ColType::Date),
        c("overall", ColType::Enum),
        c("schedule", ColType::Enum),
        c("cost", ColType::Enum),
        c("scope", ColType::Enum),
        c("risk", ColType::Enum),
        c("resources", ColType::Enum),
        c("benefits", ColType::Enum),
    ];
    const SEARCH: &'static str = "overall";
    const DEFAULT_SORT: &'static str = "period_end";
    fn values(&self) -> Vec<Value> {
        let mut v = vec![id(self.project_id), date(Some(self.period_end)), Value::text(self.overall.as_str())];
        v.extend(self.dimensions().iter().map(|(_, r)| Value::text(r.as_str())));
        v
    }
}

impl Stored for MilestoneFields {
    const TABLE: &'static str = "milestones";
    const COLUMNS: &'static [Column] = &[
        c("project_id", ColType::Ref),
        c("name", ColType::Text),
        c("owner", ColType::Text),
        c("baseline", ColType::Date),
        c("forecast", ColType::Date),
        c("actual", ColType::Date),
    ];
    const SEARCH: &'static str = "name";
    const DEFAULT_SORT: &'static str = "forecast";
    fn values(&self) -> Vec<Value> {
        vec![
            id(self.project_id),
            Value::text(&self.name),
            Value::text(&self.owner),
            date(self.baseline),
            date(self.forecast),
            date(self.actual),
        ]
    }
}

impl Stored for RiskFields {
    const TABLE: &'static str = "risks";
    const COLUMNS: &'static [Column] = &[
        c("project_id", ColType::Ref),
        c("title", ColType::Text),
        c("category", ColType::Text),
        c("owner", ColType::Text),
        c("probability", ColType::Int),
        c("impact", ColType::Int),
        c("score", ColType::Int),
        c("response", ColType::Enum),
        c("proximity", ColType::Date),
        c("state", ColType::Enum),
    ];
    const SEARCH: &'static str = "title";
    const DEFAULT_SORT: &'static str = "score";
    fn values(&self) -> Vec<Value> {
        vec![
            id(self.project_id),
            Value::text(&self.title),
            Value::text(&self.category),
            Value::text(&self.owner),
            Value::int(self.probability.get().into()),
            Value::int(self.impact.get().into()),
            Value::int(self.score().into()),
            Value::text(self.response.as_str()),
            date(self.proximity),
            Value::text(self.state.as_str()),
        ]
    }
}

impl Stored for IssueFields {
    const TABLE: &'static str = "issues";
    const COLUMNS: &'static [Column] = &[
        c("project_id", ColType::Ref),
        c("title", ColType::Text),
        c("priority", ColType::Enum),
        c("owner", ColType::Text),
        c("raised_on", ColType::Date),
        c("due", ColType::Date),
        c("state", ColType::Enum),
    ];
    const SEARCH: &'static str = "title";
    const DEFAULT_SORT: &'static str = "raised_on";
    fn values(&self) -> Vec<Value> {
        vec![
            id(self.project_id),
            Value::text(&self.title),
            Value::text(self.priority.as_str()),
            Value::text(&self.owner),
            date(Some(self.raised_on)),
            date(self.due),
            Value::text(self.state.as_str()),
        ]
    }
}

impl Stored for AssumptionFields {
    const TABLE: &'static str = "assumptions";
    const COLUMNS: &'static [Column] = &[
        c("project_id", ColType::Ref),
        c("title", ColType::Text),
        c("owner", ColType::Text),
        c("validate_by", ColType::Date),
        c("state", ColType::Enum),
    ];
    const SEARCH: &'static str = "title";
    const DEFAULT_SORT: &'static str = "validate_by";
    fn values(&self) -> Vec<Value> {
        vec![
            id(self.project_id),
            Value::text(&self.title),
            Value::text(&self.owner),
            date(self.validate_by),
            Value::text(self.state.as_str()),
        ]
    }
}

impl Stored for DependencyFields {
    const TABLE: &'static str = "dependencies";
    const COLUMNS: &'static [Column] = &[
        c("project_id", ColType::Ref),
        c("milestone_id", ColType::Ref),
        c("supplier_project_id", ColType::Ref),
        c("supplier_milestone_id", ColType::Ref),
        c("title", ColType::Text),
        c("owner", ColType::Text),
        c("needed_by", ColType::Date),
        c("state", ColType::Enum),
    ];
    const SEARCH: &'static str = "title";
    const DEFAULT_SORT: &'static str = "needed_by";
    fn values(&self) -> Vec<Value> {
        vec![
            id(self.project_id),
            opt_id(self.milestone_id),
            id(self.supplier_project_id),
            opt_id(self.supplier_milestone_id),
            Value::text(&self.title),
            Value::text(&self.owner),
            date(self.needed_by),
            Value::text(self.state.as_str()),
        ]
    }
}

impl Stored for DecisionFields {
    const TABLE: &'static str = "decisions";
    const COLUMNS: &'static [Column] = &[
        c("project_id", ColType::Ref),
        c("title", ColType::Text),
        c("decided_by", ColType::Text),
        c("decided_on", ColType::Date),
        c("state", ColType::Enum),
    ];
    const SEARCH: &'static str = "title";
    const DEFAULT_SORT: &'static str = "decided_on";
    fn values(&self) -> Vec<Value> {
        vec![
            opt_id(self.project_id),
            Value::text(&self.title),
            Value::text(&self.decided_by),
            date(self.decided_on),
            Value::text(self.state.as_str()),
        ]
    }
}

/// A record this kind points at through one of its columns, whose columns can be filtered and
/// sorted on as `<prefix>.<column>` (a risk's `project.portfolio_id`, a project's
/// `programme.code`).
#[derive(Debug, Clone, Copy)]
pub struct Relation {
    /// The prefix in filter and sort names (`project`).
    pub prefix: &'static str,
    /// The column of this kind holding the other record's ID (`project_id`).
    pub via: &'static str,
    /// The other record's table.
    pub table: &'static str,
    /// The other record's indexed columns.
    pub columns: &'static [Column],
}

/// The records a kind's list can be filtered and sorted by (see [`Relation`]).
pub fn relations(columns: &'static [Column]) -> Vec<Relation> {
    let mut out = Vec::new();
    let has = |name: &str| columns.iter().any(|c| c.name == name && c.ty == ColType::Ref);
    if has("project_id") {
        out.push(Relation {
            prefix: "project",
            via: "project_id",
            table: ProjectFields::TABLE,
            columns: ProjectFields::COLUMNS,
        });
    }
    if has("programme_id") {
        out.push(Relation {
            prefix: "programme",
            via: "programme_id",
            table: ProgrammeFields::TABLE,
            columns: ProgrammeFields::COLUMNS,
        });
    }
    if has("portfolio_id") {
        out.push(Relation {
            prefix: "portfolio",
            via: "portfolio_id",
            table: PortfolioFields::TABLE,
            columns: PortfolioFields::COLUMNS,
        });
    }
    out
}

/// A filter or sort name resolved against a kind: its own column, or a column of a related record.
#[derive(Debug, Clone, Copy)]
pub enum ResolvedColumn {
    /// A column of the kind itself.
    Own(&'static Column),
    /// A column of a record the kind points at.
    Related(Relation, &'static Column),
}

impl ResolvedColumn {
    /// The column's type.
    pub fn ty(&self) -> ColType {
        match self {
            ResolvedColumn::Own(c) | ResolvedColumn::Related(_, c) => c.ty,
        }
    }
}

/// Resolves `name` (`state`, `project.portfolio_id`) against a kind's columns and relations.
pub fn resolve_column(columns: &'static [Column], name: &str) -> Option<ResolvedColumn> {
    match name.split_once('.') {
        None => columns.iter().find(|c| c.name == name).map(ResolvedColumn::Own),
        Some((prefix, col)) => {
            let rel = relations(columns).into_iter().find(|r| r.prefix == prefix)?;
            rel.columns.iter().find(|c| c.name == col).map(|c| ResolvedColumn::Related(rel, c))
        }
    }
}

/// The filter and sort names a kind accepts besides its own columns (`project.code`, ...).
pub fn related_names(columns: &'static [Column]) -> Vec<String> {
    relations(columns).iter().flat_map(|r| r.columns.iter().map(move |c| format!("{}.{}", r.prefix, c.name))).collect()
}

/// A comparison in a list filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterOp {
    /// Equal.
    Eq,
    /// Greater than or equal.
    Gte,
    /// Less than or equal.
    Lte,
    /// Is null (the value is ignored).
    IsNull,
}

/// One filter on an indexed column.
#[derive(Debug, Clone)]
pub struct Filter {
    /// Column name: one of the kind's [`Stored::COLUMNS`], `updated_at`, or a related record's
    /// column as `<relation>.<column>` (see [`resolve_column`]).
    pub column: String,
    /// Comparison.
    pub op: FilterOp,
    /// Value to compare with.
    pub value: Value,
}

/// A page request: filters, free-text search, sort and the cursor from the previous page.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    /// All must match.
    pub filters: Vec<Filter>,
    /// Case-insensitive substring of the kind's search column.
    pub search: Option<String>,
    /// Sort column (default: the kind's default), ties broken by ID; a related record's column
    /// (`project.code`) sorts by that record's value.
    pub sort: Option<String>,
    /// Sort descending.
    pub descending: bool,
    /// Where the previous page ended (opaque, from [`Page::next_cursor`]).
    pub cursor: Option<String>,
    /// Page size (1 to 500; default 50).
    pub limit: Option<u32>,
}

/// One page of results.
#[derive(Debug, Clone)]
pub struct Page<T> {
    /// The records.
    pub items: Vec<T>,
    /// Pass this as the next query's cursor to get the following page; none on the last page.
    pub next_cursor: Option<String>,
}

/// A decoded cursor: the sort key and ID of the last row of a page.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Cursor {
    /// Sort column the cursor was made for.
    pub sort: String,
    /// Whether the sort was descending.
    pub desc: bool,
    /// The sort key of the last row (after null replacement).
    pub key: Value,
    /// The ID of the last row.
    pub id: String,
}

impl Cursor {
    /// Opaque, URL-safe text.
    pub fn encode(&self) -> String {
        let json = serde_json::to_vec(self).unwrap_or_default();
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json)
    }
    /// Parses text made by [`Cursor::encode`].
    pub fn decode(s: &str) -> Result<Self, StoreError> {
        let bad = || StoreError::InvalidQuery {
            field: "cursor".into(),
            message: "is not a cursor returned by this API".into(),
        };
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(s).map_err(|_| bad())?;
        serde_json::from_slice(&bytes).map_err(|_| bad())
    }
}
