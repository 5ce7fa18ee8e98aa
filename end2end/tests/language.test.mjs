// English and French: the browser's language, then the account's choice, and the licenses
// journey done entirely in French (the words, the dialog, the toast, the table, the dates), and
// the subscription history as a French reader reads it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE_URL, axe, demoAccount, launch, newPage, seats, signIn, waitForHydration } from './browser.mjs';

let browser, close;
before(async () => ({ browser, close } = await launch()));
after(async () => close());

test('a French browser gets French pages, from the sign-in on', async () => {
  const { page, context, problems } = await newPage(browser, { locale: 'fr-FR' });
  const { email, password } = demoAccount('Customer admin');
  await page.goto(`${BASE_URL}/users`);
  await page.getByRole('heading', { name: 'Connexion' }).waitFor();
  assert.equal(await page.locator('html').getAttribute('lang'), 'fr');
  await page.getByLabel('Adresse e-mail').fill(email);
  await page.getByLabel('Mot de passe').fill(password);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.getByRole('button', { name: 'Se déconnecter' }).waitFor();
  await waitForHydration(page);
  await page.getByRole('heading', { name: 'Utilisateurs', level: 1 }).waitFor();
  const nav = page.getByRole('navigation', { name: 'Principale' });
  await nav.getByRole('link', { name: 'Licences' }).waitFor();
  assert.equal(await page.title(), 'Utilisateurs · Seatwise');
  assert.deepEqual(await axe(page), []);
  assert.deepEqual(problems, []);
  await context.close();
});

test('the customer admin chooses French and completes the licenses journey in French', async () => {
  const { page, context, problems } = await newPage(browser);
  await signIn(page, 'Customer admin', '/account');
  await waitForHydration(page);
  try {
    // The choice is the account's: the page comes back in French.
    await page.getByRole('combobox', { name: 'Language' }).selectOption('fr');
    await page.getByRole('button', { name: 'Save language' }).click();
    await page.getByRole('heading', { name: 'Mon compte', level: 1 }).waitFor();
    assert.equal(await page.locator('html').getAttribute('lang'), 'fr');

    await page.goto(`${BASE_URL}/users`);
    await waitForHydration(page);
    await page
      .getByRole('status', { name: 'Actualisation depuis Partner Center' })
      .getByText(/À jour/)
      .waitFor({ timeout: 20000 });
    await page.waitForLoadState('networkidle');
    const row = page.getByRole('row').filter({ hasText: 'Sans licence' }).first();
    const name = (await row.getByRole('cell').first().innerText()).split('\n')[0].trim();

    await row.getByRole('button', { name: `Actions pour ${name}` }).click();
    await page.getByRole('menuitem', { name: 'Gérer les licences' }).click();
    const dialog = page.getByRole('dialog', { name: `Gérer les licences : ${name}` });
    await dialog.getByRole('switch').first().waitFor();
    const items = dialog.getByRole('listitem');
    let product, available;
    for (const item of await items.all()) {
      const text = await item.innerText();
      const n = Number(text.match(/(\d+) licences? disponibles?/)[1]);
      if (n > 1) {
        product = text.split('\n')[0].trim();
        available = n;
        break;
      }
    }
    assert.ok(product, 'a product with seats');
    const before = await seats(page, product, /^Licences de/);
    await dialog.getByRole('switch', { name: product }).click();
    await items.filter({ hasText: product }).getByText(`${available - 1} licence`).waitFor();
    await dialog.getByRole('button', { name: 'Mettre à jour' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByText(`Licences de ${name} mises à jour.`).waitFor();
    await page.getByRole('row').filter({ hasText: name }).first().getByText(product).waitFor();
    await page.waitForFunction(
      ([product, assigned]) => {
        const rows = [...document.querySelectorAll('table[aria-label^="Licences de"] tbody tr')];
        const row = rows.find((r) => r.cells[0].innerText.trim().startsWith(product));
        return row && Number(row.cells[2].innerText.trim().split(/\s+/)[0]) === assigned;
      },
      [product, before[1] + 1],
    );
    // The change is listed with a date as French readers write it.
    await page.getByText('Modifications récentes des licences').click();
    const change = page.getByRole('row').filter({ hasText: product }).filter({ hasText: '+1' }).first();
    assert.match(await change.getByRole('cell').first().innerText(), /^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}/);

    // Back as it was: the license taken again, in French too.
    await page.getByRole('row').filter({ hasText: name }).first()
      .getByRole('button', { name: `Actions pour ${name}` }).click();
    await page.getByRole('menuitem', { name: 'Gérer les licences' }).click();
    await dialog.getByRole('switch', { name: product }).click();
    await dialog.getByRole('button', { name: 'Mettre à jour' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('row').filter({ hasText: name }).first().getByText('Sans licence').waitFor();
    assert.deepEqual(await axe(page), []);

    // And back to the browser's language, from the French page.
    await page.goto(`${BASE_URL}/account`);
    await waitForHydration(page);
    await page.getByRole('combobox', { name: 'Langue' }).selectOption('');
    await page.getByRole('button', { name: 'Enregistrer la langue' }).click();
    await page.getByRole('heading', { name: 'My account', level: 1 }).waitFor();
    assert.deepEqual(problems, []);
  } finally {
    // Whatever happened, the demo account reads English again for the other tests.
    await page.evaluate(() =>
      fetch('/api/my-language-save', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'language=',
      }),
    );
    await context.close();
  }
});

test('a French reader reads the subscription history in French and filters it by who', async () => {
  const { page, context, problems } = await newPage(browser, { locale: 'fr-FR' });
  const { email, password } = demoAccount('Service provider admin');
  await page.goto(`${BASE_URL}/history`);
  await page.getByLabel('Adresse e-mail').fill(email);
  await page.getByLabel('Mot de passe').fill(password);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.getByRole('button', { name: 'Se déconnecter' }).waitFor();
  // A read of Partner Center puts every subscription in the history, seen from outside.
  const read = await page.request.get(`${BASE_URL}/api/subscriptions?read=1`);
  assert.equal(read.status(), 200);
  await page.reload();
  await waitForHydration(page);
  const seen = page.getByRole('row').filter({ hasText: 'Vu pour la première fois' }).first();
  await seen.waitFor();
  const text = await seen.innerText();
  assert.match(text, / \d+ × .+, (1 mois|1 an|3 ans), (mensuel|annuel|triennal), (actif|suspendu|en attente)/);
  assert.doesNotMatch(text, /P1[MY]|monthly|active/);
  // Who it was, in French; the link still finds that actor's entries as the history keeps them.
  await seen.getByRole('link', { name: 'Partner Center (hors de Seatwise)' }).click();
  await page.waitForURL(/who=Partner(\+|%20)Center(\+|%20)%28outside(\+|%20)Seatwise%29/);
  await waitForHydration(page);
  await page.getByRole('row').filter({ hasText: 'Vu pour la première fois' }).first().waitFor();
  assert.deepEqual(await axe(page), []);
  assert.deepEqual(problems, []);
  await context.close();
});
