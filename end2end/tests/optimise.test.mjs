// The Optimisation page in a real browser: the service provider admin reads Partner Center and
// sees the reductions that would give back unused licenses, each with when it would be made;
// nothing is approved here (other tests count the demo tenants' seats).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, signIn, waitForHydration } from './browser.mjs';

let browser, close;
before(async () => ({ browser, close } = await launch()));
after(async () => close());

test('the admin reads the optimisation report and chooses a reduction', async () => {
  const { page, context, problems } = await newPage(browser);
  await signIn(page, 'Service provider admin');
  await waitForHydration(page);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Optimisation' }).click();
  await page.getByRole('heading', { level: 1, name: 'Optimisation' }).waitFor();
  await waitForHydration(page);
  await page.getByRole('button', { name: 'Read Partner Center' }).click();
  await page.waitForURL(/run=1/);
  await waitForHydration(page);
  await page.getByText(/\d+ customers, \d+ reductions \(\d+ now, \d+ at renewal\), \d+ licenses given back, 0 customers failed/).waitFor();
  const approve = page.getByRole('button', { name: 'Approve the chosen reductions' });
  const rows = page.getByRole('region', { name: 'Reductions' }).getByRole('row');
  if ((await rows.count()) > 1) {
    assert.equal(await approve.isDisabled(), true, 'nothing chosen yet');
    await rows.nth(1).getByRole('checkbox').check();
    await page.getByText('1 reduction chosen.').waitFor();
    assert.equal(await approve.isDisabled(), false);
    assert.match(await rows.nth(1).innerText(), /\d+ → \d+[\s\S]*given back[\s\S]*(Now|At renewal)/);
  }
  await page.screenshot({ path: '/tmp/optimise.png', fullPage: true });
  assert.deepEqual(problems, []);
  await context.close();
});
