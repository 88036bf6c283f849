//! What XER and PMXML share: a P6 file read into P6 terms (projects, WBS nodes, activities,
//! relationships by P6 identifier), then resolved into the [`Schedule`] model in one place, so
//! that an XER and its PMXML twin import to the same tasks, outline and links.

use std::collections::{BTreeMap, HashMap};

use chrono::{NaiveDate, NaiveDateTime};
use keel_engine::schedule::{
    Assignment, Calendar, CalendarIx, FloatType, ImportWarning, LagCalendar, Link, LinkType, Mode, Options, Origin,
    ProgressRule, ProjectInfo, Resource, Schedule, Task, TaskIx, TaskKind, WorkingTime,
};

use crate::ImportError;

/// Where a record came from, for error messages: a line (XER) or a line and element (PMXML).
#[derive(Debug, Clone, Default)]
pub(crate) struct Loc {
    /// 1-based line.
    pub line: Option<usize>,
    /// Table or element the record is in (`TASKPRED`, `Relationship`).
    pub table: String,
}

impl Loc {
    /// An error at this record about `field`.
    pub fn error(&self, file: &str, field: &str, message: impl Into<String>) -> ImportError {
        ImportError {
            file: file.to_string(),
            line: self.line,
            field: Some(format!("{}.{field}", self.table)),
            message: message.into(),
        }
    }
}

/// Scheduling options of one P6 project, already mapped onto the model where it has a place.
#[derive(Debug, Clone, Default)]
pub(crate) struct P6Options {
    pub progress: Option<ProgressRule>,
    pub float_type: Option<FloatType>,
    pub critical_float_minutes: Option<i64>,
    pub critical_by_longest_path: Option<bool>,
    pub lag_calendar: Option<LagCalendar>,
    /// Options Keel does not model, as "name = value", reported once.
    pub unmodelled: Vec<String>,
}

/// A P6 project (XER `PROJECT` row, PMXML `Project` element).
#[derive(Debug, Clone, Default)]
pub(crate) struct P6Project {
    pub key: String,
    pub short_name: String,
    pub name: Option<String>,
    pub start: Option<NaiveDateTime>,
    pub must_finish_by: Option<NaiveDateTime>,
    pub data_date: Option<NaiveDateTime>,
    pub calendar: Option<String>,
    pub options: P6Options,
    /// Whether the file was exported for this project (XER `export_flag`), rather than carried only
    /// because another project links to it. `None` when the file does not say.
    pub exported: Option<bool>,
    /// A PMXML placeholder project holding only the external activities other projects link to.
    pub stub: bool,
}

/// A P6 calendar with its P6 base reference and hour counts.
#[derive(Debug, Clone, Default)]
pub(crate) struct P6Calendar {
    pub calendar: Calendar,
    pub base_key: Option<String>,
    pub is_default: bool,
    pub hours_per_day: Option<f64>,
    pub hours_per_week: Option<f64>,
    pub hours_per_month: Option<f64>,
}

/// A WBS node (XER `PROJWBS`, PMXML `WBS`).
#[derive(Debug, Clone, Default)]
pub(crate) struct P6Wbs {
    pub key: String,
    pub parent_key: Option<String>,
    pub project_key: String,
    pub project_node: bool,
    pub seq: i64,
    pub code: String,
    pub name: String,
}

/// An activity with its P6 references still unresolved.
#[derive(Debug, Clone, Default)]
pub(crate) struct P6Activity {
    pub task: Task,
    pub project_key: String,
    pub wbs_key: Option<String>,
    pub calendar_key: Option<String>,
    pub driving_path: Option<bool>,
    pub loc: Loc,
}

/// A relationship by P6 activity ids.
#[derive(Debug, Clone, Default)]
pub(crate) struct P6Relationship {
    pub key: String,
    pub succ: String,
    pub pred: String,
    pub succ_project: Option<String>,
    pub pred_project: Option<String>,
    pub kind: LinkType,
    pub lag_minutes: i64,
    pub loc: Loc,
}

/// A resource with its calendar reference.
#[derive(Debug, Clone, Default)]
pub(crate) struct P6Resource {
    pub resource: Resource,
    pub calendar_key: Option<String>,
}

/// A resource assignment by P6 ids.
#[derive(Debug, Clone)]
pub(crate) struct P6Assignment {
    pub task_key: String,
    pub resource_key: Option<String>,
    pub assignment: Assignment,
    pub loc: Loc,
}

/// A P6 file in P6 terms.
#[derive(Debug, Clone, Default)]
pub(crate) struct P6File {
    pub source_format: String,
    pub projects: Vec<P6Project>,
    pub calendars: Vec<P6Calendar>,
    pub wbs: Vec<P6Wbs>,
    pub activities: Vec<P6Activity>,
    pub relationships: Vec<P6Relationship>,
    pub resources: Vec<P6Resource>,
    pub assignments: Vec<P6Assignment>,
    pub warnings: Vec<ImportWarning>,
}

/// Counts occurrences of one kind of unmodelled thing and reports them once, with a few examples.
#[derive(Debug, Default)]
pub(crate) struct Tally {
    kinds: BTreeMap<String, (usize, Vec<String>)>,
}

impl Tally {
    /// Records one occurrence of `kind` (its message) at `example`.
    pub fn add(&mut self, kind: &str, example: impl Into<String>) {
        let entry = self.kinds.entry(kind.to_string()).or_default();
        entry.0 += 1;
        if entry.1.len() < 5 {
            entry.1.push(example.into());
        }
    }

    /// Turns the tally into one warning per kind.
    pub fn into_warnings(self, location: &str, out: &mut Vec<ImportWarning>) {
        for (kind, (count, examples)) in self.kinds {
            let more = if count > examples.len() { ", ..." } else { "" };
            out.push(ImportWarning {
                location: location.to_string(),
                message: format!("{kind} ({count}: {}{more})", examples.join(", ")),
            });
        }
    }
}

/// A Monday-to-Friday 08:00-12:00, 13:00-17:00 week.
pub(crate) fn standard_week() -> [Option<Vec<WorkingTime>>; 7] {
    let day = vec![WorkingTime { from: 480, to: 720 }, WorkingTime { from: 780, to: 1020 }];
    [Some(day.clone()), Some(day.clone()), Some(day.clone()), Some(day.clone()), Some(day), Some(vec![]), Some(vec![])]
}

/// Hours (as P6 stores durations and floats) to whole minutes.
pub(crate) fn hours_to_minutes(hours: f64) -> i64 {
    (hours * 60.0).round() as i64
}

/// Resolves a P6 file into the model. Errors name the file and the record.
pub(crate) fn assemble(file: &str, p6: P6File) -> Result<Schedule, ImportError> {
    let mut warnings = p6.warnings;
    let mut tally = Tally::default();

    // Calendars.
    let mut calendars: Vec<Calendar> = Vec::with_capacity(p6.calendars.len());
    let mut cal_ix: HashMap<String, CalendarIx> = HashMap::new();
    for (i, c) in p6.calendars.iter().enumerate() {
        cal_ix.insert(c.calendar.key.clone(), i);
        calendars.push(c.calendar.clone());
    }
    for (i, c) in p6.calendars.iter().enumerate() {
        if let Some(base) = &c.base_key {
            match cal_ix.get(base) {
                Some(&b) if b != i => calendars[i].base = Some(b),
                _ => tally.add(
                    "calendar base not in the file: the calendar's own week is used",
                    format!("calendar {} base {base}", c.calendar.key),
                ),
            }
        }
    }
    let mut default_cal = p6.calendars.iter().position(|c| c.is_default);
    let mut fallback_calendar = |calendars: &mut Vec<Calendar>, warnings: &mut Vec<ImportWarning>| -> CalendarIx {
        if let Some(d) = default_cal {
            return d;
        }
        if !calendars.is_empty() {
            default_cal = Some(0);
            return 0;
        }
        calendars.push(Calendar {
            key: String::new(),
            name: "Standard (assumed)".into(),
            week: standard_week(),
            ..Calendar::default()
        });
        warnings.push(ImportWarning {
            location: "CALENDAR".into(),
            message: "the file has no calendars: a Monday-Friday 8-hour calendar is assumed".into(),
        });
        default_cal = Some(calendars.len() - 1);
        calendars.len() - 1
    };

    // Projects.
    if p6.projects.is_empty() {
        return Err(ImportError::file(file, "no project in the file (expected a PROJECT table or Project element)"));
    }
    let main = p6
        .projects
        .iter()
        .position(|p| p.exported == Some(true))
        .or_else(|| p6.projects.iter().position(|p| !p.stub))
        .unwrap_or(0);
    let mut proj_ix: HashMap<String, usize> = HashMap::new();
    let earliest = |key: &str| {
        p6.activities
            .iter()
            .filter(|a| a.project_key == key)
            .filter_map(|a| a.task.actual_start.or(a.task.stored.early_start).or(a.task.stored.start))
            .min()
    };
    let main_start = {
        let p = &p6.projects[main];
        p.start.or(p.data_date).or_else(|| earliest(&p.key))
    };
    let mut projects = Vec::with_capacity(p6.projects.len());
    for p in &p6.projects {
        if proj_ix.insert(p.key.clone(), projects.len()).is_some() {
            return Err(ImportError::file(file, format!("project {} appears twice", p.key)));
        }
        let start = match p.start.or(p.data_date).or_else(|| earliest(&p.key)).or(main_start) {
            Some(s) => s,
            None => {
                warnings.push(ImportWarning {
                    location: format!("project {}", p.short_name),
                    message: "no planned start, data date or activity date: start set to 2000-01-01".into(),
                });
                NaiveDate::from_ymd_opt(2000, 1, 1).and_then(|d| d.and_hms_opt(0, 0, 0)).unwrap_or_default()
            }
        };
        let calendar = match calendar_for(&cal_ix, p.calendar.as_ref(), &mut tally, &format!("project {}", p.key)) {
            Some(c) => c,
            None => fallback_calendar(&mut calendars, &mut warnings),
        };
        projects.push(ProjectInfo {
            key: p.key.clone(),
            name: p.name.clone().unwrap_or_else(|| p.short_name.clone()),
            start,
            finish_constraint: p.must_finish_by,
            status_date: p.data_date,
            calendar,
            schedule_from_finish: false,
        });
    }

    // Options: the main project's; other projects that differ are reported.
    let mp = &p6.projects[main];
    let mut options = Options { mode: Mode::Primavera, ..Options::default() };
    let o = &mp.options;
    options.progress = o.progress.unwrap_or(ProgressRule::RetainedLogic);
    options.float_type = o.float_type.unwrap_or(FloatType::Finish);
    options.critical_float_minutes = o.critical_float_minutes.unwrap_or(0);
    options.critical_by_longest_path = o.critical_by_longest_path.unwrap_or(false);
    options.lag_calendar = o.lag_calendar.unwrap_or(LagCalendar::Predecessor);
    if let Some(c) = p6.calendars.get(projects[main].calendar) {
        if let Some(h) = c.hours_per_day.filter(|h| *h > 0.0 && *h <= 24.0) {
            options.minutes_per_day = hours_to_minutes(h) as u32;
            if let Some(m) = c.hours_per_month.filter(|m| *m > 0.0) {
                options.days_per_month = ((m / h).round() as u32).max(1);
            }
        }
        if let Some(w) = c.hours_per_week.filter(|w| *w > 0.0 && *w <= 168.0) {
            options.minutes_per_week = hours_to_minutes(w) as u32;
        }
    }
    for u in &o.unmodelled {
        tally.add("schedule option not modelled", u.clone());
    }
    for (i, p) in p6.projects.iter().enumerate() {
        if i == main || p.stub {
            continue;
        }
        let q = &p.options;
        let differs = (q.progress.is_some() && q.progress != o.progress)
            || (q.float_type.is_some() && q.float_type != o.float_type)
            || (q.critical_float_minutes.is_some() && q.critical_float_minutes != o.critical_float_minutes)
            || (q.critical_by_longest_path.is_some() && q.critical_by_longest_path != o.critical_by_longest_path)
            || (q.lag_calendar.is_some() && q.lag_calendar != o.lag_calendar);
        if differs {
            tally.add(
                "project's schedule options differ from the main project's, whose options apply to the whole file",
                format!("{} vs {}", p.short_name, mp.short_name),
            );
        }
    }

    // Outline: per project, WBS nodes as summaries before their activities.
    let mut wbs_by_project: HashMap<&str, Vec<&P6Wbs>> = HashMap::new();
    let mut wbs_keys: HashMap<&str, &P6Wbs> = HashMap::new();
    for w in &p6.wbs {
        wbs_keys.insert(w.key.as_str(), w);
    }
    for w in &p6.wbs {
        wbs_by_project.entry(w.project_key.as_str()).or_default().push(w);
    }
    let mut acts_by_project: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, a) in p6.activities.iter().enumerate() {
        if !proj_ix.contains_key(&a.project_key) {
            return Err(a.loc.error(file, "proj_id", format!("project {} is not in the file", a.project_key)));
        }
        acts_by_project.entry(a.project_key.as_str()).or_default().push(i);
    }

    let mut tasks: Vec<Task> = Vec::with_capacity(p6.activities.len() + p6.wbs.len());
    let mut task_ix: HashMap<(usize, &str), TaskIx> = HashMap::new();
    let mut by_key: HashMap<&str, Vec<TaskIx>> = HashMap::new();
    for (pix, p) in p6.projects.iter().enumerate() {
        let nodes = wbs_by_project.remove(p.key.as_str()).unwrap_or_default();
        // Children of each WBS node (None = project root), ordered by sequence then code.
        let node_keys: HashMap<&str, &P6Wbs> = nodes.iter().map(|w| (w.key.as_str(), *w)).collect();
        let root_keys: Vec<&str> = nodes.iter().filter(|w| w.project_node).map(|w| w.key.as_str()).collect();
        let mut children: HashMap<Option<&str>, Vec<&P6Wbs>> = HashMap::new();
        for w in &nodes {
            if w.project_node {
                continue;
            }
            let parent = match w.parent_key.as_deref() {
                Some(pk) if node_keys.get(pk).is_some_and(|n| !n.project_node) => Some(pk),
                Some(pk) if root_keys.contains(&pk) => None,
                other => {
                    if let Some(pk) = other {
                        tally.add(
                            "WBS parent not in the project: node placed at the top",
                            format!("WBS {} parent {pk}", w.key),
                        );
                    }
                    None
                }
            };
            children.entry(parent).or_default().push(w);
        }
        for list in children.values_mut() {
            list.sort_by(|a, b| a.seq.cmp(&b.seq).then_with(|| a.code.cmp(&b.code)));
        }
        let mut acts_in: HashMap<Option<&str>, Vec<usize>> = HashMap::new();
        for &ai in acts_by_project.get(p.key.as_str()).map(Vec::as_slice).unwrap_or(&[]) {
            let a = &p6.activities[ai];
            let node = match a.wbs_key.as_deref() {
                None => None,
                Some(k) if root_keys.contains(&k) => None,
                Some(k) if node_keys.contains_key(k) => Some(k),
                Some(k) => {
                    let place = if wbs_keys.contains_key(k) { "in another project" } else { "not in the file" };
                    tally.add(
                        &format!("activity's WBS node {place}: activity placed at the project's top level"),
                        format!("{} WBS {k}", a.task.code),
                    );
                    None
                }
            };
            acts_in.entry(node).or_default().push(ai);
        }
        // Depth-first walk with an explicit stack (no recursion on file-controlled depth).
        // Each entry: (node, level of its children, parent summary index, WBS code prefix).
        struct Frame<'a> {
            node: Option<&'a str>,
            level: u16,
            parent: Option<TaskIx>,
            code: String,
        }
        let mut stack = vec![Frame { node: None, level: 1, parent: None, code: String::new() }];
        let mut visited = 0usize;
        while let Some(f) = stack.pop() {
            visited += 1;
            if visited > nodes.len() + 1 {
                break; // a cycle in parent links: every node is visited at most once
            }
            for &ai in acts_in.get(&f.node).map(Vec::as_slice).unwrap_or(&[]) {
                let a = &p6.activities[ai];
                let mut t = a.task.clone();
                t.project = pix;
                t.wbs = f.code.clone();
                t.outline_level = f.level;
                t.parent = f.parent;
                t.calendar =
                    calendar_for(&cal_ix, a.calendar_key.as_ref(), &mut tally, &format!("activity {}", t.code));
                if t.stored.critical.is_none() {
                    t.stored.critical = if options.critical_by_longest_path {
                        a.driving_path
                    } else {
                        t.stored.total_float.map(|tf| tf <= options.critical_float_minutes)
                    };
                }
                if task_ix.insert((pix, a.task.key.as_str()), tasks.len()).is_some() {
                    return Err(a.loc.error(file, "task_id", format!("activity {} appears twice", a.task.key)));
                }
                by_key.entry(a.task.key.as_str()).or_default().push(tasks.len());
                tasks.push(t);
            }
            let kids = children.get(&f.node).cloned().unwrap_or_default();
            // Push in reverse so the first child is walked first.
            let mut frames = Vec::with_capacity(kids.len());
            for w in kids {
                let code = if f.code.is_empty() { w.code.clone() } else { format!("{}.{}", f.code, w.code) };
                let ix = tasks.len();
                tasks.push(Task {
                    key: w.key.clone(),
                    code: code.clone(),
                    name: w.name.clone(),
                    project: pix,
                    wbs: code.clone(),
                    outline_level: f.level,
                    parent: f.parent,
                    kind: TaskKind::Summary,
                    ..Task::default()
                });
                frames.push(Frame {
                    node: Some(w.key.as_str()),
                    level: f.level.saturating_add(1),
                    parent: Some(ix),
                    code,
                });
            }
            stack.extend(frames.into_iter().rev());
        }
        // Activities under nodes never reached (parent cycles) still land at the top level.
        let placed: usize = acts_by_project.get(p.key.as_str()).map_or(0, Vec::len);
        let in_tasks = tasks.iter().filter(|t| t.project == pix && t.kind != TaskKind::Summary).count();
        if in_tasks < placed {
            for &ai in acts_by_project.get(p.key.as_str()).map(Vec::as_slice).unwrap_or(&[]) {
                let a = &p6.activities[ai];
                if task_ix.contains_key(&(pix, a.task.key.as_str())) {
                    continue;
                }
                tally.add(
                    "activity's WBS node is in a WBS cycle: activity placed at the top level",
                    a.task.code.clone(),
                );
                let mut t = a.task.clone();
                t.project = pix;
                t.outline_level = 1;
                t.calendar = calendar_for(&cal_ix, a.calendar_key.as_ref(), &mut tally, &t.code.clone());
                task_ix.insert((pix, a.task.key.as_str()), tasks.len());
                by_key.entry(a.task.key.as_str()).or_default().push(tasks.len());
                tasks.push(t);
            }
        }
    }

    // Links.
    let find = |key: &str, project: Option<&String>| -> Option<TaskIx> {
        match project.map(|p| proj_ix.get(p)) {
            Some(Some(&pix)) => task_ix.get(&(pix, key)).copied(),
            Some(None) => None,
            None => by_key.get(key).and_then(|v| v.first().copied()),
        }
    };
    let mut links = Vec::with_capacity(p6.relationships.len());
    for r in &p6.relationships {
        let succ = find(&r.succ, r.succ_project.as_ref());
        let pred = find(&r.pred, r.pred_project.as_ref());
        let external = |proj: &Option<String>| proj.as_ref().is_some_and(|p| !proj_ix.contains_key(p));
        match (pred, succ) {
            (Some(pred), Some(succ)) => {
                if pred == succ {
                    tally.add("relationship from an activity to itself ignored", r.key.clone());
                    continue;
                }
                links.push(Link {
                    pred,
                    succ,
                    kind: r.kind,
                    lag: keel_engine::schedule::Lag {
                        amount: r.lag_minutes,
                        unit: keel_engine::schedule::DurationUnit::Hours,
                        elapsed: false,
                    },
                });
            }
            (None, _) if external(&r.pred_project) => tally.add(
                "relationship to an activity in a project not in the file ignored",
                format!("pred {} in project {} -> {}", r.pred, r.pred_project.clone().unwrap_or_default(), r.succ),
            ),
            (_, None) if external(&r.succ_project) => tally.add(
                "relationship to an activity in a project not in the file ignored",
                format!("{} -> succ {} in project {}", r.pred, r.succ, r.succ_project.clone().unwrap_or_default()),
            ),
            (None, _) => {
                return Err(r.loc.error(
                    file,
                    "pred_task_id",
                    format!(
                        "relationship {} -> {}: predecessor activity {} is not in the file",
                        r.pred, r.succ, r.pred
                    ),
                ));
            }
            (_, None) => {
                return Err(r.loc.error(
                    file,
                    "task_id",
                    format!("relationship {} -> {}: successor activity {} is not in the file", r.pred, r.succ, r.succ),
                ));
            }
        }
    }

    // Resources and assignments.
    let mut resources = Vec::with_capacity(p6.resources.len());
    let mut res_ix: HashMap<String, usize> = HashMap::new();
    for r in &p6.resources {
        let mut res = r.resource.clone();
        res.calendar = calendar_for(&cal_ix, r.calendar_key.as_ref(), &mut tally, &format!("resource {}", res.key));
        res_ix.insert(res.key.clone(), resources.len());
        resources.push(res);
    }
    let mut assignments = Vec::with_capacity(p6.assignments.len());
    for a in &p6.assignments {
        let Some(task) = by_key.get(a.task_key.as_str()).and_then(|v| v.first().copied()) else {
            return Err(a.loc.error(
                file,
                "task_id",
                format!("assignment to activity {} which is not in the file", a.task_key),
            ));
        };
        let Some(resource) = a.resource_key.as_ref().and_then(|k| res_ix.get(k).copied()) else {
            tally.add(
                "assignment without a resource in the file (role or unknown resource) not modelled",
                format!(
                    "activity {} resource {}",
                    tasks[task].code,
                    a.resource_key.clone().unwrap_or_else(|| "-".into())
                ),
            );
            continue;
        };
        let mut asg = a.assignment.clone();
        asg.task = task;
        asg.resource = resource;
        assignments.push(asg);
    }

    tally.into_warnings(file, &mut warnings);
    let name = projects[main].name.clone();
    Ok(Schedule {
        name,
        origin: Origin::Primavera,
        source_format: p6.source_format,
        options,
        projects,
        calendars,
        tasks,
        links,
        resources,
        assignments,
        warnings,
    })
}

/// The calendar index for a P6 calendar id; an unknown id is tallied and gives `None`.
fn calendar_for(
    cal_ix: &HashMap<String, CalendarIx>,
    key: Option<&String>,
    tally: &mut Tally,
    what: &str,
) -> Option<CalendarIx> {
    let k = key?;
    if let Some(&ix) = cal_ix.get(k) {
        return Some(ix);
    }
    tally.add("calendar not in the file: the project's calendar is used", format!("{what} calendar {k}"));
    None
}
