// The email account admin screen in a real Chromium against a real server, a throwaway Dovecot and a
// local SMTP receiver. An admin picks "Email" and finds the defaults filled in (IMAP 993 with TLS, SMTP
// 465 with TLS, INBOX, mark as read, 7 days, 25 MB); changing the security mode moves a port left at
// its default. A closed port is "could not reach" in the IMAP section and a wrong password "refused
// the login", both with the section outlined, its field focused and nothing saved. The right password
// saves the account, which the list shows with its support address. Editing with the password fields
// empty keeps the stored password (the server logs in again with it); a closed SMTP port is shown in
// the SMTP section. Mail that could not be imported is listed, and an unprocessable one reprocessed.
// Writes docs/screenshots/admin-email-account.png at 1280x800.
import fs from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { FileStorage } from '../server/storage/file-storage.js';
import { launchChromium, signIn } from './support/browser.js';
import { MAIL_USERS, startDovecot, type Dovecot, type MailUser } from './support/dovecot.js';
import { ADMIN, startTestServer, type TestServer } from './support/harness.js';
import { startSmtpReceiver, type SmtpReceiver } from './support/smtp-receiver.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const SHOTS = path.join(ROOT, 'test-results');
const DOCS_SHOT = path.join(ROOT, 'docs', 'screenshots', 'admin-email-account.png');
const MB = 1024 * 1024;
const SUPPORT = 'support@example.com';

let server: TestServer;
let dovecot: Dovecot;
let smtp: SmtpReceiver;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let admin: string;
const mailbox: MailUser = MAIL_USERS[0]!;

const get = async (url: string) => {
  const res = await server.api.request('GET', `/api/v1${url}`, { token: admin });
  expect(res.status).toBe(200);
  return res.body;
};

/** A port nothing listens on: bound, read and released. */
async function closedPort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

async function openChannels() {
  await page.getByRole('button', { name: 'Admin', exact: true }).click();
  await page.getByRole('tab', { name: 'Channel accounts' }).click();
  await expect.poll(() => page.getByRole('tab', { name: 'Channel accounts' }).getAttribute('aria-selected')).toBe('true');
}

const incoming = (form: Locator) => form.getByRole('group', { name: 'Incoming mail (IMAP)' });
const outgoing = (form: Locator) => form.getByRole('group', { name: 'Outgoing mail (SMTP)' });
const isFocused = (field: Locator) => field.evaluate((el) => el === document.activeElement);

beforeAll(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  fs.mkdirSync(path.dirname(DOCS_SHOT), { recursive: true });
  // The relay takes the mailbox's own login, so SMTP too fails with a wrong password.
  [dovecot, smtp, server] = await Promise.all([
    startDovecot(),
    startSmtpReceiver({ auth: { user: mailbox.user, password: mailbox.password } }),
    startTestServer('sqlite'),
  ]);
  admin = await server.api.login();
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
  page = await context.newPage();
  await signIn(page, ADMIN, server.url);
});
afterAll(async () => {
  await context?.close();
  await browser?.close();
  await server?.stop();
  await smtp?.close();
  await dovecot?.close();
});

test('a new email account starts from the usual defaults; an unreachable IMAP port is shown in its section and nothing is saved', async () => {
  await openChannels();
  await page.getByRole('button', { name: 'New account' }).click();
  const form = page.getByRole('form', { name: 'New channel account' });
  await form.getByLabel('Channel', { exact: true }).selectOption('email');
  const imap = incoming(form);
  const out = outgoing(form);

  expect(await imap.getByLabel('Port', { exact: true }).inputValue()).toBe('993');
  expect(await imap.getByLabel('Security').inputValue()).toBe('implicit');
  expect(await imap.getByLabel('Mailbox').inputValue()).toBe('INBOX');
  expect(await imap.getByLabel('After a mail is imported').inputValue()).toBe('seen');
  expect(await imap.getByLabel('Import existing mail of the last (days)').inputValue()).toBe('7');
  expect(await imap.getByLabel('Largest mail to import (MB)').inputValue()).toBe('25');
  expect(await out.getByLabel('Port', { exact: true }).inputValue()).toBe('465');
  expect(await out.getByRole('checkbox', { name: 'SMTP password same as IMAP' }).isChecked()).toBe(true);
  expect(await out.getByLabel('SMTP password', { exact: true }).count()).toBe(0);

  // A mode change moves a port still at its default; a port typed by hand stays.
  await imap.getByLabel('Security').selectOption('starttls');
  expect(await imap.getByLabel('Port', { exact: true }).inputValue()).toBe('143');
  await out.getByLabel('Security').selectOption('starttls');
  expect(await out.getByLabel('Port', { exact: true }).inputValue()).toBe('587');
  await out.getByLabel('Port', { exact: true }).fill('2525');
  await out.getByLabel('Security').selectOption('implicit');
  expect(await out.getByLabel('Port', { exact: true }).inputValue()).toBe('2525');

  const closed = await closedPort();
  await form.getByLabel('Name', { exact: true }).fill('Support mail');
  await imap.getByLabel('Server').fill('127.0.0.1');
  await imap.getByLabel('Security').selectOption('none');
  await imap.getByLabel('Port', { exact: true }).fill(String(closed));
  await imap.getByLabel('User name').fill(mailbox.user);
  // The SMTP user follows the IMAP user until it is changed by hand.
  expect(await out.getByLabel('User name').inputValue()).toBe(mailbox.user);
  await imap.getByLabel('Password', { exact: true }).fill(mailbox.password);
  await out.getByLabel('Server').fill('127.0.0.1');
  await out.getByLabel('Security').selectOption('none');
  await out.getByLabel('Port', { exact: true }).fill(String(smtp.port));
  await form.getByLabel('Support address').fill(SUPPORT);
  await form.getByLabel('Sender name').fill('Acme Support');
  await form.getByRole('button', { name: 'Create account' }).click();

  await expect.poll(() => imap.getByRole('alert').textContent()).toContain(`IMAP: could not reach 127.0.0.1:${closed}`);
  expect(await imap.getAttribute('class')).toContain('failing');
  expect(await out.getAttribute('class')).not.toContain('failing');
  await expect.poll(() => isFocused(imap.getByLabel('Server'))).toBe(true);
  expect(await form.locator('.form-actions').getByRole('alert').textContent()).toContain('“Incoming mail (IMAP)”');
  expect((await get('/channel-accounts')).accounts).toEqual([]);
  expect(await form.getByLabel('Sender name').inputValue()).toBe('Acme Support'); // the form keeps what was typed
});

test('a wrong password against the real Dovecot is "refused the login" in the IMAP section; the right one saves', async () => {
  const form = page.getByRole('form', { name: 'New channel account' });
  const imap = incoming(form);
  await imap.getByLabel('Port', { exact: true }).fill(String(dovecot.port));
  await imap.getByLabel('Password', { exact: true }).fill('not-the-password');
  await form.getByRole('button', { name: 'Create account' }).click();
  await expect.poll(() => imap.getByRole('alert').textContent()).toContain('refused the login; check the user name and password');
  await expect.poll(() => isFocused(imap.getByLabel('User name'))).toBe(true);
  expect((await get('/channel-accounts')).accounts).toEqual([]);
  await imap.evaluate((section) => {
    section.scrollIntoView({ block: 'start' });
    section.closest('.admin-detail')?.scrollBy(0, -16);
  });
  await page.screenshot({ path: DOCS_SHOT });

  await imap.getByLabel('Password', { exact: true }).fill(mailbox.password);
  await form.getByRole('button', { name: 'Create account' }).click();
  await page.getByText('"Support mail" was created').waitFor();

  const [account] = (await get('/channel-accounts')).accounts;
  expect(account).toMatchObject({
    kind: 'email',
    name: 'Support mail',
    active: true,
    settings: {
      imap: {
        host: '127.0.0.1',
        port: dovecot.port,
        tls: 'none',
        user: mailbox.user,
        mailbox: 'INBOX',
        afterImport: 'seen',
        syncDays: 7,
        maxBytes: 25 * MB,
      },
      smtp: { host: '127.0.0.1', port: smtp.port, tls: 'none', user: mailbox.user },
      fromAddress: SUPPORT,
      fromName: 'Acme Support',
      acknowledge: { enabled: false },
    },
  });
  expect(JSON.stringify(account)).not.toContain(mailbox.password);
  const item = page.getByRole('list', { name: 'Channel accounts' }).getByRole('button', { name: /Support mail/ });
  expect(await item.textContent()).toContain(SUPPORT);
  expect(await page.getByLabel('Support address', { exact: true }).first().inputValue()).toBe(SUPPORT);
  expect(await page.getByLabel('IMAP server').inputValue()).toBe(`127.0.0.1:${dovecot.port}`);
  await page.screenshot({ path: path.join(SHOTS, 'admin-email-created-en.png') });
});

test('editing with the password fields empty keeps the stored password; a closed SMTP port is shown in the SMTP section', async () => {
  const [account] = (await get('/channel-accounts')).accounts;
  const form = page.getByRole('form', { name: 'Settings' });
  const out = outgoing(form);
  expect(await incoming(form).getByLabel('Password', { exact: true }).inputValue()).toBe('');
  await incoming(form).getByText('Leave empty to keep the stored password.').waitFor();

  // A changed setting makes the server log in again, with the stored password.
  await form.getByLabel('Sender name').fill('Acme Care');
  await form.getByRole('button', { name: 'Save changes' }).click();
  await form.getByText('Saved.').waitFor();
  expect((await get(`/channel-accounts/${account.id}`)).account.settings.fromName).toBe('Acme Care');

  const closed = await closedPort();
  await out.getByLabel('Port', { exact: true }).fill(String(closed));
  await form.getByRole('button', { name: 'Save changes' }).click();
  await expect.poll(() => out.getByRole('alert').textContent()).toContain(`SMTP: could not reach 127.0.0.1:${closed}`);
  expect(await out.getAttribute('class')).toContain('failing');
  expect(await incoming(form).getAttribute('class')).not.toContain('failing');
  expect((await get(`/channel-accounts/${account.id}`)).account.settings.smtp.port).toBe(smtp.port);
  await page.screenshot({ path: path.join(SHOTS, 'admin-email-smtp-error-en.png') });

  // A new SMTP password alone cannot be sent (the two are replaced together): the form says so.
  await out.getByLabel('Port', { exact: true }).fill(String(smtp.port));
  await out.getByRole('checkbox', { name: 'SMTP password same as IMAP' }).uncheck();
  await out.getByLabel('SMTP password', { exact: true }).fill('only-smtp');
  await form.getByRole('button', { name: 'Save changes' }).click();
  await expect.poll(() => form.getByRole('alert').first().textContent()).toContain('The passwords are replaced together');
  await out.getByRole('checkbox', { name: 'SMTP password same as IMAP' }).check();
  await form.getByRole('button', { name: 'Save changes' }).click();
  await form.getByText('Saved.').waitFor();
});

test('mail that could not be imported is listed; an unprocessable one is reprocessed', async () => {
  const [account] = (await get('/channel-accounts')).accounts;
  // Seeded straight into the ledger: which mail the parser refuses is the parser's own test. The raw
  // copy kept for the unprocessable one is a plain mail, as after a fix.
  const files = new FileStorage(path.join(server.db.dataDir, 'attachments'));
  const raw = await files.put(
    Buffer.from(
      [
        'From: Nok Customer <nok@example.net>',
        `To: ${SUPPORT}`,
        'Subject: Broken invoice',
        'Message-ID: <reprocess-1@example.net>',
        'Date: Tue, 24 Nov 2026 09:00:00 +0700',
        'Content-Type: text/plain; charset=utf-8',
        '',
        'My invoice will not open.',
        '',
      ].join('\r\n'),
    ),
  );
  const place = { channelAccountId: account.id, mailbox: 'INBOX', uidValidity: 1, size: raw.size };
  await server.store.email.recordImport(
    { ...place, uid: 9001 },
    {
      status: 'unprocessable',
      rawKey: raw.storageKey,
      error: 'the MIME structure could not be read',
      subject: 'Broken invoice',
      fromAddress: 'nok@example.net',
    },
    Date.now(),
  );
  await server.store.email.recordImport(
    { ...place, uid: 9002, size: 40 * MB },
    { status: 'too_large', error: '40.0 MB is over the 25.0 MB limit', subject: 'Huge scan', fromAddress: 'big@example.net' },
    Date.now(),
  );

  const card = page.getByRole('region', { name: 'Mail that could not be imported' });
  await card.getByRole('button', { name: 'Refresh' }).click();
  const list = card.getByRole('list', { name: 'Mail that could not be imported' });
  const reprocess = list.getByRole('button', { name: 'Reprocess Broken invoice' });
  await reprocess.waitFor();
  expect(await list.getByRole('listitem').count()).toBe(2);
  expect(await list.getByRole('listitem').filter({ hasText: 'Broken invoice' }).textContent()).toContain(
    'the MIME structure could not be read',
  );
  const huge = list.getByRole('listitem').filter({ hasText: 'Huge scan' });
  expect(await huge.textContent()).toContain('Too large');
  expect(await huge.textContent()).toContain('40.0 MB');
  expect(await huge.getByRole('button').count()).toBe(0);
  await card.scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(SHOTS, 'admin-email-imports-en.png') });

  await reprocess.click();
  await card.getByText('“Broken invoice” was imported.').waitFor();
  expect(await list.getByRole('listitem').count()).toBe(1);
  const [entry] = (await get(`/email/imports?accountId=${account.id}&status=imported`)).imports.filter(
    (i: { subject: string }) => i.subject === 'Broken invoice',
  );
  expect(entry.conversationId).toEqual(expect.any(String));
});

test('the email form reads in Thai and fits a tablet', async () => {
  await page.getByRole('group', { name: 'Language' }).getByRole('button', { name: 'ไทย' }).click();
  const form = page.getByRole('form', { name: 'การตั้งค่า' });
  await form.getByRole('group', { name: 'อีเมลขาเข้า (IMAP)' }).waitFor();
  await form.getByRole('group', { name: 'อีเมลขาออก (SMTP)' }).getByLabel('เซิร์ฟเวอร์').waitFor();
  await form.getByText('เว้นว่างไว้เพื่อใช้รหัสผ่านเดิมที่บันทึกไว้').waitFor();
  await page.setViewportSize({ width: 820, height: 1180 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBe(0);
  await page.screenshot({ path: path.join(SHOTS, 'admin-email-account-tablet-th.png') });
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.getByRole('group', { name: 'ภาษา' }).getByRole('button', { name: 'EN' }).click();
});
