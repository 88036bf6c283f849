//! Markdown (CommonMark with GitHub tables). Charts become one line of words, since Markdown
//! cannot hold a drawing; references are `[n]` links to the record (reference-style, resolved by
//! link definitions after the numbered source list at the end).
//!
//! Text is escaped so record titles cannot become markup (`*`, `_`, `[`, `<script>`), and table
//! cells escape `|`.

use std::fmt::Write;

use keel_engine::report::{Block, Cell, Chart, Document, Sentence, Table};

use crate::charts;
use crate::{RenderOptions, format};

/// The document as Markdown.
pub(crate) fn render(doc: &Document, opts: &RenderOptions) -> String {
    let mut s = String::with_capacity(8 * 1024);
    let _ = writeln!(s, "# {}\n", text(&doc.title));
    let mut meta = Vec::new();
    if !opts.organisation.trim().is_empty() {
        meta.push(format!("**{}**", text(opts.organisation.trim())));
    }
    if !doc.scope.trim().is_empty() {
        meta.push(text(&doc.scope));
    }
    meta.push(format!("Audience: {}", doc.audience.label()));
    meta.push(format!("As of {}", format::long_date(doc.as_of)));
    meta.push(format!("Generated {}", format::generated(doc.generated_at)));
    let _ = writeln!(s, "{}\n", meta.join(" · "));
    for section in &doc.sections {
        let _ = writeln!(s, "## {}\n", text(&section.heading));
        for block in &section.blocks {
            self::block(&mut s, doc, block);
        }
    }
    if !doc.sources.is_empty() {
        s.push_str("## Sources\n\n");
        for (i, src) in doc.sources.iter().enumerate() {
            let _ = writeln!(s, "{n}. [{}][{n}] ({})", text(&src.label), format::source_kind(src.kind), n = i + 1);
        }
        // Link reference definitions: the body's `[1]` references and the list above resolve here,
        // which keeps long URLs out of the sentences.
        s.push('\n');
        for (i, src) in doc.sources.iter().enumerate() {
            let _ = writeln!(s, "[{}]: {}", i + 1, url(&format::link(opts, &src.path)));
        }
    }
    // One trailing newline.
    while s.ends_with("\n\n") {
        s.pop();
    }
    s
}

fn block(s: &mut String, doc: &Document, block: &Block) {
    match block {
        Block::Paragraph { sentences: list } => {
            let _ = writeln!(s, "{}\n", sentences(doc, list));
        }
        Block::Bullets { items } => {
            for item in items {
                let _ = writeln!(s, "- {}", sentences(doc, item));
            }
            s.push('\n');
        }
        Block::Callout { rag, sentences: list } => {
            let body = sentences(doc, list);
            match rag {
                Some(r) => {
                    let _ = writeln!(s, "> **{}:** {body}\n", r.label());
                }
                None => {
                    let _ = writeln!(s, "> {body}\n");
                }
            }
        }
        Block::Table(t) => table(s, t),
        Block::Chart(c) => chart(s, c),
    }
}

/// Sentences run together, each followed by its `[n]` reference links.
fn sentences(doc: &Document, list: &[Sentence]) -> String {
    let mut s = String::new();
    for (i, sentence) in list.iter().enumerate() {
        if i > 0 {
            s.push(' ');
        }
        s.push_str(&text(sentence.text.trim()));
        for n in format::references(&sentence.sources, doc.sources.len()) {
            let _ = write!(s, " [\\[{n}\\]][{n}]");
        }
    }
    // A line that starts like a block (a heading, a list, a quote) would change the structure.
    if s.starts_with(['#', '-', '+', '>', '=']) {
        s.insert(0, '\\');
    } else if let Some(dot) = s.find(['.', ')'])
        && dot > 0
        && dot <= 9
        && s[..dot].chars().all(|c| c.is_ascii_digit())
    {
        s.insert(dot, '\\');
    }
    s
}

fn table(s: &mut String, t: &Table) {
    let width = t.columns.len().max(t.rows.iter().map(Vec::len).max().unwrap_or(0));
    if width == 0 {
        return;
    }
    if !t.title.trim().is_empty() {
        let _ = writeln!(s, "**{}**\n", text(&t.title));
    }
    let numeric: Vec<bool> = (0..width).map(|c| format::numeric_column(&t.rows, c)).collect();
    s.push('|');
    for c in 0..width {
        let _ = write!(s, " {} |", text(t.columns.get(c).map_or("", String::as_str)));
    }
    s.push_str("\n|");
    for &num in &numeric {
        s.push_str(if num { " ---: |" } else { " --- |" });
    }
    s.push('\n');
    for row in &t.rows {
        s.push('|');
        for c in 0..width {
            let cell = row.get(c).unwrap_or(&Cell::Empty);
            let _ = write!(s, " {} |", text(&format::cell_text(cell)));
        }
        s.push('\n');
    }
    s.push('\n');
}

fn chart(s: &mut String, c: &Chart) {
    let title = if c.title.trim().is_empty() { charts::default_title(&c.spec) } else { c.title.as_str() };
    let _ = writeln!(s, "*Chart: {} — {}*\n", text(title), text(&charts::summary(&c.spec)));
}

/// Plain text made safe for Markdown: characters that start markup are backslash-escaped and
/// line breaks become spaces (a sentence is one line).
fn text(t: &str) -> String {
    let mut out = String::with_capacity(t.len() + 8);
    for (i, c) in t.char_indices() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' => {
                out.push('\\');
                out.push(c);
            }
            // `&lt;` must stay four characters, not become `<`; a lone `&` (R&D) stays as it is.
            '&' if looks_like_entity(&t[i..]) => out.push_str("\\&"),
            '\r' | '\n' | '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Whether `s` (starting at `&`) starts with a character reference such as `&lt;` or `&#60;`.
fn looks_like_entity(s: &str) -> bool {
    let rest = s.strip_prefix('&').unwrap_or(s);
    let rest = rest.strip_prefix('#').unwrap_or(rest);
    let name_len = rest.chars().take_while(char::is_ascii_alphanumeric).count();
    name_len > 0 && rest[name_len..].starts_with(';')
}

/// A link destination with the characters that would end or break it percent-encoded.
fn url(u: &str) -> String {
    let mut out = String::with_capacity(u.len());
    for c in u.chars() {
        match c {
            ' ' => out.push_str("%20"),
            '(' => out.push_str("%28"),
            ')' => out.push_str("%29"),
            '<' => out.push_str("%3C"),
            '>' => out.push_str("%3E"),
            '"' => out.push_str("%22"),
            '\\' => out.push_str("%5C"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_characters_are_escaped() {
        assert_eq!(text("a|b *c* <script>"), r"a\|b \*c\* \<script\>");
        assert_eq!(text("R&D &lt;b&gt;"), r"R&D \&lt;b\&gt;");
        assert_eq!(url("/risks/a b(c)"), "/risks/a%20b%28c%29");
    }
}
