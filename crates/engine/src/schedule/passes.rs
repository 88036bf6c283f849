//! The forward and backward passes over a compiled [`Network`], in working-minute ordinals.

use rayon::prelude::*;

use super::calendar::{Fixed, Lookup};
use super::model::{ConstraintKind, LinkType, Mode, ProgressRule};
use super::network::{
    A_ELAPSED, A_FAST, A_LOE, Arc, F_ALAP, F_CONS, F_ELAPSED, F_FINISHED, F_RES, F_STARTED, NO, NONE, Network, Role,
    State, Static,
};

impl Network {
    #[inline]
    pub(crate) fn is(&self, t: usize, f: u8) -> bool {
        self.s.flags[t] & f != 0
    }

    /// `es + d` for task `t` (clock arithmetic for an elapsed duration).
    #[inline]
    pub(crate) fn add_dur(&mut self, t: usize, es: i64, d: i64, rem: bool) -> i64 {
        if self.s.flags[t] & (F_ELAPSED | F_RES) == 0 || d == 0 {
            return es + d;
        }
        if self.s.flags[t] & F_RES != 0 {
            let c = self.cals.get_mut(self.s.cal[t] as usize).start_clock(es);
            let f = self.res_finish(t, c, rem);
            return self.ord(t, f);
        }
        let cal = self.cals.get_mut(self.s.cal[t] as usize);
        let c = cal.start_clock(es);
        cal.ordinal(c + d)
    }

    /// `ef - d` for task `t`.
    #[inline]
    pub(crate) fn sub_dur(&mut self, t: usize, ef: i64, d: i64, rem: bool) -> i64 {
        if self.s.flags[t] & (F_ELAPSED | F_RES) == 0 || d == 0 {
            return ef - d;
        }
        if self.s.flags[t] & F_RES != 0 {
            let c = self.cals.get_mut(self.s.cal[t] as usize).finish_clock(ef);
            let f = self.res_start(t, c, rem);
            return self.ord(t, f);
        }
        let cal = self.cals.get_mut(self.s.cal[t] as usize);
        let c = cal.finish_clock(ef);
        cal.ordinal(c - d)
    }

    /// Ordinal of clock `c` on task `t`'s calendar.
    #[inline]
    pub(crate) fn ord(&mut self, t: usize, c: i64) -> i64 {
        self.cals.get_mut(self.s.cal[t] as usize).ordinal(c)
    }

    /// Early start of `t` as a clock time.
    pub(crate) fn es_clock_raw(&mut self, t: usize) -> i64 {
        if let Some(dd) = self.p6_done(t) {
            return dd;
        }
        if self.is(t, F_RES) && !self.is(t, F_STARTED) && self.st.xes[t] != NONE {
            return self.st.xes[t];
        }
        let p6_running = self.s.mode == Mode::Primavera && self.is(t, F_STARTED) && !self.is(t, F_FINISHED);
        if self.s.fix_s[t] != NONE && (self.s.role[t] == Role::Manual || (self.is(t, F_STARTED) && !p6_running)) {
            return self.s.fix_s[t];
        }
        let cal = self.cals.get_mut(self.s.cal[t] as usize);
        if self.st.side[t] { cal.finish_clock(self.st.es[t]) } else { cal.start_clock(self.st.es[t]) }
    }

    /// Early finish of `t` as a clock time.
    pub(crate) fn ef_clock_raw(&mut self, t: usize) -> i64 {
        if let Some(dd) = self.p6_done(t) {
            return dd;
        }
        if self.s.fix_f[t] != NONE && (self.s.role[t] == Role::Manual || self.is(t, F_FINISHED)) {
            return self.s.fix_f[t];
        }
        if self.st.ef[t] == self.st.es[t] && !self.is(t, F_STARTED) {
            return self.es_clock_raw(t);
        }
        if self.is(t, F_ELAPSED) && !(self.s.mode == Mode::Primavera && self.is(t, F_STARTED)) {
            return self.es_clock_raw(t) + self.s.dur[t];
        }
        if self.is(t, F_RES) && !self.is(t, F_STARTED) {
            let c = self.es_clock_raw(t);
            return self.res_finish(t, c, false);
        }
        self.cals.get_mut(self.s.cal[t] as usize).finish_clock(self.st.ef[t])
    }

    /// Late start (as computed from the late finish) of `t` as a clock time.
    pub(crate) fn ls_clock_raw(&mut self, t: usize) -> i64 {
        if self.st.ls[t] == self.st.lf[t] {
            return self.lf_clock_raw(t);
        }
        if self.is(t, F_ELAPSED) {
            return self.lf_clock_raw(t) - self.s.rem[t];
        }
        if self.is(t, F_RES) {
            let c = self.lf_clock_raw(t);
            return self.res_start(t, c, true);
        }
        self.cals.get_mut(self.s.cal[t] as usize).start_clock(self.st.ls[t])
    }

    /// Late finish of `t` as a clock time.
    pub(crate) fn lf_clock_raw(&mut self, t: usize) -> i64 {
        if self.p6_done(t).is_some() {
            return self.st.pfin_clock[self.s.proj[t] as usize];
        }
        if self.is(t, F_FINISHED) && self.s.fix_f[t] != NONE {
            return self.s.fix_f[t];
        }
        if !self.st.xlf.is_empty() && self.st.xlf[t] != NONE {
            return self.st.xlf[t];
        }
        self.cals.get_mut(self.s.cal[t] as usize).finish_clock(self.st.lf[t])
    }

    /// P6 reports a completed activity's early dates at the data date and its late dates at the
    /// project finish: the data date (clock) when that applies to `t`.
    #[inline]
    pub(crate) fn p6_done(&self, t: usize) -> Option<i64> {
        self.s.p6_done(t)
    }

    /// Early start of `t` as a clock time (cached by the forward pass).
    #[inline]
    pub(crate) fn es_clock(&self, t: usize) -> i64 {
        self.st.esc[t]
    }

    /// Early finish of `t` as a clock time (cached by the forward pass).
    #[inline]
    pub(crate) fn ef_clock(&self, t: usize) -> i64 {
        self.st.efc[t]
    }

    /// Late start of `t` (as computed from its late finish) as a clock time (cached by the
    /// backward pass).
    #[inline]
    pub(crate) fn ls_clock(&self, t: usize) -> i64 {
        self.st.lsc[t]
    }

    /// The latest clock time with `t`'s late-finish ordinal (its late finish read as a start, unless
    /// the late finish is an exact clock time).
    #[inline]
    pub(crate) fn lf_latest(&mut self, t: usize) -> i64 {
        let exact = (self.is(t, F_FINISHED) && self.s.fix_f[t] != NONE)
            || (!self.st.xlf.is_empty() && self.st.xlf[t] != NONE)
            || self.st.lf[t] == self.st.ls[t];
        if exact {
            return self.st.lfc[t];
        }
        self.cals.get_mut(self.s.cal[t] as usize).start_clock(self.st.lf[t])
    }

    /// Applies a link's lag to a clock time; `finish`: the result reads as a finish.
    #[inline]
    pub(crate) fn lag_clock(&mut self, a: &Arc, c: i64, sign: i64, finish: bool) -> i64 {
        let lag = i64::from(a.lag) * sign;
        if lag == 0 {
            return c;
        }
        if a.flags & A_ELAPSED != 0 {
            return c + lag;
        }
        let cal = self.cals.get_mut(a.lag_cal as usize);
        let w = cal.ordinal(c) + lag;
        if finish { cal.finish_clock(w) } else { cal.start_clock(w) }
    }

    /// Early start of successor `t` required by predecessor arc `a`; and whether it reads as a
    /// finish.
    #[inline]
    pub(crate) fn fwd_candidate(&mut self, t: usize, a: &Arc, alap: bool) -> (i64, bool) {
        let p = a.other as usize;
        let late = alap && self.is(p, F_ALAP) && !self.is(t, F_ALAP);
        let (ps, pf) = if late { (self.st.ls[p], self.st.lf[p]) } else { (self.st.es[p], self.st.ef[p]) };
        let finish_side =
            i64::from(a.lag) > 0 || (i64::from(a.lag) == 0 && matches!(a.kind, LinkType::FS | LinkType::FF));
        let d = self.s.dur[t];
        if a.flags & A_FAST != 0 && !late {
            let v = match a.kind {
                LinkType::FS => pf + i64::from(a.lag),
                LinkType::SS => ps + i64::from(a.lag),
                LinkType::FF => self.sub_dur(t, pf + i64::from(a.lag), self.s.rem[t], true),
                LinkType::SF => self.sub_dur(t, ps + i64::from(a.lag), d, false),
            };
            return (v, finish_side);
        }
        let anchor = match (a.kind, late) {
            (LinkType::FS | LinkType::FF, false) => self.ef_clock(p),
            (LinkType::SS | LinkType::SF, false) => self.es_clock(p),
            (LinkType::FS | LinkType::FF, true) => self.cals.get_mut(self.s.cal[p] as usize).finish_clock(pf),
            (LinkType::SS | LinkType::SF, true) => self.cals.get_mut(self.s.cal[p] as usize).start_clock(ps),
        };
        // A lead reads as a start (where MS Project's backwards count lands), a lag as a finish.
        let c = self.lag_clock(a, anchor, 1, i64::from(a.lag) > 0);
        let w = self.ord(t, c);
        let v = match a.kind {
            LinkType::FS | LinkType::SS => w,
            LinkType::FF => self.sub_dur(t, w, self.s.rem[t], true),
            LinkType::SF => self.sub_dur(t, w, d, false),
        };
        (v, finish_side)
    }

    /// Recomputes the early dates of network task `t`; returns whether they changed.
    pub(crate) fn forward_task(&mut self, t: usize, alap: bool) -> bool {
        let changed = self.forward_dates(t, alap);
        self.st.esc[t] = self.es_clock_raw(t);
        self.st.efc[t] = self.ef_clock_raw(t);
        changed
    }

    /// [`forward_task`](Self::forward_task) without the clock times.
    fn forward_dates(&mut self, t: usize, alap: bool) -> bool {
        let old = (self.st.es[t], self.st.ef[t], self.st.side[t]);
        let ms = self.s.mode == Mode::MsProject;
        let pcx = self.s.pc[t] as usize;
        let d = self.s.dur[t];
        let (es, ef, side, drv);
        if let Some(dd) = self.p6_done(t) {
            es = self.ord(t, dd);
            ef = es;
            side = false;
            drv = NO;
        } else if self.s.role[t] == Role::Manual || self.is(t, F_FINISHED) {
            es = self.ord(t, self.s.fix_s[t]);
            ef = self.ord(t, self.s.fix_f[t]);
            side = false;
            drv = NO;
        } else {
            // Logic: the latest requirement of the predecessors.
            let (a0, a1) = (self.s.pred_off[t] as usize, self.s.pred_off[t + 1] as usize);
            let mut logic = i64::MIN;
            let mut lside = false;
            let mut ldrv = NO;
            let pstart = self.st.pstart_ord[pcx];
            for k in a0..a1 {
                let a = self.s.preds[k];
                // The common case inline: finish-to-start on one calendar.
                let (mut v, fs) = if a.flags & (A_FAST | A_LOE) == A_FAST && a.kind == LinkType::FS && !alap {
                    (self.st.ef[a.other as usize] + i64::from(a.lag), a.lag >= 0)
                } else if a.flags & A_LOE != 0 {
                    continue;
                } else {
                    self.fwd_candidate(t, &a, alap)
                };
                if ms && a.kind == LinkType::FF && v < pstart {
                    v = pstart;
                }
                if v > logic || (v == logic && lside && !fs) {
                    logic = v;
                    lside = fs;
                    ldrv = k as u32;
                }
            }
            let started = self.is(t, F_STARTED);
            if started && ms {
                // MS Project: the task runs from its actual start for its whole duration.
                es = self.ord(t, self.s.fix_s[t]);
                let mut f = self.add_dur(t, es, d, false);
                if self.is(t, F_CONS) {
                    let c = self.s.cons[self.s.cons_ix[t] as usize];
                    if let Some((ConstraintKind::Fnet, at)) = c.primary {
                        f = f.max(self.ord(t, at));
                    }
                }
                ef = f;
                side = false;
                drv = NO;
            } else if started {
                // P6: the remaining work runs from the data date (after unfinished predecessors
                // under retained logic); the early start is where it resumes.
                let actual = self.ord(t, self.s.fix_s[t]);
                let dd = self.st.pdata_ord[pcx];
                let mut rs = if dd == NONE { actual } else { dd };
                if self.s.progress != ProgressRule::ProgressOverride && logic != i64::MIN {
                    rs = rs.max(logic);
                }
                rs = rs.max(actual);
                es = rs;
                ef = self.add_dur(t, rs, self.s.rem[t], true);
                side = false;
                drv = if logic != i64::MIN && rs == logic { ldrv } else { NO };
            } else if self.is(t, F_RES) {
                (es, ef, drv) = self.forward_res(t, alap);
                side = false;
            } else {
                let mut e;
                let mut sd = lside;
                let mut dv = ldrv;
                if logic == i64::MIN {
                    e = pstart;
                    sd = false;
                    dv = NO;
                    if ms && self.is(t, F_CONS) {
                        let c = self.s.cons[self.s.cons_ix[t] as usize];
                        match c.primary {
                            Some((ConstraintKind::Snet, at)) => e = self.ord(t, at),
                            Some((ConstraintKind::Fnet, at)) => {
                                let w = self.ord(t, at);
                                e = self.sub_dur(t, w, d, false);
                            }
                            _ => {}
                        }
                    }
                } else {
                    e = logic;
                }
                if !ms {
                    if e < pstart {
                        e = pstart;
                        dv = NO;
                        sd = false;
                    }
                    let dd = self.st.pdata_ord[pcx];
                    if dd != NONE && e < dd {
                        e = dd;
                        dv = NO;
                        sd = false;
                    }
                }
                if self.is(t, F_CONS) {
                    let before = e;
                    e = self.early_constraints(t, e);
                    if e != before {
                        dv = NO;
                        sd = false;
                    }
                    // MS Project measures a pinned task's slack from where logic would put it.
                    let ci = self.s.cons_ix[t] as usize;
                    self.st.logic_es[ci] = before.max(e);
                }
                es = e;
                ef = self.add_dur(t, e, d, false);
                side = sd && d == 0;
                drv = dv;
            }
        }
        self.st.es[t] = es;
        self.st.ef[t] = ef;
        self.st.side[t] = side;
        self.st.drv[t] = drv;
        old != (es, ef, side)
    }

    pub(crate) fn early_constraints(&mut self, t: usize, mut e: i64) -> i64 {
        let c = self.s.cons[self.s.cons_ix[t] as usize];
        let d = self.s.dur[t];
        let ms = self.s.mode == Mode::MsProject;
        if c.floor != NONE {
            e = e.max(self.ord(t, c.floor));
        }
        for (kind, at) in [c.primary, c.secondary].into_iter().flatten() {
            let w = self.ord(t, at);
            match kind {
                ConstraintKind::Snet => e = e.max(w),
                ConstraintKind::Fnet => e = e.max(self.sub_dur(t, w, d, false)),
                ConstraintKind::Snlt if ms && self.s.honour => e = e.min(w),
                ConstraintKind::Fnlt if ms && self.s.honour => e = e.min(self.sub_dur(t, w, d, false)),
                ConstraintKind::Mso if ms => e = w,
                ConstraintKind::Mfo if ms => e = self.sub_dur(t, w, d, false),
                // P6 "start on"/"finish on": not earlier than the date, soft against logic.
                ConstraintKind::Mso => e = e.max(w),
                ConstraintKind::Mfo => e = e.max(self.sub_dur(t, w, d, false)),
                ConstraintKind::MandatoryStart => e = w,
                ConstraintKind::MandatoryFinish => e = self.sub_dur(t, w, d, false),
                _ => {}
            }
        }
        e
    }

    /// Forward pass over every network task.
    pub(crate) fn forward_all(&mut self, alap: bool) {
        for i in 0..self.s.order.len() {
            let t = self.s.order[i] as usize;
            self.forward_task(t, alap);
        }
    }

    /// [`forward_all`](Self::forward_all) with clock times only for the tasks whose clocks other
    /// tasks read; [`passes`](Self::passes) fills in the rest afterwards.
    fn forward_eager(&mut self, alap: bool) {
        for i in 0..self.s.order.len() {
            let t = self.s.order[i] as usize;
            self.forward_dates(t, alap);
            if self.s.eager[t] {
                self.st.esc[t] = self.es_clock_raw(t);
                self.st.efc[t] = self.ef_clock_raw(t);
            }
        }
    }

    /// Project finishes from the early finishes (or the finish constraints), in each pair's calendar.
    pub(crate) fn project_finishes(&mut self) -> bool {
        let mut pmax = vec![i64::MIN; self.s.pairs.len()];
        let mut parg = vec![NO; self.s.pairs.len()];
        for &t in &self.s.order {
            let p = self.s.pc[t as usize] as usize;
            let ef = self.st.ef[t as usize];
            // `>=` in topological order: on a tie the downstream task (a finish milestone) wins.
            if ef >= pmax[p] {
                pmax[p] = ef;
                parg[p] = t;
            }
        }
        self.st.pmax = pmax;
        self.st.parg = parg;
        self.finishes_from_pairs()
    }

    /// Rescans the tasks of project-calendar pair `i` for its latest early finish.
    pub(crate) fn rescan_pair(&mut self, i: usize) {
        let (mut m, mut a) = (i64::MIN, NO);
        for &t in &self.s.order {
            if self.s.pc[t as usize] as usize == i && self.st.ef[t as usize] >= m {
                m = self.st.ef[t as usize];
                a = t;
            }
        }
        self.st.pmax[i] = m;
        self.st.parg[i] = a;
    }

    /// Project finishes from the per-pair latest early finishes (and the elapsed or
    /// resource-driven tasks, which can end outside working time); returns whether any moved.
    pub(crate) fn finishes_from_pairs(&mut self) -> bool {
        let np = self.st.pef_clock.len();
        let (pmax, parg) = (std::mem::take(&mut self.st.pmax), std::mem::take(&mut self.st.parg));
        // The task finishing last overall, for the longest path.
        let mut end = (i64::MIN, NO);
        let mut pef = vec![NONE; np];
        for i in 0..self.s.pairs.len() {
            let (p, c) = self.s.pairs[i];
            if pmax[i] == i64::MIN {
                continue;
            }
            // The latest early finish as a clock: find a task at the max to respect elapsed ends.
            let clock = self.cals.get_mut(c as usize).finish_clock(pmax[i]);
            if clock > end.0 {
                end = (clock, parg[i]);
            }
            let p = p as usize;
            if clock > pef[p] {
                pef[p] = clock;
            }
        }
        self.st.pmax = pmax;
        self.st.parg = parg;
        // Elapsed tasks can end outside working time: look at them directly.
        for i in 0..self.s.odd.len() {
            let t = self.s.odd[i] as usize;
            {
                let c = self.ef_clock(t);
                if c > end.0 {
                    end = (c, t as u32);
                }
                let p = self.s.proj[t] as usize;
                if c > pef[p] {
                    pef[p] = c;
                }
            }
        }
        let mut pfin = vec![NONE; np];
        for p in 0..np {
            let cons = self.s.pfinish_cons[p];
            pfin[p] = if cons != NONE {
                cons
            } else if pef[p] != NONE {
                pef[p]
            } else {
                self.s.pstart[p]
            };
        }
        self.st.end_task = end.1;
        let changed = pfin != self.st.pfin_clock;
        self.st.pef_clock = pef;
        self.st.pfin_clock = pfin;
        if changed {
            for i in 0..self.s.pairs.len() {
                let (p, c) = self.s.pairs[i];
                let clock = self.st.pfin_clock[p as usize];
                self.st.pfin_ord[i] = self.cals.get_mut(c as usize).ordinal(clock);
            }
        }
        changed
    }

    /// Late finish of predecessor `t` required by successor arc `a`.
    #[inline]
    fn bwd_candidate(&mut self, t: usize, a: &Arc) -> i64 {
        let q = a.other as usize;
        let d = self.s.dur[t];
        if a.flags & A_FAST != 0 {
            return match a.kind {
                LinkType::FS => self.st.ls[q] - i64::from(a.lag),
                LinkType::SS => self.add_dur(t, self.st.ls[q] - i64::from(a.lag), d, false),
                LinkType::FF => self.st.lf[q] - i64::from(a.lag),
                LinkType::SF => self.add_dur(t, self.st.lf[q] - i64::from(a.lag), d, false),
            };
        }
        // Across calendars an ordinal covers a span of clock times (Friday 17:00 to Monday 08:00);
        // the backward pass reads each at its latest moment and the forward pass at its earliest,
        // so a chain with no slack agrees both ways.
        let anchor = match a.kind {
            LinkType::FS | LinkType::SS => self.ls_clock(q),
            LinkType::FF | LinkType::SF => self.lf_latest(q),
        };
        let c = self.lag_clock(a, anchor, -1, false);
        let w = self.ord(t, c);
        match a.kind {
            LinkType::FS | LinkType::FF => w,
            LinkType::SS | LinkType::SF => self.add_dur(t, w, d, false),
        }
    }

    /// Recomputes the late dates of network task `t`; returns whether they changed.
    pub(crate) fn backward_task(&mut self, t: usize) -> bool {
        let changed = self.backward_dates(t);
        self.st.lfc[t] = self.lf_clock_raw(t);
        self.st.lsc[t] = self.ls_clock_raw(t);
        changed
    }

    /// [`backward_task`](Self::backward_task) without the clock times.
    fn backward_dates(&mut self, t: usize) -> bool {
        let old = (self.st.ls[t], self.st.lf[t]);
        let ms = self.s.mode == Mode::MsProject;
        let (ls, lf);
        if self.p6_done(t).is_some() {
            lf = self.st.pfin_ord[self.s.pc[t] as usize];
            ls = lf;
        } else if self.is(t, F_FINISHED) && self.s.role[t] == Role::Task {
            ls = self.ord(t, self.s.fix_s[t]);
            lf = self.ord(t, self.s.fix_f[t]);
        } else if self.is(t, F_RES) || (self.is(t, F_ELAPSED) && !self.st.xlf.is_empty()) {
            (ls, lf) = self.backward_res(t);
        } else {
            let pfin = self.st.pfin_ord[self.s.pc[t] as usize];
            let mut l = pfin;
            let (a0, a1) = (self.s.succ_off[t] as usize, self.s.succ_off[t + 1] as usize);
            let mut any = false;
            for k in a0..a1 {
                let a = self.s.succs[k];
                if a.flags & A_LOE != 0 {
                    continue;
                }
                let q = a.other as usize;
                if self.is(q, F_FINISHED) && self.s.role[q] == Role::Task {
                    continue;
                }
                let mut v = if a.flags & A_FAST != 0 && a.kind == LinkType::FS {
                    self.st.ls[q] - i64::from(a.lag)
                } else {
                    self.bwd_candidate(t, &a)
                };
                if (ms || self.s.proj[q] != self.s.proj[t]) && v > pfin {
                    v = pfin;
                }
                if !any || v < l {
                    l = v;
                    any = true;
                }
            }
            if self.is(t, F_CONS) {
                l = self.late_constraints(t, l);
            }
            lf = l;
            ls = self.sub_dur(t, l, self.s.rem[t], true);
        }
        self.st.ls[t] = ls;
        self.st.lf[t] = lf;
        old != (ls, lf)
    }

    pub(crate) fn late_constraints(&mut self, t: usize, mut l: i64) -> i64 {
        let c = self.s.cons[self.s.cons_ix[t] as usize];
        let d = self.s.rem[t];
        let ms = self.s.mode == Mode::MsProject;
        for (kind, at) in [c.primary, c.secondary].into_iter().flatten() {
            let w = self.ord(t, at);
            match kind {
                ConstraintKind::Snlt => l = l.min(self.add_dur(t, w, d, true)),
                ConstraintKind::Fnlt => l = l.min(w),
                ConstraintKind::Mso if ms => l = self.add_dur(t, w, d, true),
                ConstraintKind::Mfo if ms => l = w,
                ConstraintKind::Mso => l = l.min(self.add_dur(t, w, d, true)),
                ConstraintKind::Mfo => l = l.min(w),
                ConstraintKind::MandatoryStart => l = self.add_dur(t, w, d, true),
                ConstraintKind::MandatoryFinish => l = w,
                _ => {}
            }
        }
        if c.deadline != NONE {
            let w = self.ord(t, c.deadline);
            l = l.min(w);
        }
        l
    }

    /// Backward pass over every network task.
    pub(crate) fn backward_all(&mut self) {
        for i in (0..self.s.order.len()).rev() {
            let t = self.s.order[i] as usize;
            self.backward_task(t);
        }
    }

    /// Both passes (and MS Project's second forward pass for as-late-as-possible tasks).
    ///
    /// Only the tasks whose clock times other tasks read get them during the passes (see
    /// [`Static::eager`](super::network::Static::eager)); the others' are filled in afterwards, on
    /// several threads for a large network, with the same values.
    pub(crate) fn passes(&mut self) {
        self.forward_eager(false);
        self.project_finishes();
        for i in (0..self.s.order.len()).rev() {
            let t = self.s.order[i] as usize;
            self.backward_dates(t);
            if self.s.eager[t] {
                self.st.lfc[t] = self.lf_clock_raw(t);
                self.st.lsc[t] = self.ls_clock_raw(t);
            }
        }
        if self.s.has_alap && self.s.mode == Mode::MsProject {
            self.forward_eager(true);
        }
        self.fill_clocks();
        if self.s.has_loe {
            self.level_of_effort();
        }
        self.st.ran = true;
    }

    /// Clock times of the network tasks the passes left without them (not [`eager`]), reading
    /// the calendars' tables as they stand on several threads; a task whose dates leave a table is
    /// done afterwards on this thread, growing the table.
    ///
    /// [`eager`]: super::network::Static::eager
    fn fill_clocks(&mut self) {
        const CHUNK: usize = 4_096;
        let mut esc = std::mem::take(&mut self.st.esc);
        let mut efc = std::mem::take(&mut self.st.efc);
        let mut lsc = std::mem::take(&mut self.st.lsc);
        let mut lfc = std::mem::take(&mut self.st.lfc);
        let (s, st, cals) = (&self.s, &self.st, Fixed(&self.cals));
        let fill = |(ci, (((esc, efc), lsc), lfc)): (usize, ClockChunk)| {
            let mut misses = Vec::new();
            for j in 0..esc.len() {
                let t = ci * CHUNK + j;
                if s.pos[t] == NO || s.eager[t] {
                    continue;
                }
                match plain_clocks(s, st, &mut { cals }, t) {
                    Some([es, ef, ls, lf]) => (esc[j], efc[j], lsc[j], lfc[j]) = (es, ef, ls, lf),
                    None => misses.push(t),
                }
            }
            misses
        };
        let chunks =
            esc.chunks_mut(CHUNK).zip(efc.chunks_mut(CHUNK)).zip(lsc.chunks_mut(CHUNK)).zip(lfc.chunks_mut(CHUNK));
        let misses: Vec<Vec<usize>> = if s.n < 4 * CHUNK {
            chunks.enumerate().map(fill).collect()
        } else {
            let parts: Vec<_> = chunks.enumerate().collect();
            parts.into_par_iter().map(fill).collect()
        };
        self.st.esc = esc;
        self.st.efc = efc;
        self.st.lsc = lsc;
        self.st.lfc = lfc;
        for t in misses.into_iter().flatten() {
            self.st.esc[t] = self.es_clock_raw(t);
            self.st.efc[t] = self.ef_clock_raw(t);
            self.st.lfc[t] = self.lf_clock_raw(t);
            self.st.lsc[t] = self.ls_clock_raw(t);
        }
    }
}

/// One chunk of the four clock-time arrays (early start and finish, late start and finish).
type ClockChunk<'a> = (((&'a mut [i64], &'a mut [i64]), &'a mut [i64]), &'a mut [i64]);

/// The four clock times (early start and finish, late start and finish) of network task `t`, as
/// [`Network::es_clock_raw`] and its siblings compute them, for a task that is not resource-driven
/// (`None` for one that is, or when `cals` cannot answer).
fn plain_clocks(s: &Static, st: &State, cals: &mut impl Lookup, t: usize) -> Option<[i64; 4]> {
    let f = s.flags[t];
    if f & F_RES != 0 {
        return None;
    }
    let c = s.cal[t];
    let started = f & F_STARTED != 0;
    let finished = f & F_FINISHED != 0;
    let p6 = s.mode == Mode::Primavera;
    let done = s.p6_done(t);
    let es = if let Some(dd) = done {
        dd
    } else if s.fix_s[t] != NONE && (s.role[t] == Role::Manual || (started && (!p6 || finished))) {
        s.fix_s[t]
    } else if st.side[t] {
        cals.finish_clock(c, st.es[t])?
    } else {
        cals.start_clock(c, st.es[t])?
    };
    let ef = if let Some(dd) = done {
        dd
    } else if s.fix_f[t] != NONE && (s.role[t] == Role::Manual || finished) {
        s.fix_f[t]
    } else if st.ef[t] == st.es[t] && !started {
        es
    } else if f & F_ELAPSED != 0 && !(p6 && started) {
        es + s.dur[t]
    } else {
        cals.finish_clock(c, st.ef[t])?
    };
    let lf = if done.is_some() {
        st.pfin_clock[s.proj[t] as usize]
    } else if finished && s.fix_f[t] != NONE {
        s.fix_f[t]
    } else if !st.xlf.is_empty() && st.xlf[t] != NONE {
        st.xlf[t]
    } else {
        cals.finish_clock(c, st.lf[t])?
    };
    let ls = if st.ls[t] == st.lf[t] {
        lf
    } else if f & F_ELAPSED != 0 {
        lf - s.rem[t]
    } else {
        cals.start_clock(c, st.ls[t])?
    };
    Some([es, ef, ls, lf])
}
