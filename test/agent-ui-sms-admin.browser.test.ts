// The SMS account admin form in a real Chromium against a real server and the local fake of Twilio.
// An admin picks "SMS", types the Account SID, number and a wrong auth token: Twilio's refusal is
// shown by the form and nothing is saved. The right token saves the account, and the two URLs to paste
// into Twilio's console are shown. Editing the help text with the token field empty keeps the stored
// token (the server checks with it again), and the token never comes back to the browser.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { listAccounts, openAdminConsole, openNewAccountForm, type AdminConsole } from './support/admin-console.js';
import { FakeTwilio } from './support/fake-twilio.js';
import { startTestServer, type TestServer } from './support/harness.js';

let server: TestServer;
let fake: FakeTwilio;
let ui: AdminConsole;
let admin: string;

beforeAll(async () => {
  [fake, server] = await Promise.all([FakeTwilio.start(), startTestServer('sqlite', { PUBLIC_URL: 'https://desk.example.test' })]);
  admin = await server.api.login();
  ui = await openAdminConsole(server);
});
afterAll(async () => {
  await ui?.close();
  await server?.stop();
  await fake?.close();
});

test('an SMS account: a token Twilio refuses is shown and nothing saved; the right one saves and shows the URLs', async () => {
  const { accountSid, authToken } = fake.account();
  const { page } = ui;
  const form = await openNewAccountForm(page, 'sms', 'SMS ฝ่ายบริการ');
  await form.getByLabel('Account SID').fill(accountSid);
  await form.getByLabel('Twilio number').fill('+66 2 123 4567');
  await form.getByLabel('API base URL (optional)').fill(fake.url);
  await form.getByLabel('Auth token').fill('f'.repeat(32));
  await form.getByRole('button', { name: 'Create account' }).click();
  await expect.poll(() => form.getByRole('alert').first().textContent()).toContain('Twilio refused the Account SID and auth token');
  expect(await listAccounts(server, admin)).toEqual([]);

  await form.getByLabel('Auth token').fill(authToken);
  await form.getByRole('button', { name: 'Create account' }).click();
  const urls = page.locator('.url-list');
  await expect
    .poll(() => urls.getByLabel('A message comes in (webhook)').inputValue())
    .toMatch(/^https:\/\/desk\.example\.test\/webhooks\/sms\/[\w-]+$/);
  expect(await urls.getByLabel('Status callback').inputValue()).toMatch(/\/webhooks\/sms\/[\w-]+\/status$/);
  const [account] = await listAccounts(server, admin);
  expect(account.settings).toEqual({ accountSid, phoneNumber: '+6621234567', apiBaseUrl: fake.url, keywordReplies: false });

  // A change with the token field empty: the stored token is used for the check, and kept.
  const settings = page.getByRole('form', { name: 'Settings' });
  await settings.getByLabel('Answer to HELP').fill('โทร 02-123-4567');
  const checks = fake.requests.length;
  await settings.getByRole('button', { name: 'Save changes' }).click();
  await expect
    .poll(
      async () =>
        (await server.api.request('GET', `/api/v1/channel-accounts/${account.id}`, { token: admin })).body.account.settings.helpText,
    )
    .toBe('โทร 02-123-4567');
  expect(fake.requests.slice(checks).some((r) => r.password === authToken)).toBe(true);
  expect(await page.content()).not.toContain(authToken);
});
