// The embeddable web chat widget in a real Chromium, against a real server: the demo shop page loads
// the widget with one script tag, a Thai visitor chats with an agent connected over socket.io, reloads
// the page and finds the same conversation, and sends a photo. Screenshots go to test-results/widget/.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from './support/browser.js';
import { rgbPng } from './support/scenario.js';
import type { Message } from '../server/domain/types.js';
import { connect, nextEvent, startTestServer, type ClientSocket, type TestServer } from './support/harness.js';

const SHOTS = path.join(import.meta.dirname, '..', 'test-results', 'widget');

describe('web chat widget in a real browser', () => {
  let server: TestServer;
  let browser: Browser;
  let agent: { id: string; token: string };
  let agentSocket: ClientSocket;
  let accountId: string;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    server = await startTestServer('sqlite');
    const adminToken = await server.api.login();
    agent = await server.api.userWithRole(adminToken, 'agent', 'Somchai Agent');
    accountId = await server.api.webChatAccount(adminToken, 'Baan Khanom website');
    agentSocket = await connect(server.url, { token: agent.token });
    browser = await launchChromium();
  });
  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    agentSocket?.close();
    await server?.stop();
  });

  async function openDemo(options: { locale: string; lang?: 'th' | 'en'; viewport?: { width: number; height: number } }): Promise<Page> {
    const context = await browser.newContext({ locale: options.locale, viewport: options.viewport ?? { width: 1280, height: 800 } });
    contexts.push(context);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    page.on('console', (msg) => msg.type() === 'error' && !msg.text().includes('Failed to load resource') && errors.push(msg.text()));
    (page as Page & { errors: string[] }).errors = errors;
    await page.goto(`${server.url}/widget/demo?account=${accountId}${options.lang ? `&lang=${options.lang}` : ''}`);
    await widget(page, '.launcher').waitFor();
    return page;
  }

  /** Playwright's CSS locators pierce open shadow roots: the widget's parts are found under its host element. */
  const widget = (page: Page, selector: string, hasText?: string) =>
    page.locator(`omnidesk-widget ${selector}`, hasText ? { hasText } : {});
  const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), animations: 'disabled' });
  const inboundWith = (match: (m: Message) => boolean) =>
    nextEvent(agentSocket, 'message:created', (m) => m.direction === 'inbound' && match(m));

  test('a Thai visitor chats with an agent, keeps the conversation across reloads and sends a photo', { timeout: 90_000 }, async () => {
    const page = await openDemo({ locale: 'th-TH', lang: 'th' });
    await shot(page, '1-closed-th');

    // The shop's broad CSS (`section { padding: 72px 0 }`, uppercase buttons) does not reach the widget.
    await widget(page, '.launcher').click();
    const panelPadding = await widget(page, '.panel').evaluate((el) => getComputedStyle(el).paddingTop);
    expect(panelPadding).toBe('0px');
    await widget(page, 'input[name="name"]').fill('สมหญิง ใจดี');
    await widget(page, 'input[name="email"]').fill('somying@example.com');
    await shot(page, '2-prechat-th');
    await page.getByRole('button', { name: 'เริ่มแชท' }).click();

    // The visitor writes in Thai with an emoji; the agent's socket gets exactly that text.
    const question = 'สวัสดีค่ะ อยากสั่งเค้กวันเกิด 1 ปอนด์ พรุ่งนี้ทันไหมคะ 🎂';
    const firstInbound = inboundWith(() => true);
    await widget(page, 'textarea').fill(question);
    await widget(page, 'textarea').press('Enter');
    const [received] = await firstInbound;
    expect(received.parts).toEqual([{ type: 'text', text: question }]);
    expect(received.text).toBe(question);
    const conversationId = received.conversationId;
    await widget(page, '.msg.mine[data-state="sent"]', question).waitFor();

    // The agent takes the conversation; typing shows in the widget, then the reply arrives live.
    const assigned = await server.api.request('POST', `/api/v1/conversations/${conversationId}/assign`, {
      token: agent.token,
      body: { assigneeId: agent.id },
    });
    expect(assigned.status).toBe(200);
    agentSocket.emit('agent:typing', { conversationId, typing: true });
    await widget(page, '.typing', 'Somchai Agent กำลังพิมพ์').waitFor();
    await shot(page, '3-agent-typing-th');
    const answer = 'ได้เลยค่ะ เค้ก 1 ปอนด์ รับได้พรุ่งนี้ 10 โมงนะคะ 😊';
    const replied = await server.api.request('POST', `/api/v1/conversations/${conversationId}/messages`, {
      token: agent.token,
      body: { text: answer },
    });
    expect(replied.status).toBe(201);
    await widget(page, '.msg.theirs .bubble', answer).waitFor();
    await widget(page, '.typing').filter({ hasText: 'กำลังพิมพ์' }).waitFor({ state: 'detached' });

    // Message content is text, never markup.
    const markup = 'ข้อความนี้มี <b>แท็ก</b> และ <img src=x onerror="window.__pwned=1"> แต่ต้องแสดงเป็นข้อความธรรมดา';
    await server.api.request('POST', `/api/v1/conversations/${conversationId}/messages`, { token: agent.token, body: { text: markup } });
    const markupBubble = widget(page, '.msg.theirs .bubble', 'แท็ก');
    await markupBubble.waitFor();
    expect(await markupBubble.textContent()).toBe(markup);
    expect(await markupBubble.locator('b, img').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();

    // The visitor's typing reaches the agent.
    const visitorTyping = nextEvent(agentSocket, 'typing', (e) => e.conversationId === conversationId && e.from === 'customer' && e.typing);
    await widget(page, 'textarea').fill('ขอบคุณค่ะ');
    await visitorTyping;
    await shot(page, '4-conversation-th');
    const visitorStopped = nextEvent(
      agentSocket,
      'typing',
      (e) => e.conversationId === conversationId && e.from === 'customer' && !e.typing,
    );
    await widget(page, 'textarea').fill('');
    await visitorStopped;

    // A reload returns to the same conversation, with the panel still open.
    await page.reload();
    await widget(page, '.msg.mine[data-state="sent"]', question).waitFor();
    await widget(page, '.msg.theirs .bubble', answer).waitFor();
    expect(await widget(page, '.msg.mine').count()).toBe(1);
    expect(await widget(page, '.msg.theirs:not(.greeting)').count()).toBe(2);

    // A photo: uploaded with the visitor's token, then sent as a message with an image part.
    const photo = cakePhoto();
    const imageInbound = inboundWith((m) => m.parts.some((p) => p.type === 'image'));
    await widget(page, 'input[type="file"]').setInputFiles({ name: 'cake-design.png', mimeType: 'image/png', buffer: photo });
    const [imageMessage] = await imageInbound;
    expect(imageMessage.conversationId).toBe(conversationId);
    expect(imageMessage.parts).toEqual([
      { type: 'image', attachmentId: expect.any(String), filename: 'cake-design.png', contentType: 'image/png', size: photo.length },
    ]);
    await widget(page, '.msg.mine[data-state="sent"] .media img').waitFor();

    // After another reload the photo is downloaded with the bearer token and shown from a blob URL.
    await page.reload();
    await page.waitForFunction(() => {
      const img = document.querySelector('omnidesk-widget')?.shadowRoot?.querySelector<HTMLImageElement>('.msg.mine .media img');
      return Boolean(img?.src.startsWith('blob:') && img.complete && img.naturalWidth === 160);
    });
    await shot(page, '5-photo-th');

    // Files are checked before uploading, and the server's refusal is shown on the message.
    await widget(page, 'input[type="file"]').setInputFiles({
      name: 'setup.exe',
      mimeType: 'application/x-msdownload',
      buffer: Buffer.from('MZ fake program'),
    });
    await widget(page, '.notice', 'ส่งได้เฉพาะรูปภาพ').waitFor();
    await widget(page, 'input[type="file"]').setInputFiles({
      name: 'not-really.png',
      mimeType: 'image/png',
      buffer: Buffer.from('MZ\u0090\u0000 this is not an image'),
    });
    await widget(page, '.msg.mine.failed', 'ส่งไม่สำเร็จ').waitFor();
    await shot(page, '6-refused-file-th');
    // A refused file cannot be retried, only removed (it was never stored).
    expect(await widget(page, '.msg.mine.failed .link-button', 'ลองอีกครั้ง').count()).toBe(0);
    await widget(page, '.msg.mine.failed .link-button', 'ลบ').click();
    await widget(page, '.msg.mine.failed').waitFor({ state: 'detached' });

    // With the panel closed, a reply shows as an unread count on the launcher; opening clears it.
    await widget(page, '.header .icon-button').click();
    await widget(page, '.panel').waitFor({ state: 'hidden' });
    await server.api.request('POST', `/api/v1/conversations/${conversationId}/messages`, {
      token: agent.token,
      body: { text: 'ส่งรูปมาได้เลยค่ะ 👍' },
    });
    await widget(page, '.badge', '1').waitFor();
    await shot(page, '7-unread-th');
    await widget(page, '.launcher').click();
    await widget(page, '.msg.theirs .bubble', 'ส่งรูปมาได้เลยค่ะ').waitFor();
    await widget(page, '.badge').waitFor({ state: 'hidden' });
    expect((page as Page & { errors: string[] }).errors).toEqual([]);
  });

  test('an English visitor on a phone, whose stored session is gone, gets a fresh one and can chat', { timeout: 60_000 }, async () => {
    const context = await browser.newContext({ locale: 'en-US', viewport: { width: 390, height: 780 }, isMobile: true, hasTouch: true });
    contexts.push(context);
    await context.addInitScript((key) => {
      if (!sessionStorage.getItem('seeded')) {
        localStorage.setItem(key, JSON.stringify({ token: 'a-token-the-server-never-issued', name: 'Jane', email: null }));
        sessionStorage.setItem('seeded', '1');
      }
    }, `omnidesk.webchat.${accountId}`);
    const page = await context.newPage();
    await page.goto(`${server.url}/widget/demo?account=${accountId}`);
    await widget(page, '.launcher').waitFor();
    await shot(page, '8-closed-en-mobile');
    await page.getByRole('button', { name: 'Open chat' }).click();
    await widget(page, '.status[data-state="online"]').waitFor();

    const text = 'Hi! Do you deliver to Bangkok? 📦';
    const inbound = inboundWith((m) => m.text === text);
    await widget(page, 'textarea').fill(text);
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    const [message] = await inbound;
    const conversation = await server.api.request('GET', `/api/v1/conversations/${message.conversationId}`, { token: agent.token });
    expect(conversation.body.customer.name).toBe('Jane');
    await widget(page, '.msg.mine[data-state="sent"]', text).waitFor();
    const stored = await page.evaluate(
      (key) => JSON.parse(localStorage.getItem(key) ?? 'null') as { token: string },
      `omnidesk.webchat.${accountId}`,
    );
    expect(stored.token).not.toBe('a-token-the-server-never-issued');
    await shot(page, '9-open-en-mobile');
  });

  test('the English pre-chat form and an empty conversation look right on a desktop', async () => {
    const page = await openDemo({ locale: 'en-GB' });
    await page.locator('#chat-cta').click();
    await widget(page, 'input[name="name"]').waitFor();
    await shot(page, '10-prechat-en');
    await widget(page, 'input[name="email"]').fill('not an email');
    await page.getByRole('button', { name: 'Start chat' }).click();
    await widget(page, '.form-error', 'valid email').waitFor();
    await widget(page, 'input[name="email"]').fill('');
    await page.getByRole('button', { name: 'Start chat' }).click();
    await widget(page, '.status[data-state="online"]').waitFor();
    await shot(page, '11-empty-en');
  });
});

/** A 160×100 PNG (a pink cake on a cream background), encoded here so the test needs no fixture file. */
function cakePhoto(): Buffer {
  return rgbPng(160, 100, (x, y) => {
    const cake = x > 40 && x < 120 && y > 35 && y < 85;
    const icing = cake && y < 48;
    return icing ? [255, 255, 255] : cake ? [236, 72, 153] : [254, 243, 199];
  });
}
