// An email campaign in the console, in a real Chromium against a real server with a Dovecot mailbox and
// a local SMTP relay: the admin writes a subject and a message with the customer's fields, and the
// preview shows both as the first customer of the segment will get them.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { openAdminConsole, type AdminConsole } from './support/admin-console.js';
import { createChannelAccount } from './support/channel-traffic.js';
import { startDovecot, type Dovecot } from './support/dovecot.js';
import { startTestServer, type TestServer } from './support/harness.js';
import { startSmtpReceiver, type SmtpReceiver } from './support/smtp-receiver.js';

let server: TestServer;
let ui: AdminConsole;
let dovecot: Dovecot;
let smtp: SmtpReceiver;
beforeAll(async () => {
  [dovecot, smtp] = await Promise.all([startDovecot(), startSmtpReceiver()]);
  server = await startTestServer('sqlite');
  const admin = await server.api.login();
  await createChannelAccount(server.api, admin, dovecot.channelAccount('support@example.com', smtp));
  const csv = 'name,email\nSomchai Jaidee,somchai@example.net\n';
  await server.api.request('POST', '/api/v1/customers/import', { token: admin, raw: csv, headers: { 'content-type': 'text/csv' } });
  ui = await openAdminConsole(server);
}, 60_000);
afterAll(async () => {
  await ui?.close();
  await server?.stop();
  await Promise.all([dovecot?.close(), smtp?.close()]);
});
test('the preview of an email campaign shows its subject and message for a customer', async () => {
  const { page } = ui;
  await page.getByRole('button', { name: 'Admin', exact: true }).click();
  await page.getByRole('tab', { name: 'Campaigns' }).click();
  await page.getByRole('button', { name: /New campaign/ }).click();
  await page.getByLabel('Name', { exact: true }).fill('Service reminder');
  await page.getByLabel('Email subject').fill('Your service is due, {{customer.firstName}}');
  await page.getByLabel('Message', { exact: true }).fill('Dear {{customer.name}}, your air conditioner is due for its yearly service.');
  await page.getByRole('button', { name: 'Preview' }).click();
  await page.locator('.preview-subject').waitFor();
  expect(await page.locator('.preview-subject').textContent()).toBe('Email subject Your service is due, Somchai');
  expect(await page.locator('.campaign-preview .preview-text').textContent()).toBe(
    'Dear Somchai Jaidee, your air conditioner is due for its yearly service.',
  );
});
