// kill -9 in the middle of a stream of visitor messages loses nothing that was acknowledged, stores
// nothing twice, and a client that retries what was not acknowledged ends with each message stored
// exactly once. The server is the real `server/main.ts` in a child process, on both engines.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openDatabase } from '../db/connection.js';
import { Api, ENGINES, connect, freshDatabase, type ClientSocket, type TestDatabase } from './support/harness.js';
import { childDatabaseUrl, children, startChild } from './support/child-server.js';

const VISITORS = 6;
/** Sends each visitor socket keeps in flight, so the kill always lands mid-send. */
const WINDOW = 6;
const ACKED_BEFORE_KILL = 300;

/** The point is to be mid-write when killed, not to meet the per-socket rate limit. */
const startServer = (databaseUrl: string, dataDir: string) => startChild(databaseUrl, dataDir, { SOCKET_EVENTS_PER_SECOND: '100000' });

interface Visitor {
  sessionId: string;
  token: string;
}

interface Ledger {
  /** provider message id (`${sessionId}:${clientMessageId}`) → who sent it and as what. */
  sent: Map<string, { visitor: Visitor; clientMessageId: string }>;
  acked: Set<string>;
  rejected: string[];
  inFlight: number;
}

/**
 * Sends messages from one visitor socket without pause, WINDOW at a time, each with a new
 * clientMessageId, until the socket drops. Resolves on disconnect.
 */
function pump(socket: ClientSocket, visitor: Visitor, ledger: Ledger, onAck: () => void): Promise<void> {
  let seq = 0;
  let open = true;
  return new Promise((resolve) => {
    socket.once('disconnect', () => {
      open = false;
      resolve();
    });
    const sendOne = () => {
      if (!open) return;
      const clientMessageId = `m${seq++}`;
      const key = `${visitor.sessionId}:${clientMessageId}`;
      ledger.sent.set(key, { visitor, clientMessageId });
      ledger.inFlight++;
      socket.emit('visitor:send', { clientMessageId, text: `crash test ${clientMessageId}` }, (ack) => {
        ledger.inFlight--;
        if (ack.ok) ledger.acked.add(key);
        else ledger.rejected.push(`${key}: ${ack.error.code} ${ack.error.message}`);
        onAck();
        sendOne();
      });
    };
    for (let i = 0; i < WINDOW; i++) sendOne();
  });
}

/** Reads the stored web chat messages of one account straight from the database. */
async function inspect(testDb: TestDatabase, accountId: string) {
  const db = openDatabase(testDb.url, { schema: testDb.schema });
  try {
    const rows: { provider_message_id: string | null; conversation_id: string }[] = await db
      .knex('messages')
      .where({ channel_account_id: accountId })
      .select('provider_message_id', 'conversation_id');
    const duplicates = await db
      .knex('messages')
      .whereNotNull('provider_message_id')
      .groupBy('channel_account_id', 'provider_message_id')
      .havingRaw('count(*) > 1')
      .select('provider_message_id');
    const orphans = await db
      .knex('messages as m')
      .leftJoin('conversations as c', 'c.id', 'm.conversation_id')
      .whereNull('c.id')
      .select('m.id');
    const openPerCustomer = await db
      .knex('conversations')
      .where({ channel_account_id: accountId })
      .whereNot({ status: 'resolved' })
      .groupBy('customer_id')
      .havingRaw('count(*) > 1')
      .select('customer_id');
    const counts = new Map<string, number>();
    for (const r of rows) if (r.provider_message_id) counts.set(r.provider_message_id, (counts.get(r.provider_message_id) ?? 0) + 1);
    return { rows, counts, duplicates, orphans, openPerCustomer };
  } finally {
    await db.close();
  }
}

afterAll(() => {
  // Whatever happened in the tests, no server outlives them.
  for (const proc of children) proc.kill('SIGKILL');
});

describe.each(ENGINES)('crash recovery on %s', (engine) => {
  let testDb: TestDatabase;
  let accountId: string;
  let visitors: Visitor[];
  const ledger: Ledger = { sent: new Map(), acked: new Set(), rejected: [], inFlight: 0 };
  let inFlightAtKill = 0;

  beforeAll(async () => {
    testDb = await freshDatabase(engine);
  });
  afterAll(async () => {
    for (const proc of children) proc.kill('SIGKILL');
    await testDb?.drop();
  });

  test('kill -9 while visitors are sending loses no acknowledged message and stores none twice', { timeout: 120_000 }, async () => {
    const first = await startServer(childDatabaseUrl(testDb), testDb.dataDir);
    const api = new Api(first.url);
    const adminToken = await api.login();
    accountId = await api.webChatAccount(adminToken);
    visitors = await Promise.all(Array.from({ length: VISITORS }, (_, i) => api.visitorSession(accountId, { name: `Visitor ${i}` })));
    const sockets = await Promise.all(visitors.map((v) => connect(first.url, { visitorToken: v.token })));

    let killed = false;
    const pumps = sockets.map((socket, i) =>
      pump(socket, visitors[i]!, ledger, () => {
        if (killed || ledger.acked.size < ACKED_BEFORE_KILL) return;
        killed = true;
        inFlightAtKill = ledger.inFlight;
        process.kill(first.proc.pid!, 'SIGKILL');
      }),
    );
    await Promise.all(pumps); // every socket saw the server die
    for (const s of sockets) s.close();
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect(killed).toBe(true);
    expect(inFlightAtKill).toBeGreaterThan(0);
    expect(ledger.rejected).toEqual([]);
    expect(ledger.acked.size).toBeGreaterThanOrEqual(ACKED_BEFORE_KILL);

    // The same database opens again after the crash, and the server is ready.
    const second = await startServer(childDatabaseUrl(testDb), testDb.dataDir);
    try {
      const ready = await fetch(`${second.url}/readyz`);
      expect(ready.status).toBe(200);

      const { rows, counts, duplicates, orphans, openPerCustomer } = await inspect(testDb, accountId);
      const missing = [...ledger.acked].filter((key) => counts.get(key) !== 1);
      expect(missing).toEqual([]);
      expect(duplicates).toEqual([]);
      expect(orphans).toEqual([]);
      expect(openPerCustomer).toEqual([]);
      // Nothing appears that no one sent.
      expect(rows.every((r) => r.provider_message_id && ledger.sent.has(r.provider_message_id))).toBe(true);
    } finally {
      second.proc.kill('SIGTERM');
    }
    expect((await second.exited).code).toBe(0); // a graceful stop after a crash recovery
  });

  test('a client that retries what was not acknowledged ends with each message stored exactly once', { timeout: 120_000 }, async () => {
    expect(ledger.acked.size).toBeGreaterThan(0); // the crash test ran
    const server = await startServer(childDatabaseUrl(testDb), testDb.dataDir);
    const sockets = new Map<string, ClientSocket>();
    try {
      for (const v of visitors) sockets.set(v.sessionId, await connect(server.url, { visitorToken: v.token }));
      const unacked = [...ledger.sent.entries()].filter(([key]) => !ledger.acked.has(key));
      const someAcked = [...ledger.sent.entries()].filter(([key]) => ledger.acked.has(key)).slice(0, 10);
      expect(unacked.length).toBeGreaterThan(0);

      const results = await Promise.all(
        [...unacked, ...someAcked].map(async ([key, { visitor, clientMessageId }]) => {
          const ack = await sockets
            .get(visitor.sessionId)!
            .emitWithAck('visitor:send', { clientMessageId, text: `crash test ${clientMessageId}` });
          return { key, ack };
        }),
      );
      expect(results.filter((r) => !r.ack.ok)).toEqual([]);
      // A message that was acknowledged before is recognised as a duplicate, never stored again.
      for (const { key, ack } of results) {
        if (ledger.acked.has(key)) expect(ack.ok && ack.duplicate, key).toBe(true);
      }
    } finally {
      for (const s of sockets.values()) s.close();
      server.proc.kill('SIGTERM');
    }
    expect((await server.exited).code).toBe(0);

    const { rows, counts, duplicates, orphans, openPerCustomer } = await inspect(testDb, accountId);
    expect(duplicates).toEqual([]);
    expect(orphans).toEqual([]);
    expect(openPerCustomer).toEqual([]);
    expect(rows).toHaveLength(ledger.sent.size);
    const notOnce = [...ledger.sent.keys()].filter((key) => counts.get(key) !== 1);
    expect(notOnce).toEqual([]);
  });
});
