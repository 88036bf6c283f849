#![allow(clippy::unwrap_used)]
//! MSPDI import -> write -> import gives the same schedule, for every corpus file.
//!
//! Not compared: `warnings` (the written file has no unmodelled elements left to report) and
//! `source_format` (the writer states SaveVersion 14).

#[path = "ms_common.rs"]
#[allow(dead_code)]
mod common;

use keel_interop::mspdi;

#[test]
fn corpus_mspdi_round_trips() {
    let Some(dir) = common::corpus() else {
        println!("SKIPPED: schedule corpus not found");
        return;
    };
    let mut ok = 0;
    let mut failures = Vec::new();
    let mut largest = (0usize, String::new(), std::time::Duration::ZERO);
    for sub in ["native/mspdi", "from-mpp"] {
        for path in common::files(&dir, sub, "xml") {
            let rel = format!("{sub}/{}", path.file_name().unwrap().to_string_lossy());
            let bytes = std::fs::read(&path).unwrap();
            let t0 = std::time::Instant::now();
            let mut a = mspdi::read(&rel, &bytes).unwrap();
            let took = t0.elapsed();
            if bytes.len() > largest.0 {
                largest = (bytes.len(), rel.clone(), took);
            }
            let out = mspdi::write(&a, None).unwrap();
            let mut b = match mspdi::read("written.xml", &out) {
                Ok(b) => b,
                Err(e) => {
                    failures.push(format!("{rel}: written file does not read back: {e}"));
                    continue;
                }
            };
            a.warnings.clear();
            b.warnings.clear();
            b.source_format = a.source_format.clone();
            if a != b {
                let what = if a.tasks != b.tasks {
                    let i = a.tasks.iter().zip(&b.tasks).position(|(x, y)| x != y).unwrap_or(0);
                    format!("task {i}: {:?}\n vs {:?}", a.tasks.get(i), b.tasks.get(i))
                } else if a.calendars != b.calendars {
                    let i = a.calendars.iter().zip(&b.calendars).position(|(x, y)| x != y).unwrap_or(0);
                    format!("calendar {i}: {:?}\n vs {:?}", a.calendars.get(i), b.calendars.get(i))
                } else if a.links != b.links {
                    "links".into()
                } else if a.projects != b.projects {
                    format!("{:?} vs {:?}", a.projects, b.projects)
                } else if a.options != b.options {
                    format!("{:?} vs {:?}", a.options, b.options)
                } else {
                    "resources/assignments/name".into()
                };
                failures.push(format!("{rel}: {what}"));
                continue;
            }
            ok += 1;
        }
    }
    println!("MSPDI round trip: {ok} files equal after import -> write -> import");
    println!(
        "largest MSPDI file {} ({} bytes) imported in {:.2} ms",
        largest.1,
        largest.0,
        largest.2.as_secs_f64() * 1000.0
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
