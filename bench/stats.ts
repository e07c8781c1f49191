// Cost of live queue statistics: 50 supervisor sockets watching 100 queues while routing produces
// 1,000 events a second. `npx tsx bench/stats.ts`; prints a table, writes bench/results/stats.json.
//
// In this process: a real SQLite database (the routing events are really inserted, and the publisher
// really tails them), a real EventBus, the real StatsPublisher, and a bare socket.io server whose
// `supervisors` room it emits to, exactly as server.ts wires it. The routing board is synthetic (a
// world of 100 queues, 500 agents and their conversations, advanced by a driver), so the figures are
// the statistics' cost and not the routing engine's. The 50 supervisor sockets are real socket.io
// clients in a child process; each counts the bytes of every packet it receives (without decoding).
//
// CPU is process.cpuUsage() (user + system, all threads) over each phase, in % of one core. Phases of
// equal length alternate: the driver alone, with the publisher, alone, with the publisher, alone; the
// statistics cost is each phase with it minus the mean of the phases alone on either side, averaged.
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Server } from 'socket.io';
import { io as ioClient } from 'socket.io-client';
import * as parser from 'socket.io-parser';
import { migrate, openDatabase } from '../db/connection.js';
import { createStore, type Store } from '../db/store.js';
import type { RoutingEventType } from '../db/stores/routing-events.store.js';
import { createLogger } from '../server/logger.js';
import { EventBus } from '../server/event-bus.js';
import type { DomainEvent } from '../server/domain/events.js';
import type { StatsSnapshot } from '../server/domain/routing/queue-stats.js';
import type { QueueStatsDelta } from '../server/domain/routing/stats-delta.js';
import { DEFAULT_CAPACITY, QUEUE_DEFAULTS, type AgentRouting, type QueueConfig } from '../server/domain/routing/types.js';
import type { Conversation } from '../server/domain/types.js';
import type { ServerToClientEvents } from '../server/realtime/contract.js';
import { DEFAULT_STATS_OPTIONS, StatsPublisher } from '../server/routing/stats-publisher.js';
import { table } from './lib/stats.js';
import { prng } from './lib/prng.js';

const env = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);
const RATE = env('BENCH_STATS_RATE', 1_000); // routing events per second
const QUEUES = env('BENCH_STATS_QUEUES', 100);
const SUPERVISORS = env('BENCH_STATS_SUPERVISORS', 50);
const AGENTS = env('BENCH_STATS_AGENTS', 500);
const PHASE_S = env('BENCH_STATS_PHASE_S', 15);
const ROUNDS = env('BENCH_STATS_ROUNDS', 2);
const WARMUP_S = env('BENCH_STATS_WARMUP_S', 5);
const OUT = process.env.BENCH_OUT ?? 'bench/results/stats.json';
const TARGET_CPU_PCT = 5;
const TARGET_BYTES_PER_S = 2_048;

// ---- the supervisors (child process) ------------------------------------------------------------

type ClientMessage = { type: 'reset' } | { type: 'report' };
type ParentMessage = { type: 'ready' } | { type: 'report'; bytes: number[]; packets: number[] };

async function runSupervisors(url: string, count: number): Promise<void> {
  const bytes = new Array<number>(count).fill(0);
  const packets = new Array<number>(count).fill(0);
  // socket.io-parser hands each packet's text to `add`: an EVENT ("2[...]") is counted and dropped.
  // +1 byte for engine.io's packet type prefix ("4"), so the count is the WebSocket frame's payload.
  const countingParser = (i: number) => ({
    ...parser,
    Decoder: class extends parser.Decoder {
      override add(obj: unknown): void {
        if (typeof obj === 'string' && obj.charCodeAt(0) === 50) {
          bytes[i]! += Buffer.byteLength(obj) + 1;
          packets[i]!++;
          return;
        }
        super.add(obj);
      }
    },
  });
  await Promise.all(
    Array.from(
      { length: count },
      (_, i) =>
        new Promise<void>((resolve, reject) => {
          const s = ioClient(url, { transports: ['websocket'], reconnection: false, forceNew: true, parser: countingParser(i) });
          s.once('connect', () => resolve());
          s.once('connect_error', reject);
        }),
    ),
  );
  process.on('message', (m: ClientMessage) => {
    if (m.type === 'reset') {
      bytes.fill(0);
      packets.fill(0);
    } else process.send!({ type: 'report', bytes, packets } satisfies ParentMessage);
  });
  process.send!({ type: 'ready' } satisfies ParentMessage);
}

type Supervisors = { child: ChildProcess; ask: (m: ClientMessage) => Promise<ParentMessage> };

function startSupervisors(url: string): Promise<Supervisors> {
  const child = fork(path.join(import.meta.dirname, 'stats.ts'), ['supervisors', url, String(SUPERVISORS)], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  process.on('exit', () => child.kill('SIGKILL'));
  const ask = (m: ClientMessage) =>
    new Promise<ParentMessage>((resolve) => {
      if (m.type === 'report') child.once('message', (r: ParentMessage) => resolve(r));
      child.send(m);
      if (m.type !== 'report') resolve({ type: 'ready' });
    });
  return new Promise((resolve, reject) => {
    child.once('message', () => resolve({ child, ask }));
    child.once('exit', (code) => reject(new Error(`the supervisors' process exited (${code})`)));
  });
}

// ---- a synthetic routing world ------------------------------------------------------------------

const rand = prng(7);
const int = (n: number) => Math.floor(rand() * n);

interface Step {
  kind: 'offer' | 'answer' | 'resolve';
  id: string;
  queueId: string;
  enqueuedAt: number;
  agentId?: string;
  acceptedAt?: number;
}

/**
 * Conversations arrive, wait 1–6 s, are offered, answered 1–30 s later (one in ten declined first, one
 * in twenty abandoned instead), and resolved 1–3 minutes after. Every routing event is inserted in
 * the database and rung on the EventBus as the routing service would; agents flip presence 10 times a second.
 */
class World {
  // Ids shaped like the real ones (UUIDs): they are a good part of every patch on the wire.
  readonly queues: QueueConfig[] = Array.from({ length: QUEUES }, (_, i) => ({ ...QUEUE_DEFAULTS, id: uuidOf(i), name: `Queue ${i}` }));
  readonly agents: AgentRouting[];
  private readonly members = new Map<string, AgentRouting[]>();
  private readonly waiting = new Map<string, { id: string; queueId: string; enqueuedAt: number }>();
  private readonly due = new Map<number, Step[]>(); // 100 ms slots
  private nextSlot = Math.floor(Date.now() / 100);
  private started = 0;
  private emitted = 0;
  private seq = 0;
  routingEvents = 0;
  busEvents = 0;

  constructor(
    private readonly store: Store,
    private readonly bus: EventBus,
  ) {
    this.agents = Array.from({ length: AGENTS }, (_, i) => ({
      id: `a${i}`,
      presence: i % 10 === 0 ? 'away' : 'available',
      presenceSince: Date.now(),
      skills: {},
      capacity: { ...DEFAULT_CAPACITY },
      load: { voice: 0, chat: 0, messaging: 0, email: 0 },
      queueIds: [uuidOf(i % QUEUES), uuidOf((i * 7 + 3) % QUEUES)],
      idleSince: Date.now(),
      lastOfferAt: 0,
    }));
    for (const a of this.agents) for (const q of a.queueIds) this.members.set(q, [...(this.members.get(q) ?? []), a]);
  }

  snapshot = (): StatsSnapshot => ({
    queues: this.queues.map((q) => ({ ...q })),
    agents: this.agents.map((a) => ({ ...a, load: { ...a.load }, queueIds: [...a.queueIds] })),
    waiting: [...this.waiting.values()].map((w) => ({ ...w })),
  });

  start(): void {
    this.started = performance.now();
    this.emitted = 0;
  }

  /** Emits the routing events due by now (open loop: a slow tick is caught up by the next). */
  async tick(): Promise<void> {
    const target = Math.floor(((performance.now() - this.started) / 1000) * RATE);
    const now = Date.now();
    let ready: Step[] = [];
    for (const slot = Math.floor(now / 100); this.nextSlot <= slot; this.nextSlot++) {
      ready = ready.concat(this.due.get(this.nextSlot) ?? []);
      this.due.delete(this.nextSlot);
    }
    const later: Step[] = [];
    while (this.emitted < target) {
      const step = ready.shift();
      if (step) {
        if (step.kind === 'resolve') await this.resolve(step, now);
        else await this.advance(step, now, later);
      } else await this.arrive(now);
    }
    for (const s of ready.concat(later)) this.schedule(now + 100, s); // not reached this tick: next one
  }

  presenceFlip(): void {
    const a = this.agents[int(AGENTS)]!;
    a.presence = a.presence === 'available' ? 'away' : 'available';
    a.presenceSince = Date.now();
    this.publish({ type: 'presence.changed', agentId: a.id, presence: a.presence, reason: null, since: a.presenceSince });
  }

  private async arrive(now: number): Promise<void> {
    const id = `c${++this.seq}`;
    const queueId = uuidOf(int(QUEUES));
    this.waiting.set(id, { id, queueId, enqueuedAt: now });
    await this.record('enqueued', id, queueId, now);
    this.publish({ type: 'conversation.created', conversation: conversation(id, queueId, null, 'open') });
    this.schedule(now + 1_000 + int(5_000), { kind: 'offer', id, queueId, enqueuedAt: now });
  }

  private async advance(step: Step, now: number, later: Step[]): Promise<void> {
    const { id, queueId } = step;
    if (step.kind === 'offer') {
      if (rand() < 0.05) {
        this.waiting.delete(id);
        await this.record('abandoned', id, queueId, now);
        this.publish({
          type: 'conversation.updated',
          conversation: conversation(id, queueId, null, 'resolved', now),
          previous: conversation(id, queueId, null, 'open'),
        });
        return;
      }
      const members = this.members.get(queueId) ?? this.agents;
      const agent = members[int(members.length)]!;
      agent.load.chat = Math.min(agent.capacity.chat, agent.load.chat + 1);
      await this.record('offered', id, queueId, now, agent.id);
      this.publish({
        type: 'offer.created',
        offer: offer(id, queueId, agent.id, now),
        conversation: conversation(id, queueId, null, 'open'),
      });
      this.schedule(now + 1_000 + int(29_000), { ...step, kind: 'answer', agentId: agent.id });
      return;
    }
    const agentId = step.agentId!;
    if (rand() < 0.1) {
      await this.record('declined', id, queueId, now, agentId);
      this.publish({ type: 'offer.ended', offer: offer(id, queueId, agentId, now), reason: 'declined' });
      later.push({ ...step, kind: 'offer' });
      return;
    }
    this.waiting.delete(id);
    await this.record('accepted', id, queueId, now, agentId, { waitedMs: now - step.enqueuedAt });
    this.publish({ type: 'offer.ended', offer: offer(id, queueId, agentId, now), reason: 'accepted' });
    this.publish({
      type: 'conversation.updated',
      conversation: conversation(id, queueId, agentId, 'open'),
      previous: conversation(id, queueId, null, 'open'),
    });
    this.schedule(now + 60_000 + int(120_000), { ...step, kind: 'resolve', acceptedAt: now });
  }

  private async resolve(step: Step, now: number): Promise<void> {
    const agent = this.agents[Number(step.agentId!.slice(1))]!;
    agent.load.chat = Math.max(0, agent.load.chat - 1);
    await this.record('resolved', step.id, step.queueId, now, step.agentId, { handleMs: now - (step.acceptedAt ?? now) });
    this.publish({
      type: 'conversation.updated',
      conversation: conversation(step.id, step.queueId, step.agentId!, 'resolved', now),
      previous: conversation(step.id, step.queueId, step.agentId!, 'open'),
    });
  }

  private async record(type: RoutingEventType, id: string, queueId: string, at: number, agentId?: string, data?: Record<string, unknown>) {
    await this.store.routingEvents.record({ type, conversationId: id, queueId, agentId, at, data });
    this.emitted++;
    this.routingEvents++;
  }

  private publish(e: DomainEvent): void {
    this.busEvents++;
    this.bus.publish(e);
  }

  private schedule(at: number, step: Step): void {
    const slot = Math.max(Math.floor(at / 100), this.nextSlot);
    const list = this.due.get(slot);
    if (list) list.push(step);
    else this.due.set(slot, [step]);
  }
}

const uuidOf = (i: number) => `0199a2b4-7c1d-7e3f-9a5b-${String(i).padStart(12, '0')}`;

// Just what the statistics read of a conversation; the rest is filler.
function conversation(
  id: string,
  queueId: string,
  assigneeId: string | null,
  status: Conversation['status'],
  resolvedAt: number | null = null,
) {
  return { id, queueId, assigneeId, status, resolvedAt, channelKind: 'web_chat' } as Conversation;
}
const offer = (conversationId: string, queueId: string, agentId: string, at: number) => ({
  conversationId,
  agentId,
  queueId,
  offeredAt: at,
  expiresAt: at + 20_000,
});

// ---- the run ------------------------------------------------------------------------------------

async function phase(world: World, seconds: number): Promise<{ cpuPct: number; seconds: number; events: number }> {
  const events0 = world.routingEvents;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) {
    await world.tick();
    await new Promise((r) => setTimeout(r, 10));
  }
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { cpuPct: round(((cpu.user + cpu.system) / 1e6 / wall) * 100, 2), seconds: round(wall, 2), events: world.routingEvents - events0 };
}

const round = (n: number, places = 1) => Math.round(n * 10 ** places) / 10 ** places;

/** One phase with the publisher wired as in server.ts, each push timed per queue to report how fresh each queue is. */
async function withStats(
  world: World,
  store: Store,
  bus: EventBus,
  io: Server<Record<string, never>, ServerToClientEvents>,
  supervisors: Supervisors,
) {
  const refreshes = new Map<number, number[]>();
  const publisher = new StatsPublisher(
    {
      snapshot: world.snapshot,
      source: store.routingEvents,
      events: bus,
      now: Date.now,
      log: createLogger('warn'),
      emit: (d: QueueStatsDelta) => {
        io.to('supervisors').emit('queue:stats', d);
        const t = performance.now();
        for (const [ref] of d.queues) {
          const times = refreshes.get(ref);
          if (times) times.push(t);
          else refreshes.set(ref, [t]);
        }
      },
    },
    DEFAULT_STATS_OPTIONS,
  );
  const seedStart = performance.now();
  await publisher.start();
  const seedMs = performance.now() - seedStart;
  const fullBytes = Buffer.byteLength(JSON.stringify(await publisher.current()));
  await phase(world, WARMUP_S);
  await supervisors.ask({ type: 'reset' });
  refreshes.clear();
  const m0 = publisher.metrics();
  const during = await phase(world, PHASE_S);
  const m1 = publisher.metrics();
  const report = (await supervisors.ask({ type: 'report' })) as Extract<ParentMessage, { type: 'report' }>;
  await publisher.stop();
  return { during, m0, m1, report, refreshes, seedMs, fullBytes };
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'omnidesk-bench-stats-'));
  const db = openDatabase(`sqlite:${path.join(dir, 'bench.sqlite')}`);
  await migrate(db);
  const store = createStore(db);
  const bus = new EventBus((err) => console.error(err));
  const world = new World(store, bus);

  const httpServer = http.createServer();
  const io = new Server<Record<string, never>, ServerToClientEvents>(httpServer);
  io.on('connection', (socket) => void socket.join('supervisors'));
  await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;
  const supervisors = await startSupervisors(url);
  while (io.of('/').adapter.rooms.get('supervisors')?.size !== SUPERVISORS) await new Promise((r) => setTimeout(r, 50));

  const flips = setInterval(() => world.presenceFlip(), 100);
  console.log(`warming up for ${WARMUP_S} s at ${RATE} routing events/s over ${QUEUES} queues…`);
  world.start();
  await phase(world, WARMUP_S);
  const total = 2 * ROUNDS + 1;
  let n = 1;
  console.log(`phase ${n++}/${total}: routing events alone, ${PHASE_S} s`);
  const alone = [await phase(world, PHASE_S)];
  const rounds: Awaited<ReturnType<typeof withStats>>[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    console.log(`phase ${n++}/${total}: with live statistics pushed to ${SUPERVISORS} supervisors, ${PHASE_S} s`);
    rounds.push(await withStats(world, store, bus, io, supervisors));
    console.log(`phase ${n++}/${total}: routing events alone again, ${PHASE_S} s`);
    alone.push(await phase(world, PHASE_S));
  }
  clearInterval(flips);
  // Each phase with statistics against the mean of the phases alone on either side of it: the load
  // drifts as the database grows, and alternating cancels most of that drift.
  const costs = rounds.map((r, i) => r.during.cpuPct - (alone[i]!.cpuPct + alone[i + 1]!.cpuPct) / 2);
  const { during, m0, m1, report, refreshes, seedMs, fullBytes } = rounds[rounds.length - 1]!;
  const before = alone[0]!;
  const after = alone[alone.length - 1]!;

  const perSupervisor = report.bytes.map((b) => b / during.seconds);
  const pushes = m1.pushes - m0.pushes;
  const periods = [...refreshes.values()].flatMap((times) => times.slice(1).map((t, i) => (t - times[i]!) / 1000));
  const result = {
    startedAt: new Date().toISOString(),
    machine: { cores: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version },
    load: {
      routingEventsPerSecond: round(during.events / during.seconds),
      queues: QUEUES,
      agents: AGENTS,
      supervisors: SUPERVISORS,
      phaseSeconds: PHASE_S,
      eventsInDatabase: world.routingEvents,
    },
    cpuPctOfOneCore: {
      routingAloneBefore: before.cpuPct,
      withStats: during.cpuPct,
      routingAloneAfter: after.cpuPct,
      stats: round(costs.reduce((a, b) => a + b, 0) / costs.length, 2),
      statsPerRound: costs.map((c) => round(c, 2)),
      alone: alone.map((a) => a.cpuPct),
      withStatsPerRound: rounds.map((r) => r.during.cpuPct),
      publisherBusy: round(((m1.busyMs - m0.busyMs) / 1000 / during.seconds) * 100, 2),
    },
    perSupervisor: {
      bytesPerSecondMean: Math.round(perSupervisor.reduce((a, b) => a + b, 0) / perSupervisor.length),
      bytesPerSecondMax: Math.round(Math.max(...perSupervisor)),
      packetsPerSecond: round(report.packets[0]! / during.seconds, 2),
      sameForAll: report.bytes.every((b) => b === report.bytes[0]),
    },
    pushes: {
      perSecond: round(pushes / during.seconds, 2),
      meanBytes: pushes ? Math.round((m1.bytes - m0.bytes) / pushes) : 0,
      // What every changed queue in every push would have cost each supervisor (deltas without the budget).
      unbudgetedBytesPerSecond: Math.round((m1.unbudgetedBytes - m0.unbudgetedBytes) / during.seconds),
      queuesPerPush: pushes ? round([...refreshes.values()].reduce((n, times) => n + times.length, 0) / pushes, 1) : 0,
      queueRefreshSeconds: {
        mean: periods.length ? round(periods.reduce((a, b) => a + b, 0) / periods.length, 2) : null,
        max: periods.length ? round(Math.max(...periods), 2) : null,
      },
      fullReportBytes: fullBytes,
    },
    seed: { ms: round(seedMs), events: m0.eventsRead },
    targets: { cpuPct: TARGET_CPU_PCT, bytesPerSecondPerSupervisor: TARGET_BYTES_PER_S },
  };

  const r = result;
  console.log();
  console.log(
    table(
      ['live queue statistics', 'measured', 'target'],
      [
        ['routing events / s (driven)', r.load.routingEventsPerSecond, `${RATE}`],
        ['CPU, routing alone (each phase)', `${alone.map((a) => a.cpuPct).join(' / ')} %`, ''],
        ['CPU, with statistics (each phase)', `${rounds.map((x) => x.during.cpuPct).join(' / ')} %`, ''],
        [
          'CPU of the statistics (mean difference)',
          `${r.cpuPctOfOneCore.stats} % (${r.cpuPctOfOneCore.statsPerRound.join(', ')})`,
          `< ${TARGET_CPU_PCT} %`,
        ],
        ['  of which publisher busy (compute, diff, emit)', `${r.cpuPctOfOneCore.publisherBusy} %`, ''],
        [
          'bytes / s per supervisor (mean / max)',
          `${r.perSupervisor.bytesPerSecondMean} / ${r.perSupervisor.bytesPerSecondMax}`,
          `≤ ~${TARGET_BYTES_PER_S}`,
        ],
        ['pushes / s, mean bytes per push', `${r.pushes.perSecond}, ${r.pushes.meanBytes}`, '≤ ~1 / s'],
        ['queues per push', r.pushes.queuesPerPush, ''],
        ['bytes / s without the budget (all changed queues)', r.pushes.unbudgetedBytesPerSecond, ''],
        ['queue refresh period (mean / max)', `${r.pushes.queueRefreshSeconds.mean} / ${r.pushes.queueRefreshSeconds.max} s`, ''],
        ['full report (REST), bytes', r.pushes.fullReportBytes, ''],
        ['seed at start (events read, ms)', `${r.seed.events}, ${r.seed.ms} ms`, ''],
      ],
    ),
  );
  fs.mkdirSync(path.dirname(OUT), { recursive: true });
  fs.writeFileSync(OUT, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`\nwrote ${OUT}`);

  supervisors.child.kill();
  io.close();
  await db.close();
  fs.rmSync(dir, { recursive: true, force: true });
}

if (process.argv[2] === 'supervisors') {
  await runSupervisors(process.argv[3]!, Number(process.argv[4]));
} else {
  await main();
}
