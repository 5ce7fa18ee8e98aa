// Shared browser setup: Debian's Chromium through playwright-core. Playwright gives every
// launch a fresh temporary profile of its own (it refuses a --user-data-dir argument).
import { chromium } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

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

/// Email and password of a demo account (the server seeds them into its data directory).
export function demoAccount(role) {
  const dir = process.env.SEATWISE_DATA;
  if (!dir) throw new Error('SEATWISE_DATA is not set: run the tests through scripts/e2e.sh');
  const line = readFileSync(join(dir, 'demo-accounts.txt'), 'utf8')
    .split('\n')
    .find((l) => l.startsWith(role));
  if (!line) throw new Error(`no demo account for ${role}`);
  const words = line.trim().split(/\s+/);
  return { email: words.find((w) => w.includes('@')), password: words[words.length - 1] };
}

/// Signs in through the sign-in form, as a person would.
export async function signIn(page, role = 'Service provider admin', next = '/') {
  const { email, password } = demoAccount(role);
  await page.goto(BASE_URL + next);
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}
