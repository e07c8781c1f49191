// Routing as an agent sees it, in a real Chromium: set "Available" in the top bar, a visitor writes,
// the offer pops up with the customer's name, queue and a countdown; Accept opens the conversation,
// assigned to the agent. Screenshots land in test-results/.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium, signIn } from './support/browser.js';
import { connect, startTestServer, type ClientSocket, type TestServer } from './support/harness.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const SHOTS = path.join(ROOT, 'test-results');

let server: TestServer;
let browser: Browser;
const sockets: ClientSocket[] = [];

beforeAll(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  server = await startTestServer('sqlite', {}, { routing: { tickMs: 50 } });
  browser = await launchChromium();
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await browser?.close();
  await server?.stop();
});

test('an available agent gets the offer pop-up, accepts, and the conversation opens assigned to them', async () => {
  const admin = await server.api.login();
  const queue = await server.api.request('POST', '/api/v1/queues', {
    token: admin,
    body: { name: 'Parcel support', channels: ['web_chat'] },
  });
  const account = await server.api.request('POST', '/api/v1/channel-accounts', {
    token: admin,
    body: { kind: 'web_chat', name: 'Shop site', queueId: queue.body.queue.id },
  });
  const agent = await server.api.userWithRole(admin, 'agent', 'Ploy Agent');
  await server.api.request('PATCH', `/api/v1/users/${agent.id}/routing`, { token: admin, body: { queueIds: [queue.body.queue.id] } });

  const context = await browser.newContext({ viewport: { width: 1360, height: 820 }, locale: 'en-US' });
  const page = await context.newPage();
  await signIn(page, agent, server.url);
  const status = page.getByLabel('Status');
  await expect.poll(() => status.inputValue()).toBe('offline');
  await status.selectOption('available');
  await page.locator('.presence-available').waitFor();

  const visitor = await server.api.visitorSession(account.body.account.id, { name: 'สมชาย ใจดี' });
  const visitorSocket = await connect(server.url, { visitorToken: visitor.token });
  sockets.push(visitorSocket);
  const sent = await visitorSocket.emitWithAck('visitor:send', { clientMessageId: 'pop-1', text: 'พัสดุของผมอยู่ไหนครับ' });
  expect(sent.ok).toBe(true);

  const offer = page.getByRole('alertdialog', { name: 'New conversation offered' });
  await offer.getByText('สมชาย ใจดี').waitFor();
  await offer.getByText('Parcel support').waitFor();
  await expect.poll(async () => (await offer.textContent()) ?? '').toMatch(/Answer within\s*\d+ s/);
  await page.screenshot({ path: path.join(SHOTS, 'agent-ui-offer-en.png') });

  await offer.getByRole('button', { name: 'Accept' }).click();
  await offer.waitFor({ state: 'detached' });
  await page.getByText('พัสดุของผมอยู่ไหนครับ').first().waitFor();
  const conversationId = (await server.store.messages.findByProviderId(account.body.account.id, `${visitor.sessionId}:pop-1`))!
    .conversationId;
  expect((await server.store.conversations.findById(conversationId))?.assigneeId).toBe(agent.id);
  await page.screenshot({ path: path.join(SHOTS, 'agent-ui-offer-accepted-en.png') });
  await context.close();
});
