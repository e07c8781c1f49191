// Slack for agents with real parts: the server on port 0, @slack/web-api's WebClient pointed at a local
// fake of Slack's Web API (through the account's apiBaseUrl), Events API requests signed with the
// signing secret over the exact raw bytes. Accounts are checked against Slack when created; unsigned,
// tampered or stale events change nothing; conversations of the chosen queues get a parent post with
// their messages in its thread; an agent's reply in the thread reaches the customer as the desk user
// with the same email, once however often Slack delivers it, and is not echoed back; strangers are
// told privately; 429s and 5xx are retried, a lost channel fails the post with its reason; SLA breaches
// and queue alerts go to the supervisors' channel.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createHmac, randomBytes } from 'node:crypto';
import type { Message } from '../server/domain/types.js';
import type { VisitorMessage } from '../channels/web-chat/visitor-message.js';
import { postWebhook, replyFromConsole } from './support/channel-traffic.js';
import { ENGINES, connect, nextDomainEvent, startTestServer, type ClientSocket, type TestServer } from './support/harness.js';
import { FakeSlack } from './support/fake-slack.js';
import { RowCounter, type Counts } from './support/row-counts.js';
import { until } from './support/until.js';

const PUBLIC_URL = 'https://desk.example.test';
const eventually = <T>(read: () => Promise<T>, holds: (v: T) => boolean, what: string) => until(read, holds, what, 5_000);
const hex = (n: number) => randomBytes(n).toString('hex');

/** The tables that differ between two counts, with how much. */
const changed = (before: Counts, after: Counts) =>
  Object.fromEntries(
    Object.entries(after)
      .filter(([table, n]) => n !== before[table as keyof Counts])
      .map(([table, n]) => [table, n - before[table as keyof Counts]]),
  );

describe.each(ENGINES)('Slack for agents on %s', (engine) => {
  let fake: FakeSlack;
  let server: TestServer;
  let counter: RowCounter;
  let admin: string;
  // The server's clock: real time, moved forward only to run an SLA past its target.
  let skew = 0;
  const now = () => Date.now() + skew;
  const sockets: ClientSocket[] = [];

  let botToken: string;
  let signingSecret: string;
  let deskId: string;
  let DESK: string;
  let SUPERVISORS: string;
  const queues: Record<'sales' | 'billing' | 'vip' | 'returns', string> = { sales: '', billing: '', vip: '', returns: '' };
  const sites: Record<keyof typeof queues, string> = { sales: '', billing: '', vip: '', returns: '' };
  let agent: { id: string; token: string; name: string };
  let malee: { id: string; email: string };
  let maleeSlack: string;
  /** The conversation of test 3, with its thread, that the replies from Slack answer. */
  let shop: { conversationId: string; received: VisitorMessage[]; parentTs: string };

  const sign = (raw: Buffer, ts: number, secret = signingSecret) =>
    `v0=${createHmac('sha256', secret)
      .update(Buffer.concat([Buffer.from(`v0:${ts}:`, 'utf8'), raw]))
      .digest('hex')}`;
  const seconds = () => Math.floor(now() / 1000);

  /** Posts an Events API body as Slack does: its JSON text as UTF-8, signed over those bytes unless told otherwise. */
  async function slackPost(
    body: unknown,
    opts: { raw?: string; signature?: string | null; timestamp?: number | null; headers?: Record<string, string>; account?: string } = {},
  ) {
    const raw = Buffer.from(opts.raw ?? JSON.stringify(body), 'utf8');
    const ts = opts.timestamp === undefined ? seconds() : opts.timestamp;
    const res = await postWebhook(`${server.url}/webhooks/slack/${opts.account ?? deskId}/events`, raw, {
      'content-type': 'application/json',
      'x-slack-signature': opts.signature === undefined ? sign(raw, ts ?? seconds()) : opts.signature,
      'x-slack-request-timestamp': ts === null ? null : String(ts),
      ...opts.headers,
    });
    return { status: res.status, body: res.text ? JSON.parse(res.text) : undefined };
  }

  /** A `message` event as Slack sends it for a user writing in `channel` (in a thread when `threadTs` is given). */
  function messageEvent(user: string | undefined, text: string, threadTs: string | undefined, extra: Record<string, unknown> = {}) {
    const ts = fake.nextTs();
    return {
      token: 'Jhj5dZrVaK7ZwHHjRyZWjbDl',
      team_id: 'T0TEAM0001',
      api_app_id: 'A0APP00001',
      type: 'event_callback',
      event_id: `Ev0${hex(5).toUpperCase()}`,
      event_time: seconds(),
      event: {
        type: 'message',
        channel: DESK,
        ...(user && { user }),
        text,
        ts,
        ...(threadTs && { thread_ts: threadTs }),
        event_ts: ts,
        channel_type: 'channel',
        ...extra,
      },
    };
  }

  const createSlackAccount = (name: string, settings: Record<string, unknown>, credentials: Record<string, unknown>) =>
    server.api.request('POST', '/api/v1/channel-accounts', { token: admin, body: { kind: 'slack', name, settings, credentials } });

  /**
   * A web chat visitor (named) writes `texts` one after another on a site; resolves with the conversation
   * and what the visitor's socket receives (acknowledged, as the widget does).
   */
  async function visitorWrites(site: keyof typeof sites, name: string, texts: string[]) {
    const visitor = await server.api.visitorSession(sites[site], { name });
    const socket = await connect(server.url, { visitorToken: visitor.token });
    sockets.push(socket);
    const received: VisitorMessage[] = [];
    socket.on('visitor:message', (m, ack) => {
      received.push(m);
      ack(true);
    });
    let conversationId = '';
    for (const [i, text] of texts.entries()) {
      const ack = await socket.emitWithAck('visitor:send', { clientMessageId: `m${i}-${hex(4)}`, text });
      if (!ack.ok) throw new Error(`visitor:send failed: ${ack.error.message}`);
      conversationId = (await server.store.messages.findById(ack.message.id))!.conversationId;
    }
    return { received, conversationId };
  }

  /** The post with `key` of an account once it is done or failed. */
  const settledPost = (key: string, accountId = deskId) =>
    eventually(
      () => server.store.slack.findByKey(accountId, key),
      (p) => p?.status === 'done' || p?.status === 'failed',
      `the Slack post ${key}`,
    ).then((p) => p!);
  const pendingPosts = (accountId = deskId) => server.store.slack.listPosts(accountId, { status: 'pending', limit: 100 });
  /** Waits until every queued post of the account is done or failed. */
  const drained = async (accountId = deskId) => {
    await server.slackMirror.settled();
    await eventually(
      () => pendingPosts(accountId),
      (p) => p.length === 0,
      'no Slack post pending',
    );
  };
  const threadOf = (parentTs: string) => fake.posts(DESK).filter((p) => p.threadTs === parentTs);
  const consoleReply = (conversationId: string, text: string, token = agent.token) =>
    replyFromConsole(server.api, token, conversationId, text);
  const messagesOf = async (conversationId: string) =>
    (await server.api.request('GET', `/api/v1/conversations/${conversationId}`, { token: admin })).body.messages as Message[];

  beforeAll(async () => {
    fake = await FakeSlack.start();
    server = await startTestServer(
      engine,
      { PUBLIC_URL, CLUSTER_NAME: `slack-test-${process.pid}` },
      {
        now,
        routing: { tickMs: 20 },
        outbox: { baseDelayMs: 10, maxDelayMs: 50, pollMs: 50 },
        // Queue alerts are checked by the test only (the timer would race it).
        slack: { baseDelayMs: 10, maxDelayMs: 50, pollMs: 20, threadWaitMs: 10, alertCheckMs: 3_600_000 },
      },
    );
    counter = RowCounter.open(server);
    admin = await server.api.login();
    const post = async (path: string, body: unknown) => {
      const res = await server.api.request('POST', `/api/v1${path}`, { token: admin, body });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return res.body;
    };
    queues.sales = (await post('/queues', { name: 'ฝ่ายขาย Sales', channels: ['web_chat'] })).queue.id;
    queues.billing = (await post('/queues', { name: 'Billing', channels: ['web_chat'] })).queue.id;
    queues.vip = (
      await post('/queues', {
        name: 'VIP',
        channels: ['web_chat'],
        sla: { '0': { firstResponseMs: 60_000, resolutionMs: 3_600_000 } },
      })
    ).queue.id;
    queues.returns = (await post('/queues', { name: 'Returns', channels: ['web_chat'] })).queue.id;
    for (const key of Object.keys(queues) as (keyof typeof queues)[]) {
      sites[key] = (await post('/channel-accounts', { kind: 'web_chat', name: `Site ${key}`, queueId: queues[key] })).account.id;
    }
    const dao = await server.api.userWithRole(admin, 'agent', 'Dao Agent');
    agent = { id: dao.id, token: dao.token, name: 'Dao Agent' };
    const m = await server.api.userWithRole(admin, 'agent', 'Malee Slack');
    malee = { id: m.id, email: m.email };
    // Slack keeps the email as the person typed it; the desk matches it without regard to case.
    maleeSlack = fake.user({ name: 'malee', realName: 'Malee', email: 'Malee.Slack@Example.com' });

    botToken = fake.token();
    signingSecret = hex(16);
    DESK = fake.channel('desk-sales');
    SUPERVISORS = fake.channel('desk-supervisors');
    const created = await createSlackAccount(
      'Slack ทีมขาย',
      { channelId: DESK, queueIds: [queues.sales, queues.vip], supervisorsChannelId: SUPERVISORS, apiBaseUrl: fake.apiBaseUrl },
      { botToken, signingSecret },
    );
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    deskId = created.body.account.id;
    expect(created.body.urls).toEqual({ events: `${PUBLIC_URL}/webhooks/slack/${deskId}/events` });
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await counter?.close();
    await server?.stop();
    await fake?.close();
  });

  test('creating an account checks the token and both channels; a bad token or an unknown channel is a clear 400 and stores nothing', async () => {
    // The check ran against the fake with the bot token: auth.test, then each channel.
    const checks = fake.requests.filter((r) => r.token === botToken).map((r) => `${r.apiMethod} ${r.body.channel ?? ''}`.trim());
    expect(checks).toEqual(['auth.test', `conversations.info ${DESK}`, `conversations.info ${SUPERVISORS}`]);
    expect(fake.requests.every((r) => r.method === 'POST')).toBe(true);
    const read = await server.api.request('GET', `/api/v1/channel-accounts/${deskId}`, { token: admin });
    expect(read.body.urls).toEqual({ events: `${PUBLIC_URL}/webhooks/slack/${deskId}/events` });
    expect(JSON.stringify(read.body)).not.toContain(botToken);
    expect(JSON.stringify(read.body)).not.toContain(signingSecret);

    const before = await counter.counts();
    const wrongToken = `xoxb-${hex(20)}`;
    const wrong = await createSlackAccount(
      'Wrong token',
      { channelId: DESK, apiBaseUrl: fake.apiBaseUrl },
      { botToken: wrongToken, signingSecret },
    );
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.message).toBe('Slack refused the bot token (invalid_auth); set a new one in Admin');
    expect(wrong.body.error.details).toMatchObject({ service: 'slack', step: 'token' });
    expect(fake.calls('auth.test').at(-1)).toMatchObject({ token: wrongToken, answer: { ok: false, error: 'invalid_auth' } });

    const lost = await createSlackAccount(
      'Unknown channel',
      { channelId: 'C0NOSUCH01', apiBaseUrl: fake.apiBaseUrl },
      { botToken, signingSecret },
    );
    expect(lost.status).toBe(400);
    expect(lost.body.error.message).toMatch(/the conversations channel C0NOSUCH01 cannot be used: .*channel_not_found/);
    expect(lost.body.error.details).toMatchObject({ service: 'slack', step: 'channel' });

    const badSupervisors = await createSlackAccount(
      'Unknown supervisors channel',
      { channelId: DESK, supervisorsChannelId: 'C0NOSUCH02', apiBaseUrl: fake.apiBaseUrl },
      { botToken, signingSecret },
    );
    expect(badSupervisors.status).toBe(400);
    expect(badSupervisors.body.error.message).toMatch(/the supervisors channel C0NOSUCH02 cannot be used/);

    const malformed = await createSlackAccount('Malformed', { channelId: '#sales' }, { botToken: 'xoxp-123', signingSecret: 'short' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.message).toMatch(/C0123ABCD/);
    expect(await counter.counts()).toEqual(before);
  });

  test('the URL check signed is answered with its challenge; unsigned, tampered, wrong-secret, stale and future requests get 403 and change nothing', async () => {
    const check = {
      token: 'Jhj5dZrVaK7ZwHHjRyZWjbDl',
      challenge: `3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P-${hex(4)}`,
      type: 'url_verification',
    };
    const raw = JSON.stringify(check);
    const before = await counter.counts();
    const ok = await slackPost(check);
    expect(ok).toEqual({ status: 200, body: { challenge: check.challenge } });

    const ts = seconds();
    const good = sign(Buffer.from(raw, 'utf8'), ts);
    const refused = await Promise.all([
      slackPost(check, { signature: null, timestamp: null }),
      slackPost(check, { signature: null }),
      slackPost(check, { timestamp: null, signature: good }),
      slackPost(check, { raw: raw.replace(check.challenge, 'attacker-challenge'), signature: good, timestamp: ts }),
      slackPost(check, { raw: `${raw} `, signature: good, timestamp: ts }),
      slackPost(check, { signature: sign(Buffer.from(raw, 'utf8'), ts, hex(16)), timestamp: ts }),
      slackPost(check, { signature: sign(Buffer.from(raw, 'utf8'), ts - 6 * 60), timestamp: ts - 6 * 60 }),
      slackPost(check, { signature: sign(Buffer.from(raw, 'utf8'), ts + 6 * 60), timestamp: ts + 6 * 60 }),
      slackPost(check, { signature: good.replace('v0=', 'v1='), timestamp: ts }),
    ]);
    expect(refused.map((r) => r.status)).toEqual(Array(9).fill(403));
    expect(refused.every((r) => !JSON.stringify(r.body).includes(check.challenge))).toBe(true);
    expect((await slackPost(check, { account: hex(8) })).status).toBe(404);
    // Inside the five minutes either way a signed request is fine (clocks differ a little).
    for (const at of [ts - 4 * 60, ts + 4 * 60]) {
      expect(await slackPost(check, { signature: sign(Buffer.from(raw, 'utf8'), at), timestamp: at })).toMatchObject({ status: 200 });
    }
    // A thread reply under another secret: refused before Slack is asked who wrote it.
    const reply = messageEvent(maleeSlack, 'ขอเงินคืน', fake.nextTs());
    expect((await slackPost(reply, { signature: sign(Buffer.from(JSON.stringify(reply)), ts, hex(16)), timestamp: ts })).status).toBe(403);
    expect(await counter.counts()).toEqual(before);
    expect(fake.calls('users.info')).toHaveLength(0);
  });

  test('a conversation of a chosen queue gets a parent post, its messages follow in the thread in order, with the agent’s console reply; another queue’s does not', async () => {
    // Billing is not chosen: its conversation is heard and passed over.
    const billingQueued = nextDomainEvent(server, 'conversation.updated', (e) => e.conversation.queueId === queues.billing);
    const billing = await visitorWrites('billing', 'ลูกค้า บิล', ['ขอใบแจ้งหนี้ค่ะ']);
    await billingQueued;

    const { received, conversationId } = await visitorWrites('sales', 'สมชาย ใจดี', [
      'สวัสดีครับ สั่งเสื้อไปสองตัว',
      'ยังไม่ได้รับของเลยครับ 📦',
      'เลขพัสดุ TH123 <!channel>',
    ]);
    const parent = await settledPost(`conversation:${conversationId}`);
    expect(parent).toMatchObject({ status: 'done', attempts: 1 });
    const parentPost = fake.posts(DESK).find((p) => p.ts === parent.slackTs)!;
    expect(parentPost).toMatchObject({ threadTs: null, token: botToken });
    expect(parentPost.text).toContain(':speech_balloon: New web chat conversation from *สมชาย ใจดี* in *ฝ่ายขาย Sales*');
    expect(parentPost.text).toContain(`<${PUBLIC_URL}/?conversation=${conversationId}|Open in Omnidesk>`);
    const request = fake.calls('chat.postMessage').find((r) => r.answer.ts === parent.slackTs)!;
    expect(request.contentType).toBe('application/x-www-form-urlencoded');
    expect(request.body).toMatchObject({ channel: DESK, unfurl_links: 'false' });

    const thread = await eventually(
      async () => threadOf(parent.slackTs!),
      (t) => t.length === 3,
      'three messages in the thread',
    );
    expect(thread.map((p) => p.text)).toEqual([
      '*สมชาย ใจดี*\n> สวัสดีครับ สั่งเสื้อไปสองตัว',
      '*สมชาย ใจดี*\n> ยังไม่ได้รับของเลยครับ 📦',
      // What a customer writes pings nobody.
      '*สมชาย ใจดี*\n> เลขพัสดุ TH123 &lt;!channel&gt;',
    ]);
    expect(await server.store.slack.threadOf(deskId, conversationId)).toMatchObject({ slackChannel: DESK, threadTs: parent.slackTs });

    const answered = await consoleReply(conversationId, 'ได้เลยครับ จะตรวจสอบให้นะครับ 🙂');
    expect(answered.status).toBe(201);
    const agentPost = await eventually(
      async () => threadOf(parent.slackTs!),
      (t) => t.length === 4,
      'the agent’s reply in the thread',
    );
    expect(agentPost[3]!.text).toBe('*Dao Agent* (agent)\n> ได้เลยครับ จะตรวจสอบให้นะครับ 🙂');

    await drained();
    expect(await server.store.slack.findByKey(deskId, `conversation:${billing.conversationId}`)).toBeUndefined();
    const billingPosts = (await counter.rows('slack_posts')).filter((r) => r.conversation_id === billing.conversationId);
    expect(billingPosts).toEqual([]);
    expect(fake.posts().some((p) => p.text.includes('ลูกค้า บิล') || p.text.includes('ขอใบแจ้งหนี้'))).toBe(false);
    shop = { conversationId, received, parentTs: parent.slackTs! };
  });

  test('an agent’s Thai reply in the thread reaches the visitor as the desk user with that email, and is not echoed into the thread', async () => {
    const text = 'สวัสดีค่ะ 🙏 ส่งของพรุ่งนี้ &amp; แจ้ง <https://shop.example/track/TH123|เลขพัสดุ> ให้นะคะ';
    const plain = 'สวัสดีค่ะ 🙏 ส่งของพรุ่งนี้ & แจ้ง เลขพัสดุ (https://shop.example/track/TH123) ให้นะคะ';
    const e = messageEvent(maleeSlack, text, shop.parentTs);
    const res = await slackPost(e);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: true, outcome: 'sent' });
    expect(fake.calls('users.info').at(-1)).toMatchObject({ token: botToken, body: { user: maleeSlack } });

    const delivered = await eventually(
      async () => shop.received.find((m) => m.direction === 'outbound' && m.parts.some((p) => p.type === 'text' && p.text === plain)),
      (m) => m !== undefined,
      'the reply on the visitor’s socket',
    );
    const [stored] = (await messagesOf(shop.conversationId)).filter((m) => m.text === plain);
    expect(stored).toMatchObject({
      id: delivered!.id,
      direction: 'outbound',
      senderType: 'agent',
      senderId: malee.id,
      private: false,
      meta: { slack: { accountId: deskId, channel: DESK, ts: e.event.ts, threadTs: shop.parentTs, slackUserId: maleeSlack } },
    });
    await eventually(
      () => server.store.messages.findById(stored!.id),
      (m) => m?.status === 'delivered',
      'the visitor’s receipt',
    );

    // Not echoed: a console reply after it reaches the thread, and nothing of the Slack reply came before.
    const before = threadOf(shop.parentTs).length;
    expect((await consoleReply(shop.conversationId, 'fence after the Slack reply')).status).toBe(201);
    const thread = await eventually(
      async () => threadOf(shop.parentTs),
      (t) => t.some((p) => p.text.includes('fence after the Slack reply')),
      'the fence in the thread',
    );
    expect(thread).toHaveLength(before + 1);
    expect(thread.some((p) => p.text.includes('ส่งของพรุ่งนี้'))).toBe(false);
    expect(await server.store.slack.findByKey(deskId, `message:${stored!.id}`)).toBeUndefined();
  });

  test('one event delivered three times at once and again as Slack’s retry makes exactly one reply', async () => {
    const e = messageEvent(maleeSlack, 'ขอบคุณที่รอนะคะ ✨', shop.parentTs);
    const before = await counter.counts();
    const answers = await Promise.all([slackPost(e), slackPost(e), slackPost(e)]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(answers.map((a) => a.body.outcome).sort()).toEqual(['duplicate', 'duplicate', 'sent']);
    const retry = await slackPost(e, { headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' } });
    expect(retry).toMatchObject({ status: 200, body: { outcome: 'duplicate' } });
    const after = await counter.counts();
    expect(changed(before, after)).toMatchObject({ messages: 1, processed_events: 1 });
    expect(after.conversations).toBe(before.conversations);
    expect((await messagesOf(shop.conversationId)).filter((m) => m.text === 'ขอบคุณที่รอนะคะ ✨')).toHaveLength(1);
    expect(fake.calls('chat.postEphemeral')).toHaveLength(0);
  });

  test('a Slack user without a desk account is told privately in the thread, once; nothing is sent to the customer', async () => {
    const stranger = fake.user({ name: 'somsri', email: 'somsri@elsewhere.example' });
    const e = messageEvent(stranger, 'ลูกค้าคนนี้ขอส่วนลดค่ะ', shop.parentTs);
    const before = await counter.counts();
    const res = await slackPost(e);
    expect(res).toMatchObject({ status: 200, body: { outcome: 'refused' } });
    const told = fake.calls('chat.postEphemeral');
    expect(told).toHaveLength(1);
    expect(told[0]).toMatchObject({
      token: botToken,
      answer: { ok: true },
      body: { channel: DESK, user: stranger, thread_ts: shop.parentTs },
    });
    expect(told[0]!.body.text).toMatch(
      /^:warning: Not sent to the customer: no active Omnidesk user has your Slack email \(somsri@elsewhere\.example\)/,
    );
    // Only the event's id is remembered (so a retry does not tell them twice).
    expect(changed(before, await counter.counts())).toEqual({ processed_events: 1 });
    expect((await slackPost(e, { headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_error' } })).status).toBe(200);
    expect(fake.calls('chat.postEphemeral')).toHaveLength(1);
    expect(changed(before, await counter.counts())).toEqual({ processed_events: 1 });
    expect((await messagesOf(shop.conversationId)).some((m) => m.text.includes('ส่วนลด'))).toBe(false);
  });

  test('a bot’s message, a top-level message, an edit and a thread the desk did not start are ignored: nothing stored, nobody told', async () => {
    const before = await counter.counts();
    const lookups = fake.calls('users.info').length;
    const bot = messageEvent(undefined, 'New order #1234', shop.parentTs, {
      subtype: 'bot_message',
      bot_id: 'B0OTHER001',
      username: 'Orders bot',
    });
    const ourOwn = messageEvent(undefined, '*สมชาย ใจดี*\n> hello', shop.parentTs, { bot_id: 'B0BOT00001', app_id: 'A0APP00001' });
    const topLevel = messageEvent(maleeSlack, 'ประชุมบ่ายสองนะคะ', undefined);
    const edit = messageEvent(undefined, '', shop.parentTs, {
      subtype: 'message_changed',
      message: { type: 'message', user: maleeSlack, text: 'แก้ไขแล้ว', ts: '1.1' },
    });
    const otherThread = messageEvent(maleeSlack, 'คุยเรื่องอื่น', fake.nextTs());
    const answers = await Promise.all([bot, ourOwn, topLevel, edit, otherThread].map((e) => slackPost(e)));
    expect(answers.map((a) => [a.status, a.body.outcome])).toEqual(Array(5).fill([200, 'ignored']));
    expect(await counter.counts()).toEqual(before);
    expect(fake.calls('chat.postEphemeral')).toHaveLength(1); // the stranger's, from before
    expect(fake.calls('users.info')).toHaveLength(lookups);
  });

  test('Slack failing to say who wrote a reply answers 503 and stores nothing; Slack’s retry then sends it', async () => {
    const somsak = await server.api.userWithRole(admin, 'agent', 'Somsak Slack');
    const somsakSlack = fake.user({ name: 'somsak', email: somsak.email });
    fake.failNext('users.info', { status: 503 });
    const e = messageEvent(somsakSlack, 'เดี๋ยวโทรกลับนะครับ', shop.parentTs);
    const before = await counter.counts();
    const first = await slackPost(e);
    expect(first.status).toBe(503);
    expect(await counter.counts()).toEqual(before);
    const retry = await slackPost(e, { headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_error' } });
    expect(retry).toMatchObject({ status: 200, body: { outcome: 'sent' } });
    const [sent] = (await messagesOf(shop.conversationId)).filter((m) => m.text === 'เดี๋ยวโทรกลับนะครับ');
    expect(sent).toMatchObject({ senderId: somsak.id, direction: 'outbound' });
  });

  test('a reply from Slack that cannot be delivered is told in its thread with the reason', async () => {
    const { conversationId } = await visitorWrites('sales', 'อรุณ แสงทอง', ['ขอคุยกับเจ้าหน้าที่ครับ']);
    const parent = await settledPost(`conversation:${conversationId}`);
    await eventually(
      async () => threadOf(parent.slackTs!),
      (t) => t.length === 1,
      'the customer’s message in the thread',
    );
    // The visitor's session is unlinked from the customer: the web chat has nobody to send to.
    const customerId = (await server.store.conversations.findById(conversationId))!.customerId;
    const [session] = (await server.store.customers.identities(customerId)).filter((i) => i.kind === 'web_chat');
    const unlinked = await server.api.request('DELETE', `/api/v1/customers/${customerId}/identities/${session!.id}`, { token: admin });
    expect(unlinked.status).toBe(204);

    const res = await slackPost(messageEvent(maleeSlack, 'รับทราบค่ะ <@U0BOT00001>', parent.slackTs!));
    expect(res).toMatchObject({ status: 200, body: { outcome: 'sent' } });
    const failed = await eventually(
      async () => (await messagesOf(conversationId)).find((m) => m.text === 'รับทราบค่ะ @U0BOT00001'),
      (m) => m?.status === 'failed',
      'the reply failed',
    );
    expect(failed).toMatchObject({ senderId: malee.id, errorCode: 'INVALID_PAYLOAD' });
    const notice = await settledPost(`failed:${failed!.id}`);
    expect(notice).toMatchObject({ status: 'done', kind: 'notice' });
    const thread = threadOf(parent.slackTs!);
    expect(thread.map((p) => p.text)).toEqual([
      '*อรุณ แสงทอง*\n> ขอคุยกับเจ้าหน้าที่ครับ',
      ':x: Not delivered to the customer (reply by Malee Slack): INVALID_PAYLOAD: the customer has no web chat session on this account\n> รับทราบค่ะ @U0BOT00001',
    ]);
  });

  test('a post Slack answers 429 then 500 is retried and lands once; channel_not_found fails it with its reason', async () => {
    await drained();
    fake.failNext('chat.postMessage', { status: 429, retryAfter: 0 });
    fake.failNext('chat.postMessage', { status: 500 });
    const { conversationId } = await visitorWrites('sales', 'วิภา รักดี', ['สินค้ามีตำหนิค่ะ']);
    const parent = await settledPost(`conversation:${conversationId}`);
    expect(parent).toMatchObject({ status: 'done', attempts: 3, lastErrorCode: 'TEMPORARY' });
    const tries = fake.calls('chat.postMessage').filter((r) => String(r.body.text).includes('วิภา รักดี') && !r.body.thread_ts);
    expect(tries.map((r) => r.status)).toEqual([429, 500, 200]);
    expect(fake.posts(DESK).filter((p) => p.text.includes('*วิภา รักดี*') && p.threadTs === null)).toHaveLength(1);
    const thread = await eventually(
      async () => threadOf(parent.slackTs!),
      (t) => t.length === 1,
      'the message in the thread',
    );
    expect(thread[0]!.text).toBe('*วิภา รักดี*\n> สินค้ามีตำหนิค่ะ');

    await drained();
    fake.failNext('chat.postMessage', { error: 'channel_not_found' });
    const lost = await visitorWrites('sales', 'ปิติ มีสุข', ['ขอเปลี่ยนไซซ์ครับ']);
    const failedParent = await settledPost(`conversation:${lost.conversationId}`);
    expect(failedParent).toMatchObject({ status: 'failed', attempts: 1, lastErrorCode: 'PERMANENT', slackTs: null });
    expect(failedParent.lastError).toMatch(/channel_not_found \(invite the app to the channel, or choose another channel in Admin\)/);
    await drained();
    const failed = await server.store.slack.listPosts(deskId, { status: 'failed', limit: 10 });
    expect(failed.map((p) => [p.dedupeKey, p.lastErrorCode])).toEqual(
      expect.arrayContaining([
        [`conversation:${lost.conversationId}`, 'PERMANENT'],
        [expect.stringMatching(/^message:/), 'PERMANENT'],
      ]),
    );
    expect(failed.find((p) => p.kind === 'message' && p.conversationId === lost.conversationId)?.lastError).toMatch(
      /thread does not exist/,
    );
    expect(fake.calls('chat.postMessage').filter((r) => String(r.body.text).includes('ปิติ มีสุข'))).toHaveLength(1);
    expect(fake.posts().some((p) => p.text.includes('ขอเปลี่ยนไซซ์'))).toBe(false);
  });

  test('an SLA breach is posted to the supervisors’ channel', async () => {
    const { conversationId } = await visitorWrites('vip', 'นภา สุขใจ', ['ด่วนค่ะ ของเสียหาย']);
    const queued = await eventually(
      () => server.store.conversations.findById(conversationId),
      (c) => c?.firstResponseDueAt != null,
      'the first-response due time',
    );
    const breached = nextDomainEvent(
      server,
      'sla.changed',
      (e) => e.conversation.id === conversationId && e.which === 'first_response' && e.status === 'breached',
    );
    skew += queued!.firstResponseDueAt! - now() + 1_000;
    await breached;
    const alert = await settledPost(`sla:${conversationId}:first_response`);
    expect(alert).toMatchObject({ status: 'done', kind: 'alert' });
    const posted = fake.posts(SUPERVISORS).find((p) => p.ts === alert.slackTs)!;
    expect(posted.threadTs).toBeNull();
    expect(posted.text).toBe(
      `:rotating_light: SLA breached: first response target missed for *นภา สุขใจ* (web chat) in *VIP*, unassigned. <${PUBLIC_URL}/?conversation=${conversationId}|Open>`,
    );
  });

  test('a queue alert is posted once when a queue starts having customers waiting', async () => {
    const RETURNS = fake.channel('returns-desk');
    const ALERTS = fake.channel('returns-alerts');
    const created = await createSlackAccount(
      'Slack Returns',
      {
        channelId: RETURNS,
        queueIds: [queues.returns],
        supervisorsChannelId: ALERTS,
        alerts: { waitingAtLeast: 1 },
        apiBaseUrl: fake.apiBaseUrl,
      },
      { botToken, signingSecret: hex(16) },
    );
    expect(created.status).toBe(201);
    const alertsId = created.body.account.id;
    // Nobody waits yet: no alert.
    await server.slackMirror.checkQueueAlerts();
    expect(await server.store.slack.listPosts(alertsId, { limit: 10 })).toEqual([]);

    await visitorWrites('returns', 'มานะ อดทน', ['ขอคืนสินค้าครับ']);
    await eventually(
      () => server.api.request('GET', '/api/v1/queues/stats', { token: admin }),
      (r) => r.body.queues?.find((q: { queueId: string }) => q.queueId === queues.returns)?.waiting === 1,
      'one waiting in Returns',
    );
    await server.slackMirror.checkQueueAlerts();
    await drained(alertsId);
    const alerts = fake.posts(ALERTS);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.text).toMatch(/^:warning: Queue \*Returns\*: 1 waiting \(alert at 1\)\. 1 waiting, longest \d+:\d\d, service level /);

    // Still holding: no second alert.
    await server.slackMirror.checkQueueAlerts();
    await drained(alertsId);
    expect(fake.posts(ALERTS)).toHaveLength(1);
    expect((await server.store.slack.listPosts(alertsId, { limit: 10 })).filter((p) => p.kind === 'alert')).toHaveLength(1);
  });
});
