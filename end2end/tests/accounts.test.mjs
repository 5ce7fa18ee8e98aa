// Portal accounts in a real browser: invite, disable and enable; My account; a set-password
// link that does not work; support sees no change actions.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE_URL, launch, newPage, signIn, waitForHydration } from './browser.mjs';

let browser, close;
before(async () => ({ browser, close } = await launch()));
after(async () => close());

test('the admin invites someone, then disables and enables the account', async () => {
  const { page, context, problems } = await newPage(browser);
  await signIn(page);
  await waitForHydration(page);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Accounts' }).click();
  await page.getByRole('heading', { level: 1, name: 'Accounts' }).waitFor();
  await waitForHydration(page);
  // Every demo account is listed; the admin's own row has no actions.
  const own = page.getByRole('row', { name: /admin@seatwise\.demo/ });
  await own.getByText('You').waitFor();

  await page.getByLabel('Email address').fill('gina@contoso.example');
  await page.getByLabel('Name', { exact: true }).fill('Gina Green');
  await page.getByLabel('Role', { exact: true }).selectOption('customer_admin');
  await page.getByLabel('Reseller or customer', { exact: true }).selectOption({ label: 'Contoso Ltd' });
  await page.getByRole('button', { name: 'Send invitation' }).click();
  await page.getByRole('status').getByText(/set-password link is in the outbox/).waitFor();
  const gina = page.getByRole('row', { name: /gina@contoso\.example/ });
  await gina.getByText('No password yet').waitFor();
  assert.match(await gina.innerText(), /Customer admin\s+Contoso Ltd/);

  await gina.getByRole('button', { name: 'Disable gina@contoso.example' }).click();
  await gina.getByText('Disabled').waitFor();
  await gina.getByRole('button', { name: 'Enable gina@contoso.example' }).click();
  await gina.getByText('No password yet').waitFor();

  // Inviting the same address again names the field.
  await page.getByLabel('Email address').fill('gina@contoso.example');
  await page.getByLabel('Name', { exact: true }).fill('Gina again');
  await page.getByLabel('Role', { exact: true }).selectOption('customer_admin');
  await page.getByLabel('Reseller or customer', { exact: true }).selectOption({ label: 'Contoso Ltd' });
  await page.getByRole('button', { name: 'Send invitation' }).click();
  await page.getByRole('alert').getByText(/already exists/).waitFor();
  // The refusal is the 400 the page shows, and nothing else went wrong.
  assert.deepEqual(problems.filter((p) => !/status of 400 .*account-invite/.test(p)), []);
  await context.close();
});

test('my account: a wrong current password is refused with the reason', async () => {
  const { page, context, problems } = await newPage(browser);
  await signIn(page, 'Reseller admin');
  await waitForHydration(page);
  await page.getByRole('link', { name: /Riley Reseller/ }).click();
  await page.getByRole('heading', { level: 1, name: 'My account' }).waitFor();
  await waitForHydration(page);
  await page.getByLabel(/Current password/).fill('not my password at all');
  await page.getByLabel(/New password/).fill('a fresh long password');
  await page.getByRole('button', { name: 'Change password' }).click();
  await page.getByRole('alert').getByText(/not your current password/).waitFor();
  assert.deepEqual(problems.filter((p) => !/status of 400 .*my-password/.test(p)), []);
  await context.close();
});

test('a set-password link that is not valid says so', async () => {
  const { page, context, problems } = await newPage(browser);
  await page.goto(BASE_URL + '/set-password?token=not-a-real-token');
  await page.getByRole('heading', { level: 1, name: 'Choose your password' }).waitFor();
  await page.getByLabel(/New password/).fill('a long enough password');
  await page.getByLabel('The same password again').fill('a long enough password');
  await page.getByRole('button', { name: 'Set password' }).click();
  await page.getByRole('alert').getByText(/not valid any more/).waitFor();
  assert.deepEqual(problems, []);
  await context.close();
});

test('support sees users but no change actions, and no Accounts page', async () => {
  const { page, context, problems } = await newPage(browser);
  await signIn(page, 'Service provider support', '/users');
  await waitForHydration(page);
  await page.getByRole('heading', { level: 1, name: 'Users' }).waitFor();
  await page.getByText('Read only').first().waitFor();
  assert.equal(await page.getByRole('button', { name: /^Actions for/ }).count(), 0);
  const nav = page.getByRole('navigation', { name: 'Main' });
  assert.equal(await nav.getByRole('link', { name: 'Accounts' }).count(), 0);
  assert.deepEqual(problems, []);
  await context.close();
});
