//! HTML: the page, the fragment, references, escaping and print styles.

use keel_report::{html, html_fragment, report_css};

use crate::fixture::{BASE_URL, document, options};

/// Every `<sup><a href>[n]</a></sup>` of the fragment, in reading order, as (n, href).
fn references(fragment: &str) -> Vec<(usize, String)> {
    let xml = roxmltree::Document::parse(fragment).expect("the fragment is well-formed markup");
    xml.descendants()
        .filter(|n| n.has_tag_name("a") && n.parent().is_some_and(|p| p.has_tag_name("sup")))
        .map(|a| {
            let text = a.text().expect("reference text");
            let n = text.trim_start_matches('[').trim_end_matches(']').parse().expect("[n]");
            (n, a.attribute("href").expect("href").to_owned())
        })
        .collect()
}

#[test]
fn snapshot_of_the_fragment() {
    insta::assert_snapshot!(html_fragment(&document(), &options()));
}

#[test]
fn page_is_a_standalone_html5_document() {
    let doc = document();
    let page = html(&doc, &options());
    assert!(page.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
    assert!(page.contains("<meta charset=\"utf-8\">"));
    assert!(page.contains("<title>Board pack: &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; | Digital</title>"));
    assert!(page.contains(report_css()), "the page inlines the report CSS");
    assert!(page.contains(&html_fragment(&doc, &options())), "the page body is the fragment");
    assert!(page.trim_end().ends_with("</html>"));
}

#[test]
fn header_says_who_what_and_when() {
    let f = html_fragment(&document(), &options());
    for expected in [
        "<p class=\"kr-org\">Acme Rail &amp; Co</p>",
        "<b>Scope:</b> Portfolio DIG Digital",
        "<b>Audience:</b> Executive",
        "<time datetime=\"2026-03-31\">31 March 2026</time>",
        "<time datetime=\"2026-04-01T09:30:00Z\">1 April 2026 09:30 UTC</time>",
    ] {
        assert!(f.contains(expected), "missing {expected}");
    }
}

#[test]
fn record_text_cannot_inject_markup() {
    let page = html(&document(), &options());
    assert!(!page.to_lowercase().contains("<script"), "a record title became a script tag");
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(page.contains("Vendor | contract &lt;b&gt;late&lt;/b&gt;"));
    assert!(page.contains("Risk: Supplier &lt;insolvency&gt; &amp; delay (PRJ-002)"));
    // The query string's `&` is escaped inside the attribute.
    assert!(page.contains("?tab=detail&amp;from=report\""));
}

#[test]
fn every_reference_links_to_its_record() {
    let doc = document();
    let f = html_fragment(&doc, &options());
    let expected: Vec<(usize, String)> = doc
        .sentences()
        .flat_map(|s| s.sources.iter().map(|&i| (i + 1, format!("{BASE_URL}{}", doc.sources[i].path))))
        .collect();
    assert!(!expected.is_empty());
    assert_eq!(references(&f), expected);
    // The reference follows its sentence directly.
    assert!(f.contains(&format!(
        "PRJ-001 Payments is red on schedule.<sup><a href=\"{BASE_URL}{}\">[1]</a></sup><sup><a href=\"{BASE_URL}{}\">[2]</a></sup>",
        doc.sources[0].path, doc.sources[1].path
    )));
}

#[test]
fn sources_are_listed_in_order_with_links() {
    let doc = document();
    let f = html_fragment(&doc, &options());
    let xml = roxmltree::Document::parse(&f).expect("well-formed");
    let list = xml.descendants().find(|n| n.attribute("class") == Some("kr-sources")).expect("a source list");
    let items: Vec<_> = list.children().filter(|n| n.has_tag_name("li")).collect();
    assert_eq!(items.len(), doc.sources.len());
    for (i, (li, src)) in items.iter().zip(&doc.sources).enumerate() {
        assert_eq!(li.attribute("id"), Some(format!("kr-source-{}", i + 1).as_str()));
        let a = li.children().find(|n| n.has_tag_name("a")).expect("a link");
        assert_eq!(a.attribute("href"), Some(format!("{BASE_URL}{}", src.path).as_str()));
        assert_eq!(a.text(), Some(src.label.as_str()));
    }
}

#[test]
fn tables_have_pills_and_right_aligned_figures() {
    let f = html_fragment(&document(), &options());
    assert!(f.contains("<span class=\"kr-pill kr-pill-red\">Red</span>"));
    assert!(f.contains("<span class=\"kr-pill kr-pill-none\">Not reported</span>"));
    assert!(f.contains("<td class=\"kr-num\">GBP 1,250,000</td>"));
    assert!(f.contains("<td class=\"kr-num\">EUR 480,001</td>"));
    assert!(f.contains("<td class=\"kr-num\">CHF 2,000,000</td>"));
    assert!(f.contains("<td class=\"kr-num\">62%</td>"));
    assert!(f.contains("<td class=\"kr-num\">0.87</td>"));
    assert!(f.contains("<th scope=\"col\" class=\"kr-num\">Budget</th>"));
    assert!(f.contains("<th scope=\"col\">Project</th>"));
}

#[test]
fn charts_are_inline_svg_with_their_titles() {
    let doc = document();
    let f = html_fragment(&doc, &options());
    let xml = roxmltree::Document::parse(&f).expect("well-formed");
    let svgs: Vec<_> = xml.descendants().filter(|n| n.has_tag_name(("http://www.w3.org/2000/svg", "svg"))).collect();
    assert_eq!(svgs.len(), 5);
    let titles: Vec<_> = svgs
        .iter()
        .map(|svg| {
            svg.children().find(|n| n.has_tag_name(("http://www.w3.org/2000/svg", "title"))).and_then(|t| t.text())
        })
        .collect();
    assert_eq!(
        titles,
        [
            Some("Projects by RAG"),
            Some("RAG over the quarter"),
            Some("Forecast finish against baseline"),
            Some("PRJ-001 earned value"),
            Some("Open risks")
        ]
    );
}

#[test]
fn css_is_scoped_and_prints_well() {
    let css = report_css();
    for rule in ["@media print", "size:A4", "print-color-adjust:exact", "break-inside:avoid", "break-after:avoid"] {
        assert!(css.contains(rule), "missing {rule}");
    }
    // Every selector (outside at-rules) is under `.keel-report`, so embedding cannot restyle Keel.
    for line in css.lines().filter(|l| l.contains('{') && !l.starts_with('@')) {
        let selectors = &line[..line.find('{').expect("a rule")];
        for selector in selectors.split(',') {
            assert!(selector.trim().starts_with(".keel-report"), "unscoped selector `{selector}`");
        }
    }
}

#[test]
fn links_are_relative_without_a_base_url() {
    let doc = document();
    let f = html_fragment(&doc, &keel_report::RenderOptions::default());
    let refs = references(&f);
    assert_eq!(refs[0], (1, doc.sources[0].path.clone()));
    assert!(!f.contains("kr-org"), "no organisation line when none is configured");
}
