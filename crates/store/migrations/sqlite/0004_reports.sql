-- Reporting: issued report snapshots (immutable: the document as generated and the HTML as
-- issued), status drafts (what Keel drafted, what the manager changed, RAG overrides with their
-- reasons), report schedules and the delivery log of scheduled reports (e-mail and webhook).
CREATE TABLE report_snapshots (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations(id),
    kind TEXT NOT NULL,
    audience TEXT NOT NULL,
    scope_kind TEXT NOT NULL,
    scope_id TEXT,
    title TEXT NOT NULL,
    as_of TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    trigger TEXT NOT NULL,
    renderer_version TEXT NOT NULL,
    document TEXT NOT NULL,
    html TEXT NOT NULL
);
CREATE INDEX report_snapshots_org ON report_snapshots (org_id, created_at);

CREATE TABLE status_drafts (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations(id),
    project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    period_end TEXT NOT NULL,
    state TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    drafted TEXT NOT NULL,
    edited TEXT,
    overrides TEXT NOT NULL,
    submitted_at TEXT,
    submitted_by TEXT,
    status_report_id TEXT,
    UNIQUE (project_id, period_end)
);
CREATE INDEX status_drafts_org ON status_drafts (org_id, period_end);

CREATE TABLE report_schedules (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations(id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    audience TEXT NOT NULL,
    scope_kind TEXT NOT NULL,
    scope_id TEXT,
    format TEXT NOT NULL,
    weekday INTEGER,
    time_of_day TEXT NOT NULL,
    timezone TEXT NOT NULL,
    recipients TEXT NOT NULL,
    webhook_url TEXT,
    enabled INTEGER NOT NULL,
    next_run_at TEXT NOT NULL,
    last_run_at TEXT,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL
);
CREATE INDEX report_schedules_due ON report_schedules (enabled, next_run_at);

CREATE TABLE report_deliveries (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations(id),
    schedule_id TEXT REFERENCES report_schedules(id) ON DELETE SET NULL,
    snapshot_id TEXT NOT NULL REFERENCES report_snapshots(id),
    channel TEXT NOT NULL,
    target TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at TEXT,
    last_error TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX report_deliveries_due ON report_deliveries (state, next_attempt_at);
CREATE INDEX report_deliveries_org ON report_deliveries (org_id, created_at);
