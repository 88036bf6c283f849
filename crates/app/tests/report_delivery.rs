//! Scheduled report delivery against real servers on loopback: an SMTP server (mailin's SMTP
//! state machine behind a TCP listener) and an HTTP webhook receiver (axum).

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

use std::{
    io::{BufRead, BufReader, Write},
    net::{IpAddr, TcpListener},
    sync::{Arc, Mutex},
};

use base64::Engine as _;
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use keel_app::{
    Actor, App, AppConfig, AppError, ReportFormat, ReportRequest, ReportScope, ReportingConfig,
    reports::{
        SmtpConfig, SmtpSecurity,
        delivery::{DeliveryChannel, DeliveryState, Outgoing, ReportDelivery},
        schedules::ReportScheduleInput,
    },
};
use keel_domain::{Currency, Id, OrgId, Organisation, Role};
use keel_engine::report::{Audience, ReportKind};
use keel_store::{Store, testing};

// ---------------------------------------------------------------------------------------------
// A real SMTP server on loopback.

#[derive(Debug, Clone)]
struct Mail {
    from: String,
    to: Vec<String>,
    data: Vec<u8>,
}

#[derive(Clone)]
struct Collector {
    mails: Arc<Mutex<Vec<Mail>>>,
    reject_rcpt: bool,
    current: Option<Mail>,
}

impl mailin::Handler for Collector {
    fn rcpt(&mut self, _to: &str) -> mailin::Response {
        if self.reject_rcpt { mailin::response::NO_MAILBOX } else { mailin::response::OK }
    }
    fn data_start(&mut self, _domain: &str, from: &str, _is8bit: bool, to: &[String]) -> mailin::Response {
        self.current = Some(Mail { from: from.to_owned(), to: to.to_vec(), data: Vec::new() });
        mailin::response::OK
    }
    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        if let Some(m) = self.current.as_mut() {
            m.data.extend_from_slice(buf);
        }
        Ok(())
    }
    fn data_end(&mut self) -> mailin::Response {
        if let Some(m) = self.current.take() {
            self.mails.lock().unwrap().push(m);
        }
        mailin::response::OK
    }
}

/// Starts an SMTP server on 127.0.0.1 (bound before this returns); returns its port and inbox.
fn smtp_server(reject_rcpt: bool) -> (u16, Arc<Mutex<Vec<Mail>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let mails = Arc::new(Mutex::new(Vec::new()));
    let handler = Collector { mails: mails.clone(), reject_rcpt, current: None };
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let handler = handler.clone();
            std::thread::spawn(move || {
                let builder = mailin::SessionBuilder::new("smtp.test");
                let mut session = builder.build(IpAddr::from([127, 0, 0, 1]), handler);
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                session.greeting().write_to(&mut stream).unwrap();
                let mut line = Vec::new();
                loop {
                    line.clear();
                    if reader.read_until(b'\n', &mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let res = session.process(&line);
                    match res.action {
                        mailin::Action::Reply => res.write_to(&mut stream).unwrap(),
                        mailin::Action::Close | mailin::Action::UpgradeTls => {
                            let _ = res.write_to(&mut stream);
                            let _ = stream.flush();
                            return;
                        }
                        mailin::Action::NoReply => {}
                    }
                }
            });
        }
    });
    (port, mails)
}

// ---------------------------------------------------------------------------------------------
// A real webhook receiver on loopback: fails its first call with 500, then accepts.

/// One call a webhook received: its `X-Keel-Event` header and body.
type Call = (Option<String>, Vec<u8>);

#[derive(Clone, Default)]
struct Hook {
    calls: Arc<Mutex<Vec<Call>>>,
}

async fn webhook_server() -> (String, Hook) {
    use axum::{extract::State, http::HeaderMap, http::StatusCode, routing::post};
    async fn receive(
        State(hook): State<Hook>,
        headers: HeaderMap,
        body: axum::body::Bytes,
    ) -> (StatusCode, &'static str) {
        let event = headers.get("x-keel-event").and_then(|v| v.to_str().ok()).map(str::to_owned);
        let mut calls = hook.calls.lock().unwrap();
        calls.push((event, body.to_vec()));
        if calls.len() == 1 {
            (StatusCode::INTERNAL_SERVER_ERROR, "receiver is warming up")
        } else {
            (StatusCode::NO_CONTENT, "")
        }
    }
    let hook = Hook::default();
    let app = axum::Router::new().route("/hooks/keel", post(receive)).with_state(hook.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hooks/keel", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, hook)
}

// ---------------------------------------------------------------------------------------------
// Keel: a store with one organisation, and a board pack issued from it.

struct Fixture {
    _dir: tempfile::TempDir,
    store: Store,
    org: OrgId,
}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 8, 0, 0).unwrap()
}

async fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let store = testing::fresh_sqlite(dir.path()).await.unwrap();
    let org = Organisation {
        id: Id::from_uuid(uuid::Uuid::now_v7()),
        name: "Acme".into(),
        currency: Currency::parse("GBP").unwrap(),
        created_at: keel_store::now(),
    };
    let mut tx = store.write().await.unwrap();
    tx.insert_org(&org).await.unwrap();
    tx.commit().await.unwrap();
    Fixture { _dir: dir, store, org: org.id }
}

fn app(f: &Fixture, smtp_port: Option<u16>) -> App {
    let config = AppConfig {
        reporting: ReportingConfig { max_attempts: 3, retry_after_secs: 60, ..Default::default() },
        smtp: smtp_port.map(|port| SmtpConfig {
            host: "127.0.0.1".into(),
            port,
            security: SmtpSecurity::None,
            username: None,
            password: None,
            from: "Keel PMO <pmo@example.com>".into(),
            timeout_secs: 10,
        }),
        ..Default::default()
    };
    App::new(f.store.clone(), config)
}

/// Issues a board pack of the organisation (stored as a snapshot) and renders it in `format`.
async fn issue(app: &App, f: &Fixture, format: ReportFormat) -> Outgoing {
    let request = ReportRequest {
        kind: ReportKind::Board,
        audience: Audience::Executive,
        scope: ReportScope::Organisation,
        as_of: NaiveDate::from_ymd_opt(2026, 11, 20),
    };
    let snapshot = app.generate_report(&Actor::system(f.org), &request, "manual").await.unwrap();
    let rendered = app.render_report(&snapshot, format).unwrap();
    assert!(!snapshot.info.title.is_empty() && snapshot.html.contains(&snapshot.info.title));
    Outgoing { info: snapshot.info, html: snapshot.html, rendered }
}

fn email(to: &str) -> (DeliveryChannel, String) {
    (DeliveryChannel::Email, to.into())
}

async fn log(app: &App, f: &Fixture) -> Vec<ReportDelivery> {
    app.report_deliveries(&Actor::system(f.org), None, 50).await.unwrap()
}

// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn html_report_is_emailed_as_the_body() {
    let f = fixture().await;
    let (port, inbox) = smtp_server(false);
    let app = app(&f, Some(port));
    let out = issue(&app, &f, ReportFormat::Html).await;
    let sent = app.deliver_report(f.org, None, &out, &[email("ada@example.com")], t0()).await.unwrap();
    assert_eq!(sent.len(), 1);
    assert_eq!((sent[0].state, sent[0].attempts, sent[0].last_error.as_deref()), (DeliveryState::Delivered, 1, None));
    assert_eq!(log(&app, &f).await, sent, "the log holds what was recorded");

    let mails = inbox.lock().unwrap().clone();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].to, ["ada@example.com"]);
    assert_eq!(mails[0].from, "pmo@example.com");
    let parsed = mailparse::parse_mail(&mails[0].data).unwrap();
    let subject = parsed.headers.iter().find(|h| h.get_key_ref().eq_ignore_ascii_case("subject")).unwrap();
    assert_eq!(subject.get_value(), format!("{} — 20 Nov 2026", out.info.title));
    assert_eq!(parsed.ctype.mimetype, "text/html");
    // The body is the HTML as issued.
    let body = parsed.get_body().unwrap().replace("\r\n", "\n");
    assert_eq!(body.trim_end(), out.html.trim_end());
}

#[tokio::test]
async fn other_formats_are_attached() {
    let f = fixture().await;
    let (port, inbox) = smtp_server(false);
    let app = app(&f, Some(port));
    let out = issue(&app, &f, ReportFormat::Md).await;
    let sent = app
        .deliver_report(f.org, None, &out, &[email("ada@example.com"), email("grace@example.com")], t0())
        .await
        .unwrap();
    assert!(sent.iter().all(|d| d.state == DeliveryState::Delivered), "{sent:?}");

    let mails = inbox.lock().unwrap().clone();
    let mut to: Vec<String> = mails.iter().flat_map(|m| m.to.clone()).collect();
    to.sort();
    assert_eq!(to, ["ada@example.com", "grace@example.com"], "one message per recipient");
    let parsed = mailparse::parse_mail(&mails[0].data).unwrap();
    assert_eq!(parsed.ctype.mimetype, "multipart/mixed");
    let text = parsed.subparts[0].get_body().unwrap();
    assert!(text.contains(&out.info.title) && text.contains("20 November 2026"), "{text}");
    let file = &parsed.subparts[1];
    assert_eq!(file.ctype.mimetype, "text/markdown");
    assert_eq!(
        file.get_content_disposition().params.get("filename").map(String::as_str),
        Some(out.rendered.file_name.as_str())
    );
    assert_eq!(file.get_body_raw().unwrap(), out.rendered.bytes);
}

#[tokio::test]
async fn rejected_email_is_retried_with_backoff_then_fails() {
    let f = fixture().await;
    let (port, inbox) = smtp_server(true);
    let app = app(&f, Some(port));
    let sent = app
        .deliver_report(f.org, None, &issue(&app, &f, ReportFormat::Html).await, &[email("nobody@example.com")], t0())
        .await
        .unwrap();
    let d = &sent[0];
    assert_eq!((d.state, d.attempts), (DeliveryState::Pending, 1));
    assert_eq!(d.next_attempt_at, Some(t0() + Duration::seconds(60)));
    let error = d.last_error.as_deref().unwrap();
    assert!(error.contains("550") && error.contains("Mailbox unavailable"), "{error}");

    // Not due yet: nothing is attempted.
    assert_eq!(app.retry_deliveries(t0() + Duration::seconds(59)).await.unwrap(), 0);
    // Second attempt at +60 s; the next waits twice as long.
    let t1 = t0() + Duration::seconds(60);
    assert_eq!(app.retry_deliveries(t1).await.unwrap(), 1);
    let d = &log(&app, &f).await[0];
    assert_eq!(
        (d.state, d.attempts, d.next_attempt_at),
        (DeliveryState::Pending, 2, Some(t1 + Duration::seconds(120)))
    );
    // Third attempt is the last (max_attempts = 3): failed, no further attempt.
    let t2 = t1 + Duration::seconds(120);
    assert_eq!(app.retry_deliveries(t2).await.unwrap(), 1);
    let d = &log(&app, &f).await[0];
    assert_eq!((d.state, d.attempts, d.next_attempt_at), (DeliveryState::Failed, 3, None));
    assert!(d.last_error.as_deref().unwrap().contains("550"));
    assert_eq!(app.retry_deliveries(t2 + Duration::days(1)).await.unwrap(), 0);
    assert!(inbox.lock().unwrap().is_empty());
}

#[tokio::test]
async fn unreachable_or_unconfigured_smtp_is_a_failed_attempt() {
    let f = fixture().await;
    // A port nobody listens on.
    let closed = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let app = app(&f, Some(closed));
    let d = app
        .deliver_report(f.org, None, &issue(&app, &f, ReportFormat::Html).await, &[email("ada@example.com")], t0())
        .await
        .unwrap()
        .remove(0);
    assert_eq!((d.state, d.attempts), (DeliveryState::Pending, 1));
    assert!(d.last_error.as_deref().unwrap().contains(&format!("127.0.0.1:{closed}")), "{:?}", d.last_error);

    let unconfigured = self::app(&f, None);
    let d = unconfigured
        .deliver_report(f.org, None, &issue(&app, &f, ReportFormat::Html).await, &[email("ada@example.com")], t0())
        .await
        .unwrap()
        .remove(0);
    assert_eq!(d.state, DeliveryState::Pending);
    assert_eq!(d.last_error.as_deref(), Some("e-mail delivery is not configured: add [smtp] to keel.toml"));
}

#[tokio::test]
async fn webhook_is_retried_until_accepted() {
    let f = fixture().await;
    let (url, hook) = webhook_server().await;
    let app = app(&f, None);
    let out = issue(&app, &f, ReportFormat::Html).await;
    let d = app
        .deliver_report(f.org, None, &out, &[(DeliveryChannel::Webhook, url.clone())], t0())
        .await
        .unwrap()
        .remove(0);
    assert_eq!((d.state, d.attempts), (DeliveryState::Pending, 1));
    let error = d.last_error.as_deref().unwrap();
    assert!(error.contains("500") && error.contains("receiver is warming up"), "{error}");

    // The retry re-reads the issued report from the store and sends it again.
    assert_eq!(app.retry_deliveries(t0() + Duration::seconds(60)).await.unwrap(), 1);
    let d = &log(&app, &f).await[0];
    assert_eq!((d.state, d.attempts, d.next_attempt_at), (DeliveryState::Delivered, 2, None));

    let calls = hook.calls.lock().unwrap().clone();
    assert_eq!(calls.len(), 2);
    for (event, body) in &calls {
        assert_eq!(event.as_deref(), Some("report.issued"));
        let json: serde_json::Value = serde_json::from_slice(body).unwrap();
        assert_eq!(json["event"], "report.issued");
        assert_eq!(json["delivery_id"], d.id.to_string());
        assert_eq!(json["report"]["id"], out.info.id.to_string());
        assert_eq!(json["report"]["title"], out.info.title.as_str());
        assert_eq!(json["file_name"], out.rendered.file_name.as_str());
        assert_eq!(json["report"]["kind"], "board");
        assert_eq!(json["report"]["audience"], "executive");
        assert_eq!(json["report"]["as_of"], "2026-11-20");
        assert_eq!(json["format"], "html");
        assert_eq!(json["download_path"], format!("/api/v1/reports/{}?format=html", out.info.id));
        let content =
            base64::engine::general_purpose::STANDARD.decode(json["content_base64"].as_str().unwrap()).unwrap();
        assert_eq!(content, out.html.as_bytes());
    }
}

fn schedule_input() -> ReportScheduleInput {
    ReportScheduleInput {
        name: "Monday board pack".into(),
        kind: ReportKind::Board,
        audience: Audience::Executive,
        scope: ReportScope::Organisation,
        format: ReportFormat::Html,
        weekday: Some("monday".into()),
        time_of_day: "08:00".into(),
        timezone: Some("Europe/London".into()),
        recipients: vec!["ada@example.com".into()],
        webhook_url: None,
        enabled: true,
    }
}

#[tokio::test]
async fn schedules_are_managed_by_the_pmo_and_keep_their_log() {
    let f = fixture().await;
    let app = app(&f, None);
    let admin = Actor::system(f.org);
    let viewer = Actor { role: Role::Viewer, name: "Vic".into(), ..Actor::system(f.org) };
    assert!(matches!(app.create_report_schedule(&viewer, &schedule_input()).await, Err(AppError::Forbidden(_))));

    let bad = ReportScheduleInput { recipients: vec!["ada@example.com".into(), "grace".into()], ..schedule_input() };
    match app.create_report_schedule(&admin, &bad).await {
        Err(AppError::Validation(e)) => {
            assert_eq!(e.0[0].field, "recipients[1]");
            assert_eq!(e.0[0].message, "expected an e-mail address like name@example.com");
        }
        other => panic!("{other:?}"),
    }
    let missing =
        ReportScheduleInput { scope: ReportScope::Portfolio(Id::from_uuid(uuid::Uuid::now_v7())), ..schedule_input() };
    assert!(matches!(app.create_report_schedule(&admin, &missing).await, Err(AppError::Validation(_))));

    let before = Utc::now();
    let s = app.create_report_schedule(&admin, &schedule_input()).await.unwrap();
    let london = s.next_run_at.with_timezone(&chrono_tz::Europe::London);
    assert!(s.next_run_at > before && s.next_run_at - before <= Duration::days(7));
    assert_eq!(
        (london.format("%A %H:%M").to_string(), s.cadence()),
        ("Monday 08:00".into(), "every Monday at 08:00 (Europe/London)".into())
    );
    assert_eq!(app.report_schedules(&viewer).await.unwrap(), vec![s.clone()]);

    let daily = ReportScheduleInput { weekday: None, time_of_day: "7:30".into(), timezone: None, ..schedule_input() };
    let u = app.update_report_schedule(&admin, s.id, &daily).await.unwrap();
    assert_eq!((u.weekday.as_deref(), u.time_of_day.as_str(), u.timezone.as_str()), (None, "07:30", "UTC"));
    assert!(u.next_run_at - Utc::now() <= Duration::days(1));
    assert_eq!(app.report_schedule(&viewer, s.id).await.unwrap(), u);

    // A delivery issued by the schedule is in its log; deleting the schedule keeps the log.
    app.deliver_report(
        f.org,
        Some(s.id),
        &issue(&app, &f, ReportFormat::Html).await,
        &[email("ada@example.com")],
        t0(),
    )
    .await
    .unwrap();
    assert_eq!(app.report_deliveries(&viewer, Some(s.id), 10).await.unwrap().len(), 1);
    assert!(app.report_deliveries(&viewer, Some(uuid::Uuid::now_v7()), 10).await.unwrap().is_empty());
    app.delete_report_schedule(&admin, s.id).await.unwrap();
    assert!(matches!(app.report_schedule(&admin, s.id).await, Err(AppError::NotFound)));
    assert!(matches!(app.delete_report_schedule(&admin, s.id).await, Err(AppError::NotFound)));
    let kept = log(&app, &f).await;
    assert_eq!((kept.len(), kept[0].schedule_id), (1, None));

    // Every change is in the audit trail.
    let mut tx = f.store.read().await.unwrap();
    let trail: Vec<_> = tx.all_audit(f.org).await.unwrap().into_iter().filter(|a| a.entity_id == s.id).collect();
    let actions: Vec<&str> = trail.iter().map(|a| a.action.as_str()).collect();
    assert_eq!(actions, ["create", "update", "delete"]);
    assert!(trail.iter().all(|a| a.entity_kind == "report_schedule" && a.label == "Monday board pack"));
}

#[tokio::test]
async fn due_schedules_issue_and_deliver_their_report() {
    let f = fixture().await;
    let (port, inbox) = smtp_server(false);
    let (url, hook) = webhook_server().await;
    let app = app(&f, Some(port));
    let admin = Actor::system(f.org);
    let input = ReportScheduleInput {
        weekday: None,
        format: ReportFormat::Md,
        recipients: vec!["ada@example.com".into(), "grace@example.com".into()],
        webhook_url: Some(url),
        ..schedule_input()
    };
    let s = app.create_report_schedule(&admin, &input).await.unwrap();
    let paused = app
        .create_report_schedule(&admin, &ReportScheduleInput { name: "Paused".into(), enabled: false, ..input.clone() })
        .await
        .unwrap();

    // Nothing is due a second before the run.
    assert_eq!(app.run_due_reports(s.next_run_at - Duration::seconds(1)).await.unwrap(), 0);
    let now = s.next_run_at + Duration::seconds(5);
    assert_eq!(app.run_due_reports(now).await.unwrap(), 1);
    // The run is not repeated; the schedule moved on to the same time the next day.
    assert_eq!(app.run_due_reports(now).await.unwrap(), 0);
    let ran = app.report_schedule(&admin, s.id).await.unwrap();
    assert_eq!(ran.last_run_at, Some(now));
    let eight = chrono::NaiveTime::from_hms_opt(8, 0, 0).unwrap();
    assert_eq!(ran.next_run_at, keel_app::reports::schedules::next_run(None, eight, chrono_tz::Europe::London, now));
    assert!(ran.next_run_at - now <= Duration::days(1));
    assert_eq!(app.report_schedule(&admin, paused.id).await.unwrap().last_run_at, None);

    // One issued report, by the schedule.
    let issued = app.report_snapshots(&admin, 10).await.unwrap();
    assert_eq!(issued.len(), 1);
    assert_eq!(
        (issued[0].trigger.as_str(), issued[0].created_by.as_str()),
        ("schedule", "schedule: Monday board pack")
    );

    // Two e-mails with the Markdown attached, and a webhook that failed once.
    let deliveries = app.report_deliveries(&admin, Some(s.id), 10).await.unwrap();
    assert_eq!(deliveries.len(), 3);
    assert!(deliveries.iter().all(|d| d.snapshot_id == issued[0].id));
    let by = |c: DeliveryChannel| deliveries.iter().filter(move |d| d.channel == c);
    assert!(by(DeliveryChannel::Email).all(|d| d.state == DeliveryState::Delivered));
    let hooked: Vec<_> = by(DeliveryChannel::Webhook).collect();
    assert_eq!((hooked.len(), hooked[0].state), (1, DeliveryState::Pending));
    let mails = inbox.lock().unwrap().clone();
    assert_eq!(mails.len(), 2);
    let parsed = mailparse::parse_mail(&mails[0].data).unwrap();
    let attached = &parsed.subparts[1];
    assert_eq!(attached.ctype.mimetype, "text/markdown");
    assert!(attached.get_body().unwrap().contains(&issued[0].title));

    // The retry renders the issued report again in the schedule's format.
    assert_eq!(app.retry_deliveries(now + Duration::seconds(60)).await.unwrap(), 1);
    let hooked = app.report_deliveries(&admin, Some(s.id), 10).await.unwrap();
    assert!(hooked.iter().all(|d| d.state == DeliveryState::Delivered), "{hooked:?}");
    let calls = hook.calls.lock().unwrap().clone();
    let json: serde_json::Value = serde_json::from_slice(&calls[1].1).unwrap();
    assert_eq!(
        (json["format"].as_str(), json["report"]["id"].as_str()),
        (Some("md"), Some(issued[0].id.to_string().as_str()))
    );
    let content = base64::engine::general_purpose::STANDARD.decode(json["content_base64"].as_str().unwrap()).unwrap();
    assert_eq!(content, attached.get_body_raw().unwrap());
}
