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

use super::calendar::{Calendars, WorkCalendar, from_clock, to_clock};
use super::compile::{FIRST_CLOCK, LAST_CLOCK};
use super::cpm::ScheduleResult;
use super::model::{
    ConstraintKind, DurationUnit, FloatType, LagCalendar, Link, LinkType, Mode, ResourceKind, Schedule, Task,
};
use super::network::{MAX_MINUTES, NO, NONE};
use super::results::{BLANK, Clocks, DayDates};

/// Below this many tasks everything runs on the calling thread.
const PAR_MIN: usize = 16_384;
/// Tasks per parallel work item.
const CHUNK: usize = 8_192;
/// "No successor yet" in the backward pass and free float.
const OPEN: i32 = i32::MAX;

/// A task's dates in the passes, together: a link reads its predecessor's dates, late finish and
/// free float at once, one cache line rather than four arrays. Dates are working minutes from the
/// project start, in 32 bits so that the part of a large network the links reach stays in cache
/// (about 4,000 years of working time; a network that runs further is left to the general engine).
#[derive(Debug, Clone, Copy)]
struct Node {
    es: i32,
    ef: i32,
    lf: i32,
    free: i32,
}

/// `v` as an `i32`, setting `bad` when it does not fit (or would read as [`OPEN`]).
#[inline]
fn narrow(v: i64, bad: &mut bool) -> i32 {
    let n = v as i32;
    *bad |= i64::from(n) != v || n == OPEN;
    n
}

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

    // The calendar, compiled as the general engine compiles it (every calendar, so a broken one
    // that no task uses is still reported by the general engine).
    let mut calendars = s.calendars.clone();
    if calendars.is_empty() {
        calendars.push(super::calendar::standard());
    }
    let around = project.start.date();
    let around = if chrono::Datelike::year_ce(&around).1 < 1800 {
        chrono::NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or_default()
    } else {
        around
    };
    let mut cals = Calendars::compile(&calendars, around).ok()?;
    let cal = cals.get_mut(c);
    if !cal.has_working_time() {
        return None;
    }
    // Every date below counts from the project start's ordinal.
    let base = cal.ordinal(to_clock(project.start));
    let pstart = 0;
    let data = if ms { NONE } else { project.status_date.map_or(NONE, |d| cal.ordinal(to_clock(d)) - base) };
    let mut bad = false;

    // Forward pass.
    // Filled in task order (a link reads only earlier tasks), without a first pass to clear.
    let mut node: Vec<Node> = Vec::with_capacity(n);
    let mut side = Vec::with_capacity(n);
    let mut drv = Vec::with_capacity(n);
    let (mut last, mut end) = (i64::MIN, 0usize);
    for t in 0..n {
        let d = dur[t];
        let preds = &arcs[off[t] as usize..off[t + 1] as usize];
        let (mut logic, mut lside, mut ldrv) = (i64::MIN, false, NO);
        for a in preds {
            let p = a.pred as usize;
            let lag = i64::from(a.lag);
            let mut v = match a.kind {
                LinkType::FS => i64::from(node[p].ef) + lag,
                LinkType::SS => i64::from(node[p].es) + lag,
                LinkType::FF => i64::from(node[p].ef) + lag - d,
                LinkType::SF => i64::from(node[p].es) + lag - d,
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
        node.push(Node { es: narrow(e, &mut bad), ef: narrow(f, &mut bad), lf: OPEN, free: OPEN });
        side.push(sd && d == 0);
        drv.push(dv);
        // On a tie the later task (a finish milestone) ends the longest path.
        if f >= last {
            (last, end) = (f, t);
        }
    }

    // The project finish, read as a clock time and back on the calendar.
    let finish_clock = cal.finish_clock(base + last);
    let pfin = cal.ordinal(finish_clock) - base;

    // Backward pass: each task's late finish is final when its turn comes (its successors come
    // after it), and it pushes its requirement, and the gap that is its predecessor's free float,
    // to each predecessor.
    let (mut lo, mut hi) = (i64::MAX, i64::MIN);
    for t in (0..n).rev() {
        let Node { es, ef, lf, .. } = node[t];
        let (es, ef) = (i64::from(es), i64::from(ef));
        let l = match lf {
            OPEN => pfin,
            l if ms => i64::from(l).min(pfin),
            l => i64::from(l),
        };
        node[t].lf = narrow(l, &mut bad);
        let ls = l - (ef - es);
        for a in &arcs[off[t] as usize..off[t + 1] as usize] {
            let p = &mut node[a.pred as usize];
            let lag = i64::from(a.lag);
            let (pe, pf) = (i64::from(p.es), i64::from(p.ef));
            let (v, gap) = match a.kind {
                LinkType::FS => (ls - lag, es - pf - lag),
                LinkType::SS => (ls - lag + (pf - pe), es - pe - lag),
                LinkType::FF => (l - lag, ef - pf - lag),
                LinkType::SF => (l - lag + (pf - pe), ef - pe - lag),
            };
            p.lf = p.lf.min(narrow(v, &mut bad));
            p.free = p.free.min(narrow(gap, &mut bad));
        }
        lo = lo.min(es).min(ls);
        hi = hi.max(ef).max(l);
    }

    if bad {
        return None;
    }
    let (lo, hi) = (base + lo, base + hi);
    // Grow the day table over every date, then read it from several threads.
    cal.start_clock(lo - 1);
    cal.start_clock(hi);
    if cal.overflowed() {
        return None;
    }
    let mut seed = DayDates::default();
    seed.get(cal.start_clock(lo - 1));
    seed.get(cal.finish_clock(hi));
    let cal: &WorkCalendar = cal;
    let float_type = opts.float_type;
    let critical_float = opts.critical_float_minutes;
    let missed = AtomicBool::new(false);
    let one = |dates: &mut DayDates, t: usize| {
        let clocks = || -> Option<Clocks> {
            let Node { es: e, ef: f, lf: l, free } = node[t];
            let (e, f, l) = (base + i64::from(e), base + i64::from(f), base + i64::from(l));
            let ls = l - (f - e);
            let esc = if side[t] { cal.finish_clock_in_table(e)? } else { cal.start_clock_in_table(e)? };
            let efc = if f == e { esc } else { cal.finish_clock_in_table(f)? };
            let lfc = cal.finish_clock_in_table(l)?;
            let lsc = if ls == l { lfc } else { cal.start_clock_in_table(ls)? };
            let (s0, f0) = (ls - e, l - f);
            let tf = if ms {
                s0.min(f0)
            } else {
                match float_type {
                    FloatType::Start => s0,
                    FloatType::Finish => f0,
                    FloatType::Smallest => s0.min(f0),
                }
            };
            let ff = if free == OPEN { tf } else { i64::from(free).min(tf) };
            let ff = if ms { ff.max(0) } else { ff };
            Some(Clocks {
                es: esc,
                ef: efc,
                ls: lsc,
                lf: lfc,
                start: esc,
                finish: efc,
                tf,
                ff,
                critical: tf <= critical_float,
                scheduled: true,
            })
        };
        match clocks() {
            Some(c) => dates.result(&c),
            None => {
                missed.store(true, Ordering::Relaxed);
                BLANK
            }
        }
    };
    let mut tasks = Vec::with_capacity(n);
    if n < PAR_MIN {
        let mut dates = seed;
        tasks.extend((0..n).map(|t| one(&mut dates, t)));
    } else {
        (0..n).into_par_iter().with_min_len(CHUNK).map_init(|| seed.clone(), one).collect_into_vec(&mut tasks);
    }
    if missed.into_inner() {
        return None;
    }

    let mut path = Vec::new();
    let mut t = end as u32;
    while t != NO && path.len() <= n {
        path.push(t as usize);
        t = drv[t as usize];
    }
    path.reverse();
    Some(ScheduleResult { mode: opts.mode, tasks, finish: from_clock(finish_clock), longest_path: path })
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
