//! `keel evm`: earned value and earned schedule on ProTrack (DSLIB) workbooks.

use std::path::Path;

use anyhow::{Context, Result};
use clap::Subcommand;
use keel_engine::forecast::blend::ProgressBand;
use keel_engine::forecast::evm::{CostMethod, TimeBasis, TimeMethod};
use keel_interop::dslib::{
    self,
    check::{Accuracy, CombinedMethod, CombinedOptions, ProjectCheck, Tolerance, median},
};

#[derive(Subcommand)]
pub enum EvmCommand {
    /// Recompute PV, EV, AC, ES, the indices and every forecast of ProTrack workbooks, compare with
    /// the values ProTrack stored (Tracking Overview) and report each method's forecast error on
    /// finished projects, the combined forecasts on the schedule network included (critical path
    /// and Monte Carlo, 1,000 iterations, seed 1, per tracking period, and ES PF=1 blended with MC
    /// P80 by progress), overall and per progress band (EV/BAC below 1/3, to 2/3, from 2/3). The
    /// schedule network without progress is checked against each workbook's baseline finish.
    Check {
        /// Workbooks (.xlsx), or directories of them.
        #[arg(required = true)]
        files: Vec<String>,
        /// Print a machine-readable JSON summary.
        #[arg(long)]
        json: bool,
        /// Exit non-zero when the overall share of stored values matched (percent) is below this.
        #[arg(long)]
        min_match: Option<f64>,
        /// Count time in calendar days instead of working days on the workbook's Agenda calendar.
        #[arg(long)]
        calendar_days: bool,
        /// How many workbooks may fail to read before the check fails (each is still reported).
        #[arg(long, default_value_t = 0)]
        max_errors: usize,
        /// Compare the measured errors the forecast page shows beside the combined finish
        /// (`keel_app::forecasts::combined::MEASURED`, calendar days) with this run's, and fail
        /// when one differs by more than 0.1 points or is over other projects. Needs
        /// `--calendar-days`.
        #[arg(long, requires = "calendar_days")]
        product_errors: bool,
    },
}

fn expand(files: &[String]) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for f in files {
        let p = Path::new(f);
        if p.is_dir() {
            let mut inner: Vec<String> = std::fs::read_dir(p)
                .with_context(|| format!("cannot list {f}"))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x.eq_ignore_ascii_case("xlsx")))
                .map(|p| p.to_string_lossy().into_owned())
                .collect();
            inner.sort();
            out.extend(inner);
        } else {
            out.push(f.clone());
        }
    }
    Ok(out)
}

fn analyse(file: &str, calendar_days: bool) -> Result<ProjectCheck> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {file}"))?;
    let name = Path::new(file).file_name().map_or_else(|| file.to_string(), |n| n.to_string_lossy().into_owned());
    let project = dslib::read(&name, &bytes)?;
    let basis = if calendar_days { TimeBasis::CalendarDays } else { project.time_basis() };
    Ok(dslib::check::check_with(&name, &project, basis, &Tolerance::default(), &CombinedOptions::default())?)
}

fn pct(v: Option<f64>) -> String {
    v.map_or_else(|| "-".into(), |v| format!("{v:.1}%"))
}

/// The median project MAPE per progress band (projects without a period in a band left out), as
/// JSON: `{"early": {"median_mape", "projects"}, "middle": ..., "late": ...}`.
fn band_json(per_project: &[[Option<f64>; 3]]) -> serde_json::Value {
    let mut out = serde_json::Map::new();
    for (b, name) in ProgressBand::ALL.iter().zip(["early", "middle", "late"]) {
        let v: Vec<Option<f64>> = per_project.iter().map(|p| p[b.index()]).collect();
        out.insert(
            name.into(),
            serde_json::json!({"median_mape": median(v.iter().copied()), "projects": v.iter().flatten().count()}),
        );
    }
    serde_json::Value::Object(out)
}

/// The per-band medians for the text summary: `early x% middle y% late z%`.
fn band_text(per_project: &[[Option<f64>; 3]]) -> String {
    ProgressBand::ALL
        .iter()
        .zip(["early", "middle", "late"])
        .map(|(b, name)| format!("{name} {:>6}", pct(median(per_project.iter().map(|p| p[b.index()])))))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The largest difference (points of MAPE) between a measured error the forecast page shows and
/// the same figure recomputed.
const PRODUCT_TOLERANCE: f64 = 0.1;

/// The forecast page's measured errors (`keel_app::forecasts::combined::MEASURED`) beside the same
/// figures recomputed from `acc`: one JSON row per method and band, and whether all agree.
fn product_errors(acc: &[&Accuracy]) -> (Vec<serde_json::Value>, bool) {
    use keel_app::forecasts::combined::{MEASURED, Source};
    let position = |m: CombinedMethod| CombinedMethod::ALL.iter().position(|x| *x == m);
    let es = TimeMethod::ALL.iter().position(|m| *m == TimeMethod::EsPf1);
    let mut rows = Vec::new();
    let mut ok = true;
    for row in &MEASURED {
        let per_project: Vec<[Option<f64>; 3]> = match row.source {
            Source::EarnedSchedule => es.map(|k| acc.iter().map(|a| a.time_band_mape[k]).collect()),
            Source::Blend => {
                position(CombinedMethod::BlendLinear).map(|k| acc.iter().map(|a| a.combined_band_mape[k]).collect())
            }
            Source::NetworkP80 => {
                position(CombinedMethod::McP80).map(|k| acc.iter().map(|a| a.combined_band_mape[k]).collect())
            }
        }
        .unwrap_or_default();
        for band in ProgressBand::ALL {
            let (shown, shown_projects) = row.bands[band.index()];
            let values: Vec<Option<f64>> = per_project.iter().map(|p| p[band.index()]).collect();
            let now = median(values.iter().copied());
            let projects = values.iter().flatten().count();
            let agrees =
                now.is_some_and(|n| (n - shown).abs() <= PRODUCT_TOLERANCE + 1e-9) && projects == shown_projects;
            ok &= agrees;
            rows.push(serde_json::json!({"method": row.method, "band": band.label(), "shown": shown,
                "shown_projects": shown_projects, "recomputed": now, "projects": projects, "agrees": agrees}));
        }
    }
    (rows, ok)
}

/// Runs `keel evm check`; returns whether at most `max_errors` files failed to read, the match
/// share is at or above `min_match` and, with `product`, the forecast page's measured errors agree
/// with this run's.
pub fn check(
    files: &[String],
    json: bool,
    min_match: Option<f64>,
    calendar_days: bool,
    max_errors: usize,
    product: bool,
) -> Result<bool> {
    let files = expand(files)?;
    let (mut compared, mut matched, mut errors) = (0usize, 0usize, 0usize);
    let mut checks: Vec<(String, ProjectCheck)> = Vec::new();
    let mut failures = Vec::new();
    for f in &files {
        match analyse(f, calendar_days) {
            Ok(c) => {
                let (n, m) = c.totals();
                compared += n;
                matched += m;
                if !json {
                    print_project(f, &c);
                }
                checks.push((f.clone(), c));
            }
            Err(e) => {
                errors += 1;
                if !json {
                    println!("{f}: ERROR {e:#}");
                }
                failures.push(serde_json::json!({"file": f, "error": format!("{e:#}")}));
            }
        }
    }
    let rate = (compared > 0).then(|| 100.0 * matched as f64 / compared as f64);
    let acc: Vec<_> = checks.iter().filter_map(|(_, c)| c.accuracy.as_ref()).collect();
    let time_median: Vec<_> = TimeMethod::ALL
        .iter()
        .enumerate()
        .map(|(k, m)| {
            let bands: Vec<_> = acc.iter().map(|a| a.time_band_mape[k]).collect();
            serde_json::json!({"method": m.label(), "projects": acc.iter().filter(|a| a.time_mape[k].is_some()).count(),
            "median_mape": median(acc.iter().map(|a| a.time_mape[k])),
            "protrack_median_mape": median(acc.iter().map(|a| a.stored_time_mape[k])),
            "bands": band_json(&bands)})
        })
        .collect();
    let cost_median: Vec<_> = CostMethod::ALL
        .iter()
        .enumerate()
        .map(|(k, m)| {
            serde_json::json!({"method": m.label(), "projects": acc.iter().filter(|a| a.cost_mape[k].is_some()).count(),
            "median_mape": median(acc.iter().map(|a| a.cost_mape[k])),
            "protrack_median_mape": median(acc.iter().map(|a| a.stored_cost_mape[k]))})
        })
        .collect();
    let combined_median: Vec<_> = CombinedMethod::ALL
        .iter()
        .enumerate()
        .map(|(k, m)| {
            let bands: Vec<_> = acc.iter().map(|a| a.combined_band_mape[k]).collect();
            serde_json::json!({"method": m.label(), "projects": acc.iter().filter(|a| a.combined_mape[k].is_some()).count(),
            "median_mape": median(acc.iter().map(|a| a.combined_mape[k])),
            "bands": band_json(&bands)})
        })
        .collect();
    let nets: Vec<_> = checks.iter().map(|(_, c)| &c.network).collect();
    let net_built = nets.iter().filter(|n| n.computed_finish.is_some()).count();
    let net_exact = nets.iter().filter(|n| n.agrees()).count();
    let net_day = nets.iter().filter(|n| n.difference_days.is_some_and(|d| d.abs() <= 1.0 + 1e-9)).count();
    let net_compared = nets.iter().filter(|n| n.difference_days.is_some()).count();
    let logic_exact = nets.iter().filter(|n| n.logic_agrees()).count();
    let logic_day = nets.iter().filter(|n| n.logic_difference_days.is_some_and(|d| d.abs() <= 1.0 + 1e-9)).count();
    let (product_rows, product_ok) = if product { product_errors(&acc) } else { (Vec::new(), true) };
    let ok = errors <= max_errors && min_match.is_none_or(|min| rate.unwrap_or(100.0) + 1e-9 >= min) && product_ok;
    if json {
        let projects: Vec<_> = checks.iter().map(|(f, c)| serde_json::json!({"file": f, "check": c})).collect();
        let out = serde_json::json!({
            "files": files.len(), "errors": errors, "compared": compared, "matched": matched, "match_rate": rate,
            "finished_projects": acc.len(), "time_methods": time_median, "cost_methods": cost_median,
            "combined_methods": combined_median, "combined_options": CombinedOptions::default(),
            "progress_bands": "per tracking period by EV/BAC: early below 1/3, middle below 2/3, late from 2/3; \
                per project the MAPE over its periods in the band, then the median over the projects with periods in it",
            "network": {"workbooks": nets.len(), "computed": net_built, "compared": net_compared,
                "finish_exact": net_exact, "finish_within_a_day": net_day,
                "logic_only_finish_exact": logic_exact, "logic_only_finish_within_a_day": logic_day},
            "projects": projects, "failures": failures, "product_errors": product_rows,
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        println!();
        println!(
            "{} files, {} errors: {} of {} stored values matched ({})",
            files.len(),
            errors,
            matched,
            compared,
            pct(rate)
        );
        println!(
            "median MAPE over {} finished projects (Keel / ProTrack's stored forecasts, on the projects that store them; \
             Keel per band of EV/BAC: early <1/3, middle, late >=2/3):",
            acc.len()
        );
        for (k, m) in TimeMethod::ALL.iter().enumerate() {
            let bands: Vec<_> = acc.iter().map(|a| a.time_band_mape[k]).collect();
            println!(
                "  time {:<14} {:>7} / {:>7}               {}",
                m.label(),
                pct(median(acc.iter().map(|a| a.time_mape[k]))),
                pct(median(acc.iter().map(|a| a.stored_time_mape[k]))),
                band_text(&bands)
            );
        }
        for (k, m) in CostMethod::ALL.iter().enumerate() {
            println!(
                "  cost {:<24} {:>7} / {:>7}",
                m.label(),
                pct(median(acc.iter().map(|a| a.cost_mape[k]))),
                pct(median(acc.iter().map(|a| a.stored_cost_mape[k])))
            );
        }
        for (k, m) in CombinedMethod::ALL.iter().enumerate() {
            let bands: Vec<_> = acc.iter().map(|a| a.combined_band_mape[k]).collect();
            println!(
                "  time {:<24} {:>7} ({:>2} projects) {}",
                m.label(),
                pct(median(acc.iter().map(|a| a.combined_mape[k]))),
                acc.iter().filter(|a| a.combined_mape[k].is_some()).count(),
                band_text(&bands)
            );
        }
        println!(
            "schedule network without progress: {net_built} of {} workbooks computed, {net_compared} with a baseline finish; \
             finish equals it on {net_exact}, within a day on {net_day} (logic alone, no start held: {logic_exact} and {logic_day})",
            nets.len()
        );
        if product {
            println!("measured errors the forecast page shows (calendar days), against this run:");
            for r in &product_rows {
                println!(
                    "  {:<56} {:<13} shown {:>5.1}% ({} projects), recomputed {} ({} projects){}",
                    r["method"].as_str().unwrap_or(""),
                    r["band"].as_str().unwrap_or(""),
                    r["shown"].as_f64().unwrap_or(f64::NAN),
                    r["shown_projects"],
                    r["recomputed"].as_f64().map_or_else(|| "n/a".into(), |v| format!("{v:.2}%")),
                    r["projects"],
                    if r["agrees"].as_bool() == Some(true) { "" } else { "  DIFFERS" }
                );
            }
        }
    }
    Ok(ok)
}

fn print_project(file: &str, c: &ProjectCheck) {
    let (n, m) = c.totals();
    let share = if n > 0 {
        format!("{:.1}% of {n} stored values match", 100.0 * m as f64 / n as f64)
    } else {
        "no Tracking Overview to compare".into()
    };
    println!("{file}: {} activities, {} periods ({}): {share}", c.activities, c.periods, c.time_unit);
    let n = &c.network;
    match (&n.error, n.difference_days) {
        (Some(e), _) => println!("    network: {e}"),
        (None, Some(d)) if n.agrees() => println!("    network: finish equals the baseline finish ({d:+.2} days)"),
        (None, Some(d)) => println!(
            "    network: finish {} against baseline {} ({d:+.2} days)",
            n.computed_finish.map_or_else(String::new, |f| f.to_string()),
            n.baseline_finish.map_or_else(String::new, |f| f.to_string())
        ),
        (None, None) => println!("    network: no baseline finish to compare"),
    }
    let mut worst: Vec<_> = c.fields.iter().filter(|f| f.matched < f.compared).collect();
    worst.sort_by_key(|f| std::cmp::Reverse(f.compared - f.matched));
    for f in worst.iter().take(4) {
        let w = f.worst.as_ref().map_or_else(String::new, |w| {
            format!(": worst at {} stored {:.4} computed {:.4}", w.period, w.stored, w.computed)
        });
        println!("    {} {}/{} match{w}", f.field, f.matched, f.compared);
    }
    if let Some(a) = &c.accuracy {
        let t: Vec<String> =
            TimeMethod::ALL.iter().zip(&a.time_mape).map(|(m, v)| format!("{} {}", m.label(), pct(*v))).collect();
        let k: Vec<String> =
            CostMethod::ALL.iter().zip(&a.cost_mape).map(|(m, v)| format!("{} {}", m.label(), pct(*v))).collect();
        println!("    real duration {:.2}, real cost {:.0}; MAPE time: {}", a.real_duration, a.real_cost, t.join(", "));
        println!("    MAPE cost: {}", k.join(", "));
        let n: Vec<String> = CombinedMethod::ALL
            .iter()
            .zip(&a.combined_mape)
            .map(|(m, v)| format!("{} {}", m.label(), pct(*v)))
            .collect();
        println!("    MAPE network: {}", n.join(", "));
        if let Some(e) = &a.combined_error {
            println!("    network forecast incomplete: {e}");
        }
    }
}
