// Routing end to end on a real server: queues from the admin API, agents on real sockets setting
// presence, a visitor's message offered to the right agent, accept, decline, timeout with misses,
// supervisors' presence control, the disconnect grace, and offers that survive a restart.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createLogger } from '../server/logger.js';
import { startServer, type RunningServer } from '../server/server.js';
import {
  ENGINES,
  connect,
  freshDatabase,
  nextEvent,
  startTestServer,
  testConfig,
  type ClientSocket,
  type TestServer,
} from './support/harness.js';
import { Api } from './support/harness.js';

const T0 = Date.UTC(2026, 0, 5, 3, 0, 0);

describe.each(ENGINES)('routing on %s', (engine) => {
  let server: TestServer;
  let clock = T0;
  let admin: string;
  let accountId: string;
  let queueId: string;
  const agents: Record<string, { id: string; token: string; socket: ClientSocket }> = {};
  const sockets: ClientSocket[] = [];

  async function agentNamed(name: string, skills: Record<string, number>, idleOrder: number) {
    const user = await server.api.userWithRole(admin, 'agent', name);
    const profile = await server.api.request('PATCH', `/api/v1/users/${user.id}/routing`, {
      token: admin,
      body: { skills, queueIds: [queueId], capacity: { chat: 2 } },
    });
    expect(profile.status).toBe(200);
    const socket = await connect(server.url, { token: user.token });
    sockets.push(socket);
    clock += idleOrder; // agents become available in this order: the first has been idle longest
    const ack = await socket.emitWithAck('presence:set', { presence: 'available' });
    expect(ack).toEqual({ ok: true });
    return { id: user.id, token: user.token, socket };
  }

  async function visitorWrites(text: string) {
    const visitor = await server.api.visitorSession(accountId, { name: 'ลูกค้า' });
    const socket = await connect(server.url, { visitorToken: visitor.token });
    sockets.push(socket);
    const ack = await socket.emitWithAck('visitor:send', { clientMessageId: `m-${clock}-${Math.random().toString(36).slice(2)}`, text });
    if (!ack.ok) throw new Error(ack.error.message);
    return { socket, conversationId: (await server.store.messages.findById(ack.message.id))!.conversationId };
  }

  beforeAll(async () => {
    server = await startTestServer(engine, {}, { now: () => clock, routing: { tickMs: 10, disconnectGraceMs: 50 } });
    admin = await server.api.login();
    const queue = await server.api.request('POST', '/api/v1/queues', {
      token: admin,
      body: {
        name: 'Thai support',
        channels: ['web_chat'],
        requiredSkills: [{ skill: 'thai', minLevel: 3 }],
        offerTimeoutMs: 20_000,
        maxMisses: 2,
      },
    });
    expect(queue.status).toBe(201);
    queueId = queue.body.queue.id;
    const account = await server.api.request('POST', '/api/v1/channel-accounts', {
      token: admin,
      body: { kind: 'web_chat', name: 'Site', queueId },
    });
    expect(account.status).toBe(201);
    accountId = account.body.account.id;
    agents.somchai = await agentNamed('Somchai', { thai: 5 }, 1);
    agents.malee = await agentNamed('Malee', { thai: 8 }, 1);
    agents.john = await agentNamed('John', { thai: 1 }, 1); // not skilled enough for this queue
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await server.stop();
  });

  test('a new conversation is offered to the longest-idle skilled agent, and accepting assigns it', async () => {
    const offered = nextEvent(agents.somchai!.socket, 'offer:new');
    const { conversationId } = await visitorWrites('สวัสดีค่ะ');
    const [{ offer, conversation }] = await offered;
    expect(offer).toMatchObject({ conversationId, agentId: agents.somchai!.id, queueId, expiresAt: clock + 20_000 });
    expect(conversation.queueId).toBe(queueId);

    const accepted = await agents.somchai!.socket.emitWithAck('offer:accept', { conversationId });
    expect(accepted.ok).toBe(true);
    const stored = await server.store.conversations.findById(conversationId);
    expect(stored?.assigneeId).toBe(agents.somchai!.id);
    expect(await server.store.offers.findByConversation(conversationId)).toBeUndefined();
    // Somebody else cannot accept it afterwards.
    const late = await agents.malee!.socket.emitWithAck('offer:accept', { conversationId });
    expect(late).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
  });

  test('a declined offer goes to the next agent, never to the unskilled one, and is not offered back', async () => {
    const toMalee = nextEvent(agents.malee!.socket, 'offer:new');
    const { conversationId } = await visitorWrites('ขอสอบถามหน่อยค่ะ');
    const [{ offer }] = await toMalee;
    expect(offer.agentId).toBe(agents.malee!.id);
    const toSomchai = nextEvent(agents.somchai!.socket, 'offer:new', (e) => e.offer.conversationId === conversationId);
    expect(await agents.malee!.socket.emitWithAck('offer:decline', { conversationId })).toEqual({ ok: true });
    const [{ offer: second }] = await toSomchai;
    expect(second.agentId).toBe(agents.somchai!.id);
    const stored = await server.store.conversations.findById(conversationId);
    expect(stored?.refusedBy).toEqual([agents.malee!.id]);
    // Somchai lets it time out: nobody skilled is left who has not refused it, so it waits, unoffered.
    const timedOut = nextEvent(agents.somchai!.socket, 'offer:ended', (e) => e.offer.conversationId === conversationId);
    clock += 20_000;
    const [{ reason }] = await timedOut;
    expect(reason).toBe('timed_out');
    expect(await server.store.offers.findByConversation(conversationId)).toBeUndefined();
    const events = await server.store.routingEvents.listSince(T0, queueId);
    expect(events.filter((e) => e.conversationId === conversationId).map((e) => e.type)).toEqual([
      'enqueued',
      'offered',
      'declined',
      'offered',
      'timed_out',
    ]);
  });

  test('missing offers in a row sets an agent away; a supervisor brings them back', async () => {
    // Malee missed once (declined above); a second miss reaches the queue's maxMisses (2).
    const toMalee = nextEvent(agents.malee!.socket, 'offer:new');
    const { conversationId } = await visitorWrites('มีใครอยู่ไหมคะ');
    const [{ offer }] = await toMalee;
    expect(offer.conversationId).toBe(conversationId);
    const away = nextEvent(agents.malee!.socket, 'presence:changed', (e) => e.presence === 'away');
    clock += 20_000;
    const [change] = await away;
    expect(change).toMatchObject({ agentId: agents.malee!.id, reason: 'missed offers' });

    const forbidden = await server.api.request('POST', `/api/v1/agents/${agents.malee!.id}/presence`, {
      token: agents.john!.token,
      body: { presence: 'available' },
    });
    expect(forbidden.status).toBe(403);
    const supervisor = await server.api.userWithRole(admin, 'supervisor');
    const back = await server.api.request('POST', `/api/v1/agents/${agents.malee!.id}/presence`, {
      token: supervisor.token,
      body: { presence: 'available' },
    });
    expect(back.status).toBe(200);
    expect(back.body.agent.presence).toBe('available');
    const board = await server.api.request('GET', '/api/v1/agents', { token: supervisor.token });
    expect(board.body.agents.find((a: { id: string }) => a.id === agents.malee!.id)).toMatchObject({ presence: 'available' });
  });

  test('an agent disconnected past the grace period goes offline and their offer moves on', async () => {
    // Start from an empty queue: resolve what earlier tests left waiting (resolving also withdraws offers).
    const open = await server.api.request('GET', '/api/v1/conversations?status=open,pending&assignee=none&limit=100', { token: admin });
    for (const c of open.body.conversations) {
      await server.api.request('POST', `/api/v1/conversations/${c.id}/status`, { token: admin, body: { status: 'resolved' } });
    }
    const lone = await agentNamed('Nok', { thai: 9 }, 1);
    // Everyone else steps away so the next conversation goes to Nok.
    for (const a of [agents.somchai!, agents.malee!]) await a.socket.emitWithAck('presence:set', { presence: 'away', reason: 'lunch' });
    const toNok = nextEvent(lone.socket, 'offer:new');
    const { conversationId } = await visitorWrites('ด่วนค่ะ');
    await toNok;
    const supervisor = await server.api.userWithRole(admin, 'supervisor');
    const watcher = await connect(server.url, { token: supervisor.token });
    sockets.push(watcher);
    const offline = nextEvent(watcher, 'presence:changed', (e) => e.agentId === lone.id && e.presence === 'offline');
    lone.socket.close();
    const [change] = await offline;
    expect(change.reason).toBe('disconnected');
    expect(await server.store.offers.findByConversation(conversationId)).toBeUndefined();
    expect((await server.store.agentRouting.get(lone.id))?.presence).toBe('offline');
  });
});

test('live offers survive a restart and time out from their stored due time', async () => {
  const db = await freshDatabase('sqlite');
  let clock = T0;
  const config = testConfig(db);
  const log = createLogger('silent');
  let server: RunningServer = await startServer(config, log, { now: () => clock, routing: { tickMs: 10 } });
  const api = new Api(server.url);
  const admin = await api.login();
  const queue = await api.request('POST', '/api/v1/queues', {
    token: admin,
    body: { name: 'Sales', channels: ['web_chat'], offerTimeoutMs: 30_000 },
  });
  const account = await api.request('POST', '/api/v1/channel-accounts', {
    token: admin,
    body: { kind: 'web_chat', name: 'Shop', queueId: queue.body.queue.id },
  });
  const agent = await api.userWithRole(admin, 'agent', 'Ploy');
  await api.request('PATCH', `/api/v1/users/${agent.id}/routing`, { token: admin, body: { queueIds: [queue.body.queue.id] } });
  const socket = await connect(server.url, { token: agent.token });
  await socket.emitWithAck('presence:set', { presence: 'available' });
  const offered = nextEvent(socket, 'offer:new');
  const visitor = await api.visitorSession(account.body.account.id);
  const v = await connect(server.url, { visitorToken: visitor.token });
  await v.emitWithAck('visitor:send', { clientMessageId: 'restart-1', text: 'hello' });
  const [{ offer }] = await offered;
  socket.close();
  v.close();
  await server.close();

  server = await startServer(config, log, { now: () => clock, routing: { tickMs: 10 } });
  const again = await connect(server.url, { token: agent.token });
  // Still offered after the restart; when its stored expiry passes it times out.
  expect(await server.store.offers.findByConversation(offer.conversationId)).toMatchObject({
    agentId: agent.id,
    expiresAt: offer.expiresAt,
  });
  const ended = nextEvent(again, 'offer:ended');
  clock = offer.expiresAt;
  const [{ reason }] = await ended;
  expect(reason).toBe('timed_out');
  again.close();
  await server.close();
  await db.drop();
});
