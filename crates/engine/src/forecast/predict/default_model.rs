//! The transparent default model: a logistic model whose weights are set by hand, documented in
//! `docs/delivery-risk.md` (the table there is checked against these constants by a test).
//!
//! log-odds = intercept(margin) + Σ weight × scaled value, where the earned-value indicators are
//! also multiplied by the stage factor. The weights are judgement, informed by the earned-value
//! literature (SPI(t) and CPI are the strongest and stabilise as the project progresses; Lipke,
//! Vanhoucke; Christensen's CPI stability) and by what PMOs watch; they were not fitted to DSLIB,
//! which is kept as a back-test.

use serde::Serialize;

use super::indicators::{IndicatorKind, Scale, transform};
use super::{Margin, Outcome};

/// One row of the default model's weight table.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct WeightRow {
    /// The indicator.
    pub indicator: IndicatorKind,
    /// Log-odds per unit of the scaled value, for missing the finish by more than the margin.
    pub finish: f64,
    /// Log-odds per unit of the scaled value, for overrunning the budget by more than the margin.
    pub budget: f64,
    /// Whether the stage factor multiplies the contribution (earned-value indicators).
    pub staged: bool,
}

const fn row(indicator: IndicatorKind, finish: f64, budget: f64, staged: bool) -> WeightRow {
    WeightRow { indicator, finish, budget, staged }
}

/// The default weights, in the order of [`IndicatorKind::ALL`]. Each comment says why.
pub const DEFAULT_WEIGHTS: [WeightRow; 15] = [
    // The pace of the project in time: the best single predictor of the final duration (earned
    // schedule literature), +1 scaled unit = pace implies e^1 = 2.7x the margin ratio.
    row(IndicatorKind::SpiT, 7.0, 2.0, true),
    // A falling SPI(t) means the pace is still worsening: -0.05 a period adds 0.4 log-odds.
    row(IndicatorKind::SpiTTrend, 8.0, 2.0, true),
    // Cost efficiency: the best single predictor of the final cost (CPI is stable after ~20%).
    row(IndicatorKind::Cpi, 1.0, 7.0, true),
    // A falling CPI: the cost picture is still worsening.
    row(IndicatorKind::CpiTrend, 1.0, 8.0, true),
    // Float consumed is slip that has not reached the finish yet: 10% of the duration -> +0.5.
    row(IndicatorKind::FloatErosion, 5.0, 1.5, false),
    // A critical path that keeps changing means the plan is not under control.
    row(IndicatorKind::CriticalPathChurn, 1.5, 0.5, false),
    // The simulation's own view: P80 finish 10 points past the margin -> +0.6.
    row(IndicatorKind::P80Slip, 6.0, 2.0, false),
    // Each overdue milestone is a missed commitment; ln(1 + n) so the tenth counts less.
    row(IndicatorKind::OverdueMilestones, 0.6, 0.3, false),
    // Projects that stop reporting are rarely doing well; a month without a report -> +0.3.
    row(IndicatorKind::ReportStaleness, 0.3, 0.2, false),
    // Managers' own judgement: all recent reports red -> +1.5.
    row(IndicatorKind::RagHistory, 1.5, 1.0, false),
    // Open high risks: exposure not yet realised; ln(1 + n).
    row(IndicatorKind::OpenHighRisks, 0.4, 0.3, false),
    // Issues left open for months point at blocked work; three months -> +0.45.
    row(IndicatorKind::OpenIssueAge, 0.15, 0.1, false),
    // Scope added after the baseline: 20% more tasks -> +0.4.
    row(IndicatorKind::TaskCountGrowth, 2.0, 1.5, false),
    // Budget added after the baseline: mostly a cost signal, also more work to finish.
    row(IndicatorKind::BudgetGrowth, 1.0, 3.0, false),
    // The stage itself moves neither way: it sets the stage factor of the staged rows.
    row(IndicatorKind::PercentComplete, 0.0, 0.0, false),
];

/// Probability of missing the finish by more than 10% with nothing known (the base rate at the
/// reference margin). Judgement: a third of projects miss their finish by more than 10%.
pub const FINISH_BASE_RATE_AT_10_PERCENT: f64 = 0.35;
/// Probability of overrunning the budget by more than 10% with nothing known.
pub const BUDGET_BASE_RATE_AT_10_PERCENT: f64 = 0.30;
/// The margin the base rates are stated at.
pub const REFERENCE_MARGIN: f64 = 0.10;
/// Log-odds per unit of margin above the reference (a wider margin is missed less often): each
/// further 10 points of margin lower the log-odds by 0.8.
pub const MARGIN_SLOPE: f64 = -8.0;
/// Stage factor of the staged rows at 0% complete: early earned-value indices are noisy.
pub const STAGE_FACTOR_AT_START: f64 = 0.2;
/// Stage factor used when percent complete is missing (the factor at 50% complete).
pub const STAGE_FACTOR_UNKNOWN: f64 = 0.6;

/// The stage factor: 0.2 at the start rising linearly to 1 at completion, or 0.6 when percent
/// complete is unknown.
pub fn stage_factor(percent_complete: Option<f64>) -> f64 {
    match percent_complete {
        Some(pc) => STAGE_FACTOR_AT_START + (1.0 - STAGE_FACTOR_AT_START) * pc.clamp(0.0, 1.0),
        None => STAGE_FACTOR_UNKNOWN,
    }
}

/// The default model's log-odds with nothing known, for one outcome at one margin.
pub(crate) fn intercept(outcome: Outcome, margin: Margin) -> f64 {
    let (p, m) = match outcome {
        Outcome::Finish => (FINISH_BASE_RATE_AT_10_PERCENT, margin.finish),
        Outcome::Budget => (BUDGET_BASE_RATE_AT_10_PERCENT, margin.budget),
    };
    logit(p) + MARGIN_SLOPE * (m - REFERENCE_MARGIN)
}

/// The weight row of one indicator.
pub fn weight(kind: IndicatorKind) -> WeightRow {
    // ALL and DEFAULT_WEIGHTS are in the same order (checked by a unit test).
    DEFAULT_WEIGHTS[kind as usize]
}

/// Contribution (log-odds) of one present indicator in the default model, and its scaled value.
pub(crate) fn contribution(kind: IndicatorKind, value: f64, scale: Scale, outcome: Outcome, stage: f64) -> (f64, f64) {
    let w = weight(kind);
    let x = transform(kind, value, scale, outcome);
    let coef = match outcome {
        Outcome::Finish => w.finish,
        Outcome::Budget => w.budget,
    };
    let s = if w.staged { stage } else { 1.0 };
    (x, coef * s * x)
}

pub(crate) fn logit(p: f64) -> f64 {
    (p / (1.0 - p)).ln()
}

pub(crate) fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_order_matches_kinds() {
        for (i, k) in IndicatorKind::ALL.iter().enumerate() {
            assert_eq!(DEFAULT_WEIGHTS[i].indicator, *k);
            assert_eq!(*k as usize, i);
        }
    }

    #[test]
    fn weights_never_reward_worse_values() {
        for r in DEFAULT_WEIGHTS {
            assert!(r.finish >= 0.0 && r.budget >= 0.0, "{:?}", r.indicator);
        }
    }

    #[test]
    fn intercept_is_the_stated_base_rate_at_the_reference_margin() {
        let m = Margin { finish: 0.10, budget: 0.10 };
        assert!((sigmoid(intercept(Outcome::Finish, m)) - 0.35).abs() < 1e-12);
        assert!((sigmoid(intercept(Outcome::Budget, m)) - 0.30).abs() < 1e-12);
        let wide = Margin { finish: 0.30, budget: 0.30 };
        assert!(intercept(Outcome::Finish, wide) < intercept(Outcome::Finish, m));
    }
}
