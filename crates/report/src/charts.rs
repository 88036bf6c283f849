//! SVG charts from [`ChartSpec`]s: the same charts as Keel's dashboards. CONTRACT.
//!
//! Drawn by hand as strings: no plotting crate, crisp in print. Text names one family,
//! [`FONT_FAMILY`], a font the binary embeds (typst-assets, which the PDF typesets with), so a
//! chart reads the same on every machine whatever fonts it has installed; on screen the report
//! stylesheet sets the page's own font on charts instead. Every chart is a standalone `<svg>` with the SVG
//! namespace, a `viewBox`, a `<title>` and a `<desc>` (the [`summary`] in words), so it can be
//! inlined in HTML, embedded in a PDF or saved as a file. Data that cannot be drawn (no points,
//! all zeros, a single date, numbers that are not finite) gives an empty-state message instead of
//! a broken drawing: the output never contains `NaN` or `inf`.

use std::fmt::{self, Write};

use chrono::NaiveDate;
use keel_domain::Rag;
use keel_engine::report::{ChartSpec, ForecastBar, RagTrendPoint, SCurvePoint};
use keel_engine::risk::HeatMap;

use crate::format;

/// The font family of all chart text: embedded in the binary with the PDF's fonts (typst-assets),
/// so rendering a chart never depends on the machine's fonts. Keep it a family typst-assets ships:
/// keel-pdf's tests check.
pub const FONT_FAMILY: &str = "Libertinus Serif";

/// Green of the RAG palette.
pub const GREEN: &str = "#2e7d32";
/// Amber of the RAG palette.
pub const AMBER: &str = "#f2a900";
/// Red of the RAG palette.
pub const RED: &str = "#c62828";
/// Grey for "not reported".
pub const GREY: &str = "#9aa4b1";
/// Navy for plans and P50 markers (as on the dashboards).
const INK: &str = "#1d3557";
/// Blue for bars that carry no RAG meaning (as the dashboards' histogram).
const BLUE: &str = "#7aa7d9";
/// Axis labels.
const MUTED: &str = "#555";
/// Grid lines.
const RULE: &str = "#e6e9ee";

/// Fill colour of a RAG (`None`: not reported).
pub fn rag_colour(rag: Option<Rag>) -> &'static str {
    match rag {
        Some(Rag::Green) => GREEN,
        Some(Rag::Amber) => AMBER,
        Some(Rag::Red) => RED,
        None => GREY,
    }
}

/// Text colour that reads on [`rag_colour`] (dark on amber and grey, white on green and red).
fn on_rag(rag: Option<Rag>) -> &'static str {
    match rag {
        Some(Rag::Green | Rag::Red) => "#fff",
        Some(Rag::Amber) | None => "#111",
    }
}

/// The chart as a standalone `<svg>` element with a `viewBox` (scales to its container) and a
/// `<title>` for screen readers.
pub fn svg(spec: &ChartSpec) -> String {
    svg_titled(spec, default_title(spec))
}

/// [`svg`] with `title` as the SVG's `<title>` (the caption the report gives the chart).
pub fn svg_titled(spec: &ChartSpec, title: &str) -> String {
    match spec {
        ChartSpec::RagDistribution { counts } => rag_distribution(counts, title, &summary(spec)),
        ChartSpec::RagTrend { points } => rag_trend(points, title, &summary(spec)),
        ChartSpec::ForecastVsBaseline { rows } => forecast_vs_baseline(rows, title, &summary(spec)),
        ChartSpec::HeatMap(map) => heat_map(map, title, &summary(spec)),
        ChartSpec::SCurve { bac, points, currency } => s_curve(*bac, points, currency, title, &summary(spec)),
    }
}

/// The usual title of a kind of chart, for when the report gives none.
pub fn default_title(spec: &ChartSpec) -> &'static str {
    match spec {
        ChartSpec::RagDistribution { .. } => "RAG distribution",
        ChartSpec::RagTrend { .. } => "RAG trend",
        ChartSpec::ForecastVsBaseline { .. } => "Forecast finish against baseline",
        ChartSpec::HeatMap(_) => "Risk heat map",
        ChartSpec::SCurve { .. } => "Earned value S-curve",
    }
}

/// What the chart shows, in one line of words (for formats that cannot hold a drawing, and as
/// the SVG's `<desc>`), e.g. "3 green, 2 amber, 1 red".
///
/// ```
/// use keel_engine::report::ChartSpec;
/// let spec = ChartSpec::RagDistribution { counts: [3, 2, 1, 0] };
/// assert_eq!(keel_report::charts::summary(&spec), "3 green, 2 amber, 1 red");
/// let svg = keel_report::charts::svg(&spec);
/// assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\"") && svg.contains("<title>RAG distribution</title>"));
/// ```
pub fn summary(spec: &ChartSpec) -> String {
    match spec {
        ChartSpec::RagDistribution { counts } => {
            if counts.iter().all(|&c| c == 0) {
                return "no projects".to_owned();
            }
            let mut s = format!("{} green, {} amber, {} red", counts[0], counts[1], counts[2]);
            if counts[3] > 0 {
                let _ = write!(s, ", {} not reported", counts[3]);
            }
            s
        }
        ChartSpec::RagTrend { points } => match (points.first(), points.last()) {
            (Some(first), Some(last)) => format!(
                "{} period{} from {} to {}; at {}: {} green, {} amber, {} red",
                points.len(),
                if points.len() == 1 { "" } else { "s" },
                format::date(first.period_end),
                format::date(last.period_end),
                format::date(last.period_end),
                last.green,
                last.amber,
                last.red
            ),
            _ => "no periods".to_owned(),
        },
        ChartSpec::ForecastVsBaseline { rows } => forecast_summary(rows),
        ChartSpec::HeatMap(map) => {
            let mut by_band = [0usize; 3];
            for c in &map.cells {
                let slot = &mut by_band[usize::from(c.band.severity())];
                *slot = slot.saturating_add(c.count);
            }
            let open = by_band.iter().fold(0usize, |a, b| a.saturating_add(*b));
            format!(
                "{open} open risk{} on a {n}×{n} grid: {} in red cells, {} in amber, {} in green",
                if open == 1 { "" } else { "s" },
                by_band[2],
                by_band[1],
                by_band[0],
                n = map.size
            )
        }
        ChartSpec::SCurve { bac, points, currency } => s_curve_summary(*bac, points, currency),
    }
}

fn forecast_summary(rows: &[ForecastBar]) -> String {
    if rows.is_empty() {
        return "no projects".to_owned();
    }
    let late: Vec<&str> = rows.iter().filter(|r| lateness(r) == Some(Rag::Red)).map(|r| r.label.as_str()).collect();
    let at_risk = rows.iter().filter(|r| lateness(r) == Some(Rag::Amber)).count();
    let unbaselined = rows.iter().filter(|r| r.baseline.is_none()).count();
    let mut s = format!("{} project{}", rows.len(), if rows.len() == 1 { "" } else { "s" });
    if late.is_empty() {
        s.push_str("; none forecast after baseline at P50");
    } else {
        let _ = write!(s, "; {} forecast after baseline at P50 ({})", late.len(), late.join(", "));
    }
    if at_risk > 0 {
        let _ = write!(s, "; {at_risk} after baseline at P80 only");
    }
    if unbaselined > 0 {
        let _ = write!(s, "; {unbaselined} without a baseline");
    }
    s
}

fn s_curve_summary(bac: f64, points: &[SCurvePoint], currency: &str) -> String {
    let money = |v: f64| format::money(v, currency);
    let mut s = if bac.is_finite() { format!("BAC {}", money(bac)) } else { "no BAC".to_owned() };
    let latest = points.iter().filter(|p| p.ev.is_some_and(f64::is_finite)).max_by_key(|p| p.date);
    match latest {
        Some(p) => {
            let _ =
                write!(s, "; at {}: PV {}, EV {}", format::date(p.date), money(p.pv), money(p.ev.unwrap_or(f64::NAN)));
            if let Some(ac) = p.ac.filter(|a| a.is_finite()) {
                let _ = write!(s, ", AC {}", money(ac));
            }
        }
        None if points.is_empty() => s.push_str("; no points"),
        None => {
            let _ = write!(s, "; {} planned points, no earned value yet", points.len());
        }
    }
    s
}

/// A coordinate written with one decimal; anything not finite is written as 0 (never `NaN`).
#[derive(Clone, Copy)]
struct N(f64);

impl fmt::Display for N {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = if self.0.is_finite() { self.0 } else { 0.0 };
        // Avoid "-0.0".
        let v = if v.abs() < 0.05 { 0.0 } else { v };
        write!(f, "{v:.1}")
    }
}

/// Escapes text for XML content and attributes.
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Characters XML 1.0 does not allow: dropped rather than breaking the document.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            '\u{FFFE}' | '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// At most `max` characters, with an ellipsis when cut.
fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

fn open(w: f64, h: f64, title: &str, desc: &str) -> String {
    format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="keel-chart" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" font-family="{FONT_FAMILY}" font-size="12"><title>{}</title><desc>{}</desc>"#,
        esc(title),
        esc(desc),
        w = N(w),
        h = N(h)
    )
}

/// A chart with nothing to draw: a pale panel with `message`.
fn empty_state(w: f64, h: f64, title: &str, desc: &str, message: &str) -> String {
    let mut s = open(w, h, title, desc);
    let _ = write!(
        s,
        r##"<rect class="empty" x="0" y="0" width="{}" height="{}" rx="4" fill="#f4f6f8"/><text x="{}" y="{}" text-anchor="middle" fill="{MUTED}">{}</text></svg>"##,
        N(w),
        N(h),
        N(w / 2.0),
        N(h / 2.0 + 4.0),
        esc(message)
    );
    s
}

fn legend_swatch(s: &mut String, x: f64, y: f64, colour: &str, label: &str) {
    let _ = write!(
        s,
        r#"<rect x="{}" y="{}" width="10" height="10" fill="{colour}"/><text x="{}" y="{}" fill="{MUTED}" font-size="11">{}</text>"#,
        N(x),
        N(y),
        N(x + 14.0),
        N(y + 9.0),
        esc(label)
    );
}

fn rag_distribution(counts: &[usize; 4], title: &str, desc: &str) -> String {
    const W: f64 = 640.0;
    const BAR: f64 = 28.0;
    const H: f64 = 54.0;
    let total: f64 = counts.iter().map(|&c| c as f64).sum();
    if total <= 0.0 {
        return empty_state(W, H, title, desc, "No projects to show");
    }
    let rags = [Some(Rag::Green), Some(Rag::Amber), Some(Rag::Red), None];
    let mut s = open(W, H, title, desc);
    let mut x = 0.0;
    for (&count, rag) in counts.iter().zip(rags) {
        if count == 0 {
            continue;
        }
        let w = W * count as f64 / total;
        let _ = write!(
            s,
            r#"<rect x="{}" y="0" width="{}" height="{BAR}" fill="{}"><title>{}: {count}</title></rect>"#,
            N(x),
            N(w),
            rag_colour(rag),
            format::rag_label(rag)
        );
        if w > 22.0 {
            let _ = write!(
                s,
                r#"<text x="{}" y="{}" text-anchor="middle" font-weight="600" fill="{}">{count}</text>"#,
                N(x + w / 2.0),
                N(BAR / 2.0 + 4.5),
                on_rag(rag)
            );
        }
        x += w;
    }
    for (i, (&count, rag)) in counts.iter().zip(rags).enumerate() {
        legend_swatch(
            &mut s,
            150.0 * i as f64,
            BAR + 12.0,
            rag_colour(rag),
            &format!("{} {count}", format::rag_label(rag)),
        );
    }
    s.push_str("</svg>");
    s
}

fn rag_trend(points: &[RagTrendPoint], title: &str, desc: &str) -> String {
    const L: f64 = 40.0;
    const R: f64 = 12.0;
    const T: f64 = 26.0;
    const PLOT: f64 = 160.0;
    const B: f64 = 24.0;
    const COL: f64 = 30.0;
    const GAP: f64 = 14.0;
    let h = T + PLOT + B;
    let totals: Vec<f64> = points.iter().map(|p| p.green as f64 + p.amber as f64 + p.red as f64).collect();
    let max = totals.iter().copied().fold(0.0_f64, f64::max);
    if points.is_empty() || max <= 0.0 {
        return empty_state(400.0, h, title, desc, "No RAG history to show");
    }
    let n = points.len();
    let w = (L + n as f64 * (COL + GAP) + R).max(400.0);
    let mut s = open(w, h, title, desc);
    let base = T + PLOT;
    let _ = write!(
        s,
        r#"<line x1="{L}" y1="{}" x2="{}" y2="{}" stroke="{RULE}"/><line x1="{L}" y1="{}" x2="{}" y2="{}" stroke="{GREY}"/><text x="{}" y="{}" text-anchor="end" fill="{MUTED}" font-size="11">{}</text><text x="{}" y="{}" text-anchor="end" fill="{MUTED}" font-size="11">0</text>"#,
        N(T),
        N(w - R),
        N(T),
        N(base),
        N(w - R),
        N(base),
        N(L - 6.0),
        N(T + 4.0),
        max,
        N(L - 6.0),
        N(base + 4.0),
    );
    let step = if n < 8 { 1 } else { n.div_ceil(12).max(2) };
    for (i, p) in points.iter().enumerate() {
        let x = L + 6.0 + i as f64 * (COL + GAP);
        let mut y = base;
        let when = format::date(p.period_end);
        for (count, rag) in [(p.green, Rag::Green), (p.amber, Rag::Amber), (p.red, Rag::Red)] {
            if count == 0 {
                continue;
            }
            let bh = PLOT * count as f64 / max;
            y -= bh;
            let _ = write!(
                s,
                r#"<rect x="{}" y="{}" width="{COL}" height="{}" fill="{}"><title>{when} {}: {count}</title></rect>"#,
                N(x),
                N(y),
                N(bh),
                rag_colour(Some(rag)),
                rag.label()
            );
        }
        if i % step == 0 || i + 1 == n {
            let _ = write!(
                s,
                r#"<text x="{}" y="{}" text-anchor="middle" fill="{MUTED}" font-size="11">{}</text>"#,
                N(x + COL / 2.0),
                N(base + 16.0),
                esc(&p.period_end.format("%-d %b").to_string())
            );
        }
    }
    for (i, rag) in [Rag::Green, Rag::Amber, Rag::Red].into_iter().enumerate() {
        legend_swatch(&mut s, L + 80.0 * i as f64, 4.0, rag_colour(Some(rag)), rag.label());
    }
    s.push_str("</svg>");
    s
}

/// Whether a project's forecast finishes after its baseline: red when the P50 does, amber when
/// only the P80 does, green when neither; `None` without a baseline.
fn lateness(row: &ForecastBar) -> Option<Rag> {
    let baseline = row.baseline?;
    let (p50, p80) = (row.p50.min(row.p80), row.p50.max(row.p80));
    Some(if p50 > baseline {
        Rag::Red
    } else if p80 > baseline {
        Rag::Amber
    } else {
        Rag::Green
    })
}

fn day(d: NaiveDate) -> f64 {
    f64::from(chrono::Datelike::num_days_from_ce(&d))
}

fn from_day(x: f64) -> Option<NaiveDate> {
    if !x.is_finite() {
        return None;
    }
    // `as` saturates; out-of-range days give None below.
    NaiveDate::from_num_days_from_ce_opt(x.round() as i32)
}

fn forecast_vs_baseline(rows: &[ForecastBar], title: &str, desc: &str) -> String {
    const W: f64 = 720.0;
    const L: f64 = 140.0;
    const R: f64 = 20.0;
    const T: f64 = 28.0;
    const ROW: f64 = 24.0;
    const B: f64 = 26.0;
    if rows.is_empty() {
        return empty_state(W, 80.0, title, desc, "No forecasts to show");
    }
    let h = T + ROW * rows.len() as f64 + B;
    let days = rows.iter().flat_map(|r| [Some(r.p50), Some(r.p80), r.baseline]).flatten().map(day);
    let (lo, hi) = days.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), d| (a.min(d), b.max(d)));
    let pad = ((hi - lo) * 0.04).max(1.0);
    let (x0, x1) = (lo - pad, hi + pad);
    let px = |d: f64| L + (d - x0) / (x1 - x0) * (W - L - R);
    let mut s = open(W, h, title, desc);
    // Grid and date axis: five ticks.
    for i in 0..=4 {
        let t = x0 + (x1 - x0) * f64::from(i) / 4.0;
        let x = px(t);
        let label = from_day(t).map(format::date).unwrap_or_default();
        let _ = write!(
            s,
            r#"<line x1="{x}" y1="{}" x2="{x}" y2="{}" stroke="{RULE}"/><text x="{x}" y="{}" text-anchor="{}" fill="{MUTED}" font-size="11">{}</text>"#,
            N(T),
            N(h - B),
            N(h - B + 16.0),
            if i == 4 { "end" } else { "middle" },
            esc(&label),
            x = N(x)
        );
    }
    for (i, r) in rows.iter().enumerate() {
        let y = T + ROW * i as f64;
        let mid = y + ROW / 2.0;
        let late = lateness(r);
        let (p50, p80) = (r.p50.min(r.p80), r.p50.max(r.p80));
        let (a, z) = (px(day(p50)), px(day(p80)));
        let fill = late.map_or(BLUE, |rag| rag_colour(Some(rag)));
        let mut tip = format!("{}: P50 {}, P80 {}", r.label, format::date(r.p50), format::date(r.p80));
        match r.baseline {
            Some(b) => {
                let slip = (p50 - b).num_days();
                let _ = write!(tip, ", baseline {}", format::date(b));
                if slip > 0 {
                    let _ = write!(tip, " (P50 {slip} days late)");
                }
            }
            None => tip.push_str(", no baseline"),
        }
        let _ = write!(
            s,
            r#"<g class="row{}"><title>{}</title><text x="{}" y="{}" text-anchor="end" fill="{}">{}</text><rect x="{}" y="{}" width="{}" height="12" rx="2" fill="{fill}"/><line x1="{p}" y1="{}" x2="{p}" y2="{}" stroke="{INK}" stroke-width="2"/>"#,
            if late == Some(Rag::Red) { " late" } else { "" },
            esc(&tip),
            N(L - 8.0),
            N(mid + 4.0),
            if late == Some(Rag::Red) { RED } else { "#111" },
            esc(&truncate(&r.label, 20)),
            N(a),
            N(mid - 6.0),
            N((z - a).max(2.0)),
            N(mid - 8.0),
            N(mid + 8.0),
            p = N(a)
        );
        if let Some(b) = r.baseline {
            let bx = px(day(b));
            let _ = write!(
                s,
                r##"<path class="baseline" d="M{} {} L{} {} L{} {} L{} {} Z" fill="#fff" stroke="{INK}" stroke-width="2"/>"##,
                N(bx),
                N(mid - 7.0),
                N(bx + 5.0),
                N(mid),
                N(bx),
                N(mid + 7.0),
                N(bx - 5.0),
                N(mid)
            );
        }
        s.push_str("</g>");
    }
    // Legend.
    let _ = write!(
        s,
        r##"<path d="M{} 5 L{} 10 L{} 15 L{} 10 Z" fill="#fff" stroke="{INK}" stroke-width="2"/><text x="{}" y="14" fill="{MUTED}" font-size="11">Baseline finish</text>"##,
        N(L),
        N(L + 5.0),
        N(L),
        N(L - 5.0),
        N(L + 10.0)
    );
    let mut lx = L + 120.0;
    for (colour, label) in [(GREEN, "P50–P80 on time"), (AMBER, "P80 late"), (RED, "P50 late")] {
        legend_swatch(&mut s, lx, 5.0, colour, label);
        lx += 120.0;
    }
    s.push_str("</svg>");
    s
}

fn heat_map(map: &HeatMap, title: &str, desc: &str) -> String {
    const GX: f64 = 56.0;
    const GY: f64 = 8.0;
    let n = map.size;
    if n == 0 || map.cells.is_empty() {
        return empty_state(360.0, 120.0, title, desc, "No risk matrix to show");
    }
    let nf = f64::from(n);
    let cell = (320.0 / nf).clamp(14.0, 56.0);
    let side = cell * nf;
    let (w, h) = (GX + side + 16.0, GY + side + 44.0);
    let mut s = open(w, h, title, desc);
    let font = (cell * 0.3).clamp(9.0, 14.0);
    let mut placed = 0usize;
    for c in &map.cells {
        if c.probability == 0 || c.probability > n || c.impact == 0 || c.impact > n {
            continue;
        }
        placed = placed.saturating_add(c.count);
        let x = GX + cell * f64::from(c.impact - 1);
        let y = GY + cell * f64::from(n - c.probability);
        let _ = write!(
            s,
            r##"<rect x="{}" y="{}" width="{}" height="{}" fill="{}" fill-opacity="{}" stroke="#fff" stroke-width="2"><title>Probability {}, impact {}: {} open risk{}</title></rect>"##,
            N(x),
            N(y),
            N(cell),
            N(cell),
            rag_colour(Some(c.band)),
            if c.count > 0 { "0.85" } else { "0.25" },
            c.probability,
            c.impact,
            c.count,
            if c.count == 1 { "" } else { "s" }
        );
        if c.count > 0 {
            let _ = write!(
                s,
                r##"<text x="{}" y="{}" text-anchor="middle" font-size="{}" font-weight="600" fill="#111">{}</text>"##,
                N(x + cell / 2.0),
                N(y + cell / 2.0 + font * 0.35),
                N(font),
                c.count
            );
        }
    }
    for level in 1..=n {
        let centre = cell * (f64::from(level) - 0.5);
        let _ = write!(
            s,
            r#"<text x="{}" y="{}" text-anchor="middle" fill="{MUTED}" font-size="11">{level}</text><text x="{}" y="{}" text-anchor="end" fill="{MUTED}" font-size="11">{level}</text>"#,
            N(GX + centre),
            N(GY + side + 14.0),
            N(GX - 6.0),
            N(GY + side - centre + 4.0)
        );
    }
    let _ = write!(
        s,
        r#"<text x="{}" y="{}" text-anchor="middle" fill="{MUTED}" font-size="12">Impact</text><text x="16" y="{}" text-anchor="middle" fill="{MUTED}" font-size="12" transform="rotate(-90 16 {})">Probability</text>"#,
        N(GX + side / 2.0),
        N(GY + side + 34.0),
        N(GY + side / 2.0),
        N(GY + side / 2.0)
    );
    if placed == 0 {
        let _ = write!(
            s,
            r##"<rect x="{}" y="{}" width="120" height="24" rx="4" fill="#fff" fill-opacity="0.9"/><text x="{}" y="{}" text-anchor="middle" fill="{MUTED}">No open risks</text>"##,
            N(GX + side / 2.0 - 60.0),
            N(GY + side / 2.0 - 12.0),
            N(GX + side / 2.0),
            N(GY + side / 2.0 + 4.0)
        );
    }
    s.push_str("</svg>");
    s
}

/// Short axis labels: 1.2M, 450k, 3.5bn.
fn compact(v: f64) -> String {
    let a = v.abs();
    if a >= 1e9 {
        format!("{}bn", format::number(v / 1e9, 1))
    } else if a >= 1e6 {
        format!("{}M", format::number(v / 1e6, 1))
    } else if a >= 1e4 {
        format!("{}k", format::number(v / 1e3, 0))
    } else {
        format::number(v, 0)
    }
}

fn s_curve(bac: f64, points: &[SCurvePoint], currency: &str, title: &str, desc: &str) -> String {
    const W: f64 = 720.0;
    const H: f64 = 280.0;
    const L: f64 = 60.0;
    const R: f64 = 16.0;
    const T: f64 = 30.0;
    const B: f64 = 30.0;
    let mut sorted: Vec<&SCurvePoint> = points.iter().collect();
    sorted.sort_by_key(|p| p.date);
    let series = |f: &dyn Fn(&SCurvePoint) -> Option<f64>| -> Vec<(f64, f64)> {
        sorted.iter().filter_map(|p| f(p).filter(|v| v.is_finite()).map(|v| (day(p.date), v))).collect()
    };
    let pv = series(&|p| Some(p.pv));
    let ev = series(&|p| p.ev);
    let ac = series(&|p| p.ac);
    let bac = bac.is_finite().then_some(bac);
    let all = || pv.iter().chain(&ev).chain(&ac);
    let (d0, d1) = all().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), (d, _)| (a.min(*d), b.max(*d)));
    if d1 <= d0 {
        return empty_state(W, 120.0, title, desc, "Not enough points for an S-curve (two dates or more)");
    }
    let values = all().map(|(_, v)| *v).chain(bac);
    let (mut v0, mut v1) = values.fold((0.0_f64, 0.0_f64), |(a, b), v| (a.min(v), b.max(v)));
    if !(v1 - v0).is_finite() {
        // Values so large their range overflows: nothing sensible to scale.
        return empty_state(W, 120.0, title, desc, "Values out of range for an S-curve");
    }
    if v1 - v0 <= 0.0 {
        v1 = v0 + 1.0;
    }
    v1 += (v1 - v0) * 0.05;
    if v0 < 0.0 {
        v0 -= (v1 - v0) * 0.05;
    }
    let px = |d: f64| L + (d - d0) / (d1 - d0) * (W - L - R);
    let py = |v: f64| H - B - (v - v0) / (v1 - v0) * (H - T - B);
    let mut s = open(W, H, title, desc);
    for i in 0..=4 {
        let v = v0 + (v1 - v0) * f64::from(i) / 4.0;
        let _ = write!(
            s,
            r#"<line x1="{L}" y1="{y}" x2="{}" y2="{y}" stroke="{}"/><text x="{}" y="{}" text-anchor="end" fill="{MUTED}" font-size="11">{}</text>"#,
            N(W - R),
            if i == 0 { GREY } else { RULE },
            N(L - 6.0),
            N(py(v) + 4.0),
            esc(&compact(v)),
            y = N(py(v))
        );
        let t = d0 + (d1 - d0) * f64::from(i) / 4.0;
        let label = from_day(t).map(format::date).unwrap_or_default();
        let _ = write!(
            s,
            r#"<text x="{}" y="{}" text-anchor="{}" fill="{MUTED}" font-size="11">{}</text>"#,
            N(px(t)),
            N(H - B + 16.0),
            if i == 4 { "end" } else { "middle" },
            esc(&label)
        );
    }
    if let Some(b) = bac {
        let _ = write!(
            s,
            r#"<line class="bac" x1="{L}" y1="{y}" x2="{}" y2="{y}" stroke="{MUTED}" stroke-dasharray="6 4"/><text x="{}" y="{}" text-anchor="end" fill="{MUTED}" font-size="11">BAC {}</text>"#,
            N(W - R),
            N(W - R - 4.0),
            N(py(b) - 5.0),
            esc(&format::money(b, currency)),
            y = N(py(b))
        );
    }
    for (class, data, colour, label, dash) in [
        ("pv", &pv, INK, "Planned value", ""),
        ("ev", &ev, GREEN, "Earned value", ""),
        ("ac", &ac, RED, "Actual cost", "5 3"),
    ] {
        if data.is_empty() {
            continue;
        }
        let mut d = String::new();
        for (i, (t, v)) in data.iter().enumerate() {
            let _ = write!(d, "{}{} {}", if i == 0 { "M" } else { " L" }, N(px(*t)), N(py(*v)));
        }
        let _ = write!(
            s,
            r#"<path class="{class}" d="{d}" fill="none" stroke="{colour}" stroke-width="2"{}><title>{label}</title></path>"#,
            if dash.is_empty() { String::new() } else { format!(r#" stroke-dasharray="{dash}""#) }
        );
        if class != "pv" && data.len() <= 60 {
            for (t, v) in data {
                let _ = write!(
                    s,
                    r#"<circle cx="{}" cy="{}" r="3" fill="{colour}"><title>{label} {}: {}</title></circle>"#,
                    N(px(*t)),
                    N(py(*v)),
                    from_day(*t).map(format::date).unwrap_or_default(),
                    esc(&format::number(*v, 0))
                );
            }
        }
    }
    let mut lx = L;
    for (colour, label, dash) in
        [(INK, "PV (planned)", ""), (GREEN, "EV (earned)", ""), (RED, "AC (actual cost)", "5 3"), (MUTED, "BAC", "6 4")]
    {
        let _ = write!(
            s,
            r#"<line x1="{}" y1="10" x2="{}" y2="10" stroke="{colour}" stroke-width="2"{}/><text x="{}" y="14" fill="{MUTED}" font-size="11">{label}</text>"#,
            N(lx),
            N(lx + 18.0),
            if dash.is_empty() { String::new() } else { format!(r#" stroke-dasharray="{dash}""#) },
            N(lx + 22.0)
        );
        lx += 130.0;
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coordinates_never_print_nan() {
        assert_eq!(N(f64::NAN).to_string(), "0.0");
        assert_eq!(N(f64::INFINITY).to_string(), "0.0");
        assert_eq!(N(-0.01).to_string(), "0.0");
        assert_eq!(N(12.345).to_string(), "12.3");
    }

    #[test]
    fn distribution_widths_are_proportional() {
        let s = svg(&ChartSpec::RagDistribution { counts: [2, 1, 1, 0] });
        assert!(s.contains(r#"width="320.0""#) && s.contains(r#"width="160.0""#), "{s}");
    }

    #[test]
    fn lateness_follows_p50_then_p80() {
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).expect("valid date");
        let bar = |baseline| ForecastBar { label: "P".into(), baseline, p50: d(3, 1), p80: d(4, 1) };
        assert_eq!(lateness(&bar(Some(d(2, 1)))), Some(Rag::Red));
        assert_eq!(lateness(&bar(Some(d(3, 15)))), Some(Rag::Amber));
        assert_eq!(lateness(&bar(Some(d(4, 1)))), Some(Rag::Green));
        assert_eq!(lateness(&bar(None)), None);
    }
}
