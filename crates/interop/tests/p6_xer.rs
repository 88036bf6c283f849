#![allow(clippy::unwrap_used)]
//! XER reader: the P6 corpus files, hand-written fixtures and garbled input.

use std::path::PathBuf;

use keel_engine::schedule::{ConstraintKind, FloatType, LagCalendar, LinkType, ProgressRule, Schedule, TaskKind};
use keel_interop::xer;

fn corpus() -> Option<PathBuf> {
    let dir = std::env::var("KEEL_SCHEDULE_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/schedules")));
    if dir.join("native/xer").is_dir() {
        Some(dir)
    } else {
        println!("SKIPPED: schedule corpus not found at {}", dir.display());
        None
    }
}

fn load(name: &str) -> Option<(Vec<u8>, Schedule)> {
    let dir = corpus()?;
    let bytes = std::fs::read(dir.join("native/xer").join(name)).unwrap();
    let s = xer::read(name, &bytes).unwrap_or_else(|e| panic!("{e}"));
    Some((bytes, s))
}

fn activities(s: &Schedule) -> Vec<&keel_engine::schedule::Task> {
    s.tasks.iter().filter(|t| t.kind != TaskKind::Summary).collect()
}

fn summary(s: &Schedule) -> String {
    format!(
        "projects {} tasks {} (activities {}) links {} resources {} assignments {} warnings {}:\n  {}",
        s.projects.len(),
        s.tasks.len(),
        activities(s).len(),
        s.links.len(),
        s.resources.len(),
        s.assignments.len(),
        s.warnings.len(),
        s.warnings.iter().map(|w| format!("{}: {}", w.location, w.message)).collect::<Vec<_>>().join("\n  ")
    )
}

#[test]
fn every_corpus_xer_imports() {
    let Some(dir) = corpus() else { return };
    let mut n = 0;
    for entry in std::fs::read_dir(dir.join("native/xer")).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let s = xer::read(&name, &bytes).unwrap_or_else(|e| panic!("{e}"));
        assert!(s.source_format.starts_with("P6 XER "), "{name}");
        assert_eq!(s.options.mode, keel_engine::schedule::Mode::Primavera);
        for t in &s.tasks {
            assert!(!t.name.contains('\u{FFFD}'), "{name}: {:?}", t.name);
        }
        println!("{name}: {}", summary(&s));
        n += 1;
    }
    assert!(n >= 5);
}

#[test]
fn counts_match_the_manifest() {
    // (file, projects, activities, links) as MANIFEST.md states them (TASK rows, TASKPRED rows).
    for (name, projects, acts, links) in [
        ("aspose-net__MultiprojectWithExternal.xer", 2, 3, 1),
        ("mpxj__PredecessorCalendar.xer", 1, 1, 0),
        ("mpxj__percent-complete-8.4.xer", 1, 12, 0),
        ("aspose-net__encoding1251.xer", 1, 2, 0),
        ("aspose-net__ScheduleOptions.xer", 4, 0, 0),
    ] {
        let Some((_, s)) = load(name) else { return };
        assert_eq!((s.projects.len(), activities(&s).len(), s.links.len()), (projects, acts, links), "{name}");
    }
}

#[test]
fn cp1251_names_decode_to_cyrillic() {
    let Some((bytes, s)) = load("aspose-net__encoding1251.xer") else { return };
    let t = s.tasks.iter().find(|t| t.code == "A1000").unwrap();
    assert_eq!(t.name, "Задача 1");
    assert!(s.tasks.iter().all(|t| !t.name.contains('\u{FFFD}')));
    assert_eq!(s.tasks.iter().find(|t| t.code == "A1010").unwrap().name, "Тест2");
    // The override reads the same bytes as Windows-1252 when asked to.
    let latin = xer::read_with_encoding("x.xer", &bytes, "windows-1252").unwrap();
    assert_ne!(latin.tasks.iter().find(|t| t.code == "A1000").unwrap().name, "Задача 1");
    assert!(xer::read_with_encoding("x.xer", &bytes, "no-such-encoding").is_err());
    // Assignments: 4 TASKRSRC rows, planned 40 h = 2400 min, cost 1000.00.
    assert_eq!(s.assignments.len(), 4);
    assert_eq!(s.assignments[0].work_minutes, Some(2400));
    assert_eq!(s.assignments[0].cost_minor, Some(100_000));
    // The 6-day calendar with whitespace and a VIEW node parses (no fallback warning).
    assert!(!s.warnings.iter().any(|w| w.message.contains("calendar data unreadable")), "{:?}", s.warnings);
}

#[test]
fn multi_project_file_keeps_the_cross_project_link_and_stored_dates() {
    let Some((_, s)) = load("aspose-net__MultiprojectWithExternal.xer") else { return };
    assert_eq!(s.projects[0].key, "5442");
    assert_eq!(s.projects[1].key, "5494");
    assert_eq!(s.name, "(New Project2)", "the exported project names the schedule");
    let l = s.links[0];
    assert_eq!((s.tasks[l.pred].key.as_str(), s.tasks[l.succ].key.as_str()), ("133031", "133086"));
    assert_ne!(s.tasks[l.pred].project, s.tasks[l.succ].project);
    assert_eq!(l.kind, LinkType::FS);
    // Values read by eye from the file: task 133031 free float 1270 h, remaining 66 h, early start 2023-10-06 08:00.
    let t = s.tasks.iter().find(|t| t.key == "133031").unwrap();
    assert_eq!(t.stored.free_float, Some(1270 * 60));
    assert_eq!(t.stored.total_float, Some(0));
    assert_eq!(t.stored.critical, Some(true));
    assert_eq!(t.remaining.unwrap().minutes, 66 * 60);
    assert_eq!(t.duration.minutes, 64 * 60);
    assert_eq!(t.stored.early_start.unwrap().to_string(), "2023-10-06 08:00:00");
    assert_eq!(t.stored.late_finish.unwrap().to_string(), "2023-10-18 10:00:00");
    assert_eq!(t.actual_start.unwrap().to_string(), "2023-03-08 08:00:00");
    assert_eq!(t.baselines[0].finish.unwrap().to_string(), "2023-03-17 16:00:00");
    assert_eq!(s.projects[1].status_date.unwrap().to_string(), "2024-05-28 00:00:00");
    // Calendar 178: Monday 08:00-16:00, Sunday off, 24 holidays; options from its 8 h day.
    let c = &s.calendars[s.projects[1].calendar];
    assert_eq!(c.week[0].as_deref(), Some(&[keel_engine::schedule::WorkingTime { from: 480, to: 960 }][..]));
    assert_eq!(c.week[6].as_deref(), Some(&[][..]));
    assert_eq!(c.exceptions.len(), 24);
    assert_eq!(s.options.minutes_per_day, 480);
    assert_eq!(s.options.minutes_per_week, 2400);
}

#[test]
fn schedule_options_and_constraints_are_read() {
    let Some((_, s)) = load("aspose-net__ScheduleOptions.xer") else { return };
    assert_eq!(s.options.lag_calendar, LagCalendar::TwentyFourHour);
    assert_eq!(s.options.float_type, FloatType::Finish);
    assert_eq!(s.options.progress, ProgressRule::RetainedLogic);
    let Some((_, s)) = load("mpxj__PredecessorCalendar.xer") else { return };
    assert_eq!(s.options.lag_calendar, LagCalendar::Predecessor);
    let t = &activities(&s)[0];
    assert_eq!(t.constraint.unwrap().kind, ConstraintKind::Snet);
    assert_eq!(t.actual_finish.unwrap().to_string(), "2019-06-12 17:00:00");
    assert_eq!(t.percent_complete, 100.0);
    let Some((_, s)) = load("mpxj__percent-complete-8.4.xer") else { return };
    let pct = |code: &str| s.tasks.iter().find(|t| t.code == code).unwrap().percent_complete;
    assert_eq!((pct("A1010"), pct("A1050"), pct("A1100")), (25.0, 25.0, 75.0));
}

#[test]
fn truncated_and_garbled_copies_never_panic() {
    let Some(dir) = corpus() else { return };
    for entry in std::fs::read_dir(dir.join("native/xer")).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        for cut in (0..bytes.len()).step_by(97) {
            let _ = xer::read("cut.xer", &bytes[..cut]);
        }
        let mut garbled = bytes.clone();
        for i in (0..garbled.len()).step_by(53) {
            garbled[i] = garbled[i].wrapping_mul(31).wrapping_add(7);
            let _ = xer::read("garbled.xer", &garbled);
        }
    }
}

const HEAD: &str = "ERMHDR\t19.12\t2024-01-01\tProject\n";

fn fixture(tasks: &str, preds: &str) -> String {
    format!(
        "{HEAD}%T\tPROJECT\n%F\tproj_id\tproj_short_name\tplan_start_date\tclndr_id\tcritical_drtn_hr_cnt\tsched_float_type\n\
         %R\t1\tP\t2024-01-01 08:00\t10\t8\tFT_Min\n\
         %T\tCALENDAR\n%F\tclndr_id\tclndr_name\tday_hr_cnt\tweek_hr_cnt\tclndr_data\n\
         %R\t10\tTen\t10\t50\t(0||CalendarData()((0||DaysOfWeek()((0||1()())(0||2()((0||0(s|07:00|f|17:00)())))(0||7()())))(0||Exceptions()((0||0(d|45292)())))))\n\
         %T\tPROJWBS\n%F\twbs_id\tproj_id\tparent_wbs_id\tproj_node_flag\tseq_num\twbs_short_name\twbs_name\n\
         %R\t100\t1\t\tY\t0\tP\tProject\n%R\t101\t1\t100\tN\t1\tA\tPhase A\n%R\t102\t1\t101\tN\t1\t1\tPart 1\n\
         %T\tTASK\n%F\ttask_id\tproj_id\twbs_id\ttask_code\ttask_name\ttask_type\ttarget_drtn_hr_cnt\ttotal_float_hr_cnt\tcstr_type\tcstr_date\tcstr_type2\tcstr_date2\n{tasks}\
         %T\tTASKPRED\n%F\ttask_pred_id\ttask_id\tpred_task_id\tproj_id\tpred_proj_id\tpred_type\tlag_hr_cnt\n{preds}%E\n"
    )
}

#[test]
fn fixture_constraints_links_outline_and_calendar() {
    let cs = [
        ("CS_MSO", ConstraintKind::Mso),
        ("CS_MEO", ConstraintKind::Mfo),
        ("CS_MSOA", ConstraintKind::Snet),
        ("CS_MSOB", ConstraintKind::Snlt),
        ("CS_MEOA", ConstraintKind::Fnet),
        ("CS_MEOB", ConstraintKind::Fnlt),
        ("CS_MANDSTART", ConstraintKind::MandatoryStart),
        ("CS_MANDFIN", ConstraintKind::MandatoryFinish),
        ("CS_ALAP", ConstraintKind::Alap),
    ];
    let mut tasks = String::new();
    for (i, (c, _)) in cs.iter().enumerate() {
        let date = if *c == "CS_ALAP" { "" } else { "2024-02-01 08:00" };
        tasks += &format!(
            "%R\t{}\t1\t102\tA{i}\tT{i}\tTT_Task\t16.5\t{}\t{c}\t{date}\tCS_MEOB\t2024-03-01 17:00\n",
            i + 1,
            i * 4
        );
    }
    tasks += "%R\t20\t1\t100\tM1\tFinish\tTT_FinMile\t0\t\t\t\t\t\n%R\t21\t1\t101\tM0\tStart\tTT_Mile\t0\t\t\t\t\t\n";
    tasks += "%R\t22\t1\t101\tL\tLOE\tTT_LOE\t0\t\t\t\t\t\n%R\t23\t1\t101\tW\tWBS sum\tTT_WBS\t0\t\t\t\t\t\n";
    let preds = "%R\t1\t2\t1\t1\t1\tPR_FS\t8\n%R\t2\t3\t2\t1\t1\tPR_SS\t-4\n%R\t3\t4\t3\t1\t1\tPR_FF\t0\n%R\t4\t5\t4\t1\t1\tPR_SF\t0.5\n%R\t5\t5\t4\t1\t999\tPR_FS\t0\n";
    let s = xer::read("f.xer", fixture(&tasks, preds).as_bytes()).unwrap();
    for (i, (_, kind)) in cs.iter().enumerate() {
        let t = s.tasks.iter().find(|t| t.code == format!("A{i}")).unwrap();
        assert_eq!(t.constraint.unwrap().kind, *kind);
        assert_eq!(t.secondary_constraint.unwrap().kind, ConstraintKind::Fnlt);
        assert_eq!(t.duration.minutes, 990);
        assert_eq!(t.wbs, "A.1");
        assert_eq!(t.outline_level, 3);
        assert_eq!(t.stored.critical, Some(i * 4 <= 8));
    }
    let kinds: Vec<_> = s.links.iter().map(|l| (l.kind, l.lag.amount)).collect();
    assert_eq!(kinds, vec![(LinkType::FS, 480), (LinkType::SS, -240), (LinkType::FF, 0), (LinkType::SF, 30)]);
    assert!(s.warnings.iter().any(|w| w.message.contains("project not in the file") && w.message.contains("999")));
    // Outline: Phase A (level 1) before Part 1 (level 2) before its activities; milestone kinds.
    let a = s.tasks.iter().position(|t| t.code == "A").unwrap();
    let part = s.tasks.iter().position(|t| t.code == "A.1").unwrap();
    assert_eq!((s.tasks[a].kind, s.tasks[a].outline_level), (TaskKind::Summary, 1));
    assert_eq!((s.tasks[part].parent, s.tasks[part].outline_level), (Some(a), 2));
    let first_act = s.tasks.iter().position(|t| t.code == "A0").unwrap();
    assert!(a < part && part < first_act);
    let kind = |code: &str| s.tasks.iter().find(|t| t.code == code).unwrap().kind;
    assert_eq!(kind("M1"), TaskKind::FinishMilestone);
    assert_eq!(kind("M0"), TaskKind::Milestone);
    assert_eq!(kind("L"), TaskKind::LevelOfEffort);
    assert_eq!(kind("W"), TaskKind::WbsSummary);
    assert_eq!(s.tasks.iter().find(|t| t.code == "M1").unwrap().outline_level, 1);
    // Calendar: Monday 07:00-17:00, 2024-01-01 off, 10 h days.
    assert_eq!(
        s.calendars[0].week[0].as_deref(),
        Some(&[keel_engine::schedule::WorkingTime { from: 420, to: 1020 }][..])
    );
    assert_eq!(s.calendars[0].week[1], None);
    assert_eq!(s.calendars[0].exceptions[0].from.to_string(), "2024-01-01");
    assert_eq!(s.options.minutes_per_day, 600);
    assert_eq!(s.options.critical_float_minutes, 480);
    assert_eq!(s.options.float_type, FloatType::Smallest);
}

#[test]
fn fixture_errors_name_line_and_field() {
    let bad_num = fixture("%R\t1\t1\t102\tA\tT\tTT_Task\tabc\t\t\t\t\t\n", "");
    let e = xer::read("x.xer", bad_num.as_bytes()).unwrap_err();
    assert_eq!(e.line, Some(15));
    assert_eq!(e.to_string(), "x.xer:15: TASK.target_drtn_hr_cnt: \"abc\" is not a number");
    let bad_date = fixture("%R\t1\t1\t102\tA\tT\tTT_Task\t8\t\tCS_MSO\t2024-13-45 08:00\t\t\n", "");
    let e = xer::read("x.xer", bad_date.as_bytes()).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("TASK.cstr_date"));
    let too_many = fixture("%R\t1\t1\t102\tA\tT\tTT_Task\t8\t\t\t\t\t\textra\n", "");
    assert_eq!(xer::read("x.xer", too_many.as_bytes()).unwrap_err().line, Some(15));
    let missing = fixture("%R\t1\t1\t102\tA\tT\tTT_Task\t8\t\t\t\t\t\n", "%R\t1\t1\t77\t1\t1\tPR_FS\t0\n");
    let e = xer::read("x.xer", missing.as_bytes()).unwrap_err();
    assert!(e.message.contains("77") && e.message.contains("-> 1"), "{e}");
    assert_eq!(e.field.as_deref(), Some("TASKPRED.pred_task_id"));
    assert!(xer::read("x.xer", b"not an xer").is_err());
}
