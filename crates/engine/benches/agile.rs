//! Agile delivery benchmarks: flow metrics over a large history and throughput Monte Carlo.
//!
//! `cargo bench -p keel-engine --bench agile`. Histories are generated from a fixed seed: 20 teams
//! over two years (about 30 000 items); forecasts run 10 000 samples.

#![allow(clippy::unwrap_used)] // Benchmarks: a panic is the failure report.

use std::collections::BTreeMap;

use chrono::{Days, NaiveDate};
use divan::Bencher;
use keel_engine::forecast::agile::*;
use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};

fn main() {
    divan::main();
}

fn day0() -> NaiveDate {
    NaiveDate::from_ymd_opt(2023, 1, 2).unwrap()
}

/// `teams` teams, each creating 0-3 items a day over 728 days.
fn items(teams: usize) -> Vec<WorkItem> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
    let mut out = Vec::new();
    for t in 0..teams {
        for day in 0..728u64 {
            for k in 0..rng.random_range(0..4u32) {
                let created = day0() + Days::new(day);
                let started = created + Days::new(rng.random_range(0..10));
                let done = started + Days::new(rng.random_range(0..20));
                out.push(WorkItem {
                    key: format!("T{t}-{day}-{k}"),
                    title: String::new(),
                    team: format!("T{t}"),
                    created,
                    started: Some(started),
                    done: (done < day0() + Days::new(700)).then_some(done),
                    points: Some(3.0),
                    milestone: Some(format!("R{}", day / 90)),
                });
            }
        }
    }
    out
}

fn window() -> DateRange {
    DateRange { from: day0(), to: day0() + Days::new(699) }
}

#[divan::bench(sample_count = 10)]
fn metrics_30k_items_weekly(b: Bencher) {
    let items = items(20);
    let opts = MetricsOptions { granularity: Granularity::Week, window: Some(window()) };
    b.bench(|| metrics(divan::black_box(&items), &opts));
}

#[divan::bench(args = [100, 1000], sample_count = 10)]
fn when_10k_samples(b: Bencher, remaining: u32) {
    let h = ThroughputHistory::from_items(&items(1), None, Granularity::Week, window()).unwrap();
    let s = SimulationSettings { samples: 10_000, seed: 1 };
    b.bench(|| forecast_when(divan::black_box(&h), remaining, day0(), &s).unwrap());
}

#[divan::bench(sample_count = 10)]
fn how_many_10k_samples_26_weeks(b: Bencher) {
    let h = ThroughputHistory::from_items(&items(1), None, Granularity::Week, window()).unwrap();
    let s = SimulationSettings { samples: 10_000, seed: 1 };
    b.bench(|| forecast_how_many(divan::black_box(&h), day0(), day0() + Days::new(181), &s).unwrap());
}

#[divan::bench(sample_count = 10)]
fn milestones_20_teams_10k_samples(b: Bencher) {
    let items = items(20);
    let histories: BTreeMap<String, ThroughputHistory> = (0..20)
        .map(|t| {
            let team = format!("T{t}");
            let h = ThroughputHistory::from_items(&items, Some(&team), Granularity::Week, window()).unwrap();
            (team, h)
        })
        .collect();
    let work = remaining_work(&items);
    let s = SimulationSettings { samples: 10_000, seed: 1 };
    b.bench(|| forecast_milestones(divan::black_box(&work), &histories, day0(), Sequencing::InOrder, &s).unwrap());
}
