//! The combined finish forecast of a run: the earned schedule forecast (ES, PF = 1) and the
//! network Monte Carlo P80 blended by progress, with the error each was measured to have at that
//! stage of a project on real projects (the DSLIB back-test, `docs/forecast-accuracy.md`).

use chrono::NaiveDateTime;
use keel_engine::forecast::blend::{BlendRule, ProgressBand, blend_finish, network_weight, progress_band};
use keel_engine::forecast::evm::{EvmReport, TimeMethod};
use serde::{Deserialize, Serialize};

/// The blend rule the product uses (the one chosen before measuring; see
/// [`keel_engine::forecast::blend`]).
pub const RULE: BlendRule = BlendRule::Linear;

/// The combined finish forecast at the run's status date, and the measured error of each method
/// at that stage of a project.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CombinedFinish {
    /// The blended finish.
    pub finish: NaiveDateTime,
    /// The earned schedule forecast (ES, PF = 1) at the status date.
    pub earned_schedule: NaiveDateTime,
    /// The network Monte Carlo P80 finish.
    pub network_p80: NaiveDateTime,
    /// Progress at the status date: EV / BAC, in `0..=1`.
    pub progress: f64,
    /// Weight of the network forecast in the blend (the rest is earned schedule's).
    pub network_weight: f64,
    /// The third of progress the status date falls in.
    pub band: ProgressBand,
    /// The error measured for each method at this band, best first.
    pub measured: Vec<MeasuredError>,
}

/// The median error of one forecast method at one stage of a project, measured on real projects.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeasuredError {
    /// The method (`combined`, `earned schedule (ES, PF = 1)`, `network Monte Carlo P80`).
    pub method: String,
    /// Median over projects of the mean absolute percentage error of the finish (duration)
    /// forecasts made in this band.
    pub median_mape: f64,
    /// Projects the median is taken over.
    pub projects: usize,
}

/// The back-test method a row of [`MEASURED`] was measured as (`keel evm check` names).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// `blend ES/MC P80 w=p`: the combined finish itself.
    Blend,
    /// `ES PF=1`.
    EarnedSchedule,
    /// `MC P80`.
    NetworkP80,
}

/// One method's measured error by band of progress.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MeasuredRow {
    /// The method as the page names it.
    pub method: &'static str,
    /// The back-test method it was measured as.
    pub source: Source,
    /// Median MAPE (%) and projects for the early, middle and late thirds of progress.
    pub bands: [(f64, usize); 3],
}

/// Median time MAPE (%) by band of progress (EV / BAC) on the 69 finished DSLIB projects, in
/// calendar days as the product counts. `keel evm check --calendar-days --product-errors`
/// recomputes them and fails when they drift (`.ci/run` runs it); `docs/forecast-accuracy.md`
/// ("Blending by progress") has the table and how to read it. A band's median is over the
/// projects with tracking periods in it (60 early, 59 middle, 68 late).
pub const MEASURED: [MeasuredRow; 3] = [
    MeasuredRow {
        method: "combined (earned schedule and network P80 by progress)",
        source: Source::Blend,
        bands: [(9.4, 60), (5.0, 59), (1.5, 68)],
    },
    MeasuredRow {
        method: "earned schedule (ES, PF = 1)",
        source: Source::EarnedSchedule,
        bands: [(10.3, 60), (7.1, 59), (2.5, 68)],
    },
    MeasuredRow {
        method: "network Monte Carlo P80",
        source: Source::NetworkP80,
        bands: [(7.4, 60), (6.2, 59), (1.2, 68)],
    },
];

/// The measured errors at `band`, best first.
pub fn measured_at(band: ProgressBand) -> Vec<MeasuredError> {
    let mut v: Vec<MeasuredError> = MEASURED
        .iter()
        .map(|row| {
            let (median_mape, projects) = row.bands[band.index()];
            MeasuredError { method: row.method.to_owned(), median_mape, projects }
        })
        .collect();
    v.sort_by(|a, b| a.median_mape.total_cmp(&b.median_mape));
    v
}

/// The combined finish at the last status period of `evm`, from its ES PF = 1 forecast and the
/// Monte Carlo P80 finish `network_p80`; `None` without a status period, a budget or an ES
/// forecast.
pub fn combine(evm: &EvmReport, network_p80: NaiveDateTime) -> Option<CombinedFinish> {
    let period = evm.periods.last()?;
    if evm.bac.is_nan() || evm.bac <= 0.0 {
        return None;
    }
    let es = period.time_forecast(TimeMethod::EsPf1)?;
    let network = evm.time_basis.position(evm.project_start, network_p80);
    let progress = (period.ev / evm.bac).clamp(0.0, 1.0);
    let finish = blend_finish(es, network, progress, RULE);
    if !finish.is_finite() {
        return None;
    }
    let band = progress_band(progress);
    Some(CombinedFinish {
        finish: evm.date_at(finish),
        earned_schedule: evm.date_at(es),
        network_p80,
        progress,
        network_weight: network_weight(progress, RULE),
        band,
        measured: measured_at(band),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use chrono::NaiveDate;
    use keel_engine::forecast::evm::{ActivityStatus, EvmActivity, EvmInput, StatusPeriod, TimeBasis, evaluate};

    use super::*;

    fn day(d: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2024, 1, d).unwrap().and_hms_opt(0, 0, 0).unwrap()
    }

    /// One 10-day activity, `done` complete at day 6 (5 days elapsed).
    fn report(done: f64) -> EvmReport {
        evaluate(&EvmInput {
            activities: vec![EvmActivity {
                id: "A".into(),
                start: day(1),
                finish: day(11),
                cost: 100.0,
                fixed_cost: 0.0,
            }],
            periods: vec![StatusPeriod {
                status_date: day(6),
                activities: vec![ActivityStatus { percent_complete: done, ..Default::default() }],
            }],
            time_basis: TimeBasis::CalendarDays,
            project_start: None,
        })
        .unwrap()
    }

    #[test]
    fn the_network_weighs_in_by_the_work_done() {
        // 40% done after 5 of 10 days: ES = 4, so ES PF = 1 forecasts 11 days (day 12).
        let r = report(0.4);
        let c = combine(&r, day(22)).unwrap();
        assert_eq!(c.earned_schedule, day(12));
        assert!((c.progress - 0.4).abs() < 1e-9);
        assert_eq!(c.band, ProgressBand::Middle);
        // 40% of the way from day 12 to day 22.
        assert_eq!(c.finish, day(16));
        // Where the two agree, so does the blend.
        assert_eq!(combine(&r, day(12)).unwrap().finish, day(12));
    }

    #[test]
    fn early_work_leans_on_earned_schedule_and_late_work_on_the_network() {
        let early = combine(&report(0.1), day(30)).unwrap();
        let late = combine(&report(0.9), day(30)).unwrap();
        assert_eq!(early.band, ProgressBand::Early);
        assert_eq!(late.band, ProgressBand::Late);
        let share = |c: &CombinedFinish| {
            (c.finish - c.earned_schedule).num_seconds() as f64
                / (c.network_p80 - c.earned_schedule).num_seconds() as f64
        };
        assert!(share(&early) < 0.2 && share(&late) > 0.8, "{} {}", share(&early), share(&late));
    }

    #[test]
    fn measured_errors_come_best_first_for_every_band() {
        for band in ProgressBand::ALL {
            let m = measured_at(band);
            assert_eq!(m.len(), MEASURED.len());
            assert!(m.windows(2).all(|w| w[0].median_mape <= w[1].median_mape), "{band:?}");
            assert!(m.iter().all(|e| e.median_mape > 0.0 && e.projects > 0), "{band:?}: measured figures missing");
        }
    }
}
