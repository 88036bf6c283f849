//! Forecast charts drawn by Keel as SVG: the finish-date distribution (histogram with its
//! cumulative curve and P-lines), the earned-value S-curve, the tornado of what drives the finish,
//! and the probability-impact heat map.

use std::fmt::Write;

use chrono::NaiveDateTime;
use keel_app::ForecastRun;
use keel_engine::risk::HeatMap;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

const W: f64 = 720.0;
const H: f64 = 260.0;
const L: f64 = 48.0;
const R: f64 = 16.0;
const T: f64 = 16.0;
const B: f64 = 40.0;

fn secs(d: NaiveDateTime) -> f64 {
    d.and_utc().timestamp() as f64
}

/// The finish-date distribution: a histogram of iterations, the cumulative curve (right axis,
/// 0-100%), and vertical lines at P50, P80 and the baseline finish.
pub fn distribution(run: &ForecastRun) -> String {
    let f = &run.montecarlo.finish;
    let bins = &f.histogram;
    let mut s = format!(
        r#"<svg class="chart" id="finish-distribution" viewBox="0 0 {W} {H}" role="img" aria-label="Finish date distribution: P50 {}, P80 {}">"#,
        f.p50.format("%Y-%m-%d"),
        f.p80.format("%Y-%m-%d")
    );
    let (Some(first), Some(last)) = (bins.first(), bins.last()) else {
        s.push_str("</svg>");
        return s;
    };
    let mut x0 = secs(first.from);
    let mut x1 = secs(last.to).max(x0 + 86_400.0);
    if let Some(b) = run.montecarlo.baseline_finish {
        x0 = x0.min(secs(b));
        x1 = x1.max(secs(b));
    }
    let span = (x1 - x0).max(1.0);
    let px = |t: f64| L + (t - x0) / span * (W - L - R);
    let max = bins.iter().map(|b| b.count).max().unwrap_or(1).max(1) as f64;
    let py = |c: f64| H - B - c / max * (H - T - B);
    let _ = write!(s, r##"<line x1="{L}" y1="{}" x2="{}" y2="{}" stroke="#9aa4b1"/>"##, H - B, W - R, H - B);
    for b in bins {
        let (a, z) = (px(secs(b.from)), px(secs(b.to)));
        let y = py(f64::from(b.count));
        let _ = write!(
            s,
            r##"<rect class="bin" x="{a:.1}" y="{y:.1}" width="{:.1}" height="{:.1}" fill="#7aa7d9"><title>{} to {}: {} iterations</title></rect>"##,
            (z - a - 0.5).max(0.5),
            H - B - y,
            b.from.format("%Y-%m-%d"),
            b.to.format("%Y-%m-%d"),
            b.count
        );
    }
    let mut path = String::new();
    for (i, b) in bins.iter().enumerate() {
        let (x, y) = (px(secs(b.to)), H - B - b.cumulative * (H - T - B));
        let _ = write!(path, "{}{x:.1},{y:.1}", if i == 0 { "M" } else { " L" });
    }
    let _ = write!(s, r##"<path class="cdf" d="{path}" fill="none" stroke="#1d3557" stroke-width="2"/>"##);
    let mut line = |t: NaiveDateTime, label: &str, colour: &str, dy: f64| {
        let x = px(secs(t));
        let _ = write!(
            s,
            r##"<line x1="{x:.1}" y1="{T}" x2="{x:.1}" y2="{}" stroke="{colour}" stroke-dasharray="4 3"/><text x="{:.1}" y="{:.1}" font-size="11" fill="{colour}">{label} {}</text>"##,
            H - B,
            x + 3.0,
            T + 10.0 + dy,
            t.format("%d %b %Y")
        );
    };
    line(f.p50, "P50", "#1d3557", 0.0);
    line(f.p80, "P80", "#c62828", 14.0);
    if let Some(b) = run.montecarlo.baseline_finish {
        line(b, "Baseline", "#2e7d4f", 28.0);
    }
    for i in 0..=4 {
        let t = x0 + span * f64::from(i) / 4.0;
        let d =
            chrono::DateTime::from_timestamp(t as i64, 0).map(|d| d.format("%d %b %y").to_string()).unwrap_or_default();
        let _ = write!(
            s,
            r##"<text x="{:.1}" y="{}" font-size="11" text-anchor="middle" fill="#555">{d}</text>"##,
            px(t),
            H - B + 16.0
        );
    }
    let _ = write!(
        s,
        r##"<text x="{}" y="{}" font-size="11" text-anchor="end" fill="#555">100%</text><text x="{}" y="{}" font-size="11" text-anchor="end" fill="#555">0%</text>"##,
        L - 4.0,
        T + 4.0,
        L - 4.0,
        H - B
    );
    s.push_str("</svg>");
    s
}

/// The earned-value S-curve: planned value over the baseline, earned value at each status date.
pub fn s_curve(run: &ForecastRun) -> String {
    let mut s = format!(
        r#"<svg class="chart" id="evm-scurve" viewBox="0 0 {W} {H}" role="img" aria-label="Earned value S-curve">"#
    );
    let Some(e) = &run.evm else {
        s.push_str("</svg>");
        return s;
    };
    let pv = e.pv_curve.points();
    let t_max = pv.iter().map(|p| p.0).chain(e.periods.iter().map(|p| p.at)).fold(1.0_f64, f64::max);
    let v_max = e.bac.max(1.0);
    let px = |t: f64| L + t / t_max * (W - L - R);
    let py = |v: f64| H - B - v / v_max * (H - T - B);
    let _ = write!(s, r##"<line x1="{L}" y1="{}" x2="{}" y2="{}" stroke="#9aa4b1"/>"##, H - B, W - R, H - B);
    let mut path = String::new();
    for (i, (t, v)) in pv.iter().enumerate() {
        let _ = write!(path, "{}{:.1},{:.1}", if i == 0 { "M" } else { " L" }, px(*t), py(*v));
    }
    let _ = write!(
        s,
        r##"<path class="pv" d="{path}" fill="none" stroke="#1d3557" stroke-width="2"><title>Planned value</title></path>"##
    );
    let mut ev = String::new();
    for (i, p) in e.periods.iter().enumerate() {
        let _ = write!(ev, "{}{:.1},{:.1}", if i == 0 { "M" } else { " L" }, px(p.at), py(p.ev));
    }
    let _ = write!(s, r##"<path class="ev" d="{ev}" fill="none" stroke="#2e7d4f" stroke-width="2"/>"##);
    for p in &e.periods {
        let _ = write!(
            s,
            r##"<circle class="ev-point" cx="{:.1}" cy="{:.1}" r="4" fill="#2e7d4f"><title>{}: EV {:.0}, PV {:.0}, ES {:.1}</title></circle>"##,
            px(p.at),
            py(p.ev),
            p.status_date.format("%Y-%m-%d"),
            p.ev,
            p.pv,
            p.es
        );
        if let Some(ac) = p.ac {
            let _ = write!(
                s,
                r##"<circle class="ac-point" cx="{:.1}" cy="{:.1}" r="4" fill="#c62828"><title>AC {ac:.0}</title></circle>"##,
                px(p.at),
                py(ac)
            );
        }
    }
    let _ = write!(
        s,
        r##"<text x="{}" y="{}" font-size="11" fill="#1d3557">PV (planned)</text><text x="{}" y="{}" font-size="11" fill="#2e7d4f">EV (earned)</text><text x="{}" y="{}" font-size="11" text-anchor="end" fill="#555">{} {}</text>"##,
        L + 6.0,
        T + 10.0,
        L + 100.0,
        T + 10.0,
        W - R,
        H - B + 16.0,
        t_max.round(),
        e.time_basis.unit()
    );
    s.push_str("</svg>");
    s
}

/// The tornado: rank correlation of each driver with the finish, strongest first.
pub fn tornado(run: &ForecastRun, n: usize) -> String {
    let rows: Vec<_> = run.montecarlo.tornado.iter().filter(|t| t.correlation.abs() >= 0.05).take(n).collect();
    let row = 22.0;
    let h = row * rows.len().max(1) as f64 + 8.0;
    let mid = 420.0;
    let half = W - R - mid;
    let mut s = format!(
        r#"<svg class="chart" id="tornado" viewBox="0 0 {W} {h}" role="img" aria-label="What drives the finish">"#
    );
    for (i, t) in rows.iter().enumerate() {
        let y = 4.0 + row * i as f64;
        let wdt = t.correlation.abs() * half;
        let x = if t.correlation >= 0.0 { mid } else { mid - wdt };
        let colour = if matches!(t.driver, keel_engine::forecast::montecarlo::Driver::Risk { .. }) {
            "#c62828"
        } else {
            "#1d3557"
        };
        let label: String = t.label.chars().take(60).collect();
        let _ = write!(
            s,
            r##"<text x="{:.1}" y="{:.1}" font-size="12" text-anchor="end">{}</text><rect class="driver" x="{x:.1}" y="{y:.1}" width="{wdt:.1}" height="{:.1}" fill="{colour}"><title>{}: {:.2}</title></rect><text x="{:.1}" y="{:.1}" font-size="11">{:.2}</text>"##,
            mid - 8.0,
            y + 14.0,
            esc(&label),
            row - 6.0,
            esc(&t.label),
            t.correlation,
            mid + wdt.max(0.0) + 4.0,
            y + 14.0,
            t.correlation
        );
    }
    s.push_str("</svg>");
    s
}

/// The probability-impact heat map: one cell per rating pair with its count of open risks.
pub fn heat_map(map: &HeatMap) -> String {
    let n = map.size.max(1);
    let cell = 56.0;
    let side = cell * f64::from(n);
    let (w, h) = (side + 60.0, side + 40.0);
    let mut s =
        format!(r#"<svg class="chart" id="heat-map" viewBox="0 0 {w} {h}" role="img" aria-label="Risk heat map">"#);
    for c in &map.cells {
        let x = 50.0 + cell * f64::from(c.impact - 1);
        let y = cell * f64::from(n - c.probability);
        let colour = crate::svg::rag_colour(Some(c.band));
        let _ = write!(
            s,
            r##"<rect x="{x}" y="{y}" width="{}" height="{}" fill="{colour}" fill-opacity="{}" stroke="#fff"><title>Probability {}, impact {}: {} open risks</title></rect><text x="{}" y="{}" font-size="14" text-anchor="middle" fill="#111">{}</text>"##,
            cell - 2.0,
            cell - 2.0,
            if c.count > 0 { 0.85 } else { 0.25 },
            c.probability,
            c.impact,
            c.count,
            x + cell / 2.0 - 1.0,
            y + cell / 2.0 + 5.0,
            if c.count > 0 { c.count.to_string() } else { String::new() }
        );
    }
    let _ = write!(
        s,
        r##"<text x="{}" y="{}" font-size="11" text-anchor="middle" fill="#555">Impact →</text><text x="12" y="{}" font-size="11" text-anchor="middle" fill="#555" transform="rotate(-90 12 {})">Probability →</text>"##,
        50.0 + side / 2.0,
        side + 20.0,
        side / 2.0,
        side / 2.0
    );
    s.push_str("</svg>");
    s
}
