//! Delivery-history importers: Jira "Export CSV (all fields)" and the simple CSV.

#![allow(clippy::unwrap_used)] // Tests: a panic is the failure report.

use chrono::NaiveDate;
use keel_engine::forecast::agile::{
    DateRange, Granularity, MetricsOptions, SimulationSettings, ThroughputHistory, forecast_when, metrics,
};
use keel_interop::delivery::*;
use proptest::prelude::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// A Jira Cloud export as Jira writes it: BOM, repeated multi-value columns, a multi-line
/// description, both date styles, an epic and a sub-task.
const JIRA: &str = "\u{feff}Summary,Issue key,Issue id,Issue Type,Status,Project key,Created,Updated,Resolved,Sprint,Sprint,Fix Version/s,Fix Version/s,Custom field (Story Points),Status Category,Status Category Changed,Description,Epic Link\n\
Login page,WEB-1,10001,Story,Done,WEB,01/Mar/24 9:00 AM,08/Mar/24 3:14 PM,08/Mar/24 3:14 PM,Sprint 1,Sprint 2,R1,,3,Done,08/Mar/24 3:14 PM,\"As a user\nI want to log in\",WEB-100\n\
Password reset,WEB-2,10002,Story,In Review,WEB,2024-03-02 10:00,2024-03-12 10:00,,Sprint 2,,R1,,5,In Progress,2024-03-05T11:30:00.000+0000,,WEB-100\n\
Accounts epic,WEB-100,10100,Epic,In Progress,WEB,01/Feb/24 9:00 AM,01/Mar/24 9:00 AM,,,,R1,,,In Progress,01/Mar/24 9:00 AM,,\n\
Write copy,WEB-3,10003,Sub-task,Done,WEB,02/Mar/24 9:00 AM,03/Mar/24 9:00 AM,03/Mar/24 9:00 AM,,,,,,Done,03/Mar/24 9:00 AM,,\n\
Profile page,WEB-4,10004,Story,Backlog,WEB,04/Mar/24 9:00 AM,04/Mar/24 9:00 AM,,,,R2,R1,2,To Do,04/Mar/24 9:00 AM,,WEB-100\n\
Logout,WEB-5,10005,Bug,Closed,WEB,05/Mar/24 9:00 AM,06/Mar/24 9:00 AM,,,,R1,,1,Done,07/Mar/24 9:00 AM,,\n";

#[test]
fn jira_export_all_fields() {
    let got = read_jira_csv("jira.csv", JIRA.as_bytes(), &JiraOptions::default()).unwrap();
    assert_eq!(got.format, DeliveryFormat::Jira);
    let keys: Vec<&str> = got.items.iter().map(|i| i.key.as_str()).collect();
    assert_eq!(keys, vec!["WEB-1", "WEB-2", "WEB-4", "WEB-5"]);

    let web1 = &got.items[0];
    assert_eq!(web1.title, "Login page");
    assert_eq!(web1.team, "WEB"); // Project key
    assert_eq!((web1.created, web1.done, web1.started), (d(2024, 3, 1), Some(d(2024, 3, 8)), None));
    assert_eq!(web1.points, Some(3.0));
    assert_eq!(web1.milestone.as_deref(), Some("R1"));

    // In progress: started on the day it entered the In Progress category.
    let web2 = &got.items[1];
    assert_eq!((web2.started, web2.done), (Some(d(2024, 3, 5)), None));
    // To do: not started; first of two fix versions.
    let web4 = &got.items[2];
    assert_eq!((web4.started, web4.done, web4.milestone.as_deref()), (None, None, Some("R2")));
    // Done without a Resolved date: done on the day its category changed, with a warning.
    let web5 = &got.items[3];
    assert_eq!(web5.done, Some(d(2024, 3, 7)));

    let warning = |needle: &str| got.warnings.iter().find(|w| w.message.contains(needle)).unwrap().clone();
    // Header is line 1; WEB-1's description spans lines 2-3, so WEB-2 is on line 4.
    let inferred = warning("started taken from `Status Category Changed`");
    assert_eq!(inferred.lines, vec![4]);
    let no_start = warning("no start date: left out of cycle time and WIP");
    assert_eq!(no_start.lines, vec![2, 8]);
    assert!(no_start.message.starts_with("2 rows (line 2, 8)"), "{}", no_start.message);
    assert_eq!(warning("issue type `Epic`").lines, vec![5]);
    assert_eq!(warning("issue type `Sub-task`").lines, vec![6]);
    assert_eq!(warning("done taken from `Status Category Changed`").lines, vec![8]);
    assert_eq!(warning("done taken from").column.as_deref(), Some("Resolved"));
}

#[test]
fn jira_start_fallback_and_milestone_sources() {
    let opts = JiraOptions {
        start_fallback: StartFallback::Created,
        milestone: MilestoneSource::Sprint,
        ..Default::default()
    };
    let got = read_jira_csv("jira.csv", JIRA.as_bytes(), &opts).unwrap();
    assert_eq!(got.items[0].started, Some(d(2024, 3, 1)));
    assert_eq!(got.items[0].cycle_time_days(), got.items[0].lead_time_days());
    assert_eq!(got.items[0].milestone.as_deref(), Some("Sprint 2")); // the last sprint
    assert!(
        got.warnings.iter().any(|w| w.message.contains("started taken as the Created date") && w.lines == vec![2, 8])
    );

    let epic = JiraOptions { milestone: MilestoneSource::Epic, exclude_types: vec![], ..Default::default() };
    let got = read_jira_csv("jira.csv", JIRA.as_bytes(), &epic).unwrap();
    assert_eq!(got.items.len(), 6);
    assert_eq!(got.items[0].milestone.as_deref(), Some("WEB-100"));

    let col = JiraOptions { team_column: Some("Sprint".into()), ..Default::default() };
    let got = read_jira_csv("jira.csv", JIRA.as_bytes(), &col).unwrap();
    assert_eq!(got.items[0].team, "Sprint 1");

    let missing = JiraOptions { start_column: Some("Custom field (Started)".into()), ..Default::default() };
    let err = read_jira_csv("jira.csv", JIRA.as_bytes(), &missing).unwrap_err();
    assert_eq!(err.field.as_deref(), Some("Custom field (Started)"));
}

#[test]
fn jira_without_status_category_uses_status_names_and_key_prefix() {
    let csv = "Issue key,Status,Created,Resolved,Start date\n\
               ABC-1,Done,2024-01-01,2024-01-05,2024-01-02\n\
               ABC-2,In Progress,2024-01-01,,2024-01-03\n\
               ABC-3,Open,2024-01-01,,\n\
               ABC-4,Code review,2024-01-01,,\n\
               ABC-5,Closed,2024-01-01,,\n";
    let got = read_delivery("plain.csv", csv.as_bytes(), &JiraOptions::default()).unwrap();
    let items = &got.items;
    assert_eq!(items.len(), 4, "ABC-5 is done with no date at all: left out");
    assert!(items.iter().all(|i| i.team == "ABC"));
    assert_eq!((items[0].started, items[0].cycle_time_days()), (Some(d(2024, 1, 2)), Some(3)));
    assert_eq!(items[1].started, Some(d(2024, 1, 3)));
    assert_eq!(items[2].started, None); // to do: no warning needed
    assert_eq!(items[3].started, None); // in progress but no date: warned
    let no_start = got.warnings.iter().find(|w| w.message.contains("no start date")).unwrap();
    assert_eq!(no_start.lines, vec![5]);
    let left_out = got.warnings.iter().find(|w| w.message.contains("left out of the import")).unwrap();
    assert_eq!(left_out.lines, vec![6]);
}

#[test]
fn jira_errors_name_file_line_and_column() {
    let bad_date = "Issue key,Created,Resolved\nA-1,01/Mar/24 9:00 AM,\nA-2,31/Foo/24 9:00 AM,\n";
    let err = read_jira_csv("export.csv", bad_date.as_bytes(), &JiraOptions::default()).unwrap_err();
    assert_eq!((err.file.as_str(), err.line, err.field.as_deref()), ("export.csv", Some(3), Some("Created")));
    assert!(err.to_string().starts_with("export.csv:3: Created: `31/Foo/24 9:00 AM` is not a date"), "{err}");

    let bad_points = "Issue key,Created,Story Points\nA-1,2024-01-01,three\n";
    let err = read_jira_csv("export.csv", bad_points.as_bytes(), &JiraOptions::default()).unwrap_err();
    assert_eq!((err.line, err.field.as_deref()), (Some(2), Some("Story Points")));

    let no_created = "Issue key,Summary\nA-1,x\n";
    let err = read_jira_csv("export.csv", no_created.as_bytes(), &JiraOptions::default()).unwrap_err();
    assert_eq!(err.field.as_deref(), Some("created"));
    assert!(err.message.contains("Created"));

    let dup = "Issue key,Created\nA-1,2024-01-01\nA-1,2024-01-02\n";
    let err = read_jira_csv("export.csv", dup.as_bytes(), &JiraOptions::default()).unwrap_err();
    assert_eq!(err.line, Some(3));
    assert!(err.message.contains("first on line 2"));

    let bad_category = "Issue key,Created,Status Category\nA-1,2024-01-01,Sort of done\n";
    let err = read_jira_csv("export.csv", bad_category.as_bytes(), &JiraOptions::default()).unwrap_err();
    assert_eq!(err.field.as_deref(), Some("Status Category"));

    let err = read_jira_csv("empty.csv", b"", &JiraOptions::default()).unwrap_err();
    assert_eq!(err.file, "empty.csv");
}

#[test]
fn simple_csv_any_case_and_order() {
    let csv = "Milestone;POINTS;Done;Started;Created;Team;Title;KEY;Notes\n\
               R1;3;2024-03-08;2024-03-04;2024-03-01;Alpha;Login;A-1;ignored\n\
               R1;;;2024-03-05;2024-03-01;;Reset;A-2;\n\
               ;1,5;2024-03-01;;2024-03-02;Beta;Typo;B-1;\n";
    let got = read_simple_csv("simple.csv", csv.as_bytes()).unwrap();
    assert_eq!(got.format, DeliveryFormat::Simple);
    let a1 = &got.items[0];
    assert_eq!((a1.key.as_str(), a1.team.as_str(), a1.title.as_str()), ("A-1", "Alpha", "Login"));
    assert_eq!((a1.cycle_time_days(), a1.lead_time_days(), a1.points), (Some(4), Some(7), Some(3.0)));
    assert_eq!(got.items[1].team, NO_TEAM);
    assert_eq!(got.items[2].points, Some(1.5));
    assert_eq!(got.items[2].milestone, None);
    let lines = |needle: &str| got.warnings.iter().find(|w| w.message.contains(needle)).unwrap().lines.clone();
    assert_eq!(lines("no team"), vec![3]);
    assert_eq!(lines("done before created"), vec![4]);
    assert_eq!(lines("done with no start date"), vec![4]);

    let err = read_simple_csv("simple.csv", b"key,created,done\nX-1,2024-01-01,soon\n").unwrap_err();
    assert_eq!((err.line, err.field.as_deref()), (Some(2), Some("done")));
    let err = read_simple_csv("simple.csv", b"id,created\nX-1,2024-01-01\n").unwrap_err();
    assert_eq!(err.field.as_deref(), Some("key"));
    let err = read_simple_csv("simple.csv", b"key,created,points\nX-1,2024-01-01,-2\n").unwrap_err();
    assert!(err.message.contains("0 or more"));
}

#[test]
fn windows_1252_bytes_are_read() {
    let mut bytes = b"key,title,created\nX-1,Caf".to_vec();
    bytes.push(0xE9); // é in Windows-1252
    bytes.extend_from_slice(b",2024-01-01\n");
    let got = read_simple_csv("legacy.csv", &bytes).unwrap();
    assert_eq!(got.items[0].title, "Café");
}

#[test]
fn imported_history_feeds_the_engine() {
    // Four weeks of a team finishing 2 items a week, then a forecast for 6 more.
    let mut csv = String::from("key,team,created,started,done\n");
    for (n, day) in [1, 3, 8, 10, 15, 17, 22, 24].iter().enumerate() {
        csv += &format!("A-{n},Alpha,2024-01-01,2024-01-{day:02},2024-01-{:02}\n", day + 1);
    }
    let got = read_simple_csv("alpha.csv", csv.as_bytes()).unwrap();
    assert!(got.warnings.is_empty(), "{:?}", got.warnings);
    let window = DateRange { from: d(2024, 1, 1), to: d(2024, 1, 28) };
    let m = metrics(&got.items, &MetricsOptions { granularity: Granularity::Week, window: Some(window) });
    assert_eq!(m.overall.throughput.iter().map(|p| p.items).collect::<Vec<_>>(), vec![2, 2, 2, 2]);
    assert_eq!(m.overall.cycle_time.unwrap().p95, 1);
    let h = ThroughputHistory::from_items(&got.items, Some("Alpha"), Granularity::Week, window).unwrap();
    let f = forecast_when(&h, 6, d(2024, 1, 29), &SimulationSettings { samples: 100, seed: 1 }).unwrap();
    assert_eq!(f.p95.date, d(2024, 2, 18)); // three weeks
}

#[test]
fn real_jira_exports_when_present() {
    // Optional: any `*.csv` under ../shared/data/jira is read without an error.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/jira");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("skipped: {} is absent", dir.display());
        return;
    };
    for e in entries.flatten().filter(|e| e.path().extension().is_some_and(|x| x == "csv")) {
        let bytes = std::fs::read(e.path()).unwrap();
        let name = e.path().display().to_string();
        read_delivery(&name, &bytes, &JiraOptions::default()).unwrap_or_else(|err| panic!("{err}"));
    }
}

proptest! {
    #[test]
    fn dates_read_in_both_styles(days in 0i64..40_000, hour in 1u32..13, minute in 0u32..60, pm in any::<bool>()) {
        let date = d(1970, 1, 1) + chrono::TimeDelta::days(days);
        let ampm = if pm { "PM" } else { "AM" };
        let jira = format!("{} {hour}:{minute:02} {ampm}", date.format("%d/%b/%y"));
        let jira4 = format!("{} {hour}:{minute:02}", date.format("%-d/%b/%Y"));
        let iso = format!("{}T{hour:02}:{minute:02}:00.000+0000", date.format("%Y-%m-%d"));
        // Two-digit years are read 1970-2069.
        if (1970..2070).contains(&chrono::Datelike::year(&date)) {
            prop_assert_eq!(parse_date(&jira), Some(date));
        }
        prop_assert_eq!(parse_date(&jira4), Some(date));
        prop_assert_eq!(parse_date(&iso), Some(date));
    }

    #[test]
    fn any_bytes_give_a_result_or_an_error_never_a_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let _ = read_delivery("fuzz.csv", &bytes, &JiraOptions::default());
    }

    #[test]
    fn any_text_cells_never_panic(cells in prop::collection::vec("[ -~éä]{0,12}", 0..24)) {
        let mut jira = String::from("Issue key,Created,Resolved,Status,Status Category Changed,Story Points\n");
        let mut simple = String::from("key,created,started,done,points,team\n");
        for row in cells.chunks(6) {
            jira += &row.iter().map(|c| format!("\"{}\"", c.replace('"', ""))).collect::<Vec<_>>().join(",");
            jira.push('\n');
            simple += &row.iter().map(|c| format!("\"{}\"", c.replace('"', ""))).collect::<Vec<_>>().join(",");
            simple.push('\n');
        }
        let _ = read_jira_csv("fuzz.csv", jira.as_bytes(), &JiraOptions::default());
        let _ = read_simple_csv("fuzz.csv", simple.as_bytes());
    }
}
