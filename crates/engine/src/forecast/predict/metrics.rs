//! How good a probability is: discrimination (ROC AUC) and calibration (reliability bins, Brier).

use serde::Serialize;

/// Why a metric could not be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MetricsError {
    /// Scores and outcomes differ in length.
    #[error("{scores} scores but {observed} outcomes")]
    LengthMismatch {
        /// Number of scores.
        scores: usize,
        /// Number of outcomes.
        observed: usize,
    },
    /// A score is NaN or infinite (or, for a probability, outside [0, 1]).
    #[error("score {index} is {value}: {reason}")]
    InvalidScore {
        /// Position of the score.
        index: usize,
        /// The value.
        value: f64,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// AUC needs at least one positive and one negative outcome.
    #[error("AUC needs both outcomes: {positives} positive, {negatives} negative")]
    OneClass {
        /// Positive outcomes.
        positives: usize,
        /// Negative outcomes.
        negatives: usize,
    },
    /// Nothing to measure, or zero bins asked for.
    #[error("nothing to measure ({count} scores, {bins} bins)")]
    Empty {
        /// Number of scores.
        count: usize,
        /// Number of bins asked for.
        bins: usize,
    },
}

fn check(scores: &[f64], observed: &[bool], probabilities: bool) -> Result<(), MetricsError> {
    if scores.len() != observed.len() {
        return Err(MetricsError::LengthMismatch { scores: scores.len(), observed: observed.len() });
    }
    for (index, &value) in scores.iter().enumerate() {
        if !value.is_finite() {
            return Err(MetricsError::InvalidScore { index, value, reason: "not a finite number" });
        }
        if probabilities && !(0.0..=1.0).contains(&value) {
            return Err(MetricsError::InvalidScore { index, value, reason: "a probability must be in [0, 1]" });
        }
    }
    Ok(())
}

/// Area under the ROC curve of `scores` against `observed` (true = the event happened), by the
/// Mann-Whitney statistic with average ranks for ties: the probability that a random positive
/// scores higher than a random negative, ties counting one half.
///
/// # Errors
/// [`MetricsError::LengthMismatch`], [`MetricsError::InvalidScore`] for a non-finite score,
/// [`MetricsError::OneClass`] when all outcomes are the same.
///
/// Complexity: O(n log n).
///
/// ```
/// use keel_engine::forecast::predict::auc;
/// assert_eq!(auc(&[0.1, 0.4, 0.35, 0.8], &[false, false, true, true]).unwrap(), 0.75);
/// assert_eq!(auc(&[0.5, 0.5], &[false, true]).unwrap(), 0.5);
/// ```
pub fn auc(scores: &[f64], observed: &[bool]) -> Result<f64, MetricsError> {
    check(scores, observed, false)?;
    let positives = observed.iter().filter(|&&o| o).count();
    let negatives = observed.len() - positives;
    if positives == 0 || negatives == 0 {
        return Err(MetricsError::OneClass { positives, negatives });
    }
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
    // Sum of the (1-based, tie-averaged) ranks of the positives.
    let mut rank_sum = 0.0;
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && scores[order[j + 1]] == scores[order[i]] {
            j += 1;
        }
        let avg_rank = (i + j) as f64 / 2.0 + 1.0;
        rank_sum += avg_rank * order[i..=j].iter().filter(|&&k| observed[k]).count() as f64;
        i = j + 1;
    }
    let (p, n) = (positives as f64, negatives as f64);
    let u = rank_sum - p * (p + 1.0) / 2.0;
    Ok(u / (p * n))
}

/// Mean squared difference between the probabilities and the outcomes (0 is perfect; always
/// saying 0.5 scores 0.25).
///
/// # Errors
/// [`MetricsError::LengthMismatch`], [`MetricsError::InvalidScore`] for a value outside [0, 1],
/// [`MetricsError::Empty`] for no values.
///
/// Complexity: O(n).
///
/// ```
/// use keel_engine::forecast::predict::brier;
/// assert_eq!(brier(&[1.0, 0.0, 0.5], &[true, false, true]).unwrap(), 0.25 / 3.0);
/// ```
pub fn brier(probabilities: &[f64], observed: &[bool]) -> Result<f64, MetricsError> {
    check(probabilities, observed, true)?;
    if probabilities.is_empty() {
        return Err(MetricsError::Empty { count: 0, bins: 0 });
    }
    let sum: f64 = probabilities
        .iter()
        .zip(observed)
        .map(|(&p, &o)| {
            let y = if o { 1.0 } else { 0.0 };
            (p - y) * (p - y)
        })
        .sum();
    Ok(sum / probabilities.len() as f64)
}

/// One reliability bin: the predictions that fell in `[lower, upper)` (the last bin includes 1).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReliabilityBin {
    /// Lower edge.
    pub lower: f64,
    /// Upper edge.
    pub upper: f64,
    /// Predictions in the bin.
    pub count: usize,
    /// Mean predicted probability in the bin (`None` when empty).
    pub mean_predicted: Option<f64>,
    /// Share of the bin's cases where the event happened (`None` when empty).
    pub observed_rate: Option<f64>,
}

/// Calibration of a set of probabilities: reliability bins and the Brier score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Calibration {
    /// Equal-width bins over [0, 1].
    pub bins: Vec<ReliabilityBin>,
    /// Brier score over all predictions.
    pub brier: f64,
    /// Number of predictions.
    pub count: usize,
    /// Mean predicted probability over all predictions.
    pub mean_predicted: f64,
    /// Share of all cases where the event happened.
    pub observed_rate: f64,
}

/// Reliability table with `bins` equal-width bins, and the Brier score.
///
/// # Errors
/// [`MetricsError::LengthMismatch`], [`MetricsError::InvalidScore`] for a value outside [0, 1],
/// [`MetricsError::Empty`] for no values or zero bins.
///
/// Complexity: O(n + bins).
///
/// ```
/// use keel_engine::forecast::predict::calibration;
/// let c = calibration(&[0.1, 0.2, 0.8, 0.9], &[false, false, true, false], 2).unwrap();
/// assert_eq!(c.bins[0].count, 2);
/// assert_eq!(c.bins[0].observed_rate, Some(0.0));
/// assert_eq!(c.bins[1].observed_rate, Some(0.5));
/// ```
pub fn calibration(probabilities: &[f64], observed: &[bool], bins: usize) -> Result<Calibration, MetricsError> {
    check(probabilities, observed, true)?;
    if probabilities.is_empty() || bins == 0 {
        return Err(MetricsError::Empty { count: probabilities.len(), bins });
    }
    let mut sum_p = vec![0.0; bins];
    let mut sum_y = vec![0.0; bins];
    let mut count = vec![0usize; bins];
    for (&p, &o) in probabilities.iter().zip(observed) {
        let b = ((p * bins as f64) as usize).min(bins - 1);
        sum_p[b] += p;
        sum_y[b] += if o { 1.0 } else { 0.0 };
        count[b] += 1;
    }
    let width = 1.0 / bins as f64;
    let table = (0..bins)
        .map(|b| ReliabilityBin {
            lower: b as f64 * width,
            upper: (b + 1) as f64 * width,
            count: count[b],
            mean_predicted: (count[b] > 0).then(|| sum_p[b] / count[b] as f64),
            observed_rate: (count[b] > 0).then(|| sum_y[b] / count[b] as f64),
        })
        .collect();
    let n = probabilities.len() as f64;
    Ok(Calibration {
        bins: table,
        brier: brier(probabilities, observed)?,
        count: probabilities.len(),
        mean_predicted: probabilities.iter().sum::<f64>() / n,
        observed_rate: observed.iter().filter(|&&o| o).count() as f64 / n,
    })
}
