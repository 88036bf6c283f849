//! Timing harness for the schedule benchmark (`bench/schedule/run.sh`): Keel's MSPDI import and
//! critical-path engine on generated networks, printed as one JSON line per file so the script can
//! put them beside MPXJ's.
//!
//! ```text
//! schedule_bench generate N SEED simple|calendars OUT.xml
//!     writes a seeded network of N activities (keel_engine::schedule::generate) as MSPDI, with its
//!     computed dates; `simple` = one Mon-Fri calendar with holidays and FS links, `calendars` =
//!     five calendars with FS/SS/FF links, lags and leads
//! schedule_bench time FILE.xml REPEATS [CRITICAL.txt]
//!     reads FILE (REPEATS times), schedules it REPEATS times, compiles a Network once and runs it
//!     REPEATS times, then times one-task duration edits (each undone) at the middle task; prints
//!     one JSON line and writes the critical tasks' UIDs, sorted, one a line, to CRITICAL.txt
//! schedule_bench read FILE.xml REPEATS
//!     the import alone (file read and parse), REPEATS times: one JSON line with the median and
//!     minimum, for profiling the reader
//! schedule_bench schedule FILE.xml REPEATS [DUMP.txt]
//!     reads FILE once and times the whole schedule() call REPEATS times (one JSON line with the
//!     minimum and median, and the medians of `Network::compile`, `Network::run` and
//!     `Network::result` alone); writes every task's result, one a line, to DUMP.txt, so two builds
//!     can be compared for identical output
//! ```
//!
//! Build with `cargo build --release -p keel-interop --example schedule_bench`.

use std::error::Error;
use std::fmt::Write as _;
use std::hint::black_box;
use std::time::{Duration, Instant};

use keel_engine::schedule::generate::{GenOptions, Shape, generate};
use keel_engine::schedule::{Network, Schedule, ScheduleResult, schedule};

type Res<T> = Result<T, Box<dyn Error>>;

const USAGE: &str = "usage: schedule_bench generate N SEED simple|calendars OUT.xml\n       \
                     schedule_bench time FILE.xml REPEATS [CRITICAL.txt]\n       \
                     schedule_bench schedule FILE.xml REPEATS [DUMP.txt]\n       \
                     schedule_bench read FILE.xml REPEATS";

/// The allocator the `keel` binary uses (see crates/cli/src/main.rs).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> Res<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["generate", n, seed, variant, out] => generate_file(n.parse()?, seed.parse()?, variant, out),
        ["time", file, repeats] => time_file(file, repeats.parse()?, None),
        ["time", file, repeats, critical] => time_file(file, repeats.parse()?, Some(critical)),
        ["schedule", file, repeats] => schedule_only(file, repeats.parse()?, None),
        ["schedule", file, repeats, dump] => schedule_only(file, repeats.parse()?, Some(dump)),
        ["read", file, repeats] => read_only(file, repeats.parse()?),
        _ => Err(USAGE.into()),
    }
}

fn generate_file(tasks: usize, seed: u64, variant: &str, out: &str) -> Res<()> {
    let shape = match variant {
        "simple" => Shape::Simple,
        "calendars" => Shape::Mixed,
        other => return Err(format!("unknown variant {other:?}: expected simple or calendars").into()),
    };
    let s = generate(&GenOptions { tasks, shape, seed });
    let r = schedule(&s)?;
    let xml = keel_interop::export(&s, Some(&r), keel_interop::Format::Mspdi)?;
    let xml = String::from_utf8(xml)?;
    std::fs::write(out, &xml)?;
    eprintln!("wrote {out}: {tasks} tasks, {} links, {} bytes", s.links.len(), xml.len());
    Ok(())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Minimum and median of `samples` (sorted in place).
fn min_median(samples: &mut [f64]) -> (f64, f64) {
    samples.sort_by(f64::total_cmp);
    match samples.len() {
        0 => (f64::NAN, f64::NAN),
        n if n % 2 == 1 => (samples[0], samples[n / 2]),
        n => (samples[0], (samples[n / 2 - 1] + samples[n / 2]) / 2.0),
    }
}

/// Times `f` `repeats` times (at least once) and returns its last value with the samples in ms.
fn timed<T>(repeats: usize, mut f: impl FnMut() -> Res<T>) -> Res<(T, Vec<f64>)> {
    let mut samples = Vec::with_capacity(repeats);
    let mut last = None;
    for _ in 0..repeats.max(1) {
        let t0 = Instant::now();
        let v = black_box(f()?);
        samples.push(ms(t0.elapsed()));
        last = Some(v);
    }
    Ok((last.ok_or("no sample")?, samples))
}

/// UIDs of the critical tasks that are not summaries, sorted numerically where they are numbers.
fn critical_keys(s: &Schedule, r: &ScheduleResult) -> Vec<String> {
    let mut keys: Vec<&String> = s
        .tasks
        .iter()
        .zip(&r.tasks)
        .filter(|(t, tr)| tr.critical && tr.scheduled && !t.is_summary_like())
        .map(|(t, _)| &t.key)
        .collect();
    keys.sort_by(|a, b| match (a.parse::<u64>(), b.parse::<u64>()) {
        (Ok(x), Ok(y)) => x.cmp(&y),
        _ => a.cmp(b),
    });
    keys.into_iter().cloned().collect()
}

/// FNV-1a (64-bit) of the keys joined with commas, as hex: equal sets give equal hashes.
fn fnv(keys: &[String]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for (i, k) in keys.iter().enumerate() {
        let sep: &[u8] = if i == 0 { b"" } else { b"," };
        for &b in sep.iter().chain(k.as_bytes()) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

/// The middle schedulable task at or after the middle index.
fn middle_task(s: &Schedule, r: &ScheduleResult) -> Option<usize> {
    let n = s.tasks.len();
    (n / 2..n).chain(0..n / 2).find(|&i| {
        let t = &s.tasks[i];
        !t.is_summary_like() && !t.manual && !t.inactive && r.tasks[i].scheduled
    })
}

/// Times the whole `schedule()` call alone on a file read once; optionally dumps every result.
fn schedule_only(file: &str, repeats: usize, dump: Option<&str>) -> Res<()> {
    let bytes = keel_interop::read_file(std::path::Path::new(file))?;
    let s = keel_interop::import(file, &bytes, None)?;
    let (r, mut sched) = timed(repeats, || Ok(schedule(&s)?))?;
    if let Some(path) = dump {
        let mut text = String::with_capacity(r.tasks.len() * 200);
        writeln!(text, "finish {} longest {:?}", r.finish, r.longest_path)?;
        for (i, t) in r.tasks.iter().enumerate() {
            writeln!(text, "{i} {t:?}")?;
        }
        std::fs::write(path, text)?;
    }
    // The parts: compiling, the passes with the results, and the results alone.
    let (mut net, mut compile) = timed(repeats, || Ok(Network::compile(&s)?))?;
    let (_, mut run) = timed(repeats, || Ok(net.run()?))?;
    let (_, mut result) = timed(repeats, || Ok(net.result()?))?;
    let (min, med) = min_median(&mut sched);
    let (_, compile_med) = min_median(&mut compile);
    let (_, run_med) = min_median(&mut run);
    let (_, result_med) = min_median(&mut result);
    println!(
        "{{\"file\":{file:?},\"repeats\":{repeats},\"schedule_ms\":{med:.3},\"schedule_min_ms\":{min:.3},\
         \"compile_ms\":{compile_med:.3},\"run_ms\":{run_med:.3},\"result_ms\":{result_med:.3}}}"
    );
    Ok(())
}

/// The import alone (file read included), `repeats` times: one JSON line, for profiling the reader.
fn read_only(file: &str, repeats: usize) -> Res<()> {
    let (s, mut read) = timed(repeats, || {
        let bytes = keel_interop::read_file(std::path::Path::new(file))?;
        Ok(keel_interop::import(file, &bytes, None)?)
    })?;
    let (min, median) = min_median(&mut read);
    println!(
        "{{\"file\":{file:?},\"tasks\":{},\"repeats\":{repeats},\"read_ms\":{median:.3},\"read_min_ms\":{min:.3}}}",
        s.tasks.len()
    );
    Ok(())
}

fn time_file(file: &str, repeats: usize, critical_out: Option<&str>) -> Res<()> {
    // Import: read the file and parse it, as MPXJ's reader does from a path.
    let (s, mut read) = timed(repeats, || {
        let bytes = keel_interop::read_file(std::path::Path::new(file))?;
        Ok(keel_interop::import(file, &bytes, None)?)
    })?;
    // The floor under any reader built on the same XML parser: read the file and walk quick-xml's
    // events without looking at them.
    let (_, mut tokenize) = timed(repeats, || {
        let bytes = keel_interop::read_file(std::path::Path::new(file))?;
        let mut reader = quick_xml::reader::Reader::from_reader(bytes.as_slice());
        let mut buf = Vec::new();
        let mut events = 0usize;
        while !matches!(reader.read_event_into(&mut buf)?, quick_xml::events::Event::Eof) {
            events += 1;
            buf.clear();
        }
        Ok(black_box(events))
    })?;
    let links = s.links.len();
    let tasks = s.tasks.iter().filter(|t| !t.is_summary_like()).count();

    // The whole call: compile the network, both passes, results for every task.
    let (r, mut sched) = timed(repeats, || Ok(schedule(&s)?))?;

    // Compile once, then whole passes (with results) over the compiled network.
    let t0 = Instant::now();
    let mut net = Network::compile(&s)?;
    let compile_ms = ms(t0.elapsed());
    let (r2, mut run) = timed(repeats, || Ok(net.run()?))?;
    if r2 != r {
        return Err("Network::run and schedule() disagree".into());
    }

    // Incremental: one duration edit at the middle task, then its undo; only the edit is timed.
    let mid = middle_task(&s, &r).ok_or("no schedulable task")?;
    let old = s.tasks[mid].duration.minutes;
    let edits = if s.tasks.len() >= 500_000 { 51 } else { 201 };
    let mut inc = Vec::with_capacity(edits);
    let mut first = None;
    for _ in 0..edits {
        let t0 = Instant::now();
        let rc = black_box(net.set_duration(mid, old + 480)?);
        inc.push(t0.elapsed().as_secs_f64() * 1e6);
        net.set_duration(mid, old)?;
        first.get_or_insert(rc);
    }
    let rc = first.ok_or("no edit")?;
    let (_, inc_med) = min_median(&mut inc);
    let after_undo = net.result()?;
    if after_undo != r {
        return Err("an edit followed by its undo did not restore the schedule".into());
    }

    let keys = critical_keys(&s, &r);
    if let Some(path) = critical_out {
        let mut text = keys.join("\n");
        text.push('\n');
        std::fs::write(path, text)?;
    }
    let (read_min, read_med) = min_median(&mut read);
    let (_, tokenize_med) = min_median(&mut tokenize);
    let (sched_min, sched_med) = min_median(&mut sched);
    let (run_min, run_med) = min_median(&mut run);
    let mut j = String::new();
    write!(
        j,
        "{{\"file\":{file:?},\"tasks\":{tasks},\"links\":{links},\"calendars\":{cals},\"repeats\":{repeats},\
         \"read_ms\":{read_med:.3},\"read_min_ms\":{read_min:.3},\"tokenize_ms\":{tokenize_med:.3},\
         \"schedule_ms\":{sched_med:.3},\"schedule_min_ms\":{sched_min:.3},\
         \"compile_ms\":{compile_ms:.3},\"run_ms\":{run_med:.3},\"run_min_ms\":{run_min:.3},\
         \"incremental_us\":{inc_med:.2},\"incremental_edits\":{edits},\"incremental_task\":{key:?},\
         \"incremental_forward\":{fwd},\"incremental_backward\":{bwd},\"incremental_full\":{full},\
         \"finish\":\"{finish}\",\"critical_count\":{ncrit},\"critical_hash\":\"{hash}\"}}",
        cals = s.calendars.len(),
        key = s.tasks[mid].key,
        fwd = rc.forward,
        bwd = rc.backward,
        full = rc.full,
        finish = r.finish.format("%Y-%m-%dT%H:%M:%S"),
        ncrit = keys.len(),
        hash = fnv(&keys),
    )?;
    println!("{j}");
    Ok(())
}
