// Reports over a month of a large desk: 1,000,000 conversations in 30 days (with their routing events,
// messages, CSAT surveys, campaign sends and three segments) in a SQLite file, then the real report
// code (store, rollup, use case; no HTTP) timed per dimension, cold and warm.
// `npm run bench:reports`; prints a table and writes bench/results/reports.json.
//
// The generated file is kept (data/bench/) and reused while its size settings match; BENCH_FRESH=1
// regenerates it. Cold: a new database connection and new use case objects (SQLite's page cache empty;
// the operating system's file cache is not dropped). Warm: the median of the next runs. The month is
// fixed (2025-05-01 to 2025-05-30, Bangkok), so runs are comparable.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { openDatabase, type Database } from '../db/connection.js';
import { createSegmentReads } from '../db/crm/segment-reads.js';
import { createStore } from '../db/store.js';
import { EventBus } from '../server/event-bus.js';
import { dayStart, DEFAULT_REPORT_TIME_ZONE } from '../server/domain/reports/period.js';
import type { ReportGroupBy, ReportResult } from '../server/domain/reports/report.js';
import { makeBuildReport } from '../server/usecases/build-report.js';
import { reportCsv } from '../server/usecases/report-csv.js';
import { DEFAULT_REPORT_ROLLUP_OPTIONS, makeReportRollup } from '../server/usecases/report-rollup.js';
import { reportWorld, SEGMENTS, type WorldSize } from './lib/report-world.js';
import { table } from './lib/stats.js';

const env = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);
const FROM = '2025-05-01';
const TO = '2025-05-30';
const SIZE: WorldSize = {
  conversations: env('BENCH_REPORT_CONVERSATIONS', 1_000_000),
  customers: env('BENCH_REPORT_CUSTOMERS', 300_000),
  agents: env('BENCH_REPORT_AGENTS', 300),
  queues: env('BENCH_REPORT_QUEUES', 20),
  days: 30,
  fromMs: dayStart(DEFAULT_REPORT_TIME_ZONE, Date.UTC(2025, 4, 1) / 86_400_000),
};
const WARM_RUNS = env('BENCH_REPORT_WARM_RUNS', 5);
const FILE = process.env.BENCH_REPORTS_DB ?? path.join('data', 'bench', `reports-${SIZE.conversations}.sqlite`);
const OUT = process.env.BENCH_OUT ?? 'bench/results/reports.json';
const DIMENSIONS: ReportGroupBy[] = ['channel', 'queue', 'agent', 'segment'];

const ms = (t: number) => Math.round(t * 10) / 10;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;

async function time<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await work();
  return { ms: ms(performance.now() - start), value };
}

function open() {
  const database: Database = openDatabase(`sqlite:${FILE}`);
  const store = createStore(database);
  const deps = { store, events: new EventBus(() => undefined), now: Date.now };
  const rollup = makeReportRollup(deps, { ...DEFAULT_REPORT_ROLLUP_OPTIONS, intervalMs: 0 });
  // Reports from fact rows run in the CRM worker thread, as in the server.
  const reads = createSegmentReads(database, `sqlite:${FILE}`);
  const close = async () => {
    await reads.close();
    await database.close();
  };
  return { database, store, rollup, build: makeBuildReport(deps, rollup, reads), close };
}

/** Times `work` and the longest the event loop waited meanwhile (what live routing would feel). */
async function timeWithLoop<T>(work: () => Promise<T>): Promise<{ ms: number; value: T; loopMaxMs: number }> {
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  const timed = await time(work);
  h.disable();
  return { ...timed, loopMaxMs: ms(h.max / 1e6) };
}

async function main(): Promise<void> {
  const { generatedMs, counts } = await reportWorld(FILE, SIZE);
  const fileBytes = fs.statSync(FILE).size;

  // The first build of the rollup (what a desk pays once after upgrading), then an idle pass.
  let desk = open();
  await desk.store.reportRollup.clear();
  await desk.database.knex('report_rollup_state').delete();
  const firstBuild = await time(() => desk.rollup.refresh());
  const idlePass = await time(() => desk.rollup.refresh());
  const rollupRows = Number(((await desk.database.knex('report_daily').count({ n: '*' }).first()) as { n: number }).n);
  const rowsIn: Record<string, number> = {};
  for (const table of ['conversations', 'routing_events', 'messages', 'csat_surveys', 'campaign_sends', 'customers', 'report_facts']) {
    rowsIn[table] = Number(((await desk.database.knex(table).count({ n: '*' }).first()) as { n: number }).n);
  }
  const conversations = rowsIn.conversations!;
  await desk.close();

  const query = (groupBy: ReportGroupBy) => ({ from: FROM, to: TO, groupBy });
  const perDimension: Record<string, { coldMs: number; warmMedianMs: number; warmMaxMs: number; rows: number; source: string }> = {};
  let agentReport: ReportResult | undefined;
  for (const groupBy of DIMENSIONS) {
    desk = open();
    const cold = await time(() => desk.build(query(groupBy)));
    const warm: number[] = [];
    for (let i = 0; i < WARM_RUNS; i++) warm.push((await time(() => desk.build(query(groupBy)))).ms);
    perDimension[groupBy] = {
      coldMs: cold.ms,
      warmMedianMs: median(warm),
      warmMaxMs: Math.max(...warm),
      rows: cold.value.rows.length,
      source: cold.value.source,
    };
    if (groupBy === 'agent') agentReport = cold.value;
    if (groupBy === 'channel') console.log(`  check: ${cold.value.totals.conversations.toLocaleString('en')} conversations in the month`);
    await desk.close();
  }

  desk = open();
  const csv = await time(async () => reportCsv(agentReport!));
  // The same month counted from the conversations, as reports without the rollup would (UTC days).
  const live = await timeWithLoop(() => desk.build({ from: FROM, to: TO, groupBy: 'channel', timeZone: 'UTC' }));
  // Without any rollup: volume, first response and SLA per channel in one GROUP BY over the conversations.
  const raw = await time(() =>
    desk.database
      .knex('conversations')
      .where('created_at', '>=', SIZE.fromMs)
      .where('created_at', '<', SIZE.fromMs + SIZE.days * 86_400_000)
      .groupBy('channel_kind')
      .select('channel_kind')
      .count({ n: '*' })
      .select(
        desk.database.knex.raw('SUM(first_response_at - created_at) AS frt'),
        desk.database.knex.raw('SUM(CASE WHEN first_response_at < first_response_due_at THEN 1 ELSE 0 END) AS met'),
        desk.database.knex.raw("SUM(CASE WHEN status = 'resolved' THEN resolved_at - created_at ELSE 0 END) AS res"),
      ),
  );
  // One segment's customers, grouped by channel: added up from their fact rows.
  const segmentSizes: Record<string, number> = {};
  const bySegmentChannel: Record<string, number> = {};
  const bySegmentLoopMax: Record<string, number> = {};
  for (const s of SEGMENTS) {
    segmentSizes[s.name] = Number(
      ((await desk.database.knex('report_segment_members').where({ segment_id: s.id }).count({ n: '*' }).first()) as { n: number }).n,
    );
    const timed = await timeWithLoop(() => desk.build({ ...query('channel'), segmentId: s.id }));
    bySegmentChannel[s.name] = timed.ms;
    bySegmentLoopMax[s.name] = timed.loopMaxMs;
  }
  // Conversations written since the last pass (200 on each of `days` days); the next report folds them in first.
  const touch = async (days: number) => {
    const now = Date.now();
    for (let d = 0; d < days; d++) {
      const from = SIZE.fromMs + (10 + d) * 86_400_000;
      const ids = await desk.database.knex('conversations').where('created_at', '>=', from).orderBy('created_at').limit(200).pluck('id');
      await desk.database.knex('conversations').whereIn('id', ids).update({ updated_at: now });
    }
    return time(() => desk.build(query('agent')));
  };
  await desk.rollup.refresh();
  const oneDay = await touch(1);
  const sevenDays = await touch(7);
  await desk.close();

  const result = {
    when: new Date().toISOString(),
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version },
    size: { ...SIZE, conversations, fileBytes, generatedMs, rows: rowsIn, generatedRows: counts },
    period: { from: FROM, to: TO, timeZone: DEFAULT_REPORT_TIME_ZONE },
    rollup: { firstBuildMs: firstBuild.ms, firstBuild: firstBuild.value, idlePassMs: idlePass.ms, rows: rollupRows },
    reports: perDimension,
    csv: { ms: csv.ms, bytes: Buffer.byteLength(csv.value), rows: agentReport!.rows.length },
    withoutRollup: { rawGroupByChannelMs: raw.ms, otherTimeZoneChannelMs: live.ms, loopMaxMs: live.loopMaxMs, source: live.value.source },
    segments: { members: segmentSizes, byChannelForOneSegmentMs: bySegmentChannel, loopMaxMs: bySegmentLoopMax },
    busyDesk: { oneDayChangedMs: oneDay.ms, sevenDaysChangedMs: sevenDays.ms },
  };
  fs.mkdirSync(path.dirname(OUT), { recursive: true });
  fs.writeFileSync(OUT, `${JSON.stringify(result, null, 2)}\n`);

  console.log(
    `\n${conversations.toLocaleString('en')} conversations, ${(fileBytes / 1e9).toFixed(2)} GB SQLite file` +
      (generatedMs !== null ? `, generated in ${(generatedMs / 1000).toFixed(1)} s` : '') +
      ` (${Object.entries(rowsIn)
        .map(([t, n]) => `${t} ${n.toLocaleString('en')}`)
        .join(', ')})` +
      `; rollup ${rollupRows.toLocaleString('en')} rows\n`,
  );
  console.log(
    table(
      ['30-day report (target < 1 s)', 'cold ms', 'warm ms (median)', 'warm max', 'rows', 'source'],
      DIMENSIONS.map((d) => {
        const r = perDimension[d]!;
        return [`by ${d}`, r.coldMs, r.warmMedianMs, r.warmMaxMs, r.rows, r.source];
      }),
    ),
  );
  console.log(
    `\n${table(
      ['other measures', 'ms', 'event loop max ms'],
      [
        [
          `rollup first build (${firstBuild.value.checked.toLocaleString('en')} conversations, ${firstBuild.value.segmentsBuilt} segments)`,
          firstBuild.ms,
        ],
        ['rollup pass with nothing changed', idlePass.ms],
        ['report by agent after 200 conversations changed (pass + report)', oneDay.ms],
        ['report by agent after 1,400 changed over 7 days (pass + report)', sevenDays.ms],
        ['no rollup: one GROUP BY over the month of conversations (4 figures, by channel)', raw.ms],
        ['same month in UTC (other days than the rollup: from 1M fact rows, in the worker)', live.ms, live.loopMaxMs],
        ...SEGMENTS.map((s) => [
          `by channel for one segment: ${s.name} (${segmentSizes[s.name]!.toLocaleString('en')} customers, from fact rows)`,
          bySegmentChannel[s.name]!,
          bySegmentLoopMax[s.name]!,
        ]),
        [`CSV of the agent report (${agentReport!.rows.length} rows, ${result.csv.bytes} bytes)`, csv.ms],
      ],
    )}\n\nWrote ${OUT}`,
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
