//! `keel forecast montecarlo`: schedule risk analysis of a file or of a project's latest schedule.

use anyhow::{Context, Result, bail};
use clap::Subcommand;
use keel_app::{Actor, AnalyseOptions, App, ForecastRun, ForecastSettings, RunOptions, analyse, forecast_file};
use keel_domain::ProjectFields;

#[derive(Subcommand)]
pub enum ForecastCommand {
    /// Monte Carlo on the CPM network: finish and cost distributions, P-dates against the baseline,
    /// criticality and the drivers of the finish, with earned value and the delivery-risk
    /// prediction. Give a schedule FILE, or `--project CODE` to run (and keep) the project's forecast.
    Montecarlo {
        /// A schedule file (MSPDI, MPX, XER, P6 XML, CSV, XLSX).
        #[arg(required_unless_present = "project", conflicts_with = "project")]
        file: Option<String>,
        /// Project code: forecast its latest schedule version with its estimates and RAID risks.
        #[arg(long)]
        project: Option<String>,
        /// Iterations (the project's setting, or 5,000).
        #[arg(long)]
        iterations: Option<u32>,
        /// Random seed (the project's setting, or 20260101).
        #[arg(long)]
        seed: Option<u64>,
        /// Settings for a file as JSON (estimates, default range, correlation groups), as the API takes them.
        #[arg(long, conflicts_with = "project")]
        settings: Option<String>,
        /// Print the whole result as JSON.
        #[arg(long)]
        json: bool,
    },
}

/// Runs a forecast of a file.
pub fn file(
    file: &str,
    settings: Option<&str>,
    iterations: Option<u32>,
    seed: Option<u64>,
    json: bool,
    today: Option<chrono::NaiveDate>,
) -> Result<()> {
    let bytes = keel_interop::read_file(std::path::Path::new(file)).with_context(|| format!("cannot read {file}"))?;
    let name = std::path::Path::new(file).file_name().map_or_else(|| file.into(), |n| n.to_string_lossy().into_owned());
    let mut s = match settings {
        Some(path) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {path}"))?;
            let de = &mut serde_json::Deserializer::from_str(&text);
            serde_path_to_error::deserialize::<_, ForecastSettings>(de)
                .map_err(|e| anyhow::anyhow!("{path}: {}: {}", e.path(), e.inner()))?
        }
        None => ForecastSettings::default(),
    };
    if let Some(n) = iterations {
        s.iterations = n;
    }
    if let Some(x) = seed {
        s.seed = x;
    }
    let analysis = analyse(&name, &bytes, &AnalyseOptions::default()).map_err(|e| anyhow::anyhow!("{e}"))?;
    let run = forecast_file(&analysis, &s, today.unwrap_or_else(|| chrono::Utc::now().date_naive()))
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    print(&run, json)
}

/// Runs and keeps a project's forecast.
pub async fn project(
    app: &App,
    actor: &Actor,
    code: &str,
    iterations: Option<u32>,
    seed: Option<u64>,
    json: bool,
) -> Result<()> {
    let projects = app
        .records::<ProjectFields>()
        .all_where(actor, "code", keel_store::Value::text(code.to_string()))
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let Some(p) = projects.first() else { bail!("no project with code `{code}`") };
    let opts = RunOptions { iterations, seed, reason: "keel forecast montecarlo".into() };
    let run = app.run_forecast(actor, p.id, opts).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    print(&run, json)
}

fn date(d: chrono::NaiveDateTime) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn pct(p: f64) -> String {
    format!("{:.0}%", p * 100.0)
}

fn print(run: &ForecastRun, json: bool) -> Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(run)?);
        return Ok(());
    }
    let mc = &run.montecarlo;
    println!(
        "Monte Carlo: {} iterations (seed {}, engine {}, {:?} kernel), schedule version {}, status date {}.",
        mc.iterations,
        mc.seed,
        mc.engine_version,
        mc.kernel,
        run.schedule_version,
        date(run.status_date)
    );
    if let Some(c) = mc.converged {
        println!("Converged: {}", if c { "yes" } else { "no (ran every iteration asked)" });
    }
    let f = &mc.finish;
    println!(
        "Finish: deterministic {}  P10 {}  P50 {}  P80 {}  P90 {}",
        date(mc.deterministic_finish),
        date(f.p10),
        date(f.p50),
        date(f.p80),
        date(f.p90)
    );
    println!("Chance of meeting the deterministic finish: {}", pct(mc.p_meet_deterministic));
    if let (Some(b), Some(p)) = (mc.baseline_finish, mc.p_meet_baseline) {
        println!("Baseline finish {}: {} chance of meeting it.", date(b), pct(p));
    }
    if let Some(c) = &mc.cost {
        let m = |x: f64| x / 100.0;
        println!("Cost at completion: P50 {:.0}  P80 {:.0}  P90 {:.0}", m(c.p50), m(c.p80), m(c.p90));
    }
    if !mc.milestones.is_empty() {
        println!("\nMilestones                                   P50         P80");
        for m in &mc.milestones {
            println!("  {:<42} {}  {}", trim(&run.task_label(m.task), 42), date(m.finish.p50), date(m.finish.p80));
        }
    }
    for d in &mc.deadlines {
        println!("Deadline {} of {}: {} chance.", date(d.deadline), run.task_label(d.task), pct(d.probability));
    }
    let mut crit: Vec<_> = mc.tasks.iter().filter(|t| t.criticality > 0.0).collect();
    crit.sort_by(|a, b| b.criticality.total_cmp(&a.criticality));
    if !crit.is_empty() {
        println!("\nMost critical tasks (criticality index)");
        for t in crit.iter().take(10) {
            println!("  {:>4}  {}", pct(t.criticality), run.task_label(t.task));
        }
    }
    if !mc.tornado.is_empty() {
        println!("\nWhat drives the finish (rank correlation with the finish date)");
        for t in mc.tornado.iter().take(10) {
            let delta = t.finish_delta_days.map(|d| format!(", {d:+.1} days when it occurs")).unwrap_or_default();
            println!("  {:>5.2}  {}{delta}", t.correlation, t.label);
        }
    }
    if !mc.defaulted_tasks.is_empty() {
        let r = &run.settings.default_range;
        println!(
            "\n{} tasks had no estimate and got the default range {}%/{}%/{}% of their planned duration.",
            mc.defaulted_tasks.len(),
            r.optimistic_pct,
            r.most_likely_pct,
            r.pessimistic_pct
        );
    }
    for n in &run.notes {
        println!("note: {n}");
    }
    match (&run.evm, &run.evm_note) {
        (Some(e), note) => {
            if let Some(n) = note {
                println!("\n{n}");
            }
            if let Some(p) = e.periods.last() {
                let opt = |x: Option<f64>| x.map_or_else(|| "n/a".to_string(), |v| format!("{v:.2}"));
                println!(
                    "\nEarned value at {}: PV {:.0}  EV {:.0}  SPI {}  SPI(t) {}  CPI {}  ES {:.1} of AT {:.1} {}",
                    date(p.status_date),
                    p.pv,
                    p.ev,
                    opt(p.spi),
                    opt(p.spi_t),
                    opt(p.cpi),
                    p.es,
                    p.at,
                    e.time_basis.unit()
                );
            }
        }
        (None, Some(n)) => println!("\n{n}"),
        (None, None) => {}
    }
    match (&run.prediction, &run.prediction_note) {
        (Some(p), _) => {
            println!(
                "\nDelivery risk: {} chance of finishing more than {:.0}% late, {} chance of a budget overrun ({:?} model).",
                pct(p.finish.probability),
                p.margin.finish * 100.0,
                pct(p.budget.probability),
                p.finish.model
            );
            for f in p.finish.factors.iter().take(5) {
                println!("  {:+.2}  {}", f.contribution, f.text);
            }
        }
        (None, Some(n)) => println!("\n{n}"),
        (None, None) => {}
    }
    Ok(())
}

fn trim(s: &str, n: usize) -> String {
    if s.chars().count() <= n { s.to_string() } else { s.chars().take(n - 1).chain(['…']).collect() }
}
