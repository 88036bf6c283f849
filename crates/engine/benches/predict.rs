//! Delivery-risk prediction benchmarks: one default prediction, one trained prediction, training
//! with leave-one-out cross-validation, and AUC over many scores.
//!
//! `cargo bench -p keel-engine --bench predict`.

#![allow(clippy::unwrap_used)] // Benchmarks: a panic is the failure report.

use divan::Bencher;
use keel_engine::forecast::predict::{
    Indicators, Margin, Model, Observation, PredictionInput, TrainOptions, TrainingExample, Validation, auc, train,
};

fn main() {
    divan::main();
}

/// A deterministic uniform stream in [0, 1).
fn stream(seed: u64) -> impl FnMut() -> f64 {
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    move || {
        s ^= s >> 12;
        s ^= s << 25;
        s ^= s >> 27;
        (s.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn full_input() -> PredictionInput {
    let o = |v: f64| Some(Observation::new(v, "bench"));
    PredictionInput {
        indicators: Indicators {
            spi_t: o(0.85),
            spi_t_trend: o(-0.02),
            cpi: o(0.95),
            cpi_trend: o(0.0),
            float_erosion_days: o(6.0),
            critical_path_churn: o(0.2),
            p80_slip_days: o(15.0),
            overdue_milestones: o(1.0),
            report_staleness_days: o(12.0),
            rag_history: o(0.25),
            open_high_risks: o(2.0),
            open_issue_age_days: o(40.0),
            task_count_growth: o(0.05),
            budget_growth: o(0.0),
            percent_complete: o(0.45),
        },
        baseline_duration_days: 220.0,
        margin: Margin::default(),
    }
}

fn examples(n: usize) -> Vec<TrainingExample> {
    let mut u = stream(42);
    (0..n)
        .map(|_| {
            let spi = 0.6 + 0.7 * u();
            let cpi = 0.6 + 0.7 * u();
            let pc = u();
            TrainingExample {
                indicators: Indicators {
                    spi_t: Some(Observation::new(spi, "s")),
                    cpi: Some(Observation::new(cpi, "c")),
                    percent_complete: Some(Observation::new(pc, "p")),
                    rag_history: Some(Observation::new(u(), "r")),
                    ..Default::default()
                },
                baseline_duration_days: 100.0,
                finish_overrun: Some((1.0 / spi - 1.0) + 0.2 * (u() - 0.5)),
                budget_overrun: Some((1.0 / cpi - 1.0) + 0.2 * (u() - 0.5)),
            }
        })
        .collect()
}

#[divan::bench]
fn predict_default(b: Bencher) {
    let input = full_input();
    b.bench(|| Model::Default.predict(divan::black_box(&input)).unwrap());
}

#[divan::bench]
fn predict_trained(b: Bencher) {
    let model = Model::from_history(&examples(60), &TrainOptions::default()).unwrap();
    let input = full_input();
    b.bench(|| model.predict(divan::black_box(&input)).unwrap());
}

/// Training both outcomes, including the cross-validation fits.
#[divan::bench(args = [60, 500], sample_count = 10)]
fn train_with_validation(b: Bencher, n: usize) {
    let ex = examples(n);
    let options = if n <= 100 {
        TrainOptions::default()
    } else {
        TrainOptions { validation: Validation::KFold { k: 10, seed: 1 }, ..Default::default() }
    };
    b.bench(|| train(divan::black_box(&ex), &options).unwrap());
}

#[divan::bench(args = [1_000, 100_000])]
fn auc_scores(b: Bencher, n: usize) {
    let mut u = stream(7);
    let scores: Vec<f64> = (0..n).map(|_| u()).collect();
    let observed: Vec<bool> = scores.iter().map(|s| u() < *s).collect();
    b.bench(|| auc(divan::black_box(&scores), &observed).unwrap());
}
