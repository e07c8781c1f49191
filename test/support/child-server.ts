// Real server processes for the crash and multi-node tests: `node --import tsx server/main.ts` in a
// child process, configured only through its environment, as an operator would run it.
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ADMIN, PG_URL, type TestDatabase } from './harness.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

export interface Child {
  proc: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Every child started and not yet exited, so a test file can kill what is left. */
export const children = new Set<ChildProcess>();

/** Starts the server and resolves once it prints that it is up. */
export async function startChild(databaseUrl: string, dataDir: string, env: Record<string, string> = {}): Promise<Child> {
  const port = await freePort();
  const proc = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: databaseUrl,
      DATA_DIR: dataDir,
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      SECRET_KEY: 'child-test-secret-key-child-test-secret-key',
      LOG_LEVEL: 'warn',
      ...env,
    },
  });
  children.add(proc);
  let out = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.once('exit', (code, signal) => {
      children.delete(proc);
      resolve({ code, signal });
    }),
  );
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('Omnidesk is up')) resolve();
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    void exited.then(({ code, signal }) => reject(new Error(`server exited (${code ?? signal}) before it was up:\n${out}`)));
  });
  return { proc, url: `http://127.0.0.1:${port}`, output: () => out, exited };
}

/** main.ts reads only DATABASE_URL: a test's PostgreSQL schema travels as a connection option. */
export function childDatabaseUrl(testDb: TestDatabase): string {
  if (!testDb.schema) return testDb.url;
  const url = new URL(PG_URL);
  url.searchParams.set('options', `-c search_path=${testDb.schema}`);
  return url.toString();
}
