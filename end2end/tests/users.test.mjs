// Office 365 user management in a real browser, as a customer admin (Contoso): licenses with
// switches, edit, delete and restore, create, reset password; by keyboard where a person would.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE_URL, axe, launch, newPage, seats, signIn, waitForHydration } from './browser.mjs';

let browser, close;
before(async () => ({ browser, close } = await launch()));
after(async () => close());

async function usersPage(page) {
  await signIn(page, 'Customer admin', '/users');
  await waitForHydration(page);
  await page.getByRole('status', { name: 'Partner Center refresh' }).getByText(/Up to date/).waitFor({ timeout: 20000 });
  // The table is read once more when the refresh ends (at once when the read was fresh):
  // let that land before working in it.
  await page.waitForLoadState('networkidle');
}


test('licenses: switches count seats in the browser, one update applies them, Escape discards', async () => {
  const { page, context, problems } = await newPage(browser);
  await usersPage(page);
  const row = page.getByRole('row').filter({ hasText: 'Unlicensed' }).first();
  const name = (await row.getByRole('cell').first().innerText()).split('\n')[0].trim();

  // Keyboard: focus the row's menu, open it, choose Manage Licenses with Space.
  await row.getByRole('button', { name: `Actions for ${name}` }).focus();
  await page.keyboard.press('Enter');
  await page.getByRole('menuitem', { name: 'Manage Licenses' }).focus();
  await page.keyboard.press('Space');
  const dialog = page.getByRole('dialog', { name: `Manage Licenses: ${name}` });
  await dialog.getByRole('switch').first().waitFor();

  // Pick a product with seats left; the count moves as the switch does, before anything is sent.
  const items = dialog.getByRole('listitem');
  let product, available;
  for (const item of await items.all()) {
    const text = await item.innerText();
    const n = Number(text.match(/(\d+) licenses? available/)[1]);
    if (n > 0) {
      product = text.split('\n')[0].trim();
      available = n;
      break;
    }
  }
  assert.ok(product, 'a product with seats');
  const before = await seats(page, product);
  const toggle = dialog.getByRole('switch', { name: product });
  const item = items.filter({ hasText: product });
  assert.equal(await toggle.getAttribute('aria-checked'), 'false');
  await toggle.focus();
  await page.keyboard.press('Space');
  assert.equal(await toggle.getAttribute('aria-checked'), 'true');
  await item.getByText(`${available - 1} license`).waitFor();
  await page.keyboard.press('Space');
  await item.getByText(`${available} license`).waitFor();
  await page.keyboard.press('Space');

  // Escape closes without changing anything.
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  assert.deepEqual(await seats(page, product), before);
  assert.match(await row.innerText(), /Unlicensed/);

  // Again, and this time Update.
  await row.getByRole('button', { name: `Actions for ${name}` }).click();
  await page.getByRole('menuitem', { name: 'Manage Licenses' }).click();
  await dialog.getByRole('switch', { name: product }).click();
  await dialog.getByRole('button', { name: 'Update' }).click();
  await dialog.waitFor({ state: 'detached' });
  await page.getByText(`Licenses of ${name} updated.`).waitFor();
  const updated = page.getByRole('row').filter({ hasText: name }).first();
  await updated.getByText(product).waitFor();
  // The licenses table follows without a reload.
  await page.waitForFunction(
    ([product, assigned]) => {
      const rows = [...document.querySelectorAll('table[aria-label^="Licenses of"] tbody tr')];
      const row = rows.find((r) => r.cells[0].innerText.trim().startsWith(product));
      return row && Number(row.cells[2].innerText.trim().split(/\s+/)[0]) === assigned;
    },
    [product, before[1] + 1],
  );
  const after = await seats(page, product);
  assert.deepEqual(after, [before[0], before[1] + 1, before[2] - 1, before[3]]);
  // The change is in the license history.
  await page.getByText('Recent license changes').click();
  await page.getByRole('row').filter({ hasText: product }).filter({ hasText: '+1' }).first().waitFor();
  assert.deepEqual(problems, []);
  await context.close();
});

test('service plans: one turned off shows on the row and the licenses table, then back on', async () => {
  const { page, context, problems } = await newPage(browser);
  await usersPage(page);
  // A user holding a license of two plans; its second plan is turned off.
  const second = {
    'Microsoft 365 Business Basic': 'Microsoft Teams',
    'Microsoft 365 Business Standard': 'Microsoft 365 Apps for business',
    'Microsoft 365 Business Premium': 'Microsoft Intune',
    'Office 365 E3': 'SharePoint (Plan 2)',
  };
  let product;
  for (const chip of await page.locator('tbody .chip').allInnerTexts()) {
    if (second[chip.trim()]) {
      product = chip.trim();
      break;
    }
  }
  assert.ok(product, 'a user with a license of two plans');
  const plan = second[product];
  const row = page.getByRole('row').filter({ has: page.locator('.chip', { hasText: product }) }).first();
  const name = (await row.getByRole('cell').first().innerText()).split('\n')[0].trim();
  const manage = async () => {
    await row.getByRole('button', { name: `Actions for ${name}` }).click();
    await page.getByRole('menuitem', { name: 'Manage Licenses' }).click();
    const dialog = page.getByRole('dialog', { name: `Manage Licenses: ${name}` });
    const item = dialog.locator('.license-entry').filter({ hasText: product });
    await item.getByRole('button', { name: /^Service plans: / }).click();
    return { dialog, item };
  };
  let { dialog, item } = await manage();
  await item.getByRole('button', { name: 'Service plans: 2 of 2 on' }).waitFor();
  const toggle = item.getByRole('switch', { name: plan, exact: true });
  assert.equal(await toggle.getAttribute('aria-checked'), 'true');
  assert.deepEqual(await axe(page), [], 'the dialog with plans open');
  await toggle.click();
  await item.getByRole('button', { name: 'Service plans: 1 of 2 on' }).waitFor();
  await dialog.getByRole('button', { name: 'Update' }).click();
  await dialog.waitFor({ state: 'detached' });
  await page.getByText(`Licenses of ${name} updated.`).waitFor();
  // The user's row names the plan off; the licenses table counts the user.
  await row.locator('.chip', { hasText: product }).getByText(`${plan} off`).waitFor();
  const table = page.getByRole('table', { name: /^Licenses of/ });
  await table.getByRole('row').filter({ hasText: product }).getByText(/\d+ users? ha(s|ve) plans off/).waitFor();

  // Open again: the plan is off as Partner Center now says; turn it back on.
  ({ dialog, item } = await manage());
  await item.getByRole('button', { name: 'Service plans: 1 of 2 on' }).waitFor();
  assert.equal(await item.getByRole('switch', { name: plan, exact: true }).getAttribute('aria-checked'), 'false');
  await item.getByRole('switch', { name: plan, exact: true }).click();
  await dialog.getByRole('button', { name: 'Update' }).click();
  await dialog.waitFor({ state: 'detached' });
  await page.waitForFunction(
    ([name, product]) => {
      const row = [...document.querySelectorAll('tbody tr')].find((r) => r.innerText.includes(name));
      const chip = row && [...row.querySelectorAll('.chip')].find((c) => c.innerText.includes(product));
      return chip && !chip.innerText.includes('off');
    },
    [name, product],
  );
  assert.deepEqual(problems, []);
  await context.close();
});

test('edit user information with a role, then delete and restore', async () => {
  const { page, context, problems } = await newPage(browser);
  await usersPage(page);
  const row = page.getByRole('row').filter({ hasText: 'Zoe Zimmer' }).first();
  await row.getByRole('button', { name: 'Actions for Zoe Zimmer' }).click();
  await page.getByRole('menuitem', { name: 'Edit User Information' }).click();
  const edit = page.getByRole('dialog', { name: /Edit User Information/ });
  await edit.getByLabel('Display name').waitFor();
  assert.equal(await edit.getByLabel('First name').inputValue(), 'Zoe');
  await edit.getByLabel('Display name').fill('Zoe Z. Zimmer');
  await edit.getByLabel('Role').selectOption({ label: 'User Administrator' });
  await edit.getByRole('button', { name: 'Update' }).click();
  await edit.waitFor({ state: 'detached' });
  const renamed = page.getByRole('row').filter({ hasText: 'Zoe Z. Zimmer' }).first();
  await renamed.getByText('User Administrator').waitFor();

  // Delete: the documented warning, then the row is greyed with Restore as its only action.
  await renamed.getByRole('button', { name: 'Actions for Zoe Z. Zimmer' }).click();
  await page.getByRole('menuitem', { name: 'Delete' }).click();
  const del = page.getByRole('dialog', { name: 'Delete Zoe Z. Zimmer' });
  await del.getByText(/You will have 30 days to restore the user/).waitFor();
  await del.getByRole('button', { name: 'Delete' }).click();
  await del.waitFor({ state: 'detached' });
  const deleted = page.getByRole('row').filter({ hasText: 'Zoe Z. Zimmer' }).first();
  await deleted.getByText('Deleted').waitFor();
  assert.match(await deleted.getAttribute('class'), /is-muted/);
  assert.equal(await deleted.getByRole('button', { name: /^Actions for/ }).count(), 0);

  // Restore by keyboard: Tab moves between Cancel and Restore inside the dialog; Enter restores.
  await deleted.getByRole('button', { name: 'Restore Zoe Z. Zimmer' }).click();
  const restore = page.getByRole('dialog', { name: 'Restore Zoe Z. Zimmer' });
  await restore.getByText(/make sure you have a product license available/).waitFor();
  const focused = () => page.evaluate(() => document.activeElement?.textContent?.trim());
  // The dialog takes focus when it opens (on its first control, Cancel).
  const seen = [await focused()];
  for (let i = 0; i < 4 && !seen.includes('Restore'); i++) {
    await page.keyboard.press('Tab');
    seen.push(await focused());
  }
  assert.ok(seen.includes('Cancel') && seen.includes('Restore'), `Tab went through ${seen}`);
  assert.equal(await restore.evaluate((d) => d.contains(document.activeElement)), true, 'focus stays in the dialog');
  await page.keyboard.press('Enter');
  await restore.waitFor({ state: 'detached' });
  await page.getByRole('row').filter({ hasText: 'Zoe Z. Zimmer' }).first().getByText('Active').waitFor();
  assert.deepEqual(problems, []);
  await context.close();
});

test('create a user (errors on the right field), then reset its password', async () => {
  const { page, context, problems } = await newPage(browser);
  await usersPage(page);
  await page.getByRole('button', { name: 'Create user' }).click();
  const create = page.getByRole('dialog', { name: 'Create user' });
  await create.getByLabel('First name').fill('Nina');
  await create.getByLabel('Last name').fill('Park');
  assert.equal(await create.getByLabel('Display name').inputValue(), 'Nina Park');
  await create.getByLabel('User name').fill('nina.park');
  await create.getByLabel('Location').selectOption('DE');
  await create.getByLabel('Password', { exact: true }).fill('weak');
  await create.getByRole('button', { name: 'Create' }).click();
  await create.getByText(/The password is too weak/).waitFor();
  await create.getByLabel('Password', { exact: true }).fill('');
  await create.getByRole('button', { name: 'Create' }).click();
  await create.getByText(/The password of nina.park@/).waitFor();
  const password = await create.getByLabel('New password').innerText();
  assert.equal(password.trim().length, 16);
  await create.getByRole('button', { name: 'Done' }).click();
  const row = page.getByRole('row').filter({ hasText: 'Nina Park' }).first();
  await row.waitFor();
  assert.match(await row.innerText(), /Unlicensed/);

  // Reset the password; with no address the notice goes to the user's own.
  await row.getByRole('button', { name: 'Actions for Nina Park' }).click();
  await page.getByRole('menuitem', { name: 'Reset Password' }).click();
  const reset = page.getByRole('dialog', { name: 'Reset password: Nina Park' });
  await reset.getByRole('button', { name: 'Reset password' }).click();
  await reset.getByText(/on its way to nina\.park@/).waitFor();
  await reset.getByRole('button', { name: 'Done' }).click();
  // The refused weak password is a 400 answer, which the browser logs; nothing else.
  assert.deepEqual(problems.filter((p) => !/status of 400 .*user-create/.test(p)), []);
  await context.close();
});

test('without JavaScript the users list and the licenses table render', async () => {
  const { page, context } = await newPage(browser, { javaScriptEnabled: false });
  await signIn(page, 'Customer admin', '/users');
  await page.getByRole('heading', { level: 1, name: 'Users' }).waitFor();
  const licenses = page.getByRole('table', { name: /^Licenses of/ });
  // The page streams in order: the heading arrives before the table further down.
  await licenses.getByRole('row').nth(1).waitFor();
  assert.ok((await licenses.getByRole('row').count()) > 1, 'products listed');
  assert.ok((await page.getByRole('row').filter({ hasText: '@contoso' }).count()) > 5, 'users listed');
  await context.close();
});

test('a product with no seats left cannot be switched on, and the dialog says why', async () => {
  const { page, context, problems } = await newPage(browser);
  await usersPage(page);
  const product = 'Exchange Online (Plan 1)';
  const unlicensed = async () => {
    const row = page.getByRole('row').filter({ hasText: 'Unlicensed' }).first();
    const name = (await row.getByRole('cell').first().innerText()).split('\n')[0].trim();
    await row.getByRole('button', { name: `Actions for ${name}` }).click();
    await page.getByRole('menuitem', { name: 'Manage Licenses' }).click();
    const dialog = page.getByRole('dialog', { name: `Manage Licenses: ${name}` });
    await dialog.getByRole('switch', { name: product }).waitFor();
    return { name, dialog };
  };
  // Take the seats that are left, one user at a time.
  let available = (await seats(page, product))[2];
  while (available > 0) {
    const { name, dialog } = await unlicensed();
    await dialog.getByRole('switch', { name: product }).click();
    await dialog.getByRole('button', { name: 'Update' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByText(`Licenses of ${name} updated.`).first().waitFor();
    available -= 1;
    for (let i = 0; i < 50 && (await seats(page, product))[2] !== available; i++) await page.waitForTimeout(100);
    assert.equal((await seats(page, product))[2], available);
  }
  // The next person cannot be given one: the switch is off limits, and says why.
  const { dialog } = await unlicensed();
  const toggle = dialog.getByRole('switch', { name: product });
  assert.equal(await toggle.isDisabled(), true);
  await dialog.getByRole('listitem').filter({ hasText: product }).getByText(/0 licenses available · none left to assign/).waitFor();
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  assert.deepEqual(problems, []);
  await context.close();
});
