//! `keel report status|portfolio|board`: writes a report from the database's live data and saves
//! it as HTML, PDF, Excel or Markdown, and keeps it as an issued snapshot.

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand, ValueEnum};
use keel_app::{Actor, App, ReportFormat, ReportRequest, ReportScope};
use keel_domain::{PortfolioFields, ProgrammeFields, ProjectFields};
use keel_engine::report::{Audience, ReportKind};

/// What to write.
#[derive(Subcommand)]
pub enum ReportCommand {
    /// One project's status report (`--project CODE`).
    Status(ReportArgs),
    /// A portfolio or programme report: every active project, exceptions first.
    Portfolio(ReportArgs),
    /// A board pack: decisions needed and red risks first, then context, then evidence.
    Board(ReportArgs),
}

/// Output format.
#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    /// Standalone HTML with print styles.
    Html,
    /// PDF typeset by Keel.
    Pdf,
    /// Excel workbook of the tables.
    Xlsx,
    /// Markdown.
    Md,
}

/// Who reads it.
#[derive(Clone, Copy, ValueEnum)]
pub enum Reader {
    /// Board or executive committee.
    Executive,
    /// A sponsor.
    Sponsor,
    /// The PMO.
    Pmo,
    /// A project manager.
    ProjectManager,
}

/// Options shared by every report.
#[derive(Args)]
pub struct ReportArgs {
    /// Output format.
    #[arg(long, value_enum, default_value = "html")]
    format: Format,
    /// File to write.
    #[arg(long)]
    out: String,
    /// Who reads it (default: executive for board packs, PMO for portfolio reports, project
    /// manager for status reports).
    #[arg(long, value_enum)]
    audience: Option<Reader>,
    /// Limit to one portfolio (code).
    #[arg(long, conflicts_with_all = ["programme", "project"])]
    portfolio: Option<String>,
    /// Limit to one programme (code).
    #[arg(long, conflicts_with = "project")]
    programme: Option<String>,
    /// The project (code); required for status reports.
    #[arg(long)]
    project: Option<String>,
    /// Period end (YYYY-MM-DD); today in the reporting time zone by default.
    #[arg(long)]
    as_of: Option<chrono::NaiveDate>,
}

async fn id_of<F: keel_store::Stored>(app: &App, actor: &Actor, what: &str, code: &str) -> Result<keel_domain::Id<F>> {
    let found = app
        .records::<F>()
        .all_where(actor, "code", keel_store::Value::text(code.to_string()))
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    match found.first() {
        Some(r) => Ok(r.id),
        None => bail!("no {what} with code `{code}`"),
    }
}

/// Writes the report, keeps it as an issued snapshot and saves it to `--out`.
pub async fn run(app: &App, actor: &Actor, cmd: ReportCommand) -> Result<()> {
    let (kind, a) = match cmd {
        ReportCommand::Status(a) => (ReportKind::Status, a),
        ReportCommand::Portfolio(a) => (ReportKind::Portfolio, a),
        ReportCommand::Board(a) => (ReportKind::Board, a),
    };
    let scope = match (&a.portfolio, &a.programme, &a.project) {
        (Some(c), _, _) => ReportScope::Portfolio(id_of::<PortfolioFields>(app, actor, "portfolio", c).await?),
        (_, Some(c), _) => ReportScope::Programme(id_of::<ProgrammeFields>(app, actor, "programme", c).await?),
        (_, _, Some(c)) => ReportScope::Project(id_of::<ProjectFields>(app, actor, "project", c).await?),
        _ if kind == ReportKind::Status => bail!("a status report is for one project: give --project CODE"),
        _ => ReportScope::Organisation,
    };
    if kind != ReportKind::Status && matches!(scope, ReportScope::Project(_)) {
        bail!("--project is for status reports; use --portfolio or --programme for this report");
    }
    let audience = match a.audience {
        Some(Reader::Executive) => Audience::Executive,
        Some(Reader::Sponsor) => Audience::Sponsor,
        Some(Reader::Pmo) => Audience::Pmo,
        Some(Reader::ProjectManager) => Audience::ProjectManager,
        None => Audience::default_for(kind),
    };
    let format = match a.format {
        Format::Html => ReportFormat::Html,
        Format::Pdf => ReportFormat::Pdf,
        Format::Xlsx => ReportFormat::Xlsx,
        Format::Md => ReportFormat::Md,
    };
    let request = ReportRequest { kind, audience, scope, as_of: a.as_of };
    let started = std::time::Instant::now();
    let snapshot = app.generate_report(actor, &request, "cli").await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let app2 = app.clone();
    let info = snapshot.info.clone();
    let rendered = tokio::task::spawn_blocking(move || app2.render_report(&snapshot, format))
        .await
        .context("rendering stopped")?
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    std::fs::write(&a.out, &rendered.bytes).with_context(|| format!("cannot write {}", a.out))?;
    eprintln!(
        "{} ({} bytes) written to {} in {:.2} s; issued as report {}.",
        info.title,
        rendered.bytes.len(),
        a.out,
        started.elapsed().as_secs_f64(),
        info.id
    );
    Ok(())
}
