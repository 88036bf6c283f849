//! Roll-ups of open risks' exposure by group, heat maps and exposure trends.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use chrono::NaiveDate;
use keel_domain::{PortfolioId, ProgrammeId, ProjectId, Rag, RiskId};
use serde::{Deserialize, Serialize};

use super::{RiskError, RiskExposure, RiskInput, RiskMatrix, exposure};

/// What to group risks by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupBy {
    /// Everything in one group.
    #[default]
    All,
    /// By project.
    Project,
    /// By the project's programme (projects outside any programme form one group).
    Programme,
    /// By the project's portfolio.
    Portfolio,
    /// By category, as written.
    Category,
}

/// The group a summary or series is for.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "by", content = "key", rename_all = "snake_case")]
pub enum GroupKey {
    /// Every risk.
    All,
    /// One project.
    Project(ProjectId),
    /// One programme (`None`: projects in no programme).
    Programme(Option<ProgrammeId>),
    /// One portfolio (`None`: projects in no portfolio).
    Portfolio(Option<PortfolioId>),
    /// One category.
    Category(String),
}

impl GroupKey {
    /// The key of `risk` under `by`.
    pub fn of(risk: &RiskInput, by: GroupBy) -> GroupKey {
        match by {
            GroupBy::All => GroupKey::All,
            GroupBy::Project => GroupKey::Project(risk.project),
            GroupBy::Programme => GroupKey::Programme(risk.programme),
            GroupBy::Portfolio => GroupKey::Portfolio(risk.portfolio),
            GroupBy::Category => GroupKey::Category(risk.category.clone()),
        }
    }
}

/// Open risks per band.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct BandCounts {
    /// Green.
    pub green: usize,
    /// Amber.
    pub amber: usize,
    /// Red.
    pub red: usize,
}

impl BandCounts {
    fn add(&mut self, band: Rag) {
        match band {
            Rag::Green => self.green += 1,
            Rag::Amber => self.amber += 1,
            Rag::Red => self.red += 1,
        }
    }
    /// Green + amber + red.
    pub fn total(&self) -> usize {
        self.green + self.amber + self.red
    }
}

/// The open risks of one group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RiskSummary {
    /// The group.
    pub key: GroupKey,
    /// Open risks.
    pub open: usize,
    /// Open risks per band.
    pub bands: BandCounts,
    /// Sum of the expected monetary values (minor units; risks without one add nothing).
    pub total_emv: i64,
    /// The largest expected monetary value.
    pub max_emv: Option<i64>,
    /// Sum of the expected schedule values (days).
    pub total_expected_days: f64,
    /// The largest expected schedule value.
    pub max_expected_days: Option<f64>,
    /// Open risks with no cost figure (not in `total_emv`).
    pub without_cost: usize,
    /// Open risks with no schedule figure (not in `total_expected_days`).
    pub without_schedule: usize,
    /// The top open risks: highest EMV first, then expected days, then score, then ID.
    pub top: Vec<RiskExposure>,
}

impl RiskSummary {
    fn empty(key: GroupKey) -> Self {
        RiskSummary {
            key,
            open: 0,
            bands: BandCounts::default(),
            total_emv: 0,
            max_emv: None,
            total_expected_days: 0.0,
            max_expected_days: None,
            without_cost: 0,
            without_schedule: 0,
            top: Vec::new(),
        }
    }

    fn add(&mut self, e: &RiskExposure, top_n: usize) {
        self.open += 1;
        self.bands.add(e.band);
        match e.emv {
            Some(v) => {
                self.total_emv = self.total_emv.saturating_add(v);
                self.max_emv = Some(self.max_emv.map_or(v, |m| m.max(v)));
            }
            None => self.without_cost += 1,
        }
        match e.expected_days {
            Some(v) => {
                self.total_expected_days += v;
                self.max_expected_days = Some(self.max_expected_days.map_or(v, |m| m.max(v)));
            }
            None => self.without_schedule += 1,
        }
        if top_n > 0 {
            let at = self.top.partition_point(|t| rank(t, e) == Ordering::Less);
            if at < top_n {
                self.top.insert(at, e.clone());
                self.top.truncate(top_n);
            }
        }
    }
}

/// Top-risk order: EMV, then expected days, then score (all descending), then ID.
fn rank(a: &RiskExposure, b: &RiskExposure) -> Ordering {
    let emv = |e: &RiskExposure| e.emv.unwrap_or(i64::MIN);
    let days = |e: &RiskExposure| e.expected_days.unwrap_or(f64::NEG_INFINITY);
    emv(b).cmp(&emv(a)).then(days(b).total_cmp(&days(a))).then(b.score.cmp(&a.score)).then(a.id.cmp(&b.id))
}

fn summarise<'a>(
    risks: impl Iterator<Item = &'a RiskInput>,
    matrix: &RiskMatrix,
    by: GroupBy,
    top_n: usize,
) -> Result<BTreeMap<GroupKey, RiskSummary>, RiskError> {
    let mut groups: BTreeMap<GroupKey, RiskSummary> = BTreeMap::new();
    if by == GroupBy::All {
        groups.insert(GroupKey::All, RiskSummary::empty(GroupKey::All));
    }
    for risk in risks {
        if let Some(e) = exposure(risk, matrix)? {
            let key = GroupKey::of(risk, by);
            groups.entry(key.clone()).or_insert_with(|| RiskSummary::empty(key)).add(&e, top_n);
        }
    }
    Ok(groups)
}

/// Summarises the open risks by group: counts per band, total and largest expected monetary and
/// schedule values, and the `top_n` risks. Groups come sorted by key; only groups with an open risk
/// appear, except [`GroupBy::All`], which always gives exactly one summary. Each group's totals are
/// exact sums of its risks' rounded values, so the groups' totals add up to the overall total.
///
/// # Errors
/// The matrix's [`RiskMatrix::validate`] error or a risk's [`RiskError::InvalidRisk`].
///
/// Complexity: O(n × (log groups + top_n)).
///
/// ```
/// use keel_engine::risk::{aggregate, GroupBy, RiskMatrix};
/// let all = aggregate(&[], &RiskMatrix::default(), GroupBy::All, 5)?;
/// assert_eq!(all.len(), 1);
/// assert_eq!(all[0].open, 0);
/// # Ok::<(), keel_engine::risk::RiskError>(())
/// ```
pub fn aggregate(
    risks: &[RiskInput],
    matrix: &RiskMatrix,
    by: GroupBy,
    top_n: usize,
) -> Result<Vec<RiskSummary>, RiskError> {
    matrix.validate()?;
    Ok(summarise(risks.iter(), matrix, by, top_n)?.into_values().collect())
}

/// One cell of a heat map.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeatCell {
    /// Probability level.
    pub probability: u8,
    /// Impact level.
    pub impact: u8,
    /// The cell's band.
    pub band: Rag,
    /// Open risks in the cell.
    pub count: usize,
    /// Their IDs, in input order.
    pub risks: Vec<RiskId>,
}

/// Open risks placed on the probability-impact grid.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeatMap {
    /// Levels on each axis.
    pub size: u8,
    /// Every cell (size²), in drawing order: highest probability row first, impact ascending
    /// within a row.
    pub cells: Vec<HeatCell>,
    /// Open risks placed (the sum of the cell counts).
    pub open: usize,
}

/// Places the open risks on the matrix's grid. Pass the risks of one portfolio (or programme, or
/// project) to get that scope's heat map; closed and occurred risks are left out.
///
/// # Errors
/// The matrix's [`RiskMatrix::validate`] error or a risk's [`RiskError::InvalidRisk`].
///
/// Complexity: O(n + size²).
///
/// ```
/// use keel_engine::risk::{heat_map, RiskMatrix};
/// let h = heat_map(&[], &RiskMatrix::default())?;
/// assert_eq!(h.cells.len(), 25);
/// assert_eq!((h.cells[0].probability, h.cells[0].impact), (5, 1));
/// # Ok::<(), keel_engine::risk::RiskError>(())
/// ```
pub fn heat_map(risks: &[RiskInput], matrix: &RiskMatrix) -> Result<HeatMap, RiskError> {
    matrix.validate()?;
    let n = matrix.size;
    let mut cells: Vec<HeatCell> = (1..=n)
        .rev()
        .flat_map(|p| (1..=n).map(move |i| (p, i)))
        .map(|(p, i)| HeatCell { probability: p, impact: i, band: matrix.band(p, i), count: 0, risks: vec![] })
        .collect();
    let mut open = 0;
    for risk in risks {
        if let Some(e) = exposure(risk, matrix)? {
            let idx = usize::from(n - e.probability) * usize::from(n) + usize::from(e.impact - 1);
            cells[idx].count += 1;
            cells[idx].risks.push(e.id);
            open += 1;
        }
    }
    Ok(HeatMap { size: n, cells, open })
}

/// A dated set of risks, e.g. rebuilt from the audit history at each month end.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    /// When the set was as given.
    pub date: NaiveDate,
    /// The risks then.
    pub risks: Vec<RiskInput>,
}

/// A group's exposure at one snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrendPoint {
    /// Snapshot date.
    pub date: NaiveDate,
    /// Open risks.
    pub open: usize,
    /// Open risks per band.
    pub bands: BandCounts,
    /// Total expected monetary value (minor units).
    pub total_emv: i64,
    /// Total expected schedule value (days).
    pub total_expected_days: f64,
}

/// One group's exposure over time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrendSeries {
    /// The group.
    pub key: GroupKey,
    /// One point per snapshot, oldest first (zeros where the group had no open risk).
    pub points: Vec<TrendPoint>,
}

/// Exposure over time: for each group that has an open risk in any snapshot, a series with one
/// point per snapshot (sorted by date, equal dates kept in the order given), so all series share
/// the same dates.
///
/// # Errors
/// The matrix's [`RiskMatrix::validate`] error or a risk's [`RiskError::InvalidRisk`].
///
/// Complexity: O(total risks × log groups + snapshots × groups).
///
/// ```
/// use chrono::NaiveDate;
/// use keel_engine::risk::{exposure_trend, GroupBy, RiskMatrix, Snapshot};
/// let snaps = vec![Snapshot { date: NaiveDate::from_ymd_opt(2024, 1, 31).unwrap(), risks: vec![] }];
/// let t = exposure_trend(&snaps, &RiskMatrix::default(), GroupBy::All)?;
/// assert_eq!(t[0].points.len(), 1);
/// # Ok::<(), keel_engine::risk::RiskError>(())
/// ```
pub fn exposure_trend(snapshots: &[Snapshot], matrix: &RiskMatrix, by: GroupBy) -> Result<Vec<TrendSeries>, RiskError> {
    matrix.validate()?;
    let mut order: Vec<&Snapshot> = snapshots.iter().collect();
    order.sort_by_key(|s| s.date);
    let per_snapshot: Vec<(NaiveDate, BTreeMap<GroupKey, RiskSummary>)> = order
        .iter()
        .map(|s| Ok((s.date, summarise(s.risks.iter(), matrix, by, 0)?)))
        .collect::<Result<_, RiskError>>()?;
    let mut keys: Vec<&GroupKey> = per_snapshot.iter().flat_map(|(_, g)| g.keys()).collect();
    keys.sort();
    keys.dedup();
    Ok(keys
        .into_iter()
        .map(|key| TrendSeries {
            key: key.clone(),
            points: per_snapshot
                .iter()
                .map(|(date, groups)| match groups.get(key) {
                    Some(s) => TrendPoint {
                        date: *date,
                        open: s.open,
                        bands: s.bands,
                        total_emv: s.total_emv,
                        total_expected_days: s.total_expected_days,
                    },
                    None => TrendPoint {
                        date: *date,
                        open: 0,
                        bands: BandCounts::default(),
                        total_emv: 0,
                        total_expected_days: 0.0,
                    },
                })
                .collect(),
        })
        .collect())
}
