//! Reporting: status drafts, portfolio reports and board packs written from live data, stored as
//! immutable snapshots, rendered as HTML, PDF, Excel or Markdown, and delivered on a schedule.
//!
//! CONTRACT: types and signatures are fixed; bodies are being written.

pub mod delivery;
mod drafts;
mod facts;
pub mod schedules;

use chrono::{NaiveDate, NaiveDateTime};
use keel_domain::{PortfolioId, ProgrammeId, ProjectId};
use keel_engine::report::{Audience, Document, RagRules, ReportKind};
use serde::{Deserialize, Serialize};

use crate::{Actor, App, AppError};

pub use delivery::{DeliveryChannel, DeliveryState, ReportDelivery, SmtpConfig, SmtpSecurity};
pub use drafts::{RagOverride, StatusDraftView, StatusEdit};
pub use schedules::{ReportSchedule, ReportScheduleInput};

/// Report settings (`[reporting]` in keel.toml).
#[derive(Debug, Clone)]
pub struct ReportingConfig {
    /// The organisation's time zone (IANA name) for scheduled reports and "today".
    pub timezone: String,
    /// Base URL of this server, for links in e-mailed reports (empty: relative links).
    pub base_url: String,
    /// The thresholds that propose RAGs, per governance tier.
    pub rag_rules: RagRules,
    /// Delivery attempts before a delivery is marked failed.
    pub max_attempts: u32,
    /// Seconds before the first retry; doubled at each further attempt.
    pub retry_after_secs: u64,
}

impl Default for ReportingConfig {
    fn default() -> Self {
        Self {
            timezone: "UTC".into(),
            base_url: String::new(),
            rag_rules: RagRules::default(),
            max_attempts: 5,
            retry_after_secs: 60,
        }
    }
}

impl ReportingConfig {
    /// Checks the time zone, the base URL and the RAG rules.
    ///
    /// # Errors
    /// A message naming the setting, e.g. `timezone: "Europe/Londres" is not an IANA time zone`.
    pub fn validate(&self) -> Result<(), String> {
        if self.timezone.parse::<chrono_tz::Tz>().is_err() {
            return Err(format!("timezone: {:?} is not an IANA time zone like Europe/London", self.timezone));
        }
        let url_ok = |u: &str| u.starts_with("http://") || u.starts_with("https://");
        if !self.base_url.is_empty() && !url_ok(&self.base_url) {
            return Err(format!("base_url: {:?}: expected an http(s) URL like https://pmo.example.com", self.base_url));
        }
        if self.max_attempts == 0 {
            return Err("max_attempts: expected at least 1".into());
        }
        self.rag_rules.validate().map_err(|e| format!("rag_rules.{e}"))
    }
}

/// A report's output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportFormat {
    /// Standalone HTML with print styles.
    Html,
    /// PDF typeset by Keel.
    Pdf,
    /// Excel workbook of the tables.
    Xlsx,
    /// Markdown.
    Md,
}

impl ReportFormat {
    /// Every format.
    pub const ALL: [ReportFormat; 4] = [ReportFormat::Html, ReportFormat::Pdf, ReportFormat::Xlsx, ReportFormat::Md];
    /// Name and file extension (`html`, `pdf`, `xlsx`, `md`).
    pub const fn as_str(self) -> &'static str {
        match self {
            ReportFormat::Html => "html",
            ReportFormat::Pdf => "pdf",
            ReportFormat::Xlsx => "xlsx",
            ReportFormat::Md => "md",
        }
    }
    /// MIME type.
    pub const fn mime(self) -> &'static str {
        match self {
            ReportFormat::Html => "text/html; charset=utf-8",
            ReportFormat::Pdf => "application/pdf",
            ReportFormat::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ReportFormat::Md => "text/markdown; charset=utf-8",
        }
    }
    /// Parses [`ReportFormat::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == s)
    }
}

/// What a report covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum ReportScope {
    /// Every portfolio.
    Organisation,
    /// One portfolio.
    Portfolio(PortfolioId),
    /// One programme.
    Programme(ProgrammeId),
    /// One project (status reports).
    Project(ProjectId),
}

impl ReportScope {
    /// `organisation`, `portfolio`, `programme` or `project`.
    pub const fn kind_str(&self) -> &'static str {
        match self {
            ReportScope::Organisation => "organisation",
            ReportScope::Portfolio(_) => "portfolio",
            ReportScope::Programme(_) => "programme",
            ReportScope::Project(_) => "project",
        }
    }
    /// The scope's record id, if any.
    pub fn id(&self) -> Option<uuid::Uuid> {
        match self {
            ReportScope::Organisation => None,
            ReportScope::Portfolio(id) => Some(id.uuid()),
            ReportScope::Programme(id) => Some(id.uuid()),
            ReportScope::Project(id) => Some(id.uuid()),
        }
    }
}

/// What to generate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportRequest {
    /// Status, portfolio or board.
    pub kind: ReportKind,
    /// Who reads it.
    pub audience: Audience,
    /// What it covers (a project for status reports).
    pub scope: ReportScope,
    /// Period end; today in the organisation's time zone when `None`.
    pub as_of: Option<NaiveDate>,
}

/// An issued report, without its content.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportSnapshotInfo {
    /// Id.
    pub id: uuid::Uuid,
    /// Kind.
    pub kind: ReportKind,
    /// Audience.
    pub audience: Audience,
    /// Scope kind (`organisation`, `portfolio`, `programme`, `project`).
    pub scope_kind: String,
    /// Scope record id.
    pub scope_id: Option<uuid::Uuid>,
    /// Title.
    pub title: String,
    /// Period end.
    pub as_of: NaiveDate,
    /// When it was issued (UTC).
    pub created_at: NaiveDateTime,
    /// Who issued it (a user name, or `schedule: NAME`).
    pub created_by: String,
    /// `manual`, `api`, `cli` or `schedule`.
    pub trigger: String,
    /// [`keel_report::RENDERER_VERSION`] when issued.
    pub renderer_version: String,
}

/// An issued report: the document as generated and the HTML as issued. Immutable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportSnapshot {
    /// Its description.
    pub info: ReportSnapshotInfo,
    /// The document (data as it was when issued).
    pub document: Document,
    /// The HTML as issued.
    pub html: String,
    /// The organisation's name (for headers of the other formats).
    pub organisation: String,
}

/// What a report can cover (see [`App::report_scopes`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ReportScopes {
    /// Portfolios.
    pub portfolios: Vec<keel_domain::Record<keel_domain::PortfolioFields>>,
    /// Programmes.
    pub programmes: Vec<keel_domain::Record<keel_domain::ProgrammeFields>>,
    /// Projects that are not closed or cancelled, by code.
    pub projects: Vec<keel_domain::Record<keel_domain::ProjectFields>>,
}

/// A report rendered in one format.
#[derive(Debug, Clone, PartialEq)]
pub struct RenderedReport {
    /// The bytes.
    pub bytes: Vec<u8>,
    /// Its format.
    pub format: ReportFormat,
    /// A file name, e.g. `board-pack-2026-11-20.pdf`.
    pub file_name: String,
}

fn kind_title(kind: ReportKind) -> &'static str {
    match kind {
        ReportKind::Status => "status-report",
        ReportKind::Portfolio => "portfolio-report",
        ReportKind::Board => "board-pack",
    }
}

fn info_of(row: &keel_store::ReportSnapshotRow) -> Result<ReportSnapshotInfo, AppError> {
    let bad = |what: &str, v: &str| AppError::Internal(format!("report snapshot {}: unknown {what} {v:?}", row.id));
    Ok(ReportSnapshotInfo {
        id: row.id,
        kind: ReportKind::parse(&row.kind).ok_or_else(|| bad("kind", &row.kind))?,
        audience: Audience::parse(&row.audience).ok_or_else(|| bad("audience", &row.audience))?,
        scope_kind: row.scope_kind.clone(),
        scope_id: row.scope_id,
        title: row.title.clone(),
        as_of: row.as_of,
        created_at: row.created_at.naive_utc(),
        created_by: row.created_by.clone(),
        trigger: row.trigger.clone(),
        renderer_version: row.renderer_version.clone(),
    })
}

impl App {
    /// Render options for this server (links to `reporting.base_url`).
    pub fn render_options(&self, organisation: &str) -> keel_report::RenderOptions {
        keel_report::RenderOptions {
            base_url: self.config.reporting.base_url.trim_end_matches('/').to_owned(),
            organisation: organisation.to_owned(),
        }
    }

    /// Writes a report from live data without storing it (previews, the CLI's files).
    ///
    /// # Errors
    /// Not found (scope), forbidden, validation (a status report needs a project scope), storage.
    pub async fn write_report(&self, actor: &Actor, request: &ReportRequest) -> Result<Document, AppError> {
        actor.require(keel_domain::Action::Read)?;
        let as_of = request.as_of.unwrap_or_else(|| self.today());
        let generated_at = chrono::Utc::now().naive_utc();
        let rules = &self.config.reporting.rag_rules;
        match (request.kind, request.scope) {
            (ReportKind::Status, ReportScope::Project(_)) => {
                let facts = self.portfolio_facts(actor, request.scope, as_of, generated_at).await?;
                let p = facts.projects.first().ok_or(AppError::NotFound)?;
                Ok(keel_engine::report::status_report(p, as_of, generated_at, request.audience, rules))
            }
            (ReportKind::Status, _) => {
                Err(AppError::field("scope", "a status report is for one project: expected a project scope"))
            }
            (kind, scope) => {
                let facts = self.portfolio_facts(actor, scope, as_of, generated_at).await?;
                let (rules, audience) = (rules.clone(), request.audience);
                tokio::task::spawn_blocking(move || {
                    keel_engine::report::portfolio_report(&facts, kind, audience, &rules)
                })
                .await
                .map_err(|e| AppError::Internal(format!("report writing stopped: {e}")))
            }
        }
    }

    /// What a report can cover: the portfolios, programmes and active projects (by code), for
    /// report and schedule forms.
    ///
    /// # Errors
    /// Forbidden, storage.
    pub async fn report_scopes(&self, actor: &Actor) -> Result<ReportScopes, AppError> {
        actor.require(keel_domain::Action::Read)?;
        let mut tx = self.store.read().await?;
        let portfolios = tx.all::<keel_domain::PortfolioFields>(actor.org_id).await?;
        let programmes = tx.all::<keel_domain::ProgrammeFields>(actor.org_id).await?;
        let mut projects = tx.all::<keel_domain::ProjectFields>(actor.org_id).await?;
        projects
            .retain(|p| !matches!(p.fields.state, keel_domain::WorkState::Closed | keel_domain::WorkState::Cancelled));
        projects.sort_by(|a, b| a.fields.code.cmp(&b.fields.code));
        Ok(ReportScopes { portfolios, programmes, projects })
    }

    /// Lays out a written report as a snapshot without storing it (previews): its HTML rendered
    /// now, its id fresh, `trigger` `preview`.
    ///
    /// # Errors
    /// Forbidden, storage (reading the organisation's name).
    pub async fn preview_report(
        &self,
        actor: &Actor,
        request: &ReportRequest,
        document: Document,
    ) -> Result<ReportSnapshot, AppError> {
        self.snapshot_of(actor, request, document, "preview").await
    }

    async fn snapshot_of(
        &self,
        actor: &Actor,
        request: &ReportRequest,
        document: Document,
        trigger: &str,
    ) -> Result<ReportSnapshot, AppError> {
        let organisation = self.organisation(actor).await?.name;
        let html = keel_report::html(&document, &self.render_options(&organisation));
        let info = ReportSnapshotInfo {
            id: uuid::Uuid::now_v7(),
            kind: document.kind,
            audience: document.audience,
            scope_kind: request.scope.kind_str().to_owned(),
            scope_id: request.scope.id(),
            title: document.title.clone(),
            as_of: document.as_of,
            created_at: keel_store::now().naive_utc(),
            created_by: actor.name.clone(),
            trigger: trigger.to_owned(),
            renderer_version: keel_report::RENDERER_VERSION.to_owned(),
        };
        Ok(ReportSnapshot { info, document, html, organisation })
    }

    /// Generates a report from live data and stores it as an immutable snapshot.
    ///
    /// # Errors
    /// Not found (scope), forbidden, storage.
    pub async fn generate_report(
        &self,
        actor: &Actor,
        request: &ReportRequest,
        trigger: &str,
    ) -> Result<ReportSnapshot, AppError> {
        actor.require(issue_action(request.kind))?;
        let document = self.write_report(actor, request).await?;
        let snap = self.snapshot_of(actor, request, document, trigger).await?;
        let i = &snap.info;
        let row = keel_store::ReportSnapshotRow {
            id: i.id,
            org_id: actor.org_id,
            kind: i.kind.as_str().to_owned(),
            audience: i.audience.as_str().to_owned(),
            scope_kind: i.scope_kind.clone(),
            scope_id: i.scope_id,
            title: i.title.clone(),
            as_of: i.as_of,
            created_at: i.created_at.and_utc(),
            created_by: i.created_by.clone(),
            trigger: i.trigger.clone(),
            renderer_version: i.renderer_version.clone(),
            document: serde_json::to_string(&snap.document).map_err(|e| AppError::Internal(e.to_string()))?,
            html: snap.html.clone(),
        };
        let mut tx = self.store.write().await?;
        tx.insert_report_snapshot(&row).await?;
        tx.commit().await?;
        Ok(ReportSnapshot { info: info_of(&row)?, ..snap })
    }

    /// Issued reports, newest first.
    ///
    /// # Errors
    /// Storage.
    pub async fn report_snapshots(&self, actor: &Actor, limit: usize) -> Result<Vec<ReportSnapshotInfo>, AppError> {
        actor.require(keel_domain::Action::Read)?;
        let limit = i64::try_from(limit.clamp(1, 1000)).unwrap_or(1000);
        let rows = self.store.read().await?.report_snapshots(actor.org_id, limit).await?;
        rows.iter().map(info_of).collect()
    }

    /// One issued report.
    ///
    /// # Errors
    /// Not found, storage.
    pub async fn report_snapshot(&self, actor: &Actor, id: uuid::Uuid) -> Result<ReportSnapshot, AppError> {
        actor.require(keel_domain::Action::Read)?;
        let row = self.store.read().await?.report_snapshot(actor.org_id, id).await?.ok_or(AppError::NotFound)?;
        let organisation = self.organisation(actor).await?.name;
        let document = serde_json::from_str(&row.document)
            .map_err(|e| AppError::Internal(format!("unreadable report snapshot {id}: {e}")))?;
        Ok(ReportSnapshot { info: info_of(&row)?, document, html: row.html, organisation })
    }

    /// Renders an issued report in `format` (HTML is the stored HTML, byte for byte).
    ///
    /// # Errors
    /// Rendering (PDF typesetting, workbook assembly).
    pub fn render_report(&self, snapshot: &ReportSnapshot, format: ReportFormat) -> Result<RenderedReport, AppError> {
        let file_name = format!("{}-{}.{}", kind_title(snapshot.info.kind), snapshot.info.as_of, format.as_str());
        let opts = self.render_options(&snapshot.organisation);
        let bytes = match format {
            ReportFormat::Html => snapshot.html.clone().into_bytes(),
            ReportFormat::Md => keel_report::markdown(&snapshot.document, &opts).into_bytes(),
            ReportFormat::Xlsx => keel_report::xlsx(&snapshot.document, &opts)
                .map_err(|e| AppError::Internal(format!("cannot build the workbook: {e}")))?,
            ReportFormat::Pdf => keel_pdf::render(&snapshot.document, &opts)
                .map_err(|e| AppError::Internal(format!("cannot typeset the PDF: {e}")))?,
        };
        Ok(RenderedReport { bytes, format, file_name })
    }
}

/// What issuing a report of `kind` needs: a project's status report is issued by whoever may
/// submit its status; portfolio reports and board packs by those who govern portfolios. Anyone
/// who reads may preview and download drafts.
pub fn issue_action(kind: ReportKind) -> keel_domain::Action {
    match kind {
        ReportKind::Status => keel_domain::Action::SubmitStatus,
        ReportKind::Portfolio | ReportKind::Board => keel_domain::Action::ManagePortfolios,
    }
}
