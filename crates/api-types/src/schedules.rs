//! Schedule DTOs: versions, tasks, links, quality, variance.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;

/// Something in the imported file Keel did not model.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ImportWarningResponse {
    /// Where (a task, a calendar, a table, a line).
    pub location: String,
    /// What was met and what Keel did with it.
    pub message: String,
}

/// The report of one import.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ImportReportResponse {
    /// Features not modelled.
    pub warnings: Vec<ImportWarningResponse>,
    /// DCMA checks passed.
    pub quality_passed: usize,
    /// DCMA checks failed.
    pub quality_failed: usize,
    /// Tasks compared with the dates the writing tool stored.
    pub check_compared: usize,
    /// Tasks whose stored dates Keel reproduces.
    pub check_matched: usize,
    /// Project milestones created from schedule milestones.
    pub milestones_created: usize,
    /// Project milestones updated from schedule milestones.
    pub milestones_updated: usize,
    /// The plan belonged to another time than the project: the evidence ("This plan runs 7 Jan
    /// 2013 to 30 Sep 2013; PRJ-001 is planned from 5 Jan 2026 to 18 Dec 2026.").
    #[serde(default)]
    pub dates_warning: Option<String>,
    /// How the plan was moved in time when imported with `dates=rebase` ("Rebased by 678 weeks
    /// from 7 Jan 2013 to 5 Jan 2026").
    #[serde(default)]
    pub rebased: Option<String>,
    /// Whole weeks the plan was moved (negative: earlier), when rebased.
    #[serde(default)]
    pub rebased_weeks: Option<i64>,
}

/// One stored schedule version.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ScheduleVersionResponse {
    /// Project.
    pub project_id: uuid::Uuid,
    /// Version number (1 = first import).
    pub version: i64,
    /// When it was imported.
    pub imported_at: DateTime<Utc>,
    /// Who imported it.
    pub imported_by: String,
    /// File name.
    pub file_name: String,
    /// Format read (mspdi, mpx, xer, pmxml, csv, xlsx).
    pub format: String,
    /// Number of tasks.
    pub task_count: i64,
    /// Computed finish.
    pub finish: Option<NaiveDateTime>,
    /// Import report.
    pub report: ImportReportResponse,
}

/// A schedule version's headline numbers.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ScheduleSummaryResponse {
    /// The version.
    pub version: ScheduleVersionResponse,
    /// Plan name.
    pub name: String,
    /// Tool that wrote it.
    pub origin: String,
    /// Writer and version as the file states it.
    pub source_format: String,
    /// Rule set the engine applied (ms_project or primavera).
    pub mode: String,
    /// Earliest project start.
    pub start: Option<NaiveDateTime>,
    /// Computed finish.
    pub finish: NaiveDateTime,
    /// Status or data date.
    pub status_date: Option<NaiveDateTime>,
    /// Critical tasks.
    pub critical_tasks: usize,
    /// Codes of the tasks on the longest path, first to last.
    pub longest_path: Vec<String>,
    /// Links.
    pub link_count: usize,
    /// Calendars.
    pub calendar_count: usize,
    /// Baseline numbers present.
    pub baselines: Vec<u8>,
}

/// A task with its computed dates.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ScheduleTaskResponse {
    /// Position in the plan (0-based); links and parents refer to it.
    pub index: usize,
    /// The tool's unique ID.
    pub key: String,
    /// The ID users see.
    pub code: String,
    /// Name.
    pub name: String,
    /// WBS code.
    pub wbs: String,
    /// Outline level (1 = top).
    pub outline_level: u16,
    /// Parent summary task's index.
    pub parent: Option<usize>,
    /// task, summary, milestone, finish_milestone, level_of_effort, wbs_summary.
    pub kind: String,
    /// Planned duration in working minutes (clock minutes when elapsed).
    pub duration_minutes: i64,
    /// Duration in the unit it was entered in, e.g. "5d", "3ed", "2w?".
    pub duration: String,
    /// Percent complete.
    pub percent_complete: f64,
    /// Actual start.
    pub actual_start: Option<NaiveDateTime>,
    /// Actual finish.
    pub actual_finish: Option<NaiveDateTime>,
    /// Current start: actual, else early.
    pub start: NaiveDateTime,
    /// Current finish: actual, else early.
    pub finish: NaiveDateTime,
    /// Early start.
    pub early_start: NaiveDateTime,
    /// Early finish.
    pub early_finish: NaiveDateTime,
    /// Late start.
    pub late_start: NaiveDateTime,
    /// Late finish.
    pub late_finish: NaiveDateTime,
    /// Total float, working minutes.
    pub total_float_minutes: i64,
    /// Free float, working minutes.
    pub free_float_minutes: i64,
    /// On the critical path.
    pub critical: bool,
    /// Constraint type, e.g. "snet".
    pub constraint: Option<String>,
    /// Constraint date.
    pub constraint_date: Option<NaiveDateTime>,
    /// Deadline.
    pub deadline: Option<NaiveDateTime>,
    /// Calendar name.
    pub calendar: Option<String>,
    /// Main baseline start.
    pub baseline_start: Option<NaiveDateTime>,
    /// Main baseline finish.
    pub baseline_finish: Option<NaiveDateTime>,
}

/// A relationship.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ScheduleLinkResponse {
    /// Predecessor index.
    pub pred: usize,
    /// Successor index.
    pub succ: usize,
    /// Predecessor code.
    pub pred_code: String,
    /// Successor code.
    pub succ_code: String,
    /// FS, SS, FF or SF.
    #[serde(rename = "type")]
    pub kind: String,
    /// Lag as entered, e.g. "+2d", "-1d", "+50%", "" for none.
    pub lag: String,
    /// Lag in minutes (basis points of the predecessor's duration for percent lags).
    pub lag_amount: i64,
}

/// One DCMA check.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct QualityCheckResponse {
    /// DCMA number 1-14.
    pub number: u8,
    /// Name.
    pub name: String,
    /// Measured value.
    pub value: f64,
    /// "%", "count", "index" or "pass".
    pub unit: String,
    /// Threshold.
    pub threshold: f64,
    /// pass, fail or not_applicable.
    pub verdict: String,
    /// The verdict for people: `Pass`, `Fail`, `Not applicable`.
    pub verdict_label: String,
    /// Tasks (or links) looked at.
    pub population: usize,
    /// Codes of the offending tasks.
    pub tasks: Vec<String>,
    /// What was measured.
    pub detail: String,
}

/// The DCMA 14-point assessment.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct QualityResponse {
    /// Thresholds used (names as query parameters accept them).
    #[schema(value_type = Object)]
    pub thresholds: Value,
    /// Checks passed.
    pub passed: usize,
    /// Checks failed.
    pub failed: usize,
    /// The fourteen checks.
    pub checks: Vec<QualityCheckResponse>,
}

/// Variance of one task (or the project) against a baseline.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct VarianceRowResponse {
    /// Task code; absent for the project row.
    pub code: Option<String>,
    /// Task name or the plan's name.
    pub name: String,
    /// Baseline start.
    pub baseline_start: Option<NaiveDateTime>,
    /// Baseline finish.
    pub baseline_finish: Option<NaiveDateTime>,
    /// Current start (actual, else early).
    pub start: NaiveDateTime,
    /// Current finish (actual, else early).
    pub finish: NaiveDateTime,
    /// Start variance, calendar days (positive = later).
    pub start_days: Option<f64>,
    /// Finish variance, calendar days.
    pub finish_days: Option<f64>,
    /// Duration variance, working days.
    pub duration_days: Option<f64>,
}

/// Baseline variance.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct VarianceResponse {
    /// Baseline number (0 = main).
    pub baseline: u8,
    /// The project as a whole.
    pub project: Option<VarianceRowResponse>,
    /// Per task with that baseline.
    pub tasks: Vec<VarianceRowResponse>,
}

pub(crate) fn add_schemas(add: &mut dyn FnMut(&str, Value)) {
    macro_rules! schema {
        ($($t:ty),*) => {$(
            add(<$t as utoipa::ToSchema>::name().as_ref(), serde_json::to_value(<$t as utoipa::PartialSchema>::schema()).unwrap_or_default());
        )*};
    }
    schema!(
        ImportWarningResponse,
        ImportReportResponse,
        ScheduleVersionResponse,
        ScheduleSummaryResponse,
        ScheduleTaskResponse,
        ScheduleLinkResponse,
        QualityCheckResponse,
        QualityResponse,
        VarianceRowResponse,
        VarianceResponse
    );
}

fn ok(description: &str, schema: Value) -> Value {
    json!({"description": description, "content": {"application/json": {"schema": schema}}})
}

fn r(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

/// The schedule paths of the OpenAPI document.
/// Builds the problem responses of an operation from (status, description) pairs.
pub(crate) type Problems<'a> = &'a dyn Fn(&[(&str, &str)]) -> serde_json::Map<String, Value>;

pub(crate) fn paths(problems: Problems<'_>) -> BTreeMap<String, Value> {
    let id = json!({"name": "id", "in": "path", "required": true, "schema": {"type": "string", "format": "uuid"}, "description": "Project ID"});
    let version = json!({"name": "version", "in": "query", "schema": {"type": "integer"}, "description": "Schedule version (default: the latest)"});
    let with = |mut m: serde_json::Map<String, Value>, code: &str, v: Value| {
        m.insert(code.into(), v);
        Value::Object(m)
    };
    let tag = ["Schedules"];
    let mut out = BTreeMap::new();
    out.insert("/api/v1/projects/{id}/schedule/versions".into(), json!({"parameters": [id],
        "get": {"tags": tag, "summary": "The project's schedule versions, newest first",
            "responses": with(problems(&[("404", "No such project")]), "200", ok("Versions", json!({"type": "array", "items": r("ScheduleVersionResponse")})))},
        "post": {"tags": tag, "summary": "Import a schedule file (MSPDI XML, MPX, XER, P6 XML, CSV, XLSX) as the project's next version",
            "parameters": [{"name": "dates", "in": "query", "required": false, "description": "A plan from another time: keep its dates or rebase it (same as the `dates` form part)", "schema": {"type": "string", "enum": ["keep", "rebase"]}}],
            "description": "multipart/form-data with a `file` part (and an optional `format` part: mspdi, mpx, xer, pmxml, csv, xlsx, and an optional `dates` part: keep or rebase). The schedule is computed and assessed; milestone tasks create or update the project's milestones. A plan from another time than the project (its start over 180 days from the project's planned start, or, without planned dates, finished over a year ago) is refused with a 422 field error on `dates` naming both sets of dates unless `dates` is given: `keep` imports its dates as they are, `rebase` moves it by whole weeks to start at the project's planned start (or today). Nothing is written when the file cannot be read or computed, or is refused.",
            "requestBody": {"required": true, "content": {"multipart/form-data": {"schema": {"type": "object", "required": ["file"], "properties": {"file": {"type": "string", "format": "binary"}, "format": {"type": "string"}, "dates": {"type": "string", "enum": ["keep", "rebase"]}}}}}},
            "responses": with(problems(&[("404", "No such project"), ("413", "File too large"), ("422", "Unreadable file, a loop in the links, invalid data (the error names file, line, task and field), or a plan from another time without `dates` (the error on `dates` names both sets of dates)")]), "201", ok("Imported", r("ScheduleVersionResponse")))}}));
    let get = |summary: &str, extra: Vec<Value>, schema: Value| {
        let mut params = vec![id.clone(), version.clone()];
        params.extend(extra);
        json!({"get": {"tags": tag, "summary": summary, "parameters": params,
            "responses": with(problems(&[("404", "No such project or version")]), "200", ok("OK", schema))}})
    };
    out.insert(
        "/api/v1/projects/{id}/schedule".into(),
        get("A schedule version's headline numbers", vec![], r("ScheduleSummaryResponse")),
    );
    out.insert("/api/v1/projects/{id}/schedule/tasks".into(), get("Tasks with computed early/late dates, float and critical flag, in outline order",
        vec![json!({"name": "offset", "in": "query", "schema": {"type": "integer", "default": 0}}), json!({"name": "limit", "in": "query", "schema": {"type": "integer", "default": 500, "maximum": 5000}}), json!({"name": "critical", "in": "query", "schema": {"type": "boolean"}, "description": "Only critical tasks"})],
        json!({"type": "object", "properties": {"total": {"type": "integer"}, "items": {"type": "array", "items": r("ScheduleTaskResponse")}}})));
    out.insert(
        "/api/v1/projects/{id}/schedule/links".into(),
        get("Relationships", vec![], json!({"type": "array", "items": r("ScheduleLinkResponse")})),
    );
    out.insert(
        "/api/v1/projects/{id}/schedule/calendars".into(),
        get(
            "Calendars as the model holds them (week, exceptions, work weeks)",
            vec![],
            json!({"type": "array", "items": {"type": "object"}}),
        ),
    );
    out.insert(
        "/api/v1/projects/{id}/schedule/baselines".into(),
        get(
            "Variance against a baseline",
            vec![json!({"name": "number", "in": "query", "schema": {"type": "integer", "default": 0}})],
            r("VarianceResponse"),
        ),
    );
    out.insert("/api/v1/projects/{id}/schedule/quality".into(), get("The DCMA 14-point assessment; any threshold can be overridden by a query parameter of its name (e.g. high_float_days=30)", vec![], r("QualityResponse")));
    out.insert("/api/v1/projects/{id}/schedule/export".into(), json!({"get": {"tags": tag, "summary": "Download the version as MSPDI XML (MS Project), CSV or Excel",
        "parameters": [id, version, {"name": "format", "in": "query", "required": true, "schema": {"type": "string", "enum": ["mspdi", "csv", "xlsx"]}}],
        "responses": with(problems(&[("404", "No such project or version")]), "200", json!({"description": "The file"}))}}));
    out.insert("/api/v1/projects/{id}/schedule/gantt.svg".into(), json!({"get": {"tags": tag, "summary": "The Gantt chart as SVG",
        "parameters": [id, version, {"name": "zoom", "in": "query", "schema": {"type": "string", "enum": ["day", "week", "month", "quarter"]}}],
        "responses": with(problems(&[("404", "No such project or version")]), "200", json!({"description": "SVG", "content": {"image/svg+xml": {}}}))}}));
    out
}
