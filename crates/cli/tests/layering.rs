//! The crates' dependencies point inwards only: the layering in docs/architecture.md cannot rot.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

use std::collections::{BTreeSet, HashMap};

fn deps() -> HashMap<String, BTreeSet<String>> {
    let meta = cargo_metadata::MetadataCommand::new()
        .manifest_path(concat!(env!("CARGO_MANIFEST_DIR"), "/../../Cargo.toml"))
        .exec()
        .expect("cargo metadata");
    let resolve = meta.resolve.expect("resolved graph");
    let names: HashMap<_, _> = meta.packages.iter().map(|p| (p.id.clone(), p.name.to_string())).collect();
    let direct: HashMap<_, Vec<_>> = resolve
        .nodes
        .iter()
        .map(|n| {
            let normal =
                n.deps.iter().filter(|d| d.dep_kinds.iter().any(|k| k.kind == cargo_metadata::DependencyKind::Normal));
            (n.id.clone(), normal.map(|d| d.pkg.clone()).collect())
        })
        .collect();
    let mut out = HashMap::new();
    for p in &meta.workspace_members {
        // Transitive closure of normal (non-dev) dependencies.
        let mut seen = BTreeSet::new();
        let mut stack = vec![p.clone()];
        while let Some(id) = stack.pop() {
            for d in direct.get(&id).into_iter().flatten() {
                if seen.insert(names[d].clone()) {
                    stack.push(d.clone());
                }
            }
        }
        out.insert(names[p].clone(), seen);
    }
    out
}

#[test]
fn dependencies_point_inwards() {
    let d = deps();
    let forbid = |krate: &str, banned: &[&str]| {
        let got = &d[krate];
        let bad: Vec<_> = banned.iter().filter(|b| got.contains(**b)).collect();
        assert!(bad.is_empty(), "{krate} must not depend on {bad:?}");
    };
    // (serde_json reaches the domain only through the optional `openapi` feature that api-types enables.)
    let io = ["tokio", "sqlx", "axum", "hyper", "askama", "tower", "keel-store", "keel-app", "keel-server"];
    forbid("keel-domain", &io);
    forbid("keel-engine", &io);
    forbid("keel-interop", &io);
    forbid("keel-store", &["axum", "askama", "keel-app", "keel-engine", "keel-server", "keel-api-types"]);
    // (hyper reaches the app only as the HTTP client that delivers report webhooks.)
    forbid("keel-app", &["axum", "askama", "keel-server", "keel-api-types", "clap"]);
    // Report renderers and PDF typesetting are pure: documents in, bytes out.
    forbid("keel-report", &io);
    forbid("keel-pdf", &io);
    forbid("keel-api-types", &["tokio", "sqlx", "axum", "keel-store", "keel-app", "keel-server"]);
    forbid("keel-server", &["clap", "figment"]);
    assert!(
        d["keel-cli"].contains("keel-server")
            && d["keel-server"].contains("keel-app")
            && d["keel-app"].contains("keel-engine")
    );
}
