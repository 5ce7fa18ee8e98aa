// The Jobs page in a real browser: the service provider admin starts a full sync, watches its
// progress bar fill while the page asks again by itself, and sees it succeed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, signIn, waitForHydration } from './browser.mjs';

let browser, close;
before(async () => ({ browser, close } = await launch()));
after(async () => close());

test('the admin starts a full sync and watches it finish', async () => {
  const { page, context, problems } = await newPage(browser);
  await signIn(page, 'Service provider admin');
  await waitForHydration(page);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Jobs' }).click();
  await page.getByRole('heading', { level: 1, name: 'Jobs' }).waitFor();
  await waitForHydration(page);
  await page.getByLabel('Job to run now').selectOption('sync');
  await page.getByRole('button', { name: 'Run now' }).click();
  const table = page.getByRole('table');
  const row = table.getByRole('row').nth(1);
  await row.getByText('Sync of every subscription').waitFor();
  // Nobody reloads: the page asks again until the job has finished.
  await row.getByText('Succeeded').waitFor({ timeout: 20000 });
  const text = await row.innerText();
  assert.match(text, /Asked by admin@seatwise\.demo/);
  assert.match(text, /(\d+) of \1 done/);
  assert.match(text, /customers, \d+ subscriptions seen/);
  const bar = row.getByRole('progressbar');
  assert.equal(await bar.getAttribute('value'), await bar.getAttribute('max'));
  await page.screenshot({ path: '/tmp/jobs.png', fullPage: true });
  assert.deepEqual(problems, []);
  await context.close();
});
