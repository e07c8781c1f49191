// After hours on a real server, both engines, with a controllable clock: a closed queue with an
// auto-reply answers a Thai visitor once, in Thai, with the next opening in Bangkok time (and not
// again when the conversation comes back in the same closed period); a keep-queued queue offers
// nothing until the clock reaches its opening, then the routing tick offers what waited.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { formatOpening } from '../server/domain/routing/after-hours.js';
import type { VisitorMessage } from '../server/realtime/contract.js';
import { ENGINES, connect, nextEvent, startTestServer, type ClientSocket, type TestServer } from './support/harness.js';
import { until } from './support/until.js';

// Monday 2026-01-05, 07:00 in Bangkok (UTC+7): the queues open at 09:00, two hours later.
const T0 = Date.UTC(2026, 0, 5, 0, 0, 0);
const OPENS = Date.UTC(2026, 0, 5, 2, 0, 0);
const weekdays = [[], ...Array.from({ length: 5 }, () => [{ from: '09:00', to: '18:00' }]), []];
const businessHours = { timeZone: 'Asia/Bangkok', week: weekdays, holidays: [] };

describe.each(ENGINES)('after hours on %s', (engine) => {
  let server: TestServer;
  let clock = T0;
  let admin: string;
  const sockets: ClientSocket[] = [];

  const post = (path: string, token: string, body: unknown = {}) => server.api.request('POST', `/api/v1${path}`, { token, body });

  async function closedQueue(name: string, afterHours: unknown) {
    const queue = await post('/queues', admin, { name, channels: ['web_chat'], businessHours, afterHours });
    expect(queue.status).toBe(201);
    const account = await post('/channel-accounts', admin, { kind: 'web_chat', name: `${name} site`, queueId: queue.body.queue.id });
    expect(account.status).toBe(201);
    return { queueId: queue.body.queue.id as string, accountId: account.body.account.id as string };
  }

  async function availableAgent(name: string, queueId: string) {
    const user = await server.api.userWithRole(admin, 'agent', name);
    await server.api.request('PATCH', `/api/v1/users/${user.id}/routing`, { token: admin, body: { queueIds: [queueId] } });
    const socket = await connect(server.url, { token: user.token });
    sockets.push(socket);
    expect(await socket.emitWithAck('presence:set', { presence: 'available' })).toEqual({ ok: true });
    return { ...user, socket };
  }

  /** Routing runs one operation at a time: once this presence change is answered, everything queued before it is done. */
  const routingSettled = (agent: { socket: ClientSocket }) => agent.socket.emitWithAck('presence:set', { presence: 'available' });

  const systemMessages = async (conversationId: string) =>
    (await server.store.messages.listForConversation(conversationId, { limit: 100, includePrivate: true })).filter(
      (m) => m.senderType === 'system',
    );

  beforeAll(async () => {
    server = await startTestServer(engine, {}, { now: () => clock, routing: { tickMs: 10 } });
    admin = await server.api.login();
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await server.stop();
  });

  test('a closed queue with an auto-reply answers a Thai visitor once, in Thai, with the opening time in Bangkok', async () => {
    clock = T0;
    const { queueId, accountId } = await closedQueue('Thai desk', {
      action: 'auto_reply',
      message: {
        en: 'We are closed. We open again {{opensAt}}.',
        th: 'ขณะนี้อยู่นอกเวลาทำการค่ะ เราจะเปิดอีกครั้ง{{opensAt}}',
      },
    });
    const agent = await availableAgent('Mali', queueId);
    const visitor = await server.api.visitorSession(accountId, { name: 'ลูกค้า', locale: 'th' });
    const socket = await connect(server.url, { visitorToken: visitor.token });
    sockets.push(socket);
    const replies: VisitorMessage[] = [];
    socket.on('visitor:message', (message, ack) => {
      replies.push(message);
      ack(true);
    });
    const replied = nextEvent(socket, 'visitor:message');

    const ack = await socket.emitWithAck('visitor:send', { clientMessageId: 'night-1', text: 'สวัสดีค่ะ สั่งของได้ไหมคะ' });
    if (!ack.ok) throw new Error(ack.error.message);
    const [reply] = await replied;
    const opening = formatOpening(OPENS, 'th', 'Asia/Bangkok');
    expect(opening).toContain('9:00');
    expect(reply).toMatchObject({ direction: 'outbound', parts: [{ type: 'text', text: `ขณะนี้อยู่นอกเวลาทำการค่ะ เราจะเปิดอีกครั้ง${opening}` }] });
    const conversationId = (await server.store.messages.findById(ack.message.id))!.conversationId;
    const [stored] = await systemMessages(conversationId);
    expect(stored).toMatchObject({ direction: 'outbound', senderType: 'system', private: false });
    // Sent through the outbox like any reply: the visitor's acknowledgement marks it delivered.
    await until(
      () => server.store.messages.findById(stored!.id),
      (m) => m?.status === 'delivered',
      'the reply to be delivered',
    );

    // The visitor writes again, and the conversation is resolved and reopened, all before opening time: no second reply.
    expect((await socket.emitWithAck('visitor:send', { clientMessageId: 'night-2', text: 'ยังอยู่ไหมคะ' })).ok).toBe(true);
    expect((await post(`/conversations/${conversationId}/status`, admin, { status: 'resolved' })).status).toBe(200);
    clock += 60_000;
    expect((await socket.emitWithAck('visitor:send', { clientMessageId: 'night-3', text: 'ขอโทษค่ะ อีกเรื่องหนึ่ง' })).ok).toBe(true);
    const reopened = await until(
      () => server.store.routingEvents.listSince(T0, queueId),
      (events) => events.filter((e) => e.conversationId === conversationId && e.type === 'enqueued').length === 2,
      'the reopened conversation to queue again',
    );
    await routingSettled(agent);
    expect(await systemMessages(conversationId)).toHaveLength(1);
    expect(reopened.filter((e) => e.type === 'auto_replied')).toMatchObject([{ conversationId, data: { opensAt: OPENS } }]);
    expect(replies).toHaveLength(1);
    // Nobody was offered anything while closed.
    expect(await server.store.offers.findByConversation(conversationId)).toBeUndefined();
  });

  test('keep queued: nothing is offered while closed; at the opening time the tick offers what waited', async () => {
    clock = T0 + 5 * 60_000;
    const { queueId, accountId } = await closedQueue('Night shift', { action: 'keep_queued' });
    const agent = await availableAgent('Niran', queueId);
    const offers: string[] = [];
    agent.socket.on('offer:new', (e) => offers.push(e.offer.conversationId));
    const visitor = await server.api.visitorSession(accountId, { locale: 'th' });
    const socket = await connect(server.url, { visitorToken: visitor.token });
    sockets.push(socket);
    const ack = await socket.emitWithAck('visitor:send', { clientMessageId: 'early-1', text: 'เช้าแล้วค่ะ' });
    if (!ack.ok) throw new Error(ack.error.message);
    const conversationId = (await server.store.messages.findById(ack.message.id))!.conversationId;
    await until(
      () => server.store.conversations.findById(conversationId),
      (c) => c?.enqueuedAt !== null,
      'the conversation to queue',
    );

    // One millisecond before opening, the agent is free and still nothing is offered.
    clock = OPENS - 1;
    await routingSettled(agent);
    expect(offers).toEqual([]);
    expect(await server.store.offers.findByConversation(conversationId)).toBeUndefined();
    expect(await systemMessages(conversationId)).toEqual([]);

    const offered = nextEvent(agent.socket, 'offer:new');
    clock = OPENS;
    const [{ offer }] = await offered;
    expect(offer).toMatchObject({ conversationId, agentId: agent.id, queueId, offeredAt: OPENS });
  });
});
