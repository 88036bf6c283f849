//! How table cells and dates read in print: thousands separators, currency codes, percentages
//! and "12 Mar 2027" dates. Pure string formatting, shared by the inputs builder and its tests.

use chrono::{NaiveDate, NaiveDateTime};
use keel_engine::report::Cell;

/// How a cell's text is aligned in its column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Align {
    /// Text.
    Left,
    /// Figures.
    Right,
    /// RAG statuses.
    Centre,
}

impl Align {
    /// The typst alignment keyword the template maps.
    pub(crate) const fn as_str(self) -> &'static str {
        match self {
            Align::Left => "left",
            Align::Right => "right",
            Align::Centre => "center",
        }
    }
}

/// A cell ready to print: its text, its alignment and, for RAG cells, the colour name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PrintedCell {
    /// What is printed.
    pub text: String,
    /// Where it sits in the column.
    pub align: Align,
    /// `green`, `amber` or `red` for a RAG cell; `None` otherwise.
    pub rag: Option<&'static str>,
}

/// Shown for a missing or unprintable value.
pub(crate) const DASH: &str = "\u{2014}";
/// The typographic minus sign.
const MINUS: char = '\u{2212}';

/// Formats a cell for print.
pub(crate) fn cell(cell: &Cell) -> PrintedCell {
    let right = |text: String| PrintedCell { text, align: Align::Right, rag: None };
    match cell {
        Cell::Empty => PrintedCell { text: String::new(), align: Align::Left, rag: None },
        Cell::Text(text) => PrintedCell { text: text.clone(), align: Align::Left, rag: None },
        Cell::Int(value) => right(grouped_int(*value)),
        Cell::Number { value, decimals } => right(number(*value, usize::from(*decimals))),
        Cell::Percent(ratio) => right(percent(*ratio)),
        Cell::Money { amount, currency } => right(money(*amount, currency)),
        Cell::Date(date) => right(date_text(*date)),
        Cell::Rag(Some(rag)) => {
            PrintedCell { text: rag.label().to_owned(), align: Align::Centre, rag: Some(rag.as_str()) }
        }
        Cell::Rag(None) => PrintedCell { text: "Not reported".to_owned(), align: Align::Centre, rag: None },
    }
}

/// `12 Mar 2027`.
pub(crate) fn date_text(date: NaiveDate) -> String {
    date.format("%-d %b %Y").to_string()
}

/// `13 Mar 2027 09:14 UTC`.
pub(crate) fn date_time_text(at: NaiveDateTime) -> String {
    at.format("%-d %b %Y %H:%M UTC").to_string()
}

/// A whole number with thousands separators and a typographic minus: `−1,234,567`.
pub(crate) fn grouped_int(value: i64) -> String {
    let digits = value.unsigned_abs().to_string();
    let grouped = group(&digits);
    if value < 0 { format!("{MINUS}{grouped}") } else { grouped }
}

/// A number with `decimals` places and thousands separators; `—` when not finite.
pub(crate) fn number(value: f64, decimals: usize) -> String {
    if !value.is_finite() {
        return DASH.to_owned();
    }
    let fixed = format!("{:.*}", decimals, value.abs());
    let (whole, fraction) = match fixed.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (fixed.as_str(), None),
    };
    let mut text = group(whole);
    if let Some(fraction) = fraction {
        text.push('.');
        text.push_str(fraction);
    }
    // "-0.00" is zero: no sign when every printed digit is zero.
    let is_zero = fixed.bytes().all(|b| b == b'0' || b == b'.');
    if value < 0.0 && !is_zero { format!("{MINUS}{text}") } else { text }
}

/// A ratio as a percentage: `0.25` is `25%`, `0.1234` is `12.3%`.
pub(crate) fn percent(ratio: f64) -> String {
    let value = ratio * 100.0;
    if !value.is_finite() {
        return DASH.to_owned();
    }
    let one_place = number(value, 1);
    let text = one_place.strip_suffix(".0").map_or(one_place.clone(), str::to_owned);
    format!("{text}%")
}

/// Money in whole units with its currency code: `GBP 1,250,000` (board packs do not print pence).
pub(crate) fn money(amount: f64, currency: &str) -> String {
    let figure = number(amount, 0);
    if currency.is_empty() { figure } else { format!("{currency}\u{a0}{figure}") }
}

fn group(digits: &str) -> String {
    let len = digits.len();
    let mut out = String::with_capacity(len + len / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (len - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use keel_domain::Rag;

    use super::*;

    #[test]
    fn integers_are_grouped_in_threes() {
        assert_eq!(grouped_int(0), "0");
        assert_eq!(grouped_int(999), "999");
        assert_eq!(grouped_int(1_000), "1,000");
        assert_eq!(grouped_int(1_234_567), "1,234,567");
        assert_eq!(grouped_int(-45_000), "\u{2212}45,000");
        assert_eq!(grouped_int(i64::MIN), "\u{2212}9,223,372,036,854,775,808");
    }

    #[test]
    fn numbers_keep_their_places_and_drop_negative_zero() {
        assert_eq!(number(1234.5678, 2), "1,234.57");
        assert_eq!(number(0.4, 0), "0");
        assert_eq!(number(-0.001, 2), "0.00");
        assert_eq!(number(-1234.5, 1), "\u{2212}1,234.5");
        assert_eq!(number(f64::NAN, 2), DASH);
        assert_eq!(number(f64::INFINITY, 0), DASH);
    }

    #[test]
    fn percentages_show_one_place_only_when_needed() {
        assert_eq!(percent(0.25), "25%");
        assert_eq!(percent(0.1234), "12.3%");
        assert_eq!(percent(1.5), "150%");
        assert_eq!(percent(-0.05), "\u{2212}5%");
    }

    #[test]
    fn money_has_its_code_and_separators() {
        assert_eq!(money(1_250_000.0, "GBP"), "GBP\u{a0}1,250,000");
        assert_eq!(money(-3_400.4, "EUR"), "EUR\u{a0}\u{2212}3,400");
    }

    #[test]
    fn dates_read_as_day_month_year() {
        let date = NaiveDate::from_ymd_opt(2027, 3, 12).expect("valid date");
        assert_eq!(date_text(date), "12 Mar 2027");
        let at = date.and_hms_opt(9, 4, 0).expect("valid time");
        assert_eq!(date_time_text(at), "12 Mar 2027 09:04 UTC");
    }

    #[test]
    fn cells_align_figures_right_and_colour_rag() {
        assert_eq!(cell(&Cell::Int(5)).align, Align::Right);
        assert_eq!(cell(&Cell::Text("x".into())).align, Align::Left);
        let red = cell(&Cell::Rag(Some(Rag::Red)));
        assert_eq!((red.text.as_str(), red.rag), ("Red", Some("red")));
        assert_eq!(cell(&Cell::Rag(None)).rag, None);
    }
}
