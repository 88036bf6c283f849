//! The integrated programme schedule: merging project plans with cross-project links
//! (`schedule::combine`) and scheduling the result.
//!
//! `cargo bench -p keel-engine --bench combine`. A programme of 20 generated projects (one
//! calendar each, finish-to-start links) of 500 or 5,000 activities, chained by 40 cross-project
//! finish-to-start links (each project's last activities feed the next project's first ones).
//! `combine` is the merge alone, `combine_and_schedule` what the dependency register and the
//! integrated schedule compute, `schedule_combined` the CPM pass on the already merged network:
//! the difference between the last two is the merge's share.

#![allow(clippy::unwrap_used)] // Benchmarks: a panic is the failure report.

use divan::Bencher;
use keel_engine::schedule::combine::{CrossLink, Part, combine};
use keel_engine::schedule::generate::{GenOptions, Shape, generate};
use keel_engine::schedule::{DurationUnit, Lag, LinkType, Schedule, schedule};

/// The allocator the `keel` binary uses (see crates/cli/src/main.rs).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const PROJECTS: usize = 20;

fn main() {
    divan::main();
}

fn programme(per_project: usize) -> (Vec<Schedule>, Vec<String>, Vec<CrossLink>) {
    let plans: Vec<Schedule> = (0..PROJECTS)
        .map(|i| generate(&GenOptions { tasks: per_project, shape: Shape::Simple, seed: i as u64 + 1 }))
        .collect();
    let labels = (0..PROJECTS).map(|i| format!("PRJ-{i:03}")).collect();
    let mut links = Vec::new();
    for p in 1..PROJECTS {
        for k in 0..2 {
            links.push(CrossLink {
                pred_part: p - 1,
                pred: per_project - 1 - k,
                succ_part: p,
                succ: k,
                kind: LinkType::FS,
                lag: Lag { amount: 0, unit: DurationUnit::Days, elapsed: false },
            });
        }
    }
    (plans, labels, links)
}

fn parts<'a>(plans: &'a [Schedule], labels: &'a [String]) -> Vec<Part<'a>> {
    plans.iter().zip(labels).map(|(s, l)| Part { label: l, schedule: s }).collect()
}

#[divan::bench(args = [500, 5_000], sample_count = 10)]
fn combine_only(b: Bencher, per_project: usize) {
    let (plans, labels, links) = programme(per_project);
    let parts = parts(&plans, &labels);
    b.bench(|| combine(divan::black_box(&parts), &links).unwrap());
}

#[divan::bench(args = [500, 5_000], sample_count = 10)]
fn combine_and_schedule(b: Bencher, per_project: usize) {
    let (plans, labels, links) = programme(per_project);
    let parts = parts(&plans, &labels);
    b.bench(|| schedule(&combine(divan::black_box(&parts), &links).unwrap().schedule).unwrap());
}

#[divan::bench(args = [500, 5_000], sample_count = 10)]
fn schedule_combined(b: Bencher, per_project: usize) {
    let (plans, labels, links) = programme(per_project);
    let merged = combine(&parts(&plans, &labels), &links).unwrap().schedule;
    b.bench(|| schedule(divan::black_box(&merged)).unwrap());
}
