//! Status drafts: Keel drafts a project's status for the period from its data; the manager
//! reviews, edits and submits. A RAG that differs from the proposal needs a reason. What was
//! drafted, what was changed and every override reason are kept beside the submitted report.

use chrono::{NaiveDate, Utc};
use keel_domain::{Action, AuditAction, ProjectFields, ProjectId, Rag, Record, StatusReportFields};
use keel_engine::report::{Dimension, StatusDraft, draft_status};
use keel_store::{StatusDraftRow, now};
use serde::{Deserialize, Serialize};

use super::ReportScope;
use crate::{Actor, App, AppError, new_id};

/// What the manager submits: the six RAGs, the overall, the text and a reason for every RAG
/// that differs from Keel's proposal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusEdit {
    /// Overall RAG.
    pub overall: Rag,
    /// Schedule RAG.
    pub schedule: Rag,
    /// Cost RAG.
    pub cost: Rag,
    /// Scope RAG.
    pub scope: Rag,
    /// Risk RAG.
    pub risk: Rag,
    /// Resources RAG.
    pub resources: Rag,
    /// Benefits RAG.
    pub benefits: Rag,
    /// Summary.
    pub summary: String,
    /// Achievements.
    #[serde(default)]
    pub achievements: String,
    /// Next steps.
    #[serde(default)]
    pub next_steps: String,
    /// Decisions needed.
    #[serde(default)]
    pub decisions_needed: String,
    /// Why a RAG differs from the proposal, by field name (`schedule`, ..., `overall`).
    #[serde(default)]
    pub reasons: std::collections::BTreeMap<String, String>,
}

impl StatusEdit {
    /// The draft as proposed, unchanged.
    pub fn from_draft(d: &StatusDraft) -> Self {
        let rag = |dim: Dimension| d.proposals.iter().find(|p| p.dimension == dim).map_or(Rag::Green, |p| p.rag);
        Self {
            overall: d.overall,
            schedule: rag(Dimension::Schedule),
            cost: rag(Dimension::Cost),
            scope: rag(Dimension::Scope),
            risk: rag(Dimension::Risk),
            resources: rag(Dimension::Resources),
            benefits: rag(Dimension::Benefits),
            summary: d.summary.clone(),
            achievements: d.achievements.clone(),
            next_steps: d.next_steps.clone(),
            decisions_needed: d.decisions_needed.clone(),
            reasons: Default::default(),
        }
    }

    /// The RAG set for `field` (`schedule`, ..., `benefits`; anything else is the overall).
    pub fn rag(&self, field: &str) -> Rag {
        match field {
            "schedule" => self.schedule,
            "cost" => self.cost,
            "scope" => self.scope,
            "risk" => self.risk,
            "resources" => self.resources,
            "benefits" => self.benefits,
            _ => self.overall,
        }
    }
}

/// A RAG the manager set differently from Keel's proposal, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RagOverride {
    /// `schedule`, `cost`, `scope`, `risk`, `resources`, `benefits` or `overall`.
    pub field: String,
    /// What Keel proposed.
    pub proposed: Rag,
    /// What the manager chose.
    pub chosen: Rag,
    /// The manager's reason.
    pub reason: String,
}

/// A project's draft for one period, as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatusDraftView {
    /// Draft ID.
    pub id: uuid::Uuid,
    /// Project.
    pub project_id: uuid::Uuid,
    /// Period end.
    pub period_end: NaiveDate,
    /// `draft` or `submitted`.
    pub state: String,
    /// When Keel drafted it.
    pub created_at: chrono::DateTime<Utc>,
    /// Who asked for it.
    pub created_by: String,
    /// What Keel drafted.
    pub drafted: StatusDraft,
    /// What the manager saved or submitted.
    pub edited: Option<StatusEdit>,
    /// RAGs changed from the proposal, with reasons.
    pub overrides: Vec<RagOverride>,
    /// When it was submitted.
    pub submitted_at: Option<chrono::DateTime<Utc>>,
    /// Who submitted it.
    pub submitted_by: Option<String>,
    /// The status report it became.
    pub status_report_id: Option<uuid::Uuid>,
}

fn json<T: Serialize>(v: &T) -> Result<String, AppError> {
    serde_json::to_string(v).map_err(|e| AppError::Internal(e.to_string()))
}

fn view(row: StatusDraftRow) -> Result<StatusDraftView, AppError> {
    let bad = |e: serde_json::Error| AppError::Internal(format!("unreadable status draft {}: {e}", row.id));
    Ok(StatusDraftView {
        id: row.id,
        project_id: row.project_id.uuid(),
        period_end: row.period_end,
        state: row.state.clone(),
        created_at: row.created_at,
        created_by: row.created_by.clone(),
        drafted: serde_json::from_str(&row.drafted).map_err(bad)?,
        edited: row.edited.as_deref().map(serde_json::from_str).transpose().map_err(bad)?,
        overrides: serde_json::from_str(&row.overrides).map_err(bad)?,
        submitted_at: row.submitted_at,
        submitted_by: row.submitted_by,
        status_report_id: row.status_report_id,
    })
}

/// Checks an edit against the draft: text limits, and a reason for every RAG that differs from
/// the proposal. Returns the overrides.
fn overrides_of(draft: &StatusDraft, edit: &StatusEdit) -> Result<Vec<RagOverride>, AppError> {
    let mut errors = keel_domain::ValidationErrors::new();
    let mut out = Vec::new();
    let proposals = draft.proposals.iter().map(|p| (p.dimension.as_str(), p.rag));
    for (field, proposed) in proposals.chain(std::iter::once(("overall", draft.overall))) {
        let chosen = edit.rag(field);
        if chosen == proposed {
            continue;
        }
        let reason = edit.reasons.get(field).map(|r| r.trim()).unwrap_or_default();
        if reason.is_empty() {
            errors.add(
                format!("reasons.{field}"),
                format!(
                    "a reason is required to change {field} from the proposed {} to {}",
                    proposed.label(),
                    chosen.label()
                ),
            );
        } else if reason.chars().count() > 2_000 {
            errors.add(format!("reasons.{field}"), "at most 2,000 characters");
        } else {
            out.push(RagOverride { field: field.to_owned(), proposed, chosen, reason: reason.to_owned() });
        }
    }
    errors.into_result()?;
    Ok(out)
}

impl App {
    async fn draft_now(
        &self,
        actor: &Actor,
        project: ProjectId,
        period_end: NaiveDate,
    ) -> Result<StatusDraft, AppError> {
        let generated_at = Utc::now().naive_utc();
        let facts = self.portfolio_facts(actor, ReportScope::Project(project), period_end, generated_at).await?;
        let p = facts.projects.first().ok_or(AppError::NotFound)?;
        Ok(draft_status(p, &self.config.reporting.rag_rules, period_end, generated_at))
    }

    /// The project's draft for the period ending `period_end` (today in the organisation's time
    /// zone when `None`), drafting and keeping it on first request.
    ///
    /// # Errors
    /// Not found, forbidden (submitting status), storage.
    pub async fn status_draft(
        &self,
        actor: &Actor,
        project: ProjectId,
        period_end: Option<NaiveDate>,
    ) -> Result<StatusDraftView, AppError> {
        actor.require(Action::SubmitStatus)?;
        let period_end = period_end.unwrap_or_else(|| self.today());
        let mut tx = self.store.read().await?;
        tx.get::<ProjectFields>(actor.org_id, project).await?.ok_or(AppError::NotFound)?;
        if let Some(row) = tx.status_draft(actor.org_id, project, period_end).await? {
            return view(row);
        }
        drop(tx);
        self.redraft_status(actor, project, period_end).await
    }

    /// Drafts the period again from the latest data (keeping the manager's unsubmitted edits
    /// aside: they are dropped, since the proposals they were made against changed).
    ///
    /// # Errors
    /// Conflict when the period was already submitted; not found; forbidden; storage.
    pub async fn redraft_status(
        &self,
        actor: &Actor,
        project: ProjectId,
        period_end: NaiveDate,
    ) -> Result<StatusDraftView, AppError> {
        actor.require(Action::SubmitStatus)?;
        let drafted = self.draft_now(actor, project, period_end).await?;
        let mut tx = self.store.write().await?;
        let existing = tx.status_draft(actor.org_id, project, period_end).await?;
        if existing.as_ref().is_some_and(|r| r.state == "submitted") {
            return Err(AppError::Conflict(format!("the status for {period_end} was already submitted")));
        }
        let row = StatusDraftRow {
            id: existing.map_or_else(uuid::Uuid::now_v7, |r| r.id),
            org_id: actor.org_id,
            project_id: project,
            period_end,
            state: "draft".into(),
            created_at: now(),
            created_by: actor.name.clone(),
            drafted: json(&drafted)?,
            edited: None,
            overrides: "[]".into(),
            submitted_at: None,
            submitted_by: None,
            status_report_id: None,
        };
        tx.put_status_draft(&row).await?;
        tx.commit().await?;
        view(row)
    }

    /// Saves the manager's edits without submitting (RAG changes need their reasons already).
    ///
    /// # Errors
    /// Validation (each field named), conflict when already submitted, not found, storage.
    pub async fn save_status_draft(
        &self,
        actor: &Actor,
        project: ProjectId,
        period_end: NaiveDate,
        edit: StatusEdit,
    ) -> Result<StatusDraftView, AppError> {
        self.keep_edit(actor, project, period_end, edit, false).await
    }

    /// Submits the period's status: the edited draft becomes the project's status report (in the
    /// same transaction), and the draft keeps what was drafted, what was changed and why.
    ///
    /// # Errors
    /// Validation (each field named), conflict when already submitted, not found, storage. A
    /// status report already entered for the period is replaced by a new version.
    pub async fn submit_status_draft(
        &self,
        actor: &Actor,
        project: ProjectId,
        period_end: NaiveDate,
        edit: StatusEdit,
    ) -> Result<StatusDraftView, AppError> {
        self.keep_edit(actor, project, period_end, edit, true).await
    }

    async fn keep_edit(
        &self,
        actor: &Actor,
        project: ProjectId,
        period_end: NaiveDate,
        edit: StatusEdit,
        submit: bool,
    ) -> Result<StatusDraftView, AppError> {
        actor.require(Action::SubmitStatus)?;
        // Make sure there is a draft to edit.
        let current = self.status_draft(actor, project, Some(period_end)).await?;
        if current.state == "submitted" {
            return Err(AppError::Conflict(format!("the status for {period_end} was already submitted")));
        }
        let overrides = overrides_of(&current.drafted, &edit)?;
        let fields = StatusReportFields {
            project_id: project,
            period_end,
            overall: edit.overall,
            schedule: edit.schedule,
            cost: edit.cost,
            scope: edit.scope,
            risk: edit.risk,
            resources: edit.resources,
            benefits: edit.benefits,
            summary: edit.summary.clone(),
            achievements: edit.achievements.clone(),
            next_steps: edit.next_steps.clone(),
            decisions_needed: edit.decisions_needed.clone(),
            submitted_by: actor.name.clone(),
        };
        keel_domain::Fields::validate(&fields)?;
        let mut tx = self.store.write().await?;
        let Some(row) = tx.status_draft(actor.org_id, project, period_end).await? else {
            return Err(AppError::NotFound);
        };
        if row.state == "submitted" {
            return Err(AppError::Conflict(format!("the status for {period_end} was already submitted")));
        }
        let mut row = StatusDraftRow { edited: Some(json(&edit)?), overrides: json(&overrides)?, ..row };
        if submit {
            let existing = tx
                .all_where::<StatusReportFields>(
                    actor.org_id,
                    "project_id",
                    keel_store::Value::text(project.to_string()),
                )
                .await?;
            let t = now();
            crate::records::check_references(&mut tx, actor.org_id, &fields).await?;
            // A report for the period entered by hand before the draft is replaced (a new
            // version, audited), so the draft's submission is the period's report.
            let record = match existing.into_iter().find(|r| r.fields.period_end == period_end) {
                Some(before) => {
                    let after = Record { version: before.version + 1, updated_at: t, fields, ..before.clone() };
                    tx.update(&after).await?;
                    crate::records::audit(&mut tx, actor, AuditAction::Update, Some(&before), Some(&after)).await?;
                    after
                }
                None => {
                    let record =
                        Record { id: new_id(), org_id: actor.org_id, version: 1, created_at: t, updated_at: t, fields };
                    tx.insert(&record).await?;
                    crate::records::audit(&mut tx, actor, AuditAction::Create, None, Some(&record)).await?;
                    record
                }
            };
            row.state = "submitted".into();
            row.submitted_at = Some(t);
            row.submitted_by = Some(actor.name.clone());
            row.status_report_id = Some(record.id.uuid());
        }
        tx.put_status_draft(&row).await?;
        tx.commit().await?;
        view(row)
    }

    /// A project's drafts, newest period first.
    ///
    /// # Errors
    /// Not found, storage.
    pub async fn status_drafts(&self, actor: &Actor, project: ProjectId) -> Result<Vec<StatusDraftView>, AppError> {
        actor.require(Action::Read)?;
        let mut tx = self.store.read().await?;
        tx.get::<ProjectFields>(actor.org_id, project).await?.ok_or(AppError::NotFound)?;
        tx.status_drafts(actor.org_id, project, 100).await?.into_iter().map(view).collect()
    }

    /// Today: the pinned date of [`crate::AppConfig::today`] if set, else the date now in the
    /// organisation's reporting time zone. The one clock every date rule of Keel reads.
    pub fn today(&self) -> NaiveDate {
        if let Some(d) = self.config.today {
            return d;
        }
        match self.config.reporting.timezone.parse::<chrono_tz::Tz>() {
            Ok(tz) => Utc::now().with_timezone(&tz).date_naive(),
            Err(_) => Utc::now().date_naive(),
        }
    }
}
