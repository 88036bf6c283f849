//! The leading indicators a prediction reads, their validation and their documented scales.

use keel_domain::Rag;
use serde::{Deserialize, Serialize};

use super::{Margin, Outcome, PredictError};

/// One observed indicator value and where it came from.
///
/// `source` is opaque to the engine: the caller passes a reference the app can link (for example
/// `"schedule_version:12"`, `"status_report:2026-05-31"` or `"risk:0190…"`), and it comes back
/// unchanged on the factor the value produced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Observation {
    /// The value, in the unit [`IndicatorKind::unit`] names.
    pub value: f64,
    /// Opaque reference to the record the value came from.
    pub source: String,
}

impl Observation {
    /// An observation of `value` taken from `source`.
    ///
    /// ```
    /// use keel_engine::forecast::predict::Observation;
    /// let o = Observation::new(0.92, "evm:period:7");
    /// assert_eq!(o.source, "evm:period:7");
    /// ```
    pub fn new(value: f64, source: impl Into<String>) -> Self {
        Self { value, source: source.into() }
    }
}

/// The leading indicators of one project at one moment. Every field is optional: a project that
/// lacks the data leaves it `None`, it then contributes nothing and is listed as missing.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Indicators {
    /// Schedule performance index on time, SPI(t) = ES / AT (> 0; 1 is on plan).
    pub spi_t: Option<Observation>,
    /// Slope of SPI(t) per reporting period over the recent periods (see [`super::trend_slope`]).
    pub spi_t_trend: Option<Observation>,
    /// Cost performance index, CPI = EV / AC (> 0; 1 is on budget).
    pub cpi: Option<Observation>,
    /// Slope of CPI per reporting period over the recent periods.
    pub cpi_trend: Option<Observation>,
    /// Loss of critical-path total float since the baseline or the last period, in days
    /// (negative: float was gained). Same day unit as the baseline duration.
    pub float_erosion_days: Option<Observation>,
    /// Share of the critical tasks that changed since the previous schedule version, in [0, 1].
    pub critical_path_churn: Option<Observation>,
    /// P80 finish (Monte Carlo) minus the baseline finish, in days (negative: ahead).
    pub p80_slip_days: Option<Observation>,
    /// Milestones past their expected date without an actual date (count, >= 0).
    pub overdue_milestones: Option<Observation>,
    /// Days since the period end of the latest status report (>= 0).
    pub report_staleness_days: Option<Observation>,
    /// Weighted share of red and amber in the recent status reports, red 1 and amber 0.5, in
    /// [0, 1] (see [`super::rag_share`]).
    pub rag_history: Option<Observation>,
    /// Open risks scoring high (count, >= 0).
    pub open_high_risks: Option<Observation>,
    /// Mean age of the open issues, in days (>= 0).
    pub open_issue_age_days: Option<Observation>,
    /// Growth of the task count since the baseline, as a fraction (0.2 = 20% more tasks; >= -1).
    pub task_count_growth: Option<Observation>,
    /// Growth of the approved budget since the baseline, as a fraction (>= -1).
    pub budget_growth: Option<Observation>,
    /// Percent complete at the moment of the prediction, in [0, 1]: the stage of the project.
    pub percent_complete: Option<Observation>,
}

/// Which indicator a value, weight or factor is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IndicatorKind {
    /// [`Indicators::spi_t`].
    SpiT,
    /// [`Indicators::spi_t_trend`].
    SpiTTrend,
    /// [`Indicators::cpi`].
    Cpi,
    /// [`Indicators::cpi_trend`].
    CpiTrend,
    /// [`Indicators::float_erosion_days`].
    FloatErosion,
    /// [`Indicators::critical_path_churn`].
    CriticalPathChurn,
    /// [`Indicators::p80_slip_days`].
    P80Slip,
    /// [`Indicators::overdue_milestones`].
    OverdueMilestones,
    /// [`Indicators::report_staleness_days`].
    ReportStaleness,
    /// [`Indicators::rag_history`].
    RagHistory,
    /// [`Indicators::open_high_risks`].
    OpenHighRisks,
    /// [`Indicators::open_issue_age_days`].
    OpenIssueAge,
    /// [`Indicators::task_count_growth`].
    TaskCountGrowth,
    /// [`Indicators::budget_growth`].
    BudgetGrowth,
    /// [`Indicators::percent_complete`].
    PercentComplete,
}

impl IndicatorKind {
    /// Every indicator, in the order of the documented weight table.
    pub const ALL: [IndicatorKind; 15] = [
        IndicatorKind::SpiT,
        IndicatorKind::SpiTTrend,
        IndicatorKind::Cpi,
        IndicatorKind::CpiTrend,
        IndicatorKind::FloatErosion,
        IndicatorKind::CriticalPathChurn,
        IndicatorKind::P80Slip,
        IndicatorKind::OverdueMilestones,
        IndicatorKind::ReportStaleness,
        IndicatorKind::RagHistory,
        IndicatorKind::OpenHighRisks,
        IndicatorKind::OpenIssueAge,
        IndicatorKind::TaskCountGrowth,
        IndicatorKind::BudgetGrowth,
        IndicatorKind::PercentComplete,
    ];

    /// The field name in [`Indicators`] (also the serialised name of the kind).
    pub fn key(self) -> &'static str {
        match self {
            IndicatorKind::SpiT => "spi_t",
            IndicatorKind::SpiTTrend => "spi_t_trend",
            IndicatorKind::Cpi => "cpi",
            IndicatorKind::CpiTrend => "cpi_trend",
            IndicatorKind::FloatErosion => "float_erosion",
            IndicatorKind::CriticalPathChurn => "critical_path_churn",
            IndicatorKind::P80Slip => "p80_slip",
            IndicatorKind::OverdueMilestones => "overdue_milestones",
            IndicatorKind::ReportStaleness => "report_staleness",
            IndicatorKind::RagHistory => "rag_history",
            IndicatorKind::OpenHighRisks => "open_high_risks",
            IndicatorKind::OpenIssueAge => "open_issue_age",
            IndicatorKind::TaskCountGrowth => "task_count_growth",
            IndicatorKind::BudgetGrowth => "budget_growth",
            IndicatorKind::PercentComplete => "percent_complete",
        }
    }

    /// A short human label.
    pub fn label(self) -> &'static str {
        match self {
            IndicatorKind::SpiT => "SPI(t)",
            IndicatorKind::SpiTTrend => "SPI(t) trend",
            IndicatorKind::Cpi => "CPI",
            IndicatorKind::CpiTrend => "CPI trend",
            IndicatorKind::FloatErosion => "Float erosion",
            IndicatorKind::CriticalPathChurn => "Critical-path churn",
            IndicatorKind::P80Slip => "P80 slip",
            IndicatorKind::OverdueMilestones => "Overdue milestones",
            IndicatorKind::ReportStaleness => "Status report staleness",
            IndicatorKind::RagHistory => "RAG history",
            IndicatorKind::OpenHighRisks => "Open high risks",
            IndicatorKind::OpenIssueAge => "Age of open issues",
            IndicatorKind::TaskCountGrowth => "Scope growth (tasks)",
            IndicatorKind::BudgetGrowth => "Budget growth",
            IndicatorKind::PercentComplete => "Percent complete",
        }
    }

    /// The unit of the raw value.
    pub fn unit(self) -> &'static str {
        match self {
            IndicatorKind::SpiT | IndicatorKind::Cpi => "index",
            IndicatorKind::SpiTTrend | IndicatorKind::CpiTrend => "index per period",
            IndicatorKind::FloatErosion | IndicatorKind::P80Slip => "days",
            IndicatorKind::ReportStaleness | IndicatorKind::OpenIssueAge => "days",
            IndicatorKind::OverdueMilestones | IndicatorKind::OpenHighRisks => "count",
            IndicatorKind::CriticalPathChurn | IndicatorKind::RagHistory | IndicatorKind::PercentComplete => {
                "share (0-1)"
            }
            IndicatorKind::TaskCountGrowth | IndicatorKind::BudgetGrowth => "fraction",
        }
    }
}

impl Indicators {
    /// The observation of one indicator, if present.
    ///
    /// ```
    /// use keel_engine::forecast::predict::{IndicatorKind, Indicators, Observation};
    /// let mut i = Indicators::default();
    /// i.set(IndicatorKind::Cpi, Some(Observation::new(0.9, "evm:3")));
    /// assert_eq!(i.get(IndicatorKind::Cpi).map(|o| o.value), Some(0.9));
    /// assert!(i.get(IndicatorKind::SpiT).is_none());
    /// ```
    pub fn get(&self, kind: IndicatorKind) -> Option<&Observation> {
        match kind {
            IndicatorKind::SpiT => self.spi_t.as_ref(),
            IndicatorKind::SpiTTrend => self.spi_t_trend.as_ref(),
            IndicatorKind::Cpi => self.cpi.as_ref(),
            IndicatorKind::CpiTrend => self.cpi_trend.as_ref(),
            IndicatorKind::FloatErosion => self.float_erosion_days.as_ref(),
            IndicatorKind::CriticalPathChurn => self.critical_path_churn.as_ref(),
            IndicatorKind::P80Slip => self.p80_slip_days.as_ref(),
            IndicatorKind::OverdueMilestones => self.overdue_milestones.as_ref(),
            IndicatorKind::ReportStaleness => self.report_staleness_days.as_ref(),
            IndicatorKind::RagHistory => self.rag_history.as_ref(),
            IndicatorKind::OpenHighRisks => self.open_high_risks.as_ref(),
            IndicatorKind::OpenIssueAge => self.open_issue_age_days.as_ref(),
            IndicatorKind::TaskCountGrowth => self.task_count_growth.as_ref(),
            IndicatorKind::BudgetGrowth => self.budget_growth.as_ref(),
            IndicatorKind::PercentComplete => self.percent_complete.as_ref(),
        }
    }

    /// Sets (or clears, with `None`) one indicator.
    pub fn set(&mut self, kind: IndicatorKind, value: Option<Observation>) {
        let slot = match kind {
            IndicatorKind::SpiT => &mut self.spi_t,
            IndicatorKind::SpiTTrend => &mut self.spi_t_trend,
            IndicatorKind::Cpi => &mut self.cpi,
            IndicatorKind::CpiTrend => &mut self.cpi_trend,
            IndicatorKind::FloatErosion => &mut self.float_erosion_days,
            IndicatorKind::CriticalPathChurn => &mut self.critical_path_churn,
            IndicatorKind::P80Slip => &mut self.p80_slip_days,
            IndicatorKind::OverdueMilestones => &mut self.overdue_milestones,
            IndicatorKind::ReportStaleness => &mut self.report_staleness_days,
            IndicatorKind::RagHistory => &mut self.rag_history,
            IndicatorKind::OpenHighRisks => &mut self.open_high_risks,
            IndicatorKind::OpenIssueAge => &mut self.open_issue_age_days,
            IndicatorKind::TaskCountGrowth => &mut self.task_count_growth,
            IndicatorKind::BudgetGrowth => &mut self.budget_growth,
            IndicatorKind::PercentComplete => &mut self.percent_complete,
        };
        *slot = value;
    }

    /// Checks every present value against its indicator's domain.
    ///
    /// # Errors
    /// [`PredictError::InvalidIndicator`] naming the first indicator whose value is not finite or
    /// is outside its domain (SPI(t) and CPI > 0; shares in [0, 1]; counts, ages and staleness
    /// >= 0; growth >= -1).
    pub fn validate(&self) -> Result<(), PredictError> {
        for kind in IndicatorKind::ALL {
            let Some(o) = self.get(kind) else { continue };
            let v = o.value;
            let reason = if !v.is_finite() {
                Some("must be a finite number")
            } else {
                match kind {
                    // 0 is real: time has passed (or money was spent) and nothing is earned yet.
                    IndicatorKind::SpiT | IndicatorKind::Cpi if v < 0.0 => Some("must not be negative"),
                    IndicatorKind::CriticalPathChurn | IndicatorKind::RagHistory | IndicatorKind::PercentComplete
                        if !(0.0..=1.0).contains(&v) =>
                    {
                        Some("must be between 0 and 1")
                    }
                    IndicatorKind::OverdueMilestones
                    | IndicatorKind::ReportStaleness
                    | IndicatorKind::OpenHighRisks
                    | IndicatorKind::OpenIssueAge
                        if v < 0.0 =>
                    {
                        Some("must not be negative")
                    }
                    IndicatorKind::TaskCountGrowth | IndicatorKind::BudgetGrowth if v < -1.0 => {
                        Some("must be at least -1 (a fraction of the baseline)")
                    }
                    _ => None,
                }
            };
            if let Some(reason) = reason {
                return Err(PredictError::InvalidIndicator { indicator: kind, value: v, reason });
            }
        }
        Ok(())
    }
}

/// The weighted share of red (1) and amber (0.5) among `reports`, the value
/// [`Indicators::rag_history`] expects; `None` for no reports. Pass the recent reports only (the
/// documented default is the last six).
///
/// Complexity: O(n).
///
/// ```
/// use keel_domain::Rag;
/// use keel_engine::forecast::predict::rag_share;
/// assert_eq!(rag_share(&[Rag::Red, Rag::Amber, Rag::Green, Rag::Green]), Some(0.375));
/// assert_eq!(rag_share(&[]), None);
/// ```
pub fn rag_share(reports: &[Rag]) -> Option<f64> {
    if reports.is_empty() {
        return None;
    }
    let total: f64 = reports
        .iter()
        .map(|r| match r {
            Rag::Red => 1.0,
            Rag::Amber => 0.5,
            Rag::Green => 0.0,
        })
        .sum();
    Some(total / reports.len() as f64)
}

/// Least-squares slope of `values` per step (values one reporting period apart, oldest first),
/// the value the trend indicators expect; `None` with fewer than two values or a non-finite one.
///
/// Complexity: O(n).
///
/// ```
/// use keel_engine::forecast::predict::trend_slope;
/// let s = trend_slope(&[1.0, 0.95, 0.9]).unwrap();
/// assert!((s + 0.05).abs() < 1e-12);
/// assert_eq!(trend_slope(&[1.0]), None);
/// ```
pub fn trend_slope(values: &[f64]) -> Option<f64> {
    if values.len() < 2 || values.iter().any(|v| !v.is_finite()) {
        return None;
    }
    let n = values.len() as f64;
    let mean_x = (n - 1.0) / 2.0;
    let mean_y = values.iter().sum::<f64>() / n;
    let (mut sxy, mut sxx) = (0.0, 0.0);
    for (i, y) in values.iter().enumerate() {
        let dx = i as f64 - mean_x;
        sxy += dx * (y - mean_y);
        sxx += dx * dx;
    }
    Some(sxy / sxx)
}

/// What the transforms need besides the value: the margin and the baseline duration.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Scale {
    pub margin: Margin,
    pub baseline_duration_days: f64,
}

/// The documented scale of each indicator (docs/delivery-risk.md, "Scales"): the raw value
/// mapped so that 0 is "on plan", larger is worse, and extreme values are capped. Every transform
/// is non-decreasing in how bad the raw value is. `_outcome` is part of the signature so a scale
/// could differ by outcome; today none does.
pub(crate) fn transform(kind: IndicatorKind, value: f64, scale: Scale, _outcome: Outcome) -> f64 {
    let d = scale.baseline_duration_days;
    match kind {
        // Projected overrun of the finish at the current pace (ln of 1/SPI(t)) beyond the finish
        // margin, in log units: 0 when the pace lands exactly on the margin.
        IndicatorKind::SpiT => (-value.ln() - scale.margin.finish.ln_1p()).clamp(-0.5, 1.0),
        // The same for cost against the budget margin.
        IndicatorKind::Cpi => (-value.ln() - scale.margin.budget.ln_1p()).clamp(-0.5, 1.0),
        // A falling index is the risk: minus the slope, capped at 0.2 a period either way.
        IndicatorKind::SpiTTrend | IndicatorKind::CpiTrend => (-value).clamp(-0.2, 0.2),
        // Days of float lost as a share of the baseline duration.
        IndicatorKind::FloatErosion => (value / d).clamp(-0.25, 0.5),
        IndicatorKind::CriticalPathChurn | IndicatorKind::RagHistory | IndicatorKind::PercentComplete => value,
        // P80 slip as a share of the baseline duration beyond the finish margin.
        IndicatorKind::P80Slip => (value / d - scale.margin.finish).clamp(-0.5, 1.0),
        // Counts: diminishing returns.
        IndicatorKind::OverdueMilestones | IndicatorKind::OpenHighRisks => value.ln_1p(),
        // Months since the last report, capped at four.
        IndicatorKind::ReportStaleness => value.min(120.0) / 30.0,
        // Mean issue age in months, capped at six.
        IndicatorKind::OpenIssueAge => value.min(180.0) / 30.0,
        IndicatorKind::TaskCountGrowth | IndicatorKind::BudgetGrowth => value.clamp(-0.5, 1.0),
    }
}

/// Words for a raw value, for the factor list.
pub(crate) fn describe(kind: IndicatorKind, value: f64, scale: Scale) -> String {
    let pct = |x: f64| format!("{:.0}%", x * 100.0);
    match kind {
        IndicatorKind::SpiT if value == 0.0 => "SPI(t) 0.00: work was planned by now and none is earned yet".to_owned(),
        IndicatorKind::Cpi if value == 0.0 => "CPI 0.00: money is spent and nothing is earned yet".to_owned(),
        IndicatorKind::SpiT => {
            let over = 1.0 / value - 1.0;
            let way = if over >= 0.0 { "late" } else { "early" };
            format!("SPI(t) {value:.2}: at this pace the finish lands {} {way}", pct(over.abs()))
        }
        IndicatorKind::Cpi => {
            let over = 1.0 / value - 1.0;
            let way = if over >= 0.0 { "over" } else { "under" };
            format!("CPI {value:.2}: at this efficiency the cost ends {} {way} budget", pct(over.abs()))
        }
        IndicatorKind::SpiTTrend | IndicatorKind::CpiTrend => {
            let way = if value < 0.0 {
                "falling"
            } else if value > 0.0 {
                "rising"
            } else {
                "flat"
            };
            format!("{} {way} ({value:+.3} a period)", kind.label())
        }
        IndicatorKind::FloatErosion => {
            let way = if value >= 0.0 { "lost" } else { "gained" };
            format!(
                "{:.0} days of critical-path float {way} ({} of the baseline duration)",
                value.abs(),
                pct((value / scale.baseline_duration_days).abs())
            )
        }
        IndicatorKind::CriticalPathChurn => {
            format!("{} of the critical tasks changed since the last version", pct(value))
        }
        IndicatorKind::P80Slip => {
            let way = if value >= 0.0 { "after" } else { "before" };
            format!(
                "P80 finish {:.0} days {way} the baseline finish ({} of the duration; margin {})",
                value.abs(),
                pct((value / scale.baseline_duration_days).abs()),
                pct(scale.margin.finish)
            )
        }
        IndicatorKind::OverdueMilestones => format!("{value:.0} overdue milestone(s)"),
        IndicatorKind::ReportStaleness => format!("last status report {value:.0} days old"),
        IndicatorKind::RagHistory => format!("recent reports {} red/amber (red 1, amber 0.5)", pct(value)),
        IndicatorKind::OpenHighRisks => format!("{value:.0} open high risk(s)"),
        IndicatorKind::OpenIssueAge => format!("open issues {value:.0} days old on average"),
        IndicatorKind::TaskCountGrowth => format!("task count {} since the baseline", signed_pct(value)),
        IndicatorKind::BudgetGrowth => format!("budget {} since the baseline", signed_pct(value)),
        IndicatorKind::PercentComplete => format!("{} complete", pct(value)),
    }
}

fn signed_pct(x: f64) -> String {
    format!("{:+.0}%", x * 100.0)
}
