// Closing a node while visitors are sending: work already accepted finishes and is acknowledged,
// new events are left unacknowledged for the client to resend after reconnecting, nothing fails
// with an error, close() resolves, and the port stops answering. The client's resend to the
// restarted node then stores each message exactly once.
import { afterEach, describe, expect, test } from 'vitest';
import { pino } from 'pino';
import { openDatabase } from '../db/connection.js';
import { startServer, type RunningServer } from '../server/server.js';
import { Api, connect, freshDatabase, testConfig, type ClientSocket, type TestDatabase } from './support/harness.js';

const VISITORS = 5;

interface Sent {
  sessionId: string;
  clientMessageId: string;
  outcome: 'pending' | 'ok' | 'no-ack' | `error ${string}`;
}

interface Node {
  server: RunningServer;
  api: Api;
  /** Warnings and errors the node logged. */
  problems: string[];
}

describe('graceful shutdown on sqlite', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  async function startNode(db: TestDatabase): Promise<Node> {
    // The per-socket rate limit is not under test here; the node must be busy when it closes.
    const config = testConfig(db, { SOCKET_EVENTS_PER_SECOND: '100000' });
    const problems: string[] = [];
    const log = pino(
      { level: 'warn' },
      {
        write: (line: string) => {
          const entry = JSON.parse(line) as { level: number; msg: string; err?: { message: string } };
          problems.push(`${entry.level} ${entry.msg}${entry.err ? `: ${entry.err.message}` : ''}`);
        },
      },
    );
    const server = await startServer(config, log, { schema: db.schema });
    cleanup.push(() => server.close());
    return { server, api: new Api(server.url), problems };
  }

  async function setUp(): Promise<{ db: TestDatabase; node: Node; accountId: string; visitors: { sessionId: string; token: string }[] }> {
    const db = await freshDatabase('sqlite');
    cleanup.push(() => db.drop());
    const node = await startNode(db);
    const accountId = await node.api.webChatAccount(await node.api.login());
    const visitors = await Promise.all(Array.from({ length: VISITORS }, () => node.api.visitorSession(accountId)));
    return { db, node, accountId, visitors };
  }

  async function connectAll(url: string, visitors: { token: string }[]): Promise<ClientSocket[]> {
    const sockets = await Promise.all(visitors.map((v) => connect(url, { visitorToken: v.token })));
    cleanup.push(async () => sockets.forEach((s) => s.close()));
    return sockets;
  }

  /** Sends one message; its outcome is 'no-ack' if the socket drops first. */
  function send(socket: ClientSocket, entry: Sent, onAck: () => void): Promise<void> {
    return new Promise((resolve) => {
      const dropped = () => {
        entry.outcome = 'no-ack';
        resolve();
      };
      socket.once('disconnect', dropped);
      socket.emit('visitor:send', { clientMessageId: entry.clientMessageId, text: `shutdown test ${entry.clientMessageId}` }, (ack) => {
        socket.off('disconnect', dropped);
        entry.outcome = ack.ok ? 'ok' : `error ${ack.error.code}`;
        onAck();
        resolve();
      });
    });
  }

  async function storedIds(db: TestDatabase, accountId: string): Promise<string[]> {
    const direct = openDatabase(db.url);
    try {
      const rows: { provider_message_id: string }[] = await direct
        .knex('messages')
        .where({ channel_account_id: accountId })
        .select('provider_message_id');
      return rows.map((r) => r.provider_message_id);
    } finally {
      await direct.close();
    }
  }

  /** What must hold after any shutdown: acknowledged means stored, nothing failed, the port is closed. */
  async function expectCleanShutdown(node: Node, db: TestDatabase, accountId: string, sent: Sent[]) {
    expect(sent.filter((s) => s.outcome !== 'ok' && s.outcome !== 'no-ack')).toEqual([]);
    expect(node.problems).toEqual([]); // closing is not an error: no aborted queries, no failed messages
    await expect(fetch(`${node.server.url}/readyz`)).rejects.toThrow();

    const stored = await storedIds(db, accountId);
    expect(new Set(stored).size).toBe(stored.length);
    const acked = sent.filter((s) => s.outcome === 'ok').map((s) => `${s.sessionId}:${s.clientMessageId}`);
    expect(acked.filter((id) => !stored.includes(id))).toEqual([]);
    return stored;
  }

  /** The client's side of a restart: resend everything unacknowledged; each message ends stored once. */
  async function resendAfterRestart(db: TestDatabase, accountId: string, visitors: { sessionId: string; token: string }[], sent: Sent[]) {
    const node = await startNode(db);
    const sockets = await connectAll(node.server.url, visitors);
    const bySession = new Map(visitors.map((v, i) => [v.sessionId, sockets[i]!]));
    const retried = sent.filter((s) => s.outcome !== 'ok');
    await Promise.all(retried.map((s) => send(bySession.get(s.sessionId)!, s, () => undefined)));
    expect(retried.filter((s) => s.outcome !== 'ok')).toEqual([]);
    await node.server.close();

    const stored = await storedIds(db, accountId);
    expect(stored.sort()).toEqual(sent.map((s) => `${s.sessionId}:${s.clientMessageId}`).sort());
  }

  test('close() during a burst of sends finishes the accepted ones and resolves', async () => {
    const { db, node, accountId, visitors } = await setUp();
    const sockets = await connectAll(node.server.url, visitors);
    const sent: Sent[] = [];
    let closing: Promise<void> | undefined;
    let acks = 0;
    const onAck = () => {
      if (!closing && ++acks >= 10) closing = node.server.close();
    };
    // 30 per visitor stays under the default per-socket burst of 40, so no send is rate limited.
    const sends = visitors.flatMap((v, i) =>
      Array.from({ length: 30 }, (_, n) => {
        const entry: Sent = { sessionId: v.sessionId, clientMessageId: `b${n}`, outcome: 'pending' };
        sent.push(entry);
        return send(sockets[i]!, entry, onAck);
      }),
    );
    await Promise.all(sends);
    expect(closing).toBeDefined();
    await expect(closing).resolves.toBeUndefined();
    // Close began after 10 acks, yet the sends it had accepted were finished and acknowledged.
    expect(sent.filter((s) => s.outcome === 'ok').length).toBeGreaterThan(10);

    await expectCleanShutdown(node, db, accountId, sent);
    await resendAfterRestart(db, accountId, visitors, sent);
  });

  test('close() while visitors keep sending: no failures, and the unacknowledged ones are resent once', async () => {
    const { db, node, accountId, visitors } = await setUp();
    const sockets = await connectAll(node.server.url, visitors);
    const sent: Sent[] = [];
    let closing: Promise<void> | undefined;
    let acks = 0;
    let acksAtClose = 0;

    // Each visitor keeps 8 sends in flight and sends the next one as each ack comes back, until its socket drops.
    await Promise.all(
      visitors.map((v, i) => {
        const socket = sockets[i]!;
        let seq = 0;
        const pumps: Promise<void>[] = [];
        const next = (): Promise<void> => {
          if (!socket.connected) return Promise.resolve();
          const entry: Sent = { sessionId: v.sessionId, clientMessageId: `s${seq++}`, outcome: 'pending' };
          sent.push(entry);
          return send(socket, entry, () => {
            if (!closing && ++acks >= 100) {
              acksAtClose = acks;
              closing = node.server.close();
            }
          }).then(next);
        };
        for (let k = 0; k < 8; k++) pumps.push(next());
        return Promise.all(pumps);
      }),
    );
    await expect(closing).resolves.toBeUndefined();
    expect(acksAtClose).toBe(100);
    expect(sent.some((s) => s.outcome === 'no-ack')).toBe(true); // the stream was cut mid-flight

    await expectCleanShutdown(node, db, accountId, sent);
    await resendAfterRestart(db, accountId, visitors, sent);
  });
});
