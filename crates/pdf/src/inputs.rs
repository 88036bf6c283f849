//! The document as typst values (`sys.inputs.doc`): the template reads data, never markup, so a
//! record title full of `#`, `*`, `$` or `]` is printed as written and cannot inject commands.
//!
//! Everything a reader sees as text (dates, money, percentages) is formatted here; the template
//! only lays it out.

use std::collections::{HashMap, HashSet};

use keel_engine::report::{Block, ChartSpec, Document, ReportKind, Sentence, Source, Table};
use keel_report::RenderOptions;
use typst::foundations::{Array, Bytes, Dict, IntoValue, Str, Value};
use typst::visualize::SvgImage;

use crate::format::{self, Align};

/// Draws a chart as an SVG document.
pub(crate) type ChartDrawer<'a> = &'a dyn Fn(&ChartSpec) -> String;

/// Builds `sys.inputs`: one key, `doc`.
pub(crate) fn inputs(doc: &Document, opts: &RenderOptions, draw: ChartDrawer<'_>) -> Dict {
    let notes = Notes::number(doc);
    let mut walk = Blocks { notes: &notes, seen: HashSet::new(), draw };
    let sections: Array = doc
        .sections
        .iter()
        .map(|section| {
            let blocks: Array = section.blocks.iter().map(|block| walk.block(block)).collect();
            dict([("heading", section.heading.as_str().into_value()), ("blocks", blocks.into_value())])
        })
        .collect();
    let sources: Array = doc.sources.iter().map(|source| source_value(source, opts)).collect();
    let cited: Array = notes
        .order
        .iter()
        .enumerate()
        .filter_map(|(n, &index)| {
            let source = doc.sources.get(index)?;
            let mut value = source_dict(source, opts);
            value.insert("number".into(), (n as i64 + 1).into_value());
            Some(value.into_value())
        })
        .collect();
    let document = dict([
        ("title", doc.title.as_str().into_value()),
        ("organisation", opts.organisation.as_str().into_value()),
        ("scope", doc.scope.as_str().into_value()),
        ("kind", kind_label(doc.kind).into_value()),
        ("audience", doc.audience.label().into_value()),
        ("as_of", format::date_text(doc.as_of).into_value()),
        ("generated", format::date_time_text(doc.generated_at).into_value()),
        ("sections", sections.into_value()),
        ("sources", sources.into_value()),
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

/// Footnote numbers: the n-th distinct source cited in reading order is footnote n. Its first
/// citation carries the note; later ones refer back to it by the same number.
struct Notes {
    /// Source indices in order of first citation.
    order: Vec<usize>,
    /// Source index to its footnote number (1-based).
    number: HashMap<usize, usize>,
}

impl Notes {
    fn number(doc: &Document) -> Self {
        let mut notes = Notes { order: Vec::new(), number: HashMap::new() };
        for sentence in doc.sentences() {
            for &index in &sentence.sources {
                if index < doc.sources.len() && !notes.number.contains_key(&index) {
                    notes.order.push(index);
                    notes.number.insert(index, notes.order.len());
                }
            }
        }
        notes
    }
}

fn dict<const N: usize>(pairs: [(&str, Value); N]) -> Value {
    pairs.into_iter().map(|(key, value)| (Str::from(key), value)).collect::<Dict>().into_value()
}

/// Where a source's record is in the web UI.
fn source_url(source: &Source, opts: &RenderOptions) -> String {
    let path = source.path.trim();
    if path.starts_with("http://") || path.starts_with("https://") {
        return path.to_owned();
    }
    let base = opts.base_url.trim().trim_end_matches('/');
    if path.starts_with('/') { format!("{base}{path}") } else { format!("{base}/{path}") }
}

fn source_dict(source: &Source, opts: &RenderOptions) -> Dict {
    [
        (Str::from("label"), source.label.as_str().into_value()),
        (Str::from("url"), source_url(source, opts).into_value()),
    ]
    .into_iter()
    .collect()
}

fn source_value(source: &Source, opts: &RenderOptions) -> Value {
    source_dict(source, opts).into_value()
}

/// Marks the first citation of each source in this sentence, in the order the notes were
/// numbered, skipping indices that are out of range or repeated within the sentence.
fn sentence_value(sentence: &Sentence, notes: &Notes, seen: &mut HashSet<usize>) -> Value {
    let mut marks: Vec<(usize, Value)> = Vec::new();
    let mut here: Vec<usize> = Vec::new();
    for &index in &sentence.sources {
        let Some(&number) = notes.number.get(&index) else { continue };
        if here.contains(&index) {
            continue;
        }
        here.push(index);
        let first = seen.insert(index);
        marks.push((number, dict([("source", (index as i64).into_value()), ("first", first.into_value())])));
    }
    // Adjacent marks read in ascending order: ¹,² not ²,¹.
    marks.sort_by_key(|(number, _)| *number);
    let marks: Array = marks.into_iter().map(|(_, mark)| mark).collect();
    dict([("text", sentence.text.as_str().into_value()), ("notes", marks.into_value())])
}

/// Walks the blocks in reading order, remembering which sources have had their footnote.
struct Blocks<'a> {
    notes: &'a Notes,
    seen: HashSet<usize>,
    draw: ChartDrawer<'a>,
}

impl Blocks<'_> {
    fn sentences(&mut self, sentences: &[Sentence]) -> Value {
        sentences.iter().map(|s| sentence_value(s, self.notes, &mut self.seen)).collect::<Array>().into_value()
    }

    fn block(&mut self, block: &Block) -> Value {
        let walk = self;
        match block {
            Block::Paragraph { sentences } => {
                dict([("type", "paragraph".into_value()), ("sentences", walk.sentences(sentences))])
            }
            Block::Bullets { items } => {
                let items: Array = items.iter().map(|item| walk.sentences(item)).collect();
                dict([("type", "bullets".into_value()), ("items", items.into_value())])
            }
            Block::Callout { rag, sentences } => dict([
                ("type", "callout".into_value()),
                ("rag", rag.map_or(Value::None, |r| r.as_str().into_value())),
                ("label", rag.map_or(Value::None, |r| r.label().into_value())),
                ("sentences", walk.sentences(sentences)),
            ]),
            Block::Table(table) => table_value(table),
            Block::Chart(chart) => {
                let svg = (walk.draw)(&chart.spec);
                let bytes = Bytes::from_string(svg);
                let (image, problem) = match SvgImage::new(bytes.clone()) {
                    Ok(_) => (bytes.into_value(), Value::None),
                    Err(error) => (Value::None, format!("{error:?}").into_value()),
                };
                dict([
                    ("type", "chart".into_value()),
                    ("title", chart.title.as_str().into_value()),
                    ("svg", image),
                    ("problem", problem),
                ])
            }
        }
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
    let columns: Array = (0..width).map(|col| table.columns.get(col).map_or("", String::as_str).into_value()).collect();
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
        ("rows", rows.into_value()),
    ])
}
