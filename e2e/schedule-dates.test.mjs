// A plan from another time: a 2013 task list uploaded into a demo project planned around today is
// not imported silently; the schedule page names both sets of dates and asks, and rebasing puts
// the Gantt chart in the project's time. Its own `keel serve --demo`, in a real headless Chromium.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { PASSWORD, TODAY_MS, launchBrowser, startKeel } from "./keel.mjs";


let keel;
let base;
let browser;

before(async () => {
  keel = await startKeel("keel-e2e-dates-");
  base = keel.base;
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  keel?.stop();
});

test("an old plan is not imported silently: the page names its dates, asks, and rebases it into the project's time", async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(`${base}/login`);
  await page.fill("input[name=username]", "admin");
  await page.fill("input[name=password]", PASSWORD);
  await page.click("button[type=submit]");
  await page.waitForSelector("h1:has-text('Portfolio dashboard')");
  const link = page.locator("#projects tbody tr td:nth-child(2) a").last();
  const code = (await link.locator("strong").textContent()).trim();
  await link.click();
  await page.click("#open-schedule");
  await page.waitForSelector("#upload-schedule");
  const versionsBefore = await page.locator("#versions tbody tr").count();

  // A 2013 plan, Monday 7 Jan to Friday 1 Feb: Design 5d, Build 10d, Test 3d after a 2-day lag.
  const csv = "id,name,duration,predecessors,start\n1,Design,5d,,2013-01-07 08:00\n2,Build,10d,1,\n3,Test,3d,2FS+2d,\n4,Docs,4d,1SS+1d,\n5,Go-live,0d,3;4,\n";
  await page.setInputFiles("#schedule-file", { name: "old-plan.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
  // "Ask me" is the default choice.
  assert.ok(await page.locator("input[name=dates][value='']").isChecked());
  await page.click("#upload-schedule");
  await page.waitForSelector("#dates-ask");
  const warning = await page.locator("#dates-warning").innerText();
  assert.match(warning, new RegExp(`^This plan runs 7 Jan 2013 to 1 Feb 2013; ${code} is planned (from|to start on) `));
  // Nothing was imported yet.
  assert.equal(await page.locator("#versions tbody tr").count(), versionsBefore);

  await page.click("#dates-rebase");
  await page.waitForSelector("#flash");
  const rebased = await page.locator("#dates-rebased").innerText();
  const m = rebased.match(/^Rebased by (\d+) weeks from 7 Jan 2013 to (\d+ \w+ \d{4})\.$/);
  assert.ok(m, rebased);
  // The plan starts where the rebase put it, on a Monday like the file's, in the project's time.
  const to = new Date(`${m[2]} 12:00 UTC`);
  assert.equal(to.getUTCDay(), 1, "weekdays stay weekdays");
  assert.equal(Number(m[1]), Math.round((to - Date.UTC(2013, 0, 7, 12)) / (7 * 86400000)));
  const start = (await page.locator(".gantt-table tbody tr").first().locator("td:nth-child(4)").innerText()).trim();
  assert.equal(start, to.toISOString().slice(0, 10));
  const finishYear = Number((await page.locator("#schedule-finish").textContent()).trim().slice(0, 4));
  assert.ok(finishYear >= new Date(TODAY_MS).getUTCFullYear() - 1, `finish in ${finishYear}`);
  assert.equal(await page.locator(".gantt-table tbody tr").count(), 5);
  assert.equal(await page.locator("#dates-kept").count(), 0);
  assert.equal(await page.locator("#versions tbody tr").count(), versionsBefore + 1);
});
