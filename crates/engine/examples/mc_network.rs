//! Monte Carlo benchmark driver for `bench/forecast/run.sh`.
//!
//! `mc_network write <tasks> <seed> <file>` writes a generated one-calendar network as JSON for the
//! Python implementations: per activity its triangular estimate (the default range, 90/100/130% of
//! the planned duration, in working minutes) and its predecessors (all finish-to-start, no lag).
//!
//! `mc_network run <tasks> <seed> <iterations> [threads]` simulates the same network with Keel and
//! prints one JSON line: wall time, activity-iterations per second, P50/P80 project duration in
//! working days (480 minutes), the kernel used.

use std::fmt::Write as _;
use std::time::Instant;

use keel_engine::forecast::montecarlo::{McInput, simulate};
use keel_engine::schedule::generate::{GenOptions, Shape, generate};

fn arg<T: std::str::FromStr>(args: &[String], i: usize, what: &str) -> T {
    match args.get(i).map(|s| s.parse::<T>()) {
        Some(Ok(v)) => v,
        _ => {
            eprintln!("usage: mc_network write <tasks> <seed> <file> | run <tasks> <seed> <iterations> [threads]");
            eprintln!("missing or invalid {what}");
            std::process::exit(2)
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mode: String = arg(&args, 1, "mode");
    let tasks: usize = arg(&args, 2, "tasks");
    let seed: u64 = arg(&args, 3, "seed");
    let s = generate(&GenOptions { tasks, shape: Shape::Simple, seed });
    match mode.as_str() {
        "write" => {
            let file: String = arg(&args, 4, "file");
            let mut preds = vec![Vec::new(); tasks];
            for l in &s.links {
                preds[l.succ].push(l.pred);
            }
            let mut out = String::from("{\"minutes_per_day\":480,\"tasks\":[\n");
            for (i, t) in s.tasks.iter().enumerate() {
                let d = t.duration.minutes;
                let pct = |p: i64| (d as f64 * p as f64 / 100.0).round() as i64;
                let p: Vec<String> = preds[i].iter().map(|x| x.to_string()).collect();
                let sep = if i + 1 < tasks { "," } else { "" };
                let _ = writeln!(
                    out,
                    "{{\"o\":{},\"m\":{},\"p\":{},\"preds\":[{}]}}{sep}",
                    pct(90),
                    d,
                    pct(130),
                    p.join(",")
                );
            }
            out.push_str("]}\n");
            if let Err(e) = std::fs::write(&file, out) {
                eprintln!("{file}: {e}");
                std::process::exit(1);
            }
        }
        "run" => {
            let iterations: u32 = arg(&args, 4, "iterations");
            let threads: Option<usize> = args.get(5).and_then(|x| x.parse().ok());
            let input = McInput { iterations, seed: 7, threads, ..Default::default() };
            let t0 = Instant::now();
            let r = match simulate(&s, &input) {
                Ok(r) => r,
                Err(e) => {
                    eprintln!("{e}");
                    std::process::exit(1);
                }
            };
            let secs = t0.elapsed().as_secs_f64();
            let crit = r.tasks.iter().filter(|t| t.criticality > 0.0).count();
            println!(
                "{{\"impl\":\"keel\",\"tasks\":{tasks},\"iterations\":{iterations},\"threads\":{},\"seconds\":{secs:.4},\
                 \"activity_iterations_per_s\":{:.0},\"p50_days\":{:.3},\"p80_days\":{:.3},\"kernel\":\"{:?}\",\
                 \"tasks_ever_critical\":{crit}}}",
                threads.map_or("null".to_string(), |t| t.to_string()),
                tasks as f64 * f64::from(iterations) / secs,
                r.duration_days.p50,
                r.duration_days.p80,
                r.kernel
            );
        }
        _ => {
            eprintln!("unknown mode {mode}");
            std::process::exit(2);
        }
    }
}
