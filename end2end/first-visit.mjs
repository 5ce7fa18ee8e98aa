// `make bench`: a customer's first visit in Chromium, cold cache. Signs in (a session of its
// own), imports the first tenant of the connection, then opens that customer's users page in
// a fresh browser context (nothing cached) and prints, as `| figure | value |` rows, the time
// from navigation start until the page is hydrated with its rows on screen, and the wasm the
// browser downloaded for it (per file, bytes on the wire).
//
// Usage: node first-visit.mjs URL EMAIL PASSWORD
import { launch, signInWith } from './tests/browser.mjs';

const [base, email, password] = process.argv.slice(2);
const { browser, close } = await launch();
try {
  const setup = await browser.newContext();
  const page = await setup.newPage();
  await signInWith(page, base, email, password);
  const customer = await page.evaluate(async () => {
    const tenants = await (await fetch('/api/tenants')).json();
    const id = tenants.tenants[0].id;
    const body = new URLSearchParams({ tenant_id: id });
    const r = await fetch('/api/import-tenant', { method: 'POST', body });
    if (!r.ok) throw new Error(`import: ${r.status} ${await r.text()}`);
    return id;
  });
  const cookies = await setup.cookies();
  await setup.close();

  const figures = [];
  for (const run of [1, 2, 3]) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.addCookies(cookies);
    const visit = await context.newPage();
    await visit.goto(`${base}/users?customer=${customer}`);
    await visit.locator('.app[data-hydrated="true"]').waitFor({ timeout: 60000 });
    await visit.locator('tbody tr').first().waitFor({ timeout: 60000 });
    const seen = await visit.evaluate(() => ({
      ms: performance.now(),
      wasm: performance
        .getEntriesByType('resource')
        .filter((r) => r.name.endsWith('.wasm'))
        .map((r) => ({ name: r.name.split('/').pop(), bytes: r.encodedBodySize })),
      rows: document.querySelectorAll('tbody tr').length,
    }));
    figures.push(seen);
    await context.close();
  }
  const median = figures.map((f) => f.ms).sort((a, b) => a - b)[1];
  const wasm = figures[0].wasm;
  const total = wasm.reduce((sum, w) => sum + w.bytes, 0);
  console.log(`| first visit, users page of 1,000 users (cold cache, Chromium): navigation start to hydrated with rows, median of 3 | ${Math.round(median)} ms |`);
  console.log(`|   wasm downloaded for it: ${wasm.length} files, bytes on the wire (brotli) | ${(total / 1024).toFixed(1)} KB |`);
} finally {
  await close();
}
