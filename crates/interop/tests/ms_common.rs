#![allow(clippy::unwrap_used)]
//! Shared helpers for the MS-format tests (corpus location, manifest counts).

use std::path::PathBuf;

/// The corpus directory, or `None` (the caller prints SKIPPED) when absent.
pub fn corpus() -> Option<PathBuf> {
    let dir = std::env::var("KEEL_SCHEDULE_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/schedules")));
    dir.join("MANIFEST.md").exists().then_some(dir)
}

/// Files of a corpus sub-directory with the given extension, sorted.
pub fn files(dir: &std::path::Path, sub: &str, ext: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir.join(sub))
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    v.retain(|p| p.extension().is_some_and(|e| e == ext));
    v.sort();
    v
}

/// The task count column of MANIFEST.md for a file (`native/...` rows: rows without the project
/// summary, null rows included; `from-mpp/...` rows: non-summary tasks).
pub fn manifest_tasks(dir: &std::path::Path, rel: &str) -> Option<usize> {
    let text = std::fs::read_to_string(dir.join("MANIFEST.md")).ok()?;
    for line in text.lines() {
        let cols: Vec<&str> = line.split('|').map(str::trim).collect();
        if cols.len() > 5 && cols[1] == rel {
            let col = if rel.starts_with("native/") { cols[5] } else { cols[4] };
            return col.split_whitespace().next()?.parse().ok();
        }
    }
    None
}
