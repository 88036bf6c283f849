//! Delivering issued reports: e-mail over SMTP and webhooks, with retries and a delivery log.
//!
//! Each issued report goes to each target (an e-mail recipient, a webhook) as one logged
//! delivery. An attempt that fails stays pending and is retried after `retry_after_secs`, doubled
//! at each further attempt, until `max_attempts`; then it is marked failed with the last error as
//! the server answered it. Attempts are claimed in the database first, so several server
//! instances never send the same delivery twice at once.
//!
//! CONTRACT: `SmtpSecurity` and `SmtpConfig` are fixed.

use std::{sync::Arc, time::Duration as StdDuration};

use base64::Engine as _;
use chrono::{DateTime, Duration, Utc};
use keel_domain::{Action, OrgId};
use keel_store::{ReportDeliveryRow, ReportScheduleRow};
use lettre::{
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    message::{Attachment, Mailbox, MultiPart, SinglePart, header::ContentType},
    transport::smtp::authentication::Credentials,
};
use serde::{Deserialize, Serialize};

use super::{RenderedReport, ReportFormat, ReportRequest, ReportSnapshotInfo, schedules};
use crate::{Actor, App, AppError};

/// How the SMTP connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SmtpSecurity {
    /// Plain text (a relay on the same host or network).
    None,
    /// STARTTLS upgrade (port 587).
    #[default]
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
}

/// The SMTP server scheduled reports are sent through (`[smtp]` in keel.toml).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SmtpConfig {
    /// Host name.
    pub host: String,
    /// Port.
    pub port: u16,
    /// Security.
    #[serde(default)]
    pub security: SmtpSecurity,
    /// User name, if the server wants one.
    #[serde(default)]
    pub username: Option<String>,
    /// Password.
    #[serde(default)]
    pub password: Option<String>,
    /// Sender address, e.g. `Keel PMO <pmo@example.com>`.
    pub from: String,
    /// Seconds before a connection or command times out.
    #[serde(default = "default_timeout")]
    pub timeout_secs: u64,
}

fn default_timeout() -> u64 {
    30
}

/// Seconds a webhook receiver has to answer.
const WEBHOOK_TIMEOUT_SECS: u64 = 30;
/// How much of an error answer is kept in the log.
const ERROR_EXCERPT: usize = 300;
/// The event name webhooks receive (JSON `event` and the `X-Keel-Event` header).
pub const WEBHOOK_EVENT: &str = "report.issued";

/// How a delivery travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryChannel {
    /// E-mail over SMTP.
    Email,
    /// An HTTP POST to a webhook.
    Webhook,
}

impl DeliveryChannel {
    /// `email` or `webhook`.
    pub const fn as_str(self) -> &'static str {
        match self {
            DeliveryChannel::Email => "email",
            DeliveryChannel::Webhook => "webhook",
        }
    }
    /// Parses [`DeliveryChannel::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        [DeliveryChannel::Email, DeliveryChannel::Webhook].into_iter().find(|c| c.as_str() == s)
    }
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    /// Not delivered yet; tried again at `next_attempt_at`.
    Pending,
    /// Accepted by the mail server or the webhook.
    Delivered,
    /// Given up after the configured number of attempts.
    Failed,
}

impl DeliveryState {
    /// `pending`, `delivered` or `failed`.
    pub const fn as_str(self) -> &'static str {
        match self {
            DeliveryState::Pending => "pending",
            DeliveryState::Delivered => "delivered",
            DeliveryState::Failed => "failed",
        }
    }
    /// Parses [`DeliveryState::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        [DeliveryState::Pending, DeliveryState::Delivered, DeliveryState::Failed].into_iter().find(|c| c.as_str() == s)
    }
}

/// One delivery of an issued report to one target, as the delivery log shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportDelivery {
    /// Id.
    pub id: uuid::Uuid,
    /// The schedule that issued it (none once that schedule is deleted, or for a one-off send).
    pub schedule_id: Option<uuid::Uuid>,
    /// The issued report.
    pub snapshot_id: uuid::Uuid,
    /// E-mail or webhook.
    pub channel: DeliveryChannel,
    /// The e-mail address or URL.
    pub target: String,
    /// Pending, delivered or failed.
    pub state: DeliveryState,
    /// Attempts made.
    pub attempts: u32,
    /// When it is tried next (pending only).
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// The last failure, as the server answered it.
    pub last_error: Option<String>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

fn internal(e: impl std::fmt::Display) -> AppError {
    AppError::Internal(e.to_string())
}

fn delivery_of(row: &ReportDeliveryRow) -> Result<ReportDelivery, AppError> {
    Ok(ReportDelivery {
        id: row.id,
        schedule_id: row.schedule_id,
        snapshot_id: row.snapshot_id,
        channel: DeliveryChannel::parse(&row.channel)
            .ok_or_else(|| internal(format!("stored delivery channel `{}`", row.channel)))?,
        target: row.target.clone(),
        state: DeliveryState::parse(&row.state)
            .ok_or_else(|| internal(format!("stored delivery state `{}`", row.state)))?,
        attempts: u32::try_from(row.attempts).unwrap_or(u32::MAX),
        next_attempt_at: row.next_attempt_at,
        last_error: row.last_error.clone(),
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

/// The e-mail subject: "Board pack — 20 Nov 2026".
pub fn email_subject(info: &ReportSnapshotInfo) -> String {
    format!("{} — {}", info.title, info.as_of.format("%-d %b %Y"))
}

/// Where the API serves an issued report in a format.
pub fn download_path(id: uuid::Uuid, format: ReportFormat) -> String {
    format!("/api/v1/reports/{id}?format={}", format.as_str())
}

/// The JSON a webhook receives.
pub fn webhook_payload(
    delivery_id: uuid::Uuid,
    info: &ReportSnapshotInfo,
    rendered: &RenderedReport,
) -> serde_json::Value {
    serde_json::json!({
        "event": WEBHOOK_EVENT,
        "delivery_id": delivery_id,
        "report": {
            "id": info.id,
            "title": info.title,
            "kind": info.kind,
            "audience": info.audience,
            "as_of": info.as_of,
            "created_at": info.created_at.and_utc(),
        },
        "format": rendered.format,
        "file_name": rendered.file_name,
        "download_path": download_path(info.id, rendered.format),
        "content_base64": base64::engine::general_purpose::STANDARD.encode(&rendered.bytes),
    })
}

fn excerpt(s: &str) -> String {
    let s = s.trim();
    match s.char_indices().nth(ERROR_EXCERPT) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_owned(),
    }
}

/// Builds the e-mail for one recipient: the issued HTML as the body when the format is HTML,
/// otherwise a short note with the rendered file attached.
pub fn email_message(
    from: &str,
    to: &str,
    info: &ReportSnapshotInfo,
    html: &str,
    rendered: &RenderedReport,
    base_url: &str,
) -> Result<Message, String> {
    let from: Mailbox = from.parse().map_err(|_| format!("smtp.from `{from}` is not an e-mail address"))?;
    let to: Mailbox = to.parse().map_err(|_| format!("`{to}` is not an e-mail address"))?;
    let builder = Message::builder().from(from).to(to).subject(email_subject(info));
    let message = match rendered.format {
        ReportFormat::Html => builder.singlepart(SinglePart::html(html.to_owned())),
        format => {
            let link = if base_url.trim().is_empty() {
                String::new()
            } else {
                format!(
                    "\nView it in Keel: {}{}\n",
                    base_url.trim_end_matches('/'),
                    download_path(info.id, ReportFormat::Html)
                )
            };
            let text = format!(
                "{}, as of {}, is attached ({}).\n{link}\nIssued by Keel for {}.\n",
                info.title,
                info.as_of.format("%-d %B %Y"),
                rendered.file_name,
                info.created_by,
            );
            let mime = ContentType::parse(format.mime()).map_err(|e| e.to_string())?;
            builder.multipart(
                MultiPart::mixed()
                    .singlepart(SinglePart::plain(text))
                    .singlepart(Attachment::new(rendered.file_name.clone()).body(rendered.bytes.clone(), mime)),
            )
        }
    };
    message.map_err(|e| format!("cannot build the e-mail: {e}"))
}

/// Sends one e-mail through the configured SMTP server. The error is the server's answer (or
/// the connection failure) in words.
pub async fn send_email(smtp: &SmtpConfig, message: Message) -> Result<(), String> {
    let timeout = Some(StdDuration::from_secs(smtp.timeout_secs.max(1)));
    let builder = match smtp.security {
        SmtpSecurity::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(smtp.host.as_str()),
        SmtpSecurity::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&smtp.host)
            .map_err(|e| format!("SMTP server {}: {e}", smtp.host))?,
        SmtpSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&smtp.host)
            .map_err(|e| format!("SMTP server {}: {e}", smtp.host))?,
    };
    let mut builder = builder.port(smtp.port).timeout(timeout);
    if let Some(user) = smtp.username.as_deref().filter(|u| !u.is_empty()) {
        builder = builder.credentials(Credentials::new(user.to_owned(), smtp.password.clone().unwrap_or_default()));
    }
    let transport = builder.build();
    transport.send(message).await.map(|_| ()).map_err(|e| excerpt(&format!("SMTP {}:{}: {e}", smtp.host, smtp.port)))
}

/// An HTTP client for webhooks: rustls with the ring provider, the platform's trusted
/// certificates, a timeout, no redirects (a webhook answers where it is told to).
pub fn webhook_client() -> Result<reqwest::Client, String> {
    use rustls_platform_verifier::BuilderVerifierExt as _;
    let tls = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .and_then(|b| b.with_platform_verifier())
        .map_err(|e| format!("TLS setup: {e}"))?
        .with_no_client_auth();
    reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .timeout(StdDuration::from_secs(WEBHOOK_TIMEOUT_SECS))
        .connect_timeout(StdDuration::from_secs(WEBHOOK_TIMEOUT_SECS))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("Keel/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| format!("HTTP client: {e}"))
}

/// POSTs the payload to a webhook; any 2xx answer is success. The error is the HTTP status and
/// the start of the answer, or the connection failure.
pub async fn post_webhook(client: &reqwest::Client, url: &str, payload: &serde_json::Value) -> Result<(), String> {
    let body = serde_json::to_vec(payload).map_err(|e| e.to_string())?;
    let response = client
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header("X-Keel-Event", WEBHOOK_EVENT)
        .body(body)
        .send()
        .await
        .map_err(|e| excerpt(&format!("POST {url}: {}", error_chain(&e))))?;
    let status = response.status();
    if status.is_success() {
        return Ok(());
    }
    let text = response.text().await.unwrap_or_default();
    Err(excerpt(&format!("HTTP {status}: {text}")))
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

/// An issued report ready to send: its description, its issued HTML and the file sent.
#[derive(Debug, Clone)]
pub struct Outgoing {
    /// The report.
    pub info: ReportSnapshotInfo,
    /// The HTML as issued (the e-mail body for HTML).
    pub html: String,
    /// The rendered file.
    pub rendered: RenderedReport,
}

impl App {
    fn backoff(&self, attempts: u32) -> Duration {
        let base = i64::try_from(self.config.reporting.retry_after_secs).unwrap_or(i64::MAX / 4);
        let factor = 1i64 << attempts.saturating_sub(1).min(20);
        Duration::seconds(base.saturating_mul(factor).min(60 * 60 * 24 * 7))
    }

    fn lease(&self) -> Duration {
        let smtp = self.config.smtp.as_ref().map_or(30, |s| s.timeout_secs);
        // Long enough for a slow server to answer every SMTP command of one message.
        Duration::seconds(i64::try_from(smtp.max(WEBHOOK_TIMEOUT_SECS)).unwrap_or(300) * 4 + 60)
    }

    /// Logs one delivery per target of an issued report and attempts each once now. Failed
    /// attempts stay pending for [`App::retry_deliveries`].
    ///
    /// # Errors
    /// Storage (the snapshot must be stored).
    pub async fn deliver_report(
        &self,
        org: OrgId,
        schedule_id: Option<uuid::Uuid>,
        outgoing: &Outgoing,
        targets: &[(DeliveryChannel, String)],
        now: DateTime<Utc>,
    ) -> Result<Vec<ReportDelivery>, AppError> {
        let rows: Vec<ReportDeliveryRow> = targets
            .iter()
            .map(|(channel, target)| ReportDeliveryRow {
                id: uuid::Uuid::now_v7(),
                org_id: org,
                schedule_id,
                snapshot_id: outgoing.info.id,
                channel: channel.as_str().to_owned(),
                target: target.clone(),
                state: DeliveryState::Pending.as_str().to_owned(),
                attempts: 0,
                next_attempt_at: Some(now),
                last_error: None,
                created_at: now,
                updated_at: now,
            })
            .collect();
        let mut tx = self.store.write().await?;
        for row in &rows {
            tx.insert_report_delivery(row).await?;
        }
        tx.commit().await?;
        let client = webhook_client();
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            out.push(self.attempt(row, outgoing, &client, now).await?);
        }
        Ok(out)
    }

    /// Claims, attempts and records one delivery. Returns it as recorded (unchanged when another
    /// instance holds the claim).
    async fn attempt(
        &self,
        row: ReportDeliveryRow,
        outgoing: &Outgoing,
        client: &Result<reqwest::Client, String>,
        now: DateTime<Utc>,
    ) -> Result<ReportDelivery, AppError> {
        let mut tx = self.store.write().await?;
        let claimed = tx.claim_report_delivery(row.id, row.next_attempt_at, now + self.lease()).await?;
        tx.commit().await?;
        if !claimed {
            return delivery_of(&row);
        }
        let outcome = match DeliveryChannel::parse(&row.channel) {
            Some(DeliveryChannel::Email) => match &self.config.smtp {
                None => Err("e-mail delivery is not configured: add [smtp] to keel.toml".to_owned()),
                Some(smtp) => match email_message(
                    &smtp.from,
                    &row.target,
                    &outgoing.info,
                    &outgoing.html,
                    &outgoing.rendered,
                    &self.config.reporting.base_url,
                ) {
                    Ok(message) => send_email(smtp, message).await,
                    Err(e) => Err(e),
                },
            },
            Some(DeliveryChannel::Webhook) => match client {
                Ok(client) => {
                    post_webhook(client, &row.target, &webhook_payload(row.id, &outgoing.info, &outgoing.rendered))
                        .await
                }
                Err(e) => Err(e.clone()),
            },
            None => Err(format!("unknown delivery channel `{}`", row.channel)),
        };
        self.record(row, outcome, now).await
    }

    /// Records an attempt's outcome: delivered, or pending with a backoff, or failed after the
    /// last attempt.
    async fn record(
        &self,
        mut row: ReportDeliveryRow,
        outcome: Result<(), String>,
        now: DateTime<Utc>,
    ) -> Result<ReportDelivery, AppError> {
        let attempts = u32::try_from(row.attempts).unwrap_or(u32::MAX).saturating_add(1);
        row.attempts = i64::from(attempts);
        row.updated_at = now;
        match outcome {
            Ok(()) => {
                row.state = DeliveryState::Delivered.as_str().to_owned();
                row.next_attempt_at = None;
            }
            Err(e) => {
                tracing::warn!(delivery = %row.id, target = %row.target, attempts, error = %e, "report delivery failed");
                row.last_error = Some(e);
                if attempts < self.config.reporting.max_attempts {
                    row.next_attempt_at = Some(now + self.backoff(attempts));
                } else {
                    row.state = DeliveryState::Failed.as_str().to_owned();
                    row.next_attempt_at = None;
                }
            }
        }
        let mut tx = self.store.write().await?;
        tx.update_report_delivery(&row).await?;
        tx.commit().await?;
        delivery_of(&row)
    }

    /// Renders a stored snapshot for sending (off the async runtime: PDF typesetting is CPU work).
    async fn outgoing(&self, org: OrgId, snapshot_id: uuid::Uuid, format: ReportFormat) -> Result<Outgoing, AppError> {
        let snapshot = self.report_snapshot(&Actor::system(org), snapshot_id).await?;
        let app = self.clone();
        let (rendered, snapshot) = tokio::task::spawn_blocking(move || {
            let rendered = app.render_report(&snapshot, format);
            (rendered, snapshot)
        })
        .await
        .map_err(|e| internal(format!("rendering stopped: {e}")))?;
        Ok(Outgoing { info: snapshot.info, html: snapshot.html, rendered: rendered? })
    }

    /// Attempts every pending delivery whose next attempt is due at `now`. Returns how many were
    /// attempted.
    ///
    /// # Errors
    /// Storage. A delivery whose report cannot be rendered is recorded as a failed attempt.
    pub async fn retry_deliveries(&self, now: DateTime<Utc>) -> Result<usize, AppError> {
        let due = self.store.read().await?.due_report_deliveries(now).await?;
        let client = webhook_client();
        let mut attempted = 0;
        for row in due {
            // The format is the schedule's (HTML when it has been deleted since).
            let format = match row.schedule_id {
                Some(s) => self
                    .store
                    .read()
                    .await?
                    .report_schedule(row.org_id, s)
                    .await?
                    .and_then(|s| ReportFormat::parse(&s.format))
                    .unwrap_or(ReportFormat::Html),
                None => ReportFormat::Html,
            };
            match self.outgoing(row.org_id, row.snapshot_id, format).await {
                Ok(outgoing) => {
                    self.attempt(row, &outgoing, &client, now).await?;
                }
                Err(e) => {
                    tracing::error!(delivery = %row.id, error = %e, "cannot prepare the report for delivery");
                    let mut tx = self.store.write().await?;
                    let claimed = tx.claim_report_delivery(row.id, row.next_attempt_at, now + self.lease()).await?;
                    tx.commit().await?;
                    if !claimed {
                        continue;
                    }
                    self.record(row, Err(format!("cannot prepare the report: {e}")), now).await?;
                }
            }
            attempted += 1;
        }
        Ok(attempted)
    }

    /// Runs every schedule due at `now` (across organisations): issues the report, logs one
    /// delivery per recipient and webhook, moves the schedule to its next run, and attempts each
    /// delivery once. Returns how many schedules ran.
    ///
    /// A schedule whose report cannot be generated (its scope deleted, say) still moves on to its
    /// next run; the error is logged.
    ///
    /// # Errors
    /// Storage.
    pub async fn run_due_reports(&self, now: DateTime<Utc>) -> Result<usize, AppError> {
        let due = self.store.read().await?.due_report_schedules(now).await?;
        let mut ran = 0;
        for s in due {
            let next = schedules::next_run_of(&s, now).unwrap_or(now + Duration::days(1));
            let mut tx = self.store.write().await?;
            let claimed = tx.set_schedule_run(s.id, s.next_run_at, now, next).await?;
            tx.commit().await?;
            if !claimed {
                continue;
            }
            ran += 1;
            if let Err(e) = self.run_schedule(&s, now).await {
                tracing::error!(schedule = %s.id, name = %s.name, error = %e, "scheduled report failed");
            }
        }
        Ok(ran)
    }

    async fn run_schedule(&self, s: &ReportScheduleRow, now: DateTime<Utc>) -> Result<(), AppError> {
        let schedule = schedules::schedule_of(s)?;
        let actor = Actor { name: format!("schedule: {}", s.name), ..Actor::system(s.org_id) };
        let request =
            ReportRequest { kind: schedule.kind, audience: schedule.audience, scope: schedule.scope, as_of: None };
        let snapshot = self.generate_report(&actor, &request, "schedule").await?;
        let (app, snap, format) = (self.clone(), snapshot.clone(), schedule.format);
        let rendered = tokio::task::spawn_blocking(move || app.render_report(&snap, format))
            .await
            .map_err(|e| internal(format!("rendering stopped: {e}")))??;
        let mut targets: Vec<(DeliveryChannel, String)> =
            schedule.recipients.iter().map(|r| (DeliveryChannel::Email, r.clone())).collect();
        if let Some(url) = &schedule.webhook_url {
            targets.push((DeliveryChannel::Webhook, url.clone()));
        }
        let outgoing = Outgoing { info: snapshot.info, html: snapshot.html, rendered };
        self.deliver_report(s.org_id, Some(s.id), &outgoing, &targets, now).await?;
        Ok(())
    }

    /// The delivery log, newest first (at most `limit`, up to 500), optionally of one schedule.
    ///
    /// # Errors
    /// Forbidden, storage.
    pub async fn report_deliveries(
        &self,
        actor: &Actor,
        schedule: Option<uuid::Uuid>,
        limit: usize,
    ) -> Result<Vec<ReportDelivery>, AppError> {
        actor.require(Action::Read)?;
        let limit = i64::try_from(limit.clamp(1, 500)).unwrap_or(500);
        let rows = self.store.read().await?.report_deliveries(actor.org_id, schedule, limit).await?;
        rows.iter().map(delivery_of).collect()
    }

    /// Starts the background loop the server runs: every 30 seconds, the due schedules, then the
    /// due retries. Errors (and panics) of one round are logged; the loop carries on.
    pub fn spawn_report_scheduler(&self) -> tokio::task::JoinHandle<()> {
        let app = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(StdDuration::from_secs(30));
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                let round = app.clone();
                let result = tokio::spawn(async move {
                    if let Err(e) = round.run_due_reports(Utc::now()).await {
                        tracing::error!(error = %e, "running scheduled reports failed");
                    }
                    if let Err(e) = round.retry_deliveries(Utc::now()).await {
                        tracing::error!(error = %e, "retrying report deliveries failed");
                    }
                })
                .await;
                if let Err(e) = result {
                    tracing::error!(error = %e, "the report scheduler round stopped unexpectedly");
                }
            }
        })
    }
}
