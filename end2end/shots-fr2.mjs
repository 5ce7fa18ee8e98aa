import { launch, newPage, demoAccount, waitForHydration, BASE_URL } from './tests/browser.mjs';
const { browser, close } = await launch();
const { page, context, problems } = await newPage(browser, { locale: 'fr-FR' });
const { email, password } = demoAccount('Service provider admin');
await page.goto(`${BASE_URL}/sign-in`);
await page.getByLabel('Adresse e-mail').fill(email);
await page.getByLabel('Mot de passe').fill(password);
await page.getByRole('button', { name: 'Se connecter' }).click();
await page.getByRole('button', { name: 'Se déconnecter' }).waitFor();
for (const p of ['subscriptions', 'history', 'catalog', 'connections', 'jobs', 'bulk', 'customers', 'reconciliation', 'accounts', 'settings', 'status', 'templates', 'subscriptions/new', 'optimisation', 'audit', 'outbox', 'customers/new']) {
  await page.goto(`${BASE_URL}/${p}`);
  await waitForHydration(page);
  await page.waitForLoadState('networkidle');
  await page.screenshot({ path: `/tmp/fr2-${p.replace('/', '-')}.png`, fullPage: true });
}
console.log(problems);
await context.close();
await close();
