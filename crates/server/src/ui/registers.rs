//! The register pages (`/r/{kind}`): the table, its filters, sortable headings, paging and the
//! CSV/Excel download of the same table (`?format=csv|xlsx`).

use askama::Template;
use axum::{
    extract::{Path, Query, State},
    response::{IntoResponse, Response},
};
use keel_app::{Actor, App, AppError};
use keel_domain::*;
use keel_engine::report::Cell;
use keel_store::{Filter, FilterOp, ListQuery, Value};

use super::{Can, Chrome, error_page, pages::rag_class, render};
use crate::{
    AppState,
    auth::UiSession,
    registers::{self, Register, RegisterParams, scope_column, with_kind},
};

/// A column heading: its label, the link that sorts by it, and the arrow of the current sort.
pub struct Heading {
    pub(super) label: &'static str,
    pub(super) link: Option<String>,
    pub(super) arrow: &'static str,
    pub(super) aria: &'static str,
}

impl Heading {
    /// A heading that sorts by `sort` (if any) through `link(sort, dir)`: a first click sorts
    /// ascending, a click on the current ascending column sorts descending.
    pub fn new(
        label: &'static str,
        sort: Option<&'static str>,
        current: &str,
        desc: bool,
        link: impl Fn(&str, &str) -> String,
    ) -> Self {
        let is_current = sort == Some(current);
        let (arrow, aria) = match (is_current, desc) {
            (false, _) => ("", "none"),
            (true, false) => ("▲", "ascending"),
            (true, true) => ("▼", "descending"),
        };
        Heading { label, link: sort.map(|s| link(s, if is_current && !desc { "desc" } else { "asc" })), arrow, aria }
    }
}

/// A cell as the page prints it.
pub struct CellView {
    pub(super) text: String,
    /// The RAG class for RAG cells, empty otherwise.
    pub(super) rag: &'static str,
    pub(super) num: bool,
}

/// A row as the page prints it: the first cell links to the record.
pub struct RowView {
    pub(super) link: String,
    pub(super) cells: Vec<CellView>,
}

/// A filter option.
pub struct Choice {
    value: String,
    label: String,
    selected: bool,
}

/// A filter: its query name, label and options (none: the filter does not apply).
pub struct FilterView {
    name: &'static str,
    label: &'static str,
    options: Vec<Choice>,
}

#[derive(Template)]
#[template(path = "records.html")]
struct RegisterPage {
    chrome: Option<Chrome>,
    can: Can,
    title: String,
    slug: String,
    headings: Vec<Heading>,
    rows: Vec<RowView>,
    filters: Vec<FilterView>,
    q: String,
    sort: String,
    dir: String,
    next: Option<String>,
    first: Option<String>,
    csv: String,
    xlsx: String,
    reset: String,
}

/// A cell's text (the one formatter of reports and exports) and how it is drawn.
pub fn cell_view(c: &Cell) -> CellView {
    CellView {
        text: keel_report::cell_text(c),
        rag: match c {
            Cell::Rag(r) => rag_class(*r),
            _ => "",
        },
        num: matches!(c, Cell::Int(_) | Cell::Number { .. } | Cell::Money { .. } | Cell::Percent(_)),
    }
}

fn choices(items: impl IntoIterator<Item = (String, String)>, selected: Option<&str>) -> Vec<Choice> {
    items
        .into_iter()
        .map(|(value, label)| Choice { selected: selected == Some(value.as_str()), value, label })
        .collect()
}

fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// Records of kind `T` under the chosen portfolio (and programme), for a filter's options.
async fn scoped<T: keel_store::Stored>(
    app: &App,
    actor: &Actor,
    filters: Vec<(&'static str, Option<&str>)>,
) -> Result<Vec<(String, String)>, AppError> {
    let mut q = ListQuery { limit: Some(500), sort: Some("code".into()), ..Default::default() };
    for (column, value) in filters {
        if let Some(v) = value
            && v.parse::<uuid::Uuid>().is_ok()
        {
            q.filters.push(Filter { column: column.into(), op: FilterOp::Eq, value: Value::text(v) });
        }
    }
    let page = app.records::<T>().list(actor, &q).await?;
    Ok(page.items.iter().map(|r| (r.id.to_string(), r.fields.label())).collect())
}

/// The filters that apply to `F`, with their options (programmes of the chosen portfolio only,
/// projects of the chosen portfolio and programme only).
async fn filters<F: Register>(app: &App, actor: &Actor, p: &RegisterParams) -> Result<Vec<FilterView>, AppError> {
    let mut out = Vec::new();
    let (pf, pg) = (given(&p.portfolio), given(&p.programme));
    if scope_column::<F>("portfolio_id").is_some() {
        let o = scoped::<PortfolioFields>(app, actor, vec![]).await?;
        out.push(FilterView { name: "portfolio", label: "Portfolio", options: choices(o, pf) });
    }
    if scope_column::<F>("programme_id").is_some() {
        let o = scoped::<ProgrammeFields>(app, actor, vec![("portfolio_id", pf)]).await?;
        out.push(FilterView { name: "programme", label: "Programme", options: choices(o, pg) });
    }
    if scope_column::<F>("project_id").is_some() {
        let o = scoped::<ProjectFields>(app, actor, vec![("portfolio_id", pf), ("programme_id", pg)]).await?;
        out.push(FilterView { name: "project", label: "Project", options: choices(o, given(&p.project)) });
    }
    if let Some(column) = F::OWNER {
        let owners = app.records::<F>().distinct(actor, column).await?;
        let label = F::columns().iter().find(|c| c.sort == Some(column)).map_or("Owner", |c| c.label);
        out.push(FilterView {
            name: "owner",
            label,
            options: choices(owners.into_iter().map(|o| (o.clone(), o)), given(&p.owner)),
        });
    }
    if F::STATE.is_some() {
        out.push(FilterView { name: "state", label: F::STATE_LABEL, options: choices(F::states(), given(&p.state)) });
    }
    if F::KIND == EntityKind::Risk {
        let bands = ScoreBand::ALL.iter().rev().map(|b| (b.as_str().to_owned(), b.label().to_owned()));
        out.push(FilterView { name: "band", label: "Score", options: choices(bands, given(&p.band)) });
    }
    Ok(out)
}

fn link(slug: &str, pairs: &[(&str, String)]) -> String {
    if pairs.is_empty() {
        format!("/r/{slug}")
    } else {
        format!("/r/{slug}?{}", serde_urlencoded::to_string(pairs).unwrap_or_default())
    }
}

async fn register_page<F: Register>(
    app: &App,
    actor: &Actor,
    p: &RegisterParams,
    chrome: Chrome,
) -> Result<Response, AppError> {
    let q = registers::list_query::<F>(p)?;
    let slug = F::KIND.slug();
    if let Some(format) = given(&p.format) {
        let table = registers::table::<F>(app, actor, q).await?;
        return Ok(registers::download(&table, format, slug)?.into_response());
    }
    let (sort, desc) = p.sort::<F>()?;
    let (rows, next) = registers::page::<F>(app, actor, &q).await?;
    let keep: Vec<(&str, String)> = p.pairs().into_iter().filter(|(k, _)| !matches!(*k, "sort" | "dir")).collect();
    let headings = F::columns()
        .iter()
        .map(|c| {
            Heading::new(c.label, c.sort, sort, desc, |s, d| {
                let mut pairs = keep.clone();
                pairs.push(("sort", s.to_owned()));
                pairs.push(("dir", d.to_owned()));
                link(slug, &pairs)
            })
        })
        .collect();
    let all = p.pairs();
    let with = |k: &'static str, v: String| {
        let mut pairs = all.clone();
        pairs.push((k, v));
        link(slug, &pairs)
    };
    let page = RegisterPage {
        title: format!("{}s", F::KIND.label()),
        slug: slug.to_owned(),
        headings,
        rows: rows
            .iter()
            .map(|r| RowView { link: r.link.clone(), cells: r.cells.iter().map(cell_view).collect() })
            .collect(),
        filters: filters::<F>(app, actor, p).await?,
        q: given(&p.q).unwrap_or_default().to_owned(),
        sort: sort.to_owned(),
        dir: if desc { "desc" } else { "asc" }.to_owned(),
        next: next.map(|c| with("cursor", c)),
        first: given(&p.cursor).map(|_| link(slug, &all)),
        csv: with("format", "csv".into()),
        xlsx: with("format", "xlsx".into()),
        reset: format!("/r/{slug}"),
        can: chrome.can,
        chrome: Some(chrome),
    };
    Ok(render(&page))
}

/// `GET /r/{kind}`: the register, or its download with `?format=csv|xlsx`.
pub async fn list_page(
    State(state): State<AppState>,
    UiSession(s): UiSession,
    Path(slug): Path<String>,
    Query(p): Query<RegisterParams>,
) -> Response {
    let chrome = Chrome::new(&s, "records");
    let Some(kind) = EntityKind::from_slug(&slug) else {
        return error_page(Some(chrome), AppError::NotFound);
    };
    let res = with_kind!(kind, F => register_page::<F>(&state.app, &s.actor, &p, chrome.clone()).await);
    match res {
        Ok(r) => r,
        Err(e) => error_page(Some(chrome), e),
    }
}
