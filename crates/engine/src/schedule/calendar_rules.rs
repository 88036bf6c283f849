//! How a model [`Calendar`] decides a day's working time: its own week, work weeks, dated and
//! recurring exceptions, then its base calendar's; validated and compiled into layers that the
//! [`WorkCalendar`](super::calendar::WorkCalendar) day table is built from.

use chrono::{Datelike, NaiveDate};

use super::cpm::ScheduleError;
use super::model::{Calendar, Recurrence, WorkingTime};

pub(super) fn day_number(d: NaiveDate) -> i64 {
    // 1970-01-01 is day 719_163 from the common era.
    i64::from(d.num_days_from_ce()) - 719_163
}

pub(super) fn date_of(day: i64) -> NaiveDate {
    let ce = (day + 719_163).clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32;
    NaiveDate::from_num_days_from_ce_opt(ce).unwrap_or(NaiveDate::MIN)
}

/// One day's working intervals, sorted and merged, with the minutes before each.
#[derive(Debug, Clone)]
pub(super) struct Pattern {
    /// (from, to, working minutes of this day before `from`).
    pub(super) iv: Box<[(u16, u16, u32)]>,
    pub(super) total: u32,
}

impl Pattern {
    pub(super) fn new(iv: &[(u16, u16)]) -> Pattern {
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
    pub(super) fn worked_before(&self, m: u32) -> u32 {
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
    pub(super) fn minute_of(&self, o: u32) -> u32 {
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
pub(super) struct Exc {
    pub(super) from: i64,
    pub(super) to: i64,
    pub(super) working: Vec<(u16, u16)>,
    pub(super) recurrence: Option<Recurrence>,
    pub(super) from_date: NaiveDate,
}

/// Working intervals per weekday, Monday first; `None` defers to the next layer.
pub(super) type Week = [Option<Vec<(u16, u16)>>; 7];

/// One calendar's own rules; a derived calendar is resolved through its layers, own first.
#[derive(Debug, Clone)]
pub(super) struct Layer {
    pub(super) week: Week,
    pub(super) work_weeks: Vec<(i64, i64, Week)>,
    pub(super) exceptions: Vec<Exc>,
}

pub(super) fn check_times(cal: &Calendar, times: &[WorkingTime]) -> Result<Vec<(u16, u16)>, ScheduleError> {
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

pub(super) fn invalid(cal: &Calendar, field: &'static str, message: String) -> ScheduleError {
    ScheduleError::Invalid { task: format!("calendar '{}'", cal.name), field, message }
}

pub(super) fn check_week(cal: &Calendar, week: &[Option<Vec<WorkingTime>>; 7]) -> Result<Week, ScheduleError> {
    let mut out: Week = Default::default();
    for (i, d) in week.iter().enumerate() {
        if let Some(times) = d {
            out[i] = Some(check_times(cal, times)?);
        }
    }
    Ok(out)
}

pub(super) fn compile_layer(cal: &Calendar) -> Result<Layer, ScheduleError> {
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

pub(super) fn month_index(d: NaiveDate) -> i64 {
    i64::from(d.year()) * 12 + i64::from(d.month0())
}

pub(super) fn days_in_month(y: i32, m: u32) -> u32 {
    let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    NaiveDate::from_ymd_opt(ny, nm, 1).and_then(|d| d.pred_opt()).map_or(28, |d| d.day())
}

/// Whether `d` is the `position`-th (1..=4, 5 = last) `weekday` (0 = Monday) of its month.
pub(super) fn is_nth_weekday(d: NaiveDate, position: u32, weekday: u32) -> bool {
    if d.weekday().num_days_from_monday() != weekday {
        return false;
    }
    if position >= 5 { d.day() + 7 > days_in_month(d.year(), d.month()) } else { (d.day() - 1) / 7 + 1 == position }
}

pub(super) fn recurrence_hits(r: &Recurrence, first: NaiveDate, d: NaiveDate) -> bool {
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
pub(super) fn intersect(a: &[(u16, u16)], b: &[(u16, u16)]) -> Vec<(u16, u16)> {
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

pub(super) fn weekday_index(day: i64) -> usize {
    // 1970-01-01 was a Thursday (index 3, Monday first).
    (day + 3).rem_euclid(7) as usize
}

/// The working intervals of `day` under `layers` (own rules first, then each base), as MS Project
/// resolves a derived calendar: an exception of the calendar or of any base wins (the nearest
/// first); then the calendar's own work weeks and week; a day it leaves to its base takes the
/// base's weekly hours.
pub(super) fn resolve(layers: &[Layer], day: i64) -> &[(u16, u16)] {
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
    }
    if let Some(own) = layers.first() {
        for (from, to, week) in own.work_weeks.iter().rev() {
            if day >= *from
                && day <= *to
                && let Some(w) = &week[wd]
            {
                return w;
            }
        }
    }
    for layer in layers {
        if let Some(w) = &layer.week[wd] {
            return w;
        }
    }
    &[]
}
