//! Report engine benchmarks: a portfolio report and every project's status draft for 5,000
//! generated projects.
//!
//! `cargo bench -p keel-engine --bench report`.

#![allow(clippy::unwrap_used)] // Benchmarks: a panic is the failure report.

use chrono::{Duration, NaiveDate};
use divan::Bencher;
use keel_domain::{DecisionState, GovernanceTier, IssueState, LifecycleStage, Priority, Rag, RiskState, WorkState};
use keel_engine::report::*;

fn main() {
    divan::main();
}

const PROJECTS: usize = 5_000;

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2027, 3, 31).unwrap()
}

fn project(i: usize) -> ProjectFacts {
    let as_of = as_of();
    let day = |n: i64| as_of + Duration::days(n);
    let rag = |k: usize| [Rag::Green, Rag::Amber, Rag::Red][k % 3];
    let tier = [GovernanceTier::Light, GovernanceTier::Standard, GovernanceTier::Strict][i % 3];
    let status = |id: String, end: NaiveDate, k: usize| ReportedStatus {
        id,
        period_end: end,
        overall: rag(k),
        dimensions: [rag(k), rag(k + 1), rag(k + 2), rag(k), rag(k + 1), rag(k + 2)],
        summary: "Work continues to plan with two open actions.".to_owned(),
        decisions_needed: String::new(),
        submitted_by: "PM".to_owned(),
    };
    let forecast = |run: String, p80: NaiveDate, slip: i64| ForecastFacts {
        run_id: run,
        run_at: as_of.and_hms_opt(6, 0, 0).unwrap(),
        iterations: 10_000,
        p10: p80 - Duration::days(30),
        p50: p80 - Duration::days(12),
        p80,
        p90: p80 + Duration::days(9),
        probability_on_time: Some(0.4),
        p80_slip_working_days: Some(slip),
        p50_slip_working_days: Some(slip - 8),
        cost_p50: None,
        cost_p80: Some(1.0e6 + (i % 13) as f64 * 2.0e4),
        defaulted_tasks: i % 9,
        default_range: "90/100/130% triangular".to_owned(),
        risks_included: i % 4,
    };
    let slip = (i % 40) as i64 - 10;
    ProjectFacts {
        id: format!("p{i}"),
        code: format!("PRJ-{i:05}"),
        name: format!("Project {i}"),
        manager: format!("Manager {}", i % 50),
        sponsor: format!("Sponsor {}", i % 20),
        programme: None,
        tier,
        state: WorkState::Active,
        stage: LifecycleStage::Delivery,
        created_on: day(-400 + (i % 420) as i64),
        planned_start: Some(day(-300)),
        baseline_finish: (!i.is_multiple_of(10)).then(|| day(120)),
        budget: Some(1.0e6),
        currency: "GBP".to_owned(),
        status: (!i.is_multiple_of(7)).then(|| status(format!("s{i}"), as_of, i)),
        previous_status: (!i.is_multiple_of(5)).then(|| status(format!("s{i}a"), day(-31), i / 3)),
        rag_history: Vec::new(),
        forecast: (!i.is_multiple_of(6)).then(|| forecast(format!("f{i}"), day(120 + slip), slip)),
        previous_forecast: (!i.is_multiple_of(4)).then(|| forecast(format!("f{i}a"), day(115), slip - (i % 7) as i64)),
        evm: (!i.is_multiple_of(3)).then(|| EvmFacts {
            status_date: day(-3),
            bac: 1.0e6,
            pv: 5.0e5,
            ev: 4.6e5,
            ac: Some(4.9e5),
            spi: Some(0.92),
            cpi: Some(0.94),
            spi_t: Some(0.8 + (i % 30) as f64 / 100.0),
            sv_t_days: Some(-6.0),
            eac: Some(1.06e6),
            curve: Vec::new(),
        }),
        critical_slips: (0..i % 3)
            .map(|k| TaskSlip {
                task_id: format!("t{k}"),
                name: format!("Task {k}"),
                slip_working_days: 3 + k as i64,
                version: 2,
            })
            .collect(),
        prediction: None,
        milestones: (0..4)
            .map(|k| MilestoneFacts {
                id: format!("m{i}-{k}"),
                name: format!("Milestone {k}"),
                baseline: Some(day(-60 + 40 * k)),
                forecast: Some(day(-50 + 40 * k)),
                actual: (k == 0).then(|| day(-45)),
            })
            .collect(),
        risks: (0..5)
            .map(|k| RiskFacts {
                id: format!("r{i}-{k}"),
                title: format!("Risk {k}"),
                category: "Delivery".to_owned(),
                owner: "Owner".to_owned(),
                probability: 1 + ((i + k) % 5) as u8,
                impact: 1 + ((i * 3 + k) % 5) as u8,
                score: (1 + ((i + k) % 5) as u8) * (1 + ((i * 3 + k) % 5) as u8),
                band: rag(i + k),
                state: if k == 4 { RiskState::Closed } else { RiskState::Open },
                schedule_impact_days: Some(k as u32 * 2),
                cost_impact: Some(10_000.0),
                raised_on: day(-(k as i64) * 20),
                updated_on: day(-10),
                previous_score: Some(6),
                response_plan: "Mitigate with the supplier.".to_owned(),
            })
            .collect(),
        issues: (0..3)
            .map(|k| IssueFacts {
                id: format!("i{i}-{k}"),
                title: format!("Issue {k}"),
                priority: [Priority::Medium, Priority::High, Priority::Critical][k],
                owner: "Owner".to_owned(),
                raised_on: day(-(k as i64) * 25),
                due: Some(day(10)),
                state: if k == 0 { IssueState::Resolved } else { IssueState::Open },
                updated_on: day(-5),
            })
            .collect(),
        decisions: (0..i % 2)
            .map(|k| DecisionFacts {
                id: format!("d{i}-{k}"),
                title: "Approve the change request".to_owned(),
                context: "Scope grew by two interfaces.".to_owned(),
                options: vec!["Approve".to_owned(), "Defer".to_owned()],
                state: DecisionState::Pending,
                decided_by: "Board".to_owned(),
                decided_on: None,
            })
            .collect(),
    }
}

fn facts() -> PortfolioFacts {
    PortfolioFacts {
        scope: ScopeFacts { kind: ScopeKind::Organisation, id: None, code: String::new(), name: "Bench".to_owned() },
        as_of: as_of(),
        previous_period_end: Some(as_of() - Duration::days(31)),
        generated_at: as_of().and_hms_opt(9, 0, 0).unwrap(),
        projects: (0..PROJECTS).map(project).collect(),
        heat_map: None,
        rag_trend: Vec::new(),
    }
}

#[divan::bench(args = [Audience::Executive, Audience::Pmo, Audience::ProjectManager])]
fn portfolio_report_5000(bencher: Bencher, audience: Audience) {
    let facts = facts();
    let rules = RagRules::default();
    bencher.bench(|| portfolio_report(divan::black_box(&facts), ReportKind::Board, audience, &rules));
}

#[divan::bench]
fn draft_status_5000(bencher: Bencher) {
    let facts = facts();
    let rules = RagRules::default();
    bencher.bench(|| {
        facts
            .projects
            .iter()
            .map(|p| draft_status(divan::black_box(p), &rules, facts.as_of, facts.generated_at))
            .collect::<Vec<_>>()
    });
}
