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
