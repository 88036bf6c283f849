// The risk register as a PMO analyst uses it every week: filter by a project, sort by score,
// read which project each risk belongs to, download the same table as CSV. Real headless
// Chromium against its own `keel serve --demo`.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { PASSWORD, launchBrowser, startKeel } from "./keel.mjs";

const OUT = new URL("./out/", import.meta.url).pathname;

let keel;
let base;
let browser;

before(async () => {
  keel = await startKeel("keel-e2e-registers-");
  base = keel.base;
  browser = await launchBrowser();
  mkdirSync(OUT, { recursive: true });
});

after(async () => {
  await browser?.close();
  keel?.stop();
});

/** The register's column headings (without the sort arrow) and its rows' cell texts. */
async function table(page) {
  const head = (await page.locator("#register thead th").allTextContents()).map((h) => h.replace(/[▲▼]/g, "").trim());
  const rows = await page.locator("#register tbody tr").evaluateAll((trs) =>
    trs.map((tr) => Array.from(tr.querySelectorAll("td"), (td) => td.textContent.trim())),
  );
  return { head, rows };
}

test("a PMO analyst filters the risk register by a project, sorts it by score and downloads it", async () => {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  await page.goto(`${base}/login`);
  await page.fill("input[name=username]", "admin");
  await page.fill("input[name=password]", PASSWORD);
  await page.click("button[type=submit]");
  await page.waitForSelector("h1:has-text('Portfolio dashboard')");

  await page.goto(`${base}/r/risks`);
  await page.waitForSelector("#register");
  let { head, rows } = await table(page);
  const projectCol = head.indexOf("Project");
  const scoreCol = head.indexOf("Score");
  assert.ok(projectCol > 0 && scoreCol > 0, `Project and Score columns: ${head}`);
  assert.ok(rows.length > 0);
  assert.ok(rows.every((r) => /^PRJ-\d+ /.test(r[projectCol])), "every risk names its project");

  // Filter by the project of the top risk: choose it and submit the filter form (works
  // without script).
  const projectLabel = rows[0][projectCol];
  await page.selectOption("select[name=project]", { label: projectLabel });
  await page.click("#register-filters button[type=submit]");
  await page.waitForURL(/project=/);

  // Sort by score: the first click ascends, the second descends.
  await page.click("#register thead a:has-text('Score')");
  await page.waitForURL(/sort=score&dir=asc/);
  await page.click("#register thead a:has-text('Score')");
  await page.waitForURL(/sort=score&dir=desc/);
  ({ head, rows } = await table(page));
  assert.ok(rows.length > 0, `risks of ${projectLabel}`);
  assert.ok(rows.every((r) => r[projectCol] === projectLabel), `every row is ${projectLabel}`);
  const scores = rows.map((r) => Number(r[scoreCol]));
  assert.ok(scores.every((s) => s >= 1 && s <= 25), `scores filled in: ${scores}`);
  assert.deepEqual(scores, [...scores].sort((a, b) => b - a), "highest score first");
  await page.screenshot({ path: join(OUT, "risk-register.png"), fullPage: false });

  // Download the CSV: the same columns and rows as the page.
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("a:has-text('CSV')")]);
  const file = join(keel.dataDir, "risks.csv");
  await download.saveAs(file);
  const lines = readFileSync(file, "utf8").trim().split(/\r?\n/);
  assert.equal(lines[0], head.join(","));
  assert.equal(lines.length - 1, rows.length);
  for (const [i, line] of lines.slice(1).entries()) {
    assert.ok(line.includes(projectLabel), `CSV row ${i + 1} names the project`);
    assert.ok(line.includes(`,${rows[i][scoreCol]},`), `CSV row ${i + 1} has the page's score in the page's order`);
  }
  await context.close();
});
