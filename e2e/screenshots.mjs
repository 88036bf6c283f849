// Retakes the screenshots in README.md and docs/ from a fresh demo organisation:
//   cargo build -p keel-cli && (cd e2e && npm ci && node screenshots.mjs)
// Page 1 of the board pack is rendered from its PDF with pdftoppm (Debian's poppler-utils).
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { launchBrowser, signIn, startKeel } from "./keel.mjs";

const DOCS = new URL("../docs/", import.meta.url).pathname;
const keel = await startKeel("keel-shots-");
const browser = await launchBrowser();
try {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await signIn(context, keel.base, "admin");
  await page.screenshot({ path: join(DOCS, "screenshot.png") });
  // The project needing most attention: the dashboard's first row.
  await page.locator("#projects tbody tr td:nth-child(2) a").first().click();
  await page.waitForLoadState("networkidle");
  await page.screenshot({ path: join(DOCS, "project.png") });
  await page.goto(`${keel.base}/r/risks?sort=score&dir=desc`);
  await page.screenshot({ path: join(DOCS, "risk-register.png") });
  const pdf = await page.request.get(`${keel.base}/api/v1/reports/preview?kind=board&audience=executive&format=pdf`);
  if (!pdf.ok()) throw new Error(`board pack: ${pdf.status()} ${await pdf.text()}`);
  const dir = mkdtempSync(join(tmpdir(), "keel-pack-"));
  writeFileSync(join(dir, "board.pdf"), await pdf.body());
  execFileSync("pdftoppm", ["-png", "-r", "100", "-f", "1", "-l", "1", "-singlefile", join(dir, "board.pdf"), join(DOCS, "board-pack")]);
  mkdirSync(DOCS, { recursive: true });
  console.log("docs/screenshot.png, docs/project.png, docs/risk-register.png, docs/board-pack.png");
} finally {
  await browser.close();
  keel.stop();
}
