/**
 * Chromium for browser tests, through playwright-core (no bundled browser: the system's
 * /usr/bin/chromium, or TOKUMEI_CHROMIUM). CI installs it with `apt-get install -y chromium`.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { REPO_ROOT } from './cli-process.js';

export const CHROMIUM_PATH = process.env.TOKUMEI_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
/** Where browser tests leave their screenshots (git-ignored: test-output/). */
export const SCREENSHOT_DIR = join(REPO_ROOT, 'test-output', 'screenshots');

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`BROWSER_MISSING: no Chromium at ${CHROMIUM_PATH}; install it (apt-get install -y chromium) or set TOKUMEI_CHROMIUM`);
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
}

/** What went wrong in the page: uncaught errors, console errors (CSP refusals among them). */
export interface PageProblems {
  errors: string[];
  console: string[];
}

export function watchPage(page: Page): PageProblems {
  const p: PageProblems = { errors: [], console: [] };
  page.on('pageerror', (e) => p.errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') p.console.push(m.text());
  });
  return p;
}

/** Saves a full-page screenshot as `<dir>/<name>.png` and returns its path. */
export async function screenshot(page: Page, dir: string, name: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
