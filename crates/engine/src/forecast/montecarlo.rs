//! Monte Carlo schedule risk analysis on the CPM network.
//!
//! [`simulate`] draws every task's duration from its three-point [`Estimate`] (or a
//! [`DefaultRange`] of its planned duration), adds the [`RiskEvent`]s that occur, and schedules each
//! iteration with the same rules as [`crate::schedule::schedule`]: links, lags, calendars,
//! constraints, progress and the schedule's [`Mode`](crate::schedule::Mode). From the iterations it
//! reports the finish-date distribution of the project and of each milestone, the chance of
//! meeting the baseline finish and each deadline, each task's criticality index and duration
//! sensitivity, a tornado of the drivers, and the cost at completion.
//!
//! Two kernels compute an iteration, with the same results:
//! - a **fast kernel** for the common network (one project on one calendar, links on that calendar,
//!   no constraints, no progress, no as-late-as-possible or level-of-effort activities): compiled
//!   once to arrays in topological order, iterations in lanes of 16 working-minute offsets, dates
//!   only at the end;
//! - a **general path** for everything else: the compiled [`Network`] with the iteration's
//!   durations, run in full.
//!
//! Random numbers are a pure function of (seed, stream, iteration): the result depends on the
//! input and seed only, not on the number of threads. Iterations run in chunks of
//! [`CHUNK`] on rayon, one worker per thread. The fast kernel's lane loops run under `pulp`'s
//! runtime dispatch (AVX2 where the CPU has it), with the same results bit for bit on every path.
//!
//! Conventions:
//! - A started task draws its *remaining* duration: its estimate is scaled by remaining over
//!   planned duration. A finished task keeps its actual dates; estimates on it are ignored.
//! - A task with no estimate draws from the default range (unless `default_range` is `None`);
//!   [`McResult::defaulted_tasks`] lists those tasks. Milestones, summaries, inactive, manually
//!   scheduled and level-of-effort tasks keep their durations.
//! - Duration sensitivity is the rank correlation of the quantile of a task's own duration draw
//!   (which ranks exactly as its drawn duration) with the rank of the project finish. A risk's is
//!   the rank correlation of its occurrence with the finish.
//! - Cost at completion: each task's cost ([`Task::cost_minor`](crate::schedule::Task::cost_minor),
//!   else its baseline-0 cost) times its drawn over its planned duration, plus the cost of each risk
//!   that occurs.

mod fast;
mod general;
mod sample;
mod sensitivity;
mod stats;
mod types;

use std::sync::atomic::{AtomicU32, Ordering};

use rayon::prelude::*;

use crate::schedule::calendar::{from_clock, to_clock};
use crate::schedule::network::{F_FINISHED, F_LOE, F_STARTED, Role, label};
use crate::schedule::{Network, Schedule, TaskIx};

use sample::{Draw, Group, L, MAX_DRAW, Model, RiskModel, Tables};
use stats::{date_distribution, value_stats};

pub use stats::{DateDistribution, HistogramBin, ValueStats};
pub use types::*;

/// Iterations per chunk: the unit of parallel work (fixed, so results do not depend on threads).
pub const CHUNK: u32 = 256;

/// Per-task accumulators of one chunk.
#[derive(Debug, Clone)]
struct TaskAcc {
    pub crit: Vec<u32>,
    pub fmin: Vec<i64>,
    pub fmax: Vec<i64>,
}

impl TaskAcc {
    fn new(n: usize) -> TaskAcc {
        TaskAcc { crit: vec![0; n], fmin: vec![i64::MAX; n], fmax: vec![i64::MIN; n] }
    }

    fn merge(&mut self, o: &TaskAcc) {
        for t in 0..self.crit.len() {
            self.crit[t] += o.crit[t];
            self.fmin[t] = self.fmin[t].min(o.fmin[t]);
            self.fmax[t] = self.fmax[t].max(o.fmax[t]);
        }
    }
}

/// What a kernel does per batch of `L` iterations.
trait IterKernel: Send {
    /// Schedules the batch's first `lanes` iterations: project finish clocks into `finish`, tracked
    /// tasks' finish clocks into `tracked`, criticality and finish range into the kernel's own
    /// accumulators.
    fn batch(
        &mut self,
        b: &sample::Batch,
        lanes: usize,
        finish: &mut [i64; L],
        tracked: &mut [[i64; L]],
    ) -> Result<(), McError>;
    /// Merges the accumulators into `acc` and resets them.
    fn drain(&mut self, acc: &mut TaskAcc);
    /// Whether the kernel draws the plain triangular tasks ([`Model::tri`]) itself, in its
    /// forward pass, so the sampler skips them.
    fn fuses_tri(&self) -> bool {
        false
    }
}

/// Output of one chunk.
struct ChunkOut {
    finish: Vec<i64>,
    tracked: Vec<Vec<i64>>,
    cost: Vec<f64>,
}

fn est_err(s: &Schedule, t: TaskIx, field: &'static str, message: impl Into<String>) -> McError {
    let name = s.tasks.get(t).map_or_else(|| format!("#{t}"), |x| format!("#{t} {}", label(x)));
    McError::Estimate { task: name, field, message: message.into() }
}

fn check_estimate(e: &Estimate) -> Result<(), (&'static str, String)> {
    let (o, m, p) = (e.optimistic_minutes, e.most_likely_minutes, e.pessimistic_minutes);
    if o < 0 {
        return Err(("optimistic_minutes", format!("{o} is negative")));
    }
    if m < o {
        return Err(("most_likely_minutes", format!("{m} is below optimistic {o}")));
    }
    if p < m {
        return Err(("pessimistic_minutes", format!("{p} is below most likely {m}")));
    }
    if p as f64 > f64::from(MAX_DRAW) {
        return Err(("pessimistic_minutes", format!("{p} is above the supported {MAX_DRAW} minutes")));
    }
    if e.distribution == Distribution::LogNormal && m == 0 && p > 0 {
        return Err(("most_likely_minutes", "a lognormal needs a most likely above 0".into()));
    }
    Ok(())
}

/// Everything compiled from the input, shared by the chunks.
struct Prepared {
    model: Model,
    net: Network,
    /// Finish of the deterministic schedule (the network as compiled, run once).
    det_finish: chrono::NaiveDateTime,
    /// Tracked tasks: milestones first, then deadline tasks that are not milestones.
    tracked: Vec<u32>,
    milestones: usize,
    defaulted: Vec<TaskIx>,
    /// Network tasks (Task or Manual role), index order.
    in_net: Vec<bool>,
}

fn prepare(schedule: &Schedule, input: &McInput) -> Result<Prepared, McError> {
    if input.iterations == 0 {
        return Err(McError::Input { field: "iterations", message: "must be at least 1".into() });
    }
    if !(1..=1000).contains(&input.histogram_bins) {
        return Err(McError::Input {
            field: "histogram_bins",
            message: format!("{} is not in 1..=1000", input.histogram_bins),
        });
    }
    if input.threads == Some(0) {
        return Err(McError::Input { field: "threads", message: "must be at least 1".into() });
    }
    if let Some(c) = input.convergence
        && (c.check_every == 0 || c.tolerance_minutes < 0)
    {
        return Err(McError::Input {
            field: "convergence",
            message: "check_every must be at least 1 and tolerance_minutes not negative".into(),
        });
    }
    let mut net = Network::compile(schedule)?;
    let det_finish = net.run()?.finish;
    let n = schedule.tasks.len();
    let s = &net.s;
    let in_net: Vec<bool> = (0..n).map(|t| matches!(s.role[t], Role::Task | Role::Manual)).collect();
    // Tasks whose duration can be drawn: scheduled by the engine, not finished, not a milestone or
    // level of effort.
    let drawable = |t: usize| {
        s.role[t] == Role::Task && s.flags[t] & (F_FINISHED | F_LOE) == 0 && !schedule.tasks[t].is_milestone()
    };
    let mut tables = Tables::default();
    let mut draws: Vec<Option<Draw>> = vec![None; n];
    let mut done = vec![0f32; n];
    let planned: Vec<f32> = (0..n).map(|t| s.dur[t] as f32).collect();
    let mut has_est = vec![false; n];
    let scale_of = |t: usize| -> f64 {
        if s.flags[t] & F_STARTED != 0 && s.dur[t] > 0 { s.rem[t] as f64 / s.dur[t] as f64 } else { 1.0 }
    };
    for &(t, e) in &input.estimates {
        if t >= n {
            return Err(est_err(schedule, t, "task", format!("no task with index {t} ({n} tasks)")));
        }
        check_estimate(&e).map_err(|(f, m)| est_err(schedule, t, f, m))?;
        if has_est[t] {
            return Err(est_err(schedule, t, "task", "the task has two estimates"));
        }
        has_est[t] = true;
        if !drawable(t) {
            if s.role[t] == Role::Task && s.flags[t] & F_FINISHED != 0 {
                continue; // finished: the actual dates stand
            }
            return Err(est_err(
                schedule,
                t,
                "task",
                "only unfinished, automatically scheduled tasks with a duration take an estimate \
                 (not summaries, milestones, inactive, manual or level-of-effort tasks)",
            ));
        }
        draws[t] = Some(Draw::new(&e, scale_of(t), &mut tables));
    }
    let mut defaulted = Vec::new();
    if let Some(dr) = input.default_range {
        if !(dr.optimistic_pct <= dr.most_likely_pct && dr.most_likely_pct <= dr.pessimistic_pct) {
            return Err(McError::Input {
                field: "default_range",
                message: "optimistic_pct <= most_likely_pct <= pessimistic_pct is required".into(),
            });
        }
        for t in 0..n {
            if has_est[t] || !drawable(t) || s.dur[t] == 0 {
                continue;
            }
            let base = if s.flags[t] & F_STARTED != 0 { s.rem[t] } else { s.dur[t] };
            let pct = |p: u32| (base as f64 * f64::from(p) / 100.0).round() as i64;
            let e = Estimate {
                optimistic_minutes: pct(dr.optimistic_pct),
                most_likely_minutes: pct(dr.most_likely_pct),
                pessimistic_minutes: pct(dr.pessimistic_pct),
                distribution: dr.distribution,
            };
            if e.pessimistic_minutes as f64 > f64::from(MAX_DRAW) {
                return Err(est_err(
                    schedule,
                    t,
                    "default_range",
                    "the drawn duration would exceed the supported range",
                ));
            }
            // Defaults are already relative to the remaining duration.
            draws[t] = Some(Draw::new(&e, 1.0, &mut tables));
            defaulted.push(t);
        }
    }
    for t in 0..n {
        if draws[t].is_some() && s.flags[t] & F_STARTED != 0 {
            done[t] = (s.dur[t] - s.rem[t]) as f32;
        }
    }
    // Risks.
    let mut risks = Vec::with_capacity(input.risks.len());
    let mut per_task: Vec<Vec<u32>> = vec![Vec::new(); n];
    for (ri, r) in input.risks.iter().enumerate() {
        let rerr = |field: &'static str, message: String| McError::Risk {
            risk: format!("#{ri} {} {}", r.key, r.name).trim_end().to_string(),
            field,
            message,
        };
        if !(r.probability.is_finite() && (0.0..=1.0).contains(&r.probability)) {
            return Err(rerr("probability", format!("{} is not in 0..=1", r.probability)));
        }
        check_estimate(&r.impact).map_err(|(f, m)| rerr("impact", format!("{f}: {m}")))?;
        for &t in &r.tasks {
            if t >= n {
                return Err(rerr("tasks", format!("no task with index {t} ({n} tasks)")));
            }
            if !drawable(t) {
                if s.role[t] == Role::Task && s.flags[t] & F_FINISHED != 0 {
                    continue;
                }
                return Err(rerr("tasks", format!("task #{t} {} has no duration to delay", label(&schedule.tasks[t]))));
            }
            if !per_task[t].contains(&(ri as u32)) {
                per_task[t].push(ri as u32);
            }
        }
        risks.push(RiskModel {
            probability: r.probability as f32,
            impact: Draw::new(&r.impact, 1.0, &mut tables),
            cost: r.cost_minor as f64,
        });
    }
    let mut risk_off = vec![0u32; n + 1];
    let mut risk_ix = Vec::new();
    for t in 0..n {
        risk_ix.extend_from_slice(&per_task[t]);
        risk_off[t + 1] = risk_ix.len() as u32;
    }
    // Correlation groups.
    let mut group_of = vec![u32::MAX; n];
    let mut groups = Vec::new();
    for (gi, g) in input.correlations.iter().enumerate() {
        let gerr = |field: &'static str, message: String| McError::Correlation {
            group: format!("#{gi} {}", g.name).trim_end().to_string(),
            field,
            message,
        };
        if !(g.rho.is_finite() && (-1.0..=1.0).contains(&g.rho)) {
            return Err(gerr("rho", format!("{} is not in -1..=1", g.rho)));
        }
        if g.tasks.len() < 2 {
            return Err(gerr("tasks", "a group needs at least two tasks".into()));
        }
        let mut members = Vec::new();
        for &t in &g.tasks {
            if t >= n {
                return Err(gerr("tasks", format!("no task with index {t} ({n} tasks)")));
            }
            if group_of[t] != u32::MAX {
                return Err(gerr("tasks", format!("task #{t} {} is in two groups", label(&schedule.tasks[t]))));
            }
            group_of[t] = groups.len() as u32;
            members.push(t as u32);
        }
        let grp = Group::new(members, g.rho).ok_or_else(|| {
            gerr("rho", format!("{} is below -1/(members-1) = {:.4}", g.rho, -1.0 / (g.tasks.len() as f64 - 1.0)))
        })?;
        groups.push(grp);
    }
    // Costs.
    let mut cost_fixed = 0f64;
    let mut cost_rate = Vec::new();
    let mut has_cost = input.risks.iter().any(|r| r.cost_minor != 0);
    for (t, task) in schedule.tasks.iter().enumerate() {
        if s.role[t] == Role::Summary {
            continue;
        }
        let c = task.cost_minor.or_else(|| task.baselines.iter().find(|b| b.number == 0).and_then(|b| b.cost_minor));
        let Some(c) = c else { continue };
        has_cost = true;
        let varies = draws[t].is_some() || risk_off[t] != risk_off[t + 1];
        if varies && s.dur[t] > 0 && s.role[t] != Role::Inactive {
            cost_rate.push((t as u32, c as f64 / s.dur[t] as f64));
        } else {
            cost_fixed += c as f64;
        }
    }
    // Tracked tasks.
    let mut tracked: Vec<u32> =
        (0..n).filter(|&t| in_net[t] && schedule.tasks[t].is_milestone()).map(|t| t as u32).collect();
    let milestones = tracked.len();
    tracked.extend(
        (0..n)
            .filter(|&t| in_net[t] && !schedule.tasks[t].is_milestone() && schedule.tasks[t].deadline.is_some())
            .map(|t| t as u32),
    );
    let mut model = Model {
        streams: (0..n).map(|t| sample::task_stream(input.seed, t)).collect(),
        risk_streams: (0..risks.len())
            .map(|r| (sample::risk_occ_stream(input.seed, r), sample::risk_impact_stream(input.seed, r)))
            .collect(),
        draws,
        done,
        planned,
        group_of,
        groups,
        tables,
        risks,
        risk_off,
        risk_ix,
        cost_fixed,
        cost_rate,
        has_cost,
        tri: Vec::new(),
        rest: Vec::new(),
    };
    model.split();
    Ok(Prepared { model, net, det_finish, tracked, milestones, defaulted, in_net })
}

/// What one worker of [`run_range`] computed: its chunks with their indices, and its accumulators.
type WorkerOut = (Vec<(u32, ChunkOut)>, TaskAcc);

/// Runs `count` iterations from `start` in chunks on the current rayon pool: the chunks' outputs
/// in chunk order, and the task accumulators of all of them.
///
/// One worker per thread makes its kernel and batch once (a 10k network's buffers are a few MB:
/// made per rayon split they cost more in page faults than the iterations) and takes chunks from a
/// shared counter. Each chunk's output depends on its index only, and the task accumulators
/// (counts, minimums, maximums) merge in any order, so the result does not depend on the threads.
fn run_range(
    p: &Prepared,
    make: &(dyn Fn() -> Box<dyn IterKernel> + Sync),
    start: u32,
    count: u32,
) -> Result<(Vec<ChunkOut>, TaskAcc), McError> {
    let n = p.model.planned.len();
    let nchunks = count.div_ceil(CHUNK);
    let workers = rayon::current_num_threads().clamp(1, nchunks.max(1) as usize);
    let next = AtomicU32::new(0);
    let per_worker: Vec<Result<WorkerOut, McError>> = (0..workers)
        .into_par_iter()
        .map(|_| {
            let mut k = make();
            let mut b = p.model.batch();
            b.fused = k.fuses_tri();
            let mut acc = TaskAcc::new(n);
            let mut outs = Vec::new();
            let mut fin = [0i64; L];
            let mut tr = vec![[0i64; L]; p.tracked.len()];
            loop {
                let ci = next.fetch_add(1, Ordering::Relaxed);
                if ci >= nchunks {
                    break;
                }
                let c0 = start + ci * CHUNK;
                let c1 = (c0 + CHUNK).min(start + count);
                let m = (c1 - c0) as usize;
                let mut out = ChunkOut {
                    finish: Vec::with_capacity(m),
                    tracked: vec![Vec::with_capacity(m); p.tracked.len()],
                    cost: Vec::with_capacity(m),
                };
                let mut base = c0;
                while base < c1 {
                    let lanes = ((c1 - base) as usize).min(L);
                    p.model.sample(base, &mut b);
                    if lanes < L {
                        // Unused lanes repeat lane 0, so ranges are unaffected.
                        for d in b.dur.iter_mut() {
                            let v = d[0];
                            d[lanes..].fill(v);
                        }
                    }
                    k.batch(&b, lanes, &mut fin, &mut tr)?;
                    out.finish.extend_from_slice(&fin[..lanes]);
                    for (i, x) in tr.iter().enumerate() {
                        out.tracked[i].extend_from_slice(&x[..lanes]);
                    }
                    out.cost.extend_from_slice(&b.cost[..lanes]);
                    base += lanes as u32;
                }
                // Per chunk, so a kernel's lane counters never grow past a chunk's iterations.
                k.drain(&mut acc);
                outs.push((ci, out));
            }
            Ok((outs, acc))
        })
        .collect();
    let mut chunks = Vec::with_capacity(nchunks as usize);
    let mut acc = TaskAcc::new(n);
    for w in per_worker {
        let (outs, a) = w?;
        chunks.extend(outs);
        acc.merge(&a);
    }
    chunks.sort_unstable_by_key(|(ci, _)| *ci);
    Ok((chunks.into_iter().map(|(_, c)| c).collect(), acc))
}

/// Simulates `schedule` under the uncertainty in `input` and summarises the iterations.
///
/// # Arguments
/// - `schedule`: the plan, as [`crate::schedule::schedule`] takes it (progress, calendars, mode).
/// - `input`: estimates, default range, risks, correlations and run settings; see [`McInput`].
///
/// # Errors
/// - [`McError::Schedule`] when the schedule cannot be computed (a loop, an invalid field).
/// - [`McError::Estimate`], [`McError::Risk`], [`McError::Correlation`] naming the task, risk or
///   group and the field: a task index out of range or not schedulable, `o <= m <= p` broken, a
///   negative or too large estimate (above 4,194,303 minutes), a probability outside 0..=1, a
///   correlation outside -1..=1 or below `-1/(members-1)`, a task in two groups.
/// - [`McError::Input`]: zero iterations or threads, histogram bins outside 1..=1000, a zero
///   convergence interval.
///
/// # Complexity
/// O(iterations x (tasks + links)) time in two passes (the second redraws the durations for the
/// sensitivities, O(iterations x tasks) at most, only for the tasks that were ever critical or are
/// in a correlation group), plus O(iterations log iterations) for the percentiles;
/// O(iterations x (milestones + deadlines) + tasks x threads) memory.
///
/// # Example
/// ```
/// use keel_engine::forecast::montecarlo::{McInput, simulate};
/// use keel_engine::schedule::generate::{GenOptions, Shape, generate};
/// let s = generate(&GenOptions { tasks: 200, shape: Shape::Simple, seed: 3 });
/// let r = simulate(&s, &McInput { iterations: 500, seed: 42, ..Default::default() }).unwrap();
/// assert_eq!(r.iterations, 500);
/// assert!(r.finish.p10 <= r.finish.p50 && r.finish.p50 <= r.finish.p80 && r.finish.p80 <= r.finish.p90);
/// // Every task without an estimate drew from the default range, and says so.
/// assert_eq!(r.defaulted_tasks.len(), 200);
/// assert_eq!(r, simulate(&s, &McInput { iterations: 500, seed: 42, threads: Some(1), ..Default::default() }).unwrap());
/// ```
pub fn simulate(schedule: &Schedule, input: &McInput) -> Result<McResult, McError> {
    let p = prepare(schedule, input)?;
    let fast = match input.kernel {
        KernelChoice::Auto => fast::Fast::compile(&p.net, &p.model, &p.tracked),
        KernelChoice::General => None,
    };
    let kernel = if fast.is_some() { Kernel::Fast } else { Kernel::General };
    let make: Box<dyn Fn() -> Box<dyn IterKernel> + Sync> = match fast {
        Some(f) => Box::new(move || Box::new(f.clone()) as Box<dyn IterKernel>),
        None => {
            let g = general::General::new(&p.net, &p.model, &p.tracked);
            Box::new(move || Box::new(g.clone()) as Box<dyn IterKernel>)
        }
    };
    let work = || -> Result<McResult, McError> { drive(schedule, input, &p, &*make, kernel) };
    match input.threads {
        None => work(),
        Some(k) => rayon::ThreadPoolBuilder::new()
            .num_threads(k)
            .build()
            .map_err(|e| McError::Input { field: "threads", message: e.to_string() })?
            .install(work),
    }
}

fn drive(
    schedule: &Schedule,
    input: &McInput,
    p: &Prepared,
    make: &(dyn Fn() -> Box<dyn IterKernel> + Sync),
    kernel: Kernel,
) -> Result<McResult, McError> {
    let n = schedule.tasks.len();
    let mut cals = p.net.cals.clone();
    let pstart = schedule.projects.iter().map(|x| to_clock(x.start)).min().unwrap_or(0);
    let pcal = schedule.projects.first().map_or(0, |x| x.calendar);
    let per_day = f64::from(schedule.options.minutes_per_day.max(1));
    let mut days_of = |c: i64| -> f64 {
        let cal = cals.get_mut(pcal);
        (cal.ordinal(c) - cal.ordinal(pstart)) as f64 / per_day
    };
    // Iterate, in rounds when checking convergence.
    let round = match input.convergence {
        Some(c) => c.check_every.div_ceil(CHUNK).max(1).saturating_mul(CHUNK),
        None => input.iterations,
    };
    let mut finish: Vec<i64> = Vec::with_capacity(input.iterations as usize);
    let mut tracked: Vec<Vec<i64>> = vec![Vec::new(); p.tracked.len()];
    let mut cost: Vec<f64> = Vec::new();
    let mut acc = TaskAcc::new(n);
    let mut done = 0u32;
    let mut converged = input.convergence.map(|_| false);
    let mut last_p80: Option<f64> = None;
    while done < input.iterations {
        let count = round.min(input.iterations - done);
        let (chunks, a) = run_range(p, make, done, count)?;
        for c in chunks {
            finish.extend_from_slice(&c.finish);
            for (i, v) in c.tracked.iter().enumerate() {
                tracked[i].extend_from_slice(v);
            }
            cost.extend_from_slice(&c.cost);
        }
        acc.merge(&a);
        done += count;
        if let Some(conv) = input.convergence {
            let mut sorted = finish.clone();
            sorted.sort_unstable();
            let p80 = days_of(stats::percentile(&sorted, 0.8)) * per_day;
            if let Some(prev) = last_p80
                && (p80 - prev).abs() <= conv.tolerance_minutes as f64
            {
                converged = Some(true);
                break;
            }
            last_p80 = Some(p80);
        }
    }
    let iters = done;
    let nf = finish.len() as f64;
    let bins = input.histogram_bins as usize;
    let finish_dist = date_distribution(&finish, bins);
    let dur_days: Vec<f64> = finish.iter().map(|&c| days_of(c)).collect();
    let duration_days = value_stats(&dur_days);
    let det_clock = to_clock(p.det_finish);
    let p_meet_deterministic = finish.iter().filter(|&&c| c <= det_clock).count() as f64 / nf;
    let baseline_finish =
        schedule.tasks.iter().filter_map(|t| t.baselines.iter().find(|b| b.number == 0).and_then(|b| b.finish)).max();
    let p_meet_baseline = baseline_finish.map(|b| {
        let bc = to_clock(b);
        finish.iter().filter(|&&c| c <= bc).count() as f64 / nf
    });
    let mut milestones = Vec::new();
    let mut deadlines = Vec::new();
    for (i, &t) in p.tracked.iter().enumerate() {
        let t = t as usize;
        if i < p.milestones {
            milestones.push(MilestoneOutcome { task: t, finish: date_distribution(&tracked[i], bins) });
        }
        if let Some(d) = schedule.tasks[t].deadline {
            let dc = to_clock(d);
            let prob = tracked[i].iter().filter(|&&c| c <= dc).count() as f64 / nf;
            deadlines.push(DeadlineOutcome { task: t, deadline: d, probability: prob });
        }
    }
    deadlines.sort_by_key(|d| d.task);
    // Second pass: sensitivities against the finish ranks.
    let ranks = stats::average_ranks(&finish);
    let sens = sensitivity::sensitivities(p, &ranks, &dur_days, iters, &acc.crit)?;
    let mut defaulted_flag = vec![false; n];
    for &t in &p.defaulted {
        defaulted_flag[t] = true;
    }
    let mut tasks = Vec::new();
    for (t, &defaulted) in defaulted_flag.iter().enumerate() {
        if !p.in_net[t] {
            continue;
        }
        tasks.push(TaskOutcome {
            task: t,
            criticality: f64::from(acc.crit[t]) / nf,
            sensitivity: sens.task[t],
            finish_min: from_clock(acc.fmin[t]),
            finish_max: from_clock(acc.fmax[t]),
            defaulted,
        });
    }
    // The 20 strongest drivers (ties keep tasks before risks, in index order); labels are
    // formatted for those 20 only. A correlation of exactly 0 (a task that never drove the
    // finish, a risk that always or never occurred) is no driver and gets no bar.
    let mut drivers: Vec<(Driver, f64, Option<f64>)> = Vec::new();
    for t in 0..n {
        if let Some(c) = sens.task[t]
            && c != 0.0
        {
            drivers.push((Driver::Task { task: t }, c, None));
        }
    }
    for r in 0..input.risks.len() {
        if let Some(c) = sens.risk[r]
            && c != 0.0
        {
            drivers.push((Driver::Risk { risk: r }, c, sens.risk_delta[r]));
        }
    }
    // Strongest first, ties in push order: selecting the top 20 then sorting them gives what a
    // stable sort of the whole list would.
    let cmp = |&a: &usize, &b: &usize| drivers[b].1.abs().total_cmp(&drivers[a].1.abs()).then(a.cmp(&b));
    let mut top: Vec<usize> = (0..drivers.len()).collect();
    if top.len() > 20 {
        top.select_nth_unstable_by(19, cmp);
        top.truncate(20);
    }
    top.sort_by(cmp);
    let tornado: Vec<TornadoEntry> = top
        .into_iter()
        .map(|i| drivers[i])
        .map(|(driver, correlation, finish_delta_days)| TornadoEntry {
            driver,
            label: match driver {
                Driver::Task { task } => label(&schedule.tasks[task]),
                Driver::Risk { risk } => {
                    let r = &input.risks[risk];
                    format!("{} {}", r.key, r.name).trim().to_string()
                }
            },
            correlation,
            finish_delta_days,
        })
        .collect();
    let cost = p.model.has_cost.then(|| value_stats(&cost.iter().map(|c| c.round()).collect::<Vec<_>>()));
    Ok(McResult {
        engine_version: crate::forecast::ENGINE_VERSION.to_string(),
        seed: input.seed,
        iterations: iters,
        requested_iterations: input.iterations,
        converged,
        kernel,
        deterministic_finish: p.det_finish,
        p_meet_deterministic,
        finish: finish_dist,
        duration_days,
        baseline_finish,
        p_meet_baseline,
        milestones,
        deadlines,
        tasks,
        tornado,
        cost,
        defaulted_tasks: p.defaulted.clone(),
    })
}
