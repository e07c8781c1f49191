// The CRM's heavy reads and its full refresh, behind one interface: counting a segment over every
// customer, paging its members, the RFM refresh, and a report added up from fact rows. On PostgreSQL
// they run here (the driver is asynchronous; the database does the work). On a SQLite file they run in a worker thread with its own
// connection (WAL lets it read while the node writes): better-sqlite3 is synchronous, so a count over a
// million rows on the node's own connection would stop its event loop, and with it live routing.
import type { Knex } from 'knex';
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import type { CrmSettings } from '../../server/domain/crm/rfm.js';
import type { SegmentRules } from '../../server/domain/crm/segment-rules.js';
import type { Database } from '../connection.js';
import {
  DEFAULT_REFRESH_OPTIONS,
  refreshAllValues,
  writeThrough,
  type RefreshOptions,
  type RefreshReport,
  type WriteStatement,
} from './rfm-refresh.js';
import type { CellRow } from '../../server/domain/reports/report.js';
import { factCells, type FactCellsQuery } from '../reports/fact-cells.js';
import { segmentCustomerQuery } from './segment-query.js';

export interface SegmentReads {
  /** Live customers matching the rules. */
  count(rules: SegmentRules, now: number): Promise<number>;
  /** Ids of matching customers after `afterId`, in id order. */
  members(rules: SegmentRules, now: number, page: { afterId?: string; limit: number }): Promise<string[]>;
  /** The full RFM refresh (one at a time: a second call joins the one running). */
  refresh(settings: CrmSettings, now: number): Promise<RefreshReport & { nodeWrites: NodeWrites }>;
  /** A report's cells from fact rows (db/reports/fact-cells.ts). */
  factCells(query: FactCellsQuery): Promise<CellRow[]>;
  close(): Promise<void>;
}

/** The refresh's write statements as the node ran them: how many, and how long it held the event loop. */
export interface NodeWrites {
  count: number;
  totalMs: number;
  maxMs: number;
}

export type SegmentOp =
  | { op: 'count'; rules: SegmentRules; now: number }
  | { op: 'members'; rules: SegmentRules; now: number; page: { afterId?: string; limit: number } }
  | { op: 'refresh'; settings: CrmSettings; now: number }
  | { op: 'factCells'; query: FactCellsQuery };

/** Runs one operation on this connection (the worker calls this too, writing through the node: `write`). */
export async function runSegmentOp(
  knex: Knex,
  job: SegmentOp,
  refreshOptions: RefreshOptions,
  write: WriteStatement = writeThrough(knex),
): Promise<unknown> {
  switch (job.op) {
    case 'count': {
      const row = await knex
        .from(segmentCustomerQuery(knex, job.rules, job.now).as('m'))
        .count<{ n: number | string }[]>({ n: '*' })
        .first();
      return Number(row?.n ?? 0);
    }
    case 'members': {
      const q = segmentCustomerQuery(knex, job.rules, job.now).orderBy('customers.id').limit(job.page.limit);
      if (job.page.afterId) q.where('customers.id', '>', job.page.afterId);
      return (await q).map((r: { id: string }) => r.id);
    }
    case 'refresh':
      return refreshAllValues(knex, job.settings, job.now, refreshOptions, write);
    case 'factCells':
      return factCells(knex, job.query);
  }
}

export function createSegmentReads(
  database: Database,
  url: string,
  refreshOptions: RefreshOptions = DEFAULT_REFRESH_OPTIONS,
): SegmentReads {
  const inWorker = database.engine === 'sqlite' && url !== 'sqlite::memory:';
  let nodeWrites: NodeWrites = { count: 0, totalMs: 0, maxMs: 0 };
  const through = writeThrough(database.knex);
  const timedWrite: WriteStatement = async (sql, bindings) => {
    const t = performance.now();
    try {
      return await through(sql, bindings);
    } finally {
      const ms = performance.now() - t;
      nodeWrites = { count: nodeWrites.count + 1, totalMs: nodeWrites.totalMs + ms, maxMs: Math.max(nodeWrites.maxMs, ms) };
    }
  };
  const run = inWorker ? workerRunner(url, refreshOptions, timedWrite) : inlineRunner(database.knex, refreshOptions, timedWrite);
  let refreshing: Promise<RefreshReport & { nodeWrites: NodeWrites }> | undefined;
  const refresh = async (settings: CrmSettings, now: number) => {
    nodeWrites = { count: 0, totalMs: 0, maxMs: 0 };
    const report = (await (inWorker
      ? withoutAutoCheckpoint(database.knex, () => run.call({ op: 'refresh', settings, now }))
      : run.call({ op: 'refresh', settings, now }))) as RefreshReport;
    const round = (ms: number) => Math.round(ms * 100) / 100;
    return { ...report, nodeWrites: { count: nodeWrites.count, totalMs: round(nodeWrites.totalMs), maxMs: round(nodeWrites.maxMs) } };
  };
  return {
    count: (rules, now) => run.call({ op: 'count', rules, now }) as Promise<number>,
    members: (rules, now, page) => run.call({ op: 'members', rules, now, page }) as Promise<string[]>,
    factCells: (query) => run.call({ op: 'factCells', query }) as Promise<CellRow[]>,
    refresh: (settings, now) =>
      (refreshing ??= refresh(settings, now).finally(() => {
        refreshing = undefined;
      })),
    close: () => run.close(),
  };
}

/**
 * Runs `work` with the node connection's WAL auto-checkpoint off: a refresh writes a lot, and the
 * commit that crosses the checkpoint size would copy and fsync on the node's event loop. The worker
 * checkpoints instead, from its own connection (rfm-refresh.ts); the setting comes back after.
 */
async function withoutAutoCheckpoint<T>(knex: Knex, work: () => Promise<T>): Promise<T> {
  const rows = (await knex.raw('PRAGMA wal_autocheckpoint')) as { wal_autocheckpoint: number }[];
  const before = Number(rows[0]?.wal_autocheckpoint ?? 1000);
  await knex.raw('PRAGMA wal_autocheckpoint = 0');
  try {
    return await work();
  } finally {
    await knex.raw(`PRAGMA wal_autocheckpoint = ${Math.max(0, Math.floor(before))}`);
  }
}

interface Runner {
  call(job: SegmentOp): Promise<unknown>;
  close(): Promise<void>;
}

function inlineRunner(knex: Knex, refreshOptions: RefreshOptions, write: WriteStatement): Runner {
  return { call: (job) => runSegmentOp(knex, job, refreshOptions, write), close: async () => undefined };
}

/** The worker's entry: compiled JS next to this file, or (tests, tsx) the TypeScript source through tsx. */
function spawn(url: string, refreshOptions: RefreshOptions): Worker {
  const workerData = { url, refreshOptions };
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return new Worker(new URL('./crm-worker.js', here), { workerData });
  // tsx's ESM entry (require.resolve finds its CommonJS twin, which cannot register from a worker).
  const tsx = createRequire(here)
    .resolve('tsx/esm/api')
    .replace(/\.cjs$/, '.mjs');
  const entry = new URL('./crm-worker.ts', here).href;
  const boot = `import(${JSON.stringify(pathToFileURL(tsx).href)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(boot, { eval: true, workerData });
}

/** Worker messages: an answer to a call, or a write statement for the node's connection. */
type FromWorker = { id: number; result?: unknown; error?: string } | { write: { wid: number; sql: string; bindings: Knex.Value[] } };

function workerRunner(url: string, refreshOptions: RefreshOptions, write: WriteStatement): Runner {
  let worker: Worker | undefined;
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const failAll = (err: Error) => {
    for (const p of pending.values()) p.reject(err);
    pending.clear();
    worker = undefined;
  };
  const start = (): Worker => {
    const w = spawn(url, refreshOptions);
    w.on('message', (m: FromWorker) => {
      if ('write' in m) {
        const { wid, sql, bindings } = m.write;
        write(sql, bindings).then(
          (changes) => w.postMessage({ written: { wid, changes } }),
          (err: unknown) => w.postMessage({ written: { wid, error: err instanceof Error ? err.message : String(err) } }),
        );
        return;
      }
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      if (m.error !== undefined) p.reject(new Error(m.error));
      else p.resolve(m.result);
    });
    w.on('error', (err) => failAll(err));
    w.on('exit', (code) => {
      if (worker === w) failAll(new Error(`the CRM worker stopped (exit code ${code})`));
    });
    // An idle worker does not keep the process alive.
    w.unref();
    return w;
  };
  return {
    call(job) {
      worker ??= start();
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker!.postMessage({ id, job });
      });
    },
    async close() {
      const w = worker;
      worker = undefined;
      failAll(new Error('the CRM worker was closed'));
      if (w) await w.terminate();
    },
  };
}
