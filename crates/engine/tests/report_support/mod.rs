//! Fixed facts and a readable text rendering of documents, shared by the report tests.

#![allow(dead_code)] // Each test binary uses a different part.

use chrono::{NaiveDate, NaiveDateTime};
use keel_domain::{DecisionState, GovernanceTier, IssueState, LifecycleStage, Priority, Rag, RiskState, WorkState};
use keel_engine::report::*;
use std::fmt::Write;

pub fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("valid date")
}

pub fn at(date: NaiveDate) -> NaiveDateTime {
    date.and_hms_opt(9, 0, 0).expect("valid time")
}

pub const AS_OF: (i32, u32, u32) = (2027, 3, 31);
pub const PREVIOUS: (i32, u32, u32) = (2027, 2, 28);

pub fn as_of() -> NaiveDate {
    d(AS_OF.0, AS_OF.1, AS_OF.2)
}

pub fn previous() -> NaiveDate {
    d(PREVIOUS.0, PREVIOUS.1, PREVIOUS.2)
}

/// A project with nothing but its record.
pub fn bare(n: u32, name: &str, tier: GovernanceTier) -> ProjectFacts {
    ProjectFacts {
        id: format!("p{n}"),
        code: format!("PRJ-{n:03}"),
        name: name.to_owned(),
        manager: "Alex Morgan".to_owned(),
        sponsor: "Sam Patel".to_owned(),
        programme: None,
        tier,
        state: WorkState::Active,
        stage: LifecycleStage::Delivery,
        created_on: d(2026, 6, 1),
        planned_start: Some(d(2026, 7, 1)),
        baseline_finish: Some(d(2027, 6, 30)),
        budget: Some(1_250_000.0),
        currency: "GBP".to_owned(),
        status: None,
        previous_status: None,
        rag_history: Vec::new(),
        forecast: None,
        previous_forecast: None,
        evm: None,
        critical_slips: Vec::new(),
        prediction: None,
        milestones: Vec::new(),
        risks: Vec::new(),
        issues: Vec::new(),
        decisions: Vec::new(),
    }
}

pub fn status(id: &str, period_end: NaiveDate, overall: Rag, dims: [Rag; 6], summary: &str) -> ReportedStatus {
    ReportedStatus {
        id: id.to_owned(),
        period_end,
        overall,
        dimensions: dims,
        summary: summary.to_owned(),
        decisions_needed: String::new(),
        submitted_by: "Alex Morgan".to_owned(),
    }
}

/// A forecast whose P80 is `slip` working days past a baseline of 30 June 2027 (None: no baseline).
pub fn forecast(run: &str, run_on: NaiveDate, p80: NaiveDate, slip: Option<i64>) -> ForecastFacts {
    ForecastFacts {
        run_id: run.to_owned(),
        run_at: at(run_on),
        iterations: 10_000,
        p10: p80 - chrono::Duration::days(30),
        p50: p80 - chrono::Duration::days(12),
        p80,
        p90: p80 + chrono::Duration::days(9),
        probability_on_time: slip.map(|s| if s > 0 { 0.35 } else { 0.85 }),
        p80_slip_working_days: slip,
        p50_slip_working_days: slip.map(|s| s - 8),
        cost_p50: None,
        cost_p80: None,
        defaulted_tasks: 14,
        default_range: "90/100/130% triangular".to_owned(),
        risks_included: 3,
    }
}

pub fn risk(id: &str, title: &str, p: u8, i: u8, raised: NaiveDate) -> RiskFacts {
    let score = p * i;
    let band = if score >= 15 {
        Rag::Red
    } else if score >= 8 {
        Rag::Amber
    } else {
        Rag::Green
    };
    RiskFacts {
        id: id.to_owned(),
        title: title.to_owned(),
        category: "Delivery".to_owned(),
        owner: "Jo Lee".to_owned(),
        probability: p,
        impact: i,
        score,
        band,
        state: RiskState::Open,
        schedule_impact_days: None,
        cost_impact: None,
        raised_on: raised,
        updated_on: raised,
        previous_score: Some(score),
        response_plan: String::new(),
    }
}

pub fn decision(id: &str, title: &str, by: &str, context: &str, options: &[&str]) -> DecisionFacts {
    DecisionFacts {
        id: id.to_owned(),
        title: title.to_owned(),
        context: context.to_owned(),
        options: options.iter().map(|o| (*o).to_owned()).collect(),
        state: DecisionState::Pending,
        decided_by: by.to_owned(),
        decided_on: None,
    }
}

pub fn milestone(
    id: &str,
    name: &str,
    baseline: NaiveDate,
    forecast: Option<NaiveDate>,
    actual: Option<NaiveDate>,
) -> MilestoneFacts {
    MilestoneFacts { id: id.to_owned(), name: name.to_owned(), baseline: Some(baseline), forecast, actual }
}

pub fn issue(id: &str, title: &str, priority: Priority, raised: NaiveDate, state: IssueState) -> IssueFacts {
    IssueFacts {
        id: id.to_owned(),
        title: title.to_owned(),
        priority,
        owner: "Jo Lee".to_owned(),
        raised_on: raised,
        due: None,
        state,
        updated_on: raised,
    }
}

use Rag::{Amber as A, Green as G, Red as R};

/// Payments: amber, slipping 12 working days this period on a critical task and a new red risk.
pub fn payments() -> ProjectFacts {
    let mut p = bare(1, "Payments platform", GovernanceTier::Standard);
    p.sponsor = "Priya Shah".to_owned();
    p.status = Some(status(
        "s1b",
        as_of(),
        A,
        [A, G, G, A, G, G],
        "Integration testing is behind after the card scheme changed its test window.",
    ));
    p.previous_status = Some(status("s1a", previous(), G, [G, G, G, G, G, G], "On track."));
    p.forecast = Some(ForecastFacts {
        cost_p80: Some(1_340_000.0),
        ..forecast("f1b", d(2027, 3, 30), d(2027, 7, 26), Some(18))
    });
    p.previous_forecast = Some(forecast("f1a", d(2027, 2, 27), d(2027, 7, 8), Some(6)));
    p.evm = Some(EvmFacts {
        status_date: d(2027, 3, 26),
        bac: 1_250_000.0,
        pv: 640_000.0,
        ev: 563_000.0,
        ac: Some(605_000.0),
        spi: Some(0.88),
        cpi: Some(0.93),
        spi_t: Some(0.91),
        sv_t_days: Some(-9.0),
        eac: Some(1_344_000.0),
        curve: vec![
            SCurvePoint { date: d(2027, 1, 29), pv: 400_000.0, ev: Some(390_000.0), ac: Some(400_000.0) },
            SCurvePoint { date: d(2027, 2, 26), pv: 520_000.0, ev: Some(480_000.0), ac: Some(505_000.0) },
            SCurvePoint { date: d(2027, 3, 26), pv: 640_000.0, ev: Some(563_000.0), ac: Some(605_000.0) },
        ],
    });
    p.critical_slips =
        vec![TaskSlip { task_id: "t42".into(), name: "Integration testing".into(), slip_working_days: 9, version: 7 }];
    p.milestones = vec![
        milestone("m1", "Design signed off", d(2027, 1, 15), None, Some(d(2027, 1, 20))),
        milestone("m2", "Build complete", d(2027, 3, 15), Some(d(2027, 3, 26)), None),
        milestone("m3", "Go live", d(2027, 6, 30), Some(d(2027, 7, 23)), None),
    ];
    let mut cert = risk("r17", "Card scheme certification delay", 4, 5, d(2027, 3, 10));
    cert.previous_score = None;
    cert.schedule_impact_days = Some(3);
    cert.cost_impact = Some(45_000.0);
    cert.response_plan = "Book a second certification slot and run the scheme's test pack early.".to_owned();
    p.risks = vec![cert, risk("r18", "Key developer leaves", 2, 4, d(2026, 11, 2))];
    p.decisions = vec![decision(
        "d1",
        "Approve a second test environment",
        "Investment board",
        "Integration testing is the critical path; a second environment recovers about 6 working days.",
        &["Approve GBP 85,000 now", "Accept the later go-live"],
    )];
    p
}

/// CRM: reports green but its data says amber on a strict tier.
pub fn crm() -> ProjectFacts {
    let mut p = bare(2, "CRM replacement", GovernanceTier::Strict);
    p.manager = "Chris Wong".to_owned();
    p.status = Some(status("s2b", as_of(), G, [G, G, G, G, G, G], "On track."));
    p.previous_status = Some(status("s2a", previous(), G, [G, G, G, G, G, G], "On track."));
    p.forecast = Some(forecast("f2b", d(2027, 3, 30), d(2027, 7, 6), Some(4)));
    p.previous_forecast = Some(forecast("f2a", d(2027, 2, 27), d(2027, 7, 6), Some(4)));
    p.evm = Some(EvmFacts {
        status_date: d(2027, 3, 26),
        bac: 800_000.0,
        pv: 420_000.0,
        ev: 415_000.0,
        ac: Some(432_000.0),
        spi: Some(0.99),
        cpi: Some(0.96),
        spi_t: Some(0.98),
        sv_t_days: Some(-1.0),
        eac: Some(833_000.0),
        curve: Vec::new(),
    });
    p.budget = Some(800_000.0);
    p.issues = vec![issue("i21", "Data migration defects", Priority::High, d(2027, 1, 5), IssueState::InProgress)];
    p.risks = vec![risk("r21", "Legacy data quality worse than sampled", 3, 3, d(2026, 12, 1))];
    p
}

/// Data centre exit: red and getting worse, two red risks and a decision.
pub fn data_centre() -> ProjectFacts {
    let mut p = bare(3, "Data centre exit", GovernanceTier::Light);
    p.manager = "Dana Okafor".to_owned();
    p.sponsor = "Priya Shah".to_owned();
    p.budget = Some(2_400_000.0);
    p.status = Some(status(
        "s3b",
        as_of(),
        R,
        [R, A, G, R, A, G],
        "Network cutover failed its rehearsal; the co-location contract ends before the new date.",
    ));
    p.previous_status = Some(status("s3a", previous(), A, [A, G, G, A, A, G], "Cutover rehearsal planned."));
    p.forecast = Some(forecast("f3b", d(2027, 3, 30), d(2027, 8, 11), Some(30)));
    p.previous_forecast = Some(forecast("f3a", d(2027, 2, 27), d(2027, 7, 30), Some(22)));
    p.critical_slips = vec![
        TaskSlip { task_id: "t7".into(), name: "Network cutover".into(), slip_working_days: 5, version: 4 },
        TaskSlip { task_id: "t9".into(), name: "Storage migration wave 2".into(), slip_working_days: 2, version: 4 },
    ];
    let mut contract = risk("r31", "Co-location contract expires before exit", 5, 4, d(2026, 10, 1));
    contract.previous_score = Some(16);
    contract.response_plan = "Negotiate a six-month extension.".to_owned();
    contract.cost_impact = Some(310_000.0);
    let mut cutover = risk("r32", "Second cutover rehearsal fails", 3, 5, d(2027, 3, 4));
    cutover.previous_score = None;
    cutover.schedule_impact_days = Some(10);
    p.risks = vec![contract, cutover];
    p.decisions = vec![decision(
        "d3",
        "Extend the co-location contract by six months",
        "Executive committee",
        "Exit now finishes after the contract ends; without an extension the provider may switch off racks.",
        &["Extend six months (GBP 310,000)", "Extend three months and accept risk"],
    )];
    p
}

/// HR self-service: forecast but no baseline.
pub fn hr() -> ProjectFacts {
    let mut p = bare(4, "HR self-service", GovernanceTier::Standard);
    p.manager = "Chris Wong".to_owned();
    p.baseline_finish = None;
    p.status = Some(status("s4b", d(2027, 1, 31), G, [G, G, G, G, G, G], "Discovery complete."));
    p.forecast =
        Some(ForecastFacts { probability_on_time: None, ..forecast("f4b", d(2027, 3, 30), d(2027, 10, 15), None) });
    p
}

/// Mobile app: green, came in earlier, hit a milestone and closed a risk.
pub fn mobile() -> ProjectFacts {
    let mut p = bare(5, "Mobile app refresh", GovernanceTier::Light);
    p.sponsor = "Lee Grant".to_owned();
    p.budget = Some(450_000.0);
    p.status = Some(status("s5b", as_of(), G, [G, G, G, G, G, G], "Beta released to staff."));
    p.previous_status = Some(status("s5a", previous(), G, [G, G, G, G, G, G], "Beta on track."));
    p.forecast = Some(forecast("f5b", d(2027, 3, 30), d(2027, 5, 28), Some(-3)));
    p.previous_forecast = Some(forecast("f5a", d(2027, 2, 27), d(2027, 6, 2), Some(0)));
    p.baseline_finish = Some(d(2027, 6, 2));
    p.milestones = vec![
        milestone("m51", "Staff beta", d(2027, 3, 19), None, Some(d(2027, 3, 17))),
        milestone("m52", "Store release", d(2027, 4, 23), Some(d(2027, 4, 20)), None),
    ];
    let mut closed = risk("r51", "App store review rejects the release", 2, 3, d(2026, 12, 1));
    closed.state = RiskState::Closed;
    closed.updated_on = d(2027, 3, 18);
    p.risks = vec![closed];
    let mut resolved =
        issue("i51", "Crash on older Android devices", Priority::High, d(2027, 2, 20), IssueState::Resolved);
    resolved.updated_on = d(2027, 3, 12);
    p.issues = vec![resolved];
    p
}

/// Supplier portal: created this period, nothing yet.
pub fn supplier_portal() -> ProjectFacts {
    let mut p = bare(6, "Supplier portal", GovernanceTier::Standard);
    p.created_on = d(2027, 3, 8);
    p.stage = LifecycleStage::Initiation;
    p.baseline_finish = None;
    p.budget = None;
    p
}

pub fn portfolio(projects: Vec<ProjectFacts>) -> PortfolioFacts {
    PortfolioFacts {
        scope: ScopeFacts {
            kind: ScopeKind::Portfolio,
            id: Some("pf1".into()),
            code: "DIG".into(),
            name: "Digital".into(),
        },
        as_of: as_of(),
        previous_period_end: Some(previous()),
        generated_at: at(d(2027, 4, 1)),
        projects,
        heat_map: None,
        rag_trend: vec![
            RagTrendPoint { period_end: d(2027, 1, 31), green: 4, amber: 1, red: 0 },
            RagTrendPoint { period_end: d(2027, 2, 28), green: 3, amber: 1, red: 1 },
        ],
    }
}

pub fn typical() -> PortfolioFacts {
    portfolio(vec![payments(), crm(), data_centre(), hr(), mobile(), supplier_portal()])
}

fn refs(s: &Sentence) -> String {
    if s.sources.is_empty() {
        String::new()
    } else {
        format!(" [{}]", s.sources.iter().map(|i| (i + 1).to_string()).collect::<Vec<_>>().join(","))
    }
}

fn para(sentences: &[Sentence]) -> String {
    sentences.iter().map(|s| format!("{}{}", s.text, refs(s))).collect::<Vec<_>>().join(" ")
}

fn cell(c: &Cell) -> String {
    match c {
        Cell::Empty => "-".to_owned(),
        Cell::Text(t) => t.clone(),
        Cell::Int(i) => i.to_string(),
        Cell::Number { value, decimals } => format!("{value:.*}", usize::from(*decimals)),
        Cell::Percent(p) => format!("{:.0}%", p * 100.0),
        Cell::Money { amount, currency } => format!("{currency} {amount:.0}"),
        Cell::Date(d) => d.to_string(),
        Cell::Rag(r) => r.map_or("-".to_owned(), |r| r.as_str().to_uppercase()),
    }
}

/// The document as a reviewer reads it: headings, sentences with [n] references, tables as rows,
/// charts as their data in brief, then the numbered sources.
pub fn render(doc: &Document) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {}", doc.title);
    let _ = writeln!(
        out,
        "{} | {} | as of {} | generated {}",
        doc.kind.as_str(),
        doc.audience.label(),
        doc.as_of,
        doc.generated_at
    );
    let _ = writeln!(out, "{}", doc.scope);
    for s in &doc.sections {
        let _ = writeln!(out, "\n## {}", s.heading);
        for b in &s.blocks {
            match b {
                Block::Paragraph { sentences } => {
                    let _ = writeln!(out, "{}", para(sentences));
                }
                Block::Callout { rag, sentences } => {
                    let tag = rag.map_or("NOTE".to_owned(), |r| r.as_str().to_uppercase());
                    let _ = writeln!(out, "[{tag}] {}", para(sentences));
                }
                Block::Bullets { items } => {
                    for i in items {
                        let _ = writeln!(out, "- {}", para(i));
                    }
                }
                Block::Table(t) => {
                    let _ = writeln!(out, "Table: {}", t.title);
                    let _ = writeln!(out, "| {} |", t.columns.join(" | "));
                    for r in &t.rows {
                        let _ = writeln!(out, "| {} |", r.iter().map(cell).collect::<Vec<_>>().join(" | "));
                    }
                }
                Block::Chart(c) => {
                    let data = match &c.spec {
                        ChartSpec::RagDistribution { counts } => {
                            format!(
                                "green {}, amber {}, red {}, not reported {}",
                                counts[0], counts[1], counts[2], counts[3]
                            )
                        }
                        ChartSpec::RagTrend { points } => points
                            .iter()
                            .map(|p| format!("{}: {}G {}A {}R", p.period_end, p.green, p.amber, p.red))
                            .collect::<Vec<_>>()
                            .join("; "),
                        ChartSpec::ForecastVsBaseline { rows } => rows
                            .iter()
                            .map(|r| {
                                format!(
                                    "{} baseline {} P50 {} P80 {}",
                                    r.label,
                                    r.baseline.map_or("-".to_owned(), |b| b.to_string()),
                                    r.p50,
                                    r.p80
                                )
                            })
                            .collect::<Vec<_>>()
                            .join("; "),
                        ChartSpec::HeatMap(h) => format!("{} open risks on a {}x{} grid", h.open, h.size, h.size),
                        ChartSpec::SCurve { bac, points, .. } => format!("BAC {bac:.0}, {} points", points.len()),
                    };
                    let _ = writeln!(out, "Chart: {} ({data})", c.title);
                }
            }
        }
    }
    let _ = writeln!(out, "\n## Sources");
    for (i, s) in doc.sources.iter().enumerate() {
        let _ = writeln!(out, "[{}] {} <{}>", i + 1, s.label, s.path);
    }
    out
}
