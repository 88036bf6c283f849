//! Status drafts: what Keel drafted for a project's period, what the manager changed, and the RAG
//! overrides with their reasons. Bodies are JSON owned by the app; one draft per project and
//! period end, replaced while it is a draft and frozen once submitted.

use chrono::{DateTime, NaiveDate, Utc};
use keel_domain::{OrgId, ProjectId};

use crate::{
    Row, StoreError, Tx, Value,
    tx::{Sql, parse_ts, ts},
};

/// One status draft.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct StatusDraftRow {
    /// Row ID.
    pub id: uuid::Uuid,
    /// Organisation.
    pub org_id: OrgId,
    /// Project.
    pub project_id: ProjectId,
    /// Period end.
    pub period_end: NaiveDate,
    /// `draft` or `submitted`.
    pub state: String,
    /// When it was drafted.
    pub created_at: DateTime<Utc>,
    /// Who asked for the draft.
    pub created_by: String,
    /// The draft as Keel wrote it (JSON).
    pub drafted: String,
    /// The manager's edited version (JSON), once saved or submitted.
    pub edited: Option<String>,
    /// RAG overrides with reasons (JSON list).
    pub overrides: String,
    /// When it was submitted.
    pub submitted_at: Option<DateTime<Utc>>,
    /// Who submitted it.
    pub submitted_by: Option<String>,
    /// The status report record it became.
    pub status_report_id: Option<uuid::Uuid>,
}

const COLS: &str = "id, org_id, project_id, period_end, state, created_at, created_by, drafted, edited, overrides, \
                    submitted_at, submitted_by, status_report_id";

fn decode(r: &Row) -> Result<StatusDraftRow, StoreError> {
    Ok(StatusDraftRow {
        id: r.parse("id")?,
        org_id: r.parse("org_id")?,
        project_id: r.parse("project_id")?,
        period_end: r.parse("period_end")?,
        state: r.text("state")?,
        created_at: parse_ts(&r.text("created_at")?)?,
        created_by: r.text("created_by")?,
        drafted: r.text("drafted")?,
        edited: r.opt_text("edited")?,
        overrides: r.text("overrides")?,
        submitted_at: r.opt_text("submitted_at")?.map(|t| parse_ts(&t)).transpose()?,
        submitted_by: r.opt_text("submitted_by")?,
        status_report_id: r
            .opt_text("status_report_id")?
            .map(|t| t.parse())
            .transpose()
            .map_err(|e| StoreError::Corrupt(format!("status_drafts.status_report_id: {e}")))?,
    })
}

impl Tx {
    /// A project's draft for one period end, if any.
    pub async fn status_draft(
        &mut self,
        org: OrgId,
        project: ProjectId,
        period_end: NaiveDate,
    ) -> Result<Option<StatusDraftRow>, StoreError> {
        let mut sql = Sql::new(&format!("SELECT {COLS} FROM status_drafts WHERE org_id = "));
        sql.bind(Value::text(org.to_string()));
        sql.push(" AND project_id = ").bind(Value::text(project.to_string()));
        sql.push(" AND period_end = ").bind(Value::text(period_end.to_string()));
        self.rows(&sql).await?.first().map(decode).transpose()
    }

    /// A project's drafts, newest period first (at most `limit`).
    pub async fn status_drafts(
        &mut self,
        org: OrgId,
        project: ProjectId,
        limit: i64,
    ) -> Result<Vec<StatusDraftRow>, StoreError> {
        let mut sql = Sql::new(&format!("SELECT {COLS} FROM status_drafts WHERE org_id = "));
        sql.bind(Value::text(org.to_string()));
        sql.push(" AND project_id = ").bind(Value::text(project.to_string()));
        sql.push(" ORDER BY period_end DESC LIMIT ").bind(Value::int(limit));
        self.rows(&sql).await?.iter().map(decode).collect()
    }

    /// Saves a draft: inserts it, or replaces the row with the same ID.
    pub async fn put_status_draft(&mut self, row: &StatusDraftRow) -> Result<(), StoreError> {
        let mut del = Sql::new("DELETE FROM status_drafts WHERE id = ");
        del.bind(Value::text(row.id.to_string()));
        self.run(&del).await?;
        let mut sql = Sql::new(&format!("INSERT INTO status_drafts ({COLS}) VALUES ("));
        let values = vec![
            Value::text(row.id.to_string()),
            Value::text(row.org_id.to_string()),
            Value::text(row.project_id.to_string()),
            Value::text(row.period_end.to_string()),
            Value::text(row.state.clone()),
            Value::text(ts(row.created_at)),
            Value::text(row.created_by.clone()),
            Value::text(row.drafted.clone()),
            Value::opt(row.edited.clone()),
            Value::text(row.overrides.clone()),
            Value::opt(row.submitted_at.map(ts)),
            Value::opt(row.submitted_by.clone()),
            Value::opt(row.status_report_id),
        ];
        sql.bind_values(values);
        self.run(&sql).await?;
        Ok(())
    }

    /// Every status draft of the organisation, by project and period (export).
    pub async fn all_status_drafts(&mut self, org: OrgId) -> Result<Vec<StatusDraftRow>, StoreError> {
        let mut sql = Sql::new(&format!("SELECT {COLS} FROM status_drafts WHERE org_id = "));
        sql.bind(Value::text(org.to_string()));
        sql.push(" ORDER BY project_id, period_end");
        self.rows(&sql).await?.iter().map(decode).collect()
    }
}
