//! Export → import round trips lose nothing, on SQLite and PostgreSQL, across backends too.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

use keel_app::{Actor, App, AppConfig, demo::DemoOptions};
use keel_domain::{AuditAction, ProjectFields};
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

async fn round_trip(from: Store, to: Store) {
    let source = demo_app(from).await;
    let org = source.default_org().await.unwrap().unwrap();
    // Make a change so the audit trail holds an update with before and after.
    let actor = Actor::system(org.id);
    let p = source.records::<ProjectFields>().list(&actor, &Default::default()).await.unwrap().items.remove(0);
    let mut fields = p.fields.clone();
    fields.name = "Renamed before export".into();
    source.records::<ProjectFields>().update(&actor, p.id, p.version, fields).await.unwrap();

    let exported = source.export(&actor).await.unwrap();
    assert_eq!(exported.records.projects.len(), 12);
    let json = serde_json::to_string(&exported).unwrap();
    let parsed: keel_app::ExportDocument = serde_json::from_str(&json).unwrap();
    assert_eq!(parsed, exported, "the document survives JSON");

    let target = App::new(to, AppConfig::default());
    let summary = target.import(&parsed).await.unwrap();
    assert_eq!(summary.audit_entries, exported.audit.len());
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
