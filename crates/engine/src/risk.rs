//! Risk analytics: probability-impact matrices, exposure (expected monetary and schedule value),
//! roll-ups by project, programme, portfolio and category, heat maps and exposure trends.
//!
//! Inputs are plain structs ([`RiskInput`]), not the app's records: the app maps each risk record
//! (plus its optional cost and schedule impact figures and explicit probability) into one. Only
//! **open** risks ([`RiskState::Open`]) carry exposure: a risk that has *occurred* is now an issue
//! (its cost is no longer uncertain) and a *closed* one has gone, so both are left out of every
//! figure here.
//!
//! Money is in minor units of one currency (the caller converts before mixing currencies); each
//! risk's expected monetary value is rounded to a whole minor unit (half away from zero) before any
//! sum, so totals are exactly the sum of their parts.

use keel_domain::{PortfolioId, ProgrammeId, ProjectId, Rag, Rating, RiskId, RiskState};
use serde::{Deserialize, Serialize};

mod aggregate;
pub mod dependencies;
mod matrix;

pub use aggregate::{
    BandCounts, GroupBy, GroupKey, HeatCell, HeatMap, RiskSummary, Snapshot, TrendPoint, TrendSeries, aggregate,
    exposure_trend, heat_map,
};
pub use matrix::{BandRule, ImpactRange, RiskMatrix};

/// One risk as the analytics need it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RiskInput {
    /// The risk.
    pub id: RiskId,
    /// Its title (carried into top-risk lists).
    pub title: String,
    /// Its project.
    pub project: ProjectId,
    /// The project's programme, if any.
    pub programme: Option<ProgrammeId>,
    /// The project's portfolio.
    pub portfolio: Option<PortfolioId>,
    /// Category (free text; grouped as written, blank as `""`).
    pub category: String,
    /// Probability level (1 to the matrix size).
    pub probability: Rating,
    /// Impact level (1 to the matrix size).
    pub impact: Rating,
    /// State: only open risks count.
    pub state: RiskState,
    /// Cost if it happens, in minor units (non-negative).
    pub cost_impact: Option<i64>,
    /// Schedule delay if it happens, in days (non-negative).
    pub schedule_impact_days: Option<f64>,
    /// An explicit probability in percent (0 to 100) that overrides the level's percent.
    pub probability_percent: Option<f64>,
}

/// Where a figure came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Given on the risk.
    Given,
    /// From the matrix (the probability level's percent, or the impact level's range).
    Matrix,
}

/// One open risk's exposure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RiskExposure {
    /// The risk.
    pub id: RiskId,
    /// Its title.
    pub title: String,
    /// Probability level.
    pub probability: u8,
    /// Impact level.
    pub impact: u8,
    /// Probability level × impact level.
    pub score: u8,
    /// The matrix cell's band.
    pub band: Rag,
    /// The probability used, in percent.
    pub probability_percent: f64,
    /// Whether that percent was given or came from the matrix.
    pub probability_source: Source,
    /// Expected monetary value in minor units (probability × cost impact, rounded); `None` when the
    /// risk has no cost figure (and the matrix does not estimate one).
    pub emv: Option<i64>,
    /// Where the cost figure came from, when there is one.
    pub cost_source: Option<Source>,
    /// Expected schedule value in days (probability × schedule impact).
    pub expected_days: Option<f64>,
    /// Where the schedule figure came from, when there is one.
    pub schedule_source: Option<Source>,
}

/// Why risk analytics could not be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RiskError {
    /// The matrix breaks a rule.
    #[error("risk matrix: {field}: {message}")]
    InvalidMatrix {
        /// The field, e.g. `probability_percent[2]`.
        field: String,
        /// What was wrong and what was expected.
        message: String,
    },
    /// A risk's value is outside what the matrix or the rules allow.
    #[error("risk {risk}: {field}: {message}")]
    InvalidRisk {
        /// The risk.
        risk: RiskId,
        /// The field, e.g. `probability`.
        field: &'static str,
        /// What was wrong and what was expected.
        message: String,
    },
}

fn bad(risk: &RiskInput, field: &'static str, message: String) -> RiskError {
    RiskError::InvalidRisk { risk: risk.id, field, message }
}

/// Checks a risk against a matrix: levels within the size, figures non-negative and finite, an
/// explicit percent within 0..=100.
///
/// # Errors
/// [`RiskError::InvalidRisk`] naming the risk and the field.
pub fn check_risk(risk: &RiskInput, matrix: &RiskMatrix) -> Result<(), RiskError> {
    for (field, level) in [("probability", risk.probability.get()), ("impact", risk.impact.get())] {
        if level > matrix.size {
            return Err(bad(risk, field, format!("level {level} is outside the {0}×{0} matrix", matrix.size)));
        }
    }
    if let Some(p) = risk.probability_percent.filter(|p| !(0.0..=100.0).contains(p)) {
        return Err(bad(risk, "probability_percent", format!("{p} is not a percentage from 0 to 100")));
    }
    if let Some(c) = risk.cost_impact.filter(|c| *c < 0) {
        return Err(bad(risk, "cost_impact", format!("{c} is negative: expected a cost of 0 or more")));
    }
    if let Some(d) = risk.schedule_impact_days.filter(|d| !(d.is_finite() && *d >= 0.0)) {
        return Err(bad(risk, "schedule_impact_days", format!("{d} is not a number of days of 0 or more")));
    }
    Ok(())
}

/// Whether a risk counts in exposure: open risks only (occurred and closed ones do not).
pub fn is_open(risk: &RiskInput) -> bool {
    risk.state == RiskState::Open
}

/// Rounds half away from zero to a whole minor unit, saturating at the `i64` range.
fn round_minor(x: f64) -> i64 {
    let r = x.round();
    if r >= i64::MAX as f64 {
        i64::MAX
    } else if r <= i64::MIN as f64 {
        i64::MIN
    } else {
        r as i64
    }
}

/// The exposure of one risk: `None` when it is not open.
///
/// Probability: the explicit `probability_percent` when given, else the matrix's percent for the
/// probability level. EMV = probability × cost impact (rounded to a minor unit); expected schedule
/// value = probability × schedule impact days. Without a figure the value is `None`, unless the
/// matrix's `estimate_missing_impacts` is on (then the impact level's range midpoint is used and
/// the source says [`Source::Matrix`]). Exposure never decreases when the probability (level or
/// percent) or the impact (level or figure) rises.
///
/// # Errors
/// [`RiskError::InvalidRisk`] (see [`check_risk`]). The matrix is assumed valid
/// ([`RiskMatrix::validate`]).
///
/// Complexity: O(1).
///
/// ```
/// use keel_domain::{Rating, RiskState, Rag};
/// use keel_engine::risk::{exposure, RiskInput, RiskMatrix};
/// let risk = RiskInput {
///     id: "0190b3a0-0000-7000-8000-000000000001".parse().unwrap(),
///     title: "Supplier late".into(),
///     project: "0190b3a0-0000-7000-8000-0000000000aa".parse().unwrap(),
///     programme: None, portfolio: None, category: "commercial".into(),
///     probability: Rating::new(4).unwrap(), impact: Rating::new(4).unwrap(), state: RiskState::Open,
///     cost_impact: Some(50_000_00), schedule_impact_days: Some(10.0), probability_percent: None,
/// };
/// let e = exposure(&risk, &RiskMatrix::default())?.unwrap();
/// assert_eq!(e.emv, Some(30_000_00)); // 60 % of 50 000.00
/// assert_eq!(e.expected_days, Some(6.0));
/// assert_eq!(e.band, Rag::Red); // score 16
/// # Ok::<(), keel_engine::risk::RiskError>(())
/// ```
pub fn exposure(risk: &RiskInput, matrix: &RiskMatrix) -> Result<Option<RiskExposure>, RiskError> {
    check_risk(risk, matrix)?;
    if !is_open(risk) {
        return Ok(None);
    }
    let (p, i) = (risk.probability.get(), risk.impact.get());
    let (pct, probability_source) = match risk.probability_percent {
        Some(x) => (x, Source::Given),
        None => (matrix.level_percent(p), Source::Matrix),
    };
    let estimate = matrix.estimate_missing_impacts;
    let (cost, cost_source) = match risk.cost_impact {
        Some(c) => (Some(c), Some(Source::Given)),
        None if estimate => (matrix.level_cost(i), matrix.level_cost(i).map(|_| Source::Matrix)),
        None => (None, None),
    };
    let (days, schedule_source) = match risk.schedule_impact_days {
        Some(d) => (Some(d), Some(Source::Given)),
        None if estimate => (matrix.level_days(i), matrix.level_days(i).map(|_| Source::Matrix)),
        None => (None, None),
    };
    Ok(Some(RiskExposure {
        id: risk.id,
        title: risk.title.clone(),
        probability: p,
        impact: i,
        score: p * i,
        band: matrix.band(p, i),
        probability_percent: pct,
        probability_source,
        emv: cost.map(|c| round_minor(c as f64 * pct / 100.0)),
        cost_source,
        expected_days: days.map(|d| d * pct / 100.0),
        schedule_source,
    }))
}

/// The exposures of the open risks, in input order.
///
/// # Errors
/// The matrix's [`RiskMatrix::validate`] error, or the first risk's [`RiskError::InvalidRisk`]
/// (closed risks are checked too: a bad record is reported whatever its state).
///
/// Complexity: O(n).
///
/// ```
/// use keel_engine::risk::{exposures, RiskMatrix};
/// assert!(exposures(&[], &RiskMatrix::default())?.is_empty());
/// # Ok::<(), keel_engine::risk::RiskError>(())
/// ```
pub fn exposures(risks: &[RiskInput], matrix: &RiskMatrix) -> Result<Vec<RiskExposure>, RiskError> {
    matrix.validate()?;
    let mut out = Vec::with_capacity(risks.len());
    for r in risks {
        out.extend(exposure(r, matrix)?);
    }
    Ok(out)
}
