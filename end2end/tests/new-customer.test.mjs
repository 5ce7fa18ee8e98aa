// A new customer tenant in a real browser: the service provider admin gets the invitation link
// for an existing tenant, then types a domain that is taken (told so as they type), then a
// free one, fills the form and creates the tenant; its administrator's sign-in is shown once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { axe, launch, newPage, signIn, waitForHydration } from './browser.mjs';

let browser, close;
before(async () => ({ browser, close } = await launch()));
after(async () => close());

test('the admin creates a tenant after a taken domain, and sees its sign-in once', async () => {
  const { page, context, problems } = await newPage(browser);
  await signIn(page, 'Service provider admin', '/customers');
  await waitForHydration(page);
  await page.getByRole('link', { name: 'New customer' }).click();
  await page.getByRole('heading', { level: 1, name: 'New customer' }).waitFor();
  await waitForHydration(page);
  // An existing tenant: the invitation link to send its global administrator.
  await page.getByRole('button', { name: 'Get the invitation link' }).click();
  const invitation = page.getByLabel(/Invitation link/);
  await invitation.waitFor();
  assert.match(await invitation.inputValue(), /^https:\/\/admin\.microsoft\.com\/.*invType=ResellerRelationship/);
  const tag = Date.now().toString(36);
  await page.getByLabel('Company name').fill(`Adatum ${tag}`);
  const domain = page.getByLabel('Domain');
  await domain.pressSequentially('contoso');
  await page.getByText('contoso.onmicrosoft.com is taken: choose another.').waitFor();
  await domain.fill('');
  await domain.pressSequentially(`adatum-${tag}`);
  await page.getByText(`adatum-${tag}.onmicrosoft.com is free.`).waitFor();
  await page.getByLabel('First name').fill('Ada');
  await page.getByLabel('Last name').fill('Tum');
  await page.getByLabel('E-mail').fill('ada@adatum.example');
  await page.getByLabel('Street address').fill('1 Main St');
  await page.getByLabel('City').fill('Redmond');
  await page.getByLabel('State (US, CA, CN, MX)').fill('WA');
  await page.getByLabel('Postal code').fill('98052');
  await page.getByLabel(/accepted the Microsoft Customer Agreement/).check();
  for (const v of await axe(page)) problems.push(`axe: ${v}`);
  await page.getByRole('button', { name: 'Create the customer' }).click();
  await page.getByRole('heading', { name: `Adatum ${tag} is ready` }).waitFor({ timeout: 20000 });
  const card = page.getByRole('status').filter({ hasText: 'Global administrator' });
  assert.match(await card.innerText(), new RegExp(`admin@adatum-${tag}\\.onmicrosoft\\.com`));
  assert.match(await card.innerText(), /The sign-in was mailed to ada@adatum\.example\./);
  await page.screenshot({ path: '/tmp/new-customer.png', fullPage: true });
  assert.deepEqual(problems, []);
  await context.close();
});
