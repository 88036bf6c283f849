//! Snapshots of generated reports for fixed facts, rendered as text a reviewer can read.

mod report_support;

use keel_domain::Rag;
use keel_engine::report::*;
use report_support::*;

fn rules() -> RagRules {
    RagRules::default()
}

#[test]
fn board_pack_for_the_executive() {
    let doc = portfolio_report(&typical(), ReportKind::Board, Audience::Executive, &rules());
    insta::assert_snapshot!(render(&doc));
}

#[test]
fn portfolio_report_for_the_pmo() {
    let doc = portfolio_report(&typical(), ReportKind::Portfolio, Audience::Pmo, &rules());
    insta::assert_snapshot!(render(&doc));
}

#[test]
fn portfolio_report_for_sponsors() {
    let doc = portfolio_report(&typical(), ReportKind::Portfolio, Audience::Sponsor, &rules());
    insta::assert_snapshot!(render(&doc));
}

#[test]
fn portfolio_report_for_project_managers() {
    let facts = portfolio(vec![payments(), mobile()]);
    let doc = portfolio_report(&facts, ReportKind::Portfolio, Audience::ProjectManager, &rules());
    insta::assert_snapshot!(render(&doc));
}

#[test]
fn status_draft_of_a_slipping_project() {
    let draft = draft_status(&payments(), &rules(), as_of(), at(as_of()));
    let fields = format!(
        "overall: {}\nproposals: {}\n\nsummary:\n{}\n\nachievements:\n{}\n\nnext steps:\n{}\n\ndecisions needed:\n{}\n\n",
        draft.overall.as_str(),
        draft
            .proposals
            .iter()
            .map(|p| format!(
                "{} {}{}",
                p.dimension.as_str(),
                p.rag.as_str(),
                if p.from_data { "" } else { " (carried)" }
            ))
            .collect::<Vec<_>>()
            .join(", "),
        draft.summary,
        draft.achievements,
        draft.next_steps,
        draft.decisions_needed
    );
    insta::assert_snapshot!(format!("{fields}{}", render(&draft.document)));
}

#[test]
fn status_report_for_an_executive() {
    let doc = status_report(&data_centre(), as_of(), at(as_of()), Audience::Executive, &rules());
    insta::assert_snapshot!(render(&doc));
}

#[test]
fn empty_portfolio() {
    let doc = portfolio_report(&portfolio(Vec::new()), ReportKind::Board, Audience::Pmo, &rules());
    insta::assert_snapshot!(render(&doc));
}

#[test]
fn project_without_a_baseline() {
    let facts = portfolio(vec![hr()]);
    let doc = portfolio_report(&facts, ReportKind::Portfolio, Audience::Pmo, &rules());
    insta::assert_snapshot!(render(&doc));
}

#[test]
fn every_rag_red() {
    let mut projects = vec![payments(), data_centre()];
    for p in &mut projects {
        for s in [&mut p.status, &mut p.previous_status].into_iter().flatten() {
            s.overall = Rag::Red;
            s.dimensions = [Rag::Red; 6];
        }
        if let Some(e) = &mut p.evm {
            e.spi_t = Some(0.5);
            e.cpi = Some(0.5);
        }
    }
    let doc = portfolio_report(&portfolio(projects), ReportKind::Board, Audience::Executive, &rules());
    insta::assert_snapshot!(render(&doc));
}

#[test]
fn brand_new_project() {
    let facts = portfolio(vec![supplier_portal()]);
    let doc = portfolio_report(&facts, ReportKind::Portfolio, Audience::Pmo, &rules());
    let draft = draft_status(&supplier_portal(), &rules(), as_of(), at(as_of()));
    insta::assert_snapshot!(format!("{}\n----- status draft -----\n{}", render(&doc), render(&draft.document)));
}

#[test]
fn missing_previous_period() {
    let mut facts = typical();
    facts.previous_period_end = None;
    facts.projects.truncate(3);
    let doc = portfolio_report(&facts, ReportKind::Board, Audience::Executive, &rules());
    insta::assert_snapshot!(render(&doc));
}

fn project_rows(doc: &Document) -> usize {
    doc.sections
        .iter()
        .flat_map(|s| &s.blocks)
        .filter_map(|b| match b {
            Block::Table(t) if t.title == "Projects" => Some(t.rows.len()),
            _ => None,
        })
        .sum()
}

/// A board reads the projects needing most attention: the executive the exceptions only, the
/// sponsor the worst fifty; the PMO report lists every project.
#[test]
fn board_pack_table_keeps_the_worst_fifty_and_the_pmo_report_lists_all() {
    let mut projects: Vec<ProjectFacts> =
        (1..=120).map(|n| bare(n, &format!("Project {n}"), keel_domain::GovernanceTier::Standard)).collect();
    // One project is clearly in trouble: the data proposes red for it.
    projects[119].risks = (0..4).map(|k| risk(&format!("r{k}"), "Vendor insolvency", 5, 5, as_of())).collect();
    let facts = portfolio(projects);
    let rules = RagRules::default();
    let board = portfolio_report(&facts, ReportKind::Board, Audience::Sponsor, &rules);
    let executive = portfolio_report(&facts, ReportKind::Board, Audience::Executive, &rules);
    let pmo = portfolio_report(&facts, ReportKind::Portfolio, Audience::Pmo, &rules);
    assert_eq!(project_rows(&board), 50);
    assert_eq!(project_rows(&pmo), 120);
    // The executive reads the exceptions only (here the one red project), in fewer columns...
    assert_eq!(project_rows(&executive), 1);
    let table = |doc: &Document| -> Table {
        doc.sections
            .iter()
            .flat_map(|s| &s.blocks)
            .find_map(|b| match b {
                Block::Table(t) if t.title == "Projects" => Some(t.clone()),
                _ => None,
            })
            .expect("a project table")
    };
    assert_eq!(table(&executive).rows[0][0], Cell::Text(facts.projects[119].code.clone()));
    assert!(table(&executive).columns.len() < table(&board).columns.len() / 2, "the executive table is narrow");
    // ...and at most fifteen of them.
    let mut many = facts.clone();
    for p in many.projects.iter_mut().take(20) {
        p.risks = (0..4).map(|k| risk(&format!("r{k}"), "Vendor insolvency", 5, 5, as_of())).collect();
    }
    assert_eq!(project_rows(&portfolio_report(&many, ReportKind::Board, Audience::Executive, &rules)), 15);
    let listed = board.sections.iter().flat_map(|s| &s.blocks).find_map(|b| match b {
        Block::Table(t) if t.title == "Projects" => Some(t),
        _ => None,
    });
    let first = &listed.expect("a project table").rows[0][0];
    assert_eq!(*first, Cell::Text(facts.projects[119].code.clone()), "the red project comes first");
}

fn section_items<'a>(doc: &'a Document, heading: &str) -> Vec<&'a str> {
    doc.sections
        .iter()
        .filter(|s| s.heading == heading)
        .flat_map(|s| &s.blocks)
        .flat_map(|b| match b {
            Block::Bullets { items } => items.iter().filter_map(|i| i.first()).map(|s| s.text.as_str()).collect(),
            _ => Vec::new(),
        })
        .collect()
}

/// Sponsors read the ten decisions of the projects in most trouble, executives five, and both are
/// told how many more the PMO report holds; the PMO report lists every pending decision.
#[test]
fn board_pack_lists_the_first_ten_decisions_and_counts_the_rest() {
    let mut projects: Vec<ProjectFacts> =
        (1..=30).map(|n| bare(n, &format!("Project {n}"), keel_domain::GovernanceTier::Standard)).collect();
    for (n, p) in projects.iter_mut().enumerate() {
        p.decisions = vec![decision(&format!("d{n}"), &format!("Decide {}", p.code), "Board", "", &[])];
    }
    // The last project is in trouble, so its decision leads.
    projects[29].risks = (0..4).map(|k| risk(&format!("r{k}"), "Vendor insolvency", 5, 5, as_of())).collect();
    let facts = portfolio(projects);
    let rules = RagRules::default();
    let board = portfolio_report(&facts, ReportKind::Board, Audience::Sponsor, &rules);
    let executive = portfolio_report(&facts, ReportKind::Board, Audience::Executive, &rules);
    let pmo = portfolio_report(&facts, ReportKind::Portfolio, Audience::Pmo, &rules);
    let executive_items = section_items(&executive, "Decisions needed");
    assert_eq!(executive_items.len(), 6, "{executive_items:#?}");
    assert_eq!(executive_items[5], "25 more decisions are listed in the PMO report.");
    let board_items = section_items(&board, "Decisions needed");
    assert_eq!(board_items.len(), 11, "{board_items:#?}");
    assert!(board_items[0].contains(&format!("Decide {}", facts.projects[29].code)), "{}", board_items[0]);
    assert_eq!(board_items[10], "20 more decisions are listed in the PMO report.");
    assert_eq!(section_items(&pmo, "Decisions needed").len(), 30);
}
