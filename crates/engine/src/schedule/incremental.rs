//! Incremental recalculation: after an edit, recompute only what it reaches.
//!
//! The forward pass is redone over the edit's forward cone, in topological order, stopping where
//! early dates do not change; the backward pass likewise over the backward cone, unless a project
//! finish moved (then every late date can move and the backward pass runs in full). The result is
//! the same as a full pass.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::compile::{pct_lag, refresh_fast};
use super::cpm::ScheduleError;
use super::model::{Lag, TaskIx};
use super::network::{A_ELAPSED, A_FAST, F_STARTED, NO, Network, Role};

/// What an incremental edit recomputed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Recalc {
    /// Tasks whose early dates were recomputed.
    pub forward: usize,
    /// Tasks whose late dates were recomputed.
    pub backward: usize,
    /// Whether the edit fell back to full passes (a project finish moved, or the schedule has
    /// features that are only computed in full: as-late-as-possible tasks, links from summary
    /// starts).
    pub full: bool,
}

impl Network {
    /// Sets the (remaining, for a started task: changed by the same amount) duration of `task` to
    /// `minutes` and recomputes what the change reaches.
    ///
    /// # Errors
    /// [`ScheduleError::Invalid`] when `task` is out of range, is a summary or inactive, or
    /// `minutes` is negative or out of range.
    ///
    /// # Complexity
    /// O((cone tasks + their links) x log(cone)) where the cone is the tasks whose dates change,
    /// plus O(tasks + links) for the backward pass when the project finish moves.
    ///
    /// # Example
    /// ```
    /// use chrono::NaiveDate;
    /// use keel_engine::schedule::{self, calendar, *};
    /// let start = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap().and_hms_opt(8, 0, 0).unwrap();
    /// let t = |c: &str| Task { code: c.into(), duration: Duration::working(480, DurationUnit::Days), ..Default::default() };
    /// let s = Schedule {
    ///     projects: vec![ProjectInfo { start, ..Default::default() }],
    ///     calendars: vec![calendar::standard()],
    ///     tasks: vec![t("A"), t("B"), t("C")],
    ///     links: vec![Link { pred: 0, succ: 1, kind: LinkType::FS, lag: Lag::default() }],
    ///     ..Default::default()
    /// };
    /// let mut net = Network::compile(&s).unwrap();
    /// net.run().unwrap();
    /// let r = net.set_duration(0, 960).unwrap();
    /// assert_eq!(r.forward, 2);
    /// let mut edited = s.clone();
    /// edited.tasks[0].duration.minutes = 960;
    /// assert_eq!(net.result().unwrap(), schedule::schedule(&edited).unwrap());
    /// ```
    pub fn set_duration(&mut self, task: TaskIx, minutes: i64) -> Result<Recalc, ScheduleError> {
        if task >= self.s.n {
            return Err(ScheduleError::Invalid {
                task: format!("task {task}"),
                field: "duration",
                message: format!("no task with index {task} ({} tasks)", self.s.n),
            });
        }
        if !matches!(self.s.role[task], Role::Task | Role::Manual) {
            return Err(ScheduleError::Invalid {
                task: format!("task {task}"),
                field: "duration",
                message: "a summary or inactive task's duration is not scheduled".into(),
            });
        }
        if !(0..=1_000_000_000).contains(&minutes) {
            return Err(ScheduleError::Invalid {
                task: format!("task {task}"),
                field: "duration",
                message: format!("{minutes} minutes: must be between 0 and 1,000,000,000"),
            });
        }
        if !self.st.ran {
            self.passes();
        }
        let old = self.s.dur[task];
        self.s.dur[task] = minutes;
        if self.s.flags[task] & F_STARTED != 0 {
            self.s.rem[task] = (self.s.rem[task] + (minutes - old)).clamp(0, minutes);
        } else {
            self.s.rem[task] = minutes;
        }
        // Percent lags on the task's outgoing links follow its duration.
        let mut seeds_f = vec![task as u32];
        let (a0, a1) = (self.s.succ_off[task] as usize, self.s.succ_off[task + 1] as usize);
        for k in a0..a1 {
            let pct = self.s.pct_of(self.s.mirror[k]);
            if pct != 0 {
                let lag = pct_lag(minutes, pct);
                self.update_arc(k, lag);
                seeds_f.push(self.s.succs[k].other);
            }
        }
        Ok(self.recompute(&seeds_f, &[task as u32]))
    }

    /// Sets the lag of link `link` (index into the schedule's links) and recomputes what the change
    /// reaches. A percent lag (`unit == Percent`, `amount` in basis points) follows the
    /// predecessor's duration.
    ///
    /// # Errors
    /// [`ScheduleError::Invalid`] when `link` is out of range or the lag is out of range.
    ///
    /// # Complexity
    /// As [`set_duration`](Network::set_duration).
    ///
    /// # Example
    /// ```
    /// use chrono::NaiveDate;
    /// use keel_engine::schedule::{calendar, *};
    /// let start = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap().and_hms_opt(8, 0, 0).unwrap();
    /// let t = |c: &str| Task { code: c.into(), duration: Duration::working(480, DurationUnit::Days), ..Default::default() };
    /// let s = Schedule {
    ///     projects: vec![ProjectInfo { start, ..Default::default() }],
    ///     calendars: vec![calendar::standard()],
    ///     tasks: vec![t("A"), t("B")],
    ///     links: vec![Link { pred: 0, succ: 1, kind: LinkType::FS, lag: Lag::default() }],
    ///     ..Default::default()
    /// };
    /// let mut net = Network::compile(&s).unwrap();
    /// net.run().unwrap();
    /// net.set_lag(0, Lag { amount: 480, ..Default::default() }).unwrap();
    /// assert_eq!(net.task(1).unwrap().early_start.to_string(), "2024-01-03 08:00:00");
    /// ```
    pub fn set_lag(&mut self, link: usize, lag: Lag) -> Result<Recalc, ScheduleError> {
        self.s.ensure_link_index();
        if link >= self.s.nlinks {
            return Err(ScheduleError::Invalid {
                task: format!("link {link}"),
                field: "lag",
                message: format!("no link with index {link}"),
            });
        }
        if lag.amount.abs() > 1_000_000_000 {
            return Err(ScheduleError::Invalid {
                task: format!("link {link}"),
                field: "lag",
                message: format!("lag {} is out of range", lag.amount),
            });
        }
        if !self.st.ran {
            self.passes();
        }
        let (a0, a1) = (self.s.link_off[link] as usize, self.s.link_off[link + 1] as usize);
        let mut seeds_f = Vec::new();
        let mut seeds_b = Vec::new();
        for i in a0..a1 {
            let k = self.s.link_arcs[i] as usize;
            let pi = self.s.mirror[k] as usize;
            let p = self.s.preds[pi].other;
            let percent = lag.unit == super::model::DurationUnit::Percent;
            let amount = if percent { pct_lag(self.s.dur[p as usize], lag.amount) } else { lag.amount };
            self.s.set_pct(pi as u32, if percent { lag.amount } else { 0 });
            for arc in [&mut self.s.succs[k], &mut self.s.preds[pi]] {
                if lag.elapsed && !percent {
                    arc.flags |= A_ELAPSED;
                } else if !percent {
                    arc.flags &= !A_ELAPSED;
                }
            }
            self.update_arc(k, amount);
            seeds_f.push(self.s.succs[k].other);
            seeds_b.push(p);
        }
        Ok(self.recompute(&seeds_f, &seeds_b))
    }

    /// Sets the lag of successor-list entry `k` (and its mirror).
    fn update_arc(&mut self, k: usize, lag: i64) {
        let pi = self.s.mirror[k] as usize;
        let q = self.s.succs[k].other as usize;
        let p = self.s.preds[pi].other as usize;
        let (cp, cq) = (self.s.cal[p], self.s.cal[q]);
        for arc in [&mut self.s.succs[k], &mut self.s.preds[pi]] {
            arc.lag = lag as i32;
            refresh_fast(arc, cp, cq);
        }
        // A link that is no longer fast has its ends' clock times read in later full passes.
        if self.s.succs[k].flags & A_FAST == 0 {
            self.s.eager[p] = true;
            self.s.eager[q] = true;
        }
    }

    fn recompute(&mut self, seeds_f: &[u32], seeds_b: &[u32]) -> Recalc {
        if self.s.full_only || self.s.has_alap || self.s.has_loe {
            self.passes();
            let n = self.s.order.len();
            return Recalc { forward: n, backward: n, full: true };
        }
        let forward = self.forward_from(seeds_f);
        let moved = self.finishes_from_pairs();
        if moved {
            self.backward_all();
            return Recalc { forward, backward: self.s.order.len(), full: true };
        }
        let backward = self.backward_from(seeds_b);
        Recalc { forward, backward, full: false }
    }

    fn forward_from(&mut self, seeds: &[u32]) -> usize {
        let mut heap = BinaryHeap::new();
        for &t in seeds {
            let p = self.s.pos[t as usize];
            if p != NO && !self.scratch[t as usize] {
                self.scratch[t as usize] = true;
                heap.push(Reverse(p));
            }
        }
        let mut count = 0;
        let mut touched = Vec::new();
        while let Some(Reverse(p)) = heap.pop() {
            let t = self.s.order[p as usize] as usize;
            touched.push(t);
            count += 1;
            let changed = self.forward_task(t, false);
            // Keep each project-calendar pair's latest early finish current.
            let pair = self.s.pc[t] as usize;
            let ef = self.st.ef[t];
            if ef >= self.st.pmax[pair] {
                if ef > self.st.pmax[pair] || self.s.pos[t] > self.s.pos[self.st.parg[pair] as usize] {
                    self.st.parg[pair] = t as u32;
                }
                self.st.pmax[pair] = ef;
            } else if self.st.parg[pair] == t as u32 {
                self.rescan_pair(pair);
            }
            if changed || seeds.contains(&(t as u32)) {
                let (a0, a1) = (self.s.succ_off[t] as usize, self.s.succ_off[t + 1] as usize);
                for k in a0..a1 {
                    let q = self.s.succs[k].other as usize;
                    if !self.scratch[q] {
                        self.scratch[q] = true;
                        heap.push(Reverse(self.s.pos[q]));
                    }
                }
            }
        }
        for t in touched {
            self.scratch[t] = false;
        }
        count
    }

    fn backward_from(&mut self, seeds: &[u32]) -> usize {
        let mut heap = BinaryHeap::new();
        for &t in seeds {
            let p = self.s.pos[t as usize];
            if p != NO && !self.scratch[t as usize] {
                self.scratch[t as usize] = true;
                heap.push(p);
            }
        }
        let mut count = 0;
        let mut touched = Vec::new();
        while let Some(p) = heap.pop() {
            let t = self.s.order[p as usize] as usize;
            touched.push(t);
            count += 1;
            if self.backward_task(t) || seeds.contains(&(t as u32)) {
                let (a0, a1) = (self.s.pred_off[t] as usize, self.s.pred_off[t + 1] as usize);
                for k in a0..a1 {
                    let q = self.s.preds[k].other as usize;
                    if !self.scratch[q] {
                        self.scratch[q] = true;
                        heap.push(self.s.pos[q]);
                    }
                }
            }
        }
        for t in touched {
            self.scratch[t] = false;
        }
        count
    }
}
