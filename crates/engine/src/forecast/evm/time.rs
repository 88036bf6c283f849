//! The time axis of earned value and earned schedule: calendar days, or working days on a simple
//! working calendar (a working week, working intervals of the day, holidays), as ProTrack counts.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime};
use serde::{Deserialize, Serialize};

use super::EvmError;

/// A working calendar as ProTrack's `Agenda` sheet describes one: the working weekdays, the working
/// intervals of a working day (the same every working day) and dated holidays.
///
/// One working day is the sum of the day's working intervals (8 hours for 8-12 and 13-17), so a
/// position on this calendar counts working days and fractions of them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkCalendar {
    /// Working weekdays, Monday first.
    week: [bool; 7],
    /// Working intervals of a working day in minutes after midnight, sorted, not overlapping.
    day: Vec<(u16, u16)>,
    /// Working minutes in a working day.
    day_minutes: u32,
    /// Holidays falling on working weekdays, sorted, without duplicates.
    holidays: Vec<NaiveDate>,
}

impl WorkCalendar {
    /// A calendar from its working weekdays (Monday first), its working intervals (minutes after
    /// midnight, `from < to <= 1440`) and its holidays (order and duplicates do not matter).
    ///
    /// # Errors
    /// [`EvmError::Calendar`] when no weekday works, an interval is empty or past midnight, or two
    /// intervals overlap.
    ///
    /// # Complexity
    /// O(i log i + h log h) for i intervals and h holidays.
    ///
    /// # Example
    /// ```
    /// use keel_engine::forecast::evm::WorkCalendar;
    /// let cal = WorkCalendar::new([true, true, true, true, true, false, false], vec![(480, 720), (780, 1020)], [])?;
    /// assert_eq!(cal.day_minutes(), 480);
    /// # Ok::<(), keel_engine::forecast::evm::EvmError>(())
    /// ```
    pub fn new(
        week: [bool; 7],
        mut day: Vec<(u16, u16)>,
        holidays: impl IntoIterator<Item = NaiveDate>,
    ) -> Result<Self, EvmError> {
        if !week.iter().any(|w| *w) {
            return Err(EvmError::Calendar("no working weekday".into()));
        }
        day.sort_unstable();
        for (i, &(from, to)) in day.iter().enumerate() {
            if from >= to || to > 1440 {
                return Err(EvmError::Calendar(format!(
                    "working interval {from}..{to} minutes is empty or past midnight"
                )));
            }
            if i > 0 && day[i - 1].1 > from {
                return Err(EvmError::Calendar(format!("working intervals overlap at minute {from}")));
            }
        }
        let day_minutes: u32 = day.iter().map(|&(a, b)| u32::from(b - a)).sum();
        if day_minutes == 0 {
            return Err(EvmError::Calendar("a working day has no working time".into()));
        }
        let mut holidays: Vec<NaiveDate> =
            holidays.into_iter().filter(|d| week[d.weekday().num_days_from_monday() as usize]).collect();
        holidays.sort_unstable();
        holidays.dedup();
        Ok(WorkCalendar { week, day, day_minutes, holidays })
    }

    /// Monday-to-Friday, 8:00-12:00 and 13:00-17:00, no holidays (ProTrack's default agenda).
    pub fn standard() -> Self {
        WorkCalendar {
            week: [true, true, true, true, true, false, false],
            day: vec![(480, 720), (780, 1020)],
            day_minutes: 480,
            holidays: Vec::new(),
        }
    }

    /// Working minutes in one working day.
    pub fn day_minutes(&self) -> u32 {
        self.day_minutes
    }

    fn is_working_day(&self, d: NaiveDate) -> bool {
        self.week[d.weekday().num_days_from_monday() as usize] && self.holidays.binary_search(&d).is_err()
    }

    /// Working days in `[from, to)` (negative when `to < from`).
    fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        if to < from {
            return -self.working_days_between(to, from);
        }
        let n = (to - from).num_days();
        let per_week = self.week.iter().filter(|w| **w).count() as i64;
        let mut count = n.div_euclid(7) * per_week;
        let first = from.weekday().num_days_from_monday() as usize;
        for k in 0..n.rem_euclid(7) as usize {
            if self.week[(first + k) % 7] {
                count += 1;
            }
        }
        let lo = self.holidays.partition_point(|h| *h < from);
        let hi = self.holidays.partition_point(|h| *h < to);
        count - (hi - lo) as i64
    }

    /// Working minutes of a working day before `minute` (minutes after midnight, may be fractional).
    fn minutes_into_day(&self, minute: f64) -> f64 {
        self.day.iter().map(|&(a, b)| (minute.min(f64::from(b)) - f64::from(a)).max(0.0)).sum()
    }

    /// Working minutes from `origin`'s midnight to `at` (negative before it).
    fn minutes_from(&self, origin: NaiveDate, at: NaiveDateTime) -> f64 {
        let date = at.date();
        let whole = self.working_days_between(origin, date) as f64 * f64::from(self.day_minutes);
        let part = if self.is_working_day(date) {
            let t = at.time();
            let minute = (t - NaiveTime::MIN).num_milliseconds() as f64 / 60_000.0;
            self.minutes_into_day(minute)
        } else {
            0.0
        };
        whole + part
    }
}

/// How time is counted: the unit of ES, SV(t), PD, AT and every time forecast.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum TimeBasis {
    /// Elapsed calendar days (24-hour days, weekends included): the approximation the published
    /// DSLIB accuracy study used.
    CalendarDays,
    /// Working days on a working calendar, as ProTrack counts (its `Agenda`): a status date on a
    /// weekend adds nothing, and one day is one working day's working hours.
    WorkingDays(WorkCalendar),
}

impl TimeBasis {
    /// Position of `at` after `origin`, in days of this basis (negative before `origin`).
    ///
    /// # Complexity
    /// O(log h) for h holidays.
    ///
    /// # Example
    /// ```
    /// use chrono::NaiveDate;
    /// use keel_engine::forecast::evm::{TimeBasis, WorkCalendar};
    /// let mon = NaiveDate::from_ymd_opt(2011, 5, 16).unwrap().and_hms_opt(8, 0, 0).unwrap();
    /// let next_mon_noon = NaiveDate::from_ymd_opt(2011, 5, 23).unwrap().and_hms_opt(12, 0, 0).unwrap();
    /// let basis = TimeBasis::WorkingDays(WorkCalendar::standard());
    /// assert_eq!(basis.position(mon, next_mon_noon), 5.5);
    /// assert_eq!(TimeBasis::CalendarDays.position(mon, next_mon_noon), 7.0 + 4.0 / 24.0);
    /// ```
    pub fn position(&self, origin: NaiveDateTime, at: NaiveDateTime) -> f64 {
        match self {
            TimeBasis::CalendarDays => (at - origin).num_milliseconds() as f64 / 86_400_000.0,
            TimeBasis::WorkingDays(cal) => {
                let d = origin.date();
                (cal.minutes_from(d, at) - cal.minutes_from(d, origin)) / f64::from(cal.day_minutes)
            }
        }
    }

    /// The moment `t` days of this basis after `origin`. On a working calendar a moment that ends a
    /// working day is given as that day's end (17:00), not the next day's start, as ProTrack shows
    /// finish dates. Positions are clamped to about ±250 years.
    ///
    /// # Complexity
    /// O(log(t) log h).
    ///
    /// # Example
    /// ```
    /// use chrono::NaiveDate;
    /// use keel_engine::forecast::evm::{TimeBasis, WorkCalendar};
    /// let mon = NaiveDate::from_ymd_opt(2011, 5, 16).unwrap().and_hms_opt(8, 0, 0).unwrap();
    /// let basis = TimeBasis::WorkingDays(WorkCalendar::standard());
    /// let fri_end = NaiveDate::from_ymd_opt(2011, 5, 20).unwrap().and_hms_opt(17, 0, 0).unwrap();
    /// assert_eq!(basis.date_at(mon, 5.0), fri_end);
    /// ```
    pub fn date_at(&self, origin: NaiveDateTime, t: f64) -> NaiveDateTime {
        let t = if t.is_finite() { t.clamp(-90_000.0, 90_000.0) } else { 0.0 };
        match self {
            TimeBasis::CalendarDays => origin + Duration::milliseconds((t * 86_400_000.0).round() as i64),
            TimeBasis::WorkingDays(cal) => {
                let d0 = origin.date();
                let target = cal.minutes_from(d0, origin) + t * f64::from(cal.day_minutes);
                // Smallest day offset whose end of day reaches the target.
                let end_of = |k: i64| cal.working_days_between(d0, d0 + Duration::days(k + 1)) as f64;
                let goal = target / f64::from(cal.day_minutes);
                let (mut lo, mut hi) = (-200_000_i64, 200_000_i64);
                while lo < hi {
                    let mid = lo + (hi - lo).div_euclid(2);
                    if end_of(mid) >= goal - 1e-12 { hi = mid } else { lo = mid + 1 }
                }
                let date = d0 + Duration::days(lo);
                let mut left = target - cal.working_days_between(d0, date) as f64 * f64::from(cal.day_minutes);
                let mut minute = f64::from(cal.day.first().map_or(0, |i| i.0));
                for &(a, b) in &cal.day {
                    let len = f64::from(b - a);
                    minute = f64::from(a) + left.min(len).max(0.0);
                    if left <= len {
                        break;
                    }
                    left -= len;
                }
                date.and_time(NaiveTime::MIN) + Duration::milliseconds((minute * 60_000.0).round() as i64)
            }
        }
    }

    /// Short name of the unit: `calendar days` or `working days`.
    pub fn unit(&self) -> &'static str {
        match self {
            TimeBasis::CalendarDays => "calendar days",
            TimeBasis::WorkingDays(_) => "working days",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(y: i32, m: u32, d: u32, h: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d).and_then(|d| d.and_hms_opt(h, 0, 0)).expect("valid date")
    }

    #[test]
    fn working_days_skip_weekends_and_holidays() {
        let hol = NaiveDate::from_ymd_opt(2011, 5, 18).expect("date");
        let cal = WorkCalendar::new([true, true, true, true, true, false, false], vec![(480, 720), (780, 1020)], [hol])
            .expect("calendar");
        let b = TimeBasis::WorkingDays(cal);
        // Mon 16 May 8:00 to Mon 23 May 8:00: five weekdays less the Wednesday holiday.
        assert_eq!(b.position(at(2011, 5, 16, 8), at(2011, 5, 23, 8)), 4.0);
        // A Saturday counts as the end of Friday.
        assert_eq!(b.position(at(2011, 5, 16, 8), at(2011, 5, 21, 12)), 4.0);
        // Lunch does not count: 8-12 is half a day, 12-13 adds nothing.
        assert_eq!(b.position(at(2011, 5, 16, 8), at(2011, 5, 16, 13)), 0.5);
        assert_eq!(b.position(at(2011, 5, 23, 8), at(2011, 5, 16, 8)), -4.0);
        // Round trip, ending a day at 17:00.
        assert_eq!(b.date_at(at(2011, 5, 16, 8), 4.0), at(2011, 5, 20, 17));
        assert_eq!(b.date_at(at(2011, 5, 16, 8), 4.5), at(2011, 5, 23, 12));
    }

    #[test]
    fn bad_calendars_are_refused() {
        assert!(WorkCalendar::new([false; 7], vec![(480, 1020)], []).is_err());
        assert!(WorkCalendar::new([true; 7], vec![(480, 480)], []).is_err());
        assert!(WorkCalendar::new([true; 7], vec![(480, 720), (700, 800)], []).is_err());
    }
}
