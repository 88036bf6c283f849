//! DSLIB / ProTrack project workbooks (`.xlsx`): the baseline schedule, the working calendar
//! (`Agenda`), the three-point duration estimates (`Risk Analysis`), every tracking period
//! (`Project Control - TPn`, `TPn`) and, when present, ProTrack's own earned value figures per
//! period (`Tracking Overview`).
//!
//! Bytes in, model out: [`read`] parses a workbook; [`DslibProject::evm_input`] turns it into the
//! earned value engine's input on the workbook's own working calendar. A workbook that cannot be
//! read gives an [`ImportError`] naming the file, the sheet, the row, the column and what was
//! expected there.

use std::collections::HashMap;
use std::io::Cursor;

use calamine::{Data, Range, Reader, Xlsx};
use chrono::{Duration, NaiveDate, NaiveDateTime};
use keel_engine::forecast::evm::{
    ActivityStatus, CostMethod, EvmActivity, EvmInput, StatusPeriod, TimeBasis, TimeMethod, WorkCalendar,
};

use crate::ImportError;

pub mod check;
pub mod network;

/// A ProTrack project workbook.
#[derive(Debug, Clone, PartialEq)]
pub struct DslibProject {
    /// Project name (the baseline's row 0).
    pub name: String,
    /// Project baseline start (row 0), when given.
    pub start: Option<NaiveDateTime>,
    /// The working calendar of the `Agenda` sheet; `None` when the workbook has none.
    pub calendar: Option<WorkCalendar>,
    /// The `Agenda` sheet as read (what `calendar` was built from), for the schedule network.
    pub agenda: Option<Agenda>,
    /// Baseline rows other than the project row, in sheet order (summaries included, flagged).
    pub activities: Vec<DslibActivity>,
    /// Tracking periods in TP order.
    pub periods: Vec<TrackingPeriod>,
    /// ProTrack's stored figures per tracking period (`Tracking Overview`), empty when absent.
    pub overview: Vec<OverviewRow>,
    /// What was read but left out (out-of-order three-point estimates), for the import report.
    pub warnings: Vec<String>,
}

/// The `Agenda` sheet: working weekdays, working hours of a working day, holidays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agenda {
    /// Working weekdays, Monday first.
    pub week: [bool; 7],
    /// Working intervals of a working day, minutes after midnight, sorted and merged.
    pub hours: Vec<(u16, u16)>,
    /// Holidays as listed.
    pub holidays: Vec<NaiveDate>,
}

/// A baseline row.
#[derive(Debug, Clone, PartialEq)]
pub struct DslibActivity {
    /// 1-based row of the baseline sheet (0 when the activity was not read from a sheet).
    pub row: usize,
    /// ID as the sheet shows it.
    pub id: String,
    /// Name.
    pub name: String,
    /// WBS code (empty when the sheet has none).
    pub wbs: String,
    /// Predecessors as written (`1FS;3SS+2d`).
    pub predecessors: String,
    /// Baseline start.
    pub start: Option<NaiveDateTime>,
    /// Baseline finish.
    pub finish: Option<NaiveDateTime>,
    /// Baseline duration as written (`3d`, `4h`, `9d 15h`).
    pub duration: String,
    /// Fixed cost (falls due at the start).
    pub fixed_cost: f64,
    /// Total baseline cost.
    pub total_cost: f64,
    /// A WBS summary of other rows (its cost is theirs).
    pub summary: bool,
    /// Three-point duration estimate of the `Risk Analysis` sheet.
    pub risk: Option<ThreePoint>,
}

/// A three-point duration estimate, in percent of the baseline duration (ProTrack's convention).
#[derive(Debug, Clone, PartialEq)]
pub struct ThreePoint {
    /// Distribution profile as named (`standard - symmetric`, ...).
    pub profile: String,
    /// Optimistic duration, percent of baseline.
    pub optimistic_pct: f64,
    /// Most probable duration, percent of baseline.
    pub most_likely_pct: f64,
    /// Pessimistic duration, percent of baseline.
    pub pessimistic_pct: f64,
}

/// One tracking period sheet.
#[derive(Debug, Clone, PartialEq)]
pub struct TrackingPeriod {
    /// Sheet name.
    pub sheet: String,
    /// Period name (`TP Name`).
    pub name: String,
    /// Status date.
    pub status_date: NaiveDateTime,
    /// The project row's actual duration as written (`53d`): at the last period of a finished
    /// project, its real duration.
    pub project_actual_duration: String,
    /// Progress per activity ID.
    pub rows: Vec<TrackingRow>,
}

/// An activity's progress in a tracking period.
#[derive(Debug, Clone, PartialEq)]
pub struct TrackingRow {
    /// Activity ID.
    pub id: String,
    /// Actual start.
    pub actual_start: Option<NaiveDateTime>,
    /// Actual duration as written.
    pub actual_duration: String,
    /// Percent complete as a fraction 0..=1.
    pub percent_complete: f64,
    /// Actual cost to date.
    pub actual_cost: f64,
    /// ProTrack's tracking state (`Finished`, `Started`, `Not Started`).
    pub state: String,
    /// Earned value ProTrack stored for the activity.
    pub ev: Option<f64>,
    /// Planned value ProTrack stored for the activity.
    pub pv: Option<f64>,
}

/// ProTrack's figures for one tracking period (`Tracking Overview`).
#[derive(Debug, Clone, PartialEq)]
pub struct OverviewRow {
    /// Period name.
    pub name: String,
    /// Status date.
    pub status_date: Option<NaiveDateTime>,
    /// Planned value.
    pub pv: Option<f64>,
    /// Earned value.
    pub ev: Option<f64>,
    /// Actual cost.
    pub ac: Option<f64>,
    /// Earned schedule, as a date.
    pub es: Option<NaiveDateTime>,
    /// SPI.
    pub spi: Option<f64>,
    /// CPI.
    pub cpi: Option<f64>,
    /// SPI(t).
    pub spi_t: Option<f64>,
    /// p-factor.
    pub p_factor: Option<f64>,
    /// EAC(t) dates in the order of [`TimeMethod::ALL`].
    pub time_forecasts: [Option<NaiveDateTime>; 9],
    /// EAC in the order of [`CostMethod::ALL`].
    pub cost_forecasts: [Option<f64>; 8],
}

/// A worksheet with absolute positions for error messages.
struct Sheet<'a> {
    file: &'a str,
    name: String,
    range: Range<Data>,
}

fn col_letter(mut c: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (c % 26) as u8);
        if c < 26 {
            break;
        }
        c = c / 26 - 1;
    }
    s.reverse();
    String::from_utf8_lossy(&s).into_owned()
}

fn excel_datetime(serial: f64) -> Option<NaiveDateTime> {
    let base = NaiveDate::from_ymd_opt(1899, 12, 30)?.and_hms_opt(0, 0, 0)?;
    if !serial.is_finite() || !(0.0..3_000_000.0).contains(&serial) {
        return None;
    }
    // Round to the second: 8:00 is stored as 0.33333...
    Some(base + Duration::seconds((serial * 86_400.0).round() as i64))
}

fn text_date(s: &str) -> Option<NaiveDateTime> {
    let t = s.trim();
    let t = t.split_once(' ').filter(|(w, _)| w.chars().all(char::is_alphabetic)).map_or(t, |(_, rest)| rest.trim());
    // Day first (ProTrack's European exports), then month first (US exports such as "5/25/15").
    for f in [
        "%d/%m/%y %H:%M",
        "%d/%m/%Y %H:%M",
        "%d/%m/%y",
        "%d/%m/%Y",
        "%m/%d/%y",
        "%m/%d/%Y",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d",
    ] {
        if let Ok(d) = NaiveDateTime::parse_from_str(t, f) {
            return Some(d);
        }
        if let Ok(d) = NaiveDate::parse_from_str(t, f) {
            return d.and_hms_opt(0, 0, 0);
        }
    }
    None
}

impl<'a> Sheet<'a> {
    fn cell(&self, row: usize, col: usize) -> &Data {
        static EMPTY: Data = Data::Empty;
        self.range.get_value((row as u32, col as u32)).unwrap_or(&EMPTY)
    }

    fn rows(&self) -> usize {
        self.range.end().map_or(0, |(r, _)| r as usize + 1)
    }

    fn cols(&self) -> usize {
        self.range.end().map_or(0, |(_, c)| c as usize + 1)
    }

    fn err(&self, row: usize, col: usize, message: impl Into<String>) -> ImportError {
        ImportError {
            file: self.file.to_string(),
            line: Some(row + 1),
            field: Some(format!("sheet '{}', column {}", self.name, col_letter(col))),
            message: message.into(),
        }
    }

    fn text(&self, row: usize, col: usize) -> String {
        match self.cell(row, col) {
            Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.trim().to_string(),
            Data::Int(n) => n.to_string(),
            Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
            Data::Float(f) => f.to_string(),
            Data::Bool(b) => b.to_string(),
            Data::DateTime(d) => d.as_f64().to_string(),
            Data::Error(_) | Data::Empty => String::new(),
        }
    }

    fn number(&self, row: usize, col: usize, what: &str) -> Result<Option<f64>, ImportError> {
        match self.cell(row, col) {
            Data::Empty => Ok(None),
            Data::Int(n) => Ok(Some(*n as f64)),
            Data::Float(f) => Ok(Some(*f)),
            Data::String(s) if s.trim().is_empty() || s.trim() == "-" => Ok(None),
            Data::String(s) => {
                let t = s.trim();
                // ProTrack sometimes writes a percentage as text ("0%").
                let (t, scale) = match t.strip_suffix('%') {
                    Some(p) => (p.trim(), 0.01),
                    None => (t, 1.0),
                };
                t.parse::<f64>()
                    .map(|v| Some(v * scale))
                    .map_err(|_| self.err(row, col, format!("{what}: expected a number, found '{s}'")))
            }
            other => Err(self.err(row, col, format!("{what}: expected a number, found {other:?}"))),
        }
    }

    fn date(&self, row: usize, col: usize, what: &str) -> Result<Option<NaiveDateTime>, ImportError> {
        match self.cell(row, col) {
            Data::Empty => Ok(None),
            Data::DateTime(d) => excel_datetime(d.as_f64())
                .map(Some)
                .ok_or_else(|| self.err(row, col, format!("{what}: date out of range"))),
            Data::DateTimeIso(s) => NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S")
                .map(Some)
                .map_err(|_| self.err(row, col, format!("{what}: expected a date, found '{s}'"))),
            Data::String(s) if s.trim().is_empty() || s.trim() == "-" => Ok(None),
            // Dates exported as text, MS Project style: "Mon 22/08/16" (day/month/year).
            Data::String(s) => text_date(s).map(Some).ok_or_else(|| {
                self.err(row, col, format!("{what}: expected a date (or text like 'Mon 22/08/16'), found '{s}'"))
            }),
            other => Err(self.err(row, col, format!("{what}: expected a date, found {other:?}"))),
        }
    }

    /// The first row (of the first `within`) whose first cell reads `first`, and its headers.
    fn header(&self, first: &str, within: usize) -> Result<(usize, HashMap<String, Vec<usize>>), ImportError> {
        let start = self.range.start().map_or(0, |(r, _)| r as usize);
        for r in start..self.rows().min(start + within) {
            if self.text(r, 0) == first {
                let mut map: HashMap<String, Vec<usize>> = HashMap::new();
                for c in 0..self.cols() {
                    let h = self.text(r, c);
                    if !h.is_empty() {
                        map.entry(h).or_default().push(c);
                    }
                }
                return Ok((r, map));
            }
        }
        Err(self.err(start, 0, format!("expected a header row starting with '{first}' in the first {within} rows")))
    }
}

fn column(sheet: &Sheet, header: &HashMap<String, Vec<usize>>, row: usize, name: &str) -> Result<usize, ImportError> {
    header
        .get(name)
        .and_then(|v| v.first().copied())
        .ok_or_else(|| sheet.err(row, 0, format!("expected a column headed '{name}'")))
}

fn open_sheet<'a>(wb: &mut Xlsx<Cursor<&[u8]>>, file: &'a str, name: &str) -> Result<Sheet<'a>, ImportError> {
    let range = wb.worksheet_range(name).map_err(|e| ImportError {
        file: file.into(),
        line: None,
        field: Some(format!("sheet '{name}'")),
        message: e.to_string(),
    })?;
    Ok(Sheet { file, name: name.to_string(), range })
}

/// Reads a ProTrack workbook.
///
/// Sheets are found by name: `Baseline Schedule` (required; a trailing digit is accepted),
/// `Agenda`, `Risk Analysis`, `Project Control - TP1` / `TPn` (in period order) and
/// `Tracking Overview` (all optional). Columns are found by their headers.
///
/// # Errors
/// [`ImportError`] naming the file, the sheet, the row and the column, and what was expected: not
/// an xlsx file, no baseline sheet, a missing header, a cell of the wrong type, a tracking sheet
/// without a status date.
pub fn read(file_name: &str, bytes: &[u8]) -> Result<DslibProject, ImportError> {
    let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes))
        .map_err(|e| ImportError::file(file_name, format!("not a readable xlsx workbook: {e}")))?;
    let names = wb.sheet_names();
    let baseline_name = names
        .iter()
        .find(|n| n.trim().trim_end_matches(|c: char| c.is_ascii_digit()) == "Baseline Schedule")
        .cloned()
        .ok_or_else(|| ImportError::file(file_name, "expected a sheet named 'Baseline Schedule'"))?;
    let baseline = open_sheet(&mut wb, file_name, &baseline_name)?;
    let (name, start, mut activities) = read_baseline(&baseline)?;
    let mut warnings = Vec::new();
    let (calendar, agenda) = match names.iter().find(|n| n.trim() == "Agenda") {
        Some(n) => {
            let (c, a) = read_agenda(&open_sheet(&mut wb, file_name, n)?)?;
            (Some(c), Some(a))
        }
        None => (None, None),
    };
    if let Some(n) = names.iter().find(|n| n.trim() == "Risk Analysis") {
        read_risk(&open_sheet(&mut wb, file_name, n)?, &mut activities, &mut warnings)?;
    }
    let mut tps: Vec<(u32, String)> = names
        .iter()
        .filter_map(|n| {
            let t = n.trim();
            let t = t.strip_prefix("Project Control - ").unwrap_or(t);
            t.strip_prefix("TP").and_then(|k| k.trim().parse::<u32>().ok()).map(|k| (k, n.clone()))
        })
        .collect();
    tps.sort();
    let mut periods = Vec::with_capacity(tps.len());
    for (_, n) in &tps {
        periods.push(read_period(&open_sheet(&mut wb, file_name, n)?)?);
    }
    let overview = match names.iter().find(|n| n.trim() == "Tracking Overview") {
        Some(n) => read_overview(&open_sheet(&mut wb, file_name, n)?)?,
        None => Vec::new(),
    };
    Ok(DslibProject { name, start, calendar, agenda, activities, periods, overview, warnings })
}

type Baseline = (String, Option<NaiveDateTime>, Vec<DslibActivity>);

fn read_baseline(s: &Sheet) -> Result<Baseline, ImportError> {
    let (h, hd) = s.header("ID", 6)?;
    let c_id = column(s, &hd, h, "ID")?;
    let c_name = column(s, &hd, h, "Name")?;
    let c_wbs = hd.get("WBS").and_then(|v| v.first().copied());
    let c_pred = hd.get("Predecessors").and_then(|v| v.first().copied());
    let c_start = column(s, &hd, h, "Baseline Start")?;
    let c_end = column(s, &hd, h, "Baseline End")?;
    let c_dur = column(s, &hd, h, "Duration")?;
    let c_fixed = column(s, &hd, h, "Fixed Cost")?;
    let c_total = column(s, &hd, h, "Total Cost")?;
    let (mut name, mut start) = (String::new(), None);
    let mut acts = Vec::new();
    for r in h + 1..s.rows() {
        let id = s.text(r, c_id);
        if id.is_empty() {
            continue;
        }
        let row_start = s.date(r, c_start, "Baseline Start")?;
        if id == "0" && acts.is_empty() {
            name = s.text(r, c_name);
            start = row_start;
            continue;
        }
        let fixed = s.number(r, c_fixed, "Fixed Cost")?.unwrap_or(0.0);
        acts.push(DslibActivity {
            row: r + 1,
            id,
            name: s.text(r, c_name),
            wbs: c_wbs.map(|c| s.text(r, c)).unwrap_or_default(),
            predecessors: c_pred.map(|c| s.text(r, c)).unwrap_or_default(),
            start: row_start,
            finish: s.date(r, c_end, "Baseline End")?,
            duration: s.text(r, c_dur),
            fixed_cost: fixed,
            total_cost: s.number(r, c_total, "Total Cost")?.unwrap_or(fixed),
            summary: false,
            risk: None,
        });
    }
    // A row is a summary when another row's WBS lies under its own.
    let mut wbs: Vec<&str> = acts.iter().map(|a| a.wbs.as_str()).filter(|w| !w.is_empty()).collect();
    wbs.sort_unstable();
    let parents: std::collections::HashSet<String> = wbs
        .iter()
        .filter_map(|w| w.rfind('.').map(|i| w[..i].to_string()))
        .flat_map(|p| {
            let mut all = vec![p.clone()];
            let mut q = p.as_str();
            while let Some(i) = q.rfind('.') {
                q = &q[..i];
                all.push(q.to_string());
            }
            all
        })
        .collect();
    for a in &mut acts {
        a.summary = !a.wbs.is_empty() && parents.contains(&a.wbs);
    }
    Ok((name, start, acts))
}

fn read_agenda(s: &Sheet) -> Result<(WorkCalendar, Agenda), ImportError> {
    let mut hours = Vec::new();
    let mut week = [false; 7];
    let mut holidays = Vec::new();
    const DAYS: [&str; 7] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
    for r in 1..s.rows() {
        let label = s.text(r, 0);
        if let Some((from, to)) = label.split_once('-') {
            let parse = |t: &str| -> Option<u16> {
                let (h, m) = t.trim().split_once(':')?;
                Some(h.trim().parse::<u16>().ok()? * 60 + m.trim().parse::<u16>().ok()?)
            };
            let (Some(a), Some(b)) = (parse(from), parse(to)) else {
                return Err(s.err(r, 0, format!("expected a working hour like '8:00 - 9:00', found '{label}'")));
            };
            let b = if b == 0 { 1440 } else { b };
            if s.text(r, 1).eq_ignore_ascii_case("yes") {
                hours.push((a, b));
            }
        }
        let day = s.text(r, 3);
        if let Some(k) = DAYS.iter().position(|d| d.eq_ignore_ascii_case(&day)) {
            week[k] = s.text(r, 4).eq_ignore_ascii_case("yes");
        }
        if let Some(d) = s.date(r, 6, "Holidays")? {
            holidays.push(d.date());
        }
    }
    // Merge adjacent working hours into intervals.
    hours.sort_unstable();
    let mut day: Vec<(u16, u16)> = Vec::new();
    for (a, b) in hours {
        match day.last_mut() {
            Some(last) if last.1 == a => last.1 = b,
            _ => day.push((a, b)),
        }
    }
    let calendar = WorkCalendar::new(week, day.clone(), holidays.clone())
        .map_err(|e| s.err(1, 1, format!("unusable working calendar: {e}")))?;
    Ok((calendar, Agenda { week, hours: day, holidays }))
}

fn read_risk(s: &Sheet, acts: &mut [DslibActivity], warnings: &mut Vec<String>) -> Result<(), ImportError> {
    let (h, hd) = s.header("ID", 6)?;
    let c_id = column(s, &hd, h, "ID")?;
    let c_desc = column(s, &hd, h, "Description")?;
    let c_o = column(s, &hd, h, "Optimistic")?;
    let c_m = column(s, &hd, h, "Most Probable")?;
    let c_p = column(s, &hd, h, "Pessimistic")?;
    let index: HashMap<String, usize> = acts.iter().enumerate().map(|(i, a)| (a.id.clone(), i)).collect();
    for r in h + 1..s.rows() {
        let Some(&i) = index.get(&s.text(r, c_id)) else { continue };
        let (Ok(o), Ok(m), Ok(p)) =
            (s.number(r, c_o, "Optimistic"), s.number(r, c_m, "Most Probable"), s.number(r, c_p, "Pessimistic"))
        else {
            warnings.push(format!(
                "sheet '{}' row {}: three-point estimate is not in percent ('{}', '{}', '{}'); estimate left out",
                s.name,
                r + 1,
                s.text(r, c_o),
                s.text(r, c_m),
                s.text(r, c_p)
            ));
            continue;
        };
        if let (Some(o), Some(m), Some(p)) = (o, m, p) {
            if !(o <= m && m <= p) {
                warnings.push(format!(
                    "sheet '{}' row {}: optimistic {o}, most probable {m}, pessimistic {p} are out of order; estimate left out",
                    s.name,
                    r + 1
                ));
                continue;
            }
            acts[i].risk = Some(ThreePoint {
                profile: s.text(r, c_desc),
                optimistic_pct: o,
                most_likely_pct: m,
                pessimistic_pct: p,
            });
        }
    }
    Ok(())
}

fn read_period(s: &Sheet) -> Result<TrackingPeriod, ImportError> {
    let status_date = s
        .date(0, 2, "TP Status Date")?
        .ok_or_else(|| s.err(0, 2, "expected the period's status date beside 'TP Status Date'"))?;
    let name = s.text(0, 5);
    let (h, hd) = s.header("ID", 8)?;
    let c_id = column(s, &hd, h, "ID")?;
    let c_as = column(s, &hd, h, "Actual Start")?;
    let c_ad = column(s, &hd, h, "Actual Duration")?;
    let c_ac = column(s, &hd, h, "Actual Cost")?;
    let c_pc = column(s, &hd, h, "Percentage Completed")?;
    let c_tr = column(s, &hd, h, "Tracking")?;
    let c_ev = hd.get("Earned Value (EV)").and_then(|v| v.first().copied());
    let c_pv = hd.get("Planned Value (PV)").and_then(|v| v.first().copied());
    let mut rows = Vec::new();
    let mut project_actual_duration = String::new();
    for r in h + 1..s.rows() {
        let id = s.text(r, c_id);
        if id == "0" && project_actual_duration.is_empty() {
            project_actual_duration = s.text(r, c_ad);
        }
        if id.is_empty() || id == "0" {
            continue;
        }
        let pc = s.number(r, c_pc, "Percentage Completed")?.unwrap_or(0.0);
        if !(0.0..=1.0 + 1e-9).contains(&pc) {
            return Err(s.err(r, c_pc, format!("Percentage Completed: expected a fraction from 0 to 1, found {pc}")));
        }
        rows.push(TrackingRow {
            id,
            actual_start: s.date(r, c_as, "Actual Start")?,
            actual_duration: s.text(r, c_ad),
            percent_complete: pc.min(1.0),
            actual_cost: s.number(r, c_ac, "Actual Cost")?.unwrap_or(0.0),
            state: s.text(r, c_tr),
            ev: c_ev.map(|c| s.number(r, c, "Earned Value (EV)")).transpose()?.flatten(),
            pv: c_pv.map(|c| s.number(r, c, "Planned Value (PV)")).transpose()?.flatten(),
        });
    }
    Ok(TrackingPeriod { sheet: s.name.clone(), name, status_date, project_actual_duration, rows })
}

fn read_overview(s: &Sheet) -> Result<Vec<OverviewRow>, ImportError> {
    let (h, hd) = s.header("Name", 6)?;
    let nth = |name: &str, k: usize| hd.get(name).and_then(|v| v.get(k).copied());
    let time_cols = [
        nth("EAC(t)-PV (PF=1)", 0),
        nth("EAC(t)-PV (PF=SPI)", 0),
        nth("EAC(t)-PV (PF=SCI)", 0),
        nth("EAC(t)-ED (PF=1)", 0),
        nth("EAC(t)-ED (PF=SPI)", 0),
        // ProTrack heads the ED method's SCI column 'PF=SPI' a second time.
        nth("EAC(t)-ED (PF=SCI)", 0).or(nth("EAC(t)-ED (PF=SPI)", 1)),
        nth("EAC(t)-ES (PF=1)", 0),
        nth("EAC(t)-ES (PF=SPI(t))", 0),
        nth("EAC(t)-ES (PF=SCI(t))", 0),
    ];
    let cost_cols = [
        nth("EAC (PF=1)", 0),
        nth("EAC (PF=CPI)", 0),
        nth("EAC (PF=SPI)", 0),
        nth("EAC (PF=SPI(t))", 0),
        nth("EAC (PF=SCI)", 0),
        nth("EAC (PF=SCI(t))", 0),
        nth("EAC (PF=0.8*CPI+0.2*SPI)", 0),
        nth("EAC (PF=0.8*CPI+0.2*SPI(t))", 0),
    ];
    let num = |r: usize, name: &str| -> Result<Option<f64>, ImportError> {
        match nth(name, 0) {
            Some(c) => s.number(r, c, name),
            None => Ok(None),
        }
    };
    let mut out = Vec::new();
    for r in h + 1..s.rows() {
        let name = s.text(r, 0);
        let status_date = match nth("Status date", 0) {
            Some(c) => s.date(r, c, "Status date")?,
            None => None,
        };
        if name.is_empty() && status_date.is_none() {
            continue;
        }
        let mut time_forecasts = [None; 9];
        for (slot, col) in time_forecasts.iter_mut().zip(time_cols) {
            if let Some(c) = col {
                *slot = s.date(r, c, "EAC(t)")?;
            }
        }
        let mut cost_forecasts = [None; 8];
        for (slot, col) in cost_forecasts.iter_mut().zip(cost_cols) {
            if let Some(c) = col {
                *slot = s.number(r, c, "EAC")?;
            }
        }
        out.push(OverviewRow {
            name,
            status_date,
            pv: num(r, "Planned Value (PV)")?,
            ev: num(r, "Earned Value (EV)")?,
            ac: num(r, "Actual Cost (AC)")?,
            es: match nth("Earned Schedule (ES)", 0) {
                Some(c) => s.date(r, c, "Earned Schedule (ES)")?,
                None => None,
            },
            spi: num(r, "Schedule Performance Index (SPI)")?,
            cpi: num(r, "Cost Performance Index (CPI)")?,
            spi_t: num(r, "Schedule Performance Index (SPI(t))")?,
            p_factor: num(r, "p-factor")?,
            time_forecasts,
            cost_forecasts,
        });
    }
    Ok(out)
}

/// Hours in a ProTrack duration such as `3d`, `4h`, `9d 15h`, `1w 2d` (a week of five days), also
/// written with a space or the unit in words (`3 d`, `34 days`, `2 hours`); a bare `0` is zero.
pub fn duration_hours(text: &str, hours_per_day: f64) -> Option<f64> {
    // A bare zero (ProTrack writes `0` for a milestone) needs no unit.
    if text.trim().parse::<f64>().is_ok_and(|v| v == 0.0) {
        return Some(0.0);
    }
    let mut total = 0.0;
    let mut any = false;
    let mut rest = text.trim();
    while !rest.is_empty() {
        let num_end = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
        let n: f64 = rest[..num_end].parse().ok()?;
        rest = rest[num_end..].trim_start();
        let unit_end = rest.find(|c: char| !c.is_alphabetic()).unwrap_or(rest.len());
        let unit = rest[..unit_end].to_ascii_lowercase();
        rest = rest[unit_end..].trim_start();
        total += match unit.as_str() {
            "h" | "hr" | "hrs" | "hour" | "hours" => n,
            "d" | "day" | "days" => n * hours_per_day,
            "w" | "wk" | "wks" | "week" | "weeks" => n * 5.0 * hours_per_day,
            "m" | "min" | "mins" | "minute" | "minutes" => n / 60.0,
            _ => return None,
        };
        any = true;
    }
    any.then_some(total)
}

impl DslibProject {
    /// The time basis ProTrack used: working days on the `Agenda` calendar (Monday to Friday,
    /// 8-12 and 13-17 when the workbook has no agenda, ProTrack's default).
    pub fn time_basis(&self) -> TimeBasis {
        TimeBasis::WorkingDays(self.calendar.clone().unwrap_or_else(WorkCalendar::standard))
    }

    /// The earned value engine's input: the leaf activities with a baseline start (a missing
    /// baseline finish is the start plus the duration on the calendar), and one status period per
    /// tracking sheet (an activity absent from a sheet has no progress).
    ///
    /// # Errors
    /// [`ImportError`] naming the activity whose duration cannot be read when its finish is missing.
    pub fn evm_input(&self, file_name: &str, time_basis: TimeBasis) -> Result<EvmInput, ImportError> {
        let hpd = self.calendar.as_ref().map_or(8.0, |c| f64::from(c.day_minutes()) / 60.0);
        let cal_basis = self.time_basis();
        let mut activities = Vec::new();
        for a in self.activities.iter().filter(|a| !a.summary) {
            let Some(start) = a.start else { continue };
            let finish = match a.finish {
                Some(f) => f,
                None => {
                    let hours = duration_hours(&a.duration, hpd).ok_or_else(|| ImportError {
                        file: file_name.into(),
                        line: None,
                        field: Some(format!("sheet 'Baseline Schedule', activity {}, column Duration", a.id)),
                        message: format!("no Baseline End and the duration '{}' cannot be read", a.duration),
                    })?;
                    cal_basis.date_at(start, hours / hpd)
                }
            };
            activities.push(EvmActivity {
                id: a.id.clone(),
                start,
                finish: finish.max(start),
                cost: a.total_cost.max(0.0),
                fixed_cost: a.fixed_cost.clamp(0.0, a.total_cost.max(0.0)),
            });
        }
        let periods = self
            .periods
            .iter()
            .map(|p| {
                let by_id: HashMap<&str, &TrackingRow> = p.rows.iter().map(|r| (r.id.as_str(), r)).collect();
                let activities = activities
                    .iter()
                    .map(|a| match by_id.get(a.id.as_str()) {
                        Some(r) => ActivityStatus {
                            percent_complete: r.percent_complete,
                            actual_cost: Some(r.actual_cost.max(0.0)),
                            actual_start: r.actual_start,
                            actual_finish: None,
                        },
                        None => ActivityStatus { actual_cost: Some(0.0), ..Default::default() },
                    })
                    .collect();
                StatusPeriod { status_date: p.status_date, activities }
            })
            .collect();
        Ok(EvmInput { activities, periods, time_basis, project_start: self.start })
    }

    /// Whether the last tracking period shows the project finished (every leaf activity at 100%).
    pub fn finished(&self) -> bool {
        let Some(last) = self.periods.last() else { return false };
        let leaves: std::collections::HashSet<&str> =
            self.activities.iter().filter(|a| !a.summary && a.start.is_some()).map(|a| a.id.as_str()).collect();
        !leaves.is_empty()
            && last.rows.iter().filter(|r| leaves.contains(r.id.as_str())).count() == leaves.len()
            && last.rows.iter().filter(|r| leaves.contains(r.id.as_str())).all(|r| r.percent_complete >= 1.0 - 1e-9)
    }
}

/// The labels of [`OverviewRow::time_forecasts`] and [`OverviewRow::cost_forecasts`], for reports.
pub fn method_labels() -> ([&'static str; 9], [&'static str; 8]) {
    (TimeMethod::ALL.map(TimeMethod::label), CostMethod::ALL.map(CostMethod::label))
}
