//! The records sentences cite, with their paths in Keel's web UI, and a citation list that
//! stays linear when a portfolio cites thousands of records.

use std::collections::HashMap;

use super::document::{Sentence, Source, SourceKind};
use super::facts::{DecisionFacts, IssueFacts, MilestoneFacts, ProjectFacts, ReportedStatus, RiskFacts};

/// The project record.
pub(crate) fn project(p: &ProjectFacts) -> Source {
    Source {
        kind: SourceKind::Project,
        id: p.id.clone(),
        label: format!("Project: {} {}", p.code, p.name),
        path: format!("/projects/{}", p.id),
    }
}

/// The project's latest forecast run (`run_id`).
pub(crate) fn forecast(p: &ProjectFacts, run_id: &str) -> Source {
    Source {
        kind: SourceKind::ForecastRun,
        id: run_id.to_owned(),
        label: format!("Forecast: {}", p.code),
        path: format!("/projects/{}/forecast", p.id),
    }
}

/// The project's schedule (earned value, critical path).
pub(crate) fn schedule(p: &ProjectFacts) -> Source {
    Source {
        kind: SourceKind::Schedule,
        id: p.id.clone(),
        label: format!("Schedule: {}", p.code),
        path: format!("/projects/{}/schedule", p.id),
    }
}

/// A task of the project's schedule.
pub(crate) fn task(p: &ProjectFacts, task_id: &str, name: &str) -> Source {
    Source {
        kind: SourceKind::Schedule,
        id: task_id.to_owned(),
        label: format!("Task: {name} ({})", p.code),
        path: format!("/projects/{}/schedule", p.id),
    }
}

fn record(kind: SourceKind, slug: &str, id: &str, label: String) -> Source {
    Source { kind, id: id.to_owned(), label, path: format!("/r/{slug}/{id}") }
}

/// A risk.
pub(crate) fn risk(p: &ProjectFacts, r: &RiskFacts) -> Source {
    record(SourceKind::Risk, "risks", &r.id, format!("Risk: {} ({})", r.title, p.code))
}

/// An issue.
pub(crate) fn issue(p: &ProjectFacts, i: &IssueFacts) -> Source {
    record(SourceKind::Issue, "issues", &i.id, format!("Issue: {} ({})", i.title, p.code))
}

/// A decision.
pub(crate) fn decision(p: &ProjectFacts, d: &DecisionFacts) -> Source {
    record(SourceKind::Decision, "decisions", &d.id, format!("Decision: {} ({})", d.title, p.code))
}

/// A milestone.
pub(crate) fn milestone(p: &ProjectFacts, m: &MilestoneFacts) -> Source {
    record(SourceKind::Milestone, "milestones", &m.id, format!("Milestone: {} ({})", m.name, p.code))
}

/// A submitted status report.
pub(crate) fn status_report(p: &ProjectFacts, s: &ReportedStatus) -> Source {
    record(
        SourceKind::StatusReport,
        "status-reports",
        &s.id,
        format!("Status report: {} to {}", p.code, super::words::date(s.period_end)),
    )
}

/// Sources collected while writing, each once, in first-cited order.
#[derive(Debug, Default)]
pub(crate) struct Cites {
    list: Vec<Source>,
    index: HashMap<Source, usize>,
}

impl Cites {
    /// Index of `source`, adding it when new. O(1) expected.
    pub(crate) fn cite(&mut self, source: Source) -> usize {
        if let Some(&i) = self.index.get(&source) {
            return i;
        }
        let i = self.list.len();
        self.index.insert(source.clone(), i);
        self.list.push(source);
        i
    }

    /// A sentence citing `sources`.
    pub(crate) fn say(&mut self, text: impl AsRef<str>, sources: impl IntoIterator<Item = Source>) -> Sentence {
        let mut idx: Vec<usize> = sources.into_iter().map(|s| self.cite(s)).collect();
        idx.sort_unstable();
        idx.dedup();
        Sentence { text: super::words::sentence(text.as_ref()), sources: idx }
    }

    /// `sentence`, whose sources index into `from`, re-indexed into this list.
    pub(crate) fn adopt(&mut self, sentence: &Sentence, from: &[Source]) -> Sentence {
        let mut idx: Vec<usize> =
            sentence.sources.iter().filter_map(|&i| from.get(i)).map(|s| self.cite(s.clone())).collect();
        idx.sort_unstable();
        idx.dedup();
        Sentence { text: sentence.text.clone(), sources: idx }
    }

    /// The list, for [`super::document::Document::sources`].
    pub(crate) fn into_sources(self) -> Vec<Source> {
        self.list
    }
}

/// Keeps only the sources some sentence cites, numbered in reading order, so footnotes run
/// 1, 2, 3 down the page. O(sentences + sources).
pub(crate) fn renumber(doc: &mut super::document::Document) {
    use super::document::Block;
    let mut map: Vec<Option<usize>> = vec![None; doc.sources.len()];
    let mut order: Vec<usize> = Vec::new();
    let mut visit = |s: &mut Sentence| {
        for i in &mut s.sources {
            let Some(slot) = map.get_mut(*i) else { continue };
            let new = *slot.get_or_insert_with(|| {
                order.push(*i);
                order.len() - 1
            });
            *i = new;
        }
        s.sources.sort_unstable();
        s.sources.dedup();
    };
    for section in &mut doc.sections {
        for block in &mut section.blocks {
            match block {
                Block::Paragraph { sentences } | Block::Callout { sentences, .. } => {
                    sentences.iter_mut().for_each(&mut visit)
                }
                Block::Bullets { items } => items.iter_mut().flatten().for_each(&mut visit),
                Block::Table(_) | Block::Chart(_) => {}
            }
        }
    }
    let mut old: Vec<Option<Source>> = std::mem::take(&mut doc.sources).into_iter().map(Some).collect();
    doc.sources = order.into_iter().filter_map(|i| old.get_mut(i).and_then(Option::take)).collect();
}
