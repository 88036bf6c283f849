//! Excel: the workbook read back with calamine.

use std::io::Cursor;

use calamine::{Data, DataType, Reader, Xlsx, open_workbook_from_rs};
use keel_report::xlsx;

use crate::fixture::{BASE_URL, date, document, options};

fn workbook() -> Xlsx<Cursor<Vec<u8>>> {
    let bytes = xlsx(&document(), &options()).expect("the workbook is written");
    assert!(bytes.starts_with(b"PK"), "an xlsx is a zip");
    open_workbook_from_rs(Cursor::new(bytes)).expect("calamine reads it")
}

#[test]
fn sheets_are_named_and_valid() {
    let wb = workbook();
    let names = wb.sheet_names();
    assert_eq!(names, ["Summary", "Projects by status", "Top risks open red", "Sources"]);
    for name in &names {
        assert!(name.chars().count() <= 31 && !name.contains(['[', ']', ':', '*', '?', '/', '\\']), "{name}");
    }
}

#[test]
fn summary_has_one_row_per_sentence_with_its_sources() {
    let doc = document();
    let mut wb = workbook();
    let range = wb.worksheet_range("Summary").expect("a Summary sheet");
    assert_eq!(range.get_value((0, 0)), Some(&Data::String(doc.title.clone())));
    assert_eq!(range.get_value((1, 1)), Some(&Data::String(doc.scope.clone())));
    let as_of = range.get_value((2, 1)).expect("an as-of cell");
    assert_eq!(as_of.as_date(), Some(doc.as_of), "the as-of date is an Excel date");
    let rows: Vec<(String, String, String)> =
        range.rows().skip(7).map(|r| (r[0].to_string(), r[1].to_string(), r[2].to_string())).collect();
    let expected: Vec<(String, String, String)> = doc
        .sections
        .iter()
        .flat_map(|section| {
            section.blocks.iter().flat_map(move |b| {
                let sentences: Vec<_> = match b {
                    keel_engine::report::Block::Paragraph { sentences }
                    | keel_engine::report::Block::Callout { sentences, .. } => sentences.iter().collect(),
                    keel_engine::report::Block::Bullets { items } => items.iter().flatten().collect(),
                    _ => Vec::new(),
                };
                sentences.into_iter().map(move |s| {
                    let refs: Vec<String> = s.sources.iter().map(|i| (i + 1).to_string()).collect();
                    (section.heading.clone(), s.text.clone(), refs.join(", "))
                })
            })
        })
        .collect();
    assert_eq!(rows, expected);
}

#[test]
fn table_cells_are_typed() {
    let mut wb = workbook();
    let range = wb.worksheet_range("Projects by status").expect("the table's sheet");
    let header: Vec<String> = range.rows().next().expect("a header").iter().map(ToString::to_string).collect();
    assert_eq!(header[0], "Project");
    assert_eq!(header[2], "Budget");
    // Row 2 (PRJ-001): money, percent, number and integer cells are numbers, not text.
    assert_eq!(range.get_value((1, 2)), Some(&Data::Float(1_250_000.0)));
    assert_eq!(range.get_value((1, 3)), Some(&Data::Float(0.62)));
    assert_eq!(range.get_value((1, 4)), Some(&Data::Float(0.874)));
    assert_eq!(range.get_value((1, 5)), Some(&Data::Float(7.0)));
    let finish = range.get_value((1, 6)).expect("a date cell");
    assert!(finish.is_datetime(), "{finish:?}");
    assert_eq!(finish.as_date(), Some(date(2026, 11, 30)));
    assert_eq!(range.get_value((1, 1)), Some(&Data::String("Red".into())));
    assert_eq!(range.get_value((1, 7)), Some(&Data::String("Vendor | contract <b>late</b>".into())));
    // Not reported: an empty RAG cell.
    assert!(matches!(range.get_value((4, 1)), None | Some(Data::Empty) | Some(Data::String(_))));
    if let Some(Data::String(s)) = range.get_value((4, 1)) {
        assert!(s.is_empty());
    }
    assert_eq!(range.height(), 5);
}

#[test]
fn sources_sheet_links_to_records() {
    let doc = document();
    let mut wb = workbook();
    let range = wb.worksheet_range("Sources").expect("a Sources sheet");
    for (i, src) in doc.sources.iter().enumerate() {
        let row = u32::try_from(i + 1).expect("few sources");
        assert_eq!(range.get_value((row, 0)), Some(&Data::Float((i + 1) as f64)));
        assert_eq!(range.get_value((row, 2)), Some(&Data::String(src.label.clone())));
    }
    assert_eq!(range.get_value((4, 1)), Some(&Data::String("Risk".into())));
    let links = wb.hyperlinks_by_sheet_name("Sources").expect("hyperlinks");
    let mut targets: Vec<(u32, String)> =
        links.iter().map(|l| (l.range.start.0, l.target.clone().expect("an external link"))).collect();
    targets.sort();
    let expected: Vec<(u32, String)> = doc
        .sources
        .iter()
        .enumerate()
        .map(|(i, s)| (u32::try_from(i + 1).expect("few sources"), format!("{BASE_URL}{}", s.path)))
        .collect();
    assert_eq!(targets, expected);
}

#[test]
fn relative_links_are_written_as_text() {
    let doc = document();
    let bytes = xlsx(&doc, &keel_report::RenderOptions::default()).expect("written");
    let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).expect("read");
    let range = wb.worksheet_range("Sources").expect("a Sources sheet");
    assert_eq!(range.get_value((1, 3)), Some(&Data::String(doc.sources[0].path.clone())));
}

#[test]
fn clashing_and_hostile_table_titles_still_give_a_workbook() {
    let mut doc = document();
    let table = keel_engine::report::Table {
        title: "Summary".into(),
        columns: vec!["A".into()],
        rows: vec![vec![keel_engine::report::Cell::Number { value: f64::NAN, decimals: 1 }]],
    };
    for _ in 0..3 {
        doc.sections[0].blocks.push(keel_engine::report::Block::Table(table.clone()));
    }
    let bytes = xlsx(&doc, &options()).expect("written");
    let wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).expect("read");
    let names = wb.sheet_names();
    assert_eq!(names.len(), 7);
    let mut lower: Vec<String> = names.iter().map(|n| n.to_lowercase()).collect();
    lower.sort();
    lower.dedup();
    assert_eq!(lower.len(), 7, "sheet names are unique: {names:?}");
}
