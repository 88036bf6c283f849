//! Earned value input from Keel's own schedule model.

use chrono::NaiveDateTime;

use super::{ActivityStatus, EvmActivity, EvmError, EvmInput, StatusPeriod, TimeBasis};
use crate::schedule::model::Schedule;

/// An [`EvmInput`] built from a [`Schedule`], with the tasks that could not take part.
#[derive(Debug, Clone, PartialEq)]
pub struct ScheduleEvm {
    /// One status period at the given status date.
    pub input: EvmInput,
    /// Keys of the tasks left out because baseline 0 has no start or finish.
    pub without_baseline: Vec<String>,
}

impl ScheduleEvm {
    /// Builds the input from baseline 0 (start, finish, cost) of every active leaf task and the
    /// tasks' progress (`percent_complete`, actual start and finish) at `status_date`.
    ///
    /// Keel's schedule model carries no actual cost per task, so the actual cost is `None`: the
    /// cost indices and cost forecasts of the result are `None` rather than invented. A task
    /// without a baseline cost counts with a budget of 0. Summaries, level-of-effort and inactive
    /// tasks are left out (their value is their children's).
    ///
    /// # Errors
    /// [`EvmError::NoBaseline`] when no task has a baseline start and finish.
    ///
    /// # Complexity
    /// O(n) for n tasks (plus O(b) per task for its b baselines).
    ///
    /// # Example
    /// ```
    /// use keel_engine::forecast::evm::{ScheduleEvm, TimeBasis};
    /// use keel_engine::schedule::Schedule;
    /// let empty = Schedule::default();
    /// let when = chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap().and_hms_opt(0, 0, 0).unwrap();
    /// assert!(ScheduleEvm::from_schedule(&empty, when, TimeBasis::CalendarDays).is_err());
    /// ```
    pub fn from_schedule(
        schedule: &Schedule,
        status_date: NaiveDateTime,
        time_basis: TimeBasis,
    ) -> Result<ScheduleEvm, EvmError> {
        let mut activities = Vec::new();
        let mut statuses = Vec::new();
        let mut without_baseline = Vec::new();
        for task in &schedule.tasks {
            if task.is_summary_like() || task.inactive {
                continue;
            }
            let base = task.baselines.iter().find(|b| b.number == 0);
            let (Some(start), Some(finish)) = (base.and_then(|b| b.start), base.and_then(|b| b.finish)) else {
                without_baseline.push(task.key.clone());
                continue;
            };
            let cost = base.and_then(|b| b.cost_minor).map_or(0.0, |c| c as f64 / 100.0).max(0.0);
            activities.push(EvmActivity {
                id: if task.code.is_empty() { task.key.clone() } else { task.code.clone() },
                start,
                finish: finish.max(start),
                cost,
                fixed_cost: 0.0,
            });
            let pc = if task.actual_finish.is_some() { 100.0 } else { task.percent_complete };
            statuses.push(ActivityStatus {
                percent_complete: (pc / 100.0).clamp(0.0, 1.0),
                actual_cost: None,
                actual_start: task.actual_start,
                actual_finish: task.actual_finish,
            });
        }
        if activities.is_empty() {
            return Err(EvmError::NoBaseline);
        }
        let project_start = activities.iter().map(|a| a.start).min();
        Ok(ScheduleEvm {
            input: EvmInput {
                activities,
                periods: vec![StatusPeriod { status_date, activities: statuses }],
                time_basis,
                project_start,
            },
            without_baseline,
        })
    }
}
