-- Schedule versions: each import of a project's schedule file is kept as a new version, with the
-- parsed schedule, the computed dates, the quality assessment and the import report (JSON).
CREATE TABLE schedule_versions (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations(id),
    project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    file_name TEXT NOT NULL,
    format TEXT NOT NULL,
    task_count INTEGER NOT NULL,
    finish TEXT,
    summary TEXT NOT NULL,
    body TEXT NOT NULL,
    UNIQUE (project_id, version)
);
CREATE INDEX schedule_versions_org ON schedule_versions (org_id, project_id);
