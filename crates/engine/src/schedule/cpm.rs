//! The critical-path engine. (Being written: the public types below are the contract.)

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use super::model::{Mode, Schedule, TaskIx};

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

/// Computes early and late dates, float and the critical path.
pub fn schedule(_schedule: &Schedule) -> Result<ScheduleResult, ScheduleError> {
    Err(ScheduleError::Invalid { task: String::new(), field: "engine", message: "not yet written".into() })
}
