//! Schedules for the demo portfolio: a realistic plan for a few active projects, baselined,
//! progressed to the demo's "today", written as MS Project XML and imported through the same path
//! a user's upload takes.

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, Weekday};
use keel_domain::{DependencyFields, DependencyState, MilestoneFields, ProjectFields, ProjectId, Record, WorkState};
use keel_engine::schedule::{
    Baseline, Calendar, Duration, DurationUnit, Exception, Lag, Link, LinkType, Options, Origin, ProjectInfo, Schedule,
    Task, TaskKind, WorkingTime, schedule,
};
use keel_store::Value;

use crate::{Actor, App, AppError};

/// (name, working days, predecessors as (row, type, lag days)); a duration of `None` makes a summary.
type Row = (&'static str, Option<i64>, &'static [(usize, LinkType, i64)]);

const PLAN: &[Row] = &[
    ("Initiation", None, &[]),
    ("Business case and benefits profile", Some(8), &[]),
    ("Stage gate 1: approve the business case", Some(0), &[(1, LinkType::FS, 0)]),
    ("Design", None, &[]),
    ("Requirements and acceptance criteria", Some(12), &[(2, LinkType::FS, 0)]),
    ("Solution design", Some(15), &[(4, LinkType::SS, 5)]),
    ("Supplier selection", Some(20), &[(4, LinkType::FS, 0)]),
    ("Design authority review", Some(0), &[(5, LinkType::FS, 0)]),
    ("Build", None, &[]),
    ("Build iteration 1", Some(20), &[(7, LinkType::FS, 0), (6, LinkType::FS, 0)]),
    ("Build iteration 2", Some(20), &[(9, LinkType::FS, 0)]),
    ("Data migration", Some(25), &[(9, LinkType::SS, 10)]),
    ("Integration", Some(12), &[(10, LinkType::FS, 0), (11, LinkType::FF, 5)]),
    ("Test", None, &[]),
    ("System test", Some(15), &[(12, LinkType::FS, 0)]),
    ("User acceptance test", Some(10), &[(14, LinkType::FS, 2)]),
    ("Training material and sessions", Some(15), &[(10, LinkType::FS, 0)]),
    ("Go/no-go decision", Some(0), &[(15, LinkType::FS, 0), (16, LinkType::FS, 0)]),
    ("Deploy", None, &[]),
    ("Cutover", Some(4), &[(17, LinkType::FS, 0)]),
    ("Hypercare", Some(15), &[(19, LinkType::FS, 0)]),
    ("Benefits handover and project closure", Some(0), &[(20, LinkType::FS, 0)]),
];

/// The names of the demo plan's work tasks (not summaries or milestones), which demo risks link to.
pub(crate) fn plan_task_names() -> Vec<&'static str> {
    PLAN.iter().filter(|(_, d, _)| d.is_some_and(|d| d > 0)).map(|(n, _, _)| *n).collect()
}

/// The blended day rate of a demo project team (£650 a day, in pence): plans are costed by it.
const DAY_RATE_MINOR: i64 = 65_000;

fn at(d: NaiveDate, h: u32) -> NaiveDateTime {
    d.and_time(NaiveTime::from_hms_opt(h, 0, 0).unwrap_or_default())
}

fn standard_calendar(year: i32) -> Calendar {
    let day = Some(vec![WorkingTime { from: 480, to: 720 }, WorkingTime { from: 780, to: 1020 }]);
    let mut exceptions = Vec::new();
    for y in year - 1..=year + 3 {
        for (m, d, name) in [(1, 1, "New Year's Day"), (12, 25, "Christmas Day"), (12, 26, "Boxing Day")] {
            if let Some(date) = NaiveDate::from_ymd_opt(y, m, d) {
                exceptions.push(Exception {
                    name: name.into(),
                    from: date,
                    to: date,
                    working: vec![],
                    recurrence: None,
                });
            }
        }
    }
    Calendar {
        key: "1".into(),
        name: "Standard".into(),
        base: None,
        week: [day.clone(), day.clone(), day.clone(), day.clone(), day, Some(vec![]), Some(vec![])],
        exceptions,
        work_weeks: vec![],
    }
}

/// A small deterministic hash so each project gets its own slips.
fn mix(code: &str, i: usize) -> u64 {
    crate::demo::fnv1a(code.bytes().chain(i.to_le_bytes()))
}

/// The plan of one project: baselined at its planned start, slipped a little, progressed to `today`.
pub(crate) fn plan(p: &Record<ProjectFields>, today: NaiveDate) -> Result<Schedule, AppError> {
    let f = &p.fields;
    let mut start = f.planned_start.unwrap_or(today);
    while matches!(start.weekday(), Weekday::Sat | Weekday::Sun) {
        start = start.succ_opt().unwrap_or(start);
    }
    let mut s = Schedule {
        name: format!("{} {}", f.code, f.name),
        origin: Origin::MsProject,
        source_format: "Keel demo".into(),
        options: Options::default(),
        projects: vec![ProjectInfo {
            key: f.code.to_string(),
            name: f.name.clone(),
            start: at(start, 8),
            finish_constraint: None,
            status_date: None,
            calendar: 0,
            schedule_from_finish: false,
        }],
        calendars: vec![standard_calendar(start.year())],
        ..Schedule::default()
    };
    let mut parent = None;
    for (i, (name, days, preds)) in PLAN.iter().enumerate() {
        let kind = match days {
            None => TaskKind::Summary,
            Some(0) => TaskKind::Milestone,
            Some(_) => TaskKind::Task,
        };
        if kind == TaskKind::Summary {
            parent = Some(i);
        }
        s.tasks.push(Task {
            key: (i + 1).to_string(),
            code: (i + 1).to_string(),
            name: (*name).to_string(),
            outline_level: if kind == TaskKind::Summary { 1 } else { 2 },
            parent: if kind == TaskKind::Summary { None } else { parent },
            kind,
            duration: Duration::working(days.unwrap_or(0) * 480, DurationUnit::Days),
            ..Task::default()
        });
        for &(pred, kind, lag) in preds.iter() {
            s.links.push(Link {
                pred,
                succ: i,
                kind,
                lag: Lag { amount: lag * 480, unit: DurationUnit::Days, elapsed: false },
            });
        }
    }
    let err = |e: keel_engine::schedule::ScheduleError| AppError::Internal(format!("demo plan: {e}"));
    // The plan spans the project's planned dates, so on any day the demo is loaded its active
    // projects are part-way through their plans rather than long finished.
    if let Some(finish) = f.planned_finish {
        let natural = schedule(&s).map_err(err)?;
        let (wanted, has) = (weekdays(start, finish), weekdays(start, natural.finish.date()));
        if wanted > 0 && has > 0 {
            scale(&mut s, (wanted as f64 / has as f64).clamp(0.25, 8.0));
        }
    }
    // Baseline: the plan as approved.
    let base = schedule(&s).map_err(err)?;
    for (t, r) in s.tasks.iter_mut().zip(&base.tasks) {
        t.baselines.push(Baseline {
            number: 0,
            start: Some(r.early_start),
            finish: Some(r.early_finish),
            duration_minutes: Some(t.duration.minutes),
            cost_minor: (t.kind == TaskKind::Task).then(|| t.duration.minutes / 480 * DAY_RATE_MINOR),
        });
    }
    // Reality: some tasks take longer than planned (up to 40%), a few finish early.
    for (i, t) in s.tasks.iter_mut().enumerate() {
        if t.kind == TaskKind::Task {
            let pct = (mix(f.code.as_str(), i) % 55) as i64 - 12;
            t.duration.minutes = (t.duration.minutes * (100 + pct.max(0)) / 100 / 480).max(1) * 480;
            t.cost_minor = Some(t.duration.minutes / 480 * DAY_RATE_MINOR);
        }
    }
    // Progress to the status date: the last working day's close before `today`.
    let mut status = today.pred_opt().unwrap_or(today);
    while matches!(status.weekday(), Weekday::Sat | Weekday::Sun) {
        status = status.pred_opt().unwrap_or(status);
    }
    let status = at(status, 17);
    s.projects[0].status_date = Some(status);
    let now = schedule(&s).map_err(err)?;
    for (t, r) in s.tasks.iter_mut().zip(&now.tasks) {
        if t.kind == TaskKind::Summary || r.early_start >= status {
            continue;
        }
        t.actual_start = Some(r.early_start);
        if r.early_finish <= status {
            t.actual_finish = Some(r.early_finish);
            t.percent_complete = 100.0;
        } else {
            let span = (r.early_finish - r.early_start).num_minutes().max(1) as f64;
            let done = (status - r.early_start).num_minutes() as f64;
            t.percent_complete = (100.0 * done / span).clamp(1.0, 99.0).round();
        }
    }
    Ok(s)
}

/// Monday-to-Friday days after `from` up to and including `to`.
fn weekdays(from: NaiveDate, to: NaiveDate) -> i64 {
    from.iter_days().skip(1).take_while(|d| *d <= to).filter(|d| d.weekday().num_days_from_monday() < 5).count() as i64
}

/// Stretches (or shrinks) every duration and lag of a plan by `factor`, in whole days; work
/// stays at least a day long.
fn scale(s: &mut Schedule, factor: f64) {
    let days = |minutes: i64| ((minutes as f64 / 480.0) * factor).round() as i64 * 480;
    for t in s.tasks.iter_mut().filter(|t| t.kind == TaskKind::Task) {
        t.duration.minutes = days(t.duration.minutes).max(480);
    }
    for l in &mut s.links {
        l.lag.amount = days(l.lag.amount);
    }
}

impl App {
    /// Imports a demo schedule into the first `count` active projects with planned dates.
    pub(crate) async fn load_demo_schedules(
        &self,
        actor: &Actor,
        projects: &[Record<ProjectFields>],
        today: NaiveDate,
        count: usize,
    ) -> Result<usize, AppError> {
        let mut n = 0;
        let mut scheduled = Vec::new();
        for p in projects.iter().filter(|p| p.fields.state == WorkState::Active && p.fields.planned_start.is_some()) {
            if n == count {
                break;
            }
            let s = plan(p, today)?;
            let xml = keel_interop::export(&s, None, keel_interop::Format::Mspdi)
                .map_err(|e| AppError::Internal(format!("demo plan: {e}")))?;
            let name = format!("{} plan.xml", p.fields.code);
            let opts = crate::ImportOptions { format: Some("mspdi".into()), dates: crate::DatesChoice::Keep };
            self.import_schedule(actor, p.id, &name, xml, opts).await?;
            scheduled.push(p);
            n += 1;
        }
        self.link_demo_schedules(actor, &scheduled).await?;
        Ok(n)
    }

    /// Two dependencies between scheduled demo projects, on milestones their plans fed, so the
    /// integrated schedule has something to show: the pair of milestones where the supplier's
    /// comes latest against the dependent's (not yet reached) one, a driving link when the
    /// supplier is later, and the pair where it comes earliest, a link with room.
    async fn link_demo_schedules(&self, actor: &Actor, scheduled: &[&Record<ProjectFields>]) -> Result<(), AppError> {
        // (project, milestone name, early finish, early start if not yet started).
        let mut ends: Vec<(usize, String, NaiveDateTime, Option<NaiveDateTime>)> = Vec::new();
        for (k, p) in scheduled.iter().enumerate() {
            let v = self.schedule_version(actor, p.id, None).await?;
            let (tasks, results) = (&v.analysis.schedule.tasks, &v.analysis.result.tasks);
            for (t, r) in tasks.iter().zip(results) {
                if t.kind == TaskKind::Milestone || (t.duration.minutes == 0 && !t.is_summary_like()) {
                    ends.push((k, t.name.clone(), r.early_finish, t.actual_start.is_none().then_some(r.early_start)));
                }
            }
        }
        let mut pairs: Vec<(chrono::TimeDelta, usize, usize)> = Vec::new();
        for (i, (sp, _, delivers, _)) in ends.iter().enumerate() {
            for (j, (dp, _, _, needs)) in ends.iter().enumerate() {
                if let (true, Some(needs)) = (sp != dp, needs) {
                    pairs.push((*delivers - *needs, i, j));
                }
            }
        }
        pairs.sort();
        let chosen: Vec<_> = match (pairs.first(), pairs.last()) {
            (Some(&lo), Some(&hi)) if (lo.1, lo.2) != (hi.1, hi.2) => vec![hi, lo],
            (_, Some(&hi)) => vec![hi],
            _ => vec![],
        };
        let milestone = |p: ProjectId, name: String| async move {
            let all =
                self.records::<MilestoneFields>().all_where(actor, "project_id", Value::text(p.to_string())).await?;
            Ok::<_, AppError>(all.into_iter().find(|m| m.fields.name == name).map(|m| m.id))
        };
        for (_, i, j) in chosen {
            let ((sp, delivers, ..), (dp, needs, ..)) = (&ends[i], &ends[j]);
            let (sup, dep) = (scheduled[*sp], scheduled[*dp]);
            let fields = DependencyFields {
                project_id: dep.id,
                milestone_id: milestone(dep.id, needs.clone()).await?,
                supplier_project_id: sup.id,
                supplier_milestone_id: milestone(sup.id, delivers.clone()).await?,
                title: format!("Shared platform release from {}", sup.fields.name),
                description: format!(
                    "{} {} needs {} {}'s platform release ({}) before '{}'.",
                    dep.fields.code,
                    dep.fields.name,
                    sup.fields.code,
                    sup.fields.name,
                    delivers.to_lowercase(),
                    needs.to_lowercase()
                ),
                owner: dep.fields.manager.clone(),
                needed_by: None,
                state: DependencyState::Open,
            };
            self.records::<DependencyFields>().create(actor, fields).await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_plan_is_baselined_progressed_and_computable() {
        let now = chrono::Utc::now();
        let d = crate::demo::generate(keel_domain::Id::from_uuid(uuid::Uuid::nil()), &Default::default(), now);
        let p = d
            .projects
            .iter()
            .find(|p| p.fields.state == WorkState::Active && p.fields.planned_start.is_some())
            .unwrap();
        let today = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        let s = plan(p, today).unwrap();
        let r = schedule(&s).unwrap();
        assert_eq!(r.tasks.len(), PLAN.len());
        assert!(s.tasks.iter().all(|t| t.baselines.len() == 1));
        // Whatever has started did so before the status date, and nothing finished after it.
        let status = s.projects[0].status_date.unwrap();
        assert!(s.tasks.iter().all(|t| t.actual_start.is_none_or(|a| a < status)));
        assert!(s.tasks.iter().all(|t| t.actual_finish.is_none_or(|a| a <= status)));
        // The file round-trips through MS Project XML.
        let xml = keel_interop::export(&s, None, keel_interop::Format::Mspdi).unwrap();
        let back = keel_interop::import("demo.xml", &xml, None).unwrap();
        assert_eq!(back.tasks.len(), PLAN.len());
    }
}
