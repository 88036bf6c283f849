//! Plans from another time: telling when an imported plan's dates are far from the project it is
//! imported into, and moving a plan in time by whole weeks.
//!
//! A 2013 plan imported into a project planned for 2026 would otherwise feed milestones "overdue
//! since 2013". [`out_of_time`] names the evidence; [`rebase`] shifts the plan so it starts at the
//! project's planned start while every weekday stays the same weekday.

use chrono::{Datelike, Duration as Days, NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use super::model::Schedule;

/// How far (in days) a plan's start may lie from the project's planned start (or its finish from
/// the project's planned finish, when only that is known) before the plan counts as from another
/// time: 180 days, about half a year.
pub const MAX_START_GAP_DAYS: i64 = 180;

/// For a project without planned dates: how long before today a plan may have finished before it
/// counts as from another time (a year).
pub const MAX_AGE_DAYS: i64 = 365;

/// The evidence that a plan belongs to another time than its project.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeGap {
    /// The plan's first day.
    pub plan_start: NaiveDate,
    /// The plan's last day.
    pub plan_finish: NaiveDate,
    /// The project's planned start, if it has one.
    pub project_start: Option<NaiveDate>,
    /// The project's planned finish, if it has one.
    pub project_finish: Option<NaiveDate>,
    /// The day the rule compared with when the project has no planned dates.
    pub today: NaiveDate,
    /// Days from the plan's date to the project's date (or today) the rule compared; positive when
    /// the plan lies earlier.
    pub days: i64,
}

/// Whether the plan running `plan_start..=plan_finish` belongs to another time than a project
/// planned `project_start..=project_finish`, as seen on `today`.
///
/// The rule, in order:
/// 1. the project has a planned start: the plan is from another time when its start lies more than
///    [`MAX_START_GAP_DAYS`] before or after it;
/// 2. the project has only a planned finish: the same test on the plan's finish;
/// 3. the project has no planned dates: the plan is from another time when it finished more than
///    [`MAX_AGE_DAYS`] before `today` (a plan for the future is never flagged).
///
/// Returns the evidence when it is, `None` otherwise. O(1).
///
/// ```
/// use chrono::NaiveDate;
/// use keel_engine::schedule::rebase::out_of_time;
/// let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
/// let today = d(2026, 3, 1);
/// let gap = out_of_time(d(2013, 1, 7), d(2013, 9, 30), Some(d(2026, 1, 5)), Some(d(2026, 12, 18)), today);
/// assert!(gap.is_some_and(|g| g.days > 4000));
/// assert_eq!(out_of_time(d(2026, 2, 2), d(2026, 9, 30), Some(d(2026, 1, 5)), None, today), None);
/// assert!(out_of_time(d(2013, 1, 7), d(2013, 9, 30), None, None, today).is_some());
/// ```
pub fn out_of_time(
    plan_start: NaiveDate,
    plan_finish: NaiveDate,
    project_start: Option<NaiveDate>,
    project_finish: Option<NaiveDate>,
    today: NaiveDate,
) -> Option<TimeGap> {
    let gap = |days: i64| TimeGap { plan_start, plan_finish, project_start, project_finish, today, days };
    match (project_start, project_finish) {
        (Some(s), _) => {
            let days = (s - plan_start).num_days();
            (days.abs() > MAX_START_GAP_DAYS).then(|| gap(days))
        }
        (None, Some(f)) => {
            let days = (f - plan_finish).num_days();
            (days.abs() > MAX_START_GAP_DAYS).then(|| gap(days))
        }
        (None, None) => {
            let days = (today - plan_finish).num_days();
            (days > MAX_AGE_DAYS).then(|| gap(days))
        }
    }
}

/// The whole number of weeks that moves `from` to the first day on or after `to` that falls on the
/// same weekday as `from` (negative to move back). Adding them keeps every weekday a weekday.
///
/// ```
/// use chrono::NaiveDate;
/// use keel_engine::schedule::rebase::weeks_to;
/// let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
/// // Monday 7 Jan 2013 to Monday 5 Jan 2026.
/// assert_eq!(weeks_to(d(2013, 1, 7), d(2026, 1, 5)), 678);
/// // To a Sunday: the Monday after.
/// assert_eq!(weeks_to(d(2013, 1, 7), d(2026, 1, 4)), 678);
/// assert_eq!(weeks_to(d(2026, 1, 5), d(2013, 1, 7)), -678);
/// ```
pub fn weeks_to(from: NaiveDate, to: NaiveDate) -> i64 {
    (to - from).num_days().div_euclid(7) + i64::from((to - from).num_days().rem_euclid(7) != 0)
}

/// Shifts every date of a plan by `weeks` whole weeks, so weekdays stay weekdays and a plan
/// computed on the same calendar keeps its durations and floats: the projects' start, finish
/// constraint and status date; every task's constraints, deadline, actual start and finish, resume
/// date, baselines and the dates the writing tool stored; the calendars' work weeks and the window
/// of recurring exceptions (so a recurring holiday keeps recurring over the plan).
///
/// Dated, non-recurring calendar exceptions are NOT shifted: a holiday falls on its date whatever
/// the plan. Rebasing by `n` then `-n` gives the plan back. O(tasks + calendars + exceptions).
///
/// ```
/// use chrono::NaiveDate;
/// use keel_engine::schedule::{ProjectInfo, Schedule, rebase::rebase};
/// let t = NaiveDate::from_ymd_opt(2013, 1, 7).unwrap().and_hms_opt(8, 0, 0).unwrap();
/// let mut s = Schedule { projects: vec![ProjectInfo { start: t, ..Default::default() }], ..Default::default() };
/// rebase(&mut s, 2);
/// assert_eq!(s.projects[0].start.date(), NaiveDate::from_ymd_opt(2013, 1, 21).unwrap());
/// ```
pub fn rebase(s: &mut Schedule, weeks: i64) {
    let by = Days::weeks(weeks);
    let at = |t: &mut NaiveDateTime| *t += by;
    let opt = |t: &mut Option<NaiveDateTime>| {
        if let Some(t) = t {
            *t += by;
        }
    };
    for p in &mut s.projects {
        at(&mut p.start);
        opt(&mut p.finish_constraint);
        opt(&mut p.status_date);
    }
    for t in &mut s.tasks {
        for c in [&mut t.constraint, &mut t.secondary_constraint].into_iter().flatten() {
            opt(&mut c.date);
        }
        for d in [&mut t.deadline, &mut t.actual_start, &mut t.actual_finish, &mut t.resume] {
            opt(d);
        }
        for b in &mut t.baselines {
            opt(&mut b.start);
            opt(&mut b.finish);
        }
        let st = &mut t.stored;
        for d in [
            &mut st.start,
            &mut st.finish,
            &mut st.early_start,
            &mut st.early_finish,
            &mut st.late_start,
            &mut st.late_finish,
        ] {
            opt(d);
        }
    }
    for c in &mut s.calendars {
        for w in &mut c.work_weeks {
            w.from += by;
            w.to += by;
        }
        for e in c.exceptions.iter_mut().filter(|e| e.recurrence.is_some()) {
            e.from = shift_date(e.from, by);
            e.to = shift_date(e.to, by);
        }
    }
}

/// A date moved by `by`, kept within chrono's range (an open-ended window, such as year 9999,
/// stays where it is rather than overflowing).
fn shift_date(d: NaiveDate, by: Days) -> NaiveDate {
    d.checked_add_signed(by).filter(|n| n.year() < 9000).unwrap_or(d)
}

/// The first and last day of a computed plan: the earliest project start or task start, and the
/// computed finish.
pub fn plan_window(s: &Schedule, r: &super::ScheduleResult) -> (NaiveDate, NaiveDate) {
    let first = s
        .projects
        .iter()
        .map(|p| p.start)
        .chain(r.tasks.iter().map(|t| t.start))
        .chain(s.tasks.iter().filter_map(|t| t.actual_start))
        .min()
        .unwrap_or(r.finish);
    (first.date(), r.finish.date().max(first.date()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn a_plan_near_the_planned_start_is_not_flagged() {
        let today = d(2026, 6, 1);
        assert_eq!(out_of_time(d(2026, 7, 1), d(2027, 1, 1), Some(d(2026, 1, 5)), None, today), None);
        assert_eq!(out_of_time(d(2025, 8, 1), d(2026, 1, 1), Some(d(2026, 1, 5)), None, today), None);
    }

    #[test]
    fn a_plan_far_from_the_planned_start_is_flagged_either_way() {
        let today = d(2026, 6, 1);
        let old = out_of_time(d(2013, 1, 7), d(2013, 9, 30), Some(d(2026, 1, 5)), Some(d(2026, 12, 18)), today);
        assert_eq!(old.unwrap().days, (d(2026, 1, 5) - d(2013, 1, 7)).num_days());
        let future = out_of_time(d(2030, 1, 7), d(2030, 9, 30), Some(d(2026, 1, 5)), None, today);
        assert!(future.unwrap().days < 0);
        // 181 days out is flagged, 180 is not.
        assert!(out_of_time(d(2026, 7, 5), d(2026, 9, 1), Some(d(2026, 1, 5)), None, today).is_some());
        assert!(out_of_time(d(2026, 7, 4), d(2026, 9, 1), Some(d(2026, 1, 5)), None, today).is_none());
    }

    #[test]
    fn only_a_planned_finish_compares_finishes() {
        let today = d(2026, 6, 1);
        assert!(out_of_time(d(2013, 1, 7), d(2013, 9, 30), None, Some(d(2026, 12, 18)), today).is_some());
        assert!(out_of_time(d(2026, 1, 7), d(2026, 11, 30), None, Some(d(2026, 12, 18)), today).is_none());
    }

    #[test]
    fn without_planned_dates_only_a_plan_over_a_year_old_is_flagged() {
        let today = d(2026, 6, 1);
        assert!(out_of_time(d(2013, 1, 7), d(2013, 9, 30), None, None, today).is_some());
        assert!(out_of_time(d(2025, 1, 7), d(2025, 9, 30), None, None, today).is_none());
        assert!(out_of_time(d(2040, 1, 7), d(2040, 9, 30), None, None, today).is_none());
    }

    #[test]
    fn weeks_to_lands_on_the_same_weekday_on_or_after_the_target() {
        for (from, to) in
            [(d(2013, 1, 7), d(2026, 1, 5)), (d(2013, 1, 9), d(2026, 1, 5)), (d(2026, 3, 1), d(2013, 1, 1))]
        {
            let moved = from + Days::weeks(weeks_to(from, to));
            assert_eq!(moved.weekday(), from.weekday());
            assert!(moved >= to && (moved - to).num_days() < 7, "{from} -> {moved} for {to}");
        }
    }

    #[test]
    fn dated_exceptions_stay_and_recurring_windows_move() {
        use super::super::model::{Calendar, Exception, Recurrence};
        let ex = |recurrence| Exception {
            name: "Christmas".into(),
            from: d(2013, 12, 25),
            to: d(2013, 12, 25),
            working: vec![],
            recurrence,
        };
        let mut s = Schedule {
            calendars: vec![Calendar {
                exceptions: vec![ex(None), ex(Some(Recurrence::YearlyByDate { month: 12, day: 25 }))],
                ..Default::default()
            }],
            ..Default::default()
        };
        rebase(&mut s, 10);
        assert_eq!(s.calendars[0].exceptions[0].from, d(2013, 12, 25));
        assert_eq!(s.calendars[0].exceptions[1].from, d(2013, 12, 25) + Days::weeks(10));
    }
}
