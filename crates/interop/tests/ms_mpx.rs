#![allow(clippy::unwrap_used)]
//! MPX reader over the corpus and small hand-written files.

#[path = "ms_common.rs"]
#[allow(dead_code)]
mod common;

use keel_engine::schedule::{DurationUnit, LinkType, TaskKind};
use keel_interop::mpx;

#[test]
fn corpus_mpx_files_import_with_manifest_task_counts() {
    let Some(dir) = common::corpus() else {
        println!("SKIPPED: schedule corpus not found");
        return;
    };
    let mut ok = 0;
    let mut failures = Vec::new();
    for path in common::files(&dir, "native/mpx", "mpx") {
        let rel = format!("native/mpx/{}", path.file_name().unwrap().to_string_lossy());
        let bytes = std::fs::read(&path).unwrap();
        match mpx::read(&rel, &bytes) {
            Ok(s) => {
                let exp = common::manifest_tasks(&dir, &rel);
                if exp == Some(s.tasks.len()) {
                    ok += 1;
                } else {
                    failures.push(format!("{rel}: {} tasks, MANIFEST {exp:?}", s.tasks.len()));
                }
            }
            Err(e) => failures.push(format!("{rel}: {e}")),
        }
    }
    println!("MPX corpus: {ok} files imported with the MANIFEST's task counts");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(ok, 5);
}

#[test]
fn corpus_mpx_details() {
    let Some(dir) = common::corpus() else {
        println!("SKIPPED: schedule corpus not found");
        return;
    };
    let s = mpx::read("s.mpx", &std::fs::read(dir.join("native/mpx/mpxj__sample.mpx")).unwrap()).unwrap();
    assert_eq!(s.tasks.iter().filter(|t| t.kind == TaskKind::Summary).count(), 3);
    assert_eq!(s.tasks.iter().filter(|t| t.kind == TaskKind::Milestone).count(), 1);
    // "10FS+1d,9" on task 11 is two links: 7 in all (MANIFEST's 6 counts the MSPDI version).
    assert_eq!(s.links.len(), 7);
    assert!(s.links.iter().any(|l| l.kind == LinkType::SF));
    assert!(s.tasks.iter().any(|t| t.stored.total_float.is_some_and(|f| f > 0)));
    let k =
        mpx::read("k.mpx", &std::fs::read(dir.join("native/mpx/aspose-net__EUC-KR-encoding.mpx")).unwrap()).unwrap();
    assert!(
        k.tasks.iter().any(|t| t.name.chars().any(|c| ('\u{ac00}'..='\u{d7a3}').contains(&c))),
        "{:?}",
        k.tasks[0].name
    );
    let c = mpx::read("c.mpx", &std::fs::read(dir.join("native/mpx/mpxj__calendarExceptions.mpx")).unwrap()).unwrap();
    assert!(c.calendars.iter().any(|c| !c.exceptions.is_empty()));
}

const SMALL: &str = "MPX,Microsoft Project for Windows,4.0,ANSI\r
10,$,1,2,\",\",.\r
11,2,0,1,8.00,40.00,$0.00/h,$0.00/h,1,1\r
12,1,1,480,/,:,,,9,1\r
20,Standard,0,1,1,1,1,1,0\r
25,2,08:00,12:00,13:00,17:00\r
30,demo,,,Standard,Mon 05/01/26,Fri 16/01/26,0,Mon 05/01/26\r
60,ID,Unique ID,Name,Duration,Outline Level,Predecessors,Total Slack\r
61,90,98,1,40,3,70,94\r
70,1,11,Design,5d?,1,,0d\r
70,2,12,Build,2w,1,\"1FS+2d\",1d\r
70,3,13,Test,4ed,1,\"2SS-1d,1FF+50%\",0d\r
";

#[test]
fn small_file_maps_fields() {
    let s = mpx::read("small.mpx", SMALL.as_bytes()).unwrap();
    assert_eq!(s.tasks.len(), 3);
    assert_eq!(s.tasks[0].duration.minutes, 2400);
    assert!(s.tasks[0].duration.estimated);
    assert_eq!(s.tasks[1].duration.unit, DurationUnit::Weeks);
    assert!(s.tasks[2].duration.elapsed);
    assert_eq!(s.tasks[2].duration.minutes, 4 * 1440);
    assert_eq!(s.tasks[1].stored.total_float, Some(480));
    assert_eq!(s.projects[0].start.to_string(), "2026-01-05 00:00:00");
    assert_eq!(s.links.len(), 3);
    assert_eq!(s.links[0].lag.amount, 960);
    assert_eq!(s.links[1].lag.amount, -480);
    assert_eq!(s.links[2].lag.amount, 5000);
    assert_eq!(s.links[2].lag.unit, DurationUnit::Percent);
}

#[test]
fn bad_values_name_line_and_field() {
    let e = mpx::read("small.mpx", SMALL.replace("5d?", "5x").as_bytes()).unwrap_err();
    assert_eq!(e.line, Some(10), "{e}");
    let e = mpx::read("small.mpx", SMALL.replace("2w", "2x").as_bytes()).unwrap_err();
    assert_eq!(e.line, Some(11), "{e}");
    assert_eq!(e.field.as_deref(), Some("Duration"));
    let e = mpx::read("small.mpx", SMALL.replace("1FS+2d", "9FS").as_bytes()).unwrap_err();
    assert!(e.message.contains("not a task ID"), "{e}");
    assert!(mpx::read("x.mpx", b"hello").is_err());
    for cut in 0..SMALL.len() {
        let _ = mpx::read("cut.mpx", &SMALL.as_bytes()[..cut]);
    }
}
