// LINE with real parts: the server on port 0, @line/bot-sdk pointed at a local fake of LINE's APIs
// (through the account's apiBaseUrl and dataApiBaseUrl), webhooks signed with the channel secret's
// HMAC over the exact raw bytes. A Thai message reaches an agent's socket; tampered or unsigned
// webhooks change nothing; redeliveries store once; stickers, pictures (fetched from LINE's data API),
// locations and postbacks are stored; follow/unfollow set the customer's LINE consent; replies go by
// reply token once, then by push with a retry key; failures are retried or coded; a LINE customer and
// an email customer linked by an agent end as one customer with both histories.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { randomBytes } from 'node:crypto';
import type { InboundMessage, Message } from '../server/domain/types.js';
import { makeIngestMessage } from '../server/usecases/ingest-message.js';
import { createChannelAccount, deliveredMessage, postWebhook, replyFromConsole } from './support/channel-traffic.js';
import { ENGINES, connect, nextDomainEvent, nextEvent, startTestServer, type ClientSocket, type TestServer } from './support/harness.js';
import { FakeLine } from './support/fake-line.js';
import {
  lineEnvelope,
  lineEvent,
  lineHeaders,
  lineMessageId,
  lineSignature,
  lineUserId,
  type LineEventJson,
} from './support/line-webhook.js';
import { RowCounter } from './support/row-counts.js';
import { PNG_1X1, uploadFile } from './support/scenario.js';
import { until } from './support/until.js';

const PUBLIC_URL = 'https://desk.example.test';
const CHANNEL_ID = '1657000001';
const eventually = <T>(read: () => Promise<T>, holds: (v: T) => boolean, what: string) => until(read, holds, what, 5_000);
const hex = (n: number) => randomBytes(n).toString('hex');

describe.each(ENGINES)('LINE on %s', (engine) => {
  let fake: FakeLine;
  let server: TestServer;
  let counter: RowCounter;
  let admin: string;
  let agentSocket: ClientSocket;
  let accountId: string;
  let secret: string;
  let accessToken: string;
  const newUser = lineUserId;
  const messageId = lineMessageId;
  const sign = (raw: string, key = secret) => lineSignature(raw, key);
  const envelope = lineEnvelope;
  const event = lineEvent;

  const linePost = (raw: string, opts: { signature?: string | null; path?: string; contentType?: string } = {}) =>
    postWebhook(
      `${server.url}${opts.path ?? `/webhooks/line/${accountId}`}`,
      raw,
      lineHeaders(raw, secret, opts.signature, opts.contentType),
    );

  const messageEvent = (userId: string, message: Record<string, unknown>, opts: { at?: number; replyToken?: string | null } = {}) =>
    event(
      userId,
      'message',
      { message: { id: messageId(), ...message }, ...(opts.replyToken !== null && { replyToken: opts.replyToken ?? fake.replyToken() }) },
      opts.at,
    );

  /** Posts one message event and resolves with the message it became. */
  const receive = (e: LineEventJson): Promise<Message> => deliveredMessage(server, e.message!.id, () => linePost(envelope(e)));

  const reply = (conversationId: string, text: string, attachmentIds?: string[]) =>
    replyFromConsole(server.api, admin, conversationId, text, attachmentIds);
  const stored = (id: string) => server.store.messages.findById(id);
  const customerOf = async (conversationId: string) => (await server.store.conversations.findById(conversationId))!.customerId;
  const settled = (id: string) =>
    eventually(
      () => stored(id),
      (m) => m?.status === 'sent' || m?.status === 'failed',
      'the reply sent or failed',
    );

  beforeAll(async () => {
    fake = await FakeLine.start();
    secret = hex(16);
    accessToken = fake.token();
    server = await startTestServer(
      engine,
      { PUBLIC_URL, CLUSTER_NAME: `line-test-${process.pid}` },
      { outbox: { baseDelayMs: 10, maxDelayMs: 50, pollMs: 50 } },
    );
    counter = RowCounter.open(server);
    admin = await server.api.login();
    accountId = await createChannelAccount(server.api, admin, {
      kind: 'line',
      name: 'LINE ร้านค้า',
      settings: { channelId: CHANNEL_ID, apiBaseUrl: fake.url, dataApiBaseUrl: fake.url },
      credentials: { channelSecret: secret, channelAccessToken: accessToken },
    });
    const agent = await server.api.userWithRole(admin, 'agent', 'LINE Agent');
    agentSocket = await connect(server.url, { token: agent.token });
  });
  afterAll(async () => {
    agentSocket?.close();
    await counter?.close();
    await server?.stop();
    await fake?.close();
  });

  test('creating the account reads the bot info with the token and returns the webhook URL; a bad token is refused', async () => {
    const check = fake.requests.find((r) => r.method === 'GET' && r.path === '/v2/bot/info');
    expect(check?.token).toBe(accessToken);
    const read = await server.api.request('GET', `/api/v1/channel-accounts/${accountId}`, { token: admin });
    expect(read.body.urls).toEqual({ webhook: `${PUBLIC_URL}/webhooks/line/${accountId}` });
    expect(JSON.stringify(read.body)).not.toContain(accessToken);
    expect(JSON.stringify(read.body)).not.toContain(secret);

    const before = await counter.counts();
    const wrong = await server.api.request('POST', '/api/v1/channel-accounts', {
      token: admin,
      body: {
        kind: 'line',
        name: 'Wrong token',
        settings: { channelId: CHANNEL_ID, apiBaseUrl: fake.url },
        credentials: { channelSecret: secret, channelAccessToken: 'x'.repeat(40) },
      },
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.message).toMatch(/LINE refused the channel access token/);
    expect(wrong.body.error.details).toMatchObject({ service: 'line', step: 'login' });
    const bad = await server.api.request('POST', '/api/v1/channel-accounts', {
      token: admin,
      body: {
        kind: 'line',
        name: 'Bad',
        settings: { channelId: 'abc' },
        credentials: { channelSecret: 'short', channelAccessToken: accessToken },
      },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/channel ID/);
    expect(await counter.counts()).toEqual(before);

    const openapi = await server.api.request('GET', '/api/v1/openapi.json');
    expect(Object.keys(openapi.body.paths)).toEqual(expect.arrayContaining(['/webhooks/line/{accountId}']));
  });

  test('a Thai text with emoji reaches the agent’s socket, on a customer known by their LINE user id, named from their profile', async () => {
    const userId = newUser();
    fake.profiles.set(userId, { displayName: 'สมหญิง 🌸', pictureUrl: 'https://profile.line-scdn.net/abc', language: 'th' });
    const e = messageEvent(userId, { type: 'text', text: 'สวัสดีค่ะ สั่งของไปเมื่อวาน 📦🙏 ยังไม่ได้รับเลย' });
    const heard = nextEvent(agentSocket, 'message:created', (m) => m.providerMessageId === e.message!.id);
    const res = await linePost(envelope(e));
    expect(res.status).toBe(200);
    const [message] = await heard;
    expect(message).toMatchObject({ direction: 'inbound', text: 'สวัสดีค่ะ สั่งของไปเมื่อวาน 📦🙏 ยังไม่ได้รับเลย', status: 'received' });
    expect(message.meta?.line).toMatchObject({ userId, webhookEventId: e.webhookEventId });
    const customerId = await customerOf(message.conversationId);
    const profile = await eventually(
      () => server.api.request('GET', `/api/v1/customers/${customerId}`, { token: admin }),
      (r) => r.body.customer.name === 'สมหญิง 🌸',
      'the profile filled from LINE',
    );
    expect(profile.body.customer).toMatchObject({ locale: 'th', attributes: { linePictureUrl: 'https://profile.line-scdn.net/abc' } });
    expect(profile.body.customer.identities).toEqual([expect.objectContaining({ kind: 'line', scope: CHANNEL_ID, value: userId })]);
    expect(fake.requests.find((r) => r.path === `/v2/bot/profile/${userId}`)?.token).toBe(accessToken);
  });

  test('a tampered body, the wrong secret, a missing or malformed signature: 403 and nothing stored', async () => {
    const raw = envelope(messageEvent(newUser(), { type: 'text', text: 'ขอเงินคืน' }));
    const good = sign(raw);
    const before = await counter.counts();
    const refused = await Promise.all([
      linePost(raw, { signature: null }),
      linePost(raw, { signature: '' }),
      linePost(raw.replace('ขอเงินคืน', 'ขอเงินคืน 10,000 บาท'), { signature: good }),
      linePost(raw, { signature: sign(raw, hex(16)) }),
      linePost(raw, { signature: good.slice(0, -2) }),
      linePost(` ${raw}`, { signature: good }),
    ]);
    expect(refused.map((r) => r.status)).toEqual([403, 403, 403, 403, 403, 403]);
    expect((await linePost(raw, { path: `/webhooks/line/${hex(8)}` })).status).toBe(404);
    expect((await linePost(raw, { contentType: 'text/plain' })).status).toBe(415);
    expect((await linePost('{"destination": 1', { signature: sign('{"destination": 1') })).status).toBe(400);
    expect(await counter.counts()).toEqual(before);
    // LINE's "Verify" button: an empty event list, answered 200.
    expect((await linePost(envelope())).status).toBe(200);
    expect((await linePost(raw, { signature: good })).status).toBe(200);
  });

  test('ten concurrent redeliveries of one event store one message', async () => {
    const e = messageEvent(newUser(), { type: 'text', text: 'ส่งซ้ำ 10 ครั้ง' });
    const before = await counter.counts();
    const raws = Array.from({ length: 10 }, (_, i) => envelope(i === 0 ? e : { ...e, deliveryContext: { isRedelivery: true } }));
    const answers = await Promise.all(raws.map((raw) => linePost(raw)));
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200));
    const after = await counter.counts();
    expect(after.messages - before.messages).toBe(1);
    expect(after.conversations - before.conversations).toBe(1);
    expect(after.customers - before.customers).toBe(1);
  });

  test('a sticker, a picture (fetched from LINE with the token, stored once), a location and a postback', async () => {
    const userId = newUser();
    const sticker = await receive(
      messageEvent(userId, { type: 'sticker', packageId: '446', stickerId: '1988', stickerResourceType: 'STATIC' }),
    );
    expect(sticker.text).toBe('[LINE sticker 446/1988]');
    expect(sticker.meta?.line?.sticker).toEqual({
      packageId: '446',
      stickerId: '1988',
      url: 'https://stickershop.line-scdn.net/stickershop/v1/sticker/1988/android/sticker.png',
    });

    const picture = messageEvent(userId, { type: 'image', contentProvider: { type: 'line' } });
    fake.contents.set(picture.message!.id, { bytes: PNG_1X1, contentType: 'image/png' });
    const withPicture = nextDomainEvent(
      server,
      'message.created',
      (d) => d.message.providerMessageId === picture.message!.id && d.message.meta?.line?.content?.state === 'stored',
    );
    await receive(picture);
    const { message } = await withPicture;
    const image = message.parts.find((p) => p.type === 'image');
    expect(image).toMatchObject({ contentType: 'image/png', size: PNG_1X1.length, filename: 'line-image.png' });
    const fetched = fake.requests.find((r) => r.path === `/v2/bot/message/${picture.message!.id}/content`);
    expect(fetched?.token).toBe(accessToken);
    const download = await fetch(`${server.url}/api/v1/attachments/${image!.type === 'image' && image!.attachmentId}`, {
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(Buffer.from(await download.arrayBuffer()).equals(PNG_1X1)).toBe(true);
    const before = await counter.counts();
    expect((await linePost(envelope({ ...picture, deliveryContext: { isRedelivery: true } }))).status).toBe(200);
    expect(await counter.counts()).toEqual(before);
    expect(fake.requests.filter((r) => r.path === `/v2/bot/message/${picture.message!.id}/content`)).toHaveLength(1);

    const location = await receive(
      messageEvent(userId, { type: 'location', title: 'ร้านกาแฟ', address: 'ถนนสุขุมวิท กรุงเทพฯ', latitude: 13.7367, longitude: 100.5608 }),
    );
    expect(location.text).toBe('📍 ร้านกาแฟ\nถนนสุขุมวิท กรุงเทพฯ\nhttps://www.google.com/maps?q=13.7367,100.5608');

    const postback = event(userId, 'postback', { replyToken: fake.replyToken(), postback: { data: 'action=track&order=TH889' } });
    const heard = nextDomainEvent(server, 'message.created', (d) => d.message.providerMessageId === `postback:${postback.webhookEventId}`);
    expect((await linePost(envelope(postback))).status).toBe(200);
    expect((await heard).message.text).toBe('[postback] action=track&order=TH889');
    const again = await counter.counts();
    expect((await linePost(envelope(postback))).status).toBe(200);
    expect(await counter.counts()).toEqual(again);
    // All on one conversation.
    expect(new Set([sticker, message, location].map((m) => m.conversationId)).size).toBe(1);
  });

  test('unfollow opts the customer out (a reply is refused with 409, nothing reaches LINE); follow opts them in again', async () => {
    const userId = newUser();
    const first = await receive(messageEvent(userId, { type: 'text', text: 'ขอสอบถามหน่อยค่ะ' }, { replyToken: null }));
    const customerId = await customerOf(first.conversationId);
    const consent = async () =>
      (
        (await server.api.request('GET', `/api/v1/customers/${customerId}`, { token: admin })).body.customer.consents as {
          channel: string;
          status: string;
          source: string;
        }[]
      ).find((c) => c.channel === 'line');
    const unfollow = event(userId, 'unfollow');
    expect((await linePost(envelope(unfollow))).status).toBe(200);
    expect(await consent()).toMatchObject({ status: 'opted_out', source: 'line unfollow' });
    const sends = fake.sends().length;
    const rowsBefore = await counter.counts();
    const refused = await reply(first.conversationId, 'ยังอยู่ไหมคะ');
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(
      /^the customer opted out of LINE \(blocked the LINE account on .* UTC\); nothing can be sent/,
    );
    // Nothing written (no message, no outbox row), so nothing can reach LINE later either.
    expect(await counter.counts()).toEqual(rowsBefore);
    expect(fake.sends().length).toBe(sends);

    const follow = event(userId, 'follow', { replyToken: fake.replyToken() });
    expect((await linePost(envelope(follow))).status).toBe(200);
    expect(await consent()).toMatchObject({ status: 'opted_in', source: 'line follow' });
    // The old unfollow redelivered does not undo the newer follow.
    expect((await linePost(envelope({ ...unfollow, deliveryContext: { isRedelivery: true } }))).status).toBe(200);
    expect(await consent()).toMatchObject({ status: 'opted_in' });
    const allowed = await reply(first.conversationId, 'ยินดีต้อนรับกลับค่ะ');
    expect(allowed.status).toBe(201);
    expect((await settled(allowed.body.message.id))!.status).toBe('sent');
  });

  test('a reply within the token window uses the reply token, once; the next reply and later ones go by push with a retry key', async () => {
    const userId = newUser();
    const token = fake.replyToken();
    const first = await receive(messageEvent(userId, { type: 'text', text: 'มีสีอื่นไหมคะ' }, { replyToken: token }));
    const a = await reply(first.conversationId, 'มีสีแดงกับสีฟ้าค่ะ 😊');
    expect((await settled(a.body.message.id))!.status).toBe('sent');
    const viaReply = await fake.next((r) => r.path === '/v2/bot/message/reply' && r.body.replyToken === token);
    expect(viaReply.token).toBe(accessToken);
    expect(viaReply.body.messages).toEqual([{ type: 'text', text: 'มีสีแดงกับสีฟ้าค่ะ 😊' }]);

    const b = await reply(first.conversationId, 'สนใจสีไหนคะ');
    expect((await settled(b.body.message.id))!.status).toBe('sent');
    const push = await fake.next((r) => r.path === '/v2/bot/message/push' && r.body.messages[0].text === 'สนใจสีไหนคะ');
    expect(push.body.to).toBe(userId);
    expect(push.headers['x-line-retry-key']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(fake.sends().filter((r) => r.body.replyToken === token)).toHaveLength(1);

    // An event older than the window: its token is not tried.
    const old = fake.replyToken();
    const late = await receive(
      messageEvent(newUser(), { type: 'text', text: 'เมื่อวานถามไว้' }, { replyToken: old, at: Date.now() - 120_000 }),
    );
    const c = await reply(late.conversationId, 'ขอโทษที่ตอบช้าค่ะ');
    expect((await settled(c.body.message.id))!.status).toBe('sent');
    expect(fake.sends().some((r) => r.body.replyToken === old)).toBe(false);
    await fake.next((r) => r.path === '/v2/bot/message/push' && r.body.messages[0].text === 'ขอโทษที่ตอบช้าค่ะ');
  });

  test('a 500 and a 429 are retried by the outbox with the same retry key; a 400 fails the message with a coded error', async () => {
    const first = await receive(messageEvent(newUser(), { type: 'text', text: 'ลองใหม่' }, { replyToken: null }));
    fake.failNext(1, 500);
    const retried = await reply(first.conversationId, 'retry me');
    expect((await settled(retried.body.message.id))!).toMatchObject({ status: 'sent', errorCode: null });
    const tries = fake.sends().filter((r) => r.body?.messages?.[0]?.text === 'retry me');
    expect(tries).toHaveLength(2);
    expect(tries[0]!.headers['x-line-retry-key']).toBe(tries[1]!.headers['x-line-retry-key']);

    // Rate limited: retried after Retry-After.
    fake.failNext(1, 429, undefined, { 'retry-after': '0' });
    const limited = await reply(first.conversationId, 'rate limited');
    expect((await settled(limited.body.message.id))!.status).toBe('sent');

    fake.failNext(1, 400);
    const bad = await reply(first.conversationId, 'bad request');
    expect((await settled(bad.body.message.id))!.status).toBe('failed');
    const read = await server.api.request('GET', `/api/v1/conversations/${first.conversationId}`, { token: admin });
    expect(read.body.messages.find((m: Message) => m.id === bad.body.message.id)).toMatchObject({
      status: 'failed',
      errorCode: 'INVALID_PAYLOAD',
      errorMessage: 'LINE 400: The request body has 1 error(s) (messages[0].text: May not be empty)',
    });
    expect(fake.sends().filter((r) => r.body?.messages?.[0]?.text === 'bad request')).toHaveLength(1);
  });

  test('a push LINE accepted but whose answer was lost: the retry with the same key gets 409, counts as sent, delivered once', async () => {
    const first = await receive(messageEvent(newUser(), { type: 'text', text: 'ส่งซ้ำ' }, { replyToken: null }));
    fake.loseNextAnswers(1);
    const answer = await reply(first.conversationId, 'once only');
    expect((await settled(answer.body.message.id))!).toMatchObject({ status: 'sent', errorCode: null });
    const tries = fake.sends().filter((r) => r.body?.messages?.[0]?.text === 'once only');
    expect(tries).toHaveLength(2);
    expect(tries[1]!.headers['x-line-retry-key']).toBe(tries[0]!.headers['x-line-retry-key']);
    expect(fake.delivered.filter((r) => r.body?.messages?.[0]?.text === 'once only')).toHaveLength(1);
  });

  test('a picture in a reply goes as an image message from a signed link', async () => {
    const first = await receive(messageEvent(newUser(), { type: 'text', text: 'ขอรูปใบเสร็จค่ะ' }, { replyToken: null }));
    const uploaded = await uploadFile(`${server.url}/api/v1/conversations/${first.conversationId}/attachments`, {
      token: admin,
      bytes: PNG_1X1,
      filename: 'ใบเสร็จ.png',
      type: 'image/png',
    });
    expect(uploaded.status).toBe(201);
    const answer = await reply(first.conversationId, 'ใบเสร็จค่ะ', [uploaded.body.attachment!.id]);
    expect((await settled(answer.body.message.id))!.status).toBe('sent');
    const push = await fake.next((r) => r.body?.messages?.[0]?.text === 'ใบเสร็จค่ะ');
    const image = push.body.messages[1];
    expect(image.type).toBe('image');
    const url = new URL(image.originalContentUrl);
    expect(url.origin).toBe(PUBLIC_URL);
    expect(url.pathname).toBe(`/webhooks/line/${accountId}/media/${uploaded.body.attachment!.id}`);
    const got = await fetch(`${server.url}${url.pathname}${url.search}`);
    expect(got.status).toBe(200);
    expect(Buffer.from(await got.arrayBuffer()).equals(PNG_1X1)).toBe(true);
  });

  test('a LINE customer and an email customer sharing an email end as one customer when linked, with both histories on one timeline', async () => {
    const userId = newUser();
    const lineMessage = await receive(messageEvent(userId, { type: 'text', text: 'สั่งของทาง LINE ค่ะ' }, { replyToken: null }));
    const lineCustomer = await customerOf(lineMessage.conversationId);
    // Email: an account and a mail through the ingest pipeline, from malee@example.co.th.
    const mailbox = await server.store.channelAccounts.create(
      { kind: 'email', name: 'Support mailbox', settings: {}, credentialsSealed: null },
      Date.now(),
    );
    const ingest = makeIngestMessage({ store: server.store, events: server.events, now: Date.now }, { reopenWindowMs: 72 * 3_600_000 });
    const mail: InboundMessage = {
      channelAccountId: mailbox.id,
      channelKind: 'email',
      providerMessageId: `<${hex(8)}@example.co.th>`,
      sender: { identity: { kind: 'email', scope: '', value: 'malee@example.co.th' }, name: 'Malee' },
      subject: 'ใบกำกับภาษี',
      parts: [{ type: 'text', text: 'ขอใบกำกับภาษีค่ะ' }],
      sentAt: Date.now(),
    };
    const emailed = await ingest(mail);
    expect(emailed.customer.id).not.toBe(lineCustomer);
    // The agent learns the LINE customer's email; it belongs to the email customer (409 names them), so they link the two.
    const clash = await server.api.request('POST', `/api/v1/customers/${lineCustomer}/identities`, {
      token: admin,
      body: { kind: 'email', value: 'Malee@example.co.th' },
    });
    expect(clash.status).toBe(409);
    expect(clash.body.error.details).toMatchObject({ customerId: emailed.customer.id });
    const merged = await server.api.request('POST', `/api/v1/customers/${lineCustomer}/merge`, {
      token: admin,
      body: { sourceCustomerId: emailed.customer.id },
    });
    expect(merged.status).toBe(200);
    const profile = await server.api.request('GET', `/api/v1/customers/${lineCustomer}`, { token: admin });
    expect(profile.body.customer.identities.map((i: { kind: string; value: string }) => `${i.kind}:${i.value}`).sort()).toEqual(
      [`email:malee@example.co.th`, `line:${userId}`].sort(),
    );
    const conversations = await server.api.request('GET', `/api/v1/conversations?customerId=${lineCustomer}`, { token: admin });
    expect(conversations.body.conversations.map((c: { channelKind: string }) => c.channelKind).sort()).toEqual(['email', 'line']);
    // The next LINE message and the next mail both land on the one customer.
    const next = await receive(messageEvent(userId, { type: 'text', text: 'ได้รับอีเมลไหมคะ' }, { replyToken: null }));
    expect(await customerOf(next.conversationId)).toBe(lineCustomer);
    const nextMail = await ingest({ ...mail, providerMessageId: `<${hex(8)}@example.co.th>` });
    expect(nextMail.customer.id).toBe(lineCustomer);
  });
});
