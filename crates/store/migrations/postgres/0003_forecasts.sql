-- Forecasting: per-project simulation settings, every forecast run kept (so trends show), and the
-- team delivery histories imported for agile throughput forecasts. Bodies are JSON owned by the app.
CREATE TABLE forecast_settings (
    project_id TEXT PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE,
    org_id TEXT NOT NULL REFERENCES organisations(id),
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    body TEXT NOT NULL
);

CREATE TABLE forecast_runs (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations(id),
    project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    reason TEXT NOT NULL,
    schedule_version BIGINT,
    seed TEXT NOT NULL,
    iterations BIGINT NOT NULL,
    engine_version TEXT NOT NULL,
    summary TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX forecast_runs_project ON forecast_runs (org_id, project_id, kind, created_at);

CREATE TABLE delivery_histories (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations(id),
    project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    version BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    file_name TEXT NOT NULL,
    format TEXT NOT NULL,
    item_count BIGINT NOT NULL,
    summary TEXT NOT NULL,
    body TEXT NOT NULL,
    UNIQUE (project_id, version)
);
CREATE INDEX delivery_histories_org ON delivery_histories (org_id, project_id);
