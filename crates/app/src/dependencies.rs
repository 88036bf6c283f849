//! The cross-project dependency register: every dependency between projects with when the
//! supplier delivers, when the dependent needs it, the margin, and whether it sits on a critical
//! path (see [`keel_engine::risk::dependencies`] for the rules).

use std::collections::HashMap;

use keel_domain::{Action, Dependency, DependencyFields, MilestoneFields, ProjectFields, ProjectId};
use keel_engine::risk::dependencies::{Assessment, End, Link, assess};
use serde::{Deserialize, Serialize};

use crate::schedules::ScheduleVersion;
use crate::{Actor, App, AppError};

/// One row of the register.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DependencyRegisterRow {
    /// The dependency record.
    pub dependency: Dependency,
    /// The dependent project's code and name.
    pub project: String,
    /// The supplier project's code and name.
    pub supplier: String,
    /// The dependent's milestone that needs it, by name.
    pub milestone: Option<String>,
    /// The supplier's milestone that delivers it, by name.
    pub supplier_milestone: Option<String>,
    /// Whether each side's latest schedule was used (otherwise the milestones' dates).
    pub from_schedules: bool,
    /// Dates, link float, critical flag and reasons.
    pub assessment: Assessment,
}

/// A milestone's end: its task in the project's latest schedule when one matches by name
/// (as the schedule import feeds milestones), else the milestone's expected date.
fn end_of(schedule: Option<&ScheduleVersion>, milestone: Option<&MilestoneFields>, supplier: bool) -> (End, bool) {
    let day = |d: Option<chrono::NaiveDate>, h| d.and_then(|d| d.and_hms_opt(h, 0, 0));
    if let Some(v) = schedule {
        let (tasks, results) = (&v.analysis.schedule.tasks, &v.analysis.result.tasks);
        let task = match milestone {
            Some(m) => {
                let name = m.name.trim().to_lowercase();
                tasks.iter().position(|t| !t.inactive && t.name.trim().to_lowercase() == name)
            }
            None => None,
        };
        if let Some((t, r)) = task.and_then(|i| Some((tasks.get(i)?, results.get(i)?))) {
            let (early, late) = if supplier { (r.early_finish, r.late_finish) } else { (r.early_start, r.late_start) };
            return (
                End { task: Some(t.name.clone()), early: Some(early), late: Some(late), critical: Some(r.critical) },
                true,
            );
        }
        if milestone.is_none() && supplier {
            // The whole project is the delivery: its finish.
            let finish = v.analysis.result.finish;
            return (
                End {
                    task: Some("The project's finish".into()),
                    early: Some(finish),
                    late: Some(finish),
                    critical: Some(true),
                },
                true,
            );
        }
    }
    let expected = milestone.and_then(MilestoneFields::expected);
    let at = day(expected, if supplier { 17 } else { 8 });
    (End { task: None, early: at, late: at, critical: None }, false)
}

impl App {
    /// The register of dependencies between projects, those on a critical path first, then by
    /// link float (least first). Reads each involved project's latest schedule once.
    ///
    /// # Errors
    /// Forbidden, storage, an unreadable stored schedule.
    pub async fn dependency_register(&self, actor: &Actor) -> Result<Vec<DependencyRegisterRow>, AppError> {
        actor.require(Action::Read)?;
        let mut tx = self.store.read().await?;
        let dependencies = tx.all::<DependencyFields>(actor.org_id).await?;
        let projects: HashMap<ProjectId, ProjectFields> =
            tx.all::<ProjectFields>(actor.org_id).await?.into_iter().map(|p| (p.id, p.fields)).collect();
        let milestones: HashMap<_, MilestoneFields> =
            tx.all::<MilestoneFields>(actor.org_id).await?.into_iter().map(|m| (m.id, m.fields)).collect();
        drop(tx);
        let mut schedules: HashMap<ProjectId, Option<ScheduleVersion>> = HashMap::new();
        for d in &dependencies {
            for p in [d.fields.project_id, d.fields.supplier_project_id] {
                if let std::collections::hash_map::Entry::Vacant(slot) = schedules.entry(p) {
                    slot.insert(match self.schedule_version(actor, p, None).await {
                        Ok(v) => Some(v),
                        Err(AppError::NotFound) => None,
                        Err(e) => return Err(e),
                    });
                }
            }
        }
        let label = |p: ProjectId| projects.get(&p).map_or_else(|| p.to_string(), |f| format!("{} {}", f.code, f.name));
        let mut rows: Vec<DependencyRegisterRow> = dependencies
            .into_iter()
            .map(|d| {
                let f = &d.fields;
                let wanted = f.milestone_id.and_then(|m| milestones.get(&m));
                let delivering = f.supplier_milestone_id.and_then(|m| milestones.get(&m));
                let (supplier, s_sched) =
                    end_of(schedules.get(&f.supplier_project_id).and_then(Option::as_ref), delivering, true);
                let (dependent, d_sched) = end_of(schedules.get(&f.project_id).and_then(Option::as_ref), wanted, false);
                let assessment = assess(&Link { supplier, dependent, needed_by: f.needed_by });
                DependencyRegisterRow {
                    project: label(f.project_id),
                    supplier: label(f.supplier_project_id),
                    milestone: wanted.map(|m| m.name.clone()),
                    supplier_milestone: delivering.map(|m| m.name.clone()),
                    from_schedules: s_sched && d_sched,
                    assessment,
                    dependency: d,
                }
            })
            .collect();
        rows.sort_by(|a, b| {
            b.assessment
                .on_critical_path
                .cmp(&a.assessment.on_critical_path)
                .then_with(|| {
                    let f = |r: &DependencyRegisterRow| r.assessment.float_days.unwrap_or(f64::INFINITY);
                    f(a).total_cmp(&f(b))
                })
                .then_with(|| a.dependency.fields.title.cmp(&b.dependency.fields.title))
        });
        Ok(rows)
    }
}
