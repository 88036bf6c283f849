//! Recomputes a DSLIB workbook's earned value figures with Keel's engine, compares them with what
//! ProTrack stored in `Tracking Overview`, and measures each forecasting method's error against the
//! project's real duration and cost.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use keel_engine::forecast::blend::{BlendRule, ProgressBand, blend_finish, progress_band};
use keel_engine::forecast::evm::{CostMethod, EvmReport, PeriodMetrics, TimeBasis, TimeMethod, evaluate};
use keel_engine::forecast::montecarlo::{McInput, simulate};
use keel_engine::schedule::schedule;
use serde::Serialize;

use super::{DslibProject, OverviewRow};
use crate::ImportError;

/// How close a recomputed value must be to ProTrack's to count as a match.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Tolerance {
    /// Relative tolerance on money (PV, EV, AC, EAC): 0.5%.
    pub money_rel: f64,
    /// Absolute tolerance on indices (SPI, CPI, SPI(t), p-factor): 0.01.
    pub index_abs: f64,
    /// Tolerance on times (ES, EAC(t)) in working hours: ProTrack stores them to the hour. A time
    /// forecast also matches within `money_rel` of its value.
    pub time_hours: f64,
}

impl Default for Tolerance {
    fn default() -> Self {
        Tolerance { money_rel: 0.005, index_abs: 0.01, time_hours: 1.0 }
    }
}

/// The largest disagreement of one field.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Worst {
    /// Period name.
    pub period: String,
    /// ProTrack's value (times in days of the time basis after the project start).
    pub stored: f64,
    /// Keel's value.
    pub computed: f64,
}

/// Agreement on one field over the periods.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldAgreement {
    /// Field (`PV`, `ES`, `EAC(t) ES PF=1`, ...).
    pub field: String,
    /// Values compared.
    pub compared: usize,
    /// Values within tolerance.
    pub matched: usize,
    /// The largest disagreement, if any value was out of tolerance.
    pub worst: Option<Worst>,
}

/// Mean absolute percentage errors of each method over a finished project's tracking periods.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Accuracy {
    /// Real duration: the last status date's position (days of the time basis); ProTrack's last
    /// period ("Actual Schedule") is dated at the project's actual finish.
    pub real_duration: f64,
    /// Real cost: the actual cost at the last period.
    pub real_cost: f64,
    /// Periods averaged over.
    pub periods: usize,
    /// Keel's MAPE per time method (percent), in [`TimeMethod::ALL`] order.
    pub time_mape: [Option<f64>; 9],
    /// Keel's MAPE per cost method (percent), in [`CostMethod::ALL`] order.
    pub cost_mape: [Option<f64>; 8],
    /// The MAPE of ProTrack's own stored forecasts, when it stored them.
    pub stored_time_mape: [Option<f64>; 9],
    /// The MAPE of ProTrack's own stored cost forecasts.
    pub stored_cost_mape: [Option<f64>; 8],
    /// Keel's MAPE per combined (network) method (percent), in [`CombinedMethod::ALL`] order;
    /// `None` for the Monte Carlo methods when they did not run.
    pub combined_mape: [Option<f64>; COMBINED],
    /// The combined forecasts per tracking period (days of the time basis after the project start),
    /// in [`CombinedMethod::ALL`] order.
    pub combined_forecasts: Vec<[Option<f64>; COMBINED]>,
    /// Progress at each tracking period: EV / BAC (percent complete by value, 0..=1), the measure
    /// of the progress bands and of the blends' weights.
    pub progress: Vec<f64>,
    /// Keel's MAPE per time method (as `time_mape`) over the periods of each progress band
    /// ([`ProgressBand::ALL`] order: early, middle, late thirds of EV / BAC); `None` for a band
    /// without periods.
    pub time_band_mape: [[Option<f64>; 3]; 9],
    /// The same per combined method (as `combined_mape`).
    pub combined_band_mape: [[Option<f64>; 3]; COMBINED],
    /// Why a combined forecast is missing at some period, if it is.
    pub combined_error: Option<String>,
}

/// How many [`CombinedMethod`]s there are.
pub const COMBINED: usize = 9;

/// Bounds of the "updated from finished activities" factor: the median actual / planned duration
/// ratio is clamped to `1/RATIO_CLAMP..=RATIO_CLAMP` (chosen before measuring).
pub const RATIO_CLAMP: f64 = 2.0;

/// The forecasts computed on the schedule network (the "combined" forecast): the project's finish
/// at each tracking period, with the period's progress, as days of the time basis after the
/// project start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum CombinedMethod {
    /// The critical path with planned durations for the remaining work (no risk).
    Cpm,
    /// Median finish of the Monte Carlo simulation on the `Risk Analysis` estimates.
    McP50,
    /// 80th percentile finish of the same simulation.
    McP80,
    /// Median finish when the remaining work is scaled by 1/SPI(t) of the period ("updated with
    /// progress").
    McSpiP50,
    /// 80th percentile finish of the scaled simulation.
    McSpiP80,
    /// Median finish when the remaining work (risk ranges and planned durations) is scaled by the
    /// median actual / planned duration of the activities already finished at the period
    /// ([`DslibNetwork::finished_duration_ratio`](super::network::DslibNetwork::finished_duration_ratio)),
    /// clamped to `0.5..=2` ([`RATIO_CLAMP`]); unscaled while nothing is finished.
    McRatioP50,
    /// 80th percentile finish of the ratio-scaled simulation.
    McRatioP80,
    /// ES PF=1 and MC P80 blended by progress:
    /// [`blend_finish`]`(ES PF=1, MC P80, EV / BAC, `[`BlendRule::Linear`]`)`.
    BlendLinear,
    /// The same blend with [`BlendRule::Quadratic`] (earned schedule weighted longer).
    BlendQuadratic,
}

impl CombinedMethod {
    /// Every method, in report order.
    pub const ALL: [CombinedMethod; COMBINED] = [
        CombinedMethod::Cpm,
        CombinedMethod::McP50,
        CombinedMethod::McP80,
        CombinedMethod::McSpiP50,
        CombinedMethod::McSpiP80,
        CombinedMethod::McRatioP50,
        CombinedMethod::McRatioP80,
        CombinedMethod::BlendLinear,
        CombinedMethod::BlendQuadratic,
    ];

    /// Short label for reports.
    pub fn label(self) -> &'static str {
        match self {
            CombinedMethod::Cpm => "CPM (no risk)",
            CombinedMethod::McP50 => "MC P50",
            CombinedMethod::McP80 => "MC P80",
            CombinedMethod::McSpiP50 => "MC P50 x1/SPI(t)",
            CombinedMethod::McSpiP80 => "MC P80 x1/SPI(t)",
            CombinedMethod::McRatioP50 => "MC P50 x done ratio",
            CombinedMethod::McRatioP80 => "MC P80 x done ratio",
            CombinedMethod::BlendLinear => "blend ES/MC P80 w=p",
            CombinedMethod::BlendQuadratic => "blend ES/MC P80 w=p^2",
        }
    }
}

/// How the combined forecast runs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CombinedOptions {
    /// Monte Carlo iterations per tracking period and variant; 0 leaves the Monte Carlo methods
    /// out (the network check and the CPM forecast still run).
    pub iterations: u32,
    /// Seed of every simulation.
    pub seed: u64,
    /// Bounds of the "updated with progress" factor 1/SPI(t): it is clamped to
    /// `1/max_factor..=max_factor`.
    pub max_factor: f64,
}

impl Default for CombinedOptions {
    /// 1,000 iterations, seed 1, factor within 0.2..=5.
    fn default() -> Self {
        CombinedOptions { iterations: 1000, seed: 1, max_factor: 5.0 }
    }
}

/// The schedule network of a workbook without progress against its baseline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NetworkCheck {
    /// Tasks (baseline rows, summaries included) and links of the network.
    pub tasks: usize,
    /// Links.
    pub links: usize,
    /// The engine's project finish without progress, each activity held at or after its baseline
    /// start (the network the combined forecast runs on).
    pub computed_finish: Option<NaiveDateTime>,
    /// The engine's project finish on the logic alone (no start held).
    pub logic_finish: Option<NaiveDateTime>,
    /// Logic-only minus baseline finish, in days of the time basis.
    pub logic_difference_days: Option<f64>,
    /// Links left out of the network (an activity linked to itself or to its own summary).
    pub dropped_links: usize,
    /// The workbook's baseline project finish (latest baseline finish of the leaf activities).
    pub baseline_finish: Option<NaiveDateTime>,
    /// Computed minus baseline finish, in days of the time basis.
    pub difference_days: Option<f64>,
    /// Why the network could not be built or computed.
    pub error: Option<String>,
}

impl NetworkCheck {
    /// Whether the computed finish is the baseline finish (to the minute).
    pub fn agrees(&self) -> bool {
        self.computed_finish.is_some() && self.computed_finish == self.baseline_finish
    }

    /// Whether the logic-only finish is the baseline finish (to the minute).
    pub fn logic_agrees(&self) -> bool {
        self.logic_finish.is_some() && self.logic_finish == self.baseline_finish
    }
}

/// The check of one workbook.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProjectCheck {
    /// Project name.
    pub name: String,
    /// Leaf activities analysed.
    pub activities: usize,
    /// Tracking periods.
    pub periods: usize,
    /// Unit of the time figures.
    pub time_unit: &'static str,
    /// Agreement per field with `Tracking Overview` (empty when the workbook has none).
    pub fields: Vec<FieldAgreement>,
    /// The schedule network without progress against the baseline finish.
    pub network: NetworkCheck,
    /// Forecast errors, when the last period shows the project finished.
    pub accuracy: Option<Accuracy>,
}

impl ProjectCheck {
    /// Values compared and matched over every field.
    pub fn totals(&self) -> (usize, usize) {
        self.fields.iter().fold((0, 0), |(c, m), f| (c + f.compared, m + f.matched))
    }
}

struct Field {
    name: String,
    kind: Kind,
    compared: usize,
    matched: usize,
    worst: Option<(f64, Worst)>,
}

#[derive(Clone, Copy)]
enum Kind {
    Money,
    Index,
    Time,
    /// A time forecast: within the time tolerance or the relative one (a forecast divides ES,
    /// known to the hour, by SPI(t), so its rounding grows with the ratio).
    Forecast,
}

impl Field {
    fn new(name: impl Into<String>, kind: Kind) -> Self {
        Field { name: name.into(), kind, compared: 0, matched: 0, worst: None }
    }

    fn add(
        &mut self,
        period: &str,
        stored: Option<f64>,
        computed: Option<f64>,
        tol: &Tolerance,
        scale: f64,
        day_hours: f64,
    ) {
        let Some(stored) = stored else { return };
        self.compared += 1;
        let computed_v = computed.unwrap_or(f64::NAN);
        let diff = (stored - computed_v).abs();
        let (ok, badness) = match self.kind {
            Kind::Money => {
                let allowed = tol.money_rel * stored.abs().max(1e-6 * scale);
                (diff <= allowed, diff / stored.abs().max(1e-6 * scale))
            }
            Kind::Index => (diff <= tol.index_abs + 1e-9, diff),
            Kind::Time => (diff * day_hours <= tol.time_hours + 1e-6, diff),
            Kind::Forecast => (diff * day_hours <= tol.time_hours + 1e-6 || diff <= tol.money_rel * stored.abs(), diff),
        };
        if ok {
            self.matched += 1;
        } else {
            let badness = if badness.is_nan() { f64::INFINITY } else { badness };
            if self.worst.as_ref().is_none_or(|(b, _)| badness > *b) {
                self.worst = Some((badness, Worst { period: period.to_string(), stored, computed: computed_v }));
            }
        }
    }
}

/// MAPE over the periods whose progress falls in `band`.
fn band_mape(
    values: impl Iterator<Item = Option<f64>>,
    progress: &[f64],
    band: ProgressBand,
    real: f64,
) -> Option<f64> {
    mape(values.zip(progress).filter(|(_, p)| progress_band(**p) == band).map(|(v, _)| v), real)
}

fn mape(pairs: impl Iterator<Item = Option<f64>>, real: f64) -> Option<f64> {
    let (mut sum, mut n) = (0.0, 0usize);
    for f in pairs.flatten() {
        sum += (f - real).abs() / real.abs();
        n += 1;
    }
    (n > 0 && real != 0.0).then(|| 100.0 * sum / n as f64)
}

/// [`check_with`] without the Monte Carlo methods (the network check and the CPM forecast only).
///
/// # Errors
/// [`ImportError`] when the workbook's activities or progress cannot be analysed.
pub fn check(
    file_name: &str,
    project: &DslibProject,
    time_basis: TimeBasis,
    tol: &Tolerance,
) -> Result<ProjectCheck, ImportError> {
    check_with(file_name, project, time_basis, tol, &CombinedOptions { iterations: 0, ..CombinedOptions::default() })
}

/// Recomputes the workbook on `time_basis`, compares with its `Tracking Overview`, checks its
/// schedule network against the baseline finish and, for a finished project, measures every
/// method's forecast error, the combined (network) forecasts included.
///
/// Overview rows are matched to tracking sheets by status date. Stored dates are placed on the
/// same time basis as the computed figures. A network that cannot be built or simulated is
/// reported in [`NetworkCheck::error`] or [`Accuracy::combined_error`], not as an error.
///
/// # Errors
/// [`ImportError`] when the workbook's activities or progress cannot be analysed.
pub fn check_with(
    file_name: &str,
    project: &DslibProject,
    time_basis: TimeBasis,
    tol: &Tolerance,
    combined: &CombinedOptions,
) -> Result<ProjectCheck, ImportError> {
    let input = project.evm_input(file_name, time_basis)?;
    let report = evaluate(&input).map_err(|e| ImportError::file(file_name, format!("earned value: {e}")))?;
    let day_hours = match &report.time_basis {
        TimeBasis::WorkingDays(c) => f64::from(c.day_minutes()) / 60.0,
        TimeBasis::CalendarDays => 24.0,
    };
    let by_date: HashMap<_, &OverviewRow> =
        project.overview.iter().filter_map(|r| r.status_date.map(|d| (d, r))).collect();
    let mut fields = vec![
        Field::new("PV", Kind::Money),
        Field::new("EV", Kind::Money),
        Field::new("AC", Kind::Money),
        Field::new("ES", Kind::Time),
        Field::new("SPI", Kind::Index),
        Field::new("CPI", Kind::Index),
        Field::new("SPI(t)", Kind::Index),
        Field::new("p-factor", Kind::Index),
    ];
    fields.extend(TimeMethod::ALL.iter().map(|m| Field::new(format!("EAC(t) {}", m.label()), Kind::Forecast)));
    fields.extend(CostMethod::ALL.iter().map(|m| Field::new(m.label(), Kind::Money)));
    let pos = |d: Option<chrono::NaiveDateTime>| d.map(|d| report.time_basis.position(report.project_start, d));
    let scale = report.bac;
    for (period, m) in project.periods.iter().zip(&report.periods) {
        let Some(row) = by_date.get(&period.status_date) else { continue };
        let name = if row.name.is_empty() { period.name.as_str() } else { row.name.as_str() };
        let mut add = |i: usize, s: Option<f64>, c: Option<f64>| fields[i].add(name, s, c, tol, scale, day_hours);
        add(0, row.pv, Some(m.pv));
        add(1, row.ev, Some(m.ev));
        add(2, row.ac, m.ac);
        add(3, pos(row.es), Some(m.es));
        add(4, row.spi, m.spi);
        add(5, row.cpi, m.cpi);
        add(6, row.spi_t, m.spi_t);
        add(7, row.p_factor, m.p_factor);
        for (k, method) in TimeMethod::ALL.iter().enumerate() {
            add(8 + k, pos(row.time_forecasts[k]), m.time_forecast(*method));
        }
        for (k, method) in CostMethod::ALL.iter().enumerate() {
            add(17 + k, row.cost_forecasts[k], m.cost_forecast(*method));
        }
    }
    let mut accuracy = if project.finished() { accuracy(project, &report, &by_date) } else { None };
    if let Some(a) = &mut accuracy {
        combined_accuracy(file_name, project, &report, combined, a);
    }
    let network = network_check(file_name, project, &report);
    Ok(ProjectCheck {
        name: project.name.clone(),
        activities: input.activities.len(),
        periods: report.periods.len(),
        time_unit: report.time_basis.unit(),
        network,
        fields: if project.overview.is_empty() {
            Vec::new()
        } else {
            fields
                .into_iter()
                .map(|f| FieldAgreement {
                    field: f.name,
                    compared: f.compared,
                    matched: f.matched,
                    worst: f.worst.map(|w| w.1),
                })
                .collect()
        },
        accuracy,
    })
}

fn accuracy(
    project: &DslibProject,
    report: &EvmReport,
    by_date: &HashMap<chrono::NaiveDateTime, &OverviewRow>,
) -> Option<Accuracy> {
    let last: &PeriodMetrics = report.periods.last()?;
    let (real_duration, real_cost) = (last.at, last.ac?);
    // A single period (the finished state alone) forecasts nothing.
    if report.periods.len() < 2 || real_duration <= 0.0 || real_cost <= 0.0 {
        return None;
    }
    let ps = &report.periods;
    let time_mape = TimeMethod::ALL.map(|m| mape(ps.iter().map(|p| p.time_forecast(m)), real_duration));
    let cost_mape = CostMethod::ALL.map(|m| mape(ps.iter().map(|p| p.cost_forecast(m)), real_cost));
    let rows: Vec<&OverviewRow> = project.periods.iter().filter_map(|p| by_date.get(&p.status_date).copied()).collect();
    let pos = |d: chrono::NaiveDateTime| report.time_basis.position(report.project_start, d);
    let stored_time_mape: [Option<f64>; 9] =
        std::array::from_fn(|k| mape(rows.iter().map(|r| r.time_forecasts[k].map(pos)), real_duration));
    let stored_cost_mape: [Option<f64>; 8] =
        std::array::from_fn(|k| mape(rows.iter().map(|r| r.cost_forecasts[k]), real_cost));
    let progress: Vec<f64> =
        ps.iter().map(|p| if report.bac > 0.0 { (p.ev / report.bac).clamp(0.0, 1.0) } else { 0.0 }).collect();
    let time_band_mape = TimeMethod::ALL.map(|m| {
        ProgressBand::ALL.map(|b| band_mape(ps.iter().map(|p| p.time_forecast(m)), &progress, b, real_duration))
    });
    Some(Accuracy {
        real_duration,
        real_cost,
        periods: ps.len(),
        time_mape,
        cost_mape,
        stored_time_mape,
        stored_cost_mape,
        combined_mape: [None; COMBINED],
        combined_forecasts: Vec::new(),
        combined_error: None,
        progress,
        time_band_mape,
        combined_band_mape: [[None; 3]; COMBINED],
    })
}

fn network_check(file_name: &str, project: &DslibProject, report: &EvmReport) -> NetworkCheck {
    let mut out = NetworkCheck {
        tasks: 0,
        links: 0,
        computed_finish: None,
        logic_finish: None,
        logic_difference_days: None,
        dropped_links: 0,
        baseline_finish: None,
        difference_days: None,
        error: None,
    };
    let pos = |d: NaiveDateTime| report.time_basis.position(report.project_start, d);
    for hold in [false, true] {
        let net = match project.network(file_name, None, hold) {
            Ok(n) => n,
            Err(e) => {
                out.error = Some(e.to_string());
                return out;
            }
        };
        out.tasks = net.schedule.tasks.len();
        out.links = net.schedule.links.len();
        out.dropped_links = net.dropped_links.len();
        out.baseline_finish = net.baseline_finish;
        match schedule(&net.schedule) {
            Ok(r) => {
                let diff = net.baseline_finish.map(|b| pos(r.finish) - pos(b));
                if hold {
                    (out.computed_finish, out.difference_days) = (Some(r.finish), diff);
                } else {
                    (out.logic_finish, out.logic_difference_days) = (Some(r.finish), diff);
                }
            }
            Err(e) => {
                out.error = Some(format!("{file_name}: schedule: {e}"));
                return out;
            }
        }
    }
    out
}

/// Fills the combined forecasts and their MAPE into `acc`.
fn combined_accuracy(
    file_name: &str,
    project: &DslibProject,
    report: &EvmReport,
    opts: &CombinedOptions,
    acc: &mut Accuracy,
) {
    let pos = |d: NaiveDateTime| report.time_basis.position(report.project_start, d);
    let max_factor = if opts.max_factor.is_finite() && opts.max_factor >= 1.0 { opts.max_factor } else { 1.0 };
    let mut first_error = None;
    let mut note = |e: String| {
        if first_error.is_none() {
            first_error = Some(e);
        }
    };
    for (k, m) in report.periods.iter().enumerate() {
        let mut row = [None; COMBINED];
        match project.network(file_name, Some(k), true) {
            Err(e) => note(e.to_string()),
            Ok(net) => {
                match schedule(&net.schedule) {
                    Ok(r) => row[0] = Some(pos(r.finish)),
                    Err(e) => note(format!("{file_name}: period {}: schedule: {e}", k + 1)),
                }
                if opts.iterations > 0 {
                    let factor = m
                        .spi_t
                        .filter(|s| s.is_finite() && *s > 0.0)
                        .map_or(1.0, |s| (1.0 / s).clamp(1.0 / max_factor, max_factor));
                    let ratio = net.finished_duration_ratio().map_or(1.0, |r| r.clamp(1.0 / RATIO_CLAMP, RATIO_CLAMP));
                    for (slot, f) in [(1, 1.0), (3, factor), (5, ratio)] {
                        let input = McInput {
                            estimates: net.estimates(f),
                            default_range: None,
                            iterations: opts.iterations,
                            seed: opts.seed,
                            histogram_bins: 1,
                            ..McInput::default()
                        };
                        match simulate(&net.schedule, &input) {
                            Ok(r) => {
                                row[slot] = Some(pos(r.finish.p50));
                                row[slot + 1] = Some(pos(r.finish.p80));
                            }
                            Err(e) => note(format!("{file_name}: period {}: Monte Carlo: {e}", k + 1)),
                        }
                    }
                }
            }
        }
        let es = m.time_forecast(TimeMethod::EsPf1);
        let p = acc.progress.get(k).copied().unwrap_or(0.0);
        for (slot, rule) in [(7, BlendRule::Linear), (8, BlendRule::Quadratic)] {
            row[slot] = match (es, row[2]) {
                (Some(e), Some(n)) => Some(blend_finish(e, n, p, rule)).filter(|b| b.is_finite()),
                _ => None,
            };
        }
        acc.combined_forecasts.push(row);
    }
    acc.combined_mape = std::array::from_fn(|j| mape(acc.combined_forecasts.iter().map(|r| r[j]), acc.real_duration));
    acc.combined_band_mape = std::array::from_fn(|j| {
        ProgressBand::ALL
            .map(|b| band_mape(acc.combined_forecasts.iter().map(|r| r[j]), &acc.progress, b, acc.real_duration))
    });
    acc.combined_error = first_error;
}

/// The median of the values present (the mean of the middle two for an even count).
pub fn median(values: impl IntoIterator<Item = Option<f64>>) -> Option<f64> {
    let mut v: Vec<f64> = values.into_iter().flatten().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Some(if n % 2 == 1 { v[n / 2] } else { (v[n / 2 - 1] + v[n / 2]) / 2.0 })
}
