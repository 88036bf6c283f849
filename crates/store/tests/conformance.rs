//! The storage conformance suite: the same checks on SQLite (always) and PostgreSQL (when
//! `KEEL_TEST_POSTGRES_URL` is set).

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

use chrono::{NaiveDate, Utc};
use keel_domain::*;
use keel_store::{Filter, FilterOp, ListQuery, Store, StoreError, Value, now, testing};

fn org() -> Organisation {
    Organisation {
        id: Id::from_uuid(uuid::Uuid::now_v7()),
        name: "Acme".into(),
        currency: Currency::parse("GBP").unwrap(),
        created_at: now(),
    }
}

fn record<F: Fields>(org: OrgId, fields: F) -> Record<F> {
    let t = now();
    Record { id: Id::from_uuid(uuid::Uuid::now_v7()), org_id: org, version: 1, created_at: t, updated_at: t, fields }
}

fn portfolio(code: &str) -> PortfolioFields {
    PortfolioFields {
        code: Code::parse(code).unwrap(),
        name: format!("Portfolio {code}"),
        description: String::new(),
        sponsor: "Ada".into(),
        manager: "Grace".into(),
        stage: LifecycleStage::Delivery,
        tier: GovernanceTier::Standard,
        state: WorkState::Active,
        planned_start: None,
        planned_finish: None,
        budget: None,
        custom_fields: Default::default(),
    }
}

fn project(pf: PortfolioId, code: &str, manager: &str, start: Option<NaiveDate>) -> ProjectFields {
    ProjectFields {
        portfolio_id: pf,
        programme_id: None,
        code: Code::parse(code).unwrap(),
        name: format!("Project {code}"),
        description: "desc".into(),
        sponsor: "Ada".into(),
        manager: manager.into(),
        stage: LifecycleStage::Planning,
        tier: GovernanceTier::Light,
        state: WorkState::Active,
        planned_start: start,
        planned_finish: None,
        budget: Some(Money { amount: 1_234_567, currency: Currency::parse("EUR").unwrap() }),
        actual_cost: Some(Money { amount: 987_650, currency: Currency::parse("EUR").unwrap() }),
        custom_fields: [("cost_centre".to_owned(), CustomValue::Text("CC-1".into()))].into(),
    }
}

async fn suite(store: Store) {
    let o = org();
    let mut tx = store.write().await.unwrap();
    tx.insert_org(&o).await.unwrap();
    let pf = record(o.id, portfolio("DIGITAL"));
    tx.insert(&pf).await.unwrap();
    tx.commit().await.unwrap();

    // Round trip: what is read back equals what was written, custom fields and money included.
    let p = record(o.id, project(pf.id, "PRJ-1", "Lin", NaiveDate::from_ymd_opt(2026, 3, 1)));
    let mut tx = store.write().await.unwrap();
    tx.insert(&p).await.unwrap();
    tx.commit().await.unwrap();
    let back = store.read().await.unwrap().get::<ProjectFields>(o.id, p.id).await.unwrap();
    assert_eq!(back.as_ref(), Some(&p));

    // Another organisation cannot see it.
    let other = org();
    let mut tx = store.write().await.unwrap();
    tx.insert_org(&other).await.unwrap();
    assert_eq!(tx.get::<ProjectFields>(other.id, p.id).await.unwrap(), None);
    tx.commit().await.unwrap();

    forecasts(&store, o.id, p.id.cast(), other.id).await;

    // Codes are unique per organisation, and the error names the field.
    let mut tx = store.write().await.unwrap();
    let dup = tx.insert(&record(o.id, project(pf.id, "PRJ-1", "X", None))).await.unwrap_err();
    assert!(matches!(&dup, StoreError::Duplicate(m) if m.starts_with("code")), "{dup:?}");
    drop(tx);

    // A reference to a missing portfolio is refused.
    let mut tx = store.write().await.unwrap();
    let missing =
        tx.insert(&record(o.id, project(Id::from_uuid(uuid::Uuid::now_v7()), "PRJ-X", "X", None))).await.unwrap_err();
    assert!(matches!(missing, StoreError::Reference(_)), "{missing:?}");
    drop(tx);

    // Optimistic concurrency: an update from version 1 succeeds once; a second from version 1 fails.
    let mut v2 = p.clone();
    v2.version = 2;
    v2.fields.name = "Renamed".into();
    let mut tx = store.write().await.unwrap();
    tx.update(&v2).await.unwrap();
    tx.commit().await.unwrap();
    let mut stale = p.clone();
    stale.version = 2;
    stale.fields.name = "Lost update".into();
    let mut tx = store.write().await.unwrap();
    let err = tx.update(&stale).await.unwrap_err();
    assert!(matches!(err, StoreError::VersionConflict { current: 2 }), "{err:?}");
    let err = tx.delete::<ProjectFields>(o.id, p.id, 1).await.unwrap_err();
    assert!(matches!(err, StoreError::VersionConflict { current: 2 }), "{err:?}");
    drop(tx);
    let now_stored = store.read().await.unwrap().get::<ProjectFields>(o.id, p.id).await.unwrap().unwrap();
    assert_eq!(now_stored.fields.name, "Renamed");

    // A rolled-back transaction leaves nothing behind.
    let ghost = record(o.id, project(pf.id, "GHOST", "X", None));
    let mut tx = store.write().await.unwrap();
    tx.insert(&ghost).await.unwrap();
    drop(tx);
    assert_eq!(store.read().await.unwrap().get::<ProjectFields>(o.id, ghost.id).await.unwrap(), None);

    // A portfolio still referenced by a project cannot be deleted.
    let mut tx = store.write().await.unwrap();
    let err = tx.delete::<PortfolioFields>(o.id, pf.id, 1).await.unwrap_err();
    assert!(matches!(err, StoreError::Reference(_)), "{err:?}");
    drop(tx);

    // Pagination: every matching record exactly once, in sort order, across pages.
    let mut tx = store.write().await.unwrap();
    for i in 0..23 {
        let start = if i % 4 == 0 { None } else { NaiveDate::from_ymd_opt(2026, 1 + (i % 12) as u32, 1) };
        let manager = if i % 2 == 0 { "Even" } else { "Odd" };
        tx.insert(&record(o.id, project(pf.id, &format!("P-{i:02}"), manager, start))).await.unwrap();
    }
    tx.commit().await.unwrap();
    for descending in [false, true] {
        let mut seen = Vec::new();
        let mut cursor = None;
        loop {
            let q = ListQuery {
                filters: vec![Filter { column: "manager".into(), op: FilterOp::Eq, value: Value::text("Even") }],
                sort: Some("planned_start".into()),
                descending,
                cursor: cursor.take(),
                limit: Some(5),
                ..Default::default()
            };
            let page = store.read().await.unwrap().list::<ProjectFields>(o.id, &q).await.unwrap();
            assert!(page.items.len() <= 5);
            seen.extend(page.items.into_iter().map(|r| (r.fields.planned_start, r.id)));
            match page.next_cursor {
                Some(c) => cursor = Some(c),
                None => break,
            }
        }
        assert_eq!(seen.len(), 12, "12 even-numbered projects");
        let mut sorted = seen.clone();
        sorted.sort_by(|a, b| {
            (a.0.map(|d| d.to_string()).unwrap_or_default(), a.1)
                .cmp(&(b.0.map(|d| d.to_string()).unwrap_or_default(), b.1))
        });
        if descending {
            sorted.reverse();
        }
        assert_eq!(seen, sorted);
    }
    let searched = store
        .read()
        .await
        .unwrap()
        .list::<ProjectFields>(o.id, &ListQuery { search: Some("p-1".into()), limit: Some(100), ..Default::default() })
        .await
        .unwrap();
    assert_eq!(searched.items.len(), 10, "P-10..P-19 contain `p-1` (PRJ-1 was renamed)");
    let bad = store
        .read()
        .await
        .unwrap()
        .list::<ProjectFields>(o.id, &ListQuery { sort: Some("body".into()), ..Default::default() })
        .await;
    assert!(matches!(bad, Err(StoreError::InvalidQuery { .. })));

    // Audit entries are listed newest first, by record and by project.
    let mut tx = store.write().await.unwrap();
    for (i, action) in [AuditAction::Create, AuditAction::Update].into_iter().enumerate() {
        tx.append_audit(&AuditEntry {
            id: Id::from_uuid(uuid::Uuid::now_v7()),
            org_id: o.id,
            at: now(),
            actor_id: None,
            actor_name: "system".into(),
            action,
            entity_kind: "project".into(),
            entity_id: p.id.uuid(),
            project_id: Some(p.id.uuid()),
            label: format!("change {i}"),
            before: (i > 0).then(|| "{}".to_owned()),
            after: Some("{\"a\":1}".into()),
        })
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let entries = store
        .read()
        .await
        .unwrap()
        .audit(o.id, &keel_store::AuditFilter { entity_id: Some(p.id.uuid()), limit: 10, ..Default::default() })
        .await
        .unwrap();
    assert_eq!(entries.iter().map(|e| e.action).collect::<Vec<_>>(), vec![AuditAction::Update, AuditAction::Create]);
    // The audit mark is the newest entry about the kinds asked for, and only those.
    let mark = |kinds: &'static [&'static str]| {
        let store = store.clone();
        async move { store.read().await.unwrap().audit_mark(o.id, kinds).await.unwrap() }
    };
    assert_eq!(mark(&["project", "milestone"]).await, Some(entries[0].id.uuid()));
    assert_eq!(mark(&["milestone"]).await, None);
    let mut tx = store.write().await.unwrap();
    let risk_entry = AuditEntry {
        id: Id::from_uuid(uuid::Uuid::now_v7()),
        entity_kind: "risk".into(),
        label: "a risk".into(),
        ..entries[0].clone()
    };
    tx.append_audit(&risk_entry).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(mark(&["project"]).await, Some(entries[0].id.uuid()), "a risk is not a project");
    assert_eq!(mark(&["project", "risk"]).await, Some(risk_entry.id.uuid()));

    // RAG history: reports since a date, plus each project's latest even when older.
    let q = record(o.id, project(pf.id, "HIST-Q", "X", None));
    let report = |project: ProjectId, day: &str, rag: Rag| StatusReportFields {
        project_id: project,
        period_end: day.parse().unwrap(),
        overall: rag,
        schedule: rag,
        cost: rag,
        scope: Rag::Green,
        risk: Rag::Green,
        resources: Rag::Green,
        benefits: Rag::Green,
        summary: "s".into(),
        achievements: String::new(),
        next_steps: String::new(),
        decisions_needed: String::new(),
        submitted_by: String::new(),
    };
    let mut tx = store.write().await.unwrap();
    tx.insert(&q).await.unwrap();
    for (pid, day, rag) in
        [(p.id, "2026-01-02", Rag::Green), (p.id, "2026-06-05", Rag::Red), (q.id, "2026-01-09", Rag::Amber)]
    {
        tx.insert(&record(o.id, report(pid, day, rag))).await.unwrap();
    }
    tx.commit().await.unwrap();
    let mut tx = store.read().await.unwrap();
    let recent = tx.rag_history(o.id, "2026-05-01".parse().unwrap()).await.unwrap();
    let got: Vec<(ProjectId, String, Rag)> =
        recent.iter().map(|r| (r.project_id, r.period_end.to_string(), r.overall)).collect();
    let mut expected = vec![(p.id, "2026-06-05".to_owned(), Rag::Red), (q.id, "2026-01-09".to_owned(), Rag::Amber)];
    expected.sort_by_key(|e| e.0.to_string());
    assert_eq!(got, expected);
    assert_eq!(tx.rag_history(o.id, "2025-01-01".parse().unwrap()).await.unwrap().len(), 3);
    drop(tx);

    // Users, memberships, sessions and tokens.
    let u = User {
        id: Id::from_uuid(uuid::Uuid::now_v7()),
        username: "ada".into(),
        display_name: "Ada".into(),
        email: "ada@example.org".into(),
        password_hash: "x".into(),
        disabled: false,
        created_at: now(),
    };
    let mut tx = store.write().await.unwrap();
    tx.insert_user(&u).await.unwrap();
    assert!(matches!(
        tx.insert_user(&User { id: Id::from_uuid(uuid::Uuid::now_v7()), ..u.clone() }).await,
        Err(StoreError::Duplicate(_))
    ));
    drop(tx);
    let mut tx = store.write().await.unwrap();
    tx.insert_user(&u).await.unwrap();
    tx.set_membership(&Membership { org_id: o.id, user_id: u.id, role: Role::Viewer }).await.unwrap();
    tx.set_membership(&Membership { org_id: o.id, user_id: u.id, role: Role::Pmo }).await.unwrap();
    let expires = now() + chrono::Duration::hours(1);
    tx.insert_session(&keel_store::NewSession {
        id_hash: "h1".into(),
        user_id: u.id,
        org_id: o.id,
        csrf_token: "c".into(),
        created_at: now(),
        expires_at: expires,
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let mut tx = store.read().await.unwrap();
    let s = tx.session("h1", Utc::now()).await.unwrap().expect("live session");
    assert_eq!((s.role, s.user.username.as_str()), (Role::Pmo, "ada"));
    assert!(tx.session("h1", expires + chrono::Duration::seconds(1)).await.unwrap().is_none(), "expired");
    drop(tx);
    let mut tx = store.write().await.unwrap();
    for _ in 0..3 {
        tx.record_login_failure("ada|127.0.0.1", uuid::Uuid::now_v7(), now()).await.unwrap();
    }
    assert_eq!(tx.login_failures("ada|127.0.0.1", now() - chrono::Duration::minutes(1)).await.unwrap(), 3);
    tx.clear_login_failures("ada|127.0.0.1").await.unwrap();
    assert_eq!(tx.login_failures("ada|127.0.0.1", now() - chrono::Duration::minutes(1)).await.unwrap(), 0);
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn conformance_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    suite(testing::fresh_sqlite(dir.path()).await.unwrap()).await;
}

#[tokio::test]
async fn conformance_on_postgres() {
    let Some(url) = testing::postgres_url() else {
        eprintln!("SKIPPED: PostgreSQL conformance suite (set KEEL_TEST_POSTGRES_URL to run it)");
        return;
    };
    suite(testing::fresh_postgres(&url).await.unwrap()).await;
}

#[tokio::test]
async fn both_dialects_have_the_same_schema() {
    let Some(url) = testing::postgres_url() else {
        eprintln!("SKIPPED: schema parity check (set KEEL_TEST_POSTGRES_URL to run it)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let lite = testing::fresh_sqlite(dir.path()).await.unwrap().schema_columns().await.unwrap();
    let pg = testing::fresh_postgres(&url).await.unwrap().schema_columns().await.unwrap();
    assert!(lite.len() > 50);
    assert_eq!(lite, pg);
}

/// Forecast settings replace; runs are kept, listed newest first and scoped to their organisation.
async fn forecasts(store: &Store, org: OrgId, project: ProjectId, other: OrgId) {
    use keel_store::{DeliveryHistoryRow, ForecastRunRow, ForecastSettingsRow};
    let mut tx = store.write().await.unwrap();
    for body in ["{\"a\":1}", "{\"a\":2}"] {
        let row = ForecastSettingsRow {
            org_id: org,
            project_id: project,
            updated_at: now(),
            updated_by: "ada".into(),
            body: body.into(),
        };
        tx.put_forecast_settings(&row).await.unwrap();
    }
    let t0 = now();
    let run = |i: i64, kind: &str| ForecastRunRow {
        id: uuid::Uuid::now_v7(),
        org_id: org,
        project_id: project,
        kind: kind.into(),
        created_at: t0 + chrono::Duration::seconds(i),
        created_by: "ada".into(),
        reason: "requested".into(),
        schedule_version: (i > 0).then_some(i),
        seed: u64::MAX.to_string(),
        iterations: 1000 * i,
        engine_version: "0.1.0".into(),
        summary: format!("{{\"i\":{i}}}"),
    };
    let runs = [run(0, "montecarlo"), run(1, "montecarlo"), run(2, "evm"), run(3, "montecarlo")];
    for (i, r) in runs.iter().enumerate() {
        tx.insert_forecast_run(r, &format!("body {i}")).await.unwrap();
    }
    let v = tx.next_delivery_version(org, project).await.unwrap();
    let d = DeliveryHistoryRow {
        id: uuid::Uuid::now_v7(),
        org_id: org,
        project_id: project,
        version: v,
        created_at: t0,
        created_by: "ada".into(),
        file_name: "jira.csv".into(),
        format: "jira".into(),
        item_count: 3,
        summary: "{}".into(),
    };
    tx.insert_delivery_history(&d, "[1,2,3]").await.unwrap();
    tx.commit().await.unwrap();

    let mut tx = store.read().await.unwrap();
    assert_eq!(tx.forecast_settings(org, project).await.unwrap().unwrap().body, "{\"a\":2}");
    assert!(tx.forecast_settings(other, project).await.unwrap().is_none());
    let listed = tx.forecast_runs(org, project, "montecarlo", 10).await.unwrap();
    let ids: Vec<_> = listed.iter().map(|r| r.id).collect();
    assert_eq!(ids, vec![runs[3].id, runs[1].id, runs[0].id]);
    assert_eq!(listed[0], runs[3]);
    assert_eq!(tx.forecast_runs(org, project, "montecarlo", 1).await.unwrap().len(), 1);
    let (latest, body) = tx.forecast_run(org, project, "montecarlo", None).await.unwrap().unwrap();
    assert_eq!((latest.id, body.as_str()), (runs[3].id, "body 3"));
    let (first, body) = tx.forecast_run(org, project, "montecarlo", Some(runs[0].id)).await.unwrap().unwrap();
    assert_eq!((first.schedule_version, body.as_str()), (None, "body 0"));
    assert!(tx.forecast_run(other, project, "montecarlo", None).await.unwrap().is_none());
    let latest: Vec<_> = tx.latest_forecast_runs(org, "montecarlo").await.unwrap().iter().map(|r| r.id).collect();
    assert_eq!(latest, vec![runs[3].id]);
    let (row, body) = tx.latest_delivery_history(org, project).await.unwrap().unwrap();
    assert_eq!((row, body.as_str()), (d, "[1,2,3]"));
    assert_eq!(v, 1);
}

fn risk(project: ProjectId, title: &str, owner: &str, p: i64, i: i64) -> RiskFields {
    RiskFields {
        project_id: project,
        title: title.into(),
        description: String::new(),
        category: "Technical".into(),
        probability: Rating::new(p).unwrap(),
        impact: Rating::new(i).unwrap(),
        owner: owner.into(),
        response: RiskResponse::Reduce,
        response_plan: String::new(),
        proximity: None,
        state: RiskState::Open,
        probability_pct: None,
        cost_impact: None,
        schedule_impact_days: None,
        tasks: Vec::new(),
    }
}

/// Registers: filters through a record's project (`project.portfolio_id`), sorting by the
/// project's code with keyset pages, reading a page's names by ID, distinct owners.
async fn registers(store: Store) {
    let o = org();
    let mut tx = store.write().await.unwrap();
    tx.insert_org(&o).await.unwrap();
    let (a, b) = (record(o.id, portfolio("PA")), record(o.id, portfolio("PB")));
    tx.insert(&a).await.unwrap();
    tx.insert(&b).await.unwrap();
    let mut projects = Vec::new();
    for (code, pf) in [("Z-1", a.id), ("A-2", a.id), ("M-3", b.id)] {
        let p = record(o.id, project(pf, code, "Lin", None));
        tx.insert(&p).await.unwrap();
        projects.push(p);
    }
    // Seven risks over the three projects, scores 1..25, owners Ann and Bo.
    let mut risks = Vec::new();
    for (n, (pi, p, i)) in
        [(0, 1, 1), (0, 5, 5), (1, 3, 4), (1, 2, 2), (2, 4, 4), (2, 3, 3), (0, 2, 5)].iter().enumerate()
    {
        let owner = if n % 2 == 0 { "Ann" } else { "Bo" };
        let r = record(o.id, risk(projects[*pi].id, &format!("Risk {n}"), owner, *p, *i));
        tx.insert(&r).await.unwrap();
        risks.push(r);
    }
    tx.commit().await.unwrap();

    let list = |q: ListQuery| {
        let store = store.clone();
        async move { store.read().await.unwrap().list::<RiskFields>(o.id, &q).await }
    };
    let eq = |c: &str, v: String| Filter { column: c.into(), op: FilterOp::Eq, value: Value::text(v) };

    // Through the project: portfolio PA holds Z-1 and A-2, so five risks.
    let in_a = list(ListQuery {
        filters: vec![eq("project.portfolio_id", a.id.to_string())],
        limit: Some(100),
        ..Default::default()
    })
    .await
    .unwrap();
    let mut want: Vec<_> = risks.iter().filter(|r| r.fields.project_id != projects[2].id).map(|r| r.id).collect();
    let mut got: Vec<_> = in_a.items.iter().map(|r| r.id).collect();
    want.sort();
    got.sort();
    assert_eq!(got, want);

    // Score band and owner together: medium (8..=14) owned by Ann.
    let medium = list(ListQuery {
        filters: vec![
            eq("owner", "Ann".into()),
            Filter { column: "score".into(), op: FilterOp::Gte, value: Value::int(8) },
            Filter { column: "score".into(), op: FilterOp::Lte, value: Value::int(14) },
        ],
        limit: Some(100),
        ..Default::default()
    })
    .await
    .unwrap();
    let scores: Vec<u8> = medium.items.iter().map(|r| r.fields.score()).collect();
    assert_eq!(scores, vec![10, 12], "Risk 6 (2x5) and Risk 2 (3x4), by score ascending");

    // Sorted by the project's code, two rows a page, both directions: every risk once, in order.
    for descending in [false, true] {
        let mut seen = Vec::new();
        let mut cursor = None;
        loop {
            let page = list(ListQuery {
                sort: Some("project.code".into()),
                descending,
                cursor: cursor.take(),
                limit: Some(2),
                ..Default::default()
            })
            .await
            .unwrap();
            seen.extend(page.items.iter().map(|r| r.id));
            match page.next_cursor {
                Some(c) => cursor = Some(c),
                None => break,
            }
        }
        let code = |id: ProjectId| projects.iter().find(|p| p.id == id).unwrap().fields.code.to_string();
        let mut want: Vec<_> = risks.iter().map(|r| (code(r.fields.project_id), r.id)).collect();
        want.sort();
        if descending {
            want.reverse();
        }
        assert_eq!(seen, want.into_iter().map(|(_, id)| id).collect::<Vec<_>>(), "descending: {descending}");
    }

    // Unknown related names are refused, naming what is accepted.
    let bad = list(ListQuery { sort: Some("project.body".into()), ..Default::default() }).await;
    assert!(
        matches!(&bad, Err(StoreError::InvalidQuery { message, .. }) if message.contains("project.code")),
        "{bad:?}"
    );

    // A page's names by ID; IDs of another organisation or unknown ones are not returned.
    let mut tx = store.read().await.unwrap();
    let ids = [projects[0].id, projects[2].id, Id::from_uuid(uuid::Uuid::now_v7())];
    let mut names: Vec<String> = tx
        .get_many::<ProjectFields>(o.id, &ids)
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.fields.code.to_string())
        .collect();
    names.sort();
    assert_eq!(names, vec!["M-3", "Z-1"]);
    assert!(tx.get_many::<ProjectFields>(org().id, &ids).await.unwrap().is_empty());
    assert_eq!(tx.distinct::<RiskFields>(o.id, "owner").await.unwrap(), vec!["Ann", "Bo"]);
}

#[tokio::test]
async fn registers_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    registers(testing::fresh_sqlite(dir.path()).await.unwrap()).await;
}

#[tokio::test]
async fn registers_on_postgres() {
    let Some(url) = testing::postgres_url() else {
        eprintln!("SKIPPED: PostgreSQL register queries (set KEEL_TEST_POSTGRES_URL to run it)");
        return;
    };
    registers(testing::fresh_postgres(&url).await.unwrap()).await;
}
