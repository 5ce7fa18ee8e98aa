// Plan templates: the service provider's admin keeps one (a license with a service plan off and
// a role); a customer admin applies it when creating a user, who then holds that license with
// the plan off.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { axe, launch, newPage, signIn, waitForHydration } from './browser.mjs';

let browser, close;
before(async () => ({ browser, close } = await launch()));
after(async () => close());

const product = 'Microsoft 365 Business Standard';
const plan = 'Microsoft 365 Apps for business';

test('the admin keeps a template; a customer admin creates a user with it', async () => {
  const { page, context, problems } = await newPage(browser);
  // The licenses a template can hold are those the customers have, as last read.
  await signIn(page, 'Service provider admin', '/users');
  await waitForHydration(page);
  await page.getByRole('status', { name: 'Partner Center refresh' }).getByText(/Up to date/).waitFor({ timeout: 30000 });
  await page.getByRole('link', { name: 'Plan templates' }).click();
  await page.getByRole('heading', { level: 1, name: 'Plan templates' }).waitFor();
  await waitForHydration(page);
  const editor = page.getByRole('region', { name: 'New template' });
  await editor.getByLabel('Name').fill('E2E Sales');
  await editor.getByRole('checkbox', { name: product }).check();
  const planBox = editor.getByRole('checkbox', { name: plan, exact: true });
  assert.equal(await planBox.isChecked(), true, 'every plan on at first');
  await planBox.uncheck();
  await editor.getByLabel('Role').selectOption('User Administrator');
  assert.deepEqual(await axe(page), [], 'the page with a license chosen');
  await editor.getByRole('button', { name: 'Save template' }).click();
  await page.getByText('Template saved.').waitFor();
  const row = page.getByRole('row').filter({ hasText: 'E2E Sales' });
  await row.getByText(`${product} (off: ${plan})`).waitFor();
  await row.getByText('User Administrator').waitFor();
  await context.close();

  // Contoso's admin creates a user with it.
  const customer = await newPage(browser);
  const p = customer.page;
  await signIn(p, 'Customer admin', '/users');
  await waitForHydration(p);
  await p.getByRole('button', { name: 'Create user' }).click();
  const create = p.getByRole('dialog', { name: 'Create user' });
  await create.getByLabel('First name').fill('Tess');
  await create.getByLabel('Last name').fill('Template');
  await create.getByLabel('User name').fill('tess.template');
  await create.getByLabel('Location').selectOption('US');
  await create.getByLabel('Plan template (optional)').selectOption({ label: 'E2E Sales' });
  await create.getByRole('button', { name: 'Create' }).click();
  await create.getByText(/The password of tess.template@/).waitFor();
  await create.getByText(/Template E2E Sales: Given: licenses Microsoft 365 Business Standard/).waitFor();
  await create.getByRole('button', { name: 'Done' }).click();
  const user = p.getByRole('row').filter({ hasText: 'Tess Template' }).first();
  await user.locator('.chip', { hasText: product }).getByText(`${plan} off`).waitFor();
  await user.getByText('User Administrator').waitFor();
  assert.deepEqual([...problems, ...customer.problems], []);
  await customer.context.close();
});
