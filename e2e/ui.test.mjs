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
