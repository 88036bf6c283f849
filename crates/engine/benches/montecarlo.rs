//! Monte Carlo schedule risk benchmarks on seeded generated networks.
//!
//! `cargo bench -p keel-engine --bench montecarlo`. One-calendar networks (`Shape::Simple`) of 1k
//! and 10k activities with the default triangular range (90/100/130%) on every task, 1k
//! iterations, criticality and sensitivities included; `general`: the same 1k network forced
//! through the general path; `mixed`: a five-calendar network, which always takes the general
//! path. The 10k x 10k comparison with numpy and TruePPM is `bench/forecast/run.sh`.

#![allow(clippy::unwrap_used)] // Benchmarks: a panic is the failure report.

use divan::Bencher;
use keel_engine::forecast::montecarlo::{KernelChoice, McInput, simulate};
use keel_engine::schedule::generate::{GenOptions, Shape, generate};

fn main() {
    divan::main();
}

/// Fast kernel: 1k iterations.
#[divan::bench(args = [1_000, 10_000], sample_count = 10)]
fn simple(b: Bencher, n: usize) {
    let s = generate(&GenOptions { tasks: n, shape: Shape::Simple, seed: 1 });
    let input = McInput { iterations: 1_000, ..Default::default() };
    b.bench(|| simulate(divan::black_box(&s), &input).unwrap());
}

/// Fast kernel on one thread (CPU time per activity-iteration, steadier than wall time on a shared
/// machine): 10k activities x 2k iterations.
#[divan::bench(sample_count = 15)]
fn simple_one_thread(b: Bencher) {
    let s = generate(&GenOptions { tasks: 10_000, shape: Shape::Simple, seed: 1 });
    let input = McInput { iterations: 2_000, threads: Some(1), ..Default::default() };
    b.bench(|| simulate(divan::black_box(&s), &input).unwrap());
}

/// General path on the same 1k network: 100 iterations.
#[divan::bench(sample_count = 5)]
fn general(b: Bencher) {
    let s = generate(&GenOptions { tasks: 1_000, shape: Shape::Simple, seed: 1 });
    let input = McInput { iterations: 100, kernel: KernelChoice::General, ..Default::default() };
    b.bench(|| simulate(divan::black_box(&s), &input).unwrap());
}

/// Five calendars, SS/FF links and lags (general path): 1k activities, 100 iterations.
#[divan::bench(sample_count = 5)]
fn mixed(b: Bencher) {
    let s = generate(&GenOptions { tasks: 1_000, shape: Shape::Mixed, seed: 1 });
    let input = McInput { iterations: 100, ..Default::default() };
    b.bench(|| simulate(divan::black_box(&s), &input).unwrap());
}
