// The value tier reaches routing, both engines: orders that make a customer platinum (and so VIP) move
// their waiting conversation ahead of one that waited longer, at once, and it is offered first; a new
// conversation of a platinum customer starts with the raised priority; a supervisor's lower tier moves
// it back by exactly the difference, keeping a supervisor's own priority change.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { tierPriority } from '../server/routing/routing-service.js';
import { ENGINES, connect, nextEvent, startTestServer, type ClientSocket, type TestServer } from './support/harness.js';
import { until } from './support/until.js';

const T0 = Date.UTC(2026, 2, 1, 5, 0, 0);

describe.each(ENGINES)('tier to routing priority on %s', (engine) => {
  let server: TestServer;
  let clock = T0;
  let admin: string;
  let supervisor: string;
  const sockets: ClientSocket[] = [];
  let messageNo = 0;

  const api = (method: string, path: string, body?: unknown, token = supervisor) =>
    server.api.request(method, `/api/v1${path}`, { token, body });

  async function visitorWrites(accountId: string, text: string): Promise<{ conversationId: string; customerId: string }> {
    const visitor = await server.api.visitorSession(accountId);
    const socket = await connect(server.url, { visitorToken: visitor.token });
    sockets.push(socket);
    const ack = await socket.emitWithAck('visitor:send', { clientMessageId: `m-${++messageNo}`, text });
    if (!ack.ok) throw new Error(ack.error.message);
    const conversation = (await server.store.conversations.findById(
      (await server.store.messages.findById(ack.message.id))!.conversationId,
    ))!;
    return { conversationId: conversation.id, customerId: conversation.customerId };
  }

  const priorityOf = async (id: string) => (await server.store.conversations.findById(id))!.priority;

  /** A queue for web chat that offers for a minute: its id. */
  async function queue(name: string): Promise<string> {
    const res = await api('POST', '/queues', { name, channels: ['web_chat'], offerTimeoutMs: 60_000 }, admin);
    expect(res.status).toBe(201);
    return res.body.queue.id;
  }

  /** A web chat site whose conversations wait in `queueId`: its account id. */
  async function site(name: string, queueId: string): Promise<string> {
    const res = await api('POST', '/channel-accounts', { kind: 'web_chat', name, queueId }, admin);
    expect(res.status).toBe(201);
    return res.body.account.id;
  }

  beforeAll(async () => {
    server = await startTestServer(engine, {}, { now: () => clock, routing: { tickMs: 10 } });
    admin = await server.api.login();
    supervisor = (await server.api.userWithRole(admin, 'supervisor', 'Supervisor Tier')).token;
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await server.stop();
  });

  test('orders make a waiting customer platinum: their conversation is raised at once and offered before one that waited longer', async () => {
    const queueId = await queue('Sales');
    const accountId = await site('Shop', queueId);
    const agent = await server.api.userWithRole(admin, 'agent', 'Agent Tier');
    await server.api.request('PATCH', `/api/v1/users/${agent.id}/routing`, { token: admin, body: { queueIds: [queueId] } });
    const agentSocket = await connect(server.url, { token: agent.token });
    sockets.push(agentSocket);

    const first = await visitorWrites(accountId, 'first in line');
    clock += 60_000;
    const second = await visitorWrites(accountId, 'second in line');
    await until(
      () => priorityOf(second.conversationId),
      (p) => p === 0,
      'the second conversation to wait',
    );

    // 150,000 THB in the window: platinum by the default thresholds, and platinum customers are VIP.
    const raised = tierPriority({ valueTier: 'platinum', vip: true });
    const order = await api('POST', `/customers/${second.customerId}/orders`, {
      externalId: 'big-1',
      amount: '150000',
      orderedAt: clock - 86_400_000,
    });
    expect(order.status).toBe(201);
    expect((await api('GET', `/customers/${second.customerId}/value`)).body.value).toMatchObject({ valueTier: 'platinum', vip: true });
    await until(
      () => priorityOf(second.conversationId),
      (p) => p === raised,
      'the tier to raise the waiting conversation',
    );
    expect(await priorityOf(first.conversationId)).toBe(0);

    const offered = nextEvent(agentSocket, 'offer:new');
    expect(await agentSocket.emitWithAck('presence:set', { presence: 'available' })).toEqual({ ok: true });
    const [{ offer }] = await offered;
    expect(offer.conversationId).toBe(second.conversationId);
    expect(await agentSocket.emitWithAck('presence:set', { presence: 'away' })).toEqual({ ok: true });

    // A new conversation of the platinum customer (another site) waits with the raised priority from the start.
    const other = await site('Shop 2', queueId);
    const session = await server.api.visitorSession(other);
    await server.store.customers.moveIdentities(
      (await server.store.customers.findIdentity({ kind: 'web_chat', scope: other, value: session.sessionId }))!.customerId,
      second.customerId,
    );
    const socket = await connect(server.url, { visitorToken: session.token });
    sockets.push(socket);
    const ack = await socket.emitWithAck('visitor:send', { clientMessageId: 'again-1', text: 'me again' });
    if (!ack.ok) throw new Error(ack.error.message);
    const third = (await server.store.messages.findById(ack.message.id))!.conversationId;
    await until(
      () => priorityOf(third),
      (p) => p === raised,
      'a new conversation of a platinum customer to start raised',
    );
  });

  test("a supervisor's tier moves a waiting conversation by the difference, on top of a supervisor's own priority", async () => {
    const waiting = await visitorWrites(await site('Care site', await queue('Care')), 'help please');
    await until(
      () => priorityOf(waiting.conversationId),
      (p) => p === 0,
      'the conversation to wait',
    );
    expect((await api('POST', `/conversations/${waiting.conversationId}/priority`, { priority: 4 })).status).toBe(200);

    expect((await api('PATCH', `/customers/${waiting.customerId}`, { valueTier: 'gold' })).status).toBe(200);
    await until(
      () => priorityOf(waiting.conversationId),
      (p) => p === 4 + tierPriority({ valueTier: 'gold', vip: false }),
      'gold to add its share',
    );
    expect((await api('PATCH', `/customers/${waiting.customerId}`, { vip: true })).status).toBe(200);
    await until(
      () => priorityOf(waiting.conversationId),
      (p) => p === 4 + tierPriority({ valueTier: 'gold', vip: true }),
      'VIP to add its share',
    );
    expect((await api('PATCH', `/customers/${waiting.customerId}`, { valueTier: null, vip: null })).status).toBe(200);
    await until(
      () => priorityOf(waiting.conversationId),
      (p) => p === 4,
      'the overrides cleared: back to the supervisor priority',
    );
    const value = (await api('GET', `/customers/${waiting.customerId}/value`)).body.value;
    expect(value).toMatchObject({ valueTier: null, vip: false, tierOverride: null, vipOverride: null });
  });
});
