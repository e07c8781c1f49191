// The Messenger account admin form in a real Chromium against a real server and the local fake of the
// Graph API. An admin picks "Facebook Messenger", types the page ID, the app secret and a token Meta
// refuses: the refusal is shown and nothing is saved. The right token saves the account and the webhook
// URL is shown; the verify token the form made up (and showed with a copy button) is the one Meta's
// subscription check must send, and no secret comes back to the browser.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { randomBytes } from 'node:crypto';
import { listAccounts, openAdminConsole, openNewAccountForm, type AdminConsole } from './support/admin-console.js';
import { FakeGraph } from './support/fake-graph.js';
import { startTestServer, type TestServer } from './support/harness.js';

let server: TestServer;
let graph: FakeGraph;
let ui: AdminConsole;
let admin: string;

beforeAll(async () => {
  [graph, server] = await Promise.all([FakeGraph.start(), startTestServer('sqlite', { PUBLIC_URL: 'https://desk.example.test' })]);
  admin = await server.api.login();
  ui = await openAdminConsole(server);
});
afterAll(async () => {
  await ui?.close();
  await server?.stop();
  await graph?.close();
});

test('a Messenger page: a refused token is shown and nothing saved; the right one saves, shows the URL, and the shown verify token works', async () => {
  const { pageId, token } = graph.page('ร้านทดสอบ');
  const appSecret = randomBytes(16).toString('hex');
  const { page } = ui;
  const form = await openNewAccountForm(page, 'messenger', 'เพจร้าน');
  await form.getByLabel('Page ID').fill(pageId);
  await form.getByLabel('Graph API base URL (optional)').fill(graph.baseUrl);
  await form.getByLabel('App secret').fill(appSecret);
  await form.getByLabel('Page access token').fill(`EAAG${'x'.repeat(40)}`);
  const verifyToken = await form.getByLabel('Verify token').inputValue();
  expect(verifyToken).toMatch(/^[0-9a-f]{48}$/);
  await form.getByRole('button', { name: 'Create account' }).click();
  await expect.poll(() => form.getByRole('alert').first().textContent()).toContain('Meta refused the page access token');
  expect(await listAccounts(server, admin)).toEqual([]);

  await form.getByLabel('Page access token').fill(token);
  await form.getByRole('button', { name: 'Create account' }).click();
  const urls = page.locator('.url-list');
  await expect
    .poll(() => urls.getByLabel('Webhook URL').inputValue())
    .toMatch(/^https:\/\/desk\.example\.test\/webhooks\/messenger\/[\w-]+$/);
  const [account] = await listAccounts(server, admin);
  expect(account.settings).toEqual({ pageId, graphBaseUrl: graph.baseUrl });
  const check = await fetch(
    `${server.url}/webhooks/messenger/${account.id}?${new URLSearchParams({ 'hub.mode': 'subscribe', 'hub.verify_token': verifyToken, 'hub.challenge': '4242' })}`,
  );
  expect(await check.text()).toBe('4242');
  const html = await page.content();
  for (const secret of [appSecret, token]) expect(html).not.toContain(secret);
});
