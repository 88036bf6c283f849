//! The document every test renders: fixed data, no clock.

use chrono::NaiveDate;
use keel_domain::Rag;
use keel_engine::report::{
    Audience, Block, Cell, Chart, ChartSpec, Document, ForecastBar, RagTrendPoint, ReportKind, SCurvePoint, Section,
    Sentence, Source, SourceKind, Table,
};
use keel_engine::risk::{RiskMatrix, heat_map};
use keel_report::RenderOptions;

pub const BASE_URL: &str = "https://pmo.example.com";

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

pub fn options() -> RenderOptions {
    // A trailing slash, as people type it in config: links must not get a double slash.
    RenderOptions { base_url: format!("{BASE_URL}/"), organisation: "Acme Rail & Co".into() }
}

fn s(text: &str, sources: &[usize]) -> Sentence {
    Sentence { text: text.into(), sources: sources.to_vec() }
}

pub fn heat() -> keel_engine::risk::HeatMap {
    let mut map = heat_map(&[], &RiskMatrix::default()).expect("default matrix is valid");
    // Three risks at probability 5, impact 5 (a red cell), one at 1/1 (green), two at 3/3.
    for cell in &mut map.cells {
        cell.count = match (cell.probability, cell.impact) {
            (5, 5) => 3,
            (1, 1) => 1,
            (3, 3) => 2,
            _ => 0,
        };
    }
    map.open = 6;
    map
}

pub fn document() -> Document {
    let sources = vec![
        Source {
            kind: SourceKind::Project,
            id: "0190a1b2-0000-7000-8000-000000000001".into(),
            label: "Project: PRJ-001 Payments".into(),
            path: "/projects/0190a1b2-0000-7000-8000-000000000001".into(),
        },
        Source {
            kind: SourceKind::StatusReport,
            id: "0190a1b2-0000-7000-8000-000000000002".into(),
            label: "Status report 31 Mar 2026 (PRJ-001)".into(),
            path: "/projects/0190a1b2-0000-7000-8000-000000000001/status/0190a1b2-0000-7000-8000-000000000002".into(),
        },
        Source {
            kind: SourceKind::ForecastRun,
            id: "12".into(),
            label: "Forecast run 12 (PRJ-001)".into(),
            path: "/projects/0190a1b2-0000-7000-8000-000000000001/forecasts/12".into(),
        },
        Source {
            kind: SourceKind::Risk,
            id: "0190a1b2-0000-7000-8000-000000000004".into(),
            label: "Risk: Supplier <insolvency> & delay (PRJ-002)".into(),
            path: "/risks/0190a1b2-0000-7000-8000-000000000004?tab=detail&from=report".into(),
        },
        Source {
            kind: SourceKind::Decision,
            id: "0190a1b2-0000-7000-8000-000000000005".into(),
            label: "Decision: Approve change request CR-7".into(),
            path: "/decisions/0190a1b2-0000-7000-8000-000000000005".into(),
        },
    ];
    let projects = Table {
        title: "Projects by status".into(),
        columns: vec![
            "Project".into(),
            "RAG".into(),
            "Budget".into(),
            "Spent".into(),
            "CPI".into(),
            "Open risks".into(),
            "Forecast finish".into(),
            "Notes".into(),
        ],
        rows: vec![
            vec![
                Cell::Text("PRJ-001 Payments".into()),
                Cell::Rag(Some(Rag::Red)),
                Cell::Money { amount: 1_250_000.0, currency: "GBP".into() },
                Cell::Percent(0.62),
                Cell::Number { value: 0.874, decimals: 2 },
                Cell::Int(7),
                Cell::Date(date(2026, 11, 30)),
                Cell::Text("Vendor | contract <b>late</b>".into()),
            ],
            vec![
                Cell::Text("PRJ-002 Signalling".into()),
                Cell::Rag(Some(Rag::Amber)),
                Cell::Money { amount: 480_000.5, currency: "EUR".into() },
                Cell::Percent(0.305),
                Cell::Number { value: 1.02, decimals: 2 },
                Cell::Int(3),
                Cell::Date(date(2026, 9, 15)),
                Cell::Empty,
            ],
            vec![
                Cell::Text("PRJ-003 Stations".into()),
                Cell::Rag(Some(Rag::Green)),
                Cell::Money { amount: 2_000_000.0, currency: "CHF".into() },
                Cell::Percent(0.1),
                Cell::Number { value: 1.1, decimals: 2 },
                Cell::Int(0),
                Cell::Date(date(2027, 1, 29)),
                Cell::Empty,
            ],
            vec![
                Cell::Text("PRJ-004 Depot".into()),
                Cell::Rag(None),
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
                Cell::Int(1),
                Cell::Empty,
                Cell::Text("No report this period".into()),
            ],
        ],
    };
    let risks = Table {
        title: "Top risks: open / [red]".into(),
        columns: vec!["Risk".into(), "Band".into(), "Score".into()],
        rows: vec![vec![Cell::Text("Supplier insolvency".into()), Cell::Rag(Some(Rag::Red)), Cell::Int(25)]],
    };
    Document {
        kind: ReportKind::Board,
        audience: Audience::Executive,
        title: "Board pack: <script>alert(\"x\")</script> | Digital".into(),
        scope: "Portfolio DIG Digital".into(),
        as_of: date(2026, 3, 31),
        generated_at: date(2026, 4, 1).and_hms_opt(9, 30, 0).expect("valid time"),
        sections: vec![
            Section {
                heading: "Summary".into(),
                blocks: vec![
                    Block::Paragraph {
                        sentences: vec![
                            s("Four projects report this period.", &[]),
                            s("PRJ-001 Payments is red on schedule.", &[0, 1]),
                            s("Its P80 finish moved four weeks later.", &[2]),
                        ],
                    },
                    Block::Callout {
                        rag: Some(Rag::Red),
                        sentences: vec![s("Decide on change request CR-7 by 15 April.", &[4])],
                    },
                    Block::Callout { rag: None, sentences: vec![s("PRJ-004 Depot has not reported.", &[])] },
                    Block::Bullets {
                        items: vec![
                            vec![s("Supplier insolvency is the top risk.", &[3])],
                            vec![s("Budget is 62% spent.", &[1]), s("CPI is 0.87.", &[1, 2])],
                        ],
                    },
                ],
            },
            Section {
                heading: "Portfolio".into(),
                blocks: vec![
                    Block::Table(projects),
                    Block::Chart(Chart {
                        title: "Projects by RAG".into(),
                        spec: ChartSpec::RagDistribution { counts: [1, 1, 1, 1] },
                    }),
                    Block::Chart(Chart {
                        title: "RAG over the quarter".into(),
                        spec: ChartSpec::RagTrend {
                            points: vec![
                                RagTrendPoint { period_end: date(2026, 1, 31), green: 3, amber: 1, red: 0 },
                                RagTrendPoint { period_end: date(2026, 2, 28), green: 2, amber: 1, red: 1 },
                                RagTrendPoint { period_end: date(2026, 3, 31), green: 1, amber: 1, red: 1 },
                            ],
                        },
                    }),
                ],
            },
            Section {
                heading: "Forecasts".into(),
                blocks: vec![
                    Block::Chart(Chart {
                        title: "Forecast finish against baseline".into(),
                        spec: ChartSpec::ForecastVsBaseline {
                            rows: vec![
                                ForecastBar {
                                    label: "PRJ-001".into(),
                                    baseline: Some(date(2026, 10, 30)),
                                    p50: date(2026, 11, 30),
                                    p80: date(2026, 12, 21),
                                },
                                ForecastBar {
                                    label: "PRJ-002".into(),
                                    baseline: Some(date(2026, 9, 30)),
                                    p50: date(2026, 9, 15),
                                    p80: date(2026, 10, 9),
                                },
                                ForecastBar {
                                    label: "PRJ-003".into(),
                                    baseline: None,
                                    p50: date(2027, 1, 29),
                                    p80: date(2027, 2, 26),
                                },
                            ],
                        },
                    }),
                    Block::Chart(Chart {
                        title: "PRJ-001 earned value".into(),
                        spec: ChartSpec::SCurve {
                            bac: 1_250_000.0,
                            points: vec![
                                SCurvePoint {
                                    date: date(2026, 1, 31),
                                    pv: 100_000.0,
                                    ev: Some(90_000.0),
                                    ac: Some(95_000.0),
                                },
                                SCurvePoint {
                                    date: date(2026, 2, 28),
                                    pv: 300_000.0,
                                    ev: Some(250_000.0),
                                    ac: Some(290_000.0),
                                },
                                SCurvePoint {
                                    date: date(2026, 3, 31),
                                    pv: 600_000.0,
                                    ev: Some(520_000.0),
                                    ac: Some(595_000.0),
                                },
                                SCurvePoint { date: date(2026, 6, 30), pv: 1_000_000.0, ev: None, ac: None },
                                SCurvePoint { date: date(2026, 9, 30), pv: 1_250_000.0, ev: None, ac: None },
                            ],
                            currency: "GBP".into(),
                        },
                    }),
                ],
            },
            Section {
                heading: "Risks & issues".into(),
                blocks: vec![
                    Block::Chart(Chart { title: "Open risks".into(), spec: ChartSpec::HeatMap(heat()) }),
                    Block::Table(risks),
                    Block::Callout {
                        rag: Some(Rag::Amber),
                        sentences: vec![s(
                            "Risk \"<script>alert(1)</script> | *stars* & [link](x)\" is still open.",
                            &[3],
                        )],
                    },
                ],
            },
        ],
        sources,
    }
}
