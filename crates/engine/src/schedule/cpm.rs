//! The critical-path engine: early and late dates, float, the critical path and the longest path.
//!
//! [`schedule`] computes a whole schedule in one call. For repeated edits compile a
//! [`Network`] once and use its incremental `set_duration`/`set_lag`.
//!
//! How it works: the schedule is compiled into a compressed (CSR) network of its activities (summary
//! rows drop out; links on a summary apply to its children), ordered topologically once. The forward
//! and backward passes then run in *working-minute ordinal* space on each task's own calendar, where
//! adding working time is integer addition; a link converts through a clock time only where the two
//! tasks (or the lag) use different calendars. Where MS Project and Primavera P6 differ the
//! schedule's [`Mode`] decides; see [`Network`] for the rules.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use super::model::{Mode, Schedule, TaskIx};
use super::network::Network;

/// Computed dates and float of one task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskResult {
    /// Early start.
    pub early_start: NaiveDateTime,
    /// Early finish.
    pub early_finish: NaiveDateTime,
    /// Late start.
    pub late_start: NaiveDateTime,
    /// Late finish.
    pub late_finish: NaiveDateTime,
    /// Total float in working minutes on the task's calendar (negative when behind a constraint).
    pub total_float: i64,
    /// Free float in working minutes.
    pub free_float: i64,
    /// Critical under the mode's definition.
    pub critical: bool,
    /// Scheduled start: the actual start when there is one, the late start for an as-late-as-possible
    /// task, the early start otherwise (MS Project "Start").
    #[serde(default = "epoch")]
    pub start: NaiveDateTime,
    /// Scheduled finish, likewise (MS Project "Finish").
    #[serde(default = "epoch")]
    pub finish: NaiveDateTime,
    /// Whether the engine scheduled the task: false for inactive tasks (whose dates are the project
    /// start) and manually scheduled ones (whose early dates are their stored dates).
    #[serde(default)]
    pub scheduled: bool,
}

fn epoch() -> NaiveDateTime {
    chrono::DateTime::UNIX_EPOCH.naive_utc()
}

/// The computed schedule: one [`TaskResult`] per task of the input, in the same order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScheduleResult {
    /// Rules applied.
    pub mode: Mode,
    /// Per task, same indices as [`Schedule::tasks`].
    pub tasks: Vec<TaskResult>,
    /// Early finish of the whole schedule.
    pub finish: NaiveDateTime,
    /// The longest path, first task to last.
    pub longest_path: Vec<TaskIx>,
}

/// Why a schedule cannot be computed. Carries the evidence.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    /// The links form a loop; the tasks on it, by code and name.
    #[error("the links form a loop: {}", .tasks.join(" -> "))]
    Cycle {
        /// Tasks on the loop, in order.
        tasks: Vec<String>,
    },
    /// A field holds a value the engine cannot use.
    #[error("task {task}: {field}: {message}")]
    Invalid {
        /// Task code and name, or "link 3", "calendar 'Night shift'".
        task: String,
        /// Field name.
        field: &'static str,
        /// What is wrong and what was expected.
        message: String,
    },
}

/// Computes early and late dates, float, the critical path and the longest path of `schedule`
/// under `schedule.options.mode`.
///
/// Equivalent to `Network::compile(schedule)?.run()`. A plain network (one project and calendar,
/// auto-scheduled tasks without progress or constraints, links forward in task order) takes a
/// dedicated kernel that gives the same results several times faster.
///
/// # Errors
/// - [`ScheduleError::Cycle`] when the links form a loop, listing the tasks on it in order.
/// - [`ScheduleError::Invalid`] naming the task (or link, calendar) and field for a link to a
///   missing task, a negative or absurd duration or lag, an actual finish before the actual start,
///   a dated constraint without a date, a missing or invalid calendar, or dates beyond year 2400.
///
/// # Complexity
/// O(tasks + links) time and memory once calendars are compiled (each calendar's day table is
/// O(days spanned)); no allocation per task in the passes.
///
/// # Example
/// ```
/// use chrono::NaiveDate;
/// use keel_engine::schedule::{self, calendar, *};
/// let start = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap().and_hms_opt(8, 0, 0).unwrap();
/// let task = |code: &str, days: i64| Task {
///     code: code.into(),
///     name: code.into(),
///     outline_level: 1,
///     duration: Duration::working(days * 480, DurationUnit::Days),
///     ..Default::default()
/// };
/// let s = Schedule {
///     projects: vec![ProjectInfo { start, ..Default::default() }],
///     calendars: vec![calendar::standard()],
///     tasks: vec![task("A", 2), task("B", 3), task("C", 1)],
///     links: vec![
///         Link { pred: 0, succ: 1, kind: LinkType::FS, lag: Lag::default() },
///         Link { pred: 0, succ: 2, kind: LinkType::FS, lag: Lag::default() },
///     ],
///     ..Default::default()
/// };
/// let r = schedule::schedule(&s).unwrap();
/// assert_eq!(r.tasks[1].early_finish.to_string(), "2024-01-05 17:00:00");
/// assert_eq!(r.tasks[2].total_float, 2 * 480);
/// assert!(r.tasks[0].critical && r.tasks[1].critical && !r.tasks[2].critical);
/// assert_eq!(r.longest_path, vec![0, 1]);
/// ```
pub fn schedule(schedule: &Schedule) -> Result<ScheduleResult, ScheduleError> {
    if let Some(r) = super::plain::schedule(schedule) {
        return Ok(r);
    }
    let mut net = Network::compile(schedule)?;
    net.run()
}
