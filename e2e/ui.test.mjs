// Sign in, open the dashboard, submit a status report, see the RAG change and the audit entry:
// what a project manager does, in a real headless Chromium against a real `keel serve --demo`.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const KEEL = process.env.KEEL_BIN ?? new URL("../target/debug/keel", import.meta.url).pathname;
const CHROMIUM = process.env.CHROMIUM_BIN ?? "/usr/bin/chromium";
const PASSWORD = "e2e-password-1";
const OUT = new URL("./out/", import.meta.url).pathname;

let server;
let base;
let browser;
let dataDir;

function startKeel() {
  dataDir = mkdtempSync(join(tmpdir(), "keel-e2e-"));
  server = spawn(KEEL, ["--data-dir", dataDir, "serve", "--demo", "--bind", "127.0.0.1:0"], {
    env: { ...process.env, KEEL_ADMIN_PASSWORD: PASSWORD, KEEL_LOG: "warn" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  // Ready when Keel prints the address it bound (no sleeping).
  return new Promise((resolve, reject) => {
    let out = "";
    server.stdout.on("data", (chunk) => {
      out += chunk;
      const m = out.match(/running at (http:\/\/[^/\s]+)\//);
      if (m) resolve(m[1]);
    });
    server.on("exit", (code) => reject(new Error(`keel exited with ${code}: ${out}`)));
  });
}

before(async () => {
  base = await startKeel();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  mkdirSync(OUT, { recursive: true });
});

after(async () => {
  await browser?.close();
  server?.kill("SIGTERM");
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
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

test("a project manager imports a schedule and reads its Gantt chart, quality report and versions", async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(`${base}/login`);
  await page.fill("input[name=username]", "admin");
  await page.fill("input[name=password]", PASSWORD);
  await page.click("button[type=submit]");
  await page.waitForSelector("h1:has-text('Portfolio dashboard')");
  await page.locator("#projects tbody tr td:nth-child(2) a").first().click();
  await page.click("#open-schedule");
  await page.waitForSelector("#upload-schedule");

  // Dates worked out by hand: Design 2-6 Mar, Build 9-20 Mar, Test 25-27 Mar (2-day lag), Go-live 27 Mar 17:00.
  const csv = "id,name,duration,predecessors,start\n1,Design,5d,,2026-03-02 08:00\n2,Build,10d,1,\n3,Test,3d,2FS+2d,\n4,Docs,4d,1SS+1d,\n5,Go-live,0d,3;4,\n";
  await page.setInputFiles("#schedule-file", { name: "plan.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
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
