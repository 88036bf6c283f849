//! Renders hand-built report documents to PDF, then reads the PDF back with a real rasteriser
//! (hayro): page count, extracted text, and pixels of page 1 saved as PNG for a person to look at.

use std::sync::Arc;

use chrono::NaiveDate;
use hayro::hayro_interpret::font::Glyph;
use hayro::hayro_interpret::{
    BlendMode, ClipPath, Context, Device, GlyphDrawMode, Image, InterpreterSettings, Paint, PathDrawMode, SoftMask,
    interpret_page,
};
use hayro::hayro_syntax::Pdf;
use hayro::vello_cpu::color::palette::css::WHITE;
use hayro::vello_cpu::kurbo::{Affine, BezPath, Rect};
use hayro::{RenderCache, RenderSettings};
use keel_domain::Rag;
use keel_engine::report::{
    Audience, Block, Cell, Chart, ChartSpec, Document, ReportKind, Section, Sentence, Source, SourceKind, Table,
};
use keel_report::RenderOptions;

/// A record title with every character that means something in typst markup.
const HOSTILE: &str = r#"Q3 #let x = 1 *bold* _em_ $x^2$ [link] \ @ref <label> `raw` ~ // not a comment"#;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

fn opts() -> RenderOptions {
    RenderOptions { base_url: "https://pmo.example.com/".into(), organisation: "Acme & Co #1".into() }
}

fn source(kind: SourceKind, id: &str, label: &str, path: &str) -> Source {
    Source { kind, id: id.into(), label: label.into(), path: path.into() }
}

fn cited(text: &str, sources: &[usize]) -> Sentence {
    Sentence { text: text.into(), sources: sources.to_vec() }
}

/// Every block type, a hostile title, and a 45-row table that has to break across pages.
fn board_pack() -> Document {
    let rows = (1..=45)
        .map(|i| {
            let rag = match i % 3 {
                0 => Some(Rag::Green),
                1 => Some(Rag::Amber),
                _ => None,
            };
            vec![
                Cell::Text(format!("PRJ-{i:03} Payments wave {i}")),
                Cell::Rag(rag),
                Cell::Money { amount: 1_250_000.0 + f64::from(i) * 10_000.4, currency: "GBP".into() },
                Cell::Percent(f64::from(i) / 50.0),
                Cell::Number { value: 0.8 + f64::from(i) / 100.0, decimals: 2 },
                Cell::Int(i64::from(i) * 12),
                Cell::Date(date(2027, 3, 1 + (i as u32 % 28))),
            ]
        })
        .collect();
    Document {
        kind: ReportKind::Board,
        audience: Audience::Executive,
        title: format!("Board pack: {HOSTILE}"),
        scope: "Portfolio DIG Digital <all> & more".into(),
        as_of: date(2027, 3, 12),
        generated_at: date(2027, 3, 13).and_hms_opt(9, 14, 0).expect("valid time"),
        sections: vec![
            Section {
                heading: "Decisions and red risks".into(),
                blocks: vec![
                    Block::Callout {
                        rag: Some(Rag::Red),
                        sentences: vec![
                            cited(
                                "Supplier insolvency threatens go-live; the board must approve the fallback supplier.",
                                &[0],
                            ),
                            cited("The P80 finish is now 14 weeks after the baseline.", &[1, 0]),
                        ],
                    },
                    Block::Callout {
                        rag: Some(Rag::Amber),
                        sentences: vec![cited("Cost performance has slipped to a CPI of 0.91.", &[2])],
                    },
                    Block::Callout { rag: None, sentences: vec![Sentence::plain("Two decisions are due this month.")] },
                    Block::Chart(Chart {
                        title: "Projects by RAG".into(),
                        spec: ChartSpec::RagDistribution { counts: [8, 3, 1, 0] },
                    }),
                ],
            },
            Section {
                heading: format!("Context {HOSTILE}"),
                blocks: vec![
                    Block::Paragraph {
                        sentences: vec![
                            cited(&format!("Risk {HOSTILE} is open."), &[3]),
                            cited("It was raised again this period.", &[0]),
                            Sentence::plain("Eight of twelve projects are green."),
                        ],
                    },
                    Block::Bullets {
                        items: vec![
                            vec![cited("Payments: float on the critical path is 3 days.", &[1])],
                            vec![Sentence::plain("Data platform: on track."), Sentence::plain("No open issues.")],
                            vec![cited("Out-of-range sources are ignored.", &[99])],
                        ],
                    },
                ],
            },
            Section {
                heading: "Evidence".into(),
                blocks: vec![Block::Table(Table {
                    title: "Projects by RAG".into(),
                    columns: ["Project", "RAG", "Budget", "Complete", "CPI", "Tasks", "Next milestone"]
                        .map(String::from)
                        .to_vec(),
                    rows,
                })],
            },
        ],
        sources: vec![
            source(SourceKind::Risk, "r1", "Risk: Supplier insolvency (PRJ-001)", "/projects/p1/risks/r1"),
            source(SourceKind::ForecastRun, "f1", "Forecast run 14 Mar (PRJ-001)", "/projects/p1/forecasts/f1"),
            source(SourceKind::StatusReport, "s1", "Status report 7 Mar (PRJ-002)", "/projects/p2/status/s1"),
            source(SourceKind::Risk, "r2", &format!("Risk: {HOSTILE}"), "/projects/p3/risks/r2"),
        ],
    }
}

fn render(doc: &Document) -> Vec<u8> {
    keel_pdf::render(doc, &opts()).expect("the document typesets")
}

fn load(bytes: &[u8]) -> Pdf {
    let data = Arc::new(bytes.to_vec());
    Pdf::new(data).expect("hayro reads the PDF")
}

/// Page `index` as RGBA pixels (unpremultiplied) at `scale` (1.0 = 72 dpi).
struct Raster {
    width: usize,
    height: usize,
    rgba: Vec<u8>,
    png: Vec<u8>,
}

fn rasterise(pdf: &Pdf, index: usize, scale: f32) -> Raster {
    let page = pdf.pages().get(index).expect("the page exists");
    let cache = RenderCache::new();
    let settings = RenderSettings { x_scale: scale, y_scale: scale, bg_color: WHITE, ..Default::default() };
    let pixmap = hayro::render(page, &cache, &InterpreterSettings::default(), &settings);
    let (width, height) = (usize::from(pixmap.width()), usize::from(pixmap.height()));
    let rgba: Vec<u8> = pixmap.clone().take_unpremultiplied().iter().flat_map(|p| [p.r, p.g, p.b, p.a]).collect();
    let png = pixmap.into_png().expect("PNG encodes");
    Raster { width, height, rgba, png }
}

impl Raster {
    fn pixels(&self) -> impl Iterator<Item = [u8; 3]> + '_ {
        self.rgba.chunks_exact(4).map(|p| [p[0], p[1], p[2]])
    }

    /// Share of pixels that are not (near) white.
    fn ink(&self) -> f64 {
        let inked = self.pixels().filter(|p| p.iter().any(|&c| c < 235)).count();
        inked as f64 / (self.width * self.height) as f64
    }

    /// Pixels within `tolerance` of `rgb` on every channel.
    fn count_near(&self, rgb: [u8; 3], tolerance: u8) -> usize {
        self.pixels().filter(|p| p.iter().zip(rgb).all(|(&a, b)| a.abs_diff(b) <= tolerance)).count()
    }

    /// Leftmost and rightmost columns holding a pixel near `rgb`.
    fn columns_near(&self, rgb: [u8; 3], tolerance: u8) -> Option<(usize, usize)> {
        let xs = self
            .pixels()
            .enumerate()
            .filter(|(_, p)| p.iter().zip(rgb).all(|(&a, b)| a.abs_diff(b) <= tolerance))
            .map(|(i, _)| i % self.width);
        xs.fold(None, |acc, x| match acc {
            None => Some((x, x)),
            Some((lo, hi)) => Some((lo.min(x), hi.max(x))),
        })
    }

    fn save(&self, name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join("keel-pdf-tests");
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join(name);
        std::fs::write(&path, &self.png).expect("PNG written");
        println!("page image: {}", path.display());
        path
    }
}

/// Collects the Unicode text of every glyph the page draws, in drawing order.
#[derive(Default)]
struct TextDevice {
    text: String,
}

impl<'a> Device<'a> for TextDevice {
    fn set_soft_mask(&mut self, _: Option<SoftMask<'a>>) {}
    fn set_blend_mode(&mut self, _: BlendMode) {}
    fn draw_path(&mut self, _: &BezPath, _: Affine, _: &Paint<'a>, _: &PathDrawMode) {}
    fn push_clip_path(&mut self, _: &ClipPath) {}
    fn push_transparency_group(&mut self, _: f32, _: Option<SoftMask<'a>>, _: BlendMode) {}
    fn draw_glyph(&mut self, glyph: &Glyph<'a>, _: Affine, _: Affine, _: &Paint<'a>, _: &GlyphDrawMode) {
        match glyph.as_unicode() {
            Some(hayro::hayro_interpret::hayro_cmap::BfString::Char(c)) => self.text.push(c),
            Some(hayro::hayro_interpret::hayro_cmap::BfString::String(s)) => self.text.push_str(&s),
            None => self.text.push('\u{fffd}'),
        }
    }
    fn draw_image(&mut self, _: Image<'a, '_>, _: Affine) {}
    fn pop_clip_path(&mut self) {}
    fn pop_transparency_group(&mut self) {}
}

/// The page's text with all whitespace removed (typst positions words rather than drawing spaces).
fn page_text(pdf: &Pdf, index: usize) -> String {
    let page = pdf.pages().get(index).expect("the page exists");
    let cache = hayro::hayro_interpret::InterpreterCache::new();
    let (w, h) = page.render_dimensions();
    let mut context = Context::new(
        Affine::IDENTITY,
        Rect::new(0.0, 0.0, f64::from(w), f64::from(h)),
        &cache,
        page.xref(),
        InterpreterSettings::default(),
    );
    let mut device = TextDevice::default();
    interpret_page(page, &mut context, &mut device);
    device.text
}

fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

#[test]
fn board_pack_renders_as_a_multi_page_a4_pdf() {
    let bytes = render(&board_pack());
    assert!(bytes.starts_with(b"%PDF-"), "PDF header");
    let pdf = load(&bytes);
    let pages = pdf.pages().len();
    assert!(pages >= 2, "45 table rows and the source list need more than one page, got {pages}");
    let page = pdf.pages().first().expect("page 1");
    let (w, h) = page.render_dimensions();
    // A4 is 595 x 842 points.
    assert!((w - 595.3).abs() < 1.0 && (h - 841.9).abs() < 1.0, "A4, got {w} x {h}");
}

#[test]
fn page_one_has_ink_and_the_red_call_out() {
    let bytes = render(&board_pack());
    let pdf = load(&bytes);
    let raster = rasterise(&pdf, 0, 2.0);
    let path = raster.save("board-pack-page-1.png");
    assert!(path.exists());
    let ink = raster.ink();
    assert!(ink > 0.03, "page 1 should carry text, boxes and a table; {:.1}% inked", ink * 100.0);
    let red = raster.count_near([0xc6, 0x28, 0x28], 12);
    assert!(red > 500, "the red call-out's #c62828 should show, found {red} pixels");
    let amber = raster.count_near([0xf2, 0xa9, 0x00], 12);
    assert!(amber > 500, "the amber call-out and amber cells should show, found {amber} pixels");
    // Later pages too.
    for index in 1..pdf.pages().len() {
        rasterise(&pdf, index, 1.5).save(&format!("board-pack-page-{}.png", index + 1));
    }
}

#[test]
fn red_shows_only_when_something_is_red() {
    let mut doc = board_pack();
    doc.sections.truncate(1);
    // Keep the amber and plain call-outs; drop the red call-out and the chart (it has a red bar).
    doc.sections[0].blocks.retain(|b| matches!(b, Block::Callout { rag: Some(Rag::Amber) | None, .. }));
    assert_eq!(doc.sections[0].blocks.len(), 2);
    let bytes = render(&doc);
    let raster = rasterise(&load(&bytes), 0, 2.0);
    let red = raster.count_near([0xc6, 0x28, 0x28], 12);
    assert_eq!(red, 0, "no red call-out, no red cells: no red pixels");
}

#[test]
fn hostile_text_prints_as_written() {
    let bytes = render(&board_pack());
    let pdf = load(&bytes);
    let first = squash(&page_text(&pdf, 0));
    assert!(first.contains(&squash(&format!("Board pack: {HOSTILE}"))), "title verbatim on page 1: {first}");
    assert!(first.contains(&squash("ACME & CO #1")), "organisation on page 1 (in capitals)");
    let second = squash(&page_text(&pdf, 1));
    assert!(second.contains(&squash("Acme & Co #1")), "organisation as written in the page 2 header");
    assert!(first.contains(&squash("Portfolio DIG Digital <all> & more")), "scope on page 1");
    assert!(first.contains("Executive"), "audience");
    assert!(first.contains(&squash("12 Mar 2027")), "as-of date");
    assert!(first.contains(&squash("13 March 2027 09:14 UTC")), "generated time");
    // The document title is in the PDF's metadata too.
    let title = pdf.metadata().title.clone().expect("a title in the metadata");
    let title = decode_pdf_text(&title);
    assert_eq!(title, format!("Board pack: {HOSTILE}"));
}

#[test]
fn every_page_has_the_header_and_page_n_of_m() {
    let bytes = render(&board_pack());
    let pdf = load(&bytes);
    let pages = pdf.pages().len();
    for index in 0..pages {
        let text = squash(&page_text(&pdf, index));
        let footer = squash(&format!("Page {} of {pages}", index + 1));
        assert!(text.contains(&footer), "page {} footer `{footer}` in {text}", index + 1);
        if index > 0 {
            assert!(text.contains(&squash(HOSTILE)), "report title in the header of page {}", index + 1);
        }
    }
}

#[test]
fn figures_are_formatted_for_people() {
    let bytes = render(&board_pack());
    let pdf = load(&bytes);
    let all: String = (0..pdf.pages().len()).map(|i| page_text(&pdf, i)).collect();
    let all = squash(&all);
    // Row 1: GBP 1,260,000.4 prints in whole pounds; 1/50 = 2%; 0.81 to two places; 12 tasks; 2 Mar.
    for expected in ["GBP1,260,000", "2%", "0.81", "2Mar2027", "PRJ-045", "Amber", "Green", "Notreported"] {
        assert!(all.contains(expected), "`{expected}` in the table");
    }
    // The table header repeats on the page the table continues on.
    let heading = squash("Project RAG Budget Complete CPI Tasks Next milestone");
    let repeated = (0..pdf.pages().len()).filter(|&i| squash(&page_text(&pdf, i)).contains(&heading)).count();
    assert!(repeated >= 2, "the header row repeats across pages, found on {repeated} page(s)");
}

#[test]
fn sources_become_reference_numbers_and_a_linked_list() {
    let bytes = render(&board_pack());
    let pdf = load(&bytes);
    let all: String = (0..pdf.pages().len()).map(|i| page_text(&pdf, i)).collect();
    let all = squash(&all);
    assert!(all.contains(&squash("Risk: Supplier insolvency (PRJ-001)")));
    // Links sit on the labels; no raw URL is printed.
    assert!(!all.contains("https://"), "no URL printed: {all}");
    let url = b"https://pmo.example.com/projects/p1/risks/r1";
    assert!(bytes.windows(url.len()).any(|w| w == url), "the label links to the record, base URL joined without `//`");
    assert!(all.contains(&squash(&format!("Risk: {HOSTILE}"))), "hostile source label verbatim");
    // Sources list at the end, numbered in order of first citation.
    assert!(all.contains("Sources"), "a source list");
    // Source 0 is cited three times and listed once at the end.
    assert_eq!(all.matches(&squash("Risk: Supplier insolvency (PRJ-001)")).count(), 1, "listed once");
}

#[test]
fn the_same_document_gives_the_same_bytes() {
    let doc = board_pack();
    assert_eq!(render(&doc), render(&doc));
}

#[test]
fn an_empty_document_still_renders() {
    let doc = Document {
        kind: ReportKind::Status,
        audience: Audience::ProjectManager,
        title: String::new(),
        scope: String::new(),
        as_of: date(2027, 1, 1),
        generated_at: date(2027, 1, 1).and_hms_opt(0, 0, 0).expect("valid time"),
        sections: vec![Section {
            heading: String::new(),
            blocks: vec![
                Block::Paragraph { sentences: vec![] },
                Block::Bullets { items: vec![vec![]] },
                Block::Callout { rag: Some(Rag::Green), sentences: vec![] },
                Block::Table(Table { title: String::new(), columns: vec![], rows: vec![] }),
                Block::Table(Table {
                    title: "Ragged".into(),
                    columns: vec!["One".into()],
                    rows: vec![vec![Cell::Int(1), Cell::Text("extra".into())], vec![]],
                }),
            ],
        }],
        sources: vec![],
    };
    let bytes = keel_pdf::render(&doc, &RenderOptions::default()).expect("typesets");
    assert_eq!(load(&bytes).pages().len(), 1);
}

/// PDF text strings are PDFDocEncoding (ASCII here) or UTF-16BE with a byte-order mark.
fn decode_pdf_text(bytes: &[u8]) -> String {
    if let Some(utf16) = bytes.strip_prefix(&[0xfe, 0xff]) {
        let units: Vec<u16> = utf16.chunks_exact(2).map(|c| u16::from_be_bytes([c[0], c[1]])).collect();
        String::from_utf16_lossy(&units)
    } else {
        String::from_utf8_lossy(bytes).into_owned()
    }
}

#[test]
fn charts_are_keel_reports_svg_at_text_width() {
    let mut doc = board_pack();
    doc.sections = vec![Section {
        heading: "Delivery".into(),
        blocks: vec![Block::Chart(Chart {
            title: "Projects by RAG".into(),
            spec: ChartSpec::RagDistribution { counts: [8, 3, 1, 0] },
        })],
    }];
    let bytes = render(&doc);
    let pdf = load(&bytes);
    let raster = rasterise(&pdf, 0, 2.0);
    raster.save("chart-page-1.png");
    // The bar is split 8:3:1 across the text width (about 16.8 cm of the 21 cm page), so green
    // covers roughly two-thirds of that width, red a twelfth.
    let green = raster.count_near([0x2e, 0x7d, 0x32], 12) as f64;
    let red = raster.count_near([0xc6, 0x28, 0x28], 12) as f64;
    assert!(red > 0.0, "the red segment shows");
    let ratio = green / red;
    assert!((6.0..10.0).contains(&ratio), "green:red area should be about 8:1, got {ratio:.1}");
    // Green starts at the left margin, red ends at the right: the chart spans the text width.
    let (left, _) = raster.columns_near([0x2e, 0x7d, 0x32], 12).expect("green segment");
    let (_, right) = raster.columns_near([0xc6, 0x28, 0x28], 12).expect("red segment");
    let span = (right - left) as f64 / raster.width as f64;
    assert!((0.76..0.83).contains(&span), "chart spans {span:.3} of the page width; text width is 0.8");
}

/// Every family a chart's SVG names is a font the binary embeds, and every piece of chart text
/// is drawn with it (usvg turns text it has a font for into outlines; text without one vanishes).
#[test]
fn chart_text_uses_only_embedded_fonts() {
    use keel_engine::report::{ChartSpec, ForecastBar, RagTrendPoint, SCurvePoint};
    let embedded: std::collections::HashSet<String> = typst_assets::fonts()
        .flat_map(|data| typst::text::FontInfo::iter(data).map(|info| info.family.to_lowercase()).collect::<Vec<_>>())
        .collect();
    let day = chrono::NaiveDate::from_ymd_opt(2027, 3, 12).expect("a date");
    let later = chrono::NaiveDate::from_ymd_opt(2027, 6, 30).expect("a date");
    let specs = [
        ChartSpec::RagDistribution { counts: [3, 2, 1, 1] },
        ChartSpec::RagTrend {
            points: vec![
                RagTrendPoint { period_end: day, green: 3, amber: 1, red: 1 },
                RagTrendPoint { period_end: later, green: 2, amber: 2, red: 1 },
            ],
        },
        ChartSpec::ForecastVsBaseline {
            rows: vec![ForecastBar { label: "PRJ-001".into(), baseline: Some(day), p50: later, p80: later }],
        },
        ChartSpec::SCurve {
            bac: 1_000_000.0,
            points: vec![
                SCurvePoint { date: day, pv: 10.0, ev: Some(9.0), ac: Some(11.0) },
                SCurvePoint { date: later, pv: 900_000.0, ev: None, ac: None },
            ],
            currency: "GBP".into(),
        },
    ];
    let mut db = usvg::fontdb::Database::new();
    for font in typst_assets::fonts() {
        db.load_font_data(font.to_vec());
    }
    let options = usvg::Options { fontdb: std::sync::Arc::new(db), font_family: String::new(), ..Default::default() };
    for spec in &specs {
        let svg = keel_report::charts::svg(spec);
        for family in svg.split("font-family=\"").skip(1).filter_map(|rest| rest.split('"').next()) {
            for name in family.split(',') {
                let name = name.trim().trim_matches('\'').to_lowercase();
                assert!(embedded.contains(&name), "chart font {name:?} is not embedded ({embedded:?})");
            }
        }
        let tree = usvg::Tree::from_str(&svg, &options).expect("the chart reads");
        let mut texts = 0;
        let mut stack: Vec<&usvg::Group> = vec![tree.root()];
        while let Some(group) = stack.pop() {
            for node in group.children() {
                match node {
                    usvg::Node::Group(g) => stack.push(g),
                    usvg::Node::Text(text) => {
                        texts += 1;
                        assert!(text.flattened().has_children(), "text {:?} drawn", text.chunks()[0].text());
                    }
                    _ => {}
                }
            }
        }
        assert!(texts > 0, "the chart has text");
    }
}
