#![allow(clippy::unwrap_used)]
//! CSV / Excel task lists: parsing, errors, and CSV -> Schedule -> CSV -> Schedule round trips.

use chrono::NaiveDate;
use keel_engine::schedule::{ConstraintKind, DurationUnit, LinkType, TaskKind};
use keel_interop::csv_list::{self, CsvOptions};
use proptest::prelude::*;

const LIST: &str = "ID,Name,WBS,Duration,Predecessors,Start,Notes\n\
1,Design,1,,,2026-01-05,\n\
2,Spec,1.1,5d?,,,\n\
3,Build,1.2,2w,2FS+2d,,\n\
4,Test,1.3,4ed,\"3SS-1d;2FF+50%\",,x\n\
5,Done,2,0d,4,,\n";

#[test]
fn reads_columns_durations_links_and_outline() {
    let s = csv_list::read_csv("tasks.csv", LIST.as_bytes()).unwrap();
    assert_eq!(s.tasks.len(), 5);
    assert_eq!(s.tasks[0].kind, TaskKind::Summary);
    assert_eq!(s.tasks[1].parent, Some(0));
    assert!(s.tasks[1].duration.estimated);
    assert_eq!(s.tasks[2].duration.minutes, 4800);
    assert!(s.tasks[3].duration.elapsed);
    assert_eq!(s.tasks[4].kind, TaskKind::Milestone);
    assert_eq!(s.tasks[0].constraint.unwrap().kind, ConstraintKind::Snet);
    assert_eq!(s.projects[0].start, NaiveDate::from_ymd_opt(2026, 1, 5).unwrap().and_hms_opt(8, 0, 0).unwrap());
    assert_eq!(s.links.len(), 4);
    assert_eq!((s.links[0].kind, s.links[0].lag.amount), (LinkType::FS, 960));
    assert_eq!((s.links[1].kind, s.links[1].lag.amount), (LinkType::SS, -480));
    assert_eq!(
        (s.links[2].kind, s.links[2].lag.amount, s.links[2].lag.unit),
        (LinkType::FF, 5000, DurationUnit::Percent)
    );
}

#[test]
fn errors_name_line_column_and_expectation() {
    let bad = LIST.replace("2FS+2d", "3XX");
    let e = csv_list::read_csv("tasks.csv", bad.as_bytes()).unwrap_err();
    assert_eq!(e.to_string(), "tasks.csv:4: predecessors: \"3XX\" is not a link; expected like 3FS+2d");
    let e = csv_list::read_csv("tasks.csv", LIST.replace("2FS+2d", "9").as_bytes()).unwrap_err();
    assert!(e.message.contains("not in the list") && e.line == Some(4), "{e}");
    let e = csv_list::read_csv("tasks.csv", LIST.replace("2w", "2 parsecs").as_bytes()).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("duration"));
    let no_start = LIST.replace("2026-01-05", "");
    let e = csv_list::read_csv("tasks.csv", no_start.as_bytes()).unwrap_err();
    assert!(e.message.contains("no project start"), "{e}");
    let start = NaiveDate::from_ymd_opt(2026, 2, 2).unwrap().and_hms_opt(8, 0, 0).unwrap();
    let s = csv_list::read_csv_with("t.csv", no_start.as_bytes(), &CsvOptions { project_start: Some(start) }).unwrap();
    assert_eq!(s.projects[0].start, start);
}

#[test]
fn csv_round_trips() {
    let a = csv_list::read_csv("tasks.csv", LIST.as_bytes()).unwrap();
    let out = csv_list::write_csv(&a, None).unwrap();
    let b = csv_list::read_csv("tasks.csv", &out).unwrap();
    assert_eq!(a, b, "{}", String::from_utf8_lossy(&out));
}

#[test]
fn xlsx_round_trips() {
    let a = csv_list::read_csv("tasks.csv", LIST.as_bytes()).unwrap();
    let out = csv_list::write_xlsx(&a, None).unwrap();
    let b = csv_list::read_xlsx("tasks.csv", &out).unwrap();
    assert_eq!(a, b);
}

#[test]
fn xlsx_dates_are_date_cells_not_text() {
    use calamine::{Reader, Xlsx};
    let a = csv_list::read_csv("tasks.csv", LIST.as_bytes()).unwrap();
    let r = keel_engine::schedule::schedule(&a).unwrap();
    let out = csv_list::write_xlsx(&a, Some(&r)).unwrap();
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(out)).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    let header: Vec<String> = sheet.rows().next().unwrap().iter().map(|c| c.to_string()).collect();
    let col = header.iter().position(|h| h == "early start").unwrap();
    let cell = &sheet.rows().nth(1).unwrap()[col];
    assert!(matches!(cell, calamine::Data::DateTime(_)), "early start is {cell:?}");
}

fn dur() -> impl Strategy<Value = String> {
    (0u32..500, prop::sample::select(vec!["d", "h", "w", "ed", "m", "mo", "d?"])).prop_map(|(n, u)| format!("{n}{u}"))
}

proptest! {
    #[test]
    fn generated_lists_round_trip(durs in prop::collection::vec(dur(), 1..30), lags in prop::collection::vec((0usize..30, -5i32..5, 0usize..4), 0..40)) {
        let mut csv = String::from("id,name,duration,predecessors,start\n");
        for (i, d) in durs.iter().enumerate() {
            let mut preds = Vec::new();
            for (p, lag, k) in &lags {
                if *p < i && preds.len() < 3 {
                    let kind = ["FS", "SS", "FF", "SF"][*k];
                    preds.push(if *lag == 0 { format!("{}{kind}", p + 1) } else { format!("{}{kind}{lag:+}d", p + 1) });
                }
            }
            let start = if i == 0 { "2026-03-02 08:00" } else { "" };
            csv.push_str(&format!("{},Task {i},{d},\"{}\",{start}\n", i + 1, preds.join(";")));
        }
        let a = csv_list::read_csv("g.csv", csv.as_bytes()).unwrap();
        let b = csv_list::read_csv("g.csv", &csv_list::write_csv(&a, None).unwrap()).unwrap();
        prop_assert_eq!(a, b);
    }

    #[test]
    fn arbitrary_text_never_panics(s in ".{0,300}") {
        let _ = csv_list::read_csv("x.csv", s.as_bytes());
    }
}
