//! The blended and ratio-updated combined forecasts and the per-band errors of the DSLIB check, on
//! a hand-built project (no workbook needed) and on one corpus workbook (skipped when
//! `../shared/data/dslib` is absent).

#![allow(clippy::unwrap_used)] // Tests: a panic is the failure report.

use std::path::Path;

use chrono::{NaiveDate, NaiveDateTime};
use keel_engine::forecast::blend::{BlendRule, ProgressBand, blend_finish, progress_band};
use keel_engine::forecast::evm::{TimeBasis, TimeMethod, WorkCalendar, evaluate};
use keel_interop::dslib::check::{Accuracy, COMBINED, CombinedMethod, CombinedOptions, Tolerance, check_with};
use keel_interop::dslib::{self, Agenda, DslibActivity, DslibProject, ThreePoint, TrackingPeriod, TrackingRow};

fn at(d: u32, h: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2024, 1, d).unwrap().and_hms_opt(h, 0, 0).unwrap()
}

fn act(id: &str, preds: &str, start: NaiveDateTime, finish: NaiveDateTime, dur: &str) -> DslibActivity {
    DslibActivity {
        row: 0,
        id: id.into(),
        name: format!("activity {id}"),
        wbs: id.into(),
        predecessors: preds.into(),
        start: Some(start),
        finish: Some(finish),
        duration: dur.into(),
        fixed_cost: 0.0,
        total_cost: 100.0,
        summary: false,
        risk: Some(ThreePoint {
            profile: "standard - skewed right".into(),
            optimistic_pct: 90.0,
            most_likely_pct: 100.0,
            pessimistic_pct: 150.0,
        }),
    }
}

fn tracking(id: &str, start: Option<NaiveDateTime>, dur: &str, pc: f64) -> TrackingRow {
    TrackingRow {
        id: id.into(),
        actual_start: start,
        actual_duration: dur.into(),
        percent_complete: pc,
        actual_cost: 100.0 * pc,
        state: if pc >= 1.0 {
            "Finished"
        } else if pc > 0.0 {
            "Started"
        } else {
            "Not Started"
        }
        .into(),
        ev: None,
        pv: None,
    }
}

fn period(k: u32, status: NaiveDateTime, rows: Vec<TrackingRow>) -> TrackingPeriod {
    TrackingPeriod {
        sheet: format!("Project Control - TP{k}"),
        name: format!("TP{k}"),
        status_date: status,
        project_actual_duration: String::new(),
        rows,
    }
}

/// A chain of three 2-day activities from Monday 1 January 2024 (no holidays): A Mon-Tue, B Wed-Thu,
/// C Fri-Mon. A takes 3 days and B 4, so C finishes on Friday 12 January; four tracking periods.
fn chain() -> DslibProject {
    let week = [true, true, true, true, true, false, false];
    let hours = vec![(480, 720), (780, 1020)];
    DslibProject {
        name: "Chain".into(),
        start: Some(at(1, 8)),
        calendar: Some(WorkCalendar::new(week, hours.clone(), Vec::new()).unwrap()),
        agenda: Some(Agenda { week, hours, holidays: Vec::new() }),
        activities: vec![
            act("1", "", at(1, 8), at(2, 17), "2d"),
            act("2", "1", at(3, 8), at(4, 17), "2d"),
            act("3", "2", at(5, 8), at(8, 17), "2d"),
        ],
        periods: vec![
            period(1, at(2, 17), vec![tracking("1", Some(at(1, 8)), "2d", 0.6), tracking("2", None, "", 0.0)]),
            period(
                2,
                at(5, 17),
                vec![tracking("1", Some(at(1, 8)), "3d", 1.0), tracking("2", Some(at(4, 8)), "2d", 0.5)],
            ),
            period(
                3,
                at(9, 17),
                vec![
                    tracking("1", Some(at(1, 8)), "3d", 1.0),
                    tracking("2", Some(at(4, 8)), "4d", 1.0),
                    tracking("3", None, "", 0.0),
                ],
            ),
            period(
                4,
                at(12, 17),
                vec![
                    tracking("1", Some(at(1, 8)), "3d", 1.0),
                    tracking("2", Some(at(4, 8)), "4d", 1.0),
                    tracking("3", Some(at(10, 8)), "3d", 1.0),
                ],
            ),
        ],
        overview: Vec::new(),
        warnings: Vec::new(),
    }
}

#[test]
fn finished_ratio_is_the_median_of_actual_over_planned() {
    let p = chain();
    assert_eq!(p.network("chain.xlsx", None, true).unwrap().finished_duration_ratio(), None);
    assert_eq!(p.network("chain.xlsx", Some(0), true).unwrap().finished_duration_ratio(), None);
    assert_eq!(p.network("chain.xlsx", Some(1), true).unwrap().finished_duration_ratio(), Some(1.5));
    // 3/2 and 4/2: the median of two is their mean.
    assert_eq!(p.network("chain.xlsx", Some(2), true).unwrap().finished_duration_ratio(), Some(1.75));
    assert_eq!(p.network("chain.xlsx", Some(3), true).unwrap().finished_duration_ratio(), Some(1.5));
}

fn accuracy(p: &DslibProject) -> (Accuracy, Vec<Option<f64>>) {
    let basis = TimeBasis::WorkingDays(p.calendar.clone().unwrap());
    let opts = CombinedOptions { iterations: 300, ..CombinedOptions::default() };
    let c = check_with("chain.xlsx", p, basis.clone(), &Tolerance::default(), &opts).unwrap();
    let report = evaluate(&p.evm_input("chain.xlsx", basis).unwrap()).unwrap();
    let es = report.periods.iter().map(|m| m.time_forecast(TimeMethod::EsPf1)).collect();
    (c.accuracy.unwrap(), es)
}

#[test]
fn blends_lie_between_earned_schedule_and_the_network() {
    let (a, es) = accuracy(&chain());
    let ix = |m: CombinedMethod| CombinedMethod::ALL.iter().position(|x| *x == m).unwrap();
    assert_eq!(CombinedMethod::ALL.len(), COMBINED);
    assert_eq!(a.progress.len(), 4);
    assert!(a.progress.windows(2).all(|w| w[0] <= w[1]), "{:?}", a.progress);
    assert_eq!(*a.progress.last().unwrap(), 1.0);
    for (k, row) in a.combined_forecasts.iter().enumerate() {
        let (e, n) = (es[k].unwrap(), row[ix(CombinedMethod::McP80)].unwrap());
        for (m, rule) in
            [(CombinedMethod::BlendLinear, BlendRule::Linear), (CombinedMethod::BlendQuadratic, BlendRule::Quadratic)]
        {
            let b = row[ix(m)].unwrap();
            assert!((b - blend_finish(e, n, a.progress[k], rule)).abs() < 1e-9, "period {k}");
            assert!(b >= e.min(n) - 1e-9 && b <= e.max(n) + 1e-9, "period {k}: {b} not between {e} and {n}");
        }
    }
    // At the last period every method is the real duration.
    for (k, m) in CombinedMethod::ALL.iter().enumerate() {
        let last = a.combined_forecasts[3][k].unwrap();
        assert!((last - a.real_duration).abs() < 1e-9, "{}: {last} vs {}", m.label(), a.real_duration);
    }
    // The activities run late (3/2, then 7/4): scaling the rest by that ratio forecasts later
    // than the plain simulation once something is finished, and the same before.
    for (k, row) in a.combined_forecasts.iter().enumerate().take(3) {
        let (plain, scaled) = (row[ix(CombinedMethod::McP80)].unwrap(), row[ix(CombinedMethod::McRatioP80)].unwrap());
        if k == 0 {
            assert_eq!(plain, scaled);
        } else {
            assert!(scaled >= plain, "period {k}: {scaled} < {plain}");
        }
    }
}

#[test]
fn band_errors_cover_the_periods_of_each_band() {
    let (a, _) = accuracy(&chain());
    let bands: Vec<ProgressBand> = a.progress.iter().map(|p| progress_band(*p)).collect();
    for b in ProgressBand::ALL {
        let present = bands.contains(&b);
        for (k, m) in CombinedMethod::ALL.iter().enumerate() {
            assert_eq!(a.combined_band_mape[k][b.index()].is_some(), present, "{} {}", m.label(), b.label());
        }
        for k in 0..9 {
            if a.time_mape[k].is_none() {
                assert!(a.time_band_mape[k][b.index()].is_none());
            }
        }
    }
    // One band alone is the whole: a band's MAPE is the mean over its periods, so the overall MAPE
    // is the period-weighted mean of the bands'.
    for k in 0..COMBINED {
        let (mut sum, mut n) = (0.0, 0usize);
        for b in ProgressBand::ALL {
            let count = bands.iter().filter(|x| **x == b).count();
            if let Some(v) = a.combined_band_mape[k][b.index()] {
                sum += v * count as f64;
                n += count;
            }
        }
        assert!((sum / n as f64 - a.combined_mape[k].unwrap()).abs() < 1e-9, "{}", CombinedMethod::ALL[k].label());
    }
}

/// One real workbook: every period has a blend between ES PF=1 and MC P80, and the last period is
/// late.
#[test]
fn corpus_workbook_blends() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/dslib/workbooks");
    let path = dir.join("C2011-12 Claeys-Verhelst Premises.xlsx");
    if !path.is_file() {
        eprintln!("skipped: {} is absent", path.display());
        return;
    }
    let name = "C2011-12 Claeys-Verhelst Premises.xlsx";
    let p = dslib::read(name, &std::fs::read(&path).unwrap()).unwrap();
    let basis = p.time_basis();
    let opts = CombinedOptions { iterations: 100, ..CombinedOptions::default() };
    let c = check_with(name, &p, basis.clone(), &Tolerance::default(), &opts).unwrap();
    let a = c.accuracy.unwrap();
    let report = evaluate(&p.evm_input(name, basis).unwrap()).unwrap();
    assert_eq!(progress_band(*a.progress.last().unwrap()), ProgressBand::Late);
    let ix = |m: CombinedMethod| CombinedMethod::ALL.iter().position(|x| *x == m).unwrap();
    for (k, row) in a.combined_forecasts.iter().enumerate() {
        let (Some(e), Some(n)) = (report.periods[k].time_forecast(TimeMethod::EsPf1), row[ix(CombinedMethod::McP80)])
        else {
            continue;
        };
        let b = row[ix(CombinedMethod::BlendLinear)].unwrap();
        assert!(b >= e.min(n) - 1e-9 && b <= e.max(n) + 1e-9, "period {k}");
    }
    assert!(a.combined_mape.iter().all(Option::is_some), "{:?}", a.combined_mape);
}
