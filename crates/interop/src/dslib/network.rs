//! A DSLIB workbook as a schedule network, for the critical-path engine and the Monte Carlo
//! simulation: the "combined" forecast (the network, its three-point risk and the progress of a
//! tracking period).
//!
//! [`DslibProject::network`] builds a [`Schedule`]: one project starting at the baseline start, on
//! the workbook's `Agenda` calendar (Monday to Friday, 8-12 and 13-17 when it has none, as
//! [`DslibProject::time_basis`] assumes), every baseline row as a task (WBS summaries as outline
//! summaries of the rows under their WBS code), durations from the `Duration` text in working
//! minutes, links from the `Predecessors` text ([`parse_predecessors`]) and, at a tracking period,
//! the period's progress with its status date as data date. The schedule runs in P6 mode: nothing
//! starts before the project start or the data date, and the remaining work of a started activity
//! runs from the data date after its unfinished predecessors (retained logic).
//!
//! [`DslibNetwork::estimates`] turns the `Risk Analysis` three-point estimates (percent of the
//! baseline duration) into Monte Carlo estimates in working minutes.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use keel_engine::forecast::montecarlo::{Distribution, Estimate};
use keel_engine::schedule::calendar::{WorkCalendar as EngineCalendar, standard};
use keel_engine::schedule::{
    Calendar, Constraint, ConstraintKind, Duration, DurationUnit, Exception, Lag, Link, LinkType, Mode, Options,
    Origin, ProjectInfo, Schedule, Task, TaskIx, TaskKind, WorkingTime,
};

use super::{DslibProject, ThreePoint, duration_hours};
use crate::ImportError;

/// One entry of a `Predecessors` cell such as `1FS;3SS+2d;7FS-1w 2d`.
#[derive(Debug, Clone, PartialEq)]
pub struct Predecessor {
    /// The predecessor's activity ID.
    pub id: String,
    /// Relationship type (FS when the entry names none).
    pub kind: LinkType,
    /// Lag in working hours (negative for a lead).
    pub lag_hours: f64,
}

/// Parses a ProTrack `Predecessors` cell: entries separated by `;` (or `,`), each an activity ID
/// followed by an optional type (`FS`, `SS`, `FF`, `SF`; FS when absent) and an optional lag (`+2d`,
/// `-1w 2d`, `+4h`; weeks of five days of `hours_per_day`). The type may also come first
/// (`FS2+1d`). An empty cell has no predecessors.
///
/// # Errors
/// A message naming the entry and what was expected there.
///
/// # Example
/// ```
/// use keel_engine::schedule::LinkType;
/// use keel_interop::dslib::network::parse_predecessors;
/// let p = parse_predecessors("1FS;3SS+2d;7FF-1w 1d", 8.0).unwrap();
/// assert_eq!((p[1].id.as_str(), p[1].kind, p[1].lag_hours), ("3", LinkType::SS, 16.0));
/// assert_eq!(p[2].lag_hours, -48.0);
/// ```
pub fn parse_predecessors(text: &str, hours_per_day: f64) -> Result<Vec<Predecessor>, String> {
    let mut out = Vec::new();
    for entry in text.split([';', ',']) {
        let e = entry.trim();
        if e.is_empty() {
            continue;
        }
        let (head, lag) = match e.find(['+', '-']) {
            Some(i) => (e[..i].trim(), Some(&e[i..])),
            None => (e, None),
        };
        let kind_at = |s: &str| -> Option<LinkType> {
            match s.to_ascii_uppercase().as_str() {
                "FS" => Some(LinkType::FS),
                "SS" => Some(LinkType::SS),
                "FF" => Some(LinkType::FF),
                "SF" => Some(LinkType::SF),
                _ => None,
            }
        };
        let (id, kind) = if head.len() > 2 && head.is_char_boundary(head.len() - 2) {
            let (a, b) = head.split_at(head.len() - 2);
            match (kind_at(b), head.is_char_boundary(2).then(|| head.split_at(2))) {
                (Some(k), _) => (a.trim(), k),
                (None, Some((t, rest))) if kind_at(t).is_some() => (rest.trim(), kind_at(t).unwrap_or_default()),
                _ => (head, LinkType::FS),
            }
        } else {
            (head, LinkType::FS)
        };
        if id.is_empty() || !id.chars().all(|c| c.is_alphanumeric() || c == '.' || c == '_') {
            return Err(format!("entry '{e}': expected an activity ID with an optional type and lag, like '3SS+2d'"));
        }
        let lag_hours = match lag {
            None => 0.0,
            Some(l) => {
                let (sign, body) = l.split_at(1);
                let h = duration_hours(body.trim(), hours_per_day)
                    .filter(|h| h.is_finite())
                    .ok_or_else(|| format!("entry '{e}': expected a lag like '+2d', '-1w 2d' or '+4h', found '{l}'"))?;
                if sign == "-" { -h } else { h }
            }
        };
        out.push(Predecessor { id: id.to_string(), kind, lag_hours });
    }
    Ok(out)
}

/// The distribution a `Risk Analysis` profile name stands for. ProTrack's standard profiles
/// (`standard - symmetric`, `- skewed left`, `- skewed right`, `- no risk`) are triangular
/// distributions whose shape is in the three numbers themselves; a profile naming `beta` or `pert`
/// is PERT-beta, `uniform` uniform, `lognormal` lognormal; anything else triangular.
pub fn distribution_of(profile: &str) -> Distribution {
    let p = profile.to_ascii_lowercase();
    if p.contains("beta") || p.contains("pert") {
        Distribution::Pert
    } else if p.contains("uniform") {
        Distribution::Uniform
    } else if p.contains("lognormal") || p.contains("log-normal") {
        Distribution::LogNormal
    } else {
        Distribution::Triangular
    }
}

/// A workbook's schedule network (see the module documentation).
#[derive(Debug, Clone, PartialEq)]
pub struct DslibNetwork {
    /// The schedule.
    pub schedule: Schedule,
    /// The task of each row of [`DslibProject::activities`], same order.
    pub tasks: Vec<TaskIx>,
    /// The three-point estimate of each task that has one, with its planned duration in minutes.
    risk: Vec<(TaskIx, ThreePoint, i64)>,
    /// The latest baseline finish of the leaf activities: the baseline project finish.
    pub baseline_finish: Option<NaiveDateTime>,
    /// Leaf tasks finished at the period, for the "updated with progress" scaling.
    finished: Vec<bool>,
    /// Links left out, and why: an activity linked to itself or to its own WBS summary (a loop).
    pub dropped_links: Vec<String>,
    /// Actual over planned duration of each activity finished at the period with a planned
    /// duration and a written actual duration.
    finished_ratios: Vec<f64>,
}

impl DslibNetwork {
    /// The median of actual over planned duration of the activities finished at the period (those
    /// with a planned duration and a written actual duration); `None` when none is finished. The
    /// project's own record of how long its activities take against plan, for scaling the risk
    /// ranges of the remaining ones ([`DslibNetwork::estimates`]).
    pub fn finished_duration_ratio(&self) -> Option<f64> {
        super::check::median(self.finished_ratios.iter().copied().map(Some))
    }

    /// Monte Carlo estimates in working minutes: each activity's `Risk Analysis` estimate (percent
    /// of its baseline duration, shape from [`distribution_of`]) times `factor`, and, when `factor`
    /// is not 1, a fixed `factor` times the planned duration for the unfinished activities without
    /// one. Finished and zero-duration activities get none. Tasks without an estimate keep their
    /// planned durations when the simulation runs without a default range.
    pub fn estimates(&self, factor: f64) -> Vec<(TaskIx, Estimate)> {
        let factor = if factor.is_finite() && factor > 0.0 { factor } else { 1.0 };
        let minutes = |planned: i64, pct: f64| ((planned as f64) * pct.max(0.0) / 100.0 * factor).round() as i64;
        let mut has = vec![false; self.schedule.tasks.len()];
        let mut out = Vec::new();
        for (t, tp, planned) in &self.risk {
            if *planned <= 0 || self.finished[*t] {
                continue;
            }
            has[*t] = true;
            let o = minutes(*planned, tp.optimistic_pct);
            let m = minutes(*planned, tp.most_likely_pct).max(o);
            let p = minutes(*planned, tp.pessimistic_pct).max(m);
            let distribution = match distribution_of(&tp.profile) {
                Distribution::LogNormal if m == 0 => Distribution::Triangular,
                d => d,
            };
            out.push((
                *t,
                Estimate { optimistic_minutes: o, most_likely_minutes: m, pessimistic_minutes: p, distribution },
            ));
        }
        if (factor - 1.0).abs() > 1e-12 {
            for (t, task) in self.schedule.tasks.iter().enumerate() {
                if has[t] || task.kind != TaskKind::Task || self.finished[t] || task.duration.minutes <= 0 {
                    continue;
                }
                let d = ((task.duration.minutes as f64) * factor).round() as i64;
                out.push((t, Estimate::triangular(d, d, d)));
            }
        }
        out.sort_by_key(|e| e.0);
        out
    }
}

/// The engine calendar of a workbook: its `Agenda`, or the standard calendar.
fn model_calendar(project: &DslibProject) -> Calendar {
    let Some(a) = &project.agenda else { return standard() };
    let day: Vec<WorkingTime> = a.hours.iter().map(|&(from, to)| WorkingTime { from, to }).collect();
    let week = std::array::from_fn(|k| Some(if a.week[k] { day.clone() } else { Vec::new() }));
    let mut holidays: Vec<NaiveDate> = a.holidays.clone();
    holidays.sort_unstable();
    holidays.dedup();
    Calendar {
        key: "agenda".into(),
        name: "Agenda".into(),
        base: None,
        week,
        exceptions: holidays
            .into_iter()
            .map(|d| Exception { name: "holiday".into(), from: d, to: d, working: Vec::new(), recurrence: None })
            .collect(),
        work_weeks: Vec::new(),
    }
}

impl DslibProject {
    /// Working hours in a day of the workbook's calendar (8 without an `Agenda`).
    pub fn hours_per_day(&self) -> f64 {
        self.calendar.as_ref().map_or(8.0, |c| f64::from(c.day_minutes()) / 60.0)
    }

    /// The schedule network, with the progress of tracking period `period` (an index into
    /// [`DslibProject::periods`]) or none. See the module documentation.
    ///
    /// With `hold_baseline_starts`, every leaf activity with a baseline start gets a "start no
    /// earlier than" constraint there: what the logic alone does not explain in a baseline (many
    /// DSLIB baselines are resource-levelled, or activities were placed by hand) is kept, and
    /// unstarted work never starts before its planned start.
    ///
    /// Progress of a leaf activity at the period: 100% complete (or tracked `Finished`) is finished
    /// at its actual start plus its actual duration on the calendar; otherwise an actual start (or
    /// some progress) makes it started, with its planned duration times the share not complete as
    /// remaining duration; a finished or started activity without an actual start is taken to have
    /// started at its baseline start.
    ///
    /// # Errors
    /// [`ImportError`] naming the file, the sheet, the row (or activity) and the column: no project
    /// start, a duration, predecessor or actual duration that cannot be read, a predecessor that is
    /// not an activity of the baseline, a period index out of range.
    pub fn network(
        &self,
        file_name: &str,
        period: Option<usize>,
        hold_baseline_starts: bool,
    ) -> Result<DslibNetwork, ImportError> {
        let hpd = self.hours_per_day();
        let at = |row: usize, id: &str, column: &str, message: String| ImportError {
            file: file_name.into(),
            line: (row > 0).then_some(row),
            field: Some(format!("sheet 'Baseline Schedule', activity {id}, column {column}")),
            message,
        };
        let start = self
            .start
            .or_else(|| self.activities.iter().filter_map(|a| a.start).min())
            .ok_or_else(|| ImportError::file(file_name, "no project baseline start and no activity with a start"))?;
        let calendar = model_calendar(self);
        let mut cal = EngineCalendar::compile(std::slice::from_ref(&calendar), 0, start.date())
            .map_err(|e| ImportError::file(file_name, format!("working calendar: {e}")))?;
        // Tasks, with WBS parents.
        let summary_of: HashMap<&str, usize> = self
            .activities
            .iter()
            .enumerate()
            .filter(|(_, a)| a.summary && !a.wbs.is_empty())
            .map(|(i, a)| (a.wbs.as_str(), i))
            .collect();
        let mut tasks = Vec::with_capacity(self.activities.len());
        let mut risk = Vec::new();
        for (i, a) in self.activities.iter().enumerate() {
            let mut parent = None;
            let mut w = a.wbs.as_str();
            while let Some(k) = w.rfind('.') {
                w = &w[..k];
                if let Some(&p) = summary_of.get(w) {
                    parent = Some(p);
                    break;
                }
            }
            let minutes = if a.summary {
                0
            } else if a.duration.trim().is_empty() {
                // No duration written: the baseline's working time, or none without baseline dates.
                match (a.start, a.finish) {
                    (Some(s), Some(f)) => cal.working_minutes_between(s, f).max(0),
                    _ => 0,
                }
            } else {
                let h = duration_hours(&a.duration, hpd).filter(|h| h.is_finite() && *h >= 0.0).ok_or_else(|| {
                    at(
                        a.row,
                        &a.id,
                        "Duration",
                        format!("expected a duration like '3d', '4h' or '1w 2d', found '{}'", a.duration),
                    )
                })?;
                (h * 60.0).round() as i64
            };
            if let (Some(r), false) = (&a.risk, a.summary) {
                risk.push((i, r.clone(), minutes));
            }
            tasks.push(Task {
                key: a.id.clone(),
                code: a.id.clone(),
                name: a.name.clone(),
                wbs: a.wbs.clone(),
                outline_level: a.wbs.split('.').count().clamp(1, usize::from(u16::MAX)) as u16,
                parent,
                kind: if a.summary { TaskKind::Summary } else { TaskKind::Task },
                duration: Duration::working(minutes, DurationUnit::Days),
                constraint: a
                    .start
                    .filter(|_| hold_baseline_starts && !a.summary)
                    .map(|d| Constraint { kind: ConstraintKind::Snet, date: Some(d) }),
                ..Default::default()
            });
        }
        // Links.
        let ix: HashMap<&str, usize> = self.activities.iter().enumerate().map(|(i, a)| (a.id.as_str(), i)).collect();
        let mut links = Vec::new();
        let mut dropped_links = Vec::new();
        let ancestors: Vec<Vec<usize>> = (0..tasks.len())
            .map(|i| {
                let mut up = Vec::new();
                let mut p = tasks[i].parent;
                while let Some(k) = p.filter(|k| !up.contains(k) && up.len() < tasks.len()) {
                    up.push(k);
                    p = tasks[k].parent;
                }
                up
            })
            .collect();
        for (i, a) in self.activities.iter().enumerate() {
            let preds = parse_predecessors(&a.predecessors, hpd).map_err(|m| at(a.row, &a.id, "Predecessors", m))?;
            for p in preds {
                let Some(&j) = ix.get(p.id.as_str()) else {
                    return Err(at(
                        a.row,
                        &a.id,
                        "Predecessors",
                        format!("predecessor '{}' is not an activity ID of the baseline", p.id),
                    ));
                };
                if j == i || ancestors[i].contains(&j) || ancestors[j].contains(&i) {
                    dropped_links.push(format!(
                        "activity {}: link from {} dropped (an activity linked to itself or to its own WBS summary)",
                        a.id, p.id
                    ));
                    continue;
                }
                links.push(Link {
                    pred: j,
                    succ: i,
                    kind: p.kind,
                    lag: Lag { amount: (p.lag_hours * 60.0).round() as i64, unit: DurationUnit::Days, elapsed: false },
                });
            }
        }
        // Progress.
        let mut finished = vec![false; tasks.len()];
        let mut finished_ratios = Vec::new();
        let status_date = match period {
            None => None,
            Some(k) => {
                let p = self.periods.get(k).ok_or_else(|| {
                    ImportError::file(file_name, format!("no tracking period {k} ({} periods)", self.periods.len()))
                })?;
                for r in &p.rows {
                    let Some(&i) = ix.get(r.id.as_str()) else { continue };
                    let a = &self.activities[i];
                    if a.summary {
                        continue;
                    }
                    let done = r.percent_complete >= 1.0 - 1e-9 || r.state.eq_ignore_ascii_case("finished");
                    let started = done || r.percent_complete > 0.0 || r.actual_start.is_some();
                    if !started {
                        continue;
                    }
                    let Some(actual_start) = r.actual_start.or(a.start) else { continue };
                    let t = &mut tasks[i];
                    t.actual_start = Some(actual_start);
                    if done {
                        let h = duration_hours(&r.actual_duration, hpd).filter(|h| h.is_finite() && *h >= 0.0);
                        let h = match (h, r.actual_duration.trim().is_empty()) {
                            (Some(h), _) => {
                                if t.duration.minutes > 0 {
                                    finished_ratios.push(h * 60.0 / t.duration.minutes as f64);
                                }
                                h
                            }
                            (None, true) => t.duration.minutes as f64 / 60.0,
                            (None, false) => {
                                return Err(ImportError {
                                    file: file_name.into(),
                                    line: None,
                                    field: Some(format!(
                                        "sheet '{}', activity {}, column Actual Duration",
                                        p.sheet, r.id
                                    )),
                                    message: format!(
                                        "expected a duration like '3d', '4h' or '1w 2d', found '{}'",
                                        r.actual_duration
                                    ),
                                });
                            }
                        };
                        t.actual_finish =
                            Some(cal.add_working(actual_start, (h * 60.0).round() as i64).max(actual_start));
                        t.percent_complete = 100.0;
                        finished[i] = true;
                    } else {
                        let pc = r.percent_complete.clamp(0.0, 1.0);
                        t.percent_complete = 100.0 * pc;
                        t.remaining = Some(Duration::working(
                            ((t.duration.minutes as f64) * (1.0 - pc)).round() as i64,
                            DurationUnit::Days,
                        ));
                    }
                }
                Some(p.status_date)
            }
        };
        let baseline_finish = self.activities.iter().filter(|a| !a.summary).filter_map(|a| a.finish).max();
        let schedule = Schedule {
            name: self.name.clone(),
            origin: Origin::Other,
            source_format: "ProTrack workbook (DSLIB)".into(),
            options: Options {
                mode: Mode::Primavera,
                minutes_per_day: (hpd * 60.0).round() as u32,
                minutes_per_week: (hpd * 60.0 * 5.0).round() as u32,
                ..Options::default()
            },
            projects: vec![ProjectInfo {
                key: file_name.into(),
                name: self.name.clone(),
                start,
                status_date,
                calendar: 0,
                ..Default::default()
            }],
            calendars: vec![calendar],
            tasks,
            links,
            ..Default::default()
        };
        let tasks = (0..self.activities.len()).collect();
        Ok(DslibNetwork { schedule, tasks, risk, baseline_finish, finished, dropped_links, finished_ratios })
    }
}
