// Campaigns and satisfaction in the console, in a real Chromium against a real server and the local
// fake of Twilio. An admin opens Admin → Campaigns, writes an SMS campaign with a placeholder, sees the
// server's preview for a real customer, saves the draft and schedules it: the numbers show who got it
// and who was skipped and why. On Admin → Satisfaction they turn the survey on for the SMS number; a
// customer's "5" after their conversation is resolved shows on the conversation and on the customer
// panel. Writes docs/screenshots/campaigns.png at 1280x800.
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { openAdminConsole, type AdminConsole } from './support/admin-console.js';
import { FakeTwilio } from './support/fake-twilio.js';
import { smsCustomers, smsNumber, type SmsNumber } from './support/crm-scenario.js';
import { startTestServer, type TestServer } from './support/harness.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const DOCS_SHOT = path.join(ROOT, 'docs', 'screenshots', 'campaigns.png');
const PUBLIC_URL = 'https://desk.example.test';
const OUR_NUMBER = '+6621112222';

let server: TestServer;
let fake: FakeTwilio;
let ui: AdminConsole;
let admin: string;
let number: SmsNumber;

const request = (method: string, url: string, body?: unknown) => server.api.request(method, `/api/v1${url}`, { token: admin, body });
const sms = (from: string, body: string) => number.arrives(server, from, body);

beforeAll(async () => {
  [fake, server] = await Promise.all([
    FakeTwilio.start(),
    startTestServer('sqlite', { PUBLIC_URL }, { outbox: { baseDelayMs: 10, maxDelayMs: 50, pollMs: 30 }, campaigns: { pollMs: 50 } }),
  ]);
  admin = await server.api.login();
  number = await smsNumber(server.api, admin, fake, { name: 'SMS โปรโมชัน', phoneNumber: OUR_NUMBER, publicUrl: PUBLIC_URL });
  // Six customers: four opted in on SMS, one never said, one replied STOP.
  const people = [
    ['+66811110001', 'Somchai Jaidee', 'opted_in'],
    ['+66811110002', 'Anna Lee', 'opted_in'],
    ['+66811110003', 'Malee Sukjai', 'opted_in'],
    ['+66811110004', 'Ken Tanaka', 'opted_in'],
    ['+66811110005', 'Niran Boonmee', 'never_asked'],
    ['+66811110006', 'Preecha Dee', 'stop'],
  ] as const;
  const customers = await smsCustomers(
    request,
    people.map(([phone, name, consent]) => ({ phone, consent, profile: { name } })),
    {
      greeting: 'Hi',
      source: 'loyalty sign-up',
      texts: async (phone, body) => {
        const { conversationId } = await sms(phone, body);
        return { conversationId, customerId: (await request('GET', `/conversations/${conversationId}`)).body.conversation.customerId };
      },
    },
  );
  for (const { conversationId } of customers) await request('POST', `/conversations/${conversationId}/status`, { status: 'resolved' });
  ui = await openAdminConsole(server);
});
afterAll(async () => {
  await ui?.close();
  await server?.stop();
  await fake?.close();
});

test('an admin writes, previews and schedules an SMS campaign; the numbers show sent and skipped (writes docs/screenshots/campaigns.png)', async () => {
  const { page } = ui;
  await page.getByRole('button', { name: 'Admin', exact: true }).click();
  await page.getByRole('tab', { name: 'Campaigns' }).click();
  await page.getByRole('button', { name: 'New campaign' }).click();
  const form = page.getByRole('form', { name: 'New campaign' });
  await form.getByLabel('Name', { exact: true }).fill('Songkran sale');
  await form.getByLabel('Channel account').selectOption({ label: 'SMS โปรโมชัน · SMS' });
  await form.getByLabel('Message', { exact: true }).fill('Hi ');
  await form.getByRole('button', { name: '{{customer.firstName}}' }).click();
  await expect.poll(() => form.getByLabel('Message', { exact: true }).inputValue()).toBe('Hi {{customer.firstName}}');
  await form
    .getByLabel('Message', { exact: true })
    .fill('Hi {{customer.firstName}}, Songkran sale: 20% off everything until Sunday. Reply for details.');
  await form.getByLabel('Messages per minute').fill('120');
  await form.getByRole('button', { name: 'Refresh preview' }).click();
  await expect
    .poll(() => form.locator('.preview-text').textContent())
    .toBe('Hi Somchai, Songkran sale: 20% off everything until Sunday. Reply for details.');
  await expect.poll(() => form.getByText('6 customers in the segment now').count()).toBe(1);
  await form.getByRole('button', { name: 'Create draft' }).click();
  await expect.poll(() => page.getByText('“Songkran sale” was saved as a draft.').count()).toBe(1);

  await page.getByRole('button', { name: 'Schedule' }).click();
  const stat = (key: string) => page.locator(`[data-stat="${key}"] dd`).textContent();
  await expect.poll(() => stat('sent'), { timeout: 15_000 }).toBe('4');
  expect(await stat('targeted')).toBe('6');
  expect(await stat('skipped')).toBe('2');
  await expect
    .poll(() => page.locator('[data-campaign-status]').first().getAttribute('data-campaign-status'), { timeout: 10_000 })
    .toBe('done');
  expect(await page.locator('.skip-reasons li').allTextContents()).toEqual(['No consent on this channel 1', 'Opted out 1']);
  // "Sent" means queued with its outbox row; the outbox hands each to Twilio a moment later.
  await expect
    .poll(() =>
      fake
        .sends()
        .filter((r) => String(r.form.Body).includes('Songkran'))
        .map((r) => r.form.To)
        .sort(),
    )
    .toEqual(['+66811110001', '+66811110002', '+66811110003', '+66811110004']);
  await page.screenshot({ path: DOCS_SHOT });
});

test('Satisfaction: the admin turns the SMS survey on; a customer’s "5" shows on the conversation and their profile', async () => {
  const { page } = ui;
  await page.getByRole('tab', { name: 'Satisfaction' }).click();
  const card = page.getByRole('form', { name: 'SMS โปรโมชัน' });
  await card.getByLabel('Survey after resolving').check();
  await card.getByRole('button', { name: 'Save changes' }).click();
  await expect
    .poll(
      async () => (await request('GET', '/csat/settings')).body.settings.find((x: any) => x.channelAccountId === number.accountId)?.enabled,
    )
    .toBe(true);

  const m = await sms('+66811110002', 'Can I use the discount online?');
  await request('POST', `/conversations/${m.conversationId}/assign`, { assigneeId: (await request('GET', '/auth/me')).body.user.id });
  await request('POST', `/conversations/${m.conversationId}/status`, { status: 'resolved' });
  await fake.next((r) => r.form.To === '+66811110002' && String(r.form.Body).includes('Reply with a number'));
  await sms('+66811110002', '5');

  await page.goto(`${server.url}/?conversation=${m.conversationId}`);
  await expect.poll(() => page.locator('.csat-chip').textContent(), { timeout: 10_000 }).toBe('CSAT 5/5');
  await expect.poll(() => page.locator('.customer-csat').getAttribute('data-csat-average')).toBe('5');
  expect(await page.locator('.message-mark-csat').last().textContent()).toContain('Satisfaction survey: 5 / 5');
  expect(await page.locator('.message-mark-campaign').first().textContent()).toBe('Campaign: Songkran sale');
});

test('web chat: after the agent resolves, the widget shows 1-5 buttons; a press records the score and thanks the visitor', async () => {
  const accountId = await server.api.webChatAccount(admin, 'Shop chat');
  await request('PUT', `/csat/settings/${accountId}`, { enabled: true });
  const shop = await ui.context.newPage();
  await shop.goto(`${server.url}/widget/demo?account=${accountId}`);
  const widget = (selector: string, hasText?: string) => shop.locator(`omnidesk-widget ${selector}`, hasText ? { hasText } : {});
  await widget('.launcher').click();
  await widget('input[name="name"]').fill('Dao');
  await shop.getByRole('button', { name: 'Start chat' }).click();
  await widget('textarea').fill('Is the blue one in stock?');
  await widget('textarea').press('Enter');
  await widget('.msg.mine[data-state="sent"]', 'Is the blue one in stock?').waitFor();
  const conversation = (await request('GET', `/conversations?channelAccountId=${accountId}`)).body.conversations[0];
  await request('POST', `/conversations/${conversation.id}/status`, { status: 'resolved' });

  await widget('.csat button', '4').click();
  await widget('.csat-done', 'You gave us 4 out of 5.').waitFor();
  await shop.screenshot({ path: path.join(ROOT, 'test-results', 'widget-csat.png') });
  expect((await request('GET', `/conversations/${conversation.id}/csat`)).body.survey).toMatchObject({ score: 4, answeredVia: 'web_chat' });
  // After a reload the answer is still shown, with no buttons.
  await shop.reload(); // the panel stays open across the reload
  await widget('.csat-done', 'You gave us 4 out of 5.').waitFor();
  expect(await widget('.csat-buttons').count()).toBe(0);
  await shop.close();
});
