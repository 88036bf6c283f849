//! Report schedules ("every Monday 08:00 Europe/London") and the delivery log of the reports they
//! issue (one row per e-mail recipient or webhook, with its attempts and last error).
//!
//! The store keeps names and JSON text (`recipients`) the app interprets. Timestamps are stored as
//! fixed-width UTC text, so comparing them as text compares the instants.

use chrono::{DateTime, Utc};
use keel_domain::OrgId;

use crate::{
    Row, StoreError, Tx, Value,
    tx::{Sql, parse_ts, ts},
};

/// One report schedule.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ReportScheduleRow {
    /// Row ID.
    pub id: uuid::Uuid,
    /// Organisation.
    pub org_id: OrgId,
    /// Name shown in lists and e-mails.
    pub name: String,
    /// Report kind (`status`, `portfolio`, `board`).
    pub kind: String,
    /// Audience (`executive`, `sponsor`, `pmo`, `project_manager`).
    pub audience: String,
    /// Scope kind (`organisation`, `portfolio`, `programme`, `project`).
    pub scope_kind: String,
    /// Scope record, if any.
    pub scope_id: Option<uuid::Uuid>,
    /// Output format (`html`, `pdf`, `xlsx`, `md`).
    pub format: String,
    /// Day of the week, 0 = Monday ... 6 = Sunday; `None` runs every day.
    pub weekday: Option<i64>,
    /// Local time of day, `HH:MM`.
    pub time_of_day: String,
    /// IANA time zone the time of day is read in.
    pub timezone: String,
    /// E-mail recipients, a JSON array of strings.
    pub recipients: String,
    /// Webhook URL, if any.
    pub webhook_url: Option<String>,
    /// Whether the schedule runs.
    pub enabled: bool,
    /// When it runs next.
    pub next_run_at: DateTime<Utc>,
    /// When it last ran.
    pub last_run_at: Option<DateTime<Utc>>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// Who created it.
    pub created_by: String,
}

/// One delivery of an issued report to one target.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ReportDeliveryRow {
    /// Row ID.
    pub id: uuid::Uuid,
    /// Organisation.
    pub org_id: OrgId,
    /// The schedule that issued it (none once the schedule is deleted).
    pub schedule_id: Option<uuid::Uuid>,
    /// The issued report.
    pub snapshot_id: uuid::Uuid,
    /// `email` or `webhook`.
    pub channel: String,
    /// The e-mail address or URL.
    pub target: String,
    /// `pending`, `delivered` or `failed`.
    pub state: String,
    /// Attempts made so far.
    pub attempts: i64,
    /// When to try next (pending deliveries).
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// The last failure, as the server answered it.
    pub last_error: Option<String>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

const SCHEDULE: &str = "id, org_id, name, kind, audience, scope_kind, scope_id, format, weekday, time_of_day, \
                        timezone, recipients, webhook_url, enabled, next_run_at, last_run_at, created_at, created_by";
const DELIVERY: &str = "id, org_id, schedule_id, snapshot_id, channel, target, state, attempts, next_attempt_at, \
                        last_error, created_at, updated_at";

fn decode_schedule(r: &Row) -> Result<ReportScheduleRow, StoreError> {
    Ok(ReportScheduleRow {
        id: r.parse("id")?,
        org_id: r.parse("org_id")?,
        name: r.text("name")?,
        kind: r.text("kind")?,
        audience: r.text("audience")?,
        scope_kind: r.text("scope_kind")?,
        scope_id: r.parse_opt("scope_id")?,
        format: r.text("format")?,
        weekday: r.opt_int("weekday")?,
        time_of_day: r.text("time_of_day")?,
        timezone: r.text("timezone")?,
        recipients: r.text("recipients")?,
        webhook_url: r.opt_text("webhook_url")?,
        enabled: r.int("enabled")? != 0,
        next_run_at: parse_ts(&r.text("next_run_at")?)?,
        last_run_at: r.opt_text("last_run_at")?.as_deref().map(parse_ts).transpose()?,
        created_at: parse_ts(&r.text("created_at")?)?,
        created_by: r.text("created_by")?,
    })
}

fn decode_delivery(r: &Row) -> Result<ReportDeliveryRow, StoreError> {
    Ok(ReportDeliveryRow {
        id: r.parse("id")?,
        org_id: r.parse("org_id")?,
        schedule_id: r.parse_opt("schedule_id")?,
        snapshot_id: r.parse("snapshot_id")?,
        channel: r.text("channel")?,
        target: r.text("target")?,
        state: r.text("state")?,
        attempts: r.int("attempts")?,
        next_attempt_at: r.opt_text("next_attempt_at")?.as_deref().map(parse_ts).transpose()?,
        last_error: r.opt_text("last_error")?,
        created_at: parse_ts(&r.text("created_at")?)?,
        updated_at: parse_ts(&r.text("updated_at")?)?,
    })
}

fn opt_ts(t: Option<DateTime<Utc>>) -> Value {
    Value::Text(t.map(ts))
}

impl Tx {
    /// Adds a report schedule.
    pub async fn insert_report_schedule(&mut self, row: &ReportScheduleRow) -> Result<(), StoreError> {
        let mut sql = Sql::new(&format!("INSERT INTO report_schedules ({SCHEDULE}) VALUES ("));
        sql.bind_values(vec![
            Value::text(row.id.to_string()),
            Value::text(row.org_id.to_string()),
            Value::text(row.name.clone()),
            Value::text(row.kind.clone()),
            Value::text(row.audience.clone()),
            Value::text(row.scope_kind.clone()),
            Value::opt(row.scope_id),
            Value::text(row.format.clone()),
            Value::Int(row.weekday),
            Value::text(row.time_of_day.clone()),
            Value::text(row.timezone.clone()),
            Value::text(row.recipients.clone()),
            Value::Text(row.webhook_url.clone()),
            Value::int(i64::from(row.enabled)),
            Value::text(ts(row.next_run_at)),
            opt_ts(row.last_run_at),
            Value::text(ts(row.created_at)),
            Value::text(row.created_by.clone()),
        ]);
        self.run(&sql).await?;
        Ok(())
    }

    /// Replaces a schedule's settings and next run (not its creation or last run).
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when the organisation has no such schedule.
    pub async fn update_report_schedule(&mut self, row: &ReportScheduleRow) -> Result<(), StoreError> {
        let mut sql = Sql::new("UPDATE report_schedules SET name = ");
        sql.bind(Value::text(row.name.clone()));
        sql.push(", kind = ").bind(Value::text(row.kind.clone()));
        sql.push(", audience = ").bind(Value::text(row.audience.clone()));
        sql.push(", scope_kind = ").bind(Value::text(row.scope_kind.clone()));
        sql.push(", scope_id = ").bind(Value::opt(row.scope_id));
        sql.push(", format = ").bind(Value::text(row.format.clone()));
        sql.push(", weekday = ").bind(Value::Int(row.weekday));
        sql.push(", time_of_day = ").bind(Value::text(row.time_of_day.clone()));
        sql.push(", timezone = ").bind(Value::text(row.timezone.clone()));
        sql.push(", recipients = ").bind(Value::text(row.recipients.clone()));
        sql.push(", webhook_url = ").bind(Value::Text(row.webhook_url.clone()));
        sql.push(", enabled = ").bind(Value::int(i64::from(row.enabled)));
        sql.push(", next_run_at = ").bind(Value::text(ts(row.next_run_at)));
        sql.push(" WHERE id = ").bind(Value::text(row.id.to_string()));
        sql.push(" AND org_id = ").bind(Value::text(row.org_id.to_string()));
        if self.run(&sql).await? == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Deletes a schedule; its deliveries stay in the log, detached from it.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when the organisation has no such schedule.
    pub async fn delete_report_schedule(&mut self, org: OrgId, id: uuid::Uuid) -> Result<(), StoreError> {
        // Detach explicitly: SQLite enforces ON DELETE SET NULL too, but this keeps the log's
        // behaviour independent of the dialect.
        let mut detach = Sql::new("UPDATE report_deliveries SET schedule_id = NULL WHERE org_id = ");
        detach.bind(Value::text(org.to_string()));
        detach.push(" AND schedule_id = ").bind(Value::text(id.to_string()));
        self.run(&detach).await?;
        let mut sql = Sql::new("DELETE FROM report_schedules WHERE org_id = ");
        sql.bind(Value::text(org.to_string()));
        sql.push(" AND id = ").bind(Value::text(id.to_string()));
        if self.run(&sql).await? == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// The organisation's schedules, by name.
    pub async fn report_schedules(&mut self, org: OrgId) -> Result<Vec<ReportScheduleRow>, StoreError> {
        let mut sql = Sql::new(&format!("SELECT {SCHEDULE} FROM report_schedules WHERE org_id = "));
        sql.bind(Value::text(org.to_string()));
        sql.push(" ORDER BY name, id");
        self.rows(&sql).await?.iter().map(decode_schedule).collect()
    }

    /// One schedule of the organisation.
    pub async fn report_schedule(
        &mut self,
        org: OrgId,
        id: uuid::Uuid,
    ) -> Result<Option<ReportScheduleRow>, StoreError> {
        let mut sql = Sql::new(&format!("SELECT {SCHEDULE} FROM report_schedules WHERE org_id = "));
        sql.bind(Value::text(org.to_string()));
        sql.push(" AND id = ").bind(Value::text(id.to_string()));
        self.rows(&sql).await?.first().map(decode_schedule).transpose()
    }

    /// Enabled schedules of every organisation whose next run is at or before `now`, earliest first.
    pub async fn due_report_schedules(&mut self, now: DateTime<Utc>) -> Result<Vec<ReportScheduleRow>, StoreError> {
        let mut sql =
            Sql::new(&format!("SELECT {SCHEDULE} FROM report_schedules WHERE enabled = 1 AND next_run_at <= "));
        sql.bind(Value::text(ts(now)));
        sql.push(" ORDER BY next_run_at, id");
        self.rows(&sql).await?.iter().map(decode_schedule).collect()
    }

    /// Records a run: sets `last_run_at` and moves `next_run_at` on, but only if the schedule is
    /// still due at `due_at` (its `next_run_at` as read). Returns `false` when another server
    /// instance already claimed this run (or the schedule is gone), so each run happens once.
    pub async fn set_schedule_run(
        &mut self,
        id: uuid::Uuid,
        due_at: DateTime<Utc>,
        last_run_at: DateTime<Utc>,
        next_run_at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut sql = Sql::new("UPDATE report_schedules SET last_run_at = ");
        sql.bind(Value::text(ts(last_run_at)));
        sql.push(", next_run_at = ").bind(Value::text(ts(next_run_at)));
        sql.push(" WHERE id = ").bind(Value::text(id.to_string()));
        sql.push(" AND next_run_at = ").bind(Value::text(ts(due_at)));
        Ok(self.run(&sql).await? == 1)
    }

    /// Adds a delivery to the log.
    pub async fn insert_report_delivery(&mut self, row: &ReportDeliveryRow) -> Result<(), StoreError> {
        let mut sql = Sql::new(&format!("INSERT INTO report_deliveries ({DELIVERY}) VALUES ("));
        sql.bind_values(vec![
            Value::text(row.id.to_string()),
            Value::text(row.org_id.to_string()),
            Value::opt(row.schedule_id),
            Value::text(row.snapshot_id.to_string()),
            Value::text(row.channel.clone()),
            Value::text(row.target.clone()),
            Value::text(row.state.clone()),
            Value::int(row.attempts),
            opt_ts(row.next_attempt_at),
            Value::Text(row.last_error.clone()),
            Value::text(ts(row.created_at)),
            Value::text(ts(row.updated_at)),
        ]);
        self.run(&sql).await?;
        Ok(())
    }

    /// The organisation's delivery log, newest first (at most `limit`), optionally of one schedule.
    pub async fn report_deliveries(
        &mut self,
        org: OrgId,
        schedule: Option<uuid::Uuid>,
        limit: i64,
    ) -> Result<Vec<ReportDeliveryRow>, StoreError> {
        let mut sql = Sql::new(&format!("SELECT {DELIVERY} FROM report_deliveries WHERE org_id = "));
        sql.bind(Value::text(org.to_string()));
        if let Some(s) = schedule {
            sql.push(" AND schedule_id = ").bind(Value::text(s.to_string()));
        }
        sql.push(" ORDER BY created_at DESC, id DESC LIMIT ").bind(Value::int(limit));
        self.rows(&sql).await?.iter().map(decode_delivery).collect()
    }

    /// One delivery of the organisation.
    pub async fn report_delivery(
        &mut self,
        org: OrgId,
        id: uuid::Uuid,
    ) -> Result<Option<ReportDeliveryRow>, StoreError> {
        let mut sql = Sql::new(&format!("SELECT {DELIVERY} FROM report_deliveries WHERE org_id = "));
        sql.bind(Value::text(org.to_string()));
        sql.push(" AND id = ").bind(Value::text(id.to_string()));
        self.rows(&sql).await?.first().map(decode_delivery).transpose()
    }

    /// Pending deliveries of every organisation whose next attempt is at or before `now`,
    /// earliest first.
    pub async fn due_report_deliveries(&mut self, now: DateTime<Utc>) -> Result<Vec<ReportDeliveryRow>, StoreError> {
        let mut sql = Sql::new(&format!(
            "SELECT {DELIVERY} FROM report_deliveries WHERE state = 'pending' AND next_attempt_at <= "
        ));
        sql.bind(Value::text(ts(now)));
        sql.push(" ORDER BY next_attempt_at, id");
        self.rows(&sql).await?.iter().map(decode_delivery).collect()
    }

    /// Claims a pending delivery for one attempt: moves its `next_attempt_at` from `expected` (as
    /// read) to `lease_until`, so no other server instance attempts it meanwhile, and a crash
    /// mid-attempt leaves it to be retried after the lease. Returns `false` when someone else
    /// claimed it first.
    pub async fn claim_report_delivery(
        &mut self,
        id: uuid::Uuid,
        expected: Option<DateTime<Utc>>,
        lease_until: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut sql = Sql::new("UPDATE report_deliveries SET next_attempt_at = ");
        sql.bind(Value::text(ts(lease_until)));
        sql.push(" WHERE id = ").bind(Value::text(id.to_string()));
        sql.push(" AND state = 'pending'");
        match expected {
            Some(t) => sql.push(" AND next_attempt_at = ").bind(Value::text(ts(t))),
            None => sql.push(" AND next_attempt_at IS NULL"),
        };
        Ok(self.run(&sql).await? == 1)
    }

    /// Records an attempt's outcome: state, attempts, next attempt, last error and `updated_at`.
    ///
    /// # Errors
    /// [`StoreError::NotFound`] when there is no such delivery.
    pub async fn update_report_delivery(&mut self, row: &ReportDeliveryRow) -> Result<(), StoreError> {
        let mut sql = Sql::new("UPDATE report_deliveries SET state = ");
        sql.bind(Value::text(row.state.clone()));
        sql.push(", attempts = ").bind(Value::int(row.attempts));
        sql.push(", next_attempt_at = ").bind(opt_ts(row.next_attempt_at));
        sql.push(", last_error = ").bind(Value::Text(row.last_error.clone()));
        sql.push(", updated_at = ").bind(Value::text(ts(row.updated_at)));
        sql.push(" WHERE id = ").bind(Value::text(row.id.to_string()));
        sql.push(" AND org_id = ").bind(Value::text(row.org_id.to_string()));
        if self.run(&sql).await? == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Every delivery of the organisation, oldest first (export).
    pub async fn all_report_deliveries(&mut self, org: OrgId) -> Result<Vec<ReportDeliveryRow>, StoreError> {
        let mut sql = Sql::new(&format!("SELECT {DELIVERY} FROM report_deliveries WHERE org_id = "));
        sql.bind(Value::text(org.to_string()));
        sql.push(" ORDER BY created_at, id");
        self.rows(&sql).await?.iter().map(decode_delivery).collect()
    }
}
