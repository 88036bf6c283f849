//! MPX 4.0 reader (MS Project's text exchange format, Project 4.0-98).
//!
//! Records are delimited rows whose first field is the record number: 0 file header (delimiter,
//! code page), 10 currency (decimal separator), 11 defaults (hours per day/week), 12 date and time
//! settings (date order, AM/PM text), 20/25/26 base calendars, hours and exceptions, 30 project
//! header, 40/41 resource field names/numbers, 50 resource, 55/56/57 resource calendars, 60/61
//! task field names/numbers (which columns record 70 holds), 70 task, 71 task notes, 75 assignment.
//!
//! Encoding: valid UTF-8 is taken as is; otherwise the record-0 code page (437, 850, ...) when it
//! names one, else EUC-KR when the bytes decode cleanly as EUC-KR (Korean "ANSI" files), else
//! Windows-1252. [`read_with_encoding`] overrides the guess.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use encoding_rs::Encoding;
use keel_engine::schedule::{
    Assignment, Baseline, Calendar, Constraint, ConstraintKind, Duration, DurationUnit, Exception, ImportWarning, Lag,
    Link, LinkType, Options, Origin, ProjectInfo, Resource, Schedule, Task, TaskKind, WorkingTime,
};

use crate::ImportError;

/// Reads an MPX file, guessing its encoding.
pub fn read(file: &str, bytes: &[u8]) -> Result<Schedule, ImportError> {
    read_with_encoding(file, bytes, None)
}

/// Reads an MPX file in the given encoding (`None`: guess, see the module notes).
pub fn read_with_encoding(
    file: &str,
    bytes: &[u8],
    encoding: Option<&'static Encoding>,
) -> Result<Schedule, ImportError> {
    let text = decode(bytes, encoding);
    if !text.starts_with("MPX") || text.len() < 4 {
        return Err(ImportError::file(file, "not an MPX file: expected the first record to start with \"MPX\""));
    }
    let delimiter = text.as_bytes()[3];
    if delimiter.is_ascii_alphanumeric() || delimiter == b'"' || delimiter == b'\n' {
        return Err(ImportError::file(file, "MPX header names no field delimiter after \"MPX\""));
    }
    let mut rdr =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(text.as_bytes());
    let mut st = State::new(file);
    let mut rec = csv::StringRecord::new();
    loop {
        match rdr.read_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {
                st.line = rec.position().map(|p| line_at(&text, p.byte() as usize)).unwrap_or(0);
                st.record(&rec)?;
            }
            Err(e) => {
                return Err(ImportError {
                    file: file.to_string(),
                    line: e.position().map(|p| p.line() as usize),
                    field: None,
                    message: format!("unreadable record: {e}"),
                });
            }
        }
    }
    st.finish()
}

/// 1-based line of a record starting at `byte` (csv reports a CRLF record's start at its `\n`).
fn line_at(text: &str, byte: usize) -> usize {
    let b = text.as_bytes();
    let byte = byte.min(b.len());
    let mut line = b[..byte].iter().filter(|&&c| c == b'\n').count() + 1;
    if b.get(byte) == Some(&b'\n') {
        line += 1;
    }
    line
}

fn decode(bytes: &[u8], encoding: Option<&'static Encoding>) -> String {
    if let Some(enc) = encoding {
        return enc.decode(bytes).0.into_owned();
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return s.strip_prefix('\u{feff}').unwrap_or(s).to_string();
    }
    let first = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
    let first = String::from_utf8_lossy(first);
    let page = first.trim().rsplit([',', ';', '\t']).next().unwrap_or("").trim().to_string();
    let named = match page.as_str() {
        "1250" => Some(encoding_rs::WINDOWS_1250),
        "1251" => Some(encoding_rs::WINDOWS_1251),
        "1252" => Some(encoding_rs::WINDOWS_1252),
        "949" | "EUC-KR" => Some(encoding_rs::EUC_KR),
        "932" => Some(encoding_rs::SHIFT_JIS),
        "936" => Some(encoding_rs::GBK),
        _ => None,
    };
    if let Some(enc) = named {
        return enc.decode(bytes).0.into_owned();
    }
    if let Some(s) = encoding_rs::EUC_KR.decode_without_bom_handling_and_without_replacement(bytes) {
        return s.into_owned();
    }
    encoding_rs::WINDOWS_1252.decode(bytes).0.into_owned()
}

/// Task index, resource ID, units, work, actual work, cost (record 75 before resolution).
type RawAssignment = (usize, String, f64, Option<i64>, Option<i64>, Option<i64>);

struct State<'a> {
    file: &'a str,
    line: usize,
    decimal: char,
    thousands: char,
    date_order: u8,
    am: String,
    pm: String,
    minutes_per_day: f64,
    minutes_per_week: f64,
    project_name: String,
    project_calendar: Option<String>,
    start: Option<NaiveDateTime>,
    finish: Option<NaiveDateTime>,
    from_finish: bool,
    status: Option<NaiveDateTime>,
    calendars: Vec<Calendar>,
    cal_names: HashMap<String, usize>,
    /// Calendar the 25/26 (or 56/57) records apply to.
    cur_cal: Option<usize>,
    res_fields: Vec<u32>,
    task_fields: Vec<u32>,
    resources: Vec<Resource>,
    res_ids: HashMap<String, usize>,
    tasks: Vec<Task>,
    task_ids: HashMap<String, usize>,
    preds: Vec<(usize, String, usize)>,
    assignments: Vec<RawAssignment>,
    cur_task: Option<usize>,
    cur_res: Option<usize>,
    ignored: HashMap<&'static str, usize>,
}

const DAY: [WorkingTime; 2] = [WorkingTime { from: 480, to: 720 }, WorkingTime { from: 780, to: 1020 }];

impl<'a> State<'a> {
    fn new(file: &'a str) -> Self {
        State {
            file,
            line: 0,
            decimal: '.',
            thousands: ',',
            date_order: 0,
            am: "am".into(),
            pm: "pm".into(),
            minutes_per_day: 480.0,
            minutes_per_week: 2400.0,
            project_name: String::new(),
            project_calendar: None,
            start: None,
            finish: None,
            from_finish: false,
            status: None,
            calendars: Vec::new(),
            cal_names: HashMap::new(),
            cur_cal: None,
            res_fields: Vec::new(),
            task_fields: Vec::new(),
            resources: Vec::new(),
            res_ids: HashMap::new(),
            tasks: Vec::new(),
            task_ids: HashMap::new(),
            preds: Vec::new(),
            assignments: Vec::new(),
            cur_task: None,
            cur_res: None,
            ignored: HashMap::new(),
        }
    }

    fn err(&self, field: &str, message: String) -> ImportError {
        ImportError { file: self.file.to_string(), line: Some(self.line), field: Some(field.to_string()), message }
    }

    fn number(&self, field: &str, v: &str) -> Result<Option<f64>, ImportError> {
        let t: String = v
            .trim()
            .chars()
            .filter(|c| *c != self.thousands && !c.is_whitespace())
            .map(|c| if c == self.decimal { '.' } else { c })
            .filter(|c| c.is_ascii_digit() || *c == '.' || *c == '-')
            .collect();
        if t.is_empty() {
            return Ok(None);
        }
        t.parse::<f64>().map(Some).map_err(|_| self.err(field, format!("{:?} is not a number", v.trim())))
    }

    fn time(&self, field: &str, v: &str) -> Result<Option<u16>, ImportError> {
        let v = v.trim();
        if v.is_empty() {
            return Ok(None);
        }
        let lower = v.to_lowercase();
        let (body, pm, am) = if !self.pm.is_empty() && lower.ends_with(&self.pm.to_lowercase()) {
            (&lower[..lower.len() - self.pm.len()], true, false)
        } else if !self.am.is_empty() && lower.ends_with(&self.am.to_lowercase()) {
            (&lower[..lower.len() - self.am.len()], false, true)
        } else {
            (lower.as_str(), false, false)
        };
        let (h, m) = body.trim().split_once(':').unwrap_or((body.trim(), "0"));
        let (Ok(mut h), Ok(m)) = (h.trim().parse::<u16>(), m.trim().parse::<u16>()) else {
            return Err(self.err(field, format!("{v:?} is not a time; expected like 08:00 or 8:00 am")));
        };
        if pm && h < 12 {
            h += 12;
        }
        if am && h == 12 {
            h = 0;
        }
        if h > 24 || m > 59 {
            return Err(self.err(field, format!("{v:?} is not a time of day")));
        }
        Ok(Some(h * 60 + m))
    }

    fn date(&self, field: &str, v: &str) -> Result<Option<NaiveDateTime>, ImportError> {
        let v = v.trim();
        if v.is_empty() || v.eq_ignore_ascii_case("NA") {
            return Ok(None);
        }
        parse_mpx_date(v, self.date_order, |t| self.time(field, t).ok().flatten())
            .map(Some)
            .ok_or_else(|| self.err(field, format!("{v:?} is not a date in this file's date format")))
    }

    fn duration(&self, field: &str, v: &str) -> Result<Option<Duration>, ImportError> {
        let v = v.trim();
        if v.is_empty() || v.eq_ignore_ascii_case("NA") {
            return Ok(None);
        }
        let (v, estimated) = match v.strip_suffix('?') {
            Some(r) => (r.trim(), true),
            None => (v, false),
        };
        let split = v.find(|c: char| c.is_alphabetic() || c == '%').unwrap_or(v.len());
        let (num, unit) = v.split_at(split);
        let Some(n) = self.number(field, num)? else {
            return Err(self.err(field, format!("{v:?} is not a duration; expected like 5d, 3h, 2w, 1mo, 4ed")));
        };
        let (unit, elapsed, per) = match unit.trim().to_lowercase().as_str() {
            "m" => (DurationUnit::Minutes, false, 1.0),
            "em" => (DurationUnit::Minutes, true, 1.0),
            "h" => (DurationUnit::Hours, false, 60.0),
            "eh" => (DurationUnit::Hours, true, 60.0),
            "d" | "" => (DurationUnit::Days, false, self.minutes_per_day),
            "ed" => (DurationUnit::Days, true, 1440.0),
            "w" => (DurationUnit::Weeks, false, self.minutes_per_week),
            "ew" => (DurationUnit::Weeks, true, 10080.0),
            "mo" => (DurationUnit::Months, false, self.minutes_per_day * 20.0),
            "emo" => (DurationUnit::Months, true, 43200.0),
            "%" => (DurationUnit::Percent, false, 100.0),
            "e%" => (DurationUnit::Percent, true, 100.0),
            other => {
                return Err(self
                    .err(field, format!("{v:?} has unknown unit {other:?}; expected m, h, d, w, mo (e for elapsed)")));
            }
        };
        Ok(Some(Duration { minutes: (n * per).round() as i64, unit, elapsed, estimated }))
    }

    fn new_calendar(&mut self, name: &str, base: Option<usize>, flags: &[&str]) {
        let mut week: [Option<Vec<WorkingTime>>; 7] = Default::default();
        for (i, f) in flags.iter().take(7).enumerate() {
            let ix = (i + 6) % 7; // MPX days run Sunday first
            week[ix] = match f.trim() {
                "0" => Some(vec![]),
                "1" => Some(DAY.to_vec()),
                _ => None,
            };
        }
        let ix = self.calendars.len();
        self.calendars.push(Calendar {
            key: name.to_string(),
            name: name.to_string(),
            base,
            week,
            exceptions: vec![],
            work_weeks: vec![],
        });
        self.cal_names.entry(name.to_string()).or_insert(ix);
        self.cur_cal = Some(ix);
    }

    fn record(&mut self, r: &csv::StringRecord) -> Result<(), ImportError> {
        let f: Vec<&str> = r.iter().collect();
        let get = |i: usize| f.get(i).copied().unwrap_or("");
        let kind = get(0).trim();
        match kind {
            "MPX" => {}
            "10" => {
                self.thousands = get(4).chars().next().unwrap_or(',');
                self.decimal = get(5).chars().next().unwrap_or('.');
            }
            "11" => {
                if let Some(h) = self.number("hours per day", get(4))? {
                    self.minutes_per_day = (h * 60.0).clamp(1.0, 1440.0);
                }
                if let Some(h) = self.number("hours per week", get(5))? {
                    self.minutes_per_week = (h * 60.0).clamp(1.0, 10080.0);
                }
            }
            "12" => {
                self.date_order = get(1).trim().parse().unwrap_or(0);
                self.am = get(6).trim().to_string();
                self.pm = get(7).trim().to_string();
            }
            "20" => {
                let flags: Vec<&str> = f.iter().skip(2).copied().collect();
                self.new_calendar(get(1).trim(), None, &flags);
            }
            "25" | "56" => {
                let Some(c) = self.cur_cal else {
                    return Err(self.err("calendar hours", "record before any calendar".into()));
                };
                let day: usize = get(1).trim().parse().unwrap_or(0);
                if !(1..=7).contains(&day) {
                    return Err(self.err("calendar hours", format!("day {:?} is not 1 (Sunday) to 7", get(1))));
                }
                let mut times = Vec::new();
                let mut i = 2;
                while i + 1 < f.len() {
                    if let (Some(a), Some(b)) = (self.time("from", get(i))?, self.time("to", get(i + 1))?) {
                        let b = if b <= a { 1440 } else { b };
                        times.push(WorkingTime { from: a, to: b });
                    }
                    i += 2;
                }
                let ix = (day + 5) % 7;
                let cal = &mut self.calendars[c];
                if times.is_empty() {
                    // Hours record with no times: the day's flag stands (non-working or default).
                    if cal.week[ix].as_ref().is_some_and(|t| !t.is_empty()) {
                        cal.week[ix] = Some(vec![]);
                    }
                } else {
                    cal.week[ix] = Some(times);
                }
            }
            "26" | "57" => {
                let Some(c) = self.cur_cal else {
                    return Err(self.err("calendar exception", "record before any calendar".into()));
                };
                let (Some(from), to) = (self.date("exception from", get(1))?, self.date("exception to", get(2))?)
                else {
                    return Ok(());
                };
                let working = get(3).trim() == "1";
                let mut times = Vec::new();
                let mut i = 4;
                while i + 1 < f.len() {
                    if let (Some(a), Some(b)) = (self.time("from", get(i))?, self.time("to", get(i + 1))?) {
                        times.push(WorkingTime { from: a, to: if b <= a { 1440 } else { b } });
                    }
                    i += 2;
                }
                if working && times.is_empty() {
                    times = DAY.to_vec();
                }
                let to = to.unwrap_or(from);
                self.calendars[c].exceptions.push(Exception {
                    name: String::new(),
                    from: from.date(),
                    to: to.date().max(from.date()),
                    working: if working { times } else { vec![] },
                    recurrence: None,
                });
            }
            "30" => {
                self.project_name = get(1).trim().to_string();
                self.project_calendar = Some(get(4).trim().to_string()).filter(|s| !s.is_empty());
                self.start = self.date("project start", get(5))?;
                self.finish = self.date("project finish", get(6))?;
                self.from_finish = get(7).trim() == "1";
                self.status = self.date("current date", get(8))?;
            }
            "40" => {}
            "41" => self.res_fields = f.iter().skip(1).map(|x| x.trim().parse().unwrap_or(0)).collect(),
            "50" => {
                let mut res = Resource::default();
                let mut id = String::new();
                for (i, &num) in self.res_fields.iter().enumerate() {
                    let v = get(i + 1);
                    match num {
                        1 => res.name = v.trim().to_string(),
                        40 => id = v.trim().to_string(),
                        49 => res.key = v.trim().to_string(),
                        41 => {
                            let pct = v.contains('%');
                            res.max_units = self.number("Max Units", v)?.map(|u| if pct { u / 100.0 } else { u });
                        }
                        42 => {
                            let per_hour = self.number("Standard Rate", v)?;
                            let div = if v.contains("/d") { self.minutes_per_day / 60.0 } else { 1.0 };
                            res.rate_minor_per_hour = per_hour.map(|r| (r * 100.0 / div).round() as i64);
                        }
                        _ => {}
                    }
                }
                if res.key.is_empty() {
                    res.key = id.clone();
                }
                let ix = self.resources.len();
                self.res_ids.insert(id, ix);
                self.resources.push(res);
                self.cur_res = Some(ix);
            }
            "55" => {
                let base = self.cal_names.get(get(1).trim()).copied();
                let flags: Vec<&str> = f.iter().skip(2).copied().collect();
                let name = match self.cur_res {
                    Some(r) => self.resources[r].name.clone(),
                    None => get(1).trim().to_string(),
                };
                self.new_calendar(&name, base, &flags);
                if let (Some(r), Some(c)) = (self.cur_res, self.cur_cal) {
                    self.resources[r].calendar = Some(c);
                }
            }
            "60" => {}
            "61" => self.task_fields = f.iter().skip(1).map(|x| x.trim().parse().unwrap_or(0)).collect(),
            "70" => self.task(&f)?,
            "71" => {
                if let Some(t) = self.cur_task {
                    self.tasks[t].notes = get(1).to_string();
                }
            }
            "75" => {
                let Some(t) = self.cur_task else {
                    return Err(self.err("assignment", "assignment record before any task".into()));
                };
                let units = {
                    let v = get(2);
                    let u = self.number("Units", v)?.unwrap_or(100.0);
                    if v.contains('%') || u > 10.0 { u / 100.0 } else { u }
                };
                let work = self.duration("Work", get(3))?.map(|d| d.minutes);
                let actual = self.duration("Actual Work", get(5))?.map(|d| d.minutes);
                let cost = self.number("Cost", get(7))?.map(|c| (c * 100.0).round() as i64);
                self.assignments.push((t, get(1).trim().to_string(), units, work, actual, cost));
            }
            "51" => {}
            "72" => *self.ignored.entry("recurring task definitions (record 72)").or_default() += 1,
            "0" | "" => {}
            _ => *self.ignored.entry("other records (display, workgroup, model fields)").or_default() += 1,
        }
        Ok(())
    }

    fn task(&mut self, f: &[&str]) -> Result<(), ImportError> {
        let mut t = Task { outline_level: 1, ..Task::default() };
        let mut id = String::new();
        let mut summary = false;
        let mut milestone = false;
        let mut ctype: Option<ConstraintKind> = None;
        let mut cdate = None;
        let mut baseline = Baseline { number: 0, start: None, finish: None, duration_minutes: None, cost_minor: None };
        let mut preds = String::new();
        for (i, &num) in self.task_fields.iter().enumerate() {
            let v = f.get(i + 1).copied().unwrap_or("");
            let yes = || v.trim().eq_ignore_ascii_case("yes") || v.trim() == "1";
            match num {
                1 => t.name = v.trim().to_string(),
                2 => t.wbs = v.trim().to_string(),
                3 => t.outline_level = self.number("Outline Level", v)?.unwrap_or(1.0).clamp(0.0, 1000.0) as u16,
                30 => t.cost_minor = self.number("Cost", v)?.map(|c| (c * 100.0).round() as i64),
                31 => baseline.cost_minor = self.number("Baseline Cost", v)?.map(|c| (c * 100.0).round() as i64),
                40 => t.duration = self.duration("Duration", v)?.unwrap_or_default(),
                41 => baseline.duration_minutes = self.duration("Baseline Duration", v)?.map(|d| d.minutes),
                43 => t.remaining = self.duration("Remaining Duration", v)?,
                44 => t.percent_complete = self.number("% Complete", v)?.unwrap_or(0.0).clamp(0.0, 100.0),
                50 => t.stored.start = self.date("Start", v)?,
                51 => t.stored.finish = self.date("Finish", v)?,
                52 => {
                    t.stored.early_start = self.date("Early Start", v)?;
                    t.stored.date_only |= t.stored.early_start.is_some() && !v.contains(':');
                }
                53 => {
                    t.stored.early_finish = self.date("Early Finish", v)?;
                    t.stored.date_only |= t.stored.early_finish.is_some() && !v.contains(':');
                }
                54 => {
                    t.stored.late_start = self.date("Late Start", v)?;
                    t.stored.date_only |= t.stored.late_start.is_some() && !v.contains(':');
                }
                55 => {
                    t.stored.late_finish = self.date("Late Finish", v)?;
                    t.stored.date_only |= t.stored.late_finish.is_some() && !v.contains(':');
                }
                56 => baseline.start = self.date("Baseline Start", v)?,
                57 => baseline.finish = self.date("Baseline Finish", v)?,
                58 => t.actual_start = self.date("Actual Start", v)?,
                59 => t.actual_finish = self.date("Actual Finish", v)?,
                68 => cdate = self.date("Constraint Date", v)?,
                69 => t.resume = self.date("Resume", v)?,
                70 => preds = v.to_string(),
                81 => milestone = yes(),
                82 => t.stored.critical = (!v.trim().is_empty()).then(yes),
                90 => id = v.trim().to_string(),
                91 => {
                    ctype = constraint(v).ok_or_else(|| {
                        self.err("Constraint Type", format!("{:?} is not a constraint type", v.trim()))
                    })?
                }
                93 => t.stored.free_float = self.duration("Free Slack", v)?.map(|d| d.minutes),
                94 => t.stored.total_float = self.duration("Total Slack", v)?.map(|d| d.minutes),
                98 => t.key = v.trim().to_string(),
                120 => summary = yes(),
                _ => {}
            }
        }
        if id == "0" || t.outline_level == 0 {
            self.cur_task = None;
            return Ok(());
        }
        t.code = id.clone();
        if t.key.is_empty() {
            t.key = id.clone();
        }
        t.kind = if summary {
            TaskKind::Summary
        } else if milestone {
            TaskKind::Milestone
        } else {
            TaskKind::Task
        };
        if let Some(r) = &mut t.remaining {
            r.unit = t.duration.unit;
        }
        t.constraint = match ctype {
            None | Some(ConstraintKind::Asap) => None,
            Some(ConstraintKind::Alap) => Some(Constraint { kind: ConstraintKind::Alap, date: None }),
            Some(kind) => Some(Constraint { kind, date: cdate }),
        };
        if baseline.start.is_some() || baseline.finish.is_some() || baseline.duration_minutes.is_some() {
            t.baselines.push(baseline);
        }
        let ix = self.tasks.len();
        if !preds.trim().is_empty() {
            self.preds.push((ix, preds, self.line));
        }
        self.task_ids.insert(id, ix);
        self.tasks.push(t);
        self.cur_task = Some(ix);
        Ok(())
    }

    fn finish(mut self) -> Result<Schedule, ImportError> {
        let mut warnings = Vec::new();
        // Parents and summary kinds from the outline.
        let mut stack: Vec<(u16, usize)> = Vec::new();
        for i in 0..self.tasks.len() {
            let lvl = self.tasks[i].outline_level;
            while stack.last().is_some_and(|&(l, _)| l >= lvl) {
                stack.pop();
            }
            self.tasks[i].parent = stack.last().map(|&(_, p)| p);
            if let Some(&(_, p)) = stack.last() {
                self.tasks[p].kind = TaskKind::Summary;
            }
            stack.push((lvl, i));
        }
        let mut links = Vec::new();
        for (succ, text, line) in std::mem::take(&mut self.preds) {
            self.line = line;
            for item in text.split([',', ';']).map(str::trim).filter(|s| !s.is_empty()) {
                let digits = item.find(|c: char| !c.is_ascii_digit()).unwrap_or(item.len());
                let (id, rest) = item.split_at(digits);
                let Some(&pred) = self.task_ids.get(id) else {
                    return Err(self.err(
                        "Predecessors",
                        format!(
                            "task {} names predecessor {item:?}, which is not a task ID in the file",
                            self.tasks[succ].code
                        ),
                    ));
                };
                let rest = rest.trim();
                let (kind, lag) = if rest.len() >= 2 {
                    let kind = match &rest[..2].to_ascii_uppercase()[..] {
                        "FS" => LinkType::FS,
                        "SS" => LinkType::SS,
                        "FF" => LinkType::FF,
                        "SF" => LinkType::SF,
                        _ => {
                            return Err(
                                self.err("Predecessors", format!("{item:?} is not a link; expected like 3FS+2d"))
                            );
                        }
                    };
                    (kind, rest[2..].trim())
                } else if rest.is_empty() {
                    (LinkType::FS, "")
                } else {
                    return Err(self.err("Predecessors", format!("{item:?} is not a link; expected like 3FS+2d")));
                };
                let lag = if lag.is_empty() {
                    Lag::default()
                } else {
                    let d = self.duration("Predecessors", lag.trim_start_matches('+'))?.unwrap_or_default();
                    // Percent lags come out of `duration` as basis points already.
                    Lag { amount: d.minutes, unit: d.unit, elapsed: d.elapsed }
                };
                links.push(Link { pred, succ, kind, lag });
            }
        }
        let mut assignments = Vec::new();
        let mut unknown_res = 0;
        for (task, rid, units, work, actual, cost) in std::mem::take(&mut self.assignments) {
            let Some(&resource) = self.res_ids.get(&rid) else {
                unknown_res += 1;
                continue;
            };
            assignments.push(Assignment {
                task,
                resource,
                units,
                work_minutes: work,
                actual_work_minutes: actual,
                remaining_work_minutes: None,
                cost_minor: cost,
            });
        }
        if unknown_res > 0 {
            warnings.push(ImportWarning {
                location: "assignments".into(),
                message: format!("{unknown_res} assignment(s) name a resource ID not in the file; skipped"),
            });
        }
        let mut ignored: Vec<_> = self.ignored.iter().collect();
        ignored.sort();
        for (what, n) in ignored {
            warnings
                .push(ImportWarning { location: "file".into(), message: format!("{n} {what} not modelled; ignored") });
        }
        if self.calendars.is_empty() {
            self.new_calendar("Standard", None, &["0", "1", "1", "1", "1", "1", "0"]);
            warnings.push(ImportWarning {
                location: "calendars".into(),
                message: "no calendar in the file; using Standard (Mon-Fri 08:00-12:00, 13:00-17:00)".into(),
            });
        }
        let calendar = self.project_calendar.as_ref().and_then(|n| self.cal_names.get(n).copied()).unwrap_or(0);
        let Some(start) = self.start.or_else(|| self.tasks.iter().filter_map(|t| t.stored.start).min()) else {
            return Err(ImportError {
                file: self.file.to_string(),
                line: None,
                field: Some("project start".into()),
                message: "no project start date (record 30) and no task start".into(),
            });
        };
        let options = Options {
            minutes_per_day: self.minutes_per_day.round() as u32,
            minutes_per_week: self.minutes_per_week.round() as u32,
            ..Options::default()
        };
        Ok(Schedule {
            name: self.project_name.clone(),
            origin: Origin::MsProject,
            source_format: "MPX 4.0".into(),
            options,
            projects: vec![ProjectInfo {
                key: self.project_name.clone(),
                name: self.project_name.clone(),
                start,
                finish_constraint: if self.from_finish { self.finish } else { None },
                status_date: self.status,
                calendar,
                schedule_from_finish: self.from_finish,
            }],
            calendars: self.calendars,
            tasks: self.tasks,
            links,
            resources: self.resources,
            assignments,
            warnings,
        })
    }
}

fn constraint(v: &str) -> Option<Option<ConstraintKind>> {
    let v = v.trim().to_ascii_lowercase();
    Some(Some(match v.as_str() {
        "" => return Some(None),
        "as soon as possible" | "0" => ConstraintKind::Asap,
        "as late as possible" | "1" => ConstraintKind::Alap,
        "must start on" | "2" => ConstraintKind::Mso,
        "must finish on" | "3" => ConstraintKind::Mfo,
        "start no earlier than" | "4" => ConstraintKind::Snet,
        "start no later than" | "5" => ConstraintKind::Snlt,
        "finish no earlier than" | "6" => ConstraintKind::Fnet,
        "finish no later than" | "7" => ConstraintKind::Fnlt,
        _ => return None,
    }))
}

const MONTHS: [&str; 12] = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

/// Parses the date formats MPX record 12 can select: an optional weekday name, then numeric
/// `d/m/y` in the file's date order (0 MDY, 1 DMY, 2 YMD) or `d Month yyyy`, then an optional time.
fn parse_mpx_date(v: &str, order: u8, time: impl Fn(&str) -> Option<u16>) -> Option<NaiveDateTime> {
    let mut words: Vec<&str> = v.split_whitespace().collect();
    if words.first().is_some_and(|w| w.chars().all(char::is_alphabetic) && words.len() > 1) {
        let w = words[0].to_ascii_lowercase();
        if !MONTHS.iter().any(|m| w.starts_with(m)) {
            words.remove(0);
        }
    }
    let first = *words.first()?;
    let (date, rest): (NaiveDate, &[&str]) =
        if first.contains(['/', '-', '.']) && first.chars().any(|c| c.is_ascii_digit()) {
            let parts: Vec<&str> = first.split(['/', '-', '.']).collect();
            if parts.len() != 3 {
                return None;
            }
            let n: Vec<i32> = parts.iter().map(|p| p.parse().ok()).collect::<Option<_>>()?;
            let (y, m, d) = match order {
                1 => (n[2], n[1], n[0]),
                2 => (n[0], n[1], n[2]),
                _ => (n[2], n[0], n[1]),
            };
            let y = if y < 100 { if y < 70 { 2000 + y } else { 1900 + y } } else { y };
            (NaiveDate::from_ymd_opt(y, m as u32, d as u32)?, &words[1..])
        } else {
            // d Month [yyyy] | Month d [yyyy]
            let d: u32 = first.parse().ok()?;
            let mname = words.get(1)?.to_ascii_lowercase();
            let m = MONTHS.iter().position(|x| mname.starts_with(x))? as u32 + 1;
            let y = words.get(2)?.parse::<i32>().ok()?;
            let y = if y < 100 { 2000 + y } else { y };
            (NaiveDate::from_ymd_opt(y, m, d)?, &words[3..])
        };
    let minutes = if rest.is_empty() { 0 } else { time(&rest.join(" "))? };
    let t = NaiveTime::from_hms_opt(0, 0, 0)?;
    Some(date.and_time(t) + chrono::Duration::minutes(minutes as i64))
}
