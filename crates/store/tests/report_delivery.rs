//! Report snapshots, schedules and the delivery log, on SQLite (always) and PostgreSQL (from
//! `KEEL_TEST_POSTGRES_URL`, or the local server when it answers).

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use keel_domain::*;
use keel_store::{ReportDeliveryRow, ReportScheduleRow, ReportSnapshotRow, Store, StoreError, testing};

fn org(name: &str) -> Organisation {
    Organisation {
        id: Id::from_uuid(uuid::Uuid::now_v7()),
        name: name.into(),
        currency: Currency::parse("GBP").unwrap(),
        created_at: keel_store::now(),
    }
}

fn at(d: u32, h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, d, h, m, 0).unwrap()
}

fn snapshot(org: OrgId, title: &str, created_at: DateTime<Utc>) -> ReportSnapshotRow {
    ReportSnapshotRow {
        id: uuid::Uuid::now_v7(),
        org_id: org,
        kind: "board".into(),
        audience: "executive".into(),
        scope_kind: "portfolio".into(),
        scope_id: Some(uuid::Uuid::now_v7()),
        title: title.into(),
        as_of: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
        created_at,
        created_by: "schedule: Monday board pack".into(),
        trigger: "schedule".into(),
        renderer_version: "1".into(),
        document: r#"{"title":"Board pack"}"#.into(),
        html: "<h1>Board pack — 20 Nov 2026</h1>".into(),
    }
}

fn schedule(org: OrgId, name: &str, next: DateTime<Utc>, enabled: bool) -> ReportScheduleRow {
    ReportScheduleRow {
        id: uuid::Uuid::now_v7(),
        org_id: org,
        name: name.into(),
        kind: "board".into(),
        audience: "executive".into(),
        scope_kind: "organisation".into(),
        scope_id: None,
        format: "pdf".into(),
        weekday: Some(0),
        time_of_day: "08:00".into(),
        timezone: "Europe/London".into(),
        recipients: r#"["ada@example.com","grace@example.com"]"#.into(),
        webhook_url: Some("https://hooks.example.com/keel".into()),
        enabled,
        next_run_at: next,
        last_run_at: None,
        created_at: at(1, 9, 0),
        created_by: "Ada".into(),
    }
}

fn delivery(s: &ReportScheduleRow, snap: uuid::Uuid, target: &str, created_at: DateTime<Utc>) -> ReportDeliveryRow {
    ReportDeliveryRow {
        id: uuid::Uuid::now_v7(),
        org_id: s.org_id,
        schedule_id: Some(s.id),
        snapshot_id: snap,
        channel: "email".into(),
        target: target.into(),
        state: "pending".into(),
        attempts: 0,
        next_attempt_at: Some(created_at),
        last_error: None,
        created_at,
        updated_at: created_at,
    }
}

async fn suite(store: Store) {
    let (a, b) = (org("Acme"), org("Globex"));
    let mut tx = store.write().await.unwrap();
    tx.insert_org(&a).await.unwrap();
    tx.insert_org(&b).await.unwrap();
    tx.commit().await.unwrap();

    // Snapshots: read back whole, listed newest first without bodies, scoped to their organisation.
    let older = snapshot(a.id, "Board pack — October", at(2, 8, 0));
    let newer = ReportSnapshotRow {
        scope_kind: "organisation".into(),
        scope_id: None,
        ..snapshot(a.id, "Board pack", at(9, 8, 0))
    };
    let mut tx = store.write().await.unwrap();
    tx.insert_report_snapshot(&older).await.unwrap();
    tx.insert_report_snapshot(&newer).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.read().await.unwrap();
    assert_eq!(tx.report_snapshot(a.id, older.id).await.unwrap().as_ref(), Some(&older));
    assert_eq!(tx.report_snapshot(b.id, older.id).await.unwrap(), None);
    let list = tx.report_snapshots(a.id, 10).await.unwrap();
    assert_eq!(list.iter().map(|s| s.id).collect::<Vec<_>>(), vec![newer.id, older.id]);
    assert!(list.iter().all(|s| s.document.is_empty() && s.html.is_empty()));
    assert_eq!(list[1].title, older.title);
    assert_eq!(list[1].scope_id, older.scope_id);
    assert_eq!(tx.report_snapshots(a.id, 1).await.unwrap().len(), 1);
    assert!(tx.report_snapshots(b.id, 10).await.unwrap().is_empty());
    drop(tx);

    // Schedules: round trip, update, listing by name, due across organisations.
    let monday = schedule(a.id, "Monday board pack", at(23, 8, 0), true);
    let daily = ReportScheduleRow {
        weekday: None,
        webhook_url: None,
        ..schedule(a.id, "Daily PMO digest", at(20, 7, 0), true)
    };
    let paused = schedule(a.id, "Paused", at(19, 7, 0), false);
    let other = schedule(b.id, "Globex weekly", at(20, 6, 0), true);
    let mut tx = store.write().await.unwrap();
    for s in [&monday, &daily, &paused, &other] {
        tx.insert_report_schedule(s).await.unwrap();
    }
    tx.commit().await.unwrap();
    let mut tx = store.read().await.unwrap();
    assert_eq!(tx.report_schedule(a.id, monday.id).await.unwrap().as_ref(), Some(&monday));
    assert_eq!(tx.report_schedule(a.id, daily.id).await.unwrap().as_ref(), Some(&daily));
    assert_eq!(tx.report_schedule(b.id, monday.id).await.unwrap(), None);
    let names: Vec<String> = tx.report_schedules(a.id).await.unwrap().into_iter().map(|s| s.name).collect();
    assert_eq!(names, ["Daily PMO digest", "Monday board pack", "Paused"]);
    // Due at 20 Nov 07:00: Globex's (06:00) then Acme's daily (07:00); not the paused one, not Monday's.
    let due: Vec<uuid::Uuid> = tx.due_report_schedules(at(20, 7, 0)).await.unwrap().into_iter().map(|s| s.id).collect();
    assert_eq!(due, vec![other.id, daily.id]);
    assert!(tx.due_report_schedules(at(20, 5, 59)).await.unwrap().is_empty());
    drop(tx);

    let edited = ReportScheduleRow {
        name: "Monday board pack (PDF)".into(),
        format: "xlsx".into(),
        weekday: Some(4),
        recipients: r#"["ada@example.com"]"#.into(),
        webhook_url: None,
        enabled: false,
        next_run_at: at(27, 8, 0),
        ..monday.clone()
    };
    let mut tx = store.write().await.unwrap();
    tx.update_report_schedule(&edited).await.unwrap();
    let moved = ReportScheduleRow { org_id: b.id, ..edited.clone() };
    assert!(matches!(tx.update_report_schedule(&moved).await, Err(StoreError::NotFound)));
    tx.commit().await.unwrap();
    let back = store.read().await.unwrap().report_schedule(a.id, monday.id).await.unwrap();
    assert_eq!(back.as_ref(), Some(&edited));

    // A run is claimed once: the second claim of the same due time loses.
    let mut tx = store.write().await.unwrap();
    assert!(tx.set_schedule_run(daily.id, daily.next_run_at, at(20, 7, 1), at(21, 7, 0)).await.unwrap());
    assert!(!tx.set_schedule_run(daily.id, daily.next_run_at, at(20, 7, 1), at(21, 7, 0)).await.unwrap());
    tx.commit().await.unwrap();
    let ran = store.read().await.unwrap().report_schedule(a.id, daily.id).await.unwrap().unwrap();
    assert_eq!((ran.last_run_at, ran.next_run_at), (Some(at(20, 7, 1)), at(21, 7, 0)));

    // Deliveries: log newest first, filtered by schedule, limited; due ones across organisations.
    let d1 = delivery(&daily, newer.id, "ada@example.com", at(20, 7, 1));
    let d2 = ReportDeliveryRow {
        channel: "webhook".into(),
        target: "https://hooks.example.com/keel".into(),
        next_attempt_at: Some(at(20, 7, 30)),
        ..delivery(&monday, newer.id, "https://hooks.example.com/keel", at(20, 7, 2))
    };
    let snap_b = snapshot(b.id, "Globex", at(20, 6, 0));
    let d3 = delivery(&other, snap_b.id, "wile@example.com", at(20, 6, 1));
    let mut tx = store.write().await.unwrap();
    tx.insert_report_snapshot(&snap_b).await.unwrap();
    for d in [&d1, &d2, &d3] {
        tx.insert_report_delivery(d).await.unwrap();
    }
    tx.commit().await.unwrap();
    let mut tx = store.read().await.unwrap();
    let log: Vec<uuid::Uuid> = tx.report_deliveries(a.id, None, 10).await.unwrap().iter().map(|d| d.id).collect();
    assert_eq!(log, vec![d2.id, d1.id]);
    assert_eq!(tx.report_deliveries(a.id, Some(daily.id), 10).await.unwrap(), vec![d1.clone()]);
    assert_eq!(tx.report_deliveries(a.id, None, 1).await.unwrap().len(), 1);
    assert_eq!(tx.report_deliveries(b.id, None, 10).await.unwrap(), vec![d3.clone()]);
    assert_eq!(tx.report_delivery(a.id, d2.id).await.unwrap().as_ref(), Some(&d2));
    assert_eq!(tx.report_delivery(b.id, d2.id).await.unwrap(), None);
    let due: Vec<uuid::Uuid> = tx.due_report_deliveries(at(20, 7, 29)).await.unwrap().iter().map(|d| d.id).collect();
    assert_eq!(due, vec![d3.id, d1.id]);
    drop(tx);

    // A claim moves the next attempt out of reach; a second claim of the same attempt loses.
    let mut tx = store.write().await.unwrap();
    let lease = at(20, 7, 31) + Duration::seconds(90);
    assert!(tx.claim_report_delivery(d1.id, d1.next_attempt_at, lease).await.unwrap());
    assert!(!tx.claim_report_delivery(d1.id, d1.next_attempt_at, lease).await.unwrap());
    tx.commit().await.unwrap();
    let due: Vec<uuid::Uuid> =
        store.read().await.unwrap().due_report_deliveries(at(20, 7, 31)).await.unwrap().iter().map(|d| d.id).collect();
    assert_eq!(due, vec![d3.id, d2.id]);

    // Outcomes: a failure keeps it pending with the error; delivered and failed ones are no longer due.
    let failed_once = ReportDeliveryRow {
        attempts: 1,
        next_attempt_at: Some(at(20, 7, 32)),
        last_error: Some("550 5.1.1 mailbox unavailable".into()),
        updated_at: at(20, 7, 31),
        ..d1.clone()
    };
    let delivered = ReportDeliveryRow {
        state: "delivered".into(),
        attempts: 1,
        next_attempt_at: None,
        updated_at: at(20, 7, 31),
        ..d2.clone()
    };
    let gave_up = ReportDeliveryRow {
        state: "failed".into(),
        attempts: 5,
        next_attempt_at: None,
        last_error: Some("HTTP 500".into()),
        ..d3.clone()
    };
    let mut tx = store.write().await.unwrap();
    for d in [&failed_once, &delivered, &gave_up] {
        tx.update_report_delivery(d).await.unwrap();
    }
    let ghost = ReportDeliveryRow { id: uuid::Uuid::now_v7(), ..d1.clone() };
    assert!(matches!(tx.update_report_delivery(&ghost).await, Err(StoreError::NotFound)));
    tx.commit().await.unwrap();
    let mut tx = store.read().await.unwrap();
    assert_eq!(tx.report_delivery(a.id, d1.id).await.unwrap().as_ref(), Some(&failed_once));
    assert_eq!(tx.report_delivery(a.id, d2.id).await.unwrap().as_ref(), Some(&delivered));
    assert_eq!(tx.report_delivery(b.id, d3.id).await.unwrap().as_ref(), Some(&gave_up));
    let due: Vec<uuid::Uuid> = tx.due_report_deliveries(at(28, 0, 0)).await.unwrap().iter().map(|d| d.id).collect();
    assert_eq!(due, vec![d1.id]);
    drop(tx);

    // Deleting a schedule keeps its deliveries in the log, detached.
    let mut tx = store.write().await.unwrap();
    tx.delete_report_schedule(a.id, daily.id).await.unwrap();
    assert!(matches!(tx.delete_report_schedule(a.id, daily.id).await, Err(StoreError::NotFound)));
    assert!(matches!(tx.delete_report_schedule(a.id, other.id).await, Err(StoreError::NotFound)));
    tx.commit().await.unwrap();
    let mut tx = store.read().await.unwrap();
    assert_eq!(tx.report_schedule(a.id, daily.id).await.unwrap(), None);
    let kept = tx.report_delivery(a.id, d1.id).await.unwrap().unwrap();
    assert_eq!(kept.schedule_id, None);
    assert_eq!(kept.last_error, failed_once.last_error);

    // A delivery must name a stored snapshot.
    drop(tx);
    let mut tx = store.write().await.unwrap();
    let orphan = ReportDeliveryRow { id: uuid::Uuid::now_v7(), snapshot_id: uuid::Uuid::now_v7(), ..d2.clone() };
    assert!(matches!(tx.insert_report_delivery(&orphan).await, Err(StoreError::Reference(_))));
}

#[tokio::test]
async fn report_delivery_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    suite(testing::fresh_sqlite(dir.path()).await.unwrap()).await;
}

#[tokio::test]
async fn report_delivery_on_postgres() {
    // CI sets the URL; locally, use the server on the usual port when it answers.
    let url = testing::postgres_url().unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let store = match testing::fresh_postgres(&url).await {
        Ok(store) => store,
        Err(e) if testing::postgres_url().is_none() => {
            eprintln!("SKIPPED: PostgreSQL report delivery suite ({e}; set KEEL_TEST_POSTGRES_URL to run it)");
            return;
        }
        Err(e) => panic!("PostgreSQL at KEEL_TEST_POSTGRES_URL: {e}"),
    };
    suite(store).await;
}
