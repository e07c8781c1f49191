// The Customers screen in a real Chromium against a real server: a supervisor sees suggested duplicates
// (Thai and Latin names, a shared mailbox) with their reasons and scores, dismisses one, merges another,
// undoes that merge from the history, and imports a CSV whose bad rows are listed row by row while
// nothing is written. Writes docs/screenshots/customers-duplicates.png.
import { afterAll, beforeAll, expect, test } from 'vitest';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, signIn } from './support/browser.js';
import { startTestServer, type TestServer } from './support/harness.js';
import { RowCounter } from './support/row-counts.js';
import { until } from './support/until.js';

const DOCS = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'screenshots');

let server: TestServer;
let browser: Browser;
let page: Page;
let agentToken: string;
let account: string;

async function visitor(name: string, email?: string): Promise<string> {
  const v = await server.api.visitorSession(account, { name, ...(email && { email }) });
  return (await server.store.webChatSessions.findById(v.sessionId))!.customerId;
}

beforeAll(async () => {
  server = await startTestServer('sqlite');
  const admin = await server.api.login();
  const supervisor = await server.api.userWithRole(admin, 'supervisor', 'Supervisor Pim');
  agentToken = (await server.api.userWithRole(admin, 'agent', 'Agent Nok')).token;
  account = await server.api.webChatAccount(admin, 'Shop');
  await visitor('คุณสมชาย ใจดี');
  await visitor('สมชาย ใจดี');
  await visitor('Somchai Jaidee');
  await visitor('somchai  jaidee');
  const owner = await visitor('Wanida Phromma');
  await server.api.request('POST', `/api/v1/customers/${owner}/identities`, {
    token: agentToken,
    body: { kind: 'email', value: 'wanida@example.com' },
  });
  await visitor('วนิดา', 'Wanida+shop@example.com');
  await visitor('Malee Srisuk');
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
  page = await context.newPage();
  await signIn(page, supervisor, server.url);
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

test('duplicates: listed with reasons and scores; Not the same and Merge; the merge undone from the history', async () => {
  await page.getByRole('button', { name: 'Customers', exact: true }).click();
  const list = page.getByRole('list', { name: 'Duplicates' });
  // Three pairs by mailbox or name, and four Thai / Latin spellings of สมชาย ใจดี that sound alike.
  await expect.poll(() => list.getByRole('listitem').count()).toBe(7);
  const cards = list.getByRole('listitem');
  expect(await cards.nth(0).textContent()).toContain('Same email');
  expect(await cards.nth(0).locator('.dup-score-value').textContent()).toBe('90');
  const thaiPair = cards.filter({ hasText: 'คุณสมชาย ใจดี' }).filter({ hasText: 'Same name' });
  await expect.poll(() => thaiPair.count()).toBe(1);
  const acrossScripts = cards.filter({ hasText: 'Similar name' });
  await expect.poll(() => acrossScripts.count()).toBe(4);
  expect(await acrossScripts.first().locator('.dup-score-value').textContent()).toBe('55');
  expect(await thaiPair.locator('.dup-person').nth(1).textContent()).toContain('สมชาย ใจดี');
  await page.screenshot({ path: path.join(DOCS, 'customers-duplicates.png') });

  await cards.filter({ hasText: 'Somchai Jaidee' }).filter({ hasText: 'Same name' }).getByRole('button', { name: 'Not the same' }).click();
  await expect.poll(() => page.locator('.customers-section p.banner').first().textContent()).toContain('Marked as different people');
  await expect.poll(() => list.getByRole('listitem').count()).toBe(6);

  await thaiPair.getByRole('button', { name: 'Merge' }).click();
  await expect.poll(() => page.locator('.customers-section p.banner').first().textContent()).toContain('was merged into คุณสมชาย ใจดี');
  // The merged profile's own pairs go with it (the pair itself and its two with the Latin spellings).
  await expect.poll(() => list.getByRole('listitem').count()).toBe(3);

  await page.getByRole('tab', { name: 'Merge history' }).click();
  const merges = page.getByRole('list', { name: 'Merge history' });
  await expect.poll(() => merges.getByRole('listitem').count()).toBe(1);
  expect(await merges.getByRole('listitem').first().textContent()).toContain('สมชาย ใจดี → คุณสมชาย ใจดี');
  await merges.getByRole('button', { name: 'Undo' }).click();
  await expect.poll(() => merges.getByRole('listitem').first().textContent()).toContain('Undone');
  const res = await server.api.request('GET', '/api/v1/customers?q=สมชาย', { token: agentToken });
  expect(res.body.customers).toHaveLength(2);
});

test('CSV import: the bad rows listed by row, column and reason, and nothing written; then the good rows only', async () => {
  await page.getByRole('tab', { name: 'Import and export' }).click();
  const csv = 'name,phone,email\nนภา ใจงาม,081 111 1111,napa@example.com\nBad,12,\nAlso bad,,nope\n';
  await page.getByLabel('CSV file').setInputFiles({ name: 'ลูกค้า.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  const counter = RowCounter.open(server);
  try {
    // The undo queued both profiles for a duplicate check; let it finish so its pairs are not counted as the import's.
    await until(
      () => server.store.customerMatching.pendingCount(),
      (n) => n === 0,
      'the duplicate checks after the undo',
    );
    const before = await counter.counts();
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    const report = page.locator('.csv-report');
    await expect.poll(() => report.textContent()).toContain('2 of 3 rows have problems, so nothing was imported.');
    const rows = report.locator('tbody tr');
    expect(await rows.allTextContents()).toEqual([
      expect.stringMatching(/^3phonenot a phone number: "12"/),
      expect.stringMatching(/^4emailnot an email address: "nope"/),
    ]);
    expect(await counter.counts()).toEqual(before);

    await page.getByLabel('Import the good rows only').check();
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await expect.poll(() => report.textContent()).toContain('1 imported, 2 rows rejected.');
    expect((await counter.counts()).customers).toBe(before.customers + 1);
  } finally {
    await counter.close();
  }
  // The screen speaks Thai too.
  await page.getByRole('button', { name: 'ไทย' }).click();
  await expect.poll(() => page.getByRole('tab', { name: 'ข้อมูลซ้ำ' }).count()).toBe(1);
});
