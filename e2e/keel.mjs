// What every browser test shares: a real `keel serve --demo` on a free port with its own data
// directory, and Debian's headless Chromium.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

export const KEEL = process.env.KEEL_BIN ?? new URL("../target/debug/keel", import.meta.url).pathname;
export const CHROMIUM = process.env.CHROMIUM_BIN ?? "/usr/bin/chromium";
export const PASSWORD = "e2e-password-1";
/// The day Keel takes as today: KEEL_TODAY pins it (CI runs the workflows at two pinned dates too).
export const TODAY_MS = process.env.KEEL_TODAY ? Date.parse(`${process.env.KEEL_TODAY}T12:00:00Z`) : Date.now();

/// Starts Keel with the demo organisation; resolves to `{ base, stop }` once it has bound its port
/// (it prints the address: no sleeping).
export function startKeel(prefix = "keel-e2e-") {
  const dataDir = mkdtempSync(join(tmpdir(), prefix));
  const server = spawn(KEEL, ["--data-dir", dataDir, "serve", "--demo", "--bind", "127.0.0.1:0"], {
    env: { ...process.env, KEEL_ADMIN_PASSWORD: PASSWORD, KEEL_LOG: "warn" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const stop = () => {
    server.kill("SIGTERM");
    rmSync(dataDir, { recursive: true, force: true });
  };
  return new Promise((resolve, reject) => {
    let out = "";
    server.stdout.on("data", (chunk) => {
      out += chunk;
      const m = out.match(/running at (http:\/\/[^/\s]+)\//);
      if (m) resolve({ base: m[1], stop, dataDir });
    });
    server.on("exit", (code) => reject(new Error(`keel exited with ${code}: ${out}`)));
  });
}

/// Headless Chromium with the flags a sandboxed CI machine needs.
export function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

/// Signs `username` in on a new page of `context` and waits for the dashboard.
export async function signIn(context, base, username, password = PASSWORD) {
  const page = await context.newPage();
  await page.goto(`${base}/login`);
  await page.fill("input[name=username]", username);
  await page.fill("input[name=password]", password);
  await page.click("button[type=submit]");
  await page.waitForSelector("h1:has-text('Portfolio dashboard')");
  return page;
}
