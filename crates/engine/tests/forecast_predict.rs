//! Delivery-risk prediction: properties of the default model, the trained model and the metrics,
//! hand-worked examples, and the documented weight table checked against the code.

#![allow(clippy::unwrap_used)] // Tests: a panic is the failure report.

use keel_engine::forecast::predict::{
    DEFAULT_WEIGHTS, IndicatorKind, Indicators, Margin, Model, ModelKind, Observation, Outcome, PredictError,
    PredictionInput, TrainError, TrainOptions, TrainingExample, Validation, auc, brier, calibration, cross_validate,
    train,
};
use proptest::prelude::*;

// ---------------------------------------------------------------------------------------------
// Strategies

/// A value inside the domain of each indicator.
fn value_for(kind: IndicatorKind) -> BoxedStrategy<f64> {
    match kind {
        IndicatorKind::SpiT | IndicatorKind::Cpi => (0.05f64..3.0).boxed(),
        IndicatorKind::SpiTTrend | IndicatorKind::CpiTrend => (-0.5f64..0.5).boxed(),
        IndicatorKind::FloatErosion | IndicatorKind::P80Slip => (-200.0f64..400.0).boxed(),
        IndicatorKind::CriticalPathChurn | IndicatorKind::RagHistory | IndicatorKind::PercentComplete => {
            (0.0f64..=1.0).boxed()
        }
        IndicatorKind::OverdueMilestones | IndicatorKind::OpenHighRisks => (0u32..40).prop_map(f64::from).boxed(),
        IndicatorKind::ReportStaleness | IndicatorKind::OpenIssueAge => (0.0f64..400.0).boxed(),
        IndicatorKind::TaskCountGrowth | IndicatorKind::BudgetGrowth => (-1.0f64..2.0).boxed(),
    }
}

fn indicators() -> impl Strategy<Value = Indicators> {
    let fields: Vec<BoxedStrategy<Option<f64>>> =
        IndicatorKind::ALL.iter().map(|&k| proptest::option::of(value_for(k)).boxed()).collect();
    fields.prop_map(|values| {
        let mut ind = Indicators::default();
        for (k, v) in IndicatorKind::ALL.iter().zip(values) {
            ind.set(*k, v.map(|v| Observation::new(v, format!("src:{}", k.key()))));
        }
        ind
    })
}

fn margin() -> impl Strategy<Value = Margin> {
    (0.0f64..0.6, 0.0f64..0.6).prop_map(|(finish, budget)| Margin { finish, budget })
}

fn input() -> impl Strategy<Value = PredictionInput> {
    (indicators(), 5.0f64..2000.0, margin()).prop_map(|(indicators, d, margin)| PredictionInput {
        indicators,
        baseline_duration_days: d,
        margin,
    })
}

/// Whether a lower raw value is the worse one.
fn lower_is_worse(kind: IndicatorKind) -> bool {
    matches!(kind, IndicatorKind::SpiT | IndicatorKind::Cpi | IndicatorKind::SpiTTrend | IndicatorKind::CpiTrend)
}

/// Indicators whose worsening must never lower a probability (all but the stage).
fn monotone_kinds() -> impl Strategy<Value = IndicatorKind> {
    proptest::sample::select(
        IndicatorKind::ALL.iter().copied().filter(|&k| k != IndicatorKind::PercentComplete).collect::<Vec<_>>(),
    )
}

// ---------------------------------------------------------------------------------------------
// Default model

proptest! {
    #[test]
    fn default_probabilities_are_probabilities(input in input()) {
        let p = Model::Default.predict(&input).unwrap();
        for o in [&p.finish, &p.budget] {
            prop_assert!((0.0..=1.0).contains(&o.probability), "{}", o.probability);
            prop_assert!((0.0..=1.0).contains(&o.base_rate));
        }
    }

    /// Worse indicators never lower either probability: lower SPI(t)/CPI or their trends, more
    /// overdue milestones, more slip, more erosion, staler reports, and so on.
    #[test]
    fn worse_indicators_never_lower_the_default_probability(
        input in input(),
        (kind, v1, v2) in monotone_kinds().prop_flat_map(|k| (Just(k), value_for(k), value_for(k))),
    ) {
        let (better, worse) = if lower_is_worse(kind) == (v1 < v2) { (v2, v1) } else { (v1, v2) };
        let mut good = input.clone();
        good.indicators.set(kind, Some(Observation::new(better, "x")));
        let mut bad = input.clone();
        bad.indicators.set(kind, Some(Observation::new(worse, "x")));
        let pg = Model::Default.predict(&good).unwrap();
        let pb = Model::Default.predict(&bad).unwrap();
        prop_assert!(pb.finish.probability >= pg.finish.probability,
            "{kind:?} {better} -> {worse}: finish {} -> {}", pg.finish.probability, pb.finish.probability);
        prop_assert!(pb.budget.probability >= pg.budget.probability,
            "{kind:?} {better} -> {worse}: budget {} -> {}", pg.budget.probability, pb.budget.probability);
    }

    #[test]
    fn nothing_known_gives_the_base_rate(d in 1.0f64..5000.0, margin in margin()) {
        let input = PredictionInput { indicators: Indicators::default(), baseline_duration_days: d, margin };
        let p = Model::Default.predict(&input).unwrap();
        for o in [&p.finish, &p.budget] {
            prop_assert_eq!(o.probability, o.base_rate);
            prop_assert!(o.factors.is_empty());
            prop_assert_eq!(&o.missing, &IndicatorKind::ALL.to_vec());
        }
    }

    /// A wider margin is missed less often when nothing else changes.
    #[test]
    fn wider_margins_never_raise_the_default_probability(input in input(), extra in 0.0f64..0.5) {
        let mut wide = input.clone();
        wide.margin = Margin { finish: input.margin.finish + extra, budget: input.margin.budget + extra };
        let p = Model::Default.predict(&input).unwrap();
        let q = Model::Default.predict(&wide).unwrap();
        prop_assert!(q.finish.probability <= p.finish.probability + 1e-12);
        prop_assert!(q.budget.probability <= p.budget.probability + 1e-12);
    }

    /// The factors explain the probability: intercept + contributions = log-odds; present and
    /// missing indicators partition the kinds; factors sorted by contribution; sources kept.
    #[test]
    fn factors_explain_the_prediction(input in input()) {
        let p = Model::Default.predict(&input).unwrap();
        for o in [&p.finish, &p.budget] {
            let intercept = (o.base_rate / (1.0 - o.base_rate)).ln();
            let sum: f64 = o.factors.iter().map(|f| f.contribution).sum();
            prop_assert!((intercept + sum - o.log_odds).abs() < 1e-9);
            prop_assert_eq!(o.factors.len() + o.missing.len(), IndicatorKind::ALL.len());
            for w in o.factors.windows(2) {
                prop_assert!(w[0].contribution >= w[1].contribution);
            }
            for f in &o.factors {
                let expected = format!("src:{}", f.indicator.key());
                prop_assert_eq!(&f.source, &expected);
                prop_assert!(!f.text.is_empty());
                prop_assert!(input.indicators.get(f.indicator).is_some());
            }
            for k in &o.missing {
                prop_assert!(input.indicators.get(*k).is_none());
            }
        }
    }
}

/// Worked by hand: SPI(t) 0.8 at 50% complete, margin 10%, nothing else known.
/// scaled = -ln 0.8 - ln 1.1 = 0.127833; stage = 0.2 + 0.8 * 0.5 = 0.6;
/// finish: ln(0.35/0.65) + 7 * 0.6 * 0.127833 = -0.619039 + 0.536900 = -0.082139 -> 0.479477;
/// budget: ln(0.30/0.70) + 2 * 0.6 * 0.127833 = -0.847298 + 0.153400 = -0.693898 -> 0.333167.
#[test]
fn hand_worked_spi_t_example() {
    let input = PredictionInput {
        indicators: Indicators {
            spi_t: Some(Observation::new(0.8, "evm:7")),
            percent_complete: Some(Observation::new(0.5, "evm:7")),
            ..Default::default()
        },
        baseline_duration_days: 100.0,
        margin: Margin { finish: 0.10, budget: 0.10 },
    };
    let p = Model::Default.predict(&input).unwrap();
    assert!((p.finish.probability - 0.479477).abs() < 1e-5, "{}", p.finish.probability);
    assert!((p.budget.probability - 0.333167).abs() < 1e-5, "{}", p.budget.probability);
    let spi = &p.finish.factors[0];
    assert_eq!(spi.indicator, IndicatorKind::SpiT);
    assert!((spi.scaled - 0.127833).abs() < 1e-5);
    assert!((spi.contribution - 0.536900).abs() < 1e-5);
    assert!(spi.text.contains("25% late"), "{}", spi.text);
    assert!(spi.text.contains("raises the odds"), "{}", spi.text);
    assert_eq!(p.finish.model, ModelKind::Default);
}

/// SPI(t) 0 (time has passed, nothing is earned): valid, the strongest the scale allows, and said
/// in words without dividing by zero.
#[test]
fn nothing_earned_yet_is_the_worst_schedule_signal() {
    let at = |v: f64| {
        let input = PredictionInput {
            indicators: Indicators { spi_t: Some(Observation::new(v, "evm:1")), ..Default::default() },
            baseline_duration_days: 100.0,
            margin: Margin::default(),
        };
        Model::Default.predict(&input).unwrap()
    };
    let (zero, low) = (at(0.0), at(0.2));
    assert!(zero.finish.probability >= low.finish.probability);
    assert!(zero.finish.factors[0].text.contains("none is earned yet"), "{}", zero.finish.factors[0].text);
    assert!(zero.finish.probability.is_finite());
}

/// P80 slip of 30 days on 100 with a 10% margin: scaled 0.2, weight 6 -> +1.2 log-odds.
#[test]
fn hand_worked_p80_slip_example() {
    let input = PredictionInput {
        indicators: Indicators { p80_slip_days: Some(Observation::new(30.0, "mc:run:4")), ..Default::default() },
        baseline_duration_days: 100.0,
        margin: Margin::default(),
    };
    let p = Model::Default.predict(&input).unwrap();
    let f = &p.finish.factors[0];
    assert!((f.scaled - 0.2).abs() < 1e-12);
    assert!((f.contribution - 1.2).abs() < 1e-12);
    assert_eq!(f.source, "mc:run:4");
}

#[test]
fn invalid_inputs_are_refused_naming_the_field() {
    let base = PredictionInput { baseline_duration_days: 100.0, ..Default::default() };
    let cases: [(IndicatorKind, f64); 6] = [
        (IndicatorKind::SpiT, -0.1),
        (IndicatorKind::Cpi, -1.0),
        (IndicatorKind::CriticalPathChurn, 1.5),
        (IndicatorKind::OverdueMilestones, -1.0),
        (IndicatorKind::TaskCountGrowth, -2.0),
        (IndicatorKind::P80Slip, f64::NAN),
    ];
    for (kind, v) in cases {
        let mut input = base.clone();
        input.indicators.set(kind, Some(Observation::new(v, "x")));
        match Model::Default.predict(&input) {
            Err(PredictError::InvalidIndicator { indicator, .. }) => assert_eq!(indicator, kind),
            other => panic!("{kind:?} = {v}: {other:?}"),
        }
    }
    for d in [0.0, -5.0, f64::INFINITY] {
        let input = PredictionInput { baseline_duration_days: d, ..Default::default() };
        assert!(matches!(
            Model::Default.predict(&input),
            Err(PredictError::InvalidInput { field: "baseline_duration_days", .. })
        ));
    }
    let input = PredictionInput { margin: Margin { finish: -0.1, budget: 0.1 }, ..base };
    assert!(matches!(Model::Default.predict(&input), Err(PredictError::InvalidInput { field: "margin.finish", .. })));
}

/// The weight table in docs/delivery-risk.md is the one in the code.
#[test]
fn documented_weights_match_the_code() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/delivery-risk.md");
    let doc = std::fs::read_to_string(path).unwrap();
    // The table under "### Weights", up to the next heading.
    let section = doc.split("### Weights").nth(1).unwrap();
    let section = section.split("\n#").next().unwrap();
    let mut seen = 0;
    for row in DEFAULT_WEIGHTS {
        let key = format!("`{}`", row.indicator.key());
        let line = section
            .lines()
            .find(|l| l.starts_with('|') && l.contains(&key))
            .unwrap_or_else(|| panic!("no table row for {key}"));
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        // | label | `key` | scale | finish | budget | staged | ...
        let finish: f64 = cells[4].parse().unwrap();
        let budget: f64 = cells[5].parse().unwrap();
        assert_eq!(finish, row.finish, "{key} finish weight");
        assert_eq!(budget, row.budget, "{key} budget weight");
        assert_eq!(cells[6] == "yes", row.staged, "{key} staged");
        seen += 1;
    }
    assert_eq!(seen, 15);
}

// ---------------------------------------------------------------------------------------------
// Trained model

/// Synthetic closed projects: the finish outcome follows SPI(t) through a known logistic, the
/// budget outcome follows CPI; RAG history is noise. Deterministic in `seed`.
fn synthetic(n: usize, seed: u64) -> Vec<TrainingExample> {
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut next = move || {
        // xorshift64*, uniform in [0, 1)
        s ^= s >> 12;
        s ^= s << 25;
        s ^= s >> 27;
        (s.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    };
    (0..n)
        .map(|_| {
            let spi = 0.6 + 0.7 * next();
            let cpi = 0.6 + 0.7 * next();
            let rag = next();
            let p_late = 1.0 / (1.0 + (-(8.0 * (1.0 - spi))).exp());
            let p_over = 1.0 / (1.0 + (-(8.0 * (1.0 - cpi))).exp());
            let late = next() < p_late;
            let over = next() < p_over;
            TrainingExample {
                indicators: Indicators {
                    spi_t: Some(Observation::new(spi, "s")),
                    cpi: Some(Observation::new(cpi, "c")),
                    rag_history: Some(Observation::new(rag, "r")),
                    ..Default::default()
                },
                baseline_duration_days: 100.0,
                finish_overrun: Some(if late { 0.3 } else { 0.0 }),
                budget_overrun: Some(if over { 0.25 } else { -0.05 }),
            }
        })
        .collect()
}

#[test]
fn trained_model_learns_the_signal_and_reports_its_accuracy() {
    let examples = synthetic(200, 7);
    let options = TrainOptions { validation: Validation::KFold { k: 5, seed: 3 }, ..Default::default() };
    let model = train(&examples, &options).unwrap();
    let finish = model.finish.as_ref().unwrap();
    assert_eq!(finish.report.examples, 200);
    let spi = finish.features.iter().find(|f| f.indicator == IndicatorKind::SpiT).unwrap();
    let cpi = finish.features.iter().find(|f| f.indicator == IndicatorKind::Cpi).unwrap();
    assert!(spi.coefficient > 0.5, "{spi:?}"); // scaled SPI(t) grows as SPI(t) falls
    assert!(spi.coefficient > 3.0 * cpi.coefficient.abs(), "{spi:?} {cpi:?}");
    let cv = finish.report.cross_validated_auc.unwrap();
    assert!(cv > 0.7, "cv auc {cv}");
    assert!(finish.report.in_sample_auc.unwrap() >= cv - 0.05);
    let budget = model.budget.as_ref().unwrap();
    let cpi_b = budget.features.iter().find(|f| f.indicator == IndicatorKind::Cpi).unwrap();
    assert!(cpi_b.coefficient > 0.5);
}

#[test]
fn trained_predictions_are_explained_by_coefficient_times_standardised_value() {
    let examples = synthetic(80, 11);
    let options = TrainOptions::default();
    let model = Model::from_history(&examples, &options).unwrap();
    let Model::Trained(t) = &model else { panic!("expected a trained model") };
    let finish = t.finish.as_ref().unwrap();
    let input = PredictionInput {
        indicators: Indicators {
            spi_t: Some(Observation::new(0.7, "evm:1")),
            cpi: Some(Observation::new(1.1, "evm:1")),
            overdue_milestones: Some(Observation::new(3.0, "ms")),
            ..Default::default()
        },
        baseline_duration_days: 100.0,
        margin: options.margin,
    };
    let p = model.predict(&input).unwrap();
    assert!(matches!(p.finish.model, ModelKind::Trained { examples: 80, .. }));
    let sum: f64 = p.finish.factors.iter().map(|f| f.contribution).sum();
    assert!((finish.intercept + sum - p.finish.log_odds).abs() < 1e-9);
    let spi = p.finish.factors.iter().find(|f| f.indicator == IndicatorKind::SpiT).unwrap();
    let w = finish.features.iter().find(|f| f.indicator == IndicatorKind::SpiT).unwrap();
    let scaled = -(0.7f64.ln()) - 1.1f64.ln();
    let z = (scaled - w.mean) / w.sd;
    assert!((spi.scaled - z).abs() < 1e-9);
    assert!((spi.contribution - w.coefficient * z).abs() < 1e-9);
    // Not in the training data: listed, contributes nothing.
    let ms = p.finish.factors.iter().find(|f| f.indicator == IndicatorKind::OverdueMilestones).unwrap();
    assert_eq!(ms.contribution, 0.0);
    // Nothing known: the intercept, and RAG history imputed at its mean contributes nothing.
    let empty = PredictionInput { indicators: Indicators::default(), ..input.clone() };
    let q = model.predict(&empty).unwrap();
    assert_eq!(q.finish.probability, q.finish.base_rate);
    // Another margin is refused.
    let other = PredictionInput { margin: Margin { finish: 0.2, budget: 0.1 }, ..input };
    assert!(matches!(model.predict(&other), Err(PredictError::MarginMismatch { .. })));
}

#[test]
fn too_little_history_keeps_the_default_model() {
    let examples = synthetic(19, 5);
    let model = train(&examples, &TrainOptions::default()).unwrap();
    assert!(matches!(model.finish, Err(TrainError::NotEnoughData { examples: 19, .. })));
    assert_eq!(Model::from_history(&examples, &TrainOptions::default()).unwrap(), Model::Default);
    // One class only: not trainable either.
    let mut one_class = synthetic(40, 5);
    for e in &mut one_class {
        e.finish_overrun = Some(0.5);
    }
    let model = train(&one_class, &TrainOptions::default()).unwrap();
    assert!(matches!(model.finish, Err(TrainError::NotEnoughData { negatives: 0, .. })));
    assert!(model.budget.is_ok());
}

#[test]
fn invalid_training_examples_are_refused_naming_the_example() {
    let mut examples = synthetic(30, 1);
    examples[12].baseline_duration_days = 0.0;
    match train(&examples, &TrainOptions::default()) {
        Err(TrainError::InvalidExample { index: 12, field: "baseline_duration_days", .. }) => {}
        other => panic!("{other:?}"),
    }
    let mut examples = synthetic(30, 1);
    examples[3].indicators.spi_t = Some(Observation::new(-1.0, "x"));
    assert!(matches!(train(&examples, &TrainOptions::default()), Err(TrainError::InvalidExample { index: 3, .. })));
}

#[test]
fn cross_validation_predicts_every_labelled_example_once_without_seeing_it() {
    let mut examples = synthetic(45, 9);
    examples[4].finish_overrun = None;
    for validation in [Validation::LeaveOneOut, Validation::KFold { k: 4, seed: 1 }] {
        let options = TrainOptions { validation, ..Default::default() };
        let oof = cross_validate(&examples, Outcome::Finish, &options).unwrap();
        let idx: Vec<usize> = oof.iter().map(|o| o.index).collect();
        let expected: Vec<usize> = (0..45).filter(|&i| i != 4).collect();
        assert_eq!(idx, expected);
        for o in &oof {
            assert!((0.0..=1.0).contains(&o.probability));
            assert_eq!(o.observed, examples[o.index].finish_overrun.unwrap() > 0.1);
        }
    }
    // Same seed, same folds, same predictions.
    let options = TrainOptions { validation: Validation::KFold { k: 4, seed: 8 }, ..Default::default() };
    assert_eq!(
        cross_validate(&examples, Outcome::Finish, &options).unwrap(),
        cross_validate(&examples, Outcome::Finish, &options).unwrap()
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]
    #[test]
    fn trained_probabilities_are_probabilities(seed in any::<u64>(), input in input()) {
        let examples = synthetic(40, seed);
        let options = TrainOptions { margin: input.margin, validation: Validation::KFold { k: 2, seed }, ..Default::default() };
        let model = Model::from_history(&examples, &options).unwrap();
        let p = model.predict(&input).unwrap();
        for o in [&p.finish, &p.budget] {
            prop_assert!((0.0..=1.0).contains(&o.probability));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Metrics

/// AUC by brute force over every positive-negative pair, ties counting one half.
fn auc_pairs(scores: &[f64], observed: &[bool]) -> f64 {
    let (mut wins, mut pairs) = (0.0, 0.0);
    for (i, &si) in scores.iter().enumerate() {
        for (j, &sj) in scores.iter().enumerate() {
            if observed[i] && !observed[j] {
                pairs += 1.0;
                wins += if si > sj {
                    1.0
                } else if si == sj {
                    0.5
                } else {
                    0.0
                };
            }
        }
    }
    wins / pairs
}

proptest! {
    #[test]
    fn auc_of_perfectly_separated_scores_is_one_and_reversed_zero(
        neg in proptest::collection::vec(0.0f64..0.5, 1..30),
        pos in proptest::collection::vec(0.5f64..1.0, 1..30),
    ) {
        let pos: Vec<f64> = pos.iter().map(|p| p + 1e-9).collect();
        let scores: Vec<f64> = neg.iter().chain(&pos).copied().collect();
        let observed: Vec<bool> = neg.iter().map(|_| false).chain(pos.iter().map(|_| true)).collect();
        prop_assert_eq!(auc(&scores, &observed).unwrap(), 1.0);
        let reversed: Vec<f64> = scores.iter().map(|s| -s).collect();
        prop_assert_eq!(auc(&reversed, &observed).unwrap(), 0.0);
    }

    /// Rank formula with ties equals the pair count, on coarse scores with many ties.
    #[test]
    fn auc_equals_the_pair_count_with_ties(
        cases in proptest::collection::vec((0u8..5, any::<bool>()), 2..60),
    ) {
        let scores: Vec<f64> = cases.iter().map(|c| f64::from(c.0)).collect();
        let observed: Vec<bool> = cases.iter().map(|c| c.1).collect();
        match auc(&scores, &observed) {
            Ok(a) => prop_assert!((a - auc_pairs(&scores, &observed)).abs() < 1e-12),
            Err(_) => prop_assert!(observed.iter().all(|&o| o) || observed.iter().all(|&o| !o)),
        }
    }

    #[test]
    fn calibration_bins_account_for_every_prediction(
        cases in proptest::collection::vec((0.0f64..=1.0, any::<bool>()), 1..100),
        bins in 1usize..20,
    ) {
        let p: Vec<f64> = cases.iter().map(|c| c.0).collect();
        let y: Vec<bool> = cases.iter().map(|c| c.1).collect();
        let c = calibration(&p, &y, bins).unwrap();
        prop_assert_eq!(c.bins.len(), bins);
        prop_assert_eq!(c.bins.iter().map(|b| b.count).sum::<usize>(), p.len());
        for b in &c.bins {
            if let Some(m) = b.mean_predicted {
                prop_assert!(m >= b.lower - 1e-12 && m <= b.upper + 1e-12);
            }
        }
        // The bins' weighted observed rate is the overall rate.
        let weighted: f64 = c.bins.iter().filter_map(|b| b.observed_rate.map(|r| r * b.count as f64)).sum();
        prop_assert!((weighted / p.len() as f64 - c.observed_rate).abs() < 1e-12);
        prop_assert!((0.0..=1.0).contains(&c.brier));
    }
}

#[test]
fn brier_and_calibration_by_hand() {
    // (0.2-0)^2 + (0.7-1)^2 + (0.9-0)^2 = 0.04 + 0.09 + 0.81 = 0.94 -> 0.94 / 3
    let b = brier(&[0.2, 0.7, 0.9], &[false, true, false]).unwrap();
    assert!((b - 0.94 / 3.0).abs() < 1e-12);
    let c = calibration(&[0.2, 0.7, 0.9], &[false, true, false], 2).unwrap();
    assert_eq!(c.bins[0].count, 1);
    assert_eq!(c.bins[1].count, 2);
    assert!((c.bins[1].mean_predicted.unwrap() - 0.8).abs() < 1e-12);
    assert_eq!(c.bins[1].observed_rate, Some(0.5));
    assert!(brier(&[1.5], &[true]).is_err());
    assert!(auc(&[0.1, 0.2], &[true, true]).is_err());
    assert!(auc(&[0.1], &[true, false]).is_err());
    assert!(calibration(&[], &[], 10).is_err());
}
