//! Charts drawn by Keel as inline SVG: no JavaScript, no third-party code, crisp in print.

use std::fmt::Write;

use keel_app::PortfolioTrendPoint;
use keel_domain::Rag;

/// Fill colour of a RAG (colour-blind-safe shades, also distinguished by position and labels).
pub fn rag_colour(r: Option<Rag>) -> &'static str {
    match r {
        Some(Rag::Green) => "#2e7d4f",
        Some(Rag::Amber) => "#e0a106",
        Some(Rag::Red) => "#c62828",
        None => "#9aa4b1",
    }
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// A row of small squares, one per report, oldest first.
pub fn sparkline(history: &[Rag]) -> String {
    let w = 8;
    let gap = 2;
    let n = history.len().max(1);
    let width = n * (w + gap);
    let mut s = format!(
        r#"<svg class="spark" width="{width}" height="12" viewBox="0 0 {width} 12" role="img" aria-label="RAG history: {}">"#,
        history.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", ")
    );
    for (i, r) in history.iter().enumerate() {
        let _ = write!(
            s,
            r#"<rect x="{}" y="2" width="{w}" height="8" rx="1.5" fill="{}"/>"#,
            i * (w + gap),
            rag_colour(Some(*r))
        );
    }
    s.push_str("</svg>");
    s
}

/// A horizontal bar split by RAG: green, amber, red, not reported.
pub fn distribution(counts: &[usize; 4]) -> String {
    let total: usize = counts.iter().sum();
    let labels = ["Green", "Amber", "Red", "Not reported"];
    let colours =
        [rag_colour(Some(Rag::Green)), rag_colour(Some(Rag::Amber)), rag_colour(Some(Rag::Red)), rag_colour(None)];
    let mut s = String::from(
        r#"<svg class="dist" viewBox="0 0 400 44" width="100%" role="img" aria-label="RAG distribution">"#,
    );
    let mut x = 0.0;
    for i in 0..4 {
        if total == 0 || counts[i] == 0 {
            continue;
        }
        let w = 400.0 * counts[i] as f64 / total as f64;
        let _ = write!(
            s,
            r#"<rect x="{x:.2}" y="0" width="{w:.2}" height="26" fill="{}"><title>{}: {}</title></rect>"#,
            colours[i], labels[i], counts[i]
        );
        if w > 22.0 {
            let _ = write!(
                s,
                r#"<text x="{:.2}" y="17.5" class="bar-label" text-anchor="middle">{}</text>"#,
                x + w / 2.0,
                counts[i]
            );
        }
        x += w;
    }
    if total == 0 {
        s.push_str(r##"<rect x="0" y="0" width="400" height="26" fill="#e6e9ee"/>"##);
    }
    let mut lx = 0.0;
    for i in 0..4 {
        let _ = write!(
            s,
            r#"<rect x="{lx}" y="33" width="9" height="9" fill="{}"/><text x="{}" y="41.5" class="legend">{} {}</text>"#,
            colours[i],
            lx + 13.0,
            labels[i],
            counts[i]
        );
        lx += if i == 3 { 0.0 } else { 88.0 };
    }
    s.push_str("</svg>");
    s
}

/// Stacked weekly columns of RAG counts.
pub fn trend(points: &[PortfolioTrendPoint]) -> String {
    let h = 120.0;
    let col = 26.0;
    let gap = 8.0;
    let width = points.len() as f64 * (col + gap) + 30.0;
    let max = points.iter().map(|p| p.green + p.amber + p.red).max().unwrap_or(0).max(1) as f64;
    let mut s = format!(
        r#"<svg class="trend" viewBox="0 0 {width} {}" width="100%" role="img" aria-label="Weekly RAG trend">"#,
        h + 28.0
    );
    for (i, p) in points.iter().enumerate() {
        let x = 30.0 + i as f64 * (col + gap);
        let mut y = h;
        for (n, r) in [(p.green, Rag::Green), (p.amber, Rag::Amber), (p.red, Rag::Red)] {
            let bh = h * n as f64 / max;
            y -= bh;
            if n > 0 {
                let _ = write!(
                    s,
                    r#"<rect x="{x:.1}" y="{y:.1}" width="{col}" height="{bh:.1}" fill="{}"><title>{} {}: {n}</title></rect>"#,
                    rag_colour(Some(r)),
                    p.week_end.format("%d %b"),
                    r.label()
                );
            }
        }
        if i % 2 == 0 || points.len() < 8 {
            let _ = write!(
                s,
                r#"<text x="{:.1}" y="{}" class="axis" text-anchor="middle">{}</text>"#,
                x + col / 2.0,
                h + 16.0,
                esc(&p.week_end.format("%d %b").to_string())
            );
        }
    }
    let _ = write!(
        s,
        r#"<text x="0" y="10" class="axis">{}</text><text x="0" y="{h}" class="axis">0</text>"#,
        max as usize
    );
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparkline_has_one_square_per_report() {
        let s = sparkline(&[Rag::Green, Rag::Amber, Rag::Red]);
        assert_eq!(s.matches("<rect").count(), 3);
        assert!(s.contains(rag_colour(Some(Rag::Red))));
    }

    #[test]
    fn distribution_widths_add_up() {
        let s = distribution(&[2, 1, 1, 0]);
        assert!(s.contains(r#"width="200.00""#) && s.contains(r#"width="100.00""#));
    }
}
