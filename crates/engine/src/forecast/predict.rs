//! Delivery-risk prediction: the probability that an active project misses its baseline finish,
//! and overruns its baseline budget, by more than a stated margin, from leading indicators, with
//! the reasons.
//!
//! - [`Indicators`]: every leading indicator optional, each with an opaque `source` the app links.
//! - [`Model`]: the transparent [`Model::Default`] (hand-set, documented weights; see
//!   [`DEFAULT_WEIGHTS`] and `docs/delivery-risk.md`) or [`Model::Trained`] on the organisation's
//!   own closed projects ([`train`], logistic regression), behind one [`Model::predict`].
//! - [`Prediction`]: per outcome a probability, the base rate, and the factors (each indicator's
//!   value, its contribution in log-odds and in words, its source), sorted by contribution; the
//!   missing indicators are listed.
//! - Metrics for back-tests: [`auc`] (Mann-Whitney, ties halved), [`calibration`] (reliability
//!   bins) and [`brier`].
//!
//! ```
//! use keel_engine::forecast::predict::{Indicators, Margin, Model, Observation, PredictionInput};
//! let input = PredictionInput {
//!     indicators: Indicators {
//!         spi_t: Some(Observation::new(0.70, "evm:period:9")),
//!         overdue_milestones: Some(Observation::new(2.0, "milestones")),
//!         percent_complete: Some(Observation::new(0.5, "evm:period:9")),
//!         ..Default::default()
//!     },
//!     baseline_duration_days: 200.0,
//!     margin: Margin { finish: 0.10, budget: 0.10 },
//! };
//! let p = Model::Default.predict(&input).unwrap();
//! assert!(p.finish.probability > p.finish.base_rate);
//! assert_eq!(p.finish.factors[0].source, "evm:period:9"); // SPI(t) weighs most
//! assert!(p.finish.missing.contains(&keel_engine::forecast::predict::IndicatorKind::Cpi));
//! ```

mod default_model;
mod indicators;
mod metrics;
mod trained;

use serde::{Deserialize, Serialize};

pub use default_model::{
    BUDGET_BASE_RATE_AT_10_PERCENT, DEFAULT_WEIGHTS, FINISH_BASE_RATE_AT_10_PERCENT, MARGIN_SLOPE, REFERENCE_MARGIN,
    STAGE_FACTOR_AT_START, STAGE_FACTOR_UNKNOWN, WeightRow, stage_factor, weight,
};
pub use indicators::{IndicatorKind, Indicators, Observation, rag_share, trend_slope};
pub use metrics::{Calibration, MetricsError, ReliabilityBin, auc, brier, calibration};
pub use trained::{
    FeatureWeight, OutOfFold, TrainError, TrainOptions, TrainedModel, TrainedOutcome, TrainingExample, TrainingReport,
    Validation, cross_validate, train,
};

use default_model::{contribution, intercept, sigmoid};
use indicators::{Scale, describe};

/// The two outcomes predicted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Finishing later than the baseline finish by more than the finish margin.
    Finish,
    /// Costing more than the baseline budget by more than the budget margin.
    Budget,
}

/// The margins a miss is measured against, as fractions of the baseline (0.10 = 10% of the
/// planned duration, 10% of the budget).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Margin {
    /// Finish margin, a fraction of the baseline duration (>= 0).
    pub finish: f64,
    /// Budget margin, a fraction of the baseline budget (>= 0).
    pub budget: f64,
}

impl Default for Margin {
    /// 10% of the planned duration and 10% of the budget.
    fn default() -> Self {
        Self { finish: 0.10, budget: 0.10 }
    }
}

impl Margin {
    /// Checks both margins are finite and between 0 and 10 (1000%).
    ///
    /// # Errors
    /// [`PredictError::InvalidInput`] naming the margin.
    pub fn validate(&self) -> Result<(), PredictError> {
        for (field, v) in [("margin.finish", self.finish), ("margin.budget", self.budget)] {
            if !(v.is_finite() && (0.0..=10.0).contains(&v)) {
                return Err(PredictError::InvalidInput {
                    field,
                    value: v,
                    reason: "must be a fraction between 0 and 10",
                });
            }
        }
        Ok(())
    }
}

/// What a prediction is made from.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PredictionInput {
    /// The leading indicators (any may be missing).
    pub indicators: Indicators,
    /// Baseline (planned) duration, in the same day unit as the float-erosion and P80-slip
    /// indicators (> 0).
    pub baseline_duration_days: f64,
    /// The margins of a miss.
    pub margin: Margin,
}

/// Why a prediction could not be made.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PredictError {
    /// An indicator's value is outside its domain.
    #[error("{}: {value} {reason}", .indicator.key())]
    InvalidIndicator {
        /// The indicator.
        indicator: IndicatorKind,
        /// The value given.
        value: f64,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// Another input field is invalid.
    #[error("{field}: {value} {reason}")]
    InvalidInput {
        /// The field.
        field: &'static str,
        /// The value given.
        value: f64,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A trained model predicts only at the margin it was trained for.
    #[error("the model was trained for a {trained:?} margin, asked for {asked:?}")]
    MarginMismatch {
        /// The margin of the training labels.
        trained: Margin,
        /// The margin asked for.
        asked: Margin,
    },
}

/// Which model produced an outcome's probability.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ModelKind {
    /// The documented default weights.
    Default,
    /// Logistic regression on closed projects.
    Trained {
        /// Labelled projects it was trained on.
        examples: usize,
        /// Cross-validated AUC, if it could be computed.
        cross_validated_auc: Option<f64>,
    },
}

/// One indicator's part in a prediction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Factor {
    /// The indicator.
    pub indicator: IndicatorKind,
    /// The raw value given.
    pub value: f64,
    /// The value on the indicator's documented scale (0 = on plan; for the trained model,
    /// standardised against the training projects).
    pub scaled: f64,
    /// Contribution to the log-odds (positive raises the probability).
    pub contribution: f64,
    /// The value and its effect in words.
    pub text: String,
    /// The caller's reference for the value, unchanged.
    pub source: String,
}

/// The prediction for one outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutcomePrediction {
    /// Probability of missing by more than the margin, in [0, 1].
    pub probability: f64,
    /// The log-odds of `probability`: the intercept plus the sum of the contributions.
    pub log_odds: f64,
    /// The probability with no indicator known (the model's intercept).
    pub base_rate: f64,
    /// Which model produced it.
    pub model: ModelKind,
    /// The present indicators, sorted by contribution, largest (most raising) first.
    pub factors: Vec<Factor>,
    /// The indicators not given, in [`IndicatorKind::ALL`] order.
    pub missing: Vec<IndicatorKind>,
}

/// The prediction for one project.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Prediction {
    /// Missing the baseline finish by more than `margin.finish`.
    pub finish: OutcomePrediction,
    /// Overrunning the baseline budget by more than `margin.budget`.
    pub budget: OutcomePrediction,
    /// The margins used.
    pub margin: Margin,
    /// Engine version that computed it.
    pub engine_version: String,
}

/// A delivery-risk model: the documented default or one trained on closed projects. Both answer
/// [`Model::predict`] with the same [`Prediction`].
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Model {
    /// The transparent default model ([`DEFAULT_WEIGHTS`]).
    Default,
    /// Trained on closed projects ([`train`]); an outcome that lacked data uses the default
    /// weights.
    Trained(Box<TrainedModel>),
}

impl Model {
    /// Trains on `examples` when at least one outcome has enough data, and otherwise returns the
    /// default model. The simple door for the app: what [`train`] reports per outcome stays on
    /// the trained model.
    ///
    /// # Errors
    /// As [`train`]: an invalid example or option.
    ///
    /// Complexity: as [`train`].
    ///
    /// ```
    /// use keel_engine::forecast::predict::{Model, TrainOptions};
    /// assert_eq!(Model::from_history(&[], &TrainOptions::default()).unwrap(), Model::Default);
    /// ```
    pub fn from_history(examples: &[TrainingExample], options: &TrainOptions) -> Result<Model, TrainError> {
        let trained = train(examples, options)?;
        if trained.finish.is_err() && trained.budget.is_err() {
            Ok(Model::Default)
        } else {
            Ok(Model::Trained(Box::new(trained)))
        }
    }

    /// The probability of missing the finish and the budget by more than the margins, with the
    /// factors.
    ///
    /// Default model: log-odds = intercept(margin) + Σ weight × scaled value, the earned-value
    /// rows multiplied by the stage factor (docs/delivery-risk.md). Trained model: intercept +
    /// Σ coefficient × standardised scaled value. Missing indicators contribute nothing.
    ///
    /// # Errors
    /// [`PredictError::InvalidIndicator`] for a value outside its domain,
    /// [`PredictError::InvalidInput`] for a bad margin or baseline duration,
    /// [`PredictError::MarginMismatch`] when a trained model is asked for another margin.
    ///
    /// Complexity: O(number of indicators · log) — constant.
    ///
    /// ```
    /// use keel_engine::forecast::predict::{Model, PredictionInput};
    /// let input = PredictionInput { baseline_duration_days: 100.0, ..Default::default() };
    /// let p = Model::Default.predict(&input).unwrap();
    /// assert_eq!(p.finish.probability, p.finish.base_rate); // nothing known: the base rate
    /// assert_eq!(p.finish.missing.len(), 15);
    /// ```
    pub fn predict(&self, input: &PredictionInput) -> Result<Prediction, PredictError> {
        input.margin.validate()?;
        let d = input.baseline_duration_days;
        if !(d.is_finite() && d > 0.0) {
            return Err(PredictError::InvalidInput {
                field: "baseline_duration_days",
                value: d,
                reason: "must be a positive number",
            });
        }
        input.indicators.validate()?;
        let scale = Scale { margin: input.margin, baseline_duration_days: d };
        let (finish, budget) = match self {
            Model::Default => (
                predict_default(&input.indicators, scale, Outcome::Finish),
                predict_default(&input.indicators, scale, Outcome::Budget),
            ),
            Model::Trained(t) => {
                if t.margin != input.margin {
                    return Err(PredictError::MarginMismatch { trained: t.margin, asked: input.margin });
                }
                let one = |o: Outcome, fit: &Result<TrainedOutcome, TrainError>| match fit {
                    Ok(fit) => predict_trained(fit, &input.indicators, scale, o),
                    Err(_) => predict_default(&input.indicators, scale, o),
                };
                (one(Outcome::Finish, &t.finish), one(Outcome::Budget, &t.budget))
            }
        };
        Ok(Prediction { finish, budget, margin: input.margin, engine_version: super::ENGINE_VERSION.to_string() })
    }
}

fn predict_default(ind: &Indicators, scale: Scale, outcome: Outcome) -> OutcomePrediction {
    let stage = stage_factor(ind.percent_complete.as_ref().map(|o| o.value));
    let b = intercept(outcome, scale.margin);
    let mut factors = Vec::new();
    let mut missing = Vec::new();
    for kind in IndicatorKind::ALL {
        let Some(o) = ind.get(kind) else {
            missing.push(kind);
            continue;
        };
        let (scaled, c) = contribution(kind, o.value, scale, outcome, stage);
        let effect = if kind == IndicatorKind::PercentComplete {
            format!("sets how much SPI(t), CPI and their trends count (stage factor {stage:.2})")
        } else {
            effect_words(c, outcome, scale.margin)
        };
        factors.push(Factor {
            indicator: kind,
            value: o.value,
            scaled,
            contribution: c,
            text: format!("{}; {effect}", describe(kind, o.value, scale)),
            source: o.source.clone(),
        });
    }
    finish_outcome(b, factors, missing, ModelKind::Default)
}

fn predict_trained(fit: &TrainedOutcome, ind: &Indicators, scale: Scale, outcome: Outcome) -> OutcomePrediction {
    let row = trained::scaled_row(ind, scale, outcome);
    let contributions = fit.contributions(&row);
    let mut factors = Vec::new();
    let mut missing = Vec::new();
    for kind in IndicatorKind::ALL {
        let Some(o) = ind.get(kind) else {
            missing.push(kind);
            continue;
        };
        let feature = fit.features.iter().position(|f| f.indicator == kind);
        let (scaled, c, effect) = match feature {
            Some(j) => {
                let f = &fit.features[j];
                let z = row[kind as usize].map_or(0.0, |x| (x - f.mean) / f.sd);
                let c = contributions[j].1;
                (z, c, format!("{} ({z:+.1} sd from the training projects)", effect_words(c, outcome, scale.margin)))
            }
            None => (0.0, 0.0, "not used by the trained model (too few training projects had it)".to_string()),
        };
        factors.push(Factor {
            indicator: kind,
            value: o.value,
            scaled,
            contribution: c,
            text: format!("{}; {effect}", describe(kind, o.value, scale)),
            source: o.source.clone(),
        });
    }
    let kind =
        ModelKind::Trained { examples: fit.report.examples, cross_validated_auc: fit.report.cross_validated_auc };
    finish_outcome(fit.intercept, factors, missing, kind)
}

fn finish_outcome(
    intercept: f64,
    mut factors: Vec<Factor>,
    missing: Vec<IndicatorKind>,
    model: ModelKind,
) -> OutcomePrediction {
    let log_odds = intercept + factors.iter().map(|f| f.contribution).sum::<f64>();
    factors.sort_by(|a, b| b.contribution.total_cmp(&a.contribution).then(a.indicator.cmp(&b.indicator)));
    OutcomePrediction {
        probability: sigmoid(log_odds),
        log_odds,
        base_rate: sigmoid(intercept),
        model,
        factors,
        missing,
    }
}

fn effect_words(contribution: f64, outcome: Outcome, margin: Margin) -> String {
    let what = match outcome {
        Outcome::Finish => format!("missing the finish by more than {:.0}%", margin.finish * 100.0),
        Outcome::Budget => format!("overrunning the budget by more than {:.0}%", margin.budget * 100.0),
    };
    let ratio = contribution.exp();
    if contribution.abs() < 0.05 {
        format!("little effect on the odds of {what}")
    } else if contribution > 0.0 {
        format!("raises the odds of {what} {ratio:.1}x")
    } else {
        format!("lowers the odds of {what} to {ratio:.2}x")
    }
}
