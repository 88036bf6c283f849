//! A schedule compiled for the critical-path passes: a CSR network in topological order.
//!
//! [`Network::compile`] validates a [`Schedule`] and builds flat arrays (per-task durations,
//! calendars and flags; successor and predecessor adjacency with resolved lags). [`Network::run`]
//! computes every date; [`Network::set_duration`] and [`Network::set_lag`] then recompute only the
//! part of the network an edit reaches.
//!
//! Rules by [`Mode`]:
//! - **MS Project**: a task without predecessors starts at the project start (or its
//!   SNET/FNET date); predecessors alone decide otherwise (a lead can move a task before the project
//!   start; an FF link cannot). MSO/MFO pin the dates; with `honour_constraints_over_links`
//!   SNLT/FNLT pull the early dates back as well. Late finishes are capped at the project finish.
//!   Deadlines and SNLT/FNLT bound the late dates. A started task runs from its actual start for its
//!   whole duration; its total slack is its finish slack; the status date does not move unstarted
//!   work (MS Project's default), and `Options::progress` is not consulted. Links on a summary apply to its children
//!   (FS/FF from a summary: every child; SS/SF from a summary: its earliest child).
//! - **P6**: nothing starts before the project start or the data date; SNLT/FNLT (and "start on"/
//!   "finish on" for their late half) bound late dates only; mandatory start/finish override logic
//!   in both passes; remaining work of a started task runs from the data date, after unfinished
//!   predecessors under retained logic, or from the data date alone under progress override; the
//!   resume date is reported as the early start; total float per `float_type`. Level-of-effort
//!   activities span their predecessors and successors and drive nothing; a late finish is capped at
//!   the project finish only across projects.
//!
//! What the oracle files (`shared/data/schedules`, the file is the authority) showed, beyond the
//! textbook passes:
//! - MS Project counts a lag on the *successor's* calendar (`Sample1`: only that reading reproduces
//!   its FF lag between two calendars).
//! - A task whose work assignments run on other calendars (a resource calendar, or its intersection
//!   with the task's own calendar) finishes with its latest assignment; its dates are clock times that
//!   need not fall in the task calendar's working time (`sample.xml`, `Sample1`, the aspose resource
//!   files).
//! - A manually scheduled summary's start holds back its auto-scheduled subtasks (`Software
//!   Development Plan`).
//! - A summary is critical by its own rolled-up slack, not by its children's flags (`Residential
//!   Construction`, `HomeMovePlan`, `Sample1`).
//! - A pinned (MSO/MFO) task's slack is measured from where its links would start it, so a conflict
//!   shows as negative slack on the task itself (`slack9`).
//! - An elapsed task's late finish is an exact clock time and its slack runs on the clock
//!   (`mspdiduration`).
//! - A P6 in-progress activity reports its resume date as early start and may have more remaining
//!   than original duration; a link into another project does not pull late dates past the
//!   project's own finish (`MultiprojectWithExternal.xer`).

use std::collections::HashMap;

use super::calendar::Calendars;
use super::compile::build;
use super::cpm::ScheduleError;
use super::model::{ConstraintKind, FloatType, LinkType, Mode, ProgressRule, Schedule, Task, TaskKind};

/// "No date" in the per-task clock arrays.
pub(crate) const NONE: i64 = i64::MIN;
/// "No index".
pub(crate) const NO: u32 = u32::MAX;
/// Largest duration or lag accepted, in minutes (about 1,900 years of clock time).
pub(crate) const MAX_MINUTES: i64 = 1_000_000_000;

/// What a task is to the passes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// Scheduled from its links and constraints.
    Task,
    /// Manually scheduled: keeps its stored start and finish.
    Manual,
    /// Dates roll up from its children.
    Summary,
    /// Ignored.
    Inactive,
}

pub(crate) const F_ELAPSED: u8 = 1;
pub(crate) const F_STARTED: u8 = 2;
pub(crate) const F_FINISHED: u8 = 4;
pub(crate) const F_ALAP: u8 = 8;
pub(crate) const F_CONS: u8 = 16;
/// Resource-driven: the finish is the latest of its work assignments', each on its resource's calendar.
pub(crate) const F_RES: u8 = 32;

pub(crate) const A_FAST: u8 = 1;
pub(crate) const A_ELAPSED: u8 = 2;
/// The link touches a level-of-effort activity: the passes ignore it.
pub(crate) const A_LOE: u8 = 4;
/// Level of effort (P6): spans its predecessors and successors, drives nothing.
pub(crate) const F_LOE: u8 = 64;

/// One end of a link as stored in an adjacency list.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Arc {
    /// The task at the other end (predecessor in a predecessor list, successor in a successor list).
    pub other: u32,
    /// Link type.
    pub kind: LinkType,
    /// `A_FAST`: both tasks and the lag on one calendar; `A_ELAPSED`: lag on the clock.
    pub flags: u8,
    /// Lag in minutes (working minutes on `lag_cal` unless elapsed); at most 10^9 in size.
    pub lag: i32,
    /// Calendar the lag counts on.
    pub lag_cal: u32,
}

/// A task's constraints, compiled to clock minutes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cons {
    /// Start of the nearest manually scheduled summary above the task (MS Project keeps
    /// auto-scheduled subtasks from starting before it), clock minutes or `NONE`.
    pub floor: i64,
    pub primary: Option<(ConstraintKind, i64)>,
    pub secondary: Option<(ConstraintKind, i64)>,
    pub deadline: i64,
}

/// Everything the passes read; edits change durations and lags only.
#[derive(Debug, Clone)]
pub(crate) struct Static {
    pub mode: Mode,
    pub critical_float: i64,
    pub critical_by_longest_path: bool,
    pub float_type: FloatType,
    pub progress: ProgressRule,
    pub honour: bool,
    pub n: usize,
    pub role: Vec<Role>,
    pub cal: Vec<u32>,
    pub proj: Vec<u32>,
    /// Project-and-calendar pair of each task (index into `pairs`).
    pub pc: Vec<u32>,
    pub pairs: Vec<(u32, u32)>,
    pub dur: Vec<i64>,
    pub rem: Vec<i64>,
    pub flags: Vec<u8>,
    pub cons_ix: Vec<u32>,
    pub cons: Vec<Cons>,
    /// Actual start (or a manual task's stored start), clock minutes.
    pub fix_s: Vec<i64>,
    /// Actual finish (or a manual task's stored finish), clock minutes.
    pub fix_f: Vec<i64>,
    /// Network tasks in topological order.
    pub order: Vec<u32>,
    /// Position of each task in `order` (`NO` for summaries and inactive tasks).
    pub pos: Vec<u32>,
    pub pred_off: Vec<u32>,
    pub preds: Vec<Arc>,
    pub succ_off: Vec<u32>,
    pub succs: Vec<Arc>,
    /// For each successor-list entry, the matching predecessor-list entry.
    pub mirror: Vec<u32>,
    /// For each predecessor-list entry, the schedule link it comes from.
    pub arc_link: Vec<u32>,
    /// Percent lags by predecessor-list entry: basis points of the predecessor's duration.
    pub pcts: HashMap<u32, i64>,
    /// For each link of the schedule, its successor-list entries (CSR), built on the first lag edit.
    pub link_off: Vec<u32>,
    pub link_arcs: Vec<u32>,
    /// Number of links in the schedule.
    pub nlinks: usize,
    /// Direct children of each task (CSR), for summary roll-up.
    pub kid_off: Vec<u32>,
    pub kids: Vec<u32>,
    /// Project starts, data dates and finish constraints (clock minutes; `NONE` when unset).
    pub pstart: Vec<i64>,
    pub pdata: Vec<i64>,
    pub pfinish_cons: Vec<i64>,
    /// Work assignments of resource-driven tasks (CSR): (calendar, work, remaining work), minutes
    /// scaled by the assignment's units.
    pub asg_off: Vec<u32>,
    pub asg: Vec<(u32, i64, i64)>,
    /// Network tasks whose finish is not a working-time reading (elapsed or resource-driven).
    pub odd: Vec<u32>,
    /// Tasks whose clock times another task reads during the passes (an end of a link that is not
    /// a plain one-calendar link, see [`Static::mark_eager`]); the full passes compute the others'
    /// clock times afterwards, on several threads.
    pub eager: Vec<bool>,
    pub has_alap: bool,
    /// Some activities are level of effort: computed after the passes; edits recompute fully.
    pub has_loe: bool,
    /// Summary-start links were resolved to an earliest child: edits recompute fully.
    pub full_only: bool,
}

/// The passes' output, in ordinals of each task's calendar.
#[derive(Debug, Clone, Default)]
pub(crate) struct State {
    pub es: Vec<i64>,
    pub ef: Vec<i64>,
    /// Late start as computed from the late finish (for a started task the reported late start is
    /// its actual start; predecessors use this one).
    pub ls: Vec<i64>,
    pub lf: Vec<i64>,
    /// The four dates as clock times (what the passes read across calendars and results report).
    pub esc: Vec<i64>,
    pub efc: Vec<i64>,
    pub lsc: Vec<i64>,
    pub lfc: Vec<i64>,
    /// Zero-duration task whose date reads as a finish (17:00 rather than 08:00 next day).
    pub side: Vec<bool>,
    /// Predecessor-list entry that drove the early start (`NO` when none did).
    pub drv: Vec<u32>,
    /// Per constrained task (index as `Static::cons`): the later of its early start and where its
    /// links alone would start it.
    pub logic_es: Vec<i64>,
    /// Exact early start clock of resource-driven tasks (empty when there are none).
    pub xes: Vec<i64>,
    /// Exact late finish clock of resource-driven tasks (empty when there are none).
    pub xlf: Vec<i64>,
    pub pstart_ord: Vec<i64>,
    pub pdata_ord: Vec<i64>,
    pub pfin_ord: Vec<i64>,
    /// Early finish of each project (clock) and its backward-pass finish.
    pub pef_clock: Vec<i64>,
    pub pfin_clock: Vec<i64>,
    /// The network task finishing last (`NO` when none).
    pub end_task: u32,
    /// Latest early finish (ordinal) of each project-calendar pair, and the task at it.
    pub pmax: Vec<i64>,
    pub parg: Vec<u32>,
    pub ran: bool,
}

/// A compiled schedule: run it, edit durations and lags, and read results.
///
/// See the [module documentation](self) for the scheduling rules.
#[derive(Debug, Clone)]
pub struct Network {
    pub(crate) s: Static,
    pub(crate) cals: Calendars,
    pub(crate) st: State,
    pub(crate) scratch: Vec<bool>,
}

pub(crate) fn label(t: &Task) -> String {
    match (t.code.is_empty(), t.name.is_empty()) {
        (false, false) => format!("{} {}", t.code, t.name),
        (false, true) => t.code.clone(),
        (true, false) => t.name.clone(),
        (true, true) => format!("#{}", t.key),
    }
}

impl Network {
    /// Validates `schedule` and compiles it into a network ready to [`run`](Network::run).
    ///
    /// # Errors
    /// [`ScheduleError::Invalid`] naming the task, link or calendar and the field: a link to a
    /// missing task, a negative duration or lag beyond range, an actual finish before the actual
    /// start, a dated constraint without a date, a missing project or calendar, a calendar error or
    /// a calendar without any working time. [`ScheduleError::Cycle`] listing the tasks on a loop.
    ///
    /// # Complexity
    /// O(tasks + links + calendars x horizon days); a schedule with start-to-start or
    /// start-to-finish links from summary tasks runs one extra forward pass to find each summary's
    /// earliest child.
    ///
    /// # Example
    /// ```
    /// use chrono::NaiveDate;
    /// use keel_engine::schedule::{calendar, *};
    /// let start = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap().and_hms_opt(8, 0, 0).unwrap();
    /// let t = |c: &str| Task { code: c.into(), name: c.into(), duration: Duration::working(480, DurationUnit::Days), ..Default::default() };
    /// let s = Schedule {
    ///     projects: vec![ProjectInfo { start, ..Default::default() }],
    ///     calendars: vec![calendar::standard()],
    ///     tasks: vec![t("A"), t("B")],
    ///     links: vec![Link { pred: 0, succ: 1, kind: LinkType::FS, lag: Lag::default() }, Link { pred: 1, succ: 0, kind: LinkType::FS, lag: Lag::default() }],
    ///     ..Default::default()
    /// };
    /// let err = Network::compile(&s).unwrap_err();
    /// assert_eq!(err, ScheduleError::Cycle { tasks: vec!["A A".into(), "B B".into()] });
    /// ```
    pub fn compile(schedule: &Schedule) -> Result<Network, ScheduleError> {
        let needs_earliest = schedule.links.iter().any(|l| {
            matches!(l.kind, LinkType::SS | LinkType::SF)
                && schedule.tasks.get(l.pred).is_some_and(|t| t.is_summary_like() && t.kind != TaskKind::LevelOfEffort)
        });
        if !needs_earliest {
            return build(schedule, None);
        }
        // First pass without summary links (MS Project picks the earliest child as it stands).
        let mut pre = build(schedule, Some(&[]))?;
        pre.forward_all(false);
        let mut earliest = vec![NO; schedule.tasks.len()];
        for (ix, t) in schedule.tasks.iter().enumerate() {
            if pre.s.role[ix] != Role::Summary || !t.is_summary_like() {
                continue;
            }
            let mut best = (i64::MAX, NO);
            for leaf in pre.leaves(ix) {
                let c = pre.es_clock(leaf as usize);
                if c < best.0 {
                    best = (c, leaf);
                }
            }
            earliest[ix] = best.1;
        }
        let mut net = build(schedule, Some(&earliest))?;
        net.s.full_only = true;
        Ok(net)
    }

    /// Number of tasks (same as the schedule's).
    ///
    /// ```
    /// use keel_engine::schedule::generate::{GenOptions, Shape, generate};
    /// use keel_engine::schedule::Network;
    /// let net = Network::compile(&generate(&GenOptions { tasks: 50, shape: Shape::Simple, seed: 1 })).unwrap();
    /// assert_eq!(net.len(), 50);
    /// ```
    pub fn len(&self) -> usize {
        self.s.n
    }

    /// Whether the network has no tasks.
    ///
    /// ```
    /// use keel_engine::schedule::{Network, Schedule};
    /// assert!(Network::compile(&Schedule::default()).unwrap().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.s.n == 0
    }

    /// Non-summary, active descendants of task `ix`.
    pub(crate) fn leaves(&self, ix: usize) -> Vec<u32> {
        let mut out = Vec::new();
        let mut stack = vec![ix as u32];
        while let Some(t) = stack.pop() {
            for &k in self.s.kids_of(t as usize).iter().rev() {
                match self.s.role[k as usize] {
                    Role::Summary => stack.push(k),
                    Role::Inactive => {}
                    Role::Task | Role::Manual => out.push(k),
                }
            }
        }
        out
    }
}

impl Static {
    /// P6 reports a completed activity's early dates at the data date and its late dates at the
    /// project finish: the data date (clock) when that applies to `t`.
    #[inline]
    pub(crate) fn p6_done(&self, t: usize) -> Option<i64> {
        if self.mode != Mode::Primavera || self.flags[t] & F_FINISHED == 0 || self.role[t] != Role::Task {
            return None;
        }
        let dd = self.pdata[self.proj[t] as usize];
        (dd != NONE).then_some(dd)
    }

    /// Direct children of task `t` in the outline.
    pub(crate) fn kids_of(&self, t: usize) -> &[u32] {
        if self.kid_off.is_empty() {
            return &[];
        }
        &self.kids[self.kid_off[t] as usize..self.kid_off[t + 1] as usize]
    }

    /// Percent lag (basis points) of predecessor-list entry `pi`, 0 when it is not a percent lag.
    pub(crate) fn pct_of(&self, pi: u32) -> i64 {
        self.pcts.get(&pi).copied().unwrap_or(0)
    }

    /// Sets or clears the percent lag of predecessor-list entry `pi`.
    pub(crate) fn set_pct(&mut self, pi: u32, bp: i64) {
        if bp == 0 {
            self.pcts.remove(&pi);
        } else {
            self.pcts.insert(pi, bp);
        }
    }

    /// Marks the tasks whose clock times the passes read across links: both ends of every link that
    /// is not fast (two calendars, a lag on a third, an elapsed lag, level of effort) and elapsed,
    /// resource-driven and level-of-effort tasks with their neighbours. Only ever adds marks.
    pub(crate) fn mark_eager(&mut self) {
        const ODD: u8 = F_ELAPSED | F_RES | F_LOE;
        self.eager.resize(self.n, false);
        for q in 0..self.n {
            if self.flags[q] & ODD != 0 {
                self.eager[q] = true;
            }
            for a in &self.preds[self.pred_off[q] as usize..self.pred_off[q + 1] as usize] {
                let p = a.other as usize;
                if a.flags & A_FAST == 0 || (self.flags[p] | self.flags[q]) & ODD != 0 {
                    self.eager[p] = true;
                    self.eager[q] = true;
                }
            }
        }
    }

    /// Builds the link-to-arc index (for lag edits) if not built yet.
    pub(crate) fn ensure_link_index(&mut self) {
        if !self.link_off.is_empty() || self.nlinks == 0 {
            return;
        }
        let mut off = vec![0u32; self.nlinks + 1];
        for &pi in &self.mirror {
            off[self.arc_link[pi as usize] as usize + 1] += 1;
        }
        for l in 0..self.nlinks {
            off[l + 1] += off[l];
        }
        let mut fill = off.clone();
        let mut arcs = vec![0u32; self.succs.len()];
        for (si, &pi) in self.mirror.iter().enumerate() {
            let l = self.arc_link[pi as usize] as usize;
            arcs[fill[l] as usize] = si as u32;
            fill[l] += 1;
        }
        self.link_off = off;
        self.link_arcs = arcs;
    }
}
