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
    /// Milestones whose expected date has passed without an actual date: the most overdue one,
    /// and how many others are overdue too (one exception, however many milestones).
    OverdueMilestone {
        /// The most overdue milestone's name.
        name: String,
        /// Days it is overdue.
        days: i64,
        /// Other overdue milestones.
        #[serde(default)]
        others: usize,
    },
    /// A milestone still ahead whose forecast has slipped past its baseline by at least
    /// [`SLIP_TOLERANCE_DAYS`]: the one that slipped most. Overdue milestones are not counted
    /// again here.
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
            Exception::OverdueMilestone { name, days, others: 0 } => {
                format!("Milestone \"{name}\" overdue by {days} days")
            }
            Exception::OverdueMilestone { name, days, others } => format!(
                "Milestone \"{name}\" overdue by {days} days, and {others} more overdue milestone{}",
                if *others == 1 { "" } else { "s" }
            ),
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
            Exception::OverdueMilestone { days, others, .. } => {
                30 + (*days as u32 / 7).min(20) + 5 * (*others as u32).min(4)
            }
            Exception::MilestoneSlip { days, .. } => 10 + (*days as u32).min(20),
            Exception::HighRisks { count } => 8 * (*count as u32).min(5),
            Exception::OptimisticRag => 15,
        }
    }
}

/// Days a milestone still ahead may slip past its baseline before it is an exception: two
/// working weeks, the tolerance most PMOs give a milestone before asking for a recovery plan.
pub const SLIP_TOLERANCE_DAYS: i64 = 14;

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
    // The next milestone is the earliest not yet achieved, overdue ones included.
    let mut next_milestone: Option<(String, NaiveDate)> = None;
    let mut overdue: Vec<(i64, &str)> = Vec::new();
    let mut worst_slip: Option<(i64, &str)> = None;
    for m in &input.milestones {
        if m.actual.is_some() {
            continue;
        }
        let Some(expected) = m.forecast.or(m.baseline) else { continue };
        if next_milestone.as_ref().is_none_or(|(_, d)| expected < *d) {
            next_milestone = Some((m.name.clone(), expected));
        }
        if expected < input.today {
            overdue.push(((input.today - expected).num_days(), &m.name));
        } else if let (Some(f), Some(b)) = (m.forecast, m.baseline) {
            let slip = (f - b).num_days();
            if slip >= SLIP_TOLERANCE_DAYS && worst_slip.is_none_or(|(w, _)| slip > w) {
                worst_slip = Some((slip, &m.name));
            }
        }
    }
    if expects_reports {
        // Most overdue first; ties by name, so the exception does not depend on input order.
        overdue.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(b.1)));
        if let Some((days, name)) = overdue.first() {
            exceptions.push(Exception::OverdueMilestone {
                name: (*name).to_owned(),
                days: *days,
                others: overdue.len() - 1,
            });
        }
        if let Some((days, name)) = worst_slip {
            exceptions.push(Exception::MilestoneSlip { name: name.to_owned(), days });
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
        assert!(h.exceptions.contains(&Exception::OverdueMilestone { name: "Go-live".into(), days: 5, others: 0 }));
        // An overdue milestone is not also reported as slipped: one exception per fact.
        assert!(!h.exceptions.iter().any(|e| matches!(e, Exception::MilestoneSlip { .. })));
        // The overdue milestone is still the next one to achieve.
        assert_eq!(h.next_milestone, Some(("Go-live".into(), day(95))));
    }

    #[test]
    fn overdue_milestones_make_one_exception_led_by_the_most_overdue() {
        let mut i = input(vec![(day(95), Rag::Green)]);
        for (name, due) in [("Design", 60), ("Build", 90), ("Go-live", 130)] {
            i.milestones.push(MilestoneInput {
                name: name.into(),
                baseline: Some(day(due)),
                forecast: Some(day(due)),
                actual: None,
            });
        }
        let h = assess(&i);
        assert_eq!(h.exceptions, vec![Exception::OverdueMilestone { name: "Design".into(), days: 40, others: 1 }]);
        assert_eq!(h.next_milestone, Some(("Design".into(), day(60))));
    }

    #[test]
    fn a_small_slip_of_a_future_milestone_is_tolerated_a_large_one_is_not() {
        let mut i = input(vec![(day(95), Rag::Green)]);
        let m = |slip| MilestoneInput {
            name: "Go-live".into(),
            baseline: Some(day(150)),
            forecast: Some(day(150 + slip)),
            actual: None,
        };
        i.milestones = vec![m(SLIP_TOLERANCE_DAYS - 1)];
        assert!(assess(&i).exceptions.is_empty());
        i.milestones = vec![m(SLIP_TOLERANCE_DAYS)];
        assert_eq!(
            assess(&i).exceptions,
            vec![Exception::MilestoneSlip { name: "Go-live".into(), days: SLIP_TOLERANCE_DAYS }]
        );
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
        fn each_milestone_is_in_at_most_one_exception_and_there_is_at_most_one_of_each_kind(
            dues in proptest::collection::vec((0i64..200, -10i64..60), 0..12),
        ) {
            let mut i = input(vec![(day(95), Rag::Amber)]);
            for (k, (due, slip)) in dues.iter().enumerate() {
                i.milestones.push(MilestoneInput { name: format!("M{k}"), baseline: Some(day(*due)), forecast: Some(day(due + slip)), actual: None });
            }
            let h = assess(&i);
            let overdue: Vec<&String> = h.exceptions.iter().filter_map(|e| match e { Exception::OverdueMilestone { name, .. } => Some(name), _ => None }).collect();
            let slipped: Vec<&String> = h.exceptions.iter().filter_map(|e| match e { Exception::MilestoneSlip { name, .. } => Some(name), _ => None }).collect();
            prop_assert!(overdue.len() <= 1 && slipped.len() <= 1);
            prop_assert!(overdue.iter().all(|n| !slipped.contains(n)));
            // The next milestone is never later than an overdue one.
            if let (Some(Exception::OverdueMilestone { days, .. }), Some((_, next))) = (h.exceptions.iter().find(|e| matches!(e, Exception::OverdueMilestone { .. })), &h.next_milestone) {
                prop_assert!(*next <= day(100) - chrono::Duration::days(*days));
            }
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
