//! Compare computed dates with the dates the writing tool stored. (Being written.)

use serde::{Deserialize, Serialize};

use super::cpm::ScheduleResult;
use super::model::Schedule;

/// One task whose computed values differ from the stored ones.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskDiff {
    /// Task code.
    pub code: String,
    /// Task name.
    pub name: String,
    /// Fields that differ: (field, stored, computed), as text.
    pub fields: Vec<(String, String, String)>,
}

/// Agreement between a schedule's stored dates and Keel's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct CheckReport {
    /// Tasks compared (those with stored values, not manual, inactive or summary rows of the project).
    pub compared: usize,
    /// Tasks whose every stored field matched.
    pub matched: usize,
    /// Tasks skipped and why.
    pub skipped: usize,
    /// The tasks that differ.
    pub diffs: Vec<TaskDiff>,
}

/// Compares `result` with the dates stored in `schedule`.
pub fn compare(_schedule: &Schedule, _result: &ScheduleResult) -> CheckReport {
    CheckReport::default()
}
