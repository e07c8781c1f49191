// An email conversation in the console, from real mail: a Thai customer's HTML mail (a plain text
// alternative with quoted history, an HTML body with an inline cid: image and a remote one) reaches
// a real Dovecot, is imported, and the admin opens it in a real Chromium. The bubble shows the mail's
// header, the new text first with the history folded, and on request the whole mail in its frame: the
// inline image at once (as a data: URL), the remote one only after "Show images" (a local image server
// on port 0 records every request). An auto-reply is marked. The reply typed in the composer reaches
// the SMTP receiver threaded under the customer's mail and turns "sent" in the console.
// Screenshot: docs/screenshots/email-conversation.png (1280x800).
import fs from 'node:fs';
import http from 'node:http';
import { EventEmitter, once } from 'node:events';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import type { Message } from '../server/domain/types.js';
import { launchChromium, signIn } from './support/browser.js';
import { startDovecot, type Dovecot } from './support/dovecot.js';
import { ADMIN, nextDomainEvent, startTestServer, type TestServer } from './support/harness.js';
import { gradientPng } from './support/scenario.js';
import { startSmtpReceiver, type SmtpReceiver } from './support/smtp-receiver.js';
import { until } from './support/until.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const DOCS_SHOT = path.join(ROOT, 'docs', 'screenshots', 'email-conversation.png');
const SUPPORT = 'support@example.com';
const CUSTOMER = { name: 'สมชาย ใจดี', address: 'somchai@customer.example' };
const COLLEAGUE = { name: 'มาลี ใจงาม', address: 'malee@customer.example' };
const AWAY = { name: 'นภา ศรีสุข', address: 'napa@customer.example' };
const SUBJECT = 'ได้รับเสื้อไม่ครบ คำสั่งซื้อ #TH2048';
const NEW_TEXT = 'สวัสดีครับ ผมสั่งเสื้อไปสองตัว แต่ได้รับแค่ตัวเดียวครับ';
const QUOTED = 'เราได้จัดส่งคำสั่งซื้อ #TH2048 จำนวน 2 ชิ้นแล้วค่ะ';
const LOGO_CID = 'logo.th2048@customer.example';
const REPLY = 'เรียนคุณสมชาย ทางเราจะส่งเสื้ออีกตัวให้ภายในพรุ่งนี้ครับ';

const b64 = (s: string) => `=?UTF-8?B?${Buffer.from(s).toString('base64')}?=`;
const address = (who: { name: string; address: string }) => `${b64(who.name)} <${who.address}>`;
/** Base64 wrapped at 76 characters, as MIME wants it. */
const base64Lines = (bytes: Buffer) =>
  bytes
    .toString('base64')
    .match(/.{1,76}/g)!
    .join('\r\n');

/** The customer's mail: a text alternative with quoted history, and HTML with an inline and a remote image. */
function customerMail(messageId: string, remoteImage: string): Buffer {
  const history = `On ${new Date().toUTCString()}, Omnidesk Support <${SUPPORT}> wrote:`;
  const html = [
    '<div style="font-family:Tahoma,sans-serif;font-size:15px;color:#1d2633">',
    `<p><img src="cid:${LOGO_CID}" width="160" height="48" alt="ร้านสมชายช็อป"></p>`,
    `<p>${NEW_TEXT}</p>`,
    `<p><img src="${remoteImage}" width="320" height="120" alt="รูปพัสดุที่ได้รับ"></p>`,
    '<p>ขอบคุณครับ<br>สมชาย</p>',
    `<blockquote>${history}<br>${QUOTED}</blockquote>`,
    '</div>',
  ].join('\r\n');
  return Buffer.from(
    [
      `From: ${address(CUSTOMER)}`,
      `To: Omnidesk Support <${SUPPORT}>`,
      `Cc: ${address(COLLEAGUE)}`,
      `Subject: ${b64(SUBJECT)}`,
      `Message-ID: <${messageId}>`,
      `Date: ${new Date().toUTCString()}`,
      'MIME-Version: 1.0',
      'Content-Type: multipart/alternative; boundary="ALT"',
      '',
      '--ALT',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: 8bit',
      '',
      NEW_TEXT,
      '',
      'ขอบคุณครับ',
      'สมชาย',
      '',
      history,
      `> ${QUOTED}`,
      '--ALT',
      'Content-Type: multipart/related; boundary="REL"',
      '',
      '--REL',
      'Content-Type: text/html; charset=utf-8',
      'Content-Transfer-Encoding: 8bit',
      '',
      html,
      '--REL',
      'Content-Type: image/png; name="logo.png"',
      'Content-Transfer-Encoding: base64',
      `Content-ID: <${LOGO_CID}>`,
      'Content-Disposition: inline; filename="logo.png"',
      '',
      base64Lines(gradientPng(160, 48, [208, 91, 47], [240, 180, 60])),
      '--REL--',
      '--ALT--',
      '',
    ].join('\r\n'),
  );
}

function autoReplyMail(messageId: string): Buffer {
  return Buffer.from(
    [
      `From: ${address(AWAY)}`,
      `To: ${SUPPORT}`,
      `Subject: ${b64('ตอบกลับอัตโนมัติ: ไม่อยู่ที่สำนักงาน')}`,
      `Message-ID: <${messageId}>`,
      `Date: ${new Date().toUTCString()}`,
      'Auto-Submitted: auto-replied',
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: 8bit',
      '',
      'ดิฉันไม่อยู่ที่สำนักงานจนถึงวันจันทร์ค่ะ',
      '',
    ].join('\r\n'),
  );
}

/** An HTTP server that answers images and remembers every path asked for, in order. */
async function imageServer() {
  const requests: string[] = [];
  const heard = new EventEmitter<{ request: [string] }>();
  const parcel = gradientPng(320, 120, [47, 91, 208], [29, 127, 85]);
  const server = http.createServer((req, res) => {
    requests.push(req.url ?? '');
    heard.emit('request', req.url ?? '');
    res.writeHead(200, { 'content-type': 'image/png', 'cache-control': 'no-store' }).end(parcel);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    /** Resolves with the next request's path (or the first one, if one was already made). */
    firstRequest: (): Promise<string> =>
      requests.length > 0 ? Promise.resolve(requests[0]!) : once(heard, 'request').then(([url]) => url as string),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** An email header block (`.email-header`) as label → value. */
const headerOf = (bubble: Locator): Promise<Record<string, string>> =>
  bubble
    .locator('.email-header > div')
    .evaluateAll((rows) => Object.fromEntries(rows.map((r) => [r.querySelector('dt')!.textContent, r.querySelector('dd')!.textContent])));

describe('an email conversation in the console, from real mail', () => {
  let dovecot: Dovecot;
  let smtp: SmtpReceiver;
  let server: TestServer;
  let images: Awaited<ReturnType<typeof imageServer>>;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let customerMessage: Message;
  let autoReply: Message;
  const customerMessageId = 'th2048-question@customer.example';

  /** Appends a mail to the support mailbox and resolves with the message it became. */
  async function deliver(raw: Buffer, messageId: string): Promise<Message> {
    const created = nextDomainEvent(server, 'message.created', (e) => e.message.providerMessageId === messageId);
    await dovecot.append(SUPPORT, 'INBOX', raw);
    return (await created).message;
  }

  beforeAll(async () => {
    fs.mkdirSync(path.dirname(DOCS_SHOT), { recursive: true });
    [dovecot, smtp, images, browser] = await Promise.all([startDovecot(), startSmtpReceiver(), imageServer(), launchChromium()]);
    server = await startTestServer('sqlite', {}, { outbox: { baseDelayMs: 20, maxDelayMs: 100, pollMs: 50 } });
    const admin = await server.api.login();
    const created = await server.api.request('POST', '/api/v1/channel-accounts', {
      token: admin,
      // No acknowledgement: the conversation holds just the customer's mail and the agent's reply.
      body: dovecot.channelAccount(SUPPORT, smtp, { acknowledge: { enabled: false } }),
    });
    expect(created.status).toBe(201);
    const accountId: string = created.body.account.id;
    await until(
      async () => server.inboxes.receiver(accountId),
      (r) => r !== undefined,
      'the mailbox reader',
      10_000,
    );
    autoReply = await deliver(autoReplyMail('away-th2048@customer.example'), 'away-th2048@customer.example');
    customerMessage = await deliver(customerMail(customerMessageId, `${images.origin}/parcel.png`), customerMessageId);

    context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
    page = await context.newPage();
    await signIn(page, ADMIN, server.url);
  });
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.stop();
    await Promise.all([dovecot?.close(), smtp?.close(), images?.close()]);
  });

  test('the mail shows its header and new text, folds the history, and shows the whole mail with its inline image; remote images wait', async () => {
    // The import kept the inline image as an image part tied to its cid, and the history apart.
    expect(customerMessage.parts.map((p) => p.type)).toEqual(['text', 'html', 'image']);
    expect(customerMessage.parts[2]).toMatchObject({ type: 'image', contentId: LOGO_CID, contentType: 'image/png' });
    expect(customerMessage.meta?.email?.quoted).toContain(QUOTED);

    // A supervisor starts on "All".
    await page.locator('[role="tab"][data-tab="all"]').click();
    await page.locator('.conversation-item', { hasText: CUSTOMER.name }).click();
    const bubble = page.locator(`[data-message-id="${customerMessage.id}"]`);
    await bubble.waitFor();

    expect(await headerOf(bubble)).toEqual({
      From: `${CUSTOMER.name} <${CUSTOMER.address}>`,
      To: `Omnidesk Support <${SUPPORT}>`,
      Cc: `${COLLEAGUE.name} <${COLLEAGUE.address}>`,
      Subject: SUBJECT,
    });

    // The new text first; the history behind its toggle, and no frame yet.
    const newText = bubble.locator('.bubble-text');
    const showQuoted = bubble.getByRole('button', { name: 'Show the quoted history' });
    expect(await newText.textContent()).toBe(`${NEW_TEXT}\n\nขอบคุณครับ\nสมชาย`);
    const order = await bubble.evaluate((b) =>
      Array.from(b.querySelectorAll('.email-header, .bubble-text, .email-quoted'), (e) => e.className),
    );
    expect(order).toEqual(['email-header', 'bubble-text', 'email-quoted']);
    expect(await bubble.getByText(QUOTED).count()).toBe(0);
    expect(await bubble.locator('iframe.email-html-frame').count()).toBe(0);
    await showQuoted.click();
    expect(await bubble.locator('.email-quoted-text').textContent()).toContain(QUOTED);
    expect(await bubble.getByRole('button', { name: 'Hide the quoted history' }).getAttribute('aria-expanded')).toBe('true');

    // The whole mail as sent: the inline image is in the frame as a data: URL that decoded.
    await bubble.getByRole('button', { name: 'Show the whole email as sent' }).click();
    const frameElement = bubble.locator('iframe.email-html-frame');
    const frame = frameElement.contentFrame();
    await frame.getByText(NEW_TEXT).waitFor();
    expect(await frame.getByText(QUOTED).isVisible()).toBe(true);
    const logo = frame.getByAltText('ร้านสมชายช็อป');
    await expect.poll(() => logo.getAttribute('src')).toMatch(/^data:image\/png;base64,/);
    await expect.poll(() => logo.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(160);
    // The remote image is held back: not even requested.
    expect(await frame.getByAltText('รูปพัสดุที่ได้รับ').getAttribute('src')).toBeNull();
    expect(await bubble.getByText('Remote images are blocked to protect your privacy.').isVisible()).toBe(true);
    await expect.poll(() => page.locator('.email-html-measure').count()).toBe(0);
    expect(images.requests).toEqual([]);

    // "Show images": the bar is brought to the middle of the timeline and the view left to settle (the
    // virtualized timeline keeps the row in view still while rows around it are measured), then clicked.
    const requested = images.firstRequest();
    const showImages = bubble.getByRole('button', { name: 'Show images' });
    await showImages.evaluate((b) => b.scrollIntoView({ block: 'center' }));
    await page.locator('.timeline').evaluate(
      (timeline) =>
        new Promise<void>((resolve) => {
          let last = -1;
          const check = () => (timeline.scrollTop === last ? resolve() : ((last = timeline.scrollTop), requestAnimationFrame(check)));
          requestAnimationFrame(check);
        }),
    );
    await showImages.click();
    expect(await requested).toBe('/parcel.png');
    const parcel = frame.getByAltText('รูปพัสดุที่ได้รับ');
    await expect.poll(() => parcel.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(320);
    await expect.poll(() => page.locator('.email-html-measure').count()).toBe(0);
    expect(images.requests.every((url) => url === '/parcel.png')).toBe(true);

    // The header and the frame in view, for the screenshot.
    await bubble.locator('.email-header').evaluate((header) => header.scrollIntoView({ block: 'start' }));
    await page.screenshot({ path: DOCS_SHOT });
  });

  test('an auto-reply is marked as one', async () => {
    await page.locator('.conversation-item', { hasText: AWAY.name }).click();
    const bubble = page.locator(`[data-message-id="${autoReply.id}"]`);
    await bubble.getByText('Automatic reply: not answered automatically').waitFor();
    const header = await headerOf(bubble);
    expect(header).toMatchObject({ From: `${AWAY.name} <${AWAY.address}>`, To: SUPPORT });
    expect(header).not.toHaveProperty('Cc');
    // The customer's mail is no auto-reply.
    await page.locator('.conversation-item', { hasText: CUSTOMER.name }).click();
    await page.locator(`[data-message-id="${customerMessage.id}"]`).waitFor();
    expect(await page.locator('.email-mark-auto').count()).toBe(0);
  });

  test('the reply from the composer reaches SMTP under the customer’s mail and turns sent', async () => {
    const box = page.getByRole('textbox', { name: 'Reply' });
    await box.fill(REPLY);
    await box.press('Enter');

    const sent = await simpleParser((await smtp.next((m) => m.to.includes(CUSTOMER.address))).raw);
    expect(sent.inReplyTo).toBe(`<${customerMessageId}>`);
    expect([sent.references].flat()).toContain(`<${customerMessageId}>`);
    expect(sent.text).toContain(REPLY);
    expect(sent.subject?.startsWith(`Re: ${SUBJECT} [OD-`)).toBe(true);

    const reply = page.locator('article.message-outbound', { hasText: REPLY });
    await reply.locator('[data-delivery="sent"]').waitFor();
    expect(await reply.getAttribute('data-status')).toBe('sent');
  });
});
