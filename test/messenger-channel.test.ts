// Facebook Messenger with real parts: the server on port 0, the Graph API client pointed at a local
// fake of Meta's Graph API (through the account's graphBaseUrl), webhooks signed with HMAC-SHA256 over
// the exact raw bytes. Subscription checks answer only the right verify token; forged or tampered
// webhooks change nothing; duplicates store once; echoes are ignored; attachments come only from
// Meta's CDN; replies reach the Send API inside the 24-hour window and are refused outside it; Meta's
// failures are retried or fail the message with Meta's code; receipts move messages forward.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createHmac, randomBytes } from 'node:crypto';
import type { Message } from '../server/domain/types.js';
import { createChannelAccount, deliveredMessage, postWebhook, replyFromConsole } from './support/channel-traffic.js';
import { ENGINES, connect, nextDomainEvent, nextEvent, startTestServer, type ClientSocket, type TestServer } from './support/harness.js';
import { FakeGraph, GRAPH_VERSION } from './support/fake-graph.js';
import { startRecorder } from './support/fake-twilio.js';
import { RowCounter } from './support/row-counts.js';
import { PNG_1X1 } from './support/scenario.js';
import { until } from './support/until.js';

const PUBLIC_URL = 'https://desk.example.test';
const HOUR = 3_600_000;
const eventually = <T>(read: () => Promise<T>, holds: (v: T) => boolean, what: string) => until(read, holds, what, 5_000);
const hex = (n: number) => randomBytes(n).toString('hex');
const newPsid = () => String(7_000_000_000_000_000 + Math.floor(Math.random() * 1e15));
const newMid = () => `m_${randomBytes(24).toString('base64url')}`;

describe.each(ENGINES)('Facebook Messenger on %s', (engine) => {
  let graph: FakeGraph;
  let attacker: Awaited<ReturnType<typeof startRecorder>>;
  let server: TestServer;
  let counter: RowCounter;
  let admin: string;
  let adminSocket: ClientSocket;
  let page: { pageId: string; token: string };
  let appSecret: string;
  let verifyToken: string;
  let accountId: string;

  const sign = (raw: string | Buffer, secret = appSecret) => `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`;

  /** Posts a body as Meta does: the JSON text as given, signed over its exact bytes unless `signature` says otherwise. */
  function metaPost(body: unknown, opts: { raw?: string; signature?: string | null; secret?: string; account?: string } = {}) {
    const raw = opts.raw ?? JSON.stringify(body);
    return postWebhook(`${server.url}/webhooks/messenger/${opts.account ?? accountId}`, raw, {
      'content-type': 'application/json',
      'x-hub-signature-256': opts.signature === undefined ? sign(Buffer.from(raw, 'utf8'), opts.secret) : opts.signature,
    });
  }

  const webhook = (...messaging: Record<string, unknown>[]) => ({
    object: 'page',
    entry: [{ id: page.pageId, time: Date.now(), messaging }],
  });
  const from = (psid: string, event: Record<string, unknown>) => ({
    sender: { id: psid },
    recipient: { id: page.pageId },
    timestamp: Date.now(),
    ...event,
  });
  const textEvent = (psid: string, text: string, mid = newMid(), extra: Record<string, unknown> = {}) =>
    from(psid, { message: { mid, text, ...extra } });

  /** Sends one message in and resolves with the message it became. */
  function receive(psid: string, text: string, extra: Record<string, unknown> = {}): Promise<Message> {
    const mid = newMid();
    return deliveredMessage(server, mid, () => metaPost(webhook(textEvent(psid, text, mid, extra))));
  }

  const reply = (conversationId: string, text: string) => replyFromConsole(server.api, admin, conversationId, text);
  const stored = (id: string) => server.store.messages.findById(id);

  beforeAll(async () => {
    [graph, attacker] = await Promise.all([FakeGraph.start(), startRecorder()]);
    page = graph.page('ร้านทดสอบ');
    appSecret = hex(16);
    verifyToken = `verify-${hex(12)}`;
    server = await startTestServer(
      engine,
      { PUBLIC_URL, CLUSTER_NAME: `messenger-test-${process.pid}` },
      { outbox: { baseDelayMs: 10, maxDelayMs: 50, pollMs: 50 } },
    );
    counter = RowCounter.open(server);
    admin = await server.api.login();
    accountId = await createChannelAccount(server.api, admin, {
      kind: 'messenger',
      name: 'เพจทดสอบ',
      settings: { pageId: page.pageId, graphBaseUrl: graph.baseUrl },
      credentials: { appSecret, pageAccessToken: page.token, verifyToken },
    });
    adminSocket = await connect(server.url, { token: admin });
  });
  afterAll(async () => {
    adminSocket?.close();
    await counter?.close();
    await server?.stop();
    await Promise.all([graph?.close(), attacker?.close()]);
  });

  test('creating the account reads the page with the token and returns the callback URL; a bad token is a clear 400', async () => {
    const check = graph.requests.find((r) => r.method === 'GET' && r.path === `/${GRAPH_VERSION}/${page.pageId}`);
    expect(check).toMatchObject({ accessToken: page.token });
    expect(check!.query.get('fields')).toBe('name');
    const read = await server.api.request('GET', `/api/v1/channel-accounts/${accountId}`, { token: admin });
    expect(read.body.urls).toEqual({ webhook: `${PUBLIC_URL}/webhooks/messenger/${accountId}` });
    const shown = JSON.stringify(read.body);
    for (const secret of [appSecret, page.token, verifyToken]) expect(shown).not.toContain(secret);

    const before = await counter.counts();
    const wrong = await server.api.request('POST', '/api/v1/channel-accounts', {
      token: admin,
      body: {
        kind: 'messenger',
        name: 'Wrong token',
        settings: { pageId: page.pageId, graphBaseUrl: graph.baseUrl },
        credentials: { appSecret, pageAccessToken: `EAAG${hex(24)}`, verifyToken },
      },
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.message).toMatch(/Meta refused the page access token/);
    expect(wrong.body.error.details).toMatchObject({ service: 'messenger', step: 'token' });
    const bad = await server.api.request('POST', '/api/v1/channel-accounts', {
      token: admin,
      body: {
        kind: 'messenger',
        name: 'Bad',
        settings: { pageId: 'my page' },
        credentials: { appSecret: 'x', pageAccessToken: 'y', verifyToken: 'z' },
      },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/body\.pageId: the page ID is a number/);
    expect(bad.body.error.message).toMatch(/body\.appSecret: the app secret is 32 hex digits/);
    expect(await counter.counts()).toEqual(before);

    const openapi = await server.api.request('GET', '/api/v1/openapi.json');
    expect(openapi.body.paths['/webhooks/messenger/{accountId}']).toHaveProperty('get');
    expect(openapi.body.paths['/webhooks/messenger/{accountId}']).toHaveProperty('post');
  });

  test("Meta's subscription check: the right verify token gets the challenge back; anything else 403", async () => {
    const check = (query: Record<string, string>, account = accountId) =>
      fetch(`${server.url}/webhooks/messenger/${account}?${new URLSearchParams(query)}`).then(async (r) => ({
        status: r.status,
        text: await r.text(),
      }));
    const ok = await check({ 'hub.mode': 'subscribe', 'hub.verify_token': verifyToken, 'hub.challenge': '1158201444' });
    expect(ok).toEqual({ status: 200, text: '1158201444' });
    expect((await check({ 'hub.mode': 'subscribe', 'hub.verify_token': `${verifyToken}x`, 'hub.challenge': '1' })).status).toBe(403);
    expect((await check({ 'hub.mode': 'subscribe', 'hub.verify_token': verifyToken.slice(0, -1), 'hub.challenge': '1' })).status).toBe(403);
    expect((await check({ 'hub.mode': 'subscribe', 'hub.challenge': '1' })).status).toBe(403);
    expect((await check({ 'hub.mode': 'unsubscribe', 'hub.verify_token': verifyToken, 'hub.challenge': '1' })).status).toBe(403);
    expect((await check({ 'hub.mode': 'subscribe', 'hub.verify_token': verifyToken, 'hub.challenge': '1' }, hex(8))).status).toBe(404);
  });

  test('a Thai message with emoji is stored once on a customer known by page and PSID, and reaches the console', async () => {
    const psid = newPsid();
    const mid = newMid();
    const heard = nextEvent(adminSocket, 'message:created', (m) => m.providerMessageId === mid);
    // Meta escapes non-ASCII as \uXXXX: the signature is over those exact bytes.
    const raw = JSON.stringify(webhook(textEvent(psid, 'สวัสดีค่ะ สินค้ายังไม่มาเลย 📦🙏', mid))).replace(
      /[\u007f-\uffff]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
    expect([...raw].every((c) => c.charCodeAt(0) < 0x80)).toBe(true);
    const res = await metaPost(undefined, { raw });
    expect(res).toEqual({ status: 200, text: 'EVENT_RECEIVED' });
    const [message] = await heard;
    expect(message).toMatchObject({ direction: 'inbound', text: 'สวัสดีค่ะ สินค้ายังไม่มาเลย 📦🙏', status: 'received' });
    expect(message.meta?.messenger).toMatchObject({ psid, pageId: page.pageId });
    const conversation = (await server.store.conversations.findById(message.conversationId))!;
    expect(conversation).toMatchObject({ channelKind: 'messenger', channelAccountId: accountId });
    const profile = await server.api.request('GET', `/api/v1/customers/${conversation.customerId}`, { token: admin });
    expect(profile.body.customer.identities).toEqual([expect.objectContaining({ kind: 'messenger', scope: page.pageId, value: psid })]);
  });

  test('unsigned, tampered, wrongly keyed or malformed: 403 (or 4xx) and no row changes', async () => {
    const body = webhook(textEvent(newPsid(), 'ขอเงินคืน'));
    const raw = JSON.stringify(body);
    const good = sign(raw);
    const before = await counter.counts();
    const refused = await Promise.all([
      metaPost(body, { signature: null }),
      metaPost(body, { signature: '' }),
      metaPost(body, { signature: 'sha256=' }),
      metaPost(body, { raw: raw.replace('ขอเงินคืน', 'ขอเงินคืน 10,000 บาท'), signature: good }),
      metaPost(body, { raw: `${raw} `, signature: good }),
      metaPost(body, { secret: hex(16) }),
      metaPost(body, { signature: good.replace('sha256=', 'sha1=') }),
      metaPost(body, { signature: good.slice(0, -2) }),
    ]);
    expect(refused.map((r) => r.status)).toEqual(Array(8).fill(403));
    expect((await metaPost(body, { account: hex(8) })).status).toBe(404);
    const form = await fetch(`${server.url}/webhooks/messenger/${accountId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-hub-signature-256': good },
      body: raw,
    });
    expect(form.status).toBe(415);
    expect((await metaPost(undefined, { raw: 'x'.repeat(1_100_000) })).status).toBe(413);
    // Signed but not what Meta sends: 400, nothing stored.
    expect((await metaPost({ object: 'page', entry: [{ id: page.pageId, messaging: [{ sender: {} }] }] })).status).toBe(400);
    expect((await metaPost(undefined, { raw: '{"object":' })).status).toBe(400);
    expect(await counter.counts()).toEqual(before);
    // The very same body, correctly signed, goes in.
    expect((await metaPost(undefined, { raw, signature: good })).status).toBe(200);
  });

  test('ten concurrent deliveries of one mid store one message; an echo of our own message stores nothing', async () => {
    const body = webhook(textEvent(newPsid(), 'ส่งซ้ำ 10 ครั้ง'));
    const before = await counter.counts();
    const answers = await Promise.all(Array.from({ length: 10 }, () => metaPost(body)));
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200));
    const after = await counter.counts();
    expect(after.messages - before.messages).toBe(1);
    expect(after.conversations - before.conversations).toBe(1);
    expect(after.customers - before.customers).toBe(1);

    const echo = {
      object: 'page',
      entry: [
        {
          id: page.pageId,
          messaging: [
            {
              sender: { id: page.pageId },
              recipient: { id: newPsid() },
              timestamp: Date.now(),
              message: { mid: newMid(), text: 'echo', is_echo: true, app_id: 1 },
            },
          ],
        },
      ],
    };
    const quiet = await counter.counts();
    expect((await metaPost(echo)).status).toBe(200);
    expect(await counter.counts()).toEqual(quiet);
  });

  test('attachments: a picture on Meta’s CDN is stored; one elsewhere is refused without a request reaching it', async () => {
    const psid = newPsid();
    const mid = newMid();
    const cdnUrl = graph.serveFile(`/cdn/${hex(8)}.png`, PNG_1X1, 'image/png');
    const done = nextDomainEvent(
      server,
      'message.created',
      (e) => e.message.providerMessageId === mid && !e.message.meta?.messenger?.media?.some((m) => m.state === 'pending'),
    );
    const event = from(psid, {
      message: {
        mid,
        attachments: [
          { type: 'image', payload: { url: cdnUrl } },
          { type: 'image', payload: { url: `${attacker.url}/steal.png` } },
          { type: 'file', payload: { url: `https://evil.example.test/x.pdf` } },
        ],
      },
    });
    expect((await metaPost(webhook(event))).status).toBe(200);
    const { message } = await done;
    const image = message.parts.find((p) => p.type === 'image');
    expect(image).toMatchObject({ contentType: 'image/png', size: PNG_1X1.length, filename: 'messenger-1.png' });
    expect(message.text).toContain(`[Messenger image 2 was refused: ${attacker.host} is not a Meta media address]`);
    expect(message.text).toContain('[Messenger file 3 was refused: evil.example.test is not a Meta media address]');
    expect(message.meta?.messenger?.media?.map((m) => m.state)).toEqual(['stored', 'refused', 'refused']);
    expect(attacker.hits).toEqual([]);
    const download = await fetch(`${server.url}/api/v1/attachments/${image!.type === 'image' && image!.attachmentId}`, {
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(Buffer.from(await download.arrayBuffer()).equals(PNG_1X1)).toBe(true);
    // The same webhook again: nothing new.
    const before = await counter.counts();
    expect((await metaPost(webhook(event))).status).toBe(200);
    expect(await counter.counts()).toEqual(before);
    expect((await stored(message.id))!.parts).toEqual(message.parts);
  });

  test('a quick reply keeps its payload with the text; a postback is stored with its title and payload', async () => {
    const psid = newPsid();
    const quick = await receive(psid, 'ติดตามพัสดุ', { quick_reply: { payload: 'TRACK_ORDER' } });
    expect(quick.text).toBe('ติดตามพัสดุ');
    expect(quick.meta?.messenger?.quickReply).toEqual({ payload: 'TRACK_ORDER' });

    const mid = newMid();
    const created = nextDomainEvent(server, 'message.created', (e) => e.message.providerMessageId === mid);
    const postback = from(psid, { postback: { mid, title: 'คุยกับพนักงาน 🙋', payload: 'TALK_TO_AGENT' } });
    expect((await metaPost(webhook(postback))).status).toBe(200);
    const { message } = await created;
    expect(message.text).toBe('คุยกับพนักงาน 🙋');
    expect(message.meta?.messenger?.postback).toEqual({ title: 'คุยกับพนักงาน 🙋', payload: 'TALK_TO_AGENT' });
    expect(message.conversationId).toBe(quick.conversationId);
  });

  test('the sender’s name from Meta fills a new customer’s profile', async () => {
    const psid = newPsid();
    graph.profiles.set(psid, { first_name: 'สมชาย', last_name: 'ใจดี', profile_pic: 'https://scontent.xx.fbcdn.net/p.jpg' });
    const first = await receive(psid, 'สวัสดีครับ');
    const customerId = (await server.store.conversations.findById(first.conversationId))!.customerId;
    const customer = await eventually(
      () => server.store.customers.findById(customerId),
      (c) => c?.name === 'สมชาย ใจดี',
      'the name from Meta',
    );
    expect(customer!.name).toBe('สมชาย ใจดี');
    const read = graph.requests.find((r) => r.method === 'GET' && r.path === `/${GRAPH_VERSION}/${psid}`);
    expect(read).toMatchObject({ accessToken: page.token });
    expect(read!.query.get('fields')).toBe('first_name,last_name,profile_pic');
  });

  test('a reply inside the window reaches the Send API; delivery and read receipts move it forward', async () => {
    const psid = newPsid();
    const first = await receive(psid, 'สอบถามค่ะ');
    const answer = await reply(first.conversationId, 'ได้เลยครับ 😊 จัดส่งพรุ่งนี้');
    expect(answer.status).toBe(201);
    const request = await graph.next((r) => r.method === 'POST' && r.body?.message?.text === 'ได้เลยครับ 😊 จัดส่งพรุ่งนี้');
    expect(request.path).toBe(`/${GRAPH_VERSION}/me/messages`);
    expect(request.accessToken).toBe(page.token);
    expect(request.body).toEqual({ recipient: { id: psid }, messaging_type: 'RESPONSE', message: { text: 'ได้เลยครับ 😊 จัดส่งพรุ่งนี้' } });
    const sent = await eventually(
      () => stored(answer.body.message.id),
      (m) => m?.status === 'sent',
      'the reply sent',
    );
    expect(sent!.providerMessageId).toMatch(/^m_/);

    const delivered = nextEvent(adminSocket, 'message:status', (e) => e.id === sent!.id && e.status === 'delivered');
    expect((await metaPost(webhook(from(psid, { delivery: { mids: [sent!.providerMessageId], watermark: Date.now() } })))).status).toBe(
      200,
    );
    await delivered;
    const read = nextEvent(adminSocket, 'message:status', (e) => e.id === sent!.id && e.status === 'read');
    expect((await metaPost(webhook(from(psid, { read: { watermark: Date.now() } })))).status).toBe(200);
    await read;
    expect((await stored(sent!.id))!.status).toBe('read');
    // A late delivery receipt never moves it back.
    expect((await metaPost(webhook(from(psid, { delivery: { mids: [sent!.providerMessageId], watermark: Date.now() } })))).status).toBe(
      200,
    );
    expect((await stored(sent!.id))!.status).toBe('read');
  });

  test('more than 24 hours after the customer’s last message a reply is refused with 409 and nothing reaches Meta', async () => {
    const first = await receive(newPsid(), 'ขอบคุณค่ะ');
    const last = Date.now() - 25 * HOUR;
    await server.store.conversations.update(first.conversationId, { lastCustomerMessageAt: last }, Date.now());
    const sends = graph.sends().length;
    const before = await counter.counts();
    const refused = await reply(first.conversationId, 'ยังอยู่ไหมคะ');
    expect(refused.status).toBe(409);
    const when = new Date(last).toISOString().slice(0, 16).replace('T', ' ');
    expect(refused.body.error.message).toBe(
      `Messenger allows replies only within 24 hours of the customer's last message (last: ${when} UTC); ask them to write again, or reply on another channel`,
    );
    expect(refused.body.error.details).toMatchObject({
      channel: 'messenger',
      lastCustomerMessageAt: last,
      replyWindowEndsAt: last + 24 * HOUR,
    });
    expect(await counter.counts()).toEqual(before);
    const detail = await server.api.request('GET', `/api/v1/conversations/${first.conversationId}`, { token: admin });
    expect(detail.body.replyWindowEndsAt).toBe(last + 24 * HOUR);
    // A private note is still fine.
    const note = await server.api.request('POST', `/api/v1/conversations/${first.conversationId}/notes`, {
      token: admin,
      body: { text: 'หมดเวลาตอบ' },
    });
    expect(note.status).toBe(201);
    expect(graph.sends().length).toBe(sends);
  });

  test('Meta failing: 500 and rate limit (4) are retried until sent; 551 and outside-the-window fail the message with Meta’s code', async () => {
    const first = await receive(newPsid(), 'ลองใหม่');
    graph.failNext('500');
    graph.failNext('rate_limit');
    const retried = await reply(first.conversationId, 'retry me');
    const sent = await eventually(
      () => stored(retried.body.message.id),
      (m) => m?.status === 'sent',
      'sent after two failures',
    );
    expect(sent!.errorCode).toBeNull();
    expect(graph.sends().filter((r) => r.body?.message?.text === 'retry me')).toHaveLength(3);

    graph.failNext('unavailable');
    const gone = await reply(first.conversationId, 'to someone unavailable');
    const failed = await eventually(
      () => stored(gone.body.message.id),
      (m) => m?.status === 'failed',
      'failed with 551',
    );
    expect(failed).toMatchObject({ errorCode: 'INVALID_PAYLOAD', errorMessage: "Messenger 551: This person isn't available right now" });
    expect(graph.sends().filter((r) => r.body?.message?.text === 'to someone unavailable')).toHaveLength(1);

    graph.failNext('outside_window');
    const late = await reply(first.conversationId, 'too late by Meta’s clock');
    const refused = await eventually(
      () => stored(late.body.message.id),
      (m) => m?.status === 'failed',
      'failed outside the window',
    );
    expect(refused!.errorCode).toBe('PERMANENT');
    expect(refused!.errorMessage).toMatch(/^Messenger 10\/2018278: .*24 hours/);
  });
});
