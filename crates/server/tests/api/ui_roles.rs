//! The web pages offer each role exactly the actions the role table lets it take: for every role,
//! the project page, a record list, a record page, the schedule, forecast and reports pages are
//! rendered in-process and searched for each action's link or form. The expectation comes from
//! `keel_domain::roles`, the table the application layer enforces.

use axum::{
    body::Body,
    http::{Method, Request, StatusCode, header},
};
use http_body_util::BodyExt;
use keel_domain::{Action, EntityKind, Role, roles::Op};
use serde_json::json;
use tower::ServiceExt;

use super::{Harness, PLAN_CSV, harness};

/// A signed-in browser session of one role.
pub(super) struct Browser {
    cookie: String,
}

impl Harness {
    pub(super) async fn browser(&self, role: Role) -> Browser {
        let out = self.app.login(&format!("u-{}", role.as_str()), "long enough pw", "ui-test").await.unwrap();
        Browser { cookie: format!("{}={}", keel_server::auth::SESSION_COOKIE, out.secret) }
    }

    pub(super) async fn page(&self, b: &Browser, uri: &str) -> (StatusCode, String) {
        let req = Request::builder()
            .method(Method::GET)
            .uri(uri)
            .header(header::COOKIE, &b.cookie)
            .body(Body::empty())
            .unwrap();
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        (status, String::from_utf8_lossy(&res.into_body().collect().await.unwrap().to_bytes()).into_owned())
    }

    pub(super) async fn ok_page(&self, b: &Browser, uri: &str) -> String {
        let (status, html) = self.page(b, uri).await;
        assert_eq!(status, StatusCode::OK, "GET {uri}: {html}");
        assert!(!html.contains("style="), "GET {uri} carries an inline style, which the CSP refuses");
        html
    }
}

/// Asserts that `html` offers `needle` exactly when `may` says so.
fn offers(html: &str, needle: &str, may: bool, role: Role, page: &str) {
    assert_eq!(
        html.contains(needle),
        may,
        "{} {} `{needle}` on {page}",
        role.label(),
        if may { "is not offered" } else { "is offered" }
    );
}

fn may(role: Role, kind: EntityKind, op: Op) -> bool {
    role.allows(Action::for_record(kind, op))
}

const PROJECT_CHILDREN: [EntityKind; 7] = [
    EntityKind::StatusReport,
    EntityKind::Milestone,
    EntityKind::Risk,
    EntityKind::Issue,
    EntityKind::Assumption,
    EntityKind::Dependency,
    EntityKind::Decision,
];

#[tokio::test]
async fn every_page_offers_each_role_exactly_its_actions() {
    let h = harness().await;
    let pf = h.portfolio().await;
    let p = h.project(&pf, "ROLE").await;
    let pid = p["id"].as_str().unwrap();
    let risk = h
        .call(
            Role::Pmo,
            Method::POST,
            "/api/v1/risks",
            Some(json!({"project_id": pid, "title": "Supplier slips", "probability": 3, "impact": 4, "response": "reduce", "state": "open"})),
            None,
        )
        .await;
    assert_eq!(risk.status, StatusCode::CREATED, "{}", risk.body);
    let risk_id = risk.body["id"].as_str().unwrap();
    assert_eq!(h.upload(Role::Pmo, pid, "plan.csv", PLAN_CSV).await.status, StatusCode::CREATED);

    for role in Role::ALL.iter().copied() {
        let b = h.browser(role).await;

        let page = "the dashboard";
        let html = h.ok_page(&b, "/").await;
        offers(&html, r#"href="/r/projects/new""#, may(role, EntityKind::Project, Op::Create), role, page);
        offers(&html, r#"href="/admin/users""#, role.allows(Action::ManageUsers), role, page);

        let page = "the project page";
        let html = h.ok_page(&b, &format!("/projects/{pid}")).await;
        for kind in PROJECT_CHILDREN {
            let link = format!(r#"href="/r/{}/new?project_id={pid}""#, kind.slug());
            offers(&html, &link, may(role, kind, Op::Create), role, page);
        }
        offers(
            &html,
            &format!(r#"href="/r/projects/{pid}/edit""#),
            may(role, EntityKind::Project, Op::Update),
            role,
            page,
        );
        offers(
            &html,
            &format!(r#"href="/projects/{pid}/status-draft""#),
            role.allows(Action::SubmitStatus),
            role,
            page,
        );

        for kind in [EntityKind::Portfolio, EntityKind::Project, EntityKind::Risk, EntityKind::Decision] {
            let page = format!("the {} list", kind.label());
            let html = h.ok_page(&b, &format!("/r/{}", kind.slug())).await;
            offers(&html, &format!(r#"href="/r/{}/new""#, kind.slug()), may(role, kind, Op::Create), role, &page);
        }

        for (kind, id) in
            [(EntityKind::Project, pid), (EntityKind::Risk, risk_id), (EntityKind::Portfolio, pf.as_str())]
        {
            let page = format!("the {} page", kind.label());
            let html = h.ok_page(&b, &format!("/r/{}/{id}", kind.slug())).await;
            let slug = kind.slug();
            offers(&html, &format!(r#"href="/r/{slug}/{id}/edit""#), may(role, kind, Op::Update), role, &page);
            offers(&html, &format!(r#"action="/r/{slug}/{id}/delete""#), may(role, kind, Op::Delete), role, &page);
            // The edit form itself: refused up front, in words, to a role that may not edit.
            let (status, edit) = h.page(&b, &format!("/r/{slug}/{id}/edit")).await;
            if may(role, kind, Op::Update) {
                assert_eq!(status, StatusCode::OK, "{edit}");
            } else {
                assert_eq!(status, StatusCode::FORBIDDEN);
                assert!(edit.contains("You may not do this"), "{edit}");
                assert!(edit.contains(&format!("The {} role may not", role.label())), "{edit}");
                assert!(
                    edit.contains(r#"<link rel="stylesheet" href="/static/keel.css">"#),
                    "the error is a site page"
                );
            }
        }

        let page = "the schedule page";
        let html = h.ok_page(&b, &format!("/projects/{pid}/schedule")).await;
        offers(&html, &format!(r#"action="/projects/{pid}/schedule""#), role.allows(Action::EditProjects), role, page);
        assert!(html.contains(r#"class="lvl-1""#), "the outline level is a stylesheet class");

        let page = "the forecast page";
        let html = h.ok_page(&b, &format!("/projects/{pid}/forecast")).await;
        for action in ["forecast", "forecast/settings", "forecast/delivery"] {
            let form = format!(r#"action="/projects/{pid}/{action}""#);
            offers(&html, &form, role.allows(Action::EditProjects), role, page);
        }

        let page = "the reports page";
        let html = h.ok_page(&b, "/reports").await;
        offers(&html, r#"action="/reports/schedules""#, role.allows(Action::ManagePortfolios), role, page);

        let (status, html) = h.page(&b, &format!("/projects/{pid}/status-draft")).await;
        if role.allows(Action::SubmitStatus) {
            assert_eq!(status, StatusCode::OK, "{html}");
        } else {
            assert_eq!(status, StatusCode::FORBIDDEN, "{html}");
        }
    }
}

#[tokio::test]
async fn a_new_user_gets_the_least_powerful_role_unless_the_admin_picks_another() {
    let h = harness().await;
    let b = h.browser(Role::Admin).await;
    let html = h.ok_page(&b, "/admin/users").await;
    let form = &html[html.find(r#"action="/admin/users">"#).unwrap()..];
    let selected: Vec<&str> = form.split("<option ").filter(|o| o.contains(" selected>")).collect();
    assert_eq!(selected.len(), 1, "{form}");
    assert!(selected[0].starts_with(r#"value="viewer""#), "{}", selected[0]);
}

#[tokio::test]
async fn the_favicon_is_served_and_linked() {
    let h = harness().await;
    let res =
        h.router.clone().oneshot(Request::builder().uri("/favicon.ico").body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()[header::CONTENT_TYPE], "image/svg+xml");
    let b = h.browser(Role::Viewer).await;
    let html = h.ok_page(&b, "/").await;
    assert!(html.contains(r#"<link rel="icon" href="/static/favicon.svg""#));
    let (status, svg) = h.page(&b, "/static/favicon.svg").await;
    assert_eq!(status, StatusCode::OK);
    assert!(svg.starts_with("<svg"));
}
