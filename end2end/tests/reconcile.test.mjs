// Reconciliation in a real browser: a subscription is renamed directly in Partner Center (the
// emulator's own endpoint; a name, so that other tests' seat counts stay as they are), the service provider compares, previews the correction of that one finding
// (nothing written), applies it, sees the report agree, and finds it in the history.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { BASE_URL, launch, newPage, signIn, waitForHydration } from './browser.mjs';

let browser, close;
before(async () => ({ browser, close } = await launch()));
after(async () => close());

/// The embedded emulator's address, as `seatwise serve` printed it.
function emulatorUrl() {
  const log = readFileSync(`${process.env.SEATWISE_DATA}/server.log`, 'utf8');
  const found = log.match(/built-in emulator \(connection "Sandbox"\) at (\S+)/);
  if (!found) throw new Error(`no emulator address in the server log:\n${log}`);
  return found[1];
}

test('the service provider previews and applies one correction', async () => {
  const { page, context, problems } = await newPage(browser);
  await signIn(page, 'Service provider admin', '/');
  await waitForHydration(page);
  // Every list read into the store, then one quantity changed outside Seatwise.
  const list = await (await page.request.get(`${BASE_URL}/api/subscriptions?read=1`)).json();
  const sub = list.rows.find((r) => r.customer === 'Contoso Ltd' && r.status === 'active');
  assert.ok(sub, 'an active subscription of Contoso');
  const changed = await page.request.post(
    `${emulatorUrl()}/_emulator/customers/${sub.customer_id}/subscriptions/${sub.id}`,
    { data: { friendlyName: 'Renamed outside Seatwise' } },
  );
  assert.equal(changed.status(), 200);

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Reconciliation' }).click();
  await page.getByRole('heading', { level: 1, name: 'Reconciliation' }).waitFor();
  await waitForHydration(page);
  await page.getByLabel('Connection').selectOption({ label: 'All connections' });
  await page.getByRole('button', { name: 'Compare with Partner Center' }).click();
  await page.waitForURL(/run=1/);
  await waitForHydration(page);
  const row = page.getByRole('row').filter({ hasText: sub.id }).filter({ hasText: 'Friendly name differs' });
  await row.waitFor();
  assert.match(await row.innerText(), /Renamed outside Seatwise/);

  await row.getByRole('checkbox').check();
  await page.getByText('1 finding chosen.').waitFor();
  await page.getByRole('button', { name: 'Preview the corrections' }).click();
  const preview = page.getByRole('region', { name: 'Preview: what would change' });
  await preview.waitFor();
  assert.match(await preview.innerText(), /friendly name: .* → Renamed outside Seatwise/);
  await page.screenshot({ path: '/tmp/reconcile-preview.png', fullPage: true });
  // A dry run: the finding is still there when compared again.
  assert.equal(await row.count(), 1);

  await preview.getByRole('button', { name: 'Apply this change' }).click();
  await page.getByText('Applied 1 correction.').waitFor();
  await row.waitFor({ state: 'detached' });
  await page.screenshot({ path: '/tmp/reconcile-applied.png', fullPage: true });

  await page.getByRole('link', { name: 'See it in the history' }).click();
  await page.waitForURL(/kind=reconcile/);
  await waitForHydration(page);
  const history = page.getByRole('table');
  await history.getByText(/Reconciled, friendly name: .* → Renamed outside Seatwise/).waitFor();
  assert.match(await history.innerText(), /admin@seatwise\.demo/);
  assert.deepEqual(problems, []);
  await context.close();
});
