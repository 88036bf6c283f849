//! Keel report renderers: lay an engine [`Document`] out as HTML (standalone, with print styles),
//! Markdown, or an Excel workbook of its tables; draw its charts as SVG.
//!
//! No IO: every renderer returns a `String` or bytes. CONTRACT (to be implemented).

use keel_engine::report::{Cell, Document, Table};

pub mod charts;
pub mod format;
mod html;
mod markdown;
mod table;
mod xlsx;

pub use xlsx::XlsxError;

/// Bumped when the layout of any format changes (stored with each snapshot).
pub const RENDERER_VERSION: &str = "1";

/// How links and headers are written.
#[derive(Debug, Clone, Default)]
pub struct RenderOptions {
    /// Base URL of the Keel server that source links point to (e.g. `https://pmo.example.com`);
    /// empty for links relative to the site root.
    pub base_url: String,
    /// Organisation name for the header.
    pub organisation: String,
}

/// A standalone HTML page (inline CSS with print styles, inline SVG charts, sentences followed by
/// numbered reference links to their sources, and a numbered source list at the end).
pub fn html(doc: &Document, opts: &RenderOptions) -> String {
    html::page(doc, opts)
}

/// The body of [`html`] without `<html>`/`<head>`, for embedding in Keel's own pages (the styles
/// it needs are scoped under `.keel-report`, returned by [`report_css`]).
pub fn html_fragment(doc: &Document, opts: &RenderOptions) -> String {
    html::fragment(doc, opts)
}

/// The CSS of report HTML (screen and print), scoped under `.keel-report`.
pub fn report_css() -> &'static str {
    html::CSS
}

/// Markdown (GitHub-flavoured tables), references as `[1]` links with the source list at the end.
pub fn markdown(doc: &Document, opts: &RenderOptions) -> String {
    markdown::render(doc, opts)
}

/// An Excel workbook: a "Summary" sheet of the narrative (one sentence per row with its source
/// numbers), one sheet per table with typed cells (numbers, dates, money), and a "Sources" sheet.
///
/// # Errors
/// When the workbook cannot be assembled (e.g. a sheet name clash after truncation).
pub fn xlsx(doc: &Document, opts: &RenderOptions) -> Result<Vec<u8>, XlsxError> {
    xlsx::render(doc, opts)
}

/// The text of a table cell as people read it, the same in pages, CSV and reports: money with
/// its currency (`GBP 1,250,000`), dates as `31 Mar 2026`, RAG by its label.
pub fn cell_text(cell: &Cell) -> String {
    format::cell_text(cell)
}

/// One table as CSV (a header row, then one line per row; cells as [`cell_text`] writes them).
pub fn table_csv(t: &Table) -> String {
    table::csv(t)
}

/// One table as an Excel workbook of one sheet: numbers as numbers, dates as date cells, money
/// with its currency's format, a frozen header row and an autofilter.
///
/// # Errors
/// When the workbook cannot be assembled (too many rows for a sheet).
pub fn table_xlsx(t: &Table) -> Result<Vec<u8>, XlsxError> {
    xlsx::render_table(t)
}
