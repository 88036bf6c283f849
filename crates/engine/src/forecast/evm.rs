//! Earned value and earned schedule: time-phased PV, EV and AC from a baseline and progress, the
//! performance indices (SPI, CPI, SPI(t), p-factor), and the time and cost forecasts ProTrack reports
//! (PV, ED and ES methods; EAC with the standard performance factors; TCPI).
//!
//! Inputs are plain: activities with baseline dates and budgets, and per status date each
//! activity's percent complete, actual cost and actual dates. Time is counted on an explicit
//! [`TimeBasis`] (calendar days, or working days on a [`WorkCalendar`] as ProTrack counts).
//! Conventions, formulas and the checks against ProTrack are in `docs/evm.md`.
//!
//! Planned value accrues linearly over an activity's baseline span in the time basis, except a fixed
//! cost, which falls due when the activity starts; earned value is the fixed cost (once started) plus
//! percent complete of the rest. Both are what ProTrack stores (checked on every DSLIB workbook).

mod curve;
mod model;
mod time;

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

pub use curve::{CurveKnot, PvCurve};
pub use model::ScheduleEvm;
pub use time::{TimeBasis, WorkCalendar};

/// Why an earned-value analysis could not be made. Names the activity, period and field.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EvmError {
    /// No activities.
    #[error("no activities: earned value needs a baseline with at least one activity")]
    NoActivities,
    /// A baseline finish before its start.
    #[error("activity {id}: baseline finish {finish} is before baseline start {start}")]
    FinishBeforeStart {
        /// Activity id.
        id: String,
        /// Baseline start.
        start: NaiveDateTime,
        /// Baseline finish.
        finish: NaiveDateTime,
    },
    /// An amount that is negative, not finite, or a fixed cost above the budget.
    #[error("activity {id}: {field} must be a finite amount from 0 to the budget, got {value}")]
    BadAmount {
        /// Activity id.
        id: String,
        /// `baseline_cost`, `fixed_cost` or `actual_cost`.
        field: &'static str,
        /// The value given.
        value: f64,
    },
    /// A status period whose activity list does not match the activities.
    #[error("status period {period}: {found} activity statuses given for {expected} activities")]
    StatusCount {
        /// 0-based period index.
        period: usize,
        /// Statuses given.
        found: usize,
        /// Activities.
        expected: usize,
    },
    /// Percent complete outside 0..=1.
    #[error("status period {period}, activity {id}: percent complete {value} is outside 0..=1")]
    BadPercent {
        /// 0-based period index.
        period: usize,
        /// Activity id.
        id: String,
        /// The value given.
        value: f64,
    },
    /// A working calendar that cannot be used.
    #[error("working calendar: {0}")]
    Calendar(String),
    /// No task of a schedule has a usable baseline.
    #[error("no task has a baseline start and finish (baseline 0)")]
    NoBaseline,
}

/// An activity of the baseline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvmActivity {
    /// Identifier, for errors and per-activity results.
    pub id: String,
    /// Baseline start.
    pub start: NaiveDateTime,
    /// Baseline finish.
    pub finish: NaiveDateTime,
    /// Budget at completion of the activity (its share of BAC).
    pub cost: f64,
    /// Part of `cost` that falls due when the activity starts (ProTrack's fixed cost); 0 when all of
    /// it accrues with time.
    pub fixed_cost: f64,
}

/// An activity's progress at one status date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ActivityStatus {
    /// Percent complete as a fraction, 0..=1.
    pub percent_complete: f64,
    /// Actual cost to date; `None` when not known (then AC and every cost figure are `None`).
    pub actual_cost: Option<f64>,
    /// Actual start, if started.
    pub actual_start: Option<NaiveDateTime>,
    /// Actual finish, if finished.
    pub actual_finish: Option<NaiveDateTime>,
}

impl ActivityStatus {
    fn started(&self) -> bool {
        self.actual_start.is_some() || self.percent_complete > 0.0
    }
}

/// Progress of every activity at one status date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatusPeriod {
    /// Status (data) date.
    pub status_date: NaiveDateTime,
    /// One status per activity, in the order of [`EvmInput::activities`].
    pub activities: Vec<ActivityStatus>,
}

/// Everything an earned-value analysis needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvmInput {
    /// Baseline activities (leaves only: summaries would count twice).
    pub activities: Vec<EvmActivity>,
    /// Status periods, usually in date order.
    pub periods: Vec<StatusPeriod>,
    /// How time is counted.
    pub time_basis: TimeBasis,
    /// Project start; the earliest baseline start when `None`.
    pub project_start: Option<NaiveDateTime>,
}

/// A time forecasting method: the estimate of the final duration EAC(t).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum TimeMethod {
    /// Planned value method (Anbari), PF = 1: PD - SV / PV rate.
    PvPf1,
    /// Planned value method, PF = SPI: PD / SPI.
    PvSpi,
    /// Planned value method, PF = SCI: PD / (SPI x CPI).
    PvSci,
    /// Earned duration method (Jacob), PF = 1: AT + (max(PD, AT) - ED).
    EdPf1,
    /// Earned duration method, PF = SPI.
    EdSpi,
    /// Earned duration method, PF = SCI.
    EdSci,
    /// Earned schedule method (Lipke), PF = 1: AT + (PD - ES).
    EsPf1,
    /// Earned schedule method, PF = SPI(t).
    EsSpit,
    /// Earned schedule method, PF = SCI(t) = SPI(t) x CPI.
    EsScit,
}

impl TimeMethod {
    /// Every method, in report order.
    pub const ALL: [TimeMethod; 9] = [
        TimeMethod::PvPf1,
        TimeMethod::PvSpi,
        TimeMethod::PvSci,
        TimeMethod::EdPf1,
        TimeMethod::EdSpi,
        TimeMethod::EdSci,
        TimeMethod::EsPf1,
        TimeMethod::EsSpit,
        TimeMethod::EsScit,
    ];

    /// Label as ProTrack prints it (`ES PF=1`).
    pub fn label(self) -> &'static str {
        match self {
            TimeMethod::PvPf1 => "PV PF=1",
            TimeMethod::PvSpi => "PV PF=SPI",
            TimeMethod::PvSci => "PV PF=SCI",
            TimeMethod::EdPf1 => "ED PF=1",
            TimeMethod::EdSpi => "ED PF=SPI",
            TimeMethod::EdSci => "ED PF=SCI",
            TimeMethod::EsPf1 => "ES PF=1",
            TimeMethod::EsSpit => "ES PF=SPI(t)",
            TimeMethod::EsScit => "ES PF=SCI(t)",
        }
    }
}

/// A cost forecasting method: EAC = AC + (BAC - EV) / PF.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum CostMethod {
    /// PF = 1.
    Pf1,
    /// PF = CPI.
    Cpi,
    /// PF = SPI.
    Spi,
    /// PF = SPI(t).
    Spit,
    /// PF = SCI = SPI x CPI.
    Sci,
    /// PF = SCI(t) = SPI(t) x CPI.
    Scit,
    /// PF = 0.8 CPI + 0.2 SPI.
    Composite,
    /// PF = 0.8 CPI + 0.2 SPI(t).
    CompositeT,
}

impl CostMethod {
    /// Every method, in report order.
    pub const ALL: [CostMethod; 8] = [
        CostMethod::Pf1,
        CostMethod::Cpi,
        CostMethod::Spi,
        CostMethod::Spit,
        CostMethod::Sci,
        CostMethod::Scit,
        CostMethod::Composite,
        CostMethod::CompositeT,
    ];

    /// Label as ProTrack prints it (`EAC PF=CPI`).
    pub fn label(self) -> &'static str {
        match self {
            CostMethod::Pf1 => "EAC PF=1",
            CostMethod::Cpi => "EAC PF=CPI",
            CostMethod::Spi => "EAC PF=SPI",
            CostMethod::Spit => "EAC PF=SPI(t)",
            CostMethod::Sci => "EAC PF=SCI",
            CostMethod::Scit => "EAC PF=SCI(t)",
            CostMethod::Composite => "EAC PF=0.8CPI+0.2SPI",
            CostMethod::CompositeT => "EAC PF=0.8CPI+0.2SPI(t)",
        }
    }
}

/// Earned value and earned schedule at one status date. Times are in days of the time basis after
/// the project start; `None` where a ratio has a zero denominator or the actual cost is unknown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PeriodMetrics {
    /// Status date.
    pub status_date: NaiveDateTime,
    /// Actual time AT: the status date's position.
    pub at: f64,
    /// Planned value at the status date.
    pub pv: f64,
    /// Earned value.
    pub ev: f64,
    /// Actual cost (`None` when any activity's actual cost is unknown).
    pub ac: Option<f64>,
    /// Schedule variance EV - PV.
    pub sv: f64,
    /// Schedule performance index EV / PV.
    pub spi: Option<f64>,
    /// Cost variance EV - AC.
    pub cv: Option<f64>,
    /// Cost performance index EV / AC.
    pub cpi: Option<f64>,
    /// Earned schedule ES: when the baseline planned to have earned EV.
    pub es: f64,
    /// SV(t) = ES - AT.
    pub sv_t: f64,
    /// SPI(t) = ES / AT.
    pub spi_t: Option<f64>,
    /// Schedule adherence (Lipke's p-factor): share of the value planned by ES that was earned on
    /// the activities that planned it, in 0..=1 (1 when nothing was planned by ES).
    pub p_factor: Option<f64>,
    /// Earned duration ED = AT x SPI.
    pub ed: Option<f64>,
    /// Time forecasts EAC(t), in the order of [`TimeMethod::ALL`].
    pub time_forecasts: [Option<f64>; 9],
    /// Cost forecasts EAC, in the order of [`CostMethod::ALL`].
    pub cost_forecasts: [Option<f64>; 8],
    /// To-complete performance index to meet BAC: (BAC - EV) / (BAC - AC).
    pub tcpi_bac: Option<f64>,
    /// To-complete performance index to meet EAC (PF = CPI): (BAC - EV) / (EAC - AC).
    pub tcpi_eac: Option<f64>,
}

impl PeriodMetrics {
    /// The EAC(t) of one method.
    pub fn time_forecast(&self, m: TimeMethod) -> Option<f64> {
        self.time_forecasts[m as usize]
    }

    /// The EAC of one method.
    pub fn cost_forecast(&self, m: CostMethod) -> Option<f64> {
        self.cost_forecasts[m as usize]
    }
}

/// The result of an earned-value analysis.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvmReport {
    /// Time zero of every time figure.
    pub project_start: NaiveDateTime,
    /// How time is counted.
    pub time_basis: TimeBasis,
    /// Planned duration PD: the latest baseline finish's position.
    pub planned_duration: f64,
    /// Budget at completion BAC.
    pub bac: f64,
    /// The baseline S-curve (planned value over the whole baseline).
    pub pv_curve: PvCurve,
    /// One entry per status period, in input order.
    pub periods: Vec<PeriodMetrics>,
}

impl EvmReport {
    /// The date of a time figure (`at`, `es`, a forecast) on the report's time basis.
    pub fn date_at(&self, t: f64) -> NaiveDateTime {
        self.time_basis.date_at(self.project_start, t)
    }
}

fn ratio(a: f64, b: f64) -> Option<f64> {
    (b != 0.0 && a.is_finite() && b.is_finite()).then(|| a / b).filter(|r| r.is_finite())
}

fn check_amount(id: &str, field: &'static str, value: f64, max: f64) -> Result<(), EvmError> {
    if value.is_finite() && value >= 0.0 && value <= max {
        Ok(())
    } else {
        Err(EvmError::BadAmount { id: id.to_string(), field, value })
    }
}

/// Computes earned value, earned schedule and the forecasts at every status period.
///
/// # Arguments
/// `input`: the baseline activities (leaves), the status periods (one status per activity each) and
/// the time basis.
///
/// # Errors
/// [`EvmError`] naming the activity and period: no activities, a finish before a start, a negative
/// or non-finite budget, a fixed cost above the budget, a negative actual cost, a percent complete
/// outside 0..=1, or a status list whose length differs from the activity list.
///
/// # Complexity
/// O(n log n) to build the PV curve plus O(n + log n) per period, for n activities.
///
/// # Example
/// ```
/// use chrono::NaiveDate;
/// use keel_engine::forecast::evm::*;
/// let day = |d| NaiveDate::from_ymd_opt(2024, 1, d).unwrap().and_hms_opt(0, 0, 0).unwrap();
/// let input = EvmInput {
///     activities: vec![EvmActivity { id: "A".into(), start: day(1), finish: day(11), cost: 100.0, fixed_cost: 0.0 }],
///     periods: vec![StatusPeriod {
///         status_date: day(6),
///         activities: vec![ActivityStatus { percent_complete: 0.4, actual_cost: Some(50.0), ..Default::default() }],
///     }],
///     time_basis: TimeBasis::CalendarDays,
///     project_start: None,
/// };
/// let r = evaluate(&input)?;
/// let p = &r.periods[0];
/// assert_eq!((p.pv, p.ev, p.ac), (50.0, 40.0, Some(50.0)));
/// assert!((p.es - 4.0).abs() < 1e-9);
/// assert!((p.time_forecast(TimeMethod::EsPf1).unwrap() - 11.0).abs() < 1e-9);
/// # Ok::<(), EvmError>(())
/// ```
pub fn evaluate(input: &EvmInput) -> Result<EvmReport, EvmError> {
    if input.activities.is_empty() {
        return Err(EvmError::NoActivities);
    }
    for a in &input.activities {
        if a.finish < a.start {
            return Err(EvmError::FinishBeforeStart { id: a.id.clone(), start: a.start, finish: a.finish });
        }
        check_amount(&a.id, "baseline_cost", a.cost, f64::MAX)?;
        check_amount(&a.id, "fixed_cost", a.fixed_cost, a.cost)?;
    }
    let origin =
        input.project_start.or_else(|| input.activities.iter().map(|a| a.start).min()).ok_or(EvmError::NoActivities)?;
    let basis = &input.time_basis;
    let spans: Vec<(f64, f64, f64, f64)> = input
        .activities
        .iter()
        .map(|a| (basis.position(origin, a.start), basis.position(origin, a.finish), a.cost, a.fixed_cost))
        .collect();
    let curve = PvCurve::build(&spans);
    let pd = spans.iter().map(|s| s.1).fold(0.0_f64, f64::max);
    let bac: f64 = spans.iter().map(|s| s.2).sum();
    let mut periods = Vec::with_capacity(input.periods.len());
    for (pi, period) in input.periods.iter().enumerate() {
        if period.activities.len() != input.activities.len() {
            return Err(EvmError::StatusCount {
                period: pi,
                found: period.activities.len(),
                expected: input.activities.len(),
            });
        }
        periods.push(period_metrics(pi, period, input, &spans, &curve, origin, pd, bac)?);
    }
    Ok(EvmReport {
        project_start: origin,
        time_basis: input.time_basis.clone(),
        planned_duration: pd,
        bac,
        pv_curve: curve,
        periods,
    })
}

#[allow(clippy::too_many_arguments)]
fn period_metrics(
    pi: usize,
    period: &StatusPeriod,
    input: &EvmInput,
    spans: &[(f64, f64, f64, f64)],
    curve: &PvCurve,
    origin: NaiveDateTime,
    pd: f64,
    bac: f64,
) -> Result<PeriodMetrics, EvmError> {
    let mut evs = Vec::with_capacity(spans.len());
    let mut ac = Some(0.0);
    for ((a, st), &(_, _, cost, fixed)) in input.activities.iter().zip(&period.activities).zip(spans) {
        let pc = st.percent_complete;
        if !(0.0..=1.0).contains(&pc) {
            return Err(EvmError::BadPercent { period: pi, id: a.id.clone(), value: pc });
        }
        let earned = if st.started() { fixed + pc * (cost - fixed) } else { pc * cost };
        evs.push(earned);
        match st.actual_cost {
            Some(c) => {
                check_amount(&a.id, "actual_cost", c, f64::MAX)?;
                ac = ac.map(|s| s + c);
            }
            None => ac = None,
        }
    }
    let at = input.time_basis.position(origin, period.status_date);
    let pv = curve.value(at);
    let ev: f64 = evs.iter().sum();
    let es = curve.earned_schedule(ev, at, pd);
    let pv_es = curve.value(es);
    let adhered: f64 =
        spans.iter().zip(&evs).map(|(&(s, e, c, f), &v)| curve::activity_pv(s, e, c, f, es).min(v)).sum();
    let spi = ratio(ev, pv);
    let cpi = ac.and_then(|ac| ratio(ev, ac));
    let spi_t = ratio(es, at);
    let ed = spi.map(|s| at * s);
    let sci = spi.zip(cpi).map(|(a, b)| a * b);
    let sci_t = spi_t.zip(cpi).map(|(a, b)| a * b);
    let pv_rate = ratio(bac, pd);
    let ed_target = pd.max(at);
    let time = |m: TimeMethod| -> Option<f64> {
        let r = match m {
            TimeMethod::PvPf1 => pd - ratio(ev - pv, pv_rate?)?,
            TimeMethod::PvSpi => ratio(pd, spi?)?,
            TimeMethod::PvSci => ratio(pd, sci?)?,
            TimeMethod::EdPf1 => at + (ed_target - ed?),
            TimeMethod::EdSpi => at + ratio(ed_target - ed?, spi?)?,
            TimeMethod::EdSci => at + ratio(ed_target - ed?, sci?)?,
            TimeMethod::EsPf1 => at + (pd - es),
            TimeMethod::EsSpit => at + ratio(pd - es, spi_t?)?,
            TimeMethod::EsScit => at + ratio(pd - es, sci_t?)?,
        };
        r.is_finite().then_some(r)
    };
    let cost = |m: CostMethod| -> Option<f64> {
        let pf = match m {
            CostMethod::Pf1 => 1.0,
            CostMethod::Cpi => cpi?,
            CostMethod::Spi => spi?,
            CostMethod::Spit => spi_t?,
            CostMethod::Sci => sci?,
            CostMethod::Scit => sci_t?,
            CostMethod::Composite => 0.8 * cpi? + 0.2 * spi?,
            CostMethod::CompositeT => 0.8 * cpi? + 0.2 * spi_t?,
        };
        Some(ac? + ratio(bac - ev, pf)?)
    };
    let time_forecasts = TimeMethod::ALL.map(time);
    let cost_forecasts = CostMethod::ALL.map(cost);
    let eac_cpi = cost_forecasts[CostMethod::Cpi as usize];
    Ok(PeriodMetrics {
        status_date: period.status_date,
        at,
        pv,
        ev,
        ac,
        sv: ev - pv,
        spi,
        cv: ac.map(|ac| ev - ac),
        cpi,
        es,
        sv_t: es - at,
        spi_t,
        // Nothing planned by ES: nothing could be done out of sequence (ProTrack reports 1).
        p_factor: if pv_es > 0.0 { ratio(adhered, pv_es).map(|p| p.clamp(0.0, 1.0)) } else { Some(1.0) },
        ed,
        time_forecasts,
        cost_forecasts,
        tcpi_bac: ac.and_then(|ac| ratio(bac - ev, bac - ac)),
        tcpi_eac: ac.zip(eac_cpi).and_then(|(ac, eac)| ratio(bac - ev, eac - ac)),
    })
}
