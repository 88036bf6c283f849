//! The status draft Keel writes for a project each period, and the status report document both
//! the draft and [`super::narrative::status_report`] are laid out as.

use chrono::{NaiveDate, NaiveDateTime};
use keel_domain::{Rag, RiskState};
use serde::{Deserialize, Serialize};

use super::document::{
    Audience, Block, Cell, Chart, ChartSpec, Document, ReportKind, SCurvePoint, Section, Sentence, Table,
};
use super::facts::ProjectFacts;
use super::lines::{self, View};
use super::rag_rules::{self, Dimension, DimensionProposal, RagRules};
use super::sources::{self, Cites};
use super::words::{self, finite};

/// A drafted status report: proposed RAGs with reasons and the text fields, ready for the project
/// manager to review, edit and submit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatusDraft {
    /// Project id.
    pub project_id: String,
    /// Period end.
    pub period_end: NaiveDate,
    /// Proposals for schedule, cost, scope, risk, resources, benefits.
    pub proposals: [DimensionProposal; 6],
    /// Overall RAG the proposals suggest ([`crate::suggest_overall`]).
    pub overall: Rag,
    /// Drafted summary: leads with the decision or biggest risk, carries the numbers.
    pub summary: String,
    /// Drafted achievements: milestones hit, issues resolved, risks closed this period.
    pub achievements: String,
    /// Drafted next steps: milestones due next period, actions on red risks.
    pub next_steps: String,
    /// Drafted decisions needed: pending decisions.
    pub decisions_needed: String,
    /// The same content as a status report document, with sources.
    pub document: Document,
}

/// Drafts `project`'s status for the period ending `period_end`.
///
/// The proposals are [`super::propose_rag`]'s at `period_end`; the text fields are the
/// sentences of the status report document (one item a line), without their sources; the
/// document is the project manager's version of [`super::status_report`] with the sources.
/// "This period" runs from the latest status report before `period_end` (else the previous
/// forecast run, else the project's creation). Complexity: linear in the project's records.
///
/// ```
/// # use keel_engine::report::{draft_status, RagRules, ProjectFacts};
/// # fn demo(project: &ProjectFacts, at: chrono::NaiveDateTime) {
/// let draft = draft_status(project, &RagRules::default(), at.date(), at);
/// assert_eq!(draft.overall, keel_engine::suggest_overall(&draft.proposals.each_ref().map(|p| p.rag)));
/// # }
/// ```
pub fn draft_status(
    project: &ProjectFacts,
    rules: &RagRules,
    period_end: NaiveDate,
    generated_at: NaiveDateTime,
) -> StatusDraft {
    let view = View::new(project, rules, period_end, lines::previous_period_end(project, period_end));
    let mut cites = Cites::default();
    let parts = Parts::new(&view, &mut cites, Audience::ProjectManager);
    let text = |s: &[Sentence]| s.iter().map(|s| s.text.as_str()).collect::<Vec<_>>().join(" ");
    let list = |s: &[Sentence]| s.iter().map(|s| s.text.as_str()).collect::<Vec<_>>().join("\n");
    let summary = text(&parts.lead);
    let achievements = list(&parts.achievements);
    let next_steps = list(&parts.next_steps);
    let decisions_needed = list(&parts.decisions);
    let document = parts.document(&view, cites, generated_at, Audience::ProjectManager);
    StatusDraft {
        project_id: project.id.clone(),
        period_end,
        overall: view.proposed,
        proposals: view.proposals.clone(),
        summary,
        achievements,
        next_steps,
        decisions_needed,
        document,
    }
}

/// The status report document of `project` at `as_of` for `audience`.
pub(crate) fn status_document(
    project: &ProjectFacts,
    as_of: NaiveDate,
    generated_at: NaiveDateTime,
    audience: Audience,
    rules: &RagRules,
) -> Document {
    let view = View::new(project, rules, as_of, lines::previous_period_end(project, as_of));
    let mut cites = Cites::default();
    let parts = Parts::new(&view, &mut cites, audience);
    parts.document(&view, cites, generated_at, audience)
}

/// The sentences of a status report, worked out once for the draft's fields and the document.
struct Parts {
    lead: Vec<Sentence>,
    decisions: Vec<Sentence>,
    schedule: Vec<Sentence>,
    evm: Vec<Sentence>,
    milestones: Vec<Sentence>,
    top_risks: Vec<Sentence>,
    risk_changes: Vec<Sentence>,
    open_issues: Vec<Sentence>,
    achievements: Vec<Sentence>,
    next_steps: Vec<Sentence>,
    rag_reasons: Vec<Vec<Sentence>>,
}

impl Parts {
    fn new(v: &View<'_>, cites: &mut Cites, audience: Audience) -> Self {
        let p = v.p;
        let decisions: Vec<Sentence> =
            v.pending_decisions().into_iter().map(|d| lines::decision_line(v, d, cites, false)).collect();
        let reds = v.red_risks();
        let open = v.open_risks();

        // The lead: the decision or the biggest risk first, then the RAG and what moved.
        let mut lead = Vec::new();
        if v.is_new && p.status.is_none() {
            let forecast = if p.forecast.is_none() { " and no forecast" } else { "" };
            lead.push(cites.say(
                format!("New project: created on {}, with no status report{forecast} yet", words::date(p.created_on)),
                [sources::project(p)],
            ));
        }
        if let Some(first) = decisions.first() {
            let more = match decisions.len() {
                1 => String::new(),
                n => format!(" ({} more pending)", n - 1),
            };
            lead.push(Sentence {
                text: words::sentence(&format!("Decision needed{more}: {}", first.text)),
                sources: first.sources.clone(),
            });
        }
        if let Some(r) = reds.first().or(open.first()) {
            let line = lines::risk_line(v, r, cites, false);
            let label = if reds.is_empty() { "Biggest risk" } else { "Top red risk" };
            lead.push(Sentence { text: format!("{label}: {}", line.text), sources: line.sources });
        }
        lead.push(overall_sentence(v, cites));
        if let Some(s) = lines::movement(v, cites, false) {
            lead.push(s);
        }

        let schedule = lines::scenarios(v, cites, false);
        let evm = lines::earned_value(v, cites);
        let milestones = lines::milestones_this_period(v, cites);

        let top_n = if audience == Audience::Executive { 3 } else { 5 };
        let top_risks: Vec<Sentence> = open.iter().take(top_n).map(|r| lines::risk_line(v, r, cites, false)).collect();
        let risk_changes = lines::risk_changes(v, cites);
        let (open_issues, resolved) = lines::issues(v, cites);

        let mut achievements: Vec<Sentence> =
            milestones.iter().filter(|s| s.text.contains(" was hit on ")).cloned().collect();
        achievements.extend(resolved);
        for r in p.risks.iter().filter(|r| r.state == RiskState::Closed && v.this_period(r.updated_on)) {
            achievements.push(cites.say(format!("Risk {} was closed", r.title), [sources::risk(p, r)]));
        }

        let period_days = v.since.map_or(30, |s| (v.as_of - s).num_days()).clamp(7, 92);
        let mut next_steps = lines::milestones_next(v, cites, period_days);
        for r in &reds {
            let plan = words::clip(&r.response_plan, 160);
            let action = if plan.is_empty() {
                format!("Agree a response to red risk {}", r.title)
            } else {
                format!("Act on red risk {}: {plan}", r.title)
            };
            next_steps.push(cites.say(action, [sources::risk(p, r)]));
        }
        if let Some(f) = &p.forecast
            && f.defaulted_tasks > 0
        {
            next_steps.push(cites.say(
                format!(
                    "Estimate the {} that use the default range, to narrow the forecast",
                    words::count(f.defaulted_tasks, "task", "tasks")
                ),
                [sources::forecast(p, &f.run_id)],
            ));
        }

        let rag_reasons = (0..6).map(|i| v.reasons(i, usize::MAX, cites)).collect();
        Self {
            lead,
            decisions,
            schedule,
            evm,
            milestones,
            top_risks,
            risk_changes,
            open_issues,
            achievements,
            next_steps,
            rag_reasons,
        }
    }

    fn document(self, v: &View<'_>, mut cites: Cites, generated_at: NaiveDateTime, audience: Audience) -> Document {
        let p = v.p;
        let detailed = matches!(audience, Audience::ProjectManager | Audience::Pmo);
        let mut sections = Vec::new();

        sections.push(Section {
            heading: "Summary".to_owned(),
            blocks: vec![Block::Callout { rag: Some(v.proposed), sentences: self.lead }],
        });

        let mut rag_blocks = vec![Block::Table(rag_table(v))];
        let items: Vec<Vec<Sentence>> = Dimension::ALL
            .iter()
            .zip(self.rag_reasons)
            .map(|(d, reasons)| {
                let prop = &v.proposals[rag_rules::dimension_index(*d)];
                let basis = if prop.from_data { "from the data" } else { "carried over" };
                let mut item = vec![Sentence::plain(format!("{}: {} ({basis}).", d.label(), words::rag(prop.rag)))];
                item.extend(reasons);
                item
            })
            .collect();
        rag_blocks.push(Block::Bullets { items });
        sections.push(Section { heading: "RAG by dimension".to_owned(), blocks: rag_blocks });

        let mut blocks = vec![Block::Paragraph { sentences: self.schedule }];
        if !self.evm.is_empty() {
            blocks.push(Block::Paragraph { sentences: self.evm });
        }
        if let Some(chart) = s_curve(p) {
            blocks.push(Block::Chart(chart));
        }
        if !self.milestones.is_empty() {
            blocks.push(Block::Bullets { items: self.milestones.into_iter().map(|s| vec![s]).collect() });
        }
        if detailed && !p.milestones.is_empty() {
            blocks.push(Block::Table(milestone_table(v)));
        }
        sections.push(Section { heading: "Schedule and forecast".to_owned(), blocks });

        let mut blocks = Vec::new();
        if self.top_risks.is_empty() {
            blocks.push(Block::Paragraph {
                sentences: vec![cites.say("No open risks are logged", [sources::project(p)])],
            });
        } else {
            blocks.push(Block::Bullets { items: self.top_risks.into_iter().map(|s| vec![s]).collect() });
        }
        if !self.risk_changes.is_empty() {
            blocks.push(Block::Paragraph { sentences: vec![Sentence::plain("What changed this period:")] });
            blocks.push(Block::Bullets { items: self.risk_changes.into_iter().map(|s| vec![s]).collect() });
        }
        if detailed && !self.open_issues.is_empty() {
            blocks.push(Block::Paragraph { sentences: vec![Sentence::plain("Open issues:")] });
            blocks.push(Block::Bullets { items: self.open_issues.into_iter().map(|s| vec![s]).collect() });
        }
        sections.push(Section { heading: "Risks and issues".to_owned(), blocks });

        let decisions = if self.decisions.is_empty() {
            Block::Paragraph { sentences: vec![cites.say("No decisions are needed", [sources::project(p)])] }
        } else {
            Block::Bullets { items: self.decisions.into_iter().map(|s| vec![s]).collect() }
        };
        sections.push(Section { heading: "Decisions needed".to_owned(), blocks: vec![decisions] });

        if audience != Audience::Executive {
            for (heading, list, none) in [
                ("Achievements this period", self.achievements, "Nothing recorded as achieved this period"),
                ("Next steps", self.next_steps, "No milestones are due next period"),
            ] {
                let block = if list.is_empty() {
                    Block::Paragraph { sentences: vec![Sentence::plain(words::sentence(none))] }
                } else {
                    Block::Bullets { items: list.into_iter().map(|s| vec![s]).collect() }
                };
                sections.push(Section { heading: heading.to_owned(), blocks: vec![block] });
            }
        }

        let mut doc = Document {
            kind: ReportKind::Status,
            audience,
            title: format!("Status report: {} {}", p.code, p.name),
            scope: format!("Project {} {}", p.code, p.name),
            as_of: v.as_of,
            generated_at,
            sections,
            sources: cites.into_sources(),
        };
        sources::renumber(&mut doc);
        doc
    }
}

/// "Proposed overall RAG red (schedule red, cost amber); last reported amber on 28 February 2027."
fn overall_sentence(v: &View<'_>, cites: &mut Cites) -> Sentence {
    let p = v.p;
    let drivers: Vec<String> = v
        .proposals
        .iter()
        .filter(|d| d.rag != Rag::Green)
        .map(|d| format!("{} {}", d.dimension.label().to_lowercase(), words::rag(d.rag)))
        .collect();
    let drivers = if drivers.is_empty() { "every dimension green".to_owned() } else { words::and_list(&drivers) };
    let mut refs = vec![sources::project(p)];
    let last = match &p.status {
        Some(s) => {
            refs.push(sources::status_report(p, s));
            format!("; last reported {} for the period to {}", words::rag(s.overall), words::date(s.period_end))
        }
        None => "; no earlier report".to_owned(),
    };
    cites.say(format!("Proposed overall RAG {} ({drivers}){last}", words::rag(v.proposed)), refs)
}

fn rag_table(v: &View<'_>) -> Table {
    let rows = Dimension::ALL
        .iter()
        .map(|d| {
            let i = rag_rules::dimension_index(*d);
            let prop = &v.proposals[i];
            vec![
                Cell::Text(d.label().to_owned()),
                Cell::Rag(Some(prop.rag)),
                Cell::Rag(v.p.status.as_ref().map(|s| s.dimensions[i])),
                Cell::Text(if prop.from_data { "Data" } else { "Carried" }.to_owned()),
            ]
        })
        .collect();
    Table {
        title: "Proposed RAG".to_owned(),
        columns: ["Dimension", "Proposed", "Last reported", "Basis"].map(str::to_owned).to_vec(),
        rows,
    }
}

fn milestone_table(v: &View<'_>) -> Table {
    let date = |d: Option<NaiveDate>| d.map_or(Cell::Empty, Cell::Date);
    let mut ms: Vec<_> = v.p.milestones.iter().collect();
    ms.sort_by_key(|m| (rag_rules::milestone_due(m).or(m.actual), m.name.clone()));
    let rows = ms
        .into_iter()
        .map(|m| {
            let state = if m.actual.is_some() {
                "Achieved"
            } else if rag_rules::is_overdue(m, v.as_of) {
                "Overdue"
            } else {
                "Open"
            };
            vec![
                Cell::Text(m.name.clone()),
                date(m.baseline),
                date(m.forecast),
                date(m.actual),
                Cell::Text(state.to_owned()),
            ]
        })
        .collect();
    Table {
        title: "Milestones".to_owned(),
        columns: ["Milestone", "Baseline", "Forecast", "Actual", "State"].map(str::to_owned).to_vec(),
        rows,
    }
}

/// The S-curve chart, with values that are not finite left out.
fn s_curve(p: &ProjectFacts) -> Option<Chart> {
    let e = p.evm.as_ref()?;
    let bac = finite(Some(e.bac))?;
    let points: Vec<SCurvePoint> = e
        .curve
        .iter()
        .filter(|pt| pt.pv.is_finite())
        .map(|pt| SCurvePoint { date: pt.date, pv: pt.pv, ev: finite(pt.ev), ac: finite(pt.ac) })
        .collect();
    if points.is_empty() {
        return None;
    }
    Some(Chart {
        title: format!("Earned value: {}", p.code),
        spec: ChartSpec::SCurve { bac, points, currency: p.currency.clone() },
    })
}
