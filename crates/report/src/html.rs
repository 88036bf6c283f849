//! HTML: a standalone page (inline CSS with print styles) or a fragment for Keel's own pages.
//!
//! Every piece of text from the document is escaped; links to records are built by
//! [`format::link`], which keeps them on the Keel site.

use std::fmt::Write;

use keel_domain::Rag;
use keel_engine::report::{Block, Cell, Chart, Document, Sentence, Table};

use crate::charts::{self, esc};
use crate::{RenderOptions, format};

/// Screen and print styles, every rule scoped under `.keel-report`.
pub(crate) const CSS: &str = r#".keel-report{--kr-green:#2e7d32;--kr-amber:#f2a900;--kr-red:#c62828;--kr-grey:#9aa4b1;--kr-ink:#1b1f24;--kr-muted:#5b6470;--kr-rule:#d9dee5;--kr-link:#1d4f91;font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;font-size:15px;line-height:1.5;color:var(--kr-ink);background:#fff;max-width:60rem;margin:0 auto;padding:1.5rem}
.keel-report *{box-sizing:border-box}
.keel-report .kr-header{border-bottom:3px solid var(--kr-ink);padding-bottom:.75rem;margin-bottom:1.25rem}
.keel-report .kr-org{margin:0;font-size:.85rem;font-weight:600;letter-spacing:.04em;text-transform:uppercase;color:var(--kr-muted)}
.keel-report h1{margin:.25rem 0 .5rem;font-size:1.75rem;line-height:1.2}
.keel-report .kr-meta{margin:0;padding:0;list-style:none;display:flex;flex-wrap:wrap;gap:.25rem 1.25rem;font-size:.875rem;color:var(--kr-muted)}
.keel-report .kr-meta b{font-weight:600;color:var(--kr-ink)}
.keel-report section{margin:1.75rem 0}
.keel-report h2{font-size:1.25rem;margin:0 0 .75rem;padding-bottom:.25rem;border-bottom:1px solid var(--kr-rule)}
.keel-report p{margin:.5rem 0}
.keel-report ul{margin:.5rem 0;padding-left:1.25rem}
.keel-report li{margin:.25rem 0}
.keel-report a{color:var(--kr-link)}
.keel-report sup{line-height:0;font-size:.7em}
.keel-report sup a{text-decoration:none;margin-left:.1em}
.keel-report .kr-callout{margin:1rem 0;padding:.75rem 1rem;border-left:5px solid var(--kr-grey);border-radius:4px;background:#f4f6f8}
.keel-report .kr-callout p{margin:0}
.keel-report .kr-callout-green{border-left-color:var(--kr-green);background:#e8f3e9}
.keel-report .kr-callout-amber{border-left-color:var(--kr-amber);background:#fff5d6}
.keel-report .kr-callout-red{border-left-color:var(--kr-red);background:#fbe9e9}
.keel-report .kr-callout-label{font-weight:700;margin-right:.35em}
.keel-report .kr-table{margin:1rem 0;overflow-x:auto}
.keel-report table{border-collapse:collapse;width:100%;font-size:.875rem}
.keel-report caption{text-align:left;font-weight:600;padding:0 0 .4rem}
.keel-report th,.keel-report td{padding:.35rem .6rem;border-bottom:1px solid var(--kr-rule);text-align:left;vertical-align:top}
.keel-report thead th{border-bottom:2px solid var(--kr-ink);white-space:nowrap}
.keel-report tbody tr:nth-child(even){background:#f8f9fb}
.keel-report .kr-num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.keel-report .kr-pill{display:inline-block;min-width:4.5em;padding:.05em .6em;border-radius:999px;font-size:.8rem;font-weight:600;text-align:center;white-space:nowrap}
.keel-report .kr-pill-green{background:var(--kr-green);color:#fff}
.keel-report .kr-pill-amber{background:var(--kr-amber);color:#1b1f24}
.keel-report .kr-pill-red{background:var(--kr-red);color:#fff}
.keel-report .kr-pill-none{background:#e6e9ee;color:var(--kr-muted)}
.keel-report .kr-chart{margin:1rem 0}
.keel-report .kr-chart figcaption{font-weight:600;margin-bottom:.4rem}
.keel-report .kr-chart svg{display:block;max-width:100%;height:auto;font-family:inherit}
.keel-report .kr-sources{font-size:.8rem;color:var(--kr-muted);padding-left:1.75rem}
.keel-report .kr-sources .kr-kind{margin-left:.35em}
@media print{
@page{size:A4;margin:18mm 16mm 20mm}
.keel-report{max-width:none;margin:0;padding:0;font-size:10pt;-webkit-print-color-adjust:exact;print-color-adjust:exact}
.keel-report *{-webkit-print-color-adjust:exact;print-color-adjust:exact}
.keel-report h1,.keel-report h2,.keel-report caption,.keel-report figcaption{break-after:avoid;page-break-after:avoid}
.keel-report tr,.keel-report .kr-chart,.keel-report .kr-callout,.keel-report li{break-inside:avoid;page-break-inside:avoid}
.keel-report thead{display:table-header-group}
.keel-report .kr-table{overflow:visible}
.keel-report a{text-decoration:none;color:inherit}
.keel-report .kr-sources a::after{content:" (" attr(href) ")";word-break:break-all}
}
"#;

/// The standalone page.
pub(crate) fn page(doc: &Document, opts: &RenderOptions) -> String {
    let mut s = String::with_capacity(16 * 1024);
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"generator\" content=\"Keel report renderer {}\">\n<title>{}</title>\n<style>\nbody{{margin:0;background:#fff}}\n{CSS}</style>\n</head>\n<body>\n",
        crate::RENDERER_VERSION,
        esc(&doc.title)
    );
    s.push_str(&fragment(doc, opts));
    s.push_str("</body>\n</html>\n");
    s
}

/// The report body in `<div class="keel-report">`.
pub(crate) fn fragment(doc: &Document, opts: &RenderOptions) -> String {
    let mut s = String::with_capacity(16 * 1024);
    s.push_str("<div class=\"keel-report\">\n");
    header(&mut s, doc, opts);
    for section in &doc.sections {
        let _ = writeln!(s, "<section>\n<h2>{}</h2>", esc(&section.heading));
        for block in &section.blocks {
            self::block(&mut s, doc, opts, block);
        }
        s.push_str("</section>\n");
    }
    sources(&mut s, doc, opts);
    s.push_str("</div>\n");
    s
}

fn header(s: &mut String, doc: &Document, opts: &RenderOptions) {
    s.push_str("<header class=\"kr-header\">\n");
    if !opts.organisation.trim().is_empty() {
        let _ = writeln!(s, "<p class=\"kr-org\">{}</p>", esc(opts.organisation.trim()));
    }
    let _ = writeln!(s, "<h1>{}</h1>", esc(&doc.title));
    s.push_str("<ul class=\"kr-meta\">\n");
    if !doc.scope.trim().is_empty() {
        let _ = writeln!(s, "<li><b>Scope:</b> {}</li>", esc(&doc.scope));
    }
    let _ = writeln!(s, "<li><b>Audience:</b> {}</li>", esc(doc.audience.label()));
    let _ = writeln!(
        s,
        "<li><b>As of:</b> <time datetime=\"{}\">{}</time></li>",
        doc.as_of.format("%Y-%m-%d"),
        esc(&format::long_date(doc.as_of))
    );
    let _ = writeln!(
        s,
        "<li><b>Generated:</b> <time datetime=\"{}Z\">{}</time></li>",
        doc.generated_at.format("%Y-%m-%dT%H:%M:%S"),
        esc(&format::generated(doc.generated_at))
    );
    s.push_str("</ul>\n</header>\n");
}

/// Sentences run together, each followed by its reference links.
fn sentences(s: &mut String, doc: &Document, opts: &RenderOptions, list: &[Sentence]) {
    for (i, sentence) in list.iter().enumerate() {
        if i > 0 {
            s.push(' ');
        }
        s.push_str(&esc(sentence.text.trim()));
        for n in format::references(&sentence.sources, doc.sources.len()) {
            let path = doc.sources.get(n - 1).map_or("", |src| src.path.as_str());
            let _ = write!(s, "<sup><a href=\"{}\">[{n}]</a></sup>", esc(&format::link(opts, path)));
        }
    }
}

fn block(s: &mut String, doc: &Document, opts: &RenderOptions, block: &Block) {
    match block {
        Block::Paragraph { sentences: list } => {
            s.push_str("<p>");
            sentences(s, doc, opts, list);
            s.push_str("</p>\n");
        }
        Block::Bullets { items } => {
            s.push_str("<ul>\n");
            for item in items {
                s.push_str("<li>");
                sentences(s, doc, opts, item);
                s.push_str("</li>\n");
            }
            s.push_str("</ul>\n");
        }
        Block::Callout { rag, sentences: list } => {
            let class = rag.map_or("none", Rag::as_str);
            let _ = write!(s, "<div class=\"kr-callout kr-callout-{class}\" role=\"note\"><p>");
            if let Some(r) = rag {
                let _ = write!(s, "<span class=\"kr-callout-label\">{}:</span> ", r.label());
            }
            sentences(s, doc, opts, list);
            s.push_str("</p></div>\n");
        }
        Block::Table(t) => table(s, t),
        Block::Chart(c) => chart(s, c),
    }
}

fn table(s: &mut String, t: &Table) {
    let width = t.columns.len().max(t.rows.iter().map(Vec::len).max().unwrap_or(0));
    if width == 0 {
        return;
    }
    let numeric: Vec<bool> = (0..width).map(|c| format::numeric_column(&t.rows, c)).collect();
    s.push_str("<div class=\"kr-table\"><table>\n");
    if !t.title.trim().is_empty() {
        let _ = writeln!(s, "<caption>{}</caption>", esc(&t.title));
    }
    s.push_str("<thead><tr>");
    for (c, &num) in numeric.iter().enumerate() {
        let heading = t.columns.get(c).map_or("", String::as_str);
        let class = if num { " class=\"kr-num\"" } else { "" };
        let _ = write!(s, "<th scope=\"col\"{class}>{}</th>", esc(heading));
    }
    s.push_str("</tr></thead>\n<tbody>\n");
    for row in &t.rows {
        s.push_str("<tr>");
        for c in 0..width {
            cell(s, row.get(c).unwrap_or(&Cell::Empty));
        }
        s.push_str("</tr>\n");
    }
    s.push_str("</tbody>\n</table></div>\n");
}

fn cell(s: &mut String, cell: &Cell) {
    match cell {
        Cell::Rag(rag) => {
            let class = rag.map_or("none", Rag::as_str);
            let _ =
                write!(s, "<td><span class=\"kr-pill kr-pill-{class}\">{}</span></td>", esc(format::rag_label(*rag)));
        }
        Cell::Date(d) => {
            let _ = write!(
                s,
                "<td class=\"kr-date\"><time datetime=\"{}\">{}</time></td>",
                d.format("%Y-%m-%d"),
                esc(&format::date(*d))
            );
        }
        c if format::is_numeric(c) => {
            let _ = write!(s, "<td class=\"kr-num\">{}</td>", esc(&format::cell_text(c)));
        }
        c => {
            let _ = write!(s, "<td>{}</td>", esc(&format::cell_text(c)));
        }
    }
}

fn chart(s: &mut String, c: &Chart) {
    let title = if c.title.trim().is_empty() { charts::default_title(&c.spec) } else { c.title.as_str() };
    let _ = writeln!(
        s,
        "<figure class=\"kr-chart\">\n<figcaption>{}</figcaption>\n{}\n</figure>",
        esc(title),
        charts::svg_titled(&c.spec, title)
    );
}

fn sources(s: &mut String, doc: &Document, opts: &RenderOptions) {
    if doc.sources.is_empty() {
        return;
    }
    s.push_str("<section class=\"kr-sources-section\">\n<h2>Sources</h2>\n<ol class=\"kr-sources\">\n");
    for (i, src) in doc.sources.iter().enumerate() {
        let _ = writeln!(
            s,
            "<li id=\"kr-source-{}\"><a href=\"{}\">{}</a><span class=\"kr-kind\">({})</span></li>",
            i + 1,
            esc(&format::link(opts, &src.path)),
            esc(&src.label),
            format::source_kind(src.kind)
        );
    }
    s.push_str("</ol>\n</section>\n");
}
