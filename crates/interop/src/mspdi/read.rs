//! Streaming MSPDI reader: one pass over quick-xml events, no DOM. The element handlers are in
//! `fields`, the conversion of the raw rows to the model in `convert`, and the two-core scanner
//! for large `<Tasks>` and `<Assignments>` sections in `chunked`.

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
mod convert;
mod fields;

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
