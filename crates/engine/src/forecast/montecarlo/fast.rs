//! The fast kernel: the common network compiled once to flat arrays in topological order, every
//! date a working-minute offset from the project start on the one calendar, iterations in lanes of
//! `L` so the passes auto-vectorise. Dates are read off the calendar only for the project finish,
//! the tracked tasks and each task's finish range.
//!
//! It computes exactly what [`Network`] computes for the networks it accepts
//! ([`Fast::compile`] returns `None` for the others); the property tests check that against the
//! general path.

#![allow(clippy::needless_range_loop)] // lane loops index several arrays in step; they auto-vectorise

use crate::schedule::Network;
use crate::schedule::calendar::WorkCalendar;
use crate::schedule::network::{
    A_FAST, A_LOE, F_ALAP, F_CONS, F_ELAPSED, F_FINISHED, F_LOE, F_RES, F_STARTED, NONE, Role,
};
use crate::schedule::{LinkType, Mode};

use super::sample::{Batch, L, Model, Tri, Wide, mn, mx, wide};
use super::{IterKernel, McError, TaskAcc};

/// Half a lane batch: the width the per-position accumulators are folded to (lane `j` holds lanes
/// `j` and `j + H`). (Folding to a quarter saves memory but costs more instructions than it saves
/// in cache misses on a 10k network.)
const H: usize = L / 2;
/// An empty finish range.
const KRANGE0: [[f32; H]; 2] = [[f32::INFINITY; H], [f32::NEG_INFINITY; H]];

/// How many positions ahead of the forward pass the plain triangular draws are made.
const DRAW_AHEAD: usize = 64;

/// Offsets must stay below this for `f32` to hold them (and twice them) exactly.
const LIMIT: f64 = 4_194_304.0;

const FS: u8 = 0;
const SS: u8 = 1;
const FF: u8 = 2;
const SF: u8 = 3;

/// The compiled network and the per-worker buffers.
#[derive(Debug, Clone)]
pub(super) struct Fast {
    /// Network task at each topological position.
    order: Vec<u32>,
    pred_off: Vec<u32>,
    pred_pos: Vec<u32>,
    pred_kind: Vec<u8>,
    pred_lag: Vec<f32>,
    /// The link's requirement reads as a finish (lag > 0, or no lag on FS/FF).
    pred_fs: Vec<bool>,
    succ_off: Vec<u32>,
    succ_pos: Vec<u32>,
    succ_kind: Vec<u8>,
    succ_lag: Vec<f32>,
    /// Only finish-to-start links without lags: the plain passes.
    plain: bool,
    ms: bool,
    /// P6 data date as an offset (negative infinity when unset or in MS Project mode).
    pdata: f32,
    crit_float: f32,
    /// Ordinal of the project start on the calendar.
    base: i64,
    cal: WorkCalendar,
    /// The task's duration can be zero (its finish then reads as a start or a finish).
    zero: Vec<bool>,
    /// Deadline of each position as an offset (infinity when none).
    deadline: Vec<f32>,
    /// Slot of each position among the tracked tasks, `u32::MAX` when not tracked.
    slot: Vec<u32>,
    /// Plain triangular tasks the forward pass draws itself (the sampler skips them), and per
    /// position the index of its entry, `u32::MAX` for the others (read from the batch).
    tris: Vec<Tri>,
    /// Position of each `tris` entry, ascending.
    tri_pos: Vec<u32>,
    tri_at: Vec<u32>,
    /// Per position: this batch's durations of the `tris` positions.
    dur: Vec<[f32; L]>,
    /// Per position: the early finish after the forward pass, which the backward pass overwrites
    /// with the late start once it has read it (successors come later in topological order), so
    /// the passes touch two arrays per batch instead of three and stay in L2.
    ef: Vec<[f32; L]>,
    keys: Vec<[f32; L]>,
    /// Per position: smallest and largest finish key seen, folded to `H` lanes: a vertical
    /// min/max per batch instead of a horizontal reduction.
    krange: Vec<[[f32; H]; 2]>,
    /// Per position: critical iterations, folded to `H` lanes the same way.
    crit: Vec<[f32; H]>,
}

impl Fast {
    /// Compiles `net` when every network task is an unstarted, unconstrained, automatically
    /// scheduled task on one calendar of one project, linked on that calendar, with no ALAP,
    /// level-of-effort, elapsed, resource-driven or percent-lag features and dates that stay within
    /// 2^22 working minutes of the start; `None` otherwise.
    pub(super) fn compile(net: &Network, m: &Model, tracked: &[u32]) -> Option<Fast> {
        let s = &net.s;
        if s.full_only
            || s.has_alap
            || s.has_loe
            || s.critical_by_longest_path
            || !s.pcts.is_empty()
            || !s.odd.is_empty()
            || s.pairs.len() != 1
            || s.pstart.len() != 1
            || s.pfinish_cons.iter().any(|&c| c != NONE)
            || s.order.is_empty()
        {
            return None;
        }
        let cal_ix = s.pairs[0].1;
        let bad = F_ELAPSED | F_STARTED | F_FINISHED | F_ALAP | F_RES | F_LOE;
        let mut cal = net.cals.get(cal_ix as usize)?.clone();
        let base = net.st.pstart_ord[0];
        let mut deadline = Vec::with_capacity(s.order.len());
        // Largest duration each position can draw, for the bound on the offsets below.
        let mut most = Vec::with_capacity(s.order.len());
        let mut zero = Vec::with_capacity(s.order.len());
        for &t in &s.order {
            let t = t as usize;
            if s.role[t] != Role::Task || s.flags[t] & bad != 0 || s.cal[t] != cal_ix || s.pc[t] != 0 {
                return None;
            }
            let (lo, hi) = match &m.draws[t] {
                Some(d) => (d.min(), d.max()),
                None => (m.planned[t], m.planned[t]),
            };
            let risk: f32 =
                (m.risk_off[t]..m.risk_off[t + 1]).map(|k| m.risks[m.risk_ix[k as usize] as usize].impact.max()).sum();
            most.push(f64::from(hi + risk));
            zero.push(lo <= 0.0);
            // A deadline only bounds the late dates; other constraints need the general path.
            let mut dl = f32::INFINITY;
            if s.flags[t] & F_CONS != 0 {
                let c = s.cons[s.cons_ix[t] as usize];
                if c.primary.is_some() || c.secondary.is_some() || c.floor != NONE || c.deadline == NONE {
                    return None;
                }
                let w = cal.ordinal(c.deadline) - base;
                if (w.abs() as f64) >= LIMIT {
                    return None;
                }
                dl = w as f32;
            }
            deadline.push(dl);
        }
        let pos = &s.pos;
        let (mut pred_off, mut pred_pos, mut pred_kind, mut pred_lag, mut pred_fs) =
            (vec![0u32], Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let mut plain = true;
        for &t in &s.order {
            let t = t as usize;
            for a in &s.preds[s.pred_off[t] as usize..s.pred_off[t + 1] as usize] {
                if a.flags & A_FAST == 0 || a.flags & A_LOE != 0 {
                    return None;
                }
                pred_pos.push(pos[a.other as usize]);
                pred_kind.push(kind(a.kind));
                pred_lag.push(a.lag as f32);
                pred_fs.push(a.lag > 0 || (a.lag == 0 && matches!(a.kind, LinkType::FS | LinkType::FF)));
                plain &= a.kind == LinkType::FS && a.lag == 0;
            }
            pred_off.push(pred_pos.len() as u32);
        }
        let (mut succ_off, mut succ_pos, mut succ_kind, mut succ_lag) =
            (vec![0u32], Vec::new(), Vec::new(), Vec::new());
        for &t in &s.order {
            let t = t as usize;
            for a in &s.succs[s.succ_off[t] as usize..s.succ_off[t + 1] as usize] {
                succ_pos.push(pos[a.other as usize]);
                succ_kind.push(kind(a.kind));
                succ_lag.push(a.lag as f32);
            }
            succ_off.push(succ_pos.len() as u32);
        }
        let ms = s.mode == Mode::MsProject;
        let dd = net.st.pdata_ord[0];
        let pdata = if ms || dd == NONE { f32::NEG_INFINITY } else { (dd - base) as f32 };
        // Bound every offset the passes can reach: the longest path with the largest durations and
        // every lag counted as a delay, both ways (leads can move tasks before the start).
        let floor = if !ms && dd != NONE { (dd - base).abs() as f64 } else { 0.0 };
        let mut reach = vec![0f64; s.order.len()];
        let mut bound = floor;
        for i in 0..s.order.len() {
            let mut e = floor;
            for k in pred_off[i] as usize..pred_off[i + 1] as usize {
                let p = pred_pos[k] as usize;
                e = e.max(reach[p] + f64::from(pred_lag[k]).abs() + most[i]);
            }
            reach[i] = e + most[i];
            bound = bound.max(reach[i]);
        }
        if bound >= LIMIT || s.critical_float.abs() as f64 >= LIMIT {
            return None;
        }
        let np = s.order.len();
        // Drawing in the forward pass saves writing and re-reading the durations; the cost of an
        // iteration reads them in the sampler, so only without per-minute costs.
        let (mut tris, mut tri_at) = (Vec::new(), vec![u32::MAX; np]);
        if m.cost_rate.is_empty() {
            for x in &m.tri {
                let p = pos[x.t as usize];
                if p == u32::MAX {
                    // Not in the network (cannot happen for a drawn task): the sampler draws all.
                    tris.clear();
                    tri_at.fill(u32::MAX);
                    break;
                }
                tri_at[p as usize] = tris.len() as u32;
                tris.push(*x);
            }
        }
        // In position order, so the forward pass draws them a block ahead of where it reads them.
        tris.sort_unstable_by_key(|x| pos[x.t as usize]);
        let tri_pos: Vec<u32> = tris.iter().map(|x| pos[x.t as usize]).collect();
        for (k, &p) in tri_pos.iter().enumerate() {
            tri_at[p as usize] = k as u32;
        }
        let mut slot = vec![u32::MAX; np];
        for (i, &t) in tracked.iter().enumerate() {
            let p = pos[t as usize];
            if p == u32::MAX {
                return None;
            }
            slot[p as usize] = i as u32;
        }
        Some(Fast {
            order: s.order.clone(),
            pred_off,
            pred_pos,
            pred_kind,
            pred_lag,
            pred_fs,
            succ_off,
            succ_pos,
            succ_kind,
            succ_lag,
            plain,
            ms,
            pdata,
            crit_float: s.critical_float as f32,
            base,
            cal,
            zero,
            deadline,
            slot,
            tris,
            tri_pos,
            tri_at,
            dur: vec![[0.0; L]; np],
            ef: vec![[0.0; L]; np],
            keys: vec![[0.0; L]; tracked.len()],
            krange: vec![KRANGE0; np],
            crit: vec![[0.0; H]; np],
        })
    }

    /// Clock time of a finish key: `2w` reads offset `w` as a finish, `2w + 1` as a start.
    fn key_clock(&mut self, key: f32) -> i64 {
        let k = key as i64;
        let w = self.base + k.div_euclid(2);
        if k.rem_euclid(2) == 0 { self.cal.finish_clock(w) } else { self.cal.start_clock(w) }
    }

    /// Durations at position `p` this batch.
    #[inline(always)]
    fn dur_at<'a>(&'a self, b: &'a Batch, p: usize) -> &'a [f32; L] {
        if self.tri_at[p] != u32::MAX { &self.dur[p] } else { &b.dur[self.order[p] as usize] }
    }

    /// Forward pass over the first `lanes` iterations of the batch (the others repeat the first);
    /// returns the latest early finish of each lane.
    #[inline(always)]
    fn forward(&mut self, b: &Batch, lanes: usize) -> [f32; L] {
        let mut wmax = [f32::NEG_INFINITY; L];
        let np = self.order.len();
        // Sliced to the positions so the compiler can drop the bounds checks on `i`.
        let (order, pred_off, zero, slot) =
            (&self.order[..np], &self.pred_off[..np + 1], &self.zero[..np], &self.slot[..np]);
        // On plain links the early start is the latest predecessor finish, never below 0: only
        // a data date after the start can raise it.
        let raise = !self.ms && self.pdata > 0.0;
        // The next `tris` entry to draw.
        let mut next = 0;
        for i in 0..np {
            if i % DRAW_AHEAD == 0 {
                // A block's draws in one loop: each is a long chain of dependent instructions
                // (hash, square root, rounding) but independent of the others, so the core
                // overlaps them here, where inside the pass each would wait on its own.
                let end = (i + DRAW_AHEAD).min(np) as u32;
                while next < self.tris.len() && self.tri_pos[next] < end {
                    let d = &mut self.dur[self.tri_pos[next] as usize];
                    self.tris[next].draw(b.base, d);
                    if lanes < L {
                        let v = d[0];
                        d[lanes..].fill(v);
                    }
                    next += 1;
                }
            }
            let d = if self.tri_at[i] != u32::MAX { self.dur[i] } else { b.dur[order[i] as usize] };
            let d = &d;
            let (a0, a1) = (pred_off[i] as usize, pred_off[i + 1] as usize);
            let mut e = [0f32; L];
            let mut side = [false; L];
            if a0 == a1 {
                if !self.ms {
                    for x in e.iter_mut() {
                        *x = mx(*x, self.pdata);
                    }
                }
            } else if self.plain && !zero[i] {
                let mut lg = [f32::NEG_INFINITY; L];
                for &p in &self.pred_pos[a0..a1] {
                    let efp = &self.ef[p as usize];
                    for j in 0..L {
                        lg[j] = mx(lg[j], efp[j]);
                    }
                }
                e = lg;
                if raise {
                    for x in e.iter_mut() {
                        *x = mx(*x, self.pdata);
                    }
                }
            } else {
                let mut fsm = [f32::NEG_INFINITY; L];
                let mut ssm = [f32::NEG_INFINITY; L];
                for k in a0..a1 {
                    let p = self.pred_pos[k] as usize;
                    let efp = &self.ef[p];
                    let dp = self.dur_at(b, p);
                    let lag = self.pred_lag[k];
                    let mut v = [0f32; L];
                    match self.pred_kind[k] {
                        FS => {
                            for j in 0..L {
                                v[j] = efp[j] + lag;
                            }
                        }
                        SS => {
                            for j in 0..L {
                                v[j] = (efp[j] - dp[j]) + lag;
                            }
                        }
                        FF => {
                            for j in 0..L {
                                v[j] = (efp[j] + lag) - d[j];
                                if self.ms {
                                    v[j] = mx(v[j], 0.0);
                                }
                            }
                        }
                        _ => {
                            for j in 0..L {
                                v[j] = ((efp[j] - dp[j]) + lag) - d[j];
                            }
                        }
                    }
                    let m = if self.pred_fs[k] { &mut fsm } else { &mut ssm };
                    for j in 0..L {
                        m[j] = mx(m[j], v[j]);
                    }
                }
                for j in 0..L {
                    let lg = mx(fsm[j], ssm[j]);
                    e[j] = if self.ms { lg } else { mx(mx(lg, 0.0), self.pdata) };
                    // A zero-duration task reads as a finish when a finish-side link drives it
                    // strictly (on a tie the start side wins) and no clamp moved it.
                    side[j] = fsm[j] > ssm[j] && e[j] == lg;
                }
            }
            let mut ef = [0f32; L];
            let mut key = [0f32; L];
            for j in 0..L {
                ef[j] = e[j] + d[j];
                key[j] = 2.0 * ef[j];
                wmax[j] = mx(wmax[j], ef[j]);
            }
            if zero[i] {
                for j in 0..L {
                    if d[j] == 0.0 && !side[j] {
                        key[j] += 1.0;
                    }
                }
            }
            self.ef[i] = ef;
            let kr = &mut self.krange[i];
            for j in 0..H {
                kr[0][j] = mn(kr[0][j], mn(key[j], key[j + H]));
                kr[1][j] = mx(kr[1][j], mx(key[j], key[j + H]));
            }
            if slot[i] != u32::MAX {
                self.keys[slot[i] as usize] = key;
            }
        }
        wmax
    }

    /// Backward pass from the project finishes `pfin`; counts the critical lanes below `lanes`.
    #[inline(always)]
    fn backward(&mut self, b: &Batch, pfin: &[f32; L], lanes: usize) {
        let cf = self.crit_float;
        // 1 for the batch's iterations, 0 past the end; counts are kept in `f32` (exact below
        // 2^24) so the whole lane loop is one vector type.
        let mut valid = [0f32; L];
        valid[..lanes].fill(1.0);
        let np = self.order.len();
        let (succ_off, deadline) = (&self.succ_off[..np + 1], &self.deadline[..np]);
        for i in (0..np).rev() {
            let d = *self.dur_at(b, i);
            let d = &d;
            let (a0, a1) = (succ_off[i] as usize, succ_off[i + 1] as usize);
            let mut l = if a0 == a1 { *pfin } else { [f32::INFINITY; L] };
            if self.plain {
                // Plain links with durations >= 0: no late finish exceeds the project finish, so
                // MS Project's cap below is a no-op here.
                for &q in &self.succ_pos[a0..a1] {
                    let lsq = &self.ef[q as usize];
                    for j in 0..L {
                        l[j] = mn(l[j], lsq[j]);
                    }
                }
            } else {
                for k in a0..a1 {
                    let q = self.succ_pos[k] as usize;
                    let lsq = &self.ef[q];
                    let dq = self.dur_at(b, q);
                    let lag = self.succ_lag[k];
                    let kind = self.succ_kind[k];
                    for j in 0..L {
                        let v = match kind {
                            FS => lsq[j] - lag,
                            SS => (lsq[j] - lag) + d[j],
                            FF => (lsq[j] + dq[j]) - lag,
                            _ => ((lsq[j] + dq[j]) - lag) + d[j],
                        };
                        l[j] = mn(l[j], v);
                    }
                }
            }
            if self.ms && !self.plain {
                for j in 0..L {
                    l[j] = mn(l[j], pfin[j]);
                }
            }
            let dl = deadline[i];
            if dl != f32::INFINITY {
                for x in l.iter_mut() {
                    *x = mn(*x, dl);
                }
            }
            let ef = &self.ef[i];
            let mut ls = [0f32; L];
            let mut c = [0f32; L];
            for j in 0..L {
                c[j] = if l[j] - ef[j] <= cf { valid[j] } else { 0.0 };
                ls[j] = l[j] - d[j];
            }
            let cr = &mut self.crit[i];
            for j in 0..H {
                cr[j] += c[j] + c[j + H];
            }
            self.ef[i] = ls;
        }
    }
}

fn kind(k: LinkType) -> u8 {
    match k {
        LinkType::FS => FS,
        LinkType::SS => SS,
        LinkType::FF => FF,
        LinkType::SF => SF,
    }
}

impl IterKernel for Fast {
    fn batch(
        &mut self,
        b: &Batch,
        lanes: usize,
        finish: &mut [i64; L],
        tracked: &mut [[i64; L]],
    ) -> Result<(), McError> {
        struct Fwd<'a>(&'a mut Fast, &'a Batch, usize);
        impl Wide for Fwd<'_> {
            type Out = [f32; L];
            #[inline(always)]
            fn run(self) -> [f32; L] {
                self.0.forward(self.1, self.2)
            }
        }
        struct Bwd<'a>(&'a mut Fast, &'a Batch, &'a [f32; L], usize);
        impl Wide for Bwd<'_> {
            type Out = ();
            #[inline(always)]
            fn run(self) {
                self.0.backward(self.1, self.2, self.3);
            }
        }
        let wmax = wide(Fwd(self, b, lanes));
        let mut pfin = [0f32; L];
        for j in 0..L {
            let c = self.cal.finish_clock(self.base + wmax[j] as i64);
            finish[j] = c;
            pfin[j] = (self.cal.ordinal(c) - self.base) as f32;
        }
        wide(Bwd(self, b, &pfin, lanes));
        for s in 0..self.keys.len() {
            for j in 0..lanes {
                tracked[s][j] = self.key_clock(self.keys[s][j]);
            }
        }
        Ok(())
    }

    fn fuses_tri(&self) -> bool {
        !self.tris.is_empty()
    }

    fn drain(&mut self, acc: &mut TaskAcc) {
        for i in 0..self.order.len() {
            let t = self.order[i] as usize;
            acc.crit[t] += self.crit[i].iter().map(|&c| c as u32).sum::<u32>();
            let [lo, hi] = self.krange[i];
            let (lo, hi) = (lo.into_iter().fold(f32::INFINITY, mn), hi.into_iter().fold(f32::NEG_INFINITY, mx));
            if lo.is_finite() {
                acc.fmin[t] = acc.fmin[t].min(self.key_clock(lo));
                acc.fmax[t] = acc.fmax[t].max(self.key_clock(hi));
            }
            self.crit[i] = [0.0; H];
            self.krange[i] = KRANGE0;
        }
    }
}
