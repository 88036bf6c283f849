//! The demo organisation's board pack as a board reads it, typeset through the app: the
//! executive version fits in four A4 pages, and in no audience's version is any text printed over
//! other text (glyph boxes read back from the PDF with hayro). Each page of the executive version
//! is saved as a PNG (`$CARGO_TARGET_TMPDIR/board-pack-page-N.png`), and each PDF as
//! `board-pack-<audience>.pdf`, for a person to look at.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

use std::sync::Arc;

use hayro::hayro_interpret::hayro_cmap::BfString;
use hayro::hayro_interpret::{
    BlendMode, ClipPath, Context, Device, GlyphDrawMode, Image, InterpreterCache, InterpreterSettings, Paint,
    PathDrawMode, SoftMask, TransformExt, font::Glyph, interpret_page,
};
use hayro::hayro_syntax::Pdf;
use hayro::vello_cpu::color::palette::css::WHITE;
use hayro::vello_cpu::kurbo::{Affine, BezPath, Rect, Shape};
use hayro::{RenderCache, RenderSettings};
use keel_app::{Actor, App, AppConfig, ReportFormat, ReportRequest, ReportScope, demo::DemoOptions};
use keel_engine::report::{Audience, ReportKind};
use keel_store::testing;

/// The demo organisation as `keel serve --demo` loads it (60 projects, a year of history), with
/// "today" pinned to the demo's default day, so the pages are the same whenever the test runs.
async fn demo(dir: &std::path::Path) -> (App, Actor) {
    let store = testing::fresh_sqlite(dir).await.unwrap();
    let opts = DemoOptions::default();
    let app = App::new(store, AppConfig { today: Some(opts.today), ..AppConfig::default() });
    app.bootstrap("Northwind Group", Some("a long password")).await.unwrap();
    app.load_demo(&opts).await.unwrap().expect("an empty database gets the demo");
    let org = app.default_org().await.unwrap().expect("the organisation");
    (app, Actor::system(org.id))
}

/// The board pack for `audience`, issued and rendered as PDF through the app.
async fn board_pack(app: &App, actor: &Actor, audience: Audience) -> Vec<u8> {
    let request = ReportRequest { kind: ReportKind::Board, audience, scope: ReportScope::Organisation, as_of: None };
    let snapshot = app.generate_report(actor, &request, "manual").await.unwrap();
    app.render_report(&snapshot, ReportFormat::Pdf).unwrap().bytes
}

/// Where one glyph's ink sits on its page, in PDF points (y down), and which glyph it is.
#[derive(Debug, Clone, Copy)]
struct Ink {
    rect: Rect,
    /// The glyph's position in the page's drawing order.
    order: usize,
    ch: char,
}

/// A hayro device that keeps the ink box of every glyph and ignores everything else.
#[derive(Default)]
struct Glyphs {
    inks: Vec<Ink>,
}

impl<'a> Device<'a> for Glyphs {
    fn set_soft_mask(&mut self, _: Option<SoftMask<'a>>) {}
    fn set_blend_mode(&mut self, _: BlendMode) {}
    fn draw_path(&mut self, _: &BezPath, _: Affine, _: &Paint<'a>, _: &PathDrawMode) {}
    fn push_clip_path(&mut self, _: &ClipPath) {}
    fn push_transparency_group(&mut self, _: f32, _: Option<SoftMask<'a>>, _: BlendMode) {}
    fn draw_glyph(
        &mut self,
        glyph: &Glyph<'a>,
        transform: Affine,
        glyph_transform: Affine,
        _: &Paint<'a>,
        _: &GlyphDrawMode,
    ) {
        let Glyph::Outline(outline) = glyph else { return };
        let path = outline.outline();
        if path.elements().is_empty() {
            return; // a space
        }
        let rect = (transform * glyph_transform).transform_rect_bbox(path.bounding_box());
        let ch = match outline.as_unicode() {
            Some(BfString::Char(c)) => c,
            Some(BfString::String(s)) => s.chars().next().unwrap_or('?'),
            None => '?',
        };
        self.inks.push(Ink { rect, order: self.inks.len(), ch });
    }
    fn draw_image(&mut self, _: Image<'a, '_>, _: Affine) {}
    fn pop_clip_path(&mut self) {}
    fn pop_transparency_group(&mut self) {}
}

/// The ink boxes of every glyph on each page.
fn glyphs_per_page(pdf: &Pdf) -> Vec<Vec<Ink>> {
    pdf.pages()
        .iter()
        .map(|page| {
            let cache = InterpreterCache::new();
            let transform = page.initial_transform(true).to_kurbo();
            let (w, h) = page.render_dimensions();
            let mut context = Context::new(
                transform,
                Rect::new(0.0, 0.0, f64::from(w), f64::from(h)),
                &cache,
                page.xref(),
                InterpreterSettings::default(),
            );
            let mut device = Glyphs::default();
            interpret_page(page, &mut context, &mut device);
            device.inks
        })
        .collect()
}

/// Pairs of glyphs whose ink overlaps by more than a hair, other than neighbours in drawing order
/// (a kerned pair such as "Te" may touch). Text overprinted on other text (a column too narrow
/// for its words, a label on a label) shows here.
fn overprinted(inks: &[Ink]) -> Vec<(Ink, Ink)> {
    const HAIR: f64 = 0.4;
    let mut by_left: Vec<&Ink> = inks.iter().collect();
    by_left.sort_by(|a, b| a.rect.x0.total_cmp(&b.rect.x0));
    let mut found = Vec::new();
    for (i, a) in by_left.iter().enumerate() {
        for b in &by_left[i + 1..] {
            if b.rect.x0 >= a.rect.x1 - HAIR {
                break;
            }
            let x = a.rect.x1.min(b.rect.x1) - a.rect.x0.max(b.rect.x0);
            let y = a.rect.y1.min(b.rect.y1) - a.rect.y0.max(b.rect.y0);
            if x > HAIR && y > HAIR && a.order.abs_diff(b.order) > 1 {
                found.push((**a, **b));
            }
        }
    }
    found
}

/// A page at 110 dpi as PNG.
fn page_png(pdf: &Pdf, index: usize) -> Vec<u8> {
    let page = pdf.pages().get(index).expect("the page");
    let scale = 110.0 / 72.0;
    let settings = RenderSettings { bg_color: WHITE, x_scale: scale, y_scale: scale, ..Default::default() };
    let pixmap = hayro::render(page, &RenderCache::new(), &InterpreterSettings::default(), &settings);
    pixmap.into_png().expect("PNG encoding")
}

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_board_pack_fits_a_board_and_nothing_overprints() {
    let dir = tempfile::tempdir().unwrap();
    let (app, actor) = demo(dir.path()).await;

    let mut failures = Vec::new();
    for audience in Audience::ALL {
        let bytes = board_pack(&app, &actor, audience).await;
        let tmp = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
        std::fs::write(tmp.join(format!("board-pack-{}.pdf", audience.as_str())), &bytes).unwrap();
        let pdf = Pdf::new(Arc::new(bytes)).expect("hayro reads the PDF");
        let pages = glyphs_per_page(&pdf);
        assert!(pages.iter().all(|p| !p.is_empty()), "{audience:?}: every page has text");
        if audience == Audience::Executive {
            // Every page as a picture, to look at as a board member would.
            for n in 0..pages.len() {
                let out = tmp.join(format!("board-pack-page-{}.png", n + 1));
                std::fs::write(&out, page_png(&pdf, n)).unwrap();
                println!("page {} of the executive board pack: {}", n + 1, out.display());
            }
            assert!(pages.len() <= 4, "the executive board pack runs to {} pages; a board reads 2 to 4", pages.len());
        }
        for (n, inks) in pages.iter().enumerate() {
            let clashes = overprinted(inks);
            if let Some((a, b)) = clashes.first() {
                failures.push(format!(
                    "{audience:?}, page {}: {} overprinted glyph pairs, first '{}' at {:?} and '{}' at {:?}",
                    n + 1,
                    clashes.len(),
                    a.ch,
                    a.rect,
                    b.ch,
                    b.rect
                ));
            }
        }
    }
    assert!(failures.is_empty(), "text printed over text:\n{}", failures.join("\n"));
}

#[test]
fn the_overprint_check_finds_text_on_text() {
    let ink = |x: f64, order: usize| Ink { rect: Rect::new(x, 10.0, x + 5.0, 17.0), order, ch: 'x' };
    // A word: neighbours touch, nothing else does.
    let word = [ink(0.0, 0), ink(4.9, 1), ink(10.0, 2)];
    assert!(overprinted(&word).is_empty());
    // A second word drawn over the first.
    let over = [ink(0.0, 0), ink(6.0, 1), ink(2.0, 2), ink(8.0, 3)];
    assert_eq!(overprinted(&over).len(), 2);
}
