// The console shell in a real browser: renders, hydrates, navigates client-side, calls a server
// function, shows 404s, and renders without JavaScript.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE_URL, launch, newPage, signIn, waitForHydration } from './browser.mjs';

let browser, close;
before(async () => ({ browser, close } = await launch()));
after(async () => close());

test('the shell renders with navigation to every area', async () => {
  const { page, context, problems } = await newPage(browser);
  await signIn(page);
  assert.equal(new URL(page.url()).pathname, '/');
  assert.equal(await page.title(), 'Overview · Seatwise');
  await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
  const nav = page.getByRole('navigation', { name: 'Main' });
  assert.equal(await nav.getByRole('link', { name: 'Overview' }).getAttribute('aria-current'), 'page');
  assert.equal(await nav.locator('[aria-disabled="true"]').count(), 0, 'nothing is greyed');
  // What is built is a link, never "coming soon".
  for (const built of ['Licenses', 'Subscriptions', 'Catalog', 'History', 'Reconciliation', 'Optimisation', 'Connections', 'Jobs', 'Settings']) {
    assert.equal(await nav.getByRole('link', { name: built }).count(), 1, `${built} is a link`);
  }
  const areas = page.getByRole('region', { name: 'Areas' });
  for (const built of ['Users', 'Licenses', 'Subscriptions', 'History']) {
    await areas.getByRole('link', { name: built }).waitFor();
  }
  assert.equal(await areas.getByText('Coming soon').count(), 0, 'every area is built');
  await waitForHydration(page);
  assert.deepEqual(problems, []);
  await context.close();
});

test('Licenses opens the one customer of a customer admin, and a list for others', async () => {
  const { page, context, problems } = await newPage(browser);
  await signIn(page, 'Customer admin', '/licenses');
  await page.getByRole('table', { name: /^Licenses of Contoso/ }).waitFor();
  assert.equal(new URL(page.url()).pathname, '/users');
  await context.close();
  const second = await newPage(browser);
  await signIn(second.page, 'Reseller admin', '/licenses');
  await second.page.getByRole('heading', { level: 1, name: 'Licenses' }).waitFor();
  await second.page.getByRole('link', { name: 'Fabrikam Inc' }).click();
  await second.page.getByRole('table', { name: /^Licenses of Fabrikam/ }).waitFor();
  assert.deepEqual([...problems, ...second.problems], []);
  await second.context.close();
});

test('hydrated: the navigation toggle works in the browser', async () => {
  const { page, context, problems } = await newPage(browser);
  await signIn(page);
  await waitForHydration(page);
  const hide = page.getByRole('button', { name: 'Hide navigation' });
  assert.equal(await hide.getAttribute('aria-expanded'), 'true');
  await hide.click();
  const show = page.getByRole('button', { name: 'Show navigation' });
  assert.equal(await show.getAttribute('aria-expanded'), 'false');
  assert.equal(await page.getByRole('navigation', { name: 'Main' }).isVisible(), false);
  // Keyboard works too: Space on the focused button opens it again.
  await show.focus();
  await page.keyboard.press('Space');
  await page.getByRole('button', { name: 'Hide navigation' }).waitFor();
  assert.equal(await page.getByRole('navigation', { name: 'Main' }).isVisible(), true);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a link loads its page from the server, which hydrates, and a server function answers a button', async () => {
  const { page, context, problems } = await newPage(browser);
  await signIn(page, 'Service provider support');
  await waitForHydration(page);
  // Pages are server HTML with islands: following a link loads the next page whole.
  await page.evaluate(() => (window.__sameDocument = true));
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'System status' }).click();
  await page.getByRole('heading', { level: 1, name: 'System status' }).waitFor();
  assert.equal(new URL(page.url()).pathname, '/status');
  await waitForHydration(page);
  assert.equal(await page.evaluate(() => window.__sameDocument), undefined, 'loaded from the server');
  const database = page.getByRole('row', { name: /Database/ });
  await database.waitFor();
  assert.match(await database.innerText(), /Reachable\s+SQLite/);

  // The button is answered in place, without loading the page again.
  await page.evaluate(() => (window.__sameDocument = true));
  await page.getByRole('button', { name: 'Check again' }).click();
  await page.getByRole('status').getByText(/^Checked at \d\d:\d\d:\d\d UTC$/).waitFor();
  assert.equal(await page.evaluate(() => window.__sameDocument), true, 'no reload');
  assert.equal(await page.title(), 'System status · Seatwise');

  await page.goBack();
  await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
  assert.deepEqual(problems, []);
  await context.close();
});

test('an unknown address shows the 404 page with its request id', async () => {
  const { page, context } = await newPage(browser);
  await signIn(page, 'Customer admin');
  const response = await page.goto(BASE_URL + '/no/such/page');
  assert.equal(response.status(), 404);
  await page.getByRole('heading', { level: 1, name: 'Page not found' }).waitFor();
  assert.equal(await page.title(), 'Page not found · Seatwise');
  const requestId = response.headers()['x-request-id'];
  assert.ok(requestId);
  assert.match(await page.locator('.content').innerText(), new RegExp(`Request id: ${requestId}`));
  await page.getByRole('link', { name: 'Go to the overview' }).click();
  await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
  await waitForHydration(page);
  await context.close();
});

test('without JavaScript the pages still render, data included', async () => {
  const { page, context } = await newPage(browser, { javaScriptEnabled: false });
  await signIn(page);
  await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
  assert.equal(await page.locator('.app[data-hydrated]').count(), 0, 'not hydrated');
  await page.getByRole('link', { name: 'System status' }).first().click();
  await page.getByRole('heading', { level: 1, name: 'System status' }).waitFor();
  assert.match(await page.getByRole('row', { name: /Database/ }).innerText(), /Reachable/);
  // The button is a plain form without JavaScript: it reloads the page, which checks again.
  await page.getByRole('button', { name: 'Check again' }).click();
  await page.getByRole('row', { name: /Migrations/ }).waitFor();
  assert.match(await page.getByRole('row', { name: /Migrations/ }).innerText(), /Up to date/);
  // The users list renders from the cache; its Refresh button is a plain form that makes the
  // server read Partner Center before answering.
  await page.getByRole('link', { name: 'Users' }).first().click();
  await page.getByRole('heading', { level: 1, name: 'Users' }).waitFor();
  await page.getByRole('button', { name: 'Refresh from Partner Center' }).click();
  await page.waitForURL(/wait=1/);
  await page.getByText(/^\d+ users · (\d+) of \1 customers loaded/).waitFor();
  assert.ok((await page.getByRole('row').count()) > 10, 'users listed');
  await context.close();
});

test('sign-in: wrong password, then the right one lands on the page asked for; sign-out ends it', async () => {
  const { page, context, problems } = await newPage(browser);
  await page.goto(BASE_URL + '/status');
  assert.equal(new URL(page.url()).pathname, '/sign-in');
  await page.getByLabel('Email address').fill('admin@seatwise.demo');
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('alert').getByText('Wrong email address or password.').waitFor();
  await signIn(page, 'Service provider admin', '/status');
  assert.equal(new URL(page.url()).pathname, '/status');
  await page.getByRole('heading', { level: 1, name: 'System status' }).waitFor();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByText('You have signed out.').waitFor();
  await page.goto(BASE_URL + '/');
  assert.equal(new URL(page.url()).pathname, '/sign-in');
  assert.deepEqual(problems, []);
  await context.close();
});

test('a reseller sees its own customers on the overview', async () => {
  const { page, context } = await newPage(browser);
  await signIn(page, 'Reseller admin');
  const table = page.getByRole('table');
  await table.waitFor();
  const rows = await table.getByRole('row').allInnerTexts();
  assert.equal(rows.length, 3, rows.join('\n'));
  assert.match(rows[1], /Fabrikam Inc/);
  assert.match(rows[2], /Northwind Traders/);
  assert.ok(!rows.join(' ').includes('Contoso'));
  await context.close();
});

test('a customer admin sees neither system status nor service-provider areas', async () => {
  const { page, context } = await newPage(browser);
  await signIn(page, 'Customer admin');
  const nav = page.getByRole('navigation', { name: 'Main' });
  assert.equal(await nav.getByText('System status').count(), 0);
  assert.equal(await nav.getByText('Connections').count(), 0);
  assert.equal(await nav.getByText('Users').count(), 1);
  await page.goto(BASE_URL + '/status');
  await page.getByRole('alert').waitFor();
  assert.match(await page.getByRole('alert').innerText(), /Only the service provider/);
  await context.close();
});

test('the service provider imports a tenant and finds it in the audit log', async () => {
  const { page, context, problems } = await newPage(browser);
  await signIn(page, 'Service provider admin');
  await waitForHydration(page);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Customers' }).click();
  await page.getByRole('heading', { level: 1, name: 'Customers' }).waitFor();
  await waitForHydration(page);
  await page.getByRole('button', { name: 'Import Wide World Importers' }).click();
  const row = page.getByRole('row', { name: /Wide World Importers/ });
  await row.getByText('Imported').waitFor();
  await row.getByRole('combobox', { name: 'Reseller of Wide World Importers' }).selectOption({ label: 'Northwind Partners' });
  await row.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('status').filter({ hasText: 'Reseller saved.' }).waitFor();
  await page.goto(BASE_URL + '/audit?outcome=succeeded');
  await page.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor();
  const first = await page.getByRole('row').nth(1).innerText();
  assert.match(first, /customer\.reseller/);
  assert.match(await page.getByRole('row').nth(2).innerText(), /customer\.import/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a reseller lists the users of all its customers, filters by customer and searches', async () => {
  const { page, context, problems } = await newPage(browser);
  await signIn(page, 'Reseller admin');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
  await page.getByRole('heading', { level: 1, name: 'Users' }).waitFor();
  await waitForHydration(page);
  // Every customer loaded (an earlier test may have given the reseller a third one).
  await page.getByText(/\d+ users · (\d+) of \1 customers loaded/).waitFor();
  const customers = await page.getByRole('row').evaluateAll((rows) => [...new Set(rows.slice(1).map((r) => r.cells[0].innerText))]);
  assert.ok(customers.includes('Fabrikam Inc') && customers.includes('Northwind Traders'), customers.join());
  assert.ok(!customers.includes('Contoso Ltd'), 'not the reseller\'s customer');
  await page.getByLabel('Customer').selectOption({ label: 'Northwind Traders' });
  await page.getByRole('button', { name: 'Show' }).click();
  await page.getByText(/^12 users/).waitFor();
  const someone = (await page.getByRole('row').nth(1).innerText()).split('\t')[1].split('\n')[0].trim();
  await page.getByLabel('Search').fill(someone);
  await page.getByRole('button', { name: 'Show' }).click();
  await page.getByRole('row', { name: new RegExp(someone) }).first().waitFor();
  assert.deepEqual(problems, []);
  await context.close();
});

test('the users view refreshes live with progress, filters by license, and can start from the cache', async () => {
  const { page, context, problems } = await newPage(browser);
  await signIn(page, 'Service provider admin', '/users');
  await page.getByRole('heading', { level: 1, name: 'Users' }).waitFor();
  await waitForHydration(page);
  // Live mode (the default): the page refreshes itself and says when it is done.
  await page.getByRole('status', { name: 'Partner Center refresh' }).getByText(/Up to date: (\d+) of \1 customers/).waitFor({ timeout: 20000 });
  const license = page.getByLabel('License');
  const products = await license.locator('option').allInnerTexts();
  assert.ok(products.length > 1, `products to filter by: ${products}`);
  await license.selectOption({ label: products[1] });
  await page.getByRole('button', { name: 'Show' }).click();
  await page.waitForURL(/sku=/);
  await waitForHydration(page);
  await page.getByText(/^\d+ users? ·/).waitFor();
  // The URL changes before the table is drawn again: wait for the filtered rows.
  await page.waitForFunction(
    (product) => [...document.querySelectorAll('tr')].slice(1).every((r) => r.innerText.includes(product)),
    products[1],
  );
  const rows = await page.getByRole('row').allInnerTexts();
  assert.ok(rows.length > 1, 'someone holds it');
  for (const row of rows.slice(1)) assert.ok(row.includes(products[1]), `${row} holds ${products[1]}`);
  // Sorting by a column header keeps the filter and marks the column.
  await page.getByRole('link', { name: 'Name', exact: true }).click();
  await page.waitForURL(/sort=name/);
  await waitForHydration(page);
  // The URL changes before the table is drawn again: wait for the header's new state.
  await page.locator('th[aria-sort="ascending"]', { hasText: /^Name/ }).waitFor();
  assert.match(page.url(), /sku=/);

  // The service provider admin switches the default to the cache.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Customers' }).click();
  await page.getByRole('radio', { name: /Show the last fetched users/ }).check();
  await page.getByRole('button', { name: 'Save', exact: true }).last().click();
  await page.waitForTimeout(300);
  await page.goto(`${BASE_URL}/users`);
  await waitForHydration(page);
  const status = page.getByRole('status', { name: 'Partner Center refresh' });
  await status.getByText(/Fetched (less than a minute|\d+ minutes?) ago/).waitFor();
  await page.waitForTimeout(500);
  assert.doesNotMatch(await status.innerText(), /Loading|Up to date/, 'no refresh without asking');
  await page.getByRole('button', { name: 'Refresh from Partner Center' }).click();
  await status.getByText(/Up to date/).waitFor({ timeout: 20000 });

  // Back to live for the tests that follow.
  await page.goto(`${BASE_URL}/customers`);
  await waitForHydration(page);
  await page.getByRole('radio', { name: /Load live from Partner Center/ }).check();
  await page.getByRole('button', { name: 'Save', exact: true }).last().click();
  await page.waitForTimeout(300);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a refresh from Partner Center keeps the filters the user is choosing', async () => {
  const { page, context, problems } = await newPage(browser);
  await signIn(page, 'Service provider admin', '/users');
  await waitForHydration(page);
  const status = page.getByRole('status', { name: 'Partner Center refresh' });
  await status.getByText(/Up to date: (\d+) of \1 customers/).waitFor({ timeout: 20000 });
  // Chosen and typed, not sent yet; then a refresh, which reads the table again as customers
  // answer.
  const license = page.getByLabel('License');
  const products = await license.locator('option').allInnerTexts();
  await license.selectOption({ label: products[1] });
  const sku = await license.inputValue();
  await page.getByLabel('Search').fill('a');
  const reread = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/users');
  await page.getByRole('button', { name: 'Refresh from Partner Center' }).click();
  await reread;
  await status.getByText(/Up to date/).waitFor({ timeout: 20000 });
  assert.equal(await license.inputValue(), sku, 'the license chosen is still chosen');
  assert.equal(await page.getByLabel('Search').inputValue(), 'a', 'the search typed is still there');
  await page.getByRole('button', { name: 'Show' }).click();
  await page.waitForURL((url) => url.searchParams.get('sku') === sku && url.searchParams.get('search') === 'a');
  await waitForHydration(page);
  assert.deepEqual(problems, []);
  await context.close();
});

test('assets: hashed names, kept a year, sent as compressed at build time', async () => {
  const { page, context, problems } = await newPage(browser);
  const assets = [];
  page.on('response', async (r) => {
    if (/\/pkg\/.*\.(wasm|js|css)$/.test(new URL(r.url()).pathname)) assets.push(r);
  });
  await signIn(page, 'Customer admin', '/users');
  await waitForHydration(page);
  assert.ok(assets.some((r) => r.url().endsWith('.wasm')), 'the wasm was fetched');
  for (const r of assets) {
    const name = new URL(r.url()).pathname.split('/').pop();
    assert.match(name, /\.[A-Za-z0-9_-]{22}\.(wasm|js|css)$/, `${name} carries a content hash`);
    const headers = await r.allHeaders();
    assert.equal(headers['cache-control'], 'public, max-age=31536000, immutable', name);
    assert.equal(headers['content-encoding'], 'br', `${name} is the brotli file made at build time`);
  }
  assert.deepEqual(problems, []);
  await context.close();
});
