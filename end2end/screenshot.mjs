// Screenshots of pages for a human to look at:
//   node screenshot.mjs URL OUT.png [width] [nojs] [role]
// With a role ("Service provider admin", ...) it signs in as that demo account first.
import { launch, newPage, signIn, waitForHydration } from './tests/browser.mjs';

const [url, out, width = '1280', nojs, role] = process.argv.slice(2);
const { browser, close } = await launch();
const { page, problems } = await newPage(browser, {
  viewport: { width: Number(width), height: 800 },
  javaScriptEnabled: nojs !== 'nojs',
});
if (role) await signIn(page, role, new URL(url).pathname + new URL(url).search);
else await page.goto(url);
if (nojs !== 'nojs') await waitForHydration(page).catch(() => problems.push('not hydrated'));
await page.screenshot({ path: out, fullPage: true });
if (problems.length) console.error(problems.join('\n'));
await close();
