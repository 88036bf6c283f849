//! Report schedules: "every Monday 08:00 Europe/London", run by the server.
//!
//! A schedule names what to generate (kind, audience, scope, format), when (a weekday or every
//! day, a local time, a time zone) and where to send it (e-mail recipients, a webhook). The server
//! calls [`App::run_due_reports`](crate::App::run_due_reports) every 30 seconds; each run issues a
//! snapshot and logs one delivery per recipient and webhook.

use chrono::{
    DateTime, Datelike as _, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc, Weekday,
};
use chrono_tz::Tz;
use keel_domain::{
    Action, AuditAction, AuditEntry, Id, PortfolioFields, ProgrammeFields, ProjectFields, ValidationErrors,
};
use keel_engine::report::{Audience, ReportKind};
use keel_store::{ReportScheduleRow, Tx, now};
use serde::{Deserialize, Serialize};

use super::{ReportFormat, ReportScope};
use crate::{Actor, App, AppError};

/// Longest schedule name accepted.
const MAX_NAME: usize = 200;
/// Most recipients one schedule may send to.
const MAX_RECIPIENTS: usize = 100;

/// The weekday names schedules accept, Monday first (`monday` ... `sunday`).
pub const WEEKDAYS: [&str; 7] = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];

/// Parses a weekday name (`monday` ... `sunday`, any case; `mon` ... `sun` too).
pub fn parse_weekday(s: &str) -> Option<Weekday> {
    let s = s.trim().to_ascii_lowercase();
    let i = WEEKDAYS.iter().position(|w| *w == s || (s.len() == 3 && w.starts_with(&s)))?;
    u8::try_from(i).ok().and_then(|i| Weekday::try_from(i).ok())
}

/// The name of a weekday as schedules spell it (`monday` ... `sunday`).
pub fn weekday_name(w: Weekday) -> &'static str {
    WEEKDAYS[w.num_days_from_monday() as usize]
}

/// The next instant strictly after `after` when it is `time` in `tz` on `weekday` (on any day
/// when `None`).
///
/// Daylight saving time: a local time that does not exist that day (skipped by a spring-forward
/// change) moves to the first instant after the gap; a local time that happens twice (an
/// autumn change) runs at the earlier one.
///
/// The result is at most eight days after `after`. Cost: at most nine days are looked at, each in
/// constant time (plus up to a day's minutes when the time falls in a gap).
///
/// ```
/// use chrono::{NaiveTime, TimeZone, Utc, Weekday};
/// use keel_app::reports::schedules::next_run;
/// // Friday 20 November 2026, 12:00 UTC: the next Monday 08:00 in London is 23 November, 08:00 UTC.
/// let after = Utc.with_ymd_and_hms(2026, 11, 20, 12, 0, 0).unwrap();
/// let eight = NaiveTime::from_hms_opt(8, 0, 0).unwrap();
/// let next = next_run(Some(Weekday::Mon), eight, chrono_tz::Europe::London, after);
/// assert_eq!(next, Utc.with_ymd_and_hms(2026, 11, 23, 8, 0, 0).unwrap());
/// ```
pub fn next_run(weekday: Option<Weekday>, time: NaiveTime, tz: Tz, after: DateTime<Utc>) -> DateTime<Utc> {
    let start = after.with_timezone(&tz).date_naive();
    for date in start.iter_days().take(9) {
        if weekday.is_some_and(|w| date.weekday() != w) {
            continue;
        }
        if let Some(t) = resolve(date, time, tz).filter(|t| *t > after) {
            return t;
        }
    }
    // Unreachable for real zones (a matching day comes within a week); a week on is a safe answer.
    after + Duration::days(7)
}

/// The instant of `time` local on `date`: the earlier of two in an autumn overlap, the end of the
/// gap in a spring-forward change.
fn resolve(date: NaiveDate, time: NaiveTime, tz: Tz) -> Option<DateTime<Utc>> {
    let local = NaiveDateTime::new(date, time);
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => Some(t.with_timezone(&Utc)),
        LocalResult::Ambiguous(a, b) => Some(a.min(b).with_timezone(&Utc)),
        LocalResult::None => (1..=26 * 60).find_map(|m| {
            tz.from_local_datetime(&(local + Duration::minutes(m))).earliest().map(|t| t.with_timezone(&Utc))
        }),
    }
}

/// What a person asks for when creating or changing a schedule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportScheduleInput {
    /// Name shown in lists and e-mails, e.g. "Monday board pack".
    pub name: String,
    /// Status, portfolio or board.
    pub kind: ReportKind,
    /// Who reads it.
    pub audience: Audience,
    /// What it covers.
    pub scope: ReportScope,
    /// The format sent.
    pub format: ReportFormat,
    /// `monday` ... `sunday`; `None` runs every day.
    #[serde(default)]
    pub weekday: Option<String>,
    /// Local time, `HH:MM` (24-hour clock).
    pub time_of_day: String,
    /// IANA time zone, e.g. `Europe/London`; `None` uses the organisation's (`[reporting]
    /// timezone` in keel.toml).
    #[serde(default)]
    pub timezone: Option<String>,
    /// E-mail addresses to send it to.
    #[serde(default)]
    pub recipients: Vec<String>,
    /// An http(s) URL to POST it to.
    #[serde(default)]
    pub webhook_url: Option<String>,
    /// Whether it runs.
    pub enabled: bool,
}

/// A report schedule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportSchedule {
    /// Id.
    pub id: uuid::Uuid,
    /// Name.
    pub name: String,
    /// Report kind.
    pub kind: ReportKind,
    /// Audience.
    pub audience: Audience,
    /// Scope.
    pub scope: ReportScope,
    /// Format sent.
    pub format: ReportFormat,
    /// `monday` ... `sunday`, or `None` for every day.
    pub weekday: Option<String>,
    /// Local time, `HH:MM`.
    pub time_of_day: String,
    /// IANA time zone.
    pub timezone: String,
    /// E-mail recipients.
    pub recipients: Vec<String>,
    /// Webhook URL.
    pub webhook_url: Option<String>,
    /// Whether it runs.
    pub enabled: bool,
    /// When it runs next (UTC).
    pub next_run_at: DateTime<Utc>,
    /// When it last ran (UTC).
    pub last_run_at: Option<DateTime<Utc>>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// Who created it.
    pub created_by: String,
}

impl ReportSchedule {
    /// The schedule in words, e.g. "every Monday at 08:00 (Europe/London)".
    pub fn cadence(&self) -> String {
        let day = match self.weekday.as_deref().and_then(parse_weekday) {
            Some(w) => {
                let name = weekday_name(w);
                format!("every {}{}", name[..1].to_uppercase(), &name[1..])
            }
            None => "every day".to_owned(),
        };
        format!("{day} at {} ({})", self.time_of_day, self.timezone)
    }
}

/// A checked input: the parts [`next_run`] needs, parsed.
#[derive(Debug)]
pub(crate) struct Checked {
    pub weekday: Option<Weekday>,
    pub time: NaiveTime,
    pub tz: Tz,
    pub timezone: String,
    pub recipients: Vec<String>,
    pub webhook_url: Option<String>,
    pub name: String,
}

/// Parses `HH:MM` (24-hour clock).
pub fn parse_time_of_day(s: &str) -> Option<NaiveTime> {
    let s = s.trim();
    let (h, m) = s.split_once(':')?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 || !h.chars().chain(m.chars()).all(|c| c.is_ascii_digit()) {
        return None;
    }
    NaiveTime::from_hms_opt(h.parse().ok()?, m.parse().ok()?, 0)
}

/// Parses an IANA time zone name.
pub fn parse_timezone(s: &str) -> Option<Tz> {
    s.trim().parse().ok()
}

impl ReportScheduleInput {
    /// Checks every field; each error names its field (`recipients[1]`, `time_of_day`...).
    pub(crate) fn check(&self, default_tz: &str) -> Result<Checked, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let name = self.name.trim().to_owned();
        if name.is_empty() {
            errors.add("name", "is required, e.g. Monday board pack");
        } else if name.chars().count() > MAX_NAME {
            errors.add("name", format!("is longer than {MAX_NAME} characters"));
        }
        let weekday = match self.weekday.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(w) => {
                let parsed = parse_weekday(w);
                if parsed.is_none() {
                    errors.add(
                        "weekday",
                        format!("`{w}` is not a day of the week: expected monday ... sunday, or none for every day"),
                    );
                }
                parsed
            }
        };
        let time = parse_time_of_day(&self.time_of_day);
        if time.is_none() {
            errors.add("time_of_day", format!("`{}` is not a time: expected HH:MM, e.g. 08:00", self.time_of_day));
        }
        let timezone = match self.timezone.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(tz) => tz.to_owned(),
            None => default_tz.trim().to_owned(),
        };
        let tz = parse_timezone(&timezone);
        if tz.is_none() {
            let whence =
                if self.timezone.is_some() { "" } else { " (the organisation's, from [reporting] in keel.toml)" };
            errors.add(
                "timezone",
                format!("`{timezone}`{whence} is not a known time zone: expected an IANA name like Europe/London"),
            );
        }
        let mut recipients = Vec::with_capacity(self.recipients.len());
        for (i, r) in self.recipients.iter().enumerate() {
            let r = r.trim();
            match r.parse::<lettre::Address>() {
                Ok(a) => recipients.push(a.to_string()),
                Err(_) => errors.add(format!("recipients[{i}]"), "expected an e-mail address like name@example.com"),
            }
        }
        if recipients.len() > MAX_RECIPIENTS {
            errors.add("recipients", format!("at most {MAX_RECIPIENTS} recipients"));
        }
        let webhook_url = match self.webhook_url.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(u) => match reqwest::Url::parse(u) {
                Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => Some(url.to_string()),
                _ => {
                    errors.add("webhook_url", "expected an http(s) URL like https://hooks.example.com/keel");
                    None
                }
            },
        };
        if self.recipients.is_empty()
            && webhook_url.is_none()
            && self.webhook_url.as_deref().is_none_or(|u| u.trim().is_empty())
        {
            errors.add("recipients", "add at least one e-mail recipient or a webhook URL");
        }
        errors.into_result()?;
        match (time, tz) {
            (Some(time), Some(tz)) => Ok(Checked { weekday, time, tz, timezone, recipients, webhook_url, name }),
            _ => Err(ValidationErrors::single("time_of_day", "is invalid")),
        }
    }
}

fn internal(e: impl std::fmt::Display) -> AppError {
    AppError::Internal(e.to_string())
}

pub(crate) fn scope_of(kind: &str, id: Option<uuid::Uuid>) -> Result<ReportScope, AppError> {
    match (kind, id) {
        ("organisation", _) => Ok(ReportScope::Organisation),
        ("portfolio", Some(id)) => Ok(ReportScope::Portfolio(Id::from_uuid(id))),
        ("programme", Some(id)) => Ok(ReportScope::Programme(Id::from_uuid(id))),
        ("project", Some(id)) => Ok(ReportScope::Project(Id::from_uuid(id))),
        _ => Err(internal(format!("stored report scope `{kind}` is unreadable"))),
    }
}

/// A stored schedule, read.
pub(crate) fn schedule_of(row: &ReportScheduleRow) -> Result<ReportSchedule, AppError> {
    let weekday = match row.weekday {
        None => None,
        Some(n) => Some(
            u8::try_from(n)
                .ok()
                .and_then(|n| Weekday::try_from(n).ok())
                .map(weekday_name)
                .ok_or_else(|| internal(format!("stored weekday {n} is unreadable")))?
                .to_owned(),
        ),
    };
    Ok(ReportSchedule {
        id: row.id,
        name: row.name.clone(),
        kind: ReportKind::parse(&row.kind).ok_or_else(|| internal(format!("stored report kind `{}`", row.kind)))?,
        audience: Audience::ALL
            .into_iter()
            .find(|a| a.as_str() == row.audience)
            .ok_or_else(|| internal(format!("stored audience `{}`", row.audience)))?,
        scope: scope_of(&row.scope_kind, row.scope_id)?,
        format: ReportFormat::parse(&row.format).ok_or_else(|| internal(format!("stored format `{}`", row.format)))?,
        weekday,
        time_of_day: row.time_of_day.clone(),
        timezone: row.timezone.clone(),
        recipients: serde_json::from_str(&row.recipients).map_err(internal)?,
        webhook_url: row.webhook_url.clone(),
        enabled: row.enabled,
        next_run_at: row.next_run_at,
        last_run_at: row.last_run_at,
        created_at: row.created_at,
        created_by: row.created_by.clone(),
    })
}

/// When a stored schedule runs next after `after` (`None` when its stored time or zone is unreadable).
pub(crate) fn next_run_of(row: &ReportScheduleRow, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let weekday = match row.weekday {
        None => None,
        Some(n) => Some(u8::try_from(n).ok().and_then(|n| Weekday::try_from(n).ok())?),
    };
    Some(next_run(weekday, parse_time_of_day(&row.time_of_day)?, parse_timezone(&row.timezone)?, after))
}

async fn check_scope(tx: &mut Tx, actor: &Actor, scope: ReportScope) -> Result<(), AppError> {
    let found = match scope {
        ReportScope::Organisation => true,
        ReportScope::Portfolio(id) => tx.get::<PortfolioFields>(actor.org_id, id).await?.is_some(),
        ReportScope::Programme(id) => tx.get::<ProgrammeFields>(actor.org_id, id).await?.is_some(),
        ReportScope::Project(id) => tx.get::<ProjectFields>(actor.org_id, id).await?.is_some(),
    };
    if found {
        Ok(())
    } else {
        Err(AppError::field("scope", format!("no such {} in this organisation", scope.kind_str())))
    }
}

fn audit(
    actor: &Actor,
    action: AuditAction,
    s: &ReportSchedule,
    before: Option<String>,
    after: Option<String>,
) -> AuditEntry {
    AuditEntry {
        id: crate::new_id(),
        org_id: actor.org_id,
        at: now(),
        actor_id: actor.user_id,
        actor_name: actor.name.clone(),
        action,
        entity_kind: "report_schedule".into(),
        entity_id: s.id,
        project_id: match s.scope {
            ReportScope::Project(p) => Some(p.uuid()),
            _ => None,
        },
        label: s.name.clone(),
        before,
        after,
    }
}

fn json(s: &ReportSchedule) -> Result<String, AppError> {
    serde_json::to_string(s).map_err(internal)
}

impl App {
    fn schedule_row(
        &self,
        actor: &Actor,
        id: uuid::Uuid,
        input: &ReportScheduleInput,
        created: Option<(DateTime<Utc>, String, Option<DateTime<Utc>>)>,
    ) -> Result<ReportScheduleRow, AppError> {
        if input.kind == ReportKind::Status && !matches!(input.scope, ReportScope::Project(_)) {
            return Err(AppError::field("scope", "a status report covers one project: choose a project"));
        }
        let c = input.check(&self.config.reporting.timezone)?;
        let t = now();
        let (created_at, created_by, last_run_at) = created.unwrap_or_else(|| (t, actor.name.clone(), None));
        Ok(ReportScheduleRow {
            id,
            org_id: actor.org_id,
            name: c.name,
            kind: input.kind.as_str().to_owned(),
            audience: input.audience.as_str().to_owned(),
            scope_kind: input.scope.kind_str().to_owned(),
            scope_id: input.scope.id(),
            format: input.format.as_str().to_owned(),
            weekday: c.weekday.map(|w| i64::from(w.num_days_from_monday())),
            time_of_day: c.time.format("%H:%M").to_string(),
            timezone: c.timezone,
            recipients: serde_json::to_string(&c.recipients).map_err(internal)?,
            webhook_url: c.webhook_url,
            enabled: input.enabled,
            next_run_at: next_run(c.weekday, c.time, c.tz, t),
            last_run_at,
            created_at,
            created_by,
        })
    }

    /// Creates a report schedule; its first run is the next matching time from now.
    ///
    /// # Errors
    /// Forbidden (managing schedules needs the portfolio management right), validation naming the
    /// field, storage.
    pub async fn create_report_schedule(
        &self,
        actor: &Actor,
        input: &ReportScheduleInput,
    ) -> Result<ReportSchedule, AppError> {
        actor.require(Action::ManagePortfolios)?;
        let row = self.schedule_row(actor, uuid::Uuid::now_v7(), input, None)?;
        let schedule = schedule_of(&row)?;
        let mut tx = self.store.write().await?;
        check_scope(&mut tx, actor, input.scope).await?;
        tx.insert_report_schedule(&row).await?;
        tx.append_audit(&audit(actor, AuditAction::Create, &schedule, None, Some(json(&schedule)?))).await?;
        tx.commit().await?;
        Ok(schedule)
    }

    /// Replaces a schedule's settings; its next run is recomputed from now.
    ///
    /// # Errors
    /// Forbidden, not found, validation naming the field, storage.
    pub async fn update_report_schedule(
        &self,
        actor: &Actor,
        id: uuid::Uuid,
        input: &ReportScheduleInput,
    ) -> Result<ReportSchedule, AppError> {
        actor.require(Action::ManagePortfolios)?;
        let mut tx = self.store.write().await?;
        let old = tx.report_schedule(actor.org_id, id).await?.ok_or(AppError::NotFound)?;
        let before = schedule_of(&old)?;
        let row =
            self.schedule_row(actor, id, input, Some((old.created_at, old.created_by.clone(), old.last_run_at)))?;
        let schedule = schedule_of(&row)?;
        check_scope(&mut tx, actor, input.scope).await?;
        tx.update_report_schedule(&row).await?;
        tx.append_audit(&audit(actor, AuditAction::Update, &schedule, Some(json(&before)?), Some(json(&schedule)?)))
            .await?;
        tx.commit().await?;
        Ok(schedule)
    }

    /// Deletes a schedule. Its deliveries stay in the log.
    ///
    /// # Errors
    /// Forbidden, not found, storage.
    pub async fn delete_report_schedule(&self, actor: &Actor, id: uuid::Uuid) -> Result<(), AppError> {
        actor.require(Action::ManagePortfolios)?;
        let mut tx = self.store.write().await?;
        let old = tx.report_schedule(actor.org_id, id).await?.ok_or(AppError::NotFound)?;
        let before = schedule_of(&old)?;
        tx.delete_report_schedule(actor.org_id, id).await?;
        tx.append_audit(&audit(actor, AuditAction::Delete, &before, Some(json(&before)?), None)).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The organisation's report schedules, by name.
    ///
    /// # Errors
    /// Forbidden, storage.
    pub async fn report_schedules(&self, actor: &Actor) -> Result<Vec<ReportSchedule>, AppError> {
        actor.require(Action::Read)?;
        let rows = self.store.read().await?.report_schedules(actor.org_id).await?;
        rows.iter().map(schedule_of).collect()
    }

    /// One report schedule.
    ///
    /// # Errors
    /// Forbidden, not found, storage.
    pub async fn report_schedule(&self, actor: &Actor, id: uuid::Uuid) -> Result<ReportSchedule, AppError> {
        actor.require(Action::Read)?;
        let row = self.store.read().await?.report_schedule(actor.org_id, id).await?.ok_or(AppError::NotFound)?;
        schedule_of(&row)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use chrono_tz::Europe::London;
    use proptest::prelude::*;

    use super::*;

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
    }

    fn hm(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    #[test]
    fn weekly_in_london_winter_and_summer() {
        // Friday 20 Nov 2026 (GMT): next Monday 08:00 is 08:00 UTC.
        assert_eq!(next_run(Some(Weekday::Mon), hm(8, 0), London, utc(2026, 11, 20, 12, 0)), utc(2026, 11, 23, 8, 0));
        // Friday 12 Jun 2026 (BST): next Monday 08:00 is 07:00 UTC.
        assert_eq!(next_run(Some(Weekday::Mon), hm(8, 0), London, utc(2026, 6, 12, 12, 0)), utc(2026, 6, 15, 7, 0));
        // Strictly after: at Monday 08:00 itself, the next is a week on.
        assert_eq!(next_run(Some(Weekday::Mon), hm(8, 0), London, utc(2026, 11, 23, 8, 0)), utc(2026, 11, 30, 8, 0));
        // Daily: later today if still ahead, else tomorrow.
        assert_eq!(next_run(None, hm(17, 30), London, utc(2026, 11, 20, 12, 0)), utc(2026, 11, 20, 17, 30));
        assert_eq!(next_run(None, hm(7, 0), London, utc(2026, 11, 20, 12, 0)), utc(2026, 11, 21, 7, 0));
    }

    #[test]
    fn spring_forward_gap_runs_when_the_clocks_go_forward() {
        // Sunday 29 March 2026: London's clocks go from 01:00 GMT to 02:00 BST; 01:30 does not exist.
        let run = next_run(Some(Weekday::Sun), hm(1, 30), London, utc(2026, 3, 28, 12, 0));
        assert_eq!(run, utc(2026, 3, 29, 1, 0));
        assert_eq!(run.with_timezone(&London).time(), hm(2, 0));
        // A week later 01:30 exists again (BST): 00:30 UTC.
        assert_eq!(next_run(Some(Weekday::Sun), hm(1, 30), London, run), utc(2026, 4, 5, 0, 30));
        // Weekly across the change: Monday 08:00 before (GMT) and after (BST).
        assert_eq!(next_run(Some(Weekday::Mon), hm(8, 0), London, utc(2026, 3, 23, 8, 0)), utc(2026, 3, 30, 7, 0));
    }

    #[test]
    fn autumn_overlap_runs_at_the_first_of_the_two() {
        // Sunday 25 October 2026: 01:30 happens at 00:30 UTC (BST) and again at 01:30 UTC (GMT).
        let run = next_run(None, hm(1, 30), London, utc(2026, 10, 24, 12, 0));
        assert_eq!(run, utc(2026, 10, 25, 0, 30));
        // Once it has run, the next is the following day, not the repeat an hour later.
        assert_eq!(next_run(None, hm(1, 30), London, run), utc(2026, 10, 26, 1, 30));
    }

    #[test]
    fn weekday_and_time_parsing() {
        assert_eq!(parse_weekday("Monday"), Some(Weekday::Mon));
        assert_eq!(parse_weekday("sun"), Some(Weekday::Sun));
        assert_eq!(parse_weekday("mo"), None);
        assert_eq!(parse_weekday("funday"), None);
        assert_eq!(parse_time_of_day("08:00"), Some(hm(8, 0)));
        assert_eq!(parse_time_of_day("7:05"), Some(hm(7, 5)));
        assert_eq!(parse_time_of_day("24:00"), None);
        assert_eq!(parse_time_of_day("08:60"), None);
        assert_eq!(parse_time_of_day("8"), None);
        assert_eq!(parse_time_of_day("08:00:00"), None);
    }

    fn input() -> ReportScheduleInput {
        ReportScheduleInput {
            name: "Monday board pack".into(),
            kind: ReportKind::Board,
            audience: Audience::Executive,
            scope: ReportScope::Organisation,
            format: ReportFormat::Pdf,
            weekday: Some("monday".into()),
            time_of_day: "08:00".into(),
            timezone: None,
            recipients: vec!["ada@example.com".into()],
            webhook_url: None,
            enabled: true,
        }
    }

    fn fields(e: ValidationErrors) -> Vec<(String, String)> {
        e.0.into_iter().map(|f| (f.field, f.message)).collect()
    }

    #[test]
    fn validation_names_each_field() {
        let c = input().check("Europe/London").unwrap();
        assert_eq!((c.weekday, c.time, c.timezone.as_str()), (Some(Weekday::Mon), hm(8, 0), "Europe/London"));
        let bad = ReportScheduleInput {
            name: " ".into(),
            weekday: Some("someday".into()),
            time_of_day: "8am".into(),
            timezone: Some("Europe/Londres".into()),
            recipients: vec!["ada@example.com".into(), "grace at example.com".into()],
            webhook_url: Some("ftp://hooks.example.com".into()),
            ..input()
        };
        let errs = fields(bad.check("UTC").unwrap_err());
        let names: Vec<&str> = errs.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(names, ["name", "weekday", "time_of_day", "timezone", "recipients[1]", "webhook_url"]);
        assert!(errs.contains(&("recipients[1]".into(), "expected an e-mail address like name@example.com".into())));
        let nowhere = ReportScheduleInput { recipients: vec![], webhook_url: None, ..input() };
        assert_eq!(fields(nowhere.check("UTC").unwrap_err())[0].0, "recipients");
        let bad_default = fields(input().check("Mars/Olympus").unwrap_err());
        assert_eq!(bad_default[0].0, "timezone");
        assert!(bad_default[0].1.contains("keel.toml"));
        let hook_only = ReportScheduleInput {
            recipients: vec![],
            webhook_url: Some("https://hooks.example.com/keel".into()),
            weekday: None,
            ..input()
        };
        let c = hook_only.check("UTC").unwrap();
        assert_eq!((c.weekday, c.webhook_url.as_deref()), (None, Some("https://hooks.example.com/keel")));
    }

    proptest! {
        #[test]
        fn next_run_is_the_next_matching_local_time(
            secs in 0i64..4_102_444_800, // 1970 .. 2100
            day in proptest::option::of(0u8..7),
            h in 0u32..24,
            m in 0u32..60,
            zone in prop::sample::select(vec![
                "Europe/London", "America/New_York", "Australia/Lord_Howe", "Pacific/Chatham",
                "Asia/Kolkata", "America/Santiago", "UTC", "Pacific/Apia", "Africa/Casablanca",
            ]),
        ) {
            let tz: Tz = zone.parse().unwrap();
            let after = DateTime::from_timestamp(secs, 0).unwrap();
            let weekday = day.map(|d| Weekday::try_from(d).unwrap());
            let time = hm(h, m);
            let run = next_run(weekday, time, tz, after);
            prop_assert!(run > after);
            prop_assert!(run - after <= Duration::days(8));
            let local = run.with_timezone(&tz);
            if local.time() == time {
                if let Some(w) = weekday {
                    prop_assert_eq!(local.weekday(), w);
                }
                // In an autumn overlap, the first of the two.
                let first = tz.from_local_datetime(&local.naive_local()).earliest().unwrap();
                prop_assert_eq!(first.with_timezone(&Utc), run);
            } else {
                // Only when the time is skipped that day (or the day before, for a gap across
                // midnight): the run is the first instant after the gap.
                let day = local.date_naive();
                let intended = [Some(day), day.pred_opt()].into_iter().flatten().find(|d| {
                    d.and_time(time) < local.naive_local()
                        && weekday.is_none_or(|w| d.weekday() == w)
                        && tz.from_local_datetime(&d.and_time(time)).earliest().is_none()
                });
                prop_assert!(intended.is_some(), "{} ran at {} local", time, local);
                if let Some(d) = intended {
                    let just_before = (run - Duration::minutes(1)).with_timezone(&tz).naive_local();
                    prop_assert!(just_before < d.and_time(time), "{} ran at {} local", time, local);
                }
            }
            // No matching instant was skipped between `after` and the run.
            let mut probe = after.with_timezone(&tz).date_naive();
            while probe < local.date_naive() {
                if weekday.is_none_or(|w| probe.weekday() == w)
                    && let Some(t) = tz.from_local_datetime(&probe.and_time(time)).earliest()
                {
                    prop_assert!(t.with_timezone(&Utc) <= after, "skipped {}", t);
                }
                probe = probe.succ_opt().unwrap();
            }
        }
    }
}
