// Accessibility: axe-core's WCAG 2 A and AA rules on every page, for every role that sees it,
// and on every dialog of the users page, report no violation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE_URL, axe, launch, newPage, signIn, waitForHydration } from './browser.mjs';

let browser, close;
before(async () => ({ browser, close } = await launch()));
after(async () => close());

const PAGES = {
  'Service provider admin': ['/', '/users', '/licenses', '/bulk', '/subscriptions', '/subscriptions?tab=marketplace', '/customers', '/connections', '/catalog', '/accounts', '/audit', '/outbox', '/status', '/account'],
  'Service provider support': ['/', '/users', '/subscriptions', '/customers', '/connections', '/catalog', '/status'],
  'Reseller admin': ['/', '/users', '/licenses', '/bulk', '/subscriptions', '/accounts', '/account'],
  'Customer admin': ['/', '/users', '/bulk', '/subscriptions', '/account', '/no/such/page'],
};

test('signed-out pages have no violation (and the check does catch one)', async () => {
  const { page, context } = await newPage(browser);
  // The check itself: an image without a text alternative is reported.
  await page.goto(BASE_URL + '/sign-in');
  await page.evaluate(() => {
    const probe = document.createElement('img');
    probe.src = '/favicon.svg';
    document.body.append(probe);
  });
  assert.ok((await axe(page)).some((v) => v.startsWith('image-alt')), 'axe reports a missing alt');
  const found = [];
  for (const path of ['/sign-in', '/sign-in?error=invalid', '/set-password?token=x&error=link']) {
    await page.goto(BASE_URL + path);
    await page.getByRole('heading', { level: 1 }).waitFor();
    for (const v of await axe(page)) found.push(`${path}: ${v}`);
  }
  assert.deepEqual(found, []);
  await context.close();
});

for (const [role, paths] of Object.entries(PAGES)) {
  test(`every page of the ${role} has no violation`, async () => {
    const { page, context } = await newPage(browser);
    await signIn(page, role);
    const found = [];
    for (const path of paths) {
      await page.goto(BASE_URL + path);
      await waitForHydration(page);
      await page.getByRole('heading', { level: 1 }).waitFor();
      // Let data sections finish loading.
      await page.waitForLoadState('networkidle');
      for (const v of await axe(page)) found.push(`${path}: ${v}`);
    }
    assert.deepEqual(found, []);
    await context.close();
  });
}

test('every dialog of the users page has no violation', async () => {
  const { page, context } = await newPage(browser);
  await signIn(page, 'Customer admin', '/users');
  await waitForHydration(page);
  const found = [];
  const check = async (name) => {
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    await page.waitForLoadState('networkidle');
    for (const v of await axe(page)) found.push(`${name}: ${v}`);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
  };
  await page.getByRole('button', { name: 'Create user' }).click();
  await check('Create user');
  for (const item of ['Edit User Information', 'Manage Licenses', 'Reset Password', 'Delete']) {
    await page.getByRole('button', { name: /^Actions for/ }).first().click();
    await page.getByRole('menuitem', { name: item }).click();
    await check(item);
  }
  // The open actions menu, too.
  await page.getByRole('button', { name: /^Actions for/ }).first().click();
  await page.getByRole('menu').waitFor();
  for (const v of await axe(page)) found.push(`actions menu: ${v}`);
  await page.keyboard.press('Escape');
  const restore = page.getByRole('button', { name: /^Restore / });
  if (await restore.count()) {
    await restore.first().click();
    await check('Restore');
  }
  assert.deepEqual(found, []);
  await context.close();
});

test("a subscription's page has no violation, for those who change and those who look", async () => {
  for (const role of ['Customer admin', 'Service provider support']) {
    const { page, context } = await newPage(browser);
    await signIn(page, role, '/subscriptions');
    await waitForHydration(page);
    await page.getByRole('table').getByRole('row').nth(1).getByRole('link').click();
    await page.getByRole('heading', { level: 2 }).first().waitFor();
    await waitForHydration(page);
    await page.waitForLoadState('networkidle');
    assert.deepEqual(await axe(page), [], role);
    await context.close();
  }
});
