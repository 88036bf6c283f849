#![doc = include_str!("../README.md")]

mod format;
mod inputs;

use std::sync::OnceLock;

use chrono::{Datelike, Timelike};
use keel_engine::report::{ChartSpec, Document};
use keel_report::RenderOptions;
use typst::diag::SourceDiagnostic;
use typst::foundations::{Datetime, Smart};
use typst_as_lib::{TypstAsLibError, TypstEngine, TypstTemplateMainFile};
use typst_layout::PagedDocument;

/// Why a PDF could not be produced.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// Typesetting failed (a bug: the message names the construct).
    #[error("typesetting the report failed: {0}")]
    Typeset(String),
}

/// The layout, compiled into the binary.
const TEMPLATE: &str = include_str!("report.typ");

/// Typst's world (fonts, library, template) is built once per process and shared by every render.
fn engine() -> &'static TypstEngine<TypstTemplateMainFile> {
    static ENGINE: OnceLock<TypstEngine<TypstTemplateMainFile>> = OnceLock::new();
    ENGINE.get_or_init(|| {
        TypstEngine::builder()
            .main_file(("/keel-report.typ", TEMPLATE))
            .fonts(typst_assets::fonts())
            // Keep the template's parse and the font metrics warm between renders.
            .comemo_evict_max_age(Some(10))
            .build()
    })
}

/// Typesets `doc` as an A4 PDF: title block, sections, tables (wide ones on landscape pages),
/// charts (the same SVG as HTML, text in the embedded fonts), RAG call-outs in colour, and each
/// sentence's sources as reference numbers into the source list at the end.
///
/// Links to sources are `opts.base_url` followed by the source's path. The same document always
/// gives the same bytes (the PDF's creation date is the document's `generated_at`).
///
/// Cost: linear in the document; a few hundred milliseconds for a board pack, the first call
/// also loads the embedded fonts.
///
/// # Errors
/// [`PdfError::Typeset`].
pub fn render(doc: &Document, opts: &RenderOptions) -> Result<Vec<u8>, PdfError> {
    render_with_charts(doc, opts, &keel_report::charts::svg)
}

/// [`render`] with charts drawn by `draw` (tests give it their own SVG).
fn render_with_charts(
    doc: &Document,
    opts: &RenderOptions,
    draw: &dyn Fn(&ChartSpec) -> String,
) -> Result<Vec<u8>, PdfError> {
    let inputs = inputs::inputs(doc, opts, draw);
    let compiled = engine().compile_with_input::<_, PagedDocument>(inputs).output.map_err(typeset_error)?;
    let options = typst_pdf::PdfOptions {
        ident: Smart::Custom(format!("keel-report:{}:{}", doc.title, doc.generated_at)),
        timestamp: timestamp(doc),
        ..Default::default()
    };
    typst_pdf::pdf(&compiled, &options).map_err(|diags| PdfError::Typeset(messages(&diags)))
}

fn timestamp(doc: &Document) -> Option<typst_pdf::Timestamp> {
    let at = doc.generated_at;
    let datetime = Datetime::from_ymd_hms(
        at.year(),
        u8::try_from(at.month()).ok()?,
        u8::try_from(at.day()).ok()?,
        u8::try_from(at.hour()).ok()?,
        u8::try_from(at.minute()).ok()?,
        u8::try_from(at.second()).ok()?,
    )?;
    Some(typst_pdf::Timestamp::new_utc(datetime))
}

fn typeset_error(error: TypstAsLibError) -> PdfError {
    match error {
        TypstAsLibError::TypstSource(diags) => PdfError::Typeset(messages(&diags)),
        other => PdfError::Typeset(other.to_string()),
    }
}

fn messages(diags: &[SourceDiagnostic]) -> String {
    diags
        .iter()
        .map(|d| {
            let hints: String = d.hints.iter().map(|h| format!(" (hint: {})", h.v)).collect();
            format!("{}{hints}", d.message)
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    //! Charts through the private drawing hook, so they are tested with SVG made here rather
    //! than with keel-report's charts.

    use std::sync::Arc;

    use chrono::NaiveDate;
    use hayro::hayro_interpret::InterpreterSettings;
    use hayro::hayro_syntax::Pdf;
    use hayro::vello_cpu::color::palette::css::WHITE;
    use hayro::{RenderCache, RenderSettings};
    use keel_engine::report::{Audience, Block, Chart, Document, ReportKind, Section, Sentence, Source, SourceKind};

    use super::*;

    const BLUE: [u8; 3] = [0x15, 0x65, 0xc0];

    pub(crate) fn chart_doc() -> Document {
        let day = NaiveDate::from_ymd_opt(2027, 3, 12).expect("valid date");
        Document {
            kind: ReportKind::Portfolio,
            audience: Audience::Pmo,
            title: "Charts".into(),
            scope: "Portfolio".into(),
            as_of: day,
            generated_at: day.and_hms_opt(8, 0, 0).expect("valid time"),
            sections: vec![Section {
                heading: "Delivery".into(),
                blocks: vec![
                    Block::Paragraph {
                        sentences: vec![Sentence {
                            text: "The chart below is drawn from its data.".into(),
                            sources: vec![0],
                        }],
                    },
                    Block::Chart(Chart {
                        title: "Projects by RAG".into(),
                        spec: ChartSpec::RagDistribution { counts: [3, 2, 1, 0] },
                    }),
                ],
            }],
            // With no base URL, links are relative to the site root.
            sources: vec![Source {
                kind: SourceKind::Project,
                id: "p1".into(),
                label: "Project PRJ-001".into(),
                path: "/projects/p1".into(),
            }],
        }
    }

    /// Pixels of page 1 (at 72 dpi) within a small tolerance of `rgb`, and the page's pixel count.
    fn count_near(pdf_bytes: &[u8], rgb: [u8; 3]) -> (usize, usize) {
        let data = Arc::new(pdf_bytes.to_vec());
        let pdf = Pdf::new(data).expect("hayro reads the PDF");
        let page = pdf.pages().first().expect("page 1");
        let settings = RenderSettings { bg_color: WHITE, ..Default::default() };
        let pixmap = hayro::render(page, &RenderCache::new(), &InterpreterSettings::default(), &settings);
        let pixels = pixmap.take_unpremultiplied();
        let near = pixels.iter().filter(|p| [p.r, p.g, p.b].iter().zip(rgb).all(|(&a, b)| a.abs_diff(b) <= 10)).count();
        (near, pixels.len())
    }

    fn blue_share(width: u32, height: u32) -> f64 {
        let svg = move |_: &ChartSpec| {
            format!(
                r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}"><title>RAG</title><rect width="{width}" height="{height}" fill="#1565c0"/><text x="20" y="40" font-size="20" fill="white">Green 3</text></svg>"##
            )
        };
        let bytes = render_with_charts(&chart_doc(), &RenderOptions::default(), &svg).expect("typesets");
        let (blue, total) = count_near(&bytes, BLUE);
        blue as f64 / total as f64
    }

    #[test]
    fn a_wide_chart_is_embedded_at_text_width() {
        // Text width on A4 with 2.1 cm margins is about 16.8 cm; a 2:1 chart at that width covers
        // roughly 16.8 x 8.4 cm of the 21 x 29.7 cm page: about 22%.
        let share = blue_share(800, 400);
        assert!((0.17..0.27).contains(&share), "chart area share {share:.3}");
    }

    #[test]
    fn a_small_chart_keeps_its_print_scale() {
        // 400 x 200 SVG pixels at 0.75 pt each: 300 x 150 pt of the 595 x 842 pt page, about 9%.
        let share = blue_share(400, 200);
        assert!((0.07..0.11).contains(&share), "chart area share {share:.3}");
    }

    #[test]
    fn a_chart_that_is_not_svg_is_reported_in_place() {
        let broken = |_: &ChartSpec| "<svg unclosed".to_owned();
        let bytes = render_with_charts(&chart_doc(), &RenderOptions::default(), &broken)
            .expect("a broken chart does not sink the report");
        assert!(bytes.starts_with(b"%PDF-"));
        let (blue, _) = count_near(&bytes, BLUE);
        assert_eq!(blue, 0);
    }
}
