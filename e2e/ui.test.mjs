// Sign in, open the dashboard, submit a status report, see the RAG change and the audit entry:
// what a project manager does, in a real headless Chromium against a real `keel serve --demo`.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { PASSWORD, TODAY_MS, launchBrowser, startKeel } from "./keel.mjs";

const OUT = new URL("./out/", import.meta.url).pathname;

let keel;
let base;
let browser;

before(async () => {
  keel = await startKeel();
  base = keel.base;
  browser = await launchBrowser();
  mkdirSync(OUT, { recursive: true });
});

after(async () => {
  await browser?.close();
  keel?.stop();
});

test("a project manager signs in, submits a red status report and sees the RAG and the audit trail change", async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(`${base}/`);
  assert.match(page.url(), /\/login/, "the dashboard asks for sign-in");
  await page.fill("input[name=username]", "admin");
  await page.fill("input[name=password]", PASSWORD);
  await page.click("button[type=submit]");
  await page.waitForSelector("h1:has-text('Portfolio dashboard')");
  await page.screenshot({ path: join(OUT, "dashboard.png"), fullPage: false });

  // Pick a project whose latest report is green.
  const greenRow = page.locator("#projects tbody tr").filter({ has: page.locator(".rag.green") }).first();
  const link = greenRow.locator("td:nth-child(2) a");
  const code = (await link.locator("strong").textContent()).trim();
  await link.click();
  await page.waitForSelector("#submit-status");
  assert.equal((await page.locator("h1 .rag").textContent()).trim(), "Green");

  await page.click("#submit-status");
  await page.waitForSelector("form.record-form");
  await page.selectOption("select[name=overall]", "red");
  await page.selectOption("select[name=schedule]", "red");
  await page.fill("textarea[name=summary]", "Supplier insolvency: the integration build has stopped.");
  await page.fill("textarea[name=decisions_needed]", "Approve a switch to the second-ranked supplier.");
  await page.click("form.record-form button[type=submit]");

  // Back on the project page: the RAG is now red, the report leads the history, the audit shows it.
  await page.waitForSelector("#submit-status");
  assert.equal((await page.locator("h1 .rag").textContent()).trim(), "Red");
  assert.match(await page.locator("#status .latest").textContent(), /Supplier insolvency/);
  const audit = await page.locator("#audit table").textContent();
  assert.match(audit, /create\s+status report/);
  await page.screenshot({ path: join(OUT, "project.png"), fullPage: false });

  // The dashboard's red filter now lists the project.
  await page.goto(`${base}/?rag=red`);
  const codes = await page.locator("#projects tbody tr td:nth-child(2) strong").allTextContents();
  assert.ok(codes.includes(code), `${code} is among the red projects: ${codes}`);
});

test("a form with a bad value keeps the input and names the field", async () => {
  const page = await browser.newPage();
  await page.goto(`${base}/login`);
  await page.fill("input[name=username]", "admin");
  await page.fill("input[name=password]", PASSWORD);
  await page.click("button[type=submit]");
  await page.goto(`${base}/r/risks/new`);
  await page.fill("input[name=title]", "Key supplier may fail");
  await page.fill("input[name=probability]", "9");
  await page.click("form.record-form button[type=submit]");
  const error = await page.locator(".field.invalid .error-text").first().textContent();
  assert.match(error, /out of range: expected 1 to 5/);
  assert.equal(await page.inputValue("input[name=title]"), "Key supplier may fail");
});

test("a PMO analyst records a project's actual cost and reads it against the budget", async () => {
  const page = await browser.newPage();
  await page.goto(`${base}/login`);
  await page.fill("input[name=username]", "admin");
  await page.fill("input[name=password]", PASSWORD);
  await page.click("button[type=submit]");
  await page.waitForSelector("#projects tbody tr");
  const href = await page.locator("#projects tbody tr td:nth-child(2) a").first().getAttribute("href");
  const id = href.match(/\/projects\/([^/?#]+)/)[1];
  await page.goto(`${base}/r/projects/${id}/edit`);
  const budget = Number((await page.inputValue("input[name='budget.amount']")).replace(/,/g, ""));
  const currency = await page.inputValue("input[name='budget.currency']");
  // 12.5% over budget, in the budget's currency.
  await page.fill("input[name='actual_cost.amount']", (budget * 1.125).toFixed(2));
  await page.fill("input[name='actual_cost.currency']", currency);
  await page.click("form.record-form button[type=submit]");
  await page.waitForLoadState();
  await page.goto(`${base}/projects/${id}`);
  const shown = await page.locator("#actual-cost").textContent();
  assert.match(shown, new RegExp(`^${currency} `));
  assert.match(shown, /\(\+12\.5% against budget\)/);
});

test("a project manager imports a schedule and reads its Gantt chart, quality report and versions", async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(`${base}/login`);
  await page.fill("input[name=username]", "admin");
  await page.fill("input[name=password]", PASSWORD);
  await page.click("button[type=submit]");
  await page.waitForSelector("h1:has-text('Portfolio dashboard')");
  // The last project on the dashboard: the first may be one the demo's plans link to others, and
  // this plan lacks their milestones (the integrated schedule would then leave those links out).
  await page.locator("#projects tbody tr td:nth-child(2) a").last().click();
  await page.click("#open-schedule");
  await page.waitForSelector("#upload-schedule");

  // Dates worked out by hand: Design 2-6 Mar, Build 9-20 Mar, Test 25-27 Mar (2-day lag), Go-live 27 Mar 17:00.
  const csv = "id,name,duration,predecessors,start\n1,Design,5d,,2026-03-02 08:00\n2,Build,10d,1,\n3,Test,3d,2FS+2d,\n4,Docs,4d,1SS+1d,\n5,Go-live,0d,3;4,\n";
  await page.setInputFiles("#schedule-file", { name: "plan.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
  // At a pinned today a year on, this March 2026 plan is from another time for the project: keep its dates.
  await page.check("input[name=dates][value=keep]");
  await page.click("#upload-schedule");
  await page.waitForSelector("#flash");
  // The demo may already have given this project a schedule: the upload is the next version.
  const version = Number((await page.locator("#flash").textContent()).match(/version (\d+)/)[1]);
  assert.ok(version >= 1);
  assert.equal((await page.locator("#schedule-finish").textContent()).trim(), "2026-03-27 17:00");
  assert.equal(await page.locator("svg.gantt rect.bar.crit").count(), 3, "Design, Build and Test are critical");
  assert.equal(await page.locator("svg.gantt path.milestone").count(), 1);
  assert.equal(await page.locator(".gantt-table tbody tr").count(), 5);
  assert.equal(await page.locator("#quality tbody tr").count(), 14);
  await page.screenshot({ path: join(OUT, "schedule.png"), fullPage: false });

  // Zoom out to months: the chart is redrawn narrower, still with every bar.
  const dayWidth = Number(await page.locator("svg.gantt").getAttribute("width"));
  await page.click("#gantt .zoom a:has-text('month')");
  await page.waitForSelector("#gantt .zoom strong:has-text('month')");
  const monthWidth = Number(await page.locator("svg.gantt").getAttribute("width"));
  assert.ok(monthWidth < dayWidth, `month zoom (${monthWidth}px) is narrower than day zoom (${dayWidth}px)`);
  assert.equal(await page.locator("svg.gantt g.task").count(), 5);
  assert.equal(await page.locator("#versions tbody tr").count(), version, "every version is kept");
});

test("a PMO lead runs a project forecast, reads its distribution, drivers and reasons, and sees the portfolio view", async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(`${base}/login`);
  await page.fill("input[name=username]", "admin");
  await page.fill("input[name=password]", PASSWORD);
  await page.click("button[type=submit]");
  await page.waitForSelector("h1:has-text('Portfolio dashboard')");

  // The demo's scheduled projects were forecast when their plans were imported.
  await page.click("nav a:has-text('Forecasts')");
  await page.waitForSelector("#forecast-table");
  const rows = page.locator("#forecast-table tr.forecast-row");
  assert.ok((await rows.count()) >= 1, "at least one project has a forecast");
  assert.ok((await page.locator("#heat-map rect").count()) === 25, "a 5 x 5 heat map");
  // The demo links scheduled projects: they are computed as one network, and one supplier drives.
  assert.ok((await page.locator("#integrated-projects tr.integrated-project").count()) >= 2, "linked projects in one network");
  assert.ok((await page.locator("#integrated-links tr.integrated-link strong.critical-flag").count()) >= 1, "a dependency drives");
  assert.match(await page.locator("#integrated-projects tr.late").first().textContent(), /Shared platform release/);
  await page.screenshot({ path: join(OUT, "forecasts.png"), fullPage: false });

  // Open the riskiest project's forecast whose P50 and P80 differ (on some days of the demo the
  // riskiest plan is all but done and has a single finish) and run it again with a chosen seed.
  let open = rows.first();
  for (let i = 0; i < (await rows.count()); i++) {
    const r = rows.nth(i);
    if ((await r.locator("td:nth-child(3)").textContent()) !== (await r.locator("td:nth-child(4)").textContent())) {
      open = r;
      break;
    }
  }
  await open.locator("td a").first().click();
  await page.waitForSelector("#run-forecast");
  const before = await page.locator("#history tbody tr").count();
  await page.fill("input[name=iterations]", "2000");
  await page.fill("form.upload input[name=seed]", "42");
  await page.click("#run-forecast");
  await page.waitForSelector("#flash");
  assert.equal(await page.locator("#history tbody tr").count(), before + 1, "the run is kept");
  assert.match(await page.locator(".page-head .muted").textContent(), /2000 iterations, seed 42/);
  assert.match(await page.locator("#p-dates").textContent(), /\d{4}-\d{2}-\d{2} \/ \d{4}-\d{2}-\d{2} \/ \d{4}-\d{2}-\d{2}/);
  assert.ok((await page.locator("#finish-distribution rect.bin").count()) > 1, "a histogram");
  assert.equal(await page.locator("#finish-distribution path.cdf").count(), 1, "a cumulative curve");
  assert.ok((await page.locator("#tornado rect.driver").count()) >= 1, "a tornado");
  assert.ok((await page.locator("#criticality tbody tr").count()) >= 1, "criticality indices");
  assert.ok((await page.locator("#factors tbody tr").count()) >= 1, "the prediction lists its reasons");
  // The 60-project demo has too few closed projects to train on: the run says so.
  assert.match(await page.locator("#model-note").textContent(), /default weights: the trained model needs more closed projects/);
  assert.match(await page.locator("#p-late").textContent(), /\d+% chance of finishing more than 10% of the planned duration late/);
  assert.equal(await page.locator("#evm-scurve path.pv").count(), 1, "an earned-value S-curve");
  // The combined finish (earned schedule and network P80 by progress) with each method's measured error.
  assert.match(
    await page.locator("#combined-forecast").textContent(),
    /Combined finish forecast: \d{4}-\d{2}-\d{2}, from earned schedule \(\d{4}-\d{2}-\d{2}\) and the network Monte Carlo P80 \(\d{4}-\d{2}-\d{2}\)/,
  );
  assert.equal(await page.locator("#measured-error tbody tr").count(), 3, "each method's measured error at this stage");
  assert.match(await page.locator("#measured-error").textContent(), /\d+\.\d% median MAPE/);
  await page.screenshot({ path: join(OUT, "forecast.png"), fullPage: true });

  // A team's delivery history: two items a week for four weeks, four open.
  const day = (n) => new Date(TODAY_MS - n * 86400000).toISOString().slice(0, 10);
  let items = "key,title,team,created,started,done,points,milestone\n";
  for (let w = 0; w < 4; w++) for (let k = 0; k < 2; k++) items += `T-${w}-${k},Item,Alpha,${day(20 + 7 * w)},${day(4 + 7 * w)},${day(1 + 7 * w)},3,Release 1\n`;
  for (let k = 0; k < 4; k++) items += `T-open-${k},Open,Alpha,${day(10)},,,3,Release 2\n`;
  await page.setInputFiles("#delivery-file", { name: "items.csv", mimeType: "text/csv", buffer: Buffer.from(items) });
  await page.click("#upload-delivery");
  await page.waitForSelector("#delivery-summary");
  assert.match(await page.locator("#delivery-summary").textContent(), /12 items, 4 open/);
  assert.match(await page.locator("#delivery-when").textContent(), /The 4 open items are done by \d{4}-\d{2}-\d{2} \(P50\)/);

  // A bad estimate names the line and keeps what was typed.
  await page.fill("#estimates", "Build, 10, 5");
  await page.click("#save-settings");
  await page.waitForSelector("#errors");
  assert.match(await page.locator("#errors").textContent(), /estimates line 1/);
  assert.equal(await page.inputValue("#estimates"), "Build, 10, 5");
});

test("a PMO lead previews a board pack, issues it, opens it as issued and drafts a project's status", async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(`${base}/login`);
  await page.fill("input[name=username]", "admin");
  await page.fill("input[name=password]", PASSWORD);
  await page.click("button[type=submit]");
  await page.waitForSelector("h1:has-text('Portfolio dashboard')");

  await page.click("nav a:has-text('Reports')");
  await page.waitForSelector("#report-form");
  // The page's title is its name, not markup (a template once put a whole section in <title>).
  assert.match(await page.title(), /^Reports\b/);
  assert.ok(!(await page.title()).includes("<"), await page.title());
  await page.selectOption("#report-kind", "board");
  await page.selectOption("#report-audience", "executive");
  await page.selectOption("#report-scope", { index: 1 });
  await page.click("#preview-report");
  // The preview leads with decisions and red risks and cites its records.
  await page.waitForSelector("#report-preview .keel-report");
  const firstSection = await page.locator("#report-preview .keel-report section").first().innerText();
  assert.match(firstSection, /decision|red risk/i, "the summary leads with decisions or red risks");
  const refs = page.locator("#report-preview .keel-report sup a");
  assert.ok((await refs.count()) > 0, "sentences link to their sources");
  const href = await refs.first().getAttribute("href");
  assert.match(href, /^\/(projects|r)\//, "a source links to a record");
  assert.ok((await page.locator("#report-preview svg").count()) >= 1, "charts are drawn");
  await page.screenshot({ path: join(OUT, "board-pack-preview.png"), fullPage: false });
  const draftPdf = await page.request.get(base + (await page.locator("#pdf-draft").getAttribute("href")));
  assert.equal(draftPdf.status(), 200, "the unissued preview downloads as PDF");
  assert.ok((await draftPdf.body()).subarray(0, 5).toString() === "%PDF-");

  // Issue it: it opens as issued, and is listed with its downloads.
  await page.click("#issue-report");
  await page.waitForSelector("#report-frame");
  const frame = page.frameLocator("#report-frame");
  await frame.locator("h1").first().waitFor();
  assert.match(await frame.locator("h1").first().innerText(), /Board pack/i);
  const pdf = await page.request.get(base + (await page.locator("#report-downloads a:has-text('PDF')").getAttribute("href")));
  assert.equal(pdf.status(), 200);
  assert.equal(pdf.headers()["content-type"], "application/pdf");
  assert.ok((await pdf.body()).subarray(0, 5).toString() === "%PDF-", "a real PDF");
  await page.click("a:has-text('All reports')");
  assert.ok((await page.locator("#report-history tr.report-row").count()) >= 1);

  // A project's status draft: proposals with reasons; changing a RAG without a reason is refused.
  await page.click("nav a:has-text('Portfolio')");
  await page.locator("table a[href^='/projects/']").first().click();
  await page.click("#draft-status");
  await page.waitForSelector("#rag-proposals");
  assert.equal(await page.locator("#rag-proposals tbody tr").count(), 7, "six dimensions and the overall");
  const current = await page.locator("#rag-schedule select").inputValue();
  const other = current === "red" ? "green" : "red";
  await page.selectOption("#rag-schedule select", other);
  await page.click("#save-draft");
  await page.waitForSelector(".errors");
  assert.match(await page.locator(".errors").innerText(), /reasons\.schedule/);
  await page.fill("input[name=reason_schedule]", "Supplier confirmed the new date in writing");
  await page.click("#submit-draft");
  await page.waitForSelector(".notice:has-text('submitted')");
  assert.match(await page.locator("#overrides").innerText(), /Supplier confirmed the new date/);
  await page.screenshot({ path: join(OUT, "status-draft.png"), fullPage: true });
});
