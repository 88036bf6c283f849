//! Risk analytics: matrices, exposure, roll-ups, heat maps and trends.

#![allow(clippy::unwrap_used)] // Tests: a panic is the failure report.
#![allow(clippy::inconsistent_digit_grouping)] // Money as units_pence (100_00 is 100.00) reads better.

use chrono::NaiveDate;
use keel_domain::{PortfolioId, ProgrammeId, ProjectId, Rag, Rating, RiskId, RiskState};
use keel_engine::risk::*;
use proptest::prelude::*;

fn uuid(n: u64) -> String {
    format!("00000000-0000-7000-8000-{n:012x}")
}
fn risk_id(n: u64) -> RiskId {
    uuid(n).parse().unwrap()
}
fn project(n: u64) -> ProjectId {
    uuid(1_000 + n).parse().unwrap()
}
fn programme(n: u64) -> ProgrammeId {
    uuid(2_000 + n).parse().unwrap()
}
fn portfolio(n: u64) -> PortfolioId {
    uuid(3_000 + n).parse().unwrap()
}

fn risk(n: u64, p: i64, i: i64, cost: Option<i64>, days: Option<f64>) -> RiskInput {
    RiskInput {
        id: risk_id(n),
        title: format!("Risk {n}"),
        project: project(n % 3),
        programme: (n % 3 != 2).then(|| programme(n % 2)),
        portfolio: Some(portfolio(0)),
        category: ["technical", "commercial", "people"][(n % 3) as usize].into(),
        probability: Rating::new(p).unwrap(),
        impact: Rating::new(i).unwrap(),
        state: RiskState::Open,
        cost_impact: cost,
        schedule_impact_days: days,
        probability_percent: None,
    }
}

// ---- matrices ----

#[test]
fn default_matrix_is_valid_and_matches_the_domain_bands() {
    let m = RiskMatrix::default();
    m.validate().unwrap();
    // The domain's rule: 15+ red, 8+ amber.
    for p in 1..=5u8 {
        for i in 1..=5u8 {
            let want = match p * i {
                15.. => Rag::Red,
                8.. => Rag::Amber,
                _ => Rag::Green,
            };
            assert_eq!(m.band(p, i), want, "cell {p},{i}");
        }
    }
    assert_eq!(m.cost_level(0), Some(1));
    assert_eq!(m.cost_level(10_000_00), Some(2));
    assert_eq!(m.cost_level(5_000_000_00), Some(5));
    assert_eq!(m.schedule_level(4.9), Some(1));
    assert_eq!(m.schedule_level(200.0), Some(5));
}

#[test]
fn matrix_reads_from_config_and_refuses_unknown_fields() {
    let json = r#"{
        "size": 3,
        "probability_percent": [10, 50, 90],
        "cost_ranges": [{"from": 0, "to": 100000}, {"from": 100000, "to": 1000000}, {"from": 1000000}],
        "schedule_ranges": [{"from": 0, "to": 10}, {"from": 10, "to": 30}, {"from": 30}],
        "bands": {"cells": [["green", "green", "amber"], ["green", "amber", "red"], ["amber", "red", "red"]]}
    }"#;
    let m: RiskMatrix = serde_json::from_str(json).unwrap();
    m.validate().unwrap();
    assert_eq!(m.band(1, 3), Rag::Amber);
    assert_eq!(m.band(3, 2), Rag::Red);
    assert!(!m.estimate_missing_impacts);
    let back: RiskMatrix = serde_json::from_str(&serde_json::to_string(&m).unwrap()).unwrap();
    assert_eq!(back, m);

    let typo = json.replace("\"size\"", "\"sise\"");
    let err = serde_json::from_str::<RiskMatrix>(&typo).unwrap_err().to_string();
    assert!(err.contains("sise"), "{err}");
    let bad_range = json.replace(r#"{"from": 30}"#, r#"{"from": 30, "upto": 40}"#);
    assert!(serde_json::from_str::<RiskMatrix>(&bad_range).unwrap_err().to_string().contains("upto"));
}

#[test]
fn matrix_validation_names_the_field() {
    let field = |m: RiskMatrix| match m.validate() {
        Err(RiskError::InvalidMatrix { field, .. }) => field,
        other => panic!("expected an invalid matrix, got {other:?}"),
    };
    let base = RiskMatrix::default;
    assert_eq!(field(RiskMatrix { size: 6, ..base() }), "size");
    assert_eq!(field(RiskMatrix { size: 2, ..base() }), "size");
    assert_eq!(field(RiskMatrix { probability_percent: vec![5.0, 20.0], ..base() }), "probability_percent");
    assert_eq!(
        field(RiskMatrix { probability_percent: vec![5.0, 20.0, 20.0, 60.0, 85.0], ..base() }),
        "probability_percent[2]"
    );
    assert_eq!(
        field(RiskMatrix { probability_percent: vec![0.0, 20.0, 40.0, 60.0, 85.0], ..base() }),
        "probability_percent[0]"
    );
    assert_eq!(
        field(RiskMatrix { probability_percent: vec![5.0, 20.0, 40.0, 60.0, 101.0], ..base() }),
        "probability_percent[4]"
    );
    let mut m = base();
    m.cost_ranges[2].from = 0;
    assert_eq!(field(m), "cost_ranges[2].from");
    let mut m = base();
    m.cost_ranges[1].to = None;
    assert_eq!(field(m), "cost_ranges[1].to");
    let mut m = base();
    m.schedule_ranges[0].to = Some(0.0);
    assert_eq!(field(m), "schedule_ranges[0].to");
    let mut m = base();
    m.schedule_ranges[3].from = -1.0;
    assert_eq!(field(m), "schedule_ranges[3].from");
    assert_eq!(field(RiskMatrix { bands: BandRule::Thresholds { amber: 16, red: 15 }, ..base() }), "bands.thresholds");
    assert_eq!(field(RiskMatrix { bands: BandRule::Thresholds { amber: 8, red: 26 }, ..base() }), "bands.thresholds");
    assert_eq!(field(RiskMatrix { bands: BandRule::Cells(vec![vec![Rag::Green; 5]; 4]), ..base() }), "bands.cells");
    let mut cells = vec![vec![Rag::Green; 5]; 5];
    cells[2].truncate(4);
    assert_eq!(field(RiskMatrix { bands: BandRule::Cells(cells), ..base() }), "bands.cells[2]");
    let mut cells = vec![vec![Rag::Amber; 5]; 5];
    cells[3][2] = Rag::Green; // less severe than the cell below it and the one to its left
    assert_eq!(field(RiskMatrix { bands: BandRule::Cells(cells), ..base() }), "bands.cells[3][2]");
}

// ---- exposure ----

#[test]
fn exposure_by_hand() {
    let m = RiskMatrix::default();
    // Level 3 = 40 %: 40 % of 1 234.57 = 493.828 -> 493.83; 40 % of 12.5 days = 5 days.
    let e = exposure(&risk(1, 3, 2, Some(1_234_57), Some(12.5)), &m).unwrap().unwrap();
    assert_eq!((e.emv, e.expected_days, e.score, e.band), (Some(493_83), Some(5.0), 6, Rag::Green));
    assert_eq!((e.probability_source, e.cost_source), (Source::Matrix, Some(Source::Given)));

    // An explicit percent wins over the level.
    let mut r = risk(2, 1, 5, Some(1_000_00), None);
    r.probability_percent = Some(33.0);
    let e = exposure(&r, &m).unwrap().unwrap();
    assert_eq!((e.emv, e.expected_days, e.probability_source), (Some(330_00), None, Source::Given));

    // Occurred and closed risks carry no exposure.
    for state in [RiskState::Occurred, RiskState::Closed] {
        let r = RiskInput { state, ..risk(3, 5, 5, Some(1), Some(1.0)) };
        assert_eq!(exposure(&r, &m).unwrap(), None);
    }

    // Estimated impacts: level 2 cost range 10k..50k -> 30k; days 5..20 -> 12.5; level 5 is open-ended.
    let est = RiskMatrix { estimate_missing_impacts: true, ..m.clone() };
    let e = exposure(&risk(4, 5, 2, None, None), &est).unwrap().unwrap();
    assert_eq!((e.emv, e.cost_source), (Some(25_500_00), Some(Source::Matrix))); // 85 % of 30 000
    assert_eq!(e.expected_days, Some(12.5 * 0.85));
    let e = exposure(&risk(5, 1, 5, None, None), &est).unwrap().unwrap();
    assert_eq!(e.emv, Some(50_000_00)); // 5 % of 1m
}

#[test]
fn risks_that_do_not_fit_are_refused_by_name() {
    let m3 = RiskMatrix {
        size: 3,
        probability_percent: vec![10.0, 50.0, 90.0],
        cost_ranges: vec![
            ImpactRange { from: 0, to: Some(100) },
            ImpactRange { from: 100, to: Some(1000) },
            ImpactRange { from: 1000, to: None },
        ],
        schedule_ranges: vec![
            ImpactRange { from: 0.0, to: Some(1.0) },
            ImpactRange { from: 1.0, to: Some(2.0) },
            ImpactRange { from: 2.0, to: None },
        ],
        bands: BandRule::Thresholds { amber: 3, red: 6 },
        estimate_missing_impacts: false,
    };
    m3.validate().unwrap();
    let err = exposure(&risk(7, 4, 1, None, None), &m3).unwrap_err();
    assert_eq!(err, RiskError::InvalidRisk { risk: risk_id(7), field: "probability", message: err_message(&err) });
    assert!(err.to_string().contains(&uuid(7)));
    let err = exposure(&risk(8, 1, 5, None, None), &m3).unwrap_err();
    assert!(matches!(err, RiskError::InvalidRisk { field: "impact", .. }));
    let m = RiskMatrix::default();
    let bad = |f: fn(&mut RiskInput)| {
        let mut r = risk(9, 1, 1, None, None);
        f(&mut r);
        match exposure(&r, &m).unwrap_err() {
            RiskError::InvalidRisk { field, .. } => field,
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(bad(|r| r.probability_percent = Some(120.0)), "probability_percent");
    assert_eq!(bad(|r| r.cost_impact = Some(-1)), "cost_impact");
    assert_eq!(bad(|r| r.schedule_impact_days = Some(f64::NAN)), "schedule_impact_days");
    // A closed risk with a bad record is still reported.
    let mut closed = risk(10, 1, 1, Some(-5), None);
    closed.state = RiskState::Closed;
    assert!(exposures(&[closed], &m).is_err());
}

fn err_message(e: &RiskError) -> String {
    match e {
        RiskError::InvalidRisk { message, .. } | RiskError::InvalidMatrix { message, .. } => message.clone(),
    }
}

// ---- roll-ups ----

#[test]
fn aggregation_by_hand() {
    let m = RiskMatrix::default();
    // Risk n is in project n % 3, programme n % 2 unless n % 3 == 2, category by n % 3.
    let mut risks = vec![
        risk(0, 5, 5, Some(100_00), Some(10.0)), // p0, red, emv 85.00, 8.5 d
        risk(3, 2, 2, Some(1_000_00), None),     // p0, green, emv 200.00
        risk(1, 3, 3, None, Some(4.0)),          // p1, amber, 1.6 d
        risk(4, 4, 5, Some(10_00), Some(1.0)),   // p1, red, emv 6.00, 0.6 d
        risk(2, 1, 1, Some(50_00), Some(2.0)),   // p2, green, emv 2.50, 0.1 d
    ];
    let mut closed = risk(5, 5, 5, Some(9_999_00), Some(99.0));
    closed.state = RiskState::Closed;
    risks.push(closed);

    let all = aggregate(&risks, &m, GroupBy::All, 3).unwrap();
    assert_eq!(all.len(), 1);
    let a = &all[0];
    assert_eq!(a.open, 5);
    assert_eq!(a.bands, BandCounts { green: 2, amber: 1, red: 2 });
    assert_eq!(a.total_emv, 85_00 + 200_00 + 6_00 + 2_50);
    assert_eq!(a.max_emv, Some(200_00));
    assert!((a.total_expected_days - (8.5 + 1.6 + 0.6 + 0.1)).abs() < 1e-9);
    assert_eq!((a.without_cost, a.without_schedule), (1, 1));
    let top: Vec<RiskId> = a.top.iter().map(|e| e.id).collect();
    assert_eq!(top, vec![risk_id(3), risk_id(0), risk_id(4)]);

    let by_project = aggregate(&risks, &m, GroupBy::Project, 10).unwrap();
    let keys: Vec<GroupKey> = by_project.iter().map(|s| s.key.clone()).collect();
    assert_eq!(keys, vec![GroupKey::Project(project(0)), GroupKey::Project(project(1)), GroupKey::Project(project(2))]);
    assert_eq!(by_project.iter().map(|s| s.total_emv).collect::<Vec<_>>(), vec![285_00, 6_00, 2_50]);
    assert_eq!(by_project[1].top.len(), 2);

    let by_programme = aggregate(&risks, &m, GroupBy::Programme, 0).unwrap();
    let none = by_programme.iter().find(|s| s.key == GroupKey::Programme(None)).unwrap();
    assert_eq!(none.open, 1); // risk 2
    assert!(by_programme.iter().all(|s| s.top.is_empty()));

    let by_category = aggregate(&risks, &m, GroupBy::Category, 1).unwrap();
    let people = by_category.iter().find(|s| s.key == GroupKey::Category("people".into())).unwrap();
    assert_eq!(people.open, 1);
}

#[test]
fn heat_map_by_hand() {
    let m = RiskMatrix::default();
    let mut risks = vec![risk(0, 5, 1, None, None), risk(1, 5, 1, None, None), risk(2, 1, 5, None, None)];
    let mut gone = risk(3, 3, 3, None, None);
    gone.state = RiskState::Occurred;
    risks.push(gone);
    let h = heat_map(&risks, &m).unwrap();
    assert_eq!((h.size, h.open, h.cells.len()), (5, 3, 25));
    let cell = |p: u8, i: u8| h.cells.iter().find(|c| c.probability == p && c.impact == i).unwrap();
    assert_eq!(cell(5, 1).risks, vec![risk_id(0), risk_id(1)]);
    assert_eq!(cell(5, 1).band, Rag::Green); // score 5
    assert_eq!(cell(1, 5).count, 1);
    assert_eq!(cell(3, 3).count, 0);
    assert_eq!((h.cells[24].probability, h.cells[24].impact), (1, 5));
}

#[test]
fn trend_by_hand() {
    let m = RiskMatrix::default();
    let d = |mo| NaiveDate::from_ymd_opt(2024, mo, 1).unwrap();
    let snaps = vec![
        Snapshot { date: d(3), risks: vec![risk(0, 5, 5, Some(100_00), None)] },
        Snapshot { date: d(1), risks: vec![risk(0, 2, 5, Some(100_00), None), risk(1, 1, 1, Some(100_00), None)] },
    ];
    let t = exposure_trend(&snaps, &m, GroupBy::Project).unwrap();
    assert_eq!(t.len(), 2);
    assert_eq!(t[0].key, GroupKey::Project(project(0)));
    let p0: Vec<(NaiveDate, i64)> = t[0].points.iter().map(|p| (p.date, p.total_emv)).collect();
    assert_eq!(p0, vec![(d(1), 20_00), (d(3), 85_00)]);
    let p1: Vec<(NaiveDate, usize)> = t[1].points.iter().map(|p| (p.date, p.open)).collect();
    assert_eq!(p1, vec![(d(1), 1), (d(3), 0)]);
    assert_eq!(t[0].points[1].bands.red, 1);
}

#[test]
fn results_round_trip_through_json() {
    let m = RiskMatrix::default();
    let risks = vec![risk(0, 5, 5, Some(100_00), Some(1.5)), risk(1, 1, 2, None, None)];
    let s = aggregate(&risks, &m, GroupBy::Portfolio, 5).unwrap();
    let back: Vec<RiskSummary> = serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
    assert_eq!(back, s);
    let h = heat_map(&risks, &m).unwrap();
    let back: HeatMap = serde_json::from_str(&serde_json::to_string(&h).unwrap()).unwrap();
    assert_eq!(back, h);
}

// ---- invariants ----

fn any_risk() -> impl Strategy<Value = RiskInput> {
    (
        0u64..500,
        1i64..=5,
        1i64..=5,
        prop::option::of(0i64..10_000_000_00),
        prop::option::of(0.0f64..400.0),
        prop::option::of(0.0f64..=100.0),
        0u8..4,
    )
        .prop_map(|(n, p, i, cost, days, pct, state)| {
            let mut r = risk(n, p, i, cost, days);
            r.probability_percent = pct;
            r.state = match state {
                0 => RiskState::Closed,
                1 => RiskState::Occurred,
                _ => RiskState::Open,
            };
            r
        })
}

fn any_matrix() -> impl Strategy<Value = RiskMatrix> {
    any::<bool>().prop_map(|estimate| RiskMatrix { estimate_missing_impacts: estimate, ..RiskMatrix::default() })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn exposure_is_monotone_in_probability_and_impact(r in any_risk(), m in any_matrix(), dc in 0i64..1_000_000, dd in 0.0f64..50.0, dp in 0.0f64..30.0) {
        let mut r = r;
        r.state = RiskState::Open;
        let base = exposure(&r, &m).unwrap().unwrap();
        let mut variants = Vec::new();
        if r.probability.get() < 5 {
            variants.push(RiskInput { probability: Rating::new(i64::from(r.probability.get()) + 1).unwrap(), ..r.clone() });
        }
        if r.impact.get() < 5 {
            variants.push(RiskInput { impact: Rating::new(i64::from(r.impact.get()) + 1).unwrap(), ..r.clone() });
        }
        variants.push(RiskInput { cost_impact: r.cost_impact.map(|c| c + dc), schedule_impact_days: r.schedule_impact_days.map(|d| d + dd), ..r.clone() });
        variants.push(RiskInput { probability_percent: r.probability_percent.map(|p| (p + dp).min(100.0)), ..r.clone() });
        for v in variants {
            let e = exposure(&v, &m).unwrap().unwrap();
            prop_assert!(e.emv.unwrap_or(0) >= base.emv.unwrap_or(0), "{:?} < {:?}", e.emv, base.emv);
            prop_assert!(e.expected_days.unwrap_or(0.0) >= base.expected_days.unwrap_or(0.0));
            prop_assert!(e.band.severity() >= base.band.severity());
            prop_assert!(e.score >= base.score);
        }
    }

    #[test]
    fn group_totals_add_up_to_the_whole(risks in prop::collection::vec(any_risk(), 0..60), m in any_matrix(), top in 0usize..6) {
        let all = aggregate(&risks, &m, GroupBy::All, top).unwrap();
        prop_assert_eq!(all.len(), 1);
        let whole = &all[0];
        let open = risks.iter().filter(|r| r.state == RiskState::Open).count();
        prop_assert_eq!(whole.open, open);
        prop_assert_eq!(whole.bands.total(), open);
        prop_assert!(whole.top.len() <= top.min(open));
        let e = exposures(&risks, &m).unwrap();
        prop_assert_eq!(whole.total_emv, e.iter().filter_map(|e| e.emv).sum::<i64>());
        for by in [GroupBy::Project, GroupBy::Programme, GroupBy::Portfolio, GroupBy::Category] {
            let parts = aggregate(&risks, &m, by, top).unwrap();
            prop_assert_eq!(parts.iter().map(|s| s.open).sum::<usize>(), whole.open);
            prop_assert_eq!(parts.iter().map(|s| s.total_emv).sum::<i64>(), whole.total_emv);
            prop_assert_eq!(parts.iter().map(|s| s.bands.red).sum::<usize>(), whole.bands.red);
            prop_assert_eq!(parts.iter().map(|s| s.without_cost).sum::<usize>(), whole.without_cost);
            let days: f64 = parts.iter().map(|s| s.total_expected_days).sum();
            prop_assert!((days - whole.total_expected_days).abs() <= 1e-6 * (1.0 + whole.total_expected_days));
            prop_assert_eq!(parts.iter().filter_map(|s| s.max_emv).max(), whole.max_emv);
        }
    }

    #[test]
    fn heat_map_counts_every_open_risk_once(risks in prop::collection::vec(any_risk(), 0..60)) {
        let h = heat_map(&risks, &RiskMatrix::default()).unwrap();
        let open = risks.iter().filter(|r| r.state == RiskState::Open).count();
        prop_assert_eq!(h.cells.iter().map(|c| c.count).sum::<usize>(), open);
        prop_assert_eq!(h.open, open);
        for c in &h.cells {
            prop_assert_eq!(c.count, c.risks.len());
        }
    }

    #[test]
    fn trend_points_match_aggregates(snaps in prop::collection::vec(prop::collection::vec(any_risk(), 0..20), 1..5)) {
        let m = RiskMatrix::default();
        let snapshots: Vec<Snapshot> = snaps
            .into_iter()
            .enumerate()
            .map(|(k, risks)| Snapshot { date: NaiveDate::from_ymd_opt(2024, 1, 1).unwrap() + chrono::Days::new(30 * k as u64), risks })
            .collect();
        let t = exposure_trend(&snapshots, &m, GroupBy::All).unwrap();
        prop_assert_eq!(t.len(), 1);
        for (point, snap) in t[0].points.iter().zip(&snapshots) {
            let s = &aggregate(&snap.risks, &m, GroupBy::All, 0).unwrap()[0];
            prop_assert_eq!(point.total_emv, s.total_emv);
            prop_assert_eq!(point.open, s.open);
        }
        let by_cat = exposure_trend(&snapshots, &m, GroupBy::Category).unwrap();
        for series in &by_cat {
            prop_assert_eq!(series.points.len(), snapshots.len());
        }
    }
}

#[test]
fn the_documented_matrix_is_the_default() {
    let doc = include_str!("../../../docs/risk-analytics.md");
    let json = doc.split("```json\n").nth(1).unwrap().split("```").next().unwrap();
    let m: RiskMatrix = serde_json::from_str(json).unwrap();
    assert_eq!(m, RiskMatrix::default());
}
