//! Primavera P6 XER reader.
//!
//! An XER file is tab-separated text: an `ERMHDR` line (version, export date, user, currency), then
//! tables, each a `%T name` line, a `%F field...` line and `%R value...` rows, and an `%E` end line.
//! Every `PROJECT` row becomes a [`ProjectInfo`](keel_engine::schedule::ProjectInfo); WBS nodes become
//! summary rows placed before their activities; `TASKPRED` rows across projects are ordinary links.
//!
//! **Encoding.** UTF-8 when the bytes are valid UTF-8; otherwise Windows-1251 when the text looks
//! Cyrillic (runs of bytes 0xC0-0xFF, which are letters in both code pages but form words only in
//! Cyrillic text), else Windows-1252. [`read_with_encoding`] overrides the guess.
//!
//! **Critical flag.** XER stores no critical flag. `stored.critical` is derived from the stored total
//! float against the project's threshold (`critical_drtn_hr_cnt`), or from `driving_path_flag` when
//! the project defines critical activities by the longest path; it is `None` without stored float.
//!
//! Tables not modelled (activity codes, UDFs, notes, costs, ...) are reported, one warning per table
//! with its row count.

mod assemble;
mod clndr;

use std::collections::HashMap;

use chrono::NaiveDateTime;
use encoding_rs::Encoding;
use keel_engine::schedule::{
    Assignment, Baseline, Calendar, Constraint, ConstraintKind, Duration, DurationUnit, FloatType, ImportWarning,
    LagCalendar, LinkType, ProgressRule, Resource, ResourceKind, Schedule, StoredDates, Task, TaskKind,
};

pub(crate) use assemble::Loc;
pub(crate) use assemble::{
    P6Activity, P6Assignment, P6Calendar, P6File, P6Options, P6Project, P6Relationship, P6Resource, P6Wbs, Tally,
    assemble, hours_to_minutes, standard_week,
};

use crate::ImportError;

/// Tables the reader maps onto the model; every other table is reported as not modelled.
const MODELLED: &[&str] = &["PROJECT", "SCHEDOPTIONS", "CALENDAR", "PROJWBS", "TASK", "TASKPRED", "RSRC", "TASKRSRC"];

/// Reads an XER file, guessing its encoding (see the module documentation).
///
/// # Errors
/// An [`ImportError`] naming the line and `TABLE.field` for a malformed row, date or number, or a
/// relationship to an activity missing from a project in the file.
///
/// # Example
/// ```
/// let xer = "ERMHDR\t20.12\t2024-06-12\tProject\n%T\tPROJECT\n%F\tproj_id\tproj_short_name\tplan_start_date\n\
///            %R\t1\tDEMO\t2024-05-28 08:00\n%E\n";
/// let s = keel_interop::xer::read("demo.xer", xer.as_bytes()).unwrap();
/// assert_eq!(s.projects[0].key, "1");
/// assert_eq!(s.source_format, "P6 XER 20.12");
/// ```
pub fn read(file: &str, bytes: &[u8]) -> Result<Schedule, ImportError> {
    let text = decode_guess(bytes);
    parse(file, &text)
}

/// Reads an XER file in the named encoding (a WHATWG label such as `windows-1251`, `cp1252`, `utf-8`).
///
/// # Errors
/// As [`read`], plus an error when the label names no encoding.
pub fn read_with_encoding(file: &str, bytes: &[u8], encoding_label: &str) -> Result<Schedule, ImportError> {
    let enc = Encoding::for_label(encoding_label.trim().as_bytes())
        .ok_or_else(|| ImportError::file(file, format!("unknown encoding {encoding_label:?}")))?;
    let (text, _, _) = enc.decode(bytes);
    parse(file, &text)
}

/// Decodes XER bytes: UTF-8 when valid, else Windows-1251 for Cyrillic-looking text, else Windows-1252.
fn decode_guess(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(s) = std::str::from_utf8(bytes) {
        return s.to_string();
    }
    let enc = if looks_cyrillic(bytes) { encoding_rs::WINDOWS_1251 } else { encoding_rs::WINDOWS_1252 };
    enc.decode_without_bom_handling(bytes).0.into_owned()
}

/// In Windows-1251 the letters А-я are 0xC0-0xFF, so Cyrillic words are runs of such bytes; in
/// Windows-1252 the same bytes are accented Latin letters, mostly alone between ASCII letters.
fn looks_cyrillic(bytes: &[u8]) -> bool {
    let high = |b: u8| b >= 0xC0 || b == 0xA8 || b == 0xB8;
    let (mut paired, mut alone) = (0usize, 0usize);
    for (i, &b) in bytes.iter().enumerate() {
        if !high(b) {
            continue;
        }
        let prev = i > 0 && high(bytes[i - 1]);
        let next = bytes.get(i + 1).is_some_and(|&n| high(n));
        if prev || next { paired += 1 } else { alone += 1 }
    }
    paired > 0 && paired >= alone * 2
}

/// One table: field names and rows with their line numbers.
#[derive(Debug, Default)]
struct Table {
    name: String,
    line: usize,
    fields: Vec<String>,
    rows: Vec<(usize, Vec<String>)>,
}

/// A row with named access and error reporting.
struct Row<'a> {
    file: &'a str,
    table: &'a Table,
    line: usize,
    values: &'a [String],
    index: &'a HashMap<String, usize>,
}

impl Row<'_> {
    fn loc(&self) -> Loc {
        Loc { line: Some(self.line), table: self.table.name.clone() }
    }

    fn err(&self, field: &str, message: impl Into<String>) -> ImportError {
        self.loc().error(self.file, field, message)
    }

    /// The trimmed value, `None` when the field is absent or empty.
    fn get(&self, field: &str) -> Option<&str> {
        self.index.get(field).and_then(|&i| self.values.get(i)).map(|s| s.trim()).filter(|s| !s.is_empty())
    }

    fn string(&self, field: &str) -> String {
        self.get(field).unwrap_or_default().to_string()
    }

    fn req(&self, field: &str) -> Result<String, ImportError> {
        self.get(field).map(str::to_string).ok_or_else(|| self.err(field, "is required but empty or missing"))
    }

    fn number(&self, field: &str) -> Result<Option<f64>, ImportError> {
        match self.get(field) {
            None => Ok(None),
            Some(v) => match v.parse::<f64>() {
                Ok(n) if n.is_finite() => Ok(Some(n)),
                _ => Err(self.err(field, format!("{v:?} is not a number"))),
            },
        }
    }

    fn minutes(&self, field: &str) -> Result<Option<i64>, ImportError> {
        Ok(self.number(field)?.map(hours_to_minutes))
    }

    fn date(&self, field: &str) -> Result<Option<NaiveDateTime>, ImportError> {
        match self.get(field) {
            None => Ok(None),
            Some(v) => parse_date(v)
                .map(Some)
                .ok_or_else(|| self.err(field, format!("{v:?} is not a date (yyyy-mm-dd hh:mm)"))),
        }
    }

    fn flag(&self, field: &str) -> Option<bool> {
        self.get(field).map(|v| v.eq_ignore_ascii_case("Y"))
    }
}

/// `2024-05-28 08:00` (also with seconds, or a bare date).
fn parse_date(v: &str) -> Option<NaiveDateTime> {
    NaiveDateTime::parse_from_str(v, "%Y-%m-%d %H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(v, "%Y-%m-%d %H:%M:%S"))
        .ok()
        .or_else(|| chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d").ok().and_then(|d| d.and_hms_opt(0, 0, 0)))
}

/// Splits the text into the header and tables. A row with more values than its `%F` line names is
/// an error; missing trailing values are empty, as P6 writes them.
fn tables(file: &str, text: &str) -> Result<(Vec<String>, Vec<Table>, bool), ImportError> {
    let mut header = Vec::new();
    let mut tables: Vec<Table> = Vec::new();
    let mut ended = false;
    let at = |line: usize, message: String| ImportError { file: file.into(), line: Some(line), field: None, message };
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        if raw.trim().is_empty() {
            continue;
        }
        let mut parts = raw.split('\t');
        let tag = parts.next().unwrap_or_default();
        if ended {
            return Err(at(line, "text after the %E end line".into()));
        }
        match tag {
            "ERMHDR" if line == 1 => header = parts.map(str::to_string).collect(),
            _ if line == 1 => return Err(at(line, "not an XER file: the first line must start with ERMHDR".into())),
            "%T" => {
                let name = parts.next().unwrap_or_default().trim().to_string();
                if name.is_empty() {
                    return Err(at(line, "%T line without a table name".into()));
                }
                tables.push(Table { name, line, ..Table::default() });
            }
            "%F" => {
                let t = tables.last_mut().ok_or_else(|| at(line, "%F line before any %T table".into()))?;
                if !t.fields.is_empty() || !t.rows.is_empty() {
                    return Err(at(line, format!("second %F line in table {}", t.name)));
                }
                t.fields = parts.map(|f| f.trim().to_string()).collect();
            }
            "%R" => {
                let t = tables.last_mut().ok_or_else(|| at(line, "%R row before any %T table".into()))?;
                let mut values: Vec<String> = parts.map(str::to_string).collect();
                // P6 itself leaves out trailing empty fields (8.x exports do): pad them.
                if values.len() < t.fields.len() {
                    values.resize(t.fields.len(), String::new());
                }
                if values.len() != t.fields.len() {
                    return Err(ImportError {
                        file: file.into(),
                        line: Some(line),
                        field: Some(t.name.clone()),
                        message: format!("row has {} fields, the %F line names {}", values.len(), t.fields.len()),
                    });
                }
                t.rows.push((line, values));
            }
            "%E" => ended = true,
            other => {
                return Err(at(
                    line,
                    format!("unexpected line start {:?}: expected %T, %F, %R or %E", truncate(other)),
                ));
            }
        }
    }
    Ok((header, tables, ended))
}

fn truncate(s: &str) -> String {
    s.chars().take(20).collect()
}

fn parse(file: &str, text: &str) -> Result<Schedule, ImportError> {
    let (header, tables, ended) = tables(file, text)?;
    let mut p6 = P6File {
        source_format: format!("P6 XER {}", header.first().map(|s| s.trim()).unwrap_or("")).trim().to_string(),
        ..P6File::default()
    };
    if !ended {
        p6.warnings
            .push(ImportWarning { location: file.into(), message: "no %E end line: the file may be truncated".into() });
    }
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for t in &tables {
        *seen.entry(t.name.as_str()).or_default() += 1;
        if !MODELLED.contains(&t.name.as_str()) && !t.rows.is_empty() {
            p6.warnings.push(ImportWarning {
                location: format!("table {}", t.name),
                message: format!("{} rows not modelled (line {})", t.rows.len(), t.line),
            });
        }
    }
    fn find<'t>(tables: &'t [Table], name: &'static str) -> impl Iterator<Item = &'t Table> {
        tables.iter().filter(move |t| t.name == name)
    }
    let mut tally = Tally::default();

    let mut proj_rows: HashMap<String, usize> = HashMap::new();
    for t in find(&tables, "PROJECT") {
        each_row(file, t, |r| {
            let key = r.req("proj_id")?;
            let mut options = P6Options::default();
            project_options(&r, &mut options)?;
            options.critical_float_minutes = r.minutes("critical_drtn_hr_cnt")?;
            options.critical_by_longest_path = r.get("critical_path_type").map(|v| v == "CT_DrivPath");
            proj_rows.insert(key.clone(), p6.projects.len());
            p6.projects.push(P6Project {
                key,
                short_name: r.string("proj_short_name"),
                name: None,
                start: r.date("plan_start_date")?,
                must_finish_by: r.date("plan_end_date")?,
                data_date: r.date("last_recalc_date")?,
                calendar: r.get("clndr_id").map(str::to_string),
                options,
                exported: r.flag("export_flag"),
                stub: false,
            });
            Ok(())
        })?;
    }
    for t in find(&tables, "SCHEDOPTIONS") {
        each_row(file, t, |r| {
            let key = r.req("proj_id")?;
            match proj_rows.get(&key) {
                Some(&i) => project_options(&r, &mut p6.projects[i].options)?,
                None => tally.add("SCHEDOPTIONS row for a project not in the file ignored", key),
            }
            Ok(())
        })?;
    }
    for t in find(&tables, "CALENDAR") {
        each_row(file, t, |r| {
            let key = r.req("clndr_id")?;
            let name = r.string("clndr_name");
            let mut cal = Calendar { key: key.clone(), name: name.clone(), ..Calendar::default() };
            match r.get("clndr_data").map(clndr::parse) {
                Some(Ok(data)) => {
                    cal.week = data.week;
                    cal.exceptions = data.exceptions;
                }
                Some(Err(e)) => {
                    tally.add(
                        "calendar data unreadable: Monday-Friday 8-hour week assumed",
                        format!("{key} {name:?}: {e}"),
                    );
                    cal.week = standard_week();
                }
                None => {
                    tally.add(
                        "calendar without clndr_data: Monday-Friday 8-hour week assumed",
                        format!("{key} {name:?}"),
                    );
                    cal.week = standard_week();
                }
            }
            p6.calendars.push(P6Calendar {
                calendar: cal,
                base_key: r.get("base_clndr_id").map(str::to_string),
                is_default: r.flag("default_flag") == Some(true),
                hours_per_day: r.number("day_hr_cnt")?,
                hours_per_week: r.number("week_hr_cnt")?,
                hours_per_month: r.number("month_hr_cnt")?,
            });
            Ok(())
        })?;
    }
    for t in find(&tables, "PROJWBS") {
        each_row(file, t, |r| {
            let w = P6Wbs {
                key: r.req("wbs_id")?,
                parent_key: r.get("parent_wbs_id").map(str::to_string),
                project_key: r.req("proj_id")?,
                project_node: r.flag("proj_node_flag") == Some(true),
                seq: r.number("seq_num")?.unwrap_or(0.0) as i64,
                code: r.string("wbs_short_name"),
                name: r.string("wbs_name"),
            };
            if let (true, Some(&i)) = (w.project_node, proj_rows.get(&w.project_key)) {
                p6.projects[i].name = Some(w.name.clone()).filter(|n| !n.is_empty());
            }
            p6.wbs.push(w);
            Ok(())
        })?;
    }
    for t in find(&tables, "TASK") {
        each_row(file, t, |r| {
            let a = activity(&r, &mut tally)?;
            p6.activities.push(a);
            Ok(())
        })?;
    }
    for t in find(&tables, "TASKPRED") {
        each_row(file, t, |r| {
            let kind = match r.get("pred_type") {
                Some("PR_FS") | None => LinkType::FS,
                Some("PR_SS") => LinkType::SS,
                Some("PR_FF") => LinkType::FF,
                Some("PR_SF") => LinkType::SF,
                Some(v) => return Err(r.err("pred_type", format!("{v:?} is not PR_FS, PR_SS, PR_FF or PR_SF"))),
            };
            p6.relationships.push(P6Relationship {
                key: r.string("task_pred_id"),
                succ: r.req("task_id")?,
                pred: r.req("pred_task_id")?,
                succ_project: r.get("proj_id").map(str::to_string),
                pred_project: r.get("pred_proj_id").map(str::to_string),
                kind,
                lag_minutes: r.minutes("lag_hr_cnt")?.unwrap_or(0),
                loc: r.loc(),
            });
            Ok(())
        })?;
    }
    for t in find(&tables, "RSRC") {
        each_row(file, t, |r| {
            let kind = match r.get("rsrc_type") {
                Some("RT_Mat") => ResourceKind::Material,
                Some("RT_Labor") | Some("RT_Equip") | None => ResourceKind::Work,
                Some(v) => {
                    tally.add("unknown resource type read as labour", v.to_string());
                    ResourceKind::Work
                }
            };
            p6.resources.push(P6Resource {
                resource: Resource {
                    key: r.req("rsrc_id")?,
                    name: r.string("rsrc_name"),
                    kind,
                    max_units: None,
                    calendar: None,
                    rate_minor_per_hour: None,
                },
                calendar_key: r.get("clndr_id").map(str::to_string),
            });
            Ok(())
        })?;
    }
    for t in find(&tables, "TASKRSRC") {
        each_row(file, t, |r| {
            let actual = match (r.number("act_reg_qty")?, r.number("act_ot_qty")?) {
                (None, None) => None,
                (a, b) => Some(a.unwrap_or(0.0) + b.unwrap_or(0.0)),
            };
            p6.assignments.push(P6Assignment {
                task_key: r.req("task_id")?,
                resource_key: r.get("rsrc_id").map(str::to_string),
                assignment: Assignment {
                    task: 0,
                    resource: 0,
                    units: r.number("target_qty_per_hr")?.unwrap_or(1.0),
                    work_minutes: r.number("target_qty")?.map(hours_to_minutes),
                    actual_work_minutes: actual.map(hours_to_minutes),
                    remaining_work_minutes: r.number("remain_qty")?.map(hours_to_minutes),
                    cost_minor: r.number("target_cost")?.map(|c| (c * 100.0).round() as i64),
                },
                loc: r.loc(),
            });
            Ok(())
        })?;
    }
    tally.into_warnings(file, &mut p6.warnings);
    assemble(file, p6)
}

fn each_row(
    file: &str,
    table: &Table,
    mut f: impl FnMut(Row<'_>) -> Result<(), ImportError>,
) -> Result<(), ImportError> {
    let index: HashMap<String, usize> = table.fields.iter().enumerate().map(|(i, f)| (f.clone(), i)).collect();
    for (line, values) in &table.rows {
        f(Row { file, table, line: *line, values, index: &index })?;
    }
    Ok(())
}

/// The `sched_*` options a PROJECT or SCHEDOPTIONS row carries.
fn project_options(r: &Row<'_>, o: &mut P6Options) -> Result<(), ImportError> {
    let retained = r.flag("sched_retained_logic");
    let overrides = r.flag("sched_progress_override");
    if retained.is_some() || overrides.is_some() {
        o.progress = Some(match (retained, overrides) {
            (_, Some(true)) => ProgressRule::ProgressOverride,
            (Some(true), _) => ProgressRule::RetainedLogic,
            _ => ProgressRule::ActualDates,
        });
    }
    if let Some(v) = r.get("sched_float_type") {
        o.float_type = Some(match v {
            "FT_SS" | "FT_SF" => FloatType::Start,
            "FT_FF" => FloatType::Finish,
            "FT_Min" | "FT_Smallest" => FloatType::Smallest,
            other => return Err(r.err("sched_float_type", format!("{other:?} is not FT_SS, FT_FF or FT_Min"))),
        });
    }
    if let Some(v) = r.get("sched_calendar_on_relationship_lag") {
        o.lag_calendar = Some(match v {
            "rcal_Predecessor" => LagCalendar::Predecessor,
            "rcal_Successor" => LagCalendar::Successor,
            "rcal_24Hour" => LagCalendar::TwentyFourHour,
            "rcal_ProjDefault" => LagCalendar::ProjectDefault,
            other => {
                return Err(r.err(
                    "sched_calendar_on_relationship_lag",
                    format!("{other:?} is not rcal_Predecessor, rcal_Successor, rcal_24Hour or rcal_ProjDefault"),
                ));
            }
        });
    }
    for (field, default) in [
        ("sched_outer_depend_type", "SD_Both"),
        ("sched_use_expect_end_flag", "N"),
        ("sched_open_critical_flag", "N"),
        ("sched_lag_early_start_flag", "Y"),
        ("sched_use_project_end_date_for_float", "Y"),
        ("sched_setplantoforecast", "N"),
    ] {
        if let Some(v) = r.get(field).filter(|v| *v != default) {
            let entry = format!("{field} = {v}");
            if !o.unmodelled.contains(&entry) {
                o.unmodelled.push(entry);
            }
        }
    }
    Ok(())
}

/// A TASK row.
fn activity(r: &Row<'_>, tally: &mut Tally) -> Result<P6Activity, ImportError> {
    let key = r.req("task_id")?;
    let code = r.string("task_code");
    let kind = match r.get("task_type") {
        Some("TT_Task") | Some("TT_Rsrc") | None => TaskKind::Task,
        Some("TT_Mile") => TaskKind::Milestone,
        Some("TT_FinMile") => TaskKind::FinishMilestone,
        Some("TT_LOE") => TaskKind::LevelOfEffort,
        Some("TT_WBS") => TaskKind::WbsSummary,
        Some(v) => {
            return Err(r.err(
                "task_type",
                format!("{v:?} is not a P6 activity type (TT_Task, TT_Rsrc, TT_Mile, TT_FinMile, TT_LOE, TT_WBS)"),
            ));
        }
    };
    if r.get("task_type") == Some("TT_Rsrc") {
        tally.add("resource-dependent activity scheduled as task-dependent", code.clone());
    }
    let target = r.minutes("target_drtn_hr_cnt")?.unwrap_or(0);
    let remain = r.minutes("remain_drtn_hr_cnt")?;
    let actual_start = r.date("act_start_date")?;
    let actual_finish = r.date("act_end_date")?;
    let status = r.get("status_code");
    let percent = percent_complete(r, target, remain, actual_finish.is_some() || status == Some("TK_Complete"))?;
    let primary = constraint(r, "cstr_type", "cstr_date", tally, &code)?;
    let secondary_constraint = constraint_or_none(constraint(r, "cstr_type2", "cstr_date2", tally, &code)?);
    let early_start = r.date("early_start_date")?;
    let early_finish = r.date("early_end_date")?;
    let stored = StoredDates {
        start: actual_start.or(r.date("restart_date")?).or(early_start),
        finish: actual_finish.or(r.date("reend_date")?).or(early_finish),
        early_start,
        early_finish,
        late_start: r.date("late_start_date")?,
        late_finish: r.date("late_end_date")?,
        total_float: r.minutes("total_float_hr_cnt")?,
        free_float: r.minutes("free_float_hr_cnt")?,
        critical: None,
        date_only: false,
    };
    let target_start = r.date("target_start_date")?;
    let target_end = r.date("target_end_date")?;
    let baselines = if target_start.is_some() || target_end.is_some() {
        vec![Baseline {
            number: 0,
            start: target_start,
            finish: target_end,
            duration_minutes: Some(target),
            cost_minor: None,
        }]
    } else {
        Vec::new()
    };
    if let Some(v) = r.get("duration_type").filter(|v| *v != "DT_FixedDUR2" && *v != "DT_FixedDrtn") {
        tally.add("duration type other than fixed duration read as fixed duration", format!("{code} {v}"));
    }
    Ok(P6Activity {
        task: Task {
            key,
            code,
            name: r.string("task_name"),
            kind,
            duration: Duration::working(target, DurationUnit::Hours),
            remaining: remain.map(|m| Duration::working(m, DurationUnit::Hours)),
            constraint: constraint_or_none(primary),
            secondary_constraint,
            actual_start,
            actual_finish,
            percent_complete: percent,
            baselines,
            stored,
            ..Task::default()
        },
        project_key: r.req("proj_id")?,
        wbs_key: r.get("wbs_id").map(str::to_string),
        calendar_key: r.get("clndr_id").map(str::to_string),
        driving_path: r.flag("driving_path_flag"),
        loc: r.loc(),
    })
}

fn constraint_or_none(c: Option<Constraint>) -> Option<Constraint> {
    c.filter(|c| c.kind != ConstraintKind::Asap)
}

/// `cstr_type` + `cstr_date` (or the secondary pair).
fn constraint(
    r: &Row<'_>,
    type_field: &str,
    date_field: &str,
    tally: &mut Tally,
    code: &str,
) -> Result<Option<Constraint>, ImportError> {
    let Some(v) = r.get(type_field) else { return Ok(None) };
    let kind = match v {
        "CS_ASAP" => ConstraintKind::Asap,
        "CS_ALAP" => ConstraintKind::Alap,
        "CS_MSO" => ConstraintKind::Mso,
        "CS_MEO" => ConstraintKind::Mfo,
        "CS_MSOA" => ConstraintKind::Snet,
        "CS_MSOB" => ConstraintKind::Snlt,
        "CS_MEOA" => ConstraintKind::Fnet,
        "CS_MEOB" => ConstraintKind::Fnlt,
        "CS_MANDSTART" => ConstraintKind::MandatoryStart,
        "CS_MANDFIN" => ConstraintKind::MandatoryFinish,
        other => {
            return Err(r.err(
                type_field,
                format!("{other:?} is not a P6 constraint type (CS_ASAP, CS_ALAP, CS_MSO, CS_MEO, CS_MSOA, CS_MSOB, CS_MEOA, CS_MEOB, CS_MANDSTART, CS_MANDFIN)"),
            ));
        }
    };
    let date = r.date(date_field)?;
    if date.is_none() && !matches!(kind, ConstraintKind::Asap | ConstraintKind::Alap) {
        tally.add("dated constraint without a date ignored", format!("{code} {v}"));
        return Ok(None);
    }
    Ok(Some(Constraint { kind, date: date.filter(|_| !matches!(kind, ConstraintKind::Asap | ConstraintKind::Alap)) }))
}

/// Percent complete by the activity's percent-complete type.
fn percent_complete(r: &Row<'_>, target: i64, remain: Option<i64>, finished: bool) -> Result<f64, ImportError> {
    let pct = match r.get("complete_pct_type") {
        Some("CP_Phys") => r.number("phys_complete_pct")?.unwrap_or(0.0),
        Some("CP_Units") => {
            let act = r.number("act_work_qty")?.unwrap_or(0.0) + r.number("act_equip_qty")?.unwrap_or(0.0);
            let rem = r.number("remain_work_qty")?.unwrap_or(0.0) + r.number("remain_equip_qty")?.unwrap_or(0.0);
            if act + rem > 0.0 {
                act / (act + rem) * 100.0
            } else if finished {
                100.0
            } else {
                0.0
            }
        }
        _ => {
            if finished {
                100.0
            } else if let (Some(rem), true) = (remain, target > 0) {
                ((target - rem) as f64 / target as f64 * 100.0).max(0.0)
            } else {
                0.0
            }
        }
    };
    Ok(pct.clamp(0.0, 100.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guesses_cyrillic_and_latin() {
        // "Задача" in Windows-1251 and "Café crème" in Windows-1252.
        assert!(looks_cyrillic(&[0xC7, 0xE0, 0xE4, 0xE0, 0xF7, 0xE0]));
        assert!(!looks_cyrillic(b"Caf\xE9 cr\xE8me"));
        assert_eq!(decode_guess(&[b'x', 0xC7, 0xE0, 0xE4, 0xE0, 0xF7, 0xE0]), "xЗадача");
        assert_eq!(decode_guess(b"Caf\xE9"), "Café");
    }

    #[test]
    fn dates() {
        assert!(parse_date("2024-05-28 08:00").is_some());
        assert!(parse_date("2024-05-28").is_some());
        assert!(parse_date("28/05/2024").is_none());
    }
}
