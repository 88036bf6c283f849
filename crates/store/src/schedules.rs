//! Schedule versions: every import of a project's schedule file, kept.
//!
//! The store keeps the parsed schedule, its computed dates and reports as JSON text it does not
//! interpret; `keel-app` owns their shape.

use chrono::{DateTime, Utc};
use keel_domain::{OrgId, ProjectId};

use crate::{
    Row, StoreError, Tx, Value,
    tx::{Sql, parse_ts, ts},
};

/// One stored schedule version, without its (large) body.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ScheduleVersionRow {
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
    /// Format name (`mspdi`, `xer`...).
    pub format: String,
    /// Number of tasks.
    pub task_count: i64,
    /// Computed finish (ISO date-time), if the schedule could be computed.
    pub finish: Option<String>,
    /// Small JSON summary (import report, quality verdicts), owned by the app.
    pub summary: String,
}

const META: &str =
    "id, org_id, project_id, version, created_at, created_by, file_name, format, task_count, finish, summary";

fn decode(r: &Row) -> Result<ScheduleVersionRow, StoreError> {
    Ok(ScheduleVersionRow {
        id: r.parse("id")?,
        org_id: r.parse("org_id")?,
        project_id: r.parse("project_id")?,
        version: r.int("version")?,
        created_at: parse_ts(&r.text("created_at")?)?,
        created_by: r.text("created_by")?,
        file_name: r.text("file_name")?,
        format: r.text("format")?,
        task_count: r.int("task_count")?,
        finish: r.opt_text("finish")?,
        summary: r.text("summary")?,
    })
}

impl Tx {
    /// The next version number for a project's schedule (1 when it has none).
    pub async fn next_schedule_version(&mut self, org: OrgId, project: ProjectId) -> Result<i64, StoreError> {
        let mut sql = Sql::new("SELECT COALESCE(MAX(version), 0) + 1 AS n FROM schedule_versions WHERE org_id = ");
        sql.bind(Value::text(org.to_string()));
        sql.push(" AND project_id = ").bind(Value::text(project.to_string()));
        let rows = self.rows(&sql).await?;
        rows.first().map(|r| r.int("n")).transpose().map(|n| n.unwrap_or(1))
    }

    /// Stores a new schedule version with its JSON body.
    pub async fn insert_schedule_version(&mut self, row: &ScheduleVersionRow, body: &str) -> Result<(), StoreError> {
        let mut sql = Sql::new(&format!("INSERT INTO schedule_versions ({META}, body) VALUES ("));
        let values = [
            Value::text(row.id.to_string()),
            Value::text(row.org_id.to_string()),
            Value::text(row.project_id.to_string()),
            Value::int(row.version),
            Value::text(ts(row.created_at)),
            Value::text(row.created_by.clone()),
            Value::text(row.file_name.clone()),
            Value::text(row.format.clone()),
            Value::int(row.task_count),
            Value::opt(row.finish.clone()),
            Value::text(row.summary.clone()),
            Value::text(body),
        ];
        sql.bind_values(values);
        self.run(&sql).await?;
        Ok(())
    }

    /// A project's schedule versions, newest first, without bodies.
    pub async fn schedule_versions(
        &mut self,
        org: OrgId,
        project: ProjectId,
    ) -> Result<Vec<ScheduleVersionRow>, StoreError> {
        let mut sql = Sql::new(&format!("SELECT {META} FROM schedule_versions WHERE org_id = "));
        sql.bind(Value::text(org.to_string()));
        sql.push(" AND project_id = ").bind(Value::text(project.to_string()));
        sql.push(" ORDER BY version DESC");
        self.rows(&sql).await?.iter().map(decode).collect()
    }

    /// One version (the latest when `version` is `None`) with its body.
    pub async fn schedule_version(
        &mut self,
        org: OrgId,
        project: ProjectId,
        version: Option<i64>,
    ) -> Result<Option<(ScheduleVersionRow, String)>, StoreError> {
        let mut sql = Sql::new(&format!("SELECT {META}, body FROM schedule_versions WHERE org_id = "));
        sql.bind(Value::text(org.to_string()));
        sql.push(" AND project_id = ").bind(Value::text(project.to_string()));
        match version {
            Some(v) => {
                sql.push(" AND version = ").bind(Value::int(v));
            }
            None => {
                sql.push(" ORDER BY version DESC LIMIT 1");
            }
        }
        let rows = self.rows(&sql).await?;
        match rows.first() {
            Some(r) => Ok(Some((decode(r)?, r.text("body")?))),
            None => Ok(None),
        }
    }

    /// Every schedule version of the organisation with its body (export).
    pub async fn all_schedule_versions(&mut self, org: OrgId) -> Result<Vec<(ScheduleVersionRow, String)>, StoreError> {
        let mut sql = Sql::new(&format!("SELECT {META}, body FROM schedule_versions WHERE org_id = "));
        sql.bind(Value::text(org.to_string()));
        sql.push(" ORDER BY project_id, version");
        self.rows(&sql).await?.iter().map(|r| Ok((decode(r)?, r.text("body")?))).collect()
    }
}
