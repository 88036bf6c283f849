//! The sentences Keel writes about one project: forecast movement and its causes, scenarios,
//! earned value, milestones, risks, issues and decisions. Shared by the status draft, the status
//! report and the portfolio reports, so every report says the same thing the same way.

use chrono::NaiveDate;
use keel_domain::{DecisionState, IssueState, Rag, RiskState};

use super::document::Sentence;
use super::facts::{DecisionFacts, ForecastFacts, IssueFacts, MilestoneFacts, ProjectFacts, RiskFacts};
use super::rag_rules::{self, DimensionProposal, RagRules, propose_rag};
use super::sources::{self, Cites};
use super::words::{self, finite};

/// One project, with what the rules propose and what changed, worked out once.
#[derive(Clone)]
pub(crate) struct View<'a> {
    /// The facts.
    pub p: &'a ProjectFacts,
    /// Proposals for the six dimensions.
    pub proposals: [DimensionProposal; 6],
    /// Sources the proposals' reasons index into.
    pub proposal_sources: Vec<super::document::Source>,
    /// Overall RAG the proposals suggest.
    pub proposed: Rag,
    /// The reporting date.
    pub as_of: NaiveDate,
    /// Start of the period ("since last period"), when known.
    pub since: Option<NaiveDate>,
    /// Movement of the P80 finish since the previous forecast.
    pub movement: Option<Movement>,
    /// Created this period.
    pub is_new: bool,
}

/// How far the P80 finish moved since the previous forecast.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Movement {
    /// The amount (positive: later).
    pub amount: i64,
    /// Whether `amount` is in working days (both runs compared with the baseline) or calendar days.
    pub working: bool,
}

impl Movement {
    /// "12 working days later", "3 days earlier".
    pub(crate) fn phrase(self) -> String {
        let n = if self.working { words::working_days(self.amount) } else { words::days(self.amount) };
        format!("{n} {}", if self.amount > 0 { "later" } else { "earlier" })
    }
}

impl<'a> View<'a> {
    /// Works out `p` at `as_of`; `since` is the previous period end, if known.
    pub(crate) fn new(p: &'a ProjectFacts, rules: &RagRules, as_of: NaiveDate, since: Option<NaiveDate>) -> Self {
        let (proposals, proposal_sources) = propose_rag(p, rules, as_of);
        let rags = proposals.each_ref().map(|d| d.rag);
        let proposed = crate::suggest_overall(&rags);
        let movement = match (&p.forecast, &p.previous_forecast) {
            (Some(f), Some(prev)) => {
                let m = match (f.p80_slip_working_days, prev.p80_slip_working_days) {
                    (Some(a), Some(b)) => Movement { amount: a.saturating_sub(b), working: true },
                    _ => Movement { amount: (f.p80 - prev.p80).num_days(), working: false },
                };
                (m.amount != 0).then_some(m)
            }
            _ => None,
        };
        let is_new = match since {
            Some(s) => p.created_on > s,
            None => p.status.is_none() && p.previous_status.is_none(),
        };
        Self { p, proposals, proposal_sources, proposed, as_of, since, movement, is_new }
    }

    /// The start of the period for "this period" (the previous period end, else the previous
    /// forecast's run date, else the project's creation).
    pub(crate) fn period_start(&self) -> NaiveDate {
        self.since.or_else(|| self.p.previous_forecast.as_ref().map(|f| f.run_at.date())).unwrap_or(self.p.created_on)
    }

    /// Whether `d` falls in this period.
    pub(crate) fn this_period(&self, d: NaiveDate) -> bool {
        d > self.period_start() && d <= self.as_of
    }

    /// "PRJ-001 Payments".
    pub(crate) fn name(&self) -> String {
        format!("{} {}", self.p.code, self.p.name)
    }

    /// The latest reported overall RAG.
    pub(crate) fn reported(&self) -> Option<Rag> {
        self.p.status.as_ref().map(|s| s.overall)
    }

    /// The RAG to sort and count by: reported, else proposed.
    pub(crate) fn rag(&self) -> Rag {
        self.reported().unwrap_or(self.proposed)
    }

    /// Open red risks, highest score first.
    pub(crate) fn red_risks(&self) -> Vec<&'a RiskFacts> {
        let mut v: Vec<&RiskFacts> = self.p.risks.iter().filter(|r| rag_rules::is_open_red(r)).collect();
        v.sort_by(|a, b| b.score.cmp(&a.score).then_with(|| a.title.cmp(&b.title)));
        v
    }

    /// Open risks, highest score first.
    pub(crate) fn open_risks(&self) -> Vec<&'a RiskFacts> {
        let mut v: Vec<&RiskFacts> = self.p.risks.iter().filter(|r| r.state == RiskState::Open).collect();
        v.sort_by(|a, b| b.score.cmp(&a.score).then_with(|| a.title.cmp(&b.title)));
        v
    }

    /// Pending decisions.
    pub(crate) fn pending_decisions(&self) -> Vec<&'a DecisionFacts> {
        self.p.decisions.iter().filter(|d| d.state == DecisionState::Pending).collect()
    }

    /// Overdue milestones.
    pub(crate) fn overdue(&self) -> Vec<&'a MilestoneFacts> {
        self.p.milestones.iter().filter(|m| rag_rules::is_overdue(m, self.as_of)).collect()
    }

    /// The first `n` reasons of proposal `i`, re-cited into `cites`.
    pub(crate) fn reasons(&self, i: usize, n: usize, cites: &mut Cites) -> Vec<Sentence> {
        self.proposals.get(i).map_or_else(Vec::new, |d| {
            d.reasons.iter().take(n).map(|s| cites.adopt(s, &self.proposal_sources)).collect()
        })
    }

    /// Dimensions the data puts at amber or red, worst first: (dimension index, RAG).
    pub(crate) fn breaches(&self) -> Vec<(usize, Rag)> {
        let mut v: Vec<(usize, Rag)> = self
            .proposals
            .iter()
            .enumerate()
            .filter(|(_, d)| d.from_data && d.rag != Rag::Green)
            .map(|(i, d)| (i, d.rag))
            .collect();
        v.sort_by_key(|(i, r)| (std::cmp::Reverse(r.severity()), *i));
        v
    }

    /// P80 slip against the baseline in working days, when comparable.
    pub(crate) fn slip(&self) -> Option<i64> {
        self.p.forecast.as_ref().and_then(|f| f.p80_slip_working_days)
    }
}

/// "Finish forecast (P80) moved 12 working days later since last period, to 12 March 2027: the
/// critical task Integration testing slipped 9 working days and the risk "Supplier insolvency"
/// was raised (adds 3 working days)."
pub(crate) fn movement(v: &View<'_>, cites: &mut Cites, with_name: bool) -> Option<Sentence> {
    let m = v.movement?;
    let f = v.p.forecast.as_ref()?;
    let p = v.p;
    let mut refs = vec![sources::forecast(p, &f.run_id)];
    let mut causes = Vec::new();
    let mut slips: Vec<_> = p.critical_slips.iter().filter(|s| (s.slip_working_days > 0) == (m.amount > 0)).collect();
    slips.sort_by(|a, b| b.slip_working_days.abs().cmp(&a.slip_working_days.abs()).then_with(|| a.name.cmp(&b.name)));
    for s in slips.iter().take(3) {
        let dir = if s.slip_working_days > 0 { "slipped" } else { "came in" };
        causes.push(format!("critical task {} {dir} {}", s.name, words::working_days(s.slip_working_days)));
        refs.push(sources::task(p, &s.task_id, &s.name));
    }
    if slips.len() > 3 {
        causes.push(format!("{} other critical tasks moved", slips.len() - 3));
    }
    if m.amount > 0 {
        let start = v.period_start();
        let mut raised: Vec<&RiskFacts> = p
            .risks
            .iter()
            .filter(|r| r.raised_on > start && r.raised_on <= v.as_of && r.state == RiskState::Open)
            .filter(|r| r.schedule_impact_days.is_some_and(|d| d > 0))
            .collect();
        raised.sort_by(|a, b| b.schedule_impact_days.cmp(&a.schedule_impact_days).then_with(|| a.title.cmp(&b.title)));
        for r in raised.iter().take(3) {
            let d = i64::from(r.schedule_impact_days.unwrap_or(0));
            causes.push(format!("risk \"{}\" was raised (adds up to {})", r.title, words::working_days(d)));
            refs.push(sources::risk(p, r));
        }
    }
    let who = if with_name { format!("{}: finish", v.name()) } else { "Finish".to_owned() };
    let since = if v.since.is_some() { "since last period" } else { "since the previous forecast" };
    let why = if causes.is_empty() {
        "no slipped critical task or new risk in the data explains it".to_owned()
    } else {
        words::and_list(&causes)
    };
    Some(
        cites.say(format!("{who} forecast (P80) moved {} {since}, to {}: {why}", m.phrase(), words::date(f.p80)), refs),
    )
}

/// Best, likely and worst case, the confidence and the assumptions.
pub(crate) fn scenarios(v: &View<'_>, cites: &mut Cites, with_name: bool) -> Vec<Sentence> {
    let p = v.p;
    let Some(f) = &p.forecast else {
        let who = if with_name { format!("{}: no", v.name()) } else { "No".to_owned() };
        return vec![cites.say(format!("{who} forecast has been run yet"), [sources::project(p)])];
    };
    let src = sources::forecast(p, &f.run_id);
    let who = if with_name { format!("{}: best", v.name()) } else { "Best".to_owned() };
    let mut out = vec![cites.say(
        format!(
            "{who} case {}, likely {}, worst case {} (P10, P50 and P90 of {} simulations)",
            words::date(f.p10),
            words::date(f.p50),
            words::date(f.p90),
            words::thousands(u64::from(f.iterations))
        ),
        [src.clone()],
    )];
    out.push(cites.say(
        format!("80% confident of finishing by {}; assumes {}", words::date(f.p80), assumptions(f)),
        [src.clone()],
    ));
    match (p.baseline_finish, finite(f.probability_on_time)) {
        (Some(b), Some(prob)) => out.push(cites.say(
            format!("The chance of finishing by the baseline finish of {} is {}", words::date(b), words::percent(prob)),
            [src, sources::project(p)],
        )),
        (Some(b), None) => {
            out.push(cites.say(format!("The baseline finish is {}", words::date(b)), [sources::project(p)]))
        }
        (None, _) => {
            out.push(cites.say(
                "There is no baseline finish, so the forecast cannot be compared with a plan",
                [sources::project(p)],
            ))
        }
    }
    out
}

fn assumptions(f: &ForecastFacts) -> String {
    let range = if f.default_range.trim().is_empty() { "default" } else { f.default_range.trim() };
    let tasks = match f.defaulted_tasks {
        0 => "every task's own estimate range".to_owned(),
        n => format!("the {range} range on {} without estimates", words::count(n, "task", "tasks")),
    };
    let risks = match f.risks_included {
        0 => "no risks from the RAID log".to_owned(),
        1 => "the 1 open risk linked to tasks".to_owned(),
        n => format!("the {n} open risks linked to tasks"),
    };
    format!("{tasks} and {risks}")
}

/// Earned value in one or two sentences.
pub(crate) fn earned_value(v: &View<'_>, cites: &mut Cites) -> Vec<Sentence> {
    let p = v.p;
    let Some(e) = &p.evm else { return Vec::new() };
    let src = sources::schedule(p);
    let mut parts = Vec::new();
    if let Some((name, x)) = rag_rules::schedule_index(e) {
        parts.push(format!("{name} {}", words::index(x)));
    }
    if let Some(cpi) = finite(e.cpi) {
        parts.push(format!("CPI {}", words::index(cpi)));
    }
    let mut out = Vec::new();
    let mut first = if parts.is_empty() {
        format!("Earned value at {}", words::date(e.status_date))
    } else {
        format!("{} at {}", words::and_list(&parts), words::date(e.status_date))
    };
    if e.pv.is_finite() && e.ev.is_finite() {
        first.push_str(&format!(
            ": earned {} of {} planned",
            words::money(e.ev, &p.currency),
            words::money(e.pv, &p.currency)
        ));
        if let Some(ac) = finite(e.ac) {
            first.push_str(&format!(" for {} spent", words::money(ac, &p.currency)));
        }
    }
    out.push(cites.say(first, [src.clone()]));
    if let Some(sv) = finite(e.sv_t_days).filter(|d| d.abs() >= 0.5) {
        let d = sv.round() as i64;
        let dir = if d < 0 { "behind" } else { "ahead of" };
        out.push(cites.say(format!("Work is {} {dir} plan", words::working_days(d)), [src.clone()]));
    }
    if let Some(eac) = finite(e.eac) {
        let against = match finite(p.budget).filter(|b| *b > 0.0) {
            Some(b) => format!(" against a budget of {}", words::money(b, &p.currency)),
            None => String::new(),
        };
        out.push(cites.say(
            format!("Estimate at completion {}{against}", words::money(eac, &p.currency)),
            [src, sources::project(p)],
        ));
    }
    out
}

/// Milestones hit and missed this period, and overdue ones.
pub(crate) fn milestones_this_period(v: &View<'_>, cites: &mut Cites) -> Vec<Sentence> {
    let p = v.p;
    let mut out = Vec::new();
    for m in &p.milestones {
        if let Some(a) = m.actual.filter(|a| v.this_period(*a)) {
            let vs = match m.baseline {
                Some(b) if a > b => format!(", {} after its baseline", words::days((a - b).num_days())),
                Some(_) => ", on or before its baseline".to_owned(),
                None => String::new(),
            };
            out.push(
                cites
                    .say(format!("Milestone {} was hit on {}{vs}", m.name, words::date(a)), [sources::milestone(p, m)]),
            );
        }
    }
    for m in v.overdue() {
        let due = rag_rules::milestone_due(m).map(words::date).unwrap_or_default();
        out.push(
            cites.say(
                format!("Milestone {} was due on {due} and is not yet achieved", m.name),
                [sources::milestone(p, m)],
            ),
        );
    }
    out
}

/// Milestones due in the next `days` days after the reporting date.
pub(crate) fn milestones_next(v: &View<'_>, cites: &mut Cites, days: i64) -> Vec<Sentence> {
    let p = v.p;
    let end = v.as_of + chrono::Duration::days(days.max(1));
    let mut due: Vec<(&MilestoneFacts, NaiveDate)> = p
        .milestones
        .iter()
        .filter(|m| m.actual.is_none())
        .filter_map(|m| rag_rules::milestone_due(m).map(|d| (m, d)))
        .filter(|(_, d)| *d >= v.as_of && *d <= end)
        .collect();
    due.sort_by_key(|(_, d)| *d);
    due.into_iter()
        .map(|(m, d)| {
            cites.say(format!("Milestone {} is due on {}", m.name, words::date(d)), [sources::milestone(p, m)])
        })
        .collect()
}

/// One line for a risk: title, score, owner, impact and response.
pub(crate) fn risk_line(v: &View<'_>, r: &RiskFacts, cites: &mut Cites, with_project: bool) -> Sentence {
    let p = v.p;
    let project = if with_project { format!("{}, ", p.code) } else { String::new() };
    let owner = if r.owner.trim().is_empty() { String::new() } else { format!(", owner {}", r.owner.trim()) };
    let mut text = format!("{} ({project}score {}, {}{owner})", r.title, r.score, words::rag(r.band));
    let mut impacts = Vec::new();
    if let Some(d) = r.schedule_impact_days.filter(|d| *d > 0) {
        impacts.push(words::working_days(i64::from(d)));
    }
    if let Some(c) = finite(r.cost_impact).filter(|c| *c > 0.0) {
        impacts.push(words::money(c, &p.currency));
    }
    if !impacts.is_empty() {
        text.push_str(&format!(": adds {} if it occurs", words::and_list(&impacts)));
    }
    let plan = words::clip(&r.response_plan, 160);
    if !plan.is_empty() {
        text.push_str(&format!("; response: {plan}"));
    }
    cites.say(text, [sources::risk(p, r)])
}

/// What changed in the risks this period: raised, rescored, closed.
pub(crate) fn risk_changes(v: &View<'_>, cites: &mut Cites) -> Vec<Sentence> {
    let p = v.p;
    let mut out = Vec::new();
    for r in &p.risks {
        if v.this_period(r.raised_on) && r.state == RiskState::Open {
            out.push(cites.say(
                format!("New risk: {} (score {}, {})", r.title, r.score, words::rag(r.band)),
                [sources::risk(p, r)],
            ));
        } else if r.state == RiskState::Open
            && let Some(prev) = r.previous_score.filter(|s| *s != r.score)
        {
            let dir = if r.score > prev { "rose" } else { "fell" };
            out.push(
                cites.say(format!("Risk {} {dir} from score {prev} to {}", r.title, r.score), [sources::risk(p, r)]),
            );
        } else if r.state != RiskState::Open && v.this_period(r.updated_on) {
            let what = if r.state == RiskState::Occurred { "occurred and is now an issue" } else { "was closed" };
            out.push(cites.say(format!("Risk {} {what}", r.title), [sources::risk(p, r)]));
        }
    }
    out
}

/// Open issues, most urgent first, and the ones resolved this period.
pub(crate) fn issues(v: &View<'_>, cites: &mut Cites) -> (Vec<Sentence>, Vec<Sentence>) {
    let p = v.p;
    let mut open: Vec<&IssueFacts> = p.issues.iter().filter(|i| i.state != IssueState::Resolved).collect();
    open.sort_by(|a, b| b.priority.cmp(&a.priority).then_with(|| a.raised_on.cmp(&b.raised_on)));
    let open = open
        .into_iter()
        .map(|i| {
            let owner = if i.owner.trim().is_empty() { String::new() } else { format!(", owner {}", i.owner.trim()) };
            let due = match i.due {
                Some(d) if d < v.as_of => format!(", overdue since {}", words::date(d)),
                Some(d) => format!(", due {}", words::date(d)),
                None => String::new(),
            };
            cites.say(
                format!(
                    "Issue {} ({} priority, open {}{owner}{due})",
                    i.title,
                    i.priority.as_str(),
                    words::days((v.as_of - i.raised_on).num_days().max(0))
                ),
                [sources::issue(p, i)],
            )
        })
        .collect();
    let resolved = p
        .issues
        .iter()
        .filter(|i| i.state == IssueState::Resolved && v.this_period(i.updated_on))
        .map(|i| cites.say(format!("Issue {} was resolved", i.title), [sources::issue(p, i)]))
        .collect();
    (open, resolved)
}

/// A pending decision with one line of context.
pub(crate) fn decision_line(v: &View<'_>, d: &DecisionFacts, cites: &mut Cites, with_project: bool) -> Sentence {
    let p = v.p;
    let project = if with_project { format!("{}: ", v.name()) } else { String::new() };
    let by = if d.decided_by.trim().is_empty() { String::new() } else { format!(" (for {})", d.decided_by.trim()) };
    let mut text = format!("{project}{}{by}", d.title.trim());
    let context = words::clip(&d.context, 200);
    if !context.is_empty() {
        text.push_str(&format!(": {}", context.trim_end_matches('.')));
    }
    let options: Vec<String> = d.options.iter().map(|o| words::clip(o, 60)).filter(|o| !o.is_empty()).collect();
    if !options.is_empty() {
        text.push_str(&format!("; options: {}", options.join("; ")));
    }
    cites.say(text, [sources::decision(p, d)])
}

/// The previous period end of a project for its status report at `as_of`: the latest report
/// before `as_of` (the current period's own report does not count).
pub(crate) fn previous_period_end(p: &ProjectFacts, as_of: NaiveDate) -> Option<NaiveDate> {
    [&p.status, &p.previous_status].into_iter().flatten().map(|s| s.period_end).filter(|d| *d < as_of).max()
}
