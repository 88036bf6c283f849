//! Report paths of the OpenAPI document: issued reports (immutable snapshots) and their downloads,
//! previews, report schedules and their delivery log, and the status drafts of a project. Report
//! documents are the engine's document model as JSON; `docs/reporting.md` describes them.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::schedules::Problems;

fn ok(description: &str, schema: Value) -> Value {
    json!({"description": description, "content": {"application/json": {"schema": schema}}})
}

fn object(description: &str) -> Value {
    json!({"type": "object", "description": description})
}

fn body(schema: Value) -> Value {
    json!({"required": true, "content": {"application/json": {"schema": schema}}})
}

/// The report, report schedule, delivery log and status draft paths.
pub(crate) fn paths(problems: Problems<'_>) -> BTreeMap<String, Value> {
    let project = json!({"name": "id", "in": "path", "required": true, "schema": {"type": "string", "format": "uuid"}, "description": "Project ID"});
    let report_id = json!({"name": "id", "in": "path", "required": true, "schema": {"type": "string", "format": "uuid"}, "description": "Issued report ID"});
    let schedule_id = json!({"name": "id", "in": "path", "required": true, "schema": {"type": "string", "format": "uuid"}, "description": "Report schedule ID"});
    let period_end = json!({"name": "period_end", "in": "query", "schema": {"type": "string", "format": "date"}, "description": "Period end (default: today in the organisation's reporting time zone)"});
    let format = json!({"name": "format", "in": "query", "schema": {"type": "string", "enum": ["json", "html", "pdf", "xlsx", "md"], "default": "json"},
        "description": "json (default) answers the JSON; the others download the report as a file (Content-Disposition: attachment)"});
    let with = |mut m: serde_json::Map<String, Value>, code: &str, v: Value| {
        m.insert(code.into(), v);
        Value::Object(m)
    };
    let kinds = json!({"type": "string", "enum": ["status", "portfolio", "board"]});
    let audiences = json!({"type": "string", "enum": ["executive", "sponsor", "pmo", "project_manager"]});
    let scopes = json!({"type": "string", "enum": ["organisation", "portfolio", "programme", "project"]});
    let formats = json!({"type": "string", "enum": ["html", "pdf", "xlsx", "md"]});
    let rag = json!({"type": "string", "enum": ["green", "amber", "red"]});
    let request_props = json!({
        "kind": kinds.clone(),
        "audience": {"allOf": [audiences.clone()], "description": "Default: project_manager for status reports, executive otherwise"},
        "scope": {"allOf": [scopes.clone()], "description": "Default: project for status reports, organisation otherwise"},
        "scope_id": {"type": "string", "format": "uuid", "description": "The portfolio, programme or project; required unless the scope is organisation"},
        "as_of": {"type": "string", "format": "date", "description": "Period end (default: today in the organisation's reporting time zone)"}});
    let info = json!({"type": "object", "description": "An issued report, without its content",
        "required": ["id", "kind", "audience", "scope_kind", "title", "as_of", "created_at", "created_by", "trigger", "renderer_version"],
        "properties": {
            "id": {"type": "string", "format": "uuid"}, "kind": kinds.clone(), "audience": audiences.clone(), "scope_kind": scopes.clone(),
            "scope_id": {"type": ["string", "null"], "format": "uuid"}, "title": {"type": "string"}, "as_of": {"type": "string", "format": "date"},
            "created_at": {"type": "string", "description": "When it was issued: UTC date and time without an offset, e.g. 2026-11-20T08:00:00.123456"},
            "created_by": {"type": "string", "description": "A user name, or `schedule: NAME`"},
            "trigger": {"type": "string", "enum": ["manual", "api", "cli", "schedule", "preview"]},
            "renderer_version": {"type": "string"}}});
    let document = object(
        "A report document: kind, audience, title, scope, as_of, generated_at, sections (headed blocks of paragraphs, bullets, call-outs, typed tables and chart data; every sentence carries the indexes of its sources) and sources (the records cited, with their paths).",
    );
    let snapshot = json!({"type": "object", "description": "An issued report: the document as generated and the HTML exactly as issued. Never changes.",
        "required": ["info", "document", "html", "organisation"],
        "properties": {"info": info.clone(), "document": document.clone(), "html": {"type": "string"}, "organisation": {"type": "string"}}});
    let file = |what: &str, schema: Value| {
        json!({"description": format!("{what} as JSON, or the file in the asked format"), "content": {
            "application/json": {"schema": schema},
            "text/html; charset=utf-8": {"schema": {"type": "string"}},
            "application/pdf": {"schema": {"type": "string", "format": "binary"}},
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {"schema": {"type": "string", "format": "binary"}},
            "text/markdown; charset=utf-8": {"schema": {"type": "string"}}}})
    };
    let scope_obj = json!({"type": "object", "required": ["kind"], "description": "What the report covers; `id` for every kind but organisation",
        "properties": {"kind": scopes.clone(), "id": {"type": "string", "format": "uuid"}}});
    let schedule_input = json!({"type": "object", "required": ["name", "kind", "audience", "scope", "format", "time_of_day", "enabled"],
        "description": "At least one e-mail recipient or a webhook URL. A status report needs a project scope.",
        "properties": {
            "name": {"type": "string", "maxLength": 200, "description": "Shown in lists and e-mails, e.g. Monday board pack"},
            "kind": kinds.clone(), "audience": audiences.clone(), "scope": scope_obj.clone(), "format": formats.clone(),
            "weekday": {"type": ["string", "null"], "enum": ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", null], "description": "Absent or null: every day"},
            "time_of_day": {"type": "string", "pattern": "^[0-9]{2}:[0-9]{2}$", "description": "Local time, HH:MM (24-hour clock)"},
            "timezone": {"type": ["string", "null"], "description": "IANA time zone, e.g. Europe/London (default: the organisation's, [reporting] timezone in keel.toml)"},
            "recipients": {"type": "array", "maxItems": 100, "items": {"type": "string", "format": "email"}},
            "webhook_url": {"type": ["string", "null"], "format": "uri", "description": "An http(s) URL the issued report is POSTed to (X-Keel-Event: report.issued)"},
            "enabled": {"type": "boolean"}}});
    let schedule = json!({"type": "object", "description": "A report schedule",
        "required": ["id", "name", "kind", "audience", "scope", "format", "time_of_day", "timezone", "recipients", "enabled", "next_run_at", "created_at", "created_by"],
        "properties": {
            "id": {"type": "string", "format": "uuid"}, "name": {"type": "string"}, "kind": kinds.clone(), "audience": audiences.clone(),
            "scope": scope_obj, "format": formats.clone(), "weekday": {"type": ["string", "null"]}, "time_of_day": {"type": "string"},
            "timezone": {"type": "string"}, "recipients": {"type": "array", "items": {"type": "string"}}, "webhook_url": {"type": ["string", "null"]},
            "enabled": {"type": "boolean"}, "next_run_at": {"type": "string", "format": "date-time"},
            "last_run_at": {"type": ["string", "null"], "format": "date-time"}, "created_at": {"type": "string", "format": "date-time"},
            "created_by": {"type": "string"}}});
    let delivery = json!({"type": "object", "description": "One delivery of an issued report to one target",
        "required": ["id", "snapshot_id", "channel", "target", "state", "attempts", "created_at", "updated_at"],
        "properties": {
            "id": {"type": "string", "format": "uuid"},
            "schedule_id": {"type": ["string", "null"], "format": "uuid", "description": "None once the schedule is deleted"},
            "snapshot_id": {"type": "string", "format": "uuid", "description": "The issued report"},
            "channel": {"type": "string", "enum": ["email", "webhook"]}, "target": {"type": "string", "description": "The e-mail address or URL"},
            "state": {"type": "string", "enum": ["pending", "delivered", "failed"]}, "attempts": {"type": "integer", "minimum": 0},
            "next_attempt_at": {"type": ["string", "null"], "format": "date-time", "description": "When it is tried next (pending only)"},
            "last_error": {"type": ["string", "null"], "description": "The last failure, as the server answered it"},
            "created_at": {"type": "string", "format": "date-time"}, "updated_at": {"type": "string", "format": "date-time"}}});
    let edit = json!({"type": "object", "additionalProperties": false,
        "required": ["overall", "schedule", "cost", "scope", "risk", "resources", "benefits", "summary"],
        "description": "The manager's status: the overall and six RAGs, the text, and a reason for every RAG that differs from the proposal",
        "properties": {
            "overall": rag.clone(), "schedule": rag.clone(), "cost": rag.clone(), "scope": rag.clone(), "risk": rag.clone(),
            "resources": rag.clone(), "benefits": rag.clone(), "summary": {"type": "string"}, "achievements": {"type": "string"},
            "next_steps": {"type": "string"}, "decisions_needed": {"type": "string"},
            "reasons": {"type": "object", "additionalProperties": {"type": "string", "maxLength": 2000},
                "description": "Why a RAG differs from the proposal, by field (schedule, cost, scope, risk, resources, benefits, overall)"}}});
    let draft = json!({"type": "object", "description": "A project's status draft for one period",
        "required": ["id", "project_id", "period_end", "state", "created_at", "created_by", "drafted", "overrides"],
        "properties": {
            "id": {"type": "string", "format": "uuid"}, "project_id": {"type": "string", "format": "uuid"},
            "period_end": {"type": "string", "format": "date"}, "state": {"type": "string", "enum": ["draft", "submitted"]},
            "created_at": {"type": "string", "format": "date-time"}, "created_by": {"type": "string"},
            "drafted": object("What Keel drafted: project_id, period_end, proposals (schedule, cost, scope, risk, resources, benefits: each a RAG with its reasons), overall, summary, achievements, next_steps, decisions_needed and the status report document with its sources"),
            "edited": {"oneOf": [edit.clone(), {"type": "null"}], "description": "What the manager saved or submitted"},
            "overrides": {"type": "array", "items": {"type": "object", "required": ["field", "proposed", "chosen", "reason"],
                "properties": {"field": {"type": "string"}, "proposed": rag.clone(), "chosen": rag, "reason": {"type": "string"}}}},
            "submitted_at": {"type": ["string", "null"], "format": "date-time"}, "submitted_by": {"type": ["string", "null"]},
            "status_report_id": {"type": ["string", "null"], "format": "uuid", "description": "The status report it became"}}});
    let json_body = [("400", "Malformed JSON"), ("413", "Body too large"), ("415", "Not JSON")];
    let problems_with = |extra: &[(&str, &str)]| {
        let mut all = json_body.to_vec();
        all.extend_from_slice(extra);
        problems(&all)
    };
    let tag = ["Reports"];
    let mut out = BTreeMap::new();
    let mut generate_props = request_props.clone();
    generate_props["kind"] =
        json!({"allOf": [kinds.clone()], "description": "Status (one project), portfolio or board"});
    out.insert("/api/v1/reports".into(), json!({
        "get": {"tags": tag, "summary": "Issued reports, newest first",
            "parameters": [{"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100}}],
            "responses": with(problems(&[("400", "Bad parameter")]), "200", ok("Issued reports", json!({"type": "array", "items": info.clone()})))},
        "post": {"tags": tag, "summary": "Issue a report: written from live data now and stored as an immutable snapshot (document and HTML as issued). A status report needs the right to submit status (contributor and up); a portfolio report or board pack the PMO, portfolio manager or admin role (403 otherwise)",
            "requestBody": body(json!({"type": "object", "required": ["kind"], "additionalProperties": false, "properties": generate_props})),
            "responses": with(problems_with(&[("404", "No such portfolio, programme or project"), ("422", "A bad kind, audience, scope or scope_id, or a status report without a project scope (the error names the field)")]),
                "201", ok("Issued", info))}}));
    let mut preview_params = vec![json!({"name": "kind", "in": "query", "required": true, "schema": kinds.clone()})];
    for name in ["audience", "scope", "scope_id", "as_of"] {
        preview_params.push(json!({"name": name, "in": "query", "schema": request_props[name].clone()}));
    }
    preview_params.push(format.clone());
    out.insert("/api/v1/reports/preview".into(), json!({"get": {"tags": tag, "summary": "Write a report from live data without issuing it: the document as JSON, or rendered in a format",
        "parameters": preview_params,
        "responses": with(problems(&[("400", "Missing kind, a bad format or an unreadable parameter"), ("404", "No such portfolio, programme or project"), ("422", "A bad kind, audience, scope or scope_id (the error names the parameter)")]),
            "200", file("The document", document))}}));
    out.insert("/api/v1/reports/{id}".into(), json!({"get": {"tags": tag, "summary": "An issued report as JSON, or downloaded: HTML (as issued, byte for byte), PDF, Excel or Markdown (rendered from the stored document)",
        "parameters": [report_id, format],
        "responses": with(problems(&[("400", "A format other than json, html, pdf, xlsx or md"), ("404", "No such report")]), "200", file("The snapshot", snapshot))}}));
    out.insert("/api/v1/report-schedules".into(), json!({
        "get": {"tags": tag, "summary": "The organisation's report schedules, by name",
            "responses": with(problems(&[]), "200", ok("Schedules", json!({"type": "array", "items": schedule.clone()})))},
        "post": {"tags": tag, "summary": "Create a report schedule (admin, PMO, portfolio manager); its first run is the next matching time from now. Audited.",
            "requestBody": body(schedule_input.clone()),
            "responses": with(problems_with(&[("422", "Invalid fields, a scope that does not exist, or no recipient and no webhook (the error names the field)")]), "201", ok("Created", schedule.clone()))}}));
    out.insert("/api/v1/report-schedules/{id}".into(), json!({"parameters": [schedule_id],
        "get": {"tags": tag, "summary": "One report schedule", "responses": with(problems(&[("404", "No such schedule")]), "200", ok("Schedule", schedule.clone()))},
        "put": {"tags": tag, "summary": "Replace a schedule's settings (admin, PMO, portfolio manager); its next run is recomputed from now. Audited.",
            "requestBody": body(schedule_input),
            "responses": with(problems_with(&[("404", "No such schedule"), ("422", "Invalid fields (the error names the field)")]), "200", ok("Updated", schedule))},
        "delete": {"tags": tag, "summary": "Delete a schedule (admin, PMO, portfolio manager); its deliveries stay in the log. Audited.",
            "responses": with(problems(&[("404", "No such schedule")]), "204", json!({"description": "Deleted"}))}}));
    out.insert("/api/v1/report-deliveries".into(), json!({"get": {"tags": tag, "summary": "The delivery log, newest first: every e-mail and webhook delivery with its state, attempts and last error",
        "parameters": [
            {"name": "schedule_id", "in": "query", "schema": {"type": "string", "format": "uuid"}, "description": "Only this schedule's deliveries"},
            {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 500, "default": 200}}],
        "responses": with(problems(&[("400", "Bad parameter")]), "200", ok("Deliveries", json!({"type": "array", "items": delivery})))}}));
    out.insert("/api/v1/projects/{id}/status-draft".into(), json!({"parameters": [project.clone(), period_end.clone()],
        "get": {"tags": tag, "summary": "The period's status draft, drafted from the project's data and kept on first request (roles that may submit status)",
            "responses": with(problems(&[("400", "Bad period_end"), ("404", "No such project")]), "200", ok("Draft", draft.clone()))},
        "put": {"tags": tag, "summary": "Save the manager's edits without submitting; a RAG that differs from the proposal needs its reason",
            "requestBody": body(edit.clone()),
            "responses": with(problems_with(&[("404", "No such project"), ("409", "The period was already submitted"), ("422", "Invalid fields or a changed RAG without a reason (e.g. reasons.risk)")]), "200", ok("Saved", draft.clone()))}}));
    out.insert("/api/v1/projects/{id}/status-draft/redraft".into(), json!({"post": {"tags": tag, "summary": "Draft the period again from the latest data (unsubmitted edits are dropped)",
        "parameters": [project.clone(), period_end.clone()],
        "responses": with(problems(&[("400", "Bad period_end"), ("404", "No such project"), ("409", "The period was already submitted")]), "200", ok("Draft", draft.clone()))}}));
    out.insert("/api/v1/projects/{id}/status-draft/submit".into(), json!({"post": {"tags": tag, "summary": "Submit the period's status: the edit becomes the project's status report (replacing, as a new version, one entered by hand for the period) and the draft keeps what was drafted, what changed and why",
        "parameters": [project.clone(), period_end],
        "requestBody": body(edit),
        "responses": with(problems_with(&[("404", "No such project"), ("409", "The period was already submitted"), ("422", "Invalid fields or a changed RAG without a reason (e.g. reasons.risk)")]), "201", ok("Submitted", draft.clone()))}}));
    out.insert("/api/v1/projects/{id}/status-drafts".into(), json!({"get": {"tags": tag, "summary": "The project's status drafts, newest period first (at most 100)",
        "parameters": [project],
        "responses": with(problems(&[("404", "No such project")]), "200", ok("Drafts", json!({"type": "array", "items": draft})))}}));
    out
}
