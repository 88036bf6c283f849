// Every page, as every role, in a real headless Chromium against a real `keel serve --demo`:
// no console or page errors (a Content-Security-Policy violation is one), no failed request,
// no action offered that the role may not take, and no sideways scrolling on a phone.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const KEEL = process.env.KEEL_BIN ?? new URL("../target/debug/keel", import.meta.url).pathname;
const CHROMIUM = process.env.CHROMIUM_BIN ?? "/usr/bin/chromium";
const PASSWORD = "e2e-password-1";

// docs/roles.md, written out by hand: the role columns in its order, then one row per action.
const ROLES = ["admin", "pmo", "portfolio_manager", "project_manager", "contributor", "viewer"];
const TABLE = {
  read: [1, 1, 1, 1, 1, 1],
  manage_portfolios: [1, 1, 1, 0, 0, 0],
  edit_projects: [1, 1, 1, 1, 0, 0],
  delete_projects: [1, 1, 1, 0, 0, 0],
  submit_status: [1, 1, 1, 1, 1, 0],
  edit_raid: [1, 1, 1, 1, 1, 0],
  delete_raid: [1, 1, 1, 1, 0, 0],
  record_decisions: [1, 1, 1, 1, 0, 0],
  export_import: [1, 1, 0, 0, 0, 0],
  manage_users: [1, 0, 0, 0, 0, 0],
  own_tokens: [1, 1, 1, 1, 1, 1],
};
const may = (role, action) => TABLE[action][ROLES.indexOf(role)] === 1;

// What each kind of record needs, per operation (docs/roles.md's rows name the kinds).
const KINDS = {
  portfolios: { create: "manage_portfolios", edit: "manage_portfolios", delete: "manage_portfolios" },
  programmes: { create: "manage_portfolios", edit: "manage_portfolios", delete: "manage_portfolios" },
  projects: { create: "edit_projects", edit: "edit_projects", delete: "delete_projects" },
  "status-reports": { create: "submit_status", edit: "submit_status", delete: "delete_raid" },
  milestones: { create: "edit_raid", edit: "edit_raid", delete: "delete_raid" },
  risks: { create: "edit_raid", edit: "edit_raid", delete: "delete_raid" },
  issues: { create: "edit_raid", edit: "edit_raid", delete: "delete_raid" },
  assumptions: { create: "edit_raid", edit: "edit_raid", delete: "delete_raid" },
  dependencies: { create: "edit_raid", edit: "edit_raid", delete: "delete_raid" },
  decisions: { create: "record_decisions", edit: "record_decisions", delete: "delete_raid" },
};

/// The action a link needs, or null for reading.
function linkNeeds(path) {
  let m;
  if ((m = path.match(/^\/r\/([a-z-]+)\/new$/))) return KINDS[m[1]].create;
  if ((m = path.match(/^\/r\/([a-z-]+)\/[^/]+\/edit$/))) return KINDS[m[1]].edit;
  if (/^\/projects\/[^/]+\/status-draft$/.test(path)) return "submit_status";
  if (path.startsWith("/admin/")) return "manage_users";
  if (path === "/tokens") return "own_tokens";
  return null;
}

/// The action a form that changes something needs; throws for a form this table does not know,
/// so a new action cannot slip past unchecked.
function formNeeds(path, kind) {
  let m;
  if (path === "/logout") return "read";
  if ((m = path.match(/^\/r\/([a-z-]+)\/new$/))) return KINDS[m[1]].create;
  if ((m = path.match(/^\/r\/([a-z-]+)\/[^/]+\/edit$/))) return KINDS[m[1]].edit;
  if ((m = path.match(/^\/r\/([a-z-]+)\/[^/]+\/delete$/))) return KINDS[m[1]].delete;
  if (/^\/projects\/[^/]+\/(schedule|forecast|forecast\/settings|forecast\/delivery)$/.test(path)) return "edit_projects";
  if (/^\/projects\/[^/]+\/status-draft$/.test(path)) return "submit_status";
  if (path === "/reports") return kind === "status" ? "submit_status" : "manage_portfolios";
  if (path.startsWith("/reports/schedules")) return "manage_portfolios";
  if (path.startsWith("/admin/")) return "manage_users";
  if (path.startsWith("/tokens")) return "own_tokens";
  throw new Error(`a form posts to ${path}: add it to formNeeds`);
}

let server;
let base;
let browser;
let dataDir;

function startKeel() {
  dataDir = mkdtempSync(join(tmpdir(), "keel-e2e-roles-"));
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

async function signIn(context, username) {
  const page = await context.newPage();
  await page.goto(`${base}/login`);
  await page.fill("input[name=username]", username);
  await page.fill("input[name=password]", PASSWORD);
  await page.click("button[type=submit]");
  await page.waitForSelector("h1:has-text('Portfolio dashboard')");
  return page;
}

// What the pages are about: one record of each kind, a scheduled project, found as the admin.
const ids = {};

before(async () => {
  base = await startKeel();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const context = await browser.newContext();
  const page = await signIn(context, "admin");
  const csrf = await page.locator("header input[name=_csrf]").inputValue();
  for (const role of ROLES.filter((r) => r !== "admin")) {
    const res = await page.request.post(`${base}/api/v1/users`, {
      headers: { "X-CSRF-Token": csrf },
      data: { username: `e2e-${role}`, password: PASSWORD, role, display_name: `E2E ${role}` },
    });
    assert.equal(res.status(), 201, `adding the ${role} user: ${await res.text()}`);
  }
  // A project with a schedule (hence a forecast): the first row of the portfolio forecast view.
  await page.goto(`${base}/forecasts`);
  const href = await page.locator("#forecast-table tr.forecast-row td a").first().getAttribute("href");
  ids.project = href.match(/^\/projects\/([^/]+)\/forecast$/)[1];
  for (const slug of Object.keys(KINDS)) {
    const res = await page.request.get(`${base}/api/v1/${slug}?limit=1`);
    assert.equal(res.status(), 200, `listing ${slug}`);
    const items = (await res.json()).items;
    assert.ok(items.length > 0, `the demo has ${slug}`);
    ids[slug] = items[0].id;
  }
  await context.close();
});

after(async () => {
  await browser?.close();
  server?.kill("SIGTERM");
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/// The pages to visit: [path, the action needed to open it].
function pages() {
  const p = ids.project;
  const list = [
    ["/", "read"],
    [`/r/portfolios/${ids.portfolios}`, "read"],
    [`/r/programmes/${ids.programmes}`, "read"],
    [`/projects/${p}`, "read"],
    [`/projects/${p}/schedule`, "read"],
    [`/projects/${p}/forecast`, "read"],
    [`/projects/${p}/status-draft`, "submit_status"],
    ["/forecasts", "read"],
    ["/reports", "read"],
    [`/reports/preview?kind=status&scope=project:${p}`, "read"],
    ["/reports/preview?kind=portfolio&scope=organisation", "read"],
    ["/audit", "read"],
    ["/admin/users", "manage_users"],
    ["/tokens", "own_tokens"],
    ["/api/docs", "read"],
  ];
  for (const [slug, needs] of Object.entries(KINDS)) {
    list.push([`/r/${slug}`, "read"]);
    list.push([`/r/${slug}/${ids[slug]}`, "read"]);
    list.push([`/r/${slug}/${ids[slug]}/edit`, needs.edit]);
  }
  return list;
}

/// Opens `path` and returns what went wrong on it, as sentences.
async function visit(page, role, path, needs, failures) {
  const allowed = may(role, needs);
  const problems = [];
  const onConsole = (msg) => {
    if (msg.type() !== "error") return;
    // The browser logs the refused page's own 403; that one is expected.
    if (!allowed && /status of 403/.test(msg.text())) return;
    problems.push(`console error: ${msg.text()}`);
  };
  const onPageError = (e) => problems.push(`page error: ${e.message}`);
  const onResponse = (res) => {
    const url = new URL(res.url());
    const isPage = url.pathname + url.search === path;
    if (isPage && !allowed) return;
    if (res.status() >= 400) problems.push(`${res.status()} for ${res.url()}`);
  };
  page.on("console", onConsole);
  page.on("pageerror", onPageError);
  page.on("response", onResponse);
  const res = await page.goto(`${base}${path}`, { waitUntil: "load" });
  if (allowed) {
    if (res.status() !== 200) problems.push(`answered ${res.status()}`);
  } else {
    // Reached by typing the address: the site's error page says why, in words.
    if (res.status() !== 403) problems.push(`answered ${res.status()}, not 403`);
    const text = await page.locator("#error").innerText().catch(() => "");
    if (!/may not/.test(text)) problems.push(`the refusal does not say why: ${JSON.stringify(text)}`);
  }
  const actions = await page.evaluate(() => {
    const shown = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden";
    const out = [];
    // Links in SVG charts too: their href is an attribute, not a string property.
    for (const a of document.querySelectorAll("a[href]")) {
      if (!shown(a)) continue;
      const url = new URL(a.getAttribute("href"), location.href);
      out.push({ type: "link", path: url.pathname, origin: url.origin, text: a.textContent.trim() });
    }
    for (const f of document.querySelectorAll("form")) {
      if ((f.getAttribute("method") ?? "get").toLowerCase() !== "post" || !shown(f)) continue;
      const kind = f.querySelector("input[name=kind]")?.value ?? null;
      const url = new URL(f.getAttribute("action") ?? "", location.href);
      out.push({ type: "form", path: url.pathname, kind, text: f.textContent.trim().slice(0, 60) });
    }
    return out;
  });
  for (const a of actions) {
    let action;
    if (a.type === "link") {
      if (a.origin !== base) continue;
      action = linkNeeds(a.path);
    } else {
      try {
        action = formNeeds(a.path, a.kind);
      } catch (e) {
        problems.push(e.message);
        continue;
      }
    }
    if (action && !may(role, action)) problems.push(`offers "${a.text}" (${a.type} ${a.path}), which needs ${action}`);
  }
  page.off("console", onConsole);
  page.off("pageerror", onPageError);
  page.off("response", onResponse);
  for (const p of problems) failures.push(`${role} on ${path}: ${p}`);
}

for (const role of ROLES) {
  test(`the ${role} role sees every page cleanly and only the actions it may take`, async () => {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await signIn(context, role === "admin" ? "admin" : `e2e-${role}`);
    const failures = [];
    for (const [path, needs] of pages()) {
      await visit(page, role, path, needs, failures);
    }

    // On a 390 px phone: the page itself never scrolls sideways, and Sign out is in reach.
    await page.setViewportSize({ width: 390, height: 844 });
    for (const path of ["/", `/projects/${ids.project}`]) {
      await visit(page, role, path, "read", failures);
      const { scrollWidth, clientWidth } = await page.evaluate(() => ({
        scrollWidth: document.scrollingElement.scrollWidth,
        clientWidth: document.scrollingElement.clientWidth,
      }));
      if (scrollWidth > clientWidth) failures.push(`${role} on ${path} at 390 px: the page is ${scrollWidth} px wide`);
      const box = await page.locator("header button:has-text('Sign out')").boundingBox();
      if (!box || box.x < 0 || box.x + box.width > 390) failures.push(`${role} on ${path} at 390 px: Sign out is out of reach`);
    }
    await context.close();
    assert.deepEqual(failures, []);
  });
}
