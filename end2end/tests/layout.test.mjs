// Layout: the widest tables fit the screens they are made for, with nothing cut off.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, signIn, waitForHydration } from './browser.mjs';

let browser, close;
before(async () => ({ browser, close } = await launch()));
after(async () => close());

/// [scrollWidth, clientWidth] of each table's container.
const widths = (page) =>
  page.evaluate(() =>
    [...document.querySelectorAll('.content table.table')].map((t) => [t.scrollWidth, t.parentElement.clientWidth]),
  );

test('the licenses table fits 1280 px with a product opened', async () => {
  const { page, context, problems } = await newPage(browser, { viewport: { width: 1280, height: 800 } });
  await signIn(page, 'Customer admin', '/users');
  await waitForHydration(page);
  const table = page.getByRole('table', { name: /^Licenses of/ });
  await table.locator('details summary').first().click();
  await table.getByText('Product SKU ID').first().waitFor();
  for (const [scroll, client] of await widths(page)) assert.ok(scroll <= client, `${scroll} > ${client}`);
  assert.deepEqual(problems, []);
  await context.close();
});

test("the multi-customer users table fits 1366 px, actions included", async () => {
  const { page, context, problems } = await newPage(browser, { viewport: { width: 1366, height: 800 } });
  await signIn(page, 'Service provider admin', '/users');
  await waitForHydration(page);
  await page.getByRole('button', { name: /^Actions for/ }).first().waitFor();
  await page.waitForLoadState('networkidle');
  for (const [scroll, client] of await widths(page)) assert.ok(scroll <= client, `${scroll} > ${client}`);
  assert.deepEqual(problems, []);
  await context.close();
});
