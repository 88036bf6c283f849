//! RAG rules: the thresholds that propose each dimension's RAG from the data, per governance tier.
//!
//! CONTRACT: the defaults below are the documented values; `propose_rag` returns one proposal
//! per dimension, each with the sentences (and sources) that justify it.

use chrono::NaiveDate;
use keel_domain::{GovernanceTier, IssueState, Priority, Rag, RiskState};
use serde::{Deserialize, Serialize};

use super::document::{Sentence, Source};
use super::facts::{EvmFacts, IssueFacts, MilestoneFacts, ProjectFacts, RiskFacts};
use super::sources::{self, Cites};
use super::words::{self, finite};

/// A status dimension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    /// Dates.
    Schedule,
    /// Money.
    Cost,
    /// What is delivered.
    Scope,
    /// Risks and issues.
    Risk,
    /// People and suppliers.
    Resources,
    /// Value.
    Benefits,
}

impl Dimension {
    /// In the order of [`keel_domain::StatusReportFields::dimensions`].
    pub const ALL: [Dimension; 6] = [
        Dimension::Schedule,
        Dimension::Cost,
        Dimension::Scope,
        Dimension::Risk,
        Dimension::Resources,
        Dimension::Benefits,
    ];
    /// Machine name, as the status report's field.
    pub const fn as_str(self) -> &'static str {
        match self {
            Dimension::Schedule => "schedule",
            Dimension::Cost => "cost",
            Dimension::Scope => "scope",
            Dimension::Risk => "risk",
            Dimension::Resources => "resources",
            Dimension::Benefits => "benefits",
        }
    }
    /// Label for people.
    pub const fn label(self) -> &'static str {
        match self {
            Dimension::Schedule => "Schedule",
            Dimension::Cost => "Cost",
            Dimension::Scope => "Scope",
            Dimension::Risk => "Risk",
            Dimension::Resources => "Resources",
            Dimension::Benefits => "Benefits",
        }
    }
}

/// Thresholds of one governance tier. A value at or beyond the red threshold proposes red, at or
/// beyond amber proposes amber.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TierThresholds {
    /// Working days of P80 finish past the baseline finish that make schedule amber.
    pub schedule_slip_amber_days: i64,
    /// ... red.
    pub schedule_slip_red_days: i64,
    /// SPI(t) (or SPI when SPI(t) is unknown) below which schedule is amber.
    pub spi_amber: f64,
    /// ... red.
    pub spi_red: f64,
    /// Overdue milestones (forecast or baseline passed, no actual) that make schedule amber.
    pub overdue_milestones_amber: usize,
    /// ... red.
    pub overdue_milestones_red: usize,
    /// CPI below which cost is amber.
    pub cpi_amber: f64,
    /// ... red.
    pub cpi_red: f64,
    /// Forecast cost (P80, else EAC) over budget, as a fraction (0.05 = 5%), that makes cost amber.
    pub cost_overrun_amber: f64,
    /// ... red.
    pub cost_overrun_red: f64,
    /// Open risks in the red band that make risk amber.
    pub red_risks_amber: usize,
    /// ... red.
    pub red_risks_red: usize,
    /// Open critical or high issues older than `issue_age_days` that make risk amber.
    pub aged_issues_amber: usize,
    /// ... red.
    pub aged_issues_red: usize,
    /// Age in days from which an open issue counts as aged.
    pub issue_age_days: i64,
}

impl Default for TierThresholds {
    fn default() -> Self {
        RagRules::default().standard
    }
}

/// Thresholds for each governance tier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RagRules {
    /// Light-touch projects (more tolerance).
    pub light: TierThresholds,
    /// Standard projects.
    pub standard: TierThresholds,
    /// Strict projects (less tolerance).
    pub strict: TierThresholds,
}

impl Default for RagRules {
    fn default() -> Self {
        let standard = TierThresholds {
            schedule_slip_amber_days: 5,
            schedule_slip_red_days: 15,
            spi_amber: 0.95,
            spi_red: 0.85,
            overdue_milestones_amber: 1,
            overdue_milestones_red: 2,
            cpi_amber: 0.95,
            cpi_red: 0.85,
            cost_overrun_amber: 0.05,
            cost_overrun_red: 0.10,
            red_risks_amber: 1,
            red_risks_red: 3,
            aged_issues_amber: 1,
            aged_issues_red: 3,
            issue_age_days: 30,
        };
        let light = TierThresholds {
            schedule_slip_amber_days: 10,
            schedule_slip_red_days: 25,
            spi_amber: 0.90,
            spi_red: 0.80,
            overdue_milestones_amber: 1,
            overdue_milestones_red: 3,
            cpi_amber: 0.90,
            cpi_red: 0.80,
            cost_overrun_amber: 0.10,
            cost_overrun_red: 0.20,
            red_risks_amber: 2,
            red_risks_red: 4,
            aged_issues_amber: 2,
            aged_issues_red: 5,
            issue_age_days: 45,
        };
        let strict = TierThresholds {
            schedule_slip_amber_days: 3,
            schedule_slip_red_days: 10,
            spi_amber: 0.97,
            spi_red: 0.90,
            overdue_milestones_amber: 1,
            overdue_milestones_red: 1,
            cpi_amber: 0.97,
            cpi_red: 0.90,
            cost_overrun_amber: 0.03,
            cost_overrun_red: 0.07,
            red_risks_amber: 1,
            red_risks_red: 2,
            aged_issues_amber: 1,
            aged_issues_red: 2,
            issue_age_days: 20,
        };
        Self { light, standard, strict }
    }
}

impl RagRules {
    /// The thresholds of `tier`.
    pub fn for_tier(&self, tier: GovernanceTier) -> &TierThresholds {
        match tier {
            GovernanceTier::Light => &self.light,
            GovernanceTier::Standard => &self.standard,
            GovernanceTier::Strict => &self.strict,
        }
    }

    /// Checks that every threshold is a usable number and that every amber threshold is no
    /// stricter than its red one.
    ///
    /// # Errors
    /// Every problem found, joined with `; `, each naming the tier and field, e.g.
    /// `standard.spi_red: must be at most spi_amber (0.95), got 0.97`.
    ///
    /// ```
    /// use keel_engine::report::RagRules;
    /// assert!(RagRules::default().validate().is_ok());
    /// let mut rules = RagRules::default();
    /// rules.strict.cpi_red = 0.99;
    /// let err = rules.validate().unwrap_err();
    /// assert!(err.starts_with("strict.cpi_red: must be at most cpi_amber"));
    /// ```
    pub fn validate(&self) -> Result<(), String> {
        let mut errors = Vec::new();
        for (name, t) in [("light", &self.light), ("standard", &self.standard), ("strict", &self.strict)] {
            t.check(name, &mut errors);
        }
        if errors.is_empty() { Ok(()) } else { Err(errors.join("; ")) }
    }
}

impl TierThresholds {
    fn check(&self, tier: &str, errors: &mut Vec<String>) {
        let mut err = |field: &str, msg: String| errors.push(format!("{tier}.{field}: {msg}"));
        if self.schedule_slip_red_days < self.schedule_slip_amber_days {
            err(
                "schedule_slip_red_days",
                format!(
                    "must be at least schedule_slip_amber_days ({}), got {}",
                    self.schedule_slip_amber_days, self.schedule_slip_red_days
                ),
            );
        }
        for (amber_name, amber, red_name, red) in [
            ("spi_amber", self.spi_amber, "spi_red", self.spi_red),
            ("cpi_amber", self.cpi_amber, "cpi_red", self.cpi_red),
        ] {
            let mut ok = true;
            for (field, v) in [(amber_name, amber), (red_name, red)] {
                if !v.is_finite() || v <= 0.0 {
                    err(field, format!("must be a number above 0, got {v}"));
                    ok = false;
                }
            }
            if ok && red > amber {
                err(red_name, format!("must be at most {amber_name} ({amber}), got {red}"));
            }
        }
        let mut ok = true;
        for (field, v) in [("cost_overrun_amber", self.cost_overrun_amber), ("cost_overrun_red", self.cost_overrun_red)]
        {
            if !v.is_finite() || v < 0.0 {
                err(field, format!("must be a fraction of at least 0 (0.05 is 5%), got {v}"));
                ok = false;
            }
        }
        if ok && self.cost_overrun_red < self.cost_overrun_amber {
            err(
                "cost_overrun_red",
                format!(
                    "must be at least cost_overrun_amber ({}), got {}",
                    self.cost_overrun_amber, self.cost_overrun_red
                ),
            );
        }
        for (amber_name, amber, red_name, red) in [
            (
                "overdue_milestones_amber",
                self.overdue_milestones_amber,
                "overdue_milestones_red",
                self.overdue_milestones_red,
            ),
            ("red_risks_amber", self.red_risks_amber, "red_risks_red", self.red_risks_red),
            ("aged_issues_amber", self.aged_issues_amber, "aged_issues_red", self.aged_issues_red),
        ] {
            if amber == 0 {
                err(amber_name, "must be at least 1 (0 would make every project amber)".to_owned());
            }
            if red < amber {
                err(red_name, format!("must be at least {amber_name} ({amber}), got {red}"));
            }
        }
        if self.issue_age_days < 0 {
            err("issue_age_days", format!("must be at least 0, got {}", self.issue_age_days));
        }
    }
}

/// The RAG a rule proposes for one dimension, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DimensionProposal {
    /// The dimension.
    pub dimension: Dimension,
    /// Proposed RAG. Dimensions without data keep the last reported RAG (or green) and say so.
    pub rag: Rag,
    /// Whether the data decided it (false: carried over for want of data).
    pub from_data: bool,
    /// Why, with sources (the [`Sentence::sources`] index into the `sources` returned alongside).
    pub reasons: Vec<Sentence>,
}

/// Proposes the six dimension RAGs of `project` at `as_of` by its tier's thresholds.
///
/// - **Schedule**: P80 finish against the baseline finish (working days), SPI(t) (else SPI) and
///   overdue milestones (forecast, else baseline, date passed with no actual); the worst decides.
/// - **Cost**: CPI and the forecast cost (P80, else EAC) against the approved budget.
/// - **Risk**: open red risks and open high or critical issues older than the tier's age.
/// - **Scope, resources, benefits**: Keel holds no data for them, so they carry the last
///   reported RAG (or green), as does any dimension above without data; `from_data` is false
///   and the first reason says so.
///
/// Returns the proposals in [`Dimension::ALL`] order and the sources their reasons cite.
/// Complexity: O(milestones + risks + issues).
///
/// ```
/// # use keel_engine::report::{propose_rag, RagRules, ProjectFacts};
/// # fn demo(project: &ProjectFacts) {
/// let (proposals, sources) = propose_rag(project, &RagRules::default(), project.created_on);
/// assert!(proposals.iter().flat_map(|p| &p.reasons).flat_map(|r| &r.sources).all(|&i| i < sources.len()));
/// # }
/// ```
pub fn propose_rag(
    project: &ProjectFacts,
    rules: &RagRules,
    as_of: NaiveDate,
) -> ([DimensionProposal; 6], Vec<Source>) {
    let t = rules.for_tier(project.tier);
    let mut cites = Cites::default();
    let schedule = propose_schedule(project, t, as_of, &mut cites);
    let cost = propose_cost(project, t, &mut cites);
    let scope = carried(project, Dimension::Scope, Vec::new(), &mut cites);
    let risk = propose_risk(project, t, as_of, &mut cites);
    let resources = carried(project, Dimension::Resources, Vec::new(), &mut cites);
    let benefits = carried(project, Dimension::Benefits, Vec::new(), &mut cites);
    ([schedule, cost, scope, risk, resources, benefits], cites.into_sources())
}

/// RAG of a value where more is worse: red at or beyond `red`, amber at or beyond `amber`.
fn rag_at_least<T: PartialOrd>(value: T, amber: T, red: T) -> Rag {
    if value >= red {
        Rag::Red
    } else if value >= amber {
        Rag::Amber
    } else {
        Rag::Green
    }
}

/// RAG of an index where less is worse: red below `red`, amber below `amber`.
fn rag_below(value: f64, amber: f64, red: f64) -> Rag {
    if value < red {
        Rag::Red
    } else if value < amber {
        Rag::Amber
    } else {
        Rag::Green
    }
}

fn worst(rags: impl IntoIterator<Item = Rag>) -> Option<Rag> {
    rags.into_iter().max_by_key(|r| r.severity())
}

/// When a milestone is due: its forecast, else its baseline.
pub(crate) fn milestone_due(m: &MilestoneFacts) -> Option<NaiveDate> {
    m.forecast.or(m.baseline)
}

/// Monday-to-Friday days after `from` up to and including `to` (0 when `to` is not later).
pub(crate) fn weekdays_between(from: NaiveDate, to: NaiveDate) -> i64 {
    use chrono::Datelike;
    let days = (to - from).num_days();
    if days <= 0 {
        return 0;
    }
    let (weeks, rest) = (days / 7, days % 7);
    let start = i64::from(from.weekday().num_days_from_monday());
    let extra = (1..=rest).filter(|k| (start + k) % 7 < 5).count() as i64;
    weeks * 5 + extra
}

/// A milestone whose due date has passed without an actual.
pub(crate) fn is_overdue(m: &MilestoneFacts, as_of: NaiveDate) -> bool {
    m.actual.is_none() && milestone_due(m).is_some_and(|d| d < as_of)
}

/// An open risk in the red band.
pub(crate) fn is_open_red(r: &RiskFacts) -> bool {
    r.state == RiskState::Open && r.band == Rag::Red
}

/// An open high or critical issue at least `age_days` old.
pub(crate) fn is_aged_issue(i: &IssueFacts, as_of: NaiveDate, age_days: i64) -> bool {
    i.state != IssueState::Resolved
        && matches!(i.priority, Priority::High | Priority::Critical)
        && (as_of - i.raised_on).num_days() >= age_days
}

/// SPI(t), else SPI, and its name.
pub(crate) fn schedule_index(e: &EvmFacts) -> Option<(&'static str, f64)> {
    finite(e.spi_t).map(|v| ("SPI(t)", v)).or_else(|| finite(e.spi).map(|v| ("SPI", v)))
}

/// Forecast cost at completion (P80, else EAC) and what it is called.
pub(crate) fn forecast_cost(p: &ProjectFacts) -> Option<(&'static str, f64, Source)> {
    if let Some(f) = &p.forecast
        && let Some(c) = finite(f.cost_p80)
    {
        return Some(("P80 cost at completion", c, sources::forecast(p, &f.run_id)));
    }
    let e = p.evm.as_ref()?;
    finite(e.eac).map(|c| ("Estimate at completion", c, sources::schedule(p)))
}

fn propose_schedule(p: &ProjectFacts, t: &TierThresholds, as_of: NaiveDate, cites: &mut Cites) -> DimensionProposal {
    let mut rags = Vec::new();
    let mut reasons = Vec::new();
    let mut notes = Vec::new();
    if let Some(f) = &p.forecast {
        match f.p80_slip_working_days {
            Some(slip) => {
                rags.push(rag_at_least(slip, t.schedule_slip_amber_days, t.schedule_slip_red_days));
                let against = match slip.cmp(&0) {
                    std::cmp::Ordering::Greater => format!("{} after", words::working_days(slip)),
                    std::cmp::Ordering::Less => format!("{} before", words::working_days(slip)),
                    std::cmp::Ordering::Equal => "on".to_owned(),
                };
                reasons.push(cites.say(
                    format!(
                        "P80 finish {} is {against} the baseline finish (thresholds: amber from {}, red from {} working days late)",
                        words::date(f.p80),
                        t.schedule_slip_amber_days,
                        t.schedule_slip_red_days
                    ),
                    [sources::forecast(p, &f.run_id)],
                ));
            }
            None => notes.push(
                cites.say("No baseline finish: the forecast cannot be compared with a plan", [sources::project(p)]),
            ),
        }
    }
    if let Some((name, v)) = p.evm.as_ref().and_then(schedule_index) {
        rags.push(rag_below(v, t.spi_amber, t.spi_red));
        reasons.push(cites.say(
            format!(
                "{name} is {} (thresholds: amber below {}, red below {})",
                words::index(v),
                words::index(t.spi_amber),
                words::index(t.spi_red)
            ),
            [sources::schedule(p)],
        ));
    }
    let dated = p.milestones.iter().filter(|m| milestone_due(m).is_some() || m.actual.is_some()).count();
    if dated > 0 {
        let mut overdue: Vec<&MilestoneFacts> = p.milestones.iter().filter(|m| is_overdue(m, as_of)).collect();
        overdue.sort_by_key(|m| milestone_due(m));
        rags.push(rag_at_least(overdue.len(), t.overdue_milestones_amber, t.overdue_milestones_red));
        // How late the most overdue milestone is counts as much as how many are late: a go-live
        // 72 days overdue is red, whatever the count thresholds say.
        let late = overdue.first().and_then(|m| milestone_due(m)).map(|due| weekdays_between(due, as_of));
        if let Some(late) = late {
            rags.push(rag_at_least(late, t.schedule_slip_amber_days, t.schedule_slip_red_days));
        }
        if overdue.is_empty() {
            reasons.push(cites.say(
                format!("No milestones overdue (of {})", words::count(dated, "dated milestone", "dated milestones")),
                [sources::project(p)],
            ));
        } else {
            let names: Vec<String> = overdue
                .iter()
                .take(3)
                .map(|m| match milestone_due(m) {
                    Some(d) => format!("{} due {}", m.name, words::date(d)),
                    None => m.name.clone(),
                })
                .collect();
            let more = if overdue.len() > 3 { format!(" and {} more", overdue.len() - 3) } else { String::new() };
            reasons.push(cites.say(
                format!(
                    "{} overdue: {}{more}; the most overdue is {} late; thresholds: amber from {}, red from {} overdue, or \
                     from {} and {} working days late",
                    words::count(overdue.len(), "milestone", "milestones"),
                    words::and_list(&names),
                    words::working_days(late.unwrap_or(0)),
                    t.overdue_milestones_amber,
                    t.overdue_milestones_red,
                    t.schedule_slip_amber_days,
                    t.schedule_slip_red_days
                ),
                overdue.iter().map(|m| sources::milestone(p, m)),
            ));
        }
    }
    reasons.extend(notes);
    decided(p, Dimension::Schedule, worst(rags), reasons, cites)
}

fn propose_cost(p: &ProjectFacts, t: &TierThresholds, cites: &mut Cites) -> DimensionProposal {
    let mut rags = Vec::new();
    let mut reasons = Vec::new();
    let mut notes = Vec::new();
    if let Some(cpi) = p.evm.as_ref().and_then(|e| finite(e.cpi)) {
        rags.push(rag_below(cpi, t.cpi_amber, t.cpi_red));
        reasons.push(cites.say(
            format!(
                "CPI is {} (thresholds: amber below {}, red below {})",
                words::index(cpi),
                words::index(t.cpi_amber),
                words::index(t.cpi_red)
            ),
            [sources::schedule(p)],
        ));
    }
    if let Some((name, cost, source)) = forecast_cost(p) {
        match finite(p.budget).filter(|b| *b > 0.0) {
            Some(budget) => {
                let overrun = cost / budget - 1.0;
                rags.push(rag_at_least(overrun, t.cost_overrun_amber, t.cost_overrun_red));
                let against =
                    if overrun > 0.0 { format!("{} over", words::percent(overrun)) } else { "within".to_owned() };
                reasons.push(cites.say(
                    format!(
                        "{name} {} is {against} the budget of {} (thresholds: amber from {} over, red from {})",
                        words::money(cost, &p.currency),
                        words::money(budget, &p.currency),
                        words::percent(t.cost_overrun_amber),
                        words::percent(t.cost_overrun_red)
                    ),
                    [source, sources::project(p)],
                ));
            }
            None => notes.push(cites.say(
                format!(
                    "No approved budget: the {} of {} cannot be compared with one",
                    name.to_lowercase(),
                    words::money(cost, &p.currency)
                ),
                [sources::project(p)],
            )),
        }
    }
    reasons.extend(notes);
    decided(p, Dimension::Cost, worst(rags), reasons, cites)
}

fn propose_risk(p: &ProjectFacts, t: &TierThresholds, as_of: NaiveDate, cites: &mut Cites) -> DimensionProposal {
    if p.risks.is_empty() && p.issues.is_empty() {
        return carried(p, Dimension::Risk, Vec::new(), cites);
    }
    let mut reds: Vec<&RiskFacts> = p.risks.iter().filter(|r| is_open_red(r)).collect();
    reds.sort_by(|a, b| b.score.cmp(&a.score).then_with(|| a.title.cmp(&b.title)));
    let aged: Vec<&IssueFacts> = p.issues.iter().filter(|i| is_aged_issue(i, as_of, t.issue_age_days)).collect();
    let rag = worst([
        rag_at_least(reds.len(), t.red_risks_amber, t.red_risks_red),
        rag_at_least(aged.len(), t.aged_issues_amber, t.aged_issues_red),
    ]);
    let mut reasons = Vec::new();
    if reds.is_empty() {
        reasons.push(cites.say("No open red risks", [sources::project(p)]));
    } else {
        let names: Vec<String> = reds.iter().take(3).map(|r| format!("{} (score {})", r.title, r.score)).collect();
        let more = if reds.len() > 3 { format!(" and {} more", reds.len() - 3) } else { String::new() };
        reasons.push(cites.say(
            format!(
                "{} open: {}{more}; thresholds: amber from {}, red from {}",
                words::count(reds.len(), "red risk", "red risks"),
                words::and_list(&names),
                t.red_risks_amber,
                t.red_risks_red
            ),
            reds.iter().map(|r| sources::risk(p, r)),
        ));
    }
    if aged.is_empty() {
        reasons.push(cites.say(
            format!("No high or critical issues open for {} days or more", t.issue_age_days),
            [sources::project(p)],
        ));
    } else {
        let names: Vec<String> =
            aged.iter().take(3).map(|i| format!("{} ({} days)", i.title, (as_of - i.raised_on).num_days())).collect();
        let more = if aged.len() > 3 { format!(" and {} more", aged.len() - 3) } else { String::new() };
        reasons.push(cites.say(
            format!(
                "{} open for {} days or more: {}{more}; thresholds: amber from {}, red from {}",
                words::count(aged.len(), "high or critical issue", "high or critical issues"),
                t.issue_age_days,
                words::and_list(&names),
                t.aged_issues_amber,
                t.aged_issues_red
            ),
            aged.iter().map(|i| sources::issue(p, i)),
        ));
    }
    decided(p, Dimension::Risk, rag, reasons, cites)
}

fn decided(
    p: &ProjectFacts,
    dim: Dimension,
    rag: Option<Rag>,
    reasons: Vec<Sentence>,
    cites: &mut Cites,
) -> DimensionProposal {
    match rag {
        Some(rag) => DimensionProposal { dimension: dim, rag, from_data: true, reasons },
        None => carried(p, dim, reasons, cites),
    }
}

/// The index of `dim` in [`Dimension::ALL`] (and in a status report's dimensions).
pub(crate) fn dimension_index(dim: Dimension) -> usize {
    Dimension::ALL.iter().position(|d| *d == dim).unwrap_or(0)
}

/// A proposal without data: the last reported RAG, or green, and a first reason saying so.
fn carried(p: &ProjectFacts, dim: Dimension, notes: Vec<Sentence>, cites: &mut Cites) -> DimensionProposal {
    let what = dim.label().to_lowercase();
    let first = match &p.status {
        Some(s) => {
            let rag = s.dimensions[dimension_index(dim)];
            let text = format!("No {what} data: carried from the last report ({})", words::rag(rag));
            (rag, cites.say(text, [sources::status_report(p, s)]))
        }
        None => {
            let text = format!("No {what} data and no earlier report: green until reported");
            (Rag::Green, cites.say(text, [sources::project(p)]))
        }
    };
    let mut reasons = vec![first.1];
    reasons.extend(notes);
    DimensionProposal { dimension: dim, rag: first.0, from_data: false, reasons }
}

#[cfg(test)]
mod tests {
    use super::weekdays_between;
    use chrono::NaiveDate;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("a date")
    }

    #[test]
    fn weekdays_skip_weekends() {
        // Friday 2026-12-04 to Monday 2026-12-07: only the Monday counts.
        assert_eq!(weekdays_between(d("2026-12-04"), d("2026-12-07")), 1);
        assert_eq!(weekdays_between(d("2026-12-07"), d("2026-12-14")), 5);
        assert_eq!(weekdays_between(d("2026-12-07"), d("2026-12-07")), 0);
        assert_eq!(weekdays_between(d("2026-12-08"), d("2026-12-07")), 0);
    }

    proptest! {
        #[test]
        fn weekdays_match_counting_day_by_day(start in 0i64..3000, len in 0i64..400) {
            use chrono::Datelike;
            let from = d("2020-01-01") + chrono::Duration::days(start);
            let to = from + chrono::Duration::days(len);
            let slow = from.iter_days().skip(1).take_while(|x| *x <= to).filter(|x| x.weekday().num_days_from_monday() < 5).count() as i64;
            prop_assert_eq!(weekdays_between(from, to), slow);
        }
    }
}
