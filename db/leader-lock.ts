// Routing leadership: one node at a time runs the routing board (server/routing/routing-front.ts).
//
// On PostgreSQL the leader holds a session-level advisory lock on a connection of its own. When its
// process dies, even by kill -9, the server ends the session and frees the lock for the next node;
// when the connection breaks while the process lives on, the lock is reported lost so the node stops
// routing at once. A health query every `checkMs` notices a connection that died silently. SQLite
// serves one process, so that process always leads.
import { createHash } from 'node:crypto';
import pg from 'pg';

export interface LeaderLock {
  /** Tries to take the lock; true when this node holds it (again). */
  tryAcquire(): Promise<boolean>;
  /** Called when a held lock is lost (the connection broke). */
  onLost(handler: () => void): void;
  release(): Promise<void>;
}

/** The lock of an embedded database: one process, always the leader. */
export function soleLeaderLock(): LeaderLock {
  return { tryAcquire: async () => true, onLost: () => undefined, release: async () => undefined };
}

/** A signed 64-bit advisory lock key from the cluster's name (nodes of one cluster share it). */
export function advisoryKey(name: string): string {
  return createHash('sha256').update(`omnidesk-routing:${name}`).digest().readBigInt64BE(0).toString();
}

export function postgresLeaderLock(url: string, name: string, checkMs = 2_000): LeaderLock {
  const key = advisoryKey(name);
  let client: pg.Client | undefined;
  let held = false;
  let health: NodeJS.Timeout | undefined;
  const lostHandlers: (() => void)[] = [];

  const drop = (c: pg.Client) => {
    if (client !== c) return;
    client = undefined;
    clearInterval(health);
    c.end().catch(() => undefined);
    if (held) {
      held = false;
      for (const h of lostHandlers) h();
    }
  };

  return {
    async tryAcquire() {
      if (held) return true;
      if (!client) {
        const c = new pg.Client({ connectionString: url, keepAlive: true, application_name: 'omnidesk-leader' });
        c.on('error', () => drop(c));
        c.on('end', () => drop(c));
        client = c;
        try {
          await c.connect();
        } catch {
          drop(c);
          return false;
        }
      }
      const c = client;
      try {
        const r = await c.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS ok', [key]);
        held = r.rows[0]?.ok === true;
      } catch {
        drop(c);
        return false;
      }
      if (held) {
        health = setInterval(() => void c.query('SELECT 1').catch(() => drop(c)), checkMs);
        health.unref();
      }
      return held;
    },
    onLost(handler) {
      lostHandlers.push(handler);
    },
    async release() {
      const c = client;
      held = false;
      client = undefined;
      clearInterval(health);
      // Ending the session frees its advisory locks.
      await c?.end().catch(() => undefined);
    },
  };
}
