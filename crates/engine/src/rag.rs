//! RAG roll-up and trend rules.

use keel_domain::Rag;
use serde::Serialize;

/// Rolls the RAGs of several projects up to their programme or portfolio.
///
/// The rule, as PMOs usually write it down:
/// - **Red** when at least a quarter of the items are red;
/// - **Amber** when any item is red, or at least a third are amber;
/// - **Green** otherwise.
///
/// Returns `None` for an empty input (nothing reported). O(n).
///
/// ```
/// use keel_domain::Rag::*;
/// assert_eq!(keel_engine::roll_up(&[Green, Green, Green, Red]), Some(Red));
/// assert_eq!(keel_engine::roll_up(&[Green, Green, Green, Green, Red]), Some(Amber));
/// assert_eq!(keel_engine::roll_up(&[]), None);
/// ```
pub fn roll_up(items: &[Rag]) -> Option<Rag> {
    if items.is_empty() {
        return None;
    }
    let n = items.len();
    let reds = items.iter().filter(|r| **r == Rag::Red).count();
    let ambers = items.iter().filter(|r| **r == Rag::Amber).count();
    Some(if reds * 4 >= n {
        Rag::Red
    } else if reds > 0 || ambers * 3 >= n {
        Rag::Amber
    } else {
        Rag::Green
    })
}

/// The overall RAG that the six dimension RAGs of a status report suggest: red when schedule or
/// cost is red or two dimensions are red; amber when any dimension is red or two are amber; green
/// otherwise. A report whose overall RAG is better than this is flagged for the PMO's review.
///
/// ```
/// use keel_domain::Rag::*;
/// assert_eq!(keel_engine::suggest_overall(&[Green, Red, Green, Green, Green, Green]), Red);
/// assert_eq!(keel_engine::suggest_overall(&[Green, Green, Amber, Amber, Green, Green]), Amber);
/// ```
pub fn suggest_overall(dimensions: &[Rag; 6]) -> Rag {
    let reds = dimensions.iter().filter(|r| **r == Rag::Red).count();
    let ambers = dimensions.iter().filter(|r| **r == Rag::Amber).count();
    let schedule_or_cost_red = dimensions[0] == Rag::Red || dimensions[1] == Rag::Red;
    if schedule_or_cost_red || reds >= 2 {
        Rag::Red
    } else if reds == 1 || ambers >= 2 {
        Rag::Amber
    } else {
        Rag::Green
    }
}

/// Direction of a RAG history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Trend {
    /// Better than before.
    Improving,
    /// Unchanged.
    Stable,
    /// Worse than before.
    Deteriorating,
    /// Fewer than two reports.
    New,
}

impl Trend {
    /// Arrow for tables.
    pub const fn arrow(self) -> &'static str {
        match self {
            Trend::Improving => "↑",
            Trend::Stable => "→",
            Trend::Deteriorating => "↓",
            Trend::New => "·",
        }
    }
    /// Name for people.
    pub const fn label(self) -> &'static str {
        match self {
            Trend::Improving => "Improving",
            Trend::Stable => "Stable",
            Trend::Deteriorating => "Deteriorating",
            Trend::New => "New",
        }
    }
}

/// The trend of a RAG history given oldest first: the latest report against the one before it.
/// O(1).
///
/// ```
/// use keel_domain::Rag::*;
/// use keel_engine::{trend, Trend};
/// assert_eq!(trend(&[Green, Green, Amber]), Trend::Deteriorating);
/// assert_eq!(trend(&[Red, Amber, Amber, Green]), Trend::Improving);
/// assert_eq!(trend(&[Amber, Amber]), Trend::Stable);
/// ```
pub fn trend(history: &[Rag]) -> Trend {
    match history {
        [] | [_] => Trend::New,
        [.., prev, latest] => match latest.severity().cmp(&prev.severity()) {
            std::cmp::Ordering::Greater => Trend::Deteriorating,
            std::cmp::Ordering::Less => Trend::Improving,
            std::cmp::Ordering::Equal => Trend::Stable,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn rag() -> impl Strategy<Value = Rag> {
        prop_oneof![Just(Rag::Green), Just(Rag::Amber), Just(Rag::Red)]
    }

    proptest! {
        #[test]
        fn roll_up_is_monotone(items in proptest::collection::vec(rag(), 1..40), idx in any::<prop::sample::Index>()) {
            // Making any one item worse never makes the roll-up better.
            let before = roll_up(&items).expect("non-empty");
            let mut worse = items.clone();
            let i = idx.index(worse.len());
            worse[i] = Rag::Red;
            let after = roll_up(&worse).expect("non-empty");
            prop_assert!(after.severity() >= before.severity());
        }

        #[test]
        fn roll_up_of_uniform_input_is_that_input(r in rag(), n in 1usize..30) {
            prop_assert_eq!(roll_up(&vec![r; n]), Some(r));
        }

        #[test]
        fn roll_up_ignores_order(mut items in proptest::collection::vec(rag(), 1..30)) {
            let a = roll_up(&items);
            items.reverse();
            prop_assert_eq!(a, roll_up(&items));
        }

        #[test]
        fn suggestion_is_never_better_than_the_best_dimension_and_never_worse_than_the_worst(d in proptest::array::uniform6(rag())) {
            let s = suggest_overall(&d).severity();
            let worst = d.iter().map(|r| r.severity()).max().unwrap_or(0);
            let best = d.iter().map(|r| r.severity()).min().unwrap_or(0);
            prop_assert!(s <= worst && s >= best);
        }

        #[test]
        fn a_steady_history_is_stable(r in rag(), n in 2usize..10) {
            prop_assert_eq!(trend(&vec![r; n]), Trend::Stable);
        }

        #[test]
        fn turning_red_from_green_is_deterioration(mut h in proptest::collection::vec(rag(), 1..10)) {
            h.push(Rag::Green);
            h.push(Rag::Red);
            prop_assert_eq!(trend(&h), Trend::Deteriorating);
        }
    }
}
