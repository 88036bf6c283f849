//! The DSLIB schedule network: predecessor parsing, the conversion of a hand-built project (no
//! workbook needed) and the combined forecast on it.

#![allow(clippy::unwrap_used)] // Tests: a panic is the failure report.

use chrono::{NaiveDate, NaiveDateTime};
use keel_engine::forecast::evm::{TimeBasis, WorkCalendar};
use keel_engine::forecast::montecarlo::{Distribution, McInput, simulate};
use keel_engine::schedule::{LinkType, schedule};
use keel_interop::dslib::check::{CombinedMethod, CombinedOptions, Tolerance, check_with};
use keel_interop::dslib::network::{distribution_of, parse_predecessors};
use keel_interop::dslib::{Agenda, DslibActivity, DslibProject, ThreePoint, TrackingPeriod, TrackingRow};
use proptest::prelude::*;

fn at(d: u32, h: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2024, 1, d).unwrap().and_hms_opt(h, 0, 0).unwrap()
}

#[test]
fn predecessors_parse_types_and_lags() {
    let p = parse_predecessors("1FS;3SS+2d; 4FF-1w 1d;5SF+4h;6;FS7+1d", 8.0).unwrap();
    let got: Vec<(&str, LinkType, f64)> = p.iter().map(|x| (x.id.as_str(), x.kind, x.lag_hours)).collect();
    assert_eq!(
        got,
        vec![
            ("1", LinkType::FS, 0.0),
            ("3", LinkType::SS, 16.0),
            ("4", LinkType::FF, -48.0),
            ("5", LinkType::SF, 4.0),
            ("6", LinkType::FS, 0.0),
            ("7", LinkType::FS, 8.0),
        ]
    );
    assert!(parse_predecessors("", 8.0).unwrap().is_empty());
    assert!(parse_predecessors(" ; ", 8.0).unwrap().is_empty());
    // A 7.5-hour day: a week is five of them.
    assert_eq!(parse_predecessors("2FS+1w", 7.5).unwrap()[0].lag_hours, 37.5);
}

#[test]
fn durations_in_words_and_with_spaces() {
    use keel_interop::dslib::duration_hours;
    for (text, hours) in
        [("3d", 24.0), ("3 d", 24.0), ("34 days", 272.0), ("1w 2d", 56.0), ("9d 15h", 87.0), ("0", 0.0)]
    {
        assert_eq!(duration_hours(text, 8.0), Some(hours), "{text}");
    }
    for bad in ["", "d", "3x", "three days", "3d 4"] {
        assert_eq!(duration_hours(bad, 8.0), None, "{bad}");
    }
}

#[test]
fn bad_predecessors_say_what_was_expected() {
    for bad in ["3FS+soon", "3FS+2x", "+2d", "3 FS? 2", "3FS+"] {
        let e = parse_predecessors(bad, 8.0).unwrap_err();
        assert!(e.contains("entry") && e.contains("expected"), "{bad}: {e}");
    }
}

proptest! {
    #[test]
    fn predecessor_parsing_never_panics(s in "\\PC{0,40}") {
        let _ = parse_predecessors(&s, 8.0);
    }

    #[test]
    fn well_formed_predecessors_round_trip(
        items in prop::collection::vec((1u32..5000, 0usize..4, -20i32..20, 0usize..3), 1..6)
    ) {
        let kinds = [("FS", LinkType::FS), ("SS", LinkType::SS), ("FF", LinkType::FF), ("SF", LinkType::SF)];
        let units = [("d", 8.0), ("h", 1.0), ("w", 40.0)];
        let text: Vec<String> = items
            .iter()
            .map(|&(id, k, lag, u)| match lag {
                0 => format!("{id}{}", kinds[k].0),
                l if l > 0 => format!("{id}{}+{l}{}", kinds[k].0, units[u].0),
                l => format!("{id}{}-{}{}", kinds[k].0, -l, units[u].0),
            })
            .collect();
        let p = parse_predecessors(&text.join(";"), 8.0).unwrap();
        prop_assert_eq!(p.len(), items.len());
        for (x, &(id, k, lag, u)) in p.iter().zip(&items) {
            prop_assert_eq!(&x.id, &id.to_string());
            prop_assert_eq!(x.kind, kinds[k].1);
            prop_assert!((x.lag_hours - f64::from(lag) * units[u].1).abs() < 1e-9);
        }
    }
}

#[test]
fn profiles_map_to_distributions() {
    assert_eq!(distribution_of("standard - symmetric"), Distribution::Triangular);
    assert_eq!(distribution_of("standard - skewed right"), Distribution::Triangular);
    assert_eq!(distribution_of("Beta"), Distribution::Pert);
    assert_eq!(distribution_of("uniform"), Distribution::Uniform);
}

fn act(id: &str, wbs: &str, preds: &str, start: NaiveDateTime, finish: NaiveDateTime, dur: &str) -> DslibActivity {
    DslibActivity {
        row: 0,
        id: id.into(),
        name: format!("activity {id}"),
        wbs: wbs.into(),
        predecessors: preds.into(),
        start: Some(start),
        finish: Some(finish),
        duration: dur.into(),
        fixed_cost: 0.0,
        total_cost: 100.0,
        summary: false,
        risk: None,
    }
}

fn tracking(id: &str, start: Option<NaiveDateTime>, dur: &str, pc: f64, state: &str) -> TrackingRow {
    TrackingRow {
        id: id.into(),
        actual_start: start,
        actual_duration: dur.into(),
        percent_complete: pc,
        actual_cost: 100.0 * pc,
        state: state.into(),
        ev: None,
        pv: None,
    }
}

/// On an 8-12 / 13-17 Monday-to-Friday agenda with Wednesday 3 January a holiday, from Monday
/// 1 January 2024 8:00: a summary 1 over A (2d, Mon-Tue) and B (3d after A with a 1-day lag, so
/// Thu 4 (after the holiday and the lag) to Mon 8), and C (1d, SS+2d on A, Thu 4 because Wed is a
/// holiday). Baseline finish: Monday 8 January 17:00.
fn small_project() -> DslibProject {
    let week = [true, true, true, true, true, false, false];
    let hours = vec![(480, 720), (780, 1020)];
    let holidays = vec![NaiveDate::from_ymd_opt(2024, 1, 3).unwrap()];
    let mut acts = vec![
        act("1", "1", "", at(1, 8), at(8, 17), "6d"),
        act("2", "1.1", "", at(1, 8), at(2, 17), "2d"),
        act("3", "1.2", "2FS+1d", at(5, 8), at(8, 17), "2d"),
        act("4", "2", "2SS+2d", at(4, 8), at(4, 17), "1d"),
    ];
    acts[0].summary = true;
    acts[2].duration = "2d".into();
    for a in &mut acts[1..] {
        a.risk = Some(ThreePoint {
            profile: "standard - skewed right".into(),
            optimistic_pct: 90.0,
            most_likely_pct: 100.0,
            pessimistic_pct: 200.0,
        });
    }
    DslibProject {
        name: "Small network".into(),
        start: Some(at(1, 8)),
        calendar: Some(WorkCalendar::new(week, hours.clone(), holidays.clone()).unwrap()),
        agenda: Some(Agenda { week, hours, holidays }),
        activities: acts,
        periods: vec![
            // Tuesday 17:00: A finished late (3 working days: Mon, Tue and, after the holiday, Thu).
            TrackingPeriod {
                sheet: "Project Control - TP1".into(),
                name: "TP1".into(),
                status_date: at(2, 17),
                project_actual_duration: String::new(),
                rows: vec![
                    tracking("2", Some(at(1, 8)), "2d", 0.8, "Started"),
                    tracking("3", None, "", 0.0, "Not Started"),
                    tracking("4", None, "", 0.0, "Not Started"),
                ],
            },
            TrackingPeriod {
                sheet: "Project Control - TP2".into(),
                name: "TP2".into(),
                status_date: at(10, 17),
                project_actual_duration: String::new(),
                rows: vec![
                    tracking("2", Some(at(1, 8)), "3d", 1.0, "Finished"),
                    tracking("3", Some(at(8, 8)), "3d", 1.0, "Finished"),
                    tracking("4", Some(at(4, 8)), "1d", 1.0, "Finished"),
                ],
            },
        ],
        overview: Vec::new(),
        warnings: Vec::new(),
    }
}

#[test]
fn without_progress_the_network_finishes_at_the_baseline_finish() {
    let p = small_project();
    // On the logic alone and with the baseline starts held.
    for hold in [false, true] {
        let net = p.network("small.xlsx", None, hold).unwrap();
        assert_eq!(net.schedule.tasks.len(), 4);
        assert_eq!(net.schedule.links.len(), 2);
        assert_eq!(net.schedule.tasks[1].parent, Some(0));
        assert_eq!(net.schedule.tasks[3].parent, None);
        let r = schedule(&net.schedule).unwrap();
        assert_eq!(net.baseline_finish, Some(at(8, 17)));
        assert_eq!(r.finish, at(8, 17));
        for (i, a) in p.activities.iter().enumerate().skip(1) {
            assert_eq!((Some(r.tasks[i].start), Some(r.tasks[i].finish)), (a.start, a.finish), "activity {}", a.id);
        }
    }
    // A baseline start later than the logic's (a levelled baseline) is kept only when held.
    let mut p = small_project();
    p.activities[3].start = Some(at(8, 8));
    p.activities[3].finish = Some(at(8, 17));
    let finish_of = |hold| {
        let net = p.network("small.xlsx", None, hold).unwrap();
        schedule(&net.schedule).unwrap().tasks[3].finish
    };
    assert_eq!((finish_of(false), finish_of(true)), (at(4, 17), at(8, 17)));
}

#[test]
fn self_and_summary_links_are_dropped() {
    let mut p = small_project();
    p.activities[1].predecessors = "2SS".into();
    p.activities[2].predecessors = "2FS+1d;1FS".into();
    let net = p.network("small.xlsx", None, false).unwrap();
    assert_eq!(net.schedule.links.len(), 2);
    assert_eq!(net.dropped_links.len(), 2, "{:?}", net.dropped_links);
    assert_eq!(schedule(&net.schedule).unwrap().finish, at(8, 17));
}

#[test]
fn progress_moves_the_finish() {
    let p = small_project();
    // TP1: A is 80% done on Tuesday evening: 0.4 day remains, from the status date (Thursday after
    // the holiday), then B's lag of a day and its two days: Tuesday 9 January 12:00.
    let net = p.network("small.xlsx", Some(0), true).unwrap();
    let r = schedule(&net.schedule).unwrap();
    assert_eq!(r.finish, NaiveDate::from_ymd_opt(2024, 1, 9).unwrap().and_hms_opt(11, 12, 0).unwrap());
    // TP2: every activity finished: actual start plus actual duration on the calendar (B: Mon 8,
    // Tue 9, Wed 10).
    let net = p.network("small.xlsx", Some(1), true).unwrap();
    let r = schedule(&net.schedule).unwrap();
    assert_eq!(r.finish, at(10, 17));
    assert_eq!(net.schedule.tasks[1].actual_finish, Some(at(4, 17)));
    assert!(p.network("small.xlsx", Some(2), true).unwrap_err().to_string().contains("no tracking period 2"));
}

#[test]
fn monte_carlo_on_the_network_is_reproducible_and_ordered() {
    let p = small_project();
    let net = p.network("small.xlsx", Some(0), true).unwrap();
    let est = net.estimates(1.0);
    // A is started, B and C are not: three estimates; none on the summary.
    assert_eq!(est.iter().map(|e| e.0).collect::<Vec<_>>(), vec![1, 2, 3]);
    assert_eq!((est[1].1.optimistic_minutes, est[1].1.pessimistic_minutes), (864, 1920));
    let input = McInput { estimates: est, default_range: None, iterations: 500, seed: 7, ..McInput::default() };
    let a = simulate(&net.schedule, &input).unwrap();
    let b = simulate(&net.schedule, &input).unwrap();
    assert_eq!(a.finish, b.finish);
    assert!(a.finish.p50 <= a.finish.p80);
    // Scaled by 2: every unfinished duration doubles (the estimates' own shapes kept).
    let scaled = net.estimates(2.0);
    assert_eq!(scaled[1].1.pessimistic_minutes, 3840);
    // Finished: no estimates.
    assert!(p.network("small.xlsx", Some(1), true).unwrap().estimates(1.5).is_empty());
}

#[test]
fn combined_methods_are_measured_like_the_others() {
    let p = small_project();
    let c = check_with(
        "small.xlsx",
        &p,
        TimeBasis::WorkingDays(p.calendar.clone().unwrap()),
        &Tolerance::default(),
        &CombinedOptions { iterations: 200, ..CombinedOptions::default() },
    )
    .unwrap();
    assert!(c.network.agrees(), "{:?}", c.network);
    let a = c.accuracy.unwrap();
    assert_eq!(a.combined_forecasts.len(), 2);
    assert!(a.combined_error.is_none(), "{:?}", a.combined_error);
    // The last period is the real finish for every network method.
    for (k, m) in CombinedMethod::ALL.iter().enumerate() {
        let last = a.combined_forecasts[1][k].unwrap();
        assert!((last - a.real_duration).abs() < 1e-9, "{}: {last} vs {}", m.label(), a.real_duration);
        assert!(a.combined_mape[k].is_some(), "{}", m.label());
    }
}

#[test]
fn bad_text_names_file_sheet_row_and_field() {
    let mut p = small_project();
    p.activities[2].row = 5;
    p.activities[2].predecessors = "2FS+later".into();
    let e = p.network("bad.xlsx", None, true).unwrap_err();
    let t = e.to_string();
    assert_eq!(e.line, Some(5));
    assert!(t.contains("bad.xlsx") && t.contains("'Baseline Schedule'") && t.contains("Predecessors"), "{t}");
    let mut p = small_project();
    p.activities[2].predecessors = "99".into();
    let t = p.network("bad.xlsx", None, true).unwrap_err().to_string();
    assert!(t.contains("activity 3") && t.contains("'99'"), "{t}");
    let mut p = small_project();
    p.activities[1].duration = "two days".into();
    let t = p.network("bad.xlsx", None, true).unwrap_err().to_string();
    assert!(t.contains("Duration") && t.contains("two days"), "{t}");
    let mut p = small_project();
    p.periods[1].rows[0].actual_duration = "ages".into();
    let t = p.network("bad.xlsx", Some(1), true).unwrap_err().to_string();
    assert!(t.contains("'Project Control - TP2'") && t.contains("Actual Duration") && t.contains("ages"), "{t}");
}
