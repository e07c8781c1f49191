// Two real server processes on the local PostgreSQL and Redis, racing for the same agents.
//
// Visitors write to both nodes at once; agents are signed in on both; each agent accepts every offer
// it gets. The guarantees of the single-node property test must hold across nodes: no conversation
// assigned twice, no agent over capacity (offers plus assignments, at every offer and in the
// database), nothing offered to an agent who is away or lacks the skill, offers and updates reach
// agents on either node, and no conversation waits while a matching agent has room. Then the routing leader is killed with SIGKILL: the other node takes
// over from the database and nothing is lost (every conversation, including those that arrived
// while no node led, reaches an agent exactly once).
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openDatabase } from '../db/connection.js';
import { childDatabaseUrl, children, startChild, type Child } from './support/child-server.js';
import { Api, connect, freshDatabase, type ClientSocket, type TestDatabase } from './support/harness.js';
import { until } from './support/until.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const AGENTS = 6;
const CHAT_CAPACITY = 2;
const FIRST_WAVE = 20;

interface Agent {
  id: string;
  token: string;
  socket: ClientSocket;
  node: Child;
}

interface Ledger {
  /** Per agent: conversations offered and not ended, plus those accepted and not resolved. */
  holding: Map<string, Set<string>>;
  accepted: Map<string, string>;
  resolved: Set<string>;
  /** Offers seen per agent (to show events reached agents on both nodes). */
  offersSeen: Map<string, number>;
  violations: string[];
}

afterAll(() => {
  for (const proc of children) proc.kill('SIGKILL');
});

describe('two nodes on PostgreSQL and Redis', () => {
  let testDb: TestDatabase;
  const cluster = `t${randomBytes(5).toString('hex')}`;
  const nodes: Child[] = [];
  let admin: string;
  let accountId: string;
  const agents: Agent[] = [];
  const visitors: ClientSocket[] = [];
  const bystanders: ClientSocket[] = [];
  const ledger: Ledger = { holding: new Map(), accepted: new Map(), resolved: new Set(), offersSeen: new Map(), violations: [] };
  const conversations = new Set<string>();

  const startNode = (name: string) =>
    startChild(childDatabaseUrl(testDb), testDb.dataDir, {
      REDIS_URL,
      CLUSTER_NAME: cluster,
      NODE_ID: name,
      SOCKET_EVENTS_PER_SECOND: '1000',
    });

  const health = async (node: Child) => (await fetch(`${node.url}/healthz`)).json() as Promise<{ node: string; routing: string }>;

  /** Signs the agent in on `node` and accepts every offer that arrives, checking capacity each time. */
  async function signIn(agent: Omit<Agent, 'socket'>): Promise<Agent> {
    const socket = await connect(agent.node.url, { token: agent.token });
    socket.on('offer:new', ({ offer }) => {
      const held = ledger.holding.get(agent.id)!;
      held.add(offer.conversationId);
      ledger.offersSeen.set(agent.id, (ledger.offersSeen.get(agent.id) ?? 0) + 1);
      if (held.size > CHAT_CAPACITY) ledger.violations.push(`${agent.id} holds ${held.size}: ${[...held].join(', ')}`);
      void socket.emitWithAck('offer:accept', { conversationId: offer.conversationId }).then((ack) => {
        if (!ack.ok) return; // withdrawn meanwhile: offer:ended says so
        const other = ledger.accepted.get(offer.conversationId);
        if (other) ledger.violations.push(`${offer.conversationId} accepted by ${other} and ${agent.id}`);
        ledger.accepted.set(offer.conversationId, agent.id);
      });
    });
    socket.on('offer:ended', ({ offer, reason }) => {
      if (reason !== 'accepted') ledger.holding.get(agent.id)!.delete(offer.conversationId);
    });
    const ack = await socket.emitWithAck('presence:set', { presence: 'available' });
    expect(ack).toEqual({ ok: true });
    return { ...agent, socket };
  }

  async function visitorWrites(node: Child, text: string): Promise<string> {
    const api = new Api(node.url);
    const visitor = await api.visitorSession(accountId, { name: text });
    const socket = await connect(node.url, { visitorToken: visitor.token });
    visitors.push(socket);
    const ack = await socket.emitWithAck('visitor:send', { clientMessageId: `m-${visitor.sessionId}`, text });
    if (!ack.ok) throw new Error(`${ack.error.code} ${ack.error.message}`);
    return visitor.sessionId;
  }

  /** The database's view: open assignments per agent, acceptances per conversation, what waits. */
  async function inspect() {
    const db = openDatabase(testDb.url, { schema: testDb.schema });
    try {
      const load = (await db
        .knex('conversations')
        .whereNotNull('assignee_id')
        .whereNot({ status: 'resolved' })
        .groupBy('assignee_id')
        .select({ agent: 'assignee_id' })
        .count({ n: '*' })) as { agent: string; n: string | number }[];
      const offers = (await db.knex('offers').groupBy('agent_id').select({ agent: 'agent_id' }).count({ n: '*' })) as {
        agent: string;
        n: string | number;
      }[];
      const acceptedTwice = await db
        .knex('routing_events')
        .where({ type: 'accepted' })
        .groupBy('conversation_id')
        .havingRaw('count(*) > 1')
        .select('conversation_id');
      const all = (await db.knex('conversations').select('id', 'assignee_id', 'status', 'enqueued_at')) as {
        id: string;
        assignee_id: string | null;
        status: string;
        enqueued_at: number | null;
      }[];
      const messages = (await db.knex('messages').where({ direction: 'inbound' }).select('provider_message_id')) as {
        provider_message_id: string;
      }[];
      const held = new Map<string, number>();
      for (const r of [...load, ...offers]) held.set(r.agent, (held.get(r.agent) ?? 0) + Number(r.n));
      return { held, acceptedTwice, all, messages };
    } finally {
      await db.close();
    }
  }

  beforeAll(async () => {
    testDb = await freshDatabase('postgres');
    nodes.push(await startNode('node-a'));
    nodes.push(await startNode('node-b'));
    const api = new Api(nodes[0]!.url);
    admin = await api.login();
    const queue = await api.request('POST', '/api/v1/queues', {
      token: admin,
      body: {
        name: 'Shared line',
        channels: ['web_chat'],
        requiredSkills: [{ skill: 'thai', minLevel: 2 }],
        offerTimeoutMs: 120_000,
        wrapUpMs: 0,
        maxMisses: 0,
      },
    });
    expect(queue.status).toBe(201);
    const account = await api.request('POST', '/api/v1/channel-accounts', {
      token: admin,
      body: { kind: 'web_chat', name: 'Site', queueId: queue.body.queue.id },
    });
    expect(account.status).toBe(201);
    accountId = account.body.account.id;
    for (let i = 0; i < AGENTS; i++) {
      const user = await api.userWithRole(admin, 'agent', `Agent ${i}`);
      const profile = await api.request('PATCH', `/api/v1/users/${user.id}/routing`, {
        token: admin,
        body: { queueIds: [queue.body.queue.id], capacity: { chat: CHAT_CAPACITY }, skills: { thai: 3 } },
      });
      expect(profile.status).toBe(200);
      ledger.holding.set(user.id, new Set());
      // Half the agents work on each node.
      agents.push(await signIn({ id: user.id, token: user.token, node: nodes[i % 2]! }));
    }
    // Two members who must never be offered anything: one away, one without the skill.
    for (const [name, presence, skills, node] of [
      ['Away', 'away', { thai: 5 }, nodes[1]!],
      ['Unskilled', 'available', { english: 5 }, nodes[0]!],
    ] as const) {
      const user = await api.userWithRole(admin, 'agent', name);
      await api.request('PATCH', `/api/v1/users/${user.id}/routing`, { token: admin, body: { queueIds: [queue.body.queue.id], skills } });
      const socket = await connect(node.url, { token: user.token });
      socket.on('offer:new', ({ offer }) => ledger.violations.push(`${name} agent was offered ${offer.conversationId}`));
      expect(await socket.emitWithAck('presence:set', { presence, reason: presence === 'away' ? 'lunch' : undefined })).toEqual({
        ok: true,
      });
      bystanders.push(socket);
    }
  }, 60_000);

  afterAll(async () => {
    for (const s of [...visitors, ...bystanders, ...agents.map((a) => a.socket)]) s.close();
    for (const proc of children) proc.kill('SIGKILL');
    await testDb?.drop();
  });

  test('one node leads routing; the other answers through it', async () => {
    const roles = await Promise.all(nodes.map(health));
    expect(roles.map((r) => r.routing).sort()).toEqual(['follower', 'leader']);
    expect(roles.map((r) => r.node).sort()).toEqual(['node-a', 'node-b']);
    // The routing board, read through either node, is the same board.
    const boards = await Promise.all(
      nodes.map(async (n) => (await new Api(n.url).request('GET', '/api/v1/agents', { token: admin })).body.agents),
    );
    expect(boards[0].map((a: { id: string; presence: string }) => [a.id, a.presence])).toEqual(
      boards[1].map((a: { id: string; presence: string }) => [a.id, a.presence]),
    );
    expect(boards[0].filter((a: { presence: string }) => a.presence === 'available')).toHaveLength(AGENTS + 1);
  });

  test('concurrent arrivals on both nodes: no double assignment, no agent over capacity, no one starved', { timeout: 60_000 }, async () => {
    const sessions = await Promise.all(Array.from({ length: FIRST_WAVE }, (_, i) => visitorWrites(nodes[i % 2]!, `สวัสดีค่ะ ${i}`)));
    expect(new Set(sessions).size).toBe(FIRST_WAVE);
    const full = AGENTS * CHAT_CAPACITY;
    await until(
      async () => ledger.accepted.size,
      (n) => n >= full,
      `${full} conversations accepted`,
      5_000,
    );
    const seen = await until(
      () => inspect(),
      (s) => s.all.filter((c) => !c.assignee_id).length === FIRST_WAVE - full,
      'the rest waiting',
    );
    for (const c of seen.all) conversations.add(c.id);
    expect(ledger.violations).toEqual([]);
    expect(seen.acceptedTwice).toEqual([]);
    expect(seen.all).toHaveLength(FIRST_WAVE);
    for (const agent of agents) expect(seen.held.get(agent.id) ?? 0, agent.id).toBeLessThanOrEqual(CHAT_CAPACITY);
    // Every agent, on either node, was offered work and filled up: nothing waits while one has room.
    for (const agent of agents) expect(seen.held.get(agent.id), agent.id).toBe(CHAT_CAPACITY);
    expect(agents.every((a) => (ledger.offersSeen.get(a.id) ?? 0) >= CHAT_CAPACITY)).toBe(true);
    // The ones still waiting are queued, so whichever node leads will route them.
    expect(seen.all.filter((c) => !c.assignee_id).every((c) => c.enqueued_at !== null)).toBe(true);
  });

  test('an agent resolving on the follower frees room the leader fills at once', { timeout: 60_000 }, async () => {
    const roles = await Promise.all(nodes.map(health));
    const follower = nodes[roles.findIndex((r) => r.routing === 'follower')]!;
    const onFollower = agents.filter((a) => a.node === follower);
    const before = ledger.accepted.size;
    for (const agent of onFollower) {
      const mine = [...ledger.accepted].find(([, who]) => who === agent.id)![0];
      const res = await new Api(follower.url).request('POST', `/api/v1/conversations/${mine}/status`, {
        token: agent.token,
        body: { status: 'resolved' },
      });
      expect(res.status).toBe(200);
      ledger.resolved.add(mine);
      ledger.holding.get(agent.id)!.delete(mine);
    }
    await until(
      async () => ledger.accepted.size,
      (n) => n >= before + onFollower.length,
      'the freed room filled',
      5_000,
    );
    const seen = await inspect();
    expect(ledger.violations).toEqual([]);
    expect(seen.acceptedTwice).toEqual([]);
    for (const agent of agents) expect(seen.held.get(agent.id) ?? 0, agent.id).toBeLessThanOrEqual(CHAT_CAPACITY);
  });

  test('a leader that loses its database session steps down; exactly one node leads and routing goes on', { timeout: 60_000 }, async () => {
    const db = openDatabase(testDb.url, { schema: testDb.schema });
    try {
      // Ends the leadership sessions (as a network cut or a database failover would).
      await db.knex.raw(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'omnidesk-leader'`);
    } finally {
      await db.close();
    }
    const leading = async () => (await Promise.all(nodes.map(health))).filter((r) => r.routing === 'leader');
    await until(leading, (l) => l.length === 1, 'exactly one leader again', 5_000);
    // Routing still works: a new arrival reaches the agent who has room (the one freed below).
    const agent = agents[0]!;
    const mine = [...ledger.accepted].find(([c, who]) => who === agent.id && !ledger.resolved.has(c))![0];
    const res = await new Api(agent.node.url).request('POST', `/api/v1/conversations/${mine}/status`, {
      token: agent.token,
      body: { status: 'resolved' },
    });
    expect(res.status).toBe(200);
    ledger.resolved.add(mine);
    ledger.holding.get(agent.id)!.delete(mine);
    const before = ledger.accepted.size;
    await until(
      async () => ledger.accepted.size,
      (n) => n > before,
      'a waiting conversation to be accepted',
      5_000,
    );
    expect(ledger.violations).toEqual([]);
    expect((await leading()).length).toBe(1);
  });

  test('the leader killed mid-work: the other node takes over from the database and loses nothing', { timeout: 90_000 }, async () => {
    const roles = await Promise.all(nodes.map(health));
    const leader = nodes[roles.findIndex((r) => r.routing === 'leader')]!;
    const survivor = nodes.find((n) => n !== leader)!;
    leader.proc.kill('SIGKILL');
    expect(await leader.exited).toEqual({ code: null, signal: 'SIGKILL' });

    // Customers keep writing to the surviving node while it may not lead yet.
    const late = await Promise.all([0, 1, 2].map((i) => visitorWrites(survivor, `หลังจากล่ม ${i}`)));
    expect(late).toHaveLength(3);
    await until(
      () => health(survivor),
      (h) => h.routing === 'leader',
      'the survivor to lead',
      5_000,
    );

    // The killed node's agents sign in again on the survivor; everyone resolves what they hold, so
    // every waiting conversation, old and new, must reach an agent.
    for (const [i, agent] of agents.entries()) {
      if (agent.node !== leader) continue;
      agent.socket.close();
      agents[i] = await signIn({ id: agent.id, token: agent.token, node: survivor });
    }
    const seenBefore = await inspect();
    const total = seenBefore.all.length;
    expect(total).toBe(FIRST_WAVE + 3);
    const resolveAll = async () => {
      const s = await inspect();
      const open = s.all.filter((c) => c.assignee_id && c.status !== 'resolved');
      for (const c of open) {
        const agent = agents.find((a) => a.id === c.assignee_id)!;
        const res = await new Api(survivor.url).request('POST', `/api/v1/conversations/${c.id}/status`, {
          token: agent.token,
          body: { status: 'resolved' },
        });
        expect(res.status).toBe(200);
        ledger.holding.get(agent.id)!.delete(c.id);
      }
      return s;
    };
    const done = await until(
      resolveAll,
      (s) => s.all.every((c) => c.assignee_id !== null) && ledger.accepted.size === total,
      'every conversation to reach an agent',
      2_000,
    );
    expect(ledger.violations).toEqual([]);
    expect(done.acceptedTwice).toEqual([]);
    // Every customer message stored exactly once, on whichever node it arrived.
    const ids = done.messages.map((m) => m.provider_message_id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(total);
  });
});
