// The subscription history in a real browser: a customer admin reads its subscriptions (the read
// records what it sees), filters the history, opens one subscription's quantity chart, and
// downloads the CSV of what is filtered.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, signIn, waitForHydration } from './browser.mjs';

let browser, close;
before(async () => ({ browser, close } = await launch()));
after(async () => close());

test('a customer admin filters its history, opens a chart and downloads the CSV', async () => {
  const { page, context, problems } = await newPage(browser, { acceptDownloads: true });
  await signIn(page, 'Customer admin', '/subscriptions');
  await waitForHydration(page);
  await page.getByRole('status', { name: 'Partner Center read' }).getByText(/Read from Partner Center at/).waitFor();

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'History' }).click();
  await page.getByRole('heading', { level: 1, name: 'History' }).waitFor();
  await waitForHydration(page);
  const table = page.getByRole('table');
  await table.getByRole('row').nth(1).waitFor();
  assert.doesNotMatch(await table.innerText(), /Fabrikam|Northwind/);

  await page.getByLabel('Made').selectOption({ label: 'Outside Seatwise' });
  await page.getByRole('button', { name: 'Show' }).click();
  await page.waitForURL(/source=outside/);
  await waitForHydration(page);
  await table.getByRole('row').nth(1).waitFor();
  assert.equal(await table.getByText('In Seatwise').count(), 0);

  // One subscription: its quantity over time, drawn on the server.
  await table.getByRole('row').nth(1).getByTitle("This subscription's history").click();
  await page.waitForURL(/subscription=/);
  await waitForHydration(page);
  await page.getByRole('img', { name: /Quantity over time/ }).waitFor();

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Download CSV' }).click(),
  ]);
  assert.equal(download.suggestedFilename(), 'subscription-history.csv');
  const text = await (await download.createReadStream()).toArray();
  assert.match(Buffer.concat(text).toString('utf8'), /^when_utc,customer,subscription_id/);
  await page.screenshot({ path: '/tmp/history.png', fullPage: true });
  assert.deepEqual(problems, []);
  await context.close();
});
