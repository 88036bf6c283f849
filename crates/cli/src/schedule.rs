//! `keel schedule import|run|check`: schedules from MS Project, Primavera and task lists.

use std::path::Path;

use anyhow::{Context, Result, bail};
use clap::{Subcommand, ValueEnum};
use keel_app::{Actor, AnalyseOptions, Analysis, App, DatesChoice, ImportOptions, analyse};
use keel_domain::ProjectFields;
use keel_engine::schedule::Mode;

/// Scheduling rules chosen on the command line.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ModeArg {
    /// MS Project's rules.
    MsProject,
    /// Primavera P6's rules.
    Primavera,
}

/// What to do with a plan from another time, chosen on the command line.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum DatesArg {
    /// Import the plan's dates as they are.
    Keep,
    /// Move the plan by whole weeks to start at the project's planned start (or today).
    Rebase,
}

impl From<DatesArg> for DatesChoice {
    fn from(d: DatesArg) -> DatesChoice {
        match d {
            DatesArg::Keep => DatesChoice::Keep,
            DatesArg::Rebase => DatesChoice::Rebase,
        }
    }
}

impl From<ModeArg> for Mode {
    fn from(m: ModeArg) -> Mode {
        match m {
            ModeArg::MsProject => Mode::MsProject,
            ModeArg::Primavera => Mode::Primavera,
        }
    }
}

#[derive(Subcommand)]
pub enum ScheduleCommand {
    /// Import a schedule file into a project as its next schedule version.
    Import {
        /// MSPDI XML, MPX, XER, P6 XML, CSV or XLSX file.
        file: String,
        /// Project code.
        #[arg(long)]
        project: String,
        /// Format (mspdi, mpx, xer, pmxml, csv, xlsx); detected when absent.
        #[arg(long)]
        format: Option<String>,
        /// A plan from another time than the project: keep its dates, or rebase it by whole weeks
        /// to start at the project's planned start. Without it such a plan is refused.
        #[arg(long, value_enum)]
        dates: Option<DatesArg>,
    },
    /// Read a schedule file, compute it and print every task's dates, float and critical flag.
    Run {
        /// The file.
        file: String,
        /// Format; detected when absent.
        #[arg(long)]
        format: Option<String>,
        /// Scheduling rules; the file's origin decides when absent.
        #[arg(long, value_enum)]
        mode: Option<ModeArg>,
        /// Print JSON (the schedule, computed dates and quality) instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Schedule every project linked by open or at-risk dependencies as one network (from each
    /// project's latest schedule) and print whose finish the suppliers move and which
    /// dependencies drive.
    Integrated {
        /// Print JSON instead of tables.
        #[arg(long)]
        json: bool,
    },
    /// Recompute each file and compare with the dates the writing tool stored in it.
    Check {
        /// Files to check.
        #[arg(required = true)]
        files: Vec<String>,
        /// Scheduling rules; each file's origin decides when absent.
        #[arg(long, value_enum)]
        mode: Option<ModeArg>,
        /// Print a machine-readable JSON summary.
        #[arg(long)]
        json: bool,
        /// Exit non-zero when the overall task match rate (percent) is below this.
        #[arg(long)]
        min_match: Option<f64>,
        /// How many differing tasks to list per file.
        #[arg(long, default_value_t = 10)]
        show: usize,
    },
}

fn read(file: &str) -> Result<(String, Vec<u8>)> {
    let bytes = keel_interop::read_file(Path::new(file)).with_context(|| format!("cannot read {file}"))?;
    let name = Path::new(file).file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| file.into());
    Ok((name, bytes))
}

fn analyse_file(file: &str, format: Option<String>, mode: Option<ModeArg>) -> Result<Analysis> {
    let (name, bytes) = read(file)?;
    let opts = AnalyseOptions { format, mode: mode.map(Mode::from), thresholds: Default::default() };
    analyse(&name, &bytes, &opts).map_err(|e| anyhow::anyhow!("{e}"))
}

fn days(minutes: i64, mpd: u32) -> String {
    format!("{:.2}", minutes as f64 / f64::from(mpd.max(1)))
}

/// Runs `keel schedule run`.
pub fn run(file: &str, format: Option<String>, mode: Option<ModeArg>, json: bool) -> Result<()> {
    let a = analyse_file(file, format, mode)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&a)?);
        return Ok(());
    }
    let s = &a.schedule;
    let mpd = s.options.minutes_per_day;
    println!(
        "{} ({}, {}): {} tasks, {} links, {:?} rules; finish {}",
        a.file_name,
        a.format,
        s.source_format,
        s.tasks.len(),
        s.links.len(),
        a.result.mode,
        a.result.finish.format("%Y-%m-%d %H:%M")
    );
    println!(
        "{:<10} {:<40} {:>16} {:>16} {:>16} {:>16} {:>8} {:>8} crit",
        "id", "name", "early start", "early finish", "late start", "late finish", "TF (d)", "FF (d)"
    );
    for (t, r) in s.tasks.iter().zip(&a.result.tasks) {
        let indent = "  ".repeat(usize::from(t.outline_level.saturating_sub(1)).min(8));
        let name: String = format!("{indent}{}", t.name).chars().take(40).collect();
        println!(
            "{:<10} {:<40} {:>16} {:>16} {:>16} {:>16} {:>8} {:>8} {}",
            t.code,
            name,
            r.early_start.format("%Y-%m-%d %H:%M"),
            r.early_finish.format("%Y-%m-%d %H:%M"),
            r.late_start.format("%Y-%m-%d %H:%M"),
            r.late_finish.format("%Y-%m-%d %H:%M"),
            days(r.total_float, mpd),
            days(r.free_float, mpd),
            if r.critical { "*" } else { "" }
        );
    }
    println!("\nSchedule quality (DCMA): {} of 14 checks pass, {} fail", a.quality.passed(), a.quality.failed());
    for c in &a.quality.checks {
        println!("  {:>2}. {:<20} {:?}: {}", c.number, c.name, c.verdict, c.detail);
    }
    for w in &s.warnings {
        println!("note: {}: {}", w.location, w.message);
    }
    Ok(())
}

/// Runs `keel schedule check`; returns whether the run met the threshold.
pub fn check(files: &[String], mode: Option<ModeArg>, json: bool, min_match: Option<f64>, show: usize) -> Result<bool> {
    let mut rows = Vec::new();
    let (mut compared, mut matched, mut errors) = (0usize, 0usize, 0usize);
    for f in files {
        match analyse_file(f, None, mode) {
            Ok(a) => {
                compared += a.check.compared;
                matched += a.check.matched;
                let rate = (a.check.compared > 0).then(|| 100.0 * a.check.matched as f64 / a.check.compared as f64);
                if !json {
                    match rate {
                        Some(r) => println!(
                            "{f}: {r:.1}% of {} tasks match ({} differ, {} skipped)",
                            a.check.compared,
                            a.check.compared - a.check.matched,
                            a.check.skipped
                        ),
                        None => println!("{f}: no stored dates to compare ({} skipped)", a.check.skipped),
                    }
                    for d in a.check.diffs.iter().take(show) {
                        let fields: Vec<String> =
                            d.fields.iter().map(|(k, s, c)| format!("{k} stored {s} computed {c}")).collect();
                        println!("    {} {}: {}", d.code, d.name, fields.join("; "));
                    }
                    if a.check.diffs.len() > show {
                        println!("    ... and {} more", a.check.diffs.len() - show);
                    }
                }
                rows.push(serde_json::json!({"file": f, "format": a.format, "mode": a.result.mode, "compared": a.check.compared,
                    "matched": a.check.matched, "skipped": a.check.skipped, "match_rate": rate, "diffs": a.check.diffs}));
            }
            Err(e) => {
                errors += 1;
                if !json {
                    println!("{f}: error: {e}");
                }
                rows.push(serde_json::json!({"file": f, "error": e.to_string()}));
            }
        }
    }
    let overall = if compared == 0 { 100.0 } else { 100.0 * matched as f64 / compared as f64 };
    let ok = errors == 0 && min_match.is_none_or(|m| overall + 1e-9 >= m);
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({"files": rows, "compared": compared, "matched": matched,
                "match_rate": overall, "errors": errors, "min_match": min_match, "passed": ok}))?
        );
    } else {
        println!(
            "\n{} files, {compared} tasks compared, {matched} match: {overall:.2}%{}{}",
            files.len(),
            if errors > 0 { format!(", {errors} files could not be read") } else { String::new() },
            match min_match {
                Some(m) if overall + 1e-9 < m => format!(" (below --min-match {m})"),
                Some(m) => format!(" (meets --min-match {m})"),
                None => String::new(),
            }
        );
    }
    Ok(ok)
}

/// Runs `keel schedule import`.
pub async fn import(
    app: &App,
    actor: &Actor,
    file: &str,
    project: &str,
    format: Option<String>,
    dates: Option<DatesArg>,
) -> Result<()> {
    let (name, bytes) = read(file)?;
    let projects = app
        .records::<ProjectFields>()
        .all_where(actor, "code", keel_store::Value::text(project.to_string()))
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let Some(p) = projects.first() else { bail!("no project with code `{project}`") };
    let opts = ImportOptions { format, dates: dates.map_or(DatesChoice::Ask, DatesChoice::from) };
    let v = app.import_schedule(actor, p.id, &name, bytes, opts).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let r = &v.info.report;
    println!(
        "Imported {} into {} as schedule version {}: {} tasks, finish {}.",
        name,
        project,
        v.info.version,
        v.info.task_count,
        v.analysis.result.finish.format("%Y-%m-%d %H:%M")
    );
    println!("Quality: {} of 14 DCMA checks pass, {} fail.", r.quality_passed, r.quality_failed);
    if r.check_compared > 0 {
        println!("Stored dates: Keel reproduces {} of {} tasks.", r.check_matched, r.check_compared);
    }
    println!("Milestones: {} created, {} updated.", r.milestones_created, r.milestones_updated);
    if let Some(b) = &r.rebased {
        println!("{b}.");
    }
    if let Some(w) = r.dates_warning.as_deref().filter(|_| r.rebased.is_none()) {
        println!("warning: {w} Its dates were kept.");
    }
    for w in &r.warnings {
        println!("note: {}: {}", w.location, w.message);
    }
    Ok(())
}

/// Runs `keel schedule integrated`.
pub async fn integrated(app: &App, actor: &Actor, json: bool) -> Result<()> {
    let net = app.integrated_schedule(actor).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    if json {
        println!("{}", serde_json::to_string_pretty(&net)?);
        return Ok(());
    }
    if let Some(e) = &net.error {
        println!("The dependencies cannot be scheduled together: {e}");
    }
    let when = |t: chrono::NaiveDateTime| t.format("%Y-%m-%d %H:%M").to_string();
    if net.projects.is_empty() && net.error.is_none() {
        println!("No dependency links two scheduled projects.");
    } else if !net.projects.is_empty() {
        println!("{:<40} {:>16} {:>16} {:>9}  driven by", "project", "finish alone", "with suppliers", "slip (d)");
        for p in &net.projects {
            println!(
                "{:<40} {:>16} {:>16} {:>9.1}  {}",
                p.project,
                when(p.finish_alone),
                when(p.finish),
                p.slip_days,
                p.driven_by.join("; ")
            );
        }
        println!();
        println!(
            "{:<50} {:>16} {:>16} {:>16} {:>9} {:>9}  drives",
            "dependency", "delivers", "start alone", "start", "delay (d)", "float (d)"
        );
        for l in &net.links {
            let float = match l.float_days {
                _ if l.started => "started".to_owned(),
                Some(f) => format!("{f:.1}"),
                None => "-".to_owned(),
            };
            println!(
                "{:<50} {:>16} {:>16} {:>16} {:>9.1} {:>9}  {}",
                l.title,
                when(l.delivers),
                when(l.start_alone),
                when(l.start),
                l.delay_days,
                float,
                if l.driving { "yes" } else { "no" }
            );
        }
    }
    if !net.left_out.is_empty() {
        println!();
        println!("{} dependencies are not in the network:", net.left_out.len());
        for w in &net.left_out {
            println!("  {w}");
        }
    }
    Ok(())
}
