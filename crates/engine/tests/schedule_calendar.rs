//! Working-time calendars: conversions, growth, derived calendars, exceptions and work weeks.

#![allow(clippy::unwrap_used)] // Test helpers: a panic is the failure report.

use chrono::{NaiveDate, NaiveDateTime};
use keel_engine::schedule::calendar::{WorkCalendar, from_clock, standard, to_clock, twenty_four_hour};
use keel_engine::schedule::{Calendar, Exception, Recurrence, ScheduleError, WorkWeek, WorkingTime};

fn dt(y: i32, m: u32, d: u32, h: u32, mi: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, m, d).unwrap().and_hms_opt(h, mi, 0).unwrap()
}
fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn std_cal() -> WorkCalendar {
    WorkCalendar::compile(&[standard()], 0, date(2024, 1, 1)).unwrap()
}

#[test]
fn start_and_finish_readings() {
    let mut c = std_cal();
    let mon8 = c.ordinal(to_clock(dt(2024, 1, 1, 8, 0)));
    assert_eq!(from_clock(c.start_clock(mon8)), dt(2024, 1, 1, 8, 0));
    assert_eq!(from_clock(c.finish_clock(mon8)), dt(2023, 12, 29, 17, 0));
    assert_eq!(from_clock(c.finish_clock(mon8 + 240)), dt(2024, 1, 1, 12, 0));
    assert_eq!(from_clock(c.start_clock(mon8 + 240)), dt(2024, 1, 1, 13, 0));
    assert_eq!(from_clock(c.finish_clock(mon8 + 480)), dt(2024, 1, 1, 17, 0));
    // Saturday 10:00 has the ordinal of Monday 08:00 next week.
    let sat = c.ordinal(to_clock(dt(2024, 1, 6, 10, 0)));
    assert_eq!(sat, mon8 + 5 * 480);
    assert_eq!(c.next_work_start(dt(2024, 1, 6, 10, 0)), dt(2024, 1, 8, 8, 0));
    assert_eq!(c.previous_work_finish(dt(2024, 1, 6, 10, 0)), dt(2024, 1, 5, 17, 0));
    assert_eq!(c.previous_work_finish(dt(2024, 1, 5, 12, 30)), dt(2024, 1, 5, 12, 0));
}

#[test]
fn add_and_subtract() {
    let mut c = std_cal();
    assert_eq!(c.add_working(dt(2024, 1, 1, 8, 0), 5 * 480), dt(2024, 1, 5, 17, 0));
    assert_eq!(c.add_working(dt(2024, 1, 5, 17, 0), -5 * 480), dt(2024, 1, 1, 8, 0));
    assert_eq!(c.add_working(dt(2024, 1, 1, 11, 0), 120), dt(2024, 1, 1, 14, 0));
    assert_eq!(c.working_minutes_between(dt(2024, 1, 1, 8, 0), dt(2024, 1, 8, 8, 0)), 2400);
    assert_eq!(WorkCalendar::add_elapsed(dt(2024, 1, 1, 8, 0), 1440), dt(2024, 1, 2, 8, 0));
}

#[test]
fn grows_in_both_directions_keeping_ordinals() {
    let mut c = std_cal();
    let a = c.ordinal(to_clock(dt(2024, 1, 1, 8, 0)));
    let far = c.ordinal(to_clock(dt(2090, 6, 1, 8, 0)));
    let back = c.ordinal(to_clock(dt(1950, 6, 1, 8, 0)));
    assert_eq!(c.ordinal(to_clock(dt(2024, 1, 1, 8, 0))), a);
    assert!(back < a && a < far);
    assert_eq!(from_clock(c.start_clock(far)), dt(2090, 6, 1, 8, 0));
    assert_eq!(from_clock(c.start_clock(back)), dt(1950, 6, 1, 8, 0));
    // Adding a long stretch of working time walks past the horizon.
    let t = c.add_working(dt(2024, 1, 1, 8, 0), 480 * 5 * 52 * 30);
    assert!(t > dt(2053, 1, 1, 0, 0));
}

#[test]
fn derived_calendar_inherits_and_exceptions() {
    let mut base = standard();
    base.exceptions.push(Exception {
        name: "New year".into(),
        from: date(2024, 1, 1),
        to: date(2024, 1, 1),
        working: vec![],
        recurrence: None,
    });
    let mut derived = Calendar { name: "Night".into(), base: Some(0), ..Default::default() };
    derived.week[2] = Some(vec![WorkingTime { from: 1200, to: 1440 }]);
    let cals = vec![base, derived];
    let mut d = WorkCalendar::compile(&cals, 1, date(2024, 1, 1)).unwrap();
    assert_eq!(d.working_times(date(2024, 1, 1)), vec![]);
    assert_eq!(d.working_times(date(2024, 1, 2)), vec![(480, 720), (780, 1020)]);
    assert_eq!(d.working_times(date(2024, 1, 3)), vec![(1200, 1440)]);
    // Wednesday 24:00 reads as a finish at midnight.
    let w = d.ordinal(to_clock(dt(2024, 1, 3, 20, 0))) + 240;
    assert_eq!(from_clock(d.finish_clock(w)), dt(2024, 1, 4, 0, 0));
    assert_eq!(from_clock(d.start_clock(w)), dt(2024, 1, 4, 8, 0));
}

#[test]
fn recurring_exceptions() {
    let mut c = standard();
    c.exceptions.push(Exception {
        name: "Every other Friday off".into(),
        from: date(2024, 1, 5),
        to: date(2024, 12, 31),
        working: vec![],
        recurrence: Some(Recurrence::Weekly { period: 2, days: [false, false, false, false, true, false, false] }),
    });
    c.exceptions.push(Exception {
        name: "Last Monday of May".into(),
        from: date(2020, 1, 1),
        to: date(2030, 12, 31),
        working: vec![],
        recurrence: Some(Recurrence::YearlyByPosition { month: 5, position: 5, weekday: 0 }),
    });
    c.exceptions.push(Exception {
        name: "Saturday work on the 1st".into(),
        from: date(2024, 1, 1),
        to: date(2024, 12, 31),
        working: vec![WorkingTime { from: 540, to: 600 }],
        recurrence: Some(Recurrence::MonthlyByDay { period: 1, day: 1 }),
    });
    let mut w = WorkCalendar::compile(&[c], 0, date(2024, 1, 1)).unwrap();
    assert_eq!(w.working_minutes_on(date(2024, 1, 5)), 0);
    assert_eq!(w.working_minutes_on(date(2024, 1, 12)), 480);
    assert_eq!(w.working_minutes_on(date(2024, 1, 19)), 0);
    assert_eq!(w.working_minutes_on(date(2024, 5, 27)), 0);
    assert_eq!(w.working_minutes_on(date(2024, 5, 20)), 480);
    assert_eq!(w.working_minutes_on(date(2024, 6, 1)), 60);
    assert_eq!(w.working_minutes_on(date(2025, 2, 1)), 0);
}

#[test]
fn work_weeks_override_the_week() {
    let mut c = standard();
    let four = Some(vec![WorkingTime { from: 480, to: 960 }]);
    c.work_weeks.push(WorkWeek {
        name: "Summer".into(),
        from: date(2024, 7, 1),
        to: date(2024, 8, 31),
        week: [four.clone(), four.clone(), four.clone(), four, Some(vec![]), None, None],
    });
    let mut w = WorkCalendar::compile(&[c], 0, date(2024, 1, 1)).unwrap();
    assert_eq!(w.working_minutes_on(date(2024, 7, 1)), 480);
    assert_eq!(w.working_minutes_on(date(2024, 7, 5)), 0);
    assert_eq!(w.working_minutes_on(date(2024, 7, 6)), 0);
    assert_eq!(w.working_minutes_on(date(2024, 9, 6)), 480);
}

#[test]
fn invalid_calendars_are_named() {
    let mut c = standard();
    c.name = "Bad".into();
    c.week[0] = Some(vec![WorkingTime { from: 600, to: 600 }]);
    let e = WorkCalendar::compile(&[c], 0, date(2024, 1, 1)).unwrap_err();
    assert!(matches!(&e, ScheduleError::Invalid { task, .. } if task.contains("Bad")), "{e}");

    let mut a = standard();
    a.base = Some(1);
    let mut b = standard();
    b.base = Some(0);
    b.name = "Loop".into();
    assert!(WorkCalendar::compile(&[a.clone(), b], 0, date(2024, 1, 1)).is_err());
    a.base = Some(7);
    assert!(WorkCalendar::compile(&[a], 0, date(2024, 1, 1)).is_err());
}

#[test]
fn twenty_four_hours() {
    let mut c = WorkCalendar::compile(&[twenty_four_hour()], 0, date(2024, 1, 1)).unwrap();
    assert_eq!(c.add_working(dt(2024, 1, 1, 0, 0), 1440), dt(2024, 1, 2, 0, 0));
    assert_eq!(c.add_working(dt(2024, 1, 6, 22, 0), 180), dt(2024, 1, 7, 1, 0));
}

#[test]
fn no_working_time_overflows_instead_of_looping() {
    let c = Calendar { name: "Off".into(), week: Default::default(), ..Default::default() };
    let mut w = WorkCalendar::compile(&[c], 0, date(2024, 1, 1)).unwrap();
    assert!(!w.has_working_time());
    let _ = w.start_clock(10);
    assert!(w.overflowed());
}

#[test]
fn a_base_calendar_holiday_applies_to_days_a_derived_calendar_works() {
    // A six-day calendar derived from Standard works Saturdays; Standard's holiday on a Saturday
    // still closes it (MS Project checks the exceptions of the calendar and its bases first).
    let mut base = standard();
    base.exceptions.push(Exception {
        name: "Labour Day".into(),
        from: date(2027, 5, 1),
        to: date(2027, 5, 1),
        working: vec![],
        recurrence: None,
    });
    let mut six = Calendar { name: "Six day".into(), base: Some(0), ..Default::default() };
    six.week[5] = Some(vec![WorkingTime { from: 480, to: 780 }]);
    let mut c = WorkCalendar::compile(&[base, six], 1, date(2027, 1, 1)).unwrap();
    assert_eq!(c.working_minutes_on(date(2027, 5, 1)), 0);
    assert_eq!(c.working_minutes_on(date(2027, 5, 8)), 300);
    assert_eq!(c.working_minutes_on(date(2027, 5, 3)), 480);
}
