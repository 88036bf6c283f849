//! MS Project XML (MSPDI): a fast streaming reader and a writer MS Project opens.
//!
//! Reader conventions (checked against the corpus of files MS Project wrote):
//! - durations are ISO 8601 (`PT8H0M0S`); elapsed durations are stored as clock time;
//! - `TotalSlack`, `FreeSlack` and `LinkLag` are tenths of a minute (`LinkLag` on the clock for
//!   elapsed lag formats);
//! - percent lags (`LagFormat` 19/20/51/52): MS Project writes the percentage times ten; files
//!   written by MPXJ (recognised by their single-quoted XML declaration) hold the raw percentage;
//! - `Cost` values are minor currency units (cents), `StandardRate` is currency units per hour.

mod read;
mod write;

pub use read::read;
pub use write::write;

use keel_engine::schedule::{ConstraintKind, DurationUnit};

/// Maps an MSPDI `DurationFormat`/`LagFormat` code to (unit, elapsed, estimated).
/// `None` for a code that is not a duration format.
pub(crate) fn format_code(code: i64) -> Option<(DurationUnit, bool, bool)> {
    let estimated = code >= 35;
    let base = if estimated { code - 32 } else { code };
    let (unit, elapsed) = match base {
        3 => (DurationUnit::Minutes, false),
        4 => (DurationUnit::Minutes, true),
        5 => (DurationUnit::Hours, false),
        6 => (DurationUnit::Hours, true),
        7 => (DurationUnit::Days, false),
        8 => (DurationUnit::Days, true),
        9 => (DurationUnit::Weeks, false),
        10 => (DurationUnit::Weeks, true),
        11 => (DurationUnit::Months, false),
        12 => (DurationUnit::Months, true),
        19 => (DurationUnit::Percent, false),
        20 => (DurationUnit::Percent, true),
        // 21 / 53: "null" duration (no unit entered): shown in the project's default, days.
        21 => (DurationUnit::Days, false),
        _ => return None,
    };
    Some((unit, elapsed, estimated))
}

/// The MSPDI `DurationFormat` code for a unit (inverse of [`format_code`]).
pub(crate) fn code_for(unit: DurationUnit, elapsed: bool, estimated: bool) -> i64 {
    let base = match (unit, elapsed) {
        (DurationUnit::Minutes, false) => 3,
        (DurationUnit::Minutes, true) => 4,
        (DurationUnit::Hours, false) => 5,
        (DurationUnit::Hours, true) => 6,
        (DurationUnit::Days, false) => 7,
        (DurationUnit::Days, true) => 8,
        (DurationUnit::Weeks, false) => 9,
        (DurationUnit::Weeks, true) => 10,
        (DurationUnit::Months, false) => 11,
        (DurationUnit::Months, true) => 12,
        (DurationUnit::Percent, false) => 19,
        (DurationUnit::Percent, true) => 20,
    };
    if estimated { base + 32 } else { base }
}

/// MSPDI `ConstraintType` code to the model's kind.
pub(crate) fn constraint_kind(code: i64) -> Option<ConstraintKind> {
    Some(match code {
        0 => ConstraintKind::Asap,
        1 => ConstraintKind::Alap,
        2 => ConstraintKind::Mso,
        3 => ConstraintKind::Mfo,
        4 => ConstraintKind::Snet,
        5 => ConstraintKind::Snlt,
        6 => ConstraintKind::Fnet,
        7 => ConstraintKind::Fnlt,
        _ => return None,
    })
}

/// The MSPDI `ConstraintType` code of a kind; P6-only kinds map to their MS Project equivalent.
pub(crate) fn constraint_code(kind: ConstraintKind) -> i64 {
    match kind {
        ConstraintKind::Asap => 0,
        ConstraintKind::Alap => 1,
        ConstraintKind::Mso | ConstraintKind::MandatoryStart => 2,
        ConstraintKind::Mfo | ConstraintKind::MandatoryFinish => 3,
        ConstraintKind::Snet => 4,
        ConstraintKind::Snlt => 5,
        ConstraintKind::Fnet => 6,
        ConstraintKind::Fnlt => 7,
    }
}

/// Parses an ISO 8601 duration (`PT8H0M0S`, `-PT1H30M`, `P1DT2H`, `PT0.5H`) into minutes.
/// Days count 24 hours (MSPDI writes hours; days appear only in files from other tools).
pub(crate) fn parse_iso_duration(s: &str) -> Option<f64> {
    let s = s.trim();
    let (neg, s) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let s = s.strip_prefix('P')?;
    let mut minutes = 0.0;
    let mut in_time = false;
    let mut num = String::new();
    let mut any = false;
    for c in s.chars() {
        match c {
            'T' if !in_time && num.is_empty() => in_time = true,
            '0'..='9' | '.' | ',' => num.push(if c == ',' { '.' } else { c }),
            _ => {
                let v: f64 = num.parse().ok()?;
                num.clear();
                any = true;
                minutes += v * match (c, in_time) {
                    ('Y', false) => 365.0 * 1440.0,
                    ('M', false) => 30.0 * 1440.0,
                    ('W', false) => 7.0 * 1440.0,
                    ('D', false) => 1440.0,
                    ('H', true) => 60.0,
                    ('M', true) => 1.0,
                    ('S', true) => 1.0 / 60.0,
                    _ => return None,
                };
            }
        }
    }
    if !num.is_empty() || !any {
        return None;
    }
    Some(if neg { -minutes } else { minutes })
}

/// Formats minutes as MSPDI's `PT{h}H{m}M{s}S`.
pub(crate) fn format_iso_duration(minutes: i64) -> String {
    let sign = if minutes < 0 { "-" } else { "" };
    let m = minutes.unsigned_abs();
    format!("{sign}PT{}H{}M0S", m / 60, m % 60)
}
