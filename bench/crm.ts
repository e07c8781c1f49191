// The CRM at scale on SQLite: 1,000,000 customers and 5,000,000 orders in a file, then the real code
// (db/crm/segment-reads.ts, the same path the server takes) timed for segment counts and full RFM
// refreshes, while the main thread plays live routing: a small read and write on the customers table
// every 5 ms through the node's own connection, and an event-loop delay histogram plus a lag probe.
// `npm run bench:crm`; prints a table and writes bench/results/crm.json.
//
// The generated file is kept (data/bench/) and reused while its size matches; BENCH_FRESH=1
// regenerates it (its scores are reset before the first refresh, so every run starts cold).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PerformanceObserver, monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { migrate, openDatabase } from '../db/connection.js';
import { createSegmentReads, runSegmentOp, type NodeWrites } from '../db/crm/segment-reads.js';
import { DEFAULT_REFRESH_OPTIONS } from '../db/crm/rfm-refresh.js';
import { DEFAULT_CRM_SETTINGS } from '../server/domain/crm/rfm.js';
import type { SegmentRules } from '../server/domain/crm/segment-rules.js';
import { customerId, generateCrmWorld } from './lib/crm-world.js';
import { summarize, table } from './lib/stats.js';

const env = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);
const NOW = Date.UTC(2026, 2, 1, 5, 0, 0);
const SIZE = { customers: env('BENCH_CRM_CUSTOMERS', 1_000_000), orders: env('BENCH_CRM_ORDERS', 5_000_000), years: 3, now: NOW };
const COUNT_RUNS = env('BENCH_CRM_COUNT_RUNS', 3);

const RULE_SETS: { name: string; rules: SegmentRules }[] = [
  { name: 'gold or platinum (tier)', rules: { all: [{ field: 'tier', op: 'in', values: ['gold', 'platinum'] }] } },
  {
    name: 'R >= 4 and F >= 4',
    rules: {
      all: [
        { field: 'recency', op: 'gte', value: 4 },
        { field: 'frequency', op: 'gte', value: 4 },
      ],
    },
  },
  {
    name: 'Bangkok and spent > 10,000 (attribute)',
    rules: {
      all: [
        { field: 'attribute', key: 'city', type: 'text', op: 'eq', value: 'Bangkok' },
        { field: 'totalSpent', op: 'gt', value: 10_000 },
      ],
    },
  },
  {
    name: 'tag vip-line, contacted within 30 days',
    rules: {
      all: [
        { field: 'tag', op: 'has', value: 'vip-line' },
        { field: 'lastContactAt', op: 'withinDays', days: 30 },
      ],
    },
  },
  {
    name: 'on LINE or top monetary, not b2b',
    rules: {
      all: [
        {
          any: [
            { field: 'channel', op: 'reachable', value: 'line' },
            { field: 'monetary', op: 'eq', value: 5 },
          ],
        },
        { field: 'tag', op: 'notHas', value: 'b2b' },
      ],
    },
  },
  {
    name: 'lapsed big spenders on a paid plan',
    rules: {
      all: [
        { field: 'attribute', key: 'plan', type: 'choice', op: 'in', values: ['pro', 'enterprise'] },
        { field: 'lastOrderAt', op: 'olderThanDays', days: 180 },
        { field: 'monetary', op: 'gte', value: 4 },
      ],
    },
  },
];

/** The main thread's view while work runs elsewhere: event-loop delay and live operation latency. */
class LiveProbe {
  private histogram = monitorEventLoopDelay({ resolution: 1 });
  private lags: number[] = [];
  private ops: number[] = [];
  private probe: NodeJS.Timeout | undefined;
  private live: NodeJS.Timeout | undefined;
  private n = 0;
  private gcMax = 0;
  private readonly gc = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) this.gcMax = Math.max(this.gcMax, e.duration);
  });

  constructor(private readonly liveOp: (n: number) => Promise<void>) {}

  start(): void {
    this.gcMax = 0;
    this.gc.observe({ entryTypes: ['gc'] });
    this.histogram.reset();
    this.histogram.enable();
    this.lags = [];
    this.ops = [];
    let expected = performance.now() + 5;
    this.probe = setInterval(() => {
      const t = performance.now();
      this.lags.push(Math.max(0, t - expected));
      expected = t + 5;
    }, 5);
    let busy = false;
    this.live = setInterval(() => {
      if (busy) return;
      busy = true;
      const t = performance.now();
      this.liveOp(this.n++).then(
        () => {
          this.ops.push(performance.now() - t);
          busy = false;
        },
        (err: unknown) => {
          console.error('live operation failed', err);
          busy = false;
        },
      );
    }, 5);
  }

  /** Stops after a last probe tick, so a block that ended the phase is counted. */
  async stop() {
    await sleep(30);
    clearInterval(this.probe);
    clearInterval(this.live);
    this.histogram.disable();
    this.gc.disconnect();
    const ms = (ns: number) => Math.round(ns / 1e4) / 100;
    const lagMax = Math.round(Math.max(0, ...this.lags) * 100) / 100;
    return {
      // The histogram can miss one long block at the end of a phase; the lag probe sees it.
      loopDelayMs: {
        p50: ms(this.histogram.percentile(50)),
        p99: ms(this.histogram.percentile(99)),
        max: Math.max(ms(this.histogram.max), lagMax),
      },
      lagProbeMaxMs: lagMax,
      /** The longest garbage collection pause on the main thread. */
      gcMaxMs: Math.round(this.gcMax * 100) / 100,
      liveOps: summarize(this.ops),
    };
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main() {
  const dir = path.resolve('data/bench');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `crm-${SIZE.customers}-${SIZE.orders}.sqlite`);
  const url = `sqlite:${file}`;
  let generated: { ms: number; rows: Record<string, number> } | null = null;
  if (process.env.BENCH_FRESH || !fs.existsSync(file)) {
    for (const f of [file, `${file}-wal`, `${file}-shm`]) fs.rmSync(f, { force: true });
    const fresh = openDatabase(url);
    await migrate(fresh);
    await fresh.close();
    const t = performance.now();
    const rows = generateCrmWorld(file, SIZE);
    generated = { ms: Math.round(performance.now() - t), rows };
    process.stdout.write(`generated ${JSON.stringify(rows)} in ${(generated.ms / 1000).toFixed(1)} s\n`);
  }

  const database = openDatabase(url);
  await migrate(database);
  const { knex } = database;
  // Every run starts cold: no metrics, scores or tiers yet.
  await knex('customers').update({
    order_count: 0,
    total_spent: 0,
    last_order_at: null,
    window_orders: 0,
    window_spent: 0,
    rfm_recency: null,
    rfm_frequency: null,
    rfm_monetary: null,
    value_tier: null,
    vip: false,
  });
  await knex.raw('PRAGMA wal_checkpoint(TRUNCATE)');

  // Live routing's share of the database: read a customer (screen pop), touch another (a new message).
  const liveOp = async (n: number) => {
    const id = customerId((n * 7919) % SIZE.customers);
    await knex('customers').where({ id }).first('id', 'value_tier', 'vip');
    await knex('customers')
      .where({ id: customerId((n * 104_729) % SIZE.customers) })
      .update({ last_contact_at: NOW });
  };
  const probe = new LiveProbe(liveOp);
  const reads = createSegmentReads(database, url);

  // Warm up (JIT, page cache, the first statements), then the floor: live traffic and nothing else.
  probe.start();
  await sleep(2_000);
  await probe.stop();
  probe.start();
  await sleep(3_000);
  const idle = await probe.stop();

  type Live = Awaited<ReturnType<LiveProbe['stop']>>;
  type RefreshRow = { label: string; ms: number; written: number; passMs: [number, number]; nodeWrites: NodeWrites } & Live;
  const refreshes: RefreshRow[] = [];
  for (const label of ['cold (first scoring)', 'warm (nightly, nothing changed)']) {
    probe.start();
    const t = performance.now();
    const report = await reads.refresh(DEFAULT_CRM_SETTINGS, NOW);
    const ms = performance.now() - t;
    const live = await probe.stop();
    const { changed: _changed, ms: _inWorkerMs, cuts: _cuts, ...figures } = report;
    refreshes.push({ label, ms: Math.round(ms), ...figures, ...live });
  }

  // The first count also starts the worker's connection; it is not timed.
  await reads.count({ all: [] }, NOW);
  const counts: ({ name: string; count: number; medianMs: number; maxMs: number } & Live)[] = [];
  for (const { name, rules } of RULE_SETS) {
    probe.start();
    const times: number[] = [];
    let count = 0;
    for (let i = 0; i < COUNT_RUNS; i++) {
      const t = performance.now();
      count = await reads.count(rules, NOW);
      times.push(performance.now() - t);
    }
    const live = await probe.stop();
    counts.push({ name, count, medianMs: Math.round(median(times)), maxMs: Math.round(Math.max(...times)), ...live });
  }

  // What the worker spares the node: the heaviest count on the node's own connection blocks its loop.
  probe.start();
  const t = performance.now();
  const inline = (await runSegmentOp(knex, { op: 'count', rules: RULE_SETS[2]!.rules, now: NOW }, DEFAULT_REFRESH_OPTIONS)) as number;
  const inlineMs = performance.now() - t;
  const inlineLive = await probe.stop();

  await reads.close();
  await database.close();

  const result = {
    startedAt: new Date().toISOString(),
    machine: { cores: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version, loadAverage: os.loadavg() },
    world: { ...SIZE, file: path.relative(process.cwd(), file), sizeMb: Math.round(fs.statSync(file).size / 1e6) },
    generated,
    refreshOptions: DEFAULT_REFRESH_OPTIONS,
    idle,
    refreshes,
    counts,
    inlineCount: { name: RULE_SETS[2]!.name, count: inline, ms: Math.round(inlineMs), ...inlineLive },
  };

  const f = (x: number) => String(x);
  const rows: (string | number)[][] = [
    ['idle (live traffic only)', '-', '-', f(idle.loopDelayMs.p99), f(idle.loopDelayMs.max), f(idle.liveOps.p99)],
    ...refreshes.map((r) => [
      `RFM refresh, ${r.label}`,
      `${(r.ms / 1000).toFixed(1)} s`,
      `${r.written} rows, longest write ${r.nodeWrites.maxMs} ms`,
      f(r.loopDelayMs.p99),
      f(r.loopDelayMs.max),
      f(r.liveOps.p99),
    ]),
    ...counts.map((c) => [`count: ${c.name}`, `${c.medianMs} ms`, c.count, f(c.loopDelayMs.p99), f(c.loopDelayMs.max), f(c.liveOps.p99)]),
    [
      `same count on the node's own connection (no worker)`,
      `${result.inlineCount.ms} ms`,
      inline,
      f(inlineLive.loopDelayMs.p99),
      f(inlineLive.loopDelayMs.max),
      f(inlineLive.liveOps.p99),
    ],
  ];
  process.stdout.write(
    `CRM on SQLite: ${SIZE.customers.toLocaleString('en')} customers, ${SIZE.orders.toLocaleString('en')} orders (${result.machine.cores} cores, node ${process.version})\n` +
      `targets: count < 2 s, full refresh < 60 s, event-loop blocks < 20 ms; load average ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}\n` +
      table(['work', 'time', 'result', 'loop p99 ms', 'loop max ms', 'live op p99 ms'], rows) +
      '\n',
  );
  const out = path.resolve(process.env.BENCH_CRM_OUT ?? 'bench/results/crm.json');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
}

void main();
