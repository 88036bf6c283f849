//! Project health: the exceptions a PMO looks at first, and the order of the dashboard.

use chrono::NaiveDate;
use keel_domain::{Rag, WorkState};
use serde::Serialize;

use crate::rag::{Trend, trend};

/// A milestone as the health rules see it.
#[derive(Debug, Clone)]
pub struct MilestoneInput {
    /// Name.
    pub name: String,
    /// Baseline date.
    pub baseline: Option<NaiveDate>,
    /// Forecast date.
    pub forecast: Option<NaiveDate>,
    /// Actual date.
    pub actual: Option<NaiveDate>,
}

/// What the health rules need about one project.
#[derive(Debug, Clone)]
pub struct HealthInput {
    /// Project state (only active projects are expected to report).
    pub state: WorkState,
    /// Overall RAG of each report, oldest first, with its period end.
    pub history: Vec<(NaiveDate, Rag)>,
    /// Milestones.
    pub milestones: Vec<MilestoneInput>,
    /// Open risks scoring 15 or more.
    pub open_high_risks: usize,
    /// Overall RAG of the latest report is better than its dimensions suggest.
    pub optimistic_overall: bool,
    /// Today (an input: engines never read the clock).
    pub today: NaiveDate,
    /// A status report older than this many days is stale.
    pub stale_after_days: i64,
}

/// Something on a project that needs attention, with its evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Exception {
    /// Latest report is red.
    Red,
    /// The RAG got worse since the previous report.
    Worsened {
        /// Previous RAG.
        from: Rag,
        /// Latest RAG.
        to: Rag,
    },
    /// An active project has never reported.
    NoStatus,
    /// The latest report is older than the staleness threshold.
    StaleStatus {
        /// Days since the period end of the latest report.
        days: i64,
    },
    /// A milestone's expected date has passed without an actual date.
    OverdueMilestone {
        /// Milestone name.
        name: String,
        /// Days overdue.
        days: i64,
    },
    /// A milestone's forecast has slipped past its baseline.
    MilestoneSlip {
        /// Milestone name.
        name: String,
        /// Days of slip.
        days: i64,
    },
    /// Open risks scoring 15 or more.
    HighRisks {
        /// How many.
        count: usize,
    },
    /// The overall RAG is better than the dimension RAGs suggest.
    OptimisticRag,
}

impl Exception {
    /// A short sentence for the dashboard.
    pub fn describe(&self) -> String {
        match self {
            Exception::Red => "Reported red".to_owned(),
            Exception::Worsened { from, to } => format!("Worsened from {from} to {to}"),
            Exception::NoStatus => "No status report yet".to_owned(),
            Exception::StaleStatus { days } => format!("Status is {days} days old"),
            Exception::OverdueMilestone { name, days } => format!("Milestone \"{name}\" overdue by {days} days"),
            Exception::MilestoneSlip { name, days } => format!("Milestone \"{name}\" {days} days behind baseline"),
            Exception::HighRisks { count } => {
                format!("{count} open high risk{}", if *count == 1 { "" } else { "s" })
            }
            Exception::OptimisticRag => "Overall RAG is better than its dimensions suggest".to_owned(),
        }
    }

    fn weight(&self) -> u32 {
        match self {
            Exception::Red => 100,
            Exception::Worsened { to: Rag::Red, .. } => 60,
            Exception::Worsened { .. } => 40,
            Exception::NoStatus => 50,
            Exception::StaleStatus { .. } => 35,
            Exception::OverdueMilestone { .. } => 30,
            Exception::MilestoneSlip { days, .. } => 10 + (*days as u32).min(20),
            Exception::HighRisks { count } => 8 * (*count as u32).min(5),
            Exception::OptimisticRag => 15,
        }
    }
}

/// The health of one project.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProjectHealth {
    /// Latest overall RAG, if any report exists.
    pub rag: Option<Rag>,
    /// Direction of the RAG history.
    pub trend: Trend,
    /// What needs attention, most serious first.
    pub exceptions: Vec<Exception>,
    /// Sort key for "exceptions first": higher is more urgent.
    pub attention: u32,
    /// The next milestone not yet achieved, with its expected date.
    pub next_milestone: Option<(String, NaiveDate)>,
}

/// Assesses a project's health. O(h + m) for h reports and m milestones.
///
/// ```
/// use chrono::NaiveDate;
/// use keel_domain::{Rag, WorkState};
/// use keel_engine::{assess, Exception, HealthInput};
/// let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
/// let h = assess(&HealthInput {
///     state: WorkState::Active,
///     history: vec![(d("2026-01-02"), Rag::Green), (d("2026-01-09"), Rag::Red)],
///     milestones: vec![],
///     open_high_risks: 0,
///     optimistic_overall: false,
///     today: d("2026-01-12"),
///     stale_after_days: 14,
/// });
/// assert_eq!(h.exceptions[0], Exception::Red);
/// ```
pub fn assess(input: &HealthInput) -> ProjectHealth {
    let rags: Vec<Rag> = input.history.iter().map(|(_, r)| *r).collect();
    let rag = rags.last().copied();
    let mut exceptions = Vec::new();
    let expects_reports = input.state == WorkState::Active;
    if rag == Some(Rag::Red) {
        exceptions.push(Exception::Red);
    }
    if let [.., prev, latest] = rags.as_slice()
        && latest.severity() > prev.severity()
    {
        exceptions.push(Exception::Worsened { from: *prev, to: *latest });
    }
    match input.history.last() {
        None if expects_reports => exceptions.push(Exception::NoStatus),
        Some((period_end, _)) if expects_reports => {
            let days = (input.today - *period_end).num_days();
            if days > input.stale_after_days {
                exceptions.push(Exception::StaleStatus { days });
            }
        }
        _ => {}
    }
    let mut next_milestone: Option<(String, NaiveDate)> = None;
    for m in &input.milestones {
        if m.actual.is_some() {
            continue;
        }
        let Some(expected) = m.forecast.or(m.baseline) else { continue };
        if expected < input.today && expects_reports {
            exceptions
                .push(Exception::OverdueMilestone { name: m.name.clone(), days: (input.today - expected).num_days() });
        } else if next_milestone.as_ref().is_none_or(|(_, d)| expected < *d) {
            next_milestone = Some((m.name.clone(), expected));
        }
        if let (Some(f), Some(b)) = (m.forecast, m.baseline) {
            let slip = (f - b).num_days();
            if slip > 0 && expects_reports {
                exceptions.push(Exception::MilestoneSlip { name: m.name.clone(), days: slip });
            }
        }
    }
    if input.open_high_risks > 0 {
        exceptions.push(Exception::HighRisks { count: input.open_high_risks });
    }
    if input.optimistic_overall {
        exceptions.push(Exception::OptimisticRag);
    }
    exceptions.sort_by_key(|e| std::cmp::Reverse(e.weight()));
    let attention = exceptions.iter().map(Exception::weight).sum::<u32>() + rag.map_or(0, |r| r.severity() as u32 * 20);
    ProjectHealth { rag, trend: trend(&rags), exceptions, attention, next_milestone }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn day(n: i64) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 1, 1).expect("valid") + chrono::Duration::days(n)
    }

    fn input(history: Vec<(NaiveDate, Rag)>) -> HealthInput {
        HealthInput {
            state: WorkState::Active,
            history,
            milestones: vec![],
            open_high_risks: 0,
            optimistic_overall: false,
            today: day(100),
            stale_after_days: 14,
        }
    }

    #[test]
    fn active_project_without_reports_is_an_exception_but_a_proposed_one_is_not() {
        assert_eq!(assess(&input(vec![])).exceptions, vec![Exception::NoStatus]);
        let mut proposed = input(vec![]);
        proposed.state = WorkState::Proposed;
        assert!(assess(&proposed).exceptions.is_empty());
    }

    #[test]
    fn stale_and_overdue_are_reported_with_their_evidence() {
        let mut i = input(vec![(day(80), Rag::Green)]);
        i.milestones.push(MilestoneInput {
            name: "Go-live".into(),
            baseline: Some(day(90)),
            forecast: Some(day(95)),
            actual: None,
        });
        let h = assess(&i);
        assert!(h.exceptions.contains(&Exception::StaleStatus { days: 20 }));
        assert!(h.exceptions.contains(&Exception::OverdueMilestone { name: "Go-live".into(), days: 5 }));
        assert!(h.exceptions.contains(&Exception::MilestoneSlip { name: "Go-live".into(), days: 5 }));
        assert_eq!(h.next_milestone, None);
    }

    proptest! {
        #[test]
        fn a_red_project_needs_more_attention_than_the_same_project_green(days in proptest::collection::vec(0i64..99, 1..10)) {
            let mut sorted = days.clone();
            sorted.sort();
            sorted.dedup();
            let green: Vec<_> = sorted.iter().map(|d| (day(*d), Rag::Green)).collect();
            let mut red = green.clone();
            if let Some(last) = red.last_mut() { last.1 = Rag::Red; }
            prop_assert!(assess(&input(red)).attention > assess(&input(green)).attention);
        }

        #[test]
        fn exceptions_are_sorted_most_serious_first(n_risks in 0usize..10, slip in 0i64..40, rag_idx in 0usize..3) {
            let rag = [Rag::Green, Rag::Amber, Rag::Red][rag_idx];
            let mut i = input(vec![(day(70), Rag::Green), (day(77), rag)]);
            i.open_high_risks = n_risks;
            i.milestones.push(MilestoneInput { name: "M".into(), baseline: Some(day(120)), forecast: Some(day(120 + slip)), actual: None });
            let h = assess(&i);
            let weights: Vec<u32> = h.exceptions.iter().map(Exception::weight).collect();
            prop_assert!(weights.windows(2).all(|w| w[0] >= w[1]));
        }
    }
}
