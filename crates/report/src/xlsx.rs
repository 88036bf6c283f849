//! Excel workbooks: the narrative on a "Summary" sheet, one sheet per table with typed cells, and
//! a "Sources" sheet with links to the records.

use std::collections::HashSet;

use chrono::{Datelike, NaiveDate};
use keel_domain::Rag;
use keel_engine::report::{Block, Cell, Document, Table};
use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Url, Workbook, Worksheet};

use crate::{RenderOptions, format};

/// Why a workbook could not be written.
#[derive(Debug, thiserror::Error)]
#[error("cannot write the Excel workbook ({context}): {source}")]
pub struct XlsxError {
    /// What was being written (a sheet, a row).
    pub context: String,
    /// The writer's error.
    #[source]
    pub source: rust_xlsxwriter::XlsxError,
}

/// Attaches what was being written to a writer's error.
trait Context<T> {
    fn context(self, what: impl FnOnce() -> String) -> Result<T, XlsxError>;
}

impl<T> Context<T> for Result<T, rust_xlsxwriter::XlsxError> {
    fn context(self, what: impl FnOnce() -> String) -> Result<T, XlsxError> {
        self.map_err(|source| XlsxError { context: what(), source })
    }
}

/// Excel's limit on the characters of a cell.
const MAX_CELL_CHARS: usize = 32_767;
/// Excel's limit on the characters of a sheet name.
const MAX_SHEET_NAME: usize = 31;
/// Names Excel keeps for itself or this workbook uses.
const RESERVED: [&str; 3] = ["history", "summary", "sources"];

struct Formats {
    title: Format,
    label: Format,
    header: Format,
    wrap: Format,
    date: Format,
    int: Format,
    percent: Format,
    link: Format,
}

impl Formats {
    fn new() -> Self {
        Self {
            title: Format::new().set_bold().set_font_size(16),
            label: Format::new().set_bold(),
            header: Format::new()
                .set_bold()
                .set_background_color(Color::RGB(0x00E6_E9EE))
                .set_border_bottom(FormatBorder::Medium),
            wrap: Format::new().set_text_wrap().set_align(FormatAlign::Top),
            date: Format::new().set_num_format("dd mmm yyyy").set_align(FormatAlign::Left),
            int: Format::new().set_num_format("#,##0"),
            percent: Format::new().set_num_format("0%"),
            link: Format::new()
                .set_font_color(Color::RGB(0x001D_4F91))
                .set_underline(rust_xlsxwriter::FormatUnderline::Single),
        }
    }

    fn number(decimals: u8) -> Format {
        let places = usize::from(decimals.min(10));
        let fmt = if places == 0 { "#,##0".to_owned() } else { format!("#,##0.{}", "0".repeat(places)) };
        Format::new().set_num_format(fmt)
    }

    /// The number format that shows a money cell as [`format::money`] writes it (`GBP 1,250,000`,
    /// `GBP -3,400`): the cell keeps its exact value for sums.
    fn money(currency: &str) -> Format {
        // The code is written into a format string: keep only letters so it cannot break it.
        let code: String =
            currency.chars().filter(char::is_ascii_alphabetic).take(3).collect::<String>().to_ascii_uppercase();
        let prefix = if code.is_empty() { String::new() } else { format!("\"{code} \"") };
        Format::new().set_num_format(format!("{prefix}#,##0;{prefix}-#,##0"))
    }

    fn rag(rag: Rag) -> Format {
        let (fill, font) = match rag {
            Rag::Green => (0x002E_7D32, 0x00FF_FFFF),
            Rag::Amber => (0x00F2_A900, 0x001B_1F24),
            Rag::Red => (0x00C6_2828, 0x00FF_FFFF),
        };
        Format::new()
            .set_background_color(Color::RGB(fill))
            .set_font_color(Color::RGB(font))
            .set_bold()
            .set_align(FormatAlign::Center)
    }
}

/// The workbook's bytes.
pub(crate) fn render(doc: &Document, opts: &RenderOptions) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let formats = Formats::new();
    summary(workbook.add_worksheet(), doc, &formats)?;
    let mut used: HashSet<String> = RESERVED.iter().map(|s| (*s).to_owned()).collect();
    let tables = doc.sections.iter().flat_map(|s| &s.blocks).filter_map(|b| match b {
        Block::Table(t) => Some(t),
        _ => None,
    });
    for (i, t) in tables.enumerate() {
        let name = sheet_name(&t.title, i + 1, &mut used);
        table(workbook.add_worksheet(), &name, t, &formats)?;
    }
    sources(workbook.add_worksheet(), doc, opts, &formats)?;
    workbook.save_to_buffer().context(|| "saving the workbook".to_owned())
}

/// A workbook of one table on one sheet (a register or the dashboard as shown).
pub(crate) fn render_table(t: &Table) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let mut used = HashSet::new();
    let name = sheet_name(&t.title, 1, &mut used);
    table(workbook.add_worksheet(), &name, t, &Formats::new())?;
    workbook.save_to_buffer().context(|| "saving the workbook".to_owned())
}

/// Text Excel will take: at most [`MAX_CELL_CHARS`] characters.
fn clip(s: &str) -> &str {
    match s.char_indices().nth(MAX_CELL_CHARS) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// A sheet name from a table title: without the characters Excel refuses (`[]:*?/\`), not
/// starting or ending with `'`, at most 31 characters, unique without regard to case.
pub(crate) fn sheet_name(title: &str, n: usize, used: &mut HashSet<String>) -> String {
    let cleaned: String = title
        .chars()
        .map(|c| if matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\') || c.is_control() { ' ' } else { c })
        .collect();
    let cleaned = cleaned.split_whitespace().collect::<Vec<_>>().join(" ");
    let cleaned = cleaned.trim_matches('\'').trim();
    let base = if cleaned.is_empty() { format!("Table {n}") } else { cleaned.to_owned() };
    let mut k = 1usize;
    loop {
        let suffix = if k == 1 { String::new() } else { format!(" ({k})") };
        let keep = MAX_SHEET_NAME - suffix.chars().count();
        let stem: String = base.chars().take(keep).collect();
        let candidate = format!("{}{suffix}", stem.trim_end_matches('\'').trim_end());
        if used.insert(candidate.to_lowercase()) {
            return candidate;
        }
        k += 1;
    }
}

fn summary(ws: &mut Worksheet, doc: &Document, f: &Formats) -> Result<(), XlsxError> {
    let ctx = || "Summary sheet".to_owned();
    ws.set_name("Summary").context(ctx)?;
    ws.set_column_width(0, 28).context(ctx)?;
    ws.set_column_width(1, 100).context(ctx)?;
    ws.set_column_width(2, 12).context(ctx)?;
    ws.write_string_with_format(0, 0, clip(&doc.title), &f.title).context(ctx)?;
    ws.write_string_with_format(1, 0, "Scope", &f.label).context(ctx)?;
    ws.write_string(1, 1, clip(&doc.scope)).context(ctx)?;
    ws.write_string_with_format(2, 0, "As of", &f.label).context(ctx)?;
    write_date(ws, 2, 1, doc.as_of, f).context(ctx)?;
    ws.write_string_with_format(3, 0, "Audience", &f.label).context(ctx)?;
    ws.write_string(3, 1, doc.audience.label()).context(ctx)?;
    ws.write_string_with_format(4, 0, "Generated", &f.label).context(ctx)?;
    ws.write_string(4, 1, format::generated(doc.generated_at)).context(ctx)?;
    let header = 6;
    for (c, h) in ["Section", "Text", "Sources"].into_iter().enumerate() {
        ws.write_string_with_format(header, c as u16, h, &f.header).context(ctx)?;
    }
    let mut row = header;
    for section in &doc.sections {
        for block in &section.blocks {
            let sentences: Vec<_> = match block {
                Block::Paragraph { sentences } | Block::Callout { sentences, .. } => sentences.iter().collect(),
                Block::Bullets { items } => items.iter().flatten().collect(),
                Block::Table(_) | Block::Chart(_) => continue,
            };
            for sentence in sentences {
                row += 1;
                let refs: Vec<String> =
                    format::references(&sentence.sources, doc.sources.len()).map(|n| n.to_string()).collect();
                let at = || format!("Summary sheet, row {}", row + 1);
                ws.write_string_with_format(row, 0, clip(&section.heading), &f.wrap).context(at)?;
                ws.write_string_with_format(row, 1, clip(sentence.text.trim()), &f.wrap).context(at)?;
                ws.write_string_with_format(row, 2, refs.join(", "), &f.wrap).context(at)?;
            }
        }
    }
    ws.set_freeze_panes(header + 1, 0).context(ctx)?;
    Ok(())
}

/// Excel's dates run from 1900 to 9999; others are written as ISO text.
fn write_date(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    d: NaiveDate,
    f: &Formats,
) -> Result<(), rust_xlsxwriter::XlsxError> {
    if (1900..=9999).contains(&d.year()) {
        ws.write_datetime_with_format(row, col, d, &f.date)?;
    } else {
        ws.write_string(row, col, d.format("%Y-%m-%d").to_string())?;
    }
    Ok(())
}

fn table(ws: &mut Worksheet, name: &str, t: &Table, f: &Formats) -> Result<(), XlsxError> {
    let ctx = || format!("sheet \"{name}\"");
    ws.set_name(name).context(ctx)?;
    let width = t.columns.len().max(t.rows.iter().map(Vec::len).max().unwrap_or(0));
    if width == 0 {
        return Ok(());
    }
    let Ok(last_col) = u16::try_from(width - 1) else {
        return Err(XlsxError { context: ctx(), source: rust_xlsxwriter::XlsxError::RowColumnLimitError });
    };
    let mut widths: Vec<usize> = vec![8; width];
    for (c, w) in widths.iter_mut().enumerate() {
        let heading = t.columns.get(c).map_or("", String::as_str);
        *w = (*w).max(heading.chars().count() + 2);
        ws.write_string_with_format(0, c as u16, clip(heading), &f.header).context(ctx)?;
    }
    let mut money_formats: Vec<(String, Format)> = Vec::new();
    let mut number_formats: Vec<(u8, Format)> = Vec::new();
    let rag_formats = [Formats::rag(Rag::Green), Formats::rag(Rag::Amber), Formats::rag(Rag::Red)];
    let mut last_row = 0u32;
    for (r, cells) in t.rows.iter().enumerate() {
        let Ok(row) = u32::try_from(r + 1) else {
            return Err(XlsxError { context: ctx(), source: rust_xlsxwriter::XlsxError::RowColumnLimitError });
        };
        last_row = row;
        let at = || format!("sheet \"{name}\", row {}", row + 1);
        for (c, cell) in cells.iter().enumerate().take(width) {
            let col = c as u16;
            widths[c] = widths[c].max(format::cell_text(cell).chars().count().min(60) + 2);
            match cell {
                Cell::Empty => {}
                Cell::Text(s) => {
                    ws.write_string(row, col, clip(s)).context(at)?;
                }
                Cell::Int(i) => {
                    // Excel holds numbers as doubles: integers beyond 2^53 lose their last digits.
                    ws.write_number_with_format(row, col, *i as f64, &f.int).context(at)?;
                }
                Cell::Number { value, decimals } => {
                    if value.is_finite() {
                        let fmt = match number_formats.iter().find(|(d, _)| d == decimals) {
                            Some((_, fmt)) => fmt,
                            None => {
                                number_formats.push((*decimals, Formats::number(*decimals)));
                                &number_formats[number_formats.len() - 1].1
                            }
                        };
                        ws.write_number_with_format(row, col, *value, fmt).context(at)?;
                    }
                }
                Cell::Percent(p) => {
                    if p.is_finite() {
                        ws.write_number_with_format(row, col, *p, &f.percent).context(at)?;
                    }
                }
                Cell::Money { amount, currency } => {
                    if amount.is_finite() {
                        let fmt = match money_formats.iter().find(|(code, _)| code == currency) {
                            Some((_, fmt)) => fmt,
                            None => {
                                money_formats.push((currency.clone(), Formats::money(currency)));
                                &money_formats[money_formats.len() - 1].1
                            }
                        };
                        ws.write_number_with_format(row, col, *amount, fmt).context(at)?;
                    }
                }
                Cell::Date(d) => {
                    write_date(ws, row, col, *d, f).context(at)?;
                }
                Cell::Rag(rag) => match rag {
                    Some(r) => {
                        let fmt = &rag_formats[usize::from(r.severity())];
                        ws.write_string_with_format(row, col, r.label(), fmt).context(at)?;
                    }
                    None => {
                        ws.write_string(row, col, "").context(at)?;
                    }
                },
            }
        }
    }
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(c as u16, *w as f64).context(ctx)?;
    }
    ws.set_freeze_panes(1, 0).context(ctx)?;
    ws.autofilter(0, 0, last_row, last_col).context(ctx)?;
    Ok(())
}

fn sources(ws: &mut Worksheet, doc: &Document, opts: &RenderOptions, f: &Formats) -> Result<(), XlsxError> {
    let ctx = || "Sources sheet".to_owned();
    ws.set_name("Sources").context(ctx)?;
    for (c, h) in ["#", "Kind", "Label", "Link"].into_iter().enumerate() {
        ws.write_string_with_format(0, c as u16, h, &f.header).context(ctx)?;
    }
    ws.set_column_width(0, 5).context(ctx)?;
    ws.set_column_width(1, 14).context(ctx)?;
    ws.set_column_width(2, 60).context(ctx)?;
    ws.set_column_width(3, 60).context(ctx)?;
    for (i, src) in doc.sources.iter().enumerate() {
        let Ok(row) = u32::try_from(i + 1) else {
            return Err(XlsxError { context: ctx(), source: rust_xlsxwriter::XlsxError::RowColumnLimitError });
        };
        let at = || format!("Sources sheet, row {}", row + 1);
        ws.write_number(row, 0, (i + 1) as f64).context(at)?;
        ws.write_string(row, 1, format::source_kind(src.kind)).context(at)?;
        ws.write_string(row, 2, clip(&src.label)).context(at)?;
        let link = format::link(opts, &src.path);
        // Only absolute web links become hyperlinks; a link relative to the site (no base URL
        // configured) or one Excel refuses (too long) is written as text.
        let linked = link.starts_with("https://") || link.starts_with("http://");
        if !(linked && ws.write_url_with_format(row, 3, Url::new(link.as_str()), &f.link).is_ok()) {
            ws.write_string(row, 3, clip(&link)).context(at)?;
        }
    }
    if !doc.sources.is_empty() {
        ws.set_freeze_panes(1, 0).context(ctx)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_are_valid_and_unique() {
        let mut used: HashSet<String> = RESERVED.iter().map(|s| (*s).to_owned()).collect();
        assert_eq!(sheet_name("Risks: top [10] / open?", 1, &mut used), "Risks top 10 open");
        let long = "A very long table title that goes past the limit";
        let a = sheet_name(long, 2, &mut used);
        let b = sheet_name(long, 3, &mut used);
        assert_eq!(a.chars().count(), 31);
        assert!(b.ends_with(" (2)") && b.chars().count() <= 31, "{b}");
        assert_eq!(sheet_name("summary", 4, &mut used), "summary (2)");
        assert_eq!(sheet_name("''", 5, &mut used), "Table 5");
    }
}
