//! Monte Carlo schedule risk: exactness against the CPM engine, the fast kernel against the general
//! path, reproducibility and the distribution invariants.

use chrono::{NaiveDate, NaiveDateTime};
use keel_engine::forecast::montecarlo::*;
use keel_engine::schedule::generate::{GenOptions, Shape, generate};
use keel_engine::schedule::{self, calendar, *};
use proptest::prelude::*;

fn start() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2024, 1, 1).and_then(|d| d.and_hms_opt(8, 0, 0)).expect("date")
}

fn task(code: &str, minutes: i64) -> Task {
    Task {
        code: code.into(),
        name: code.into(),
        outline_level: 1,
        duration: Duration::working(minutes, DurationUnit::Minutes),
        ..Default::default()
    }
}

fn fs(pred: usize, succ: usize) -> Link {
    Link { pred, succ, kind: LinkType::FS, lag: Lag::default() }
}

fn plan(tasks: Vec<Task>, links: Vec<Link>) -> Schedule {
    Schedule {
        projects: vec![ProjectInfo { start: start(), ..Default::default() }],
        calendars: vec![calendar::standard()],
        tasks,
        links,
        ..Default::default()
    }
}

/// Zero-width estimates at each task's planned duration, no default range.
fn zero_width(s: &Schedule, iterations: u32) -> McInput {
    let estimates = s
        .tasks
        .iter()
        .enumerate()
        .filter(|(_, t)| !t.is_milestone() && !t.is_summary_like() && t.actual_finish.is_none())
        .map(|(i, t)| (i, Estimate::triangular(t.duration.minutes, t.duration.minutes, t.duration.minutes)))
        .collect();
    McInput { estimates, default_range: None, iterations, seed: 9, ..Default::default() }
}

/// Asserts every iteration reproduced the deterministic schedule exactly.
fn assert_matches_cpm(s: &Schedule, r: &McResult) {
    let det = schedule::schedule(s).expect("schedules");
    assert_eq!(r.finish.min, det.finish, "project finish (min)");
    assert_eq!(r.finish.max, det.finish, "project finish (max)");
    assert_eq!(r.deterministic_finish, det.finish);
    assert_eq!(r.p_meet_deterministic, 1.0);
    for o in &r.tasks {
        let d = &det.tasks[o.task];
        assert_eq!((o.finish_min, o.finish_max), (d.finish, d.finish), "task {} finish", o.task);
        let want = if d.critical { 1.0 } else { 0.0 };
        assert_eq!(o.criticality, want, "task {} criticality", o.task);
    }
    for m in &r.milestones {
        assert_eq!((m.finish.min, m.finish.max), (det.tasks[m.task].finish, det.tasks[m.task].finish));
    }
}

/// Marks the first `done` tasks finished and the next `running` half done, as the engine
/// scheduled them, with the status date at the last actual date.
fn progress(mut s: Schedule, done: usize, running: usize) -> Schedule {
    let det = schedule::schedule(&s).expect("schedules");
    let mut status = start();
    for t in 0..(done + running).min(s.tasks.len()) {
        let r = det.tasks[t];
        s.tasks[t].actual_start = Some(r.early_start);
        if t < done {
            s.tasks[t].actual_finish = Some(r.early_finish);
            s.tasks[t].percent_complete = 100.0;
            status = status.max(r.early_finish);
        } else {
            s.tasks[t].percent_complete = 50.0;
            status = status.max(r.early_start);
        }
    }
    s.projects[0].status_date = Some(status);
    s
}

/// A one-calendar network with every link type, lags, leads and milestones.
fn mixed_links(n: usize, seed: u64) -> Schedule {
    let mut s = generate(&GenOptions { tasks: n, shape: Shape::Simple, seed });
    for (i, l) in s.links.iter_mut().enumerate() {
        l.kind = [LinkType::FS, LinkType::SS, LinkType::FF, LinkType::SF, LinkType::FS][i % 5];
        l.lag.amount = [0, 480, -240, 0, 960, 0][i % 6];
    }
    for (i, t) in s.tasks.iter_mut().enumerate() {
        if i % 17 == 5 {
            t.kind = TaskKind::Milestone;
            t.duration.minutes = 0;
        }
    }
    s
}

fn without_kernel(r: &McResult) -> McResult {
    McResult { kernel: Kernel::General, ..r.clone() }
}

#[test]
fn zero_width_equals_cpm_on_one_calendar() {
    let s = generate(&GenOptions { tasks: 300, shape: Shape::Simple, seed: 4 });
    let r = simulate(&s, &zero_width(&s, 40)).expect("simulates");
    assert_eq!(r.kernel, Kernel::Fast);
    assert_matches_cpm(&s, &r);
}

#[test]
fn zero_width_equals_cpm_with_every_link_type_in_both_modes() {
    for mode in [Mode::MsProject, Mode::Primavera] {
        let mut s = mixed_links(200, 11);
        s.options.mode = mode;
        let r = simulate(&s, &zero_width(&s, 20)).expect("simulates");
        assert_eq!(r.kernel, Kernel::Fast);
        assert_matches_cpm(&s, &r);
        let g = simulate(&s, &McInput { kernel: KernelChoice::General, ..zero_width(&s, 20) }).expect("simulates");
        assert_matches_cpm(&s, &g);
    }
}

#[test]
fn zero_width_equals_cpm_on_multi_calendar_networks() {
    for seed in [1, 2] {
        let s = generate(&GenOptions { tasks: 150, shape: Shape::Mixed, seed });
        let r = simulate(&s, &zero_width(&s, 8)).expect("simulates");
        assert_eq!(r.kernel, Kernel::General);
        assert_matches_cpm(&s, &r);
    }
}

#[test]
fn zero_width_equals_cpm_on_progressed_schedules() {
    for mode in [Mode::MsProject, Mode::Primavera] {
        for shape in [Shape::Simple, Shape::Mixed] {
            let mut s = generate(&GenOptions { tasks: 120, shape, seed: 5 });
            s.options.mode = mode;
            let s = progress(s, 30, 10);
            let r = simulate(&s, &zero_width(&s, 8)).expect("simulates");
            assert_matches_cpm(&s, &r);
        }
    }
}

#[test]
fn default_range_of_100_percent_equals_cpm_and_lists_the_tasks() {
    let s = generate(&GenOptions { tasks: 80, shape: Shape::Mixed, seed: 8 });
    let dr = DefaultRange { optimistic_pct: 100, most_likely_pct: 100, pessimistic_pct: 100, ..Default::default() };
    let r = simulate(&s, &McInput { default_range: Some(dr), iterations: 8, ..Default::default() }).expect("simulates");
    assert_matches_cpm(&s, &r);
    assert_eq!(r.defaulted_tasks, (0..80).collect::<Vec<_>>());
}

#[test]
fn fast_kernel_equals_general_path() {
    for mode in [Mode::MsProject, Mode::Primavera] {
        let mut s = mixed_links(120, 3);
        s.options.mode = mode;
        s.tasks[7].deadline = Some(start() + chrono::Duration::days(40));
        s.tasks[3].cost_minor = Some(100_000);
        let input = McInput {
            estimates: vec![
                (1, Estimate { distribution: Distribution::Pert, ..Estimate::triangular(100, 900, 3000) }),
                (4, Estimate { distribution: Distribution::LogNormal, ..Estimate::triangular(100, 900, 3000) }),
                (6, Estimate { distribution: Distribution::Uniform, ..Estimate::triangular(0, 0, 3000) }),
            ],
            risks: vec![RiskEvent {
                key: "R1".into(),
                name: "Late permit".into(),
                probability: 0.3,
                tasks: vec![2, 9],
                impact: Estimate::triangular(480, 960, 2400),
                cost_minor: 5_000,
            }],
            correlations: vec![CorrelationGroup { name: "site".into(), tasks: vec![10, 11, 12], rho: 0.6 }],
            iterations: 200,
            seed: 77,
            ..Default::default()
        };
        let fast = simulate(&s, &input).expect("simulates");
        assert_eq!(fast.kernel, Kernel::Fast);
        let general = simulate(&s, &McInput { kernel: KernelChoice::General, ..input }).expect("simulates");
        assert_eq!(general.kernel, Kernel::General);
        assert_eq!(without_kernel(&fast), general);
    }
}

#[test]
fn chain_tasks_are_always_critical() {
    let s = plan((0..5).map(|i| task(&format!("T{i}"), 480)).collect(), (0..4).map(|i| fs(i, i + 1)).collect());
    let r = simulate(&s, &McInput { iterations: 300, ..Default::default() }).expect("simulates");
    assert!(r.tasks.iter().all(|t| t.criticality == 1.0));
}

#[test]
fn max_of_two_uniform_tasks_has_the_textbook_median() {
    // Two parallel tasks, each uniform on 0..=10000 minutes: the finish is the larger, whose
    // CDF is x^2, so its median is 10000 / sqrt(2) = 7071 minutes.
    let s = plan(vec![task("A", 5000), task("B", 5000), task("End", 0)], vec![fs(0, 2), fs(1, 2)]);
    let uni = Estimate { distribution: Distribution::Uniform, ..Estimate::triangular(0, 5000, 10_000) };
    let mut input =
        McInput { estimates: vec![(0, uni), (1, uni)], default_range: None, iterations: 20_000, ..Default::default() };
    let r = simulate(&s, &input).expect("simulates");
    let p50 = r.duration_days.p50 * 480.0;
    assert!((p50 - 7071.0).abs() < 150.0, "median {p50}");
    // Fully correlated, the two draws coincide: the median is that of one uniform.
    input.correlations = vec![CorrelationGroup { name: String::new(), tasks: vec![0, 1], rho: 1.0 }];
    let r = simulate(&s, &input).expect("simulates");
    let p50 = r.duration_days.p50 * 480.0;
    assert!((p50 - 5000.0).abs() < 150.0, "median {p50}");
    // Both drive the finish about equally.
    let s0 = r.tasks[0].sensitivity.expect("varies");
    assert!(s0 > 0.5, "sensitivity {s0}");
}

#[test]
fn a_task_that_never_drives_the_finish_has_no_sensitivity() {
    // A (5 days, long path) and B (1 day, far off it) in parallel into End: B is never critical.
    let s = plan(vec![task("A", 2400), task("B", 480), task("End", 0)], vec![fs(0, 2), fs(1, 2)]);
    let est = |o, m, p| Estimate::triangular(o, m, p);
    let mut input = McInput {
        estimates: vec![(0, est(2000, 2400, 3000)), (1, est(400, 480, 600))],
        default_range: None,
        iterations: 2_000,
        ..Default::default()
    };
    let r = simulate(&s, &input).expect("simulates");
    assert_eq!(r.tasks[1].criticality, 0.0);
    assert_eq!(r.tasks[1].sensitivity, Some(0.0), "never critical, ungrouped: exactly 0");
    let a = r.tasks[0].sensitivity.expect("varies");
    assert!(a > 0.9, "A alone drives the finish: {a}");
    // B drives nothing, so the tornado has no bar for it.
    let bars: Vec<Driver> = r.tornado.iter().map(|e| e.driver).collect();
    assert_eq!(bars, vec![Driver::Task { task: 0 }]);
    // In a correlation group with A, B's draws move with A's: its correlation with the finish
    // is real, and is computed.
    input.correlations = vec![CorrelationGroup { name: "g".into(), tasks: vec![0, 1], rho: 0.9 }];
    let r = simulate(&s, &input).expect("simulates");
    assert_eq!(r.tasks[1].criticality, 0.0);
    let b = r.tasks[1].sensitivity.expect("varies");
    assert!(b > 0.5, "correlated with the driver: {b}");
}

#[test]
fn a_certain_risk_moves_the_finish_by_its_impact() {
    let s = plan(vec![task("A", 480), task("B", 480)], vec![fs(0, 1)]);
    let mut input = McInput { default_range: None, iterations: 50, ..Default::default() };
    let base = simulate(&s, &input).expect("simulates");
    input.risks = vec![RiskEvent {
        key: "R".into(),
        name: "Rework".into(),
        probability: 1.0,
        tasks: vec![0],
        impact: Estimate::triangular(480, 480, 480),
        cost_minor: 700,
    }];
    let r = simulate(&s, &input).expect("simulates");
    // Two days of work become three: Wednesday evening instead of Tuesday evening.
    assert_eq!(base.finish.p50.to_string(), "2024-01-02 17:00:00");
    assert_eq!(r.finish.min.to_string(), "2024-01-03 17:00:00");
    assert_eq!(r.finish.max, r.finish.min);
    assert_eq!(r.cost.map(|c| (c.min, c.max)), Some((700.0, 700.0)));
    input.risks[0].probability = 0.0;
    assert_eq!(simulate(&s, &input).expect("simulates").finish, base.finish);
}

#[test]
fn costs_scale_with_duration() {
    let mut s = plan(vec![task("A", 480)], vec![]);
    s.tasks[0].cost_minor = Some(1000);
    let input = McInput {
        estimates: vec![(0, Estimate { distribution: Distribution::Uniform, ..Estimate::triangular(240, 480, 960) })],
        iterations: 2000,
        ..Default::default()
    };
    let r = simulate(&s, &input).expect("simulates");
    let c = r.cost.expect("costs");
    // Uniform 240..960 minutes: cost 500..2000, mean 1250.
    assert!(c.min >= 500.0 && c.max <= 2000.0, "{c:?}");
    assert!((c.mean - 1250.0).abs() < 30.0, "{c:?}");
}

#[test]
fn convergence_stops_early_and_says_so() {
    let s = generate(&GenOptions { tasks: 60, shape: Shape::Simple, seed: 2 });
    let input = McInput {
        iterations: 50_000,
        convergence: Some(Convergence { check_every: 512, tolerance_minutes: 480 }),
        ..Default::default()
    };
    let r = simulate(&s, &input).expect("simulates");
    assert_eq!(r.converged, Some(true));
    assert!(r.iterations < 50_000 && r.iterations.is_multiple_of(512), "{}", r.iterations);
    assert_eq!(r.requested_iterations, 50_000);
}

#[test]
fn invalid_input_is_refused_naming_the_field() {
    let mut s = plan(vec![task("A", 480), task("M", 0)], vec![fs(0, 1)]);
    s.tasks[1].kind = TaskKind::Milestone;
    let run = |input: McInput| simulate(&s, &input).expect_err("refused").to_string();
    let e = run(McInput { estimates: vec![(0, Estimate::triangular(500, 400, 600))], ..Default::default() });
    assert!(e.contains("A") && e.contains("most_likely_minutes"), "{e}");
    let e = run(McInput { estimates: vec![(5, Estimate::triangular(1, 2, 3))], ..Default::default() });
    assert!(e.contains("#5") && e.contains("task"), "{e}");
    let risk = RiskEvent {
        key: "R7".into(),
        name: "Strike".into(),
        probability: 1.5,
        tasks: vec![0],
        impact: Estimate::triangular(1, 2, 3),
        cost_minor: 0,
    };
    let e = run(McInput { risks: vec![risk.clone()], ..Default::default() });
    assert!(e.contains("R7") && e.contains("probability"), "{e}");
    let e = run(McInput { risks: vec![RiskEvent { probability: 0.5, tasks: vec![1], ..risk }], ..Default::default() });
    assert!(e.contains("R7") && e.contains("tasks"), "{e}");
    let g = CorrelationGroup { name: "g".into(), tasks: vec![0, 1], rho: 1.2 };
    let e = run(McInput { correlations: vec![g], ..Default::default() });
    assert!(e.contains("rho"), "{e}");
    let e = run(McInput { iterations: 0, ..Default::default() });
    assert!(e.contains("iterations"), "{e}");
    let e = run(McInput { estimates: vec![(1, Estimate::triangular(1, 2, 3))], ..Default::default() });
    assert!(e.contains("milestone"), "{e}");
}

#[test]
fn result_round_trips_through_json() {
    let s = mixed_links(40, 1);
    let r = simulate(&s, &McInput { iterations: 64, ..Default::default() }).expect("simulates");
    let json = serde_json::to_string(&r).expect("serialises");
    let back: McResult = serde_json::from_str(&json).expect("deserialises");
    // Compared as parsed JSON values: the same parser reads both, so floats compare exactly.
    let as_value: serde_json::Value = serde_json::from_str(&json).expect("parses");
    assert_eq!(serde_json::to_value(&back).expect("serialises"), as_value);
    assert_eq!((back.iterations, back.finish.p80, back.tasks.len()), (r.iterations, r.finish.p80, r.tasks.len()));
    assert_eq!(r.engine_version, keel_engine::forecast::ENGINE_VERSION);
    assert!(json.contains("\"kernel\":\"fast\""), "{json}");
}

/// Schedule with every drawn duration at one end of its estimate.
fn at_end(s: &Schedule, est: &[(usize, Estimate)], pessimistic: bool) -> Schedule {
    let mut s = s.clone();
    for &(t, e) in est {
        s.tasks[t].duration.minutes = if pessimistic { e.pessimistic_minutes } else { e.optimistic_minutes };
    }
    s
}

fn estimates_strategy(n: usize) -> impl Strategy<Value = Vec<(usize, Estimate)>> {
    // Bounded shapes only: a lognormal's tail runs past its pessimistic value by design.
    proptest::collection::vec((0i64..3000, 0i64..3000, 0i64..3000, 0u8..3), n).prop_map(|v| {
        v.into_iter()
            .enumerate()
            .map(|(i, (a, b, c, d))| {
                let mut x = [a, b, c];
                x.sort_unstable();
                let distribution = [Distribution::Triangular, Distribution::Pert, Distribution::Uniform][d as usize];
                (
                    i,
                    Estimate {
                        optimistic_minutes: x[0],
                        most_likely_minutes: x[1],
                        pessimistic_minutes: x[2],
                        distribution,
                    },
                )
            })
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn invariants_hold(seed in 0u64..1000, net_seed in 0u64..100, est in estimates_strategy(60), p6 in any::<bool>()) {
        let mut s = mixed_links(60, net_seed);
        if p6 {
            s.options.mode = Mode::Primavera;
        }
        let est: Vec<_> = est.into_iter().filter(|(t, _)| !s.tasks[*t].is_milestone()).collect();
        let input = McInput { estimates: est.clone(), default_range: None, iterations: 300, seed, ..Default::default() };
        let r = simulate(&s, &input).expect("simulates");
        let f = &r.finish;
        prop_assert!(f.min <= f.p10 && f.p10 <= f.p50 && f.p50 <= f.p80 && f.p80 <= f.p90 && f.p90 <= f.max);
        // Bounds by the all-optimistic and all-pessimistic schedules: CPM is monotone in the
        // durations only without finish-to-finish and start-to-finish links (a longer task under
        // an FF link starts earlier, and so do its SS successors), so check on that variant.
        let mut mono = s.clone();
        for l in &mut mono.links {
            l.kind = match l.kind {
                LinkType::FF => LinkType::FS,
                LinkType::SF => LinkType::SS,
                k => k,
            };
        }
        let m = simulate(&mono, &input).expect("simulates").finish;
        let lo = schedule::schedule(&at_end(&mono, &est, false)).expect("schedules").finish;
        let hi = schedule::schedule(&at_end(&mono, &est, true)).expect("schedules").finish;
        prop_assert!(lo <= m.min && m.max <= hi, "{lo} <= {} .. {} <= {hi}", m.min, m.max);
        for t in &r.tasks {
            prop_assert!((0.0..=1.0).contains(&t.criticality));
            if let Some(x) = t.sensitivity {
                prop_assert!((-1.0..=1.0).contains(&x));
            }
        }
        // Same seed, same result, whatever the thread count.
        let again = simulate(&s, &McInput { threads: Some(1), ..input.clone() }).expect("simulates");
        prop_assert_eq!(&again, &r);
        let three = simulate(&s, &McInput { threads: Some(3), ..input.clone() }).expect("simulates");
        prop_assert_eq!(&three, &r);
        // The general path agrees with the fast kernel.
        let general = simulate(&s, &McInput { kernel: KernelChoice::General, ..input }).expect("simulates");
        prop_assert_eq!(without_kernel(&r), general);
    }
}
