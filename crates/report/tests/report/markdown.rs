//! Markdown: structure, references, escaping and chart summaries.

use keel_report::markdown;

use crate::fixture::{BASE_URL, document, options};

/// Every `[\[n\]][n]` reference in `md` before the source list, in order, resolved through the
/// link definitions at the end, as (n, url).
fn references(md: &str) -> Vec<(usize, String)> {
    let (body, tail) = md.split_once("\n## Sources\n").expect("a source list");
    let definitions: Vec<(&str, &str)> = tail.lines().filter_map(|l| l.strip_prefix('[')?.split_once("]: ")).collect();
    let mut out = Vec::new();
    let mut rest = body;
    while let Some(at) = rest.find("[\\[") {
        rest = &rest[at + 3..];
        let close = rest.find("\\]][").expect("a closed reference");
        let n: usize = rest[..close].parse().expect("a number");
        rest = &rest[close + 4..];
        let end = rest.find(']').expect("a closed label");
        let label = &rest[..end];
        let url = definitions.iter().find(|(l, _)| *l == label).map(|(_, u)| (*u).to_owned()).expect("a definition");
        out.push((n, url));
        rest = &rest[end..];
    }
    out
}

#[test]
fn snapshot() {
    insta::assert_snapshot!(markdown(&document(), &options()));
}

#[test]
fn every_reference_links_to_its_record() {
    let doc = document();
    let md = markdown(&doc, &options());
    let expected: Vec<(usize, String)> = doc
        .sentences()
        .flat_map(|s| s.sources.iter().map(|&i| (i + 1, format!("{BASE_URL}{}", doc.sources[i].path))))
        .collect();
    assert_eq!(references(&md), expected);
}

#[test]
fn sources_are_a_numbered_list_of_links() {
    let doc = document();
    let md = markdown(&doc, &options());
    let tail = md.split("\n## Sources\n\n").nth(1).expect("a source list");
    let (list, definitions) = tail.split_once("\n\n").expect("a list, then link definitions");
    let lines: Vec<&str> = list.lines().collect();
    let defs: Vec<&str> = definitions.lines().collect();
    assert_eq!(lines.len(), doc.sources.len());
    assert_eq!(defs.len(), doc.sources.len());
    for (i, ((line, def), src)) in lines.iter().zip(&defs).zip(&doc.sources).enumerate() {
        let n = i + 1;
        assert!(line.starts_with(&format!("{n}. [")), "{line}");
        assert!(line.contains(&format!("][{n}] (")), "{line}");
        assert_eq!(*def, format!("[{n}]: {BASE_URL}{}", src.path));
    }
}

#[test]
fn structure_and_escaping() {
    let md = markdown(&document(), &options());
    let mut lines = md.lines();
    assert_eq!(lines.next(), Some(r#"# Board pack: \<script\>alert("x")\</script\> \| Digital"#));
    assert!(md.contains("\n## Summary\n"));
    assert!(md.contains("\n## Risks & issues\n"));
    assert!(md.contains("\n> **Red:** Decide on change request CR-7 by 15 April."));
    assert!(md.contains("\n- Supplier insolvency is the top risk."));
    // A cell's `|` cannot split the table.
    assert!(md.contains(r"| Vendor \| contract \<b\>late\</b\> |"));
    assert!(md.contains("| --- | --- | ---: | ---: | ---: | ---: | --- | --- |"));
    // Every `<` is escaped, so no renderer sees a tag.
    assert!(md.match_indices('<').all(|(i, _)| md[..i].ends_with('\\')), "an unescaped `<`");
}

#[test]
fn charts_become_words() {
    let md = markdown(&document(), &options());
    assert!(md.contains("*Chart: Projects by RAG — 1 green, 1 amber, 1 red, 1 not reported*"));
    assert!(md.contains("*Chart: Open risks — 6 open risks on a 5×5 grid: 3 in red cells,"));
    assert!(md.contains("1 forecast after baseline at P50 (PRJ-001)"));
}
