//! Typesetting cost of a large report: one 5,000-row table (about 110 pages).

use chrono::NaiveDate;
use keel_domain::Rag;
use keel_engine::report::{Audience, Block, Cell, Document, ReportKind, Section, Sentence, Table};
use keel_report::RenderOptions;

fn main() {
    divan::main();
}

fn table_document(rows: usize) -> Document {
    let day = NaiveDate::from_ymd_opt(2027, 3, 12).unwrap_or_default();
    let rows = (0..rows)
        .map(|i| {
            let rag = [Some(Rag::Green), Some(Rag::Amber), Some(Rag::Red), None][i % 4];
            vec![
                Cell::Text(format!("PRJ-{i:05} Task {i}")),
                Cell::Rag(rag),
                Cell::Money { amount: 1_000.0 * i as f64, currency: "EUR".into() },
                Cell::Percent((i % 100) as f64 / 100.0),
                Cell::Date(day),
            ]
        })
        .collect();
    Document {
        kind: ReportKind::Portfolio,
        audience: Audience::Pmo,
        title: "Portfolio register".into(),
        scope: "All projects".into(),
        as_of: day,
        generated_at: day.and_hms_opt(9, 0, 0).unwrap_or_default(),
        sections: vec![Section {
            heading: "Register".into(),
            blocks: vec![
                Block::Paragraph { sentences: vec![Sentence::plain("Every task in the portfolio.")] },
                Block::Table(Table {
                    title: "Tasks".into(),
                    columns: ["Task", "RAG", "Budget", "Complete", "Finish"].map(String::from).to_vec(),
                    rows,
                }),
            ],
        }],
        sources: vec![],
    }
}

#[divan::bench(sample_count = 3)]
fn table_5000_rows(bencher: divan::Bencher) {
    let doc = table_document(5_000);
    let opts = RenderOptions::default();
    bencher.bench(|| keel_pdf::render(divan::black_box(&doc), &opts).map(|pdf| pdf.len()));
}
