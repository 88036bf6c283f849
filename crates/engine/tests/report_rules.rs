//! RAG rules: each tier's thresholds at their boundaries, carried dimensions, and validation.

mod report_support;

use keel_domain::{GovernanceTier, IssueState, Priority, Rag};
use keel_engine::report::*;
use report_support::*;

fn proposal(p: &ProjectFacts, dim: Dimension) -> DimensionProposal {
    let (props, sources) = propose_rag(p, &RagRules::default(), as_of());
    for r in props.iter().flat_map(|p| &p.reasons) {
        assert!(r.sources.iter().all(|&i| i < sources.len()), "reason cites a missing source: {r:?}");
    }
    props.into_iter().find(|p| p.dimension == dim).expect("every dimension is proposed")
}

fn with_slip(tier: GovernanceTier, slip: i64) -> ProjectFacts {
    let mut p = bare(1, "Boundary", tier);
    p.forecast = Some(forecast("f", as_of(), d(2027, 7, 1), Some(slip)));
    p
}

#[test]
fn schedule_slip_boundaries_per_tier() {
    let rules = RagRules::default();
    for tier in [GovernanceTier::Light, GovernanceTier::Standard, GovernanceTier::Strict] {
        let t = rules.for_tier(tier);
        let cases = [
            (t.schedule_slip_amber_days - 1, Rag::Green),
            (t.schedule_slip_amber_days, Rag::Amber),
            (t.schedule_slip_red_days - 1, Rag::Amber),
            (t.schedule_slip_red_days, Rag::Red),
        ];
        for (slip, want) in cases {
            let got = proposal(&with_slip(tier, slip), Dimension::Schedule);
            assert!(got.from_data);
            assert_eq!(got.rag, want, "{tier:?} slip {slip}");
        }
    }
}

#[test]
fn spi_and_cpi_boundaries_per_tier() {
    let rules = RagRules::default();
    for tier in [GovernanceTier::Light, GovernanceTier::Standard, GovernanceTier::Strict] {
        let t = rules.for_tier(tier);
        for (spi, cpi, want) in [
            (t.spi_amber, t.cpi_amber, Rag::Green),
            (t.spi_amber - 0.001, t.cpi_amber - 0.001, Rag::Amber),
            (t.spi_red, t.cpi_red, Rag::Amber),
            (t.spi_red - 0.001, t.cpi_red - 0.001, Rag::Red),
        ] {
            let mut p = bare(1, "Boundary", tier);
            p.evm = Some(EvmFacts {
                status_date: as_of(),
                bac: 100.0,
                pv: 50.0,
                ev: 50.0,
                ac: None,
                spi: None,
                cpi: Some(cpi),
                spi_t: Some(spi),
                sv_t_days: None,
                eac: None,
                curve: Vec::new(),
            });
            assert_eq!(proposal(&p, Dimension::Schedule).rag, want, "{tier:?} SPI(t) {spi}");
            assert_eq!(proposal(&p, Dimension::Cost).rag, want, "{tier:?} CPI {cpi}");
        }
    }
}

#[test]
fn cost_overrun_boundaries() {
    let t = RagRules::default().standard;
    for (overrun, want) in [(0.049, Rag::Green), (0.05, Rag::Amber), (0.099, Rag::Amber), (0.10, Rag::Red)] {
        let mut p = bare(1, "Boundary", GovernanceTier::Standard);
        p.budget = Some(1_000_000.0);
        p.forecast = Some(ForecastFacts {
            cost_p80: Some(1_000_000.0 * (1.0 + overrun)),
            ..forecast("f", as_of(), d(2027, 6, 30), Some(0))
        });
        let got = proposal(&p, Dimension::Cost);
        assert_eq!(
            got.rag, want,
            "overrun {overrun} against amber {} red {}",
            t.cost_overrun_amber, t.cost_overrun_red
        );
    }
}

#[test]
fn red_risks_aged_issues_and_overdue_milestones_count_at_the_threshold() {
    let t = RagRules::default().strict;
    let mut p = bare(1, "Boundary", GovernanceTier::Strict);
    p.risks = (0..t.red_risks_red).map(|i| risk(&format!("r{i}"), "Red", 5, 5, d(2027, 1, 1))).collect();
    assert_eq!(proposal(&p, Dimension::Risk).rag, Rag::Red);
    p.risks.truncate(t.red_risks_amber);
    assert_eq!(
        proposal(&p, Dimension::Risk).rag,
        if t.red_risks_amber >= t.red_risks_red { Rag::Red } else { Rag::Amber }
    );

    let mut p = bare(2, "Issues", GovernanceTier::Standard);
    let s = RagRules::default().standard;
    let raised_at_age = as_of() - chrono::Duration::days(s.issue_age_days);
    p.issues = vec![issue("i1", "Old", Priority::High, raised_at_age, IssueState::Open)];
    assert_eq!(proposal(&p, Dimension::Risk).rag, Rag::Amber, "an issue exactly issue_age_days old counts");
    p.issues[0].raised_on = raised_at_age + chrono::Duration::days(1);
    assert_eq!(proposal(&p, Dimension::Risk).rag, Rag::Green, "a younger issue does not");
    p.issues[0].raised_on = raised_at_age;
    p.issues[0].priority = Priority::Medium;
    assert_eq!(proposal(&p, Dimension::Risk).rag, Rag::Green, "medium issues do not count");

    let mut p = bare(3, "Milestones", GovernanceTier::Standard);
    p.milestones = vec![milestone("m1", "Due today", as_of(), None, None)];
    assert_eq!(proposal(&p, Dimension::Schedule).rag, Rag::Green, "due today is not overdue");
    // Overdue by a working day or two: the count decides.
    p.milestones.push(milestone("m2", "Late", d(2027, 3, 29), None, None));
    assert_eq!(proposal(&p, Dimension::Schedule).rag, Rag::Amber);
    p.milestones.push(milestone("m3", "Later", d(2027, 3, 30), None, None));
    assert_eq!(proposal(&p, Dimension::Schedule).rag, Rag::Red);
    p.milestones[2].actual = Some(d(2027, 3, 30));
    assert_eq!(proposal(&p, Dimension::Schedule).rag, Rag::Amber, "an achieved milestone is not overdue");

    // How late decides too: one milestone overdue by the red slip threshold or more is red.
    let s = RagRules::default().standard;
    let mut p = bare(4, "Go-live", GovernanceTier::Standard);
    // 2027-03-31 is a Wednesday: a due date whole weeks earlier is 5 working days a week late.
    let weeks_late = |wd: i64| as_of() - chrono::Duration::days(7 * wd / 5);
    p.milestones = vec![milestone("m1", "Go-live", weeks_late(s.schedule_slip_red_days), None, None)];
    let prop = proposal(&p, Dimension::Schedule);
    assert_eq!(prop.rag, Rag::Red, "{:?}", prop.reasons);
    p.milestones[0].baseline = Some(weeks_late(s.schedule_slip_amber_days));
    assert_eq!(proposal(&p, Dimension::Schedule).rag, Rag::Amber);
}

#[test]
fn dimensions_without_data_carry_the_last_report_and_say_so() {
    let mut p = bare(1, "Carry", GovernanceTier::Standard);
    let got = proposal(&p, Dimension::Cost);
    assert_eq!((got.rag, got.from_data), (Rag::Green, false));
    assert!(got.reasons[0].text.contains("no earlier report"), "{}", got.reasons[0].text);

    p.status = Some(status(
        "s",
        previous(),
        Rag::Amber,
        [Rag::Red, Rag::Amber, Rag::Green, Rag::Red, Rag::Amber, Rag::Red],
        "",
    ));
    let got = proposal(&p, Dimension::Cost);
    assert_eq!((got.rag, got.from_data), (Rag::Amber, false));
    assert_eq!(got.reasons[0].text, "No cost data: carried from the last report (amber).");
    assert_eq!(proposal(&p, Dimension::Benefits).rag, Rag::Red);
    assert_eq!(proposal(&p, Dimension::Schedule).rag, Rag::Red, "no forecast, EVM or milestones: carried");
}

#[test]
fn a_forecast_without_baseline_says_it_cannot_be_compared() {
    let got = proposal(&hr(), Dimension::Schedule);
    assert!(!got.from_data);
    assert!(got.reasons.iter().any(|r| r.text.contains("No baseline finish")), "{:?}", got.reasons);
}

#[test]
fn validate_accepts_the_defaults_and_names_tier_and_field() {
    assert_eq!(RagRules::default().validate(), Ok(()));

    let mut rules = RagRules::default();
    rules.standard.spi_red = 0.99;
    let err = rules.validate().expect_err("red stricter than amber");
    assert!(err.starts_with("standard.spi_red: must be at most spi_amber"), "{err}");

    let mut rules = RagRules::default();
    rules.light.schedule_slip_red_days = 2;
    rules.strict.cost_overrun_amber = f64::NAN;
    rules.strict.red_risks_amber = 0;
    let err = rules.validate().expect_err("three problems");
    assert!(err.contains("light.schedule_slip_red_days: must be at least schedule_slip_amber_days"), "{err}");
    assert!(err.contains("strict.cost_overrun_amber:"), "{err}");
    assert!(err.contains("strict.red_risks_amber: must be at least 1"), "{err}");
    assert!(!err.contains("standard."), "{err}");
}

#[test]
fn rules_read_from_json_fill_missing_fields_with_defaults() {
    let rules: RagRules = serde_json::from_str(
        r#"{"light": {"spi_amber": 0.8, "spi_red": 0.7}, "standard": {}, "strict": {"issue_age_days": 10}}"#,
    )
    .expect("partial rules parse");
    assert_eq!(rules.light.spi_amber, 0.8);
    assert_eq!(rules.strict.issue_age_days, 10);
    assert_eq!(rules.validate(), Ok(()));
    assert!(serde_json::from_str::<RagRules>(r#"{"light": {"spi": 1}, "standard": {}, "strict": {}}"#).is_err());
}
