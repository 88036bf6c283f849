//! Flow metrics: throughput, cycle time, lead time and WIP, per team and overall.

use std::collections::BTreeMap;

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

use super::{DateRange, Granularity, WorkItem, nearest_rank};
use crate::forecast::ENGINE_VERSION;

/// What [`metrics`] measures over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct MetricsOptions {
    /// Period length of the throughput and WIP series.
    pub granularity: Granularity,
    /// The dates measured. `None`: from the earliest to the latest start or done date of any item.
    pub window: Option<DateRange>,
}

/// A metric an item can be left out of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// Cycle time (started → done).
    CycleTime,
    /// Lead time (created → done).
    LeadTime,
    /// Work in progress.
    Wip,
}

/// An item left out of a metric, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exclusion {
    /// The item's key.
    pub key: String,
    /// The item's team.
    pub team: String,
    /// The metric it is left out of.
    pub metric: Metric,
    /// Why, in words.
    pub reason: String,
}

/// Items completed in one period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PeriodCount {
    /// First day of the period.
    pub start: NaiveDate,
    /// Days in the period (less than the period length only for a trailing part-period).
    pub days: i64,
    /// Items done in the period.
    pub items: u32,
    /// Story points of those items (unestimated items count 0).
    pub points: f64,
}

/// Work in progress at the end of one period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WipPoint {
    /// The day measured (the period's last day).
    pub date: NaiveDate,
    /// Items started on or before that day and not done by it.
    pub items: u32,
}

/// Percentiles and mean of a duration in whole days.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimeStats {
    /// Items measured.
    pub count: usize,
    /// Arithmetic mean in days.
    pub mean: f64,
    /// Nearest-rank 50th percentile in days.
    pub p50: i64,
    /// Nearest-rank 85th percentile in days.
    pub p85: i64,
    /// Nearest-rank 95th percentile in days.
    pub p95: i64,
    /// Shortest.
    pub min: i64,
    /// Longest.
    pub max: i64,
}

impl TimeStats {
    /// Stats of the given day counts; `None` when empty. O(n log n).
    pub fn of(mut days: Vec<i64>) -> Option<TimeStats> {
        days.sort_unstable();
        let (&min, &max) = (days.first()?, days.last()?);
        Some(TimeStats {
            count: days.len(),
            mean: days.iter().map(|&d| d as f64).sum::<f64>() / days.len() as f64,
            p50: nearest_rank(&days, 50)?,
            p85: nearest_rank(&days, 85)?,
            p95: nearest_rank(&days, 95)?,
            min,
            max,
        })
    }
}

/// The flow metrics of one team, or of every team together.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlowMetrics {
    /// The team (`None`: all teams).
    pub team: Option<String>,
    /// Items of the team (in the input, whatever their dates).
    pub items: usize,
    /// Items done in the window.
    pub completed: usize,
    /// Items done per period, oldest first; the last may be a part-period.
    pub throughput: Vec<PeriodCount>,
    /// Mean items per whole period (part-periods left out).
    pub throughput_mean: f64,
    /// Cycle time of the items done in the window that have a start date.
    pub cycle_time: Option<TimeStats>,
    /// Lead time of the items done in the window.
    pub lead_time: Option<TimeStats>,
    /// WIP at the end of each period.
    pub wip: Vec<WipPoint>,
}

/// Flow metrics per team and overall.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeliveryMetrics {
    /// Period length.
    pub granularity: Granularity,
    /// The dates measured (`None` when no item has a date to measure).
    pub window: Option<DateRange>,
    /// Every team together.
    pub overall: FlowMetrics,
    /// Each team, by name.
    pub teams: Vec<FlowMetrics>,
    /// Items done in the window but left out of a metric, with the reason.
    pub excluded: Vec<Exclusion>,
    /// [`ENGINE_VERSION`].
    pub engine_version: String,
}

/// Throughput, cycle time, lead time and WIP for the items, per team and overall.
///
/// - **Throughput**: items whose done date falls in each period of the window (periods start at
///   the window's first day; the last may be a part-period, flagged by its `days`).
/// - **Cycle time** `done − started` and **lead time** `done − created`, in whole days, over the
///   items done in the window: nearest-rank P50/P85/P95 (the smallest value with at least that
///   share of items at or below it), mean, min and max. A start before creation counts as the
///   creation date, so an item's cycle time never exceeds its lead time.
/// - **WIP** at the last day of each period: items started on or before it and not done by it.
///
/// Items done in the window with no start date, or with dates out of order, are left out of the
/// metric they cannot give and listed in `excluded` (never silently).
///
/// # Errors
/// None: an empty input gives empty series.
///
/// Complexity: O(n log n + teams × periods) for n items.
///
/// ```
/// use chrono::NaiveDate;
/// use keel_engine::forecast::agile::{metrics, DateRange, Granularity, MetricsOptions, WorkItem};
/// let d = |day| NaiveDate::from_ymd_opt(2024, 1, day).unwrap();
/// let item = |key: &str, created, started, done| WorkItem {
///     key: key.into(), title: String::new(), team: "A".into(), created,
///     started: Some(started), done, points: None, milestone: None,
/// };
/// let items = [item("A-1", d(1), d(2), Some(d(4))), item("A-2", d(1), d(3), Some(d(10))), item("A-3", d(5), d(6), None)];
/// let window = DateRange { from: d(1), to: d(14) };
/// let m = metrics(&items, &MetricsOptions { granularity: Granularity::Week, window: Some(window) });
/// let t: Vec<u32> = m.overall.throughput.iter().map(|p| p.items).collect();
/// assert_eq!(t, vec![1, 1]);
/// assert_eq!(m.overall.cycle_time.as_ref().unwrap().max, 7); // A-2: 3 -> 10 Jan
/// assert_eq!(m.overall.lead_time.as_ref().unwrap().p50, 3); // A-1: 1 -> 4 Jan
/// assert_eq!(m.overall.wip[0].items, 2); // on 7 Jan, A-2 and A-3 are in progress
/// ```
pub fn metrics(items: &[WorkItem], opts: &MetricsOptions) -> DeliveryMetrics {
    let window = opts.window.or_else(|| default_window(items));
    let g = opts.granularity;
    let mut excluded = Vec::new();
    if let Some(w) = window {
        for item in items.iter().filter(|i| i.done.is_some_and(|d| w.contains(d))) {
            exclusions(item, &mut excluded);
        }
    }
    let overall = flow(None, items.iter(), window, g);
    let mut by_team: BTreeMap<&str, Vec<&WorkItem>> = BTreeMap::new();
    for item in items {
        by_team.entry(item.team.as_str()).or_default().push(item);
    }
    let teams =
        by_team.into_iter().map(|(team, its)| flow(Some(team.to_owned()), its.into_iter(), window, g)).collect();
    DeliveryMetrics { granularity: g, window, overall, teams, excluded, engine_version: ENGINE_VERSION.to_owned() }
}

fn default_window(items: &[WorkItem]) -> Option<DateRange> {
    let dates = items.iter().flat_map(|i| [i.started, i.done]).flatten();
    let (mut from, mut to) = (None::<NaiveDate>, None::<NaiveDate>);
    for d in dates {
        from = Some(from.map_or(d, |f| f.min(d)));
        to = Some(to.map_or(d, |t| t.max(d)));
    }
    Some(DateRange { from: from?, to: to? })
}

fn exclusions(item: &WorkItem, out: &mut Vec<Exclusion>) {
    let mut push =
        |metric, reason: String| out.push(Exclusion { key: item.key.clone(), team: item.team.clone(), metric, reason });
    if item.lead_time_days().is_none() {
        let reason = format!("done ({}) before created ({})", fmt_opt(item.done), item.created);
        push(Metric::LeadTime, reason.clone());
        push(Metric::CycleTime, reason);
        return;
    }
    match item.effective_start() {
        None => {
            push(Metric::CycleTime, "no start date".into());
            push(Metric::Wip, "no start date".into());
        }
        Some(s) if item.cycle_time_days().is_none() => {
            push(Metric::CycleTime, format!("done ({}) before started ({s})", fmt_opt(item.done)));
        }
        Some(_) => {}
    }
}

fn fmt_opt(d: Option<NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

fn flow<'a>(
    team: Option<String>,
    items: impl Iterator<Item = &'a WorkItem>,
    window: Option<DateRange>,
    g: Granularity,
) -> FlowMetrics {
    let items: Vec<&WorkItem> = items.collect();
    let Some(w) = window else {
        return FlowMetrics {
            team,
            items: items.len(),
            completed: 0,
            throughput: vec![],
            throughput_mean: 0.0,
            cycle_time: None,
            lead_time: None,
            wip: vec![],
        };
    };
    let days = w.days().max(0) as usize;
    let len = g.days() as usize;
    let n_periods = days.div_ceil(len);
    let mut throughput: Vec<PeriodCount> = (0..n_periods)
        .map(|p| PeriodCount {
            start: w.from + Days::new((p * len) as u64),
            days: len.min(days - p * len) as i64,
            items: 0,
            points: 0.0,
        })
        .collect();
    // WIP by a difference array over the window's days: +1 on the start day, -1 on the done day.
    let mut delta = vec![0i64; days + 1];
    let mut carried = 0i64; // in progress at the window's start
    let (mut cycle, mut lead) = (Vec::new(), Vec::new());
    let mut completed = 0;
    for item in &items {
        if let Some(done) = item.done.filter(|d| w.contains(*d)) {
            completed += 1;
            let p = &mut throughput[(done - w.from).num_days() as usize / len];
            p.items += 1;
            p.points += item.points.unwrap_or(0.0);
            cycle.extend(item.cycle_time_days());
            lead.extend(item.lead_time_days());
        }
        let Some(start) = item.effective_start() else { continue };
        if item.done.is_some_and(|d| d < start) || start > w.to {
            continue;
        }
        let end = item.done; // no longer in progress from this day
        if end.is_some_and(|e| e < w.from) {
            continue;
        }
        if start < w.from {
            carried += 1;
        } else {
            delta[(start - w.from).num_days() as usize] += 1;
        }
        if let Some(e) = end.filter(|e| *e <= w.to) {
            delta[(e - w.from).num_days() as usize] -= 1;
        }
    }
    let mut wip = Vec::with_capacity(n_periods);
    let mut level = carried;
    for (day, d) in delta.iter().take(days).enumerate() {
        level += d;
        if (day + 1) % len == 0 || day + 1 == days {
            wip.push(WipPoint { date: w.from + Days::new(day as u64), items: level.max(0) as u32 });
        }
    }
    let whole: Vec<&PeriodCount> = throughput.iter().filter(|p| p.days == len as i64).collect();
    let throughput_mean =
        if whole.is_empty() { 0.0 } else { whole.iter().map(|p| f64::from(p.items)).sum::<f64>() / whole.len() as f64 };
    FlowMetrics {
        team,
        items: items.len(),
        completed,
        throughput,
        throughput_mean,
        cycle_time: TimeStats::of(cycle),
        lead_time: TimeStats::of(lead),
        wip,
    }
}
