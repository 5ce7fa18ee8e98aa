// The Connections page in a real browser: the admin tests the sandbox and settings typed in the
// Add form, is told why Add is refused while the demo accounts exist, and renames a
// connection; support can test but change nothing; a customer admin is refused.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE_URL, launch, newPage, signIn, waitForHydration } from './browser.mjs';

let browser, close;
before(async () => ({ browser, close } = await launch()));
after(async () => close());

test('the admin tests connections, is refused Add in the demo, and renames one', async () => {
  const { page, context, problems } = await newPage(browser);
  await signIn(page);
  await waitForHydration(page);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Connections' }).click();
  await page.getByRole('heading', { level: 1, name: 'Connections' }).waitFor();
  await waitForHydration(page);
  assert.equal(await page.title(), 'Connections · Seatwise');
  const sandbox = page.getByRole('row', { name: /Sandbox/ });
  await sandbox.getByText('Default').waitFor();
  assert.match(await sandbox.innerText(), /Contoso Ltd/, 'the customers using it are named');
  // The sandbox belongs to the emulator: no new secret, no removal.
  assert.equal(await sandbox.getByRole('button', { name: /Remove/ }).count(), 0);

  // Test: every read once, each result shown, the last successful call recorded.
  await sandbox.getByRole('button', { name: 'Test Sandbox' }).click();
  const report = page.getByRole('status').filter({ hasText: /Test of Sandbox/ });
  await report.waitFor();
  assert.match(await report.innerText(), /Test of Sandbox: \d+ passed, 0 failed/);
  await page.getByRole('cell', { name: 'list customers' }).waitFor();
  await sandbox.getByText(/UTC$/).waitFor();

  // The Add form's Test uses the settings typed, and keeps nothing.
  const apiUrl = (await sandbox.locator('td').first().locator('.muted').innerText()).trim();
  await page.getByLabel('Name', { exact: true }).fill('Second region');
  await page.getByLabel('Country (two letters)').fill('GB');
  await page.getByLabel('Partner Center API URL').fill(apiUrl);
  await page.getByLabel('Sign-in URL').fill(apiUrl);
  await page.getByLabel('Partner tenant (id or domain)').fill('second.onmicrosoft.com');
  await page.getByLabel('Application (client) id').fill('second-app');
  await page.getByLabel('Client secret or refresh token').fill('a-secret');
  await page.getByRole('button', { name: 'Test', exact: true }).click();
  const second = page.getByRole('status').filter({ hasText: /Test of Second region/ });
  await second.waitFor();
  assert.match(await second.innerText(), /0 failed/);
  assert.equal(await page.getByRole('row', { name: /Second region/ }).count(), 0, 'nothing kept');
  // Add is refused while the demo accounts exist, with the reason.
  await page.getByRole('button', { name: 'Add connection' }).click();
  await page.getByRole('alert').getByText(/demo accounts exist/).waitFor();

  // Rename, then back.
  for (const [from, to] of [['Sandbox', 'Sandbox EU'], ['Sandbox EU', 'Sandbox']]) {
    const row = page.getByRole('row', { name: new RegExp(from) });
    await row.getByText('Rename', { exact: true }).click();
    await row.getByLabel(`New name for ${from}`).fill(to);
    await row.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('button', { name: `Test ${to}` }).waitFor();
  }
  assert.deepEqual(problems.filter((p) => !/status of 409 .*connection-add/.test(p)), []);
  await context.close();
});

test('support tests a connection but has no change actions; a customer admin is refused', async () => {
  const { page, context } = await newPage(browser);
  await signIn(page, 'Service provider support', '/connections');
  await waitForHydration(page);
  const sandbox = page.getByRole('row', { name: /Sandbox/ });
  await sandbox.getByRole('button', { name: 'Test Sandbox' }).click();
  await page.getByRole('status').filter({ hasText: /Test of Sandbox/ }).waitFor();
  assert.equal(await sandbox.getByText('Rename').count(), 0);
  assert.equal(await page.getByRole('heading', { name: 'Add a connection' }).count(), 0);
  await context.close();

  const customer = await newPage(browser);
  await signIn(customer.page, 'Customer admin', '/connections');
  await customer.page.getByRole('alert').waitFor();
  assert.match(await customer.page.getByRole('alert').innerText(), /Only the service provider/);
  await customer.context.close();
});
