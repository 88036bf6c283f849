//! One number, one computation: on the demo organisation, each risk figure shown in more than one
//! place (the forecasts page, the REST API and the board pack) is the same everywhere. The pages
//! and the pack are read as a person sees them (their HTML), the API as a client does (JSON).

use std::collections::BTreeMap;

use keel_app::demo::DemoOptions;
use keel_domain::Role;

use super::{Harness, harness};

/// `(probability, impact) -> open risks` from the heat-map cells' titles of a page or report.
fn heat_cells(html: &str) -> BTreeMap<(u64, u64), u64> {
    let mut out = BTreeMap::new();
    for part in html.split("<title>Probability ").skip(1) {
        let Some((text, _)) = part.split_once("</title>") else { continue };
        // "3, impact 4: 25 open risks"
        let nums: Vec<u64> = text
            .split(|c: char| !c.is_ascii_digit())
            .filter(|s| !s.is_empty())
            .map(|s| s.parse().expect("a number"))
            .collect();
        if let [p, i, n, ..] = nums[..] {
            out.insert((p, i), n);
        }
    }
    out
}

/// The first number after `marker` in `html`.
fn number_after(html: &str, marker: &str) -> u64 {
    let rest = &html[html.find(marker).unwrap_or_else(|| panic!("`{marker}` is on the page")) + marker.len()..];
    let digits: String =
        rest.trim_start_matches(|c: char| !c.is_ascii_digit()).chars().take_while(char::is_ascii_digit).collect();
    digits.parse().expect("a number")
}

async fn demo(h: &Harness) {
    let opts = DemoOptions { projects: 24, weeks_of_history: 8, schedules: 2, ..DemoOptions::default() };
    h.app.load_demo(&opts).await.unwrap().expect("the demo loads into an empty organisation");
}

#[tokio::test]
async fn risk_figures_agree_on_the_forecasts_page_the_api_and_the_board_pack() {
    let h = harness().await;
    demo(&h).await;
    let b = h.browser(Role::Viewer).await;

    // The API.
    let api = h.call(Role::Viewer, axum::http::Method::GET, "/api/v1/risks/exposure", None, None).await;
    assert_eq!(api.status, axum::http::StatusCode::OK, "{}", api.body);
    let mut api_cells = BTreeMap::new();
    for c in api.body["heat_map"]["cells"].as_array().unwrap() {
        let n = c["count"].as_u64().unwrap();
        if n > 0 {
            api_cells.insert((c["probability"].as_u64().unwrap(), c["impact"].as_u64().unwrap()), n);
        }
    }
    let total = &api.body["total"][0];
    let (open, red) = (total["open"].as_u64().unwrap(), total["bands"]["red"].as_u64().unwrap());
    assert!(open > 10 && red > 0, "the demo has open and red risks: {total}");
    assert_eq!(api_cells.values().sum::<u64>(), open, "every open risk sits in one heat-map cell");

    // The forecasts page: its heat map, its headline and the last point of its trend.
    let page = h.ok_page(&b, "/forecasts").await;
    let page_cells: BTreeMap<_, _> = heat_cells(&page).into_iter().filter(|(_, n)| *n > 0).collect();
    assert_eq!(page_cells, api_cells, "the page's heat map is the API's");
    assert_eq!(number_after(&page, "<p id=\"exposure-total\"><strong>"), open);
    assert_eq!(number_after(&page, "open risks ("), red);
    let trend = api.body["trend"][0]["points"].as_array().unwrap();
    let last = trend.last().unwrap();
    assert_eq!(
        (last["open"].as_u64(), last["bands"]["red"].as_u64()),
        (Some(open), Some(red)),
        "the trend ends on the headline"
    );
    assert!(
        trend.iter().any(|p| p["open"].as_u64().unwrap() > 0 && p != last),
        "the demo's risks have a history before today: {trend:?}"
    );

    // The board pack, as previewed (HTML) and as its document (JSON).
    let (status, pack) = h.page(&b, "/api/v1/reports/preview?kind=board&audience=executive&format=html").await;
    assert_eq!(status, axum::http::StatusCode::OK, "{pack}");
    let pack_cells: BTreeMap<_, _> = heat_cells(&pack).into_iter().filter(|(_, n)| *n > 0).collect();
    assert_eq!(pack_cells, api_cells, "the board pack's heat map is the API's");
}
