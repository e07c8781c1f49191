// An email's HTML body in the console, in a real Chromium against a real server: its text shows in a
// sandboxed frame, remote images are not even requested until the agent clicks "Show images", and
// nothing active runs, neither what the sanitizer took out nor (second line) a body that never went
// through it. A local image server on port 0 records every request the browser makes to it.
// Screenshot: docs/screenshots/email-html.png.
import fs from 'node:fs';
import http from 'node:http';
import { EventEmitter, once } from 'node:events';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { makeIngestMessage } from '../server/usecases/ingest-message.js';
import { launchChromium, signIn } from './support/browser.js';
import { startTestServer, type TestServer } from './support/harness.js';
import { gradientPng } from './support/scenario.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const DOCS_SHOT = path.join(ROOT, 'docs', 'screenshots', 'email-html.png');
const SHOTS = path.join(ROOT, 'test-results');

/** An HTTP server that answers images and remembers every path asked for, in order. */
async function imageServer() {
  const requests: string[] = [];
  const heard = new EventEmitter();
  const banner = gradientPng(560, 140, [47, 91, 208], [29, 127, 85]);
  const server = http.createServer((req, res) => {
    requests.push(req.url ?? '');
    heard.emit('request', req.url);
    if (req.url?.endsWith('.png')) res.writeHead(200, { 'content-type': 'image/png', 'cache-control': 'no-store' }).end(banner);
    else res.writeHead(204).end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    requests,
    /** Resolves when `path` has been asked for (at once if it already was). */
    asked: (path: string) =>
      requests.includes(path)
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            const listener = (url: string) => {
              if (url !== path) return;
              heard.off('request', listener);
              resolve();
            };
            heard.on('request', listener);
          }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('an email body in the console', () => {
  let server: TestServer;
  let images: Awaited<ReturnType<typeof imageServer>>;
  let browser: Browser;
  let context: BrowserContext;

  beforeAll(async () => {
    fs.mkdirSync(path.dirname(DOCS_SHOT), { recursive: true });
    fs.mkdirSync(SHOTS, { recursive: true });
    [server, images, browser] = await Promise.all([startTestServer('sqlite'), imageServer(), launchChromium()]);
  });
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await images?.close();
    await server?.stop();
  });

  test('shows the text, blocks remote images until asked, and runs nothing', async () => {
    const admin = await server.api.login();
    const agent = await server.api.userWithRole(admin, 'agent', 'Kanya Agent');
    // Email has no adapter yet: its account and message go through the store and the ingest use case.
    const account = await server.store.channelAccounts.create(
      { kind: 'email', name: 'Support mailbox', settings: {}, credentialsSealed: null },
      Date.now(),
    );
    const ingest = makeIngestMessage({ store: server.store, events: server.events, now: Date.now }, { reopenWindowMs: 72 * 3_600_000 });
    const marker = (what: string) => `${images.origin}/marker/${what}`;
    // Each active piece, if it ran, would ask the image server for its marker and post a message.
    const ran = (what: string) => `fetch('${marker(what)}');new Image().src='${marker(what)}-img';parent.postMessage('ran:${what}','*')`;
    const mail = [
      '<table width="560" cellpadding="0" cellspacing="0" style="border:1px solid #e1e5eb">',
      `<tr><td><img src="${images.origin}/banner.png" width="560" height="140" alt="Songkran sale"></td></tr>`,
      '<tr><td style="padding:16px 20px;font-size:15px;color:#1d2633">',
      '<h2 style="margin:0 0 8px;color:#2f5bd0">ยืนยันคำสั่งซื้อ #TH889</h2>',
      '<p>เรียนคุณมาลี ขอบคุณที่สั่งซื้อสินค้ากับเรา พัสดุของคุณ<b style="color:#1d7f55">จัดส่งแล้ว</b> &amp; จะถึงภายใน 2 วัน</p>',
      '<p><a href="https://shop.example/track/TH889">Track your parcel</a></p>',
      `<img src="x" onerror="${ran('onerror')}"><script>${ran('script')}</script>`,
      `<a href="javascript:${ran('link')}">ติดตามพัสดุ</a>`,
      '</td></tr></table>',
    ].join('');
    const { conversation, message } = await ingest({
      channelAccountId: account.id,
      channelKind: 'email',
      providerMessageId: '<order-TH889@shop.example>',
      sender: { identity: { kind: 'email', scope: '', value: 'malee@example.com' }, name: 'มาลี ใจงาม' },
      parts: [{ type: 'html', html: mail }],
      subject: 'ยืนยันคำสั่งซื้อ #TH889',
      sentAt: Date.now(),
    });
    // A body that never went through the sanitizer (written straight to the store): only the frame's
    // sandbox and policy stand between it and the console. A data: image that fails to decode fires
    // onerror for sure; the policy allows data: images, so only the sandbox stops the handler.
    const raw = await server.store.messages.insert(
      {
        conversationId: conversation.id,
        channelAccountId: account.id,
        direction: 'inbound',
        senderType: 'customer',
        senderId: conversation.customerId,
        parts: [
          {
            type: 'html',
            html: [
              `<p>Unsanitized follow-up</p><script>${ran('raw-script')}</script>`,
              `<img src="data:image/png;base64,bm90IGFuIGltYWdl" onerror="${ran('raw-onerror')}">`,
              `<meta http-equiv="refresh" content="0;url=${marker('raw-refresh')}">`,
              `<style>p{background:url(${marker('raw-css')})}</style><form action="${marker('raw-form')}"><button>Go</button></form>`,
            ].join(''),
          },
        ],
        text: 'Unsanitized follow-up',
        private: false,
        providerMessageId: '<raw@shop.example>',
        status: 'received',
      },
      Date.now(),
    );
    const assigned = await server.api.request('POST', `/api/v1/conversations/${conversation.id}/assign`, {
      token: admin,
      body: { assigneeId: agent.id },
    });
    expect(assigned.status).toBe(200);

    context = await browser.newContext({ viewport: { width: 1280, height: 960 }, locale: 'en-US' });
    // Messages posted to the console page, and the height each email frame had when it was put in
    // the page (before it was first painted), to compare with its height once everything settled.
    await context.addInitScript(() => {
      const w = window as any;
      w.posted = [];
      w.firstHeights = {};
      addEventListener('message', (e) => w.posted.push(String(e.data)));
      new MutationObserver(() => {
        for (const frame of document.querySelectorAll<HTMLElement>('.email-html-frame')) {
          const id = frame.closest<HTMLElement>('[data-message-id]')?.dataset.messageId;
          if (id && !(id in w.firstHeights)) w.firstHeights[id] = frame.getBoundingClientRect().height;
        }
      }).observe(document, { childList: true, subtree: true });
    });
    const page: Page = await context.newPage();
    await signIn(page, agent, server.url);
    await page.locator('[role="tab"][data-tab="mine"]').click();
    await page.locator('.conversation-item', { hasText: 'มาลี ใจงาม' }).click();

    // The text is in the frame; the frame is sandboxed with no scripts and no same origin.
    const sanitized = page.locator(`[data-message-id="${message.id}"]`);
    const frameElement = sanitized.locator('iframe.email-html-frame');
    const frame = frameElement.contentFrame();
    await frame.getByRole('heading', { name: 'ยืนยันคำสั่งซื้อ #TH889' }).waitFor();
    expect(await frame.getByText('พัสดุของคุณจัดส่งแล้ว & จะถึงภายใน 2 วัน').isVisible()).toBe(true);
    expect(await frameElement.getAttribute('sandbox')).toBe('allow-popups allow-popups-to-escape-sandbox');
    const link = frame.getByRole('link', { name: 'Track your parcel' });
    expect(await link.getAttribute('target')).toBe('_blank');
    expect(await link.getAttribute('rel')).toBe('noopener noreferrer');
    await page.frameLocator(`[data-message-id="${raw.id}"] iframe`).getByText('Unsanitized follow-up').waitFor();
    // Every hidden measuring frame has finished and gone: all heights are final.
    await expect.poll(() => page.locator('.email-html-measure').count()).toBe(0);

    // The frame was put in the page at the height it has now: the timeline never had to move a row.
    const firstHeight = await page.evaluate((id) => (window as any).firstHeights[id], message.id);
    const box = await frameElement.boundingBox();
    expect(firstHeight).toBeGreaterThan(200);
    expect(box!.height).toBe(firstHeight);

    // Only one of the two mails references a remote image, so only it has the bar.
    expect(await page.getByRole('button', { name: 'Show images' }).count()).toBe(1);
    expect(await sanitized.getByText('Remote images are blocked to protect your privacy.').isVisible()).toBe(true);
    expect(images.requests).toEqual([]);
    await page.screenshot({ path: DOCS_SHOT });

    const requested = images.asked('/banner.png');
    // The whole message in view first: a button a few pixels inside the timeline's edge can sit in
    // the band where the timeline keeps itself pinned to the bottom, and be scrolled away mid-click.
    await sanitized.scrollIntoViewIfNeeded();
    await page.getByRole('button', { name: 'Show images' }).click();
    await requested;
    expect(await page.locator('.email-html-bar').count()).toBe(0);
    // The frame grows to the loaded banner's height once the twin has loaded it too.
    await expect.poll(async () => (await frameElement.boundingBox())!.height).toBeGreaterThan(firstHeight);
    await expect.poll(() => page.locator('.email-html-measure').count()).toBe(0);
    await page.screenshot({ path: path.join(SHOTS, 'email-html-images-shown.png') });

    // Nothing active ran: no marker was asked for, nothing was posted to the console.
    expect(images.requests.filter((url) => url.startsWith('/marker/'))).toEqual([]);
    expect(images.requests.every((url) => url === '/banner.png')).toBe(true);
    expect(await page.evaluate(() => (window as any).posted.filter((m: string) => m.startsWith('ran:')))).toEqual([]);
  });
});
