#![allow(clippy::unwrap_used)]
//! MSPDI reader over the oracle corpus, plus hand-written edge cases.

#[path = "ms_common.rs"]
#[allow(dead_code)]
mod common;

use keel_engine::schedule::{DurationUnit, LinkType, TaskKind};
use keel_interop::mspdi;

fn count_null_rows(bytes: &[u8]) -> usize {
    String::from_utf8_lossy(bytes).matches("<IsNull>1</IsNull>").count()
}

#[test]
fn corpus_mspdi_files_import_with_manifest_task_counts() {
    let Some(dir) = common::corpus() else {
        println!("SKIPPED: schedule corpus not found");
        return;
    };
    let mut ok = 0;
    let mut failures = Vec::new();
    for sub in ["native/mspdi", "from-mpp"] {
        for path in common::files(&dir, sub, "xml") {
            let rel = format!("{sub}/{}", path.file_name().unwrap().to_string_lossy());
            let bytes = std::fs::read(&path).unwrap();
            let s = match mspdi::read(&rel, &bytes) {
                Ok(s) => s,
                Err(e) => {
                    failures.push(format!("{rel}: {e}"));
                    continue;
                }
            };
            let expected = common::manifest_tasks(&dir, &rel);
            let got = if sub == "from-mpp" {
                s.tasks.iter().filter(|t| t.kind != TaskKind::Summary).count()
            } else {
                s.tasks.len() + count_null_rows(&bytes)
            };
            // MANIFEST counts (from MPXJ reading the .mpp) that the XML itself does not support.
            let expected = match rel.as_str() {
                // The .mpp holds an external (cross-project) predecessor task, UID 11, that the
                // XML names in a link but does not contain.
                "from-mpp/aspose-net__GetCrossProjectTaskLinks.xml" => expected.map(|n| n - 1),
                _ => expected,
            };
            if let Some(exp) = expected {
                if exp != got {
                    failures.push(format!("{rel}: {got} tasks, MANIFEST says {exp}"));
                    continue;
                }
            } else {
                failures.push(format!("{rel}: not in MANIFEST"));
                continue;
            }
            ok += 1;
        }
    }
    println!("MSPDI corpus: {ok} files imported with the MANIFEST's task counts");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(ok >= 80, "only {ok} files");
}

#[test]
fn corpus_slack_is_tenths_of_minutes_and_percent_lags_are_basis_points() {
    let Some(dir) = common::corpus() else {
        println!("SKIPPED: schedule corpus not found");
        return;
    };
    let bytes = std::fs::read(dir.join("native/mspdi/mpxj__sample.xml")).unwrap();
    let s = mspdi::read("sample.xml", &bytes).unwrap();
    // UID 6: finish slack LF-EF is 10 working days; TotalSlack 48000 tenths = 4800 minutes.
    let t6 = s.tasks.iter().find(|t| t.key == "6").unwrap();
    assert_eq!(t6.stored.total_float, Some(4800));
    assert!(s.links.iter().any(|l| l.kind == LinkType::SF));
    let bytes = std::fs::read(dir.join("from-mpp/aspose-net__Software_Development_Plan-1.xml")).unwrap();
    let s = mspdi::read("sdp.xml", &bytes).unwrap();
    let pct: Vec<i64> = s.links.iter().filter(|l| l.lag.unit == DurationUnit::Percent).map(|l| l.lag.amount).collect();
    assert_eq!(pct.len(), 3);
    assert!(pct.contains(&-7500), "{pct:?}");
}

#[test]
fn corpus_recurring_exceptions_are_modelled() {
    let Some(dir) = common::corpus() else {
        println!("SKIPPED: schedule corpus not found");
        return;
    };
    let p = dir.join("native/mspdi/mpxj__calendar-recurring-exceptions-project2016-mspdi.xml");
    let s = mspdi::read("rec.xml", &std::fs::read(p).unwrap()).unwrap();
    let std = &s.calendars[0];
    assert!(std.exceptions.len() >= 20, "{}", std.exceptions.len());
    assert!(std.exceptions.iter().any(|e| matches!(
        e.recurrence,
        Some(keel_engine::schedule::Recurrence::Weekly {
            period: 2,
            days: [false, true, false, false, false, false, false]
        })
    )));
    assert!(std.exceptions.iter().any(|e| !e.working.is_empty()));
}

#[test]
fn corpus_truncated_and_garbled_files_never_panic() {
    let Some(dir) = common::corpus() else {
        println!("SKIPPED: schedule corpus not found");
        return;
    };
    let bytes = std::fs::read(dir.join("native/mspdi/mpxj__sample.xml")).unwrap();
    let step = (bytes.len() / 300).max(1);
    let mut errors = 0;
    for cut in (0..bytes.len()).step_by(step) {
        if mspdi::read("cut.xml", &bytes[..cut]).is_err() {
            errors += 1;
        }
        let mut g = bytes.clone();
        g[cut] = b"<>&\"x0-9"[cut % 8];
        let _ = mspdi::read("garbled.xml", &g);
    }
    assert!(errors > 250, "truncated files should fail: {errors}");
}

const SMALL: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Project xmlns="http://schemas.microsoft.com/project">
<SaveVersion>14</SaveVersion><Name>t.xml</Name><Title>T &amp; Co</Title>
<StartDate>2024-01-01T08:00:00</StartDate><CalendarUID>1</CalendarUID>
<Calendars><Calendar><UID>1</UID><Name>Standard</Name><IsBaseCalendar>1</IsBaseCalendar><BaseCalendarUID>-1</BaseCalendarUID>
<WeekDays><WeekDay><DayType>1</DayType><DayWorking>0</DayWorking></WeekDay>
<WeekDay><DayType>2</DayType><DayWorking>1</DayWorking><WorkingTimes><WorkingTime><FromTime>08:00:00</FromTime><ToTime>12:00:00</ToTime></WorkingTime></WorkingTimes></WeekDay>
</WeekDays></Calendar></Calendars>
<Tasks>
<Task><UID>0</UID><ID>0</ID><Name>T</Name><OutlineLevel>0</OutlineLevel></Task>
<Task><UID>10</UID><ID>1</ID><Name>A</Name><OutlineLevel>1</OutlineLevel><Duration>PT16H0M0S</Duration><DurationFormat>39</DurationFormat><TotalSlack>4800</TotalSlack></Task>
<Task><UID>11</UID><ID>2</ID><Name>B</Name><OutlineLevel>2</OutlineLevel><Duration>PT24H0M0S</Duration><DurationFormat>8</DurationFormat>
<PredecessorLink><PredecessorUID>12</PredecessorUID><Type>3</Type><LinkLag>-4800</LinkLag><LagFormat>7</LagFormat></PredecessorLink></Task>
<Task><UID>12</UID><ID>3</ID><Name>C</Name><OutlineLevel>2</OutlineLevel><Milestone>1</Milestone>
<PredecessorLink><PredecessorUID>10</PredecessorUID><Type>1</Type><LinkLag>500</LinkLag><LagFormat>19</LagFormat></PredecessorLink></Task>
</Tasks></Project>"#;

#[test]
fn small_file_maps_fields() {
    let s = mspdi::read("t.xml", SMALL.as_bytes()).unwrap();
    assert_eq!(s.name, "T & Co");
    assert_eq!(s.source_format, "MSPDI SaveVersion 14");
    assert_eq!(s.tasks.len(), 3);
    assert_eq!(s.tasks[0].kind, TaskKind::Summary);
    assert_eq!(s.tasks[1].parent, Some(0));
    assert_eq!(s.tasks[2].kind, TaskKind::Milestone);
    assert_eq!(s.tasks[0].duration.minutes, 960);
    assert!(s.tasks[0].duration.estimated);
    assert!(s.tasks[1].duration.elapsed);
    assert_eq!(s.tasks[0].stored.total_float, Some(480));
    let cal = &s.calendars[0];
    assert_eq!(cal.week[6], Some(vec![]));
    assert_eq!(cal.week[0].as_ref().unwrap().len(), 1);
    assert_eq!(cal.week[1], None);
    let ss = s.links.iter().find(|l| l.kind == LinkType::SS).unwrap();
    assert_eq!((ss.pred, ss.succ, ss.lag.amount), (2, 1, -480));
    let pct = s.links.iter().find(|l| l.lag.unit == DurationUnit::Percent).unwrap();
    assert_eq!(pct.lag.amount, 5000); // 50% = 5000 basis points
}

#[test]
fn errors_name_line_element_and_task() {
    let bad = SMALL.replace("<Duration>PT24H0M0S</Duration>", "<Duration>soon</Duration>");
    let e = mspdi::read("t.xml", bad.as_bytes()).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("Duration"));
    assert!(e.message.contains("task UID 11"), "{e}");
    assert_eq!(e.line, Some(12));
    let broken = SMALL.replace("</Name><OutlineLevel>2", "</Nome><OutlineLevel>2");
    let e = mspdi::read("t.xml", broken.as_bytes()).unwrap_err();
    assert!(e.line.is_some() && e.message.contains("malformed XML"), "{e}");
}

/// MSPDI counts months from 0: MS Project's "Yearly Relative 1" (Month 2, first Tuesday, four
/// occurrences ending 2007-03-06) is the first Tuesday of March, and must come back as March.
#[test]
fn recurring_exception_months_count_from_zero() {
    let Some(dir) = common::corpus() else {
        eprintln!("SKIPPED: no schedule corpus");
        return;
    };
    let path = dir.join("native/mspdi/mpxj__calendar-recurring-exceptions-project2016-mspdi.xml");
    let s = mspdi::read("rec.xml", &std::fs::read(&path).unwrap()).unwrap();
    let e = s.calendars.iter().flat_map(|c| &c.exceptions).find(|e| e.name == "Yearly Relative 1").unwrap();
    assert_eq!(
        e.recurrence,
        Some(keel_engine::schedule::Recurrence::YearlyByPosition { month: 3, position: 1, weekday: 1 })
    );
    // Written back, MS Project (and MPXJ) read the same month.
    let xml = String::from_utf8(mspdi::write(&s, None).unwrap()).unwrap();
    let at = xml.find("<Name>Yearly Relative 1</Name>").unwrap();
    assert!(xml[at..].split("</Exception>").next().unwrap().contains("<Month>2</Month>"));
}
