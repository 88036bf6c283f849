//! The document model every report format is laid out from.
//!
//! A [`Document`] is data, not markup: sections of blocks (paragraphs, bullet lists, call-outs,
//! tables, charts). Each [`Sentence`] lists the [`Source`]s it was written from by index into
//! [`Document::sources`], so HTML can link them and PDF can footnote them. Charts are
//! [`ChartSpec`]s (the numbers), drawn as SVG by the renderer, so a stored document keeps the data
//! as it was when the report was issued.

use chrono::{NaiveDate, NaiveDateTime};
use keel_domain::Rag;
use serde::{Deserialize, Serialize};

use crate::risk::HeatMap;

/// The kind of report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportKind {
    /// One project's status for a period.
    Status,
    /// A portfolio or programme report: every project, exceptions first.
    Portfolio,
    /// A board pack: decisions and red risks first, then context, then evidence.
    Board,
}

impl ReportKind {
    /// Every kind.
    pub const ALL: [ReportKind; 3] = [ReportKind::Status, ReportKind::Portfolio, ReportKind::Board];
    /// Machine name (`status`, `portfolio`, `board`).
    pub const fn as_str(self) -> &'static str {
        match self {
            ReportKind::Status => "status",
            ReportKind::Portfolio => "portfolio",
            ReportKind::Board => "board",
        }
    }
    /// Parses [`ReportKind::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Who a report is written for: the same data, different depth and order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    /// The board or executive committee: decisions, red risks, one line of context, short.
    Executive,
    /// A sponsor: their projects' benefits, decisions and escalations.
    Sponsor,
    /// The PMO: everything, with data quality (stale reports, missing baselines).
    Pmo,
    /// A project manager: their project in detail, tasks and actions.
    ProjectManager,
}

impl Audience {
    /// Every audience.
    pub const ALL: [Audience; 4] = [Audience::Executive, Audience::Sponsor, Audience::Pmo, Audience::ProjectManager];
    /// Machine name (`executive`, `sponsor`, `pmo`, `project_manager`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Audience::Executive => "executive",
            Audience::Sponsor => "sponsor",
            Audience::Pmo => "pmo",
            Audience::ProjectManager => "project_manager",
        }
    }
    /// Label for people.
    pub const fn label(self) -> &'static str {
        match self {
            Audience::Executive => "Executive",
            Audience::Sponsor => "Sponsor",
            Audience::Pmo => "PMO",
            Audience::ProjectManager => "Project manager",
        }
    }
    /// Parses [`Audience::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Who a kind of report is for unless someone says otherwise: executives read board packs,
    /// the PMO portfolio reports, project managers status reports.
    pub const fn default_for(kind: ReportKind) -> Self {
        match kind {
            ReportKind::Board => Audience::Executive,
            ReportKind::Portfolio => Audience::Pmo,
            ReportKind::Status => Audience::ProjectManager,
        }
    }
}

/// A generated report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Document {
    /// Kind of report.
    pub kind: ReportKind,
    /// Audience it was written for.
    pub audience: Audience,
    /// Title, e.g. "Board pack: Digital portfolio".
    pub title: String,
    /// What it covers, e.g. "Portfolio DIG Digital" or "Project PRJ-001 Payments".
    pub scope: String,
    /// The reporting date (period end) the data is as of.
    pub as_of: NaiveDate,
    /// When it was generated (UTC).
    pub generated_at: NaiveDateTime,
    /// The body.
    pub sections: Vec<Section>,
    /// The records sentences refer to; [`Sentence::sources`] index into this list.
    pub sources: Vec<Source>,
}

/// A headed part of a report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Section {
    /// Heading.
    pub heading: String,
    /// Content, in order.
    pub blocks: Vec<Block>,
}

/// A piece of a section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Block {
    /// Sentences run together as one paragraph.
    Paragraph {
        /// The sentences.
        sentences: Vec<Sentence>,
    },
    /// A bullet list; each item is one or more sentences.
    Bullets {
        /// The items.
        items: Vec<Vec<Sentence>>,
    },
    /// A highlighted statement (a decision needed, a red risk), with an optional RAG colour.
    Callout {
        /// Colour.
        rag: Option<Rag>,
        /// The sentences.
        sentences: Vec<Sentence>,
    },
    /// A table of figures.
    Table(Table),
    /// A chart drawn by the renderer from its data.
    Chart(Chart),
}

/// One generated sentence and the records it was written from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sentence {
    /// The text, plain (no markup).
    pub text: String,
    /// Indices into [`Document::sources`].
    #[serde(default)]
    pub sources: Vec<usize>,
}

/// What kind of record a source is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    /// A project record.
    Project,
    /// A submitted status report.
    StatusReport,
    /// A milestone.
    Milestone,
    /// A risk.
    Risk,
    /// An issue.
    Issue,
    /// A decision.
    Decision,
    /// A dependency.
    Dependency,
    /// A forecast run.
    ForecastRun,
    /// A schedule version (and a task in it).
    Schedule,
}

/// A record a sentence refers to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Source {
    /// Kind of record.
    pub kind: SourceKind,
    /// Its id (a UUID, or a task id within a schedule).
    pub id: String,
    /// A short label for footnotes, e.g. "Risk: Supplier insolvency (PRJ-001)".
    pub label: String,
    /// Path of the record in Keel's web UI, from the site root (e.g. `/projects/{id}`); the HTML
    /// renderer prefixes the server's base URL.
    pub path: String,
}

/// A table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Table {
    /// Caption.
    pub title: String,
    /// Column headings.
    pub columns: Vec<String>,
    /// Rows, each as long as `columns`.
    pub rows: Vec<Vec<Cell>>,
}

/// A table cell, typed so Excel gets numbers and dates, not text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum Cell {
    /// Nothing.
    Empty,
    /// Text.
    Text(String),
    /// A whole number.
    Int(i64),
    /// A number shown with `decimals` places.
    Number {
        /// Value.
        value: f64,
        /// Places shown.
        decimals: u8,
    },
    /// A ratio shown as a percentage (0.25 is 25%).
    Percent(f64),
    /// An amount of money.
    Money {
        /// Amount in major units.
        amount: f64,
        /// ISO 4217 code.
        currency: String,
    },
    /// A date.
    Date(NaiveDate),
    /// A RAG status (`None`: not reported).
    Rag(Option<Rag>),
}

/// A chart with its title.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Chart {
    /// Title shown above it.
    pub title: String,
    /// What to draw.
    pub spec: ChartSpec,
}

/// The data of a chart; the same charts as Keel's dashboards.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ChartSpec {
    /// Projects by overall RAG: green, amber, red, not reported.
    RagDistribution {
        /// Counts in that order.
        counts: [usize; 4],
    },
    /// RAG counts at each period end.
    RagTrend {
        /// Oldest first.
        points: Vec<RagTrendPoint>,
    },
    /// Each project's forecast finish (P50, P80) against its baseline finish.
    ForecastVsBaseline {
        /// One bar per project.
        rows: Vec<ForecastBar>,
    },
    /// Open risks on the probability-impact grid.
    HeatMap(HeatMap),
    /// Earned-value S-curve: PV, EV, AC over time against BAC.
    SCurve {
        /// Budget at completion.
        bac: f64,
        /// Points, oldest first.
        points: Vec<SCurvePoint>,
        /// The currency of every amount (ISO code; empty in snapshots from before it was kept).
        #[serde(default)]
        currency: String,
    },
}

/// RAG counts at one period end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RagTrendPoint {
    /// Period end.
    pub period_end: NaiveDate,
    /// Green projects.
    pub green: usize,
    /// Amber projects.
    pub amber: usize,
    /// Red projects.
    pub red: usize,
}

/// One project's forecast against its baseline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForecastBar {
    /// Project code.
    pub label: String,
    /// Baseline finish.
    pub baseline: Option<NaiveDate>,
    /// P50 finish.
    pub p50: NaiveDate,
    /// P80 finish.
    pub p80: NaiveDate,
}

/// One point of an S-curve.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SCurvePoint {
    /// Date.
    pub date: NaiveDate,
    /// Planned value.
    pub pv: f64,
    /// Earned value (`None` after the status date).
    pub ev: Option<f64>,
    /// Actual cost (`None` when unknown).
    pub ac: Option<f64>,
}

impl Sentence {
    /// A sentence with no sources.
    pub fn plain(text: impl Into<String>) -> Self {
        Self { text: text.into(), sources: Vec::new() }
    }
}

impl Document {
    /// Adds `source` to the list (once) and returns its index for [`Sentence::sources`].
    pub fn cite(&mut self, source: Source) -> usize {
        if let Some(i) = self.sources.iter().position(|s| *s == source) {
            return i;
        }
        self.sources.push(source);
        self.sources.len() - 1
    }

    /// Every sentence of the document in reading order (for tests and search).
    pub fn sentences(&self) -> impl Iterator<Item = &Sentence> {
        self.sections.iter().flat_map(|s| s.blocks.iter()).flat_map(|b| -> Box<dyn Iterator<Item = &Sentence>> {
            match b {
                Block::Paragraph { sentences } | Block::Callout { sentences, .. } => Box::new(sentences.iter()),
                Block::Bullets { items } => Box::new(items.iter().flatten()),
                Block::Table(_) | Block::Chart(_) => Box::new(std::iter::empty()),
            }
        })
    }
}
