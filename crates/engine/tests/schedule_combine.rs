//! Several projects scheduled as one network (`schedule::combine`): the properties that make the
//! combined dates trustworthy.

#![allow(clippy::unwrap_used)] // Tests: a panic is the failure report.

use keel_engine::schedule::combine::{CrossLink, Part, combine};
use keel_engine::schedule::generate::{GenOptions, Shape, generate};
use keel_engine::schedule::{Lag, LinkType, Schedule, ScheduleError, ScheduleResult, schedule};
use proptest::prelude::*;

fn plan(tasks: usize, mixed: bool, seed: u64) -> Schedule {
    generate(&GenOptions { tasks, shape: if mixed { Shape::Mixed } else { Shape::Simple }, seed })
}

/// The schedulable task with the latest early finish: the project's delivery.
fn last(s: &Schedule, r: &ScheduleResult) -> usize {
    (0..s.tasks.len()).filter(|&i| r.tasks[i].scheduled).max_by_key(|&i| (r.tasks[i].early_finish, i)).unwrap()
}

fn fs(pred_part: usize, pred: usize, succ_part: usize, succ: usize, lag_minutes: i64) -> CrossLink {
    CrossLink {
        pred_part,
        pred,
        succ_part,
        succ,
        kind: LinkType::FS,
        lag: Lag { amount: lag_minutes, ..Lag::default() },
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// With no links between them, each project gets exactly the dates it gets on its own.
    #[test]
    fn unlinked_parts_keep_their_own_dates(n in 2usize..60, m in 2usize..60, mixed in any::<bool>(), seed in 0u64..1000) {
        let (a, b) = (plan(n, mixed, seed), plan(m, mixed, seed + 1));
        let parts = [Part { label: "A", schedule: &a }, Part { label: "B", schedule: &b }];
        let c = combine(&parts, &[]).unwrap();
        let r = schedule(&c.schedule).unwrap();
        for (part, s) in [&a, &b].into_iter().enumerate() {
            let alone = schedule(s).unwrap();
            for i in 0..s.tasks.len() {
                prop_assert_eq!(&r.tasks[c.task(part, i)], &alone.tasks[i], "part {} task {}", part, i);
            }
            prop_assert_eq!(c.project_finishes(&r)[part], Some(alone.finish));
        }
    }

    /// A link from A's delivery to B's first task: A's early dates do not move, B's never get
    /// earlier, and the linked task of B starts no earlier than A's delivery finishes.
    #[test]
    fn a_late_supplier_pushes_the_dependent_and_never_pulls_it(
        n in 2usize..60, m in 2usize..60, mixed in any::<bool>(), seed in 0u64..1000, lag_days in 0i64..30,
    ) {
        let (a, b) = (plan(n, mixed, seed), plan(m, mixed, seed + 7));
        let (ra, rb) = (schedule(&a).unwrap(), schedule(&b).unwrap());
        let delivery = last(&a, &ra);
        let receiver = (0..b.tasks.len()).find(|&i| rb.tasks[i].scheduled).unwrap();
        let link = CrossLink { lag: Lag { elapsed: true, ..fs(0, delivery, 1, receiver, lag_days * 1440).lag }, ..fs(0, delivery, 1, receiver, 0) };
        let parts = [Part { label: "A", schedule: &a }, Part { label: "B", schedule: &b }];
        let c = combine(&parts, &[link]).unwrap();
        let r = schedule(&c.schedule).unwrap();
        for i in 0..a.tasks.len() {
            prop_assert_eq!(r.tasks[c.task(0, i)].early_start, ra.tasks[i].early_start);
            prop_assert_eq!(r.tasks[c.task(0, i)].early_finish, ra.tasks[i].early_finish);
        }
        for i in 0..b.tasks.len() {
            prop_assert!(r.tasks[c.task(1, i)].early_start >= rb.tasks[i].early_start, "B task {} moved earlier", i);
        }
        let supplier_finish = r.tasks[c.task(0, delivery)].early_finish;
        let lag = chrono::Duration::days(lag_days);
        prop_assert!(r.tasks[c.task(1, receiver)].early_start >= supplier_finish + lag);
        let finishes = c.project_finishes(&r);
        prop_assert!(finishes[1].unwrap() >= rb.finish);
        // The link's float is never negative, and it is zero exactly when it moved the receiver
        // past where B alone would start it.
        let float = c.cross_link_float(&r).unwrap()[0].unwrap();
        prop_assert!(float >= 0, "float {}", float);
        if r.tasks[c.task(1, receiver)].early_start > rb.tasks[receiver].early_start {
            prop_assert_eq!(float, 0);
        }
        prop_assert_eq!(finishes[0], Some(ra.finish));
    }
}

#[test]
fn a_loop_through_two_projects_is_named_with_both_projects() {
    let (a, b) = (plan(10, false, 3), plan(10, false, 4));
    let (ra, rb) = (schedule(&a).unwrap(), schedule(&b).unwrap());
    let (la, lb) = (last(&a, &ra), last(&b, &rb));
    let first = |s: &Schedule, r: &ScheduleResult| (0..s.tasks.len()).find(|&i| r.tasks[i].scheduled).unwrap();
    let links = [fs(0, la, 1, first(&b, &rb), 0), fs(1, lb, 0, first(&a, &ra), 0)];
    let parts = [Part { label: "PRJ-A", schedule: &a }, Part { label: "PRJ-B", schedule: &b }];
    let c = combine(&parts, &links).unwrap();
    match schedule(&c.schedule) {
        Err(ScheduleError::Cycle { tasks }) => {
            assert!(tasks.iter().any(|t| t.starts_with("PRJ-A/")), "{tasks:?}");
            assert!(tasks.iter().any(|t| t.starts_with("PRJ-B/")), "{tasks:?}");
        }
        other => panic!("expected a loop, got {other:?}"),
    }
}

#[test]
fn a_link_to_a_missing_task_or_part_is_an_error_naming_the_link() {
    let a = plan(5, false, 1);
    let parts = [Part { label: "A", schedule: &a }];
    let err = combine(&parts, &[fs(0, 0, 0, 1, 0), fs(0, 99, 0, 1, 0)]).unwrap_err();
    assert!(err.to_string().contains("cross link 2") && err.to_string().contains("task 99"), "{err}");
    let err = combine(&parts, &[fs(0, 0, 3, 1, 0)]).unwrap_err();
    assert!(err.to_string().contains("part 3"), "{err}");
}

/// Calendars the projects share are kept once; one that differs (an extra holiday) stays its own,
/// with the calendars derived from it, and every task still gets the dates it gets on its own.
#[test]
fn shared_calendars_are_kept_once_and_dates_do_not_change() {
    let a = plan(40, true, 7);
    let b = plan(40, true, 8);
    let mut c = plan(40, true, 9);
    assert!(a.calendars.len() > 1 && a.calendars == b.calendars, "generated plans share their calendars");
    // The third project's copy of one calendar has an extra holiday, and a different key.
    let tweaked = c.calendars.iter().position(|cal| !cal.exceptions.is_empty()).unwrap();
    let mut extra = c.calendars[tweaked].exceptions[0].clone();
    extra.from += chrono::TimeDelta::days(1);
    extra.to = extra.from;
    c.calendars[tweaked].exceptions.push(extra);
    for cal in &mut c.calendars {
        cal.key = format!("c-{}", cal.key);
    }
    let parts =
        [Part { label: "A", schedule: &a }, Part { label: "B", schedule: &b }, Part { label: "C", schedule: &c }];
    let combined = combine(&parts, &[]).unwrap();
    // C's changed calendar is added, and so are the calendars derived from it (their base
    // differs); C's other calendars are A's.
    let derived = c.calendars.iter().filter(|cal| cal.base == Some(tweaked)).count();
    assert!(derived > 0, "the generator derives a calendar from the standard one");
    assert_eq!(combined.schedule.calendars.len(), a.calendars.len() + 1 + derived);
    let r = schedule(&combined.schedule).unwrap();
    for (k, part) in parts.iter().enumerate() {
        let own = schedule(part.schedule).unwrap();
        for (i, t) in own.tasks.iter().enumerate() {
            let got = &r.tasks[combined.task_offsets[k] + i];
            assert_eq!((got.early_start, got.early_finish), (t.early_start, t.early_finish), "part {k} task {i}");
        }
    }
}

/// A calendar index out of range in a part is an error naming the task and field, as for one
/// project, not a panic while the parts' calendars are shared.
#[test]
fn an_out_of_range_calendar_is_an_error_not_a_panic() {
    let (a, mut b) = (plan(5, false, 1), plan(5, false, 2));
    b.tasks[2].calendar = Some(99);
    let parts = [Part { label: "A", schedule: &a }, Part { label: "B", schedule: &b }];
    let c = combine(&parts, &[]).unwrap();
    match schedule(&c.schedule) {
        Err(ScheduleError::Invalid { field, .. }) => assert_eq!(field, "calendar"),
        other => panic!("expected an invalid calendar, got {other:?}"),
    }
    let mut bad_base = plan(5, false, 3);
    bad_base.calendars[0].base = Some(42);
    let parts = [Part { label: "A", schedule: &a }, Part { label: "C", schedule: &bad_base }];
    let c = combine(&parts, &[]).unwrap();
    assert!(matches!(schedule(&c.schedule), Err(ScheduleError::Invalid { .. })));
}
