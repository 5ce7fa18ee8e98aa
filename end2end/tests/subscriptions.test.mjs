// The subscriptions page in a real browser: a customer admin sees only its own subscriptions;
// the service provider filters across customers, searches, pages through the Marketplace tab,
// reads Partner Center again, and switches the page to the stored mode.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, signIn, waitForHydration } from './browser.mjs';

let browser, close;
before(async () => ({ browser, close } = await launch()));
after(async () => close());

test('a customer admin sees its own subscriptions only, with when they were read', async () => {
  const { page, context, problems } = await newPage(browser);
  await signIn(page, 'Customer admin');
  await waitForHydration(page);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Subscriptions' }).click();
  await page.getByRole('heading', { level: 1, name: 'Subscriptions' }).waitFor();
  await waitForHydration(page);
  const table = page.getByRole('table');
  await table.getByRole('row').nth(1).waitFor();
  // One customer: no customer column or filter.
  assert.equal(await table.getByRole('columnheader', { name: 'Customer' }).count(), 0);
  assert.equal(await page.getByLabel('Customer').isVisible(), false);
  const text = await table.innerText();
  assert.doesNotMatch(text, /Fabrikam|Northwind/);
  assert.match(await page.getByText(/Read from Partner Center at/).innerText(), /UTC\.$/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('the service provider filters, searches, uses the tabs and reads again', async () => {
  const { page, context, problems } = await newPage(browser);
  await signIn(page, 'Service provider admin', '/subscriptions');
  await waitForHydration(page);
  const table = page.getByRole('table');
  await table.getByRole('columnheader', { name: 'Customer' }).waitFor();
  // Live mode: the store at once, then Partner Center read in the browser, then the table.
  await page.getByRole('status', { name: 'Partner Center read' }).getByText(/Read from Partner Center at/).waitFor();
  const all = await table.getByRole('row').count();
  assert.ok(all > 4, `several customers' subscriptions (${all - 1} rows)`);

  await page.getByLabel('Customer').selectOption({ label: 'Fabrikam Inc' });
  await page.getByRole('button', { name: 'Show' }).click();
  await page.waitForURL(/customer=/);
  await waitForHydration(page);
  await page.waitForFunction(() => !document.querySelector('table').innerText.includes('Contoso'));
  assert.match(await table.innerText(), /Fabrikam Inc/);

  await page.getByLabel('Search').fill('no such product');
  await page.getByRole('button', { name: 'Show' }).click();
  await page.getByText('No subscriptions match.').waitFor();

  await page.getByRole('link', { name: 'Marketplace' }).click();
  await page.waitForURL(/tab=marketplace/);
  await waitForHydration(page);
  // The address changes first; the tab is marked once the new list has arrived.
  await page.locator('a.tab[aria-current="page"]', { hasText: 'Marketplace' }).waitFor();
  await page.getByRole('columnheader', { name: 'Offer' }).waitFor();

  // In the browser the read streams (a line per customer) and the table is read again after.
  const [streamed] = await Promise.all([
    page.waitForResponse((r) => r.url().includes('/api/subscriptions-read')),
    page.getByRole('link', { name: 'Read from Partner Center' }).click(),
  ]);
  assert.equal(streamed.status(), 200);
  assert.match(await streamed.text(), /"Finished"/);
  await page.getByRole('status', { name: 'Partner Center read' }).getByText(/Read from Partner Center at/).waitFor();
  assert.doesNotMatch(page.url(), /read=1/);

  // The stored mode: the setting sticks.
  await page.getByLabel(/Shown as last stored/).check();
  await page.getByRole('button', { name: 'Save' }).click();
  await page.reload();
  assert.equal(await page.getByLabel(/Shown as last stored/).isChecked(), true);
  await page.getByLabel(/Read live from Partner Center/).check();
  await page.getByRole('button', { name: 'Save' }).click();
  assert.deepEqual(problems, []);
  await context.close();
});

test('a read of Partner Center keeps the filters the user is choosing', async () => {
  const { page, context, problems } = await newPage(browser);
  // `read=0`: the store, no read of its own on opening.
  await signIn(page, 'Service provider admin', '/subscriptions?read=0');
  await waitForHydration(page);
  await page.getByLabel('Customer').locator('option', { hasText: 'Fabrikam Inc' }).waitFor({ state: 'attached' });
  // Chosen and typed, not sent yet; then a read, which reads the table again as customers
  // answer.
  await page.getByLabel('Customer').selectOption({ label: 'Fabrikam Inc' });
  const customer = await page.getByLabel('Customer').inputValue();
  await page.getByLabel('Search').fill('Office');
  const reread = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/subscriptions');
  await page.getByRole('link', { name: 'Read from Partner Center' }).click();
  await reread;
  await page.getByRole('status', { name: 'Partner Center read' }).getByText(/Read from Partner Center at/).waitFor();
  assert.equal(await page.getByLabel('Customer').inputValue(), customer, 'the customer chosen is still chosen');
  assert.equal(await page.getByLabel('Search').inputValue(), 'Office', 'the search typed is still there');
  await page.getByRole('button', { name: 'Show' }).click();
  await page.waitForURL((url) => url.searchParams.get('customer') === customer && url.searchParams.get('search') === 'Office');
  await waitForHydration(page);
  assert.deepEqual(problems, []);
  await context.close();
});

// As the reseller, for one of its customers (the users tests count Contoso's seats).
test('a reseller changes a quantity: up at once, down at renewal, with the rule explained', async () => {
  const { page, context, problems } = await newPage(browser);
  await signIn(page, 'Reseller admin', '/subscriptions');
  await waitForHydration(page);
  await page.getByRole('status', { name: 'Partner Center read' }).getByText(/Read from Partner Center at/).waitFor();
  const first = page.getByRole('table').getByRole('row').nth(1);
  const product = (await first.getByRole('link').innerText()).trim();
  assert.doesNotMatch(await first.innerText(), /Contoso/);
  await first.getByRole('link').click();
  await page.getByRole('heading', { level: 2, name: product }).waitFor();
  await waitForHydration(page);
  assert.equal(await page.title(), 'Subscription · Seatwise');
  await page.getByText(/The first 7 days of the term have passed/).waitFor();
  // Outside the window there is no Cancel button: the rule says what to do instead.
  assert.equal(await page.getByRole('button', { name: 'Cancel subscription' }).count(), 0);

  const quantity = page.getByLabel('Quantity', { exact: true });
  const start = Number(await quantity.inputValue());
  await quantity.fill(String(start + 1));
  await page.getByRole('button', { name: 'Change quantity' }).click();
  await page.getByRole('status').getByText(`quantity ${start} → ${start + 1}.`).waitFor();
  await page.locator('.facts').getByText(String(start + 1), { exact: true }).waitFor();

  await quantity.fill(String(start - 1));
  await page.getByRole('button', { name: 'Change quantity' }).click();
  await page.getByRole('status').getByText(/ at renewal on /).waitFor();
  await page.locator('.facts').getByText(`${start - 1} licenses`, { exact: true }).waitFor();
  // And it can be taken back.
  await page.getByRole('button', { name: 'Remove the change at renewal' }).click();
  await page.getByRole('status').getByText(/was removed\.$/).waitFor();
  await page.locator('.facts').getByText('No change', { exact: true }).waitFor();

  // Renew with annual billing and one seat more; the reseller's Partner ID is its to set.
  await page.getByLabel('Renew with').selectOption({ label: '1 year, billed annually' });
  await page.getByLabel('Quantity at renewal').fill(String(start + 2));
  await page.getByRole('button', { name: 'Schedule for renewal' }).click();
  await page.getByRole('status').getByText(/billed annually\.$/).waitFor();
  await page.locator('.facts').getByText(`${start + 2} licenses, billed annually`, { exact: true }).waitFor();
  await page.getByLabel('Reseller Partner ID').fill('4455667');
  await page.getByRole('button', { name: 'Save Partner ID' }).click();
  await page.getByRole('status').getByText(/→ 4455667\.$/).waitFor();
  await page.locator('.facts').getByText('4455667', { exact: true }).waitFor();
  assert.deepEqual(problems, []);
  await context.close();
});

test('a marketplace subscription needs action until the publisher\'s set-up is finished', async () => {
  const { page, context, problems } = await newPage(browser);
  await signIn(page, 'Service provider admin', '/subscriptions?tab=marketplace');
  await waitForHydration(page);
  await page.getByRole('status', { name: 'Partner Center read' }).getByText(/Read from Partner Center at/).waitFor();
  const row = page.getByRole('table').getByRole('row', { name: /Fabrikam Inc.*Adatum Sign/ });
  await row.getByText('Action needed').waitFor();
  await row.getByRole('link', { name: 'Adatum Sign' }).click();
  await page.getByRole('heading', { level: 2, name: 'Adatum Sign' }).waitFor();
  await waitForHydration(page);
  await page.getByRole('status').getByText(/Action needed:/).waitFor();
  await page.locator('.facts').getByText('Adatum Software', { exact: true }).waitFor();
  await page.getByText(/can be changed once its set-up on the publisher's site is finished/).waitFor();
  const link = page.getByRole('link', { name: "Finish the set-up on the publisher's site" });
  assert.equal(await link.getAttribute('target'), '_blank');
  assert.match(await link.getAttribute('rel'), /noopener/);
  const back = page.url();

  // On the publisher's site (the emulator's page), then back: active, and changeable.
  await page.goto(await link.getAttribute('href'));
  await page.getByRole('button', { name: 'Finish set-up' }).click();
  await page.getByText(/is set up/).waitFor();
  await page.goto(back);
  await waitForHydration(page);
  await page.locator('.facts').getByText('Active', { exact: true }).waitFor();
  assert.equal(await page.getByText(/Action needed/).count(), 0);
  await page.getByText(/A marketplace offer: quantity changes apply at once/).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Suspend' }).count(), 0);
  await page.screenshot({ path: '/tmp/marketplace.png', fullPage: true });
  assert.deepEqual(problems, []);
  await context.close();
});
