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

use chrono::{Datelike, NaiveDate, NaiveDateTime};

use super::cpm::ScheduleError;
use super::model::{Calendar, CalendarIx, Recurrence, WorkingTime};

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

fn day_number(d: NaiveDate) -> i64 {
    // 1970-01-01 is day 719_163 from the common era.
    i64::from(d.num_days_from_ce()) - 719_163
}

fn date_of(day: i64) -> NaiveDate {
    let ce = (day + 719_163).clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32;
    NaiveDate::from_num_days_from_ce_opt(ce).unwrap_or(NaiveDate::MIN)
}

/// One day's working intervals, sorted and merged, with the minutes before each.
#[derive(Debug, Clone)]
struct Pattern {
    /// (from, to, working minutes of this day before `from`).
    iv: Box<[(u16, u16, u32)]>,
    total: u32,
}

impl Pattern {
    fn new(iv: &[(u16, u16)]) -> Pattern {
        let mut out = Vec::with_capacity(iv.len());
        let mut pre = 0u32;
        for &(f, t) in iv {
            out.push((f, t, pre));
            pre += u32::from(t - f);
        }
        Pattern { iv: out.into_boxed_slice(), total: pre }
    }

    /// Working minutes of the day before minute-of-day `m` (0..=1440).
    #[inline]
    fn worked_before(&self, m: u32) -> u32 {
        let mut w = 0;
        for &(f, t, pre) in self.iv.iter() {
            let (f, t) = (u32::from(f), u32::from(t));
            if m <= f {
                return pre;
            }
            if m < t {
                return pre + (m - f);
            }
            w = pre + (t - f);
        }
        w
    }

    /// Minute of day at which working minute `o` (0..total) of the day begins.
    #[inline]
    fn minute_of(&self, o: u32) -> u32 {
        for &(f, t, pre) in self.iv.iter() {
            let len = u32::from(t - f);
            if o < pre + len {
                return u32::from(f) + (o - pre);
            }
        }
        // Not reached for o < total.
        self.iv.last().map_or(0, |&(_, t, _)| u32::from(t))
    }
}

/// A dated exception, compiled.
#[derive(Debug, Clone)]
struct Exc {
    from: i64,
    to: i64,
    working: Vec<(u16, u16)>,
    recurrence: Option<Recurrence>,
    from_date: NaiveDate,
}

/// Working intervals per weekday, Monday first; `None` defers to the next layer.
type Week = [Option<Vec<(u16, u16)>>; 7];

/// One calendar's own rules; a derived calendar is resolved through its layers, own first.
#[derive(Debug, Clone)]
struct Layer {
    week: Week,
    work_weeks: Vec<(i64, i64, Week)>,
    exceptions: Vec<Exc>,
}

fn check_times(cal: &Calendar, times: &[WorkingTime]) -> Result<Vec<(u16, u16)>, ScheduleError> {
    let mut v = Vec::with_capacity(times.len());
    for wt in times {
        if wt.to > 1440 {
            return Err(invalid(cal, "working time", format!("interval {}..{} ends after 1440", wt.from, wt.to)));
        }
        if wt.from >= wt.to {
            return Err(invalid(
                cal,
                "working time",
                format!("interval {}..{} is empty or backwards (from must be before to)", wt.from, wt.to),
            ));
        }
        v.push((wt.from, wt.to));
    }
    v.sort_unstable();
    // Merge overlapping or touching intervals.
    let mut merged: Vec<(u16, u16)> = Vec::with_capacity(v.len());
    for (f, t) in v {
        match merged.last_mut() {
            Some(last) if f <= last.1 => last.1 = last.1.max(t),
            _ => merged.push((f, t)),
        }
    }
    Ok(merged)
}

fn invalid(cal: &Calendar, field: &'static str, message: String) -> ScheduleError {
    ScheduleError::Invalid { task: format!("calendar '{}'", cal.name), field, message }
}

fn check_week(cal: &Calendar, week: &[Option<Vec<WorkingTime>>; 7]) -> Result<Week, ScheduleError> {
    let mut out: Week = Default::default();
    for (i, d) in week.iter().enumerate() {
        if let Some(times) = d {
            out[i] = Some(check_times(cal, times)?);
        }
    }
    Ok(out)
}

fn compile_layer(cal: &Calendar) -> Result<Layer, ScheduleError> {
    let week = check_week(cal, &cal.week)?;
    let mut work_weeks = Vec::with_capacity(cal.work_weeks.len());
    for ww in &cal.work_weeks {
        if ww.to < ww.from {
            return Err(invalid(
                cal,
                "work week",
                format!("'{}' ends {} before it starts {}", ww.name, ww.to, ww.from),
            ));
        }
        work_weeks.push((day_number(ww.from), day_number(ww.to), check_week(cal, &ww.week)?));
    }
    let mut exceptions = Vec::with_capacity(cal.exceptions.len());
    for e in &cal.exceptions {
        if e.to < e.from {
            return Err(invalid(cal, "exception", format!("'{}' ends {} before it starts {}", e.name, e.to, e.from)));
        }
        if let Some(r) = &e.recurrence {
            let period = match *r {
                Recurrence::Daily { period }
                | Recurrence::Weekly { period, .. }
                | Recurrence::MonthlyByDay { period, .. }
                | Recurrence::MonthlyByPosition { period, .. } => period,
                Recurrence::YearlyByDate { .. } | Recurrence::YearlyByPosition { .. } => 1,
            };
            if period == 0 {
                return Err(invalid(cal, "exception", format!("'{}': recurrence period 0", e.name)));
            }
        }
        exceptions.push(Exc {
            from: day_number(e.from),
            to: day_number(e.to),
            working: check_times(cal, &e.working)?,
            recurrence: e.recurrence.clone(),
            from_date: e.from,
        });
    }
    Ok(Layer { week, work_weeks, exceptions })
}

fn month_index(d: NaiveDate) -> i64 {
    i64::from(d.year()) * 12 + i64::from(d.month0())
}

fn days_in_month(y: i32, m: u32) -> u32 {
    let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    NaiveDate::from_ymd_opt(ny, nm, 1).and_then(|d| d.pred_opt()).map_or(28, |d| d.day())
}

/// Whether `d` is the `position`-th (1..=4, 5 = last) `weekday` (0 = Monday) of its month.
fn is_nth_weekday(d: NaiveDate, position: u32, weekday: u32) -> bool {
    if d.weekday().num_days_from_monday() != weekday {
        return false;
    }
    if position >= 5 { d.day() + 7 > days_in_month(d.year(), d.month()) } else { (d.day() - 1) / 7 + 1 == position }
}

fn recurrence_hits(r: &Recurrence, first: NaiveDate, d: NaiveDate) -> bool {
    match *r {
        Recurrence::Daily { period } => (day_number(d) - day_number(first)).rem_euclid(i64::from(period)) == 0,
        Recurrence::Weekly { period, days } => {
            let wd = d.weekday().num_days_from_monday() as usize;
            let week = |x: NaiveDate| (day_number(x) - i64::from(x.weekday().num_days_from_monday())).div_euclid(7);
            days[wd] && (week(d) - week(first)).rem_euclid(i64::from(period)) == 0
        }
        Recurrence::MonthlyByDay { period, day } => {
            let want = day.min(days_in_month(d.year(), d.month()));
            d.day() == want && (month_index(d) - month_index(first)).rem_euclid(i64::from(period)) == 0
        }
        Recurrence::MonthlyByPosition { period, position, weekday } => {
            is_nth_weekday(d, position, weekday)
                && (month_index(d) - month_index(first)).rem_euclid(i64::from(period)) == 0
        }
        Recurrence::YearlyByDate { month, day } => {
            d.month() == month && d.day() == day.min(days_in_month(d.year(), d.month()))
        }
        Recurrence::YearlyByPosition { month, position, weekday } => {
            d.month() == month && is_nth_weekday(d, position, weekday)
        }
    }
}

/// Intersection of two sorted, merged interval lists.
fn intersect(a: &[(u16, u16)], b: &[(u16, u16)]) -> Vec<(u16, u16)> {
    let mut out = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        let from = a[i].0.max(b[j].0);
        let to = a[i].1.min(b[j].1);
        if from < to {
            out.push((from, to));
        }
        if a[i].1 < b[j].1 { i += 1 } else { j += 1 }
    }
    out
}

fn weekday_index(day: i64) -> usize {
    // 1970-01-01 was a Thursday (index 3, Monday first).
    (day + 3).rem_euclid(7) as usize
}

/// The working intervals of `day` under `layers` (own rules first, then each base).
fn resolve(layers: &[Layer], day: i64) -> &[(u16, u16)] {
    let wd = weekday_index(day);
    for layer in layers {
        // The last exception listed wins where two overlap.
        for e in layer.exceptions.iter().rev() {
            if day < e.from || day > e.to {
                continue;
            }
            match &e.recurrence {
                None => return &e.working,
                Some(r) => {
                    if recurrence_hits(r, e.from_date, date_of(day)) {
                        return &e.working;
                    }
                }
            }
        }
        for (from, to, week) in layer.work_weeks.iter().rev() {
            if day >= *from
                && day <= *to
                && let Some(w) = &week[wd]
            {
                return w;
            }
        }
        if let Some(w) = &layer.week[wd] {
            return w;
        }
    }
    &[]
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
        let k = ((w - self.cum[0]) >> self.shift) as usize;
        let mut i = self.bucket[k.min(self.bucket.len() - 1)] as usize;
        while self.cum[i + 1] <= w {
            i += 1;
        }
        Some(i)
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
            Some(i) => {
                let m = self.at[(self.at_off[self.pat[i] as usize] as i64 + (w - self.cum[i])) as usize];
                (self.lo + i as i64) * DAY + i64::from(m)
            }
            None => self.edge_clock(w),
        }
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
            Some(i) => {
                let m = self.at[(self.at_off[self.pat[i] as usize] as i64 + (w - 1 - self.cum[i])) as usize];
                (self.lo + i as i64) * DAY + i64::from(m) + 1
            }
            None => self.edge_clock(w),
        }
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
    use chrono::Weekday;
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
    use crate::schedule::model::Exception;

    fn dt(y: i32, m: u32, d: u32, h: u32, mi: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d).unwrap().and_hms_opt(h, mi, 0).unwrap()
    }
    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn std_cal() -> WorkCalendar {
        WorkCalendar::compile(&[standard()], 0, date(2024, 1, 1)).unwrap()
    }

    #[test]
    fn weekday_index_matches_chrono() {
        for day in -1000..1000 {
            assert_eq!(weekday_index(day), weekday_monday0(date_of(day)));
        }
    }

    #[test]
    fn start_and_finish_readings() {
        let mut c = std_cal();
        let mon8 = c.ordinal(to_clock(dt(2024, 1, 1, 8, 0)));
        assert_eq!(from_clock(c.start_clock(mon8)), dt(2024, 1, 1, 8, 0));
        assert_eq!(from_clock(c.finish_clock(mon8)), dt(2023, 12, 29, 17, 0));
        assert_eq!(from_clock(c.finish_clock(mon8 + 240)), dt(2024, 1, 1, 12, 0));
        assert_eq!(from_clock(c.start_clock(mon8 + 240)), dt(2024, 1, 1, 13, 0));
        assert_eq!(from_clock(c.finish_clock(mon8 + 480)), dt(2024, 1, 1, 17, 0));
        // Saturday 10:00 has the ordinal of Monday 08:00 next week.
        let sat = c.ordinal(to_clock(dt(2024, 1, 6, 10, 0)));
        assert_eq!(sat, mon8 + 5 * 480);
        assert_eq!(c.next_work_start(dt(2024, 1, 6, 10, 0)), dt(2024, 1, 8, 8, 0));
        assert_eq!(c.previous_work_finish(dt(2024, 1, 6, 10, 0)), dt(2024, 1, 5, 17, 0));
        assert_eq!(c.previous_work_finish(dt(2024, 1, 5, 12, 30)), dt(2024, 1, 5, 12, 0));
    }

    #[test]
    fn add_and_subtract() {
        let mut c = std_cal();
        assert_eq!(c.add_working(dt(2024, 1, 1, 8, 0), 5 * 480), dt(2024, 1, 5, 17, 0));
        assert_eq!(c.add_working(dt(2024, 1, 5, 17, 0), -5 * 480), dt(2024, 1, 1, 8, 0));
        assert_eq!(c.add_working(dt(2024, 1, 1, 11, 0), 120), dt(2024, 1, 1, 14, 0));
        assert_eq!(c.working_minutes_between(dt(2024, 1, 1, 8, 0), dt(2024, 1, 8, 8, 0)), 2400);
        assert_eq!(WorkCalendar::add_elapsed(dt(2024, 1, 1, 8, 0), 1440), dt(2024, 1, 2, 8, 0));
    }

    #[test]
    fn grows_in_both_directions_keeping_ordinals() {
        let mut c = std_cal();
        let a = c.ordinal(to_clock(dt(2024, 1, 1, 8, 0)));
        let far = c.ordinal(to_clock(dt(2090, 6, 1, 8, 0)));
        let back = c.ordinal(to_clock(dt(1950, 6, 1, 8, 0)));
        assert_eq!(c.ordinal(to_clock(dt(2024, 1, 1, 8, 0))), a);
        assert!(back < a && a < far);
        assert_eq!(from_clock(c.start_clock(far)), dt(2090, 6, 1, 8, 0));
        assert_eq!(from_clock(c.start_clock(back)), dt(1950, 6, 1, 8, 0));
        // Adding a long stretch of working time walks past the horizon.
        let t = c.add_working(dt(2024, 1, 1, 8, 0), 480 * 5 * 52 * 30);
        assert!(t > dt(2053, 1, 1, 0, 0));
    }

    #[test]
    fn derived_calendar_inherits_and_exceptions() {
        let mut base = standard();
        base.exceptions.push(Exception {
            name: "New year".into(),
            from: date(2024, 1, 1),
            to: date(2024, 1, 1),
            working: vec![],
            recurrence: None,
        });
        let mut derived = Calendar { name: "Night".into(), base: Some(0), ..Default::default() };
        derived.week[2] = Some(vec![WorkingTime { from: 1200, to: 1440 }]);
        let cals = vec![base, derived];
        let mut d = WorkCalendar::compile(&cals, 1, date(2024, 1, 1)).unwrap();
        assert_eq!(d.working_times(date(2024, 1, 1)), vec![]);
        assert_eq!(d.working_times(date(2024, 1, 2)), vec![(480, 720), (780, 1020)]);
        assert_eq!(d.working_times(date(2024, 1, 3)), vec![(1200, 1440)]);
        // Wednesday 24:00 reads as a finish at midnight.
        let w = d.ordinal(to_clock(dt(2024, 1, 3, 20, 0))) + 240;
        assert_eq!(from_clock(d.finish_clock(w)), dt(2024, 1, 4, 0, 0));
        assert_eq!(from_clock(d.start_clock(w)), dt(2024, 1, 4, 8, 0));
    }

    #[test]
    fn recurring_exceptions() {
        let mut c = standard();
        c.exceptions.push(Exception {
            name: "Every other Friday off".into(),
            from: date(2024, 1, 5),
            to: date(2024, 12, 31),
            working: vec![],
            recurrence: Some(Recurrence::Weekly { period: 2, days: [false, false, false, false, true, false, false] }),
        });
        c.exceptions.push(Exception {
            name: "Last Monday of May".into(),
            from: date(2020, 1, 1),
            to: date(2030, 12, 31),
            working: vec![],
            recurrence: Some(Recurrence::YearlyByPosition { month: 5, position: 5, weekday: 0 }),
        });
        c.exceptions.push(Exception {
            name: "Saturday work on the 1st".into(),
            from: date(2024, 1, 1),
            to: date(2024, 12, 31),
            working: vec![WorkingTime { from: 540, to: 600 }],
            recurrence: Some(Recurrence::MonthlyByDay { period: 1, day: 1 }),
        });
        let mut w = WorkCalendar::compile(&[c], 0, date(2024, 1, 1)).unwrap();
        assert_eq!(w.working_minutes_on(date(2024, 1, 5)), 0);
        assert_eq!(w.working_minutes_on(date(2024, 1, 12)), 480);
        assert_eq!(w.working_minutes_on(date(2024, 1, 19)), 0);
        assert_eq!(w.working_minutes_on(date(2024, 5, 27)), 0);
        assert_eq!(w.working_minutes_on(date(2024, 5, 20)), 480);
        assert_eq!(w.working_minutes_on(date(2024, 6, 1)), 60);
        assert_eq!(w.working_minutes_on(date(2025, 2, 1)), 0);
    }

    #[test]
    fn work_weeks_override_the_week() {
        let mut c = standard();
        let four = Some(vec![WorkingTime { from: 480, to: 960 }]);
        c.work_weeks.push(crate::schedule::model::WorkWeek {
            name: "Summer".into(),
            from: date(2024, 7, 1),
            to: date(2024, 8, 31),
            week: [four.clone(), four.clone(), four.clone(), four, Some(vec![]), None, None],
        });
        let mut w = WorkCalendar::compile(&[c], 0, date(2024, 1, 1)).unwrap();
        assert_eq!(w.working_minutes_on(date(2024, 7, 1)), 480);
        assert_eq!(w.working_minutes_on(date(2024, 7, 5)), 0);
        assert_eq!(w.working_minutes_on(date(2024, 7, 6)), 0);
        assert_eq!(w.working_minutes_on(date(2024, 9, 6)), 480);
    }

    #[test]
    fn invalid_calendars_are_named() {
        let mut c = standard();
        c.name = "Bad".into();
        c.week[0] = Some(vec![WorkingTime { from: 600, to: 600 }]);
        let e = WorkCalendar::compile(&[c], 0, date(2024, 1, 1)).unwrap_err();
        assert!(matches!(&e, ScheduleError::Invalid { task, .. } if task.contains("Bad")), "{e}");

        let mut a = standard();
        a.base = Some(1);
        let mut b = standard();
        b.base = Some(0);
        b.name = "Loop".into();
        assert!(WorkCalendar::compile(&[a.clone(), b], 0, date(2024, 1, 1)).is_err());
        a.base = Some(7);
        assert!(WorkCalendar::compile(&[a], 0, date(2024, 1, 1)).is_err());
    }

    #[test]
    fn twenty_four_hours() {
        let mut c = WorkCalendar::compile(&[twenty_four_hour()], 0, date(2024, 1, 1)).unwrap();
        assert_eq!(c.add_working(dt(2024, 1, 1, 0, 0), 1440), dt(2024, 1, 2, 0, 0));
        assert_eq!(c.add_working(dt(2024, 1, 6, 22, 0), 180), dt(2024, 1, 7, 1, 0));
    }

    #[test]
    fn no_working_time_overflows_instead_of_looping() {
        let c = Calendar { name: "Off".into(), week: Default::default(), ..Default::default() };
        let mut w = WorkCalendar::compile(&[c], 0, date(2024, 1, 1)).unwrap();
        assert!(!w.has_working_time());
        let _ = w.start_clock(10);
        assert!(w.overflowed());
    }
}
