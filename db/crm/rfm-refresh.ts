// The full RFM refresh: every customer's order metrics, the population's quintile cuts, then every
// customer's scores, tier and VIP flag. It walks customers in chunks keyed by id (keyset, never
// OFFSET), reads each chunk's order aggregates with one GROUP BY over the covering index, scores in
// JS with the same pure functions as the per-order update (server/domain/crm/rfm.ts), and writes only
// the rows that changed, in short statements (a few hundred rows), yielding between chunks. On
// SQLite the reads and the scoring run in a worker thread (db/crm/crm-worker.ts) and each write
// statement is handed to the node's own connection (`write`): SQLite has one writer at a time, and a
// second connection's writes would make the node's writers wait on a lock, synchronously, with the
// event loop stopped. One writer, short statements: the loop never waits long.
import type { Knex } from 'knex';
import {
  daysSince,
  effectiveCuts,
  quintileCuts,
  valueOf,
  windowStart,
  type CrmSettings,
  type RfmCuts,
} from '../../server/domain/crm/rfm.js';
import type { ValueTier } from '../../server/domain/types.js';
import { bool } from '../json.js';
import { dialectOf } from './segment-query.js';

export interface RefreshOptions {
  /** Customers read per chunk. */
  chunkSize: number;
  /** Rows per UPDATE statement (each holds the write lock while it runs). */
  writeBatch: number;
}

export const DEFAULT_REFRESH_OPTIONS: RefreshOptions = { chunkSize: 2_000, writeBatch: 100 };

/** Runs one write statement and returns the rows it changed. */
export type WriteStatement = (sql: string, bindings: Knex.Value[]) => Promise<number>;

/** Writes on the same connection (PostgreSQL, or SQLite without a worker). */
export const writeThrough =
  (knex: Knex): WriteStatement =>
  async (sql, bindings) =>
    affected(await knex.raw(sql, bindings));

export interface RefreshReport {
  /** Customers walked (live and merged). */
  customers: number;
  /** Live customers with orders (the quintile population). */
  scored: number;
  /** Customers whose stored metrics, scores, tier or VIP flag changed (one write each). */
  written: number;
  /** Customers whose tier or VIP flag changed. */
  tierChanges: number;
  /** The tier/VIP changes of customers with unresolved conversations (they get a customer.updated event). */
  changed: { customerId: string; conversationIds: string[] }[];
  cuts: RfmCuts;
  startedAt: number;
  /** The two passes: the population's values (reads only), then every customer scored and written. */
  passMs: [number, number];
  ms: number;
}

interface Metrics {
  orderCount: number;
  totalSpent: number;
  lastOrderAt: number | null;
  windowOrders: number;
  windowSpent: number;
}

const NO_ORDERS: Metrics = { orderCount: 0, totalSpent: 0, lastOrderAt: null, windowOrders: 0, windowSpent: 0 };
const DAY_CAP = 1e9;

/** A growable Float64Array (one per RFM dimension: a million customers cost 8 MB each). */
class Numbers {
  private data = new Float64Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  view(): Float64Array {
    return this.data.subarray(0, this.length);
  }
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * On SQLite, copies the WAL back into the database file from this connection (the worker's), a few
 * times a second: the node's own connection has its auto-checkpoint turned off while a refresh runs
 * (segment-reads.ts), so the fsyncs of checkpointing happen here and never on the node's event loop.
 */
class Checkpoints {
  private last = Date.now();
  constructor(
    private readonly knex: Knex,
    private readonly everyMs = 250,
  ) {}
  async maybe(): Promise<void> {
    if (Date.now() - this.last >= this.everyMs) await this.now();
    await tick();
  }
  async now(): Promise<void> {
    this.last = Date.now();
    if (dialectOf(this.knex) === 'sqlite') await this.knex.raw('PRAGMA wal_checkpoint(PASSIVE)');
  }
}

/** Orders aggregated per customer over the covering index, for the customers `where` picks. */
async function aggregate(knex: Knex, since: number, where: (q: Knex.QueryBuilder) => void): Promise<Map<string, Metrics>> {
  const q = knex('orders')
    .groupBy('customer_id')
    .select(
      'customer_id',
      knex.raw('count(*) as n'),
      knex.raw('sum(amount) as total'),
      knex.raw('max(ordered_at) as last_at'),
      knex.raw('sum(case when ordered_at >= ? then 1 else 0 end) as window_n', [since]),
      knex.raw('sum(case when ordered_at >= ? then amount else 0 end) as window_total', [since]),
    );
  where(q);
  const rows: Record<string, unknown>[] = await q;
  return new Map(
    rows.map((a) => [
      a.customer_id as string,
      {
        orderCount: Number(a.n),
        totalSpent: Number(a.total),
        lastOrderAt: Number(a.last_at),
        windowOrders: Number(a.window_n),
        windowSpent: Number(a.window_total),
      },
    ]),
  );
}

function add(a: Metrics | undefined, b: Metrics): Metrics {
  if (!a) return b;
  return {
    orderCount: a.orderCount + b.orderCount,
    totalSpent: a.totalSpent + b.totalSpent,
    lastOrderAt: Math.max(a.lastOrderAt ?? 0, b.lastOrderAt ?? 0),
    windowOrders: a.windowOrders + b.windowOrders,
    windowSpent: a.windowSpent + b.windowSpent,
  };
}

/** Every merge still in force: the kept profile → the profiles merged into it (through chains). */
async function mergedSources(knex: Knex): Promise<Map<string, string[]>> {
  const rows: { target_customer_id: string; source_customer_id: string }[] = await knex('customer_merges')
    .whereNull('undone_at')
    .select('target_customer_id', 'source_customer_id');
  const direct = new Map<string, string[]>();
  for (const r of rows) direct.set(r.target_customer_id, [...(direct.get(r.target_customer_id) ?? []), r.source_customer_id]);
  const all = new Map<string, string[]>();
  for (const target of direct.keys()) {
    const seen = new Set<string>();
    const stack = [...direct.get(target)!];
    while (stack.length) {
      const id = stack.pop()!;
      if (seen.has(id) || id === target) continue;
      seen.add(id);
      stack.push(...(direct.get(id) ?? []));
    }
    all.set(target, [...seen]);
  }
  return all;
}

/**
 * One chunk of customers (keyset by id) with their order metrics, aggregated over the covering index;
 * a profile merged into a customer of the chunk brings its orders along.
 */
async function chunk(
  knex: Knex,
  after: string,
  size: number,
  since: number,
  columns: string[],
  liveOnly: boolean,
  merges: Map<string, string[]>,
) {
  const q = knex('customers').where('id', '>', after).orderBy('id').limit(size).select(columns);
  if (liveOnly) q.whereNull('merged_into');
  const rows: Record<string, unknown>[] = await q;
  if (rows.length === 0) return { rows, metrics: new Map<string, Metrics>(), last: after };
  const last = rows.at(-1)!.id as string;
  const metrics = await aggregate(knex, since, (q) => q.where('customer_id', '>', after).andWhere('customer_id', '<=', last));
  const targets = rows.map((r) => r.id as string).filter((id) => merges.has(id));
  if (targets.length) {
    const sources = await aggregate(knex, since, (q) =>
      q.whereIn(
        'customer_id',
        targets.flatMap((t) => merges.get(t)!),
      ),
    );
    for (const t of targets) {
      let m = metrics.get(t);
      for (const s of merges.get(t)!) if (sources.has(s)) m = add(m, sources.get(s)!);
      if (m) metrics.set(t, m);
    }
  }
  return { rows, metrics, last };
}

const num = (x: unknown) => (x === null || x === undefined ? null : Number(x));

export async function refreshAllValues(
  knex: Knex,
  settings: CrmSettings,
  now: number,
  options: RefreshOptions = DEFAULT_REFRESH_OPTIONS,
  write: WriteStatement = writeThrough(knex),
): Promise<RefreshReport> {
  const startedAt = Date.now();
  const since = windowStart(settings, now);
  const checkpoints = new Checkpoints(knex);
  const merges = await mergedSources(knex);
  const recency = new Numbers();
  const frequency = new Numbers();
  const monetary = new Numbers();
  let customers = 0;

  // Pass 1, reads only: the values the quintiles are taken from (live customers with orders).
  for (let after = ''; ;) {
    const c = await chunk(knex, after, options.chunkSize, since, ['id', 'merged_into'], false, merges);
    if (c.rows.length === 0) break;
    for (const r of c.rows) {
      const m = c.metrics.get(r.id as string);
      if (r.merged_into || !m) continue;
      recency.push(Math.min(DAY_CAP, daysSince(m.lastOrderAt!, now)));
      frequency.push(m.windowOrders);
      monetary.push(m.windowSpent);
    }
    customers += c.rows.length;
    after = c.last;
    await checkpoints.maybe();
  }
  const pass1Ms = Date.now() - startedAt;

  const quintiles: RfmCuts = {
    recencyDays: quintileCuts(recency.view()),
    frequency: quintileCuts(frequency.view()),
    monetary: quintileCuts(monetary.view()),
  };
  const cuts = effectiveCuts(settings, quintiles);

  // Pass 2: every live customer's metrics, scores, tier and VIP flag; one write for each that changed.
  let written = 0;
  let tierChanges = 0;
  const changed: RefreshReport['changed'] = [];
  const columns = [
    'id',
    'order_count',
    'total_spent',
    'last_order_at',
    'window_orders',
    'window_spent',
    'rfm_recency',
    'rfm_frequency',
    'rfm_monetary',
    'value_tier',
    'vip',
    'tier_override',
    'vip_override',
  ];
  for (let after = ''; ;) {
    const c = await chunk(knex, after, options.chunkSize, since, columns, true, merges);
    if (c.rows.length === 0) break;
    const writes: Knex.Value[][] = [];
    const tierChanged: string[] = [];
    for (const r of c.rows) {
      const m = c.metrics.get(r.id as string) ?? NO_ORDERS;
      const tierOverride = (r.tier_override ?? null) as ValueTier | null;
      const vipOverride = r.vip_override === null || r.vip_override === undefined ? null : bool(r.vip_override);
      const v = valueOf(m, cuts, settings, { tier: tierOverride, vip: vipOverride }, now);
      const sameMetrics =
        Number(r.order_count) === m.orderCount &&
        Number(r.total_spent) === m.totalSpent &&
        num(r.last_order_at) === m.lastOrderAt &&
        Number(r.window_orders) === m.windowOrders &&
        Number(r.window_spent) === m.windowSpent;
      const sameScores = num(r.rfm_recency) === v.recency && num(r.rfm_frequency) === v.frequency && num(r.rfm_monetary) === v.monetary;
      const sameTier = (r.value_tier ?? null) === v.valueTier && bool(r.vip) === v.vip;
      if (sameMetrics && sameScores && sameTier) continue;
      if (!sameTier) tierChanged.push(r.id as string);
      // The guard (what was read) keeps an order recorded meanwhile: its own rescoring is newer than ours.
      writes.push([
        r.id as string,
        m.orderCount,
        m.totalSpent,
        m.lastOrderAt,
        m.windowOrders,
        m.windowSpent,
        v.recency,
        v.frequency,
        v.monetary,
        v.valueTier,
        v.vip ? 1 : 0,
        now,
        Number(r.order_count),
        Number(r.total_spent),
        tierOverride ?? '',
        vipOverride === null ? -1 : vipOverride ? 1 : 0,
      ]);
    }
    written += await writeRows(
      checkpoints,
      write,
      writes,
      options.writeBatch,
      'order_count = CAST(v.column2 AS integer), total_spent = CAST(v.column3 AS bigint), last_order_at = CAST(v.column4 AS bigint), ' +
        'window_orders = CAST(v.column5 AS integer), window_spent = CAST(v.column6 AS bigint), ' +
        'rfm_recency = CAST(v.column7 AS integer), rfm_frequency = CAST(v.column8 AS integer), rfm_monetary = CAST(v.column9 AS integer), ' +
        'value_tier = v.column10, vip = CAST(v.column11 AS integer) = 1, scored_at = CAST(v.column12 AS bigint), updated_at = CAST(v.column12 AS bigint)',
      'customers.order_count = CAST(v.column13 AS integer) AND customers.total_spent = CAST(v.column14 AS bigint) ' +
        "AND coalesce(customers.tier_override, '') = v.column15 " +
        'AND (CASE WHEN customers.vip_override IS NULL THEN -1 WHEN customers.vip_override THEN 1 ELSE 0 END) = CAST(v.column16 AS integer)',
    );
    tierChanges += tierChanged.length;
    if (tierChanged.length) {
      const open = await knex('conversations')
        .whereIn('customer_id', tierChanged)
        .whereNot('status', 'resolved')
        .select('id', 'customer_id');
      const byCustomer = new Map<string, string[]>();
      for (const o of open as { id: string; customer_id: string }[])
        byCustomer.set(o.customer_id, [...(byCustomer.get(o.customer_id) ?? []), o.id]);
      for (const [customerId, conversationIds] of byCustomer) changed.push({ customerId, conversationIds });
    }
    after = c.last;
    await checkpoints.maybe();
  }
  await checkpoints.now();
  const ms = Date.now() - startedAt;
  return {
    customers,
    scored: recency.length,
    written,
    tierChanges,
    changed,
    cuts: quintiles,
    startedAt,
    passMs: [pass1Ms, ms - pass1Ms],
    ms,
  };
}

/**
 * `UPDATE customers SET … FROM (VALUES (id, …), …) AS v WHERE customers.id = v.column1 AND <guard>`,
 * a few hundred rows per statement (both engines name a VALUES list's columns column1, column2, …).
 * Returns the rows written.
 */
async function writeRows(
  checkpoints: Checkpoints,
  write: WriteStatement,
  rows: Knex.Value[][],
  batch: number,
  set: string,
  guard: string,
): Promise<number> {
  let written = 0;
  for (let i = 0; i < rows.length; i += batch) {
    const slice = rows.slice(i, i + batch);
    const width = slice[0]!.length;
    const tuple = `(${new Array(width).fill('?').join(', ')})`;
    const sql = `UPDATE customers SET ${set} FROM (VALUES ${slice.map(() => tuple).join(', ')}) AS v WHERE customers.id = v.column1 AND ${guard}`;
    written += await write(sql, slice.flat());
    await checkpoints.maybe();
  }
  return written;
}

/** Rows changed by a raw UPDATE, from either driver's result. */
function affected(result: unknown): number {
  const r = result as { rowCount?: number; changes?: number } | number;
  if (typeof r === 'number') return r;
  return Number(r.rowCount ?? r.changes ?? 0);
}
