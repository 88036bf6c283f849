//! Forecasting data: per-project simulation settings, kept forecast runs and team delivery
//! histories.
//!
//! Like schedule versions, the bodies are JSON text the store does not interpret; `keel-app` owns
//! their shape. Runs are append-only: each recomputation is a new row, so trends can be drawn.

use chrono::{DateTime, Utc};
use keel_domain::{OrgId, ProjectId};

use crate::{
    Row, StoreError, Tx, Value,
    tx::{Sql, parse_ts, ts},
};

/// A project's forecast settings (estimates, default range, correlation groups), as JSON.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ForecastSettingsRow {
    /// Organisation.
    pub org_id: OrgId,
    /// Project.
    pub project_id: ProjectId,
    /// When they were last saved.
    pub updated_at: DateTime<Utc>,
    /// Who saved them.
    pub updated_by: String,
    /// The settings, JSON owned by the app.
    pub body: String,
}

/// One kept forecast run, without its body.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ForecastRunRow {
    /// Row ID.
    pub id: uuid::Uuid,
    /// Organisation.
    pub org_id: OrgId,
    /// Project.
    pub project_id: ProjectId,
    /// What was computed (`montecarlo`, `evm`, `prediction`, `agile`...).
    pub kind: String,
    /// When it ran.
    pub created_at: DateTime<Utc>,
    /// Who or what started it.
    pub created_by: String,
    /// Why it ran (`requested`, `schedule imported`, `risk changed`...).
    pub reason: String,
    /// The schedule version it used, if any.
    pub schedule_version: Option<i64>,
    /// The random seed (decimal text: seeds are unsigned 64-bit).
    pub seed: String,
    /// Iterations run (0 for deterministic computations).
    pub iterations: i64,
    /// The engine version that computed it.
    pub engine_version: String,
    /// Small JSON summary (P-dates, probabilities) for lists and trends.
    pub summary: String,
}

/// One imported team delivery history (a Jira or simple CSV export), without its body.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DeliveryHistoryRow {
    /// Row ID.
    pub id: uuid::Uuid,
    /// Organisation.
    pub org_id: OrgId,
    /// Project.
    pub project_id: ProjectId,
    /// 1 for the first import of the project, then 2, 3...
    pub version: i64,
    /// When it was imported.
    pub created_at: DateTime<Utc>,
    /// Who imported it.
    pub created_by: String,
    /// File name as uploaded.
    pub file_name: String,
    /// Format name (`jira`, `items`).
    pub format: String,
    /// Number of items.
    pub item_count: i64,
    /// Small JSON summary (import warnings, teams).
    pub summary: String,
}

const RUN: &str = "id, org_id, project_id, kind, created_at, created_by, reason, schedule_version, seed, iterations, \
                   engine_version, summary";
const DELIVERY: &str =
    "id, org_id, project_id, version, created_at, created_by, file_name, format, item_count, summary";

fn decode_run(r: &Row) -> Result<ForecastRunRow, StoreError> {
    Ok(ForecastRunRow {
        id: r.parse("id")?,
        org_id: r.parse("org_id")?,
        project_id: r.parse("project_id")?,
        kind: r.text("kind")?,
        created_at: parse_ts(&r.text("created_at")?)?,
        created_by: r.text("created_by")?,
        reason: r.text("reason")?,
        schedule_version: r.opt_int("schedule_version")?,
        seed: r.text("seed")?,
        iterations: r.int("iterations")?,
        engine_version: r.text("engine_version")?,
        summary: r.text("summary")?,
    })
}

/// Every column of `forecast_settings`, up to the organisation filter.
const SETTINGS: &str = "SELECT org_id, project_id, updated_at, updated_by, body FROM forecast_settings WHERE org_id = ";

fn decode_settings(r: &Row) -> Result<ForecastSettingsRow, StoreError> {
    Ok(ForecastSettingsRow {
        org_id: r.parse("org_id")?,
        project_id: r.parse("project_id")?,
        updated_at: parse_ts(&r.text("updated_at")?)?,
        updated_by: r.text("updated_by")?,
        body: r.text("body")?,
    })
}

fn decode_delivery(r: &Row) -> Result<DeliveryHistoryRow, StoreError> {
    Ok(DeliveryHistoryRow {
        id: r.parse("id")?,
        org_id: r.parse("org_id")?,
        project_id: r.parse("project_id")?,
        version: r.int("version")?,
        created_at: parse_ts(&r.text("created_at")?)?,
        created_by: r.text("created_by")?,
        file_name: r.text("file_name")?,
        format: r.text("format")?,
        item_count: r.int("item_count")?,
        summary: r.text("summary")?,
    })
}

fn scope(sql: &mut Sql, org: OrgId, project: ProjectId) {
    sql.bind(Value::text(org.to_string()));
    sql.push(" AND project_id = ").bind(Value::text(project.to_string()));
}

impl Tx {
    /// A project's forecast settings, if saved.
    pub async fn forecast_settings(
        &mut self,
        org: OrgId,
        project: ProjectId,
    ) -> Result<Option<ForecastSettingsRow>, StoreError> {
        let mut sql = Sql::new(SETTINGS);
        scope(&mut sql, org, project);
        self.rows(&sql).await?.first().map(decode_settings).transpose()
    }

    /// Saves (inserts or replaces) a project's forecast settings.
    pub async fn put_forecast_settings(&mut self, row: &ForecastSettingsRow) -> Result<(), StoreError> {
        let mut del = Sql::new("DELETE FROM forecast_settings WHERE org_id = ");
        scope(&mut del, row.org_id, row.project_id);
        self.run(&del).await?;
        let mut sql =
            Sql::new("INSERT INTO forecast_settings (project_id, org_id, updated_at, updated_by, body) VALUES (");
        sql.bind_values(vec![
            Value::text(row.project_id.to_string()),
            Value::text(row.org_id.to_string()),
            Value::text(ts(row.updated_at)),
            Value::text(row.updated_by.clone()),
            Value::text(row.body.clone()),
        ]);
        self.run(&sql).await?;
        Ok(())
    }

    /// Keeps a forecast run with its JSON body.
    pub async fn insert_forecast_run(&mut self, row: &ForecastRunRow, body: &str) -> Result<(), StoreError> {
        let mut sql = Sql::new(&format!("INSERT INTO forecast_runs ({RUN}, body) VALUES ("));
        sql.bind_values(vec![
            Value::text(row.id.to_string()),
            Value::text(row.org_id.to_string()),
            Value::text(row.project_id.to_string()),
            Value::text(row.kind.clone()),
            Value::text(ts(row.created_at)),
            Value::text(row.created_by.clone()),
            Value::text(row.reason.clone()),
            Value::Int(row.schedule_version),
            Value::text(row.seed.clone()),
            Value::int(row.iterations),
            Value::text(row.engine_version.clone()),
            Value::text(row.summary.clone()),
            Value::text(body),
        ]);
        self.run(&sql).await?;
        Ok(())
    }

    /// A project's runs of one kind, newest first, without bodies (at most `limit`).
    pub async fn forecast_runs(
        &mut self,
        org: OrgId,
        project: ProjectId,
        kind: &str,
        limit: i64,
    ) -> Result<Vec<ForecastRunRow>, StoreError> {
        let mut sql = Sql::new(&format!("SELECT {RUN} FROM forecast_runs WHERE org_id = "));
        scope(&mut sql, org, project);
        sql.push(" AND kind = ").bind(Value::text(kind));
        sql.push(" ORDER BY created_at DESC, id DESC LIMIT ").bind(Value::int(limit));
        self.rows(&sql).await?.iter().map(decode_run).collect()
    }

    /// One run with its body; the project's latest of `kind` when `id` is `None`.
    pub async fn forecast_run(
        &mut self,
        org: OrgId,
        project: ProjectId,
        kind: &str,
        id: Option<uuid::Uuid>,
    ) -> Result<Option<(ForecastRunRow, String)>, StoreError> {
        let mut sql = Sql::new(&format!("SELECT {RUN}, body FROM forecast_runs WHERE org_id = "));
        scope(&mut sql, org, project);
        sql.push(" AND kind = ").bind(Value::text(kind));
        match id {
            Some(id) => {
                sql.push(" AND id = ").bind(Value::text(id.to_string()));
            }
            None => {
                sql.push(" ORDER BY created_at DESC, id DESC LIMIT 1");
            }
        }
        let rows = self.rows(&sql).await?;
        match rows.first() {
            Some(r) => Ok(Some((decode_run(r)?, r.text("body")?))),
            None => Ok(None),
        }
    }

    /// The latest run of `kind` for every project of the organisation, without bodies.
    pub async fn latest_forecast_runs(&mut self, org: OrgId, kind: &str) -> Result<Vec<ForecastRunRow>, StoreError> {
        let mut sql = Sql::new(&format!("SELECT {RUN} FROM forecast_runs f WHERE org_id = "));
        sql.bind(Value::text(org.to_string()));
        sql.push(" AND kind = ").bind(Value::text(kind));
        sql.push(
            " AND NOT EXISTS (SELECT 1 FROM forecast_runs g WHERE g.project_id = f.project_id AND g.kind = f.kind \
             AND (g.created_at > f.created_at OR (g.created_at = f.created_at AND g.id > f.id)))",
        );
        self.rows(&sql).await?.iter().map(decode_run).collect()
    }

    /// The next version number for a project's delivery history (1 when it has none).
    pub async fn next_delivery_version(&mut self, org: OrgId, project: ProjectId) -> Result<i64, StoreError> {
        let mut sql = Sql::new("SELECT COALESCE(MAX(version), 0) + 1 AS n FROM delivery_histories WHERE org_id = ");
        scope(&mut sql, org, project);
        let rows = self.rows(&sql).await?;
        rows.first().map(|r| r.int("n")).transpose().map(|n| n.unwrap_or(1))
    }

    /// Keeps an imported delivery history with its JSON body.
    pub async fn insert_delivery_history(&mut self, row: &DeliveryHistoryRow, body: &str) -> Result<(), StoreError> {
        let mut sql = Sql::new(&format!("INSERT INTO delivery_histories ({DELIVERY}, body) VALUES ("));
        sql.bind_values(vec![
            Value::text(row.id.to_string()),
            Value::text(row.org_id.to_string()),
            Value::text(row.project_id.to_string()),
            Value::int(row.version),
            Value::text(ts(row.created_at)),
            Value::text(row.created_by.clone()),
            Value::text(row.file_name.clone()),
            Value::text(row.format.clone()),
            Value::int(row.item_count),
            Value::text(row.summary.clone()),
            Value::text(body),
        ]);
        self.run(&sql).await?;
        Ok(())
    }

    /// A project's latest delivery history with its body.
    pub async fn latest_delivery_history(
        &mut self,
        org: OrgId,
        project: ProjectId,
    ) -> Result<Option<(DeliveryHistoryRow, String)>, StoreError> {
        let mut sql = Sql::new(&format!("SELECT {DELIVERY}, body FROM delivery_histories WHERE org_id = "));
        scope(&mut sql, org, project);
        sql.push(" ORDER BY version DESC LIMIT 1");
        let rows = self.rows(&sql).await?;
        match rows.first() {
            Some(r) => Ok(Some((decode_delivery(r)?, r.text("body")?))),
            None => Ok(None),
        }
    }

    /// Every project's forecast settings in the organisation (export).
    pub async fn all_forecast_settings(&mut self, org: OrgId) -> Result<Vec<ForecastSettingsRow>, StoreError> {
        let mut sql = Sql::new(SETTINGS);
        sql.bind(Value::text(org.to_string()));
        sql.push(" ORDER BY project_id");
        self.rows(&sql).await?.iter().map(decode_settings).collect()
    }

    /// Every forecast run of the organisation with its body, oldest first (export).
    pub async fn all_forecast_runs(&mut self, org: OrgId) -> Result<Vec<(ForecastRunRow, String)>, StoreError> {
        let mut sql = Sql::new(&format!("SELECT {RUN}, body FROM forecast_runs WHERE org_id = "));
        sql.bind(Value::text(org.to_string()));
        sql.push(" ORDER BY created_at, id");
        self.rows(&sql).await?.iter().map(|r| Ok((decode_run(r)?, r.text("body")?))).collect()
    }

    /// Every delivery history of the organisation with its body (export).
    pub async fn all_delivery_histories(
        &mut self,
        org: OrgId,
    ) -> Result<Vec<(DeliveryHistoryRow, String)>, StoreError> {
        let mut sql = Sql::new(&format!("SELECT {DELIVERY}, body FROM delivery_histories WHERE org_id = "));
        sql.bind(Value::text(org.to_string()));
        sql.push(" ORDER BY project_id, version");
        self.rows(&sql).await?.iter().map(|r| Ok((decode_delivery(r)?, r.text("body")?))).collect()
    }
}
