//! Critical-path engine benchmarks on seeded generated networks.
//!
//! `cargo bench -p keel-engine --bench cpm`; set `KEEL_BENCH_1M=1` to add the one-million-activity
//! runs. Sizes: 10k and 100k activities (and 1M); `simple`: one Monday-to-Friday calendar with
//! holidays and finish-to-start links; `mixed`: five calendars, SS/FF links, lags and leads.

#![allow(clippy::unwrap_used)] // Benchmarks: a panic is the failure report.

use divan::Bencher;
use keel_engine::schedule::generate::{GenOptions, Shape, generate};
use keel_engine::schedule::{Network, schedule};

fn sizes() -> Vec<usize> {
    let mut v = vec![10_000, 100_000];
    if std::env::var_os("KEEL_BENCH_1M").is_some() {
        v.push(1_000_000);
    }
    v
}

/// The allocator the `keel` binary uses (see crates/cli/src/main.rs).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    divan::main();
}

/// The whole `schedule()` call: compile (calendars, CSR, topological order) and both passes, with
/// the results converted to date-times (the plain-network kernel, on this network).
#[divan::bench(args = sizes(), sample_count = 10)]
fn schedule_simple(b: Bencher, n: usize) {
    let s = generate(&GenOptions { tasks: n, shape: Shape::Simple, seed: 1 });
    b.bench(|| schedule(divan::black_box(&s)).unwrap());
}

/// The same network through the general engine (`schedule()` takes the plain-network kernel for
/// it): what the kernel saves.
#[divan::bench(args = sizes(), sample_count = 10)]
fn general_simple(b: Bencher, n: usize) {
    let s = generate(&GenOptions { tasks: n, shape: Shape::Simple, seed: 1 });
    b.bench(|| Network::compile(divan::black_box(&s)).unwrap().run().unwrap());
}

#[divan::bench(args = sizes(), sample_count = 10)]
fn schedule_mixed(b: Bencher, n: usize) {
    let s = generate(&GenOptions { tasks: n, shape: Shape::Mixed, seed: 1 });
    b.bench(|| schedule(divan::black_box(&s)).unwrap());
}

/// Compiling the network only.
#[divan::bench(args = sizes(), sample_count = 10)]
fn compile_mixed(b: Bencher, n: usize) {
    let s = generate(&GenOptions { tasks: n, shape: Shape::Mixed, seed: 1 });
    b.bench(|| Network::compile(divan::black_box(&s)).unwrap());
}

/// The passes and result conversion on a compiled network.
#[divan::bench(args = sizes(), sample_count = 10)]
fn run_mixed(b: Bencher, n: usize) {
    let s = generate(&GenOptions { tasks: n, shape: Shape::Mixed, seed: 1 });
    let mut net = Network::compile(&s).unwrap();
    b.bench_local(|| net.run().unwrap());
}

/// One duration edit recomputed incrementally on a 100k network (alternating two values so every
/// iteration changes something).
#[divan::bench(args = [Shape::Simple, Shape::Mixed], sample_count = 20)]
fn incremental_one_edit_100k(b: Bencher, shape: Shape) {
    let s = generate(&GenOptions { tasks: 100_000, shape, seed: 1 });
    let mut net = Network::compile(&s).unwrap();
    net.run().unwrap();
    let t = 50_000;
    let base = s.tasks[t].duration.minutes;
    let mut flip = false;
    b.bench_local(|| {
        flip = !flip;
        net.set_duration(t, if flip { base + 480 } else { base }).unwrap()
    });
}
