//! CSV and Excel task lists: `id, name, duration, predecessors` plus optional `start`, `wbs`,
//! `outline level` and `milestone` columns (header names case-insensitive, other columns ignored).
//!
//! Durations: `5d`, `3h`, `2w`, `1mo`, `30m`, elapsed with an `e` (`4ed`), estimated with `?`
//! (`5d?`); a bare number is days. Predecessors: task ids with optional type and lag, `3`,
//! `3FS+2d`, `3SS-1d`, `4FF+50%`, separated by `;` or `,`. A `start` value becomes a
//! start-no-earlier-than constraint. Days are 8 hours on a Mon-Fri 08:00-12:00, 13:00-17:00
//! calendar. The writers emit the same syntax, so a written list reads back to the same schedule.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use keel_engine::schedule::{
    Calendar, Constraint, ConstraintKind, Duration, DurationUnit, Lag, Link, LinkType, Options, Origin, ProjectInfo,
    Schedule, ScheduleResult, Task, TaskKind,
};

use crate::{ExportError, ImportError};

/// Options for reading a task list.
#[derive(Debug, Clone, Default)]
pub struct CsvOptions {
    /// Project start. Required unless the list has a `start` column with at least one date (then
    /// the earliest is used).
    pub project_start: Option<NaiveDateTime>,
}

const MPD: i64 = 480;

/// Reads a CSV task list; the project starts at the earliest `start` value.
pub fn read_csv(file: &str, bytes: &[u8]) -> Result<Schedule, ImportError> {
    read_csv_with(file, bytes, &CsvOptions::default())
}

/// Reads a CSV task list with options (see [`CsvOptions`]).
pub fn read_csv_with(file: &str, bytes: &[u8], opts: &CsvOptions) -> Result<Schedule, ImportError> {
    let text = match std::str::from_utf8(bytes) {
        Ok(s) => s.strip_prefix('\u{feff}').unwrap_or(s).to_string(),
        Err(_) => encoding_rs::WINDOWS_1252.decode(bytes).0.into_owned(),
    };
    let first = text.lines().next().unwrap_or("");
    let delim = if first.matches(';').count() > first.matches(',').count() { b';' } else { b',' };
    let mut rdr =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delim).from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let rec = rec.map_err(|e| ImportError {
            file: file.to_string(),
            line: e.position().map(|p| p.line() as usize),
            field: None,
            message: format!("unreadable CSV: {e}"),
        })?;
        let line = rec.position().map(|p| p.line() as usize).unwrap_or(i + 1);
        rows.push((line, rec.iter().map(str::to_string).collect::<Vec<_>>()));
    }
    from_rows(file, rows, opts)
}

/// Reads the first sheet of an Excel workbook with the same columns (numbers are durations in days).
pub fn read_xlsx(file: &str, bytes: &[u8]) -> Result<Schedule, ImportError> {
    read_xlsx_with(file, bytes, &CsvOptions::default())
}

/// Reads an Excel task list with options (see [`CsvOptions`]).
pub fn read_xlsx_with(file: &str, bytes: &[u8], opts: &CsvOptions) -> Result<Schedule, ImportError> {
    use calamine::{Data, Reader};
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes))
        .map_err(|e| ImportError::file(file, format!("not a readable .xlsx workbook: {e}")))?;
    let range = match wb.worksheet_range_at(0) {
        Some(Ok(r)) => r,
        Some(Err(e)) => return Err(ImportError::file(file, format!("first sheet unreadable: {e}"))),
        None => return Err(ImportError::file(file, "the workbook has no sheets")),
    };
    let start_row = range.start().map(|(r, _)| r as usize).unwrap_or(0);
    let rows = range
        .rows()
        .enumerate()
        .map(|(i, row)| {
            let cells = row
                .iter()
                .map(|c| match c {
                    Data::Empty => String::new(),
                    Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
                    Data::Float(f) => f.to_string(),
                    Data::Int(n) => n.to_string(),
                    Data::Bool(b) => b.to_string(),
                    Data::DateTime(d) => {
                        let (y, mo, da, h, mi, _, _) = d.to_ymd_hms_milli();
                        format!("{y:04}-{mo:02}-{da:02} {h:02}:{mi:02}")
                    }
                    Data::Error(e) => format!("#{e:?}"),
                })
                .collect();
            (start_row + i + 1, cells)
        })
        .collect();
    from_rows(file, rows, opts)
}

fn standard_calendar() -> Calendar {
    Calendar { key: "1".into(), ..keel_engine::schedule::calendar::standard() }
}

/// Parses `5d`, `3h`, `2w`, `1mo`, `30m`, `4ed`, `5d?`, `2.5` (days). Minutes of 8-hour days.
pub fn parse_duration(s: &str) -> Option<Duration> {
    let s = s.trim();
    let (s, estimated) = match s.strip_suffix('?') {
        Some(r) => (r.trim(), true),
        None => (s, false),
    };
    let split = s.find(|c: char| c.is_alphabetic()).unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let n: f64 = num.trim().parse().ok().filter(|n: &f64| n.is_finite())?;
    let (unit, elapsed, per) = match unit.trim().to_ascii_lowercase().as_str() {
        "m" | "min" => (DurationUnit::Minutes, false, 1.0),
        "em" => (DurationUnit::Minutes, true, 1.0),
        "h" | "hr" => (DurationUnit::Hours, false, 60.0),
        "eh" => (DurationUnit::Hours, true, 60.0),
        "d" | "" => (DurationUnit::Days, false, MPD as f64),
        "ed" => (DurationUnit::Days, true, 1440.0),
        "w" | "wk" => (DurationUnit::Weeks, false, (MPD * 5) as f64),
        "ew" => (DurationUnit::Weeks, true, 10080.0),
        "mo" => (DurationUnit::Months, false, (MPD * 20) as f64),
        "emo" => (DurationUnit::Months, true, 43200.0),
        _ => return None,
    };
    Some(Duration { minutes: (n * per).round() as i64, unit, elapsed, estimated })
}

fn unit_size(unit: DurationUnit, elapsed: bool) -> (f64, &'static str) {
    match (unit, elapsed) {
        (DurationUnit::Minutes, e) => (1.0, if e { "em" } else { "m" }),
        (DurationUnit::Hours, e) => (60.0, if e { "eh" } else { "h" }),
        (DurationUnit::Days | DurationUnit::Percent, false) => (MPD as f64, "d"),
        (DurationUnit::Days | DurationUnit::Percent, true) => (1440.0, "ed"),
        (DurationUnit::Weeks, false) => ((MPD * 5) as f64, "w"),
        (DurationUnit::Weeks, true) => (10080.0, "ew"),
        (DurationUnit::Months, false) => ((MPD * 20) as f64, "mo"),
        (DurationUnit::Months, true) => (43200.0, "emo"),
    }
}

/// Formats minutes in a unit with as many decimals as needed to read back exactly.
fn fmt_amount(minutes: i64, unit: DurationUnit, elapsed: bool) -> String {
    let (size, suffix) = unit_size(unit, elapsed);
    let v = minutes as f64 / size;
    let mut s = format!("{v}");
    if (s.parse::<f64>().unwrap_or(0.0) * size).round() as i64 != minutes {
        s = format!("{minutes}");
        return format!("{s}{}", if elapsed { "em" } else { "m" });
    }
    s.push_str(suffix);
    s
}

/// Formats a duration in the list syntax (`5d`, `4ed`, `5d?`).
pub fn format_duration(d: &Duration) -> String {
    let mut s = fmt_amount(d.minutes, d.unit, d.elapsed);
    if d.estimated {
        s.push('?');
    }
    s
}

fn parse_date(s: &str) -> Option<NaiveDateTime> {
    let s = s.trim();
    for f in ["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M"] {
        if let Ok(d) = NaiveDateTime::parse_from_str(s, f) {
            return Some(d);
        }
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok().and_then(|d| d.and_hms_opt(8, 0, 0))
}

fn from_rows(file: &str, rows: Vec<(usize, Vec<String>)>, opts: &CsvOptions) -> Result<Schedule, ImportError> {
    let mut it = rows.into_iter().skip_while(|(_, r)| r.iter().all(|c| c.trim().is_empty()));
    let Some((_, header)) = it.next() else {
        return Err(ImportError::file(file, "empty task list: expected a header row with id, name, duration"));
    };
    let col = |names: &[&str]| {
        header.iter().position(|h| {
            let h = h.trim().to_ascii_lowercase();
            names.iter().any(|n| h == *n)
        })
    };
    let need = |names: &[&str], what: &str| {
        col(names).ok_or_else(|| ImportError {
            file: file.to_string(),
            line: Some(1),
            field: Some(what.to_string()),
            message: format!("no {what:?} column; the header needs id, name, duration (predecessors, start, wbs, outline level, milestone optional)"),
        })
    };
    let c_id = need(&["id", "task id"], "id")?;
    let c_name = need(&["name", "task name"], "name")?;
    let c_dur = need(&["duration"], "duration")?;
    let c_pred = col(&["predecessors", "predecessor"]);
    let c_start = col(&["start"]);
    let c_wbs = col(&["wbs"]);
    let c_level = col(&["outline level", "outline_level", "level"]);
    let c_ms = col(&["milestone"]);
    let err = |line: usize, field: &str, message: String| ImportError {
        file: file.to_string(),
        line: Some(line),
        field: Some(field.to_string()),
        message,
    };
    let mut tasks: Vec<Task> = Vec::new();
    let mut ids: HashMap<String, usize> = HashMap::new();
    let mut preds: Vec<(usize, usize, String)> = Vec::new();
    for (line, row) in it {
        let cell = |c: Option<usize>| c.and_then(|c| row.get(c)).map(|s| s.trim()).unwrap_or("");
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let id = cell(Some(c_id)).to_string();
        if id.is_empty() {
            return Err(err(line, "id", "empty id; every task needs one".into()));
        }
        let dur_s = cell(Some(c_dur));
        let duration = if dur_s.is_empty() {
            Duration::working(0, DurationUnit::Days)
        } else {
            parse_duration(dur_s).ok_or_else(|| {
                err(line, "duration", format!("{dur_s:?} is not a duration; expected like 5d, 3h, 2w, 1mo, 4ed or 5d?"))
            })?
        };
        let start_s = cell(c_start);
        let start = if start_s.is_empty() {
            None
        } else {
            Some(parse_date(start_s).ok_or_else(|| {
                err(line, "start", format!("{start_s:?} is not a date; expected like 2026-01-05 or 2026-01-05 08:00"))
            })?)
        };
        let wbs = cell(c_wbs).to_string();
        let level_s = cell(c_level);
        let outline_level =
            if !level_s.is_empty() {
                level_s.parse::<f64>().ok().filter(|l| *l >= 1.0 && *l < 1000.0).ok_or_else(|| {
                    err(line, "outline level", format!("{level_s:?} is not a level; expected 1, 2, ..."))
                })? as u16
            } else if !wbs.is_empty() {
                wbs.split('.').count() as u16
            } else {
                1
            };
        let ms = cell(c_ms).to_ascii_lowercase();
        let milestone =
            matches!(ms.as_str(), "yes" | "y" | "true" | "1" | "x") || (duration.minutes == 0 && ms.is_empty());
        let ix = tasks.len();
        if ids.insert(id.clone(), ix).is_some() {
            return Err(err(line, "id", format!("id {id:?} appears twice")));
        }
        let p = cell(c_pred);
        if !p.is_empty() {
            preds.push((ix, line, p.to_string()));
        }
        tasks.push(Task {
            key: id.clone(),
            code: id,
            name: cell(Some(c_name)).to_string(),
            wbs,
            outline_level,
            kind: if milestone { TaskKind::Milestone } else { TaskKind::Task },
            duration,
            constraint: start.map(|d| Constraint { kind: ConstraintKind::Snet, date: Some(d) }),
            ..Task::default()
        });
    }
    let mut stack: Vec<(u16, usize)> = Vec::new();
    for i in 0..tasks.len() {
        let lvl = tasks[i].outline_level;
        while stack.last().is_some_and(|&(l, _)| l >= lvl) {
            stack.pop();
        }
        tasks[i].parent = stack.last().map(|&(_, p)| p);
        if let Some(&(_, p)) = stack.last() {
            tasks[p].kind = TaskKind::Summary;
        }
        stack.push((lvl, i));
    }
    let mut links = Vec::new();
    for (succ, line, text) in preds {
        for item in text.split([';', ',']).map(str::trim).filter(|s| !s.is_empty()) {
            let link = parse_link(item)
                .ok_or_else(|| err(line, "predecessors", format!("{item:?} is not a link; expected like 3FS+2d")))?;
            let Some(&pred) = ids.get(link.0) else {
                let digits = item.find(|c: char| !c.is_ascii_digit()).unwrap_or(item.len());
                let message = if digits > 0 && digits < item.len() && link.0.len() > digits {
                    format!("{item:?} is not a link; expected like 3FS+2d")
                } else {
                    format!("{item:?} names task id {:?}, which is not in the list", link.0)
                };
                return Err(err(line, "predecessors", message));
            };
            links.push(Link { pred, succ, kind: link.1, lag: link.2 });
        }
    }
    let earliest = tasks.iter().filter_map(|t| t.constraint.and_then(|c| c.date)).min();
    let Some(start) = opts.project_start.or(earliest) else {
        return Err(ImportError {
            file: file.to_string(),
            line: None,
            field: Some("start".into()),
            message: "no project start: give one (CsvOptions::project_start) or fill the start column".into(),
        });
    };
    let name = file.rsplit(['/', '\\']).next().unwrap_or(file).to_string();
    Ok(Schedule {
        name: name.clone(),
        origin: Origin::Other,
        source_format: "task list".into(),
        options: Options::default(),
        projects: vec![ProjectInfo {
            key: name.clone(),
            name,
            start,
            finish_constraint: None,
            status_date: None,
            calendar: 0,
            schedule_from_finish: false,
        }],
        calendars: vec![standard_calendar()],
        tasks,
        links,
        resources: vec![],
        assignments: vec![],
        warnings: vec![],
    })
}

/// Parses one predecessor item: `3`, `3FS+2d`, `4FF+50%`. Returns (id, type, lag).
fn parse_link(item: &str) -> Option<(&str, LinkType, Lag)> {
    let upper = item.to_ascii_uppercase();
    let pos = ["FS", "SS", "FF", "SF"].iter().filter_map(|k| upper.rfind(k)).max();
    let (id, kind, rest) = match pos {
        Some(p) if p > 0 => {
            let kind = match &upper[p..p + 2] {
                "FS" => LinkType::FS,
                "SS" => LinkType::SS,
                "FF" => LinkType::FF,
                _ => LinkType::SF,
            };
            (item[..p].trim(), kind, item[p + 2..].trim())
        }
        Some(_) => return None,
        None => (item, LinkType::FS, ""),
    };
    if id.is_empty() || id.contains(['+', ' ']) {
        return None;
    }
    if rest.is_empty() {
        return Some((id, kind, Lag::default()));
    }
    let (sign, amount) = match rest.as_bytes()[0] {
        b'+' => (1, &rest[1..]),
        b'-' => (-1, &rest[1..]),
        _ => return None,
    };
    let lag = if let Some(p) = amount.trim().strip_suffix('%') {
        let v: f64 = p.trim().parse().ok()?;
        Lag { amount: sign * (v * 100.0).round() as i64, unit: DurationUnit::Percent, elapsed: false }
    } else {
        let d = parse_duration(amount)?;
        if d.estimated {
            return None;
        }
        Lag { amount: sign * d.minutes, unit: d.unit, elapsed: d.elapsed }
    };
    Some((id, kind, lag))
}

fn fmt_link(s: &Schedule, l: &Link) -> String {
    let kind = match l.kind {
        LinkType::FS => "FS",
        LinkType::SS => "SS",
        LinkType::FF => "FF",
        LinkType::SF => "SF",
    };
    let id = &s.tasks[l.pred].code;
    if l.lag.amount == 0 {
        return if l.kind == LinkType::FS { id.clone() } else { format!("{id}{kind}") };
    }
    let sign = if l.lag.amount < 0 { "-" } else { "+" };
    let amount = if l.lag.unit == DurationUnit::Percent {
        format!("{}%", l.lag.amount.unsigned_abs() as f64 / 100.0)
    } else {
        fmt_amount(l.lag.amount.abs(), l.lag.unit, l.lag.elapsed)
    };
    format!("{id}{kind}{sign}{amount}")
}

const HEADER: [&str; 15] = [
    "id",
    "name",
    "wbs",
    "outline level",
    "duration",
    "predecessors",
    "start",
    "milestone",
    "scheduled start",
    "scheduled finish",
    "early start",
    "early finish",
    "late start",
    "late finish",
    "total float",
];

fn table(s: &Schedule, r: Option<&ScheduleResult>) -> Result<Vec<Vec<String>>, ExportError> {
    let mut preds: Vec<Vec<String>> = vec![Vec::new(); s.tasks.len()];
    for l in &s.links {
        if l.pred >= s.tasks.len() || l.succ >= s.tasks.len() {
            return Err(ExportError {
                format: "csv",
                message: format!("link {} -> {} is outside the task list", l.pred, l.succ),
            });
        }
        preds[l.succ].push(fmt_link(s, l));
    }
    let dt = |d: Option<NaiveDateTime>| d.map(|d| d.format("%Y-%m-%d %H:%M").to_string()).unwrap_or_default();
    let mut out = Vec::with_capacity(s.tasks.len() + 1);
    let mut header: Vec<String> = HEADER.iter().map(|h| h.to_string()).collect();
    header.push("critical".into());
    out.push(header);
    for (i, t) in s.tasks.iter().enumerate() {
        let res = r.and_then(|r| r.tasks.get(i));
        let snet = t.constraint.filter(|c| c.kind == ConstraintKind::Snet).and_then(|c| c.date);
        let (es, ef, ls, lf, tf, crit) = match res {
            Some(x) => (
                Some(x.early_start),
                Some(x.early_finish),
                Some(x.late_start),
                Some(x.late_finish),
                Some(x.total_float),
                Some(x.critical),
            ),
            None => (
                t.stored.early_start,
                t.stored.early_finish,
                t.stored.late_start,
                t.stored.late_finish,
                t.stored.total_float,
                t.stored.critical,
            ),
        };
        let (st, fi) = match res {
            Some(x) => (Some(x.early_start), Some(x.early_finish)),
            None => (t.stored.start, t.stored.finish),
        };
        out.push(vec![
            t.code.clone(),
            t.name.clone(),
            t.wbs.clone(),
            t.outline_level.max(1).to_string(),
            format_duration(&t.duration),
            preds[i].join(";"),
            dt(snet),
            if t.is_milestone() { "yes".into() } else { "no".into() },
            dt(st),
            dt(fi),
            dt(es),
            dt(ef),
            dt(ls),
            dt(lf),
            tf.map(|m| fmt_amount(m, DurationUnit::Days, false)).unwrap_or_default(),
            crit.map(|c| if c { "yes" } else { "no" }.to_string()).unwrap_or_default(),
        ]);
    }
    Ok(out)
}

/// Writes a CSV task list (the reader's columns plus computed dates, float and critical).
pub fn write_csv(s: &Schedule, r: Option<&ScheduleResult>) -> Result<Vec<u8>, ExportError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for row in table(s, r)? {
        w.write_record(&row).map_err(|e| ExportError { format: "csv", message: e.to_string() })?;
    }
    w.into_inner().map_err(|e| ExportError { format: "csv", message: e.to_string() })
}

/// Writes an Excel task list with the same columns as [`write_csv`].
pub fn write_xlsx(s: &Schedule, r: Option<&ScheduleResult>) -> Result<Vec<u8>, ExportError> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let sheet = wb.add_worksheet();
    let e = |e: rust_xlsxwriter::XlsxError| ExportError { format: "xlsx", message: e.to_string() };
    // Dates are date cells and the outline level a number, so Excel sorts, filters and computes
    // with them; the rest is text, as in the CSV.
    const DATES: [&str; 7] =
        ["start", "scheduled start", "scheduled finish", "early start", "early finish", "late start", "late finish"];
    let date_format = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd hh:mm");
    for (ri, row) in table(s, r)?.iter().enumerate() {
        for (ci, v) in row.iter().enumerate() {
            let (row, col) = (ri as u32, ci as u16);
            let column = HEADER.get(ci).copied().unwrap_or_default();
            match NaiveDateTime::parse_from_str(v, "%Y-%m-%d %H:%M") {
                Ok(d) if ri > 0 && DATES.contains(&column) => {
                    sheet.write_datetime_with_format(row, col, d, &date_format).map_err(e)?;
                }
                _ => match v.parse::<u32>() {
                    Ok(n) if ri > 0 && column == "outline level" => {
                        sheet.write_number(row, col, f64::from(n)).map_err(e)?;
                    }
                    _ => {
                        sheet.write_string(row, col, v).map_err(e)?;
                    }
                },
            }
        }
    }
    for (ci, h) in HEADER.iter().enumerate() {
        if DATES.contains(h) {
            sheet.set_column_width(ci as u16, 17).map_err(e)?;
        }
    }
    wb.save_to_buffer().map_err(e)
}
