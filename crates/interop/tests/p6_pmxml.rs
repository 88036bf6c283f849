#![allow(clippy::unwrap_used)]
//! PMXML reader: the P6 corpus files, the XER twin, fixtures and garbled input.

use std::path::PathBuf;

use keel_engine::schedule::{ConstraintKind, LinkType, Schedule, TaskKind};
use keel_interop::{pmxml, xer};

fn corpus() -> Option<PathBuf> {
    let dir = std::env::var("KEEL_SCHEDULE_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/schedules")));
    if dir.join("native/pmxml").is_dir() {
        Some(dir)
    } else {
        println!("SKIPPED: schedule corpus not found at {}", dir.display());
        None
    }
}

fn load(sub: &str, name: &str) -> Option<Schedule> {
    let bytes = std::fs::read(corpus()?.join(sub).join(name)).unwrap();
    let s = if sub.ends_with("xer") { xer::read(name, &bytes) } else { pmxml::read(name, &bytes) };
    Some(s.unwrap_or_else(|e| panic!("{e}")))
}

fn activities(s: &Schedule) -> Vec<&keel_engine::schedule::Task> {
    s.tasks.iter().filter(|t| t.kind != TaskKind::Summary).collect()
}

#[test]
fn every_corpus_pmxml_imports_with_manifest_counts() {
    // (file, projects incl. placeholder projects of external activities, activities, links)
    for (name, projects, acts, links) in [
        ("aspose-net__MultiprojectWithExternal.xml", 2, 3, 1),
        ("aspose-net__PrimaveraProject.xml", 4, 28, 26),
        ("mpxj__percent-complete-8.4.pmxml", 1, 12, 0),
    ] {
        let Some(s) = load("native/pmxml", name) else { return };
        println!(
            "{name}: projects {} tasks {} links {} resources {} assignments {} warnings:\n  {}",
            s.projects.len(),
            s.tasks.len(),
            s.links.len(),
            s.resources.len(),
            s.assignments.len(),
            s.warnings.iter().map(|w| format!("{}: {}", w.location, w.message)).collect::<Vec<_>>().join("\n  ")
        );
        assert_eq!((s.projects.len(), activities(&s).len(), s.links.len()), (projects, acts, links), "{name}");
        assert!(s.source_format.starts_with("P6 PMXML"));
    }
}

#[test]
fn primavera_project_lags_milestones_and_wbs() {
    let Some(s) = load("native/pmxml", "aspose-net__PrimaveraProject.xml") else { return };
    // Relationship 28145: PD1030 -> PD1040, lag -40 h.
    let l = s.links.iter().find(|l| s.tasks[l.succ].key == "91930" && s.tasks[l.pred].key == "91929").unwrap();
    assert_eq!((l.kind, l.lag.amount), (LinkType::FS, -2400));
    let main = s.projects.iter().position(|p| p.key == "3882").unwrap();
    let fm = s.tasks.iter().filter(|t| t.project == main && t.kind == TaskKind::FinishMilestone).count();
    assert_eq!(fm, 5);
    let summaries = s.tasks.iter().filter(|t| t.project == main && t.kind == TaskKind::Summary).count();
    assert_eq!(summaries, 5);
    // Decimal comma: PlannedDuration 70,583333 h.
    let t = s.tasks.iter().find(|t| t.key == "91929").unwrap();
    assert_eq!(t.duration.minutes, 4235);
    assert_eq!(t.stored.early_start.unwrap().to_string(), "2012-02-22 11:40:00");
    assert_eq!(s.projects[main].status_date.unwrap().to_string(), "2012-01-02 00:00:00");
}

#[test]
fn pmxml_twin_matches_xer() {
    let (Some(x), Some(p)) = (
        load("native/xer", "aspose-net__MultiprojectWithExternal.xer"),
        load("native/pmxml", "aspose-net__MultiprojectWithExternal.xml"),
    ) else {
        return;
    };
    let keys = |s: &Schedule| {
        let mut v: Vec<_> = activities(s).iter().map(|t| (t.key.clone(), t.code.clone(), t.name.clone())).collect();
        v.sort();
        v
    };
    assert_eq!(keys(&x), keys(&p));
    let links = |s: &Schedule| {
        s.links
            .iter()
            .map(|l| (s.tasks[l.pred].key.clone(), s.tasks[l.succ].key.clone(), l.kind, l.lag.amount))
            .collect::<Vec<_>>()
    };
    assert_eq!(links(&x), links(&p));
    // The fully exported project 5494: same durations and dates in both.
    for t in activities(&x).into_iter().filter(|t| x.projects[t.project].key == "5494") {
        let u = p.tasks.iter().find(|u| u.key == t.key).unwrap();
        assert_eq!(t.duration, u.duration, "{}", t.code);
        assert_eq!(t.remaining, u.remaining, "{}", t.code);
        assert_eq!(t.stored.early_start, u.stored.early_start, "{}", t.code);
        assert_eq!(t.stored.early_finish, u.stored.early_finish, "{}", t.code);
        assert_eq!(t.stored.late_finish, u.stored.late_finish, "{}", t.code);
        assert_eq!(t.baselines, u.baselines, "{}", t.code);
        assert_eq!(x.calendars[x.projects[t.project].calendar].week, p.calendars[p.projects[u.project].calendar].week);
    }
}

#[test]
fn truncated_and_garbled_copies_never_panic() {
    let Some(dir) = corpus() else { return };
    for entry in std::fs::read_dir(dir.join("native/pmxml")).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        let step = (bytes.len() / 300).max(1);
        for cut in (0..bytes.len()).step_by(step) {
            let _ = pmxml::read("cut.xml", &bytes[..cut]);
        }
        let mut garbled = bytes.clone();
        for i in (0..garbled.len()).step_by(step * 3) {
            garbled[i] = garbled[i].wrapping_add(1);
        }
        let _ = pmxml::read("garbled.xml", &garbled);
    }
}

const FIXTURE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<APIBusinessObjects xmlns="http://xmlns.oracle.com/Primavera/P6/V23.12/API/BusinessObjects">
  <Calendar><ObjectId>1</ObjectId><Name>Std</Name><IsDefault>1</IsDefault><HoursPerDay>8</HoursPerDay>
    <StandardWorkWeek>
      <StandardWorkHours><DayOfWeek>Monday</DayOfWeek><WorkTime><Start>08:00:00</Start><Finish>11:59:00</Finish></WorkTime><WorkTime><Start>13:00:00</Start><Finish>16:59:00</Finish></WorkTime></StandardWorkHours>
      <StandardWorkHours><DayOfWeek>Sunday</DayOfWeek><WorkTime xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:nil="true"/></StandardWorkHours>
    </StandardWorkWeek>
    <HolidayOrExceptions><HolidayOrException><Date>2024-12-25T00:00:00</Date></HolidayOrException></HolidayOrExceptions>
  </Calendar>
  <Project><ObjectId>7</ObjectId><Id>P</Id><Name>Fixture &amp; Co</Name><PlannedStartDate>2024-01-01T08:00:00</PlannedStartDate>
    <ActivityDefaultCalendarObjectId>1</ActivityDefaultCalendarObjectId><WBSObjectId>70</WBSObjectId>
    <WBS><ObjectId>71</ObjectId><ParentObjectId>70</ParentObjectId><ProjectObjectId>7</ProjectObjectId><Code>A</Code><Name>Phase</Name><SequenceNumber>1</SequenceNumber></WBS>
    <Activity><ObjectId>1</ObjectId><Id>A1</Id><Name>One</Name><Type>Start Milestone</Type><WBSObjectId>71</WBSObjectId><PlannedDuration>0</PlannedDuration>
      <PrimaryConstraintType>Start On or After</PrimaryConstraintType><PrimaryConstraintDate>2024-01-02T08:00:00</PrimaryConstraintDate>
      <SecondaryConstraintType>Finish On or Before</SecondaryConstraintType><SecondaryConstraintDate>2024-02-02T17:00:00</SecondaryConstraintDate>
      <TotalFloat>0</TotalFloat></Activity>
    <Activity><ObjectId>2</ObjectId><Id>A2</Id><Name>Two</Name><Type>Level of Effort</Type><PlannedDuration>16</PlannedDuration>
      <PrimaryConstraintType>Mandatory Finish</PrimaryConstraintType><PrimaryConstraintDate>2024-03-01T17:00:00</PrimaryConstraintDate><TotalFloat>40</TotalFloat></Activity>
    <Relationship><ObjectId>9</ObjectId><PredecessorActivityObjectId>1</PredecessorActivityObjectId><SuccessorActivityObjectId>2</SuccessorActivityObjectId><Type>Start to Finish</Type><Lag>2,5</Lag></Relationship>
  </Project>
</APIBusinessObjects>"#;

#[test]
fn fixture_maps_calendar_constraints_and_links() {
    let s = pmxml::read("f.xml", FIXTURE.as_bytes()).unwrap();
    assert_eq!(s.name, "Fixture & Co");
    assert_eq!(s.source_format, "P6 PMXML 23.12");
    let c = &s.calendars[0];
    assert_eq!(
        c.week[0].as_ref().unwrap().iter().map(|w| (w.from, w.to)).collect::<Vec<_>>(),
        vec![(480, 720), (780, 1020)]
    );
    assert_eq!(c.week[6], Some(vec![]));
    assert_eq!(c.exceptions[0].from.to_string(), "2024-12-25");
    let one = s.tasks.iter().find(|t| t.code == "A1").unwrap();
    assert_eq!(one.kind, TaskKind::Milestone);
    assert_eq!((one.wbs.as_str(), one.outline_level), ("A", 2));
    assert_eq!(one.constraint.unwrap().kind, ConstraintKind::Snet);
    assert_eq!(one.secondary_constraint.unwrap().kind, ConstraintKind::Fnlt);
    assert_eq!(one.stored.critical, Some(true));
    let two = s.tasks.iter().find(|t| t.code == "A2").unwrap();
    assert_eq!((two.kind, two.outline_level), (TaskKind::LevelOfEffort, 1));
    assert_eq!(two.constraint.unwrap().kind, ConstraintKind::MandatoryFinish);
    assert_eq!(two.duration.minutes, 960);
    assert_eq!((s.links[0].kind, s.links[0].lag.amount), (LinkType::SF, 150));
}

#[test]
fn fixture_errors_name_line_and_field() {
    let bad = FIXTURE.replace("<PlannedDuration>16</PlannedDuration>", "<PlannedDuration>x</PlannedDuration>");
    let e = pmxml::read("f.xml", bad.as_bytes()).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("Activity.PlannedDuration"));
    assert!(e.line.is_some());
    let missing = FIXTURE.replace("<PredecessorActivityObjectId>1<", "<PredecessorActivityObjectId>55<");
    let e = pmxml::read("f.xml", missing.as_bytes()).unwrap_err();
    assert!(e.message.contains("55"), "{e}");
    assert!(pmxml::read("f.xml", b"<Project/>").is_err());
}
