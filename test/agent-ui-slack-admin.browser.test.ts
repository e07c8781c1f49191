// The Slack account admin form in a real Chromium against a real server and the local fake of Slack's
// Web API. An admin picks Slack, types a channel the bot cannot use: Slack's refusal is shown and
// nothing is saved. The right channel saves the account with the ticked queue and the alerts, the events
// URL is shown, and no secret comes back to the browser. A console link from a Slack post
// (`/?conversation=<id>`) opens that conversation. Writes docs/screenshots/admin-slack.png.
import { afterAll, beforeAll, expect, test } from 'vitest';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { listAccounts, openAdminConsole, openNewAccountForm, type AdminConsole } from './support/admin-console.js';
import { FakeSlack } from './support/fake-slack.js';
import { startTestServer, type TestServer } from './support/harness.js';
import { openConversation } from './support/scenario.js';

const DOCS = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'screenshots');

let server: TestServer;
let slack: FakeSlack;
let ui: AdminConsole;
let admin: string;

beforeAll(async () => {
  [slack, server] = await Promise.all([FakeSlack.start(), startTestServer('sqlite', { PUBLIC_URL: 'https://desk.example.test' })]);
  admin = await server.api.login();
  ui = await openAdminConsole(server);
});
afterAll(async () => {
  await ui?.close();
  await server?.stop();
  await slack?.close();
});

test('a Slack account: a channel Slack refuses is shown and nothing saved; the right one saves with its queues and alerts, shows the events URL', async () => {
  const queue = (
    await server.api.request('POST', '/api/v1/queues', { token: admin, body: { name: 'คำสั่งซื้อ Orders', channels: ['web_chat', 'line'] } })
  ).body.queue;
  const channel = slack.channel('support-desk');
  const supervisors = slack.channel('supervisors');
  const token = slack.token();
  const signingSecret = randomBytes(16).toString('hex');
  const { page } = ui;
  const form = await openNewAccountForm(page, 'slack', 'Slack ทีมขาย');
  // A Slack account has no queue of its own: the "sends to queue" select is not offered.
  await expect.poll(() => form.getByLabel('Bot token').count()).toBe(1);
  expect(await form.locator('select').count()).toBe(1);
  await form.getByLabel('Bot token').fill(token);
  await form.getByLabel('Signing secret').fill(signingSecret);
  await form.getByLabel('API base URL (optional)').fill(slack.apiBaseUrl);
  await form.getByLabel('Channel ID', { exact: true }).fill('C0NOTACHANNEL');
  await form.getByLabel('คำสั่งซื้อ Orders').check();
  await form.getByLabel('Supervisors’ channel ID (optional)').fill(supervisors);
  await form.getByLabel('Alert when this many wait').fill('5');
  await form.getByLabel('Alert when someone waits (minutes)').fill('3');
  await form.getByLabel('Alert when a queue’s service level falls under its target').check();
  await form.getByRole('button', { name: 'Create account' }).click();
  await expect.poll(() => form.getByRole('alert').first().textContent()).toContain('channel_not_found');
  expect(await listAccounts(server, admin)).toEqual([]);

  await form.getByLabel('Channel ID', { exact: true }).fill(channel);
  await page.screenshot({ path: path.join(DOCS, 'admin-slack.png') });
  await form.getByRole('button', { name: 'Create account' }).click();
  const urls = page.locator('.url-list');
  await expect
    .poll(() => urls.getByLabel('Events URL').inputValue())
    .toMatch(/^https:\/\/desk\.example\.test\/webhooks\/slack\/[\w-]+\/events$/);
  const [account] = await listAccounts(server, admin);
  expect(account).toMatchObject({ kind: 'slack', name: 'Slack ทีมขาย', queueId: null });
  expect(account.settings).toEqual({
    channelId: channel,
    queueIds: [queue.id],
    supervisorsChannelId: supervisors,
    alerts: { waitingAtLeast: 5, longestWaitSeconds: 180, serviceLevelBelowTarget: true },
    apiBaseUrl: slack.apiBaseUrl,
  });
  const html = await page.content();
  for (const secret of [token, signingSecret]) expect(html).not.toContain(secret);
});

test('a console link from a Slack post opens its conversation', async () => {
  const webChat = (await server.api.request('POST', '/api/v1/channel-accounts', { token: admin, body: { kind: 'web_chat', name: 'Site' } }))
    .body.account;
  const opened = await openConversation(server, webChat.id, 'ขอสอบถามเรื่องการจัดส่ง');
  opened.socket.close();
  const { page } = ui;
  await page.goto(`${server.url}/?conversation=${opened.conversationId}`);
  await expect.poll(() => page.locator('.conversation-pane').textContent(), { timeout: 10_000 }).toContain('ขอสอบถามเรื่องการจัดส่ง');
  // The address is tidied: a reload does not open it again.
  expect(new URL(page.url()).searchParams.get('conversation')).toBeNull();
});
