// CSAT on the reply channels that csat.test.ts does not drive, and the catch-up after a crash, with real
// parts on both engines. LINE (a local fake of LINE's API, webhooks signed with the channel secret's
// HMAC): a Thai customer is asked in Thai and answers with a Thai digit. Messenger (a local fake of the
// Graph API, X-Hub-Signature-256): "Reply 1-5" inside the 24-hour window. The catch-up: a conversation
// resolved with no survey (the process died between the resolve and the survey) is surveyed when the
// desk starts again, once, however many times it restarts.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createHmac, randomBytes } from 'node:crypto';
import { openDatabase } from '../db/connection.js';
import type { Message } from '../server/domain/types.js';
import { createLogger } from '../server/logger.js';
import { startServer, type RunningServer } from '../server/server.js';
import { Api, ENGINES, freshDatabase, nextDomainEvent, startTestServer, testConfig, type TestServer } from './support/harness.js';
import { createChannelAccount, deliveredMessage, postWebhook } from './support/channel-traffic.js';
import { smsNumber } from './support/crm-scenario.js';
import { FakeGraph } from './support/fake-graph.js';
import { FakeLine } from './support/fake-line.js';
import { FakeTwilio } from './support/fake-twilio.js';
import { lineEnvelope, lineHeaders, lineTextEvent, lineUserId } from './support/line-webhook.js';
import { until } from './support/until.js';

const PUBLIC_URL = 'https://desk.example.test';
const hex = (n: number) => randomBytes(n).toString('hex');
const eventually = <T>(read: () => Promise<T>, holds: (v: T) => boolean, what: string) => until(read, holds, what, 10_000);

describe.each(ENGINES)('CSAT by LINE and Messenger on %s', (engine) => {
  let server: TestServer;
  let line: FakeLine;
  let graph: FakeGraph;
  let admin: string;
  let agent: { id: string; token: string };
  let lineId: string;
  let lineSecret: string;
  let messengerId: string;
  let appSecret: string;
  let page: { pageId: string; token: string };

  const request = (method: string, url: string, body?: unknown, token = admin) =>
    server.api.request(method, `/api/v1${url}`, { token, body });

  function lineText(userId: string, text: string): Promise<Message> {
    const e = lineTextEvent(userId, text, line.replyToken());
    const raw = lineEnvelope(e);
    return deliveredMessage(server, e.message!.id, () =>
      postWebhook(`${server.url}/webhooks/line/${lineId}`, raw, lineHeaders(raw, lineSecret)),
    );
  }

  function messengerText(psid: string, text: string): Promise<Message> {
    const mid = `m_${randomBytes(24).toString('base64url')}`;
    const raw = JSON.stringify({
      object: 'page',
      entry: [
        {
          id: page.pageId,
          time: Date.now(),
          messaging: [{ sender: { id: psid }, recipient: { id: page.pageId }, timestamp: Date.now(), message: { mid, text } }],
        },
      ],
    });
    const signature = `sha256=${createHmac('sha256', appSecret).update(Buffer.from(raw, 'utf8')).digest('hex')}`;
    return deliveredMessage(server, mid, () =>
      postWebhook(`${server.url}/webhooks/messenger/${messengerId}`, raw, {
        'content-type': 'application/json',
        'x-hub-signature-256': signature,
      }),
    );
  }

  /** The agent takes and resolves the conversation; resolves with the survey message. */
  async function resolveByAgent(conversationId: string): Promise<Message> {
    expect((await request('POST', `/conversations/${conversationId}/assign`, { assigneeId: agent.id })).status).toBe(200);
    const survey = nextDomainEvent(server, 'message.created', (e) => e.message.conversationId === conversationId && !!e.message.meta?.csat);
    expect((await request('POST', `/conversations/${conversationId}/status`, { status: 'resolved' }, agent.token)).status).toBe(200);
    return (await survey).message;
  }

  const sentOrFailed = (id: string) =>
    eventually(
      () => server.store.messages.findById(id),
      (m) => m?.status === 'sent' || m?.status === 'failed',
      'the survey sent or failed',
    );

  beforeAll(async () => {
    [line, graph] = await Promise.all([FakeLine.start(), FakeGraph.start()]);
    lineSecret = hex(16);
    appSecret = hex(16);
    page = graph.page('ร้านทดสอบ');
    server = await startTestServer(
      engine,
      { PUBLIC_URL, CLUSTER_NAME: `csat-channels-${process.pid}` },
      { outbox: { baseDelayMs: 10, maxDelayMs: 50, pollMs: 30 } },
    );
    admin = await server.api.login();
    agent = await server.api.userWithRole(admin, 'agent', `CSAT channels ${engine}`);
    lineId = await createChannelAccount(server.api, admin, {
      kind: 'line',
      name: 'LINE ร้านค้า',
      settings: { channelId: '1657000002', apiBaseUrl: line.url, dataApiBaseUrl: line.url },
      credentials: { channelSecret: lineSecret, channelAccessToken: line.token() },
    });
    messengerId = await createChannelAccount(server.api, admin, {
      kind: 'messenger',
      name: 'เพจทดสอบ',
      settings: { pageId: page.pageId, graphBaseUrl: graph.baseUrl },
      credentials: { appSecret, pageAccessToken: page.token, verifyToken: `verify-${hex(12)}` },
    });
    for (const id of [lineId, messengerId]) {
      expect((await request('PUT', `/csat/settings/${id}`, { enabled: true, replyWindowHours: 24 })).status).toBe(200);
    }
  });
  afterAll(async () => {
    await server?.stop();
    await Promise.all([line?.close(), graph?.close()]);
  });

  test('LINE: a Thai customer is asked in Thai; "๕" is the score, kept off a new conversation', async () => {
    const userId = lineUserId();
    line.profiles.set(userId, { displayName: 'สมหญิง', language: 'th' });
    const first = await lineText(userId, 'ของที่สั่งยังไม่มาส่งค่ะ');
    const survey = await resolveByAgent(first.conversationId);
    expect(survey.text).toContain('คุณพอใจกับการให้บริการครั้งนี้แค่ไหน');
    expect(survey.meta?.csat).toMatchObject({ mode: 'reply', score: null });
    expect((await sentOrFailed(survey.id))!.status).toBe('sent');
    const asked = line.requests.filter((r) => r.method === 'POST' && /\/v2\/bot\/message\/(reply|push)$/.test(r.path));
    expect(asked.some((r) => r.body.messages?.[0]?.text === survey.text)).toBe(true);

    const answer = await lineText(userId, '๕');
    expect(answer.conversationId).toBe(first.conversationId);
    const answered = await eventually(
      async () => (await request('GET', `/conversations/${first.conversationId}/csat`)).body.survey,
      (s) => s?.score === 5,
      'the LINE survey answered',
    );
    expect(answered).toMatchObject({ score: 5, answeredVia: 'reply', answerMessageId: answer.id, agentId: agent.id });
    expect((await server.store.conversations.findById(first.conversationId))!.status).toBe('resolved');
    const customerId = (await server.store.conversations.findById(first.conversationId))!.customerId;
    expect((await request('GET', `/customers/${customerId}/csat`)).body.csat).toMatchObject({ count: 1, average: 5 });

    // A later message that is not a score opens a conversation again, as usual.
    const later = await lineText(userId, 'ขอบคุณค่ะ อีกเรื่องนะคะ');
    expect((await server.store.conversations.findById(later.conversationId))!.status).not.toBe('resolved');
  });

  test('Messenger: "Reply 1-5" within the window; "2" is the score on the conversation, agent and customer', async () => {
    const psid = String(7_100_000_000_000_000 + Math.floor(Math.random() * 1e15));
    const first = await messengerText(psid, 'Where is my order?');
    const survey = await resolveByAgent(first.conversationId);
    expect(survey.text).toContain('How would you rate the help you got today?');
    expect((await sentOrFailed(survey.id))!.status).toBe('sent');
    const sent = graph.requests.find((r) => r.method === 'POST' && r.body?.message?.text === survey.text);
    expect(sent?.body.recipient).toEqual({ id: psid });

    const answer = await messengerText(psid, '2');
    expect(answer.conversationId).toBe(first.conversationId);
    await eventually(
      async () => (await request('GET', `/conversations/${first.conversationId}/csat`)).body.survey,
      (s) => s?.score === 2,
      'the Messenger survey answered',
    );
    const mine = await request('GET', `/users/${agent.id}/csat`, undefined, agent.token);
    expect(mine.body.csat.count).toBeGreaterThanOrEqual(1);
    expect(
      mine.body.csat.recent.some(
        (r: { conversationId: string; score: number }) => r.conversationId === first.conversationId && r.score === 2,
      ),
    ).toBe(true);
  });
});

describe.each(ENGINES)('CSAT catch-up after a stop on %s', (engine) => {
  test('a conversation resolved without its survey is surveyed at the next start, once across restarts', async () => {
    const fake = await FakeTwilio.start();
    const db = await freshDatabase(engine);
    const config = testConfig(db, { PUBLIC_URL, CLUSTER_NAME: `csat-catch-up-${process.pid}` });
    const log = createLogger(config.logLevel);
    const start = () => startServer(config, log, { schema: db.schema, outbox: { baseDelayMs: 10, maxDelayMs: 50, pollMs: 30 } });
    let server: RunningServer | undefined;
    try {
      server = await start();
      const api = new Api(server.url);
      const admin = await api.login();
      const number = await smsNumber(api, admin, fake, { name: 'SMS', phoneNumber: '+6620002222', publicUrl: PUBLIC_URL });
      expect(
        (await api.request('PUT', `/api/v1/csat/settings/${number.accountId}`, { token: admin, body: { enabled: true } })).status,
      ).toBe(200);

      // Three customers write; one conversation is resolved the normal way (surveyed at once), two are
      // marked resolved in the database alone, as if the process died before the survey was written. The
      // third customer has written on the account again since (a newer conversation): not asked late.
      const conversations: string[] = [];
      for (const from of ['+66811110001', '+66811110002', '+66811110003'])
        conversations.push((await number.arrives(server, from, 'hello')).conversationId);
      const [normal, interrupted, movedOn] = conversations as [string, string, string];
      expect(
        (await api.request('POST', `/api/v1/conversations/${normal}/status`, { token: admin, body: { status: 'resolved' } })).status,
      ).toBe(200);
      await eventually(
        () => server!.store.csat.findByConversation(normal),
        (s) => s !== undefined,
        'the normal survey',
      );
      const at = Date.now();
      await server.store.conversations.update(interrupted, { status: 'resolved', resolvedAt: at }, at);
      await server.store.conversations.update(movedOn, { status: 'resolved', resolvedAt: at }, at);
      const movedOnCustomer = (await server.store.conversations.findById(movedOn))!.customerId;
      const newer = await server.store.conversations.create(
        { customerId: movedOnCustomer, channelAccountId: number.accountId, channelKind: 'sms', subject: null },
        at + 1,
      );
      await server.store.conversations.update(newer.id, { lastCustomerMessageAt: at + 1 }, at + 1);
      await server.close();

      server = await start();
      const caught = await eventually(
        () => server!.store.csat.findByConversation(interrupted),
        (s) => s?.messageId != null,
        'the survey the stop left unsent',
      );
      const surveyMessage = await eventually(
        () => server!.store.messages.findById(caught!.messageId!),
        (m) => m?.status === 'sent',
        'the caught-up survey sent',
      );
      expect(surveyMessage!.meta?.csat).toMatchObject({ surveyId: caught!.id, mode: 'reply' });
      // close() waits for the start's catch-up; a second restart asks nobody again.
      await server.close();
      server = await start();
      await server.close();
      server = undefined;

      // Read back over a connection of our own, with every server closed.
      const check = openDatabase(db.url, { schema: db.schema });
      try {
        for (const id of [normal, interrupted]) {
          const surveys = await check.knex('csat_surveys').where({ conversation_id: id });
          expect(surveys).toHaveLength(1);
          const asked = (await check.knex('messages').where({ conversation_id: id, direction: 'outbound' })) as { meta: string | null }[];
          expect(asked.filter((m) => m.meta?.includes('"csat"'))).toHaveLength(1);
        }
        expect(await check.knex('csat_surveys').whereIn('conversation_id', [movedOn, newer.id])).toEqual([]);
      } finally {
        await check.close();
      }
      const surveyTexts = fake.sends().filter((r) => String(r.form.Body).includes('1') && String(r.form.Body).includes('5'));
      expect(surveyTexts.map((r) => r.form.To).sort()).toEqual(['+66811110001', '+66811110002']);
    } finally {
      await server?.close();
      await db.drop();
      await fake.close();
    }
  }, 60_000);
});
