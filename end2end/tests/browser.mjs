// Shared browser setup: Debian's Chromium through playwright-core. Playwright gives every
// launch a fresh temporary profile of its own (it refuses a --user-data-dir argument).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/// axe-core's WCAG 2 A and AA rules on the page as it is now (open dialogs included): one line
/// per violation, empty when there is none. Evaluated through the browser's debugging protocol,
/// so the page's Content-Security-Policy does not have to let it in.
export async function axe(page) {
  await page.evaluate(AXE);
  return page.evaluate(async () => {
    const result = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return result.violations.map(
      (v) => `${v.id} (${v.help}): ${v.nodes.slice(0, 4).map((n) => n.target.join(' ')).join(' | ')}`,
    );
  });
}

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

/// The licenses table's numbers for a product: [active, assigned, available, suspended]
/// (`table` names the table, as the page's language says it).
export async function seats(page, product, table = /^Licenses of/) {
  const rows = page.getByRole('table', { name: table }).getByRole('row');
  const row = rows.filter({ has: page.getByText(product, { exact: true }) }).first();
  const cells = await row.getByRole('cell').allInnerTexts();
  return cells.slice(1, 5).map((c) => Number(c.trim().split(/\s+/)[0]));
}

export async function waitForHydration(page) {
  await page.locator('.app[data-hydrated="true"]').waitFor({ timeout: 15000 });
}

const DEMO = {
  'Service provider admin': 'admin@seatwise.demo',
  'Service provider support': 'support@seatwise.demo',
  'Reseller admin': 'reseller@seatwise.demo',
  'Customer admin': 'it@contoso.demo',
};

/// Email and password of a demo account: scripts/serve-release.sh starts the server with
/// SEATWISE_DEMO_PASSWORD, which every demo account gets (passwords are never stored in the clear).
export function demoAccount(role) {
  const password = process.env.SEATWISE_DEMO_PASSWORD;
  if (!password) throw new Error('SEATWISE_DEMO_PASSWORD is not set: run the tests through scripts/e2e.sh');
  const email = DEMO[role];
  if (!email) throw new Error(`no demo account for ${role}`);
  return { email, password };
}

/// Signs in through the sign-in form, as a person would.
export async function signIn(page, role = 'Service provider admin', next = '/') {
  const { email, password } = demoAccount(role);
  await signInWith(page, BASE_URL, email, password, next);
}

/// The same with any account on any server (the benchmarks' own).
export async function signInWith(page, base, email, password, next = '/') {
  await page.goto(base + next);
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}
