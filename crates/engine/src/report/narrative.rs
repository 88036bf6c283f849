//! Portfolio reports, board packs and project status reports as documents.
//!
//! A portfolio report leads with what needs the reader: the decisions needed and the red risks,
//! then one line of context each, then the exceptions (what changed since last period, what is
//! drifting against its baseline, what breached its tier's thresholds), then the evidence
//! (scenarios, charts, the project table). The audience sets the depth: the executive version is
//! short; the sponsor's adds each sponsor's projects; the PMO's adds the breaches table and data
//! quality; the project manager's adds each project in detail.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime};
use keel_domain::{Priority, Rag};

use super::document::{
    Audience, Block, Cell, Chart, ChartSpec, Document, ForecastBar, ReportKind, Section, Sentence, Source, Table,
};
use super::facts::{PortfolioFacts, ProjectFacts, ScopeKind};
use super::lines::{self, View};
use super::rag_rules::{Dimension, RagRules};
use super::sources::{self, Cites};
use super::words::{self, finite};

/// How many items a list names before it says "and N more".
const NAMED: usize = 5;
/// How many exceptions of one kind the sponsor version lists.
const SHORT_LIST: usize = 10;
/// How many of each the executive version lists: its board pack is read in four pages.
const EXECUTIVE_LIST: usize = 5;
/// Rows of the executive version's project table: the exceptions (not green, or drifting).
const EXECUTIVE_TABLE_ROWS: usize = 15;
/// Rows of the evidence table in executive and sponsor versions.
const BOARD_TABLE_ROWS: usize = 50;
/// How many sources a summary sentence cites at most.
const CITED: usize = 12;

/// A portfolio report (`kind` [`ReportKind::Portfolio`]) or board pack ([`ReportKind::Board`])
/// for `audience`, from `facts`. A [`ReportKind::Status`] request is written as a portfolio
/// report (a status report is per project: [`status_report`]).
///
/// RAG proposals use `rules` at the tier of each project; "since last period" compares with
/// `facts.previous_period_end` (when missing, the report says changes cannot be reported).
/// Complexity: O(records) plus a sort of the projects.
///
/// ```
/// use chrono::NaiveDate;
/// use keel_engine::report::*;
/// let as_of = NaiveDate::from_ymd_opt(2027, 3, 31).unwrap();
/// let facts = PortfolioFacts {
///     scope: ScopeFacts { kind: ScopeKind::Organisation, id: None, code: String::new(), name: "Acme".into() },
///     as_of,
///     previous_period_end: None,
///     generated_at: as_of.and_hms_opt(9, 0, 0).unwrap(),
///     projects: vec![],
///     heat_map: None,
///     rag_trend: vec![],
/// };
/// let doc = portfolio_report(&facts, ReportKind::Board, Audience::Executive, &RagRules::default());
/// assert_eq!(doc.sentences().next().unwrap().text, "No active projects in scope.");
/// ```
pub fn portfolio_report(facts: &PortfolioFacts, kind: ReportKind, audience: Audience, rules: &RagRules) -> Document {
    let mut views: Vec<View<'_>> =
        facts.projects.iter().map(|p| View::new(p, rules, facts.as_of, facts.previous_period_end)).collect();
    views.sort_by(|a, b| {
        b.rag()
            .severity()
            .cmp(&a.rag().severity())
            .then_with(|| b.proposed.severity().cmp(&a.proposed.severity()))
            .then_with(|| a.p.code.cmp(&b.p.code))
    });
    let scope = match facts.scope.kind {
        ScopeKind::Organisation => facts.scope.name.clone(),
        ScopeKind::Portfolio => format!("Portfolio {} {}", facts.scope.code, facts.scope.name),
        ScopeKind::Programme => format!("Programme {} {}", facts.scope.code, facts.scope.name),
    };
    let title = match kind {
        ReportKind::Board => format!("Board pack: {}", facts.scope.name),
        ReportKind::Portfolio | ReportKind::Status => match facts.scope.kind {
            ScopeKind::Programme => format!("Programme report: {}", facts.scope.name),
            _ => format!("Portfolio report: {}", facts.scope.name),
        },
    };
    let kind = if kind == ReportKind::Status { ReportKind::Portfolio } else { kind };
    let mut w = Writer { cites: Cites::default(), sections: Vec::new(), audience };

    if views.is_empty() {
        w.section(
            "Executive summary",
            vec![Block::Paragraph { sentences: vec![Sentence::plain("No active projects in scope.")] }],
        );
    } else {
        w.summary(&views, facts.previous_period_end);
        w.decisions(&views);
        w.red_risks(&views);
        w.changes(&views, facts.previous_period_end);
        w.drifting(&views);
        // The executive reads the decisions, red risks, changes and drift, then the evidence; the
        // breach-by-breach and per-forecast detail is for sponsors and the PMO.
        if audience != Audience::Executive {
            w.breaches(&views);
            w.scenarios(&views);
        }
        if audience == Audience::Sponsor {
            w.by_sponsor(&views);
        }
        if audience == Audience::ProjectManager {
            w.per_project(&views);
        }
        w.evidence(&views, facts);
        if audience == Audience::Pmo {
            w.data_quality(&views, facts.as_of, facts.previous_period_end);
        }
    }

    let mut doc = Document {
        kind,
        audience,
        title,
        scope,
        as_of: facts.as_of,
        generated_at: facts.generated_at,
        sections: w.sections,
        sources: w.cites.into_sources(),
    };
    sources::renumber(&mut doc);
    doc
}

/// One project's status report as a document, at `as_of`: a summary that leads with the
/// decision or biggest risk, the proposed RAG of each dimension with its reasons, schedule and
/// forecast (scenarios, earned value, S-curve, milestones), risks and issues, decisions needed,
/// and (except for executives) achievements and next steps.
///
/// Complexity: linear in the project's records.
pub fn status_report(
    project: &ProjectFacts,
    as_of: NaiveDate,
    generated_at: NaiveDateTime,
    audience: Audience,
    rules: &RagRules,
) -> Document {
    super::status::status_document(project, as_of, generated_at, audience, rules)
}

/// The document being written.
struct Writer {
    cites: Cites,
    sections: Vec<Section>,
    audience: Audience,
}

fn bullets(items: Vec<Sentence>) -> Block {
    Block::Bullets { items: items.into_iter().map(|s| vec![s]).collect() }
}

/// "A, B and 3 more" for the first [`NAMED`] of `names`.
fn named(names: Vec<String>) -> String {
    let n = names.len();
    let mut shown: Vec<String> = names.into_iter().take(NAMED).collect();
    if n > NAMED {
        shown.push(format!("{} more", n - NAMED));
    }
    words::and_list(&shown)
}

impl Writer {
    fn short(&self) -> bool {
        matches!(self.audience, Audience::Executive | Audience::Sponsor)
    }

    /// How many items a list of one kind of exception shows in this version.
    fn list_limit(&self) -> usize {
        match self.audience {
            Audience::Executive => EXECUTIVE_LIST,
            Audience::Sponsor => SHORT_LIST,
            Audience::Pmo | Audience::ProjectManager => usize::MAX,
        }
    }

    fn section(&mut self, heading: &str, blocks: Vec<Block>) {
        if !blocks.is_empty() {
            self.sections.push(Section { heading: heading.to_owned(), blocks });
        }
    }

    /// Caps a list for the short versions and says how many were left out.
    fn cap(&self, mut items: Vec<Sentence>, what: &str) -> Vec<Sentence> {
        let limit = self.list_limit();
        // "1 more ... is in the PMO report" takes the line the item itself would: show it.
        if items.len() > limit.saturating_add(1) {
            let more = items.len() - limit;
            items.truncate(limit);
            items.push(Sentence::plain(words::sentence(&format!("{} more {what} are listed in the PMO report", more))));
        }
        items
    }

    /// The executive summary: decisions and red risks first, then one line of context each.
    fn summary(&mut self, views: &[View<'_>], previous: Option<NaiveDate>) {
        let decisions: Vec<(&View<'_>, &super::facts::DecisionFacts)> =
            views.iter().flat_map(|v| v.pending_decisions().into_iter().map(move |d| (v, d))).collect();
        let mut reds: Vec<(&View<'_>, &super::facts::RiskFacts)> =
            views.iter().flat_map(|v| v.red_risks().into_iter().map(move |r| (v, r))).collect();
        reds.sort_by(|a, b| b.1.score.cmp(&a.1.score).then_with(|| a.0.p.code.cmp(&b.0.p.code)));

        let mut lead = Vec::new();
        if !decisions.is_empty() {
            let verb = if decisions.len() == 1 { "is" } else { "are" };
            let names = decisions.iter().map(|(v, d)| format!("{} ({})", d.title.trim(), v.p.code)).collect();
            let refs: Vec<Source> = decisions.iter().take(CITED).map(|(v, d)| sources::decision(v.p, d)).collect();
            lead.push(self.cites.say(
                format!("{} {verb} needed: {}", words::count(decisions.len(), "decision", "decisions"), named(names)),
                refs,
            ));
        }
        if !reds.is_empty() {
            let verb = if reds.len() == 1 { "is" } else { "are" };
            let names = reds.iter().map(|(v, r)| format!("{} ({}, score {})", r.title, v.p.code, r.score)).collect();
            let refs: Vec<Source> = reds.iter().take(CITED).map(|(v, r)| sources::risk(v.p, r)).collect();
            lead.push(
                self.cites
                    .say(format!("{} {verb} red: {}", words::count(reds.len(), "risk", "risks"), named(names)), refs),
            );
        }
        let first = if lead.is_empty() {
            let refs: Vec<Source> = views.iter().take(CITED).map(|v| sources::project(v.p)).collect();
            Block::Callout {
                rag: Some(Rag::Green),
                sentences: vec![self.cites.say("No decisions are needed and no risks are red", refs)],
            }
        } else {
            let rag = if reds.is_empty() { Rag::Amber } else { Rag::Red };
            Block::Callout { rag: Some(rag), sentences: lead }
        };

        let mut context = Vec::new();
        let count = |r: Rag| views.iter().filter(|v| v.reported() == Some(r)).count();
        let unreported: Vec<&View<'_>> = views.iter().filter(|v| v.reported().is_none()).collect();
        let mut text = format!(
            "Of {} in scope, by their latest status reports: {} red, {} amber, {} green",
            words::count(views.len(), "project", "projects"),
            count(Rag::Red),
            count(Rag::Amber),
            count(Rag::Green)
        );
        if !unreported.is_empty() {
            text.push_str(&format!("; {} not reported yet", unreported.len()));
        }
        let refs: Vec<Source> = views
            .iter()
            .filter(|v| v.rag() != Rag::Green)
            .chain(views.iter().filter(|v| v.rag() == Rag::Green))
            .take(CITED)
            .map(|v| sources::project(v.p))
            .collect();
        context.push(self.cites.say(text, refs));

        let optimistic: Vec<&View<'_>> =
            views.iter().filter(|v| v.reported().is_some_and(|r| r.severity() < v.proposed.severity())).collect();
        if !optimistic.is_empty() {
            let names = optimistic
                .iter()
                .map(|v| {
                    format!(
                        "{} (reported {}, data {})",
                        v.p.code,
                        v.reported().map_or("none", words::rag),
                        words::rag(v.proposed)
                    )
                })
                .collect();
            let refs: Vec<Source> = optimistic
                .iter()
                .take(CITED)
                .flat_map(|v| v.p.status.as_ref().map(|s| sources::status_report(v.p, s)))
                .collect();
            let verb = if optimistic.len() == 1 { "reports" } else { "report" };
            context.push(self.cites.say(
                format!(
                    "{} {verb} a better RAG than the data supports: {}",
                    words::count(optimistic.len(), "project", "projects"),
                    named(names)
                ),
                refs,
            ));
        }

        let later: Vec<&View<'_>> = views.iter().filter(|v| v.movement.is_some_and(|m| m.amount > 0)).collect();
        let earlier = views.iter().filter(|v| v.movement.is_some_and(|m| m.amount < 0)).count();
        let drifting: Vec<&View<'_>> = views.iter().filter(|v| v.slip().is_some_and(|s| s > 0)).collect();
        if previous.is_some() && (!later.is_empty() || earlier > 0) {
            let refs: Vec<Source> = later
                .iter()
                .take(CITED)
                .filter_map(|v| v.p.forecast.as_ref().map(|f| sources::forecast(v.p, &f.run_id)))
                .collect();
            context.push(self.cites.say(
                format!(
                    "Since last period {} moved later and {} earlier",
                    words::count(later.len(), "finish forecast", "finish forecasts"),
                    earlier
                ),
                refs,
            ));
        }
        if !drifting.is_empty() {
            let refs: Vec<Source> = drifting
                .iter()
                .take(CITED)
                .filter_map(|v| v.p.forecast.as_ref().map(|f| sources::forecast(v.p, &f.run_id)))
                .collect();
            let verb = if drifting.len() == 1 { "is" } else { "are" };
            context.push(self.cites.say(
                format!(
                    "{} {verb} forecast (P80) to finish after the baseline finish",
                    words::count(drifting.len(), "project", "projects")
                ),
                refs,
            ));
        }
        let new: Vec<&View<'_>> = views.iter().filter(|v| v.is_new).collect();
        if previous.is_some() && !new.is_empty() {
            let names = new.iter().map(|v| v.name()).collect();
            let refs: Vec<Source> = new.iter().take(CITED).map(|v| sources::project(v.p)).collect();
            let verb = if new.len() == 1 { "is" } else { "are" };
            context.push(self.cites.say(
                format!("{} {verb} new this period: {}", words::count(new.len(), "project", "projects"), named(names)),
                refs,
            ));
        }
        if previous.is_none() {
            context.push(Sentence::plain(
                "There is no previous period to compare with, so changes since last period are not reported.",
            ));
        }
        self.section("Executive summary", vec![first, Block::Paragraph { sentences: context }]);
    }

    fn decisions(&mut self, views: &[View<'_>]) {
        let mut items = Vec::new();
        for v in views {
            for d in v.pending_decisions() {
                items.push(lines::decision_line(v, d, &mut self.cites, true));
            }
        }
        // Worst projects' decisions first (views are sorted by RAG); a board reads ten, not a thousand.
        let items = self.cap(items, "decisions");
        if !items.is_empty() {
            self.section("Decisions needed", vec![bullets(items)]);
        }
    }

    fn red_risks(&mut self, views: &[View<'_>]) {
        let mut reds: Vec<(&View<'_>, &super::facts::RiskFacts)> =
            views.iter().flat_map(|v| v.red_risks().into_iter().map(move |r| (v, r))).collect();
        reds.sort_by(|a, b| b.1.score.cmp(&a.1.score).then_with(|| a.0.p.code.cmp(&b.0.p.code)));
        let items: Vec<Sentence> = reds.iter().map(|(v, r)| lines::risk_line(v, r, &mut self.cites, true)).collect();
        let items = self.cap(items, "red risks");
        if !items.is_empty() {
            self.section("Red risks", vec![bullets(items)]);
        }
    }

    /// What changed since last period: RAG changes, forecast movement, new projects.
    fn changes(&mut self, views: &[View<'_>], previous: Option<NaiveDate>) {
        let Some(previous) = previous else {
            return;
        };
        let mut items = Vec::new();
        for v in views {
            let p = v.p;
            if let (Some(now), Some(before)) = (&p.status, &p.previous_status)
                && now.overall != before.overall
                && now.period_end > previous
            {
                let dir = if now.overall.severity() > before.overall.severity() { "worsened" } else { "improved" };
                let why = words::clip(&now.summary, 160);
                let why = if why.is_empty() { String::new() } else { format!(": {why}") };
                items.push(self.cites.say(
                    format!(
                        "{} {dir} from {} to {}{why}",
                        v.name(),
                        words::rag(before.overall),
                        words::rag(now.overall)
                    ),
                    [sources::status_report(p, now), sources::status_report(p, before)],
                ));
            }
        }
        let mut moved: Vec<&View<'_>> = views.iter().filter(|v| v.movement.is_some()).collect();
        moved.sort_by_key(|v| std::cmp::Reverse(v.movement.map_or(0, |m| m.amount)));
        for v in moved {
            if let Some(s) = lines::movement(v, &mut self.cites, true) {
                items.push(s);
            }
        }
        for v in views.iter().filter(|v| v.is_new) {
            let p = v.p;
            let missing: Vec<String> = [
                p.status.is_none().then(|| "no status report".to_owned()),
                p.forecast.is_none().then(|| "no forecast".to_owned()),
                p.baseline_finish.is_none().then(|| "no baseline".to_owned()),
            ]
            .into_iter()
            .flatten()
            .collect();
            let tail =
                if missing.is_empty() { String::new() } else { format!(", with {} yet", words::and_list(&missing)) };
            items.push(self.cites.say(
                format!("{} is new this period (created {}){tail}", v.name(), words::date(p.created_on)),
                [sources::project(p)],
            ));
        }
        let items = self.cap(items, "changes");
        let block = if items.is_empty() {
            Block::Paragraph {
                sentences: vec![Sentence::plain("No RAG changed and no finish forecast moved since last period.")],
            }
        } else {
            bullets(items)
        };
        self.section("What changed since last period", vec![block]);
    }

    /// Forecast P80 against baseline, worst first; projects without a baseline said so.
    fn drifting(&mut self, views: &[View<'_>]) {
        let mut late: Vec<&View<'_>> = views.iter().filter(|v| v.slip().is_some_and(|s| s > 0)).collect();
        late.sort_by_key(|v| (std::cmp::Reverse(v.slip().unwrap_or(0)), v.p.code.clone()));
        let mut items = Vec::new();
        for v in late {
            let (p, Some(f)) = (v.p, v.p.forecast.as_ref()) else { continue };
            let slip = f.p80_slip_working_days.unwrap_or(0);
            let baseline = p.baseline_finish.map(|b| format!(" of {}", words::date(b))).unwrap_or_default();
            let mut text = format!(
                "{}: P80 finish {} is {} after the baseline finish{baseline}",
                v.name(),
                words::date(f.p80),
                words::working_days(slip)
            );
            if let Some(p50) = f.p50_slip_working_days {
                let rel = if p50 > 0 {
                    format!("{} after", words::working_days(p50))
                } else if p50 < 0 {
                    format!("{} before", words::working_days(p50))
                } else {
                    "on".to_owned()
                };
                text.push_str(&format!("; P50 {} is {rel} it", words::date(f.p50)));
            }
            if let Some(prob) = finite(f.probability_on_time) {
                text.push_str(&format!("; {} chance of meeting it", words::percent(prob)));
            }
            items.push(self.cites.say(text, [sources::forecast(p, &f.run_id), sources::project(p)]));
        }
        let mut items = self.cap(items, "drifting projects");
        for v in views.iter().filter(|v| v.p.forecast.is_some() && v.p.baseline_finish.is_none()) {
            items.push(self.cites.say(
                format!("{} has no baseline finish, so its forecast cannot be compared with a plan", v.name()),
                [sources::project(v.p)],
            ));
        }
        if items.is_empty() {
            let refs: Vec<Source> = views
                .iter()
                .filter_map(|v| v.p.forecast.as_ref().map(|f| sources::forecast(v.p, &f.run_id)))
                .take(CITED)
                .collect();
            items.push(self.cites.say("No project is forecast (P80) to finish after its baseline finish", refs));
            self.section("Drifting against baseline", vec![Block::Paragraph { sentences: items }]);
        } else {
            self.section("Drifting against baseline", vec![bullets(items)]);
        }
    }

    /// Dimensions the data puts at amber or red by the project's tier.
    fn breaches(&mut self, views: &[View<'_>]) {
        let breached: Vec<&View<'_>> = views.iter().filter(|v| !v.breaches().is_empty()).collect();
        if breached.is_empty() {
            let refs: Vec<Source> = views.iter().take(CITED).map(|v| sources::project(v.p)).collect();
            let s = self.cites.say("No project breaches its tier's RAG thresholds", refs);
            self.section("Threshold breaches", vec![Block::Paragraph { sentences: vec![s] }]);
            return;
        }
        let mut blocks = Vec::new();
        if self.audience == Audience::Pmo {
            let mut rows = Vec::new();
            for v in &breached {
                for (i, rag) in v.breaches() {
                    let reason = v.proposals[i].reasons.iter().map(|s| s.text.as_str()).collect::<Vec<_>>().join(" ");
                    rows.push(vec![
                        Cell::Text(v.p.code.clone()),
                        Cell::Text(v.p.name.clone()),
                        Cell::Text(v.p.tier.label().to_owned()),
                        Cell::Text(Dimension::ALL[i].label().to_owned()),
                        Cell::Rag(Some(rag)),
                        Cell::Rag(v.p.status.as_ref().map(|s| s.dimensions[i])),
                        Cell::Text(reason),
                    ]);
                }
            }
            let refs: Vec<Source> = breached.iter().take(CITED).map(|v| sources::project(v.p)).collect();
            let s = self.cites.say(
                format!(
                    "{} breach their tier's RAG thresholds on at least one dimension",
                    words::count(breached.len(), "project", "projects")
                ),
                refs,
            );
            blocks.push(Block::Paragraph { sentences: vec![s] });
            blocks.push(Block::Table(Table {
                title: "Threshold breaches".to_owned(),
                columns: ["Code", "Project", "Tier", "Dimension", "Proposed", "Reported", "Reason"]
                    .map(str::to_owned)
                    .to_vec(),
                rows,
            }));
        } else {
            let mut items = Vec::new();
            for v in breached.iter().take(if self.short() { SHORT_LIST } else { usize::MAX }) {
                let list: Vec<String> = v
                    .breaches()
                    .iter()
                    .map(|(i, r)| format!("{} {}", Dimension::ALL[*i].label().to_lowercase(), words::rag(*r)))
                    .collect();
                let head = self.cites.say(
                    format!(
                        "{} ({} tier): the data puts {}",
                        v.name(),
                        v.p.tier.label().to_lowercase(),
                        words::and_list(&list)
                    ),
                    [sources::project(v.p)],
                );
                let mut item = vec![head];
                if let Some((i, _)) = v.breaches().first() {
                    // The first reason of the worst dimension is the evidence for the line.
                    item.extend(v.reasons(*i, 1, &mut self.cites));
                }
                items.push(item);
            }
            if self.short() && breached.len() > SHORT_LIST {
                items.push(vec![Sentence::plain(format!(
                    "{} more projects breach thresholds; they are listed in the PMO report.",
                    breached.len() - SHORT_LIST
                ))]);
            }
            blocks.push(Block::Bullets { items });
        }
        self.section("Threshold breaches", blocks);
    }

    /// Best, likely and worst case per project (short versions: the exceptions only).
    fn scenarios(&mut self, views: &[View<'_>]) {
        let short = self.short();
        let chosen: Vec<&View<'_>> = views
            .iter()
            .filter(|v| v.p.forecast.is_some())
            .filter(|v| {
                !short
                    || v.rag() != Rag::Green
                    || v.proposed != Rag::Green
                    || v.slip().is_some_and(|s| s > 0)
                    || v.movement.is_some()
            })
            .collect();
        let total = views.iter().filter(|v| v.p.forecast.is_some()).count();
        let mut items: Vec<Vec<Sentence>> = Vec::new();
        for v in chosen.iter().take(if short { SHORT_LIST } else { usize::MAX }) {
            items.push(lines::scenarios(v, &mut self.cites, true));
        }
        let shown = items.len();
        if total == 0 {
            let refs: Vec<Source> = views.iter().take(CITED).map(|v| sources::project(v.p)).collect();
            let s = self.cites.say("No project in scope has a forecast run yet", refs);
            self.section("Forecasts and scenarios", vec![Block::Paragraph { sentences: vec![s] }]);
            return;
        }
        if chosen.len() > shown {
            items.push(vec![Sentence::plain(format!(
                "{} more forecasts with exceptions are in the PMO report.",
                chosen.len() - shown
            ))]);
        }
        if total > chosen.len() {
            let rest = total - chosen.len();
            items.push(vec![Sentence::plain(format!(
                "{} with a forecast {} green, not drifting and not moved since last period.",
                words::count(rest, "other project", "other projects"),
                if rest == 1 { "is" } else { "are" }
            ))]);
        }
        self.section("Forecasts and scenarios", vec![Block::Bullets { items }]);
    }

    /// Per sponsor: their projects' RAG, benefits, decisions and escalations.
    fn by_sponsor(&mut self, views: &[View<'_>]) {
        let mut by: BTreeMap<String, Vec<&View<'_>>> = BTreeMap::new();
        for v in views {
            let s = v.p.sponsor.trim();
            by.entry(if s.is_empty() { "No sponsor recorded".to_owned() } else { s.to_owned() }).or_default().push(v);
        }
        for (sponsor, vs) in by {
            let mut items = Vec::new();
            for v in vs {
                let p = v.p;
                let benefits = &v.proposals[5];
                let reported =
                    v.reported().map_or("not reported".to_owned(), |r| format!("reported {}", words::rag(r)));
                let mut item = vec![self.cites.say(
                    format!(
                        "{}: {reported}, data suggests {}; benefits {}",
                        v.name(),
                        words::rag(v.proposed),
                        words::rag(benefits.rag)
                    ),
                    [sources::project(p)],
                )];
                item.extend(v.reasons(5, 1, &mut self.cites));
                for d in v.pending_decisions() {
                    let line = lines::decision_line(v, d, &mut self.cites, false);
                    item.push(Sentence { text: format!("Decision needed: {}", line.text), sources: line.sources });
                }
                for r in v.red_risks() {
                    let line = lines::risk_line(v, r, &mut self.cites, false);
                    item.push(Sentence { text: format!("Escalated red risk: {}", line.text), sources: line.sources });
                }
                for i in p
                    .issues
                    .iter()
                    .filter(|i| i.priority == Priority::Critical && i.state != keel_domain::IssueState::Resolved)
                {
                    item.push(self.cites.say(format!("Escalated critical issue: {}", i.title), [sources::issue(p, i)]));
                }
                items.push(item);
            }
            self.section(&format!("Sponsor: {sponsor}"), vec![Block::Bullets { items }]);
        }
    }

    /// The project manager's version: each project in detail.
    fn per_project(&mut self, views: &[View<'_>]) {
        for v in views {
            let mut blocks = Vec::new();
            let mut lead = Vec::new();
            if let Some(s) = lines::movement(v, &mut self.cites, false) {
                lead.push(s);
            }
            lead.extend(lines::scenarios(v, &mut self.cites, false));
            lead.extend(lines::earned_value(v, &mut self.cites));
            blocks.push(Block::Callout { rag: Some(v.proposed), sentences: lead });
            let mut items: Vec<Sentence> = lines::milestones_this_period(v, &mut self.cites);
            items.extend(lines::milestones_next(v, &mut self.cites, 30));
            items.extend(lines::risk_changes(v, &mut self.cites));
            let (open, resolved) = lines::issues(v, &mut self.cites);
            items.extend(open);
            items.extend(resolved);
            for d in v.pending_decisions() {
                let line = lines::decision_line(v, d, &mut self.cites, false);
                items.push(Sentence { text: format!("Decision needed: {}", line.text), sources: line.sources });
            }
            if !items.is_empty() {
                blocks.push(bullets(items));
            }
            self.section(&v.name(), blocks);
        }
    }

    /// Charts and the project table.
    fn evidence(&mut self, views: &[View<'_>], facts: &PortfolioFacts) {
        let mut blocks = Vec::new();
        let mut counts = [0usize; 4];
        for v in views {
            let i = match v.reported() {
                Some(Rag::Green) => 0,
                Some(Rag::Amber) => 1,
                Some(Rag::Red) => 2,
                None => 3,
            };
            counts[i] += 1;
        }
        blocks.push(Block::Chart(Chart {
            title: "Projects by overall RAG".to_owned(),
            spec: ChartSpec::RagDistribution { counts },
        }));
        if !facts.rag_trend.is_empty() {
            blocks.push(Block::Chart(Chart {
                title: "RAG trend".to_owned(),
                spec: ChartSpec::RagTrend { points: facts.rag_trend.clone() },
            }));
        }
        let bars: Vec<ForecastBar> = views
            .iter()
            .filter_map(|v| {
                v.p.forecast.as_ref().map(|f| ForecastBar {
                    label: v.p.code.clone(),
                    baseline: v.p.baseline_finish,
                    p50: f.p50,
                    p80: f.p80,
                })
            })
            .collect();
        if !bars.is_empty() {
            blocks.push(Block::Chart(Chart {
                title: "Forecast finish (P50, P80) against baseline".to_owned(),
                spec: ChartSpec::ForecastVsBaseline { rows: bars },
            }));
        }
        if let Some(h) = &facts.heat_map {
            blocks.push(Block::Chart(Chart { title: "Open risks".to_owned(), spec: ChartSpec::HeatMap(h.clone()) }));
        }
        let slip = |v: &View<'_>| v.p.forecast.as_ref().and_then(|f| f.p80_slip_working_days).unwrap_or(0);
        let attention_first = |a: &&View<'_>, b: &&View<'_>| {
            b.proposed
                .severity()
                .cmp(&a.proposed.severity())
                .then(b.rag().severity().cmp(&a.rag().severity()))
                .then(slip(b).cmp(&slip(a)))
                .then(a.p.code.cmp(&b.p.code))
        };
        if self.audience == Audience::Executive {
            // A board reads the exceptions: projects not green (reported or by the data) or
            // forecast to finish late, those needing most attention first.
            let mut exceptions: Vec<&View<'_>> =
                views.iter().filter(|v| v.rag() != Rag::Green || v.proposed != Rag::Green || slip(v) > 0).collect();
            exceptions.sort_by(attention_first);
            let shown = exceptions.len().min(EXECUTIVE_TABLE_ROWS);
            let rest = views.len() - shown;
            if rest > 0 {
                let lead = if exceptions.len() > shown {
                    format!(
                        "The table lists the {shown} of {} exceptions needing most attention (worst RAG the data \
                         suggests, then P80 slip)",
                        exceptions.len()
                    )
                } else {
                    "The table lists the projects not green or forecast to finish late".to_owned()
                };
                blocks.push(Block::Paragraph {
                    sentences: vec![Sentence::plain(format!(
                        "{lead}; the PMO report and its Excel workbook list all {}.",
                        words::count(views.len(), "project", "projects")
                    ))],
                });
            }
            let top: Vec<View<'_>> = exceptions.into_iter().take(shown).cloned().collect();
            if !top.is_empty() {
                blocks.push(Block::Table(project_table(&top, self.audience)));
            }
        } else if self.short() && views.len() > BOARD_TABLE_ROWS {
            // A board reads the projects needing most attention, not thousands of rows.
            let mut ranked: Vec<&View<'_>> = views.iter().collect();
            ranked.sort_by(attention_first);
            let top: Vec<View<'_>> = ranked.into_iter().take(BOARD_TABLE_ROWS).cloned().collect();
            blocks.push(Block::Paragraph {
                sentences: vec![Sentence::plain(format!(
                    "The table lists the {BOARD_TABLE_ROWS} projects needing most attention (worst RAG the data \
                     suggests, then P80 slip); the PMO report and its Excel workbook list all {}.",
                    views.len()
                ))],
            });
            blocks.push(Block::Table(project_table(&top, self.audience)));
        } else {
            blocks.push(Block::Table(project_table(views, self.audience)));
        }
        self.section("Evidence", blocks);
    }

    /// PMO: stale or missing status reports, missing baselines and forecasts, optimistic RAGs.
    fn data_quality(&mut self, views: &[View<'_>], as_of: NaiveDate, previous: Option<NaiveDate>) {
        let stale_before = previous.unwrap_or(as_of - chrono::Duration::days(31));
        let mut items = Vec::new();
        for v in views {
            let p = v.p;
            match &p.status {
                None => items.push(self.cites.say(format!("{} has no status report", v.name()), [sources::project(p)])),
                Some(s) if s.period_end < stale_before => items.push(self.cites.say(
                    format!(
                        "{} last reported for the period to {}, {} before the reporting date",
                        v.name(),
                        words::date(s.period_end),
                        words::days((as_of - s.period_end).num_days())
                    ),
                    [sources::status_report(p, s)],
                )),
                Some(_) => {}
            }
            if p.baseline_finish.is_none() {
                items.push(self.cites.say(
                    format!("{} has no baseline finish: forecasts cannot be compared with a plan", v.name()),
                    [sources::project(p)],
                ));
            }
            match &p.forecast {
                None => items.push(self.cites.say(format!("{} has no forecast run", v.name()), [sources::schedule(p)])),
                Some(f) if f.defaulted_tasks > 0 => items.push(self.cites.say(
                    format!(
                        "{}'s forecast applies the default range to {} without estimates",
                        v.name(),
                        words::count(f.defaulted_tasks, "task", "tasks")
                    ),
                    [sources::forecast(p, &f.run_id)],
                )),
                Some(_) => {}
            }
            if let Some(r) = v.reported().filter(|r| r.severity() < v.proposed.severity()) {
                let refs: Vec<Source> = p.status.iter().map(|s| sources::status_report(p, s)).collect();
                items.push(self.cites.say(
                    format!(
                        "{} reported {} but its data suggests {}: review the report",
                        v.name(),
                        words::rag(r),
                        words::rag(v.proposed)
                    ),
                    refs,
                ));
            }
        }
        let block = if items.is_empty() {
            let refs: Vec<Source> = views.iter().take(CITED).map(|v| sources::project(v.p)).collect();
            Block::Paragraph {
                sentences: vec![self.cites.say(
                    "Every project has a current status report, a baseline and a forecast, and no report is better than its data",
                    refs,
                )],
            }
        } else {
            bullets(items)
        };
        self.section("Data quality", vec![block]);
    }
}

/// The project table. The executive reads the measures a board decides on (RAG reported and
/// suggested, P80 finish against baseline, red risks: seven columns that fit a portrait page);
/// the other audiences get every RAG dimension, P50, SPI(t) and CPI as well (eighteen columns).
fn project_table(views: &[View<'_>], audience: Audience) -> Table {
    let date = |d: Option<NaiveDate>| d.map_or(Cell::Empty, Cell::Date);
    let num = |x: Option<f64>| finite(x).map_or(Cell::Empty, |value| Cell::Number { value, decimals: 2 });
    let executive = audience == Audience::Executive;
    let rows = views
        .iter()
        .map(|v| {
            let p = v.p;
            let f = p.forecast.as_ref();
            let slip = f.and_then(|f| f.p80_slip_working_days).map_or(Cell::Empty, Cell::Int);
            let red_risks = Cell::Int(i64::try_from(v.red_risks().len()).unwrap_or(i64::MAX));
            if executive {
                return vec![
                    Cell::Text(p.code.clone()),
                    Cell::Text(p.name.clone()),
                    Cell::Rag(v.reported()),
                    Cell::Rag(Some(v.proposed)),
                    date(f.map(|f| f.p80)),
                    date(p.baseline_finish),
                    slip,
                    red_risks,
                ];
            }
            let dims = |i: usize| Cell::Rag(p.status.as_ref().map(|s| s.dimensions[i]));
            let spi_t = p.evm.as_ref().and_then(|e| finite(e.spi_t).or(finite(e.spi)));
            vec![
                Cell::Text(p.code.clone()),
                Cell::Text(p.name.clone()),
                Cell::Text(p.manager.clone()),
                Cell::Rag(v.reported()),
                Cell::Rag(Some(v.proposed)),
                dims(0),
                dims(1),
                dims(2),
                dims(3),
                dims(4),
                dims(5),
                date(f.map(|f| f.p50)),
                date(f.map(|f| f.p80)),
                date(p.baseline_finish),
                slip,
                num(spi_t),
                num(p.evm.as_ref().and_then(|e| e.cpi)),
                red_risks,
            ]
        })
        .collect();
    let columns: &[&str] = if executive {
        &[
            "Code",
            "Project",
            "Overall",
            "Data suggests",
            "P80 finish",
            "Baseline finish",
            "P80 slip (working days)",
            "Open red risks",
        ]
    } else {
        &[
            "Code",
            "Project",
            "Manager",
            "Overall",
            "Data suggests",
            "Schedule",
            "Cost",
            "Scope",
            "Risk",
            "Resources",
            "Benefits",
            "P50 finish",
            "P80 finish",
            "Baseline finish",
            "P80 slip (working days)",
            "SPI(t)",
            "CPI",
            "Open red risks",
        ]
    };
    Table { title: "Projects".to_owned(), columns: columns.iter().map(|c| (*c).to_owned()).collect(), rows }
}
