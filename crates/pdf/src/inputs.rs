//! The document as typst values (`sys.inputs.doc`): the template reads data, never markup, so a
//! record title full of `#`, `*`, `$` or `]` is printed as written and cannot inject commands.
//!
//! Everything a reader sees as text (dates, money, percentages) is formatted here with
//! keel-report's formatters, the ones every other format uses; the template only lays it out.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use keel_engine::report::{Block, ChartSpec, Document, ReportKind, Sentence, Table};
use keel_report::{RenderOptions, format as text};
use typst::foundations::{Array, Bytes, Dict, IntoValue, Str, Value};

use crate::format::{self, Align};

/// Draws a chart as an SVG document.
pub(crate) type ChartDrawer<'a> = &'a dyn Fn(&ChartSpec) -> String;

/// Text cells longer than this (in characters) make their column share the free width.
const LONG_TEXT: usize = 14;

/// Tables with more columns than this are set on a landscape page of their own.
const PORTRAIT_COLUMNS: usize = 9;

/// Builds `sys.inputs`: one key, `doc`.
pub(crate) fn inputs(doc: &Document, opts: &RenderOptions, draw: ChartDrawer<'_>) -> Dict {
    let refs = Refs::number(doc);
    let sections: Array = doc
        .sections
        .iter()
        .map(|section| {
            let blocks = blocks(&section.blocks, &refs, draw);
            dict([("heading", section.heading.as_str().into_value()), ("blocks", blocks.into_value())])
        })
        .collect();
    let cited: Array = refs
        .order
        .iter()
        .enumerate()
        .filter_map(|(n, &index)| {
            let source = doc.sources.get(index)?;
            Some(dict([
                ("number", (n as i64 + 1).into_value()),
                ("label", source.label.as_str().into_value()),
                ("url", text::link(opts, &source.path).into_value()),
            ]))
        })
        .collect();
    let document = dict([
        ("title", doc.title.as_str().into_value()),
        ("organisation", opts.organisation.as_str().into_value()),
        ("scope", doc.scope.as_str().into_value()),
        ("kind", kind_label(doc.kind).into_value()),
        ("audience", doc.audience.label().into_value()),
        ("as_of", text::date(doc.as_of).into_value()),
        ("generated", text::generated(doc.generated_at).into_value()),
        ("sections", sections.into_value()),
        ("cited", cited.into_value()),
    ]);
    let mut inputs = Dict::new();
    inputs.insert("doc".into(), document);
    inputs
}

/// How a report kind is named on its cover.
const fn kind_label(kind: ReportKind) -> &'static str {
    match kind {
        ReportKind::Status => "Status report",
        ReportKind::Portfolio => "Portfolio report",
        ReportKind::Board => "Board pack",
    }
}

/// Reference numbers: the n-th distinct source cited in reading order is reference n, listed
/// as n under "Sources" at the end. Sources no sentence cites are not listed.
struct Refs {
    /// Source indices in order of first citation.
    order: Vec<usize>,
    /// Source index to its reference number (1-based).
    number: HashMap<usize, usize>,
}

impl Refs {
    fn number(doc: &Document) -> Self {
        let mut refs = Refs { order: Vec::new(), number: HashMap::new() };
        for sentence in doc.sentences() {
            for &index in &sentence.sources {
                if index < doc.sources.len() && !refs.number.contains_key(&index) {
                    refs.order.push(index);
                    refs.number.insert(index, refs.order.len());
                }
            }
        }
        refs
    }

    /// A sentence's reference numbers, ascending, without repeats, runs of three or more
    /// written as a range: `[1, 2, 3, 5]` is `1–3` and `5`. Each mark links to the first number
    /// it names.
    fn marks(&self, sentence: &Sentence) -> Array {
        let mut numbers: Vec<usize> = sentence.sources.iter().filter_map(|i| self.number.get(i).copied()).collect();
        numbers.sort_unstable();
        numbers.dedup();
        let mut marks = Array::new();
        let mut i = 0;
        while i < numbers.len() {
            let mut j = i;
            while j + 1 < numbers.len() && numbers[j + 1] == numbers[j] + 1 {
                j += 1;
            }
            let (first, last) = (numbers[i], numbers[j]);
            let shown = match j - i {
                0 => first.to_string(),
                1 => {
                    // Two in a row read better as two marks: 1,2 not 1–2.
                    j = i;
                    first.to_string()
                }
                _ => format!("{first}\u{2013}{last}"),
            };
            marks.push(dict([("text", shown.into_value()), ("number", (first as i64).into_value())]));
            i = j + 1;
        }
        marks
    }
}

fn dict<const N: usize>(pairs: [(&str, Value); N]) -> Value {
    pairs.into_iter().map(|(key, value)| (Str::from(key), value)).collect::<Dict>().into_value()
}

fn sentences(list: &[Sentence], refs: &Refs) -> Value {
    list.iter()
        .map(|s| dict([("text", s.text.as_str().into_value()), ("refs", refs.marks(s).into_value())]))
        .collect::<Array>()
        .into_value()
}

/// A section's blocks; consecutive charts become one `charts` block so the template can set
/// small ones side by side.
fn blocks(list: &[Block], refs: &Refs, draw: ChartDrawer<'_>) -> Array {
    let mut out = Array::new();
    let mut charts = Array::new();
    for block in list {
        if let Block::Chart(chart) = block {
            charts.push(chart_value(&chart.title, &draw(&chart.spec)));
            continue;
        }
        if !charts.is_empty() {
            out.push(dict([("type", "charts".into_value()), ("items", std::mem::take(&mut charts).into_value())]));
        }
        out.push(match block {
            Block::Paragraph { sentences: list } => {
                dict([("type", "paragraph".into_value()), ("sentences", sentences(list, refs))])
            }
            Block::Bullets { items } => {
                let items: Array = items.iter().map(|item| sentences(item, refs)).collect();
                dict([("type", "bullets".into_value()), ("items", items.into_value())])
            }
            Block::Callout { rag, sentences: list } => dict([
                ("type", "callout".into_value()),
                ("rag", rag.map_or(Value::None, |r| r.as_str().into_value())),
                ("label", rag.map_or(Value::None, |r| r.label().into_value())),
                ("sentences", sentences(list, refs)),
            ]),
            Block::Table(table) => table_value(table),
            Block::Chart(_) => Value::None,
        });
    }
    if !charts.is_empty() {
        out.push(dict([("type", "charts".into_value()), ("items", charts.into_value())]));
    }
    out
}

/// The embedded fonts as usvg sees them, to check charts the way typst will draw them.
fn chart_fonts() -> Arc<usvg::fontdb::Database> {
    static FONTS: OnceLock<Arc<usvg::fontdb::Database>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            let mut db = usvg::fontdb::Database::new();
            for font in typst_assets::fonts() {
                db.load_font_data(font.to_vec());
            }
            Arc::new(db)
        })
        .clone()
}

/// Reads a chart's SVG with only the embedded fonts (so no system font lookup, and no warning
/// about generic families): its size in SVG pixels, or why it cannot be drawn.
pub(crate) fn read_svg(svg: &str) -> Result<(f64, f64), String> {
    let options = usvg::Options {
        fontdb: chart_fonts(),
        font_family: keel_report::charts::FONT_FAMILY.to_owned(),
        ..Default::default()
    };
    let tree = usvg::Tree::from_str(svg, &options).map_err(|e| e.to_string())?;
    Ok((f64::from(tree.size().width()), f64::from(tree.size().height())))
}

fn chart_value(title: &str, svg: &str) -> Value {
    match read_svg(svg) {
        Ok((width, _)) => dict([
            ("title", title.into_value()),
            ("svg", Bytes::from_string(svg.to_owned()).into_value()),
            ("width", width.into_value()),
            ("problem", Value::None),
        ]),
        Err(problem) => dict([
            ("title", title.into_value()),
            ("svg", Value::None),
            ("width", 0.0.into_value()),
            ("problem", problem.into_value()),
        ]),
    }
}

fn table_value(table: &Table) -> Value {
    let width = table.rows.iter().map(Vec::len).chain([table.columns.len()]).max().unwrap_or(0);
    let printed: Vec<Vec<format::PrintedCell>> = table
        .rows
        .iter()
        .map(|row| {
            let mut cells: Vec<_> = row.iter().map(format::cell).collect();
            cells.resize_with(width, || format::cell(&keel_engine::report::Cell::Empty));
            cells
        })
        .collect();
    // A column of figures has its heading over the figures.
    let aligns: Array = (0..width)
        .map(|col| {
            let mut kinds = printed.iter().map(|row| &row[col]).filter(|c| !c.text.is_empty()).map(|c| c.align);
            let align = match kinds.next() {
                Some(first) if kinds.all(|a| a == first) => first,
                _ => Align::Left,
            };
            align.as_str().into_value()
        })
        .collect();
    // A heading over short figures or labels is broken into lines about as wide as they are, so
    // "P80 slip (working days)" does not make its column wider than its numbers need.
    let columns: Array = (0..width)
        .map(|col| {
            let heading = table.columns.get(col).map_or("", String::as_str);
            let widest = printed.iter().map(|row| row[col].text.chars().count()).max().unwrap_or(0);
            heading_lines(heading, widest).into_iter().map(IntoValue::into_value).collect::<Array>().into_value()
        })
        .collect();
    // Columns of text longer than a code or a label (names, reasons) take the width left over.
    let wide: Array = (0..width)
        .map(|col| printed.iter().any(|row| row[col].align == Align::Left && row[col].text.chars().count() > LONG_TEXT))
        .map(IntoValue::into_value)
        .collect();
    let rows: Array = printed
        .iter()
        .map(|row| {
            row.iter()
                .map(|c| {
                    dict([
                        ("text", c.text.as_str().into_value()),
                        ("align", c.align.as_str().into_value()),
                        ("rag", c.rag.map_or(Value::None, IntoValue::into_value)),
                    ])
                })
                .collect::<Array>()
                .into_value()
        })
        .collect();
    dict([
        ("type", "table".into_value()),
        ("title", table.title.as_str().into_value()),
        ("columns", columns.into_value()),
        ("aligns", aligns.into_value()),
        ("wide", wide.into_value()),
        ("rows", rows.into_value()),
        ("landscape", (width > PORTRAIT_COLUMNS).into_value()),
    ])
}

/// `heading` in lines of at most `width` characters (or its longest word), broken at spaces.
fn heading_lines(heading: &str, width: usize) -> Vec<String> {
    let width = width.max(heading.split_whitespace().map(|w| w.chars().count()).max().unwrap_or(0));
    let mut lines: Vec<String> = Vec::new();
    for word in heading.split_whitespace() {
        match lines.last_mut() {
            Some(line) if line.chars().count() + 1 + word.chars().count() <= width => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_owned()),
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use keel_engine::report::Source;

    use super::*;

    fn refs_for(numbers: &[usize]) -> Vec<String> {
        let max = numbers.iter().copied().max().unwrap_or(0);
        let mut refs = Refs { order: (0..max).collect(), number: HashMap::new() };
        for i in 0..max {
            refs.number.insert(i, i + 1);
        }
        let sentence = Sentence { text: String::new(), sources: numbers.iter().map(|n| n - 1).collect() };
        refs.marks(&sentence)
            .into_iter()
            .map(|v| match v {
                Value::Dict(d) => {
                    d.get("text").ok().and_then(|t| t.clone().cast::<Str>().ok()).unwrap_or_default().into()
                }
                _ => String::new(),
            })
            .collect()
    }

    #[test]
    fn runs_of_references_read_as_ranges() {
        assert_eq!(refs_for(&[3, 1, 2, 2, 5]), ["1\u{2013}3", "5"]);
        assert_eq!(refs_for(&[1, 2, 4]), ["1", "2", "4"]);
        assert_eq!(refs_for(&(1..=12).collect::<Vec<_>>()), ["1\u{2013}12"]);
        assert!(refs_for(&[]).is_empty());
    }

    #[test]
    fn sources_are_numbered_in_order_of_first_citation() {
        let mut doc = crate::tests::chart_doc();
        doc.sources.push(Source { label: "Second".into(), path: "/r/risks/2".into(), ..doc.sources[0].clone() });
        if let Block::Paragraph { sentences } = &mut doc.sections[0].blocks[0] {
            sentences[0].sources = vec![1, 0, 1, 9];
        }
        let refs = Refs::number(&doc);
        assert_eq!(refs.order, [1, 0], "out-of-range indices are skipped");
    }

    #[test]
    fn headings_break_to_the_width_of_their_column() {
        // Never narrower than the longest word.
        assert_eq!(heading_lines("P80 slip (working days)", 2), ["P80 slip", "(working", "days)"]);
        assert_eq!(heading_lines("P80 slip (working days)", 14), ["P80 slip", "(working days)"]);
        assert_eq!(heading_lines("Project", 40), ["Project"]);
        assert!(heading_lines("", 3).is_empty());
    }

    #[test]
    fn broken_svg_says_why() {
        assert!(read_svg("<svg unclosed").is_err());
        let size = read_svg(r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 300 100"/>"#);
        assert_eq!(size, Ok((300.0, 100.0)));
    }
}
