//! The cross-project dependency register: for each dependency between two projects, when the
//! supplier delivers, when the dependent needs it, the margin between the two, and whether the
//! dependency sits on a critical path.
//!
//! Each project is scheduled on its own; a dependency is then treated as P6 treats a link to a
//! project that is not open (an *external* relationship): the supplier's delivering task finishes
//! at its early finish, and the dependent's receiving task can start no later than its late start.
//! The link's float is the time between the two:
//!
//! ```text
//! link float = needed (dependent's late start, or the needed-by date if earlier)
//!            - delivers (supplier's early finish)
//! ```
//!
//! A dependency **sits on a critical path** when its link float is zero or negative (the delivery
//! drives the dependent's critical path, or already makes it late) or when the supplier's
//! delivering task is critical in its own schedule (any slip there moves the supplier's finish).
//! Without schedules the milestones' forecast (or baseline) dates stand in for the tasks' dates,
//! and criticality inside a project is unknown.
//!
//! ```
//! use chrono::NaiveDate;
//! use keel_engine::risk::dependencies::{assess, End, Link};
//!
//! let day = |d| NaiveDate::from_ymd_opt(2027, 3, d).unwrap().and_hms_opt(17, 0, 0).unwrap();
//! let supplier = End { task: Some("API ready".into()), early: Some(day(12)), late: Some(day(12)), critical: Some(true) };
//! let dependent = End { task: Some("Integration".into()), early: Some(day(15)), late: Some(day(19)), critical: Some(false) };
//! let a = assess(&Link { supplier, dependent, needed_by: None });
//! assert_eq!(a.float_days, Some(7.0));
//! assert!(a.on_critical_path, "the supplier's task is on its own critical path");
//! ```

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

/// One end of a dependency: the task (or milestone) that delivers or receives.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct End {
    /// The task's name in its project's latest schedule, when it was found there.
    pub task: Option<String>,
    /// Supplier: when it delivers (early finish, or the milestone's expected date). Dependent: when
    /// it would start on its own (early start).
    pub early: Option<NaiveDateTime>,
    /// Supplier: its late finish. Dependent: the latest it can start without moving its
    /// project's finish (late start, or the milestone's expected date).
    pub late: Option<NaiveDateTime>,
    /// Critical in its own schedule; `None` without a schedule.
    pub critical: Option<bool>,
}

/// A dependency's two ends and its needed-by date.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Link {
    /// The supplier's delivering end.
    pub supplier: End,
    /// The dependent's receiving end.
    pub dependent: End,
    /// The date the dependent says it needs the delivery by, if any.
    pub needed_by: Option<NaiveDate>,
}

/// What the register shows for one dependency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Assessment {
    /// When the supplier delivers.
    pub delivers: Option<NaiveDateTime>,
    /// The latest the dependent can receive it.
    pub needed: Option<NaiveDateTime>,
    /// Link float in calendar days (needed - delivers), rounded to 0.1; negative when late.
    pub float_days: Option<f64>,
    /// The dependency drives or delays the dependent (link float zero or negative).
    pub driving: bool,
    /// The dependency sits on a critical path (see the module docs).
    pub on_critical_path: bool,
    /// Why, in words, one reason per line.
    pub reasons: Vec<String>,
}

/// Assesses one dependency. O(1).
pub fn assess(link: &Link) -> Assessment {
    let delivers = link.supplier.early;
    let need_date = link.needed_by.and_then(|d| d.and_hms_opt(0, 0, 0));
    let needed = match (link.dependent.late, need_date) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    let float_days = match (delivers, needed) {
        (Some(d), Some(n)) => Some(((n - d).num_minutes() as f64 / 1440.0 * 10.0).round() / 10.0),
        _ => None,
    };
    let driving = float_days.is_some_and(|f| f <= 0.0);
    let supplier_critical = link.supplier.critical == Some(true);
    let mut reasons = Vec::new();
    match float_days {
        Some(f) if f < 0.0 => reasons.push(format!("delivered {:.1} days after the dependent needs it", -f)),
        Some(f) if f < 0.05 => reasons.push("delivered exactly when the dependent needs it: no margin".to_owned()),
        Some(f) => reasons.push(format!("{f:.1} days of margin between delivery and need")),
        None if delivers.is_none() => reasons.push("the supplier has no delivery date yet".to_owned()),
        None => reasons.push("the dependent has no need date yet".to_owned()),
    }
    if supplier_critical {
        let task = link.supplier.task.as_deref().unwrap_or("the delivering task");
        reasons.push(format!("{task} is on the supplier's critical path"));
    }
    if link.dependent.critical == Some(true) {
        let task = link.dependent.task.as_deref().unwrap_or("the receiving task");
        reasons.push(format!("{task} is on the dependent's critical path"));
    }
    if link.supplier.critical.is_none() {
        reasons.push("the supplier has no schedule: criticality inside it is unknown".to_owned());
    }
    Assessment { delivers, needed, float_days, driving, on_critical_path: driving || supplier_critical, reasons }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(d: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2027, 3, d).and_then(|x| x.and_hms_opt(17, 0, 0)).unwrap_or_default()
    }

    fn end(early: u32, late: u32, critical: bool) -> End {
        End { task: Some("T".into()), early: Some(at(early)), late: Some(at(late)), critical: Some(critical) }
    }

    #[test]
    fn a_late_delivery_drives_the_dependent() {
        let a = assess(&Link { supplier: end(20, 25, false), dependent: end(10, 18, false), needed_by: None });
        assert_eq!(a.float_days, Some(-2.0));
        assert!(a.driving && a.on_critical_path);
    }

    #[test]
    fn an_earlier_needed_by_date_tightens_the_need() {
        let needed_by = NaiveDate::from_ymd_opt(2027, 3, 14);
        let a = assess(&Link { supplier: end(12, 25, false), dependent: end(10, 20, false), needed_by });
        assert_eq!(a.needed, needed_by.and_then(|d| d.and_hms_opt(0, 0, 0)));
        assert!(a.float_days.is_some_and(|f| (f - 1.3).abs() < 1e-9), "{a:?}");
        assert!(!a.on_critical_path);
    }

    proptest::proptest! {
        /// Delivering later never makes a dependency less critical, and the float is need minus
        /// delivery.
        #[test]
        fn later_delivery_is_never_less_critical(d in 1u32..28, extra in 0u32..3, need in 1u32..28, crit: bool) {
            let later = (d + extra).min(28);
            let dep = end(need, need, false);
            let a = assess(&Link { supplier: end(d, 28, crit), dependent: dep.clone(), needed_by: None });
            let b = assess(&Link { supplier: end(later, 28, crit), dependent: dep, needed_by: None });
            proptest::prop_assert!(!a.on_critical_path || b.on_critical_path);
            proptest::prop_assert_eq!(a.float_days, Some(f64::from(need) - f64::from(d)));
        }
    }

    #[test]
    fn without_dates_nothing_is_claimed() {
        let a = assess(&Link::default());
        assert_eq!(a.float_days, None);
        assert!(!a.on_critical_path);
        assert!(a.reasons.iter().any(|r| r.contains("no delivery date")), "{:?}", a.reasons);
    }
}
