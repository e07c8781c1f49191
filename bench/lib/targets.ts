// The two servers under test, each a child process on 127.0.0.1: the real Omnidesk node on a fresh
// SQLite file, and the bare express + socket.io relay. Both speak the same socket contract.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startChild, type Child } from './child.js';

export interface Target {
  name: 'omnidesk' | 'baseline';
  url: string;
  child: Child;
  /** Handshake auth for `count` agent sockets (all of them hear every new unassigned conversation). */
  agents(count: number): Promise<{ token: string }[]>;
  /** Handshake auth for `count` new web chat visitors. */
  visitors(count: number): Promise<{ visitorToken: string }[]>;
  stop(): Promise<void>;
}

const ROOT = path.resolve(import.meta.dirname, '..', '..');
export const ADMIN = { email: 'bench-admin@example.com', password: 'bench-admin-password-1' };

async function call<T>(url: string, method: string, body?: unknown, token?: string): Promise<T> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(url, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

/** Runs `work` over `items` with at most `limit` at a time (setup only: keeps the server's queue short). */
async function pooled<I, O>(items: I[], limit: number, work: (item: I, index: number) => Promise<O>): Promise<O[]> {
  const out: O[] = new Array(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await work(items[i]!, i);
    }
  });
  await Promise.all(lanes);
  return out;
}

export async function startOmnidesk(opts: { socketEventsPerSecond: number; nodeArgs: string[] }): Promise<Target> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'omnidesk-bench-'));
  const env = {
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: '0', // the OS picks a free port; the "is up" line tells us which (no probe-then-bind race)
    DATABASE_URL: `sqlite:${path.join(dataDir, 'omnidesk.sqlite')}`,
    DATA_DIR: dataDir,
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    SECRET_KEY: 'bench-secret-key-bench-secret-key-0123456789',
    LOG_LEVEL: 'warn',
    SOCKET_EVENTS_PER_SECOND: String(opts.socketEventsPerSecond),
  };
  const child = await startChild({
    name: 'omnidesk',
    args: [...opts.nodeArgs, '--import', 'tsx', 'server/main.ts'],
    env,
    cwd: ROOT,
    ready: /Omnidesk is up: console (http:\/\/127\.0\.0\.1:\d+)\//,
    timeoutMs: 60_000,
  });
  const url = /(http:\/\/127\.0\.0\.1:\d+)/.exec(child.readyLine)![1]!;
  const api = `${url}/api/v1`;
  const { token: adminToken } = await call<{ token: string }>(`${api}/auth/login`, 'POST', ADMIN);
  const { account } = await call<{ account: { id: string } }>(
    `${api}/channel-accounts`,
    'POST',
    { kind: 'web_chat', name: 'Bench site' },
    adminToken,
  );
  let agentNo = 0;
  let visitorNo = 0;

  return {
    name: 'omnidesk',
    url,
    child,
    agents: (count) =>
      pooled(Array.from({ length: count }), 4, async () => {
        const n = ++agentNo;
        const user = { email: `bench-agent-${n}@example.com`, name: `Bench Agent ${n}`, role: 'agent', password: 'bench-agent-password-1' };
        await call(`${api}/users`, 'POST', user, adminToken);
        return call<{ token: string }>(`${api}/auth/login`, 'POST', { email: user.email, password: user.password });
      }),
    visitors: (count) =>
      pooled(Array.from({ length: count }), 8, async () => {
        const n = ++visitorNo;
        const session = await call<{ token: string }>(`${url}/webhooks/web_chat/${account.id}/sessions`, 'POST', { name: `Visitor ${n}` });
        return { visitorToken: session.token };
      }),
    stop: async () => {
      await child.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function startBaseline(): Promise<Target> {
  const child = await startChild({
    name: 'baseline',
    args: ['--import', 'tsx', 'bench/baseline-server.ts'],
    env: { PORT: '0' },
    cwd: ROOT,
    ready: /baseline is up: (http:\/\/127\.0\.0\.1:\d+)/,
    timeoutMs: 30_000,
  });
  const url = /(http:\/\/127\.0\.0\.1:\d+)/.exec(child.readyLine)![1]!;
  let visitorNo = 0;
  return {
    name: 'baseline',
    url,
    child,
    agents: async (count) => Array.from({ length: count }, (_, i) => ({ token: `agent-${i}` })),
    visitors: async (count) => Array.from({ length: count }, () => ({ visitorToken: `visitor-${++visitorNo}` })),
    stop: () => child.stop(),
  };
}
