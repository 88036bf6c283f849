//! Seeded synthetic schedules for benchmarks and property tests.
//!
//! [`generate`] builds a [`Schedule`] of `tasks` activities, each with one to three predecessors
//! among the activities shortly before it (so the network is a DAG in index order and its longest
//! path stays a few years long at any size), durations of 1 to 20 days and a Monday-to-Friday
//! calendar with yearly holidays. The [`Shape::Mixed`] variant spreads tasks over five calendars
//! (standard, six-day, 24-hour, night shift, four tens) and adds SS and FF links with lags and
//! leads. Same options, same schedule.

use chrono::NaiveDate;

use super::calendar::{standard, twenty_four_hour};
use super::model::{
    Calendar, Duration, DurationUnit, Exception, Lag, Link, LinkType, ProjectInfo, Recurrence, Schedule, Task,
    WorkingTime,
};

/// Which kind of network to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// One calendar, finish-to-start links without lags.
    Simple,
    /// Five calendars; FS, SS and FF links, a third of them with lags or leads.
    Mixed,
}

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GenOptions {
    /// Number of activities.
    pub tasks: usize,
    /// Network kind.
    pub shape: Shape,
    /// Seed: the same seed gives the same schedule.
    pub seed: u64,
}

/// SplitMix64: small, fast and good enough for test data.
#[derive(Debug, Clone)]
struct Rng(u64);

impl Rng {
    /// A generator seeded with `seed`.
    fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    /// The next 64 random bits.
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A value in `0..n` (0 when `n` is 0).
    fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64 }
    }
}

fn holidays(cal: &mut Calendar) {
    let from = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or_default();
    let to = NaiveDate::from_ymd_opt(2100, 12, 31).unwrap_or_default();
    for (name, month, day) in [("New Year", 1, 1), ("Labour Day", 5, 1), ("Christmas", 12, 25), ("Boxing Day", 12, 26)]
    {
        cal.exceptions.push(Exception {
            name: name.into(),
            from,
            to,
            working: vec![],
            recurrence: Some(Recurrence::YearlyByDate { month, day }),
        });
    }
    cal.exceptions.push(Exception {
        name: "Easter Monday (approx.)".into(),
        from,
        to,
        working: vec![],
        recurrence: Some(Recurrence::YearlyByPosition { month: 4, position: 1, weekday: 0 }),
    });
}

fn calendars(shape: Shape) -> Vec<Calendar> {
    let mut std = standard();
    holidays(&mut std);
    if shape == Shape::Simple {
        return vec![std];
    }
    let day = |iv: &[(u16, u16)]| Some(iv.iter().map(|&(from, to)| WorkingTime { from, to }).collect::<Vec<_>>());
    let six = Calendar {
        name: "Six day".into(),
        base: Some(0),
        week: [None, None, None, None, None, day(&[(480, 780)]), Some(vec![])],
        ..Default::default()
    };
    let night = Calendar {
        name: "Night shift".into(),
        week: [
            day(&[(1320, 1440)]),
            day(&[(0, 360), (1320, 1440)]),
            day(&[(0, 360), (1320, 1440)]),
            day(&[(0, 360), (1320, 1440)]),
            day(&[(0, 360), (1320, 1440)]),
            day(&[(0, 360)]),
            Some(vec![]),
        ],
        ..Default::default()
    };
    let tens = Calendar {
        name: "Four tens".into(),
        week: [
            day(&[(420, 1050)]),
            day(&[(420, 1050)]),
            day(&[(420, 1050)]),
            day(&[(420, 1050)]),
            Some(vec![]),
            Some(vec![]),
            Some(vec![]),
        ],
        ..Default::default()
    };
    vec![std, six, twenty_four_hour(), night, tens]
}

/// Generates a schedule. See the [module documentation](self).
///
/// # Complexity
/// O(tasks).
///
/// # Example
/// ```
/// use keel_engine::schedule::generate::{GenOptions, Shape, generate};
/// let s = generate(&GenOptions { tasks: 1000, shape: Shape::Mixed, seed: 7 });
/// assert_eq!(s.tasks.len(), 1000);
/// assert_eq!(s, generate(&GenOptions { tasks: 1000, shape: Shape::Mixed, seed: 7 }));
/// assert!(s.links.iter().all(|l| l.pred < l.succ));
/// ```
pub fn generate(opts: &GenOptions) -> Schedule {
    let mut rng = Rng::new(opts.seed);
    let n = opts.tasks;
    let cals = calendars(opts.shape);
    let ncal = cals.len() as u64;
    let window = (n / 50).max(20) as u64;
    let mut tasks = Vec::with_capacity(n);
    let mut links = Vec::with_capacity(n * 2);
    for i in 0..n {
        let days = 1 + rng.below(20) as i64;
        let calendar = if opts.shape == Shape::Mixed { Some(rng.below(ncal) as usize) } else { None };
        tasks.push(Task {
            key: i.to_string(),
            code: format!("A{i}"),
            name: format!("Activity {i}"),
            outline_level: 1,
            duration: Duration::working(days * 480, DurationUnit::Days),
            calendar,
            ..Default::default()
        });
        if i == 0 {
            continue;
        }
        let k = 1 + rng.below(3);
        let lo = (i as u64).saturating_sub(window);
        let mut picked = [usize::MAX; 3];
        for j in 0..k as usize {
            let p = (lo + rng.below(i as u64 - lo)) as usize;
            if picked.contains(&p) {
                continue;
            }
            picked[j] = p;
            let (kind, lag) = match opts.shape {
                Shape::Simple => (LinkType::FS, 0),
                Shape::Mixed => {
                    let kind = match rng.below(10) {
                        0 | 1 => LinkType::SS,
                        2 | 3 => LinkType::FF,
                        _ => LinkType::FS,
                    };
                    let lag = match rng.below(6) {
                        0 => (1 + rng.below(3) as i64) * 480,
                        1 => -240,
                        _ => 0,
                    };
                    (kind, lag)
                }
            };
            links.push(Link {
                pred: p,
                succ: i,
                kind,
                lag: Lag { amount: lag, unit: DurationUnit::Days, elapsed: false },
            });
        }
    }
    let start = NaiveDate::from_ymd_opt(2025, 1, 6).and_then(|d| d.and_hms_opt(8, 0, 0)).unwrap_or_default();
    Schedule {
        name: format!("generated {n} ({:?}, seed {})", opts.shape, opts.seed),
        projects: vec![ProjectInfo {
            key: "G".into(),
            name: "Generated".into(),
            start,
            calendar: 0,
            ..Default::default()
        }],
        calendars: cals,
        tasks,
        links,
        ..Default::default()
    }
}
