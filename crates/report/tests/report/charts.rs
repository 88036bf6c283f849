//! Charts: well-formed SVG for every kind, sensible on empty and broken data, never NaN.

use chrono::NaiveDate;
use keel_engine::report::{ChartSpec, ForecastBar, RagTrendPoint, SCurvePoint};
use keel_report::charts::{svg, svg_titled};
use proptest::prelude::*;

use crate::fixture::{date, document, heat};

const SVG_NS: &str = "http://www.w3.org/2000/svg";

/// Parses `svg` and checks what every chart must have; returns the text of its elements.
fn check(svg: &str) -> String {
    assert!(!svg.contains("NaN") && !svg.contains("inf"), "non-finite number in {svg}");
    let xml = roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("not well-formed ({e}): {svg}"));
    let root = xml.root_element();
    assert!(root.has_tag_name((SVG_NS, "svg")), "root is an svg in the SVG namespace");
    let view_box: Vec<f64> =
        root.attribute("viewBox").expect("a viewBox").split(' ').map(|v| v.parse().expect("a number")).collect();
    assert_eq!(view_box.len(), 4);
    assert!(view_box[2] > 0.0 && view_box[3] > 0.0);
    assert_eq!(root.attribute("font-family"), Some(keel_report::charts::FONT_FAMILY));
    let first = root.first_element_child().expect("children");
    assert!(first.has_tag_name((SVG_NS, "title")), "the title comes first");
    assert!(first.text().is_some_and(|t| !t.is_empty()));
    xml.descendants().filter_map(|n| n.text()).collect::<Vec<_>>().join(" ")
}

fn all_specs() -> Vec<ChartSpec> {
    document()
        .sections
        .into_iter()
        .flat_map(|s| s.blocks)
        .filter_map(|b| match b {
            keel_engine::report::Block::Chart(c) => Some(c.spec),
            _ => None,
        })
        .collect()
}

#[test]
fn every_kind_draws() {
    let specs = all_specs();
    assert_eq!(specs.len(), 5);
    for spec in &specs {
        let text = check(&svg(spec));
        assert!(!text.contains("No "), "the fixture's charts have data: {text}");
    }
}

#[test]
fn distribution_draws_each_colour() {
    let s = svg(&ChartSpec::RagDistribution { counts: [3, 2, 1, 0] });
    check(&s);
    for colour in ["#2e7d32", "#f2a900", "#c62828"] {
        assert!(s.contains(colour), "{colour}");
    }
    assert!(s.contains("<title>Red: 1</title>"));
}

#[test]
fn forecast_marks_late_rows_red() {
    let s = svg(&ChartSpec::ForecastVsBaseline {
        rows: vec![ForecastBar {
            label: "LATE-1".into(),
            baseline: Some(date(2026, 1, 1)),
            p50: date(2026, 2, 1),
            p80: date(2026, 3, 1),
        }],
    });
    let xml = roxmltree::Document::parse(&s).expect("well-formed");
    let row = xml.descendants().find(|n| n.attribute("class") == Some("row late")).expect("a late row");
    assert!(row.descendants().any(|n| n.has_tag_name((SVG_NS, "rect")) && n.attribute("fill") == Some("#c62828")));
    assert!(row.descendants().any(|n| n.attribute("class") == Some("baseline")));
}

#[test]
fn heat_map_places_cells_by_probability_and_impact() {
    let map = heat();
    let s = svg(&ChartSpec::HeatMap(map));
    let text = check(&s);
    assert!(text.contains("Probability") && text.contains("Impact"));
    let xml = roxmltree::Document::parse(&s).expect("well-formed");
    let cell = |title: &str| {
        let t = xml.descendants().find(|n| n.text() == Some(title)).expect(title);
        let rect = t.parent().expect("a rect");
        (
            rect.attribute("x").expect("x").parse::<f64>().expect("x"),
            rect.attribute("y").expect("y").parse::<f64>().expect("y"),
        )
    };
    let top_right = cell("Probability 5, impact 5: 3 open risks");
    let bottom_left = cell("Probability 1, impact 1: 1 open risk");
    assert!(top_right.0 > bottom_left.0, "impact grows to the right");
    assert!(top_right.1 < bottom_left.1, "probability grows upwards");
}

#[test]
fn s_curve_has_lines_bac_and_legend() {
    let spec = all_specs().into_iter().find(|s| matches!(s, ChartSpec::SCurve { .. })).expect("an S-curve");
    let s = svg_titled(&spec, "EV & <co>");
    let text = check(&s);
    assert!(text.contains("EV & <co>"), "the title is escaped and read back");
    for class in ["pv", "ev", "ac", "bac"] {
        assert!(s.contains(&format!("class=\"{class}\"")), "{class}");
    }
    for label in ["PV (planned)", "EV (earned)", "AC (actual cost)", "BAC GBP 1,250,000"] {
        assert!(text.contains(label), "{label}");
    }
}

#[test]
fn empty_and_degenerate_data_show_a_message() {
    let d = date(2026, 3, 31);
    let cases = [
        ChartSpec::RagDistribution { counts: [0; 4] },
        ChartSpec::RagTrend { points: vec![] },
        ChartSpec::RagTrend { points: vec![RagTrendPoint { period_end: d, green: 0, amber: 0, red: 0 }] },
        ChartSpec::ForecastVsBaseline { rows: vec![] },
        ChartSpec::SCurve { bac: 0.0, points: vec![], currency: "GBP".into() },
        ChartSpec::SCurve {
            bac: 100.0,
            points: vec![SCurvePoint { date: d, pv: 1.0, ev: Some(1.0), ac: None }],
            currency: "GBP".into(),
        },
        ChartSpec::SCurve {
            bac: f64::NAN,
            points: vec![
                SCurvePoint { date: d, pv: f64::NAN, ev: Some(f64::INFINITY), ac: None },
                SCurvePoint { date: date(2026, 4, 30), pv: f64::NAN, ev: None, ac: Some(f64::NEG_INFINITY) },
            ],
            currency: String::new(),
        },
        ChartSpec::HeatMap(keel_engine::risk::HeatMap { size: 0, cells: vec![], open: 0 }),
    ];
    for spec in &cases {
        let s = svg(spec);
        let text = check(&s);
        assert!(s.contains("class=\"empty\""), "an empty state for {spec:?}: {text}");
    }
    // A matrix with no open risk still shows its grid.
    let mut none = heat();
    none.cells.iter_mut().for_each(|c| c.count = 0);
    let text = check(&svg(&ChartSpec::HeatMap(none)));
    assert!(text.contains("No open risks"));
}

#[test]
fn one_day_forecast_and_zero_values_still_draw() {
    let d = date(2026, 3, 31);
    check(&svg(&ChartSpec::ForecastVsBaseline {
        rows: vec![ForecastBar { label: "<&>".into(), baseline: Some(d), p50: d, p80: d }],
    }));
    check(&svg(&ChartSpec::SCurve {
        bac: 0.0,
        points: vec![
            SCurvePoint { date: d, pv: 0.0, ev: Some(0.0), ac: Some(0.0) },
            SCurvePoint { date: date(2026, 4, 30), pv: 0.0, ev: Some(0.0), ac: Some(0.0) },
        ],
        currency: "EUR".into(),
    }));
}

fn any_date() -> impl Strategy<Value = NaiveDate> {
    (-200_000i32..1_500_000).prop_map(|n| NaiveDate::from_num_days_from_ce_opt(n).expect("in range"))
}

fn any_f64() -> impl Strategy<Value = f64> {
    prop_oneof![
        4 => -1e6f64..1e7,
        1 => Just(0.0),
        1 => Just(f64::NAN),
        1 => Just(f64::INFINITY),
        1 => Just(f64::NEG_INFINITY),
        1 => Just(f64::MAX),
        1 => Just(-f64::MAX),
        1 => Just(f64::MIN_POSITIVE),
    ]
}

fn any_spec() -> impl Strategy<Value = ChartSpec> {
    let label = "[A-Z0-9<>&\"' |-]{0,30}";
    prop_oneof![
        prop::array::uniform4(prop_oneof![0usize..50, Just(usize::MAX / 2)])
            .prop_map(|counts| ChartSpec::RagDistribution { counts }),
        prop::collection::vec(
            (any_date(), 0usize..1000, 0usize..1000, 0usize..1000)
                .prop_map(|(period_end, green, amber, red)| RagTrendPoint { period_end, green, amber, red }),
            0..40
        )
        .prop_map(|points| ChartSpec::RagTrend { points }),
        prop::collection::vec(
            (label, prop::option::of(any_date()), any_date(), any_date())
                .prop_map(|(label, baseline, p50, p80)| ForecastBar { label, baseline, p50, p80 }),
            0..20
        )
        .prop_map(|rows| ChartSpec::ForecastVsBaseline { rows }),
        (0u8..12, prop::collection::vec((0u8..14, 0u8..14, 0usize..100, 0u8..3), 0..150)).prop_map(|(size, cells)| {
            let cells = cells
                .into_iter()
                .map(|(probability, impact, count, band)| keel_engine::risk::HeatCell {
                    probability,
                    impact,
                    band: [keel_domain::Rag::Green, keel_domain::Rag::Amber, keel_domain::Rag::Red][usize::from(band)],
                    count,
                    risks: vec![],
                })
                .collect();
            ChartSpec::HeatMap(keel_engine::risk::HeatMap { size, cells, open: 0 })
        }),
        (
            any_f64(),
            prop::collection::vec(
                (any_date(), any_f64(), prop::option::of(any_f64()), prop::option::of(any_f64()))
                    .prop_map(|(date, pv, ev, ac)| SCurvePoint { date, pv, ev, ac }),
                0..30
            )
        )
            .prop_map(|(bac, points)| ChartSpec::SCurve { bac, points, currency: "GBP".into() }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn any_chart_is_well_formed_and_finite(spec in any_spec(), title in "[a-zA-Z <>&\"']{0,20}") {
        let s = svg_titled(&spec, &title);
        prop_assert!(!s.contains("NaN") && !s.contains("inf"), "non-finite number in {}", s);
        let parsed = roxmltree::Document::parse(&s);
        prop_assert!(parsed.is_ok(), "not well-formed: {:?}", parsed.err());
        // Every number in an attribute is finite.
        if let Ok(xml) = parsed {
            for node in xml.descendants() {
                for attr in node.attributes() {
                    for token in attr.value().split([' ', ',']) {
                        if let Ok(v) = token.trim_start_matches(['M', 'L']).parse::<f64>() {
                            prop_assert!(v.is_finite(), "{}={}", attr.name(), attr.value());
                        }
                    }
                }
            }
        }
    }
}
