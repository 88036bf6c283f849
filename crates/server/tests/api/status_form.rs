//! The status report form offers the period a report submitted today covers (ending today, so
//! views and reports made today include it) and says so when that period is already reported.

use axum::http::{Method, StatusCode};
use keel_domain::Role;

use super::{harness, status_body};

#[tokio::test]
async fn the_status_form_offers_today_and_names_a_period_already_reported() {
    let h = harness().await;
    let pf = h.portfolio().await;
    let p = h.project(&pf, "STA").await;
    let pid = p["id"].as_str().unwrap();
    let today = h.app.today().to_string();
    let b = h.browser(Role::ProjectManager).await;
    let form = h.ok_page(&b, &format!("/r/status-reports/new?project_id={pid}")).await;
    assert!(form.contains(&format!("name=\"period_end\" value=\"{today}\"")), "the period ends today: {form}");
    assert!(!form.contains("already submitted"));

    let r = h
        .call(
            Role::ProjectManager,
            Method::POST,
            "/api/v1/status-reports",
            Some(status_body(pid, &today, "amber")),
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let form = h.ok_page(&b, &format!("/r/status-reports/new?project_id={pid}")).await;
    assert!(form.contains(&format!("for the period ending {today} was already submitted")), "{form}");
}
