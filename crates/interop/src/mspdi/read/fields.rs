//! The MSPDI field handlers: each element's text, by the path it sits on, into the raw rows.

use super::*;

impl Parser<'_> {
    pub(super) fn project_field(&mut self, name: &str, v: &str) -> Result<(), ImportError> {
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

    pub(super) fn calendar_field(&mut self, f: &str, v: &str) -> Result<(), ImportError> {
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

    pub(super) fn day_field(&mut self, in_ww: bool, f: &str, v: &str) -> Result<(), ImportError> {
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

    pub(super) fn exception_field(&mut self, f: &str, v: &str) -> Result<(), ImportError> {
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

    pub(super) fn task_field(&mut self, f: &str, v: &str) -> Result<(), ImportError> {
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

    pub(super) fn resource_field(&mut self, f: &str, v: &str) -> Result<(), ImportError> {
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

    pub(super) fn assignment_field(&mut self, f: &str, v: &str) -> Result<(), ImportError> {
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
