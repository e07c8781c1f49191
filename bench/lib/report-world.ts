// A desk's month for the reports bench, written straight into a SQLite file with better-sqlite3
// (prepared statements, one transaction per 50,000 rows): agents, queues, channel accounts, customers
// with tiers, conversations with first responses, resolutions, SLA due times, routing events
// (enqueued, offered, accepted, resolved with handle time, abandoned), two messages each, CSAT surveys,
// campaign sends and segments. Shapes follow a contact center: chat answered in a minute or two,
// email in hours, a daytime peak in Bangkok, a few percent abandoned.
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import Sqlite from 'better-sqlite3';
import { migrate, openDatabase } from '../../db/connection.js';
import { DAY_MS } from '../../server/domain/reports/period.js';
import { prng } from './prng.js';

export interface WorldSize {
  conversations: number;
  customers: number;
  agents: number;
  queues: number;
  days: number;
  /** The first instant of the first day (a Bangkok midnight). */
  fromMs: number;
}

const CHANNELS = [
  ['web_chat', 0.3],
  ['line', 0.25],
  ['email', 0.15],
  ['messenger', 0.1],
  ['voice', 0.1],
  ['sms', 0.08],
  ['slack', 0.02],
] as const;
const TIERS = [
  ['platinum', 0.03],
  ['gold', 0.12],
  ['silver', 0.25],
  ['bronze', 0.3],
  [null, 0.3],
] as const;
const MIN = 60_000;
const HOUR = 3_600_000;
const BATCH = 50_000;

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
/** Time-ordered, uuid-shaped ids (36 characters, like the desk's own v7 ids). */
const id = (kind: number, n: number) => `0190${hex(kind, 4)}-0000-7000-8000-${hex(n, 12)}`;
export const agentId = (n: number) => id(1, n);
export const queueId = (n: number) => id(2, n);
const accountId = (n: number) => id(3, n);
const customerId = (n: number) => id(4, n);
const conversationId = (n: number) => id(5, n);

export const SEGMENTS = [
  { id: id(9, 1), name: 'Gold and platinum', rules: { all: [{ field: 'tier', op: 'in', values: ['gold', 'platinum'] }] } },
  { id: id(9, 2), name: 'VIP', rules: { all: [{ field: 'vip', value: true }] } },
  { id: id(9, 3), name: 'Reached us on LINE', rules: { all: [{ field: 'channel', op: 'contacted', value: 'line' }] } },
];

/** Fills an empty, migrated database. Returns the row counts written. */
export function generateWorld(file: string, size: WorldSize): Record<string, number> {
  const db = new Sqlite(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  db.pragma('foreign_keys = OFF'); // rows of one conversation go in different batches; all references hold at the end
  db.pragma('cache_size = -200000');
  const rand = prng(20250301);
  const pickWeighted = <T>(table: readonly (readonly [T, number])[]): T => {
    let r = rand();
    for (const [v, w] of table) if ((r -= w) < 0) return v;
    return table[table.length - 1]![0];
  };
  // A log-normal duration: median `median` ms, spread `sigma` (natural log units).
  const logNormal = (median: number, sigma: number) => {
    const u = Math.max(1e-9, rand());
    const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
    return Math.round(median * Math.exp(sigma * z));
  };
  const counts: Record<string, number> = {};
  const batched = (table: string, sql: string) => {
    const stmt = db.prepare(sql);
    let pending: unknown[][] = [];
    const flush = db.transaction((rows: unknown[][]) => {
      for (const r of rows) stmt.run(r);
    });
    return {
      add(row: unknown[]) {
        pending.push(row);
        counts[table] = (counts[table] ?? 0) + 1;
        if (pending.length >= BATCH) {
          flush(pending);
          pending = [];
        }
      },
      end() {
        flush(pending);
        pending = [];
      },
    };
  };

  const t0 = size.fromMs;
  const users = batched(
    'users',
    'INSERT INTO users (id, email, name, role, password_hash, locale, active, password_changed_at, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?)',
  );
  for (let a = 0; a < size.agents; a++) {
    users.add([agentId(a), `agent${a}@bench.example`, a % 3 === 0 ? `พนักงาน ${a}` : `Agent ${a}`, 'agent', 'x', 'th', 1, t0, t0, t0]);
  }
  users.end();
  // Each queue serves two or three channels; each agent works two queues.
  const queuesOf = new Map<string, number[]>();
  const queues = batched('queues', 'INSERT INTO queues (id, name, channels, created_at, updated_at) VALUES (?,?,?,?,?)');
  for (let q = 0; q < size.queues; q++) {
    const channels = [CHANNELS[q % CHANNELS.length]![0], CHANNELS[(q + 3) % CHANNELS.length]![0]];
    if (q % 2 === 0) channels.push(CHANNELS[(q + 5) % CHANNELS.length]![0]);
    for (const c of channels) queuesOf.set(c, [...(queuesOf.get(c) ?? []), q]);
    queues.add([queueId(q), q % 4 === 0 ? `คิว ${q}` : `Queue ${q}`, JSON.stringify(channels), t0, t0]);
  }
  queues.end();
  const agentsOf = new Map<number, number[]>();
  for (let a = 0; a < size.agents; a++) {
    for (const q of [a % size.queues, (a * 7 + 3) % size.queues]) agentsOf.set(q, [...(agentsOf.get(q) ?? []), a]);
  }
  const accounts = batched(
    'channel_accounts',
    'INSERT INTO channel_accounts (id, kind, name, settings, active, created_at, updated_at) VALUES (?,?,?,?,?,?,?)',
  );
  CHANNELS.forEach(([kind], i) => accounts.add([accountId(i), kind, `${kind} account`, '{}', 1, t0, t0]));
  accounts.end();
  const accountOf = new Map(CHANNELS.map(([kind], i) => [kind as string, accountId(i)]));

  const customers = batched(
    'customers',
    'INSERT INTO customers (id, name, attributes, value_tier, vip, created_at, updated_at) VALUES (?,?,?,?,?,?,?)',
  );
  for (let c = 0; c < size.customers; c++) {
    customers.add([customerId(c), `ลูกค้า ${c}`, '{}', pickWeighted(TIERS), rand() < 0.03 ? 1 : 0, t0 - 400 * DAY_MS, t0]);
  }
  customers.end();

  const conversations = batched(
    'conversations',
    `INSERT INTO conversations (id, customer_id, channel_account_id, channel_kind, status, priority, queue_id, assignee_id,
       last_message_at, first_response_at, resolved_at, first_response_due_at, resolution_due_at, sla_status, created_at, updated_at)
     VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
  );
  const events = batched(
    'routing_events',
    'INSERT INTO routing_events (id, type, conversation_id, queue_id, agent_id, at, data) VALUES (?,?,?,?,?,?,?)',
  );
  const messages = batched(
    'messages',
    `INSERT INTO messages (id, conversation_id, channel_account_id, direction, sender_type, sender_id, parts, text, status, created_at, updated_at)
     VALUES (?,?,?,?,?,?,?,?,?,?,?)`,
  );
  const surveys = batched(
    'csat_surveys',
    `INSERT INTO csat_surveys (id, conversation_id, channel_account_id, channel_kind, agent_id, queue_id, score, sent_at, expires_at, answered_at)
     VALUES (?,?,?,?,?,?,?,?,?,?)`,
  );
  const sends = batched(
    'campaign_sends',
    `INSERT INTO campaign_sends (id, campaign_id, customer_id, occasion, status, due_at, conversation_id, sent_at, created_at, updated_at)
     VALUES (?,?,?,?,?,?,?,?,?,?)`,
  );
  const campaigns = batched(
    'campaigns',
    `INSERT INTO campaigns (id, name, status, channel_account_id, template, "trigger", rate_per_minute, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?)`,
  );
  const CAMPAIGN_CHANNELS = ['line', 'sms', 'email'];
  CAMPAIGN_CHANNELS.forEach((kind, i) =>
    campaigns.add([id(8, i), `Campaign ${kind}`, 'done', accountOf.get(kind), 'Hi {{customer.firstName}}', '{"kind":"once"}', 600, t0, t0]),
  );
  campaigns.end();

  let eventN = 0;
  let messageN = 0;
  let sendN = 0;
  const span = size.days * DAY_MS;
  const openKeys = new Set<string>();
  for (let n = 0; n < size.conversations; n++) {
    // Evenly over the days, with a daytime peak: more between 09:00 and 18:00 Bangkok (02:00-11:00 UTC).
    let createdAt = t0 + Math.floor((n / size.conversations) * span);
    if (rand() < 0.5) createdAt = Math.floor(createdAt / DAY_MS) * DAY_MS + 2 * HOUR + Math.floor(rand() * 9 * HOUR);
    createdAt = Math.min(Math.max(createdAt, t0), t0 + span - 1);
    const channel = pickWeighted(CHANNELS);
    const slow = channel === 'email';
    const queueList = queuesOf.get(channel)!;
    const q = queueList[Math.floor(rand() * queueList.length)]!;
    const agents = agentsOf.get(q) ?? [];
    const cid = conversationId(n);
    const frDue = createdAt + (slow ? 4 * HOUR : 5 * MIN);
    const resDue = createdAt + 24 * HOUR;
    const enqueuedAt = createdAt + 500;
    events.add([id(6, eventN++), 'enqueued', cid, queueId(q), null, enqueuedAt, '{}']);
    messages.add([
      id(7, messageN++),
      cid,
      accountOf.get(channel),
      'inbound',
      'customer',
      null,
      '[]',
      'สวัสดีค่ะ',
      'received',
      createdAt,
      createdAt,
    ]);
    let status = 'open';
    let agent: string | null = null;
    let firstResponseAt: number | null = null;
    let resolvedAt: number | null = null;
    if (rand() < 0.92 && agents.length > 0) {
      agent = agentId(agents[Math.floor(rand() * agents.length)]!);
      const waited = logNormal(slow ? 20 * MIN : 40_000, 1);
      const acceptedAt = enqueuedAt + waited;
      events.add([id(6, eventN++), 'offered', cid, queueId(q), agent, acceptedAt - 5_000, '{}']);
      events.add([id(6, eventN++), 'accepted', cid, queueId(q), agent, acceptedAt, JSON.stringify({ waitedMs: waited })]);
      firstResponseAt = acceptedAt + logNormal(slow ? 30 * MIN : 50_000, 0.8);
      messages.add([
        id(7, messageN++),
        cid,
        accountOf.get(channel),
        'outbound',
        'agent',
        agent,
        '[]',
        'ยินดีค่ะ',
        'delivered',
        firstResponseAt,
        firstResponseAt,
      ]);
      if (rand() < 0.88) {
        status = 'resolved';
        resolvedAt = firstResponseAt + logNormal(slow ? 5 * HOUR : 12 * MIN, 1.1);
        events.add([
          id(6, eventN++),
          'resolved',
          cid,
          queueId(q),
          agent,
          resolvedAt,
          JSON.stringify({ handleMs: resolvedAt - acceptedAt }),
        ]);
        if (channel !== 'voice' && channel !== 'slack' && rand() < 0.3) {
          const score = Math.min(5, Math.max(1, Math.round(4.2 + (rand() - 0.5) * 3)));
          surveys.add([
            id(10, n),
            cid,
            accountOf.get(channel),
            channel,
            agent,
            queueId(q),
            score,
            resolvedAt,
            resolvedAt + DAY_MS,
            resolvedAt + 5 * MIN,
          ]);
        }
      }
    } else if (rand() < 0.6) {
      status = 'resolved';
      resolvedAt = enqueuedAt + logNormal(2 * MIN, 0.7);
      events.add([id(6, eventN++), 'abandoned', cid, queueId(q), null, resolvedAt, '{}']);
    }
    // One unresolved conversation per customer and account (the schema's rule): find a customer without one.
    let customer = customerId(Math.floor(rand() * size.customers));
    if (status !== 'resolved') {
      while (openKeys.has(`${customer}|${channel}`)) customer = customerId(Math.floor(rand() * size.customers));
      openKeys.add(`${customer}|${channel}`);
    }
    const lastAt = resolvedAt ?? firstResponseAt ?? createdAt;
    conversations.add([
      cid,
      customer,
      accountOf.get(channel),
      channel,
      status,
      0,
      queueId(q),
      agent,
      lastAt,
      firstResponseAt,
      resolvedAt,
      frDue,
      resDue,
      null,
      createdAt,
      lastAt,
    ]);
    // Campaign messages: one in fifteen customers of LINE, SMS and email conversations got one, half of
    // them before this conversation (which then counts as the reply).
    const campaign = CAMPAIGN_CHANNELS.indexOf(channel);
    if (campaign >= 0 && rand() < 1 / 15) {
      const sentAt = rand() < 0.5 ? createdAt - Math.floor(rand() * 2 * DAY_MS) : createdAt + Math.floor(rand() * DAY_MS);
      sends.add([id(11, sendN++), id(8, campaign), customer, `bench-${n}`, 'sent', sentAt, null, sentAt, sentAt, sentAt]);
    }
  }
  for (const b of [conversations, events, messages, surveys, sends]) b.end();

  const segments = db.prepare('INSERT INTO segments (id, name, rules, created_at, updated_at) VALUES (?,?,?,?,?)');
  for (const s of SEGMENTS) segments.run(s.id, s.name, JSON.stringify(s.rules), t0, t0);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.exec('ANALYZE');
  db.close();
  return counts;
}

/**
 * The world in `file`, migrated: reused while its size settings match (BENCH_FRESH=1 regenerates it),
 * else generated. Returns how long generating took and the rows written (null when reused).
 */
export async function reportWorld(
  file: string,
  size: WorldSize,
): Promise<{ generatedMs: number | null; counts: Record<string, number> | null }> {
  const sizeFile = `${file}.size.json`;
  const wanted = JSON.stringify(size);
  if (process.env.BENCH_FRESH !== '1' && fs.existsSync(file) && fs.existsSync(sizeFile) && fs.readFileSync(sizeFile, 'utf8') === wanted) {
    console.log(`Reusing ${file} (BENCH_FRESH=1 regenerates it)`);
    const database = openDatabase(`sqlite:${file}`);
    await migrate(database);
    await database.close();
    return { generatedMs: null, counts: null };
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  for (const f of [file, `${file}-wal`, `${file}-shm`, sizeFile]) fs.rmSync(f, { force: true });
  const database = openDatabase(`sqlite:${file}`);
  await migrate(database);
  await database.close();
  console.log(`Generating ${size.conversations.toLocaleString('en')} conversations into ${file}…`);
  const start = performance.now();
  const counts = generateWorld(file, size);
  const generatedMs = Math.round((performance.now() - start) * 10) / 10;
  fs.writeFileSync(sizeFile, wanted);
  return { generatedMs, counts };
}
