//! docs/roles.md shows the role table the code enforces.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

#[test]
fn the_published_roles_table_is_the_enforced_one() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/roles.md");
    let doc = std::fs::read_to_string(path).expect("docs/roles.md exists");
    let start = doc.find("<!-- generated table: begin -->\n").expect("begin marker")
        + "<!-- generated table: begin -->\n".len();
    let end = doc.find("<!-- generated table: end -->").expect("end marker");
    let expected = keel_domain::Role::markdown_table();
    if std::env::var_os("KEEL_BLESS").is_some() {
        let updated = format!("{}{}{}", &doc[..start], expected, &doc[end..]);
        std::fs::write(path, updated).expect("write docs/roles.md");
        return;
    }
    assert_eq!(&doc[start..end], expected, "docs/roles.md is out of date: run with KEEL_BLESS=1 to regenerate it");
}
