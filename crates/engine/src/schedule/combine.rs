//! Several projects' schedules as one network: the plans of a programme or portfolio joined by the
//! links between them, scheduled together as Primavera P6 schedules projects that are open
//! together (each project keeps its own start, status date and finish; a late delivery moves the
//! dependent project's dates).
//!
//! [`combine`] merges the plans into one multi-project [`Schedule`] that
//! [`schedule`](super::schedule) computes like any other; [`Combined`] maps each part's tasks to
//! their place in it, and [`Combined::project_finishes`] reads each part's finish back out.

use chrono::NaiveDateTime;

use super::calendar::WorkCalendar;
use super::cpm::{ScheduleError, ScheduleResult};
use super::model::{DurationUnit, Lag, Link, LinkType, Schedule, TaskIx};

/// A link between two parts: task `pred` of part `pred_part` to task `succ` of part `succ_part`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CrossLink {
    /// Index of the delivering (predecessor) part in the `parts` given to [`combine`].
    pub pred_part: usize,
    /// The predecessor task, an index into that part's tasks.
    pub pred: TaskIx,
    /// Index of the receiving (successor) part.
    pub succ_part: usize,
    /// The successor task, an index into that part's tasks.
    pub succ: TaskIx,
    /// Relationship type.
    pub kind: LinkType,
    /// Lag or lead.
    pub lag: Lag,
}

/// One part of a combined network: a label for messages (the project's code) and its plan.
#[derive(Debug, Clone, Copy)]
pub struct Part<'a> {
    /// Shown before each task's code ("PRJ-001/A100"), so errors and loops name the project.
    pub label: &'a str,
    /// The project's plan, one or more projects.
    pub schedule: &'a Schedule,
}

/// The merged schedule and where each part's tasks and projects landed in it.
#[derive(Debug, Clone, PartialEq)]
pub struct Combined {
    /// All parts' tasks, links, calendars, projects, resources and assignments, plus the cross links.
    pub schedule: Schedule,
    /// First task index of each part in [`Combined::schedule`]; one more entry holds the total.
    pub task_offsets: Vec<usize>,
    /// First project index of each part; one more entry holds the total.
    pub project_offsets: Vec<usize>,
    /// How many links, at the end of [`Schedule::links`], are the cross links given to [`combine`].
    pub cross_links: usize,
}

impl Combined {
    /// Index in the combined schedule of task `task` of part `part`.
    pub fn task(&self, part: usize, task: TaskIx) -> TaskIx {
        self.task_offsets[part] + task
    }

    /// Each part's finish in `result` (a result of [`Combined::schedule`]): the latest early
    /// finish of its scheduled, active tasks; `None` for a part with none.
    ///
    /// # Complexity
    /// O(tasks).
    pub fn project_finishes(&self, result: &ScheduleResult) -> Vec<Option<NaiveDateTime>> {
        self.task_offsets
            .windows(2)
            .map(|w| {
                (w[0]..w[1])
                    .filter(|&i| !self.schedule.tasks[i].inactive && !self.schedule.tasks[i].is_summary_like())
                    .filter_map(|i| result.tasks.get(i).filter(|r| r.scheduled).map(|r| r.early_finish))
                    .max()
            })
            .collect()
    }
}

impl Combined {
    /// Free float of each cross link in `result`, in working minutes on the successor's calendar:
    /// how far the delivering task could slip before it moves the receiving task (for a
    /// finish-to-start link, from the predecessor's early finish plus lag to the successor's
    /// early start). Zero means the link drives the receiving task. In the order the links were
    /// given to [`combine`]; `None` for a link whose tasks were not scheduled.
    ///
    /// # Errors
    /// A calendar the schedule names cannot be compiled (it scheduled, so it compiles).
    ///
    /// # Complexity
    /// O(cross links + calendars' day tables over the span the links cover).
    pub fn cross_link_float(&self, result: &ScheduleResult) -> Result<Vec<Option<i64>>, ScheduleError> {
        let s = &self.schedule;
        let mut cals: Vec<Option<WorkCalendar>> = vec![None; s.calendars.len()];
        let first = s.links.len() - self.cross_links;
        let mut out = Vec::with_capacity(self.cross_links);
        for l in &s.links[first..] {
            let (Some(p), Some(q)) = (result.tasks.get(l.pred), result.tasks.get(l.succ)) else {
                out.push(None);
                continue;
            };
            if !p.scheduled || !q.scheduled {
                out.push(None);
                continue;
            }
            let (from, to) = match l.kind {
                LinkType::FS => (p.early_finish, q.early_start),
                LinkType::SS => (p.early_start, q.early_start),
                LinkType::FF => (p.early_finish, q.early_finish),
                LinkType::SF => (p.early_start, q.early_finish),
            };
            let task = &s.tasks[l.succ];
            let ix = task.calendar.unwrap_or_else(|| s.projects.get(task.project).map_or(0, |p| p.calendar));
            let cal = match &mut cals[ix] {
                Some(c) => c,
                slot => slot.insert(WorkCalendar::compile(&s.calendars, ix, from.date())?),
            };
            let lag = match (l.lag.elapsed, l.lag.unit) {
                (false, DurationUnit::Percent) => 0,
                (false, _) => l.lag.amount,
                (true, _) => 0,
            };
            let gap = if l.lag.elapsed {
                cal.working_minutes_between(WorkCalendar::add_elapsed(from, l.lag.amount), to)
            } else {
                cal.working_minutes_between(from, to) - lag
            };
            out.push(Some(gap));
        }
        Ok(out)
    }
}

/// Merges `parts` into one multi-project schedule and adds `links` between them.
///
/// The combined schedule takes its options (mode, hours per day, lag calendar, critical
/// threshold) from the first part; a part whose mode differs gets a warning in
/// [`Schedule::warnings`], since one network is computed under one set of rules. Every part keeps
/// its own projects (start, status date, calendar), calendars, resources and assignments. Task
/// codes are prefixed with the part's label.
///
/// # Errors
/// [`ScheduleError::Invalid`] naming the cross link when it points at a part or task that does
/// not exist. Loops through the cross links are found later, by
/// [`schedule`](super::schedule), which names the tasks on the loop with their project labels.
///
/// # Complexity
/// O(total tasks + links + calendars + cross links): one copy of every part.
///
/// # Example
/// ```
/// use keel_engine::schedule::combine::{CrossLink, Part, combine};
/// use keel_engine::schedule::generate::{GenOptions, Shape, generate};
/// use keel_engine::schedule::{Lag, LinkType, schedule};
///
/// let a = generate(&GenOptions { tasks: 20, shape: Shape::Simple, seed: 1 });
/// let b = generate(&GenOptions { tasks: 20, shape: Shape::Simple, seed: 2 });
/// let link = CrossLink { pred_part: 0, pred: 19, succ_part: 1, succ: 0, kind: LinkType::FS, lag: Lag::default() };
/// let parts = [Part { label: "A", schedule: &a }, Part { label: "B", schedule: &b }];
/// let combined = combine(&parts, &[link]).unwrap();
/// let result = schedule(&combined.schedule).unwrap();
/// let finishes = combined.project_finishes(&result);
/// // B's first task now waits for A's last one, so B cannot finish earlier than on its own.
/// assert!(finishes[1].unwrap() >= schedule(&b).unwrap().finish);
/// ```
pub fn combine(parts: &[Part<'_>], links: &[CrossLink]) -> Result<Combined, ScheduleError> {
    let mut out = Schedule::default();
    let mut task_offsets = Vec::with_capacity(parts.len() + 1);
    let mut project_offsets = Vec::with_capacity(parts.len() + 1);
    if let Some(first) = parts.first() {
        out.origin = first.schedule.origin;
        out.options = first.schedule.options.clone();
        out.source_format = "combined".into();
    }
    out.name = parts.iter().map(|p| p.label).collect::<Vec<_>>().join(" + ");
    let total_tasks: usize = parts.iter().map(|p| p.schedule.tasks.len()).sum();
    out.tasks.reserve(total_tasks);
    for part in parts {
        let s = part.schedule;
        let (t0, p0, c0, r0) = (out.tasks.len(), out.projects.len(), out.calendars.len(), out.resources.len());
        task_offsets.push(t0);
        project_offsets.push(p0);
        if s.options.mode != out.options.mode {
            out.warnings.push(super::model::ImportWarning {
                location: format!("project {}", part.label),
                message: format!(
                    "its plan follows {:?} rules; the combined network is computed under {:?} rules",
                    s.options.mode, out.options.mode
                ),
            });
        }
        out.projects.extend(s.projects.iter().cloned().map(|mut p| {
            p.calendar += c0;
            p
        }));
        out.calendars.extend(s.calendars.iter().cloned().map(|mut c| {
            c.base = c.base.map(|b| b + c0);
            c
        }));
        out.tasks.extend(s.tasks.iter().cloned().map(|mut t| {
            t.project += p0;
            t.parent = t.parent.map(|x| x + t0);
            t.calendar = t.calendar.map(|x| x + c0);
            t.code = if t.code.is_empty() {
                format!("{}/#{}", part.label, t.key)
            } else {
                format!("{}/{}", part.label, t.code)
            };
            t
        }));
        out.links.extend(s.links.iter().map(|l| Link { pred: l.pred + t0, succ: l.succ + t0, ..*l }));
        out.resources.extend(s.resources.iter().cloned().map(|mut r| {
            r.calendar = r.calendar.map(|x| x + c0);
            r
        }));
        out.assignments.extend(s.assignments.iter().cloned().map(|mut a| {
            a.task += t0;
            a.resource += r0;
            a
        }));
        out.warnings.extend(s.warnings.iter().cloned());
    }
    task_offsets.push(out.tasks.len());
    project_offsets.push(out.projects.len());
    share_calendars(&mut out);
    for (i, l) in links.iter().enumerate() {
        let at = |part: usize, task: TaskIx, side: &str| -> Result<TaskIx, ScheduleError> {
            let fail = |message: String| ScheduleError::Invalid {
                task: format!("cross link {}", i + 1),
                field: "task",
                message,
            };
            let p = parts
                .get(part)
                .ok_or_else(|| fail(format!("{side} part {part} is not among the {} parts", parts.len())))?;
            if task >= p.schedule.tasks.len() {
                return Err(fail(format!(
                    "{side} task {task} is not in {} ({} tasks)",
                    p.label,
                    p.schedule.tasks.len()
                )));
            }
            Ok(task_offsets[part] + task)
        };
        let pred = at(l.pred_part, l.pred, "predecessor")?;
        let succ = at(l.succ_part, l.succ, "successor")?;
        out.links.push(Link { pred, succ, kind: l.kind, lag: l.lag });
    }
    Ok(Combined { schedule: out, task_offsets, project_offsets, cross_links: links.len() })
}

/// Keeps one copy of calendars that are the same in all but their key (the projects of a
/// programme usually share a standard calendar, and each copy would be resolved again when the
/// network is compiled), and points tasks, projects, resources and derived calendars at it.
///
/// Two calendars are the same when their names, weeks, exceptions and work weeks are equal and
/// their bases are the same calendar (found by a fixpoint, so chains of derived calendars merge).
/// O(c²) in the number of calendars, which is small.
fn share_calendars(s: &mut Schedule) {
    let n = s.calendars.len();
    // A reference out of range is left for `schedule` to report (task and field named) with the
    // calendars untouched.
    let bad = |c: &Option<usize>| c.is_some_and(|c| c >= n);
    if s.calendars.iter().any(|c| bad(&c.base))
        || s.projects.iter().any(|p| p.calendar >= n)
        || s.tasks.iter().any(|t| bad(&t.calendar))
        || s.resources.iter().any(|r| bad(&r.calendar))
    {
        return;
    }
    let mut canon: Vec<usize> = (0..n).collect();
    let same = |canon: &[usize], a: &super::model::Calendar, b: &super::model::Calendar| {
        a.name == b.name
            && a.week == b.week
            && a.exceptions == b.exceptions
            && a.work_weeks == b.work_weeks
            && a.base.map(|x| canon[x]) == b.base.map(|x| canon[x])
    };
    loop {
        let mut changed = false;
        for j in 0..n {
            let found =
                (0..j).find(|&k| canon[k] == k && canon[j] != k && same(&canon, &s.calendars[k], &s.calendars[j]));
            if let Some(k) = found
                && k < canon[j]
            {
                canon[j] = k;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    if canon.iter().enumerate().all(|(i, &c)| i == c) {
        return;
    }
    // New index of each kept calendar, then every reference through its representative.
    let mut new_ix = vec![usize::MAX; n];
    let mut kept = Vec::new();
    for (i, cal) in std::mem::take(&mut s.calendars).into_iter().enumerate() {
        if canon[i] == i {
            new_ix[i] = kept.len();
            kept.push(cal);
        }
    }
    let map = |c: usize| new_ix[canon[c]];
    for c in &mut kept {
        c.base = c.base.map(map);
    }
    s.calendars = kept;
    for p in &mut s.projects {
        p.calendar = map(p.calendar);
    }
    for t in &mut s.tasks {
        t.calendar = t.calendar.map(map);
    }
    for r in &mut s.resources {
        r.calendar = r.calendar.map(map);
    }
}
