// Bulk work in a real browser: a customer admin picks a CSV file of new users, sees the row
// with a problem named, corrects it in place, checks again, runs it, watches the job's
// progress and downloads the result (each user created, with a first password). No license is
// given, so the seat counts other tests read stay as they are.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { axe, launch, newPage, signIn, waitForHydration } from './browser.mjs';

let browser, close;
before(async () => ({ browser, close } = await launch()));
after(async () => close());

test('a customer admin creates users from a file, corrects a row, and downloads the result', async () => {
  const { page, context, problems } = await newPage(browser, { acceptDownloads: true });
  await signIn(page, 'Customer admin');
  await waitForHydration(page);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Bulk work' }).click();
  await page.getByRole('heading', { level: 1, name: 'Bulk work' }).waitFor();
  await waitForHydration(page);

  const tag = Date.now().toString(36);
  const file = [
    'First name,Last name,User name,Usage location,Licenses',
    `Bulk,Ada,bulk.ada.${tag}@contoso.onmicrosoft.com,US,`,
    `Bulk,Bo,bulk.bo.${tag}@wrong.example,US,`,
  ].join('\n');
  await page.getByLabel('File', { exact: true }).setInputFiles({ name: 'users.csv', mimeType: 'text/csv', buffer: Buffer.from(file) });
  const text = page.getByLabel('Or its text (edit it here to correct a row)');
  await page.waitForFunction(() => document.querySelector('#bulk-csv')?.value.includes('wrong.example'));
  await page.getByRole('button', { name: 'Check the file' }).click();
  await page.getByText('1 row with a problem: correct it and check again. Nothing was sent.').waitFor();
  const bad = page.getByRole('row', { name: /wrong\.example/ });
  await bad.getByText(/wrong\.example is not one of the customer's domains/).waitFor();
  assert.equal(await page.getByRole('button', { name: /^Create \d+ user/ }).count(), 0, 'no start with a problem');
  for (const v of await axe(page)) problems.push(`axe: ${v}`);
  await page.screenshot({ path: '/tmp/bulk-check.png', fullPage: true });

  // Corrected in place, checked again, run.
  await text.fill(file.replace('wrong.example', 'contoso.onmicrosoft.com'));
  await page.getByRole('button', { name: 'Check the file' }).click();
  await page.getByText('Ready: 2 users to do.').waitFor();
  await page.getByRole('button', { name: 'Create 2 users' }).click();
  await page.waitForURL(/job=/);
  await waitForHydration(page);
  const progress = page.getByRole('progressbar', { name: /Progress/ });
  await progress.waitFor();
  await page.getByText('Finished', { exact: true }).waitFor({ timeout: 30000 });
  assert.equal(await progress.getAttribute('value'), '2');
  await page.getByText('Finished · 2 of 2 done').waitFor();
  for (const v of await axe(page)) problems.push(`axe: ${v}`);
  await page.screenshot({ path: '/tmp/bulk-job.png', fullPage: true });

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Download the result (CSV)' }).click(),
  ]);
  const result = readFileSync(await download.path(), 'utf8').trim().split(/\r?\n/);
  assert.equal(result[0], 'line,user_name,outcome,detail,password');
  assert.equal(result.length, 3, result.join('\n'));
  for (const line of result.slice(1)) {
    const [, name, outcome, , password] = line.split(',');
    assert.match(name, new RegExp(`^bulk\\.(ada|bo)\\.${tag}@contoso\\.onmicrosoft\\.com$`));
    assert.equal(outcome, 'created');
    assert.ok(password.length >= 12, 'a first password');
  }
  assert.deepEqual(problems, []);
  await context.close();
});
