// Manual control on a real server, both engines: transfer to an agent (with a private note) or to a
// queue (offered afresh), a supervisor's priority change reordering who waits, an agent picking a
// waiting conversation (withdrawing its offer), and the role, ownership and input errors, each
// leaving the database exactly as it was.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ENGINES, connect, nextEvent, startTestServer, type ClientSocket, type TestServer } from './support/harness.js';
import { RowCounter } from './support/row-counts.js';
import { until } from './support/until.js';

const T0 = Date.UTC(2026, 0, 5, 3, 0, 0);

interface Agent {
  id: string;
  token: string;
  socket: ClientSocket;
}

describe.each(ENGINES)('manual routing control on %s', (engine) => {
  let server: TestServer;
  let clock = T0;
  let admin: string;
  let supervisor: { id: string; token: string };
  const sockets: ClientSocket[] = [];

  const post = (path: string, token: string, body: unknown = {}) => server.api.request('POST', `/api/v1${path}`, { token, body });

  async function queueWithAccount(name: string) {
    const queue = await post('/queues', admin, { name, channels: ['web_chat'], offerTimeoutMs: 60_000 });
    expect(queue.status).toBe(201);
    const account = await post('/channel-accounts', admin, { kind: 'web_chat', name: `${name} site`, queueId: queue.body.queue.id });
    expect(account.status).toBe(201);
    return { queueId: queue.body.queue.id as string, accountId: account.body.account.id as string };
  }

  /** An agent working `queueIds`, connected; available unless told otherwise (in the order created: the first idles longest). */
  async function agent(name: string, queueIds: string[], opts: { available?: boolean; chat?: number } = {}): Promise<Agent> {
    const user = await server.api.userWithRole(admin, 'agent', name);
    const profile = await server.api.request('PATCH', `/api/v1/users/${user.id}/routing`, {
      token: admin,
      body: { queueIds, ...(opts.chat !== undefined && { capacity: { chat: opts.chat } }) },
    });
    expect(profile.status).toBe(200);
    const socket = await connect(server.url, { token: user.token });
    sockets.push(socket);
    clock += 1;
    if (opts.available ?? true) expect(await socket.emitWithAck('presence:set', { presence: 'available' })).toEqual({ ok: true });
    return { id: user.id, token: user.token, socket };
  }

  async function visitorWrites(accountId: string, text: string): Promise<string> {
    const visitor = await server.api.visitorSession(accountId);
    const socket = await connect(server.url, { visitorToken: visitor.token });
    sockets.push(socket);
    const ack = await socket.emitWithAck('visitor:send', { clientMessageId: `m-${clock}`, text });
    if (!ack.ok) throw new Error(ack.error.message);
    return (await server.store.messages.findById(ack.message.id))!.conversationId;
  }

  /** A conversation offered to `to` and accepted. */
  async function acceptedBy(to: Agent, accountId: string, text: string): Promise<string> {
    const offered = nextEvent(to.socket, 'offer:new');
    const conversationId = await visitorWrites(accountId, text);
    const [{ offer }] = await offered;
    expect(offer.conversationId).toBe(conversationId);
    expect((await to.socket.emitWithAck('offer:accept', { conversationId })).ok).toBe(true);
    return conversationId;
  }

  const eventsOf = async (conversationId: string) =>
    (await server.store.routingEvents.listSince(T0)).filter((e) => e.conversationId === conversationId);

  async function boardLoad(agentId: string): Promise<number> {
    const res = await server.api.request('GET', '/api/v1/agents', { token: supervisor.token });
    return res.body.agents.find((a: { id: string }) => a.id === agentId).load.chat;
  }

  beforeAll(async () => {
    server = await startTestServer(engine, {}, { now: () => clock, routing: { tickMs: 10 } });
    admin = await server.api.login();
    supervisor = await server.api.userWithRole(admin, 'supervisor', 'Supervisor Pim');
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await server.stop();
  });

  test('an agent transfers their conversation to another agent, with a private note; capacity follows', async () => {
    const { queueId, accountId } = await queueWithAccount('Sales');
    const ann = await agent('Ann', [queueId]);
    const ben = await agent('Ben', [queueId]);
    const conversationId = await acceptedBy(ann, accountId, 'I would like the annual plan');
    expect(await boardLoad(ann.id)).toBe(1);

    const toBen = nextEvent(ben.socket, 'conversation:updated', (c) => c.id === conversationId && c.assigneeId === ben.id);
    const note = 'ลูกค้าต้องการใบกำกับภาษี (wants a tax invoice)';
    const res = await post(`/conversations/${conversationId}/transfer`, ann.token, { toAgentId: ben.id, note });
    expect(res.status).toBe(200);
    expect(res.body.conversation).toMatchObject({ id: conversationId, assigneeId: ben.id, queueId });
    await toBen;

    const detail = await server.api.request('GET', `/api/v1/conversations/${conversationId}`, { token: ben.token });
    expect(detail.body.messages.at(-1)).toMatchObject({ private: true, senderType: 'agent', senderId: ann.id, text: note });
    // A note never leaves: nothing was queued for the customer.
    const visible = await server.store.messages.listForConversation(conversationId, { limit: 50, includePrivate: false });
    expect(visible.map((m) => m.senderType)).toEqual(['customer']);

    const events = await eventsOf(conversationId);
    expect(events.map((e) => e.type)).toEqual(['enqueued', 'offered', 'accepted', 'transferred']);
    expect(events.at(-1)).toMatchObject({ agentId: ben.id, data: { from: { agentId: ann.id }, to: { agentId: ben.id }, by: ann.id } });
    const audit = await server.store.audit.list(20);
    expect(audit.find((a) => a.action === 'conversation.transfer' && a.targetId === conversationId)).toMatchObject({ actorId: ann.id });
    expect(await boardLoad(ann.id)).toBe(0);
    expect(await boardLoad(ben.id)).toBe(1);
  });

  test('a supervisor transfers a conversation to another queue: unassigned, offered afresh, not to its last agent', async () => {
    const retail = await queueWithAccount('Retail');
    const billing = await queueWithAccount('Billing');
    // Dao works both queues and idles longest: only the transfer rule keeps it from coming back to her.
    const dao = await agent('Dao', [retail.queueId, billing.queueId]);
    const eak = await agent('Eak', [billing.queueId]);
    const conversationId = await acceptedBy(dao, retail.accountId, 'my bill is wrong');

    const toEak = nextEvent(eak.socket, 'offer:new', (e) => e.offer.conversationId === conversationId);
    const daoLosesIt = nextEvent(dao.socket, 'conversation:updated', (c) => c.id === conversationId && c.assigneeId === null);
    const res = await post(`/conversations/${conversationId}/transfer`, supervisor.token, {
      toQueueId: billing.queueId,
      note: 'Billing question',
    });
    expect(res.status).toBe(200);
    expect(res.body.conversation).toMatchObject({ assigneeId: null, queueId: billing.queueId, enqueuedAt: clock, refusedBy: [dao.id] });
    const [{ offer }] = await toEak;
    expect(offer).toMatchObject({ agentId: eak.id, queueId: billing.queueId });
    await daoLosesIt;
    expect(await boardLoad(dao.id)).toBe(0);

    const events = await eventsOf(conversationId);
    expect(events.map((e) => e.type)).toEqual(['enqueued', 'offered', 'accepted', 'transferred', 'offered']);
    expect(events[3]).toMatchObject({
      queueId: retail.queueId,
      data: { from: { agentId: dao.id, queueId: retail.queueId }, to: { queueId: billing.queueId }, by: supervisor.id },
    });
    // Accepting it in the new queue works as any offer does.
    expect((await eak.socket.emitWithAck('offer:accept', { conversationId })).ok).toBe(true);
    expect((await server.store.conversations.findById(conversationId))?.assigneeId).toBe(eak.id);
  });

  test('a supervisor raising a priority moves that conversation ahead of those waiting longer', async () => {
    const { queueId, accountId } = await queueWithAccount('Support');
    const fon = await agent('Fon', [queueId], { available: false });
    const first = await visitorWrites(accountId, 'first in line');
    clock += 60_000;
    const second = await visitorWrites(accountId, 'second in line');

    expect((await post(`/conversations/${second}/priority`, fon.token, { priority: 5 })).status).toBe(403);
    for (const body of [{ priority: 11 }, { priority: -11 }, { priority: 1.5 }, { priority: '5' }, {}, { priority: 1, reason: 'x' }]) {
      const bad = await post(`/conversations/${second}/priority`, supervisor.token, body);
      expect(bad.status, JSON.stringify(body)).toBe(400);
      expect(bad.body.error.code).toBe('VALIDATION');
    }
    expect((await post('/conversations/no-such-id/priority', supervisor.token, { priority: 1 })).status).toBe(404);
    const res = await post(`/conversations/${second}/priority`, supervisor.token, { priority: 5 });
    expect(res.status).toBe(200);
    expect(res.body.conversation).toMatchObject({ id: second, priority: 5 });

    const offered = nextEvent(fon.socket, 'offer:new');
    expect(await fon.socket.emitWithAck('presence:set', { presence: 'available' })).toEqual({ ok: true });
    const [{ offer }] = await offered;
    expect(offer.conversationId).toBe(second);
    expect((await server.store.conversations.findById(first))?.assigneeId).toBeNull();
    const audit = await server.store.audit.list(20);
    expect(audit.find((a) => a.action === 'conversation.priority' && a.targetId === second)).toMatchObject({
      actorId: supervisor.id,
      data: { from: 0, to: 5 },
    });
  });

  test('an agent picks a waiting conversation from their queue: assigned to them, the live offer withdrawn', async () => {
    const claims = await queueWithAccount('Claims');
    const other = await queueWithAccount('Other');
    const gun = await agent('Gun', [claims.queueId]);
    const hana = await agent('Hana', [claims.queueId], { available: false, chat: 1 });
    const ice = await agent('Ice', [other.queueId]);

    const offered = nextEvent(gun.socket, 'offer:new');
    const c1 = await visitorWrites(claims.accountId, 'claim one');
    await offered;
    const notMember = await post(`/conversations/${c1}/pick`, ice.token);
    expect(notMember.status).toBe(403);
    expect((await post(`/conversations/${c1}/pick`, hana.token, { agentId: gun.id })).status).toBe(400);

    const withdrawn = nextEvent(gun.socket, 'offer:ended', (e) => e.offer.conversationId === c1);
    const picked = await post(`/conversations/${c1}/pick`, hana.token);
    expect(picked.status).toBe(200);
    expect(picked.body.conversation).toMatchObject({ id: c1, assigneeId: hana.id });
    expect((await withdrawn)[0].reason).toBe('withdrawn');
    expect(await server.store.offers.findByConversation(c1)).toBeUndefined();
    expect((await eventsOf(c1)).at(-1)).toMatchObject({ type: 'assigned', agentId: hana.id, data: { picked: true } });
    expect(await boardLoad(hana.id)).toBe(1);
    expect((await post(`/conversations/${c1}/pick`, gun.token)).status).toBe(409); // already taken

    // Hana is full (chat capacity 1): she cannot pick the next one, and its offer to Gun stands.
    const offeredAgain = nextEvent(gun.socket, 'offer:new');
    const c2 = await visitorWrites(claims.accountId, 'claim two');
    await offeredAgain;
    const full = await post(`/conversations/${c2}/pick`, hana.token);
    expect(full.status).toBe(409);
    expect(full.body.error.message).toMatch(/no room for another chat conversation \(1 of 1\)/);
    expect(await server.store.offers.findByConversation(c2)).toMatchObject({ agentId: gun.id });
    expect((await server.store.conversations.findById(c2))?.assigneeId).toBeNull();
    // A supervisor may pick from any queue.
    const bySupervisor = await post(`/conversations/${c2}/pick`, supervisor.token);
    expect(bySupervisor.status).toBe(200);
    expect(bySupervisor.body.conversation.assigneeId).toBe(supervisor.id);

    // A conversation that waits in no queue is assigned, not picked.
    const unqueued = await post('/channel-accounts', admin, { kind: 'web_chat', name: 'No queue' });
    const c3 = await visitorWrites(unqueued.body.account.id, 'no queue here');
    expect((await post(`/conversations/${c3}/pick`, hana.token)).status).toBe(409);
  });

  test('transfers are refused with a clear error and write nothing: wrong role or owner, bad target, bad body', async () => {
    const { queueId, accountId } = await queueWithAccount('Errors');
    const emailOnly = await post('/queues', admin, { name: 'Mail only', channels: ['email'] });
    const jay = await agent('Jay', [queueId]);
    const kim = await agent('Kim', [queueId], { available: false });
    const conversationId = await acceptedBy(jay, accountId, 'please help');
    const gone = await server.api.userWithRole(admin, 'agent', 'Lek');
    expect((await server.api.request('PATCH', `/api/v1/users/${gone.id}`, { token: admin, body: { active: false } })).status).toBe(200);

    const counter = RowCounter.open(server);
    try {
      const before = await counter.counts();
      const stored = await server.store.conversations.findById(conversationId);
      const cases: [string, string, unknown, number, string][] = [
        ['another agent’s conversation', kim.token, { toAgentId: kim.id }, 403, 'FORBIDDEN'],
        ['both targets', jay.token, { toAgentId: kim.id, toQueueId: queueId }, 400, 'VALIDATION'],
        ['no target', jay.token, { note: 'hi' }, 400, 'VALIDATION'],
        ['an empty note', jay.token, { toAgentId: kim.id, note: '  ' }, 400, 'VALIDATION'],
        ['an unknown field', jay.token, { toAgentId: kim.id, priority: 3 }, 400, 'VALIDATION'],
        ['to its own agent', jay.token, { toAgentId: jay.id }, 409, 'CONFLICT'],
        ['to a deactivated user', jay.token, { toAgentId: gone.id }, 400, 'VALIDATION'],
        ['to nobody', jay.token, { toAgentId: 'no-such-user' }, 400, 'VALIDATION'],
        ['to no queue', jay.token, { toQueueId: 'no-such-queue' }, 400, 'VALIDATION'],
        ['to a queue for other channels', jay.token, { toQueueId: emailOnly.body.queue.id }, 400, 'VALIDATION'],
      ];
      for (const [name, token, body, status, code] of cases) {
        const res = await post(`/conversations/${conversationId}/transfer`, token, body);
        expect(res.status, name).toBe(status);
        expect(res.body.error.code, name).toBe(code);
        expect(res.body.error.message.length, name).toBeGreaterThan(10);
      }
      expect((await post('/conversations/no-such-id/transfer', jay.token, { toAgentId: kim.id })).status).toBe(404);
      expect(await counter.counts()).toEqual(before);
      expect(await server.store.conversations.findById(conversationId)).toEqual(stored);

      // Resolved conversations stay where they are.
      expect((await post(`/conversations/${conversationId}/status`, jay.token, { status: 'resolved' })).status).toBe(200);
      // Routing records the resolution (for handle times) just after; count once it has.
      await until(() => server.store.routingEvents.latestOf(conversationId, 'resolved'), Boolean, 'the resolution recorded');
      const resolved = await counter.counts();
      const refused = await post(`/conversations/${conversationId}/transfer`, supervisor.token, { toQueueId: queueId });
      expect(refused.status).toBe(409);
      expect((await post(`/conversations/${conversationId}/priority`, supervisor.token, { priority: 2 })).status).toBe(409);
      expect((await post(`/conversations/${conversationId}/pick`, supervisor.token)).status).toBe(409);
      expect(await counter.counts()).toEqual(resolved);
    } finally {
      await counter.close();
    }
  });
});
