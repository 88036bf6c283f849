//! Primavera P6 XML (PMXML, `APIBusinessObjects`) reader.
//!
//! Streams the document with quick-xml and keeps only the records it maps: `Calendar`, `Resource`
//! (top level), `Project` with its `WBS`, `Activity`, `Relationship` and `ResourceAssignment` children
//! (these may also appear at the top level, naming their project by `ProjectObjectId`). A `Project`
//! holding only `Id`, `ObjectId` and activities is the placeholder P6 writes for a project that a
//! relationship reaches into; it becomes a project of its own so the cross-project link is kept.
//! The result goes through the same assembly as XER ([`crate::xer`]), so a PMXML file and its XER
//! twin give the same tasks and links. Numbers may use a decimal comma, as some P6 locales write them.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use keel_engine::schedule::{
    Assignment, Baseline, Calendar, Constraint, ConstraintKind, Duration, DurationUnit, Exception, FloatType,
    ImportWarning, LagCalendar, LinkType, ProgressRule, Resource, ResourceKind, Schedule, StoredDates, Task, TaskKind,
    WorkingTime,
};
use quick_xml::Reader;
use quick_xml::events::Event;

use crate::ImportError;
use crate::xer::{
    Loc, P6Activity, P6Assignment, P6Calendar, P6File, P6Options, P6Project, P6Relationship, P6Resource, P6Wbs, Tally,
    assemble, hours_to_minutes,
};

/// How deep a record's elements may nest.
const MAX_DEPTH: usize = 64;

/// Reads a P6 XML file.
///
/// # Errors
/// An [`ImportError`] naming the line and `Element.field` for malformed XML, an unparsable date or
/// number, or a relationship to an activity missing from a project in the file.
pub fn read(file: &str, bytes: &[u8]) -> Result<Schedule, ImportError> {
    let text = decode(bytes);
    let mut reader = Reader::from_str(&text);
    let mut p6 = P6File::default();
    let mut tally = Tally::default();
    let mut skipped: BTreeMap<String, usize> = BTreeMap::new();
    let mut version = String::new();
    let mut depth = 0usize;
    let line_of =
        |pos: u64| text.as_bytes()[..(pos as usize).min(text.len())].iter().filter(|&&b| b == b'\n').count() + 1;
    let xml_err = |reader: &Reader<&[u8]>, e: quick_xml::Error| ImportError {
        file: file.into(),
        line: Some(line_of(reader.error_position())),
        field: None,
        message: format!("malformed XML: {e}"),
    };
    let mut saw_root = false;
    loop {
        let pos = reader.buffer_position();
        match reader.read_event().map_err(|e| xml_err(&reader, e))? {
            Event::Start(e) => {
                let name = e.local_name().as_ref().to_string();
                depth += 1;
                if depth == 1 {
                    if name != "APIBusinessObjects" {
                        return Err(ImportError::file(
                            file,
                            format!("not a P6 XML file: root element is <{name}>, expected <APIBusinessObjects>"),
                        ));
                    }
                    saw_root = true;
                    for a in e.attributes().flatten() {
                        if a.key.local_name().as_ref() == "xmlns" {
                            let ns = a.value.to_string();
                            version = ns
                                .split('/')
                                .find(|p| p.starts_with('V') && p[1..].starts_with(|c: char| c.is_ascii_digit()))
                                .unwrap_or("")
                                .trim_start_matches('V')
                                .to_string();
                        }
                    }
                    continue;
                }
                let node = read_tree(&mut reader, name.clone(), line_of(pos), 0).map_err(|e| match e {
                    TreeError::Xml(e) => xml_err(&reader, e),
                    TreeError::Deep => ImportError {
                        file: file.into(),
                        line: Some(line_of(pos)),
                        field: Some(name.clone()),
                        message: format!("nested deeper than {MAX_DEPTH} levels"),
                    },
                })?;
                depth -= 1;
                record(file, &node, None, &mut p6, &mut tally, &mut skipped)?;
            }
            Event::Empty(_) if depth == 0 => {
                return Err(ImportError::file(file, "not a P6 XML file: empty root element"));
            }
            Event::End(_) => depth = depth.saturating_sub(1),
            Event::Eof => break,
            _ => {}
        }
    }
    if !saw_root {
        return Err(ImportError::file(file, "not a P6 XML file: no <APIBusinessObjects> element"));
    }
    if depth != 0 {
        return Err(ImportError::file(file, "the XML ends before </APIBusinessObjects>: the file is truncated"));
    }
    p6.source_format = format!("P6 PMXML {version}").trim().to_string();
    for (name, count) in skipped {
        p6.warnings
            .push(ImportWarning { location: format!("element {name}"), message: format!("{count} not modelled") });
    }
    tally.into_warnings(file, &mut p6.warnings);
    assemble(file, p6)
}

/// UTF-8 (with or without BOM), else the encoding the declaration names, else Windows-1252.
fn decode(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(s) = std::str::from_utf8(bytes) {
        return s.to_string();
    }
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(200)]).to_string();
    let label =
        head.split("encoding=").nth(1).and_then(|r| r.get(1..)).and_then(|r| r.split(['"', '\'']).next()).unwrap_or("");
    let enc = encoding_rs::Encoding::for_label(label.as_bytes()).unwrap_or(encoding_rs::WINDOWS_1252);
    enc.decode_without_bom_handling(bytes).0.into_owned()
}

/// A small element tree of one record.
#[derive(Debug, Default)]
struct Node {
    name: String,
    line: usize,
    text: String,
    nil: bool,
    children: Vec<Node>,
}

enum TreeError {
    Xml(quick_xml::Error),
    Deep,
}

fn read_tree(reader: &mut Reader<&[u8]>, name: String, line: usize, depth: usize) -> Result<Node, TreeError> {
    if depth > MAX_DEPTH {
        return Err(TreeError::Deep);
    }
    let mut node = Node { name, line, ..Node::default() };
    loop {
        match reader.read_event().map_err(TreeError::Xml)? {
            Event::Start(e) => {
                let name = e.local_name().as_ref().to_string();
                let child = read_tree(reader, name, line, depth + 1)?;
                node.children.push(child);
            }
            Event::Empty(e) => {
                let nil = e.attributes().flatten().any(|a| a.key.local_name().as_ref() == "nil" && &*a.value == "true");
                node.children.push(Node { name: e.local_name().as_ref().to_string(), line, nil, ..Node::default() });
            }
            Event::Text(t) => node.text.push_str(&t.xml10_content()),
            Event::CData(t) => node.text.push_str(&t),
            Event::GeneralRef(r) => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    node.text.push(c);
                } else {
                    node.text.push_str(match &*r {
                        "lt" => "<",
                        "gt" => ">",
                        "amp" => "&",
                        "apos" => "'",
                        "quot" => "\"",
                        _ => "",
                    });
                }
            }
            Event::End(_) => return Ok(node),
            Event::Eof => {
                return Err(TreeError::Xml(quick_xml::Error::Syntax(quick_xml::errors::SyntaxError::UnclosedTag)));
            }
            _ => {}
        }
    }
}

/// Field access with error reporting for one record.
struct Rec<'a> {
    file: &'a str,
    node: &'a Node,
}

impl Rec<'_> {
    fn loc(&self) -> Loc {
        Loc { line: Some(self.node.line), table: self.node.name.clone() }
    }

    fn err(&self, field: &str, message: impl Into<String>) -> ImportError {
        self.loc().error(self.file, field, message)
    }

    fn get(&self, field: &str) -> Option<&str> {
        self.node.children.iter().find(|c| c.name == field && !c.nil).map(|c| c.text.trim()).filter(|t| !t.is_empty())
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
            Some(v) => {
                let n = if v.contains(',') && !v.contains('.') { v.replace(',', ".") } else { v.to_string() };
                match n.parse::<f64>() {
                    Ok(x) if x.is_finite() => Ok(Some(x)),
                    _ => Err(self.err(field, format!("{v:?} is not a number"))),
                }
            }
        }
    }

    fn minutes(&self, field: &str) -> Result<Option<i64>, ImportError> {
        Ok(self.number(field)?.map(hours_to_minutes))
    }

    fn date(&self, field: &str) -> Result<Option<NaiveDateTime>, ImportError> {
        match self.get(field) {
            None => Ok(None),
            Some(v) => NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M:%S")
                .or_else(|_| NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M:%S%.f"))
                .or_else(|_| NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M"))
                .map(Some)
                .map_err(|_| self.err(field, format!("{v:?} is not a date (yyyy-mm-ddThh:mm:ss)"))),
        }
    }

    fn flag(&self, field: &str) -> Option<bool> {
        self.get(field).map(|v| v == "1" || v.eq_ignore_ascii_case("true"))
    }
}

/// Maps one top-level (or project-level) record.
fn record(
    file: &str,
    node: &Node,
    project: Option<&str>,
    p6: &mut P6File,
    tally: &mut Tally,
    skipped: &mut BTreeMap<String, usize>,
) -> Result<(), ImportError> {
    let r = Rec { file, node };
    let project_of = |r: &Rec<'_>| -> Result<String, ImportError> {
        match project {
            Some(p) => Ok(p.to_string()),
            None => r.req("ProjectObjectId"),
        }
    };
    match node.name.as_str() {
        "Project" => {
            let key = r.req("ObjectId")?;
            let stub = r.get("PlannedStartDate").is_none() && r.get("Name").is_none();
            let mut options = P6Options {
                critical_float_minutes: r.minutes("CriticalActivityFloatLimit")?,
                critical_by_longest_path: r.get("CriticalActivityPathType").map(|v| v == "Longest Path"),
                ..P6Options::default()
            };
            if let Some(so) = node.children.iter().find(|c| c.name == "ScheduleOptions") {
                schedule_options(&Rec { file, node: so }, &mut options)?;
            }
            p6.projects.push(P6Project {
                key: key.clone(),
                short_name: r.string("Id"),
                name: r.get("Name").map(str::to_string),
                start: r.date("PlannedStartDate")?,
                must_finish_by: r.date("MustFinishByDate")?,
                data_date: r.date("DataDate")?,
                calendar: r.get("ActivityDefaultCalendarObjectId").map(str::to_string),
                options,
                exported: None,
                stub,
            });
            if let Some(w) = r.get("WBSObjectId") {
                // The project's own WBS node: activities naming it sit at the project's top level.
                p6.wbs.push(P6Wbs {
                    key: w.to_string(),
                    project_key: key.clone(),
                    project_node: true,
                    ..P6Wbs::default()
                });
            }
            for child in node.children.iter().filter(|c| !c.children.is_empty()) {
                if child.name == "ScheduleOptions" {
                    continue;
                }
                record(file, child, Some(&key), p6, tally, skipped)?;
            }
        }
        "Calendar" => p6.calendars.push(calendar(&r)?),
        "WBS" => p6.wbs.push(P6Wbs {
            key: r.req("ObjectId")?,
            parent_key: r.get("ParentObjectId").map(str::to_string),
            project_key: project_of(&r)?,
            project_node: false,
            seq: r.number("SequenceNumber")?.unwrap_or(0.0) as i64,
            code: r.string("Code"),
            name: r.string("Name"),
        }),
        "Activity" => {
            let a = activity(&r, project_of(&r)?, tally)?;
            p6.activities.push(a);
        }
        "Relationship" => {
            let kind = match r.get("Type") {
                Some("Finish to Start") | None => LinkType::FS,
                Some("Start to Start") => LinkType::SS,
                Some("Finish to Finish") => LinkType::FF,
                Some("Start to Finish") => LinkType::SF,
                Some(v) => {
                    return Err(r.err("Type", format!("{v:?} is not a relationship type (Finish to Start, ...)")));
                }
            };
            p6.relationships.push(P6Relationship {
                key: r.string("ObjectId"),
                succ: r.req("SuccessorActivityObjectId")?,
                pred: r.req("PredecessorActivityObjectId")?,
                succ_project: r.get("SuccessorProjectObjectId").map(str::to_string),
                pred_project: r.get("PredecessorProjectObjectId").map(str::to_string),
                kind,
                lag_minutes: r.minutes("Lag")?.unwrap_or(0),
                loc: r.loc(),
            });
        }
        "Resource" => {
            let kind = match r.get("ResourceType") {
                Some("Material") => ResourceKind::Material,
                _ => ResourceKind::Work,
            };
            p6.resources.push(P6Resource {
                resource: Resource {
                    key: r.req("ObjectId")?,
                    name: r.string("Name"),
                    kind,
                    max_units: r.number("MaxUnitsPerTime")?,
                    calendar: None,
                    rate_minor_per_hour: None,
                },
                calendar_key: r.get("CalendarObjectId").map(str::to_string),
            });
        }
        "ResourceAssignment" => {
            let actual = match (r.number("ActualRegularUnits")?, r.number("ActualOvertimeUnits")?) {
                (None, None) => r.number("ActualUnits")?,
                (a, b) => Some(a.unwrap_or(0.0) + b.unwrap_or(0.0)),
            };
            p6.assignments.push(P6Assignment {
                task_key: r.req("ActivityObjectId")?,
                resource_key: r.get("ResourceObjectId").map(str::to_string),
                assignment: Assignment {
                    task: 0,
                    resource: 0,
                    units: r.number("PlannedUnitsPerTime")?.unwrap_or(1.0),
                    work_minutes: r.number("PlannedUnits")?.map(hours_to_minutes),
                    actual_work_minutes: actual.map(hours_to_minutes),
                    remaining_work_minutes: r.number("RemainingUnits")?.map(hours_to_minutes),
                    cost_minor: r.number("PlannedCost")?.map(|c| (c * 100.0).round() as i64),
                },
                loc: r.loc(),
            });
        }
        other => *skipped.entry(other.to_string()).or_default() += 1,
    }
    Ok(())
}

/// A `ScheduleOptions` element (full P6 exports carry one per project).
fn schedule_options(r: &Rec<'_>, o: &mut P6Options) -> Result<(), ImportError> {
    if let Some(v) = r.get("SchedulingProgressedActivities") {
        o.progress = Some(match v {
            "Retained Logic" => ProgressRule::RetainedLogic,
            "Progress Override" => ProgressRule::ProgressOverride,
            "Actual Dates" => ProgressRule::ActualDates,
            other => {
                return Err(r.err(
                    "SchedulingProgressedActivities",
                    format!("{other:?} is not Retained Logic, Progress Override or Actual Dates"),
                ));
            }
        });
    }
    if let Some(v) = r.get("ComputeTotalFloatType") {
        o.float_type = Some(match v {
            "Start Float = Late Start - Early Start" => FloatType::Start,
            "Finish Float = Late Finish - Early Finish" => FloatType::Finish,
            "Smallest of Start Float and Finish Float" => FloatType::Smallest,
            other => return Err(r.err("ComputeTotalFloatType", format!("{other:?} is not a P6 total float type"))),
        });
    }
    if let Some(v) = r.get("CalendarForSchedulingRelationshipLag") {
        o.lag_calendar = Some(match v {
            "Predecessor Activity Calendar" => LagCalendar::Predecessor,
            "Successor Activity Calendar" => LagCalendar::Successor,
            "24 Hour Calendar" => LagCalendar::TwentyFourHour,
            "Project Default Calendar" => LagCalendar::ProjectDefault,
            other => {
                return Err(
                    r.err("CalendarForSchedulingRelationshipLag", format!("{other:?} is not a P6 lag calendar"))
                );
            }
        });
    }
    if let Some(m) = r.minutes("CriticalActivityFloatThreshold")? {
        o.critical_float_minutes = Some(m);
    }
    if let Some(v) = r.get("CriticalActivityPathType") {
        o.critical_by_longest_path = Some(v == "Longest Path");
    }
    Ok(())
}

/// A `Calendar` element with its standard week and exceptions.
fn calendar(r: &Rec<'_>) -> Result<P6Calendar, ImportError> {
    let key = r.req("ObjectId")?;
    let mut cal = Calendar { key, name: r.string("Name"), ..Calendar::default() };
    if let Some(week) = r.node.children.iter().find(|c| c.name == "StandardWorkWeek") {
        for day in week.children.iter().filter(|c| c.name == "StandardWorkHours") {
            let dr = Rec { file: r.file, node: day };
            let ix = match dr.get("DayOfWeek") {
                Some("Monday") => 0,
                Some("Tuesday") => 1,
                Some("Wednesday") => 2,
                Some("Thursday") => 3,
                Some("Friday") => 4,
                Some("Saturday") => 5,
                Some("Sunday") => 6,
                other => return Err(dr.err("DayOfWeek", format!("{other:?} is not a day of the week"))),
            };
            cal.week[ix] = Some(work_times(&dr)?);
        }
    }
    if let Some(list) = r.node.children.iter().find(|c| c.name == "HolidayOrExceptions") {
        for ex in list.children.iter().filter(|c| c.name == "HolidayOrException") {
            let er = Rec { file: r.file, node: ex };
            let date = er.date("Date")?.ok_or_else(|| er.err("Date", "is required but empty or missing"))?.date();
            cal.exceptions.push(Exception {
                name: String::new(),
                from: date,
                to: date,
                working: work_times(&er)?,
                recurrence: None,
            });
        }
    }
    cal.exceptions.sort_by_key(|e| e.from);
    Ok(P6Calendar {
        calendar: cal,
        base_key: r.get("BaseCalendarObjectId").map(str::to_string),
        is_default: r.flag("IsDefault") == Some(true),
        hours_per_day: r.number("HoursPerDay")?,
        hours_per_week: r.number("HoursPerWeek")?,
        hours_per_month: r.number("HoursPerMonth")?,
    })
}

/// `WorkTime` children (Start/Finish as `hh:mm:ss`; P6 writes a finish as `11:59:00` for noon).
fn work_times(r: &Rec<'_>) -> Result<Vec<WorkingTime>, ImportError> {
    let mut out = Vec::new();
    for wt in r.node.children.iter().filter(|c| c.name == "WorkTime" && !c.nil && !c.children.is_empty()) {
        let w = Rec { file: r.file, node: wt };
        let time = |field: &str| -> Result<u16, ImportError> {
            let v = w.req(field)?;
            let bad = || w.err(field, format!("{v:?} is not a time of day (hh:mm:ss)"));
            let mut parts = v.split(':');
            let h: u16 = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
            let m: u16 = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
            if h > 24 || m > 59 {
                return Err(bad());
            }
            Ok(h * 60 + m)
        };
        let from = time("Start")?;
        let mut to = time("Finish")?;
        if to % 60 == 59 {
            to += 1;
        }
        if to == 0 {
            to = 1440;
        }
        if to <= from || to > 1440 {
            return Err(w.err("Finish", format!("working time ends at minute {to}, before it starts at {from}")));
        }
        out.push(WorkingTime { from, to });
    }
    out.sort_by_key(|w| w.from);
    Ok(out)
}

fn constraint(
    r: &Rec<'_>,
    type_field: &str,
    date_field: &str,
    tally: &mut Tally,
    code: &str,
) -> Result<Option<Constraint>, ImportError> {
    let Some(v) = r.get(type_field) else { return Ok(None) };
    let kind = match v {
        "As Soon As Possible" => return Ok(None),
        "As Late As Possible" => ConstraintKind::Alap,
        "Start On" => ConstraintKind::Mso,
        "Finish On" => ConstraintKind::Mfo,
        "Start On or After" => ConstraintKind::Snet,
        "Start On or Before" => ConstraintKind::Snlt,
        "Finish On or After" => ConstraintKind::Fnet,
        "Finish On or Before" => ConstraintKind::Fnlt,
        "Mandatory Start" => ConstraintKind::MandatoryStart,
        "Mandatory Finish" => ConstraintKind::MandatoryFinish,
        other => return Err(r.err(type_field, format!("{other:?} is not a P6 constraint type"))),
    };
    if kind == ConstraintKind::Alap {
        return Ok(Some(Constraint { kind, date: None }));
    }
    match r.date(date_field)? {
        Some(d) => Ok(Some(Constraint { kind, date: Some(d) })),
        None => {
            tally.add("dated constraint without a date ignored", format!("{code} {v}"));
            Ok(None)
        }
    }
}

/// An `Activity` element.
fn activity(r: &Rec<'_>, project_key: String, tally: &mut Tally) -> Result<P6Activity, ImportError> {
    let code = r.string("Id");
    let kind = match r.get("Type") {
        Some("Task Dependent") | Some("Resource Dependent") | None => TaskKind::Task,
        Some("Start Milestone") => TaskKind::Milestone,
        Some("Finish Milestone") => TaskKind::FinishMilestone,
        Some("Level of Effort") => TaskKind::LevelOfEffort,
        Some("WBS Summary") => TaskKind::WbsSummary,
        Some(v) => return Err(r.err("Type", format!("{v:?} is not a P6 activity type"))),
    };
    if r.get("Type") == Some("Resource Dependent") {
        tally.add("resource-dependent activity scheduled as task-dependent", code.clone());
    }
    let target = r.minutes("PlannedDuration")?.unwrap_or(0);
    let remain = r.minutes("RemainingDuration")?;
    let actual_start = r.date("ActualStartDate")?;
    let actual_finish = r.date("ActualFinishDate")?;
    let percent = match r.get("PercentCompleteType") {
        Some("Physical") => r.number("PhysicalPercentComplete")?,
        Some("Units") => r.number("UnitsPercentComplete")?,
        Some("Duration") => r.number("DurationPercentComplete")?,
        _ => None,
    }
    .or(r.number("PercentComplete")?)
    .unwrap_or(0.0);
    // P6 writes percentages either as 0-1 fractions (API) or 0-100.
    let percent = if percent <= 1.0 && r.get("PercentComplete").is_some_and(|v| v.contains(['.', ','])) {
        percent * 100.0
    } else {
        percent
    };
    let early_start = r.date("EarlyStartDate")?.or(r.date("RemainingEarlyStartDate")?);
    let early_finish = r.date("EarlyFinishDate")?.or(r.date("RemainingEarlyFinishDate")?);
    let stored = StoredDates {
        start: r.date("StartDate")?.or(actual_start).or(early_start),
        finish: r.date("FinishDate")?.or(actual_finish).or(early_finish),
        early_start,
        early_finish,
        late_start: r.date("LateStartDate")?.or(r.date("RemainingLateStartDate")?),
        late_finish: r.date("LateFinishDate")?.or(r.date("RemainingLateFinishDate")?),
        total_float: r.minutes("TotalFloat")?,
        free_float: r.minutes("FreeFloat")?,
        critical: None,
        date_only: false,
    };
    let planned_start = r.date("PlannedStartDate")?;
    let planned_finish = r.date("PlannedFinishDate")?;
    let baselines = if planned_start.is_some() || planned_finish.is_some() {
        vec![Baseline {
            number: 0,
            start: planned_start,
            finish: planned_finish,
            duration_minutes: Some(target),
            cost_minor: None,
        }]
    } else {
        Vec::new()
    };
    Ok(P6Activity {
        task: Task {
            key: r.req("ObjectId")?,
            name: r.string("Name"),
            kind,
            duration: Duration::working(target, DurationUnit::Hours),
            remaining: remain.map(|m| Duration::working(m, DurationUnit::Hours)),
            constraint: constraint(r, "PrimaryConstraintType", "PrimaryConstraintDate", tally, &code)?,
            secondary_constraint: constraint(r, "SecondaryConstraintType", "SecondaryConstraintDate", tally, &code)?,
            actual_start,
            actual_finish,
            percent_complete: percent.clamp(0.0, 100.0),
            baselines,
            stored,
            code,
            ..Task::default()
        },
        project_key,
        wbs_key: r.get("WBSObjectId").map(str::to_string),
        calendar_key: r.get("CalendarObjectId").map(str::to_string),
        driving_path: r.flag("DrivingPathFlag"),
        loc: r.loc(),
    })
}
