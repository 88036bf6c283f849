//! Export an organisation's whole data set as one JSON document, import it elsewhere, and load
//! the demo organisation. Imports run in one transaction: all or nothing.

use chrono::{DateTime, NaiveDate, Utc};
use keel_domain::*;
use keel_store::{
    DeliveryHistoryRow, ForecastRunRow, ForecastSettingsRow, ReportDeliveryRow, ReportScheduleRow, ReportSnapshotRow,
    ScheduleVersionRow, StatusDraftRow, Stored, Tx, now,
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

// The data kept outside the record tables, one struct per table with every column. JSON bodies
// the app owns are carried as the stored text, so they come back byte for byte.

/// A schedule version as exported (`schedule_versions`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportScheduleVersion {
    /// Row ID.
    pub id: uuid::Uuid,
    /// Organisation.
    pub org_id: OrgId,
    /// Project.
    pub project_id: ProjectId,
    /// Version number within the project.
    pub version: i64,
    /// When it was imported.
    pub created_at: DateTime<Utc>,
    /// Who imported it.
    pub created_by: String,
    /// File name as uploaded.
    pub file_name: String,
    /// Format name.
    pub format: String,
    /// Number of tasks.
    pub task_count: i64,
    /// Computed finish, if any.
    pub finish: Option<String>,
    /// JSON summary, as stored.
    pub summary: String,
    /// The analysis (parsed schedule, computed dates, quality), JSON as stored.
    pub body: String,
}

impl ExportScheduleVersion {
    fn of((r, body): (ScheduleVersionRow, String)) -> Self {
        Self {
            id: r.id,
            org_id: r.org_id,
            project_id: r.project_id,
            version: r.version,
            created_at: r.created_at,
            created_by: r.created_by,
            file_name: r.file_name,
            format: r.format,
            task_count: r.task_count,
            finish: r.finish,
            summary: r.summary,
            body,
        }
    }

    fn row(&self) -> ScheduleVersionRow {
        ScheduleVersionRow {
            id: self.id,
            org_id: self.org_id,
            project_id: self.project_id,
            version: self.version,
            created_at: self.created_at,
            created_by: self.created_by.clone(),
            file_name: self.file_name.clone(),
            format: self.format.clone(),
            task_count: self.task_count,
            finish: self.finish.clone(),
            summary: self.summary.clone(),
        }
    }
}

/// A project's forecast settings as exported (`forecast_settings`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportForecastSettings {
    /// Organisation.
    pub org_id: OrgId,
    /// Project.
    pub project_id: ProjectId,
    /// When they were last saved.
    pub updated_at: DateTime<Utc>,
    /// Who saved them.
    pub updated_by: String,
    /// The settings, JSON as stored.
    pub body: String,
}

impl ExportForecastSettings {
    fn of(r: ForecastSettingsRow) -> Self {
        Self {
            org_id: r.org_id,
            project_id: r.project_id,
            updated_at: r.updated_at,
            updated_by: r.updated_by,
            body: r.body,
        }
    }

    fn row(&self) -> ForecastSettingsRow {
        ForecastSettingsRow {
            org_id: self.org_id,
            project_id: self.project_id,
            updated_at: self.updated_at,
            updated_by: self.updated_by.clone(),
            body: self.body.clone(),
        }
    }
}

/// A kept forecast run as exported (`forecast_runs`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportForecastRun {
    /// Row ID.
    pub id: uuid::Uuid,
    /// Organisation.
    pub org_id: OrgId,
    /// Project.
    pub project_id: ProjectId,
    /// What was computed.
    pub kind: String,
    /// When it ran.
    pub created_at: DateTime<Utc>,
    /// Who or what started it.
    pub created_by: String,
    /// Why it ran.
    pub reason: String,
    /// The schedule version it used, if any.
    pub schedule_version: Option<i64>,
    /// The random seed (decimal text).
    pub seed: String,
    /// Iterations run.
    pub iterations: i64,
    /// The engine version that computed it.
    pub engine_version: String,
    /// JSON summary, as stored.
    pub summary: String,
    /// The run, JSON as stored.
    pub body: String,
}

impl ExportForecastRun {
    fn of((r, body): (ForecastRunRow, String)) -> Self {
        Self {
            id: r.id,
            org_id: r.org_id,
            project_id: r.project_id,
            kind: r.kind,
            created_at: r.created_at,
            created_by: r.created_by,
            reason: r.reason,
            schedule_version: r.schedule_version,
            seed: r.seed,
            iterations: r.iterations,
            engine_version: r.engine_version,
            summary: r.summary,
            body,
        }
    }

    fn row(&self) -> ForecastRunRow {
        ForecastRunRow {
            id: self.id,
            org_id: self.org_id,
            project_id: self.project_id,
            kind: self.kind.clone(),
            created_at: self.created_at,
            created_by: self.created_by.clone(),
            reason: self.reason.clone(),
            schedule_version: self.schedule_version,
            seed: self.seed.clone(),
            iterations: self.iterations,
            engine_version: self.engine_version.clone(),
            summary: self.summary.clone(),
        }
    }
}

/// An imported team delivery history as exported (`delivery_histories`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportDeliveryHistory {
    /// Row ID.
    pub id: uuid::Uuid,
    /// Organisation.
    pub org_id: OrgId,
    /// Project.
    pub project_id: ProjectId,
    /// Version number within the project.
    pub version: i64,
    /// When it was imported.
    pub created_at: DateTime<Utc>,
    /// Who imported it.
    pub created_by: String,
    /// File name as uploaded.
    pub file_name: String,
    /// Format name.
    pub format: String,
    /// Number of items.
    pub item_count: i64,
    /// JSON summary, as stored.
    pub summary: String,
    /// The items, JSON as stored.
    pub body: String,
}

impl ExportDeliveryHistory {
    fn of((r, body): (DeliveryHistoryRow, String)) -> Self {
        Self {
            id: r.id,
            org_id: r.org_id,
            project_id: r.project_id,
            version: r.version,
            created_at: r.created_at,
            created_by: r.created_by,
            file_name: r.file_name,
            format: r.format,
            item_count: r.item_count,
            summary: r.summary,
            body,
        }
    }

    fn row(&self) -> DeliveryHistoryRow {
        DeliveryHistoryRow {
            id: self.id,
            org_id: self.org_id,
            project_id: self.project_id,
            version: self.version,
            created_at: self.created_at,
            created_by: self.created_by.clone(),
            file_name: self.file_name.clone(),
            format: self.format.clone(),
            item_count: self.item_count,
            summary: self.summary.clone(),
        }
    }
}

/// An issued report as exported (`report_snapshots`): the document and HTML exactly as issued.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportReportSnapshot {
    /// Row ID.
    pub id: uuid::Uuid,
    /// Organisation.
    pub org_id: OrgId,
    /// Report kind.
    pub kind: String,
    /// Audience.
    pub audience: String,
    /// Scope kind.
    pub scope_kind: String,
    /// Scope record, if any.
    pub scope_id: Option<uuid::Uuid>,
    /// Title.
    pub title: String,
    /// Period end.
    pub as_of: NaiveDate,
    /// When it was issued.
    pub created_at: DateTime<Utc>,
    /// Who issued it.
    pub created_by: String,
    /// What issued it.
    pub trigger: String,
    /// The renderer version that wrote the HTML.
    pub renderer_version: String,
    /// The document as generated, JSON as stored.
    pub document: String,
    /// The HTML as issued.
    pub html: String,
}

impl ExportReportSnapshot {
    fn of(r: ReportSnapshotRow) -> Self {
        Self {
            id: r.id,
            org_id: r.org_id,
            kind: r.kind,
            audience: r.audience,
            scope_kind: r.scope_kind,
            scope_id: r.scope_id,
            title: r.title,
            as_of: r.as_of,
            created_at: r.created_at,
            created_by: r.created_by,
            trigger: r.trigger,
            renderer_version: r.renderer_version,
            document: r.document,
            html: r.html,
        }
    }

    fn row(&self) -> ReportSnapshotRow {
        ReportSnapshotRow {
            id: self.id,
            org_id: self.org_id,
            kind: self.kind.clone(),
            audience: self.audience.clone(),
            scope_kind: self.scope_kind.clone(),
            scope_id: self.scope_id,
            title: self.title.clone(),
            as_of: self.as_of,
            created_at: self.created_at,
            created_by: self.created_by.clone(),
            trigger: self.trigger.clone(),
            renderer_version: self.renderer_version.clone(),
            document: self.document.clone(),
            html: self.html.clone(),
        }
    }
}

/// A status draft as exported (`status_drafts`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportStatusDraft {
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
    /// The draft as Keel wrote it, JSON as stored.
    pub drafted: String,
    /// The manager's edited version, JSON as stored.
    pub edited: Option<String>,
    /// RAG overrides with reasons, JSON as stored.
    pub overrides: String,
    /// When it was submitted.
    pub submitted_at: Option<DateTime<Utc>>,
    /// Who submitted it.
    pub submitted_by: Option<String>,
    /// The status report record it became.
    pub status_report_id: Option<uuid::Uuid>,
}

impl ExportStatusDraft {
    fn of(r: StatusDraftRow) -> Self {
        Self {
            id: r.id,
            org_id: r.org_id,
            project_id: r.project_id,
            period_end: r.period_end,
            state: r.state,
            created_at: r.created_at,
            created_by: r.created_by,
            drafted: r.drafted,
            edited: r.edited,
            overrides: r.overrides,
            submitted_at: r.submitted_at,
            submitted_by: r.submitted_by,
            status_report_id: r.status_report_id,
        }
    }

    fn row(&self) -> StatusDraftRow {
        StatusDraftRow {
            id: self.id,
            org_id: self.org_id,
            project_id: self.project_id,
            period_end: self.period_end,
            state: self.state.clone(),
            created_at: self.created_at,
            created_by: self.created_by.clone(),
            drafted: self.drafted.clone(),
            edited: self.edited.clone(),
            overrides: self.overrides.clone(),
            submitted_at: self.submitted_at,
            submitted_by: self.submitted_by.clone(),
            status_report_id: self.status_report_id,
        }
    }
}

/// A report schedule as exported (`report_schedules`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportReportSchedule {
    /// Row ID.
    pub id: uuid::Uuid,
    /// Organisation.
    pub org_id: OrgId,
    /// Name.
    pub name: String,
    /// Report kind.
    pub kind: String,
    /// Audience.
    pub audience: String,
    /// Scope kind.
    pub scope_kind: String,
    /// Scope record, if any.
    pub scope_id: Option<uuid::Uuid>,
    /// Output format.
    pub format: String,
    /// Day of the week (0 = Monday), or every day.
    pub weekday: Option<i64>,
    /// Local time of day, `HH:MM`.
    pub time_of_day: String,
    /// IANA time zone.
    pub timezone: String,
    /// E-mail recipients, JSON as stored.
    pub recipients: String,
    /// Webhook URL, if any.
    pub webhook_url: Option<String>,
    /// Whether the schedule runs.
    pub enabled: bool,
    /// When it runs next.
    pub next_run_at: DateTime<Utc>,
    /// When it last ran.
    pub last_run_at: Option<DateTime<Utc>>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// Who created it.
    pub created_by: String,
}

impl ExportReportSchedule {
    fn of(r: ReportScheduleRow) -> Self {
        Self {
            id: r.id,
            org_id: r.org_id,
            name: r.name,
            kind: r.kind,
            audience: r.audience,
            scope_kind: r.scope_kind,
            scope_id: r.scope_id,
            format: r.format,
            weekday: r.weekday,
            time_of_day: r.time_of_day,
            timezone: r.timezone,
            recipients: r.recipients,
            webhook_url: r.webhook_url,
            enabled: r.enabled,
            next_run_at: r.next_run_at,
            last_run_at: r.last_run_at,
            created_at: r.created_at,
            created_by: r.created_by,
        }
    }

    fn row(&self) -> ReportScheduleRow {
        ReportScheduleRow {
            id: self.id,
            org_id: self.org_id,
            name: self.name.clone(),
            kind: self.kind.clone(),
            audience: self.audience.clone(),
            scope_kind: self.scope_kind.clone(),
            scope_id: self.scope_id,
            format: self.format.clone(),
            weekday: self.weekday,
            time_of_day: self.time_of_day.clone(),
            timezone: self.timezone.clone(),
            recipients: self.recipients.clone(),
            webhook_url: self.webhook_url.clone(),
            enabled: self.enabled,
            next_run_at: self.next_run_at,
            last_run_at: self.last_run_at,
            created_at: self.created_at,
            created_by: self.created_by.clone(),
        }
    }
}

/// A delivery of an issued report as exported (`report_deliveries`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportReportDelivery {
    /// Row ID.
    pub id: uuid::Uuid,
    /// Organisation.
    pub org_id: OrgId,
    /// The schedule that issued it, if any.
    pub schedule_id: Option<uuid::Uuid>,
    /// The issued report.
    pub snapshot_id: uuid::Uuid,
    /// `email` or `webhook`.
    pub channel: String,
    /// The e-mail address or URL.
    pub target: String,
    /// `pending`, `delivered` or `failed`.
    pub state: String,
    /// Attempts made so far.
    pub attempts: i64,
    /// When to try next.
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// The last failure.
    pub last_error: Option<String>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

impl ExportReportDelivery {
    fn of(r: ReportDeliveryRow) -> Self {
        Self {
            id: r.id,
            org_id: r.org_id,
            schedule_id: r.schedule_id,
            snapshot_id: r.snapshot_id,
            channel: r.channel,
            target: r.target,
            state: r.state,
            attempts: r.attempts,
            next_attempt_at: r.next_attempt_at,
            last_error: r.last_error,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }

    fn row(&self) -> ReportDeliveryRow {
        ReportDeliveryRow {
            id: self.id,
            org_id: self.org_id,
            schedule_id: self.schedule_id,
            snapshot_id: self.snapshot_id,
            channel: self.channel.clone(),
            target: self.target.clone(),
            state: self.state.clone(),
            attempts: self.attempts,
            next_attempt_at: self.next_attempt_at,
            last_error: self.last_error.clone(),
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}

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
        check_row("schedule_versions", v.id, v.org_id, org, Some(v.project_id), &projects)?;
        tx.insert_schedule_version(&v.row(), &v.body).await.map_err(stored("schedule_versions", v.id.to_string()))?;
    }
    for s in &doc.forecast_settings {
        check_row("forecast_settings", s.project_id, s.org_id, org, Some(s.project_id), &projects)?;
        tx.put_forecast_settings(&s.row()).await.map_err(stored("forecast_settings", s.project_id.to_string()))?;
    }
    for r in &doc.forecast_runs {
        check_row("forecast_runs", r.id, r.org_id, org, Some(r.project_id), &projects)?;
        tx.insert_forecast_run(&r.row(), &r.body).await.map_err(stored("forecast_runs", r.id.to_string()))?;
    }
    for d in &doc.delivery_histories {
        check_row("delivery_histories", d.id, d.org_id, org, Some(d.project_id), &projects)?;
        tx.insert_delivery_history(&d.row(), &d.body).await.map_err(stored("delivery_histories", d.id.to_string()))?;
    }
    for s in &doc.report_snapshots {
        check_row("report_snapshots", s.id, s.org_id, org, None, &projects)?;
        tx.insert_report_snapshot(&s.row()).await.map_err(stored("report_snapshots", s.id.to_string()))?;
    }
    for d in &doc.status_drafts {
        check_row("status_drafts", d.id, d.org_id, org, Some(d.project_id), &projects)?;
        tx.put_status_draft(&d.row()).await.map_err(stored("status_drafts", d.id.to_string()))?;
    }
    for s in &doc.report_schedules {
        check_row("report_schedules", s.id, s.org_id, org, None, &projects)?;
        tx.insert_report_schedule(&s.row()).await.map_err(stored("report_schedules", s.id.to_string()))?;
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
        tx.insert_report_delivery(&d.row()).await.map_err(stored("report_deliveries", d.id.to_string()))?;
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
                .map(ExportScheduleVersion::of)
                .collect(),
            forecast_settings: tx
                .all_forecast_settings(org)
                .await?
                .into_iter()
                .map(ExportForecastSettings::of)
                .collect(),
            forecast_runs: tx.all_forecast_runs(org).await?.into_iter().map(ExportForecastRun::of).collect(),
            delivery_histories: tx
                .all_delivery_histories(org)
                .await?
                .into_iter()
                .map(ExportDeliveryHistory::of)
                .collect(),
            report_snapshots: tx.all_report_snapshots(org).await?.into_iter().map(ExportReportSnapshot::of).collect(),
            status_drafts: tx.all_status_drafts(org).await?.into_iter().map(ExportStatusDraft::of).collect(),
            report_schedules: tx.report_schedules(org).await?.into_iter().map(ExportReportSchedule::of).collect(),
            report_deliveries: tx.all_report_deliveries(org).await?.into_iter().map(ExportReportDelivery::of).collect(),
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
        let d = demo::generate(org.id, opts, now());
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

/// Today's date in UTC (the front ends pass it to the dashboard).
pub fn today() -> NaiveDate {
    Utc::now().date_naive()
}
