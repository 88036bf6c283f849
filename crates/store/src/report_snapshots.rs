//! Issued reports: immutable snapshots of the document as generated and the HTML as issued.
//!
//! The document is JSON text the store does not interpret; `keel-app` owns its shape. Snapshots
//! are written once and never changed, so a board pack read next year is the one the board saw.

use chrono::{DateTime, NaiveDate, Utc};
use keel_domain::OrgId;

use crate::{
    Row, StoreError, Tx, Value,
    tx::{Sql, parse_date, parse_ts, ts},
};

/// One issued report.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ReportSnapshotRow {
    /// Row ID.
    pub id: uuid::Uuid,
    /// Organisation.
    pub org_id: OrgId,
    /// Report kind (`status`, `portfolio`, `board`).
    pub kind: String,
    /// Audience (`executive`, `sponsor`, `pmo`, `project_manager`).
    pub audience: String,
    /// Scope kind (`organisation`, `portfolio`, `programme`, `project`).
    pub scope_kind: String,
    /// Scope record, if any.
    pub scope_id: Option<uuid::Uuid>,
    /// Title.
    pub title: String,
    /// Period end.
    pub as_of: NaiveDate,
    /// When it was issued.
    pub created_at: DateTime<Utc>,
    /// Who issued it (a user name, or `schedule: NAME`).
    pub created_by: String,
    /// `manual`, `api`, `cli` or `schedule`.
    pub trigger: String,
    /// The renderer version that wrote the HTML.
    pub renderer_version: String,
    /// The document as generated, JSON owned by the app (empty in lists).
    pub document: String,
    /// The HTML as issued (empty in lists).
    pub html: String,
}

const HEAD: &str = "id, org_id, kind, audience, scope_kind, scope_id, title, as_of, created_at, created_by, \"trigger\", renderer_version";

fn decode(r: &Row, with_body: bool) -> Result<ReportSnapshotRow, StoreError> {
    Ok(ReportSnapshotRow {
        id: r.parse("id")?,
        org_id: r.parse("org_id")?,
        kind: r.text("kind")?,
        audience: r.text("audience")?,
        scope_kind: r.text("scope_kind")?,
        scope_id: r.parse_opt("scope_id")?,
        title: r.text("title")?,
        as_of: parse_date(&r.text("as_of")?)?,
        created_at: parse_ts(&r.text("created_at")?)?,
        created_by: r.text("created_by")?,
        trigger: r.text("trigger")?,
        renderer_version: r.text("renderer_version")?,
        document: if with_body { r.text("document")? } else { String::new() },
        html: if with_body { r.text("html")? } else { String::new() },
    })
}

impl Tx {
    /// Keeps an issued report.
    pub async fn insert_report_snapshot(&mut self, row: &ReportSnapshotRow) -> Result<(), StoreError> {
        let mut sql = Sql::new(&format!("INSERT INTO report_snapshots ({HEAD}, document, html) VALUES ("));
        let values = [
            Value::text(row.id.to_string()),
            Value::text(row.org_id.to_string()),
            Value::text(row.kind.clone()),
            Value::text(row.audience.clone()),
            Value::text(row.scope_kind.clone()),
            Value::opt(row.scope_id),
            Value::text(row.title.clone()),
            Value::text(row.as_of.to_string()),
            Value::text(ts(row.created_at)),
            Value::text(row.created_by.clone()),
            Value::text(row.trigger.clone()),
            Value::text(row.renderer_version.clone()),
            Value::text(row.document.clone()),
            Value::text(row.html.clone()),
        ];
        sql.bind_values(values);
        self.run(&sql).await?;
        Ok(())
    }

    /// One issued report of the organisation, with its document and HTML.
    pub async fn report_snapshot(
        &mut self,
        org: OrgId,
        id: uuid::Uuid,
    ) -> Result<Option<ReportSnapshotRow>, StoreError> {
        let mut sql = Sql::new(&format!("SELECT {HEAD}, document, html FROM report_snapshots WHERE org_id = "));
        sql.bind(Value::text(org.to_string()));
        sql.push(" AND id = ").bind(Value::text(id.to_string()));
        self.rows(&sql).await?.first().map(|r| decode(r, true)).transpose()
    }

    /// The organisation's issued reports, newest first (at most `limit`), with `document` and
    /// `html` left empty: read one with [`Tx::report_snapshot`].
    pub async fn report_snapshots(&mut self, org: OrgId, limit: i64) -> Result<Vec<ReportSnapshotRow>, StoreError> {
        let mut sql = Sql::new(&format!("SELECT {HEAD} FROM report_snapshots WHERE org_id = "));
        sql.bind(Value::text(org.to_string()));
        sql.push(" ORDER BY created_at DESC, id DESC LIMIT ").bind(Value::int(limit));
        self.rows(&sql).await?.iter().map(|r| decode(r, false)).collect()
    }

    /// Every issued report of the organisation with its document and HTML, oldest first (export).
    pub async fn all_report_snapshots(&mut self, org: OrgId) -> Result<Vec<ReportSnapshotRow>, StoreError> {
        let mut sql = Sql::new(&format!("SELECT {HEAD}, document, html FROM report_snapshots WHERE org_id = "));
        sql.bind(Value::text(org.to_string()));
        sql.push(" ORDER BY created_at, id");
        self.rows(&sql).await?.iter().map(|r| decode(r, true)).collect()
    }
}
