//! Generic pages for every kind of record: list, view (with its audit trail), create, edit,
//! delete. A form is described once per kind; values go form → JSON → the domain type, so the
//! same validation as the API applies and errors name the field.

use std::collections::HashMap;

use askama::Template;
use axum::{
    extract::{Path, Query, State},
    response::{IntoResponse, Redirect, Response},
};
use keel_app::{Actor, App, AppError};
use keel_domain::*;
use keel_store::{ListQuery, Stored};
use serde_json::{Map, Value as Json};

use super::{
    Can, Chrome, error_page,
    pages::{AuditRow, audit_rows},
    render,
};
use crate::{
    AppState,
    auth::{UiSession, same_secret},
    registers::with_kind,
};

/// How a field is entered.
#[derive(Debug, Clone)]
pub enum Input {
    /// One line of text.
    Text,
    /// Several lines.
    Area,
    /// A date.
    Date,
    /// A whole number.
    Int,
    /// One of a vocabulary; the bool says whether it may be empty.
    Choice(Vec<(String, String)>, bool),
    /// A record of another kind; the bool says whether it may be empty.
    Ref(EntityKind, bool),
    /// Money: amount and currency.
    Money,
    /// One item per line (a list of strings).
    Lines,
    /// `name: value` per line (custom fields).
    KeyValues,
}

/// One field of a form.
#[derive(Debug, Clone)]
pub struct FieldSpec {
    name: &'static str,
    label: &'static str,
    input: Input,
    help: &'static str,
}

fn f(name: &'static str, label: &'static str, input: Input) -> FieldSpec {
    FieldSpec { name, label, input, help: "" }
}

fn choice<T: Copy>(all: &[T], key: fn(T) -> &'static str, label: fn(T) -> &'static str, optional: bool) -> Input {
    Input::Choice(all.iter().map(|v| (key(*v).to_owned(), label(*v).to_owned())).collect(), optional)
}

fn rag() -> Input {
    choice(Rag::ALL, Rag::as_str, Rag::label, false)
}

fn governed(mut head: Vec<FieldSpec>) -> Vec<FieldSpec> {
    head.extend([
        FieldSpec { help: "2-20 letters, digits or '-', unique in the organisation", ..f("code", "Code", Input::Text) },
        f("name", "Name", Input::Text),
        f("description", "Description", Input::Area),
        f("sponsor", "Sponsor", Input::Text),
        f("manager", "Manager", Input::Text),
        f(
            "stage",
            "Lifecycle stage",
            choice(LifecycleStage::ALL, LifecycleStage::as_str, LifecycleStage::label, false),
        ),
        f("tier", "Governance tier", choice(GovernanceTier::ALL, GovernanceTier::as_str, GovernanceTier::label, false)),
        f("state", "State", choice(WorkState::ALL, WorkState::as_str, WorkState::label, false)),
        f("planned_start", "Planned start", Input::Date),
        f("planned_finish", "Planned finish", Input::Date),
        f("budget", "Budget", Input::Money),
        FieldSpec { help: "one per line, as name: value", ..f("custom_fields", "Custom fields", Input::KeyValues) },
    ]);
    head
}

/// The form of each kind.
pub fn form_spec(kind: EntityKind) -> Vec<FieldSpec> {
    match kind {
        EntityKind::Portfolio => governed(vec![]),
        EntityKind::Programme => {
            governed(vec![f("portfolio_id", "Portfolio", Input::Ref(EntityKind::Portfolio, false))])
        }
        EntityKind::Project => {
            let mut spec = governed(vec![
                f("portfolio_id", "Portfolio", Input::Ref(EntityKind::Portfolio, false)),
                f("programme_id", "Programme", Input::Ref(EntityKind::Programme, true)),
            ]);
            let at = spec.iter().position(|s| s.name == "budget").map_or(spec.len(), |i| i + 1);
            spec.insert(
                at,
                FieldSpec {
                    help: "to date; at closure, the outturn cost (closed projects teach the delivery-risk model)",
                    ..f("actual_cost", "Actual cost", Input::Money)
                },
            );
            spec
        }
        EntityKind::StatusReport => vec![
            f("project_id", "Project", Input::Ref(EntityKind::Project, false)),
            FieldSpec { help: "last day of the reporting period", ..f("period_end", "Period ending", Input::Date) },
            f("overall", "Overall RAG", rag()),
            f("schedule", "Schedule", rag()),
            f("cost", "Cost", rag()),
            f("scope", "Scope", rag()),
            f("risk", "Risk", rag()),
            f("resources", "Resources", rag()),
            f("benefits", "Benefits", rag()),
            f("summary", "Summary", Input::Area),
            f("achievements", "Achievements this period", Input::Area),
            f("next_steps", "Next steps", Input::Area),
            f("decisions_needed", "Decisions needed", Input::Area),
            f("submitted_by", "Submitted by", Input::Text),
        ],
        EntityKind::Milestone => vec![
            f("project_id", "Project", Input::Ref(EntityKind::Project, false)),
            f("name", "Name", Input::Text),
            f("description", "Description", Input::Area),
            f("owner", "Owner", Input::Text),
            f("baseline", "Baseline date", Input::Date),
            f("forecast", "Forecast date", Input::Date),
            f("actual", "Actual date", Input::Date),
        ],
        EntityKind::Risk => vec![
            f("project_id", "Project", Input::Ref(EntityKind::Project, false)),
            f("title", "Risk", Input::Text),
            f("description", "Cause, event and effect", Input::Area),
            f("category", "Category", Input::Text),
            FieldSpec { help: "1 rare … 5 almost certain", ..f("probability", "Probability (1-5)", Input::Int) },
            FieldSpec { help: "1 minimal … 5 severe", ..f("impact", "Impact (1-5)", Input::Int) },
            f("owner", "Owner", Input::Text),
            f("response", "Response", choice(RiskResponse::ALL, RiskResponse::as_str, RiskResponse::label, false)),
            f("response_plan", "Response plan", Input::Area),
            f("proximity", "Proximity", Input::Date),
            f("state", "State", choice(RiskState::ALL, RiskState::as_str, RiskState::label, false)),
            FieldSpec {
                help: "optional; overrides the matrix's percentage for the rating",
                ..f("probability_pct", "Probability (%)", Input::Int)
            },
            f("cost_impact", "Cost impact", Input::Money),
            FieldSpec {
                help: "working days added to the linked tasks if it happens",
                ..f("schedule_impact_days", "Schedule impact (days)", Input::Int)
            },
            FieldSpec { help: "schedule task IDs or names, one per line", ..f("tasks", "Linked tasks", Input::Lines) },
        ],
        EntityKind::Issue => vec![
            f("project_id", "Project", Input::Ref(EntityKind::Project, false)),
            f("title", "Issue", Input::Text),
            f("description", "Description", Input::Area),
            f("priority", "Priority", choice(Priority::ALL, Priority::as_str, Priority::label, false)),
            f("owner", "Owner", Input::Text),
            f("raised_on", "Raised on", Input::Date),
            f("due", "Due", Input::Date),
            f("state", "State", choice(IssueState::ALL, IssueState::as_str, IssueState::label, false)),
            f("resolution", "Resolution", Input::Area),
        ],
        EntityKind::Assumption => vec![
            f("project_id", "Project", Input::Ref(EntityKind::Project, false)),
            f("title", "Assumption", Input::Text),
            f("description", "Why it matters", Input::Area),
            f("owner", "Owner", Input::Text),
            f("validate_by", "Validate by", Input::Date),
            f("state", "State", choice(AssumptionState::ALL, AssumptionState::as_str, AssumptionState::label, false)),
        ],
        EntityKind::Dependency => vec![
            f("project_id", "Dependent project", Input::Ref(EntityKind::Project, false)),
            f("milestone_id", "Dependent milestone", Input::Ref(EntityKind::Milestone, true)),
            f("supplier_project_id", "Supplying project", Input::Ref(EntityKind::Project, false)),
            f("supplier_milestone_id", "Supplying milestone", Input::Ref(EntityKind::Milestone, true)),
            f("title", "What is needed", Input::Text),
            f("description", "Detail", Input::Area),
            f("owner", "Owner", Input::Text),
            f("needed_by", "Needed by", Input::Date),
            f("state", "State", choice(DependencyState::ALL, DependencyState::as_str, DependencyState::label, false)),
        ],
        EntityKind::Decision => vec![
            f("project_id", "Project", Input::Ref(EntityKind::Project, true)),
            f("title", "Decision needed", Input::Text),
            f("context", "Context", Input::Area),
            FieldSpec { help: "one option per line", ..f("options", "Options considered", Input::Lines) },
            f("decision", "Decision", Input::Area),
            f("decided_by", "Decided by", Input::Text),
            f("decided_on", "Decided on", Input::Date),
            f("state", "State", choice(DecisionState::ALL, DecisionState::as_str, DecisionState::label, false)),
        ],
    }
}

/// Form values by input name (money uses `budget.amount` and `budget.currency`).
type Values = HashMap<String, String>;

/// Record JSON → form values.
fn values_from_json(spec: &[FieldSpec], obj: &Map<String, Json>) -> Values {
    let mut v = Values::new();
    for s in spec {
        let j = obj.get(s.name).cloned().unwrap_or(Json::Null);
        match (&s.input, &j) {
            (_, Json::Null) => {}
            (Input::Money, Json::Object(m)) => {
                v.insert(format!("{}.amount", s.name), m.get("amount").and_then(Json::as_str).unwrap_or("").to_owned());
                v.insert(
                    format!("{}.currency", s.name),
                    m.get("currency").and_then(Json::as_str).unwrap_or("").to_owned(),
                );
            }
            (Input::Lines, Json::Array(a)) => {
                v.insert(s.name.into(), a.iter().filter_map(Json::as_str).collect::<Vec<_>>().join("\n"));
            }
            (Input::KeyValues, Json::Object(m)) => {
                let lines: Vec<String> = m
                    .iter()
                    .map(|(k, x)| format!("{k}: {}", x.as_str().map(str::to_owned).unwrap_or_else(|| x.to_string())))
                    .collect();
                v.insert(s.name.into(), lines.join("\n"));
            }
            (_, Json::String(x)) => {
                v.insert(s.name.into(), x.clone());
            }
            (_, other) => {
                v.insert(s.name.into(), other.to_string());
            }
        }
    }
    v
}

/// Form values → record JSON; numbers that do not parse are reported by field.
fn json_from_values(spec: &[FieldSpec], v: &Values) -> Result<Json, ValidationErrors> {
    let mut obj = Map::new();
    let mut errors = ValidationErrors::new();
    let get = |k: &str| v.get(k).map(|s| s.trim().to_owned()).unwrap_or_default();
    for s in spec {
        let raw = get(s.name);
        let value = match &s.input {
            Input::Text | Input::Area => {
                Json::String(v.get(s.name).cloned().unwrap_or_default().replace("\r\n", "\n").trim().to_owned())
            }
            Input::Date | Input::Ref(_, _) | Input::Choice(_, _) => {
                if raw.is_empty() {
                    Json::Null
                } else {
                    Json::String(raw)
                }
            }
            Input::Int if raw.is_empty() => Json::Null,
            Input::Int => match raw.parse::<i64>() {
                Ok(n) => Json::from(n),
                Err(_) => {
                    errors.add(s.name, format!("`{raw}` is not a whole number"));
                    Json::Null
                }
            },
            Input::Money => {
                let amount = get(&format!("{}.amount", s.name));
                if amount.is_empty() {
                    Json::Null
                } else {
                    serde_json::json!({ "amount": amount, "currency": get(&format!("{}.currency", s.name)) })
                }
            }
            Input::Lines => Json::Array(
                raw.lines().map(str::trim).filter(|l| !l.is_empty()).map(|l| Json::String(l.to_owned())).collect(),
            ),
            Input::KeyValues => {
                let mut m = Map::new();
                for (i, line) in raw.lines().map(str::trim).filter(|l| !l.is_empty()).enumerate() {
                    match line.split_once(':') {
                        Some((k, x)) => {
                            let x = x.trim();
                            let val = match x {
                                "true" | "yes" => Json::Bool(true),
                                "false" | "no" => Json::Bool(false),
                                _ => x
                                    .parse::<f64>()
                                    .ok()
                                    .and_then(|n| serde_json::Number::from_f64(n).map(Json::Number))
                                    .unwrap_or_else(|| Json::String(x.to_owned())),
                            };
                            m.insert(k.trim().to_owned(), val);
                        }
                        None => errors.add(s.name, format!("line {}: expected `name: value`", i + 1)),
                    }
                }
                Json::Object(m)
            }
        };
        obj.insert(s.name.to_owned(), value);
    }
    errors.into_result().map(|()| Json::Object(obj))
}

/// A field as the form template prints it.
pub struct FormRow {
    name: String,
    label: String,
    help: String,
    kind: &'static str,
    value: String,
    currency: String,
    options: Vec<(String, String, bool)>,
    error: String,
}

#[derive(Template)]
#[template(path = "form.html")]
struct FormPage {
    chrome: Option<Chrome>,
    title: String,
    action: String,
    cancel: String,
    version: Option<i64>,
    rows: Vec<FormRow>,
    message: Option<String>,
}

async fn ref_options(app: &App, actor: &Actor, kind: EntityKind) -> Vec<(String, String)> {
    let q = ListQuery { limit: Some(500), ..Default::default() };
    macro_rules! opts {
        ($t:ty) => {
            app.records::<$t>()
                .list(actor, &q)
                .await
                .map(|p| p.items.iter().map(|r| (r.id.to_string(), r.fields.label())).collect())
                .unwrap_or_default()
        };
    }
    let mut o: Vec<(String, String)> = match kind {
        EntityKind::Portfolio => opts!(PortfolioFields),
        EntityKind::Programme => opts!(ProgrammeFields),
        EntityKind::Project => {
            let mut all = Vec::new();
            let mut q = ListQuery { limit: Some(500), ..Default::default() };
            while let Ok(page) = app.records::<ProjectFields>().list(actor, &q).await {
                all.extend(page.items.iter().map(|r| (r.id.to_string(), r.fields.label())));
                match page.next_cursor {
                    Some(c) if all.len() < 20_000 => q.cursor = Some(c),
                    _ => break,
                }
            }
            all
        }
        EntityKind::Milestone => opts!(MilestoneFields),
        _ => Vec::new(),
    };
    o.sort_by(|a, b| a.1.cmp(&b.1));
    o
}

async fn form_rows(
    app: &App,
    actor: &Actor,
    kind: EntityKind,
    values: &Values,
    errors: &ValidationErrors,
) -> Vec<FormRow> {
    let mut rows = Vec::new();
    for s in form_spec(kind) {
        let value = values.get(s.name).cloned().unwrap_or_default();
        let error = errors
            .0
            .iter()
            .filter(|e| e.field == s.name || e.field.starts_with(&format!("{}.", s.name)))
            .map(|e| e.message.clone())
            .collect::<Vec<_>>()
            .join("; ");
        let (kind_name, options) = match &s.input {
            Input::Text => ("text", vec![]),
            Input::Area => ("area", vec![]),
            Input::Date => ("date", vec![]),
            Input::Int => ("int", vec![]),
            Input::Money => ("money", vec![]),
            Input::Lines | Input::KeyValues => ("area", vec![]),
            Input::Choice(opts, optional) => {
                let mut o: Vec<(String, String, bool)> =
                    if *optional { vec![(String::new(), "—".into(), value.is_empty())] } else { vec![] };
                o.extend(opts.iter().map(|(k, l)| (k.clone(), l.clone(), *k == value)));
                ("select", o)
            }
            Input::Ref(k, optional) => {
                let mut o: Vec<(String, String, bool)> =
                    if *optional { vec![(String::new(), "—".into(), value.is_empty())] } else { vec![] };
                o.extend(ref_options(app, actor, *k).await.into_iter().map(|(id, l)| {
                    let sel = id == value;
                    (id, l, sel)
                }));
                ("select", o)
            }
        };
        rows.push(FormRow {
            name: s.name.into(),
            label: s.label.into(),
            help: s.help.into(),
            kind: kind_name,
            currency: values.get(&format!("{}.currency", s.name)).cloned().unwrap_or_else(|| "GBP".into()),
            value: if matches!(s.input, Input::Money) {
                values.get(&format!("{}.amount", s.name)).cloned().unwrap_or_default()
            } else {
                value
            },
            options,
            error,
        });
    }
    rows
}

fn kind_of(slug: &str) -> Result<EntityKind, AppError> {
    EntityKind::from_slug(slug).ok_or(AppError::NotFound)
}

/// Where to go after saving: the project page for project records, else the record page.
fn after_save(kind: EntityKind, id: uuid::Uuid, project: Option<ProjectId>) -> String {
    match (kind, project) {
        (EntityKind::Project, _) => format!("/projects/{id}"),
        (_, Some(p)) => format!("/projects/{p}"),
        _ => format!("/r/{}/{id}", kind.slug()),
    }
}

#[derive(Template)]
#[template(path = "record.html")]
struct RecordPage {
    chrome: Option<Chrome>,
    title: String,
    kind: String,
    slug: String,
    id: String,
    version: i64,
    fields: Vec<(String, String)>,
    audit: Vec<AuditRow>,
    back: String,
    overview: Option<super::scope::Overview>,
    can: Can,
}

async fn view_of<F: Stored>(app: &App, actor: &Actor, id: &str) -> Result<(Record<F>, Vec<AuditEntry>), AppError> {
    let id: Id<F> = id.parse().map_err(|_| AppError::NotFound)?;
    let r = app.records::<F>().get(actor, id).await?;
    let h = app.records::<F>().history(actor, id).await?;
    Ok((r, h))
}

/// A custom field's name as people read it: `cost_centre` is "Cost centre".
fn human_key(k: &str) -> String {
    let spaced = k.replace(['_', '-'], " ");
    let mut chars = spaced.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

fn display_fields(kind: EntityKind, json: &Json) -> Vec<(String, String)> {
    form_spec(kind)
        .iter()
        .map(|s| {
            let v = &json[s.name];
            let text = match v {
                Json::Null => "—".to_owned(),
                Json::String(x) => x.clone(),
                Json::Array(a) => a
                    .iter()
                    .map(|x| x.as_str().map(str::to_owned).unwrap_or_else(|| x.to_string()))
                    .collect::<Vec<_>>()
                    .join("; "),
                Json::Object(m) if matches!(s.input, Input::KeyValues) => m
                    .iter()
                    .map(|(k, x)| {
                        format!("{}: {}", human_key(k), x.as_str().map(str::to_owned).unwrap_or_else(|| x.to_string()))
                    })
                    .collect::<Vec<_>>()
                    .join("\n"),
                Json::Object(_) if matches!(s.input, Input::Money) => serde_json::from_value::<Money>(v.clone())
                    .map(|m| keel_report::cell_text(&crate::registers::money(Some(m))))
                    .unwrap_or_else(|_| v.to_string()),
                other => other.to_string(),
            };
            (s.label.to_owned(), text)
        })
        .collect()
}

/// `GET /r/{kind}/{id}`
pub async fn record_page(
    State(state): State<AppState>,
    UiSession(s): UiSession,
    Path((slug, id)): Path<(String, String)>,
) -> Response {
    let chrome = Chrome::new(&s, "records");
    let kind = match kind_of(&slug) {
        Ok(k) => k,
        Err(e) => return error_page(Some(chrome), e),
    };
    let res = with_kind!(kind, F => view_of::<F>(&state.app, &s.actor, &id).await.map(|(r, h)| {
        let json = serde_json::to_value(&r.fields).unwrap_or_default();
        (r.fields.label(), r.version, display_fields(kind, &json), h, r.fields.project_id())
    }));
    let overview = match (&res, kind) {
        (Ok(_), EntityKind::Portfolio | EntityKind::Programme) => match id.parse::<uuid::Uuid>() {
            Ok(uuid) => match super::scope::overview(&state.app, &s.actor, kind, uuid).await {
                Ok(o) => Some(o),
                Err(e) => return error_page(Some(chrome), e),
            },
            Err(_) => None,
        },
        _ => None,
    };
    match res {
        Ok((label, version, fields, history, project)) => render(&RecordPage {
            overview,
            can: chrome.can,
            chrome: Some(chrome),
            title: label,
            kind: kind.label().into(),
            slug: kind.slug().into(),
            id,
            version,
            fields,
            audit: audit_rows(&history),
            back: project.map(|p| format!("/projects/{p}")).unwrap_or_else(|| format!("/r/{}", kind.slug())),
        }),
        Err(e) => error_page(Some(chrome), e),
    }
}

/// Defaults for a new record from the query (e.g. `?project_id=...`), plus sensible dates.
fn new_defaults(kind: EntityKind, q: &HashMap<String, String>, actor: &Actor, today: chrono::NaiveDate) -> Values {
    let mut v: Values = q.iter().filter(|(k, _)| !k.starts_with('_')).map(|(k, x)| (k.clone(), x.clone())).collect();
    match kind {
        EntityKind::StatusReport => {
            // The period a report submitted today covers ends today: a report dated in the
            // future would be left out of every view and report made before that day.
            v.entry("period_end".into()).or_insert_with(|| today.to_string());
            v.entry("submitted_by".into()).or_insert_with(|| actor.name.clone());
        }
        EntityKind::Issue => {
            v.entry("raised_on".into()).or_insert_with(|| today.to_string());
        }
        EntityKind::Risk => {
            v.entry("probability".into()).or_insert_with(|| "3".into());
            v.entry("impact".into()).or_insert_with(|| "3".into());
        }
        EntityKind::Portfolio | EntityKind::Programme | EntityKind::Project => {
            v.entry("tier".into()).or_insert_with(|| "standard".into());
            v.entry("state".into()).or_insert_with(|| "proposed".into());
            v.entry("stage".into()).or_insert_with(|| "concept".into());
        }
        _ => {}
    }
    v
}

/// Prefills a new status report from the project's latest one, so a PM only edits what changed.
/// Returns that latest report, if any.
async fn prefill_status(app: &App, actor: &Actor, v: &mut Values) -> Option<Record<StatusReportFields>> {
    let pid = v.get("project_id").cloned()?;
    let q = ListQuery {
        filters: vec![keel_store::Filter {
            column: "project_id".into(),
            op: keel_store::FilterOp::Eq,
            value: keel_store::Value::text(pid),
        }],
        sort: Some("period_end".into()),
        descending: true,
        limit: Some(1),
        ..Default::default()
    };
    let last = app.records::<StatusReportFields>().list(actor, &q).await.ok()?.items.into_iter().next()?;
    let json = serde_json::to_value(&last.fields).unwrap_or_default();
    for k in ["overall", "schedule", "cost", "scope", "risk", "resources", "benefits", "next_steps"] {
        if let Some(s) = json[k].as_str() {
            v.entry(k.into()).or_insert_with(|| s.to_owned());
        }
    }
    Some(last)
}

/// The notice for a project whose status is already reported for the period the form offers.
fn already_reported(last: &Record<StatusReportFields>, offered: &str) -> Option<String> {
    let offered = chrono::NaiveDate::parse_from_str(offered, "%Y-%m-%d").ok()?;
    (last.fields.period_end >= offered).then(|| {
        format!(
            "A status report for the period ending {} was already submitted by {}. Edit that report, or choose a \
             later period end.",
            last.fields.period_end, last.fields.submitted_by
        )
    })
}

/// `GET /r/{kind}/new`
pub async fn new_page(
    State(state): State<AppState>,
    UiSession(s): UiSession,
    Path(slug): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let chrome = Chrome::new(&s, "records");
    let kind = match kind_of(&slug) {
        Ok(k) => k,
        Err(e) => return error_page(Some(chrome), e),
    };
    if let Err(e) = s.actor.require(Action::for_record(kind, roles::Op::Create)) {
        return error_page(Some(chrome), e);
    }
    let mut values = new_defaults(kind, &q, &s.actor, state.app.today());
    let mut message = None;
    if kind == EntityKind::StatusReport
        && let Some(last) = prefill_status(&state.app, &s.actor, &mut values).await
    {
        message = values.get("period_end").and_then(|p| already_reported(&last, p));
    }
    let cancel = values.get("project_id").map(|p| format!("/projects/{p}")).unwrap_or_else(|| format!("/r/{slug}"));
    let rows = form_rows(&state.app, &s.actor, kind, &values, &ValidationErrors::new()).await;
    let title = if kind == EntityKind::StatusReport {
        "Submit status report".to_owned()
    } else {
        format!("New {}", kind.label().to_lowercase())
    };
    render(&FormPage {
        chrome: Some(chrome),
        title,
        action: format!("/r/{slug}/new"),
        cancel,
        version: None,
        rows,
        message,
    })
}

fn parse_form(body: &[u8]) -> Values {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body).unwrap_or_default().into_iter().collect()
}

async fn create_of<F: Stored>(
    app: &App,
    actor: &Actor,
    json: Json,
) -> Result<(uuid::Uuid, Option<ProjectId>), AppError> {
    let fields: F = crate::api::ApiJsonValue::decode(json)?;
    let r = app.records::<F>().create(actor, fields).await?;
    Ok((r.id.uuid(), r.fields.project_id()))
}

async fn update_of<F: Stored>(
    app: &App,
    actor: &Actor,
    id: &str,
    version: i64,
    json: Json,
) -> Result<(uuid::Uuid, Option<ProjectId>), AppError> {
    let id: Id<F> = id.parse().map_err(|_| AppError::NotFound)?;
    // Start from the stored record so fields the form does not show (a decision's links) are kept.
    let current = app.records::<F>().get(actor, id).await?;
    let mut merged = serde_json::to_value(&current.fields).map_err(|e| AppError::Internal(e.to_string()))?;
    if let (Some(target), Json::Object(form)) = (merged.as_object_mut(), json) {
        target.extend(form);
    }
    let fields: F = crate::api::ApiJsonValue::decode(merged)?;
    let r = app.records::<F>().update(actor, id, version, fields).await?;
    Ok((r.id.uuid(), r.fields.project_id()))
}

async fn form_error(
    state: &AppState,
    s: &keel_app::Session,
    kind: EntityKind,
    action: String,
    version: Option<i64>,
    values: &Values,
    e: AppError,
) -> Response {
    let chrome = Chrome::new(s, "records");
    let (errors, message, status) = match e {
        AppError::Validation(v) => {
            (v, Some("Please correct the highlighted fields.".to_owned()), axum::http::StatusCode::UNPROCESSABLE_ENTITY)
        }
        AppError::StaleVersion { current } => (
            ValidationErrors::new(),
            Some(format!(
                "Someone else changed this record while you were editing (it is now at version {current}). Your changes were not saved: open the record again to see theirs, then re-apply yours."
            )),
            axum::http::StatusCode::PRECONDITION_FAILED,
        ),
        AppError::Conflict(m) => (ValidationErrors::new(), Some(m), axum::http::StatusCode::CONFLICT),
        other => return error_page(Some(chrome), other),
    };
    let rows = form_rows(&state.app, &s.actor, kind, values, &errors).await;
    let cancel =
        values.get("project_id").map(|p| format!("/projects/{p}")).unwrap_or_else(|| format!("/r/{}", kind.slug()));
    let page = FormPage {
        chrome: Some(chrome),
        title: format!("{} — not saved", kind.label()),
        action,
        cancel,
        version,
        rows,
        message,
    };
    (status, render(&page)).into_response()
}

/// `POST /r/{kind}/new`
pub async fn create_submit(
    State(state): State<AppState>,
    UiSession(s): UiSession,
    Path(slug): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    let values = parse_form(&body);
    if !same_secret(values.get("_csrf").map(String::as_str).unwrap_or(""), &s.csrf_token) {
        return error_page(
            Some(Chrome::new(&s, "records")),
            AppError::Forbidden("the form has expired: reload the page and try again".into()),
        );
    }
    let kind = match kind_of(&slug) {
        Ok(k) => k,
        Err(e) => return error_page(Some(Chrome::new(&s, "records")), e),
    };
    let res = match json_from_values(&form_spec(kind), &values) {
        Ok(json) => with_kind!(kind, F => create_of::<F>(&state.app, &s.actor, json).await),
        Err(e) => Err(AppError::Validation(e)),
    };
    match res {
        Ok((id, project)) => Redirect::to(&after_save(kind, id, project)).into_response(),
        Err(e) => form_error(&state, &s, kind, format!("/r/{slug}/new"), None, &values, e).await,
    }
}

/// `GET /r/{kind}/{id}/edit`
pub async fn edit_page(
    State(state): State<AppState>,
    UiSession(s): UiSession,
    Path((slug, id)): Path<(String, String)>,
) -> Response {
    let chrome = Chrome::new(&s, "records");
    let kind = match kind_of(&slug) {
        Ok(k) => k,
        Err(e) => return error_page(Some(chrome), e),
    };
    if let Err(e) = s.actor.require(Action::for_record(kind, roles::Op::Update)) {
        return error_page(Some(chrome), e);
    }
    let res = with_kind!(kind, F => view_of::<F>(&state.app, &s.actor, &id).await.map(|(r, _)| {
        (serde_json::to_value(&r.fields).unwrap_or_default(), r.version, r.fields.label())
    }));
    match res {
        Ok((json, version, label)) => {
            let values = values_from_json(&form_spec(kind), json.as_object().unwrap_or(&Map::new()));
            let rows = form_rows(&state.app, &s.actor, kind, &values, &ValidationErrors::new()).await;
            let cancel =
                if kind == EntityKind::Project { format!("/projects/{id}") } else { format!("/r/{slug}/{id}") };
            render(&FormPage {
                chrome: Some(chrome),
                title: format!("Edit {}: {label}", kind.label().to_lowercase()),
                action: format!("/r/{slug}/{id}/edit"),
                cancel,
                version: Some(version),
                rows,
                message: None,
            })
        }
        Err(e) => error_page(Some(chrome), e),
    }
}

/// `POST /r/{kind}/{id}/edit`
pub async fn update_submit(
    State(state): State<AppState>,
    UiSession(s): UiSession,
    Path((slug, id)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Response {
    let values = parse_form(&body);
    if !same_secret(values.get("_csrf").map(String::as_str).unwrap_or(""), &s.csrf_token) {
        return error_page(
            Some(Chrome::new(&s, "records")),
            AppError::Forbidden("the form has expired: reload the page and try again".into()),
        );
    }
    let kind = match kind_of(&slug) {
        Ok(k) => k,
        Err(e) => return error_page(Some(Chrome::new(&s, "records")), e),
    };
    let Some(version) = values.get("_version").and_then(|v| v.parse::<i64>().ok()) else {
        return error_page(
            Some(Chrome::new(&s, "records")),
            AppError::field("_version", "is missing: reload the form"),
        );
    };
    let res = match json_from_values(&form_spec(kind), &values) {
        Ok(json) => with_kind!(kind, F => update_of::<F>(&state.app, &s.actor, &id, version, json).await),
        Err(e) => Err(AppError::Validation(e)),
    };
    match res {
        Ok((rid, project)) => Redirect::to(&after_save(kind, rid, project)).into_response(),
        Err(e) => form_error(&state, &s, kind, format!("/r/{slug}/{id}/edit"), Some(version), &values, e).await,
    }
}

/// `POST /r/{kind}/{id}/delete`
pub async fn delete_submit(
    State(state): State<AppState>,
    UiSession(s): UiSession,
    Path((slug, id)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Response {
    let values = parse_form(&body);
    let chrome = Chrome::new(&s, "records");
    if !same_secret(values.get("_csrf").map(String::as_str).unwrap_or(""), &s.csrf_token) {
        return error_page(
            Some(chrome),
            AppError::Forbidden("the form has expired: reload the page and try again".into()),
        );
    }
    let kind = match kind_of(&slug) {
        Ok(k) => k,
        Err(e) => return error_page(Some(chrome), e),
    };
    let version = values.get("_version").and_then(|v| v.parse::<i64>().ok()).unwrap_or(0);
    let back = values
        .get("_back")
        .filter(|b| b.starts_with('/') && !b.starts_with("//"))
        .cloned()
        .unwrap_or_else(|| format!("/r/{slug}"));
    let res = with_kind!(kind, F => match id.parse::<Id<F>>() {
        Ok(id) => state.app.records::<F>().delete(&s.actor, id, version).await,
        Err(_) => Err(AppError::NotFound),
    });
    match res {
        Ok(()) => Redirect::to(if kind == EntityKind::Project { "/" } else { &back }).into_response(),
        Err(e) => error_page(Some(chrome), e),
    }
}
