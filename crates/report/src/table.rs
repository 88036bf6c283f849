//! A table as CSV: the registers' and the dashboard's exports.

use keel_engine::report::{Cell, Table};

use crate::format;

/// A cell's text; text a spreadsheet would run as a formula (`=`, `+`, `-`, `@` first) is
/// prefixed with `'` so opening the file never executes it.
fn field(cell: &Cell) -> String {
    let text = format::cell_text(cell);
    if matches!(cell, Cell::Text(_)) && text.starts_with(['=', '+', '-', '@']) { format!("'{text}") } else { text }
}

pub(crate) fn csv(t: &Table) -> String {
    let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    // Writing to memory cannot fail; a failed record would only be missing from the output.
    let _ = w.write_record(&t.columns);
    for row in &t.rows {
        let _ = w.write_record(row.iter().map(field));
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_what_needs_quoting_and_defuses_formulas() {
        let t = Table {
            title: "Risks".into(),
            columns: vec!["Title".into(), "Score".into(), "Budget".into()],
            rows: vec![vec![
                Cell::Text("Build, or \"buy\"".into()),
                Cell::Int(1200),
                Cell::Money { amount: 1_250_000.0, currency: "GBP".into() },
            ]],
        };
        assert_eq!(csv(&t), "Title,Score,Budget\r\n\"Build, or \"\"buy\"\"\",\"1,200\",\"GBP 1,250,000\"\r\n");
        let t = Table { title: "x".into(), columns: vec!["A".into()], rows: vec![vec![Cell::Text("=1+1".into())]] };
        assert_eq!(csv(&t), "A\r\n'=1+1\r\n");
    }
}
