//! The model trained on the organisation's own closed projects: L2-regularised logistic regression
//! (smartcore) on the standardised, documented scales of the indicators.

use rand::SeedableRng;
use rand::rngs::SmallRng;
use rand::seq::SliceRandom;
use serde::Serialize;
use smartcore::linalg::basic::arrays::Array;
use smartcore::linalg::basic::matrix::DenseMatrix;
use smartcore::linear::logistic_regression::{LogisticRegression, LogisticRegressionParameters};

use super::default_model::{logit, sigmoid};
use super::indicators::{IndicatorKind, Indicators, Scale, transform};
use super::metrics::{auc, brier};
use super::{Margin, Outcome};

/// One closed project as training data: its indicators at the moment a prediction would have been
/// made, and what happened.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrainingExample {
    /// The indicators at prediction time.
    pub indicators: Indicators,
    /// Baseline duration, in the day unit of the slip indicators (> 0).
    pub baseline_duration_days: f64,
    /// Real duration over baseline duration minus 1 (0.15 = finished 15% late), if known.
    pub finish_overrun: Option<f64>,
    /// Real cost over baseline budget minus 1, if known.
    pub budget_overrun: Option<f64>,
}

/// How the out-of-sample AUC is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Validation {
    /// Each project predicted by a model trained on all the others.
    LeaveOneOut,
    /// Stratified k-fold: projects shuffled with the seed, positives and negatives dealt to the
    /// folds in turn.
    KFold {
        /// Number of folds (at least 2; capped at the number of projects).
        k: usize,
        /// Shuffle seed.
        seed: u64,
    },
}

/// Training options.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TrainOptions {
    /// The margins the outcomes are labelled with (and the only margins the model predicts).
    pub margin: Margin,
    /// Fewest labelled projects to train an outcome (default 20).
    pub min_examples: usize,
    /// Fewest projects of each class (missed / did not miss) to train an outcome (default 3).
    pub min_per_class: usize,
    /// L2 penalty on the standardised coefficients (smartcore's `alpha`; the loss is a sum over
    /// projects, so its weight shrinks as data grows). Default 1.
    pub l2: f64,
    /// An indicator is a feature only if at least this share of the projects have it (default 0.25).
    pub min_presence: f64,
    /// Out-of-sample check.
    pub validation: Validation,
}

impl Default for TrainOptions {
    fn default() -> Self {
        Self {
            margin: Margin::default(),
            min_examples: 20,
            min_per_class: 3,
            l2: 1.0,
            min_presence: 0.25,
            validation: Validation::LeaveOneOut,
        }
    }
}

/// Why an outcome could not be trained.
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize)]
pub enum TrainError {
    /// Too few labelled projects, or too few of one class.
    #[error(
        "{outcome:?}: {examples} labelled projects ({positives} missed, {negatives} did not); \
         training needs {min_examples} with at least {min_per_class} of each"
    )]
    NotEnoughData {
        /// The outcome.
        outcome: Outcome,
        /// Projects with this outcome known.
        examples: usize,
        /// Projects that missed by more than the margin.
        positives: usize,
        /// Projects that did not.
        negatives: usize,
        /// Required projects.
        min_examples: usize,
        /// Required per class.
        min_per_class: usize,
    },
    /// An example or option is invalid.
    #[error("example {index}: {field}: {reason}")]
    InvalidExample {
        /// Position of the example (`usize::MAX` for the options).
        index: usize,
        /// The field.
        field: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// The solver failed or returned non-finite coefficients.
    #[error("logistic regression failed: {0}")]
    Solver(String),
}

/// One feature of a trained outcome model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FeatureWeight {
    /// The indicator (on its documented scale, without the default model's stage factor).
    pub indicator: IndicatorKind,
    /// Log-odds per standard deviation.
    pub coefficient: f64,
    /// Training mean of the scaled value (missing values are imputed with it).
    pub mean: f64,
    /// Training standard deviation of the scaled value.
    pub sd: f64,
}

/// What training an outcome found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrainingReport {
    /// Labelled projects used.
    pub examples: usize,
    /// Of which missed by more than the margin.
    pub positives: usize,
    /// AUC of the final model on its own training projects (optimistic).
    pub in_sample_auc: Option<f64>,
    /// AUC of the out-of-fold predictions (honest).
    pub cross_validated_auc: Option<f64>,
    /// Brier score of the out-of-fold predictions.
    pub cross_validated_brier: Option<f64>,
    /// How the out-of-fold predictions were made.
    pub validation: Validation,
}

/// A fitted logistic model for one outcome.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrainedOutcome {
    /// Log-odds with every feature at its training mean.
    pub intercept: f64,
    /// The features, in [`IndicatorKind::ALL`] order.
    pub features: Vec<FeatureWeight>,
    /// Training size and accuracy.
    pub report: TrainingReport,
}

/// The model trained on closed projects: one logistic model per outcome, or the default model's
/// weights for an outcome that lacked data (with the reason).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrainedModel {
    /// The margins the model was trained for.
    pub margin: Margin,
    /// Missing the finish.
    pub finish: Result<TrainedOutcome, TrainError>,
    /// Overrunning the budget.
    pub budget: Result<TrainedOutcome, TrainError>,
}

/// A held-out prediction from cross-validation.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct OutOfFold {
    /// Index of the example in the training slice.
    pub index: usize,
    /// Probability predicted by a model that did not see the example.
    pub probability: f64,
    /// Whether the example missed by more than the margin.
    pub observed: bool,
}

/// Trains both outcome models on closed projects.
///
/// Each outcome is labelled `overrun > margin` from the examples where it is known. An outcome is
/// trained when it has at least `min_examples` labelled projects and `min_per_class` of each
/// class; otherwise its slot holds [`TrainError::NotEnoughData`] and predictions use the default
/// weights for it. Features are the indicators present in at least `min_presence` of the projects
/// with a non-zero spread, on their documented scales, standardised; a missing value is imputed
/// with the training mean (so it contributes nothing).
///
/// # Errors
/// [`TrainError::InvalidExample`] for an invalid option or example (an indicator outside its
/// domain, a baseline duration that is not positive, a non-finite overrun). Lack of data is not an
/// error of the call: it is reported per outcome.
///
/// Complexity: O(v · i · n · f) for v validation fits (n for leave-one-out, k for k-fold) of
/// i solver iterations over n projects and f features.
///
/// ```
/// use keel_engine::forecast::predict::{Indicators, Observation, TrainOptions, TrainingExample, train};
/// let examples: Vec<TrainingExample> = (0..30)
///     .map(|i| {
///         let spi = 0.7 + 0.02 * i as f64;
///         TrainingExample {
///             indicators: Indicators { spi_t: Some(Observation::new(spi, "p")), ..Default::default() },
///             baseline_duration_days: 100.0,
///             finish_overrun: Some(if i % 3 == 0 { 0.0 } else { 1.0 / spi - 1.0 }),
///             budget_overrun: None,
///         }
///     })
///     .collect();
/// let model = train(&examples, &TrainOptions::default()).unwrap();
/// let finish = model.finish.as_ref().unwrap();
/// assert_eq!(finish.report.examples, 30);
/// assert!(finish.features[0].coefficient > 0.0); // lower SPI(t), higher risk
/// assert!(model.budget.is_err()); // no cost outcomes
/// ```
pub fn train(examples: &[TrainingExample], options: &TrainOptions) -> Result<TrainedModel, TrainError> {
    validate(examples, options)?;
    let finish = train_outcome(examples, Outcome::Finish, options);
    let budget = train_outcome(examples, Outcome::Budget, options);
    Ok(TrainedModel { margin: options.margin, finish, budget })
}

/// Out-of-fold probabilities for one outcome under `options.validation`: each labelled example
/// predicted by a model fitted without it. The input of a back-test's calibration table.
///
/// # Errors
/// As [`train`], plus [`TrainError::NotEnoughData`] when the outcome lacks data.
///
/// Complexity: as [`train`] for one outcome.
///
/// ```
/// use keel_engine::forecast::predict::{
///     Indicators, Observation, Outcome, TrainOptions, TrainingExample, cross_validate,
/// };
/// let examples: Vec<TrainingExample> = (0..24)
///     .map(|i| TrainingExample {
///         indicators: Indicators { cpi: Some(Observation::new(0.8 + 0.02 * i as f64, "p")), ..Default::default() },
///         baseline_duration_days: 50.0,
///         finish_overrun: None,
///         budget_overrun: Some(if i < 10 { 0.3 } else { 0.0 }),
///     })
///     .collect();
/// let oof = cross_validate(&examples, Outcome::Budget, &TrainOptions::default()).unwrap();
/// assert_eq!(oof.len(), 24);
/// ```
pub fn cross_validate(
    examples: &[TrainingExample],
    outcome: Outcome,
    options: &TrainOptions,
) -> Result<Vec<OutOfFold>, TrainError> {
    validate(examples, options)?;
    let data = Labelled::new(examples, outcome, options)?;
    out_of_fold(&data, options)
}

fn validate(examples: &[TrainingExample], options: &TrainOptions) -> Result<(), TrainError> {
    let opt_err = |field: &'static str, reason: &str| TrainError::InvalidExample {
        index: usize::MAX,
        field,
        reason: reason.to_string(),
    };
    options.margin.validate().map_err(|e| opt_err("margin", &e.to_string()))?;
    if !(options.l2.is_finite() && options.l2 >= 0.0) {
        return Err(opt_err("l2", "must be a finite number >= 0"));
    }
    if !(0.0..=1.0).contains(&options.min_presence) {
        return Err(opt_err("min_presence", "must be between 0 and 1"));
    }
    if let Validation::KFold { k, .. } = options.validation
        && k < 2
    {
        return Err(opt_err("validation", "k-fold needs at least 2 folds"));
    }
    for (index, e) in examples.iter().enumerate() {
        e.indicators.validate().map_err(|err| TrainError::InvalidExample {
            index,
            field: "indicators",
            reason: err.to_string(),
        })?;
        if !(e.baseline_duration_days.is_finite() && e.baseline_duration_days > 0.0) {
            return Err(TrainError::InvalidExample {
                index,
                field: "baseline_duration_days",
                reason: format!("{} is not a positive number", e.baseline_duration_days),
            });
        }
        for (field, v) in [("finish_overrun", e.finish_overrun), ("budget_overrun", e.budget_overrun)] {
            if let Some(v) = v
                && !(v.is_finite() && v >= -1.0)
            {
                return Err(TrainError::InvalidExample {
                    index,
                    field,
                    reason: format!("{v} is not a fraction >= -1"),
                });
            }
        }
    }
    Ok(())
}

/// The labelled rows of one outcome: scaled indicator values (None = missing) and labels.
struct Labelled {
    index: Vec<usize>,
    x: Vec<[Option<f64>; 15]>,
    y: Vec<bool>,
}

impl Labelled {
    fn new(examples: &[TrainingExample], outcome: Outcome, options: &TrainOptions) -> Result<Self, TrainError> {
        let mut data = Labelled { index: vec![], x: vec![], y: vec![] };
        for (i, e) in examples.iter().enumerate() {
            let (overrun, m) = match outcome {
                Outcome::Finish => (e.finish_overrun, options.margin.finish),
                Outcome::Budget => (e.budget_overrun, options.margin.budget),
            };
            let Some(overrun) = overrun else { continue };
            let scale = Scale { margin: options.margin, baseline_duration_days: e.baseline_duration_days };
            data.index.push(i);
            data.x.push(scaled_row(&e.indicators, scale, outcome));
            data.y.push(overrun > m);
        }
        let positives = data.y.iter().filter(|&&y| y).count();
        let negatives = data.y.len() - positives;
        if data.y.len() < options.min_examples || positives < options.min_per_class || negatives < options.min_per_class
        {
            return Err(TrainError::NotEnoughData {
                outcome,
                examples: data.y.len(),
                positives,
                negatives,
                min_examples: options.min_examples,
                min_per_class: options.min_per_class,
            });
        }
        Ok(data)
    }
}

pub(crate) fn scaled_row(ind: &Indicators, scale: Scale, outcome: Outcome) -> [Option<f64>; 15] {
    let mut row = [None; 15];
    for kind in IndicatorKind::ALL {
        row[kind as usize] = ind.get(kind).map(|o| transform(kind, o.value, scale, outcome));
    }
    row
}

fn train_outcome(
    examples: &[TrainingExample],
    outcome: Outcome,
    options: &TrainOptions,
) -> Result<TrainedOutcome, TrainError> {
    let data = Labelled::new(examples, outcome, options)?;
    let all: Vec<usize> = (0..data.y.len()).collect();
    let mut fitted = fit(&data, &all, options)?;
    let in_sample: Vec<f64> = data.x.iter().map(|row| fitted.probability(row)).collect();
    let oof = out_of_fold(&data, options)?;
    let oof_p: Vec<f64> = oof.iter().map(|o| o.probability).collect();
    let oof_y: Vec<bool> = oof.iter().map(|o| o.observed).collect();
    fitted.report = TrainingReport {
        examples: data.y.len(),
        positives: data.y.iter().filter(|&&y| y).count(),
        in_sample_auc: auc(&in_sample, &data.y).ok(),
        cross_validated_auc: auc(&oof_p, &oof_y).ok(),
        cross_validated_brier: brier(&oof_p, &oof_y).ok(),
        validation: options.validation,
    };
    Ok(fitted)
}

fn out_of_fold(data: &Labelled, options: &TrainOptions) -> Result<Vec<OutOfFold>, TrainError> {
    let n = data.y.len();
    let folds: Vec<Vec<usize>> = match options.validation {
        Validation::LeaveOneOut => (0..n).map(|i| vec![i]).collect(),
        Validation::KFold { k, seed } => {
            let k = k.min(n);
            let mut rng = SmallRng::seed_from_u64(seed);
            let mut folds = vec![Vec::new(); k];
            let mut next = 0;
            for class in [true, false] {
                let mut members: Vec<usize> = (0..n).filter(|&i| data.y[i] == class).collect();
                members.shuffle(&mut rng);
                for i in members {
                    folds[next % k].push(i);
                    next += 1;
                }
            }
            folds
        }
    };
    let mut out = Vec::with_capacity(n);
    for held in folds.iter().filter(|f| !f.is_empty()) {
        let train_rows: Vec<usize> = (0..n).filter(|i| !held.contains(i)).collect();
        let model = fit(data, &train_rows, options)?;
        for &i in held {
            out.push(OutOfFold {
                index: data.index[i],
                probability: model.probability(&data.x[i]),
                observed: data.y[i],
            });
        }
    }
    out.sort_by_key(|o| o.index);
    Ok(out)
}

impl TrainedOutcome {
    /// Contribution of each feature for a scaled row: coefficient × standardised value (0 when
    /// the indicator is missing).
    pub(crate) fn contributions(&self, row: &[Option<f64>; 15]) -> Vec<(IndicatorKind, f64)> {
        self.features
            .iter()
            .map(|f| {
                let z = row[f.indicator as usize].map_or(0.0, |x| (x - f.mean) / f.sd);
                (f.indicator, f.coefficient * z)
            })
            .collect()
    }

    fn probability(&self, row: &[Option<f64>; 15]) -> f64 {
        sigmoid(self.intercept + self.contributions(row).iter().map(|c| c.1).sum::<f64>())
    }
}

/// Fits one logistic model on the given rows.
fn fit(data: &Labelled, rows: &[usize], options: &TrainOptions) -> Result<TrainedOutcome, TrainError> {
    let n = rows.len();
    let mut features = Vec::new();
    for kind in IndicatorKind::ALL {
        let values: Vec<f64> = rows.iter().filter_map(|&r| data.x[r][kind as usize]).collect();
        if values.is_empty() || (values.len() as f64) < options.min_presence * n as f64 {
            continue;
        }
        let mean = values.iter().sum::<f64>() / values.len() as f64;
        let var = values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / values.len() as f64;
        let sd = var.sqrt();
        if sd > 1e-9 {
            features.push(FeatureWeight { indicator: kind, coefficient: 0.0, mean, sd });
        }
    }
    let positives = rows.iter().filter(|&&r| data.y[r]).count();
    let report = TrainingReport {
        examples: n,
        positives,
        in_sample_auc: None,
        cross_validated_auc: None,
        cross_validated_brier: None,
        validation: options.validation,
    };
    if features.is_empty() || positives == 0 || positives == n {
        // Nothing to learn from: the (smoothed) training rate.
        let rate = (positives as f64 + 0.5) / (n as f64 + 1.0);
        return Ok(TrainedOutcome { intercept: logit(rate), features, report });
    }
    let matrix: Vec<Vec<f64>> = rows
        .iter()
        .map(|&r| {
            features.iter().map(|f| data.x[r][f.indicator as usize].map_or(0.0, |x| (x - f.mean) / f.sd)).collect()
        })
        .collect();
    let x = DenseMatrix::from_2d_vec(&matrix).map_err(|e| TrainError::Solver(e.to_string()))?;
    let y: Vec<i32> = rows.iter().map(|&r| i32::from(data.y[r])).collect();
    let params = LogisticRegressionParameters::default().with_alpha(options.l2);
    let lr = LogisticRegression::fit(&x, &y, params).map_err(|e| TrainError::Solver(e.to_string()))?;
    // Classes are sorted, so the coefficients are those of class 1 (missed).
    let intercept = *lr.intercept().get((0, 0));
    if !intercept.is_finite() {
        return Err(TrainError::Solver("non-finite intercept".into()));
    }
    for (j, f) in features.iter_mut().enumerate() {
        let c = *lr.coefficients().get((0, j));
        if !c.is_finite() {
            return Err(TrainError::Solver(format!("non-finite coefficient for {}", f.indicator.key())));
        }
        f.coefficient = c;
    }
    Ok(TrainedOutcome { intercept, features, report })
}
