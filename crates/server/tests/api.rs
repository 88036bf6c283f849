//! In-process tests of the REST API: every kind's CRUD, filters and pagination, optimistic
//! concurrency, bad input, authentication and the role table. SQLite always; PostgreSQL too
//! when `KEEL_TEST_POSTGRES_URL` is set.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

use axum::{
    body::Body,
    http::{Method, Request, StatusCode, header},
};
use http_body_util::BodyExt;
use keel_app::{Actor, App, AppConfig, NewUser};
use keel_domain::Role;
use keel_server::{AppState, router};
use keel_store::{Store, testing};
use serde_json::{Value, json};
use tower::ServiceExt;

#[path = "api/consistency.rs"]
mod consistency;
#[path = "api/registers.rs"]
mod registers;
#[path = "api/status_form.rs"]
mod status_form;
#[path = "api/ui_roles.rs"]
mod ui_roles;

struct Harness {
    router: axum::Router,
    app: App,
    tokens: Vec<(Role, String)>,
    _dir: tempfile::TempDir,
}

async fn harness_on(store: Store, dir: tempfile::TempDir) -> Harness {
    let app = App::new(store, AppConfig::default());
    let (org, _) = app.bootstrap("Test org", Some("correct horse battery")).await.unwrap();
    let system = Actor::system(org.id);
    let mut tokens = Vec::new();
    for role in Role::ALL {
        let u = app
            .add_user(
                &system,
                NewUser {
                    username: format!("u-{}", role.as_str()),
                    display_name: role.label().into(),
                    email: String::new(),
                    password: "long enough pw".into(),
                    role: *role,
                },
            )
            .await
            .unwrap();
        tokens.push((*role, app.create_token(&system, u.id, "test").await.unwrap().secret));
    }
    Harness { router: router(AppState::new(app.clone(), false)), app, tokens, _dir: dir }
}

async fn harness() -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let store = testing::fresh_sqlite(dir.path()).await.unwrap();
    harness_on(store, dir).await
}

struct Res {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: Value,
}

impl Harness {
    fn token(&self, role: Role) -> &str {
        &self.tokens.iter().find(|(r, _)| *r == role).unwrap().1
    }

    async fn raw(&self, req: Request<Body>) -> Res {
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Res { status, headers, body }
    }

    async fn call(&self, role: Role, method: Method, uri: &str, body: Option<Value>, if_match: Option<i64>) -> Res {
        let mut b = Request::builder()
            .method(method)
            .uri(uri)
            .header(header::AUTHORIZATION, format!("Bearer {}", self.token(role)));
        if let Some(v) = if_match {
            b = b.header(header::IF_MATCH, format!("\"{v}\""));
        }
        let req = match body {
            Some(v) => b.header(header::CONTENT_TYPE, "application/json").body(Body::from(v.to_string())).unwrap(),
            None => b.body(Body::empty()).unwrap(),
        };
        self.raw(req).await
    }

    async fn portfolio(&self) -> String {
        let r = self.call(Role::Pmo, Method::POST, "/api/v1/portfolios", Some(json!({"code": "DIG", "name": "Digital", "stage": "delivery", "tier": "standard", "state": "active"})), None).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        r.body["id"].as_str().unwrap().to_owned()
    }

    async fn project(&self, pf: &str, code: &str) -> Value {
        let r = self
            .call(Role::Pmo, Method::POST, "/api/v1/projects", Some(json!({"portfolio_id": pf, "code": code, "name": format!("Project {code}"), "manager": "Lin", "stage": "planning", "tier": "light", "state": "active", "budget": {"amount": "250000.50", "currency": "GBP"}, "planned_start": "2026-01-05", "planned_finish": "2026-12-18"})), None)
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        r.body
    }

    async fn count(&self, slug: &str) -> usize {
        let r = self.call(Role::Admin, Method::GET, &format!("/api/v1/{slug}?limit=500"), None, None).await;
        r.body["items"].as_array().map(Vec::len).unwrap_or(0)
    }
}

fn status_body(project: &str, period: &str, overall: &str) -> Value {
    json!({"project_id": project, "period_end": period, "overall": overall, "schedule": overall, "cost": "green", "scope": "green", "risk": "amber", "resources": "green", "benefits": "green", "summary": "On track overall."})
}

async fn crud_and_concurrency(h: Harness) {
    let pf = h.portfolio().await;
    let p = h.project(&pf, "PRJ-1").await;
    let id = p["id"].as_str().unwrap();
    assert_eq!(p["budget"]["amount"], "250000.50");
    assert_eq!(p["version"], 1);

    let got = h.call(Role::Viewer, Method::GET, &format!("/api/v1/projects/{id}"), None, None).await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(got.headers[header::ETAG], "\"1\"");
    assert_eq!(got.body, p);

    let mut edit = p.clone();
    for k in ["id", "org_id", "version", "created_at", "updated_at"] {
        edit.as_object_mut().unwrap().remove(k);
    }
    edit["name"] = json!("Renamed");
    let no_match =
        h.call(Role::ProjectManager, Method::PUT, &format!("/api/v1/projects/{id}"), Some(edit.clone()), None).await;
    assert_eq!(no_match.status, StatusCode::PRECONDITION_REQUIRED);
    let ok =
        h.call(Role::ProjectManager, Method::PUT, &format!("/api/v1/projects/{id}"), Some(edit.clone()), Some(1)).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    assert_eq!(ok.body["version"], 2);
    edit["name"] = json!("Lost update");
    let stale = h.call(Role::ProjectManager, Method::PUT, &format!("/api/v1/projects/{id}"), Some(edit), Some(1)).await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);
    assert_eq!(stale.headers[header::CONTENT_TYPE], "application/problem+json");
    assert_eq!(stale.body["current_version"], 2);
    let after = h.call(Role::Viewer, Method::GET, &format!("/api/v1/projects/{id}"), None, None).await;
    assert_eq!(after.body["name"], "Renamed");

    // The audit trail has the create and the update with before and after.
    let audit = h.call(Role::Viewer, Method::GET, &format!("/api/v1/projects/{id}/audit"), None, None).await;
    let entries = audit.body.as_array().unwrap();
    assert_eq!(entries.iter().map(|e| e["action"].as_str().unwrap()).collect::<Vec<_>>(), vec!["update", "create"]);
    assert_eq!(entries[0]["changes"][0]["field"], "name");
    assert_eq!(entries[0]["before"]["name"], "Project PRJ-1");
    assert_eq!(entries[0]["after"]["name"], "Renamed");

    // Children: a status report, a risk; deleting the project takes them along, each audited.
    let sr = h
        .call(
            Role::Contributor,
            Method::POST,
            "/api/v1/status-reports",
            Some(status_body(id, "2026-11-20", "amber")),
            None,
        )
        .await;
    assert_eq!(sr.status, StatusCode::CREATED, "{}", sr.body);
    let dup = h
        .call(
            Role::Contributor,
            Method::POST,
            "/api/v1/status-reports",
            Some(status_body(id, "2026-11-20", "red")),
            None,
        )
        .await;
    assert_eq!(dup.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", dup.body);
    assert_eq!(dup.body["errors"][0]["field"], "period_end");
    let risk = h
        .call(Role::Contributor, Method::POST, "/api/v1/risks", Some(json!({"project_id": id, "title": "Vendor slips", "probability": 4, "impact": 5, "response": "reduce", "state": "open"})), None)
        .await;
    assert_eq!(risk.status, StatusCode::CREATED, "{}", risk.body);
    let high = h.call(Role::Viewer, Method::GET, "/api/v1/risks?score_min=20&sort=-score", None, None).await;
    assert_eq!(high.body["items"].as_array().unwrap().len(), 1);
    let del_pf = h.call(Role::Pmo, Method::DELETE, &format!("/api/v1/portfolios/{pf}"), None, Some(1)).await;
    assert_eq!(del_pf.status, StatusCode::CONFLICT, "a portfolio with projects cannot be deleted");
    let del = h.call(Role::Pmo, Method::DELETE, &format!("/api/v1/projects/{id}"), None, Some(2)).await;
    assert_eq!(del.status, StatusCode::NO_CONTENT, "{}", del.body);
    assert_eq!(h.count("risks").await, 0);
    assert_eq!(h.count("status-reports").await, 0);
    let gone = h.call(Role::Viewer, Method::GET, &format!("/api/v1/projects/{id}"), None, None).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    let log = h.call(Role::Viewer, Method::GET, &format!("/api/v1/audit?project_id={id}"), None, None).await;
    let deletes = log.body.as_array().unwrap().iter().filter(|e| e["action"] == "delete").count();
    assert_eq!(deletes, 3, "project, status report and risk deletions are all audited");
}

#[tokio::test]
async fn crud_and_concurrency_on_sqlite() {
    crud_and_concurrency(harness().await).await;
}

#[tokio::test]
async fn crud_and_concurrency_on_postgres() {
    let Some(url) = testing::postgres_url() else {
        eprintln!("SKIPPED: API suite on PostgreSQL (set KEEL_TEST_POSTGRES_URL to run it)");
        return;
    };
    let store = testing::fresh_postgres(&url).await.unwrap();
    crud_and_concurrency(harness_on(store, tempfile::tempdir().unwrap()).await).await;
}

#[tokio::test]
async fn every_kind_supports_create_get_list_update_delete() {
    let h = harness().await;
    let pf = h.portfolio().await;
    let a = h.project(&pf, "A-1").await["id"].as_str().unwrap().to_owned();
    let b = h.project(&pf, "B-1").await["id"].as_str().unwrap().to_owned();
    let prog = h.call(Role::Pmo, Method::POST, "/api/v1/programmes", Some(json!({"portfolio_id": pf, "code": "PRG", "name": "Programme", "stage": "delivery", "tier": "strict", "state": "active"})), None).await;
    let ms = h
        .call(
            Role::Pmo,
            Method::POST,
            "/api/v1/milestones",
            Some(json!({"project_id": b, "name": "API ready", "baseline": "2026-10-01", "forecast": "2026-10-15"})),
            None,
        )
        .await;
    let bodies: Vec<(&str, Value)> = vec![
        ("programmes", prog.body.clone()),
        ("milestones", ms.body.clone()),
        ("status-reports", status_body(&a, "2026-11-13", "green")),
        (
            "risks",
            json!({"project_id": a, "title": "Risk", "probability": 2, "impact": 3, "response": "accept", "state": "open"}),
        ),
        (
            "issues",
            json!({"project_id": a, "title": "Issue", "priority": "high", "raised_on": "2026-11-01", "state": "open"}),
        ),
        ("assumptions", json!({"project_id": a, "title": "Budget holds", "state": "open"})),
        (
            "dependencies",
            json!({"project_id": a, "supplier_project_id": b, "supplier_milestone_id": ms.body["id"], "title": "Needs the API", "state": "open"}),
        ),
        ("decisions", json!({"project_id": a, "title": "Go or no go", "options": ["Go", "Stop"], "state": "pending"})),
    ];
    for (slug, body) in bodies {
        let created = if body.get("version").is_some() {
            body
        } else {
            let r = h.call(Role::Pmo, Method::POST, &format!("/api/v1/{slug}"), Some(body), None).await;
            assert_eq!(r.status, StatusCode::CREATED, "{slug}: {}", r.body);
            r.body
        };
        let id = created["id"].as_str().unwrap();
        let got = h.call(Role::Viewer, Method::GET, &format!("/api/v1/{slug}/{id}"), None, None).await;
        assert_eq!(got.body, created, "{slug}");
        let listed = h.call(Role::Viewer, Method::GET, &format!("/api/v1/{slug}"), None, None).await;
        assert!(listed.body["items"].as_array().unwrap().iter().any(|i| i["id"] == id), "{slug} listed");
        let mut edit = created.clone();
        for k in ["id", "org_id", "version", "created_at", "updated_at"] {
            edit.as_object_mut().unwrap().remove(k);
        }
        let put = h.call(Role::Pmo, Method::PUT, &format!("/api/v1/{slug}/{id}"), Some(edit), Some(1)).await;
        assert_eq!(put.status, StatusCode::OK, "{slug}: {}", put.body);
        if slug != "programmes" && slug != "milestones" {
            let del = h.call(Role::Pmo, Method::DELETE, &format!("/api/v1/{slug}/{id}"), None, Some(2)).await;
            assert_eq!(del.status, StatusCode::NO_CONTENT, "{slug}: {}", del.body);
        }
    }
    // A dependency whose milestone belongs to another project is refused, naming the field.
    let wrong = h
        .call(Role::Pmo, Method::POST, "/api/v1/dependencies", Some(json!({"project_id": b, "supplier_project_id": a, "supplier_milestone_id": ms.body["id"], "title": "x", "state": "open"})), None)
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(wrong.body["errors"][0]["field"], "supplier_milestone_id");
}

#[tokio::test]
async fn lists_filter_sort_and_paginate() {
    let h = harness().await;
    let pf = h.portfolio().await;
    for i in 0..7 {
        h.project(&pf, &format!("P-{i}")).await;
    }
    let mut seen = Vec::new();
    let mut uri = "/api/v1/projects?sort=-code&limit=3".to_owned();
    loop {
        let r = h.call(Role::Viewer, Method::GET, &uri, None, None).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        seen.extend(r.body["items"].as_array().unwrap().iter().map(|i| i["code"].as_str().unwrap().to_owned()));
        match r.body["next_cursor"].as_str() {
            Some(c) => uri = format!("/api/v1/projects?sort=-code&limit=3&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(seen, vec!["P-6", "P-5", "P-4", "P-3", "P-2", "P-1", "P-0"]);
    let filtered = h.call(Role::Viewer, Method::GET, "/api/v1/projects?code=P-3&state=active", None, None).await;
    assert_eq!(filtered.body["items"].as_array().unwrap().len(), 1);
    for bad in [
        "/api/v1/projects?sort=body",
        "/api/v1/projects?colour=red",
        "/api/v1/projects?limit=0",
        "/api/v1/projects?planned_start_from=yesterday",
        "/api/v1/projects?cursor=zzz",
    ] {
        let r = h.call(Role::Viewer, Method::GET, bad, None, None).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}: {}", r.body);
        assert!(r.body["errors"][0]["field"].is_string(), "{bad} names the parameter");
    }
}

#[tokio::test]
async fn bad_input_is_refused_clearly_and_nothing_is_written() {
    let h = harness().await;
    let pf = h.portfolio().await;
    let send = |body: Body, ct: &str| {
        Request::builder()
            .method(Method::POST)
            .uri("/api/v1/projects")
            .header(header::AUTHORIZATION, format!("Bearer {}", h.token(Role::Admin)))
            .header(header::CONTENT_TYPE, ct)
            .body(body)
            .unwrap()
    };
    let malformed = h.raw(send(Body::from("{\"code\": \"X-1\","), "application/json")).await;
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST);
    assert!(malformed.body["detail"].as_str().unwrap().contains("line 1"), "{}", malformed.body);
    let wrong_type = h.raw(send(Body::from(json!({"portfolio_id": pf, "code": "X-1", "name": 5, "stage": "planning", "tier": "light", "state": "active"}).to_string()), "application/json")).await;
    assert_eq!(wrong_type.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(wrong_type.body["errors"][0]["field"], "name");
    let unknown = h.raw(send(Body::from(json!({"portfolio_id": pf, "code": "X-1", "name": "n", "stage": "planning", "tier": "light", "state": "active", "colour": "red"}).to_string()), "application/json")).await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unknown.body["errors"][0]["message"].as_str().unwrap().contains("colour"), "{}", unknown.body);
    let bad_enum = h.raw(send(Body::from(json!({"portfolio_id": pf, "code": "X-1", "name": "n", "stage": "planning", "tier": "huge", "state": "active"}).to_string()), "application/json")).await;
    assert_eq!(bad_enum.body["errors"][0]["field"], "tier");
    let dates = h.raw(send(Body::from(json!({"portfolio_id": pf, "code": "X-1", "name": "n", "stage": "planning", "tier": "light", "state": "active", "planned_start": "2026-05-01", "planned_finish": "2026-04-01"}).to_string()), "application/json")).await;
    assert_eq!(dates.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(dates.body["errors"][0]["field"], "planned_finish");
    let huge =
        h.raw(send(Body::from(format!("{{\"name\": \"{}\"}}", "x".repeat(2 * 1024 * 1024))), "application/json")).await;
    assert_eq!(huge.status, StatusCode::PAYLOAD_TOO_LARGE);
    let not_json = h.raw(send(Body::from("code=X"), "application/x-www-form-urlencoded")).await;
    assert_eq!(not_json.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(not_json.headers[header::CONTENT_TYPE], "application/problem+json");
    assert_eq!(h.count("projects").await, 0, "nothing was written");
}

#[tokio::test]
async fn authentication_is_required_and_checked() {
    let h = harness().await;
    let anon = h.raw(Request::get("/api/v1/projects").body(Body::empty()).unwrap()).await;
    assert_eq!(anon.status, StatusCode::UNAUTHORIZED);
    let bad = h
        .raw(
            Request::get("/api/v1/projects")
                .header(header::AUTHORIZATION, "Bearer keel_nope")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNAUTHORIZED);
    // A revoked token stops working.
    let t = h.call(Role::Viewer, Method::POST, "/api/v1/tokens", Some(json!({"name": "script"})), None).await;
    assert_eq!(t.status, StatusCode::CREATED, "{}", t.body);
    let secret = t.body["secret"].as_str().unwrap().to_owned();
    let me = h
        .raw(
            Request::get("/api/v1/me")
                .header(header::AUTHORIZATION, format!("Bearer {secret}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(me.body["role"], "viewer");
    let id = t.body["id"].as_str().unwrap();
    assert_eq!(
        h.call(Role::Viewer, Method::DELETE, &format!("/api/v1/tokens/{id}"), None, None).await.status,
        StatusCode::NO_CONTENT
    );
    let after = h
        .raw(
            Request::get("/api/v1/me")
                .header(header::AUTHORIZATION, format!("Bearer {secret}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED);

    // Sign-in sets an HttpOnly session cookie; API writes with it need the CSRF header.
    let login = |pw: &str| {
        Request::post("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(format!("username=u-pmo&password={pw}&next=/")))
            .unwrap()
    };
    let ok = h.raw(login("long+enough+pw")).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    let cookie = ok.headers[header::SET_COOKIE].to_str().unwrap().to_owned();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
    let pair = cookie.split(';').next().unwrap().to_owned();
    let post = Request::post("/api/v1/portfolios")
        .header(header::COOKIE, &pair)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from("{}"))
        .unwrap();
    assert_eq!(h.raw(post).await.status, StatusCode::FORBIDDEN, "no CSRF header");
    let page = h.raw(Request::get("/api/v1/me").header(header::COOKIE, &pair).body(Body::empty()).unwrap()).await;
    assert_eq!(page.body["role"], "pmo");

    // Failed sign-ins are throttled.
    let mut last = StatusCode::OK;
    for _ in 0..6 {
        last = h.raw(login("wrong")).await.status;
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        h.raw(login("long+enough+pw")).await.status,
        StatusCode::TOO_MANY_REQUESTS,
        "even the right password waits"
    );
}

/// The role table as documented in docs/roles.md, written out by hand so a change to the code's
/// table is caught: (role, may create a project, may submit status, may delete a risk, may manage users, may export).
const EXPECTED: &[(Role, bool, bool, bool, bool, bool)] = &[
    (Role::Admin, true, true, true, true, true),
    (Role::Pmo, true, true, true, false, true),
    (Role::PortfolioManager, true, true, true, false, false),
    (Role::ProjectManager, true, true, true, false, false),
    (Role::Contributor, false, true, false, false, false),
    (Role::Viewer, false, false, false, false, false),
];

#[tokio::test]
async fn each_role_is_allowed_and_refused_where_it_should_be() {
    let h = harness().await;
    let pf = h.portfolio().await;
    let base = h.project(&pf, "BASE").await["id"].as_str().unwrap().to_owned();
    for (i, (role, project, status, delete_risk, users, export)) in EXPECTED.iter().enumerate() {
        let code = |b: bool, ok: StatusCode| if b { ok } else { StatusCode::FORBIDDEN };
        let r = h.call(*role, Method::POST, "/api/v1/projects", Some(json!({"portfolio_id": pf, "code": format!("R-{i}"), "name": "n", "stage": "planning", "tier": "light", "state": "active"})), None).await;
        assert_eq!(r.status, code(*project, StatusCode::CREATED), "{role:?} create project");
        let r = h
            .call(
                *role,
                Method::POST,
                "/api/v1/status-reports",
                Some(status_body(&base, &format!("2026-0{}-01", i + 1), "green")),
                None,
            )
            .await;
        assert_eq!(r.status, code(*status, StatusCode::CREATED), "{role:?} submit status");
        let risk = h.call(Role::Admin, Method::POST, "/api/v1/risks", Some(json!({"project_id": base, "title": "r", "probability": 1, "impact": 1, "response": "accept", "state": "open"})), None).await;
        let rid = risk.body["id"].as_str().unwrap();
        let r = h.call(*role, Method::DELETE, &format!("/api/v1/risks/{rid}"), None, Some(1)).await;
        assert_eq!(r.status, code(*delete_risk, StatusCode::NO_CONTENT), "{role:?} delete risk");
        let r = h.call(*role, Method::GET, "/api/v1/users", None, None).await;
        assert_eq!(r.status, code(*users, StatusCode::OK), "{role:?} list users");
        let r = h.call(*role, Method::GET, "/api/v1/export", None, None).await;
        assert_eq!(r.status, code(*export, StatusCode::OK), "{role:?} export");
        assert_eq!(
            h.call(*role, Method::GET, "/api/v1/dashboard", None, None).await.status,
            StatusCode::OK,
            "{role:?} reads"
        );
        // Refused writes leave no trace.
        if !project {
            assert!(
                h.app
                    .records::<keel_domain::ProjectFields>()
                    .list(&Actor::system(h.app.default_org().await.unwrap().unwrap().id), &Default::default())
                    .await
                    .unwrap()
                    .items
                    .iter()
                    .all(|p| p.fields.code.as_str() != format!("R-{i}"))
            );
        }
    }
}

#[tokio::test]
async fn organisation_and_users_are_managed_through_the_api() {
    let h = harness().await;
    let org = h.call(Role::Viewer, Method::GET, "/api/v1/organisation", None, None).await;
    assert_eq!(org.body["name"], "Test org");
    let refused = h
        .call(Role::Pmo, Method::PUT, "/api/v1/organisation", Some(json!({"name": "X", "currency": "EUR"})), None)
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let bad = h
        .call(Role::Admin, Method::PUT, "/api/v1/organisation", Some(json!({"name": "", "currency": "EURO"})), None)
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> =
        bad.body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, vec!["name", "currency"]);
    let ok = h
        .call(
            Role::Admin,
            Method::PUT,
            "/api/v1/organisation",
            Some(json!({"name": "Northwind", "currency": "eur"})),
            None,
        )
        .await;
    assert_eq!((ok.body["name"].as_str(), ok.body["currency"].as_str()), (Some("Northwind"), Some("EUR")));
    let audit = h.call(Role::Viewer, Method::GET, "/api/v1/audit?entity_kind=organisation", None, None).await;
    assert_eq!(audit.body[0]["label"], "Northwind");

    // Users: filtered and paged by user name (admin, u-admin, u-contributor, ..., u-viewer).
    let mut names = Vec::new();
    let mut uri = "/api/v1/users?limit=3".to_owned();
    loop {
        let page = h.call(Role::Admin, Method::GET, &uri, None, None).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        names.extend(page.body["items"].as_array().unwrap().iter().map(|u| u["username"].as_str().unwrap().to_owned()));
        match page.body["next_cursor"].as_str() {
            Some(c) => uri = format!("/api/v1/users?limit=3&cursor={c}"),
            None => break,
        }
    }
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    assert_eq!(names.len(), 7);
    let pms = h.call(Role::Admin, Method::GET, "/api/v1/users?role=project_manager", None, None).await;
    assert_eq!(pms.body["items"].as_array().unwrap().len(), 1);
    let bad_role = h.call(Role::Admin, Method::GET, "/api/v1/users?role=boss", None, None).await;
    assert_eq!(bad_role.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad_role.body["errors"][0]["field"], "role");
}

#[tokio::test]
async fn openapi_health_and_security_headers() {
    let h = harness().await;
    let doc = h.raw(Request::get("/api/v1/openapi.json").body(Body::empty()).unwrap()).await;
    assert_eq!(doc.status, StatusCode::OK);
    assert_eq!(doc.body["openapi"], "3.1.0");
    for (path, op) in [
        ("/api/v1/projects/{id}/forecast/runs", "post"),
        ("/api/v1/projects/{id}/forecast/settings", "put"),
        ("/api/v1/projects/{id}/delivery", "post"),
        ("/api/v1/risks/exposure", "get"),
    ] {
        assert!(doc.body["paths"][path][op].is_object(), "{path} {op}");
    }
    for kind in keel_domain::EntityKind::ALL {
        assert!(doc.body["paths"][format!("/api/v1/{}/{{id}}", kind.slug())]["put"].is_object(), "{}", kind.slug());
    }
    let docs_page = h.raw(Request::get("/api/docs").body(Body::empty()).unwrap()).await;
    assert_eq!(docs_page.status, StatusCode::OK);
    for path in ["/healthz", "/readyz"] {
        let r = h.raw(Request::get(path).body(Body::empty()).unwrap()).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        assert_eq!(r.headers["x-content-type-options"], "nosniff");
        assert!(r.headers["content-security-policy"].to_str().unwrap().contains("default-src 'self'"));
        assert_eq!(r.headers["x-frame-options"], "DENY");
    }
    let page = h.raw(Request::get("/").body(Body::empty()).unwrap()).await;
    assert_eq!(page.status, StatusCode::SEE_OTHER, "pages need a session");
    let missing = h
        .raw(
            Request::get("/api/v1/nothing")
                .header(header::AUTHORIZATION, format!("Bearer {}", h.token(Role::Viewer)))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.headers[header::CONTENT_TYPE], "application/problem+json");
}

// ---- Schedules -------------------------------------------------------------------------------

/// A five-task plan whose dates are worked out by hand on the Mon-Fri 08:00-17:00 calendar:
/// Design 2-6 Mar, Build 9-20 Mar, Test starts two working days after Build (25 Mar) and ends
/// 27 Mar 17:00, Docs starts a day after Design starts (3 Mar) and has 15 days of float,
/// Go-live is a milestone at 27 Mar 17:00. Critical path: 1, 2, 3, 5.
const PLAN_CSV: &str = "id,name,duration,predecessors,start\n1,Design,5d,,2026-03-02 08:00\n2,Build,10d,1,\n3,Test,3d,2FS+2d,\n4,Docs,4d,1SS+1d,\n5,Go-live,0d,3;4,\n";

fn multipart(file_name: &str, content: &str) -> (String, Vec<u8>) {
    let boundary = "keel-test-boundary-7d2f";
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n{content}\r\n--{boundary}--\r\n"
    );
    (format!("multipart/form-data; boundary={boundary}"), body.into_bytes())
}

impl Harness {
    async fn upload(&self, role: Role, project: &str, file_name: &str, content: &str) -> Res {
        self.upload_to(role, &format!("/api/v1/projects/{project}/schedule/versions"), file_name, content).await
    }

    async fn upload_to(&self, role: Role, uri: &str, file_name: &str, content: &str) -> Res {
        let (ct, body) = multipart(file_name, content);
        let req = Request::builder()
            .method(Method::POST)
            .uri(uri)
            .header(header::AUTHORIZATION, format!("Bearer {}", self.token(role)))
            .header(header::CONTENT_TYPE, ct)
            .body(Body::from(body))
            .unwrap();
        self.raw(req).await
    }

    async fn get_text(&self, uri: &str) -> (StatusCode, String) {
        let req = Request::builder()
            .uri(uri)
            .header(header::AUTHORIZATION, format!("Bearer {}", self.token(Role::Viewer)))
            .body(Body::empty())
            .unwrap();
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        (status, String::from_utf8_lossy(&res.into_body().collect().await.unwrap().to_bytes()).into_owned())
    }
}

async fn schedules(h: Harness) {
    let pf = h.portfolio().await;
    let p = h.project(&pf, "SCH").await;
    let pid = p["id"].as_str().unwrap();

    // Viewers may not import; project managers may.
    assert_eq!(h.upload(Role::Viewer, pid, "plan.csv", PLAN_CSV).await.status, StatusCode::FORBIDDEN);
    let r = h.upload(Role::ProjectManager, pid, "plan.csv", PLAN_CSV).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["version"], 1);
    assert_eq!(r.body["task_count"], 5);
    assert_eq!(r.body["format"], "csv");
    assert_eq!(r.body["report"]["milestones_created"], 1);

    let s = h.call(Role::Viewer, Method::GET, &format!("/api/v1/projects/{pid}/schedule"), None, None).await;
    assert_eq!(s.status, StatusCode::OK, "{}", s.body);
    assert_eq!(s.body["finish"], "2026-03-27T17:00:00");
    assert_eq!(s.body["longest_path"], json!(["1", "2", "3", "5"]));

    let t = h.call(Role::Viewer, Method::GET, &format!("/api/v1/projects/{pid}/schedule/tasks"), None, None).await;
    assert_eq!(t.body["total"], 5);
    let task = |code: &str| t.body["items"].as_array().unwrap().iter().find(|x| x["code"] == code).unwrap().clone();
    assert_eq!(task("3")["early_start"], "2026-03-25T08:00:00");
    assert_eq!(task("4")["early_start"], "2026-03-03T08:00:00");
    assert_eq!(task("4")["total_float_minutes"], 15 * 480);
    assert_eq!(task("4")["critical"], false);
    assert_eq!(task("2")["critical"], true);
    let crit = h
        .call(Role::Viewer, Method::GET, &format!("/api/v1/projects/{pid}/schedule/tasks?critical=true"), None, None)
        .await;
    assert_eq!(crit.body["total"], 4);

    let links = h.call(Role::Viewer, Method::GET, &format!("/api/v1/projects/{pid}/schedule/links"), None, None).await;
    let lags: Vec<String> = links
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            format!("{}{}{}", l["pred_code"].as_str().unwrap(), l["type"].as_str().unwrap(), l["lag"].as_str().unwrap())
        })
        .collect();
    assert!(lags.contains(&"2FS+2d".to_string()) && lags.contains(&"1SS+1d".to_string()), "{lags:?}");

    // The schedule's milestone feeds the project's milestones.
    let ms = h.call(Role::Viewer, Method::GET, &format!("/api/v1/milestones?project_id={pid}"), None, None).await;
    let go = ms.body["items"].as_array().unwrap().iter().find(|m| m["name"] == "Go-live").unwrap().clone();
    assert_eq!(go["forecast"], "2026-03-27");

    // Quality: fourteen checks; overriding a threshold changes the verdict it drives.
    let q = h.call(Role::Viewer, Method::GET, &format!("/api/v1/projects/{pid}/schedule/quality"), None, None).await;
    assert_eq!(q.body["checks"].as_array().unwrap().len(), 14);
    let high_float = |b: &Value| b["checks"][5]["tasks"].as_array().unwrap().len();
    assert_eq!(high_float(&q.body), 0);
    let q = h
        .call(
            Role::Viewer,
            Method::GET,
            &format!("/api/v1/projects/{pid}/schedule/quality?high_float_days=10"),
            None,
            None,
        )
        .await;
    assert_eq!(q.status, StatusCode::OK, "{}", q.body);
    assert_eq!(high_float(&q.body), 1, "Docs has 15 days of float");
    let bad = h
        .call(
            Role::Viewer,
            Method::GET,
            &format!("/api/v1/projects/{pid}/schedule/quality?high_float_days=lots"),
            None,
            None,
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);

    // Export as MSPDI and read it back: same tasks, same computed finish.
    let (st, xml) = h.get_text(&format!("/api/v1/projects/{pid}/schedule/export?format=mspdi")).await;
    assert_eq!(st, StatusCode::OK);
    let back = keel_interop::import("back.xml", xml.as_bytes(), None).unwrap();
    assert_eq!(back.tasks.len(), 5);
    let r = keel_engine::schedule::schedule(&back).unwrap();
    assert_eq!(r.finish.to_string(), "2026-03-27 17:00:00");

    let (st, svg) = h.get_text(&format!("/api/v1/projects/{pid}/schedule/gantt.svg?zoom=day")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(svg.starts_with("<svg") && svg.contains("bar crit") && svg.contains("milestone"), "{}", &svg[..200]);

    // A loop is refused with the tasks on it, and nothing is written.
    let looped = "id,name,duration,predecessors,start\n1,A,1d,2,2026-03-02\n2,B,1d,1,\n";
    let r = h.upload(Role::ProjectManager, pid, "loop.csv", looped).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.to_string().contains("loop"), "{}", r.body);
    // An unreadable file names the line and column.
    let r = h
        .upload(Role::ProjectManager, pid, "bad.csv", "id,name,duration,predecessors,start\n1,A,soon,,2026-03-02\n")
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.to_string().contains("bad.csv:2"), "{}", r.body);

    // A second import is version 2; version 1 is kept.
    let r = h.upload(Role::ProjectManager, pid, "plan-v2.csv", &PLAN_CSV.replace("10d", "12d")).await;
    assert_eq!(r.body["version"], 2);
    let v = h.call(Role::Viewer, Method::GET, &format!("/api/v1/projects/{pid}/schedule/versions"), None, None).await;
    assert_eq!(v.body.as_array().unwrap().len(), 2);
    let v1 = h.call(Role::Viewer, Method::GET, &format!("/api/v1/projects/{pid}/schedule?version=1"), None, None).await;
    assert_eq!(v1.body["finish"], "2026-03-27T17:00:00");
    let v2 = h.call(Role::Viewer, Method::GET, &format!("/api/v1/projects/{pid}/schedule"), None, None).await;
    assert_eq!(v2.body["finish"], "2026-03-31T17:00:00");
    let ms = h.call(Role::Viewer, Method::GET, &format!("/api/v1/milestones?project_id={pid}"), None, None).await;
    let go = ms.body["items"].as_array().unwrap().iter().find(|m| m["name"] == "Go-live").unwrap().clone();
    assert_eq!(go["forecast"], "2026-03-31", "the milestone follows the latest schedule");

    // The import is in the audit trail.
    let a = h
        .call(Role::Viewer, Method::GET, &format!("/api/v1/audit?project_id={pid}&entity_kind=schedule"), None, None)
        .await;
    assert_eq!(a.body.as_array().unwrap().len(), 2);
    assert_eq!(
        h.call(Role::Viewer, Method::GET, "/api/v1/projects/00000000-0000-0000-0000-000000000000/schedule", None, None)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

/// The `items` of a list answer, as a viewer sees them.
async fn items(h: &Harness, uri: &str) -> Vec<Value> {
    let r = h.call(Role::Viewer, Method::GET, uri, None, None).await;
    assert_eq!(r.status, StatusCode::OK, "{uri}: {}", r.body);
    r.body["items"].as_array().cloned().unwrap_or_default()
}

/// The dependency register: dates from each side's latest schedule (or the milestones without
/// one), the margin between delivery and need, and which dependencies sit on a critical path.
async fn dependency_register(h: Harness) {
    let pf = h.portfolio().await;
    let id = |v: &Value| v["id"].as_str().unwrap().to_owned();
    let milestone = |project: &str, name: &str, forecast: &str| json!({"project_id": project, "name": name, "baseline": forecast, "forecast": forecast});
    let dependency = |title: &str, project: &str, ms: &str, supplier: &str, sms: &str| {
        json!({"project_id": project, "milestone_id": ms, "supplier_project_id": supplier,
               "supplier_milestone_id": sms, "title": title, "state": "open"})
    };

    // With schedules: the supplier's Go-live is on its critical path.
    let sup = id(&h.project(&pf, "SUP").await);
    let dep = id(&h.project(&pf, "DEP").await);
    assert_eq!(h.upload(Role::ProjectManager, &sup, "plan.csv", PLAN_CSV).await.status, StatusCode::CREATED);
    let dep_plan = "id,name,duration,predecessors,start\n1,Prepare,2d,,2026-03-02 08:00\n2,Integrate,0d,1,\n3,Long,30d,,2026-03-02 08:00\n4,Done,0d,2;3,\n";
    assert_eq!(h.upload(Role::ProjectManager, &dep, "dep.csv", dep_plan).await.status, StatusCode::CREATED);
    let go_live = items(&h, &format!("/api/v1/milestones?project_id={sup}"))
        .await
        .into_iter()
        .find(|m| m["name"] == "Go-live")
        .unwrap();
    let integrate = items(&h, &format!("/api/v1/milestones?project_id={dep}"))
        .await
        .into_iter()
        .find(|m| m["name"] == "Integrate")
        .unwrap();
    let r = h
        .call(
            Role::Contributor,
            Method::POST,
            "/api/v1/dependencies",
            Some(dependency("Live API", &dep, &id(&integrate), &sup, &id(&go_live))),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);

    // Without schedules: milestones' dates; one late delivery, one with room to spare.
    let (a, b, c) = (id(&h.project(&pf, "MA").await), id(&h.project(&pf, "MB").await), id(&h.project(&pf, "MC").await));
    let mut ms = Vec::new();
    for (p, name, date) in
        [(&a, "Data ready", "2026-05-10"), (&b, "Migration", "2026-05-08"), (&c, "Training", "2026-05-20")]
    {
        let r =
            h.call(Role::Contributor, Method::POST, "/api/v1/milestones", Some(milestone(p, name, date)), None).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        ms.push(id(&r.body));
    }
    for (title, p, m) in [("Data for migration", &b, &ms[1]), ("Data for training", &c, &ms[2])] {
        let r = h
            .call(
                Role::Contributor,
                Method::POST,
                "/api/v1/dependencies",
                Some(dependency(title, p, m, &a, &ms[0])),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }

    let reg = h.call(Role::Viewer, Method::GET, "/api/v1/dependency-register", None, None).await;
    assert_eq!(reg.status, StatusCode::OK, "{}", reg.body);
    let rows = reg.body.as_array().unwrap();
    assert_eq!(rows.len(), 3, "{rows:#?}");
    let row = |title: &str| rows.iter().find(|r| r["dependency"]["title"] == title).unwrap();

    // The scheduled one: delivery is the supplier task's early finish, need the receiving task's late start.
    let sup_task = items(&h, &format!("/api/v1/projects/{sup}/schedule/tasks"))
        .await
        .into_iter()
        .find(|t| t["name"] == "Go-live")
        .unwrap();
    let dep_task = items(&h, &format!("/api/v1/projects/{dep}/schedule/tasks"))
        .await
        .into_iter()
        .find(|t| t["name"] == "Integrate")
        .unwrap();
    let live = row("Live API");
    assert_eq!(live["from_schedules"], true);
    assert_eq!(live["assessment"]["delivers"], sup_task["early_finish"]);
    assert_eq!(live["assessment"]["needed"], dep_task["late_start"]);
    assert_eq!(sup_task["critical"], true);
    assert_eq!(live["assessment"]["on_critical_path"], true, "{live:#}");
    let t = |v: &Value| chrono::NaiveDateTime::parse_from_str(v.as_str().unwrap(), "%Y-%m-%dT%H:%M:%S").unwrap();
    let margin = (t(&dep_task["late_start"]) - t(&sup_task["early_finish"])).num_minutes() as f64 / 1440.0;
    assert!((live["assessment"]["float_days"].as_f64().unwrap() - margin).abs() < 0.051, "{live:#} vs {margin}");

    // Milestones only: late by 2.4 days (17:00 on the 10th against 08:00 on the 8th), and 9.6 days spare.
    let late = row("Data for migration");
    assert_eq!(late["from_schedules"], false);
    assert_eq!(late["assessment"]["float_days"], -2.4);
    assert_eq!(late["assessment"]["driving"], true);
    assert_eq!(late["assessment"]["on_critical_path"], true);
    let spare = row("Data for training");
    assert_eq!(spare["assessment"]["float_days"], 9.6);
    assert_eq!(spare["assessment"]["on_critical_path"], false);
    // Those on a critical path come first, the one with room last.
    assert_eq!(rows[2]["dependency"]["title"], "Data for training");

    // The integrated schedule: SUP and DEP as one network. Go-live (end of March) is later than
    // DEP would reach Integrate alone (early March), so the link drives Integrate to Go-live.
    let net = h.call(Role::Viewer, Method::GET, "/api/v1/integrated-schedule", None, None).await;
    assert_eq!(net.status, StatusCode::OK, "{}", net.body);
    assert!(net.body["error"].is_null(), "{:#}", net.body);
    let links = net.body["links"].as_array().unwrap();
    assert_eq!(links.len(), 1, "{:#}", net.body);
    let link = &links[0];
    assert_eq!(link["title"], "Live API");
    assert_eq!(link["delivers"], sup_task["early_finish"], "the supplier has no predecessor, so it does not move");
    assert_eq!(link["start_alone"], dep_task["early_start"]);
    assert!(t(&sup_task["early_finish"]) > t(&dep_task["early_start"]), "the test plans must make the link drive");
    assert!(t(&link["start"]) >= t(&link["delivers"]), "{link:#}");
    assert_eq!(link["driving"], true, "{link:#}");
    assert_eq!(link["float_days"], 0.0);
    let delay = (t(&link["start"]) - t(&dep_task["early_start"])).num_minutes() as f64 / 1440.0;
    assert!(delay > 0.0 && (link["delay_days"].as_f64().unwrap() - delay).abs() < 1e-9, "{link:#}");
    let projects = net.body["projects"].as_array().unwrap();
    assert_eq!(projects.len(), 2, "{projects:#?}");
    let dep_row = projects.iter().find(|p| p["project_id"] == dep.as_str()).unwrap();
    assert_eq!(dep_row["driven_by"], json!(["Live API"]));
    for p in projects {
        assert!(t(&p["finish"]) >= t(&p["finish_alone"]), "{p:#}");
    }
    // The milestone-only dependencies have no schedules on either side: left out, with why.
    let left_out = net.body["left_out"].as_array().unwrap();
    assert_eq!(left_out.len(), 2, "{left_out:#?}");
    assert!(left_out.iter().all(|w| w.as_str().unwrap().contains("no schedule")), "{left_out:#?}");

    // A dependency back from DEP's Integrate to SUP's Go-live closes a loop: reported, naming
    // the tasks of both projects, not a server error.
    let r = h
        .call(
            Role::Contributor,
            Method::POST,
            "/api/v1/dependencies",
            Some(dependency("Loop back", &sup, &id(&go_live), &dep, &id(&integrate))),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let net = h.call(Role::Viewer, Method::GET, "/api/v1/integrated-schedule", None, None).await;
    assert_eq!(net.status, StatusCode::OK, "{}", net.body);
    let error = net.body["error"].as_str().unwrap_or_default();
    assert!(error.contains("loop") && error.contains("SUP/") && error.contains("DEP/"), "{:#}", net.body);
}

#[tokio::test]
async fn dependency_register_on_sqlite() {
    dependency_register(harness().await).await;
}

#[tokio::test]
async fn dependency_register_on_postgres() {
    let Some(url) = testing::postgres_url() else {
        eprintln!("SKIPPED: dependency register on PostgreSQL (set KEEL_TEST_POSTGRES_URL to run it)");
        return;
    };
    let store = testing::fresh_postgres(&url).await.unwrap();
    dependency_register(harness_on(store, tempfile::tempdir().unwrap()).await).await;
}

/// A plan from 2013 imported into a project planned for 2026: refused without a choice (naming
/// both sets of dates, writing nothing), kept with the warning in the report, or rebased by whole
/// weeks to start on the project's planned start.
async fn plans_from_another_time(h: Harness) {
    let pf = h.portfolio().await;
    let p = h.project(&pf, "OLD").await;
    let pid = p["id"].as_str().unwrap();
    let old = PLAN_CSV.replace("2026-03-02", "2013-01-07");
    let uri = format!("/api/v1/projects/{pid}/schedule/versions");
    let milestones = || async {
        h.call(Role::Viewer, Method::GET, &format!("/api/v1/milestones?project_id={pid}"), None, None).await.body["items"]
            .as_array()
            .unwrap()
            .clone()
    };

    let r = h.upload(Role::ProjectManager, pid, "old.csv", &old).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let text = r.body.to_string();
    assert!(text.contains("\"dates\""), "{text}");
    assert!(
        text.contains("This plan runs 7 Jan 2013 to 1 Feb 2013; OLD is planned from 5 Jan 2026 to 18 Dec 2026."),
        "{text}"
    );
    let v = h.call(Role::Viewer, Method::GET, &uri, None, None).await;
    assert_eq!(v.body.as_array().unwrap().len(), 0, "a refused import writes nothing");
    assert!(milestones().await.is_empty());

    let bad = h.upload_to(Role::ProjectManager, &format!("{uri}?dates=later"), "old.csv", &old).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);

    let kept = h.upload_to(Role::ProjectManager, &format!("{uri}?dates=keep"), "old.csv", &old).await;
    assert_eq!(kept.status, StatusCode::CREATED, "{}", kept.body);
    assert!(kept.body["report"]["dates_warning"].as_str().unwrap().starts_with("This plan runs 7 Jan 2013"));
    assert_eq!(kept.body["report"]["rebased"], Value::Null);
    assert_eq!(kept.body["finish"], "2013-02-01T17:00:00");
    let go = milestones().await.into_iter().find(|m| m["name"] == "Go-live").unwrap();
    assert_eq!(go["forecast"], "2013-02-01");
    assert!(go["description"].as_str().unwrap().contains("This plan runs 7 Jan 2013"), "{go}");

    let moved = h.upload_to(Role::ProjectManager, &format!("{uri}?dates=rebase"), "old.csv", &old).await;
    assert_eq!(moved.status, StatusCode::CREATED, "{}", moved.body);
    assert_eq!(moved.body["report"]["rebased"], "Rebased by 678 weeks from 7 Jan 2013 to 5 Jan 2026");
    assert_eq!(moved.body["report"]["rebased_weeks"], 678);
    // Same working-day pattern: Monday start, Friday finish, 3 weeks and 5 days later.
    assert_eq!(moved.body["finish"], "2026-01-30T17:00:00");
    let go = milestones().await.into_iter().find(|m| m["name"] == "Go-live").unwrap();
    assert_eq!(go["forecast"], "2026-01-30");

    // A plan in the project's time needs no choice.
    let r = h.upload(Role::ProjectManager, pid, "plan.csv", PLAN_CSV).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["report"]["dates_warning"], Value::Null);
}

#[tokio::test]
async fn plans_from_another_time_on_sqlite() {
    plans_from_another_time(harness().await).await;
}

#[tokio::test]
async fn plans_from_another_time_on_postgres() {
    let Some(url) = testing::postgres_url() else {
        eprintln!("SKIPPED: schedule API on PostgreSQL (set KEEL_TEST_POSTGRES_URL to run it)");
        return;
    };
    let store = testing::fresh_postgres(&url).await.unwrap();
    plans_from_another_time(harness_on(store, tempfile::tempdir().unwrap()).await).await;
}

#[tokio::test]
async fn schedules_on_sqlite() {
    schedules(harness().await).await;
}

#[tokio::test]
async fn schedules_on_postgres() {
    let Some(url) = testing::postgres_url() else {
        eprintln!("SKIPPED: schedule API on PostgreSQL (set KEEL_TEST_POSTGRES_URL to run it)");
        return;
    };
    let store = testing::fresh_postgres(&url).await.unwrap();
    schedules(harness_on(store, tempfile::tempdir().unwrap()).await).await;
}

/// Forecasts of the hand-worked CSV plan: 1 Design 5d -> 2 Build 10d -> 3 Test 3d (+2d lag) -> 5
/// Go-live, with 4 Docs 4d (SS+1d from Design) carrying 15 days of float; deterministic finish
/// Friday 27 March 2026 17:00 on the standard calendar.
async fn forecasts(h: Harness) {
    let pf = h.portfolio().await;
    let p = h.project(&pf, "FC").await;
    let pid = p["id"].as_str().unwrap();
    let url = |rest: &str| format!("/api/v1/projects/{pid}/forecast{rest}");

    // No schedule, no forecast.
    assert_eq!(h.call(Role::Viewer, Method::GET, &url(""), None, None).await.status, StatusCode::NOT_FOUND);
    let none = h.call(Role::Pmo, Method::POST, &url("/runs"), None, None).await;
    assert_eq!(none.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", none.body);

    // Importing the schedule runs a forecast.
    assert_eq!(h.upload(Role::ProjectManager, pid, "plan.csv", PLAN_CSV).await.status, StatusCode::CREATED);
    let first = h.call(Role::Viewer, Method::GET, &url(""), None, None).await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert_eq!(first.body["reason"], "schedule imported");
    assert_eq!(first.body["schedule_version"], 1);
    assert_eq!(first.body["montecarlo"]["deterministic_finish"], "2026-03-27T17:00:00");
    // Four work tasks had no estimate and got the default range, which the run lists.
    assert_eq!(first.body["montecarlo"]["defaulted_tasks"].as_array().unwrap().len(), 4);

    // Zero-width estimates on every task: every iteration is the CPM schedule.
    let exact = json!({"iterations": 500, "seed": 7, "estimates": [
        {"task": "1", "optimistic_days": 5, "most_likely_days": 5, "pessimistic_days": 5},
        {"task": "Build", "optimistic_days": 10, "most_likely_days": 10, "pessimistic_days": 10},
        {"task": "3", "optimistic_days": 3, "most_likely_days": 3, "pessimistic_days": 3},
        {"task": "docs", "optimistic_days": 4, "most_likely_days": 4, "pessimistic_days": 4}]});
    assert_eq!(
        h.call(Role::Viewer, Method::PUT, &url("/settings"), Some(exact.clone()), None).await.status,
        StatusCode::FORBIDDEN
    );
    let saved = h.call(Role::ProjectManager, Method::PUT, &url("/settings"), Some(exact), None).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    assert_eq!(h.call(Role::Viewer, Method::POST, &url("/runs"), None, None).await.status, StatusCode::FORBIDDEN);
    let run = h.call(Role::ProjectManager, Method::POST, &url("/runs"), None, None).await;
    assert_eq!(run.status, StatusCode::CREATED, "{}", run.body);
    let mc = &run.body["montecarlo"];
    for p in ["p10", "p50", "p80", "p90"] {
        assert_eq!(mc["finish"][p], "2026-03-27T17:00:00", "{p}");
    }
    assert_eq!(mc["iterations"], 500);
    assert_eq!(mc["defaulted_tasks"], json!([]));
    let tasks = run.body["tasks"].as_array().unwrap();
    let ix = |code: &str| tasks.iter().position(|t| t["code"] == code).unwrap();
    let crit = |code: &str| {
        mc["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["task"] == ix(code))
            .map(|t| t["criticality"].as_f64().unwrap())
    };
    assert_eq!(crit("2"), Some(1.0));
    assert_eq!(crit("4"), Some(0.0));

    // A risk certain to happen, adding 2 to 6 working days (triangular around 4) to Test, moves
    // every iteration's finish 2 to 6 working days later: Tuesday 31 March to Monday 6 April.
    let risk = json!({"project_id": pid, "title": "Test environment late", "probability": 5, "impact": 3,
        "response": "reduce", "state": "open", "probability_pct": 100, "schedule_impact_days": 4,
        "cost_impact": {"amount": "10000", "currency": "GBP"}, "tasks": ["Test"]});
    assert_eq!(
        h.call(Role::ProjectManager, Method::POST, "/api/v1/risks", Some(risk), None).await.status,
        StatusCode::CREATED
    );
    let run = h.call(Role::ProjectManager, Method::POST, &url("/runs"), Some(json!({"seed": 11})), None).await;
    assert_eq!(run.status, StatusCode::CREATED, "{}", run.body);
    let f = &run.body["montecarlo"]["finish"];
    assert!(f["p10"].as_str().unwrap() >= "2026-03-31T08:00:00", "{f}");
    assert!(f["p90"].as_str().unwrap() <= "2026-04-06T17:00:00", "{f}");
    assert!(f["p50"].as_str().unwrap() > "2026-03-27T17:00:00", "{f}");
    assert_eq!(run.body["risks"][0]["probability"], 1.0);
    assert_eq!(run.body["montecarlo"]["seed"], 11);
    // The same seed and inputs give the same numbers.
    let again = h.call(Role::ProjectManager, Method::POST, &url("/runs"), Some(json!({"seed": 11})), None).await;
    assert_eq!(again.body["montecarlo"], run.body["montecarlo"]);

    // Runs are kept, newest first, and each can be read back.
    let runs = h.call(Role::Viewer, Method::GET, &url("/runs"), None, None).await;
    let list = runs.body.as_array().unwrap();
    assert!(list.len() >= 4, "{}", runs.body);
    assert_eq!(list[0]["id"], again.body["id"]);
    let one = h
        .call(Role::Viewer, Method::GET, &url(&format!("/runs/{}", run.body["id"].as_str().unwrap())), None, None)
        .await;
    assert_eq!(one.body["montecarlo"], run.body["montecarlo"]);

    // Bad settings name the field; nothing is saved.
    for (bad, field) in [
        (
            json!({"estimates": [{"task": "Nope", "optimistic_days": 1, "most_likely_days": 2, "pessimistic_days": 3}]}),
            "estimates[0].task",
        ),
        (
            json!({"estimates": [{"task": "1", "optimistic_days": 9, "most_likely_days": 2, "pessimistic_days": 3}]}),
            "estimates[0]",
        ),
        (json!({"iterations": 5}), "iterations"),
    ] {
        let r = h.call(Role::ProjectManager, Method::PUT, &url("/settings"), Some(bad), None).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(r.body.to_string().contains(field), "{field}: {}", r.body);
    }
    let kept = h.call(Role::Viewer, Method::GET, &url("/settings"), None, None).await;
    assert_eq!(kept.body["estimates"].as_array().unwrap().len(), 4);

    // Charts, the portfolio view and risk exposure.
    for chart in ["distribution.svg", "scurve.svg", "tornado.svg"] {
        let (status, body) = h.get_text(&url(&format!("/{chart}"))).await;
        assert_eq!(status, StatusCode::OK, "{chart}");
        assert!(body.starts_with("<svg"), "{chart}: {body}");
    }
    // In the first run (default ranges) the longest critical task drives the finish most.
    let (status, tornado) = h.get_text(&url(&format!("/tornado.svg?run={}", first.body["id"].as_str().unwrap()))).await;
    assert_eq!(status, StatusCode::OK);
    let first_driver = &first.body["montecarlo"]["tornado"][0];
    assert_eq!(first_driver["driver"]["task"], ix("2"), "{first_driver}");
    assert!(tornado.contains("Build"), "{tornado}");
    let all = h.call(Role::Viewer, Method::GET, "/api/v1/forecasts", None, None).await;
    let row = all.body.as_array().unwrap().iter().find(|r| r["code"] == "FC").unwrap().clone();
    assert_eq!(row["latest"]["id"], again.body["id"]);
    let exp = h.call(Role::Viewer, Method::GET, "/api/v1/risks/exposure", None, None).await;
    assert_eq!(exp.status, StatusCode::OK, "{}", exp.body);
    assert_eq!(exp.body["heat_map"]["open"], 1);
    assert_eq!(exp.body["total"][0]["total_emv"], 1_000_000);
    assert_eq!(exp.body["total"][0]["total_expected_days"], 4.0);
    // The trend is rebuilt from the audit trail: today's point holds the risk raised today.
    let today_point = exp.body["trend"][0]["points"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (today_point["open"].as_u64(), today_point["total_emv"].as_i64()),
        (Some(1), Some(1_000_000)),
        "{today_point}"
    );
}

#[tokio::test]
async fn forecasts_on_sqlite() {
    forecasts(harness().await).await;
}

#[tokio::test]
async fn forecasts_on_postgres() {
    let Some(url) = testing::postgres_url() else {
        eprintln!("SKIPPED: forecast API on PostgreSQL (set KEEL_TEST_POSTGRES_URL to run it)");
        return;
    };
    let store = testing::fresh_postgres(&url).await.unwrap();
    forecasts(harness_on(store, tempfile::tempdir().unwrap()).await).await;
}

/// A team that finished exactly two items a week for twelve weeks finishes six open items in
/// exactly three weeks, in every simulated sample.
async fn delivery(h: Harness) {
    let pf = h.portfolio().await;
    let p = h.project(&pf, "AGL").await;
    let pid = p["id"].as_str().unwrap();
    let today = h.app.today();
    let mut csv = String::from("key,title,team,created,started,done,points,milestone\n");
    for w in 0..12 {
        for k in 0..2 {
            let done = today - chrono::Duration::days(1 + 7 * w);
            let started = done - chrono::Duration::days(3);
            let created = done - chrono::Duration::days(10);
            csv.push_str(&format!("A-{w}-{k},Item,Alpha,{created},{started},{done},3,Release 1\n"));
        }
    }
    for k in 0..6 {
        csv.push_str(&format!("A-open-{k},Open item,Alpha,{},,,5,Release 2\n", today - chrono::Duration::days(20)));
    }
    let (ct, body) = multipart("items.csv", &csv);
    let upload = |role: Role| {
        Request::builder()
            .method(Method::POST)
            .uri(format!("/api/v1/projects/{pid}/delivery"))
            .header(header::AUTHORIZATION, format!("Bearer {}", h.token(role)))
            .header(header::CONTENT_TYPE, ct.clone())
            .body(Body::from(body.clone()))
            .unwrap()
    };
    assert_eq!(h.raw(upload(Role::Viewer)).await.status, StatusCode::FORBIDDEN);
    let r = h.raw(upload(Role::ProjectManager)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["items"], 30);
    assert_eq!(r.body["remaining"], 6);
    let o = &r.body["metrics"]["overall"];
    assert_eq!(o["cycle_time"]["p50"], 3);
    assert_eq!(o["lead_time"]["p85"], 10);
    let w = &r.body["when"];
    assert_eq!(w["p50"]["periods"], 3, "{w}");
    assert_eq!(w["p95"]["periods"], 3, "{w}");
    assert_eq!(w["p50"]["date"], w["p95"]["date"]);
    let m = &r.body["milestones"]["milestones"][0];
    assert_eq!((m["milestone"].as_str(), m["remaining"].as_u64()), (Some("Release 2"), Some(6)));
    let got = h.call(Role::Viewer, Method::GET, &format!("/api/v1/projects/{pid}/delivery"), None, None).await;
    assert_eq!(got.body["when"], r.body["when"]);

    // A file without the needed columns is refused with the column named; nothing is kept.
    let (ct, body) = multipart("bad.csv", "key,title\nX-1,Thing\n");
    let req = Request::builder()
        .method(Method::POST)
        .uri(format!("/api/v1/projects/{pid}/delivery"))
        .header(header::AUTHORIZATION, format!("Bearer {}", h.token(Role::ProjectManager)))
        .header(header::CONTENT_TYPE, ct)
        .body(Body::from(body))
        .unwrap();
    let bad = h.raw(req).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert!(bad.body.to_string().contains("bad.csv"), "{}", bad.body);
    let still = h.call(Role::Viewer, Method::GET, &format!("/api/v1/projects/{pid}/delivery"), None, None).await;
    assert_eq!(still.body["version"], 1);
}

#[tokio::test]
async fn delivery_on_sqlite() {
    delivery(harness().await).await;
}

#[tokio::test]
async fn delivery_on_postgres() {
    let Some(url) = testing::postgres_url() else {
        eprintln!("SKIPPED: delivery API on PostgreSQL (set KEEL_TEST_POSTGRES_URL to run it)");
        return;
    };
    let store = testing::fresh_postgres(&url).await.unwrap();
    delivery(harness_on(store, tempfile::tempdir().unwrap()).await).await;
}

impl Harness {
    async fn bytes(&self, role: Role, uri: &str) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
        let req = Request::builder()
            .uri(uri)
            .header(header::AUTHORIZATION, format!("Bearer {}", self.token(role)))
            .body(Body::empty())
            .unwrap();
        let res = self.router.clone().oneshot(req).await.unwrap();
        let (status, headers) = (res.status(), res.headers().clone());
        (status, headers, res.into_body().collect().await.unwrap().to_bytes().to_vec())
    }
}

/// Status drafts (proposals, overrides only with a reason, submit keeps both) and issued reports
/// (generated from live data, immutable, downloadable in every format).
async fn reports(h: Harness) {
    let pf = h.portfolio().await;
    let p = h.project(&pf, "REP").await;
    let pid = p["id"].as_str().unwrap();
    let today = h.app.today();
    let last_week = (today - chrono::Duration::days(7)).to_string();
    let r = h
        .call(
            Role::ProjectManager,
            Method::POST,
            "/api/v1/status-reports",
            Some(status_body(pid, &last_week, "amber")),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let risk = h
        .call(Role::Contributor, Method::POST, "/api/v1/risks", Some(json!({"project_id": pid, "title": "Supplier insolvency", "probability": 5, "impact": 5, "response": "reduce", "state": "open"})), None)
        .await;
    assert_eq!(risk.status, StatusCode::CREATED, "{}", risk.body);
    let second = h
        .call(Role::Contributor, Method::POST, "/api/v1/risks", Some(json!({"project_id": pid, "title": "Key architect leaves", "probability": 5, "impact": 4, "response": "reduce", "state": "open"})), None)
        .await;
    assert_eq!(second.status, StatusCode::CREATED, "{}", second.body);
    let decision = h
        .call(Role::Pmo, Method::POST, "/api/v1/decisions", Some(json!({"project_id": pid, "title": "Approve second supplier", "options": ["Approve", "Wait"], "state": "pending"})), None)
        .await;
    assert_eq!(decision.status, StatusCode::CREATED, "{}", decision.body);

    // The draft proposes every dimension with reasons; two red risks make a light-tier project's
    // risk amber.
    let durl = format!("/api/v1/projects/{pid}/status-draft");
    assert_eq!(h.call(Role::Viewer, Method::GET, &durl, None, None).await.status, StatusCode::FORBIDDEN);
    let d = h.call(Role::ProjectManager, Method::GET, &durl, None, None).await;
    assert_eq!(d.status, StatusCode::OK, "{}", d.body);
    assert_eq!(d.body["state"], "draft");
    assert_eq!(d.body["period_end"], today.to_string());
    let proposals = d.body["drafted"]["proposals"].as_array().unwrap();
    assert_eq!(proposals.len(), 6);
    let risk_rag = proposals.iter().find(|p| p["dimension"] == "risk").unwrap();
    assert_eq!(risk_rag["rag"], "amber", "{risk_rag}");
    assert!(!risk_rag["reasons"].as_array().unwrap().is_empty());
    let summary = d.body["drafted"]["summary"].as_str().unwrap();
    assert!(summary.contains("Approve second supplier") || summary.contains("Supplier insolvency"), "{summary}");

    // Changing a proposed RAG needs a reason, named by field.
    let mut edit = json!({
        "overall": d.body["drafted"]["overall"], "summary": "Supplier at risk; decision needed.",
        "achievements": "", "next_steps": "", "decisions_needed": "Approve second supplier"});
    for p in proposals {
        edit[p["dimension"].as_str().unwrap()] = p["rag"].clone();
    }
    edit["risk"] = json!("green");
    let refused = h.call(Role::ProjectManager, Method::PUT, &durl, Some(edit.clone()), None).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.body);
    assert!(refused.body.to_string().contains("reasons.risk"), "{}", refused.body);
    edit["reasons"] = json!({"risk": "Second supplier already on standby"});
    // A report typed in by hand for the period is replaced by the submission (a new version).
    let by_hand = h
        .call(
            Role::ProjectManager,
            Method::POST,
            "/api/v1/status-reports",
            Some(status_body(pid, &today.to_string(), "green")),
            None,
        )
        .await;
    assert_eq!(by_hand.status, StatusCode::CREATED, "{}", by_hand.body);
    let submitted =
        h.call(Role::ProjectManager, Method::POST, &format!("{durl}/submit"), Some(edit.clone()), None).await;
    assert_eq!(submitted.status, StatusCode::CREATED, "{}", submitted.body);
    assert_eq!(submitted.body["state"], "submitted");
    assert_eq!(submitted.body["overrides"][0]["field"], "risk");
    assert_eq!(submitted.body["overrides"][0]["proposed"], "amber");
    assert_eq!(submitted.body["overrides"][0]["reason"], "Second supplier already on standby");
    // What was drafted is kept beside what was submitted.
    assert_eq!(submitted.body["drafted"]["proposals"], d.body["drafted"]["proposals"]);
    let report_id = submitted.body["status_report_id"].as_str().unwrap();
    let rec = h.call(Role::Viewer, Method::GET, &format!("/api/v1/status-reports/{report_id}"), None, None).await;
    assert_eq!(rec.status, StatusCode::OK, "{}", rec.body);
    assert_eq!(rec.body["risk"], "green");
    assert_eq!(rec.body["summary"], "Supplier at risk; decision needed.");
    assert_eq!(report_id, by_hand.body["id"].as_str().unwrap());
    assert_eq!(rec.body["version"], 2);
    let again = h.call(Role::ProjectManager, Method::POST, &format!("{durl}/submit"), Some(edit), None).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);

    // A board pack leads with the decision and the red risk, and cites its records.
    let bad = h.call(Role::Pmo, Method::POST, "/api/v1/reports", Some(json!({"kind": "minutes"})), None).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.to_string().contains("kind"), "{}", bad.body);
    // Issuing is governed: board packs by those who manage portfolios, a project's status report
    // by those who submit status; everyone else previews only, and nothing is stored.
    let board_body = json!({"kind": "board", "scope": "portfolio", "scope_id": pf});
    for role in [Role::Viewer, Role::Contributor, Role::ProjectManager] {
        let refused = h.call(role, Method::POST, "/api/v1/reports", Some(board_body.clone()), None).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{role:?} issues a board pack: {}", refused.body);
    }
    let status_body = json!({"kind": "status", "scope": "project", "scope_id": pid});
    let refused = h.call(Role::Viewer, Method::POST, "/api/v1/reports", Some(status_body.clone()), None).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    let none = h.call(Role::Viewer, Method::GET, "/api/v1/reports", None, None).await;
    assert_eq!(none.body.as_array().map(Vec::len), Some(0), "refused issues store nothing: {}", none.body);
    let by_contributor = h.call(Role::Contributor, Method::POST, "/api/v1/reports", Some(status_body), None).await;
    assert_eq!(by_contributor.status, StatusCode::CREATED, "{}", by_contributor.body);
    let issued = h
        .call(
            Role::Pmo,
            Method::POST,
            "/api/v1/reports",
            Some(json!({"kind": "board", "scope": "portfolio", "scope_id": pf})),
            None,
        )
        .await;
    assert_eq!(issued.status, StatusCode::CREATED, "{}", issued.body);
    assert_eq!(issued.body["audience"], "executive");
    let id = issued.body["id"].as_str().unwrap().to_owned();
    let list = h.call(Role::Viewer, Method::GET, "/api/v1/reports", None, None).await;
    assert!(list.body.as_array().unwrap().iter().any(|r| r["id"] == id.as_str()));
    let snap = h.call(Role::Viewer, Method::GET, &format!("/api/v1/reports/{id}"), None, None).await;
    assert_eq!(snap.status, StatusCode::OK, "{}", snap.body);
    let doc = &snap.body["document"];
    let first = doc["sections"][0].to_string();
    assert!(first.contains("Approve second supplier"), "the summary leads with the decision: {first}");
    assert!(first.contains("Supplier insolvency"), "and the red risk: {first}");
    let sources = doc["sources"].as_array().unwrap();
    let risk_id = risk.body["id"].as_str().unwrap();
    assert!(sources.iter().any(|s| s["path"] == format!("/r/risks/{risk_id}")), "{sources:?}");

    // Every format downloads; HTML is the issued HTML.
    let url = |f: &str| format!("/api/v1/reports/{id}?format={f}");
    let (status, headers, html) = h.bytes(Role::Viewer, &url("html")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers[header::CONTENT_DISPOSITION].to_str().unwrap().contains(".html"));
    assert_eq!(String::from_utf8(html.clone()).unwrap(), snap.body["html"].as_str().unwrap());
    let (_, _, md) = h.bytes(Role::Viewer, &url("md")).await;
    assert!(String::from_utf8(md).unwrap().contains("Supplier insolvency"));
    let (_, _, xlsx) = h.bytes(Role::Viewer, &url("xlsx")).await;
    assert!(xlsx.starts_with(b"PK"), "an xlsx is a zip");
    let (status, headers, pdf) = h.bytes(Role::Viewer, &url("pdf")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "application/pdf");
    assert!(pdf.starts_with(b"%PDF-"));
    assert_eq!(h.bytes(Role::Viewer, &url("docx")).await.0, StatusCode::BAD_REQUEST);

    // Issued reports never change: renaming the risk changes new reports only.
    let rid = risk.body["id"].as_str().unwrap();
    let mut changed = risk.body.clone();
    changed["title"] = json!("Supplier in administration");
    for k in ["id", "org_id", "version", "created_at", "updated_at"] {
        changed.as_object_mut().unwrap().remove(k);
    }
    let upd = h.call(Role::Contributor, Method::PUT, &format!("/api/v1/risks/{rid}"), Some(changed), Some(1)).await;
    assert_eq!(upd.status, StatusCode::OK, "{}", upd.body);
    let (_, _, html_after) = h.bytes(Role::Viewer, &url("html")).await;
    assert_eq!(html_after, html);
    let preview = h
        .call(
            Role::Viewer,
            Method::GET,
            &format!("/api/v1/reports/preview?kind=board&scope=portfolio&scope_id={pf}"),
            None,
            None,
        )
        .await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    assert!(preview.body.to_string().contains("Supplier in administration"));
}

#[tokio::test]
async fn reports_on_sqlite() {
    reports(harness().await).await;
}

#[tokio::test]
async fn reports_on_postgres() {
    let Some(url) = testing::postgres_url() else {
        eprintln!("SKIPPED: reports API on PostgreSQL (set KEEL_TEST_POSTGRES_URL to run it)");
        return;
    };
    let store = testing::fresh_postgres(&url).await.unwrap();
    reports(harness_on(store, tempfile::tempdir().unwrap()).await).await;
}

// ---- The OpenAPI document covers the router ----------------------------------------------------

const HTTP_METHODS: [&str; 8] = ["get", "post", "put", "patch", "delete", "head", "options", "trace"];

/// The `.route(PATH, METHOD(handler).METHOD(handler)...)` calls of a router's source, as
/// (path, methods). A path is a string literal, or `&base` / `&format!("{base}...")` (the
/// generic record routes), returned with `{base}` left in. Methods are the calls at the top
/// level of the second argument (`get(..)`, `.post(..)`, `axum::routing::patch(..)`); layers and
/// handlers are skipped. Panics on a form it does not know, so a new style of route cannot slip
/// past the check unseen.
fn routes_in(src: &str) -> Vec<(String, Vec<String>)> {
    fn literal(s: &[u8], i: &mut usize) -> String {
        assert_eq!(s[*i], b'"', "expected a string literal");
        let start = *i + 1;
        let end = start + s[start..].iter().position(|&c| c == b'"').expect("an unterminated string");
        *i = end + 1;
        String::from_utf8(s[start..end].to_vec()).unwrap()
    }
    let s = src.as_bytes();
    let mut out = Vec::new();
    for (at, call) in src.match_indices(".route(") {
        let mut i = at + call.len();
        while s[i].is_ascii_whitespace() {
            i += 1;
        }
        let rest = &src[i..];
        let path = if rest.starts_with('"') {
            literal(s, &mut i)
        } else if rest.starts_with("&format!(") {
            i += "&format!(".len();
            let p = literal(s, &mut i);
            assert_eq!(s[i], b')', "format! with arguments: {}", &src[at..i]);
            i += 1;
            p.replace("{{", "{").replace("}}", "}")
        } else if rest.starts_with("&base") {
            i += "&base".len();
            "{base}".to_owned()
        } else {
            panic!("a route path this test cannot read: {}", &rest[..rest.len().min(60)]);
        };
        let mut methods = Vec::new();
        let mut depth = 1;
        while depth > 0 {
            let c = s[i];
            if c == b'(' {
                depth += 1;
                i += 1;
            } else if c == b')' {
                depth -= 1;
                i += 1;
            } else if c == b'"' {
                literal(s, &mut i);
            } else if c.is_ascii_alphabetic() || c == b'_' {
                let start = i;
                while s[i].is_ascii_alphanumeric() || s[i] == b'_' {
                    i += 1;
                }
                let ident = &src[start..i];
                if depth == 1 && s[i] == b'(' && HTTP_METHODS.contains(&ident) {
                    methods.push(ident.to_owned());
                }
            } else {
                i += 1;
            }
        }
        assert!(!methods.is_empty(), "no method found for route {path}");
        out.push((path, methods));
    }
    out
}

#[tokio::test]
async fn every_routed_endpoint_is_in_the_openapi_document() {
    let api = routes_in(include_str!("../src/api/mod.rs"));
    // The scan sees one-line and multi-line routes and every method of each.
    let find = |p: &str| api.iter().find(|(path, _)| path == p).map(|(_, m)| m.join(","));
    assert_eq!(find("/report-schedules/{id}").as_deref(), Some("get,put,delete"), "{api:?}");
    assert_eq!(find("/projects/{id}/schedule/versions").as_deref(), Some("get,post"), "{api:?}");
    assert_eq!(find("/users/{id}").as_deref(), Some("patch"), "{api:?}");
    assert_eq!(find("/projects/{id}/status-draft/submit").as_deref(), Some("post"), "{api:?}");
    assert!(api.len() >= 30, "only {} routes found in api/mod.rs: {api:?}", api.len());
    let records = routes_in(include_str!("../src/api/records.rs"));
    assert_eq!(records.len(), 5, "{records:?}");

    let mut routed: Vec<(String, String)> = Vec::new();
    for (path, methods) in &api {
        routed.extend(methods.iter().map(|m| (format!("/api/v1{path}"), m.clone())));
    }
    for kind in keel_domain::EntityKind::ALL {
        for (path, methods) in &records {
            let path = path.replace("{base}", &format!("/{}", kind.slug()));
            routed.extend(methods.iter().map(|m| (format!("/api/v1{path}"), m.clone())));
        }
    }

    let h = harness().await;
    let doc = h.raw(Request::get("/api/v1/openapi.json").body(Body::empty()).unwrap()).await;
    assert_eq!(doc.status, StatusCode::OK);
    let paths = doc.body["paths"].as_object().unwrap();
    let undocumented: Vec<String> = routed
        .iter()
        .filter(|(path, method)| !paths.get(path).is_some_and(|item| item[method.as_str()].is_object()))
        .map(|(path, method)| format!("{} {path}", method.to_uppercase()))
        .collect();
    assert!(undocumented.is_empty(), "routed but not in the OpenAPI document: {undocumented:#?}");
    // And the other way: the document describes nothing that is not routed.
    let mut unrouted = Vec::new();
    for (path, item) in paths {
        for method in item.as_object().unwrap().keys().filter(|k| HTTP_METHODS.contains(&k.as_str())) {
            if !routed.iter().any(|(p, m)| p == path && m == method) {
                unrouted.push(format!("{} {path}", method.to_uppercase()));
            }
        }
    }
    assert!(unrouted.is_empty(), "in the OpenAPI document but not routed: {unrouted:#?}");
}

async fn risk_model(h: &Harness) -> Value {
    let r = h.call(Role::Viewer, Method::GET, "/api/v1/delivery-risk/model", None, None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body
}

/// A CSV plan baselined on its own computed dates, and those dates.
fn baselined_plan(csv: &str) -> (keel_engine::schedule::Schedule, keel_engine::schedule::ScheduleResult) {
    let mut plan = keel_interop::import("plan.csv", csv.as_bytes(), None).unwrap();
    let dates = keel_engine::schedule::schedule(&plan).unwrap();
    for (t, r) in plan.tasks.iter_mut().zip(&dates.tasks) {
        t.baselines = vec![keel_engine::schedule::Baseline {
            number: 0,
            start: Some(r.start),
            finish: Some(r.finish),
            duration_minutes: Some(t.duration.minutes),
            cost_minor: None,
        }];
    }
    (plan, dates)
}

/// The delivery-risk model learns from the organisation's closed projects once there are enough,
/// and each forecast run says which model it used and on what evidence.
async fn trained_delivery_risk_model(h: Harness) {
    let pf = h.portfolio().await;
    let before = risk_model(&h).await;
    assert_eq!(before["model"], "default", "{before:#}");
    assert_eq!(before["closed_projects"], 0);
    assert!(before["not_trained"].as_str().unwrap().contains("at least 20"), "{before:#}");
    let bad = h.call(Role::Viewer, Method::GET, "/api/v1/delivery-risk/model?finish_margin=-1", None, None).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);

    // 24 closed projects planned 2025-01-06 to 2025-12-15 (midpoint 2025-06-27). The late half
    // had its design milestone overdue at the midpoint and red reports before it, and went live
    // in March 2026; the other half was green and live in December. One of each breaks the pattern.
    // The late ones also spent 25% over budget, the others 2% under; again one of each breaks
    // the pattern (8 on time and over budget, 9 late and on budget).
    let mut closed = Vec::new();
    for i in 0..24 {
        let late = i % 2 == 1;
        let over = if i == 8 || i == 9 { !late } else { late };
        let cost = if over { "125000.00" } else { "98000.00" };
        let body = json!({"portfolio_id": pf, "code": format!("OLD-{i:02}"), "name": format!("Closed {i}"), "manager": "Lin",
            "stage": "closure", "tier": "light", "state": "closed", "planned_start": "2025-01-06", "planned_finish": "2025-12-15",
            "budget": {"amount": "100000.00", "currency": "GBP"}, "actual_cost": {"amount": cost, "currency": "GBP"}});
        let r = h.call(Role::Pmo, Method::POST, "/api/v1/projects", Some(body), None).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let p = r.body["id"].as_str().unwrap().to_owned();
        closed.push(p.clone());
        let (design, live) = if late { ("2025-07-15", "2026-03-16") } else { ("2025-03-28", "2025-12-10") };
        for (name, baseline, actual) in [("Design", "2025-04-01", design), ("Go-live", "2025-12-01", live)] {
            let m = json!({"project_id": p, "name": name, "baseline": baseline, "actual": actual});
            let r = h.call(Role::Contributor, Method::POST, "/api/v1/milestones", Some(m), None).await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        }
        let rag = match i {
            1 => "green",
            4 => "amber",
            _ if late => "red",
            _ => "green",
        };
        for period in ["2025-05-30", "2025-06-06"] {
            let r = h
                .call(
                    Role::Contributor,
                    Method::POST,
                    "/api/v1/status-reports",
                    Some(status_body(&p, period, rag)),
                    None,
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        }
    }
    let after = risk_model(&h).await;
    assert_eq!(after["model"], "trained", "{after:#}");
    assert_eq!(after["closed_projects"], 24);
    assert_eq!(after["examples"], 24);
    assert_eq!(after["missed"], 12);
    let auc = after["report"]["cross_validated_auc"].as_f64().unwrap();
    assert!(auc > 0.8, "the indicators separate the outcomes: cross-validated AUC {auc}");
    let overdue =
        after["features"].as_array().unwrap().iter().find(|f| f["indicator"] == "overdue_milestones").unwrap();
    assert!(overdue["coefficient"].as_f64().unwrap() > 0.0, "{after:#}");
    // The budget outcome learns from the recorded actual costs.
    assert_eq!(after["budget"]["model"], "trained", "{after:#}");
    assert_eq!(after["budget"]["examples"], 24);
    assert_eq!(after["budget"]["missed"], 12);
    let auc = after["budget"]["report"]["cross_validated_auc"].as_f64().unwrap();
    assert!(auc > 0.8, "the indicators separate the budget outcomes: cross-validated AUC {auc}");
    // No closed project had a schedule imported: no schedule indicators.
    assert_eq!(after["with_schedule"], 0);
    // A plan imported into one of them with a status date before its halfway point gives its
    // example schedule and earned-value indicators; one whose status date came later does not.
    let progressed = |status: &str| {
        let (mut plan, dates) = baselined_plan(&PLAN_CSV.replace("2026-03-02", "2025-01-06"));
        plan.tasks[0].actual_start = Some(dates.tasks[0].start);
        plan.tasks[0].percent_complete = 40.0;
        plan.projects[0].status_date = Some(format!("{status}T17:00:00").parse().unwrap());
        String::from_utf8(keel_interop::export(&plan, None, keel_interop::Format::Mspdi).unwrap()).unwrap()
    };
    let up = h.upload(Role::Pmo, &closed[0], "plan.xml", &progressed("2025-06-28")).await;
    assert_eq!(up.status, StatusCode::CREATED, "{}", up.body);
    let later = risk_model(&h).await;
    assert_eq!(later["with_schedule"], 0, "status date after the halfway day (2025-06-27): {later:#}");
    let up = h.upload(Role::Pmo, &closed[1], "plan.xml", &progressed("2025-06-27")).await;
    assert_eq!(up.status, StatusCode::CREATED, "{}", up.body);
    let now = risk_model(&h).await;
    assert_eq!(now["with_schedule"], 1, "{now:#}");
    assert_eq!(now["examples"], 24);
    // The model is kept until a project, milestone, report or schedule changes: a 25th closed
    // project (no outcome yet) shows at once.
    assert_eq!(risk_model(&h).await, now, "served again unchanged");
    let body = json!({"portfolio_id": pf, "code": "OLD-25", "name": "Closed 25", "manager": "Lin",
        "stage": "closure", "tier": "light", "state": "closed", "planned_start": "2025-01-06", "planned_finish": "2025-12-15"});
    let r = h.call(Role::Pmo, Method::POST, "/api/v1/projects", Some(body), None).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let again = risk_model(&h).await;
    assert_eq!(again["closed_projects"], 25, "{again:#}");
    assert_eq!(again["examples"], 24);
    // An actual cost beside a budget in another currency is refused, naming the field.
    let bad = json!({"portfolio_id": pf, "code": "OLD-26", "name": "Closed 26", "stage": "closure", "tier": "light",
        "state": "closed", "budget": {"amount": "10.00", "currency": "GBP"}, "actual_cost": {"amount": "9.00", "currency": "EUR"}});
    let r = h.call(Role::Pmo, Method::POST, "/api/v1/projects", Some(bad), None).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.to_string().contains("actual_cost"), "{}", r.body);

    // A live project's forecast uses it, and says so.
    let live = h.project(&pf, "LIVE").await["id"].as_str().unwrap().to_owned();
    // The plan with a baseline (its own dates), as MS Project XML, so the run makes a prediction.
    let (plan, _) = baselined_plan(PLAN_CSV);
    let xml = keel_interop::export(&plan, None, keel_interop::Format::Mspdi).unwrap();
    let xml = String::from_utf8(xml).unwrap();
    assert_eq!(h.upload(Role::ProjectManager, &live, "plan.xml", &xml).await.status, StatusCode::CREATED);
    let path = format!("/api/v1/projects/{live}/forecast/runs");
    let run =
        h.call(Role::ProjectManager, Method::POST, &path, Some(json!({"iterations": 500, "seed": 1})), None).await;
    assert_eq!(run.status, StatusCode::CREATED, "{}", run.body);
    let note = run.body["model_note"].as_str().unwrap();
    assert!(note.contains("trained on 24 closed projects (12 late"), "{note}");
    assert!(note.contains("trained on 24 closed projects with an actual cost (12 over budget"), "{note}");
    assert_eq!(run.body["prediction"]["finish"]["model"]["kind"], "trained", "{:#}", run.body);
    assert_eq!(run.body["prediction"]["budget"]["model"]["kind"], "trained", "{:#}", run.body["prediction"]);
}

#[tokio::test]
async fn trained_delivery_risk_model_on_sqlite() {
    trained_delivery_risk_model(harness().await).await;
}

#[tokio::test]
async fn trained_delivery_risk_model_on_postgres() {
    let Some(url) = testing::postgres_url() else {
        eprintln!("SKIPPED: trained delivery-risk model on PostgreSQL (set KEEL_TEST_POSTGRES_URL to run it)");
        return;
    };
    let store = testing::fresh_postgres(&url).await.unwrap();
    trained_delivery_risk_model(harness_on(store, tempfile::tempdir().unwrap()).await).await;
}
