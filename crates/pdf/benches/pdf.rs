//! Typesetting cost of large reports: one 5,000-row table (about 110 pages), and 1,000 bullets
//! each citing its own record as a footnote (the shape of a PMO report's decision list).

use chrono::NaiveDate;
use keel_domain::Rag;
use keel_engine::report::{Audience, Block, Cell, Document, ReportKind, Section, Sentence, Source, SourceKind, Table};
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

fn footnoted_bullets(items: usize) -> Document {
    let mut doc = table_document(0);
    doc.sections[0].blocks = vec![Block::Bullets {
        items: (0..items)
            .map(|i| {
                vec![Sentence {
                    text: format!(
                        "PRJ-{i:05} Migration {i}: extend the implementation partner contract; options: extend for six months on current rates; re-tender the remaining work."
                    ),
                    sources: vec![i],
                }]
            })
            .collect(),
    }];
    doc.sources = (0..items)
        .map(|i| Source {
            kind: SourceKind::Decision,
            id: format!("d{i}"),
            label: format!("Decision: extend the contract (PRJ-{i:05})"),
            path: format!("/r/decisions/d{i}"),
        })
        .collect();
    doc
}

#[divan::bench(sample_count = 3)]
fn footnoted_bullets_1000(bencher: divan::Bencher) {
    let doc = footnoted_bullets(1_000);
    let opts = RenderOptions::default();
    bencher.bench(|| keel_pdf::render(divan::black_box(&doc), &opts).map(|pdf| pdf.len()));
}
