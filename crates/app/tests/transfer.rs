//! Export → import round trips lose nothing, on SQLite and PostgreSQL, across backends too.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

use chrono::{NaiveDate, TimeZone, Utc};
use keel_app::{
    Actor, App, AppConfig, ReportFormat, ReportRequest, ReportScope,
    demo::DemoOptions,
    forecasts::ForecastSettings,
    reports::{
        ReportScheduleInput,
        delivery::{DeliveryChannel, Outgoing},
    },
};
use keel_domain::{AuditAction, ProjectFields, ProjectId};
use keel_engine::report::{Audience, ReportKind};
use keel_store::{Store, testing};

async fn demo_app(store: Store) -> App {
    let app = App::new(store, AppConfig::default());
    app.bootstrap("Northwind", Some("a long password")).await.unwrap();
    let opts = DemoOptions { projects: 12, weeks_of_history: 10, ..DemoOptions::default() };
    let summary = app.load_demo(&opts).await.unwrap().expect("empty database gets the demo");
    assert!(summary.records > 100);
    assert!(app.load_demo(&opts).await.unwrap().is_none(), "a second load is refused");
    app
}

/// What the source holds outside the record tables, read through the app, to compare with what
/// the target reads back after the move.
#[derive(Debug, PartialEq)]
struct Kept {
    versions: Vec<keel_app::ScheduleVersionInfo>,
    latest: keel_app::ScheduleVersion,
    first: keel_app::ScheduleVersion,
    settings: ForecastSettings,
    runs: Vec<keel_app::forecasts::ForecastRunInfo>,
    run: keel_app::forecasts::ForecastRun,
    snapshots: Vec<keel_app::ReportSnapshotInfo>,
    snapshot: keel_app::ReportSnapshot,
    draft: keel_app::reports::StatusDraftView,
    schedules: Vec<keel_app::reports::ReportSchedule>,
    deliveries: Vec<keel_app::reports::delivery::ReportDelivery>,
    /// The team delivery forecast (not comparable itself: compared as JSON).
    delivery: serde_json::Value,
}

const PERIOD: Option<NaiveDate> = NaiveDate::from_ymd_opt(2026, 11, 20);

/// A project the demo gave a schedule (imported through the app, with its forecast run).
async fn scheduled_project(app: &App, actor: &Actor) -> ProjectId {
    for p in app.records::<ProjectFields>().list(actor, &Default::default()).await.unwrap().items {
        if !app.schedule_versions(actor, p.id).await.unwrap().is_empty() {
            return p.id;
        }
    }
    panic!("the demo imports schedules");
}

/// Adds to the source what the demo does not make: a second schedule version, forecast
/// settings, a team delivery history, an issued report, a status draft, a report schedule and a logged delivery.
async fn add_kept(app: &App, actor: &Actor, project: ProjectId) -> uuid::Uuid {
    let v1 = app.schedule_version(actor, project, None).await.unwrap();
    app.put_forecast_settings(actor, project, ForecastSettings { iterations: 500, ..Default::default() })
        .await
        .unwrap();
    // A second import of the same plan: a new version and a new forecast run.
    let file = plan_csv();
    // The plan's dates are fixed and the demo's follow today: keep them whatever the day.
    let opts = keel_app::ImportOptions { format: None, dates: keel_app::DatesChoice::Keep };
    app.import_schedule(actor, project, "plan.csv", file.into_bytes(), opts).await.unwrap();
    assert_ne!(app.schedule_version(actor, project, None).await.unwrap().info.version, v1.info.version);
    let items = "Issue key,Status,Created,Resolved,Start date\n\
                 ABC-1,Done,2026-10-01,2026-10-05,2026-10-02\n\
                 ABC-2,Done,2026-10-06,2026-10-16,2026-10-08\n\
                 ABC-3,In Progress,2026-10-20,,2026-10-21\n\
                 ABC-4,Open,2026-10-22,,\n";
    app.import_delivery(actor, project, "items.csv", items.as_bytes().to_vec()).await.unwrap();
    let request = ReportRequest {
        kind: ReportKind::Status,
        audience: Audience::Sponsor,
        scope: ReportScope::Project(project),
        as_of: PERIOD,
    };
    let snapshot = app.generate_report(actor, &request, "manual").await.unwrap();
    app.status_draft(actor, project, PERIOD).await.unwrap();
    let input = ReportScheduleInput {
        name: "Monday status".into(),
        kind: ReportKind::Status,
        audience: Audience::Sponsor,
        scope: ReportScope::Project(project),
        format: ReportFormat::Html,
        weekday: Some("monday".into()),
        time_of_day: "08:00".into(),
        timezone: Some("Europe/London".into()),
        recipients: vec!["ada@example.com".into()],
        webhook_url: None,
        enabled: true,
    };
    let schedule = app.create_report_schedule(actor, &input).await.unwrap();
    let rendered = app.render_report(&snapshot, ReportFormat::Html).unwrap();
    let outgoing = Outgoing { info: snapshot.info.clone(), html: snapshot.html.clone(), rendered };
    let at = Utc.with_ymd_and_hms(2026, 11, 20, 8, 0, 0).unwrap();
    // No SMTP configured: the delivery is logged with its failure, pending a retry.
    let logged = app
        .deliver_report(
            actor.org_id,
            Some(schedule.id),
            &outgoing,
            &[(DeliveryChannel::Email, "ada@example.com".into())],
            at,
        )
        .await
        .unwrap();
    assert_eq!(logged.len(), 1);
    snapshot.info.id
}

async fn kept(app: &App, actor: &Actor, project: ProjectId, snapshot: uuid::Uuid) -> Kept {
    Kept {
        versions: app.schedule_versions(actor, project).await.unwrap(),
        latest: app.schedule_version(actor, project, None).await.unwrap(),
        first: app.schedule_version(actor, project, Some(1)).await.unwrap(),
        settings: app.forecast_settings(actor, project).await.unwrap(),
        runs: app.forecast_runs(actor, project, 100).await.unwrap(),
        run: app.forecast_run(actor, project, None).await.unwrap(),
        snapshots: app.report_snapshots(actor, 100).await.unwrap(),
        snapshot: app.report_snapshot(actor, snapshot).await.unwrap(),
        draft: app.status_draft(actor, project, PERIOD).await.unwrap(),
        schedules: app.report_schedules(actor).await.unwrap(),
        deliveries: app.report_deliveries(actor, None, 100).await.unwrap(),
        delivery: serde_json::to_value(app.delivery_forecast(actor, project).await.unwrap().unwrap()).unwrap(),
    }
}

async fn round_trip(from: Store, to: Store) {
    let source = demo_app(from).await;
    let org = source.default_org().await.unwrap().unwrap();
    // Make a change so the audit trail holds an update with before and after.
    let actor = Actor::system(org.id);
    let p = source.records::<ProjectFields>().list(&actor, &Default::default()).await.unwrap().items.remove(0);
    let mut fields = p.fields.clone();
    fields.name = "Renamed before export".into();
    source.records::<ProjectFields>().update(&actor, p.id, p.version, fields).await.unwrap();
    let project = scheduled_project(&source, &actor).await;
    let snapshot = add_kept(&source, &actor, project).await;
    let before = kept(&source, &actor, project, snapshot).await;
    assert!(before.versions.len() >= 2 && before.runs.len() >= 2, "{:?} {:?}", before.versions, before.runs);
    assert_eq!((before.snapshots.len(), before.schedules.len(), before.deliveries.len()), (1, 1, 1));

    let exported = source.export(&actor).await.unwrap();
    assert_eq!(exported.records.projects.len(), 12);
    let json = serde_json::to_string(&exported).unwrap();
    let parsed: keel_app::ExportDocument = serde_json::from_str(&json).unwrap();
    assert_eq!(parsed, exported, "the document survives JSON");

    let target = App::new(to, AppConfig::default());
    let summary = target.import(&parsed).await.unwrap();
    assert_eq!(summary.audit_entries, exported.audit.len());
    // Schedules, forecasts, delivery histories, issued reports, drafts, report schedules and the
    // delivery log read back the same through the app; the issued HTML byte for byte.
    let after = kept(&target, &actor, project, snapshot).await;
    assert_eq!(after.snapshot.html.as_bytes(), before.snapshot.html.as_bytes());
    assert_eq!(
        target.render_report(&after.snapshot, ReportFormat::Html).unwrap().bytes,
        source.render_report(&before.snapshot, ReportFormat::Html).unwrap().bytes
    );
    assert_eq!(after, before);
    assert!(summary.rows >= 9, "{summary:?}");
    let again = target.export(&actor).await.unwrap();
    let mut expected = exported.clone();
    let mut got = again.clone();
    // The import adds one audit entry saying so; everything else is identical.
    let added: Vec<_> = got.audit.iter().filter(|a| !expected.audit.contains(a)).cloned().collect();
    assert_eq!(added.len(), 1);
    assert_eq!(added[0].action, AuditAction::Import);
    got.audit.retain(|a| a.action != AuditAction::Import || expected.audit.contains(a));
    expected.exported_at = got.exported_at;
    assert_eq!(got, expected);
    // Importing the same organisation twice is refused, and changes nothing.
    assert!(target.import(&parsed).await.is_err());
    assert_eq!(target.export(&actor).await.unwrap().records.projects.len(), 12);
    // Users can sign in on the target with their old password.
    assert!(target.login("admin", "a long password", "test").await.is_ok());
}

/// A small task list (the CSV schedule format).
fn plan_csv() -> String {
    "ID,Name,WBS,Duration,Predecessors,Start,Notes\n\
     1,Design,1,,,2026-01-05,\n\
     2,Spec,1.1,5d,,,\n\
     3,Build,1.2,2w,2FS+2d,,\n\
     4,Go live,2,0d,3,,\n"
        .into()
}

#[tokio::test]
async fn round_trip_sqlite_to_sqlite() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    round_trip(testing::fresh_sqlite(a.path()).await.unwrap(), testing::fresh_sqlite(b.path()).await.unwrap()).await;
}

#[tokio::test]
async fn round_trip_sqlite_to_postgres_and_back() {
    let Some(url) = testing::postgres_url() else {
        eprintln!("SKIPPED: export/import round trips on PostgreSQL (set KEEL_TEST_POSTGRES_URL to run them)");
        return;
    };
    let a = tempfile::tempdir().unwrap();
    round_trip(testing::fresh_sqlite(a.path()).await.unwrap(), testing::fresh_postgres(&url).await.unwrap()).await;
    let b = tempfile::tempdir().unwrap();
    round_trip(testing::fresh_postgres(&url).await.unwrap(), testing::fresh_sqlite(b.path()).await.unwrap()).await;
}

#[tokio::test]
async fn a_broken_import_writes_nothing() {
    let a = tempfile::tempdir().unwrap();
    let source = demo_app(testing::fresh_sqlite(a.path()).await.unwrap()).await;
    let org = source.default_org().await.unwrap().unwrap();
    let mut doc = source.export(&Actor::system(org.id)).await.unwrap();
    // A risk that points at a project that is not in the document.
    doc.records.projects.remove(0);
    let b = tempfile::tempdir().unwrap();
    let target = App::new(testing::fresh_sqlite(b.path()).await.unwrap(), AppConfig::default());
    let err = target.import(&doc).await.unwrap_err();
    assert!(err.to_string().contains("cannot be stored") || err.to_string().contains("invalid"), "{err}");
    assert!(target.default_org().await.unwrap().is_none(), "the transaction rolled back: no organisation");
}

#[tokio::test]
async fn rows_naming_a_missing_project_write_nothing() {
    let a = tempfile::tempdir().unwrap();
    let source = demo_app(testing::fresh_sqlite(a.path()).await.unwrap()).await;
    let org = source.default_org().await.unwrap().unwrap();
    let doc = source.export(&Actor::system(org.id)).await.unwrap();
    assert!(!doc.schedule_versions.is_empty() && !doc.forecast_runs.is_empty());
    let missing = keel_domain::Id::from_uuid(uuid::Uuid::now_v7());
    let b = tempfile::tempdir().unwrap();
    let target = App::new(testing::fresh_sqlite(b.path()).await.unwrap(), AppConfig::default());

    let mut broken = doc.clone();
    broken.schedule_versions[0].row.project_id = missing;
    let err = target.import(&broken).await.unwrap_err().to_string();
    assert!(err.contains("schedule_versions") && err.contains(&missing.to_string()), "{err}");
    assert!(target.default_org().await.unwrap().is_none(), "the transaction rolled back: no organisation");

    let mut broken = doc.clone();
    broken.forecast_runs[0].row.project_id = missing;
    let err = target.import(&broken).await.unwrap_err().to_string();
    assert!(err.contains("forecast_runs") && err.contains("not in the export"), "{err}");
    assert!(target.default_org().await.unwrap().is_none());
}

#[tokio::test]
async fn an_export_from_before_schedules_and_reports_still_imports() {
    let a = tempfile::tempdir().unwrap();
    let source = demo_app(testing::fresh_sqlite(a.path()).await.unwrap()).await;
    let org = source.default_org().await.unwrap().unwrap();
    let actor = Actor::system(org.id);
    let mut json = serde_json::to_value(source.export(&actor).await.unwrap()).unwrap();
    let object = json.as_object_mut().unwrap();
    for key in [
        "schedule_versions",
        "forecast_settings",
        "forecast_runs",
        "delivery_histories",
        "report_snapshots",
        "status_drafts",
        "report_schedules",
        "report_deliveries",
    ] {
        assert!(object.remove(key).is_some(), "{key}");
    }
    let old: keel_app::ExportDocument = serde_json::from_value(json).unwrap();
    assert!(old.schedule_versions.is_empty() && old.report_snapshots.is_empty());
    let b = tempfile::tempdir().unwrap();
    let target = App::new(testing::fresh_sqlite(b.path()).await.unwrap(), AppConfig::default());
    let summary = target.import(&old).await.unwrap();
    assert_eq!(summary.rows, 0);
    assert_eq!(target.export(&actor).await.unwrap().records, old.records);
}

#[tokio::test]
async fn dashboard_puts_exceptions_first() {
    let a = tempfile::tempdir().unwrap();
    let app = demo_app(testing::fresh_sqlite(a.path()).await.unwrap()).await;
    let org = app.default_org().await.unwrap().unwrap();
    let d = app
        .dashboard(&Actor::system(org.id), &Default::default(), keel_app::demo::DemoOptions::default().today)
        .await
        .unwrap();
    assert!(!d.rows.is_empty());
    assert!(d.rows.windows(2).all(|w| w[0].health.attention >= w[1].health.attention));
    assert_eq!(d.distribution.iter().sum::<usize>(), d.rows.len());
    assert_eq!(d.trend.len(), 13);
}

#[tokio::test]
async fn two_instances_on_one_postgres_share_sessions_and_throttling() {
    let Some(url) = testing::postgres_url() else {
        eprintln!("SKIPPED: multi-instance check on PostgreSQL (set KEEL_TEST_POSTGRES_URL to run it)");
        return;
    };
    let first = testing::fresh_postgres(&url).await.unwrap();
    // A second, independent pool on the same database: what a second `keel serve` process has.
    let db_url = first.url().to_owned();
    let second = Store::connect(&db_url).await.unwrap();
    let a = App::new(first, AppConfig::default());
    let b = App::new(second, AppConfig::default());
    a.bootstrap("Shared", Some("a long password")).await.unwrap();
    assert!(b.bootstrap("Other", Some("another password")).await.unwrap().1.is_none(), "b sees a's organisation");
    let login = a.login("admin", "a long password", "1.2.3.4").await.unwrap();
    let seen = b.session(&login.secret).await.unwrap().expect("the session lives in the database");
    assert_eq!(seen.username, "admin");
    b.logout(&login.secret).await.unwrap();
    assert!(a.session(&login.secret).await.unwrap().is_none(), "sign-out on one instance ends it on all");
    for app in [&a, &b, &a, &b, &a] {
        assert!(app.login("admin", "wrong", "5.6.7.8").await.is_err());
    }
    assert!(matches!(
        b.login("admin", "a long password", "5.6.7.8").await,
        Err(keel_app::AppError::RateLimited { .. })
    ));
}
