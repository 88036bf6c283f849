//! Raw rows to the schedule model: tasks (on both cores for large files), links, calendars,
//! resources and assignments, with the warnings for what Keel does not model.

use super::*;

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

    pub(super) fn finish(mut self) -> Result<Schedule, ImportError> {
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
            calendars.push(Calendar { key: "1".into(), ..keel_engine::schedule::calendar::standard() });
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
