//! Baseline variance: how far each task's current dates and duration have moved from a baseline.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use super::cpm::ScheduleResult;
use super::model::{Schedule, TaskIx};

/// One task's variance against a baseline. Positive is later (or longer) than the baseline.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TaskVariance {
    /// The task (`None` for the project as a whole).
    pub task: Option<TaskIx>,
    /// Baseline start and finish.
    pub baseline_start: Option<NaiveDateTime>,
    /// Baseline finish.
    pub baseline_finish: Option<NaiveDateTime>,
    /// Current start: actual, else early.
    pub start: NaiveDateTime,
    /// Current finish: actual, else early.
    pub finish: NaiveDateTime,
    /// Start variance in calendar days.
    pub start_days: Option<f64>,
    /// Finish variance in calendar days.
    pub finish_days: Option<f64>,
    /// Duration variance in working days (current planned duration minus baseline duration).
    pub duration_days: Option<f64>,
}

/// The variance of the whole project and of each task that has the baseline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Variance {
    /// Baseline number compared against (0 = the main baseline).
    pub baseline: u8,
    /// Earliest baseline start and latest baseline finish, against the current ones.
    pub project: Option<TaskVariance>,
    /// Per task, for the tasks with that baseline.
    pub tasks: Vec<TaskVariance>,
}

fn days(a: NaiveDateTime, b: NaiveDateTime) -> f64 {
    (a - b).num_minutes() as f64 / 1440.0
}

/// Compares current dates (actual where known, else computed early dates) with baseline `number`.
///
/// Complexity: O(T·B) for T tasks with B baselines each.
///
/// # Example
/// ```
/// use keel_engine::schedule::{variance, Schedule};
/// # let r = keel_engine::schedule::ScheduleResult { mode: Default::default(), tasks: vec![],
/// #     finish: chrono::NaiveDate::from_ymd_opt(2026, 1, 5).unwrap().and_hms_opt(8, 0, 0).unwrap(), longest_path: vec![] };
/// let v = variance::compare(&Schedule::default(), &r, 0);
/// assert!(v.tasks.is_empty() && v.project.is_none());
/// ```
pub fn compare(s: &Schedule, r: &ScheduleResult, number: u8) -> Variance {
    let mpd = f64::from(s.options.minutes_per_day.max(1));
    let mut tasks = Vec::new();
    for (i, (t, res)) in s.tasks.iter().zip(&r.tasks).enumerate() {
        let Some(b) = t.baselines.iter().find(|b| b.number == number) else { continue };
        let start = t.actual_start.unwrap_or(res.early_start);
        let finish = t.actual_finish.unwrap_or(res.early_finish);
        tasks.push(TaskVariance {
            task: Some(i),
            baseline_start: b.start,
            baseline_finish: b.finish,
            start,
            finish,
            start_days: b.start.map(|bs| days(start, bs)),
            finish_days: b.finish.map(|bf| days(finish, bf)),
            duration_days: b.duration_minutes.map(|d| (t.duration.minutes - d) as f64 / mpd),
        });
    }
    let top: Vec<&TaskVariance> =
        tasks.iter().filter(|v| v.task.is_some_and(|i| s.tasks[i].parent.is_none())).collect();
    let project = (!top.is_empty()).then(|| {
        let bs = top.iter().filter_map(|v| v.baseline_start).min();
        let bf = top.iter().filter_map(|v| v.baseline_finish).max();
        let start = top.iter().map(|v| v.start).min().unwrap_or(r.finish);
        let finish = top.iter().map(|v| v.finish).max().unwrap_or(r.finish);
        TaskVariance {
            task: None,
            baseline_start: bs,
            baseline_finish: bf,
            start,
            finish,
            start_days: bs.map(|b| days(start, b)),
            finish_days: bf.map(|b| days(finish, b)),
            duration_days: None,
        }
    });
    Variance { baseline: number, project, tasks }
}
