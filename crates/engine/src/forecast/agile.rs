//! Agile and hybrid delivery: flow metrics and throughput Monte Carlo forecasts.
//!
//! The input is a team's delivery history as a list of [`WorkItem`]s (the importers in
//! `keel-interop` read them from Jira or a simple CSV). From it the engine computes:
//!
//! - [`metrics`]: throughput per day or week, cycle time (started → done) and lead time
//!   (created → done) with P50/P85/P95 and means, and work in progress over time, per team and
//!   overall;
//! - [`ThroughputHistory`]: the per-period completed counts in a chosen history window, the input
//!   of every forecast;
//! - [`forecast_when`]: "when will these N items be done" — completion dates at P50/P85/P95 and a
//!   histogram;
//! - [`forecast_how_many`]: "how many items by this date" — P50/P85/P95 counts, where the
//!   *85 % confident* number is the 15th percentile of the simulated counts (see the function);
//! - [`forecast_milestones`]: each milestone's completion date when several teams deliver its
//!   remaining items in parallel and the milestone is done when its last team finishes.
//!
//! Dates are calendar dates (times of day are dropped by the importers); durations are whole
//! calendar days (`done − started`, so an item started and finished on the same day took 0 days).
//! Forecasts resample the history's per-period counts with replacement, each simulated run from
//! its own seeded stream, so the same seed gives the same result on any number of threads, and a
//! run that needs more items draws a longer prefix of the same stream (more items never finish
//! earlier). Every result carries its seed, samples, history window and
//! [`ENGINE_VERSION`](crate::forecast::ENGINE_VERSION).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

mod metrics;
mod simulate;

pub use metrics::{
    DeliveryMetrics, Exclusion, FlowMetrics, Metric, MetricsOptions, PeriodCount, TimeStats, WipPoint, metrics,
};
pub use simulate::{
    CountBucket, ForecastDate, HowManyForecast, MilestoneForecast, MilestoneForecasts, MilestoneWork, Sequencing,
    SimulationSettings, TeamPart, WhenBucket, WhenForecast, forecast_how_many, forecast_milestones, forecast_when,
    remaining_work,
};

/// One piece of delivered (or still open) work: a story, task or bug.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkItem {
    /// The item's key in its source (`ABC-123`).
    pub key: String,
    /// Title or summary.
    pub title: String,
    /// The team that delivers it (grouping key for per-team metrics and forecasts).
    pub team: String,
    /// When it was created.
    pub created: NaiveDate,
    /// When work started, if known.
    pub started: Option<NaiveDate>,
    /// When it was done, if it is.
    pub done: Option<NaiveDate>,
    /// Story points, if estimated (reported beside item counts; forecasts count items).
    pub points: Option<f64>,
    /// The milestone, release or fix version it belongs to.
    pub milestone: Option<String>,
}

impl WorkItem {
    /// Lead time in days, `done − created`; `None` when not done or done before it was created.
    pub fn lead_time_days(&self) -> Option<i64> {
        let done = self.done?;
        let d = (done - self.created).num_days();
        (d >= 0).then_some(d)
    }

    /// The start date used for cycle time and WIP: `started`, but never before `created` (a start
    /// recorded before the item existed is taken as its creation date).
    pub fn effective_start(&self) -> Option<NaiveDate> {
        self.started.map(|s| s.max(self.created))
    }

    /// Cycle time in days, `done − effective_start`; `None` when not started, not done or done
    /// before it started. Never more than [`lead_time_days`](Self::lead_time_days).
    pub fn cycle_time_days(&self) -> Option<i64> {
        let done = self.done?;
        let d = (done - self.effective_start()?).num_days();
        (d >= 0).then_some(d)
    }
}

/// The length of one throughput period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Granularity {
    /// One calendar day.
    Day,
    /// Seven calendar days.
    #[default]
    Week,
}

impl Granularity {
    /// Days in one period: 1 or 7.
    pub const fn days(self) -> i64 {
        match self {
            Granularity::Day => 1,
            Granularity::Week => 7,
        }
    }
}

/// An inclusive range of dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DateRange {
    /// First day.
    pub from: NaiveDate,
    /// Last day (inclusive).
    pub to: NaiveDate,
}

impl DateRange {
    /// Days in the range (0 when `to` is before `from`).
    pub fn days(&self) -> i64 {
        ((self.to - self.from).num_days() + 1).max(0)
    }

    /// Whole periods of `g` in the range, counted from `from` (a trailing part-period is dropped).
    pub fn periods(&self, g: Granularity) -> usize {
        (self.days() / g.days()) as usize
    }

    /// Whether `d` is in the range.
    pub fn contains(&self, d: NaiveDate) -> bool {
        self.from <= d && d <= self.to
    }
}

/// Items completed per period over a history window: what the forecasts resample.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThroughputHistory {
    /// Period length.
    pub granularity: Granularity,
    /// The whole periods used: starts at the requested `from`, ends at the last whole period.
    pub window: DateRange,
    /// The team it was measured for (`None`: every team together).
    pub team: Option<String>,
    /// Items done in each period, oldest first.
    pub counts: Vec<u32>,
}

impl ThroughputHistory {
    /// Counts the items done in each whole period of `window` (for `team`, or all teams when
    /// `None`). Items done outside the window are ignored; a trailing part-period is dropped and the
    /// returned `window` says which days were used.
    ///
    /// # Errors
    /// [`AgileError::WindowTooShort`] when the window holds no whole period.
    ///
    /// Complexity: O(items + periods).
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use keel_engine::forecast::agile::{DateRange, Granularity, ThroughputHistory, WorkItem};
    /// let d = |day| NaiveDate::from_ymd_opt(2024, 1, day).unwrap();
    /// let item = |key: &str, done| WorkItem {
    ///     key: key.into(), title: String::new(), team: "A".into(), created: d(1),
    ///     started: None, done: Some(done), points: None, milestone: None,
    /// };
    /// let items = [item("A-1", d(2)), item("A-2", d(3)), item("A-3", d(9))];
    /// let h = ThroughputHistory::from_items(&items, None, Granularity::Week, DateRange { from: d(1), to: d(16) })?;
    /// assert_eq!(h.counts, vec![2, 1]); // 1-7 Jan and 8-14 Jan; 15-16 Jan is not a whole week
    /// assert_eq!(h.window.to, d(14));
    /// # Ok::<(), keel_engine::forecast::agile::AgileError>(())
    /// ```
    pub fn from_items(
        items: &[WorkItem],
        team: Option<&str>,
        granularity: Granularity,
        window: DateRange,
    ) -> Result<Self, AgileError> {
        let n = window.periods(granularity);
        if n == 0 {
            return Err(AgileError::WindowTooShort { window, granularity });
        }
        let used = DateRange {
            from: window.from,
            to: window.from + chrono::Days::new((n as i64 * granularity.days() - 1) as u64),
        };
        let mut counts = vec![0u32; n];
        for item in items.iter().filter(|i| team.is_none_or(|t| i.team == t)) {
            if let Some(done) = item.done.filter(|d| used.contains(*d)) {
                let idx = ((done - used.from).num_days() / granularity.days()) as usize;
                counts[idx] += 1;
            }
        }
        Ok(ThroughputHistory { granularity, window: used, team: team.map(str::to_owned), counts })
    }

    /// A history from counts the caller already has (e.g. sprint-by-sprint numbers typed in).
    /// `window` is taken as given.
    pub fn from_counts(granularity: Granularity, window: DateRange, counts: Vec<u32>) -> Self {
        ThroughputHistory { granularity, window, team: None, counts }
    }

    /// Mean items per period (0 for an empty history).
    pub fn mean(&self) -> f64 {
        if self.counts.is_empty() {
            0.0
        } else {
            self.counts.iter().map(|&c| f64::from(c)).sum::<f64>() / self.counts.len() as f64
        }
    }
}

/// Why a metric or forecast could not be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AgileError {
    /// The history window holds no whole period.
    #[error("history window {}..{} is shorter than one {granularity:?} period", window.from, window.to)]
    WindowTooShort {
        /// The window given.
        window: DateRange,
        /// The period length.
        granularity: Granularity,
    },
    /// No item was completed in the history window, so no finish date can be forecast.
    #[error("no items were completed in the history window{}: throughput is zero, so the work never finishes", team_suffix(.team))]
    NoThroughput {
        /// The team, when forecasting per team.
        team: Option<String>,
    },
    /// Throughput is so low that some simulated run did not finish within the horizon.
    #[error("{remaining} items{} would take longer than {horizon_days} days at the history's throughput", team_suffix(.team))]
    BeyondHorizon {
        /// Items remaining.
        remaining: u32,
        /// The team, when forecasting per team.
        team: Option<String>,
        /// The horizon in days.
        horizon_days: i64,
    },
    /// A forecast needs at least one sample.
    #[error("samples must be at least 1 (got {0})")]
    NoSamples(u32),
    /// The target date of a how-many forecast is before its start.
    #[error("target date {target} is before the forecast start {start}")]
    TargetBeforeStart {
        /// Forecast start.
        start: NaiveDate,
        /// Target date.
        target: NaiveDate,
    },
    /// A milestone forecast names a team with no throughput history.
    #[error("milestone `{milestone}`: team `{team}` has no throughput history")]
    MissingHistory {
        /// The milestone.
        milestone: String,
        /// The team.
        team: String,
    },
    /// Histories of different period lengths cannot be combined.
    #[error("team `{team}` has {found:?} throughput but the other teams have {expected:?}")]
    MixedGranularity {
        /// The odd team.
        team: String,
        /// The granularity of the first history.
        expected: Granularity,
        /// This team's granularity.
        found: Granularity,
    },
}

fn team_suffix(team: &Option<String>) -> String {
    team.as_ref().map(|t| format!(" for team `{t}`")).unwrap_or_default()
}

/// Nearest-rank percentile of sorted values: the smallest value such that at least `p` % of the
/// values are at or below it. `None` for an empty slice.
pub(crate) fn nearest_rank<T: Copy>(sorted: &[T], p: u32) -> Option<T> {
    if sorted.is_empty() {
        return None;
    }
    let n = sorted.len();
    // ceil(p * n / 100) in integers, so 85 % of 20 is rank 17 exactly.
    let rank = (p as usize * n).div_ceil(100);
    Some(sorted[rank.clamp(1, n) - 1])
}
