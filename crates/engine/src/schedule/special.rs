//! The passes' special cases: resource-driven tasks (whose assignments work on their resources'
//! calendars and whose dates are compared as clock times), elapsed late finishes, and P6
//! level-of-effort activities.

use super::model::{ConstraintKind, LinkType, Mode};
use super::network::{A_LOE, F_CONS, F_ELAPSED, F_FINISHED, F_LOE, NO, Network, Role};

impl Network {
    /// Finish of a resource-driven task started at clock `c`: the latest of its assignments'
    /// finishes, each on its resource's calendar.
    pub(crate) fn res_finish(&mut self, t: usize, c: i64, rem: bool) -> i64 {
        let mut best = c;
        for i in self.s.asg_off[t] as usize..self.s.asg_off[t + 1] as usize {
            let a = self.s.asg[i];
            let w = if rem { a.2 } else { a.1 };
            if w <= 0 {
                continue;
            }
            let cal = self.cals.get_mut(a.0 as usize);
            let o = cal.ordinal(c) + w;
            let f = cal.finish_clock(o);
            best = best.max(f);
        }
        best
    }

    /// Start of a resource-driven task finishing at clock `c`: the earliest of its assignments'.
    pub(crate) fn res_start(&mut self, t: usize, c: i64, rem: bool) -> i64 {
        let mut best = c;
        for i in self.s.asg_off[t] as usize..self.s.asg_off[t + 1] as usize {
            let a = self.s.asg[i];
            let w = if rem { a.2 } else { a.1 };
            if w <= 0 {
                continue;
            }
            let cal = self.cals.get_mut(a.0 as usize);
            let o = cal.ordinal(c) - w;
            let f = cal.start_clock(o);
            best = best.min(f);
        }
        best
    }

    /// Early dates of a resource-driven task: candidates compared as clock times, the start
    /// snapped to the first moment any assignment can work, the finish the latest assignment's.
    pub(crate) fn forward_res(&mut self, t: usize, alap: bool) -> (i64, i64, u32) {
        let ms = self.s.mode == Mode::MsProject;
        let pcx = self.s.pc[t] as usize;
        let tc = self.s.cal[t] as usize;
        let (a0, a1) = (self.s.pred_off[t] as usize, self.s.pred_off[t + 1] as usize);
        let mut best = i64::MIN;
        let mut drv = NO;
        let _ = alap;
        let pstart = self.s.pstart[self.s.proj[t] as usize];
        for k in a0..a1 {
            let a = self.s.preds[k];
            if a.flags & A_LOE != 0 {
                continue;
            }
            let p = a.other as usize;
            let anchor = match a.kind {
                LinkType::FS | LinkType::FF => self.ef_clock(p),
                LinkType::SS | LinkType::SF => self.es_clock(p),
            };
            let c = self.lag_clock(&a, anchor, 1, i64::from(a.lag) > 0);
            let mut c = match a.kind {
                LinkType::FS | LinkType::SS => c,
                LinkType::FF => self.res_start(t, c, true),
                LinkType::SF => self.res_start(t, c, false),
            };
            if ms && a.kind == LinkType::FF {
                c = c.max(pstart);
            }
            if c > best {
                best = c;
                drv = k as u32;
            }
        }
        if best == i64::MIN {
            best = pstart;
            if ms && self.is(t, F_CONS) {
                let c = self.s.cons[self.s.cons_ix[t] as usize];
                match c.primary {
                    Some((ConstraintKind::Snet, at)) => best = at,
                    Some((ConstraintKind::Fnet, at)) => best = self.res_start(t, at, false),
                    _ => {}
                }
            }
        }
        let mut e = self.ord(t, best);
        if !ms {
            let floor = self.st.pstart_ord[pcx].max(self.st.pdata_ord[pcx]);
            if e < floor {
                e = floor;
                best = self.cals.get_mut(tc).start_clock(e);
                drv = NO;
            }
        }
        if self.is(t, F_CONS) {
            let e2 = self.early_constraints(t, e);
            if e2 != e {
                best = self.cals.get_mut(tc).start_clock(e2);
                drv = NO;
            }
        }
        // Next work start on any assignment's calendar.
        let mut snap = i64::MAX;
        for i in self.s.asg_off[t] as usize..self.s.asg_off[t + 1] as usize {
            let cal = self.cals.get_mut(self.s.asg[i].0 as usize);
            let o = cal.ordinal(best);
            snap = snap.min(cal.start_clock(o));
        }
        if snap == i64::MAX {
            snap = best;
        }
        self.st.xes[t] = snap;
        let es = self.ord(t, snap);
        let f = self.res_finish(t, snap, false);
        (es, self.ord(t, f), drv)
    }

    /// Late dates of a resource-driven task, compared as clock times: the finish moved back to
    /// the last moment any assignment worked, the start the earliest assignment's.
    pub(crate) fn backward_res(&mut self, t: usize) -> (i64, i64) {
        let ms = self.s.mode == Mode::MsProject;
        let tc = self.s.cal[t] as usize;
        let pfin = self.st.pfin_clock[self.s.proj[t] as usize];
        let mut best = i64::MAX;
        let (a0, a1) = (self.s.succ_off[t] as usize, self.s.succ_off[t + 1] as usize);
        for k in a0..a1 {
            let a = self.s.succs[k];
            if a.flags & A_LOE != 0 {
                continue;
            }
            let q = a.other as usize;
            if self.is(q, F_FINISHED) && self.s.role[q] == Role::Task {
                continue;
            }
            let anchor = match a.kind {
                LinkType::FS | LinkType::SS => self.ls_clock(q),
                LinkType::FF | LinkType::SF => self.lf_latest(q),
            };
            let c = self.lag_clock(&a, anchor, -1, false);
            let mut c = match a.kind {
                LinkType::FS | LinkType::FF => c,
                LinkType::SS | LinkType::SF => self.res_finish(t, c, false),
            };
            if (ms || self.s.proj[q] != self.s.proj[t]) && c > pfin {
                c = pfin;
            }
            best = best.min(c);
        }
        if best == i64::MAX {
            best = pfin;
        }
        if self.is(t, F_CONS) {
            let l = self.ord(t, best);
            let l2 = self.late_constraints(t, l);
            if l2 != l {
                best = self.cals.get_mut(tc).finish_clock(l2);
            }
        }
        // The last moment any assignment worked at or before it.
        let mut snap = i64::MIN;
        for i in self.s.asg_off[t] as usize..self.s.asg_off[t + 1] as usize {
            let cal = self.cals.get_mut(self.s.asg[i].0 as usize);
            let o = cal.ordinal(best);
            snap = snap.max(cal.finish_clock(o));
        }
        if snap == i64::MIN {
            snap = best;
        }
        self.st.xlf[t] = snap;
        let start = if self.is(t, F_ELAPSED) { snap - self.s.rem[t] } else { self.res_start(t, snap, true) };
        (self.ord(t, start), self.ord(t, snap))
    }

    /// Level-of-effort activities span from what their predecessors allow to what their
    /// successors need, and drive nothing (P6).
    pub(crate) fn level_of_effort(&mut self) {
        for i in 0..self.s.order.len() {
            let t = self.s.order[i] as usize;
            if !self.is(t, F_LOE) {
                continue;
            }
            let pcx = self.s.pc[t] as usize;
            let mut es = self.st.pstart_ord[pcx].max(self.st.pdata_ord[pcx]);
            let mut any = false;
            for k in self.s.pred_off[t] as usize..self.s.pred_off[t + 1] as usize {
                let mut a = self.s.preds[k];
                a.flags &= !A_LOE;
                let (v, _) = self.fwd_candidate(t, &a, false);
                es = if any { es.max(v) } else { v.max(es) };
                any = true;
            }
            let (mut ef, mut lf) = (es, i64::MIN);
            for k in self.s.succ_off[t] as usize..self.s.succ_off[t + 1] as usize {
                let a = self.s.succs[k];
                let q = a.other as usize;
                let (early, late) = match a.kind {
                    LinkType::FS | LinkType::SS => (self.st.es[q], self.st.ls[q]),
                    LinkType::FF | LinkType::SF => (self.st.ef[q], self.st.lf[q]),
                };
                let (early, late) = (self.ord_from(q, t, early), self.ord_from(q, t, late));
                ef = ef.max(early - i64::from(a.lag));
                lf = lf.max(late - i64::from(a.lag));
            }
            if lf == i64::MIN {
                ef = self.add_dur(t, es, self.s.dur[t], false);
                lf = self.st.pfin_ord[pcx];
            }
            let lf = lf.max(ef);
            self.st.es[t] = es;
            self.st.ef[t] = ef;
            self.st.lf[t] = lf;
            self.st.ls[t] = lf - (ef - es);
            self.st.esc[t] = self.es_clock_raw(t);
            self.st.efc[t] = self.ef_clock_raw(t);
            self.st.lfc[t] = self.lf_clock_raw(t);
            self.st.lsc[t] = self.ls_clock_raw(t);
        }
    }

    /// Ordinal `w` of task `q`'s calendar read on task `t`'s calendar.
    pub(crate) fn ord_from(&mut self, q: usize, t: usize, w: i64) -> i64 {
        if self.s.cal[q] == self.s.cal[t] {
            return w;
        }
        let c = self.cals.get_mut(self.s.cal[q] as usize).finish_clock(w);
        self.ord(t, c)
    }
}
