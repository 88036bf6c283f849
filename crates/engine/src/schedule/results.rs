//! Reading results out of a [`Network`]: dates, total and free float, critical flags, summary
//! roll-up and the longest path.

use std::sync::{Mutex, PoisonError};

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use rayon::prelude::*;

use super::calendar::{Fixed, Grow, Lookup, from_clock, to_clock};
use super::cpm::{ScheduleError, ScheduleResult, TaskResult};
use super::model::{ConstraintKind, FloatType, LinkType, Mode, TaskIx};
use super::network::{
    A_FAST, A_LOE, F_ALAP, F_CONS, F_ELAPSED, F_FINISHED, F_LOE, F_STARTED, NO, NONE, Network, Role, State, Static,
};

/// Clock minutes to date-times through a per-day cache (a schedule's dates fall on few days).
#[derive(Debug, Default, Clone)]
pub(super) struct DayDates {
    lo: i64,
    days: Vec<NaiveDate>,
}

impl DayDates {
    #[inline]
    pub(super) fn get(&mut self, clock: i64) -> NaiveDateTime {
        let day = clock.div_euclid(1440);
        let mut i = day - self.lo;
        if i < 0 || i >= self.days.len() as i64 {
            if !self.cover(day) {
                return from_clock(clock);
            }
            i = day - self.lo;
        }
        let date = self.days[i as usize];
        let secs = (clock.rem_euclid(1440) * 60) as u32;
        NaiveDateTime::new(date, NaiveTime::from_num_seconds_from_midnight_opt(secs, 0).unwrap_or(NaiveTime::MIN))
    }

    /// Extends the cache to `day`; false (convert directly) when that would make it span more than
    /// about 400 years, as a far-off stored date could.
    #[cold]
    fn cover(&mut self, day: i64) -> bool {
        const MAX_SPAN: i64 = 146_100;
        let (lo, hi) = if self.days.is_empty() {
            (day - 366, day + 366)
        } else {
            let hi = self.lo + self.days.len() as i64;
            let span = self.days.len() as i64;
            (day.min(self.lo - span), (day + 1).max(hi + span))
        };
        let (lo, hi) = if hi - lo > MAX_SPAN {
            // Grow only as far as needed, and not at all past the limit.
            let (lo, hi) = (day.min(self.lo), (day + 1).max(self.lo + self.days.len() as i64));
            if self.days.is_empty() || hi - lo > MAX_SPAN {
                return false;
            }
            (lo, hi)
        } else {
            (lo, hi)
        };
        self.days = (lo..hi).map(|d| from_clock(d * 1440).date()).collect();
        self.lo = lo;
        true
    }

    fn result(&mut self, c: &Clocks) -> TaskResult {
        let es = self.get(c.es);
        let ef = self.get(c.ef);
        TaskResult {
            early_start: es,
            early_finish: ef,
            late_start: self.get(c.ls),
            late_finish: self.get(c.lf),
            total_float: c.tf,
            free_float: c.ff,
            critical: c.critical,
            start: if c.start == c.es { es } else { self.get(c.start) },
            finish: if c.finish == c.ef { ef } else { self.get(c.finish) },
            scheduled: c.scheduled,
        }
    }
}

/// Placeholder for a result filled in later (summaries, after their children).
pub(super) const BLANK: TaskResult = TaskResult {
    early_start: NaiveDateTime::MIN,
    early_finish: NaiveDateTime::MIN,
    late_start: NaiveDateTime::MIN,
    late_finish: NaiveDateTime::MIN,
    total_float: 0,
    free_float: 0,
    critical: false,
    start: NaiveDateTime::MIN,
    finish: NaiveDateTime::MIN,
    scheduled: false,
};

/// A task's results as clock minutes, before conversion.
#[derive(Debug, Clone, Copy)]
struct Clocks {
    es: i64,
    ef: i64,
    ls: i64,
    lf: i64,
    start: i64,
    finish: i64,
    tf: i64,
    ff: i64,
    critical: bool,
    scheduled: bool,
}

/// Below this many tasks the results are read on the calling thread alone.
const PAR_MIN: usize = 16_384;
/// Tasks per parallel work item: large enough to keep the per-item date cache useful.
const PAR_CHUNK: usize = 4_096;

fn inactive_clocks(s: &Static, t: usize) -> Clocks {
    let p = s.pstart[s.proj[t] as usize];
    Clocks { es: p, ef: p, ls: p, lf: p, start: p, finish: p, tf: 0, ff: 0, critical: false, scheduled: false }
}

/// Clocks of task or inactive task `t` (summaries roll up later); `None` when `cals` cannot answer.
#[inline]
fn clocks_of(s: &Static, st: &State, cals: &mut impl Lookup, t: usize) -> Option<Clocks> {
    match s.role[t] {
        Role::Task | Role::Manual => task_clocks(s, st, cals, t),
        Role::Inactive => Some(inactive_clocks(s, t)),
        Role::Summary => None,
    }
}

impl Network {
    /// Runs both passes over the whole network and returns the results.
    ///
    /// # Errors
    /// [`ScheduleError::Invalid`] when a date runs past the supported range (years 1800-2400).
    ///
    /// # Complexity
    /// O(tasks + links).
    ///
    /// # Example
    /// ```
    /// use chrono::NaiveDate;
    /// use keel_engine::schedule::{calendar, *};
    /// let start = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap().and_hms_opt(8, 0, 0).unwrap();
    /// let t = |c: &str, d: i64| Task { code: c.into(), duration: Duration::working(d, DurationUnit::Hours), ..Default::default() };
    /// let s = Schedule {
    ///     projects: vec![ProjectInfo { start, ..Default::default() }],
    ///     calendars: vec![calendar::standard()],
    ///     tasks: vec![t("A", 240), t("B", 480)],
    ///     links: vec![Link { pred: 0, succ: 1, kind: LinkType::SS, lag: Lag { amount: 60, ..Default::default() } }],
    ///     ..Default::default()
    /// };
    /// let mut net = Network::compile(&s).unwrap();
    /// let r = net.run().unwrap();
    /// assert_eq!(r.tasks[1].early_start.to_string(), "2024-01-01 09:00:00");
    /// // A's start drives B's start, so A has no slack.
    /// assert_eq!(r.tasks[0].total_float, 0);
    /// ```
    pub fn run(&mut self) -> Result<ScheduleResult, ScheduleError> {
        self.passes();
        self.result()
    }

    /// The results of the last run or edit, for every task.
    ///
    /// # Errors
    /// [`ScheduleError::Invalid`] when a date ran past the supported range (years 1800-2400).
    ///
    /// # Complexity
    /// O(tasks + links).
    ///
    /// # Example
    /// ```
    /// use chrono::NaiveDate;
    /// use keel_engine::schedule::{calendar, *};
    /// let start = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap().and_hms_opt(8, 0, 0).unwrap();
    /// let s = Schedule {
    ///     projects: vec![ProjectInfo { start, ..Default::default() }],
    ///     calendars: vec![calendar::standard()],
    ///     tasks: vec![Task { code: "A".into(), duration: Duration::working(480, DurationUnit::Days), ..Default::default() }],
    ///     ..Default::default()
    /// };
    /// let mut net = Network::compile(&s).unwrap();
    /// net.run().unwrap();
    /// net.set_duration(0, 960).unwrap();
    /// assert_eq!(net.result().unwrap().finish.to_string(), "2024-01-02 17:00:00");
    /// ```
    pub fn result(&mut self) -> Result<ScheduleResult, ScheduleError> {
        if !self.st.ran {
            self.passes();
        }
        let n = self.s.n;
        let mut tasks = Vec::with_capacity(n);
        let misses = self.convert(&mut tasks);
        let mut dates = DayDates::default();
        // Tasks whose dates left the calendars' tables: read them growing the tables.
        for t in misses {
            let Network { s, st, cals, .. } = self;
            if let Some(c) = clocks_of(s, st, &mut Grow(cals), t) {
                tasks[t] = dates.result(&c);
            }
        }
        let any_summary = self.s.role.contains(&Role::Summary);
        // Summaries: children follow their parent in outline order, so go backwards.
        if any_summary {
            for t in (0..n).rev() {
                if self.s.role[t] == Role::Summary {
                    let c = self.rollup(t, &tasks);
                    tasks[t] = dates.result(&c);
                }
            }
        }
        if self.cals.overflowed() {
            return Err(ScheduleError::Invalid {
                task: "schedule".into(),
                field: "dates",
                message: "dates run past the supported range (years 1800 to 2400)".into(),
            });
        }
        let longest = self.longest_path();
        if self.s.critical_by_longest_path {
            let on = self.longest_path_marks();
            for (t, r) in tasks.iter_mut().enumerate() {
                if self.s.role[t] != Role::Summary {
                    r.critical = on[t];
                }
            }
        }
        let finish = self.st.pef_clock.iter().copied().filter(|&c| c != NONE).max();
        let finish = finish
            .or_else(|| self.s.pstart.iter().copied().max())
            .map_or(chrono::DateTime::UNIX_EPOCH.naive_utc(), from_clock);
        Ok(ScheduleResult { mode: self.s.mode, tasks, finish, longest_path: longest })
    }

    /// Fills `tasks` (empty, with capacity for every task) with the results of tasks and inactive
    /// tasks, in task order (summaries get a placeholder), on several threads for a large network.
    /// Returns the tasks whose dates left the calendars' day tables (their results are
    /// placeholders too): reading them needs to grow a table, which one thread must do.
    fn convert(&self, tasks: &mut Vec<TaskResult>) -> Vec<usize> {
        let (s, st, cals) = (&self.s, &self.st, Fixed(&self.cals));
        let misses = Mutex::new(Vec::new());
        let one = |dates: &mut DayDates, t: usize| match clocks_of(s, st, &mut { cals }, t) {
            Some(c) => dates.result(&c),
            None => {
                if s.role[t] != Role::Summary {
                    misses.lock().unwrap_or_else(PoisonError::into_inner).push(t);
                }
                BLANK
            }
        };
        if s.n < PAR_MIN {
            let mut dates = DayDates::default();
            tasks.extend((0..s.n).map(|t| one(&mut dates, t)));
        } else {
            // Every work item starts from one cache spanning the projects, rather than building
            // its own day by day.
            let mut seed = DayDates::default();
            for &c in s.pstart.iter().chain(&st.pfin_clock) {
                if c != NONE {
                    seed.get(c);
                }
            }
            (0..s.n).into_par_iter().with_min_len(PAR_CHUNK).map_init(|| seed.clone(), one).collect_into_vec(tasks);
        }
        let mut misses = misses.into_inner().unwrap_or_else(PoisonError::into_inner);
        misses.sort_unstable();
        misses
    }

    /// The result of one task (summaries roll up from their children).
    ///
    /// # Errors
    /// [`ScheduleError::Invalid`] when `task` is out of range.
    ///
    /// # Complexity
    /// O(links of the task), or O(descendants) for a summary.
    ///
    /// # Example
    /// ```
    /// use chrono::NaiveDate;
    /// use keel_engine::schedule::{calendar, *};
    /// let start = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap().and_hms_opt(8, 0, 0).unwrap();
    /// let s = Schedule {
    ///     projects: vec![ProjectInfo { start, ..Default::default() }],
    ///     calendars: vec![calendar::standard()],
    ///     tasks: vec![Task { code: "A".into(), duration: Duration::working(480, DurationUnit::Days), ..Default::default() }],
    ///     ..Default::default()
    /// };
    /// let mut net = Network::compile(&s).unwrap();
    /// net.run().unwrap();
    /// assert_eq!(net.task(0).unwrap().early_finish.to_string(), "2024-01-01 17:00:00");
    /// ```
    pub fn task(&mut self, task: TaskIx) -> Result<TaskResult, ScheduleError> {
        if task >= self.s.n {
            return Err(ScheduleError::Invalid {
                task: format!("task {task}"),
                field: "task",
                message: format!("no task with index {task} ({} tasks)", self.s.n),
            });
        }
        if !self.st.ran {
            self.passes();
        }
        // Summaries: compute the whole result.
        if self.s.role[task] == Role::Summary {
            return Ok(self.result()?.tasks[task]);
        }
        let Network { s, st, cals, .. } = self;
        let c = clocks_of(s, st, &mut Grow(cals), task).unwrap_or_else(|| inactive_clocks(s, task));
        Ok(DayDates::default().result(&c))
    }

    fn rollup(&mut self, t: usize, done: &[TaskResult]) -> Clocks {
        let mut acc: Option<Clocks> = None;
        let n_kids = self.s.kids_of(t).len();
        for i in 0..n_kids {
            let k = self.s.kids_of(t)[i] as usize;
            if self.s.role[k] == Role::Inactive {
                continue;
            }
            let r = &done[k];
            if !r.scheduled && self.s.role[k] == Role::Summary {
                continue;
            }
            let c = Clocks {
                es: to_clock(r.early_start),
                ef: to_clock(r.early_finish),
                ls: to_clock(r.late_start),
                lf: to_clock(r.late_finish),
                start: to_clock(r.start),
                finish: to_clock(r.finish),
                tf: r.total_float,
                ff: r.free_float,
                critical: r.critical,
                scheduled: r.scheduled,
            };
            let alap = self.s.flags[k] & F_ALAP != 0;
            let (ces, cef) = if alap { (c.ls, c.lf) } else { (c.es, c.ef) };
            let (cls, clf) = if self.s.role[k] == Role::Manual { (c.es, c.ef) } else { (c.ls, c.lf) };
            acc = Some(match acc {
                None => Clocks { es: ces, ef: cef, ls: cls, lf: clf, ..c },
                Some(x) => Clocks {
                    es: x.es.min(ces),
                    ef: x.ef.max(cef),
                    ls: x.ls.min(cls),
                    lf: x.lf.max(clf),
                    start: x.start.min(c.start),
                    finish: x.finish.max(c.finish),
                    critical: x.critical || c.critical,
                    ..x
                },
            });
        }
        let Some(mut x) = acc else {
            let p = self.s.pstart[self.s.proj[t] as usize];
            return Clocks {
                es: p,
                ef: p,
                ls: p,
                lf: p,
                start: p,
                finish: p,
                tf: 0,
                ff: 0,
                critical: false,
                scheduled: false,
            };
        };
        let cal = self.cals.get_mut(self.s.cal[t] as usize);
        let s0 = cal.ordinal(x.ls) - cal.ordinal(x.es);
        let f0 = cal.ordinal(x.lf) - cal.ordinal(x.ef);
        x.tf = s0.min(f0);
        x.ff = x.tf.max(0);
        // A summary is critical by its own rolled-up float, not by its children's flags.
        x.critical = x.tf <= self.s.critical_float;
        x.scheduled = true;
        x
    }

    /// The driving chain ending at the latest early finish, first task to last. On a tie the task
    /// latest in topological order wins, so a finish milestone closes the path.
    fn longest_path(&mut self) -> Vec<TaskIx> {
        let best = (self.st.end_task != NO).then_some(((), self.st.end_task as usize));
        let mut path = Vec::new();
        let Some((_, mut t)) = best else { return path };
        let mut guard = self.s.n + 1;
        loop {
            path.push(t);
            let k = self.st.drv[t];
            guard -= 1;
            if k == NO || guard == 0 {
                break;
            }
            t = self.s.preds[k as usize].other as usize;
        }
        path.reverse();
        path
    }

    /// Tasks on a driving chain into a task that finishes at its project's finish.
    fn longest_path_marks(&mut self) -> Vec<bool> {
        let mut on = vec![false; self.s.n];
        let mut stack = Vec::new();
        for i in 0..self.s.order.len() {
            let t = self.s.order[i] as usize;
            let p = self.s.proj[t] as usize;
            if self.st.pef_clock[p] != NONE && self.ef_clock(t) >= self.st.pef_clock[p] {
                stack.push(t);
            }
        }
        while let Some(t) = stack.pop() {
            if on[t] {
                continue;
            }
            on[t] = true;
            // Every predecessor with no gap drives.
            let (a0, a1) = (self.s.pred_off[t] as usize, self.s.pred_off[t + 1] as usize);
            for k in a0..a1 {
                if self.st.drv[t] == k as u32 {
                    stack.push(self.s.preds[k].other as usize);
                }
            }
        }
        on
    }
}

fn task_clocks(s: &Static, st: &State, cals: &mut impl Lookup, t: usize) -> Option<Clocks> {
    let ms = s.mode == Mode::MsProject;
    let es = st.esc[t];
    let ef = st.efc[t];
    let lf = st.lfc[t];
    let started = s.flags[t] & F_STARTED != 0;
    let finished = s.flags[t] & F_FINISHED != 0;
    let p6_done = s.p6_done(t).is_some();
    let ls = if started && s.role[t] == Role::Task && (ms || finished) && !p6_done { s.fix_s[t] } else { st.lsc[t] };
    let (mut s0, mut f0) = (st.ls[t] - st.es[t], st.lf[t] - st.ef[t]);
    if ms && s.flags[t] & F_CONS != 0 && !started {
        let ci = s.cons_ix[t] as usize;
        let pinned = matches!(s.cons[ci].primary, Some((ConstraintKind::Mso | ConstraintKind::Mfo, _)));
        let les = st.logic_es[ci];
        if pinned && les != NONE && les > st.es[t] {
            s0 = st.ls[t] - les;
            f0 = st.lf[t] - (st.ef[t] + (les - st.es[t]));
        }
    }
    if s.flags[t] & F_ELAPSED != 0 && !started {
        // An elapsed task's slack runs on the clock (MS Project).
        s0 = ls - es;
        f0 = lf - ef;
    }
    let alap = s.flags[t] & F_ALAP != 0;
    let tf = if finished && s.role[t] == Role::Task {
        0
    } else if started {
        f0
    } else {
        total_float(s.mode, s.float_type, s0, f0)
    };
    let ff = free_float(s, st, cals, t, tf)?;
    // Level-of-effort activities are never critical (P6).
    let critical = !(finished && s.role[t] == Role::Task) && tf <= s.critical_float && s.flags[t] & F_LOE == 0;
    let (start, finish) = if alap && !started {
        (ls, lf)
    } else if p6_done {
        (s.fix_s[t], s.fix_f[t])
    } else {
        (es, ef)
    };
    Some(Clocks { es, ef, ls, lf, start, finish, tf, ff, critical, scheduled: s.role[t] == Role::Task })
}

fn free_float(s: &Static, st: &State, cals: &mut impl Lookup, t: usize, tf: i64) -> Option<i64> {
    if s.flags[t] & F_FINISHED != 0 && s.role[t] == Role::Task {
        return Some(0);
    }
    let (a0, a1) = (s.succ_off[t] as usize, s.succ_off[t + 1] as usize);
    let mut best: Option<i64> = None;
    for k in a0..a1 {
        let a = s.succs[k];
        if a.flags & A_LOE != 0 {
            continue;
        }
        let q = a.other as usize;
        if s.flags[q] & F_FINISHED != 0 && s.role[q] == Role::Task {
            continue;
        }
        let gap = if a.flags & A_FAST != 0 {
            let g = match a.kind {
                LinkType::FS => st.es[q] - st.ef[t],
                LinkType::SS => st.es[q] - st.es[t],
                LinkType::FF => st.ef[q] - st.ef[t],
                LinkType::SF => st.ef[q] - st.es[t],
            };
            g - i64::from(a.lag)
        } else {
            let (target, own) = match a.kind {
                LinkType::FS => (st.esc[q], st.ef[t]),
                LinkType::SS => (st.esc[q], st.es[t]),
                LinkType::FF => (st.efc[q], st.ef[t]),
                LinkType::SF => (st.efc[q], st.es[t]),
            };
            let w = cals.ordinal(s.cal[t], target)?;
            let lag = if a.flags & super::network::A_ELAPSED != 0 || a.lag_cal != s.cal[t] {
                // Convert the lag through the clock at the target.
                let cal = a.lag_cal.min(cals.len() as u32 - 1);
                let back = if a.flags & super::network::A_ELAPSED != 0 {
                    target - i64::from(a.lag)
                } else {
                    let o = cals.ordinal(cal, target)? - i64::from(a.lag);
                    cals.start_clock(cal, o)?
                };
                w - cals.ordinal(s.cal[t], back)?
            } else {
                i64::from(a.lag)
            };
            w - own - lag
        };
        best = Some(best.map_or(gap, |b: i64| b.min(gap)));
    }
    Some(free_float_rule(s.mode, best, tf))
}

/// Total float of an unstarted task from its start float `s0` and finish float `f0` (working
/// minutes): the smaller under MS Project, per the project's float type under P6.
pub(super) fn total_float(mode: Mode, float_type: FloatType, s0: i64, f0: i64) -> i64 {
    if mode == Mode::MsProject {
        return s0.min(f0);
    }
    match float_type {
        FloatType::Start => s0,
        FloatType::Finish => f0,
        FloatType::Smallest => s0.min(f0),
    }
}

/// Free float from the least gap to a successor (`None` without successors) and total float `tf`.
pub(super) fn free_float_rule(mode: Mode, least_gap: Option<i64>, tf: i64) -> i64 {
    // Free float never exceeds total float (a lead into a clamped successor could suggest so).
    let ff = least_gap.unwrap_or(tf).min(tf);
    if mode == Mode::MsProject { ff.max(0) } else { ff }
}
