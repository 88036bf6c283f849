-- Keel schema, PostgreSQL dialect. Keep in step with migrations/sqlite (a test compares them).
-- Dates are ISO text (YYYY-MM-DD), timestamps RFC 3339 UTC text with microseconds: both sort as text.
-- Each record table keeps the full record as JSON in `body` and copies the fields that are
-- filtered, sorted or referenced into real columns (with foreign keys).

CREATE TABLE organisations (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    currency TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    email TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    disabled BIGINT NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);

CREATE TABLE memberships (
    org_id TEXT NOT NULL REFERENCES organisations(id),
    user_id TEXT NOT NULL REFERENCES users(id),
    role TEXT NOT NULL,
    PRIMARY KEY (org_id, user_id)
);

CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    org_id TEXT NOT NULL REFERENCES organisations(id),
    name TEXT NOT NULL,
    prefix TEXT NOT NULL,
    secret_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at TEXT
);

CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    org_id TEXT NOT NULL REFERENCES organisations(id),
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expires_at);

CREATE TABLE login_failures (
    id TEXT PRIMARY KEY,
    key TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX login_failures_key ON login_failures (key, at);

CREATE TABLE audit_log (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations(id),
    at TEXT NOT NULL,
    actor_id TEXT,
    actor_name TEXT NOT NULL,
    action TEXT NOT NULL,
    entity_kind TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    project_id TEXT,
    label TEXT NOT NULL,
    before_json TEXT,
    after_json TEXT
);
CREATE INDEX audit_entity ON audit_log (org_id, entity_id, id);
CREATE INDEX audit_project ON audit_log (org_id, project_id, id);
CREATE INDEX audit_org ON audit_log (org_id, id);

CREATE TABLE portfolios (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations(id),
    version BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    manager TEXT NOT NULL,
    sponsor TEXT NOT NULL,
    stage TEXT NOT NULL,
    tier TEXT NOT NULL,
    state TEXT NOT NULL,
    planned_start TEXT,
    planned_finish TEXT,
    body TEXT NOT NULL,
    UNIQUE (org_id, code)
);

CREATE TABLE programmes (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations(id),
    version BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    portfolio_id TEXT NOT NULL REFERENCES portfolios(id),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    manager TEXT NOT NULL,
    sponsor TEXT NOT NULL,
    stage TEXT NOT NULL,
    tier TEXT NOT NULL,
    state TEXT NOT NULL,
    planned_start TEXT,
    planned_finish TEXT,
    body TEXT NOT NULL,
    UNIQUE (org_id, code)
);
CREATE INDEX programmes_portfolio ON programmes (portfolio_id);

CREATE TABLE projects (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations(id),
    version BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    portfolio_id TEXT NOT NULL REFERENCES portfolios(id),
    programme_id TEXT REFERENCES programmes(id),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    manager TEXT NOT NULL,
    sponsor TEXT NOT NULL,
    stage TEXT NOT NULL,
    tier TEXT NOT NULL,
    state TEXT NOT NULL,
    planned_start TEXT,
    planned_finish TEXT,
    budget_minor BIGINT,
    body TEXT NOT NULL,
    UNIQUE (org_id, code)
);
CREATE INDEX projects_portfolio ON projects (portfolio_id);
CREATE INDEX projects_programme ON projects (programme_id);
CREATE INDEX projects_org_name ON projects (org_id, name);

CREATE TABLE status_reports (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations(id),
    version BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    project_id TEXT NOT NULL REFERENCES projects(id),
    period_end TEXT NOT NULL,
    overall TEXT NOT NULL,
    schedule TEXT NOT NULL,
    cost TEXT NOT NULL,
    scope TEXT NOT NULL,
    risk TEXT NOT NULL,
    resources TEXT NOT NULL,
    benefits TEXT NOT NULL,
    body TEXT NOT NULL,
    UNIQUE (project_id, period_end)
);
CREATE INDEX status_reports_org_period ON status_reports (org_id, period_end);

CREATE TABLE milestones (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations(id),
    version BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    project_id TEXT NOT NULL REFERENCES projects(id),
    name TEXT NOT NULL,
    owner TEXT NOT NULL,
    baseline TEXT,
    forecast TEXT,
    actual TEXT,
    body TEXT NOT NULL
);
CREATE INDEX milestones_project ON milestones (project_id);

CREATE TABLE risks (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations(id),
    version BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    project_id TEXT NOT NULL REFERENCES projects(id),
    title TEXT NOT NULL,
    category TEXT NOT NULL,
    owner TEXT NOT NULL,
    probability BIGINT NOT NULL,
    impact BIGINT NOT NULL,
    score BIGINT NOT NULL,
    response TEXT NOT NULL,
    proximity TEXT,
    state TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX risks_project ON risks (project_id);

CREATE TABLE issues (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations(id),
    version BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    project_id TEXT NOT NULL REFERENCES projects(id),
    title TEXT NOT NULL,
    priority TEXT NOT NULL,
    owner TEXT NOT NULL,
    raised_on TEXT NOT NULL,
    due TEXT,
    state TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX issues_project ON issues (project_id);

CREATE TABLE assumptions (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations(id),
    version BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    project_id TEXT NOT NULL REFERENCES projects(id),
    title TEXT NOT NULL,
    owner TEXT NOT NULL,
    validate_by TEXT,
    state TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX assumptions_project ON assumptions (project_id);

CREATE TABLE dependencies (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations(id),
    version BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    project_id TEXT NOT NULL REFERENCES projects(id),
    milestone_id TEXT REFERENCES milestones(id),
    supplier_project_id TEXT NOT NULL REFERENCES projects(id),
    supplier_milestone_id TEXT REFERENCES milestones(id),
    title TEXT NOT NULL,
    owner TEXT NOT NULL,
    needed_by TEXT,
    state TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX dependencies_project ON dependencies (project_id);
CREATE INDEX dependencies_supplier ON dependencies (supplier_project_id);

CREATE TABLE decisions (
    id TEXT PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES organisations(id),
    version BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    project_id TEXT REFERENCES projects(id),
    title TEXT NOT NULL,
    decided_by TEXT NOT NULL,
    decided_on TEXT,
    state TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX decisions_project ON decisions (project_id);

-- The audit trail is append-only, whatever code runs against the database.
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'the audit log is append-only'; END; $$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
