//! Blending an earned schedule finish forecast with a schedule network (Monte Carlo) finish
//! forecast by progress.
//!
//! The two forecasts fail in opposite places. Earned schedule (ES, PF=1: the time left is the
//! planned time not yet earned) carries the schedule variance accrued so far from the first status
//! date on, but knows nothing of the network. A Monte Carlo simulation of the remaining network
//! knows the logic, the actual dates and the risk ranges, and becomes accurate late in a project,
//! when the remaining path is short; early it is a forecast of the baseline and its risk ranges.
//! On DSLIB (see `docs/forecast-accuracy.md`) MC P80's median error is 2.5% over the second half of
//! a project's periods and 8.5% over the first.
//!
//! [`blend_finish`] therefore puts weight on the network that rises with progress, and
//! [`progress_band`] names the third of progress a status date is in, so a product can show the
//! error measured for a method in that band beside its forecast.
//!
//! Everything here is pure arithmetic on numbers: the finishes are durations from the project
//! start (days, or any unit, as long as both finishes use the same one), progress is a share in
//! `0..=1`.
//!
//! # Example
//! ```
//! use keel_engine::forecast::blend::{BlendRule, ProgressBand, blend_finish, progress_band};
//! // ES forecasts 100 days, the network 120, the project is 25% complete (EV/BAC).
//! let f = blend_finish(100.0, 120.0, 0.25, BlendRule::Linear);
//! assert!((f - 105.0).abs() < 1e-12);
//! assert_eq!(progress_band(0.25), ProgressBand::Early);
//! ```

use serde::{Deserialize, Serialize};

/// How the weight on the network forecast grows with progress `p` (clamped to `0..=1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum BlendRule {
    /// Weight `p`: the network's share equals the share of the work done. The default, chosen
    /// before measuring.
    #[default]
    Linear,
    /// Weight `p²`: earned schedule keeps most of the weight longer (a quarter at half way).
    Quadratic,
}

impl BlendRule {
    /// Every rule, in report order.
    pub const ALL: [BlendRule; 2] = [BlendRule::Linear, BlendRule::Quadratic];

    /// Short label for reports.
    pub fn label(self) -> &'static str {
        match self {
            BlendRule::Linear => "linear (w = p)",
            BlendRule::Quadratic => "quadratic (w = p^2)",
        }
    }
}

/// The weight in `0..=1` on the network forecast at progress `progress` under `rule`.
///
/// Progress is clamped to `0..=1` first; a NaN progress counts as 0 (no progress known: all weight
/// on earned schedule). The weight is 0 at no progress, 1 at completion and never decreases as
/// progress grows.
pub fn network_weight(progress: f64, rule: BlendRule) -> f64 {
    let p = if progress.is_nan() { 0.0 } else { progress.clamp(0.0, 1.0) };
    match rule {
        BlendRule::Linear => p,
        BlendRule::Quadratic => p * p,
    }
}

/// The blended finish: `(1 - w) * es_finish + w * network_finish` with `w =`
/// [`network_weight`]`(progress, rule)`.
///
/// - `es_finish`: the earned schedule forecast of the project's duration (ES, PF=1:
///   `AT + (PD - ES)`), as a duration from the project start.
/// - `network_finish`: the network forecast (e.g. the Monte Carlo P80 finish with the progress of
///   the same status date) in the same unit, from the same start.
/// - `progress`: the share of the work done at that status date, `EV / BAC` (percent complete by
///   value) in `0..=1`. Any measure of progress in `0..=1` works; the back-test in
///   `docs/forecast-accuracy.md` uses `EV / BAC`.
///
/// The result lies between the two finishes (inclusive) and equals either one when they agree.
/// When one finish is not finite, the other is returned (and NaN when neither is).
pub fn blend_finish(es_finish: f64, network_finish: f64, progress: f64, rule: BlendRule) -> f64 {
    match (es_finish.is_finite(), network_finish.is_finite()) {
        (true, true) => {
            let w = network_weight(progress, rule);
            let b = es_finish + w * (network_finish - es_finish);
            // Rounding must not step outside the two inputs.
            b.clamp(es_finish.min(network_finish), es_finish.max(network_finish))
        }
        (true, false) => es_finish,
        (false, true) => network_finish,
        (false, false) => f64::NAN,
    }
}

/// The third of progress a status date falls in: the unit in which a forecast's measured error is
/// reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ProgressBand {
    /// Progress below 1/3.
    Early,
    /// Progress from 1/3 up to (not including) 2/3.
    Middle,
    /// Progress 2/3 or more.
    Late,
}

impl ProgressBand {
    /// Every band, in order.
    pub const ALL: [ProgressBand; 3] = [ProgressBand::Early, ProgressBand::Middle, ProgressBand::Late];

    /// Short label for reports.
    pub fn label(self) -> &'static str {
        match self {
            ProgressBand::Early => "early (<1/3)",
            ProgressBand::Middle => "middle",
            ProgressBand::Late => "late (>=2/3)",
        }
    }

    /// The band's position in [`ProgressBand::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

/// The band of `progress` (a share in `0..=1`, e.g. `EV / BAC`): early below 1/3, late from 2/3 on,
/// middle between. Values outside `0..=1` fall in the nearest end band; NaN is early.
pub fn progress_band(progress: f64) -> ProgressBand {
    if progress.is_nan() || progress < 1.0 / 3.0 {
        ProgressBand::Early
    } else if progress < 2.0 / 3.0 {
        ProgressBand::Middle
    } else {
        ProgressBand::Late
    }
}
