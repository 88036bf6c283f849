//! The plain-network kernel behind [`schedule`](super::schedule): the commonest large schedule,
//! computed without the general engine's machinery.
//!
//! A schedule is *plain* when it has one project and every task is an active, auto-scheduled
//! activity or milestone on the project's calendar, with no progress, constraint or deadline, no
//! work assignment on another calendar, and every link runs from an earlier task to a later one in
//! task order with a lag in working time (or none). That is what a generated benchmark network is,
//! and what many large plans received from the field look like once their summaries are gone.
//!
//! Such a network needs no clock time during the passes (every date is a working-minute ordinal of
//! the one calendar), no topological sort (task order is one) and no successor lists (the backward
//! pass and free float push from each task to its predecessors). The kernel keeps a few flat
//! arrays, reads the tasks and writes the results on several threads, and runs the passes in one
//! sweep each way.
//!
//! It gives the results the general engine gives, field for field, under both modes; the property
//! tests in this module compare the two on random plain networks. It declines (returns `None`)
//! anything else, including every input the general engine rejects, so errors and every other
//! rule keep coming from one place.

use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;

use super::calendar::{WorkCalendar, from_clock, to_clock};
use super::compile::{FIRST_CLOCK, LAST_CLOCK, compile_calendars};
use super::cpm::{ScheduleResult, TaskResult};
use super::model::{
    ConstraintKind, DurationUnit, FloatType, LagCalendar, Link, LinkType, Mode, ResourceKind, Schedule, Task,
};
use super::network::{MAX_MINUTES, NO, NONE};
use super::results::{BLANK, DayDates, free_float_rule, total_float};

/// Below this many tasks everything runs on the calling thread.
const PAR_MIN: usize = 16_384;
/// Tasks per parallel work item.
const CHUNK: usize = 8_192;
/// "No successor yet" in the backward pass and free float.
const OPEN: i32 = i32::MAX;

/// A predecessor-list entry: the predecessor, the lag (working minutes) and the link type.
#[derive(Debug, Clone, Copy)]
struct Arc {
    pred: u32,
    lag: i32,
    kind: LinkType,
}

impl Arc {
    /// The entry for a plain link (see [`plain_link`]: its lag fits).
    fn of(l: &Link) -> Arc {
        Arc { pred: l.pred as u32, lag: l.lag.amount as i32, kind: l.kind }
    }
}

/// Computes `s` with the plain kernel, or `None` when `s` is not plain (see the module
/// documentation) or a date leaves the supported range: the general engine then decides.
///
/// # Complexity
/// O(tasks + links) time and memory; reading the tasks and converting the results run on several
/// threads for a large network.
pub(super) fn schedule(s: &Schedule) -> Option<ScheduleResult> {
    let n = s.tasks.len();
    let opts = &s.options;
    let [project] = s.projects.as_slice() else { return None };
    if n == 0
        || opts.critical_by_longest_path
        || project.finish_constraint.is_some()
        || !(FIRST_CLOCK..LAST_CLOCK).contains(&to_clock(project.start))
        || project.status_date.is_some_and(|d| !(FIRST_CLOCK..LAST_CLOCK).contains(&to_clock(d)))
    {
        return None;
    }
    let ms = opts.mode == Mode::MsProject;
    let c = project.calendar;
    let ncal = s.calendars.len().max(1);
    if c >= ncal || !assignments_plain(s, c) {
        return None;
    }
    // The tasks (on several threads) and the links (on one) at the same time.
    let (dur, lists) = if n < PAR_MIN {
        (durations(&s.tasks, c), pred_lists(s, n))
    } else {
        rayon::join(|| durations(&s.tasks, c), || pred_lists(s, n))
    };
    let (dur, (off, arcs)) = (dur?, lists?);

    // The calendars, compiled as the general engine compiles them (every one, so a broken one that
    // no task uses is still reported by the general engine).
    let (_, mut cals, _) = compile_calendars(s).ok()?;
    let cal = cals.get_mut(c);
    if !cal.has_working_time() {
        return None;
    }
    // Every date below counts from the project start's ordinal.
    let base = cal.ordinal(to_clock(project.start));
    let data = if ms { NONE } else { project.status_date.map_or(NONE, |d| cal.ordinal(to_clock(d)) - base) };
    let net = Net { dur: &dur, off: &off, arcs: &arcs, ms };
    let fwd = net.forward(data)?;

    // The project finish, read as a clock time and back on the calendar.
    let finish_clock = cal.finish_clock(base + fwd.last);
    let pfin = cal.ordinal(finish_clock) - base;

    // The backward pass on one thread while another converts the early dates (grow the day table
    // over them first; the threads then only read it).
    let table = Table::over(cal, base, fwd.lo, fwd.hi)?;
    let (late, tasks) = if n < PAR_MIN {
        (net.backward(&fwd.node, pfin), table.early(&fwd))
    } else {
        rayon::join(|| net.backward(&fwd.node, pfin), || table.early(&fwd))
    };
    let (mut tasks, late) = (tasks?, late?);
    let table = Table::over(cal, base, late.lo, late.hi)?;
    let rules = Rules { mode: opts.mode, float_type: opts.float_type, critical_float: opts.critical_float_minutes };
    if !table.late(&fwd.node, &late.node, rules, &mut tasks) {
        return None;
    }

    let mut path = Vec::new();
    let mut t = fwd.end as u32;
    while t != NO && path.len() <= n {
        path.push(t as usize);
        t = fwd.drv[t as usize];
    }
    path.reverse();
    Some(ScheduleResult { mode: opts.mode, tasks, finish: from_clock(finish_clock), longest_path: path })
}

/// A task's early dates, working minutes from the project start in 32 bits, so that the part of a
/// large network the links reach stays in cache (about 4,000 years of working time; a network that
/// runs further is left to the general engine).
#[derive(Debug, Clone, Copy)]
struct Early {
    es: i32,
    ef: i32,
}

/// A task's late finish and free float (the least gap to a successor), in the same units;
/// [`OPEN`] until a successor sets them.
#[derive(Debug, Clone, Copy)]
struct Late {
    lf: i32,
    free: i32,
}

/// `v` as an `i32`, or `None` when it does not fit (or would read as [`OPEN`]).
#[inline]
fn narrow(v: i64) -> Option<i32> {
    i32::try_from(v).ok().filter(|&n| n != OPEN)
}

/// The compiled network: durations, predecessor lists (CSR) and the mode.
struct Net<'a> {
    dur: &'a [i64],
    off: &'a [u32],
    arcs: &'a [Arc],
    ms: bool,
}

/// What the forward pass leaves: early dates, whether a zero-duration task's date reads as a
/// finish, the driving predecessor of each task, the latest early finish and its task, and the
/// range of the early dates.
struct Forward {
    node: Vec<Early>,
    side: Vec<bool>,
    drv: Vec<u32>,
    last: i64,
    end: usize,
    lo: i64,
    hi: i64,
}

/// What the backward pass leaves: late finishes and free floats, and the range of the late dates.
struct Backward {
    node: Vec<Late>,
    lo: i64,
    hi: i64,
}

/// A task's late dates (clock minutes), floats (working minutes) and critical flag.
struct LateDates {
    ls: i64,
    lf: i64,
    tf: i64,
    ff: i64,
    critical: bool,
}

/// The rules the results follow.
#[derive(Clone, Copy)]
struct Rules {
    mode: Mode,
    float_type: FloatType,
    critical_float: i64,
}

impl Net<'_> {
    /// The forward pass, in task order (a topological order: every link runs forward). `None`
    /// when a date does not fit in 32 bits.
    fn forward(&self, data: i64) -> Option<Forward> {
        let (n, ms) = (self.dur.len(), self.ms);
        let pstart = 0;
        // Filled in task order (a link reads only earlier tasks), without a first pass to clear.
        let mut node: Vec<Early> = Vec::with_capacity(n);
        let mut side = Vec::with_capacity(n);
        let mut drv = Vec::with_capacity(n);
        let (mut last, mut end) = (i64::MIN, 0usize);
        let (mut lo, mut hi) = (i64::MAX, i64::MIN);
        let mut ok = true;
        for t in 0..n {
            let d = self.dur[t];
            let (mut logic, mut lside, mut ldrv) = (i64::MIN, false, NO);
            for a in &self.arcs[self.off[t] as usize..self.off[t + 1] as usize] {
                let p = node[a.pred as usize];
                let lag = i64::from(a.lag);
                let mut v = match a.kind {
                    LinkType::FS => i64::from(p.ef) + lag,
                    LinkType::SS => i64::from(p.es) + lag,
                    LinkType::FF => i64::from(p.ef) + lag - d,
                    LinkType::SF => i64::from(p.es) + lag - d,
                };
                // Whether the date reads as a finish (a zero-duration successor then shows 17:00).
                let fs = lag > 0 || (lag == 0 && matches!(a.kind, LinkType::FS | LinkType::FF));
                if ms && a.kind == LinkType::FF && v < pstart {
                    v = pstart;
                }
                if v > logic || (v == logic && lside && !fs) {
                    (logic, lside, ldrv) = (v, fs, a.pred);
                }
            }
            let (mut e, mut sd, mut dv) = if logic == i64::MIN { (pstart, false, NO) } else { (logic, lside, ldrv) };
            if !ms {
                // P6: nothing starts before the project start or the data date.
                for floor in [pstart, data] {
                    if floor != NONE && e < floor {
                        (e, sd, dv) = (floor, false, NO);
                    }
                }
            }
            let f = e + d;
            let (es, ef) = (narrow(e), narrow(f));
            ok &= es.is_some() && ef.is_some();
            node.push(Early { es: es.unwrap_or(0), ef: ef.unwrap_or(0) });
            side.push(sd && d == 0);
            drv.push(dv);
            (lo, hi) = (lo.min(e), hi.max(f));
            // On a tie the later task (a finish milestone) ends the longest path.
            if f >= last {
                (last, end) = (f, t);
            }
        }
        ok.then_some(Forward { node, side, drv, last, end, lo, hi })
    }

    /// The backward pass, in reverse task order: each task's late finish is final when its turn
    /// comes (its successors come after it), and it pushes its requirement, and the gap that is its
    /// predecessor's free float, to each predecessor. `None` when a date does not fit in 32 bits.
    fn backward(&self, early: &[Early], pfin: i64) -> Option<Backward> {
        let n = early.len();
        let mut node = vec![Late { lf: OPEN, free: OPEN }; n];
        let (mut lo, mut hi) = (i64::MAX, i64::MIN);
        let mut ok = true;
        for t in (0..n).rev() {
            let (es, ef) = (i64::from(early[t].es), i64::from(early[t].ef));
            let l = match node[t].lf {
                OPEN => pfin,
                l if self.ms => i64::from(l).min(pfin),
                l => i64::from(l),
            };
            let lf = narrow(l);
            ok &= lf.is_some();
            node[t].lf = lf.unwrap_or(0);
            let ls = l - (ef - es);
            for a in &self.arcs[self.off[t] as usize..self.off[t + 1] as usize] {
                let pe = early[a.pred as usize];
                let (pe, pf) = (i64::from(pe.es), i64::from(pe.ef));
                let lag = i64::from(a.lag);
                let (v, gap) = match a.kind {
                    LinkType::FS => (ls - lag, es - pf - lag),
                    LinkType::SS => (ls - lag + (pf - pe), es - pe - lag),
                    LinkType::FF => (l - lag, ef - pf - lag),
                    LinkType::SF => (l - lag + (pf - pe), ef - pe - lag),
                };
                let (v, gap) = (narrow(v), narrow(gap));
                ok &= v.is_some() && gap.is_some();
                let p = &mut node[a.pred as usize];
                p.lf = p.lf.min(v.unwrap_or(0));
                p.free = p.free.min(gap.unwrap_or(0));
            }
            (lo, hi) = (lo.min(ls), hi.max(l));
        }
        ok.then_some(Backward { node, lo, hi })
    }
}

/// The calendar's day table, grown over a range of dates, read (from several threads) to turn
/// ordinals into date-times.
struct Table<'a> {
    cal: &'a WorkCalendar,
    base: i64,
    seed: DayDates,
}

impl<'a> Table<'a> {
    /// Grows `cal`'s table over the ordinals `base + lo ..= base + hi` (`None` when that leaves the
    /// supported years).
    fn over(cal: &'a mut WorkCalendar, base: i64, lo: i64, hi: i64) -> Option<Table<'a>> {
        let (lo, hi) = (base + lo, base + hi);
        cal.start_clock(lo - 1);
        cal.start_clock(hi);
        if cal.overflowed() {
            return None;
        }
        let mut seed = DayDates::default();
        seed.get(cal.start_clock(lo - 1));
        seed.get(cal.finish_clock(hi));
        Some(Table { cal, base, seed })
    }

    /// Clock time of the start reading of ordinal `w` (from the project start).
    #[inline]
    fn start(&self, w: i32) -> Option<i64> {
        self.cal.start_clock_in_table(self.base + i64::from(w))
    }

    /// Clock time of the finish reading of ordinal `w`.
    #[inline]
    fn finish(&self, w: i32) -> Option<i64> {
        self.cal.finish_clock_in_table(self.base + i64::from(w))
    }

    /// Every task's result with its early dates (and the start and finish they give); the late
    /// dates and floats are filled in by [`late`](Self::late). `None` when a date leaves the table.
    fn early(&self, fwd: &Forward) -> Option<Vec<TaskResult>> {
        let mut dates = self.seed.clone();
        let mut out = Vec::with_capacity(fwd.node.len());
        for (&Early { es, ef }, &side) in fwd.node.iter().zip(&fwd.side) {
            let esc = if side { self.finish(es)? } else { self.start(es)? };
            let efc = if ef == es { esc } else { self.finish(ef)? };
            let (early_start, early_finish) = (dates.get(esc), dates.get(efc));
            out.push(TaskResult {
                early_start,
                early_finish,
                start: early_start,
                finish: early_finish,
                scheduled: true,
                ..BLANK
            });
        }
        Some(out)
    }

    /// Fills in the late dates, total and free float and the critical flag of every task, on
    /// several threads for a large network; false when a date leaves the table.
    fn late(&self, early: &[Early], late: &[Late], rules: Rules, tasks: &mut [TaskResult]) -> bool {
        let missed = AtomicBool::new(false);
        let fill = |dates: &mut DayDates, (ci, chunk): (usize, &mut [TaskResult])| {
            for (j, r) in chunk.iter_mut().enumerate() {
                let t = ci * CHUNK + j;
                let Some(c) = self.late_clocks(early[t], late[t], rules) else {
                    missed.store(true, Ordering::Relaxed);
                    return;
                };
                r.late_start = dates.get(c.ls);
                r.late_finish = dates.get(c.lf);
                (r.total_float, r.free_float, r.critical) = (c.tf, c.ff, c.critical);
            }
        };
        if tasks.len() < PAR_MIN {
            let mut dates = self.seed.clone();
            tasks.chunks_mut(CHUNK).enumerate().for_each(|x| fill(&mut dates, x));
        } else {
            tasks.par_chunks_mut(CHUNK).enumerate().for_each_init(|| self.seed.clone(), fill);
        }
        !missed.into_inner()
    }

    /// Late start and finish (clock), floats and the critical flag of one task.
    #[inline]
    fn late_clocks(&self, e: Early, l: Late, rules: Rules) -> Option<LateDates> {
        let (es, ef, lf) = (i64::from(e.es), i64::from(e.ef), i64::from(l.lf));
        let ls = lf - (ef - es);
        let lfc = self.finish(l.lf)?;
        let lsc = if ls == lf { lfc } else { self.cal.start_clock_in_table(self.base + ls)? };
        let tf = total_float(rules.mode, rules.float_type, ls - es, lf - ef);
        let ff = free_float_rule(rules.mode, (l.free != OPEN).then_some(i64::from(l.free)), tf);
        Some(LateDates { ls: lsc, lf: lfc, tf, ff, critical: tf <= rules.critical_float })
    }
}

/// Whether no work assignment puts a task on another calendar than `cal` (which the general engine
/// schedules by its assignments). Conservative: any work assignment on a resource with a calendar
/// of its own other than `cal` declines.
fn assignments_plain(s: &Schedule, cal: usize) -> bool {
    s.assignments.iter().all(|a| {
        let Some(r) = s.resources.get(a.resource) else { return true };
        r.kind != ResourceKind::Work || a.work_minutes.is_none() || r.calendar.is_none_or(|rc| rc == cal)
    })
}

/// Each task's duration in working minutes (0 for a milestone), or `None` when a task is not plain.
fn durations(tasks: &[Task], cal: usize) -> Option<Vec<i64>> {
    let plain = |t: &Task| -> Option<i64> {
        let ok = !t.inactive
            && !t.manual
            && t.project == 0
            && !t.is_summary_like()
            && t.calendar.is_none_or(|c| c == cal)
            && t.constraint.is_none_or(|k| k.kind == ConstraintKind::Asap)
            && t.secondary_constraint.is_none_or(|k| k.kind == ConstraintKind::Asap)
            && t.deadline.is_none()
            && t.actual_start.is_none()
            && t.actual_finish.is_none()
            && !t.duration.elapsed
            && (0..=MAX_MINUTES).contains(&t.duration.minutes);
        ok.then(|| if t.is_milestone() { 0 } else { t.duration.minutes })
    };
    if tasks.len() < PAR_MIN {
        tasks.iter().map(plain).collect()
    } else {
        let bad = AtomicBool::new(false);
        let mut dur = Vec::with_capacity(tasks.len());
        tasks
            .par_iter()
            .with_min_len(CHUNK)
            .map(|t| {
                plain(t).unwrap_or_else(|| {
                    bad.store(true, Ordering::Relaxed);
                    0
                })
            })
            .collect_into_vec(&mut dur);
        (!bad.into_inner()).then_some(dur)
    }
}

/// Predecessor lists (CSR, in link order within each task), or `None` when a link is not plain: it
/// names a missing task or itself, runs backwards in task order, or has a percent, elapsed,
/// out-of-range or 24-hour-calendar lag.
fn pred_lists(s: &Schedule, n: usize) -> Option<(Vec<u32>, Vec<Arc>)> {
    let on_24h = s.options.lag_calendar == LagCalendar::TwentyFourHour;
    // Links usually come grouped by successor in task order (as MSPDI and XER list them): then one
    // pass builds the lists.
    let mut off = Vec::with_capacity(n + 1);
    let mut arcs = Vec::with_capacity(s.links.len());
    for l in &s.links {
        if !plain_link(l, n, on_24h) {
            return None;
        }
        if l.succ + 1 < off.len() {
            return scattered(s, n, on_24h);
        }
        while off.len() <= l.succ {
            off.push(arcs.len() as u32);
        }
        arcs.push(Arc::of(l));
    }
    off.resize(n + 1, arcs.len() as u32);
    Some((off, arcs))
}

/// [`pred_lists`] for links in any order: a counting sort by successor.
#[cold]
fn scattered(s: &Schedule, n: usize, on_24h: bool) -> Option<(Vec<u32>, Vec<Arc>)> {
    let mut off = vec![0u32; n + 1];
    for l in &s.links {
        if !plain_link(l, n, on_24h) {
            return None;
        }
        off[l.succ + 1] += 1;
    }
    for t in 0..n {
        off[t + 1] += off[t];
    }
    let mut fill = off.clone();
    let mut arcs = vec![Arc { pred: 0, lag: 0, kind: LinkType::FS }; s.links.len()];
    for l in &s.links {
        arcs[fill[l.succ] as usize] = Arc::of(l);
        fill[l.succ] += 1;
    }
    Some((off, arcs))
}

/// Whether link `l` of a schedule of `n` tasks is plain: forward in task order between existing
/// tasks, with no lag or a working-time lag in range on the tasks' calendar.
fn plain_link(l: &Link, n: usize, on_24h: bool) -> bool {
    let lag = l.lag.amount;
    l.pred < l.succ
        && l.succ < n
        && l.lag.unit != DurationUnit::Percent
        && (lag == 0 || (!l.lag.elapsed && !on_24h && lag.abs() <= MAX_MINUTES))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use chrono::NaiveDate;
    use proptest::prelude::*;

    use super::*;
    use crate::schedule::calendar::standard;
    use crate::schedule::model::{Calendar, Constraint, Duration, Lag, ProjectInfo, WorkingTime};
    use crate::schedule::network::Network;

    /// The general engine's results for `s`.
    fn general(s: &Schedule) -> ScheduleResult {
        Network::compile(s).unwrap().run().unwrap()
    }

    fn plan(durations: &[i64], links: &[(usize, usize, LinkType, i64)], mode: Mode) -> Schedule {
        let start = NaiveDate::from_ymd_opt(2024, 12, 20).unwrap().and_hms_opt(8, 0, 0).unwrap();
        let mut s = Schedule {
            projects: vec![ProjectInfo { start, ..Default::default() }],
            calendars: vec![standard()],
            tasks: durations
                .iter()
                .enumerate()
                .map(|(i, &d)| Task {
                    code: format!("T{i}"),
                    duration: Duration::working(d, DurationUnit::Hours),
                    kind: if d == 0 { super::super::model::TaskKind::Milestone } else { Default::default() },
                    ..Default::default()
                })
                .collect(),
            links: links
                .iter()
                .map(|&(pred, succ, kind, lag)| Link {
                    pred,
                    succ,
                    kind,
                    lag: Lag { amount: lag, ..Default::default() },
                })
                .collect(),
            ..Default::default()
        };
        s.options.mode = mode;
        s
    }

    /// Random plain networks: durations (some milestones) in working minutes, links forward in task
    /// order of every type with lags and leads, both modes, the P6 float types, a data date and a
    /// critical threshold, on a calendar with a lunch break and a holiday.
    fn plain_network() -> impl Strategy<Value = Schedule> {
        (2usize..40)
            .prop_flat_map(|n| {
                (
                    prop::collection::vec(prop_oneof![1 => Just(0i64), 6 => 1i64..4_000], n),
                    prop::collection::vec(
                        (0..n, 0..n, 0u8..4, prop_oneof![3 => Just(0i64), 1 => -1_500i64..3_000]),
                        0..3 * n,
                    ),
                    any::<bool>(),
                    0u8..3,
                    prop::option::of(0i64..20_000),
                    prop_oneof![Just(0i64), Just(480), Just(-60)],
                )
            })
            .prop_map(|(durs, links, ms, float, data, critical)| {
                let links: Vec<_> = links
                    .into_iter()
                    .filter(|&(a, b, _, _)| a != b)
                    .map(|(a, b, k, lag)| {
                        let kind = [LinkType::FS, LinkType::SS, LinkType::FF, LinkType::SF][k as usize];
                        (a.min(b), a.max(b), kind, lag)
                    })
                    .collect();
                let mut s = plan(&durs, &links, if ms { Mode::MsProject } else { Mode::Primavera });
                for (t, d) in s.tasks.iter_mut().zip(&durs) {
                    t.duration = Duration::working(*d, DurationUnit::Minutes);
                }
                s.options.float_type = [FloatType::Start, FloatType::Finish, FloatType::Smallest][float as usize];
                s.options.critical_float_minutes = critical;
                s.projects[0].status_date = data.map(|m| s.projects[0].start + chrono::Duration::minutes(m));
                let mut cal = standard();
                cal.exceptions.push(crate::schedule::model::Exception {
                    name: "Holiday".into(),
                    from: NaiveDate::from_ymd_opt(2024, 12, 25).unwrap(),
                    to: NaiveDate::from_ymd_opt(2024, 12, 26).unwrap(),
                    working: vec![],
                    recurrence: None,
                });
                s.calendars = vec![cal];
                s
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        /// The kernel takes every plain network and gives the general engine's results exactly.
        #[test]
        fn kernel_matches_the_general_engine(s in plain_network()) {
            let fast = schedule(&s);
            prop_assert!(fast.is_some(), "a plain network was declined");
            prop_assert_eq!(fast.unwrap(), general(&s));
        }
    }

    #[test]
    fn a_large_network_matches_on_several_threads() {
        use crate::schedule::generate::{GenOptions, Shape, generate};
        let s = generate(&GenOptions { tasks: 3 * PAR_MIN, shape: Shape::Simple, seed: 7 });
        let fast = schedule(&s).unwrap();
        assert_eq!(fast, general(&s));
    }

    #[test]
    fn leaves_a_network_past_32_bits_of_minutes_to_the_general_engine() {
        // Three tasks of 10^9 minutes each: the chain runs past what 32 bits hold.
        let mut s = plan(&[1, 1, 1], &[(0, 1, LinkType::FS, 0), (1, 2, LinkType::FS, 0)], Mode::MsProject);
        s.calendars = vec![crate::schedule::calendar::twenty_four_hour()];
        for t in &mut s.tasks {
            t.duration.minutes = MAX_MINUTES;
        }
        assert!(schedule(&s).is_none());
        // The general engine reports the dates as out of range.
        assert!(crate::schedule::schedule(&s).is_err());
    }

    #[test]
    fn links_out_of_successor_order_give_the_same_results() {
        // Grouped by successor until the last link, which goes back to an earlier successor: the
        // one-pass lists give up and the counting sort takes over.
        let links = [
            (0, 1, LinkType::FS, 0),
            (1, 2, LinkType::SS, 60),
            (2, 3, LinkType::FF, -30),
            (0, 3, LinkType::FS, 120),
            (0, 2, LinkType::FS, 0),
        ];
        for mode in [Mode::MsProject, Mode::Primavera] {
            let s = plan(&[480, 960, 240, 0], &links, mode);
            assert_eq!(schedule(&s).unwrap(), general(&s));
        }
    }

    /// A change to a schedule, for the cases below.
    type Edit = Box<dyn Fn(&mut Schedule)>;

    #[test]
    fn declines_what_is_not_plain() {
        let base = plan(&[480, 960, 0], &[(0, 1, LinkType::FS, 0), (1, 2, LinkType::FS, 0)], Mode::MsProject);
        assert!(schedule(&base).is_some());
        let start = base.projects[0].start;
        let edits: Vec<(&str, Edit)> = vec![
            ("a backward link", Box::new(|s| s.links.push(Link { pred: 2, succ: 0, ..s.links[0] }))),
            ("a missing task", Box::new(|s| s.links[0].succ = 9)),
            (
                "a percent lag",
                Box::new(|s| s.links[0].lag = Lag { amount: 5_000, unit: DurationUnit::Percent, elapsed: false }),
            ),
            (
                "an elapsed lag",
                Box::new(|s| s.links[0].lag = Lag { amount: 60, unit: DurationUnit::Hours, elapsed: true }),
            ),
            ("a summary", Box::new(|s| s.tasks[1].kind = super::super::model::TaskKind::Summary)),
            ("a manual task", Box::new(|s| s.tasks[1].manual = true)),
            ("an inactive task", Box::new(|s| s.tasks[1].inactive = true)),
            ("an actual start", Box::new(move |s| s.tasks[0].actual_start = Some(start))),
            ("a deadline", Box::new(move |s| s.tasks[2].deadline = Some(start))),
            (
                "a constraint",
                Box::new(move |s| {
                    s.tasks[1].constraint = Some(Constraint { kind: ConstraintKind::Snet, date: Some(start) })
                }),
            ),
            (
                "as late as possible",
                Box::new(|s| s.tasks[1].constraint = Some(Constraint { kind: ConstraintKind::Alap, date: None })),
            ),
            ("an elapsed duration", Box::new(|s| s.tasks[1].duration.elapsed = true)),
            ("a negative duration", Box::new(|s| s.tasks[1].duration.minutes = -5)),
            (
                "another calendar",
                Box::new(|s| {
                    s.calendars.push(Calendar {
                        name: "Other".into(),
                        week: [Some(vec![WorkingTime { from: 0, to: 1440 }]), None, None, None, None, None, None],
                        ..Default::default()
                    });
                    s.tasks[1].calendar = Some(1);
                }),
            ),
            ("two projects", Box::new(|s| s.projects.push(s.projects[0].clone()))),
            ("a finish constraint", Box::new(move |s| s.projects[0].finish_constraint = Some(start))),
            ("critical by longest path", Box::new(|s| s.options.critical_by_longest_path = true)),
            (
                "a 24-hour lag calendar",
                Box::new(|s| {
                    s.options.lag_calendar = LagCalendar::TwentyFourHour;
                    s.links[0].lag.amount = 60;
                }),
            ),
        ];
        for (what, edit) in edits {
            let mut s = base.clone();
            edit(&mut s);
            assert!(schedule(&s).is_none(), "{what} was taken as plain");
        }
    }
}
