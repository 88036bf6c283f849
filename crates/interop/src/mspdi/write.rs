//! MSPDI writer: SaveVersion 14 XML in the schema's element order, with a project summary task.

use std::collections::HashSet;
use std::fmt::Write as _;

use chrono::{NaiveDate, NaiveDateTime};
use keel_engine::schedule::{
    Calendar, DurationUnit, Exception, LinkType, Recurrence, ResourceKind, Schedule, ScheduleResult, TaskKind,
    WorkingTime,
};

use super::{code_for, constraint_code, format_iso_duration};
use crate::ExportError;

/// Writes a schedule as MSPDI XML (MS Project 2010+ `SaveVersion` 14).
///
/// UIDs come from the `key` fields when they are distinct positive integers (so a file read with
/// [`super::read`] keeps its UIDs), otherwise they are numbered afresh; IDs likewise from `code`.
/// With a `result`, tasks carry the computed early/late dates, slack and critical flag; without one,
/// the dates stored in the schedule.
pub fn write(s: &Schedule, result: Option<&ScheduleResult>) -> Result<Vec<u8>, ExportError> {
    if let Some(r) = result
        && r.tasks.len() != s.tasks.len()
    {
        return Err(ExportError {
            format: "mspdi",
            message: format!("the result has {} tasks but the schedule {}", r.tasks.len(), s.tasks.len()),
        });
    }
    let cal_uid = uids(s.calendars.iter().map(|c| c.key.as_str()), 1);
    let task_uid = uids(s.tasks.iter().map(|t| t.key.as_str()), 1);
    let task_id = uids(s.tasks.iter().map(|t| t.code.as_str()), 1);
    let res_uid = uids(s.resources.iter().map(|r| r.key.as_str()), 1);
    let mut x = String::with_capacity(1024 + s.tasks.len() * 1200);
    x.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n");
    x.push_str("<Project xmlns=\"http://schemas.microsoft.com/project\">\n");
    let project = s.projects.first();
    let start = project.map(|p| p.start).or_else(|| s.tasks.iter().filter_map(|t| t.stored.start).min());
    let finish = project
        .and_then(|p| p.finish_constraint)
        .or(result.map(|r| r.finish))
        .or_else(|| s.tasks.iter().filter_map(|t| t.stored.finish).max())
        .or(start);
    el(&mut x, 1, "SaveVersion", "14");
    let key = project.map(|p| p.key.as_str()).unwrap_or(s.name.as_str());
    el(&mut x, 1, "Name", key);
    el(&mut x, 1, "Title", &s.name);
    let from_finish = project.is_some_and(|p| p.schedule_from_finish);
    el(&mut x, 1, "ScheduleFromStart", flag(!from_finish));
    if let Some(d) = start {
        el(&mut x, 1, "StartDate", &dt(d));
    }
    if let Some(d) = finish {
        el(&mut x, 1, "FinishDate", &dt(d));
    }
    let mpd = s.options.minutes_per_day.max(1) as i64;
    el(&mut x, 1, "CriticalSlackLimit", &(s.options.critical_float_minutes as f64 / mpd as f64).round().to_string());
    if let Some(c) = project.and_then(|p| cal_uid.get(p.calendar)) {
        el(&mut x, 1, "CalendarUID", &c.to_string());
    }
    el(&mut x, 1, "MinutesPerDay", &s.options.minutes_per_day.to_string());
    el(&mut x, 1, "MinutesPerWeek", &s.options.minutes_per_week.to_string());
    el(&mut x, 1, "DaysPerMonth", &s.options.days_per_month.to_string());
    el(&mut x, 1, "DurationFormat", "7");
    el(&mut x, 1, "HonorConstraints", flag(s.options.honour_constraints_over_links));
    if let Some(d) = project.and_then(|p| p.status_date) {
        el(&mut x, 1, "StatusDate", &dt(d));
    }

    // Calendars.
    x.push_str("  <Calendars>\n");
    for (i, c) in s.calendars.iter().enumerate() {
        write_calendar(&mut x, c, cal_uid[i], c.base.and_then(|b| cal_uid.get(b).copied()));
    }
    x.push_str("  </Calendars>\n");

    // Tasks, the project summary first.
    x.push_str("  <Tasks>\n");
    x.push_str("    <Task>\n");
    el(&mut x, 3, "UID", "0");
    el(&mut x, 3, "ID", "0");
    el(&mut x, 3, "Name", &s.name);
    el(&mut x, 3, "IsNull", "0");
    el(&mut x, 3, "OutlineLevel", "0");
    if let Some(d) = start {
        el(&mut x, 3, "Start", &dt(d));
    }
    if let Some(d) = finish {
        el(&mut x, 3, "Finish", &dt(d));
    }
    el(&mut x, 3, "Summary", "1");
    x.push_str("    </Task>\n");
    let mut preds: Vec<Vec<usize>> = vec![Vec::new(); s.tasks.len()];
    for (li, l) in s.links.iter().enumerate() {
        if l.pred >= s.tasks.len() || l.succ >= s.tasks.len() {
            return Err(ExportError {
                format: "mspdi",
                message: format!("link {li} refers to task {} or {} of {}", l.pred, l.succ, s.tasks.len()),
            });
        }
        preds[l.succ].push(li);
    }
    for (i, t) in s.tasks.iter().enumerate() {
        let r = result.and_then(|r| r.tasks.get(i));
        x.push_str("    <Task>\n");
        el(&mut x, 3, "UID", &task_uid[i].to_string());
        el(&mut x, 3, "ID", &task_id[i].to_string());
        el(&mut x, 3, "Name", &t.name);
        el(&mut x, 3, "Active", flag(!t.inactive));
        el(&mut x, 3, "Manual", flag(t.manual));
        el(&mut x, 3, "IsNull", "0");
        if !t.wbs.is_empty() {
            el(&mut x, 3, "WBS", &t.wbs);
        }
        el(&mut x, 3, "OutlineLevel", &t.outline_level.max(1).to_string());
        let (st, fi) = match r {
            Some(r) => (Some(t.actual_start.unwrap_or(r.early_start)), Some(t.actual_finish.unwrap_or(r.early_finish))),
            None => (t.stored.start, t.stored.finish),
        };
        opt_dt(&mut x, "Start", st);
        opt_dt(&mut x, "Finish", fi);
        el(&mut x, 3, "Duration", &format_iso_duration(t.duration.minutes));
        let unit = if t.duration.unit == DurationUnit::Percent { DurationUnit::Days } else { t.duration.unit };
        el(&mut x, 3, "DurationFormat", &code_for(unit, t.duration.elapsed, t.duration.estimated).to_string());
        opt_dt(&mut x, "Resume", t.resume);
        el(&mut x, 3, "Estimated", flag(t.duration.estimated));
        el(&mut x, 3, "Milestone", flag(t.is_milestone()));
        el(&mut x, 3, "Summary", flag(t.kind == TaskKind::Summary || t.kind == TaskKind::WbsSummary));
        let (es, ef, ls, lf, tf, ff, crit) = match r {
            Some(r) => (
                Some(r.early_start),
                Some(r.early_finish),
                Some(r.late_start),
                Some(r.late_finish),
                Some(r.total_float),
                Some(r.free_float),
                Some(r.critical),
            ),
            None => (
                t.stored.early_start,
                t.stored.early_finish,
                t.stored.late_start,
                t.stored.late_finish,
                t.stored.total_float,
                t.stored.free_float,
                t.stored.critical,
            ),
        };
        if let Some(c) = crit {
            el(&mut x, 3, "Critical", flag(c));
        }
        opt_dt(&mut x, "EarlyStart", es);
        opt_dt(&mut x, "EarlyFinish", ef);
        opt_dt(&mut x, "LateStart", ls);
        opt_dt(&mut x, "LateFinish", lf);
        if let Some(v) = ff {
            el(&mut x, 3, "FreeSlack", &(v * 10).to_string());
        }
        if let Some(v) = tf {
            el(&mut x, 3, "TotalSlack", &(v * 10).to_string());
        }
        el(&mut x, 3, "PercentComplete", &t.percent_complete.to_string());
        if let Some(c) = t.cost_minor {
            el(&mut x, 3, "Cost", &c.to_string());
        }
        opt_dt(&mut x, "ActualStart", t.actual_start);
        opt_dt(&mut x, "ActualFinish", t.actual_finish);
        // MS Project always writes actual and remaining durations, and MPXJ's scheduler refuses a
        // task without them: derive them from percent complete when the model has none.
        let remaining = match t.remaining {
            Some(rem) => rem.minutes,
            None => (t.duration.minutes as f64 * (1.0 - t.percent_complete.clamp(0.0, 100.0) / 100.0)).round() as i64,
        };
        if !t.is_summary_like() {
            el(&mut x, 3, "ActualDuration", &format_iso_duration((t.duration.minutes - remaining).max(0)));
            el(&mut x, 3, "RemainingDuration", &format_iso_duration(remaining));
        } else if let Some(rem) = t.remaining {
            el(&mut x, 3, "RemainingDuration", &format_iso_duration(rem.minutes));
        }
        let (ctype, cdate) = match t.constraint {
            Some(c) => (constraint_code(c.kind), c.date),
            None => (0, None),
        };
        el(&mut x, 3, "ConstraintType", &ctype.to_string());
        let cal = t.calendar.and_then(|c| cal_uid.get(c)).map(|u| u.to_string()).unwrap_or_else(|| "-1".into());
        el(&mut x, 3, "CalendarUID", &cal);
        opt_dt(&mut x, "ConstraintDate", cdate);
        opt_dt(&mut x, "Deadline", t.deadline);
        if !t.notes.is_empty() {
            el(&mut x, 3, "Notes", &t.notes);
        }
        for &li in &preds[i] {
            let l = &s.links[li];
            x.push_str("      <PredecessorLink>\n");
            el(&mut x, 4, "PredecessorUID", &task_uid[l.pred].to_string());
            let kind = match l.kind {
                LinkType::FF => "0",
                LinkType::FS => "1",
                LinkType::SF => "2",
                LinkType::SS => "3",
            };
            el(&mut x, 4, "Type", kind);
            // Tenths of a minute; percent lags: the percentage times ten (basis points / 10).
            let lag = if l.lag.unit == DurationUnit::Percent {
                (l.lag.amount as f64 / 10.0).round() as i64
            } else {
                l.lag.amount * 10
            };
            el(&mut x, 4, "LinkLag", &lag.to_string());
            el(&mut x, 4, "LagFormat", &code_for(l.lag.unit, l.lag.elapsed, false).to_string());
            x.push_str("      </PredecessorLink>\n");
        }
        for b in &t.baselines {
            x.push_str("      <Baseline>\n");
            el(&mut x, 4, "Number", &b.number.to_string());
            if let Some(d) = b.start {
                el(&mut x, 4, "Start", &dt(d));
            }
            if let Some(d) = b.finish {
                el(&mut x, 4, "Finish", &dt(d));
            }
            if let Some(m) = b.duration_minutes {
                el(&mut x, 4, "Duration", &format_iso_duration(m));
                el(&mut x, 4, "DurationFormat", "7");
            }
            if let Some(c) = b.cost_minor {
                el(&mut x, 4, "Cost", &c.to_string());
            }
            x.push_str("      </Baseline>\n");
        }
        x.push_str("    </Task>\n");
    }
    x.push_str("  </Tasks>\n");

    x.push_str("  <Resources>\n");
    for (i, r) in s.resources.iter().enumerate() {
        x.push_str("    <Resource>\n");
        el(&mut x, 3, "UID", &res_uid[i].to_string());
        el(&mut x, 3, "ID", &(i + 1).to_string());
        el(&mut x, 3, "Name", &r.name);
        let kind = match r.kind {
            ResourceKind::Material => "0",
            ResourceKind::Work => "1",
            ResourceKind::Cost => "2",
        };
        el(&mut x, 3, "Type", kind);
        el(&mut x, 3, "IsNull", "0");
        if let Some(u) = r.max_units {
            el(&mut x, 3, "MaxUnits", &u.to_string());
        }
        if let Some(rate) = r.rate_minor_per_hour {
            el(&mut x, 3, "StandardRate", &(rate as f64 / 100.0).to_string());
        }
        if let Some(c) = r.calendar.and_then(|c| cal_uid.get(c)) {
            el(&mut x, 3, "CalendarUID", &c.to_string());
        }
        x.push_str("    </Resource>\n");
    }
    x.push_str("  </Resources>\n");

    x.push_str("  <Assignments>\n");
    for (i, a) in s.assignments.iter().enumerate() {
        let (Some(tu), Some(ru)) = (task_uid.get(a.task), res_uid.get(a.resource)) else {
            return Err(ExportError {
                format: "mspdi",
                message: format!(
                    "assignment {i} refers to task {} / resource {} not in the schedule",
                    a.task, a.resource
                ),
            });
        };
        x.push_str("    <Assignment>\n");
        el(&mut x, 3, "UID", &(i + 1).to_string());
        el(&mut x, 3, "TaskUID", &tu.to_string());
        el(&mut x, 3, "ResourceUID", &ru.to_string());
        if let Some(w) = a.actual_work_minutes {
            el(&mut x, 3, "ActualWork", &format_iso_duration(w));
        }
        if let Some(c) = a.cost_minor {
            el(&mut x, 3, "Cost", &c.to_string());
        }
        if let Some(w) = a.remaining_work_minutes {
            el(&mut x, 3, "RemainingWork", &format_iso_duration(w));
        }
        el(&mut x, 3, "Units", &a.units.to_string());
        if let Some(w) = a.work_minutes {
            el(&mut x, 3, "Work", &format_iso_duration(w));
        }
        x.push_str("    </Assignment>\n");
    }
    x.push_str("  </Assignments>\n");
    x.push_str("</Project>\n");
    Ok(x.into_bytes())
}

/// UIDs for a list of keys: the keys themselves when all are distinct positive integers, else
/// the numeric ones are kept and the rest numbered after the largest.
fn uids<'a>(keys: impl Iterator<Item = &'a str>, first: i64) -> Vec<i64> {
    let parsed: Vec<Option<i64>> = keys.map(|k| k.trim().parse::<i64>().ok().filter(|&n| n >= first)).collect();
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(parsed.len());
    let mut next = parsed.iter().flatten().copied().max().unwrap_or(first - 1) + 1;
    for p in parsed {
        match p {
            Some(n) if seen.insert(n) => out.push(n),
            _ => {
                out.push(next);
                seen.insert(next);
                next += 1;
            }
        }
    }
    out
}

fn flag(b: bool) -> &'static str {
    if b { "1" } else { "0" }
}

fn dt(d: NaiveDateTime) -> String {
    d.format("%Y-%m-%dT%H:%M:%S").to_string()
}

fn day_end(d: NaiveDate) -> String {
    format!("{}T23:59:00", d.format("%Y-%m-%d"))
}

fn opt_dt(x: &mut String, name: &str, d: Option<NaiveDateTime>) {
    if let Some(d) = d {
        el(x, 3, name, &dt(d));
    }
}

fn el(x: &mut String, indent: usize, name: &str, value: &str) {
    for _ in 0..indent {
        x.push_str("  ");
    }
    let _ = write!(x, "<{name}>");
    escape_into(x, value);
    let _ = writeln!(x, "</{name}>");
}

fn escape_into(x: &mut String, v: &str) {
    for c in v.chars() {
        match c {
            '&' => x.push_str("&amp;"),
            '<' => x.push_str("&lt;"),
            '>' => x.push_str("&gt;"),
            '"' => x.push_str("&quot;"),
            '\r' => x.push_str("&#13;"),
            c if (c as u32) < 0x20 && c != '\n' && c != '\t' => {}
            c => x.push(c),
        }
    }
}

fn hhmm(m: u16) -> String {
    let m = if m >= 1440 { 0 } else { m };
    format!("{:02}:{:02}:00", m / 60, m % 60)
}

fn working_times(x: &mut String, indent: usize, times: &[WorkingTime]) {
    if times.is_empty() {
        return;
    }
    let pad = "  ".repeat(indent);
    let _ = writeln!(x, "{pad}<WorkingTimes>");
    for t in times {
        let _ = writeln!(x, "{pad}  <WorkingTime>");
        el(x, indent + 2, "FromTime", &hhmm(t.from));
        el(x, indent + 2, "ToTime", &hhmm(t.to));
        let _ = writeln!(x, "{pad}  </WorkingTime>");
    }
    let _ = writeln!(x, "{pad}</WorkingTimes>");
}

fn week_days(x: &mut String, indent: usize, week: &[Option<Vec<WorkingTime>>; 7]) {
    let pad = "  ".repeat(indent);
    let _ = writeln!(x, "{pad}<WeekDays>");
    // MSPDI DayType 1 = Sunday .. 7 = Saturday; the model is Monday first.
    for day_type in 1..=7usize {
        let ix = (day_type + 5) % 7;
        if let Some(times) = &week[ix] {
            let _ = writeln!(x, "{pad}  <WeekDay>");
            el(x, indent + 2, "DayType", &day_type.to_string());
            el(x, indent + 2, "DayWorking", flag(!times.is_empty()));
            working_times(x, indent + 2, times);
            let _ = writeln!(x, "{pad}  </WeekDay>");
        }
    }
    let _ = writeln!(x, "{pad}</WeekDays>");
}

fn write_calendar(x: &mut String, c: &Calendar, uid: i64, base: Option<i64>) {
    x.push_str("    <Calendar>\n");
    el(x, 3, "UID", &uid.to_string());
    el(x, 3, "Name", &c.name);
    el(x, 3, "IsBaseCalendar", flag(base.is_none()));
    el(x, 3, "BaseCalendarUID", &base.unwrap_or(-1).to_string());
    week_days(x, 3, &c.week);
    if !c.exceptions.is_empty() {
        x.push_str("      <Exceptions>\n");
        for e in &c.exceptions {
            write_exception(x, e);
        }
        x.push_str("      </Exceptions>\n");
    }
    if !c.work_weeks.is_empty() {
        x.push_str("      <WorkWeeks>\n");
        for w in &c.work_weeks {
            x.push_str("        <WorkWeek>\n");
            x.push_str("          <TimePeriod>\n");
            el(x, 6, "FromDate", &format!("{}T00:00:00", w.from.format("%Y-%m-%d")));
            el(x, 6, "ToDate", &day_end(w.to));
            x.push_str("          </TimePeriod>\n");
            el(x, 5, "Name", &w.name);
            week_days(x, 5, &w.week);
            x.push_str("        </WorkWeek>\n");
        }
        x.push_str("      </WorkWeeks>\n");
    }
    x.push_str("    </Calendar>\n");
}

/// Weekday (0 = Monday) to MSPDI `MonthItem` (3 = Sunday .. 9 = Saturday).
fn month_item(weekday: u32) -> u32 {
    if weekday >= 6 { 3 } else { weekday + 4 }
}

fn write_exception(x: &mut String, e: &Exception) {
    x.push_str("        <Exception>\n");
    el(x, 5, "EnteredByOccurrences", "0");
    x.push_str("          <TimePeriod>\n");
    el(x, 6, "FromDate", &format!("{}T00:00:00", e.from.format("%Y-%m-%d")));
    el(x, 6, "ToDate", &day_end(e.to));
    x.push_str("          </TimePeriod>\n");
    let days = (e.to - e.from).num_days().max(0) + 1;
    let occurrences = if e.recurrence.is_none() { days } else { 1 };
    el(x, 5, "Occurrences", &occurrences.to_string());
    el(x, 5, "Name", &e.name);
    match e.recurrence {
        None => el(x, 5, "Type", "1"),
        Some(Recurrence::Daily { period }) => {
            el(x, 5, "Type", "7");
            el(x, 5, "Period", &period.to_string());
        }
        Some(Recurrence::Weekly { period, days }) => {
            el(x, 5, "Type", "6");
            el(x, 5, "Period", &period.to_string());
            let mask: u32 = days.iter().enumerate().filter(|(_, d)| **d).map(|(i, _)| 1u32 << ((i + 1) % 7)).sum();
            el(x, 5, "DaysOfWeek", &mask.to_string());
        }
        Some(Recurrence::MonthlyByDay { period, day }) => {
            el(x, 5, "Type", "4");
            el(x, 5, "Period", &period.to_string());
            el(x, 5, "MonthDay", &day.to_string());
        }
        Some(Recurrence::MonthlyByPosition { period, position, weekday }) => {
            el(x, 5, "Type", "5");
            el(x, 5, "Period", &period.to_string());
            el(x, 5, "MonthItem", &month_item(weekday).to_string());
            el(x, 5, "MonthPosition", &(position.clamp(1, 5) - 1).to_string());
        }
        Some(Recurrence::YearlyByDate { month, day }) => {
            el(x, 5, "Type", "2");
            el(x, 5, "Month", &(month.clamp(1, 12) - 1).to_string());
            el(x, 5, "MonthDay", &day.to_string());
        }
        Some(Recurrence::YearlyByPosition { month, position, weekday }) => {
            el(x, 5, "Type", "3");
            el(x, 5, "MonthItem", &month_item(weekday).to_string());
            el(x, 5, "MonthPosition", &(position.clamp(1, 5) - 1).to_string());
            el(x, 5, "Month", &(month.clamp(1, 12) - 1).to_string());
        }
    }
    el(x, 5, "DayWorking", flag(!e.working.is_empty()));
    working_times(x, 5, &e.working);
    x.push_str("        </Exception>\n");
}
