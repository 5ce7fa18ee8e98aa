// The catalog in a real browser: the admin reads the sandbox's catalog from Partner Center,
// sees every SKU waiting for review, and offers one under its own name, billed annually.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, signIn, waitForHydration } from './browser.mjs';

let browser, close;
before(async () => ({ browser, close } = await launch()));
after(async () => close());

test('the admin reads the catalog and offers a SKU', async () => {
  const { page, context, problems } = await newPage(browser);
  await signIn(page);
  await waitForHydration(page);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Catalog' }).click();
  await page.getByRole('heading', { level: 1, name: 'Catalog' }).waitFor();
  await page.getByRole('button', { name: /Read the Sandbox catalog/ }).click();
  await page.getByText(/SKUs are new since the last review/).waitFor();
  const rows = page.getByRole('table').getByRole('row');
  assert.ok((await rows.count()) > 3);

  // The first SKU sold annually: offer it under a name of ours.
  const annual = page.getByRole('checkbox', { name: /^Billed annual:/ }).first();
  const label = (await annual.getAttribute('aria-label')).replace('Billed annual: ', '');
  const row = page.getByRole('row').filter({ has: page.getByRole('checkbox', { name: `Offer ${label}` }) });
  await row.getByRole('checkbox', { name: `Offer ${label}` }).check();
  await row.getByLabel(`Display name of ${label}`).fill('Business plan, yearly');
  await row.getByRole('checkbox', { name: `Billed annual: ${label}` }).check();
  await row.getByRole('button', { name: 'Save' }).click();
  await row.getByText('As Business plan, yearly, billed annually').waitFor();
  await row.getByText('Reviewed').waitFor();
  assert.deepEqual(problems, []);
  await context.close();
});
