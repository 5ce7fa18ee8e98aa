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
  await waitForHydration(page);
  await page.getByRole('button', { name: /Read the Sandbox catalog/ }).click();
  await page.getByText(/SKUs are new since the last review/).waitFor();
  const rows = page.getByRole('table').getByRole('row');
  assert.ok((await rows.count()) > 3);

  // Microsoft 365 Business Premium, sold annually: offer it under a name of ours.
  const annual = page.getByRole('checkbox', { name: /^Billed annually: .*Business Premium/ }).first();
  const label = (await annual.getAttribute('aria-label')).replace('Billed annually: ', '');
  const row = page.getByRole('row').filter({ has: page.getByRole('checkbox', { name: `Offer ${label}` }) });
  await row.getByRole('checkbox', { name: `Offer ${label}` }).check();
  await row.getByLabel(`Display name of ${label}`).fill('Business plan, yearly');
  await row.getByRole('checkbox', { name: `Billed annually: ${label}` }).check();
  await row.getByRole('button', { name: 'Save' }).click();
  await row.getByText('As Business plan, yearly, billed annually').waitFor();
  await row.getByText('Reviewed').waitFor();
  assert.deepEqual(problems, []);
  await context.close();
});

// Then the reseller orders it for Northwind Traders, whose agreement is not yet recorded.
test('a reseller records the customer agreement and orders the offered SKU once', async () => {
  const { page, context, problems } = await newPage(browser);
  await signIn(page, 'Reseller admin', '/subscriptions');
  await waitForHydration(page);
  await page.getByRole('link', { name: 'Add subscription' }).click();
  await page.getByRole('heading', { level: 1, name: 'Add subscription' }).waitFor();
  await waitForHydration(page);
  await page.getByRole('combobox', { name: 'Customer', exact: true }).selectOption({ label: 'Northwind Traders' });
  await page.getByRole('button', { name: 'Show' }).click();
  await page.getByRole('heading', { level: 2, name: 'Order for Northwind Traders' }).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Place order' }).isDisabled(), true);

  await page.getByLabel('First name').fill('Tania');
  await page.getByLabel('Last name').fill('Carr');
  await page.getByLabel('E-mail').fill('tania@northwind.example');
  await page.getByRole('checkbox', { name: /accepted the Microsoft Customer Agreement/ }).check();
  await page.getByRole('button', { name: 'Record acceptance' }).click();
  await page.getByRole('status').getByText(/acceptance is recorded/).waitFor();
  await page.getByText(/Tania Carr accepted the Microsoft Customer Agreement on/).waitFor();

  await page.getByLabel('Product, term and billing').selectOption({ label: 'Business plan, yearly — 1 year, billed annually' });
  await page.getByLabel('Quantity').fill('2');
  await page.getByText('Partner on record: Northwind Partners (Partner ID 4455667).', { exact: false }).waitFor();
  await page.getByRole('button', { name: 'Place order' }).dblclick();
  await page.getByRole('status').getByText(/^Ordered 2 × Business plan, yearly/).waitFor();
  const recent = page.getByRole('table').getByRole('row');
  await recent.nth(1).getByText('Placed').waitFor();
  assert.equal(await recent.count(), 2, 'a double click is one order');
  await page.screenshot({ path: '/tmp/order.png', fullPage: true });
  await page.getByRole('link', { name: 'Open the subscription' }).click();
  await page.getByRole('heading', { level: 1, name: 'Subscription' }).waitFor();
  await waitForHydration(page);
  await page.locator('.facts').getByText('Northwind Traders', { exact: true }).waitFor();
  await page.locator('.facts').getByText('2', { exact: true }).waitFor();
  // Just bought: inside the 7-day window a decrease applies at once, and it can be cancelled.
  await page.getByText(/Within the first 7 days of the term/).waitFor();
  await page.getByLabel('Quantity', { exact: true }).fill('1');
  await page.getByRole('button', { name: 'Change quantity' }).click();
  await page.getByRole('status').getByText(/quantity 2 → 1\.$/).waitFor();
  await page.locator('.facts').getByText('1', { exact: true }).waitFor();
  await page.getByRole('button', { name: 'Cancel subscription' }).waitFor();
  assert.deepEqual(problems, []);
  await context.close();
});
