//! The cross-project dependency register: every dependency between projects with when the
//! supplier delivers, when the dependent needs it, the margin, and whether it sits on a critical
//! path (see [`keel_engine::risk::dependencies`] for the rules).

use std::collections::HashMap;

use chrono::NaiveDateTime;
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

/// What the register and the integrated schedule read: dependencies, projects, milestones and
/// each involved project's latest schedule (`None` when it has none).
struct Loaded {
    dependencies: Vec<Dependency>,
    projects: HashMap<ProjectId, ProjectFields>,
    milestones: HashMap<keel_domain::MilestoneId, MilestoneFields>,
    schedules: HashMap<ProjectId, Option<ScheduleVersion>>,
}

impl App {
    async fn load_dependencies(&self, actor: &Actor) -> Result<Loaded, AppError> {
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
        Ok(Loaded { dependencies, projects, milestones, schedules })
    }
}

impl App {
    /// The register of dependencies between projects, those on a critical path first, then by
    /// link float (least first). Reads each involved project's latest schedule once.
    ///
    /// # Errors
    /// Forbidden, storage, an unreadable stored schedule.
    pub async fn dependency_register(&self, actor: &Actor) -> Result<Vec<DependencyRegisterRow>, AppError> {
        actor.require(Action::Read)?;
        let loaded = self.load_dependencies(actor).await?;
        tokio::task::spawn_blocking(move || register(&loaded))
            .await
            .map_err(|e| AppError::Internal(format!("dependency register: {e}")))
    }

    /// The register and the integrated schedule from one read of the dependencies, projects,
    /// milestones and schedules (the Forecasts page shows both).
    ///
    /// # Errors
    /// As [`App::dependency_register`].
    pub async fn dependency_views(
        &self,
        actor: &Actor,
    ) -> Result<(Vec<DependencyRegisterRow>, IntegratedSchedule), AppError> {
        actor.require(Action::Read)?;
        let loaded = self.load_dependencies(actor).await?;
        // Both schedule every linked project: off the async runtime.
        tokio::task::spawn_blocking(move || (register(&loaded), integrated(&loaded)))
            .await
            .map_err(|e| AppError::Internal(format!("dependency views: {e}")))
    }
}

/// The register rows, those on a critical path first, then by link float (least first).
fn register(loaded: &Loaded) -> Vec<DependencyRegisterRow> {
    let Loaded { dependencies, projects, milestones, schedules } = loaded;
    let label = |p: ProjectId| projects.get(&p).map_or_else(|| p.to_string(), |f| format!("{} {}", f.code, f.name));
    let mut rows: Vec<DependencyRegisterRow> = dependencies
        .iter()
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
                dependency: d.clone(),
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
    rows
}

/// A project in the integrated schedule: its finish on its own and with its suppliers' dates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IntegratedProject {
    /// The project.
    pub project_id: ProjectId,
    /// Its code and name.
    pub project: String,
    /// Finish of its latest schedule computed alone.
    pub finish_alone: NaiveDateTime,
    /// Finish with every linked project scheduled in the same network.
    pub finish: NaiveDateTime,
    /// How much later the integrated finish is, in calendar days (0 when on time).
    pub slip_days: f64,
    /// Titles of the dependencies that drive a task of this project later than it would be alone.
    pub driven_by: Vec<String>,
}

/// A dependency as a link in the integrated schedule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IntegratedLink {
    /// The dependency record's id.
    pub dependency_id: keel_domain::DependencyId,
    /// Its title.
    pub title: String,
    /// The dependent project's code and name.
    pub project: String,
    /// The supplier project's code and name.
    pub supplier: String,
    /// The supplier's delivering task (its milestone, else its last-finishing task).
    pub supplier_task: String,
    /// The dependent's receiving task (its milestone).
    pub dependent_task: String,
    /// When the supplier delivers: the delivering task's early finish in the network.
    pub delivers: NaiveDateTime,
    /// The receiving task's early start in its own schedule alone.
    pub start_alone: NaiveDateTime,
    /// Its early start in the network.
    pub start: NaiveDateTime,
    /// How much later it starts, in calendar days.
    pub delay_days: f64,
    /// Free float of the link, in working days of the receiving task's calendar (0: the link drives).
    pub float_days: Option<f64>,
    /// Whether the supplier's date moves the receiving task (no free float and it starts later than alone).
    pub driving: bool,
    /// The receiving task has already started (it has an actual start), so no delivery can move it.
    pub started: bool,
}

/// Every project linked by dependencies, scheduled as one network from each project's latest
/// schedule, as P6 schedules projects opened together.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct IntegratedSchedule {
    /// Projects in the network, the most delayed first.
    pub projects: Vec<IntegratedProject>,
    /// Dependencies that are links in the network, driving ones first.
    pub links: Vec<IntegratedLink>,
    /// Dependencies left out of the network, each with the reason.
    pub left_out: Vec<String>,
    /// Why the network could not be computed (a loop through the links), if it could not.
    pub error: Option<String>,
}

/// The task of a schedule named like `milestone` (case and spaces aside), active.
fn task_named(v: &ScheduleVersion, milestone: &MilestoneFields) -> Option<usize> {
    let name = milestone.name.trim().to_lowercase();
    v.analysis.schedule.tasks.iter().position(|t| !t.inactive && t.name.trim().to_lowercase() == name)
}

/// The scheduled task that finishes last: the project's delivery.
fn last_task(v: &ScheduleVersion) -> Option<usize> {
    let (tasks, results) = (&v.analysis.schedule.tasks, &v.analysis.result.tasks);
    (0..tasks.len())
        .filter(|&i| !tasks[i].inactive && !tasks[i].is_summary_like() && results.get(i).is_some_and(|r| r.scheduled))
        .max_by_key(|&i| (results[i].early_finish, std::cmp::Reverse(i)))
}

fn days(d: chrono::Duration) -> f64 {
    d.num_minutes() as f64 / 1440.0
}

impl App {
    /// The integrated schedule: the latest schedules of every project linked by an open or
    /// at-risk dependency, joined by those dependencies (finish-to-start, from the supplier's
    /// delivering task to the dependent's receiving task) and computed as one network, so a late
    /// supplier moves its dependants' dates. Reports each project's finish alone and in the
    /// network, and which dependencies drive.
    ///
    /// # Errors
    /// Forbidden, storage, an unreadable stored schedule. A loop through the dependencies is
    /// not an error: it is reported in [`IntegratedSchedule::error`] with the tasks on it.
    pub async fn integrated_schedule(&self, actor: &Actor) -> Result<IntegratedSchedule, AppError> {
        actor.require(Action::Read)?;
        let loaded = self.load_dependencies(actor).await?;
        // Schedules every linked project as one network: off the async runtime.
        tokio::task::spawn_blocking(move || integrated(&loaded))
            .await
            .map_err(|e| AppError::Internal(format!("integrated schedule: {e}")))
    }
}

/// The integrated schedule from loaded data (see [`App::integrated_schedule`]).
fn integrated(loaded: &Loaded) -> IntegratedSchedule {
    use keel_domain::DependencyState;
    use keel_engine::schedule::combine::{CrossLink, Part, combine};
    use keel_engine::schedule::{Lag, LinkType};

    let Loaded { dependencies, projects, milestones, schedules } = loaded;
    let label = |p: ProjectId| projects.get(&p).map_or_else(|| p.to_string(), |f| format!("{} {}", f.code, f.name));
    let code = |p: ProjectId| projects.get(&p).map_or_else(|| p.to_string(), |f| f.code.to_string());
    let mut out = IntegratedSchedule::default();
    // A stable order: dependencies by title, parts in the order they first appear.
    let mut part_of: HashMap<ProjectId, usize> = HashMap::new();
    let mut part_ids: Vec<ProjectId> = Vec::new();
    let mut wanted: Vec<(&Dependency, ProjectId, usize, ProjectId, usize)> = Vec::new();
    let mut deps: Vec<&Dependency> = dependencies.iter().collect();
    deps.sort_by(|a, b| a.fields.title.cmp(&b.fields.title));
    for d in deps {
        let f = &d.fields;
        if matches!(f.state, DependencyState::Delivered | DependencyState::Cancelled) {
            continue;
        }
        let why = |reason: &str| format!("{}: {reason}", f.title);
        let (Some(Some(sv)), Some(Some(dv))) = (schedules.get(&f.supplier_project_id), schedules.get(&f.project_id))
        else {
            out.left_out.push(why("one of the two projects has no schedule"));
            continue;
        };
        let Some(wanted_ms) = f.milestone_id.and_then(|m| milestones.get(&m)) else {
            out.left_out.push(why("it names no milestone of the dependent project"));
            continue;
        };
        let Some(receiver) = task_named(dv, wanted_ms) else {
            out.left_out.push(why(&format!("no task named '{}' in the dependent's schedule", wanted_ms.name)));
            continue;
        };
        let delivery = match f.supplier_milestone_id.and_then(|m| milestones.get(&m)) {
            Some(m) => match task_named(sv, m) {
                Some(t) => t,
                None => {
                    out.left_out.push(why(&format!("no task named '{}' in the supplier's schedule", m.name)));
                    continue;
                }
            },
            None => match last_task(sv) {
                Some(t) => t,
                None => {
                    out.left_out.push(why("the supplier's schedule has no scheduled task"));
                    continue;
                }
            },
        };
        for p in [f.supplier_project_id, f.project_id] {
            part_of.entry(p).or_insert_with(|| {
                part_ids.push(p);
                part_ids.len() - 1
            });
        }
        wanted.push((d, f.supplier_project_id, delivery, f.project_id, receiver));
    }
    if wanted.is_empty() {
        return out;
    }
    let labels: Vec<String> = part_ids.iter().map(|&p| code(p)).collect();
    let versions: Vec<&ScheduleVersion> =
        part_ids.iter().filter_map(|p| schedules.get(p).and_then(Option::as_ref)).collect();
    let parts: Vec<Part<'_>> =
        versions.iter().zip(&labels).map(|(v, l)| Part { label: l, schedule: &v.analysis.schedule }).collect();
    let links: Vec<CrossLink> = wanted
        .iter()
        .map(|&(_, sp, st, dp, dt)| CrossLink {
            pred_part: part_of[&sp],
            pred: st,
            succ_part: part_of[&dp],
            succ: dt,
            kind: LinkType::FS,
            lag: Lag::default(),
        })
        .collect();
    let computed = combine(&parts, &links).and_then(|c| {
        let r = keel_engine::schedule::schedule(&c.schedule)?;
        let float = c.cross_link_float(&r)?;
        Ok((c, r, float))
    });
    let (combined, result, float) = match computed {
        Ok(x) => x,
        Err(e) => {
            out.error = Some(e.to_string());
            return out;
        }
    };
    let finishes = combined.project_finishes(&result);
    for (i, &(d, sp, st, dp, dt)) in wanted.iter().enumerate() {
        let (s_part, d_part) = (part_of[&sp], part_of[&dp]);
        let alone = &versions[d_part].analysis.result.tasks[dt];
        let r_succ = &result.tasks[combined.task(d_part, dt)];
        let r_pred = &result.tasks[combined.task(s_part, st)];
        let minutes_per_day = f64::from(versions[d_part].analysis.schedule.options.minutes_per_day.max(1));
        let delay = r_succ.early_start - alone.early_start;
        let started = versions[d_part].analysis.schedule.tasks[dt].actual_start.is_some();
        let float = if started { None } else { float[i] };
        out.links.push(IntegratedLink {
            dependency_id: d.id,
            title: d.fields.title.clone(),
            project: label(dp),
            supplier: label(sp),
            supplier_task: versions[s_part].analysis.schedule.tasks[st].name.clone(),
            dependent_task: versions[d_part].analysis.schedule.tasks[dt].name.clone(),
            delivers: r_pred.early_finish,
            start_alone: alone.early_start,
            start: r_succ.early_start,
            delay_days: days(delay).max(0.0),
            float_days: float.map(|m| m as f64 / minutes_per_day),
            driving: float == Some(0) && delay > chrono::Duration::zero(),
            started,
        });
    }
    for (k, &p) in part_ids.iter().enumerate() {
        // The same measure both ways (the last early finish of an active task), so a project
        // nothing moves shows no slip.
        let alone = last_task(versions[k])
            .map_or(versions[k].analysis.result.finish, |t| versions[k].analysis.result.tasks[t].early_finish);
        let finish = finishes[k].unwrap_or(alone);
        let driven_by =
            out.links.iter().filter(|l| l.driving && l.project == label(p)).map(|l| l.title.clone()).collect();
        out.projects.push(IntegratedProject {
            project_id: p,
            project: label(p),
            finish_alone: alone,
            finish,
            slip_days: days(finish - alone).max(0.0),
            driven_by,
        });
    }
    out.projects.sort_by(|a, b| b.slip_days.total_cmp(&a.slip_days).then_with(|| a.project.cmp(&b.project)));
    out.links.sort_by(|a, b| {
        b.driving
            .cmp(&a.driving)
            .then_with(|| b.delay_days.total_cmp(&a.delay_days))
            .then_with(|| a.title.cmp(&b.title))
    });
    out
}
