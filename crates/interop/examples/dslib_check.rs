//! The forecast-accuracy part of `keel evm check` without building the CLI: every workbook of a
//! DSLIB directory through [`keel_interop::dslib::check::check_with`], then the median project MAPE
//! of ES PF=1 and of every combined (network) method, overall and per progress band (EV / BAC:
//! early below 1/3, middle, late from 2/3), and how many projects each beats ES PF=1 on.
//!
//! ```text
//! cargo run --release -p keel-interop --example dslib_check -- [DSLIB_WORKBOOKS_DIR] [--calendar-days] [--tsv FILE]
//! ```
//!
//! The directory defaults to `../shared/data/dslib/workbooks` beside the repository. The data is
//! test data only and never copied into the repository; without it the program says so and exits.
//! `--tsv` writes one row per finished project (MAPE per method, overall and per band).

#![allow(clippy::unwrap_used)] // A command-line study: a panic is the error report.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use keel_engine::forecast::blend::ProgressBand;
use keel_engine::forecast::evm::{TimeBasis, TimeMethod};
use keel_interop::dslib;
use keel_interop::dslib::check::{Accuracy, CombinedMethod, CombinedOptions, Tolerance, check_with, median};

fn pct(v: Option<f64>) -> String {
    v.map_or_else(|| "-".into(), |v| format!("{v:.1}%"))
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let calendar_days = args.iter().any(|a| a == "--calendar-days");
    let tsv = args.iter().position(|a| a == "--tsv").and_then(|i| args.get(i + 1)).cloned();
    let dir = args
        .iter()
        .enumerate()
        .find(|(i, a)| !a.starts_with("--") && (*i == 0 || args[i - 1] != "--tsv"))
        .map(|(_, a)| PathBuf::from(a))
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/dslib/workbooks"));
    if !dir.is_dir() {
        println!("skipped: {} is absent", dir.display());
        return;
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x.eq_ignore_ascii_case("xlsx")))
        .collect();
    files.sort();
    let started = std::time::Instant::now();
    let mut acc: Vec<(String, bool, Accuracy)> = Vec::new();
    for f in &files {
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        let Ok(project) = dslib::read(&name, &std::fs::read(f).unwrap()) else { continue };
        let basis = if calendar_days { TimeBasis::CalendarDays } else { project.time_basis() };
        let Ok(c) = check_with(&name, &project, basis, &Tolerance::default(), &CombinedOptions::default()) else {
            continue;
        };
        if let Some(a) = c.accuracy {
            acc.push((name, !project.overview.is_empty(), a));
        }
    }
    let es = TimeMethod::ALL.iter().position(|m| *m == TimeMethod::EsPf1).unwrap();
    println!(
        "{} workbooks, {} finished projects, {:.1} s ({})",
        files.len(),
        acc.len(),
        started.elapsed().as_secs_f64(),
        if calendar_days { "calendar days" } else { "working days" }
    );
    println!("median project MAPE, overall and per band of EV/BAC (projects with periods in the band):");
    println!("  {:<24} {:>7} {:>14} {:>14} {:>14}   beats ES PF=1 on", "method", "all", "early", "middle", "late");
    let row = |label: &str, all: &dyn Fn(&Accuracy) -> Option<f64>, band: &dyn Fn(&Accuracy, usize) -> Option<f64>| {
        let mut line = format!("  {label:<24} {:>7}", pct(median(acc.iter().map(|(_, _, a)| all(a)))));
        for b in ProgressBand::ALL {
            let v: Vec<Option<f64>> = acc.iter().map(|(_, _, a)| band(a, b.index())).collect();
            let n = v.iter().flatten().count();
            write!(line, " {:>8} ({n:>2})", pct(median(v))).unwrap();
        }
        let wins =
            acc.iter().filter(|(_, _, a)| matches!((all(a), a.time_mape[es]), (Some(x), Some(e)) if x < e)).count();
        let both = acc.iter().filter(|(_, _, a)| all(a).is_some() && a.time_mape[es].is_some()).count();
        let only55: Vec<Option<f64>> = acc.iter().filter(|(_, o, _)| *o).map(|(_, _, a)| all(a)).collect();
        println!("{line}   {wins}/{both}; the {} with an overview {}", only55.len(), pct(median(only55)));
    };
    for (k, m) in TimeMethod::ALL.iter().enumerate() {
        if matches!(m, TimeMethod::EsPf1 | TimeMethod::EdPf1 | TimeMethod::PvPf1 | TimeMethod::EsSpit) {
            row(m.label(), &|a| a.time_mape[k], &|a, b| a.time_band_mape[k][b]);
        }
    }
    for (k, m) in CombinedMethod::ALL.iter().enumerate() {
        row(m.label(), &|a| a.combined_mape[k], &|a, b| a.combined_band_mape[k][b]);
    }
    if let Some(path) = tsv {
        let mut out = String::from("project\toverview\tperiods\tmethod\tall\tearly\tmiddle\tlate\n");
        let f = |v: Option<f64>| v.map_or_else(String::new, |v| format!("{v:.4}"));
        for (name, o, a) in &acc {
            let mut put = |label: &str, all: Option<f64>, b: [Option<f64>; 3]| {
                writeln!(out, "{name}\t{o}\t{}\t{label}\t{}\t{}\t{}\t{}", a.periods, f(all), f(b[0]), f(b[1]), f(b[2]))
                    .unwrap();
            };
            for (k, m) in TimeMethod::ALL.iter().enumerate() {
                put(m.label(), a.time_mape[k], a.time_band_mape[k]);
            }
            for (k, m) in CombinedMethod::ALL.iter().enumerate() {
                put(m.label(), a.combined_mape[k], a.combined_band_mape[k]);
            }
        }
        std::fs::write(&path, out).unwrap();
        println!("wrote {path}");
    }
}
