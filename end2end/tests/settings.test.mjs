// The Settings page in a real browser: the service provider admin sets the nightly sync's time of
// day, a bad time is refused by the browser's own time field, and the saved time is shown again
// after a reload; support sees it but cannot change it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, signIn, waitForHydration } from './browser.mjs';

let browser, close;
before(async () => ({ browser, close } = await launch()));
after(async () => close());

test('the admin sets the nightly sync time; support only reads it', async () => {
  const { page, context, problems } = await newPage(browser);
  await signIn(page, 'Service provider admin');
  await waitForHydration(page);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
  await waitForHydration(page);
  const time = page.getByLabel('Time of day (UTC)');
  assert.equal(await time.inputValue(), '02:00');
  await time.fill('03:30');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByText('Saved.').waitFor();
  await page.reload();
  await waitForHydration(page);
  assert.equal(await page.getByLabel('Time of day (UTC)').inputValue(), '03:30');
  await page.screenshot({ path: '/tmp/settings.png', fullPage: true });
  assert.deepEqual(problems, []);
  await context.close();

  const support = await newPage(browser);
  await signIn(support.page, 'Service provider support', '/settings');
  await support.page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
  assert.equal(await support.page.getByLabel('Time of day (UTC)').isDisabled(), true);
  assert.equal(await support.page.getByRole('button', { name: 'Save' }).count(), 0);
  await support.page.getByText('Only service provider admins can change it.').waitFor();
  assert.deepEqual(support.problems, []);
  await support.context.close();
});
