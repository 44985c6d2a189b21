import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";

/**
 * Debian's Chromium driven by playwright-core (never a downloaded browser build). Browser suites
 * skip with a loud notice when it is missing, except under CI=true, where they fail.
 */
export function chromiumPath(): string | null {
  if (process.env.CHROMIUM_BIN) return process.env.CHROMIUM_BIN;
  try {
    return execFileSync("sh", ["-c", "command -v chromium"], { encoding: "utf8" }).trim() || null;
  } catch {
    return null;
  }
}

export function browserAvailable(suite: string): boolean {
  if (chromiumPath()) return true;
  const message = `${suite}: chromium not installed; run scripts/install-test-services.sh`;
  if (process.env.CI === "true") throw new Error(`${message} (CI=true: browser tests must run)`);
  console.warn(`\n⚠️  SKIPPING ${message}\n`);
  return false;
}

export async function launchBrowser(): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!executablePath) throw new Error("browser: chromium not found");
  return chromium.launch({ executablePath, args: ["--no-sandbox", "--disable-dev-shm-usage"] });
}

/** Screenshots of failed browser tests go to a gitignored folder, for a person to look at. */
export const SCREENSHOT_DIR = join(process.cwd(), "artifacts", "screenshots");

export async function screenshotOnFailure(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name.replace(/[^a-z0-9-]+/gi, "_")}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
