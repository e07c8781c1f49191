// Delivery states of an agent's replies in the console, in a real Chromium against a real server and
// the local fakes of Twilio and Meta's Graph API. Each reply's first try meets a provider outage (503,
// 500): the outbox retries it, and meanwhile the console shows it queued with the provider's answer. SMS: a reply goes queued →
// sent → delivered live; one Twilio then refuses for good (21408) shows the error's code, Twilio's own
// reason and what to do, and is not tried again. Messenger, with the console in Thai: delivery and read
// receipts show live, and a person who cannot be written to (551) is explained in Thai with its code.
// Every state the page shows is recorded as it renders, so the order is checked, not only the end.
// Writes docs/screenshots/delivery-states.png and delivery-retrying.png at 1280x800.
import fs from 'node:fs';
import path from 'node:path';
import { createHmac, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import type { Message } from '../server/domain/types.js';
import { launchChromium, signIn } from './support/browser.js';
import { postTwilioForm, postWebhook } from './support/channel-traffic.js';
import { FakeTwilio } from './support/fake-twilio.js';
import { FakeGraph } from './support/fake-graph.js';
import { nextDomainEvent, startTestServer, type TestServer } from './support/harness.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const DOCS = path.join(ROOT, 'docs', 'screenshots');
const SHOTS = path.join(ROOT, 'test-results');
const PUBLIC_URL = 'https://desk.example.test';
const OUR_NUMBER = '+6621234567';
const LIVE = { timeout: 10_000 };
const hex = (n: number) => randomBytes(n).toString('hex');

describe('delivery states in the console (Chromium)', () => {
  let twilioFake: FakeTwilio;
  let graph: FakeGraph;
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let admin: string;
  let agentId: string;
  let twilioAccount: { accountSid: string; authToken: string };
  let smsAccountId: string;
  let fbPage: { pageId: string; token: string };
  let appSecret: string;
  let messengerAccountId: string;

  async function api(method: string, url: string, body?: unknown) {
    const res = await server.api.request(method, `/api/v1${url}`, { token: admin, body });
    expect(res.status, `${method} ${url}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
    return res.body;
  }

  /** Posts a form as Twilio does, signed over PUBLIC_URL + path with the account's auth token. */
  async function twilioPost(hookPath: string, params: Record<string, string>): Promise<void> {
    const form = { AccountSid: twilioAccount.accountSid, ...params };
    const res = await postTwilioForm(server.url, hookPath, form, { authToken: twilioAccount.authToken, publicUrl: PUBLIC_URL });
    expect(res.status, res.text).toBe(200);
  }

  /** Posts page events as Meta does, signed over the exact bytes with the app secret. */
  async function metaPost(psid: string, event: Record<string, unknown>): Promise<void> {
    const raw = JSON.stringify({
      object: 'page',
      entry: [
        {
          id: fbPage.pageId,
          time: Date.now(),
          messaging: [{ sender: { id: psid }, recipient: { id: fbPage.pageId }, timestamp: Date.now(), ...event }],
        },
      ],
    });
    const signature = `sha256=${createHmac('sha256', appSecret).update(raw).digest('hex')}`;
    const res = await postWebhook(`${server.url}/webhooks/messenger/${messengerAccountId}`, raw, {
      'content-type': 'application/json',
      'x-hub-signature-256': signature,
    });
    expect(res.status, res.text).toBe(200);
  }

  /** A customer's first message (`send` delivers it), named and assigned to the agent: its conversation's id. */
  async function customerWrites(providerMessageId: string, name: string, send: () => Promise<void>): Promise<string> {
    const created = nextDomainEvent(server, 'message.created', (e) => e.message.providerMessageId === providerMessageId);
    await send();
    const { conversation } = await created;
    await api('PATCH', `/customers/${conversation.customerId}`, { name });
    await api('POST', `/conversations/${conversation.id}/assign`, { assigneeId: agentId });
    return conversation.id;
  }

  /**
   * Opens the conversation from "Mine", writes `text` in the composer and sends it: the stored reply's
   * bubble. Found by its id: the list may still show the customer as they were when it arrived (a
   * rename made elsewhere reaches only those who have the conversation open).
   */
  async function replyInConsole(conversationId: string, text: string): Promise<Locator> {
    await page.locator('[role="tab"][data-tab="mine"]').click();
    await page.locator(`.conversation-item[data-conversation-id="${conversationId}"]`).click();
    const box = page.locator('.composer textarea');
    await box.fill(text);
    await box.press('Enter');
    const bubble = page.locator('.message-outbound[data-message-id]', { hasText: text });
    await bubble.waitFor(LIVE);
    return bubble;
  }

  /** Every delivery state the page has shown for a message, in order (recorded as they render). */
  const statesOf = (bubble: Locator) =>
    bubble.evaluate(
      (el) => (window as unknown as { deliveries: Record<string, string[]> }).deliveries[el.getAttribute('data-message-id')!] ?? [],
    );
  /** The words of each retry notice the message showed, in order. */
  const noticesOf = (bubble: Locator) =>
    bubble.evaluate(
      (el) => (window as unknown as { notices: Record<string, string[]> }).notices[el.getAttribute('data-message-id')!] ?? [],
    );

  const stored = async (bubble: Locator): Promise<Message> =>
    (await server.store.messages.findById((await bubble.getAttribute('data-message-id'))!))!;

  beforeAll(async () => {
    fs.mkdirSync(DOCS, { recursive: true });
    fs.mkdirSync(SHOTS, { recursive: true });
    [twilioFake, graph] = await Promise.all([FakeTwilio.start(), FakeGraph.start()]);
    // A retry waits 0.75 to 1.5 s: long enough for the console to show a reply still queued.
    server = await startTestServer('sqlite', { PUBLIC_URL }, { outbox: { baseDelayMs: 1_500, maxDelayMs: 3_000, pollMs: 50 } });
    admin = await server.api.login();
    twilioAccount = twilioFake.account();
    smsAccountId = (
      await api('POST', '/channel-accounts', {
        kind: 'sms',
        name: 'SMS ร้านขนม',
        settings: { accountSid: twilioAccount.accountSid, phoneNumber: OUR_NUMBER, apiBaseUrl: twilioFake.url },
        credentials: { authToken: twilioAccount.authToken },
      })
    ).account.id;
    fbPage = graph.page('ร้านขนมบ้านสวน');
    appSecret = hex(16);
    messengerAccountId = (
      await api('POST', '/channel-accounts', {
        kind: 'messenger',
        name: 'เพจร้านขนม',
        settings: { pageId: fbPage.pageId, graphBaseUrl: graph.baseUrl },
        credentials: { appSecret, pageAccessToken: fbPage.token, verifyToken: `verify-${hex(8)}` },
      })
    ).account.id;
    const agent = await server.api.userWithRole(admin, 'agent', 'Ploy Agent');
    agentId = agent.id;

    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
    page = await context.newPage();
    await signIn(page, agent, server.url);
    // Records each message's delivery states as the page shows them (the timeline re-renders rows freely):
    // a queued reply the outbox is trying again shows as `queued↻<code>`, and the notice's words are kept.
    await page.evaluate(() => {
      const deliveries: Record<string, string[]> = {};
      const notices: Record<string, string[]> = {};
      Object.assign(window, { deliveries, notices });
      const record = () => {
        for (const el of document.querySelectorAll('article[data-message-id] [data-delivery]')) {
          const article = el.closest('article')!;
          const id = article.getAttribute('data-message-id')!;
          const seen = (deliveries[id] ??= []);
          const retrying = article.querySelector('.delivery-retrying');
          const state = el.getAttribute('data-delivery')! + (retrying ? `↻${retrying.getAttribute('data-error-code')}` : '');
          if (seen.at(-1) !== state) seen.push(state);
          const words = retrying?.textContent;
          if (words && (notices[id] ??= []).at(-1) !== words) notices[id]!.push(words);
        }
      };
      new MutationObserver(record).observe(document.body, {
        subtree: true,
        childList: true,
        attributes: true,
        attributeFilter: ['data-delivery', 'data-error-code'],
      });
    });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await Promise.all([twilioFake?.close(), graph?.close()]);
  });

  test('SMS: a reply goes queued → sent → delivered live; a reply Twilio refuses shows the code and Twilio’s reason', async () => {
    const customer = '+66891234567';
    const sid = `SM${hex(16)}`;
    const conversationId = await customerWrites(sid, 'มาลี ศรีสุข', () =>
      twilioPost(`/webhooks/sms/${smsAccountId}`, {
        MessageSid: sid,
        From: customer,
        To: OUR_NUMBER,
        Body: 'เค้กส้มยังมีไหมคะ',
        NumMedia: '0',
      }),
    );

    // Twilio answers the first two tries 503: the reply stays queued, saying why, until a retry gets it through.
    twilioFake.failNext(2, 503);
    const text = 'มีค่ะ เหลือ 2 ชิ้น เก็บไว้ให้ไหมคะ';
    const reply = await replyInConsole(conversationId, text);
    const delivery = reply.locator('[data-delivery]');
    await reply.locator('.delivery-retrying').waitFor(LIVE);
    await page.screenshot({ path: path.join(DOCS, 'delivery-retrying.png') });
    await expect.poll(() => delivery.getAttribute('data-delivery'), LIVE).toBe('sent');
    // Meanwhile it said why it was not sent yet (two socket events may land in one render: the plain
    // 'queued' before the retry is not always seen).
    expect((await statesOf(reply)).filter((state) => state !== 'queued')).toEqual(['queued↻TEMPORARY', 'sent']);
    expect(await noticesOf(reply)).toEqual([
      expect.stringMatching(
        /^↻Not sent yet: SMS did not take it\. Trying again automatically\.CodeTEMPORARYReasonTwilio 20500: Internal Server Error$/,
      ),
    ]);
    expect(twilioFake.sends().filter((r) => r.form.Body === text)).toHaveLength(3);
    expect(await delivery.textContent()).toBe('✓Sent');
    expect(await delivery.getAttribute('title')).toBe('Accepted by SMS');

    // The carrier's report reaches the console without a reload.
    await twilioPost(`/webhooks/sms/${smsAccountId}/status`, {
      MessageSid: (await stored(reply)).providerMessageId!,
      MessageStatus: 'delivered',
    });
    await expect.poll(() => delivery.getAttribute('data-delivery'), LIVE).toBe('delivered');
    expect((await statesOf(reply)).filter((state) => state !== 'queued')).toEqual(['queued↻TEMPORARY', 'sent', 'delivered']);
    expect(await reply.locator('.delivery-retrying').count()).toBe(0);
    expect(await delivery.textContent()).toBe('✓✓Delivered');

    // Twilio is down for the next one's first try (retried), then refuses it for good (not retried): the console says why.
    const reason = "Permission to send an SMS has not been enabled for the region indicated by the 'To' number: " + customer;
    twilioFake.failNext(1, 503);
    twilioFake.failNext(1, 400, { code: 21408, message: reason });
    const refusedText = 'ส่งรูปเค้กให้ดูนะคะ';
    const refused = await replyInConsole(conversationId, refusedText);
    const failure = refused.locator('.delivery-failure');
    await failure.waitFor(LIVE);
    expect((await statesOf(refused)).filter((state) => state !== 'queued')).toEqual(['queued↻TEMPORARY', 'failed']);
    expect(twilioFake.sends().filter((r) => r.form.Body === refusedText)).toHaveLength(2);
    expect(await stored(refused)).toMatchObject({ status: 'failed', errorCode: 'PERMANENT', errorMessage: `Twilio 21408: ${reason}` });
    expect(await failure.getAttribute('data-error-code')).toBe('PERMANENT');
    expect(await failure.locator('.delivery-failure-title').textContent()).toBe('!The provider refused this message');
    expect(await failure.locator('.delivery-failure-code').textContent()).toBe('PERMANENT');
    expect(await failure.locator('.delivery-failure-reason').textContent()).toBe(`Twilio 21408: ${reason}`);
    expect(await failure.locator('.delivery-failure-hint').textContent()).toBe(
      'Sending the same message again will not help until the reason is dealt with.',
    );
    expect(await refused.getAttribute('aria-label')).toContain('Not delivered (PERMANENT): The provider refused this message');
    expect(await refused.locator('[data-delivery]').textContent()).toBe('!Failed');
    await refused.getByRole('button', { name: 'Send this failed message again as a new message' }).waitFor();
    await page.screenshot({ path: path.join(DOCS, 'delivery-states.png') });
  });

  test('Messenger in Thai: delivery and read receipts show live; a person Meta cannot reach (551) is explained with its code', async () => {
    await page.getByRole('button', { name: 'ไทย', exact: true }).click();
    await page.locator('html[lang="th"]').waitFor();
    const psid = String(7_000_000_000_000_000 + Math.floor(Math.random() * 1e15));
    const mid = `m_${hex(18)}`;
    const conversationId = await customerWrites(mid, 'วิภา ทองดี', () => metaPost(psid, { message: { mid, text: 'สั่งเค้กวันเกิดได้ไหมคะ' } }));

    // Each reply's first try meets a Graph 500 (retried): the console shows it queued meanwhile.
    graph.failNext('500');
    const text = 'ได้ค่ะ ต้องการวันไหนคะ';
    const reply = await replyInConsole(conversationId, text);
    const delivery = reply.locator('[data-delivery]');
    await expect.poll(() => delivery.getAttribute('data-delivery'), LIVE).toBe('sent');
    const providerId = (await stored(reply)).providerMessageId!;
    await metaPost(psid, { delivery: { mids: [providerId], watermark: Date.now() } });
    await expect.poll(() => delivery.getAttribute('data-delivery'), LIVE).toBe('delivered');
    expect(await delivery.textContent()).toBe('✓✓ถึงผู้รับแล้ว');
    await metaPost(psid, { read: { watermark: Date.now() } });
    await expect.poll(() => delivery.getAttribute('data-delivery'), LIVE).toBe('read');
    expect((await statesOf(reply)).filter((state) => state !== 'queued')).toEqual(['queued↻TEMPORARY', 'sent', 'delivered', 'read']);
    expect(await noticesOf(reply)).toEqual([expect.stringMatching(/^↻ยังส่งไม่สำเร็จ: Messenger ยังไม่รับข้อความ/)]);
    expect(graph.sends().filter((r) => r.body?.message?.text === text)).toHaveLength(2);
    expect(await delivery.textContent()).toBe('✓✓อ่านแล้ว');

    graph.failNext('500');
    graph.failNext('unavailable');
    const refused = await replyInConsole(conversationId, 'ส่งเมนูให้นะคะ');
    const failure = refused.locator('.delivery-failure');
    await failure.waitFor(LIVE);
    expect((await statesOf(refused)).filter((state) => state !== 'queued')).toEqual(['queued↻TEMPORARY', 'failed']);
    expect(await failure.locator('.delivery-failure-title').textContent()).toBe('!ผู้ให้บริการไม่รับผู้รับหรือเนื้อหาของข้อความนี้');
    expect(await failure.locator('dt').allTextContents()).toEqual(['รหัส', 'สาเหตุ']);
    expect(await failure.locator('.delivery-failure-code').textContent()).toBe('INVALID_PAYLOAD');
    expect(await failure.locator('.delivery-failure-reason').textContent()).toBe("Messenger 551: This person isn't available right now");
    expect(await failure.locator('.delivery-failure-hint').textContent()).toBe('ตรวจสอบช่องทางติดต่อของลูกค้าหรือแก้ไขข้อความ แล้วส่งใหม่');
    await page.screenshot({ path: path.join(SHOTS, 'delivery-states-th.png') });
  });
});
