//! How table cells print: the text comes from keel-report's formatters (the same money, dates
//! and percentages as the HTML, Markdown and Excel outputs); this adds only what print needs,
//! the alignment and the RAG colour.

use keel_engine::report::Cell;
use keel_report::format;

/// How a cell's text is aligned in its column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Align {
    /// Text.
    Left,
    /// Figures and dates.
    Right,
    /// RAG statuses.
    Centre,
}

impl Align {
    /// The typst alignment keyword the template maps.
    pub(crate) const fn as_str(self) -> &'static str {
        match self {
            Align::Left => "left",
            Align::Right => "right",
            Align::Centre => "center",
        }
    }
}

/// A cell ready to print: its text, its alignment and, for RAG cells, the colour name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PrintedCell {
    /// What is printed.
    pub text: String,
    /// Where it sits in the column.
    pub align: Align,
    /// `green`, `amber` or `red` for a RAG cell; `None` otherwise.
    pub rag: Option<&'static str>,
}

/// Formats a cell for print.
pub(crate) fn cell(cell: &Cell) -> PrintedCell {
    let text = format::cell_text(cell);
    match cell {
        Cell::Empty | Cell::Text(_) => PrintedCell { text, align: Align::Left, rag: None },
        Cell::Int(_) | Cell::Number { .. } | Cell::Percent(_) | Cell::Money { .. } | Cell::Date(_) => {
            PrintedCell { text, align: Align::Right, rag: None }
        }
        Cell::Rag(rag) => PrintedCell { text, align: Align::Centre, rag: rag.map(|r| r.as_str()) },
    }
}

#[cfg(test)]
mod tests {
    use keel_domain::Rag;

    use super::*;

    #[test]
    fn cells_align_figures_right_and_colour_rag() {
        assert_eq!(cell(&Cell::Int(5)).align, Align::Right);
        assert_eq!(cell(&Cell::Text("x".into())).align, Align::Left);
        let red = cell(&Cell::Rag(Some(Rag::Red)));
        assert_eq!((red.text.as_str(), red.rag), ("Red", Some("red")));
        assert_eq!(cell(&Cell::Rag(None)).rag, None);
    }

    #[test]
    fn money_prints_as_every_other_format_prints_it() {
        let money = cell(&Cell::Money { amount: 2_995_000.0, currency: "GBP".into() });
        assert_eq!(money.text, "GBP 2,995,000");
        assert_eq!(money.text, format::money(2_995_000.0, "GBP"));
        assert_eq!(money.align, Align::Right);
    }
}
