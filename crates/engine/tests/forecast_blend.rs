//! Blending earned schedule with the network forecast by progress, and the progress bands.

#![allow(clippy::unwrap_used)] // Tests: a panic is the failure report.

use keel_engine::forecast::blend::{BlendRule, ProgressBand, blend_finish, network_weight, progress_band};
use proptest::prelude::*;

#[test]
fn worked_values() {
    assert_eq!(blend_finish(100.0, 120.0, 0.0, BlendRule::Linear), 100.0);
    assert_eq!(blend_finish(100.0, 120.0, 1.0, BlendRule::Linear), 120.0);
    assert!((blend_finish(100.0, 120.0, 0.5, BlendRule::Linear) - 110.0).abs() < 1e-12);
    assert!((blend_finish(100.0, 120.0, 0.5, BlendRule::Quadratic) - 105.0).abs() < 1e-12);
    // Out-of-range progress is clamped; NaN progress is no progress.
    assert_eq!(blend_finish(100.0, 120.0, 1.7, BlendRule::Linear), 120.0);
    assert_eq!(blend_finish(100.0, 120.0, -0.2, BlendRule::Quadratic), 100.0);
    assert_eq!(blend_finish(100.0, 120.0, f64::NAN, BlendRule::Linear), 100.0);
    // A missing forecast leaves the other.
    assert_eq!(blend_finish(f64::NAN, 120.0, 0.5, BlendRule::Linear), 120.0);
    assert_eq!(blend_finish(100.0, f64::INFINITY, 0.5, BlendRule::Linear), 100.0);
    assert!(blend_finish(f64::NAN, f64::NAN, 0.5, BlendRule::Linear).is_nan());
}

#[test]
fn bands_split_progress_in_thirds() {
    assert_eq!(progress_band(0.0), ProgressBand::Early);
    assert_eq!(progress_band(0.33), ProgressBand::Early);
    assert_eq!(progress_band(1.0 / 3.0), ProgressBand::Middle);
    assert_eq!(progress_band(0.66), ProgressBand::Middle);
    assert_eq!(progress_band(2.0 / 3.0), ProgressBand::Late);
    assert_eq!(progress_band(1.0), ProgressBand::Late);
    assert_eq!(progress_band(-1.0), ProgressBand::Early);
    assert_eq!(progress_band(3.0), ProgressBand::Late);
    assert_eq!(progress_band(f64::NAN), ProgressBand::Early);
    for (k, b) in ProgressBand::ALL.iter().enumerate() {
        assert_eq!(b.index(), k);
        assert!(!b.label().is_empty());
    }
}

fn rule() -> impl Strategy<Value = BlendRule> {
    prop::sample::select(BlendRule::ALL.to_vec())
}

proptest! {
    #[test]
    fn weight_is_a_share_and_rises(p in -0.5f64..1.5, q in -0.5f64..1.5, r in rule()) {
        let (lo, hi) = if p <= q { (p, q) } else { (q, p) };
        let (wl, wh) = (network_weight(lo, r), network_weight(hi, r));
        prop_assert!((0.0..=1.0).contains(&wl) && (0.0..=1.0).contains(&wh));
        prop_assert!(wl <= wh);
        prop_assert_eq!(network_weight(0.0, r), 0.0);
        prop_assert_eq!(network_weight(1.0, r), 1.0);
    }

    #[test]
    fn blend_lies_between_the_two(es in -1e6f64..1e6, net in -1e6f64..1e6, p in -0.5f64..1.5, r in rule()) {
        let b = blend_finish(es, net, p, r);
        prop_assert!(b >= es.min(net) && b <= es.max(net), "{} not between {} and {}", b, es, net);
        prop_assert_eq!(blend_finish(es, es, p, r), es);
    }

    #[test]
    fn blend_moves_toward_the_network_with_progress(
        es in 0.0f64..5000.0, net in 0.0f64..5000.0, p in 0.0f64..1.0, q in 0.0f64..1.0, r in rule()
    ) {
        let (lo, hi) = if p <= q { (p, q) } else { (q, p) };
        let (a, b) = (blend_finish(es, net, lo, r), blend_finish(es, net, hi, r));
        // The later blend is never farther from the network forecast than the earlier one.
        prop_assert!((b - net).abs() <= (a - net).abs() + 1e-9 * (1.0 + net.abs()));
    }

    #[test]
    fn quadratic_keeps_earned_schedule_longer(p in 0.0f64..1.0) {
        prop_assert!(network_weight(p, BlendRule::Quadratic) <= network_weight(p, BlendRule::Linear));
    }

    #[test]
    fn bands_are_monotone(p in -1.0f64..2.0, q in -1.0f64..2.0) {
        let (lo, hi) = if p <= q { (p, q) } else { (q, p) };
        prop_assert!(progress_band(lo) <= progress_band(hi));
    }
}
