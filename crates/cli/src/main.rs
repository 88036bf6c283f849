//! `keel`: the open-source PMO platform: server, demo data, users, tokens, export and import.

mod config;
mod evm;
mod forecast;
mod report;
mod schedule;

use std::{io::Read, path::PathBuf};

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};
use config::{Config, Overrides};
use keel_app::{Actor, App, AppConfig, NewUser, demo::DemoOptions};
use keel_domain::Role;
use keel_store::Store;

/// mimalloc keeps freed memory for the next request instead of handing it back to the system and
/// faulting it in again: with glibc's allocator a third of a 100k-task schedule run was page faults.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "keel",
    version,
    about = "Keel: the open-source PMO platform",
    long_about = "Keel holds portfolios, programmes and projects with their status, milestones, RAID logs and decisions, computes RAG roll-ups and exceptions, and keeps an audit trail of every change.\n\nConfiguration comes from keel.toml, then KEEL_* environment variables, then flags. With no database URL, Keel uses an embedded SQLite database in the data directory."
)]
struct Cli {
    #[command(flatten)]
    db: DbArgs,
    /// Configuration file.
    #[arg(long, global = true, default_value = "keel.toml", env = "KEEL_CONFIG")]
    config: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args)]
struct DbArgs {
    /// Directory of the embedded SQLite database [default: keel-data].
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
    /// Database URL: postgres://user@host/db or sqlite://path (overrides --data-dir).
    #[arg(long, global = true)]
    database_url: Option<String>,
    /// Pin "today" to this date (YYYY-MM-DD) for every date rule and the demo [env: KEEL_TODAY].
    #[arg(long, global = true)]
    today: Option<chrono::NaiveDate>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web UI and REST API.
    Serve {
        /// Load the demo organisation first (only into an empty database).
        #[arg(long)]
        demo: bool,
        /// Address to listen on [default: 127.0.0.1:8080].
        #[arg(long)]
        bind: Option<String>,
    },
    /// Create or upgrade the database schema.
    Migrate,
    /// Load a seeded demo organisation into an empty database.
    Demo {
        /// Number of projects (60 makes the realistic demo; thousands for benchmarks).
        #[arg(long, default_value_t = 60)]
        projects: usize,
        /// Random seed (the same seed gives the same organisation).
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Weeks of status history.
        #[arg(long, default_value_t = 52)]
        weeks: usize,
        /// How many active projects get a demo schedule (an MS Project plan, baselined and progressed).
        #[arg(long, default_value_t = 6)]
        schedules: usize,
    },
    /// Manage users.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Write the organisation's whole data set as one JSON document.
    Export {
        /// Output file ("-" for standard output).
        #[arg(long, short, default_value = "-")]
        out: String,
    },
    /// Schedules: import into a project, compute, and check against the dates the tool stored.
    #[command(subcommand)]
    Schedule(schedule::ScheduleCommand),
    /// Earned value and earned schedule: check ProTrack workbooks and measure forecast accuracy.
    #[command(subcommand)]
    Evm(evm::EvmCommand),
    /// Forecasts: Monte Carlo schedule risk, earned value and the delivery-risk prediction.
    #[command(subcommand)]
    Forecast(forecast::ForecastCommand),
    /// Reports: a status report, portfolio report or board pack from live data, as HTML, PDF,
    /// Excel or Markdown (`keel report board --format pdf --out board.pdf`).
    #[command(subcommand)]
    Report(report::ReportCommand),
    /// Load a JSON document written by `keel export` (into a database without that organisation).
    Import {
        /// Input file ("-" for standard input).
        file: String,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add a user to the organisation.
    Add {
        /// Sign-in name.
        username: String,
        /// Role: admin, pmo, portfolio_manager, project_manager, contributor or viewer.
        #[arg(long, default_value = "viewer")]
        role: String,
        /// Display name.
        #[arg(long, default_value = "")]
        name: String,
        /// E-mail.
        #[arg(long, default_value = "")]
        email: String,
        /// Password (at least 10 characters); read from KEEL_NEW_PASSWORD, or generated and printed if absent.
        #[arg(long, env = "KEEL_NEW_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
    /// Set a user's password (for example the admin's, if the generated one was lost).
    SetPassword {
        /// Sign-in name.
        username: String,
        /// New password; generated and printed if absent.
        #[arg(long, env = "KEEL_NEW_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
    /// List users and roles.
    List,
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create a personal API token for a user and print it (shown only once).
    Create {
        /// The user the token acts as.
        #[arg(long)]
        user: String,
        /// What the token is for.
        #[arg(long, default_value = "created with keel token create")]
        name: String,
    },
}

fn init_logging(format: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("KEEL_LOG")
        // usvg (inside typst) warns once per chart label that the generic `sans-serif` family is
        // not among the PDF's embedded fonts; it falls back to them, so the warning is noise.
        .unwrap_or_else(|_| "info,sqlx=warn,tower_http=info,usvg=error".into());
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}

async fn open(cfg: &Config) -> Result<App> {
    let url = cfg.url();
    if url.starts_with("sqlite:") {
        std::fs::create_dir_all(&cfg.data_dir)
            .with_context(|| format!("cannot create data directory {}", cfg.data_dir.display()))?;
    }
    let store = Store::connect(&url).await.with_context(|| format!("cannot open the database at {}", redact(&url)))?;
    store.migrate().await.context("cannot migrate the database")?;
    cfg.risk_matrix.validate().map_err(|e| anyhow::anyhow!("keel.toml [risk_matrix]: {e}"))?;
    cfg.reporting.to_app().validate().map_err(|e| anyhow::anyhow!("keel.toml [reporting]: {e}"))?;
    let app_config = AppConfig {
        stale_after_days: cfg.stale_after_days,
        session_hours: cfg.session_hours,
        dcma: cfg.dcma,
        risk_matrix: cfg.risk_matrix.clone(),
        reporting: cfg.reporting.to_app(),
        smtp: cfg.smtp.clone(),
        today: cfg.today,
        ..AppConfig::default()
    };
    Ok(App::new(store, app_config))
}

fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(a)) if a > s => format!("{}://***@{}", &url[..s], &url[a + 1..]),
        _ => url.to_owned(),
    }
}

async fn bootstrap(app: &App, cfg: &Config, org_name: &str) -> Result<Actor> {
    let (org, generated) =
        app.bootstrap(org_name, cfg.admin_password.as_deref()).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    if let Some(p) = generated {
        println!("Created organisation \"{}\" and user `admin` with password: {p}", org.name);
        println!(
            "(set KEEL_ADMIN_PASSWORD before the first start to choose it; change it with `keel user set-password admin`)"
        );
    }
    Ok(Actor::system(org.id))
}

fn password_or_generated(p: Option<String>) -> (String, bool) {
    match p {
        Some(p) => (p, false),
        None => (keel_app::generate_password(), true),
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down: finishing requests in flight");
}

fn err(e: keel_app::AppError) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            // A plain message for people, whatever RUST_BACKTRACE says.
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<()> {
    let cli = Cli::parse();
    let bind_flag = match &cli.command {
        Command::Serve { bind, .. } => bind.clone(),
        _ => None,
    };
    let overrides = Overrides {
        data_dir: cli.db.data_dir.clone(),
        database_url: cli.db.database_url.clone(),
        bind: bind_flag,
        today: cli.db.today,
    };
    let cfg = Config::load(&cli.config, &overrides).map_err(|e| anyhow::anyhow!(e))?;
    init_logging(&cfg.log_format);
    match cli.command {
        Command::Serve { demo, .. } => {
            let app = open(&cfg).await?;
            let org_name = if demo { "Northwind Group" } else { cfg.org_name.as_str() };
            bootstrap(&app, &cfg, org_name).await?;
            if demo {
                match app.load_demo(&DemoOptions { today: app.today(), ..DemoOptions::default() }).await.map_err(err)? {
                    Some(s) => println!("Loaded the demo portfolio: {} records.", s.records),
                    None => println!("The database already holds projects: demo not loaded again."),
                }
            }
            let listener = tokio::net::TcpListener::bind(&cfg.bind)
                .await
                .with_context(|| format!("cannot listen on {}", cfg.bind))?;
            let addr = listener.local_addr()?;
            println!("Keel is running at http://{addr}/ (database: {})", redact(&cfg.url()));
            tracing::info!(%addr, "listening");
            // Scheduled reports: generated and delivered by this server (runs claim their work,
            // so several instances on one database send each report once).
            let scheduler = app.spawn_report_scheduler();
            keel_server::serve(app, cfg.secure_cookies, listener, shutdown_signal()).await?;
            scheduler.abort();
        }
        Command::Migrate => {
            open(&cfg).await?;
            println!("Database schema is up to date ({}).", redact(&cfg.url()));
        }
        Command::Demo { projects, seed, weeks, schedules } => {
            let app = open(&cfg).await?;
            bootstrap(&app, &cfg, "Northwind Group").await?;
            let started = std::time::Instant::now();
            let opts = DemoOptions { seed, projects, today: app.today(), weeks_of_history: weeks, schedules };
            match app.load_demo(&opts).await.map_err(err)? {
                Some(s) => println!(
                    "Loaded a demo organisation with {projects} projects: {} records in {:.1?}.",
                    s.records,
                    started.elapsed()
                ),
                None => bail!("the database already holds projects: use an empty --data-dir or database"),
            }
        }
        Command::User(cmd) => {
            let app = open(&cfg).await?;
            let actor = bootstrap(&app, &cfg, &cfg.org_name).await?;
            match cmd {
                UserCommand::Add { username, role, name, email, password } => {
                    let role: Role = role.parse().map_err(|e: String| anyhow::anyhow!("--role: {e}"))?;
                    let (password, generated) = password_or_generated(password);
                    let u = app
                        .add_user(
                            &actor,
                            NewUser { username, display_name: name, email, password: password.clone(), role },
                        )
                        .await
                        .map_err(err)?;
                    println!("Added user `{}` as {}.", u.username, role.label());
                    if generated {
                        println!("Password: {password}");
                    }
                }
                UserCommand::SetPassword { username, password } => {
                    let (user, _) = app
                        .user_by_name(actor.org_id, &username)
                        .await
                        .map_err(|_| anyhow::anyhow!("no user `{username}` in this organisation"))?;
                    let (password, generated) = password_or_generated(password);
                    app.update_user(&actor, user.id, None, None, Some(&password)).await.map_err(err)?;
                    println!("Password of `{}` changed; their sessions were ended.", user.username);
                    if generated {
                        println!("New password: {password}");
                    }
                }
                UserCommand::List => {
                    for (u, r) in app.users(&actor).await.map_err(err)? {
                        println!(
                            "{:<24} {:<18} {}{}",
                            u.username,
                            r.as_str(),
                            u.display_name,
                            if u.disabled { " (disabled)" } else { "" }
                        );
                    }
                }
            }
        }
        Command::Token(TokenCommand::Create { user, name }) => {
            let app = open(&cfg).await?;
            let actor = bootstrap(&app, &cfg, &cfg.org_name).await?;
            let (u, _) = app
                .user_by_name(actor.org_id, &user)
                .await
                .map_err(|_| anyhow::anyhow!("no user `{user}` in this organisation"))?;
            let t = app.create_token(&actor, u.id, &name).await.map_err(err)?;
            println!("{}", t.secret);
        }
        Command::Export { out } => {
            let app = open(&cfg).await?;
            let org = app.default_org().await.map_err(err)?.context("the database is empty: nothing to export")?;
            let doc = app.export(&Actor::system(org.id)).await.map_err(err)?;
            let json = serde_json::to_string_pretty(&doc)?;
            if out == "-" {
                println!("{json}");
            } else {
                let tmp = format!("{out}.partial");
                std::fs::write(&tmp, json).with_context(|| format!("cannot write {tmp}"))?;
                std::fs::rename(&tmp, &out).with_context(|| format!("cannot write {out}"))?;
                eprintln!(
                    "Exported {} projects, {} status reports and {} audit entries to {out}.",
                    doc.records.projects.len(),
                    doc.records.status_reports.len(),
                    doc.audit.len()
                );
            }
        }
        Command::Schedule(cmd) => match cmd {
            schedule::ScheduleCommand::Import { file, project, format, dates } => {
                let app = open(&cfg).await?;
                let org = app
                    .default_org()
                    .await
                    .map_err(err)?
                    .context("the database is empty: run `keel migrate` and add a project first")?;
                schedule::import(&app, &Actor::system(org.id), &file, &project, format, dates).await?;
            }
            schedule::ScheduleCommand::Run { file, format, mode, json } => schedule::run(&file, format, mode, json)?,
            schedule::ScheduleCommand::Integrated { json } => {
                let app = open(&cfg).await?;
                let org =
                    app.default_org().await.map_err(err)?.context("the database is empty: run `keel demo` first")?;
                schedule::integrated(&app, &Actor::system(org.id), json).await?;
            }
            schedule::ScheduleCommand::Check { files, mode, json, min_match, show } => {
                if !schedule::check(&files, mode, json, min_match, show)? {
                    bail!("schedule check failed: a file could not be read or the match rate is below --min-match");
                }
            }
        },
        Command::Evm(evm::EvmCommand::Check { files, json, min_match, calendar_days, max_errors, product_errors }) => {
            if !evm::check(&files, json, min_match, calendar_days, max_errors, product_errors)? {
                bail!(
                    "evm check failed: more workbooks than --max-errors could not be read, the match rate is below \
                     --min-match, or (--product-errors) the forecast page's measured errors differ from this run's"
                );
            }
        }
        Command::Report(cmd) => {
            let app = open(&cfg).await?;
            let org = app
                .default_org()
                .await
                .map_err(err)?
                .context("the database is empty: run `keel demo` or add a project first")?;
            report::run(&app, &Actor::system(org.id), cmd).await?;
        }
        Command::Forecast(forecast::ForecastCommand::Montecarlo {
            file,
            project,
            iterations,
            seed,
            settings,
            json,
        }) => match (file, project) {
            (Some(file), _) => forecast::file(&file, settings.as_deref(), iterations, seed, json, cfg.today)?,
            (None, Some(code)) => {
                let app = open(&cfg).await?;
                let org = app
                    .default_org()
                    .await
                    .map_err(err)?
                    .context("the database is empty: run `keel demo` or add a project first")?;
                forecast::project(&app, &Actor::system(org.id), &code, iterations, seed, json).await?;
            }
            (None, None) => bail!("give a schedule FILE or --project CODE"),
        },
        Command::Import { file } => {
            let mut text = String::new();
            if file == "-" {
                std::io::stdin().read_to_string(&mut text)?;
            } else {
                text = std::fs::read_to_string(&file).with_context(|| format!("cannot read {file}"))?;
            }
            let de = &mut serde_json::Deserializer::from_str(&text);
            let doc: keel_app::ExportDocument = serde_path_to_error::deserialize(de)
                .map_err(|e| anyhow::anyhow!("{file}: field `{}`: {}", e.path(), e.inner()))?;
            let app = open(&cfg).await?;
            let s = app.import(&doc).await.map_err(|e| anyhow::anyhow!("{file}: {e}"))?;
            println!(
                "Imported organisation \"{}\": {} records, {} users, {} audit entries, {} rows of schedules, forecasts and reports.",
                doc.organisation.name, s.records, s.users, s.audit_entries, s.rows
            );
        }
    }
    Ok(())
}
