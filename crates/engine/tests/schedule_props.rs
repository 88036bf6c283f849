//! Property tests of the critical-path engine on random networks.

#![allow(clippy::unwrap_used)] // Test helpers: a panic is the failure report.

use chrono::{NaiveDate, NaiveDateTime};
use keel_engine::schedule::calendar::{WorkCalendar, standard, to_clock};
use keel_engine::schedule::generate::{GenOptions, Shape, generate};
use keel_engine::schedule::{
    Constraint, ConstraintKind, Duration, DurationUnit, Lag, Link, LinkType, Mode, Network, ProjectInfo, Schedule,
    Task, rebase::rebase, schedule,
};
use proptest::prelude::*;

fn start() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2024, 1, 3).unwrap().and_hms_opt(8, 0, 0).unwrap()
}

/// A random DAG: links only go from a lower to a higher index.
fn network(fs_only: bool) -> impl Strategy<Value = Schedule> {
    (2usize..30).prop_flat_map(move |n| {
        let durations = prop::collection::vec(0i64..6, n);
        let links = prop::collection::vec((0..n, 0..n, 0u8..4, -2i64..4), 0..n * 2);
        (durations, links).prop_map(move |(durations, links)| {
            let tasks = durations
                .iter()
                .enumerate()
                .map(|(i, &d)| Task {
                    code: format!("T{i}"),
                    name: format!("Task {i}"),
                    outline_level: 1,
                    duration: Duration::working(d * 240, DurationUnit::Hours),
                    ..Default::default()
                })
                .collect();
            let links = links
                .into_iter()
                .filter(|(a, b, _, _)| a < b)
                .map(|(pred, succ, k, lag)| {
                    let kind = if fs_only {
                        LinkType::FS
                    } else {
                        [LinkType::FS, LinkType::SS, LinkType::FF, LinkType::SF][k as usize]
                    };
                    let amount = if fs_only { 0 } else { lag * 120 };
                    Link { pred, succ, kind, lag: Lag { amount, unit: DurationUnit::Hours, elapsed: false } }
                })
                .collect();
            Schedule {
                projects: vec![ProjectInfo { start: start(), ..Default::default() }],
                calendars: vec![standard()],
                tasks,
                links,
                ..Default::default()
            }
        })
    })
}

fn cal() -> WorkCalendar {
    WorkCalendar::compile(&[standard()], 0, start().date()).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, .. ProptestConfig::default() })]

    /// Every link holds on the early dates and on the late dates; early <= late; total float is
    /// the late-minus-early gap; free float is between zero and total float.
    #[test]
    fn links_hold_and_floats_are_consistent(s in network(false)) {
        let r = schedule(&s).unwrap();
        let mut c = cal();
        let mut o = |t: NaiveDateTime| c.ordinal(to_clock(t));
        for l in &s.links {
            let (p, q) = (&r.tasks[l.pred], &r.tasks[l.succ]);
            let lag = l.lag.amount;
            let (early_ok, late_ok) = match l.kind {
                LinkType::FS => (o(q.early_start) >= o(p.early_finish) + lag, o(q.late_start) >= o(p.late_finish) + lag),
                LinkType::SS => (o(q.early_start) >= o(p.early_start) + lag, o(q.late_start) >= o(p.late_start) + lag),
                LinkType::FF => (o(q.early_finish) >= o(p.early_finish) + lag, o(q.late_finish) >= o(p.late_finish) + lag),
                LinkType::SF => (o(q.early_finish) >= o(p.early_start) + lag, o(q.late_finish) >= o(p.late_start) + lag),
            };
            prop_assert!(early_ok, "early dates break {:?}", l);
            prop_assert!(late_ok, "late dates break {:?}", l);
        }
        for t in &r.tasks {
            prop_assert!(o(t.early_start) <= o(t.late_start));
            prop_assert!(o(t.early_finish) <= o(t.late_finish));
            prop_assert_eq!(t.total_float, o(t.late_start) - o(t.early_start));
            prop_assert!(t.free_float >= 0 && t.free_float <= t.total_float, "{:?}", t);
            prop_assert_eq!(t.critical, t.total_float <= 0);
        }
    }

    /// Running the same schedule twice gives the same result.
    #[test]
    fn idempotent(s in network(false)) {
        let a = schedule(&s).unwrap();
        let mut net = Network::compile(&s).unwrap();
        let b = net.run().unwrap();
        let c = net.run().unwrap();
        prop_assert_eq!(&a, &b);
        prop_assert_eq!(&b, &c);
    }

    /// Incremental edits give what a full pass over the edited schedule gives.
    #[test]
    fn incremental_equals_full(s in network(false), edits in prop::collection::vec((0usize..100, 0i64..8, any::<bool>(), -2i64..4), 1..6)) {
        let mut net = Network::compile(&s).unwrap();
        net.run().unwrap();
        let mut edited = s.clone();
        for (ix, d, on_link, lag) in edits {
            if on_link && !edited.links.is_empty() {
                let l = ix % edited.links.len();
                let new = Lag { amount: lag * 120, unit: DurationUnit::Hours, elapsed: false };
                edited.links[l].lag = new;
                net.set_lag(l, new).unwrap();
            } else {
                let t = ix % edited.tasks.len();
                edited.tasks[t].duration.minutes = d * 240;
                net.set_duration(t, d * 240).unwrap();
            }
            prop_assert_eq!(net.result().unwrap(), schedule(&edited).unwrap());
        }
    }

    /// With finish-to-start links only, no lags, one calendar and no progress the two tools agree.
    #[test]
    fn ms_project_and_p6_agree_on_plain_networks(s in network(true)) {
        let ms = schedule(&s).unwrap();
        let mut p6 = s.clone();
        p6.options.mode = Mode::Primavera;
        let p = schedule(&p6).unwrap();
        prop_assert_eq!(ms.tasks, p.tasks);
        prop_assert_eq!(ms.finish, p.finish);
    }
}

#[test]
fn incremental_on_a_generated_mixed_network() {
    let s = generate(&GenOptions { tasks: 3000, shape: Shape::Mixed, seed: 11 });
    let mut net = Network::compile(&s).unwrap();
    net.run().unwrap();
    let mut edited = s.clone();
    for (i, t) in [17usize, 1200, 2999, 5].into_iter().enumerate() {
        let minutes = 480 * (3 + i as i64);
        edited.tasks[t].duration.minutes = minutes;
        net.set_duration(t, minutes).unwrap();
    }
    edited.links[40].lag.amount = 960;
    net.set_lag(40, edited.links[40].lag).unwrap();
    assert_eq!(net.result().unwrap(), schedule(&edited).unwrap());
}

#[test]
fn longest_path_is_a_driving_chain_to_the_finish() {
    let s = generate(&GenOptions { tasks: 2000, shape: Shape::Simple, seed: 3 });
    let r = schedule(&s).unwrap();
    let path = &r.longest_path;
    assert!(!path.is_empty());
    assert_eq!(r.tasks[*path.last().unwrap()].early_finish, r.finish);
    assert_eq!(r.tasks[path[0]].early_start, s.projects[0].start);
    for w in path.windows(2) {
        assert!(s.links.iter().any(|l| l.pred == w[0] && l.succ == w[1]));
        assert!(r.tasks[w[0]].critical && r.tasks[w[1]].critical);
    }
}

/// Messy input: any mix of kinds, constraints, progress, calendars, links and modes gives a
/// result or an error, never a panic; a result always has one entry per task.
fn messy() -> impl Strategy<Value = Schedule> {
    use keel_engine::schedule::{Constraint, ConstraintKind, TaskKind};
    let task = (0u8..8, 0i64..5000, 0u8..12, 0i64..40, 0u8..4, 0u8..6, any::<bool>());
    (
        prop::collection::vec(task, 1..25),
        prop::collection::vec((0usize..30, 0usize..30, 0u8..4, -3000i64..3000, 0u8..5), 0..40),
        any::<bool>(),
        0u8..4,
    )
        .prop_map(|(tasks, links, p6, lagcal)| {
            let n = tasks.len();
            let kinds = [
                TaskKind::Task,
                TaskKind::Task,
                TaskKind::Task,
                TaskKind::Milestone,
                TaskKind::Summary,
                TaskKind::LevelOfEffort,
                TaskKind::FinishMilestone,
                TaskKind::WbsSummary,
            ];
            let cons = [
                ConstraintKind::Asap,
                ConstraintKind::Alap,
                ConstraintKind::Snet,
                ConstraintKind::Snlt,
                ConstraintKind::Fnet,
                ConstraintKind::Fnlt,
                ConstraintKind::Mso,
                ConstraintKind::Mfo,
                ConstraintKind::MandatoryStart,
                ConstraintKind::MandatoryFinish,
                ConstraintKind::Snet,
                ConstraintKind::Asap,
            ];
            let at = |days: i64| start() + chrono::Duration::days(days - 10);
            let tasks: Vec<Task> = tasks
                .into_iter()
                .enumerate()
                .map(|(i, (k, d, c, when, prog, cal, elapsed))| {
                    let mut t = Task {
                        code: format!("T{i}"),
                        name: "t".into(),
                        kind: kinds[k as usize],
                        duration: Duration { minutes: d, unit: DurationUnit::Hours, elapsed, estimated: false },
                        parent: if i > 0 && k % 3 == 0 { Some((i * 7) % i) } else { None },
                        calendar: Some(cal as usize % 3),
                        constraint: Some(Constraint { kind: cons[c as usize], date: Some(at(when)) }),
                        deadline: if c == 11 { Some(at(when)) } else { None },
                        manual: prog == 3 && i % 2 == 0,
                        inactive: cal == 5,
                        ..Default::default()
                    };
                    if prog >= 1 {
                        t.actual_start = Some(at(when / 2));
                        t.percent_complete = 40.0;
                    }
                    if prog == 2 {
                        t.actual_finish = Some(at(when / 2 + 3));
                    }
                    if t.manual {
                        t.stored.start = Some(at(when));
                        t.stored.finish = Some(at(when + 1));
                    }
                    t
                })
                .collect();
            let links = links
                .into_iter()
                .filter(|(a, b, _, _, _)| a < b && *b < n)
                .map(|(pred, succ, k, lag, unit)| Link {
                    pred,
                    succ,
                    kind: [LinkType::FS, LinkType::SS, LinkType::FF, LinkType::SF][k as usize],
                    lag: Lag {
                        amount: lag,
                        unit: if unit == 4 { DurationUnit::Percent } else { DurationUnit::Hours },
                        elapsed: unit == 3,
                    },
                })
                .collect();
            let mut derived =
                keel_engine::schedule::Calendar { name: "derived".into(), base: Some(0), ..Default::default() };
            derived.week[2] = Some(vec![keel_engine::schedule::WorkingTime { from: 1200, to: 1440 }]);
            let mut s = Schedule {
                projects: vec![ProjectInfo { start: start(), status_date: Some(at(12)), ..Default::default() }],
                calendars: vec![standard(), keel_engine::schedule::calendar::twenty_four_hour(), derived],
                tasks,
                links,
                ..Default::default()
            };
            s.options.mode = if p6 { Mode::Primavera } else { Mode::MsProject };
            s.options.lag_calendar = [
                keel_engine::schedule::LagCalendar::Successor,
                keel_engine::schedule::LagCalendar::Predecessor,
                keel_engine::schedule::LagCalendar::TwentyFourHour,
                keel_engine::schedule::LagCalendar::ProjectDefault,
            ][lagcal as usize];
            s.options.honour_constraints_over_links = p6;
            s
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, .. ProptestConfig::default() })]

    #[test]
    fn messy_input_never_panics(s in messy()) {
        if let Ok(r) = schedule(&s) {
            prop_assert_eq!(r.tasks.len(), s.tasks.len());
            let mut net = Network::compile(&s).unwrap();
            net.run().unwrap();
            // Edits work on anything that compiled.
            for t in 0..s.tasks.len() {
                let _ = net.set_duration(t, 480);
            }
            if !s.links.is_empty() {
                net.set_lag(0, Lag { amount: 60, unit: DurationUnit::Hours, elapsed: false }).unwrap();
            }
            let _ = net.result();
        }
    }
}

/// Without constraints or progress no task is behind: across five calendars, lags and leads, no
/// total float is negative, and the longest path is a chain of links ending at the finish. (A task
/// on it can still have float: a 24-hour task that drives a weekday task can slip to Monday.)
#[test]
fn mixed_calendars_never_give_negative_float() {
    for seed in 1..6 {
        let s = generate(&GenOptions { tasks: 3000, shape: Shape::Mixed, seed });
        let r = schedule(&s).unwrap();
        let negative: Vec<usize> = (0..r.tasks.len()).filter(|&t| r.tasks[t].total_float < 0).collect();
        assert!(
            negative.is_empty(),
            "seed {seed}: {} tasks with negative float, first {:?}",
            negative.len(),
            negative.first()
        );
        let path = &r.longest_path;
        assert_eq!(r.tasks[*path.last().unwrap()].early_finish, r.finish);
        for w in path.windows(2) {
            assert!(s.links.iter().any(|l| l.pred == w[0] && l.succ == w[1]), "seed {seed}: {w:?} not linked");
        }
    }
}

/// A random network with a start-no-earlier-than constraint and a deadline on some tasks, so the
/// dates a rebase must move are exercised.
fn constrained_network() -> impl Strategy<Value = (Schedule, i64)> {
    (network(false), prop::collection::vec((0usize..30, 0i64..40), 0..4), -700i64..700).prop_map(
        |(mut s, marks, weeks)| {
            let n = s.tasks.len();
            for (i, days) in marks {
                let t = &mut s.tasks[i % n];
                let at = start() + chrono::Duration::days(days);
                t.constraint = Some(Constraint { kind: ConstraintKind::Snet, date: Some(at) });
                t.deadline = Some(at + chrono::Duration::days(10));
            }
            (s, weeks)
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 100, .. ProptestConfig::default() })]

    /// On a calendar without dated exceptions, rebasing by whole weeks then computing gives the
    /// dates of computing then shifting, with the same durations, floats and critical tasks.
    #[test]
    fn rebasing_then_computing_is_computing_then_shifting((s, weeks) in constrained_network()) {
        let before = schedule(&s).unwrap();
        let mut moved = s.clone();
        rebase(&mut moved, weeks);
        let after = schedule(&moved).unwrap();
        let by = chrono::Duration::weeks(weeks);
        prop_assert_eq!(after.finish, before.finish + by);
        for (a, b) in after.tasks.iter().zip(&before.tasks) {
            prop_assert_eq!(a.early_start, b.early_start + by);
            prop_assert_eq!(a.early_finish, b.early_finish + by);
            prop_assert_eq!(a.late_finish, b.late_finish + by);
            prop_assert_eq!(a.total_float, b.total_float);
            prop_assert_eq!(a.free_float, b.free_float);
            prop_assert_eq!(a.critical, b.critical);
        }
    }

    /// Rebasing by n weeks then by -n gives the plan back.
    #[test]
    fn rebasing_there_and_back_is_identity((s, weeks) in constrained_network()) {
        let mut moved = s.clone();
        rebase(&mut moved, weeks);
        rebase(&mut moved, -weeks);
        prop_assert_eq!(moved, s);
    }
}
