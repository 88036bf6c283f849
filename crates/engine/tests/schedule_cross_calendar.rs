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
use keel_engine::schedule::calendar::standard;
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
