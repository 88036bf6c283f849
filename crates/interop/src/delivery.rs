//! Team delivery history: Jira's "Export CSV (all fields)" and a simple CSV, read into the agile
//! engine's [`WorkItem`]s.
//!
//! **Jira.** Columns are found by name, case-insensitively: `Issue key` and `Created` are
//! required; `Summary`, `Issue Type`, `Status`, `Status Category`, `Status Category Changed`,
//! `Resolved`, `Story Points` (or `Custom field (Story Points)`, `Custom field (Story point
//! estimate)`), `Sprint`, `Fix Version/s` (or `Fix versions`), `Epic Link` (or `Custom field (Epic
//! Link)`, `Parent summary`, `Parent`), `Team` (or `Custom field (Team)`) and `Project key` are
//! used when present. Jira repeats a column for each value of a multi-value field: the first
//! non-empty fix version and the last non-empty sprint are used. Dates may be Jira's
//! `12/Mar/24 3:14 PM` (also with a four-digit year or a 24-hour time) or ISO (`2024-03-12`,
//! `2024-03-12 15:14`, `2024-03-12T15:14:00.000+0000`); the time of day is dropped.
//!
//! - *Done*: the `Resolved` date. When the export has a `Status Category` column, an item is done
//!   only in the Done category (a resolved date on an item in another category is ignored, with a
//!   warning). A Done item without a resolved date takes its `Status Category Changed` date, with a
//!   warning, or is left out, with a warning, when there is none.
//! - *Started*: Jira exports rarely hold a start date. In order: the column named in
//!   [`JiraOptions::start_column`] or a `Start date` / `Custom field (Start date)` / `Actual start`
//!   column; for an item in progress, its `Status Category Changed` date (the day it entered In
//!   Progress); otherwise as [`JiraOptions::start_fallback`] says (no start, the default, or the
//!   created date). Every row whose start was inferred or is missing is listed in a warning that
//!   says which.
//! - *Status category* without a `Status Category` column: done when resolved (or the status is
//!   Done, Closed, Resolved, Released, Complete or Completed), to do when the status is To Do,
//!   Open, Backlog, New, Selected for Development or Reopened, in progress otherwise.
//! - *Team*: [`JiraOptions::team_column`], else `Team`, else `Project key`, else the key's prefix
//!   (`ABC` of `ABC-123`).
//! - *Milestone*: per [`JiraOptions::milestone`] (fix version by default).
//! - Issue types in [`JiraOptions::exclude_types`] (epics and sub-tasks by default, which would
//!   count work twice) are left out, with a warning.
//!
//! **Simple CSV**: `key, title, team, created, started, done, points, milestone` (header names
//! case-insensitive, any order, other columns ignored; `key` and `created` required; `,` or `;`
//! separated); dates ISO.
//!
//! A value that cannot be read (a date, a number) is an [`ImportError`] naming the file, line and
//! column and what was expected. Rows that can be read but not used for a metric (no start date,
//! done before created, no team) are kept and listed in [`ImportWarning`]s.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use keel_engine::forecast::agile::WorkItem;
use serde::{Deserialize, Serialize};

use crate::ImportError;

/// Which delivery file format was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryFormat {
    /// Jira "Export CSV (all fields)".
    Jira,
    /// `key, title, team, created, started, done, points, milestone`.
    Simple,
}

/// Where a Jira item's milestone comes from.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MilestoneSource {
    /// The first non-empty `Fix Version/s`.
    #[default]
    FixVersion,
    /// The last non-empty `Sprint`.
    Sprint,
    /// The epic (`Epic Link`, or the parent).
    Epic,
    /// A column named here (first non-empty value).
    Column(String),
    /// No milestones.
    None,
}

/// What a Jira item without a start date gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StartFallback {
    /// No start: the item is left out of cycle time and WIP (it still counts in throughput and
    /// lead time).
    #[default]
    None,
    /// The created date: cycle time then equals lead time for those items.
    Created,
}

/// Options for reading a Jira export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JiraOptions {
    /// The column holding the team (default: `Team`, then `Project key`, then the key's prefix).
    pub team_column: Option<String>,
    /// The column holding the start date (default: `Start date`, `Custom field (Start date)`,
    /// `Actual start` when present).
    pub start_column: Option<String>,
    /// What an item with no start date gets (see [`StartFallback`]).
    pub start_fallback: StartFallback,
    /// Where milestones come from.
    pub milestone: MilestoneSource,
    /// Issue types left out (case-insensitive).
    pub exclude_types: Vec<String>,
}

impl Default for JiraOptions {
    fn default() -> Self {
        JiraOptions {
            team_column: None,
            start_column: None,
            start_fallback: StartFallback::None,
            milestone: MilestoneSource::FixVersion,
            exclude_types: vec!["Epic".into(), "Sub-task".into(), "Subtask".into()],
        }
    }
}

/// Something the importer did that the user should know about: rows left out of a metric or the
/// whole import, or a value it had to infer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportWarning {
    /// File name as given.
    pub file: String,
    /// The column concerned, where there is one.
    pub column: Option<String>,
    /// Every line it applies to (1-based; the header is line 1).
    pub lines: Vec<usize>,
    /// What happened, with the count and the first lines.
    pub message: String,
}

/// The items read and what the reader had to say about them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeliveryImport {
    /// The format read.
    pub format: DeliveryFormat,
    /// The items, in file order.
    pub items: Vec<WorkItem>,
    /// Warnings, one per kind of problem (each listing its lines).
    pub warnings: Vec<ImportWarning>,
}

/// Reads a delivery history, telling Jira exports (an `Issue key` column) from the simple CSV.
///
/// # Errors
/// [`ImportError`] naming the file, line and column: unreadable CSV, a missing required column, a
/// value that is not a date or number, a duplicate key.
///
/// ```
/// use keel_interop::delivery::{read_delivery, DeliveryFormat, JiraOptions};
/// let csv = "key,team,created,started,done\nA-1,Alpha,2024-03-01,2024-03-04,2024-03-08\n";
/// let got = read_delivery("history.csv", csv.as_bytes(), &JiraOptions::default())?;
/// assert_eq!(got.format, DeliveryFormat::Simple);
/// assert_eq!(got.items[0].lead_time_days(), Some(7));
/// # Ok::<(), keel_interop::ImportError>(())
/// ```
pub fn read_delivery(file: &str, bytes: &[u8], jira: &JiraOptions) -> Result<DeliveryImport, ImportError> {
    let table = Table::read(file, bytes)?;
    if table.column(&["issue key"]).is_some() { jira_from(table, jira) } else { simple_from(table) }
}

/// Reads a Jira "Export CSV (all fields)" file (see the module documentation for the rules).
///
/// # Errors
/// As [`read_delivery`]; also when there is no `Issue key` or `Created` column.
///
/// ```
/// use keel_interop::delivery::{read_jira_csv, JiraOptions};
/// let csv = "\u{feff}Issue key,Summary,Issue Type,Status,Created,Resolved,Fix Version/s,Fix Version/s\n\
///            ABC-1,Login,Story,Done,01/Mar/24 9:00 AM,08/Mar/24 3:14 PM,,R1\n";
/// let got = read_jira_csv("jira.csv", csv.as_bytes(), &JiraOptions::default())?;
/// let item = &got.items[0];
/// assert_eq!((item.team.as_str(), item.milestone.as_deref(), item.lead_time_days()), ("ABC", Some("R1"), Some(7)));
/// assert!(got.warnings.iter().any(|w| w.message.contains("no start date")));
/// # Ok::<(), keel_interop::ImportError>(())
/// ```
pub fn read_jira_csv(file: &str, bytes: &[u8], opts: &JiraOptions) -> Result<DeliveryImport, ImportError> {
    jira_from(Table::read(file, bytes)?, opts)
}

/// Reads the simple CSV: `key, title, team, created, started, done, points, milestone`.
///
/// # Errors
/// As [`read_delivery`]; also when there is no `key` or `created` column.
///
/// ```
/// use keel_interop::delivery::read_simple_csv;
/// let csv = "Key;Created;Done;Points\nX-1;2024-01-02;;3\n";
/// let got = read_simple_csv("h.csv", csv.as_bytes())?;
/// assert_eq!(got.items[0].points, Some(3.0));
/// assert!(got.items[0].done.is_none());
/// # Ok::<(), keel_interop::ImportError>(())
/// ```
pub fn read_simple_csv(file: &str, bytes: &[u8]) -> Result<DeliveryImport, ImportError> {
    simple_from(Table::read(file, bytes)?)
}

/// Parses a Jira or ISO date, dropping any time of day: `12/Mar/24 3:14 PM`, `12/Mar/2024 15:14`,
/// `2024-03-12`, `2024-03-12 15:14`, `2024-03-12T15:14:00.000+0000`.
///
/// ```
/// use chrono::NaiveDate;
/// use keel_interop::delivery::parse_date;
/// let d = NaiveDate::from_ymd_opt(2024, 3, 12);
/// assert_eq!(parse_date("12/Mar/24 3:14 PM"), d);
/// assert_eq!(parse_date("2024-03-12T15:14:00.000+0000"), d);
/// assert_eq!(parse_date("12.03.2024"), None);
/// ```
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    if s.as_bytes().get(4) == Some(&b'-') {
        return NaiveDate::parse_from_str(s.get(..10)?, "%Y-%m-%d").ok();
    }
    let head = s.split(' ').next()?;
    let year_len = head.rsplit('/').next()?.len();
    let formats: &[&str] = match year_len {
        2 => &["%d/%b/%y", "%d/%B/%y"],
        4 => &["%d/%b/%Y", "%d/%B/%Y"],
        _ => return None,
    };
    formats.iter().find_map(|f| NaiveDate::parse_from_str(head, f).ok())
}

const DATE_FORMATS: &str = "a date such as 12/Mar/24 3:14 PM or 2024-03-12";

/// A CSV file as header names and rows of cells, with line numbers.
struct Table {
    file: String,
    headers: Vec<String>,
    rows: Vec<(usize, Vec<String>)>,
}

impl Table {
    fn read(file: &str, bytes: &[u8]) -> Result<Table, ImportError> {
        let text = match std::str::from_utf8(bytes) {
            Ok(s) => s.strip_prefix('\u{feff}').unwrap_or(s).to_string(),
            Err(_) => encoding_rs::WINDOWS_1252.decode(bytes).0.into_owned(),
        };
        let first = text.lines().next().unwrap_or("");
        let delim = if first.matches(';').count() > first.matches(',').count() { b';' } else { b',' };
        let mut rdr =
            csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delim).from_reader(text.as_bytes());
        let mut records = rdr.records();
        let headers: Vec<String> = match records.next() {
            Some(Ok(h)) => h.iter().map(|c| c.trim().to_string()).collect(),
            Some(Err(e)) => return Err(csv_error(file, e)),
            None => return Err(ImportError::file(file, "the file is empty: expected a header row")),
        };
        let mut rows = Vec::new();
        for (i, rec) in records.enumerate() {
            let rec = rec.map_err(|e| csv_error(file, e))?;
            if rec.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            let line = rec.position().map(|p| p.line() as usize).unwrap_or(i + 2);
            rows.push((line, rec.iter().map(|c| c.trim().to_string()).collect()));
        }
        Ok(Table { file: file.to_string(), headers, rows })
    }

    /// The first column whose name matches one of `names` (lower case), in the order of `names`.
    fn column(&self, names: &[&str]) -> Option<usize> {
        names.iter().find_map(|n| self.headers.iter().position(|h| h.eq_ignore_ascii_case(n)))
    }

    /// Every column with this name (Jira repeats multi-value fields).
    fn columns(&self, names: &[&str]) -> Vec<usize> {
        (0..self.headers.len()).filter(|&i| names.iter().any(|n| self.headers[i].eq_ignore_ascii_case(n))).collect()
    }

    fn require(&self, names: &[&str], what: &str) -> Result<usize, ImportError> {
        self.column(names).ok_or_else(|| ImportError {
            file: self.file.clone(),
            line: Some(1),
            field: Some(names[0].to_string()),
            message: format!("no `{}` column in the header: expected {what}", names[0]),
        })
    }
}

fn csv_error(file: &str, e: csv::Error) -> ImportError {
    ImportError {
        file: file.to_string(),
        line: e.position().map(|p| p.line() as usize),
        field: None,
        message: format!("unreadable CSV: {e}"),
    }
}

/// One row being read: cell access and typed parsing with errors that name the place.
struct Row<'a> {
    table: &'a Table,
    line: usize,
    cells: &'a [String],
}

impl Row<'_> {
    fn get(&self, col: Option<usize>) -> &str {
        col.and_then(|c| self.cells.get(c)).map(String::as_str).unwrap_or("")
    }

    fn err(&self, col: usize, message: String) -> ImportError {
        ImportError {
            file: self.table.file.clone(),
            line: Some(self.line),
            field: self.table.headers.get(col).cloned(),
            message,
        }
    }

    fn date(&self, col: Option<usize>) -> Result<Option<NaiveDate>, ImportError> {
        let v = self.get(col);
        match (v.is_empty(), col) {
            (true, _) | (_, None) => Ok(None),
            (false, Some(c)) => parse_date(v)
                .map(Some)
                .ok_or_else(|| self.err(c, format!("`{v}` is not a date: expected {DATE_FORMATS}"))),
        }
    }

    fn points(&self, col: Option<usize>) -> Result<Option<f64>, ImportError> {
        let v = self.get(col);
        match (v.is_empty(), col) {
            (true, _) | (_, None) => Ok(None),
            (false, Some(c)) => match v.replace(',', ".").parse::<f64>() {
                Ok(p) if p.is_finite() && p >= 0.0 => Ok(Some(p)),
                _ => Err(self.err(c, format!("`{v}` is not a number of points: expected a number of 0 or more"))),
            },
        }
    }

    fn first_non_empty(&self, cols: &[usize]) -> Option<String> {
        cols.iter().map(|&c| self.get(Some(c))).find(|v| !v.is_empty()).map(str::to_owned)
    }

    fn last_non_empty(&self, cols: &[usize]) -> Option<String> {
        cols.iter().rev().map(|&c| self.get(Some(c))).find(|v| !v.is_empty()).map(str::to_owned)
    }
}

/// Collects warnings by kind, so a thousand rows without a start date make one warning.
#[derive(Default)]
struct Warnings {
    kinds: BTreeMap<(usize, String), (Option<String>, Vec<usize>)>,
    order: usize,
    seen: HashMap<String, usize>,
}

impl Warnings {
    fn add(&mut self, column: Option<&str>, what: &str, line: usize) {
        let order = *self.seen.entry(what.to_string()).or_insert_with(|| {
            self.order += 1;
            self.order
        });
        self.kinds
            .entry((order, what.to_string()))
            .or_insert_with(|| (column.map(str::to_owned), Vec::new()))
            .1
            .push(line);
    }

    fn finish(self, file: &str) -> Vec<ImportWarning> {
        self.kinds
            .into_iter()
            .map(|((_, what), (column, lines))| {
                let shown: Vec<String> = lines.iter().take(10).map(|l| l.to_string()).collect();
                let more = if lines.len() > 10 { ", …" } else { "" };
                let rows = if lines.len() == 1 { "1 row".to_string() } else { format!("{} rows", lines.len()) };
                let message = format!("{rows} (line {}{more}): {what}", shown.join(", "));
                ImportWarning { file: file.to_string(), column, lines, message }
            })
            .collect()
    }
}

fn check_keys(table: &Table, items: &[(usize, WorkItem)], key_col: usize) -> Result<(), ImportError> {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (line, item) in items {
        if let Some(first) = seen.insert(&item.key, *line) {
            return Err(ImportError {
                file: table.file.clone(),
                line: Some(*line),
                field: table.headers.get(key_col).cloned(),
                message: format!("duplicate key `{}` (first on line {first}): expected each key once", item.key),
            });
        }
    }
    Ok(())
}

fn date_order_warnings(item: &WorkItem, line: usize, w: &mut Warnings) {
    if item.done.is_some_and(|d| d < item.created) {
        w.add(None, "done before created: left out of lead and cycle time", line);
    } else if let (Some(s), Some(d)) = (item.started, item.done)
        && d < s
    {
        w.add(None, "done before started: left out of cycle time", line);
    }
    if item.started.is_some_and(|s| s < item.created) {
        w.add(None, "started before created: the created date is used as the start", line);
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Category {
    ToDo,
    InProgress,
    Done,
}

fn category_of(name: &str) -> Option<Category> {
    match name.trim().to_ascii_lowercase().as_str() {
        "to do" | "todo" | "new" => Some(Category::ToDo),
        "in progress" | "indeterminate" => Some(Category::InProgress),
        "done" | "complete" => Some(Category::Done),
        _ => None,
    }
}

fn category_from_status(status: &str, resolved: bool) -> Category {
    let s = status.trim().to_ascii_lowercase();
    if resolved || ["done", "closed", "resolved", "released", "complete", "completed"].contains(&s.as_str()) {
        Category::Done
    } else if ["to do", "todo", "open", "backlog", "new", "selected for development", "reopened", ""]
        .contains(&s.as_str())
    {
        Category::ToDo
    } else {
        Category::InProgress
    }
}

fn jira_from(table: Table, opts: &JiraOptions) -> Result<DeliveryImport, ImportError> {
    let key = table.require(&["issue key"], "Jira's `Issue key` column")?;
    let created = table.require(&["created"], "Jira's `Created` date column")?;
    let summary = table.column(&["summary"]);
    let issue_type = table.column(&["issue type"]);
    let status = table.column(&["status"]);
    let category = table.column(&["status category"]);
    let cat_changed = table.column(&["status category changed"]);
    let resolved = table.column(&["resolved"]);
    let points = table.column(&[
        "story points",
        "custom field (story points)",
        "custom field (story point estimate)",
        "story point estimate",
    ]);
    let start = match &opts.start_column {
        Some(name) => Some(table.require(&[name.as_str()], "the start-date column named in the options")?),
        None => {
            table.column(&["start date", "custom field (start date)", "actual start", "custom field (actual start)"])
        }
    };
    let team = match &opts.team_column {
        Some(name) => Some(table.require(&[name.as_str()], "the team column named in the options")?),
        None => table.column(&["team", "custom field (team)", "project key"]),
    };
    let milestone_cols: Vec<usize> = match &opts.milestone {
        MilestoneSource::FixVersion => table.columns(&["fix version/s", "fix versions"]),
        MilestoneSource::Sprint => table.columns(&["sprint"]),
        MilestoneSource::Epic => {
            table.column(&["epic link", "custom field (epic link)", "parent summary", "parent"]).into_iter().collect()
        }
        MilestoneSource::Column(name) => table.columns(&[name.as_str()]),
        MilestoneSource::None => vec![],
    };
    let excluded: Vec<String> = opts.exclude_types.iter().map(|t| t.to_ascii_lowercase()).collect();
    let header = |c: Option<usize>| c.and_then(|c| table.headers.get(c)).map(String::as_str);
    let cat_changed_name = header(cat_changed).unwrap_or("Status Category Changed").to_string();

    let mut w = Warnings::default();
    let mut items = Vec::new();
    for (line, cells) in &table.rows {
        let row = Row { table: &table, line: *line, cells };
        let line = *line;
        let k = row.get(Some(key));
        if k.is_empty() {
            return Err(row.err(key, "empty issue key: expected a key such as ABC-123".into()));
        }
        let kind = row.get(issue_type);
        if excluded.contains(&kind.to_ascii_lowercase()) {
            w.add(header(issue_type), &format!("issue type `{kind}` left out (it would count work twice)"), line);
            continue;
        }
        let Some(created_on) = row.date(Some(created))? else {
            return Err(row.err(created, format!("empty Created date: expected {DATE_FORMATS}")));
        };
        let resolved_on = row.date(resolved)?;
        let changed_on = row.date(cat_changed)?;
        let cat = match category.map(|c| row.get(Some(c))).filter(|v| !v.is_empty()) {
            Some(v) => match category_of(v) {
                Some(c) => c,
                None => {
                    return Err(row.err(
                        category.unwrap_or(key),
                        format!("`{v}` is not a status category: expected To Do, In Progress or Done"),
                    ));
                }
            },
            None => category_from_status(row.get(status), resolved_on.is_some()),
        };
        let done = match (cat, resolved_on) {
            (Category::Done, Some(r)) => Some(r),
            (Category::Done, None) => match changed_on {
                Some(c) => {
                    w.add(
                        header(resolved),
                        &format!("done with no Resolved date: done taken from `{cat_changed_name}`"),
                        line,
                    );
                    Some(c)
                }
                None => {
                    w.add(header(resolved), "done with no Resolved date: left out of the import", line);
                    continue;
                }
            },
            (_, Some(_)) => {
                w.add(
                    header(resolved),
                    "a Resolved date on an item not in the Done category: treated as not done",
                    line,
                );
                None
            }
            (_, None) => None,
        };
        let started = match row.date(start)? {
            Some(s) => Some(s),
            None if cat == Category::ToDo => None,
            None if cat == Category::InProgress && changed_on.is_some() => {
                w.add(
                    header(cat_changed),
                    &format!("in progress with no start date: started taken from `{cat_changed_name}`"),
                    line,
                );
                changed_on
            }
            None => match opts.start_fallback {
                StartFallback::None => {
                    w.add(header(start), "no start date: left out of cycle time and WIP", line);
                    None
                }
                StartFallback::Created => {
                    w.add(header(start), "no start date: started taken as the Created date", line);
                    Some(created_on)
                }
            },
        };
        let team_name = match row.get(team) {
            "" => k.split_once('-').map(|(p, _)| p).unwrap_or(k).to_string(),
            t => t.to_string(),
        };
        let milestone = match opts.milestone {
            MilestoneSource::Sprint => row.last_non_empty(&milestone_cols),
            _ => row.first_non_empty(&milestone_cols),
        };
        let item = WorkItem {
            key: k.to_string(),
            title: row.get(summary).to_string(),
            team: team_name,
            created: created_on,
            started,
            done,
            points: row.points(points)?,
            milestone,
        };
        date_order_warnings(&item, line, &mut w);
        items.push((line, item));
    }
    check_keys(&table, &items, key)?;
    Ok(DeliveryImport {
        format: DeliveryFormat::Jira,
        items: items.into_iter().map(|(_, i)| i).collect(),
        warnings: w.finish(&table.file),
    })
}

/// The team name given to items of the simple CSV that have none.
pub const NO_TEAM: &str = "(no team)";

fn simple_from(table: Table) -> Result<DeliveryImport, ImportError> {
    let key = table.require(&["key"], "columns key, title, team, created, started, done, points, milestone")?;
    let created = table.require(&["created"], "a `created` date column")?;
    let title = table.column(&["title"]);
    let team = table.column(&["team"]);
    let started = table.column(&["started"]);
    let done = table.column(&["done"]);
    let points = table.column(&["points"]);
    let milestone = table.column(&["milestone"]);
    let mut w = Warnings::default();
    let mut items = Vec::new();
    for (line, cells) in &table.rows {
        let row = Row { table: &table, line: *line, cells };
        let k = row.get(Some(key));
        if k.is_empty() {
            return Err(row.err(key, "empty key: expected the item's key".into()));
        }
        let Some(created_on) = row.date(Some(created))? else {
            return Err(row.err(created, "empty created date: expected an ISO date such as 2024-03-12".into()));
        };
        let team_name = match row.get(team) {
            "" => {
                w.add(Some("team"), &format!("no team: grouped as `{NO_TEAM}`"), *line);
                NO_TEAM.to_string()
            }
            t => t.to_string(),
        };
        let item = WorkItem {
            key: k.to_string(),
            title: row.get(title).to_string(),
            team: team_name,
            created: created_on,
            started: row.date(started)?,
            done: row.date(done)?,
            points: row.points(points)?,
            milestone: Some(row.get(milestone)).filter(|m| !m.is_empty()).map(str::to_owned),
        };
        if item.done.is_some() && item.started.is_none() {
            w.add(Some("started"), "done with no start date: left out of cycle time and WIP", *line);
        }
        date_order_warnings(&item, *line, &mut w);
        items.push((*line, item));
    }
    check_keys(&table, &items, key)?;
    Ok(DeliveryImport {
        format: DeliveryFormat::Simple,
        items: items.into_iter().map(|(_, i)| i).collect(),
        warnings: w.finish(&table.file),
    })
}
