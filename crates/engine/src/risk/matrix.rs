//! Probability-impact matrices: what each level means and which band each cell falls in.

use keel_domain::Rag;
use serde::{Deserialize, Serialize};

use super::RiskError;

/// A range of an impact level: `from` up to `to` (`None`: no upper bound, top level only).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImpactRange<T> {
    /// Lower bound (inclusive).
    pub from: T,
    /// Upper bound (exclusive); `None` only on the top level.
    #[serde(default)]
    pub to: Option<T>,
}

/// How a cell's band is found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum BandRule {
    /// By score (probability level × impact level): red at or above `red`, amber at or above
    /// `amber`, green below.
    Thresholds {
        /// Lowest amber score.
        amber: u32,
        /// Lowest red score.
        red: u32,
    },
    /// An explicit table: `cells[p - 1][i - 1]` is the band of probability level `p` and impact
    /// level `i` (first row: the lowest probability). A cell may not be less severe than the cell
    /// of lower probability or lower impact next to it.
    Cells(Vec<Vec<Rag>>),
}

/// A probability-impact matrix, as the app reads it from configuration.
///
/// ```toml
/// size = 5
/// probability_percent = [5, 20, 40, 60, 85]
/// cost_ranges = [{ from = 0, to = 1000000 }, ...]         # minor units per impact level
/// schedule_ranges = [{ from = 0, to = 5 }, ...]            # days per impact level
/// bands = { thresholds = { amber = 8, red = 15 } }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RiskMatrix {
    /// Levels on each axis, 3 to 5.
    pub size: u8,
    /// The probability each level stands for, in percent, lowest level first; strictly
    /// increasing, each in (0, 100].
    pub probability_percent: Vec<f64>,
    /// The cost impact (minor units of money) each impact level stands for, lowest first.
    pub cost_ranges: Vec<ImpactRange<i64>>,
    /// The schedule impact (days) each impact level stands for, lowest first.
    pub schedule_ranges: Vec<ImpactRange<f64>>,
    /// The band of each cell.
    pub bands: BandRule,
    /// When a risk has no cost (or schedule) impact figure, use the midpoint of its impact level's
    /// range (the lower bound for an open-ended top level) and mark the figure as estimated.
    /// Off by default: a risk without a figure then has no expected value.
    #[serde(default)]
    pub estimate_missing_impacts: bool,
}

impl Default for RiskMatrix {
    /// The common 5×5 matrix: 5/20/40/60/85 %; cost up to 10k, 50k, 250k, 1m and above (major
    /// units, stored as minor units); schedule up to 5, 20, 60, 120 days and above; red at a score
    /// of 15, amber at 8 (the same bands as [`keel_domain::RiskFields::band`]).
    fn default() -> Self {
        let money = |from: i64, to: Option<i64>| ImpactRange { from: from * 100, to: to.map(|t| t * 100) };
        let days = |from: f64, to: Option<f64>| ImpactRange { from, to };
        RiskMatrix {
            size: 5,
            probability_percent: vec![5.0, 20.0, 40.0, 60.0, 85.0],
            cost_ranges: vec![
                money(0, Some(10_000)),
                money(10_000, Some(50_000)),
                money(50_000, Some(250_000)),
                money(250_000, Some(1_000_000)),
                money(1_000_000, None),
            ],
            schedule_ranges: vec![
                days(0.0, Some(5.0)),
                days(5.0, Some(20.0)),
                days(20.0, Some(60.0)),
                days(60.0, Some(120.0)),
                days(120.0, None),
            ],
            bands: BandRule::Thresholds { amber: 8, red: 15 },
            estimate_missing_impacts: false,
        }
    }
}

fn invalid(field: impl Into<String>, message: impl Into<String>) -> RiskError {
    RiskError::InvalidMatrix { field: field.into(), message: message.into() }
}

impl RiskMatrix {
    /// Checks every rule, naming the first field that breaks one.
    ///
    /// # Errors
    /// [`RiskError::InvalidMatrix`] with the field (`probability_percent[2]`, `bands.cells[1][3]`)
    /// and what was expected.
    ///
    /// Complexity: O(size²).
    ///
    /// ```
    /// use keel_engine::risk::RiskMatrix;
    /// let mut m = RiskMatrix::default();
    /// assert!(m.validate().is_ok());
    /// m.probability_percent[2] = 10.0;
    /// assert!(m.validate().unwrap_err().to_string().contains("probability_percent[2]"));
    /// ```
    pub fn validate(&self) -> Result<(), RiskError> {
        let n = self.size as usize;
        if !(3..=5).contains(&self.size) {
            return Err(invalid("size", format!("{} is not allowed: expected 3, 4 or 5", self.size)));
        }
        if self.probability_percent.len() != n {
            return Err(invalid(
                "probability_percent",
                format!("{} values for a {n}×{n} matrix: expected {n}", self.probability_percent.len()),
            ));
        }
        for (i, &p) in self.probability_percent.iter().enumerate() {
            if !(p > 0.0 && p <= 100.0) {
                return Err(invalid(format!("probability_percent[{i}]"), format!("{p} is not in (0, 100]")));
            }
            if i > 0 && p <= self.probability_percent[i - 1] {
                return Err(invalid(
                    format!("probability_percent[{i}]"),
                    format!(
                        "{p} is not above the level below ({}): expected strictly increasing",
                        self.probability_percent[i - 1]
                    ),
                ));
            }
        }
        check_ranges("cost_ranges", &self.cost_ranges, n, |v| v as f64)?;
        check_ranges("schedule_ranges", &self.schedule_ranges, n, |v| v)?;
        match &self.bands {
            BandRule::Thresholds { amber, red } => {
                let max = (n * n) as u32;
                if *amber == 0 || amber > red || *red > max {
                    return Err(invalid(
                        "bands.thresholds",
                        format!("amber {amber}, red {red}: expected 1 <= amber <= red <= {max}"),
                    ));
                }
            }
            BandRule::Cells(rows) => {
                if rows.len() != n {
                    return Err(invalid("bands.cells", format!("{} rows: expected {n}", rows.len())));
                }
                for (p, row) in rows.iter().enumerate() {
                    if row.len() != n {
                        return Err(invalid(format!("bands.cells[{p}]"), format!("{} cells: expected {n}", row.len())));
                    }
                    for (i, cell) in row.iter().enumerate() {
                        let left = (i > 0).then(|| row[i - 1]);
                        let below = (p > 0).then(|| rows[p - 1][i]);
                        for (what, other) in [("lower impact", left), ("lower probability", below)] {
                            if other.is_some_and(|o| o.severity() > cell.severity()) {
                                return Err(invalid(
                                    format!("bands.cells[{p}][{i}]"),
                                    format!("{cell} is less severe than the cell of {what} next to it"),
                                ));
                            }
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// The band of the cell at probability level `p` and impact level `i` (both 1-based, within
    /// `size`; a validated matrix is assumed, out-of-range levels are clamped).
    pub fn band(&self, p: u8, i: u8) -> Rag {
        let n = self.size.max(1);
        let (p, i) = (p.clamp(1, n), i.clamp(1, n));
        match &self.bands {
            BandRule::Thresholds { amber, red } => {
                let score = u32::from(p) * u32::from(i);
                if score >= *red {
                    Rag::Red
                } else if score >= *amber {
                    Rag::Amber
                } else {
                    Rag::Green
                }
            }
            BandRule::Cells(rows) => {
                rows.get(usize::from(p - 1)).and_then(|r| r.get(usize::from(i - 1))).copied().unwrap_or(Rag::Red)
            }
        }
    }

    /// The percent probability level `p` stands for (1-based, clamped).
    pub fn level_percent(&self, p: u8) -> f64 {
        let idx = usize::from(p.max(1) - 1).min(self.probability_percent.len().saturating_sub(1));
        self.probability_percent.get(idx).copied().unwrap_or(0.0)
    }

    /// The cost the impact level stands for when a risk gives none: its range's midpoint, or the
    /// lower bound of an open-ended range.
    pub fn level_cost(&self, i: u8) -> Option<i64> {
        let r = self.cost_ranges.get(usize::from(i.max(1) - 1))?;
        Some(match r.to {
            Some(to) => r.from + (to - r.from) / 2,
            None => r.from,
        })
    }

    /// The days the impact level stands for when a risk gives none (as [`level_cost`](Self::level_cost)).
    pub fn level_days(&self, i: u8) -> Option<f64> {
        let r = self.schedule_ranges.get(usize::from(i.max(1) - 1))?;
        Some(match r.to {
            Some(to) => (r.from + to) / 2.0,
            None => r.from,
        })
    }

    /// The impact level whose cost range holds `cost` (minor units), if any: for suggesting a
    /// rating from a figure.
    pub fn cost_level(&self, cost: i64) -> Option<u8> {
        self.cost_ranges.iter().position(|r| cost >= r.from && r.to.is_none_or(|t| cost < t)).map(|i| i as u8 + 1)
    }

    /// The impact level whose schedule range holds `days`, if any.
    pub fn schedule_level(&self, days: f64) -> Option<u8> {
        self.schedule_ranges.iter().position(|r| days >= r.from && r.to.is_none_or(|t| days < t)).map(|i| i as u8 + 1)
    }
}

fn check_ranges<T: Copy + std::fmt::Display>(
    field: &str,
    ranges: &[ImpactRange<T>],
    n: usize,
    as_f64: impl Fn(T) -> f64,
) -> Result<(), RiskError> {
    if ranges.len() != n {
        return Err(invalid(field, format!("{} ranges for a {n}×{n} matrix: expected {n}", ranges.len())));
    }
    for (i, r) in ranges.iter().enumerate() {
        let from = as_f64(r.from);
        if !(from >= 0.0 && from.is_finite()) {
            return Err(invalid(format!("{field}[{i}].from"), format!("{} is not a non-negative number", r.from)));
        }
        match r.to {
            None if i + 1 < n => {
                return Err(invalid(format!("{field}[{i}].to"), "missing: only the top level may be open-ended"));
            }
            Some(to) if !(as_f64(to) > from && as_f64(to).is_finite()) => {
                return Err(invalid(format!("{field}[{i}].to"), format!("{to} is not above `from` ({})", r.from)));
            }
            _ => {}
        }
        if i > 0 {
            let prev_to = ranges[i - 1].to.map(&as_f64).unwrap_or(f64::INFINITY);
            if from < prev_to {
                return Err(invalid(
                    format!("{field}[{i}].from"),
                    format!("{} overlaps the level below (which ends at {prev_to}): expected ascending ranges", r.from),
                ));
            }
        }
    }
    Ok(())
}
