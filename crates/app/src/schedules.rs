//! Project schedules: import a schedule file into a project as a new version, compute it, assess
//! its quality, compare it with the dates the writing tool stored, and feed its milestones to the
//! project. Also the file-only analysis behind `keel schedule run|check`.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use keel_domain::{Action, AuditAction, AuditEntry, Id, MilestoneFields, ProjectFields, ProjectId, Record};
use keel_engine::schedule::{
    self, CheckReport, Schedule, ScheduleResult,
    dcma::{self, Assessment, Thresholds},
    variance::{self, Variance},
};
use keel_interop::Format;
use keel_store::{ScheduleVersionRow, Tx, Value, now};
use serde::{Deserialize, Serialize};

use crate::{Actor, App, AppError, new_id, records::audit};

/// Largest schedule file accepted (bytes).
pub const MAX_SCHEDULE_FILE: usize = 64 * 1024 * 1024;

/// A schedule read from a file and computed: what `keel schedule run|check` print and what an
/// import stores.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    /// File name as given.
    pub file_name: String,
    /// Format read.
    pub format: String,
    /// The schedule as read.
    pub schedule: Schedule,
    /// Keel's computed dates.
    pub result: ScheduleResult,
    /// The DCMA 14-point assessment.
    pub quality: Assessment,
    /// Agreement with the dates the writing tool stored.
    pub check: CheckReport,
}

/// How to read and compute a file.
#[derive(Debug, Clone, Default)]
pub struct AnalyseOptions {
    /// Format name; detected from the name and content when `None`.
    pub format: Option<String>,
    /// Rule set; the file's origin decides when `None`.
    pub mode: Option<keel_engine::schedule::Mode>,
    /// DCMA thresholds.
    pub thresholds: Thresholds,
}

/// Reads and computes a schedule file. CPU-bound: call it off the async runtime (the app does).
///
/// Errors name the file (and line or field) for unreadable input, and the tasks on a loop or the
/// task and field of invalid data.
pub fn analyse(file_name: &str, bytes: &[u8], opts: &AnalyseOptions) -> Result<Analysis, AppError> {
    let (format, thresholds) = (opts.format.as_deref(), opts.thresholds);
    let format = match format {
        Some(f) => Some(Format::parse(f).ok_or_else(|| {
            AppError::field("format", format!("unknown format `{f}`: expected mspdi, mpx, xer, pmxml, csv or xlsx"))
        })?),
        None => None,
    };
    let format = format.or_else(|| keel_interop::detect(file_name, bytes)).ok_or_else(|| {
        AppError::field(
            "file",
            format!("{file_name}: unrecognised schedule format: expected MSPDI XML, MPX, XER, P6 XML, CSV or XLSX"),
        )
    })?;
    let mut schedule =
        keel_interop::import(file_name, bytes, Some(format)).map_err(|e| AppError::field("file", e.to_string()))?;
    if let Some(mode) = opts.mode {
        schedule.options.mode = mode;
    }
    let result = schedule::schedule(&schedule).map_err(|e| AppError::field("file", format!("{file_name}: {e}")))?;
    let quality = dcma::assess(&schedule, &result, None, thresholds);
    let check = schedule::compare(&schedule, &result);
    Ok(Analysis {
        file_name: file_name.to_string(),
        format: format.name().to_string(),
        schedule,
        result,
        quality,
        check,
    })
}

/// Summary of a stored version, as listed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScheduleVersionInfo {
    /// Project.
    pub project_id: ProjectId,
    /// Version number, 1 for the first import.
    pub version: i64,
    /// When it was imported.
    pub imported_at: DateTime<Utc>,
    /// Who imported it.
    pub imported_by: String,
    /// File name.
    pub file_name: String,
    /// Format read.
    pub format: String,
    /// Number of tasks.
    pub task_count: i64,
    /// Computed finish.
    pub finish: Option<NaiveDateTime>,
    /// The import report in brief.
    pub report: ImportReport,
}

/// What an import found: warnings, quality verdicts, agreement with the stored dates, milestones fed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ImportReport {
    /// Features of the file Keel did not model, each with where and what.
    pub warnings: Vec<keel_engine::schedule::ImportWarning>,
    /// DCMA checks passed.
    pub quality_passed: usize,
    /// DCMA checks failed.
    pub quality_failed: usize,
    /// Tasks compared with the dates the writing tool stored.
    pub check_compared: usize,
    /// Tasks whose stored dates Keel reproduces.
    pub check_matched: usize,
    /// Project milestones created from the schedule's milestones.
    pub milestones_created: usize,
    /// Project milestones whose forecast or actual date the schedule updated.
    pub milestones_updated: usize,
    /// The plan belonged to another time than the project (its dates named), when it did: kept so
    /// the schedule page can explain milestones in the plan's own time.
    #[serde(default)]
    pub dates_warning: Option<String>,
    /// How the plan was moved in time, when the importer chose to rebase it.
    #[serde(default)]
    pub rebased: Option<Rebased>,
}

/// What to do with a plan whose dates belong to another time than its project.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DatesChoice {
    /// Not chosen: a plan from another time is refused with the evidence, so the importer decides.
    #[default]
    Ask,
    /// Import the plan's dates as they are (the warning is kept in the import report).
    Keep,
    /// Move the plan by whole weeks to start at the project's planned start (or today).
    Rebase,
}

impl DatesChoice {
    /// Parses `ask`, `keep` or `rebase` (empty is `ask`); the error names the field `dates`.
    pub fn parse(text: &str) -> Result<Self, AppError> {
        match text.trim() {
            "" | "ask" => Ok(DatesChoice::Ask),
            "keep" => Ok(DatesChoice::Keep),
            "rebase" => Ok(DatesChoice::Rebase),
            other => Err(AppError::field("dates", format!("unknown choice `{other}`: expected keep or rebase"))),
        }
    }
}

/// How an imported plan was moved in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rebased {
    /// Whole weeks moved (negative: earlier).
    pub weeks: i64,
    /// The plan's start as the file had it.
    pub from: NaiveDate,
    /// The plan's start after the move.
    pub to: NaiveDate,
}

impl std::fmt::Display for Rebased {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let unit = if self.weeks.abs() == 1 { "week" } else { "weeks" };
        write!(f, "Rebased by {} {unit} from {} to {}", self.weeks, day(self.from), day(self.to))
    }
}

/// Options of an import.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Format name; detected from the name and content when `None`.
    pub format: Option<String>,
    /// What to do with a plan from another time.
    pub dates: DatesChoice,
}

/// A date for people in messages: `7 Jan 2013`.
fn day(d: NaiveDate) -> String {
    d.format("%-d %b %Y").to_string()
}

/// The sentence naming a plan's and a project's dates: "This plan runs 7 Jan 2013 to 30 Sep 2013;
/// PRJ-001 is planned from 5 Jan 2026 to 18 Dec 2026."
pub fn time_gap_text(gap: &schedule::rebase::TimeGap, project_code: &str) -> String {
    let plan = format!("This plan runs {} to {}", day(gap.plan_start), day(gap.plan_finish));
    match (gap.project_start, gap.project_finish) {
        (Some(s), Some(f)) => format!("{plan}; {project_code} is planned from {} to {}.", day(s), day(f)),
        (Some(s), None) => format!("{plan}; {project_code} is planned to start on {}.", day(s)),
        (None, Some(f)) => format!("{plan}; {project_code} is planned to finish by {}.", day(f)),
        (None, None) => {
            format!("{plan}, over a year before today ({}); {project_code} has no planned dates.", day(gap.today))
        }
    }
}

impl Analysis {
    /// The plan moved by `weeks` whole weeks and computed again (quality and check included).
    pub fn rebased(mut self, weeks: i64, thresholds: Thresholds) -> Result<Analysis, AppError> {
        schedule::rebase::rebase(&mut self.schedule, weeks);
        self.result = schedule::schedule(&self.schedule)
            .map_err(|e| AppError::field("file", format!("{}: {e}", self.file_name)))?;
        self.quality = dcma::assess(&self.schedule, &self.result, None, thresholds);
        self.check = schedule::compare(&self.schedule, &self.result);
        Ok(self)
    }
}

/// A stored version in full.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScheduleVersion {
    /// Summary.
    pub info: ScheduleVersionInfo,
    /// The schedule, its computed dates, quality and check.
    pub analysis: Analysis,
}

impl ScheduleVersion {
    /// Baseline variance against baseline `number` (0 = main).
    pub fn variance(&self, number: u8) -> Variance {
        variance::compare(&self.analysis.schedule, &self.analysis.result, number)
    }
}

fn info_of(row: &ScheduleVersionRow) -> Result<ScheduleVersionInfo, AppError> {
    let report: ImportReport = serde_json::from_str(&row.summary)
        .map_err(|e| AppError::Internal(format!("unreadable schedule summary: {e}")))?;
    Ok(ScheduleVersionInfo {
        project_id: row.project_id,
        version: row.version,
        imported_at: row.created_at,
        imported_by: row.created_by.clone(),
        file_name: row.file_name.clone(),
        format: row.format.clone(),
        task_count: row.task_count,
        finish: row.finish.as_deref().and_then(|f| f.parse().ok()),
        report,
    })
}

impl App {
    /// Imports a schedule file into a project as its next version: reads, computes, assesses and
    /// stores it, feeds its milestones to the project's milestones, and writes the audit entry, all
    /// in one transaction. Nothing is written when the file cannot be read or computed.
    ///
    /// A plan from another time than the project (see [`schedule::rebase::out_of_time`]) is
    /// refused with a `dates` field error naming both sets of dates unless `opts.dates` says to
    /// keep or rebase it; either way the report keeps the warning.
    pub async fn import_schedule(
        &self,
        actor: &Actor,
        project: ProjectId,
        file_name: &str,
        bytes: Vec<u8>,
        opts: ImportOptions,
    ) -> Result<ScheduleVersion, AppError> {
        let ImportOptions { format, dates } = opts;
        actor.require(Action::EditProjects)?;
        if bytes.len() > MAX_SCHEDULE_FILE {
            return Err(AppError::field("file", format!("{file_name}: larger than {MAX_SCHEDULE_FILE} bytes")));
        }
        if bytes.is_empty() {
            return Err(AppError::field("file", format!("{file_name}: the file is empty")));
        }
        let fields = {
            let mut tx = self.store.read().await?;
            tx.get::<ProjectFields>(actor.org_id, project).await?.ok_or(AppError::NotFound)?.fields
        };
        let name = file_name.to_string();
        let thresholds = self.config.dcma;
        let opts = AnalyseOptions { format, mode: None, thresholds };
        let today = self.today();
        let analysis = tokio::task::spawn_blocking(move || analyse(&name, &bytes, &opts))
            .await
            .map_err(|e| AppError::Internal(format!("schedule analysis stopped: {e}")))??;
        let (plan_start, plan_finish) = schedule::rebase::plan_window(&analysis.schedule, &analysis.result);
        let gap =
            schedule::rebase::out_of_time(plan_start, plan_finish, fields.planned_start, fields.planned_finish, today);
        let dates_warning = gap.map(|g| time_gap_text(&g, fields.code.as_str()));
        let (analysis, rebased) = match (dates, &dates_warning) {
            (DatesChoice::Ask, Some(warning)) => {
                return Err(AppError::field(
                    "dates",
                    format!(
                        "{warning} Choose keep to import the plan's dates as they are, or rebase to move it by whole weeks to start on {}.",
                        day(fields.planned_start.unwrap_or(today))
                    ),
                ));
            }
            (DatesChoice::Rebase, _) => {
                let target = fields.planned_start.unwrap_or(today);
                let weeks = schedule::rebase::weeks_to(plan_start, target);
                let to = plan_start + chrono::Duration::weeks(weeks);
                let a = tokio::task::spawn_blocking(move || analysis.rebased(weeks, thresholds))
                    .await
                    .map_err(|e| AppError::Internal(format!("schedule analysis stopped: {e}")))??;
                (a, Some(Rebased { weeks, from: plan_start, to }))
            }
            (DatesChoice::Ask | DatesChoice::Keep, _) => (analysis, None),
        };
        let kept_warning = dates_warning.as_deref().filter(|_| rebased.is_none());

        let mut tx = self.store.write().await?;
        tx.get::<ProjectFields>(actor.org_id, project).await?.ok_or(AppError::NotFound)?;
        let (created, updated) = feed_milestones(&mut tx, actor, project, &analysis, kept_warning).await?;
        let report = ImportReport {
            warnings: analysis.schedule.warnings.clone(),
            quality_passed: analysis.quality.passed(),
            quality_failed: analysis.quality.failed(),
            check_compared: analysis.check.compared,
            check_matched: analysis.check.matched,
            milestones_created: created,
            milestones_updated: updated,
            dates_warning,
            rebased,
        };
        let row = ScheduleVersionRow {
            id: uuid::Uuid::now_v7(),
            org_id: actor.org_id,
            project_id: project,
            version: tx.next_schedule_version(actor.org_id, project).await?,
            created_at: now(),
            created_by: actor.name.clone(),
            file_name: file_name.to_string(),
            format: analysis.format.clone(),
            task_count: analysis.schedule.tasks.len() as i64,
            finish: Some(analysis.result.finish.format("%Y-%m-%dT%H:%M:%S").to_string()),
            summary: json(&report)?,
        };
        tx.insert_schedule_version(&row, &json(&analysis)?).await?;
        tx.append_audit(&AuditEntry {
            id: new_id(),
            org_id: actor.org_id,
            at: row.created_at,
            actor_id: actor.user_id,
            actor_name: actor.name.clone(),
            action: AuditAction::Import,
            entity_kind: "schedule".into(),
            entity_id: row.id,
            project_id: Some(project.uuid()),
            label: format!("Schedule v{} ({})", row.version, row.file_name),
            before: None,
            after: Some(row.summary.clone()),
        })
        .await?;
        tx.commit().await?;
        self.refresh_forecast(actor, project, "schedule imported").await;
        Ok(ScheduleVersion { info: info_of(&row)?, analysis })
    }

    /// A project's schedule versions, newest first.
    pub async fn schedule_versions(
        &self,
        actor: &Actor,
        project: ProjectId,
    ) -> Result<Vec<ScheduleVersionInfo>, AppError> {
        actor.require(Action::Read)?;
        let mut tx = self.store.read().await?;
        tx.get::<ProjectFields>(actor.org_id, project).await?.ok_or(AppError::NotFound)?;
        tx.schedule_versions(actor.org_id, project).await?.iter().map(info_of).collect()
    }

    /// One version of a project's schedule (the latest when `version` is `None`).
    pub async fn schedule_version(
        &self,
        actor: &Actor,
        project: ProjectId,
        version: Option<i64>,
    ) -> Result<ScheduleVersion, AppError> {
        actor.require(Action::Read)?;
        let mut tx = self.store.read().await?;
        let (row, body) = tx.schedule_version(actor.org_id, project, version).await?.ok_or(AppError::NotFound)?;
        drop(tx);
        let info = info_of(&row)?;
        let analysis = tokio::task::spawn_blocking(move || serde_json::from_str::<Analysis>(&body))
            .await
            .map_err(|e| AppError::Internal(format!("schedule decoding stopped: {e}")))?
            .map_err(|e| AppError::Internal(format!("unreadable schedule version: {e}")))?;
        Ok(ScheduleVersion { info, analysis })
    }

    /// The quality assessment of a loaded version recomputed with other thresholds (off the async
    /// runtime: the critical path test reschedules the plan).
    pub async fn reassess_quality(
        &self,
        version: ScheduleVersion,
        thresholds: Thresholds,
    ) -> Result<Assessment, AppError> {
        tokio::task::spawn_blocking(move || {
            dcma::assess(&version.analysis.schedule, &version.analysis.result, None, thresholds)
        })
        .await
        .map_err(|e| AppError::Internal(format!("quality assessment stopped: {e}")))
    }
}

fn json<T: Serialize>(v: &T) -> Result<String, AppError> {
    serde_json::to_string(v).map_err(|e| AppError::Internal(format!("cannot encode schedule: {e}")))
}

/// Creates or updates the project's milestones from the schedule's milestone tasks, matched by
/// name (case-insensitive). The schedule sets the forecast (or actual) date; a baseline is set only
/// where the milestone has none, so an approved baseline is never overwritten by a file. A plan
/// kept in another time than the project says so in the description of the milestones it creates.
async fn feed_milestones(
    tx: &mut Tx,
    actor: &Actor,
    project: ProjectId,
    a: &Analysis,
    other_time: Option<&str>,
) -> Result<(usize, usize), AppError> {
    let existing =
        tx.all_where::<MilestoneFields>(actor.org_id, "project_id", Value::text(project.to_string())).await?;
    let (mut created, mut updated) = (0, 0);
    let mut seen = std::collections::HashSet::new();
    for (i, t) in a.schedule.tasks.iter().enumerate() {
        if !t.is_milestone() || t.inactive || t.name.trim().is_empty() || !seen.insert(t.name.trim().to_lowercase()) {
            continue;
        }
        let Some(res) = a.result.tasks.get(i) else { continue };
        let forecast = res.early_finish.date();
        let actual = t.actual_finish.map(|d| d.date());
        let baseline = t.baselines.iter().find(|b| b.number == 0).and_then(|b| b.finish).map(|d| d.date());
        let name = t.name.trim();
        match existing.iter().find(|m| m.fields.name.trim().eq_ignore_ascii_case(name)) {
            Some(m) => {
                let mut fields = m.fields.clone();
                fields.forecast = Some(forecast);
                if actual.is_some() {
                    fields.actual = actual;
                }
                if fields.baseline.is_none() {
                    fields.baseline = baseline;
                }
                if fields != m.fields {
                    let next = Record { version: m.version + 1, updated_at: now(), fields, ..m.clone() };
                    tx.update(&next).await?;
                    audit(tx, actor, AuditAction::Update, Some(m), Some(&next)).await?;
                    updated += 1;
                }
            }
            None => {
                let at = now();
                let rec = Record {
                    id: Id::from_uuid(uuid::Uuid::now_v7()),
                    org_id: actor.org_id,
                    version: 1,
                    created_at: at,
                    updated_at: at,
                    fields: MilestoneFields {
                        project_id: project,
                        name: name.to_string(),
                        description: match other_time {
                            Some(w) => {
                                format!("From the schedule (task {}), kept in the plan's own dates. {w}", t.code)
                            }
                            None => format!("From the schedule (task {})", t.code),
                        },
                        owner: String::new(),
                        baseline,
                        forecast: Some(forecast),
                        actual,
                    },
                };
                tx.insert(&rec).await?;
                audit(tx, actor, AuditAction::Create, None, Some(&rec)).await?;
                created += 1;
            }
        }
    }
    Ok((created, updated))
}
