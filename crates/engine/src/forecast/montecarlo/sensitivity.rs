//! Second pass: the tasks' duration draws and the risks' occurrences, drawn again from their
//! streams, correlated with the rank of the project finish.

#![allow(clippy::needless_range_loop)] // lane loops index several arrays in step; they auto-vectorise

use rayon::prelude::*;

use super::sample::{Draw, L};
use super::{CHUNK, McError, Prepared};

/// Sensitivities of the tasks' draws and the risks' occurrences.
pub(super) struct Sens {
    pub task: Vec<Option<f64>>,
    pub risk: Vec<Option<f64>>,
    pub risk_delta: Vec<Option<f64>>,
}

/// Sums of one chunk for the correlations.
#[derive(Clone)]
struct SensAcc {
    su: Vec<f64>,
    suu: Vec<f64>,
    sur: Vec<f64>,
    so: Vec<f64>,
    sor: Vec<f64>,
    sod: Vec<f64>,
}

pub(super) fn sensitivities(p: &Prepared, ranks: &[f64], days: &[f64], iters: u32) -> Result<Sens, McError> {
    let m = &p.model;
    let n = m.draws.len();
    let nr = m.risks.len();
    let varying: Vec<usize> = (0..n).filter(|&t| m.draws[t].as_ref().is_some_and(Draw::varies)).collect();
    let nchunks = iters.div_ceil(CHUNK);
    let parts: Vec<SensAcc> = (0..nchunks)
        .into_par_iter()
        .map(|ci| {
            let c0 = ci * CHUNK;
            let c1 = (c0 + CHUNK).min(iters);
            let mut a = SensAcc {
                su: vec![0.0; varying.len()],
                suu: vec![0.0; varying.len()],
                sur: vec![0.0; varying.len()],
                so: vec![0.0; nr],
                sor: vec![0.0; nr],
                sod: vec![0.0; nr],
            };
            let mut gsum = vec![[0f64; L]; m.groups.len()];
            let mut u = [0f32; L];
            let mut base = c0;
            while base < c1 {
                let lanes = ((c1 - base) as usize).min(L);
                let r = &ranks[base as usize..base as usize + lanes];
                // Lane weights (1 for the batch's iterations, 0 past the end) and ranks, padded.
                let (mut w, mut rl) = ([0f64; L], [0f64; L]);
                for j in 0..lanes {
                    w[j] = 1.0;
                    rl[j] = r[j];
                }
                let dd = &days[base as usize..base as usize + lanes];
                if !m.groups.is_empty() {
                    m.group_sums(base, &mut gsum);
                }
                for (i, &t) in varying.iter().enumerate() {
                    m.task_uniforms(t, base, &gsum, &mut u);
                    let (mut x, mut xx, mut xr) = ([0f64; L], [0f64; L], [0f64; L]);
                    for j in 0..L {
                        x[j] = f64::from(u[j]) * w[j];
                        xx[j] = x[j] * x[j];
                        xr[j] = x[j] * rl[j];
                    }
                    a.su[i] += hsum(x);
                    a.suu[i] += hsum(xx);
                    a.sur[i] += hsum(xr);
                }
                for k in 0..nr {
                    m.risk_occurs(k, base, &mut u);
                    for j in 0..lanes {
                        let o = f64::from(u[j]);
                        a.so[k] += o;
                        a.sor[k] += o * r[j];
                        a.sod[k] += o * dd[j];
                    }
                }
                base += lanes as u32;
            }
            a
        })
        .collect();
    let mut tot = SensAcc {
        su: vec![0.0; varying.len()],
        suu: vec![0.0; varying.len()],
        sur: vec![0.0; varying.len()],
        so: vec![0.0; nr],
        sor: vec![0.0; nr],
        sod: vec![0.0; nr],
    };
    for a in &parts {
        for i in 0..varying.len() {
            tot.su[i] += a.su[i];
            tot.suu[i] += a.suu[i];
            tot.sur[i] += a.sur[i];
        }
        for k in 0..nr {
            tot.so[k] += a.so[k];
            tot.sor[k] += a.sor[k];
            tot.sod[k] += a.sod[k];
        }
    }
    let nf = f64::from(iters);
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
    let mut task = vec![None; n];
    for (i, &t) in varying.iter().enumerate() {
        task[t] = corr(tot.su[i], tot.suu[i], tot.sur[i]);
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

/// Sum of the lanes in a fixed pairwise order (vectorises, and is the same on every run).
#[inline(always)]
fn hsum(mut v: [f64; L]) -> f64 {
    let mut h = L / 2;
    while h > 0 {
        for j in 0..h {
            v[j] += v[j + h];
        }
        h /= 2;
    }
    v[0]
}
