//! The planned-value curve: piecewise linear in time with jumps where fixed costs fall due.

use serde::{Deserialize, Serialize};

/// Planned value of one activity at time `t`.
///
/// `[s, e]` is its baseline span, `cost` its budget and `fixed` the part of it that falls due when it
/// starts. Before or at its start nothing is planned; during it the fixed part plus the rest
/// pro rata; from its finish on the whole budget. A zero-length activity is planned whole from `t = s`.
pub(crate) fn activity_pv(s: f64, e: f64, cost: f64, fixed: f64, t: f64) -> f64 {
    if e <= s {
        return if t >= s { cost } else { 0.0 };
    }
    if t <= s {
        0.0
    } else if t >= e {
        cost
    } else {
        fixed + (cost - fixed) * (t - s) / (e - s)
    }
}

/// One breakpoint of the cumulative planned-value curve.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CurveKnot {
    /// Time, in days of the time basis after the project start.
    pub t: f64,
    /// Limit of the planned value just before `t`.
    pub before: f64,
    /// Planned value at `t`.
    pub at: f64,
    /// Limit of the planned value just after `t` (fixed costs of activities starting at `t`).
    pub after: f64,
}

/// The cumulative planned value (the baseline S-curve): linear between knots, from each knot's
/// `after` to the next knot's `before`; flat before the first and after the last knot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PvCurve {
    /// Breakpoints in increasing time.
    pub knots: Vec<CurveKnot>,
}

impl PvCurve {
    /// Builds the curve from activity spans `(start, finish, cost, fixed)`.
    ///
    /// O(n log n) for n activities.
    pub(crate) fn build(spans: &[(f64, f64, f64, f64)]) -> PvCurve {
        // (time, slope change, cost due at t, cost due just after t)
        let mut events: Vec<(f64, f64, f64, f64)> = Vec::with_capacity(spans.len() * 2);
        for &(s, e, cost, fixed) in spans {
            if e <= s {
                events.push((s, 0.0, cost, 0.0));
            } else {
                let slope = (cost - fixed) / (e - s);
                events.push((s, slope, 0.0, fixed));
                events.push((e, -slope, 0.0, 0.0));
            }
        }
        events.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut knots: Vec<CurveKnot> = Vec::new();
        let mut slope = 0.0;
        // Value just after the previous knot and that knot's time.
        let (mut value, mut last_t) = (0.0_f64, f64::NEG_INFINITY);
        let mut i = 0;
        while i < events.len() {
            let t = events[i].0;
            let before = if knots.is_empty() { 0.0 } else { value + slope * (t - last_t) };
            let (mut due, mut after_due, mut dslope) = (0.0, 0.0, 0.0);
            while i < events.len() && events[i].0 == t {
                dslope += events[i].1;
                due += events[i].2;
                after_due += events[i].3;
                i += 1;
            }
            let at = before + due;
            let after = at + after_due;
            knots.push(CurveKnot { t, before, at, after });
            slope += dslope;
            if slope.abs() < 1e-12 * (1.0 + after.abs()) {
                slope = 0.0;
            }
            value = after;
            last_t = t;
        }
        PvCurve { knots }
    }

    /// Planned value at `t`. O(log n).
    pub fn value(&self, t: f64) -> f64 {
        let k = self.knots.partition_point(|kn| kn.t <= t);
        if k == 0 {
            return 0.0;
        }
        let a = self.knots[k - 1];
        if a.t == t {
            return a.at;
        }
        match self.knots.get(k) {
            None => a.after,
            Some(b) => a.after + (b.before - a.after) * (t - a.t) / (b.t - a.t),
        }
    }

    /// The earliest time at which the planned value reaches `y` (the last knot's time if never).
    fn first_reaching(&self, y: f64) -> f64 {
        if y <= 0.0 {
            // The curve is 0 before its first knot.
            return f64::NEG_INFINITY;
        }
        let k = self.knots.partition_point(|kn| kn.after < y);
        let Some(b) = self.knots.get(k) else {
            return self.knots.last().map_or(0.0, |kn| kn.t);
        };
        if k > 0 && b.before >= y {
            let a = self.knots[k - 1];
            let span = b.before - a.after;
            if span > 0.0 {
                return a.t + (y - a.after) / span * (b.t - a.t);
            }
            return a.t;
        }
        b.t
    }

    /// The latest time at which the planned value is still at most `y` (+inf when it stays so).
    fn last_within(&self, y: f64) -> f64 {
        let c = self.knots.partition_point(|kn| kn.before <= y);
        if c == 0 {
            return f64::NEG_INFINITY;
        }
        let a = self.knots[c - 1];
        if a.at > y || a.after > y {
            return a.t;
        }
        match self.knots.get(c) {
            None => f64::INFINITY,
            Some(b) => {
                let span = b.before - a.after;
                if span > 0.0 { a.t + (y - a.after) / span * (b.t - a.t) } else { a.t }
            }
        }
    }

    /// Earned schedule: the time at which the planned value equals `ev`, within `[0, pd]`.
    ///
    /// Where the curve is flat at `ev` (no work planned for a while) every time on the flat stretch
    /// qualifies; the one closest to the actual time `at` is taken, as ProTrack does. Otherwise it is
    /// the linear inverse of the curve. O(log n).
    pub fn earned_schedule(&self, ev: f64, at: f64, pd: f64) -> f64 {
        let top = self.knots.last().map_or(0.0, |k| k.after);
        let tol = 1e-9 * top.abs().max(1.0);
        // Where the curve is within a rounding error of EV: a point, or a flat stretch.
        let lo = self.first_reaching(ev - tol);
        let hi = self.last_within(ev + tol).max(lo);
        // `at` anywhere on the stretch, ends included, is the answer: EV is then within a rounding
        // error of PV(at), and the inverse of a rounding error would land at the stretch's far end.
        let es = if at < lo {
            self.first_reaching(ev).clamp(lo, hi)
        } else if at > hi {
            self.last_within(ev).clamp(lo, hi)
        } else {
            at
        };
        es.clamp(0.0, pd.max(0.0))
    }

    /// Points to draw the curve: `(t, value)` pairs, two at a time where it jumps.
    pub fn points(&self) -> Vec<(f64, f64)> {
        let mut out = Vec::with_capacity(self.knots.len() * 2);
        for k in &self.knots {
            out.push((k.t, k.before));
            if k.after != k.before {
                out.push((k.t, k.after));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn curve_matches_sum_of_activities() {
        let spans = [(0.0, 4.0, 100.0, 20.0), (2.0, 2.0, 50.0, 0.0), (3.0, 10.0, 70.0, 0.0), (12.0, 14.0, 10.0, 10.0)];
        let c = PvCurve::build(&spans);
        for i in 0..=60 {
            let t = f64::from(i) * 0.25;
            let direct: f64 = spans.iter().map(|&(s, e, c, f)| activity_pv(s, e, c, f, t)).sum();
            assert!((c.value(t) - direct).abs() < 1e-9, "t={t}: {} vs {direct}", c.value(t));
        }
    }

    #[test]
    fn earned_schedule_on_a_flat_stretch_is_nearest_to_actual_time() {
        // 100 planned over [0,2], nothing over [2,5], 100 more over [5,7].
        let c = PvCurve::build(&[(0.0, 2.0, 100.0, 0.0), (5.0, 7.0, 100.0, 0.0)]);
        assert_eq!(c.earned_schedule(100.0, 4.0, 7.0), 4.0);
        assert_eq!(c.earned_schedule(100.0, 6.0, 7.0), 5.0);
        assert_eq!(c.earned_schedule(100.0, 1.0, 7.0), 2.0);
        assert!((c.earned_schedule(50.0, 6.0, 7.0) - 1.0).abs() < 1e-9);
        assert_eq!(c.earned_schedule(200.0, 9.0, 7.0), 7.0);
    }
}
