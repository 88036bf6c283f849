//! The Gantt chart, drawn as SVG: outline, bars, progress, milestones, links, the critical path,
//! baseline bars, and the today and status-date lines, at day, week, month or quarter zoom.
//!
//! One `<g>` per task row and one path per link keep a 5,000-task plan to a few megabytes the
//! browser draws in well under a second; the task table beside it is HTML.

use std::fmt::Write;

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};
use keel_engine::schedule::{LinkType, Schedule, ScheduleResult, TaskKind};

/// Row height in pixels (the task table uses the same).
pub const ROW: f64 = 22.0;
const HEADER: f64 = 40.0;

/// Time scale of the chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Zoom {
    /// One column per day.
    Day,
    /// One column per week.
    Week,
    /// One column per month.
    Month,
    /// One column per quarter.
    Quarter,
}

impl Zoom {
    /// Parses `day`, `week`, `month` or `quarter`.
    pub fn parse(s: &str) -> Option<Zoom> {
        Some(match s {
            "day" => Zoom::Day,
            "week" => Zoom::Week,
            "month" => Zoom::Month,
            "quarter" => Zoom::Quarter,
            _ => return None,
        })
    }

    /// The name `parse` accepts.
    pub fn name(self) -> &'static str {
        match self {
            Zoom::Day => "day",
            Zoom::Week => "week",
            Zoom::Month => "month",
            Zoom::Quarter => "quarter",
        }
    }

    fn px_per_day(self) -> f64 {
        match self {
            Zoom::Day => 28.0,
            Zoom::Week => 7.0,
            Zoom::Month => 2.2,
            Zoom::Quarter => 0.8,
        }
    }

    /// A zoom that fits `days` into about 1,400 pixels.
    pub fn fit(days: i64) -> Zoom {
        match days {
            ..=50 => Zoom::Day,
            51..=200 => Zoom::Week,
            201..=640 => Zoom::Month,
            _ => Zoom::Quarter,
        }
    }
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

struct Scale {
    origin: NaiveDateTime,
    px_per_day: f64,
}

impl Scale {
    fn x(&self, t: NaiveDateTime) -> f64 {
        (t - self.origin).num_minutes() as f64 / 1440.0 * self.px_per_day
    }
}

/// Draws the chart. `today` and the schedule's status date get vertical lines; `baseline` picks the
/// baseline drawn under each bar.
pub fn svg(s: &Schedule, r: &ScheduleResult, zoom: Zoom, today: NaiveDate, baseline: u8) -> String {
    let n = s.tasks.len().min(r.tasks.len());
    let starts = (0..n).map(|i| s.tasks[i].actual_start.unwrap_or(r.tasks[i].early_start));
    let finishes =
        (0..n).map(|i| s.tasks[i].actual_finish.unwrap_or(r.tasks[i].early_finish).max(r.tasks[i].late_finish));
    let lo = starts.min().unwrap_or(r.finish).date();
    let hi = finishes.max().unwrap_or(r.finish).date();
    let origin = lo - Duration::days(i64::from(lo.weekday().num_days_from_monday()) + 7);
    let end = hi + Duration::days(21);
    let scale = Scale { origin: origin.and_hms_opt(0, 0, 0).unwrap_or_default(), px_per_day: zoom.px_per_day() };
    let width = scale.x(end.and_hms_opt(0, 0, 0).unwrap_or_default()).ceil() + 20.0;
    let height = HEADER + ROW * n as f64 + 10.0;
    let mut o = String::with_capacity(200 * n + 4096);
    let _ = write!(
        o,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="gantt" width="{width:.0}" height="{height:.0}" viewBox="0 0 {width:.0} {height:.0}" role="img" aria-label="Gantt chart of {} tasks">"#,
        n
    );
    o.push_str(r##"<defs><marker id="arrow" viewBox="0 0 6 6" refX="6" refY="3" markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0L6,3L0,6z" fill="#555"/></marker></defs>"##);
    header(&mut o, &scale, origin, end, zoom, height);
    // Alternate row shading.
    for i in (1..n).step_by(2) {
        let y = HEADER + ROW * i as f64;
        let _ = write!(o, r#"<rect class="row" x="0" y="{y:.1}" width="{width:.0}" height="{ROW}"/>"#);
    }
    // Links under the bars.
    o.push_str(r#"<g class="links">"#);
    for l in &s.links {
        if l.pred >= n || l.succ >= n {
            continue;
        }
        let (p, q) = (&r.tasks[l.pred], &r.tasks[l.succ]);
        let from_x = match l.kind {
            LinkType::FS | LinkType::FF => scale.x(p.early_finish),
            LinkType::SS | LinkType::SF => scale.x(p.early_start),
        };
        let to_x = match l.kind {
            LinkType::FS | LinkType::SS => scale.x(q.early_start),
            LinkType::FF | LinkType::SF => scale.x(q.early_finish),
        };
        let y1 = HEADER + ROW * l.pred as f64 + ROW / 2.0;
        let y2 = HEADER + ROW * l.succ as f64 + ROW / 2.0;
        let crit = p.critical && q.critical && p.total_float == q.total_float;
        let mid = from_x + 6.0;
        let _ = write!(
            o,
            r#"<path class="link{}" d="M{from_x:.1},{y1:.1}H{mid:.1}V{y2:.1}H{to_x:.1}" marker-end="url(#arrow)"/>"#,
            if crit { " crit" } else { "" }
        );
    }
    o.push_str("</g>");
    for i in 0..n {
        let t = &s.tasks[i];
        let res = &r.tasks[i];
        let y = HEADER + ROW * i as f64;
        let start = t.actual_start.unwrap_or(res.early_start);
        let finish = t.actual_finish.unwrap_or(res.early_finish).max(start);
        let (x1, x2) = (scale.x(start), scale.x(finish));
        let tip = format!(
            "{} {}: {} to {}, total float {:.1} d{}",
            t.code,
            t.name,
            start.format("%Y-%m-%d %H:%M"),
            finish.format("%Y-%m-%d %H:%M"),
            res.total_float as f64 / f64::from(s.options.minutes_per_day.max(1)),
            if res.critical { ", critical" } else { "" }
        );
        let _ = write!(o, r#"<g class="task" data-index="{i}"><title>{}</title>"#, esc(&tip));
        if let Some(b) = t.baselines.iter().find(|b| b.number == baseline)
            && let (Some(bs), Some(bf)) = (b.start, b.finish)
        {
            let (bx1, bx2) = (scale.x(bs), scale.x(bf));
            let _ = write!(
                o,
                r#"<rect class="baseline" x="{bx1:.1}" y="{:.1}" width="{:.1}" height="4"/>"#,
                y + ROW - 6.0,
                (bx2 - bx1).max(2.0)
            );
        }
        match t.kind {
            TaskKind::Summary | TaskKind::WbsSummary => {
                let w = (x2 - x1).max(2.0);
                let _ = write!(
                    o,
                    r#"<path class="summary" d="M{x1:.1},{:.1}h{w:.1}v10l-4,-4H{:.1}l-4,4z"/>"#,
                    y + 5.0,
                    x1 + 4.0,
                );
            }
            _ if t.is_milestone() || finish == start => {
                let cy = y + ROW / 2.0;
                let _ = write!(
                    o,
                    r#"<path class="milestone{}" d="M{x1:.1},{:.1}l6,6l-6,6l-6,-6z"/>"#,
                    if res.critical { " crit" } else { "" },
                    cy - 6.0
                );
            }
            _ => {
                let w = (x2 - x1).max(1.5);
                let class = match (t.kind, res.critical) {
                    (TaskKind::LevelOfEffort, _) => "bar loe",
                    (_, true) => "bar crit",
                    _ => "bar",
                };
                let _ = write!(
                    o,
                    r#"<rect class="{class}" x="{x1:.1}" y="{:.1}" width="{w:.1}" height="11" rx="2"/>"#,
                    y + 4.0
                );
                if t.percent_complete > 0.0 {
                    let pw = w * (t.percent_complete.clamp(0.0, 100.0) / 100.0);
                    let _ = write!(
                        o,
                        r#"<rect class="progress" x="{x1:.1}" y="{:.1}" width="{pw:.1}" height="3"/>"#,
                        y + 8.0
                    );
                }
            }
        }
        o.push_str("</g>");
    }
    let line = |o: &mut String, class: &str, label: &str, at: NaiveDateTime, dy: f64| {
        let x = scale.x(at);
        if x >= 0.0 && x <= width {
            let _ = write!(
                o,
                r#"<line class="{class}" x1="{x:.1}" y1="{:.1}" x2="{x:.1}" y2="{height:.0}"/><text class="{class}" x="{:.1}" y="{:.1}">{label}</text>"#,
                HEADER - 4.0,
                x + 3.0,
                HEADER + 10.0 + dy
            );
        }
    };
    line(&mut o, "today", "today", today.and_hms_opt(0, 0, 0).unwrap_or_default(), 0.0);
    if let Some(sd) = s.projects.first().and_then(|p| p.status_date) {
        line(&mut o, "status", "status date", sd, 12.0);
    }
    o.push_str("</svg>");
    o
}

fn header(o: &mut String, scale: &Scale, origin: NaiveDate, end: NaiveDate, zoom: Zoom, height: f64) {
    o.push_str(r#"<g class="scale">"#);
    // Upper band: months (day/week zoom) or years (month/quarter zoom); lower band: the columns.
    let mut d = match zoom {
        Zoom::Day | Zoom::Week => NaiveDate::from_ymd_opt(origin.year(), origin.month(), 1),
        Zoom::Month | Zoom::Quarter => NaiveDate::from_ymd_opt(origin.year(), 1, 1),
    }
    .unwrap_or(origin);
    while d < end {
        let next = match zoom {
            Zoom::Day | Zoom::Week => add_months(d, 1),
            Zoom::Month | Zoom::Quarter => NaiveDate::from_ymd_opt(d.year() + 1, 1, 1).unwrap_or(end),
        };
        let x = scale.x(d.and_hms_opt(0, 0, 0).unwrap_or_default()).max(0.0);
        let label = match zoom {
            Zoom::Day | Zoom::Week => d.format("%b %Y").to_string(),
            Zoom::Month | Zoom::Quarter => d.format("%Y").to_string(),
        };
        let _ = write!(
            o,
            r#"<line class="major" x1="{x:.1}" y1="0" x2="{x:.1}" y2="{height:.0}"/><text x="{:.1}" y="14">{label}</text>"#,
            x + 3.0
        );
        if next <= d {
            break;
        }
        d = next;
    }
    let mut c = match zoom {
        Zoom::Day | Zoom::Week => origin,
        Zoom::Month => NaiveDate::from_ymd_opt(origin.year(), origin.month(), 1).unwrap_or(origin),
        Zoom::Quarter => NaiveDate::from_ymd_opt(origin.year(), (origin.month0() / 3) * 3 + 1, 1).unwrap_or(origin),
    };
    while c < end {
        let (next, label) = match zoom {
            Zoom::Day => (c + Duration::days(1), c.format("%d").to_string()),
            Zoom::Week => (c + Duration::days(7), c.format("%d").to_string()),
            Zoom::Month => (add_months(c, 1), c.format("%b").to_string()),
            Zoom::Quarter => (add_months(c, 3), format!("Q{}", c.month0() / 3 + 1)),
        };
        let x = scale.x(c.and_hms_opt(0, 0, 0).unwrap_or_default());
        if x >= 0.0 {
            let weekend = zoom == Zoom::Day && c.weekday().num_days_from_monday() >= 5;
            if weekend {
                let _ = write!(
                    o,
                    r#"<rect class="weekend" x="{x:.1}" y="{HEADER}" width="{:.1}" height="{:.0}"/>"#,
                    scale.px_per_day,
                    height - HEADER
                );
            }
            let _ = write!(
                o,
                r#"<line class="minor" x1="{x:.1}" y1="20" x2="{x:.1}" y2="{HEADER}"/><text class="minor" x="{:.1}" y="33">{label}</text>"#,
                x + 2.0
            );
        }
        c = next;
    }
    let _ = write!(o, r#"<line class="minor" x1="0" y1="{HEADER}" x2="100%" y2="{HEADER}"/>"#);
    o.push_str("</g>");
}

fn add_months(d: NaiveDate, n: u32) -> NaiveDate {
    d.checked_add_months(chrono::Months::new(n)).unwrap_or(d)
}
