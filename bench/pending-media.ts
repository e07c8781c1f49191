// The sweep for customers' files a stopped process left pending (usecases/resume-pending-media.ts) on a
// large SQLite desk: the month of bench:reports (1,000,000 conversations, 1.9 million messages). The
// last week's customer messages on SMS, LINE and Messenger get the meta a fetched file leaves, and 300
// of them a file still pending; then the sweep runs as the routing leader runs it when it takes the
// lead, with channels that fetch nothing (only the desk's own work is timed), watching the event loop.
// `npm run bench:pending-media`; prints a table and writes bench/results/pending-media.json.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { openDatabase } from '../db/connection.js';
import { createStore } from '../db/store.js';
import { dayStart, DEFAULT_REPORT_TIME_ZONE } from '../server/domain/reports/period.js';
import type { ChannelAccount } from '../server/domain/types.js';
import { DEFAULT_RESUME_PENDING_MEDIA, makeResumePendingMedia } from '../server/usecases/resume-pending-media.js';
import { reportWorld, type WorldSize } from './lib/report-world.js';
import { table } from './lib/stats.js';

const SIZE: WorldSize = {
  conversations: 1_000_000,
  customers: 300_000,
  agents: 300,
  queues: 20,
  days: 30,
  fromMs: dayStart(DEFAULT_REPORT_TIME_ZONE, Date.UTC(2025, 4, 1) / 86_400_000),
};
const FILE = process.env.BENCH_REPORTS_DB ?? path.join('data', 'bench', `reports-${SIZE.conversations}.sqlite`);
const OUT = process.env.BENCH_OUT ?? 'bench/results/pending-media.json';
const PENDING = 300;
const NOW = SIZE.fromMs + SIZE.days * 86_400_000; // the end of the generated month
const WEEK_AGO = NOW - DEFAULT_RESUME_PENDING_MEDIA.lookBackMs;
const ms = (t: number) => Math.round(t * 10) / 10;

const META: Record<string, (state: string) => string> = {
  sms: (state) =>
    JSON.stringify({ sms: { from: '+66812345678', media: [{ url: 'https://api.twilio.com/x', declaredType: 'image/jpeg', state }] } }),
  line: (state) => JSON.stringify({ line: { content: { type: 'image', state } } }),
  messenger: (state) => JSON.stringify({ messenger: { media: [{ type: 'image', url: 'https://scontent.xx.fbcdn.net/x', state }] } }),
};

async function main(): Promise<void> {
  await reportWorld(FILE, SIZE);
  const database = openDatabase(`sqlite:${FILE}`);
  const store = createStore(database);
  const knex = database.knex;
  const accounts = (await store.channelAccounts.list()).filter((a) => META[a.kind]);
  // The last week's customer messages on those channels look as a fetched file leaves them; 300 still pending.
  let marked = 0;
  const pendingIds: string[] = [];
  for (const a of accounts) {
    const inWeek = knex('messages').where({ channel_account_id: a.id, direction: 'inbound' }).where('created_at', '>=', WEEK_AGO);
    marked += await inWeek.clone().update({ meta: META[a.kind]!('stored') });
    const ids = (await inWeek
      .clone()
      .orderBy('created_at', 'desc')
      .limit(PENDING / accounts.length)
      .select('id')) as { id: string }[];
    await knex('messages')
      .whereIn(
        'id',
        ids.map((r) => r.id),
      )
      .update({ meta: META[a.kind]!('pending') });
    pendingIds.push(...ids.map((r) => r.id));
  }
  const messages = Number(((await knex('messages').count({ n: '*' }).first()) as { n: number }).n);

  const handed: string[] = [];
  const sweep = makeResumePendingMedia({
    store,
    now: () => NOW,
    log: { warn: (o, msg) => console.warn(msg, o) },
    findAccount: async (id) => {
      const account = accounts.find((a) => a.id === id);
      return account && { account: account as ChannelAccount, credentials: {} };
    },
    channels: Object.fromEntries(
      Object.keys(META).map((kind) => [kind, async (_a: ChannelAccount, _c: unknown, id: string) => void handed.push(id)]),
    ),
  });

  const runs: { ms: number; loopMaxMs: number }[] = [];
  for (let i = 0; i < 5; i++) {
    handed.length = 0;
    const loop = monitorEventLoopDelay({ resolution: 1 });
    loop.enable();
    const start = performance.now();
    const found = await sweep(false);
    runs.push({ ms: ms(performance.now() - start), loopMaxMs: ms(loop.max / 1e6) });
    loop.disable();
    if (found !== pendingIds.length || new Set(handed).size !== pendingIds.length) {
      throw new Error(`the sweep found ${found} messages, handed ${handed.length}; ${pendingIds.length} are pending`);
    }
  }
  await database.close();

  const sorted = [...runs].sort((a, b) => a.ms - b.ms);
  const result = {
    file: FILE,
    messages,
    accounts: accounts.length,
    lastWeekMessagesWithFiles: marked,
    pending: pendingIds.length,
    coldMs: runs[0]!.ms,
    warmMedianMs: sorted[Math.floor(sorted.length / 2)]!.ms,
    eventLoopMaxMs: Math.max(...runs.map((r) => r.loopMaxMs)),
    runs,
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version },
  };
  console.log(
    table(
      ['messages', 'last week with files', 'pending', 'sweep cold', 'sweep warm (median)', 'event loop max'],
      [[messages, marked, pendingIds.length, `${result.coldMs} ms`, `${result.warmMedianMs} ms`, `${result.eventLoopMaxMs} ms`]],
    ),
  );
  fs.mkdirSync(path.dirname(OUT), { recursive: true });
  fs.writeFileSync(OUT, `${JSON.stringify(result, null, 2)}\n`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
