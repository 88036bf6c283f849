//! Streaming MSPDI reader: one pass over quick-xml events, no DOM.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use keel_engine::schedule::{
    Assignment, Baseline, Calendar, Constraint, ConstraintKind, Duration, DurationUnit, Exception, ImportWarning, Lag,
    Link, LinkType, Options, Origin, ProjectInfo, Recurrence, Resource, ResourceKind, Schedule, Task, TaskKind,
    WorkWeek, WorkingTime,
};
use quick_xml::events::Event;
use quick_xml::reader::Reader;

mod chunked;

use super::{constraint_kind, format_code, parse_iso_duration};
use crate::ImportError;

/// A week as MSPDI lists it, Monday first, with old-style dated exceptions.
type Week = [Option<Vec<WorkingTime>>; 7];

#[derive(Default)]
struct RawDay {
    day_type: Option<i64>,
    working: Option<bool>,
    times: Vec<WorkingTime>,
    from: Option<NaiveDateTime>,
    to: Option<NaiveDateTime>,
}

#[derive(Default)]
struct RawException {
    name: String,
    from: Option<NaiveDateTime>,
    to: Option<NaiveDateTime>,
    kind: Option<i64>,
    period: Option<i64>,
    days_of_week: Option<i64>,
    month_item: Option<i64>,
    month_position: Option<i64>,
    month: Option<i64>,
    month_day: Option<i64>,
    working: bool,
    times: Vec<WorkingTime>,
}

#[derive(Default)]
struct RawWorkWeek {
    name: String,
    from: Option<NaiveDateTime>,
    to: Option<NaiveDateTime>,
    week: Week,
}

#[derive(Default)]
struct RawCalendar {
    uid: String,
    name: String,
    base_uid: Option<String>,
    week: Week,
    old_exceptions: Vec<Exception>,
    exceptions: Vec<RawException>,
    work_weeks: Vec<RawWorkWeek>,
    has_new_exceptions: bool,
}

#[derive(Default)]
struct RawLink {
    pred_uid: String,
    kind: i64,
    lag_tenths: f64,
    lag_format: Option<i64>,
    cross_project: bool,
}

#[derive(Default)]
struct RawTask {
    uid: String,
    is_null: bool,
    summary: bool,
    milestone: bool,
    duration_min: Option<f64>,
    duration_format: Option<i64>,
    estimated: bool,
    remaining_min: Option<f64>,
    constraint_type: Option<i64>,
    constraint_date: Option<NaiveDateTime>,
    calendar_uid: Option<String>,
    active: bool,
    total_slack: Option<f64>,
    free_slack: Option<f64>,
    task: Task,
    links: Vec<RawLink>,
}

#[derive(Default)]
struct RawAssignment {
    task_uid: String,
    resource_uid: String,
    units: f64,
    work: Option<f64>,
    actual_work: Option<f64>,
    remaining_work: Option<f64>,
    cost: Option<f64>,
}

/// Counts of things met but not modelled, reported as one warning per kind.
#[derive(Default)]
struct Ignored {
    kinds: BTreeMap<&'static str, usize>,
    task_elements: BTreeMap<String, usize>,
}

impl Ignored {
    fn note(&mut self, kind: &'static str) {
        *self.kinds.entry(kind).or_default() += 1;
    }
}

struct Parser<'a> {
    file: &'a str,
    text: &'a str,
    pos: usize,
    path: String,
    buf: String,
    cur_field: &'static str,
    /// The row being read, for messages ("task UID 12").
    owner: String,
    // project
    name: Option<String>,
    title: Option<String>,
    save_version: Option<String>,
    start: Option<NaiveDateTime>,
    finish: Option<NaiveDateTime>,
    status: Option<NaiveDateTime>,
    calendar_uid: Option<String>,
    from_start: bool,
    options: Options,
    critical_days: Option<f64>,
    percent_scale: f64,
    // collections
    calendars: Vec<RawCalendar>,
    cal: Option<RawCalendar>,
    day: Option<RawDay>,
    exc: Option<RawException>,
    ww: Option<RawWorkWeek>,
    /// Tasks read since the last chunked `<Tasks>` section (see [`Self::task_parts`]).
    tasks: Vec<RawTask>,
    /// Tasks read before, in file order: each chunk of a chunked section stays in its own vector,
    /// so none of them is copied again before `finish`.
    task_parts: Vec<Vec<RawTask>>,
    /// Boxed: a field handler takes it out and puts it back, which should move a pointer only.
    task: Option<Box<RawTask>>,
    link: Option<RawLink>,
    baseline: Option<Baseline>,
    resources: Vec<Resource>,
    resource: Option<(Resource, bool, Option<String>)>,
    resource_cals: Vec<Option<String>>,
    assignments: Vec<RawAssignment>,
    assignment: Option<RawAssignment>,
    ignored: Ignored,
    /// Bytes per chunk below which a big section is not split further (see [`chunked`]); `None`
    /// reads every section with the quick-xml loop (the tests compare the two paths).
    chunk_bytes: Option<usize>,
}

/// Reads an MSPDI file (MS Project XML) into a [`Schedule`].
///
/// Drops the project summary row (UID 0 / outline level 0) and null rows, resolves UIDs to indices
/// (keeping UID in `key` and ID in `code`), and reports what it could not model as warnings.
pub fn read(file: &str, bytes: &[u8]) -> Result<Schedule, ImportError> {
    read_with(file, bytes, Some(chunked::MIN_CHUNK))
}

fn read_with(file: &str, bytes: &[u8], chunk_bytes: Option<usize>) -> Result<Schedule, ImportError> {
    let text = decode(file, bytes)?;
    // Basis points per unit of `LinkLag` in a percent lag (see the module notes).
    let percent_scale = if text.trim_start().starts_with("<?xml version='") { 100.0 } else { 10.0 };
    let mut p = Parser::new(file, &text, percent_scale);
    p.chunk_bytes = chunk_bytes;
    p.run()?;
    p.finish()
}

/// Decodes the bytes: UTF-8 (with or without BOM), UTF-16 with BOM, else the declared encoding.
fn decode<'b>(file: &str, bytes: &'b [u8]) -> Result<Cow<'b, str>, ImportError> {
    if let Some((enc, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        let (s, _, _) = enc.decode(&bytes[bom..]);
        return Ok(s);
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Ok(Cow::Borrowed(s));
    }
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(200)]);
    let label = head
        .find("encoding=")
        .and_then(|i| head[i + 9..].split(['"', '\'']).nth(1).map(str::to_string))
        .unwrap_or_default();
    match encoding_rs::Encoding::for_label(label.as_bytes()) {
        Some(enc) if enc != encoding_rs::UTF_8 => Ok(enc.decode(bytes).0),
        _ => Err(ImportError::file(file, "not valid UTF-8 and no other encoding declared: expected MSPDI XML")),
    }
}

/// `YYYY-MM-DDTHH:MM:SS`, the form every MSPDI writer uses, without chrono's format machinery.
fn parse_dt_fast(s: &[u8]) -> Option<NaiveDateTime> {
    if s.len() != 19 || s[4] != b'-' || s[7] != b'-' || s[10] != b'T' || s[13] != b':' || s[16] != b':' {
        return None;
    }
    let n = |r: std::ops::Range<usize>| -> Option<u32> {
        s[r].iter().try_fold(0u32, |acc, &b| b.is_ascii_digit().then(|| acc * 10 + u32::from(b - b'0')))
    };
    let date = NaiveDate::from_ymd_opt(n(0..4)? as i32, n(5..7)?, n(8..10)?)?;
    date.and_hms_opt(n(11..13)?, n(14..16)?, n(17..19)?)
}

fn parse_dt(s: &str) -> Option<NaiveDateTime> {
    let s = trim(s);
    if s.is_empty() {
        return None;
    }
    if let Some(dt) = parse_dt_fast(s.as_bytes()) {
        return Some(dt);
    }
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M"))
        .ok()
        .or_else(|| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok().and_then(|d| d.and_hms_opt(0, 0, 0)))
}

fn parse_time(s: &str) -> Option<u16> {
    let b = trim(s).as_bytes();
    if b.len() == 8
        && b[2] == b':'
        && b[5] == b':'
        && b.iter().enumerate().all(|(i, c)| i % 3 == 2 || c.is_ascii_digit())
    {
        let n = |i: usize| u16::from(b[i] - b'0') * 10 + u16::from(b[i + 1] - b'0');
        let (h, m, sec) = (n(0), n(3), n(6));
        // Anything out of range falls through to chrono, which refuses it.
        if h < 24 && m < 60 && sec < 60 {
            return Some(h * 60 + m);
        }
    }
    let t = NaiveTime::parse_from_str(trim(s), "%H:%M:%S%.f")
        .or_else(|_| NaiveTime::parse_from_str(trim(s), "%H:%M"))
        .ok()?;
    use chrono::Timelike;
    Some((t.hour() * 60 + t.minute()) as u16)
}

/// `str::trim`, without its per-character Unicode checks when the ends are visible ASCII (as
/// nearly every value in a file is).
fn trim(v: &str) -> &str {
    match v.as_bytes() {
        [a, .., b] if (0x21..0x7f).contains(a) && (0x21..0x7f).contains(b) => v,
        [a] if (0x21..0x7f).contains(a) => v,
        _ => v.trim(),
    }
}

fn line_of(text: &str, pos: usize) -> usize {
    let pos = pos.min(text.len());
    text.as_bytes()[..pos].iter().filter(|&&b| b == b'\n').count() + 1
}

const DEFAULT_DAY: [WorkingTime; 2] = [WorkingTime { from: 480, to: 720 }, WorkingTime { from: 780, to: 1020 }];

impl<'a> Parser<'a> {
    fn new(file: &'a str, text: &'a str, percent_scale: f64) -> Self {
        Parser {
            file,
            text,
            pos: 0,
            path: String::with_capacity(128),
            buf: String::with_capacity(256),
            cur_field: "",
            owner: String::new(),
            name: None,
            title: None,
            save_version: None,
            start: None,
            finish: None,
            status: None,
            calendar_uid: None,
            from_start: true,
            options: Options::default(),
            critical_days: None,
            percent_scale,
            calendars: Vec::new(),
            cal: None,
            day: None,
            exc: None,
            ww: None,
            tasks: Vec::new(),
            task_parts: Vec::new(),
            task: None,
            link: None,
            baseline: None,
            resources: Vec::new(),
            resource: None,
            resource_cals: Vec::new(),
            assignments: Vec::new(),
            assignment: None,
            ignored: Ignored::default(),
            chunk_bytes: None,
        }
    }

    fn err(&self, field: &str, message: String) -> ImportError {
        let owner = if self.owner.is_empty() { String::new() } else { format!("{}: ", self.owner) };
        ImportError {
            file: self.file.to_string(),
            line: Some(line_of(self.text, self.pos)),
            field: Some(field.to_string()),
            message: format!("{owner}{message}"),
        }
    }

    fn int(&self, v: &str) -> Result<i64, ImportError> {
        let t = trim(v);
        t.parse::<i64>()
            .or_else(|e| t.parse::<f64>().ok().filter(|f| f.is_finite()).map(|f| f.round() as i64).ok_or(e))
            .map_err(|_| self.err(self.cur_field, format!("{t:?} is not a whole number")))
    }

    fn num(&self, v: &str) -> Result<f64, ImportError> {
        let t = trim(v);
        t.parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .ok_or_else(|| self.err(self.cur_field, format!("{t:?} is not a number")))
    }

    fn flag(&self, v: &str) -> Result<bool, ImportError> {
        match trim(v) {
            "1" | "true" | "True" | "TRUE" => Ok(true),
            "0" | "false" | "False" | "FALSE" | "" => Ok(false),
            t => Err(self.err(self.cur_field, format!("{t:?} is not a flag; expected 0 or 1"))),
        }
    }

    fn date(&self, v: &str) -> Result<Option<NaiveDateTime>, ImportError> {
        if trim(v).is_empty() || trim(v) == "NA" {
            return Ok(None);
        }
        parse_dt(v).map(Some).ok_or_else(|| {
            self.err(self.cur_field, format!("{:?} is not a date; expected like 2024-01-31T08:00:00", trim(v)))
        })
    }

    fn dur(&self, v: &str) -> Result<f64, ImportError> {
        parse_iso_duration(v)
            .ok_or_else(|| self.err(self.cur_field, format!("{:?} is not a duration; expected like PT8H0M0S", trim(v))))
    }

    fn time(&self, v: &str) -> Result<u16, ImportError> {
        parse_time(v)
            .ok_or_else(|| self.err(self.cur_field, format!("{:?} is not a time; expected like 08:00:00", trim(v))))
    }

    fn run(&mut self) -> Result<(), ImportError> {
        let mut reader = Reader::from_str(self.text);
        // Where the reader's input starts in the text: it moves on when a section was read by
        // the chunked path and the reader is made to skip it.
        let mut base = 0usize;
        let mut depth_stack: Vec<usize> = Vec::with_capacity(16);
        let mut seen_root = false;
        loop {
            self.pos = base + reader.buffer_position() as usize;
            let ev = match reader.read_event() {
                Ok(ev) => ev,
                Err(e) => {
                    self.pos = base + reader.error_position() as usize;
                    return Err(ImportError {
                        file: self.file.to_string(),
                        line: Some(line_of(self.text, self.pos)),
                        field: None,
                        message: format!("malformed XML: {e}"),
                    });
                }
            };
            match ev {
                Event::Start(e) => {
                    let name = e.local_name();
                    let name: &str = name.as_ref();
                    if depth_stack.is_empty() {
                        if seen_root || name != "Project" {
                            return Err(
                                self.err(name, format!("unexpected root element <{name}>; expected <Project> (MSPDI)"))
                            );
                        }
                        seen_root = true;
                    }
                    depth_stack.push(self.path.len());
                    if !self.path.is_empty() {
                        self.path.push('/');
                    }
                    self.path.push_str(name);
                    self.buf.clear();
                    self.start_element()?;
                    // The two sections that grow with the plan: read on all cores when they
                    // hold nothing unusual (else the loop below reads them as before).
                    let section = match self.path.as_str() {
                        "Project/Tasks" => Some("Task"),
                        "Project/Assignments" => Some("Assignment"),
                        _ => None,
                    };
                    if let (Some(child), Some(chunk_bytes)) = (section, self.chunk_bytes) {
                        let at = base + reader.buffer_position() as usize;
                        if let Some(end) = chunked::read_section(self, at, child, chunk_bytes) {
                            // Skip the section's body: the reader goes on at its end tag.
                            *reader.get_mut() = &self.text.as_bytes()[end..];
                            base += end - at;
                        } else if child == "Task" {
                            // Sized up front: growing a vector of 100k tasks copies it (and
                            // faults in fresh memory) a dozen times.
                            let rest = &self.text.as_bytes()[at..];
                            self.tasks.reserve(memchr::memmem::find_iter(rest, b"<Task>").count());
                        }
                    }
                }
                Event::Empty(e) => {
                    let name = e.local_name();
                    let name: &str = name.as_ref();
                    let name = name.to_string();
                    if depth_stack.is_empty() {
                        return Err(self.err(&name, "empty document: expected <Project> with content".into()));
                    }
                    let len = self.path.len();
                    self.path.push('/');
                    self.path.push_str(&name);
                    self.buf.clear();
                    self.start_element()?;
                    self.end_element()?;
                    self.path.truncate(len);
                }
                Event::End(_) => {
                    self.end_element()?;
                    let len = depth_stack.pop().unwrap_or(0);
                    self.path.truncate(len);
                    self.buf.clear();
                }
                Event::Text(t) => self.buf.push_str(&t.xml10_content()),
                Event::CData(t) => self.buf.push_str(&t.into_inner()),
                Event::GeneralRef(r) => {
                    if let Ok(Some(c)) = r.resolve_char_ref() {
                        self.buf.push(c);
                    } else {
                        let name = r.into_inner();
                        self.buf.push_str(match name.as_ref() {
                            "amp" => "&",
                            "lt" => "<",
                            "gt" => ">",
                            "quot" => "\"",
                            "apos" => "'",
                            _ => "",
                        });
                    }
                }
                Event::Eof => break,
                _ => {}
            }
        }
        if !depth_stack.is_empty() {
            return Err(ImportError {
                file: self.file.to_string(),
                line: Some(line_of(self.text, self.text.len())),
                field: Some(self.path.clone()),
                message: format!("the file ends inside <{}>: truncated?", self.path.rsplit('/').next().unwrap_or("")),
            });
        }
        if !seen_root {
            return Err(ImportError::file(self.file, "no <Project> element: not an MSPDI file"));
        }
        Ok(())
    }

    fn start_element(&mut self) -> Result<(), ImportError> {
        match self.path.as_str() {
            "Project/Calendars" | "Project/Tasks" | "Project/Resources" | "Project/Assignments" => self.owner.clear(),
            "Project/Calendars/Calendar" | "Project/Tasks/Task" | "Project/Resources/Resource" => {
                self.owner.clear();
                self.owner.push_str(match self.path.as_str() {
                    "Project/Tasks/Task" => "task",
                    "Project/Resources/Resource" => "resource",
                    _ => "calendar",
                });
            }
            "Project/Assignments/Assignment" => {
                self.owner.clear();
                self.owner.push_str("assignment");
            }
            _ => {}
        }
        match self.path.as_str() {
            "Project/Calendars/Calendar" => self.cal = Some(RawCalendar::default()),
            "Project/Calendars/Calendar/WeekDays/WeekDay"
            | "Project/Calendars/Calendar/WorkWeeks/WorkWeek/WeekDays/WeekDay" => self.day = Some(RawDay::default()),
            "Project/Calendars/Calendar/Exceptions/Exception" => self.exc = Some(RawException::default()),
            "Project/Calendars/Calendar/Exceptions" => {
                if let Some(c) = self.cal.as_mut() {
                    c.has_new_exceptions = true;
                }
            }
            "Project/Calendars/Calendar/WorkWeeks/WorkWeek" => self.ww = Some(RawWorkWeek::default()),
            "Project/Tasks/Task" => self.task = Some(Box::new(RawTask { active: true, ..RawTask::default() })),
            "Project/Tasks/Task/PredecessorLink" => self.link = Some(RawLink { kind: 1, ..RawLink::default() }),
            "Project/Tasks/Task/Baseline" => {
                self.baseline =
                    Some(Baseline { number: 0, start: None, finish: None, duration_minutes: None, cost_minor: None })
            }
            "Project/Resources/Resource" => self.resource = Some((Resource::default(), false, None)),
            "Project/Assignments/Assignment" => {
                self.assignment = Some(RawAssignment { units: 1.0, ..Default::default() })
            }
            _ => {}
        }
        Ok(())
    }

    fn end_element(&mut self) -> Result<(), ImportError> {
        let path = std::mem::take(&mut self.path);
        let text = std::mem::take(&mut self.buf);
        let r = self.dispatch(&path, &text);
        self.path = path;
        self.buf = text;
        r
    }

    /// [`Self::end_element`] with the element's text given instead of taken from `buf`.
    fn end_element_with(&mut self, text: &str) -> Result<(), ImportError> {
        let path = std::mem::take(&mut self.path);
        let r = self.dispatch(&path, text);
        self.path = path;
        r
    }

    fn dispatch(&mut self, path: &str, v: &str) -> Result<(), ImportError> {
        let Some(rest) = path.strip_prefix("Project/") else {
            return Ok(());
        };
        // A byte loop: on names this short it beats `split_once`'s searcher.
        let (section, rest) = match rest.bytes().position(|c| c == b'/') {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (rest, ""),
        };
        match section {
            "Calendars" => self.calendar_field(rest.strip_prefix("Calendar").unwrap_or(""), v),
            "Tasks" => match rest.strip_prefix("Task") {
                Some("") => {
                    if let Some(t) = self.task.take() {
                        self.tasks.push(*t);
                    }
                    Ok(())
                }
                Some(f) => self.task_field(f.strip_prefix('/').unwrap_or(f), v),
                None => Ok(()),
            },
            "Resources" => self.resource_field(rest.strip_prefix("Resource").unwrap_or(""), v),
            "Assignments" => self.assignment_field(rest.strip_prefix("Assignment").unwrap_or(""), v),
            _ if rest.is_empty() => self.project_field(section, v),
            "ExtendedAttributes" | "OutlineCodes" | "WBSMasks" | "Views" | "Filters" | "Groups" | "Tables" | "Maps"
            | "Reports" | "Drawings" | "DataLinks" | "VBAProjects" => Ok(()),
            _ => Ok(()),
        }
    }

    fn project_field(&mut self, name: &str, v: &str) -> Result<(), ImportError> {
        self.cur_field = match name {
            "StartDate" => "StartDate",
            "FinishDate" => "FinishDate",
            "StatusDate" => "StatusDate",
            "ScheduleFromStart" => "ScheduleFromStart",
            "MinutesPerDay" => "MinutesPerDay",
            "MinutesPerWeek" => "MinutesPerWeek",
            "DaysPerMonth" => "DaysPerMonth",
            "CriticalSlackLimit" => "CriticalSlackLimit",
            "HonorConstraints" => "HonorConstraints",
            _ => "Project",
        };
        match name {
            "Name" => self.name = Some(trim(v).to_string()),
            "Title" => self.title = Some(trim(v).to_string()),
            "SaveVersion" => self.save_version = Some(trim(v).to_string()),
            "StartDate" => self.start = self.date(v)?,
            "FinishDate" => self.finish = self.date(v)?,
            "StatusDate" => self.status = self.date(v)?,
            "CalendarUID" => self.calendar_uid = Some(trim(v).to_string()),
            "ScheduleFromStart" => self.from_start = self.flag(v)?,
            "MinutesPerDay" => self.options.minutes_per_day = self.int(v)?.clamp(1, 1440) as u32,
            "MinutesPerWeek" => self.options.minutes_per_week = self.int(v)?.clamp(1, 10080) as u32,
            "DaysPerMonth" => self.options.days_per_month = self.int(v)?.clamp(1, 31) as u32,
            "CriticalSlackLimit" => self.critical_days = Some(self.num(v)?),
            "HonorConstraints" => self.options.honour_constraints_over_links = self.flag(v)?,
            _ => {}
        }
        Ok(())
    }

    fn calendar_field(&mut self, f: &str, v: &str) -> Result<(), ImportError> {
        self.cur_field = "Calendar";
        if f.is_empty() {
            if let Some(c) = self.cal.take() {
                self.calendars.push(c);
            }
            return Ok(());
        }
        let f = f.strip_prefix('/').unwrap_or(f);
        // WeekDay inside the calendar or inside a work week.
        let (in_ww, day_f) = if let Some(rest) = f.strip_prefix("WeekDays/WeekDay") {
            (false, Some(rest))
        } else if let Some(rest) = f.strip_prefix("WorkWeeks/WorkWeek/WeekDays/WeekDay") {
            (true, Some(rest))
        } else {
            (false, None)
        };
        if let Some(df) = day_f {
            return self.day_field(in_ww, df.strip_prefix('/').unwrap_or(df), v);
        }
        if let Some(ef) = f.strip_prefix("Exceptions/Exception") {
            return self.exception_field(ef.strip_prefix('/').unwrap_or(ef), v);
        }
        if let Some(wf) = f.strip_prefix("WorkWeeks/WorkWeek") {
            let wf = wf.strip_prefix('/').unwrap_or(wf);
            self.cur_field = "WorkWeek";
            match wf {
                "" => {
                    if let (Some(w), Some(c)) = (self.ww.take(), self.cal.as_mut()) {
                        c.work_weeks.push(w);
                    }
                }
                "Name" => {
                    if let Some(w) = self.ww.as_mut() {
                        w.name = trim(v).to_string();
                    }
                }
                "TimePeriod/FromDate" => {
                    let d = self.date(v)?;
                    if let Some(w) = self.ww.as_mut() {
                        w.from = d;
                    }
                }
                "TimePeriod/ToDate" => {
                    let d = self.date(v)?;
                    if let Some(w) = self.ww.as_mut() {
                        w.to = d;
                    }
                }
                _ => {}
            }
            return Ok(());
        }
        let Some(c) = self.cal.as_mut() else { return Ok(()) };
        match f {
            "UID" => {
                c.uid = trim(v).to_string();
                self.owner = format!("calendar UID {}", c.uid);
            }
            "Name" => c.name = trim(v).to_string(),
            "BaseCalendarUID" => {
                let b = trim(v);
                c.base_uid = (b != "-1" && !b.is_empty()).then(|| b.to_string());
            }
            _ => {}
        }
        Ok(())
    }

    fn working_time(&mut self, f: &str, v: &str, times: &mut Vec<WorkingTime>) -> Result<(), ImportError> {
        match f {
            "WorkingTimes/WorkingTime/FromTime" => {
                self.cur_field = "FromTime";
                let t = self.time(v)?;
                times.push(WorkingTime { from: t, to: t });
            }
            "WorkingTimes/WorkingTime/ToTime" => {
                self.cur_field = "ToTime";
                let mut t = self.time(v)?;
                if let Some(last) = times.last_mut() {
                    if t <= last.from {
                        t = 1440; // 00:00 ends at midnight
                    }
                    last.to = t;
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn day_field(&mut self, in_ww: bool, f: &str, v: &str) -> Result<(), ImportError> {
        self.cur_field = "WeekDay";
        if f.is_empty() {
            let Some(day) = self.day.take() else { return Ok(()) };
            let times = if day.working == Some(true) {
                if day.times.is_empty() { DEFAULT_DAY.to_vec() } else { day.times }
            } else {
                Vec::new()
            };
            let times: Vec<WorkingTime> = times.into_iter().filter(|t| t.to > t.from).collect();
            match day.day_type {
                Some(dt @ 1..=7) => {
                    let ix = ((dt + 5) % 7) as usize;
                    let week = if in_ww {
                        self.ww.as_mut().map(|w| &mut w.week)
                    } else {
                        self.cal.as_mut().map(|c| &mut c.week)
                    };
                    if let Some(week) = week {
                        week[ix] = Some(times);
                    }
                }
                Some(0) if !in_ww => {
                    if let (Some(from), Some(c)) = (day.from, self.cal.as_mut()) {
                        let to = day.to.unwrap_or(from);
                        c.old_exceptions.push(Exception {
                            name: String::new(),
                            from: from.date(),
                            to: to.date().max(from.date()),
                            working: times,
                            recurrence: None,
                        });
                    }
                }
                _ => self.ignored.note("calendar week days with an unknown DayType"),
            }
            return Ok(());
        }
        let mut day = self.day.take().unwrap_or_default();
        let r = match f {
            "DayType" => self.int(v).map(|n| day.day_type = Some(n)),
            "DayWorking" => self.flag(v).map(|b| day.working = Some(b)),
            "TimePeriod/FromDate" => self.date(v).map(|d| day.from = d),
            "TimePeriod/ToDate" => self.date(v).map(|d| day.to = d),
            _ => self.working_time(f, v, &mut day.times),
        };
        self.day = Some(day);
        r
    }

    fn exception_field(&mut self, f: &str, v: &str) -> Result<(), ImportError> {
        self.cur_field = "Exception";
        if f.is_empty() {
            if let (Some(e), Some(c)) = (self.exc.take(), self.cal.as_mut()) {
                c.exceptions.push(e);
            }
            return Ok(());
        }
        let mut e = self.exc.take().unwrap_or_default();
        let r = (|| -> Result<(), ImportError> {
            match f {
                "Name" => e.name = trim(v).to_string(),
                "TimePeriod/FromDate" => e.from = self.date(v)?,
                "TimePeriod/ToDate" => e.to = self.date(v)?,
                "Type" => e.kind = Some(self.int(v)?),
                "Period" => e.period = Some(self.int(v)?),
                "DaysOfWeek" => e.days_of_week = Some(self.int(v)?),
                "MonthItem" => e.month_item = Some(self.int(v)?),
                "MonthPosition" => e.month_position = Some(self.int(v)?),
                "Month" => e.month = Some(self.int(v)?),
                "MonthDay" => e.month_day = Some(self.int(v)?),
                "DayWorking" => e.working = self.flag(v)?,
                _ => {}
            }
            Ok(())
        })();
        let r = r.and_then(|_| self.working_time(f, v, &mut e.times));
        self.exc = Some(e);
        r
    }

    fn task_field(&mut self, f: &str, v: &str) -> Result<(), ImportError> {
        let Some(mut t) = self.task.take() else { return Ok(()) };
        let r = self.task_field_inner(&mut t, f, v);
        self.task = Some(t);
        r
    }

    fn task_field_inner(&mut self, t: &mut RawTask, f: &str, v: &str) -> Result<(), ImportError> {
        if let Some(lf) = f.strip_prefix("PredecessorLink") {
            let lf = lf.strip_prefix('/').unwrap_or(lf);
            self.cur_field = "PredecessorLink";
            if lf.is_empty() {
                if let Some(l) = self.link.take() {
                    t.links.push(l);
                }
                return Ok(());
            }
            let Some(mut l) = self.link.take() else { return Ok(()) };
            let r = (|| -> Result<(), ImportError> {
                match lf {
                    "PredecessorUID" => l.pred_uid = trim(v).to_string(),
                    "Type" => {
                        self.cur_field = "PredecessorLink/Type";
                        l.kind = self.int(v)?
                    }
                    "LinkLag" => {
                        self.cur_field = "PredecessorLink/LinkLag";
                        l.lag_tenths = self.num(v)?
                    }
                    "LagFormat" => {
                        self.cur_field = "PredecessorLink/LagFormat";
                        l.lag_format = Some(self.int(v)?)
                    }
                    "CrossProject" => l.cross_project = self.flag(v)?,
                    _ => {}
                }
                Ok(())
            })();
            self.link = Some(l);
            return r;
        }
        if let Some(bf) = f.strip_prefix("Baseline") {
            let bf = bf.strip_prefix('/').unwrap_or(bf);
            if bf.is_empty() {
                if let Some(b) = self.baseline.take() {
                    t.task.baselines.push(b);
                }
                return Ok(());
            }
            let Some(mut b) = self.baseline.take() else { return Ok(()) };
            self.cur_field = match bf {
                "Number" => "Baseline/Number",
                "Start" => "Baseline/Start",
                "Finish" => "Baseline/Finish",
                "Duration" => "Baseline/Duration",
                "Cost" => "Baseline/Cost",
                _ => "Baseline",
            };
            let r = (|| -> Result<(), ImportError> {
                match bf {
                    "Number" => b.number = self.int(v)?.clamp(0, 10) as u8,
                    "Start" => b.start = self.date(v)?,
                    "Finish" => b.finish = self.date(v)?,
                    "Duration" => b.duration_minutes = Some(self.dur(v)?.round() as i64),
                    "Cost" => b.cost_minor = Some(self.num(v)?.round() as i64),
                    "TimephasedData" => self.ignored.note("timephased baseline data"),
                    _ => {}
                }
                Ok(())
            })();
            self.baseline = Some(b);
            return r;
        }
        if f.bytes().any(|c| c == b'/') {
            if f == "TimephasedData/Type" {
                self.ignored.note("timephased task data (split segments, actuals)");
            } else if f == "ExtendedAttribute/FieldID" {
                self.ignored.note("task extended attributes (custom fields)");
            } else if f == "OutlineCode/FieldID" {
                self.ignored.note("task outline codes");
            }
            return Ok(());
        }
        // The field messages name: the element for the fields set below that parse a value
        // (set in their arm: one string match per field instead of two), else the task.
        self.cur_field = "Task";
        let task = &mut t.task;
        match f {
            "UID" => {
                self.cur_field = "UID";
                t.uid = trim(v).to_string();
                // Reuses the owner's buffer: one allocation less per task.
                self.owner.clear();
                self.owner.push_str("task UID ");
                self.owner.push_str(&t.uid);
            }
            "ID" => {
                self.cur_field = "ID";
                task.code = trim(v).to_string()
            }
            "Name" => task.name = trim(v).to_string(),
            "WBS" => task.wbs = trim(v).to_string(),
            "OutlineLevel" => {
                self.cur_field = "OutlineLevel";
                task.outline_level = self.int(v)?.clamp(0, u16::MAX as i64) as u16
            }
            "IsNull" => t.is_null = self.flag(v)?,
            "Summary" => t.summary = self.flag(v)?,
            "Milestone" => t.milestone = self.flag(v)?,
            "Duration" => {
                self.cur_field = "Duration";
                t.duration_min = Some(self.dur(v)?)
            }
            "DurationFormat" => {
                self.cur_field = "DurationFormat";
                t.duration_format = Some(self.int(v)?)
            }
            "Estimated" => t.estimated = self.flag(v)?,
            "RemainingDuration" => {
                self.cur_field = "RemainingDuration";
                t.remaining_min = Some(self.dur(v)?)
            }
            "ActualStart" => {
                self.cur_field = "ActualStart";
                task.actual_start = self.date(v)?
            }
            "ActualFinish" => {
                self.cur_field = "ActualFinish";
                task.actual_finish = self.date(v)?
            }
            "PercentComplete" => {
                self.cur_field = "PercentComplete";
                task.percent_complete = self.num(v)?.clamp(0.0, 100.0)
            }
            "Resume" => {
                self.cur_field = "Resume";
                task.resume = self.date(v)?
            }
            "ConstraintType" => {
                self.cur_field = "ConstraintType";
                t.constraint_type = Some(self.int(v)?)
            }
            "ConstraintDate" => {
                self.cur_field = "ConstraintDate";
                t.constraint_date = self.date(v)?
            }
            "Deadline" => {
                self.cur_field = "Deadline";
                task.deadline = self.date(v)?
            }
            "Manual" => task.manual = self.flag(v)?,
            "Active" => t.active = self.flag(v)?,
            "CalendarUID" => t.calendar_uid = Some(trim(v).to_string()),
            "Start" => {
                self.cur_field = "Start";
                task.stored.start = self.date(v)?
            }
            "Finish" => {
                self.cur_field = "Finish";
                task.stored.finish = self.date(v)?
            }
            "EarlyStart" => {
                self.cur_field = "EarlyStart";
                task.stored.early_start = self.date(v)?
            }
            "EarlyFinish" => {
                self.cur_field = "EarlyFinish";
                task.stored.early_finish = self.date(v)?
            }
            "LateStart" => {
                self.cur_field = "LateStart";
                task.stored.late_start = self.date(v)?
            }
            "LateFinish" => {
                self.cur_field = "LateFinish";
                task.stored.late_finish = self.date(v)?
            }
            "TotalSlack" => {
                self.cur_field = "TotalSlack";
                t.total_slack = Some(self.num(v)?)
            }
            "FreeSlack" => {
                self.cur_field = "FreeSlack";
                t.free_slack = Some(self.num(v)?)
            }
            "Critical" => task.stored.critical = Some(self.flag(v)?),
            "Cost" => {
                self.cur_field = "Cost";
                task.cost_minor = Some(self.num(v)?.round() as i64)
            }
            "Notes" => task.notes = v.to_string(),
            "LevelingDelay" => {
                if self.num(v).map(|d| d != 0.0).unwrap_or(false) {
                    self.ignored.note("levelling delays");
                }
            }
            "Recurring" => {
                if self.flag(v).unwrap_or(false) {
                    self.ignored.note("recurring task flags");
                }
            }
            "IsSubproject" => {
                if self.flag(v).unwrap_or(false) {
                    self.ignored.note("inserted subprojects");
                }
            }
            "PredecessorLink" | "Baseline" | "TimephasedData" | "ExtendedAttribute" | "OutlineCode" => {}
            // Looked up before inserting: an owned key for every unmodelled field of every task
            // was an allocation per field.
            other => match self.ignored.task_elements.get_mut(other) {
                Some(n) => *n += 1,
                None => {
                    self.ignored.task_elements.insert(other.to_string(), 1);
                }
            },
        }
        Ok(())
    }

    fn resource_field(&mut self, f: &str, v: &str) -> Result<(), ImportError> {
        let f = f.strip_prefix('/').unwrap_or(f);
        if f.is_empty() {
            if let Some(r) = self.resource.take() {
                let (res, is_null, _) = &r;
                let placeholder = res.key == "0" && res.name.is_empty();
                if !*is_null && !placeholder {
                    self.resources.push(r.0);
                    // calendar uid resolved at the end; keep it alongside.
                    self.resource_cals.push(r.2);
                }
            }
            return Ok(());
        }
        let Some(mut r) = self.resource.take() else { return Ok(()) };
        self.cur_field = match f {
            "MaxUnits" => "MaxUnits",
            "StandardRate" => "StandardRate",
            "Type" => "Type",
            _ => "Resource",
        };
        let res = (|| -> Result<(), ImportError> {
            match f {
                "UID" => {
                    r.0.key = trim(v).to_string();
                    self.owner = format!("resource UID {}", r.0.key);
                }
                "Name" => r.0.name = trim(v).to_string(),
                "IsNull" => r.1 = self.flag(v)?,
                "Type" => {
                    r.0.kind = match self.int(v)? {
                        0 => ResourceKind::Material,
                        2 => ResourceKind::Cost,
                        _ => ResourceKind::Work,
                    }
                }
                "MaxUnits" => r.0.max_units = Some(self.num(v)?),
                "StandardRate" => r.0.rate_minor_per_hour = Some((self.num(v)? * 100.0).round() as i64),
                "CalendarUID" => r.2 = Some(trim(v).to_string()),
                _ => {}
            }
            Ok(())
        })();
        self.resource = Some(r);
        res
    }

    fn assignment_field(&mut self, f: &str, v: &str) -> Result<(), ImportError> {
        let f = f.strip_prefix('/').unwrap_or(f);
        if f.is_empty() {
            if let Some(a) = self.assignment.take() {
                self.assignments.push(a);
            }
            return Ok(());
        }
        let Some(mut a) = self.assignment.take() else { return Ok(()) };
        self.cur_field = match f {
            "Units" => "Assignment/Units",
            "Work" => "Assignment/Work",
            "ActualWork" => "Assignment/ActualWork",
            "RemainingWork" => "Assignment/RemainingWork",
            "Cost" => "Assignment/Cost",
            _ => "Assignment",
        };
        let res = (|| -> Result<(), ImportError> {
            match f {
                "TaskUID" => {
                    a.task_uid = trim(v).to_string();
                    self.owner = format!("assignment of task UID {}", a.task_uid);
                }
                "ResourceUID" => a.resource_uid = trim(v).to_string(),
                "Units" => a.units = self.num(v)?,
                "Work" => a.work = Some(self.dur(v)?),
                "ActualWork" => a.actual_work = Some(self.dur(v)?),
                "RemainingWork" => a.remaining_work = Some(self.dur(v)?),
                "Cost" => a.cost = Some(self.num(v)?),
                "TimephasedData/Type" => self.ignored.note("timephased assignment data"),
                _ => {}
            }
            Ok(())
        })();
        self.assignment = Some(a);
        res
    }
}

/// What `finish` needs to turn rows into tasks, shared by the threads that convert them.
struct Lookup<'a> {
    file: &'a str,
    percent_scale: f64,
    cal_ix: &'a HashMap<String, usize>,
    task_ix: &'a HashMap<String, usize>,
    /// Outline level and parent of every kept row, by index.
    levels: &'a [u16],
    parents: &'a [Option<usize>],
}

/// Tasks, links and warnings of one run of rows; runs are joined in file order.
#[derive(Default)]
struct Converted {
    tasks: Vec<Task>,
    links: Vec<Link>,
    dangling: Vec<String>,
    bad_cal: Vec<String>,
    unknown_formats: usize,
}

fn dropped(t: &RawTask) -> bool {
    t.uid == "0" || t.task.outline_level == 0 || t.is_null
}

/// Converts the rows kept from `rows`, the first of which is task `first`.
fn convert_rows(
    rows: Vec<RawTask>,
    first: usize,
    link_capacity: usize,
    lk: &Lookup<'_>,
) -> Result<Converted, ImportError> {
    let mut out = Converted { links: Vec::with_capacity(link_capacity), ..Converted::default() };
    let mut error = None;
    // Collected in place: the tasks take over the rows' memory (a task is smaller than a row)
    // instead of faulting in tens of megabytes of fresh pages.
    let tasks: Vec<Task> = rows
        .into_iter()
        .filter(|t| !dropped(t))
        .enumerate()
        .map(|(i, rt)| {
            if error.is_some() {
                return Task::default();
            }
            convert_row(first + i, rt, lk, &mut out).unwrap_or_else(|e| {
                error = Some(e);
                Task::default()
            })
        })
        .collect();
    match error {
        Some(e) => Err(e),
        None => Ok(Converted { tasks, ..out }),
    }
}

/// Task `i` from its row; its links go to `out.links`, its warnings to `out`.
fn convert_row(i: usize, rt: RawTask, lk: &Lookup<'_>, out: &mut Converted) -> Result<Task, ImportError> {
    let mut task = rt.task;
    task.key = rt.uid;
    task.parent = lk.parents[i];
    let has_children = lk.levels.get(i + 1).is_some_and(|&l| l > task.outline_level);
    task.kind = if rt.summary || has_children {
        TaskKind::Summary
    } else if rt.milestone {
        TaskKind::Milestone
    } else {
        TaskKind::Task
    };
    let (unit, elapsed, est_code) = match rt.duration_format.map(|c| (c, format_code(c))) {
        Some((_, Some(f))) => f,
        Some((53, None)) => (DurationUnit::Days, false, true),
        Some((_, None)) => {
            out.unknown_formats += 1;
            (DurationUnit::Days, false, false)
        }
        None => (DurationUnit::Days, false, false),
    };
    let unit = if unit == DurationUnit::Percent { DurationUnit::Days } else { unit };
    let estimated = est_code || rt.estimated;
    task.duration = Duration { minutes: rt.duration_min.unwrap_or(0.0).round() as i64, unit, elapsed, estimated };
    task.remaining = rt.remaining_min.map(|m| Duration { minutes: m.round() as i64, unit, elapsed, estimated });
    task.inactive = !rt.active;
    task.constraint = match rt.constraint_type {
        None | Some(0) => None,
        Some(code) => match constraint_kind(code) {
            Some(kind) => {
                let date = if kind == ConstraintKind::Alap { None } else { rt.constraint_date };
                Some(Constraint { kind, date })
            }
            None => {
                return Err(ImportError {
                    file: lk.file.to_string(),
                    line: None,
                    field: Some("ConstraintType".into()),
                    message: format!("task UID {}: ConstraintType {code} is unknown; expected 0-7", task.key),
                });
            }
        },
    };
    task.calendar = match rt.calendar_uid.as_deref() {
        None | Some("-1") | Some("") => None,
        Some(u) => match lk.cal_ix.get(u) {
            Some(&ix) => Some(ix),
            None => {
                out.bad_cal.push(format!("task UID {} (calendar UID {u})", task.key));
                None
            }
        },
    };
    task.stored.total_float = rt.total_slack.map(|s| (s / 10.0).round() as i64);
    task.stored.free_float = rt.free_slack.map(|s| (s / 10.0).round() as i64);
    for l in rt.links {
        let Some(&pred) = lk.task_ix.get(&l.pred_uid) else {
            out.dangling.push(format!(
                "{} -> {}{}",
                l.pred_uid,
                task.key,
                if l.cross_project { " (cross-project)" } else { "" }
            ));
            continue;
        };
        let kind = match l.kind {
            0 => LinkType::FF,
            1 => LinkType::FS,
            2 => LinkType::SF,
            3 => LinkType::SS,
            other => {
                return Err(ImportError {
                    file: lk.file.to_string(),
                    line: None,
                    field: Some("PredecessorLink/Type".into()),
                    message: format!(
                        "task UID {}: link from UID {} has Type {other}; expected 0 FF, 1 FS, 2 SF, 3 SS",
                        task.key, l.pred_uid
                    ),
                });
            }
        };
        let (lunit, lelapsed, _) = l.lag_format.and_then(format_code).unwrap_or((DurationUnit::Days, false, false));
        // Basis points: MS Project stores percent*10, MPXJ-written files the raw percent.
        let amount = if lunit == DurationUnit::Percent {
            (l.lag_tenths * lk.percent_scale).round() as i64
        } else {
            (l.lag_tenths / 10.0).round() as i64
        };
        out.links.push(Link { pred, succ: i, kind, lag: Lag { amount, unit: lunit, elapsed: lelapsed } });
    }
    Ok(task)
}

fn week_days(mask: i64) -> [bool; 7] {
    let mut days = [false; 7];
    for (i, d) in days.iter_mut().enumerate() {
        *d = mask & (1 << ((i + 1) % 7)) != 0;
    }
    days
}

/// MSPDI `MonthItem` 3 (Sunday) ..= 9 (Saturday) to a weekday, 0 = Monday.
fn month_item_weekday(item: i64) -> Option<u32> {
    match item {
        3 => Some(6),
        4..=9 => Some((item - 4) as u32),
        _ => None,
    }
}

impl Parser<'_> {
    fn recurrence(&mut self, e: &RawException, cal: &str) -> Result<Option<Recurrence>, String> {
        let period = e.period.unwrap_or(1).clamp(1, 10_000) as u32;
        let position = |p: Option<i64>| p.unwrap_or(0).clamp(0, 4) as u32 + 1;
        // MSPDI counts months from 0 (January): `Yearly Relative 1` in MS Project's own recurring
        // exceptions file has Month 2 and falls on the first Tuesday of March.
        let month = |m: Option<i64>| m.unwrap_or(0).clamp(0, 11) as u32 + 1;
        let day = |d: Option<i64>| d.unwrap_or(1).clamp(1, 31) as u32;
        Ok(match e.kind.unwrap_or(1) {
            1 => None,
            7 => Some(Recurrence::Daily { period }),
            6 => Some(Recurrence::Weekly { period, days: week_days(e.days_of_week.unwrap_or(0)) }),
            4 => Some(Recurrence::MonthlyByDay { period, day: day(e.month_day) }),
            5 => {
                let weekday = e.month_item.and_then(month_item_weekday).ok_or_else(|| {
                    format!("calendar {cal}: exception '{}' recurs on a day/weekday/weekend-day position", e.name)
                })?;
                Some(Recurrence::MonthlyByPosition { period, position: position(e.month_position), weekday })
            }
            2 => Some(Recurrence::YearlyByDate { month: month(e.month), day: day(e.month_day) }),
            3 => {
                let weekday = e.month_item.and_then(month_item_weekday).ok_or_else(|| {
                    format!("calendar {cal}: exception '{}' recurs on a day/weekday/weekend-day position", e.name)
                })?;
                Some(Recurrence::YearlyByPosition {
                    month: month(e.month),
                    position: position(e.month_position),
                    weekday,
                })
            }
            other => return Err(format!("calendar {cal}: exception '{}' has unknown Type {other}", e.name)),
        })
    }

    fn finish(mut self) -> Result<Schedule, ImportError> {
        let mut warnings: Vec<ImportWarning> = Vec::new();
        // Calendars.
        let cal_ix: HashMap<String, usize> =
            self.calendars.iter().enumerate().map(|(i, c)| (c.uid.clone(), i)).collect();
        let raw_cals = std::mem::take(&mut self.calendars);
        let mut calendars = Vec::with_capacity(raw_cals.len());
        let mut skipped_exc = Vec::new();
        for rc in raw_cals {
            let base = match &rc.base_uid {
                Some(b) => match cal_ix.get(b) {
                    Some(&ix) => Some(ix),
                    None => {
                        warnings.push(ImportWarning {
                            location: format!("calendar {} '{}'", rc.uid, rc.name),
                            message: format!("base calendar UID {b} is not in the file; the calendar stands alone"),
                        });
                        None
                    }
                },
                None => None,
            };
            let mut exceptions = Vec::new();
            if rc.has_new_exceptions {
                for e in &rc.exceptions {
                    let (Some(from), to) = (e.from, e.to) else { continue };
                    let to = to.unwrap_or(from);
                    let recurrence = match self.recurrence(e, &rc.uid) {
                        Ok(r) => r,
                        Err(msg) => {
                            skipped_exc.push(msg);
                            continue;
                        }
                    };
                    exceptions.push(Exception {
                        name: e.name.clone(),
                        from: from.date(),
                        to: to.date().max(from.date()),
                        working: if e.working {
                            if e.times.is_empty() { DEFAULT_DAY.to_vec() } else { e.times.clone() }
                        } else {
                            Vec::new()
                        },
                        recurrence,
                    });
                }
            } else {
                exceptions = rc.old_exceptions;
            }
            let work_weeks = rc
                .work_weeks
                .into_iter()
                .filter_map(|w| {
                    let from = w.from?;
                    let to = w.to.unwrap_or(from);
                    Some(WorkWeek { name: w.name, from: from.date(), to: to.date().max(from.date()), week: w.week })
                })
                .collect();
            calendars.push(Calendar { key: rc.uid, name: rc.name, base, week: rc.week, exceptions, work_weeks });
        }
        if !skipped_exc.is_empty() {
            warnings.push(ImportWarning {
                location: "calendars".into(),
                message: format!(
                    "{} recurring exception(s) not modelled and left out: {}",
                    skipped_exc.len(),
                    skipped_exc.join("; ")
                ),
            });
        }
        if calendars.is_empty() {
            warnings.push(ImportWarning {
                location: "calendars".into(),
                message: "the file has no calendars; using Standard (Mon-Fri 08:00-12:00, 13:00-17:00)".into(),
            });
            let day = Some(DEFAULT_DAY.to_vec());
            calendars.push(Calendar {
                key: "1".into(),
                name: "Standard".into(),
                base: None,
                week: [day.clone(), day.clone(), day.clone(), day.clone(), day, Some(vec![]), Some(vec![])],
                exceptions: vec![],
                work_weeks: vec![],
            });
        }
        let project_cal = match self.calendar_uid.as_deref().and_then(|u| cal_ix.get(u)) {
            Some(&ix) => ix,
            None => {
                if let Some(u) = &self.calendar_uid {
                    warnings.push(ImportWarning {
                        location: "project".into(),
                        message: format!("project calendar UID {u} is not in the file; using '{}'", calendars[0].name),
                    });
                }
                0
            }
        };

        // Tasks: drop the project summary row and null rows.
        // The rows are read where they lie (no filtered copy: at 100k tasks each copy of the
        // rows faults in tens of megabytes of fresh memory).
        let mut parts = std::mem::take(&mut self.task_parts);
        parts.push(std::mem::take(&mut self.tasks));
        let mut null_rows = 0usize;
        let mut task_ix: HashMap<String, usize> = HashMap::with_capacity(parts.iter().map(Vec::len).sum());
        let mut levels: Vec<u16> = Vec::with_capacity(task_ix.capacity());
        let mut link_count = 0usize;
        let mut kept_per_part = Vec::with_capacity(parts.len());
        for part in &parts {
            let before = levels.len();
            for t in part {
                if t.uid == "0" || t.task.outline_level == 0 {
                    continue;
                }
                if t.is_null {
                    null_rows += 1;
                    continue;
                }
                task_ix.insert(t.uid.clone(), levels.len());
                levels.push(t.task.outline_level);
                link_count += t.links.len();
            }
            kept_per_part.push(levels.len() - before);
        }
        // Parents from the outline: the last row before with a lower level.
        let mut parents = Vec::with_capacity(levels.len());
        let mut stack: Vec<(u16, usize)> = Vec::new();
        for (i, &level) in levels.iter().enumerate() {
            while let Some(&(lvl, _)) = stack.last() {
                if lvl >= level {
                    stack.pop();
                } else {
                    break;
                }
            }
            parents.push(stack.last().map(|&(_, ix)| ix));
            stack.push((level, i));
        }
        // Each run of rows (a chunk of a chunked section) is converted on its own thread: at
        // 100k tasks this was a fifth of the read, on one core.
        let lookup = Lookup {
            file: self.file,
            percent_scale: self.percent_scale,
            cal_ix: &cal_ix,
            task_ix: &task_ix,
            levels: &levels,
            parents: &parents,
        };
        let mut runs = Vec::with_capacity(parts.len());
        let mut first = 0;
        for (rows, kept) in parts.into_iter().zip(kept_per_part) {
            if kept > 0 {
                runs.push((rows, first));
            }
            first += kept;
        }
        let converted: Vec<Result<Converted, ImportError>> = std::thread::scope(|s| {
            let lookup = &lookup;
            let mut runs = runs.into_iter();
            let head = runs.next();
            let spawned: Vec<_> = runs
                .map(|(rows, first)| {
                    std::thread::Builder::new().spawn_scoped(s, move || convert_rows(rows, first, 0, lookup))
                })
                .collect();
            let head = head.map(|(rows, first)| convert_rows(rows, first, link_count, lookup));
            head.into_iter()
                .chain(spawned.into_iter().map(|h| match h {
                    Ok(h) => h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
                    // The system refused a thread: a clear error, not a panic (the rows went
                    // with the refused closure, so this read cannot finish them here).
                    Err(e) => {
                        Err(ImportError::file(self.file, format!("could not start a thread to read the tasks: {e}")))
                    }
                }))
                .collect()
        });
        let mut tasks = Vec::new();
        let mut links = Vec::new();
        let mut dangling = Vec::new();
        let mut bad_cal = Vec::new();
        let mut unknown_formats = 0usize;
        for run in converted {
            let mut run = run?;
            if tasks.is_empty() {
                tasks = run.tasks;
                links = run.links;
            } else {
                tasks.append(&mut run.tasks);
                links.append(&mut run.links);
            }
            dangling.append(&mut run.dangling);
            bad_cal.append(&mut run.bad_cal);
            unknown_formats += run.unknown_formats;
        }
        if null_rows > 0 {
            warnings.push(ImportWarning {
                location: "tasks".into(),
                message: format!("{null_rows} blank (null) task row(s) skipped"),
            });
        }
        if !dangling.is_empty() {
            warnings.push(ImportWarning {
                location: "links".into(),
                message: format!(
                    "{} link(s) name a predecessor that is not a task in this file (external, project summary or blank row) and were left out: {}",
                    dangling.len(),
                    dangling.join(", ")
                ),
            });
        }
        if !bad_cal.is_empty() {
            warnings.push(ImportWarning {
                location: "tasks".into(),
                message: format!(
                    "{} task(s) name a calendar not in the file and use the project calendar: {}",
                    bad_cal.len(),
                    bad_cal.join(", ")
                ),
            });
        }
        if unknown_formats > 0 {
            warnings.push(ImportWarning {
                location: "tasks".into(),
                message: format!("{unknown_formats} task(s) have an unknown DurationFormat; shown in days"),
            });
        }

        // Resources and assignments.
        let res_ix: HashMap<String, usize> =
            self.resources.iter().enumerate().map(|(i, r)| (r.key.clone(), i)).collect();
        for (r, cal) in self.resources.iter_mut().zip(&self.resource_cals) {
            r.calendar = cal.as_deref().and_then(|u| cal_ix.get(u).copied());
        }
        let mut assignments = Vec::with_capacity(self.assignments.len());
        let mut unassigned = 0usize;
        let mut orphan = Vec::new();
        for a in std::mem::take(&mut self.assignments) {
            let Some(&task) = task_ix.get(&a.task_uid) else {
                if a.task_uid != "0" {
                    orphan.push(format!("task UID {}", a.task_uid));
                }
                continue;
            };
            let Some(&resource) = res_ix.get(&a.resource_uid) else {
                unassigned += 1;
                continue;
            };
            let m = |x: Option<f64>| x.map(|v| v.round() as i64);
            assignments.push(Assignment {
                task,
                resource,
                units: a.units,
                work_minutes: m(a.work),
                actual_work_minutes: m(a.actual_work),
                remaining_work_minutes: m(a.remaining_work),
                cost_minor: m(a.cost),
            });
        }
        if unassigned > 0 {
            warnings.push(ImportWarning {
                location: "assignments".into(),
                message: format!("{unassigned} assignment(s) without a resource in the file (MS Project's unassigned placeholder) skipped"),
            });
        }
        if !orphan.is_empty() {
            warnings.push(ImportWarning {
                location: "assignments".into(),
                message: format!(
                    "{} assignment(s) on tasks not in the file skipped: {}",
                    orphan.len(),
                    orphan.join(", ")
                ),
            });
        }
        for (kind, n) in &self.ignored.kinds {
            warnings
                .push(ImportWarning { location: "file".into(), message: format!("{n} {kind} not modelled; ignored") });
        }
        if !self.ignored.task_elements.is_empty() {
            let names: Vec<&str> = self.ignored.task_elements.keys().map(String::as_str).collect();
            warnings.push(ImportWarning {
                location: "tasks".into(),
                message: format!("task fields not in the model, ignored: {}", names.join(", ")),
            });
        }

        if let Some(days) = self.critical_days {
            self.options.critical_float_minutes = (days * self.options.minutes_per_day as f64).round() as i64;
        }
        let start = match self.start.or_else(|| tasks.iter().filter_map(|t| t.stored.start).min()) {
            Some(s) => s,
            None => {
                return Err(ImportError {
                    file: self.file.to_string(),
                    line: None,
                    field: Some("StartDate".into()),
                    message: "the project has no StartDate and no task has a Start; expected a project start date"
                        .into(),
                });
            }
        };
        let key = self.name.clone().unwrap_or_default();
        let name = self.title.clone().filter(|t| !t.is_empty()).or(self.name.clone()).unwrap_or_default();
        let project = ProjectInfo {
            key,
            name: name.clone(),
            start,
            finish_constraint: if self.from_start { None } else { self.finish },
            status_date: self.status,
            calendar: project_cal,
            schedule_from_finish: !self.from_start,
        };
        let mut options = self.options.clone();
        options.mode = Origin::MsProject.default_mode();
        Ok(Schedule {
            name,
            origin: Origin::MsProject,
            source_format: match &self.save_version {
                Some(v) => format!("MSPDI SaveVersion {v}"),
                None => "MSPDI".into(),
            },
            options,
            projects: vec![project],
            calendars,
            tasks,
            links,
            resources: std::mem::take(&mut self.resources),
            assignments,
            warnings,
        })
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        /// The hand-rolled date and time paths give chrono's answer, and refuse what chrono refuses.
        #[test]
        fn fast_date_and_time_parsing_agree_with_chrono(
            y in 1000u32..3000, mo in 0u32..14, d in 0u32..33, h in 0u32..26, mi in 0u32..62, s in 0u32..62,
        ) {
            let text = format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}");
            let chrono = NaiveDateTime::parse_from_str(&text, "%Y-%m-%dT%H:%M:%S%.f").ok();
            prop_assert_eq!(parse_dt(&text), chrono);
            let time = format!("{h:02}:{mi:02}:{s:02}");
            let chrono = NaiveTime::parse_from_str(&time, "%H:%M:%S%.f").ok().map(|t| {
                use chrono::Timelike;
                (t.hour() * 60 + t.minute()) as u16
            });
            prop_assert_eq!(parse_time(&time), chrono);
        }
    }
}
