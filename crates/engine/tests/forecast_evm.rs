//! Earned value and earned schedule: a project worked out on paper, and the invariants.

use chrono::{Duration, NaiveDate, NaiveDateTime};
use keel_engine::forecast::evm::*;
use proptest::prelude::*;

fn day(t: f64) -> NaiveDateTime {
    let base = NaiveDate::from_ymd_opt(2024, 1, 1).and_then(|d| d.and_hms_opt(0, 0, 0)).expect("valid date");
    base + Duration::milliseconds((t * 86_400_000.0).round() as i64)
}

fn act(id: &str, s: f64, e: f64, cost: f64, fixed: f64) -> EvmActivity {
    EvmActivity { id: id.into(), start: day(s), finish: day(e), cost, fixed_cost: fixed }
}

fn status(pc: f64, ac: f64) -> ActivityStatus {
    ActivityStatus {
        percent_complete: pc,
        actual_cost: Some(ac),
        actual_start: (pc > 0.0).then(|| day(0.0)),
        actual_finish: None,
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * (1.0 + b.abs())
}

macro_rules! assert_close {
    ($a:expr, $b:expr) => {{
        let (a, b): (f64, f64) = ($a, $b);
        assert!(close(a, b), "{} = {a}, expected {b}", stringify!($a));
    }};
}

/// Three activities on calendar days, status at day 6.
///
/// ```text
///   A  days 0-4   budget 400            100% done   AC 450
///   B  days 4-10  budget 600            25% done    AC 200
///   C  days 2-8   budget 300, 60 fixed  50% done    AC 150      BAC 1300, PD 10, AT 6
///
/// PV(6) = A 400 + B 600*2/6 = 200 + C 60 + 240*4/6 = 220            = 820
/// EV    = A 400 + B 0.25*600 = 150 + C 60 + 0.5*240 = 180           = 730
/// AC = 800; SV = -90; SPI = 730/820 = 0.890244; CV = -70; CPI = 730/800 = 0.9125
/// ES: PV(5) = 400 + 100 + (60 + 240*3/6 = 180) = 680; between 4 and 8 PV rises 100 + 40 = 140 a day,
///     so ES = 5 + (730 - 680)/140 = 5.357143; SV(t) = -0.642857; SPI(t) = 5.357143/6 = 0.892857 (25/28)
/// p-factor: PV_i(ES) = A 400, B 600*1.357143/6 = 135.714, C 60 + 240*3.357143/6 = 194.286 (sum 730)
///     sum of min(PV_i(ES), EV_i) = 400 + 135.714 + 180 = 715.714; p = 715.714/730 = 0.980431
/// EAC(t): ES PF=1 = 6 + 10 - 5.357143 = 10.642857; ES PF=SPI(t) = 6 + 4.642857/0.892857 = 11.2
///         PV PF=1 = 10 - (-90)/(1300/10) = 10.692308; PV PF=SPI = 10/0.890244 = 11.232877
///         ED = 6*0.890244 = 5.341463; ED PF=1 = 6 + 10 - 5.341463 = 10.658537
/// EAC: PF=1 = 800 + 570 = 1370; PF=CPI = 800 + 570/0.9125 = 1424.657534; PF=SPI(t) = 800 + 570*28/25 = 1438.4
/// TCPI(BAC) = 570/(1300 - 800) = 1.14; TCPI(EAC) = 570/624.657534 = 0.9125
/// ```
#[test]
fn three_activity_project_worked_on_paper() {
    let input = EvmInput {
        activities: vec![
            act("A", 0.0, 4.0, 400.0, 0.0),
            act("B", 4.0, 10.0, 600.0, 0.0),
            act("C", 2.0, 8.0, 300.0, 60.0),
        ],
        periods: vec![StatusPeriod {
            status_date: day(6.0),
            activities: vec![status(1.0, 450.0), status(0.25, 200.0), status(0.5, 150.0)],
        }],
        time_basis: TimeBasis::CalendarDays,
        project_start: None,
    };
    let r = evaluate(&input).expect("valid input");
    assert_close!(r.bac, 1300.0);
    assert_close!(r.planned_duration, 10.0);
    let p = &r.periods[0];
    assert_close!(p.at, 6.0);
    assert_close!(p.pv, 820.0);
    assert_close!(p.ev, 730.0);
    assert_close!(p.ac.expect("known"), 800.0);
    assert_close!(p.sv, -90.0);
    assert_close!(p.spi.expect("pv > 0"), 0.890_243_902);
    assert_close!(p.cv.expect("known"), -70.0);
    assert_close!(p.cpi.expect("ac > 0"), 0.9125);
    assert_close!(p.es, 5.357_142_857);
    assert_close!(p.sv_t, -0.642_857_143);
    assert_close!(p.spi_t.expect("at > 0"), 25.0 / 28.0);
    assert_close!(p.p_factor.expect("pv(es) > 0"), 0.980_430_528);
    let t = |m| p.time_forecast(m).expect("defined");
    assert_close!(t(TimeMethod::EsPf1), 10.642_857_143);
    assert_close!(t(TimeMethod::EsSpit), 11.2);
    assert_close!(t(TimeMethod::EsScit), 6.0 + 5.2 / 0.9125);
    assert_close!(t(TimeMethod::PvPf1), 10.692_307_692);
    assert_close!(t(TimeMethod::PvSpi), 11.232_876_712);
    assert_close!(t(TimeMethod::PvSci), 11.232_876_712 / 0.9125);
    assert_close!(t(TimeMethod::EdPf1), 10.658_536_585);
    // With PD > AT the ED method with PF = SPI equals PD / SPI.
    assert_close!(t(TimeMethod::EdSpi), 11.232_876_712);
    let c = |m| p.cost_forecast(m).expect("defined");
    assert_close!(c(CostMethod::Pf1), 1370.0);
    assert_close!(c(CostMethod::Cpi), 1_424.657_534);
    assert_close!(c(CostMethod::Spit), 1438.4);
    assert_close!(c(CostMethod::Spi), 800.0 + 570.0 * 820.0 / 730.0);
    assert_close!(c(CostMethod::Composite), 800.0 + 570.0 / (0.8 * 0.9125 + 0.2 * 730.0 / 820.0));
    assert_close!(p.tcpi_bac.expect("defined"), 1.14);
    assert_close!(p.tcpi_eac.expect("defined"), 0.9125);
    // The S-curve runs through the hand-worked values.
    assert_close!(r.pv_curve.value(5.0), 680.0);
    assert_close!(r.pv_curve.value(10.0), 1300.0);
}

#[test]
fn unknown_actual_cost_leaves_cost_figures_unknown() {
    let mut s = status(0.5, 0.0);
    s.actual_cost = None;
    let input = EvmInput {
        activities: vec![act("A", 0.0, 10.0, 100.0, 0.0)],
        periods: vec![StatusPeriod { status_date: day(5.0), activities: vec![s] }],
        time_basis: TimeBasis::CalendarDays,
        project_start: None,
    };
    let p = evaluate(&input).expect("valid").periods.remove(0);
    assert_eq!((p.ac, p.cpi, p.cv, p.tcpi_bac), (None, None, None, None));
    assert!(p.cost_forecasts.iter().all(Option::is_none));
    assert!(p.time_forecast(TimeMethod::EsPf1).is_some());
    assert!(p.time_forecast(TimeMethod::EsScit).is_none());
}

#[test]
fn bad_inputs_name_the_activity() {
    let mut input = EvmInput {
        activities: vec![act("A", 0.0, 10.0, 100.0, 0.0), act("B", 5.0, 2.0, 10.0, 0.0)],
        periods: vec![],
        time_basis: TimeBasis::CalendarDays,
        project_start: None,
    };
    let err = evaluate(&input).expect_err("finish before start");
    assert!(err.to_string().contains("activity B"), "{err}");
    input.activities[1] = act("B", 0.0, 2.0, 10.0, 20.0);
    assert!(matches!(evaluate(&input), Err(EvmError::BadAmount { field: "fixed_cost", .. })));
    input.activities[1] = act("B", 0.0, 2.0, 10.0, 0.0);
    input.periods.push(StatusPeriod { status_date: day(1.0), activities: vec![status(1.5, 0.0), status(0.0, 0.0)] });
    assert!(matches!(evaluate(&input), Err(EvmError::BadPercent { period: 0, .. })));
    input.periods[0].activities.pop();
    assert!(matches!(evaluate(&input), Err(EvmError::StatusCount { found: 1, expected: 2, .. })));
}

/// Random activities `(start, length, cost, fixed share)` on a 0..60 day horizon.
fn activities() -> impl Strategy<Value = Vec<(f64, f64, f64, f64)>> {
    prop::collection::vec((0.0..50.0f64, 0.0..15.0f64, 0.0..1000.0f64, 0.0..1.0f64), 1..12)
}

fn build(acts: &[(f64, f64, f64, f64)]) -> Vec<EvmActivity> {
    acts.iter()
        .enumerate()
        .map(|(i, &(s, len, c, f))| {
            let s = (s * 24.0).round() / 24.0;
            let e = s + (len * 24.0).round() / 24.0;
            act(&format!("A{i}"), s, e, c, c * f)
        })
        .collect()
}

proptest! {
    #[test]
    fn indices_stay_in_range(acts in activities(), pcs in prop::collection::vec(0.0..=1.0f64, 12), at in 0.0..80.0f64) {
        let activities = build(&acts);
        let statuses = activities.iter().zip(&pcs).map(|(_, &pc)| status(pc, 10.0)).collect();
        let input = EvmInput {
            activities,
            periods: vec![StatusPeriod { status_date: day(at), activities: statuses }],
            time_basis: TimeBasis::CalendarDays,
            project_start: Some(day(0.0)),
        };
        let r = evaluate(&input).expect("valid input");
        let p = &r.periods[0];
        prop_assert!(p.ev <= r.bac * (1.0 + 1e-12) + 1e-9, "EV {} > BAC {}", p.ev, r.bac);
        prop_assert!(p.pv <= r.bac * (1.0 + 1e-12) + 1e-9);
        prop_assert!(p.es >= 0.0 && p.es <= r.planned_duration + 1e-9, "ES {} outside 0..PD {}", p.es, r.planned_duration);
        if p.ev <= p.pv {
            prop_assert!(p.es <= p.at + 1e-9, "behind plan yet ES {} > AT {}", p.es, p.at);
        }
        if let Some(pf) = p.p_factor {
            prop_assert!((0.0..=1.0).contains(&pf), "p-factor {pf}");
        }
        // The curve is the sum of the activities and never falls.
        let mut last = 0.0;
        for k in 0..=160 {
            let t = f64::from(k) * 0.5;
            let v = r.pv_curve.value(t);
            prop_assert!(v + 1e-9 >= last, "PV falls at {t}");
            last = v;
        }
    }

    #[test]
    fn progress_exactly_on_plan_gives_spi_t_of_one(acts in activities(), frac in 0.01..=1.0f64) {
        let activities = build(&acts);
        let origin = day(0.0);
        let spans: Vec<(f64, f64)> = activities
            .iter()
            .map(|a| (TimeBasis::CalendarDays.position(origin, a.start), TimeBasis::CalendarDays.position(origin, a.finish)))
            .collect();
        let pd = spans.iter().map(|s| s.1).fold(0.0, f64::max);
        prop_assume!(pd > 0.1);
        let at = (frac * pd * 24.0).round() / 24.0;
        prop_assume!(at > 0.0);
        // Each activity earns exactly what it planned by AT.
        let statuses = activities
            .iter()
            .zip(&spans)
            .map(|(a, &(s, e))| {
                let (pc, started) = if e <= s {
                    (if at >= s { 1.0 } else { 0.0 }, at >= s)
                } else if at <= s {
                    (0.0, false)
                } else {
                    (((at - s) / (e - s)).min(1.0), true)
                };
                ActivityStatus {
                    percent_complete: pc,
                    actual_cost: Some(pc * a.cost),
                    actual_start: started.then_some(a.start),
                    actual_finish: None,
                }
            })
            .collect();
        let input = EvmInput {
            activities,
            periods: vec![StatusPeriod { status_date: day(at), activities: statuses }],
            time_basis: TimeBasis::CalendarDays,
            project_start: Some(origin),
        };
        let p = evaluate(&input).expect("valid").periods.remove(0);
        prop_assert!((p.ev - p.pv).abs() <= 1e-6 * (1.0 + p.pv), "EV {} PV {}", p.ev, p.pv);
        let spi_t = p.spi_t.expect("AT > 0");
        prop_assert!((spi_t - 1.0).abs() < 1e-6, "SPI(t) {spi_t}, ES {} AT {}", p.es, p.at);
        if let Some(pf) = p.p_factor {
            prop_assert!((pf - 1.0).abs() < 1e-6, "on plan yet p-factor {pf}");
        }
    }

    #[test]
    fn working_day_positions_round_trip(offset_min in 0i64..(400 * 24 * 60)) {
        let basis = TimeBasis::WorkingDays(WorkCalendar::standard());
        let origin = NaiveDate::from_ymd_opt(2024, 1, 1).and_then(|d| d.and_hms_opt(8, 0, 0)).expect("Monday 8:00");
        let when = origin + Duration::minutes(offset_min);
        let t = basis.position(origin, when);
        let back = basis.date_at(origin, t);
        // Same working time (a moment outside working hours maps to the end of the last working stretch).
        prop_assert!((basis.position(origin, back) - t).abs() < 1e-6);
        prop_assert!(back <= when);
    }
}

/// Found by the property test in CI: on plan, with the status date exactly where the PV curve's
/// flat stretch ends and a front-loaded activity starts.
#[test]
fn on_plan_at_the_end_of_a_flat_stretch() {
    let acts = [
        (0.0, 0.0, 419.9490349519506, 0.0),
        (42.622880316804036, 7.556223106749589, 213.35420155632823, 0.4792453180600947),
        (0.0, 5.255364901988838, 493.0223916383012, 0.9999054853331074),
    ];
    let activities = build(&acts);
    let at = 42.625;
    let statuses = vec![
        ActivityStatus {
            percent_complete: 1.0,
            actual_cost: Some(acts[0].2),
            actual_start: Some(day(0.0)),
            actual_finish: None,
        },
        ActivityStatus { percent_complete: 0.0, actual_cost: Some(0.0), actual_start: None, actual_finish: None },
        ActivityStatus {
            percent_complete: 1.0,
            actual_cost: Some(acts[2].2),
            actual_start: Some(day(0.0)),
            actual_finish: None,
        },
    ];
    let input = EvmInput {
        activities,
        periods: vec![StatusPeriod { status_date: day(at), activities: statuses }],
        time_basis: TimeBasis::CalendarDays,
        project_start: Some(day(0.0)),
    };
    let p = evaluate(&input).expect("valid").periods.remove(0);
    assert!((p.ev - p.pv).abs() <= 1e-6 * (1.0 + p.pv), "EV {} PV {}", p.ev, p.pv);
    let spi_t = p.spi_t.expect("AT > 0");
    assert!((spi_t - 1.0).abs() < 1e-6, "SPI(t) {spi_t}, ES {} AT {}", p.es, p.at);
}
