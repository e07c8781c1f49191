// Reports over real HTTP on both engines. A small desk's history is generated and written straight into
// the database; every expected figure is worked out here from that generated data with plain filters
// and sums (never from the report code), then compared with GET /reports and /reports.csv: volume, first
// response, resolution and handle times, SLA attainment, abandonment, CSAT and campaigns per channel,
// queue and agent; period edges in Bangkok time; the rollup staying equal to its fact rows, to a first
// build and to the generated history through changes and SLA clocks coming due; segments; roles and
// bad parameters.
import { parse as parseCsv } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openDatabase, type Database } from '../db/connection.js';
import { ENGINES, startTestServer, type ApiResponse, type TestServer } from './support/harness.js';

const HOUR = 3_600_000;
const MIN = 60_000;
/** Bangkok is UTC+7 all year. */
const bkk = (local: string) => Date.parse(`${local}+07:00`);
const FROM = '2025-03-01';
const TO = '2025-03-10';
const FROM_MS = bkk('2025-03-01T00:00:00');
const TO_MS = bkk('2025-03-11T00:00:00');
const START = bkk('2025-03-12T10:00:00');

type Channel = 'web_chat' | 'line';
interface Spec {
  id: string;
  customerId: string;
  channel: Channel;
  queueId: string | null;
  agentId: string | null;
  createdAt: number;
  status: 'open' | 'resolved';
  firstResponseAt: number | null;
  resolvedAt: number | null;
  frDue: number | null;
  resDue: number | null;
  abandoned: boolean;
  handles: { agentId: string; queueId: string | null; handleMs: number }[];
  csat: number | null;
  gold: boolean;
}

// A small deterministic generator (mulberry32), so a failure reproduces.
function prng(seed: number) {
  let a = seed;
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const median = (xs: number[], q: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1]!;
};
const avg = (xs: number[]) => (xs.length ? Math.round(xs.reduce((a, b) => a + b, 0) / xs.length) : null);
const pct = (part: number, whole: number) => (whole ? Math.round((part / whole) * 10_000) / 100 : null);

function expectError(res: ApiResponse, status: number, code: string, mentions?: string) {
  expect({ status: res.status, code: res.body?.error?.code }, JSON.stringify(res.body)).toEqual({ status, code });
  if (mentions) expect(res.body.error.message).toContain(mentions);
}

describe.each(ENGINES)('reports on %s', (engine) => {
  let server: TestServer;
  let db: Database;
  let admin: string;
  let supervisor: string;
  let agentToken: string;
  let clock = START;
  const agents: string[] = [];
  const queues: string[] = [];
  const queueNames = ['ฝ่ายขาย', 'Support'];
  const agentNames = ['สมชาย ใจดี', 'Alice Wong'];
  const accounts: Record<Channel, string> = { web_chat: 'acc-web', line: 'acc-line' };
  const specs: Spec[] = [];
  const sends: { customerId: string; channel: Channel; sentAt: number; replied: boolean }[] = [];

  const get = (url: string, token = supervisor) => server.api.request('GET', `/api/v1${url}`, { token });
  const report = async (params: string, token = supervisor) => {
    const res = await get(`/reports?${params}`, token);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body;
  };

  async function insertSpec(s: Spec, updatedAt: number) {
    await db.knex('customers').insert({
      id: s.customerId,
      name: `ลูกค้า ${s.customerId}`,
      attributes: '{}',
      value_tier: s.gold ? 'gold' : null,
      created_at: s.createdAt,
      updated_at: s.createdAt,
    });
    await db.knex('conversations').insert({
      id: s.id,
      customer_id: s.customerId,
      channel_account_id: accounts[s.channel],
      channel_kind: s.channel,
      status: s.status,
      priority: 0,
      queue_id: s.queueId,
      assignee_id: s.agentId,
      last_message_at: s.createdAt,
      first_response_at: s.firstResponseAt,
      resolved_at: s.resolvedAt,
      first_response_due_at: s.frDue,
      resolution_due_at: s.resDue,
      created_at: s.createdAt,
      updated_at: updatedAt,
    });
    const events: Record<string, unknown>[] = [
      // Events reports do not count, to prove they are ignored.
      { type: 'enqueued', agent_id: null, at: s.createdAt, data: '{}' },
      { type: 'offered', agent_id: s.agentId, at: s.createdAt + 1000, data: '{}' },
    ];
    if (s.abandoned) events.push({ type: 'abandoned', agent_id: null, at: s.resolvedAt, data: '{}' });
    for (const h of s.handles) {
      events.push({
        type: 'resolved',
        agent_id: h.agentId,
        queue_id: h.queueId,
        at: s.resolvedAt,
        data: JSON.stringify({ handleMs: h.handleMs }),
      });
    }
    let n = 0;
    for (const e of events) {
      await db.knex('routing_events').insert({ id: `${s.id}-e${n++}`, conversation_id: s.id, queue_id: s.queueId, ...e });
    }
    if (s.csat !== null)
      await insertSurvey(s, { sentAt: s.resolvedAt!, expiresAt: s.resolvedAt! + 24 * HOUR, answeredAt: s.resolvedAt! + MIN });
  }

  /** The survey of a conversation, answered with its `csat` score. */
  const insertSurvey = (s: Spec, at: { sentAt: number; expiresAt: number; answeredAt: number }) =>
    db.knex('csat_surveys').insert({
      id: `${s.id}-csat`,
      conversation_id: s.id,
      channel_account_id: accounts[s.channel],
      channel_kind: s.channel,
      agent_id: s.agentId,
      queue_id: s.queueId,
      score: s.csat,
      sent_at: at.sentAt,
      expires_at: at.expiresAt,
      answered_at: at.answeredAt,
    });

  function generate(): void {
    const rand = prng(20250301);
    const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const make = (i: number, createdAt: number): Spec => {
      const channel: Channel = rand() < 0.55 ? 'web_chat' : 'line';
      const queueId = pick([queues[0]!, queues[1]!, null]);
      const agentId = queueId === null ? pick([agents[0]!, null]) : pick([agents[0]!, agents[1]!, null]);
      const s: Spec = {
        id: `conv-${String(i).padStart(3, '0')}`,
        customerId: `cust-${String(i).padStart(3, '0')}`,
        channel,
        queueId,
        agentId,
        createdAt,
        status: 'open',
        firstResponseAt: null,
        resolvedAt: null,
        frDue: queueId ? createdAt + 30 * MIN : null,
        resDue: queueId ? createdAt + 24 * HOUR : null,
        abandoned: false,
        handles: [],
        csat: null,
        gold: rand() < 0.4,
      };
      if (agentId) {
        if (rand() < 0.85) s.firstResponseAt = createdAt + Math.round(10_000 + rand() * 2 * HOUR);
        if (rand() < 0.7) {
          s.status = 'resolved';
          s.resolvedAt = (s.firstResponseAt ?? createdAt) + Math.round(MIN + rand() * 40 * HOUR);
          s.handles.push({ agentId, queueId, handleMs: Math.round(s.resolvedAt - createdAt - rand() * 5 * MIN) });
          // Some were first resolved by the other agent, reopened and resolved again: handle time counts for each.
          const other = agents.find((a) => a !== agentId)!;
          if (rand() < 0.25) s.handles.push({ agentId: other, queueId, handleMs: Math.round(5 * MIN + rand() * HOUR) });
          if (rand() < 0.5) s.csat = 1 + Math.floor(rand() * 5);
        }
      } else if (queueId && rand() < 0.5) {
        s.status = 'resolved';
        s.resolvedAt = createdAt + Math.round(rand() * 20 * MIN);
        s.abandoned = true;
      }
      return s;
    };
    let i = 0;
    for (; i < 90; i++) specs.push(make(i, FROM_MS + Math.floor(rand() * (TO_MS - FROM_MS))));
    // The edges: the first instant of the period and the last millisecond of it are in; one millisecond
    // before and the first instant after are out.
    specs.push(make(i++, FROM_MS), make(i++, TO_MS - 1), make(i++, FROM_MS - 1), make(i++, TO_MS));
    // A resolution clock still running at START (due in an hour) and one at START exactly (due: missed).
    const pending = make(i++, TO_MS - HOUR);
    Object.assign(pending, { queueId: queues[0], agentId: agents[0], status: 'open', resolvedAt: null, handles: [], csat: null });
    Object.assign(pending, { firstResponseAt: pending.createdAt + MIN, frDue: pending.createdAt + 30 * MIN, resDue: START + HOUR });
    specs.push(pending);
    const dueNow = make(i, TO_MS - 2 * HOUR);
    Object.assign(dueNow, { queueId: queues[1], agentId: null, status: 'open', firstResponseAt: null, resolvedAt: null });
    Object.assign(dueNow, { handles: [], csat: null, abandoned: false, frDue: START, resDue: START + 2 * HOUR });
    specs.push(dueNow);
    // Campaign sends: in the period (some replied), and one after it.
    for (const [k, s] of specs.slice(0, 12).entries()) {
      sends.push({ customerId: s.customerId, channel: s.channel, sentAt: FROM_MS + (k + 1) * 17 * HOUR, replied: k % 3 === 0 });
    }
    sends.push({ customerId: specs[20]!.customerId, channel: specs[20]!.channel, sentAt: TO_MS + HOUR, replied: false });
  }

  async function insertCampaigns(): Promise<void> {
    for (const channel of ['web_chat', 'line'] as Channel[]) {
      await db.knex('campaigns').insert({
        id: `camp-${channel}`,
        name: `Spring ${channel}`,
        status: 'done',
        channel_account_id: accounts[channel],
        template: 'hi',
        trigger: '{"kind":"once"}',
        rate_per_minute: 60,
        created_at: FROM_MS,
        updated_at: FROM_MS,
      });
    }
    for (const [k, s] of sends.entries()) {
      await db.knex('campaign_sends').insert({
        id: `send-${k}`,
        campaign_id: `camp-${s.channel}`,
        customer_id: s.customerId,
        status: 'sent',
        due_at: s.sentAt,
        sent_at: s.sentAt,
        created_at: s.sentAt,
        updated_at: s.sentAt,
      });
      // The customer's own conversation on that account carries the reply (or only an older message).
      const conversation = specs.find((x) => x.customerId === s.customerId)!;
      const at = s.replied ? s.sentAt + 10 * MIN : s.sentAt - 10 * MIN;
      await db
        .knex('conversations')
        .where({ id: conversation.id })
        .update({ last_message_at: db.knex.raw('CASE WHEN last_message_at > ? THEN last_message_at ELSE ? END', [at, at]) });
      await db.knex('messages').insert({
        id: `msg-${k}`,
        conversation_id: conversation.id,
        channel_account_id: accounts[s.channel],
        direction: 'inbound',
        sender_type: 'customer',
        parts: '[]',
        text: 'ok',
        status: 'received',
        created_at: at,
        updated_at: s.sentAt,
      });
    }
  }

  beforeAll(async () => {
    server = await startTestServer(engine, {}, { now: () => clock, reports: { intervalMs: 0, segmentMembersMs: 0 } });
    db = openDatabase(server.db.url, { schema: server.db.schema });
    admin = await server.api.login();
    supervisor = (await server.api.userWithRole(admin, 'supervisor', 'Supervisor Sue')).token;
    agentToken = (await server.api.userWithRole(admin, 'agent', 'Agent Andy')).token;
    for (const [k, name] of agentNames.entries()) {
      const body = { email: `agent${k}@example.com`, name, role: 'agent', password: 'a-long-enough-password' };
      const res = await server.api.request('POST', '/api/v1/users', { token: admin, body });
      expect(res.status).toBe(201);
      agents.push(res.body.user.id);
    }
    for (const name of queueNames) {
      const res = await server.api.request('POST', '/api/v1/queues', { token: admin, body: { name } });
      expect(res.status).toBe(201);
      queues.push(res.body.queue.id);
    }
    for (const [kind, id] of Object.entries(accounts)) {
      await db.knex('channel_accounts').insert({ id, kind, name: id, settings: '{}', created_at: FROM_MS, updated_at: FROM_MS });
    }
    generate();
    for (const s of specs) await insertSpec(s, START - HOUR);
    await insertCampaigns();
    await db.knex('segments').insert({
      id: 'seg-gold',
      name: 'ลูกค้าทอง',
      rules: JSON.stringify({ all: [{ field: 'tier', op: 'in', values: ['gold'] }] }),
      created_at: FROM_MS,
      updated_at: FROM_MS,
    });
    await db.knex('segments').insert({ id: 'seg-all', name: 'Everyone', rules: '{"all":[]}', created_at: FROM_MS, updated_at: FROM_MS });
  });

  afterAll(async () => {
    await db?.close();
    await server?.stop();
  });

  // ---- what the figures must be, from the generated data ------------------------------------------

  const inPeriod = () => specs.filter((s) => s.createdAt >= FROM_MS && s.createdAt < TO_MS);
  function frOutcome(s: Spec, now: number): 'met' | 'missed' | null {
    if (s.frDue === null) return null;
    if (s.firstResponseAt !== null) return s.firstResponseAt < s.frDue ? 'met' : 'missed';
    if (s.status === 'resolved') return s.resolvedAt! < s.frDue ? null : 'missed';
    return s.frDue <= now ? 'missed' : null;
  }
  function resOutcome(s: Spec, now: number): 'met' | 'missed' | null {
    if (s.resDue === null) return null;
    if (s.status === 'resolved') return s.resolvedAt! < s.resDue ? 'met' : 'missed';
    return s.resDue <= now ? 'missed' : null;
  }

  /** The figures of the conversations `of` a group, with handle time and CSAT of the resolutions `by` it. */
  function expectedFigures(of: Spec[], handles: { handleMs: number }[], csat: number[], now: number) {
    const frt = of.filter((s) => s.firstResponseAt !== null).map((s) => s.firstResponseAt! - s.createdAt);
    const res = of.filter((s) => s.status === 'resolved').map((s) => s.resolvedAt! - s.createdAt);
    const fr = of.map((s) => frOutcome(s, now));
    const rs = of.map((s) => resOutcome(s, now));
    const count = (xs: (string | null)[], v: string) => xs.filter((x) => x === v).length;
    const queued = of.filter((s) => s.queueId !== null).length;
    const abandoned = of.filter((s) => s.abandoned).length;
    return {
      conversations: of.length,
      firstResponses: frt.length,
      firstResponseAvgMs: avg(frt),
      resolved: res.length,
      resolutionAvgMs: avg(res),
      handled: handles.length,
      handleAvgMs: avg(handles.map((h) => h.handleMs)),
      slaFirstResponseMet: count(fr, 'met'),
      slaFirstResponseMissed: count(fr, 'missed'),
      slaFirstResponsePct: pct(count(fr, 'met'), count(fr, 'met') + count(fr, 'missed')),
      slaResolutionMet: count(rs, 'met'),
      slaResolutionMissed: count(rs, 'missed'),
      slaResolutionPct: pct(count(rs, 'met'), count(rs, 'met') + count(rs, 'missed')),
      queued,
      abandoned,
      abandonmentPct: pct(abandoned, queued),
      csatResponses: csat.length,
      csatAvg: csat.length ? Math.round((csat.reduce((a, b) => a + b, 0) / csat.length) * 100) / 100 : null,
      frt,
      res,
    };
  }

  type Dim = 'channel' | 'queue' | 'agent';
  const keyOf = (s: Spec, dim: Dim) => (dim === 'channel' ? s.channel : dim === 'queue' ? (s.queueId ?? '') : (s.agentId ?? ''));

  function expectedByGroup(dim: Dim, now: number) {
    const all = inPeriod();
    const keys = new Set<string>();
    for (const s of all) {
      keys.add(keyOf(s, dim));
      if (dim === 'agent') for (const h of s.handles) keys.add(h.agentId);
    }
    const out = new Map<string, ReturnType<typeof expectedFigures>>();
    for (const key of keys) {
      const of = all.filter((s) => keyOf(s, dim) === key);
      // Handle time counts for the queue and agent of each resolution; CSAT for those it was resolved by.
      const handles = all.flatMap((s) =>
        s.handles.filter((h) => (dim === 'agent' ? h.agentId : dim === 'queue' ? (h.queueId ?? '') : s.channel) === key),
      );
      const csat = of.filter((s) => s.csat !== null).map((s) => s.csat!);
      out.set(key, expectedFigures(of, handles, csat, now));
    }
    return out;
  }

  function checkReport(body: any, dim: Dim, now: number) {
    const expected = expectedByGroup(dim, now);
    expect(body.rows.map((r: any) => r.key).sort()).toEqual([...expected.keys()].sort());
    for (const row of body.rows) {
      const { frt, res, ...figures } = expected.get(row.key)!;
      expect(row.metrics, `${dim} ${row.key}`).toMatchObject(figures);
      // Medians and 90th percentiles are estimates within 5 % (or half a second).
      for (const [values, medianKey, p90Key] of [
        [frt, 'firstResponseMedianMs', 'firstResponseP90Ms'],
        [res, 'resolutionMedianMs', 'resolutionP90Ms'],
      ] as const) {
        if (values.length === 0) {
          expect(row.metrics[medianKey]).toBeNull();
          continue;
        }
        for (const [key, q] of [
          [medianKey, 0.5],
          [p90Key, 0.9],
        ] as const) {
          const exact = median(values, q);
          expect(Math.abs(row.metrics[key] - exact), `${dim} ${row.key} ${key}`).toBeLessThanOrEqual(Math.max(500, exact * 0.05));
        }
      }
    }
    const {
      frt: _f,
      res: _r,
      ...totals
    } = expectedFigures(
      inPeriod(),
      inPeriod().flatMap((s) => s.handles),
      inPeriod()
        .filter((s) => s.csat !== null)
        .map((s) => s.csat!),
      now,
    );
    expect(body.totals).toMatchObject(totals);
  }

  test.each(['channel', 'queue', 'agent'] as const)('figures per %s match the generated history', async (dim) => {
    const body = await report(`from=${FROM}&to=${TO}&groupBy=${dim}`);
    expect(body.period).toEqual({ from: FROM, to: TO, timeZone: 'Asia/Bangkok', fromMs: FROM_MS, toMs: TO_MS, days: 10 });
    expect(body.source).toBe('rollup');
    checkReport(body, dim, clock);
  });

  test('rows are named: queues and agents by name (Thai intact), no queue and unassigned apart', async () => {
    const byQueue = await report(`from=${FROM}&to=${TO}&groupBy=queue`);
    const labels = Object.fromEntries(byQueue.rows.map((r: any) => [r.key, r.label]));
    expect(labels).toEqual({ [queues[0]!]: 'ฝ่ายขาย', [queues[1]!]: 'Support', '': 'No queue' });
    const byAgent = await report(`from=${FROM}&to=${TO}&groupBy=agent`);
    expect(byAgent.rows.find((r: any) => r.key === agents[0]).label).toBe('สมชาย ใจดี');
    expect(byAgent.rows.find((r: any) => r.key === '').label).toBe('Unassigned');
    const byChannel = await report(`from=${FROM}&to=${TO}&groupBy=channel`);
    expect(byChannel.rows.map((r: any) => r.label).sort()).toEqual(['LINE', 'Web chat']);
  });

  test('the period is whole Bangkok days: the first and last instants are in, a millisecond outside is out', async () => {
    const body = await report(`from=${FROM}&to=${TO}`);
    expect(body.totals.conversations).toBe(inPeriod().length);
    expect(inPeriod().some((s) => s.createdAt === FROM_MS) && inPeriod().some((s) => s.createdAt === TO_MS - 1)).toBe(true);
    // The first day alone holds the conversation at its first instant, not the one a millisecond before.
    const firstDay = await report(`from=${FROM}&to=${FROM}`);
    expect(firstDay.totals.conversations).toBe(specs.filter((s) => s.createdAt >= FROM_MS && s.createdAt < FROM_MS + 24 * HOUR).length);
    const dayBefore = await report(`from=2025-02-28&to=2025-02-28`);
    expect(dayBefore.totals.conversations).toBe(1);
    // In UTC the days start seven hours later: counted from the conversations, with other edges.
    const utc = await report(`from=${FROM}&to=${TO}&tz=UTC`);
    expect(utc.source).toBe('facts');
    const utcFrom = Date.UTC(2025, 2, 1);
    const utcTo = Date.UTC(2025, 2, 11);
    expect(utc.totals.conversations).toBe(specs.filter((s) => s.createdAt >= utcFrom && s.createdAt < utcTo).length);
    // Another zone whose days start at the same instants (Jakarta, UTC+7) reads the same rollup.
    const jakarta = await report(`from=${FROM}&to=${TO}&tz=Asia/Jakarta`);
    expect(jakarta.source).toBe('rollup');
    expect(jakarta.totals).toEqual(body.totals);
  });

  test('the daily series adds up to the totals, per day and per group', async () => {
    const body = await report(`from=${FROM}&to=${TO}&groupBy=channel`);
    expect(body.series.days).toHaveLength(10);
    expect(body.series.days[0]).toBe(FROM);
    expect(body.series.days[9]).toBe(TO);
    const perDay = body.series.days.map((_: string, i: number) => {
      const start = FROM_MS + i * 24 * HOUR;
      return specs.filter((s) => s.createdAt >= start && s.createdAt < start + 24 * HOUR).length;
    });
    expect(body.series.totals.map((m: any) => m.conversations)).toEqual(perDay);
    for (const g of body.series.groups) {
      const row = body.rows.find((r: any) => r.key === g.key);
      expect(g.conversations.reduce((a: number, b: number) => a + b, 0)).toBe(row.metrics.conversations);
    }
  });

  test('campaign sends and replies per channel; only totals when grouped by queue', async () => {
    const body = await report(`from=${FROM}&to=${TO}&groupBy=channel`);
    for (const channel of ['web_chat', 'line'] as const) {
      const mine = sends.filter((s) => s.channel === channel && s.sentAt >= FROM_MS && s.sentAt < TO_MS);
      const row = body.rows.find((r: any) => r.key === channel);
      expect(row.metrics).toMatchObject({ campaignSends: mine.length, campaignReplies: mine.filter((s) => s.replied).length });
    }
    const inside = sends.filter((s) => s.sentAt >= FROM_MS && s.sentAt < TO_MS);
    expect(body.totals).toMatchObject({ campaignSends: inside.length, campaignReplies: inside.filter((s) => s.replied).length });
    const byQueue = await report(`from=${FROM}&to=${TO}&groupBy=queue`);
    expect(byQueue.totals.campaignSends).toBe(inside.length);
    expect(byQueue.rows.every((r: any) => r.metrics.campaignSends === 0)).toBe(true);
  });

  test('segments: each segment its own row from its current members; the desk is the total', async () => {
    const body = await report(`from=${FROM}&to=${TO}&groupBy=segment`);
    expect(body.source).toBe('rollup');
    const gold = body.rows.find((r: any) => r.key === 'seg-gold');
    expect(gold.label).toBe('ลูกค้าทอง');
    const goldSpecs = inPeriod().filter((s) => s.gold);
    expect(gold.metrics).toMatchObject({
      conversations: goldSpecs.length,
      resolved: goldSpecs.filter((s) => s.status === 'resolved').length,
      abandoned: goldSpecs.filter((s) => s.abandoned).length,
    });
    expect(body.rows.find((r: any) => r.key === 'seg-all').metrics.conversations).toBe(inPeriod().length);
    expect(body.totals.conversations).toBe(inPeriod().length);
    // Limited to a segment, grouped by channel.
    const goldByChannel = await report(`from=${FROM}&to=${TO}&groupBy=channel&segmentId=seg-gold`);
    expect(goldByChannel.totals.conversations).toBe(goldSpecs.length);
    expect(goldByChannel.rows.find((r: any) => r.key === 'line')?.metrics.conversations ?? 0).toBe(
      goldSpecs.filter((s) => s.channel === 'line').length,
    );
  });

  test('the rollup stays equal to its fact rows, to a first build and to the generated history, through changes and due SLA clocks', async () => {
    const compare = async () => {
      // A segment's row (rollup) is what its members' fact rows add up to.
      const bySegment = await report(`from=${FROM}&to=${TO}&groupBy=segment`);
      for (const id of ['seg-gold', 'seg-all']) {
        const counted = await report(`from=${FROM}&to=${TO}&groupBy=channel&segmentId=${id}`);
        expect(counted.source).toBe('facts');
        expect(bySegment.rows.find((r: any) => r.key === id).metrics).toEqual(counted.totals);
      }
      for (const dim of ['channel', 'queue', 'agent'] as const) {
        // "Everyone" is added up from the fact rows (source: facts); the desk's report reads the daily cells.
        const rolled = await report(`from=${FROM}&to=${TO}&groupBy=${dim}`);
        const counted = await report(`from=${FROM}&to=${TO}&groupBy=${dim}&segmentId=seg-all`);
        expect(rolled.source).toBe('rollup');
        expect(counted.source).toBe('facts');
        expect(rolled.rows).toEqual(counted.rows);
        expect(rolled.totals).toEqual(counted.totals);
        expect(rolled.series).toEqual(counted.series);
        checkReport(rolled, dim, clock);
      }
    };
    await compare();

    // Changes after the rollup was built: a new conversation, one answered and resolved, a survey answered.
    clock += 10 * MIN;
    const createdAt = FROM_MS + 5 * HOUR;
    const fresh: Spec = {
      id: 'conv-new',
      customerId: 'cust-new',
      channel: 'line',
      queueId: queues[0]!,
      agentId: agents[1]!,
      createdAt,
      status: 'open',
      firstResponseAt: createdAt + 3 * MIN,
      resolvedAt: null,
      frDue: createdAt + 30 * MIN,
      resDue: createdAt + 24 * HOUR,
      abandoned: false,
      handles: [],
      csat: null,
      gold: true,
    };
    specs.push(fresh);
    await insertSpec(fresh, clock);
    const open = specs.find((s) => s.status === 'open' && s.agentId && s.queueId && s.createdAt < TO_MS - 2 * HOUR)!;
    open.firstResponseAt = open.createdAt + 20 * MIN;
    open.status = 'resolved';
    open.resolvedAt = open.createdAt + 2 * HOUR;
    open.handles.push({ agentId: open.agentId!, queueId: open.queueId, handleMs: 90 * MIN });
    open.csat = 5;
    await db
      .knex('conversations')
      .where({ id: open.id })
      .update({ first_response_at: open.firstResponseAt, status: 'resolved', resolved_at: open.resolvedAt, updated_at: clock });
    await db.knex('routing_events').insert({
      id: `${open.id}-late`,
      type: 'resolved',
      conversation_id: open.id,
      queue_id: open.queueId,
      agent_id: open.agentId,
      at: clock,
      data: JSON.stringify({ handleMs: 90 * MIN }),
    });
    await insertSurvey(open, { sentAt: clock, expiresAt: clock + HOUR, answeredAt: clock });
    // A survey answered later, with nothing else written to its conversation.
    const rated = specs.find((s) => s.status === 'resolved' && s.agentId && s.csat === null && s !== open)!;
    rated.csat = 2;
    await insertSurvey(rated, { sentAt: clock, expiresAt: clock + HOUR, answeredAt: clock });
    // A customer answers a campaign message days later: it counts as replied.
    const unreplied = sends.find((x) => !x.replied && x.sentAt >= FROM_MS && x.sentAt < TO_MS)!;
    unreplied.replied = true;
    const theirs = specs.find((x) => x.customerId === unreplied.customerId)!;
    await db.knex('messages').insert({
      id: 'msg-late-reply',
      conversation_id: theirs.id,
      channel_account_id: accounts[unreplied.channel],
      direction: 'inbound',
      sender_type: 'customer',
      parts: '[]',
      text: 'สนใจค่ะ',
      status: 'received',
      created_at: clock,
      updated_at: clock,
    });
    await db
      .knex('conversations')
      .where({ id: theirs.id })
      .update({ last_message_at: clock, last_customer_message_at: clock, updated_at: clock });
    await compare();
    const inside = sends.filter((x) => x.sentAt >= FROM_MS && x.sentAt < TO_MS);
    expect((await report(`from=${FROM}&to=${TO}`)).totals).toMatchObject({
      campaignSends: inside.length,
      campaignReplies: inside.filter((x) => x.replied).length,
    });

    // Two hours on, two resolution clocks have come due with no write at all: missed now. (The pass before
    // is past the re-read margin of the changes above, so only the due clocks can make the rollup move.)
    clock += 5 * MIN;
    const before = await report(`from=${FROM}&to=${TO}`);
    clock += 2 * HOUR;
    const after = await report(`from=${FROM}&to=${TO}`);
    expect(after.totals.slaResolutionMissed).toBe(before.totals.slaResolutionMissed + 2);
    await compare();

    // What the passes kept up change by change is what a first build from scratch counts.
    const kept = await Promise.all(['channel', 'queue', 'agent', 'segment'].map((g) => report(`from=${FROM}&to=${TO}&groupBy=${g}`)));
    await db.knex('report_rollup_state').delete();
    const rebuilt = await Promise.all(['channel', 'queue', 'agent', 'segment'].map((g) => report(`from=${FROM}&to=${TO}&groupBy=${g}`)));
    expect(rebuilt.map((r) => [r.rows, r.totals, r.series])).toEqual(kept.map((r) => [r.rows, r.totals, r.series]));
  });

  test('the CSV has the same figures as the JSON, UTF-8 with a byte-order mark, Thai names intact', async () => {
    for (const dim of ['queue', 'agent'] as const) {
      const json = await report(`from=${FROM}&to=${TO}&groupBy=${dim}`);
      const res = await fetch(`${server.url}/api/v1/reports.csv?from=${FROM}&to=${TO}&groupBy=${dim}`, {
        headers: { authorization: `Bearer ${supervisor}` },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      expect(res.headers.get('content-disposition')).toContain(`omnidesk-report-${dim}-${FROM}-to-${TO}.csv`);
      const bytes = new Uint8Array(await res.arrayBuffer());
      expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const text = new TextDecoder('utf-8').decode(bytes.slice(3));
      const [header, ...lines] = parseCsv(text) as string[][];
      expect(header!.slice(0, 4)).toEqual(['Key', dim === 'queue' ? 'Queue' : 'Agent', 'Conversations', 'First responses']);
      const col = (name: string) => header!.indexOf(name);
      expect(lines).toHaveLength(json.rows.length + 1);
      const asNumber = (v: string) => (v === '' ? null : Number(v));
      const seconds = (ms: number | null) => (ms === null ? null : Math.round(ms / 100) / 10);
      for (const [i, row] of [...json.rows, { key: '', label: 'Total', metrics: json.totals }].entries()) {
        const line = lines[i]!;
        expect(line[0]).toBe(row.key);
        expect(line[1]).toBe(row.label);
        expect(asNumber(line[col('Conversations')]!)).toBe(row.metrics.conversations);
        expect(asNumber(line[col('First response avg (s)')]!)).toBe(seconds(row.metrics.firstResponseAvgMs));
        expect(asNumber(line[col('Resolution median (s)')]!)).toBe(seconds(row.metrics.resolutionMedianMs));
        expect(asNumber(line[col('Handle avg (s)')]!)).toBe(seconds(row.metrics.handleAvgMs));
        expect(asNumber(line[col('SLA first response %')]!)).toBe(row.metrics.slaFirstResponsePct);
        expect(asNumber(line[col('SLA resolution %')]!)).toBe(row.metrics.slaResolutionPct);
        expect(asNumber(line[col('Abandoned %')]!)).toBe(row.metrics.abandonmentPct);
        expect(asNumber(line[col('CSAT avg')]!)).toBe(row.metrics.csatAvg);
        expect(asNumber(line[col('Campaign sends')]!)).toBe(row.metrics.campaignSends);
      }
      if (dim === 'queue') expect(lines.map((l) => l[1])).toContain('ฝ่ายขาย');
      else expect(lines.map((l) => l[1])).toContain('สมชาย ใจดี');
    }
    // A name a spreadsheet would run as a formula is written as text.
    const renamed = await server.api.request('PATCH', `/api/v1/queues/${queues[1]}`, { token: admin, body: { name: '=HYPERLINK("x")' } });
    expect(renamed.status).toBe(200);
    const res = await fetch(`${server.url}/api/v1/reports.csv?from=${FROM}&to=${TO}&groupBy=queue`, {
      headers: { authorization: `Bearer ${supervisor}` },
    });
    expect((parseCsv((await res.text()).slice(1)) as string[][]).map((l) => l[1])).toContain(`'=HYPERLINK("x")`);
    await server.api.request('PATCH', `/api/v1/queues/${queues[1]}`, { token: admin, body: { name: 'Support' } });
  });

  test('agents may not read reports (403); the CSV neither', async () => {
    expectError(await get(`/reports?from=${FROM}&to=${TO}`, agentToken), 403, 'FORBIDDEN');
    expectError(await get(`/reports.csv?from=${FROM}&to=${TO}`, agentToken), 403, 'FORBIDDEN');
    expectError(await server.api.request('GET', `/api/v1/reports?from=${FROM}&to=${TO}`), 401, 'UNAUTHENTICATED');
  });

  test.each([
    ['from is missing', `to=${TO}`, 'query.from'],
    ['not a real date', `from=2025-02-30&to=${TO}`, 'query.from'],
    ['a date in another format', `from=01/03/2025&to=${TO}`, 'query.from'],
    ['to before from', `from=${TO}&to=${FROM}`, 'query.to'],
    ['more than 400 days', 'from=2024-01-01&to=2025-02-04', '401 days'],
    ['an unknown time zone', `from=${FROM}&to=${TO}&tz=Mars/Olympus`, 'query.tz'],
    ['an unknown dimension', `from=${FROM}&to=${TO}&groupBy=customer`, 'query.groupBy'],
    ['an unknown segment', `from=${FROM}&to=${TO}&segmentId=nope`, 'query.segmentId'],
    ['an unknown parameter', `from=${FROM}&to=${TO}&limit=5`, 'limit'],
  ])('bad parameters are a clear 400: %s', async (_what, params, mentions) => {
    expectError(await get(`/reports?${params}`), 400, 'VALIDATION', mentions);
    expectError(await get(`/reports.csv?${params}`), 400, 'VALIDATION', mentions);
  });

  test('exactly 400 days is allowed', async () => {
    const body = await report('from=2024-02-05&to=2025-03-10');
    expect(body.period.days).toBe(400);
    expect(body.totals.conversations).toBe(specs.filter((s) => s.createdAt < TO_MS).length);
  });
});
