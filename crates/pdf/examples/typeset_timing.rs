//! Times the typesetting of a stored report document: `cargo run --release -p keel-pdf --example
//! typeset_timing -- DOCUMENT.json [OUT.pdf]` (the JSON as kept in `report_snapshots.document`).

use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().ok_or("usage: typeset_timing DOCUMENT.json [OUT.pdf]")?;
    let doc: keel_engine::report::Document = serde_json::from_str(&std::fs::read_to_string(&path)?)?;
    let opts = keel_report::RenderOptions::default();
    for round in 1..=2 {
        let start = Instant::now();
        let pdf = keel_pdf::render(&doc, &opts)?;
        eprintln!("round {round}: {} bytes in {:.2?}", pdf.len(), start.elapsed());
        if let Some(out) = args.next() {
            std::fs::write(out, &pdf)?;
        }
    }
    Ok(())
}
