//! The general path: each iteration's durations written into a copy of the compiled [`Network`],
//! which then runs in full, so every rule of the CPM engine applies unchanged.

use crate::schedule::Network;
use crate::schedule::calendar::to_clock;
use crate::schedule::network::{A_ELAPSED, A_FAST, A_LOE, F_RES};

use super::sample::{Batch, L, Model};
use super::{IterKernel, McError, TaskAcc};

/// A percent lag that follows its predecessor's drawn duration.
#[derive(Debug, Clone, Copy)]
struct PctArc {
    pi: usize,
    si: usize,
    pred: usize,
    succ: usize,
    bp: i64,
}

/// Kernel state: the network and its planned values to scale from.
#[derive(Debug, Clone)]
pub(super) struct General {
    net: Network,
    /// Tasks whose duration varies, with the minutes already done.
    varying: Vec<(u32, i64)>,
    base_dur: Vec<i64>,
    base_rem: Vec<i64>,
    base_asg: Vec<(u32, i64, i64)>,
    pct: Vec<PctArc>,
    tracked: Vec<u32>,
    acc: TaskAcc,
}

impl General {
    pub(super) fn new(net: &Network, m: &Model, tracked: &[u32]) -> General {
        let n = m.draws.len();
        let s = &net.s;
        let varying: Vec<(u32, i64)> = (0..n)
            .filter(|&t| m.draws[t].is_some() || m.risk_off[t] != m.risk_off[t + 1])
            .map(|t| (t as u32, s.dur[t] - s.rem[t]))
            .collect();
        let mut inv = vec![0usize; s.preds.len()];
        for (si, &pi) in s.mirror.iter().enumerate() {
            inv[pi as usize] = si;
        }
        let mut pct: Vec<PctArc> = s
            .pcts
            .iter()
            .map(|(&pi, &bp)| {
                let si = inv[pi as usize];
                PctArc {
                    pi: pi as usize,
                    si,
                    pred: s.preds[pi as usize].other as usize,
                    succ: s.succs[si].other as usize,
                    bp,
                }
            })
            .collect();
        pct.sort_by_key(|a| a.pi);
        General {
            net: net.clone(),
            varying,
            base_dur: s.dur.clone(),
            base_rem: s.rem.clone(),
            base_asg: s.asg.clone(),
            pct,
            tracked: tracked.to_vec(),
            acc: TaskAcc::new(n),
        }
    }

    /// Writes lane `j`'s durations into the network.
    fn load(&mut self, b: &Batch, j: usize) {
        let s = &mut self.net.s;
        for &(t, done) in &self.varying {
            let t = t as usize;
            let d = b.dur[t][j] as i64;
            s.dur[t] = d;
            s.rem[t] = d - done;
            if s.flags[t] & F_RES != 0 {
                // Resource-driven: the assignments' work scales with the drawn duration.
                let (a0, a1) = (s.asg_off[t] as usize, s.asg_off[t + 1] as usize);
                let (fd, fr) = (ratio(d, self.base_dur[t]), ratio(d - done, self.base_rem[t]));
                for k in a0..a1 {
                    let (c, w, r) = self.base_asg[k];
                    s.asg[k] = (c, (w as f64 * fd).round() as i64, (r as f64 * fr).round() as i64);
                }
            }
        }
        for a in &self.pct {
            let lag = (i128::from(s.dur[a.pred]) * i128::from(a.bp) / 10_000).clamp(-1_000_000_000, 1_000_000_000);
            let (cp, cq) = (s.cal[a.pred], s.cal[a.succ]);
            for arc in [&mut s.preds[a.pi], &mut s.succs[a.si]] {
                arc.lag = lag as i32;
                // As the compiler decides: one calendar, and the lag on it (or none).
                let fast = cp == cq && (arc.lag == 0 || (arc.flags & A_ELAPSED == 0 && arc.lag_cal == cq));
                if fast && arc.flags & A_LOE == 0 {
                    arc.flags |= A_FAST;
                } else {
                    arc.flags &= !A_FAST;
                }
            }
        }
    }
}

fn ratio(a: i64, b: i64) -> f64 {
    if b == 0 { 1.0 } else { a as f64 / b as f64 }
}

impl IterKernel for General {
    fn batch(
        &mut self,
        b: &Batch,
        lanes: usize,
        finish: &mut [i64; L],
        tracked: &mut [[i64; L]],
    ) -> Result<(), McError> {
        for j in 0..lanes {
            self.load(b, j);
            self.net.st.ran = false;
            let r = self.net.result()?;
            finish[j] = to_clock(r.finish);
            for (i, &t) in self.tracked.iter().enumerate() {
                tracked[i][j] = to_clock(r.tasks[t as usize].finish);
            }
            for (t, tr) in r.tasks.iter().enumerate() {
                if tr.critical {
                    self.acc.crit[t] += 1;
                }
                let f = to_clock(tr.finish);
                self.acc.fmin[t] = self.acc.fmin[t].min(f);
                self.acc.fmax[t] = self.acc.fmax[t].max(f);
            }
        }
        Ok(())
    }

    fn drain(&mut self, acc: &mut TaskAcc) {
        let n = self.acc.crit.len();
        acc.merge(&std::mem::replace(&mut self.acc, TaskAcc::new(n)));
    }
}
