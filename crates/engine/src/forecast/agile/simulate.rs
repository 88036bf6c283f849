//! Throughput Monte Carlo: "when", "how many" and milestone roll-ups.

use std::collections::BTreeMap;

use chrono::{Days, NaiveDate};
use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::{AgileError, DateRange, Granularity, ThroughputHistory, WorkItem, nearest_rank};
use crate::forecast::ENGINE_VERSION;

/// No simulated run may go past this many days (100 years): a history with a trickle of
/// throughput is reported as [`AgileError::BeyondHorizon`] instead of looping for ever.
pub const HORIZON_DAYS: i64 = 36_525;

/// How many runs and which seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimulationSettings {
    /// Simulated runs (10 000 is plenty for stable P95s).
    pub samples: u32,
    /// Seed: the same seed and input give the same result.
    pub seed: u64,
}

impl Default for SimulationSettings {
    fn default() -> Self {
        SimulationSettings { samples: 10_000, seed: 0 }
    }
}

/// A forecast point: how many periods from the start, and the date that is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForecastDate {
    /// Whole periods from the start (0: nothing remaining).
    pub periods: u32,
    /// The last day of the period in which the last item is done (the start date for 0 periods).
    pub date: NaiveDate,
}

/// One bar of a "when" histogram.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WhenBucket {
    /// Periods from the start.
    pub periods: u32,
    /// The date that is.
    pub date: NaiveDate,
    /// Runs that finished in exactly this period.
    pub samples: u32,
    /// Share of runs finished by this date (0 to 1).
    pub cumulative: f64,
}

/// "When will these N items be done?"
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WhenForecast {
    /// Items remaining.
    pub remaining: u32,
    /// First day of the forecast.
    pub start: NaiveDate,
    /// Period length.
    pub granularity: Granularity,
    /// The history the throughput was resampled from.
    pub history_window: DateRange,
    /// Seed.
    pub seed: u64,
    /// Runs.
    pub samples: u32,
    /// [`ENGINE_VERSION`].
    pub engine_version: String,
    /// Half the runs finished by this date.
    pub p50: ForecastDate,
    /// 85 % of the runs finished by this date.
    pub p85: ForecastDate,
    /// 95 % of the runs finished by this date.
    pub p95: ForecastDate,
    /// Runs per finishing period, earliest first.
    pub histogram: Vec<WhenBucket>,
}

/// One bar of a "how many" histogram.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CountBucket {
    /// Items done.
    pub items: u32,
    /// Runs that did exactly this many.
    pub samples: u32,
    /// Share of runs that did at least this many (0 to 1): the confidence of "at least `items`".
    pub probability_at_least: f64,
}

/// "How many items will be done by this date?"
///
/// The confidence convention: `p85` is the largest count that at least 85 % of the runs reached,
/// that is the 15th percentile of the simulated counts from the bottom (likewise `p95` is the 5th
/// percentile and `p50` the median). Higher confidence gives a smaller number.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HowManyForecast {
    /// First day of the forecast.
    pub start: NaiveDate,
    /// The date asked about.
    pub target: NaiveDate,
    /// Whole periods between start and target (a trailing part-period is not counted).
    pub periods: u32,
    /// Period length.
    pub granularity: Granularity,
    /// The history the throughput was resampled from.
    pub history_window: DateRange,
    /// Seed.
    pub seed: u64,
    /// Runs.
    pub samples: u32,
    /// [`ENGINE_VERSION`].
    pub engine_version: String,
    /// At least this many in 50 % of runs.
    pub p50: u32,
    /// At least this many in 85 % of runs (15th percentile of the counts).
    pub p85: u32,
    /// At least this many in 95 % of runs (5th percentile of the counts).
    pub p95: u32,
    /// Runs per count, smallest first.
    pub histogram: Vec<CountBucket>,
}

/// Remaining items of one milestone for one team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MilestoneWork {
    /// Milestone (release, fix version) name.
    pub milestone: String,
    /// Team.
    pub team: String,
    /// Items not yet done.
    pub remaining: u32,
}

/// How a team with items in several milestones spends its throughput.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sequencing {
    /// Milestones in the order given: a team finishes its items of the first milestone before
    /// starting the second, so a later milestone includes the team's earlier work.
    #[default]
    InOrder,
    /// Each milestone as if the team worked on nothing else (optimistic for later milestones).
    Independent,
}

/// One team's share of a milestone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TeamPart {
    /// Team.
    pub team: String,
    /// The team's remaining items in this milestone.
    pub remaining: u32,
    /// When the team's part is done, at P50.
    pub p50: ForecastDate,
    /// At P85.
    pub p85: ForecastDate,
    /// At P95.
    pub p95: ForecastDate,
}

/// One milestone's forecast: done when its last team finishes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MilestoneForecast {
    /// Milestone name.
    pub milestone: String,
    /// Remaining items over all teams.
    pub remaining: u32,
    /// Each team's part, by team name.
    pub teams: Vec<TeamPart>,
    /// Half the runs finished the milestone by this date.
    pub p50: ForecastDate,
    /// 85 % of the runs.
    pub p85: ForecastDate,
    /// 95 % of the runs.
    pub p95: ForecastDate,
    /// Runs per finishing period.
    pub histogram: Vec<WhenBucket>,
}

/// Milestone forecasts, in the order the milestones were first given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MilestoneForecasts {
    /// First day of the forecast.
    pub start: NaiveDate,
    /// Period length.
    pub granularity: Granularity,
    /// How teams spread their throughput over milestones.
    pub sequencing: Sequencing,
    /// Each team's history window.
    pub history_windows: BTreeMap<String, DateRange>,
    /// Seed.
    pub seed: u64,
    /// Runs.
    pub samples: u32,
    /// [`ENGINE_VERSION`].
    pub engine_version: String,
    /// The milestones.
    pub milestones: Vec<MilestoneForecast>,
}

/// SplitMix64 finaliser: spreads nearby seeds into unrelated streams.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The random stream of one run (and one team/milestone within it): independent of thread count
/// and of how much other runs drew.
fn stream(seed: u64, sample: u32, lane: u64) -> Xoshiro256PlusPlus {
    Xoshiro256PlusPlus::seed_from_u64(mix(mix(seed ^ mix(u64::from(sample))) ^ lane))
}

/// Periods until the running total of resampled counts reaches each threshold (sorted ascending).
fn finish_periods(
    counts: &[u32],
    thresholds: &[u64],
    rng: &mut Xoshiro256PlusPlus,
    max_periods: u32,
) -> Option<Vec<u32>> {
    let mut out = Vec::with_capacity(thresholds.len());
    let (mut done, mut k) = (0u64, 0u32);
    for &t in thresholds {
        while done < t {
            if k >= max_periods {
                return None;
            }
            done += u64::from(counts[rng.random_range(0..counts.len())]);
            k += 1;
        }
        out.push(k);
    }
    Some(out)
}

fn check(history: &ThroughputHistory, settings: &SimulationSettings) -> Result<(), AgileError> {
    if settings.samples == 0 {
        return Err(AgileError::NoSamples(settings.samples));
    }
    if history.counts.iter().all(|&c| c == 0) {
        return Err(AgileError::NoThroughput { team: history.team.clone() });
    }
    Ok(())
}

fn max_periods(g: Granularity) -> u32 {
    (HORIZON_DAYS / g.days()) as u32
}

fn forecast_date(start: NaiveDate, periods: u32, g: Granularity) -> ForecastDate {
    let days = (i64::from(periods) * g.days() - 1).max(0) as u64;
    // Within the horizon from any date chrono accepts in practice; saturate rather than panic.
    let date = start.checked_add_days(Days::new(days)).unwrap_or(NaiveDate::MAX);
    ForecastDate { periods, date }
}

fn when_summary(
    mut periods: Vec<u32>,
    start: NaiveDate,
    g: Granularity,
) -> (ForecastDate, ForecastDate, ForecastDate, Vec<WhenBucket>) {
    periods.sort_unstable();
    let at = |p| forecast_date(start, nearest_rank(&periods, p).unwrap_or(0), g);
    let mut counts: BTreeMap<u32, u32> = BTreeMap::new();
    for &p in &periods {
        *counts.entry(p).or_default() += 1;
    }
    let n = periods.len().max(1) as f64;
    let mut cum = 0u32;
    let histogram = counts
        .into_iter()
        .map(|(p, c)| {
            cum += c;
            WhenBucket { periods: p, date: forecast_date(start, p, g).date, samples: c, cumulative: f64::from(cum) / n }
        })
        .collect();
    (at(50), at(85), at(95), histogram)
}

/// Forecasts when `remaining` items will be done, resampling the history's per-period throughput.
///
/// Each run draws a period's throughput uniformly (with replacement) from `history.counts` until
/// the running total reaches `remaining`; the run finishes on the last day of that period. P50,
/// P85 and P95 are nearest-rank percentiles of the runs' finishing periods, so P50 <= P85 <= P95.
/// Zero remaining finishes at `start`.
///
/// # Errors
/// [`AgileError::NoSamples`] for 0 samples; [`AgileError::NoThroughput`] when every period of the
/// history completed nothing (the work would never finish); [`AgileError::BeyondHorizon`] when a
/// run needs more than [`HORIZON_DAYS`].
///
/// Complexity: O(samples × periods to finish), spread over rayon's threads.
///
/// ```
/// use chrono::NaiveDate;
/// use keel_engine::forecast::agile::{forecast_when, DateRange, Granularity, SimulationSettings, ThroughputHistory};
/// let d = |m, day| NaiveDate::from_ymd_opt(2024, m, day).unwrap();
/// let history = ThroughputHistory::from_counts(Granularity::Week, DateRange { from: d(1, 1), to: d(1, 28) }, vec![5, 5, 5, 5]);
/// let f = forecast_when(&history, 12, d(2, 5), &SimulationSettings { samples: 1000, seed: 7 })?;
/// // Always 5 a week: 12 items need 3 weeks, ending on Sunday 25 February.
/// assert_eq!(f.p95.periods, 3);
/// assert_eq!(f.p50.date, d(2, 25));
/// # Ok::<(), keel_engine::forecast::agile::AgileError>(())
/// ```
pub fn forecast_when(
    history: &ThroughputHistory,
    remaining: u32,
    start: NaiveDate,
    settings: &SimulationSettings,
) -> Result<WhenForecast, AgileError> {
    check(history, settings)?;
    let g = history.granularity;
    let max = max_periods(g);
    let threshold = [u64::from(remaining)];
    let periods: Vec<u32> = (0..settings.samples)
        .into_par_iter()
        .map(|s| {
            let mut rng = stream(settings.seed, s, 0);
            finish_periods(&history.counts, &threshold, &mut rng, max).map(|v| v[0]).ok_or_else(|| {
                AgileError::BeyondHorizon { remaining, team: history.team.clone(), horizon_days: HORIZON_DAYS }
            })
        })
        .collect::<Result<_, _>>()?;
    let (p50, p85, p95, histogram) = when_summary(periods, start, g);
    Ok(WhenForecast {
        remaining,
        start,
        granularity: g,
        history_window: history.window,
        seed: settings.seed,
        samples: settings.samples,
        engine_version: ENGINE_VERSION.to_owned(),
        p50,
        p85,
        p95,
        histogram,
    })
}

/// The largest value that at least `pct` % of the sorted values reach (`sorted[n − ⌈pct·n/100⌉]`).
fn at_least(sorted: &[u32], pct: u32) -> u32 {
    let n = sorted.len();
    let k = (pct as usize * n).div_ceil(100).clamp(1, n.max(1));
    sorted.get(n.saturating_sub(k)).copied().unwrap_or(0)
}

/// Forecasts how many items will be done from `start` to `target` (inclusive), resampling the
/// history's per-period throughput over the whole periods that fit between them.
///
/// Confidence convention: a higher confidence gives a smaller number. `p85` is the largest count
/// that at least 85 % of runs reached — the 15th percentile of the simulated counts; `p95` the 5th
/// percentile; `p50` the median. So `p95 <= p85 <= p50`.
///
/// # Errors
/// [`AgileError::NoSamples`], [`AgileError::NoThroughput`] (as for [`forecast_when`]) and
/// [`AgileError::TargetBeforeStart`].
///
/// Complexity: O(samples × periods).
///
/// ```
/// use chrono::NaiveDate;
/// use keel_engine::forecast::agile::{forecast_how_many, DateRange, Granularity, SimulationSettings, ThroughputHistory};
/// let d = |m, day| NaiveDate::from_ymd_opt(2024, m, day).unwrap();
/// let history = ThroughputHistory::from_counts(Granularity::Week, DateRange { from: d(1, 1), to: d(1, 14) }, vec![2, 4]);
/// // 5 Feb to 3 Mar is 4 whole weeks: between 8 and 16 items.
/// let f = forecast_how_many(&history, d(2, 5), d(3, 3), &SimulationSettings { samples: 2000, seed: 1 })?;
/// assert_eq!(f.periods, 4);
/// assert!(8 <= f.p95 && f.p95 <= f.p85 && f.p85 <= f.p50 && f.p50 <= 16);
/// # Ok::<(), keel_engine::forecast::agile::AgileError>(())
/// ```
pub fn forecast_how_many(
    history: &ThroughputHistory,
    start: NaiveDate,
    target: NaiveDate,
    settings: &SimulationSettings,
) -> Result<HowManyForecast, AgileError> {
    check(history, settings)?;
    if target < start {
        return Err(AgileError::TargetBeforeStart { start, target });
    }
    let g = history.granularity;
    let periods = DateRange { from: start, to: target }.periods(g) as u32;
    let mut counts: Vec<u32> = (0..settings.samples)
        .into_par_iter()
        .map(|s| {
            let mut rng = stream(settings.seed, s, 0);
            (0..periods)
                .map(|_| history.counts[rng.random_range(0..history.counts.len())])
                .fold(0u32, u32::saturating_add)
        })
        .collect();
    counts.sort_unstable();
    let mut by_count: BTreeMap<u32, u32> = BTreeMap::new();
    for &c in &counts {
        *by_count.entry(c).or_default() += 1;
    }
    let n = f64::from(settings.samples);
    let mut at_or_above = settings.samples;
    let histogram = by_count
        .into_iter()
        .map(|(items, samples)| {
            let b = CountBucket { items, samples, probability_at_least: f64::from(at_or_above) / n };
            at_or_above -= samples;
            b
        })
        .collect();
    Ok(HowManyForecast {
        start,
        target,
        periods,
        granularity: g,
        history_window: history.window,
        seed: settings.seed,
        samples: settings.samples,
        engine_version: ENGINE_VERSION.to_owned(),
        p50: at_least(&counts, 50),
        p85: at_least(&counts, 85),
        p95: at_least(&counts, 95),
        histogram,
    })
}

/// Groups the items not yet done by milestone and team: the input of [`forecast_milestones`].
/// Milestones keep the order in which they first appear; items without a milestone are left out.
///
/// Complexity: O(n log n).
///
/// ```
/// use chrono::NaiveDate;
/// use keel_engine::forecast::agile::{remaining_work, WorkItem};
/// let d = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
/// let item = |team: &str, ms: &str, done| WorkItem {
///     key: String::new(), title: String::new(), team: team.into(), created: d,
///     started: None, done, points: None, milestone: Some(ms.into()),
/// };
/// let w = remaining_work(&[item("A", "R1", None), item("A", "R1", Some(d)), item("B", "R1", None), item("A", "R1", None)]);
/// assert_eq!(w.iter().map(|w| (w.team.as_str(), w.remaining)).collect::<Vec<_>>(), vec![("A", 2), ("B", 1)]);
/// ```
pub fn remaining_work(items: &[WorkItem]) -> Vec<MilestoneWork> {
    let mut order: Vec<&str> = Vec::new();
    let mut counts: BTreeMap<(usize, &str), u32> = BTreeMap::new();
    for item in items.iter().filter(|i| i.done.is_none()) {
        let Some(ms) = item.milestone.as_deref() else { continue };
        let idx = order.iter().position(|m| *m == ms).unwrap_or_else(|| {
            order.push(ms);
            order.len() - 1
        });
        *counts.entry((idx, item.team.as_str())).or_default() += 1;
    }
    counts
        .into_iter()
        .map(|((idx, team), remaining)| MilestoneWork {
            milestone: order[idx].to_owned(),
            team: team.to_owned(),
            remaining,
        })
        .collect()
}

/// Forecasts each milestone's completion when teams deliver its remaining items in parallel.
///
/// Each team's throughput is resampled from its own history (`histories`, keyed by team name;
/// every history must have the same granularity). In each run a milestone is done when the last of
/// its teams finishes its part. With [`Sequencing::InOrder`] a team works through the milestones
/// in the order they first appear in `work`, so its part of a later milestone ends when its
/// cumulative remaining items up to that milestone are done; with [`Sequencing::Independent`]
/// each (milestone, team) part is simulated on its own. Duplicate (milestone, team) rows are
/// added up. A team with no remaining items in a milestone does not hold it up; a milestone with
/// nothing remaining finishes at `start`.
///
/// # Errors
/// [`AgileError::MissingHistory`] naming the milestone and team; [`AgileError::MixedGranularity`];
/// [`AgileError::NoThroughput`] for a team with remaining items and no completed ones in its
/// history; [`AgileError::BeyondHorizon`]; [`AgileError::NoSamples`].
///
/// Complexity: O(samples × Σ periods to finish per team), in parallel over samples.
///
/// ```
/// use std::collections::BTreeMap;
/// use chrono::NaiveDate;
/// use keel_engine::forecast::agile::*;
/// let d = |m, day| NaiveDate::from_ymd_opt(2024, m, day).unwrap();
/// let window = DateRange { from: d(1, 1), to: d(1, 14) };
/// let histories = BTreeMap::from([
///     ("A".to_string(), ThroughputHistory::from_counts(Granularity::Week, window, vec![2, 2])),
///     ("B".to_string(), ThroughputHistory::from_counts(Granularity::Week, window, vec![1, 1])),
/// ]);
/// let work = vec![
///     MilestoneWork { milestone: "R1".into(), team: "A".into(), remaining: 4 },
///     MilestoneWork { milestone: "R1".into(), team: "B".into(), remaining: 3 },
/// ];
/// let f = forecast_milestones(&work, &histories, d(2, 5), Sequencing::InOrder, &SimulationSettings { samples: 100, seed: 3 })?;
/// // A needs 2 weeks, B needs 3: the release is done when B finishes.
/// assert_eq!(f.milestones[0].p50.periods, 3);
/// # Ok::<(), keel_engine::forecast::agile::AgileError>(())
/// ```
pub fn forecast_milestones(
    work: &[MilestoneWork],
    histories: &BTreeMap<String, ThroughputHistory>,
    start: NaiveDate,
    sequencing: Sequencing,
    settings: &SimulationSettings,
) -> Result<MilestoneForecasts, AgileError> {
    if settings.samples == 0 {
        return Err(AgileError::NoSamples(settings.samples));
    }
    // Milestones in first-appearance order; per milestone, remaining per team.
    let mut milestones: Vec<(&str, BTreeMap<&str, u32>)> = Vec::new();
    for w in work {
        let idx = match milestones.iter().position(|(m, _)| *m == w.milestone) {
            Some(i) => i,
            None => {
                milestones.push((&w.milestone, BTreeMap::new()));
                milestones.len() - 1
            }
        };
        *milestones[idx].1.entry(&w.team).or_default() += w.remaining;
    }
    // Teams involved, each with its history (checked) and its thresholds.
    let mut teams: BTreeMap<&str, &ThroughputHistory> = BTreeMap::new();
    let mut granularity = None;
    for (ms, parts) in &milestones {
        for (&team, &remaining) in parts {
            let h = histories
                .get(team)
                .ok_or_else(|| AgileError::MissingHistory { milestone: (*ms).to_owned(), team: team.to_owned() })?;
            match granularity {
                None => granularity = Some(h.granularity),
                Some(g) if g != h.granularity => {
                    return Err(AgileError::MixedGranularity {
                        team: team.to_owned(),
                        expected: g,
                        found: h.granularity,
                    });
                }
                Some(_) => {}
            }
            if remaining > 0 && h.counts.iter().all(|&c| c == 0) {
                return Err(AgileError::NoThroughput { team: Some(team.to_owned()) });
            }
            teams.insert(team, h);
        }
    }
    let g = granularity.unwrap_or_default();
    let max = max_periods(g);
    let team_list: Vec<&str> = teams.keys().copied().collect();
    // Per run: for each milestone, each team's finishing period (None: no part in it).
    let n_ms = milestones.len();
    let runs: Vec<Vec<Vec<Option<u32>>>> = (0..settings.samples)
        .into_par_iter()
        .map(|s| {
            let mut per_ms = vec![vec![None; team_list.len()]; n_ms];
            for (ti, team) in team_list.iter().enumerate() {
                let h = teams[team];
                let parts: Vec<(usize, u32)> =
                    milestones.iter().enumerate().filter_map(|(mi, (_, p))| p.get(team).map(|&r| (mi, r))).collect();
                let beyond = || AgileError::BeyondHorizon {
                    remaining: parts.iter().map(|p| p.1).sum(),
                    team: Some((*team).to_owned()),
                    horizon_days: HORIZON_DAYS,
                };
                match sequencing {
                    Sequencing::InOrder => {
                        let mut cum = 0u64;
                        let thresholds: Vec<u64> = parts
                            .iter()
                            .map(|&(_, r)| {
                                cum += u64::from(r);
                                cum
                            })
                            .collect();
                        let mut rng = stream(settings.seed, s, ti as u64);
                        let fin = finish_periods(&h.counts, &thresholds, &mut rng, max).ok_or_else(beyond)?;
                        for (&(mi, r), f) in parts.iter().zip(fin) {
                            per_ms[mi][ti] = (r > 0).then_some(f);
                        }
                    }
                    Sequencing::Independent => {
                        for &(mi, r) in &parts {
                            let lane = ((ti as u64) << 32) | mi as u64;
                            let mut rng = stream(settings.seed, s, lane);
                            let fin = finish_periods(&h.counts, &[u64::from(r)], &mut rng, max).ok_or_else(beyond)?;
                            per_ms[mi][ti] = Some(fin[0]);
                        }
                    }
                }
            }
            Ok(per_ms)
        })
        .collect::<Result<_, AgileError>>()?;
    let forecasts = milestones
        .iter()
        .enumerate()
        .map(|(mi, (name, parts))| {
            let whole: Vec<u32> = runs.iter().map(|r| r[mi].iter().flatten().copied().max().unwrap_or(0)).collect();
            let (p50, p85, p95, histogram) = when_summary(whole, start, g);
            let team_parts = team_list
                .iter()
                .enumerate()
                .filter_map(|(ti, team)| {
                    let remaining = *parts.get(team)?;
                    let own: Vec<u32> = runs.iter().map(|r| r[mi][ti].unwrap_or(0)).collect();
                    let (p50, p85, p95, _) = when_summary(own, start, g);
                    Some(TeamPart { team: (*team).to_owned(), remaining, p50, p85, p95 })
                })
                .collect();
            MilestoneForecast {
                milestone: (*name).to_owned(),
                remaining: parts.values().sum(),
                teams: team_parts,
                p50,
                p85,
                p95,
                histogram,
            }
        })
        .collect();
    Ok(MilestoneForecasts {
        start,
        granularity: g,
        sequencing,
        history_windows: teams.iter().map(|(t, h)| ((*t).to_owned(), h.window)).collect(),
        seed: settings.seed,
        samples: settings.samples,
        engine_version: ENGINE_VERSION.to_owned(),
        milestones: forecasts,
    })
}
