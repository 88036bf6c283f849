//! Earned value / earned schedule benchmarks on seeded synthetic projects.
//!
//! `cargo bench -p keel-engine --bench evm`. Sizes: 1k, 10k and 100k activities on working days,
//! 20 status periods each (PV curve, EV, ES, p-factor and every forecast per period).

#![allow(clippy::unwrap_used)] // Benchmarks: a panic is the failure report.

use chrono::{Duration, NaiveDate};
use divan::Bencher;
use keel_engine::forecast::evm::*;
use rand::{Rng, SeedableRng, rngs::SmallRng};

fn main() {
    divan::main();
}

fn project(n: usize, periods: usize) -> EvmInput {
    let mut rng = SmallRng::seed_from_u64(7);
    let origin = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap().and_hms_opt(8, 0, 0).unwrap();
    let horizon = 500 * 24;
    let activities: Vec<EvmActivity> = (0..n)
        .map(|i| {
            let s = origin + Duration::hours((rng.next_u32() % horizon) as i64);
            let e = s + Duration::hours((rng.next_u32() % 600) as i64);
            let cost = f64::from(rng.next_u32() % 10_000);
            EvmActivity { id: i.to_string(), start: s, finish: e, cost, fixed_cost: cost * 0.1 }
        })
        .collect();
    let periods = (1..=periods)
        .map(|p| {
            let status_date = origin + Duration::hours((horizon as usize * p / periods) as i64);
            let activities = activities
                .iter()
                .map(|a| {
                    let pc = if a.finish <= status_date {
                        1.0
                    } else if a.start < status_date {
                        0.5
                    } else {
                        0.0
                    };
                    ActivityStatus {
                        percent_complete: pc,
                        actual_cost: Some(pc * a.cost * 1.1),
                        actual_start: (pc > 0.0).then_some(a.start),
                        actual_finish: None,
                    }
                })
                .collect();
            StatusPeriod { status_date, activities }
        })
        .collect();
    EvmInput { activities, periods, time_basis: TimeBasis::WorkingDays(WorkCalendar::standard()), project_start: None }
}

/// The whole analysis: positions on the working calendar, PV curve, and 20 periods.
#[divan::bench(args = [1_000, 10_000, 100_000], sample_count = 10)]
fn evaluate_20_periods(b: Bencher, n: usize) {
    let input = project(n, 20);
    b.bench(|| evaluate(divan::black_box(&input)).unwrap());
}
