//! Forecast paths of the OpenAPI document. Run bodies are the app's forecast run as JSON; their
//! fields are described in `docs/forecasting.md` (seed, iterations and engine version reproduce a run).

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::schedules::Problems;

fn ok(description: &str, schema: Value) -> Value {
    json!({"description": description, "content": {"application/json": {"schema": schema}}})
}

fn object(description: &str) -> Value {
    json!({"type": "object", "description": description})
}

/// The forecast, delivery and risk-exposure paths.
pub(crate) fn paths(problems: Problems<'_>) -> BTreeMap<String, Value> {
    let id = json!({"name": "id", "in": "path", "required": true, "schema": {"type": "string", "format": "uuid"}, "description": "Project ID"});
    let run_q = json!({"name": "run", "in": "query", "schema": {"type": "string", "format": "uuid"}, "description": "A kept run (default: the latest)"});
    let portfolio = json!({"name": "portfolio_id", "in": "query", "schema": {"type": "string", "format": "uuid"}, "description": "Only this portfolio"});
    let with = |mut m: serde_json::Map<String, Value>, code: &str, v: Value| {
        m.insert(code.into(), v);
        Value::Object(m)
    };
    let run = object(
        "A forecast run: montecarlo (finish and milestone distributions, P10/P50/P80/P90, probability of meeting the baseline and deadlines, criticality, sensitivity, tornado, cost), evm (PV/EV/AC, SPI, CPI, ES, SPI(t), p-factor, EAC and EAC(t) per method), prediction (probability of missing the baseline finish and budget by the margin, with its factors and their source records), the settings and schedule version used, seed, iterations and engine version.",
    );
    let tag = ["Forecasts"];
    let mut out = BTreeMap::new();
    out.insert("/api/v1/projects/{id}/forecast".into(), json!({"get": {"tags": tag, "summary": "The project's latest (or a chosen) forecast run", "parameters": [id, run_q],
        "responses": with(problems(&[("404", "No such project, or no forecast yet")]), "200", ok("Run", run.clone()))}}));
    out.insert("/api/v1/projects/{id}/forecast/runs".into(), json!({"parameters": [id],
        "get": {"tags": tag, "summary": "Kept runs, newest first, with their summaries (for trends)",
            "parameters": [{"name": "limit", "in": "query", "schema": {"type": "integer", "default": 100, "maximum": 1000}}],
            "responses": with(problems(&[("404", "No such project")]), "200", ok("Runs", json!({"type": "array", "items": object("Run ID, when, why, schedule version, seed, iterations, engine version and summary (P50, P80, P90, baseline, probability of meeting it, P(late), reasons)")})))},
        "post": {"tags": tag, "summary": "Run a forecast now from the latest schedule version and keep it",
            "requestBody": {"required": false, "content": {"application/json": {"schema": {"type": "object", "properties": {"iterations": {"type": "integer", "minimum": 100, "maximum": 200000}, "seed": {"type": "integer", "format": "uint64"}}}}}},
            "responses": with(problems(&[("404", "No such project"), ("422", "No schedule yet, or settings the simulation refuses (the error names the field)")]), "201", ok("Run", run.clone()))}}));
    out.insert("/api/v1/projects/{id}/forecast/runs/{run}".into(), json!({"get": {"tags": tag, "summary": "One kept run",
        "parameters": [id, {"name": "run", "in": "path", "required": true, "schema": {"type": "string", "format": "uuid"}}],
        "responses": with(problems(&[("404", "No such project or run")]), "200", ok("Run", run))}}));
    let settings = json!({"type": "object", "properties": {
        "iterations": {"type": "integer", "default": 5000}, "seed": {"type": "integer", "default": 20260101},
        "default_range": {"type": "object", "properties": {"optimistic_pct": {"type": "integer"}, "most_likely_pct": {"type": "integer"}, "pessimistic_pct": {"type": "integer"}, "distribution": {"type": "string", "enum": ["triangular", "pert", "uniform", "log_normal"]}}},
        "estimates": {"type": "array", "items": {"type": "object", "required": ["task", "optimistic_days", "most_likely_days", "pessimistic_days"], "properties": {"task": {"type": "string", "description": "Task ID, code or exact name"}, "optimistic_days": {"type": "number"}, "most_likely_days": {"type": "number"}, "pessimistic_days": {"type": "number"}, "distribution": {"type": "string"}}}},
        "correlations": {"type": "array", "items": {"type": "object", "required": ["tasks", "rho"], "properties": {"name": {"type": "string"}, "tasks": {"type": "array", "items": {"type": "string"}}, "rho": {"type": "number", "minimum": -1, "maximum": 1}}}},
        "margin_pct": {"type": "number", "default": 10}}});
    out.insert("/api/v1/projects/{id}/forecast/settings".into(), json!({"parameters": [id],
        "get": {"tags": tag, "summary": "Estimates, default range, correlation groups, iterations and seed", "responses": with(problems(&[("404", "No such project")]), "200", ok("Settings", settings.clone()))},
        "put": {"tags": tag, "summary": "Save the settings (each estimate must name a task of the latest schedule)",
            "requestBody": {"required": true, "content": {"application/json": {"schema": settings.clone()}}},
            "responses": with(problems(&[("404", "No such project"), ("422", "A setting is out of range or names no task (the error names the field)")]), "200", ok("Saved", settings))}}));
    out.insert("/api/v1/projects/{id}/forecast/{chart}".into(), json!({"get": {"tags": tag, "summary": "A chart of a run as SVG: distribution.svg (histogram and cumulative curve), scurve.svg (earned value), tornado.svg (drivers)",
        "parameters": [id, run_q, {"name": "chart", "in": "path", "required": true, "schema": {"type": "string", "enum": ["distribution.svg", "scurve.svg", "tornado.svg"]}}],
        "responses": with(problems(&[("404", "No such project, run or chart")]), "200", json!({"description": "SVG", "content": {"image/svg+xml": {}}}))}}));
    out.insert("/api/v1/projects/{id}/delivery".into(), json!({"parameters": [id],
        "get": {"tags": tag, "summary": "Team delivery forecast from the latest delivery history: throughput, cycle and lead time, WIP, when the open items and each milestone will be done (P50/P85/P95)",
            "responses": with(problems(&[("404", "No such project or no delivery history")]), "200", ok("Forecast", object("Delivery forecast")))},
        "post": {"tags": tag, "summary": "Import a team delivery history: a Jira CSV export or a CSV of key, title, team, created, started, done, points, milestone",
            "requestBody": {"required": true, "content": {"multipart/form-data": {"schema": {"type": "object", "required": ["file"], "properties": {"file": {"type": "string", "format": "binary"}}}}}},
            "responses": with(problems(&[("404", "No such project"), ("422", "Unreadable file (the error names file, line and column)")]), "201", ok("Imported", object("Delivery forecast")))}}));
    out.insert("/api/v1/forecasts".into(), json!({"get": {"tags": tag, "summary": "Portfolio forecast view: every project's latest forecast, riskiest first, with P80 movement since the previous run", "parameters": [portfolio.clone()],
        "responses": with(problems(&[]), "200", ok("Rows", json!({"type": "array", "items": object("Project, latest run summary, P80 moved (days)")})))}}));
    out.insert("/api/v1/dependency-register".into(), json!({"get": {"tags": ["Risks"], "summary": "The cross-project dependency register: each dependency with when the supplier delivers (its task's early finish in the latest schedule, else the milestone's date), when the dependent needs it (its task's late start or the needed-by date, whichever is earlier), the link float in days, whether it drives the dependent and whether it sits on a critical path, with the reasons; those on a critical path first",
        "responses": with(problems(&[]), "200", ok("Register", json!({"type": "array", "items": object("dependency (the record), project, supplier, milestone, supplier_milestone, from_schedules, assessment {delivers, needed, float_days, driving, on_critical_path, reasons}")})))}}));
    out.insert("/api/v1/delivery-risk/model".into(), json!({"get": {"tags": tag, "summary": "The delivery-risk model trained on the organisation's closed projects: each closed project with a baseline and reached milestones is an example (indicators as they stood halfway through its planned duration: overdue milestones, report staleness, RAG history; outcome: last milestone reached against the planned finish). Trained (logistic regression, cross-validated) once there are at least 20 examples with 3 of each outcome; forecast runs then use it for the finish risk. Reports the counts, the cross-validated AUC and Brier score, and the fitted weights, or why it is not trained",
        "parameters": [{"name": "finish_margin", "in": "query", "required": false, "schema": {"type": "number", "default": 0.1}, "description": "A miss is a finish later than this share of the planned duration"}],
        "responses": with(problems(&[("422", "A margin outside 0..10")]), "200", ok("Model status", object("model (trained|default), margin, closed_projects, examples, missed, min_examples, not_trained, report {examples, positives, in_sample_auc, cross_validated_auc, cross_validated_brier, validation}, features [{indicator, coefficient, mean, sd}], budget_note")))}}));
    out.insert("/api/v1/integrated-schedule".into(), json!({"get": {"tags": ["Schedules"], "summary": "The integrated schedule: the latest schedules of all projects linked by open or at-risk dependencies, joined finish-to-start from the supplier's delivering task (its milestone, else its last task) to the dependent's receiving milestone and computed as one network, so a late supplier moves its dependants. Each project's finish alone and in the network with the dependencies that drive it, each link's dates, delay, free float and whether it drives; dependencies left out with the reason; a loop through the dependencies is reported in `error` naming the tasks",
        "responses": with(problems(&[]), "200", ok("Integrated schedule", object("projects [{project_id, project, finish_alone, finish, slip_days, driven_by}], links [{dependency_id, title, project, supplier, supplier_task, dependent_task, delivers, start_alone, start, delay_days, float_days, driving, started}], left_out [reason], error")))}}));
    out.insert("/api/v1/risks/exposure".into(), json!({"get": {"tags": ["Risks"], "summary": "Open-risk exposure: per risk (EMV, expected days), roll-ups by project, programme, portfolio and category, heat map, and the trend at month ends", "parameters": [portfolio.clone()],
        "responses": with(problems(&[]), "200", ok("Exposure", object("Risk analytics")))}}));
    out.insert("/api/v1/risks/heatmap.svg".into(), json!({"get": {"tags": ["Risks"], "summary": "The probability-impact heat map as SVG", "parameters": [portfolio],
        "responses": with(problems(&[]), "200", json!({"description": "SVG", "content": {"image/svg+xml": {}}}))}}));
    out
}
