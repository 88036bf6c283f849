//! Late dates across calendars: a start-to-start lag counted on the successor's calendar.
//!
//! Pins the rule behind the schedule benchmark's five-calendar 100k network, where MPXJ's
//! `MicrosoftScheduler` flags three fewer critical tasks than Keel: going back over a
//! start-to-start link, the lag is removed from the successor's late start on the successor's
//! calendar first, and only then read on the predecessor's calendar. MPXJ moves the successor's
//! late start to the predecessor's next working time first and removes the lag from there, which
//! on a night-shift successor adds a whole night to the predecessor's slack: a slack the
//! predecessor cannot use without delaying the successor past its own late start.

#![allow(clippy::unwrap_used)] // Test helpers: a panic is the failure report.

use chrono::{NaiveDate, NaiveDateTime};
use keel_engine::schedule::calendar::{standard, twenty_four_hour};
use keel_engine::schedule::{
    Calendar, Duration, DurationUnit, Lag, Link, LinkType, ProjectInfo, Schedule, Task, WorkingTime, schedule,
};

fn at(d: u32, h: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2024, 1, d).unwrap().and_hms_opt(h, 0, 0).unwrap()
}

/// Night shift: Monday 22:00 to Saturday 06:00, nights of 22:00 to 06:00.
fn night() -> Calendar {
    let day = |iv: &[(u16, u16)]| Some(iv.iter().map(|&(from, to)| WorkingTime { from, to }).collect::<Vec<_>>());
    Calendar {
        name: "Night shift".into(),
        week: [
            day(&[(1320, 1440)]),
            day(&[(0, 360), (1320, 1440)]),
            day(&[(0, 360), (1320, 1440)]),
            day(&[(0, 360), (1320, 1440)]),
            day(&[(0, 360), (1320, 1440)]),
            day(&[(0, 360)]),
            Some(vec![]),
        ],
        ..Default::default()
    }
}

fn task(code: &str, days: i64, calendar: usize) -> Task {
    Task {
        code: code.into(),
        name: format!("Task {code}"),
        outline_level: 1,
        duration: Duration::working(days * 480, DurationUnit::Days),
        calendar: Some(calendar),
        ..Default::default()
    }
}

#[test]
fn start_to_start_lag_onto_a_night_shift_is_removed_before_reading_the_predecessor_calendar() {
    // A (standard) --SS +0.5d--> B (night shift) --FS--> C (standard), project start Monday 08:00.
    let s = Schedule {
        projects: vec![ProjectInfo { start: at(1, 8), calendar: 0, ..Default::default() }],
        calendars: vec![standard(), night()],
        tasks: vec![task("A", 1, 0), task("B", 1, 1), task("C", 1, 0)],
        links: vec![
            Link {
                pred: 0,
                succ: 1,
                kind: LinkType::SS,
                lag: Lag { amount: 240, unit: DurationUnit::Days, elapsed: false },
            },
            Link { pred: 1, succ: 2, kind: LinkType::FS, lag: Lag::default() },
        ],
        ..Default::default()
    };
    let r = schedule(&s).unwrap();
    let (a, b, c) = (&r.tasks[0], &r.tasks[1], &r.tasks[2]);
    // Forward: B starts 4 night hours after A's start (Monday 22:00 to Tuesday 02:00).
    assert_eq!((a.early_start, a.early_finish), (at(1, 8), at(1, 17)));
    assert_eq!((b.early_start, b.early_finish), (at(2, 2), at(3, 2)));
    assert_eq!((c.early_start, c.early_finish), (at(3, 8), at(3, 17)));
    assert_eq!(r.finish, at(3, 17));
    // B must finish by C's late start (Wednesday 08:00): by Wednesday 06:00 on the night shift.
    assert_eq!((b.late_start, b.late_finish, b.total_float), (at(2, 22), at(3, 6), 240));
    // A: B's late start less 4 night hours is Tuesday 02:00, so A must start by the end of Monday
    // (read as Tuesday 08:00): one day of slack. A start at Tuesday 08:00 or later would put B at
    // Wednesday 02:00, past its late start. MPXJ reads B's late start as Wednesday 08:00 on A's
    // calendar first and removes the lag from there (Wednesday 02:00), giving A a late start of
    // Wednesday 08:00 and two days of slack.
    assert_eq!((a.late_start, a.late_finish), (at(2, 8), at(2, 17)));
    assert_eq!(a.total_float, 480);
    assert!(!a.critical && !b.critical && c.critical);
}

fn minutes(code: &str, minutes: i64, unit: DurationUnit, calendar: usize) -> Task {
    Task { duration: Duration::working(minutes, unit), ..task(code, 0, calendar) }
}

fn lead_link(pred: usize, succ: usize, kind: LinkType, amount: i64) -> Link {
    Link { pred, succ, kind, lag: Lag { amount, unit: DurationUnit::Days, elapsed: false } }
}

#[test]
fn lead_from_a_midnight_finish_counts_back_from_the_equivalent_working_end() {
    // A (24 hours) runs Monday 08:00 to Tuesday 00:00, a moment outside the standard calendar's
    // working time, equivalent there to Monday 17:00 (and to Tuesday 08:00): no working time lies
    // between them. A lead of half a day (240 minutes, the link stores minutes) counted back on the
    // successor's calendar from any of them lands on Monday 13:00.
    //   A --FS -0.5d--> B (standard, 1 day)
    //   A --FF--> C (standard, half a day): C finishes at Monday 17:00, so starts Monday 13:00.
    //   D (24 hours) runs Monday 08:00 to 23:00 --FS -0.5d--> E (standard, 1 day): the control,
    //   anchored one hour earlier in the same non-working evening.
    // MPXJ's MicrosoftScheduler (16.x) gives B and C Tuesday 08:00 and E Monday 13:00: its calendar's
    // backward count (ProjectCalendar.getDateFromNegativeDuration) reads a 00:00 end as the end of the
    // previous day's last working range, counts the evening hours 17:00-24:00 as work, lands on Monday
    // 20:00 and moves to the next working start. That is the whole early-date difference (73 tasks)
    // on the benchmark's five-calendar 100k network.
    let s = Schedule {
        projects: vec![ProjectInfo { start: at(1, 8), calendar: 0, ..Default::default() }],
        calendars: vec![standard(), twenty_four_hour()],
        tasks: vec![
            minutes("A", 960, DurationUnit::Hours, 1),
            task("B", 1, 0),
            minutes("C", 240, DurationUnit::Days, 0),
            minutes("D", 900, DurationUnit::Hours, 1),
            task("E", 1, 0),
        ],
        links: vec![
            lead_link(0, 1, LinkType::FS, -240),
            lead_link(0, 2, LinkType::FF, 0),
            lead_link(3, 4, LinkType::FS, -240),
        ],
        ..Default::default()
    };
    let r = schedule(&s).unwrap();
    let t = |i: usize| (r.tasks[i].early_start, r.tasks[i].early_finish);
    assert_eq!(t(0), (at(1, 8), at(2, 0)));
    assert_eq!(t(3), (at(1, 8), at(1, 23)));
    assert_eq!(t(1), (at(1, 13), at(2, 12)));
    assert_eq!(t(2), (at(1, 13), at(1, 17)));
    assert_eq!(t(4), (at(1, 13), at(2, 12)));
}
