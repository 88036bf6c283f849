//! The schedule model: what a project plan from MS Project, Primavera P6 or a task list holds.
//!
//! Everything an importer reads lands here and everything the exporter writes comes from here, so a
//! round trip keeps every field modelled. Times are local wall-clock times (`NaiveDateTime`), as both
//! tools store them; durations are whole minutes of working time on the task's calendar unless
//! [`Duration::elapsed`] says they run on the clock.
//!
//! Tasks, links, calendars and resources refer to each other by index into the [`Schedule`]'s vectors
//! (`TaskIx`, `CalendarIx`, ...). Importers resolve the tool's own identifiers into indices and keep the
//! originals in `key` fields for the round trip and for messages.

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

/// Index of a task in [`Schedule::tasks`].
pub type TaskIx = usize;
/// Index of a calendar in [`Schedule::calendars`].
pub type CalendarIx = usize;
/// Index of a resource in [`Schedule::resources`].
pub type ResourceIx = usize;
/// Index of a (sub-)project in [`Schedule::projects`].
pub type ProjectIx = usize;

/// The tool that wrote a schedule, which decides the scheduling rules by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// Microsoft Project (MSPDI XML, MPX, MPP via MSPDI).
    MsProject,
    /// Oracle Primavera P6 (XER, PMXML).
    Primavera,
    /// A plain task list (CSV, Excel) or Keel itself.
    #[default]
    Other,
}

/// Which tool's rules the engine follows where MS Project and P6 differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// MS Project: total slack is the smaller of start and finish slack, critical when total slack is
    /// at most the critical-slack limit, lags run on the successor's calendar, a Must Start On
    /// constraint overrides logic.
    #[default]
    MsProject,
    /// P6: float type and critical definition from the schedule options, lags on the calendar the
    /// options name, mandatory constraints override logic and start-on/finish-on do not.
    Primavera,
}

impl Origin {
    /// The scheduling mode a file from this tool is computed in unless the user picks another.
    pub fn default_mode(self) -> Mode {
        match self {
            Origin::Primavera => Mode::Primavera,
            Origin::MsProject | Origin::Other => Mode::MsProject,
        }
    }
}

/// A project plan: tasks in a WBS outline, links, calendars, resources, baselines and progress.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Schedule {
    /// Name of the plan (the file's project name).
    pub name: String,
    /// Which tool wrote it.
    pub origin: Origin,
    /// Writing tool and version as the file states it (e.g. "MSPDI SaveVersion 14", "P6 XER 20.12").
    #[serde(default)]
    pub source_format: String,
    /// Rules the engine applies.
    pub options: Options,
    /// The projects in the file: one for MS Project files, several for a multi-project XER.
    pub projects: Vec<ProjectInfo>,
    /// Calendars, base ones before the ones derived from them is not required.
    pub calendars: Vec<Calendar>,
    /// Tasks in outline order (a summary precedes its children).
    pub tasks: Vec<Task>,
    /// Relationships between tasks.
    pub links: Vec<Link>,
    /// Resources as the file carries them.
    #[serde(default)]
    pub resources: Vec<Resource>,
    /// Resource assignments as the file carries them.
    #[serde(default)]
    pub assignments: Vec<Assignment>,
    /// What the importer could not model, reported rather than dropped silently.
    #[serde(default)]
    pub warnings: Vec<ImportWarning>,
}

/// One project inside a schedule file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ProjectInfo {
    /// The tool's identifier (P6 `proj_id`/short name, MSPDI file name).
    pub key: String,
    /// Project name.
    pub name: String,
    /// Planned start: where the forward pass begins.
    pub start: NaiveDateTime,
    /// Must-finish-by date, if set (the backward pass starts there).
    #[serde(default)]
    pub finish_constraint: Option<NaiveDateTime>,
    /// Status date (MS Project) or data date (P6): progress is measured to here.
    #[serde(default)]
    pub status_date: Option<NaiveDateTime>,
    /// Default calendar for tasks that name none.
    pub calendar: CalendarIx,
    /// Whether the project is scheduled from its finish (MS Project "schedule from finish").
    #[serde(default)]
    pub schedule_from_finish: bool,
}

/// Scheduling options: the settings of each tool that change computed dates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Options {
    /// Rule set applied.
    pub mode: Mode,
    /// Working minutes in a day, for converting day/week/month units (MS Project default 480).
    pub minutes_per_day: u32,
    /// Working minutes in a week (default 2400).
    pub minutes_per_week: u32,
    /// Working days in a month (default 20).
    pub days_per_month: u32,
    /// How progress that is out of sequence is handled.
    pub progress: ProgressRule,
    /// Which calendar a relationship lag is measured on.
    pub lag_calendar: LagCalendar,
    /// Total float (in minutes) at or below which a task is critical (MS Project "tasks are critical
    /// if slack is less than or equal to"; P6 "critical activities have total float less than or equal to").
    pub critical_float_minutes: i64,
    /// Critical by longest path instead of float (P6 option).
    pub critical_by_longest_path: bool,
    /// How total float is derived (P6 option; MS Project always uses the smallest of start and finish).
    pub float_type: FloatType,
    /// Whether the start of the project is computed with early or late start for ALAP (MS Project honours
    /// ALAP in the forward pass; P6 has no ALAP but "zero free float" constraints).
    pub honour_constraints_over_links: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            mode: Mode::MsProject,
            minutes_per_day: 480,
            minutes_per_week: 2400,
            days_per_month: 20,
            progress: ProgressRule::RetainedLogic,
            lag_calendar: LagCalendar::Successor,
            critical_float_minutes: 0,
            critical_by_longest_path: false,
            float_type: FloatType::Smallest,
            honour_constraints_over_links: false,
        }
    }
}

/// Out-of-sequence progress handling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProgressRule {
    /// The remaining work of a started task still waits for its unfinished predecessors.
    RetainedLogic,
    /// Progress overrides logic: a started task's remaining work runs on from the status date.
    ProgressOverride,
    /// P6 "actual dates": as retained logic, but actual dates are used for finished predecessors.
    ActualDates,
}

/// Calendar a relationship lag is counted on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LagCalendar {
    /// The successor's calendar (MS Project; P6 default "successor activity calendar").
    Successor,
    /// The predecessor's calendar.
    Predecessor,
    /// A 24-hour calendar.
    TwentyFourHour,
    /// The project's default calendar.
    ProjectDefault,
}

/// How total float is computed (P6 "compute total float as").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FloatType {
    /// Late start minus early start.
    Start,
    /// Late finish minus early finish.
    Finish,
    /// The smaller of the two (MS Project; P6 "smallest of start float and finish float").
    Smallest,
}

/// A calendar: a week of working times, exceptions and work weeks, optionally derived from a base.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Calendar {
    /// The tool's identifier (MSPDI UID, P6 clndr_id).
    pub key: String,
    /// Name.
    pub name: String,
    /// Base calendar this one derives from; days set to `None` in `week` come from it.
    #[serde(default)]
    pub base: Option<CalendarIx>,
    /// Working times per weekday, Monday first; `None` inherits from the base (or is non-working
    /// without one), `Some(vec![])` is a non-working day.
    pub week: [Option<Vec<WorkingTime>>; 7],
    /// Dated exceptions, possibly recurring.
    #[serde(default)]
    pub exceptions: Vec<Exception>,
    /// Alternative working weeks for date ranges (MS Project 2007+ "work weeks").
    #[serde(default)]
    pub work_weeks: Vec<WorkWeek>,
}

/// A working interval within a day, in minutes after midnight; `to` may be 1440 (midnight).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkingTime {
    /// Start, minutes after midnight.
    pub from: u16,
    /// End, minutes after midnight, greater than `from`, at most 1440.
    pub to: u16,
}

/// An exception to a calendar's week: the days in `from..=to` (or those its recurrence picks) are
/// non-working when `working` is empty, and work those times otherwise.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Exception {
    /// Name (e.g. "Christmas").
    #[serde(default)]
    pub name: String,
    /// First day.
    pub from: NaiveDate,
    /// Last day (inclusive).
    pub to: NaiveDate,
    /// Working times on those days; empty means non-working.
    #[serde(default)]
    pub working: Vec<WorkingTime>,
    /// When set, only the days the pattern picks within `from..=to` are affected.
    #[serde(default)]
    pub recurrence: Option<Recurrence>,
}

/// A recurring exception pattern (MS Project's recurring calendar exceptions).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "every", rename_all = "snake_case")]
pub enum Recurrence {
    /// Every `period` days.
    Daily {
        /// Interval in days (1 = every day).
        period: u32,
    },
    /// Every `period` weeks on the given weekdays (Monday first).
    Weekly {
        /// Interval in weeks.
        period: u32,
        /// Weekdays picked, Monday first.
        days: [bool; 7],
    },
    /// Every `period` months on a day of the month.
    MonthlyByDay {
        /// Interval in months.
        period: u32,
        /// Day of month, 1-31.
        day: u32,
    },
    /// Every `period` months on the nth weekday (position 1-4, 5 = last).
    MonthlyByPosition {
        /// Interval in months.
        period: u32,
        /// 1..=4, or 5 for the last.
        position: u32,
        /// Weekday, 0 = Monday.
        weekday: u32,
    },
    /// Every year on a date.
    YearlyByDate {
        /// Month 1-12.
        month: u32,
        /// Day 1-31.
        day: u32,
    },
    /// Every year on the nth weekday of a month.
    YearlyByPosition {
        /// Month 1-12.
        month: u32,
        /// 1..=4, or 5 for the last.
        position: u32,
        /// Weekday, 0 = Monday.
        weekday: u32,
    },
}

/// A work week: a different week pattern for a date range.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkWeek {
    /// Name.
    #[serde(default)]
    pub name: String,
    /// First day.
    pub from: NaiveDate,
    /// Last day (inclusive).
    pub to: NaiveDate,
    /// Working times per weekday, Monday first; `None` keeps the calendar's own week for that day.
    pub week: [Option<Vec<WorkingTime>>; 7],
}

/// The unit a duration or lag was entered in, kept for display and round trips.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum DurationUnit {
    /// Minutes.
    Minutes,
    /// Hours.
    Hours,
    /// Days.
    #[default]
    Days,
    /// Weeks.
    Weeks,
    /// Months.
    Months,
    /// Percent (lags only: percent of the predecessor's duration).
    Percent,
}

/// A duration: whole minutes of working time on the task's calendar, or of clock time when `elapsed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Duration {
    /// Length in minutes (working minutes unless `elapsed`).
    pub minutes: i64,
    /// Unit it was entered in.
    #[serde(default)]
    pub unit: DurationUnit,
    /// Runs on the clock (24x7), MS Project's "elapsed" units ("3 ed").
    #[serde(default)]
    pub elapsed: bool,
    /// Marked as an estimate ("3d?").
    #[serde(default)]
    pub estimated: bool,
}

impl Duration {
    /// A working-time duration of `minutes` shown in `unit`.
    pub fn working(minutes: i64, unit: DurationUnit) -> Self {
        Duration { minutes, unit, elapsed: false, estimated: false }
    }
}

/// What kind of row a task is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum TaskKind {
    /// An ordinary task (P6 task-dependent or resource-dependent activity).
    #[default]
    Task,
    /// A summary task: its dates roll up from its children.
    Summary,
    /// A zero-duration milestone (MS Project milestone; P6 start milestone).
    Milestone,
    /// P6 finish milestone.
    FinishMilestone,
    /// P6 level-of-effort activity: spans its predecessors and successors.
    LevelOfEffort,
    /// P6 WBS summary activity: spans the activities of its WBS.
    WbsSummary,
}

/// A date constraint type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ConstraintKind {
    /// As soon as possible (no date).
    #[default]
    Asap,
    /// As late as possible (no date).
    Alap,
    /// Start no earlier than.
    Snet,
    /// Start no later than.
    Snlt,
    /// Finish no earlier than.
    Fnet,
    /// Finish no later than.
    Fnlt,
    /// Must start on (MS Project: hard; P6 "start on": soft both ways).
    Mso,
    /// Must finish on.
    Mfo,
    /// P6 mandatory start: overrides logic.
    MandatoryStart,
    /// P6 mandatory finish: overrides logic.
    MandatoryFinish,
}

/// A constraint with its date (unused for ASAP/ALAP).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Constraint {
    /// Type.
    pub kind: ConstraintKind,
    /// Date, required except for ASAP and ALAP.
    #[serde(default)]
    pub date: Option<NaiveDateTime>,
}

/// Dates and float the writing tool stored in the file: the oracle `keel schedule check` compares with.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
pub struct StoredDates {
    /// Scheduled start.
    #[serde(default)]
    pub start: Option<NaiveDateTime>,
    /// Scheduled finish.
    #[serde(default)]
    pub finish: Option<NaiveDateTime>,
    /// Early start.
    #[serde(default)]
    pub early_start: Option<NaiveDateTime>,
    /// Early finish.
    #[serde(default)]
    pub early_finish: Option<NaiveDateTime>,
    /// Late start.
    #[serde(default)]
    pub late_start: Option<NaiveDateTime>,
    /// Late finish.
    #[serde(default)]
    pub late_finish: Option<NaiveDateTime>,
    /// Total float/slack in working minutes.
    #[serde(default)]
    pub total_float: Option<i64>,
    /// Free float/slack in working minutes.
    #[serde(default)]
    pub free_float: Option<i64>,
    /// Critical flag.
    #[serde(default)]
    pub critical: Option<bool>,
    /// The dates were stored to the day only (MPX date columns without a time): compare days.
    #[serde(default)]
    pub date_only: bool,
}

/// A baseline of a task (MS Project Baseline, Baseline1..10; P6 baseline project).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Baseline {
    /// Baseline number: 0 for the main baseline, 1-10 for the others.
    pub number: u8,
    /// Baseline start.
    #[serde(default)]
    pub start: Option<NaiveDateTime>,
    /// Baseline finish.
    #[serde(default)]
    pub finish: Option<NaiveDateTime>,
    /// Baseline duration in working minutes.
    #[serde(default)]
    pub duration_minutes: Option<i64>,
    /// Baseline cost in minor currency units.
    #[serde(default)]
    pub cost_minor: Option<i64>,
}

/// A task (MS Project task, P6 activity).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Task {
    /// The tool's unique identifier (MSPDI UID, P6 task_id), kept for round trips and links.
    pub key: String,
    /// The identifier users see (MS Project ID, P6 activity ID / task_code).
    pub code: String,
    /// Name.
    pub name: String,
    /// Project this task belongs to (index into [`Schedule::projects`]).
    #[serde(default)]
    pub project: ProjectIx,
    /// WBS code.
    #[serde(default)]
    pub wbs: String,
    /// Outline level (1 = top; 0 is the project summary row, which importers drop).
    pub outline_level: u16,
    /// Parent summary task.
    #[serde(default)]
    pub parent: Option<TaskIx>,
    /// Kind of row.
    pub kind: TaskKind,
    /// Planned (original) duration.
    pub duration: Duration,
    /// Remaining duration, when the file carries progress.
    #[serde(default)]
    pub remaining: Option<Duration>,
    /// Calendar; `None` uses the project's.
    #[serde(default)]
    pub calendar: Option<CalendarIx>,
    /// Primary constraint.
    #[serde(default)]
    pub constraint: Option<Constraint>,
    /// P6 secondary constraint.
    #[serde(default)]
    pub secondary_constraint: Option<Constraint>,
    /// Deadline (MS Project): a late-finish limit that does not move the early dates.
    #[serde(default)]
    pub deadline: Option<NaiveDateTime>,
    /// Manually scheduled (MS Project): the engine keeps its stored start and finish.
    #[serde(default)]
    pub manual: bool,
    /// Inactive (MS Project): ignored by the engine.
    #[serde(default)]
    pub inactive: bool,
    /// Actual start.
    #[serde(default)]
    pub actual_start: Option<NaiveDateTime>,
    /// Actual finish.
    #[serde(default)]
    pub actual_finish: Option<NaiveDateTime>,
    /// Percent complete, 0-100.
    #[serde(default)]
    pub percent_complete: f64,
    /// Resume date of a split in-progress task (MS Project `Resume`), if stored.
    #[serde(default)]
    pub resume: Option<NaiveDateTime>,
    /// Baselines.
    #[serde(default)]
    pub baselines: Vec<Baseline>,
    /// What the writing tool computed.
    #[serde(default)]
    pub stored: StoredDates,
    /// Cost at completion in minor units, if the file carries it.
    #[serde(default)]
    pub cost_minor: Option<i64>,
    /// Notes.
    #[serde(default)]
    pub notes: String,
}

impl Task {
    /// Whether the task is a zero-duration milestone of either kind.
    pub fn is_milestone(&self) -> bool {
        matches!(self.kind, TaskKind::Milestone | TaskKind::FinishMilestone)
    }

    /// Whether its dates come from other tasks rather than its own duration.
    pub fn is_summary_like(&self) -> bool {
        matches!(self.kind, TaskKind::Summary | TaskKind::WbsSummary | TaskKind::LevelOfEffort)
    }
}

/// Relationship type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum LinkType {
    /// Finish-to-start.
    #[default]
    FS,
    /// Start-to-start.
    SS,
    /// Finish-to-finish.
    FF,
    /// Start-to-finish.
    SF,
}

/// A relationship lag (negative for a lead).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
pub struct Lag {
    /// Lag in minutes (working minutes unless `elapsed`); for `Percent` the percentage times 100
    /// (basis points of the predecessor's duration).
    pub amount: i64,
    /// Unit it was entered in; `Percent` makes `amount` a share of the predecessor's duration.
    #[serde(default)]
    pub unit: DurationUnit,
    /// Counted on the clock rather than a calendar.
    #[serde(default)]
    pub elapsed: bool,
}

/// A relationship between two tasks.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Link {
    /// Predecessor.
    pub pred: TaskIx,
    /// Successor.
    pub succ: TaskIx,
    /// Type.
    pub kind: LinkType,
    /// Lag or lead.
    #[serde(default)]
    pub lag: Lag,
}

/// Resource type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ResourceKind {
    /// Labour (work).
    #[default]
    Work,
    /// Material.
    Material,
    /// Cost.
    Cost,
}

/// A resource as the file carries it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Resource {
    /// The tool's identifier.
    pub key: String,
    /// Name.
    pub name: String,
    /// Type.
    pub kind: ResourceKind,
    /// Maximum units (1.0 = one full-time person).
    #[serde(default)]
    pub max_units: Option<f64>,
    /// Calendar.
    #[serde(default)]
    pub calendar: Option<CalendarIx>,
    /// Standard rate per hour in minor currency units.
    #[serde(default)]
    pub rate_minor_per_hour: Option<i64>,
}

/// A resource assignment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assignment {
    /// Task.
    pub task: TaskIx,
    /// Resource.
    pub resource: ResourceIx,
    /// Units (1.0 = 100%).
    pub units: f64,
    /// Planned work in minutes.
    #[serde(default)]
    pub work_minutes: Option<i64>,
    /// Actual work in minutes.
    #[serde(default)]
    pub actual_work_minutes: Option<i64>,
    /// Remaining work in minutes.
    #[serde(default)]
    pub remaining_work_minutes: Option<i64>,
    /// Cost in minor units.
    #[serde(default)]
    pub cost_minor: Option<i64>,
}

/// Something an importer met and could not model exactly; shown in the import report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportWarning {
    /// Where: a task, a calendar, a record type or a line ("task 12 'Pour slab'", "line 40").
    pub location: String,
    /// What was met and what Keel did with it.
    pub message: String,
}
