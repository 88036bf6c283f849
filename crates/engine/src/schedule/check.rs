//! Compare computed dates with the dates the writing tool stored.
//!
//! The rules are the ones the oracle corpus's agreement column uses: early start, early finish,
//! late start and late finish match when equal or within 0.29 working minutes on the task's
//! calendar (so Friday 17:00 and Monday 08:00 agree); total float within 0.6 minutes (0.01 h); the
//! critical flag exactly. Only fields the file stored are compared. Manual and inactive tasks are
//! skipped (blank rows never reach the model), as are tasks with nothing stored.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use super::calendar::Calendars;
use super::cpm::ScheduleResult;
use super::model::Schedule;

/// Largest date difference, in working minutes, that still counts as a match.
pub const DATE_TOLERANCE_MINUTES: f64 = 0.29;
/// Largest total-float difference, in minutes, that still counts as a match (0.01 h).
pub const FLOAT_TOLERANCE_MINUTES: f64 = 0.6;

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

/// Per field: how many tasks had it stored and how many of those differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct FieldCounts {
    /// Early start: (compared, differing).
    pub early_start: (usize, usize),
    /// Early finish.
    pub early_finish: (usize, usize),
    /// Late start.
    pub late_start: (usize, usize),
    /// Late finish.
    pub late_finish: (usize, usize),
    /// Total float.
    pub total_float: (usize, usize),
    /// Critical flag.
    pub critical: (usize, usize),
}

/// Agreement between a schedule's stored dates and Keel's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct CheckReport {
    /// Tasks compared (those with stored values, not manual, inactive or summary rows of the project).
    pub compared: usize,
    /// Tasks whose every stored field matched.
    pub matched: usize,
    /// Tasks skipped: manual, inactive, or with nothing stored.
    pub skipped: usize,
    /// The tasks that differ.
    pub diffs: Vec<TaskDiff>,
    /// Per field counts.
    #[serde(default)]
    pub fields: FieldCounts,
}

impl CheckReport {
    /// Share of compared tasks that matched, in percent (100 when nothing was compared).
    ///
    /// ```
    /// use keel_engine::schedule::CheckReport;
    /// let r = CheckReport { compared: 4, matched: 3, ..Default::default() };
    /// assert_eq!(r.match_percent(), 75.0);
    /// ```
    pub fn match_percent(&self) -> f64 {
        if self.compared == 0 { 100.0 } else { 100.0 * self.matched as f64 / self.compared as f64 }
    }
}

fn show(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M").to_string()
}

/// Compares `result` with the dates stored in `schedule`.
///
/// # Complexity
/// O(tasks) plus compiling the calendars.
///
/// # Example
/// ```
/// use chrono::NaiveDate;
/// use keel_engine::schedule::{self, calendar, *};
/// let start = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap().and_hms_opt(8, 0, 0).unwrap();
/// let fri = NaiveDate::from_ymd_opt(2024, 1, 5).unwrap().and_hms_opt(17, 0, 0).unwrap();
/// let mon = NaiveDate::from_ymd_opt(2024, 1, 8).unwrap().and_hms_opt(8, 0, 0).unwrap();
/// let mut s = Schedule {
///     projects: vec![ProjectInfo { start, ..Default::default() }],
///     calendars: vec![calendar::standard()],
///     tasks: vec![Task { code: "A".into(), duration: Duration::working(2400, DurationUnit::Days), ..Default::default() }],
///     ..Default::default()
/// };
/// // Monday 08:00 is no working time after Friday 17:00: a match.
/// s.tasks[0].stored = StoredDates { early_finish: Some(mon), total_float: Some(0), ..Default::default() };
/// let r = schedule::schedule(&s).unwrap();
/// assert_eq!(r.tasks[0].early_finish, fri);
/// let report = compare(&s, &r);
/// assert_eq!((report.compared, report.matched), (1, 1));
/// ```
pub fn compare(schedule: &Schedule, result: &ScheduleResult) -> CheckReport {
    let mut report = CheckReport::default();
    let around = schedule.projects.first().map(|p| p.start.date()).unwrap_or_default();
    let mut cals = Calendars::compile(&schedule.calendars, around).ok();
    for (ix, task) in schedule.tasks.iter().enumerate() {
        let Some(r) = result.tasks.get(ix) else {
            report.skipped += 1;
            continue;
        };
        let st = &task.stored;
        let any = st.early_start.is_some()
            || st.early_finish.is_some()
            || st.late_start.is_some()
            || st.late_finish.is_some()
            || st.total_float.is_some()
            || st.critical.is_some();
        if task.manual || task.inactive || !any {
            report.skipped += 1;
            continue;
        }
        let cal_ix = task.calendar.or_else(|| schedule.projects.get(task.project).map(|p| p.calendar));
        let mut fields = Vec::new();
        let mut date =
            |name: &str, stored: Option<NaiveDateTime>, computed: NaiveDateTime, count: &mut (usize, usize)| {
                let Some(stored) = stored else { return };
                count.0 += 1;
                let apart = match (cals.as_mut(), cal_ix) {
                    // The file stored the day only (MPX date columns): the day must agree.
                    _ if st.date_only => {
                        if stored.date() == computed.date() {
                            0.0
                        } else {
                            f64::INFINITY
                        }
                    }
                    (Some(c), Some(ix)) if ix < c.len() => {
                        c.get_mut(ix).working_minutes_between_exact(stored, computed).abs()
                    }
                    _ => (computed - stored).num_seconds().abs() as f64 / 60.0,
                };
                if apart > DATE_TOLERANCE_MINUTES {
                    count.1 += 1;
                    fields.push((name.to_string(), show(stored), show(computed)));
                }
            };
        let fc = &mut report.fields;
        date("early_start", st.early_start, r.early_start, &mut fc.early_start);
        date("early_finish", st.early_finish, r.early_finish, &mut fc.early_finish);
        date("late_start", st.late_start, r.late_start, &mut fc.late_start);
        date("late_finish", st.late_finish, r.late_finish, &mut fc.late_finish);
        if let Some(tf) = st.total_float {
            fc.total_float.0 += 1;
            if (tf - r.total_float).abs() as f64 > FLOAT_TOLERANCE_MINUTES {
                fc.total_float.1 += 1;
                fields.push(("total_float".into(), tf.to_string(), r.total_float.to_string()));
            }
        }
        if let Some(c) = st.critical {
            fc.critical.0 += 1;
            if c != r.critical {
                fc.critical.1 += 1;
                fields.push(("critical".into(), c.to_string(), r.critical.to_string()));
            }
        }
        report.compared += 1;
        if fields.is_empty() {
            report.matched += 1;
        } else {
            report.diffs.push(TaskDiff { code: task.code.clone(), name: task.name.clone(), fields });
        }
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule::{Duration, DurationUnit, ProjectInfo, StoredDates, Task, calendar, cpm};
    use chrono::NaiveDate;

    fn dt(d: u32, h: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2024, 1, d).unwrap().and_hms_opt(h, 0, 0).unwrap()
    }

    #[test]
    fn counts_fields_and_skips() {
        let mut s = Schedule {
            projects: vec![ProjectInfo { start: dt(1, 8), ..Default::default() }],
            calendars: vec![calendar::standard()],
            tasks: vec![
                Task { code: "A".into(), duration: Duration::working(480, DurationUnit::Days), ..Default::default() },
                Task { code: "M".into(), manual: true, ..Default::default() },
                Task { code: "N".into(), ..Default::default() },
            ],
            ..Default::default()
        };
        s.tasks[0].stored = StoredDates {
            early_start: Some(dt(1, 8)),
            early_finish: Some(dt(2, 17)),
            total_float: Some(0),
            critical: Some(false),
            ..Default::default()
        };
        s.tasks[1].stored.early_start = Some(dt(1, 8));
        let r = cpm::schedule(&s).unwrap();
        let rep = compare(&s, &r);
        assert_eq!(rep.compared, 1);
        assert_eq!(rep.skipped, 2);
        assert_eq!(rep.matched, 0);
        assert_eq!(rep.fields.early_start, (1, 0));
        assert_eq!(rep.fields.early_finish, (1, 1));
        assert_eq!(rep.fields.critical, (1, 1));
        assert_eq!(
            rep.diffs[0].fields[0],
            ("early_finish".into(), "2024-01-02T17:00".into(), "2024-01-01T17:00".into())
        );
    }
}
