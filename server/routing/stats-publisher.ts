// Pushes live queue statistics to the supervisors room, coalesced and within a byte budget.
//
// Counting: the routing events of the rolling window are counted in memory (StatsWindow), seeded from
// the database once at start. After that only new rows are read: the events table is tailed from the
// newest `at` seen (minus a small overlap, de-duplicated by id, for rows committed late). Routing
// events are recorded only by the routing leader (one clock), so the overlap needs to cover commit
// delays, not clock skew between nodes. The routing service records `enqueued`, `overflowed`, `abandoned` and
// `resolved` (with its handle time) without publishing them on the EventBus, so the stored events are
// the source and the bus is the doorbell; a new leader or a restarted node seeds the same numbers.
//
// Pushing: a domain event (conversation.*, offer.*, presence.changed, routing.config_changed) marks
// the numbers dirty; a flush follows `settleMs` later (so the routing service has written the events
// it is about to), at most one per `minIntervalMs`, and emits only when a figure changed. A flush that
// found something schedules one more, which catches events recorded just after the doorbell; a slow
// poll catches what rings no bell (another node's work, the window sliding by a minute).
//
// Budget: each push is a packed delta (only the queues and fields that changed; stats-delta.ts), and
// pushes spend from a token bucket of `bytesPerSecond`. When more queues changed than the budget
// carries, those waiting longest go first and the rest follow in the next pushes: with 100 busy queues
// a board refreshes each queue every few seconds instead of breaking the budget. The full report
// (`current()`) goes to each supervisor socket as it joins (realtime/queue-stats-room.ts) and over REST.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { DomainEvent } from '../domain/events.js';
import {
  computeQueueStats,
  DEFAULT_QUEUE_STATS_OPTIONS,
  type QueueStats,
  type QueueStatsReport,
  type StatsFigures,
  type StatsSnapshot,
} from '../domain/routing/queue-stats.js';
import { diffFigures, encodePatch, type QueueStatsDelta, type QueueStatsFull, type WirePatch } from '../domain/routing/stats-delta.js';
import { DEFAULT_WINDOW, StatsWindow, type StatsEvent, type WindowOptions } from '../domain/routing/stats-window.js';
import type { EventBus } from '../event-bus.js';

export interface StatsPublisherOptions {
  /** At most one push per this many milliseconds. */
  minIntervalMs: number;
  /** Delay between the first change and the flush it triggers, so that a burst makes one push. */
  settleMs: number;
  /** A flush at least this often, for changes that publish no domain event here. */
  pollMs: number;
  /** Byte budget of the pushes, per supervisor socket. */
  bytesPerSecond: number;
  /** How far behind the newest event seen the events table is re-read (late commits). */
  overlapMs: number;
  window: WindowOptions;
  defaultHandleMs: number;
}

export const DEFAULT_STATS_OPTIONS: StatsPublisherOptions = {
  minIntervalMs: 1_000,
  settleMs: 50,
  pollMs: 5_000,
  bytesPerSecond: 2_000,
  overlapMs: 500,
  window: DEFAULT_WINDOW,
  defaultHandleMs: DEFAULT_QUEUE_STATS_OPTIONS.defaultHandleMs,
};

/** Stored routing events since a time, oldest first (RoutingEventsStore satisfies it). */
export interface RoutingEventSource {
  listSince(since: number): Promise<(StatsEvent & { id: string })[]>;
}

export interface StatsPublisherDeps {
  snapshot: () => StatsSnapshot;
  source: RoutingEventSource;
  events: EventBus;
  /** The domain clock (event times). */
  now: () => number;
  /** Sends a delta to the supervisors room. */
  emit: (delta: QueueStatsDelta) => void;
  log: Logger;
  /** A monotonic clock in ms for pacing (real time even when the domain clock is frozen in tests). */
  monotonic?: () => number;
}

export interface StatsPublisherMetrics {
  flushes: number;
  pushes: number;
  /** Bytes of the JSON payloads pushed (each supervisor socket receives all of them). */
  bytes: number;
  /** Bytes the pushes would have had without the budget (every changed queue in every push). */
  unbudgetedBytes: number;
  eventsRead: number;
  /** Milliseconds spent computing, diffing and emitting (not waiting on the database). */
  busyMs: number;
}

const DOORBELLS: ReadonlySet<DomainEvent['type']> = new Set([
  'conversation.created',
  'conversation.updated',
  'offer.created',
  'offer.ended',
  'presence.changed',
  'routing.config_changed',
]);

export class StatsPublisher {
  private readonly window: StatsWindow;
  private readonly mono: () => number;
  private thresholds = new Map<string, number>();
  /** Where the next read of the events table starts (the newest event seen, less the overlap), and the ids read since (skipped when re-read). */
  private readFrom = 0;
  private readonly seen = new Map<string, number>();
  private reading: Promise<unknown> = Promise.resolve();
  /** What supervisors hold: the last values pushed per queue, and overall. */
  private readonly sent = new Map<string, QueueStats>();
  private sentOverall: StatsFigures | undefined;
  private seq = 0;
  /** This publisher's stream: sequence numbers and queue refs count within it. */
  readonly stream = randomUUID();
  private readonly refs = new Map<string, number>();
  private nextRef = 1;
  /** Queues with changes not pushed yet, since when (monotonic ms): the oldest go first. */
  private readonly pendingSince = new Map<string, number>();
  private tokens: number;
  private refilledAt: number;
  private lastPushAt = -Infinity;
  private timer: NodeJS.Timeout | undefined;
  private poll: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private dirty = false;
  private stopped = true;
  private unsubscribe: (() => void) | undefined;
  private markStarted: () => void = () => undefined;
  /** Resolves once the window is seeded: a report asked for earlier waits for it. */
  private readonly started = new Promise<void>((resolve) => (this.markStarted = resolve));
  private readonly counters: StatsPublisherMetrics = { flushes: 0, pushes: 0, bytes: 0, unbudgetedBytes: 0, eventsRead: 0, busyMs: 0 };

  constructor(
    private readonly deps: StatsPublisherDeps,
    private readonly options: StatsPublisherOptions = DEFAULT_STATS_OPTIONS,
  ) {
    this.window = new StatsWindow(options.window);
    this.mono = deps.monotonic ?? (() => performance.now());
    this.tokens = this.burst;
    this.refilledAt = this.mono();
  }

  /** Seeds the window from the database, takes the current numbers as what supervisors hold, and listens. */
  async start(): Promise<void> {
    const now = this.deps.now();
    const snapshot = this.deps.snapshot();
    this.thresholds = new Map(snapshot.queues.map((q) => [q.id, q.serviceLevelMs]));
    for (const w of snapshot.waiting) this.window.noteWaiting(w.id, w.queueId, w.enqueuedAt);
    this.readFrom = this.window.earliest(now);
    await this.readNew();
    const report = this.compute();
    for (const q of report.queues) this.sent.set(q.queueId, q);
    this.sentOverall = report.overall;
    this.stopped = false;
    this.unsubscribe = this.deps.events.subscribe((e) => this.onEvent(e));
    this.poll = setInterval(() => this.request(0), this.options.pollMs);
    this.poll.unref();
    this.markStarted();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.poll);
    this.unsubscribe?.();
    await this.flushing;
    await this.reading.catch(() => undefined);
  }

  /** The full report now (fresh events included), with the sequence number of the last push. */
  async current(): Promise<QueueStatsFull> {
    await this.started;
    await this.readNew();
    const report = this.compute();
    const refs = Object.fromEntries(report.queues.map((q) => [q.queueId, this.refOf(q.queueId)]));
    return { kind: 'full', stream: this.stream, seq: this.seq, refs, ...report };
  }

  metrics(): StatsPublisherMetrics {
    return { ...this.counters };
  }

  // ---- internals ----------------------------------------------------------------------------

  private get burst(): number {
    return (this.options.bytesPerSecond * Math.max(this.options.minIntervalMs, 1_000)) / 1_000;
  }

  private onEvent(e: DomainEvent): void {
    if (!DOORBELLS.has(e.type)) return;
    this.request(this.options.settleMs);
  }

  /** Asks for a flush no sooner than `afterMs` from now and within the pacing. */
  private request(afterMs: number): void {
    this.dirty = true;
    if (this.stopped || this.timer || this.flushing) return; // a flush in progress re-checks `dirty` when it ends
    this.schedule(afterMs);
  }

  private schedule(afterMs: number): void {
    const delay = Math.max(afterMs, this.nextAllowedAt() - this.mono());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flushing = this.flush().finally(() => {
        this.flushing = undefined;
      });
    }, delay);
    this.timer.unref();
  }

  /**
   * Pushes no sooner than `minIntervalMs` after the last push, nor while the byte budget is overdrawn;
   * with changes held back, not before half a burst has accrued, so each push carries a useful load.
   */
  private nextAllowedAt(): number {
    this.refill();
    const wanted = this.pendingSince.size > 0 ? this.burst / 2 : 0;
    const wait = this.tokens < wanted ? ((wanted - this.tokens) / this.options.bytesPerSecond) * 1_000 : 0;
    return Math.max(this.lastPushAt + this.options.minIntervalMs, this.refilledAt + wait);
  }

  private refill(): void {
    const t = this.mono();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.refilledAt) / 1_000) * this.options.bytesPerSecond);
    this.refilledAt = t;
  }

  private async flush(): Promise<void> {
    this.dirty = false;
    let more = false;
    try {
      const read = await this.readNew();
      if (this.stopped) return;
      const started = this.mono();
      const next = this.nextDelta(this.compute());
      if (next) {
        const { delta, bytes } = next;
        this.tokens -= bytes;
        this.lastPushAt = this.mono();
        this.counters.pushes++;
        this.counters.bytes += bytes;
        this.deps.emit(delta);
      }
      this.counters.flushes++;
      this.counters.busyMs += this.mono() - started;
      // Something moved: look again shortly, for events recorded just after the doorbell rang.
      more = read > 0 || next !== undefined || this.pendingSince.size > 0;
    } catch (err) {
      this.deps.log.error({ err }, 'queue statistics failed; retrying at the next change or poll');
    }
    if (!this.stopped && (this.dirty || more)) this.schedule(this.options.settleMs);
  }

  /** A queue's service-level threshold; a queue created since the last look is looked up at once, not counted against 0 s. */
  private readonly thresholdOf = (queueId: string): number => {
    if (!this.thresholds.has(queueId)) {
      this.thresholds = new Map(this.deps.snapshot().queues.map((q) => [q.id, q.serviceLevelMs]));
      if (!this.thresholds.has(queueId)) this.thresholds.set(queueId, 0); // a deleted queue: asked once
    }
    return this.thresholds.get(queueId)!;
  };

  /** The small number a queue goes by in deltas; never reused within the stream. */
  private refOf(queueId: string): number {
    let ref = this.refs.get(queueId);
    if (ref === undefined) this.refs.set(queueId, (ref = this.nextRef++));
    return ref;
  }

  /** Counts the events stored since the last read; one read at a time. Returns how many were new. */
  private readNew(): Promise<number> {
    const work = this.reading.then(async () => {
      const rows = await this.deps.source.listSince(this.readFrom);
      const started = this.mono();
      let fresh = 0;
      let newest = -Infinity;
      for (const e of rows) {
        if (e.at > newest) newest = e.at;
        if (this.seen.has(e.id)) continue;
        this.seen.set(e.id, e.at);
        this.window.add(e, this.thresholdOf);
        fresh++;
      }
      this.readFrom = Math.max(this.readFrom, newest - this.options.overlapMs);
      // Ids before the next read's start are never read again. The map is in reading order, nearly time order.
      for (const [id, at] of this.seen) {
        if (at >= this.readFrom) break;
        this.seen.delete(id);
      }
      this.counters.eventsRead += fresh;
      this.counters.busyMs += this.mono() - started;
      return fresh;
    });
    this.reading = work.catch(() => undefined);
    return work;
  }

  private compute(): QueueStatsReport {
    const now = this.deps.now();
    const snapshot = this.deps.snapshot();
    this.thresholds = new Map(snapshot.queues.map((q) => [q.id, q.serviceLevelMs]));
    return computeQueueStats(snapshot, this.window.totals(now), now, this.options);
  }

  /**
   * The changes since the last push that fit the budget (oldest pending first), recorded as sent, with
   * the delta's size in bytes (an upper bound: one comma per patch); undefined when nothing changed.
   */
  private nextDelta(report: QueueStatsReport): { delta: QueueStatsDelta; bytes: number } | undefined {
    const t = this.mono();
    const changed: { queueId: string; patch: WirePatch; bytes: number; since: number; stats: QueueStats }[] = [];
    for (const q of report.queues) {
      const previous = this.sent.get(q.queueId);
      const fields = previous ? diffFigures(previous, q) : q;
      if (Object.keys(fields).length === 0) {
        this.pendingSince.delete(q.queueId);
        continue;
      }
      const since = this.pendingSince.get(q.queueId) ?? t;
      this.pendingSince.set(q.queueId, since);
      // A queue supervisors have not seen yet goes whole, its id included.
      const patch: WirePatch = [this.refOf(q.queueId), ...encodePatch(fields)];
      changed.push({ queueId: q.queueId, patch, bytes: Buffer.byteLength(JSON.stringify(patch)) + 1, since, stats: q });
    }
    const live = new Set(report.queues.map((q) => q.queueId));
    const removed = [...this.sent.keys()].filter((id) => !live.has(id));
    const overall = this.sentOverall ? diffFigures(this.sentOverall, report.overall) : report.overall;
    const overallChanged = Object.keys(overall).length > 0;
    if (changed.length === 0 && removed.length === 0 && !overallChanged) return undefined;

    const queues: WirePatch[] = [];
    const delta: QueueStatsDelta = {
      kind: 'delta',
      stream: this.stream,
      seq: this.seq + 1,
      at: report.at,
      window: report.window,
      interval: report.interval,
      queues,
      removed: removed.map((id) => this.refOf(id)),
      ...(overallChanged && { overall: encodePatch(overall) }),
    };
    // The envelope and the overall figures always go; queues fill what is left of the budget.
    let bytes = Buffer.byteLength(JSON.stringify(delta));
    this.counters.unbudgetedBytes += changed.reduce((n, c) => n + c.bytes, bytes);
    this.refill();
    changed.sort((a, b) => a.since - b.since); // stable: equal ages keep the queues' order
    for (const c of changed) {
      // The first always goes, so a queue bigger than the budget still gets through (the budget goes into debt).
      if (queues.length > 0 && bytes + c.bytes > this.tokens) break;
      bytes += c.bytes;
      queues.push(c.patch);
      this.sent.set(c.queueId, c.stats);
      this.pendingSince.delete(c.queueId);
    }
    for (const id of removed) {
      this.sent.delete(id);
      this.pendingSince.delete(id);
      this.refs.delete(id);
    }
    if (overallChanged) this.sentOverall = report.overall;
    this.seq = delta.seq;
    return { delta, bytes };
  }
}
