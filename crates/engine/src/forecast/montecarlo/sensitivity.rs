//! Second pass: the tasks' duration draws and the risks' occurrences, drawn again from their
//! streams, correlated with the rank of the project finish.

#![allow(clippy::needless_range_loop)] // lane loops index several arrays in step; they auto-vectorise

use std::sync::atomic::{AtomicU32, Ordering};

use rayon::prelude::*;

use super::sample::{Draw, L, Model, Wide, wide};
use super::{CHUNK, McError, Prepared};

/// Sensitivities of the tasks' draws and the risks' occurrences.
pub(super) struct Sens {
    pub task: Vec<Option<f64>>,
    pub risk: Vec<Option<f64>>,
    pub risk_delta: Vec<Option<f64>>,
}

/// Sums of one chunk for the risks' correlations.
#[derive(Clone)]
struct SensAcc {
    so: Vec<f64>,
    sor: Vec<f64>,
    sod: Vec<f64>,
}

/// Fixed-point scale of the tasks' sums: each chunk's `f32` sums are rounded to multiples of
/// 2^-32 and added as integers, which is exact and associative, so a worker can keep one running
/// sum per task and the workers' sums can be added in any order with the same result.
const FIX: f64 = 4_294_967_296.0;

#[inline(always)]
fn fix(v: f32) -> i128 {
    (f64::from(v) * FIX).round() as i128
}

/// Per task: sums of the centred uniform, its square and its product with the centred rank.
type TaskSums = Vec<[i128; 3]>;

/// `crit` is each task's count of critical iterations. A task whose draw varies but that was never
/// critical and is in no correlation group gets 0 without a pass over its draws: in every
/// iteration it had float, so its duration never moved the finish, and its draws are independent
/// of every other draw; their sample correlation with the finish would be noise around 0. On
/// large networks most tasks are such, so this saves most of the second pass.
pub(super) fn sensitivities(
    p: &Prepared,
    ranks: &[f64],
    days: &[f64],
    iters: u32,
    crit: &[u32],
) -> Result<Sens, McError> {
    let m = &p.model;
    let n = m.draws.len();
    let nr = m.risks.len();
    let varies = |t: usize| m.draws[t].as_ref().is_some_and(Draw::varies);
    // A threshold below zero could leave a finish-driving task (float 0) uncounted.
    let skip = p.net.s.critical_float >= 0;
    let idle = |t: usize| skip && crit[t] == 0 && m.group_of[t] == u32::MAX;
    let varying: Vec<usize> = (0..n).filter(|&t| varies(t) && !idle(t)).collect();
    let nchunks = iters.div_ceil(CHUNK);
    // Ranks centred on their mean ((n + 1) / 2 for average ranks) and uniforms on 1/2, so the
    // per-batch sums stay small and `f32` holds them to ~1e-7 of the correlation's scale.
    let nf = f64::from(iters);
    let mean_rank = ranks.iter().sum::<f64>() / nf;
    let rc: Vec<f32> = ranks.iter().map(|r| (r - mean_rank) as f32).collect();
    // One worker per thread, taking chunks from a shared counter (see `run_range`): the task sums
    // stay per worker (exact, order-free), the risks' per chunk, added in chunk order.
    let workers = rayon::current_num_threads().clamp(1, nchunks.max(1) as usize);
    let next = AtomicU32::new(0);
    let per_worker: Vec<(TaskSums, Vec<(u32, SensAcc)>)> = (0..workers)
        .into_par_iter()
        .map(|_| {
            let mut sums: TaskSums = vec![[0; 3]; varying.len()];
            let mut risks = Vec::new();
            loop {
                let ci = next.fetch_add(1, Ordering::Relaxed);
                if ci >= nchunks {
                    break;
                }
                let chunk = Chunk {
                    m,
                    varying: &varying,
                    ranks,
                    rc: &rc,
                    days,
                    c0: ci * CHUNK,
                    c1: (ci * CHUNK + CHUNK).min(iters),
                    sums: &mut sums,
                };
                risks.push((ci, wide(chunk)));
            }
            (sums, risks)
        })
        .collect();
    let mut sums: TaskSums = vec![[0; 3]; varying.len()];
    let mut parts = Vec::with_capacity(nchunks as usize);
    for (ws, wr) in per_worker {
        for (t, x) in sums.iter_mut().zip(&ws) {
            for k in 0..3 {
                t[k] += x[k];
            }
        }
        parts.extend(wr);
    }
    parts.sort_unstable_by_key(|(ci, _)| *ci);
    let mut tot = SensAcc { so: vec![0.0; nr], sor: vec![0.0; nr], sod: vec![0.0; nr] };
    for (_, a) in &parts {
        for k in 0..nr {
            tot.so[k] += a.so[k];
            tot.sor[k] += a.sor[k];
            tot.sod[k] += a.sod[k];
        }
    }
    let mr = ranks.iter().sum::<f64>() / nf;
    let vr = ranks.iter().map(|r| (r - mr) * (r - mr)).sum::<f64>() / nf;
    let corr = |s1: f64, s2: f64, s12: f64| -> Option<f64> {
        let mu = s1 / nf;
        let vu = s2 / nf - mu * mu;
        if vu <= 1e-12 || vr <= 1e-12 {
            return Some(0.0);
        }
        Some(((s12 / nf - mu * mr) / (vu.sqrt() * vr.sqrt())).clamp(-1.0, 1.0))
    };
    let mut task: Vec<Option<f64>> = (0..n).map(|t| (varies(t) && idle(t)).then_some(0.0)).collect();
    for (i, &t) in varying.iter().enumerate() {
        // The task sums are of the centred values: the correlation is the same once the rank sum
        // is centred too (its mean is 0).
        let [s1, s2, s12] = sums[i].map(|x| x as f64 / FIX);
        let mu = s1 / nf;
        let vu = s2 / nf - mu * mu;
        task[t] = if vu <= 1e-12 || vr <= 1e-12 {
            Some(0.0)
        } else {
            Some(((s12 / nf) / (vu.sqrt() * vr.sqrt())).clamp(-1.0, 1.0))
        };
    }
    let total_days: f64 = days.iter().sum();
    let mut risk = vec![None; nr];
    let mut risk_delta = vec![None; nr];
    for k in 0..nr {
        // Occurrence is 0/1: its square sums to its count.
        risk[k] = corr(tot.so[k], tot.so[k], tot.sor[k]);
        let (c, rest) = (tot.so[k], nf - tot.so[k]);
        if c > 0.0 && rest > 0.0 {
            risk_delta[k] = Some(tot.sod[k] / c - (total_days - tot.sod[k]) / rest);
        }
    }
    Ok(Sens { task, risk, risk_delta })
}

/// Sums of iterations `c0..c1`.
struct Chunk<'a> {
    m: &'a Model,
    varying: &'a [usize],
    ranks: &'a [f64],
    rc: &'a [f32],
    days: &'a [f64],
    c0: u32,
    c1: u32,
    /// The worker's running task sums, added to.
    sums: &'a mut TaskSums,
}

impl Wide for Chunk<'_> {
    type Out = SensAcc;
    #[inline(always)]
    fn run(self) -> SensAcc {
        let (m, varying, ranks, rc, days, c0, c1) =
            (self.m, self.varying, self.ranks, self.rc, self.days, self.c0, self.c1);
        let sums = self.sums;
        let nr = m.risks.len();
        let mut a = SensAcc { so: vec![0.0; nr], sor: vec![0.0; nr], sod: vec![0.0; nr] };
        // The chunk's batches: lane weights (1 for an iteration, 0 past the end), centred ranks and
        // the correlation groups' sums.
        let nb = (c1 - c0).div_ceil(L as u32) as usize;
        let mut w = vec![[0f32; L]; nb];
        let mut rl = vec![[0f32; L]; nb];
        let mut gsum = vec![vec![[0f64; L]; m.groups.len()]; nb];
        for bi in 0..nb {
            let base = c0 as usize + bi * L;
            let lanes = (c1 as usize - base).min(L);
            w[bi][..lanes].fill(1.0);
            rl[bi][..lanes].copy_from_slice(&rc[base..base + lanes]);
            if !m.groups.is_empty() {
                m.group_sums(base as u32, &mut gsum[bi]);
            }
        }
        // Task by task over the chunk: the sums stay in vector registers, one horizontal sum per
        // task and chunk.
        let mut u = [0f32; L];
        for (i, &t) in varying.iter().enumerate() {
            let (mut x1, mut x2, mut xr) = ([0f32; L], [0f32; L], [0f32; L]);
            let mut add = |u: &[f32; L], bi: usize| {
                for j in 0..L {
                    let x = (u[j] - 0.5) * w[bi][j];
                    x1[j] += x;
                    x2[j] += x * x;
                    xr[j] += x * rl[bi][j];
                }
            };
            if m.group_of[t] != u32::MAX {
                for bi in 0..nb {
                    m.task_uniforms(t, c0 + (bi * L) as u32, &gsum[bi], &mut u);
                    add(&u, bi);
                }
            } else {
                // The uniform itself (what `task_uniforms` gives without a group), in a loop of
                // its own so the sums stay in registers.
                let st = m.streams[t];
                for bi in 0..nb {
                    st.lanes(c0 + (bi * L) as u32, &mut u);
                    add(&u, bi);
                }
            }
            let s = &mut sums[i];
            s[0] += fix(hsum(x1));
            s[1] += fix(hsum(x2));
            s[2] += fix(hsum(xr));
        }
        for k in 0..nr {
            let mut base = c0;
            while base < c1 {
                let lanes = ((c1 - base) as usize).min(L);
                let (r, dd) =
                    (&ranks[base as usize..base as usize + lanes], &days[base as usize..base as usize + lanes]);
                m.risk_occurs(k, base, &mut u);
                for j in 0..lanes {
                    let o = f64::from(u[j]);
                    a.so[k] += o;
                    a.sor[k] += o * r[j];
                    a.sod[k] += o * dd[j];
                }
                base += lanes as u32;
            }
        }
        a
    }
}

/// Sum of the lanes in a fixed pairwise order (vectorises, and is the same on every run).
#[inline(always)]
fn hsum(mut v: [f32; L]) -> f32 {
    let mut h = L / 2;
    while h > 0 {
        for j in 0..h {
            v[j] += v[j + h];
        }
        h /= 2;
    }
    v[0]
}
