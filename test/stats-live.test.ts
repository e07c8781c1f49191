// Live queue statistics end to end: a real server with a frozen clock, a queue, an agent on a socket,
// a visitor writing, and a supervisor socket that receives the full report on joining and folds the
// coalesced `queue:stats` deltas into it. GET /api/v1/queues/stats and the pushed numbers agree;
// agents may not read them.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { applyQueueStatsMessage, readDelta, type QueueStatsFull, type QueueStatsMessage } from '../server/domain/routing/stats-delta.js';
import type { QueueStats } from '../server/domain/routing/queue-stats.js';
import { io as ioClient } from 'socket.io-client';
import { ENGINES, connect, nextEvent, startTestServer, type ClientSocket, type TestServer } from './support/harness.js';

const T0 = Date.UTC(2026, 0, 5, 3, 0, 0);

/** A supervisor's board: the full report pushed on joining, kept current by folding the deltas; refetched on a gap. */
class Board {
  copy: QueueStatsFull | undefined;
  readonly pushes: QueueStatsMessage[] = [];
  private waiters: (() => void)[] = [];

  constructor(
    private readonly socket: ClientSocket,
    private readonly fetchFull: () => Promise<QueueStatsFull>,
  ) {
    socket.on('queue:stats', (m) => {
      this.pushes.push(m);
      void this.fold(m);
    });
  }

  async load(): Promise<void> {
    const full = await this.fetchFull();
    if (!this.copy || full.seq >= this.copy.seq) this.copy = full;
    this.notify();
  }

  /** Resolves once the board shows what `check` wants. */
  async until(check: (board: QueueStatsFull) => boolean): Promise<QueueStatsFull> {
    while (!this.copy || !check(this.copy)) await new Promise<void>((resolve) => this.waiters.push(resolve));
    return this.copy;
  }

  private async fold(m: QueueStatsMessage): Promise<void> {
    const next = applyQueueStatsMessage(this.copy, m);
    if (next) {
      this.copy = next;
      this.notify();
    } else if (this.copy) {
      await this.load(); // a gap: start again from the full report
    } // no copy yet: the full report is on its way
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}

// What a board shows of a queue, without the clock-derived longest wait.
const figures = ({ longestWaitMs: _l, ...rest }: QueueStats) => rest;

describe.each(ENGINES)('live queue statistics on %s', (engine) => {
  let server: TestServer;
  let clock = T0;
  let admin: string;
  let queueId: string;
  let accountId: string;
  let agent: { id: string; token: string; socket: ClientSocket };
  let supervisor: { token: string; socket: ClientSocket };
  let board: Board;
  const sockets: ClientSocket[] = [];
  const queueOf = (b: QueueStatsFull) => b.queues.find((q) => q.queueId === queueId);

  beforeAll(async () => {
    server = await startTestServer(
      engine,
      {},
      {
        now: () => clock,
        routing: { tickMs: 10 },
        // Fast pacing so the test does not wait a second per push; a budget that never holds a queue back.
        stats: { minIntervalMs: 30, settleMs: 10, pollMs: 100, bytesPerSecond: 1_000_000 },
      },
    );
    admin = await server.api.login();
    const queue = await server.api.request('POST', '/api/v1/queues', {
      token: admin,
      body: { name: 'Billing', channels: ['web_chat'], serviceLevelMs: 20_000, serviceLevelTarget: 0.8, wrapUpMs: 0 },
    });
    expect(queue.status).toBe(201);
    queueId = queue.body.queue.id;
    const account = await server.api.request('POST', '/api/v1/channel-accounts', {
      token: admin,
      body: { kind: 'web_chat', name: 'Site', queueId },
    });
    accountId = account.body.account.id;

    const user = await server.api.userWithRole(admin, 'agent', 'Ploy');
    await server.api.request('PATCH', `/api/v1/users/${user.id}/routing`, { token: admin, body: { queueIds: [queueId] } });
    agent = { id: user.id, token: user.token, socket: await connect(server.url, { token: user.token }) };
    sockets.push(agent.socket);

    const sup = await server.api.userWithRole(admin, 'supervisor', 'Sup');
    // The board listens before the handshake: the full report follows it at once.
    const socket: ClientSocket = ioClient(server.url, {
      auth: { token: sup.token },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    sockets.push(socket);
    supervisor = { token: sup.token, socket };
    board = new Board(socket, async () => {
      const res = await server.api.request('GET', '/api/v1/queues/stats', { token: sup.token });
      expect(res.status).toBe(200);
      return res.body as QueueStatsFull;
    });
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await server.stop();
  });

  test('a supervisor gets the full report on joining', async () => {
    const full = await board.until(() => true);
    expect(board.pushes[0]?.kind).toBe('full');
    expect(full.queues.map((q) => q.name)).toEqual(['Billing']);
  });

  test('an agent becoming available shows on the board', async () => {
    const before = queueOf(await board.until(() => true))!;
    expect(before).toMatchObject({ waiting: 0, offered: 0, answered: 0, serviceLevel: null });
    expect(before.agents.available).toBe(0);
    expect(await agent.socket.emitWithAck('presence:set', { presence: 'available' })).toEqual({ ok: true });
    const b = await board.until((x) => queueOf(x)!.agents.available === 1);
    expect(queueOf(b)!.staffing.agentsAvailable).toBe(1);
  });

  test('a visitor waiting and offered, then answered, reach the supervisor as deltas', async () => {
    const offered = nextEvent(agent.socket, 'offer:new');
    const visitor = await server.api.visitorSession(accountId, { name: 'Customer' });
    const v = await connect(server.url, { visitorToken: visitor.token });
    sockets.push(v);
    const sent = await v.emitWithAck('visitor:send', { clientMessageId: 'stats-1', text: 'my bill is wrong' });
    expect(sent.ok).toBe(true);
    const [{ offer }] = await offered;

    const waitingBoard = await board.until((b) => queueOf(b)!.waiting === 1 && queueOf(b)!.agentOffers === 1);
    expect(queueOf(waitingBoard)).toMatchObject({ waiting: 1, oldestWaitingSince: clock, offered: 1, answered: 0 });

    const pushesBefore = board.pushes.length;
    expect((await agent.socket.emitWithAck('offer:accept', { conversationId: offer.conversationId })).ok).toBe(true);
    const answered = await board.until((b) => queueOf(b)!.answered === 1 && queueOf(b)!.waiting === 0);
    expect(queueOf(answered)).toMatchObject({
      offered: 1,
      answered: 1,
      answeredInThreshold: 1, // the clock is frozen: answered after 0 s
      serviceLevel: 1,
      averageSpeedOfAnswerMs: 0,
      oldestWaitingSince: null,
    });
    expect(answered.overall).toMatchObject({ offered: 1, answered: 1, waiting: 0 });

    // Deltas carry only what changed: the queue's name and threshold were never re-sent.
    const deltas = board.pushes.slice(pushesBefore).filter((m) => m.kind === 'delta');
    expect(deltas.length).toBeGreaterThan(0);
    for (const d of deltas) {
      for (const q of d.kind === 'delta' ? readDelta(d, board.copy!.refs)!.queues : []) expect(q).not.toHaveProperty('name');
    }
    // Sequence numbers follow one another.
    const seqs = board.pushes.map((m) => m.seq);
    expect(seqs).toEqual(seqs.map((_, i) => seqs[0]! + i));
  });

  test('REST returns the numbers the supervisor holds', async () => {
    const res = await server.api.request('GET', '/api/v1/queues/stats', { token: supervisor.token });
    expect(res.status).toBe(200);
    const full = res.body as QueueStatsFull;
    expect(full.kind).toBe('full');
    expect(full.seq).toBe(board.copy!.seq);
    expect(full.queues.map(figures)).toEqual(board.copy!.queues.map(figures));
    expect(figures({ ...full.overall, queueId: '', name: '', serviceLevelMs: 0, serviceLevelTarget: 0 })).toEqual(
      figures({ ...board.copy!.overall, queueId: '', name: '', serviceLevelMs: 0, serviceLevelTarget: 0 }),
    );
  });

  test('a resolution is stored with its handle time and shows on the board (so a restart or a new leader keeps it)', async () => {
    const [conversation] = await server.store.conversations.list({ assigneeId: agent.id }, 1);
    clock += 240_000;
    const res = await server.api.request('POST', `/api/v1/conversations/${conversation!.id}/status`, {
      token: agent.token,
      body: { status: 'resolved' },
    });
    expect(res.status).toBe(200);
    const b = await board.until((x) => queueOf(x)!.averageHandleMs !== null);
    expect(queueOf(b)!.averageHandleMs).toBe(240_000);
    expect(await server.store.routingEvents.latestOf(conversation!.id, 'resolved')).toMatchObject({
      agentId: agent.id,
      queueId,
      at: clock,
      data: { handleMs: 240_000 },
    });
  });

  test('agents may not read the statistics; anonymous callers must log in', async () => {
    const asAgent = await server.api.request('GET', '/api/v1/queues/stats', { token: agent.token });
    expect(asAgent.status).toBe(403);
    const anonymous = await server.api.request('GET', '/api/v1/queues/stats');
    expect(anonymous.status).toBe(401);
  });
});
