//! The DCMA 14-point schedule assessment: the checks the US Defense Contract Management Agency
//! published for judging whether a schedule is fit to manage by. Each check gives its metric, the
//! threshold it is judged against and the tasks that offend, so a planner can fix them.
//!
//! The population is the *incomplete, detail* tasks: summaries, level-of-effort, WBS summaries,
//! inactive and finished tasks are left out of the percentage checks, as DCMA prescribes.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use super::cpm::{ScheduleResult, schedule};
use super::model::{ConstraintKind, LinkType, Schedule, TaskIx, TaskKind};

/// The thresholds each check is judged against. The defaults are DCMA's.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Thresholds {
    /// 1. Most tasks missing a predecessor or successor, percent (5).
    pub missing_logic_pct: f64,
    /// 2. Leads allowed, count (0).
    pub leads: usize,
    /// 3. Links with a lag, percent (5).
    pub lags_pct: f64,
    /// 4. Share of links that must be finish-to-start, percent (90).
    pub fs_min_pct: f64,
    /// 5. Tasks with hard constraints, percent (5).
    pub hard_constraints_pct: f64,
    /// 6. Tasks with total float above `high_float_days`, percent (5).
    pub high_float_pct: f64,
    /// 6. What "high" float is, working days (44).
    pub high_float_days: f64,
    /// 7. Tasks with negative float, count (0).
    pub negative_float: usize,
    /// 8. Tasks with a duration above `high_duration_days`, percent (5).
    pub high_duration_pct: f64,
    /// 8. What a "high" duration is, working days (44).
    pub high_duration_days: f64,
    /// 9. Tasks with invalid dates, count (0).
    pub invalid_dates: usize,
    /// 10. Tasks with work but no resource, percent (0).
    pub no_resources_pct: f64,
    /// 11. Tasks that finished late against their baseline or missed it, percent (5).
    pub missed_pct: f64,
    /// 12. Delay added to a critical task in the critical path test, working days (600).
    pub critical_path_test_days: f64,
    /// 13. Lowest acceptable critical path length index (0.95).
    pub cpli_min: f64,
    /// 14. Lowest acceptable baseline execution index (0.95).
    pub bei_min: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            missing_logic_pct: 5.0,
            leads: 0,
            lags_pct: 5.0,
            fs_min_pct: 90.0,
            hard_constraints_pct: 5.0,
            high_float_pct: 5.0,
            high_float_days: 44.0,
            negative_float: 0,
            high_duration_pct: 5.0,
            high_duration_days: 44.0,
            invalid_dates: 0,
            no_resources_pct: 0.0,
            missed_pct: 5.0,
            critical_path_test_days: 600.0,
            cpli_min: 0.95,
            bei_min: 0.95,
        }
    }
}

/// Outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Within the threshold.
    Pass,
    /// Beyond the threshold.
    Fail,
    /// The schedule lacks what the check needs (e.g. no baseline, no status date, no tasks).
    NotApplicable,
}

impl Verdict {
    /// For people: `Pass`, `Fail`, `Not applicable`.
    pub const fn label(&self) -> &'static str {
        match self {
            Verdict::Pass => "Pass",
            Verdict::Fail => "Fail",
            Verdict::NotApplicable => "Not applicable",
        }
    }
}

/// One of the fourteen checks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Check {
    /// DCMA number, 1-14.
    pub number: u8,
    /// Short name ("Logic", "Leads", ...).
    pub name: String,
    /// The measured value: a percentage, a count or an index, per `unit`.
    pub value: f64,
    /// "%", "count" or "index".
    pub unit: String,
    /// The threshold it is judged against, in the same unit.
    pub threshold: f64,
    /// Pass, fail or not applicable.
    pub verdict: Verdict,
    /// How many tasks (or links) the check looked at.
    pub population: usize,
    /// The offending tasks.
    pub tasks: Vec<TaskIx>,
    /// One sentence on what was measured, for the report.
    pub detail: String,
}

/// The whole assessment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assessment {
    /// The thresholds used.
    pub thresholds: Thresholds,
    /// The fourteen checks in DCMA order.
    pub checks: Vec<Check>,
}

impl Assessment {
    /// Checks that failed.
    pub fn failed(&self) -> usize {
        self.checks.iter().filter(|c| c.verdict == Verdict::Fail).count()
    }
    /// Checks that passed.
    pub fn passed(&self) -> usize {
        self.checks.iter().filter(|c| c.verdict == Verdict::Pass).count()
    }
}

fn pct(n: usize, of: usize) -> f64 {
    if of == 0 { 0.0 } else { 100.0 * n as f64 / of as f64 }
}

fn is_detail(s: &Schedule, i: TaskIx) -> bool {
    let t = &s.tasks[i];
    !t.inactive && matches!(t.kind, TaskKind::Task | TaskKind::Milestone | TaskKind::FinishMilestone)
}

fn is_complete(s: &Schedule, i: TaskIx) -> bool {
    let t = &s.tasks[i];
    t.actual_finish.is_some() || t.percent_complete >= 100.0
}

/// Runs the fourteen checks on `schedule` as computed in `result` (which must come from
/// [`schedule()`](super::cpm::schedule) on the same schedule).
///
/// `status` is the date progress is measured to; when `None`, the first project's status date is
/// used, and the checks that need one (invalid dates, missed tasks, BEI) are not applicable without.
///
/// Complexity: O(T + L) for the counting checks plus one extra scheduling pass for the critical
/// path test (check 12).
///
/// # Example
/// ```
/// use keel_engine::schedule::{dcma, Schedule};
/// let s = Schedule::default();
/// # let r = keel_engine::schedule::ScheduleResult { mode: Default::default(), tasks: vec![],
/// #     finish: chrono::NaiveDate::from_ymd_opt(2026, 1, 5).unwrap().and_hms_opt(8, 0, 0).unwrap(), longest_path: vec![] };
/// let a = dcma::assess(&s, &r, None, dcma::Thresholds::default());
/// assert_eq!(a.checks.len(), 14);
/// ```
pub fn assess(s: &Schedule, r: &ScheduleResult, status: Option<NaiveDateTime>, th: Thresholds) -> Assessment {
    let status = status.or_else(|| s.projects.first().and_then(|p| p.status_date));
    let mpd = f64::from(s.options.minutes_per_day.max(1));
    let n = s.tasks.len().min(r.tasks.len());
    let detail: Vec<TaskIx> = (0..n).filter(|&i| is_detail(s, i)).collect();
    let open: Vec<TaskIx> = detail.iter().copied().filter(|&i| !is_complete(s, i)).collect();
    let mut has_pred = vec![false; n];
    let mut has_succ = vec![false; n];
    let links: Vec<_> = s.links.iter().filter(|l| l.pred < n && l.succ < n).collect();
    for l in &links {
        has_pred[l.succ] = true;
        has_succ[l.pred] = true;
    }
    let mut checks = Vec::with_capacity(14);
    let mut push = |number: u8,
                    name: &str,
                    value: f64,
                    unit: &str,
                    threshold: f64,
                    pass: Option<bool>,
                    population: usize,
                    tasks: Vec<TaskIx>,
                    detail: String| {
        let verdict = match pass {
            Some(true) => Verdict::Pass,
            Some(false) => Verdict::Fail,
            None => Verdict::NotApplicable,
        };
        checks.push(Check {
            number,
            name: name.into(),
            value,
            unit: unit.into(),
            threshold,
            verdict,
            population,
            tasks,
            detail,
        });
    };

    // 1. Logic: open tasks without a predecessor or a successor. The project's first and last tasks
    // are allowed one open end each.
    let first = open.iter().copied().min_by_key(|&i| r.tasks[i].early_start);
    let last = open.iter().copied().max_by_key(|&i| r.tasks[i].early_finish);
    let dangling: Vec<TaskIx> = open
        .iter()
        .copied()
        .filter(|&i| (!has_pred[i] && Some(i) != first) || (!has_succ[i] && Some(i) != last))
        .collect();
    let v = pct(dangling.len(), open.len());
    push(
        1,
        "Logic",
        v,
        "%",
        th.missing_logic_pct,
        (!open.is_empty()).then_some(v <= th.missing_logic_pct),
        open.len(),
        dangling.clone(),
        format!("{} of {} incomplete tasks lack a predecessor or a successor", dangling.len(), open.len()),
    );

    // 2-4: links.
    let open_set: Vec<bool> = (0..n).map(|i| is_detail(s, i) && !is_complete(s, i)).collect();
    let live: Vec<_> = links.iter().filter(|l| open_set[l.succ] || open_set[l.pred]).collect();
    let leads: Vec<TaskIx> = live.iter().filter(|l| l.lag.amount < 0).map(|l| l.succ).collect();
    push(
        2,
        "Leads",
        leads.len() as f64,
        "count",
        th.leads as f64,
        Some(leads.len() <= th.leads),
        live.len(),
        leads.clone(),
        format!("{} links have a negative lag (lead)", leads.len()),
    );
    let lags: Vec<TaskIx> = live.iter().filter(|l| l.lag.amount > 0).map(|l| l.succ).collect();
    let v = pct(lags.len(), live.len());
    push(
        3,
        "Lags",
        v,
        "%",
        th.lags_pct,
        (!live.is_empty()).then_some(v <= th.lags_pct),
        live.len(),
        lags.clone(),
        format!("{} of {} links carry a lag", lags.len(), live.len()),
    );
    let non_fs: Vec<TaskIx> = live.iter().filter(|l| l.kind != LinkType::FS).map(|l| l.succ).collect();
    let fs = live.len() - non_fs.len();
    let v = if live.is_empty() { 100.0 } else { pct(fs, live.len()) };
    push(
        4,
        "Relationship types",
        v,
        "%",
        th.fs_min_pct,
        (!live.is_empty()).then_some(v >= th.fs_min_pct),
        live.len(),
        non_fs,
        format!("{fs} of {} links are finish-to-start", live.len()),
    );

    // 5. Hard constraints.
    let hard: Vec<TaskIx> = open
        .iter()
        .copied()
        .filter(|&i| {
            s.tasks[i].constraint.is_some_and(|c| {
                matches!(
                    c.kind,
                    ConstraintKind::Mso
                        | ConstraintKind::Mfo
                        | ConstraintKind::Snlt
                        | ConstraintKind::Fnlt
                        | ConstraintKind::MandatoryStart
                        | ConstraintKind::MandatoryFinish
                )
            })
        })
        .collect();
    let v = pct(hard.len(), open.len());
    push(
        5,
        "Hard constraints",
        v,
        "%",
        th.hard_constraints_pct,
        (!open.is_empty()).then_some(v <= th.hard_constraints_pct),
        open.len(),
        hard.clone(),
        format!("{} of {} incomplete tasks have a hard constraint", hard.len(), open.len()),
    );

    // 6-7. Float.
    let high: Vec<TaskIx> =
        open.iter().copied().filter(|&i| r.tasks[i].total_float as f64 / mpd > th.high_float_days).collect();
    let v = pct(high.len(), open.len());
    push(
        6,
        "High float",
        v,
        "%",
        th.high_float_pct,
        (!open.is_empty()).then_some(v <= th.high_float_pct),
        open.len(),
        high.clone(),
        format!(
            "{} of {} incomplete tasks have more than {} working days of total float",
            high.len(),
            open.len(),
            th.high_float_days
        ),
    );
    let neg: Vec<TaskIx> = open.iter().copied().filter(|&i| r.tasks[i].total_float < 0).collect();
    push(
        7,
        "Negative float",
        neg.len() as f64,
        "count",
        th.negative_float as f64,
        Some(neg.len() <= th.negative_float),
        open.len(),
        neg.clone(),
        format!("{} incomplete tasks have negative total float", neg.len()),
    );

    // 8. High duration (remaining duration where progressed, else planned).
    let long: Vec<TaskIx> = open
        .iter()
        .copied()
        .filter(|&i| {
            let t = &s.tasks[i];
            let d = t.remaining.unwrap_or(t.duration);
            let days = if d.elapsed { d.minutes as f64 / 1440.0 } else { d.minutes as f64 / mpd };
            days > th.high_duration_days
        })
        .collect();
    let v = pct(long.len(), open.len());
    push(
        8,
        "High duration",
        v,
        "%",
        th.high_duration_pct,
        (!open.is_empty()).then_some(v <= th.high_duration_pct),
        open.len(),
        long.clone(),
        format!(
            "{} of {} incomplete tasks last more than {} working days",
            long.len(),
            open.len(),
            th.high_duration_days
        ),
    );

    // 9. Invalid dates: forecast dates before the status date, or actual dates after it.
    let (value, pass, bad) = match status {
        Some(sd) => {
            let bad: Vec<TaskIx> = detail
                .iter()
                .copied()
                .filter(|&i| {
                    let t = &s.tasks[i];
                    let actual_after =
                        t.actual_start.is_some_and(|a| a > sd) || t.actual_finish.is_some_and(|a| a > sd);
                    let forecast_before = (t.actual_start.is_none() && r.tasks[i].early_start < sd)
                        || (t.actual_finish.is_none() && r.tasks[i].early_finish < sd);
                    actual_after || forecast_before
                })
                .collect();
            (bad.len() as f64, Some(bad.len() <= th.invalid_dates), bad)
        }
        None => (0.0, None, vec![]),
    };
    push(
        9,
        "Invalid dates",
        value,
        "count",
        th.invalid_dates as f64,
        pass,
        detail.len(),
        bad.clone(),
        match status {
            Some(sd) => {
                format!("{} tasks have forecast dates before, or actual dates after, the status date {sd}", bad.len())
            }
            None => "no status date: invalid dates cannot be judged".into(),
        },
    );

    // 10. Resources: open tasks with a duration but no assignment.
    let mut assigned = vec![false; n];
    for a in &s.assignments {
        if a.task < n {
            assigned[a.task] = true;
        }
    }
    let work: Vec<TaskIx> = open.iter().copied().filter(|&i| s.tasks[i].duration.minutes > 0).collect();
    let unres: Vec<TaskIx> = work.iter().copied().filter(|&i| !assigned[i]).collect();
    let v = pct(unres.len(), work.len());
    push(
        10,
        "Resources",
        v,
        "%",
        th.no_resources_pct,
        (!work.is_empty()).then_some(v <= th.no_resources_pct),
        work.len(),
        unres.clone(),
        format!("{} of {} incomplete tasks with a duration have no resource assigned", unres.len(), work.len()),
    );

    // 11 and 14 need a baseline and a status date.
    let base_finish = |i: TaskIx| s.tasks[i].baselines.iter().find(|b| b.number == 0).and_then(|b| b.finish);
    let due: Vec<TaskIx> = match status {
        Some(sd) => detail.iter().copied().filter(|&i| base_finish(i).is_some_and(|f| f <= sd)).collect(),
        None => vec![],
    };
    let missed: Vec<TaskIx> = due
        .iter()
        .copied()
        .filter(|&i| match (s.tasks[i].actual_finish, base_finish(i)) {
            (Some(a), Some(b)) => a > b,
            _ => true,
        })
        .collect();
    let v = pct(missed.len(), due.len());
    push(
        11,
        "Missed tasks",
        v,
        "%",
        th.missed_pct,
        (!due.is_empty()).then_some(v <= th.missed_pct),
        due.len(),
        missed.clone(),
        format!(
            "{} of {} tasks due by the status date against their baseline finished late or not at all",
            missed.len(),
            due.len()
        ),
    );

    // 12. Critical path test: delay the first open critical task and see the finish move by as much.
    let probe = r.longest_path.iter().copied().find(|&i| i < n && open_set[i]);
    let (value, pass, detail12, tasks12) = match probe {
        Some(i) => {
            let delay = (th.critical_path_test_days * mpd).round() as i64;
            let mut delayed = s.clone();
            delayed.tasks[i].duration.minutes = delayed.tasks[i].duration.minutes.saturating_add(delay);
            if let Some(rem) = delayed.tasks[i].remaining.as_mut() {
                rem.minutes = rem.minutes.saturating_add(delay);
            }
            match schedule(&delayed) {
                Ok(d) => {
                    let moved = d.finish > r.finish;
                    (
                        if moved { 1.0 } else { 0.0 },
                        Some(moved),
                        if moved {
                            format!(
                                "delaying '{}' by {} working days moved the project finish from {} to {}",
                                s.tasks[i].name, th.critical_path_test_days, r.finish, d.finish
                            )
                        } else {
                            format!(
                                "delaying '{}' by {} working days did not move the project finish: the critical path is broken",
                                s.tasks[i].name, th.critical_path_test_days
                            )
                        },
                        vec![i],
                    )
                }
                Err(e) => (0.0, Some(false), format!("the delayed schedule could not be computed: {e}"), vec![i]),
            }
        }
        None => (0.0, None, "no incomplete task on the critical path".to_string(), vec![]),
    };
    push(12, "Critical path test", value, "pass", 1.0, pass, usize::from(probe.is_some()), tasks12, detail12);

    // 13. CPLI: (critical path length + total float to the baseline finish) / critical path length.
    let project_base = (0..n).filter_map(base_finish).max();
    let from = status.or_else(|| s.projects.first().map(|p| p.start));
    let (value, pass, d13) = match (project_base, from) {
        (Some(bf), Some(from)) if r.finish > from => {
            let cpl = (r.finish - from).num_minutes() as f64;
            let float = (bf - r.finish).num_minutes() as f64;
            let cpli = (cpl + float) / cpl;
            (
                cpli,
                Some(cpli >= th.cpli_min),
                format!("critical path {:.1} days to {}, baseline finish {}", cpl / 1440.0, r.finish, bf),
            )
        }
        _ => (0.0, None, "no baseline finish or status date: CPLI cannot be computed".to_string()),
    };
    push(13, "CPLI", value, "index", th.cpli_min, pass, n, vec![], d13);

    // 14. BEI: tasks finished / tasks due to finish by the status date.
    let done = due.iter().filter(|&&i| s.tasks[i].actual_finish.is_some()).count();
    let bei = if due.is_empty() { 0.0 } else { done as f64 / due.len() as f64 };
    push(
        14,
        "BEI",
        bei,
        "index",
        th.bei_min,
        (!due.is_empty()).then_some(bei >= th.bei_min),
        due.len(),
        missed,
        format!("{done} of {} tasks due by the status date are finished", due.len()),
    );

    Assessment { thresholds: th, checks }
}
