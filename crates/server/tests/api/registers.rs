//! The registers (`/r/{kind}`) and the dashboard as tables: sorting, each filter, the risk score
//! bands, and downloads (CSV and Excel, parsed back) with exactly the page's columns and rows.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};

use super::*;

/// The header cells and body rows of the first `<table>` after `marker`, as text.
fn table_of(html: &str, marker: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let start = html.find(marker).unwrap_or_else(|| panic!("no {marker} in the page"));
    let table = &html[start..start + html[start..].find("</table>").unwrap()];
    let text = |cell: &str| {
        let mut out = String::new();
        let mut tag = false;
        for ch in cell.chars() {
            match ch {
                '<' => tag = true,
                '>' => tag = false,
                c if !tag => out.push(c),
                _ => {}
            }
        }
        out.replace("&amp;", "&")
            .replace("&#38;", "&")
            .replace("&#x27;", "'")
            .replace("&#39;", "'")
            .replace("&quot;", "\"")
            .replace("&#34;", "\"")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace(['▲', '▼'], "")
            .trim()
            .to_owned()
    };
    let cells = |row: &str, open: &str, close: &str| -> Vec<String> {
        row.split(open).skip(1).map(|c| text(&format!("<{}", &c[..c.find(close).unwrap_or(c.len())]))).collect()
    };
    let mut rows = table.split("<tr").skip(1);
    let head = cells(rows.next().unwrap(), "<th", "</th>");
    (head, rows.map(|r| cells(r, "<td", "</td>")).collect())
}

struct Page {
    status: StatusCode,
    content_type: String,
    body: Vec<u8>,
}

impl Page {
    fn html(&self) -> String {
        String::from_utf8(self.body.clone()).unwrap()
    }
}

struct Ui<'a> {
    h: &'a Harness,
    cookie: String,
}

impl Ui<'_> {
    async fn sign_in(h: &Harness) -> Ui<'_> {
        let req = Request::post("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from("username=u-pmo&password=long+enough+pw&next=/"))
            .unwrap();
        let res = h.raw(req).await;
        assert_eq!(res.status, StatusCode::SEE_OTHER);
        let cookie = res.headers[header::SET_COOKIE].to_str().unwrap().split(';').next().unwrap().to_owned();
        Ui { h, cookie }
    }

    async fn get(&self, uri: &str) -> Page {
        let req = Request::get(uri).header(header::COOKIE, &self.cookie).body(Body::empty()).unwrap();
        let res = self.h.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let content_type =
            res.headers().get(header::CONTENT_TYPE).map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
        Page { status, content_type, body: res.into_body().collect().await.unwrap().to_bytes().to_vec() }
    }

    /// The register's table: headings and rows.
    async fn register(&self, uri: &str) -> (Vec<String>, Vec<Vec<String>>) {
        let page = self.get(uri).await;
        assert_eq!(page.status, StatusCode::OK, "{uri}: {}", page.html());
        table_of(&page.html(), "<table class=\"grid register\"")
    }
}

fn csv_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(bytes)
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

fn xlsx_rows(bytes: Vec<u8>) -> Vec<Vec<Data>> {
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
    let sheet = book.sheet_names()[0].clone();
    book.worksheet_range(&sheet).unwrap().rows().map(<[Data]>::to_vec).collect()
}

fn column(rows: &[Vec<String>], head: &[String], name: &str) -> Vec<String> {
    let i = head.iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name} in {head:?}"));
    rows.iter().map(|r| r[i].clone()).collect()
}

fn scores(rows: &[Vec<String>], head: &[String]) -> Vec<u32> {
    column(rows, head, "Score").iter().map(|s| s.parse().unwrap()).collect()
}

struct Org {
    a: String,
    b: String,
    programme: String,
    a1: String,
    a2: String,
    b1: String,
}

async fn post(h: &Harness, uri: &str, body: Value) -> String {
    let r = h.call(Role::Pmo, Method::POST, uri, Some(body), None).await;
    assert_eq!(r.status, StatusCode::CREATED, "{uri}: {}", r.body);
    r.body["id"].as_str().unwrap().to_owned()
}

/// Two portfolios; a programme in A; projects A1 (in the programme), A2, B1; six risks that all
/// share a title, with scores 25, 4, 12, 9 (A) and 16, 3 (B).
async fn seed(h: &Harness) -> Org {
    let pf = |code: &str| json!({"code": code, "name": format!("Portfolio {code}"), "stage": "delivery", "tier": "standard", "state": "active"});
    let a = post(h, "/api/v1/portfolios", pf("PA")).await;
    let b = post(h, "/api/v1/portfolios", pf("PB")).await;
    let programme = post(h, "/api/v1/programmes", json!({"portfolio_id": a, "code": "PROG", "name": "Reporting", "stage": "delivery", "tier": "standard", "state": "active"})).await;
    let project = |pf: &str, prog: Option<&str>, code: &str, manager: &str, budget: &str| json!({"portfolio_id": pf, "programme_id": prog, "code": code, "name": format!("Project {code}"), "manager": manager, "stage": "delivery", "tier": "standard", "state": "active", "budget": {"amount": budget, "currency": "GBP"}});
    let a1 = post(h, "/api/v1/projects", project(&a, Some(&programme), "A-1", "Lin", "300000")).await;
    let a2 = post(h, "/api/v1/projects", project(&a, None, "A-2", "Kim", "100000")).await;
    let b1 = post(h, "/api/v1/projects", project(&b, None, "B-1", "Max", "200000")).await;
    for (p, prob, imp, owner, state) in [
        (&a1, 5, 5, "Ann", "open"),
        (&a1, 2, 2, "Bo", "closed"),
        (&a2, 3, 4, "Ann", "open"),
        (&a2, 3, 3, "Bo", "open"),
        (&b1, 4, 4, "Bo", "open"),
        (&b1, 1, 3, "Ann", "open"),
    ] {
        post(h, "/api/v1/risks", json!({"project_id": p, "title": "Build or buy the reporting component", "probability": prob, "impact": imp, "owner": owner, "response": "reduce", "state": state, "proximity": "2027-03-31"})).await;
    }
    Org { a, b, programme, a1, a2, b1 }
}

async fn registers(h: Harness) {
    let o = seed(&h).await;
    let ui = Ui::sign_in(&h).await;

    // The columns a person scans for, the title once, the project and programme named.
    let (head, rows) = ui.register("/r/risks").await;
    assert_eq!(head, ["Risk", "Project", "Programme", "Owner", "Category", "Score", "Response", "Proximity", "State"]);
    assert_eq!(rows.len(), 6);
    let projects = column(&rows, &head, "Project");
    assert!(
        projects.iter().all(|p| p.starts_with("A-1 ") || p.starts_with("A-2 ") || p.starts_with("B-1 ")),
        "{projects:?}"
    );
    let programmes = column(&rows, &head, "Programme");
    for (p, g) in projects.iter().zip(&programmes) {
        assert_eq!(g == "PROG Reporting", p.starts_with("A-1 "), "{p} / {g}");
    }
    assert_eq!(scores(&rows, &head), [25, 16, 12, 9, 4, 3], "risks default to the highest score first");
    assert!(column(&rows, &head, "Proximity").iter().all(|d| d == "31 Mar 2027"));
    assert!(column(&rows, &head, "State").iter().all(|s| s == "Open" || s == "Closed"), "labels, not wire names");

    // Sorting, both ways, by a column of the record and by the project's code.
    let (head, rows) = ui.register("/r/risks?sort=score&dir=asc").await;
    assert_eq!(scores(&rows, &head), [3, 4, 9, 12, 16, 25]);
    let (head, rows) = ui.register("/r/risks?sort=project.code&dir=desc").await;
    let codes: Vec<String> = column(&rows, &head, "Project").iter().map(|p| p[..3].to_owned()).collect();
    assert_eq!(codes, ["B-1", "B-1", "A-2", "A-2", "A-1", "A-1"]);
    // The heading of the sorted column links to the other direction; the others sort ascending.
    let html = ui.get("/r/risks?sort=owner&dir=asc").await.html().replace("&#38;", "&").replace("&amp;", "&");
    assert!(html.contains("\"/r/risks?sort=owner&dir=desc\""), "the Owner heading reverses the order");
    assert!(html.contains("\"/r/risks?sort=score&dir=asc\""));

    // Each filter.
    let cases: Vec<(String, Vec<u32>)> = vec![
        (format!("portfolio={}", o.a), vec![25, 12, 9, 4]),
        (format!("programme={}", o.programme), vec![25, 4]),
        (format!("project={}", o.b1), vec![16, 3]),
        ("owner=Ann".into(), vec![25, 12, 3]),
        ("state=closed".into(), vec![4]),
        ("band=low".into(), vec![4, 3]),
        ("band=medium".into(), vec![12, 9]),
        ("band=high".into(), vec![25, 16]),
        (format!("portfolio={}&band=high&owner=Ann", o.a), vec![25]),
        ("q=BUILD".into(), vec![25, 16, 12, 9, 4, 3]),
        ("q=nothing-like-this".into(), vec![]),
    ];
    for (query, want) in &cases {
        let (head, rows) = ui.register(&format!("/r/risks?{query}")).await;
        assert_eq!(&scores(&rows, &head), want, "{query}");
    }
    // A filter that cannot apply, or a value that is not in the vocabulary, is refused.
    for bad in ["sort=body", "dir=up", "band=extreme", "state=maybe", "portfolio=nope"] {
        assert_eq!(ui.get(&format!("/r/risks?{bad}")).await.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    }
    assert_eq!(ui.get("/r/issues?band=high").await.status, StatusCode::UNPROCESSABLE_ENTITY);

    // The programme and project choices follow the chosen portfolio.
    let html = ui.get(&format!("/r/risks?portfolio={}", o.b)).await.html();
    let select = |name: &str| {
        let at = html.find(&format!("<select name=\"{name}\"")).unwrap();
        html[at..at + html[at..].find("</select>").unwrap()].to_owned()
    };
    assert!(!select("programme").contains(&o.programme), "programme of another portfolio offered");
    assert!(select("project").contains(&o.b1) && !select("project").contains(&o.a1));
    let html = ui.get(&format!("/r/risks?portfolio={}", o.a)).await.html();
    let at = html.find("<select name=\"programme\"").unwrap();
    assert!(html[at..].contains(&o.programme));

    // Paging keeps the filters and the order.
    let all: Vec<Vec<String>> = ui.register("/r/risks?sort=score&dir=asc").await.1;
    assert_eq!(all.len(), 6);

    // Downloads: the page's columns and rows, under the same filters and order.
    let query = format!("portfolio={}&sort=score&dir=asc", o.a);
    let (head, rows) = ui.register(&format!("/r/risks?{query}")).await;
    let csv = ui.get(&format!("/r/risks?{query}&format=csv")).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.content_type.starts_with("text/csv"), "{}", csv.content_type);
    let lines = csv_rows(&csv.body);
    assert_eq!(lines[0], head);
    assert_eq!(lines[1..].to_vec(), rows);
    let xlsx = ui.get(&format!("/r/risks?{query}&format=xlsx")).await;
    assert_eq!(xlsx.status, StatusCode::OK);
    let sheet = xlsx_rows(xlsx.body);
    let heading: Vec<String> = sheet[0].iter().map(ToString::to_string).collect();
    assert_eq!(heading, head);
    assert_eq!(sheet.len(), rows.len() + 1);
    let score = head.iter().position(|h| h == "Score").unwrap();
    let proximity = head.iter().position(|h| h == "Proximity").unwrap();
    let project = head.iter().position(|h| h == "Project").unwrap();
    for (cells, row) in sheet[1..].iter().zip(&rows) {
        assert_eq!(cells[score], Data::Float(row[score].parse().unwrap()), "scores are numbers");
        assert!(matches!(cells[proximity], Data::DateTime(_)), "dates are dates: {:?}", cells[proximity]);
        assert_eq!(cells[project].to_string(), row[project]);
    }

    // The same register through the REST API, filtered through the project's portfolio.
    let (status, _, body) =
        h.bytes(Role::Viewer, &format!("/api/v1/risks/export.csv?project.portfolio_id={}&sort=-score", o.a)).await;
    assert_eq!(status, StatusCode::OK);
    let lines = csv_rows(&body);
    assert_eq!(lines[0], head);
    assert_eq!(scores(&lines[1..], &head), [25, 12, 9, 4]);
    let listed = h
        .call(
            Role::Viewer,
            Method::GET,
            &format!("/api/v1/risks?project.portfolio_id={}&sort=project.code", o.b),
            None,
            None,
        )
        .await;
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 2, "{}", listed.body);

    // Every register is a table whose title links to the record, with no repeated column.
    for kind in keel_domain::EntityKind::ALL {
        let (head, rows) = ui.register(&format!("/r/{}", kind.slug())).await;
        let mut unique = head.clone();
        unique.dedup();
        assert_eq!(unique, head, "{}", kind.slug());
        assert!(!head.contains(&"Record".to_owned()));
        let csv = csv_rows(&ui.get(&format!("/r/{}?format=csv", kind.slug())).await.body);
        assert_eq!(csv[0], head, "{}", kind.slug());
        assert_eq!(csv.len() - 1, rows.len(), "{}", kind.slug());
    }
    let (head, rows) = ui.register(&format!("/r/projects?portfolio={}&sort=budget_minor&dir=desc", o.a)).await;
    assert_eq!(column(&rows, &head, "Project"), ["A-1 Project A-1", "A-2 Project A-2"]);
    assert_eq!(column(&rows, &head, "Budget"), ["GBP 300,000", "GBP 100,000"]);
    assert_eq!(column(&rows, &head, "Programme"), ["PROG Reporting", ""]);

    // The dashboard: sortable columns, downloads of the rows as shown, programme choices of the
    // chosen portfolio only.
    let ui = &ui;
    let dash = |uri: String| async move {
        let page = ui.get(&uri).await;
        assert_eq!(page.status, StatusCode::OK);
        table_of(&page.html(), "<table class=\"grid\" id=\"projects\"")
    };
    let (head, rows) = dash("/?sort=budget&dir=desc".into()).await;
    let codes: Vec<String> = column(&rows, &head, "Project").iter().map(|p| p[..3].to_owned()).collect();
    assert_eq!(codes, ["A-1", "B-1", "A-2"]);
    let (_, rows) = dash("/?sort=project&dir=desc".into()).await;
    assert!(rows[0][1].starts_with("B-1"));
    let csv = csv_rows(&ui.get("/?sort=budget&dir=desc&format=csv").await.body);
    assert_eq!(csv[0], head);
    assert_eq!(column(&csv[1..], &head, "Budget"), ["GBP 300,000", "GBP 200,000", "GBP 100,000"]);
    let (_, shown) = dash("/?sort=budget&dir=desc".into()).await;
    for name in ["RAG", "Project", "Portfolio / programme", "Manager", "Stage", "Next milestone", "Due", "Budget"] {
        assert_eq!(column(&csv[1..], &head, name), column(&shown, &head, name), "{name}");
    }
    let sheet = xlsx_rows(ui.get("/?sort=budget&dir=desc&format=xlsx").await.body);
    let budget = head.iter().position(|h| h == "Budget").unwrap();
    assert_eq!(sheet[1][budget], Data::Float(300_000.0), "money is a number in Excel");
    let html = ui.get(&format!("/?portfolio={}", o.b)).await.html();
    let at = html.find("<select name=\"programme\"").unwrap();
    let programmes = &html[at..at + html[at..].find("</select>").unwrap()];
    assert!(!programmes.contains(&o.programme), "the programme filter lists only the chosen portfolio's");
    let _ = o.a2;
}

#[tokio::test]
async fn registers_on_sqlite() {
    registers(harness().await).await;
}

#[tokio::test]
async fn registers_on_postgres() {
    let Some(url) = testing::postgres_url() else {
        eprintln!("SKIPPED: register pages on PostgreSQL (set KEEL_TEST_POSTGRES_URL to run it)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    registers(harness_on(testing::fresh_postgres(&url).await.unwrap(), dir).await).await;
}
