//! Back-test of the delivery-risk prediction on DSLIB (real projects with baseline and tracking).
//!
//! For each project with tracking periods and a known real duration and cost, take the indicators
//! available at the first tracking period at or past 30% and at or past 50% of progress (EV / BAC):
//! SPI(t), CPI, their trends (least-squares slope over that period and up to three before it) and
//! percent complete. Predict whether the real duration overran the baseline duration, and the real
//! cost the budget, by more than the margin; report AUC and calibration for the default model and
//! for the trained model under leave-one-out and stratified 5-fold cross-validation.
//!
//! ```text
//! cargo run -p keel-interop --example risk_backtest -- [DSLIB_DIR] [--margin 0.10] [--protrack]
//! ```
//!
//! The indices come from Keel's own chain (the DSLIB reader, then the EVM engine on the workbook's
//! working calendar); `--protrack` uses ProTrack's stored `Tracking Overview` figures instead.
//! The outcomes (real duration and cost against the baseline) come from projects.csv.
//!
//! DSLIB_DIR defaults to `../shared/data/dslib` beside the repository. The data is test data only
//! and never copied into the repository; without it the program says so and exits.

#![allow(clippy::unwrap_used)] // A command-line study: a panic is the error report.

use std::path::{Path, PathBuf};

use keel_engine::forecast::evm::evaluate;
use keel_engine::forecast::predict::{
    Calibration, IndicatorKind, Indicators, Margin, Model, Observation, Outcome, PredictionInput, TrainOptions,
    TrainingExample, Validation, auc, calibration, cross_validate, train, trend_slope,
};
use keel_interop::dslib;

/// Stages at which predictions are made.
const STAGES: [f64; 2] = [0.30, 0.50];
/// Periods in a trend window (the prediction period and up to three before it).
const TREND_WINDOW: usize = 4;
/// Reliability bins.
const BINS: usize = 5;

/// One tracking period.
#[derive(Debug, Clone)]
struct Period {
    progress: f64,
    spi_t: Option<f64>,
    cpi: Option<f64>,
}

/// One project of projects.csv with tracking and known outcomes.
#[derive(Debug, Clone)]
struct Project {
    code: String,
    file: String,
    planned_duration: f64,
    bac: f64,
    finish_overrun: f64,
    budget_overrun: f64,
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mut dir: Option<PathBuf> = None;
    let mut margin = 0.10;
    let mut source = Source::Keel;
    while let Some(a) = args.next() {
        if a == "--protrack" {
            source = Source::Protrack;
        } else if a == "--margin" {
            margin = args.next().and_then(|m| m.parse().ok()).expect("--margin takes a fraction, e.g. 0.10");
        } else {
            dir = Some(PathBuf::from(a));
        }
    }
    let dir = dir.unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/dslib"));
    if !dir.join("projects.csv").exists() {
        eprintln!("DSLIB not found at {} (pass its directory as the first argument); nothing to do", dir.display());
        return;
    }
    let margin = Margin { finish: margin, budget: margin };
    let projects = read_projects(&dir.join("projects.csv"));
    let mut series = Vec::new();
    for p in &projects {
        match read_tracking(&dir.join("workbooks").join(&p.file), source, p.bac) {
            Ok(s) if !s.is_empty() => series.push((p, s)),
            Ok(_) => eprintln!("{}: no tracking rows", p.code),
            Err(e) => eprintln!("{}: {e}", p.code),
        }
    }
    println!("# DSLIB delivery-risk back-test\n");
    println!("margin: {:.0}% of the baseline duration and of the budget", margin.finish * 100.0);
    println!(
        "indices: {}",
        match source {
            Source::Keel => "Keel's EVM engine on the DSLIB reader's baseline and tracking periods",
            Source::Protrack => "ProTrack's stored Tracking Overview",
        }
    );
    println!("projects with tracking and known outcomes: {}\n", series.len());
    for stage in STAGES {
        let examples: Vec<(String, TrainingExample)> =
            series.iter().filter_map(|(p, s)| example_at(p, s, stage).map(|e| (p.code.clone(), e))).collect();
        report_stage(stage, &examples, margin);
    }
}

fn read_projects(path: &Path) -> Vec<Project> {
    let mut rdr = csv::Reader::from_path(path).unwrap();
    let headers = rdr.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (code, file, pd, bac, late, over, rows) = (
        col("code"),
        col("file"),
        col("PD_days"),
        col("BAC"),
        col("early_late_pct"),
        col("under_over_budget_pct"),
        col("n_tracking_rows"),
    );
    let num = |s: &str| s.trim().parse::<f64>().ok();
    rdr.records()
        .filter_map(|r| {
            let r = r.ok()?;
            if num(&r[rows]).unwrap_or(0.0) < 1.0 {
                return None;
            }
            Some(Project {
                code: r[code].to_string(),
                file: r[file].to_string(),
                planned_duration: num(&r[pd])?,
                bac: num(&r[bac])?,
                finish_overrun: num(&r[late])?,
                budget_overrun: num(&r[over])?,
            })
        })
        .collect()
}

/// Where the per-period indices come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    /// Keel's chain: `keel_interop::dslib::read`, `DslibProject::evm_input` on the workbook's own
    /// calendar, then `keel_engine::forecast::evm::evaluate`.
    Keel,
    /// ProTrack's own figures in the workbook's `Tracking Overview` sheet (as read by the same
    /// reader), with BAC from projects.csv.
    Protrack,
}

/// The tracking periods of one workbook: progress EV / BAC, SPI(t) and CPI.
fn read_tracking(path: &Path, source: Source, bac_csv: f64) -> Result<Vec<Period>, String> {
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let project = dslib::read(&name, &bytes).map_err(|e| e.to_string())?;
    let positive = |v: Option<f64>| v.filter(|v| v.is_finite() && *v > 0.0);
    match source {
        Source::Keel => {
            let input = project.evm_input(&name, project.time_basis()).map_err(|e| e.to_string())?;
            let report = evaluate(&input).map_err(|e| e.to_string())?;
            if report.bac <= 0.0 {
                return Err("BAC is zero".into());
            }
            Ok(report
                .periods
                .iter()
                .map(|m| Period { progress: m.ev / report.bac, spi_t: positive(m.spi_t), cpi: positive(m.cpi) })
                .collect())
        }
        Source::Protrack => Ok(project
            .overview
            .iter()
            .filter_map(|r| Some(Period { progress: r.ev? / bac_csv, spi_t: positive(r.spi_t), cpi: positive(r.cpi) }))
            .collect()),
    }
}

/// The training example at the first period at or past `stage` of progress.
fn example_at(p: &Project, s: &[Period], stage: f64) -> Option<TrainingExample> {
    let i = s.iter().position(|x| x.progress >= stage)?;
    let window = &s[i.saturating_sub(TREND_WINDOW - 1)..=i];
    let src = format!("dslib:{}:TP{}", p.code, i + 1);
    let obs = |v: Option<f64>| v.map(|v| Observation::new(v, src.clone()));
    let series = |f: fn(&Period) -> Option<f64>| -> Option<Vec<f64>> { window.iter().map(f).collect() };
    let indicators = Indicators {
        spi_t: obs(s[i].spi_t),
        spi_t_trend: obs(series(|x| x.spi_t).and_then(|v| trend_slope(&v))),
        cpi: obs(s[i].cpi),
        cpi_trend: obs(series(|x| x.cpi).and_then(|v| trend_slope(&v))),
        percent_complete: obs(Some(s[i].progress.clamp(0.0, 1.0))),
        ..Default::default()
    };
    Some(TrainingExample {
        indicators,
        baseline_duration_days: p.planned_duration,
        finish_overrun: Some(p.finish_overrun),
        budget_overrun: Some(p.budget_overrun),
    })
}

fn report_stage(stage: f64, examples: &[(String, TrainingExample)], margin: Margin) {
    println!("## At {:.0}% progress ({} projects)\n", stage * 100.0, examples.len());
    let ex: Vec<TrainingExample> = examples.iter().map(|e| e.1.clone()).collect();
    let mut cal_rows = Vec::new();
    println!("| outcome | missed | model | AUC | Brier | mean predicted |");
    println!("|---|---|---|---|---|---|");
    for outcome in [Outcome::Finish, Outcome::Budget] {
        let observed: Vec<bool> = ex
            .iter()
            .map(|e| match outcome {
                Outcome::Finish => e.finish_overrun.unwrap() > margin.finish,
                Outcome::Budget => e.budget_overrun.unwrap() > margin.budget,
            })
            .collect();
        let positives = observed.iter().filter(|&&o| o).count();
        let name = match outcome {
            Outcome::Finish => "finish",
            Outcome::Budget => "budget",
        };
        let missed = format!("{positives}/{}", observed.len());
        let rate = positives as f64 / observed.len() as f64;
        // Reference: always the observed rate (the best constant, known only in hindsight).
        println!("| {name} | {missed} | constant observed rate | 0.500 | {:.3} | {rate:.3} |", rate * (1.0 - rate));
        // References: the raw index, and its trend, alone as a score (ranking only; a missing
        // value scores as neutral).
        let (index, trend) = match outcome {
            Outcome::Finish => (IndicatorKind::SpiT, IndicatorKind::SpiTTrend),
            Outcome::Budget => (IndicatorKind::Cpi, IndicatorKind::CpiTrend),
        };
        for (kind, neutral) in [(index, -1.0), (trend, 0.0)] {
            let score: Vec<f64> = ex.iter().map(|e| e.indicators.get(kind).map_or(neutral, |o| -o.value)).collect();
            let label = format!("{} alone (rank only)", kind.label());
            println!("| {name} | {missed} | {label} | {} | - | - |", fmt(auc(&score, &observed).ok()));
        }
        // Default model.
        let probs: Vec<f64> = ex
            .iter()
            .map(|e| {
                let input = PredictionInput {
                    indicators: e.indicators.clone(),
                    baseline_duration_days: e.baseline_duration_days,
                    margin,
                };
                let p = Model::Default.predict(&input).unwrap();
                match outcome {
                    Outcome::Finish => p.finish.probability,
                    Outcome::Budget => p.budget.probability,
                }
            })
            .collect();
        row(name, &missed, "default (documented weights)", &probs, &observed, &mut cal_rows);
        // Trained model, out of fold.
        for (label, validation) in [
            ("trained, leave-one-out", Validation::LeaveOneOut),
            ("trained, 5-fold (seed 1)", Validation::KFold { k: 5, seed: 1 }),
        ] {
            let options = TrainOptions { margin, validation, ..Default::default() };
            match cross_validate(&ex, outcome, &options) {
                Ok(oof) => {
                    let p: Vec<f64> = oof.iter().map(|o| o.probability).collect();
                    let y: Vec<bool> = oof.iter().map(|o| o.observed).collect();
                    row(name, &missed, label, &p, &y, &mut cal_rows);
                }
                Err(e) => println!("| {name} | {missed} | {label} | not trained: {e} | | |"),
            }
        }
    }
    println!("\nReliability ({BINS} bins: predicted range, count, mean predicted, observed rate):\n");
    for (label, c) in &cal_rows {
        let bins: Vec<String> = c
            .bins
            .iter()
            .filter(|b| b.count > 0)
            .map(|b| {
                format!(
                    "[{:.1},{:.1}) n={} p={:.2} obs={:.2}",
                    b.lower,
                    b.upper,
                    b.count,
                    b.mean_predicted.unwrap_or(0.0),
                    b.observed_rate.unwrap_or(0.0)
                )
            })
            .collect();
        println!("- {label}: {}", bins.join("; "));
    }
    // The trained model on all projects: its coefficients.
    let options = TrainOptions { margin, ..Default::default() };
    if let Ok(model) = train(&ex, &options) {
        println!("\nTrained on all {} projects (coefficients per standard deviation):\n", ex.len());
        for (name, fit) in [("finish", &model.finish), ("budget", &model.budget)] {
            match fit {
                Ok(f) => {
                    let coefs: Vec<String> =
                        f.features.iter().map(|w| format!("{} {:+.2}", w.indicator.key(), w.coefficient)).collect();
                    println!(
                        "- {name}: intercept {:+.2}; {}; in-sample AUC {}, LOO AUC {}",
                        f.intercept,
                        coefs.join(", "),
                        fmt(f.report.in_sample_auc),
                        fmt(f.report.cross_validated_auc)
                    );
                }
                Err(e) => println!("- {name}: not trained: {e}"),
            }
        }
    }
    println!();
}

fn row(
    name: &str,
    missed: &str,
    label: &str,
    probs: &[f64],
    observed: &[bool],
    cal_rows: &mut Vec<(String, Calibration)>,
) {
    let a = auc(probs, observed).ok();
    let c = calibration(probs, observed, BINS).unwrap();
    println!("| {name} | {missed} | {label} | {} | {:.3} | {:.3} |", fmt(a), c.brier, c.mean_predicted);
    cal_rows.push((format!("{name}, {label}"), c));
}

fn fmt(v: Option<f64>) -> String {
    v.map_or("-".to_string(), |v| format!("{v:.3}"))
}
