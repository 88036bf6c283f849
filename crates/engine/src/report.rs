//! Reports that write themselves: the document model, the facts a report is written from, the
//! RAG rules that propose a status, and the narrative builders.
//!
//! Everything here is pure: the application gathers [`facts`] from its records, forecasts and
//! schedules; [`narrative`] turns them into a [`document::Document`] of sections whose every
//! sentence carries references to the records behind it; renderers elsewhere (HTML, Markdown,
//! Excel, PDF) only lay the document out. A stored document is the immutable snapshot of an
//! issued report.

pub mod document;
pub mod facts;
mod lines;
pub mod narrative;
pub mod rag_rules;
mod sources;
pub mod status;
mod words;

pub use document::{
    Audience, Block, Cell, Chart, ChartSpec, Document, ForecastBar, RagTrendPoint, ReportKind, SCurvePoint, Section,
    Sentence, Source, SourceKind, Table,
};
pub use facts::{
    DecisionFacts, EvmFacts, ForecastFacts, IssueFacts, MilestoneFacts, PortfolioFacts, PredictionFacts, ProjectFacts,
    ReportedStatus, RiskFacts, ScopeFacts, ScopeKind, TaskSlip,
};
pub use narrative::{portfolio_report, status_report};
pub use rag_rules::{Dimension, DimensionProposal, RagRules, TierThresholds, propose_rag};
pub use status::{StatusDraft, draft_status};
