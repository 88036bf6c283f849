//! The critical-path engine's rules on small hand-worked schedules: errors, constraints, progress,
//! summaries, calendars.

#![allow(clippy::unwrap_used)] // Test helpers: a panic is the failure report.

use chrono::{NaiveDate, NaiveDateTime};
use keel_engine::schedule::calendar::{standard, twenty_four_hour};
use keel_engine::schedule::{
    Constraint, ConstraintKind, Duration, DurationUnit, Lag, Link, LinkType, Mode, ProjectInfo, Schedule,
    ScheduleError, Task, TaskKind, schedule,
};

fn at(d: u32, h: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2024, 1, d).unwrap().and_hms_opt(h, 0, 0).unwrap()
}

fn task(code: &str, days: i64) -> Task {
    Task {
        code: code.into(),
        name: format!("Task {code}"),
        outline_level: 1,
        duration: Duration::working(days * 480, DurationUnit::Days),
        ..Default::default()
    }
}

fn fs(pred: usize, succ: usize) -> Link {
    Link { pred, succ, kind: LinkType::FS, lag: Lag::default() }
}

fn plan(tasks: Vec<Task>, links: Vec<Link>) -> Schedule {
    Schedule {
        projects: vec![ProjectInfo { start: at(1, 8), ..Default::default() }],
        calendars: vec![standard()],
        tasks,
        links,
        ..Default::default()
    }
}

#[test]
fn a_cycle_names_the_tasks_on_the_loop_in_order() {
    let s = plan(
        vec![task("A", 1), task("B", 1), task("C", 1), task("D", 1)],
        vec![fs(0, 1), fs(1, 2), fs(2, 3), fs(3, 1)],
    );
    let e = schedule(&s).unwrap_err();
    assert_eq!(e, ScheduleError::Cycle { tasks: vec!["B Task B".into(), "C Task C".into(), "D Task D".into()] });
    assert_eq!(e.to_string(), "the links form a loop: B Task B -> C Task C -> D Task D");
}

#[test]
fn a_self_link_is_a_cycle() {
    let s = plan(vec![task("A", 1)], vec![fs(0, 0)]);
    assert!(matches!(schedule(&s), Err(ScheduleError::Cycle { tasks }) if tasks == vec!["A Task A".to_string()]));
}

#[test]
fn invalid_input_names_task_and_field() {
    let cases: Vec<(Schedule, &str, &str)> = vec![
        (plan(vec![task("A", 1)], vec![fs(0, 5)]), "link 0", "succ"),
        (plan(vec![task("A", 1)], vec![fs(9, 0)]), "link 0", "pred"),
        (plan(vec![task("A", -1)], vec![]), "A Task A", "duration"),
        (
            {
                let mut t = task("A", 1);
                t.constraint = Some(Constraint { kind: ConstraintKind::Snet, date: None });
                plan(vec![t], vec![])
            },
            "A Task A",
            "constraint",
        ),
        (
            {
                let mut t = task("A", 1);
                t.actual_start = Some(at(3, 8));
                t.actual_finish = Some(at(2, 8));
                plan(vec![t], vec![])
            },
            "A Task A",
            "actual_finish",
        ),
        (
            {
                let mut t = task("A", 1);
                t.calendar = Some(4);
                plan(vec![t], vec![])
            },
            "A Task A",
            "calendar",
        ),
        (
            {
                let mut t = task("A", 1);
                t.duration.minutes = i64::MAX;
                plan(vec![t], vec![])
            },
            "A Task A",
            "duration",
        ),
    ];
    for (s, who, what) in cases {
        match schedule(&s) {
            Err(ScheduleError::Invalid { task, field, .. }) => {
                assert_eq!((task.as_str(), field), (who, what));
            }
            other => panic!("expected Invalid({who}, {what}), got {other:?}"),
        }
    }
}

#[test]
fn a_calendar_without_working_time_is_refused() {
    let mut s = plan(vec![task("A", 1)], vec![]);
    s.calendars[0].week = Default::default();
    assert!(matches!(schedule(&s), Err(ScheduleError::Invalid { field: "calendar", .. })));
}

#[test]
fn lags_leads_and_link_types() {
    let mut links = vec![fs(0, 1)];
    links[0].lag.amount = 480; // one day
    links.push(Link { pred: 0, succ: 2, kind: LinkType::SS, lag: Lag { amount: 240, ..Default::default() } });
    links.push(Link { pred: 0, succ: 3, kind: LinkType::FF, lag: Lag::default() });
    links.push(Link { pred: 1, succ: 4, kind: LinkType::FS, lag: Lag { amount: -480, ..Default::default() } });
    let s = plan(vec![task("A", 2), task("B", 1), task("C", 1), task("D", 1), task("E", 1)], links);
    let r = schedule(&s).unwrap();
    assert_eq!(r.tasks[1].early_start, at(4, 8)); // A ends Tue 17:00, +1d -> Thu
    assert_eq!(r.tasks[2].early_start, at(1, 13)); // half a day after A starts (after lunch)
    assert_eq!(r.tasks[3].early_finish, at(2, 17)); // finishes with A
    assert_eq!(r.tasks[4].early_start, at(4, 8)); // a one-day lead overlaps B
}

#[test]
fn elapsed_durations_and_lags_run_on_the_clock() {
    let mut a = task("A", 0);
    a.duration = Duration { minutes: 2 * 1440, unit: DurationUnit::Days, elapsed: true, estimated: false };
    let mut s = plan(vec![a, task("B", 1)], vec![fs(0, 1)]);
    s.links[0].lag = Lag { amount: 1440, unit: DurationUnit::Days, elapsed: true };
    // Friday 08:00 start: two elapsed days end Sunday 08:00; one elapsed day of lag -> Monday 08:00.
    s.projects[0].start = at(5, 8);
    let r = schedule(&s).unwrap();
    assert_eq!(r.tasks[0].early_finish, at(7, 8));
    assert_eq!(r.tasks[1].early_start, at(8, 8));
}

#[test]
fn ms_project_constraints() {
    let mut b = task("B", 1);
    b.constraint = Some(Constraint { kind: ConstraintKind::Snet, date: Some(at(10, 8)) });
    let mut c = task("C", 1);
    c.constraint = Some(Constraint { kind: ConstraintKind::Mso, date: Some(at(2, 8)) });
    let mut d = task("D", 1);
    d.deadline = Some(at(3, 17));
    let s = plan(vec![task("A", 3), b, c, d], vec![fs(0, 1), fs(0, 2), fs(0, 3)]);
    let r = schedule(&s).unwrap();
    assert_eq!(r.tasks[1].early_start, at(10, 8));
    // Must start on pins the date over logic.
    assert_eq!(r.tasks[2].early_start, at(2, 8));
    assert_eq!(r.tasks[2].late_start, at(2, 8));
    // The deadline bounds the late finish: D cannot finish by Wednesday, so it has negative slack.
    assert_eq!(r.tasks[3].late_finish, at(3, 17));
    assert_eq!(r.tasks[3].total_float, -480);
    // A must finish before C's pinned start on Tuesday: two days behind.
    assert_eq!(r.tasks[0].late_finish, at(1, 17));
    assert_eq!(r.tasks[0].total_float, -960);
    assert!(r.tasks[0].critical);
}

#[test]
fn p6_start_on_is_soft_and_mandatory_overrides_logic() {
    let mut b = task("B", 1);
    b.constraint = Some(Constraint { kind: ConstraintKind::Mso, date: Some(at(2, 8)) });
    let mut c = task("C", 1);
    c.constraint = Some(Constraint { kind: ConstraintKind::MandatoryStart, date: Some(at(2, 8)) });
    let mut s = plan(vec![task("A", 3), b, c], vec![fs(0, 1), fs(0, 2)]);
    s.options.mode = Mode::Primavera;
    let r = schedule(&s).unwrap();
    assert_eq!(r.tasks[1].early_start, at(4, 8)); // logic wins over "start on"
    assert_eq!(r.tasks[1].late_start, at(2, 8)); // ... and the late start is held to it
    assert_eq!(r.tasks[1].total_float, -960);
    assert_eq!(r.tasks[2].early_start, at(2, 8)); // mandatory start overrides logic
}

#[test]
fn summaries_roll_up_and_pass_their_links_to_children() {
    let mut sum = task("S", 0);
    sum.kind = TaskKind::Summary;
    let mut x = task("X", 2);
    x.parent = Some(1);
    x.outline_level = 2;
    let mut y = task("Y", 1);
    y.parent = Some(1);
    y.outline_level = 2;
    let s = plan(vec![task("A", 1), sum, x, y, task("Z", 1)], vec![fs(0, 1), fs(1, 4)]);
    let r = schedule(&s).unwrap();
    assert_eq!(r.tasks[2].early_start, at(2, 8));
    assert_eq!(r.tasks[3].early_start, at(2, 8));
    assert_eq!(r.tasks[1].early_start, at(2, 8));
    assert_eq!(r.tasks[1].early_finish, at(3, 17));
    assert_eq!(r.tasks[4].early_start, at(4, 8));
    assert_eq!(r.tasks[3].total_float, 480);
}

#[test]
fn progress_ms_project_and_p6() {
    let mut a = task("A", 4);
    a.actual_start = Some(at(1, 8));
    a.percent_complete = 50.0;
    a.remaining = Some(Duration::working(960, DurationUnit::Days));
    let mut done = task("D", 1);
    done.actual_start = Some(at(1, 8));
    done.actual_finish = Some(at(1, 17));
    let mut s = plan(vec![a, task("B", 1), done], vec![fs(0, 1), fs(2, 1)]);
    s.projects[0].status_date = Some(at(8, 8));
    let ms = schedule(&s).unwrap();
    // MS Project: the started task runs its whole duration from its actual start.
    assert_eq!(ms.tasks[0].early_finish, at(4, 17));
    assert_eq!(ms.tasks[2].early_finish, at(1, 17));
    assert!(!ms.tasks[2].critical);
    s.options.mode = Mode::Primavera;
    let p6 = schedule(&s).unwrap();
    // P6: the remaining two days run from the data date.
    assert_eq!(p6.tasks[0].early_start, at(8, 8));
    assert_eq!(p6.tasks[0].early_finish, at(9, 17));
    assert_eq!(p6.tasks[1].early_start, at(10, 8));
}

#[test]
fn manual_and_inactive_tasks() {
    let mut m = task("M", 1);
    m.manual = true;
    m.stored.start = Some(at(15, 8));
    m.stored.finish = Some(at(15, 17));
    let mut off = task("X", 5);
    off.inactive = true;
    let s = plan(vec![m, off, task("B", 1)], vec![fs(0, 2), fs(1, 2)]);
    let r = schedule(&s).unwrap();
    assert_eq!(r.tasks[0].early_start, at(15, 8));
    assert!(!r.tasks[0].scheduled && !r.tasks[1].scheduled);
    assert_eq!(r.tasks[2].early_start, at(16, 8));
}

#[test]
fn tasks_on_different_calendars() {
    let mut a = task("A", 0);
    a.duration.minutes = 600;
    a.calendar = Some(1);
    let mut s = plan(vec![a, task("B", 1)], vec![fs(0, 1)]);
    s.calendars.push(twenty_four_hour());
    s.projects[0].start = at(5, 20); // Friday 20:00 on the 24-hour calendar
    let r = schedule(&s).unwrap();
    assert_eq!(r.tasks[0].early_finish, at(6, 6));
    // B works Monday to Friday: it starts Monday morning.
    assert_eq!(r.tasks[1].early_start, at(8, 8));
    assert_eq!(r.tasks[1].early_finish, at(8, 17));
}

#[test]
fn milestones_sit_at_the_end_of_the_day() {
    let mut m = task("M", 0);
    m.kind = TaskKind::Milestone;
    let s = plan(vec![task("A", 1), m], vec![fs(0, 1)]);
    let r = schedule(&s).unwrap();
    assert_eq!(r.tasks[1].early_start, at(1, 17));
    assert_eq!(r.tasks[1].early_finish, at(1, 17));
}

#[test]
fn p6_level_of_effort_spans_and_drives_nothing() {
    let mut loe = task("L", 1);
    loe.kind = TaskKind::LevelOfEffort;
    let links = vec![
        fs(0, 2),
        Link { pred: 0, succ: 1, kind: LinkType::SS, lag: Lag::default() },
        Link { pred: 1, succ: 2, kind: LinkType::FF, lag: Lag::default() },
    ];
    let mut s = plan(vec![task("A", 2), loe, task("B", 3)], links);
    s.options.mode = Mode::Primavera;
    let r = schedule(&s).unwrap();
    assert_eq!(r.tasks[2].early_start, at(3, 8)); // B follows A only
    assert_eq!(r.tasks[1].early_start, at(1, 8)); // L starts with A ...
    assert_eq!(r.tasks[1].early_finish, at(5, 17)); // ... and finishes with B
    assert!(!r.tasks[1].critical);
    assert!(r.tasks[0].critical && r.tasks[2].critical);
}

#[test]
fn ms_project_as_late_as_possible_runs_at_its_late_dates() {
    let mut b = task("B", 1);
    b.constraint = Some(Constraint { kind: ConstraintKind::Alap, date: None });
    let s = plan(vec![task("A", 3), b, task("C", 1)], vec![fs(1, 2)]);
    let r = schedule(&s).unwrap();
    // B and C can slide to the end of A's three days: B is scheduled as late as that allows.
    assert_eq!(r.tasks[1].early_start, at(1, 8));
    assert_eq!(r.tasks[1].late_start, at(2, 8));
    assert_eq!(r.tasks[1].start, at(2, 8));
    assert_eq!(r.tasks[1].finish, at(2, 17));
}

#[test]
fn p6_float_types_and_longest_path() {
    use keel_engine::schedule::FloatType;
    let mut s = plan(vec![task("A", 2), task("B", 1), task("C", 1), task("D", 1)], vec![fs(0, 1), fs(2, 3)]);
    s.options.mode = Mode::Primavera;
    s.options.float_type = FloatType::Finish;
    s.options.critical_by_longest_path = true;
    let r = schedule(&s).unwrap();
    assert_eq!(r.longest_path, vec![0, 1]);
    assert!(r.tasks[0].critical && r.tasks[1].critical);
    assert!(!r.tasks[2].critical && !r.tasks[3].critical);
    assert_eq!(r.tasks[3].total_float, 480);
}

#[test]
fn multi_project_schedules_finish_per_project() {
    let mut s = plan(vec![task("A", 5), task("B", 1)], vec![]);
    s.projects.push(ProjectInfo { start: at(8, 8), ..Default::default() });
    s.tasks[1].project = 1;
    let r = schedule(&s).unwrap();
    // Each project's backward pass starts from its own finish.
    assert_eq!(r.tasks[0].total_float, 0);
    assert_eq!(r.tasks[1].early_start, at(8, 8));
    assert_eq!(r.tasks[1].total_float, 0);
    assert_eq!(r.finish, at(8, 17));
}

#[test]
fn dates_outside_the_supported_years_are_named() {
    let far = NaiveDate::from_ymd_opt(9999, 12, 31).unwrap().and_hms_opt(17, 0, 0).unwrap();
    let mut a = task("A", 1);
    a.manual = true;
    a.stored.start = Some(at(1, 8));
    a.stored.finish = Some(far);
    let s = plan(vec![a, task("B", 1)], vec![]);
    match schedule(&s) {
        Err(ScheduleError::Invalid { task, field, .. }) => {
            assert_eq!((task.as_str(), field), ("A Task A", "stored.finish"))
        }
        other => panic!("{other:?}"),
    }
    let mut s = plan(vec![task("A", 1)], vec![]);
    s.tasks[0].deadline = Some(NaiveDate::from_ymd_opt(1066, 10, 14).unwrap().and_hms_opt(9, 0, 0).unwrap());
    assert!(matches!(schedule(&s), Err(ScheduleError::Invalid { field: "deadline", .. })));
}

#[test]
fn p6_reports_a_completed_activity_at_the_data_date() {
    let mut done = task("D", 2);
    done.actual_start = Some(at(1, 8));
    done.actual_finish = Some(at(2, 17));
    let mut s = plan(vec![done, task("B", 1)], vec![fs(0, 1)]);
    s.options.mode = Mode::Primavera;
    s.projects[0].status_date = Some(at(8, 8));
    let r = schedule(&s).unwrap();
    // Early dates of a completed activity sit at the data date (as P6 exports them); its own start
    // and finish stay the actual dates; the successor starts at the data date.
    assert_eq!(r.tasks[0].early_start, at(8, 8));
    assert_eq!(r.tasks[0].early_finish, at(8, 8));
    assert_eq!((r.tasks[0].start, r.tasks[0].finish), (at(1, 8), at(2, 17)));
    assert!(!r.tasks[0].critical);
    assert_eq!(r.tasks[1].early_start, at(8, 8));
}
