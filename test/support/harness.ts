// Starts a real Omnidesk node on port 0 against a real database: a fresh SQLite file, or a fresh
// schema in the local PostgreSQL (database `test`). Tests talk to it over HTTP and socket.io.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import knexFactory from 'knex';
import { io as ioClient, type Socket } from 'socket.io-client';
import { loadConfig, type Config } from '../../server/config.js';
import { createLogger } from '../../server/logger.js';
import { startServer, type RunningServer, type StartOptions } from '../../server/server.js';
import type { DomainEvent } from '../../server/domain/events.js';
import type { ClientToServerEvents, ServerToClientEvents } from '../../server/realtime/contract.js';

export type Engine = 'sqlite' | 'postgres';
export const ENGINES: Engine[] = ['sqlite', 'postgres'];
export const PG_URL = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export const ADMIN = { email: 'admin@example.com', password: 'correct-horse-battery' };

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface TestDatabase {
  url: string;
  schema?: string;
  dataDir: string;
  drop(): Promise<void>;
}

/** A fresh, empty database on the given engine. */
export async function freshDatabase(engine: Engine): Promise<TestDatabase> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'omnidesk-test-'));
  if (engine === 'sqlite') {
    return {
      url: `sqlite:${path.join(dataDir, 'omnidesk.sqlite')}`,
      dataDir,
      drop: async () => fs.rmSync(dataDir, { recursive: true, force: true }),
    };
  }
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const admin = knexFactory({ client: 'pg', connection: PG_URL });
  await admin.raw(`CREATE SCHEMA ${schema}`);
  await admin.destroy();
  return {
    url: PG_URL,
    schema,
    dataDir,
    drop: async () => {
      const k = knexFactory({ client: 'pg', connection: PG_URL });
      await k.raw(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await k.destroy();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function testConfig(db: TestDatabase, overrides: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: db.url,
    DATA_DIR: db.dataDir,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    SECRET_KEY: 'test-secret-key-test-secret-key-0123456789',
    ...overrides,
  });
}

export interface TestServer extends RunningServer {
  db: TestDatabase;
  api: Api;
  stop(): Promise<void>;
}

export async function startTestServer(
  engine: Engine = 'sqlite',
  overrides: Record<string, string> = {},
  options: StartOptions = {},
): Promise<TestServer> {
  const db = await freshDatabase(engine);
  const config = testConfig(db, overrides);
  const server = await startServer(config, createLogger(config.logLevel), { ...options, schema: db.schema });
  const api = new Api(server.url);
  return {
    ...server,
    db,
    api,
    stop: async () => {
      await server.close();
      await db.drop();
    },
  };
}

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/** A small JSON client for the REST API. */
export class Api {
  constructor(readonly baseUrl: string) {}

  async request<T = any>(
    method: string,
    url: string,
    opts: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {},
  ): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    let body: string | undefined;
    if (opts.raw !== undefined) {
      body = opts.raw;
      headers['content-type'] ??= 'application/json';
    } else if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers['content-type'] = 'application/json';
    }
    const res = await fetch(`${this.baseUrl}${url}`, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  }

  async login(email = ADMIN.email, password = ADMIN.password): Promise<string> {
    const res = await this.request('POST', '/api/v1/auth/login', { body: { email, password } });
    if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.token as string;
  }

  /** Creates a user with the given role and returns their id and token. */
  async userWithRole(adminToken: string, role: 'admin' | 'supervisor' | 'agent', name = `${role} ${randomBytes(3).toString('hex')}`) {
    const email = `${name.replace(/\W+/g, '.')}@example.com`.toLowerCase();
    const password = 'a-long-enough-password';
    const res = await this.request('POST', '/api/v1/users', { token: adminToken, body: { email, name, role, password } });
    if (res.status !== 201) throw new Error(`create user failed: ${res.status} ${JSON.stringify(res.body)}`);
    return { id: res.body.user.id as string, email, password, token: await this.login(email, password) };
  }

  async webChatAccount(adminToken: string, name = 'Website'): Promise<string> {
    const res = await this.request('POST', '/api/v1/channel-accounts', { token: adminToken, body: { kind: 'web_chat', name } });
    if (res.status !== 201) throw new Error(`create account failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.account.id as string;
  }

  async visitorSession(accountId: string, body: Record<string, unknown> = {}): Promise<{ sessionId: string; token: string }> {
    const res = await this.request('POST', `/webhooks/web_chat/${accountId}/sessions`, { body });
    if (res.status !== 201) throw new Error(`session failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }
}

/** Connects a real socket.io client and resolves once connected (or rejects with the server's reason). */
export function connect(url: string, auth: { token?: string; visitorToken?: string }): Promise<ClientSocket> {
  const socket: ClientSocket = ioClient(url, { auth, transports: ['websocket'], reconnection: false, forceNew: true });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => {
      socket.close();
      reject(err);
    });
  });
}

/** Resolves with the first `event` for which `match` holds. */
export function nextEvent<E extends keyof ServerToClientEvents>(
  socket: ClientSocket,
  event: E,
  match: (...args: Parameters<ServerToClientEvents[E]>) => boolean = () => true,
): Promise<Parameters<ServerToClientEvents[E]>> {
  return new Promise((resolve) => {
    const handler = (...args: Parameters<ServerToClientEvents[E]>) => {
      if (!match(...args)) return;
      socket.off(event, handler as never);
      resolve(args);
    };
    socket.on(event, handler as never);
  });
}

/** Resolves with the first domain event of `type` on the server's bus for which `match` holds. */
export function nextDomainEvent<T extends DomainEvent['type']>(
  server: Pick<RunningServer, 'events'>,
  type: T,
  match: (e: Extract<DomainEvent, { type: T }>) => boolean = () => true,
): Promise<Extract<DomainEvent, { type: T }>> {
  return new Promise((resolve) => {
    const off = server.events.subscribe((e) => {
      if (e.type === type && match(e as Extract<DomainEvent, { type: T }>)) {
        off();
        resolve(e as Extract<DomainEvent, { type: T }>);
      }
    });
  });
}
