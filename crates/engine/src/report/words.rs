//! How numbers, dates and money read in generated sentences. One style everywhere: dates as
//! "12 March 2027", money as "GBP 1,250,000", ratios as "80%", indices with two decimals.
//! Values that are not finite never reach the text: callers get `None` from [`finite`] and say
//! "unknown" instead.

use chrono::NaiveDate;
use keel_domain::Rag;

/// `Some(v)` when `v` is a finite number.
pub(crate) fn finite(v: Option<f64>) -> Option<f64> {
    v.filter(|x| x.is_finite())
}

/// "12 March 2027".
pub(crate) fn date(d: NaiveDate) -> String {
    d.format("%-d %B %Y").to_string()
}

/// "GBP 1,250,000": [`keel_domain::money_text`], the formatter every report format shares
/// ("an unknown amount" when not finite).
pub(crate) fn money(amount: f64, currency: &str) -> String {
    keel_domain::money_text(amount, currency).unwrap_or_else(|| "an unknown amount".to_owned())
}

/// "1,250,000".
pub(crate) fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A ratio as a whole percentage: 0.8 is "80%" ("unknown" when not finite).
pub(crate) fn percent(ratio: f64) -> String {
    if !ratio.is_finite() {
        return "unknown".to_owned();
    }
    let p = (ratio * 100.0).round();
    format!("{}%", p.clamp(-1.0e9, 1.0e9) as i64)
}

/// An index such as SPI or CPI with two decimals ("unknown" when not finite).
pub(crate) fn index(v: f64) -> String {
    if v.is_finite() { format!("{v:.2}") } else { "unknown".to_owned() }
}

/// "1 working day", "12 working days" (the absolute value: callers say later or earlier).
pub(crate) fn working_days(n: i64) -> String {
    let n = n.unsigned_abs();
    if n == 1 { "1 working day".to_owned() } else { format!("{n} working days") }
}

/// "1 day", "9 days".
pub(crate) fn days(n: i64) -> String {
    let n = n.unsigned_abs();
    if n == 1 { "1 day".to_owned() } else { format!("{n} days") }
}

/// "1 project", "3 projects".
pub(crate) fn count(n: usize, one: &str, many: &str) -> String {
    if n == 1 { format!("1 {one}") } else { format!("{n} {many}") }
}

/// "red", "amber", "green".
pub(crate) fn rag(r: Rag) -> &'static str {
    r.as_str()
}

/// Joins "a", "a and b", "a, b and c".
pub(crate) fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// A sentence's text trimmed to one line and ending with a full stop.
pub(crate) fn sentence(s: &str) -> String {
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.is_empty() || s.ends_with(['.', '!', '?']) { s } else { format!("{s}.") }
}

/// Free text from a record, on one line, cut to `max` characters at a word boundary.
pub(crate) fn clip(s: &str, max: usize) -> String {
    let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.chars().count() <= max {
        return s;
    }
    let cut: String = s.chars().take(max).collect();
    let cut = match cut.rfind(' ') {
        Some(i) if i > max / 2 => cut[..i].to_owned(),
        _ => cut,
    };
    format!("{}…", cut.trim_end_matches([',', ';', ':', '.', ' ']))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_read_as_people_write_them() {
        assert_eq!(date(NaiveDate::from_ymd_opt(2027, 3, 2).expect("date")), "2 March 2027");
        assert_eq!(money(1_250_000.4, "GBP"), "GBP 1,250,000");
        assert_eq!(money(-999.6, "EUR"), "EUR -1,000");
        assert_eq!(money(f64::NAN, "EUR"), "an unknown amount");
        assert_eq!(thousands(100), "100");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(percent(0.8), "80%");
        assert_eq!(percent(f64::INFINITY), "unknown");
        assert_eq!(index(0.8249), "0.82");
        assert_eq!(working_days(-1), "1 working day");
        assert_eq!(and_list(&["a".into(), "b".into(), "c".into()]), "a, b and c");
        assert_eq!(sentence("  two  words "), "two words.");
        assert_eq!(clip("alpha beta gamma delta", 12), "alpha beta…");
    }
}
