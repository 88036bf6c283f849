//! Words and numbers shared by every format, the PDF's too (keel-pdf prints cells with these):
//! cell text, labels of kinds, dates, money, links.

use chrono::{NaiveDate, NaiveDateTime};
use keel_domain::Rag;
use keel_engine::report::{Cell, SourceKind};

use crate::RenderOptions;

/// Shown where a number is not finite (a broken input must not print `NaN`).
pub const NOT_A_NUMBER: &str = "–";

/// `1234567.891` with `decimals` places and thousands separators: `1,234,567.89`.
pub fn number(value: f64, decimals: u8) -> String {
    if !value.is_finite() {
        return NOT_A_NUMBER.to_owned();
    }
    let decimals = usize::from(decimals.min(10));
    let raw = format!("{:.*}", decimals, value.abs());
    let (int, frac) = raw.split_once('.').map_or((raw.as_str(), None), |(i, f)| (i, Some(f)));
    let mut out = String::with_capacity(raw.len() + raw.len() / 3 + 1);
    // "-0" and "-0.00" read as noise: only a value that shows as non-zero keeps its sign.
    if value < 0.0 && raw.chars().any(|c| c.is_ascii_digit() && c != '0') {
        out.push('-');
    }
    let digits = int.len();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (digits - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    out
}

/// A whole number with thousands separators.
pub fn int(value: i64) -> String {
    let digits = value.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if value < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A ratio as a whole percentage: `0.255` is `26%`.
pub fn percent(ratio: f64) -> String {
    if !ratio.is_finite() {
        return NOT_A_NUMBER.to_owned();
    }
    format!("{}%", number(ratio * 100.0, 0))
}

/// An amount with its currency code in whole units, `GBP 1,250,000`: the one money formatter
/// of every report format and of the sentences ([`keel_domain::money_text`]).
pub fn money(amount: f64, currency: &str) -> String {
    keel_domain::money_text(amount, currency).unwrap_or_else(|| NOT_A_NUMBER.to_owned())
}

/// A date for people: `31 Mar 2026`.
pub fn date(d: NaiveDate) -> String {
    d.format("%-d %b %Y").to_string()
}

/// The reporting date in full: `31 March 2026`.
pub fn long_date(d: NaiveDate) -> String {
    d.format("%-d %B %Y").to_string()
}

/// When a document was generated: `1 April 2026 09:30 UTC`.
pub fn generated(t: NaiveDateTime) -> String {
    t.format("%-d %B %Y %H:%M UTC").to_string()
}

/// The label of a RAG, or "Not reported".
pub fn rag_label(rag: Option<Rag>) -> &'static str {
    rag.map_or("Not reported", Rag::label)
}

/// The text of a cell as people read it (RAG cells as their label, empty as "").
pub fn cell_text(cell: &Cell) -> String {
    match cell {
        Cell::Empty => String::new(),
        Cell::Text(t) => t.clone(),
        Cell::Int(i) => int(*i),
        Cell::Number { value, decimals } => number(*value, *decimals),
        Cell::Percent(p) => percent(*p),
        Cell::Money { amount, currency } => money(*amount, currency),
        Cell::Date(d) => date(*d),
        Cell::Rag(r) => rag_label(*r).to_owned(),
    }
}

/// Whether a cell holds a figure (right-aligned in tables).
pub fn is_numeric(cell: &Cell) -> bool {
    matches!(cell, Cell::Int(_) | Cell::Number { .. } | Cell::Percent(_) | Cell::Money { .. })
}

/// Whether column `col` holds figures: every non-empty cell in it is numeric, and one at least.
pub fn numeric_column(rows: &[Vec<Cell>], col: usize) -> bool {
    let mut any = false;
    for row in rows {
        match row.get(col) {
            None | Some(Cell::Empty) => {}
            Some(c) if is_numeric(c) => any = true,
            Some(_) => return false,
        }
    }
    any
}

/// The label of a kind of record.
pub const fn source_kind(kind: SourceKind) -> &'static str {
    match kind {
        SourceKind::Project => "Project",
        SourceKind::StatusReport => "Status report",
        SourceKind::Milestone => "Milestone",
        SourceKind::Risk => "Risk",
        SourceKind::Issue => "Issue",
        SourceKind::Decision => "Decision",
        SourceKind::Dependency => "Dependency",
        SourceKind::ForecastRun => "Forecast run",
        SourceKind::Schedule => "Schedule",
    }
}

/// The link to a record: the base URL (without a trailing slash) and the record's path from the
/// site root. A path that does not start with `/` gets one, so a stored path can never become a
/// link of another scheme (`javascript:`).
pub fn link(opts: &RenderOptions, path: &str) -> String {
    let base = opts.base_url.trim().trim_end_matches('/');
    if path.starts_with('/') { format!("{base}{path}") } else { format!("{base}/{path}") }
}

/// The 1-based reference numbers of a sentence's sources that exist in the document, in order.
pub(crate) fn references(sources: &[usize], available: usize) -> impl Iterator<Item = usize> + '_ {
    sources.iter().copied().filter(move |&i| i < available).map(|i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_have_thousands_separators_and_no_negative_zero() {
        assert_eq!(number(1_234_567.891, 2), "1,234,567.89");
        assert_eq!(number(999.0, 0), "999");
        assert_eq!(number(-1000.0, 1), "-1,000.0");
        assert_eq!(number(-0.001, 2), "0.00");
        assert_eq!(number(f64::NAN, 2), NOT_A_NUMBER);
        assert_eq!(int(-1_234_567), "-1,234,567");
        assert_eq!(int(i64::MIN), "-9,223,372,036,854,775,808");
    }

    #[test]
    fn money_and_percent() {
        assert_eq!(money(1_250_000.0, "GBP"), "GBP 1,250,000");
        assert_eq!(money(2_995_000.0, "GBP"), "GBP 2,995,000");
        assert_eq!(money(-12.5, "CHF"), "CHF -13");
        assert_eq!(money(f64::NAN, "CHF"), NOT_A_NUMBER);
        assert_eq!(percent(0.255), "26%");
        assert_eq!(percent(f64::INFINITY), NOT_A_NUMBER);
    }

    #[test]
    fn links_stay_on_the_site() {
        let opts = RenderOptions { base_url: "https://pmo.example.com/".into(), organisation: String::new() };
        assert_eq!(link(&opts, "/risks/1"), "https://pmo.example.com/risks/1");
        assert_eq!(link(&opts, "javascript:alert(1)"), "https://pmo.example.com/javascript:alert(1)");
        assert_eq!(link(&RenderOptions::default(), "javascript:x"), "/javascript:x");
    }
}
