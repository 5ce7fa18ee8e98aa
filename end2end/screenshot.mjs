// Screenshots of pages for a human to look at: node screenshot.mjs URL OUT.png [width] [nojs]
import { launch, newPage, waitForHydration } from './tests/browser.mjs';

const [url, out, width = '1280', nojs] = process.argv.slice(2);
const { browser, close } = await launch();
const { page, problems } = await newPage(browser, {
  viewport: { width: Number(width), height: 800 },
  javaScriptEnabled: nojs !== 'nojs',
});
await page.goto(url);
if (nojs !== 'nojs') await waitForHydration(page).catch(() => problems.push('not hydrated'));
await page.screenshot({ path: out, fullPage: true });
if (problems.length) console.error(problems.join('\n'));
await close();
