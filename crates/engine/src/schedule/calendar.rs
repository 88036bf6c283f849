//! Working-time calendars compiled into a fast index.
//!
//! A model [`Calendar`] (a week of working times, a base calendar, dated and recurring exceptions,
//! work weeks) is compiled into a [`WorkCalendar`]: a table with one row per day over a horizon that
//! grows on demand. Each row holds the day's working intervals (shared "day patterns") and the number
//! of working minutes before the day, so that
//!
//! - a date-time becomes a *working-minute ordinal* (working minutes since the calendar's anchor) in
//!   O(1), and
//! - an ordinal becomes a date-time in O(1) amortised (a bucket index over the ordinals, then a short
//!   forward scan over the days).
//!
//! In ordinal space adding working time is integer addition. Going back to a date-time there are
//! two readings of the same ordinal: as a *start* (the moment the next working minute begins, e.g.
//! 08:00 next day) or as a *finish* (the moment the previous working minute ends, e.g. 17:00).
//!
//! Date-times are local wall-clock times, handled internally as *clock minutes*: whole minutes since
//! 1970-01-01T00:00 ([`to_clock`], [`from_clock`]).

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};

use super::calendar_rules::{Layer, Pattern, compile_layer, day_number, intersect, invalid, resolve};
use super::cpm::ScheduleError;
use super::model::{Calendar, CalendarIx, WorkingTime};

/// Minutes in a day.
const DAY: i64 = 1440;
/// Earliest day the index reaches (1800-01-01), as days since 1970-01-01.
const MIN_DAY: i64 = -62_091;
/// Latest day the index reaches (2400-01-01), as days since 1970-01-01.
const MAX_DAY: i64 = 156_038;

/// Converts a date-time to clock minutes since 1970-01-01T00:00 (seconds are dropped, rounding
/// towards the past).
///
/// Complexity O(1).
///
/// ```
/// use chrono::NaiveDate;
/// use keel_engine::schedule::calendar::{from_clock, to_clock};
/// let t = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap().and_hms_opt(8, 0, 0).unwrap();
/// assert_eq!(from_clock(to_clock(t)), t);
/// ```
pub fn to_clock(t: NaiveDateTime) -> i64 {
    t.and_utc().timestamp().div_euclid(60)
}

/// Converts clock minutes since 1970-01-01T00:00 back to a date-time. Values outside chrono's range
/// are clamped to it.
///
/// Complexity O(1).
///
/// ```
/// use keel_engine::schedule::calendar::from_clock;
/// assert_eq!(from_clock(0).to_string(), "1970-01-01 00:00:00");
/// ```
pub fn from_clock(m: i64) -> NaiveDateTime {
    let secs = m.saturating_mul(60);
    match chrono::DateTime::from_timestamp(secs, 0) {
        Some(t) => t.naive_utc(),
        None if m < 0 => NaiveDateTime::MIN,
        None => NaiveDateTime::MAX,
    }
}

/// A compiled working-time calendar: O(1) date-time to working-minute conversions.
///
/// Methods take `&mut self` because the day table grows when a computation leaves its horizon; the
/// results do not depend on the horizon. Ordinals are counted from an anchor fixed at compile time,
/// so they stay valid as the table grows in either direction.
#[derive(Debug, Clone)]
pub struct WorkCalendar {
    name: String,
    layers: Vec<Layer>,
    /// A second rule chain to intersect with (combined task and resource calendars).
    also: Option<Vec<Layer>>,
    patterns: Vec<Pattern>,
    intern: HashMap<Vec<(u16, u16)>, u32>,
    /// First day of the table (days since 1970-01-01).
    lo: i64,
    /// Pattern of each day.
    pat: Vec<u32>,
    /// Per pattern, working minutes before each minute of the day (1441 entries each).
    before: Vec<u16>,
    /// Per pattern, the minute of day at which each of its working minutes begins.
    at: Vec<u16>,
    at_off: Vec<u32>,
    /// Ordinal at the start of each day; one longer than `pat`.
    cum: Vec<i64>,
    /// Bucket index: `bucket[k]` is the day holding ordinal `cum[0] + (k << shift)`.
    bucket: Vec<u32>,
    shift: u32,
    /// Whether any day can be working.
    works: bool,
    /// Set when a computation ran past the supported date range (1800-2400).
    overflow: bool,
}

impl WorkCalendar {
    /// Compiles calendar `ix` of `calendars` (following its base chain), with an initial horizon
    /// around `around`.
    ///
    /// # Errors
    /// [`ScheduleError::Invalid`] naming the calendar when an interval has `from >= to` or
    /// `to > 1440`, an exception or work week ends before it starts, a recurrence has period 0, a
    /// base index is out of range or the base chain loops.
    ///
    /// # Complexity
    /// O(layers + days in the initial horizon x exceptions).
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use keel_engine::schedule::calendar::WorkCalendar;
    /// use keel_engine::schedule::{Calendar, WorkingTime};
    /// let day = Some(vec![WorkingTime { from: 480, to: 720 }, WorkingTime { from: 780, to: 1020 }]);
    /// let std = Calendar {
    ///     name: "Standard".into(),
    ///     week: [day.clone(), day.clone(), day.clone(), day.clone(), day, Some(vec![]), Some(vec![])],
    ///     ..Default::default()
    /// };
    /// let mut cal = WorkCalendar::compile(&[std], 0, NaiveDate::from_ymd_opt(2024, 1, 1).unwrap()).unwrap();
    /// let fri = NaiveDate::from_ymd_opt(2024, 1, 5).unwrap().and_hms_opt(17, 0, 0).unwrap();
    /// // One working day after Friday 17:00 ends on Monday 17:00.
    /// assert_eq!(cal.add_working(fri, 480).to_string(), "2024-01-08 17:00:00");
    /// ```
    pub fn compile(calendars: &[Calendar], ix: CalendarIx, around: NaiveDate) -> Result<WorkCalendar, ScheduleError> {
        let Some(own) = calendars.get(ix) else {
            return Err(ScheduleError::Invalid {
                task: format!("calendar {ix}"),
                field: "calendar",
                message: format!("no calendar with index {ix} (the schedule has {})", calendars.len()),
            });
        };
        let mut layers = Vec::new();
        let mut seen = vec![false; calendars.len()];
        let mut cur = ix;
        loop {
            if seen[cur] {
                return Err(invalid(own, "base", "the base calendars form a loop".to_string()));
            }
            seen[cur] = true;
            let c = &calendars[cur];
            layers.push(compile_layer(c)?);
            match c.base {
                None => break,
                Some(b) if b < calendars.len() => cur = b,
                Some(b) => {
                    return Err(invalid(
                        c,
                        "base",
                        format!("base calendar index {b} is out of range ({} calendars)", calendars.len()),
                    ));
                }
            }
        }
        let works = layers.iter().any(|l| {
            l.week.iter().flatten().any(|v| !v.is_empty())
                || l.work_weeks.iter().any(|w| w.2.iter().flatten().any(|v| !v.is_empty()))
                || l.exceptions.iter().any(|e| !e.working.is_empty())
        });
        let start = day_number(around).clamp(MIN_DAY + 400, MAX_DAY - 1200);
        let mut cal = WorkCalendar {
            name: own.name.clone(),
            layers,
            also: None,
            patterns: Vec::new(),
            intern: HashMap::new(),
            lo: start - 366,
            pat: Vec::new(),
            before: Vec::new(),
            at: Vec::new(),
            at_off: Vec::new(),
            cum: vec![0],
            bucket: Vec::new(),
            shift: 9,
            works,
            overflow: false,
        };
        cal.extend_forward(start + 3 * 366);
        Ok(cal)
    }

    /// The calendar's name.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use keel_engine::schedule::calendar::{WorkCalendar, standard};
    /// let d = |day: u32, h: u32| NaiveDate::from_ymd_opt(2024, 1, day).unwrap().and_hms_opt(h, 0, 0).unwrap();
    /// let mut cal = WorkCalendar::compile(&[standard()], 0, d(1, 0).date()).unwrap();
    /// assert_eq!(cal.name(), "Standard");
    /// ```
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether the calendar has any working time at all (false for a calendar with every day off).
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use keel_engine::schedule::calendar::{WorkCalendar, standard};
    /// let d = |day: u32, h: u32| NaiveDate::from_ymd_opt(2024, 1, day).unwrap().and_hms_opt(h, 0, 0).unwrap();
    /// let mut cal = WorkCalendar::compile(&[standard()], 0, d(1, 0).date()).unwrap();
    /// assert!(cal.has_working_time());
    /// ```
    pub fn has_working_time(&self) -> bool {
        self.works
    }

    /// Whether a computation ran past the supported range (years 1800 to 2400); results touching
    /// that range are clamped to it.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use keel_engine::schedule::calendar::{WorkCalendar, standard};
    /// let d = |day: u32, h: u32| NaiveDate::from_ymd_opt(2024, 1, day).unwrap().and_hms_opt(h, 0, 0).unwrap();
    /// let mut cal = WorkCalendar::compile(&[standard()], 0, d(1, 0).date()).unwrap();
    /// cal.add_working(d(1, 8), 480 * 5 * 52 * 500); // 500 years of work
    /// assert!(cal.overflowed());
    /// ```
    pub fn overflowed(&self) -> bool {
        self.overflow
    }

    fn pattern_of(&mut self, day: i64) -> u32 {
        let own = resolve(&self.layers, day);
        let meet;
        let iv = match &self.also {
            None => own,
            Some(other) => {
                meet = intersect(own, resolve(other, day));
                &meet[..]
            }
        };
        if let Some(&p) = self.intern.get(iv) {
            return p;
        }
        let p = self.patterns.len() as u32;
        let pattern = Pattern::new(iv);
        self.before.extend((0..=1440u32).map(|m| pattern.worked_before(m) as u16));
        self.at_off.push(self.at.len() as u32);
        self.at.extend((0..pattern.total).map(|o| pattern.minute_of(o) as u16));
        self.patterns.push(pattern);
        self.intern.insert(iv.to_vec(), p);
        p
    }

    /// The calendar working only when both `self` and `other` work (MS Project's combination of a
    /// task calendar with a resource calendar).
    ///
    /// # Complexity
    /// O(horizon days).
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use keel_engine::schedule::calendar::{WorkCalendar, standard, twenty_four_hour};
    /// use keel_engine::schedule::WorkingTime;
    /// let mut mornings = twenty_four_hour();
    /// mornings.week = std::array::from_fn(|_| Some(vec![WorkingTime { from: 0, to: 720 }]));
    /// let d = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
    /// let a = WorkCalendar::compile(&[standard()], 0, d).unwrap();
    /// let b = WorkCalendar::compile(&[mornings], 0, d).unwrap();
    /// let mut both = a.intersection(&b);
    /// assert_eq!(both.working_times(d), vec![(480, 720)]);
    /// ```
    pub fn intersection(&self, other: &WorkCalendar) -> WorkCalendar {
        let mut out = WorkCalendar {
            name: format!("{} & {}", self.name, other.name),
            layers: self.layers.clone(),
            also: Some(other.layers.clone()),
            patterns: Vec::new(),
            intern: HashMap::new(),
            lo: self.lo,
            pat: Vec::new(),
            before: Vec::new(),
            at: Vec::new(),
            at_off: Vec::new(),
            cum: vec![0],
            bucket: Vec::new(),
            shift: 9,
            works: self.works && other.works,
            overflow: false,
        };
        out.extend_forward(self.hi());
        out
    }

    /// Appends days up to (excluding) `hi`.
    fn extend_forward(&mut self, hi: i64) {
        let hi = hi.min(MAX_DAY);
        let mut day = self.lo + self.pat.len() as i64;
        let mut acc = *self.cum.last().unwrap_or(&0);
        while day < hi {
            let p = self.pattern_of(day);
            self.pat.push(p);
            acc += i64::from(self.patterns[p as usize].total);
            self.cum.push(acc);
            day += 1;
        }
        self.rebuild_buckets();
    }

    /// Prepends days down to `lo`, keeping existing ordinals.
    fn extend_backward(&mut self, lo: i64) {
        let lo = lo.max(MIN_DAY);
        if lo >= self.lo {
            return;
        }
        let n = (self.lo - lo) as usize;
        let mut pats = Vec::with_capacity(n);
        for day in lo..self.lo {
            pats.push(self.pattern_of(day));
        }
        let added: i64 = pats.iter().map(|&p| i64::from(self.patterns[p as usize].total)).sum();
        let mut cum = Vec::with_capacity(n + self.cum.len());
        let mut acc = self.cum[0] - added;
        for &p in &pats {
            cum.push(acc);
            acc += i64::from(self.patterns[p as usize].total);
        }
        cum.extend_from_slice(&self.cum);
        pats.extend_from_slice(&self.pat);
        self.pat = pats;
        self.cum = cum;
        self.lo = lo;
        self.rebuild_buckets();
    }

    fn rebuild_buckets(&mut self) {
        let days = self.pat.len().max(1) as i64;
        let total = self.cum[self.cum.len() - 1] - self.cum[0];
        let avg = (total / days).max(1);
        // About one bucket per average day.
        self.shift = (63 - avg.leading_zeros()).min(20);
        let n = (total >> self.shift) as usize + 1;
        self.bucket.clear();
        self.bucket.reserve(n);
        let mut i = 0usize;
        let base = self.cum[0];
        for k in 0..n {
            let o = base + ((k as i64) << self.shift);
            while i + 1 < self.pat.len() && self.cum[i + 1] <= o {
                i += 1;
            }
            self.bucket.push(i as u32);
        }
    }

    #[inline]
    fn hi(&self) -> i64 {
        self.lo + self.pat.len() as i64
    }

    /// Makes sure `day` is inside the table. Returns false (and sets the overflow flag) when it is
    /// outside the supported range.
    #[inline]
    fn ensure_day(&mut self, day: i64) -> bool {
        if day >= self.lo && day < self.hi() {
            return true;
        }
        self.grow_to_day(day)
    }

    #[cold]
    fn grow_to_day(&mut self, day: i64) -> bool {
        if !(MIN_DAY..MAX_DAY).contains(&day) {
            self.overflow = true;
            return false;
        }
        let len = self.pat.len() as i64;
        if day >= self.hi() {
            self.extend_forward((day + 1).max(self.hi() + len));
        } else {
            self.extend_backward(day.min(self.lo - len));
        }
        true
    }

    /// Working-minute ordinal of a clock time: working minutes from the anchor to `clock`.
    ///
    /// Complexity O(1) (amortised when the table grows).
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use keel_engine::schedule::calendar::{WorkCalendar, to_clock};
    /// use keel_engine::schedule::{Calendar, WorkingTime};
    /// let d = Some(vec![WorkingTime { from: 480, to: 1020 }]);
    /// let c = Calendar { week: [d.clone(), d.clone(), d.clone(), d.clone(), d, Some(vec![]), Some(vec![])], ..Default::default() };
    /// let mut cal = WorkCalendar::compile(&[c], 0, NaiveDate::from_ymd_opt(2024, 1, 1).unwrap()).unwrap();
    /// let mon8 = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap().and_hms_opt(8, 0, 0).unwrap();
    /// let mon9 = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap().and_hms_opt(9, 0, 0).unwrap();
    /// assert_eq!(cal.ordinal(to_clock(mon9)) - cal.ordinal(to_clock(mon8)), 60);
    /// ```
    #[inline]
    pub fn ordinal(&mut self, clock: i64) -> i64 {
        let day = clock.div_euclid(DAY);
        if !self.ensure_day(day) {
            return if day < self.lo { self.cum[0] } else { self.cum[self.cum.len() - 1] };
        }
        self.ordinal_at(day, clock)
    }

    /// [`ordinal`](Self::ordinal) when `clock` falls inside the day table, without growing it:
    /// `None` otherwise. Lets several threads read one calendar; where it answers, the answer is
    /// the one `ordinal` gives.
    #[inline]
    pub(crate) fn ordinal_in_table(&self, clock: i64) -> Option<i64> {
        let day = clock.div_euclid(DAY);
        (day >= self.lo && day < self.hi()).then(|| self.ordinal_at(day, clock))
    }

    /// Ordinal of `clock`, whose `day` is inside the table.
    #[inline]
    fn ordinal_at(&self, day: i64, clock: i64) -> i64 {
        let i = (day - self.lo) as usize;
        let m = clock.rem_euclid(DAY) as u32;
        self.cum[i] + i64::from(self.before[self.pat[i] as usize * 1441 + m as usize])
    }

    /// Day index (into the table) holding working minute `w`: `cum[i] <= w < cum[i + 1]`.
    #[inline]
    fn day_holding(&mut self, w: i64) -> Option<usize> {
        while w >= self.cum[self.cum.len() - 1] {
            if !self.works || self.hi() >= MAX_DAY {
                self.overflow = true;
                return None;
            }
            let len = self.pat.len() as i64;
            self.extend_forward(self.hi() + len);
        }
        while w < self.cum[0] {
            if !self.works || self.lo <= MIN_DAY {
                self.overflow = true;
                return None;
            }
            let len = self.pat.len() as i64;
            self.extend_backward(self.lo - len);
        }
        Some(self.day_in_table(w))
    }

    /// Day index holding working minute `w`, which lies inside the table
    /// (`cum[0] <= w < cum[last]`).
    #[inline]
    fn day_in_table(&self, w: i64) -> usize {
        let k = ((w - self.cum[0]) >> self.shift) as usize;
        let mut i = self.bucket[k.min(self.bucket.len() - 1)] as usize;
        while self.cum[i + 1] <= w {
            i += 1;
        }
        i
    }

    /// Clock time at which working minute `w` begins: the *start* reading of an ordinal (an ordinal
    /// at the end of a working day reads as the next working morning).
    ///
    /// Complexity O(1) amortised.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use keel_engine::schedule::calendar::{WorkCalendar, standard};
    /// let d = |day: u32, h: u32| NaiveDate::from_ymd_opt(2024, 1, day).unwrap().and_hms_opt(h, 0, 0).unwrap();
    /// let mut cal = WorkCalendar::compile(&[standard()], 0, d(1, 0).date()).unwrap();
    /// use keel_engine::schedule::calendar::{from_clock, to_clock};
    /// let w = cal.ordinal(to_clock(d(5, 17))); // Friday evening
    /// assert_eq!(from_clock(cal.start_clock(w)), d(8, 8)); // reads as Monday morning
    /// ```
    #[inline]
    pub fn start_clock(&mut self, w: i64) -> i64 {
        match self.day_holding(w) {
            Some(i) => self.start_clock_at(i, w),
            None => self.edge_clock(w),
        }
    }

    /// [`start_clock`](Self::start_clock) when working minute `w` falls inside the day table,
    /// without growing it: `None` otherwise. Where it answers, the answer is `start_clock`'s.
    #[inline]
    pub(crate) fn start_clock_in_table(&self, w: i64) -> Option<i64> {
        (w >= self.cum[0] && w < self.cum[self.cum.len() - 1]).then(|| self.start_clock_at(self.day_in_table(w), w))
    }

    #[inline]
    fn start_clock_at(&self, i: usize, w: i64) -> i64 {
        let m = self.at[(self.at_off[self.pat[i] as usize] as i64 + (w - self.cum[i])) as usize];
        (self.lo + i as i64) * DAY + i64::from(m)
    }

    /// Clock time at which working minute `w - 1` ends: the *finish* reading of an ordinal (an
    /// ordinal at the start of a working day reads as the previous working evening).
    ///
    /// Complexity O(1) amortised.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use keel_engine::schedule::calendar::{WorkCalendar, standard};
    /// let d = |day: u32, h: u32| NaiveDate::from_ymd_opt(2024, 1, day).unwrap().and_hms_opt(h, 0, 0).unwrap();
    /// let mut cal = WorkCalendar::compile(&[standard()], 0, d(1, 0).date()).unwrap();
    /// use keel_engine::schedule::calendar::{from_clock, to_clock};
    /// let w = cal.ordinal(to_clock(d(8, 8))); // Monday morning
    /// assert_eq!(from_clock(cal.finish_clock(w)), d(5, 17)); // reads as Friday evening
    /// ```
    #[inline]
    pub fn finish_clock(&mut self, w: i64) -> i64 {
        match self.day_holding(w - 1) {
            Some(i) => self.start_clock_at(i, w - 1) + 1,
            None => self.edge_clock(w),
        }
    }

    /// [`finish_clock`](Self::finish_clock) when working minute `w - 1` falls inside the day table,
    /// without growing it: `None` otherwise. Where it answers, the answer is `finish_clock`'s.
    #[inline]
    pub(crate) fn finish_clock_in_table(&self, w: i64) -> Option<i64> {
        self.start_clock_in_table(w - 1).map(|c| c + 1)
    }

    #[cold]
    fn edge_clock(&self, w: i64) -> i64 {
        if w < self.cum[0] { self.lo * DAY } else { self.hi() * DAY }
    }

    /// The next moment at or after `t` when work can start (MS Project "next work start").
    ///
    /// Complexity O(1) amortised.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use keel_engine::schedule::calendar::{WorkCalendar, standard};
    /// let d = |day: u32, h: u32| NaiveDate::from_ymd_opt(2024, 1, day).unwrap().and_hms_opt(h, 0, 0).unwrap();
    /// let mut cal = WorkCalendar::compile(&[standard()], 0, d(1, 0).date()).unwrap();
    /// assert_eq!(cal.next_work_start(d(6, 10)), d(8, 8)); // Saturday -> Monday 08:00
    /// ```
    pub fn next_work_start(&mut self, t: NaiveDateTime) -> NaiveDateTime {
        let w = self.ordinal(to_clock(t));
        from_clock(self.start_clock(w))
    }

    /// The last moment at or before `t` when work ended (MS Project "previous work finish").
    ///
    /// Complexity O(1) amortised.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use keel_engine::schedule::calendar::{WorkCalendar, standard};
    /// let d = |day: u32, h: u32| NaiveDate::from_ymd_opt(2024, 1, day).unwrap().and_hms_opt(h, 0, 0).unwrap();
    /// let mut cal = WorkCalendar::compile(&[standard()], 0, d(1, 0).date()).unwrap();
    /// assert_eq!(cal.previous_work_finish(d(8, 8)), d(5, 17));
    /// ```
    pub fn previous_work_finish(&mut self, t: NaiveDateTime) -> NaiveDateTime {
        let w = self.ordinal(to_clock(t));
        from_clock(self.finish_clock(w))
    }

    /// Adds `minutes` of working time to `t` (negative subtracts). A positive result reads as a
    /// finish (Friday 17:00, not Monday 08:00), a negative one as a start; zero returns `t`.
    ///
    /// Complexity O(1) amortised.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use keel_engine::schedule::calendar::{WorkCalendar, standard};
    /// let d = |day: u32, h: u32| NaiveDate::from_ymd_opt(2024, 1, day).unwrap().and_hms_opt(h, 0, 0).unwrap();
    /// let mut cal = WorkCalendar::compile(&[standard()], 0, d(1, 0).date()).unwrap();
    /// assert_eq!(cal.add_working(d(1, 8), 960), d(2, 17));
    /// assert_eq!(cal.add_working(d(2, 17), -960), d(1, 8));
    /// ```
    pub fn add_working(&mut self, t: NaiveDateTime, minutes: i64) -> NaiveDateTime {
        if minutes == 0 {
            return t;
        }
        let w = self.ordinal(to_clock(t)).saturating_add(minutes);
        from_clock(if minutes > 0 { self.finish_clock(w) } else { self.start_clock(w) })
    }

    /// Working minutes from `a` to `b` (negative when `b` is before `a`).
    ///
    /// Complexity O(1) amortised.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use keel_engine::schedule::calendar::WorkCalendar;
    /// use keel_engine::schedule::{Calendar, WorkingTime};
    /// let d = Some(vec![WorkingTime { from: 480, to: 1020 }]);
    /// let c = Calendar { week: [d.clone(), d.clone(), d.clone(), d.clone(), d, Some(vec![]), Some(vec![])], ..Default::default() };
    /// let mut cal = WorkCalendar::compile(&[c], 0, NaiveDate::from_ymd_opt(2024, 1, 1).unwrap()).unwrap();
    /// let fri = NaiveDate::from_ymd_opt(2024, 1, 5).unwrap().and_hms_opt(8, 0, 0).unwrap();
    /// let tue = NaiveDate::from_ymd_opt(2024, 1, 9).unwrap().and_hms_opt(8, 0, 0).unwrap();
    /// assert_eq!(cal.working_minutes_between(fri, tue), 2 * 540);
    /// ```
    pub fn working_minutes_between(&mut self, a: NaiveDateTime, b: NaiveDateTime) -> i64 {
        self.ordinal(to_clock(b)) - self.ordinal(to_clock(a))
    }

    /// Working time between two instants in fractional minutes, honouring seconds.
    ///
    /// Complexity O(1) amortised.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use keel_engine::schedule::calendar::{WorkCalendar, standard};
    /// let d = |day: u32, h: u32| NaiveDate::from_ymd_opt(2024, 1, day).unwrap().and_hms_opt(h, 0, 0).unwrap();
    /// let mut cal = WorkCalendar::compile(&[standard()], 0, d(1, 0).date()).unwrap();
    /// let half = d(1, 8) + chrono::Duration::seconds(30);
    /// assert_eq!(cal.working_minutes_between_exact(d(1, 8), half), 0.5);
    /// ```
    pub fn working_minutes_between_exact(&mut self, a: NaiveDateTime, b: NaiveDateTime) -> f64 {
        self.exact_ordinal(b) - self.exact_ordinal(a)
    }

    fn exact_ordinal(&mut self, t: NaiveDateTime) -> f64 {
        let secs = t.and_utc().timestamp();
        let c = secs.div_euclid(60);
        let s = secs.rem_euclid(60);
        let w = self.ordinal(c);
        if s == 0 {
            return w as f64;
        }
        let w1 = self.ordinal(c + 1);
        w as f64 + (w1 - w) as f64 * (s as f64 / 60.0)
    }

    /// Adds `minutes` of clock (elapsed) time: the calendar is not consulted.
    ///
    /// Complexity O(1).
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use keel_engine::schedule::calendar::{WorkCalendar, standard};
    /// let d = |day: u32, h: u32| NaiveDate::from_ymd_opt(2024, 1, day).unwrap().and_hms_opt(h, 0, 0).unwrap();
    /// let mut cal = WorkCalendar::compile(&[standard()], 0, d(1, 0).date()).unwrap();
    /// assert_eq!(WorkCalendar::add_elapsed(d(5, 17), 1440), d(6, 17)); // Saturday all the same
    /// ```
    pub fn add_elapsed(t: NaiveDateTime, minutes: i64) -> NaiveDateTime {
        from_clock(to_clock(t).saturating_add(minutes))
    }

    /// The working intervals of `date` as (from, to) minutes after midnight.
    ///
    /// Complexity O(1) amortised.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use keel_engine::schedule::calendar::{WorkCalendar, standard};
    /// let d = |day: u32, h: u32| NaiveDate::from_ymd_opt(2024, 1, day).unwrap().and_hms_opt(h, 0, 0).unwrap();
    /// let mut cal = WorkCalendar::compile(&[standard()], 0, d(1, 0).date()).unwrap();
    /// assert_eq!(cal.working_times(d(1, 0).date()), vec![(480, 720), (780, 1020)]);
    /// ```
    pub fn working_times(&mut self, date: NaiveDate) -> Vec<(u16, u16)> {
        let day = day_number(date);
        if !self.ensure_day(day) {
            return resolve(&self.layers, day).to_vec();
        }
        let i = (day - self.lo) as usize;
        self.patterns[self.pat[i] as usize].iv.iter().map(|&(f, t, _)| (f, t)).collect()
    }

    /// Working minutes on `date`.
    ///
    /// Complexity O(1) amortised.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use keel_engine::schedule::calendar::{WorkCalendar, standard};
    /// let d = |day: u32, h: u32| NaiveDate::from_ymd_opt(2024, 1, day).unwrap().and_hms_opt(h, 0, 0).unwrap();
    /// let mut cal = WorkCalendar::compile(&[standard()], 0, d(1, 0).date()).unwrap();
    /// assert_eq!(cal.working_minutes_on(d(1, 0).date()), 480);
    /// assert_eq!(cal.working_minutes_on(d(6, 0).date()), 0);
    /// ```
    pub fn working_minutes_on(&mut self, date: NaiveDate) -> i64 {
        let day = day_number(date);
        if !self.ensure_day(day) {
            return 0;
        }
        let i = (day - self.lo) as usize;
        self.cum[i + 1] - self.cum[i]
    }
}

/// Every calendar of a schedule, compiled.
#[derive(Debug, Clone, Default)]
pub struct Calendars {
    cals: Vec<WorkCalendar>,
}

impl Calendars {
    /// Compiles every calendar with an initial horizon around `around`.
    ///
    /// # Errors
    /// The first calendar error, see [`WorkCalendar::compile`].
    ///
    /// # Complexity
    /// O(calendars x (layers + horizon days)).
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use keel_engine::schedule::calendar::Calendars;
    /// use keel_engine::schedule::{Calendar, WorkingTime};
    /// let bad = Calendar { name: "Night".into(), week: [Some(vec![WorkingTime { from: 1320, to: 1500 }]), None, None, None, None, None, None], ..Default::default() };
    /// let err = Calendars::compile(&[bad], NaiveDate::from_ymd_opt(2024, 1, 1).unwrap()).unwrap_err();
    /// assert!(err.to_string().contains("Night"));
    /// ```
    pub fn compile(calendars: &[Calendar], around: NaiveDate) -> Result<Calendars, ScheduleError> {
        let mut cals = Vec::with_capacity(calendars.len());
        for ix in 0..calendars.len() {
            cals.push(WorkCalendar::compile(calendars, ix, around)?);
        }
        Ok(Calendars { cals })
    }

    /// Number of calendars.
    pub(crate) fn len(&self) -> usize {
        self.cals.len()
    }

    /// Calendar `ix`.
    ///
    /// # Panics
    /// When `ix` is out of range (indices are checked when a network is compiled).
    pub(crate) fn get_mut(&mut self, ix: CalendarIx) -> &mut WorkCalendar {
        &mut self.cals[ix]
    }

    /// Calendar `ix`, if any.
    pub(crate) fn get(&self, ix: CalendarIx) -> Option<&WorkCalendar> {
        self.cals.get(ix)
    }

    /// Adds a calendar compiled elsewhere (e.g. a 24-hour calendar for elapsed lags) and returns its
    /// index.
    pub(crate) fn push(&mut self, cal: WorkCalendar) -> CalendarIx {
        self.cals.push(cal);
        self.cals.len() - 1
    }

    /// Whether any calendar ran past the supported date range.
    pub(crate) fn overflowed(&self) -> bool {
        self.cals.iter().any(|c| c.overflow)
    }
}

/// Calendar look-ups for the work after the passes: [`Grow`] may extend a calendar's day table (one
/// thread at a time); [`Fixed`] reads the tables as they stand, from any number of threads, and
/// gives up (`None`) outside them. Where both answer they agree, since a calendar's answers do not
/// depend on how far its table reaches.
pub(crate) trait Lookup {
    fn ordinal(&mut self, cal: u32, clock: i64) -> Option<i64>;
    fn start_clock(&mut self, cal: u32, w: i64) -> Option<i64>;
    fn finish_clock(&mut self, cal: u32, w: i64) -> Option<i64>;
    fn len(&self) -> usize;
}

pub(crate) struct Grow<'a>(pub &'a mut Calendars);

impl Lookup for Grow<'_> {
    #[inline]
    fn ordinal(&mut self, cal: u32, clock: i64) -> Option<i64> {
        Some(self.0.get_mut(cal as usize).ordinal(clock))
    }
    #[inline]
    fn start_clock(&mut self, cal: u32, w: i64) -> Option<i64> {
        Some(self.0.get_mut(cal as usize).start_clock(w))
    }
    #[inline]
    fn finish_clock(&mut self, cal: u32, w: i64) -> Option<i64> {
        Some(self.0.get_mut(cal as usize).finish_clock(w))
    }
    fn len(&self) -> usize {
        self.0.len()
    }
}

#[derive(Clone, Copy)]
pub(crate) struct Fixed<'a>(pub &'a Calendars);

impl Lookup for Fixed<'_> {
    #[inline]
    fn ordinal(&mut self, cal: u32, clock: i64) -> Option<i64> {
        self.0.get(cal as usize)?.ordinal_in_table(clock)
    }
    #[inline]
    fn start_clock(&mut self, cal: u32, w: i64) -> Option<i64> {
        self.0.get(cal as usize)?.start_clock_in_table(w)
    }
    #[inline]
    fn finish_clock(&mut self, cal: u32, w: i64) -> Option<i64> {
        self.0.get(cal as usize)?.finish_clock_in_table(w)
    }
    fn len(&self) -> usize {
        self.0.len()
    }
}

/// A 24-hour, seven-day calendar (every minute works).
///
/// ```
/// use keel_engine::schedule::calendar::twenty_four_hour;
/// assert_eq!(twenty_four_hour().week[6].as_ref().unwrap()[0].to, 1440);
/// ```
pub fn twenty_four_hour() -> Calendar {
    let d = Some(vec![WorkingTime { from: 0, to: 1440 }]);
    Calendar {
        key: String::new(),
        name: "24 Hours".into(),
        base: None,
        week: [d.clone(), d.clone(), d.clone(), d.clone(), d.clone(), d.clone(), d],
        exceptions: Vec::new(),
        work_weeks: Vec::new(),
    }
}

/// A Monday-to-Friday calendar working 08:00-12:00 and 13:00-17:00 (MS Project's "Standard").
///
/// ```
/// use keel_engine::schedule::calendar::standard;
/// assert!(standard().week[5].as_ref().unwrap().is_empty());
/// ```
pub fn standard() -> Calendar {
    let d = Some(vec![WorkingTime { from: 480, to: 720 }, WorkingTime { from: 780, to: 1020 }]);
    Calendar {
        key: String::new(),
        name: "Standard".into(),
        base: None,
        week: [d.clone(), d.clone(), d.clone(), d.clone(), d, Some(vec![]), Some(vec![])],
        exceptions: Vec::new(),
        work_weeks: Vec::new(),
    }
}

/// Weekday of a date, Monday = 0.
#[cfg(test)]
fn weekday_monday0(d: NaiveDate) -> usize {
    use chrono::{Datelike, Weekday};
    match d.weekday() {
        Weekday::Mon => 0,
        Weekday::Tue => 1,
        Weekday::Wed => 2,
        Weekday::Thu => 3,
        Weekday::Fri => 4,
        Weekday::Sat => 5,
        Weekday::Sun => 6,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule::calendar_rules::{date_of, weekday_index};

    #[test]
    fn weekday_index_matches_chrono() {
        for day in -1000..1000 {
            assert_eq!(weekday_index(day), weekday_monday0(date_of(day)));
        }
    }
}
