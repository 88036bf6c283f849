//! The append-only audit log, and the portfolio-wide queries behind the dashboard.

use chrono::NaiveDate;
use keel_domain::{AuditEntry, OrgId, ProjectId, Rag};

use crate::{
    Row, StoreError, Tx, Value,
    tx::{Sql, parse_date, parse_ts, ts},
};

/// Which audit entries to list.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Only entries about this record.
    pub entity_id: Option<uuid::Uuid>,
    /// Only entries about records of this project (including the project itself).
    pub project_id: Option<uuid::Uuid>,
    /// Only this kind of record (`project`, `risk`...).
    pub entity_kind: Option<String>,
    /// Only entries older than this entry ID (the cursor of the previous page).
    pub before: Option<uuid::Uuid>,
    /// Page size (1 to 500).
    pub limit: u32,
}

fn t(s: impl Into<String>) -> Value {
    Value::text(s)
}

fn decode(r: &Row) -> Result<AuditEntry, StoreError> {
    Ok(AuditEntry {
        id: r.parse("id")?,
        org_id: r.parse("org_id")?,
        at: parse_ts(&r.text("at")?)?,
        actor_id: r.parse_opt("actor_id")?,
        actor_name: r.text("actor_name")?,
        action: r.parse("action")?,
        entity_kind: r.text("entity_kind")?,
        entity_id: r.parse("entity_id")?,
        project_id: r.parse_opt("project_id")?,
        label: r.text("label")?,
        before: r.opt_text("before_json")?,
        after: r.opt_text("after_json")?,
    })
}

/// One status report's RAGs, without its text (for dashboards over thousands of projects).
#[derive(Debug, Clone, PartialEq)]
pub struct RagPoint {
    /// The project.
    pub project_id: ProjectId,
    /// Period end.
    pub period_end: NaiveDate,
    /// Overall RAG.
    pub overall: Rag,
    /// Schedule, cost, scope, risk, resources, benefits.
    pub dimensions: [Rag; 6],
}

/// A milestone not yet achieved, without its text.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenMilestone {
    /// The project.
    pub project_id: ProjectId,
    /// Name.
    pub name: String,
    /// Baseline.
    pub baseline: Option<NaiveDate>,
    /// Forecast.
    pub forecast: Option<NaiveDate>,
}

impl Tx {
    /// Appends an entry. There is no way to change or remove one (the schema refuses it too).
    pub async fn append_audit(&mut self, a: &AuditEntry) -> Result<(), StoreError> {
        let mut sql = Sql::new(
            "INSERT INTO audit_log (id, org_id, at, actor_id, actor_name, action, entity_kind, entity_id, project_id, \
             label, before_json, after_json) VALUES (",
        );
        let values = [
            t(a.id.to_string()),
            t(a.org_id.to_string()),
            t(ts(a.at)),
            Value::opt(a.actor_id),
            t(&a.actor_name),
            t(a.action.as_str()),
            t(&a.entity_kind),
            t(a.entity_id.to_string()),
            Value::opt(a.project_id),
            t(&a.label),
            Value::Text(a.before.clone()),
            Value::Text(a.after.clone()),
        ];
        sql.bind_values(values);
        self.run(&sql).await?;
        Ok(())
    }

    /// Audit entries, newest first.
    pub async fn audit(&mut self, org: OrgId, f: &AuditFilter) -> Result<Vec<AuditEntry>, StoreError> {
        let mut sql = Sql::new("SELECT * FROM audit_log WHERE org_id = ");
        sql.bind(t(org.to_string()));
        if let Some(id) = f.entity_id {
            sql.push(" AND entity_id = ").bind(t(id.to_string()));
        }
        if let Some(p) = f.project_id {
            sql.push(" AND (project_id = ").bind(t(p.to_string()));
            sql.push(" OR entity_id = ").bind(t(p.to_string())).push(")");
        }
        if let Some(k) = &f.entity_kind {
            sql.push(" AND entity_kind = ").bind(t(k));
        }
        if let Some(b) = f.before {
            sql.push(" AND id < ").bind(t(b.to_string()));
        }
        sql.push(&format!(" ORDER BY id DESC LIMIT {}", f.limit.clamp(1, 500)));
        self.rows(&sql).await?.iter().map(decode).collect()
    }

    /// The ID of the latest audit entry about records of any of `kinds`, if there is one. Entry
    /// IDs grow with time, so a changed mark means a change to such a record since it was read,
    /// made by any instance sharing the database.
    pub async fn audit_mark(&mut self, org: OrgId, kinds: &[&str]) -> Result<Option<uuid::Uuid>, StoreError> {
        let mut marks = Vec::with_capacity(kinds.len());
        // One indexed lookup per kind (`audit_kind`), rather than a scan filtered by an IN list.
        for kind in kinds {
            let mut sql = Sql::new("SELECT id FROM audit_log WHERE org_id = ");
            sql.bind(t(org.to_string())).push(" AND entity_kind = ").bind(t(*kind));
            sql.push(" ORDER BY id DESC LIMIT 1");
            if let Some(r) = self.rows(&sql).await?.first() {
                marks.push(r.parse::<uuid::Uuid>("id")?);
            }
        }
        Ok(marks.into_iter().max())
    }

    /// Every audit entry of the organisation, oldest first (exports).
    pub async fn all_audit(&mut self, org: OrgId) -> Result<Vec<AuditEntry>, StoreError> {
        let mut sql = Sql::new("SELECT * FROM audit_log WHERE org_id = ");
        sql.bind(t(org.to_string())).push(" ORDER BY id");
        self.rows(&sql).await?.iter().map(decode).collect()
    }

    /// The RAGs of every status report since `since`, plus each project's latest report even if
    /// older, ordered by project and period.
    pub async fn rag_history(&mut self, org: OrgId, since: NaiveDate) -> Result<Vec<RagPoint>, StoreError> {
        // Recent reports, plus each project's latest (which may be older), as a UNION of two
        // indexed reads.
        let cols =
            "s.project_id, s.period_end, s.overall, s.schedule, s.cost, s.scope, s.risk, s.resources, s.benefits";
        let mut sql = Sql::new(&format!("SELECT {cols} FROM status_reports s WHERE s.org_id = "));
        sql.bind(t(org.to_string())).push(" AND s.period_end >= ").bind(Value::opt(Some(since)));
        // Each project's latest report through the projects table: one lookup per project on the
        // (project_id, period_end) unique index.
        sql.push(&format!(
            " UNION SELECT {cols} FROM projects p JOIN status_reports s ON s.project_id = p.id AND s.period_end = \
             (SELECT MAX(x.period_end) FROM status_reports x WHERE x.project_id = p.id) WHERE p.org_id = "
        ));
        sql.bind(t(org.to_string()));
        sql.push(" ORDER BY 1, 2");
        self.rows(&sql)
            .await?
            .iter()
            .map(|r| {
                Ok(RagPoint {
                    project_id: r.parse("project_id")?,
                    period_end: parse_date(&r.text("period_end")?)?,
                    overall: r.parse("overall")?,
                    dimensions: [
                        r.parse("schedule")?,
                        r.parse("cost")?,
                        r.parse("scope")?,
                        r.parse("risk")?,
                        r.parse("resources")?,
                        r.parse("benefits")?,
                    ],
                })
            })
            .collect()
    }

    /// Milestones without an actual date.
    pub async fn open_milestones(&mut self, org: OrgId) -> Result<Vec<OpenMilestone>, StoreError> {
        let mut sql =
            Sql::new("SELECT project_id, name, baseline, forecast FROM milestones WHERE actual IS NULL AND org_id = ");
        sql.bind(t(org.to_string())).push(" ORDER BY project_id, forecast");
        self.rows(&sql)
            .await?
            .iter()
            .map(|r| {
                Ok(OpenMilestone {
                    project_id: r.parse("project_id")?,
                    name: r.text("name")?,
                    baseline: r.opt_text("baseline")?.map(|d| parse_date(&d)).transpose()?,
                    forecast: r.opt_text("forecast")?.map(|d| parse_date(&d)).transpose()?,
                })
            })
            .collect()
    }

    /// Open risks scoring at least `min_score`, counted per project.
    pub async fn open_risk_counts(&mut self, org: OrgId, min_score: i64) -> Result<Vec<(ProjectId, i64)>, StoreError> {
        let mut sql = Sql::new("SELECT project_id, COUNT(*) AS n FROM risks WHERE state = 'open' AND org_id = ");
        sql.bind(t(org.to_string())).push(" AND score >= ").bind(Value::int(min_score));
        sql.push(" GROUP BY project_id");
        self.rows(&sql).await?.iter().map(|r| Ok((r.parse("project_id")?, r.int("n")?))).collect()
    }
}
