// Segments and customer value in the console, in a real Chromium against a real server. An admin opens
// Admin → Segments, builds rules (a tier and a typed attribute), watches the live count follow each
// change and agree with the API, saves the segment and lists its members; Admin → Value tiers shows the
// quintile cuts of the last refresh; the customer panel shows a customer's RFM scores and orders.
// Writes docs/screenshots/segments.png at 1280x800.
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { openAdminConsole, type AdminConsole } from './support/admin-console.js';
import { startTestServer, type TestServer } from './support/harness.js';
import { openConversation } from './support/scenario.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const DOCS_SHOT = path.join(ROOT, 'docs', 'screenshots', 'segments.png');
const DAY = 86_400_000;

let server: TestServer;
let ui: AdminConsole;
let admin: string;

const request = (method: string, url: string, body?: unknown) => server.api.request(method, `/api/v1${url}`, { token: admin, body });

beforeAll(async () => {
  server = await startTestServer('sqlite');
  admin = await server.api.login();
  await request('POST', '/crm/attributes', { key: 'city', label: 'City', type: 'text' });
  await request('POST', '/crm/attributes', { key: 'plan', label: 'Plan', type: 'choice', options: ['free', 'pro', 'enterprise'] });
  const now = Date.now();
  const people = [
    ['Somchai Jaidee', 'Bangkok', 'pro', [42_000, 61_000, 5_000]],
    ['Malee Sukjai', 'Bangkok', 'enterprise', [120_500]],
    ['Anna Lee', 'Chiang Mai', 'pro', [35_000]],
    ['Niran Boonmee', 'Bangkok', 'free', [12_000, 300]],
    ['Ken Tanaka', 'Phuket', 'free', [900]],
    ['Preecha Dee', 'Bangkok', 'pro', [2_500, 2_500, 2_500]],
  ] as const;
  for (const [i, [name, city, plan, amounts]] of people.entries()) {
    const id = (await server.store.customers.create({ name }, now)).id;
    await request('PATCH', `/customers/${id}`, { attributes: { city, plan } });
    const orders = amounts.map((amount, k) => ({
      customerId: id,
      externalId: `shop-${i}-${k}`,
      amount,
      orderedAt: now - (k * 40 + i * 9) * DAY,
    }));
    expect((await request('POST', '/orders', orders)).status).toBe(201);
  }
  expect((await request('POST', '/crm/rfm/refresh')).status).toBe(200);
  ui = await openAdminConsole(server);
});

afterAll(async () => {
  await ui?.close();
  await server?.stop();
});

test('an admin builds a segment with a live count, saves it and lists its members (writes docs/screenshots/segments.png)', async () => {
  const { page } = ui;
  page.setDefaultTimeout(8_000);
  await page.getByRole('button', { name: 'Admin', exact: true }).click();
  await page.getByRole('tab', { name: 'Segments' }).click();
  await page.getByRole('button', { name: 'New segment' }).click();
  await page.getByLabel('Name', { exact: true }).fill('Bangkok gold and platinum');
  await page.getByLabel('Description').fill('Top customers in Bangkok, for the Songkran gala');

  // The new segment starts as "tier is gold or platinum": 3 customers spent 30,000+ in the last year.
  const count = page.locator('.live-count');
  const apiCount = async (rules: unknown) => (await request('POST', '/segments/preview', { rules })).body.count as number;
  await expect
    .poll(() => count.textContent())
    .toBe(`${await apiCount({ all: [{ field: 'tier', op: 'in', values: ['gold', 'platinum'] }] })} customers match`);

  // Add "City is Bangkok".
  await page.getByRole('button', { name: 'Add condition' }).click();
  const second = page.locator('.rule-condition').nth(1);
  await second.getByLabel('Field').selectOption('attribute:city');
  await second.getByLabel('Operator').selectOption('eq');
  await second.getByLabel('Value').fill('Bangkok');
  const rules = {
    all: [
      { field: 'tier', op: 'in', values: ['gold', 'platinum'] },
      { field: 'attribute', key: 'city', type: 'text', op: 'eq', value: 'Bangkok' },
    ],
  };
  const expected = await apiCount(rules);
  expect(expected).toBe(2);
  await expect.poll(() => count.textContent()).toBe('2 customers match');

  await page.getByRole('button', { name: 'Save segment' }).click();
  await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
  const saved = (await request('GET', '/segments')).body.segments;
  expect(saved).toHaveLength(1);
  expect(saved[0]).toMatchObject({ name: 'Bangkok gold and platinum', rules });

  await page.getByRole('button', { name: 'Show members' }).click();
  const members = page.locator('.segment-member-list li');
  await expect.poll(() => members.count()).toBe(2);
  expect((await members.allTextContents()).join(' ')).toMatch(/Somchai Jaidee/);
  await expect.poll(() => count.textContent()).toBe('2 customers match');
  await page.screenshot({ path: DOCS_SHOT });

  // Value tiers: the quintile cuts of the refresh.
  await page.getByRole('tab', { name: 'Value tiers' }).click();
  await page.getByText('Current quintile cut points').waitFor();
  await page.getByText(/over 6 customers/).waitFor();
});

test('the customer panel shows scores and orders; a supervisor hands an overridden tier back to the purchase history', async () => {
  const accountId = await server.api.webChatAccount(admin, 'Shop chat');
  const opened = await openConversation(server, accountId, 'สวัสดีค่ะ สั่งของไปเมื่อวาน');
  opened.socket.close();
  const customerId = (await server.store.conversations.findById(opened.conversationId))!.customerId;
  expect((await request('PATCH', `/customers/${customerId}`, { name: 'Dao Srisuk' })).status).toBe(200);
  const orders = [0, 1].map((k) => ({ customerId, externalId: `panel-${k}`, amount: 1_500, orderedAt: Date.now() - (k + 1) * DAY }));
  expect((await request('POST', '/orders', orders)).status).toBe(201);
  const computed = (await request('GET', `/customers/${customerId}/value`)).body.value;
  expect((await request('PATCH', `/customers/${customerId}`, { valueTier: 'platinum', vip: true })).status).toBe(200);

  const { page } = ui;
  await page.goto(`${server.url}/?conversation=${opened.conversationId}`);
  const section = page.getByRole('region', { name: 'Value' });
  await expect.poll(() => section.textContent(), { timeout: 10_000 }).toContain('set by a supervisor');
  expect(await section.textContent()).toContain('2 orders');
  expect(await section.locator('.tier-badge').allTextContents()).toEqual(expect.arrayContaining(['Platinum', 'VIP']));

  await section.getByRole('button', { name: 'Use computed' }).click();
  await expect.poll(() => section.textContent()).not.toContain('set by a supervisor');
  const back = (await request('GET', `/customers/${customerId}/value`)).body.value;
  expect(back).toMatchObject({ tierOverride: null, vipOverride: null, valueTier: computed.valueTier, vip: computed.vip });
});
