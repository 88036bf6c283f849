//! Reading results out of a [`Network`]: dates, total and free float, critical flags, summary
//! roll-up and the longest path.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

use super::calendar::{from_clock, to_clock};
use super::cpm::{ScheduleError, ScheduleResult, TaskResult};
use super::model::{ConstraintKind, FloatType, LinkType, Mode, TaskIx};
use super::network::{A_FAST, A_LOE, F_ALAP, F_CONS, F_ELAPSED, F_FINISHED, F_LOE, F_STARTED, NO, NONE, Network, Role};

/// Clock minutes to date-times through a per-day cache (a schedule's dates fall on few days).
#[derive(Debug, Default)]
struct DayDates {
    lo: i64,
    days: Vec<NaiveDate>,
}

impl DayDates {
    #[inline]
    fn get(&mut self, clock: i64) -> NaiveDateTime {
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
        let mut dates = DayDates::default();
        let blank = TaskResult {
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
        let mut tasks = Vec::with_capacity(n);
        let mut any_summary = false;
        for t in 0..n {
            let c = match self.s.role[t] {
                Role::Task | Role::Manual => self.task_clocks(t),
                Role::Inactive => self.inactive_clocks(t),
                Role::Summary => {
                    any_summary = true;
                    tasks.push(blank);
                    continue;
                }
            };
            tasks.push(dates.result(&c));
        }
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

    fn inactive_clocks(&self, t: usize) -> Clocks {
        let p = self.s.pstart[self.s.proj[t] as usize];
        Clocks { es: p, ef: p, ls: p, lf: p, start: p, finish: p, tf: 0, ff: 0, critical: false, scheduled: false }
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
        let c = if self.s.role[task] == Role::Inactive { self.inactive_clocks(task) } else { self.task_clocks(task) };
        Ok(DayDates::default().result(&c))
    }

    fn task_clocks(&mut self, t: usize) -> Clocks {
        let ms = self.s.mode == Mode::MsProject;
        let es = self.es_clock(t);
        let ef = self.ef_clock(t);
        let lf = self.lf_clock(t);
        let started = self.s.flags[t] & F_STARTED != 0;
        let finished = self.s.flags[t] & F_FINISHED != 0;
        let p6_done = self.p6_done(t).is_some();
        let ls = if started && self.s.role[t] == Role::Task && (ms || finished) && !p6_done {
            self.s.fix_s[t]
        } else {
            self.ls_clock(t)
        };
        let (mut s0, mut f0) = (self.st.ls[t] - self.st.es[t], self.st.lf[t] - self.st.ef[t]);
        if ms && self.s.flags[t] & F_CONS != 0 && !started {
            let ci = self.s.cons_ix[t] as usize;
            let pinned = matches!(self.s.cons[ci].primary, Some((ConstraintKind::Mso | ConstraintKind::Mfo, _)));
            let les = self.st.logic_es[ci];
            if pinned && les != NONE && les > self.st.es[t] {
                s0 = self.st.ls[t] - les;
                f0 = self.st.lf[t] - (self.st.ef[t] + (les - self.st.es[t]));
            }
        }
        if self.s.flags[t] & F_ELAPSED != 0 && !started {
            // An elapsed task's slack runs on the clock (MS Project).
            s0 = ls - es;
            f0 = lf - ef;
        }
        let alap = self.s.flags[t] & F_ALAP != 0;
        let tf = if finished && self.s.role[t] == Role::Task {
            0
        } else if started {
            f0
        } else if ms {
            s0.min(f0)
        } else {
            match self.s.float_type {
                FloatType::Start => s0,
                FloatType::Finish => f0,
                FloatType::Smallest => s0.min(f0),
            }
        };
        let ff = self.free_float(t, tf);
        // Level-of-effort activities are never critical (P6).
        let critical =
            !(finished && self.s.role[t] == Role::Task) && tf <= self.s.critical_float && self.s.flags[t] & F_LOE == 0;
        let (start, finish) = if alap && !started {
            (ls, lf)
        } else if p6_done {
            (self.s.fix_s[t], self.s.fix_f[t])
        } else {
            (es, ef)
        };
        Clocks { es, ef, ls, lf, start, finish, tf, ff, critical, scheduled: self.s.role[t] == Role::Task }
    }

    fn free_float(&mut self, t: usize, tf: i64) -> i64 {
        if self.s.flags[t] & F_FINISHED != 0 && self.s.role[t] == Role::Task {
            return 0;
        }
        let (a0, a1) = (self.s.succ_off[t] as usize, self.s.succ_off[t + 1] as usize);
        let mut best: Option<i64> = None;
        for k in a0..a1 {
            let a = self.s.succs[k];
            if a.flags & A_LOE != 0 {
                continue;
            }
            let q = a.other as usize;
            if self.s.flags[q] & F_FINISHED != 0 && self.s.role[q] == Role::Task {
                continue;
            }
            let gap = if a.flags & A_FAST != 0 {
                let g = match a.kind {
                    LinkType::FS => self.st.es[q] - self.st.ef[t],
                    LinkType::SS => self.st.es[q] - self.st.es[t],
                    LinkType::FF => self.st.ef[q] - self.st.ef[t],
                    LinkType::SF => self.st.ef[q] - self.st.es[t],
                };
                g - i64::from(a.lag)
            } else {
                let (target, own) = match a.kind {
                    LinkType::FS => (self.es_clock(q), self.st.ef[t]),
                    LinkType::SS => (self.es_clock(q), self.st.es[t]),
                    LinkType::FF => (self.ef_clock(q), self.st.ef[t]),
                    LinkType::SF => (self.ef_clock(q), self.st.es[t]),
                };
                let w = self.ord(t, target);
                let lag = if a.flags & super::network::A_ELAPSED != 0 || a.lag_cal != self.s.cal[t] {
                    // Convert the lag through the clock at the target.
                    let cal = self.cals.get_mut(a.lag_cal.min(self.cals.len() as u32 - 1) as usize);
                    let back = if a.flags & super::network::A_ELAPSED != 0 {
                        target - i64::from(a.lag)
                    } else {
                        let o = cal.ordinal(target) - i64::from(a.lag);
                        cal.start_clock(o)
                    };
                    w - self.ord(t, back)
                } else {
                    i64::from(a.lag)
                };
                w - own - lag
            };
            best = Some(best.map_or(gap, |b: i64| b.min(gap)));
        }
        // Free float never exceeds total float (a lead into a clamped successor could suggest so).
        let ff = best.unwrap_or(tf).min(tf);
        if self.s.mode == Mode::MsProject { ff.max(0) } else { ff }
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
