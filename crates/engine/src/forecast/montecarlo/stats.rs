//! Distributions of the iterations: percentiles, histograms, ranks.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use crate::schedule::calendar::from_clock;

/// One histogram bin of dates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistogramBin {
    /// Start of the bin (inclusive).
    pub from: NaiveDateTime,
    /// End of the bin (exclusive).
    pub to: NaiveDateTime,
    /// Iterations finishing in the bin.
    pub count: u32,
    /// Share of iterations finishing before the bin's end (the cumulative curve).
    pub cumulative: f64,
}

/// A distribution of dates over the iterations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DateDistribution {
    /// 10th percentile (nearest rank).
    pub p10: NaiveDateTime,
    /// Median.
    pub p50: NaiveDateTime,
    /// 80th percentile.
    pub p80: NaiveDateTime,
    /// 90th percentile.
    pub p90: NaiveDateTime,
    /// Mean (to the minute).
    pub mean: NaiveDateTime,
    /// Earliest.
    pub min: NaiveDateTime,
    /// Latest.
    pub max: NaiveDateTime,
    /// Equal-width bins from `min` to just past `max`.
    pub histogram: Vec<HistogramBin>,
}

/// A distribution of numbers over the iterations.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ValueStats {
    /// 10th percentile (nearest rank).
    pub p10: f64,
    /// Median.
    pub p50: f64,
    /// 80th percentile.
    pub p80: f64,
    /// 90th percentile.
    pub p90: f64,
    /// Mean.
    pub mean: f64,
    /// Smallest.
    pub min: f64,
    /// Largest.
    pub max: f64,
}

/// Nearest-rank percentile of sorted values (`q` in 0..=1).
pub(super) fn percentile<T: Copy>(sorted: &[T], q: f64) -> T {
    let n = sorted.len();
    let k = ((q * n as f64).ceil() as usize).clamp(1, n);
    sorted[k - 1]
}

/// Summary of `values` (not empty).
pub(super) fn value_stats(values: &[f64]) -> ValueStats {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let mean = v.iter().sum::<f64>() / v.len() as f64;
    ValueStats {
        p10: percentile(&v, 0.1),
        p50: percentile(&v, 0.5),
        p80: percentile(&v, 0.8),
        p90: percentile(&v, 0.9),
        mean,
        min: v[0],
        max: v[v.len() - 1],
    }
}

/// Distribution of clock minutes `clocks` (not empty) with `bins` histogram bins.
pub(super) fn date_distribution(clocks: &[i64], bins: usize) -> DateDistribution {
    let mut v = clocks.to_vec();
    v.sort_unstable();
    let n = v.len();
    let (lo, hi) = (v[0], v[n - 1] + 1);
    let width = ((hi - lo) as f64 / bins as f64).max(1.0);
    let bins = bins.min((hi - lo) as usize).max(1);
    let mut counts = vec![0u32; bins];
    for &c in &v {
        let b = (((c - lo) as f64 / width) as usize).min(bins - 1);
        counts[b] += 1;
    }
    let mut cum = 0u32;
    let histogram = counts
        .iter()
        .enumerate()
        .map(|(i, &count)| {
            cum += count;
            let from = lo + (i as f64 * width).round() as i64;
            let to = if i + 1 == bins { hi } else { lo + ((i + 1) as f64 * width).round() as i64 };
            HistogramBin { from: from_clock(from), to: from_clock(to), count, cumulative: f64::from(cum) / n as f64 }
        })
        .collect();
    let mean = v.iter().map(|&c| c as f64).sum::<f64>() / n as f64;
    DateDistribution {
        p10: from_clock(percentile(&v, 0.1)),
        p50: from_clock(percentile(&v, 0.5)),
        p80: from_clock(percentile(&v, 0.8)),
        p90: from_clock(percentile(&v, 0.9)),
        mean: from_clock(mean.round() as i64),
        min: from_clock(v[0]),
        max: from_clock(v[n - 1]),
        histogram,
    }
}

/// Ranks 1..=n of `v`, ties sharing their average rank.
pub(super) fn average_ranks(v: &[i64]) -> Vec<f64> {
    let mut ix: Vec<usize> = (0..v.len()).collect();
    ix.sort_by_key(|&i| (v[i], i));
    let mut r = vec![0.0; v.len()];
    let mut i = 0;
    while i < ix.len() {
        let mut j = i;
        while j + 1 < ix.len() && v[ix[j + 1]] == v[ix[i]] {
            j += 1;
        }
        let avg = (i + j) as f64 / 2.0 + 1.0;
        for &k in &ix[i..=j] {
            r[k] = avg;
        }
        i = j + 1;
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_average_ties() {
        assert_eq!(average_ranks(&[30, 10, 20, 10]), vec![4.0, 1.5, 3.0, 1.5]);
    }

    #[test]
    fn nearest_rank() {
        let v: Vec<i64> = (1..=10).collect();
        assert_eq!(percentile(&v, 0.1), 1);
        assert_eq!(percentile(&v, 0.5), 5);
        assert_eq!(percentile(&v, 0.8), 8);
        assert_eq!(percentile(&v, 0.9), 9);
        assert_eq!(percentile(&v, 1.0), 10);
    }

    #[test]
    fn histogram_counts_everything() {
        let d = date_distribution(&[0, 10, 20, 20, 1000], 4);
        assert_eq!(d.histogram.iter().map(|b| b.count).sum::<u32>(), 5);
        assert_eq!(d.histogram.last().map(|b| b.cumulative), Some(1.0));
        assert_eq!(d.histogram[0].count, 4);
    }
}
