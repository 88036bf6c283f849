//! Properties of the report engine on random facts: no panics, citations in range, no NaN or
//! infinity in text, decisions and red risks lead the executive summary, and worse data or
//! stricter thresholds never give a better RAG.

mod report_support;

use chrono::Duration;
use keel_domain::{DecisionState, GovernanceTier, IssueState, Priority, Rag, RiskState};
use keel_engine::report::*;
use proptest::prelude::*;
use report_support::*;

/// A small deterministic generator driven by proptest's seed.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    fn rag(&mut self) -> Rag {
        [Rag::Green, Rag::Amber, Rag::Red][self.below(3) as usize]
    }
    /// A number that is sometimes not finite or absurd.
    fn float(&mut self, lo: f64, hi: f64) -> f64 {
        match self.below(40) {
            0 => f64::NAN,
            1 => f64::INFINITY,
            2 => -1.0,
            3 => 0.0,
            _ => lo + (hi - lo) * (self.below(10_000) as f64 / 10_000.0),
        }
    }
    fn date(&mut self, spread: i64) -> chrono::NaiveDate {
        as_of() + Duration::days(self.below(2 * spread as u64) as i64 - spread)
    }
    fn word(&mut self) -> &'static str {
        ["Payments", "Cutover", "Data", "Supplier", "Mobile", "Testing", "Audit", "", "Ünïcode ✓", "a  b\nc"]
            [self.below(10) as usize]
    }
}

fn random_project(g: &mut Gen, n: u32) -> ProjectFacts {
    let tier = [GovernanceTier::Light, GovernanceTier::Standard, GovernanceTier::Strict][g.below(3) as usize];
    let mut p = bare(n, g.word(), tier);
    p.created_on = g.date(400);
    p.baseline_finish = g.chance(80).then(|| g.date(300));
    p.budget = g.chance(80).then(|| g.float(0.0, 5.0e6));
    if g.chance(80) {
        let dims = [g.rag(), g.rag(), g.rag(), g.rag(), g.rag(), g.rag()];
        p.status = Some(status("s", g.date(60), g.rag(), dims, g.word()));
    }
    if g.chance(50) {
        let dims = [g.rag(), g.rag(), g.rag(), g.rag(), g.rag(), g.rag()];
        p.previous_status = Some(status("s0", g.date(90), g.rag(), dims, g.word()));
    }
    let slip = |g: &mut Gen| g.chance(80).then(|| g.below(80) as i64 - 20);
    if g.chance(75) {
        let mut f = forecast("f", g.date(10), g.date(300), slip(g));
        f.probability_on_time = g.chance(70).then(|| g.float(0.0, 1.0));
        f.cost_p80 = g.chance(50).then(|| g.float(0.0, 6.0e6));
        f.defaulted_tasks = g.below(20) as usize;
        f.risks_included = g.below(5) as usize;
        f.iterations = g.below(20_000) as u32;
        p.forecast = Some(f);
    }
    if g.chance(50) {
        p.previous_forecast = Some(forecast("f0", g.date(60), g.date(300), slip(g)));
    }
    if g.chance(60) {
        p.evm = Some(EvmFacts {
            status_date: g.date(30),
            bac: g.float(0.0, 1.0e6),
            pv: g.float(0.0, 1.0e6),
            ev: g.float(0.0, 1.0e6),
            ac: g.chance(70).then(|| g.float(0.0, 1.0e6)),
            spi: g.chance(70).then(|| g.float(0.5, 1.3)),
            cpi: g.chance(70).then(|| g.float(0.5, 1.3)),
            spi_t: g.chance(70).then(|| g.float(0.5, 1.3)),
            sv_t_days: g.chance(70).then(|| g.float(-30.0, 30.0)),
            eac: g.chance(70).then(|| g.float(0.0, 2.0e6)),
            curve: (0..g.below(4))
                .map(|_| SCurvePoint {
                    date: g.date(200),
                    pv: g.float(0.0, 1.0e6),
                    ev: Some(g.float(0.0, 1.0e6)),
                    ac: None,
                })
                .collect(),
        });
    }
    for i in 0..g.below(4) {
        p.critical_slips.push(TaskSlip {
            task_id: format!("t{i}"),
            name: g.word().to_owned(),
            slip_working_days: g.below(30) as i64 - 10,
            version: 2,
        });
    }
    for i in 0..g.below(5) {
        let a = g.chance(30).then(|| g.date(90));
        p.milestones.push(milestone(&format!("m{i}"), g.word(), g.date(120), g.chance(50).then(|| g.date(120)), a));
    }
    for i in 0..g.below(6) {
        let mut r = risk(&format!("r{i}"), g.word(), 1 + g.below(5) as u8, 1 + g.below(5) as u8, g.date(120));
        r.state = [RiskState::Open, RiskState::Open, RiskState::Closed, RiskState::Occurred][g.below(4) as usize];
        r.schedule_impact_days = g.chance(50).then(|| g.below(20) as u32);
        r.cost_impact = g.chance(30).then(|| g.float(0.0, 1.0e5));
        r.previous_score = g.chance(60).then(|| 1 + g.below(25) as u8);
        r.updated_on = g.date(60);
        r.response_plan = g.word().to_owned();
        p.risks.push(r);
    }
    for i in 0..g.below(4) {
        let pr = [Priority::Low, Priority::Medium, Priority::High, Priority::Critical][g.below(4) as usize];
        let st = [IssueState::Open, IssueState::InProgress, IssueState::Resolved][g.below(3) as usize];
        let mut iss = issue(&format!("i{i}"), g.word(), pr, g.date(120), st);
        iss.due = g.chance(50).then(|| g.date(60));
        iss.updated_on = g.date(60);
        p.issues.push(iss);
    }
    for i in 0..g.below(3) {
        let mut dec = decision(&format!("d{i}"), g.word(), g.word(), g.word(), &[g.word(), g.word()]);
        dec.state = [DecisionState::Pending, DecisionState::Decided, DecisionState::Superseded][g.below(3) as usize];
        p.decisions.push(dec);
    }
    p
}

fn random_portfolio(seed: u64, n: usize) -> PortfolioFacts {
    let mut g = Gen(seed | 1);
    let mut facts = portfolio((0..n).map(|i| random_project(&mut g, i as u32)).collect());
    if g.chance(30) {
        facts.previous_period_end = None;
    }
    facts
}

fn is_number_word(text: &str) -> bool {
    text.contains("NaN")
        || text
            .split(|c: char| !c.is_alphanumeric())
            .any(|w| w.eq_ignore_ascii_case("inf") || w.eq_ignore_ascii_case("infinity"))
}

fn check_document(doc: &Document) -> Result<(), TestCaseError> {
    for s in doc.sentences() {
        prop_assert!(!s.text.is_empty());
        prop_assert!(!is_number_word(&s.text), "not a number in: {}", s.text);
        for &i in &s.sources {
            prop_assert!(i < doc.sources.len(), "source {} of {} in: {}", i, doc.sources.len(), s.text);
        }
    }
    for b in doc.sections.iter().flat_map(|s| &s.blocks) {
        if let Block::Table(t) = b {
            for r in &t.rows {
                prop_assert_eq!(r.len(), t.columns.len());
                for c in r {
                    if let Cell::Number { value, .. } | Cell::Percent(value) = c {
                        prop_assert!(value.is_finite());
                    }
                }
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn every_report_is_well_formed(seed in any::<u64>(), n in 0usize..8) {
        let facts = random_portfolio(seed, n);
        let rules = RagRules::default();
        for kind in [ReportKind::Portfolio, ReportKind::Board] {
            for audience in Audience::ALL {
                let doc = portfolio_report(&facts, kind, audience, &rules);
                check_document(&doc)?;
                // The first block of the executive summary leads with decisions and red risks.
                let first = doc.sections.first().and_then(|s| s.blocks.first());
                let text = match first {
                    Some(Block::Callout { sentences, .. } | Block::Paragraph { sentences }) => {
                        sentences.iter().map(|s| s.text.as_str()).collect::<Vec<_>>().join(" ")
                    }
                    _ => String::new(),
                };
                let decisions = facts.projects.iter().flat_map(|p| &p.decisions).any(|d| d.state == DecisionState::Pending);
                let reds = facts.projects.iter().flat_map(|p| &p.risks).any(|r| r.state == RiskState::Open && r.band == Rag::Red);
                if decisions {
                    prop_assert!(text.contains("decision"), "{}", text);
                }
                if reds {
                    prop_assert!(text.contains("red"), "{}", text);
                }
                if facts.projects.is_empty() {
                    prop_assert_eq!(text, "No active projects in scope.");
                }
            }
        }
        for p in &facts.projects {
            for audience in Audience::ALL {
                check_document(&status_report(p, facts.as_of, facts.generated_at, audience, &rules))?;
            }
            let draft = draft_status(p, &rules, facts.as_of, facts.generated_at);
            check_document(&draft.document)?;
            prop_assert_eq!(draft.overall, keel_engine::suggest_overall(&draft.proposals.each_ref().map(|d| d.rag)));
            for field in [&draft.summary, &draft.achievements, &draft.next_steps, &draft.decisions_needed] {
                prop_assert!(!is_number_word(field), "{}", field);
            }
        }
    }

    #[test]
    fn worse_data_never_gives_a_better_rag(seed in any::<u64>(), slip in 0i64..40, factor in 0.5f64..1.0, older in 0i64..100) {
        let mut g = Gen(seed | 1);
        let p = random_project(&mut g, 1);
        let mut worse = p.clone();
        if let Some(f) = &mut worse.forecast {
            f.p80_slip_working_days = f.p80_slip_working_days.map(|s| s + slip);
            f.cost_p80 = f.cost_p80.map(|c| if c > 0.0 { c / factor } else { c });
        }
        if let Some(e) = &mut worse.evm {
            e.spi_t = e.spi_t.map(|x| x * factor);
            e.spi = e.spi.map(|x| x * factor);
            e.cpi = e.cpi.map(|x| x * factor);
            e.eac = e.eac.map(|c| if c > 0.0 { c / factor } else { c });
        }
        for r in &mut worse.risks {
            r.band = Rag::Red;
        }
        for i in &mut worse.issues {
            i.raised_on -= Duration::days(older);
            i.priority = i.priority.max(Priority::High);
        }
        for m in &mut worse.milestones {
            m.forecast = m.forecast.map(|d| d - Duration::days(older));
            m.baseline = m.baseline.map(|d| d - Duration::days(older));
        }
        let rules = RagRules::default();
        let (before, _) = propose_rag(&p, &rules, as_of());
        let (after, _) = propose_rag(&worse, &rules, as_of());
        for (b, a) in before.iter().zip(&after) {
            prop_assert!(a.rag.severity() >= b.rag.severity(), "{:?}: {:?} -> {:?}", b.dimension, b.rag, a.rag);
        }
    }

    #[test]
    fn stricter_thresholds_never_give_a_better_rag(seed in any::<u64>(), days in 0i64..10, index in 0.0f64..0.2, count in 0usize..3) {
        let mut g = Gen(seed | 1);
        let p = random_project(&mut g, 1);
        let rules = RagRules::default();
        let mut strict = rules.clone();
        for t in [&mut strict.light, &mut strict.standard, &mut strict.strict] {
            t.schedule_slip_amber_days -= days;
            t.schedule_slip_red_days -= days;
            t.spi_amber += index;
            t.spi_red += index;
            t.cpi_amber += index;
            t.cpi_red += index;
            t.cost_overrun_amber = (t.cost_overrun_amber - index / 4.0).max(0.0);
            t.cost_overrun_red = (t.cost_overrun_red - index / 4.0).max(0.0);
            t.overdue_milestones_amber = t.overdue_milestones_amber.saturating_sub(count).max(1);
            t.overdue_milestones_red = t.overdue_milestones_red.saturating_sub(count).max(1);
            t.red_risks_amber = t.red_risks_amber.saturating_sub(count).max(1);
            t.red_risks_red = t.red_risks_red.saturating_sub(count).max(1);
            t.aged_issues_amber = t.aged_issues_amber.saturating_sub(count).max(1);
            t.aged_issues_red = t.aged_issues_red.saturating_sub(count).max(1);
            t.issue_age_days -= days;
        }
        let (before, _) = propose_rag(&p, &rules, as_of());
        let (after, _) = propose_rag(&p, &strict, as_of());
        for (b, a) in before.iter().zip(&after) {
            prop_assert!(a.rag.severity() >= b.rag.severity(), "{:?}: {:?} -> {:?}", b.dimension, b.rag, a.rag);
        }
    }
}
