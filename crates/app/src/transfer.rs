//! Export an organisation's whole data set as one JSON document, import it elsewhere, and load
//! the demo organisation. Imports run in one transaction: all or nothing.

use chrono::{DateTime, Utc};
use keel_domain::*;
use keel_store::{
    DeliveryHistoryRow, ForecastRunRow, ForecastSettingsRow, ReportDeliveryRow, ReportScheduleRow, ReportSnapshotRow,
    ScheduleVersionRow, StatusDraftRow, Stored, Tx, WithBody, now,
};
use serde::{Deserialize, Serialize};

use crate::{Actor, App, AppError, demo, new_id};

/// The format name written in every export.
pub const FORMAT: &str = "keel-export";
/// The format version written in every export.
pub const FORMAT_VERSION: u32 = 1;

/// A user as exported: with the password hash, so people can sign in after a move.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportUser {
    /// ID.
    pub id: UserId,
    /// Sign-in name.
    pub username: String,
    /// Display name.
    pub display_name: String,
    /// E-mail.
    pub email: String,
    /// Argon2 hash.
    pub password_hash: String,
    /// Disabled flag.
    pub disabled: bool,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Role in the exported organisation.
    pub role: Role,
}

/// An organisation's whole data set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportDocument {
    /// Always `keel-export`.
    pub format: String,
    /// Format version (1).
    pub format_version: u32,
    /// When the export was taken.
    pub exported_at: DateTime<Utc>,
    /// The organisation.
    pub organisation: Organisation,
    /// Its users and their roles.
    pub users: Vec<ExportUser>,
    /// Every record, by kind.
    #[serde(flatten)]
    pub records: RecordSet,
    /// The audit trail, oldest first.
    pub audit: Vec<AuditEntry>,
    /// Every imported schedule version, with its parsed and computed schedule.
    #[serde(default)]
    pub schedule_versions: Vec<ExportScheduleVersion>,
    /// Every project's forecast settings.
    #[serde(default)]
    pub forecast_settings: Vec<ExportForecastSettings>,
    /// Every kept forecast run.
    #[serde(default)]
    pub forecast_runs: Vec<ExportForecastRun>,
    /// Every imported team delivery history.
    #[serde(default)]
    pub delivery_histories: Vec<ExportDeliveryHistory>,
    /// Every issued report, with its document and HTML exactly as issued.
    #[serde(default)]
    pub report_snapshots: Vec<ExportReportSnapshot>,
    /// Every status draft.
    #[serde(default)]
    pub status_drafts: Vec<ExportStatusDraft>,
    /// Every report schedule.
    #[serde(default)]
    pub report_schedules: Vec<ExportReportSchedule>,
    /// The delivery log of issued reports.
    #[serde(default)]
    pub report_deliveries: Vec<ExportReportDelivery>,
}

// The data kept outside the record tables: the store's rows with every column. JSON bodies the
// app owns are carried as the stored text, so they come back byte for byte.

/// A schedule version as exported (`schedule_versions`), with its analysis body.
pub type ExportScheduleVersion = WithBody<ScheduleVersionRow>;
/// A project's forecast settings as exported (`forecast_settings`).
pub type ExportForecastSettings = ForecastSettingsRow;
/// A kept forecast run as exported (`forecast_runs`), with its body.
pub type ExportForecastRun = WithBody<ForecastRunRow>;
/// An imported delivery history as exported (`delivery_histories`), with its items.
pub type ExportDeliveryHistory = WithBody<DeliveryHistoryRow>;
/// An issued report as exported (`report_snapshots`): the document and the HTML as issued.
pub type ExportReportSnapshot = ReportSnapshotRow;
/// A status draft as exported (`status_drafts`).
pub type ExportStatusDraft = StatusDraftRow;
/// A report schedule as exported (`report_schedules`).
pub type ExportReportSchedule = ReportScheduleRow;
/// One delivery attempt log row as exported (`report_deliveries`).
pub type ExportReportDelivery = ReportDeliveryRow;

/// Every record of an organisation, by kind, parents first.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RecordSet {
    /// Portfolios.
    pub portfolios: Vec<Portfolio>,
    /// Programmes.
    pub programmes: Vec<Programme>,
    /// Projects.
    pub projects: Vec<Project>,
    /// Status reports.
    pub status_reports: Vec<StatusReport>,
    /// Milestones.
    pub milestones: Vec<Milestone>,
    /// Risks.
    pub risks: Vec<Risk>,
    /// Issues.
    pub issues: Vec<Issue>,
    /// Assumptions.
    pub assumptions: Vec<Assumption>,
    /// Dependencies.
    pub dependencies: Vec<Dependency>,
    /// Decisions.
    pub decisions: Vec<Decision>,
}

impl RecordSet {
    /// Inserts every record, parents first, checking each belongs to `org` and validates.
    async fn insert_all(&self, tx: &mut Tx, org: OrgId) -> Result<usize, AppError> {
        Ok(insert_each(tx, org, &self.portfolios).await?
            + insert_each(tx, org, &self.programmes).await?
            + insert_each(tx, org, &self.projects).await?
            + insert_each(tx, org, &self.status_reports).await?
            + insert_each(tx, org, &self.milestones).await?
            + insert_each(tx, org, &self.risks).await?
            + insert_each(tx, org, &self.issues).await?
            + insert_each(tx, org, &self.assumptions).await?
            + insert_each(tx, org, &self.dependencies).await?
            + insert_each(tx, org, &self.decisions).await?)
    }
}

/// What an import or demo load wrote.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ImportSummary {
    /// Users created.
    pub users: usize,
    /// Records created, all kinds together.
    pub records: usize,
    /// Audit entries carried over.
    pub audit_entries: usize,
    /// Rows kept outside the records carried over (schedule versions, forecasts, issued reports,
    /// drafts, report schedules and deliveries), all tables together.
    pub rows: usize,
}

/// Checks a row of `table` belongs to `org` and, when it names a project, that the export holds
/// that project: the error names the table, the row and what is missing.
fn check_row(
    table: &str,
    id: impl std::fmt::Display,
    row_org: OrgId,
    org: OrgId,
    project: Option<ProjectId>,
    projects: &std::collections::HashSet<ProjectId>,
) -> Result<(), AppError> {
    if row_org != org {
        return Err(AppError::field(table, format!("row {id} belongs to another organisation ({row_org})")));
    }
    if let Some(p) = project.filter(|p| !projects.contains(p)) {
        return Err(AppError::field(table, format!("row {id} names project {p}, which is not in the export")));
    }
    Ok(())
}

/// Inserts the rows kept outside the record tables, after the projects they name and the
/// snapshots and schedules the delivery log names. Returns how many were written.
async fn insert_rows(tx: &mut Tx, org: OrgId, doc: &ExportDocument) -> Result<usize, AppError> {
    let projects: std::collections::HashSet<ProjectId> = doc.records.projects.iter().map(|p| p.id).collect();
    let stored = |table: &'static str, id: String| {
        move |e: keel_store::StoreError| AppError::field(table, format!("row {id} cannot be stored: {e}"))
    };
    for v in &doc.schedule_versions {
        check_row("schedule_versions", v.row.id, v.row.org_id, org, Some(v.row.project_id), &projects)?;
        tx.insert_schedule_version(&v.row, &v.body).await.map_err(stored("schedule_versions", v.row.id.to_string()))?;
    }
    for s in &doc.forecast_settings {
        check_row("forecast_settings", s.project_id, s.org_id, org, Some(s.project_id), &projects)?;
        tx.put_forecast_settings(s).await.map_err(stored("forecast_settings", s.project_id.to_string()))?;
    }
    for r in &doc.forecast_runs {
        check_row("forecast_runs", r.row.id, r.row.org_id, org, Some(r.row.project_id), &projects)?;
        tx.insert_forecast_run(&r.row, &r.body).await.map_err(stored("forecast_runs", r.row.id.to_string()))?;
    }
    for d in &doc.delivery_histories {
        check_row("delivery_histories", d.row.id, d.row.org_id, org, Some(d.row.project_id), &projects)?;
        tx.insert_delivery_history(&d.row, &d.body)
            .await
            .map_err(stored("delivery_histories", d.row.id.to_string()))?;
    }
    for s in &doc.report_snapshots {
        check_row("report_snapshots", s.id, s.org_id, org, None, &projects)?;
        tx.insert_report_snapshot(s).await.map_err(stored("report_snapshots", s.id.to_string()))?;
    }
    for d in &doc.status_drafts {
        check_row("status_drafts", d.id, d.org_id, org, Some(d.project_id), &projects)?;
        tx.put_status_draft(d).await.map_err(stored("status_drafts", d.id.to_string()))?;
    }
    for s in &doc.report_schedules {
        check_row("report_schedules", s.id, s.org_id, org, None, &projects)?;
        tx.insert_report_schedule(s).await.map_err(stored("report_schedules", s.id.to_string()))?;
    }
    let snapshots: std::collections::HashSet<uuid::Uuid> = doc.report_snapshots.iter().map(|s| s.id).collect();
    let schedules: std::collections::HashSet<uuid::Uuid> = doc.report_schedules.iter().map(|s| s.id).collect();
    for d in &doc.report_deliveries {
        check_row("report_deliveries", d.id, d.org_id, org, None, &projects)?;
        if !snapshots.contains(&d.snapshot_id) {
            return Err(AppError::field(
                "report_deliveries",
                format!("row {} names issued report {}, which is not in the export", d.id, d.snapshot_id),
            ));
        }
        if let Some(s) = d.schedule_id.filter(|s| !schedules.contains(s)) {
            return Err(AppError::field(
                "report_deliveries",
                format!("row {} names report schedule {s}, which is not in the export", d.id),
            ));
        }
        tx.insert_report_delivery(d).await.map_err(stored("report_deliveries", d.id.to_string()))?;
    }
    Ok(doc.schedule_versions.len()
        + doc.forecast_settings.len()
        + doc.forecast_runs.len()
        + doc.delivery_histories.len()
        + doc.report_snapshots.len()
        + doc.status_drafts.len()
        + doc.report_schedules.len()
        + doc.report_deliveries.len())
}

async fn insert_each<F: Stored>(tx: &mut Tx, org: OrgId, records: &[Record<F>]) -> Result<usize, AppError> {
    for r in records {
        if r.org_id != org {
            return Err(AppError::field(
                F::KIND.slug(),
                format!("record {} belongs to another organisation ({})", r.id, r.org_id),
            ));
        }
        r.fields.validate().map_err(|e| AppError::field(F::KIND.slug(), format!("record {} is invalid: {e}", r.id)))?;
        tx.insert(r)
            .await
            .map_err(|e| AppError::field(F::KIND.slug(), format!("record {} cannot be stored: {e}", r.id)))?;
    }
    Ok(records.len())
}

async fn check_all<F: Stored>(tx: &mut Tx, org: OrgId, records: &[Record<F>]) -> Result<(), AppError> {
    for r in records {
        crate::records::check_references(tx, org, &r.fields)
            .await
            .map_err(|e| AppError::field(F::KIND.slug(), format!("record {}: {e}", r.id)))?;
    }
    Ok(())
}

impl App {
    /// Exports the actor's organisation.
    pub async fn export(&self, actor: &Actor) -> Result<ExportDocument, AppError> {
        actor.require(Action::ExportImport)?;
        let org = actor.org_id;
        let mut tx = self.store.read().await?;
        let organisation = tx.orgs().await?.into_iter().find(|o| o.id == org).ok_or(AppError::NotFound)?;
        let users = tx
            .members(org)
            .await?
            .into_iter()
            .map(|(u, role)| ExportUser {
                id: u.id,
                username: u.username,
                display_name: u.display_name,
                email: u.email,
                password_hash: u.password_hash,
                disabled: u.disabled,
                created_at: u.created_at,
                role,
            })
            .collect();
        Ok(ExportDocument {
            format: FORMAT.into(),
            format_version: FORMAT_VERSION,
            exported_at: now(),
            organisation,
            users,
            records: RecordSet {
                portfolios: tx.all(org).await?,
                programmes: tx.all(org).await?,
                projects: tx.all(org).await?,
                status_reports: tx.all(org).await?,
                milestones: tx.all(org).await?,
                risks: tx.all(org).await?,
                issues: tx.all(org).await?,
                assumptions: tx.all(org).await?,
                dependencies: tx.all(org).await?,
                decisions: tx.all(org).await?,
            },
            audit: tx.all_audit(org).await?,
            schedule_versions: tx
                .all_schedule_versions(org)
                .await?
                .into_iter()
                .map(|(row, body)| WithBody { row, body })
                .collect(),
            forecast_settings: tx.all_forecast_settings(org).await?,
            forecast_runs: tx
                .all_forecast_runs(org)
                .await?
                .into_iter()
                .map(|(row, body)| WithBody { row, body })
                .collect(),
            delivery_histories: tx
                .all_delivery_histories(org)
                .await?
                .into_iter()
                .map(|(row, body)| WithBody { row, body })
                .collect(),
            report_snapshots: tx.all_report_snapshots(org).await?,
            status_drafts: tx.all_status_drafts(org).await?,
            report_schedules: tx.report_schedules(org).await?,
            report_deliveries: tx.all_report_deliveries(org).await?,
        })
    }

    /// Imports a whole organisation into this store, keeping every ID, version, timestamp and
    /// audit entry, in one transaction. Refused if the organisation already exists here.
    pub async fn import(&self, doc: &ExportDocument) -> Result<ImportSummary, AppError> {
        if doc.format != FORMAT || doc.format_version != FORMAT_VERSION {
            return Err(AppError::field(
                "format",
                format!(
                    "expected {FORMAT} version {FORMAT_VERSION}, found {} version {}",
                    doc.format, doc.format_version
                ),
            ));
        }
        let org = doc.organisation.id;
        let mut tx = self.store.write().await?;
        if tx.orgs().await?.iter().any(|o| o.id == org) {
            return Err(AppError::Conflict(format!(
                "organisation {} ({org}) already exists in this database",
                doc.organisation.name
            )));
        }
        tx.insert_org(&doc.organisation).await?;
        let mut summary = ImportSummary::default();
        for u in &doc.users {
            match tx.user_by_name(&u.username).await? {
                Some(existing) if existing.id == u.id => {}
                Some(_) => {
                    return Err(AppError::field(
                        "users",
                        format!("user name `{}` is taken by another user here", u.username),
                    ));
                }
                None => {
                    tx.insert_user(&User {
                        id: u.id,
                        username: u.username.clone(),
                        display_name: u.display_name.clone(),
                        email: u.email.clone(),
                        password_hash: u.password_hash.clone(),
                        disabled: u.disabled,
                        created_at: u.created_at,
                    })
                    .await?;
                    summary.users += 1;
                }
            }
            tx.set_membership(&Membership { org_id: org, user_id: u.id, role: u.role }).await?;
        }
        summary.records += doc.records.insert_all(&mut tx, org).await?;
        // The same cross-record rules as the API (same organisation, programme in portfolio,
        // milestones of the named projects), checked once everything is in.
        check_all(&mut tx, org, &doc.records.programmes).await?;
        check_all(&mut tx, org, &doc.records.projects).await?;
        check_all(&mut tx, org, &doc.records.dependencies).await?;
        summary.rows = insert_rows(&mut tx, org, doc).await?;
        for a in &doc.audit {
            if a.org_id != org {
                return Err(AppError::field(
                    "audit",
                    format!("entry {} belongs to another organisation ({})", a.id, a.org_id),
                ));
            }
            tx.append_audit(a).await?;
        }
        summary.audit_entries = doc.audit.len();
        tx.append_audit(&AuditEntry {
            id: new_id(),
            org_id: org,
            at: now(),
            actor_id: None,
            actor_name: "system".into(),
            action: AuditAction::Import,
            entity_kind: "organisation".into(),
            entity_id: org.uuid(),
            project_id: None,
            label: format!(
                "Imported {} records, {} schedule, forecast and report rows and {} users from an export of {}",
                summary.records,
                summary.rows,
                summary.users,
                doc.exported_at.format("%Y-%m-%d %H:%M UTC")
            ),
            before: None,
            after: None,
        })
        .await?;
        tx.commit().await?;
        Ok(summary)
    }

    /// Loads the seeded demo organisation into the default organisation if it holds no projects
    /// yet. Returns `None` when there was data already.
    pub async fn load_demo(&self, opts: &demo::DemoOptions) -> Result<Option<ImportSummary>, AppError> {
        let org = self.default_org().await?.ok_or_else(|| AppError::Internal("bootstrap first".into()))?;
        let mut tx = self.store.write().await?;
        if tx.count::<ProjectFields>(org.id).await? > 0 {
            return Ok(None);
        }
        // Records are stamped no later than the demo's "today", so a demo laid out around a day
        // in the past (a pinned clock) is not "created after" its own reporting dates.
        let stamp = now().min(opts.today.and_time(chrono::NaiveTime::MIN).and_utc());
        let d = demo::generate(org.id, opts, stamp);
        let mut summary = ImportSummary::default();
        summary.records += d.insert_all(&mut tx, org.id).await?;
        let actor = Actor::system(org.id);
        tx.append_audit(&AuditEntry {
            id: new_id(),
            org_id: org.id,
            at: now(),
            actor_id: None,
            actor_name: actor.name,
            action: AuditAction::Import,
            entity_kind: "organisation".into(),
            entity_id: org.id.uuid(),
            project_id: None,
            label: format!(
                "Demo portfolio loaded: {} projects, {} records (seed {})",
                d.projects.len(),
                summary.records,
                opts.seed
            ),
            before: None,
            after: None,
        })
        .await?;
        tx.commit().await?;
        // A few active projects get a schedule, imported as a user's upload would be.
        self.load_demo_schedules(&Actor::system(org.id), &d.projects, opts.today, opts.schedules).await?;
        Ok(Some(summary))
    }
}
