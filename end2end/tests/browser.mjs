// Shared browser setup: Debian's Chromium through playwright-core. Playwright gives every
// launch a fresh temporary profile of its own (it refuses a --user-data-dir argument).
import { chromium } from 'playwright-core';

export const BASE_URL = process.env.SEATWISE_URL ?? 'http://127.0.0.1:3000';

export async function launch() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return { browser, close: () => browser.close() };
}

/// A page that fails the test on any console error or uncaught exception (a broken hydration
/// shows up as one).
export async function newPage(browser, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...options });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console: ${msg.text()} (${msg.location().url})`);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  return { page, context, problems };
}

export async function waitForHydration(page) {
  await page.locator('.app[data-hydrated="true"]').waitFor({ timeout: 15000 });
}
